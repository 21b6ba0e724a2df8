"""Summaries: the model, reading one file, and loading + validating the whole archive.

Reading is split in two steps so a cache (or an importer) can reuse them: `read_source` turns a
file's bytes into front matter + body, and `make_summary` validates front matter into a Summary.
Every problem in every file is collected before anything fails.
"""

from __future__ import annotations

import os
import re
import threading
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cached_property, partial
from pathlib import Path
from time import perf_counter
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from newsletter import markdown
from newsletter.errors import ContentError, Problem
from newsletter.frontmatter import YAMLError, load_yaml, simple_front_matter
from newsletter.workspace import Workspace

STUDY_TYPES: dict[str, str] = {
    "clinical-trial": "Clinical trial",
    "observational": "Observational study",
    "lab": "Lab study",
    "review": "Review",
    "other": "Other",
}
KNOWN_KEYS = (
    "title", "published", "url", "teaser", "themes", "study_type", "source", "source_url",
    "image", "image_alt", "id",
)
ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
DATE_FIX = "write a date as YYYY-MM-DD (2026-05-14) or an ISO 8601 datetime with offset " \
           "(2026-05-14T09:30:00+02:00)"


@dataclass
class Summary:
    id: str
    path: str
    title: str
    published: datetime
    url: str
    body: str | None = None
    teaser_given: str | None = None
    themes: tuple[str, ...] = ()
    study_type: str | None = None
    source: str | None = None
    source_url: str | None = None
    image: str | None = None
    image_alt: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    file: str | None = field(default=None, repr=False, compare=False)

    @property
    def date(self) -> date:
        return self.published.date()

    @cached_property
    def teaser(self) -> str:
        """The card text: the given teaser, else the body's first paragraph, cut at 280."""
        if self.teaser_given:
            return self.teaser_given
        return markdown.cut(markdown.first_paragraph(self.body))

    @property
    def study_type_label(self) -> str | None:
        return STUDY_TYPES.get(self.study_type) if self.study_type else None


def _get_body(self: Summary) -> str:
    """The Markdown body; read from the file on first use when the summary came from the index."""
    if self._body is None:
        self._body = read_body(self.file) if self.file is not None else ""
    return self._body


def _set_body(self: Summary, value: str | None) -> None:
    self._body = value


# `body` stays a constructor argument (dataclass field) but is read lazily: a build reads the
# bodies of the selected summaries only.
Summary.body = property(_get_body, _set_body)  # type: ignore[assignment]


@dataclass
class Source:
    """A summary file split into front matter and body."""

    meta: dict[str, Any]
    body: str


@dataclass
class IndexEntry:
    """A valid summary as the archive index knows it; the Summary itself is made on demand."""

    path: str
    id: str
    url: str
    day: date
    make: Callable[[], Summary] | None = None
    summary: Summary | None = None

    def load(self) -> Summary:
        if self.summary is None:
            assert self.make is not None
            self.summary, self.make = self.make(), None
        return self.summary


class Archive:
    """Every valid summary; only those a caller asks for (by date or id) are fully built."""

    def __init__(self, entries: list[IndexEntry], warnings: list[Problem] | None = None,
                 skipped: list[Problem] | None = None, notices: list[Problem] | None = None
                 ) -> None:
        self.entries = entries
        self.warnings = warnings or []  # about the content
        self.skipped = skipped or []  # invalid files left out (--skip-invalid)
        self.notices = notices or []  # about the cache: shown, never part of an output
        self.parse_seconds = 0.0  # time spent reading and validating files (the rest: scan)
        self._ids: dict[str, IndexEntry] = {}
        for entry in entries:
            self._ids.setdefault(entry.id, entry)

    @property
    def size(self) -> int:
        return len(self.entries)

    @cached_property
    def summaries(self) -> list[Summary]:
        return [e.load() for e in self.entries]

    def between(self, start: date, end: date) -> list[Summary]:
        """Summaries whose local publication date is within start..end (inclusive)."""
        return [e.load() for e in self.entries if start <= e.day <= end]

    def get(self, summary_id: str) -> Summary | None:
        entry = self._ids.get(summary_id)
        return entry.load() if entry else None

    def ids(self) -> list[str]:
        return list(self._ids)

    def dates(self) -> list[date]:
        return sorted(e.day for e in self.entries)

    def by_id(self) -> dict[str, Summary]:
        return {summary_id: entry.load() for summary_id, entry in self._ids.items()}


class _Collector:
    """Problems of one file."""

    def __init__(self, where: str) -> None:
        self.where = where
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []

    def error(self, message: str, key: str | None = None, fix: str | None = None,
              line: int | None = None) -> None:
        self.problems.append(Problem(self.where, message, field=key, fix=fix, line=line))

    def warn(self, message: str, key: str | None = None, fix: str | None = None) -> None:
        self.warnings.append(Problem(self.where, message, field=key, fix=fix, level="warning"))


