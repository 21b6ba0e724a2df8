"""Issue files (issues/<id>.toml): ids, paths, parsing and validation into an IssueSpec.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from newsletter.config.load import toml_limit_message
from newsletter.errors import IssueFileError, Problem, UsageError
from newsletter.issue.dates import format_period, parse_month, range_id
from newsletter.values import control_message
from newsletter.workspace import Workspace

ISSUE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")


ISSUE_KEYS = ("subject", "preheader", "from", "to", "intro", "featured", "exclude", "include",
              "theme_order", "max_per_section", "move", "order")


@dataclass(frozen=True)
class IssueSpec:
    """One issue: its id, inclusive date range and editorial choices."""

    id: str
    start: date
    end: date
    subject: str | None = None
    preheader: str | None = None
    intro: str = ""
    featured: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    theme_order: tuple[str, ...] = ()
    max_per_section: int | None = None
    path: str | None = None
    include: tuple[str, ...] = ()  # pulled in from outside the date range
    move: dict[str, str] = field(default_factory=dict)  # summary id -> theme id, this issue only
    order: dict[str, tuple[str, ...]] = field(default_factory=dict)  # theme id -> card order

    def referenced_ids(self) -> list[tuple[str, str]]:
        """(key, summary id) of every summary the file names, for validation."""
        refs = [(key, ref) for key in ("featured", "exclude", "include")
                for ref in getattr(self, key)]
        refs += [("move", ref) for ref in self.move]
        refs += [(f"order.{theme}", ref) for theme, ids in self.order.items() for ref in ids]
        return refs

    @property
    def period(self) -> str:
        return format_period(self.start, self.end)


def check_issue_id(issue_id: str) -> None:
    if not ISSUE_ID.fullmatch(issue_id):
        raise UsageError(
            f"'{issue_id}' is not an issue id: use letters, digits, '.', '_' and '-' "
            "(for example 2026-05)")


# --- the issue file -------------------------------------------------------------------------


def issue_path(ws: Workspace, issue_id: str) -> Path:
    check_issue_id(issue_id)
    return ws.issues_path / f"{issue_id}.toml"


def resolve_issue(ws: Workspace, issue_id: str | None = None, start: date | None = None,
                  end: date | None = None) -> tuple[IssueSpec, list[Problem]]:
    """The issue named by an id (its file) or by a date range; notices come back as warnings."""
    if issue_id and (start or end):
        raise UsageError("give either ISSUE_ID or --from/--to, not both")
    if issue_id:
        path = issue_path(ws, issue_id)
        if path.is_file():
            return load_issue_file(ws, path), []
        month = parse_month(issue_id)
        if month is None:
            raise IssueFileError(
                f"no issue file {ws.relative(path)}. Create it with `newsletter new {issue_id} "
                "--from YYYY-MM-DD --to YYYY-MM-DD`, or build a range with --from/--to")
        note = Problem(ws.relative(path), "no issue file: using the whole month with the default "
                       "subject and preheader", fix=f"create it with `newsletter new {issue_id}`",
                       level="warning")
        return IssueSpec(issue_id, *month), [note]
    if not (start and end):
        raise UsageError("give an ISSUE_ID (for example 2026-05) or both --from and --to")
    if start > end:
        raise UsageError(f"--from {start} is after --to {end}")
    return IssueSpec(range_id(start, end), start, end), []


def load_issue_file(ws: Workspace, path: Path) -> IssueSpec:
    where = ws.relative(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise IssueFileError(f"{where} is not UTF-8 text; save it as UTF-8") from None
    except tomllib.TOMLDecodeError as exc:
        raise IssueFileError(f"{where} is not valid TOML", [Problem(where, str(exc))]) from None
    except (ValueError, RecursionError) as exc:  # a number of thousands of digits; deep nesting
        raise IssueFileError(f"{where} cannot be read",
                             [Problem(where, toml_limit_message(exc))]) from None
    return parse_issue(data, path.stem, where, ws.config.theme_ids)


def parse_issue(data: dict[str, Any], issue_id: str, where: str,
                theme_ids: tuple[str, ...]) -> IssueSpec:
    problems: list[Problem] = []

    def bad(key: str, message: str, fix: str | None = None) -> None:
        problems.append(Problem(where, message, field=key, fix=fix))

    for key in data:
        if key not in ISSUE_KEYS:
            close = difflib.get_close_matches(key, ISSUE_KEYS, n=1)
            bad(key, "unknown key", f"did you mean '{close[0]}'?" if close
                else "known keys: " + ", ".join(ISSUE_KEYS))
    dates = {key: _issue_date(data.get(key), key, bad) for key in ("from", "to")}
    if dates["from"] and dates["to"] and dates["from"] > dates["to"]:
        bad("to", f"{dates['to']} is before from = {dates['from']}", "swap the two dates")
    texts = {key: _issue_text(data.get(key), key, bad) for key in ("subject", "preheader", "intro")}
    lists = {key: _issue_list(data.get(key), key, bad)
             for key in ("featured", "exclude", "include", "theme_order")}
    for theme in lists["theme_order"]:
        _check_theme(theme, "theme_order", theme_ids, bad)
    move = _issue_table(data.get("move"), "move", bad)
    moves: dict[str, str] = {}
    for ref, theme in move.items():
        if not isinstance(theme, str):
            bad(f"move.{ref}", "must be a theme id in quotes", f'write "{ref}" = "progression"')
        elif _check_theme(theme, f"move.{ref}", theme_ids, bad):
            moves[ref] = theme
    order: dict[str, tuple[str, ...]] = {}
    for theme, ids in _issue_table(data.get("order"), "order", bad).items():
        if _check_theme(theme, f"order.{theme}", theme_ids, bad):
            order[theme] = _issue_list(ids, f"order.{theme}", bad)
    for first in ("featured", "include"):
        both = sorted(set(lists[first]) & set(lists["exclude"]))
        if both:
            bad("exclude", f"{', '.join(both)} is both {first} and excluded",
                "keep it in one list")
    limit = data.get("max_per_section")
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        bad("max_per_section", f"must be a whole number above 0, got {limit!r}")
        limit = None
    if problems:
        raise IssueFileError(f"{where} has {len(problems)} problem"
                             f"{'s' * (len(problems) != 1)}", problems)
    assert dates["from"] and dates["to"]
    return IssueSpec(
        id=issue_id, start=dates["from"], end=dates["to"], subject=texts["subject"],
        preheader=texts["preheader"], intro=texts["intro"] or "", featured=lists["featured"],
        exclude=lists["exclude"], theme_order=lists["theme_order"], max_per_section=limit,
        path=where, include=lists["include"], move=moves, order=order,
    )


def _issue_date(value: Any, key: str, bad: Any) -> date | None:
    if value is None:
        bad(key, "is required", f"add `{key} = 2026-05-01` (inclusive)")
        return None
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    bad(key, f"cannot read {value!r} as a date", "write it as YYYY-MM-DD")
    return None


def _issue_text(value: Any, key: str, bad: Any) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        bad(key, "must be text (in quotes)")
        return None
    if message := control_message(value, multiline=key == "intro"):
        bad(key, message, "remove it: a subject or preheader is one line of plain text" if
            key != "intro" else "remove it: line breaks and tabs are the only ones allowed")
        return None
    return value.strip() or None


def _check_theme(theme: str, key: str, theme_ids: tuple[str, ...], bad: Any) -> bool:
    if theme in theme_ids:
        return True
    close = difflib.get_close_matches(theme, theme_ids, n=1)
    hint = f"did you mean '{close[0]}'? " if close else ""
    bad(key, f"unknown theme id '{theme}'", f"{hint}use one of: " + ", ".join(theme_ids))
    return False


def _issue_table(value: Any, key: str, bad: Any) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        bad(key, f"must be a table: [{key}] with one `\"summary-id\" = ...` line each")
        return {}
    return value


def _issue_list(value: Any, key: str, bad: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        bad(key, "must be a list of ids, e.g. [\"remyelination-trial\"]")
        return ()
    for item in value:
        if message := control_message(item):
            bad(key, f"an id {message}", "remove it")
            return ()
    return tuple(dict.fromkeys(value))
