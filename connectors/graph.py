"""What the Facebook and Instagram connectors share: the Graph API client, the posts and comment streams, times.

:class:`GraphApi` is the thin I/O edge over the shared :class:`HttpClient` (token header, error mapping,
pacing, paging); :class:`OwnPostsStream` and :class:`ThreadScanStream` are both platforms' streams, configured
with their edges and parsers. The pure error, usage and paging helpers live in :mod:`connectors.graph_errors`.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, ClassVar

from connectors import parsing
from connectors.base import Capability, Page, StreamContext, ThreadScan, WriteResult, newest_time
from connectors.errors import AuthError, ConfigurationError, NotFound, SourceFormatError
from connectors.graph_errors import graph_error_hook, graph_pace_hook, next_page_params
from connectors.http import HttpClient, parse_json
from connectors.parsing import as_int, zoned_time
from connectors.registry import Connector
from store.config import ChannelConfig
from store.models import Bookmark, Item

JsonObject = dict[str, Any]
log = logging.getLogger(__name__)
DEFAULT_ROOT = "https://graph.facebook.com/v21.0"

_OBJECT_ID = re.compile(r"[A-Za-z0-9_.:-]{1,200}")


@dataclass(frozen=True, slots=True)
class OwnAccount:
    """Who counts as the channel itself: the account id, further own ids and (Instagram) the usernames."""

    ids: frozenset[str]
    usernames: frozenset[str] = frozenset()

    def is_own(self, author_id: str, username: str = "") -> bool:
        """True only on positive evidence; an unknown author (no ``from``) is never the town's account."""
        if author_id and author_id in self.ids:
            return True
        return bool(username) and username.casefold() in self.usernames


def own_account(account_id: str, own_account_ids: Iterable[str], usernames: Iterable[str] = ()) -> OwnAccount:
    """Build :class:`OwnAccount` from a channel's configuration (empty values are ignored)."""
    ids = frozenset(i for i in (account_id, *own_account_ids) if i)
    return OwnAccount(ids, frozenset(u.casefold().lstrip("@") for u in usernames if u))


def parse_time(value: object) -> datetime:
    """A Graph API timestamp (``2026-03-02T08:15:00+0000``) as an aware UTC datetime."""
    return zoned_time(value)


def summary_total(edge: object) -> int:
    """``total_count`` of an edge requested with ``.summary(true)`` (``{"data": [], "summary": {...}}``); without
    a summary, the number of nodes of an edge expanded in full (no further page), else 0."""
    if not isinstance(edge, Mapping):
        return 0
    summary = edge.get("summary")
    if isinstance(summary, Mapping):
        return as_int(summary.get("total_count"))
    data = edge.get("data")
    return len(data) if isinstance(data, list) and next_page_params(edge) is None else 0


def author_of(node: Mapping[str, Any]) -> tuple[str, str]:
    """(id, name) of ``from``; empty strings when the API withheld it (users who never authorised the app)."""
    sender = node.get("from")
    if not isinstance(sender, Mapping):
        return "", ""
    author_id = sender.get("id")
    name = sender.get("name") or sender.get("username")
    return (str(author_id) if author_id else "", str(name) if name else "")


def text_of(value: object) -> str:
    """A message/caption/text field as plain text: Graph text is never HTML, so it is kept verbatim."""
    return value if isinstance(value, str) else ""


def describe(node: Mapping[str, Any]) -> str:
    """A short name for a node in a warning: its id, else its time and the start of its text."""
    node_id = node.get("id")
    if isinstance(node_id, str | int) and str(node_id):
        return str(node_id)
    when = node.get("created_time") or node.get("timestamp")
    text = node.get("message") or node.get("text") or node.get("caption")
    parts = [f"vom {when}" if isinstance(when, str) else "", f"„{text[:40]}“" if isinstance(text, str) and text else ""]
    return " ".join(p for p in parts if p) or "ohne Kennung"


def skipped(notes: list[str] | None, channel_id: str, what: str, node: Mapping[str, Any], reason: str,
            name: str | None = None) -> None:
    """Log (and, with ``notes``, report) that one malformed node was skipped: the page itself is still stored.
    ``name`` names the node where its id had to be derived."""
    parsing.skipped(notes, log, channel_id, f"{what} {name or describe(node)}", reason)


def data_of(payload: object) -> list[JsonObject]:
    """The ``data`` list of an edge response; anything else is a :class:`SourceFormatError`."""
    if not isinstance(payload, Mapping) or not isinstance(payload.get("data"), list):
        raise SourceFormatError("Antwort der Graph-API hat keine 'data'-Liste")
    return [node for node in payload["data"] if isinstance(node, dict)]


