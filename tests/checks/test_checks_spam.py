"""spam: SpamAssassin's report read, levels, the message scored, and real scores.

The tests that run SpamAssassin use the `spamassassin` fixture: skipped without it on a laptop,
a failure under `make test` (which installs Debian's package).
"""

from __future__ import annotations

import dataclasses
import email
import email.policy
import os
import pwd
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from helpers import WorkspaceFactory
from helpers.checks import context, page, run, summaries, text

from newsletter.build import prepare, render_plan
from newsletter.checks import resident
from newsletter.checks import spamassassin as sa
from newsletter.checks.message import eml_message
from newsletter.checks.model import Message
from newsletter.checks.rules import spam
from newsletter.checks.runner import check_issue
from newsletter.storage.cache import CACHE_DIR

GTUBE = "XJS*C4JDBQADN1.NSBN3*2IDNEN*GTUBE-STANDARD-ANTI-UBE-TEST-EMAIL*C.34X"
REPORT = """...the message...
@@NL-SPAM score=3.4 required=5.0
-0.0 NO_RELAYS              Informational: message was not relayed via SMTP
 2.7 MISSING_DATE           Missing Date: header
 0.7 HTML_FONT_LOW_CONTRAST BODY: HTML font color similar or identical to
                            background
@@NL-SPAM-END
"""


def message(body: str, subject: str = "Monthly research news") -> bytes:
    msg = EmailMessage()
    msg["From"] = "Digest <digest@example.org>"
    msg["To"] = "reader@example.org"
    msg["Subject"] = subject
    msg["Date"] = "Mon, 04 May 2026 09:00:00 +0000"
    msg["Message-ID"] = "<test-1@example.org>"
    msg.set_content(body)
    return msg.as_bytes()


@pytest.fixture(autouse=True)
def fresh_memo() -> None:
    sa._MEMO.clear()


# --- reading the report, levels, the finding -----------------------------------------------


def test_parse_report_reads_score_rules_and_wrapped_descriptions() -> None:
    report = sa.parse_report(REPORT)
    assert (report.score, report.required) == (3.4, 5.0)
    assert [r.name for r in report.rules] == ["NO_RELAYS", "MISSING_DATE",
                                              "HTML_FONT_LOW_CONTRAST"]
    assert report.rules[2].description == "BODY: HTML font color similar or identical to " \
                                          "background"
    assert report.rules[1].points == 2.7


def test_output_without_a_report_is_an_error() -> None:
    with pytest.raises(sa.SpamAssassinError):
        sa.parse_report("Content analysis details: nothing of ours")


@pytest.mark.parametrize(("score", "level"), [(-0.1, "info"), (1.9, "info"), (2.0, "warning"),
                                              (4.9, "warning"), (5.0, "error"), (1000, "error")])
def test_levels(score: float, level: str) -> None:
    assert sa.level_for(score) == level


def test_the_finding_lists_rules_with_points_and_fixes() -> None:
    finding = spam.describe(sa.parse_report(REPORT), "the eml export", None)
    assert finding.level == "warning"
    assert finding.message.startswith("SpamAssassin scores the email 3.4 with its local rules")
    assert "MISSING_DATE +2.7 (Missing Date: header)" in finding.message
    assert "1 informational rule with 0 points" in finding.message
    assert "HTML_FONT_LOW_CONTRAST: text coloured like its background" in (finding.fix or "")


def test_not_installed_is_one_info(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sa.shutil, "which", lambda name: None)
    (finding,) = run("spam.score", context())
    assert finding.level == "info" and "not installed" in finding.message
    assert "apt-get install spamassassin" in (finding.fix or "")


def test_the_cache_key_ignores_what_every_export_makes_new() -> None:
    first, second = (eml_for_key(), eml_for_key())
    assert first != second  # Date, Message-ID and the MIME boundary differ ...
    assert sa.message_key(first, "/bin/true") == sa.message_key(second, "/bin/true")  # ... only
    changed = first.replace(b"Hello", b"Hallo")
    assert sa.message_key(changed, "/bin/true") != sa.message_key(first, "/bin/true")


