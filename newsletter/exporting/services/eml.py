"""eml: one RFC 5322 message, ready for a mail client, a sending script or a service that imports .eml.

multipart/alternative with text/plain first and text/html last (a client shows the last part it
understands), both UTF-8 and quoted-printable. The unsubscribe link is the workspace's own
unsubscribe_url (https), also given in List-Unsubscribe with RFC 8058 one-click.
"""

from __future__ import annotations

import html as htmllib
import re
from collections.abc import Sequence
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP, Policy
from email.utils import format_datetime, make_msgid
from urllib.parse import quote, urlsplit
from zoneinfo import ZoneInfo

from newsletter.build import BuildResult
from newsletter.config.schema import Config
from newsletter.errors import Problem
from newsletter.exporting.services.base import (
    CONFIG_FILE,
    Exporter,
    Tags,
    fill,
    missing_setting,
    postal_address_problems,
    raise_problems,
)

# The To of an exported message: a reserved domain (RFC 2606), so it can never be delivered.
PLACEHOLDER_TO = Address("Subscriber", "subscriber", "example.invalid")
MAX_URL = 900  # a header line may be 998 characters (RFC 5322)
# The email package folds a long sender name at its spaces, but it cannot split one long word;
# a name this short always fits a header line.
MAX_SENDER_NAME = 200


# RFC 2047 encoded-word syntax: the email package (and every mail program) decodes it in a
# header, so a subject or name holding one would read differently from what was written.
ENCODED_WORD = re.compile(r"=\?[^?\s]+\?[bBqQ]\?[^?\s]*\?=")


def header_problems(config: Config, subject: str | None = None) -> list[Problem]:
    """What would not fit a header as the email package writes it (the config check already
    refused control characters in every value)."""
    problems = []
    for key, value in (("from_name", config.from_name), ("name", config.name)):
        if (found := ENCODED_WORD.search(value)) and (key == "from_name" or not config.from_name):
            problems.append(Problem(CONFIG_FILE, f"holds '{found.group(0)}', which mail programs "
                                    "decode as an encoded word, so the sender's name would read "
                                    "differently", field=key, fix="reword it"))
    if subject is not None and (found := ENCODED_WORD.search(subject)):
        problems.append(Problem("the issue's subject", f"holds '{found.group(0)}', which mail "
                                "programs decode as an encoded word, so the subject would read "
                                "differently", field="subject",
                                fix="reword it (in the issue file, or subject_pattern)"))
    key = "from_name" if config.from_name else "name"
    name = config.from_name or config.name
    if len(name) > MAX_SENDER_NAME:
        problems.append(Problem(CONFIG_FILE, f"is {len(name)} characters long; the sender's name "
                                f"in the From header may be at most {MAX_SENDER_NAME}", field=key,
                                fix="shorten it (inboxes show about 30 characters)"))
    if not config.from_email.isascii():
        problems.append(Problem(CONFIG_FILE, "has characters outside ASCII, which a From header "
                                "can carry only through servers with SMTPUTF8",
                                field="from_email", fix="use an ASCII address (a domain in its "
                                "xn-- form)"))
    if len(header_uri(config.unsubscribe_url)) > MAX_URL:
        problems.append(Problem(CONFIG_FILE, f"is {len(config.unsubscribe_url)} characters long; "
                                f"a mail header line takes at most {MAX_URL}",
                                field="unsubscribe_url", fix="use a shorter unsubscribe URL"))
    mailto = config.unsubscribe_mailto
    if len(header_uri(mailto)) > MAX_URL:
        problems.append(Problem(CONFIG_FILE, f"is {len(mailto)} characters long; a mail header "
                                f"line takes at most {MAX_URL}", field="unsubscribe_mailto",
                                fix="use a shorter address, without a long ?subject="))
    return problems


# RFC 3986: what a URI may hold as it is (reserved and unreserved characters, and '%').
URI_SAFE = "!#$%&'()*+,/:;=?@[]~"


def header_uri(uri: str) -> str:
    """A URI as a header carries it: every character a URI may not hold as it is (outside
    ASCII, or '<', '>', '"', a space, ...) percent-encoded as UTF-8, the same resource (RFC
    3987); everything else as given."""
    return quote(uri, safe=URI_SAFE)


