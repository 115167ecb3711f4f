"""The sync runner: read every stream of a channel and store each page in one transaction.

Per page: upsert the items, save the bookmark (sorted streams only; unsorted streams save their last
bookmark when the stream ends), for a :class:`ThreadScan` mark stored comments missing upstream as deleted,
and mark the page's ``gone`` ids (posts confirmed deleted upstream) deleted — all in one transaction, so a
crash between pages leaves no gap and no duplicate. Guards: a cursor requested twice in one run (a pagination
loop) and more than ``max_pages`` pages of one stream end the channel's sync with a clear error. A failing
channel never stops the others.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import Connection, Engine, select

from connectors.base import Page, Stream, StreamContext
from connectors.errors import ConnectorError, FatalError
from connectors.http import HttpClient
from connectors.registry import connector_for
from store.bookmarks import load_bookmarks, save_bookmark
from store.channels import record_sync
from store.config import ChannelConfig
from store.items import mark_deleted, mark_thread_deleted, recent_own_posts, upsert_items
from store.models import Bookmark, utcnow
from store.schema import channel as channel_table

log = logging.getLogger(__name__)

DEFAULT_MAX_PAGES = 5000  # per stream and run; channel option ``max_pages`` overrides


@dataclass(frozen=True, slots=True)
class ProgressEvent:
    """Sent after every stored page: how far one channel's stream has come in this run."""

    channel_id: str
    stream: str
    pages: int
    items: int


@dataclass(slots=True)
class ChannelResult:
    """The outcome of one channel's sync; ``error`` is a German message or None."""

    channel_id: str
    new: int = 0
    updated: int = 0
    deleted: int = 0
    error: str | None = None
    duration: float = 0.0
    warnings: list[str] = field(default_factory=list)
    pages: int = 0

    @property
    def ok(self) -> bool:
        return self.error is None

    def counts(self) -> dict[str, int]:
        return {"new": self.new, "updated": self.updated, "deleted": self.deleted, "pages": self.pages}


Progress = Callable[[ProgressEvent], None]


class PaginationError(FatalError):
    """The platform keeps handing out the same cursor, or more pages than any run should need."""


def sync_channel(
    engine: Engine,
    channel: ChannelConfig,
    *,
    client: HttpClient | None = None,
    since: datetime | None = None,
    progress: Progress | None = None,
    max_pages: int | None = None,
    now: datetime | None = None,
) -> ChannelResult:
    """Read every stream of ``channel`` into the store and record the outcome on the channel row.

    ``since`` bounds how far back the streams read (default: the channel's ``lookback_days``); ``client``
    is closed only when this function created it. Connector faults become ``result.error``; anything
    else that is not an :class:`Exception` (KeyboardInterrupt, a killed process) propagates.
    """
    started = time.monotonic()
    result = ChannelResult(channel.id)
    own_client = client is None
    http = client or HttpClient()
    try:
        _require_channel_row(engine, channel.id)
        connector = connector_for(channel, http)
        limit = max_pages or int(channel.options.get("max_pages", DEFAULT_MAX_PAGES))
        for stream in connector.streams():
            _run_stream(engine, stream, _context(engine, channel, since, now or utcnow()), result, progress, limit)
    except ConnectorError as exc:
        exc.channel_id = None  # the result names the channel already
        result.error = exc.message
    except Exception as exc:  # the runner boundary: one broken channel must not stop the others
        log.exception("sync of channel %s failed", channel.id)
        result.error = f"Unerwarteter Fehler ({type(exc).__name__}): {str(exc)[:200]}"
    finally:
        if own_client:
            http.close()
    result.duration = time.monotonic() - started
    if result.error:
        log.warning("Kanal %s: %s", channel.id, result.error)
    with engine.begin() as conn:
        record_sync(conn, channel.id, error=result.error, counts=result.counts())
    return result


def sync_all(
    engine: Engine,
    channels: Iterable[ChannelConfig],
    *,
    since: datetime | None = None,
    progress: Progress | None = None,
    client_factory: Callable[[ChannelConfig], HttpClient] | None = None,
) -> list[ChannelResult]:
    """Sync every active channel one after the other; each gets its own client (``client_factory``)."""
    results = []
    for ch in channels:
        if not ch.active:
            continue
        client = client_factory(ch) if client_factory else HttpClient()
        try:
            results.append(sync_channel(engine, ch, client=client, since=since, progress=progress))
        finally:
            client.close()
    return results


def _require_channel_row(engine: Engine, channel_id: str) -> None:
    with engine.connect() as conn:
        found = conn.execute(select(channel_table.c.id).where(channel_table.c.id == channel_id)).first()
    if found is None:
        raise FatalError("Kanal ist nicht in der Datenbank eingetragen (zuerst die Kanäle übernehmen)")


def _context(engine: Engine, channel: ChannelConfig, since: datetime | None, now: datetime) -> StreamContext:
    """A fresh context per stream: comments see the posts the previous stream just stored."""
    window = since if since is not None else now - timedelta(days=channel.lookback_days)
    with engine.connect() as conn:
        return StreamContext(
            channel=channel,
            now=now,
            since=since,
            bookmarks=load_bookmarks(conn, channel.id),
            recent_posts=recent_own_posts(conn, channel.id, window),
        )


def _run_stream(engine: Engine, stream: Stream, ctx: StreamContext, result: ChannelResult,
                progress: Progress | None, max_pages: int) -> None:
    seen_cursors: set[str] = set()
    pending: dict[tuple[str, str], Bookmark] = {}  # unsorted streams: saved when the stream is done
    pages = items = 0
    for page in stream.read(ctx):
        if page.cursor is not None:
            if page.cursor in seen_cursors:
                raise PaginationError(f"{stream.name}: Seitenschleife erkannt (gleicher Cursor zweimal)")
            seen_cursors.add(page.cursor)
        pages += 1
        if pages > max_pages:
            raise PaginationError(f"{stream.name}: mehr als {max_pages} Seiten in einem Lauf – abgebrochen")
        if page.bookmark is not None and not stream.is_sorted:
            pending[(page.bookmark.stream, page.bookmark.partition)] = page.bookmark
        with engine.begin() as conn:
            _store_page(conn, ctx.channel.id, page, save=stream.is_sorted, result=result)
        items += len(page.items)
        result.pages += 1
        result.warnings.extend(page.warnings)
        if progress:
            progress(ProgressEvent(ctx.channel.id, stream.name, pages, items))
    if pending:
        with engine.begin() as conn:
            for bm in pending.values():
                save_bookmark(conn, bm)


def _store_page(conn: Connection, channel_id: str, page: Page, *, save: bool, result: ChannelResult) -> None:
    for it in page.items:
        if it.channel_id != channel_id:
            raise FatalError(f"Eintrag {it.external_id!r} gehört zu Kanal {it.channel_id!r}")
    counts = upsert_items(conn, page.items)
    result.new += counts.new
    result.updated += counts.updated
    if page.thread is not None:
        result.deleted += mark_thread_deleted(conn, channel_id, page.thread.root_external_id,
                                              page.thread.seen_external_ids)
    if page.gone:
        result.deleted += mark_deleted(conn, channel_id, page.gone)
    if save and page.bookmark is not None:
        save_bookmark(conn, page.bookmark)
