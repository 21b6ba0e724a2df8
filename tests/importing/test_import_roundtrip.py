"""Import, then build: the email shows the same titles and teasers as the sources."""

from __future__ import annotations

import csv
import html
import json
import re

import pytest
from helpers import WorkspaceFactory
from helpers.importing import FIXTURES, run_import

from newsletter.build import build
from newsletter.render.markdown import cut


def squash(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def visible_html(markup: str) -> str:
    return squash(html.unescape(re.sub(r"<[^>]+>", " ", markup)))


def expected_cards() -> list[tuple[str, str]]:
    """(title, teaser) read straight from the fixture sources, as a person would read them."""
    cards = []
    for item in json.loads((FIXTURES / "summaries.json").read_text()):
        title = item.get("title") or item["headline"]
        teaser = item.get("teaser") or item.get("description") or item.get("excerpt")
        cards.append((title, teaser))
    with open(FIXTURES / "summaries.csv", newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            cards.append((row["title"], row["teaser"] or row["body"].split("\n\n")[0]))
    page = (FIXTURES / "pages" / "2026-05-08-stem-cell-transplant-relapses.txt").read_text()
    lines = page.split("\n")
    cards.append((lines[0], cut(lines[1])))
    cards.append(("Vitamin D levels and relapse risk: a ten-year cohort",
                  "People with low vitamin D levels had slightly more relapses over ten years."))
    cards.append(("Cognitive rehabilitation app: small gains in processing speed",
                  "People who used a training app for eight weeks improved slightly on a "
                  "processing speed test."))
    return cards


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    ws = WorkspaceFactory(tmp_path_factory.mktemp("roundtrip") / "ws")()
    result = run_import(ws, FIXTURES / "summaries.json", FIXTURES / "summaries.csv",
                        FIXTURES / "feed-rss.xml", FIXTURES / "feed-atom.xml",
                        FIXTURES / "pages" / "2026-05-08-stem-cell-transplant-relapses.txt",
                        base_url="https://example.org/summaries")
    assert result.invalid == 0 and result.count("new") == 11
    return result, build(ws, "2026-05", write=False)


def test_titles_and_teasers_reach_the_email(built):
    _, email = built
    text, shown = squash(email.text), visible_html(email.html)
    for title, teaser in expected_cards():
        assert squash(title) in text and squash(title) in shown, title
        assert squash(teaser) in text and squash(teaser) in shown, teaser


def test_every_imported_summary_is_in_the_issue(built):
    result, email = built
    in_email = {sid for s in email.manifest["sections"] for sid in s["summaries"]}
    assert in_email == {i.id for i in result.items}
    assert email.manifest["count"] == 11


def test_links_point_to_the_imported_urls(built):
    result, email = built
    for item in result.items:
        assert item.summary is not None
        assert item.summary.url + "?utm_source=" in email.text