# --- calls ---------------------------------------------------------------------------------------


class GraphApi:
    """Calls to one channel's Graph API root with its token, error envelope mapping, pacing and paging.

    The token goes into the ``Authorization`` header, so it never appears in a URL, a log or a message.
    """

    def __init__(self, client: HttpClient, channel: ChannelConfig, what: str) -> None:
        self.client = client
        self.channel = channel
        self.what = what
        self.root = channel.base_url.rstrip("/") or DEFAULT_ROOT

    def _token(self) -> str | None:
        """The channel's token; without ``token_env`` none is sent (a mirror or test server may not need one,
        the real Graph API answers code 104, an :class:`AuthError`)."""
        token = self.channel.token()
        if self.channel.token_env and not token:
            raise AuthError(f"{self.what}: Zugriffstoken fehlt – Umgebungsvariable {self.channel.token_env} "
                            "ist nicht gesetzt")
        return token

    def _call(self, method: str, path: str, *, params: Mapping[str, str] | None = None,
              data: Mapping[str, str] | None = None) -> Any:
        response = self.client.request(
            method, f"{self.root}/{path.lstrip('/')}", params=params, data=data, token=self._token(),
            error_hook=graph_error_hook, pace_hook=graph_pace_hook, what=self.what,
        )
        return parse_json(response, self.what)

    def get(self, path: str, params: Mapping[str, str] | None = None) -> Any:
        return self._call("GET", path, params=params)

    def post(self, path: str, data: Mapping[str, str]) -> Any:
        return self._call("POST", path, data=data)

    def delete(self, path: str) -> Any:
        return self._call("DELETE", path)

    def listing(self, path: str, params: Mapping[str, str], *, max_pages: int | None = None
                ) -> Iterator[tuple[Any, str]]:
        """Every page of an edge as (payload, what was requested), following ``paging.next``.

        The second value names path and cursor for the runner's loop guard. A cursor handed out twice, or
        more than ``max_pages`` pages, raises :class:`PagingIncomplete`.
        """
        query = dict(params)
        seen: set[str] = set()
        while True:
            cursor = query.get("after") or query.get("__paging_token") or query.get("until") or ""
            label = f"{path}?{cursor}"
            if label in seen:
                raise PagingIncomplete(f"{self.what}: Seitenschleife bei {path} erkannt (gleicher Cursor zweimal)")
            if max_pages is not None and len(seen) >= max_pages:
                raise PagingIncomplete(f"{self.what}: mehr als {max_pages} Seiten bei {path} – abgebrochen")
            seen.add(label)
            payload = self.get(path, query)
            yield payload, label
            following = next_page_params(payload)
            if following is None:
                return
            query = {**params, **following}


class PagingIncomplete(SourceFormatError):
    """A listing could not be read to its end (cursor loop or page cap)."""


def object_id(value: str) -> str:
    """``value`` checked to be a single Graph object id, so it can go into a URL path safely."""
    if not _OBJECT_ID.fullmatch(value) or ".." in value:
        raise ConfigurationError(f"Ungültige Objekt-ID für die Graph-API: {value!r:.60}")
    return value


def page_size(channel: ChannelConfig, default: int) -> str:
    """The ``limit`` per request: the channel option ``page_size`` (1–100) or ``default``."""
    value = channel.options.get("page_size", default)
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 100:
        raise ConfigurationError(f"{channel.id}: options.page_size muss eine ganze Zahl von 1 bis 100 sein")
    return str(value)


def _lower_bound(ctx: StreamContext, stream: str) -> datetime | None:
    """How far back a posts stream reads: the user's ``--since``; else the older of the newest stored post
    and the lookback window (counts and edits of young posts are refreshed); the first run reads everything."""
    if ctx.since is not None:
        return ctx.since
    mark = ctx.bookmark(stream)
    if mark is None or mark.newest_at is None:
        return None
    return min(mark.newest_at, ctx.now - timedelta(days=ctx.channel.lookback_days))


def _posts_bookmark(ctx: StreamContext, stream: str, items: Iterable[Item]) -> Bookmark:
    """The posts stream's bookmark after a run: the newest post time seen so far."""
    previous = ctx.bookmark(stream)
    newest = newest_time(items, previous.newest_at if previous else None)
    return Bookmark(channel_id=ctx.channel.id, stream=stream, newest_at=newest)


PageParser = Callable[[object, list[str]], list[Item]]
"""(one page of posts, where to note skipped nodes) -> its well-formed items."""


