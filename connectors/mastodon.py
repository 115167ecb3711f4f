"""Mastodon connector: the town's own statuses and every reply under them, on any instance (``base_url``).

Own posts come from ``GET /api/v1/accounts/:id/statuses`` (no reblogs, no replies): the first sync walks back
from the newest with ``max_id`` (Link ``rel="next"``) to the start of the window; later syncs read forward from
the bookmark with ``min_id`` (Link ``rel="prev"``) — never ``since_id``, which skips statuses. Replies come
from ``GET /api/v1/statuses/:id/context`` (all descendants) for every own post inside the lookback window,
each a full thread scan so replies deleted upstream get marked; a 404 there marks the post itself deleted.
``content`` is HTML and becomes plain text; an edit (``edited_at``) changes the text and keeps its history.
Public reads need no token; write-back (reply, delete own status) needs one. The instance's 300 requests /
5 minutes are respected via the client's ``X-RateLimit-*`` handling.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator, Mapping
from datetime import datetime, timedelta
from typing import Any, ClassVar
from urllib.parse import urlsplit

import httpx

from connectors.base import Capability, Page, Stream, StreamContext, ThreadScan, WriteResult
from connectors.errors import ConfigurationError, NotFound, SourceFormatError
from connectors.html import html_to_text
from connectors.http import parse_json
from connectors.parsing import as_int, skipped, zoned_time
from connectors.registry import Connector, ConnectorStream, register
from store.config import ChannelConfig
from store.models import Bookmark, Item, ItemKind

PAGE_LIMIT = 40  # Mastodon's maximum for account statuses

log = logging.getLogger(__name__)


def status_key(status_id: str) -> tuple[int, str]:
    """Sort key of Mastodon ids: numeric snowflakes as numbers, anything else after them as text."""
    return (int(status_id), "") if status_id.isdigit() else (1 << 64, status_id)


def parse_time(value: object) -> datetime:
    """A Mastodon timestamp (``2026-08-01T13:52:34.108Z``) as an aware UTC datetime."""
    return zoned_time(value, "Mastodon: ")


def parse_status(node: object, channel: ChannelConfig, *, root_id: str | None = None) -> Item:
    """One status as an :class:`Item`: a POST without ``root_id``, else a COMMENT (reply to the root) or REPLY.

    Raises SourceFormatError when the status has no id, no account or no readable timestamp.
    """
    # ingest runs this tens of thousands of times a second: exact-type tests first (the ABC test only as fallback),
    # the common timestamp and counts read inline, the helpers only for what is unusual
    if type(node) is not dict:
        if not isinstance(node, Mapping):
            raise SourceFormatError("Mastodon: Beitrag ist kein JSON-Objekt")
        node = dict(node)
    get = node.get
    status_id = get("id")
    account = get("account")
    if type(status_id) is not str or not status_id or (type(account) is not dict
                                                         and not isinstance(account, Mapping)):
        raise SourceFormatError("Mastodon: Beitrag ohne 'id' oder 'account'")
    created_at = parse_time(get("created_at"))
    author_id = str(account.get("id") or "")
    content = get("content")
    text = html_to_text(content) if type(content) is str else ""
    spoiler = get("spoiler_text")
    if spoiler and type(spoiler) is str and (spoiler := spoiler.strip()):
        text = f"{spoiler}\n\n{text}" if text else spoiler
    parent_id = None
    if root_id is not None:
        parent = get("in_reply_to_id")
        parent_id = parent if type(parent) is str and parent else root_id
    url = get("url") or get("uri")
    return Item(
        channel.id,
        status_id,
        ItemKind.POST if root_id is None else ItemKind.COMMENT if parent_id == root_id else ItemKind.REPLY,
        created_at,
        text,
        author_id,
        str(account.get("display_name") or account.get("acct") or ""),
        bool(author_id) and (author_id == channel.account_id or author_id in channel.own_account_ids),
        parent_id,
        root_id,
        url if type(url) is str else "",
        as_int(get("favourites_count")),
        as_int(get("replies_count")),
        as_int(get("reblogs_count")),
        raw=node,
    )


def _skipped(notes: list[str], channel_id: str, node: object, reason: str) -> None:
    skipped(notes, log, channel_id, f"Mastodon-Beitrag {_status_id(node) or '(ohne id)'}",
            reason.removeprefix("Mastodon: "))


def _status_id(node: object) -> str | None:
    status_id = node.get("id") if isinstance(node, Mapping) else None
    return status_id if isinstance(status_id, str) and status_id else None


def parse_replies(statuses: list[Any], channel: ChannelConfig, root_id: str, notes: list[str]) -> list[Item]:
    """Every well-formed status of a thread's ``descendants`` under ``root_id``; a malformed one is skipped with a
    warning (into ``notes``)."""
    items: list[Item] = []
    for node in statuses:
        try:
            items.append(parse_status(node, channel, root_id=root_id))
        except SourceFormatError as exc:
            _skipped(notes, channel.id, node, exc.message)
    return items


def parse_own_statuses(statuses: list[Any], channel: ChannelConfig, roots: dict[str, str],
                       notes: list[str]) -> list[Item]:
    """One page of the account's statuses (newest first; reblogs left out) as items, in the page's order.

    ``exclude_replies`` keeps the account's replies to itself: such a thread continuation becomes a COMMENT or
    REPLY under its parent, in the thread of the parent's root as far as ``roots`` (status id -> thread root id of
    the statuses read so far; updated here) knows it, else of the parent itself. A malformed status is skipped
    with a warning (into ``notes``).
    """
    items: list[Item] = []
    for node in reversed(statuses):  # oldest first: a continuation's parent is known before the continuation
        try:
            if isinstance(node, Mapping) and node.get("reblog"):
                continue
            parent = node.get("in_reply_to_id") if isinstance(node, Mapping) else None
            if isinstance(parent, str) and parent:
                item = parse_status(node, channel, root_id=roots.get(parent, parent))
            else:
                item = parse_status(node, channel)
        except SourceFormatError as exc:
            _skipped(notes, channel.id, node, exc.message)
            continue
        roots[item.external_id] = item.thread_root_external_id or item.external_id
        items.append(item)
    items.reverse()
    return items


def _statuses(body: object) -> list[Any]:
    if not isinstance(body, list):
        raise SourceFormatError("Mastodon: Antwort ist keine Liste von Beiträgen")
    return body


def _link(response: httpx.Response, rel: str) -> str | None:
    link = response.links.get(rel)
    return link.get("url") if link else None


class _Base(ConnectorStream["MastodonConnector"]):
    def _get(self, url: str, params: Mapping[str, str | int] | None, what: str) -> tuple[Any, httpx.Response]:
        return self.connector.client.get_json(url, params=params, token=self.channel.token(), what=what)


class PostsStream(_Base):
    """The town's own top-level statuses; the bookmark's cursor is the newest status id stored."""

    name: ClassVar[str] = "posts"
    is_sorted: ClassVar[bool] = False  # newest first within a page: bookmark only when the stream is done

    def read(self, ctx: StreamContext) -> Iterator[Page]:
        url: str | None = f"{self.connector.api}/accounts/{self.channel.account_id}/statuses"
        params: dict[str, str | int] | None = {"limit": PAGE_LIMIT, "exclude_reblogs": "true",
                                               "exclude_replies": "true"}
        mark = ctx.bookmark(self.name)
        forward = mark is not None and mark.cursor is not None
        if forward:
            assert mark is not None and mark.cursor is not None
            params = dict(params or {}, min_id=mark.cursor)
        window = ctx.since or ctx.now - timedelta(days=self.channel.lookback_days)
        newest = mark.cursor if mark else None
        newest_at = mark.newest_at if mark else None
        reached_end = False
        roots: dict[str, str] = {}  # thread roots of what was read (a stored post is its own: the default)
        while url:
            body, response = self._get(url, params, "Mastodon-Beiträge")
            cursor = f"posts:{urlsplit(str(response.request.url)).query}"
            notes: list[str] = []
            statuses = _statuses(body)
            items = parse_own_statuses(statuses, self.channel, roots, notes)
            if not forward:
                items_in = [i for i in items if i.created_at >= window]
                reached_end = len(items_in) < len(items)
                items = items_in
            for it in items:
                if newest is None or status_key(it.external_id) > status_key(newest):
                    newest, newest_at = it.external_id, it.created_at
            top = _status_id(statuses[0]) if statuses else None  # the page's newest, stored or skipped
            if top and (newest is None or status_key(top) > status_key(newest)):
                newest = top  # a skipped newest status is passed: not warned about again on every sync
            bookmark = Bookmark(self.channel.id, self.name, cursor=newest, newest_at=newest_at) if newest else None
            yield Page(items, bookmark=bookmark, cursor=cursor, warnings=notes)
            if not body or (not forward and reached_end):
                return
            url, params = _link(response, "prev" if forward else "next"), None


class CommentsStream(_Base):
    """All replies under each own post inside the lookback window, one thread scan per post; a post whose
    context answers 404 was deleted upstream and is marked gone."""

    name: ClassVar[str] = "comments"
    is_sorted: ClassVar[bool] = True  # no cursor: every page is a complete thread

    def read(self, ctx: StreamContext) -> Iterator[Page]:
        for post_id, _created in ctx.recent_posts:
            try:
                body, _response = self._get(f"{self.connector.api}/statuses/{post_id}/context", None,
                                            "Mastodon-Antworten")
            except NotFound:  # 404 for this very status: deleted upstream
                yield Page([], cursor=f"context:{post_id}", gone=frozenset({post_id}))
                continue
            if not isinstance(body, Mapping):
                raise SourceFormatError("Mastodon: Kontext ist kein JSON-Objekt")
            statuses = _statuses(body.get("descendants", []))
            notes: list[str] = []
            items = parse_replies(statuses, self.channel, post_id, notes)
            seen = frozenset(filter(None, map(_status_id, statuses)))  # a malformed reply exists upstream all the same
            yield Page(items, thread=ThreadScan(post_id, seen), cursor=f"context:{post_id}", warnings=notes)


@register
class MastodonConnector(Connector):
    """Mastodon: own statuses, replies via context, reply and delete-own write-back."""

    platform: ClassVar[str] = "mastodon"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.REPLY, Capability.DELETE})

    @property
    def api(self) -> str:
        if not self.channel.base_url:
            raise ConfigurationError("Mastodon: 'base_url' (die Instanz, z. B. https://social.example.de) fehlt")
        return f"{self.channel.base_url.rstrip('/')}/api/v1"

    def streams(self) -> list[Stream]:
        if not self.channel.account_id:
            raise ConfigurationError("Mastodon: 'account_id' (die Konto-ID der Stadt) fehlt")
        return [PostsStream(self), CommentsStream(self)]

    def _token(self) -> str:
        token = self.channel.token()
        if not token:
            raise ConfigurationError(
                f"Mastodon: für Schreibzugriffe wird ein Zugangsschlüssel in {self.channel.token_env or 'token_env'} "
                "benötigt"
            )
        return token

    def reply(self, parent_external_id: str, text: str) -> WriteResult:
        """Post ``text`` publicly as a reply to status ``parent_external_id`` (idempotent per parent+text)."""
        key = hashlib.sha256(f"{parent_external_id}\x00{text}".encode()).hexdigest()[:32]
        response = self.client.request(
            "POST", f"{self.api}/statuses", json_body={"status": text, "in_reply_to_id": parent_external_id,
                                                        "visibility": "public"},
            token=self._token(), headers={"Idempotency-Key": key}, what="Mastodon-Antwort",
        )
        body = _json_object(response)
        return WriteResult(ok=True, platform_id=str(body.get("id") or "") or None, detail="veröffentlicht")

    def delete(self, external_id: str) -> WriteResult:
        """Delete one of the town's own statuses."""
        self.client.request("DELETE", f"{self.api}/statuses/{external_id}", token=self._token(),
                            what="Mastodon-Löschen")
        return WriteResult(ok=True, platform_id=external_id, detail="gelöscht")


def _json_object(response: httpx.Response) -> Mapping[str, Any]:
    body = parse_json(response, "Mastodon")
    if not isinstance(body, Mapping):
        raise SourceFormatError("Mastodon: Antwort ist kein JSON-Objekt")
    return body
