"""Replay of the Instagram Graph API over the world: media, comments with expanded replies, reply/hide/delete.

Comments are listed newest first with their replies (oldest first) expanded when ``fields`` asks for
``replies{...}``; the expansion holds at most ``state.extra["ig_expanded_replies"]`` replies (default 25) and
then carries a ``paging.next``, so clients must fall back to ``/{comment-id}/replies``.
"""

from __future__ import annotations

from typing import Any

from connectors.replay import register_replay
from connectors.replay.facebook import (
    apply_hide,
    create_reply,
    delete_item,
    expired_token,
    flag,
    graph_error,
    graph_time,
    id_minter,
    listing,
    malformed,
    no_such_object,
    paged,
    requested_fields,
    select_fields,
    usage_headers,
)
from connectors.replay.server import ChannelState, PlatformReplay, RecordedWrite, ReplayRequest, ReplayResponse
from connectors.replay.server import json_response as json_ok
from store.models import Item, ItemKind, ItemState, utcnow

DEFAULT_EXPANDED_REPLIES = 25

_new_id = id_minter("1787")


def _username(state: ChannelState) -> str:
    return state.config.handle.lstrip("@") or str(state.config.options.get("username", ""))


def _media_node(state: ChannelState, item: Item) -> dict[str, Any]:
    node: dict[str, Any] = {"id": item.external_id}
    if item.text:
        node["caption"] = item.text
    node["timestamp"] = graph_time(item.created_at)
    node["permalink"] = item.url or f"https://www.instagram.com/p/{item.external_id}/"
    node["comments_count"] = item.reply_count
    node["like_count"] = item.like_count
    node["media_type"] = "IMAGE"
    node["username"] = item.author_name or _username(state)
    return node


def _comment_node(item: Item) -> dict[str, Any]:
    node: dict[str, Any] = {"id": item.external_id, "text": item.text, "timestamp": graph_time(item.created_at)}
    if item.author_name:
        node["username"] = item.author_name
    if item.author_id:  # the IGSID is only given where the API may reveal it
        node["from"] = {"id": item.author_id, "username": item.author_name}
    node["like_count"] = item.like_count
    node["hidden"] = item.state == ItemState.HIDDEN
    if item.kind == ItemKind.REPLY and item.parent_external_id:
        node["parent_id"] = item.parent_external_id
    return node


def _replies_of(state: ChannelState, comment: Item) -> list[Item]:
    thread = state.thread(comment.thread_root_external_id or "")
    return [r for r in thread if r.parent_external_id == comment.external_id]


def _comment_with_replies(req: ReplayRequest, state: ChannelState, item: Item, fields: set[str] | None
                          ) -> dict[str, Any]:
    node = select_fields(_comment_node(item), fields)
    if fields is not None and "replies" in fields:
        replies = _replies_of(state, item)
        if replies:
            shown = int(state.extra.get("ig_expanded_replies", DEFAULT_EXPANDED_REPLIES))
            edge = ReplayRequest("GET", req.channel_id, f"/{item.external_id}/replies", {"limit": [str(shown)]},
                                 req.headers, b"", req.channel_root)
            node["replies"] = paged(edge, replies, _comment_node, newest_first=False)
    return node


def handle(req: ReplayRequest, state: ChannelState) -> ReplayResponse:
    """Answer one Graph API request for an Instagram channel."""
    parts = [p for p in req.path.split("/") if p]
    response = _route(req, state, parts, requested_fields(req))
    response.headers.update(usage_headers(state))
    return response


def _route(req: ReplayRequest, state: ChannelState, parts: list[str], fields: set[str] | None) -> ReplayResponse:
    if req.method == "GET" and parts == [state.config.account_id, "media"]:
        media = [m for m in state.posts() if m.state != ItemState.DELETED]
        return listing(req, media, lambda it: select_fields(_media_node(state, it), fields), newest_first=True)
    target = state.items.get(parts[0]) if parts else None
    if target is None:
        return no_such_object(parts[0] if parts else "", req.method)
    if parts[1:] == ["comments"] and req.method == "GET" and target.kind == ItemKind.POST:
        top = [c for c in state.thread(target.external_id) if c.kind == ItemKind.COMMENT][::-1]  # newest first
        return listing(req, top, lambda it: _comment_with_replies(req, state, it, fields), newest_first=True)
    if parts[1:] == ["replies"] and target.kind != ItemKind.POST:
        if req.method == "POST":
            return _reply(req, state, target)
        return listing(req, _replies_of(state, target), lambda it: select_fields(_comment_node(it), fields),
                       newest_first=False)
    if len(parts) == 1 and target.kind != ItemKind.POST:
        if req.method == "DELETE":
            delete_item(state, target.external_id)
            state.writes.append(RecordedWrite("delete", target.external_id))
            return json_ok({"success": True})
        if req.method == "POST":
            return _hide(req, state, target)
        return json_ok(select_fields(_comment_node(target), fields))
    if len(parts) == 1 and req.method == "GET":
        return json_ok(select_fields(_media_node(state, target), fields))
    return graph_error(f"Unsupported {req.method.lower()} request.", 100, subcode=33, kind="GraphMethodException")


def _reply(req: ReplayRequest, state: ChannelState, target: Item) -> ReplayResponse:
    message = req.form().get("message", "")
    if not message.strip():
        return graph_error("(#100) The parameter message is required", 100)
    if target.state == ItemState.HIDDEN:
        return graph_error("(#100) Cannot reply to a hidden comment", 100)
    created = create_reply(state, target, message, _new_id(state, utcnow()), _username(state))
    state.writes.append(RecordedWrite("reply", target.external_id, {"message": message, "id": created.external_id}))
    return json_ok({"id": created.external_id})


def _hide(req: ReplayRequest, state: ChannelState, target: Item) -> ReplayResponse:
    hidden = flag(req.form().get("hide"))
    if hidden is None:
        return graph_error("(#100) Param hide must be a boolean", 100)
    return apply_hide(state, target, hidden)


REPLAY = register_replay(PlatformReplay(
    platform="instagram",
    handle=handle,
    auth_error=expired_token,
    malformed=malformed,
    new_id=_new_id,
))
