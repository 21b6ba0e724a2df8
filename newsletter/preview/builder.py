"""The pipeline side of `newsletter preview`: the builder callback, the paths to watch, and
`serve`, which puts the desk and the server together."""

from __future__ import annotations

import time
import webbrowser
from collections.abc import Callable
from datetime import date
from pathlib import Path

from newsletter.checks.registry import known_ids
from newsletter.config.load import CONFIG_FILE
from newsletter.preview.desk import Desk
from newsletter.preview.hooks import Builder
from newsletter.preview.server import PreviewServer
from newsletter.workspace import Workspace, open_workspace


def make_builder(root: Path | None, issue_id: str | None, start: date | None,
                 end: date | None) -> Builder:
    """Each call re-reads the workspace and renders the issue. The archive index stays in memory
    between calls: only the summary files the watcher reports are read again (a change to
    newsletter.toml reads everything)."""
    return Desk(root, issue_id, start, end).build


def watch_paths(ws: Workspace) -> list[Path]:
    """Summaries, issue files, template overrides and newsletter.toml."""
    paths = [ws.summaries_path, ws.issues_path, ws.templates_path, ws.root / CONFIG_FILE]
    return [p for p in paths if p.exists()]


def desk_server(root: Path | None, issue_id: str | None, start: date | None, end: date | None,
                port: int, read_only: bool = False) -> PreviewServer:
    """A server (not started yet) showing the issue with the desk beside it."""
    ws = open_workspace(root, known_checks=known_ids)
    if not read_only:  # watched from the start, so that a hand edit of a new file is seen
        ws.issues_path.mkdir(parents=True, exist_ok=True)
    desk = Desk(root, issue_id, start, end)
    return PreviewServer(desk.build, watch_paths(ws), port, desk=desk.hooks(),
                         read_only=read_only)


def serve(root: Path | None, issue_id: str | None, start: date | None, end: date | None,
          port: int, open_browser: bool, say: Callable[[str], None],
          read_only: bool = False) -> None:
    """Serve until interrupted (Ctrl-C)."""
    ws = open_workspace(root, known_checks=known_ids)
    server = desk_server(root, issue_id, start, end, port, read_only)
    server.start()
    mode = " read-only" if read_only else ""
    say(f"The{mode} desk is on {server.url} (127.0.0.1 only). Watching "
        f"{ws.relative(ws.summaries_path)}/, {ws.relative(ws.issues_path)}/, templates/ and "
        f"{CONFIG_FILE}; Ctrl-C stops.")
    if open_browser:
        webbrowser.open(server.url)
    try:
        while True:
            time.sleep(3600)
    except KeyboardInterrupt:
        say("Stopped.")
    finally:
        server.stop()
