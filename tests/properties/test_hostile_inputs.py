"""Property test (issue 14): generated summaries, newsletter.toml and issue files reaching every
edge (strategies.py), run through plan, build (cache on and off), check --json, export --service
all, archive and import --dry-run. On every example:

- every command ends with exit code 0, 1 or 2, and never with a traceback ("crash");
- no generated markup becomes markup in any HTML the tool writes ("injection");
- every .eml parses, with exactly the expected headers, none longer than 998 bytes ("header");
- every export parses in its format, as do plan --json and check --json ("format");
- a build with the caches equals a build with NEWSLETTER_NO_CACHE=1 ("cache").

`make test` runs a bounded number of examples plus one pinned @example per defect of the issue,
with the spam check finding no SpamAssassin (2-3 s of CPU a run; tests/checks score real
messages); `make fuzz` runs NEWSLETTER_FUZZ_EXAMPLES (10,000), SpamAssassin included, and prints
the counts it wrote to NEWSLETTER_FUZZ_STATS.
"""

from __future__ import annotations

import email
import io
import json
import os
import shutil
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from collections import Counter
from email import policy
from html.parser import HTMLParser
from pathlib import Path

import pytest
from helpers.hardening import ISSUE, fresh_workspace, run
from helpers.strategies import BASE_CONFIG, MARK, Case, Summary, cases, write_case
from hypothesis import HealthCheck, example, given, settings

EXAMPLES = int(os.environ.get("NEWSLETTER_FUZZ_EXAMPLES", "12"))
STATS: Counter[str] = Counter()


@pytest.fixture(scope="module", autouse=True)
def report_stats():
    yield
    target = os.environ.get("NEWSLETTER_FUZZ_STATS")
    if target:
        Path(target).write_text(json.dumps(dict(STATS)))


FUZZ_LOG = os.environ.get("NEWSLETTER_FUZZ_LOG")  # set by `make fuzz`: count, log, go on


@pytest.fixture(scope="module", autouse=True)
def spamassassin_only_when_fuzzing():
    """Under `make test` (no NEWSLETTER_FUZZ_EXAMPLES), `check --json` finds no SpamAssassin."""
    if "NEWSLETTER_FUZZ_EXAMPLES" in os.environ:
        yield
        return
    from newsletter.checks import spamassassin

    patch = pytest.MonkeyPatch()
    patch.setattr(spamassassin, "find", lambda: None)
    yield
    patch.undo()


class Flagged(AssertionError):
    """A broken promise found in one example (counted once, by kind)."""


def flag(kind: str, detail: str) -> None:
    STATS[kind] += 1
    raise Flagged(f"{kind}: {detail}")


_ROOT: list[Path] = []


def workspace() -> Path:
    """One workspace for every example (its caches warm up as a user's would)."""
    if not _ROOT:
        _ROOT.append(fresh_workspace(Path(tempfile.mkdtemp(prefix="nl-fuzz-")) / "ws"))
    return _ROOT[0]


# --- what is checked ------------------------------------------------------------------------------


