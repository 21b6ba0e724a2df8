"""The smaller defects of issue 14 (point 11, and `new` on a full disk from point 3), each from
a fresh `newsletter init` workspace."""

from __future__ import annotations

import errno
import json
import os
import socket
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from helpers.faults import Faults
from helpers.hardening import ISSUE, fresh_workspace, run, set_config


@pytest.fixture
def root(tmp_path):
    root = fresh_workspace(tmp_path / "ws")
    set_config(root, unsubscribe_url="https://example.org/u")
    return root


class Server:
    """Accepts every message; answers QUIT with `quit_reply` when given."""

    def __init__(self, quit_reply: str | None = None) -> None:
        self.quit_reply = quit_reply
        self.messages: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope.original_content)
        return "250 Message accepted"

    async def handle_QUIT(self, server: Any, session: Any, envelope: Any) -> Any:
        if self.quit_reply is None:
            from aiosmtpd.smtp import MISSING
            return MISSING
        return self.quit_reply


def serve(handler: Server, **kwargs: Any) -> Controller:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    controller = Controller(handler, hostname="127.0.0.1", port=port, **kwargs)
    controller.start()
    return controller


def test_a_5xx_reply_to_quit_after_acceptance_is_a_success(root):
    handler = Server(quit_reply="554 5.0.0 something went wrong after the fact")
    controller = serve(handler)
    try:
        outcome = run(root, "send-test", ISSUE, "--recipient", "me@example.org",
                      "--smtp", f"127.0.0.1:{controller.port}").clean()
    finally:
        controller.stop()
    assert outcome.exit_code == 0, outcome.output
    assert "sent" in outcome.stdout and len(handler.messages) == 1
    assert "refused" not in outcome.output


def test_a_non_ascii_recipient_gets_a_hint_about_smtputf8_not_starttls(root):
    controller = serve(Server(), enable_SMTPUTF8=False)
    try:
        outcome = run(root, "send-test", ISSUE, "--recipient", "josé@example.org",
                      "--smtp", f"127.0.0.1:{controller.port}").clean()
    finally:
        controller.stop()
    assert outcome.exit_code == 1
    assert "SMTPUTF8" in outcome.stderr and "non-ASCII" in outcome.stderr
    assert "--starttls" not in outcome.stderr


def test_a_non_ascii_recipient_is_delivered_by_a_server_with_smtputf8(root):
    handler = Server()
    controller = serve(handler)
    try:
        outcome = run(root, "send-test", ISSUE, "--recipient", "josé@example.org",
                      "--smtp", f"127.0.0.1:{controller.port}").clean()
    finally:
        controller.stop()
    assert outcome.exit_code == 0, outcome.output
    assert len(handler.messages) == 1


@pytest.mark.parametrize("server", ["a:b:c", "host:", ":25", "[::1", "host:99999", "a b:25"])
def test_a_malformed_smtp_option_is_a_usage_error(root, server):
    outcome = run(root, "send-test", ISSUE, "--recipient", "me@example.org",
                  "--smtp", server).clean()
    assert outcome.exit_code == 2, outcome.output
    assert "--smtp" in outcome.stderr


def test_a_recipient_with_a_control_character_is_a_usage_error(root):
    outcome = run(root, "send-test", ISSUE, "--recipient", "me\x00@example.org").clean()
    assert outcome.exit_code == 2 and "not an email address" in outcome.stderr


def test_files_from_init_and_new_follow_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        root = fresh_workspace(tmp_path / "ws")
        assert run(root, "new", "2026-06").clean().exit_code == 0
    finally:
        os.umask(old)
    modes = {p.relative_to(root).as_posix(): p.stat().st_mode & 0o777
             for p in root.rglob("*") if p.is_file()}
    assert set(modes.values()) == {0o644}, modes
    assert "issues/2026-06.toml" in modes


@pytest.mark.parametrize("error", [errno.ENOSPC, errno.EROFS], ids=["full-disk", "read-only"])
def test_new_on_a_full_or_read_only_disk_is_a_named_error(root, error):
    with Faults(root / "issues", fail_all=True, error=error).installed():
        outcome = run(root, "new", "2026-06").clean()
    assert outcome.exit_code == 1
    assert "issues/2026-06.toml" in outcome.stderr and os.strerror(error) in outcome.stderr
    assert not (root / "issues" / "2026-06.toml").exists()
    assert sorted(os.listdir(root / "issues")) == ["2026-05.toml"]


def test_init_on_a_full_disk_is_a_named_error(tmp_path):
    target = tmp_path / "new-ws"
    target.mkdir()
    with Faults(target, fail_all=True).installed():
        outcome = run(None, "init", str(target)).clean()
    assert outcome.exit_code == 1 and "No space left on device" in outcome.stderr


@pytest.mark.parametrize("breakage", ["no-workspace", "bad-config", "bad-summary"])
def test_check_json_prints_a_json_error_object_when_the_issue_cannot_be_built(
        tmp_path, breakage):
    root = fresh_workspace(tmp_path / "ws")
    args: list[str] = ["--root", str(tmp_path / "nowhere")] if breakage == "no-workspace" else \
        ["--root", str(root)]
    if breakage == "bad-config":
        (root / "newsletter.toml").write_text('name = "x"\ntimezone = "Mars/Olympus"\n')
    if breakage == "bad-summary":
        (root / "summaries/2026/05/bad.md").write_text("---\ntitle: [unclosed\n---\nBody\n")
    outcome = run(None, *args, "check", ISSUE, "--json").clean()
    assert outcome.exit_code == 1
    data = json.loads(outcome.stdout)
    assert data["passed"] is False and data["issue"] == ISSUE
    assert data["error"]["message"] and data["error"]["exit_code"] == 1
    assert data["findings"] == [] and data["checks"] == []
    if breakage != "no-workspace":
        assert data["error"]["problems"][0]["where"]
