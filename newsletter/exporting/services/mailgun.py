"""Mailgun: the fields of POST /v3/{domain}/templates as JSON, and the text part beside it.

%unsubscribe_url% is Mailgun's own variable, filled per recipient when the message is sent.
Mailgun has no web-version, address or preferences variable: the workspace's values are used.
A stored template holds HTML only, so the plain-text part is written to <issue>.txt for the
`text` field of the messages API.
"""

from __future__ import annotations

from newsletter.build import BuildResult
from newsletter.config.schema import Config
from newsletter.exporting.services.base import Exporter, Tags, fill, json_bytes, template_name

UNSUBSCRIBE = "%unsubscribe_url%"
TAGS = Tags(unsubscribe=UNSUBSCRIBE)


def export(result: BuildResult, config: Config) -> dict[str, bytes]:
    # Mailgun renders stored templates with Handlebars: content must not contain "{{".
    html, text = fill(result, config, "mailgun", TAGS, TAGS,
                      required=(UNSUBSCRIBE, UNSUBSCRIBE), syntax=["{{"])
    issue = result.plan.issue.id
    body = {
        "name": template_name(issue, "_."),
        "description": f"{config.name}, issue {issue}: {result.plan.subject}",
        "template": html,
        "headers": {"Subject": result.plan.subject},
    }
    return {f"{issue}.template.json": json_bytes(body), f"{issue}.txt": text.encode("utf-8")}


EXPORTER = Exporter("mailgun", "template JSON for POST /v3/{domain}/templates + the text part",
                    export,
                    merge_tags=TAGS.values())
