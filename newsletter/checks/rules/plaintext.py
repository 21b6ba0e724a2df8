"""plaintext: the text part exists, links every summary, and is wrapped for narrow screens."""

from __future__ import annotations

from newsletter.checks.model import TEXT_PART, CheckContext, Finding, check, error, warning
from newsletter.checks.rules.links import text_urls, url_key

MAX_LINE = 78


@check("plaintext.present")
def present(ctx: CheckContext) -> list[Finding]:
    """There is a plain-text part (error): some readers and spam filters rely on it."""
    if ctx.text.strip():
        return []
    return [error(TEXT_PART, "the plain-text part is empty",
                  "keep email.txt.j2 in the templates (a workspace copy must not be empty)")]


@check("plaintext.urls")
def urls(ctx: CheckContext) -> list[Finding]:
    """Every summary's URL is in the plain text (error)."""
    if not ctx.text.strip():
        return []
    shown = {url_key(url) for url in text_urls(ctx.text)}
    seen: set[str] = set()
    findings = []
    for entry in ctx.entries:
        url = entry.summary.url
        if url in seen:
            continue
        seen.add(url)
        if url_key(url) not in shown:
            findings.append(error(f"{TEXT_PART} card of {entry.summary.path}",
                                  f"the summary's link {url} is missing",
                                  "keep \"Read more: {{ card.url }}\" in partials/card.txt.j2"))
    return findings


@check("plaintext.line-length")
def line_length(ctx: CheckContext) -> list[Finding]:
    """Lines are 78 characters or less, except lines holding a URL (warning)."""
    long = [(number, line) for number, line in enumerate(ctx.text.splitlines(), start=1)
            if len(line) > MAX_LINE and "://" not in line and "mailto:" not in line]
    if not long:
        return []
    number, line = long[0]
    more = f" ({len(long)} lines; the first is shown)" if len(long) > 1 else ""
    return [warning(f"{TEXT_PART}:{number}", f"a line of {len(line)} characters, over "
                    f"{MAX_LINE}{more}: {line[:60]}…",
                    "wrap text in email.txt.j2 with the wrap filter ({{ value | wrap }})")]
