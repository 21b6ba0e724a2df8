"""Import limits (issue 14, defects 3 and 8): a source larger than `[import] max_source_bytes`,
JSON nested 100,000 deep, a number of 5,001 digits, and YAML aliases in Markdown are named
problems (exit 1, source and record named), never a crash; `--skip-invalid` imports the rest."""

from __future__ import annotations

import json
import sys

import pytest
from helpers.hardening import fresh_workspace, run

GOOD = {"title": "A walking study in MS", "published": "2026-05-20",
        "url": "https://example.org/s/good", "body": "Walking helped."}


@pytest.fixture
def root(tmp_path):
    return fresh_workspace(tmp_path / "ws")


def limit(root, size: int) -> None:
    toml = root / "newsletter.toml"
    toml.write_text(toml.read_text().replace("# max_source_bytes = 100000000",
                                             f"max_source_bytes = {size}"))


def imported(root) -> list[str]:
    return sorted(p.stem for p in (root / "summaries").rglob("*.md"))


STARTER = ["blood-marker-relapse-risk", "walking-programme-fatigue"]


def test_a_source_over_the_limit_is_refused_and_the_others_imported(root, tmp_path):
    limit(root, 2000)
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "good.json").write_text(json.dumps(GOOD))
    big = [GOOD | {"url": f"https://example.org/s/{i}", "title": f"Study {i}"} for i in range(40)]
    (folder / "big.json").write_text(json.dumps(big))
    outcome = run(root, "import", str(folder)).clean()
    assert outcome.exit_code == 1
    assert "big.json" in outcome.stderr and "more than 2,000 bytes" in outcome.stderr
    assert "max_source_bytes" in outcome.stderr
    assert imported(root) == STARTER
    skipped = run(root, "import", str(folder), "--skip-invalid").clean()
    assert skipped.exit_code == 0, skipped.output
    assert imported(root) == sorted([*STARTER, "a-walking-study-in-ms"])


def test_dev_zero_stops_at_the_limit(root):
    limit(root, 1_000_000)
    outcome = run(root, "import", "/dev/zero", "--format", "jsonl").clean()
    assert outcome.exit_code == 1 and "/dev/zero" in outcome.stderr
    assert "more than 1,000,000 bytes" in outcome.stderr


def test_standard_input_stops_at_the_limit(root):
    limit(root, 500)
    data = b"\n".join(json.dumps(GOOD | {"url": f"https://example.org/s/{i}"}).encode()
                      for i in range(20))
    outcome = run(root, "import", "-", "--format", "jsonl", stdin=data).clean()
    assert outcome.exit_code == 1 and "<stdin>" in outcome.stderr
    assert "more than 500 bytes" in outcome.stderr


def test_json_nested_100000_deep_is_a_named_problem(root, tmp_path):
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 100_000 + "]" * 100_000)
    good = tmp_path / "good.json"
    good.write_text(json.dumps(GOOD))
    outcome = run(root, "import", str(deep), str(good)).clean()
    assert outcome.exit_code == 1 and "deep.json" in outcome.stderr
    assert "nested" in outcome.stderr
    skipped = run(root, "import", str(deep), str(good), "--skip-invalid").clean()
    assert skipped.exit_code == 0 and "a-walking-study-in-ms" in imported(root)


def test_a_deeply_nested_record_is_an_invalid_record(root, tmp_path):
    nested: object = "x"
    for _ in range(200):
        nested = [nested]
    lines = [json.dumps(GOOD | {"extra": nested}),
             json.dumps(GOOD | {"url": "https://example.org/s/two", "title": "Second study"})]
    source = tmp_path / "records.jsonl"
    source.write_text("\n".join(lines) + "\n")
    outcome = run(root, "import", str(source)).clean()
    assert outcome.exit_code == 1 and f"{source.name}:1" in outcome.stderr
    assert "extra" in outcome.stderr and "nested" in outcome.stderr
    assert run(root, "import", str(source), "--skip-invalid").clean().exit_code == 0
    assert "second-study" in imported(root)


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_a_number_of_5001_digits_is_an_invalid_record_not_a_stop(root, tmp_path, fmt):
    huge = "9" * 5001
    records = [GOOD | {"url": "https://example.org/s/huge", "title": "Huge"},
               GOOD | {"url": "https://example.org/s/two", "title": "Second study"}]
    texts = [json.dumps(r) for r in records]
    texts[0] = texts[0].replace('"title": "Huge"', f'"title": {huge}')
    source = tmp_path / f"records.{fmt}"
    source.write_text(("[" + ", ".join(texts) + "]") if fmt == "json" else "\n".join(texts))
    outcome = run(root, "import", str(source)).clean()
    assert outcome.exit_code == 1
    assert "title" in outcome.stderr and "5,001 digits" in outcome.stderr
    assert run(root, "import", str(source), "--skip-invalid").clean().exit_code == 0
    assert "second-study" in imported(root)


def test_a_markdown_source_with_yaml_aliases_is_refused(root, tmp_path):
    source = tmp_path / "alias.md"
    source.write_text("---\ntitle: Alias\npublished: 2026-05-03\nurl: https://example.org/s/a\n"
                      "x: &a [*a]\n---\nBody.\n")
    outcome = run(root, "import", str(source)).clean()
    assert outcome.exit_code == 1 and "YAML alias" in outcome.stderr


def test_a_record_with_a_control_character_is_refused(root, tmp_path):
    """A NUL in a title from a CSV export never reaches a summary (or email.txt)."""
    source = tmp_path / "rows.csv"
    source.write_text("title,published,url,body\nBefore\x00after,2026-05-20,"
                      "https://example.org/s/nul,Walking helped.\n")
    outcome = run(root, "import", str(source)).clean()
    assert outcome.exit_code == 1 and "U+0000" in outcome.stderr
    assert imported(root) == STARTER


def test_the_limit_is_checked_in_the_config(root):
    limit(root, 0)
    outcome = run(root, "import", sys.executable).clean()
    assert outcome.exit_code == 1
    assert "import.max_source_bytes: must be a whole number above 0" in outcome.stderr


def test_a_huge_number_in_an_unknown_key_is_named_too(root, tmp_path):
    source = tmp_path / "one.json"
    source.write_text(json.dumps(GOOD).replace('"body"', f'"n": {"9" * 5001}, "body"'))
    outcome = run(root, "import", str(source)).clean()
    assert outcome.exit_code == 1 and "n: is a number of 5,001 digits" in outcome.stderr
