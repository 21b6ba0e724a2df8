"""Loading the whole collection of summaries: scan, index cache, parallel parsing, memo.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from time import perf_counter
from typing import Any
from zoneinfo import ZoneInfo

from newsletter.errors import ContentError, Problem
from newsletter.storage.journal import STAGING, recover_files
from newsletter.storage.lock import workspace_lock
from newsletter.summaries.model import IndexEntry, Library, Summary
from newsletter.summaries.names import HIDDEN_FIRST, is_hidden_name, is_summary_file_name
from newsletter.summaries.parse import parse_file, problem_from_dict, summary_from_record
from newsletter.workspace import Workspace


def iter_summary_files(folder: Path, links: list[str] | None = None
                       ) -> Iterator[tuple[str, str, os.stat_result]]:
    """(relative posix path, path, stat) of every summary file below `folder`, sorted (see
    `names.is_summary_file_name`). Symbolic links are never followed (one could lead out of the
    workspace): their relative paths are added to `links`."""
    found: list[tuple[str, str, os.stat_result]] = []

    def walk(directory: str, prefix: str) -> None:
        with os.scandir(directory) as entries:
            for entry in entries:
                name = entry.name
                if name[0] in HIDDEN_FIRST:
                    continue
                if entry.is_symlink():
                    if links is not None and (entry.is_dir() or is_summary_file_name(name)):
                        links.append(prefix + name)
                elif entry.is_dir(follow_symlinks=False):
                    walk(entry.path, f"{prefix}{name}/")
                elif is_summary_file_name(name) and entry.is_file(follow_symlinks=False):
                    found.append((prefix + name, entry.path, entry.stat(follow_symlinks=False)))

    walk(str(folder), "")
    found.sort(key=lambda item: item[0])
    return iter(found)


PARALLEL_MIN = 2000  # files to read before worker processes pay off


def _parse_job(job: tuple[str, str, ZoneInfo, tuple[str, ...]]) -> dict[str, Any]:
    return parse_file(*job)


@dataclass
class FileState:
    """What one summary file gave: its index entry (when valid) and its problems."""

    entry: IndexEntry | None
    problems: Sequence[Problem]
    warnings: Sequence[Problem]


_NONE: tuple[Problem, ...] = ()


@dataclass
class LibraryMemo:
    """An in-memory index kept between builds by a long-running process (the preview), so a
    rebuild reads only the files its watcher says changed."""

    fingerprint: tuple[str, ...] = ()
    files: dict[str, FileState] = field(default_factory=dict)


def load_library(ws: Workspace, *, skip_invalid: bool = False, use_cache: bool = True,
                 memo: LibraryMemo | None = None, changed: Iterable[str] | None = None) -> Library:
    """Read and validate every summary; raise ContentError listing every problem.

    With the index cache (see cache.py) only files that changed since the last run are read;
    the summaries themselves are built only for what a caller selects, and bodies are read
    later still, for the summaries a build actually shows. With a `memo` from an earlier call
    and the `changed` file paths, only those files are looked at.
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
    if memo is not None and changed is not None and memo.fingerprint == context.fingerprint:
        files = memo.files
        for path in changed:
            context.refresh(files, path)
    else:
        files, notices = context.scan(use_cache)
        if memo is not None:
            memo.fingerprint, memo.files = context.fingerprint, files
    entries: list[IndexEntry] = []
    problems: list[Problem] = []
    warnings: list[Problem] = []
    for shown in sorted(files):
        state = files[shown]
        if state.entry is not None:
            entries.append(state.entry)
        problems += state.problems
        warnings += state.warnings
    problems += duplicate_problems(entries)
    archive = _finish(entries, problems, warnings, skip_invalid)
    archive.notices = notices
    archive.parse_seconds = context.parse_seconds
    return archive


