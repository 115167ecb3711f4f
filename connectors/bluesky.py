"""Bluesky (AT Protocol): own posts from ``getAuthorFeed``, replies from ``getPostThread``, write-back via the PDS.

Reads go to the public AppView (no auth); writes (reply, hide via threadgate ``hiddenReplies``, delete own post)
go to the account's PDS with a session created from an app password. The pure part turns lexicon-shaped JSON
(``app.bsky.feed.defs#postView``, ``#threadViewPost``, ``#notFoundPost``, ``#blockedPost``) into :class:`Item` s.
"""

from __future__ import annotations

import json
import re
import time
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import httpx

from connectors.base import Capability, Page, Stream, StreamContext, ThreadScan, WriteResult
from connectors.errors import (
    AuthError,
    CapabilityError,
    ConfigurationError,
    ConnectorError,
    FatalError,
    NotFound,
    RateLimited,
    RetriableError,
    SourceFormatError,
)
from connectors.http import HttpClient, parse_json
from connectors.registry import Connector, register
from store.config import ChannelConfig
from store.models import Bookmark, Item, ItemKind, ItemState

JsonObject = dict[str, Any]

POST_COLLECTION = "app.bsky.feed.post"
THREADGATE_COLLECTION = "app.bsky.feed.threadgate"
_AT_URI = re.compile(r"^at://(?P<repo>[^/]+)/(?P<collection>[^/]+)/(?P<rkey>[^/?#]+)$")
_NOT_FOUND = "app.bsky.feed.defs#notFoundPost"
_BLOCKED = "app.bsky.feed.defs#blockedPost"
_ELLIPSES = ("...", "…")
_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"]+")
PUBLIC_APPVIEW = "https://public.api.bsky.app"
DEFAULT_PDS = "https://bsky.social"
FEED_LIMIT = 100
DEFAULT_THREAD_DEPTH = 100  # deeper threads are read, but their deletions are not judged (see ThreadRead)
MAX_POST_GRAPHEMES = 300
MAX_HIDDEN_REPLIES = 300  # app.bsky.feed.threadgate#hiddenReplies maxLength


# --- identities and addresses ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OwnAccount:
    """Who counts as the town's account: its DID(s) and its handle."""

    dids: frozenset[str]
    handles: frozenset[str] = frozenset()

    def is_own(self, author: Mapping[str, Any]) -> bool:
        did, handle = author.get("did"), author.get("handle")
        if isinstance(did, str) and did in self.dids:
            return True
        return isinstance(handle, str) and handle.casefold() in self.handles


def own_account(account_id: str, own_account_ids: Iterable[str], handle: str = "") -> OwnAccount:
    """Build :class:`OwnAccount` from a channel's configuration (empty values are ignored)."""
    dids = frozenset(i for i in (account_id, *own_account_ids) if i)
    clean = handle.strip().lstrip("@").casefold()
    return OwnAccount(dids, frozenset({clean}) if clean else frozenset())


def split_at_uri(uri: str) -> tuple[str, str, str]:
    """(repo DID or handle, collection, record key) of an ``at://`` URI; SourceFormatError otherwise."""
    match = _AT_URI.match(uri)
    if not match:
        raise SourceFormatError(f"Keine gültige AT-URI: {uri!r:.80}")
    return match["repo"], match["collection"], match["rkey"]


def post_url(uri: str, handle: str = "") -> str:
    """The bsky.app address of a post; the DID stands in when the handle is unknown or invalid."""
    repo, _collection, rkey = split_at_uri(uri)
    who = handle if handle and handle != "handle.invalid" else repo
    return f"https://bsky.app/profile/{who}/post/{rkey}"


