"""YouTube Data API v3 replay: playlistItems, commentThreads, comments (pageToken paging) and moderation.

Posts are videos (11-character ids), top-level comments are comment threads (``Ug…`` ids), replies have
``<thread id>.<reply id>`` ids and always hang under a top-level comment. HIDDEN items are "heldForReview":
only listed with ``moderationStatus=heldForReview`` and an OAuth token. ``state.extra["comments_disabled"]``
(a set of video ids) makes those videos answer 403 commentsDisabled.
"""

from __future__ import annotations

import base64
import hashlib
import html
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

REPLIES_IN_THREAD = 5  # commentThreads.list includes at most this many replies; the rest via comments.list


def _error(code: int, reason: str, message: str, domain: str = "youtube.api") -> ReplayResponse:
    return json_response({"error": {"code": code, "message": message,
                                    "errors": [{"message": message, "domain": domain, "reason": reason}]}}, code)


def new_id(state: ChannelState, created_at: datetime) -> str:
    """A top-level comment id in YouTube's shape (``Ug`` + 22 characters + ``4AaABAg``)."""
    seq = 0
    while True:
        digest = hashlib.sha256(f"{created_at.isoformat()}:{seq}".encode()).digest()
        candidate = "Ug" + base64.urlsafe_b64encode(digest).decode()[:17] + "4AaABAg"
        if candidate not in state.items:
            return candidate
        seq += 1


