"""Reserved names (issue 14, defect 7): import never writes a file the archive reader skips
(README.md), by one rule both use (newsletter.summaries.names)."""

from __future__ import annotations

import json

import pytest
from helpers.hardening import ISSUE, fresh_workspace, run

from newsletter.summaries.names import is_reserved_id, is_summary_file_name


@pytest.fixture
def root(tmp_path):
    return fresh_workspace(tmp_path / "ws")


def source(tmp_path, **record):
    data = {"title": "A walking study", "published": "2026-05-20",
            "url": "https://example.org/s/readme-study", "body": "Walking helped."} | record
    path = tmp_path / "one.json"
    path.write_text(json.dumps(data))
    return path


def plan_ids(root):
    plan = json.loads(run(root, "plan", ISSUE, "--json").clean().stdout)
    return [s["id"] for section in plan["sections"] for s in section["summaries"]]


@pytest.mark.parametrize("given", ["README", "readme", "ReadMe"])
def test_a_record_with_a_reserved_id_is_a_named_invalid_record(root, tmp_path, given):
    outcome = run(root, "import", str(source(tmp_path, id=given))).clean()
    assert outcome.exit_code == 1
    assert f"id: '{given}' is a reserved name" in outcome.stderr
    assert not list((root / "summaries").rglob("*eadme*"))


@pytest.mark.parametrize("title", ["ReadMe", "README!", "Readme"])
def test_a_title_that_slugifies_to_a_reserved_name_gets_another_file(root, tmp_path, title):
    src = source(tmp_path, title=title)
    outcome = run(root, "import", str(src)).clean()
    assert outcome.exit_code == 0, outcome.output
    written = sorted(p.name for p in (root / "summaries" / "2026" / "05").iterdir())
    assert "readme.md" not in [w.lower() for w in written]
    assert "readme-2.md" in written
    assert "readme-2" in plan_ids(root)  # a build sees what import said it wrote
    again = run(root, "import", str(src)).clean()
    assert again.exit_code == 0 and "unchanged" in again.stdout
    assert sorted(p.name for p in (root / "summaries" / "2026" / "05").iterdir()) == written


def test_one_rule_for_the_reader_and_for_import():
    for name in ("README", "readme", "Readme", "_draft", ".hidden"):
        assert is_reserved_id(name)
        assert not is_summary_file_name(name + ".md")
    for name in ("readme-2", "a-study", "2026-05-readme"):
        assert not is_reserved_id(name)
        assert is_summary_file_name(name + ".md")
    assert not is_summary_file_name("notes.txt")
