"""Bluesky XRPC replay: getAuthorFeed (opaque cursor), getPostThread (nested, threadgate), PDS write-back.

External ids are AT URIs (``at://<did>/app.bsky.feed.post/<rkey>``); the author's DID is the item's
``author_id``. Hidden items appear in the root's threadgate ``hiddenReplies``. Write-back: createSession,
createRecord (reply), getRecord/putRecord (threadgate), deleteRecord — each recorded and applied to the world.
"""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime
from typing import Any

from connectors.replay import register_replay
from connectors.replay.server import (
    ChannelState,
    PlatformReplay,
    RecordedWrite,
    ReplayRequest,
    ReplayResponse,
    json_response,
)
from store.models import Item, ItemKind, ItemState, utcnow

POST = "app.bsky.feed.post"
GATE = "app.bsky.feed.threadgate"
CITIZEN_DID = "did:plc:replaybuerger2k4wq3trzm7a"
_B32 = "234567abcdefghijklmnopqrstuvwxyz"
_SESSION_PREFIX = "replay-jwt."


def tid(created_at: datetime, seq: int = 0) -> str:
    """A record key in TID shape: 13 sortable base32 characters from microseconds and a counter."""
    value = (int(created_at.timestamp() * 1_000_000) << 10) | (seq & 0x3FF)
    return "".join(_B32[(value >> (5 * i)) & 31] for i in reversed(range(13)))


def new_id(state: ChannelState, created_at: datetime) -> str:
    seq = 0
    while (uri := f"at://{CITIZEN_DID}/{POST}/{tid(created_at, seq)}") in state.items:
        seq += 1
    return uri


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def _rkey(uri: str) -> str:
    return uri.rsplit("/", 1)[-1]


def _handle(item: Item, state: ChannelState) -> str:
    cfg = state.config
    if item.author_id and item.author_id in (cfg.account_id, *cfg.own_account_ids) and cfg.handle:
        return cfg.handle.lstrip("@")
    slug = re.sub(r"[^a-z0-9-]", "", item.author_name.lower().replace(" ", "-")) or "nutzer"
    return f"{slug}.bsky.social"


def _strong_ref(state: ChannelState, uri: str | None) -> dict[str, str]:
    return {"uri": uri or "", "cid": "bafyrei" + _rkey(uri or "x")}


def post_view(item: Item, state: ChannelState) -> dict[str, Any]:
    """``item`` as an ``app.bsky.feed.defs#postView``."""
    record: dict[str, Any] = {"$type": POST, "createdAt": _iso(item.created_at), "langs": ["de"], "text": item.text}
    if item.parent_external_id:
        root = item.thread_root_external_id or item.parent_external_id
        record["reply"] = {"root": _strong_ref(state, root), "parent": _strong_ref(state, item.parent_external_id)}
    return {
        "uri": item.external_id,
        "cid": "bafyrei" + _rkey(item.external_id),
        "author": {"did": item.author_id, "handle": _handle(item, state), "displayName": item.author_name,
                   "labels": []},
        "record": record,
        "replyCount": item.reply_count,
        "repostCount": item.share_count,
        "likeCount": item.like_count,
        "quoteCount": 0,
        "indexedAt": _iso(state.edited_at.get(item.external_id, item.created_at)),
        "labels": [],
    }


def _children(state: ChannelState) -> dict[str, list[Item]]:
    out: dict[str, list[Item]] = {}
    for it in sorted(state.items.values(), key=lambda i: (i.created_at, i.external_id)):
        if it.parent_external_id:
            out.setdefault(it.parent_external_id, []).append(it)
    return out


def _thread_node(item: Item, state: ChannelState, children: dict[str, list[Item]], depth: int) -> dict[str, Any]:
    node: dict[str, Any] = {"$type": "app.bsky.feed.defs#threadViewPost", "post": post_view(item, state)}
    if depth > 0:
        node["replies"] = [_thread_node(c, state, children, depth - 1) for c in children.get(item.external_id, [])]
    return node


def _hidden_under(state: ChannelState, root_uri: str) -> list[str]:
    return [i.external_id for i in state.thread(root_uri) if i.state == ItemState.HIDDEN]


def _gate_record(state: ChannelState, root_uri: str) -> dict[str, Any] | None:
    hidden = _hidden_under(state, root_uri)
    if not hidden:
        return None
    return {"$type": GATE, "post": root_uri, "createdAt": _iso(utcnow()), "hiddenReplies": hidden}


def _not_found(uri: str | None) -> ReplayResponse:
    return json_response({"error": "NotFound", "message": f"Post not found: {uri}"}, 400)


