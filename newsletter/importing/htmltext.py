"""HTML (from feeds, or HTML bodies in JSON/CSV) to Markdown, after sanitising it.

The HTML is first cleaned by nh3 (`newsletter.markdown.sanitise` rules, plus headings and divs
so that their text keeps its own paragraph): `<script>` and `<style>` go with their content,
other tags go but their text stays, and links keep only http(s) and mailto addresses. The small
tree that is left (p, a, strong/b, em/i, code, ul/ol/li, br, blockquote, headings) is then
written as CommonMark, escaping text so that it renders back to the same words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import nh3

from newsletter.importing.readers.base import escape_inline, escape_line_start
from newsletter.render.markdown import ALLOWED_SCHEMES, ALLOWED_TAGS

HEADINGS = {"h1", "h2", "h3", "h4", "h5", "h6"}
CONVERTED_TAGS = ALLOWED_TAGS | HEADINGS | {"div"}
BLOCKS = {"p", "div", "ul", "ol", "blockquote", "li"} | HEADINGS
VOID = {"br"}
_LOOKS_LIKE_HTML = re.compile(
    r"<(p|div|br|ul|ol|li|a|strong|em|b|i|blockquote|h[1-6]|span|script|style)\b[^>]*>",
    re.IGNORECASE)


def looks_like_html(text: str) -> bool:
    return bool(_LOOKS_LIKE_HTML.search(text))


def sanitise(fragment: str) -> str:
    return nh3.clean(
        fragment,
        tags=CONVERTED_TAGS,
        attributes={"a": {"href"}},
        url_schemes=ALLOWED_SCHEMES,
        link_rel=None,
    )


@dataclass
class Node:
    tag: str
    href: str | None = None
    children: list[Node | str] = field(default_factory=list)


class _TreeBuilder(HTMLParser):
    """nh3's output is well formed, so a plain stack builds the tree."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("root")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        href = dict(attrs).get("href") if tag == "a" else None
        node = Node(tag, href)
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def to_markdown(fragment: str) -> str:
    """Sanitise an HTML fragment and write it as Markdown paragraphs."""
    builder = _TreeBuilder()
    builder.feed(sanitise(fragment))
    builder.close()
    return "\n\n".join(_blocks(builder.root)).strip()


def to_plain(fragment: str) -> str:
    """The text of an HTML fragment on one line (for titles and teasers)."""
    builder = _TreeBuilder()
    builder.feed(sanitise(fragment))
    builder.close()
    return re.sub(r"\s+", " ", _text(builder.root)).strip()


def _text(node: Node | str) -> str:
    if isinstance(node, str):
        return node
    if node.tag == "br":
        return " "
    inner = "".join(_text(c) for c in node.children)
    return f" {inner} " if node.tag in BLOCKS else inner


def _blocks(node: Node) -> list[str]:
    """The Markdown blocks of a container: runs of inline content become paragraphs."""
    blocks: list[str] = []
    run: list[Node | str] = []

    def flush() -> None:
        paragraph = _paragraph(run)
        if paragraph:
            blocks.append(paragraph)
        run.clear()

    for child in node.children:
        if isinstance(child, Node) and child.tag in BLOCKS:
            flush()
            blocks += _block(child)
        else:
            run.append(child)
    flush()
    return blocks


def _block(node: Node) -> list[str]:
    if node.tag in ("ul", "ol"):
        items = [c for c in node.children if isinstance(c, Node) and c.tag == "li"]
        lines = [_list_item(item, f"{n}." if node.tag == "ol" else "-")
                 for n, item in enumerate(items, 1)]
        return ["\n".join(lines)] if lines else []
    if node.tag == "blockquote":
        inner = "\n\n".join(_blocks(node))
        return ["\n".join("> " + ln if ln else ">" for ln in inner.split("\n"))] if inner else []
    if node.tag in HEADINGS:
        text = _paragraph(node.children)
        return [f"**{text}**"] if text else []
    return _blocks(node)  # p, div, a stray li


def _list_item(item: Node, marker: str) -> str:
    blocks = _blocks(item) or [""]
    indent = " " * (len(marker) + 1)
    body = "\n\n".join(blocks)
    lines = body.split("\n")
    return "\n".join([f"{marker} {lines[0]}"] + [indent + ln if ln else "" for ln in lines[1:]])


def _paragraph(nodes: list[Node | str]) -> str:
    text = "".join(_inline(n) for n in nodes)
    lines = [re.sub(r" {2,}", " ", ln).strip() for ln in text.split("\\\n")]
    while lines and not lines[0]:
        lines.pop(0)
    while lines and not lines[-1]:
        lines.pop()
    return "\\\n".join(escape_line_start(ln) for ln in lines)


def _inline(node: Node | str) -> str:
    if isinstance(node, str):
        return escape_inline(re.sub(r"\s+", " ", node))
    if node.tag == "br":
        return "\\\n"
    inner = "".join(_inline(c) for c in node.children)
    if node.tag in ("strong", "b"):
        return _wrap(inner, "**")
    if node.tag in ("em", "i"):
        return _wrap(inner, "*")
    if node.tag == "code":
        return _code(node)
    if node.tag == "a":
        return _link(inner, node.href)
    if node.tag in BLOCKS:  # a block inside inline content: keep its words apart
        return f" {inner} "
    return inner


def _wrap(inner: str, marker: str) -> str:
    """Emphasis with the spaces outside the markers (`** a **` would not be emphasis)."""
    core = inner.strip()
    if not core:
        return inner
    lead = " " if inner[:1].isspace() else ""
    trail = " " if inner[-1:].isspace() else ""
    return f"{lead}{marker}{core}{marker}{trail}"


def _code(node: Node) -> str:
    text = re.sub(r"\s+", " ", _text(node))
    if not text.strip():
        return text
    fence = "``" if "`" in text else "`"
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def _link(inner: str, href: str | None) -> str:
    scheme = href.split(":", 1)[0].lower() if href and ":" in href else ""
    if not href or scheme not in ALLOWED_SCHEMES:
        return inner
    text = inner.strip() or escape_inline(href)
    target = f"<{href}>" if re.search(r"[\s()<>]", href) else href
    if target.startswith("<"):
        target = "<" + href.replace("<", "%3C").replace(">", "%3E") + ">"
    lead = " " if inner[:1].isspace() else ""
    trail = " " if inner[-1:].isspace() else ""
    return f"{lead}[{text}]({target}){trail}"
