"""Keyword scoring: themes and study types, on the shared seed pages and on small made-up texts."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from helpers import seed_pages

from newsletter.config.schema import DEFAULT_THEMES, Theme
from newsletter.issue.classify import Decision, Match, classify_theme, infer_study_type, score
from newsletter.summaries.model import Summary

DATE_LINE = re.compile(r"\d{1,2}/\d{1,2}/\d{4}")
FRUIT = (Theme(id="apple", label="Apples", keywords=("apple",)),
         Theme(id="banana", label="Bananas", keywords=("banana",)))


def make(title: str = "", body: str = "", **kw: object) -> Summary:
    return Summary(id="s", path="summaries/s.md", title=title,
                   published=datetime(2026, 5, 1, tzinfo=UTC), url="https://example.org/s",
                   body=body, **kw)


def seed_summary(start: str) -> Summary:
    """The seed page starting with `start`: title = first line, body up to the page's footer."""
    for path in seed_pages():
        lines = path.read_text(encoding="utf-8").splitlines()
        if lines and lines[0].startswith(start):
            body: list[str] = []
            for line in lines[1:]:
                if line.startswith("AI-generated") or DATE_LINE.match(line):
                    break
                body.append(line)
            return make(title=lines[0], body="\n\n".join(body))
    pytest.fail(f"no seed page starts with {start!r}")


DMF = "A multiple sclerosis drug called dimethyl fumarate"
HAM = "Studying HAM/TSP"


# --- the seed pages -------------------------------------------------------------------------


def test_seed_body_stops_before_the_footer() -> None:
    dmf = seed_summary(DMF)
    assert "Read More" not in dmf.body and "12/31/2026" not in dmf.body
    assert dmf.body.endswith("before changing care.")
    ham = seed_summary(HAM)
    assert "AI-generated" not in ham.body
    assert ham.body.endswith("until clinical trials show clear results.")


def test_dmf_seed_is_about_treatments() -> None:
    decision = classify_theme(seed_summary(DMF), DEFAULT_THEMES, "research")
    assert decision.label == "treatments"
    assert decision.how == "keywords"
    assert {m.keyword for m in decision.matches if m.field == "title"} >= {"drug",
                                                                            "dimethyl fumarate"}


def test_ham_seed_is_about_progression() -> None:
    decision = classify_theme(seed_summary(HAM), DEFAULT_THEMES, "research")
    assert decision.label == "progression"
    assert decision.how == "keywords"
    assert {m.keyword for m in decision.matches if m.field == "title"} >= {"progressive",
                                                                            "nerve damage"}


def test_dmf_seed_is_a_lab_study() -> None:
    decision = infer_study_type(seed_summary(DMF))
    assert (decision.label, decision.how) == ("lab", "keywords")
    assert "in the lab" in {m.keyword for m in decision.matches}


def test_ham_seed_is_a_review() -> None:
    decision = infer_study_type(seed_summary(HAM))
    assert (decision.label, decision.how) == ("review", "keywords")
    assert "review" in {m.keyword for m in decision.matches}


# --- themes ---------------------------------------------------------------------------------


def test_front_matter_theme_wins_over_keywords() -> None:
    summary = make(title="A new drug treatment", themes=("living", "treatments"))
    decision = classify_theme(summary, DEFAULT_THEMES, "research")
    assert decision == Decision("living", "front matter")
    assert decision.reason() == "set in front matter"


def test_no_keyword_gives_the_fallback_theme() -> None:
    decision = classify_theme(make(title="Nothing to see", body="Plain words only."), FRUIT, "banana")
    assert (decision.label, decision.how, decision.score) == ("banana", "fallback", 0)
    assert decision.reason() == "no keyword matched; fallback theme"


def test_tie_goes_to_the_theme_listed_first() -> None:
    summary = make(title="apple and banana")
    assert classify_theme(summary, FRUIT, "apple").label == "apple"
    assert classify_theme(summary, FRUIT[::-1], "apple").label == "banana"


def test_title_weighs_more_than_body() -> None:
    summary = make(title="An apple", body="A banana and a banana.")
    decision = classify_theme(summary, FRUIT, "banana")
    assert (decision.label, decision.score) == ("apple", 3)
    assert decision.runner_up == ("banana", 2)


def test_given_teaser_weighs_two() -> None:
    summary = make(body="apple", teaser_given="banana")
    decision = classify_theme(summary, FRUIT, "apple")
    assert (decision.label, decision.score, decision.runner_up) == ("banana", 2, ("apple", 1))


def test_reason_names_the_matched_keywords() -> None:
    summary = make(title="An apple", body="apple, apple, banana")
    decision = classify_theme(summary, FRUIT, "banana")
    assert decision.matches == (Match("apple", "title", 3, 1), Match("apple", "body", 1, 2))
    assert decision.reason() == "score 5 (title x3: apple; body x1: apple×2); next banana 1"


def test_reason_without_runner_up() -> None:
    decision = classify_theme(make(title="apple"), FRUIT, "banana")
    assert decision.reason() == "score 3 (title x3: apple)"


# --- keyword matching -----------------------------------------------------------------------


def test_all_caps_abbreviation_matches_case_sensitively() -> None:
    assert score({"body": "The MRI showed it."}, ["MRI"])[0] == 1
    assert score({"body": "the mri showed it"}, ["MRI"])[0] == 0
    assert score({"body": "primrose and MRIX"}, ["MRI"])[0] == 0


