"""Replay of the Facebook Page Graph API over the world: posts, stream-filtered comments, reply/hide/delete.

Shapes follow real recordings: ``{"data": [...], "paging": {"cursors": {...}, "next": ...}}`` lists, edges with
``.summary(true)``, ``from`` omitted for authors who never authorised the app, and the ``{"error": {...}}``
envelope with HTTP 400. The Graph helpers here (paging, field selection, errors) serve Instagram too.
"""

from __future__ import annotations

import base64
import itertools
import json
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import urlencode

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

DEFAULT_LIMIT = 25
MAX_LIMIT = 100

# --- Graph helpers shared with the Instagram replay -----------------------------------------------


def graph_time(value: datetime) -> str:
    """A datetime the way the Graph API writes it: ``2026-03-05T10:02:45+0000``."""
    return value.strftime("%Y-%m-%dT%H:%M:%S+0000")


def graph_error(message: str, code: int, *, subcode: int | None = None, kind: str = "OAuthException",
                status: int = 400) -> ReplayResponse:
    """The Graph error envelope (Meta answers most errors with HTTP 400)."""
    err: dict[str, Any] = {"message": message, "type": kind, "code": code}
    if subcode is not None:
        err["error_subcode"] = subcode
    err["fbtrace_id"] = "AReplayTrace" + str(code)
    return json_response({"error": err}, status)


def expired_token(_req: ReplayRequest) -> ReplayResponse:
    """Code 190/463 with HTTP 400, as Meta answers an expired token."""
    return graph_error("Error validating access token: Session has expired on Monday, 02-Mar-26 09:00:00 PST. "
                       "The current time is Thursday, 05-Mar-26 02:11:40 PST.", 190, subcode=463)


def no_such_object(object_id: str, method: str) -> ReplayResponse:
    """Code 100/33: the object does not exist (or the token may not see it)."""
    verb = {"GET": "get", "POST": "post", "DELETE": "delete"}.get(method, method.lower())
    return graph_error(f"Unsupported {verb} request. Object with ID '{object_id}' does not exist, cannot be loaded "
                       "due to missing permissions, or does not support this operation.", 100, subcode=33,
                       kind="GraphMethodException")


def malformed(_req: ReplayRequest) -> ReplayResponse:
    """A 200 whose body breaks off mid-JSON (a cut connection behind a proxy)."""
    return ReplayResponse(200, b'{"data":[{"id":"1048576001234', {"Content-Type": "application/json"})


def requested_fields(req: ReplayRequest) -> set[str] | None:
    """Top-level names in ``fields`` (``reactions.summary(true)`` -> ``reactions``); None: the defaults."""
    raw = req.param("fields")
    if not raw:
        return None
    names, depth, current = set(), 0, ""
    for ch in raw:
        if ch in "{(":
            depth += 1
        elif ch in "})":
            depth -= 1
        elif ch == "," and depth == 0:
            names.add(current.split(".")[0].split("{")[0].strip())
            current = ""
            continue
        if depth == 0 and ch not in "})":
            current += ch
    names.add(current.split(".")[0].split("{")[0].strip())
    return names | {"id"}


def select_fields(node: dict[str, Any], fields: set[str] | None) -> dict[str, Any]:
    return node if fields is None else {k: v for k, v in node.items() if k in fields}


def _cursor(item: Item) -> str:
    return base64.urlsafe_b64encode(json.dumps([item.created_at.isoformat(), item.external_id]).encode()).decode()


def _position(cursor: str) -> tuple[datetime, str] | None:
    try:
        created, external_id = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        return datetime.fromisoformat(created), str(external_id)
    except (ValueError, TypeError):
        return None


def paged(req: ReplayRequest, items: Sequence[Item], render: Callable[[Item], dict[str, Any]],
          *, newest_first: bool) -> dict[str, Any]:
    """One page of ``items`` (already in order) after the ``after`` cursor, with cursors and a ``next`` URL.

    A cursor names the last item shown (time and id), so inserts and deletions between pages neither skip
    nor repeat items.
    """
    try:
        limit = max(1, min(MAX_LIMIT, int(req.param("limit") or DEFAULT_LIMIT)))
    except ValueError:
        limit = DEFAULT_LIMIT
    start = 0
    after = req.param("after")
    if after:
        pos = _position(after)
        if pos is None:
            return {"error_cursor": after}
        start = next((i for i, it in enumerate(items)
                      if ((it.created_at, it.external_id) < pos) == newest_first
                      and (it.created_at, it.external_id) != pos), len(items))
    chunk = list(items[start:start + limit])
    body: dict[str, Any] = {"data": [render(it) for it in chunk]}
    if chunk:
        body["paging"] = {"cursors": {"before": _cursor(chunk[0]), "after": _cursor(chunk[-1])}}
        if start + limit < len(items):
            query = {k: v[-1] for k, v in req.query.items() if k != "after"}
            query["after"] = _cursor(chunk[-1])
            body["paging"]["next"] = f"{req.channel_root}{req.path}?{urlencode(query)}"
    return body


