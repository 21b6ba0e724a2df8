"""`newsletter import`: bring summaries in from pages, Markdown, JSON/JSONL, CSV and feeds.

The run, in order; nothing is written before every record has been checked:

1. sources: files, folders (recursive) or standard input; `--format auto` picks a reader per
   file by extension, else by sniffing the content, and says what it chose;
2. read: the format's reader (`newsletter.importing.readers`) yields raw records;
3. prepare (`import_records`): aliases mapped to the canonical keys, dates and theme names
   normalised, the size limit checked, and the record validated by the core's own
   `read_source` + `make_summary` as the file it would become, so an imported file always loads;
4. ids (`import_archive`): the record's own id, else the page file's slug, else the title's
   slug (a clash gets -2, -3, ...); an id or url used twice in one run is an error;
5. compare with the archive: same id or url with identical content is `unchanged`, with different
   content a `conflict` (or `updated` with --update);
6. write (unless --dry-run, or some record is invalid and --skip-invalid was not given): all or
   nothing, under the workspace lock (`reconcile.write_files`).
"""

from __future__ import annotations

import contextlib
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from newsletter.errors import ContentError, Problem, UsageError
from newsletter.importing.readers import EXTENSIONS, FORMATS, READERS
from newsletter.importing.readers.base import PageOptions, RawRecord, Source
from newsletter.importing.reconcile import assign_ids, compare, index_archive, write_files
from newsletter.importing.records import Item, RecordContext, normalize_published, prepare
from newsletter.storage.journal import recover_files
from newsletter.storage.lock import workspace_lock
from newsletter.values import is_http_url
from newsletter.workspace import Workspace

STDIN = "-"
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
                   stdin: bytes | Callable[[int], bytes] | None = None, cwd: Path | None = None,
                   progress: ProgressFactory | None = None) -> ImportResult:
    """Import every source into the workspace's archive; see the module documentation.

    `stdin` is the data of the source `-` (or a function reading at most N bytes of it, called
    only when the options are right)."""
    cwd = cwd or Path.cwd()
    progress = progress or no_progress
    page_options = check_options(sources, options)
    result = ImportResult(ws.relative(ws.summaries_path) + "/", options)
    loaded = _load_sources(sources, options.format, cwd, stdin, result,
                           ws.config.import_.max_source_bytes)
    _check_page_options(options, result.choices)
    items = _read_all(loaded, page_options, result)
    ctx = RecordContext.for_workspace(ws)
    ctx.aliases, ctx.unknown_categories = result.aliases, result.unknown_categories
    with progress("Checking", len(items)) as bar:
        for item, raw in items:
            prepare(item, raw, ctx)
            bar.update(1)
    result.items = [item for item, _ in items]
    with workspace_lock(ws.root):  # the archive may not change between comparing and writing
        recover_files(ws.summaries_path)
        existing = index_archive(ws)
        assign_ids(result.items, existing, ws)
        compare(result.items, existing, ws, options.update)
        if not options.dry_run and not result.blocked:
            to_write = [i for i in result.items if i.status in ("new", "updated")]
            with progress("Writing", len(to_write)) as bar:
                result.written = write_files(ws, to_write, bar.update)
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
                  stdin: bytes | Callable[[int], bytes] | None,
                  result: ImportResult, limit: int) -> list[tuple[Source, str]]:
    """Every file to read, with its bytes (at most `limit` of each) and format; missing paths
    are one usage error."""
    missing = [s for s in sources if s != STDIN and not (cwd / s).exists()]
    if missing:
        raise UsageError("no such file or folder: " + ", ".join(missing))
    loaded: list[tuple[Source, str]] = []
    for given in sources:
        if given == STDIN:
            data = (stdin(limit + 1) if callable(stdin) else stdin) or b""
            if len(data) > limit:
                result.source_problems.append(_too_large("<stdin>", limit))
                continue
            source = Source("<stdin>", data, None)
            loaded.append((source, fmt))
            result.choices.append(Choice(source.label, fmt, "--format"))
            continue
        path = cwd / given
        files = _folder_files(path, given, fmt, result) if path.is_dir() else [(path, given)]
        for file, label in files:
            try:
                with open(file, "rb") as handle:  # a device such as /dev/zero never ends
                    data = handle.read(limit + 1)
            except OSError as exc:
                result.source_problems.append(Problem(label, f"cannot read: {exc.strerror}"))
                continue
            if len(data) > limit:
                result.source_problems.append(_too_large(label, limit))
                continue
            source = Source(label, data, file.name)
            chosen, reason = (fmt, "--format") if fmt != "auto" else sniff(file.name, data)
            loaded.append((source, chosen))
            result.choices.append(Choice(label, chosen, reason))
    return loaded


def _too_large(label: str, limit: int) -> Problem:
    return Problem(label, f"has more than {limit:,} bytes, the limit for one source",
                   field="max_source_bytes",
                   fix="split it into smaller files, or raise [import] max_source_bytes in "
                       "newsletter.toml")


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


def iter_statuses(result: ImportResult) -> Iterator[tuple[str, int]]:
    yield "new", result.count("new")
    yield "unchanged", result.count("unchanged")
    yield "updated", result.count("updated")
    yield "conflicts", result.conflicts
    yield "invalid", result.invalid
