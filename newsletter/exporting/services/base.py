"""What every exporter shares: the registry entry, filling the neutral placeholders, the checks.

An exporter is a function `(BuildResult, Config) -> {relative file name: bytes}`. It starts from the
neutral rendering (`result.email.html` / `.text`, which still carry `%%NL_...%%` tokens) and fills
every token with the service's own merge tag, or with a workspace value where the service has none.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from newsletter.build import BuildResult, web_version_url
from newsletter.config.load import CONFIG_FILE
from newsletter.config.schema import Config
from newsletter.errors import ExportError, Problem
from newsletter.render import placeholders
from newsletter.values import slug

ExportFunction = Callable[[BuildResult, Config], dict[str, bytes]]


@dataclass(frozen=True)
class Exporter:
    """One mailing service: its name on the command line, a one-line description, its function."""

    name: str
    description: str
    export: ExportFunction
    merge_tags: tuple[str, ...] = ()  # the service's own tags, so `check --service` knows them


@dataclass(frozen=True)
class Tags:
    """A service's merge tags for one part (HTML or text). None: the service has no such tag.

    Without a web-version tag the workspace's archive page is linked (or the line is left out);
    without an address tag the workspace's postal_address is used; without a preferences tag the
    workspace's preferences_url is linked (or the link is left out).
    """

    unsubscribe: str
    web_version: str | None = None
    postal_address: str | None = None
    preferences: str | None = None

    def values(self) -> tuple[str, ...]:
        """The tags themselves (for `Exporter.merge_tags`)."""
        tags = (self.unsubscribe, self.web_version, self.postal_address, self.preferences)
        return tuple(t for t in tags if t and t.strip())


# --- configuration the export needs -----------------------------------------------------------


NOT_SET = "is not set"


def missing_setting(key: str, why: str, example: str) -> Problem:
    return Problem(CONFIG_FILE, f"{NOT_SET} ({why})", field=key,
                   fix=f"set {key} = \"{example}\" in {CONFIG_FILE}")


def postal_address_problems(config: Config, tags: Iterable[Tags]) -> list[Problem]:
    """The workspace address is needed when a part has no address tag of the service's own."""
    if config.postal_address or all(t.postal_address for t in tags):
        return []
    return [missing_setting("postal_address", "bulk email must show the sender's postal address, "
                            "and this service has no address tag of its own",
                            "Example Charity, 1 Example Street, Example City")]


def sender_problems(config: Config) -> list[Problem]:
    problems = []
    if not config.from_name:
        problems.append(missing_setting("from_name", "the sender's name",
                                        config.name or "MS Research Digest"))
    if not config.from_email:
        problems.append(missing_setting("from_email", "the sender's address, used as From",
                                        "newsletter@example.org"))
    return problems


def raise_problems(service: str, problems: list[Problem]) -> None:
    if problems:
        keys = ", ".join(p.field or p.message for p in problems)
        where = CONFIG_FILE if all(p.where == CONFIG_FILE for p in problems) else \
            f"{CONFIG_FILE} or the issue file"
        missing = [p.message.startswith(NOT_SET) for p in problems]
        verb = "set" if all(missing) else "fix" if not any(missing) else "set or fix"
        raise ExportError(f"cannot export for {service}: {verb} {keys} in {where}", problems)


# --- filling the placeholders -----------------------------------------------------------------


def values_for(config: Config, issue_id: str, tags: Tags) -> dict[str, str | None]:
    """Placeholder values for one part: the service's tags first, then the workspace's values."""
    web = tags.web_version or (web_version_url(config, issue_id) if config.archive_url else None)
    return {
        "unsubscribe_url": tags.unsubscribe,
        "web_version_url": web,
        "postal_address": tags.postal_address or config.postal_address,
        "preferences_url": tags.preferences or config.preferences_url or None,
    }


