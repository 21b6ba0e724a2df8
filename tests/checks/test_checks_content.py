"""content: hype words, unclear study types, single-item sections."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from helpers import WorkspaceFactory
from helpers.checks import context, levels, run, summaries

from newsletter.build import prepare
from newsletter.checks.rules.content import hype_found
from newsletter.config.schema import DEFAULT_CLINICAL_TERMS, DEFAULT_HYPE_WORDS

WORDS, TERMS = DEFAULT_HYPE_WORDS, DEFAULT_CLINICAL_TERMS


@pytest.mark.parametrize(("text", "found"), [
    ("A cure for MS?", ["cure"]),
    ("Scientists say they CURED mice", ["CURED"]),
    ("Two breakthroughs in one year", ["breakthroughs"]),
    ("A game changer for fatigue", ["game changer"]),
    ("A game-changer for fatigue", ["game-changer"]),
    ("A secure, procured, miraculous result", []),  # whole words only
    ("Less breakthrough disease activity on the new drug", []),
    ("Breakthrough pain eased", []),
    ("Breakthrough pain eased: a breakthrough", ["breakthrough"]),
])
def test_hype_words_outside_clinical_terms(text: str, found: list[str]) -> None:
    assert hype_found(text, WORDS, TERMS) == found


def plan_of(tmp_path: Path, extra_config: str = "", issue: str | None = None, **overrides):
    factory = WorkspaceFactory(tmp_path / "ws")
    ws = factory(config=extra_config, summaries=summaries(**overrides),
                 issues={"2026-05.toml": issue} if issue else None)
    return ws, prepare(ws, "2026-05" if issue else None,
                       None if issue else date(2026, 5, 1),
                       None if issue else date(2026, 5, 31)).plan


def test_hype_in_a_teaser_is_reported_with_the_file(tmp_path: Path) -> None:
    ws, plan = plan_of(tmp_path, walking={"teaser": "'A miracle walk: fatigue fell.'"})
    findings = run("content.hype", context(cfg=ws.config, plan=plan))
    assert [(f.level, f.where) for f in findings] == [
        ("warning", "summaries/2026/05/walking.md teaser")]
    assert '"miracle"' in findings[0].message


def test_hype_in_the_subject_is_reported_with_the_issue_file(tmp_path: Path) -> None:
    issue = 'subject = "A cure at last?"\nfrom = 2026-05-01\nto = 2026-05-31\n'
    ws, plan = plan_of(tmp_path, issue=issue)
    findings = run("content.hype", context(cfg=ws.config, plan=plan))
    assert [f.where for f in findings] == ["issues/2026-05.toml subject"]


def test_the_word_lists_come_from_the_config(tmp_path: Path) -> None:
    config = '[checks]\nhype_words = ["revolutionary", "cure"]\nclinical_terms = ["cure rate"]\n'
    ws, plan = plan_of(tmp_path, config, walking={"title": "A revolutionary cure"},
                       sleep={"title": "The cure rate of a trial"})
    findings = run("content.hype", context(cfg=ws.config, plan=plan))
    assert [f.message.split(" may")[0] for f in findings] == ['"revolutionary", "cure"']


def test_study_type_inferred_from_the_text_is_enough(tmp_path: Path) -> None:
    body = "In this randomised, placebo-controlled trial, people with MS took part."
    ws, plan = plan_of(tmp_path, walking={"study_type": None, "body": body},
                       sleep={"study_type": None})
    findings = run("content.study-type", context(cfg=ws.config, plan=plan))
    assert [(f.level, f.where) for f in findings] == [("warning", "summaries/2026/05/sleep.md")]
    assert "no cue found" in findings[0].message


def test_single_item_sections_are_info(tmp_path: Path) -> None:
    ws, plan = plan_of(tmp_path, sleep={"themes": "[research]"})
    findings = run("content.single-item", context(cfg=ws.config, plan=plan))
    assert [(f.level, f.where) for f in findings] == [
        ("info", "issue 2026-05 section living"), ("info", "issue 2026-05 section research")]


def test_without_a_plan_content_checks_have_nothing_to_check() -> None:
    for rule in ("content.hype", "content.study-type", "content.single-item"):
        assert levels(run(rule, context())) == []
