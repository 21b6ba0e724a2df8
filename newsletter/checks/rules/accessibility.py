"""accessibility: language, layout tables, heading order, contrast and text size.

Contrast and size are computed from the inlined styles, for each element that holds visible
text of its own: the text colour is the element's `color` or its nearest ancestor's, the
background the nearest ancestor's background (translucent ones blended). Hidden elements (the
preheader) and MJML's zero-size wrappers, which hold no text of their own, are left out.
"""

from __future__ import annotations

from lxml.html import HtmlElement

from newsletter.checks.dom import (
    HEADINGS,
    SKIP_TAGS,
    background_colour,
    blend,
    body,
    contrast,
    describe,
    elements,
    font_size,
    has_text,
    headings_before,
    hex_of,
    own_text,
    short,
    tag,
    text_colour,
)
from newsletter.checks.model import HTML_PART, CheckContext, Finding, check, error, warning

MIN_CONTRAST = 4.5
MIN_FONT_PX = 14.0
TEMPLATES = "the templates (newsletter.toml [colors] for the theme colours)"


@check("accessibility.lang")
def lang(ctx: CheckContext) -> list[Finding]:
    """<html> has a lang attribute (error), matching the workspace's language (warning)."""
    value = (ctx.document.get("lang") or "").strip()
    if not value:
        return [error(f"{HTML_PART} <html>", "the <html> element has no lang attribute; screen "
                      "readers then guess the language", '<mjml lang="{{ lang }}"> in '
                      "email.mjml.j2 sets it from newsletter.toml language")]
    wanted = ctx.config.language
    if value.split("-")[0].lower() != wanted.split("-")[0].lower():
        return [warning(f"{HTML_PART} <html lang=\"{value}\">",
                        f"the email says its language is '{value}', the workspace says "
                        f"'{wanted}'", "use {{ lang }} in the template, or set language")]
    return []


def _is_data_table(table: HtmlElement) -> bool:
    return any(tag(el) in ("th", "caption") for el in table.iter() if el is not table)


@check("accessibility.tables")
def tables(ctx: CheckContext) -> list[Finding]:
    """Layout tables (no <th> or <caption>) have role="presentation" (warning)."""
    bad = [t for t in elements(body(ctx.document)) if tag(t) == "table"
           and (t.get("role") or "").strip().lower() not in ("presentation", "none")
           and not _is_data_table(t)]
    if not bad:
        return []
    return [warning(f"{HTML_PART} {describe(bad[0], headings_before(ctx.document).get(bad[0]))}",
                    f"{len(bad)} layout table{'s' * (len(bad) != 1)} without role=\"presentation\"; "
                    "screen readers announce their rows and cells",
                    'add role="presentation" to each layout <table> in the templates')]


@check("accessibility.headings")
def headings(ctx: CheckContext) -> list[Finding]:
    """Heading levels go down one at a time (no h2 followed by an h4) (warning)."""
    findings = []
    previous: tuple[int, str] | None = None
    for el in elements(body(ctx.document)):
        if tag(el) not in HEADINGS or ctx.is_hidden(el):
            continue
        level, text = HEADINGS[tag(el)], short(el.text_content())
        if previous is not None and level > previous[0] + 1:
            findings.append(warning(
                f"{HTML_PART} <{tag(el)}> \"{text}\"",
                f"h{level} follows h{previous[0]} \"{previous[1]}\": heading level "
                f"{previous[0] + 1} is skipped", f"use <h{previous[0] + 1}> here in the template, "
                "or change the size with a style instead of the level"))
        previous = (level, text)
    return findings


def text_elements(ctx: CheckContext) -> list[HtmlElement]:
    """Visible elements of the body that hold text of their own (computed once per context)."""
    def find() -> list[HtmlElement]:
        return [el for el in elements(body(ctx.document))
                if tag(el) not in SKIP_TAGS and not ctx.is_hidden(el) and has_text(own_text(el))]
    found: list[HtmlElement] = ctx.memo("text_elements", find)
    return found


@check("accessibility.contrast")
def colour_contrast(ctx: CheckContext) -> list[Finding]:
    """Text colours against their backgrounds reach 4.5:1 (error)."""
    pairs: dict[tuple[str, str], tuple[float, int, HtmlElement]] = {}
    backgrounds: dict[HtmlElement, tuple[float, float, float, float]] = {}
    for el in text_elements(ctx):
        background = background_colour(el, backgrounds)
        foreground = blend(text_colour(el), background)
        ratio = contrast(foreground, background)
        if ratio < MIN_CONTRAST:
            key = (hex_of(foreground), hex_of(background))
            _, count, first = pairs.get(key, (ratio, 0, el))
            pairs[key] = (ratio, count + 1, first)
    headings = headings_before(ctx.document) if pairs else {}
    return [error(f"{HTML_PART} {describe(first, headings.get(first))}",
                  f"text {fg} on {bg} has a contrast of {ratio:.2f}:1, below {MIN_CONTRAST}:1"
                  + (f" ({count} elements)" if count > 1 else ""),
                  f"darken the text or lighten the background in {TEMPLATES}")
            for (fg, bg), (ratio, count, first) in pairs.items()]


@check("accessibility.font-size")
def text_size(ctx: CheckContext) -> list[Finding]:
    """No visible body text below 14 px (error)."""
    sizes: dict[float, tuple[int, HtmlElement]] = {}
    cache: dict[HtmlElement, float] = {}
    for el in text_elements(ctx):
        size = round(font_size(el, cache), 2)
        if size < MIN_FONT_PX:
            count, first = sizes.get(size, (0, el))
            sizes[size] = (count + 1, first)
    headings = headings_before(ctx.document) if sizes else {}
    return [error(f"{HTML_PART} {describe(first, headings.get(first))}",
                  f"text at {size:g}px, below {MIN_FONT_PX:g}px"
                  + (f" ({count} elements)" if count > 1 else ""),
                  f"use font-size:{MIN_FONT_PX:g}px or more in the templates")
            for size, (count, first) in sorted(sizes.items())]
