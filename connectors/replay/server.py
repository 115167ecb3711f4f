"""A threaded loopback HTTP server that plays each platform's API over a mutable WORLD of items.

The world is ``channel_id -> items`` (:class:`store.models.Item` is the neutral truth) plus each channel's
:class:`ChannelConfig`. A channel lives under ``http://127.0.0.1:PORT/<channel_id>``; its platform's
:class:`PlatformReplay` answers the rest of the path in the platform's real response shapes. Tests script
faults (429 with Retry-After, 5xx, connection reset, timeout, invalid token, malformed body) for the Nth
request to a path; write-back calls are recorded and change the world.
"""

from __future__ import annotations

import json
import socket
import struct
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

from store.config import ChannelConfig
from store.models import Item, ItemKind, ItemState, utcnow

FaultKind = Literal["status", "reset", "timeout", "auth", "malformed"]


@dataclass(slots=True)
class ReplayRequest:
    """One request as a platform handler sees it; ``path`` is what follows ``/<channel_id>``."""

    method: str
    channel_id: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]  # lower-case names
    body: bytes
    channel_root: str  # http://127.0.0.1:PORT/<channel_id>

    def param(self, name: str, default: str | None = None) -> str | None:
        values = self.query.get(name)
        return values[-1] if values else default

    def json(self) -> Any:
        return json.loads(self.body or b"null")

    def form(self) -> dict[str, str]:
        """The body as a form or a JSON object (clients send either)."""
        if self.headers.get("content-type", "").startswith("application/json"):
            data = self.json()
            return {k: str(v) for k, v in data.items()} if isinstance(data, dict) else {}
        return {k: v[-1] for k, v in parse_qs(self.body.decode()).items()}


@dataclass(slots=True)
class ReplayResponse:
    status: int = 200
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def json_response(obj: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> ReplayResponse:
    """A JSON answer (UTF-8, compact)."""
    body = json.dumps(obj, ensure_ascii=False, separators=(",", ":")).encode()
    return ReplayResponse(status, body, {"Content-Type": "application/json; charset=utf-8", **(headers or {})})


@dataclass(slots=True)
class RecordedRequest:
    method: str
    channel_id: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    status: int  # what was answered (0: no answer — reset or timeout)


@dataclass(slots=True)
class RecordedWrite:
    """A write-back the server received (reply, hide, delete …) and applied to the world."""

    action: str
    external_id: str
    payload: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class ChannelState:
    """One channel of the world: its config, its items by external id, recorded writes and edit times."""

    config: ChannelConfig
    items: dict[str, Item] = field(default_factory=dict)
    token: str | None = None  # when set, requests must carry this token (else: the platform's auth error)
    writes: list[RecordedWrite] = field(default_factory=list)
    edited_at: dict[str, datetime] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)  # handler scratch space (e.g. rate-limit figures)
    version: int = 0  # bumps with every change (feeds derive their ETag from it)

    def add(self, item: Item) -> None:
        self.items[item.external_id] = item
        self.version += 1

    def edit(self, external_id: str, text: str, *, at: datetime | None = None) -> None:
        self.items[external_id].text = text
        self.edited_at[external_id] = at or utcnow()
        self.version += 1

    def set_hidden(self, external_id: str, hidden: bool) -> None:
        """Hide (or show again) an item, as moderation upstream would."""
        self.items[external_id].state = ItemState.HIDDEN if hidden else ItemState.VISIBLE
        self.version += 1

    def remove(self, external_id: str) -> Item:
        self.version += 1
        return self.items.pop(external_id)

    def posts(self) -> list[Item]:
        """Top-level posts, newest first."""
        return sorted((i for i in self.items.values() if i.kind == ItemKind.POST),
                      key=lambda i: (i.created_at, i.external_id), reverse=True)

    def thread(self, root_external_id: str) -> list[Item]:
        """Every comment/reply under a post, oldest first."""
        return sorted((i for i in self.items.values()
                       if i.thread_root_external_id == root_external_id and i.kind != ItemKind.POST),
                      key=lambda i: (i.created_at, i.external_id))


