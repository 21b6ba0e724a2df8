"""The command line through click's CliRunner: exact output, exit codes, help texts."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import REPO, summary_text

from newsletter import __version__
from newsletter.cli import main


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def run(runner: CliRunner, root: Path | None, *args: str):
    prefix = ["--root", str(root)] if root else []
    return runner.invoke(main, [*prefix, *args], catch_exceptions=False)


def test_every_command_has_help_with_an_example(runner):
    assert main.commands, "no commands registered"
    for name in main.commands:
        result = run(runner, None, name, "--help")
        assert result.exit_code == 0, name
        assert "Example" in result.output, f"`newsletter {name} --help` has no example"


def test_build_prints_paths_and_sizes(runner, make_ws, monkeypatch):
    ws = make_ws(summaries={"a.md": summary_text()})
    monkeypatch.chdir(ws.root)
    result = run(runner, None, "build", "2026-05")
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0] == "Built issue 2026-05 (May 2026): 1 summary in 1 section"
    assert [line.split()[0] for line in lines[1:]] == [
        "output/2026-05/email.html", "output/2026-05/email.txt", "output/2026-05/email.mjml",
        "output/2026-05/manifest.json"]
    assert "of Gmail's 102 KB clipping limit" in lines[1]
    assert "Warnings (2):" in result.stderr  # no issue file; archive_url not set


def test_plan_text_output_is_exact(runner, make_ws):
    ws = make_ws(
        summaries={
            "a.md": summary_text(title="Exercise eased fatigue", slug="a", published="2026-05-02",
                                 body="Exercise helped fatigue and sleep in daily life.",
                                 study_type="clinical-trial"),
            "b.md": summary_text(title="A new drug dose", slug="b", published="2026-05-20",
                                 themes="[treatments]", body="A review of drug doses."),
        },
        issues={"2026-05.toml": 'subject = "S"\npreheader = "P"\nfrom = 2026-05-01\n'
                                'to = 2026-05-31\n'})
    result = run(runner, ws.root, "plan", "2026-05")
    assert result.exit_code == 0, result.output
    assert result.stdout == """\
Issue 2026-05: May 2026 (2026-05-01 to 2026-05-31), 2 summaries in 2 sections
Subject:   S
Preheader: P

Treatments & therapies [treatments] (1)
  2026-05-20  b
      A new drug dose
      why here: set in front matter
      study type: review (score 1 (body x1: review))

Living with MS [living] (1)
  2026-05-02  a
      Exercise eased fatigue
      why here: score 10 (title x3: fatigue, exercise; body x1: fatigue, exercise, sleep, \
daily life)
      study type: clinical-trial
