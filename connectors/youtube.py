"""YouTube Data API v3: own videos from the uploads playlist, comments from ``commentThreads.list``.

Videos come from ``playlistItems.list`` on the uploads playlist (``UC…`` -> ``UU…``, 1 quota unit a page rather
than 100 for ``search.list``); comments from ``commentThreads.list`` (top-level comment + up to five replies),
and ``comments.list?parentId=`` when a thread has more replies than were included. Reads use an API key, writes
(reply, hide via ``setModerationStatus``) an OAuth access token. Every call's quota cost is tracked.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar
from zoneinfo import ZoneInfo

import httpx

from connectors.base import Capability, Page, Stream, StreamContext, ThreadScan, WriteResult
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
from connectors.http import HttpClient, parse_json
from connectors.registry import Connector, register
from store.config import ChannelConfig
from store.models import Bookmark, Item, ItemKind, ItemState

JsonObject = dict[str, Any]

PUBLIC_API = "https://www.googleapis.com/youtube/v3"
DAILY_QUOTA = 10_000
WRITE_RESERVE = 1_000  # units of the day kept free for moderators' replies and hides (50 each)
PLAYLIST_PAGE = 50  # playlistItems.list maximum
COMMENT_PAGE = 100  # commentThreads.list / comments.list maximum
HELD_STATUSES = ("heldForReview", "likelySpam")  # listed with the owner's token, so hidden is not "deleted"
#: quota units per call (https://developers.google.com/youtube/v3/determine_quota_cost)
QUOTA_COST = {
    "playlistItems.list": 1,
    "commentThreads.list": 1,
    "comments.list": 1,
    "comments.insert": 50,
    "comments.setModerationStatus": 50,
}
_PACIFIC = ZoneInfo("America/Los_Angeles")  # the daily quota resets at midnight Pacific time
_HIDDEN_STATUSES = frozenset({"heldForReview", "likelySpam", "rejected"})


# --- identities, times, addresses ----------------------------------------------------------------


def uploads_playlist(channel_id: str) -> str:
    """The uploads playlist of a channel: ``UCxyz`` -> ``UUxyz``."""
    if not channel_id.startswith("UC") or len(channel_id) < 3:
        raise ValueError(f"Keine YouTube-Kanal-ID (beginnt mit 'UC'): {channel_id!r}")
    return "UU" + channel_id[2:]


def parse_time(value: object) -> datetime:
    """An RFC 3339 timestamp (``2019-04-20T01:03:39.000Z``) as aware UTC; SourceFormatError otherwise."""
    if isinstance(value, str):
        try:
            parsed = datetime.fromisoformat(value)
        except ValueError:
            parsed = None
        if parsed is not None:
            return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
    raise SourceFormatError(f"YouTube-Zeitstempel fehlt oder ist nicht lesbar: {value!r:.40}")


def video_url(video_id: str, comment_id: str = "") -> str:
    """The watch page of a video, pointing at one comment when ``comment_id`` is given."""
    return f"https://www.youtube.com/watch?v={video_id}" + (f"&lc={comment_id}" if comment_id else "")


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _obj(node: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    """``node[key]`` when it is an object, else an empty one: missing fields are data, not a crash."""
    value = node.get(key)
    return value if isinstance(value, Mapping) else {}


def _str(node: Mapping[str, Any], key: str) -> str:
    value = node.get(key)
    return value if isinstance(value, str) else ""


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


def parse_playlist_items(channel_id: str, payload: object) -> VideoPage:
    """A ``playlistItems.list`` page of the uploads playlist as POST items (title, blank line, description).

    Private and deleted videos (no ``videoPublishedAt``) are skipped: they are not public posts.
    """
    items: list[Item] = []
    for node in _items_of(payload, "playlistItems.list"):
        snippet, details = _obj(node, "snippet"), _obj(node, "contentDetails")
        video_id = _str(details, "videoId") or _str(_obj(snippet, "resourceId"), "videoId")
        if not video_id or not details.get("videoPublishedAt"):
            continue
        title, description = _str(snippet, "title"), _str(snippet, "description")
        # the uploads playlist holds only the channel's own videos
        items.append(
            Item(
                channel_id=channel_id,
                external_id=video_id,
                kind=ItemKind.POST,
                created_at=parse_time(details["videoPublishedAt"]),
                text=f"{title}\n\n{description}".strip(),
                author_id=_str(snippet, "videoOwnerChannelId") or _str(snippet, "channelId"),
                author_name=_str(snippet, "videoOwnerChannelTitle") or _str(snippet, "channelTitle"),
                is_own_account=True,
                url=video_url(video_id),
                raw=dict(node),
            )
        )
    assert isinstance(payload, Mapping)
    return VideoPage(items, _next_token(payload))


# --- comments ------------------------------------------------------------------------------------


def comment_item(
    channel_id: str, comment: Mapping[str, Any], video_id: str, own_ids: frozenset[str], *, reply_count: int = 0
) -> Item:
    """A ``youtube#comment`` as an Item: top-level comments are COMMENTs, replies (with ``parentId``) REPLYs.

    Text is ``textOriginal`` when the API returns it, else ``textDisplay`` (requested as ``plainText``, so a
    citizen's literal ``<b>`` stays text). Comments held for review or rejected are HIDDEN.
    """
    comment_id = comment.get("id")
    snippet = comment.get("snippet")
    if not isinstance(comment_id, str) or not isinstance(snippet, Mapping):
        raise SourceFormatError("YouTube-Kommentar ohne 'id' oder 'snippet'")
    parent = snippet.get("parentId")
    author = snippet.get("authorChannelId")
    author_id = author.get("value") if isinstance(author, Mapping) else None
    text = snippet.get("textOriginal")
    if not isinstance(text, str):
        text = _str(snippet, "textDisplay")
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
        like_count=_count(snippet.get("likeCount")),
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


def parse_comment_threads(channel_id: str, payload: object, video_id: str, own_ids: frozenset[str]) -> ThreadPage:
    """Flatten a ``commentThreads.list`` page (part=snippet,replies) into comments and their replies."""
    items: list[Item] = []
    incomplete: list[str] = []
    for thread in _items_of(payload, "commentThreads.list"):
        snippet = thread.get("snippet")
        top = snippet.get("topLevelComment") if isinstance(snippet, Mapping) else None
        if not isinstance(top, Mapping):
            raise SourceFormatError("YouTube-Kommentarthread ohne 'topLevelComment'")
        total = _count(snippet.get("totalReplyCount")) if isinstance(snippet, Mapping) else 0
        top_item = comment_item(channel_id, top, video_id, own_ids, reply_count=total)
        items.append(top_item)
        replies = thread.get("replies")
        listed = replies.get("comments") if isinstance(replies, Mapping) else None
        included = [c for c in listed if isinstance(c, Mapping)] if isinstance(listed, list) else []
        items.extend(comment_item(channel_id, c, video_id, own_ids) for c in included)
        if total > len(included):
            incomplete.append(top_item.external_id)
    assert isinstance(payload, Mapping)
    return ThreadPage(items, _next_token(payload), incomplete)


def parse_comment_list(channel_id: str, payload: object, video_id: str, own_ids: frozenset[str]) -> ThreadPage:
    """A ``comments.list?parentId=`` page: the replies of one thread."""
    nodes = _items_of(payload, "comments.list")
    assert isinstance(payload, Mapping)
    return ThreadPage([comment_item(channel_id, c, video_id, own_ids) for c in nodes], _next_token(payload))


# --- errors and quota ----------------------------------------------------------------------------


class CommentsDisabled(FatalError):
    """The video's comments are switched off: skip the video, not the channel."""


class QuotaExceeded(FatalError):
    """The daily quota is used up: fatal for this run (retrying before midnight Pacific only burns calls).

    ``retry_after`` says how many seconds remain until the quota resets, for a scheduler to use.
    """

    def __init__(self, message: str, *, retry_after: float, channel_id: str | None = None) -> None:
        super().__init__(message, channel_id=channel_id)
        self.retry_after = retry_after


class BudgetSpent(QuotaExceeded):
    """Our own share of the day's quota is spent (``daily_quota`` minus ``write_reserve``): stop reading, no error."""


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
    return _count(err.get("code")), reasons, str(err.get("status") or "")


def youtube_error(status: int, body: object, now: datetime | None = None) -> ConnectorError | None:
    """Map a Google API error envelope (``{"error": {"code", "errors": [{"reason"}]}}``) to the error tree.

    Branches on ``reason``: quotaExceeded/dailyLimitExceeded -> :class:`QuotaExceeded` (fatal for this run;
    ``retry_after`` = seconds to midnight Pacific), rate limits -> RateLimited,
    keyInvalid/forbidden/insufficientPermissions -> AuthError, commentsDisabled -> :class:`CommentsDisabled`,
    *NotFound -> NotFound, 5xx -> RetriableError. None when the body is not such an envelope.
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
    if any(r.endswith("NotFound") for r in found) or code == 404:
        return NotFound(f"Video oder Kommentar existiert nicht (mehr) {said}")
    if code >= 500:
        return RetriableError(f"Vorübergehende Störung der YouTube-API (HTTP {code}) {said}")
    if code == 403:
        return AuthError(f"Zugriff verweigert: Berechtigung fehlt {said}")
    return FatalError(f"YouTube-API lehnt die Anfrage ab {said}")


@dataclass(slots=True)
class QuotaMeter:
    """Counts the quota units one run spends; ``budget`` caps the run so reads never starve moderator writes."""

    budget: int = 3_000
    spent: int = 0
    calls: dict[str, int] = field(default_factory=dict)

    def charge(self, method: str) -> None:
        self.spent += QUOTA_COST[method]
        self.calls[method] = self.calls.get(method, 0) + 1

    def can_afford(self, method: str) -> bool:
        return self.spent + QUOTA_COST[method] <= self.budget


def own_ids_of(account_id: str, own_account_ids: Iterable[str]) -> frozenset[str]:
    """Every channel id that counts as the town's own (empty values ignored)."""
    return frozenset(i for i in (account_id, *own_account_ids) if i)


# --- streams -------------------------------------------------------------------------------------


class _Base:
    def __init__(self, connector: YouTubeConnector) -> None:
        self.connector = connector
        self.channel = connector.channel


class PostsStream(_Base):
    """The channel's uploads, newest first, back to the bookmark or the lookback window."""

    name: ClassVar[str] = "posts"
    is_sorted: ClassVar[bool] = False  # newest first: the bookmark is saved when the stream is done

    def read(self, ctx: StreamContext) -> Iterator[Page]:
        self.connector.load_quota(ctx)
        mark = ctx.bookmark(self.name)
        window = ctx.now - timedelta(days=self.channel.lookback_days)
        stop_at = ctx.since or (mark.newest_at if mark and mark.newest_at else window)
        newest = mark.newest_at if mark else None
        token: str | None = None
        playlist = self.connector.uploads
        while True:
            params: dict[str, str | int] = {"part": "snippet,contentDetails", "playlistId": playlist,
                                            "maxResults": PLAYLIST_PAGE}
            if token:
                params["pageToken"] = token
            body = self.connector.read_api("playlistItems.list", "/playlistItems", params, "YouTube-Videos")
            page = parse_playlist_items(self.channel.id, body)
            items = [i for i in page.items if i.created_at >= stop_at]
            for it in items:
                newest = it.created_at if newest is None or it.created_at > newest else newest
            bookmark = Bookmark(self.channel.id, self.name, newest_at=newest, extra=self.connector.quota_extra())
            yield Page(items, bookmark=bookmark if newest else None, cursor=f"videos:{token or ''}")
            if page.next_token is None or len(items) < len(page.items):
                return
            token = page.next_token


class CommentsStream(_Base):
    """Comment threads (and their replies) of every own video inside the lookback window."""

    name: ClassVar[str] = "comments"
    is_sorted: ClassVar[bool] = True  # each page stands alone; the thread scan rides on a video's last page

    def read(self, ctx: StreamContext) -> Iterator[Page]:
        self.connector.load_quota(ctx)
        for video_id, _created in ctx.recent_posts:
            try:
                yield from self._video(video_id)  # raises before its first page: pages are buffered per video
            except BudgetSpent:
                yield Page([], cursor=f"quota:{video_id}",
                           warnings=[f"YouTube-Kontingent für heute erreicht – Kommentare ab Video {video_id} "
                                     "beim nächsten Lauf"])
                return
            except CommentsDisabled:
                yield Page([], cursor=f"disabled:{video_id}",
                           warnings=[f"Kommentare sind für YouTube-Video {video_id} deaktiviert"])
            except NotFound:
                yield Page([], cursor=f"gone:{video_id}",
                           warnings=[f"YouTube-Video {video_id} ist nicht mehr vorhanden oder privat"])

    def _video(self, video_id: str) -> Iterator[Page]:
        """All pages of one video; the last carries the ThreadScan, held comments included when authorised."""
        seen: set[str] = set()
        statuses = ["published", *(HELD_STATUSES if self.connector.oauth_token() else ())]
        pages: list[Page] = []
        for status in statuses:
            token: str | None = None
            while True:
                params: dict[str, str | int] = {"part": "snippet,replies", "videoId": video_id,
                                                "maxResults": COMMENT_PAGE, "textFormat": "plainText"}
                if status != "published":
                    params["moderationStatus"] = status
                if token:
                    params["pageToken"] = token
                body = self.connector.read_api("commentThreads.list", "/commentThreads", params,
                                               "YouTube-Kommentare", owner=status != "published")
                page = parse_comment_threads(self.channel.id, body, video_id, self.connector.own_ids)
                for thread_id in page.incomplete_threads:
                    page.items.extend(self._replies(video_id, thread_id))
                seen.update(i.external_id for i in page.items)
                pages.append(Page(page.items, cursor=f"threads:{video_id}:{status}:{token or ''}"))
                if page.next_token is None:
                    break
                token = page.next_token
        # a video's pages are yielded together so that a quota stop never leaves a half-read thread scanned
        pages[-1].thread = ThreadScan(video_id, frozenset(seen))
        pages[-1].bookmark = Bookmark(self.channel.id, "quota", extra=self.connector.quota_extra())
        yield from pages

    def _replies(self, video_id: str, thread_id: str) -> list[Item]:
        items: list[Item] = []
        token: str | None = None
        while True:
            params: dict[str, str | int] = {"part": "snippet", "parentId": thread_id, "maxResults": COMMENT_PAGE,
                                            "textFormat": "plainText"}
            if token:
                params["pageToken"] = token
            body = self.connector.read_api("comments.list", "/comments", params, "YouTube-Antworten")
            page = parse_comment_list(self.channel.id, body, video_id, self.connector.own_ids)
            items.extend(page.items)
            if page.next_token is None or page.next_token == token:
                return items
            token = page.next_token


# --- the connector -------------------------------------------------------------------------------


@register
class YouTubeConnector(Connector):
    """YouTube: uploads and comment threads; reply and hide/reject via setModerationStatus (OAuth)."""

    platform: ClassVar[str] = "youtube"
    capabilities: ClassVar[frozenset[Capability]] = frozenset({Capability.REPLY, Capability.HIDE, Capability.DELETE})

    def __init__(self, channel: ChannelConfig, client: HttpClient) -> None:
        super().__init__(channel, client)
        self.own_ids = own_ids_of(channel.account_id, channel.own_account_ids)
        daily = int(channel.options.get("daily_quota", DAILY_QUOTA))
        reserve = int(channel.options.get("write_reserve", WRITE_RESERVE))
        self.meter = QuotaMeter(budget=max(daily - reserve, 0))
        self._quota_loaded = False

    @property
    def api(self) -> str:
        return (self.channel.base_url or PUBLIC_API).rstrip("/")

    @property
    def uploads(self) -> str:
        configured = self.channel.options.get("uploads_playlist")
        if isinstance(configured, str) and configured:
            return configured
        try:
            return uploads_playlist(self.channel.account_id)
        except ValueError as exc:
            raise ConfigurationError(f"YouTube: 'account_id' muss die Kanal-ID (UC…) sein – {exc}") from None

    def streams(self) -> list[Stream]:
        _ = self.uploads
        return [PostsStream(self), CommentsStream(self)]

    def oauth_token(self) -> str | None:
        """The OAuth access token for owner reads and writes, from ``options.oauth_token_env``."""
        name = self.channel.options.get("oauth_token_env")
        return os.environ.get(name) if isinstance(name, str) and name else None

    def quota_extra(self) -> dict[str, object]:
        """Today's (Pacific) spent units, stored in bookmarks so the next run of the day continues the count."""
        return {"quota_day": _quota_day(datetime.now(UTC)), "quota_units": self.meter.spent}

    def load_quota(self, ctx: StreamContext) -> None:
        if self._quota_loaded:
            return
        self._quota_loaded = True
        mark = ctx.bookmark("quota") or ctx.bookmark("posts")
        if mark and mark.extra.get("quota_day") == _quota_day(ctx.now):
            self.meter.spent = int(mark.extra.get("quota_units") or 0)

    def _hook(self, response: httpx.Response) -> ConnectorError | None:
        return youtube_error(response.status_code, response.content)

    def read_api(self, method: str, path: str, params: Mapping[str, str | int], what: str, *,
                 owner: bool = False) -> Any:
        """GET a list method with the API key (or, for ``owner`` reads, the OAuth token); charges the quota."""
        if not self.meter.can_afford(method):
            raise BudgetSpent(f"YouTube-Kontingent dieses Tages ist ausgeschöpft ({self.meter.spent} Einheiten)",
                              retry_after=seconds_until_quota_reset(datetime.now(UTC)))
        self.meter.charge(method)
        if owner:
            body, _r = self.client.get_json(f"{self.api}{path}", params=params, token=self.oauth_token(),
                                            error_hook=self._hook, what=what)
        else:
            body, _r = self.client.get_json(f"{self.api}{path}", params=params, token=self.channel.token(),
                                            token_param="key", error_hook=self._hook, what=what)
        return body

    def _write(self, method: str, path: str, params: Mapping[str, str | int], body: Any, what: str) -> httpx.Response:
        token = self.oauth_token()
        if not token:
            raise ConfigurationError(
                "YouTube: Schreibzugriffe brauchen ein OAuth-Zugriffstoken (Umgebungsvariable in "
                "'options.oauth_token_env')"
            )
        self.meter.charge(method)
        return self.client.request("POST", f"{self.api}{path}", params=params, json_body=body, token=token,
                                   error_hook=self._hook, what=what)

    def reply(self, parent_external_id: str, text: str) -> WriteResult:
        """Reply under a comment (replies attach to the top-level comment) or comment on a video."""
        if _is_video_id(parent_external_id):
            body = {"snippet": {"videoId": parent_external_id,
                                "topLevelComment": {"snippet": {"textOriginal": text}}}}
            response = self._write("comments.insert", "/commentThreads", {"part": "snippet"}, body,
                                   "YouTube-Kommentar")
        else:
            top = parent_external_id.split(".", 1)[0]  # YouTube threads are one level deep
            response = self._write("comments.insert", "/comments", {"part": "snippet"},
                                   {"snippet": {"parentId": top, "textOriginal": text}}, "YouTube-Antwort")
        answer = parse_json(response, "YouTube-Antwort")
        created = answer.get("id") if isinstance(answer, Mapping) else None
        return WriteResult(ok=True, platform_id=str(created) if created else None, detail="veröffentlicht")

    def hide(self, external_id: str) -> WriteResult:
        """Hold a comment for review (reversible: it can be published again in YouTube Studio)."""
        self._moderate(external_id, "heldForReview")
        return WriteResult(ok=True, platform_id=external_id, detail="zur Überprüfung zurückgehalten")

    def delete(self, external_id: str) -> WriteResult:
        """Reject a comment: removed from the channel for good (comments.delete works only for one's own)."""
        self._moderate(external_id, "rejected")
        return WriteResult(ok=True, platform_id=external_id, detail="abgelehnt (entfernt)")

    def _moderate(self, external_id: str, status: str) -> None:
        self._write("comments.setModerationStatus", "/comments/setModerationStatus",
                    {"id": external_id, "moderationStatus": status}, None, "YouTube-Moderation")


def _quota_day(now: datetime) -> str:
    return now.astimezone(_PACIFIC).date().isoformat()


def _is_video_id(value: str) -> bool:
    return len(value) == 11 and all(c.isalnum() or c in "-_" for c in value)
