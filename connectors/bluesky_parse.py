"""Bluesky's pure part: lexicon-shaped JSON (``app.bsky.feed.defs#postView``, ``#threadViewPost``,
``#notFoundPost``, ``#blockedPost``) and XRPC error bodies turned into :class:`Item` s and connector errors.

No I/O here: :mod:`connectors.bluesky` fetches the feed and threads and does the write-back.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from connectors.errors import (
    AuthError,
    ConfigurationError,
    ConnectorError,
    FatalError,
    NotFound,
    RateLimited,
    RetriableError,
    SourceFormatError,
)
from connectors.parsing import as_int, as_utc, obj_at, parse_iso, skipped, str_at
from store.models import Item, ItemKind, ItemState

log = logging.getLogger(__name__)
_AT_URI = re.compile(r"^at://(?P<repo>[^/]+)/(?P<collection>[^/]+)/(?P<rkey>[^/?#]+)$")
_NOT_FOUND = "app.bsky.feed.defs#notFoundPost"
_BLOCKED = "app.bsky.feed.defs#blockedPost"
_ELLIPSES = ("...", "…")


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
    parsed = parse_iso(value)
    return as_utc(parsed) if parsed is not None else None


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
    author, record = obj_at(post, "author"), obj_at(post, "record")
    created = parse_time(record.get("createdAt"))
    if created is None or not _has_zone(record.get("createdAt")):
        created = parse_time(post.get("indexedAt")) or created
    if created is None:
        raise SourceFormatError(f"Bluesky-Beitrag {uri} ohne lesbaren Zeitstempel")
    reply = obj_at(record, "reply")
    parent, root = _ref_uri(reply, "parent"), _ref_uri(reply, "root")
    if parent is None:
        kind = ItemKind.POST
    else:
        kind = ItemKind.COMMENT if parent == (root or parent) else ItemKind.REPLY
    handle = str_at(author, "handle")
    return Item(
        channel_id=channel_id,
        external_id=uri,
        kind=kind,
        created_at=created,
        text=expand_links(str_at(record, "text"), record.get("facets")),
        author_id=str_at(author, "did"),
        author_name=str_at(author, "displayName") or handle,
        is_own_account=own.is_own(author),
        parent_external_id=parent,
        thread_root_external_id=(root or parent) if parent else None,
        url=post_url(uri, handle),
        like_count=as_int(post.get("likeCount")),
        reply_count=as_int(post.get("replyCount")),
        share_count=as_int(post.get("repostCount")) + as_int(post.get("quoteCount")),
        state=ItemState.HIDDEN if uri in hidden else ItemState.VISIBLE,
        raw=dict(post),
    )


def _has_zone(value: object) -> bool:
    return isinstance(value, str) and (value.endswith(("Z", "z")) or bool(re.search(r"[+-]\d\d:?\d\d$", value)))


def _ref_uri(reply: Mapping[str, Any], key: str) -> str | None:
    ref = reply.get(key)
    uri = ref.get("uri") if isinstance(ref, Mapping) else None
    return uri if isinstance(uri, str) and uri else None


def reply_root_ref(post: Mapping[str, Any]) -> dict[str, Any] | None:
    """The strong ref (``uri`` + ``cid``) of the thread root a reply's record names; None for a top-level post."""
    root = obj_at(obj_at(post, "record"), "reply").get("root")
    uri = root.get("uri") if isinstance(root, Mapping) else None
    return dict(root) if isinstance(root, Mapping) and isinstance(uri, str) and uri else None


@dataclass(slots=True)
class FeedPage:
    """One parsed ``getAuthorFeed`` page: the channel's own top-level posts and the cursor of the next page."""

    items: list[Item]
    cursor: str | None
    oldest_at: datetime | None  # feed time of the page's last entry, reposts included: tells when to stop paging
    warnings: list[str] = field(default_factory=list)  # German notes on skipped malformed posts


def _skip_note(notes: list[str], channel_id: str, post: Mapping[str, Any], reason: str) -> None:
    """Record that one malformed post was skipped (logged and reported; the rest of the page is kept)."""
    uri = post.get("uri")
    skipped(notes, log, channel_id, f"Bluesky-Beitrag {uri if isinstance(uri, str) and uri else '(ohne uri)'}", reason)


def parse_author_feed(channel_id: str, payload: object, own: OwnAccount) -> FeedPage:
    """Parse an ``app.bsky.feed.getAuthorFeed`` response; reposts and pins (entries with ``reason``) are skipped,
    and so are malformed posts, with a warning."""
    if not isinstance(payload, Mapping) or not isinstance(payload.get("feed"), list):
        raise SourceFormatError("Antwort von getAuthorFeed hat keine 'feed'-Liste")
    items: list[Item] = []
    notes: list[str] = []
    oldest: datetime | None = None
    for entry in payload["feed"]:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("post"), Mapping):
            continue
        post, reason = entry["post"], entry.get("reason")
        # the feed is ordered by when an entry appeared: a repost by the repost's time
        seen_at = parse_time(obj_at(entry, "reason").get("indexedAt") if reason else post.get("indexedAt"))
        if seen_at is not None:
            oldest = seen_at if oldest is None or seen_at < oldest else oldest
        if entry.get("reason") is not None or not own.is_own(obj_at(post, "author")):
            continue
        try:
            items.append(post_item(channel_id, post, own))
        except SourceFormatError as exc:
            _skip_note(notes, channel_id, post, exc.message)
    cursor = payload.get("cursor")
    return FeedPage(items, cursor if isinstance(cursor, str) and cursor else None, oldest, notes)


