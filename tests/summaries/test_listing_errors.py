"""What the archive listing does with what it cannot read: a folder or a file it cannot read is an
error naming it (its summaries are never left out without a word); a file removed while the
folder is listed is left out. Both walks: folders opened relative to their parent, and whole
paths (where the system cannot do the first). Running as root, permissions cannot make the
errors, so the system calls are made to fail for one name."""

from __future__ import annotations

import errno
import os
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import summary_text
from helpers.hardening import run

from newsletter.errors import ContentError
from newsletter.summaries.listing import list_summary_files

DENIED = PermissionError(errno.EACCES, "Permission denied")
WALKS = pytest.mark.parametrize("by_fd", [True, False], ids=["folders-opened", "whole-paths"])


def _tree(root: Path) -> Path:
    for rel in ("2026/05/a.md", "2026/locked/b.md", "c.md"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(summary_text(slug=Path(rel).stem), encoding="utf-8")
    return root


def _path(target: int | str | os.PathLike[str], folder: int | None = None) -> str:
    """The path a call works on: a folder's descriptor or a name relative to one made a path."""
    if isinstance(target, int):
        return os.readlink(f"/proc/self/fd/{target}")
    return os.path.join(_path(folder), target) if folder is not None else os.fspath(target)


def _fail(monkeypatch: pytest.MonkeyPatch, call: str, when: Callable[[str], bool],
          error: OSError, by_fd: bool) -> None:
    """Make `os.<call>` raise `error` for the paths `when` picks, in the walk asked for."""
    real = getattr(os, call)

    def failing(target, *args, **kwargs):  # type: ignore[no-untyped-def]
        if when(_path(target, kwargs.get("dir_fd"))):
            raise error
        return real(target, *args, **kwargs)

    monkeypatch.setattr(os, call, failing)
    if not by_fd:
        monkeypatch.setattr(os, "supports_dir_fd", set())
    else:  # the stand-in takes descriptors as the real call does
        for name in ("supports_fd", "supports_dir_fd"):
            if real in getattr(os, name):
                monkeypatch.setattr(os, name, getattr(os, name) | {failing})


@WALKS
def test_a_folder_it_cannot_list_is_an_error_naming_it(tmp_path, monkeypatch, by_fd):
    _fail(monkeypatch, "listdir", lambda p: p.endswith("/2026/locked"), DENIED, by_fd)
    with pytest.raises(ContentError) as caught:
        list_summary_files(_tree(tmp_path), shown="summaries")
    assert str(caught.value).splitlines()[0] == \
        "summaries/2026/locked cannot be read (Permission denied)"
    (problem,) = caught.value.problems
    assert (problem.where, problem.message, problem.fix) == (
        "summaries/2026/locked",
        "cannot be read (Permission denied): its summaries would be left out",
        "check its permissions, or move it out of the summaries folder")


def test_a_folder_it_cannot_open_is_an_error_naming_it(tmp_path, monkeypatch):
    _fail(monkeypatch, "open", lambda p: p.endswith("/2026/locked"), DENIED, by_fd=True)
    with pytest.raises(ContentError) as caught:
        list_summary_files(_tree(tmp_path), shown="summaries/")
    assert [p.where for p in caught.value.problems] == ["summaries/2026/locked"]


def test_the_listed_folder_itself_unreadable_is_named_as_shown(tmp_path, monkeypatch):
    root = _tree(tmp_path / "summaries")
    _fail(monkeypatch, "open", lambda p: p == str(root), DENIED, by_fd=True)
    with pytest.raises(ContentError) as caught:
        list_summary_files(root, shown="summaries")
    assert [p.where for p in caught.value.problems] == ["summaries"]


@WALKS
def test_a_file_it_cannot_stat_is_an_error_naming_it(tmp_path, monkeypatch, by_fd):
    _fail(monkeypatch, "stat", lambda p: p.endswith("/2026/05/a.md"), DENIED, by_fd)
    with pytest.raises(ContentError) as caught:
        list_summary_files(_tree(tmp_path))
    assert [p.where for p in caught.value.problems] == [f"{tmp_path}/2026/05/a.md"]


@WALKS
def test_a_file_removed_while_the_folder_is_listed_is_left_out(tmp_path, monkeypatch, by_fd):
    gone = FileNotFoundError(errno.ENOENT, "No such file or directory")
    _fail(monkeypatch, "stat", lambda p: p.endswith("/2026/05/a.md"), gone, by_fd)
    rels, stamps = list_summary_files(_tree(tmp_path))
    assert rels == ["2026/locked/b.md", "c.md"] and len(stamps) == 6


def test_every_unreadable_one_is_named_in_one_run_or_handed_back(tmp_path, monkeypatch):
    _tree(tmp_path)
    (tmp_path / "2026" / "shut").mkdir()
    _fail(monkeypatch, "listdir", lambda p: p.endswith(("/2026/locked", "/2026/shut")), DENIED,
          by_fd=True)
    with pytest.raises(ContentError) as caught:
        list_summary_files(tmp_path, shown="summaries")
    assert str(caught.value).splitlines()[0] == \
        "summaries/2026/locked cannot be read (Permission denied) (and 1 more)"
    assert [p.where for p in caught.value.problems] == ["summaries/2026/locked",
                                                        "summaries/2026/shut"]
    unreadable: list[tuple[str, OSError]] = []
    rels, _ = list_summary_files(tmp_path, unreadable=unreadable)  # the caller reports them
    assert rels == ["2026/05/a.md", "c.md"]
    assert [(rel, error.errno) for rel, error in unreadable] == [
        ("2026/locked", errno.EACCES), ("2026/shut", errno.EACCES)]


def _locked_workspace(make_ws, monkeypatch):  # type: ignore[no-untyped-def]
    ws = make_ws(summaries={"2026/05/a.md": summary_text(slug="a", published="2026-05-04"),
                            "2026/locked/b.md": summary_text(slug="b", published="2026-05-05")})
    _fail(monkeypatch, "listdir", lambda p: p.endswith("/2026/locked"), DENIED, by_fd=True)
    return ws


@pytest.mark.parametrize("command", ["build", "plan", "check"])
def test_the_commands_name_an_unreadable_folder_with_the_other_problems(make_ws, monkeypatch,
                                                                        command):
    ws = _locked_workspace(make_ws, monkeypatch)
    outcome = run(ws.root, command, "2026-05").clean()
    assert outcome.exit_code == 1
    assert "summaries/2026/locked: cannot be read (Permission denied): its summaries would be " \
           "left out" in outcome.output, outcome.output
    assert "--skip-invalid" in outcome.output  # the way past it, as for any summary problem


def test_skip_invalid_leaves_an_unreadable_folder_out_with_a_warning(make_ws, monkeypatch):
    ws = _locked_workspace(make_ws, monkeypatch)
    outcome = run(ws.root, "build", "2026-05", "--skip-invalid").clean()
    assert outcome.exit_code == 0, outcome.output
    assert outcome.stdout.startswith("Built issue 2026-05 (May 2026): 1 summary in 1 section\n")
    assert "summaries/2026/locked" in outcome.stderr, outcome.stderr
    again = run(ws.root, "build", "2026-05", "--skip-invalid").clean()  # never "nothing changed"
    assert "Nothing changed" not in again.stderr and "summaries/2026/locked" in again.stderr
