"""The plan: highlights, theme sections in order, per-section limits, subject and preheader."""

from __future__ import annotations

import pytest
from helpers import many_summaries, summary_text

from newsletter.issue.plan import Plan, join_words, make_plan
from newsletter.issue.select import select
from newsletter.issue.spec import resolve_issue
from newsletter.summaries.library import load_library

MAY_ISSUE = "from = 2026-05-01\nto = 2026-05-31\n"
TOPICS = 'section_url = "https://example.org/topics/{theme}"\n'


def plan_for(make_ws, summaries: dict[str, str], issue: str = "", config: str = "") -> Plan:
    ws = make_ws(config, summaries, {"2026-05.toml": MAY_ISSUE + issue})
    spec, _ = resolve_issue(ws, "2026-05")
    return make_plan(ws.config, select(load_library(ws), spec))


def themed(slug: str, theme: str, day: int) -> str:
    return summary_text(slug=slug, published=f"2026-05-{day:02d}", themes=f"[{theme}]")


THREE = {
    "live.md": themed("live", "living", 5),
    "treat.md": themed("treat", "treatments", 6),
    "prog.md": themed("prog", "progression", 7),
}


def section_ids(plan: Plan) -> list[str]:
    return [s.theme.id for s in plan.sections]


def entry_ids(plan: Plan) -> list[list[str]]:
    return [[e.summary.id for e in s.entries] for s in plan.sections]


# --- sections -------------------------------------------------------------------------------


def test_sections_follow_the_taxonomy_and_empty_ones_are_left_out(make_ws) -> None:
    plan = plan_for(make_ws, THREE)
    assert section_ids(plan) == ["treatments", "progression", "living"]
    assert [s.theme.label for s in plan.sections] == [
        "Treatments & therapies", "Progression", "Living with MS"]
    assert all(s.more == 0 and s.more_url is None for s in plan.sections)


def test_issue_theme_order_comes_first_then_the_rest(make_ws) -> None:
    summaries = {**THREE, "gene.md": themed("gene", "research", 8)}
    plan = plan_for(make_ws, summaries, 'theme_order = ["living", "research"]\n')
    assert section_ids(plan) == ["living", "research", "treatments", "progression"]


def test_custom_taxonomy_order(make_ws) -> None:
    config = ('fallback_theme = "other"\n[[themes]]\nid = "other"\nlabel = "Other"\n'
              '[[themes]]\nid = "walk"\nlabel = "Walking"\nkeywords = ["walking"]\n')
    summaries = {"a.md": summary_text(slug="a", title="Walking study", body="walking"),
                 "b.md": summary_text(slug="b", title="Nothing", body="Plain.")}
    plan = plan_for(make_ws, summaries, config=config)
    assert section_ids(plan) == ["other", "walk"]
    assert entry_ids(plan) == [["b"], ["a"]]


def test_newest_first_inside_a_section(make_ws) -> None:
    summaries = {
        "old.md": themed("old", "living", 2),
        "new.md": themed("new", "living", 25),
        "mid.md": themed("mid", "living", 12),
    }
    assert entry_ids(plan_for(make_ws, summaries)) == [["new", "mid", "old"]]


def test_entries_carry_the_classification(make_ws) -> None:
    summaries = {
        "set.md": themed("set", "living", 3),
        "kw.md": summary_text(slug="kw", title="A new drug", published="2026-05-04",
                              body="A randomised placebo trial."),
        "none.md": summary_text(slug="none", title="Something", published="2026-05-05",
                                body="Nothing here."),
    }
    plan = plan_for(make_ws, summaries)
    entries = {e.summary.id: e for e in plan.entries}
    assert (entries["set"].theme.label, entries["set"].theme.how) == ("living", "front matter")
    assert (entries["kw"].theme.label, entries["kw"].theme.how) == ("treatments", "keywords")
    assert entries["kw"].study_type_label == "Clinical trial"
    assert (entries["none"].theme.label, entries["none"].theme.how) == ("research", "fallback")
    assert entries["none"].study_type_label is None


# --- highlights -----------------------------------------------------------------------------


def test_featured_summaries_are_highlights_and_not_repeated(make_ws) -> None:
    summaries = {**THREE, "live2.md": themed("live2", "living", 9)}
    plan = plan_for(make_ws, summaries, 'featured = ["prog", "live"]\n')
    assert [e.summary.id for e in plan.highlights] == ["prog", "live"]
    assert section_ids(plan) == ["treatments", "living"]
    assert entry_ids(plan) == [["treat"], ["live2"]]
    assert [e.summary.id for e in plan.entries] == ["prog", "live", "treat", "live2"]
    assert plan.count == 4


# --- max_per_section ------------------------------------------------------------------------


