"""The build stage: prepare (load, select, plan) -> render -> size gate -> manifest.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import math
import re
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from newsletter import __version__
from newsletter.config.schema import Config
from newsletter.errors import Problem, SizeLimitError, TemplateError
from newsletter.issue.plan import Plan, issue_header, make_plan
from newsletter.issue.select import Selection, select
from newsletter.issue.spec import IssueSpec, resolve_issue
from newsletter.limits import GMAIL_CLIP_BYTES, WARN_BYTES, byte_size, is_clipped, is_near_clip
from newsletter.render import placeholders
from newsletter.render.email import RenderedEmail, render_email
from newsletter.storage.cache import (
    cache_folder,
    caching_enabled,
    code_stamp,
    html_cache_dir,
    read_entry,
    write_entry,
)
from newsletter.storage.lock import workspace_lock
from newsletter.storage.memo import Memo, keeping_results
from newsletter.storage.output import Ownership, write_output
from newsletter.storage.unchanged import BuildRecord, output_stamps, summary_text
from newsletter.summaries.library import LibraryMemo, load_library
from newsletter.summaries.listing import Listing
from newsletter.summaries.model import Library
from newsletter.workspace import Workspace

GENERATOR = f"newsletter {__version__}"
OUTPUT_FILES = ("email.html", "email.txt", "email.mjml", "manifest.json")
# A build folder is ours when its manifest names our generator and it holds only our files.
BUILD_OUTPUT = Ownership(("manifest.json",), re.compile("|".join(map(re.escape, OUTPUT_FILES))),
                         "newsletter build")


@dataclass
class Prepared:
    """An issue's plan and what was noticed on the way (no rendering yet)."""

    plan: Plan
    warnings: list[Problem]
    timings: dict[str, float]
    archive_size: int
    selection: Selection | None = None
    notices: list[Problem] = field(default_factory=list)


@dataclass
class BuildResult:
    plan: Plan
    email: RenderedEmail
    html: str
    text: str
    manifest: dict[str, Any]
    warnings: list[Problem]
    timings: dict[str, float]
    out_dir: Path | None = None
    written: list[tuple[Path, int]] = field(default_factory=list)
    notices: list[Problem] = field(default_factory=list)
    # each written file's stamp (storage.unchanged.output_stamps), taken under the lock right
    # after writing
    output_stamps: dict[str, list[int]] = field(default_factory=dict)


def prepare(ws: Workspace, issue_id: str | None = None, start: date | None = None,
            end: date | None = None, *, skip_invalid: bool = False,
            memo: LibraryMemo | None = None, changed: list[str] | None = None,
            listing: Listing | None = None) -> Prepared:
    """Select and group an issue. `memo`/`changed`: see content.load_library (the preview);
    `listing`: the summary files as storage.unchanged listed them (not listed again)."""
    clock = time.perf_counter()
    issue, warnings = resolve_issue(ws, issue_id, start, end)
    archive = load_library(ws, skip_invalid=skip_invalid, memo=memo, changed=changed,
                           use_cache=caching_enabled(), listing=listing)
    loaded = time.perf_counter()
    prepared = plan_issue(ws, issue, archive, warnings)
    prepared.timings = {"scan": loaded - clock - archive.parse_seconds,
                        "parse": archive.parse_seconds,
                        "select_group": time.perf_counter() - loaded}
    return prepared


def plan_issue(ws: Workspace, issue: IssueSpec, library: Library,
               warnings: Sequence[Problem] = ()) -> Prepared:
    """Select and group one issue from a loaded library (the web archive builds many so)."""
    selection = select(library, issue)
    plan = make_plan(ws.config, selection)
    return Prepared(plan, [*warnings, *library.warnings, *library.skipped], {}, library.size,
                    selection, library.notices)


def workspace_values(config: Config, issue_id: str) -> dict[str, str | None]:
    """Placeholder values the workspace itself knows; the others stay for the exporters."""
    values: dict[str, str | None] = {}
    if config.unsubscribe_url:
        values["unsubscribe_url"] = config.unsubscribe_url
    if config.archive_url:
        values["web_version_url"] = web_version_url(config, issue_id)
    if config.postal_address:
        values["postal_address"] = config.postal_address
    values["preferences_url"] = config.preferences_url or None
    return values


def web_version_url(config: Config, issue_id: str) -> str:
    return f"{config.archive_url.rstrip('/')}/{issue_id}/"


