"""links: every link works in every client, and every summary link carries its UTM parameters;
with `check --online`, every link and image answers (fetched by newsletter/checks/online.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, urlsplit

from lxml.html import HtmlElement

from newsletter.checks.dom import body, describe, elements, headings_before, tag
from newsletter.checks.model import HTML_PART, TEXT_PART, CheckContext, Finding, check, error, warning
from newsletter.checks.tags import is_merge_tag, is_placeholder

if TYPE_CHECKING:  # fetching (asyncio, ssl) is loaded only by `check --online`
    from newsletter.checks import online as fetching

UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign")
BLOCKED_SCHEMES = ("javascript", "data", "vbscript", "file")
ABSOLUTE = "use an absolute https:// address (or mailto:)"


def _problem(ctx: CheckContext, href: str) -> tuple[str, str, str] | None:
    """(level, message, fix) for a bad href, None for a good one."""
    value = href.strip()
    if value in ("", "#"):
        return "error", "the link goes nowhere (empty or '#' href)", \
            "link to an absolute https:// address, or remove the link"
    if is_placeholder(value):
        # The generic build keeps them for the exports to fill; one left in an export is
        # reported by compliance.placeholders (or .unsubscribe), not once more here.
        return None
    if ctx.service is not None and is_merge_tag(ctx, value):
        return None  # the service fills it when it sends
    parts = urlsplit(value)
    scheme = parts.scheme.lower()
    if scheme in BLOCKED_SCHEMES:
        return "error", f"{scheme}: links are blocked by mail clients (and unsafe)", ABSOLUTE
    if value.startswith("#"):
        return "error", "in-page links (#...) do not work in most mail clients", ABSOLUTE
    if scheme == "mailto":
        return None if parts.path else ("error", "the mailto: link has no address",
                                        "write mailto:name@example.org")
    if scheme in ("http", "https") and parts.netloc and " " not in value:
        if scheme == "http":
            return "warning", "the link uses http, not https", "use the https:// address"
        return None
    if not scheme:
        return "error", "the link is relative; in an email it has nothing to be relative to", \
            ABSOLUTE
    return "error", f"'{scheme}:' is not an http(s) or mailto link", ABSOLUTE


@check("links.href")
def hrefs(ctx: CheckContext) -> list[Finding]:
    """Every href is absolute http(s) or mailto: http warns; javascript:, data:, empty, '#' and
    relative hrefs are errors."""
    findings = []
    headings = headings_before(ctx.document)
    for el in elements(body(ctx.document)):
        if tag(el) not in ("a", "area") or el.get("href") is None:
            continue
        problem = _problem(ctx, el.get("href") or "")
        if problem:
            level, message, fix = problem
            where = f"{HTML_PART} {describe(el, headings.get(el))}"
            findings.append(error(where, message, fix) if level == "error"
                            else warning(where, message, fix))
    return findings


def url_key(url: str) -> tuple[str, str, str, tuple[tuple[str, str], ...]]:
    """A URL without its utm_* parameters, for matching links to summaries."""
    parts = urlsplit(url.strip())
    query = tuple(sorted((k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                         if not k.startswith("utm_")))
    return parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", query


def missing_utm(url: str) -> list[str]:
    params = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    return [k for k in UTM_KEYS if not params.get(k)]


def summary_links(ctx: CheckContext) -> dict[str, list[HtmlElement]]:
    """For each summary url of the plan, the <a> elements that link to it."""
    wanted = {url_key(e.summary.url): e.summary.url for e in ctx.entries}
    found: dict[str, list[HtmlElement]] = {url: [] for url in wanted.values()}
    for el in elements(body(ctx.document)):
        if tag(el) == "a" and el.get("href"):
            url = wanted.get(url_key(el.get("href") or ""))
            if url is not None:
                found[url].append(el)
    return found


def text_urls(text: str) -> list[str]:
    return [word.strip("<>()[].,;\"'") for word in text.split()
            if word.lstrip("<([\"'").startswith(("http://", "https://"))]


@check("links.utm")
def utm(ctx: CheckContext) -> list[Finding]:
    """Every summary is linked from the HTML (error), and each link to a summary in either part
    carries utm_source, utm_medium and utm_campaign (warning)."""
    findings = []
    links = summary_links(ctx)
    paths = {e.summary.url: e.summary.path for e in ctx.entries}
    fix = "keep {{ card.url }} (which carries the [utm] parameters) as the link of the card's title"
    for url, anchors in links.items():
        if not anchors:
            findings.append(error(f"{HTML_PART} card of {paths[url]}",
                                  f"no link to the summary {url}", fix))
            continue
        for el in anchors:
            missing = missing_utm(el.get("href") or "")
            if missing:
                findings.append(warning(f"{HTML_PART} {describe(el)}",
                                        f"the summary link has no {', '.join(missing)}", fix))
    wanted = {url_key(url) for url in links}
    for url in text_urls(ctx.text):
        missing = missing_utm(url)
        if url_key(url) in wanted and missing:
            findings.append(warning(f"{TEXT_PART} {url}",
                                    f"the summary link has no {', '.join(missing)}",
                                    "keep {{ card.url }} in partials/card.txt.j2"))
    return findings


def online_findings(results: dict[str, fetching.Result], places: dict[str, list[str]],
                    ) -> list[Finding]:
    """Errors (4xx/5xx, no answer, TLS, no connection) first, then redirects (warnings)."""
    failed = [r for r in results.values() if (r.problem or "").startswith("cannot connect")]
    if len(results) >= 3 and len(failed) == len(results):
        # every host failed to connect: the machine is offline, not every link broken
        return [error(HTML_PART, f"none of the {len(results)} links and images could be reached "
                                 f"(first: {failed[0].url}: {failed[0].problem})",
                      "check this machine's network connection, or run check without --online")]
    errors, warnings = [], []
    for url, result in results.items():
        seen = places.get(url) or ["?"]
        where = f"{HTML_PART} {seen[0]}" + (f" (and {len(seen) - 1} more)" if len(seen) > 1
                                            else "")
        if result.problem:
            errors.append(error(where, f"{url}: {result.problem}",
                                "check the address; if the site is down, try again later"))
        elif result.status is not None and result.status >= 400:
            after = f" (after redirecting to {result.final_url})" if result.final_url else ""
            errors.append(error(where, f"{url} answers {result.status}{after}",
                                "fix the address or remove the link"))
        elif result.final_url:
            warnings.append(warning(where, f"{url} redirects ({result.first_status}) to "
                                           f"{result.final_url}",
                                    "link to the final address (unless the redirect is meant: "
                                    "a tracking or short link)"))
    return errors + warnings


@check("links.online", online=True)
def online(ctx: CheckContext) -> list[Finding]:
    """Only with `check --online`: every http(s) link and image answers. 4xx/5xx, no answer
    within 10 s and TLS errors are errors; a redirect is a warning naming the final URL."""
    if not ctx.online:  # the runner selects this rule only with --online
        return []
    from newsletter.checks import online as fetching

    places = fetching.urls_of(ctx.document)
    cache = fetching.LinkCache.for_workspace(ctx.root)
    results = fetching.run_sync(fetching.check_urls(places, cache=cache))
    return online_findings(results, places)