def eml_for_key() -> bytes:
    from newsletter.checks.message import from_parts
    from newsletter.config.load import parse_config

    return from_parts("<p>Hello</p>", "Hello", parse_config(""), "S", "test").data


# --- the message that is scored ----------------------------------------------------------


def test_the_eml_export_is_scored_when_it_can_be_made(make_ws: WorkspaceFactory) -> None:
    ws = make_ws(config='from_email = "digest@example.org"\n', summaries=summaries())
    result = render_plan(ws, prepare(ws, "2026-05"))
    made = eml_message(result, ws.config)
    assert made.stand_in is None
    parsed = email.message_from_bytes(made.data, policy=email.policy.default)
    assert parsed["From"].addresses[0].addr_spec == "digest@example.org"
    assert parsed["List-Unsubscribe"]


def test_without_from_email_the_export_runs_with_stand_ins(make_ws: WorkspaceFactory) -> None:
    ws = make_ws(summaries=summaries())  # no from_email: `export --service eml` would refuse
    result = render_plan(ws, prepare(ws, "2026-05"))
    made = eml_message(result, ws.config)
    assert made.stand_in == ("the eml export cannot be made (set from_email in newsletter.toml), "
                             "so the scored message is that export with stand-in values for: "
                             "from_email")
    parsed = email.message_from_bytes(made.data, policy=email.policy.default)
    assert parsed["From"].addresses[0].addr_spec == "newsletter@example.org"
    assert "1 Test Street, Testville" in parsed.get_body(("plain",)).get_content()


def test_a_context_without_the_export_scores_its_own_parts() -> None:
    from newsletter.checks.message import from_parts
    from newsletter.config.load import parse_config

    html = ("<html><body><p>Hello %%NL_POSTAL_ADDRESS%%</p>"
            "<a href='%%NL_UNSUBSCRIBE_URL%%'>unsubscribe</a></body></html>")
    made = from_parts(html, "Hello\nUnsubscribe: %%NL_UNSUBSCRIBE_URL%%\n", parse_config(""),
                      None, "no eml export was given to the check")
    assert made.stand_in == ("no eml export was given to the check, so a message built from the "
                             "checked parts was scored, with stand-in values for: from_email, "
                             "postal_address, subject, unsubscribe_url")
    assert b"%%NL_" not in made.data


# --- real scores ----------------------------------------------------------------------------


def test_gtube_is_an_error_and_home_is_never_written(spamassassin: str, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))  # a user's home: nothing may appear in it
    state = Path(pwd.getpwuid(os.getuid()).pw_dir, ".spamassassin")  # nor in the passwd one's
    before = (state.stat().st_mtime_ns, sorted(state.iterdir())) if state.exists() else None
    resident.stop()  # a scorer started now: its rules loaded, its state folder tested
    report = sa.run(message(f"Hello\n{GTUBE}\n"), spamassassin)
    assert (state.stat().st_mtime_ns, sorted(state.iterdir())) == before if before else \
        not state.exists()
    assert report.score >= 1000 and "GTUBE" in [r.name for r in report.rules]
    finding = spam.describe(report, "the eml export", None)
    assert finding.level == "error" and "GTUBE +1000.0" in finding.message
    assert list(home.iterdir()) == []  # no ~/.spamassassin, no Bayes or AWL database


def test_the_rule_reports_a_known_rule_of_a_built_message(spamassassin: str,
                                                          tmp_path: Path) -> None:
    ctx = context(page(f"<p>{GTUBE}</p>"), text(GTUBE))
    ctx.message = lambda: Message(message(f"Hello\n{GTUBE}\n"))
    (finding,) = run("spam.score", ctx)
    assert finding.level == "error" and finding.where == "the eml export"
    assert "GTUBE +1000.0" in finding.message and "remove the GTUBE test string" in finding.fix


def test_a_stand_in_message_is_scored_and_said_so(spamassassin: str) -> None:
    (finding,) = run("spam.score", context())
    assert finding.where == "a stand-in message"
    assert "Note: no eml export was given to the check, so a message built from the checked " \
           "parts was scored, with stand-in values for: from_email" in finding.message


