"""images: alt text, https sources and a width on every <img>."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from newsletter.checks.dom import body, describe, elements, headings_before, tag
from newsletter.checks.model import HTML_PART, CheckContext, Finding, check, error, warning


def _images(ctx: CheckContext) -> list[tuple[str, HtmlElement]]:
    headings = headings_before(ctx.document)
    return [(f"{HTML_PART} {describe(el, headings.get(el))}", el)
            for el in elements(body(ctx.document)) if tag(el) == "img"]


@check("images.alt")
def alt(ctx: CheckContext) -> list[Finding]:
    """Every <img> has an alt attribute; alt="" marks a decorative image (error)."""
    return [error(where, "the image has no alt text; screen readers read out its file name",
                  "describe it with image_alt in the summary's front matter (alt in a template), "
                  "or write alt=\"\" for a decorative image")
            for where, el in _images(ctx) if el.get("alt") is None]


@check("images.src")
def src(ctx: CheckContext) -> list[Finding]:
    """Every <img> loads over https: http warns; a missing, relative or data: source is an error."""
    findings = []
    for where, el in _images(ctx):
        value = (el.get("src") or "").strip()
        parts = urlsplit(value)
        if parts.scheme == "https" and parts.netloc:
            continue
        if parts.scheme == "http" and parts.netloc:
            findings.append(warning(where, "the image is loaded over http; some clients block "
                                           "or warn about it", "serve it over https"))
        else:
            findings.append(error(where, "the image source is not an absolute https URL"
                                         + (" (data: images are blocked by Gmail)"
                                            if parts.scheme == "data" else ""),
                                  "use an https:// URL of the image"))
    return findings


@check("images.width")
def width(ctx: CheckContext) -> list[Finding]:
    """Every <img> has a width attribute in pixels, which Outlook needs (warning)."""
    findings = []
    for where, el in _images(ctx):
        value = (el.get("width") or "").strip()
        if not re.fullmatch(r"[1-9]\d*(?:px)?", value):
            findings.append(warning(where, "the image has no width attribute; Outlook then shows "
                                           "it at its full size, which can break the layout",
                                    'add width="..." (pixels) to the <img>'))
    return findings
