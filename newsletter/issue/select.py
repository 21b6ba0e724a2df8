"""Selection: the summaries of an issue's date range, with its featured and excluded ones.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field

from newsletter.errors import Problem, SelectionError
from newsletter.issue.spec import IssueSpec
from newsletter.summaries.model import Library, Summary


@dataclass
class Selection:
    issue: IssueSpec
    items: list[Summary]
    featured: list[Summary] = field(default_factory=list)
    excluded: list[Summary] = field(default_factory=list)


# --- dates and ids --------------------------------------------------------------------------


def select(archive: Library, issue: IssueSpec) -> Selection:
    """Summaries published in the issue's range (inclusive, workspace time zone) and those it
    includes, newest first; less the excluded ones."""
    where = issue.path or "issue"
    known = archive.ids()
    problems = [_unknown_id(where, key, ref, known) for key, ref in issue.referenced_ids()
                if archive.get(ref) is None]
    in_range = archive.between(issue.start, issue.end)
    ids_in_range = {s.id for s in in_range}
    included = [s for s in (archive.get(ref) for ref in issue.include)
                if s is not None and s.id not in ids_in_range]
    chosen = in_range + included
    chosen.sort(key=lambda s: (s.published, s.id), reverse=True)
    chosen_ids = {s.id for s in chosen}
    for ref in issue.featured:
        summary = archive.get(ref)
        if summary is not None and ref not in chosen_ids:
            problems.append(Problem(
                where, f"'{ref}' was published {summary.date}, outside "
                f"{issue.start}..{issue.end}", field="featured",
                fix="add it to include = [...] as well, or widen from/to"))
    if problems:
        raise SelectionError(f"{where} names summaries it cannot use", problems)
    excluded = [s for s in chosen if s.id in issue.exclude]
    items = [s for s in chosen if s.id not in issue.exclude]
    if not items:
        raise SelectionError(_empty_message(archive, issue, len(excluded)))
    featured = [s for s in (archive.get(ref) for ref in issue.featured) if s is not None]
    return Selection(issue, items, featured, excluded)


def _unknown_id(where: str, key: str, ref: str, known: list[str]) -> Problem:
    close = difflib.get_close_matches(ref, known, n=1)
    fix = f"did you mean '{close[0]}'?" if close else "use the id of a summary (its file name)"
    return Problem(where, f"no summary has the id '{ref}'", field=key, fix=fix)


def _empty_message(archive: Library, issue: IssueSpec, excluded: int) -> str:
    span = f"between {issue.start} and {issue.end}"
    if excluded:
        return f"all {excluded} summaries published {span} are excluded by the issue file"
    if not archive.size:
        return "the archive holds no summaries yet: add Markdown files to the summaries folder"
    dates = archive.dates()
    return (f"no summaries were published {span}. The archive holds {len(dates)} "
            f"summar{'ies' if len(dates) != 1 else 'y'}, the oldest from {dates[0]} and the "
            f"newest from {dates[-1]}: choose a range inside those dates")
