"""Reading the final HTML the way a mail client would: inline styles, hidden elements, colours.

Only inline styles count: after the inliner, everything that reaches Gmail's body is inline (the
head keeps media queries and client hacks, which do not change desktop colours or sizes).
Outlook's conditional comments are comments to every other client and are not looked into.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

SKIP_TAGS = {"style", "script", "title", "head", "meta", "link", "noscript", "template"}
# Characters that render as nothing: preheader padding and spacer cells use them.
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u034f\u00ad"
_INVISIBLE_RE = re.compile(f"[{_INVISIBLE}]")  # faster than str.translate on long texts
BLOCK_TAGS = {"p", "div", "td", "th", "tr", "li", "table", "br", "h1", "h2", "h3", "h4", "h5",
              "h6", "blockquote", "ul", "ol", "center", "section", "article", "header", "footer"}
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}


def parse(document: str) -> HtmlElement:
    """The document parsed by lxml.html; an empty document gives an empty <html>."""
    if not document.strip():
        return lxml.html.document_fromstring("<html><body></body></html>")
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=False)
    try:
        return lxml.html.document_fromstring(document.encode("utf-8"), parser=parser)
    except etree.ParserError:
        return lxml.html.document_fromstring("<html><body></body></html>")


def body(doc: HtmlElement) -> HtmlElement:
    found = doc.find("body")
    return found if found is not None else doc


def elements(root: HtmlElement) -> Iterator[HtmlElement]:
    """Real elements below `root` in document order (comments and processing instructions left out)."""
    for el in root.iter():
        if isinstance(el.tag, str):
            yield el


def tag(el: HtmlElement) -> str:
    return el.tag.lower() if isinstance(el.tag, str) else ""


# --- styles ---------------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def parse_style(style: str) -> dict[str, str]:
    """An inline style attribute as {property: value}, lower-case, `!important` dropped."""
    out: dict[str, str] = {}
    for declaration in style.split(";"):
        name, sep, value = declaration.partition(":")
        if not sep:
            continue
        value = re.sub(r"\s*!\s*important\s*$", "", value.strip(), flags=re.I)
        out[name.strip().lower()] = value.strip()
    return out


def style_of(el: HtmlElement) -> dict[str, str]:
    return parse_style(el.get("style") or "")


def _zero(value: str | None) -> bool:
    return value is not None and re.fullmatch(r"0+(?:\.0*)?(?:px|pt|em|rem|%)?", value) is not None


def hides_itself(el: HtmlElement) -> bool:
    """Whether this element's own attributes hide it (and all it holds) from readers."""
    return el.get("hidden") is not None or _style_hides(el.get("style") or "")


@lru_cache(maxsize=4096)
def _style_hides(style_attr: str) -> bool:
    if not style_attr:
        return False
    style = parse_style(style_attr)
    if style.get("display", "").lower() == "none":
        return True
    if style.get("visibility", "").lower() in ("hidden", "collapse"):
        return True
    if style.get("mso-hide", "").lower() == "all" or _zero(style.get("opacity")):
        return True
    overflow = style.get("overflow", "").lower()
    clipped = any(_zero(style.get(p)) for p in ("max-height", "height", "max-width", "width"))
    return overflow == "hidden" and clipped


def is_hidden(el: HtmlElement) -> bool:
    """Hidden by itself or by an ancestor."""
    node: HtmlElement | None = el
    while node is not None:
        if isinstance(node.tag, str) and hides_itself(node):
            return True
        node = node.getparent()
    return False


def hidden_elements(root: HtmlElement) -> set[HtmlElement]:
    """Every element hidden by itself or by an ancestor, found in one pass from `root` down."""
    hidden: set[HtmlElement] = set()
    stack: list[tuple[HtmlElement, bool]] = [(root, is_hidden(root))]
    while stack:
        el, inherited = stack.pop()
        if not isinstance(el.tag, str):
            continue
        now = inherited or hides_itself(el)
        if now:
            hidden.add(el)
        stack.extend((child, now) for child in el)
    return hidden


# --- text -----------------------------------------------------------------------------------


def own_text(el: HtmlElement) -> str:
    """The text directly inside `el` (its text and its children's tails), not its children's."""
    parts = [el.text or ""] + [child.tail or "" for child in el]
    return "".join(parts)


def has_text(value: str) -> bool:
    return bool(_INVISIBLE_RE.sub("", value).strip())


def normalise(value: str) -> str:
    return re.sub(r"\s+", " ", _INVISIBLE_RE.sub("", value)).strip()