def fill(result: BuildResult, config: Config, service: str, html_tags: Tags, text_tags: Tags, *,
         required: tuple[str, str] | None = None, syntax: Iterable[str] = (),
         html: str | None = None) -> tuple[str, str]:
    """The HTML and text parts with every token filled.

    `required`: the unsubscribe tag that must end up in the HTML and in the text part (exports
    need it; a test send does not);
    `syntax`: markers of the service's template language that the content must not contain;
    `html` replaces the neutral HTML when an exporter has already rewritten it (Campaign
    Monitor's link elements)."""
    check_syntax(result, service, syntax)
    raise_problems(service, postal_address_problems(config, (html_tags, text_tags)))
    issue_id = result.plan.issue.id
    filled_html = placeholders.fill(result.email.html if html is None else html,
                                    values_for(config, issue_id, html_tags), is_html=True)
    filled_text = placeholders.fill(result.email.text, values_for(config, issue_id, text_tags),
                                    is_html=False)
    left = placeholders.remaining(filled_html + filled_text)
    if left:
        raise ExportError(
            f"the {service} export still has the placeholder{'s' * (len(left) > 1)} "
            f"{', '.join(left)} after filling",
            [Problem("templates", "a placeholder is used outside the place the default theme "
                     "gives it (an optional one must sit inside its <!--nl:NAME--> block in "
                     "HTML, or on a line of its own in text)",
                     fix="compare your templates/ with the default theme's header and footer")])
    if required is not None:
        require_tag(service, "HTML", filled_html, required[0])
        require_tag(service, "text", filled_text, required[1])
    return filled_html, filled_text


def require_tag(service: str, part: str, document: str, tag: str) -> None:
    """A send without the service's unsubscribe tag is refused by the service, or non-compliant."""
    if tag not in document:
        raise ExportError(
            f"the {service} export's {part} part has no {tag} (its unsubscribe tag)",
            [Problem("templates", f"the {part} template has no unsubscribe link, so {tag} had "
                     "nowhere to go", fix="keep the unsubscribe link of the default theme's "
                     "footer (partials/footer.mjml.j2 and email.txt.j2)")])


def check_syntax(result: BuildResult, service: str, markers: Iterable[str]) -> None:
    """Content that the service's template language would read as its own syntax."""
    problems = []
    for part, document in (("HTML", result.email.html), ("text", result.email.text)):
        for marker in markers:
            at = document.find(marker)
            if at >= 0:
                excerpt = document[max(0, at - 30):at + 30].replace("\n", " ")
                problems.append(Problem(
                    f"the issue's {part} part", f"contains '{marker}' (…{excerpt}…), which "
                    f"{service} reads as its own template syntax",
                    fix=f"reword that text (for example put a space inside '{marker}')"))
    if problems:
        raise ExportError(f"cannot export for {service}: the content would break its templates",
                          problems)


# --- anchors and small helpers ----------------------------------------------------------------


def replace_link(document: str, name: str, element: str) -> str:
    """Replace each `<a href="TOKEN" ...>inner</a>` with `<element style="...">inner</element>`."""
    token = re.escape(placeholders.TOKENS[name])
    anchor = re.compile(rf"<a\b([^>]*?)\shref=\"{token}\"([^>]*)>(.*?)</a>", re.S | re.I)

    def swap(match: re.Match[str]) -> str:
        style = re.search(r"\sstyle=\"[^\"]*\"", match.group(1) + match.group(2))
        return f"<{element}{style.group(0) if style else ''}>{match.group(3)}</{element}>"

    return anchor.sub(swap, document)


def subject(result: BuildResult) -> str:
    return result.plan.subject


def issue_id(result: BuildResult) -> str:
    return result.plan.issue.id


def json_bytes(data: Any) -> bytes:
    return (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def template_name(issue_id: str, keep: str = "_", limit: int = 64) -> str:
    """A service's template name for an issue: newsletter-<issue-id> as a slug."""
    return slug(f"newsletter-{issue_id}", limit, keep) or "newsletter"