def _placeholder_notes(config: Config) -> list[Problem]:
    notes = []
    for key, token in (("unsubscribe_url", placeholders.TOKENS["unsubscribe_url"]),
                       ("postal_address", placeholders.TOKENS["postal_address"]),
                       ("archive_url", placeholders.TOKENS["web_version_url"])):
        if not getattr(config, key):
            notes.append(Problem("newsletter.toml", f"{key} is not set, so the email keeps the "
                                 f"placeholder {token} for a mailing service to fill",
                                 field=key, fix=f"set {key}, or use `newsletter export`",
                                 level="warning"))
    return notes


def build(ws: Workspace, issue_id: str | None = None, start: date | None = None,
          end: date | None = None, *, out_dir: Path | None = None, write: bool = True,
          skip_invalid: bool = False, listing: Listing | None = None) -> BuildResult:
    with issue_memo(ws, issue_id, start, end) as memo:
        prepared = prepare(ws, issue_id, start, end, skip_invalid=skip_invalid, listing=listing)
        result = render_plan(ws, prepared)
        result.notices += memo.notices
        if is_clipped(byte_size(result.html)):
            raise size_error(result, fitting_limit(ws, prepared, result))
    if write:
        target = out_dir or ws.output_path / result.plan.issue.id
        files = {"email.html": result.html, "email.txt": result.text, "email.mjml": result.email.mjml,
                 "manifest.json": json.dumps(result.manifest, indent=2, ensure_ascii=False) + "\n"}
        with workspace_lock(ws.root):
            target = write_output(target, {k: v.encode("utf-8") for k, v in files.items()},
                                  BUILD_OUTPUT)
            result.output_stamps = output_stamps(target)
        result.out_dir = target
        result.written = [(target / name, len(files[name].encode("utf-8"))) for name in files]
    return result


@contextmanager
def issue_memo(ws: Workspace, issue_id: str | None, start: date | None,
               end: date | None) -> Iterator[Memo]:
    """The memo of an issue's teasers and keyword counts (storage.memo), kept for the next
    build or check of the same issue."""
    scope = f"{issue_id or ''}\x1f{start or ''}\x1f{end or ''}"
    with keeping_results(cache_folder(ws.root, "memo"), scope) as memo:
        yield memo


def render_plan(ws: Workspace, prepared: Prepared) -> BuildResult:
    """Render a prepared plan and fill the placeholders the workspace knows (nothing written)."""
    plan = prepared.plan
    email = render_email(ws.config, plan, ws.templates_path, html_cache_dir(ws.root))
    guard_disclaimer(ws.config, email, cache_folder(ws.root, "guard"))
    values = workspace_values(ws.config, plan.issue.id)
    html = placeholders.fill(email.html, values, is_html=True)
    text = placeholders.fill(email.text, values, is_html=False)
    warnings = prepared.warnings + _placeholder_notes(ws.config)
    manifest = make_manifest(plan, html, text, email.mjml, warnings, prepared.archive_size)
    return BuildResult(plan, email, html, text, manifest, warnings,
                       prepared.timings | email.timings, notices=prepared.notices + email.notices)


def guard_disclaimer(config: Config, email: RenderedEmail, cache: Path | None = None) -> None:
    """A workspace may reword the disclaimer but never drop or hide it: the build runs the two
    rules `newsletter check` runs (disclaimer.html, disclaimer.text) and refuses on either.
    A passed email is remembered (`cache`) by what decides it: the email, the wording and the
    checks' code, so an unchanged build neither imports nor runs them again."""
    key = hashlib.sha256("\x1f".join((_checks_stamp(), config.disclaimer.text, email.html,
                                       email.text)).encode("utf-8")).hexdigest()
    if read_entry(cache, key, ".ok") is not None:
        return
    from newsletter.checks.model import CheckContext
    from newsletter.checks.rules.disclaimer import in_html, in_text

    ctx = CheckContext(email.html, email.text, config)
    html, text = in_html(ctx), in_text(ctx)
    if not html and not text:
        write_entry(cache, key, ".ok", "passed")
        return
    parts = (["the HTML"] if html else []) + (["the plain text"] if text else [])
    problems = [Problem("templates", f.message, fix=f.fix) for f in html + text]
    raise TemplateError(f"the disclaimer is missing from {' and '.join(parts)}", problems)