def _iso(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _page(req: ReplayRequest, rows: list[Item], default: int, maximum: int) -> tuple[list[Item], str | None] | None:
    try:
        size = max(1, min(maximum, int(req.param("maxResults") or default)))
        start = int(base64.urlsafe_b64decode((req.param("pageToken") or "") + "==").decode() or 0)
    except ValueError:
        return None
    end = start + size
    token = base64.urlsafe_b64encode(f"{end:08d}".encode()).decode().rstrip("=") if end < len(rows) else None
    return rows[start:end], token


def _bad_token() -> ReplayResponse:
    return _error(400, "invalidPageToken", "The request specifies an invalid page token.")


def _display(text: str, text_format: str | None) -> str:
    """``textDisplay`` as YouTube renders it: the text for ``textFormat=plainText``, else (the default ``html``)
    escaped with ``<br />`` line breaks, as in the recorded responses."""
    if text_format == "plainText":
        return text
    return html.escape(text).replace("\n", "<br />")


def _comment(item: Item, state: ChannelState, video_id: str, text_format: str | None = None) -> dict[str, Any]:
    snippet: dict[str, Any] = {
        "channelId": state.config.account_id,
        "videoId": video_id,
        "textDisplay": _display(item.text, text_format),
        "authorDisplayName": item.author_name,
        "authorProfileImageUrl": "https://yt3.ggpht.com/a/default-user=s48-c-k-c0xffffffff-no-rj-mo",
        "authorChannelUrl": f"http://www.youtube.com/channel/{item.author_id}",
        "authorChannelId": {"value": item.author_id},
        "canRate": True,
        "viewerRating": "none",
        "likeCount": item.like_count,
        "publishedAt": _iso(item.created_at),
        "updatedAt": _iso(state.edited_at.get(item.external_id, item.created_at)),
    }
    if item.author_id == state.config.account_id:  # textOriginal is only guaranteed to the comment's author
        snippet["textOriginal"] = item.text
    if item.kind == ItemKind.REPLY:
        snippet["parentId"] = item.parent_external_id
        del snippet["videoId"]
    if item.state == ItemState.HIDDEN:
        snippet["moderationStatus"] = "heldForReview"
    return {"kind": "youtube#comment", "etag": f"e{state.version}", "id": item.external_id, "snippet": snippet}


def _replies(state: ChannelState, thread_id: str) -> list[Item]:
    return sorted((i for i in state.items.values() if i.kind == ItemKind.REPLY and i.parent_external_id == thread_id
                   and i.state == ItemState.VISIBLE), key=lambda i: (i.created_at, i.external_id))


# --- list methods ----------------------------------------------------------------------------------


def _playlist_items(req: ReplayRequest, state: ChannelState) -> ReplayResponse:
    account = state.config.account_id
    if req.param("playlistId") != "UU" + account[2:]:
        return _error(404, "playlistNotFound", "The playlist identified with the request's playlistId parameter "
                      "cannot be found.", "youtube.playlistItem")
    videos = [v for v in state.posts() if v.author_id == account]
    paged = _page(req, videos, 5, 50)
    if paged is None:
        return _bad_token()
    rows, token = paged
    items = []
    for position, video in enumerate(rows):
        title, _, description = video.text.partition("\n\n")
        published = _iso(video.created_at)
        items.append({
            "kind": "youtube#playlistItem", "etag": f"e{state.version}", "id": "VV" + video.external_id,
            "snippet": {"publishedAt": published, "channelId": account, "title": title, "description": description,
                        "channelTitle": state.config.name, "playlistId": req.param("playlistId"),
                        "position": position, "resourceId": {"kind": "youtube#video", "videoId": video.external_id},
                        "videoOwnerChannelTitle": video.author_name, "videoOwnerChannelId": video.author_id},
            "contentDetails": {"videoId": video.external_id, "videoPublishedAt": published},
        })
    body: dict[str, Any] = {"kind": "youtube#playlistItemListResponse", "etag": f"e{state.version}", "items": items,
                            "pageInfo": {"totalResults": len(videos), "resultsPerPage": len(items)}}
    if token:
        body["nextPageToken"] = token
    return json_response(body)


def _comment_threads(req: ReplayRequest, state: ChannelState) -> ReplayResponse:
    video_id = req.param("videoId") or ""
    video = state.items.get(video_id)
    if video is None or video.kind != ItemKind.POST:
        return _error(404, "videoNotFound", "The video identified by the videoId parameter could not be found.",
                      "youtube.commentThread")
    if video_id in state.extra.get("comments_disabled", set()):
        return _error(403, "commentsDisabled", "The video identified by the videoId parameter has disabled "
                      "comments.", "youtube.commentThread")
    status = req.param("moderationStatus") or "published"
    if status != "published" and not req.headers.get("authorization"):
        return _error(403, "forbidden", "The caller does not have permission", "youtube.commentThread")
    wanted = {"published": ItemState.VISIBLE, "heldForReview": ItemState.HIDDEN}.get(status)
    threads = sorted((i for i in state.items.values() if i.kind == ItemKind.COMMENT
                      and i.parent_external_id == video_id and i.state == wanted),
                     key=lambda i: (i.created_at, i.external_id), reverse=True)  # order=time: newest first
    paged = _page(req, threads, 20, 100)
    if paged is None:
        return _bad_token()
    rows, token = paged
    fmt = req.param("textFormat")
    items = []
    for top in rows:
        replies = _replies(state, top.external_id)
        thread: dict[str, Any] = {
            "kind": "youtube#commentThread", "etag": f"e{state.version}", "id": top.external_id,
            "snippet": {"channelId": state.config.account_id, "videoId": video_id,
                        "topLevelComment": _comment(top, state, video_id, fmt), "canReply": True,
                        "totalReplyCount": len(replies), "isPublic": True},
        }
        if replies and "replies" in (req.param("part") or ""):
            thread["replies"] = {"comments": [_comment(r, state, video_id, fmt)
                                              for r in replies[:REPLIES_IN_THREAD]]}
        items.append(thread)
    body: dict[str, Any] = {"kind": "youtube#commentThreadListResponse", "etag": f"e{state.version}",
                            "items": items, "pageInfo": {"totalResults": len(items), "resultsPerPage": len(items)}}
    if token:
        body["nextPageToken"] = token
    return json_response(body)


def _comments(req: ReplayRequest, state: ChannelState) -> ReplayResponse:
    parent = state.items.get(req.param("parentId") or "")
    if parent is None:
        return _error(404, "commentNotFound", "The comment identified by the parentId parameter could not be found.",
                      "youtube.comment")
    paged = _page(req, _replies(state, parent.external_id), 20, 100)
    if paged is None:
        return _bad_token()
    rows, token = paged
    video_id = parent.thread_root_external_id or ""
    body: dict[str, Any] = {"kind": "youtube#commentListResponse", "etag": f"e{state.version}",
                            "items": [_comment(r, state, video_id, req.param("textFormat")) for r in rows],
                            "pageInfo": {"resultsPerPage": len(rows)}}
    if token:
        body["nextPageToken"] = token
    return json_response(body)


# --- write methods -----------------------------------------------------------------------------------


def _insert(req: ReplayRequest, state: ChannelState, *, thread: bool) -> ReplayResponse:
    data = req.json() if req.body else {}
    snippet = data.get("snippet") if isinstance(data, dict) else None
    if not isinstance(snippet, dict):
        return _error(400, "invalidValue", "snippet missing")
    if thread:
        top = snippet.get("topLevelComment") or {}
        text = (top.get("snippet") or {}).get("textOriginal")
        parent = state.items.get(str(snippet.get("videoId")))
    else:
        text = snippet.get("textOriginal")
        parent = state.items.get(str(snippet.get("parentId")))
    if not isinstance(text, str) or not text.strip():
        return _error(400, "commentTextRequired", "The comment must contain text.", "youtube.comment")
    if parent is None or parent.kind == (ItemKind.COMMENT if thread else ItemKind.POST):
        return _error(404, "parentCommentNotFound" if not thread else "videoNotFound", "Parent not found.")
    now = utcnow()
    new = new_id(state, now)
    external_id = new if thread else f"{parent.external_id}.{new[2:13]}"
    item = Item(channel_id=state.config.id, external_id=external_id,
                kind=ItemKind.COMMENT if thread else ItemKind.REPLY, created_at=now, text=text,
                author_id=state.config.account_id, author_name=state.config.name, is_own_account=True,
                parent_external_id=parent.external_id,
                thread_root_external_id=parent.external_id if thread else parent.thread_root_external_id)
    state.add(item)
    state.writes.append(RecordedWrite("reply", external_id, {"text": text, "parent": parent.external_id}))
    resource = _comment(item, state, item.thread_root_external_id or "")
    if thread:
        return json_response({"kind": "youtube#commentThread", "id": external_id,
                              "snippet": {"videoId": parent.external_id, "topLevelComment": resource,
                                          "canReply": True, "totalReplyCount": 0, "isPublic": True}})
    return json_response(resource)


def _set_moderation_status(req: ReplayRequest, state: ChannelState) -> ReplayResponse:
    status = req.param("moderationStatus")
    ids = [i for i in (req.param("id") or "").split(",") if i]
    if status not in ("heldForReview", "published", "rejected") or not ids:
        return _error(400, "invalidModerationStatus", "The moderation status is invalid.", "youtube.comment")
    if any(i not in state.items or state.items[i].kind == ItemKind.POST for i in ids):
        return _error(404, "commentNotFound", "One or more comments could not be found.", "youtube.comment")
    for comment_id in ids:
        if status == "rejected":
            for reply in _replies(state, comment_id):
                state.remove(reply.external_id)
            state.remove(comment_id)
        else:
            state.set_hidden(comment_id, status == "heldForReview")
        state.writes.append(RecordedWrite({"heldForReview": "hide", "rejected": "delete"}.get(status, "publish"),
                                          comment_id, {"moderationStatus": status}))
    return ReplayResponse(204)


def handle(req: ReplayRequest, state: ChannelState) -> ReplayResponse:
    """Answer one YouTube Data API request from the channel's world."""
    if req.method == "GET" and req.path == "/playlistItems":
        return _playlist_items(req, state)
    if req.method == "GET" and req.path == "/commentThreads":
        return _comment_threads(req, state)
    if req.method == "GET" and req.path == "/comments":
        return _comments(req, state)
    if req.method == "POST":
        if not req.headers.get("authorization", "").lower().startswith("bearer "):
            return _error(401, "authError", "Login Required.", "global")
        if req.path == "/comments/setModerationStatus":
            return _set_moderation_status(req, state)
        if req.path in ("/comments", "/commentThreads"):
            return _insert(req, state, thread=req.path == "/commentThreads")
    return _error(404, "notFound", "Not Found", "global")


def auth_error(req: ReplayRequest) -> ReplayResponse:
    """An invalid API key is a 400 ``keyInvalid``; a bad OAuth token a 401 ``authError``."""
    if req.headers.get("authorization"):
        return json_response({"error": {"code": 401, "message": "Request had invalid authentication credentials.",
                                        "errors": [{"message": "Invalid Credentials", "domain": "global",
                                                    "reason": "authError", "location": "Authorization",
                                                    "locationType": "header"}],
                                        "status": "UNAUTHENTICATED"}}, 401)
    return _error(400, "keyInvalid", "API key not valid. Please pass a valid API key.", "usageLimits")


def malformed(req: ReplayRequest) -> ReplayResponse:
    """A body cut short by a proxy."""
    return ReplayResponse(200, b'{"kind":"youtube#commentThreadListResponse","items":[{"id":"Ugx',
                          {"Content-Type": "application/json; charset=UTF-8"})


REPLAY = register_replay(PlatformReplay(
    platform="youtube",
    handle=handle,
    auth_error=auth_error,
    malformed=malformed,
    new_id=new_id,
))
