"""Stream bookmarks: where each (channel, stream, partition) left off.

Save a bookmark in the same transaction as the page it covers, so it never runs ahead of what is stored.
"""

from __future__ import annotations

from sqlalchemy import Connection, RowMapping, select

from store.models import Bookmark, utcnow
from store.schema import bookmark
from store.upsert import upsert_row


def _from_row(row: RowMapping) -> Bookmark:
    return Bookmark(
        channel_id=row["channel_id"],
        stream=row["stream"],
        partition=row["partition"],
        cursor=row["cursor"],
        etag=row["etag"],
        last_modified=row["last_modified"],
        newest_at=row["newest_at"],
        extra=row["extra"] or {},
    )


def load_bookmark(conn: Connection, channel_id: str, stream: str, partition: str = "") -> Bookmark | None:
    """The stored bookmark, or None when the stream was never read."""
    row = conn.execute(
        select(bookmark).where(
            bookmark.c.channel_id == channel_id,
            bookmark.c.stream == stream,
            bookmark.c.partition == partition,
        )
    ).mappings().first()
    return None if row is None else _from_row(row)


def save_bookmark(conn: Connection, bm: Bookmark) -> None:
    """Insert or replace the bookmark (call inside the page's transaction)."""
    upsert_row(
        conn,
        bookmark,
        {
            "channel_id": bm.channel_id,
            "stream": bm.stream,
            "partition": bm.partition,
            "cursor": bm.cursor,
            "etag": bm.etag,
            "last_modified": bm.last_modified,
            "newest_at": bm.newest_at,
            "extra": bm.extra or None,
            "updated_at": utcnow(),
        },
        key=("channel_id", "stream", "partition"),
    )


def load_bookmarks(conn: Connection, channel_id: str) -> dict[tuple[str, str], Bookmark]:
    """Every stored bookmark of a channel by (stream, partition)."""
    rows = conn.execute(select(bookmark).where(bookmark.c.channel_id == channel_id)).mappings()
    return {(row["stream"], row["partition"]): _from_row(row) for row in rows}