# --- threads -------------------------------------------------------------------------------------


@dataclass(slots=True)
class ThreadRead:
    """A flattened ``getPostThread`` answer.

    ``seen`` holds every reply URI known to exist (blocked replies included: they exist, we just may not
    see them); ``complete`` is False when the depth limit cut the tree, so absent replies prove nothing.
    ``gone`` is True when the root is a ``#notFoundPost``: the post itself was deleted upstream.
    """

    root: Item | None
    replies: list[Item]
    seen: frozenset[str]
    complete: bool
    gone: bool = False
    warnings: list[str] = field(default_factory=list)  # German notes on skipped malformed posts


def hidden_replies(payload: Mapping[str, Any]) -> frozenset[str]:
    """URIs listed in the thread's threadgate ``hiddenReplies`` (``threadgate`` view of getPostThread)."""
    gate = payload.get("threadgate")
    record = gate.get("record") if isinstance(gate, Mapping) else None
    listed = record.get("hiddenReplies") if isinstance(record, Mapping) else None
    return frozenset(u for u in listed if isinstance(u, str)) if isinstance(listed, list) else frozenset()


def parse_thread(channel_id: str, payload: object, own: OwnAccount, depth: int) -> ThreadRead:
    """Flatten a ``getPostThread`` response fetched with ``depth``; nested replies keep parent and root.

    A ``#notFoundPost`` root means the post is gone (``root`` None, ``gone``); deleted or blocked reply nodes are
    skipped, and their sub-trees cannot be seen. A malformed post is skipped with a warning (it still counts as
    existing). The root of every reply is the thread's root; a reply whose record names no parent takes it from
    its place in the tree.
    """
    if not isinstance(payload, Mapping) or not isinstance(payload.get("thread"), Mapping):
        raise SourceFormatError("Antwort von getPostThread hat kein 'thread'-Objekt")
    node = payload["thread"]
    if (root_type := node_type(node)) != "post":
        gone = root_type == "notFound"
        return ThreadRead(None, [], frozenset(), complete=gone, gone=gone)
    hidden = hidden_replies(payload)
    notes: list[str] = []
    root_uri = str_at(node["post"], "uri")
    try:
        root: Item | None = post_item(channel_id, node["post"], own, hidden)
    except SourceFormatError as exc:
        _skip_note(notes, channel_id, node["post"], exc.message)
        root = None
    replies: list[Item] = []
    seen: set[str] = set()
    complete = True
    for child, level, parent_uri in _walk(node, 1):
        kind = node_type(child)
        uri = child.get("uri") if kind == "blocked" else obj_at(child, "post").get("uri")
        if kind in ("blocked", "post") and isinstance(uri, str) and uri:
            seen.add(uri)  # a blocked or malformed reply exists upstream all the same
        if kind != "post":
            continue
        try:
            item = post_item(channel_id, child["post"], own, hidden)
        except SourceFormatError as exc:
            _skip_note(notes, channel_id, child["post"], exc.message)
            continue
        if root_uri:  # the tree knows the root, and the parent where the record does not say
            parent = item.parent_external_id or parent_uri
            item.kind = ItemKind.COMMENT if parent == root_uri else ItemKind.REPLY
            item.parent_external_id, item.thread_root_external_id = parent, root_uri
        replies.append(item)
        if level >= depth and item.reply_count > 0 and not child.get("replies"):
            complete = False
    return ThreadRead(root, replies, frozenset(seen), complete, warnings=notes)


def node_type(node: object) -> str:
    """What a thread node is: "post", "notFound", "blocked" or "invalid"."""
    if not isinstance(node, Mapping):
        return "invalid"
    kind = node.get("$type")
    if kind == _NOT_FOUND or node.get("notFound") is True:
        return "notFound"
    if kind == _BLOCKED or node.get("blocked") is True:
        return "blocked"
    return "post" if isinstance(node.get("post"), Mapping) else "invalid"


def _walk(node: Mapping[str, Any], level: int) -> Iterator[tuple[Mapping[str, Any], int, str]]:
    """Depth-first over the reply tree as (node, level, parent post URI), iteratively (a thread can be deeper
    than Python's recursion limit)."""
    stack: list[tuple[Mapping[str, Any], int, str]] = [(node, level - 1, "")]
    while stack:
        current, at, parent = stack.pop()
        children = current.get("replies") if node_type(current) == "post" else None
        if isinstance(children, list):
            uri = str_at(obj_at(current, "post"), "uri")
            for child in reversed(children):
                if isinstance(child, Mapping):
                    stack.append((child, at + 1, uri))
        if at >= level:
            yield current, at, parent


# --- errors --------------------------------------------------------------------------------------

_AUTH_ERRORS = frozenset({"ExpiredToken", "InvalidToken", "AuthenticationRequired", "AuthMissing", "BadJwt",
                          "AccountTakedown", "AccountDeactivated", "InvalidPassword"})
_NOT_FOUND_ERRORS = frozenset({"NotFound", "RecordNotFound"})


class RecordGone(NotFound):
    """The XRPC service itself answered ``NotFound``/``RecordNotFound`` (not merely some HTTP 404 on the way)."""


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
        return RecordGone(f"Beitrag oder Datensatz existiert nicht (mehr) {said}")
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
