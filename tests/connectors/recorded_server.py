"""A loopback HTTP server that answers from recorded platform responses, for end-to-end syncs over real shapes.

Routes are tried in order: the first whose method, path and required query parameters match answers. Every
request is logged, so a test can check what the connector sent (cursors, page tokens, no token in the URL).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass(slots=True)
class Route:
    path: str
    body: bytes
    status: int = 200
    query: Mapping[str, str | None] = field(default_factory=dict)  # None: the parameter must be absent
    headers: Mapping[str, str] = field(default_factory=dict)
    method: str = "GET"

    def matches(self, method: str, path: str, query: Mapping[str, list[str]]) -> bool:
        if method != self.method or path != self.path:
            return False
        for name, want in self.query.items():
            got = query.get(name, [None])[-1]
            if got != want:
                return False
        return True


def json_route(path: str, body: Any, status: int = 200, **kwargs: Any) -> Route:
    """A route answering ``body`` as JSON (UTF-8)."""
    headers = {"Content-Type": "application/json; charset=utf-8", **kwargs.pop("headers", {})}
    return Route(path, json.dumps(body, ensure_ascii=False).encode(), status, headers=headers, **kwargs)


@dataclass(slots=True)
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]


class RecordedServer:
    """``with RecordedServer(routes) as srv:`` -> ``srv.url`` (http://127.0.0.1:PORT); unmatched requests get 404."""

    def __init__(self, routes: list[Route]) -> None:
        self.routes = routes
        self.seen: list[Seen] = []
        self._httpd: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        assert self._httpd is not None
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def requests(self, path: str) -> list[Seen]:
        return [s for s in self.seen if s.path == path]

    def __enter__(self) -> RecordedServer:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
                pass

            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                parts = urlsplit(self.path)
                query = parse_qs(parts.query, keep_blank_values=True)
                server.seen.append(Seen(self.command, parts.path, query,
                                        {k.lower(): v for k, v in self.headers.items()}))
                route = next((r for r in server.routes if r.matches(self.command, parts.path, query)), None)
                status, body, headers = (route.status, route.body, dict(route.headers)) if route else (
                    404, b'{"error": "no recorded answer"}', {"Content-Type": "application/json"})
                body = body.replace(b"{SERVER}", server.url.encode())
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value.replace("{SERVER}", server.url))
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            do_GET = do_POST = do_DELETE = _serve

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        threading.Thread(target=self._httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._httpd is not None
        self._httpd.shutdown()
        self._httpd.server_close()
