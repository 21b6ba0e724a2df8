"""What a card shows, checked on the rendered email rather than against the golden files (which
`make golden` rewrites): title, date, study type in words, source, teaser, and the title as the
link to the summary (one link per card: no "Read more" line in the HTML)."""

from __future__ import annotations

from helpers import WorkspaceFactory, summary_text

from newsletter.build import build
from newsletter.checks.dom import parse, visible_text

FILES = {
    "2026/05/walking.md": summary_text(
        title="Walking more went with less fatigue", published="2026-05-14", slug="walking",
        body="People with MS who walked more felt less tired.", themes="[living]",
        study_type="observational", source="Example Journal",
        source_url="https://example.org/journal"),
    "2026/05/sleep.md": summary_text(
        title="Better sleep, better mood", published="2026-05-03", slug="sleep",
        body="A small trial of sleep coaching lifted mood.", themes="[living]",
        study_type="clinical-trial"),
}


def test_each_card_shows_its_date_study_type_and_source(make_ws: WorkspaceFactory) -> None:
    result = build(make_ws(summaries=FILES), "2026-05", write=False)
    seen = visible_text(parse(result.html))
    first = seen.index("Walking more went with less fatigue")
    second = seen.index("Better sleep, better mood")
    end = seen.index("About these summaries")
    assert first < second < end  # newest first
    walking, sleep = seen[first:second], seen[second:end]
    assert walking.strip() == "Walking more went with less fatigue 14 May 2026 · Observational " \
        "study · Example Journal People with MS who walked more felt less tired."
    assert sleep.strip() == "Better sleep, better mood 3 May 2026 · Clinical trial A small " \
        "trial of sleep coaching lifted mood."


def test_each_card_title_is_the_link_to_its_summary(make_ws: WorkspaceFactory) -> None:
    result = build(make_ws(summaries=FILES), "2026-05", write=False)
    links = {a.text_content().strip(): a.get("href") for a in parse(result.html).iter("a")}
    campaign = "?utm_source=newsletter&utm_medium=email&utm_campaign=2026-05"
    assert links["Walking more went with less fatigue"] == \
        "https://example.org/s/walking" + campaign
    assert links["Better sleep, better mood"] == "https://example.org/s/sleep" + campaign
    assert "Read more" not in links


def test_each_text_card_shows_its_date(make_ws: WorkspaceFactory) -> None:
    result = build(make_ws(summaries=FILES), "2026-05", write=False)
    assert ("Walking more went with less fatigue\n14 May 2026 · Observational study · "
            "Example Journal\n(https://example.org/journal)\n"
            "People with MS who walked more felt less tired.\nRead more: "
            "https://example.org/s/walking?utm_source=newsletter&utm_medium=email"
            "&utm_campaign=2026-05\n") in result.text
    assert ("Better sleep, better mood\n3 May 2026 · Clinical trial\nA small trial of sleep "
            "coaching lifted mood.\nRead more: https://example.org/s/sleep?") in result.text
