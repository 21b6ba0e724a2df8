"""Every cache of a workspace: one switch, one folder, one entry format, one pruning policy.

Caches only save time: an entry carries the checksum of its content, and one that does not
verify (truncated, garbled) is ignored and rebuilt; a cache that cannot be written only costs
time. NEWSLETTER_NO_CACHE=1 turns every cache off, and an output never depends on it.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

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


def _sealed(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest() + "\n" + text


def read_entry(folder: Path | None, key: str, suffix: str) -> str | None:
    """The text stored under `key`, or None when absent or when it does not verify."""
    if folder is None:
        return None
    try:
        raw = (folder / f"{key}{suffix}").read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    checksum, sep, text = raw.partition("\n")
    if not sep or hashlib.sha256(text.encode("utf-8")).hexdigest() != checksum:
        return None
    return text


def write_entry(folder: Path | None, key: str, suffix: str, text: str,
                keep: int = KEEP_ENTRIES) -> None:
    """Store `text` under `key` (atomically, with its checksum) and prune that kind of entry
    to the newest `keep`. Any OSError is swallowed: a cache write failure only costs time."""
    if folder is None:
        return
    try:
        ignore_in_git(folder.parent)
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write(folder / f"{key}{suffix}", _sealed(text))
        prune(folder, f"*{suffix}", keep)
    except OSError:
        pass


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


def html_cache_dir(root: Path) -> Path | None:
    """Where rendering keeps compiled HTML (and, in jinja/, compiled templates)."""
    return cache_folder(root, "html")
