"""YouTube's pure part: Data API v3 resources (``playlistItem``, ``commentThread``, ``comment``) as
:class:`Item` s, and Google's error envelope as connector errors (quota, rate limit, auth, not found).

No I/O here: :mod:`connectors.youtube` fetches the lists, tracks the quota and does the write-back.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from connectors.errors import (
    AuthError,
    ConnectorError,
    FatalError,
    NotFound,
    RateLimited,
    RetriableError,
    SourceFormatError,
)
from connectors.html import html_to_text
from connectors.parsing import as_int, as_utc, obj_at, parse_iso, skipped, str_at
from store.models import Item, ItemKind, ItemState

log = logging.getLogger(__name__)

_PACIFIC = ZoneInfo("America/Los_Angeles")  # the daily quota resets at midnight Pacific time
_HIDDEN_STATUSES = frozenset({"heldForReview", "likelySpam", "rejected"})
# what YouTube's ``textFormat=html`` writes for a line break, a link or timestamp, an apostrophe or a quote:
# plain text practically never contains these, while a literal "<b>" or "&amp;" typed by a citizen may be text
_YOUTUBE_HTML = re.compile(r"<br\s*/?>|<a\s[^<>]*href=|&#\d+;|&quot;")


# --- identities, times, addresses ----------------------------------------------------------------


def uploads_playlist(channel_id: str) -> str:
    """The uploads playlist of a channel: ``UCxyz`` -> ``UUxyz``."""
    if not channel_id.startswith("UC") or len(channel_id) < 3:
        raise ValueError(f"Keine YouTube-Kanal-ID (beginnt mit 'UC'): {channel_id!r}")
    return "UU" + channel_id[2:]


def parse_time(value: object) -> datetime:
    """An RFC 3339 timestamp (``2019-04-20T01:03:39.000Z``) as aware UTC; SourceFormatError otherwise."""
    parsed = parse_iso(value)
    if parsed is not None:
        return as_utc(parsed)
    raise SourceFormatError(f"YouTube-Zeitstempel fehlt oder ist nicht lesbar: {value!r:.40}")


def video_url(video_id: str, comment_id: str = "") -> str:
    """The watch page of a video, pointing at one comment when ``comment_id`` is given."""
    return f"https://www.youtube.com/watch?v={video_id}" + (f"&lc={comment_id}" if comment_id else "")


def display_text(snippet: Mapping[str, Any]) -> str:
    """A comment's plain text: ``textOriginal`` where YouTube gives it (only to the author, officially), else
    ``textDisplay`` — plain when requested with ``textFormat=plainText``, HTML (``<br />``, links, ``&#39;``)
    where a server ignores that, which is converted. A literal ``<b>`` or ``&amp;`` alone stays text."""
    original = snippet.get("textOriginal")
    if isinstance(original, str):
        return original
    shown = str_at(snippet, "textDisplay")
    return html_to_text(shown) if _YOUTUBE_HTML.search(shown) else shown


def _items_of(payload: object, what: str) -> list[Mapping[str, Any]]:
    if not isinstance(payload, Mapping) or not isinstance(payload.get("items"), list):
        raise SourceFormatError(f"Antwort von {what} hat keine 'items'-Liste")
    return [node for node in payload["items"] if isinstance(node, Mapping)]


def _next_token(payload: Mapping[str, Any]) -> str | None:
    token = payload.get("nextPageToken")
    return token if isinstance(token, str) and token else None


# --- videos --------------------------------------------------------------------------------------


@dataclass(slots=True)
class VideoPage:
    items: list[Item]
    next_token: str | None
    warnings: list[str] = field(default_factory=list)  # German notes on skipped malformed entries


def parse_playlist_items(channel_id: str, payload: object) -> VideoPage:
    """A ``playlistItems.list`` page of the uploads playlist as POST items (title, blank line, description).

    Private and deleted videos (no ``videoPublishedAt``) are skipped: they are not public posts.
    """
    items: list[Item] = []
    notes: list[str] = []
    for node in _items_of(payload, "playlistItems.list"):
        snippet, details = obj_at(node, "snippet"), obj_at(node, "contentDetails")
        video_id = str_at(details, "videoId") or str_at(obj_at(snippet, "resourceId"), "videoId")
        if not video_id or not details.get("videoPublishedAt"):
            continue
        try:
            published = parse_time(details["videoPublishedAt"])
        except SourceFormatError as exc:
            skipped(notes, log, channel_id, f"YouTube-Video {video_id}", exc.message)
            continue
        title, description = str_at(snippet, "title"), str_at(snippet, "description")
        # the uploads playlist holds only the channel's own videos
        items.append(
            Item(
                channel_id=channel_id,
                external_id=video_id,
                kind=ItemKind.POST,
                created_at=published,
                text=f"{title}\n\n{description}".strip(),
                author_id=str_at(snippet, "videoOwnerChannelId") or str_at(snippet, "channelId"),
                author_name=str_at(snippet, "videoOwnerChannelTitle") or str_at(snippet, "channelTitle"),
                is_own_account=True,
                url=video_url(video_id),
                raw=dict(node),
            )
        )
    assert isinstance(payload, Mapping)
    return VideoPage(items, _next_token(payload), notes)


# --- comments ------------------------------------------------------------------------------------


def comment_item(
    channel_id: str, comment: Mapping[str, Any], video_id: str, own_ids: frozenset[str], *, reply_count: int = 0
) -> Item:
    """A ``youtube#comment`` as an Item: top-level comments are COMMENTs, replies (with ``parentId``) REPLYs.

    Text: see :func:`display_text`. Comments held for review or rejected are HIDDEN.
    """
    comment_id = comment.get("id")
    snippet = comment.get("snippet")
    if not isinstance(comment_id, str) or not isinstance(snippet, Mapping):
        raise SourceFormatError("YouTube-Kommentar ohne 'id' oder 'snippet'")
    parent = snippet.get("parentId")
    author = snippet.get("authorChannelId")
    author_id = author.get("value") if isinstance(author, Mapping) else None
    text = display_text(snippet)
    hidden = snippet.get("moderationStatus") in _HIDDEN_STATUSES
    return Item(
        channel_id=channel_id,
        external_id=comment_id,
        kind=ItemKind.REPLY if isinstance(parent, str) and parent else ItemKind.COMMENT,
        created_at=parse_time(snippet.get("publishedAt")),
        text=text,
        author_id=str(author_id or ""),
        author_name=str(snippet.get("authorDisplayName") or ""),
        is_own_account=bool(author_id) and author_id in own_ids,
        parent_external_id=parent if isinstance(parent, str) and parent else video_id,
        thread_root_external_id=video_id,
        url=video_url(video_id, comment_id),
        like_count=as_int(snippet.get("likeCount")),
        reply_count=reply_count,
        state=ItemState.HIDDEN if hidden else ItemState.VISIBLE,
        raw=dict(comment),
    )


@dataclass(slots=True)
class ThreadPage:
    """A ``commentThreads.list`` page: items, the next page token, and threads whose replies were cut short."""

    items: list[Item]
    next_token: str | None
    incomplete_threads: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # German notes on skipped malformed comments
    seen: set[str] = field(default_factory=set)  # ids of every comment upstream, malformed ones included


def _comment_or_note(channel_id: str, comment: Mapping[str, Any], video_id: str, own_ids: frozenset[str],
                     page: ThreadPage, *, reply_count: int = 0) -> Item | None:
    """:func:`comment_item`, or None with a warning naming the comment when it is malformed."""
    comment_id = comment.get("id")
    if isinstance(comment_id, str) and comment_id:
        page.seen.add(comment_id)
    try:
        return comment_item(channel_id, comment, video_id, own_ids, reply_count=reply_count)
    except SourceFormatError as exc:
        skipped(page.warnings, log, channel_id, f"YouTube-Kommentar {comment_id or '(ohne id)'} zu Video {video_id}",
                exc.message)
        return None


def parse_comment_threads(channel_id: str, payload: object, video_id: str, own_ids: frozenset[str]) -> ThreadPage:
    """Flatten a ``commentThreads.list`` page (part=snippet,replies) into comments and their replies.

    A malformed thread or comment is skipped with a warning (a malformed top-level comment takes its replies
    with it: they are read again once it is readable); the rest of the page is kept."""
    page = ThreadPage([], None)
    for thread in _items_of(payload, "commentThreads.list"):
        snippet = obj_at(thread, "snippet")
        top = snippet.get("topLevelComment")
        if not isinstance(top, Mapping):
            thread_id = thread.get("id")
            if isinstance(thread_id, str) and thread_id:
                page.seen.add(thread_id)
            skipped(page.warnings, log, channel_id, f"YouTube-Kommentarthread {thread_id or '(ohne id)'}",
                    "kein 'topLevelComment'")
            continue
        total = as_int(snippet.get("totalReplyCount"))
        top_item = _comment_or_note(channel_id, top, video_id, own_ids, page, reply_count=total)
        if top_item is None:
            continue
        page.items.append(top_item)
        replies = thread.get("replies")
        listed = replies.get("comments") if isinstance(replies, Mapping) else None
        included = [c for c in listed if isinstance(c, Mapping)] if isinstance(listed, list) else []
        for reply in included:
            if (item := _comment_or_note(channel_id, reply, video_id, own_ids, page)) is not None:
                page.items.append(item)
        if total > len(included):
            page.incomplete_threads.append(top_item.external_id)
    assert isinstance(payload, Mapping)
    page.next_token = _next_token(payload)
    return page


def parse_comment_list(channel_id: str, payload: object, video_id: str, own_ids: frozenset[str]) -> ThreadPage:
    """A ``comments.list?parentId=`` page: the replies of one thread (malformed ones skipped with a warning)."""
    page = ThreadPage([], None)
    for node in _items_of(payload, "comments.list"):
        if (item := _comment_or_note(channel_id, node, video_id, own_ids, page)) is not None:
            page.items.append(item)
    assert isinstance(payload, Mapping)
    page.next_token = _next_token(payload)
    return page


# --- errors and quota ----------------------------------------------------------------------------


class VideoNotFound(NotFound):
    """YouTube says the video itself does not exist (reason ``videoNotFound``): it was deleted upstream."""


class CommentsDisabled(FatalError):
    """The video's comments are switched off: skip the video, not the channel."""


class QuotaExceeded(FatalError):
    """The daily quota is used up: fatal for this run (retrying before midnight Pacific only burns calls).

    ``retry_after`` says how many seconds remain until the quota resets, for a scheduler to use.
    """

    def __init__(self, message: str, *, retry_after: float, channel_id: str | None = None) -> None:
        super().__init__(message, channel_id=channel_id)
        self.retry_after = retry_after


def seconds_until_quota_reset(now: datetime) -> float:
    """Seconds from ``now`` to the next midnight in America/Los_Angeles, when YouTube resets the daily quota."""
    local = now.astimezone(_PACIFIC)
    midnight = datetime.combine(local.date() + timedelta(days=1), datetime.min.time(), tzinfo=_PACIFIC)
    return max((midnight - local).total_seconds(), 0.0)


def _reasons(body: object) -> tuple[int, list[str], str]:
    if isinstance(body, bytes | str):
        try:
            body = json.loads(body)
        except ValueError:
            return 0, [], ""
    err = body.get("error") if isinstance(body, Mapping) else None
    if not isinstance(err, Mapping):
        return 0, [], ""
    listed = err.get("errors")
    if not isinstance(listed, list):
        listed = []
    reasons = [str(e.get("reason")) for e in listed if isinstance(e, Mapping) and e.get("reason")]
    return as_int(err.get("code")), reasons, str(err.get("status") or "")


def youtube_error(status: int, body: object, now: datetime | None = None) -> ConnectorError | None:
    """Map a Google API error envelope (``{"error": {"code", "errors": [{"reason"}]}}``) to the error tree.

    Branches on ``reason``: quotaExceeded/dailyLimitExceeded -> :class:`QuotaExceeded` (fatal for this run;
    ``retry_after`` = seconds to midnight Pacific), rate limits -> RateLimited,
    keyInvalid/forbidden/insufficientPermissions -> AuthError, commentsDisabled -> :class:`CommentsDisabled`,
    videoNotFound -> :class:`VideoNotFound`, other *NotFound -> NotFound, 5xx -> RetriableError. None when the
    body is not such an envelope.
    """
    code, reasons, state = _reasons(body)
    if not code and not reasons:
        return None
    code = code or status
    said = f"(YouTube: {', '.join(reasons) or state or code})"
    found = set(reasons)
    if found & {"quotaExceeded", "dailyLimitExceeded"}:
        wait = seconds_until_quota_reset(now or datetime.now(UTC))
        return QuotaExceeded(
            f"Tageskontingent der YouTube-API aufgebraucht, wieder ab Mitternacht (Pazifikzeit) {said}",
            retry_after=wait,
        )
    if found & {"rateLimitExceeded", "userRateLimitExceeded"}:
        return RateLimited(f"Zu viele Anfragen an die YouTube-API {said}", retry_after=None)
    if "keyInvalid" in found or code == 401 or state == "UNAUTHENTICATED":
        return AuthError(f"Zugriff verweigert: API-Schlüssel oder Zugriffstoken ungültig {said}")
    if "commentsDisabled" in found:
        return CommentsDisabled(f"Kommentare sind für dieses Video deaktiviert {said}")
    if "videoNotFound" in found:
        return VideoNotFound(f"Video existiert nicht (mehr) {said}")
    if any(r.endswith("NotFound") for r in found) or code == 404:
        return NotFound(f"Video oder Kommentar existiert nicht (mehr) {said}")
    if code >= 500:
        return RetriableError(f"Vorübergehende Störung der YouTube-API (HTTP {code}) {said}")
    if code == 403:
        return AuthError(f"Zugriff verweigert: Berechtigung fehlt {said}")
    return FatalError(f"YouTube-API lehnt die Anfrage ab {said}")


def own_ids_of(account_id: str, own_account_ids: Iterable[str]) -> frozenset[str]:
    """Every channel id that counts as the town's own (empty values ignored)."""
    return frozenset(i for i in (account_id, *own_account_ids) if i)


def quota_day(now: datetime) -> str:
    """The quota's day (Pacific time) that ``now`` falls in, as an ISO date."""
    return now.astimezone(_PACIFIC).date().isoformat()
