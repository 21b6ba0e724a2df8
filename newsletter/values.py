"""Small value rules every stage shares, defined once: URLs, slugs and the names of value types.

Config, summaries, importing, the exporters, the web archive and the checks all use these, so
an id, a link or an error message follows the same rule wherever it is made or checked.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any
from urllib.parse import urlsplit

# --- URLs ---------------------------------------------------------------------------------------


_SPACE = re.compile(r"\s")  # the characters str.isspace() names (sre uses the same table)


# The usual form: http(s)://host[:port] then a path, query or fragment of printable ASCII.
# urlsplit reads each such URL as that scheme with that host, so it is decided without it
# (urlsplit is most of the cost of reading a summary's url; a test holds the two to the same
# answers).
_PLAIN_HTTP = re.compile(r"(https?)://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:[/?#][!-~]*)?")


def is_http_url(value: str, *, https_only: bool = False) -> bool:
    """An absolute http(s) URL with a host and no spaces (https only when asked)."""
    if not value or _SPACE.search(value):
        return False
    plain = _PLAIN_HTTP.fullmatch(value)
    if plain is not None:
        return not https_only or plain.group(1) == "https"
    parts = urlsplit(value)
    schemes = ("https",) if https_only else ("http", "https")
    return parts.scheme in schemes and bool(parts.netloc)


def is_link(value: str) -> bool:
    """A link a mail client can follow: an absolute http(s) URL or a mailto: address."""
    return is_http_url(value) or urlsplit(value).scheme == "mailto"


# --- email clients ------------------------------------------------------------------------------

# The mail clients the compat check knows (ids of `[checks] clients`; the Can I email snapshot in
# newsletter/checks/data/ maps each to the data's family and platform).
EMAIL_CLIENTS = ("gmail-web", "gmail-android", "gmail-ios", "outlook-windows", "outlook-macos",
                 "outlook-com", "outlook-ios", "outlook-android", "apple-mail-macos",
                 "apple-mail-ios", "yahoo", "samsung-email")


# --- slugs --------------------------------------------------------------------------------------

_TRANSLITERATE = str.maketrans({"æ": "ae", "Æ": "AE", "ø": "o", "Ø": "O", "ß": "ss", "œ": "oe",
                                "Œ": "OE", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "ð": "d",
                                "Ð": "D", "þ": "th", "Þ": "TH", "ı": "i"})


def slug(text: str, limit: int = 60, keep: str = "") -> str:
    """Lower-case ASCII words joined by hyphens, cut at a word boundary to `limit` characters.

    Accents are folded (é -> e, ß -> ss); `keep` names other characters a word may hold (for
    example "._" for a mailing service's template names). May be empty: callers choose the
    fallback."""
    folded = unicodedata.normalize("NFKD", text.translate(_TRANSLITERATE))
    ascii_text = folded.encode("ascii", "ignore").decode("ascii").lower()
    words = re.findall(rf"[a-z0-9{re.escape(keep)}]+", ascii_text)
    result = ""
    for word in words:
        candidate = f"{result}-{word}" if result else word
        if len(candidate) > limit:
            return result or word[:limit]
        result = candidate
    return result


# --- control characters -------------------------------------------------------------------------

# C0 and C1 controls, DEL, and the Unicode line and paragraph separators (str.splitlines() breaks
# a line at each of them, as the email package does). A one-line value (a name, a subject, a URL,
# anything that may reach a mail header) takes none of them; a multi-line text (an address, an
# intro) takes line feeds and tabs.
_CONTROL_ONE_LINE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROL_MULTILINE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
# The ASCII characters each kind of value takes (deleted by bytes.translate: what is left is a
# control character).
_ASCII_ONE_LINE = bytes(range(0x20, 0x7F))
_ASCII_MULTILINE = _ASCII_ONE_LINE + b"\t\n"
_CONTROL_NAMES = {"\x00": "NUL", "\t": "tab", "\n": "line feed", "\r": "carriage return",
                  "\x0b": "vertical tab", "\x0c": "form feed", "\x1b": "escape", "\x7f": "DEL",
                  "\x85": "next line", "\u2028": "line separator", "\u2029": "paragraph separator"}


def control_character(value: str, *, multiline: bool = False) -> str | None:
    """The first control character of `value` in words ("U+000D (carriage return)"), or None.

    Every boundary (config, issue files, summaries, imported records) rejects these with this
    one rule, so none can reach a header, a file name or an output."""
    if value.isascii() and not value.encode("ascii").translate(
            None, _ASCII_MULTILINE if multiline else _ASCII_ONE_LINE):
        return None  # the usual case, about ten times faster than the search below
    found = (_CONTROL_MULTILINE if multiline else _CONTROL_ONE_LINE).search(value)
    if found is None:
        return None
    char = found.group(0)
    name = _CONTROL_NAMES.get(char, "a control character")
    return f"U+{ord(char):04X} ({name})"


def control_message(value: str, *, multiline: bool = False) -> str | None:
    """An error message for a value holding a control character, or None."""
    char = control_character(value, multiline=multiline)
    if char is None:
        return None
    where = value.index(chr(int(char[2:6], 16)))
    return f"contains the control character {char} at position {where + 1}"


# --- messages -----------------------------------------------------------------------------------

_TYPE_NAMES: dict[type, str] = {bool: "true/false", int: "a number", float: "a number",
                                str: "text", list: "a list", type(None): "null"}


def type_name(value: Any, mapping: str = "an object") -> str:
    """What a value is, in an error message's words ("got a list"); `mapping` names a dict in
    the file's own terms ("a table" in TOML, "an object" in JSON)."""
    if isinstance(value, dict):
        return mapping
    return _TYPE_NAMES.get(type(value), type(value).__name__)