Handler = Callable[[ReplayRequest, ChannelState], ReplayResponse]


def bearer_or_access_token(req: ReplayRequest) -> str | None:
    """The token a request carries: ``Authorization: Bearer …`` or an ``access_token``/``key`` parameter."""
    auth = req.headers.get("authorization", "")
    if auth.lower().startswith("bearer "):
        return auth[7:]
    return req.param("access_token") or req.param("key")


def _same_url(root: str) -> str:
    return root


@dataclass(frozen=True, slots=True)
class PlatformReplay:
    """What a platform contributes to the replay server (register with :func:`connectors.replay.register_replay`).

    ``handle`` answers a request in the platform's shapes; ``auth_error``/``malformed`` answer the scripted
    faults as that platform would; ``channel_url`` turns a channel root into the ``base_url`` its connector
    is configured with; ``new_id`` mints a platform-shaped external id (contract tests add comments with it).
    """

    platform: str
    handle: Handler
    auth_error: Callable[[ReplayRequest], ReplayResponse]
    malformed: Callable[[ReplayRequest], ReplayResponse]
    new_id: Callable[[ChannelState, datetime], str]
    channel_url: Callable[[str], str] = _same_url
    token_of: Callable[[ReplayRequest], str | None] = bearer_or_access_token
    has_comments: bool = True


@dataclass(slots=True)
class Fault:
    """Fail matching requests number ``nth`` .. ``nth + times - 1`` (1-based; ``times=0``: every one from nth).

    A request matches when its channel (if given), method (if given) and path (substring, "" = any) match.
    ``status`` faults answer ``status`` (with ``retry_after`` if set); ``reset`` closes the socket without an
    answer; ``timeout`` stalls ``delay`` seconds, then closes; ``auth``/``malformed`` answer as the platform.
    """

    kind: FaultKind
    path: str = ""
    channel_id: str | None = None
    method: str | None = None
    nth: int = 1
    times: int = 1
    status: int = 503
    retry_after: str | None = None
    delay: float = 1.0
    matched: int = 0
    fired: int = 0

    def _hit(self, req: ReplayRequest) -> bool:
        if self.channel_id is not None and req.channel_id != self.channel_id:
            return False
        if self.method is not None and req.method != self.method:
            return False
        if self.path not in req.path:
            return False
        self.matched += 1
        if self.matched < self.nth or (self.times and self.matched >= self.nth + self.times):
            return False
        self.fired += 1
        return True


