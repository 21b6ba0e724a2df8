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
    from newsletter.config.starter import init_workspace

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
    from newsletter.issue.new import new_issue

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
    from newsletter.issue.show import plan_as_dict, plan_as_text

    prepared = prepare(_workspace(ctx), issue_id, start, end, skip_invalid=skip_invalid)
    if as_json:
        data = plan_as_dict(prepared.plan, prepared.warnings)
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    click.echo(plan_as_text(prepared.plan), nl=False)
    _print_warnings(prepared.warnings + prepared.notices)


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
    Gmail's 102 KB clipping limit, and says which max_per_section would fit. It also runs the
    checks of `newsletter check` and prints their counts (findings never fail a build).

    \b
    Examples:
      newsletter build 2026-05
      newsletter build --from 2026-05-01 --to 2026-05-31 --out /tmp/may
    """
    from newsletter.build import build as build_issue
    from newsletter.build import build_summary
    from newsletter.checks.counts import counts_for_build

    ws = _workspace(ctx)
    result = build_issue(ws, issue_id, start, end, out_dir=out, skip_invalid=skip_invalid)
    click.echo(build_summary(result, Path.cwd()), nl=False)
    click.echo(f"Checks: {counts_for_build(ws, result)} (details: newsletter check "
               f"{_issue_args(issue_id, start, end)})", err=True)
    _print_warnings(result.warnings + result.notices)


@main.command()
@issue_reference
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port on 127.0.0.1 (0 picks a free one).")
@click.option("--open", "open_browser", is_flag=True, help="Open the preview in your browser.")
@click.pass_context
def preview(ctx: click.Context, issue_id: str | None, start: date | None, end: date | None,
            port: int, open_browser: bool) -> None:
    """Preview an issue in the browser; it rebuilds and reloads on every save.

    Serves on 127.0.0.1 only (never on other network interfaces). The page has Desktop, Mobile
    (375 px), Dark (the template's dark-mode rules applied), Plain text and Source views, and a
    status line with the size against Gmail's 102 KB limit, the summaries per section and the
    warnings. A save that breaks the build shows the errors in the page; the next good save
    recovers. Ctrl-C stops it.

    \b
    Examples:
      newsletter preview 2026-05 --open
      newsletter preview --from 2026-05-01 --to 2026-05-15 --port 8001
    """
    from newsletter.preview.builder import serve

    serve(ctx.obj["root"], issue_id, start, end, port, open_browser, click.echo)


@main.command()
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Output folder (default: output/archive/ in the workspace).")
@click.pass_context
def archive(ctx: click.Context, out: Path | None) -> None:
    """Write the static web archive of every issue in issues/.

    An index page (newest first: month, subject, number of summaries, themes), a web version of
    each issue at <issue-id>/index.html (no mailing-service tags; the unsubscribe link becomes a
    link to subscribe_url when set) and an Atom feed, feed.xml. Upload the folder anywhere and
    set archive_url to its address: the emails' view-in-browser links then point at it.

    \b
    Example:
      newsletter archive --out site/newsletter
    """
    from newsletter.site import build_archive

    result = build_archive(_workspace(ctx), out)
    click.echo(f"Wrote the archive of {len(result.entries)} issue"
               f"{'s' * (len(result.entries) != 1)} to {result.out_dir}")
    for path in result.written:
        click.echo(f"  {path}")


# --- issue 4: export for mailing services, and a test send over SMTP ---------------------------


def _service_choice() -> click.Choice:
    from newsletter.exporting.services import service_names

    return click.Choice(service_names())


def _shown(path: Path) -> str:
    import os

    try:
        relative = os.path.relpath(path, Path.cwd())
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if relative.startswith("..") else relative


@main.command()
@issue_reference
@click.option("--service", required=True, type=_service_choice(),
              help="The mailing service, or all of them.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path),
              help="Export folder; each service gets a subfolder (default: "
                   "output/_export/<issue-id>/ in the workspace).")
@skip_invalid_option
@click.pass_context
def export(ctx: click.Context, issue_id: str | None, start: date | None, end: date | None,
           service: str, out: Path | None, skip_invalid: bool) -> None:
    """Write the files a mailing service imports, with its own merge tags.

    Builds the issue, fills the unsubscribe, web-version, address and preferences placeholders
    with the service's tags, and prints each file written, one a line. Nothing is written when
    any chosen service cannot be exported (every problem is listed). See docs/export.md.

    \b
    Examples:
      newsletter export 2026-05 --service mailchimp
      newsletter export --from 2026-05-01 --to 2026-05-31 --service all --out /tmp/exports
    """
    from newsletter.exporting.run import export as export_issue

    result = export_issue(_workspace(ctx), issue_id, start, end, service, out_dir=out,
                          skip_invalid=skip_invalid)
    for path in result.written:
        click.echo(_shown(path))
    _print_warnings(result.warnings)


@main.command("send-test")
@issue_reference
@click.option("--recipient", "recipients", multiple=True, required=True, metavar="ADDRESS",
              help="Who gets the test (repeat for several).")
@click.option("--smtp", "server", default="localhost:1025", show_default=True,
              metavar="HOST[:PORT]", help="SMTP server (the default suits a local catcher such as "
                                          "Mailpit; without a port: 25, 587 with --starttls, 465 "
                                          "with --ssl).")
@click.option("--starttls", is_flag=True, help="Upgrade the connection with STARTTLS.")
@click.option("--ssl", "use_ssl", is_flag=True, help="Connect over TLS from the start.")
@click.option("--user", metavar="NAME",
              help="Log in as NAME; the password is read from NEWSLETTER_SMTP_PASSWORD.")
@skip_invalid_option
@click.pass_context
def send_test(ctx: click.Context, issue_id: str | None, start: date | None, end: date | None,
              recipients: tuple[str, ...], server: str, starttls: bool, use_ssl: bool,
              user: str | None, skip_invalid: bool) -> None:
    """Send the issue to a few addresses over SMTP, with "[TEST] " before the subject.

    The message is the eml export's message (plain text and HTML). Connection, login and
    refused-recipient failures are reported in one line, with exit code 1.

    \b
    Examples:
      newsletter send-test 2026-05 --recipient me@example.org
      NEWSLETTER_SMTP_PASSWORD=... newsletter send-test 2026-05 --recipient me@example.org \\
          --smtp smtp.example.org:587 --starttls --user me@example.org
    """
    import os

    from newsletter.exporting.smtp import send_test as send
    from newsletter.exporting.smtp import smtp_settings

    settings = smtp_settings(server, starttls=starttls, use_ssl=use_ssl, user=user, env=os.environ)
    result = send(_workspace(ctx), issue_id, start, end, recipients, settings,
                  skip_invalid=skip_invalid)
    click.echo(f"sent \"{result.subject}\" to {', '.join(result.recipients)} via {result.server}")
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    _print_warnings(result.warnings)


# --- import (issue 3) -------------------------------------------------------------------------

PROGRESS_MIN_RECORDS = 300


def _progress(label: str, total: int) -> Any:
    """A progress bar on a terminal for long imports; nothing otherwise."""
    from newsletter.importing.run import no_progress

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
    from newsletter.importing.report import report_text, report_warnings
    from newsletter.importing.run import ImportOptions, import_sources

    options = ImportOptions(fmt, published, url, base_url, update, dry_run, skip_invalid)
    result = import_sources(_workspace(ctx), list(sources), options,
                            stdin=lambda: sys.stdin.buffer.read(), progress=_progress)
    click.echo(report_text(result, Path.cwd()), nl=False)
    _print_warnings(report_warnings(result))
    failure = result.failure()
    if failure is not None:
        raise failure


# --- newsletter check (issue 6) ---------------------------------------------------------------


class _CheckCommand(click.Command):
    """Lists the check ids under --help, read from the registry only when help is shown."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from newsletter.checks.registry import rules

        with formatter.section("Checks (disable one in newsletter.toml [checks] by id)"):
            formatter.write_dl([(rule.id, rule.doc) for rule in rules()])
        super().format_epilog(ctx, formatter)


def _export_services() -> list[str]:
    """The services `check --service` takes: those of `export` ("all" aside). A cheap import."""
    from newsletter.exporting.services import ALL, service_names

    return [name for name in service_names() if name != ALL]


def _issue_args(issue_id: str | None, start: date | None, end: date | None) -> str:
    return issue_id or f"--from {start} --to {end}"


@main.command(cls=_CheckCommand)
@issue_reference
@click.option("--json", "as_json", is_flag=True,
              help="Print the findings as JSON (schema in docs/check.md).")
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too, not only on errors.")
@click.option("--service", metavar="NAME",
              help="Check what `newsletter export --service NAME` writes (the service's merge "
                   "tags in place) instead of the generic build. NAME: "
                   + ", ".join(sorted(_export_services())) + ".")
@skip_invalid_option
@click.pass_context
def check(ctx: click.Context, issue_id: str | None, start: date | None, end: date | None,
          as_json: bool, strict: bool, service: str | None, skip_invalid: bool) -> None:
    """Check an issue before it is sent.

    Builds the issue in memory (nothing is written) and checks the email: size, disclaimer,
    compliance, links, images, accessibility, content and plain text. Prints each finding
    (level, check id, where, message, how to fix) and a last line with the counts.

    Exit codes: 0 no errors, 1 errors (or, with --strict, warnings), 2 a usage error.

    \b
    Examples:
      newsletter check 2026-05
      newsletter check --from 2026-05-01 --to 2026-05-31 --strict --json
    """
    import shutil

    from newsletter.checks.report import report_as_text
    from newsletter.checks.runner import check_issue

    report, result = check_issue(_workspace(ctx), issue_id, start, end, service=service,
                                 skip_invalid=skip_invalid)
    if as_json:
        click.echo(json.dumps(report.as_dict(strict), indent=2, ensure_ascii=False))
    else:
        width = max(80, min(shutil.get_terminal_size((100, 24)).columns, 160))
        click.echo(report_as_text(report, strict, width), nl=False)
    _print_warnings(result.warnings + result.notices)
    if report.failed(strict):
        ctx.exit(EXIT_CONTENT)
