"""Each folder's names as a listing last read them, so that a folder nothing was added to,
removed from or renamed in since is not read again (`walking` still stats every summary: an
edited file is never missed).

Listing a folder's names (`os.listdir`, the sort, the rule of which names are summaries) costs
about 1.6 µs a file, a third of a listing; the names kept here cost 0.1 µs. A folder's names are
reused only when its device, inode, mtime and ctime are those it had when they were read, and
they were kept only when that ctime was `SETTLED_NS` older than the moment of reading: any change
to a folder's entries sets its ctime (which no program can set back) to the time of the change,
so a folder that changes after it was read no longer matches, even when the change falls in the
same tick of the file system's clock as the one before (the folder was read too soon after that
one to be kept). This is how git's untracked cache trusts folders' times, and like git it trusts
only file systems where that holds: local Linux file systems that keep times in nanoseconds from
the local clock (`TRUSTED`, found in /proc/self/mountinfo by the folder's device; a folder on
another device, FAT, NFS, SMB or FUSE among them, is always read), and never a ctime of a whole
second (a file system that keeps times in seconds, or fixed times). Kept in one checksummed
cache entry per summaries folder (`.newsletter-cache/folders/`); a damaged entry costs a listing.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import time
from functools import lru_cache
from pathlib import Path
from typing import Any

from newsletter.errors import Problem
from newsletter.storage.cache import read_bytes_entry, write_bytes_entry

FOLDERS = "folders"  # the kind of cache entry (storage.cache.cache_folder)
FORMAT = "folder names 2"
SUFFIX = ".names"
SETTLED_NS = 1_000_000_000  # a folder changed less than a second before it was read: not kept
KEEP = 8  # summaries folders remembered (a workspace has one)
TRUSTED = frozenset({"ext2", "ext3", "ext4", "xfs", "btrfs", "tmpfs", "overlay", "zfs", "f2fs",
                     "bcachefs"})
MOUNTINFO = "/proc/self/mountinfo"
_SECOND = 1_000_000_000

# the folder's device, inode, mtime_ns and ctime_ns; its names
Entry = tuple[int, int, int, int, list[str]]


class FolderNames:
    """The names of a walk's folders: those known from the last walk, and this walk's. Only
    folders on `device` (the summaries folder's, when its file system is trusted) are kept."""

    def __init__(self, known: dict[str, Entry] | None = None) -> None:
        self.known = known or {}
        self.seen: dict[str, Entry] = {}
        self.device: int | None = None

    def trust(self, st: os.stat_result) -> None:
        """The summaries folder's stat: its device is trusted when its file system is."""
        self.device = st.st_dev if trusted_device(st.st_dev) else None

    def names(self, rel: str, st: os.stat_result) -> list[str] | None:
        """The names of folder `rel` as last read, when it has not changed since (None: read
        them, then `note` them)."""
        entry = self.known.get(rel)
        if entry is None or st.st_dev != self.device or \
                entry[:4] != (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_ctime_ns):
            return None
        self.seen[rel] = entry
        return entry[4]

    def note(self, rel: str, st: os.stat_result, names: list[str], read_at_ns: int) -> None:
        """Names just read (`st`: the folder's stat, taken before them; `read_at_ns`: the time
        then): kept when the folder is on the trusted device and had settled."""
        if st.st_dev == self.device and st.st_ctime_ns % _SECOND and \
                st.st_ctime_ns <= read_at_ns - SETTLED_NS:
            self.seen[rel] = (st.st_dev, st.st_ino, st.st_mtime_ns, st.st_ctime_ns, names)

    @property
    def changed(self) -> bool:
        return self.seen != self.known


def now_ns() -> int:
    return time.time_ns()


@lru_cache(maxsize=8)
def trusted_device(device: int) -> bool:
    """Whether `device` holds a file system of TRUSTED (Linux's mount table says; elsewhere,
    or when it cannot be read, no device is trusted)."""
    try:
        lines = Path(MOUNTINFO).read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return False
    wanted = f"{os.major(device)}:{os.minor(device)}"
    for line in lines:
        fields = line.split()  # id, parent, major:minor, root, mount point, options, ..., -, type
        if len(fields) > 7 and fields[2] == wanted and "-" in fields[6:-1] \
                and fields[fields.index("-", 6) + 1] in TRUSTED:
            return True
    return False


def _entry_key(folder: Path) -> str:
    key = os.fsencode(f"{FORMAT}\x1f") + os.fsencode(folder.absolute())
    return hashlib.sha256(key).hexdigest()[:40]


def read_folder_names(cache: Path | None, folder: Path,
                      notices: list[Problem] | None = None) -> FolderNames:
    """The names kept for the summaries `folder` (none when `cache` is None: caching is off)."""
    data = read_bytes_entry(cache, _entry_key(folder), SUFFIX, notices)
    known: Any = None
    if data is not None:
        try:
            known = marshal.loads(data)
        except (EOFError, ValueError, TypeError):  # verified: only another version's format
            known = None
    return FolderNames(known if isinstance(known, dict) else None)


def write_folder_names(cache: Path | None, folder: Path, names: FolderNames) -> None:
    """Keep this walk's names, when they differ from what was kept."""
    if names.changed:
        write_bytes_entry(cache, _entry_key(folder), SUFFIX, marshal.dumps(names.seen), KEEP)