def listing(req: ReplayRequest, items: Sequence[Item], render: Callable[[Item], dict[str, Any]],
            *, newest_first: bool) -> ReplayResponse:
    body = paged(req, items, render, newest_first=newest_first)
    if "error_cursor" in body:
        return graph_error("Invalid cursor", 100, kind="OAuthException")
    return json_response(body)


def id_minter(prefix: str) -> Callable[[ChannelState, datetime], str]:
    """A ``new_id`` that mints numeric, platform-looking ids unique within the channel."""
    counter = itertools.count(1)

    def new_id(state: ChannelState, _at: datetime) -> str:
        while True:
            candidate = f"{prefix}{next(counter):09d}"
            if candidate not in state.items:
                return candidate

    return new_id


def top_level_of(state: ChannelState, item: Item) -> Item:
    """The top-level comment a reply hangs under (Facebook and Instagram threads are one level deep)."""
    parent = state.items.get(item.parent_external_id or "")
    while parent is not None and parent.kind == ItemKind.REPLY:
        parent = state.items.get(parent.parent_external_id or "")
    return parent if parent is not None and parent.kind == ItemKind.COMMENT else item


def apply_hide(state: ChannelState, target: Item, hidden: bool) -> ReplayResponse:
    """Hide or unhide ``target`` in the world, record the write and answer as the Graph API does."""
    state.set_hidden(target.external_id, hidden)
    state.writes.append(RecordedWrite("hide" if hidden else "unhide", target.external_id))
    return json_response({"success": True})


def create_reply(state: ChannelState, target: Item, text: str, new_id: str, author_name: str) -> Item:
    """The page's/account's answer under ``target`` (a post gets a comment; a reply's answer joins its thread)."""
    if target.kind == ItemKind.POST:
        kind, parent, root = ItemKind.COMMENT, target.external_id, target.external_id
    else:
        kind, parent = ItemKind.REPLY, top_level_of(state, target).external_id
        root = target.thread_root_external_id or parent
    config = state.config
    created = Item(channel_id=config.id, external_id=new_id, kind=kind, created_at=utcnow().replace(microsecond=0),
                   text=text, author_id=config.account_id, author_name=author_name, is_own_account=True,
                   parent_external_id=parent, thread_root_external_id=root)
    state.add(created)
    return created


def delete_item(state: ChannelState, external_id: str) -> None:
    """Remove an item and the replies under it (Meta deletes a comment's answers with it)."""
    for child in [i for i in state.items.values() if i.parent_external_id == external_id]:
        delete_item(state, child.external_id)
    state.remove(external_id)


def usage_headers(state: ChannelState) -> dict[str, str]:
    """``x-app-usage`` (and friends) when a test scripted them in ``state.extra['usage_headers']``."""
    scripted = state.extra.get("usage_headers")
    return {str(k): v if isinstance(v, str) else json.dumps(v) for k, v in (scripted or {}).items()}


def flag(value: str | None) -> bool | None:
    return {"true": True, "1": True, "false": False, "0": False}.get((value or "").lower())


# --- Facebook ------------------------------------------------------------------------------------

_new_id = id_minter("70010")


def _from(item: Item) -> dict[str, str] | None:
    return {"name": item.author_name, "id": item.author_id} if item.author_id else None


def _post_node(state: ChannelState, item: Item) -> dict[str, Any]:
    node: dict[str, Any] = {"id": item.external_id}
    if item.text:
        node["message"] = item.text
    node["created_time"] = graph_time(item.created_at)
    node["permalink_url"] = item.url or f"https://www.facebook.com/{state.config.account_id}/posts/{item.external_id}/"
    if (sender := _from(item)) is not None:
        node["from"] = sender
    if item.share_count:
        node["shares"] = {"count": item.share_count}
    node["reactions"] = {"data": [], "summary": {"total_count": item.like_count, "viewer_reaction": "NONE"}}
    node["comments"] = {"data": [], "summary": {"order": "ranked", "total_count": item.reply_count,
                                                "can_comment": True}}
    return node


