"""`newsletter export`: build an issue (in memory) and write the files one or every mailing service takes.

Each service gets its own folder, by default <output_dir>/_export/<issue-id>/<service>/ (the
underscore keeps it apart from build folders, which are named after issue ids and replaced whole by
`newsletter build`). Every exporter runs before anything is written, so a problem in one service
(all are listed) leaves every folder as it was. A folder is replaced in one rename, and only when it
is empty or was written by a previous export (it holds our marker file).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from newsletter.build import GENERATOR, build
from newsletter.errors import ExportError, OutputError, Problem, UsageError
from newsletter.exporting.services import ALL, REGISTRY, get, service_names
from newsletter.storage.output import replace_dir
from newsletter.workspace import Workspace

EXPORT_DIR = "_export"
MARKER = ".newsletter-export.json"
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
    targets = {name: base / name for name in names}
    _check_targets(targets.values())
    written: list[Path] = []
    for name, files in outputs.items():
        _write(targets[name], files, name, issue)
        written += [targets[name] / file for file in files]
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


def _check_targets(targets: Iterable[Path]) -> None:
    problems = []
    for target in targets:
        if not target.exists():
            continue
        if not target.is_dir():
            problems.append(Problem(str(target), "exists and is not a folder",
                                    fix="move it away or choose another --out"))
        elif any(target.iterdir()) and not (target / MARKER).is_file():
            problems.append(Problem(str(target), "is not empty and was not written by "
                                    "`newsletter export`", fix="choose another --out, or empty "
                                    "or remove that folder first"))
    if problems:
        raise OutputError("nothing was exported: a folder would replace files that are not ours",
                          problems)


def _write(target: Path, files: dict[str, bytes], service: str, issue: str) -> None:
    marker = {"service": service, "issue": issue, "files": sorted(files), "generator": GENERATOR}
    payload = dict(files)
    payload[MARKER] = (json.dumps(marker, indent=2) + "\n").encode("utf-8")
    try:
        replace_dir(target, payload)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from None
