"""The archive listing in two steps, its stats shared with a forked process: the same paths,
stamps, links and unreadable files as the walk in one step, whatever the tree holds, and
nothing left open. (The test processes run other threads, where a listing never forks; here
the fork is allowed, and each test checks that the second process's half was used.)"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from newsletter.summaries import forking, walking
from newsletter.summaries.listing import list_summary_files


@pytest.fixture
def in_two(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Every listing stats its files in two processes; the list says, for each fork, whether
    the child's half was the one used."""
    monkeypatch.setattr(walking, "PARALLEL_MIN", 1)
    monkeypatch.setattr(walking, "may_fork", lambda: True)
    monkeypatch.setattr(forking, "may_fork", lambda: True)
    used: list[bool] = []
    received = forking._received

    def noting(*args):  # type: ignore[no-untyped-def]
        result = received(*args)
        used.append(result is not forking._FAILED)
        return result

    monkeypatch.setattr(forking, "_received", noting)
    return used


def _one_step(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(walking, "FOLDERS_OPEN_MAX", 0)


def _tree(root: Path) -> Path:
    for rel in ("2026/05/a.md", "2026/05/b.md", "2026/05/notes.txt", "2026/06/c.md", "2026.md",
                "2026-recap.md", "top.md", "README.md", "_drafts/d.md", ".git/e.md", "x.md/f.md",
                "deep/er/still/g.md"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("x" * len(rel))
    (root / "2026" / "05" / "link.md").symlink_to(root / "top.md")
    (root / "2026" / "to-folder").symlink_to(root / "2026" / "06")
    (root / "2026" / "broken.md").symlink_to(root / "nowhere.md")
    (root / os.fsdecode(b"caf\xe9.md")).write_text("latin-1 name")  # not UTF-8: a surrogate
    return root


def _listed(root: Path) -> tuple[list[str], list[int], list[str]]:
    links: list[str] = []
    rels, stamps = list_summary_files(root, links)
    return rels, stamps, links


def test_two_processes_list_what_one_step_lists(tmp_path, monkeypatch, in_two):
    root = _tree(tmp_path)
    two = _listed(root)
    assert in_two == [True]
    _one_step(monkeypatch)
    assert _listed(root) == two
    monkeypatch.setattr(os, "supports_dir_fd", set())  # the walk by whole paths agrees too
    assert _listed(root) == two
    rels, stamps, links = two
    assert rels == sorted(rels) and os.fsdecode(b"caf\xe9.md") in rels
    assert "x.md/f.md" in rels and "deep/er/still/g.md" in rels and "README.md" not in rels
    assert links == ["2026/05/link.md", "2026/broken.md", "2026/to-folder"]
    assert stamps[0::3] == [len(r) if r[0] != "c" else 12 for r in rels]


@pytest.mark.parametrize("files", [2, 3, 7, 40])
def test_every_cut_between_the_two_halves_keeps_the_order(tmp_path, in_two, files):
    """Halves cut inside a folder, between folders, after a folder of one file."""
    for i in range(files):
        (tmp_path / f"{i % 3}" / f"s{i:03d}.md").parent.mkdir(exist_ok=True)
        (tmp_path / f"{i % 3}" / f"s{i:03d}.md").write_text("y" * i)
    rels, stamps, _ = _listed(tmp_path)
    assert rels == sorted(f"{i % 3}/s{i:03d}.md" for i in range(files))
    assert stamps[0::3] == [int(r[3:6]) for r in rels]
    assert in_two == [True]


def test_halves_cut_at_the_count_asked(tmp_path):
    runs = [(3, "a/", ["1", "2", "3"]), (4, "b/", ["4"]), (5, "", ["5", "6"])]
    names = [name for _, _, ns in runs for name in ns]
    for count in range(len(names) + 1):
        first, second = walking._halves(runs, count)
        assert [n for _, _, ns in first for n in ns] == names[:count]
        assert [n for _, _, ns in second for n in ns] == names[count:]
        assert all(ns for _, _, ns in first + second)  # no empty run
        assert {(fd, prefix) for fd, prefix, _ in first + second} <= {(r[0], r[1]) for r in runs}


def test_a_file_the_second_process_cannot_stat_comes_back_as_the_same_error(tmp_path,
                                                                            monkeypatch, in_two):
    root = _tree(tmp_path)
    real = os.stat

    def failing(target, *args, **kwargs):  # type: ignore[no-untyped-def]
        if target in ("top.md", "b.md"):  # one in each half
            raise PermissionError(errno.EACCES, "Permission denied")
        if target == "c.md":
            raise FileNotFoundError(errno.ENOENT, "No such file or directory")
        return real(target, *args, **kwargs)

    monkeypatch.setattr(os, "stat", failing)
    monkeypatch.setattr(os, "supports_dir_fd", os.supports_dir_fd | {failing})
    unreadable: list[tuple[str, OSError]] = []
    rels, _ = list_summary_files(root, unreadable=unreadable)
    assert in_two == [True]
    assert [(rel, type(e), e.errno, e.strerror) for rel, e in unreadable] == [
        ("2026/05/b.md", PermissionError, errno.EACCES, "Permission denied"),
        ("top.md", PermissionError, errno.EACCES, "Permission denied")]
    assert "2026/06/c.md" not in rels and "2026/05/a.md" in rels  # removed: left out


def test_what_the_first_step_cannot_read_is_named_with_what_the_second_cannot(
        tmp_path, monkeypatch, in_two):
    root = _tree(tmp_path)
    real_listdir, real_stat = os.listdir, os.stat

    def listdir(target):  # type: ignore[no-untyped-def]
        if isinstance(target, int) and os.readlink(f"/proc/self/fd/{target}").endswith("/06"):
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_listdir(target)

    def stat(target, *args, **kwargs):  # type: ignore[no-untyped-def]
        if target == "2026.md":
            raise PermissionError(errno.EACCES, "Permission denied")
        return real_stat(target, *args, **kwargs)

    monkeypatch.setattr(os, "listdir", listdir)
    monkeypatch.setattr(os, "stat", stat)
    monkeypatch.setattr(os, "supports_fd", os.supports_fd | {listdir})
    monkeypatch.setattr(os, "supports_dir_fd", os.supports_dir_fd | {stat})
    unreadable: list[tuple[str, OSError]] = []
    list_summary_files(root, unreadable=unreadable)
    assert [rel for rel, _ in unreadable] == ["2026.md", "2026/06"]  # in the paths' order


def test_more_folders_than_it_holds_open_are_walked_in_one_step(tmp_path, monkeypatch, in_two):
    root = _tree(tmp_path)
    before = set(os.listdir("/proc/self/fd"))
    expected = _listed(root)
    monkeypatch.setattr(walking, "FOLDERS_OPEN_MAX", 3)
    assert _listed(root) == expected
    assert in_two == [True]  # the first listing only
    assert set(os.listdir("/proc/self/fd")) == before  # every folder closed, both ways


def test_a_child_that_fails_leaves_the_work_to_this_process(tmp_path, monkeypatch, in_two):
    root = _tree(tmp_path)
    expected = _listed(root)
    parent = os.getpid()
    real = walking._encode

    def encode(found):  # type: ignore[no-untyped-def]
        if os.getpid() != parent:
            os._exit(3)
        return real(found)

    monkeypatch.setattr(walking, "_encode", encode)
    assert _listed(root) == expected
    assert in_two == [True, False]


# In a process of its own: the limit of open files is process-wide.
LOW_LIMIT = """
import os, resource, sys
from pathlib import Path
from newsletter.summaries import listing, walking

root, free = Path(sys.argv[1]), int(sys.argv[2])
expected = listing.list_summary_files(root)
resource.setrlimit(resource.RLIMIT_NOFILE, (64, resource.getrlimit(resource.RLIMIT_NOFILE)[1]))
held = []
while True:  # every descriptor taken, then `free` of them given back
    try:
        held.append(os.open(os.devnull, os.O_RDONLY))
    except OSError:
        break
for fd in held[len(held) - free:]:
    os.close(fd)
unreadable = []
found = listing.list_summary_files(root, unreadable=unreadable)
print(walking._folders_open_max(), found == expected, len(found[0]), unreadable)
"""


@pytest.mark.parametrize(("folders", "free"), [(30, 40), (12, 6)],
                         ids=["more-folders-than-a-quarter-of-the-limit", "the-limit-met"])
def test_a_low_limit_of_open_files_is_met_by_walking_in_one_step(tmp_path, folders, free):
    import subprocess
    import sys

    for i in range(folders):
        (tmp_path / f"{i:02d}").mkdir()
        (tmp_path / f"{i:02d}" / "s.md").write_text("x")
    done = subprocess.run([sys.executable, "-c", LOW_LIMIT, str(tmp_path), str(free)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["16", "True", str(folders), "[]"]
