"""Loading the whole collection of summaries: scan, index cache, parallel parsing, memo.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from functools import partial
from pathlib import Path
from time import perf_counter
from typing import Any
from zoneinfo import ZoneInfo

from newsletter.errors import ContentError, Problem
from newsletter.storage.cache import cache_folder
from newsletter.storage.journal import STAGING, recover_files
from newsletter.storage.lock import workspace_lock
from newsletter.summaries.folders import FOLDERS
from newsletter.summaries.index import IndexCache, Row, Snapshot, loads
from newsletter.summaries.listing import (
    Listing,
    changed_positions,
    iter_summary_files,
    key_at,
    list_summary_files,
    unreadable_problem,
    unreadable_where,
)
from newsletter.summaries.model import Entries, IndexEntry, Library, Summary
from newsletter.summaries.names import is_hidden_name, is_summary_file_name
from newsletter.summaries.parse import parse_file, problem_from_dict, summary_from_record
from newsletter.summaries.reading import read_many, summary_from_text
from newsletter.summaries.table import FileState, FileTable, Key
from newsletter.workspace import Workspace


@dataclass
class LibraryMemo:
    """The file table kept between builds by a long-running process (the preview), so a
    rebuild reads only the files its watcher says changed."""

    fingerprint: tuple[str, ...] = ()
    table: FileTable | None = None


def load_library(ws: Workspace, *, skip_invalid: bool = False, use_cache: bool = True,
                 memo: LibraryMemo | None = None, changed: Iterable[str] | None = None,
                 listing: Listing | None = None) -> Library:
    """Read and validate every summary; raise ContentError listing every problem.

    With the index cache (see index.py) only files that changed since the last run are read,
    after one stat per file; the summaries themselves are built only for what a caller
    selects, and bodies are read later still, for the summaries a build actually shows. With a
    `memo` from an earlier call and the `changed` file paths, only those files are looked at.
    `listing`: the files as `list_summary_files` listed them just before (links last), which
    the scan then uses instead of listing them again.
    """
    folder = ws.summaries_path
    if not folder.is_dir():
        raise ContentError(
            f"the summaries folder {ws.relative(folder)} does not exist",
            [Problem("newsletter.toml", f"'{ws.config.summaries_dir}' is not a folder",
                     field="summaries_dir", fix="create the folder or set summaries_dir")],
        )
    if (folder / STAGING).is_dir():  # an import was stopped while moving its files in
        with workspace_lock(ws.root):
            recover_files(folder)
    context = _LoadContext(ws)
    notices: list[Problem] = []
    if memo is not None and changed is not None and memo.table is not None \
            and memo.fingerprint == context.fingerprint:
        table = memo.table
        for path in changed:
            context.refresh(table, path)
    else:
        table, notices = context.scan(use_cache, listing)
        if memo is not None:
            memo.fingerprint, memo.table = context.fingerprint, table
    archive = _library(table, context, skip_invalid)
    archive.notices = notices
    archive.parse_seconds = context.parse_seconds
    return archive


def _library(table: FileTable, context: _LoadContext, skip_invalid: bool) -> Library:
    """The valid summaries of the table, or ContentError with every problem."""
    problems: list[Problem] = []
    warnings: list[Problem] = []
    for shown in sorted(table.notes):
        problems += table.notes[shown].problems
        warnings += table.notes[shown].warnings
    # copies: a memo's table changes with the next refresh, this library must not
    paths, ids, urls, days = (list(c) for c in (table.paths, table.ids, table.urls, table.days))
    stamps = list(table.stamps)
    origin = range(len(paths))  # where each kept file's key is in `stamps`
    if None in ids:  # files with problems are no summaries
        keep = [i for i, sid in enumerate(ids) if sid is not None]
        paths, ids, urls, days = ([column[i] for i in keep]
                                  for column in (paths, ids, urls, days))
        origin = keep
    problems += duplicate_problems(paths, ids, urls)  # type: ignore[arg-type]
    if problems and not skip_invalid:
        files = len({p.where for p in problems})
        raise ContentError(
            f"{len(problems)} problem{'s' * (len(problems) != 1)} in {files} summary "
            f"file{'s' * (files != 1)} (fix them, or pass --skip-invalid to leave those files out)",
            problems,
        )
    if problems:
        bad = {p.where for p in problems}
        keep = [i for i, path in enumerate(paths) if path not in bad]
        paths, ids, urls, days = ([column[i] for i in keep]
                                  for column in (paths, ids, urls, days))
        origin = [origin[i] for i in keep]
    skipped = [Problem(p.where, p.message, p.field, p.fix, p.line, "warning") for p in problems]
    made, make_entry = table.made, context.entry_maker(table.cache)

    def make(i: int) -> IndexEntry:
        entry = made.get(paths[i])
        if entry is None:  # kept in the table: a memo's next library reuses it
            entry = made[paths[i]] = make_entry(paths[i], ids[i], urls[i], days[i],
                                                key_at(stamps, origin[i]))
        return entry

    entries = Entries(paths, ids, urls, days, make)  # type: ignore[arg-type]
    return Library(entries, _fold_unknown_keys(warnings), skipped)


class _LoadContext:
    """The settings a file is read with, and the two ways of reading the archive."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.folder = ws.summaries_path
        self.folder_text = os.path.join(self.folder, "")  # with its separator at the end
        self.tz = ZoneInfo(ws.config.timezone)
        self.theme_ids = ws.config.theme_ids
        self.prefix = ws.config.summaries_dir.strip("/").replace("\\", "/") + "/"
        self.fingerprint = (ws.config.timezone, str(self.folder), *self.theme_ids)
        self.parse_seconds = 0.0

    def read_fresh(self, table: FileTable, positions: list[int]) -> list[tuple[str, Row]]:
        """Read the files at these positions of the table (each listed with its key) into it;
        their rows for the index (made and hashed where the files were read)."""
        started = perf_counter()
        paths, stamps, path_of = table.paths, table.stamps, self.path_of
        files = [(path_of(paths[i]), paths[i], key_at(stamps, i)) for i in positions]
        rows = []
        for i, (path, shown, key), row in zip(positions, files,
                                               read_many(files, self.tz, self.theme_ids),
                                               strict=True):
            if row.sid is None:  # problems or warnings: the record says which
                table.put(shown, key, self.state_of(loads(row.record), shown, path))
            else:  # a clean summary: its Summary is made when asked for
                assert row.url is not None and row.day is not None
                table.put_clean(i, IndexEntry(shown, row.sid, row.url, date.fromisoformat(
                    row.day), partial(summary_from_text, row.record, shown, path, self.tz)))
            rows.append((shown, row))
        self.parse_seconds += perf_counter() - started
        return rows

    def state_of(self, record: dict[str, Any], shown: str, path: str) -> FileState:
        entry = None
        if record["summary"] is not None:
            summary = summary_from_record(record["summary"], shown, path, self.tz)
            entry = IndexEntry(shown, summary.id, summary.url, summary.date, summary=summary)
        return FileState(entry, [problem_from_dict(p) for p in record["problems"]],
                         [problem_from_dict(w) for w in record["warnings"]])

    def path_of(self, shown: str) -> str:
        return self.folder_text + shown[len(self.prefix):]  # os.path.join's result, faster

    def entry_maker(self, cache: Any) -> Callable[[str, str, str, str, Key], IndexEntry]:
        """Entries of unchanged files: the Summary comes from the cached record when asked
        (only a record stored for the file's key: `key`)."""
        tz, theme_ids, path_of = self.tz, self.theme_ids, self.path_of

        def make(shown: str, sid: str, url: str, day: str, key: Key) -> IndexEntry:
            return IndexEntry(shown, sid, url, date.fromisoformat(day), partial(
                _summary_from_cache, cache, shown, key, path_of(shown), tz, theme_ids))
        return make

    def scan(self, use_cache: bool, listing: Listing | None = None
             ) -> tuple[FileTable, list[Problem]]:
        """Every file, through the index cache when `use_cache`: one stat per file (or the
        `listing` given), and the files whose key changed (or that the cache does not know) are
        read."""
        unreadable: list[tuple[str, OSError]] = []
        listed: list[Problem] = []  # a damaged entry of the folders' names
        if listing is not None:
            rels, stamps, links = listing[0], listing[1], list(listing[2])
        else:
            links = []
            rels, stamps = list_summary_files(self.folder, links, self.prefix, unreadable,
                                              cache_folder(self.ws.root, FOLDERS)
                                              if use_cache else None, listed)
        prefix = self.prefix
        paths = [prefix + rel for rel in rels]
        cache = IndexCache(self.ws.root, [self.ws.config.timezone, *self.theme_ids]) \
            if use_cache else None
        state = cache.open() if cache else None
        notices = state.notices if state else []  # the cache's own list: later notices join
        notices += listed
        old = state.snapshot if state else Snapshot.empty()
        if old.paths == paths:  # the same files (the usual case): which keys changed?
            ids, urls, days = list(old.ids), list(old.urls), list(old.days)
            for i in changed_positions(old.stamps, stamps, 3):
                ids[i] = urls[i] = days[i] = None
            table = FileTable(paths, stamps, ids, urls, days)
            stale = [i for i, sid in enumerate(ids) if sid is None] if None in ids else []
        else:
            table, stale = self._merge(old, paths, stamps)
        table.cache = cache  # where the entries of unchanged files find their records
        fresh: list[int] = []
        for i in stale:  # a file not clean (problems, warnings) keeps them in its record
            shown, key = paths[i], key_at(stamps, i)
            record = _cached_record(cache, shown, key) if table.ids[i] is None and \
                old.key(shown) == key else None
            if record is None:
                fresh.append(i)
            else:
                table.put(shown, key, self.state_of(record, shown, self.path_of(shown)))
        changed_rows = self.read_fresh(table, fresh)
        removed = set(old.paths).difference(paths) if old.paths != paths else set()
        if cache is not None and (changed_rows or removed or notices):
            notices.extend(cache.store(changed_rows, removed, table.snapshot()))
        for rel in links:  # after the snapshot: a link is looked at again on every run
            table.put(prefix + rel, (0, 0, 0), FileState(None, [link_problem(prefix + rel)], ()))
        self.put_unreadable(table, prefix, unreadable)  # so too what could not be read
        return table, notices

    @staticmethod
    def put_unreadable(table: FileTable, prefix: str, unreadable: list[tuple[str, OSError]]
                       ) -> None:
        """A folder or file that could not be read, as a file with that problem: reported
        with every other, left out only with --skip-invalid."""
        for rel, reason in unreadable:
            where = unreadable_where(prefix, rel)
            table.put(where, (0, 0, 0), FileState(None, [unreadable_problem(where, reason)], ()))

    def _merge(self, old: Snapshot, paths: list[str], stamps: list[int]
               ) -> tuple[FileTable, list[int]]:
        """The table of what is on disk, with the cache's columns for the unchanged files; the
        positions of the others (and of unclean ones) to look at."""
        where = dict(zip(old.paths, range(len(old.paths)), strict=True))
        n = len(paths)
        ids: list[str | None] = [None] * n
        urls: list[str | None] = [None] * n
        days: list[str | None] = [None] * n
        stale = []
        for i, shown in enumerate(paths):
            j = where.get(shown)
            if j is not None and old.ids[j] is not None and old.key_at(j) == key_at(stamps, i):
                ids[i], urls[i], days[i] = old.ids[j], old.urls[j], old.days[j]
            else:
                stale.append(i)
        return FileTable(paths, stamps, ids, urls, days), stale

    def refresh(self, table: FileTable, path: str) -> None:
        """Read one changed path again (gone: forget it; a folder: everything below it; a
        link: a problem, never followed)."""
        absolute = os.path.abspath(path)
        folder = os.path.abspath(self.folder)
        if not absolute.startswith(folder + os.sep):
            return
        rel = os.path.relpath(absolute, folder).replace(os.sep, "/")
        shown = self.prefix + rel
        parts = rel.split("/")
        if any(is_hidden_name(p) for p in parts) or _inside_a_link(folder, parts):
            return
        linked = os.path.islink(absolute)
        if linked or os.path.isdir(absolute) or not os.path.exists(absolute):
            for known in [k for k in table.paths if k == shown or k.startswith(shown + "/")]:
                table.drop(known)
            if linked and (os.path.isdir(absolute) or is_summary_file_name(parts[-1])):
                table.put(shown, (0, 0, 0), FileState(None, [link_problem(shown)], ()))
            elif os.path.isdir(absolute):
                links: list[str] = []
                unreadable: list[tuple[str, OSError]] = []
                for sub_rel, sub_path, key in iter_summary_files(Path(absolute), links,
                                                                 shown, unreadable):
                    sub_shown = f"{shown}/{sub_rel}"
                    table.put(sub_shown, key, self.read_one(sub_path, sub_shown))
                for sub_rel in links:
                    sub_shown = f"{shown}/{sub_rel}"
                    table.put(sub_shown, (0, 0, 0), FileState(None, [link_problem(sub_shown)], ()))
                self.put_unreadable(table, shown + "/", unreadable)
            return
        if is_summary_file_name(parts[-1]):
            table.put(shown, (0, 0, 0), self.read_one(absolute, shown))

    def read_one(self, path: str, shown: str) -> FileState:
        started = perf_counter()
        record = parse_file(path, shown, self.tz, self.theme_ids)
        self.parse_seconds += perf_counter() - started
        return self.state_of(record, shown, path)