class _Scan(HTMLParser):
    BAD_TAGS = frozenset({"script", "iframe", "object", "embed", "form", "input", "base"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BAD_TAGS or MARK in tag:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on") or MARK in name:
                self.found.append(f"<{tag} {name}>")
            if name in ("href", "src") and value and value.strip().lower().startswith(
                    ("javascript:", "data:", "vbscript:")):
                self.found.append(f"<{tag} {name}={value[:40]}>")

    handle_startendtag = handle_starttag


def check_html(html: str, where: str) -> None:
    scan = _Scan()
    scan.feed(html)
    scan.close()
    if scan.found:
        flag("injections", f"{where}: {scan.found[:3]}")


def check_outcome(name: str, outcome) -> None:
    if outcome.exit_code not in (0, 1, 2) or "Traceback" in outcome.output \
            or "This is a bug" in outcome.output:
        flag("crashes", f"{name} exit {outcome.exit_code}: {outcome.output[-600:]}")


def check_json(text: str, where: str) -> object:
    try:
        return json.loads(text)
    except ValueError as exc:
        flag("formats", f"{where} is not JSON ({exc}): {text[:200]!r}")
    return None


EML_HEADERS = ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version",
               "List-Unsubscribe", "List-Unsubscribe-Post", "Content-Type"]


def check_eml(raw: bytes, where: str, subject: str | None) -> None:
    head = raw.split(b"\r\n\r\n", 1)[0]
    if not head.isascii() or any(len(line) > 998 for line in head.split(b"\r\n")):
        flag("headers", f"{where}: a header line is not ASCII or longer than 998 bytes")
    if b"\r" in head.replace(b"\r\n", b"") or b"\n" in head.replace(b"\r\n", b""):
        flag("headers", f"{where}: a bare CR or LF in the headers")
    message = email.message_from_bytes(raw, policy=policy.default)
    if list(message.keys()) != EML_HEADERS:
        flag("headers", f"{where}: headers {list(message.keys())}")
    if subject is not None and str(message["Subject"]) != subject:
        flag("headers", f"{where}: Subject {str(message['Subject'])!r} != {subject!r}")
    html = message.get_body(("html",))
    if html is None or message.get_body(("plain",)) is None:
        flag("formats", f"{where}: no text/html or text/plain part")
    check_html(html.get_content(), where)


def check_export_file(path: Path, subject: str | None) -> None:
    where = path.as_posix()
    data = path.read_bytes()
    if path.suffix == ".eml":
        check_eml(data, where, subject)
    elif path.suffix == ".json":
        value = check_json(data.decode("utf-8"), where)
        for text in _strings(value):
            if "<html" in text.lower() or "<!doctype" in text.lower():
                check_html(text, where)
    elif path.suffix == ".zip":
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                check_html(archive.read("index.html").decode("utf-8"), where)
        except (zipfile.BadZipFile, KeyError) as exc:
            flag("formats", f"{where}: {exc}")
    elif path.suffix == ".html":
        check_html(data.decode("utf-8"), where)
    else:
        data.decode("utf-8")


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return []


def out_folder(root: Path, case: Case) -> Path:
    return root / dict(case.config).get("output_dir", "output")


def build_files(folder: Path) -> dict[str, bytes]:
    return {name: (folder / name).read_bytes() for name in
            ("email.html", "email.txt", "email.mjml", "manifest.json")}


# --- the property ---------------------------------------------------------------------------------


def run_case(case: Case) -> None:
    STATS["examples"] += 1
    root = workspace()
    write_case(root, case)
    for stale in ("output", "nocache-out", "imported"):
        shutil.rmtree(root / stale, ignore_errors=True)
    out = out_folder(root, case)
    if str(dict(case.config).get("output_dir", "output")) not in ("", "/", ".", ".."):
        shutil.rmtree(out, ignore_errors=True) if out.is_dir() and out != root else None

    plan = run(root, "plan", ISSUE, "--json")
    check_outcome("plan", plan)
    if plan.exit_code == 0:
        check_json(plan.stdout, "plan --json")

    build = run(root, "build", ISSUE)
    check_outcome("build", build)
    os.environ["NEWSLETTER_NO_CACHE"] = "1"
    try:
        plain = run(root, "build", ISSUE, "--out", str(root / "nocache-out"))
    finally:
        del os.environ["NEWSLETTER_NO_CACHE"]
    check_outcome("build (no cache)", plain)
    subject = None
    if (build.exit_code == 0) != (plain.exit_code == 0):
        flag("caches", f"build exit {build.exit_code} with the caches, {plain.exit_code} "
                       f"without: {build.output[-300:]} / {plain.output[-300:]}")
    if build.exit_code == 0:
        STATS["built"] += 1
        cached = build_files(out / ISSUE)
        if cached != build_files(root / "nocache-out"):
            flag("caches", "the build with the caches differs from the one without")
        check_html(cached["email.html"].decode("utf-8"), "email.html")
        subject = json.loads(cached["manifest.json"])["subject"]

    check = run(root, "check", ISSUE, "--json")
    check_outcome("check", check)
    check_json(check.stdout, "check --json")

    export = run(root, "export", ISSUE, "--service", "all")
    check_outcome("export", export)
    if export.exit_code == 0:
        STATS["exported"] += 1
        base = out / "_export" / ISSUE
        files = [p for p in base.rglob("*") if p.is_file()]
        if not files:
            flag("formats", "export wrote nothing")
        for path in files:
            check_export_file(path, subject)

    archive = run(root, "archive")
    check_outcome("archive", archive)
    if archive.exit_code == 0:
        STATS["archived"] += 1
        pages = out / "archive"
        for page in pages.rglob("*.html"):
            check_html(page.read_text(encoding="utf-8"), page.name)
        try:
            feed = ET.fromstring((pages / "feed.xml").read_bytes())
        except ET.ParseError as exc:
            flag("formats", f"feed.xml: {exc}")
        else:
            if any(MARK in element.tag for element in feed.iter()):
                flag("injections", "feed.xml")
        check_json((pages / "archive.json").read_text(encoding="utf-8"), "archive.json")

    generated = [s for s in case.summaries]
    if generated:
        source = root / "imported"
        source.mkdir()
        for summary in generated:
            (source / f"{summary.name}.md").write_bytes(
                (root / "summaries/2026/05" / f"{summary.name}.md").read_bytes())
        check_outcome("import", run(root, "import", str(source), "--dry-run"))


def summary(**fields: object) -> Summary:
    base = {"title": "A walking study", "published": "2026-05-10",
            "url": "https://example.org/s/generated-0"}
    return Summary(tuple((base | fields).items()), name="generated-0")


BOMB = Summary((), raw=("---\ntitle: Bomb\npublished: 2026-05-04\nurl: https://example.org/s/b\n"
                        "a0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
                            f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]\n"
                            for i in range(1, 9)) + "---\nBody.\n").encode(), name="generated-0")
