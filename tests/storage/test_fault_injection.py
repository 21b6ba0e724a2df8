"""Fault injection (issue 14, defect 6): a failure (a full disk) and a kill at every write or
rename step of build, export, import and archive leave the previous output intact (or the new
one whole), and the next run leaves no stray file.

Each sweep first counts the steps of one run (helpers.faults), then for each step n: fails step n
(the command must exit 1 with the old output, or 0 with the new one) or kills the process at
step n (a forked child; nothing of the tool's own clean-up runs); then runs the command again
and compares every file with what a clean run writes. Steps inside the cache folder are left to
test_cache_integrity (a cache never fails a command)."""

from __future__ import annotations

import email
import io
import json
import os
import zipfile
from collections.abc import Callable
from email import policy
from pathlib import Path

import pytest
from helpers.faults import KILLED, Faults, in_child
from helpers.hardening import ISSUE, fresh_workspace, run, set_config, set_issue, tree

from newsletter.storage.cache import CACHE_DIR

SUBJECTS = ('"Old subject"', '"New subject"')


def outside_cache(path: str) -> bool:
    return f"{os.sep}{CACHE_DIR}" not in path


# `make fuzz` sweeps every step; `make test` the first, a middle and the last step of each
# kind (mkdir, open, exchange or rename, link, unlink, rmdir, ...): every kind of step, and the
# first and last of the run, without writing each of a dozen similar files.
FULL_SWEEP = os.environ.get("NEWSLETTER_FULL_FAULT_SWEEP", "") not in ("", "0")


