"""Reading one summary file: bytes -> front matter + body -> a validated Summary (or its problems).
"""

from __future__ import annotations

import os
import re
from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from newsletter.errors import Problem
from newsletter.summaries.frontmatter import (
    YAMLError,
    front_matter_end,
    load_yaml,
    normalize_lines,
    simple_front_matter,
)
from newsletter.summaries.model import DATE_FIX, ID_PATTERN, KNOWN_KEYS, STUDY_TYPES, Source, Summary
from newsletter.values import control_character, control_message, is_http_url, type_name


class FileProblems:
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


def read_source(raw: bytes, out: FileProblems) -> Source | None:
    """Split a file's bytes into YAML front matter and Markdown body."""
    try:
        text = raw.decode("utf-8")  # the C codec; "utf-8-sig" is a slow Python wrapper
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        out.error(f"byte {exc.start} is not UTF-8 text", line=line,
                  fix="save the file as UTF-8")
        return None
    text = normalize_lines(text.removeprefix("\ufeff"))
    if not text.strip():
        out.error("the file is empty", fix="add front matter (title, published, url) and a body")
        return None
    bad = control_character(text, multiline=True)
    if bad is not None:
        at = text.index(chr(int(bad[2:6], 16)))
        out.error(f"this line contains the control character {bad}",
                  line=text.count("\n", 0, at) + 1,
                  fix="remove it (a summary is plain text: only line breaks and tabs)")
        return None
    lines = text.split("\n")
    if lines[0].strip() != "---":
        out.error("no front matter: the file must start with a line '---'", line=1,
                  fix="put the title, published and url keys between two '---' lines at the top")
        return None
    end = front_matter_end(lines)
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


# Dates are selected, compared and shown in any time zone: a year this far from the edges of
# the calendar (1 and 9999) can always be converted.
YEARS = (1000, 9998)
EDGE_OF_CALENDAR = "is at the edge of the calendar"


def parse_published(value: Any, tz: ZoneInfo) -> datetime | None:
    """A front-matter date or datetime as an aware datetime in the workspace time zone; None
    when it cannot be read. Raises ValueError(EDGE_OF_CALENDAR) for a date outside YEARS."""
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
    if not YEARS[0] <= moment.year <= YEARS[1]:
        raise ValueError(EDGE_OF_CALENDAR)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=tz)
    return moment.astimezone(tz)


def _text(meta: dict[str, Any], key: str, out: FileProblems, *, required: bool = False) -> str | None:
    value = meta.get(key)
    if value is None or value == "":
        if required:
            out.error("is required", key, fix=f"add `{key}: ...` to the front matter")
        return None
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        out.error(f"must be text, got {type_name(value)}", key, fix="put the value in quotes")
        return None
    if value.isprintable() and "  " not in value:
        # the usual case, decided without a regex: every white space but the space, and every
        # control character, is unprintable (a test checks every code point)
        return value.strip() or None
    if _SPACE_RUN.search(value):
        value = re.sub(r"\s+", " ", value)
    if message := control_message(value):
        out.error(message, key, fix="remove it (a YAML escape such as \\0 or \\a writes one)")
        return None
    return value.strip() or None


_SPACE_RUN = re.compile(r"\s\s|[^\S ]")
_KNOWN = frozenset(KNOWN_KEYS)


def _url(meta: dict[str, Any], key: str, out: FileProblems, *, required: bool = False,
         https: bool = False) -> str | None:
    value = _text(meta, key, out, required=required)
    if value is None:
        return None
    if not is_http_url(value, https_only=https):
        kind = "https" if https else "http(s)"
        out.error(f"'{value}' is not an absolute {kind} URL", key,
                  fix=f"use a full {kind} link such as https://example.org/...")
        return None
    return value


def _themes(meta: dict[str, Any], theme_ids: tuple[str, ...], out: FileProblems) -> tuple[str, ...]:
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
                 theme_ids: tuple[str, ...], out: FileProblems) -> Summary | None:
    """Validate front matter into a Summary; record every problem in `out`."""
    meta = source.meta
    title = _text(meta, "title", out, required=True)
    url = _url(meta, "url", out, required=True)
    published = None
    if meta.get("published") in (None, ""):
        out.error("is required", "published", fix="add `published: 2026-05-14`")
    else:
        try:
            published = parse_published(meta["published"], tz)
        except (ValueError, OverflowError):
            out.error(f"'{meta['published']}' {EDGE_OF_CALENDAR}", "published",
                      fix=f"give a date between the years {YEARS[0]} and {YEARS[1]}")
        else:
            if published is None:
                out.error(f"cannot read '{meta['published']}' as a date", "published",
                          fix=DATE_FIX)
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
    if isinstance(image_alt, str) and (message := control_message(image_alt)):
        out.error(message, "image_alt", fix="remove it")
        image_alt = None
    if image and not isinstance(image_alt, str):
        out.error("is required when image is set", "image_alt",
                  fix='describe the image, or write image_alt: "" for a decorative one')
    for key in sorted(meta.keys() - _KNOWN):
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
        extra={k: v for k, v in meta.items() if k not in _KNOWN},
    )
    return None if out.problems else summary


def parse_file(path: str, shown: str, tz: ZoneInfo, theme_ids: tuple[str, ...]) -> dict[str, Any]:
    """Read and validate one file into a record: the summary's fields, or its problems."""
    out = FileProblems(shown)
    try:
        raw = read_bytes(path)
    except OSError as exc:
        out.error(f"cannot be read ({exc.strerror})", fix="check the file's permissions")
        return {"summary": None, "problems": [p.as_dict() for p in out.problems], "warnings": []}
    source = read_source(raw, out)
    summary = None
    if source is not None:
        stem = os.path.basename(path)[: -len(".md")]
        summary = make_summary(source, shown, stem, tz, theme_ids, out)
    return {
        "summary": summary_record(summary) if summary is not None else None,
        "problems": [p.as_dict() for p in out.problems],
        "warnings": [w.as_dict() for w in out.warnings],
    }


READ_SIZE = 1 << 16  # a summary is a few KB: one read, and one that finds the end


def read_bytes(path: str) -> bytes:
    """A file's bytes, through the file descriptor alone (a third of the time `open().read()`
    takes for a summary, whose buffered file object a single read does not need)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_BINARY", 0))
    try:
        chunks = [os.read(fd, READ_SIZE)]
        while chunks[-1]:  # until the end of the file: a read may return less than asked
            chunks.append(os.read(fd, READ_SIZE))
        return b"".join(chunks)
    finally:
        os.close(fd)


_RECORD_FIELDS = ("id", "title", "url", "teaser_given", "study_type", "source", "source_url",
                  "image", "image_alt")


def summary_record(summary: Summary) -> dict[str, Any]:
    fields = {name: getattr(summary, name) for name in _RECORD_FIELDS}
    fields["published"] = summary.published.isoformat()
    fields["themes"] = list(summary.themes)
    fields["extra"] = summary.extra
    return fields


def summary_from_record(fields: dict[str, Any], shown: str, path: str, tz: ZoneInfo) -> Summary:
    return Summary(
        path=shown, published=datetime.fromisoformat(fields["published"]).astimezone(tz),
        themes=tuple(fields["themes"]), extra=fields["extra"], file=path,
        **{name: fields[name] for name in _RECORD_FIELDS},
    )


def problem_from_dict(data: dict[str, Any]) -> Problem:
    return Problem(data["where"], data["message"], data["field"], data["fix"], data["line"],
                   data["level"])
