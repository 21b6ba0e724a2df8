"""`newsletter import` from the command line: the exact output, exit codes and stdin."""

from __future__ import annotations

import json
import shutil

import click
import pytest
from click.testing import CliRunner
from helpers.importing import FIXTURES

from newsletter.cli import content as cli
from newsletter.cli import main


@pytest.fixture
def ws(make_ws, tmp_path, monkeypatch):
    workspace = make_ws()
    monkeypatch.chdir(workspace.root)
    return workspace


def invoke(*args: str, stdin: bytes | None = None):
    return CliRunner().invoke(main, list(args), input=stdin)


def copy_fixture(ws, name):
    shutil.copy(FIXTURES / name, ws.root / name)
    return name


def test_help_has_an_example():
    result = invoke("import", "--help")
    assert result.exit_code == 0
    assert "Example" in result.output
    for option in ("--format", "--published", "--url", "--base-url", "--update", "--dry-run",
                   "--skip-invalid"):
        assert option in result.output


def test_json_import_prints_choices_mappings_and_the_table(ws):
    copy_fixture(ws, "summaries.json")
    result = invoke("import", "summaries.json")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        "Read summaries.json as json (extension .json)\n"
        "Field names mapped: headline -> title (1), date -> published (1), link -> url (1), "
        "description -> teaser (1), summary -> body (1), tags -> themes (1), "
        "published_at -> published (1), excerpt -> teaser (1), content -> body (1), "
        "categories -> themes (1)\n"
        "Categories that are not themes (left for the classifier): Conference highlights (1)\n"
        "Extra front-matter keys kept: author (1)\n"
        "\n"
        "Imported into summaries/:\n"
        "  new             3\n"
        "  unchanged       0\n"
        "  updated         0\n"
        "  conflicts       0\n"
        "  invalid         0\n"
        "\n"
        "New:\n"
        "  summaries/2026/05/cooling-garments-helped-people-with-ms-stay-active-on-hot.md\n"
        "  summaries/2026/05/a-blood-test-for-nerve-damage-may-flag-who-needs-a-closer.md\n"
        "  summaries/2026/05/btk-inhibitor-phase-2-update.md\n"
    )
    assert result.stderr == ("Warnings (1):\n  - summaries.json: record 2: body: HTML converted "
                             "to Markdown.\n")

    again = invoke("import", "summaries.json")
    assert again.exit_code == 0
    assert ("Imported into summaries/:\n  new             0\n  unchanged       3\n"
            "  updated         0\n  conflicts       0\n  invalid         0\n") in again.stdout
    assert "New:" not in again.stdout


def test_dry_run_prints_the_same_table_and_writes_nothing(ws):
    copy_fixture(ws, "summaries.csv")
    result = invoke("import", "summaries.csv", "--dry-run")
    assert result.exit_code == 0
    assert result.stdout == (
        "Read summaries.csv as csv (extension .csv)\n"
        "\n"
        "Dry run, nothing written. Importing into summaries/ would give:\n"
        "  new             3\n"
        "  unchanged       0\n"
        "  updated         0\n"
        "  conflicts       0\n"
        "  invalid         0\n"
        "\n"
        "New:\n"
        "  summaries/2026/05/home-exercise-videos-improved-balance-in-a-12-week-trial.md\n"
        "  summaries/2026/05/stopping-treatment-after-age-60-relapses-stayed-rare-in-a.md\n"
        "  summaries/2026/05/antibodies-against-a-myelin-protein-distinguished-mogad-from.md\n"
    )
    assert not any(ws.summaries_path.rglob("*.md"))


def test_invalid_records_exit_1_and_list_every_problem(ws):
    records = [{"title": "Good", "published": "2026-05-02", "url": "https://example.org/g",
                "body": "x"},
               {"title": "Bad", "published": "13/45/2026", "url": "javascript:alert(1)",
                "body": "x"}]
    (ws.root / "bad.json").write_text(json.dumps(records))
    result = invoke("import", "bad.json")
    assert result.exit_code == 1
    assert ("Nothing written (invalid records). Importing into summaries/ would give:\n"
            "  new             1\n  unchanged       0\n  updated         0\n"
            "  conflicts       0\n  invalid         1\n") in result.stdout
    assert result.stderr == (
        "Error: 1 invalid record: nothing was written (fix them, or pass --skip-invalid to "
        "import the others)\n"
        "  - bad.json: record 2: published: '13/45/2026' is not a real date (read as M/D/YYYY, "
        "month first: month 13 and day 45 are out of range). Fix: write a date as YYYY-MM-DD "
        "(2026-05-14) or an ISO 8601 datetime with offset (2026-05-14T09:30:00+02:00) (or "
        "M/D/YYYY as the website shows dates)\n"
        "  - bad.json: record 2: url: 'javascript:alert(1)' is not an absolute http(s) URL. "
        "Fix: use a full http(s) link such as https://example.org/...\n"
    )
    assert "Traceback" not in result.output
    assert not any(ws.summaries_path.rglob("*.md"))

    skipped = invoke("import", "bad.json", "--skip-invalid")
    assert skipped.exit_code == 0
    assert "Imported into summaries/:\n  new             1\n" in skipped.stdout
    assert "invalid         1\n" in skipped.stdout
    assert "Warnings (2):\n  - bad.json: record 2: published: left out: '13/45/2026'" in \
        skipped.stderr
    assert (ws.summaries_path / "2026/05/good.md").is_file()


