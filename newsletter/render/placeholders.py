"""Neutral placeholders for what each mailing service fills in itself.

The rendered email carries tokens such as `%%NL_UNSUBSCRIBE_URL%%` instead of links the workspace
may not know (a service's unsubscribe tag, its web-version tag, its list address). Optional lines are
wrapped in `<!--nl:NAME-->...<!--/nl:NAME-->` in HTML; in text they are the lines that hold the token.

`fill(document, values)`: a name mapped to a string replaces its token; a name mapped to None
removes its optional block (HTML) or line (text); a name not given keeps its token.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping

TOKENS: dict[str, str] = {
    "unsubscribe_url": "%%NL_UNSUBSCRIBE_URL%%",
    "web_version_url": "%%NL_WEB_VERSION_URL%%",
    "postal_address": "%%NL_POSTAL_ADDRESS%%",
    "preferences_url": "%%NL_PREFERENCES_URL%%",
}
# Lines that disappear when their value is None (unsubscribe and address never do).
OPTIONAL = ("web_version_url", "preferences_url")
ANY_TOKEN = re.compile(r"%%NL_[A-Z_]+%%")
_BLOCK = re.compile(r"<!--nl:(\w+)-->(.*?)<!--/nl:\1-->", re.S)


def fill(document: str, values: Mapping[str, str | None], *, is_html: bool) -> str:
    unknown = set(values) - set(TOKENS)
    if unknown:
        raise ValueError(f"unknown placeholder names: {sorted(unknown)}")
    if is_html:
        document = _BLOCK.sub(lambda m: _block(m, values), document)
    else:
        dropped = [TOKENS[name] for name, value in values.items() if value is None]
        if dropped:
            document = "\n".join(line for line in document.split("\n")
                                 if not any(token in line for token in dropped))
            document = re.sub(r"\n{3,}", "\n\n", document)  # no gap where a line was
    for name, value in values.items():
        if value is not None:
            document = document.replace(TOKENS[name], _format(name, value, is_html))
    return document


def _block(match: re.Match[str], values: Mapping[str, str | None]) -> str:
    name = match.group(1)
    if name in values and values[name] is None:
        return ""
    if name in values:
        return match.group(2)  # resolved: the markers have done their job
    return match.group(0)


def _format(name: str, value: str, is_html: bool) -> str:
    if not is_html:
        return value
    escaped = html.escape(value, quote=True)
    return escaped.replace("\n", "<br>") if name == "postal_address" else escaped


def replace_block(document: str, name: str, replacement: str) -> str:
    """Replace a marked HTML block (for example the whole unsubscribe link) with other markup."""
    return _BLOCK.sub(lambda m: replacement if m.group(1) == name else m.group(0), document)


def remaining(document: str) -> list[str]:
    """Tokens still in a document (exports must leave none)."""
    return sorted(set(ANY_TOKEN.findall(document)))
