"""The template context: cards, sections and the values every template sees.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from markupsafe import Markup

from newsletter.config.schema import Config
from newsletter.issue.dates import format_date
from newsletter.issue.plan import Entry, Plan
from newsletter.render import markdown
from newsletter.render.placeholders import TOKENS
from newsletter.render.text import markdown_to_text


@dataclass(frozen=True)
class Card:
    id: str
    title: str
    teaser: str
    url: str
    date: str
    study_type: str | None
    source: str | None
    source_url: str | None
    theme_label: str
    image: str | None
    image_alt: str | None


@dataclass(frozen=True)
class SectionView:
    id: str
    label: str
    colour: str
    cards: list[Card]
    more: int
    more_url: str | None


def add_utm(url: str, params: dict[str, str]) -> str:
    """Add (or replace) utm_* parameters, keeping the URL's other query parameters and fragment."""
    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in params]
    query += list(params.items())
    return urlunsplit(parts._replace(query=urlencode(query)))


def utm_params(config: Config, issue_id: str) -> dict[str, str]:
    return {
        "utm_source": config.utm.source,
        "utm_medium": config.utm.medium,
        "utm_campaign": config.utm.campaign.replace("{issue}", issue_id),
    }


def _card(entry: Entry, config: Config, utm: dict[str, str]) -> Card:
    s = entry.summary
    return Card(
        id=s.id, title=s.title, teaser=s.teaser, url=add_utm(s.url, utm),
        date=format_date(s.date), study_type=entry.study_type_label, source=s.source,
        source_url=s.source_url, theme_label=config.theme(entry.theme.label or "").label
        if entry.theme.label in config.theme_ids else "",
        image=s.image, image_alt=s.image_alt,
    )


def email_context(config: Config, plan: Plan) -> dict[str, Any]:
    """Everything the templates see (documented in the README's 'Templates' section)."""
    utm = utm_params(config, plan.issue.id)
    sections = [
        SectionView(
            id=s.theme.id, label=s.theme.label, colour=s.theme.colour,
            cards=[_card(e, config, utm) for e in s.entries], more=s.more,
            more_url=add_utm(s.more_url, utm) if s.more_url else None,
        )
        for s in plan.sections
    ]
    return {
        "config": config,
        "colors": config.colors,
        "lang": config.language,
        "name": config.name,
        "issue": plan.issue,
        "subject": plan.subject,
        "preheader": plan.preheader,
        "period": plan.issue.period,
        "intro_html": Markup(markdown.render(plan.issue.intro)) if plan.issue.intro else "",
        "intro_text": markdown_to_text(plan.issue.intro),
        "highlights": [_card(e, config, utm) for e in plan.highlights],
        "sections": sections,
        "disclaimer": config.disclaimer.text,
        "placeholders": TOKENS,
        "count": plan.count,
    }
