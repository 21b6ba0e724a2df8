"""storage.output: a folder is replaced in one rename, so a failure at any step leaves the last
good output whole. Failures are injected while the new files are written and at the swap itself.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from helpers import summary_text

from newsletter.build import BUILD_OUTPUT, build
from newsletter.errors import OutputError
from newsletter.storage import output
from newsletter.storage.output import atomic_write, replace_dir, write_new, write_output

PREVIOUS = {"email.html": b"<html>previous issue</html>", "email.txt": b"previous text\n",
            "manifest.json": b'{"generator": "newsletter 0.1.0"}\n'}


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def previous(tmp_path: Path) -> Path:
    target = tmp_path / "out" / "2026-05"
    target.mkdir(parents=True)
    for name, data in PREVIOUS.items():
        (target / name).write_bytes(data)
    return target


def test_a_write_that_fails_halfway_leaves_the_previous_folder_whole(previous: Path) -> None:
    # "email.html/part" cannot be created once email.html is a file: the second write fails,
    # however the files are written. The old folder must not have been touched by then.
    files = {"email.html": b"<html>new issue</html>", "email.html/part": b"boom"}
    with pytest.raises(OSError):
        replace_dir(previous, files)
    assert snapshot(previous) == PREVIOUS
    assert sorted(p.name for p in previous.parent.iterdir()) == ["2026-05"]  # no staging left


def test_a_failed_swap_puts_the_previous_folder_back(previous: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    real_rename = os.rename

    staged: list[Path] = []
    moves: list[tuple[Path, Path]] = []

    def no_exchange(a: Path, b: Path) -> bool:  # the file system cannot exchange in one step...
        return False

    def failing_rename(src: str | Path, dst: str | Path) -> None:  # ...and the second rename fails
        if Path(src).name.startswith(".2026-05.new-"):  # the new folder moving into place
            staged.append(Path(src))
            raise OSError(28, "No space left on device")
        moves.append((Path(src), Path(dst)))
        real_rename(src, dst)

    monkeypatch.setattr(output, "exchange_paths", no_exchange)
    monkeypatch.setattr(output.os, "rename", failing_rename)
    with pytest.raises(OSError):
        replace_dir(previous, {"email.html": b"<html>new issue</html>"})
    # staged beside the target, and the old folder set aside beside it too, so each step is a
    # rename within one file system; then the old folder is put back
    assert [p.parent for p in staged] == [previous.parent]
    [(src, aside), (back, dst)] = moves
    assert (src, dst, aside.parent, back) == (previous, previous, previous.parent, aside)
    assert aside.name.startswith(".2026-05.old-")
    assert snapshot(previous) == PREVIOUS
    assert sorted(p.name for p in previous.parent.iterdir()) == ["2026-05"]


def test_a_build_whose_swap_fails_keeps_the_last_good_output(make_ws,
                                                             monkeypatch: pytest.MonkeyPatch):
    ws = make_ws(summaries={"a.md": summary_text(title="The first good build")})
    build(ws, "2026-05")
    out = ws.output_path / "2026-05"
    before = snapshot(out)
    assert set(before) == {"email.html", "email.txt", "email.mjml", "manifest.json"}
    (ws.summaries_path / "a.md").write_text(summary_text(title="A second build that fails"))
    def failing_exchange(a: Path, b: Path) -> bool:
        if Path(b) == out and ".new-" in Path(a).name:
            raise OSError(5, "Input/output error")
        return False

    monkeypatch.setattr(output, "exchange_paths", failing_exchange)
    with pytest.raises(OutputError) as exc:
        build(ws, "2026-05")
    assert str(exc.value) == f"cannot write {out}: Input/output error"
    assert snapshot(out) == before
    assert "The first good build" in (out / "email.html").read_text()
    assert sorted(p.name for p in out.parent.iterdir()) == ["2026-05"]


def test_replace_dir_writes_nested_files_and_replaces_the_old_ones(previous: Path) -> None:
    replace_dir(previous, {"email.html": b"new", "images/2026/a.png": b"\x89PNG"})
    assert snapshot(previous) == {"email.html": b"new", "images/2026/a.png": b"\x89PNG"}
    assert sorted(p.name for p in previous.parent.iterdir()) == ["2026-05"]


def test_files_in_a_folder_and_in_its_parent_after_it(previous: Path) -> None:
    """A deeper folder first, then a file beside it: its folder exists by then."""
    files = {"site/2026/05/index.html": b"issue", "site/2026/index.html": b"year",
             "site/index.html": b"home"}
    replace_dir(previous, files)
    assert snapshot(previous) == files


def test_a_folder_is_named_as_given_when_only_a_parent_is_a_link(tmp_path: Path) -> None:
    """Only a link at the folder itself is followed: through a linked parent, the folder the
    build reports is the path the user gave."""
    (tmp_path / "real").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "real")
    given = tmp_path / "link" / "out"
    assert write_output(given, {"email.html": b"x"}, BUILD_OUTPUT) == given
    assert (tmp_path / "real" / "out" / "email.html").read_bytes() == b"x"


def test_the_newest_old_folder_is_put_back(tmp_path: Path) -> None:
    """Two interrupted swaps of the fallback left two old folders and no target: the newest
    comes back (whatever their random names), the other is removed."""
    target = tmp_path / "2026-05"
    newer, older = tmp_path / ".2026-05.old-aaaaaaaa", tmp_path / ".2026-05.old-ffffffff"
    for folder, text, when in ((older, b"older", 1_000_000_000), (newer, b"newer", 2_000_000_000)):
        folder.mkdir()
        (folder / "email.html").write_bytes(text)
        os.utime(folder, ns=(when * 10**9, when * 10**9))
    output.recover_dir(target)
    assert snapshot(target) == {"email.html": b"newer"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2026-05"]


def _failing_for(marker: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """Removing anything under a path holding `marker` fails, as on a read-only mount."""
    for name in ("unlink", "rmdir"):
        real = getattr(os, name)

        def refuse(path: Any, *args: Any, _real: Any = real, **kwargs: Any) -> Any:
            if marker in os.fsdecode(path):
                raise PermissionError(13, "Permission denied", os.fsdecode(path))
            return _real(path, *args, **kwargs)

        monkeypatch.setattr(os, name, refuse)


def test_a_leftover_that_cannot_be_removed_does_not_fail_the_next_write(
        previous: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    leftover = previous.parent / ".2026-05.new-k1ll3d"
    leftover.mkdir()
    (leftover / "email.html").write_bytes(b"half")
    _failing_for(".new-k1ll3d", monkeypatch)
    replace_dir(previous, {"email.html": b"new"})  # clean-up only: it stays, the write goes on
    assert snapshot(previous) == {"email.html": b"new"}


def test_a_failed_write_whose_clean_up_fails_too_reports_the_write(
        previous: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _failing_for(".2026-05.new-", monkeypatch)
    with pytest.raises(OSError) as exc:  # email.html/part cannot exist: email.html is a file
        replace_dir(previous, {"email.html": b"new", "email.html/part": b"boom"})
    assert not isinstance(exc.value, PermissionError)  # the write's error, not the clean-up's
    assert snapshot(previous) == PREVIOUS


def test_a_new_folder_gets_ordinary_permissions(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        replace_dir(tmp_path / "fresh", {"a.txt": b"a"})
    finally:
        os.umask(old)
    assert (tmp_path / "fresh").stat().st_mode & 0o777 == 0o755


def test_write_output_refuses_a_file_and_a_foreign_folder(tmp_path: Path) -> None:
    a_file = tmp_path / "file"
    a_file.write_text("mine")
    with pytest.raises(OutputError) as exc:
        write_output(a_file, {"email.html": b"x"}, BUILD_OUTPUT)
    assert str(exc.value) == f"{a_file} exists and is not a folder; choose another --out"
    foreign = tmp_path / "foreign"
    foreign.mkdir()
    (foreign / "manifest.json").write_text('{"generator": "someone else"}')
    with pytest.raises(OutputError) as exc:
        write_output(foreign, {"email.html": b"x"}, BUILD_OUTPUT)
    assert str(exc.value) == (
        f"{foreign} is not empty and was not written by `newsletter build` (it has no "
        "manifest.json of ours, or holds other files); choose another --out or empty the "
        "folder first")
    assert (foreign / "manifest.json").read_text() == '{"generator": "someone else"}'
    empty = tmp_path / "empty"
    empty.mkdir()
    write_output(empty, {"email.html": b"x"}, BUILD_OUTPUT)  # an empty folder is taken
    assert snapshot(empty) == {"email.html": b"x"}


def test_write_output_reports_an_os_error_as_an_output_error(previous: Path) -> None:
    with pytest.raises(OutputError) as exc:
        write_output(previous, {"email.html": b"x", "email.html/part": b"y"}, BUILD_OUTPUT)
    assert str(exc.value).startswith(f"cannot write {previous}: ")
    assert snapshot(previous) == PREVIOUS


def test_atomic_write_and_write_new(tmp_path: Path) -> None:
    path = tmp_path / "a" / "notes.txt"
    atomic_write(path, "first")
    atomic_write(path, b"second")
    assert path.read_bytes() == b"second"
    write_new(tmp_path / "new.txt", "only once")
    with pytest.raises(FileExistsError):
        write_new(tmp_path / "new.txt", "again")
    assert (tmp_path / "new.txt").read_text() == "only once"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a", "new.txt"]
    assert [p.name for p in path.parent.iterdir()] == ["notes.txt"]


def test_write_new_without_hard_links_creates_exclusively(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    def no_links(src: str | Path, dst: str | Path) -> None:
        raise PermissionError(1, "Operation not permitted")  # e.g. a FAT or network drive

    monkeypatch.setattr(output.os, "link", no_links)
    write_new(tmp_path / "a.txt", "first")
    assert (tmp_path / "a.txt").read_text() == "first"
    with pytest.raises(FileExistsError):
        write_new(tmp_path / "a.txt", "second")
    assert (tmp_path / "a.txt").read_text() == "first"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]  # no temporary file left


def test_a_failed_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    with pytest.raises(TypeError):
        atomic_write(tmp_path / "a.txt", 5)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []
    (tmp_path / "folder").mkdir()
    with pytest.raises(OSError):
        atomic_write(tmp_path / "folder", "a file cannot replace a folder")
    assert [p.name for p in tmp_path.iterdir()] == ["folder"]
    assert list((tmp_path / "folder").iterdir()) == []


def test_atomic_write_encodes_text_as_utf8(tmp_path: Path) -> None:
    atomic_write(tmp_path / "a.txt", "café – α")
    assert (tmp_path / "a.txt").read_bytes() == "café – α".encode()
    write_new(tmp_path / "b.txt", "naïve")
    assert (tmp_path / "b.txt").read_bytes() == "naïve".encode()


@pytest.mark.parametrize(("manifest", "ours"), [
    ('{"generator": "newsletter 0.1.0"}', True),
    ('{"generator": "newsletter"}', False),  # a version is part of our generator line
    ('{"generator": "newsletter-spoof"}', False),
    ('{"generator": "Newsletter 0.1.0"}', False),
    ('{"generator": 3}', False),
    ("{}", False),
    ('["generator", "newsletter"]', False),
    ("not json", False),
    ('{"generator": "newsletter 0.1.0", "name": "caf\u00e9"}', True),
])
def test_only_a_folder_with_our_manifest_is_replaced(tmp_path: Path, manifest: str,
                                                     ours: bool) -> None:
    target = tmp_path / "out"
    target.mkdir()
    (target / "manifest.json").write_text(manifest, encoding="utf-8")
    if ours:
        write_output(target, {"email.html": b"new"}, BUILD_OUTPUT)
        assert snapshot(target) == {"email.html": b"new"}
    else:
        with pytest.raises(OutputError):
            write_output(target, {"email.html": b"new"}, BUILD_OUTPUT)
        assert snapshot(target) == {"manifest.json": manifest.encode()}


def test_a_failed_first_write_reports_its_own_error(tmp_path: Path) -> None:
    target = tmp_path / "new"
    with pytest.raises(OutputError) as exc:
        write_output(target, {"a": b"x", "a/b": b"y"}, BUILD_OUTPUT)
    assert str(exc.value) == f"cannot write {target}: File exists"
    assert list(tmp_path.iterdir()) == []


def test_a_leftover_old_folder_does_not_fail_a_finished_swap(previous: Path,
                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Once the new folder is in place, failing to delete the old one is no error."""
    def stubborn_rmtree(path: str | Path, ignore_errors: bool = False) -> None:
        if not ignore_errors:
            raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(output.shutil, "rmtree", stubborn_rmtree)
    replace_dir(previous, {"email.html": b"new"})
    assert snapshot(previous) == {"email.html": b"new"}