def visible_text(doc: HtmlElement, hidden: set[HtmlElement] | None = None) -> str:
    """The body's text a reader sees (hidden elements, styles and scripts left out).

    `hidden` (see hidden_elements) saves looking at each element's style again."""
    out: list[str] = []
    _collect(body(doc), out, hidden)
    return normalise("".join(out))


def _collect(el: HtmlElement, out: list[str], hidden: set[HtmlElement] | None) -> None:
    """Text of `el` and its visible descendants, with each child's tail in its place."""
    if not isinstance(el.tag, str) or tag(el) in SKIP_TAGS:
        return
    if el in hidden if hidden is not None else hides_itself(el):
        return
    out.append(el.text or "")
    for child in el:
        _collect(child, out, hidden)
        if tag(child) in BLOCK_TAGS:
            out.append(" ")
        out.append(child.tail or "")


def all_text(doc: HtmlElement) -> str:
    """The body's text, hidden parts included."""
    return normalise("".join(_all(body(doc))))


def _all(el: HtmlElement) -> Iterator[str]:
    if isinstance(el.tag, str) and tag(el) in SKIP_TAGS:
        return
    if isinstance(el.tag, str):
        yield el.text or ""
    for child in el:
        yield from _all(child)
        if tag(child) in BLOCK_TAGS:
            yield " "
        yield child.tail or ""


def short(value: str, limit: int = 48) -> str:
    value = normalise(value)
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"


def describe(el: HtmlElement, heading: str | None = None) -> str:
    """A place in the HTML a person can find: the tag, a key attribute, its text, its heading."""
    name = tag(el)
    attrs = ""
    for key in ("href", "src"):
        if el.get(key) is not None:
            attrs = f' {key}="{short(el.get(key) or "", 60)}"'
            break
    text = short(el.text_content()) if name not in ("img", "table", "html", "body") else ""
    out = f"<{name}{attrs}>" + (f' "{text}"' if text else "")
    if heading:
        out += f' under "{short(heading, 40)}"'
    return out


def headings_before(doc: HtmlElement) -> dict[HtmlElement, str]:
    """For each element of the body, the text of the last heading before it (document order)."""
    last: str | None = None
    found: dict[HtmlElement, str] = {}
    for el in elements(body(doc)):
        if tag(el) in HEADINGS:
            last = el.text_content()
        if last is not None:
            found[el] = last
    return found


# --- colours --------------------------------------------------------------------------------

NAMED_COLOURS = {
    "black": (0, 0, 0), "white": (255, 255, 255), "gray": (128, 128, 128),
    "grey": (128, 128, 128), "silver": (192, 192, 192), "red": (255, 0, 0),
    "maroon": (128, 0, 0), "yellow": (255, 255, 0), "olive": (128, 128, 0),
    "lime": (0, 255, 0), "green": (0, 128, 0), "aqua": (0, 255, 255), "cyan": (0, 255, 255),
    "teal": (0, 128, 128), "blue": (0, 0, 255), "navy": (0, 0, 128),
    "fuchsia": (255, 0, 255), "magenta": (255, 0, 255), "purple": (128, 0, 128),
    "orange": (255, 165, 0), "darkgray": (169, 169, 169), "darkgrey": (169, 169, 169),
    "lightgray": (211, 211, 211), "lightgrey": (211, 211, 211), "whitesmoke": (245, 245, 245),
}
Rgba = tuple[float, float, float, float]
_HEX = re.compile(r"#([0-9a-f]{3,4}|[0-9a-f]{6}|[0-9a-f]{8})\b", re.I)
_RGB = re.compile(r"rgba?\(\s*([\d.]+%?)\s*[,\s]\s*([\d.]+%?)\s*[,\s]\s*([\d.]+%?)"
                  r"(?:\s*[,/]\s*([\d.]+%?))?\s*\)", re.I)


def parse_colour(value: str | None) -> Rgba | None:
    """A CSS colour (hex, rgb(), rgba(), a common name) as (r, g, b, alpha); None if unknown.

    `transparent` gives alpha 0. For a `background` shorthand the first colour in it is used.
    """
    if not value:
        return None
    value = value.strip().lower()
    match = _HEX.search(value)
    if match:
        digits = match.group(1)
        if len(digits) in (3, 4):
            digits = "".join(c * 2 for c in digits)
        channels = [int(digits[i:i + 2], 16) for i in range(0, len(digits), 2)]
        alpha = channels[3] / 255 if len(channels) == 4 else 1.0
        return (channels[0], channels[1], channels[2], alpha)
    match = _RGB.search(value)
    if match:
        rgb = [_channel(v) for v in match.groups()[:3]]
        alpha = match.group(4)
        a = 1.0 if alpha is None else (float(alpha[:-1]) / 100 if alpha.endswith("%")
                                       else float(alpha))
        return (rgb[0], rgb[1], rgb[2], max(0.0, min(1.0, a)))
    for word in re.findall(r"[a-z]+", value):
        if word == "transparent":
            return (0, 0, 0, 0.0)
        if word in NAMED_COLOURS:
            return (*NAMED_COLOURS[word], 1.0)
    return None


