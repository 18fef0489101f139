"""A real HTTP server on 127.0.0.1 serving feeds for the polling tests: a `LocalServer` whose
routes are `Route`s (fixture bytes and how to answer them), with ETag / 304 handling."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from tests.tracker.newswatch.servers import LocalServer, ReceivedRequest

# Invented feeds, people and hostile documents (see tests/fixtures/news/README.md).
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "news"


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    content_type: str = "application/xml; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    etag: bool = True  # answer 304 to a matching If-None-Match


class FeedServer(LocalServer):
    """Routes are Routes, or functions of the request received that give one (a search
    endpoint answering each query)."""

    routes: dict[str, Route | Callable[[ReceivedRequest], Route]]

    def answer(self, request: BaseHTTPRequestHandler, received: ReceivedRequest) -> None:
        route = self.routes.get(received.route, Route(b"not found", 404, "text/plain"))
        if not isinstance(route, Route):
            route = route(received)
        tag = f'"{hashlib.sha1(route.body).hexdigest()}"'  # noqa: S324
        if route.etag and route.status == 200 and received.headers.get("if-none-match") == tag:
            request.send_response(304)
            request.send_header("ETag", tag)
            request.end_headers()
            return
        request.send_response(route.status)
        request.send_header("Content-Type", route.content_type)
        request.send_header("Content-Length", str(len(route.body)))
        if route.etag and route.status == 200:
            request.send_header("ETag", tag)
        for name, value in route.headers.items():
            request.send_header(name, value)
        request.end_headers()
        request.wfile.write(route.body)

    def serve_fixture(self, path: str, fixture: str, **kwargs) -> str:
        self.routes[path] = Route((FIXTURES / fixture).read_bytes(), **kwargs)
        return self.url(path)