class _LoadContext:
    """The settings a file is read with, and the two ways of reading the archive."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.folder = ws.summaries_path
        self.tz = ZoneInfo(ws.config.timezone)
        self.theme_ids = ws.config.theme_ids
        self.prefix = ws.config.summaries_dir.strip("/").replace("\\", "/") + "/"
        self.fingerprint = (ws.config.timezone, str(self.folder), *self.theme_ids)
        self.parse_seconds = 0.0

    def parse_many(self, files: list[tuple[str, str, Any]]) -> list[dict[str, Any]]:
        """Read many files: in worker processes when there are thousands and several cores."""
        started = perf_counter()
        jobs = [(path, shown, self.tz, self.theme_ids) for shown, path, _key in files]
        workers = min(os.cpu_count() or 1, 4)
        if len(jobs) < PARALLEL_MIN or workers < 2 or threading.active_count() > 1:
            records = [parse_file(*job) for job in jobs]  # (no fork while threads run)
        else:
            from concurrent.futures import ProcessPoolExecutor
            from multiprocessing import get_context

            with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
                records = list(pool.map(_parse_job, jobs, chunksize=256))
        self.parse_seconds += perf_counter() - started
        return records

    def parse(self, path: str, shown: str) -> dict[str, Any]:
        started = perf_counter()
        record = parse_file(path, shown, self.tz, self.theme_ids)
        self.parse_seconds += perf_counter() - started
        return record

    def state_of(self, record: dict[str, Any], shown: str, path: str) -> FileState:
        entry = None
        if record["summary"] is not None:
            summary = summary_from_record(record["summary"], shown, path, self.tz)
            entry = IndexEntry(shown, summary.id, summary.url, summary.date, summary=summary)
        return FileState(entry, [problem_from_dict(p) for p in record["problems"]],
                         [problem_from_dict(w) for w in record["warnings"]])

    def scan(self, use_cache: bool) -> tuple[dict[str, FileState], list[Problem]]:
        """Every file, through the SQLite index cache when `use_cache`."""
        from newsletter.summaries.index import IndexCache, Row

        cache = IndexCache(self.ws.root, [self.ws.config.timezone, *self.theme_ids]) \
            if use_cache else None
        state = cache.open() if cache else None
        rows = state.rows if state else {}
        notices = state.notices if state else []  # the cache's own list: later notices join
        files: dict[str, FileState] = {}
        changed: list[tuple[str, Row]] = []
        missing: list[tuple[str, str, tuple[int, int, int]]] = []
        tz, theme_ids = self.tz, self.theme_ids
        links: list[str] = []
        for rel, path, stat in iter_summary_files(self.folder, links):
            shown = self.prefix + rel
            key = (stat.st_size, stat.st_mtime_ns, stat.st_ctime_ns)
            row = rows.get(shown)
            if row is not None and row[:3] == key and row[3] is not None:
                make = partial(_summary_from_cache, cache, shown, path, tz, theme_ids)
                entry = IndexEntry(shown, row[3], row[4] or "", date.fromisoformat(row[5] or ""),
                                   make)
                files[shown] = FileState(entry, _NONE, _NONE)
                continue
            record = _cached_record(cache, shown) if row is not None and row[:3] == key else None
            if record is None:
                files[shown] = FileState(None, _NONE, _NONE)  # keeps the order; filled below
                missing.append((shown, path, key))
            else:
                files[shown] = self.state_of(record, shown, path)
        for rel in links:
            files[self.prefix + rel] = FileState(None, [link_problem(self.prefix + rel)], _NONE)
        for (shown, path, key), record in zip(missing, self.parse_many(missing), strict=True):
            files[shown] = state = self.state_of(record, shown, path)
            if cache is not None:
                changed.append((shown, _row(record, key, state)))
        if cache is not None:
            notices.extend(cache.store(changed, set(rows) - set(files)))
        return files, notices

    def refresh(self, files: dict[str, FileState], path: str) -> None:
        """Read one changed path again (gone: forget it; a folder: everything below it)."""
        absolute = os.path.abspath(path)
        folder = os.path.abspath(self.folder)
        if not absolute.startswith(folder + os.sep):
            return
        rel = os.path.relpath(absolute, folder).replace(os.sep, "/")
        shown = self.prefix + rel
        parts = rel.split("/")
        if any(is_hidden_name(p) for p in parts):
            return
        linked = os.path.islink(absolute)
        if linked or os.path.isdir(absolute) or not os.path.exists(absolute):
            for known in [k for k in files if k == shown or k.startswith(shown + "/")]:
                del files[known]
            if linked and (os.path.isdir(absolute) or is_summary_file_name(parts[-1])):
                files[shown] = FileState(None, [link_problem(shown)], _NONE)
            elif os.path.isdir(absolute):
                links: list[str] = []
                for sub_rel, sub_path, _stat in iter_summary_files(Path(absolute), links):
                    sub_shown = f"{shown}/{sub_rel}"
                    files[sub_shown] = self.state_of(self.parse(sub_path, sub_shown), sub_shown,
                                                     sub_path)
                for sub_rel in links:
                    files[f"{shown}/{sub_rel}"] = FileState(
                        None, [link_problem(f"{shown}/{sub_rel}")], _NONE)
            return
        if is_summary_file_name(parts[-1]):
            files[shown] = self.state_of(self.parse(absolute, shown), shown, absolute)


def link_problem(shown: str) -> Problem:
    return Problem(shown, "is a symbolic link; summaries are read only from files and folders "
                   "inside summaries_dir (a link could lead out of the workspace)",
                   fix="replace the link with the file or folder itself")


def _cached_record(cache: Any, shown: str) -> dict[str, Any] | None:
    """The stored record of an unchanged file that is not a clean summary (problems, warnings)."""
    from newsletter.summaries.index import loads

    text = cache.record(shown) if cache is not None else None
    try:
        return loads(text) if text is not None else None
    except ValueError:
        return None


def _row(record: dict[str, Any], key: tuple[int, int, int], state: FileState) -> Any:
    """The cache row of a freshly read file (id, url and date only for a clean summary)."""
    from newsletter.summaries.index import Row, dumps

    entry = state.entry
    if entry is None or record["problems"] or record["warnings"]:
        return Row(key, None, None, None, dumps(record))
    return Row(key, entry.id, entry.url, entry.day.isoformat(), dumps(record))


def _summary_from_cache(cache: Any, shown: str, path: str, tz: ZoneInfo,
                        theme_ids: tuple[str, ...]) -> Summary:
    """A summary from its cached record; a missing or unreadable one means reading the file."""
    record = _cached_record(cache, shown)
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


def duplicate_problems(entries: Iterable[IndexEntry | Summary]) -> list[Problem]:
    """Two summaries with the same id or url: both files are named."""
    problems: list[Problem] = []
    for key in ("id", "url"):
        seen: dict[str, IndexEntry | Summary] = {}
        for entry in entries:
            value = getattr(entry, key)
            if value in seen:
                other = seen[value]
                problems.append(Problem(
                    entry.path, f"{key} '{value}' is also used by {other.path}", field=key,
                    fix=f"give one of the two files a different {key}"))
            else:
                seen[value] = entry
    return problems


def _finish(entries: list[IndexEntry], problems: list[Problem], warnings: list[Problem],
            skip_invalid: bool) -> Library:
    if problems and not skip_invalid:
        files = len({p.where for p in problems})
        raise ContentError(
            f"{len(problems)} problem{'s' * (len(problems) != 1)} in {files} summary "
            f"file{'s' * (files != 1)} (fix them, or pass --skip-invalid to leave those files out)",
            problems,
        )
    bad = {p.where for p in problems}
    kept = [e for e in entries if e.path not in bad]
    skipped = [Problem(p.where, p.message, p.field, p.fix, p.line, "warning") for p in problems]
    return Library(kept, _fold_unknown_keys(warnings), skipped)


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
