"""The static web archive: an index of every issue, a web version of each, and an Atom feed.

The pages are plain files (no scripts) that can be uploaded anywhere; `<archive_url>/<issue-id>/`
is where the emails' view-in-browser links point.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from newsletter.build import GENERATOR, BuildResult, plan_issue, render_plan
from newsletter.config.schema import Config
from newsletter.errors import ArchiveError, NewsletterError, Problem
from newsletter.issue.spec import load_issue_file
from newsletter.render import placeholders
from newsletter.render.html import render_template, template_env
from newsletter.storage.cache import caching_enabled
from newsletter.storage.lock import workspace_lock
from newsletter.storage.output import Ownership, write_output
from newsletter.summaries.library import load_library
from newsletter.values import slug
from newsletter.workspace import Workspace

MARKER = "archive.json"
# An archive folder is ours when its archive.json names our generator and it holds only pages
# of ours: the index, the feed, the listing and one index.html per issue.
ARCHIVE_OUTPUT = Ownership(
    (MARKER,), re.compile(r"index\.html|feed\.xml|archive\.json|[A-Za-z0-9][A-Za-z0-9._-]*/index\.html"),
    "newsletter archive")


@dataclass(frozen=True)
class ArchiveEntry:
    id: str
    period: str
    subject: str
    preheader: str
    count: int
    themes: list[str]
    href: str
    url: str
    atom_id: str
    updated: str


@dataclass
class ArchiveResult:
    out_dir: Path
    entries: list[ArchiveEntry]
    written: list[Path]
    notices: list[Problem] = field(default_factory=list)  # about the caches, never the output


def web_version(config: Config, result: BuildResult) -> str:
    """The email as a web page: no merge tags, no unsubscribe (a subscribe link instead)."""
    subscribe = (f'<a href="{html.escape(config.subscribe_url)}">Subscribe to '
                 f"{html.escape(config.name)}</a>" if config.subscribe_url else "")
    page = placeholders.replace_block(result.email.html, "unsubscribe_url", subscribe)
    values = {"web_version_url": None, "preferences_url": None,
              "postal_address": config.postal_address}
    return with_main_landmark(placeholders.fill(page, values, is_html=True))


_BODY = re.compile(r"(<body\b[^>]*>)(.*)(</body>)", re.S | re.I)


def with_main_landmark(page: str) -> str:
    """The page's content inside <main>, so a screen reader can jump to it (an email has no
    landmark of its own; the web version is a page)."""
    return _BODY.sub(lambda m: f"{m.group(1)}<main>{m.group(2)}</main>{m.group(3)}", page,
                     count=1)


def _entry(config: Config, result: BuildResult, base_url: str) -> ArchiveEntry:
    plan = result.plan
    issue = plan.issue
    href = f"{issue.id}/"
    url = base_url + href if base_url else href
    atom_id = url if base_url else f"urn:newsletter:{(slug(config.name) or 'newsletter')}:{issue.id}"
    return ArchiveEntry(
        id=issue.id, period=issue.period, subject=plan.subject, preheader=plan.preheader,
        count=plan.count, themes=[s.theme.label for s in plan.sections], href=href, url=url,
        atom_id=atom_id, updated=f"{issue.end.isoformat()}T00:00:00Z")


def build_archive(ws: Workspace, out_dir: Path | None = None) -> ArchiveResult:
    """Build every issue in issues/ and write the archive; every failing issue is listed."""
    files = sorted(ws.issues_path.glob("*.toml"))
    if not files:
        raise ArchiveError(f"{ws.relative(ws.issues_path)} holds no issue files; create one with "
                           "`newsletter new YYYY-MM`")
    archive = load_library(ws, use_cache=caching_enabled())
    base_url = ws.config.archive_url.rstrip("/") + "/" if ws.config.archive_url else ""
    built: list[tuple[ArchiveEntry, str]] = []
    problems: list[Problem] = []
    notices: list[Problem] = archive.notices
    for path in files:
        try:
            issue = load_issue_file(ws, path)
            result = render_plan(ws, plan_issue(ws, issue, archive))
            notices += [n for n in result.notices if n not in notices]
        except NewsletterError as exc:
            problems.append(Problem(ws.relative(path), exc.message))
            problems += exc.problems
            continue
        built.append((_entry(ws.config, result, base_url), web_version(ws.config, result)))
    if problems:
        raise ArchiveError(f"{len(problems)} problem{'s' * (len(problems) != 1)} building the "
                           "archive; nothing was written", problems)
    built.sort(key=lambda item: (item[0].updated, item[0].id), reverse=True)
    entries = [entry for entry, _ in built]
    outputs = _pages(ws, entries, base_url)
    for entry, page in built:
        outputs[f"{entry.id}/index.html"] = page
    target = out_dir or ws.output_path / "archive"
    with workspace_lock(ws.root):
        target = write_output(target, {name: text.encode("utf-8")
                                       for name, text in outputs.items()}, ARCHIVE_OUTPUT)
    return ArchiveResult(target, entries, [target / name for name in outputs], notices)


def _pages(ws: Workspace, entries: list[ArchiveEntry], base_url: str) -> dict[str, str]:
    config = ws.config
    env = template_env(ws.templates_path)
    context = {
        "name": config.name, "lang": config.language, "colors": config.colors,
        "subscribe_url": config.subscribe_url, "entries": entries, "base_url": base_url,
        "feed_id": base_url or f"urn:newsletter:{(slug(config.name) or 'newsletter')}",
        "updated": entries[0].updated,
    }
    listing = {"generator": GENERATOR, "issues": [
        {"id": e.id, "period": e.period, "subject": e.subject, "count": e.count,
         "themes": e.themes, "href": e.href} for e in entries]}
    return {
        "index.html": render_template(env, "archive/index.html.j2", context),
        "feed.xml": render_template(env, "archive/feed.xml.j2", context),
        MARKER: json.dumps(listing, indent=2, ensure_ascii=False) + "\n",
    }
