"""The command line: click commands only. Each parses options, calls one library function and
prints its result; `NewsletterError`s become a message and an exit code (1 content/config, 2 usage).
"""

from __future__ import annotations

import json
import sys
import traceback
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import click

from newsletter import __version__
from newsletter.errors import NewsletterError, Problem

EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 70


class _Group(click.Group):
    """Maps library errors to messages and exit codes; a traceback only with --verbose."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NewsletterError as exc:
            if _verbose(ctx):
                traceback.print_exc()
            _print_error(exc.message, exc.problems)
            ctx.exit(exc.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException):
            raise
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(130)
        except Exception as exc:  # an unexpected failure: say so plainly
            if _verbose(ctx):
                traceback.print_exc()
            click.echo(f"Error: unexpected {type(exc).__name__}: {exc}", err=True)
            click.echo("This is a bug in newsletter; run again with --verbose for the "
                       "traceback and report it.", err=True)
            ctx.exit(EXIT_INTERNAL)


def _verbose(ctx: click.Context) -> bool:
    return bool(ctx.params.get("verbose")) or "--verbose" in sys.argv


def _print_error(message: str, problems: list[Problem]) -> None:
    click.echo(f"Error: {message}", err=True)
    for problem in problems:
        click.echo(f"  - {problem}", err=True)


def _print_warnings(warnings: list[Problem]) -> None:
    if warnings:
        click.echo(f"Warnings ({len(warnings)}):", err=True)
        for warning in warnings:
            click.echo(f"  - {warning}", err=True)


def _workspace(ctx: click.Context) -> Any:
    from newsletter.workspace import open_workspace

    return open_workspace(ctx.obj["root"])


def _date(_ctx: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date; write YYYY-MM-DD", param=param) \
            from None


def issue_reference(func: Callable[..., Any]) -> Callable[..., Any]:
    """ISSUE_ID, or --from/--to: the same in every command that works on one issue."""
    func = click.option("--to", "end", metavar="YYYY-MM-DD", callback=_date,
                        help="Last day of the range (inclusive).")(func)
    func = click.option("--from", "start", metavar="YYYY-MM-DD", callback=_date,
                        help="First day of a date range (instead of ISSUE_ID).")(func)
    return click.argument("issue_id", required=False, metavar="[ISSUE_ID]")(func)


def skip_invalid_option(func: Callable[..., Any]) -> Callable[..., Any]:
    return click.option("--skip-invalid", is_flag=True,
                        help="Leave invalid summary files out (each is reported) instead of "
                             "stopping.")(func)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"],
                                           "max_content_width": 100})
@click.option("--root", type=click.Path(file_okay=False, path_type=Path),
              help="Workspace folder (default: the nearest folder with newsletter.toml, from "
                   "the current folder up).")
@click.option("-v", "--verbose", is_flag=True, help="Show tracebacks on errors.")
@click.version_option(__version__, prog_name="newsletter")
@click.pass_context
def main(ctx: click.Context, root: Path | None, verbose: bool) -> None:
    """Turn an archive of MS research summaries into a monthly email newsletter.

    \b
    A typical month:
      newsletter new 2026-05        write issues/2026-05.toml for May
      newsletter plan 2026-05       see what was selected and why each is where it is
      newsletter build 2026-05      write output/2026-05/email.html, .txt, .mjml, manifest.json

    Exit codes: 0 success, 1 a content or configuration problem (all are listed), 2 a usage error.
    """
    ctx.ensure_object(dict)
    ctx.obj["root"] = root
    ctx.obj["verbose"] = verbose


@main.command()
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
    from newsletter.scaffold import init_workspace

    created, kept = init_workspace(directory, force=force)
    for path in created:
        click.echo(f"created {path}")
    for path in kept:
        click.echo(f"kept    {path} (already there)")
    click.echo(f"\nNext: cd {directory} && newsletter plan 2026-05")


@main.command()
@click.argument("issue_id", metavar="ISSUE_ID")
@click.option("--from", "start", metavar="YYYY-MM-DD", callback=_date,
              help="First day (default: the first day of the ISSUE_ID month).")
@click.option("--to", "end", metavar="YYYY-MM-DD", callback=_date,
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
    from newsletter.scaffold import new_issue

    path, warnings = new_issue(_workspace(ctx), issue_id, start, end)
    click.echo(f"created {path}")
    _print_warnings(warnings)


@main.command()
@issue_reference
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
@skip_invalid_option
@click.pass_context
def plan(ctx: click.Context, issue_id: str | None, start: date | None, end: date | None,
         as_json: bool, skip_invalid: bool) -> None:
    """Show what an issue selects and how it is grouped, and why.

    Lists each section with its summaries (date, id, title) and, for each, why it is in that
    theme (front matter, or the keywords that scored) and its study type.

    \b
    Examples:
      newsletter plan 2026-05
      newsletter plan --from 2026-05-01 --to 2026-05-15 --json
    """
    from newsletter.build import prepare
    from newsletter.report import plan_as_dict, plan_as_text

    prepared = prepare(_workspace(ctx), issue_id, start, end, skip_invalid=skip_invalid)
    if as_json:
        data = plan_as_dict(prepared.plan, prepared.warnings)
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    click.echo(plan_as_text(prepared.plan), nl=False)
    _print_warnings(prepared.warnings)


@main.command()
@issue_reference
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (default: output/<issue-id>/ in the workspace).")
@skip_invalid_option
@click.pass_context
def build(ctx: click.Context, issue_id: str | None, start: date | None, end: date | None,
          out: Path | None, skip_invalid: bool) -> None:
    """Build an issue: email.html, email.txt, email.mjml and manifest.json.

    The output folder is replaced in one step only when the whole build succeeded; a failed
    build leaves the previous output untouched. The build fails when the HTML would reach
    Gmail's 102 KB clipping limit, and says which max_per_section would fit.

    \b
    Examples:
      newsletter build 2026-05
      newsletter build --from 2026-05-01 --to 2026-05-31 --out /tmp/may
    """
    from newsletter.build import build as build_issue
    from newsletter.report import build_summary

    result = build_issue(_workspace(ctx), issue_id, start, end, out_dir=out,
                         skip_invalid=skip_invalid)
    click.echo(build_summary(result, Path.cwd()), nl=False)
    _print_warnings(result.warnings)


# --- import (issue 3) -------------------------------------------------------------------------

PROGRESS_MIN_RECORDS = 300


def _progress(label: str, total: int) -> Any:
    """A progress bar on a terminal for long imports; nothing otherwise."""
    from newsletter.importing import no_progress

    if total > PROGRESS_MIN_RECORDS and sys.stdout.isatty():
        return click.progressbar(length=total, label=f"{label} {total} records")
    return no_progress(label, total)


@main.command(name="import")
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE...")
@click.option("--format", "fmt", default="auto", show_default=True,
              type=click.Choice(["auto", "page", "markdown", "json", "jsonl", "csv", "feed"]),
              help="How to read the sources; auto decides per file by extension and content.")
@click.option("--published", metavar="DATE",
              help="Date of a single page source (pages do not carry one).")
@click.option("--url", metavar="URL", help="URL of a single page source.")
@click.option("--base-url", metavar="URL",
              help="For pages named YYYY-MM-DD-<slug>.txt: the url is URL/<slug>.")
@click.option("--update", is_flag=True,
              help="Replace summaries whose id or url exists with different content.")
@click.option("--dry-run", is_flag=True, help="Check and show the result table; write nothing.")
@click.option("--skip-invalid", is_flag=True,
              help="Import the valid records and list the invalid ones (default: write nothing "
                   "when any record is invalid).")
@click.pass_context
def import_(ctx: click.Context, sources: tuple[str, ...], fmt: str, published: str | None,
            url: str | None, base_url: str | None, update: bool, dry_run: bool,
            skip_invalid: bool) -> None:
    """Import summaries from SOURCE files or folders (or - for standard input).

    Formats: page (the site's summary page as text), markdown (canonical files), json, jsonl,
    csv, feed (RSS 2.0 / Atom). Every record is checked first: if any is invalid, nothing is
    written and every problem is listed. Valid records become summaries_dir/YYYY/MM/<id>.md.
    Re-importing is safe: identical records are unchanged, changed ones are conflicts unless
    --update. Exit 1 on invalid records or conflicts.

    \b
    Examples:
      newsletter import exports/summaries.json --dry-run
      newsletter import 2026-05-06-stem-cell.txt --base-url https://example.org/summaries
      newsletter import page.txt --published 2026-05-06 --url https://example.org/s/stem-cell
      curl -s https://example.org/feed.xml | newsletter import - --format feed
    """
    from newsletter.import_report import report_text, report_warnings
    from newsletter.importing import ImportOptions, import_sources

    options = ImportOptions(fmt, published, url, base_url, update, dry_run, skip_invalid)
    result = import_sources(_workspace(ctx), list(sources), options,
                            stdin=lambda: sys.stdin.buffer.read(), progress=_progress)
    click.echo(report_text(result, Path.cwd()), nl=False)
    _print_warnings(report_warnings(result))
    failure = result.failure()
    if failure is not None:
        raise failure