def test_check_says_when_it_scored_a_stand_in(spamassassin: str,
                                              make_ws: WorkspaceFactory) -> None:
    ws = make_ws(summaries=summaries())  # no from_email
    report, _ = check_issue(ws, "2026-05")
    (finding,) = [f for f in report.findings if f.check == "spam.score"]
    assert finding.where == "a stand-in message" and finding.level == "info"
    assert finding.message.endswith("Note: the eml export cannot be made (set from_email in "
                                    "newsletter.toml), so the scored message is that export "
                                    "with stand-in values for: from_email")


def test_scores_are_remembered_by_content(spamassassin: str, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    data = message("Hello, a short note about research.\n")
    first = sa.score(data, spamassassin, tmp_path)
    assert list((tmp_path / CACHE_DIR / "spam").glob("*.json"))
    monkeypatch.setattr(sa, "run", lambda *a, **k: pytest.fail("SpamAssassin ran again"))
    again = data.replace(b"<test-1@example.org>", b"<test-2@example.org>")
    assert sa.score(again, spamassassin, tmp_path) == first  # remembered in the process
    sa._MEMO.clear()
    assert sa.score(again, spamassassin, tmp_path).score == first.score  # and on disk


# --- the resident scorer ----------------------------------------------------------------------

SEVERAL_RULES = message(f"Hello\n{GTUBE}\n").replace(b"Date: ", b"X-Was-Date: ")


def rules_of(report: sa.SpamReport) -> list[tuple[str, float, str]]:
    return sorted((r.name, r.points, r.description) for r in report.rules)  # ties: any order


def test_the_resident_scorer_scores_as_the_spamassassin_program(spamassassin: str) -> None:
    assert resident.setup_for(spamassassin, sa.CONFIG, "stamp") is not None  # Debian's: resident
    once = sa.parse_report(sa.run_once(SEVERAL_RULES, spamassassin))
    scored = sa.run(SEVERAL_RULES, spamassassin)
    assert {"GTUBE", "MISSING_DATE"} <= {r.name for r in once.rules}
    assert (scored.score, scored.required) == (once.score, once.required)
    assert rules_of(scored) == rules_of(once)


def test_the_rules_are_loaded_once_a_process(spamassassin: str) -> None:
    sa.run(message("A first note.\n"), spamassassin)
    first = resident._CURRENT
    assert first is not None
    second = sa.run(message(f"A second note.\n{GTUBE}\n"), spamassassin)
    assert resident._CURRENT is first and first.alive()
    assert "GTUBE" in [r.name for r in second.rules]


# The resident's own logic (start, answer, replace, stop) with a stand-in scorer: a Python
# program that speaks the same protocol and answers at once (SpamAssassin takes a second or two
# to start); the real one is the tests above and test_the_scorer_needs_no_network.
STAND_IN = """\
import os, shutil, sys, time
def read():
    head = sys.stdin.buffer.readline()
    return sys.stdin.buffer.read(int(head)) if head else None
def write(data):
    sys.stdout.buffer.write(b"%d\\n" % len(data) + data)
    sys.stdout.buffer.flush()
setup = read().split(b"\\n")
mode = setup[-1]
if mode == b"fail to start":
    sys.exit("no rules here")
if mode == b"slow to start":
    time.sleep(30)
write(b"ready")
if mode == b"stop reading":
    time.sleep(30)
while (message := read()) is not None:
    if mode == b"die on a message":
        sys.exit("scorer died")
    if mode == b"close its output":
        os.close(1)
        time.sleep(30)
    if message.startswith(b"sleep "):
        time.sleep(float(message.split()[1]))
    write(b"@@NL-SPAM score=1.5 required=5.0\\n 1.5 STAND_IN  got " + message + b"\\n@@NL-SPAM-END\\n")
shutil.rmtree(setup[0])  # as the Perl program does when its input ends
"""


@pytest.fixture
def stand_in(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Any]]:
    """setup(stamp, last config line): a Setup that starts the stand-in scorer. The process's
    real scorer is put aside for the test and back after it."""
    script = tmp_path / "stand_in.py"
    script.write_text(STAND_IN)
    monkeypatch.setattr(resident, "SCRIPT", script)
    kept, resident._CURRENT = resident._CURRENT, None

    def setup(stamp: str = "rules", last: str = "report _SUMMARY_") -> resident.Setup:
        return resident.Setup(sys.executable, None, ("/usr",) * 4, ("use_bayes 0", last), stamp)

    yield setup
    resident.stop()
    resident._CURRENT = kept


