"""The local preview server: Starlette routes served by uvicorn on 127.0.0.1, live reload over
Server-Sent Events, and the desk's JSON routes.

It knows nothing of the pipeline (as mkdocs' server): it takes a `builder` callback that returns a
`Snapshot` (the pages to show, a status, or the errors of a failed build), the paths to watch and,
for the desk, `DeskHooks` (a state provider and named actions). A change under the watched paths
calls the builder again and tells open pages to refresh.

Every request must name this server in its Host header (127.0.0.1:PORT or localhost:PORT) and,
when it has an Origin, come from this server's origin: a web page elsewhere cannot read the
preview (DNS rebinding) nor drive the desk (CSRF). Every POST also needs the page's token (a
random value per process, embedded in the page). Only the routes below exist; nothing is read
from disk by a path taken from the request.
"""

from __future__ import annotations

import asyncio
import errno
import secrets
import socket
import threading
import time
from pathlib import Path
from typing import Any

from newsletter.errors import PreviewError
from newsletter.preview.hooks import Builder, DeskHooks, Snapshot
from newsletter.preview.routes import HOST, error_page, force_dark, make_app

__all__ = ["HOST", "PreviewError", "PreviewServer", "Snapshot", "State", "error_page",
           "force_dark"]


class State:
    """The current snapshot and its version. Threads wait on `changed`; event streams (on the
    server's event loop) are woken through their queues."""

    def __init__(self) -> None:
        self.snapshot = Snapshot(ok=False, errors=["not built yet"])
        self.version = 0
        self.changed = threading.Condition()
        self.closing = False
        self._streams: set[tuple[asyncio.AbstractEventLoop, asyncio.Queue[int | None]]] = set()

    def publish(self, snapshot: Snapshot) -> None:
        with self.changed:
            self.snapshot = snapshot
            self.version += 1
            self.changed.notify_all()
            self._tell(self.version)

    def close(self) -> None:
        with self.changed:
            self.closing = True
            self.changed.notify_all()
            self._tell(None)

    def wait(self, seen: int, timeout: float) -> int:
        with self.changed:
            self.changed.wait_for(lambda: self.version != seen or self.closing, timeout)
            return self.version

    def subscribe(self) -> asyncio.Queue[int | None]:
        queue: asyncio.Queue[int | None] = asyncio.Queue()
        with self.changed:
            self._streams.add((asyncio.get_running_loop(), queue))
        return queue

    def unsubscribe(self, queue: asyncio.Queue[int | None]) -> None:
        with self.changed:
            self._streams = {s for s in self._streams if s[1] is not queue}

    def _tell(self, message: int | None) -> None:
        for loop, queue in list(self._streams):
            try:
                loop.call_soon_threadsafe(queue.put_nowait, message)
            except RuntimeError:  # that loop is closed: the stream is gone
                self._streams.discard((loop, queue))


class PreviewServer:
    """uvicorn on 127.0.0.1 serving the Starlette app, plus a watcher thread that rebuilds on
    change. Builds and desk actions run one at a time."""

    def __init__(self, builder: Builder, watch: list[Path], port: int = 8000, *,
                 desk: DeskHooks | None = None, read_only: bool = False) -> None:
        self.builder = builder
        self.watch_paths = watch
        self.desk = desk
        self.read_only = read_only
        self.token = secrets.token_urlsafe(32)
        self.state = State()
        self.lock = threading.RLock()
        self.socket = _listen(port)
        self.port: int = self.socket.getsockname()[1]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._uvicorn: Any = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}/"

    def app(self) -> Any:
        return make_app(self)

    def rebuild(self, changed: set[Path] | None = None) -> None:
        with self.lock:
            started = time.perf_counter()
            snapshot = self.builder(changed)
            if snapshot is None:
                return
            snapshot.status.setdefault("build_seconds", round(time.perf_counter() - started, 3))
            self.state.publish(snapshot)

    def desk_state(self) -> dict[str, Any]:
        """The desk's state, rebuilt first when the files changed since the last build."""
        assert self.desk is not None
        with self.lock:
            pending = self.desk.pending()
            if pending is not None:
                self.rebuild(pending)
            return {**self.desk.state(), "build": self.state.version, "read_only": self.read_only}

    def act(self, name: str, payload: dict[str, Any]) -> dict[str, Any]:
        """Run one desk action (the caller has checked the token and read-only mode)."""
        assert self.desk is not None
        with self.lock:
            outcome = self.desk.actions[name].run(payload)
            if not outcome.rebuild:
                return outcome.data
            self.rebuild(set())
            return {**self.desk_state(), **outcome.data}

    def start(self) -> None:
        import uvicorn

        self.rebuild()
        config = uvicorn.Config(self.app(), log_level="warning", access_log=False, lifespan="off",
                                proxy_headers=False, server_header=False, ws="none",
                                http="h11", timeout_graceful_shutdown=1)
        self._uvicorn = uvicorn.Server(config)
        serving = threading.Thread(target=self._uvicorn.run, kwargs={"sockets": [self.socket]},
                                   daemon=True)
        watching = threading.Thread(target=self._watch, daemon=True)
        for thread in (serving, watching):
            thread.start()
            self._threads.append(thread)
        deadline = time.monotonic() + 10
        while not self._uvicorn.started and serving.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        if not self._uvicorn.started:
            self.stop()
            raise PreviewError(f"the preview server on {HOST}:{self.port} did not start")

    def stop(self) -> None:
        self._stop.set()
        self.state.close()
        if self.desk is not None:
            self.desk.close()
        if self._uvicorn is not None:
            self._uvicorn.should_exit = True
        for thread in self._threads:
            thread.join(timeout=5)
        self.socket.close()

    def _watch(self) -> None:
        from watchfiles import watch

        folders = [p for p in self.watch_paths if p.is_dir()]
        files = {p: _stamp(p) for p in self.watch_paths if not p.is_dir()}
        # step: changes are grouped until 10 ms pass without a new one (an editor's save is
        # a burst of events within a millisecond or two; 30 ms here cost a third of the
        # save-to-page time); debounce caps a long burst at 100 ms
        for changes in watch(*folders, stop_event=self._stop, debounce=100, step=10,
                             rust_timeout=300, yield_on_timeout=True):
            changed = {Path(path) for _change, path in changes}
            for path, stamp in files.items():
                now = _stamp(path)
                if now != stamp:
                    files[path] = now
                    changed.add(path)
            if changed and not self._stop.is_set():
                self.rebuild(changed)


def _listen(port: int) -> socket.socket:
    """A listening socket on 127.0.0.1 (bound here, so that a busy port is a clear error and the
    port is known before the app is made)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((HOST, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise PreviewError(f"port {port} on {HOST} is already in use; stop the other "
                               "server or choose another port with --port "
                               "(--port 0 picks a free one)") from None
        raise PreviewError(f"cannot listen on {HOST}:{port}: {exc.strerror}") from None
    sock.set_inheritable(True)
    return sock


def _stamp(path: Path) -> tuple[int, int] | None:
    """mtime and size of a single watched file (editors often replace files by renaming)."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size
