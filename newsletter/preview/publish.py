"""The desk's Send test and Export: what `newsletter send-test` and `newsletter export` do, with
the recipients and SMTP server from newsletter.toml's [send_test] table and the service the page
picked. Problems come back as `Refused` answers for the page to show.
"""

from __future__ import annotations

import os
from datetime import date
from typing import Any

from newsletter.errors import NewsletterError, SendError
from newsletter.exporting import run, smtp
from newsletter.exporting.services import service_names
from newsletter.preview.hooks import Refused
from newsletter.workspace import Workspace


def _refused(exc: NewsletterError, status: int = 400) -> Refused:
    return Refused(status, {"error": exc.message, "problems": [str(p) for p in exc.problems]})


def send_test(ws: Workspace, issue_id: str | None, start: date | None,
              end: date | None) -> dict[str, Any]:
    """Send the issue as it is on disk to [send_test] recipients; the password only from
    NEWSLETTER_SMTP_PASSWORD."""
    settings = ws.config.send_test
    if not settings.recipients:
        raise Refused(400, {"error": "no recipients for a test send", "problems": [
            "newsletter.toml: send_test.recipients: is empty. Fix: add [send_test] with "
            "recipients = [\"you@example.org\"] (and smtp = \"HOST:PORT\")"]})
    try:
        server = smtp.smtp_settings(settings.smtp, starttls=settings.starttls,
                                    use_ssl=settings.ssl, user=settings.user or None,
                                    env=os.environ)
        sent = smtp.send_test(ws, issue_id, start, end, settings.recipients, server)
    except SendError as exc:
        raise _refused(exc, 502) from None
    except NewsletterError as exc:
        raise _refused(exc) from None
    return {"subject": sent.subject, "recipients": sent.recipients, "server": sent.server,
            "notes": sent.notes, "warnings": [str(w) for w in sent.warnings]}


def export(ws: Workspace, issue_id: str | None, start: date | None, end: date | None,
           service: Any) -> dict[str, Any]:
    """Write what `newsletter export --service SERVICE` writes; the paths as the workspace
    shows them."""
    if not isinstance(service, str) or service not in service_names():
        raise Refused(400, {"error": f"unknown service {service!r}; choose one of: "
                                     + ", ".join(service_names())})
    try:
        result = run.export(ws, issue_id, start, end, service)
    except NewsletterError as exc:
        raise _refused(exc) from None
    return {"service": service, "folder": ws.relative(result.out_dir),
            "paths": [ws.relative(p) for p in result.written],
            "warnings": [str(w) for w in result.warnings]}
