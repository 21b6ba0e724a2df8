"""The helpers every stage shares, defined once (newsletter/values.py, workspace.shown_path,
limits.py), and the stages that use them agreeing with each other."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsletter.config.fields import http_url, https_url
from newsletter.exporting.services.base import template_name
from newsletter.importing.readers.base import slugify
from newsletter.limits import GMAIL_CLIP_BYTES, WARN_BYTES, byte_size, is_clipped, is_near_clip
from newsletter.summaries.model import Source
from newsletter.summaries.parse import FileProblems, make_summary
from newsletter.values import is_http_url, is_link, slug, type_name
from newsletter.workspace import shown_path

URLS = [
    ("https://example.org/a", True, True),
    ("http://example.org/a", True, False),
    ("https://example.org/a b", False, False),
    ("https:///no-host", False, False),
    ("ftp://example.org/a", False, False),
    ("example.org/a", False, False),
    ("", False, False),
]


@pytest.mark.parametrize(("url", "http", "https"), URLS)
def test_one_url_rule(url: str, http: bool, https: bool) -> None:
    assert is_http_url(url) is http
    assert is_http_url(url, https_only=True) is https


@pytest.mark.parametrize(("url", "http", "_https"), [u for u in URLS if u[0]])
def test_config_and_summaries_judge_urls_alike(url: str, http: bool, _https: bool) -> None:
    assert (http_url(url) is None) is http
    out = FileProblems("summaries/a.md")
    from zoneinfo import ZoneInfo

    meta = {"title": "T", "published": "2026-05-01", "url": url}
    make_summary(Source(meta, "body"), "summaries/a.md", "a", ZoneInfo("UTC"), ("research",), out)
    assert (not any(p.field == "url" for p in out.problems)) is http


def test_https_rule_in_config_matches() -> None:
    assert https_url("https://example.org/logo.png") is None
    assert "not an absolute https URL" in (https_url("http://example.org/logo.png") or "")


def test_a_link_is_a_url_or_mailto() -> None:
    assert is_link("mailto:editor@example.org") and is_link("https://example.org")
    assert not is_link("javascript:alert(1)") and not is_link("#top")


def test_one_slug_rule_for_ids_names_and_feeds() -> None:
    assert slug("Stem-cell transplant: five-year outcomes") == \
        "stem-cell-transplant-five-year-outcomes"
    assert slug("Ærø Straße café") == "aero-strasse-cafe"
    assert slug("one two three", limit=8) == "one-two"  # cut at a word boundary
    assert slug("***") == ""  # the caller picks the fallback
    assert slug("newsletter-2026.05_a", keep="_.") == "newsletter-2026.05_a"
    assert slugify("Stem-cell transplant: five-year outcomes") == slug(
        "Stem-cell transplant: five-year outcomes")
    assert template_name("2026-05") == "newsletter-2026-05"
    assert template_name("***", keep="") == "newsletter"


def test_one_type_name_in_messages() -> None:
    assert [type_name(v) for v in ([1], {"a": 1}, "x", 3, 2.5, True, None)] == [
        "a list", "an object", "text", "a number", "a number", "true/false", "null"]
    assert type_name({}, "a table") == "a table"


def test_one_path_display_rule(tmp_path: Path) -> None:
    inside = tmp_path / "ws" / "output" / "2026-05" / "email.html"
    assert shown_path(inside, tmp_path / "ws") == "output/2026-05/email.html"
    outside = tmp_path / "elsewhere" / "x.html"
    assert shown_path(outside, tmp_path / "ws") == str(outside)


def test_one_clip_rule() -> None:
    assert (GMAIL_CLIP_BYTES, WARN_BYTES) == (102_400, 90_000)
    assert not is_clipped(102_399) and is_clipped(102_400)
    assert not is_near_clip(89_999) and is_near_clip(90_000)
    assert byte_size("é") == 2  # bytes, not characters
