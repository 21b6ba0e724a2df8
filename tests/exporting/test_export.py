"""`newsletter export`: every service's files parsed with real parsers (email, zipfile, json)."""

from __future__ import annotations

import email
import io
import json
import re
import zipfile
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from click.testing import CliRunner
from helpers import REPO, summary_text

from newsletter.build import build
from newsletter.checks.dom import parse, visible_text
from newsletter.cli import main
from newsletter.config.load import parse_config
from newsletter.errors import ConfigError, ExportError, OutputError, UsageError
from newsletter.exporting.run import MARKER, export
from newsletter.exporting.services import REGISTRY, get, service_names
from newsletter.workspace import Workspace

SERVICES = list(REGISTRY)
ISSUE = "2026-05"
UTM = {"utm_source": "newsletter", "utm_medium": "email", "utm_campaign": "digest-2026-05"}

# Each service's unsubscribe tag: how it must appear in the HTML and in the text.
UNSUBSCRIBE = {
    "eml": ('href="https://example.org/newsletter/unsubscribe"',
            "Unsubscribe: https://example.org/newsletter/unsubscribe"),
    "mailchimp": ('href="*|UNSUB|*"', "Unsubscribe: *|UNSUB|*"),
    "sendgrid": ('href="{{{unsubscribe}}}"', "Unsubscribe: {{{unsubscribe}}}"),
    "mailgun": ('href="%unsubscribe_url%"', "Unsubscribe: %unsubscribe_url%"),
    "ses": ('href="{{unsubscribe_url}}"', "Unsubscribe: {{unsubscribe_url}}"),
    "brevo": ('href="{{ unsubscribe }}"', "Unsubscribe: {{ unsubscribe }}"),
    "listmonk": ('href="{{ UnsubscribeURL }}"', "Unsubscribe: {{ UnsubscribeURL }}"),
    "campaign-monitor": ('<unsubscribe style="color:#1f4e79">Unsubscribe</unsubscribe>',
                         "Unsubscribe: [unsubscribe]"),
}
# How the web-version link appears in the sample workspace (archive_url is set).
ARCHIVE = "https://example.org/newsletter/archive/2026-05/"
WEB_VERSION = {
    "eml": (f'href="{ARCHIVE}"', ARCHIVE), "mailchimp": ('href="*|ARCHIVE|*"', "*|ARCHIVE|*"),
    "sendgrid": (f'href="{ARCHIVE}"', ARCHIVE), "mailgun": (f'href="{ARCHIVE}"', ARCHIVE),
    "ses": (f'href="{ARCHIVE}"', ARCHIVE), "brevo": ('href="{{ mirror }}"', "{{ mirror }}"),
    "listmonk": ('href="{{ MessageURL }}"', "{{ MessageURL }}"),
    "campaign-monitor": ("<webversion", "[webversion]"),
}


@dataclass
class Parsed:
    subject: str
    html: str
    text: str
    texts: list[str]  # every decoded file and part, for the placeholder scan


# --- parsing each service's files with real parsers -------------------------------------------


def parse_export(service: str, folder: Path) -> Parsed:
    files = {p.name: p.read_bytes() for p in folder.iterdir() if p.name != MARKER}
    raw = [data.decode("utf-8") for name, data in files.items() if not name.endswith(".zip")]
    parsed = PARSERS[service](files)
    parsed.texts += raw
    return parsed


def _json(files: dict[str, bytes], suffix: str) -> dict:
    (data,) = [v for k, v in files.items() if k.endswith(suffix)]
    return json.loads(data.decode("utf-8"))


def _txt(files: dict[str, bytes]) -> str:
    return files[f"{ISSUE}.txt"].decode("utf-8")


def parse_eml(files: dict[str, bytes]) -> Parsed:
    assert list(files) == [f"{ISSUE}.eml"]
    message = email.message_from_bytes(files[f"{ISSUE}.eml"], policy=policy.default)
    assert isinstance(message, EmailMessage)
    assert message.get_content_type() == "multipart/alternative"
    plain, html = message.get_payload()
    assert plain.get_content_type() == "text/plain" and html.get_content_type() == "text/html"
    assert plain.get_content_charset() == html.get_content_charset() == "utf-8"
    text, markup = plain.get_content(), html.get_content()
    return Parsed(str(message["Subject"]), markup, text, [text, markup])


