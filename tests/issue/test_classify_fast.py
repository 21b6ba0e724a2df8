"""Keyword counting looks only for the keywords whose stem is in the text, one pattern per
keyword: on any text it must count exactly what one alternation of every keyword of the group
(longest first) counts, as the counting did before."""

from __future__ import annotations

import random
import re

from newsletter.config.schema import DEFAULT_THEMES
from newsletter.issue import classify

EXTRA = ("therapy", "Therapies", "therapy-free", "MRI", "MRIs", "mri", "MS", "ms", "re-MRI",
         "eye scan", "scans", "café", "CAFÉ", "Straße", "strasse", "policy", "policies", "x",
         # letters that case folding equates with ASCII ones (long s, dotless and dotted i,
         # Kelvin sign): lower() does not find these spellings, the patterns do
         "\u017fcans", "therap\u0131es", "\u0130mmune", "\u212aeratitis", "MR\u0130")


def _full_patterns(keywords: tuple[str, ...]) -> list[tuple[re.Pattern[str], tuple[str, ...]]]:
    out = []
    for group, flags in (([k for k in keywords if not classify._is_abbreviation(k)],
                          re.IGNORECASE),
                         ([k for k in keywords if classify._is_abbreviation(k)], 0)):
        if group:
            ordered = tuple(sorted(group, key=len, reverse=True))
            alternatives = "|".join(f"(?P<k{i}>{classify._keyword_regex(k)})"
                                    for i, k in enumerate(ordered))
            out.append((re.compile(rf"(?<![\w-])(?=(?:{alternatives})(?![\w-]))", flags),
                        ordered))
    return out


def _full_pattern_counts(text: str, keywords: tuple[str, ...]) -> dict[str, int]:
    """The reference: one alternation of every keyword, as the counting did before."""
    counts: dict[str, int] = {}
    for pattern, ordered in _full_patterns(keywords):
        for found in pattern.finditer(text):
            keyword = ordered[int(found.lastgroup[1:])]
            counts[keyword] = counts.get(keyword, 0) + 1
    return counts


def test_counts_equal_the_full_pattern_on_random_texts():
    rng = random.Random(12)
    themes = [tuple(dict.fromkeys(t.keywords)) for t in DEFAULT_THEMES]
    themes.append(("café", "Straße", "policy", "eye scan", "scan", "MRI"))
    words = [w for t in themes for k in t for w in re.split(r"(\s+)", k)] + list(EXTRA)
    words += ["-", "(", ")", ",", ".", "'s", "word", "the", "people"]
    for _ in range(1500):
        text = "".join(rng.choice(words) + rng.choice(["", " ", " ", "-", "\n"])
                       for _ in range(rng.randint(1, 30)))
        for keywords in themes:
            classify._keyword_counts.cache_clear()
            assert classify._keyword_counts(text, keywords) == _full_pattern_counts(
                text, keywords), (text, keywords)


def test_a_text_without_any_stem_runs_no_regex(monkeypatch):
    calls = []
    original = classify._keyword_pattern
    monkeypatch.setattr(classify, "_keyword_pattern",
                        lambda keyword: calls.append(keyword) or original(keyword))
    classify._keyword_counts.cache_clear()
    assert classify._keyword_counts("nothing to see", ("therapy", "MRI")) == {}
    assert calls == []
    assert classify._keyword_counts("two therapies", ("therapy", "MRI")) == {"therapy": 1}
    assert calls == ["therapy"]


def test_a_keyword_that_only_case_folding_finds_is_counted():
    """Case-insensitive matching equates more than lower() does: the micro sign (U+00B5) with
    the Greek small mu (U+03BC) the keyword is written with, for one."""
    keywords = ("\u03bc-opioid", "receptor")
    text = "A \u00b5-opioid receptor study"
    classify._keyword_counts.cache_clear()
    assert classify._keyword_counts(text, keywords) == _full_pattern_counts(text, keywords) == {
        "\u03bc-opioid": 1, "receptor": 1}


def test_the_letters_folding_to_ascii_are_all_known():
    """Every character beyond ASCII that a case-insensitive pattern equates with an ASCII letter
    is in FOLDS_TO_ASCII (a text holding one is searched with the patterns alone), and only
    those (each of them sends a text down the slow path)."""
    letter = re.compile("[a-z]", re.IGNORECASE)
    found = {chr(c) for c in range(0x80, 0x110000) if letter.fullmatch(chr(c))}
    assert found == set(classify.FOLDS_TO_ASCII)
    changes_length = {chr(c) for c in range(0x80, 0x110000) if len(chr(c).lower()) != 1}
    assert changes_length <= found


def test_a_long_s_spelling_is_counted_as_the_pattern_counts_it():
    keywords = ("scan", "therapy")
    text = "An MRI \u017fcan and two therapies"
    classify._keyword_counts.cache_clear()
    assert classify._keyword_counts(text, keywords) == _full_pattern_counts(text, keywords) == {
        "scan": 1, "therapy": 1}
