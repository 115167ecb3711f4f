"""Idempotent writes of items: insert new ones, update edited ones (keeping history), mark deletions.

One page of a stream is written with :func:`upsert_items` inside the same transaction as its
bookmark (:func:`store.bookmarks.save_bookmark`), so a crash between pages leaves no gap and no
duplicate. An edited item loses its triage row, which queues it for triage again.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Connection, bindparam, delete, select, update

from store.models import Item, ItemKind, ItemState, content_digest, utcnow
from store.schema import item, item_edit, triage

_CHUNK = 500  # keeps IN lists below every database's parameter limit


@dataclass(slots=True)
class UpsertResult:
    new: int = 0
    updated: int = 0
    unchanged: int = 0

    def __iadd__(self, other: UpsertResult) -> UpsertResult:
        self.new += other.new
        self.updated += other.updated
        self.unchanged += other.unchanged
        return self


def _row(it: Item, digest: str, now: datetime) -> dict[str, object]:
    return {
        "channel_id": it.channel_id,
        "external_id": it.external_id,
        "kind": str(it.kind),
        "parent_external_id": it.parent_external_id,
        "thread_root_external_id": it.thread_root_external_id,
        "author_id": it.author_id,
        "author_name": it.author_name,
        "is_own_account": it.is_own_account,
        "created_at": it.created_at,
        "text": it.text,
        "url": it.url,
        "like_count": it.like_count,
        "reply_count": it.reply_count,
        "share_count": it.share_count,
        "state": str(it.state),
        "content_hash": digest,
        "raw": it.raw,
        "first_seen": now,
        "last_seen": now,
    }


_select_existing = select(item.c.external_id, item.c.id, item.c.content_hash, item.c.text, item.c.state).where(
    item.c.channel_id == bindparam("channel_id"), item.c.external_id.in_(bindparam("keys", expanding=True))
)


def _existing(conn: Connection, channel_id: str, keys: Sequence[str]) -> dict[str, tuple[int, str, str, str]]:
    found: dict[str, tuple[int, str, str, str]] = {}
    for start in range(0, len(keys), _CHUNK):
        rows = conn.execute(_select_existing, {"channel_id": channel_id, "keys": list(keys[start : start + _CHUNK])})
        for ext, id_, digest, text, state in rows:
            found[ext] = (id_, digest, text, state)
    return found


_INSERT_COLUMNS = (
    "channel_id", "external_id", "kind", "parent_external_id", "thread_root_external_id", "author_id",
    "author_name", "is_own_account", "created_at", "text", "url", "like_count", "reply_count", "share_count",
    "state", "content_hash", "raw", "first_seen", "last_seen",
)
_SQLITE_INSERT = (  # constant column names; every value is bound
    f"INSERT INTO item ({', '.join(_INSERT_COLUMNS)}) VALUES ({', '.join('?' * len(_INSERT_COLUMNS))})"  # noqa: S608
)


def _sqlite_time(value: datetime) -> str:
    """What ``UTCDateTime`` + SQLAlchemy's SQLite DATETIME store: naive UTC with microseconds."""
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def _insert(conn: Connection, new: list[tuple[Item, str]], now: datetime) -> None:
    """Insert new items (with their content digests); on SQLite straight through the driver (SQLAlchemy's
    per-row type processing costs more than the insert itself), elsewhere through SQLAlchemy Core."""
    if conn.dialect.name != "sqlite":
        conn.execute(item.insert(), [_row(it, digest, now) for it, digest in new])
        return
    seen = _sqlite_time(now)
    conn.exec_driver_sql(_SQLITE_INSERT, [
        (it.channel_id, it.external_id, str(it.kind), it.parent_external_id, it.thread_root_external_id,
         it.author_id, it.author_name, it.is_own_account, _sqlite_time(it.created_at), it.text, it.url,
         it.like_count, it.reply_count, it.share_count, str(it.state), digest, json.dumps(it.raw), seen, seen)
        for it, digest in new
    ])


_update_changed = (
    update(item)
    .where(item.c.id == bindparam("_id"))
    .values(
        text=bindparam("text"),
        state=bindparam("state"),
        content_hash=bindparam("content_hash"),
        like_count=bindparam("like_count"),
        reply_count=bindparam("reply_count"),
        share_count=bindparam("share_count"),
        raw=bindparam("raw"),
        last_seen=bindparam("last_seen"),
    )
)
_update_seen = (
    update(item)
    .where(item.c.id == bindparam("_id"))
    .values(
        like_count=bindparam("like_count"),
        reply_count=bindparam("reply_count"),
        share_count=bindparam("share_count"),
        last_seen=bindparam("last_seen"),
    )
)


