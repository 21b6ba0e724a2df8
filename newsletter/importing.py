"""`newsletter import`: bring summaries in from pages, Markdown, JSON/JSONL, CSV and feeds.

The run, in order; nothing is written before every record has been checked:

1. sources: files, folders (recursive) or standard input; `--format auto` picks a reader per
   file by extension, else by sniffing the content, and says what it chose;
2. read: the format's reader (`newsletter.importers`) yields raw records;
3. prepare: aliases mapped to the canonical keys, dates and theme names normalised, the size
   limit checked, and the record rendered as the canonical file it would become and validated by
   the core's own `read_source` + `make_summary`, so an imported file always loads;
4. ids: the record's own id, else the page file's slug, else the title's slug (a clash gets
   -2, -3, ...); an id or url used twice in one run is an error;
5. compare with the archive: same id or url with identical content is `unchanged`, with different
   content a `conflict` (or `updated` with --update);
6. write (unless --dry-run, or some record is invalid and --skip-invalid was not given): every
   file is first written to a temporary name beside its target, then all are renamed.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import secrets
import stat
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from newsletter.content import (
    DATE_FIX,
    KNOWN_KEYS,
    Summary,
    _Collector,
    is_http_url,
    iter_summary_files,
    make_summary,
    read_source,
)
from newsletter.errors import ContentError, OutputError, Problem, UsageError
from newsletter.importers import EXTENSIONS, FORMATS, READERS, htmltext
from newsletter.importers.base import (
    ALIASES,
    PageOptions,
    RawRecord,
    Source,
    names_for,
    slugify,
)
from newsletter.workspace import Workspace

MAX_RECORD_BYTES = 1_000_000
STDIN = "-"
STATUSES = ("new", "unchanged", "updated", "conflict", "invalid")
# Front-matter keys in the order imported files are written; other keys follow, sorted.
KEY_ORDER = ("title", "published", "url", "teaser", "themes", "study_type", "source",
             "source_url", "image", "image_alt", "id")
TEXT_KEYS = ("title", "teaser", "source", "image_alt", "study_type", "id", "url", "source_url",
             "image")
LENIENT_THEME_KEYS = ("tags", "categories")
HTML_BODY_FORMATS = ("json", "jsonl", "csv")
SLASH_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")
ISO_DAY = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class FlowList(list[Any]):
    """A list written on one line in front matter (themes: [treatments, living])."""


class _FrontMatterDumper(_Dumper):  # type: ignore[misc, valid-type]
    pass


_FrontMatterDumper.add_representer(
    str, lambda dumper, data: dumper.represent_scalar(  # a line break: one escaped line, so no
        "tag:yaml.org,2002:str", data,                   # front-matter line can read as '---'
        style='"' if any(c in data for c in "\n\r\x85\u2028\u2029") else None))
_FrontMatterDumper.add_representer(
    FlowList, lambda dumper, data: dumper.represent_sequence(
        "tag:yaml.org,2002:seq", data, flow_style=True))

ProgressFactory = Callable[[str, int], AbstractContextManager[Any]]


@dataclass(frozen=True)
class ImportOptions:
    format: str = "auto"
    published: str | None = None
    url: str | None = None
    base_url: str | None = None
    update: bool = False
    dry_run: bool = False
    skip_invalid: bool = False


@dataclass(frozen=True)
class Choice:
    """The format read from one source, and why."""

    label: str
    format: str
    reason: str


@dataclass
class Item:
    """One record on its way through the run."""

    label: str  # the source
    where: str  # the source and the record's number
    line: int | None
    format: str
    meta: dict[str, Any] = field(default_factory=dict)
    body: str = ""
    default_id: str | None = None
    summary: Summary | None = None
    status: str = "invalid"
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)
    id: str | None = None
    path: Path | None = None
    text: str | None = None
    conflict: Problem | None = None

    @property
    def explicit_id(self) -> bool:
        return bool(self.meta.get("id"))


@dataclass
class Existing:
    """A summary file already in the archive (read leniently: it may be invalid)."""

    path: Path
    id: str
    url: str | None
    meta: dict[str, Any] | None
    body: str


@dataclass
class ImportResult:
    summaries_dir: str
    options: ImportOptions
    choices: list[Choice] = field(default_factory=list)
    skipped_files: list[str] = field(default_factory=list)
    source_problems: list[Problem] = field(default_factory=list)
    items: list[Item] = field(default_factory=list)
    aliases: Counter[tuple[str, str]] = field(default_factory=Counter)
    unknown_categories: Counter[str] = field(default_factory=Counter)
    written: list[Path] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for item in self.items if item.status == status)

    @property
    def invalid(self) -> int:
        """Invalid records, plus each source that could not be read at all."""
        return self.count("invalid") + len({p.where for p in self.source_problems})

    @property
    def conflicts(self) -> int:
        return self.count("conflict")

    @property
    def blocked(self) -> bool:
        """Nothing is written: an invalid record (without --skip-invalid)."""
        return self.invalid > 0 and not self.options.skip_invalid

    def invalid_problems(self) -> list[Problem]:
        return self.source_problems + [p for i in self.items if i.status == "invalid"
                                       for p in i.problems]

    def conflict_problems(self) -> list[Problem]:
        return [i.conflict for i in self.items if i.status == "conflict" and i.conflict]

    def failure(self) -> ContentError | None:
        """The error a run ends with (exit 1), or None when it succeeded."""
        problems: list[Problem] = []
        parts: list[str] = []
        if self.invalid and not self.options.skip_invalid:
            problems += self.invalid_problems()
            parts.append(f"{self.invalid} invalid record{'s' * (self.invalid != 1)}: nothing "
                         "was written (fix them, or pass --skip-invalid to import the others)")
        if self.conflicts:
            problems += self.conflict_problems()
            parts.append(f"{self.conflicts} conflict{'s' * (self.conflicts != 1)} with the "
                         "archive (not written; pass --update to replace those summaries)")
        return ContentError("; ".join(parts), problems) if problems else None


# --- the run ------------------------------------------------------------------------------------


def import_sources(ws: Workspace, sources: Sequence[str], options: ImportOptions, *,
                   stdin: bytes | Callable[[], bytes] | None = None, cwd: Path | None = None,
                   progress: ProgressFactory | None = None) -> ImportResult:
    """Import every source into the workspace's archive; see the module documentation.

    `stdin` is the data of the source `-` (or a function reading it, called only when the
    options are right)."""
    cwd = cwd or Path.cwd()
    progress = progress or no_progress
    page_options = check_options(sources, options)
    result = ImportResult(ws.relative(ws.summaries_path) + "/", options)
    loaded = _load_sources(sources, options.format, cwd, stdin, result)
    _check_page_options(options, result.choices)
    items = _read_all(loaded, page_options, result)
    tz = ZoneInfo(ws.config.timezone)
    lookup = theme_lookup(ws)
    with progress("Checking", len(items)) as bar:
        for item, raw in items:
            _prepare(item, raw, ws, tz, lookup, result)
            bar.update(1)
    result.items = [item for item, _ in items]
    existing = index_archive(ws)
    _assign_ids(result.items, existing, ws)
    _compare(result.items, existing, ws, options.update)
    if not options.dry_run and not result.blocked:
        to_write = [i for i in result.items if i.status in ("new", "updated")]
        with progress("Writing", len(to_write)) as bar:
            result.written = write_files(to_write, bar.update)
    return result


class _NoBar:
    def update(self, _n: int) -> None:
        pass


def no_progress(_label: str, _total: int) -> AbstractContextManager[Any]:
    return contextlib.nullcontext(_NoBar())


# --- options and sources ------------------------------------------------------------------------


def check_options(sources: Sequence[str], options: ImportOptions) -> PageOptions:
    problems: list[str] = []
    if not sources:
        problems.append("give at least one SOURCE (a file, a folder, or - for standard input)")
    if options.format != "auto" and options.format not in FORMATS:
        problems.append(f"unknown format '{options.format}'; use auto, " + ", ".join(FORMATS))
    if sources.count(STDIN) > 1:
        problems.append("standard input (-) can be read only once")
    if STDIN in sources and options.format == "auto":
        problems.append("reading standard input (-) needs --format (" + ", ".join(FORMATS) + ")")
    published = None
    if options.published is not None:
        value, error = normalize_published(options.published)
        if error:
            problems.append(f"--published: {error}; write YYYY-MM-DD")
        published = value.isoformat() if isinstance(value, date) else value
    for name, value in (("--url", options.url), ("--base-url", options.base_url)):
        if value is not None and not is_http_url(value):
            problems.append(f"{name}: '{value}' is not an absolute http(s) URL")
    if problems:
        raise UsageError("; ".join(problems))
    return PageOptions(published, options.url, options.base_url)


def _check_page_options(options: ImportOptions, choices: list[Choice]) -> None:
    given = [name for name, value in (("--published", options.published), ("--url", options.url))
             if value is not None]
    if not given:
        return
    if len(choices) != 1 or choices[0].format != "page":
        what = f"{len(choices)} sources" if len(choices) != 1 else \
            f"a {choices[0].format} source"
        raise UsageError(
            f"{' and '.join(given)} apply to a single page source only, and this run reads "
            f"{what}. For several pages, name each file YYYY-MM-DD-<slug>.txt and pass "
            "--base-url URL")


def _load_sources(sources: Sequence[str], fmt: str, cwd: Path,
                  stdin: bytes | Callable[[], bytes] | None,
                  result: ImportResult) -> list[tuple[Source, str]]:
    """Every file to read, with its bytes and format; missing paths are one usage error."""
    missing = [s for s in sources if s != STDIN and not (cwd / s).exists()]
    if missing:
        raise UsageError("no such file or folder: " + ", ".join(missing))
    loaded: list[tuple[Source, str]] = []
    for given in sources:
        if given == STDIN:
            data = stdin() if callable(stdin) else stdin
            source = Source("<stdin>", data or b"", None)
            loaded.append((source, fmt))
            result.choices.append(Choice(source.label, fmt, "--format"))
            continue
        path = cwd / given
        files = _folder_files(path, given, fmt, result) if path.is_dir() else [(path, given)]
        for file, label in files:
            try:
                data = file.read_bytes()
            except OSError as exc:
                result.source_problems.append(Problem(label, f"cannot read: {exc.strerror}"))
                continue
            source = Source(label, data, file.name)
            chosen, reason = (fmt, "--format") if fmt != "auto" else sniff(file.name, data)
            loaded.append((source, chosen))
            result.choices.append(Choice(label, chosen, reason))
    return loaded


def _folder_files(folder: Path, given: str, fmt: str,
                  result: ImportResult) -> list[tuple[Path, str]]:
    """Files below a folder; hidden and _-prefixed ones and READMEs are left out. With --format
    auto only known extensions are read (the others are reported)."""
    files: list[tuple[Path, str]] = []
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if not path.is_file() or any(p.startswith((".", "_")) for p in rel.parts):
            continue
        if path.stem.lower() == "readme":
            continue
        label = str(Path(given) / rel)
        if fmt == "auto" and path.suffix.lower() not in EXTENSIONS:
            result.skipped_files.append(label)
            continue
        files.append((path, label))
    return files


def sniff(name: str | None, data: bytes) -> tuple[str, str]:
    """The format of a file, and why: its extension, else its first characters."""
    suffix = Path(name).suffix.lower() if name else ""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if suffix == ".json" and _looks_like_lines(head):
        return "jsonl", "extension .json, one object per line"
    if suffix == ".txt" and head.startswith(b"---"):
        return "markdown", "extension .txt, starts with front matter '---'"
    if suffix in EXTENSIONS:
        return EXTENSIONS[suffix], f"extension {suffix}"
    return _sniff_content(head)


def _looks_like_lines(head: bytes) -> bool:
    lines = [ln.strip() for ln in head.split(b"\n") if ln.strip()]
    return len(lines) > 1 and lines[0].startswith(b"{") and lines[0].endswith(b"}") \
        and lines[1].startswith(b"{")


def _sniff_content(head: bytes) -> tuple[str, str]:
    lower = head[:512].lower()
    for marker in (b"<?xml", b"<rss", b"<feed", b"<rdf:rdf"):
        if lower.startswith(marker):
            return "feed", f"content starts with {marker.decode()}"
    if head.startswith(b"---"):
        return "markdown", "content starts with front matter '---'"
    if head.startswith(b"["):
        return "json", "content starts with ["
    if head.startswith(b"{"):
        if _looks_like_lines(head):
            return "jsonl", "content is one JSON object per line"
        return "json", "content starts with {"
    first = head.split(b"\n", 1)[0].decode("utf-8", "replace").lower()
    cells = {c.strip().strip('"') for c in re.split(r"[,;\t]", first)}
    if len(cells) > 1 and cells & {"title", "headline", "url", "link"}:
        return "csv", "first line is a header with a title/url column"
    return "page", "plain text"


def _read_all(loaded: list[tuple[Source, str]], page_options: PageOptions,
              result: ImportResult) -> list[tuple[Item, RawRecord]]:
    items: list[tuple[Item, RawRecord]] = []
    for source, fmt in loaded:
        read = READERS[fmt](source, page_options)
        result.source_problems += read.problems
        for raw in read.records:
            where = source.label + (f": {raw.position}" if raw.position else "")
            items.append((Item(source.label, where, raw.line, fmt, default_id=raw.default_id), raw))
    return items


# --- one record ---------------------------------------------------------------------------------


def theme_lookup(ws: Workspace) -> dict[str, str]:
    """Theme ids by lower-case id and lower-case label."""
    lookup: dict[str, str] = {}
    for theme in ws.config.themes:
        lookup[theme.label.lower()] = theme.id
        lookup[theme.id.lower()] = theme.id
    return lookup


def _prepare(item: Item, raw: RawRecord, ws: Workspace, tz: ZoneInfo, lookup: dict[str, str],
             result: ImportResult) -> None:
    """Map, normalise and validate one record; sets item.status to 'valid' or 'invalid'."""
    item.problems = [_locate(p, item) for p in raw.problems]
    item.notes = [_locate(p, item) for p in raw.notes]
    if raw.size > MAX_RECORD_BYTES:
        item.problems.append(_problem(
            item, f"the record is {raw.size / 1_000_000:.1f} MB ({raw.size:,} bytes); a record "
                  f"may be at most {MAX_RECORD_BYTES / 1_000_000:.0f} MB", None,
            "shorten it; a record that large is usually a whole web page or an attachment "
            "pasted into one field"))
        return
    if not raw.data:
        if not item.problems:
            item.problems.append(_problem(item, "the record is empty", None,
                                          "give it at least a title, published and url"))
        return
    reported = {p.field for p in item.problems if p.field}
    meta, body = _map_record(item, raw.data, lookup, result, reported)
    item.meta, item.body = meta, body
    summary, core_problems = _validate(item, ws, tz)
    item.problems += [_locate(p, item) for p in _imported_fixes(core_problems)
                      if p.field not in reported]
    item.summary = summary
    if not item.problems and item.summary is not None:
        item.status = "valid"


def _map_record(item: Item, data: dict[str, Any], lookup: dict[str, str], result: ImportResult,
                reported: set[str]) -> tuple[dict[str, Any], str]:
    """Aliases, body, dates and themes: the record in canonical keys (body apart). The fields
    with a problem are added to `reported`."""
    meta = _map_aliases(item, data, result, reported)
    body = meta.pop("body", None)
    if body is not None and not isinstance(body, str):
        item.problems.append(_problem(item, f"must be text, got {_kind(body)}", "body",
                                      "give the body as one string of Markdown"))
        reported.add("body")
        body = None
    body = _clean_body(item, body or "")
    _clean_teaser(item, meta)
    if "published" in meta:
        value, error = normalize_published(meta["published"])
        if error:
            item.problems.append(_problem(item, error, "published",
                                          DATE_FIX + " (or M/D/YYYY as the website shows dates)"))
            reported.add("published")
        else:
            meta["published"] = value
    _map_themes(item, meta, lookup, result)
    for key in TEXT_KEYS:
        if isinstance(meta.get(key), str):
            meta[key] = re.sub(r"\s+", " ", meta[key]).strip()
        elif key == "id" and isinstance(meta.get(key), int) and not isinstance(meta[key], bool):
            meta[key] = str(meta[key])
    if not body.strip() and not meta.get("teaser") and "body" not in reported:
        item.problems.append(_problem(
            item, "has no text: neither a body nor a teaser", "body",
            "give the record a body (or " + ", ".join(names_for("body")[1:]) + ") or a teaser"))
        reported.add("body")
    return meta, body


def _map_aliases(item: Item, data: dict[str, Any], result: ImportResult,
                 reported: set[str]) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    source_key: dict[str, str] = {}
    for key, value in data.items():
        name = key.strip()
        lower = name.lower()
        if lower in KNOWN_KEYS or lower == "body":
            canonical = lower
        elif lower in ALIASES and lower not in LENIENT_THEME_KEYS:
            canonical = ALIASES[lower]
            if value not in (None, ""):
                result.aliases[(lower, canonical)] += 1
        else:
            canonical = lower if lower in LENIENT_THEME_KEYS else name
        if value is None or value == "" or value == []:
            continue
        if canonical in meta and meta[canonical] != value:
            item.problems.append(_problem(
                item, f"both '{source_key[canonical]}' and '{name}' are given, with different "
                      f"values, for {canonical}", canonical,
                f"keep one of them, or rename the other to a key that is not a name for "
                f"{canonical} ({', '.join(names_for(canonical))})"))
            reported.add(canonical)
            continue
        meta[canonical] = value
        source_key[canonical] = name
    return meta


def _clean_body(item: Item, body: str) -> str:
    if item.format in HTML_BODY_FORMATS and htmltext.looks_like_html(body):
        item.notes.append(_note(item, "HTML converted to Markdown", "body"))
        body = htmltext.to_markdown(body)
    lines = [line.rstrip() for line in body.replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip("\n")


def _clean_teaser(item: Item, meta: dict[str, Any]) -> None:
    teaser = meta.get("teaser")
    if isinstance(teaser, str) and htmltext.looks_like_html(teaser):
        item.notes.append(_note(item, "HTML tags removed from the teaser", "teaser"))
        meta["teaser"] = htmltext.to_plain(teaser)


def _map_themes(item: Item, meta: dict[str, Any], lookup: dict[str, str],
                result: ImportResult) -> None:
    """`themes` by id or label (unknown ones stay, so validation lists the known ids);
    `tags`/`categories` by id or label, unknown ones left for the classifier and reported."""
    themes: list[Any] = []
    given = meta.pop("themes", None)
    if given is not None:
        values = [given] if isinstance(given, str) else given
        if not isinstance(values, list):
            meta["themes"] = given  # validation says what is wrong with it
            return
        themes += [lookup.get(v.strip().lower(), v.strip()) if isinstance(v, str) else v
                   for v in values]
    for key in LENIENT_THEME_KEYS:
        values = meta.pop(key, None)
        if values is None:
            continue
        values = [values] if isinstance(values, str) else values
        if not isinstance(values, list):
            values = [values]
        for value in values:
            text = str(value).strip()
            if text.lower() in lookup:
                themes.append(lookup[text.lower()])
            elif text:
                result.unknown_categories[text] += 1
        result.aliases[(key, "themes")] += 1
    if themes:
        meta["themes"] = list(dict.fromkeys(themes))


def normalize_published(value: Any) -> tuple[Any, str | None]:
    """A date as YAML should hold it (a date, or an ISO 8601 datetime string), or an error.

    Accepted: YYYY-MM-DD, ISO 8601 datetimes, M/D/YYYY (as the website shows dates) and
    RFC 2822 (as RSS feeds write them)."""
    if isinstance(value, datetime):
        return value.isoformat(), None
    if isinstance(value, date):
        return value, None
    if not isinstance(value, str):
        return value, f"cannot read {_kind(value)} {value!r} as a date"
    text = value.strip()
    if match := ISO_DAY.fullmatch(text):
        year, month, day = (int(g) for g in match.groups())
        return _real_date(text, year, month, day, "YYYY-MM-DD")
    if match := SLASH_DATE.fullmatch(text):
        month, day, year = (int(g) for g in match.groups())
        return _real_date(text, year, month, day, "M/D/YYYY, month first")
    with contextlib.suppress(ValueError):
        return datetime.fromisoformat(text).isoformat(), None
    with contextlib.suppress(TypeError, ValueError, IndexError):
        return parsedate_to_datetime(text).isoformat(), None
    return value, f"cannot read '{text}' as a date"


def _real_date(text: str, year: int, month: int, day: int, how: str) -> tuple[Any, str | None]:
    try:
        return date(year, month, day), None
    except ValueError:
        pass
    wrong = []
    if not 1 <= month <= 12:
        wrong.append(f"month {month}")
    if not wrong or day < 1 or day > 31:
        wrong.append(f"day {day}")
    return text, f"'{text}' is not a real date (read as {how}: {' and '.join(wrong)} " \
                 f"{'is' if len(wrong) == 1 else 'are'} out of range)"


def canonical_meta(meta: dict[str, Any]) -> dict[str, Any]:
    """The front matter in the order files are written: known keys, then the others sorted."""
    ordered = {key: meta[key] for key in KEY_ORDER if meta.get(key) not in (None, "", [])}
    for key in sorted(set(meta) - set(KEY_ORDER), key=str):
        if meta[key] not in (None, "", []):
            ordered[key] = meta[key]
    return ordered


def render_file(meta: dict[str, Any], body: str) -> str:
    """A summary file: YAML front matter (deterministic order and quoting), then the body."""
    ordered = canonical_meta(meta)
    if isinstance(ordered.get("themes"), list):
        ordered["themes"] = FlowList(ordered["themes"])
    front = yaml.dump(ordered, Dumper=_FrontMatterDumper, sort_keys=False, allow_unicode=True,
                      width=1_000_000, default_flow_style=False)
    body = body.strip("\n")
    return f"---\n{front}---\n{body}\n" if body else f"---\n{front}---\n"


def _validate(item: Item, ws: Workspace, tz: ZoneInfo) -> tuple[Summary | None, list[Problem]]:
    """Render the file the record would become and read it back with the core's own rules.

    The text is rendered without `id` (the record's own id is passed as the file-name default,
    so it is checked all the same); it is the file written whenever the file name is the id.
    Reading it back must give exactly the front matter and body that were meant."""
    meta = dict(item.meta)
    own_id = meta.pop("id", None)
    if own_id is not None and not isinstance(own_id, str):
        return None, [_problem(item, f"must be text, got {_kind(own_id)}", "id",
                               "give the id as text, e.g. \"stem-cell-2026\"")]
    item.text = render_file(meta, item.body)
    out = _Collector(item.where)
    source = read_source(item.text.encode("utf-8"), out)
    if source is None:  # pragma: no cover - a rendered file always has front matter
        return None, out.problems
    changed = _changed_keys(canonical_meta(meta), item.body, source.meta, source.body)
    if changed:
        return None, [_problem(item, "would not read back as given from a summary file ("
                               + ", ".join(changed) + " would change)", changed[0],
                               "remove unusual characters or values (such as NaN) from it")]
    summary = make_summary(source, item.where, own_id or "import-check", tz,
                           ws.config.theme_ids, out)
    return summary, out.problems


def _changed_keys(meta: dict[str, Any], body: str, loaded: dict[str, Any],
                  loaded_body: str) -> list[str]:
    keys = [k for k in dict.fromkeys([*meta, *loaded]) if meta.get(k) != loaded.get(k)]
    return keys + (["body"] if body.strip("\n") != loaded_body.strip("\n") else [])


def _imported_fixes(problems: list[Problem]) -> list[Problem]:
    """The core's messages speak of front matter; say what to give an imported record."""
    fixed = []
    for p in problems:
        if p.message == "is required" and p.field:
            names = names_for(p.field)
            also = f" (or {', '.join(names[1:])})" if len(names) > 1 else ""
            p = Problem(p.where, p.message, p.field, f"give the record a '{p.field}'{also}",
                        p.line, p.level)
        fixed.append(p)
    return fixed