def test_the_answer_is_the_message_s_report_byte_for_byte(stand_in: Callable[..., Any]) -> None:
    message = b"Subject: x\r\n\r\n12\n\nlines\x00and \xc3\xa9\n" * 500  # digits, CRLF, NUL
    output = resident.report(message, stand_in(), 10)
    assert output == ("@@NL-SPAM score=1.5 required=5.0\n 1.5 STAND_IN  got "
                      + message.decode() + "\n@@NL-SPAM-END\n")
    assert sa.parse_report(output).score == 1.5


def test_one_scorer_answers_one_message_after_another(stand_in: Callable[..., Any]) -> None:
    setup = stand_in()
    assert "got first" in resident.report(b"first", setup, 10)
    first = resident._CURRENT
    assert first is not None and Path(first.home, "user_prefs").is_file()
    assert "got second" in resident.report(b"second", setup, 10)
    assert resident._CURRENT is first and first.alive()


def test_a_scorer_that_stopped_is_replaced(stand_in: Callable[..., Any]) -> None:
    resident.report(b"a note", stand_in(), 10)
    first = resident._CURRENT
    assert first is not None
    first.process.kill()
    first.process.wait()
    assert "got again" in resident.report(b"again", stand_in(), 10)
    assert resident._CURRENT is not first and resident._CURRENT.alive()
    assert not Path(first.home).exists()


def test_changed_rules_start_a_new_scorer(stand_in: Callable[..., Any]) -> None:
    resident.report(b"a note", stand_in("rules as they were"), 10)
    first = resident._CURRENT
    assert first is not None
    assert "got a note" in resident.report(b"a note", stand_in("rules after sa-update"), 10)
    assert resident._CURRENT is not first and not first.alive()
    assert not Path(first.home).exists()
    resident.stop()
    assert resident._CURRENT is None


def test_a_scorer_past_its_time_is_stopped_and_said_so(stand_in: Callable[..., Any]) -> None:
    resident.report(b"a note", stand_in(), 10)
    first = resident._CURRENT
    assert first is not None
    with pytest.raises(resident.ResidentError, match="no result within the time allowed"):
        resident.report(b"sleep 30", stand_in(), 0.2)
    assert resident._CURRENT is None and not first.alive() and not Path(first.home).exists()
    assert "got a note" in resident.report(b"a note", stand_in(), 10)  # and the next one starts


def test_a_scorer_that_cannot_start_leaves_the_message_to_one_run(
        stand_in: Callable[..., Any], monkeypatch: pytest.MonkeyPatch) -> None:
    setup = stand_in(last="fail to start")
    monkeypatch.setattr(resident, "setup_for", lambda *args: setup)
    once: list[bytes] = []
    monkeypatch.setattr(sa, "run_once", lambda message, *args: once.append(message) or REPORT)
    assert sa.run(b"a note", "/usr/bin/spamassassin").score == 3.4
    assert sa.run(b"another", "/usr/bin/spamassassin").score == 3.4
    assert once == [b"a note", b"another"]
    assert resident._CURRENT is None and not resident.can_start(setup)  # tried once


