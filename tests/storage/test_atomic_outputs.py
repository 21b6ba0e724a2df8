"""Outputs appear whole or not at all (issue 14, defects 6 and 9): leftovers of an interrupted
swap are recovered or cleaned by the next run, concurrent runs on one workspace wait for each
other, `export --service all` replaces every service in one step, and paths never lead a command
out of its folder (symbolic links, a spoofed manifest, `--out /`)."""

from __future__ import annotations

import json
import os
import shutil

import pytest
from helpers.faults import in_child
from helpers.hardening import ISSUE, fresh_workspace, run, set_config, set_issue, tree

from newsletter.storage import output


@pytest.fixture
def root(tmp_path):
    root = fresh_workspace(tmp_path / "ws")
    set_config(root, unsubscribe_url="https://example.org/u")
    return root


# --- leftovers and recovery ---------------------------------------------------------------------


def test_leftovers_of_a_killed_swap_are_cleaned_by_the_next_build(root):
    assert run(root, "build", ISSUE).clean().exit_code == 0
    out = root / "output"
    for name in (".2026-05.new-abc123", ".2026-05.old-def456"):
        (out / name).mkdir()
        (out / name / "email.html").write_text("half")
    assert run(root, "build", ISSUE).clean().exit_code == 0
    assert sorted(os.listdir(out)) == [ISSUE]


def test_a_swap_killed_between_its_two_renames_is_recovered(root, monkeypatch):
    """Where the file system cannot exchange two folders in one step, the swap is two renames;
    a kill between them leaves the old folder aside, and the next run puts it back first."""
    assert run(root, "build", ISSUE).clean().exit_code == 0
    out = root / "output"
    before = tree(out / ISSUE)
    os.rename(out / ISSUE, out / ".2026-05.old-k1ll3d")
    (out / ".2026-05.new-k1ll3d").mkdir()
    monkeypatch.setattr(output, "exchange_paths", lambda _a, _b: False)  # no RENAME_EXCHANGE
    assert run(root, "plan", ISSUE).clean().exit_code == 0  # reading needs no output folder
    set_issue(root, "subject", '"A new subject"')
    assert run(root, "build", ISSUE).clean().exit_code == 0
    assert sorted(os.listdir(out)) == [ISSUE]
    assert tree(out / ISSUE) != before and "A new subject" in (out / ISSUE / "email.html").read_text()


def test_the_old_folder_comes_back_when_the_fallback_swap_fails(root, monkeypatch):
    assert run(root, "build", ISSUE).clean().exit_code == 0
    before = tree(root / "output" / ISSUE)
    monkeypatch.setattr(output, "exchange_paths", lambda _a, _b: False)
    real_rename = os.rename

    def failing_second_rename(src, dst, *args, **kwargs):
        if ".new-" in os.fsdecode(src):
            raise OSError(28, "No space left on device", os.fsdecode(dst))
        return real_rename(src, dst, *args, **kwargs)

    monkeypatch.setattr(os, "rename", failing_second_rename)
    set_issue(root, "subject", '"Never written"')
    outcome = run(root, "build", ISSUE).clean()
    assert outcome.exit_code == 1 and "No space left on device" in outcome.stderr
    assert tree(root / "output" / ISSUE) == before
    assert sorted(os.listdir(root / "output")) == [ISSUE]


# --- one swap for every service ------------------------------------------------------------------


def export_tree(root):
    base = root / "output" / "_export" / ISSUE
    return {rel: data for rel, data in tree(base).items()
            if not rel.endswith(".eml")}  # Date and Message-ID differ from run to run


def test_export_all_is_replaced_in_one_step(root, monkeypatch):
    assert run(root, "export", ISSUE, "--service", "all").clean().exit_code == 0
    before = export_tree(root)
    set_issue(root, "subject", '"Another subject"')
    real_write = output.write_staged_file
    calls = []

    def full_disk_after_three(path, data):
        calls.append(path)
        if len(calls) > 3:
            raise OSError(28, "No space left on device", str(path))
        return real_write(path, data)

    monkeypatch.setattr(output, "write_staged_file", full_disk_after_three)
    outcome = run(root, "export", ISSUE, "--service", "all").clean()
    assert outcome.exit_code == 1 and "No space left on device" in outcome.stderr
    assert export_tree(root) == before  # not eml/ new and the rest old
    assert sorted(os.listdir(root / "output" / "_export")) == [ISSUE]


