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


def is_http_url(value: str, *, https_only: bool = False) -> bool:
    """An absolute http(s) URL with a host and no spaces (https only when asked)."""
    if not value or any(c.isspace() for c in value):
        return False
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


# --- messages -----------------------------------------------------------------------------------

_TYPE_NAMES: dict[type, str] = {bool: "true/false", int: "a number", float: "a number",
                                str: "text", list: "a list", type(None): "null"}


def type_name(value: Any, mapping: str = "an object") -> str:
    """What a value is, in an error message's words ("got a list"); `mapping` names a dict in
    the file's own terms ("a table" in TOML, "an object" in JSON)."""
    if isinstance(value, dict):
        return mapping
    return _TYPE_NAMES.get(type(value), type(value).__name__)
