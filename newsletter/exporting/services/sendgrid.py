"""SendGrid Marketing Campaigns: the body of POST /v3/marketing/singlesends (a Single Send).

The code editor's tags are Handlebars with triple braces: {{{unsubscribe}}} and
{{{unsubscribe_preferences}}}. SendGrid has no web-version tag, so the archive page is linked.
sender_id, suppression_group_id and send_to are account-specific and are added by you.
"""

from __future__ import annotations

from newsletter.build import BuildResult
from newsletter.config.schema import Config
from newsletter.exporting.services.base import Exporter, Tags, fill, json_bytes

UNSUBSCRIBE = "{{{unsubscribe}}}"
TAGS = Tags(unsubscribe=UNSUBSCRIBE, preferences="{{{unsubscribe_preferences}}}")
NAME_LIMIT = 100  # the longest Single Send name the API takes


def export(result: BuildResult, config: Config) -> dict[str, bytes]:
    html, text = fill(result, config, "sendgrid", TAGS, TAGS,
                      required=(UNSUBSCRIBE, UNSUBSCRIBE), syntax=["{{"])
    issue = result.plan.issue.id
    body = {
        "name": f"{config.name} {issue}"[:NAME_LIMIT],
        "email_config": {
            "subject": result.plan.subject,
            "html_content": html,
            "plain_content": text,
            "generate_plain_content": False,
            "editor": "code",
        },
    }
    return {f"{issue}.singlesend.json": json_bytes(body)}


EXPORTER = Exporter("sendgrid", "Single Send JSON for POST /v3/marketing/singlesends", export,
                    merge_tags=TAGS.values())