def parse_time(value: object) -> datetime | None:
    """An AT Protocol datetime as aware UTC; None when missing or unreadable. Naive values count as UTC."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _obj(node: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """``node[key]`` when it is an object, else an empty one: missing fields are data, not a crash."""
    value = node.get(key)
    return value if isinstance(value, Mapping) else {}


def _str(node: Mapping[str, Any], key: str) -> str:
    value = node.get(key)
    return value if isinstance(value, str) else ""


# --- text ---------------------------------------------------------------------------------------


def expand_links(text: str, facets: object) -> str:
    """``text`` with shortened link labels (``github.com/snarfed/brid...``) replaced by the facet's full URI.

    Clients shorten long URLs in the text and keep the target in a ``#link`` facet indexed by UTF-8 *byte*
    offsets. Only labels that are visibly a truncated form of the URI are replaced, so a link on a word
    ("hier") keeps the word. Malformed or overlapping facets are ignored: the text is never worse than given.
    """
    if not isinstance(facets, list) or not facets:
        return text
    raw = text.encode("utf-8")
    spans: list[tuple[int, int, str]] = []
    for facet in facets:
        if not isinstance(facet, Mapping):
            continue
        index, features = facet.get("index"), facet.get("features")
        if not isinstance(index, Mapping) or not isinstance(features, list):
            continue
        start, end = index.get("byteStart"), index.get("byteEnd")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(raw)):
            continue
        for feature in features:
            if isinstance(feature, Mapping) and feature.get("$type") == "app.bsky.richtext.facet#link":
                uri = feature.get("uri")
                if isinstance(uri, str):
                    spans.append((start, end, uri))
    out, pos = [], 0
    for start, end, uri in sorted(spans):
        if start < pos:
            continue  # overlapping facets: keep the first
        label = raw[start:end].decode("utf-8", errors="ignore")
        if _is_shortened(label, uri):
            out.append(raw[pos:start])
            out.append(uri.encode("utf-8"))
            pos = end
    if not out:
        return text
    out.append(raw[pos:])
    return b"".join(out).decode("utf-8", errors="replace")


def _is_shortened(label: str, uri: str) -> bool:
    bare = re.sub(r"^https?://(www\.)?", "", uri)
    for ellipsis in _ELLIPSES:
        if label.endswith(ellipsis):
            stem = re.sub(r"^https?://(www\.)?", "", label[: -len(ellipsis)])
            return bool(stem) and bare.startswith(stem)
    return False


# --- posts ---------------------------------------------------------------------------------------


def post_item(channel_id: str, post: Mapping[str, Any], own: OwnAccount, hidden: frozenset[str] = frozenset()) -> Item:
    """An ``app.bsky.feed.defs#postView`` as an :class:`Item`.

    Top-level posts are POSTs; a reply to the thread root is a COMMENT, a reply to a reply a REPLY, with
    parent and root taken from ``record.reply``. ``hidden`` holds the URIs the root's threadgate hides.
    """
    uri = post.get("uri")
    if not isinstance(uri, str):
        raise SourceFormatError("Bluesky-Beitrag ohne 'uri'")
    split_at_uri(uri)
    author, record = _obj(post, "author"), _obj(post, "record")
    created = parse_time(record.get("createdAt"))
    if created is None or not _has_zone(record.get("createdAt")):
        created = parse_time(post.get("indexedAt")) or created
    if created is None:
        raise SourceFormatError(f"Bluesky-Beitrag {uri} ohne lesbaren Zeitstempel")
    reply = _obj(record, "reply")
    parent, root = _ref_uri(reply, "parent"), _ref_uri(reply, "root")
    if parent is None:
        kind = ItemKind.POST
    else:
        kind = ItemKind.COMMENT if parent == (root or parent) else ItemKind.REPLY
    handle = _str(author, "handle")
    return Item(
        channel_id=channel_id,
        external_id=uri,
        kind=kind,
        created_at=created,
        text=expand_links(_str(record, "text"), record.get("facets")),
        author_id=_str(author, "did"),
        author_name=_str(author, "displayName") or handle,
        is_own_account=own.is_own(author),
        parent_external_id=parent,
        thread_root_external_id=(root or parent) if parent else None,
        url=post_url(uri, handle),
        like_count=_count(post.get("likeCount")),
        reply_count=_count(post.get("replyCount")),
        share_count=_count(post.get("repostCount")) + _count(post.get("quoteCount")),
        state=ItemState.HIDDEN if uri in hidden else ItemState.VISIBLE,
        raw=dict(post),
    )


def _has_zone(value: object) -> bool:
    return isinstance(value, str) and (value.endswith(("Z", "z")) or bool(re.search(r"[+-]\d\d:?\d\d$", value)))


def _ref_uri(reply: Mapping[str, Any], key: str) -> str | None:
    ref = reply.get(key)
    uri = ref.get("uri") if isinstance(ref, Mapping) else None
    return uri if isinstance(uri, str) and uri else None


@dataclass(slots=True)
class FeedPage:
    """One parsed ``getAuthorFeed`` page: the channel's own top-level posts and the cursor of the next page."""

    items: list[Item]
    cursor: str | None
    oldest_at: datetime | None  # feed time of the page's last entry, reposts included: tells when to stop paging


