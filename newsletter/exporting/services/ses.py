"""Amazon SES: a template for `aws ses create-template --cli-input-json file://<issue>.template.json`.

SES has no unsubscribe tag of its own for templates: the unsubscribe link is the template
variable {{unsubscribe_url}}, so every send must give it in TemplateData (for example
`"TemplateData": "{\"unsubscribe_url\": \"https://example.org/u/abc123\"}"`).
"""

from __future__ import annotations

from newsletter.build import BuildResult
from newsletter.config.schema import Config
from newsletter.exporting.services.base import Exporter, Tags, fill, json_bytes, template_name

UNSUBSCRIBE = "{{unsubscribe_url}}"
TAGS = Tags(unsubscribe=UNSUBSCRIBE)


def export(result: BuildResult, config: Config) -> dict[str, bytes]:
    html, text = fill(result, config, "ses", TAGS, TAGS,
                      required=(UNSUBSCRIBE, UNSUBSCRIBE), syntax=["{{"])
    issue = result.plan.issue.id
    # SES template names: [A-Za-z0-9_-]{1,64}
    body = {"Template": {"TemplateName": template_name(issue, "_"), "SubjectPart": result.plan.subject,
                         "HtmlPart": html, "TextPart": text}}
    return {f"{issue}.template.json": json_bytes(body)}


EXPORTER = Exporter("ses", "template JSON for aws ses create-template ({{unsubscribe_url}})",
                    export,
                    merge_tags=TAGS.values())