def test_a_scorer_too_slow_to_start_is_not_given_up(stand_in: Callable[..., Any],
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """A busy machine, not a broken scorer: an error within the time allowed, no one-shot run on
    top of the wait, and the next score tries the scorer again."""
    setup = stand_in(last="slow to start")
    monkeypatch.setattr(resident, "setup_for", lambda *args: setup)
    monkeypatch.setattr(sa, "run_once", lambda *args: pytest.fail("ran spamassassin once too"))
    clock = time.monotonic()
    with pytest.raises(sa.SpamAssassinError, match="no result within the time allowed"):
        sa.run(b"a note", "/usr/bin/spamassassin", timeout=0.5)
    assert time.monotonic() - clock < 5
    assert resident.can_start(setup) and resident._CURRENT is None


def test_the_check_says_why_a_scorer_failed(stand_in: Callable[..., Any],
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(resident, "setup_for", lambda *args: stand_in(last="die on a message"))
    monkeypatch.setattr(sa, "find", lambda: "/usr/bin/spamassassin")  # installed or not
    (finding,) = run("spam.score", context())
    assert finding.level == "warning"
    assert "SpamAssassin could not score the email: SpamAssassin stopped (exit code 1): scorer " \
           "died" in finding.message
    assert resident._CURRENT is None


def test_a_scorer_that_stops_reading_is_given_up_in_time(stand_in: Callable[..., Any]) -> None:
    setup = stand_in(last="stop reading")
    clock = time.monotonic()
    with pytest.raises(resident.ResidentError, match="no result within the time allowed"):
        resident.report(b"x" * 300_000, setup, 0.5)  # more than a pipe holds
    assert time.monotonic() - clock < 5
    assert resident._CURRENT is None


def test_a_scorer_that_closes_its_output_and_runs_on_is_stopped(
        stand_in: Callable[..., Any]) -> None:
    resident.report(b"a note", stand_in(), 10)
    with pytest.raises(resident.ResidentError, match="closed its output without ending"):
        resident.report(b"a note", stand_in(last="close its output"), 10)
    assert resident._CURRENT is None


def test_the_time_allowed_counts_the_wait_for_another_score(
        stand_in: Callable[..., Any]) -> None:
    setup = stand_in()
    resident.report(b"started", setup, 10)
    running = threading.Thread(target=resident.report, args=(b"sleep 3", setup, 10))
    running.start()
    time.sleep(0.3)
    clock = time.monotonic()
    with pytest.raises(resident.ResidentError, match="another score was running"):
        resident.report(b"mine", setup, 0.5)
    assert time.monotonic() - clock < 2
    running.join()


def test_stopping_does_not_wait_for_a_running_score(stand_in: Callable[..., Any]) -> None:
    setup = stand_in()
    resident.report(b"started", setup, 10)
    first = resident._CURRENT
    assert first is not None
    failed: list[BaseException] = []

    def score() -> None:
        try:
            resident.report(b"sleep 30", setup, 60)
        except resident.ResidentError as exc:
            failed.append(exc)

    running = threading.Thread(target=score)
    running.start()
    time.sleep(0.3)
    clock = time.monotonic()
    resident.stop()  # as at exit, with the desk's background score running
    assert time.monotonic() - clock < 3
    running.join(5)
    assert failed and not first.alive() and not Path(first.home).exists()


def test_a_forked_child_starts_its_own_scorer_and_leaves_nothing(
        stand_in: Callable[..., Any], tmp_path: Path) -> None:
    setup = stand_in()
    resident.report(b"in the parent", setup, 10)
    parent = resident._CURRENT
    assert parent is not None
    told = tmp_path / "child-home"
    pid = os.fork()
    if pid == 0:  # the child: score, say where its home is, end as a pool worker does
        code = 1
        try:
            resident.report(b"in the child", setup, 10)
            assert resident._CURRENT is not parent
            told.write_text(resident._CURRENT.home)
            code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    child_home = Path(told.read_text())
    deadline = time.monotonic() + 10
    while child_home.exists() and time.monotonic() < deadline:  # its scorer removes it
        time.sleep(0.05)
    assert not child_home.exists()
    assert "got still here" in resident.report(b"still here", setup, 10)
    assert resident._CURRENT is parent
    clock = time.monotonic()
    resident.stop()  # its input ends at once: the child kept no copy of the pipe
    assert time.monotonic() - clock < 2 and not Path(parent.home).exists()


@pytest.mark.parametrize(("line", "expected"), [
    (b"#!/usr/bin/perl -T -w\n", "/usr/bin/perl"),
    (b"#!/usr/bin/perl\n", "/usr/bin/perl"),
    (b"#!/usr/bin/env perl\n", shutil.which("perl")),
    (b"#!/bin/sh\n", None),
    (b"#!/no/such/perl\n", None),
    (b"use strict;\n", None),
])
def test_the_perl_is_the_one_the_program_names(line: bytes, expected: str | None) -> None:
    assert resident._interpreter(line + b"print 1;\n") == expected


def test_a_scorer_whose_program_dies_is_an_error_with_what_perl_said(
        spamassassin: str, tmp_path: Path) -> None:
    setup = resident.setup_for(spamassassin, sa.CONFIG, "x")
    assert setup is not None
    script = tmp_path / "dies.pl"
    script.write_text('die "no rules here\\n";\n')
    kept, resident._CURRENT = resident._CURRENT, None
    original = resident.SCRIPT
    try:
        resident.SCRIPT = script
        with pytest.raises(resident.ResidentError, match=r"exit code 255\): no rules here"):
            resident.report(b"x", setup, 30)
    finally:
        resident.SCRIPT = original
        resident._CURRENT = kept


@pytest.mark.parametrize(("head", "why"), [
    (b"#!/bin/sh\nexec /usr/bin/spamassassin \"$@\"\n", "a shell wrapper"),
    (b"#!/usr/bin/perl\nprint 1;\n", "a Perl program without the paths"),
    (b"\x7fELF\x02\x01", "a binary"),
])
def test_other_programs_are_run_once_a_message(tmp_path: Path, head: bytes, why: str) -> None:
    program = tmp_path / "spamassassin"
    program.write_bytes(head)
    assert resident.setup_for(str(program), sa.CONFIG, "x") is None, why
    assert resident.setup_for(str(tmp_path / "missing"), sa.CONFIG, "x") is None


def test_the_paths_are_read_from_the_program(tmp_path: Path) -> None:
    program = tmp_path / "spamassassin"
    program.write_text("#!/usr/bin/perl -T -w\n\nmy $PREFIX          = '/opt/sa';  # substituted\n"
                       "my $DEF_RULES_DIR   = '/opt/sa/share';\n"
                       "my $LOCAL_RULES_DIR = '/opt/sa/etc';\n"
                       "my $LOCAL_STATE_DIR = '/opt/sa/var';\nuse lib '/opt/sa/lib';\n")
    setup = resident.setup_for(str(program), ("use_bayes 0",), "stamp")
    assert setup is not None
    assert setup.paths == ("/opt/sa", "/opt/sa/share", "/opt/sa/etc", "/opt/sa/var")
    assert (setup.lib, setup.config, setup.stamp) == ("/opt/sa/lib", ("use_bayes 0",), "stamp")


# last: it stops the process's scorer (a new one starts in a network namespace)
def test_the_scorer_needs_no_network(spamassassin: str, tmp_path: Path,
                                     monkeypatch: pytest.MonkeyPatch) -> None:
    # -L (local_tests_only): the same result without any network namespace (needs unshare -n)
    if shutil.which("unshare") is None:
        pytest.skip("no unshare")
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip("unshare -n is not permitted here")
    perl = tmp_path / "perl"  # the scorer's Perl, run in a namespace without a network
    perl.write_text('#!/bin/sh\nexec unshare -n /usr/bin/perl "$@"\n')
    perl.chmod(0o755)
    real = resident.setup_for
    monkeypatch.setattr(resident, "setup_for", lambda *args: dataclasses.replace(
        real(*args), perl=str(perl)))  # type: ignore[type-var]
    resident.stop()
    try:
        report = sa.run(message(f"Hi\n{GTUBE}\n"), spamassassin)
        scorer = resident._CURRENT
        assert scorer is not None and scorer.setup.perl == str(perl)
        # a caller that ends without stopping it (a fork's os._exit, SIGTERM): the Perl
        # program removes its home folder itself when its input ends
        scorer.process.stdin.close()  # type: ignore[union-attr]
        assert scorer.process.wait(timeout=30) == 0
        assert not Path(scorer.home).exists()
    finally:
        resident.stop()
    assert "GTUBE" in [r.name for r in report.rules]
