"""Idempotent upserts, edit history and deletion marks — on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select

from store.bookmarks import load_bookmark, save_bookmark
from store.channels import record_sync, sync_channels
from store.config import ChannelConfig
from store.items import mark_deleted, upsert_items
from store.models import Bookmark, Item, ItemKind
from store.schema import channel, item, item_edit

T0 = datetime(2026, 11, 2, 9, 30, tzinfo=UTC)


def _setup(engine: Engine) -> None:
    with engine.begin() as conn:
        sync_channels(conn, [ChannelConfig(id="fb", platform="facebook", name="Facebook")])


def _comment(ext: str, text: str, minutes: int = 0) -> Item:
    return Item("fb", ext, ItemKind.COMMENT, T0 + timedelta(minutes=minutes), text,
                author_id="u1", author_name="Erika Mustermann", parent_external_id="p1",
                thread_root_external_id="p1", like_count=minutes)


def test_upsert_is_idempotent(engine: Engine) -> None:
    _setup(engine)
    items = [_comment(str(i), f"Wann öffnet das Freibad? #{i}", i) for i in range(1200)]
    with engine.begin() as conn:
        first = upsert_items(conn, items)
    with engine.begin() as conn:
        second = upsert_items(conn, items)
        count = conn.execute(select(func.count()).select_from(item)).scalar_one()
    assert (first.new, first.updated, first.unchanged) == (1200, 0, 0)
    assert (second.new, second.updated, second.unchanged) == (0, 0, 1200)
    assert count == 1200


def test_edit_keeps_history_and_times_are_utc(engine: Engine) -> None:
    _setup(engine)
    with engine.begin() as conn:
        upsert_items(conn, [_comment("c1", "Die Ampel ist kaputt")])
    with engine.begin() as conn:
        result = upsert_items(conn, [_comment("c1", "Die Ampel an der Hauptstraße ist kaputt")])
    assert result.updated == 1
    with engine.connect() as conn:
        row = conn.execute(select(item.c.id, item.c.text, item.c.created_at)).one()
        history = conn.execute(select(item_edit.c.previous_text).where(item_edit.c.item_id == row.id)).all()
    assert row.text == "Die Ampel an der Hauptstraße ist kaputt"
    assert row.created_at == T0 and row.created_at.tzinfo is not None
    assert [h.previous_text for h in history] == ["Die Ampel ist kaputt"]


def test_mark_deleted_keeps_the_row(engine: Engine) -> None:
    _setup(engine)
    with engine.begin() as conn:
        upsert_items(conn, [_comment("c1", "Hallo"), _comment("c2", "Tschüss")])
        assert mark_deleted(conn, "fb", ["c2", "unknown"]) == 1
        assert mark_deleted(conn, "fb", ["c2"]) == 0  # idempotent
    with engine.connect() as conn:
        states = dict(conn.execute(select(item.c.external_id, item.c.state)).all())
    assert states == {"c1": "visible", "c2": "deleted"}


def test_bookmark_roundtrip_and_rollback(engine: Engine) -> None:
    _setup(engine)
    bm = Bookmark("fb", "comments", "p1", cursor="abc", newest_at=T0, extra={"page": 2})
    with engine.begin() as conn:
        save_bookmark(conn, bm)
    try:
        with engine.begin() as conn:  # a page that fails after its bookmark: both roll back
            save_bookmark(conn, Bookmark("fb", "comments", "p1", cursor="def"))
            upsert_items(conn, [_comment("c9", "x")])
            raise RuntimeError("crash between pages")
    except RuntimeError:
        pass
    with engine.connect() as conn:
        loaded = load_bookmark(conn, "fb", "comments", "p1")
        assert conn.execute(select(func.count()).select_from(item)).scalar_one() == 0
    assert loaded == bm


def test_record_sync(engine: Engine) -> None:
    _setup(engine)
    with engine.begin() as conn:
        record_sync(conn, "fb", error=None, counts={"new": 3})
        record_sync(conn, "fb", error="Token abgelaufen", counts={"new": 0})
    with engine.connect() as conn:
        row = conn.execute(select(channel)).mappings().one()
    assert row["last_error"] == "Token abgelaufen" and row["last_success_at"] is not None
    assert row["last_counts"] == {"new": 0}