ISSUE_OK = (("subject", "Research news"), ("preheader", "Walking."),
            ("from", __import__("datetime").date(2026, 5, 1)),
            ("to", __import__("datetime").date(2026, 5, 31)))


def issue_with(**values: object) -> tuple[tuple[str, object], ...]:
    return tuple((dict(ISSUE_OK) | values).items())


UNSUB = (("unsubscribe_url", "https://example.org/u"),)


@settings(max_examples=EXAMPLES, deadline=None, database=None, print_blob=True,
          suppress_health_check=list(HealthCheck))
@given(case=cases)
# defect 1: header injection
@example(case=Case(config=(("unsubscribe_url", "https://example.org/u\r\nBcc: victim@evil.example"),),
                   issue=ISSUE_OK))
@example(case=Case(config=(*UNSUB, ("unsubscribe_mailto",
                                    "mailto:u@example.org?subject=x\rBcc:victim@evil.example")),
                   issue=ISSUE_OK))
@example(case=Case(config=UNSUB, issue=issue_with(subject="Hello\rBcc: x@evil.example")))
@example(case=Case(config=(*UNSUB, ("from_name", "Two\nlines")), issue=ISSUE_OK))
@example(case=Case(config=(*UNSUB, ("from_name", "x" * 3000)), issue=ISSUE_OK))
# defect 2: YAML aliases
@example(case=Case(config=UNSUB, summaries=(summary(x="&a [*a]"),), issue=ISSUE_OK))
@example(case=Case(config=UNSUB, summaries=(BOMB,), issue=ISSUE_OK))
# defect 3: crashes on content
@example(case=Case(config=UNSUB, summaries=(summary(published="9999-12-31T23:59:59-05:00"),),
                   issue=ISSUE_OK))
@example(case=Case(config=(*UNSUB, ("timezone", "Europe/Berlin")),
                   summaries=(summary(published="0001-01-01"),), issue=ISSUE_OK))
@example(case=Case(config=UNSUB, summaries=(summary(n="9" * 5000),), issue=ISSUE_OK))
@example(case=Case(config=(*UNSUB, ("output_dir", "out\x00")), issue=ISSUE_OK))
@example(case=Case(config=(*UNSUB, ("summaries_dir", "s\x00")), issue=ISSUE_OK))
# defect 9: paths
@example(case=Case(config=(*UNSUB, ("output_dir", "/")), issue=ISSUE_OK))
# defect 10: control characters
@example(case=Case(config=UNSUB, summaries=(summary(title="Before\x00after"),), issue=ISSUE_OK))
@example(case=Case(config=UNSUB, issue=issue_with(subject="\x00")))
# hostile markup reaching every field that is shown
@example(case=Case(config=(*UNSUB, ("name", f'"><{MARK}>')),
                   summaries=(summary(title=f"<script>{MARK}</script>",
                                      teaser=f'"><{MARK} {MARK}="1">',
                                      source=f"</title><{MARK}>"),),
                   issue=issue_with(subject=f"<{MARK}>", preheader=f'"><{MARK}>',
                                    intro=f"[x](javascript:alert(1)) <{MARK} onclick=x>")))
# found by this test: mjml-python writes attribute values (and the title's aria-label) unescaped
@example(case=Case(config=(*UNSUB, ("logo_url", f'https://example.org/"><{MARK}>'),
                           ("website_url", f'https://example.org/"><{MARK}>')),
                   issue=issue_with(subject=f'"><{MARK} {MARK}="1">',
                                    preheader=f'"><{MARK} {MARK}="1">')))
@example(case=Case(config=(("unsubscribe_url", 'https://example.org/s/<img%20src=x%20onerror="a">'),),
                   issue=ISSUE_OK))
# point 11: check --json on a workspace that does not load
@example(case=Case(config=(*UNSUB, ("timezone", "Mars/Olympus")), issue=ISSUE_OK))
def test_hostile_workspaces_never_crash_inject_or_differ(case: Case) -> None:
    try:
        run_case(case)
    except Flagged as exc:
        if not FUZZ_LOG:
            raise
        with open(FUZZ_LOG, "a", encoding="utf-8") as log:  # `make fuzz` lists every one
            log.write(f"{exc}\n  {case!r}\n\n")


def test_the_base_case_builds_and_exports():
    """The harness itself: the unmodified case goes through every command with exit 0."""
    root = workspace()
    case = Case(config=UNSUB, issue=ISSUE_OK)
    write_case(root, case)
    assert BASE_CONFIG["from_email"] == "digest@example.org"
    for args in (["build", ISSUE], ["export", ISSUE, "--service", "all"], ["archive"]):
        assert run(root, *args).clean().exit_code == 0, args
