"""Real HTTP(S) servers on the loopback interface for the news watch tests.

A `LocalServer` runs `http.server.ThreadingHTTPServer` in a thread on an ephemeral port, answers
each path with the handler registered for it (404 otherwise) and records every request it
receives, so a test can assert what was sent, and that nothing was.
"""

import contextlib
import shutil
import ssl
import subprocess
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from types import TracebackType
from typing import Self
from urllib.parse import parse_qs, urlsplit

Handler = Callable[[BaseHTTPRequestHandler], None]


@dataclass(frozen=True)
class ReceivedRequest:
    method: str
    path: str  # with the query string
    headers: dict[str, str]  # names lower-cased

    @property
    def route(self) -> str:
        """The path without its query string: what routes are registered under."""
        return urlsplit(self.path).path

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.path).query)


class LocalServer:
    """An HTTP server on host:<free port> in a background thread; use it as a context manager."""

    def __init__(self, host: str = "127.0.0.1", *, tls: "Certificate | None" = None) -> None:
        self.routes: dict[str, Handler] = {}
        self.requests: list[ReceivedRequest] = []
        self._httpd = _Server((host, 0), _RequestHandler)
        self._httpd.local = self
        if tls is not None:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(tls.cert_file, tls.key_file)
            self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
        self.scheme = "https" if tls is not None else "http"
        self.host, self.port = self._httpd.server_address[:2]
        self._thread = threading.Thread(
            target=self._httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def url(self, path: str = "/", *, host: str | None = None) -> str:
        return f"{self.scheme}://{host or self.host}:{self.port}{path}"

    def route(self, path: str, handler: Handler) -> None:
        self.routes[path] = handler

    @property
    def paths(self) -> list[str]:
        return [request.path for request in self.requests]

    def hits(self, route: str) -> list[ReceivedRequest]:
        """The requests received for one route (whatever their query strings)."""
        return [request for request in self.requests if request.route == route]

    def answer(self, request: BaseHTTPRequestHandler, received: ReceivedRequest) -> None:
        """Answer a request with the handler registered for its route, or 404."""
        self.routes.get(received.route, reply(404, b"not found"))(request)

    def __enter__(self) -> Self:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=5)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    local: LocalServer

    def handle_error(self, request: object, client_address: object) -> None:
        """Stay quiet when a client hangs up early: the fetcher is meant to."""


class _RequestHandler(BaseHTTPRequestHandler):
    server: _Server

    def do_GET(self) -> None:
        local = self.server.local
        headers = {name.lower(): value for name, value in self.headers.items()}
        received = ReceivedRequest(self.command, self.path, headers)
        local.requests.append(received)
        # The fetcher hanging up early is what some tests want (too large, too slow).
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            local.answer(self, received)

    def log_message(self, format: str, *args: object) -> None:
        pass


# --- Handlers -----------------------------------------------------------------------------------


def reply(
    status: int,
    body: bytes = b"",
    headers: Mapping[str, str] | None = None,
    *,
    content_length: bool = True,
) -> Handler:
    """Answer with status, headers and body (with a Content-Length unless told not to)."""

    def handle(request: BaseHTTPRequestHandler) -> None:
        request.send_response(status)
        for name, value in (headers or {}).items():
            request.send_header(name, value)
        if content_length:
            request.send_header("Content-Length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    return handle


def redirect(location: str, status: int = 302) -> Handler:
    return reply(status, headers={"Location": location})


def stream(chunks: Iterable[bytes], headers: Mapping[str, str] | None = None) -> Handler:
    """Answer 200 with no Content-Length, writing chunks one by one until the client hangs up."""

    def handle(request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        for name, value in (headers or {}).items():
            request.send_header(name, value)
        request.end_headers()
        for chunk in chunks:
            request.wfile.write(chunk)
            request.wfile.flush()

    return handle


def trickle(byte: bytes = b"x", *, every: float = 0.2, times: int = 100) -> Iterable[bytes]:
    """One byte every `every` seconds: a server that would take ages to finish."""
    for _ in range(times):
        time.sleep(every)
        yield byte


def trickle_headers(*, every: float = 0.2) -> Handler:
    """Start an answer, then send one header a byte at a time, never finishing it."""

    def handle(request: BaseHTTPRequestHandler) -> None:
        request.wfile.write(b"HTTP/1.0 200 OK\r\nX-Slow: ")
        for byte in trickle(every=every):
            request.wfile.write(byte)
            request.wfile.flush()

    return handle


def stall(headers: Mapping[str, str], *, seconds: float = 3.0) -> Handler:
    """Send the status line and headers, then nothing for `seconds`."""

    def handle(request: BaseHTTPRequestHandler) -> None:
        request.send_response(200)
        for name, value in headers.items():
            request.send_header(name, value)
        request.end_headers()
        request.wfile.flush()
        time.sleep(seconds)

    return handle


# --- TLS ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Certificate:
    cert_file: Path
    key_file: Path


def self_signed_certificate(directory: Path, *, name: str = "localhost") -> Certificate | None:
    """A throwaway certificate for `name` and 127.0.0.1 made with the openssl tool, if present."""
    openssl = shutil.which("openssl")
    if openssl is None:
        return None
    cert = Certificate(directory / "cert.pem", directory / "key.pem")
    key_type = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
    files = ["-keyout", str(cert.key_file), "-out", str(cert.cert_file)]
    names = ["-subj", f"/CN={name}", "-addext", f"subjectAltName=DNS:{name},IP:127.0.0.1"]
    subprocess.run(  # noqa: S603 - no shell, fixed arguments
        [openssl, "req", "-x509", "-nodes", "-days", "1", *key_type, *files, *names],
        check=True,
        capture_output=True,
    )
    return cert