@lru_cache(maxsize=1)
def _checks_stamp() -> str:
    """The checks package's code (found by path: importing it would import lxml)."""
    return code_stamp(Path(__file__).parent / "checks", extra=[__version__])


def size_error(result: BuildResult, limit: int | None) -> SizeLimitError:
    size = len(result.html.encode("utf-8"))
    plan = result.plan
    where = plan.issue.path or f"issues/{plan.issue.id}.toml"
    fix = (f"set max_per_section = {limit} (each section then keeps its {limit} newest and links "
           f"to the rest; the email stays under {WARN_BYTES:,} bytes, so `check --strict` passes "
           "too), or exclude some summaries" if limit else
           "exclude some summaries or shorten the intro and teasers")
    return SizeLimitError(
        f"email.html would be {size:,} bytes ({plan.count} cards); Gmail clips emails above "
        f"{GMAIL_CLIP_BYTES:,} bytes (about 102 KB), hiding the rest, the footer and the "
        "responsive styles",
        [Problem(where, "the issue is too large for one email", field="max_per_section", fix=fix)],
    )


def fitting_limit(ws: Workspace, prepared: Prepared, result: BuildResult) -> int | None:
    """The largest max_per_section whose email stays under `check`'s size warning (so that
    `check --strict` passes on the suggested fix too), found by rendering candidates."""
    if prepared.selection is None:
        return None
    sizes = [len(s.entries) + s.more for s in result.plan.sections]
    size = byte_size(result.html)
    per_card = size / max(result.plan.count, 1)  # fixed part included: a guess on the low side
    limit = _suggest_limit(sizes, math.ceil((size - WARN_BYTES) / per_card))
    while limit >= 1 and not _fits(ws, prepared, limit):
        limit -= 1
    if limit < 1:
        return None
    while limit + 1 < max(sizes, default=0) and _fits(ws, prepared, limit + 1):
        limit += 1  # the guess cut more than needed
    return limit


def _fits(ws: Workspace, prepared: Prepared, limit: int) -> bool:
    """Does the issue with this max_per_section stay under the size warning?"""
    assert prepared.selection is not None
    issue = dataclasses.replace(prepared.plan.issue, max_per_section=limit)
    selection = dataclasses.replace(prepared.selection, issue=issue)
    trial = dataclasses.replace(prepared, plan=make_plan(ws.config, selection))
    return not is_near_clip(byte_size(render_plan(ws, trial).html))


def _suggest_limit(section_sizes: list[int], cut: int) -> int:
    """The largest per-section limit that removes at least `cut` cards (a first guess)."""
    total = sum(section_sizes)
    for limit in range(max(section_sizes, default=1), 0, -1):
        if total - sum(min(n, limit) for n in section_sizes) >= cut:
            return limit
    return 1


def make_manifest(plan: Plan, html: str, text: str, mjml: str, warnings: list[Problem],
                  archive_size: int) -> dict[str, Any]:
    return {
        **issue_header(plan),
        "issue_file": plan.issue.path,
        "sections": [
            {"id": s.theme.id, "label": s.theme.label,
             "summaries": [e.summary.id for e in s.entries], "more": s.more}
            for s in plan.sections
        ],
        "highlights": [e.summary.id for e in plan.highlights],
        "excluded": [s.id for s in plan.excluded],
        "count": plan.count,
        "archive_size": archive_size,
        "bytes": {"html": len(html.encode("utf-8")), "text": len(text.encode("utf-8")),
                  "mjml": len(mjml.encode("utf-8"))},
        "placeholders": placeholders.remaining(html + text),
        "warnings": [str(w) for w in warnings],
        "generator": GENERATOR,
    }


def build_summary(result: BuildResult, cwd: Path) -> str:
    plan = result.plan
    return summary_text(plan.issue.id, plan.issue.period, plan.count, len(plan.sections),
                        result.written, cwd)


def build_record(result: BuildResult, counts: str) -> BuildRecord:
    """What storage.unchanged keeps of a written build, to skip the next one if nothing
    changes (the warnings are the content's; the cache's notices are not kept)."""
    plan = result.plan
    return BuildRecord(plan.issue.id, plan.issue.period, plan.count, len(plan.sections),
                       [(str(path), size) for path, size in result.written], counts,
                       list(result.warnings), str(result.out_dir or ""), result.output_stamps)
