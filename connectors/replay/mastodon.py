"""Mastodon API replay: account statuses with Link paging (max_id / min_id / since_id), context, write-back.

World items need numeric snowflake ids that grow with time (as on a real instance; :func:`snowflake`).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from connectors.html import text_to_html
from connectors.replay import register_replay
from connectors.replay.server import (
    ChannelState,
    PlatformReplay,
    RecordedWrite,
    ReplayRequest,
    ReplayResponse,
    json_response,
)
from store.models import Item, ItemKind, utcnow

DEFAULT_LIMIT = 20
MAX_LIMIT = 40
_STATUSES = re.compile(r"^/api/v1/accounts/(?P<account>[^/]+)/statuses$")
_STATUS = re.compile(r"^/api/v1/statuses/(?P<id>[^/]+)(?P<context>/context)?$")


def snowflake(created_at: datetime, seq: int = 0) -> str:
    """A Mastodon-style id: milliseconds since the epoch shifted left 16 bits, plus a sequence."""
    return str((int(created_at.timestamp() * 1000) << 16) + (seq & 0xFFFF))


def new_id(state: ChannelState, created_at: datetime) -> str:
    seq = 0
    while (candidate := snowflake(created_at, seq)) in state.items:
        seq += 1
    return candidate


def _key(item: Item) -> int:
    return int(item.external_id)


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"


def _username(item: Item, state: ChannelState) -> str:
    if item.author_id == state.config.account_id and state.config.handle:
        return state.config.handle
    slug = re.sub(r"[^a-z0-9_]", "", item.author_name.lower().replace(" ", "_"))
    return slug or f"user{item.author_id}"


def render_status(item: Item, state: ChannelState, root: str) -> dict[str, Any]:
    """``item`` in the shape of a Mastodon Status entity."""
    parent = state.items.get(item.parent_external_id or "")
    username = _username(item, state)
    edited = state.edited_at.get(item.external_id)
    return {
        "id": item.external_id,
        "created_at": _iso(item.created_at),
        "in_reply_to_id": item.parent_external_id,
        "in_reply_to_account_id": parent.author_id if parent else None,
        "sensitive": False,
        "spoiler_text": "",
        "visibility": "public",
        "language": "de",
        "uri": f"{root}/users/{username}/statuses/{item.external_id}",
        "url": item.url or f"{root}/@{username}/{item.external_id}",
        "replies_count": item.reply_count,
        "reblogs_count": item.share_count,
        "favourites_count": item.like_count,
        "edited_at": _iso(edited) if edited else None,
        "content": text_to_html(item.text),
        "reblog": None,
        "application": None,
        "account": {
            "id": item.author_id,
            "username": username,
            "acct": username,
            "display_name": item.author_name,
            "locked": False,
            "bot": False,
            "url": f"{root}/@{username}",
        },
        "media_attachments": [],
        "mentions": [],
        "tags": [],
        "emojis": [],
        "card": None,
        "poll": None,
    }


def _rate_headers(state: ChannelState) -> dict[str, str]:
    remaining = state.extra.get("ratelimit_remaining", 299)
    reset = state.extra.get("ratelimit_reset") or utcnow()
    return {"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": str(remaining), "X-RateLimit-Reset": _iso(reset)}


def _account_statuses(req: ReplayRequest, state: ChannelState, account: str) -> ReplayResponse:
    try:
        limit = max(1, min(MAX_LIMIT, int(req.param("limit") or DEFAULT_LIMIT)))
    except ValueError:
        return json_response({"error": "limit must be a number"}, 422)
    statuses = sorted((i for i in state.items.values() if i.author_id == account), key=_key, reverse=True)
    if req.param("exclude_replies") == "true":
        statuses = [s for s in statuses if s.kind == ItemKind.POST]
    max_id, since_id, min_id = (req.param(n) for n in ("max_id", "since_id", "min_id"))
    if max_id:
        statuses = [s for s in statuses if _key(s) < int(max_id)]
    if since_id:
        statuses = [s for s in statuses if _key(s) > int(since_id)]
    if min_id:  # the statuses immediately newer than min_id, still newest first
        statuses = [s for s in statuses if _key(s) > int(min_id)][-limit:]
    page = statuses[:limit]
    headers = _rate_headers(state)
    if page:
        keep = {k: v[-1] for k, v in req.query.items() if k not in ("max_id", "min_id", "since_id")}
        base = f"{req.channel_root}{req.path}?"
        next_url = base + urlencode(keep | {"max_id": page[-1].external_id})
        prev_url = base + urlencode(keep | {"min_id": page[0].external_id})
        headers["Link"] = f'<{next_url}>; rel="next", <{prev_url}>; rel="prev"'
    return json_response([render_status(s, state, req.channel_root) for s in page], headers=headers)


def _descendants(state: ChannelState, status_id: str) -> list[Item]:
    children: dict[str, list[Item]] = {}
    for it in state.items.values():
        if it.parent_external_id:
            children.setdefault(it.parent_external_id, []).append(it)
    out: list[Item] = []
    stack = sorted(children.get(status_id, []), key=_key, reverse=True)
    while stack:  # depth first, oldest sibling first, as Mastodon orders a thread
        node = stack.pop()
        out.append(node)
        stack.extend(sorted(children.get(node.external_id, []), key=_key, reverse=True))
    return out


def _ancestors(state: ChannelState, item: Item) -> list[Item]:
    chain = []
    parent = state.items.get(item.parent_external_id or "")
    while parent is not None:
        chain.append(parent)
        parent = state.items.get(parent.parent_external_id or "")
    return chain[::-1]


def _post_status(req: ReplayRequest, state: ChannelState) -> ReplayResponse:
    if not req.headers.get("authorization"):
        return auth_error(req)
    form = req.form()
    text, parent_id = form.get("status", ""), form.get("in_reply_to_id") or None
    if not text.strip():
        return json_response({"error": "Validation failed: Text can't be blank"}, 422)
    parent = state.items.get(parent_id or "")
    if parent_id and parent is None:
        return json_response({"error": "Record not found"}, 404)
    now = utcnow()
    root = (parent.thread_root_external_id or parent.external_id) if parent else None
    item = Item(
        channel_id=state.config.id,
        external_id=new_id(state, now),
        kind=(ItemKind.POST if parent is None
              else ItemKind.COMMENT if parent.kind == ItemKind.POST else ItemKind.REPLY),
        created_at=now,
        text=text,
        author_id=state.config.account_id,
        author_name=state.config.name,
        is_own_account=True,
        parent_external_id=parent_id,
        thread_root_external_id=root,
    )
    state.add(item)
    state.writes.append(RecordedWrite("reply" if parent else "post", item.external_id,
                                      {"text": text, "in_reply_to_id": parent_id}))
    return json_response(render_status(item, state, req.channel_root), headers=_rate_headers(state))


def handle(req: ReplayRequest, state: ChannelState) -> ReplayResponse:
    """Answer one Mastodon API request from the channel's world."""
    if req.method == "GET" and (m := _STATUSES.match(req.path)):
        return _account_statuses(req, state, m["account"])
    if req.method == "POST" and req.path == "/api/v1/statuses":
        return _post_status(req, state)
    m = _STATUS.match(req.path)
    if m is None:
        return json_response({"error": "Not Found"}, 404)
    item = state.items.get(m["id"])
    if item is None:
        return json_response({"error": "Record not found"}, 404)
    root = req.channel_root
    if req.method == "GET" and m["context"]:
        return json_response({
            "ancestors": [render_status(i, state, root) for i in _ancestors(state, item)],
            "descendants": [render_status(i, state, root) for i in _descendants(state, item.external_id)],
        }, headers=_rate_headers(state))
    if req.method == "GET":
        return json_response(render_status(item, state, root), headers=_rate_headers(state))
    if req.method == "DELETE":
        if not req.headers.get("authorization"):
            return auth_error(req)
        if item.author_id != state.config.account_id:
            return json_response({"error": "This action is not allowed"}, 403)
        state.remove(item.external_id)
        state.writes.append(RecordedWrite("delete", item.external_id))
        return json_response(render_status(item, state, root) | {"text": item.text})
    return json_response({"error": "Not Found"}, 404)


def auth_error(req: ReplayRequest) -> ReplayResponse:
    """Mastodon's answer to an invalid or expired token (Doorkeeper)."""
    return json_response({"error": "The access token is invalid"}, 401, {
        "WWW-Authenticate": 'Bearer realm="Doorkeeper", error="invalid_token", '
                            'error_description="The access token is invalid"',
    })


def malformed(req: ReplayRequest) -> ReplayResponse:
    """A truncated JSON body (a proxy cut the answer short)."""
    return ReplayResponse(200, b'[{"id":"1","created_at":"2026-03-02T08:15:00.000Z","content":"<p>Stra',
                          {"Content-Type": "application/json; charset=utf-8"})


REPLAY = register_replay(PlatformReplay(
    platform="mastodon",
    handle=handle,
    auth_error=auth_error,
    malformed=malformed,
    new_id=new_id,
))
