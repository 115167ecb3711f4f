"""Bluesky (AT Protocol): own posts from ``getAuthorFeed``, replies from ``getPostThread``, write-back via the PDS.

Reads go to the public AppView (no auth); writes (reply, hide via threadgate ``hiddenReplies``, delete own post)
go to the account's PDS with a session created from an app password. Turning the JSON into items and errors is
the pure part in :mod:`connectors.bluesky_parse`.
"""

from __future__ import annotations

import re
import time
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, ClassVar

import httpx

from connectors.base import (
    Capability,
    Page,
    Stream,
    StreamContext,
    ThreadScan,
    WriteResult,
    newest_first_bounds,
    newest_time,
)
from connectors.bluesky_parse import (
    RecordGone,
    node_type,
    own_account,
    parse_author_feed,
    parse_thread,
    reply_root_ref,
    split_at_uri,
    xrpc_error,
)
from connectors.errors import CapabilityError, ConfigurationError, ConnectorError, NotFound, SourceFormatError
from connectors.http import HttpClient, parse_json
from connectors.registry import Connector, ConnectorStream, register
from store.config import ChannelConfig
from store.models import Bookmark

JsonObject = dict[str, Any]

POST_COLLECTION = "app.bsky.feed.post"
THREADGATE_COLLECTION = "app.bsky.feed.threadgate"
_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"]+")
PUBLIC_APPVIEW = "https://public.api.bsky.app"
DEFAULT_PDS = "https://bsky.social"
FEED_LIMIT = 100
DEFAULT_THREAD_DEPTH = 100  # deeper threads are read, but their deletions are not judged (see ThreadRead)
MAX_POST_GRAPHEMES = 300
MAX_HIDDEN_REPLIES = 300  # app.bsky.feed.threadgate#hiddenReplies maxLength

# --- streams -------------------------------------------------------------------------------------


class PostsStream(ConnectorStream["BlueskyConnector"]):
    """The town's own top-level posts (``posts_no_replies``), newest first, back to the bookmark or window."""

    name: ClassVar[str] = "posts"
    is_sorted: ClassVar[bool] = False  # newest first: the bookmark is saved when the stream is done

    def read(self, ctx: StreamContext) -> Iterator[Page]:
        stop_at, newest = newest_first_bounds(ctx, self.name)
        cursor: str | None = None
        while True:
            params: dict[str, str | int] = {"actor": self.connector.actor, "limit": FEED_LIMIT,
                                            "filter": "posts_no_replies"}
            if cursor:
                params["cursor"] = cursor
            body = self.connector.xrpc_get("app.bsky.feed.getAuthorFeed", params, "Bluesky-Beiträge")
            page = parse_author_feed(self.channel.id, body, self.connector.own)
            items = [i for i in page.items if i.created_at >= stop_at]
            newest = newest_time(items, newest)
            mark_out = Bookmark(self.channel.id, self.name, newest_at=newest) if newest else None
            yield Page(items, bookmark=mark_out, cursor=f"posts:{cursor or ''}", warnings=page.warnings)
            if page.cursor is None or page.oldest_at is None or page.oldest_at < stop_at:
                return
            cursor = page.cursor


class CommentsStream(ConnectorStream["BlueskyConnector"]):
    """Every reply under each own post inside the lookback window; one complete thread = one thread scan.

    A post the AppView reports as not found (``NotFound`` error or a ``#notFoundPost`` root) is marked gone.
    """

    name: ClassVar[str] = "comments"
    is_sorted: ClassVar[bool] = True  # no cursor: each page is one whole thread

    def read(self, ctx: StreamContext) -> Iterator[Page]:
        depth = int(self.channel.options.get("thread_depth", DEFAULT_THREAD_DEPTH))
        for uri, _created in ctx.recent_posts:
            cursor = f"thread:{uri}"
            try:
                body = self.connector.xrpc_get("app.bsky.feed.getPostThread",
                                               {"uri": uri, "depth": depth, "parentHeight": 0}, "Bluesky-Antworten")
            except RecordGone:  # the AppView says this very post does not exist: deleted upstream
                yield Page([], cursor=cursor, gone=frozenset({uri}))
                continue
            except NotFound as exc:  # a bare 404 on the way proves nothing about the post
                yield Page([], cursor=cursor, warnings=[f"Bluesky-Beitrag {uri} nicht abrufbar: {exc.message}"])
                continue
            read = parse_thread(self.channel.id, body, self.connector.own, depth)
            if read.gone:
                yield Page([], cursor=cursor, gone=frozenset({uri}))
                continue
            if read.root is None and not read.warnings:
                yield Page([], cursor=cursor, warnings=[f"Bluesky-Beitrag {uri} ist nicht sichtbar (gesperrt?)"])
                continue
            scan = ThreadScan(uri, read.seen) if read.complete else None
            notes = [] if read.complete else [f"Bluesky-Thread {uri} tiefer als {depth} Ebenen: Löschungen ungeprüft"]
            root = [read.root] if read.root is not None else []
            yield Page([*root, *read.replies], thread=scan, cursor=cursor, warnings=[*read.warnings, *notes])


