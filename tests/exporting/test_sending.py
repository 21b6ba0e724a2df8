"""`newsletter send-test` against a real SMTP server (aiosmtpd) on 127.0.0.1."""

from __future__ import annotations

import email
import os
import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from click.testing import CliRunner, Result
from helpers import summary_text

from newsletter.checks.dom import parse, visible_text
from newsletter.cli import main
from newsletter.errors import UsageError
from newsletter.exporting.smtp import PASSWORD_ENV, PLACEHOLDER_UNSUBSCRIBE, smtp_settings
from newsletter.workspace import Workspace

ISSUE = "2026-05"
SUBJECT = "MS Research Digest: new research from May 2026"


class Recorder:
    """An aiosmtpd handler that keeps what it received and refuses addresses at bad.example."""

    def __init__(self) -> None:
        self.envelopes: list[Any] = []

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address.endswith("@bad.example"):
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.envelopes.append(envelope)
        return "250 Message accepted"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(handler: Recorder, **kwargs: Any) -> Controller:
    controller = Controller(handler, hostname="127.0.0.1", port=free_port(), **kwargs)
    controller.start()
    return controller


@pytest.fixture
def smtp() -> Iterator[tuple[Recorder, int]]:
    handler = Recorder()
    controller = start(handler)
    yield handler, controller.port
    controller.stop()


def send(ws: Workspace, *args: str, env: dict[str, str] | None = None) -> Result:
    return CliRunner().invoke(main, ["--root", str(ws.root), "send-test", ISSUE, *args],
                              env=env or {})


def received(handler: Recorder) -> EmailMessage:
    (envelope,) = handler.envelopes
    message = email.message_from_bytes(envelope.original_content, policy=policy.default)
    assert isinstance(message, EmailMessage)
    return message


def parts(message: EmailMessage) -> tuple[str, str]:
    assert message.get_content_type() == "multipart/alternative"
    plain, html = message.get_payload()
    assert (plain.get_content_type(), html.get_content_type()) == ("text/plain", "text/html")
    return plain.get_content(), html.get_content()


def test_send_test_delivers_the_issue(sample_ws: Workspace, smtp: tuple[Recorder, int]) -> None:
    handler, port = smtp
    result = send(sample_ws, "--recipient", "one@example.org", "--recipient", "two@example.org",
                  "--smtp", f"127.0.0.1:{port}")
    assert result.exit_code == 0, result.output
    assert f"sent \"[TEST] {SUBJECT}\" to one@example.org, two@example.org via 127.0.0.1:{port}" \
        in result.stdout
    (envelope,) = handler.envelopes
    assert envelope.mail_from == "digest@example.org"
    assert envelope.rcpt_tos == ["one@example.org", "two@example.org"]
    message = received(handler)
    assert str(message["Subject"]) == f"[TEST] {SUBJECT}"
    assert [a.addr_spec for a in message["To"].addresses] == ["one@example.org", "two@example.org"]
    assert message["From"].addresses[0].addr_spec == "digest@example.org"
    assert message["List-Unsubscribe"].strip() == "<https://example.org/newsletter/unsubscribe>"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert message["Message-ID"].endswith("@example.org>")
    text, html = parts(message)
    assert 'href="https://example.org/newsletter/unsubscribe"' in html
    assert "Unsubscribe: https://example.org/newsletter/unsubscribe" in text
    disclaimer = " ".join(sample_ws.config.disclaimer.text.split())
    assert disclaimer in visible_text(parse(html)) and disclaimer in " ".join(text.split())
    assert "%%NL_" not in html + text
    assert "utm_campaign=digest-2026-05" in text


def test_without_unsubscribe_url_a_marked_placeholder_and_no_list_unsubscribe(
        make_ws: Any, smtp: tuple[Recorder, int]) -> None:
    handler, port = smtp
    ws = make_ws(summaries={"2026-05/w.md": summary_text()})
    (ws.root / "newsletter.toml").write_text('name = "T"\nfrom_email = "t@example.org"\n')
    result = send(ws, "--recipient", "me@example.org", "--smtp", f"127.0.0.1:{port}")
    assert result.exit_code == 0, result.output
    assert "note: unsubscribe_url is not set" in result.stderr
    message = received(handler)
    assert message["List-Unsubscribe"] is None
    text, html = parts(message)
    assert PLACEHOLDER_UNSUBSCRIBE in text and PLACEHOLDER_UNSUBSCRIBE in html
    assert "set postal_address in newsletter.toml" in text


