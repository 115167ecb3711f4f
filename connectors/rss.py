"""RSS 2.0 / Atom connector: press releases, a YouTube channel feed, Mastodon ``@user.rss``, Bluesky profile RSS.

The feed (``base_url`` is the feed URL) is fetched with the shared client as a conditional GET — ETag and
Last-Modified live in the bookmark, a 304 means nothing new — and the bytes go to ``feedparser.parse``
(feedparser's own HTTP handling is being removed upstream). Every entry is one of the town's own posts,
keyed by its id (or link). A ``bozo`` feed that still has entries is stored with a warning; a body that is
no feed at all raises :class:`SourceFormatError` and stores nothing. Feeds carry no comments.
"""

from __future__ import annotations

import calendar
import logging
import re
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

log = logging.getLogger(__name__)
_EXCERPT_END = re.compile(r"\s*(?:\[(?:…|\.\.\.|mehr|weiterlesen)\]|…|\.\.\.)\s*$", re.IGNORECASE)
_HTML_TYPES = ("text/html", "application/xhtml+xml")


def _text(value: object, detail: object) -> str:
    if not isinstance(value, str):
        return ""
    kind = detail.get("type", "") if isinstance(detail, Mapping) else ""
    return html_to_text(value) if kind in _HTML_TYPES else " ".join(value.split())


def _plain_lines(value: str) -> str:
    """Plain text whose line breaks mean something (a YouTube video description): spaces collapsed within
    lines, at most one blank line between paragraphs."""
    lines = [" ".join(line.split()) for line in value.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def _entry_time(entry: Mapping[str, Any]) -> datetime | None:
    """When the entry was published (RSS ``pubDate`` in RFC 822 or ISO 8601, Atom ``published``/``updated``)."""
    for key in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(key)
        if isinstance(value, time.struct_time):
            return datetime.fromtimestamp(calendar.timegm(value), UTC)
    return None


def entry_id(entry: Mapping[str, Any]) -> str:
    """The entry's stable key: ``id``/``guid``, else its link, else (YouTube feeds) ``yt:video:<videoId>``."""
    found = entry.get("id") or entry.get("link")
    if found:
        return str(found)
    video = entry.get("yt_videoid")
    return f"yt:video:{video}" if video else ""


def author_name(entry: Mapping[str, Any], feed_title: str) -> str:
    """The author's name (``author_detail.name``: without the e-mail address RSS and Atom put beside it)."""
    detail = entry.get("author_detail")
    name = detail.get("name") if isinstance(detail, Mapping) else None
    return str(name or entry.get("author") or feed_title)


def entry_text(entry: Mapping[str, Any]) -> str:
    """Title and summary (or content) as plain text, joined by a blank line; the title only once."""
    title = _text(entry.get("title"), entry.get("title_detail"))
    summary = entry.get("summary")
    if entry.get("yt_videoid") and isinstance(summary, str):  # media:description: plain, though labelled HTML
        body = _plain_lines(summary)
    else:
        body = _text(summary, entry.get("summary_detail"))
    content = entry.get("content")
    if content and isinstance(content, list) and isinstance(content[0], Mapping):
        full = _text(content[0].get("value"), content[0])
        if not body or (len(full) > len(body) and full.startswith(_EXCERPT_END.sub("", body))):
            body = full  # the summary was only the excerpt of the full text (WordPress, TYPO3: "… [mehr]")
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
    feed_time = _entry_time(parsed.feed)
    items: list[Item] = []
    for entry in parsed.entries:
        external_id = entry_id(entry)
        if not external_id:
            warnings.append(f"Feed-Eintrag ohne id und link übersprungen: {str(entry.get('title', ''))[:60]}")
            continue
        created = _entry_time(entry)
        if created is None:
            created = feed_time or now
            log.warning("%s: Feed-Eintrag %s ohne lesbares Datum: %s verwendet", channel_id, external_id[:80],
                        "Datum des Feeds" if feed_time else "Abrufzeit")
        items.append(Item(
            channel_id=channel_id,
            external_id=external_id,
            kind=ItemKind.POST,
            created_at=created,
            text=entry_text(entry),
            author_id=author_id,
            author_name=author_name(entry, feed_title),
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
