"""The index cache: validated front matter of every summary file, in SQLite.

It is never the source of truth. A row is used only when the file's path, size, mtime and ctime
are all unchanged (ctime moves on every write, even one that resets mtime), and only while the
settings that shape validation (time zone, theme ids, the cache format) are the same; otherwise
the file is read again. Deleting the cache changes no output. A cache that cannot be read, or
was written by another format, is rebuilt and a notice says so.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import sqlite3
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from newsletter.errors import Problem
from newsletter.storage.cache import CACHE_DIR, discarded_notice, ignore_in_git

CACHE_FILE = "index.sqlite"
FORMAT = "5"
# Each row carries two checksums (SQLite keeps none of its own): `head_sum` over what every
# build reads (path, key, id, url, day), `record_sum` over the path and the whole record, read
# only for the summaries a build shows. A row that does not verify is dropped with a notice and
# its file read again.
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    ctime_ns INTEGER NOT NULL, sid TEXT, url TEXT, day TEXT, record TEXT NOT NULL,
    head_sum INTEGER NOT NULL, record_sum TEXT NOT NULL
);
"""

Key = tuple[int, int, int]


@dataclass(frozen=True)
class Row:
    """One file as stored: its key, and for a clean summary (no problem, no warning) its id, url
    and local date, so that selecting needs no decoding; `record` is the whole record as JSON."""

    key: Key
    sid: str | None
    url: str | None
    day: str | None
    record: str


# What `open` reads for every file: (size, mtime_ns, ctime_ns, sid, url, day). The record itself
# is read by `record(path)` only for the summaries a build shows.
IndexRow = tuple[int, int, int, str | None, str | None, str | None]


@dataclass
class CacheState:
    rows: dict[str, IndexRow]
    notices: list[Problem]


def head_sum(path: str, size: int, mtime_ns: int, ctime_ns: int, sid: str | None,
             url: str | None, day: str | None) -> int:
    """crc32 of a row's head, as HEAD_TEXT builds it in SQL (so reading costs one crc32)."""
    text = "\x1f".join(str(v) for v in (path, size, mtime_ns, ctime_ns, sid, url, day))
    return zlib.crc32(text.encode("utf-8"))


# The same text, built by SQLite while it reads the rows.
HEAD_TEXT = ("CAST(path || char(31) || size || char(31) || mtime_ns || char(31) || ctime_ns || "
             "char(31) || ifnull(sid, 'None') || char(31) || ifnull(url, 'None') || char(31) || "
             "ifnull(day, 'None') AS BLOB)")


def record_sum(path: str, record: str) -> str:
    return hashlib.sha256(f"{path}\x1f{record}".encode()).hexdigest()


class IndexCache:
    def __init__(self, root: Path, fingerprint: Iterable[str]) -> None:
        self.path = root / CACHE_DIR / CACHE_FILE
        self.shown = f"{CACHE_DIR}/{CACHE_FILE}"
        digest = hashlib.sha256("\x1f".join([FORMAT, *fingerprint]).encode()).hexdigest()
        self.fingerprint = digest
        self.conn: sqlite3.Connection | None = None
        self.notices: list[Problem] = []  # rows that did not verify (also found later)

    def open(self) -> CacheState:
        """Read every row; a broken or foreign cache is emptied (with a notice). The notices
        are `self.notices`: rows found broken later (`record`) are added to the same list."""
        notices = self.notices
        try:
            return CacheState(self._read(), notices)
        except (sqlite3.DatabaseError, OSError, ValueError) as exc:
            notices.append(Problem(self.shown, f"the cache could not be used ({exc}) and was "
                                   "rebuilt from the files", level="warning"))
        self.close()
        try:
            self.path.unlink(missing_ok=True)
            return CacheState(self._read(), notices)
        except (sqlite3.DatabaseError, OSError) as exc:
            notices.append(Problem(self.shown, f"the cache is unavailable ({exc}); every file is "
                                   "read", level="warning"))
            self.close()
            return CacheState({}, notices)

    def _read(self) -> dict[str, IndexRow]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        ignore_in_git(self.path.parent)
        self.conn = sqlite3.connect(self.path, timeout=5, isolation_level=None)
        self.conn.executescript(SCHEMA)
        meta = dict(self.conn.execute("SELECT key, value FROM meta"))
        if meta and meta.get("format") != FORMAT:
            raise ValueError(f"written by cache format {meta.get('format')!r}, this is {FORMAT}")
        if meta.get("fingerprint") != self.fingerprint:
            self.conn.execute("DELETE FROM files")  # settings changed: every file is read again
            self.conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                                  [("format", FORMAT), ("fingerprint", self.fingerprint)])
            return {}
        query = f"SELECT path, size, mtime_ns, ctime_ns, sid, url, day, head_sum, {HEAD_TEXT} " \
                "FROM files"
        rows: dict[str, IndexRow] = {}
        bad: list[str] = []
        crc32 = zlib.crc32
        for row in self.conn.execute(query):
            if row[8] is not None and crc32(row[8]) == row[7]:
                rows[row[0]] = row[1:7]
            else:
                bad.append(str(row[0]))
        if bad:
            self._discarded(bad)
        return rows

    def _discarded(self, paths: list[str]) -> None:
        shown = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
        self.notices.append(discarded_notice(
            self.shown, f"the cached entr{'ies' if len(paths) > 1 else 'y'} of {shown}"))

    def record(self, path: str) -> str | None:
        """The stored record of one file (None when the cache cannot say). A record that does
        not verify is dropped, so the next run reads its file and stores it again."""
        try:
            if self.conn is None:
                self.conn = sqlite3.connect(self.path, timeout=5, isolation_level=None)
            found = self.conn.execute("SELECT record, record_sum FROM files WHERE path = ?",
                                      (path,)).fetchone()
        except sqlite3.DatabaseError:
            return None
        if found is None:
            return None
        if record_sum(path, found[0]) != found[1]:
            self._discarded([path])
            with contextlib.suppress(sqlite3.DatabaseError):
                self.conn.execute("DELETE FROM files WHERE path = ?", (path,))
            return None
        return str(found[0])

    def store(self, changed: list[tuple[str, Row]], removed: Iterable[str]) -> list[Problem]:
        if self.conn is None:
            return []
        gone = [(path,) for path in removed]
        if not changed and not gone:
            return []
        try:
            self.conn.execute("BEGIN")
            self.conn.executemany("DELETE FROM files WHERE path = ?", gone)
            self.conn.executemany(
                "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(path, *row.key, row.sid, row.url, row.day, row.record,
                  head_sum(path, *row.key, row.sid, row.url, row.day),
                  record_sum(path, row.record)) for path, row in changed])
            self.conn.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            return [Problem(self.shown, f"the cache could not be updated ({exc}); the build is "
                            "not affected", level="warning")]
        return []

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


def dumps(record: dict[str, Any]) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str)


def loads(text: str) -> dict[str, Any]:
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("not a cache record")
    return value
