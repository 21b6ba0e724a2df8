"""Markdown: rendered by markdown-it-py, then sanitised by nh3; plain-text helpers for teasers."""

from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import TYPE_CHECKING

from newsletter.storage.memo import remembered

if TYPE_CHECKING:  # markdown-it and nh3 are imported on first use: many builds need neither
    from markdown_it import MarkdownIt
    from markdown_it.tree import SyntaxTreeNode

ALLOWED_TAGS = {"p", "a", "strong", "em", "b", "i", "ul", "ol", "li", "br", "code", "blockquote"}
ALLOWED_SCHEMES = {"http", "https", "mailto"}
TEASER_MAX = 280


@lru_cache(maxsize=1)
def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    # Raw HTML in Markdown is not passed through (html=False): it shows as text.
    return MarkdownIt("commonmark", {"html": False})


def syntax_tree(text: str) -> SyntaxTreeNode:
    """The Markdown's parse tree, as the HTML rendering sees it (the plain text walks it)."""
    from markdown_it.tree import SyntaxTreeNode

    return SyntaxTreeNode(_parser().parse(text))


def link_allowed(href: str) -> bool:
    """Only absolute http(s) and mailto links stay links (in the HTML and in the text)."""
    scheme = href.split(":", 1)[0].lower() if ":" in href else ""
    return scheme in ALLOWED_SCHEMES


def _absolute_links_only(tag: str, attribute: str, value: str) -> str | None:
    if tag == "a" and attribute == "href":
        return value if link_allowed(value) else None
    return value


def sanitise(fragment: str) -> str:
    """Keep a small set of tags; links only to absolute http(s) or mailto addresses.

    A link whose address was dropped keeps its text but stops being a link.
    """
    import nh3

    cleaned = nh3.clean(
        fragment,
        tags=ALLOWED_TAGS,
        attributes={"a": {"href", "title"}, "ol": {"start"}},  # a list's first number
        url_schemes=ALLOWED_SCHEMES,
        attribute_filter=_absolute_links_only,
        link_rel=None,
    )
    return re.sub(r"<a(?: title=\"[^\"]*\")?>(.*?)</a>", r"\1", cleaned, flags=re.S)


@remembered(files=(__file__,), libraries=("markdown_it", "mdurl", "nh3"))
def render(text: str) -> str:
    """Markdown to safe HTML."""
    return sanitise(_parser().render(text)).strip()


# Characters a paragraph of prose may hold and still read the same without Markdown: letters
# and digits of any script, spaces and the punctuation CommonMark gives no meaning inside a line
# (no emphasis, code, link, image, entity, escape or HTML). A line may not begin with what starts
# a block (a list, heading, quote, fence, setext underline or thematic break, or an indent).
PROSE_PUNCTUATION = frozenset(" ,.;:'\"?!/%()+=#>~|{}$@^-\u2013\u2014\u2018\u2019\u201c\u201d"
                              "\u2026\u00b0\u00b1\u00d7\u00b7")
BLOCK_FIRST = frozenset(" -+=#>~")
_LIST_START = re.compile(r"[0-9]{1,9}[.)]")


def first_paragraph(text: str) -> str:
    """The text of the first paragraph after Markdown rendering, tags stripped. A paragraph of
    plain prose (`prose_paragraph`) is its own text: markdown-it-py is imported and run only
    for one that holds Markdown (tests/properties/test_prose_paragraph.py compares the two)."""
    prose = prose_paragraph(text)
    return prose if prose is not None else _parsed_first_paragraph(text)


def prose_paragraph(text: str) -> str | None:
    """The first paragraph's text when it is plain prose that Markdown would leave as it is
    (lines joined by a space), else None."""
    lines = text.split("\n")
    first = 0
    while first < len(lines) and not lines[first].strip(" "):
        first += 1
    words: list[str] = []
    for line in lines[first:]:
        if not line.strip(" "):
            break
        if line[0] in BLOCK_FIRST or _LIST_START.match(line) \
                or not all(c.isalnum() or c in PROSE_PUNCTUATION for c in line):
            return None
        words += line.split(" ")
    return " ".join(w for w in words if w)


@remembered(files=(__file__,), libraries=("markdown_it", "mdurl"))
def _parsed_first_paragraph(text: str) -> str:
    tokens = _parser().parse(text)
    for i, token in enumerate(tokens):
        if token.type == "paragraph_open" and i + 1 < len(tokens):
            inline = tokens[i + 1]
            parser = _parser()
            rendered = parser.renderer.renderInline(inline.children or [], parser.options, {})
            return plain(rendered)
    return ""


def plain(fragment: str) -> str:
    """HTML fragment to one line of plain text."""
    no_tags = re.sub(r"<[^>]*>", "", re.sub(r"<br\s*/?>", " ", fragment))
    return re.sub(r"\s+", " ", html.unescape(no_tags)).strip()


def cut(text: str, limit: int = TEASER_MAX) -> str:
    """Cut at a word boundary so the result, with its ellipsis, is at most `limit` characters."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    if " " in head:
        head = head[: head.rindex(" ")]
    return head.rstrip(" ,;:.-–—") + "…"