def count_steps(root: Path, args: list[str]) -> list[int]:
    """The step numbers to sweep (1-based) for one run of `args`."""
    faults = Faults(root, only=outside_cache)
    with faults.installed():
        assert run(root, *args).clean().exit_code == 0
    kinds = [step.split(" ", 1)[0] for step in faults.steps]
    chosen = list(range(1, len(kinds) + 1))
    if FULL_SWEEP:
        return chosen
    keep = {1, len(kinds)}
    for kind in set(kinds):
        numbers = [n for n in chosen if kinds[n - 1] == kind]
        keep.update((numbers[0], numbers[len(numbers) // 2], numbers[-1]))
    return sorted(keep)


def normalised(files: dict[str, bytes]) -> dict[str, object]:
    """What an output says, minus what differs between two clean runs (an .eml's Date and
    Message-ID); ZIP files compared by their members."""
    out: dict[str, object] = {}
    for rel, data in files.items():
        if rel.endswith(".eml"):  # the headers but Date, Message-ID and the MIME boundary
            message = email.message_from_bytes(data, policy=policy.default)
            heads = [(k, str(v)) for k, v in message.items()
                     if k not in ("Date", "Message-ID", "Content-Type")]
            out[rel] = (heads, [part.get_content() for part in message.iter_parts()])
        elif rel.endswith(".zip"):
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                out[rel] = {name: archive.read(name) for name in archive.namelist()}
        else:
            out[rel] = data
    return out


def sweep(root: Path, args: list[str], folder: Path, change: Callable[[int], None],
          allowed_extra: Callable[[Path], list[str]], hidden: bool = True) -> int:
    """Run `args` with a failure, then with a kill, at every step; returns the steps swept.

    `change(i)` makes run i write something new (so old and new outputs differ); `folder` is the
    output compared (without its hidden files unless `hidden`); `allowed_extra(root)` lists
    what must not be there after the next run (leftovers)."""
    def snapshot() -> dict[str, object]:
        files = tree(folder)
        if not hidden:
            files = {rel: data for rel, data in files.items()
                     if not any(part.startswith(".") for part in rel.split("/"))}
        return normalised(files)

    results: dict[int, dict[str, object]] = {}
    for i in (0, 1):  # the two outputs a run may leave: old (i) and new (1 - i)
        change(i)
        assert run(root, *args).clean().exit_code == 0
        results[i] = snapshot()
    assert results[0] != results[1]
    change(0)
    steps = count_steps(root, args)  # output 1 in place, output 0 written
    assert len(steps) >= 3
    current = 0
    for mode in ("fail", "kill"):
        for n in steps:
            new = 1 - current
            change(new)
            if mode == "fail":
                with Faults(root, fail_at=n, only=outside_cache).installed():
                    outcome = run(root, *args).clean()
                status = outcome.exit_code
                expected = {1: results[current], 0: results[new]}.get(status)
                assert expected is not None, (mode, n, outcome.output)
                if status == 1:
                    assert "No space left on device" in outcome.stderr, (n, outcome.stderr)
                assert snapshot() == expected, (mode, n, status)
            else:
                def killed(n: int = n) -> int:
                    with Faults(root, kill_at=n, only=outside_cache).installed():
                        return run(root, *args).exit_code
                status = in_child(killed)
                assert status == KILLED, (mode, n, status)
                # whole or not at all, even before anything recovers; a multi-file import
                # killed after its commit point is finished by the next command, even a reader
                seen = snapshot()
                if seen not in (results[current], results[new]) and not hidden:
                    assert (folder / ".newsletter-staging").is_dir(), (mode, n)
                    assert run(root, "plan", ISSUE).clean().exit_code == 0
                    seen = snapshot()
                    assert seen == results[new], (mode, n)
                assert seen in (results[current], results[new]), (mode, n)
            # the next run finishes the job and leaves nothing else behind
            assert run(root, *args).clean().exit_code == 0, (mode, n)
            assert snapshot() == results[new], (mode, n)
            assert allowed_extra(root) == [], (mode, n)
            current = new
    return len(steps)


def strays(folder: Path, expected: set[str]) -> Callable[[Path], list[str]]:
    def check(_root: Path) -> list[str]:
        return sorted(set(os.listdir(folder)) - expected)
    return check


@pytest.fixture
def root(tmp_path):
    root = fresh_workspace(tmp_path / "ws")
    set_config(root, unsubscribe_url="https://example.org/u",
               archive_url="https://example.org/archive")
    return root


def subject_changer(root: Path) -> Callable[[int], None]:
    return lambda i: set_issue(root, "subject", SUBJECTS[i])


def test_build_fails_or_dies_at_its_write_steps(root):
    out = root / "output"
    steps = sweep(root, ["build", ISSUE], out / ISSUE, subject_changer(root),
                  strays(out, {ISSUE}))
    assert steps >= 6


def test_archive_fails_or_dies_at_its_write_steps(root):
    out = root / "output"
    sweep(root, ["archive"], out / "archive", subject_changer(root), strays(out, {"archive"}))


def test_export_all_fails_or_dies_at_its_write_steps(root):
    out = root / "output" / "_export"
    sweep(root, ["export", ISSUE, "--service", "all"], out / ISSUE, subject_changer(root),
          strays(out, {ISSUE}))


def test_import_fails_or_dies_at_its_write_steps(root, tmp_path):
    """Three new records and one update; the archive (summaries/) is the output."""
    source = tmp_path / "records.jsonl"
    walking = (root / "summaries/2026/05/walking-programme-fatigue.md").read_text()

    def change(i: int) -> None:
        records = [{"title": f"Import {k} on walking, version {i}", "published": "2026-05-2" + str(k),
                    "url": f"https://example.org/s/import-{k}", "id": f"import-{k}",
                    "body": f"Walking helped (version {i})."} for k in range(3)]
        source.write_text("\n".join(json.dumps(r) for r in records) + "\n")

    def archive_files() -> Path:
        return root / "summaries"

    summaries = root / "summaries"
    (summaries / "2026/05/walking-programme-fatigue.md").write_text(walking)

    def check(_root: Path) -> list[str]:
        found = []
        for dirpath, dirs, files in os.walk(summaries):
            found += [os.path.join(dirpath, n) for n in files + dirs if n.startswith(".")]
        return found

    sweep(root, ["import", str(source), "--update"], archive_files(), change, check,
          hidden=False)