# --- queries ---------------------------------------------------------------------------------------


def _encode_cursor(item: Item) -> str:
    return base64.urlsafe_b64encode(f"{item.created_at.timestamp():.6f}::{item.external_id}".encode()).decode()


def _decode_cursor(cursor: str) -> tuple[float, str] | None:
    try:
        stamp, _, uri = base64.urlsafe_b64decode(cursor.encode()).decode().partition("::")
        return float(stamp), uri
    except (ValueError, UnicodeDecodeError):
        return None


def _author_feed(req: ReplayRequest, state: ChannelState) -> ReplayResponse:
    actor = req.param("actor") or ""
    cfg = state.config
    if actor not in (cfg.account_id, cfg.handle.lstrip("@")) or not actor:
        return json_response({"error": "InvalidRequest", "message": "Profile not found"}, 400)
    try:
        limit = max(1, min(100, int(req.param("limit") or 50)))
    except ValueError:
        return json_response({"error": "InvalidRequest", "message": "limit must be an integer"}, 400)
    posts = [p for p in state.posts() if p.author_id == cfg.account_id]
    cursor = req.param("cursor")
    if cursor:
        after = _decode_cursor(cursor)
        if after is None:
            return json_response({"error": "InvalidRequest", "message": "Malformed cursor"}, 400)
        posts = [p for p in posts if (p.created_at.timestamp(), p.external_id) < after]
    page = posts[:limit]
    body: dict[str, Any] = {"feed": [{"post": post_view(p, state)} for p in page]}
    if len(posts) > limit:
        body["cursor"] = _encode_cursor(page[-1])
    return json_response(body)


def _post_thread(req: ReplayRequest, state: ChannelState) -> ReplayResponse:
    uri = req.param("uri")
    item = state.items.get(uri or "")
    if item is None:
        return _not_found(uri)
    try:
        depth = max(0, min(1000, int(req.param("depth") or 6)))
    except ValueError:
        return json_response({"error": "InvalidRequest", "message": "depth must be an integer"}, 400)
    body: dict[str, Any] = {"thread": _thread_node(item, state, _children(state), depth)}
    root = item.thread_root_external_id or item.external_id
    gate = _gate_record(state, root)
    if gate is not None:
        body["threadgate"] = {"uri": f"at://{state.config.account_id}/{GATE}/{_rkey(root)}", "cid": "bafyreigate",
                              "record": gate, "lists": []}
    return json_response(body)


# --- procedures (the PDS) --------------------------------------------------------------------------


def _session(req: ReplayRequest, state: ChannelState) -> ReplayResponse:
    data = req.json() if req.body else {}
    password = data.get("password") if isinstance(data, dict) else None
    if not password:
        return json_response({"error": "AuthenticationRequired", "message": "Invalid identifier or password"}, 401)
    return json_response({"did": state.config.account_id, "handle": state.config.handle.lstrip("@"),
                          "accessJwt": _SESSION_PREFIX + password, "refreshJwt": "replay-refresh", "active": True})


def _create_record(req: ReplayRequest, state: ChannelState, data: dict[str, Any]) -> ReplayResponse:
    record = data.get("record") if isinstance(data.get("record"), dict) else {}
    assert isinstance(record, dict)
    reply = record.get("reply") if isinstance(record.get("reply"), dict) else {}
    assert isinstance(reply, dict)
    parent_uri = (reply.get("parent") or {}).get("uri")
    root_uri = (reply.get("root") or {}).get("uri")
    parent = state.items.get(parent_uri or "")
    if data.get("collection") != POST or parent is None or not isinstance(record.get("text"), str):
        return json_response({"error": "InvalidRequest", "message": "Record/parent invalid"}, 400)
    now = utcnow()
    seq = 0
    while (uri := f"at://{state.config.account_id}/{POST}/{tid(now, seq)}") in state.items:
        seq += 1
    state.add(Item(
        channel_id=state.config.id, external_id=uri,
        kind=ItemKind.COMMENT if parent.kind == ItemKind.POST else ItemKind.REPLY,
        created_at=now, text=record["text"], author_id=state.config.account_id, author_name=state.config.name,
        is_own_account=True, parent_external_id=parent.external_id,
        thread_root_external_id=root_uri or parent.thread_root_external_id or parent.external_id,
    ))
    state.writes.append(RecordedWrite("reply", uri, {"text": record["text"], "parent": parent.external_id,
                                                     "root": root_uri, "facets": record.get("facets", [])}))
    return json_response({"uri": uri, "cid": "bafyrei" + _rkey(uri)})