def _inside_a_link(folder: str, parts: list[str]) -> bool:
    """Is a folder on the way to this path (below `folder`) a symbolic link? Its files are never
    read (the link itself is reported by the scan), whatever a file watcher reports."""
    where = folder
    for part in parts[:-1]:
        where = os.path.join(where, part)
        if os.path.islink(where):
            return True
    return False


def link_problem(shown: str) -> Problem:
    return Problem(shown, "is a symbolic link; summaries are read only from files and folders "
                   "inside summaries_dir (a link could lead out of the workspace)",
                   fix="replace the link with the file or folder itself")


def _cached_record(cache: Any, shown: str, key: Key) -> dict[str, Any] | None:
    """The stored record of an unchanged file (stored for this `key`: another process may have
    stored a newer one since the snapshot was read)."""
    text = cache.record(shown, key) if cache is not None else None
    try:
        return loads(text) if text is not None else None
    except ValueError:
        return None


def _summary_from_cache(cache: Any, shown: str, key: Key, path: str, tz: ZoneInfo,
                        theme_ids: tuple[str, ...]) -> Summary:
    """A summary from its cached record; a missing or unreadable one means reading the file."""
    record = _cached_record(cache, shown, key)
    try:
        if record is not None:
            return summary_from_record(record["summary"], shown, path, tz)
    except (KeyError, TypeError, ValueError):
        pass
    record = parse_file(path, shown, tz, theme_ids)
    if record["summary"] is None:
        raise ContentError(f"{shown} could not be read",
                           [problem_from_dict(p) for p in record["problems"]])
    return summary_from_record(record["summary"], shown, path, tz)


