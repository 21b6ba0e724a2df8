"""The pipeline side of `newsletter preview`: a builder callback and the paths to watch."""

from __future__ import annotations

import threading
import time
import webbrowser
from collections.abc import Callable
from datetime import date
from pathlib import Path

from newsletter.build import prepare, render_plan
from newsletter.checks.registry import known_ids
from newsletter.config.load import CONFIG_FILE
from newsletter.errors import NewsletterError
from newsletter.limits import GMAIL_CLIP_BYTES, byte_size, is_clipped
from newsletter.preview.server import PreviewServer, Snapshot
from newsletter.render.compiled import preload
from newsletter.summaries.library import LibraryMemo
from newsletter.workspace import Workspace, open_workspace


def make_builder(root: Path | None, issue_id: str | None, start: date | None,
                 end: date | None) -> Callable[[set[Path] | None], Snapshot]:
    """Each call re-reads the workspace and renders the issue. The archive index stays in memory
    between calls: only the summary files the watcher reports are read again (a change to
    newsletter.toml reads everything)."""
    memo = LibraryMemo()
    warm = threading.Thread(target=preload, daemon=True)  # the first save need not wait for it
    warm.start()

    def builder(changed: set[Path] | None = None) -> Snapshot:
        hints = None
        if changed is not None and not any(p.name == CONFIG_FILE for p in changed):
            hints = [str(p) for p in changed]
        try:
            ws = open_workspace(root, known_checks=known_ids)
            result = render_plan(ws, prepare(ws, issue_id, start, end, memo=memo, changed=hints))
        except NewsletterError as exc:
            return Snapshot(ok=False, errors=[exc.message] + [str(p) for p in exc.problems])
        except Exception as exc:  # a bug must not stop the preview: show it and keep watching
            return Snapshot(ok=False, errors=[f"unexpected {type(exc).__name__}: {exc}"])
        size = byte_size(result.html)
        warnings = [str(w) for w in result.warnings + result.notices]
        if is_clipped(size):
            warnings.insert(0, f"{size:,} bytes: over Gmail's clipping limit; `build` will fail")
        status = {
            "issue": result.plan.issue.id,
            "subject": result.plan.subject,
            "html_bytes": size,
            "limit_bytes": GMAIL_CLIP_BYTES,
            "count": result.plan.count,
            "sections": ([{"id": "highlights", "label": "Highlights",
                           "count": len(result.plan.highlights)}] if result.plan.highlights
                         else []) + [
                {"id": s.theme.id, "label": s.theme.label, "count": len(s.entries)}
                for s in result.plan.sections],
            "warnings": warnings,
        }
        return Snapshot(True, result.html, result.text, result.email.mjml, status)

    return builder


def watch_paths(ws: Workspace) -> list[Path]:
    """Summaries, issue files, template overrides and newsletter.toml."""
    paths = [ws.summaries_path, ws.issues_path, ws.templates_path, ws.root / CONFIG_FILE]
    return [p for p in paths if p.exists()]


def serve(root: Path | None, issue_id: str | None, start: date | None, end: date | None,
          port: int, open_browser: bool, say: Callable[[str], None]) -> None:
    """Serve until interrupted (Ctrl-C)."""
    ws = open_workspace(root, known_checks=known_ids)
    server = PreviewServer(make_builder(root, issue_id, start, end), watch_paths(ws), port)
    server.start()
    say(f"Previewing on {server.url} (127.0.0.1 only). Watching {ws.relative(ws.summaries_path)}/, "
        f"{ws.relative(ws.issues_path)}/, templates/ and {CONFIG_FILE}; Ctrl-C stops.")
    if open_browser:
        webbrowser.open(server.url)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        say("Stopped.")
    finally:
        server.stop()
