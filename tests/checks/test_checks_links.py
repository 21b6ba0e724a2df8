"""links: absolute http(s)/mailto hrefs, and UTM parameters on every summary link."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from helpers import WorkspaceFactory
from helpers.checks import cards_html, cards_text, config, context, levels, page, run, summaries, text

from newsletter.build import prepare
from newsletter.checks.rules.links import missing_utm, text_urls


def link(href: str) -> str:
    return page(f'<h2>Section</h2><p><a href="{href}">Open</a></p>')


@pytest.mark.parametrize(("href", "level"), [
    ("", "error"), ("#", "error"), ("#top", "error"), ("  ", "error"),
    ("javascript:alert(1)", "error"), ("JavaScript:void(0)", "error"),
    ("data:text/html,hi", "error"), ("/relative/path", "error"), ("page.html", "error"),
    ("ftp://example.org/x", "error"), ("mailto:", "error"), ("https://exa mple.org", "error"),
    ("http://example.org/a", "warning"),
])
def test_bad_hrefs(href: str, level: str) -> None:
    findings = run("links.href", context(link(href)))
    assert levels(findings) == [level]
    assert 'under "Section"' in findings[0].where


@pytest.mark.parametrize("href", ["https://example.org/a?b=1#c", "mailto:editor@example.org",
                                  "%%NL_WEB_VERSION_URL%%", "%%NL_UNSUBSCRIBE_URL%%"])
def test_good_hrefs_in_the_generic_build(href: str) -> None:
    assert run("links.href", context(link(href))) == []


def test_merge_tags_are_links_only_in_an_export() -> None:
    assert run("links.href", context(link("*|ARCHIVE|*"), service="mailchimp")) == []
    assert run("links.href", context(link("{{{unsubscribe}}}"), service="sendgrid")) == []
    assert levels(run("links.href", context(link("*|ARCHIVE|*")))) == ["error"]


def test_anchors_without_href_are_not_links() -> None:
    assert run("links.href", context(page('<a name="top">Top</a>'))) == []


@pytest.fixture
def plan_and_cfg(tmp_path: Path):
    files = summaries(walking={"url": "https://example.org/s/walking?lang=en"})
    ws = WorkspaceFactory(tmp_path / "ws")(summaries=files)
    return prepare(ws, None, date(2026, 5, 1), date(2026, 5, 31)).plan, config()


def test_summary_links_with_an_existing_query_keep_matching(plan_and_cfg) -> None:
    plan, cfg = plan_and_cfg
    html, txt = page(cards_html(plan)), text(cards_text(plan))
    assert "lang=en&amp;utm_source" in html
    assert run("links.utm", context(html, txt, cfg, plan)) == []


def test_a_summary_without_a_link_is_an_error(plan_and_cfg) -> None:
    plan, cfg = plan_and_cfg
    html = page(cards_html(plan).replace("/s/sleep", "/elsewhere"))
    findings = run("links.utm", context(html, text(cards_text(plan)), cfg, plan))
    assert [(f.level, f.where) for f in findings] == [
        ("error", "email.html card of summaries/2026/05/sleep.md")]


def test_missing_utm_in_the_text_part_warns(plan_and_cfg) -> None:
    plan, cfg = plan_and_cfg
    ctx = context(page(cards_html(plan)), text(cards_text(plan, utm=False)), cfg, plan)
    findings = run("links.utm", ctx)
    assert len(findings) == 4 and {f.level for f in findings} == {"warning"}
    assert all(f.where.startswith("email.txt https://example.org/s/") for f in findings)


def test_utm_helpers() -> None:
    assert missing_utm("https://x.org/a?utm_source=n&utm_medium=&utm_campaign=c") == ["utm_medium"]
    assert text_urls("Read more: <https://x.org/a>.\n(http://y.org/b) mailto:z@x.org") == [
        "https://x.org/a", "http://y.org/b"]
