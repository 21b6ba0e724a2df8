"""Every cache of a workspace: one switch, one folder, one entry format, one pruning policy.

Caches only save time: an entry carries the checksum of its content, and one that does not
verify (truncated, garbled) is ignored and rebuilt; a cache that cannot be written only costs
time. NEWSLETTER_NO_CACHE=1 turns every cache off, and an output never depends on it.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import os
import time
from collections.abc import Iterable
from pathlib import Path

from newsletter.errors import Problem
from newsletter.storage.output import atomic_write

CACHE_DIR = ".newsletter-cache"
KEEP_ENTRIES = 64  # per kind of entry: the newest are kept, the rest pruned after each write


def caching_enabled() -> bool:
    """False when NEWSLETTER_NO_CACHE is set (to anything but 0)."""
    return os.environ.get("NEWSLETTER_NO_CACHE", "") in ("", "0")


def cache_root(root: Path) -> Path:
    return root / CACHE_DIR


def cache_folder(root: Path, kind: str) -> Path | None:
    """The folder of one kind of entry ("html", "checks", "jinja"), or None when caching is off."""
    return cache_root(root) / kind if caching_enabled() else None


def ignore_in_git(folder: Path) -> None:
    """Keep the cache folder out of git (a `.gitignore` of `*` inside it)."""
    gitignore = folder / ".gitignore"
    if not gitignore.exists():
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write(gitignore, "*\n")


def code_stamp(*folders: Path, extra: Iterable[str] = ()) -> str:
    """A hash of every file below `folders` (recursively: code and templates) and `extra`:
    a cache keyed by it follows any change to the code that made its entries."""
    digest = hashlib.sha256()
    for part in extra:
        digest.update(part.encode() + b"\x1f")
    for folder in folders:
        for path in sorted(folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(folder).as_posix().encode() + b"\x1f")
                digest.update(path.read_bytes())
    return digest.hexdigest()


def stat_line(name: str, st: os.stat_result) -> str:
    """A file as the keys of caches see it: its name, mode, size, times and inode."""
    return (f"{name}\x1f{st.st_mode}\x1f{st.st_size}\x1f{st.st_mtime_ns}\x1f{st.st_ctime_ns}"
            f"\x1f{st.st_ino}\n")


def library_stamp(name: str) -> str:
    """An installed library, found without importing it: `stat_line` of each file at the top
    of its folder (a new version writes new files)."""
    spec = importlib.util.find_spec(name)
    origin = spec.origin if spec is not None else None
    if origin is None:
        return f"{name}\x1fabsent\n"
    try:
        with os.scandir(Path(origin).parent) as entries:
            return "".join(stat_line(entry.path, entry.stat(follow_symlinks=False))
                           for entry in sorted(entries, key=lambda e: e.name)
                           if entry.is_file(follow_symlinks=False))
    except OSError as exc:  # a folder that cannot be read: a key of its own, never a failure
        return f"{name}\x1funreadable {exc.errno}\n"


def _checksum(key: str, data: bytes) -> bytes:
    """What an entry is sealed with: the sha256 of its key (the hash of its inputs) and its
    content, so a truncated, garbled or misplaced entry never verifies."""
    return hashlib.sha256(key.encode("utf-8") + b"\x1e" + data).hexdigest().encode("ascii")


def _cache_root_of(folder: Path) -> Path:
    """The cache folder (.newsletter-cache) an entry folder lies in (or the folder itself)."""
    for parent in (folder, *folder.parents):
        if parent.name == CACHE_DIR:
            return parent
    return folder


def _shown(folder: Path, name: str) -> str:
    """An entry's path as messages show it (from the cache folder on)."""
    root = _cache_root_of(folder)
    return (Path(CACHE_DIR) / folder.relative_to(root) / name).as_posix() \
        if root.name == CACHE_DIR else (folder / name).as_posix()


def discarded_notice(where: str, what: str = "a cache entry") -> Problem:
    """The notice for an entry that did not verify (the output is never affected)."""
    return Problem(where, f"{what} did not verify (truncated or changed on disk) and was "
                   "discarded and rebuilt; the output is not affected", level="warning")


def read_bytes_entry(folder: Path | None, key: str, suffix: str,
                     notices: list[Problem] | None = None) -> bytes | None:
    """The bytes stored under `key`, or None when absent or when they do not verify (then the
    entry is removed, and a notice added to `notices`)."""
    if folder is None:
        return None
    path = folder / f"{key}{suffix}"
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError:  # unreadable (a folder in its place, permissions): rebuilt, and said
        raw = b""
    checksum, sep, data = raw.partition(b"\n")
    if sep and checksum == _checksum(key, data):
        return data
    if notices is not None:
        notices.append(discarded_notice(_shown(folder, path.name)))
    with contextlib.suppress(OSError):
        path.unlink()
    return None


def read_entry(folder: Path | None, key: str, suffix: str,
               notices: list[Problem] | None = None) -> str | None:
    """The text stored under `key`, or None (see read_bytes_entry)."""
    data = read_bytes_entry(folder, key, suffix, notices)
    if data is None:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:  # cannot happen for a verified entry written by write_entry
        return None


def write_bytes_entry(folder: Path | None, key: str, suffix: str, data: bytes,
                      keep: int = KEEP_ENTRIES) -> None:
    """Store `data` under `key` (atomically, sealed with its checksum) and prune that kind of
    entry to the newest `keep`. Any OSError is swallowed: a cache write failure only costs
    time."""
    if folder is None:
        return
    try:
        ignore_in_git(_cache_root_of(folder))
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write(folder / f"{key}{suffix}", _checksum(key, data) + b"\n" + data)
        prune(folder, f"*{suffix}", keep)
        prune_stale(folder)
    except OSError:
        pass


def write_entry(folder: Path | None, key: str, suffix: str, text: str,
                keep: int = KEEP_ENTRIES) -> None:
    """Store `text` under `key` (see write_bytes_entry)."""
    write_bytes_entry(folder, key, suffix, text.encode("utf-8"), keep)


def prune(folder: Path, pattern: str, keep: int = KEEP_ENTRIES) -> None:
    """Remove all but the `keep` newest files matching `pattern` in `folder`."""
    def age(path: Path) -> int:
        try:
            return path.stat().st_mtime_ns
        except OSError:
            return 0

    entries = sorted(folder.glob(pattern), key=age, reverse=True)
    for old in entries[keep:]:
        with contextlib.suppress(OSError):
            old.unlink(missing_ok=True)


STALE_SECONDS = 600


def prune_stale(folder: Path) -> None:
    """Remove the temporary files (`.*.tmp`) a killed write left, once they are old enough that
    no running write can own them."""
    limit = time.time() - STALE_SECONDS
    for path in folder.glob(".*.tmp"):
        with contextlib.suppress(OSError):
            if path.stat().st_mtime < limit:
                path.unlink()


def html_cache_dir(root: Path) -> Path | None:
    """Where rendering keeps compiled HTML (and, in jinja/, compiled templates)."""
    return cache_folder(root, "html")
