"""The command line: click commands only (the only package that imports click). Each command
parses options, calls one library function and prints its result; `NewsletterError`s become a
message and an exit code (1 content/config, 2 usage).
"""

from __future__ import annotations

from pathlib import Path

import click

from newsletter import __version__
from newsletter.cli import content, issue, publish, start
from newsletter.cli.common import Group


@click.group(cls=Group, context_settings={"help_option_names": ["-h", "--help"],
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


# The commands, in the order a month's work uses them (`--help` lists them alphabetically).
COMMANDS: tuple[click.Command, ...] = (
    start.init, start.new, content.import_, issue.plan, issue.edit, issue.build, issue.check,
    issue.preview,
    publish.export, publish.send_test, publish.archive,
)
for _command in COMMANDS:
    main.add_command(_command)