def parse_author_feed(channel_id: str, payload: object, own: OwnAccount) -> FeedPage:
    """Parse an ``app.bsky.feed.getAuthorFeed`` response; reposts and pins (entries with ``reason``) are skipped."""
    if not isinstance(payload, Mapping) or not isinstance(payload.get("feed"), list):
        raise SourceFormatError("Antwort von getAuthorFeed hat keine 'feed'-Liste")
    items: list[Item] = []
    oldest: datetime | None = None
    for entry in payload["feed"]:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("post"), Mapping):
            continue
        post, reason = entry["post"], entry.get("reason")
        # the feed is ordered by when an entry appeared: a repost by the repost's time
        seen_at = parse_time(_obj(entry, "reason").get("indexedAt") if reason else post.get("indexedAt"))
        if seen_at is not None:
            oldest = seen_at if oldest is None or seen_at < oldest else oldest
        if entry.get("reason") is not None or not own.is_own(_obj(post, "author")):
            continue
        items.append(post_item(channel_id, post, own))
    cursor = payload.get("cursor")
    return FeedPage(items, cursor if isinstance(cursor, str) and cursor else None, oldest)


# --- threads -------------------------------------------------------------------------------------


@dataclass(slots=True)
class ThreadRead:
    """A flattened ``getPostThread`` answer.

    ``seen`` holds every reply URI known to exist (blocked replies included: they exist, we just may not
    see them); ``complete`` is False when the depth limit cut the tree, so absent replies prove nothing.
    """

    root: Item | None
    replies: list[Item]
    seen: frozenset[str]
    complete: bool


def hidden_replies(payload: Mapping[str, Any]) -> frozenset[str]:
    """URIs listed in the thread's threadgate ``hiddenReplies`` (``threadgate`` view of getPostThread)."""
    gate = payload.get("threadgate")
    record = gate.get("record") if isinstance(gate, Mapping) else None
    listed = record.get("hiddenReplies") if isinstance(record, Mapping) else None
    return frozenset(u for u in listed if isinstance(u, str)) if isinstance(listed, list) else frozenset()


def parse_thread(channel_id: str, payload: object, own: OwnAccount, depth: int) -> ThreadRead:
    """Flatten a ``getPostThread`` response fetched with ``depth``; nested replies keep parent and root.

    A ``#notFoundPost`` root means the post is gone (``root`` None); deleted or blocked reply nodes are
    skipped, and their sub-trees cannot be seen.
    """
    if not isinstance(payload, Mapping) or not isinstance(payload.get("thread"), Mapping):
        raise SourceFormatError("Antwort von getPostThread hat kein 'thread'-Objekt")
    node = payload["thread"]
    if _node_type(node) != "post":
        return ThreadRead(None, [], frozenset(), complete=_node_type(node) == "notFound")
    hidden = hidden_replies(payload)
    root = post_item(channel_id, node["post"], own, hidden)
    replies: list[Item] = []
    seen: set[str] = set()
    complete = True
    for child, level in _walk(node, 1):
        kind = _node_type(child)
        if kind == "blocked":
            seen.add(str(child.get("uri")))
            continue
        if kind != "post":
            continue
        item = post_item(channel_id, child["post"], own, hidden)
        replies.append(item)
        seen.add(item.external_id)
        if level >= depth and item.reply_count > 0 and not child.get("replies"):
            complete = False
    return ThreadRead(root, replies, frozenset(seen), complete)