def test_connection_refused_is_one_line(sample_ws: Workspace) -> None:
    port = free_port()  # bound and closed again: nothing listens there
    result = send(sample_ws, "--recipient", "me@example.org", "--smtp", f"127.0.0.1:{port}")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: cannot connect to the SMTP server at 127.0.0.1:{port}: connection refused (is a "
        "server listening there? choose it with --smtp HOST:PORT)"]


def _authenticator(accepted: tuple[bytes, bytes]) -> Any:
    def authenticate(server: Any, session: Any, envelope: Any, mechanism: str,
                     auth_data: Any) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login,
                                                       auth_data.password) == accepted
        return AuthResult(success=ok, handled=False)
    return authenticate


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
def test_login_with_the_password_from_the_environment(sample_ws: Workspace) -> None:
    handler = Recorder()
    controller = start(handler, authenticator=_authenticator((b"staff", b"s3cret")),
                       auth_require_tls=False, auth_required=True)
    try:
        good = send(sample_ws, "--recipient", "me@example.org", "--smtp",
                    f"127.0.0.1:{controller.port}", "--user", "staff",
                    env={PASSWORD_ENV: "s3cret"})
        assert good.exit_code == 0, good.output
        assert len(handler.envelopes) == 1
        bad = send(sample_ws, "--recipient", "me@example.org", "--smtp",
                   f"127.0.0.1:{controller.port}", "--user", "staff", env={PASSWORD_ENV: "wrong"})
    finally:
        controller.stop()
    assert bad.exit_code == 1
    (line,) = bad.stderr.splitlines()
    assert line.startswith(f"Error: the SMTP server at 127.0.0.1:{controller.port} refused the "
                           "login for user 'staff': 535")
    assert "wrong" not in bad.output and len(handler.envelopes) == 1


def test_user_without_password_and_server_without_auth(sample_ws: Workspace,
                                                       smtp: tuple[Recorder, int]) -> None:
    _, port = smtp
    result = send(sample_ws, "--recipient", "me@example.org", "--smtp", f"127.0.0.1:{port}",
                  "--user", "staff")
    assert result.exit_code == 2 and PASSWORD_ENV in result.stderr
    result = send(sample_ws, "--recipient", "me@example.org", "--smtp", f"127.0.0.1:{port}",
                  "--user", "staff", env={PASSWORD_ENV: "x"})
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1 and "does not support AUTH" in result.stderr


def test_rejected_recipient(sample_ws: Workspace, smtp: tuple[Recorder, int]) -> None:
    handler, port = smtp
    result = send(sample_ws, "--recipient", "nobody@bad.example", "--smtp", f"127.0.0.1:{port}")
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        f"Error: the SMTP server at 127.0.0.1:{port} refused recipient nobody@bad.example "
        "(550 5.1.1 mailbox unavailable); nothing was sent"]
    assert handler.envelopes == []
    result = send(sample_ws, "--recipient", "me@example.org", "--recipient", "nobody@bad.example",
                  "--smtp", f"127.0.0.1:{port}")
    assert result.exit_code == 1
    assert len(result.stderr.splitlines()) == 1
    assert "refused recipient nobody@bad.example" in result.stderr
    assert "went to me@example.org only" in result.stderr
    assert handler.envelopes[0].rcpt_tos == ["me@example.org"]


@pytest.fixture
def certificate(tmp_path: Path) -> tuple[Path, Path]:
    require_openssl()
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)], check=True, capture_output=True)
    return cert, key


def require_openssl() -> None:
    """openssl makes the test certificate. Missing: a skip on a laptop, a failure under
    `make test` (NEWSLETTER_REQUIRE_OPENSSL=1, and `make test` installs it) or CI=true."""
    if shutil.which("openssl") is not None:
        return
    message = "openssl is not installed (needed to make a test certificate): `make openssl`"
    if os.environ.get("NEWSLETTER_REQUIRE_OPENSSL") or \
            os.environ.get("CI", "").lower() not in ("", "0", "false"):
        pytest.fail(message + "; `make test` and CI must run the TLS tests")
    pytest.skip(message)