def _channel(value: str) -> float:
    number = float(value[:-1]) * 2.55 if value.endswith("%") else float(value)
    return max(0.0, min(255.0, number))


def blend(top: Rgba, below: Rgba) -> Rgba:
    a = top[3]
    return (top[0] * a + below[0] * (1 - a), top[1] * a + below[1] * (1 - a),
            top[2] * a + below[2] * (1 - a), 1.0)


def luminance(colour: Rgba) -> float:
    def linear(c: float) -> float:
        c = c / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (linear(c) for c in colour[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: Rgba, b: Rgba) -> float:
    """WCAG 2 contrast ratio of two opaque colours (1 to 21)."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def hex_of(colour: Rgba) -> str:
    return "#" + "".join(f"{round(c):02x}" for c in colour[:3])


WHITE: Rgba = (255, 255, 255, 1.0)
BLACK: Rgba = (0, 0, 0, 1.0)


def text_colour(el: HtmlElement) -> Rgba:
    """The colour of the element's text: its own `color`, else the nearest ancestor's."""
    node: HtmlElement | None = el
    while node is not None:
        if isinstance(node.tag, str):
            colour = parse_colour(style_of(node).get("color"))
            if colour is None and tag(node) == "font":
                colour = parse_colour(node.get("color"))
            if colour is not None:
                return colour
        node = node.getparent()
    return BLACK


def background_colour(el: HtmlElement, cache: dict[HtmlElement, Rgba] | None = None) -> Rgba:
    """The background behind the element: its own, else its ancestors' (translucent ones
    blended over what is below; white at the top). `cache` shares the work between elements."""
    cache = {} if cache is None else cache
    if el in cache:
        return cache[el]
    parent = el.getparent()
    below = background_colour(parent, cache) if parent is not None else WHITE
    result = below
    if isinstance(el.tag, str):
        style = style_of(el)
        colour = parse_colour(style.get("background-color"))
        if colour is None:
            colour = parse_colour(style.get("background"))
        if colour is None:
            colour = parse_colour(el.get("bgcolor"))
        if colour is not None and colour[3] > 0:
            result = blend(colour, below)
    cache[el] = result
    return result


# --- font sizes -----------------------------------------------------------------------------

KEYWORD_SIZES = {"xx-small": 9.0, "x-small": 10.0, "small": 13.0, "medium": 16.0,
                 "large": 18.0, "x-large": 24.0, "xx-large": 32.0, "xxx-large": 48.0}
FONT_TAG_SIZES = {"1": 10.0, "2": 13.0, "3": 16.0, "4": 18.0, "5": 24.0, "6": 32.0, "7": 48.0}
DEFAULT_SIZE = 16.0
_LENGTH = re.compile(r"([\d.]+)\s*(px|pt|em|rem|%)?$")


def font_size(el: HtmlElement, cache: dict[HtmlElement, float]) -> float:
    """The computed font size in px from inline styles (em and % relative to the parent)."""
    if el in cache:
        return cache[el]
    parent = el.getparent()
    inherited = font_size(parent, cache) if parent is not None else DEFAULT_SIZE
    size = inherited
    value = style_of(el).get("font-size", "").lower()
    if value:
        size = _size(value, inherited)
    elif tag(el) == "font" and el.get("size") in FONT_TAG_SIZES:
        size = FONT_TAG_SIZES[el.get("size") or "3"]
    elif tag(el) in ("small", "sub", "sup"):
        size = inherited * 0.83
    cache[el] = size
    return size


def _size(value: str, inherited: float) -> float:
    if value in KEYWORD_SIZES:
        return KEYWORD_SIZES[value]
    if value == "smaller":
        return inherited / 1.2
    if value == "larger":
        return inherited * 1.2
    match = _LENGTH.match(value)
    if not match:
        return inherited
    number, unit = float(match.group(1)), match.group(2) or "px"
    return {"px": number, "pt": number * 4 / 3, "em": number * inherited,
            "rem": number * DEFAULT_SIZE, "%": number * inherited / 100}[unit]
