"""Markdown: rendered by markdown-it-py, then sanitised by nh3; plain-text helpers for teasers."""

from __future__ import annotations

import html
import re
from functools import lru_cache
from typing import TYPE_CHECKING

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


def render(text: str) -> str:
    """Markdown to safe HTML."""
    return sanitise(_parser().render(text)).strip()


def first_paragraph(text: str) -> str:
    """The text of the first paragraph after Markdown rendering, tags stripped."""
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
