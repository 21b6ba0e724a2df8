"""A small HTTP(S) server on 127.0.0.1 for the links.online tests and benchmark (stdlib).

    /ok            200
    /moved         301 -> /ok
    /chain         302 -> /moved -> /ok
    /missing       404
    /error         500
    /head-refused  HEAD 405, GET 200
    /slow?s=N      200 after N seconds (default 2)
Any other path answers 404. Plus `silent_port()`: a socket whose connections the kernel accepts
and nothing ever answers, and `self_signed()`: a TLS context with a throwaway self-signed
certificate (made with the openssl CLI) for `http_server(context)`.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import ssl
import subprocess
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar
from urllib.parse import parse_qs, urlsplit


class Handler(BaseHTTPRequestHandler):
    hits: ClassVar[list[tuple[str, str]]] = []  # (method, path), for the tests

    def log_message(self, *args: object) -> None:
        pass

    def _answer(self, status: int, location: str | None = None, body: bool = True) -> None:
        self.send_response(status)
        if location:
            self.send_header("Location", location)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", "2")
        self.end_headers()
        if body and self.command != "HEAD":
            self.wfile.write(b"ok")

    def _route(self) -> None:
        Handler.hits.append((self.command, self.path))
        parts = urlsplit(self.path)
        path = parts.path
        if path == "/ok":
            self._answer(200)
        elif path == "/moved":
            self._answer(301, "/ok")
        elif path == "/chain":
            self._answer(302, "/moved")
        elif path == "/missing":
            self._answer(404)
        elif path == "/error":
            self._answer(500)
        elif path == "/head-refused":
            self._answer(405 if self.command == "HEAD" else 200)
        elif path == "/slow":
            time.sleep(float(parse_qs(parts.query).get("s", ["2"])[0]))
            self._answer(200)
        else:
            self._answer(404)

    do_GET = do_HEAD = _route


class Server(ThreadingHTTPServer):
    daemon_threads = True  # a sleeping /slow handler never blocks shutdown
    request_queue_size = 128  # socketserver's 5 drops concurrent connects (a 1 s SYN retry)


@contextlib.contextmanager
def http_server(context: ssl.SSLContext | None = None) -> Iterator[str]:
    """The base URL (http://127.0.0.1:PORT) of a running server; stopped on exit."""
    server = Server(("127.0.0.1", 0), Handler)
    if context is not None:
        server.socket = context.wrap_socket(server.socket, server_side=True)
    # poll every 20 ms: shutdown() waits for the loop's next poll (0.5 s by default, per test)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02},
                              daemon=True)
    thread.start()
    scheme = "https" if context is not None else "http"
    try:
        yield f"{scheme}://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@contextlib.contextmanager
def silent_port() -> Iterator[str]:
    """http://127.0.0.1:PORT whose connections are accepted (by the kernel) and never answered."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen(16)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        sock.close()


def self_signed(directory: Path) -> ssl.SSLContext | None:
    """A server context with a fresh self-signed certificate, or None without openssl."""
    openssl = shutil.which("openssl")
    if openssl is None:
        return None
    key, cert = directory / "key.pem", directory / "cert.pem"
    subprocess.run([openssl, "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                    "-subj", "/CN=127.0.0.1", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return context
