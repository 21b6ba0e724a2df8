"""--service: the checks read what `newsletter export` writes for a service, read back."""

from __future__ import annotations

import io
import json
import zipfile
from email.message import EmailMessage
from pathlib import Path

import pytest
from click.testing import CliRunner
from helpers import WorkspaceFactory
from helpers.checks import context, core, page, run, summaries, text

from newsletter.build import BuildResult
from newsletter.checks.exported import read_parts
from newsletter.checks.model import ServiceParts
from newsletter.checks.runner import check_issue
from newsletter.checks.service import available, declared_tags, installed
from newsletter.cli import main
from newsletter.errors import ExportError, UsageError
from newsletter.exporting.services import REGISTRY, get
from newsletter.render import placeholders
from newsletter.workspace import Workspace

HTML = "<!doctype html><html><body><p>Hi</p></body></html>"


def invoke(root: Path, *args: str):
    return CliRunner().invoke(main, ["--root", str(root), *args])


@pytest.mark.parametrize("service", sorted(REGISTRY))
def test_every_service_export_of_the_sample_passes(sample_ws: Workspace, service: str) -> None:
    result = invoke(sample_ws.root, "check", "2026-05", "--service", service, "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["service"] == service and data["counts"]["error"] == 0, data["findings"]


def test_the_services_are_those_of_export() -> None:
    assert available() == sorted(REGISTRY)


def test_an_export_that_cannot_run_is_reported_like_export_does(make_ws: WorkspaceFactory) -> None:
    ws = make_ws(summaries=summaries())
    toml = ws.root / "newsletter.toml"
    toml.write_text(toml.read_text().replace('unsubscribe_url = "https://example.org/unsubscribe"\n',
                                             ""))
    result = invoke(ws.root, "check", "2026-05", "--service", "eml")
    assert result.exit_code == 1
    assert "unsubscribe_url" in result.output and "Traceback" not in result.output


def test_a_service_without_a_web_version_tag_drops_that_line(make_ws: WorkspaceFactory) -> None:
    ws = make_ws(summaries=summaries())  # no archive_url: sendgrid has no web-version tag either
    report, _ = check_issue(ws, "2026-05", service="sendgrid")
    assert core(report.findings) == []
    parts = installed()["sendgrid"](ws, check_issue(ws, "2026-05")[1])
    assert "View this email in your browser" not in parts.html + parts.text


def test_declared_tags_come_from_the_exporter_module() -> None:
    assert declared_tags(get("mailchimp"))[:2] == ("*|UNSUB|*", "*|ARCHIVE|*")
    assert "[unsubscribe]" in declared_tags(get("campaign-monitor"))
    assert declared_tags(get("eml")) == ()  # it uses the workspace's own URL


def leaves(token_name: str):
    """A stand-in exporter that fills every placeholder with Mailchimp-style tags but one."""
    tags = {"unsubscribe_url": "*|UNSUB|*", "postal_address": "*|LIST:ADDRESSLINE|*",
            "web_version_url": "*|ARCHIVE|*", "preferences_url": "*|UPDATE_PROFILE|*"}
    values = {k: v for k, v in tags.items() if k != token_name}

    def export(ws: Workspace, result: BuildResult) -> ServiceParts:
        return ServiceParts("acme", placeholders.fill(result.email.html, values, is_html=True),
                            placeholders.fill(result.email.text, values, is_html=False))
    return export


@pytest.mark.parametrize(("token", "rule"), [
    ("web_version_url", "compliance.placeholders"),
    ("unsubscribe_url", "compliance.unsubscribe"),
    ("postal_address", "compliance.postal-address"),
])
def test_a_placeholder_left_by_an_export_is_an_error(tmp_path: Path, token: str,
                                                      rule: str) -> None:
    ws = WorkspaceFactory(tmp_path / "ws")(summaries=summaries())
    report, _ = check_issue(ws, "2026-05", service="acme", registry={"acme": leaves(token)})
    errors = {f.check for f in report.findings if f.level == "error"}
    assert errors == {rule}
    assert report.service == "acme"


def test_an_injected_registry_names_its_services(tmp_path: Path) -> None:
    ws = WorkspaceFactory(tmp_path / "ws")(summaries=summaries())
    with pytest.raises(UsageError, match="available: acme"):
        check_issue(ws, "2026-05", service="other", registry={"acme": leaves("")})


# --- reading export files back --------------------------------------------------------------


def eml(html: str, plain: str) -> bytes:
    message = EmailMessage()
    message["Subject"] = "Test"
    message.set_content(plain)
    message.add_alternative(html, subtype="html")
    return message.as_bytes()


def zipped(name: str, data: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize("files", [
    {"a.eml": eml(HTML, "Plain\n")},
    {"a.zip": zipped("index.html", HTML), "a.json": json.dumps({"plain_text": "Plain\n"}).encode()},
    {"a.json": json.dumps({"email_config": {"html_content": HTML, "plain_content": "Plain\n"}})
     .encode()},
    {"a.json": json.dumps({"Template": {"HtmlPart": HTML, "TextPart": "Plain\n"}}).encode()},
    {"a.json": json.dumps({"template": HTML}).encode(), "a.txt": b"Plain\n"},
    {"a.html": HTML.encode(), "a.txt": b"Plain\n"},
])
def test_read_parts_of_each_export_shape(files: dict[str, bytes]) -> None:
    html, plain = read_parts("svc", files)
    assert html.strip() == HTML and plain.strip() == "Plain"


def test_an_export_without_a_text_part_is_an_error() -> None:
    with pytest.raises(ExportError, match="no text part"):
        read_parts("svc", {"a.html": HTML.encode()})


def test_a_campaign_monitor_style_unsubscribe_element_counts() -> None:
    html = page(footer='<p>1 Test Street, Testville</p><p><unsubscribe>Unsubscribe</unsubscribe>'
                       "</p>")
    txt = text(unsubscribe="Unsubscribe: [unsubscribe]")
    ctx = context(html, txt, service="campaign-monitor", merge_tags=("[unsubscribe]",))
    assert run("compliance.unsubscribe", ctx) == []