class ReplayServer:
    """Serve a world on 127.0.0.1 (random free port); use as a context manager or ``start``/``stop``."""

    def __init__(self, world: Mapping[str, Sequence[Item]] | None = None,
                 configs: Iterable[ChannelConfig] = ()) -> None:
        self.lock = threading.RLock()
        self.channels: dict[str, ChannelState] = {}
        self.faults: list[Fault] = []
        self.requests: list[RecordedRequest] = []
        world = world or {}
        for cfg in configs:
            self.add_channel(cfg, world.get(cfg.id, ()))
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # --- world -----------------------------------------------------------------------------

    def add_channel(self, config: ChannelConfig, items: Iterable[Item] = (), *,
                    token: str | None = None) -> ChannelState:
        """Add (or replace) a channel of the world; ``token`` makes the server demand that token."""
        from connectors.replay import replay_for

        replay_for(config.platform)  # fail early on a platform without a handler
        state = ChannelState(config=config, token=token)
        for it in items:
            state.add(it)
        with self.lock:
            self.channels[config.id] = state
        return state

    def state(self, channel_id: str) -> ChannelState:
        return self.channels[channel_id]

    def channel_root(self, channel_id: str) -> str:
        return f"{self.url}/{channel_id}"

    def channel_config(self, channel_id: str) -> ChannelConfig:
        """The channel's config pointed at this server (``base_url`` per the platform's layout)."""
        from connectors.replay import replay_for

        cfg = self.channels[channel_id].config
        return cfg.model_copy(update={"base_url": replay_for(cfg.platform).channel_url(self.channel_root(channel_id))})

    # --- faults and the request log ----------------------------------------------------------

    def inject(self, *faults: Fault) -> None:
        with self.lock:
            self.faults.extend(faults)

    def clear_faults(self) -> None:
        with self.lock:
            self.faults.clear()

    def requests_to(self, path: str = "", channel_id: str | None = None) -> list[RecordedRequest]:
        with self.lock:
            return [r for r in self.requests
                    if path in r.path and (channel_id is None or r.channel_id == channel_id)]

    # --- lifecycle ---------------------------------------------------------------------------

    @property
    def url(self) -> str:
        if self._httpd is None:
            raise RuntimeError("replay server not started")
        host, port = self._httpd.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> ReplayServer:
        httpd = _QuietServer(("127.0.0.1", 0), _RequestHandler)
        httpd.replay = self  # type: ignore[attr-defined]
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                                        name="replay-server", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
            self._httpd = None

    def __enter__(self) -> ReplayServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- dispatch ----------------------------------------------------------------------------

    def dispatch(self, req: ReplayRequest) -> ReplayResponse | Fault:
        """The answer to ``req``, or the :class:`Fault` (reset/timeout) the transport must act out."""
        from connectors.replay import replay_for

        with self.lock:
            state = self.channels.get(req.channel_id)
            if state is None:
                return json_response({"error": "Unknown channel"}, 404)
            replay = replay_for(state.config.platform)
            hits = [f for f in self.faults if f._hit(req)]  # every fault counts every request it matches
            fault = hits[0] if hits else None
            if fault is not None:
                if fault.kind in ("reset", "timeout"):
                    return fault
                if fault.kind == "auth":
                    return replay.auth_error(req)
                if fault.kind == "malformed":
                    return replay.malformed(req)
                headers = {"Retry-After": fault.retry_after} if fault.retry_after is not None else {}
                return json_response({"error": f"injected HTTP {fault.status}"}, fault.status, headers)
            if state.token is not None and replay.token_of(req) != state.token:
                return replay.auth_error(req)
            return replay.handle(req, state)

    def _record(self, req: ReplayRequest, status: int) -> None:
        with self.lock:
            self.requests.append(RecordedRequest(req.method, req.channel_id, req.path, req.query, req.headers, status))


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # clients that time out and hang up are part of the script, not errors


class _RequestHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: a thousand requests take a second, not a minute

    def setup(self) -> None:
        super().setup()
        # headers and body are two writes: without this, Nagle + delayed ACK add 40 ms to every answer
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - stdlib signature
        pass

    def _serve(self) -> None:
        server: ReplayServer = self.server.replay  # type: ignore[attr-defined]
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = urlsplit(self.path)
        channel_id, _, rest = parts.path.lstrip("/").partition("/")
        req = ReplayRequest(
            method=self.command,
            channel_id=channel_id,
            path="/" + rest,
            query=parse_qs(parts.query, keep_blank_values=True),
            headers={k.lower(): v for k, v in self.headers.items()},
            body=body,
            channel_root=f"{server.url}/{channel_id}",
        )
        answer = server.dispatch(req)
        if isinstance(answer, Fault):
            server._record(req, 0)
            if answer.kind == "timeout":
                time.sleep(answer.delay)
            else:  # RST instead of FIN: the client sees "connection reset"
                self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            return
        server._record(req, answer.status)
        self.send_response(answer.status)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(answer.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(answer.body)

    do_GET = do_POST = do_DELETE = do_PUT = do_PATCH = do_HEAD = _serve