def upsert_items(conn: Connection, items: Iterable[Item], *, now: datetime | None = None) -> UpsertResult:
    """Write ``items`` idempotently by their natural key (channel_id, external_id).

    New items are inserted; items whose text or state changed are updated and their previous
    version goes to ``item_edit``; the rest only get fresh counts and ``last_seen``. Within one
    call a later duplicate of the same key wins.
    """
    now = now or utcnow()
    by_channel: dict[str, dict[str, Item]] = {}
    for it in items:
        by_channel.setdefault(it.channel_id, {})[it.external_id] = it
    result = UpsertResult()
    for channel_id, batch in by_channel.items():
        existing = _existing(conn, channel_id, list(batch))
        new: list[tuple[Item, str]] = []
        changes, edits, seen = [], [], []
        for ext, it in batch.items():
            digest = it.content_hash()
            old = existing.get(ext)
            if old is None:
                new.append((it, digest))
                continue
            id_, old_digest, old_text, old_state = old
            counts = {"_id": id_, "like_count": it.like_count, "reply_count": it.reply_count,
                      "share_count": it.share_count, "last_seen": now}
            if old_digest == digest:
                seen.append(counts)
            else:
                edits.append({"item_id": id_, "seen_at": now, "previous_text": old_text,
                              "previous_state": old_state})
                changes.append(counts | {"text": it.text, "state": str(it.state),
                                         "content_hash": digest, "raw": it.raw})
        if new:
            _insert(conn, new, now)
        if changes:
            conn.execute(item_edit.insert(), edits)
            conn.execute(_update_changed, changes)
            ids = [c["_id"] for c in changes]
            conn.execute(delete(triage).where(triage.c.item_id.in_(ids)))
        if seen:
            conn.execute(_update_seen, seen)
        result += UpsertResult(len(new), len(changes), len(seen))
    return result


def mark_deleted(
    conn: Connection, channel_id: str, external_ids: Iterable[str], *, now: datetime | None = None
) -> int:
    """Mark items gone upstream as deleted, keeping them and their history. Returns how many changed."""
    now = now or utcnow()
    gone = [
        (id_, text, state)
        for id_, _digest, text, state in _existing(conn, channel_id, list(external_ids)).values()
        if state != ItemState.DELETED
    ]
    if gone:
        conn.execute(item_edit.insert(), [
            {"item_id": id_, "seen_at": now, "previous_text": text, "previous_state": state}
            for id_, text, state in gone
        ])
        conn.execute(
            update(item).where(item.c.id == bindparam("_id")).values(
                state=ItemState.DELETED.value, content_hash=bindparam("content_hash"), last_seen=now
            ),
            [{"_id": id_, "content_hash": content_digest(text, ItemState.DELETED)} for id_, text, _s in gone],
        )
    return len(gone)


def recent_own_posts(conn: Connection, channel_id: str, since: datetime) -> list[tuple[str, datetime]]:
    """External ids and creation times of the channel's own posts created at or after ``since``, newest first."""
    rows = conn.execute(
        select(item.c.external_id, item.c.created_at)
        .where(item.c.channel_id == channel_id, item.c.kind == ItemKind.POST.value,
               item.c.is_own_account.is_(True), item.c.state != ItemState.DELETED.value, item.c.created_at >= since)
        .order_by(item.c.created_at.desc(), item.c.external_id.desc())
    )
    return [(ext, created) for ext, created in rows]


def mark_thread_deleted(conn: Connection, channel_id: str, root_external_id: str, seen: Iterable[str],
                        *, now: datetime | None = None) -> int:
    """Mark every stored comment/reply under ``root_external_id`` that is not in ``seen`` as deleted."""
    stored = conn.execute(
        select(item.c.external_id).where(
            item.c.channel_id == channel_id, item.c.thread_root_external_id == root_external_id,
            item.c.kind != ItemKind.POST.value, item.c.state != ItemState.DELETED.value,
        )
    ).scalars()
    keep = set(seen)
    return mark_deleted(conn, channel_id, [ext for ext in stored if ext not in keep], now=now)
