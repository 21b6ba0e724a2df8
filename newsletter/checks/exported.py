"""Reading an export's files back into the two parts a subscriber receives: HTML and text.

Each service's export has its own shape (see docs/export.md): an .eml message, a ZIP with
index.html, JSON bodies for an API (the HTML and text as string fields), or plain .html and .txt
files. The HTML is the string that is a whole document (`<html`); the text is a .txt file, the
text/plain part of a message, or a JSON field named for plain text.
"""

from __future__ import annotations

import email
import email.policy
import io
import json
import re
import zipfile
from collections.abc import Iterator, Mapping
from typing import Any

from newsletter.errors import ExportError, Problem

TEXT_KEYS = {"plain_text", "plain_content", "textpart", "altbody", "text", "textcontent",
             "text_content", "plaintext"}
_DOCUMENT = re.compile(r"<html[\s>]", re.I)


def read_parts(service: str, files: Mapping[str, bytes]) -> tuple[str, str]:
    """The HTML and the text part of an export; an ExportError when either cannot be found."""
    htmls: list[str] = []
    texts: list[str] = []
    for name, data in sorted(files.items()):
        for kind, value in _parts(name, data):
            (htmls if kind == "html" else texts).append(value)
    missing = [part for part, found in (("HTML", htmls), ("text", texts)) if not found]
    if missing:
        raise ExportError(
            f"the {service} export has no {' and no '.join(missing)} part that `check` can read",
            [Problem(f"{service} export", "files: " + ", ".join(sorted(files)),
                     fix="report this: newsletter/checks/exported.py reads .eml, .zip, .json, "
                         ".html and .txt files")])
    return htmls[0], texts[0]


def _parts(name: str, data: bytes) -> Iterator[tuple[str, str]]:
    suffix = name.rsplit(".", 1)[-1].lower()
    if suffix == "eml":
        yield from _message(data)
    elif suffix == "zip":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for member in sorted(archive.namelist()):
                yield from _parts(member, archive.read(member))
    elif suffix == "json":
        yield from _json_parts(json.loads(data.decode("utf-8")), "")
    elif suffix in ("html", "htm"):
        yield "html", data.decode("utf-8")
    elif suffix == "txt":
        yield "text", data.decode("utf-8")


def _message(data: bytes) -> Iterator[tuple[str, str]]:
    message = email.message_from_bytes(data, policy=email.policy.default)
    for kind, subtype in (("html", "html"), ("text", "plain")):
        part = message.get_body(preferencelist=(subtype,))  # type: ignore[attr-defined]
        if part is not None:
            yield kind, part.get_content()


def _json_parts(value: Any, key: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, dict):
        for child_key, child in value.items():
            yield from _json_parts(child, str(child_key))
    elif isinstance(value, list):
        for child in value:
            yield from _json_parts(child, key)
    elif isinstance(value, str):
        if _DOCUMENT.search(value):
            yield "html", value
        elif key.lower() in TEXT_KEYS:
            yield "text", value
