"""The folders' names kept from one listing to the next (summaries/folders.py): a folder is read
again whenever anything was added to, removed from or renamed in it, a folder read too soon after
a change is not kept, and a listing through the kept names is the listing without them."""

from __future__ import annotations

import os
import time
from pathlib import Path
from types import SimpleNamespace

import pytest

from newsletter.summaries import folders, walking
from newsletter.summaries.listing import list_summary_files


def _tree(root: Path) -> Path:
    for rel in ("2026/05/a.md", "2026/05/b.md", "2026/05/notes.txt", "2026/06/c.md", "top.md",
                "_drafts/d.md", "deep/er/g.md"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("x" * len(rel))
    (root / "2026" / "05" / "link.md").symlink_to(root / "top.md")
    return root


def _listed(root: Path, cache: Path | None, notices: list | None = None):
    links: list[str] = []
    rels, stamps = list_summary_files(root, links, cache=cache, notices=notices)
    return rels, stamps, links


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The folders each listing reads (os.listdir), by path."""
    seen: list[str] = []
    listdir = os.listdir

    def counting(folder):  # type: ignore[no-untyped-def]
        seen.append(os.readlink(f"/proc/self/fd/{folder}") if isinstance(folder, int) else folder)
        return listdir(folder)

    monkeypatch.setattr(os, "listdir", counting)
    monkeypatch.setattr(os, "supports_fd", os.supports_fd | {counting})  # as os.listdir is
    return seen


@pytest.fixture
def settled(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every folder counts as settled (the tests wait for the clock instead of a second), on a
    trusted file system (whatever the one of the tests' folder)."""
    monkeypatch.setattr(folders, "SETTLED_NS", 0)
    monkeypatch.setattr(folders, "trusted_device", lambda device: True)


def _tick() -> None:
    """Let the file system's clock move on, so that the next change gets another ctime."""
    time.sleep(0.05)


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc to name folders")
def test_a_folder_that_did_not_change_is_not_read_again(tmp_path, reads, settled):
    root, cache = _tree(tmp_path / "s"), tmp_path / "cache"
    first = _listed(root, cache)
    assert len(reads) == 6  # the summaries folder and its five folders (not _drafts)
    reads.clear()
    assert _listed(root, cache) == first == _listed(root, None)
    assert len(reads) == 6  # the listing without the kept names read them all
    reads.clear()
    _tick()
    (root / "2026" / "06" / "new.md").write_text("new")
    again = _listed(root, cache)
    assert reads == [str(root / "2026" / "06")]
    assert again == _listed(root, None) and "2026/06/new.md" in again[0]


@pytest.mark.parametrize("change", ["add", "remove", "rename", "new folder", "remove folder",
                                    "replace folder"])
def test_every_change_of_a_folder_s_entries_is_seen(tmp_path, settled, change):
    root, cache = _tree(tmp_path / "s"), tmp_path / "cache"
    _listed(root, cache)
    _tick()
    may = root / "2026" / "05"
    if change == "add":
        (may / "z.md").write_text("z")
    elif change == "remove":
        (may / "a.md").unlink()
    elif change == "rename":
        (may / "a.md").rename(may / "aa.md")
    elif change == "new folder":
        (root / "2026" / "07").mkdir()
        (root / "2026" / "07" / "e.md").write_text("e")
    elif change == "remove folder":
        (root / "2026" / "06" / "c.md").unlink()
        (root / "2026" / "06").rmdir()
    else:  # another folder under the same name (its own inode, its own names)
        (root / "2026" / "06").rename(root / "old06")
        (root / "2026" / "06").mkdir()
        (root / "2026" / "06" / "f.md").write_text("f")
    assert _listed(root, cache) == _listed(root, None)


def test_a_folder_read_right_after_a_change_is_read_again(tmp_path, reads):
    """Within SETTLED_NS of its last change a folder's names are not kept: a change in the same
    tick of the clock would leave its times as they were."""
    root, cache = _tree(tmp_path / "s"), tmp_path / "cache"
    _listed(root, cache)
    reads.clear()
    _listed(root, cache)
    assert len(reads) == 6
    kept = folders.read_folder_names(cache, root)
    assert kept.known == {}


def test_a_damaged_entry_is_discarded_with_a_notice(tmp_path, settled):
    root, cache = _tree(tmp_path / "s"), tmp_path / "cache"
    first = _listed(root, cache)
    [entry] = cache.glob("*.names")
    data = bytearray(entry.read_bytes())
    data[len(data) // 2] ^= 0x01
    entry.write_bytes(bytes(data))
    notices: list = []
    assert _listed(root, cache, notices) == first
    assert len(notices) == 1 and "did not verify" in str(notices[0])
    notices.clear()
    assert _listed(root, cache, notices) == first and notices == []


def test_without_a_cache_folder_nothing_is_kept(tmp_path, settled):
    root = _tree(tmp_path / "s")
    _listed(root, None)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s"]


def test_a_folder_that_cannot_be_read_is_not_kept(tmp_path, settled, monkeypatch):
    root, cache = _tree(tmp_path / "s"), tmp_path / "cache"
    deep = os.stat(root / "deep")
    listdir = os.listdir

    def refusing(folder):  # type: ignore[no-untyped-def]
        if isinstance(folder, int) and os.fstat(folder).st_ino == deep.st_ino:
            raise PermissionError(13, "Permission denied")
        return listdir(folder)

    monkeypatch.setattr(os, "listdir", refusing)
    monkeypatch.setattr(os, "supports_fd", os.supports_fd | {refusing})
    unreadable: list = []
    list_summary_files(root, [], cache=cache, unreadable=unreadable)
    assert [rel for rel, _ in unreadable] == ["deep"]
    kept = folders.read_folder_names(cache, root).known
    assert "deep/" not in kept and "2026/" in kept


def test_a_file_system_that_is_not_trusted_is_always_read(tmp_path, settled, monkeypatch):
    monkeypatch.setattr(folders, "trusted_device", lambda device: False)
    root, cache = _tree(tmp_path / "s"), tmp_path / "cache"
    _listed(root, cache)
    assert folders.read_folder_names(cache, root).known == {}


def test_times_in_whole_seconds_are_not_trusted(tmp_path, settled, monkeypatch):
    """FAT keeps a folder's times in 2 seconds, its ctime is its mtime (which programs set), and
    a second change within those 2 seconds leaves them as they were: never kept."""
    fstat = os.fstat

    def fat(fd):  # type: ignore[no-untyped-def]
        st = fstat(fd)
        whole = st.st_mtime_ns - st.st_mtime_ns % 2_000_000_000
        return SimpleNamespace(st_dev=st.st_dev, st_ino=st.st_ino, st_mode=st.st_mode,
                               st_mtime_ns=whole, st_ctime_ns=whole)

    monkeypatch.setattr(walking, "_fstat", fat)
    root, cache = _tree(tmp_path / "s"), tmp_path / "cache"
    _listed(root, cache)
    (root / "2026" / "06" / "new.md").write_text("new")  # the same 2 seconds, most likely
    assert "2026/06/new.md" in _listed(root, cache)[0]
    assert folders.read_folder_names(cache, root).known == {}


def test_only_the_summaries_folder_s_device_is_kept(settled):
    names = folders.FolderNames()
    here = SimpleNamespace(st_dev=5, st_ino=1, st_mtime_ns=1_500_000_000,
                           st_ctime_ns=1_500_000_001)
    names.trust(here)  # type: ignore[arg-type]
    mounted = SimpleNamespace(st_dev=6, st_ino=2, st_mtime_ns=1_500_000_000,
                              st_ctime_ns=1_500_000_001)
    names.note("", here, ["2026"], 10**12)  # type: ignore[arg-type]
    names.note("2026/", mounted, ["a.md"], 10**12)  # type: ignore[arg-type]
    assert list(names.seen) == [""]
    again = folders.FolderNames(names.seen)
    again.trust(here)  # type: ignore[arg-type]
    assert again.names("", here) == ["2026"]  # type: ignore[arg-type]
    assert again.names("", SimpleNamespace(**{**vars(here), "st_dev": 6})) is None  # type: ignore[arg-type]


def test_the_mount_table_says_which_devices_are_trusted(tmp_path, monkeypatch):
    table = tmp_path / "mountinfo"
    table.write_text(
        "27 1 254:0 / / rw,relatime - ext4 /dev/vda rw\n"
        "40 27 8:17 / /media/stick rw,relatime shared:5 - vfat /dev/sdb1 rw\n"
        "41 27 0:50 / /mnt/nas rw,relatime master:1 shared:2 - nfs4 nas:/export rw\n"
        "42 27 0:51 / /mnt/fuse rw - fuse.sshfs host: rw\n"
        "43 27 0:30 / /tmp rw,nosuid shared:9 - tmpfs tmpfs rw\n")
    monkeypatch.setattr(folders, "MOUNTINFO", str(table))
    folders.trusted_device.cache_clear()
    try:
        verdicts = {(major, minor): folders.trusted_device(os.makedev(major, minor))
                    for major, minor in ((254, 0), (8, 17), (0, 50), (0, 51), (0, 30), (9, 9))}
        assert verdicts == {(254, 0): True, (8, 17): False, (0, 50): False, (0, 51): False,
                            (0, 30): True, (9, 9): False}
        monkeypatch.setattr(folders, "MOUNTINFO", str(tmp_path / "none"))
        folders.trusted_device.cache_clear()
        assert folders.trusted_device(os.makedev(254, 0)) is False
    finally:
        folders.trusted_device.cache_clear()
