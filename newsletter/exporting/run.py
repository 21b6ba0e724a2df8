"""`newsletter export`: build an issue (in memory) and write the files one or every mailing service takes.

Each service gets its own folder, by default <output_dir>/_export/<issue-id>/<service>/ (the
underscore keeps it apart from build folders, which are named after issue ids and replaced whole by
`newsletter build`). Every exporter runs before anything is written, so a problem in one service
(all are listed) leaves every folder as it was. The issue's export folder (every service in it,
the ones not exported this time carried over) is replaced in one step, and only when it is empty or
was written by a previous export (it holds our marker and nothing else).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from newsletter.build import GENERATOR, build
from newsletter.errors import ExportError, OutputError, Problem, UsageError
from newsletter.exporting.services import ALL, REGISTRY, get, service_names
from newsletter.storage.lock import workspace_lock
from newsletter.storage.output import Ownership, check_target, replace_dir
from newsletter.workspace import Workspace

EXPORT_DIR = "_export"
MARKER = ".newsletter-export.json"
# The export folder of an issue is ours when it (or, as older versions wrote it, one of its
# service folders) holds our marker, and it holds nothing but service folders of ours.
EXPORT_OUTPUT = Ownership(
    (MARKER, *(f"{name}/{MARKER}" for name in REGISTRY)),
    re.compile(re.escape(MARKER) + "|(?:" + "|".join(map(re.escape, REGISTRY)) + r")/[^/]+"),
    "newsletter export")
# Notes `build` gives about placeholders left for a service to fill: an export fills them.
_FILLED_BY_EXPORT = {"unsubscribe_url", "postal_address", "archive_url"}


@dataclass
class ExportResult:
    issue_id: str
    out_dir: Path
    written: list[Path]
    warnings: list[Problem]
    notices: list[Problem] = field(default_factory=list)  # about the caches, never the output


def default_out_dir(ws: Workspace, issue_id: str) -> Path:
    return ws.output_path / EXPORT_DIR / issue_id


def export(ws: Workspace, issue_id: str | None, start: date | None, end: date | None,
           service: str, *, out_dir: Path | None = None, skip_invalid: bool = False) -> ExportResult:
    """Export for `service` (or every service for "all"); returns the paths written."""
    names = _services(service)
    result = build(ws, issue_id, start, end, write=False, skip_invalid=skip_invalid)
    issue = result.plan.issue.id
    outputs: dict[str, dict[str, bytes]] = {}
    failures: dict[str, ExportError] = {}
    for name in names:
        try:
            outputs[name] = get(name).export(result, ws.config)
        except ExportError as exc:
            failures[name] = exc
    if len(names) == 1 and failures:
        raise failures[names[0]]
    if failures:
        raise ExportError(f"nothing was exported: {len(failures)} of {len(names)} services cannot "
                          "be exported as the workspace stands", _merged(failures))
    base = out_dir or default_out_dir(ws, issue)
    with workspace_lock(ws.root):
        base = check_target(base, EXPORT_OUTPUT)
        files = _carried_over(base, names)
        for name, service_files in outputs.items():
            files.update(_service_files(name, service_files, issue))
        files[MARKER] = _marker({"issue": issue, "services": sorted(
            {rel.split("/", 1)[0] for rel in files}), "generator": GENERATOR})
        base = _write(base, files)
    written = [base / name / file for name, service_files in outputs.items()
               for file in service_files]
    warnings = [w for w in result.warnings
                if not (w.where == "newsletter.toml" and w.field in _FILLED_BY_EXPORT)]
    return ExportResult(issue, base, written, warnings, result.notices)


def _services(service: str) -> list[str]:
    if service == ALL:
        return list(REGISTRY)
    if service not in REGISTRY:
        raise UsageError(f"unknown service '{service}'; choose one of: {', '.join(service_names())}")
    return [service]


def _merged(failures: dict[str, ExportError]) -> list[Problem]:
    """Each failing service in one line, then each problem once (several services may share one)."""
    heads = [Problem(name, exc.message) for name, exc in failures.items()]
    details: dict[tuple[str, str | None, str], Problem] = {}
    for exc in failures.values():
        for problem in exc.problems:
            details.setdefault((problem.where, problem.field, problem.fix or problem.message), problem)
    return heads + list(details.values())


def _carried_over(base: Path, replaced: Iterable[str]) -> dict[str, bytes]:
    """The other services' files already in the export folder (exporting one service keeps
    them): the folder is replaced whole, in one step, with them in it."""
    files: dict[str, bytes] = {}
    if not base.is_dir():
        return files
    for folder in sorted(base.iterdir()):
        if folder.name in replaced or folder.name not in REGISTRY or not folder.is_dir():
            continue
        for path in sorted(folder.iterdir()):
            if path.is_file() and not path.is_symlink():
                files[f"{folder.name}/{path.name}"] = path.read_bytes()
    return files


def _service_files(service: str, files: dict[str, bytes], issue: str) -> dict[str, bytes]:
    marker = {"service": service, "issue": issue, "files": sorted(files), "generator": GENERATOR}
    payload = {f"{service}/{name}": data for name, data in files.items()}
    payload[f"{service}/{MARKER}"] = _marker(marker)
    return payload


def _marker(data: dict[str, object]) -> bytes:
    return (json.dumps(data, indent=2) + "\n").encode("utf-8")


def _write(base: Path, files: dict[str, bytes]) -> Path:
    try:
        replace_dir(base, files)
    except OSError as exc:
        raise OutputError(f"nothing was exported: cannot write {base}: "
                          f"{exc.strerror or exc}") from None
    return base
