"""The message the spam check scores: the eml export of the issue, or one made like it.

`newsletter export --service eml` is the whole message a subscriber's mail server would see
(headers, text and HTML parts, List-Unsubscribe). When it cannot be made, because the workspace
lacks a setting it needs (from_email, an https unsubscribe_url, postal_address), the same
exporter runs with stand-in values for those settings, and the message says so
(`Message.stand_in`), so the score is still of a message of the same shape.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from newsletter.checks.model import Message
from newsletter.config.schema import Config
from newsletter.errors import ExportError
from newsletter.render import placeholders

if TYPE_CHECKING:
    from newsletter.build import BuildResult

# Settings the eml export needs, and what stands in for them (reserved example domains).
STAND_INS = {
    "from_email": "newsletter@example.org",
    "unsubscribe_url": "https://example.org/newsletter/unsubscribe",
    "postal_address": "1 Example Street, Example City",
}
PLACEHOLDER_STAND_INS = {
    "unsubscribe_url": STAND_INS["unsubscribe_url"],
    "postal_address": STAND_INS["postal_address"],
    "web_version_url": "https://example.org/newsletter/archive/",
    "preferences_url": "https://example.org/newsletter/preferences",
}
STAND_IN_SUBJECT = "Research news"


def _single(files: dict[str, bytes]) -> bytes:
    (data,) = files.values()
    return data


def _why(exc: ExportError) -> str:
    """'set from_email in newsletter.toml': the export's own message, without its prefix."""
    return exc.message.removeprefix("cannot export for eml: ")


def stand_in_config(config: Config, fields: list[str]) -> Config:
    return dataclasses.replace(config, **{name: STAND_INS[name] for name in fields})


def eml_message(result: BuildResult, config: Config) -> Message:
    """The eml export; else the export with stand-in settings; else `from_parts`."""
    from newsletter.exporting.services import eml

    try:
        return Message(_single(eml.export(result, config)))
    except ExportError as exc:
        problem = exc
    fields = [p.field for p in problem.problems if p.field in STAND_INS]
    if fields and len(fields) == len(problem.problems):
        try:
            data = _single(eml.export(result, stand_in_config(config, fields)))
        except ExportError:
            pass
        else:
            return Message(data, f"the eml export cannot be made ({_why(problem)}), so the "
                                 "scored message is that export with stand-in values for: "
                                 + ", ".join(fields))
    return from_parts(result.html, result.text, config, result.plan.subject,
                      f"the eml export cannot be made ({_why(problem)})")


def from_parts(html: str, text: str, config: Config, subject: str | None, why: str) -> Message:
    """A message in the eml export's shape built from the two parts, every placeholder and
    missing setting stood in for."""
    from newsletter.exporting.services.eml import PLACEHOLDER_TO, build_message

    stood = sorted({name for name, token in placeholders.TOKENS.items()
                    if token in html or token in text})
    html = placeholders.fill(html, PLACEHOLDER_STAND_INS, is_html=True)
    text = placeholders.fill(text, PLACEHOLDER_STAND_INS, is_html=False)
    missing = [name for name in ("from_email", "unsubscribe_url")
               if not getattr(config, name) or (name == "unsubscribe_url"
                                                and not config.unsubscribe_url.startswith("https:"))]
    if not subject:
        missing.append("subject")
    message = build_message(stand_in_config(config, [m for m in missing if m in STAND_INS]),
                            subject or STAND_IN_SUBJECT, html, text, [PLACEHOLDER_TO])
    stood_in = sorted(set(stood) | set(missing))
    return Message(message.as_bytes(), f"{why}, so a message built from the checked parts was "
                                       f"scored, with stand-in values for: "
                                       + (", ".join(stood_in) or "nothing"))
