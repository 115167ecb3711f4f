"""YouTube Data API v3: own videos from the uploads playlist, comments from ``commentThreads.list``.

Videos come from ``playlistItems.list`` on the uploads playlist (``UC…`` -> ``UU…``, 1 quota unit a page rather
than 100 for ``search.list``); comments from ``commentThreads.list`` (top-level comment + up to five replies),
and ``comments.list?parentId=`` when a thread has more replies than were included. Reads use an API key, writes
(reply, hide via ``setModerationStatus``) an OAuth access token. Every call's quota cost is tracked. Parsing
and the error envelope are the pure part in :mod:`connectors.youtube_parse`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
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
from connectors.errors import ConfigurationError, ConnectorError, NotFound
from connectors.http import HttpClient, parse_json
from connectors.registry import Connector, ConnectorStream, register
from connectors.youtube_parse import (
    CommentsDisabled,
    QuotaExceeded,
    ThreadPage,
    VideoNotFound,
    own_ids_of,
    parse_comment_list,
    parse_comment_threads,
    parse_playlist_items,
    quota_day,
    seconds_until_quota_reset,
    uploads_playlist,
    youtube_error,
)
from store.config import ChannelConfig
from store.models import Bookmark

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


class BudgetSpent(QuotaExceeded):
    """Our own share of the day's quota is spent (``daily_quota`` minus ``write_reserve``): stop reading, no error."""


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


# --- streams -------------------------------------------------------------------------------------


class PostsStream(ConnectorStream["YouTubeConnector"]):
    """The channel's uploads, newest first, back to the bookmark or the lookback window."""

    name: ClassVar[str] = "posts"
    is_sorted: ClassVar[bool] = False  # newest first: the bookmark is saved when the stream is done

    def read(self, ctx: StreamContext) -> Iterator[Page]:
        self.connector.load_quota(ctx)
        stop_at, newest = newest_first_bounds(ctx, self.name)
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
            newest = newest_time(items, newest)
            bookmark = Bookmark(self.channel.id, self.name, newest_at=newest, extra=self.connector.quota_extra())
            yield Page(items, bookmark=bookmark if newest else None, cursor=f"videos:{token or ''}",
                       warnings=page.warnings)
            if page.next_token is None or len(items) < len(page.items):
                return
            token = page.next_token


class CommentsStream(ConnectorStream["YouTubeConnector"]):
    """Comment threads (and their replies) of every own video inside the lookback window; a video YouTube
    reports as ``videoNotFound`` is marked gone."""

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
            except VideoNotFound:  # YouTube names this very video as not found: deleted upstream
                yield Page([], cursor=f"gone:{video_id}", gone=frozenset({video_id}))
            except NotFound as exc:  # a reply thread vanished mid-read, or a bare 404: the next run scans again
                yield Page([], cursor=f"unreadable:{video_id}",
                           warnings=[f"Kommentare zu YouTube-Video {video_id} nicht abrufbar: {exc.message}"])

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
                    replies = self._replies(video_id, thread_id)
                    page.items.extend(replies.items)
                    page.warnings.extend(replies.warnings)
                    page.seen |= replies.seen
                # the replies a thread included come again from comments.list: one item per id, the fuller read
                unique = list({i.external_id: i for i in page.items}.values())
                seen |= page.seen
                pages.append(Page(unique, cursor=f"threads:{video_id}:{status}:{token or ''}", warnings=page.warnings))
                if page.next_token is None:
                    break
                token = page.next_token
        # a video's pages are yielded together so that a quota stop never leaves a half-read thread scanned
        pages[-1].thread = ThreadScan(video_id, frozenset(seen))
        pages[-1].bookmark = Bookmark(self.channel.id, "quota", extra=self.connector.quota_extra())
        yield from pages

    def _replies(self, video_id: str, thread_id: str) -> ThreadPage:
        """Every reply of one thread from ``comments.list?parentId=`` (all its pages in one)."""
        replies = ThreadPage([], None)
        token: str | None = None
        while True:
            params: dict[str, str | int] = {"part": "snippet", "parentId": thread_id, "maxResults": COMMENT_PAGE,
                                            "textFormat": "plainText"}
            if token:
                params["pageToken"] = token
            body = self.connector.read_api("comments.list", "/comments", params, "YouTube-Antworten")
            page = parse_comment_list(self.channel.id, body, video_id, self.connector.own_ids)
            replies.items.extend(page.items)
            replies.warnings.extend(page.warnings)
            replies.seen |= page.seen
            if page.next_token is None or page.next_token == token:
                return replies
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
        return {"quota_day": quota_day(datetime.now(UTC)), "quota_units": self.meter.spent}

    def load_quota(self, ctx: StreamContext) -> None:
        if self._quota_loaded:
            return
        self._quota_loaded = True
        mark = ctx.bookmark("quota") or ctx.bookmark("posts")
        if mark and mark.extra.get("quota_day") == quota_day(ctx.now):
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


def _is_video_id(value: str) -> bool:
    return len(value) == 11 and all(c.isalnum() or c in "-_" for c in value)