def parse_mailchimp(files: dict[str, bytes]) -> Parsed:
    assert sorted(files) == [f"{ISSUE}.content.json", f"{ISSUE}.zip"]
    with zipfile.ZipFile(io.BytesIO(files[f"{ISSUE}.zip"])) as archive:
        assert archive.testzip() is None
        assert archive.namelist() == ["index.html"]  # no local images in the default theme
        index = archive.read("index.html").decode("utf-8")
    body = _json(files, ".content.json")
    assert sorted(body) == ["html", "plain_text"]
    assert body["html"] == index
    return Parsed(_title(index), index, body["plain_text"], [index])


def parse_sendgrid(files: dict[str, bytes]) -> Parsed:
    body = _json(files, ".singlesend.json")
    assert sorted(body) == ["email_config", "name"]
    config = body["email_config"]
    assert config["generate_plain_content"] is False and config["editor"] == "code"
    assert sorted(config) == ["editor", "generate_plain_content", "html_content",
                              "plain_content", "subject"]
    return Parsed(config["subject"], config["html_content"], config["plain_content"], [])


def parse_mailgun(files: dict[str, bytes]) -> Parsed:
    body = _json(files, ".template.json")
    assert sorted(body) == ["description", "headers", "name", "template"]
    assert body["name"] == body["name"].lower() == "newsletter-2026-05"
    assert list(body["headers"]) == ["Subject"]
    return Parsed(body["headers"]["Subject"], body["template"], _txt(files), [])


