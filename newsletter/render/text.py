"""The plain-text part: wrapping and Markdown turned into text.
"""

from __future__ import annotations

import re
import textwrap

TEXT_WIDTH = 78


def wrap(text: str, width: int = TEXT_WIDTH, indent: str = "") -> str:
    """Wrap at `width`; URLs and other long words are never broken."""
    return textwrap.fill(text, width=width, initial_indent=indent, subsequent_indent=indent,
                         break_long_words=False, break_on_hyphens=False)


_LIST_ITEM = re.compile(r"\s*(?:[-*+]|\d+[.)])\s+")


def markdown_to_text(source: str, width: int = TEXT_WIDTH) -> str:
    """Markdown to readable plain text: paragraphs and list items wrapped, links spelled out."""
    if not source.strip():
        return ""
    text = re.sub(r"\[([^\]]+)\]\(([^)\s]+)\)", r"\1 (\2)", source)
    text = re.sub(r"(\*\*|__)(.+?)\1", r"\2", text)
    text = re.sub(r"(?<![\w*])[*_](\S.*?)[*_](?![\w*])", r"\1", text)
    blocks = []
    for block in re.split(r"\n\s*\n", text.strip()):
        lines = block.split("\n")
        if all(_LIST_ITEM.match(line) or line.startswith("  ") for line in lines):
            items: list[str] = []
            for line in lines:
                if _LIST_ITEM.match(line):
                    items.append(_LIST_ITEM.sub("", line, count=1))
                else:
                    items[-1] += " " + line.strip()
            blocks.append("\n".join(textwrap.fill(
                item, width=width, initial_indent="  - ", subsequent_indent="    ",
                break_long_words=False, break_on_hyphens=False) for item in items))
        else:
            blocks.append(wrap(" ".join(line.strip() for line in lines), width))
    return "\n\n".join(blocks)


def tidy_text(text: str) -> str:
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