def test_exporting_one_service_keeps_the_others(root):
    assert run(root, "export", ISSUE, "--service", "all").clean().exit_code == 0
    base = root / "output" / "_export" / ISSUE
    mailchimp = tree(base / "mailchimp")
    set_issue(root, "subject", '"Only ses changes"')
    assert run(root, "export", ISSUE, "--service", "ses").clean().exit_code == 0
    assert tree(base / "mailchimp") == mailchimp
    assert "Only ses changes" in (base / "ses" / "2026-05.template.json").read_text()
    assert sorted(p.name for p in base.iterdir() if p.is_dir()) == sorted(
        ["eml", "mailchimp", "sendgrid", "mailgun", "ses", "brevo", "listmonk",
         "campaign-monitor"])


# --- locks ---------------------------------------------------------------------------------------


def test_concurrent_builds_into_one_folder_wait_for_each_other(root, tmp_path):
    out = tmp_path / "shared-out"
    assert run(root, "build", ISSUE, "--out", str(out)).clean().exit_code == 0
    expected = tree(out)

    def builds():
        # Every rename of the swap takes a while, as on a slow disk: without a lock two builds
        # meet inside each other's swap ("Directory not empty").
        import time

        def slow(real):
            def renamed(*args, **kwargs):
                time.sleep(0.05)
                return real(*args, **kwargs)
            return renamed

        os.replace, os.rename = slow(os.replace), slow(os.rename)
        if hasattr(output, "exchange_paths"):
            output.exchange_paths = slow(output.exchange_paths)
        codes = [run(root, "build", ISSUE, "--out", str(out)).exit_code for _ in range(3)]
        return max(codes)

    pids = []
    for _ in range(4):
        pid = os.fork()
        if pid == 0:  # pragma: no cover - children
            code = 97
            try:
                code = builds()
            finally:
                os._exit(code)
        pids.append(pid)
    statuses = [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in pids]
    assert statuses == [0, 0, 0, 0]
    assert tree(out) == expected
    assert sorted(os.listdir(tmp_path)) == ["shared-out", "ws"]


def test_concurrent_imports_into_one_archive_both_land(root, tmp_path):
    sources = []
    for n in range(2):
        records = [{"title": f"Record {i} on walking", "published": "2026-05-20",
                    "url": f"https://example.org/s/run{n}-{i}", "body": "Walking helped."}
                   for i in range(20)]
        path = tmp_path / f"run{n}.jsonl"
        path.write_text("\n".join(json.dumps(r) for r in records) + "\n")
        sources.append(path)
    statuses = []
    pids = []
    for source in sources:
        pid = os.fork()
        if pid == 0:  # pragma: no cover - children
            code = 97
            try:
                code = run(root, "import", str(source)).exit_code
            finally:
                os._exit(code)
        pids.append(pid)
    statuses = [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in pids]
    assert statuses == [0, 0]
    plan = json.loads(run(root, "plan", ISSUE, "--json").clean().stdout)
    ids = {s["id"] for section in plan["sections"] for s in section["summaries"]}
    assert len(ids) == 42


def test_the_lock_serialises_two_holders(root, tmp_path):
    from newsletter.storage.lock import workspace_lock

    marker = tmp_path / "order"

    def hold(tag):
        with workspace_lock(root):
            with marker.open("a") as handle:
                handle.write(f"{tag}-in\n")
            import time
            time.sleep(0.3)
            with marker.open("a") as handle:
                handle.write(f"{tag}-out\n")
        return 0

    with workspace_lock(root), workspace_lock(root):  # re-entrant in one process
        pass
    pid = os.fork()
    if pid == 0:  # pragma: no cover - child
        os._exit(hold("child"))
    status = in_child(lambda: hold("other"))
    os.waitpid(pid, 0)
    assert status == 0
    lines = marker.read_text().split()
    assert lines[0].split("-")[0] == lines[1].split("-")[0]  # never interleaved
    assert lines[2].split("-")[0] == lines[3].split("-")[0]


# --- paths ---------------------------------------------------------------------------------------


def test_an_out_that_is_a_symbolic_link_stays_one(root, tmp_path):
    real = tmp_path / "real-out"
    link = tmp_path / "link-out"
    assert run(root, "build", ISSUE, "--out", str(real)).clean().exit_code == 0
    link.symlink_to(real, target_is_directory=True)
    set_issue(root, "subject", '"Through the link"')
    assert run(root, "build", ISSUE, "--out", str(link)).clean().exit_code == 0
    assert link.is_symlink()
    assert "Through the link" in (real / "email.html").read_text()
    assert sorted(os.listdir(tmp_path)) == ["link-out", "real-out", "ws"]