# --- one file -------------------------------------------------------------------------------


def read_source(raw: bytes, out: _Collector) -> Source | None:
    """Split a file's bytes into YAML front matter and Markdown body."""
    try:
        text = raw.decode("utf-8")  # the C codec; "utf-8-sig" is a slow Python wrapper
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        out.error(f"byte {exc.start} is not UTF-8 text", line=line,
                  fix="save the file as UTF-8")
        return None
    text = text.removeprefix("\ufeff").replace("\r\n", "\n")
    if not text.strip():
        out.error("the file is empty", fix="add front matter (title, published, url) and a body")
        return None
    lines = text.split("\n")
    if lines[0].strip() != "---":
        out.error("no front matter: the file must start with a line '---'", line=1,
                  fix="put the title, published and url keys between two '---' lines at the top")
        return None
    end = _front_matter_end(lines)
    if end is None:
        out.error("front matter is not closed", line=1,
                  fix="end the front matter with a line '---'")
        return None
    meta = simple_front_matter(lines[1:end])
    try:
        if meta is None:
            meta = load_yaml("\n".join(lines[1:end]))
    except YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else None
        reason = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        out.error(f"invalid YAML in front matter ({reason})", line=line,
                  fix="check quoting on that line; quote values that contain ': ' or start "
                      "with a special character")
        return None
    if meta is None:
        meta = {}
    if not isinstance(meta, dict):
        out.error("front matter must be a set of `key: value` lines", line=2)
        return None
    return Source(meta={str(k): v for k, v in meta.items()}, body="\n".join(lines[end + 1:]))


def _front_matter_end(lines: list[str]) -> int | None:
    return next((i for i in range(1, len(lines)) if lines[i].strip() in ("---", "...")), None)


def read_body(path: str | Path) -> str:
    """The body of a summary file (everything after the front matter)."""
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:  # removed or locked since the archive was read
        raise ContentError(
            f"{path} could not be read again ({exc.strerror}); build once more") from None
    text = raw.decode("utf-8-sig", errors="replace").replace("\r\n", "\n")
    lines = text.split("\n")
    end = _front_matter_end(lines) if lines and lines[0].strip() == "---" else None
    return "\n".join(lines[end + 1:]) if end is not None else ""


def parse_published(value: Any, tz: ZoneInfo) -> datetime | None:
    """A front-matter date or datetime as an aware datetime in the workspace time zone."""
    if isinstance(value, datetime):
        moment = value
    elif isinstance(value, date):
        moment = datetime.combine(value, time(0, 0))
    elif isinstance(value, str):
        text = value.strip()
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return None
    else:
        return None
    if moment.tzinfo is None:
        return moment.replace(tzinfo=tz)
    return moment.astimezone(tz)


def is_http_url(value: str) -> bool:
    parts = urlsplit(value)
    return parts.scheme in ("http", "https") and bool(parts.netloc) and " " not in value


def _text(meta: dict[str, Any], key: str, out: _Collector, *, required: bool = False) -> str | None:
    value = meta.get(key)
    if value is None or value == "":
        if required:
            out.error("is required", key, fix=f"add `{key}: ...` to the front matter")
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        out.error(f"must be text, got {type(value).__name__}", key, fix="put the value in quotes")
        return None
    if _SPACE_RUN.search(value):
        value = re.sub(r"\s+", " ", value)
    return value.strip() or None


_SPACE_RUN = re.compile(r"\s\s|[^\S ]")


def _url(meta: dict[str, Any], key: str, out: _Collector, *, required: bool = False,
         https: bool = False) -> str | None:
    value = _text(meta, key, out, required=required)
    if value is None:
        return None
    if not is_http_url(value) or (https and not value.startswith("https://")):
        kind = "https" if https else "http(s)"
        out.error(f"'{value}' is not an absolute {kind} URL", key,
                  fix=f"use a full {kind} link such as https://example.org/...")
        return None
    return value


def _themes(meta: dict[str, Any], theme_ids: tuple[str, ...], out: _Collector) -> tuple[str, ...]:
    value = meta.get("themes")
    if value is None or value == []:
        return ()
    items = [value] if isinstance(value, str) else value
    if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
        out.error("must be a list of theme ids", "themes", fix="write themes: [treatments]")
        return ()
    unknown = [i for i in items if i not in theme_ids]
    for item in unknown:
        out.error(f"unknown theme id '{item}'", "themes",
                  fix="use one of: " + ", ".join(theme_ids))
    return () if unknown else tuple(dict.fromkeys(items))


