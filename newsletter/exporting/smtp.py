"""`newsletter send-test`: the issue as one real email to a few addresses, over SMTP.

The message is the eml export's message (text/plain and text/html alternatives) with "[TEST] " in
front of the subject. Its unsubscribe link is the workspace's unsubscribe_url; when that is not set
it is a clearly fake https://example.invalid/... address and the List-Unsubscribe headers are left
out, so a test can be sent before the workspace is complete. The password comes only from the
NEWSLETTER_SMTP_PASSWORD environment variable.
"""

from __future__ import annotations

import contextlib
import ipaddress
import smtplib
import socket
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from email.headerregistry import Address
from email.message import EmailMessage
from urllib.parse import urlsplit

from newsletter.build import BuildResult, build
from newsletter.config.fields import email_address
from newsletter.config.schema import Config
from newsletter.errors import ConfigError, Problem, SendError, UsageError
from newsletter.exporting.services.base import Tags, fill
from newsletter.exporting.services.eml import build_message, header_problems
from newsletter.values import control_character
from newsletter.workspace import Workspace

DEFAULT_SMTP = "localhost:1025"
PASSWORD_ENV = "NEWSLETTER_SMTP_PASSWORD"
TEST_PREFIX = "[TEST] "
PLACEHOLDER_UNSUBSCRIBE = "https://example.invalid/newsletter-test-send/unsubscribe"
PLACEHOLDER_ADDRESS = "[postal address not set: set postal_address in newsletter.toml]"
DEFAULT_PORTS = {"plain": 25, "starttls": 587, "ssl": 465}
TIMEOUT_SECONDS = 30.0


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: str = "plain"  # "plain", "starttls" or "ssl"
    user: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = TIMEOUT_SECONDS

    @property
    def server(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


@dataclass
class SendResult:
    subject: str
    recipients: list[str]
    server: str
    notes: list[str]
    warnings: list[Problem]


# --- options --------------------------------------------------------------------------------


def smtp_settings(server: str = DEFAULT_SMTP, *, starttls: bool = False, use_ssl: bool = False,
                  user: str | None = None, env: Mapping[str, str] | None = None) -> SmtpSettings:
    """Settings from the command's options; the password only from the environment."""
    if starttls and use_ssl:
        raise UsageError("give --starttls or --ssl, not both")
    security = "starttls" if starttls else "ssl" if use_ssl else "plain"
    host, port = _host_port(server, DEFAULT_PORTS[security])
    password = (env or {}).get(PASSWORD_ENV) or None
    if user and password is None:
        raise UsageError(f"--user {user} needs a password, and it is read only from the "
                         f"environment: set {PASSWORD_ENV} (e.g. read -s {PASSWORD_ENV}; "
                         f"export {PASSWORD_ENV})")
    if user and security == "plain" and not _is_loopback(host):
        raise UsageError(f"logging in to {host} without encryption would send the password in "
                         "clear text; add --starttls (usually port 587) or --ssl (port 465)")
    return SmtpSettings(host, port, security, user or None, password if user else None)


def _host_port(server: str, default_port: int) -> tuple[str, int]:
    """HOST, HOST:PORT, [IPv6] or [IPv6]:PORT (a bare IPv6 address without a port too)."""
    text = server.strip()
    host, port_text = text, ""
    if text.startswith("["):  # [IPv6]:port
        host, closed, rest = text[1:].partition("]")
        if not closed or (rest and not rest.startswith(":")) or not _is_ipv6(host):
            host = ""
        port_text = rest.removeprefix(":") if rest else ""
        if rest == ":":
            port_text = "x"  # a colon without a port
    elif text.count(":") == 1:
        host, port_text = text.split(":")
        port_text = port_text or "x"
    elif ":" in text and not _is_ipv6(text):
        host = ""
    bad_host = not host or any(c.isspace() or not c.isprintable() for c in host)
    if bad_host or (port_text and not port_text.isdigit()):
        raise UsageError(f"--smtp '{server}' is not HOST or HOST:PORT (for example "
                         "smtp.example.org:587, localhost:1025 or [::1]:25)")
    port = int(port_text) if port_text else default_port
    if not 0 < port < 65536:
        raise UsageError(f"--smtp '{server}': the port must be between 1 and 65535")
    return host, port


def _is_ipv6(text: str) -> bool:
    try:
        return ipaddress.ip_address(text).version == 6
    except ValueError:
        return False


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def check_recipients(recipients: Sequence[str]) -> list[str]:
    if not recipients:
        raise UsageError("give at least one --recipient ADDRESS")
    bad = [r for r in recipients if not r.strip() or email_address(r.strip())
           or control_character(r)]
    if bad:
        raise UsageError(f"not an email address: {', '.join(repr(b) for b in bad)} "
                         "(--recipient takes one address such as you@example.org)")
    return [r.strip() for r in recipients]


# --- the message ----------------------------------------------------------------------------


def test_message(result: BuildResult, config: Config, recipients: Sequence[str]
                 ) -> tuple[EmailMessage, list[str]]:
    """The message a test send delivers, and notes on what stands in for unset settings."""
    problems = header_problems(config, TEST_PREFIX + result.plan.subject)
    if problems:
        raise ConfigError("send-test cannot write the message's headers", problems)
    notes = []
    unsubscribe = config.unsubscribe_url or PLACEHOLDER_UNSUBSCRIBE
    if not config.unsubscribe_url:
        notes.append(f"unsubscribe_url is not set: the test's unsubscribe link is "
                     f"{PLACEHOLDER_UNSUBSCRIBE} and there is no List-Unsubscribe header")
    if not config.postal_address:
        notes.append("postal_address is not set: the test shows a placeholder in its place")
    tags = Tags(unsubscribe=unsubscribe, postal_address=config.postal_address or PLACEHOLDER_ADDRESS)
    html, text = fill(result, config, "send-test", tags, tags)
    one_click = urlsplit(config.unsubscribe_url).scheme == "https"
    to = [_address(r) for r in recipients]
    message = build_message(config, TEST_PREFIX + result.plan.subject, html, text, to,
                            one_click=one_click)
    return message, notes


def _address(addr_spec: str) -> Address:
    local, _, domain = addr_spec.rpartition("@")
    return Address(username=local, domain=domain)


# --- sending --------------------------------------------------------------------------------


def send_test(ws: Workspace, issue_id: str | None, start: date | None, end: date | None,
              recipients: Sequence[str], settings: SmtpSettings, *,
              skip_invalid: bool = False) -> SendResult:
    addresses = check_recipients(recipients)
    if not ws.config.from_email:
        raise ConfigError("send-test needs a sender address", [Problem(
            "newsletter.toml", "is not set", field="from_email",
            fix='set from_email = "newsletter@example.org" (an address your SMTP server may '
                "send from)")])
    result = build(ws, issue_id, start, end, write=False, skip_invalid=skip_invalid)
    message, notes = test_message(result, ws.config, addresses)
    deliver(message, settings, ws.config.from_email, addresses)
    warnings = [w for w in result.warnings if w.where != "newsletter.toml"]
    return SendResult(str(message["Subject"]), addresses, settings.server, notes, warnings)


def deliver(message: EmailMessage, settings: SmtpSettings, sender: str,
            recipients: Sequence[str]) -> None:
    """Send one message; every failure becomes a one-line SendError."""
    where = f"the SMTP server at {settings.server}"
    try:
        refused = _send(message, settings, sender, recipients)
    except ConnectionRefusedError:
        raise SendError(f"cannot connect to {where}: connection refused (is a server listening "
                        "there? choose it with --smtp HOST:PORT)") from None
    except socket.gaierror as exc:
        raise SendError(f"cannot find the SMTP server '{settings.host}': {exc.strerror}") from None
    except TimeoutError:
        raise SendError(f"{where} did not answer within {settings.timeout:.0f} s") from None
    except smtplib.SMTPAuthenticationError as exc:
        raise SendError(f"{where} refused the login for user '{settings.user}': "
                        f"{_reply(exc.smtp_code, exc.smtp_error)} (check --user and "
                        f"{PASSWORD_ENV})") from None
    except smtplib.SMTPNotSupportedError as exc:
        if "SMTPUTF8" in str(exc):
            raise SendError(f"{where} cannot take non-ASCII addresses (it does not offer "
                            "SMTPUTF8): send the test to an ASCII address, or through a "
                            "server that offers SMTPUTF8") from None
        raise SendError(f"{where} does not support {_first_word(exc)} (try --starttls, or --ssl "
                        "with the server's TLS port)") from None
    except smtplib.SMTPRecipientsRefused as exc:
        raise SendError(f"{where} refused {_refusals(exc.recipients)}; nothing was sent") from None
    except smtplib.SMTPSenderRefused as exc:
        if exc.smtp_code == 530:  # "must issue STARTTLS first" / "authentication required"
            raise SendError(f"{where} wants encryption or a login before it takes mail: "
                            f"{_reply(exc.smtp_code, exc.smtp_error)} (add --starttls or --ssl, "
                            f"and --user NAME with {PASSWORD_ENV})") from None
        raise SendError(f"{where} refused the sender {sender}: "
                        f"{_reply(exc.smtp_code, exc.smtp_error)} (set from_email to an address "
                        "it accepts)") from None
    except smtplib.SMTPResponseException as exc:
        raise SendError(f"{where} refused the message: "
                        f"{_reply(exc.smtp_code, exc.smtp_error)}") from None
    except smtplib.SMTPException as exc:
        raise SendError(f"sending through {where} failed: {exc}") from None
    except ssl.SSLError as exc:
        raise SendError(f"TLS with {where} failed: {exc.reason or exc} (check the port: "
                        "--starttls for 587, --ssl for 465)") from None
    except OSError as exc:
        raise SendError(f"cannot talk to {where}: {exc.strerror or exc}") from None
    if refused:
        sent = [r for r in recipients if r not in refused]
        raise SendError(f"{where} refused {_refusals(refused)}; the message went to "
                        f"{', '.join(sent)} only")


def _send(message: EmailMessage, settings: SmtpSettings, sender: str,
          recipients: Sequence[str]) -> dict[str, tuple[int, bytes]]:
    context = ssl.create_default_context()
    client: smtplib.SMTP
    if settings.security == "ssl":
        client = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout,
                                  context=context)
    else:
        client = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout)
    try:
        if settings.security == "starttls":
            client.starttls(context=context)
        if settings.user:
            client.login(settings.user, settings.password or "")
        refused = client.send_message(message, from_addr=sender, to_addrs=list(recipients))
    except BaseException:
        client.close()
        raise
    # The message was accepted: whatever the server answers to QUIT (a 5xx, a dropped line)
    # changes nothing about it.
    with contextlib.suppress(smtplib.SMTPException, OSError):
        client.quit()
    client.close()
    return refused


def _reply(code: int, text: bytes | str) -> str:
    message = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {' '.join(message.split())}"


def _refusals(refused: Mapping[str, tuple[int, bytes]]) -> str:
    return ", ".join(f"recipient {addr} ({_reply(code, text)})"
                     for addr, (code, text) in refused.items())


def _first_word(exc: Exception) -> str:
    text = str(exc)
    return "AUTH (login)" if "AUTH" in text else "STARTTLS" if "STARTTLS" in text else text
