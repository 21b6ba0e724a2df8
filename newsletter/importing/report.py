"""How an import run is shown: what was read and chosen, the result table, and the notes."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from newsletter.errors import Problem
from newsletter.importing.run import ImportResult, iter_statuses
from newsletter.workspace import shown_path

LISTED = 20  # new/updated files listed by name; more are counted
CHOICES_LISTED = 5


def report_text(result: ImportResult, cwd: Path) -> str:
    """The run's standard output: formats chosen, names mapped, the table, the files."""
    out = _choices(result)
    if result.aliases:
        out.append("Field names mapped: " + ", ".join(
            f"{alias} -> {canonical} ({n})" for (alias, canonical), n in result.aliases.items()))
    if result.unknown_categories:
        out.append("Categories that are not themes (left for the classifier): " + ", ".join(
            f"{name} ({n})" for name, n in sorted(result.unknown_categories.items())))
    extras = _extra_keys(result)
    if extras:
        out.append("Extra front-matter keys kept: " + ", ".join(
            f"{key} ({n})" for key, n in sorted(extras.items())))
    if result.skipped_files:
        out.append(f"Skipped {len(result.skipped_files)} file"
                   f"{'s' * (len(result.skipped_files) != 1)} with an unknown extension "
                   f"(pass --format to read them): " + _some(result.skipped_files))
    out += ["", _heading(result)]
    width = max(len(name) for name, _ in iter_statuses(result))
    out += [f"  {name:<{width}}  {count:>6}" for name, count in iter_statuses(result)]
    for status, title in (("new", "New"), ("updated", "Updated")):
        paths = [i.path for i in result.items if i.status == status and i.path is not None]
        if paths:
            out += ["", f"{title}:"] + [f"  {shown_path(p, cwd)}" for p in paths[:LISTED]]
            if len(paths) > LISTED:
                out.append(f"  ... and {len(paths) - LISTED} more")
    return "\n".join(out) + "\n"


def report_warnings(result: ImportResult) -> list[Problem]:
    """Notes about records (grouped when many records share one), and, with --skip-invalid,
    the invalid records that were left out."""
    groups: dict[tuple[str | None, str], list[Problem]] = defaultdict(list)
    for item in result.items:
        for note in item.notes:
            groups[(note.field, note.message)].append(note)
    warnings = [_group(notes) for notes in groups.values()]
    if result.options.skip_invalid:
        warnings += [Problem(p.where, "left out: " + p.message, p.field, p.fix, p.line, "warning")
                     for p in result.invalid_problems()]
    return warnings


def _choices(result: ImportResult) -> list[str]:
    if not result.choices:
        return ["No files to read."]
    if len(result.choices) <= CHOICES_LISTED:
        return ["Read " + "; ".join(f"{c.label} as {c.format} ({c.reason})"
                                    for c in result.choices)]
    groups: dict[tuple[str, str], list[str]] = defaultdict(list)
    for choice in result.choices:
        groups[(choice.format, choice.reason)].append(choice.label)
    lines = [f"Read {len(result.choices)} files:"]
    lines += [f"  {len(labels)} as {fmt} ({reason}): {_some(labels)}"
              for (fmt, reason), labels in groups.items()]
    return lines


def _heading(result: ImportResult) -> str:
    where = result.summaries_dir
    if result.options.dry_run:
        return f"Dry run, nothing written. Importing into {where} would give:"
    if result.blocked:
        return f"Nothing written (invalid records). Importing into {where} would give:"
    return f"Imported into {where}:"


def _extra_keys(result: ImportResult) -> dict[str, int]:
    from newsletter.summaries.model import KNOWN_KEYS

    counts: dict[str, int] = defaultdict(int)
    for item in result.items:
        if item.status in ("new", "updated", "unchanged"):
            for key in item.meta:
                if key not in KNOWN_KEYS:
                    counts[key] += 1
    return counts


def _group(notes: list[Problem]) -> Problem:
    first = notes[0]
    if len(notes) == 1:
        return first
    places = [n.where if n.line is None else f"{n.where}:{n.line}" for n in notes]
    return Problem(_some(places), f"{first.message} ({len(notes)} records)", first.field,
                   first.fix, None, "warning")


def _some(names: list[str], limit: int = 3) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")