# --- the one-step exchange (Linux renameat2 with RENAME_EXCHANGE) -------------------------------

linux_only = pytest.mark.skipif(os.uname().sysname != "Linux",
                                reason="RENAME_EXCHANGE is Linux's")


@linux_only
def test_two_folders_are_exchanged_in_one_step(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "f").write_text("from a")
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "f").write_text("from b")
    assert output.exchange_paths(tmp_path / "a", tmp_path / "b") is True
    assert (tmp_path / "a" / "f").read_text() == "from b"
    assert (tmp_path / "b" / "f").read_text() == "from a"


@linux_only
def test_an_exchange_with_a_missing_path_raises_the_systems_error(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    with pytest.raises(OSError) as info:
        output.exchange_paths(tmp_path / "a", tmp_path / "missing")
    assert info.value.errno == 2 and info.value.filename == str(tmp_path / "missing")
    assert info.value.strerror == "No such file or directory"


@linux_only
def test_a_build_replaces_its_folder_without_a_moment_without_it(previous: Path,
                                                                monkeypatch: pytest.MonkeyPatch
                                                                ) -> None:
    """Where the exchange works, the old folder never leaves its place by a rename (the
    fallback's two renames leave a moment with no output folder)."""
    real_rename = os.rename

    def no_rename_of_the_target(src: str | Path, dst: str | Path) -> None:
        assert Path(src) != previous, "the output folder was renamed away"
        real_rename(src, dst)

    monkeypatch.setattr(output.os, "rename", no_rename_of_the_target)
    replace_dir(previous, {"email.html": b"new"})
    assert snapshot(previous) == {"email.html": b"new"}


@pytest.mark.parametrize("code", ["EINVAL", "ENOSYS", "ENOTSUP", "EOPNOTSUPP"])
def test_a_file_system_that_cannot_exchange_falls_back(tmp_path: Path, code: str,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import ctypes
    import errno

    def refusing(*_args: object) -> int:
        ctypes.set_errno(getattr(errno, code))
        return -1

    monkeypatch.setattr(output, "_renameat2", lambda: refusing)
    assert output.exchange_paths(tmp_path / "a", tmp_path / "b") is False


def test_another_exchange_error_is_raised(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ctypes
    import errno

    def cross_device(*_args: object) -> int:
        ctypes.set_errno(errno.EXDEV)
        return -1

    monkeypatch.setattr(output, "_renameat2", lambda: cross_device)
    with pytest.raises(OSError) as info:
        output.exchange_paths(tmp_path / "a", tmp_path / "b")
    assert info.value.errno == errno.EXDEV and info.value.strerror == os.strerror(errno.EXDEV)
    assert info.value.filename == str(tmp_path / "b")  # the message names the path


def test_without_renameat2_the_exchange_says_it_cannot(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(output, "_renameat2", lambda: None)
    assert output.exchange_paths(tmp_path / "a", tmp_path / "b") is False


@pytest.mark.parametrize("link", ["folder", "file"])
def test_a_folder_of_ours_holding_a_link_is_not_replaced(tmp_path: Path, link: str) -> None:
    """Our manifest, but a symbolic link inside (to a folder or a file): someone put it there,
    so the folder is not ours to replace, and nothing is deleted."""
    target = tmp_path / "out"
    target.mkdir()
    (target / "manifest.json").write_text('{"generator": "newsletter 0.1.0"}', encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "email.html").write_text("keep me")
    (target / ("linked" if link == "folder" else "email.html")).symlink_to(
        elsewhere if link == "folder" else elsewhere / "email.html")
    with pytest.raises(OutputError):
        write_output(target, {"email.html": b"new"}, BUILD_OUTPUT)
    assert (elsewhere / "email.html").read_text() == "keep me"
    assert sorted(p.name for p in target.iterdir()) == sorted(
        ["manifest.json", "linked" if link == "folder" else "email.html"])


def test_atomic_write_keeps_an_existing_files_permissions(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("old")
    path.chmod(0o640)
    old = os.umask(0o022)  # a new file would get 0o644
    try:
        atomic_write(path, "new")
    finally:
        os.umask(old)
    assert (path.stat().st_mode & 0o7777, path.read_text()) == (0o640, "new")


def test_a_new_file_gets_the_umasks_permissions(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        atomic_write(tmp_path / "a.txt", "a")
        write_new(tmp_path / "b.txt", "b")
    finally:
        os.umask(old)
    assert [(tmp_path / name).stat().st_mode & 0o7777 for name in ("a.txt", "b.txt")] == \
        [0o640, 0o640]


def test_an_interrupt_right_after_the_rename_is_not_hidden(tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """Ctrl-C arriving as the rename returns: the temporary file is gone already, and the
    interrupt (not a FileNotFoundError from cleaning up) reaches the caller."""
    real_replace = os.replace

    def replace_then_interrupt(source: Any, target: Any) -> None:
        real_replace(source, target)
        raise KeyboardInterrupt

    monkeypatch.setattr(output.os, "replace", replace_then_interrupt)
    with pytest.raises(KeyboardInterrupt):
        atomic_write(tmp_path / "a.txt", "a")
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_a_new_file_is_0666_less_the_umask(tmp_path: Path, umask: int, mode: int) -> None:
    old = os.umask(umask)
    try:
        atomic_write(tmp_path / "a.txt", "a")
    finally:
        os.umask(old)
    assert (tmp_path / "a.txt").stat().st_mode & 0o7777 == mode


def test_what_a_killed_write_leaves_is_what_the_clean_up_removes(tmp_path: Path) -> None:
    """A write killed before its rename leaves its temporary file beside the target, named
    `.<name>.<random>.tmp`: the name prune_stale looks for (once it is old enough)."""
    from newsletter.storage.cache import STALE_SECONDS, prune_stale

    target = tmp_path / "folder" / "email.html"
    left = output._staged(target, "half")  # the rename never came
    assert left.parent == target.parent
    assert left.name.startswith(".email.html.") and left.name.endswith(".tmp")
    prune_stale(target.parent)
    assert left.exists()  # a running write may still own it
    old = left.stat().st_mtime - STALE_SECONDS - 1
    os.utime(left, (old, old))
    prune_stale(target.parent)
    assert list(target.parent.iterdir()) == []