def make_summary(source: Source, path: str, default_id: str, tz: ZoneInfo,
                 theme_ids: tuple[str, ...], out: _Collector) -> Summary | None:
    """Validate front matter into a Summary; record every problem in `out`."""
    meta = source.meta
    title = _text(meta, "title", out, required=True)
    url = _url(meta, "url", out, required=True)
    published = None
    if meta.get("published") in (None, ""):
        out.error("is required", "published", fix="add `published: 2026-05-14`")
    else:
        published = parse_published(meta["published"], tz)
        if published is None:
            out.error(f"cannot read '{meta['published']}' as a date", "published", fix=DATE_FIX)
    summary_id = _text(meta, "id", out) or default_id
    if not ID_PATTERN.fullmatch(summary_id):
        out.error(f"'{summary_id}' is not a usable id", "id",
                  fix="use letters, digits, '.', '_' and '-' only (the file name is the default)")
    study_type = _text(meta, "study_type", out)
    if study_type is not None and study_type not in STUDY_TYPES:
        out.error(f"unknown study type '{study_type}'", "study_type",
                  fix="use one of: " + ", ".join(STUDY_TYPES))
    image = _url(meta, "image", out, https=True)
    image_alt = meta.get("image_alt")
    if image and not isinstance(image_alt, str):
        out.error("is required when image is set", "image_alt",
                  fix='describe the image, or write image_alt: "" for a decorative one')
    for key in sorted(set(meta) - set(KNOWN_KEYS)):
        out.warn(f"unknown front-matter key '{key}' (kept, not used)", key)
    summary = Summary(
        id=summary_id,
        path=path,
        title=title or "",
        published=published or datetime.min.replace(tzinfo=tz),
        url=url or "",
        body=source.body,
        teaser_given=_text(meta, "teaser", out),
        themes=_themes(meta, theme_ids, out),
        study_type=study_type if study_type in STUDY_TYPES else None,
        source=_text(meta, "source", out),
        source_url=_url(meta, "source_url", out),
        image=image,
        image_alt=image_alt.strip() if isinstance(image_alt, str) else None,
        extra={k: v for k, v in meta.items() if k not in KNOWN_KEYS},
    )
    return None if out.problems else summary


# --- the archive ----------------------------------------------------------------------------


def iter_summary_files(folder: Path) -> Iterator[tuple[str, str, os.stat_result]]:
    """(relative posix path, path, stat) of every *.md below `folder`, sorted; README.md and
    names starting with '.' or '_' are left out."""
    found: list[tuple[str, str, os.stat_result]] = []

    def walk(directory: str, prefix: str) -> None:
        with os.scandir(directory) as entries:
            for entry in entries:
                if entry.name.startswith((".", "_")):
                    continue
                if entry.is_dir(follow_symlinks=False):
                    walk(entry.path, f"{prefix}{entry.name}/")
                elif (entry.name.endswith(".md") and entry.name.lower() != "readme.md"
                      and entry.is_file()):
                    found.append((prefix + entry.name, entry.path, entry.stat()))

    walk(str(folder), "")
    found.sort(key=lambda item: item[0])
    return iter(found)


PARALLEL_MIN = 2000  # files to read before worker processes pay off


def _parse_job(job: tuple[str, str, ZoneInfo, tuple[str, ...]]) -> dict[str, Any]:
    return parse_file(*job)


def parse_file(path: str, shown: str, tz: ZoneInfo, theme_ids: tuple[str, ...]) -> dict[str, Any]:
    """Read and validate one file into a record: the summary's fields, or its problems."""
    out = _Collector(shown)
    try:
        with open(path, "rb") as handle:
            raw = handle.read()
    except OSError as exc:
        out.error(f"cannot be read ({exc.strerror})", fix="check the file's permissions")
        return {"summary": None, "problems": [p.as_dict() for p in out.problems], "warnings": []}
    source = read_source(raw, out)
    summary = None
    if source is not None:
        stem = os.path.basename(path)[: -len(".md")]
        summary = make_summary(source, shown, stem, tz, theme_ids, out)
    return {
        "summary": _summary_fields(summary) if summary is not None else None,
        "problems": [p.as_dict() for p in out.problems],
        "warnings": [w.as_dict() for w in out.warnings],
    }


_RECORD_FIELDS = ("id", "title", "url", "teaser_given", "study_type", "source", "source_url",
                  "image", "image_alt")


def _summary_fields(summary: Summary) -> dict[str, Any]:
    fields = {name: getattr(summary, name) for name in _RECORD_FIELDS}
    fields["published"] = summary.published.isoformat()
    fields["themes"] = list(summary.themes)
    fields["extra"] = summary.extra
    return fields


