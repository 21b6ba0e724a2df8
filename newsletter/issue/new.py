"""`newsletter new`: a new issue file with the computed subject and preheader.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from newsletter.errors import NewsletterError, OutputError, Problem, UsageError
from newsletter.issue.dates import format_period, parse_month
from newsletter.issue.spec import IssueSpec, issue_path
from newsletter.storage.output import write_new
from newsletter.workspace import Workspace


def new_issue(ws: Workspace, issue_id: str, start: date | None = None,
              end: date | None = None) -> tuple[Path, list[Problem]]:
    """Write issues/<issue_id>.toml; refuses to overwrite. Returns the path and any notices."""
    path = issue_path(ws, issue_id)
    if path.exists():
        raise UsageError(f"{ws.relative(path)} already exists; edit it, or delete it first")
    month = parse_month(issue_id)
    if (start is None) != (end is None):
        raise UsageError("give both --from and --to, or neither")
    if start is None or end is None:
        if month is None:
            raise UsageError(f"'{issue_id}' is not a month (YYYY-MM): give --from and --to")
        start, end = month
    if start > end:
        raise UsageError(f"--from {start} is after --to {end}")
    text, notes = starter_text(ws, issue_id, start, end)
    try:
        write_new(path, text)
    except FileExistsError:
        raise UsageError(f"{ws.relative(path)} already exists") from None
    except OSError as exc:  # a full disk, a read-only folder
        raise OutputError(f"cannot write {ws.relative(path)}: {exc.strerror or exc}; nothing "
                          "was written") from None
    return path, notes


def starter_text(ws: Workspace, issue_id: str, start: date, end: date
                 ) -> tuple[str, list[Problem]]:
    """A new issue file's text, with the subject and preheader the range computes today shown
    as comments (left unset, they are computed again from the final plan at build time)."""
    subject, preheader, notes = _texts(ws, IssueSpec(issue_id, start, end))
    return issue_file_text(issue_id, start, end, subject, preheader), notes


def _texts(ws: Workspace, issue: IssueSpec) -> tuple[str, str, list[Problem]]:
    """Subject and preheader from the workspace's patterns and what the range selects now."""
    from newsletter.issue.plan import issue_texts, make_plan
    from newsletter.issue.select import select
    from newsletter.storage.cache import caching_enabled
    from newsletter.summaries.library import load_library

    try:
        library = load_library(ws, skip_invalid=True, use_cache=caching_enabled())
        plan = make_plan(ws.config, select(library, issue))
        return plan.subject, plan.preheader, []
    except NewsletterError as exc:
        subject, _ = issue_texts(ws.config, issue, [], 0)
        note = Problem(f"issues/{issue.id}.toml", f"the preheader is generic because {exc.message}",
                       fix="edit the preheader once the month's summaries are in", level="warning")
        return subject, f"Research summaries from {format_period(issue.start, issue.end)}.", [note]


def _toml_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def issue_file_text(issue_id: str, start: date, end: date, subject: str, preheader: str) -> str:
    return f"""# Issue {issue_id}: {format_period(start, end)}. Build it with `newsletter build {issue_id}`.
from = {start.isoformat()}
to = {end.isoformat()}

# Subject and preheader: left unset, both are computed from the final selection at build time
# (newsletter.toml subject_pattern / preheader_pattern). Today they would read:
# subject = {_toml_string(subject)}
# preheader = {_toml_string(preheader)}

# A short welcome in Markdown, shown above the summaries.
intro = \"\"\"
\"\"\"

# featured = ["summary-id"]   # shown first, in a Highlights block, in this order
# exclude = ["summary-id"]    # left out of this issue
# include = ["summary-id"]    # pulled in from outside the date range
# theme_order = ["living"]    # these sections first, the rest in taxonomy order
# max_per_section = 8         # keep the newest N per section and link to the rest
#
# [move]                      # this issue only: a summary's section (the archive is untouched)
# "summary-id" = "progression"
#
# [order]                     # card order inside a section; unlisted cards follow, newest first
# progression = ["id-a", "id-b"]
"""