def test_max_per_section_keeps_the_newest_and_links_to_the_rest(make_ws) -> None:
    plan = plan_for(make_ws, many_summaries(18), "max_per_section = 2\n", TOPICS)
    assert len(plan.sections) == 6
    for section in plan.sections:
        assert len(section.entries) == 2
        assert section.more == 1
        assert section.more_url == f"https://example.org/topics/{section.theme.id}"
        dates = [e.summary.published for e in section.entries]
        assert dates == sorted(dates, reverse=True)
    treatments = plan.sections[0]
    assert [e.summary.id for e in treatments.entries] == ["s012", "s006"]
    assert plan.count == 12


def test_max_per_section_without_section_url_has_no_link(make_ws) -> None:
    summaries = {f"l{i}.md": themed(f"l{i}", "living", i + 1) for i in range(4)}
    [section] = plan_for(make_ws, summaries, "max_per_section = 3\n").sections
    assert [e.summary.id for e in section.entries] == ["l3", "l2", "l1"]
    assert (section.more, section.more_url) == (1, None)


def test_section_at_the_limit_is_not_cut(make_ws) -> None:
    summaries = {f"l{i}.md": themed(f"l{i}", "living", i + 1) for i in range(3)}
    [section] = plan_for(make_ws, summaries, "max_per_section = 3\n", TOPICS).sections
    assert (len(section.entries), section.more, section.more_url) == (3, 0, None)


# --- subject and preheader ------------------------------------------------------------------


def test_subject_and_preheader_from_the_issue_file(make_ws) -> None:
    plan = plan_for(make_ws, THREE, 'subject = "Our May issue"\npreheader = "Three studies."\n')
    assert (plan.subject, plan.preheader) == ("Our May issue", "Three studies.")


def test_subject_and_preheader_from_the_config_patterns(make_ws) -> None:
    config = 'preheader_pattern = "{count} new research summaries: {themes}."\n'
    plan = plan_for(make_ws, THREE, config=config)
    assert plan.subject == "Test Digest: research news for May 2026"
    assert plan.preheader == ("3 new research summaries: Treatments & therapies, Progression "
                              "and Living with MS.")


def test_pattern_count_and_themes_follow_what_is_shown(make_ws) -> None:
    config = ('subject_pattern = "{issue} {from}/{to} {year}"\n'
              'preheader_pattern = "{count}: {themes}"\n')
    plan = plan_for(make_ws, many_summaries(12), "max_per_section = 1\n"
                    'featured = ["s000"]\ntheme_order = ["living"]\n', config)
    assert plan.subject == "2026-05 2026-05-01/2026-05-31 2026"
    assert plan.preheader == ("7: Living with MS, Treatments & therapies, Progression, "
                              "Diagnosis & monitoring, Related conditions and Research & discovery")


@pytest.mark.parametrize(("count", "text"), [(1, "1 research summary"), (2, "2 research summaries")])
def test_summaries_placeholder_is_singular_or_plural(make_ws, count: int, text: str) -> None:
    summaries = {f"l{i}.md": themed(f"l{i}", "living", i + 1) for i in range(count)}
    plan = plan_for(make_ws, summaries, config='preheader_pattern = "{summaries}."\n')
    assert plan.preheader == text + "."


def test_excluded_summaries_are_kept_on_the_plan(make_ws) -> None:
    plan = plan_for(make_ws, THREE, 'exclude = ["treat"]\n')
    assert [s.id for s in plan.excluded] == ["treat"]
    assert section_ids(plan) == ["progression", "living"]


@pytest.mark.parametrize(("words", "text"), [
    ([], ""), (["A"], "A"), (["A", "B"], "A and B"), (["A", "B", "C"], "A, B and C")])
def test_join_words(words: list[str], text: str) -> None:
    assert join_words(words) == text


def test_every_pattern_value_across_a_new_year(make_ws) -> None:
    config = ('subject_pattern = "{name}|{issue}|{period}|{month}|{year}|{from}|{to}"\n'
              'preheader_pattern = "{count}|{summaries}|{themes}"\n')
    summaries = {"a.md": summary_text(slug="a", published="2025-12-28", themes="[living]"),
                 "b.md": summary_text(slug="b", published="2026-01-03", themes="[research]")}
    ws = make_ws(config, summaries, {"winter.toml": "from = 2025-12-20\nto = 2026-01-10\n"})
    spec, _ = resolve_issue(ws, "winter")
    plan = make_plan(ws.config, select(load_library(ws), spec))
    assert plan.subject == ("Test Digest|winter|20 December 2025 – 10 January 2026|"
                            "20 December 2025 – 10 January 2026|2026|2025-12-20|2026-01-10")
    assert plan.preheader == "2|2 research summaries|Living with MS and Research & discovery"