def test_abbreviation_plural_matches() -> None:
    total, matches = score({"body": "Two MRIs were done."}, ["MRI"])
    assert total == 1 and matches == (Match("MRI", "body", 1, 1),)


def test_lower_case_keyword_ignores_case() -> None:
    assert score({"title": "TREATMENT news"}, ["treatment"])[0] == 3


@pytest.mark.parametrize(("text", "keyword"), [
    ("New treatments arrive", "treatment"),
    ("Two diagnoses were made", "diagnose"),
    ("Several B cells", "B cell"),
])
def test_plurals_match(text: str, keyword: str) -> None:
    assert score({"body": text}, [keyword])[0] == 1


def test_y_to_ies_plural_matches() -> None:
    assert score({"body": "New therapies arrive"}, ["therapy"])[0] == 1


def test_keywords_match_whole_words_only() -> None:
    assert score({"body": "cellular and excellent and cell-based"}, ["cell"])[0] == 0
    assert score({"body": "pre-treatment phase"}, ["treatment"])[0] == 0


def test_multi_word_keyword() -> None:
    assert score({"body": "a Clinical Trial of DMF"}, ["clinical trial"])[0] == 1


def test_repeated_keyword_counts_at_most_three_times() -> None:
    total, matches = score({"body": "apple " * 7}, ["apple"])
    assert total == 3
    assert matches == (Match("apple", "body", 1, 3),)
    assert str(matches[0]) == "apple×3"


def test_repeat_cap_applies_per_field() -> None:
    total, _ = score({"title": "apple apple apple apple", "body": "apple apple apple apple"},
                     ["apple"])
    assert total == 3 * 3 + 3 * 1


# --- study types ----------------------------------------------------------------------------


def test_study_type_from_front_matter() -> None:
    decision = infer_study_type(make(title="a randomised trial", study_type="review"))
    assert decision == Decision("review", "front matter")


def test_study_type_from_cues() -> None:
    decision = infer_study_type(make(body="Patients were randomised to drug or placebo."))
    assert (decision.label, decision.score) == ("clinical-trial", 2)


def test_study_type_without_cues_is_unclear() -> None:
    decision = infer_study_type(make(title="Walking", body="People walked."))
    assert (decision.label, decision.how) == (None, "unclear")
    assert decision.reason() == "no cue found"


def test_study_type_tie_is_unclear() -> None:
    decision = infer_study_type(make(body="A cohort of mice."))
    assert (decision.label, decision.how, decision.score) == (None, "unclear", 1)
    assert decision.reason() == "unclear: tie at 1 with lab"


def test_a_keyword_ending_in_a_digit_takes_no_plural() -> None:
    assert score({"body": "a phase 3 trial"}, ["phase 3"])[0] == 1
    assert score({"body": "two phase 3s"}, ["phase 3"])[0] == 0


def test_plural_rules_for_a_final_y() -> None:
    assert score({"body": "therapies and therapy and therapys"}, ["therapy"])[1] == (
        Match("therapy", "body", 1, 2),)
    assert score({"body": "two keys"}, ["key"])[0] == 1  # a vowel before y: keys, not kies
    assert score({"body": "two kies"}, ["key"])[0] == 0
    assert score({"body": "two mys"}, ["my"])[0] == 1  # two letters: my -> mys, not mies
    assert score({"body": "two mies"}, ["my"])[0] == 0
    assert score({"body": "spies and a spy"}, ["spy"])[1] == (Match("spy", "body", 1, 2),)


def test_a_single_capital_letter_is_no_abbreviation() -> None:
    assert score({"body": "a b c"}, ["B"])[0] == 1
    assert score({"body": "MS and ms"}, ["MS"])[0] == 1
    assert score({"body": "Ms"}, ["MS"])[0] == 0


def test_reason_lists_several_keywords_of_one_field() -> None:
    decision = classify_theme(make(title="apple and banana", body="banana"),
                              (Theme(id="fruit", label="Fruit", keywords=("apple", "banana")),),
                              "fruit")
    assert decision.reason() == "score 7 (title x3: apple, banana; body x1: banana)"


def test_the_plural_of_an_abbreviation_keeps_a_small_s() -> None:
    assert score({"body": "Two MRIs and two OCTs."}, ["MRI", "OCT"])[0] == 2
    assert score({"body": "Two MRIS."}, ["MRI"])[0] == 0


def test_study_type_from_cues_says_why_and_what_came_next() -> None:
    decision = infer_study_type(make(body="Patients were randomised to drug or placebo in a "
                                          "cohort."))
    assert decision == Decision("clinical-trial", "keywords", 2, (
        Match("randomised", "body", 1, 1), Match("placebo", "body", 1, 1)), ("observational", 1))
    assert decision.reason() == "score 2 (body x1: randomised, placebo); next observational 1"


def test_study_type_with_no_second_cue_names_no_runner_up() -> None:
    decision = infer_study_type(make(body="Patients were randomised."))
    assert decision == Decision("clinical-trial", "keywords", 1,
                                (Match("randomised", "body", 1, 1),), None)
    assert decision.reason() == "score 1 (body x1: randomised)"


def test_study_type_tie_names_the_other_type() -> None:
    decision = infer_study_type(make(body="A cohort of mice."))
    assert decision == Decision(None, "unclear", 1, (), ("lab", 1))
    assert decision.reason() == "unclear: tie at 1 with lab"


def test_no_theme_to_choose_from_is_the_fallback() -> None:
    assert classify_theme(make(title="Walking"), [], "living") == Decision("living", "fallback")
