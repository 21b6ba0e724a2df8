"""Campaign Monitor: the HTML and text files its "import HTML" takes (or HtmlUrl/TextUrl point at).

Its HTML tags are elements, not URLs: <unsubscribe>Unsubscribe</unsubscribe> takes the place of the
whole unsubscribe link, likewise <webversion> and <preferences>. In text: [unsubscribe],
[webversion] and [preferences]. It has no address tag, so the workspace's postal_address is used.
"""

from __future__ import annotations

from newsletter.build import BuildResult
from newsletter.config.schema import Config
from newsletter.errors import ExportError, Problem
from newsletter.exporting.services.base import Exporter, Tags, fill, replace_link
from newsletter.render import placeholders

ELEMENTS = {"unsubscribe_url": "unsubscribe", "web_version_url": "webversion",
            "preferences_url": "preferences"}
TEXT_TAGS = Tags(unsubscribe="[unsubscribe]", web_version="[webversion]",
                 preferences="[preferences]")


def link_elements(html: str) -> str:
    """Each placeholder link becomes Campaign Monitor's element; no bare token may stay behind."""
    for name, element in ELEMENTS.items():
        html = replace_link(html, name, element)
        if placeholders.TOKENS[name] in html:
            raise ExportError(
                f"the campaign-monitor export needs {placeholders.TOKENS[name]} as the href of a "
                f"link, to turn that link into its <{element}> element",
                [Problem("templates", f"{placeholders.TOKENS[name]} is used outside <a href=\"...\">",
                         fix="use it only as a link's href, as the default theme does")])
    return html


def export(result: BuildResult, config: Config) -> dict[str, bytes]:
    html = link_elements(result.email.html)
    # The tokens are gone from the HTML; these values only resolve the optional-block markers.
    html_tags = Tags(unsubscribe="", web_version="<webversion>", preferences="<preferences>")
    html, text = fill(result, config, "campaign-monitor", html_tags, TEXT_TAGS,
                      required=("<unsubscribe", "[unsubscribe]"), html=html)
    issue = result.plan.issue.id
    return {f"{issue}.html": html.encode("utf-8"), f"{issue}.txt": text.encode("utf-8")}


EXPORTER = Exporter("campaign-monitor", "HTML and text files with <unsubscribe> and [unsubscribe]",
                    export,
                    merge_tags=TEXT_TAGS.values())
