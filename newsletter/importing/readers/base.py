"""What every reader shares: the source it reads, the raw records it yields, and text helpers.

A reader turns one source (a file, or standard input) into `RawRecord`s: plain dicts whose keys
are the source's own (aliases included) plus `body`. Everything after that (aliases, dates, ids,
validation, writing) happens once, in `newsletter.importing`, whatever the format.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from newsletter.errors import Problem
from newsletter.values import slug


@dataclass(frozen=True)
class Source:
    """One thing to read: its label as the user sees it, its file name and its bytes."""

    label: str
    data: bytes
    name: str | None = None  # the file name; None for standard input


@dataclass(frozen=True)
class PageOptions:
    """Where a page's date and url come from (pages do not carry them)."""

    published: str | None = None
    url: str | None = None
    base_url: str | None = None


@dataclass
class RawRecord:
    """One record as read, before aliases, normalisation and validation."""

    data: dict[str, Any]
    position: str | None = None  # "record 3" (JSON); line numbers go in `line`
    line: int | None = None
    default_id: str | None = None  # from the file name (page slug, markdown stem)
    size: int = 0  # bytes of the record in its source
    problems: list[Problem] = field(default_factory=list)
    notes: list[Problem] = field(default_factory=list)


@dataclass
class ReadResult:
    records: list[RawRecord] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # the source as a whole is unusable


Reader = Callable[[Source, PageOptions], ReadResult]


@dataclass(frozen=True)
class Format:
    """One input format, declared by its reader module: its --format name, its reader and the
    file name endings that choose it under --format auto."""

    name: str
    read: Reader
    extensions: tuple[str, ...]


def source_problem(source: Source, message: str, fix: str | None = None,
                   line: int | None = None, key: str | None = None) -> Problem:
    return Problem(source.label, message, field=key, fix=fix, line=line)


def decode(source: Source, result: ReadResult) -> str | None:
    """The source as text: UTF-8 (a BOM is allowed), CRLF as LF, not empty; else a problem."""
    try:
        text = source.data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = source.data[: exc.start].count(b"\n") + 1
        result.problems.append(source_problem(
            source, f"byte {exc.start} (0x{source.data[exc.start]:02x}) is not UTF-8 text",
            fix="save the file as UTF-8 (most editors offer it under 'Save as' or 'Encoding')",
            line=line))
        return None
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        result.problems.append(source_problem(source, "the file is empty",
                                              fix="check that this is the file you meant"))
        return None
    return text


# --- Markdown text ----------------------------------------------------------------------------

_INLINE_SPECIAL = re.compile(
    r"[\\`*\[\]<>]"  # emphasis, code, links, autolinks, escapes
    r"|(?<![A-Za-z0-9])_+|_+(?![A-Za-z0-9])"  # underscores that could open or close emphasis
    r"|&(?=#?\w+;)"  # what would read as an entity
)
_LINE_START = re.compile(r"^(\s*)([#>+=|~-]|\d+[.)](?=\s|$)|-{3,}$)")


def escape_inline(text: str) -> str:
    """Plain text as Markdown that renders back to the same text (no emphasis, links, code)."""
    return _INLINE_SPECIAL.sub(lambda m: "".join("\\" + c for c in m.group(0)), text)


def escape_line_start(line: str) -> str:
    """Keep a line that starts like a heading, quote, list item or rule a plain paragraph."""
    match = _LINE_START.match(line)
    if not match:
        return line
    marker = match.group(2)
    if marker[0].isdigit():
        return line[: match.start(2)] + marker[:-1] + "\\" + marker[-1] + line[match.end(2):]
    return line[: match.start(2)] + "\\" + line[match.start(2):]


def plain_to_markdown(paragraph: str) -> str:
    """One paragraph of plain text as a Markdown paragraph."""
    text = re.sub(r"\s+", " ", paragraph).strip()
    return escape_line_start(escape_inline(text))


# --- ids ----------------------------------------------------------------------------------------

SLUG_MAX = 60
# Letters that Unicode does not decompose into an ASCII letter plus accents.
def slugify(text: str, limit: int = SLUG_MAX) -> str:
    """An id made from a title (see `newsletter.values.slug`)."""
    return slug(text, limit)


# --- field names ----------------------------------------------------------------------------------

# Other names for the canonical keys, as exports from websites and spreadsheets use them.
ALIASES: dict[str, str] = {
    "headline": "title",
    "date": "published",
    "published_at": "published",
    "link": "url",
    "description": "teaser",
    "excerpt": "teaser",
    "summary": "body",
    "content": "body",
    "text": "body",
    "tags": "themes",
    "categories": "themes",
}
REQUIRED = ("title", "published", "url")
LIST_FIELDS = ("themes", "tags", "categories")


def names_for(key: str) -> list[str]:
    """A canonical key and its aliases, for messages ("published (or date, published_at)")."""
    return [key] + [alias for alias, canonical in ALIASES.items() if canonical == key]
