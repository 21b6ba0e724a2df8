"""Header injection (issue 14, defect 1): every value that can reach a mail header is checked for
control characters where it enters (config, issue file), and the email package folds and encodes
every header. Each case starts from a fresh `newsletter init` workspace."""

from __future__ import annotations

import email
import re
from email import policy

import pytest
from helpers.hardening import ISSUE, fresh_workspace, run, set_config, set_issue

EXPECTED_HEADERS = ["From", "To", "Subject", "Date", "Message-ID", "MIME-Version",
                    "List-Unsubscribe", "List-Unsubscribe-Post", "Content-Type"]


@pytest.fixture
def root(tmp_path):
    root = fresh_workspace(tmp_path / "ws")
    set_config(root, unsubscribe_url="https://example.org/u")
    return root


def eml_of(root):
    (path,) = (root / "output" / "_export" / ISSUE / "eml").glob("*.eml")
    return path.read_bytes()


def assert_sound_message(raw: bytes) -> email.message.EmailMessage:
    message = email.message_from_bytes(raw, policy=policy.default)
    assert list(message.keys()) == EXPECTED_HEADERS
    head = raw.split(b"\r\n\r\n", 1)[0]
    assert all(len(line) <= 998 for line in head.split(b"\r\n")), "a header line over 998"
    assert b"\r" not in head.replace(b"\r\n", b"") and b"\n" not in head.replace(b"\r\n", b"")
    return message


@pytest.mark.parametrize("key, value, shown", [
    ("unsubscribe_url", "https://example.org/u\\r\\nBcc: victim@evil.example", "U+000D"),
    ("unsubscribe_mailto", "mailto:u@example.org?subject=x\\rBcc:victim@evil.example", "U+000D"),
    ("from_name", "Digest\\nBcc: victim@evil.example", "U+000A"),
    ("from_name", "Digest\\u2028Bcc: victim@evil.example", "U+2028"),
    ("name", "Digest\\u0000", "U+0000"),
    ("from_email", "digest\\u0000@example.org", "U+0000"),
])
def test_a_control_character_in_a_header_setting_is_a_named_config_error(root, key, value, shown):
    set_config(root, **{key: value})
    outcome = run(root, "export", ISSUE, "--service", "eml").clean()
    assert outcome.exit_code == 1
    assert f"newsletter.toml: {key}: contains the control character {shown}" in outcome.stderr
    assert not (root / "output" / "_export").exists()


@pytest.mark.parametrize("value", ['"Hello\\rBcc: x@evil.example"', '"Two\\nlines"',
                                   '"\\u0000"', '"tab\\there"'])
def test_a_control_character_in_the_issue_subject_is_a_named_issue_error(root, value):
    set_issue(root, "subject", value)
    for command in (["export", ISSUE, "--service", "eml"], ["build", ISSUE], ["archive"]):
        outcome = run(root, *command).clean()
        assert outcome.exit_code == 1, command
        assert "issues/2026-05.toml: subject: contains the control character U+00" \
            in outcome.stderr, command


def test_a_control_character_in_the_preheader_is_refused_and_the_intro_keeps_its_lines(root):
    set_issue(root, "preheader", '"Pre\\u0007header"')
    outcome = run(root, "build", ISSUE).clean()
    assert outcome.exit_code == 1
    assert "preheader: contains the control character U+0007" in outcome.stderr
    (root / "issues" / "2026-05.toml").write_text(
        'subject = "S"\npreheader = "P"\nfrom = 2026-05-01\nto = 2026-05-31\n'
        'intro = """\nLine one.\n\nLine two\twith a tab.\n"""\n', encoding="utf-8")
    assert run(root, "build", ISSUE).clean().exit_code == 0
    text = (root / "output" / ISSUE / "email.txt").read_text()
    assert re.search(r"Line two\s+with a tab\.", text)


def test_a_long_sender_name_is_folded_by_the_email_policy(root):
    set_config(root, from_name="x" * 3000)
    outcome = run(root, "export", ISSUE, "--service", "eml").clean()
    if outcome.exit_code == 1:  # refused with a named error: also a kept promise
        assert "from_name" in outcome.stderr
        return
    message = assert_sound_message(eml_of(root))
    assert message["From"].addresses[0].display_name == "x" * 3000


def test_a_long_sender_name_with_words_is_folded_and_reads_back(root):
    name = " ".join(["Research"] * 20)  # 179 characters: folded at its spaces
    set_config(root, from_name=name)
    assert run(root, "export", ISSUE, "--service", "eml").clean().exit_code == 0
    message = assert_sound_message(eml_of(root))
    assert message["From"].addresses[0].display_name == name


def test_a_mailto_and_a_non_ascii_url_reach_list_unsubscribe_intact(root):
    set_config(root, unsubscribe_url="https://example.org/désabonner?a=1",
               unsubscribe_mailto="mailto:u@example.org?subject=unsubscribe")
    assert run(root, "export", ISSUE, "--service", "eml").clean().exit_code == 0
    message = assert_sound_message(eml_of(root))
    assert str(message["List-Unsubscribe"]).split(", ") == [
        "<https://example.org/d%C3%A9sabonner?a=1>", "<mailto:u@example.org?subject=unsubscribe>"]


def test_a_non_ascii_subject_and_sender_are_encoded_and_read_back(root):
    set_config(root, from_name="Zoë's Digest — MS")
    set_issue(root, "subject", '"Nouvelles de la recherche : mai 2026 — ça avance"')
    assert run(root, "export", ISSUE, "--service", "eml").clean().exit_code == 0
    raw = eml_of(root)
    message = assert_sound_message(raw)
    assert raw.split(b"\r\n\r\n", 1)[0].isascii()
    assert message["Subject"] == "Nouvelles de la recherche : mai 2026 — ça avance"
    assert message["From"].addresses[0].display_name == "Zoë's Digest — MS"


@pytest.mark.parametrize("where", ["subject", "from_name"])
def test_an_encoded_word_in_a_header_value_is_refused(root, where):
    """The email package decodes `=?charset?q?...?=` in any header value it is given: the
    subject or sender would read differently from what was written (found by the property
    test)."""
    if where == "subject":
        set_issue(root, "subject", '"News =?utf-8?q?x?= for May"')
    else:
        set_config(root, from_name="Digest =?utf-8?q?x?=")
    outcome = run(root, "export", ISSUE, "--service", "eml").clean()
    assert outcome.exit_code == 1
    assert f"{where}: holds '=?utf-8?q?x?=', which mail programs decode" in outcome.stderr
    file = "newsletter.toml or the issue file" if where == "subject" else "newsletter.toml"
    assert f"cannot export for eml: fix {where} in {file}" in outcome.stderr
