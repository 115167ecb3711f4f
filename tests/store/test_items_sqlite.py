"""The SQLite shortcut of upsert_items stores exactly what SQLAlchemy Core stores; the store's connection settings."""

from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine

from store.channels import sync_channels
from store.config import ChannelConfig
from store.db import make_engine, migrate
from store.items import _plan, _write_core, sqlite_time, upsert_items
from store.models import Item, ItemKind, ItemState

NOW = datetime(2026, 11, 2, 9, 30, 0, 250000, tzinfo=UTC)


def _items(channel_id: str) -> list[Item]:
    created = [datetime(2026, 11, 1, 23, 59, 59, tzinfo=UTC),
               datetime(2026, 11, 2, 1, 30, tzinfo=ZoneInfo("Europe/Berlin")),
               datetime(2026, 11, 2, 7, 0, 0, 999999, tzinfo=timezone(timedelta(hours=-5)))]
    return [
        Item(channel_id, "1", ItemKind.POST, created[0], "Baustelle Hauptstraße", "town", "Stadt", True,
             url="https://musterstadt.de/1", like_count=3, raw={"id": "1", "emoji": "🚧", "nested": {"n": [1, None]}}),
        Item(channel_id, "2", ItemKind.COMMENT, created[1], "Wann ist sie fertig?\n\nDanke", "u1", "Erika Müller",
             parent_external_id="1", thread_root_external_id="1", reply_count=1, raw=None),
        Item(channel_id, "3", ItemKind.REPLY, created[2], "", "u2", "", parent_external_id="2",
             thread_root_external_id="1", share_count=2, state=ItemState.HIDDEN, raw={"big": 2**70, "x": "\ud800"}),
    ]


def _rows(path: Path) -> list[tuple[object, ...]]:
    """Every stored item column as text/number, ``raw`` decoded (its JSON text differs in spacing only)."""
    with sqlite3.connect(path) as db:
        db.row_factory = sqlite3.Row
        return [tuple(json.loads(row[k]) if k == "raw" else row[k] for k in row.keys())
                for row in db.execute("SELECT * FROM item ORDER BY external_id")]


def _fresh(path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    with engine.begin() as conn:
        sync_channels(conn, [ChannelConfig(id="c", platform="mastodon", name="Stadt")])
    return engine


def test_the_sqlite_rows_are_the_ones_sqlalchemy_core_writes(tmp_path: Path) -> None:
    fast, core = _fresh(tmp_path / "fast.db"), _fresh(tmp_path / "core.db")
    with fast.begin() as conn:
        upsert_items(conn, iter(_items("c")), now=NOW)  # any iterable, not only a list
    with core.begin() as conn:
        _write_core(conn, _plan({it.external_id: it for it in _items("c")}, {}), NOW)
    fast.dispose()
    core.dispose()
    stored = _rows(tmp_path / "fast.db")
    assert stored == _rows(tmp_path / "core.db")
    created_at = [r[9] for r in stored]
    assert created_at == ["2026-11-01 23:59:59.000000", "2026-11-02 00:30:00.000000", "2026-11-02 12:00:00.999999"]


def test_raw_is_stored_as_json_text_on_insert_and_on_edit(tmp_path: Path) -> None:
    engine = _fresh(tmp_path / "x.db")
    first = _items("c")[0]
    edited = Item("c", "1", ItemKind.POST, first.created_at, "Baustelle Hauptstraße: fertig", raw={"edit": "ä"})
    with engine.begin() as conn:
        upsert_items(conn, [first], now=NOW)
    with engine.begin() as conn:
        raw_before = conn.exec_driver_sql("SELECT typeof(raw), raw FROM item").one()
        assert upsert_items(conn, [edited], now=NOW).updated == 1
        raw_after = conn.exec_driver_sql("SELECT typeof(raw), raw FROM item").one()
    engine.dispose()
    assert (raw_before[0], json.loads(raw_before[1])) == ("text", first.raw)
    assert tuple(raw_after) == ("text", '{"edit":"ä"}')


def test_a_batch_of_several_channels_is_grouped_by_channel(engine: Engine) -> None:
    with engine.begin() as conn:
        sync_channels(conn, [ChannelConfig(id=c, platform="mastodon", name=c) for c in ("a", "b")])
        first = upsert_items(conn, [*_items("a"), *_items("b")[:2]], now=NOW)
        again = upsert_items(conn, [_items("b")[0], _items("a")[1], *_items("b")], now=NOW)
    assert (first.new, first.updated, first.unchanged) == (5, 0, 0)
    assert (again.new, again.updated, again.unchanged) == (1, 0, 3)  # b/1 twice in one call: counted once


def test_sqlite_time_wants_aware_times() -> None:
    assert sqlite_time(datetime(2026, 3, 29, 3, 0, tzinfo=ZoneInfo("Europe/Berlin"))) == "2026-03-29 01:00:00.000000"
    with pytest.raises(ValueError, match="naive"):
        sqlite_time(datetime(2026, 3, 29, 3, 0))


def test_every_connection_gets_the_store_settings(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}")
    with engine.connect() as conn:
        db = conn.connection.driver_connection
        assert isinstance(db, sqlite3.Connection)
        settings = [db.execute(f"PRAGMA {name}").fetchone()[0]
                    for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout", "wal_autocheckpoint",
                                 "journal_size_limit")]
    engine.dispose()
    # synchronous 1 = NORMAL (durable against a crash of the process): see store.db.sqlite_pragmas
    assert settings == ["wal", 1, 1, 10000, 10000, 64 * 1024 * 1024]