def duplicate_problems(paths: list[str], ids: list[str], urls: list[str]) -> list[Problem]:
    """Two summaries with the same id or url: both files are named."""
    problems: list[Problem] = []
    for key, values in (("id", ids), ("url", urls)):
        if len(set(values)) == len(values):
            continue  # the usual case, found without a loop in Python
        seen: dict[str, str] = {}
        for path, value in zip(paths, values, strict=True):
            if value in seen:
                problems.append(Problem(
                    path, f"{key} '{value}' is also used by {seen[value]}", field=key,
                    fix=f"give one of the two files a different {key}"))
            else:
                seen[value] = path
    return problems


def _fold_unknown_keys(warnings: list[Problem]) -> list[Problem]:
    """One warning per unknown key (with its files), not one per file: imports carry many."""
    by_key: dict[str, list[str]] = {}
    rest: list[Problem] = []
    for w in warnings:
        if w.message.startswith("unknown front-matter key") and w.field:
            by_key.setdefault(w.field, []).append(w.where)
        else:
            rest.append(w)
    for key, files in sorted(by_key.items()):
        shown = ", ".join(files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")
        rest.append(Problem(shown, f"unknown front-matter key '{key}' in {len(files)} "
                            f"file{'s' * (len(files) != 1)} (kept, not used)", field=key,
                            level="warning"))
    return rest