def _comment_node(state: ChannelState, item: Item) -> dict[str, Any]:
    node: dict[str, Any] = {"id": item.external_id}
    if item.text:
        node["message"] = item.text
    node["created_time"] = graph_time(item.created_at)
    if (sender := _from(item)) is not None:
        node["from"] = sender
    root = item.thread_root_external_id or ""
    if item.parent_external_id and item.parent_external_id != root:
        parent = state.items.get(item.parent_external_id)
        node["parent"] = {"id": item.parent_external_id} | (
            {"created_time": graph_time(parent.created_at)} if parent is not None else {})
    node["like_count"] = item.like_count
    node["comment_count"] = item.reply_count
    node["is_hidden"] = item.state == ItemState.HIDDEN
    post_part = root.rpartition("_")[2] or root
    comment_part = item.external_id.rpartition("_")[2]
    node["permalink_url"] = item.url or (
        f"https://www.facebook.com/{state.config.account_id}/posts/{post_part}/?comment_id={comment_part}")
    return node


def handle(req: ReplayRequest, state: ChannelState) -> ReplayResponse:
    """Answer one Graph API request for a Facebook Page channel."""
    parts = [p for p in req.path.split("/") if p]
    fields = requested_fields(req)
    response = _route(req, state, parts, fields)
    response.headers.update(usage_headers(state))
    return response


def _route(req: ReplayRequest, state: ChannelState, parts: list[str], fields: set[str] | None) -> ReplayResponse:
    page_id = state.config.account_id
    if req.method == "GET" and parts in ([page_id, "posts"], [page_id, "feed"]):
        since = req.param("since")
        posts = [p for p in state.posts() if p.state != ItemState.DELETED
                 and (not since or not since.isdigit() or p.created_at.timestamp() >= int(since))]
        return listing(req, posts, lambda it: select_fields(_post_node(state, it), fields), newest_first=True)
    if len(parts) == 2 and parts[1] == "comments":
        target = state.items.get(parts[0])
        if target is None:
            return no_such_object(parts[0], req.method)
        if req.method == "POST":
            return _reply(req, state, target)
        return _comments(req, state, target, fields)
    if len(parts) == 1:
        target = state.items.get(parts[0])
        if target is None:
            return no_such_object(parts[0], req.method)
        if req.method == "DELETE":
            delete_item(state, target.external_id)
            state.writes.append(RecordedWrite("delete", target.external_id))
            return json_response({"success": True})
        if req.method == "POST":
            return _hide(req, state, target)
        return json_response(select_fields(
            _post_node(state, target) if target.kind == ItemKind.POST else _comment_node(state, target), fields))
    return graph_error(f"Unknown path components: /{'/'.join(parts[1:])}", 2500, kind="OAuthException")


def _comments(req: ReplayRequest, state: ChannelState, target: Item, fields: set[str] | None) -> ReplayResponse:
    if target.kind == ItemKind.POST:
        thread = state.thread(target.external_id)
        if req.param("filter") != "stream":  # default "toplevel"
            thread = [c for c in thread if c.kind == ItemKind.COMMENT]
    else:
        thread = [c for c in state.thread(target.thread_root_external_id or "")
                  if c.parent_external_id == target.external_id]
    if req.param("order") == "reverse_chronological":
        thread = thread[::-1]
        newest_first = True
    else:
        newest_first = False
    return listing(req, thread, lambda it: select_fields(_comment_node(state, it), fields), newest_first=newest_first)


def _reply(req: ReplayRequest, state: ChannelState, target: Item) -> ReplayResponse:
    message = req.form().get("message", "")
    if not message.strip():
        return graph_error("(#100) Missing message or attachment", 100)
    created = create_reply(state, target, message, _new_id(state, utcnow()), state.config.name)
    state.writes.append(RecordedWrite("reply", target.external_id, {"message": message, "id": created.external_id}))
    return json_response({"id": created.external_id})


def _hide(req: ReplayRequest, state: ChannelState, target: Item) -> ReplayResponse:
    hidden = flag(req.form().get("is_hidden"))
    if hidden is None or target.kind == ItemKind.POST:
        return graph_error("(#100) Param is_hidden must be a boolean on a comment", 100)
    return apply_hide(state, target, hidden)


REPLAY = register_replay(PlatformReplay(
    platform="facebook",
    handle=handle,
    auth_error=expired_token,
    malformed=malformed,
    new_id=_new_id,
))
