"""The plain-text part: wrapping, and Markdown turned into text by walking markdown-it's tree.

The text follows what the HTML shows: escapes and entities come out as the characters they
stand for, headings and code are their text, links keep their text with the address after it
(an address alone when the text is the address, as autolinks are), links the HTML drops (not
http(s) or mailto) keep only their text, numbered lists keep their numbers.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

from newsletter.storage.memo import remembered

if TYPE_CHECKING:  # markdown-it is imported when there is Markdown to turn into text
    from markdown_it.tree import SyntaxTreeNode

TEXT_WIDTH = 78
MIN_WIDTH = 20  # nested lists and quotes never wrap narrower than this
MARKDOWN_FILE = str(Path(__file__).with_name("markdown.py"))  # the tree's parser is set there


def wrap(text: str, width: int = TEXT_WIDTH, indent: str = "") -> str:
    """Wrap at `width`; URLs and other long words are never broken."""
    return textwrap.fill(text, width=width, initial_indent=indent, subsequent_indent=indent,
                         break_long_words=False, break_on_hyphens=False)


@remembered(files=(__file__, MARKDOWN_FILE), libraries=("markdown_it", "mdurl"))
def markdown_to_text(source: str, width: int = TEXT_WIDTH) -> str:
    """Markdown to readable plain text: blocks separated by a blank line, wrapped at `width`."""
    if not source.strip():
        return ""
    from newsletter.render.markdown import syntax_tree

    return "\n\n".join(_blocks(syntax_tree(source).children, width))


def _blocks(nodes: list[SyntaxTreeNode], width: int) -> list[str]:
    out: list[str] = []
    for node in nodes:
        block = _block(node, max(width, MIN_WIDTH))
        if block:
            out.append(block)
    return out


def _block(node: SyntaxTreeNode, width: int) -> str:
    kind = node.type
    if kind in ("paragraph", "heading"):
        return _paragraph(node, width)
    if kind in ("bullet_list", "ordered_list"):
        return _list(node, width)
    if kind == "blockquote":
        inner = "\n\n".join(_blocks(node.children, width - 2))
        return "\n".join(f"> {line}".rstrip() for line in inner.split("\n"))
    if kind in ("code_block", "fence"):
        return "\n".join("    " + line for line in node.content.rstrip("\n").split("\n"))
    if kind == "hr":
        return "-" * min(width, 20)
    return "\n\n".join(_blocks(node.children, width))  # (html=False: no raw HTML blocks)


def _paragraph(node: SyntaxTreeNode, width: int) -> str:
    inline = node.children[0] if node.children else None
    text = _inline(inline.children) if inline is not None else ""
    lines = (re.sub(r"\s+", " ", line).strip() for line in text.split("\n"))
    return "\n".join(wrap(line, width) for line in lines if line)


def _list(node: SyntaxTreeNode, width: int) -> str:
    start = int(node.attrs.get("start", 1)) if node.type == "ordered_list" else 0  # may be 0
    numbers = [f"{start + i}." if node.type == "ordered_list" else "-"
               for i in range(len(node.children))]
    widest = max(len(n) for n in numbers)
    markers = [n.rjust(widest) + " " for n in numbers]  # numbers right-aligned
    indent = "  " + " " * (widest + 1)
    loose = any(child.type == "paragraph" and not child.hidden
                for item in node.children for child in item.children)
    gap = "\n\n" if loose else "\n"
    items = []
    for marker, item in zip(markers, node.children, strict=True):
        body = gap.join(_blocks(item.children, width - len(indent)))
        lines = body.split("\n")
        first = "  " + marker + lines[0]
        items.append("\n".join([first.rstrip(), *(indent + line if line else ""
                                                for line in lines[1:])]))
    return gap.join(items)


def _inline(nodes: list[SyntaxTreeNode]) -> str:
    from newsletter.render.markdown import link_allowed

    parts: list[str] = []
    for node in nodes:
        kind = node.type
        if kind in ("text", "code_inline", "text_special"):
            parts.append(node.content)
        elif kind == "softbreak":
            parts.append(" ")
        elif kind == "hardbreak":
            parts.append("\n")
        elif kind == "link":
            label = _inline(node.children)
            href = str(node.attrs.get("href", ""))
            shown = href.removeprefix("mailto:")
            if not link_allowed(href) or label.strip() in (href, shown):
                parts.append(label)  # the HTML drops the link, or its text is the address
            else:
                parts.append(f"{label} ({shown})")
        elif kind == "image":
            continue  # the HTML shows no images in the intro
        else:
            parts.append(_inline(node.children))  # em, strong and the like: their text
    return "".join(parts)


def tidy_text(text: str) -> str:
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip() + "\n"
