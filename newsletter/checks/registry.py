"""Every check rule, in the order they run and are reported: one explicit list.

A rule module declares its rules with `@check("group.rule")`; nothing runs until it is listed
here (markdown-it-py's way: the order is data, not a side effect of imports). A group is the part
of an id before the dot; a workspace may disable a rule or a whole group.
"""

from __future__ import annotations

from newsletter.checks.model import Rule
from newsletter.checks.rules import (
    accessibility,
    compat,
    compliance,
    content,
    disclaimer,
    images,
    links,
    plaintext,
    size,
    spam,
)

ORDER: tuple[Rule, ...] = (
    size.html_bytes,
    size.style_bytes,
    size.nested_at_rule,
    disclaimer.in_html,
    disclaimer.in_text,
    compliance.unsubscribe,
    compliance.postal_address,
    compliance.preheader,
    compliance.subject,
    compliance.placeholders,
    links.hrefs,
    links.utm,
    links.online,
    images.alt,
    images.src,
    images.width,
    accessibility.lang,
    accessibility.tables,
    accessibility.headings,
    accessibility.colour_contrast,
    accessibility.text_size,
    content.hype,
    content.study_type,
    content.single_item,
    plaintext.present,
    plaintext.urls,
    plaintext.line_length,
    compat.clients,
    spam.score,
)

RULES: dict[str, Rule] = {rule.id: rule for rule in ORDER}
if len(RULES) != len(ORDER):  # pragma: no cover - a programming error, caught by the tests
    raise RuntimeError("a check id is listed twice in newsletter/checks/registry.py")


def rules() -> list[Rule]:
    return list(ORDER)


def groups() -> list[str]:
    return list(dict.fromkeys(rule.group for rule in ORDER))


def known_ids() -> list[str]:
    """Every id a workspace may disable: the groups, then each rule."""
    return groups() + [rule.id for rule in ORDER]


def selected(disabled: set[str], *, online: bool = False, build: bool = False,
             apart: bool = False) -> list[Rule]:
    """The rules that run when `disabled` (group or rule ids) are switched off: those that need
    the network only when `online` (`check --online`); for `build`'s counts, only the rules
    declared for it (not the slow spam score, never the online ones); `apart`: the offline
    rules `build` leaves out, which a caller may run on their own (the preview, in the
    background)."""
    return [r for r in ORDER if r.id not in disabled and r.group not in disabled
            and (online or not r.online) and (r.build or not build)
            and not (apart and (r.build or r.online))]
