"""Grouping a selection into the issue's plan: highlights, then one section per theme."""

from __future__ import annotations

from dataclasses import dataclass, field

from newsletter.config.schema import Config, Theme
from newsletter.errors import Problem
from newsletter.issue.classify import Decision, classify_theme, infer_study_type
from newsletter.issue.select import Selection
from newsletter.issue.spec import IssueSpec
from newsletter.summaries.model import STUDY_TYPES, Summary


@dataclass
class Entry:
    """A selected summary with the decisions about it."""

    summary: Summary
    theme: Decision
    study_type: Decision

    @property
    def study_type_label(self) -> str | None:
        return STUDY_TYPES.get(self.study_type.label) if self.study_type.label else None


@dataclass
class Section:
    theme: Theme
    entries: list[Entry]
    more: int = 0
    more_url: str | None = None


@dataclass
class Plan:
    issue: IssueSpec
    subject: str
    preheader: str
    highlights: list[Entry]
    sections: list[Section]
    excluded: list[Summary] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    cut: list[Summary] = field(default_factory=list)  # left out by max_per_section

    @property
    def entries(self) -> list[Entry]:
        """Every entry shown in the email, in order."""
        return self.highlights + [e for s in self.sections for e in s.entries]

    @property
    def count(self) -> int:
        return len(self.entries)


def theme_sequence(config: Config, issue: IssueSpec) -> list[Theme]:
    """Taxonomy order, or the issue's theme_order first and the rest after it."""
    first = [config.theme(t) for t in issue.theme_order]
    return first + [t for t in config.themes if t.id not in issue.theme_order]


def make_plan(config: Config, selection: Selection) -> Plan:
    issue = selection.issue
    featured_ids = {s.id for s in selection.featured}
    entries = {s.id: _entry(s, config, issue.move.get(s.id)) for s in selection.items}
    highlights = [entries[s.id] for s in selection.featured]
    sections: list[Section] = []
    for theme in theme_sequence(config, issue):
        members = [e for e in entries.values()
                   if e.theme.label == theme.id and e.summary.id not in featured_ids]
        if not members:
            continue
        members = in_order(members, issue.order.get(theme.id, ()))
        sections.append(_cut(Section(theme, members), issue.max_per_section, config))
    shown = highlights + [e for s in sections for e in s.entries]
    subject, preheader = issue_texts(config, issue, sections, len(shown))
    shown_ids = {e.summary.id for e in shown}
    cut = [s for s in selection.items if s.id not in shown_ids]
    return Plan(issue, subject, preheader, highlights, sections, selection.excluded, cut=cut)


def _entry(summary: Summary, config: Config, moved_to: str | None = None) -> Entry:
    theme = Decision(moved_to, "issue file") if moved_to else \
        classify_theme(summary, config.themes, config.fallback_theme)
    return Entry(summary, theme, infer_study_type(summary))


def in_order(entries: list[Entry], order: tuple[str, ...]) -> list[Entry]:
    """The ids of `order` first, in that order; the others after them, as they came (newest
    first). Ids not in the section are passed over."""
    rank = {summary_id: i for i, summary_id in enumerate(order)}
    listed = sorted((e for e in entries if e.summary.id in rank), key=lambda e: rank[e.summary.id])
    return listed + [e for e in entries if e.summary.id not in rank]


def _cut(section: Section, limit: int | None, config: Config) -> Section:
    """Keep the `limit` newest; the rest become a "N more in <theme>" link."""
    if limit is None or len(section.entries) <= limit:
        return section
    more = len(section.entries) - limit
    url = config.section_url.replace("{theme}", section.theme.id) if config.section_url else None
    return Section(section.theme, section.entries[:limit], more, url)


def issue_texts(config: Config, issue: IssueSpec, sections: list[Section],
                count: int) -> tuple[str, str]:
    """Subject and preheader: the issue file's, else the workspace's patterns."""
    values = pattern_values(config, issue, [s.theme.label for s in sections], count)
    subject = issue.subject or config.subject_pattern.format(**values)
    preheader = issue.preheader or config.preheader_pattern.format(**values)
    return subject, preheader


def pattern_values(config: Config, issue: IssueSpec, labels: list[str],
                   count: int) -> dict[str, str]:
    return {
        "name": config.name,
        "issue": issue.id,
        "period": issue.period,
        "month": issue.period,
        "year": str(issue.end.year),
        "from": issue.start.isoformat(),
        "to": issue.end.isoformat(),
        "count": str(count),
        "summaries": f"{count} research summar{'y' if count == 1 else 'ies'}",
        "themes": join_words(labels),
    }


def join_words(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def issue_header(plan: Plan) -> dict[str, str | None]:
    """The fields that name an issue, as the manifest and `plan --json` both give them."""
    issue = plan.issue
    return {
        "issue": issue.id,
        "subject": plan.subject,
        "preheader": plan.preheader,
        "from": issue.start.isoformat(),
        "to": issue.end.isoformat(),
        "period": issue.period,
    }
