"""The sync runner: page transactions, bookmarks of sorted vs unsorted streams, guards, isolation of channels."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import ClassVar

import pytest
from sqlalchemy import Engine, select

from connectors import registry
from connectors.base import Page, Stream, StreamContext, ThreadScan
from connectors.errors import AuthError
from connectors.registry import Connector
from connectors.sync import ProgressEvent, sync_all, sync_channel
from store.bookmarks import load_bookmark
from store.channels import sync_channels
from store.config import ChannelConfig
from store.models import Bookmark, Item, ItemKind
from store.schema import channel as channel_table
from store.schema import item, item_edit

T0 = datetime.now(UTC).replace(microsecond=0) - timedelta(days=1)
SCRIPT: dict[str, list[Page] | Exception] = {}  # channel id -> pages its fake stream yields (or the error)
SEEN_CONTEXTS: list[StreamContext] = []


def _post(cid: str, n: int) -> Item:
    return Item(cid, f"p{n}", ItemKind.POST, T0 + timedelta(minutes=n), f"Beitrag {n}", is_own_account=True)


def _comment(cid: str, n: int, root: str = "p1") -> Item:
    return Item(cid, f"c{n}", ItemKind.COMMENT, T0 + timedelta(minutes=30 + n), f"Kommentar {n}",
                parent_external_id=root, thread_root_external_id=root)


class ScriptedStream:
    name: ClassVar[str] = "posts"
    is_sorted: ClassVar[bool] = True

    def __init__(self, channel: ChannelConfig) -> None:
        self.channel = channel

    def read(self, ctx: StreamContext) -> Iterator[Page]:
        SEEN_CONTEXTS.append(ctx)
        script = SCRIPT[self.channel.id]
        if isinstance(script, Exception):
            raise script
        yield from script


class UnsortedStream(ScriptedStream):
    is_sorted: ClassVar[bool] = False


class FakeConnector(Connector):
    platform: ClassVar[str] = "export"

    def streams(self) -> list[Stream]:
        cls = UnsortedStream if self.channel.options.get("unsorted") else ScriptedStream
        return [cls(self.channel)]


@pytest.fixture(autouse=True)
def fake_platform(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    registry.connectors()  # load the built-ins first, so they cannot overwrite the fake
    monkeypatch.setitem(registry._REGISTRY, "export", FakeConnector)
    SCRIPT.clear()
    SEEN_CONTEXTS.clear()
    yield


def _channels(engine: Engine, *ids: str, **options: object) -> list[ChannelConfig]:
    chans = [ChannelConfig(id=i, platform="export", name=i, options=dict(options)) for i in ids]
    with engine.begin() as conn:
        sync_channels(conn, chans)
    return chans


def _stored(engine: Engine, cid: str) -> dict[str, str]:
    with engine.connect() as conn:
        return dict(conn.execute(select(item.c.external_id, item.c.state).where(item.c.channel_id == cid)).all())


def test_pages_and_bookmarks_are_stored_and_progress_reported(sqlite_engine: Engine) -> None:
    (ch,) = _channels(sqlite_engine, "a")
    SCRIPT["a"] = [Page([_post("a", 1)], Bookmark("a", "posts", cursor="1"), cursor="1"),
                   Page([_post("a", 2)], Bookmark("a", "posts", cursor="2"), cursor="2")]
    events: list[ProgressEvent] = []
    result = sync_channel(sqlite_engine, ch, progress=events.append)
    assert (result.error, result.new, result.pages) == (None, 2, 2)
    assert [(e.stream, e.pages, e.items) for e in events] == [("posts", 1, 1), ("posts", 2, 2)]
    with sqlite_engine.connect() as conn:
        bm = load_bookmark(conn, "a", "posts")
        row = conn.execute(select(channel_table).where(channel_table.c.id == "a")).mappings().one()
    assert bm is not None and bm.cursor == "2"
    assert row["last_error"] is None and row["last_success_at"] is not None and row["last_counts"]["new"] == 2


def test_unsorted_stream_saves_its_bookmark_only_at_the_end(sqlite_engine: Engine) -> None:
    (ch,) = _channels(sqlite_engine, "u", unsorted=True)
    SCRIPT["u"] = [Page([_post("u", 1)], Bookmark("u", "posts", cursor="9"), cursor="x")]

    def die(_ev: ProgressEvent) -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        sync_channel(sqlite_engine, ch, progress=die)
    with sqlite_engine.connect() as conn:
        assert load_bookmark(conn, "u", "posts") is None  # killed mid-stream: no bookmark ran ahead
    assert _stored(sqlite_engine, "u") == {"p1": "visible"}  # but the page itself was committed
    assert sync_channel(sqlite_engine, ch).error is None
    with sqlite_engine.connect() as conn:
        bm = load_bookmark(conn, "u", "posts")
    assert bm is not None and bm.cursor == "9"


def test_thread_scan_marks_missing_comments_deleted(sqlite_engine: Engine) -> None:
    (ch,) = _channels(sqlite_engine, "t")
    SCRIPT["t"] = [Page([_post("t", 1), _comment("t", 1), _comment("t", 2), _comment("t", 3, root="p9")])]
    sync_channel(sqlite_engine, ch)
    SCRIPT["t"] = [Page([_comment("t", 1)], thread=ThreadScan("p1", frozenset({"c1"})))]
    result = sync_channel(sqlite_engine, ch)
    assert result.deleted == 1
    assert _stored(sqlite_engine, "t") == {"p1": "visible", "c1": "visible", "c2": "deleted", "c3": "visible"}


def test_gone_posts_are_marked_deleted_with_history_and_nothing_else(sqlite_engine: Engine) -> None:
    (ch,) = _channels(sqlite_engine, "g")
    SCRIPT["g"] = [Page([_post("g", 1), _post("g", 2), _comment("g", 1)])]
    sync_channel(sqlite_engine, ch)
    SCRIPT["g"] = [Page([], gone=frozenset({"p1", "never-stored"})), Page([], gone=frozenset({"p1"}))]
    result = sync_channel(sqlite_engine, ch)
    assert (result.error, result.new, result.updated, result.deleted) == (None, 0, 0, 1)  # unknown ids: ignored
    assert _stored(sqlite_engine, "g") == {"p1": "deleted", "p2": "visible", "c1": "visible"}
    with sqlite_engine.connect() as conn:
        history = conn.execute(select(item_edit.c.previous_state).join(item, item.c.id == item_edit.c.item_id)
                               .where(item.c.external_id == "p1")).scalars().all()
    assert history == ["visible"]


def test_a_cursor_seen_twice_is_a_loop(sqlite_engine: Engine) -> None:
    (ch,) = _channels(sqlite_engine, "l")
    SCRIPT["l"] = [Page([_post("l", 1)], cursor="abc"), Page([_post("l", 2)], cursor="abc")]
    result = sync_channel(sqlite_engine, ch)
    assert result.error and "Seitenschleife" in result.error
    assert _stored(sqlite_engine, "l") == {"p1": "visible"}


def test_too_many_pages_stop_the_run(sqlite_engine: Engine) -> None:
    (ch,) = _channels(sqlite_engine, "m", max_pages=3)
    SCRIPT["m"] = [Page([_post("m", n)], cursor=str(n)) for n in range(10)]
    result = sync_channel(sqlite_engine, ch)
    assert result.error and "mehr als 3 Seiten" in result.error
    assert len(_stored(sqlite_engine, "m")) == 3


def test_a_failing_channel_does_not_stop_the_others(sqlite_engine: Engine) -> None:
    chans = _channels(sqlite_engine, "bad", "boom", "good")
    SCRIPT["bad"] = AuthError("Zugriff verweigert – Zugangsschlüssel prüfen")
    SCRIPT["boom"] = ValueError("kaputt")
    SCRIPT["good"] = [Page([_post("good", 1)])]
    results = sync_all(sqlite_engine, chans)
    assert [(r.channel_id, r.error is None) for r in results] == [("bad", False), ("boom", False), ("good", True)]
    assert results[0].error == "Zugriff verweigert – Zugangsschlüssel prüfen"
    assert results[1].error is not None and results[1].error.startswith("Unerwarteter Fehler (ValueError)")
    with sqlite_engine.connect() as conn:
        errors = dict(conn.execute(select(channel_table.c.id, channel_table.c.last_error)).all())
    assert errors["bad"] and errors["boom"] and errors["good"] is None


def test_items_of_another_channel_are_refused(sqlite_engine: Engine) -> None:
    (ch,) = _channels(sqlite_engine, "x", "y")[:1]
    SCRIPT["x"] = [Page([_post("y", 1)])]
    assert "gehört zu Kanal" in (sync_channel(sqlite_engine, ch).error or "")
    assert _stored(sqlite_engine, "y") == {}


def test_context_carries_bookmarks_and_recent_own_posts(sqlite_engine: Engine) -> None:
    (ch,) = _channels(sqlite_engine, "c")
    old = Item("c", "old", ItemKind.POST, T0 - timedelta(days=30), "alt", is_own_account=True)
    SCRIPT["c"] = [Page([_post("c", 1), _post("c", 2), old], Bookmark("c", "posts", cursor="k"))]
    sync_channel(sqlite_engine, ch)
    sync_channel(sqlite_engine, ch)
    ctx = SEEN_CONTEXTS[-1]
    assert [ext for ext, _ in ctx.recent_posts] == ["p2", "p1"]  # newest first, inside lookback_days
    assert ctx.bookmark("posts") is not None and ctx.bookmark("posts").cursor == "k"  # type: ignore[union-attr]
    sync_channel(sqlite_engine, ch, since=T0 - timedelta(days=40))
    assert [ext for ext, _ in SEEN_CONTEXTS[-1].recent_posts] == ["p2", "p1", "old"]


def test_unknown_channel_row_is_a_clear_error(sqlite_engine: Engine) -> None:
    ch = ChannelConfig(id="neu", platform="export", name="neu")
    result = sync_channel(sqlite_engine, ch)
    assert result.error is not None and "nicht in der Datenbank" in result.error
