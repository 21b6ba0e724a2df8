"""One imported record: aliases, dates and themes normalised, then checked by the core.

A record (a plain dict from a reader) becomes canonical front matter + body. It is then written,
in memory, as the exact summary file it would become and read back with the core's own
`read_source` + `make_summary`, so an imported file always loads, and it must read back to
exactly the values that were meant.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml

from newsletter.errors import Problem
from newsletter.importing import htmltext
from newsletter.importing.readers.base import ALIASES, RawRecord, names_for
from newsletter.summaries.model import DATE_FIX, KNOWN_KEYS, Summary
from newsletter.summaries.parse import FileProblems, make_summary, read_source
from newsletter.values import type_name
from newsletter.workspace import Workspace

MAX_RECORD_BYTES = 1_000_000
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


@dataclass
class Item:
    """One record on its way through the run.

    status: "invalid" until `prepare` finds it "valid"; then "new", "unchanged", "updated" or
    "conflict" once compared with the archive (or "invalid" again for a duplicate)."""

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
class RecordContext:
    """What preparing a record needs from the workspace, and the run's tallies."""

    tz: ZoneInfo
    theme_ids: tuple[str, ...]
    lookup: dict[str, str]  # theme id by lower-case id or label
    aliases: Counter[tuple[str, str]] = field(default_factory=Counter)
    unknown_categories: Counter[str] = field(default_factory=Counter)

    @classmethod
    def for_workspace(cls, ws: Workspace) -> RecordContext:
        lookup: dict[str, str] = {}
        for theme in ws.config.themes:
            lookup[theme.label.lower()] = theme.id
            lookup[theme.id.lower()] = theme.id
        return cls(ZoneInfo(ws.config.timezone), ws.config.theme_ids, lookup)


def prepare(item: Item, raw: RawRecord, ctx: RecordContext) -> None:
    """Map, normalise and validate one record; sets item.status to 'valid' or 'invalid'."""
    item.problems = [_locate(p, item) for p in raw.problems]
    item.notes = [_locate(p, item) for p in raw.notes]
    if raw.size > MAX_RECORD_BYTES:
        item.problems.append(problem(
            item, f"the record is {raw.size / 1_000_000:.1f} MB ({raw.size:,} bytes); a record "
                  f"may be at most {MAX_RECORD_BYTES / 1_000_000:.0f} MB", None,
            "shorten it; a record that large is usually a whole web page or an attachment "
            "pasted into one field"))
        return
    if not raw.data:
        if not item.problems:
            item.problems.append(problem(item, "the record is empty", None,
                                          "give it at least a title, published and url"))
        return
    reported = {p.field for p in item.problems if p.field}
    meta, body = _map_record(item, raw.data, ctx, reported)
    item.meta, item.body = meta, body
    summary, core_problems = _validate(item, ctx)
    item.problems += [_locate(p, item) for p in _imported_fixes(core_problems)
                      if p.field not in reported]
    item.summary = summary
    if not item.problems and item.summary is not None:
        item.status = "valid"


def _map_record(item: Item, data: dict[str, Any], ctx: RecordContext,
                reported: set[str]) -> tuple[dict[str, Any], str]:
    """Aliases, body, dates and themes: the record in canonical keys (body apart). The fields
    with a problem are added to `reported`."""
    meta = _map_aliases(item, data, ctx, reported)
    body = meta.pop("body", None)
    if body is not None and not isinstance(body, str):
        item.problems.append(problem(item, f"must be text, got {type_name(body)}", "body",
                                      "give the body as one string of Markdown"))
        reported.add("body")
        body = None
    body = _clean_body(item, body or "")
    _clean_teaser(item, meta)
    if "published" in meta:
        value, error = normalize_published(meta["published"])
        if error:
            item.problems.append(problem(item, error, "published",
                                          DATE_FIX + " (or M/D/YYYY as the website shows dates)"))
            reported.add("published")
        else:
            meta["published"] = value
    _map_themes(item, meta, ctx)
    for key in TEXT_KEYS:
        if isinstance(meta.get(key), str):
            meta[key] = re.sub(r"\s+", " ", meta[key]).strip()
        elif key == "id" and isinstance(meta.get(key), int) and not isinstance(meta[key], bool):
            meta[key] = str(meta[key])
    if not body.strip() and not meta.get("teaser") and "body" not in reported:
        item.problems.append(problem(
            item, "has no text: neither a body nor a teaser", "body",
            "give the record a body (or " + ", ".join(names_for("body")[1:]) + ") or a teaser"))
        reported.add("body")
    return meta, body


