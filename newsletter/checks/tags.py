"""Placeholders and mailing-service merge tags, as they appear in the parts being checked.

The generic build keeps neutral placeholders (`%%NL_UNSUBSCRIBE_URL%%`, see placeholders.py) for
whatever the workspace does not know; an export replaces them with a service's merge tags, which
the service fills per recipient when it sends. Tags in the common syntaxes are recognised:
`*|UNSUB|*` (Mailchimp style), `{{ UnsubscribeURL }}` / `{{{unsubscribe}}}` (Handlebars, Go and
Liquid style), `<%asm_group_unsubscribe_raw_url%>` and `%unsubscribe_url%`.
"""

from __future__ import annotations

import re

from newsletter.checks.model import CheckContext
from newsletter.render.placeholders import ANY_TOKEN, TOKENS

MERGE_TAG = re.compile(
    r"\*\|[A-Za-z0-9_:]+\|\*"
    r"|\{\{\{?\s*[A-Za-z_.][\w.]*\s*\}?\}\}"
    r"|<%\s*[A-Za-z_][\w.]*\s*%>"
    r"|(?<!%)%[A-Za-z_][\w.]*%(?!%)"
)


def merge_tags(ctx: CheckContext, document: str) -> set[str]:
    """The merge tags in `document`: those the service declared, and any in a known syntax."""
    found = {m.group(0) for m in MERGE_TAG.finditer(document)}
    found |= {t for t in ctx.merge_tags if t in document}
    return found


def is_merge_tag(ctx: CheckContext, value: str) -> bool:
    value = value.strip()
    return value in ctx.merge_tags or MERGE_TAG.fullmatch(value) is not None


def is_placeholder(value: str) -> bool:
    return ANY_TOKEN.fullmatch(value.strip()) is not None


def tags_about(tags: set[str], *words: str) -> set[str]:
    """The tags whose name mentions one of `words` (unsubscribe tags say 'unsub')."""
    return {t for t in tags if any(w in t.lower() for w in words)}


UNSUBSCRIBE_TOKEN = TOKENS["unsubscribe_url"]
ADDRESS_TOKEN = TOKENS["postal_address"]
