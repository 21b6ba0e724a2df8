"""The plan shown to staff: `newsletter plan` as text or JSON.
"""

from __future__ import annotations

from typing import Any

from newsletter.errors import Problem
from newsletter.issue.plan import Entry, Plan, issue_header


def _entry_dict(entry: Entry) -> dict[str, Any]:
    s = entry.summary
    return {
        "id": s.id,
        "date": s.date.isoformat(),
        "title": s.title,
        "path": s.path,
        "theme": entry.theme.label,
        "theme_how": entry.theme.how,
        "theme_reason": entry.theme.reason(),
        "study_type": entry.study_type.label,
        "study_type_how": entry.study_type.how,
        "study_type_reason": entry.study_type.reason(),
    }


def plan_as_dict(plan: Plan, warnings: list[Problem]) -> dict[str, Any]:
    return {
        **issue_header(plan),
        "count": plan.count,
        "highlights": [_entry_dict(e) for e in plan.highlights],
        "sections": [
            {"id": s.theme.id, "label": s.theme.label, "more": s.more,
             "summaries": [_entry_dict(e) for e in s.entries]}
            for s in plan.sections
        ],
        "excluded": [s.id for s in plan.excluded],
        "warnings": [w.as_dict() for w in warnings],
    }


def _entry_lines(entry: Entry, show_theme: bool) -> list[str]:
    s = entry.summary
    study = entry.study_type
    study_text = (f"{study.label} ({study.reason()})" if study.how == "keywords"
                  else study.label or f"unclear ({study.reason()})")
    lines = [f"  {s.date.isoformat()}  {s.id}", f"      {s.title}"]
    if show_theme:
        lines.append(f"      theme: {entry.theme.label} ({entry.theme.reason()})")
    lines.append(f"      study type: {study_text}")
    return lines


def plan_as_text(plan: Plan) -> str:
    issue = plan.issue
    sections = len(plan.sections)
    out = [
        f"Issue {issue.id}: {issue.period} ({issue.start} to {issue.end}), {plan.count} "
        f"summar{'ies' if plan.count != 1 else 'y'} in {sections} section"
        f"{'s' * (sections != 1)}",
        f"Subject:   {plan.subject}",
        f"Preheader: {plan.preheader}",
    ]
    if plan.highlights:
        out += ["", f"Highlights ({len(plan.highlights)})"]
        for entry in plan.highlights:
            out += _entry_lines(entry, show_theme=True)
    for section in plan.sections:
        more = f", {section.more} more linked" if section.more else ""
        out += ["", f"{section.theme.label} [{section.theme.id}] ({len(section.entries)}{more})"]
        for entry in section.entries:
            lines = _entry_lines(entry, show_theme=False)
            lines.insert(2, f"      why here: {entry.theme.reason()}")
            out += lines
    if plan.excluded:
        out += ["", f"Excluded by the issue file ({len(plan.excluded)}): "
                + ", ".join(s.id for s in plan.excluded)]
    return "\n".join(out) + "\n"