class OwnPostsStream:
    """The account's own posts, newest first; bookmark: the newest post time (saved when the stream is done)."""

    name: ClassVar[str] = "posts"
    is_sorted: ClassVar[bool] = False

    def __init__(self, api: GraphApi, edge: str, params: Mapping[str, str], parse: PageParser, *,
                 send_since: bool) -> None:
        self.api, self.edge, self.params, self.parse, self.send_since = api, edge, params, parse, send_since

    def read(self, ctx: StreamContext) -> Iterator[Page]:
        bound = _lower_bound(ctx, self.name)
        params = dict(self.params)
        if bound is not None and self.send_since:
            params["since"] = str(int(bound.timestamp()))
        seen: list[Item] = []
        for payload, label in self.api.listing(self.edge, params):
            notes: list[str] = []
            parsed = self.parse(payload, notes)
            items = [it for it in parsed if bound is None or it.created_at >= bound]
            seen.extend(items)
            yield Page(items, cursor=label, warnings=notes)
            if len(items) < len(parsed):
                break  # newest first: everything further back is older still (also where 'since' is unknown)
        yield Page([], bookmark=_posts_bookmark(ctx, self.name, seen))


ThreadParser = Callable[[str, object, list[str]], tuple[list[Item], set[str]]]
"""(post id, one page of its comments, where to note skipped nodes) -> (items, ids of every node upstream,
malformed ones included)."""


class ThreadScanStream:
    """Every comment and reply under the own posts inside the lookback window, one full scan per post.

    After the last page of a post comes a :class:`ThreadScan`, so stored comments missing upstream are marked
    deleted; a post gone upstream (NotFound on its own comments edge) is marked gone and never scanned.
    """

    name: ClassVar[str] = "comments"
    is_sorted: ClassVar[bool] = False

    def __init__(self, api: GraphApi, edge: str, params: Mapping[str, str], parse: ThreadParser) -> None:
        self.api, self.edge, self.params, self.parse = api, edge, params, parse

    def read(self, ctx: StreamContext) -> Iterator[Page]:
        for post_id, _created in ctx.recent_posts:
            yield from self._post(post_id)

    def _post(self, post_id: str) -> Iterator[Page]:
        """The pages of one post's thread, then its scan; a NotFound on the post's own edge means the post is
        gone, one from a nested request (a comment's replies) only that this thread cannot be read now."""
        seen: set[str] = set()
        pages = self.api.listing(f"{object_id(post_id)}/{self.edge}", self.params)
        while True:
            try:
                page = next(pages, None)
            except NotFound:  # code 100/33 (or 404) for the post itself: deleted upstream
                yield Page([], gone=frozenset({post_id}))
                return
            if page is None:
                break
            payload, label = page
            notes: list[str] = []
            try:
                items, ids = self.parse(post_id, payload, notes)
            except NotFound as exc:
                yield Page([], warnings=[f"Kommentare zu Beitrag {post_id} nicht abrufbar: {exc.message}"])
                return
            seen |= ids
            yield Page(items, cursor=label, warnings=notes)
        yield Page([], thread=ThreadScan(post_id, frozenset(seen)))


class GraphConnector(Connector):
    """What the Facebook and Instagram connectors share: the Graph API client, hide and delete of a comment."""

    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.REPLY, Capability.HIDE, Capability.DELETE})
    label: ClassVar[str]  # the platform's name in messages ("Facebook")
    hide_field: ClassVar[str]  # the form field that hides a comment (``is_hidden`` / ``hide``)

    def __init__(self, channel: ChannelConfig, client: HttpClient) -> None:
        super().__init__(channel, client)
        self.api = GraphApi(client, channel, self.label)

    def hide(self, external_id: str) -> WriteResult:
        """Hide a comment from the public (``POST /{id}`` with ``hide_field=true``; who still sees it: see there)."""
        return write_result(self.api.post(object_id(external_id), {self.hide_field: "true"}))

    def delete(self, external_id: str) -> WriteResult:
        """Delete a comment upstream (``DELETE /{id}``); irreversible."""
        return write_result(self.api.delete(object_id(external_id)))


def write_result(payload: object) -> WriteResult:
    """A Graph write answer (``{"success": true}`` or ``{"id": ...}``) as :class:`WriteResult`."""
    if isinstance(payload, Mapping):
        created = payload.get("id")
        if isinstance(created, str) and created:
            return WriteResult(ok=True, platform_id=created)
        if payload.get("success") is True:
            return WriteResult(ok=True)
    return WriteResult(ok=False, detail=f"Unerwartete Antwort der Graph-API: {json.dumps(payload)[:200]}")
