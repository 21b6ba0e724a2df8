"""The preview's Starlette app: its routes and the guard in front of every one of them.

The guard answers 403 to any request whose Host header is not this server's own
(127.0.0.1:PORT or localhost:PORT) or whose Origin is another origin, GET included: a page on
another site cannot read the preview nor, through DNS rebinding, pretend to be it. Every POST also
needs the token embedded in the page (X-Newsletter-Token), and in read-only mode the actions that
write answer 403 whatever the token.
"""

from __future__ import annotations

import asyncio
import html
import json
import re
import secrets
from collections.abc import AsyncIterator, Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from newsletter.preview.hooks import Refused

if TYPE_CHECKING:
    from newsletter.preview.server import PreviewServer

HOST = "127.0.0.1"
PAGE_DIR = Path(__file__).parent
APP_PAGE = PAGE_DIR / "app.html"
# The page's scripts and styles, by the only names the server answers to.
ASSETS = {name: PAGE_DIR / "static" / name for name in (
    "desk.css", "desk.js", "api.js", "email.js", "panel.js", "cards.js", "tools.js")}
TOKEN_HEADER = "x-newsletter-token"
KEEP_ALIVE_SECONDS = 10.0
MAX_BODY_BYTES = 1_000_000

APP_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' https: data:; "
           "frame-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; "
           "form-action 'none'; object-src 'none'")
# The email's own pages: its inline styles and https images, never a script.
EMAIL_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src https: data:; font-src https: "
             "data:; frame-ancestors 'self'; base-uri 'none'; form-action 'none'")

NO_STORE = {"Cache-Control": "no-store", "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "no-referrer"}
KINDS = {".js": "text/javascript", ".css": "text/css"}


def answer(body: str | bytes, kind: str, status: int = 200, csp: str = APP_CSP) -> Response:
    return Response(body, status, {**NO_STORE, "Content-Security-Policy": csp},
                    media_type=kind if kind == "application/json" else f"{kind}; charset=utf-8")


def as_json(data: Any, status: int = 200) -> Response:
    return answer(json.dumps(data, ensure_ascii=False).encode("utf-8"), "application/json", status)


def refusal(status: int, message: str, **extra: Any) -> Response:
    return as_json({"error": message, **extra}, status)


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


class Guard:
    """Pure ASGI middleware: the Host and Origin checks, on every route."""

    def __init__(self, app: ASGIApp, port: int) -> None:
        self.app = app
        self.port = port
        self.hosts = {f"{HOST}:{port}", f"localhost:{port}"}
        self.origins = {f"http://{host}" for host in self.hosts}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = Headers(scope=scope)
            reason = None
            if headers.get("host") not in self.hosts:
                reason = f"this preview answers only to http://{HOST}:{self.port}/"
            elif "origin" in headers and headers["origin"] not in self.origins:
                reason = "requests from other sites are refused"
            if reason is not None:
                await refusal(403, reason)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def make_app(server: PreviewServer) -> ASGIApp:
    def snapshot_page(make: Any, kind: str = "text/html") -> Any:
        async def endpoint(_request: Request) -> Response:
            snap = server.state.snapshot
            return answer(make(snap), kind, csp=EMAIL_CSP)
        return endpoint

    async def page(_request: Request) -> Response:
        mode = "preview" if server.desk is None else "read-only" if server.read_only else "desk"
        text = (APP_PAGE.read_text(encoding="utf-8").replace("__TOKEN__", server.token)
                .replace("__MODE__", mode))
        return answer(text, "text/html")

    async def asset(request: Request) -> Response:
        path = ASSETS.get(request.path_params["name"])
        if path is None:
            return answer("Not found: the preview serves only its own pages.", "text/plain", 404)
        return answer(path.read_bytes(), KINDS[path.suffix])

    async def status(_request: Request) -> Response:
        snap = server.state.snapshot
        return as_json({"ok": snap.ok, "version": server.state.version, "errors": snap.errors,
                        **snap.status})

    async def state(_request: Request) -> Response:
        if server.desk is None:
            return refusal(404, "this preview has no desk")
        return as_json(await run_in_threadpool(server.desk_state))

    async def action(request: Request) -> Response:
        name = request.path_params["name"]
        if server.desk is None or name not in server.desk.actions:
            return refusal(404, f"no action '{name}'")
        token = request.headers.get(TOKEN_HEADER, "")
        if not secrets.compare_digest(token.encode(), server.token.encode()):
            return refusal(403, f"missing or wrong {TOKEN_HEADER} header: reload the page")
        if server.read_only and server.desk.actions[name].writes:
            return refusal(403, "this desk is read-only (started with --read-only)")
        body = await request.body()
        if len(body) > MAX_BODY_BYTES:
            return refusal(413, "the request is too large")
        try:
            payload = json.loads(body or b"{}")
        except ValueError:
            return refusal(400, "the request body is not JSON")
        if not isinstance(payload, dict):
            return refusal(400, "the request body must be a JSON object")
        try:
            return as_json(await run_in_threadpool(server.act, name, payload))
        except Refused as exc:
            return as_json(exc.body, exc.status)
        except Exception as exc:  # a bug: say it in the page instead of a bare 500
            return refusal(500, f"unexpected {type(exc).__name__}: {exc} (a bug in newsletter: "
                                "please report it)")

    async def events(_request: Request) -> Response:
        queue = server.state.subscribe()

        async def stream() -> AsyncIterator[str]:
            try:
                seen = server.state.version
                yield f"data: {seen}\n\n"
                while not server.state.closing:
                    try:
                        message = await asyncio.wait_for(queue.get(), KEEP_ALIVE_SECONDS)
                    except TimeoutError:
                        yield ": keep-alive\n\n"
                        continue
                    if message is None:
                        return
                    if message != seen:
                        seen = message
                        yield f"data: {message}\n\n"
            finally:
                server.state.unsubscribe(queue)

        return StreamingResponse(stream(), media_type="text/event-stream", headers=NO_STORE)

    async def not_found(_request: Request, _exc: Exception) -> Response:
        return answer("Not found: the preview serves only its own pages.", "text/plain", 404)

    routes = [
        Route("/", page),
        Route("/email.html", snapshot_page(lambda s: s.html if s.ok else error_page(s.errors))),
        Route("/email-dark.html", snapshot_page(
            lambda s: force_dark(s.html) if s.ok else error_page(s.errors))),
        Route("/email.txt", snapshot_page(lambda s: s.text, "text/plain")),
        Route("/email.mjml", snapshot_page(lambda s: s.mjml, "text/plain")),
        Route("/status.json", status),
        Route("/events", events),
        Route("/static/{name}", asset),
        Route("/favicon.ico", lambda _request: Response(status_code=204, headers=NO_STORE)),
        Route("/api/state", state),
        Route("/api/{name}", action, methods=["POST"]),
    ]
    app = Starlette(routes=routes, exception_handlers={404: not_found})
    return Guard(app, server.port)
