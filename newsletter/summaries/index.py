"""The index cache: validated front matter of every summary file, in SQLite.

It is never the source of truth. A row is used only when the file's path, size, mtime and ctime
are all unchanged (ctime moves on every write, even one that resets mtime), and only while the
settings that shape validation (time zone, theme ids, the cache format) are the same; otherwise
the file is read again. Deleting the cache changes no output. A cache that cannot be read, or
was written by another format, is rebuilt and a notice says so.

Besides one row per file, the cache holds a snapshot: every file's path, key, id, url and date
as columns in three blobs (the paths, the keys, the rest), written in the same transaction as
the rows. A build reads them at once instead of decoding 20,000 rows, compares them with what it
finds on disk, and reads a row's record only for the summaries it shows. A build after an edit
writes again only the blobs that changed (usually the keys alone: 2.4 of 11 MB for 100,000
files), and only when the snapshot is still the one it read (`generation`, moved by every
write); otherwise it writes all three.

Nothing is trusted unverified (SQLite keeps no checksum of its own): each blob is stored
with the sha256 of its bytes, and a seal over the three sums ties them together; each row has a
crc32 of what every build reads (`head_sum`) and a sha256 of its record (`record_sum`). What does
not verify is dropped with a notice and the files are read again.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import marshal
import sqlite3
import zlib
from array import array
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple

from newsletter.errors import Problem
from newsletter.storage.cache import CACHE_DIR, discarded_notice, ignore_in_git

CACHE_FILE = "index.sqlite"
FORMAT = "7"
SNAPSHOT_VERSION = 2
SNAPSHOT_PARTS = ("paths", "stamps", "columns")
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY, size INTEGER NOT NULL, mtime_ns INTEGER NOT NULL,
    ctime_ns INTEGER NOT NULL, sid TEXT, url TEXT, day TEXT, record TEXT NOT NULL,
    head_sum INTEGER NOT NULL, record_sum TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS snapshot (
    part TEXT PRIMARY KEY CHECK (part IN ('paths', 'stamps', 'columns')), data BLOB NOT NULL,
    sum TEXT NOT NULL
);
"""

Key = tuple[int, int, int]


class Row(NamedTuple):
    """One file as stored: its key, and for a clean summary (no problem, no warning) its id, url
    and local date, so that selecting needs no decoding; `record` is the whole record as JSON.
    `sums`: its (head_sum, record_sum) when already computed (by the process that read it)."""

    key: Key
    sid: str | None
    url: str | None
    day: str | None
    record: str
    sums: tuple[int, str] | None = None