def _node_type(node: object) -> str:
    if not isinstance(node, Mapping):
        return "invalid"
    kind = node.get("$type")
    if kind == _NOT_FOUND or node.get("notFound") is True:
        return "notFound"
    if kind == _BLOCKED or node.get("blocked") is True:
        return "blocked"
    return "post" if isinstance(node.get("post"), Mapping) else "invalid"


def _walk(node: Mapping[str, Any], level: int) -> Iterator[tuple[Mapping[str, Any], int]]:
    """Depth-first over the reply tree, iteratively (a thread can be deeper than Python's recursion limit)."""
    stack: list[tuple[Mapping[str, Any], int]] = [(node, level - 1)]
    while stack:
        current, at = stack.pop()
        children = current.get("replies") if _node_type(current) == "post" else None
        if isinstance(children, list):
            for child in reversed(children):
                if isinstance(child, Mapping):
                    stack.append((child, at + 1))
        if at >= level:
            yield current, at


# --- errors --------------------------------------------------------------------------------------

_AUTH_ERRORS = frozenset({"ExpiredToken", "InvalidToken", "AuthenticationRequired", "AuthMissing", "BadJwt",
                          "AccountTakedown", "AccountDeactivated", "InvalidPassword"})
_NOT_FOUND_ERRORS = frozenset({"NotFound", "RecordNotFound"})


def xrpc_error(status: int, body: object, headers: Mapping[str, str], now: float) -> ConnectorError | None:
    """Map an XRPC error (``{"error": name, "message": …}``) to the error tree; None for other bodies.

    "Not found" arrives as HTTP 400 ``NotFound``; rate limits as 429 with ``ratelimit-reset`` (epoch seconds).
    """
    if isinstance(body, bytes | str):
        try:
            body = json.loads(body)
        except ValueError:
            return None
    name = body.get("error") if isinstance(body, Mapping) else None
    if not isinstance(name, str):
        return None
    said = f"(Bluesky: {name})"
    if name in _NOT_FOUND_ERRORS:
        return NotFound(f"Beitrag oder Datensatz existiert nicht (mehr) {said}")
    if name in _AUTH_ERRORS or status == 401:
        return AuthError(f"Zugriff verweigert: Bluesky-Anmeldung abgelaufen oder ungültig – App-Passwort prüfen {said}")
    if status == 429 or name == "RateLimitExceeded":
        reset = next((v for k, v in headers.items() if k.lower() == "ratelimit-reset"), None)
        wait = max(0.0, float(reset) - now) if reset and reset.isdigit() else None
        return RateLimited(f"Zu viele Anfragen an Bluesky {said}", retry_after=wait)
    if status >= 500:
        return RetriableError(f"Vorübergehende Störung bei Bluesky (HTTP {status}) {said}")
    message = body.get("message") if isinstance(body, Mapping) else None
    if name == "InvalidRequest" and isinstance(message, str) and "not found" in message.lower():
        return ConfigurationError(f"Bluesky-Konto nicht gefunden – 'account_id' (DID) oder 'handle' prüfen {said}")
    return FatalError(f"Bluesky lehnt die Anfrage ab {said}")


# --- streams -------------------------------------------------------------------------------------


class _Base:
    def __init__(self, connector: BlueskyConnector) -> None:
        self.connector = connector
        self.channel = connector.channel


