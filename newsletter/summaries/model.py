"""The content objects: a Summary, a file's Source, an IndexEntry and the loaded Library.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from typing import Any, overload

from newsletter.errors import Problem
from newsletter.render import markdown
from newsletter.summaries.frontmatter import read_body

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


class _LazyBody:
    """`Summary.body`: a constructor argument like the other fields, but read from the file on
    first use when the summary came from the index (a build reads the selected bodies only)."""

    def __get__(self, obj: Summary | None, owner: type | None = None) -> str | None:
        if obj is None:
            return None  # the dataclass default
        body = obj.__dict__.get("_body")
        if body is None:
            body = read_body(obj.file) if obj.file is not None else ""
            obj.__dict__["_body"] = body
        return body

    def __set__(self, obj: Summary, value: str | None) -> None:
        obj.__dict__["_body"] = value


@dataclass
class Summary:
    id: str
    path: str
    title: str
    published: datetime
    url: str
    body: str | None = _LazyBody()  # type: ignore[assignment]
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


@dataclass
class Source:
    """A summary file split into front matter and body."""

    meta: dict[str, Any]
    body: str


@dataclass(slots=True)
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


class Entries(Sequence[IndexEntry]):
    """The valid summaries in path order, held as columns (path, id, url, local date as ISO
    text): a warm build looks at 20,000 of them without making an object for each. An
    IndexEntry, and through it the Summary, is made only for the ones asked for."""

    def __init__(self, paths: list[str], ids: list[str], urls: list[str], days: list[str],
                 make: Callable[[int], IndexEntry]) -> None:
        self.paths, self.ids, self.urls, self.days = paths, ids, urls, days
        self._make = make
        self._made: dict[int, IndexEntry] = {}

    @classmethod
    def of(cls, entries: list[IndexEntry]) -> Entries:
        return cls([e.path for e in entries], [e.id for e in entries],
                   [e.url for e in entries], [e.day.isoformat() for e in entries],
                   entries.__getitem__)

    def __len__(self) -> int:
        return len(self.paths)

    @overload
    def __getitem__(self, index: int) -> IndexEntry: ...
    @overload
    def __getitem__(self, index: slice) -> list[IndexEntry]: ...

    def __getitem__(self, index: int | slice) -> IndexEntry | list[IndexEntry]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError(index)
        entry = self._made.get(index)
        if entry is None:
            entry = self._made[index] = self._make(index)
        return entry

    def between(self, start: date, end: date) -> list[int]:
        """Positions of the entries whose date is in start..end (ISO dates sort as text)."""
        low, high = start.isoformat(), end.isoformat()
        return [i for i, day in enumerate(self.days) if low <= day <= high]


class Library:
    """Every valid summary; only those a caller asks for (by date or id) are fully built."""

    def __init__(self, entries: Entries | list[IndexEntry], warnings: list[Problem] | None = None,
                 skipped: list[Problem] | None = None, notices: list[Problem] | None = None
                 ) -> None:
        self.entries = entries if isinstance(entries, Entries) else Entries.of(entries)
        self.warnings = warnings or []  # about the content
        self.skipped = skipped or []  # invalid files left out (--skip-invalid)
        self.notices = notices or []  # about the cache: shown, never part of an output
        self.parse_seconds = 0.0  # time spent reading and validating files (the rest: scan)

    @cached_property
    def _ids(self) -> dict[str, int]:
        ids = self.entries.ids
        positions = dict(zip(ids, range(len(ids)), strict=True))
        if len(positions) != len(ids):  # the same id twice: the first one wins
            positions = {}
            for i, summary_id in enumerate(ids):
                positions.setdefault(summary_id, i)
        return positions

    @property
    def size(self) -> int:
        return len(self.entries)

    @cached_property
    def summaries(self) -> list[Summary]:
        return [e.load() for e in self.entries]

    def between(self, start: date, end: date) -> list[Summary]:
        """Summaries whose local publication date is within start..end (inclusive)."""
        return [self.entries[i].load() for i in self.entries.between(start, end)]

    def get(self, summary_id: str) -> Summary | None:
        index = self._ids.get(summary_id)
        return self.entries[index].load() if index is not None else None

    def ids(self) -> list[str]:
        return list(self._ids)

    def dates(self) -> list[date]:
        return sorted(date.fromisoformat(day) for day in self.entries.days)

    def by_id(self) -> dict[str, Summary]:
        return {summary_id: self.entries[i].load() for summary_id, i in self._ids.items()}
