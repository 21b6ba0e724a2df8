"""Every HTML and CSS feature an email uses, for the compat check (Can I email's vocabulary).

`extract(doc)` walks the parsed HTML (lxml, as the other checks) and its CSS (tinycss2: a CSS
Syntax Level 3 parser that keeps every token, `!important` and comments included, without
validating or rewriting anything) and records each feature as (kind, key) with how often it is
used and where first:

- elements, attributes, a few element+attribute pairs the data names (`meta[name=color-scheme]`,
  `a[href^=mailto:]`), the doctype, HTML comments, image formats of `<img src/srcset>`;
- in `style` attributes and `<style>` blocks: properties, `property:keyword` values,
  `!important`, functions, units, keywords, at-rules, media features, selectors (combinators,
  class, id, type, attribute, universal, grouping, chaining, nesting), pseudo-classes and
  -elements (`:before` = `::before`), CSS comments and `url()` image formats.

The kinds and keys are those scripts/make_caniemail.py maps the data's features to. Outlook's
conditional comments (`<!--[if mso]>`) are comments to every other client: what is inside is not
looked into.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import tinycss2
from lxml import etree
from lxml.html import HtmlElement

PAIR_ATTRS = ("type", "name")  # element-attr keys the data names: input[type=...], meta[name=...]
COMBINATORS = {">": "child", "+": "adjacent-sibling", "~": "general-sibling"}
NESTED_RULES = ("media", "supports", "document", "container", "layer")


@dataclass
class Use:
    """How often a feature is used, and where first (for the finding's `where`)."""

    count: int = 0
    first: str = ""


@dataclass
class Uses:
    found: dict[tuple[str, str], Use] = field(default_factory=dict)
    css: list[str] = field(default_factory=list)  # every style attribute and <style> text
    values: dict[str, list[str]] = field(default_factory=dict)  # property -> values used

    def add(self, kind: str, key: str, where: str, count: int = 1) -> None:
        use = self.found.setdefault((kind, key), Use())
        if not use.count:
            use.first = where
        use.count += count

    def keys(self, kind: str) -> set[str]:
        return {k for (kd, k) in self.found if kd == kind}

    def __iter__(self) -> Iterator[tuple[tuple[str, str], Use]]:
        return iter(self.found.items())


def image_format(url: str) -> str | None:
    """'png', 'webp', ... from a URL's path, or 'data:' for a data URI."""
    value = url.strip()
    if value.lower().startswith("data:"):
        return "data:"
    path = value.split("?", 1)[0].split("#", 1)[0]
    found = re.search(r"\.([a-z0-9]+)$", path, re.I)
    return found[1].lower() if found else None


def short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


# --- CSS ----------------------------------------------------------------------------------------


def _declarations(source: Any, uses: Uses, where: str) -> None:
    """Properties, values, !important, functions, units, keywords and images of declarations."""
    for decl in tinycss2.parse_declaration_list(source, skip_comments=False,
                                                skip_whitespace=True):
        if decl.type == "comment":
            uses.add("css-comment", "*", where)
            continue
        if decl.type != "declaration":
            continue
        name = decl.lower_name
        uses.add("property", name, where)
        uses.values.setdefault(name, []).append(tinycss2.serialize(decl.value).strip())
        if decl.important:
            uses.add("important", "!important", where)
        values = [t for t in decl.value if t.type not in ("whitespace", "comment")]
        if values and values[0].type == "ident":
            uses.add("value", f"{name}:{values[0].lower_value}", where)
        _value_tokens(decl.value, uses, where)


@lru_cache(maxsize=4096)
def _inline(style: str) -> Uses:
    """What one style attribute uses (templates repeat the same styles: parsed once each)."""
    scratch = Uses()
    _declarations(style, scratch, "")
    return scratch


def _value_tokens(tokens: Iterable[Any], uses: Uses, where: str) -> None:
    for token in tokens:
        kind = token.type
        if kind == "function":
            uses.add("function", token.lower_name, where)
            if token.lower_name == "url":
                _image(tinycss2.serialize(token.arguments).strip("'\" "), uses, where)
            _value_tokens(token.arguments, uses, where)
        elif kind == "url":
            _image(token.value, uses, where)
        elif kind == "dimension":
            uses.add("unit", token.lower_unit, where)
        elif kind == "percentage":
            uses.add("unit", "%", where)
        elif kind == "ident":
            uses.add("keyword", token.lower_value, where)
        elif kind in ("() block", "[] block", "{} block"):
            _value_tokens(token.content, uses, where)


def _image(url: str, uses: Uses, where: str) -> None:
    fmt = image_format(url)
    if fmt:
        uses.add("image-format", fmt, where)


def _split_commas(tokens: list[Any]) -> list[list[Any]]:
    groups: list[list[Any]] = [[]]
    for token in tokens:
        if token.type == "literal" and token.value == ",":
            groups.append([])
        else:
            groups[-1].append(token)
    return [g for g in groups if any(t.type not in ("whitespace", "comment") for t in g)]


def _strip(tokens: list[Any]) -> list[Any]:
    while tokens and tokens[0].type == "whitespace":
        tokens = tokens[1:]
    while tokens and tokens[-1].type == "whitespace":
        tokens = tokens[:-1]
    return tokens


def _is_combinator(token: Any) -> bool:
    return token is not None and token.type == "literal" and token.value in COMBINATORS


def _selectors(prelude: list[Any], uses: Uses, where: str) -> None:
    """Combinators, simple selectors and pseudo-classes of a rule's selector list."""
    selectors = _split_commas(prelude)
    if len(selectors) >= 2:
        uses.add("selector", "grouping", where)
    for selector in selectors:
        _selector(_strip(list(selector)), uses, where)


def _selector(tokens: list[Any], uses: Uses, where: str) -> None:
    classes = 0  # classes in the current compound selector (two or more: chaining)
    previous = None
    i = 0
    while i < len(tokens):
        t = tokens[i]
        if t.type == "whitespace":
            following = tokens[i + 1] if i + 1 < len(tokens) else None
            if not _is_combinator(following) and not _is_combinator(previous):
                uses.add("selector", "descendant", where)
                classes = 0
        elif t.type == "literal":
            if t.value in COMBINATORS:
                uses.add("selector", COMBINATORS[t.value], where)
                classes = 0
            elif t.value == "*":
                uses.add("selector", "universal", where)
            elif t.value == "&":
                uses.add("selector", "nesting", where)
            elif t.value == "." and i + 1 < len(tokens) and tokens[i + 1].type == "ident":
                uses.add("selector", "class", where)
                classes += 1
                if classes == 2:
                    uses.add("selector", "chaining", where)
                i += 1
            elif t.value == ":":
                i = _pseudo(tokens, i, uses, where)
            previous = tokens[i]
        else:
            if t.type == "hash":
                uses.add("selector", "id", where)
            elif t.type == "ident":
                uses.add("selector", "type", where)
            elif t.type == "[] block":
                uses.add("selector", "attribute", where)
            previous = t
        i += 1


def _pseudo(tokens: list[Any], i: int, uses: Uses, where: str) -> int:
    """A pseudo-class or -element at tokens[i] (a ':'); the index of its last token."""
    double = i + 1 < len(tokens) and tokens[i + 1].type == "literal" and tokens[i + 1].value == ":"
    j = i + 2 if double else i + 1
    if j >= len(tokens) or tokens[j].type not in ("ident", "function"):
        return i
    named = tokens[j]
    uses.add("pseudo", named.lower_value if named.type == "ident" else named.lower_name, where)
    if named.type == "function":  # :not(...), :is(...): their own selectors count too
        _selectors(list(named.arguments), uses, where)
    return j


def _media_features(prelude: Iterable[Any], uses: Uses, where: str) -> None:
    for token in prelude:
        if token.type == "() block":
            idents = [t for t in token.content if t.type == "ident"]
            if idents:
                uses.add("media-feature", idents[0].lower_value, where)
            _media_features(token.content, uses, where)


def _rules(rules: Iterable[Any], uses: Uses, block: str) -> None:
    for rule in rules:
        if rule.type == "comment":
            uses.add("css-comment", "*", block)
        elif rule.type == "qualified-rule":
            where = f"{block} {short(tinycss2.serialize(rule.prelude))}"
            _selectors(list(rule.prelude), uses, where)
            _declarations(rule.content, uses, where)
        elif rule.type == "at-rule":
            name = rule.lower_at_keyword
            where = f"{block} @{name} {short(tinycss2.serialize(rule.prelude))}"
            uses.add("at-rule", name, where)
            if name == "media":
                _media_features(rule.prelude, uses, where)
            if rule.content is None:
                continue
            if name in NESTED_RULES:
                _rules(tinycss2.parse_rule_list(rule.content, skip_comments=False,
                                                skip_whitespace=True), uses, where)
            else:  # @font-face, @page, @keyframes (its frames read as declarations, roughly)
                _declarations(rule.content, uses, where)


def stylesheet(css: str, uses: Uses, block: str) -> None:
    """The features of one `<style>` block's text."""
    _rules(tinycss2.parse_stylesheet(css, skip_comments=False, skip_whitespace=True), uses, block)


# --- HTML ---------------------------------------------------------------------------------------


def _element(el: HtmlElement, tag: str, uses: Uses) -> None:
    uses.add("element", tag, f"<{tag}>")
    for name, value in el.attrib.items():
        name = name.lower()
        uses.add("attribute", name, f"<{tag} {name}>")
        if name in PAIR_ATTRS:
            uses.add("element-attr", f"{tag}[{name}={value.strip().lower()}]", f"<{tag}>")
    href = (el.get("href") or "").strip().lower()
    if tag == "a" and href.startswith("#"):
        uses.add("element-attr", "a[href^=#]", "<a>")
    if tag == "a" and href.startswith("mailto:"):
        uses.add("element-attr", "a[href^=mailto:]", "<a>")
    if tag == "img":
        sources = [el.get("src") or ""] + [c.strip().split()[0] for c in
                                            (el.get("srcset") or "").split(",") if c.strip()]
        for src in sources:
            _image(src, uses, f"<img src={short(src, 50)}>")


def _inline_style(style: str, tag: str, uses: Uses) -> None:
    uses.css.append(style)
    where = f"<{tag} style>"
    parsed = _inline(style)
    for (kind, key), use in parsed:
        uses.add(kind, key, where, use.count)
    for name, values in parsed.values.items():
        uses.values.setdefault(name, []).extend(values)


def extract(doc: HtmlElement) -> Uses:
    """Every feature the document uses, with how often and where first."""
    uses = Uses()
    tree = doc.getroottree()
    if (tree.docinfo.doctype or "").strip().lower() == "<!doctype html>":
        uses.add("doctype", "html5", "<!DOCTYPE html>")
    styles = 0
    for el in tree.iter():
        if el.tag is etree.Comment:
            uses.add("html-comment", "*", f"<!--{short(el.text or '', 30)}-->")
            continue
        if not isinstance(el.tag, str):
            continue
        tag = el.tag.lower()
        _element(el, tag, uses)
        if el.get("style"):
            _inline_style(el.get("style") or "", tag, uses)
        if tag == "style":
            styles += 1
            uses.css.append(el.text or "")
            stylesheet(el.text or "", uses, f"<style> #{styles}:")
    return uses