def parse_ses(files: dict[str, bytes]) -> Parsed:
    body = _json(files, ".template.json")
    template = body["Template"]
    assert list(body) == ["Template"]
    assert sorted(template) == ["HtmlPart", "SubjectPart", "TemplateName", "TextPart"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{1,64}", template["TemplateName"])
    return Parsed(template["SubjectPart"], template["HtmlPart"], template["TextPart"], [])


def parse_brevo(files: dict[str, bytes]) -> Parsed:
    body = _json(files, ".campaign.json")
    assert sorted(body) == ["htmlContent", "name", "sender", "subject"]
    assert body["sender"] == {"name": "MS Research Digest", "email": "digest@example.org"}
    return Parsed(body["subject"], body["htmlContent"], _txt(files), [])


def parse_listmonk(files: dict[str, bytes]) -> Parsed:
    body = _json(files, ".campaign.json")
    assert sorted(body) == ["altbody", "body", "content_type", "name", "subject", "type"]
    assert body["type"] == "regular" and body["content_type"] == "html"
    assert body["content_type"] == "html"
    return Parsed(body["subject"], body["body"], body["altbody"], [])


def parse_campaign_monitor(files: dict[str, bytes]) -> Parsed:
    assert sorted(files) == [f"{ISSUE}.html", f"{ISSUE}.txt"]
    html = files[f"{ISSUE}.html"].decode("utf-8")
    return Parsed(_title(html), html, _txt(files), [])


PARSERS = {"eml": parse_eml, "mailchimp": parse_mailchimp, "sendgrid": parse_sendgrid,
           "mailgun": parse_mailgun, "ses": parse_ses, "brevo": parse_brevo,
           "listmonk": parse_listmonk, "campaign-monitor": parse_campaign_monitor}


def _title(html: str) -> str:
    match = re.search(r"<title>(.*?)</title>", html, re.S)
    assert match, "no <title>"
    return match.group(1).strip()


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            self.hrefs += [v for k, v in attrs if k == "href" and v]


def html_links(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.hrefs


def text_links(text: str) -> list[str]:
    return re.findall(r"https?://\S+", text)


# --- the whole export, every service -----------------------------------------------------------


@pytest.fixture
def exported(sample_ws: Workspace, tmp_path: Path) -> tuple[Workspace, Path, list[str]]:
    out = tmp_path / "exports"
    result = CliRunner().invoke(main, ["--root", str(sample_ws.root), "export", ISSUE,
                                       "--service", "all", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return sample_ws, out, result.stdout.splitlines()


def test_all_prints_every_file_written_one_a_line(exported: tuple[Workspace, Path, list[str]]
                                                  ) -> None:
    _, out, lines = exported
    written = sorted(p for p in out.rglob("*") if p.is_file() and p.name != MARKER)
    assert sorted(Path(line).resolve() for line in lines) == [p.resolve() for p in written]
    assert {p.parent.name for p in written} == set(SERVICES)
    for service in SERVICES:
        marker = json.loads((out / service / MARKER).read_text())
        assert marker["service"] == service and marker["issue"] == ISSUE


@pytest.mark.parametrize("service", SERVICES)
def test_each_export_parses_and_is_complete(exported: tuple[Workspace, Path, list[str]],
                                            service: str) -> None:
    ws, out, _ = exported
    parsed = parse_export(service, out / service)
    plan = build(ws, ISSUE, write=False).plan
    assert parsed.subject == plan.subject == "MS Research Digest: new research from May 2026"
    # both parts, each with the service's unsubscribe tag
    html_tag, text_tag = UNSUBSCRIBE[service]
    assert html_tag in parsed.html
    assert text_tag in parsed.text
    assert parsed.html.lstrip().startswith("<!doctype html><html")
    assert parsed.html.rstrip().endswith("</html>")
    assert "MS RESEARCH DIGEST - MAY 2026" in parsed.text
    # the disclaimer, in both parts
    disclaimer = " ".join(ws.config.disclaimer.text.split())
    assert disclaimer in visible_text(parse(parsed.html))
    assert disclaimer in " ".join(parsed.text.split())
    # the address and the web version
    assert (WEB_VERSION[service][0] in parsed.html) and (WEB_VERSION[service][1] in parsed.text)
    if service != "mailchimp":
        assert ws.config.postal_address in parsed.html and ws.config.postal_address in parsed.text
    # no neutral placeholder, and no optional-block marker, anywhere
    for document in [parsed.html, parsed.text, *parsed.texts]:
        assert "%%NL_" not in document
        assert "<!--nl:" not in document and "<!--/nl:" not in document


@pytest.mark.parametrize("service", SERVICES)
def test_every_summary_link_carries_utm_parameters(exported: tuple[Workspace, Path, list[str]],
                                                   service: str) -> None:
    ws, out, _ = exported
    parsed = parse_export(service, out / service)
    plan = build(ws, ISSUE, write=False).plan
    summaries = {e.summary.url for e in plan.highlights}
    summaries |= {e.summary.url for s in plan.sections for e in s.entries}
    assert len(summaries) > 10
    for part, links in (("HTML", html_links(parsed.html)), ("text", text_links(parsed.text))):
        linked = set()
        for link in links:
            base = link.split("?", 1)[0]
            if base in summaries:
                query = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
                assert {k: query.get(k) for k in UTM} == UTM, f"{service} {part}: {link}"
                linked.add(base)
        assert linked == summaries, f"{service} {part}: not linked: {summaries - linked}"


def test_mailchimp_address_tags_differ_between_html_and_text(
        exported: tuple[Workspace, Path, list[str]]) -> None:
    _, out, _ = exported
    parsed = parse_export("mailchimp", out / "mailchimp")
    assert "*|HTML:LIST_ADDRESS_HTML|*" in parsed.html and "*|LIST:ADDRESS|*" not in parsed.html
    assert "*|LIST:ADDRESS|*" in parsed.text and "LIST_ADDRESS_HTML" not in parsed.text
    assert 'href="*|UPDATE_PROFILE|*"' in parsed.html
    assert "example.org/newsletter/unsubscribe" not in parsed.html + parsed.text


def test_services_replace_the_workspace_unsubscribe_url(
        exported: tuple[Workspace, Path, list[str]]) -> None:
    ws, out, _ = exported
    assert ws.config.unsubscribe_url
    for service in SERVICES:
        if service != "eml":
            parsed = parse_export(service, out / service)
            assert ws.config.unsubscribe_url not in parsed.html + parsed.text, service


def test_eml_headers(exported: tuple[Workspace, Path, list[str]]) -> None:
    _, out, _ = exported
    raw = (out / "eml" / f"{ISSUE}.eml").read_bytes()
    message = email.message_from_bytes(raw, policy=policy.default)
    assert message["From"].addresses[0].addr_spec == "digest@example.org"
    assert message["From"].addresses[0].display_name == "MS Research Digest"
    assert message["To"].addresses[0].domain == "example.invalid"
    assert message["MIME-Version"] == "1.0"
    assert message["Date"].datetime is not None
    assert re.fullmatch(r"<[^@<>]+@example\.org>", message["Message-ID"])
    assert message["List-Unsubscribe"] == "<https://example.org/newsletter/unsubscribe>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert b"\r\n" in raw and all(len(line) <= 998 for line in raw.split(b"\r\n"))


# --- per-service details, on small workspaces --------------------------------------------------


ISSUE_FILE = {"2026-05.toml": 'subject = "May news"\npreheader = "Research news."\n'
                              "from = 2026-05-01\nto = 2026-05-31\n"}
SUMMARIES = {"2026-05/walking.md": summary_text()}
SENDER = 'from_name = "Test Digest"\nfrom_email = "news@example.org"\n'


def _export_files(ws: Workspace, service: str, tmp_path: Path) -> Parsed:
    export(ws, ISSUE, None, None, service, out_dir=tmp_path / "x")
    return parse_export(service, tmp_path / "x" / service)


def test_without_archive_url_services_lacking_a_tag_drop_the_web_version_line(
        make_ws, tmp_path: Path) -> None:
    ws = make_ws(config=SENDER, summaries=SUMMARIES, issues=ISSUE_FILE)
    assert not ws.config.archive_url
    for service in ("ses", "sendgrid", "mailgun", "eml"):
        parsed = _export_files(ws, service, tmp_path / service)
        assert "View this email in your browser" not in parsed.html + parsed.text, service
        assert "\n\n\n" not in parsed.text
    listmonk = _export_files(ws, "listmonk", tmp_path / "listmonk")
    assert "View this email in your browser: {{ MessageURL }}" in listmonk.text


def test_preferences_link_only_where_there_is_a_tag_or_a_url(make_ws, tmp_path: Path) -> None:
    ws = make_ws(summaries=SUMMARIES, issues=ISSUE_FILE)
    assert "Update your preferences" not in _export_files(ws, "ses", tmp_path / "a").html
    assert 'href="{{{unsubscribe_preferences}}}"' in _export_files(ws, "sendgrid",
                                                                     tmp_path / "b").html
    ws = make_ws(config='preferences_url = "https://example.org/prefs"\n', summaries=SUMMARIES,
                 issues=ISSUE_FILE)
    parsed = _export_files(ws, "ses", tmp_path / "c")
    assert 'href="https://example.org/prefs"' in parsed.html
    assert "Update your preferences: https://example.org/prefs" in parsed.text


def test_eml_needs_an_https_unsubscribe_url(make_ws, tmp_path: Path) -> None:
    ws = make_ws(summaries=SUMMARIES, issues=ISSUE_FILE)
    (ws.root / "newsletter.toml").write_text(
        'name = "T"\npostal_address = "1 Street"\nfrom_email = "a@example.org"\n')
    result = CliRunner().invoke(main, ["--root", str(ws.root), "export", ISSUE, "--service", "eml"])
    assert result.exit_code == 1
    assert "unsubscribe_url" in result.stderr and "set unsubscribe_url" in result.stderr
    assert "Traceback" not in result.output
    (ws.root / "newsletter.toml").write_text(
        'name = "T"\npostal_address = "1 Street"\nfrom_email = "a@example.org"\n'
        'unsubscribe_url = "http://example.org/u"\n')
    with pytest.raises(ExportError) as info:
        export(make_ws.reopen(), ISSUE, None, None, "eml", out_dir=tmp_path / "x")
    assert "is not https" in str(info.value)
    assert not (tmp_path / "x").exists()


def test_eml_list_unsubscribe_mailto_and_a_non_ascii_subject(make_ws, tmp_path: Path) -> None:
    issue = {"2026-05.toml": 'subject = "Nouvelles de mai : sclérose en plaques"\n'
                             'preheader = "R."\nfrom = 2026-05-01\nto = 2026-05-31\n'}
    ws = make_ws(config=SENDER + 'unsubscribe_mailto = "mailto:unsubscribe@example.org"\n',
                 summaries=SUMMARIES, issues=issue)
    export(ws, ISSUE, None, None, "eml", out_dir=tmp_path / "x")
    raw = (tmp_path / "x" / "eml" / f"{ISSUE}.eml").read_bytes()
    raw.decode("ascii")  # 7-bit clean: RFC 2047 subject, quoted-printable parts
    (subject_line,) = [line for line in raw.split(b"\r\n") if line.startswith(b"Subject:")]
    assert b"=?utf-8?" in subject_line
    message = email.message_from_bytes(raw, policy=policy.default)
    assert str(message["Subject"]) == "Nouvelles de mai : sclérose en plaques"
    assert message["List-Unsubscribe"] == ("<https://example.org/unsubscribe>, "
                                           "<mailto:unsubscribe@example.org>")
    assert "sclérose" in message.get_payload()[0].get_content()


def test_unsubscribe_mailto_is_validated() -> None:
    with pytest.raises(ConfigError) as info:
        parse_config('unsubscribe_mailto = "not an address"\n')
    assert "unsubscribe_mailto" in str(info.value)
    config = parse_config('unsubscribe_mailto = "u@example.org"\n')
    assert config.unsubscribe_mailto == "u@example.org"


def test_postal_address_is_required_where_the_service_has_no_tag(make_ws, tmp_path: Path) -> None:
    ws = make_ws(summaries=SUMMARIES, issues=ISSUE_FILE)
    (ws.root / "newsletter.toml").write_text('name = "T"\n')
    ws = make_ws.reopen()
    with pytest.raises(ExportError) as info:
        export(ws, ISSUE, None, None, "ses", out_dir=tmp_path / "x")
    assert [p.field for p in info.value.problems] == ["postal_address"]
    assert info.value.message == "cannot export for ses: set postal_address in newsletter.toml"
    parsed = _export_files(ws, "mailchimp", tmp_path / "mc")  # Mailchimp has its own tag
    assert "*|HTML:LIST_ADDRESS_HTML|*" in parsed.html


def test_all_lists_every_problem_and_writes_nothing(make_ws, tmp_path: Path) -> None:
    ws = make_ws(summaries=SUMMARIES, issues=ISSUE_FILE)
    (ws.root / "newsletter.toml").write_text('name = "T"\n')
    result = CliRunner().invoke(main, ["--root", str(ws.root), "export", ISSUE, "--service", "all"])
    assert result.exit_code == 1
    for text in ("7 of 8 services", "  - eml: cannot export for eml", "  - brevo: ", "  - ses: ",
                 "from_name: is not set", "from_email: is not set", "unsubscribe_url: is not set",
                 "postal_address: is not set"):
        assert text in result.stderr, text
    assert "mailchimp" not in result.stderr  # it has every tag it needs
    assert result.stderr.count("postal_address: is not set") == 1  # six services, said once
    assert not (ws.root / "output").exists()
    assert result.stdout == ""


def test_brevo_needs_a_sender(make_ws, tmp_path: Path) -> None:
    ws = make_ws(summaries=SUMMARIES, issues=ISSUE_FILE)
    with pytest.raises(ExportError) as info:
        export(ws, ISSUE, None, None, "brevo", out_dir=tmp_path / "x")
    assert sorted(p.field for p in info.value.problems) == ["from_email", "from_name"]


def test_a_template_without_the_unsubscribe_link_stops_the_mailchimp_export(
        make_ws, tmp_path: Path) -> None:
    ws = make_ws(summaries=SUMMARIES, issues=ISSUE_FILE)
    footer = (REPO / "newsletter/render/templates/partials/footer.mjml.j2")
    make_ws.write("templates/partials/footer.mjml.j2", re.sub(
        r'<a href="\{\{ placeholders.unsubscribe_url \}\}">Unsubscribe</a>', "",
        footer.read_text()))
    with pytest.raises(ExportError) as info:
        export(ws, ISSUE, None, None, "mailchimp", out_dir=tmp_path / "x")
    assert info.value.message == "the mailchimp export's HTML part has no *|UNSUB|* (its unsubscribe tag)"
    result = CliRunner().invoke(main, ["--root", str(ws.root), "export", ISSUE, "--service", "all"])
    assert result.exit_code == 1 and "*|UNSUB|*" in result.stderr


def test_content_that_looks_like_template_syntax_is_refused(make_ws, tmp_path: Path) -> None:
    ws = make_ws(config=SENDER, summaries={"2026-05/w.md": summary_text(
        title="What {{ braces }} mean")}, issues=ISSUE_FILE)
    for service in ("listmonk", "sendgrid", "ses", "brevo", "mailgun"):
        with pytest.raises(ExportError) as info:
            export(ws, ISSUE, None, None, service, out_dir=tmp_path / "x")
        assert "'{{'" in str(info.value), service
        assert info.value.message == (f"cannot export for {service}: the content would break "
                                      "its templates")
        assert info.value.problems[0].message.endswith(
            f"which {service} reads as its own template syntax")
    assert _export_files(ws, "mailchimp", tmp_path / "mc").subject == "May news"
    ws = make_ws(config=SENDER, summaries={"2026-05/w.md": summary_text(
        title="Why *|FNAME|* is not a name")}, issues=ISSUE_FILE)
    with pytest.raises(ExportError) as info:
        export(ws, ISSUE, None, None, "mailchimp", out_dir=tmp_path / "y")
    assert "'*|'" in str(info.value)
    assert _export_files(ws, "listmonk", tmp_path / "lm").subject == "May news"


def test_names_fit_the_services_rules(make_ws, tmp_path: Path) -> None:
    issue = {"Spring.Special_2026.toml": 'subject = "S"\npreheader = "P"\n'
                                         "from = 2026-05-01\nto = 2026-05-31\n"}
    ws = make_ws(config=SENDER, summaries=SUMMARIES, issues=issue)
    result = export(ws, "Spring.Special_2026", None, None, "all", out_dir=tmp_path / "x")
    ses = json.loads((tmp_path / "x/ses/Spring.Special_2026.template.json").read_text())
    assert ses["Template"]["TemplateName"] == "newsletter-spring-special_2026"
    mailgun = json.loads((tmp_path / "x/mailgun/Spring.Special_2026.template.json").read_text())
    assert mailgun["name"] == "newsletter-spring.special_2026"
    assert len(result.written) == 12


def test_default_folder_rewrite_and_refusing_a_foreign_folder(make_ws, tmp_path: Path) -> None:
    ws = make_ws(summaries=SUMMARIES, issues=ISSUE_FILE)
    first = export(ws, ISSUE, None, None, "ses")
    assert first.written == [ws.root / "output/_export/2026-05/ses/2026-05.template.json"]
    build(ws, ISSUE)  # a build replaces output/2026-05/ and leaves the exports alone
    again = export(ws, ISSUE, None, None, "ses")  # our own folder: replaced
    assert again.written == first.written and first.written[0].is_file()
    foreign = tmp_path / "mine"
    (foreign / "ses").mkdir(parents=True)
    (foreign / "ses" / "notes.txt").write_text("keep me")
    with pytest.raises(OutputError):
        export(ws, ISSUE, None, None, "ses", out_dir=foreign)
    assert (foreign / "ses" / "notes.txt").read_text() == "keep me"
    assert sorted(p.name for p in (foreign / "ses").iterdir()) == ["notes.txt"]


def test_unknown_service_and_help(sample_ws: Workspace) -> None:
    with pytest.raises(UsageError):
        export(sample_ws, ISSUE, None, None, "constant-contact")
    runner = CliRunner()
    result = runner.invoke(main, ["--root", str(sample_ws.root), "export", ISSUE, "--service",
                                  "nope"])
    assert result.exit_code == 2
    help_text = runner.invoke(main, ["export", "--help"]).output
    assert "Example" in help_text
    for name in service_names():
        assert name in help_text


def test_date_range_export(sample_ws: Workspace, tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--root", str(sample_ws.root), "export", "--from",
                                       "2026-05-01", "--to", "2026-05-31", "--service",
                                       "campaign-monitor", "--out", str(tmp_path / "o")])
    assert result.exit_code == 0, result.output
    assert len(result.stdout.splitlines()) == 2


def test_registry_names_match_their_modules() -> None:
    for name in REGISTRY:
        assert get(name).name == name
        assert get(name).description


def test_a_long_list_unsubscribe_header_is_folded_between_uris_never_encoded() -> None:
    from newsletter.exporting.services.eml import build_message

    url = "https://example.org/newsletter/unsubscribe/" + "a" * 200
    config = parse_config(f'from_email = "n@example.org"\nunsubscribe_url = "{url}"\n'
                          'unsubscribe_mailto = "u@example.org"\n')
    raw = build_message(config, "S", "<p>h</p>", "t", []).as_bytes()
    assert f"List-Unsubscribe: <{url}>,\r\n <mailto:u@example.org>\r\n".encode() in raw
    parsed = email.message_from_bytes(raw, policy=policy.default)
    assert re.findall(r"<([^>]+)>", str(parsed["List-Unsubscribe"])) == [url, "mailto:u@example.org"]


def test_listmonk_uses_its_documented_preferences_link(sample_ws, tmp_path):
    export(sample_ws, "2026-05", None, None, "listmonk", out_dir=tmp_path / "out")
    body = json.loads(next((tmp_path / "out" / "listmonk").glob("*.campaign.json")).read_text())
    assert 'href="{{ UnsubscribeURL }}?manage=true"' in body["body"]
    assert "Update your preferences: {{ UnsubscribeURL }}?manage=true" in body["altbody"]
    assert "ManageURL" not in body["body"] + body["altbody"]


def test_campaign_monitor_names_the_element_a_stray_token_needs(make_ws, tmp_path: Path) -> None:
    ws = make_ws(summaries=SUMMARIES, issues=ISSUE_FILE)
    footer = (REPO / "newsletter/render/templates/partials/footer.mjml.j2").read_text()
    assert "</mj-text>" in footer
    make_ws.write("templates/partials/footer.mjml.j2", footer.replace(
        "</mj-text>", "<p>Leave: {{ placeholders.unsubscribe_url }}</p></mj-text>", 1))
    with pytest.raises(ExportError) as info:
        export(ws, ISSUE, None, None, "campaign-monitor", out_dir=tmp_path / "x")
    assert info.value.message == (
        "the campaign-monitor export needs %%NL_UNSUBSCRIBE_URL%% as the href of a link, to turn "
        "that link into its <unsubscribe> element")
    assert [(p.where, p.message) for p in info.value.problems] == [
        ("templates", '%%NL_UNSUBSCRIBE_URL%% is used outside <a href="...">')]
    assert not (tmp_path / "x").exists()


def test_a_placeholder_outside_its_block_stops_the_export(make_ws, tmp_path: Path) -> None:
    ws = make_ws(config=SENDER, summaries=SUMMARIES, issues=ISSUE_FILE)
    footer = (REPO / "newsletter/render/templates/partials/footer.mjml.j2").read_text()
    make_ws.write("templates/partials/footer.mjml.j2", footer.replace(
        "</mj-text>", "<p>Settings: {{ placeholders.preferences_url }}</p></mj-text>", 1))
    with pytest.raises(ExportError) as info:
        export(ws, ISSUE, None, None, "eml", out_dir=tmp_path / "x")
    assert info.value.message == ("the eml export still has the placeholder %%NL_PREFERENCES_URL%% "
                                  "after filling")
    assert [(p.where, p.message, p.fix) for p in info.value.problems] == [(
        "templates", "a placeholder is used outside the place the default theme gives it (an "
        "optional one must sit inside its <!--nl:NAME--> block in HTML, or on a line of its own "
        "in text)", "compare your templates/ with the default theme's header and footer")]
    make_ws.write("templates/partials/footer.mjml.j2", footer.replace(
        "</mj-text>", "<p>{{ placeholders.preferences_url }} {{ placeholders.web_version_url }}"
                      "</p></mj-text>", 1))
    with pytest.raises(ExportError) as info:
        export(make_ws.reopen(), ISSUE, None, None, "eml", out_dir=tmp_path / "y")
    assert info.value.message == ("the eml export still has the placeholders "
                                  "%%NL_PREFERENCES_URL%%, %%NL_WEB_VERSION_URL%% after filling")
    assert not (tmp_path / "x").exists() and not (tmp_path / "y").exists()


def test_a_missing_unsubscribe_tag_names_the_part(make_ws, tmp_path: Path) -> None:
    ws = make_ws(summaries=SUMMARIES, issues=ISSUE_FILE)
    text = (REPO / "newsletter/render/templates/email.txt.j2").read_text()
    assert "Unsubscribe: {{ placeholders.unsubscribe_url }}\n" in text
    make_ws.write("templates/email.txt.j2",
                  text.replace("Unsubscribe: {{ placeholders.unsubscribe_url }}\n", ""))
    with pytest.raises(ExportError) as info:
        export(ws, ISSUE, None, None, "mailchimp", out_dir=tmp_path / "x")
    assert info.value.message == "the mailchimp export's text part has no *|UNSUB|* (its unsubscribe tag)"
    assert [(p.where, p.message, p.fix) for p in info.value.problems] == [(
        "templates", "the text template has no unsubscribe link, so *|UNSUB|* had nowhere to go",
        "keep the unsubscribe link of the default theme's footer (partials/footer.mjml.j2 and "
        "email.txt.j2)")]