@dataclass
class Snapshot:
    """Every file of the cache, in path order, as columns. `stamps` holds each file's key
    flat (size, mtime_ns, ctime_ns, size, ...: compared and stored without a tuple per file).
    `ids[i]` (with `urls[i]`, `days[i]`) is None when the file is not a clean summary: its
    record then says what it is."""

    paths: list[str]
    stamps: list[int]
    ids: list[str | None]
    urls: list[str | None]
    days: list[str | None]

    @classmethod
    def empty(cls) -> Snapshot:
        return cls([], [], [], [], [])

    def key(self, shown: str) -> Key | None:
        """The key held for a file (None: the snapshot does not know it)."""
        i = bisect_left(self.paths, shown)
        if i < len(self.paths) and self.paths[i] == shown:
            return self.key_at(i)
        return None

    def key_at(self, i: int) -> Key:
        size, mtime, ctime = self.stamps[3 * i:3 * i + 3]
        return size, mtime, ctime

    def part(self, name: str) -> bytes:
        """One of the SNAPSHOT_PARTS as stored."""
        if name == "stamps":
            return array("q", self.stamps).tobytes()
        if name == "paths":
            return marshal.dumps((SNAPSHOT_VERSION, self.paths))
        return marshal.dumps((SNAPSHOT_VERSION, self.ids, self.urls, self.days))

    def changed_parts(self, old: Snapshot) -> list[str]:
        """The parts that differ from `old` (list comparisons: C walks them)."""
        return [name for name, same in (
            ("paths", self.paths == old.paths), ("stamps", self.stamps == old.stamps),
            ("columns", self.ids == old.ids and self.urls == old.urls and self.days == old.days),
        ) if not same]

    @classmethod
    def from_parts(cls, parts: dict[str, bytes]) -> Snapshot:
        """The snapshot of its stored parts (verified bytes only: marshal trusts its input)."""
        try:
            version, paths = marshal.loads(parts["paths"])
            again, ids, urls, days = marshal.loads(parts["columns"])
            stamps = array("q")
            stamps.frombytes(parts["stamps"])
        except (EOFError, ValueError, TypeError, KeyError) as exc:
            raise ValueError(f"unreadable snapshot ({exc})") from None
        if version != SNAPSHOT_VERSION or again != SNAPSHOT_VERSION or not (
                len(paths) == len(ids) == len(urls) == len(days) == len(stamps) // 3):
            raise ValueError("unreadable snapshot")
        return cls(paths, stamps.tolist(), ids, urls, days)


@dataclass
class CacheState:
    snapshot: Snapshot
    notices: list[Problem]


def head_sum(path: str, size: int, mtime_ns: int, ctime_ns: int, sid: str | None,
             url: str | None, day: str | None) -> int:
    """crc32 of a row's head, as HEAD_TEXT builds it in SQL (so reading costs one crc32)."""
    text = f"{path}\x1f{size}\x1f{mtime_ns}\x1f{ctime_ns}\x1f{sid}\x1f{url}\x1f{day}"
    return zlib.crc32(text.encode("utf-8"))


# The same text, built by SQLite while it reads the rows.
HEAD_TEXT = ("CAST(path || char(31) || size || char(31) || mtime_ns || char(31) || ctime_ns || "
             "char(31) || ifnull(sid, 'None') || char(31) || ifnull(url, 'None') || char(31) || "
             "ifnull(day, 'None') AS BLOB)")


def record_sum(path: str, record: str) -> str:
    return hashlib.sha256(f"{path}\x1f{record}".encode()).hexdigest()


def row_sums(path: str, row: Row) -> tuple[int, str]:
    """What `store` writes beside a row to verify it later: (head_sum, record_sum)."""
    return head_sum(path, *row.key, row.sid, row.url, row.day), record_sum(path, row.record)


def storable(path: str) -> bool:
    """A path SQLite can hold: a file name that is not valid UTF-8 (a surrogate escape) is never
    stored, so that file is read on every run (it has a problem anyway: its id)."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def snapshot_sum(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def seal(sums: dict[str, str]) -> str:
    """What ties the three parts of one snapshot together (kept in meta, written with them): a
    part left from another write (a store cut short by a crash) verifies alone, not with the
    others."""
    return hashlib.sha256("\x1f".join(sums.get(part, "") for part in SNAPSHOT_PARTS).encode()
                          ).hexdigest()


def next_generation(value: str | None) -> str:
    """The generation after `value` (a damaged one starts again at 1: it only ever has to
    differ from what another run read)."""
    try:
        return str(int(value or 0) + 1)
    except ValueError:
        return "1"


class IndexCache:
    def __init__(self, root: Path, fingerprint: Iterable[str]) -> None:
        self.path = root / CACHE_DIR / CACHE_FILE
        self.shown = f"{CACHE_DIR}/{CACHE_FILE}"
        digest = hashlib.sha256("\x1f".join([FORMAT, *fingerprint]).encode()).hexdigest()
        self.fingerprint = digest
        self.conn: sqlite3.Connection | None = None
        self.notices: list[Problem] = []  # entries that did not verify (also found later)
        # the snapshot as read, and the generation it was read at: `store` writes only what
        # changed since, while the cache is still at that generation
        self.read_snapshot: Snapshot | None = None
        self.generation: str | None = None

    def open(self) -> CacheState:
        """Read the snapshot; a broken or foreign cache is emptied (with a notice). The notices
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
            return CacheState(Snapshot.empty(), notices)

    def _read(self) -> Snapshot:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        ignore_in_git(self.path.parent)
        self.conn = sqlite3.connect(self.path, timeout=5, isolation_level=None)
        # A cache, never the source of truth: no fsync on commit (a build after an edit would
        # wait for the disk). Only a power loss could damage it, and a damaged cache is rebuilt.
        self.conn.execute("PRAGMA synchronous = OFF")
        self.conn.executescript(SCHEMA)
        meta = dict(self.conn.execute("SELECT key, value FROM meta"))
        if meta and meta.get("format") != FORMAT:
            raise ValueError(f"written by cache format {meta.get('format')!r}, this is {FORMAT}")
        if meta.get("fingerprint") != self.fingerprint:
            self.conn.execute("DELETE FROM files")  # settings changed: every file is read again
            self.conn.execute("DELETE FROM snapshot")
            self.conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                                  [("format", FORMAT), ("fingerprint", self.fingerprint)])
            return Snapshot.empty()
        found = {part: (data, total) for part, data, total
                 in self.conn.execute("SELECT part, data, sum FROM snapshot")}
        if found:
            parts = {part: data for part, (data, total) in found.items()
                     if isinstance(data, bytes) and snapshot_sum(data) == total}
            whole = sorted(parts) == sorted(SNAPSHOT_PARTS) and meta.get("snapshot") == seal(
                {part: total for part, (_, total) in found.items()})
            if whole:  # each part verified, and the three written together
                with contextlib.suppress(ValueError):
                    snapshot = Snapshot.from_parts(parts)
                    self.read_snapshot, self.generation = snapshot, meta.get("generation")
                    return snapshot
            self.notices.append(discarded_notice(self.shown, "the cached snapshot"))
            self.conn.execute("DELETE FROM snapshot")
        return self._rows()

    def _rows(self) -> Snapshot:
        """The snapshot rebuilt from the rows (each verified by its `head_sum`)."""
        assert self.conn is not None
        query = f"SELECT path, size, mtime_ns, ctime_ns, sid, url, day, head_sum, {HEAD_TEXT} " \
                "FROM files ORDER BY path"
        snapshot = Snapshot.empty()
        bad: list[str] = []
        crc32 = zlib.crc32
        for path, size, mtime, ctime, sid, url, day, stored, text in self.conn.execute(query):
            if text is None or crc32(text) != stored:
                bad.append(str(path))
                continue
            for column, value in zip((snapshot.paths, snapshot.ids, snapshot.urls, snapshot.days),
                                     (path, sid, url, day), strict=True):
                column.append(value)
            snapshot.stamps += (size, mtime, ctime)
        if bad:
            self._discarded(bad)
        return snapshot

    def _discarded(self, paths: list[str]) -> None:
        shown = ", ".join(paths[:3]) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")
        self.notices.append(discarded_notice(
            self.shown, f"the cached entr{'ies' if len(paths) > 1 else 'y'} of {shown}"))

    def record(self, path: str, key: Key) -> str | None:
        """The stored record of one file, stored for its current `key` (None when the cache
        cannot say). A record that does not verify is dropped, so the next run reads its file
        and stores it again."""
        if not storable(path):
            return None
        try:
            if self.conn is None:
                self.conn = sqlite3.connect(self.path, timeout=5, isolation_level=None)
            found = self.conn.execute("SELECT record, record_sum, size, mtime_ns, ctime_ns "
                                      "FROM files WHERE path = ?", (path,)).fetchone()
        except sqlite3.DatabaseError:
            return None
        if found is None or tuple(found[2:]) != tuple(key):
            return None  # stored for another version of the file (a newer run wrote it)
        if record_sum(path, found[0]) != found[1]:
            self._discarded([path])
            with contextlib.suppress(sqlite3.DatabaseError):
                self.conn.execute("DELETE FROM files WHERE path = ?", (path,))
                self.conn.execute("DELETE FROM snapshot")  # it names the file: rebuilt next run
            return None
        return str(found[0])

    def store(self, changed: list[tuple[str, Row]], removed: Iterable[str],
              snapshot: Snapshot) -> list[Problem]:
        """Write the changed rows, forget the removed ones and replace the snapshot, at once."""
        if self.conn is None:
            return []
        gone = [(path,) for path in removed if storable(path)]
        changed = [(path, row) for path, row in changed if storable(path)]
        if not changed and not gone and not self.notices:
            return []
        try:
            # IMMEDIATE: the write lock first, then the settings this run read with must still
            # be the cache's (another command may have started it again for new settings)
            self.conn.execute("BEGIN IMMEDIATE")
            meta = dict(self.conn.execute("SELECT key, value FROM meta"))
            if meta.get("format") != FORMAT or meta.get("fingerprint") != self.fingerprint:
                self.conn.execute("ROLLBACK")
                return []
            stored = dict(self.conn.execute("SELECT part, sum FROM snapshot"))
            parts = self._parts_to_write(snapshot, meta.get("generation"), set(stored))
            self.conn.executemany("DELETE FROM files WHERE path = ?", gone)
            self.conn.executemany(
                "INSERT OR REPLACE INTO files VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [(path, *row.key, row.sid, row.url, row.day, row.record,
                  *(row.sums or row_sums(path, row))) for path, row in changed])
            written = {name: snapshot.part(name) for name in parts}
            stored.update((name, snapshot_sum(data)) for name, data in written.items())
            self.conn.executemany("INSERT OR REPLACE INTO snapshot VALUES (?, ?, ?)",
                                  [(name, data, stored[name]) for name, data in written.items()])
            generation = next_generation(meta.get("generation"))
            self.conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)",
                                  [("generation", generation), ("snapshot", seal(stored))])
            self.conn.execute("COMMIT")
            self.read_snapshot, self.generation = snapshot, generation
        except sqlite3.DatabaseError as exc:
            with contextlib.suppress(sqlite3.DatabaseError):
                self.conn.execute("ROLLBACK")
            return [Problem(self.shown, f"the cache could not be updated ({exc}); the build is "
                            "not affected", level="warning")]
        return []

    def _parts_to_write(self, snapshot: Snapshot, generation: str | None, stored: set[str]
                        ) -> list[str]:
        """The parts that changed since the snapshot was read, if the cache still holds that
        snapshot whole (no other process wrote since, no part was dropped: `stored` are the
        parts it holds); else all."""
        if self.read_snapshot is None or generation != self.generation or \
                stored != set(SNAPSHOT_PARTS):
            return list(SNAPSHOT_PARTS)
        return snapshot.changed_parts(self.read_snapshot)

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), default=str)


def dumps(record: dict[str, Any]) -> str:
    return _ENCODER.encode(record)  # json.dumps would make this encoder again for each record


def loads(text: str) -> dict[str, Any]:
    value = json.loads(text)
    if not isinstance(value, dict):
        raise ValueError("not a cache record")
    return value
