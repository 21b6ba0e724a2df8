"""Sending it out: `export`, `send-test` and the web `archive`."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click

from newsletter.cli.common import (
    issue_reference,
    print_warnings,
    shown,
    skip_invalid_option,
    workspace,
)


def _service_choice() -> click.Choice:
    from newsletter.exporting.services import service_names

    return click.Choice(service_names())


@click.command()
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

    result = export_issue(workspace(ctx), issue_id, start, end, service, out_dir=out,
                          skip_invalid=skip_invalid)
    for path in result.written:
        click.echo(shown(path))
    print_warnings(result.warnings + result.notices)


@click.command("send-test")
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
    result = send(workspace(ctx), issue_id, start, end, recipients, settings,
                  skip_invalid=skip_invalid)
    click.echo(f"sent \"{result.subject}\" to {', '.join(result.recipients)} via {result.server}")
    for note in result.notes:
        click.echo(f"note: {note}", err=True)
    print_warnings(result.warnings)


@click.command()
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

    result = build_archive(workspace(ctx), out)
    click.echo(f"Wrote the archive of {len(result.entries)} issue"
               f"{'s' * (len(result.entries) != 1)} to {result.out_dir}")
    for path in result.written:
        click.echo(f"  {path}")
    print_warnings(result.notices)
