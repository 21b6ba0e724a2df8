"""Editing an issue file: the one function every write goes through (the desk and `newsletter
edit`).

Edits are operations (feature, exclude, move, ...) applied to the file's TOML with tomlkit, so
comments, key order and formatting survive; the result is validated like any issue file (ids
known, themes known, nothing both featured and excluded) before anything is written, and the
file is replaced atomically. A version (the sha256 of the file's bytes) guards against writing
over a hand edit made in the meantime.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import tomlkit

from newsletter.errors import NewsletterError, Problem
from newsletter.issue.dates import parse_month
from newsletter.issue.ops import OPS, EditError, parse_op
from newsletter.issue.plan import Plan
from newsletter.issue.select import select
from newsletter.issue.spec import IssueSpec, issue_path, parse_issue
from newsletter.storage.output import atomic_write
from newsletter.summaries.model import Library, Summary
from newsletter.workspace import Workspace

__all__ = ["OPS", "UNCHECKED", "EditError", "EditResult", "VersionConflict", "apply_edits",
           "candidates", "file_version", "write_version"]


class _Unchecked:
    def __repr__(self) -> str:
        return "UNCHECKED"


UNCHECKED: Any = _Unchecked()  # expected_version for callers that do not guard (the CLI)


class VersionConflict(NewsletterError):
    """The issue file changed since the caller read it; nothing was written."""

    def __init__(self, where: str, current: str | None) -> None:
        super().__init__(f"{where} changed on disk since it was read (someone edited it); "
                         "nothing was written: reload and apply the change again")
        self.current = current


@dataclass
class EditResult:
    path: Path
    version: str | None
    before: bytes | None
    after: bytes | None
    changes: list[str] = field(default_factory=list)
    created: bool = False

    @property
    def changed(self) -> bool:
        return self.before != self.after


def file_version(path: Path) -> str | None:
    """The sha256 of the file's bytes, or None when there is no file."""
    data = _read(path)
    return _version(data)


def _version(data: bytes | None) -> str | None:
    return hashlib.sha256(data).hexdigest() if data is not None else None


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _check_version(ws: Workspace, path: Path, before: bytes | None, expected: Any) -> None:
    if expected is UNCHECKED:
        return
    if expected != _version(before):
        raise VersionConflict(ws.relative(path), _version(before))


def apply_edits(ws: Workspace, issue_id: str, ops: Sequence[Mapping[str, Any]], *,
                expected_version: Any = UNCHECKED, library: Library | None = None,
                period: tuple[date, date] | None = None) -> EditResult:
    """Apply `ops` to issues/<issue_id>.toml (created when missing) and write it, validated.

    A missing file is started as `newsletter new` would: for a YYYY-MM id that month, for any
    other id the `period` given (from, to). Raises EditError naming the first bad op (nothing
    written), VersionConflict when `expected_version` is given and is not the file's current
    version."""
    path = issue_path(ws, issue_id)
    before = _read(path)
    _check_version(ws, path, before, expected_version)
    if not ops:
        raise EditError("no edit given")
    parsed = [parse_op(i, raw) for i, raw in enumerate(ops, 1)]
    library = library if library is not None else _load(ws)
    doc = _document(ws, issue_id, before, period)
    changes: list[str] = []
    for op in parsed:
        op.check(library, ws.config.theme_ids)
        changes += op.apply(doc, _current(doc, issue_id, ws))
    after = tomlkit.dumps(doc).encode("utf-8")
    _validate(ws, issue_id, path, after, library)
    if after != before:
        atomic_write(path, after)
    return EditResult(path, _version(after), before, after, changes, created=before is None)


def write_version(ws: Workspace, issue_id: str, data: bytes | None, *,
                  expected_version: Any, library: Library | None = None) -> EditResult:
    """Put exact bytes back (the desk's undo and redo); None removes the file (undoing the edit
    that created it). Validated and version-guarded like `apply_edits`."""
    path = issue_path(ws, issue_id)
    before = _read(path)
    _check_version(ws, path, before, expected_version)
    if data is None:
        path.unlink(missing_ok=True)
    else:
        _validate(ws, issue_id, path, data, library if library is not None else _load(ws))
        atomic_write(path, data)
    return EditResult(path, _version(data), before, data, ["restored an earlier version"],
                      created=before is None and data is not None)


def candidates(ws: Workspace, plan: Plan, library: Library, days: int = 14) -> list[Summary]:
    """What the issue could take in: its excluded summaries, then those published within `days`
    around its range that it does not show (newest first)."""
    issue = plan.issue
    taken = {e.summary.id for e in plan.entries} | {s.id for s in plan.excluded}
    taken |= {s.id for s in plan.cut}
    near = library.between(issue.start - timedelta(days=days), issue.end + timedelta(days=days))
    around = [s for s in near if s.id not in taken]
    around.sort(key=lambda s: (s.published, s.id), reverse=True)
    return list(plan.excluded) + around


# --- helpers ----------------------------------------------------------------------------------


def _load(ws: Workspace) -> Library:
    from newsletter.storage.cache import caching_enabled
    from newsletter.summaries.library import load_library

    return load_library(ws, skip_invalid=True, use_cache=caching_enabled())


def _document(ws: Workspace, issue_id: str, before: bytes | None,
              period: tuple[date, date] | None) -> tomlkit.TOMLDocument:
    if before is not None:
        try:
            return tomlkit.parse(before.decode("utf-8"))
        except (UnicodeDecodeError, tomlkit.exceptions.TOMLKitError) as exc:
            raise EditError(f"{ws.relative(issue_path(ws, issue_id))} cannot be edited: it is "
                            f"not valid TOML ({exc}); fix it by hand first") from None
    month = parse_month(issue_id) or period
    if month is None:
        raise EditError(f"there is no issue file for '{issue_id}', and it is not a month "
                        f"(YYYY-MM); create it with `newsletter new {issue_id} --from ... --to ...`")
    from newsletter.issue.new import starter_text

    text, _notes = starter_text(ws, issue_id, *month)
    return tomlkit.parse(text)


def _current(doc: tomlkit.TOMLDocument, issue_id: str, ws: Workspace) -> IssueSpec:
    """The issue as the document stands (an op such as include depends on its range)."""
    try:
        return parse_issue(tomllib.loads(tomlkit.dumps(doc)), issue_id, "issue",
                           ws.config.theme_ids)
    except NewsletterError as exc:
        raise EditError(f"the issue file cannot be edited: {exc.message}", exc.problems) from None


def _validate(ws: Workspace, issue_id: str, path: Path, data: bytes, library: Library) -> None:
    where = ws.relative(path)
    try:
        spec = parse_issue(tomllib.loads(data.decode("utf-8")), issue_id, where,
                           ws.config.theme_ids)
        select(library, spec)
    except NewsletterError as exc:
        raise EditError(f"the edit would leave {where} invalid: {exc.message}",
                        exc.problems) from None
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise EditError(f"the edit would leave {where} unreadable ({exc})",
                        [Problem(where, str(exc))]) from None


