"""Each folder's names as a listing last read them, so that a folder nothing was added to,
removed from or renamed in since is not read again (`walking` still stats every summary: an
edited file is never missed).

Listing a folder's names (`os.listdir`, the sort, the rule of which names are summaries) costs
about 1.6 µs a file, a third of a listing; the names kept here cost 0.1 µs. A folder's names are
reused only when its inode, mtime and ctime are those it had when they were read, and only when
that ctime was `SETTLED_NS` older than the moment of reading: any change to a folder's entries
sets its ctime (which no program can set back) to the time of the change, so a folder that
changes after it was read no longer matches, even when the change falls in the same tick of the
file system's clock as the one before (the folder was read too soon after that one to be kept).
This is how git's untracked cache trusts folders' times. Kept in one checksummed cache entry per
summaries folder (`.newsletter-cache/folders/`); a damaged entry only costs a listing.
"""

from __future__ import annotations

import hashlib
import marshal
import os
import time
from pathlib import Path
from typing import Any

from newsletter.errors import Problem
from newsletter.storage.cache import read_bytes_entry, write_bytes_entry

FOLDERS = "folders"  # the kind of cache entry (storage.cache.cache_folder)
SUFFIX = ".names"
SETTLED_NS = 1_000_000_000  # a folder changed less than a second before it was read: not kept
KEEP = 8  # summaries folders remembered (a workspace has one)

Entry = tuple[int, int, int, list[str]]  # the folder's inode, mtime_ns, ctime_ns; its names


class FolderNames:
    """The names of a walk's folders: those known from the last walk, and this walk's."""

    def __init__(self, known: dict[str, Entry] | None = None) -> None:
        self.known = known or {}
        self.seen: dict[str, Entry] = {}

    def names(self, rel: str, st: os.stat_result) -> list[str] | None:
        """The names of folder `rel` as last read, when it has not changed since (None: read
        them, then `note` them)."""
        entry = self.known.get(rel)
        if entry is None or entry[:3] != (st.st_ino, st.st_mtime_ns, st.st_ctime_ns):
            return None
        self.seen[rel] = entry
        return entry[3]

    def note(self, rel: str, st: os.stat_result, names: list[str], read_at_ns: int) -> None:
        """Names just read (`st`: the folder's stat, taken before them; `read_at_ns`: the time
        then): kept when the folder had settled."""
        if st.st_ctime_ns <= read_at_ns - SETTLED_NS:
            self.seen[rel] = (st.st_ino, st.st_mtime_ns, st.st_ctime_ns, names)

    @property
    def changed(self) -> bool:
        return self.seen != self.known


def now_ns() -> int:
    return time.time_ns()


def _entry_key(folder: Path) -> str:
    return hashlib.sha256(os.fsencode(folder.absolute())).hexdigest()[:40]


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