def _map_aliases(item: Item, data: dict[str, Any], ctx: RecordContext,
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
                ctx.aliases[(lower, canonical)] += 1
        else:
            canonical = lower if lower in LENIENT_THEME_KEYS else name
        if value is None or value == "" or value == []:
            continue
        if canonical in meta and meta[canonical] != value:
            item.problems.append(problem(
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


def _map_themes(item: Item, meta: dict[str, Any], ctx: RecordContext) -> None:
    """`themes` by id or label (unknown ones stay, so validation lists the known ids);
    `tags`/`categories` by id or label, unknown ones left for the classifier and reported."""
    themes: list[Any] = []
    given = meta.pop("themes", None)
    if given is not None:
        values = [given] if isinstance(given, str) else given
        if not isinstance(values, list):
            meta["themes"] = given  # validation says what is wrong with it
            return
        themes += [ctx.lookup.get(v.strip().lower(), v.strip()) if isinstance(v, str) else v
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
            if text.lower() in ctx.lookup:
                themes.append(ctx.lookup[text.lower()])
            elif text:
                ctx.unknown_categories[text] += 1
        ctx.aliases[(key, "themes")] += 1
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
        return value, f"cannot read {type_name(value)} {value!r} as a date"
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


def _validate(item: Item, ctx: RecordContext) -> tuple[Summary | None, list[Problem]]:
    """Render the file the record would become and read it back with the core's own rules.

    The text is rendered without `id` (the record's own id is passed as the file-name default,
    so it is checked all the same); it is the file written whenever the file name is the id.
    Reading it back must give exactly the front matter and body that were meant."""
    meta = dict(item.meta)
    own_id = meta.pop("id", None)
    if own_id is not None and not isinstance(own_id, str):
        return None, [problem(item, f"must be text, got {type_name(own_id)}", "id",
                               "give the id as text, e.g. \"stem-cell-2026\"")]
    item.text = render_file(meta, item.body)
    out = FileProblems(item.where)
    source = read_source(item.text.encode("utf-8"), out)
    if source is None:  # pragma: no cover - a rendered file always has front matter
        return None, out.problems
    changed = _changed_keys(canonical_meta(meta), item.body, source.meta, source.body)
    if changed:
        return None, [problem(item, "would not read back as given from a summary file ("
                               + ", ".join(changed) + " would change)", changed[0],
                               "remove unusual characters or values (such as NaN) from it")]
    summary = make_summary(source, item.where, own_id or "import-check", ctx.tz, ctx.theme_ids,
                           out)
    return summary, out.problems


def comparable_value(value: Any) -> Any:
    """Dates as the text they are written as: the core reads front-matter dates as text."""
    if isinstance(value, (dt.date, dt.datetime)):
        return str(value)
    if isinstance(value, list):
        return [comparable_value(v) for v in value]
    if isinstance(value, dict):
        return {k: comparable_value(v) for k, v in value.items()}
    return value


def _changed_keys(meta: dict[str, Any], body: str, loaded: dict[str, Any],
                  loaded_body: str) -> list[str]:
    keys = [k for k in dict.fromkeys([*meta, *loaded])
            if comparable_value(meta.get(k)) != comparable_value(loaded.get(k))]
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


def problem(item: Item, message: str, key: str | None, fix: str | None = None) -> Problem:
    return Problem(item.where, message, field=key, fix=fix, line=item.line)


def _note(item: Item, message: str, key: str | None) -> Problem:
    return Problem(item.where, message, field=key, line=item.line, level="warning")


def _locate(problem: Problem, item: Item) -> Problem:
    """A problem placed at its record (record number or line) when the reader did not."""
    where = item.where if problem.where == item.label else problem.where
    return Problem(where, problem.message, problem.field, problem.fix,
                   problem.line if problem.line is not None else item.line, problem.level)