def test_a_missing_openssl_fails_under_make_test_and_ci(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    monkeypatch.delenv("NEWSLETTER_REQUIRE_OPENSSL", raising=False)
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception):
        require_openssl()
    for name, value in (("CI", "true"), ("NEWSLETTER_REQUIRE_OPENSSL", "1")):
        with monkeypatch.context() as env:
            env.setenv(name, value)
            with pytest.raises(pytest.fail.Exception, match="CI must run the TLS tests"):
                require_openssl()


def _server_context(cert: Path, key: Path) -> ssl.SSLContext:
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context


def test_starttls_and_ssl(sample_ws: Workspace, certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    trusted = {"SSL_CERT_FILE": str(cert), PASSWORD_ENV: "s3cret"}
    handler = Recorder()
    starttls = start(handler, tls_context=_server_context(cert, key), require_starttls=True,
                     authenticator=_authenticator((b"staff", b"s3cret")))
    implicit = start(handler, ssl_context=_server_context(cert, key))
    try:
        results = [
            send(sample_ws, "--recipient", "a@example.org", "--smtp",
                 f"127.0.0.1:{starttls.port}", "--starttls", "--user", "staff", env=trusted),
            send(sample_ws, "--recipient", "b@example.org", "--smtp",
                 f"127.0.0.1:{implicit.port}", "--ssl", env=trusted),
            # a certificate nobody trusts: refused, in one line
            send(sample_ws, "--recipient", "c@example.org", "--smtp",
                 f"127.0.0.1:{starttls.port}", "--starttls"),
            # the server requires STARTTLS and the client did not ask for it
            send(sample_ws, "--recipient", "d@example.org", "--smtp",
                 f"127.0.0.1:{starttls.port}"),
        ]
    finally:
        starttls.stop()
        implicit.stop()
    assert [r.exit_code for r in results] == [0, 0, 1, 1], [r.output for r in results]
    assert [e.rcpt_tos for e in handler.envelopes] == [["a@example.org"], ["b@example.org"]]
    assert "TLS with the SMTP server" in results[2].stderr
    assert "CERTIFICATE_VERIFY_FAILED" in results[2].stderr
    assert len(results[2].stderr.splitlines()) == len(results[3].stderr.splitlines()) == 1
    assert "wants encryption or a login before it takes mail: 530" in results[3].stderr


def test_usage_errors(sample_ws: Workspace) -> None:
    cases = [
        (["--recipient", "not-an-address"], "not an email address"),
        (["--recipient", "a@example.org", "--smtp", "host:port"], "is not HOST or HOST:PORT"),
        (["--recipient", "a@example.org", "--starttls", "--ssl"], "not both"),
        ([], "--recipient"),
    ]
    for args, expected in cases:
        result = send(sample_ws, *args)
        assert result.exit_code == 2, (args, result.output)
        assert expected in result.stderr, (args, result.stderr)


def test_no_password_in_clear_text_to_another_host() -> None:
    with pytest.raises(UsageError) as info:
        smtp_settings("smtp.example.org", user="staff", env={PASSWORD_ENV: "x"})
    assert "--starttls" in str(info.value)
    settings = smtp_settings("smtp.example.org", starttls=True, user="staff",
                             env={PASSWORD_ENV: "x"})
    assert (settings.host, settings.port, settings.security) == ("smtp.example.org", 587, "starttls")
    assert smtp_settings("[::1]:2525").server == "[::1]:2525"
    assert smtp_settings("mail.example.org", use_ssl=True).port == 465
    assert "x" not in repr(settings).replace("example", "")


def test_send_test_needs_a_sender(make_ws: Any) -> None:
    ws = make_ws(summaries={"2026-05/w.md": summary_text()})
    result = send(ws, "--recipient", "a@example.org", "--smtp", f"127.0.0.1:{free_port()}")
    assert result.exit_code == 1 and "from_email" in result.stderr


def test_help_has_an_example() -> None:
    from newsletter.cli.publish import send_test
    from newsletter.exporting.smtp import DEFAULT_SMTP

    (smtp_option,) = [p for p in send_test.params if p.name == "server"]
    assert smtp_option.default == DEFAULT_SMTP
    result = CliRunner().invoke(main, ["send-test", "--help"])
    assert result.exit_code == 0 and "Example" in result.output
    assert PASSWORD_ENV in result.output and "--from" in result.output
