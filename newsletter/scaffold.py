"""New workspaces (`init`) and new issue files (`new`)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from newsletter.config import render_default_toml
from newsletter.errors import NewsletterError, OutputError, Problem, UsageError
from newsletter.fsutil import write_new
from newsletter.select import IssueSpec, format_period, issue_path, parse_month
from newsletter.workspace import Workspace

SCAFFOLD = Path(__file__).parent / "scaffold"
GITIGNORE = "# build output and caches (newsletter build, newsletter preview)\noutput/\n" \
            ".newsletter-cache/\n"
TEMPLATES_README = """# Template overrides

A file here replaces the default theme's file of the same name, one by one; anything not here
comes from the default theme. To change the card layout, for example, copy
`partials/card.mjml.j2` from the default theme (run
`python -c "import newsletter.render as r; print(r.PACKAGE_TEMPLATES)"` to find it) into
`templates/partials/card.mjml.j2` and edit it.
"""
INIT_VALUES = {
    "name": "MS Research Digest",
    "website_url": "https://example.org",
    "from_name": "MS Research Digest",
    "from_email": "digest@example.org",
    "postal_address": "Example Organisation, 1 Example Street, Example City",
    "timezone": "UTC",
}


def init_workspace(directory: Path, *, force: bool = False) -> tuple[list[Path], list[Path]]:
    """Write a new workspace; returns (created, kept) paths. Never overwrites a file."""
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"{directory} exists and is not a folder")
    if directory.is_dir() and any(directory.iterdir()) and not force:
        raise UsageError(f"{directory} is not empty; choose an empty folder, or pass --force to "
                         "add the missing workspace files (existing files are kept)")
    files: dict[Path, str] = {
        Path("newsletter.toml"): render_default_toml(INIT_VALUES),
        Path(".gitignore"): GITIGNORE,
        Path("templates/README.md"): TEMPLATES_README,
    }
    for source in sorted(SCAFFOLD.rglob("*")):
        if source.is_file():
            files[source.relative_to(SCAFFOLD)] = source.read_text(encoding="utf-8")
    created, kept = [], []
    for rel, text in files.items():
        try:
            write_new(directory / rel, text)
            created.append(directory / rel)
        except FileExistsError:
            kept.append(directory / rel)
        except OSError as exc:
            raise OutputError(f"cannot write {directory / rel}: {exc.strerror}") from None
    return created, kept


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
    subject, preheader, notes = _texts(ws, IssueSpec(issue_id, start, end))
    try:
        write_new(path, issue_file_text(issue_id, start, end, subject, preheader))
    except FileExistsError:
        raise UsageError(f"{ws.relative(path)} already exists") from None
    return path, notes


def _texts(ws: Workspace, issue: IssueSpec) -> tuple[str, str, list[Problem]]:
    """Subject and preheader from the workspace's patterns and what the range selects now."""
    from newsletter.content import load_archive
    from newsletter.select import select
    from newsletter.themes import issue_texts, make_plan

    try:
        plan = make_plan(ws.config, select(load_archive(ws, skip_invalid=True), issue))
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
subject = {_toml_string(subject)}
preheader = {_toml_string(preheader)}
from = {start.isoformat()}
to = {end.isoformat()}

# A short welcome in Markdown, shown above the summaries.
intro = \"\"\"
\"\"\"

# featured = ["summary-id"]   # shown first, in a Highlights block
# exclude = ["summary-id"]    # left out of this issue
# theme_order = ["living"]    # these sections first, the rest in taxonomy order
# max_per_section = 8         # keep the newest N per section and link to the rest
"""