@pytest.mark.parametrize("generator", ["newsletter-spoof", "newsletter 0.1.0"])
def test_a_folder_with_a_spoofed_manifest_is_not_emptied(root, tmp_path, generator):
    folder = tmp_path / "theirs"
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({"generator": generator}))
    (folder / "thesis.docx").write_text("years of work")
    outcome = run(root, "build", ISSUE, "--out", str(folder)).clean()
    assert outcome.exit_code == 1 and "not written by `newsletter build`" in outcome.stderr
    assert (folder / "thesis.docx").read_text() == "years of work"
    archive = run(root, "archive", "--out", str(folder)).clean()
    assert archive.exit_code == 1 and "not written by `newsletter archive`" in archive.stderr


def test_export_out_of_the_file_system_root_is_refused(root):
    before = sorted(os.listdir("/"))
    outcome = run(root, "export", ISSUE, "--service", "eml", "--out", "/").clean()
    assert outcome.exit_code == 1 and "not written by `newsletter export`" in outcome.stderr
    assert sorted(os.listdir("/")) == before  # no /eml/, no staging folder


def test_export_into_a_foreign_non_empty_folder_is_refused(root, tmp_path):
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "notes.txt").write_text("keep me")
    outcome = run(root, "export", ISSUE, "--service", "all", "--out", str(folder)).clean()
    assert outcome.exit_code == 1 and "not written by `newsletter export`" in outcome.stderr
    assert sorted(os.listdir(folder)) == ["notes.txt"]


@pytest.mark.parametrize("key, folder", [("summaries_dir", "summaries"),
                                         ("output_dir", "output"), ("issues_dir", "issues")])
def test_a_workspace_folder_linked_out_of_the_workspace_is_refused(root, tmp_path, key, folder):
    outside = tmp_path / "outside"
    if (root / folder).exists():
        shutil.copytree(root / folder, outside)
        shutil.rmtree(root / folder)
    else:
        outside.mkdir()
    (root / folder).symlink_to(outside, target_is_directory=True)
    for command in (["build", ISSUE], ["plan", ISSUE]):
        outcome = run(root, *command).clean()
        assert outcome.exit_code == 1, outcome.output
        assert f"{key}: " in outcome.stderr and "outside the workspace" in outcome.stderr
    assert not (outside / ISSUE).exists()


def test_a_year_folder_linked_out_of_the_workspace_is_neither_read_nor_written(root, tmp_path):
    outside = tmp_path / "outside-2026"
    shutil.copytree(root / "summaries" / "2026", outside)
    shutil.rmtree(root / "summaries" / "2026")
    (root / "summaries" / "2026").symlink_to(outside, target_is_directory=True)
    source = tmp_path / "one.json"
    source.write_text(json.dumps({"title": "Walking study", "published": "2026-05-20",
                                  "url": "https://example.org/s/one", "body": "Walking."}))
    outcome = run(root, "import", str(source)).clean()
    assert outcome.exit_code == 1 and "summaries/2026" in outcome.output
    assert sorted(os.listdir(outside / "05")) == ["blood-marker-relapse-risk.md",
                                                  "walking-programme-fatigue.md"]
    plan = run(root, "plan", ISSUE).clean()
    assert plan.exit_code == 1 and "summaries/2026" in plan.stderr
    assert "symbolic link" in plan.stderr


def test_a_summary_file_linked_out_of_the_workspace_is_not_read(root, tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text("---\ntitle: Secret walking plan\npublished: 2026-05-20\n"
                      "url: https://example.org/s/secret\n---\nWalking secret.\n")
    (root / "summaries" / "2026" / "05" / "linked.md").symlink_to(secret)
    outcome = run(root, "build", ISSUE).clean()
    assert outcome.exit_code == 1
    assert "summaries/2026/05/linked.md" in outcome.stderr and "symbolic link" in outcome.stderr
    outcome = run(root, "build", ISSUE, "--skip-invalid").clean()
    assert outcome.exit_code == 0
    assert "Secret walking plan" not in (root / "output" / ISSUE / "email.html").read_text()
    assert "summaries/2026/05/linked.md" in outcome.stderr