def _problem(item: Item, message: str, key: str | None, fix: str | None = None) -> Problem:
    return Problem(item.where, message, field=key, fix=fix, line=item.line)


def _note(item: Item, message: str, key: str | None) -> Problem:
    return Problem(item.where, message, field=key, line=item.line, level="warning")


def _locate(problem: Problem, item: Item) -> Problem:
    """A problem placed at its record (record number or line) when the reader did not."""
    where = item.where if problem.where == item.label else problem.where
    return Problem(where, problem.message, problem.field, problem.fix,
                   problem.line if problem.line is not None else item.line, problem.level)


def _kind(value: Any) -> str:
    names = {list: "a list", dict: "an object", bool: "true/false", int: "a number",
             float: "a number", type(None): "null", str: "text"}
    return names.get(type(value), type(value).__name__)


# --- ids ----------------------------------------------------------------------------------------


def index_archive(ws: Workspace) -> dict[str, dict[str, Existing]]:
    """Every summary file already in the archive, by id and by url (invalid files included)."""
    by_id: dict[str, Existing] = {}
    by_url: dict[str, Existing] = {}
    if not ws.summaries_path.is_dir():
        return {"id": by_id, "url": by_url}
    for path in iter_summary_files(ws.summaries_path):
        source = read_source(path.read_bytes(), _Collector(path.name))  # problems: not ours
        meta = source.meta if source else None
        given = meta.get("id") if meta else None
        summary_id = str(given).strip() if isinstance(given, (str, int)) and given != "" \
            else path.stem
        url = meta.get("url") if meta else None
        url = re.sub(r"\s+", " ", url).strip() if isinstance(url, str) else None
        entry = Existing(path, summary_id, url, meta, source.body if source else "")
        by_id.setdefault(summary_id, entry)
        if url:
            by_url.setdefault(url, entry)
    return {"id": by_id, "url": by_url}


