"""Working on one issue: `plan`, `build`, `check` and `preview`."""

from __future__ import annotations

import gc
import json
from datetime import date
from pathlib import Path
from typing import Any

import click

from newsletter.cli.common import (
    EXIT_CONTENT,
    issue_args,
    issue_reference,
    print_warnings,
    shown,
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
@click.option("--force", is_flag=True,
              help="Build even when nothing changed since the last build into the same folder.")
@click.pass_context
def build(ctx: click.Context, issue_id: str | None, start: date | None, end: date | None,
          out: Path | None, skip_invalid: bool, force: bool) -> None:
    """Build an issue: email.html, email.txt, email.mjml and manifest.json.

    The output folder is replaced in one step only when the whole build succeeded; a failed
    build leaves the previous output untouched. The build fails when the HTML would reach
    Gmail's 102 KB clipping limit, and says which max_per_section would fit. It also runs the
    checks of `newsletter check` and prints their counts (findings never fail a build).

    When nothing changed since the last build into the same folder (the summaries, the issue
    and template files, newsletter.toml, the options and the program itself; its files as it
    wrote them), the folder is kept as it is and the last build's report is printed again.
    --force (or NEWSLETTER_NO_CACHE=1) builds anyway.

    \b
    Examples:
      newsletter build 2026-05
      newsletter build --from 2026-05-01 --to 2026-05-31 --out /tmp/may
    """
    from newsletter.storage.unchanged import BuildRequest, inputs, recall, remember

    ws = workspace(ctx)
    notices: list[Any] = []  # cache entries discarded on the way
    seen = inputs(ws, BuildRequest(issue_id, start, end, out, skip_invalid), notices)
    record = recall(ws, seen, notices) if seen is not None and not force else None
    kept = record is not None
    if record is None:
        from newsletter.build import build as build_issue
        from newsletter.build import build_record
        from newsletter.checks.counts import counts_for_build

        result = build_issue(ws, issue_id, start, end, out_dir=out, skip_invalid=skip_invalid,
                             listing=seen.listing if seen is not None else None)
        record = build_record(result, counts_for_build(ws, result))
        notices += result.notices
        if seen is not None:
            remember(ws, seen, record)
    click.echo(record.summary(Path.cwd()), nl=False)
    click.echo(f"Checks: {record.counts} (details: newsletter check "
               f"{issue_args(issue_id, start, end)})", err=True)
    if kept:
        click.echo("Nothing changed since the last build into this folder: its files were kept "
                   "as they are (--force builds anyway).", err=True)
    print_warnings(record.warnings + notices)


@click.command()
@issue_reference
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port on 127.0.0.1 (0 picks a free one).")
@click.option("--open", "open_browser", is_flag=True, help="Open the desk in your browser.")
@click.option("--read-only", is_flag=True,
              help="Show the email, the inbox preview, the sections and the checks without the "
                   "controls (for reviewers); nothing can be changed, sent or exported.")
@click.pass_context
def preview(ctx: click.Context, issue_id: str | None, start: date | None, end: date | None,
            port: int, open_browser: bool, read_only: bool) -> None:
    """Open the editorial desk: the issue in the browser, and the controls to put it together.

    Serves on 127.0.0.1 only (never on other network interfaces). Beside the email (Desktop,
    Mobile 375 px, Dark, Plain text and Source views) the desk shows the inbox preview (sender,
    subject, preheader as inbox lists cut them), the sections and their cards (feature, exclude,
    move to another theme, reorder), candidates to include, every check finding and the size
    against Gmail's 102 KB limit, and has Send test, Export, an issue switcher and undo/redo.
    Every change is written to issues/<ISSUE_ID>.toml (comments kept), exactly as
    `newsletter edit` writes it; a month without an issue file gets one at the first change.
    Saving any file rebuilds and reloads the page; a hand edit of the issue file is never
    overwritten. A save that breaks the build shows the errors; the next good save recovers.
    Ctrl-C stops it.

    \b
    Examples:
      newsletter preview 2026-05 --open
      newsletter preview 2026-05 --read-only --port 8001
      newsletter preview --from 2026-05-01 --to 2026-05-15
    """
    from newsletter.preview.builder import serve

    if ctx.obj.get("gc_thresholds"):  # the desk runs for hours: Python's collector thresholds
        gc.set_threshold(*ctx.obj["gc_thresholds"])
    serve(ctx.obj["root"], issue_id, start, end, port, open_browser, click.echo, read_only)


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
@click.option("--online", is_flag=True,
              help="Also fetch every link and image of the email (links.online: HEAD, then GET "
                   "where refused; 8 at a time, 10 s each). Uses the network; successes are "
                   "remembered for a day.")
@click.option("--service", metavar="NAME",
              help="Check what `newsletter export --service NAME` writes (the service's merge "
                   "tags in place) instead of the generic build. NAME: "
                   + ", ".join(sorted(_export_services())) + ".")
@skip_invalid_option
@click.pass_context
def check(ctx: click.Context, issue_id: str | None, start: date | None, end: date | None,
          as_json: bool, strict: bool, online: bool, service: str | None,
          skip_invalid: bool) -> None:
    """Check an issue before it is sent.

    Builds the issue in memory (nothing is written) and checks the email: size, disclaimer,
    compliance, links, images, accessibility, content, plain text, which mail clients drop
    which features (compat, Can I email data) and the SpamAssassin score of the eml export
    (spam, local rules only, when SpamAssassin is installed). With --online, every link and
    image is fetched too. Prints each finding (level, check id, where, message, how to fix) and
    a last line with the counts.

    Exit codes: 0 no errors, 1 errors (or, with --strict, warnings), 2 a usage error.

    \b
    Examples:
      newsletter check 2026-05
      newsletter check 2026-05 --online
      newsletter check --from 2026-05-01 --to 2026-05-31 --strict --json
    """
    import shutil

    from newsletter.checks.report import error_document, report_as_text
    from newsletter.checks.runner import check_issue
    from newsletter.errors import NewsletterError

    try:
        report, result = check_issue(workspace(ctx), issue_id, start, end, service=service,
                                     skip_invalid=skip_invalid, online=online)
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


def _pairs(option: str, values: tuple[str, ...]) -> list[tuple[str, str]]:
    pairs = []
    for value in values:
        left, sep, right = value.partition("=")
        if not sep or not left.strip() or not right.strip():
            raise click.BadParameter(f"'{value}' is not NAME=VALUE", param_hint=option)
        pairs.append((left.strip(), right.strip()))
    return pairs


def _list(value: str) -> list[str]:
    return [item.strip() for item in value.split(",") if item.strip()]


@click.command()
@click.argument("issue_id", metavar="ISSUE_ID")
@click.option("--feature", multiple=True, metavar="ID", help="Show first, in Highlights (in "
              "the order given after those already featured).")
@click.option("--unfeature", multiple=True, metavar="ID", help="Take out of Highlights.")
@click.option("--exclude", multiple=True, metavar="ID", help="Leave out of this issue.")
@click.option("--restore", multiple=True, metavar="ID", help="Undo an --exclude.")
@click.option("--include", multiple=True, metavar="ID",
              help="Pull in a summary from outside the date range.")
@click.option("--move", multiple=True, metavar="ID=THEME",
              help="Show a summary in another section, in this issue only.")
@click.option("--order", multiple=True, metavar="THEME=ID,ID",
              help="Card order inside a section; unlisted cards follow, newest first.")
@click.option("--theme-order", metavar="THEME,THEME", help="These sections first.")
@click.option("--subject", metavar="TEXT", help="The subject line (\"\" to compute it again).")
@click.option("--preheader", metavar="TEXT", help="The inbox preview text (\"\" to compute it).")
@click.option("--intro", metavar="MARKDOWN", help="The welcome text above the summaries.")
@click.option("--max-per-section", type=click.IntRange(0), metavar="N",
              help="Keep the newest N cards per section (0 removes the limit).")
@click.pass_context
def edit(ctx: click.Context, issue_id: str, feature: tuple[str, ...], unfeature: tuple[str, ...],
         exclude: tuple[str, ...], restore: tuple[str, ...], include: tuple[str, ...],
         move: tuple[str, ...], order: tuple[str, ...], theme_order: str | None,
         subject: str | None, preheader: str | None, intro: str | None,
         max_per_section: int | None) -> None:
    """Change an issue's choices and print what changed: the same edits as the desk.

    Edits issues/ISSUE_ID.toml in place, keeping its comments and layout (a YYYY-MM issue
    without a file gets one). Everything is checked first (unknown ids and themes are named,
    with the closest match); on any problem nothing is written.

    \b
    Examples:
      newsletter edit 2026-05 --feature remyelination-trial --exclude old-news
      newsletter edit 2026-05 --move nmosd-b-cell-therapy=related --theme-order living,treatments
      newsletter edit 2026-05 --subject "" --preheader "Three studies on walking and fatigue"
    """
    from newsletter.issue.edit import apply_edits

    ops: list[dict[str, Any]] = []
    for kind, ids in (("feature", feature), ("unfeature", unfeature), ("exclude", exclude),
                      ("restore", restore), ("include", include)):
        ops += [{"op": kind, "id": ref} for ref in ids]
    ops += [{"op": "move", "id": ref, "theme": theme} for ref, theme in _pairs("--move", move)]
    ops += [{"op": "order", "theme": theme, "ids": _list(ids)}
            for theme, ids in _pairs("--order", order)]
    if theme_order is not None:
        ops.append({"op": "theme_order", "themes": _list(theme_order)})
    for name, value in (("subject", subject), ("preheader", preheader), ("intro", intro)):
        if value is not None:
            ops.append({"op": "set", "field": name, "value": value})
    if max_per_section is not None:
        ops.append({"op": "set", "field": "max_per_section", "value": max_per_section or None})
    if not ops:
        raise click.UsageError("give at least one change, e.g. --feature ID (see --help)")
    ws = workspace(ctx)
    result = apply_edits(ws, issue_id, ops)
    for line in result.changes:
        click.echo(line)
    where = shown(result.path)
    if not result.changed:
        click.echo(f"no change: {where} already says so")
    else:
        click.echo(f"{'created' if result.created else 'updated'} {where}")