def test_conflicts_exit_1_and_update_rewrites(ws):
    line = {"title": "T", "published": "2026-05-02", "url": "https://example.org/t", "body": "x"}
    (ws.root / "a.jsonl").write_text(json.dumps(line) + "\n")
    assert invoke("import", "a.jsonl").exit_code == 0
    (ws.root / "a.jsonl").write_text(json.dumps({**line, "body": "changed"}) + "\n")
    result = invoke("import", "a.jsonl")
    assert result.exit_code == 1
    assert "  conflicts       1\n" in result.stdout
    assert result.stderr == (
        "Error: 1 conflict with the archive (not written; pass --update to replace those "
        "summaries)\n"
        "  - a.jsonl:1: id 't' exists in summaries/2026/05/t.md, which differs in body. Fix: "
        "pass --update to replace it with this record, or give the record another id\n")
    updated = invoke("import", "a.jsonl", "--update")
    assert updated.exit_code == 0
    assert "  updated         1\n" in updated.stdout
    assert "Updated:\n  summaries/2026/05/t.md\n" in updated.stdout


def test_standard_input_needs_format(ws):
    data = json.dumps({"title": "From a pipe", "published": "2026-05-03",
                       "url": "https://example.org/p", "body": "Text."}).encode() + b"\n"
    result = invoke("import", "-", stdin=data)
    assert result.exit_code == 2
    assert "reading standard input (-) needs --format" in result.stderr
    result = invoke("import", "-", "--format", "jsonl", stdin=data)
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("Read <stdin> as jsonl (--format)\n")
    assert (ws.summaries_path / "2026/05/from-a-pipe.md").is_file()


def test_page_options_with_several_sources_are_a_usage_error(ws):
    copy_fixture(ws, "summaries.json")
    copy_fixture(ws, "summaries.csv")
    result = invoke("import", "summaries.json", "summaries.csv", "--published", "2026-05-01")
    assert result.exit_code == 2
    assert "--published apply to a single page source only" in result.stderr


def test_page_with_options(ws):
    shutil.copy(FIXTURES / "pages" / "2026-05-08-stem-cell-transplant-relapses.txt",
                ws.root / "page.txt")
    result = invoke("import", "page.txt", "--published", "2026-05-08",
                    "--url", "https://example.org/s/stem-cell")
    assert result.exit_code == 0, result.output
    assert "Extra front-matter keys kept: related (1)\n" in result.stdout
    assert ("summaries/2026/05/stem-cell-transplant-kept-relapses-away-for-years-in-people.md"
            in result.stdout)


def test_missing_source_and_bad_format(ws):
    assert invoke("import", "nope.json").exit_code == 2
    result = invoke("import", "x", "--format", "xml")
    assert result.exit_code == 2 and "Invalid value for '--format'" in result.stderr


def test_many_records_show_no_progress_bar_off_a_terminal(ws):
    lines = [json.dumps({"title": f"Study {i}", "published": "2026-05-02",
                         "url": f"https://example.org/{i}", "body": "x"}) for i in range(350)]
    (ws.root / "many.jsonl").write_text("\n".join(lines) + "\n")
    result = invoke("import", "many.jsonl")
    assert result.exit_code == 0
    assert "Checking" not in result.output and "Writing" not in result.output
    assert "  new           350\n" in result.stdout
    assert "  ... and 330 more\n" in result.stdout


def test_progress_bar_only_on_a_terminal_and_for_long_imports(monkeypatch):
    monkeypatch.setattr(cli.sys.stdout, "isatty", lambda: True, raising=False)
    assert isinstance(cli._progress("Checking", 301), click._termui_impl.ProgressBar)
    assert not isinstance(cli._progress("Checking", 300), click._termui_impl.ProgressBar)
    monkeypatch.setattr(cli.sys.stdout, "isatty", lambda: False, raising=False)
    assert not isinstance(cli._progress("Checking", 5000), click._termui_impl.ProgressBar)