def _summary_from_record(fields: dict[str, Any], shown: str, path: str, tz: ZoneInfo) -> Summary:
    return Summary(
        path=shown, published=datetime.fromisoformat(fields["published"]).astimezone(tz),
        themes=tuple(fields["themes"]), extra=fields["extra"], file=path,
        **{name: fields[name] for name in _RECORD_FIELDS},
    )


def _problem(data: dict[str, Any]) -> Problem:
    return Problem(data["where"], data["message"], data["field"], data["fix"], data["line"],
                   data["level"])


@dataclass
class FileState:
    """What one summary file gave: its index entry (when valid) and its problems."""

    entry: IndexEntry | None
    problems: Sequence[Problem]
    warnings: Sequence[Problem]


_NONE: tuple[Problem, ...] = ()


@dataclass
class ArchiveMemo:
    """An in-memory index kept between builds by a long-running process (the preview), so a
    rebuild reads only the files its watcher says changed."""

    fingerprint: tuple[str, ...] = ()
    files: dict[str, FileState] = field(default_factory=dict)


def load_archive(ws: Workspace, *, skip_invalid: bool = False, use_cache: bool = True,
                 memo: ArchiveMemo | None = None, changed: Iterable[str] | None = None) -> Archive:
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
            summary = _summary_from_record(record["summary"], shown, path, self.tz)
            entry = IndexEntry(shown, summary.id, summary.url, summary.date, summary=summary)
        return FileState(entry, [_problem(p) for p in record["problems"]],
                         [_problem(w) for w in record["warnings"]])

    def scan(self, use_cache: bool) -> tuple[dict[str, FileState], list[Problem]]:
        """Every file, through the SQLite index cache when `use_cache`."""
        from newsletter.cache import IndexCache, Row

        cache = IndexCache(self.ws.root, [self.ws.config.timezone, *self.theme_ids]) \
            if use_cache else None
        state = cache.open() if cache else None
        rows = state.rows if state else {}
        notices = list(state.notices) if state else []
        files: dict[str, FileState] = {}
        changed: list[tuple[str, Row]] = []
        missing: list[tuple[str, str, tuple[int, int, int]]] = []
        tz, theme_ids = self.tz, self.theme_ids
        for rel, path, stat in iter_summary_files(self.folder):
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
        for (shown, path, key), record in zip(missing, self.parse_many(missing), strict=True):
            files[shown] = state = self.state_of(record, shown, path)
            if cache is not None:
                changed.append((shown, _row(record, key, state)))
        if cache is not None:
            notices += cache.store(changed, set(rows) - set(files))
        return files, notices

    def refresh(self, files: dict[str, FileState], path: str) -> None:
        """Read one changed path again (gone: forget it; a folder: everything below it)."""
        absolute = os.path.abspath(path)
        folder = os.path.abspath(self.folder)
        if not absolute.startswith(folder + os.sep):
            return
        rel = os.path.relpath(absolute, folder).replace(os.sep, "/")
        shown = self.prefix + rel
        if os.path.isdir(absolute) or not os.path.exists(absolute):
            for known in [k for k in files if k == shown or k.startswith(shown + "/")]:
                del files[known]
            if os.path.isdir(absolute):
                for sub_rel, sub_path, _stat in iter_summary_files(Path(absolute)):
                    sub_shown = f"{shown}/{sub_rel}"
                    files[sub_shown] = self.state_of(self.parse(sub_path, sub_shown), sub_shown,
                                                     sub_path)
            return
        parts = rel.split("/")
        if (not rel.endswith(".md") or rel.rsplit("/", 1)[-1].lower() == "readme.md"
                or any(part.startswith((".", "_")) for part in parts)):
            return
        files[shown] = self.state_of(self.parse(absolute, shown), shown, absolute)


def _cached_record(cache: Any, shown: str) -> dict[str, Any] | None:
    """The stored record of an unchanged file that is not a clean summary (problems, warnings)."""
    from newsletter.cache import loads

    text = cache.record(shown) if cache is not None else None
    try:
        return loads(text) if text is not None else None
    except ValueError:
        return None


def _row(record: dict[str, Any], key: tuple[int, int, int], state: FileState) -> Any:
    """The cache row of a freshly read file (id, url and date only for a clean summary)."""
    from newsletter.cache import Row, dumps

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
            return _summary_from_record(record["summary"], shown, path, tz)
    except (KeyError, TypeError, ValueError):
        pass
    record = parse_file(path, shown, tz, theme_ids)
    if record["summary"] is None:
        raise ContentError(f"{shown} could not be read",
                           [_problem(p) for p in record["problems"]])
    return _summary_from_record(record["summary"], shown, path, tz)


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
            skip_invalid: bool) -> Archive:
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
    return Archive(kept, _fold_unknown_keys(warnings), skipped)


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
