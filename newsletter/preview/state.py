"""The desk's state: what one build of an issue shows the page, as JSON (GET /api/state).

Cards, sections, highlights, excluded and candidate summaries, the check findings (as
`check --json` gives them, each tied to its card or section when it names one), the inbox rows,
and what the Send test and Export tools will use.
"""

from __future__ import annotations

import dataclasses
import os
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from newsletter.build import BuildResult
from newsletter.checks.runner import CheckReport
from newsletter.config.schema import Config, Theme
from newsletter.exporting.services import service_names
from newsletter.exporting.smtp import PASSWORD_ENV
from newsletter.issue.classify import Decision, classify_theme, infer_study_type
from newsletter.issue.plan import Entry, Plan, issue_texts
from newsletter.issue.spec import ISSUE_ID
from newsletter.limits import GMAIL_CLIP_BYTES, INBOX_DESKTOP, INBOX_PHONE, WARN_BYTES, byte_size
from newsletter.render import markdown
from newsletter.summaries.model import STUDY_TYPES, Library, Summary
from newsletter.workspace import Workspace

ELLIPSIS = "…"


@dataclass
class Built:
    """One build of the desk's issue, or why it failed. `version` is the hash of the issue file's
    bytes the build read (None: no file)."""

    issue_id: str
    path: Path | None
    version: str | None
    ws: Workspace | None = None
    result: BuildResult | None = None
    library: Library | None = None
    errors: list[str] = field(default_factory=list)
    report: CheckReport | None = None  # filled on first use (the checks cost some time)
    apart: CheckReport | None = None  # the slow rules (spam), filled in the background
    apart_started: bool = False
    candidates: list[Summary] | None = None
    state: dict[str, Any] | None = None  # desk_state's answer, made once per build

    @property
    def ok(self) -> bool:
        return self.result is not None


# --- cards ----------------------------------------------------------------------------------


def entry_card(entry: Entry, featured: bool) -> dict[str, Any]:
    s = entry.summary
    theme = entry.theme
    return {
        "id": s.id, "title": s.title, "published": s.date.isoformat(), "url": s.url,
        "path": s.path, "theme": theme.label, "featured": featured,
        "study_type": entry.study_type_label,
        "why": theme.reason(), "how": theme.how, "moved": theme.how == "issue file",
    }


class Classified:
    """The theme and study type of summaries outside the plan (candidates, excluded ones), kept
    while the summary is the same object (the archive memo keeps unchanged summaries) and the
    taxonomy is the same: classifying reads each body, too slow to do again on every edit."""

    def __init__(self) -> None:
        self._seen: dict[str, tuple[Summary, tuple[Theme, ...], str, Decision, Decision]] = {}

    def decisions(self, summary: Summary, config: Config) -> tuple[Decision, Decision]:
        hit = self._seen.get(summary.id)
        if hit is not None and hit[0] is summary and hit[1] == config.themes \
                and hit[2] == config.fallback_theme:
            return hit[3], hit[4]
        theme = classify_theme(summary, config.themes, config.fallback_theme)
        study = infer_study_type(summary)
        self._seen[summary.id] = (summary, config.themes, config.fallback_theme, theme, study)
        return theme, study


def summary_card(summary: Summary, config: Config, reason: str,
                 classified: Classified) -> dict[str, Any]:
    """A summary that is not in the email (excluded, or a candidate), with why it is listed."""
    theme, study = classified.decisions(summary, config)
    return {
        "id": summary.id, "title": summary.title, "published": summary.date.isoformat(),
        "url": summary.url, "path": summary.path, "theme": theme.label, "featured": False,
        "study_type": STUDY_TYPES.get(study.label) if study.label else None,
        "why": theme.reason(), "how": theme.how, "reason": reason,
    }


def candidate_reason(summary: Summary, plan: Plan) -> str:
    if summary.id in {s.id for s in plan.excluded}:
        return "excluded from this issue"
    day: date = summary.date
    issue = plan.issue
    if day < issue.start:
        days = (issue.start - day).days
        return f"published {day.isoformat()}, {days} day{'s' * (days != 1)} before the range"
    if day > issue.end:
        days = (day - issue.end).days
        return f"published {day.isoformat()}, {days} day{'s' * (days != 1)} after the range"
    return f"published {day.isoformat()}, in the range"


# --- the inbox ------------------------------------------------------------------------------