class PostsStream(_Base):
    """The town's own top-level posts (``posts_no_replies``), newest first, back to the bookmark or window."""

    name: ClassVar[str] = "posts"
    is_sorted: ClassVar[bool] = False  # newest first: the bookmark is saved when the stream is done

    def read(self, ctx: StreamContext) -> Iterator[Page]:
        mark = ctx.bookmark(self.name)
        window = ctx.now - timedelta(days=self.channel.lookback_days)
        stop_at = ctx.since or (mark.newest_at if mark and mark.newest_at else window)
        newest = mark.newest_at if mark else None
        cursor: str | None = None
        while True:
            params: dict[str, str | int] = {"actor": self.connector.actor, "limit": FEED_LIMIT,
                                            "filter": "posts_no_replies"}
            if cursor:
                params["cursor"] = cursor
            body = self.connector.xrpc_get("app.bsky.feed.getAuthorFeed", params, "Bluesky-Beiträge")
            page = parse_author_feed(self.channel.id, body, self.connector.own)
            items = [i for i in page.items if i.created_at >= stop_at]
            for it in items:
                newest = it.created_at if newest is None or it.created_at > newest else newest
            mark_out = Bookmark(self.channel.id, self.name, newest_at=newest) if newest else None
            yield Page(items, bookmark=mark_out, cursor=f"posts:{cursor or ''}")
            if page.cursor is None or page.oldest_at is None or page.oldest_at < stop_at:
                return
            cursor = page.cursor


class CommentsStream(_Base):
    """Every reply under each own post inside the lookback window; one complete thread = one thread scan."""

    name: ClassVar[str] = "comments"
    is_sorted: ClassVar[bool] = True  # no cursor: each page is one whole thread

    def read(self, ctx: StreamContext) -> Iterator[Page]:
        depth = int(self.channel.options.get("thread_depth", DEFAULT_THREAD_DEPTH))
        for uri, _created in ctx.recent_posts:
            cursor = f"thread:{uri}"
            try:
                body = self.connector.xrpc_get("app.bsky.feed.getPostThread",
                                               {"uri": uri, "depth": depth, "parentHeight": 0}, "Bluesky-Antworten")
            except NotFound:
                yield Page([], cursor=cursor, warnings=[f"Bluesky-Beitrag {uri} ist nicht mehr vorhanden"])
                continue
            read = parse_thread(self.channel.id, body, self.connector.own, depth)
            if read.root is None:
                yield Page([], cursor=cursor, warnings=[f"Bluesky-Beitrag {uri} ist nicht mehr vorhanden"])
                continue
            scan = ThreadScan(uri, read.seen) if read.complete else None
            notes = [] if read.complete else [f"Bluesky-Thread {uri} tiefer als {depth} Ebenen: Löschungen ungeprüft"]
            yield Page([read.root, *read.replies], thread=scan, cursor=cursor, warnings=notes)


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
        if _node_type(thread) != "post":
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
        root = _obj(_obj(parent, "record"), "reply").get("root")
        root_ref = dict(root) if isinstance(root, Mapping) and root.get("uri") else parent_ref
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
        reply = self._post_view(external_id)
        root_uri = _ref_uri(_obj(_obj(reply, "record"), "reply"), "root")
        if root_uri is None:
            raise CapabilityError("Bluesky: nur Antworten können verborgen werden, keine Beiträge")
        session = self._login()
        repo, _collection, rkey = split_at_uri(root_uri)
        if repo != session.did:
            raise CapabilityError("Bluesky: nur Antworten unter Beiträgen der Stadt können verborgen werden")
        try:
            current = self.xrpc_get("com.atproto.repo.getRecord",
                                    {"repo": session.did, "collection": THREADGATE_COLLECTION, "rkey": rkey},
                                    "Bluesky-Threadgate", base=self.pds, token=session.access_jwt)
            gate = dict(_obj(current, "value")) if isinstance(current, Mapping) else {}
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