"""


def test_plan_json(runner, sample_ws):
    result = run(runner, sample_ws.root, "plan", "2026-05", "--json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert data["issue"] == "2026-05" and data["count"] == 16
    entry = data["sections"][0]["summaries"][0]
    assert set(entry) >= {"id", "date", "title", "theme", "theme_reason", "study_type"}


def test_content_error_lists_every_problem_without_traceback(runner, make_ws):
    ws = make_ws(summaries={
        "a.md": summary_text(published="13/45/2026"),
        "b.md": summary_text(slug="b", url="javascript:alert(1)"),
    })
    result = runner.invoke(main, ["--root", str(ws.root), "build", "2026-05"])
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        "Error: 2 problems in 2 summary files (fix them, or pass --skip-invalid to leave those "
        "files out)",
        "  - summaries/a.md: published: cannot read '13/45/2026' as a date. Fix: write a date as "
        "YYYY-MM-DD (2026-05-14) or an ISO 8601 datetime with offset (2026-05-14T09:30:00+02:00)",
        "  - summaries/b.md: url: 'javascript:alert(1)' is not an absolute http(s) URL. Fix: use "
        "a full http(s) link such as https://example.org/...",
    ]
    assert "Traceback" not in result.output


def test_skip_invalid_builds_the_rest_and_reports(runner, make_ws):
    ws = make_ws(summaries={"a.md": summary_text(), "b.md": summary_text(slug="b", title="")})
    result = runner.invoke(main, ["--root", str(ws.root), "build", "2026-05", "--skip-invalid"])
    assert result.exit_code == 0, result.output
    assert "summaries/b.md: title: is required" in result.stderr
    manifest = json.loads((ws.output_path / "2026-05" / "manifest.json").read_text())
    assert manifest["count"] == 1
    assert [s["summaries"] for s in manifest["sections"]] == [["a"]]


def test_verbose_shows_the_traceback(runner, make_ws):
    ws = make_ws(summaries={"a.md": summary_text(published="never")})
    result = runner.invoke(main, ["--verbose", "--root", str(ws.root), "build", "2026-05"])
    assert result.exit_code == 1
    assert "Traceback" in result.stderr


def test_usage_errors_exit_2(runner, make_ws):
    ws = make_ws(summaries={"a.md": summary_text()})
    cases = [
        ["build"],
        ["build", "2026-05", "--from", "2026-05-01", "--to", "2026-05-31"],
        ["build", "--from", "2026-05-31", "--to", "2026-05-01"],
        ["build", "--from", "yesterday", "--to", "2026-05-01"],
        ["build", "../../etc"],
        ["no-such-command"],
    ]
    for args in cases:
        result = runner.invoke(main, ["--root", str(ws.root), *args])
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output


def test_config_error_exit_1(runner, make_ws):
    ws = make_ws(summaries={"a.md": summary_text()})
    (ws.root / "newsletter.toml").write_text('nmae = "x"\ntimezone = "Mars/Base"\n')
    result = runner.invoke(main, ["--root", str(ws.root), "plan", "2026-05"])
    assert result.exit_code == 1
    assert "nmae: unknown key. Fix: remove it or rename it (did you mean 'name'?)" in result.stderr
    assert "timezone: 'Mars/Base' is not an IANA time zone" in result.stderr


def test_no_workspace_is_a_clear_error(runner, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["plan", "2026-05"])
    assert result.exit_code == 1
    assert "no newsletter.toml found" in result.stderr and "newsletter init" in result.stderr


def test_empty_range_says_what_the_archive_holds(runner, make_ws):
    ws = make_ws(summaries={"a.md": summary_text(published="2026-04-03"),
                            "b.md": summary_text(slug="b", published="2026-06-09")})
    result = runner.invoke(main, ["--root", str(ws.root), "build", "2026-05"])
    assert result.exit_code == 1
    assert ("no summaries were published between 2026-05-01 and 2026-05-31. The archive holds 2 "
            "summaries, the oldest from 2026-04-03 and the newest from 2026-06-09") in result.stderr


def test_init_then_build_works(runner, tmp_path):
    target = tmp_path / "fresh"
    result = run(runner, None, "init", str(target))
    assert result.exit_code == 0, result.output
    assert (target / "newsletter.toml").is_file()
    assert len(list((target / "summaries").rglob("*.md"))) == 2
    assert (target / "issues" / "2026-05.toml").is_file()
    assert "output/" in (target / ".gitignore").read_text()
    built = run(runner, target, "build", "2026-05")
    assert built.exit_code == 0, built.output
    manifest = json.loads((target / "output" / "2026-05" / "manifest.json").read_text())
    assert manifest["count"] == 2


def test_init_refuses_non_empty_folder_unless_force_and_keeps_files(runner, tmp_path):
    target = tmp_path / "used"
    target.mkdir()
    (target / "newsletter.toml").write_text("# mine\n")
    result = runner.invoke(main, ["init", str(target)])
    assert result.exit_code == 2
    assert "is not empty" in result.stderr
    forced = runner.invoke(main, ["init", str(target), "--force"])
    assert forced.exit_code == 0
    assert (target / "newsletter.toml").read_text() == "# mine\n"
    assert "kept    " in forced.stdout and "created " in forced.stdout


def test_new_writes_issue_file_and_refuses_overwrite(runner, sample_ws):
    result = run(runner, sample_ws.root, "new", "2026-06")
    assert result.exit_code == 0, result.output
    path = sample_ws.issues_path / "2026-06.toml"
    text = path.read_text()
    # the computed texts are comments, not keys: a build computes them from the final plan
    assert '# subject = "MS Research Digest: research news for June 2026"' in text
    assert "# preheader = \"13 research summaries on" in text
    assert "\nsubject =" not in text and "\npreheader =" not in text
    assert "from = 2026-06-01\nto = 2026-06-30\n" in text
    again = run(runner, sample_ws.root, "new", "2026-06")
    assert again.exit_code == 2 and "already exists" in again.stderr
    assert path.read_text() == text
    built = run(runner, sample_ws.root, "build", "2026-06")
    assert built.exit_code == 0, built.output
    manifest = json.loads((sample_ws.output_path / "2026-06" / "manifest.json").read_text())
    assert manifest["subject"] == "MS Research Digest: research news for June 2026"
    assert manifest["count"] == 13 and manifest["issue_file"] == "issues/2026-06.toml"


def test_new_needs_a_range_for_non_month_ids(runner, sample_ws):
    result = runner.invoke(main, ["--root", str(sample_ws.root), "new", "spring"])
    assert result.exit_code == 2 and "give --from and --to" in result.stderr
    ok = run(runner, sample_ws.root, "new", "spring", "--from", "2026-04-20", "--to", "2026-05-10")
    assert ok.exit_code == 0
    assert "from = 2026-04-20\nto = 2026-05-10\n" in (sample_ws.issues_path / "spring.toml").read_text()


def test_new_for_an_empty_month_warns_about_generic_preheader(runner, sample_ws):
    result = run(runner, sample_ws.root, "new", "2027-01")
    assert result.exit_code == 0
    assert "the preheader is generic" in result.stderr
    assert '# preheader = "Research summaries from January 2027."' in (
        sample_ws.issues_path / "2027-01.toml").read_text()


def test_readme_documents_every_config_key_and_command():
    from dataclasses import fields

    from newsletter.config.fields import toml_key
    from newsletter.config.schema import Config

    root = REPO
    # The README, or a topic page of docs/ (each command's own user documentation lives there).
    readme = "\n".join(p.read_text() for p in [root / "README.md", *sorted(root.glob("docs/*.md"))])
    for f in fields(Config):
        key = toml_key(f)  # the name in newsletter.toml (`import` is a Python keyword)
        assert f"`{key}`" in readme or f"`[{key}]`" in readme or f"`[[{key}]]`" in readme, key
    for name in main.commands:
        assert f"newsletter {name}" in readme, name


def test_the_program_exits_with_the_command_s_code_and_runs_exit_handlers(tmp_path):
    """`run` (the installed script, `python -m newsletter`) ends the process as click does, exit
    code and all, and the exit handlers still run (its objects are only frozen out of the
    garbage collector's last passes); a command runs with the collector's higher threshold."""
    import subprocess
    import sys

    program = ("import atexit, gc, sys; atexit.register(lambda: print(gc.get_threshold()[0])); "
               "sys.argv[0] = 'newsletter'; from newsletter.__main__ import run; run()")
    done = subprocess.run([sys.executable, "-c", program, "plan", "2026-05"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert "no newsletter.toml found" in done.stderr and done.stdout == "100000\n"
    done = subprocess.run([sys.executable, "-m", "newsletter", "--version"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert (done.returncode, done.stdout) == (0, f"newsletter, version {__version__}\n")


def test_the_desk_runs_with_python_s_collector_thresholds(runner, sample_ws, monkeypatch):
    import gc

    from newsletter.preview import builder

    seen = []
    monkeypatch.setattr(builder, "serve", lambda *args: seen.append(gc.get_threshold()))
    before = gc.get_threshold()
    try:
        gc.set_threshold(100_000, 10, 10)
        result = runner.invoke(main, ["--root", str(sample_ws), "preview", "2026-05"],
                               obj={"gc_thresholds": (700, 10, 10)}, catch_exceptions=False)
    finally:
        gc.set_threshold(*before)
    assert result.exit_code == 0 and seen == [(700, 10, 10)]