def _get_record(req: ReplayRequest, state: ChannelState) -> ReplayResponse:
    rkey = req.param("rkey") or ""
    if req.param("collection") != GATE:
        return json_response({"error": "InvalidRequest", "message": "only threadgates are replayed"}, 400)
    root = next((p.external_id for p in state.posts() if _rkey(p.external_id) == rkey), None)
    gate = _gate_record(state, root) if root else None
    if gate is None:
        return json_response({"error": "RecordNotFound", "message": "Could not locate record"}, 400)
    return json_response({"uri": f"at://{state.config.account_id}/{GATE}/{rkey}", "cid": "bafyreigate",
                          "value": gate})


def _put_record(req: ReplayRequest, state: ChannelState, data: dict[str, Any]) -> ReplayResponse:
    record = data.get("record")
    if data.get("collection") != GATE or not isinstance(record, dict) or "allow" in record and not record["allow"]:
        return json_response({"error": "InvalidRequest", "message": "only open threadgates are replayed"}, 400)
    root = record.get("post")
    listed = set(record.get("hiddenReplies") or [])
    for it in state.thread(str(root)):
        now_hidden = it.external_id in listed
        if now_hidden != (it.state == ItemState.HIDDEN):
            state.set_hidden(it.external_id, now_hidden)
            if now_hidden:
                state.writes.append(RecordedWrite("hide", it.external_id, {"root": root}))
    uri = f"at://{state.config.account_id}/{GATE}/{data.get('rkey')}"
    return json_response({"uri": uri, "cid": "bafyreigate"})


def _delete_record(req: ReplayRequest, state: ChannelState, data: dict[str, Any]) -> ReplayResponse:
    uri = f"at://{data.get('repo')}/{data.get('collection')}/{data.get('rkey')}"
    if data.get("repo") != state.config.account_id:
        return json_response({"error": "InvalidRequest", "message": "repo does not match session"}, 400)
    if uri in state.items:  # deleting a missing record succeeds on a real PDS too
        state.remove(uri)
    state.writes.append(RecordedWrite("delete", uri))
    return json_response({})


def handle(req: ReplayRequest, state: ChannelState) -> ReplayResponse:
    """Answer one XRPC request from the channel's world."""
    nsid = req.path.removeprefix("/xrpc/")
    if req.method == "GET" and nsid == "app.bsky.feed.getAuthorFeed":
        return _author_feed(req, state)
    if req.method == "GET" and nsid == "app.bsky.feed.getPostThread":
        return _post_thread(req, state)
    if req.method == "POST" and nsid == "com.atproto.server.createSession":
        return _session(req, state)
    if not req.headers.get("authorization", "").startswith(f"Bearer {_SESSION_PREFIX}"):
        return auth_error(req)
    if req.method == "GET" and nsid == "com.atproto.repo.getRecord":
        return _get_record(req, state)
    data = req.json() if req.body else {}
    if req.method == "POST" and isinstance(data, dict):
        if nsid == "com.atproto.repo.createRecord":
            return _create_record(req, state, data)
        if nsid == "com.atproto.repo.putRecord":
            return _put_record(req, state, data)
        if nsid == "com.atproto.repo.deleteRecord":
            return _delete_record(req, state, data)
    return json_response({"error": "MethodNotImplemented", "message": f"Method Not Implemented: {nsid}"}, 501)


def token_of(req: ReplayRequest) -> str | None:
    """The app password a request proves: in createSession's body, or inside the session's access JWT."""
    if req.path.endswith("com.atproto.server.createSession") and req.body:
        data = req.json()
        return str(data.get("password")) if isinstance(data, dict) else None
    auth = req.headers.get("authorization", "")
    return auth.removeprefix(f"Bearer {_SESSION_PREFIX}") if auth.startswith(f"Bearer {_SESSION_PREFIX}") else None


def auth_error(req: ReplayRequest) -> ReplayResponse:
    """What the PDS/AppView answers for an expired or invalid access token."""
    return json_response({"error": "ExpiredToken", "message": "Token has expired"}, 401)


def malformed(req: ReplayRequest) -> ReplayResponse:
    """A body cut short by a proxy."""
    return ReplayResponse(200, b'{"feed":[{"post":{"uri":"at://did:plc:x/app.bsky.feed.post/3l', {
        "Content-Type": "application/json; charset=utf-8"})


REPLAY = register_replay(PlatformReplay(
    platform="bluesky",
    handle=handle,
    auth_error=auth_error,
    malformed=malformed,
    new_id=new_id,
    token_of=token_of,
))
