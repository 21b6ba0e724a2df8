"""size: what Gmail clips or drops.

Gmail clips a message whose HTML reaches about 102 KB (the reader sees "[Message clipped]", and
the footer with the unsubscribe link is cut off), drops a document's <style> when the styles are
larger than 16 KB, and drops a <style> block holding an @-rule nested inside another @-rule.
"""

from __future__ import annotations

import re

from newsletter.checks.dom import elements
from newsletter.checks.model import HTML_PART, CheckContext, Finding, check, error, warning
from newsletter.limits import (
    GMAIL_CLIP_BYTES,
    STYLE_LIMIT_BYTES,
    byte_size,
    is_clipped,
    is_near_clip,
)


@check("size.html")
def html_bytes(ctx: CheckContext) -> list[Finding]:
    """HTML of 102,400 bytes or more is clipped by Gmail (error); 90,000 or more warns."""
    size = byte_size(ctx.html)
    fix = "set max_per_section in the issue file (each section then links to the rest; " \
          "`newsletter build` says which value fits), or exclude some summaries"
    if is_clipped(size):
        return [error(HTML_PART, f"the HTML is {size:,} bytes; Gmail clips emails from "
                                 f"{GMAIL_CLIP_BYTES:,} bytes on, hiding the rest and the footer",
                      fix)]
    if is_near_clip(size):
        return [warning(HTML_PART, f"the HTML is {size:,} bytes, close to Gmail's clipping limit "
                                   f"of {GMAIL_CLIP_BYTES:,} bytes", fix)]
    return []


def _styles(ctx: CheckContext) -> list[str]:
    return [el.text or "" for el in elements(ctx.document) if el.tag == "style"]


@check("size.style")
def style_bytes(ctx: CheckContext) -> list[Finding]:
    """<style> blocks together over 16 KB are dropped by Gmail (error)."""
    total = sum(len(css.encode("utf-8")) for css in _styles(ctx))
    if total <= STYLE_LIMIT_BYTES:
        return []
    return [error(f"{HTML_PART} <style>", f"the <style> blocks hold {total:,} bytes; Gmail drops "
                  f"styles over {STYLE_LIMIT_BYTES:,} bytes (16 KB), and with them the mobile "
                  "layout", "move rules into the templates' inlined styles (partials/styles.css.j2) "
                  "or remove unused ones")]


_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_STRING = re.compile(r"\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*'")


def nested_at_rules(css: str) -> list[str]:
    """The @-rules that open inside another @-rule's block (e.g. @media inside @supports)."""
    css = _STRING.sub('""', _COMMENT.sub("", css))
    found: list[str] = []
    stack: list[bool] = []  # for each open block: was it opened by an @-rule?
    prelude_start = 0
    for i, char in enumerate(css):
        if char == "{":
            prelude = css[prelude_start:i].strip()
            at_rule = prelude.startswith("@")
            if at_rule and any(stack):
                found.append(prelude.split()[0] if prelude else "@")
            stack.append(at_rule)
            prelude_start = i + 1
        elif char == "}":
            if stack:
                stack.pop()
            prelude_start = i + 1
        elif char == ";":
            statement = css[prelude_start:i].strip()
            if statement.startswith("@") and any(stack):  # @import / @charset inside a block
                found.append(statement.split()[0])
            prelude_start = i + 1
    return found


@check("size.at-rule")
def nested_at_rule(ctx: CheckContext) -> list[Finding]:
    """An @-rule nested inside another @-rule makes Gmail drop the whole <style> (warning)."""
    findings = []
    for number, css in enumerate(_styles(ctx), start=1):
        nested = nested_at_rules(css)
        if nested:
            findings.append(warning(
                f"{HTML_PART} <style> #{number}",
                f"{', '.join(dict.fromkeys(nested))} nested inside another @-rule; Gmail drops "
                "this whole <style> block", "write each @media/@supports block at the top level "
                "of the style sheet, combining their conditions"))
    return findings