def _assign_ids(items: list[Item], existing: dict[str, dict[str, Existing]], ws: Workspace) -> None:
    """Own ids first (a repeat is an error), then derived ones (a clash gets -2, -3, ...)."""
    valid = [i for i in items if i.status == "valid" and i.summary is not None]
    taken: dict[str, Item] = {}
    urls: dict[str, Item] = {}
    for item in valid:
        assert item.summary is not None
        url = item.summary.url
        if url in urls:
            _duplicate(item, urls[url], "url", url)
            continue
        urls[url] = item
        if item.explicit_id:
            if item.summary.id in taken:
                _duplicate(item, taken[item.summary.id], "id", item.summary.id)
                continue
            item.id = item.summary.id
            taken[item.id] = item
    for item in valid:
        if item.status != "valid" or item.id is not None:
            continue
        assert item.summary is not None
        same_url = existing["url"].get(item.summary.url)
        if same_url is not None and same_url.id not in taken:
            item.id = same_url.id  # the summary this record already is
        else:
            item.id = _free_id(_base_id(item), taken, existing["id"], item, ws)
        taken[item.id] = item


def _base_id(item: Item) -> str:
    assert item.summary is not None
    base = item.default_id or slugify(item.summary.title)
    return base or "summary-" + hashlib.sha1(item.summary.url.encode("utf-8")).hexdigest()[:8]


