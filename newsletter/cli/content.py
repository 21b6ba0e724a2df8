"""Bringing summaries in: `import`."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from newsletter.cli.common import (
    LazyChoice,
    print_warnings,
    workspace,
)

PROGRESS_MIN_RECORDS = 300


def import_formats() -> list[str]:
    """The formats the readers declare (cheap: no reader parses anything at import)."""
    from newsletter.importing.readers import FORMATS

    return list(FORMATS)


def _progress(label: str, total: int) -> Any:
    """A progress bar on a terminal for long imports; nothing otherwise."""
    from newsletter.importing.run import no_progress

    if total > PROGRESS_MIN_RECORDS and sys.stdout.isatty():
        return click.progressbar(length=total, label=f"{label} {total} records")
    return no_progress(label, total)


@click.command(name="import")
@click.argument("sources", nargs=-1, required=True, metavar="SOURCE...")
@click.option("--format", "fmt", default="auto", show_default=True,
              type=LazyChoice(lambda: ["auto", *import_formats()]),
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
    result = import_sources(workspace(ctx), list(sources), options,
                            stdin=lambda size: sys.stdin.buffer.read(size), progress=_progress)
    click.echo(report_text(result, Path.cwd()), nl=False)
    print_warnings(report_warnings(result))
    failure = result.failure()
    if failure is not None:
        raise failure
