"""Brevo (formerly Sendinblue): the body of POST /v3/emailCampaigns, and the text part beside it.

Brevo's template language gives {{ unsubscribe }}, {{ mirror }} (the web version) and
{{ update_profile }}; it has no address tag, so the workspace's postal_address is used. The
campaign body has no plain-text field, so the text part is written to <issue>.txt.
"""

from __future__ import annotations

from newsletter.build import BuildResult
from newsletter.config.schema import Config
from newsletter.exporting.services.base import (
    Exporter,
    Tags,
    fill,
    json_bytes,
    postal_address_problems,
    raise_problems,
    sender_problems,
)

UNSUBSCRIBE = "{{ unsubscribe }}"
TAGS = Tags(unsubscribe=UNSUBSCRIBE, web_version="{{ mirror }}", preferences="{{ update_profile }}")


def export(result: BuildResult, config: Config) -> dict[str, bytes]:
    raise_problems("brevo", sender_problems(config) + postal_address_problems(config, [TAGS]))
    html, text = fill(result, config, "brevo", TAGS, TAGS,
                      required=(UNSUBSCRIBE, UNSUBSCRIBE), syntax=["{{", "{%"])
    issue = result.plan.issue.id
    body = {
        "name": f"{config.name} {issue}",
        "subject": result.plan.subject,
        "sender": {"name": config.from_name, "email": config.from_email},
        "htmlContent": html,
    }
    return {f"{issue}.campaign.json": json_bytes(body), f"{issue}.txt": text.encode("utf-8")}


EXPORTER = Exporter("brevo", "campaign JSON for POST /v3/emailCampaigns + the text part", export,
                    merge_tags=TAGS.values())