# --- the connector -------------------------------------------------------------------------------


@dataclass(slots=True)
class Session:
    did: str
    access_jwt: str


@register
class BlueskyConnector(Connector):
    """Bluesky: own posts, reply threads, and reply / hide (threadgate) / delete-own write-back."""

    platform: ClassVar[str] = "bluesky"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.REPLY, Capability.HIDE, Capability.DELETE})

    def __init__(self, channel: ChannelConfig, client: HttpClient) -> None:
        super().__init__(channel, client)
        self.own = own_account(channel.account_id, channel.own_account_ids, channel.handle)
        self._session: Session | None = None

    # --- addresses and requests ------------------------------------------------------------------

    @property
    def appview(self) -> str:
        return (self.channel.base_url or PUBLIC_APPVIEW).rstrip("/")

    @property
    def pds(self) -> str:
        """Writes go to the account's PDS; the public AppView is read-only."""
        configured = self.channel.options.get("pds_url")
        if isinstance(configured, str) and configured:
            return configured.rstrip("/")
        return DEFAULT_PDS if self.appview == PUBLIC_APPVIEW else self.appview

    @property
    def actor(self) -> str:
        actor = self.channel.account_id or self.channel.handle.lstrip("@")
        if not actor:
            raise ConfigurationError("Bluesky: 'account_id' (DID) oder 'handle' der Stadt fehlt")
        return actor

    def streams(self) -> list[Stream]:
        _ = self.actor
        return [PostsStream(self), CommentsStream(self)]

    def _hook(self, response: httpx.Response) -> ConnectorError | None:
        return xrpc_error(response.status_code, response.content, response.headers, time.time())

    def xrpc_get(self, nsid: str, params: Mapping[str, str | int], what: str, *, base: str | None = None,
                 token: str | None = None) -> Any:
        """GET an XRPC query and return its JSON body (errors mapped by :func:`xrpc_error`)."""
        body, _response = self.client.get_json(f"{base or self.appview}/xrpc/{nsid}", params=params, token=token,
                                               error_hook=self._hook, what=what)
        return body

    def _procedure(self, nsid: str, body: JsonObject, what: str) -> JsonObject:
        session = self._login()
        response = self.client.request("POST", f"{self.pds}/xrpc/{nsid}", json_body=body, token=session.access_jwt,
                                       error_hook=self._hook, what=what)
        answer = parse_json(response, what) if response.content else {}
        return answer if isinstance(answer, dict) else {}

    def _login(self) -> Session:
        """``com.atproto.server.createSession`` with the app password from ``token_env`` (once per connector)."""
        if self._session is not None:
            return self._session
        password = self.channel.token()
        if not password:
            raise ConfigurationError(
                f"Bluesky: für Schreibzugriffe wird ein App-Passwort in {self.channel.token_env or 'token_env'} "
                "benötigt"
            )
        response = self.client.request(
            "POST", f"{self.pds}/xrpc/com.atproto.server.createSession",
            json_body={"identifier": self.actor, "password": password}, error_hook=self._hook, what="Bluesky-Anmeldung",
        )
        body = parse_json(response, "Bluesky-Anmeldung")
        if not isinstance(body, Mapping) or not isinstance(body.get("accessJwt"), str) or not body.get("did"):
            raise SourceFormatError("Bluesky-Anmeldung: Antwort ohne 'accessJwt' oder 'did'")
        self._session = Session(str(body["did"]), body["accessJwt"])
        return self._session

    def _post_view(self, uri: str) -> Mapping[str, Any]:
        body = self.xrpc_get("app.bsky.feed.getPostThread", {"uri": uri, "depth": 0, "parentHeight": 0},
                             "Bluesky-Beitrag")
        thread = body.get("thread") if isinstance(body, Mapping) else None
        if node_type(thread) != "post":
            raise NotFound(f"Bluesky-Beitrag {uri} ist nicht (mehr) sichtbar")
        assert isinstance(thread, Mapping)
        post: Mapping[str, Any] = thread["post"]
        return post

    # --- write-back ------------------------------------------------------------------------------

    def reply(self, parent_external_id: str, text: str) -> WriteResult:
        """Post ``text`` as the town's reply under ``parent_external_id`` (root ref taken from the parent)."""
        if grapheme_estimate(text) > MAX_POST_GRAPHEMES:
            raise CapabilityError(f"Bluesky: Antwort ist länger als {MAX_POST_GRAPHEMES} Zeichen")
        parent = self._post_view(parent_external_id)
        parent_ref = {"uri": parent_external_id, "cid": str(parent.get("cid") or "")}
        root_ref = reply_root_ref(parent) or parent_ref
        record: JsonObject = {"$type": POST_COLLECTION, "text": text, "createdAt": _now_iso(), "langs": ["de"],
                              "reply": {"root": root_ref, "parent": parent_ref}}
        facets = link_facets(text)
        if facets:
            record["facets"] = facets
        session = self._login()
        answer = self._procedure("com.atproto.repo.createRecord",
                                 {"repo": session.did, "collection": POST_COLLECTION, "record": record},
                                 "Bluesky-Antwort")
        return WriteResult(ok=True, platform_id=str(answer.get("uri") or "") or None, detail="veröffentlicht")

    def hide(self, external_id: str) -> WriteResult:
        """Hide a reply under one of the town's posts via the root's threadgate ``hiddenReplies``."""
        root = reply_root_ref(self._post_view(external_id))
        if root is None:
            raise CapabilityError("Bluesky: nur Antworten können verborgen werden, keine Beiträge")
        session = self._login()
        root_uri = str(root["uri"])
        repo, _collection, rkey = split_at_uri(root_uri)
        if repo != session.did:
            raise CapabilityError("Bluesky: nur Antworten unter Beiträgen der Stadt können verborgen werden")
        try:
            current = self.xrpc_get("com.atproto.repo.getRecord",
                                    {"repo": session.did, "collection": THREADGATE_COLLECTION, "rkey": rkey},
                                    "Bluesky-Threadgate", base=self.pds, token=session.access_jwt)
            value = current.get("value") if isinstance(current, Mapping) else None
            gate = dict(value) if isinstance(value, Mapping) else {}
        except NotFound:
            gate = {}
        if not gate:  # no 'allow' key: everyone may still reply ('allow': [] would close the thread)
            gate = {"$type": THREADGATE_COLLECTION, "post": root_uri, "createdAt": _now_iso()}
        listed = [u for u in gate.get("hiddenReplies") or [] if isinstance(u, str)]
        if external_id not in listed:
            if len(listed) >= MAX_HIDDEN_REPLIES:
                raise CapabilityError(f"Bluesky: höchstens {MAX_HIDDEN_REPLIES} verborgene Antworten je Beitrag")
            listed.append(external_id)
        gate["hiddenReplies"] = listed
        self._procedure("com.atproto.repo.putRecord",
                        {"repo": session.did, "collection": THREADGATE_COLLECTION, "rkey": rkey, "record": gate},
                        "Bluesky-Verbergen")
        return WriteResult(ok=True, platform_id=external_id, detail="verborgen (Threadgate)")

    def delete(self, external_id: str) -> WriteResult:
        """Delete one of the town's own posts or replies (others' posts can only be hidden)."""
        session = self._login()
        repo, collection, rkey = split_at_uri(external_id)
        if repo != session.did:
            raise CapabilityError("Bluesky: fremde Beiträge können nicht gelöscht, nur verborgen werden")
        self._procedure("com.atproto.repo.deleteRecord", {"repo": repo, "collection": collection, "rkey": rkey},
                        "Bluesky-Löschen")
        return WriteResult(ok=True, platform_id=external_id, detail="gelöscht")


def _now_iso() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def grapheme_estimate(text: str) -> int:
    """Graphemes, approximately: code points minus combining marks, joiners and variation selectors."""
    return sum(1 for ch in text if not unicodedata.combining(ch) and ch not in "\u200d\ufe0f\ufe0e")


def link_facets(text: str) -> list[JsonObject]:
    """``#link`` facets (UTF-8 byte offsets) for every http(s) URL in ``text``, so links in replies are clickable."""
    facets: list[JsonObject] = []
    for match in _URL_IN_TEXT.finditer(text):
        url = match.group(0).rstrip(".,;:!?)")
        start = len(text[: match.start()].encode())
        facets.append({"index": {"byteStart": start, "byteEnd": start + len(url.encode())},
                       "features": [{"$type": "app.bsky.richtext.facet#link", "uri": url}]})
    return facets
