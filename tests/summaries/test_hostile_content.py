"""Hostile summary files (issue 14, defects 2, 3 and 10): YAML aliases, calendar edges, huge
numbers, deep nesting and control characters are named problems (exit 1, file and field named),
`--skip-invalid` leaves them out, and the cache changes nothing. Each case starts from a fresh
`newsletter init` workspace and runs with the cache on and off."""

from __future__ import annotations

import time

import pytest
from helpers.hardening import ISSUE, fresh_workspace, run, summary_file

from newsletter.storage.cache import CACHE_DIR

EXTRA = "summaries/2026/05/hostile.md"


@pytest.fixture
def root(tmp_path):
    return fresh_workspace(tmp_path / "ws")


@pytest.fixture(params=["cache", "no-cache"])
def both(request, tmp_path, monkeypatch):
    """For the defects that differed with the cache on and off (`x: &a [*a]` crashed only with
    it; dates broke the index): both ways."""
    if request.param == "no-cache":
        monkeypatch.setenv("NEWSLETTER_NO_CACHE", "1")
    return fresh_workspace(tmp_path / "ws")


def write(root, text: str | bytes) -> None:
    path = root / EXTRA
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")


def assert_named_and_skippable(root, field: str | None, words: str) -> None:
    """Exit 1 naming the file (and field); with --skip-invalid the rest of the issue builds."""
    for _ in range(2):  # the second run reads what the first one cached
        outcome = run(root, "plan", ISSUE).clean()
        assert outcome.exit_code == 1, outcome.output
        where = f"{EXTRA}:" if field is None else f"{EXTRA}"
        assert where in outcome.stderr, outcome.stderr
        if field is not None:
            assert f": {field}: " in outcome.stderr, outcome.stderr
        assert words in outcome.stderr, outcome.stderr
    skipped = run(root, "build", ISSUE, "--skip-invalid").clean()
    assert skipped.exit_code == 0, skipped.output
    assert EXTRA in skipped.stderr
    assert "hostile" not in (root / "output" / ISSUE / "email.html").read_text()


def test_a_self_referencing_alias_is_a_named_problem(both):
    write(both, summary_file(x="&a [*a]"))
    assert_named_and_skippable(both, None, "YAML alias")


def test_an_alias_bomb_is_refused_quickly_and_the_index_stays_small(root):
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]" for i in range(1, 9)]
    text = "\n".join(["---", "title: Bomb", "published: 2026-05-04",
                      "url: https://example.org/s/bomb", *lines, "---", "Body.", ""])
    write(root, text)
    started = time.perf_counter()
    assert_named_and_skippable(root, None, "YAML alias")
    assert time.perf_counter() - started < 20  # was 11.9 s and 1.4 GB for one plan
    index = root / CACHE_DIR / "index.sqlite"
    assert not index.exists() or index.stat().st_size < 1_000_000


@pytest.mark.parametrize("published, timezone", [
    ("9999-12-31T23:59:59-05:00", "UTC"),
    ("9999-12-31T23:59:59-05:00", "Europe/Berlin"),
    ("0001-01-01", "Europe/Berlin"),
    ("0001-01-01T00:00:00+14:00", "UTC"),
    ("9999-12-31", "Pacific/Kiritimati"),
])
def test_dates_at_the_edge_of_the_calendar_are_named_problems(both, published, timezone):
    toml = both / "newsletter.toml"
    toml.write_text(toml.read_text().replace('timezone = "UTC"', f'timezone = "{timezone}"'))
    write(both, summary_file(published=published))
    assert_named_and_skippable(both, "published", "calendar")


@pytest.mark.parametrize("key", ["extra_number", "title", "published", "id"])
def test_a_number_of_thousands_of_digits_is_a_named_problem(root, key):
    fields = {"title": "Big", "published": "2026-05-05", "url": "https://example.org/s/big"}
    fields[key] = "9" * 5000
    lines = ["---", *(f"{k}: {v}" for k, v in fields.items()), "---", "Body.", ""]
    write(root, "\n".join(lines))
    assert_named_and_skippable(root, None, "5,000 digits")


def test_deeply_nested_front_matter_is_a_named_problem(root):
    write(root, summary_file(x="[" * 2000 + "]" * 2000))
    outcome = run(root, "plan", ISSUE).clean()
    assert outcome.exit_code == 1 and EXTRA in outcome.stderr


def test_block_nesting_deeper_than_the_limit_is_a_named_problem(root):
    nested = "\n".join("  " * i + f"k{i}:" for i in range(300)) + " end"
    write(root, summary_file(body="Body.").replace("---\nBody.", nested + "\n---\nBody."))
    assert_named_and_skippable(root, None, "nested")


@pytest.mark.parametrize("title, shown", [
    ("Before\x00after", "U+0000"),
    ('"Escaped \\0 NUL"', "U+0000"),
    ('"Bell \\a here"', "U+0007"),
    ("Escape \x1b[31m red", "U+001B"),
    ("C1 \x9b control", "U+009B"),
])
def test_a_control_character_in_a_title_is_a_named_problem(root, title, shown):
    write(root, summary_file(title=title))
    assert_named_and_skippable(root, None, shown)


def test_a_nul_in_the_body_is_a_named_problem_with_its_line(root):
    write(root, summary_file(body="First line.\nA NUL \x00 here."))
    outcome = run(root, "plan", ISSUE).clean()
    assert outcome.exit_code == 1
    assert f"{EXTRA}:7: " in outcome.stderr and "U+0000" in outcome.stderr


def test_line_and_paragraph_separators_in_the_body_are_read_as_line_breaks(root):
    write(root, summary_file(title="Separators", body="One\u2028two\u2029three. Walking helped."))
    assert run(root, "build", ISSUE).clean().exit_code == 0
    text = (root / "output" / ISSUE / "email.txt").read_text()
    assert "\u2028" not in text and "\u2029" not in text
