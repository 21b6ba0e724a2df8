"""Starting out: `init` (a workspace) and `new` (an issue file)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from newsletter.cli.common import (
    parse_date,
    print_warnings,
    workspace,
)


@click.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Also write into a non-empty folder (existing files "
              "are kept, never overwritten).")
def init(directory: Path, force: bool) -> None:
    """Create a new workspace in DIRECTORY.

    Writes a commented newsletter.toml, two example summaries, an example issue file and a
    .gitignore for the build output. Refuses a non-empty folder unless --force.

    \b
    Example:
      newsletter init my-newsletter && cd my-newsletter && newsletter build 2026-05
    """
    from newsletter.config.starter import init_workspace

    created, kept = init_workspace(directory, force=force)
    for path in created:
        click.echo(f"created {path}")
    for path in kept:
        click.echo(f"kept    {path} (already there)")
    click.echo(f"\nNext: cd {directory} && newsletter plan 2026-05")


@click.command()
@click.argument("issue_id", metavar="ISSUE_ID")
@click.option("--from", "start", metavar="YYYY-MM-DD", callback=parse_date,
              help="First day (default: the first day of the ISSUE_ID month).")
@click.option("--to", "end", metavar="YYYY-MM-DD", callback=parse_date,
              help="Last day, inclusive (default: the last day of the ISSUE_ID month).")
@click.pass_context
def new(ctx: click.Context, issue_id: str, start: date | None, end: date | None) -> None:
    """Write issues/ISSUE_ID.toml with a subject, a preheader and the date range.

    ISSUE_ID of the form YYYY-MM covers that calendar month; any other id needs --from and
    --to. An existing issue file is never overwritten.

    \b
    Examples:
      newsletter new 2026-05
      newsletter new spring-special --from 2026-03-20 --to 2026-06-20
    """
    from newsletter.issue.new import new_issue

    path, warnings = new_issue(workspace(ctx), issue_id, start, end)
    click.echo(f"created {path}")
    print_warnings(warnings)
