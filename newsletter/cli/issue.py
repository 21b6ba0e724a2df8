"""Working on one issue: `plan`, `build`, `check` and `preview`."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import click

from newsletter.cli.common import (
    EXIT_CONTENT,
    issue_args,
    issue_reference,
    print_warnings,
    skip_invalid_option,
    workspace,
)


@click.command()
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

    prepared = prepare(workspace(ctx), issue_id, start, end, skip_invalid=skip_invalid)
    if as_json:
        data = plan_as_dict(prepared.plan, prepared.warnings)
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    click.echo(plan_as_text(prepared.plan), nl=False)
    print_warnings(prepared.warnings + prepared.notices)


@click.command()
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

    ws = workspace(ctx)
    result = build_issue(ws, issue_id, start, end, out_dir=out, skip_invalid=skip_invalid)
    click.echo(build_summary(result, Path.cwd()), nl=False)
    click.echo(f"Checks: {counts_for_build(ws, result)} (details: newsletter check "
               f"{issue_args(issue_id, start, end)})", err=True)
    print_warnings(result.warnings + result.notices)


@click.command()
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


@click.command(cls=_CheckCommand)
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

    from newsletter.checks.report import error_document, report_as_text
    from newsletter.checks.runner import check_issue
    from newsletter.errors import NewsletterError

    try:
        report, result = check_issue(workspace(ctx), issue_id, start, end, service=service,
                                     skip_invalid=skip_invalid)
    except NewsletterError as exc:
        if as_json:  # scripts read stdout: one JSON object there too (the error on stderr)
            click.echo(json.dumps(error_document(exc, issue_id, start, end, service, strict),
                                  indent=2, ensure_ascii=False))
        raise
    if as_json:
        click.echo(json.dumps(report.as_dict(strict), indent=2, ensure_ascii=False))
    else:
        width = max(80, min(shutil.get_terminal_size((100, 24)).columns, 160))
        click.echo(report_as_text(report, strict, width), nl=False)
    print_warnings(result.warnings + result.notices)
    if report.failed(strict):
        ctx.exit(EXIT_CONTENT)
