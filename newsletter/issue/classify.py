"""Explainable keyword scoring: which theme a summary belongs to, and what kind of study it is.

One mechanism serves both. Each keyword found in a field scores the field's weight (title 3,
teaser 2, body 1) once per occurrence, up to 3 occurrences, so a word repeated throughout a text
counts more than a passing mention without drowning the rest. The best total wins; ties go to the
label listed first. Every decision keeps the matches that made it, so `plan` can say why.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from newsletter.config.schema import Theme
from newsletter.storage.memo import remembered
from newsletter.summaries.model import Summary

FIELD_WEIGHTS: tuple[tuple[str, int], ...] = (("title", 3), ("teaser", 2), ("body", 1))
MAX_REPEATS = 3

# Cues that say what kind of study a summary reports (used when study_type is not given).
STUDY_TYPE_CUES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("clinical-trial", ("randomised", "randomized", "placebo", "double-blind", "open-label",
                        "phase 1", "phase 2", "phase 3", "phase I", "phase II", "phase III",
                        "trial participants", "enrolled", "assigned to")),
    ("observational", ("cohort", "registry", "observational", "health records",
                       "medical records", "survey", "questionnaire", "followed", "database",
                       "population-based", "case-control")),
    ("lab", ("in the lab", "laboratory", "in mice", "mouse model", "mice", "rats",
             "in a dish", "cell culture", "organoid", "blood cells", "tissue samples",
             "post-mortem", "animal model")),
    ("review", ("review", "meta-analysis", "systematic review", "reviewed", "overview of",
                "summarizes current", "summarises current")),
    ("other", ("commentary", "opinion piece", "expert opinion", "editorial", "viewpoint",
               "consensus statement", "guideline")),
)


@dataclass(frozen=True)
class Match:
    keyword: str
    field: str
    weight: int
    count: int = 1

    @property
    def points(self) -> int:
        return self.weight * self.count

    def __str__(self) -> str:
        return self.keyword if self.count == 1 else f"{self.keyword}×{self.count}"


@dataclass(frozen=True)
class Decision:
    """The label chosen for a summary, and why."""

    label: str | None
    how: str  # "front matter" | "issue file" | "keywords" | "fallback" | "unclear"
    score: int = 0
    matches: tuple[Match, ...] = ()
    runner_up: tuple[str, int] | None = None

    def reason(self) -> str:
        if self.how == "front matter":
            return "set in front matter"
        if self.how == "issue file":
            return "moved here by this issue's [move]"
        if self.how == "fallback":
            return "no keyword matched; fallback theme"
        if self.how == "unclear":
            return "no cue found" if not self.runner_up else (
                f"unclear: tie at {self.score} with {self.runner_up[0]}")
        by_field: dict[str, list[str]] = {}
        for m in self.matches:
            by_field.setdefault(m.field, []).append(str(m))
        parts = [f"{fld} x{w}: " + ", ".join(by_field[fld])
                 for fld, w in FIELD_WEIGHTS if fld in by_field]
        text = f"score {self.score} ({'; '.join(parts)})"
        if self.runner_up:
            text += f"; next {self.runner_up[0]} {self.runner_up[1]}"
        return text


def _keyword_regex(keyword: str) -> str:
    """Whole words, an optional plural ending (therapy -> therapies too)."""
    body = re.escape(keyword)
    suffix = "" if keyword[-1:].isdigit() else r"(?:s|es)?"
    if len(keyword) > 2 and keyword[-1] == "y" and keyword[-2].lower() not in "aeiou":
        body, suffix = re.escape(keyword[:-1]), r"(?:y|ies)"
    return body + suffix


def _is_abbreviation(keyword: str) -> bool:
    return keyword.isupper() and len(keyword) > 1


def _fields(summary: Summary) -> dict[str, str]:
    return {"title": summary.title, "teaser": summary.teaser_given or "", "body": summary.body}


@lru_cache(maxsize=256)
def _needles(keywords: tuple[str, ...]) -> tuple[tuple[str, str, str], ...]:
    """For each keyword: how to look for it without a regex ("exact" for abbreviations, "lower",
    or "regex" when case folding goes beyond lower()) and the text that must occur."""
    out = []
    for keyword in keywords:
        stem = keyword[:-1] if _keyword_regex(keyword).endswith("(?:y|ies)") else keyword
        kind = "exact" if _is_abbreviation(keyword) else "lower" if keyword.isascii() else "regex"
        out.append((keyword, kind, stem if kind == "exact" else stem.lower()))
    return tuple(out)


# The characters other than ASCII that case-insensitive matching equates with an ASCII letter
# (dotted and dotless i, long s, the Kelvin sign): in a text holding one, lower() does not show
# every place a keyword matches (tests/issue/test_classify_fast.py finds them over all of Unicode).
FOLDS_TO_ASCII = "\u0130\u0131\u017f\u212a"


@lru_cache(maxsize=1024)
def _lowered(text: str) -> tuple[str, bool]:
    """The text in lower case (each field is searched for every theme's keywords), and whether
    every place a keyword of ASCII letters matches in `text` (ignoring case) is a place where
    the lower-case text holds the keyword in lower case."""
    lower = text.lower()
    return lower, text.isascii() or (len(lower) == len(text)
                                     and not any(c in text for c in FOLDS_TO_ASCII))


def _present(text: str, keywords: tuple[str, ...]) -> list[tuple[str, str, str]]:
    """The keywords that can match in `text` at all (their stem occurs in it, found without a
    regex), in their order: leaving the others out changes no count, and most texts name only a
    few of a theme's keywords. Each comes with how to find it (see `_needles`)."""
    lower, faithful = _lowered(text)
    if not faithful:
        return [(keyword, "regex", keyword) for keyword in keywords]
    return [(keyword, kind, needle) for keyword, kind, needle in _needles(keywords)
            if kind == "regex" or needle in (text if kind == "exact" else lower)]


@lru_cache(maxsize=1024)
def _keyword_pattern(keyword: str) -> re.Pattern[str]:
    """One keyword, as a zero-width match at each place it starts (compiled once a process)."""
    flags = 0 if _is_abbreviation(keyword) else re.IGNORECASE
    return re.compile(rf"(?<![\w-])(?={_keyword_regex(keyword)}(?![\w-]))", flags)


def _starts(text: str, lower: str, keyword: str, kind: str, needle: str) -> list[int]:
    """Where `keyword` matches in `text`. The stem is found with str.find (in `lower` unless
    the keyword is an abbreviation) and the pattern tried only there: a pattern that starts with
    a look-behind and ignores case would otherwise be tried at every character of the text."""
    pattern = _keyword_pattern(keyword)
    if kind == "regex":
        return [found.start() for found in pattern.finditer(text)]
    haystack = text if kind == "exact" else lower
    starts = []
    at = haystack.find(needle)
    while at != -1:
        if pattern.match(text, at):  # the look-behind sees the text before `at`
            starts.append(at)
        at = haystack.find(needle, at + 1)
    return starts


@lru_cache(maxsize=4096)
@remembered(files=(__file__,))
def _keyword_counts(text: str, keywords: tuple[str, ...]) -> dict[str, int]:
    """How often each keyword occurs in `text` (kept: a preview classifies the same texts on
    every save). Every start position is tried, so keywords that overlap ("eye scan", "scan")
    are each found; in each group (words, abbreviations) a place where several keywords start
    counts once, for the longest."""
    counts: dict[str, int] = {}
    lower = _lowered(text)[0]
    present = _present(text, keywords)
    for abbreviations in (False, True):
        group = [p for p in present if _is_abbreviation(p[0]) == abbreviations]
        taken: set[int] = set()
        for keyword, kind, needle in sorted(group, key=lambda p: len(p[0]), reverse=True):
            for start in _starts(text, lower, keyword, kind, needle):
                if start not in taken:
                    taken.add(start)
                    counts[keyword] = counts.get(keyword, 0) + 1
    return counts


def score(fields: dict[str, str], keywords: Sequence[str]) -> tuple[int, tuple[Match, ...]]:
    matches: list[Match] = []
    for field_name, weight in FIELD_WEIGHTS:
        text = fields.get(field_name, "")
        if not text:
            continue
        counts = _keyword_counts(text, tuple(dict.fromkeys(keywords)))
        for keyword in dict.fromkeys(keywords):
            if counts.get(keyword):
                matches.append(Match(keyword, field_name, weight,
                                     min(counts[keyword], MAX_REPEATS)))
    return sum(m.points for m in matches), tuple(matches)


def best(fields: dict[str, str], labels: Sequence[tuple[str, Sequence[str]]]) -> list[Decision]:
    """Every label scored, best first (ties keep the given order)."""
    scored = []
    for label, keywords in labels:
        total, matches = score(fields, keywords)
        scored.append(Decision(label, "keywords", total, matches))
    return sorted(scored, key=lambda d: -d.score)


def classify_theme(summary: Summary, themes: Sequence[Theme], fallback: str) -> Decision:
    """The summary's section theme: its first front-matter theme, else the best keyword score."""
    if summary.themes:
        return Decision(summary.themes[0], "front matter")
    ranked = best(_fields(summary), [(t.id, t.keywords) for t in themes])
    top = ranked[0] if ranked else None
    if top is None or top.score == 0:
        return Decision(fallback, "fallback")
    runner = ranked[1] if len(ranked) > 1 and ranked[1].score > 0 else None
    return Decision(top.label, "keywords", top.score, top.matches,
                    (runner.label, runner.score) if runner else None)


def infer_study_type(summary: Summary) -> Decision:
    """The study type: given in front matter, else inferred from cues; None when unclear."""
    if summary.study_type:
        return Decision(summary.study_type, "front matter")
    ranked = best(_fields(summary), STUDY_TYPE_CUES)
    top, runner = ranked[0], ranked[1]
    if top.score == 0:
        return Decision(None, "unclear")
    if runner.score == top.score:
        return Decision(None, "unclear", top.score, (), (runner.label or "", runner.score))
    return Decision(top.label, "keywords", top.score, top.matches,
                    (runner.label or "", runner.score) if runner.score else None)