def _free_id(base: str, taken: dict[str, Item], archive: dict[str, Existing], item: Item,
             ws: Workspace) -> str:
    candidate, n = base, 1
    while candidate in taken or candidate in archive or _target(ws, item, candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _duplicate(item: Item, first: Item, key: str, value: str) -> None:
    item.status = "invalid"
    item.problems.append(_problem(
        item, f"duplicate record: {key} '{value}' is also used by {_place(first)}", key,
        "remove one of the two records, or give them different values"))


def _place(item: Item) -> str:
    return item.where if item.line is None else f"{item.where}:{item.line}"


def _target(ws: Workspace, item: Item, summary_id: str) -> Path:
    assert item.summary is not None
    moment = item.summary.published
    return ws.summaries_path / f"{moment.year:04d}" / f"{moment.month:02d}" / f"{summary_id}.md"


# --- the archive --------------------------------------------------------------------------------


def comparable(meta: dict[str, Any], body: str, summary_id: str) -> dict[str, Any]:
    """Front matter and body as they are compared: normalised, with the id filled in."""
    data = dict(meta)
    data["id"] = summary_id
    for key in TEXT_KEYS:
        if isinstance(data.get(key), str):
            data[key] = re.sub(r"\s+", " ", data[key]).strip()
    if "published" in data:
        value, error = normalize_published(data["published"])
        data["published"] = data["published"] if error else value
    if isinstance(data.get("themes"), str):
        data["themes"] = [data["themes"]]
    data = canonical_meta(data)
    data["body"] = "\n".join(ln.rstrip() for ln in body.split("\n")).strip("\n")
    return data


def _compare(items: list[Item], existing: dict[str, dict[str, Existing]], ws: Workspace,
             update: bool) -> None:
    for item in items:
        if item.status != "valid" or item.id is None or item.summary is None:
            continue
        by_id = existing["id"].get(item.id)
        by_url = existing["url"].get(item.summary.url)
        if by_id is None and by_url is None:
            item.path = _target(ws, item, item.id)
            if item.path.exists():
                _conflict(item, f"{ws.relative(item.path)} already exists and holds another "
                          "summary", "give the record another id, or move that file")
                continue
            item.status = "new"
        elif by_url is not None and by_url is not by_id:
            _url_clash(item, by_id, by_url, ws)
            continue
        else:
            assert by_id is not None
            item.path = by_id.path
            old = comparable(by_id.meta, by_id.body, by_id.id) if by_id.meta is not None else {}
            new = comparable(item.meta, item.body, item.id)
            if old == new:
                item.status = "unchanged"
            elif update:
                item.status = "updated"
            else:
                changed = sorted(k for k in set(old) | set(new) if old.get(k) != new.get(k))
                what = "differs in " + ", ".join(changed) if by_id.meta is not None else \
                    "cannot be read as a summary"
                _conflict(item, f"id '{item.id}' exists in {ws.relative(by_id.path)}, which "
                          f"{what}", "pass --update to replace it with this record, or give "
                          "the record another id")
                continue
        if item.id != item.path.stem:  # `id` is written only when the file name does not say it
            item.text = render_file({**item.meta, "id": item.id}, item.body)


def _url_clash(item: Item, by_id: Existing | None, by_url: Existing, ws: Workspace) -> None:
    url_file = ws.relative(by_url.path)
    if by_id is None:
        _conflict(item, f"url is already used by '{by_url.id}' in {url_file}",
                  f"give the record id '{by_url.id}' to update that summary, or correct the url")
    else:
        _conflict(item, f"id '{item.id}' is {ws.relative(by_id.path)} but the url belongs to "
                  f"'{by_url.id}' in {url_file}; --update cannot merge two summaries",
                  "correct the record's id or url")


def _conflict(item: Item, message: str, fix: str) -> None:
    item.status = "conflict"
    item.conflict = Problem(item.where, message, fix=fix, line=item.line)


# --- writing ------------------------------------------------------------------------------------


def write_files(items: list[Item], advance: Callable[[int], None] | None = None) -> list[Path]:
    """Write every file to a temporary name beside its target, then rename them all.

    A failure while writing removes the temporary files, so the archive is unchanged; a new
    file never replaces one that appeared meanwhile; an updated file keeps its permissions."""
    staged: list[tuple[Path, Item]] = []
    folders: set[Path] = set()
    try:
        for item in items:
            assert item.path is not None and item.text is not None
            if item.path.parent not in folders:
                item.path.parent.mkdir(parents=True, exist_ok=True)
                folders.add(item.path.parent)
            tmp = item.path.with_name(f".{item.path.name}.{secrets.token_hex(6)}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # umask applies
            staged.append((tmp, item))
            with os.fdopen(fd, "wb") as handle:
                handle.write(item.text.encode("utf-8"))
            if item.status == "updated":
                os.chmod(tmp, stat.S_IMODE(item.path.stat().st_mode))
            if advance:
                advance(1)
    except OSError as exc:
        _discard(staged)
        raise OutputError(f"cannot write {exc.filename or 'the summaries'}: "
                          f"{exc.strerror or exc}; nothing was imported") from None
    written: list[Path] = []
    try:
        for tmp, item in staged:
            if _commit(tmp, item):
                assert item.path is not None
                written.append(item.path)
    except OSError as exc:
        raise OutputError(f"cannot write {exc.filename or 'the summaries'}: "
                          f"{exc.strerror or exc}; {len(written)} of {len(staged)} files were "
                          "written before this error") from None
    finally:
        _discard(staged)
    return written


def _commit(tmp: Path, item: Item) -> bool:
    """Rename one staged file into place; False when a new file's name was taken meanwhile."""
    assert item.path is not None
    if item.status == "updated":
        os.replace(tmp, item.path)
        return True
    try:
        os.link(tmp, item.path)
    except FileExistsError:
        _conflict(item, f"{item.path} appeared while importing", "run the import again")
        return False
    except OSError:  # no hard links on this file system: an exclusive create instead
        with open(item.path, "xb") as handle:
            handle.write(tmp.read_bytes())
    return True


def _discard(staged: list[tuple[Path, Item]]) -> None:
    for tmp, _ in staged:
        tmp.unlink(missing_ok=True)


def iter_statuses(result: ImportResult) -> Iterator[tuple[str, int]]:
    yield "new", result.count("new")
    yield "unchanged", result.count("unchanged")
    yield "updated", result.count("updated")
    yield "conflicts", result.conflicts
    yield "invalid", result.invalid
