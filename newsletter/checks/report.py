"""How a check report is shown to people: a table of findings and a last line with the counts."""

from __future__ import annotations

import textwrap
from datetime import date
from itertools import zip_longest
from typing import Any

from newsletter.checks.model import Finding
from newsletter.checks.runner import CheckReport
from newsletter.errors import NewsletterError
from newsletter.issue.dates import range_id

HEADERS = ("LEVEL", "CHECK", "WHERE", "MESSAGE / HOW TO FIX")
GAP = "  "
MAX_WHERE = 34
MIN_MESSAGE = 30


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'s' * (count != 1)}"


def _count(count: int, level: str) -> str:
    return f"{count} info" if level == "info" else _plural(count, level)


def counts_text(report: CheckReport) -> str:
    counts = report.counts
    return ", ".join(_count(counts[level], level) for level in ("error", "warning", "info"))


def counts_line(report: CheckReport, strict: bool = False) -> str:
    """The last line: counts, what ran, and the verdict."""
    verdict = "passed"
    if report.failed(strict):
        verdict = "failed" if report.counts["error"] else "failed (--strict: warnings fail)"
    subject = f"Issue {report.issue}" + (f" for {report.service}" if report.service else "")
    skipped = f", {len(report.skipped)} skipped" if report.skipped else ""
    return (f"{subject}: {counts_text(report)} ({_plural(len(report.ran), 'check')} run"
            f"{skipped}): {verdict}")


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        lines += textwrap.wrap(paragraph, width, break_long_words=True,
                               break_on_hyphens=False) or [""]
    return lines


def findings_table(findings: list[Finding], width: int = 100) -> str:
    """A table whose cells wrap; the fix follows the message in the last column."""
    if not findings:
        return ""
    level_w = max(len(HEADERS[0]), *(len(f.level) for f in findings))
    check_w = max(len(HEADERS[1]), *(len(f.check) for f in findings))
    where_w = min(MAX_WHERE, max(len(HEADERS[2]), *(len(f.where) for f in findings)))
    message_w = max(MIN_MESSAGE, width - level_w - check_w - where_w - 3 * len(GAP))
    widths = (level_w, check_w, where_w, message_w)
    out = [_row(HEADERS, widths), _row(tuple("-" * w for w in widths), widths)]
    for f in findings:
        message = f.message + (f"\nFix: {f.fix}" if f.fix else "")
        cells = [[f.level], [f.check], _wrap(f.where, where_w), _wrap(message, message_w)]
        for line in zip_longest(*cells, fillvalue=""):
            out.append(_row(line, widths))
    return "\n".join(out) + "\n"


def _row(cells: tuple[str, ...], widths: tuple[int, ...]) -> str:
    return GAP.join(cell.ljust(w) for cell, w in zip(cells, widths, strict=True)).rstrip()


def report_as_text(report: CheckReport, strict: bool = False, width: int = 100) -> str:
    """The whole `newsletter check` output: table, skipped checks with reasons, counts line."""
    out = [findings_table(report.findings, width) or "No findings.\n"]
    for disabled in report.skipped:
        out.append(f"Skipped {disabled.id}: {disabled.reason}\n")
    out.append(counts_line(report, strict) + "\n")
    return "".join(out)


def error_document(error: NewsletterError, issue_id: str | None, start: date | None,
                   end: date | None, service: str | None, strict: bool) -> dict[str, Any]:
    """`check --json` when the issue cannot be built at all (no workspace, a config or content
    problem): the report's shape, nothing checked, and the error with its problems."""
    issue = issue_id or (range_id(start, end) if start and end else None)
    return {
        "issue": issue, "service": service, "strict": strict, "passed": False,
        "counts": {"error": 0, "warning": 0, "info": 0}, "findings": [], "skipped": [],
        "checks": [],
        "error": {"message": error.message, "exit_code": error.exit_code,
                  "problems": [p.as_dict() for p in error.problems]},
    }