def clip(text: str, limit: int) -> str:
    """`text` as a list row shows it: cut to `limit` characters, ending with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def inbox(sender: str, subject: str, preheader: str) -> dict[str, Any]:
    """The message in an inbox list on a desktop (one row: subject, then the preheader) and on
    a phone (a subject line and two lines of preheader), cut where those lists cut."""
    row = INBOX_DESKTOP["row"]
    shown_subject = clip(subject, row)
    room = row - len(subject) - 3  # " - " between the two
    desktop_pre = clip(preheader, room) if room > 1 else ""
    return {
        "desktop": {"sender": clip(sender, INBOX_DESKTOP["sender"]), "subject": shown_subject,
                    "preheader": desktop_pre, "subject_cut": len(subject) > row,
                    "preheader_cut": desktop_pre != preheader},
        "phone": {"sender": clip(sender, INBOX_PHONE["sender"]),
                  "subject": clip(subject, INBOX_PHONE["subject"]),
                  "preheader": clip(preheader, INBOX_PHONE["preheader"]),
                  "subject_cut": len(subject) > INBOX_PHONE["subject"],
                  "preheader_cut": len(preheader) > INBOX_PHONE["preheader"]},
        "counts": {"sender": len(sender), "subject": len(subject), "preheader": len(preheader)},
        "limits": {"desktop": INBOX_DESKTOP, "phone": INBOX_PHONE},
    }


# --- findings -------------------------------------------------------------------------------


def finding_dicts(report: CheckReport, plan: Plan) -> list[dict[str, Any]]:
    """`check --json`'s findings, each with the summary or section it names (or null)."""
    paths = {e.summary.path: e.summary.id for e in plan.entries}
    out = []
    for finding in report.findings:
        item = finding.as_dict()
        item["summary"] = paths.get(finding.where.split(" ", 1)[0])
        section = re.search(r" section ([a-z0-9-]+)$", finding.where)
        item["section"] = section.group(1) if section else None
        out.append(item)
    return out


# --- the whole state ------------------------------------------------------------------------


def issue_ids(ws: Workspace | None, current: str) -> list[str]:
    """The workspace's issue files (newest id first), and the current issue even without one."""
    found = set()
    if ws is not None and ws.issues_path.is_dir():
        found = {p.stem for p in ws.issues_path.glob("*.toml")
                 if p.is_file() and ISSUE_ID.fullmatch(p.stem)}
    return sorted(found | {current}, reverse=True)


def send_test_settings(config: Config) -> dict[str, Any]:
    send = config.send_test
    return {"recipients": list(send.recipients), "smtp": send.smtp,
            "security": "starttls" if send.starttls else "ssl" if send.ssl else "plain",
            "user": send.user or None, "password_set": bool(os.environ.get(PASSWORD_ENV)),
            "sender": config.from_email or None}


def failed_state(built: Built) -> dict[str, Any]:
    return {"issue": built.issue_id, "version": built.version, "ok": False,
            "errors": built.errors, "file": _shown(built), "exists": built.version is not None,
            "issues": issue_ids(built.ws, built.issue_id), "sections": [], "highlights": [],
            "excluded": [], "candidates": [], "findings": [], "checks_pending": False,
            "bytes": None,
            "limit": GMAIL_CLIP_BYTES, "warn": WARN_BYTES}


def _shown(built: Built) -> str | None:
    if built.path is None:
        return None
    return built.ws.relative(built.path) if built.ws else built.path.name


def desk_state(built: Built, classified: Classified) -> dict[str, Any]:
    """Everything the page shows beside the email (the caller fills report and candidates)."""
    if built.result is None or built.ws is None:
        return failed_state(built)
    result = built.result
    plan, config = result.plan, built.ws.config
    spec = plan.issue
    computed = dataclasses.replace(spec, subject=None, preheader=None)
    subject_computed, preheader_computed = issue_texts(config, computed, plan.sections, plan.count)
    sender = config.from_name or config.name
    html_bytes = byte_size(result.html)
    apart = built.apart  # read once: the background thread may fill it meanwhile
    report = built.report.merged(apart) if built.report and apart else built.report
    return {
        **failed_state(built), "ok": True, "errors": [],
        "period": spec.period, "from": spec.start.isoformat(), "to": spec.end.isoformat(),
        "sender": {"name": sender, "email": config.from_email or None},
        "subject": plan.subject, "preheader": plan.preheader,
        "subject_set": spec.subject, "preheader_set": spec.preheader,
        "subject_computed": subject_computed, "preheader_computed": preheader_computed,
        "intro": spec.intro, "intro_html": markdown.render(spec.intro) if spec.intro else "",
        "max_per_section": spec.max_per_section,
        "inbox": inbox(sender, plan.subject, plan.preheader),
        "themes": [{"id": t.id, "label": t.label} for t in config.themes],
        "highlights": [entry_card(e, True) for e in plan.highlights],
        "sections": [{"id": s.theme.id, "label": s.theme.label, "more": s.more,
                      "summaries": [entry_card(e, False) for e in s.entries]}
                     for s in plan.sections],
        "excluded": [summary_card(s, config, "excluded from this issue", classified)
                     for s in plan.excluded],
        "candidates": [summary_card(s, config, candidate_reason(s, plan), classified)
                       for s in built.candidates or []],
        "findings": finding_dicts(report, plan) if report else [],
        "counts": report.counts if report else None,
        "checks_pending": built.apart_started and apart is None,
        "count": plan.count, "bytes": html_bytes,
        "warnings": [str(w) for w in result.warnings + result.notices],
        "send_test": send_test_settings(config), "services": service_names(),
    }
