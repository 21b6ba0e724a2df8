"""The disclaimer guard: a template may reword the disclaimer but never drop it.
"""

from __future__ import annotations

import html as htmllib
import re

from newsletter.config.schema import Config
from newsletter.errors import Problem, TemplateError


def visible_text(document: str) -> str:
    """The text of an HTML document, white space collapsed (head and comments left out)."""
    body = document[document.find("<body"):] if "<body" in document else document
    body = re.sub(r"<!--.*?-->|<style\b.*?</style>", " ", body, flags=re.S | re.I)
    return re.sub(r"\s+", " ", htmllib.unescape(re.sub(r"<[^>]+>", " ", body)))


def check_disclaimer(config: Config, document: str, text: str) -> None:
    """A workspace may reword the disclaimer but not remove it from either part."""
    wanted = re.sub(r"\s+", " ", config.disclaimer.text).strip()
    missing = []
    if wanted not in visible_text(document):
        missing.append("the HTML")
    if wanted not in re.sub(r"\s+", " ", text):
        missing.append("the plain text")
    if missing:
        raise TemplateError(
            f"the disclaimer is missing from {' and '.join(missing)}",
            [Problem("templates", "the [disclaimer] text must appear in every issue",
                     fix="keep {% include \"partials/disclaimer.mjml.j2\" %} in email.mjml.j2 "
                         "and the disclaimer block in email.txt.j2; change the wording in "
                         "newsletter.toml [disclaimer] text instead")],
        )
