"""The check counts `build` prints, remembered by what decides them.

The findings of the checks depend only on the email (HTML and text), the workspace settings, the
plan (titles, teasers, study types, sections) and the checks' own code. Keyed by a hash of all
of them, an unchanged build prints the same counts without importing or running the checks.
`newsletter check` always runs them.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from newsletter import __version__
from newsletter.build import BuildResult
from newsletter.storage.cache import cache_folder, code_stamp, read_entry, write_entry
from newsletter.workspace import Workspace

CHECKS_PACKAGE = Path(__file__).parent


@lru_cache(maxsize=1)
def rules_stamp() -> str:
    """Every module of the checks package, rules included (recursively)."""
    return code_stamp(CHECKS_PACKAGE, extra=[__version__])


def _plan_fingerprint(result: BuildResult) -> str:
    plan = result.plan
    entries = [(e.summary.path, e.summary.id, e.summary.url, e.summary.title, e.summary.teaser,
                e.summary.teaser_given, e.study_type.label, e.study_type.how, e.theme.label)
               for e in plan.entries]
    sections = [(s.theme.id, len(s.entries), s.more) for s in plan.sections]
    return repr((plan.issue, plan.subject, plan.preheader, entries, sections))


def key_for(ws: Workspace, result: BuildResult) -> str:
    digest = hashlib.sha256()
    for part in (rules_stamp(), repr(ws.config), _plan_fingerprint(result), result.html,
                 result.text):
        digest.update(part.encode("utf-8"))
        digest.update(b"\x1f")
    return digest.hexdigest()


def counts_for_build(ws: Workspace, result: BuildResult) -> str:
    """The counts line of the checks for a build ("0 errors, 1 warning, 1 info"). A cached
    line that does not verify adds a notice to `result.notices`."""
    folder = cache_folder(ws.root, "checks")
    key = key_for(ws, result)
    cached = read_entry(folder, key, ".txt", result.notices)
    if cached is not None:
        return cached
    from newsletter.checks.report import counts_text
    from newsletter.checks.runner import check_build

    text = counts_text(check_build(ws, result))
    write_entry(folder, key, ".txt", text)
    return text
