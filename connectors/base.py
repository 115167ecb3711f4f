"""The connector shape (after Meltano SDK streams and dlt resources).

A :class:`Connector` for one channel offers ordered :class:`Stream` s (posts before comments). A stream's
``read`` yields :class:`Page` s; the sync runner writes each page's items and bookmark in one transaction,
so bookmarks only advance past what is stored. Write-back is declared as :class:`Capability` s.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import ClassVar, Protocol

from store.config import ChannelConfig
from store.models import Bookmark, Item


class Capability(StrEnum):
    REPLY = "reply"
    HIDE = "hide"
    DELETE = "delete"


@dataclass(slots=True)
class ThreadScan:
    """Every comment currently under ``root_external_id`` upstream; stored ones missing here were deleted."""

    root_external_id: str
    seen_external_ids: frozenset[str]


@dataclass(slots=True)
class Page:
    """One unit of work: items to upsert, the bookmark to save with them, an optional full-thread scan, and the
    external ids confirmed deleted upstream (``gone``: e.g. the platform answered NotFound for that very post)."""

    items: list[Item]
    bookmark: Bookmark | None = None
    thread: ThreadScan | None = None
    cursor: str | None = None  # what was requested for this page (URL path + cursor): the runner's loop guard
    warnings: list[str] = field(default_factory=list)  # German notes for the sync result (e.g. a bozo feed)
    gone: frozenset[str] = frozenset()  # never for transient errors or items merely missing from a listing


@dataclass(slots=True)
class StreamContext:
    """What a stream may know of the store and the run, supplied by the sync runner (no DB access in streams)."""

    channel: ChannelConfig
    now: datetime
    since: datetime | None  # the user's --since: do not fetch older than this where the API allows
    bookmarks: dict[tuple[str, str], Bookmark] = field(default_factory=dict)  # (stream, partition) -> bookmark
    recent_posts: Sequence[tuple[str, datetime]] = ()  # stored own posts inside the lookback window, newest first

    def bookmark(self, stream: str, partition: str = "") -> Bookmark | None:
        return self.bookmarks.get((stream, partition))


class Stream(Protocol):
    """A sequence of pages of one kind of object ("posts", "comments")."""

    name: ClassVar[str]
    is_sorted: ClassVar[bool]  # ascending order: safe to checkpoint per page

    def read(self, ctx: StreamContext) -> Iterator[Page]: ...


def newest_first_bounds(ctx: StreamContext, stream: str) -> tuple[datetime, datetime | None]:
    """For a newest-first posts stream: where to stop reading (``--since``, else the bookmark's newest post,
    else the lookback window) and the newest post time known so far."""
    mark = ctx.bookmark(stream)
    window = ctx.now - timedelta(days=ctx.channel.lookback_days)
    stop_at = ctx.since or (mark.newest_at if mark and mark.newest_at else window)
    return stop_at, mark.newest_at if mark else None


def newest_time(items: Iterable[Item], known: datetime | None = None) -> datetime | None:
    """The newest ``created_at`` among ``items`` and ``known`` (None when there is neither)."""
    times = [it.created_at for it in items]
    return max(times if known is None else [*times, known], default=None)


@dataclass(frozen=True, slots=True)
class WriteResult:
    """What the platform answered to a write-back (stored in the audit log)."""

    ok: bool
    platform_id: str | None = None  # e.g. the id of the reply created
    detail: str = ""
