"""Channels in the database: mirrored from config/channels.yaml, plus each channel's last sync outcome."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime

from sqlalchemy import Connection, select, update

from store.config import ChannelConfig, ChecklistItem
from store.models import utcnow
from store.schema import channel, checklist_status
from store.upsert import upsert_row


def sync_channels(conn: Connection, channels: Iterable[ChannelConfig]) -> None:
    """Insert or update the configured channels; channels no longer configured are marked inactive."""
    ids = []
    for ch in channels:
        ids.append(ch.id)
        low, high = ch.posts_per_week or (None, None)
        upsert_row(
            conn,
            channel,
            {
                "id": ch.id,
                "platform": ch.platform,
                "name": ch.name,
                "handle": ch.handle,
                "base_url": ch.base_url,
                "posts_per_week_min": low,
                "posts_per_week_max": high,
                "settings": {"account_id": ch.account_id, "lookback_days": ch.lookback_days},
                "active": ch.active,
            },
            key=("id",),
        )
    conn.execute(update(channel).where(channel.c.id.not_in(ids)).values(active=False))


def seed_checklist(conn: Connection, channel_ids: Iterable[str], platforms: Mapping[str, str],
                   items: Iterable[ChecklistItem]) -> None:
    """Create an 'open' status row for every (channel, applicable checklist item) that has none yet."""
    items = list(items)
    existing = {tuple(r) for r in conn.execute(select(checklist_status.c.channel_id, checklist_status.c.check_id))}
    rows = [
        {"channel_id": cid, "check_id": it.id, "status": "open"}
        for cid in channel_ids
        for it in items
        if (not it.platforms or platforms[cid] in it.platforms) and (cid, it.id) not in existing
    ]
    if rows:
        conn.execute(checklist_status.insert(), rows)


def record_sync(conn: Connection, channel_id: str, *, error: str | None, counts: Mapping[str, int],
                at: datetime | None = None) -> None:
    """Store the outcome of one sync of a channel (shown on the dashboard's Kanäle page)."""
    at = at or utcnow()
    values: dict[str, object] = {"last_sync_at": at, "last_counts": dict(counts)}
    if error is None:
        values |= {"last_success_at": at, "last_error": None}
    else:
        values |= {"last_error": error, "last_error_at": at}
    conn.execute(update(channel).where(channel.c.id == channel_id).values(**values))
