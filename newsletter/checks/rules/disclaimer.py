"""disclaimer: the configured medical disclaimer is in both parts, and visible in the HTML."""

from __future__ import annotations

from lxml.html import HtmlElement

from newsletter.checks.dom import all_text, body, elements, hides_itself, normalise, own_text, tag
from newsletter.checks.model import HTML_PART, TEXT_PART, CheckContext, Finding, check, error

KEEP_IT = ("keep {% include \"partials/disclaimer.mjml.j2\" %} in email.mjml.j2 (and the "
           "disclaimer block in email.txt.j2); change the wording in newsletter.toml "
           "[disclaimer] text, not by removing it")


def _wanted(ctx: CheckContext) -> str:
    return normalise(ctx.config.disclaimer.text)


def _holders(el: HtmlElement, wanted: str) -> list[HtmlElement]:
    """The innermost elements whose text contains the whole disclaimer."""
    if wanted not in normalise(el.text_content()):
        return []
    inner = [h for child in el if isinstance(child.tag, str) for h in _holders(child, wanted)]
    return inner or [el]


def _own_holders(ctx: CheckContext, wanted: str) -> list[HtmlElement]:
    """The elements whose own text (not their children's) holds the whole disclaimer."""
    first = wanted.split()[0]
    return [el for el in elements(body(ctx.document))
            if first in (text := own_text(el)) and wanted in normalise(text)]


def _hiding_reason(el: HtmlElement) -> str:
    node: HtmlElement | None = el
    while node is not None:
        if isinstance(node.tag, str) and hides_itself(node):
            return f"<{tag(node)} style=\"{node.get('style') or ''}\">" if node.get("style") \
                else f"<{tag(node)} hidden>"
        node = node.getparent()
    return ""


@check("disclaimer.html")
def in_html(ctx: CheckContext) -> list[Finding]:
    """The disclaimer text is in the HTML and not inside a hidden element (error)."""
    wanted = _wanted(ctx)
    if not wanted:
        return []
    holders = _own_holders(ctx, wanted)  # the usual case, in one pass: a <p> holds it all
    if not holders:
        if wanted not in all_text(ctx.document):
            return [error(HTML_PART, "the disclaimer ([disclaimer] text) is missing", KEEP_IT)]
        holders = _holders(body(ctx.document), wanted)  # spread over inline children
    if holders and all(ctx.is_hidden(h) for h in holders):
        return [error(HTML_PART, "the disclaimer is in the HTML but hidden from readers (inside "
                                 f"{_hiding_reason(holders[0])})",
                      "remove display:none / visibility:hidden / max-height:0 / hidden from the "
                      "disclaimer block and the elements around it in the templates")]
    if not holders:  # split across elements in a way no single element holds: treat as missing
        return [error(HTML_PART, "the disclaimer text is broken up in the HTML", KEEP_IT)]
    return []


@check("disclaimer.text")
def in_text(ctx: CheckContext) -> list[Finding]:
    """The disclaimer text is in the plain-text part (error)."""
    wanted = _wanted(ctx)
    if not wanted or wanted in normalise(ctx.text):
        return []
    return [error(TEXT_PART, "the disclaimer ([disclaimer] text) is missing from the plain text",
                  KEEP_IT)]
