"""The file table: every summary file in path order, as columns, with what was read of them.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from newsletter.errors import Problem
from newsletter.summaries.index import Key, Snapshot
from newsletter.summaries.model import IndexEntry


@dataclass
class FileState:
    """What one summary file gave: its index entry (when valid) and its problems."""

    entry: IndexEntry | None
    problems: Sequence[Problem]
    warnings: Sequence[Problem]


@dataclass
class FileTable:
    """Every summary file in path order, as columns; `stamps` holds the files' keys flat (size,
    mtime_ns, ctime_ns, size, ...); `ids[i]` (with `urls[i]`, `days[i]`) is None for a file
    that is not a valid summary. `made` holds the entries already built (files read in this
    process), `notes` the files with problems or warnings."""

    paths: list[str]
    stamps: list[int]
    ids: list[str | None]
    urls: list[str | None]
    days: list[str | None]
    made: dict[str, IndexEntry] = field(default_factory=dict)
    notes: dict[str, FileState] = field(default_factory=dict)
    cache: Any = field(default=None, repr=False)  # the index cache the records come from

    def put(self, shown: str, key: Key, state: FileState) -> None:
        """Add or replace one file."""
        i = bisect_left(self.paths, shown)
        if i == len(self.paths) or self.paths[i] != shown:
            for column in (self.paths, self.ids, self.urls, self.days):
                column.insert(i, None)  # type: ignore[arg-type]
            self.paths[i] = shown
            self.stamps[3 * i:3 * i] = key
        entry = state.entry
        self.stamps[3 * i:3 * i + 3] = key
        self.ids[i], self.urls[i], self.days[i] = (entry.id, entry.url, entry.day.isoformat()) \
            if entry else (None, None, None)
        self.made.pop(shown, None)
        self.notes.pop(shown, None)
        if entry is not None:
            self.made[shown] = entry
        if state.problems or state.warnings:
            self.notes[shown] = state

    def put_clean(self, i: int, entry: IndexEntry) -> None:
        """A clean summary (no problem, no warning) read for the file at position `i`, whose
        key the table already holds: `put` without the search."""
        self.ids[i], self.urls[i], self.days[i] = entry.id, entry.url, entry.day.isoformat()
        self.made[entry.path] = entry
        self.notes.pop(entry.path, None)

    def drop(self, shown: str) -> None:
        i = bisect_left(self.paths, shown)
        if i < len(self.paths) and self.paths[i] == shown:
            for column in (self.paths, self.ids, self.urls, self.days):
                del column[i]
            del self.stamps[3 * i:3 * i + 3]
        self.made.pop(shown, None)
        self.notes.pop(shown, None)

    def snapshot(self) -> Snapshot:
        """The columns as the cache stores them: a file with notes has no id there."""
        ids, urls, days = self.ids, self.urls, self.days
        if self.notes:
            ids, urls, days = list(ids), list(urls), list(days)
            for shown in self.notes:
                i = bisect_left(self.paths, shown)
                ids[i] = urls[i] = days[i] = None
        return Snapshot(self.paths, self.stamps, ids, urls, days)
