"""Dates and periods of an issue: month ids, ranges, and how dates are written.
"""

from __future__ import annotations

import calendar
import re
from datetime import date

MONTH_ID = re.compile(r"(\d{4})-(\d{2})")


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")


def month_range(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def parse_month(issue_id: str) -> tuple[date, date] | None:
    match = MONTH_ID.fullmatch(issue_id)
    if not match or not 1 <= int(match.group(2)) <= 12:
        return None
    return month_range(int(match.group(1)), int(match.group(2)))


def range_id(start: date, end: date) -> str:
    """`2026-05` for exactly one calendar month, else `<from>_<to>`."""
    if (start, end) == month_range(start.year, start.month):
        return f"{start.year:04d}-{start.month:02d}"
    return f"{start.isoformat()}_{end.isoformat()}"


def format_period(start: date, end: date) -> str:
    if (start, end) == month_range(start.year, start.month):
        return f"{MONTHS[start.month - 1]} {start.year}"
    if start == end:
        return format_date(start)
    if (start.year, start.month) == (end.year, end.month):
        return f"{start.day}–{end.day} {MONTHS[end.month - 1]} {end.year}"
    left = f"{start.day} {MONTHS[start.month - 1]}"
    if start.year != end.year:
        left += f" {start.year}"
    return f"{left} – {format_date(end)}"


def format_date(day: date) -> str:
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"
