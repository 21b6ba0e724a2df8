"""The local preview server with live reload.

It knows nothing of the pipeline: it takes a `builder` callback that returns a `Snapshot` (the
pages to show, a status, or the errors of a failed build) and the paths to watch. A change under
those paths calls the builder again and tells open pages to refresh (Server-Sent Events).

Only its own routes exist; nothing is read from disk by path, so there is no directory listing
and no way out of the build. It binds to 127.0.0.1 only.
"""

from __future__ import annotations

import errno
import html
import json
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from newsletter.errors import PreviewError

HOST = "127.0.0.1"
APP_PAGE = Path(__file__).parent / "app.html"


@dataclass
class Snapshot:
    """What one build produced for the preview (or why it failed)."""

    ok: bool
    html: str = ""
    text: str = ""
    mjml: str = ""
    status: dict[str, Any] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)


# Called with the paths that changed (None: build from scratch).
Builder = Callable[[set[Path] | None], Snapshot]


def force_dark(document: str) -> str:
    """The email as a dark-mode client shows it: its prefers-color-scheme rules made unconditional."""
    rules = []
    for match in re.finditer(r"@media[^{]*prefers-color-scheme:\s*dark[^{]*\{", document):
        depth, i = 1, match.end()
        while depth and i < len(document):
            depth += {"{": 1, "}": -1}.get(document[i], 0)
            i += 1
        rules.append(document[match.end():i - 1])
    if not rules:
        return document
    style = "<style>:root{color-scheme:dark}" + "".join(rules) + "</style>"
    return document.replace("</head>", style + "</head>", 1)


def error_page(errors: Iterable[str]) -> str:
    items = "".join(f"<li>{html.escape(e)}</li>" for e in errors)
    return ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>Build failed"
            "</title></head><body style=\"font:15px/1.5 sans-serif;margin:24px;color:#1d2430\">"
            "<h1 style=\"font-size:20px;color:#a01616\">The build failed</h1>"
            f"<ul id=\"errors\">{items}</ul><p>Fix the files and save: the preview reloads by "
            "itself.</p></body></html>")


class _State:
    """The current snapshot and its version; waiters are woken when it changes."""

    def __init__(self) -> None:
        self.snapshot = Snapshot(ok=False, errors=["not built yet"])
        self.version = 0
        self.changed = threading.Condition()
        self.closing = False

    def publish(self, snapshot: Snapshot) -> None:
        with self.changed:
            self.snapshot = snapshot
            self.version += 1
            self.changed.notify_all()

    def wait(self, seen: int, timeout: float) -> int:
        with self.changed:
            self.changed.wait_for(lambda: self.version != seen or self.closing, timeout)
            return self.version


class _Handler(BaseHTTPRequestHandler):
    server_version = "newsletter-preview"
    state: _State

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        path = urlsplit(self.path).path
        snap = self.state.snapshot
        routes: dict[str, Callable[[], tuple[str, str]]] = {
            "/": lambda: (APP_PAGE.read_text(encoding="utf-8"), "text/html"),
            "/email.html": lambda: (snap.html if snap.ok else error_page(snap.errors), "text/html"),
            "/email-dark.html": lambda: (force_dark(snap.html) if snap.ok
                                         else error_page(snap.errors), "text/html"),
            "/email.txt": lambda: (snap.text, "text/plain"),
            "/email.mjml": lambda: (snap.mjml, "text/plain"),
            "/status.json": lambda: (json.dumps(self._status(snap)), "application/json"),
        }
        if path == "/events":
            self._events()
        elif path in routes:
            body, kind = routes[path]()
            self._send(200, body, kind)
        else:
            self._send(404, "Not found: the preview serves only its own pages.", "text/plain")

    def _status(self, snap: Snapshot) -> dict[str, Any]:
        return {"ok": snap.ok, "version": self.state.version, "errors": snap.errors,
                **snap.status}

    def _send(self, code: int, body: str, kind: str) -> None:
        payload = body.encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(payload)

    def _events(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen = self.state.version
        try:
            self.wfile.write(f"data: {seen}\n\n".encode())
            self.wfile.flush()
            while not self.state.closing:
                version = self.state.wait(seen, timeout=10)
                message = f"data: {version}\n\n" if version != seen else ": keep-alive\n\n"
                seen = version
                self.wfile.write(message.encode())
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return


class PreviewServer:
    """An HTTP server on 127.0.0.1 plus a watcher thread that rebuilds on change."""

    def __init__(self, builder: Builder, watch: list[Path], port: int = 8000) -> None:
        self.builder = builder
        self.watch_paths = watch
        self.state = _State()
        handler = type("Handler", (_Handler,), {"state": self.state})
        try:
            self.httpd = ThreadingHTTPServer((HOST, port), handler)
        except OSError as exc:
            if exc.errno == errno.EADDRINUSE:
                raise PreviewError(f"port {port} on {HOST} is already in use; stop the other "
                                   "server or choose another port with --port "
                                   "(--port 0 picks a free one)") from None
            raise PreviewError(f"cannot listen on {HOST}:{port}: {exc.strerror}") from None
        self.httpd.daemon_threads = True
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.httpd.server_address[1]}/"

    def rebuild(self, changed: set[Path] | None = None) -> None:
        started = time.perf_counter()
        snapshot = self.builder(changed)
        snapshot.status.setdefault("build_seconds", round(time.perf_counter() - started, 3))
        self.state.publish(snapshot)

    def start(self) -> None:
        self.rebuild()
        for target in (self.httpd.serve_forever, self._watch):
            thread = threading.Thread(target=target, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        with self.state.changed:
            self.state.closing = True
            self.state.changed.notify_all()
        self.httpd.shutdown()
        self.httpd.server_close()
        for thread in self._threads:
            thread.join(timeout=5)

    def _watch(self) -> None:
        from watchfiles import watch

        folders = [p for p in self.watch_paths if p.is_dir()]
        files = {p: _stamp(p) for p in self.watch_paths if not p.is_dir()}
        for changes in watch(*folders, stop_event=self._stop, debounce=100, step=30,
                             rust_timeout=300, yield_on_timeout=True):
            changed = {Path(path) for _change, path in changes}
            for path, stamp in files.items():
                now = _stamp(path)
                if now != stamp:
                    files[path] = now
                    changed.add(path)
            if changed and not self._stop.is_set():
                self.rebuild(changed)


def _stamp(path: Path) -> tuple[int, int] | None:
    """mtime and size of a single watched file (editors often replace files by renaming)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size