def check_config(config: Config, subject: str | None = None) -> list[Problem]:
    problems = header_problems(config, subject)
    if not config.from_email:
        problems.append(missing_setting("from_email", "the sender's address, used as From",
                                        "newsletter@example.org"))
    if not config.unsubscribe_url:
        problems.append(missing_setting("unsubscribe_url", "a message sent outside a "
                                        "mailing service needs your own unsubscribe page, also "
                                        "named in the List-Unsubscribe header",
                                        "https://example.org/newsletter/unsubscribe"))
    elif len(header_uri(config.unsubscribe_url)) > MAX_URL:
        pass  # header_problems() names it
    elif urlsplit(config.unsubscribe_url).scheme != "https":
        problems.append(Problem(CONFIG_FILE, f"'{config.unsubscribe_url}' is not https; one-click "
                                "unsubscribe (RFC 8058) needs an https URL", field="unsubscribe_url",
                                fix="serve the unsubscribe page over https and set its https URL"))
    return problems


class UriListHeader(str):
    """A header of <URI>s written as given, one URI a line (RFC 2369), never re-encoded.

    The email package folds a long unstructured header by turning it into RFC 2047 encoded words,
    which no mail client reads back as a URL; a value with a `name` and a `fold` method is written
    verbatim instead (EmailPolicy.header_store_parse / _fold).
    """

    name: str

    def __new__(cls, name: str, uris: list[str]) -> UriListHeader:
        unsafe = [u for u in uris if not u.isascii() or not u.isprintable() or " " in u
                  or ">" in u or len(u) > MAX_URL]
        if unsafe:  # the config check and header_uri() make this impossible; never write it
            raise ValueError(f"{name}: {unsafe[0]!r} cannot be written verbatim in a header")
        header = super().__new__(cls, ", ".join(f"<{uri}>" for uri in uris))
        header.name = name
        header.uris = uris
        return header

    def fold(self, *, policy: Policy) -> str:
        return f"{self.name}: " + f",{policy.linesep} ".join(f"<{u}>" for u in self.uris) \
            + policy.linesep


def list_unsubscribe(config: Config) -> UriListHeader:
    """`<https://...>` plus `<mailto:...>` when unsubscribe_mailto is set."""
    uris = [header_uri(config.unsubscribe_url)]
    if config.unsubscribe_mailto:
        uris.append(header_uri(f"mailto:{config.unsubscribe_mailto.removeprefix('mailto:')}"))
    return UriListHeader("List-Unsubscribe", uris)


def sender(config: Config) -> Address:
    local, _, domain = config.from_email.rpartition("@")
    return Address(config.from_name or config.name, local, domain)


def build_message(config: Config, subject: str, html: str, text: str, to: Sequence[Address], *,
                  one_click: bool = True, now: datetime | None = None) -> EmailMessage:
    """The message: headers, then text/plain and text/html alternatives."""
    message = EmailMessage(policy=SMTP)
    from_address = sender(config)
    message["From"] = from_address
    message["To"] = list(to)
    message["Subject"] = subject  # the policy encodes it (RFC 2047) when it is not ASCII
    message["Date"] = format_datetime(now or datetime.now(ZoneInfo(config.timezone)))
    message["Message-ID"] = make_msgid(domain=from_address.domain)
    message["MIME-Version"] = "1.0"
    if one_click:
        message["List-Unsubscribe"] = list_unsubscribe(config)
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    message.set_content(text, subtype="plain", charset="utf-8", cte="quoted-printable")
    message.add_alternative(html, subtype="html", charset="utf-8", cte="quoted-printable")
    return message


def export(result: BuildResult, config: Config) -> dict[str, bytes]:
    tags = Tags(unsubscribe=config.unsubscribe_url)
    raise_problems("eml", check_config(config, result.plan.subject)
                   + postal_address_problems(config, [tags]))
    link = config.unsubscribe_url
    html, text = fill(result, config, "eml", tags, tags,
                      required=(htmllib.escape(link, quote=True), link))
    message = build_message(config, result.plan.subject, html, text, [PLACEHOLDER_TO])
    return {f"{result.plan.issue.id}.eml": message.as_bytes()}


EXPORTER = Exporter("eml", "one .eml message (multipart/alternative, List-Unsubscribe one-click)",
                    export)
