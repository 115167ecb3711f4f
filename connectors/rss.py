"""RSS 2.0 / Atom connector: press releases, a YouTube channel feed, Mastodon ``@user.rss``, Bluesky profile RSS.

The feed (``base_url`` is the feed URL) is fetched with the shared client as a conditional GET — ETag and
Last-Modified live in the bookmark, a 304 means nothing new — and the bytes go to ``feedparser.parse``
(feedparser's own HTTP handling is being removed upstream). Every entry is one of the town's own posts,
keyed by its id (or link). A ``bozo`` feed that still has entries is stored with a warning; a body that is
no feed at all raises :class:`SourceFormatError` and stores nothing. Feeds carry no comments.
"""

from __future__ import annotations

import calendar
import time
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from typing import Any, ClassVar

import feedparser

from connectors.base import Page, Stream, StreamContext
from connectors.errors import ConfigurationError, SourceFormatError
from connectors.html import html_to_text
from connectors.registry import Connector, register
from store.models import Bookmark, Item, ItemKind

_HTML_TYPES = ("text/html", "application/xhtml+xml")


def _text(value: object, detail: object) -> str:
    if not isinstance(value, str):
        return ""
    kind = detail.get("type", "") if isinstance(detail, Mapping) else ""
    return html_to_text(value) if kind in _HTML_TYPES else " ".join(value.split())


def _entry_time(entry: Mapping[str, Any], fallback: datetime) -> datetime:
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if isinstance(value, time.struct_time):
            return datetime.fromtimestamp(calendar.timegm(value), UTC)
    return fallback


def entry_text(entry: Mapping[str, Any]) -> str:
    """Title and summary (or content) as plain text, joined by a blank line; the title only once."""
    title = _text(entry.get("title"), entry.get("title_detail"))
    body = _text(entry.get("summary"), entry.get("summary_detail"))
    if not body and entry.get("content"):
        first = entry["content"][0]
        body = _text(first.get("value"), first)
    if title and body.startswith(title):
        return body
    return "\n\n".join(p for p in (title, body) if p)


def parse_feed(content: bytes, channel_id: str, *, author_id: str = "", now: datetime) -> tuple[list[Item], list[str]]:
    """Entries of a feed body as own posts, plus German warnings; raises :class:`SourceFormatError` if no feed."""
    parsed = feedparser.parse(content)
    if not parsed.get("version") and not parsed.entries:
        reason = parsed.get("bozo_exception")
        raise SourceFormatError(f"Feed nicht lesbar: kein RSS/Atom ({type(reason).__name__ if reason else 'leer'})")
    warnings = []
    if parsed.get("bozo"):
        warnings.append(f"Feed fehlerhaft, aber lesbar: {str(parsed.get('bozo_exception'))[:120]}")
    feed_title = str(parsed.feed.get("title", ""))
    items: list[Item] = []
    for entry in parsed.entries:
        external_id = entry.get("id") or entry.get("link")
        if not external_id:
            warnings.append(f"Feed-Eintrag ohne id und link übersprungen: {str(entry.get('title', ''))[:60]}")
            continue
        items.append(Item(
            channel_id=channel_id,
            external_id=str(external_id),
            kind=ItemKind.POST,
            created_at=_entry_time(entry, now),
            text=entry_text(entry),
            author_id=author_id,
            author_name=str(entry.get("author") or feed_title),
            is_own_account=True,
            url=str(entry.get("link") or ""),
            raw={k: str(entry[k]) for k in ("id", "link", "title", "published", "updated", "summary") if k in entry},
        ))
    return items, warnings


class FeedStream:
    """The whole feed as one page; the bookmark holds the validators of the last stored answer."""

    name: ClassVar[str] = "feed"
    is_sorted: ClassVar[bool] = True

    def __init__(self, connector: RssConnector) -> None:
        self.connector = connector

    def read(self, ctx: StreamContext) -> Iterator[Page]:
        channel = ctx.channel
        mark = ctx.bookmark(self.name)
        response = self.connector.client.request(
            "GET", channel.base_url, token=channel.token(),
            etag=mark.etag if mark else None, last_modified=mark.last_modified if mark else None,
            headers={"Accept": "application/rss+xml, application/atom+xml, application/xml;q=0.9, */*;q=0.5"},
            what="Feed",
        )
        if response.status_code == 304:
            return
        items, warnings = parse_feed(response.content, channel.id, author_id=channel.account_id, now=ctx.now)
        newest = max((i.created_at for i in items), default=mark.newest_at if mark else None)
        bookmark = Bookmark(channel.id, self.name, etag=response.headers.get("etag"),
                            last_modified=response.headers.get("last-modified"), newest_at=newest)
        yield Page(items, bookmark=bookmark, warnings=warnings)


@register
class RssConnector(Connector):
    """RSS/Atom: feed entries as own posts; no comments, no write-back."""

    platform: ClassVar[str] = "rss"

    def streams(self) -> list[Stream]:
        if not self.channel.base_url:
            raise ConfigurationError("Feed: 'base_url' (die Adresse des Feeds) fehlt")
        return [FeedStream(self)]
