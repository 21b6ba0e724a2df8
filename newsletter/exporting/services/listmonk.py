"""listmonk: the body of POST /api/campaigns with the HTML as `body` and the text as `altbody`.

listmonk's campaign bodies are Go templates: {{ UnsubscribeURL }}, {{ MessageURL }} (the web
version) and {{ UnsubscribeURL }}?manage=true (the preferences page), as listmonk's templating
documentation lists them. The body is a whole HTML document, so the campaign must use a blank
template, one whose body is just {{ template "content" . }}. POST /api/campaigns also needs
`lists` (your list ids), which only you know: add them before posting.
"""

from __future__ import annotations

from newsletter.build import BuildResult
from newsletter.config.schema import Config
from newsletter.exporting.services.base import Exporter, Tags, fill, json_bytes

UNSUBSCRIBE = "{{ UnsubscribeURL }}"
TAGS = Tags(unsubscribe=UNSUBSCRIBE, web_version="{{ MessageURL }}",
            preferences="{{ UnsubscribeURL }}?manage=true")


def export(result: BuildResult, config: Config) -> dict[str, bytes]:
    html, text = fill(result, config, "listmonk", TAGS, TAGS,
                      required=(UNSUBSCRIBE, UNSUBSCRIBE), syntax=["{{"])
    issue = result.plan.issue.id
    body = {
        "name": f"{config.name} {issue}",
        "subject": result.plan.subject,
        "type": "regular",
        "content_type": "html",
        "body": html,
        "altbody": text,
    }
    return {f"{issue}.campaign.json": json_bytes(body)}


EXPORTER = Exporter("listmonk", "campaign JSON for POST /api/campaigns (pair with a blank template)",
                    export,
                    merge_tags=TAGS.values())
