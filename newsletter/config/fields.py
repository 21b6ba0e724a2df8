"""Building blocks of the newsletter.toml schema: `setting()` and the value checks.

Each value check returns an error message, or None when the value is fine.
"""

from __future__ import annotations

import difflib
import re
import string
from collections.abc import Callable
from dataclasses import field, is_dataclass
from pathlib import PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from newsletter.values import EMAIL_CLIENTS, control_message, is_http_url

Check = Callable[[Any], str | None]

# Placeholders a subject or preheader pattern may use (see `issue.py`).
PATTERN_FIELDS = ("name", "issue", "period", "month", "year", "from", "to", "count", "summaries",
                  "themes")


def setting(default: Any, doc: str, check: Check | None = None, *, required: bool = False,
            multiline: bool = False, key: str | None = None) -> Any:
    """A schema entry: default, one-line documentation and an optional value check.

    Text is one line unless `multiline`: no value holds a control character (see
    `values.control_character`), and only a multi-line one holds line feeds and tabs. `key` is
    the name in newsletter.toml when it cannot be the field's (`import` is a Python keyword)."""
    meta = {"doc": doc, "check": check, "required": required, "multiline": multiline,
            "key": key}
    if isinstance(default, (list, dict, tuple)) or is_dataclass(default):
        return field(default_factory=lambda: default, metadata=meta)
    return field(default=default, metadata=meta)


# --- value checks: each returns an error message or None ------------------------------------


def control_free(value: Any, multiline: bool = False) -> str | None:
    """Text (or each text of a list) without control characters; checked for every setting."""
    texts = value if isinstance(value, tuple) else (value,)
    for text in texts:
        if isinstance(text, str) and (message := control_message(text, multiline=multiline)):
            return message
    return None



def http_url(value: str) -> str | None:
    if value == "":
        return None
    if not is_http_url(value):
        return f"'{value}' is not an absolute http(s) URL"
    return None


def https_url(value: str) -> str | None:
    if value == "":
        return None
    if not is_http_url(value, https_only=True):
        return f"'{value}' is not an absolute https URL (images must be served over https)"
    return None


def email_address(value: str) -> str | None:
    if value == "" or re.fullmatch(r"[^@\s<>]+@[^@\s<>]+\.[A-Za-z]{2,}", value):
        return None
    return f"'{value}' is not an email address"


def email_addresses(values: tuple[str, ...]) -> str | None:
    bad = [v for v in values if not v.strip() or email_address(v.strip())]
    if bad:
        return f"not an email address: {', '.join(repr(b) for b in bad)}"
    return None


def smtp_server(value: str) -> str | None:
    """HOST, HOST:PORT or [IPv6]:PORT (the form `send-test --smtp` takes)."""
    if re.fullmatch(r"(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?", value.strip()):
        port = value.rsplit(":", 1)[1] if re.search(r":\d+$", value) else "25"
        if 0 < int(port) < 65536:
            return None
    return f"'{value}' is not HOST or HOST:PORT (for example smtp.example.org:587 or localhost:1025)"


def mailto_address(value: str) -> str | None:
    """An address for the List-Unsubscribe mailto part: `addr` or `mailto:addr[?subject=...]`."""
    if value == "":
        return None
    address = value.removeprefix("mailto:").split("?", 1)[0]
    if not address or email_address(address) or any(c in value for c in " <>,\"\n"):
        return f"'{value}' is not a mailto address such as mailto:unsubscribe@example.org"
    return None


def hex_colour(value: str) -> str | None:
    if re.fullmatch(r"#(?:[0-9a-fA-F]{3}){1,2}", value):
        return None
    return f"'{value}' is not a hex colour such as #1f4e79"


def timezone_name(value: str) -> str | None:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        return f"'{value}' is not an IANA time zone (for example 'UTC' or 'Europe/London')"
    return None


def language_tag(value: str) -> str | None:
    if re.fullmatch(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*", value):
        return None
    return f"'{value}' is not a language tag such as 'en' or 'en-GB'"


def relative_dir(value: str) -> str | None:
    path = PurePosixPath(value.replace("\\", "/"))
    if value == "" or path.is_absolute() or ".." in path.parts:
        return f"'{value}' must be a folder inside the workspace (relative, without '..')"
    return None


def pattern(value: str) -> str | None:
    try:
        names = [name for _, name, _, _ in string.Formatter().parse(value) if name is not None]
    except ValueError as exc:
        return f"'{value}' is not a valid pattern ({exc}); write literal braces as {{{{ and }}}}"
    unknown = [n for n in names if n not in PATTERN_FIELDS]
    if unknown:
        known = ", ".join("{" + n + "}" for n in PATTERN_FIELDS)
        return f"unknown placeholder {{{unknown[0]}}}; known: {known}"
    return None


def section_url_pattern(value: str) -> str | None:
    if value == "":
        return None
    if "{theme}" not in value:
        return f"'{value}' must contain {{theme}}, e.g. https://example.org/topics/{{theme}}"
    return http_url(value.replace("{theme}", "theme"))


def theme_id(value: str) -> str | None:
    if re.fullmatch(r"[a-z][a-z0-9-]{0,39}", value):
        return None
    return f"'{value}' is not a theme id (lower-case letters, digits and hyphens, e.g. 'treatments')"


def toml_key(f: Any) -> str:
    """A schema field's key in newsletter.toml."""
    return f.metadata.get("key") or f.name


def positive_int(value: int) -> str | None:
    return None if value > 0 else f"must be a whole number above 0, got {value}"


def not_blank(value: str) -> str | None:
    return None if value.strip() else "must not be empty"


def no_blank_items(values: tuple[str, ...]) -> str | None:
    if any(not v.strip() for v in values):
        return "must not contain empty text"
    return None


def email_clients(values: tuple[str, ...]) -> str | None:
    """`[checks] clients`: known client ids, at least one."""
    if not values:
        return "must name at least one client (to skip the compat check, disable it instead)"
    unknown = [v for v in values if v not in EMAIL_CLIENTS]
    if unknown:
        close = difflib.get_close_matches(unknown[0], EMAIL_CLIENTS, n=1)
        hint = f"did you mean '{close[0]}'? " if close else ""
        return f"unknown client '{unknown[0]}'; {hint}known: {', '.join(EMAIL_CLIENTS)}"
    return None
