"""Mastodon: status parsing, min_id paging on later syncs, the first sync's window, write-back, rate limits."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from connectors.errors import ConfigurationError, SourceFormatError
from connectors.mastodon import MastodonConnector, parse_status
from connectors.replay import ReplayServer
from connectors.replay.mastodon import new_id
from connectors.sync import sync_channel
from store.channels import sync_channels
from store.config import ChannelConfig
from store.models import Item, ItemKind
from store.schema import item
from tests.connectors.conftest import MASTODON_CHANNEL, SleepRecorder, fast_client, load_world

FIXTURES = Path(__file__).parent / "fixtures" / "mastodon"
CHANNEL = MASTODON_CHANNEL


def test_context_descendants_become_comments_and_replies() -> None:
    context = json.loads((FIXTURES / "context.json").read_text(encoding="utf-8"))
    comment, own, edited = (parse_status(s, CHANNEL, root_id="100000000000005000") for s in context["descendants"])
    assert (comment.kind, comment.parent_external_id, comment.thread_root_external_id) == (
        ItemKind.COMMENT, "100000000000005000", "100000000000005000")
    assert comment.text == ("@stadt Wo bekomme ich das Formular für den Anwohnerparkausweis?\n\n"
                            "Auf https://www.musterstadt.de/parken finde ich nichts.")
    assert comment.created_at == datetime(2026, 3, 2, 8, 15, 0, 123000, tzinfo=UTC)
    assert (comment.author_id, comment.author_name, comment.is_own_account) == ("555001", "Erika Müller", False)
    assert (comment.like_count, comment.reply_count) == (2, 1)
    assert (own.kind, own.parent_external_id, own.is_own_account) == (ItemKind.REPLY, "100000000000005010", True)
    assert own.text == "Das Formular gibt es im Bürgerbüro oder online unter Formulare > Parken."
    assert edited.text == "Kritik\n\nDas ist viel zu kompliziert."  # the content warning stays visible


@pytest.mark.parametrize("bad", [[], {"id": "1"}, {"id": "1", "account": {}, "created_at": "gestern"},
                                 {"id": "1", "account": {"id": "2"}, "created_at": "2026-03-02T08:15:00"}])
def test_malformed_statuses_are_source_format_errors(bad: object) -> None:
    with pytest.raises(SourceFormatError):
        parse_status(bad, CHANNEL)


def _setup(server: ReplayServer, engine: Engine) -> tuple[ChannelConfig, list[Item]]:
    cfg, items = load_world("mastodon")
    server.add_channel(cfg, items)
    channel = server.channel_config(cfg.id)
    with engine.begin() as conn:
        sync_channels(conn, [channel])
    return channel, items


def test_later_syncs_read_forward_with_min_id_never_since_id(server: ReplayServer, sqlite_engine: Engine) -> None:
    channel, _ = _setup(server, sqlite_engine)
    assert sync_channel(sqlite_engine, channel, client=fast_client()).error is None
    state = server.state(channel.id)
    now = datetime.now(UTC)
    fresh = [Item(channel.id, new_id(state, now + timedelta(seconds=n)), ItemKind.POST, now + timedelta(seconds=n),
                  f"Neuer Beitrag {n}", author_id=channel.account_id, is_own_account=True) for n in range(45)]
    for post in fresh:
        state.add(post)
    mark = len(server.requests)
    result = sync_channel(sqlite_engine, channel, client=fast_client())
    assert (result.error, result.new) == (None, 45)
    timeline = [r for r in server.requests[mark:] if r.path.endswith("/statuses")]
    assert all("since_id" not in r.query for r in timeline)
    assert all("min_id" in r.query for r in timeline) and len(timeline) == 3  # 40 + 5 + the empty end
    with sqlite_engine.connect() as conn:
        stored = set(conn.execute(select(item.c.external_id).where(item.c.kind == "post")).scalars())
    assert {p.external_id for p in fresh} <= stored


def test_first_sync_stops_at_the_window(server: ReplayServer, sqlite_engine: Engine) -> None:
    channel, items = _setup(server, sqlite_engine)
    state = server.state(channel.id)
    now = datetime.now(UTC)
    ancient = now - timedelta(days=90)
    state.add(Item(channel.id, new_id(state, ancient), ItemKind.POST, ancient, "Uralt", author_id=channel.account_id,
                   is_own_account=True))  # an id that sorts first although added last: place it by time
    result = sync_channel(sqlite_engine, channel, client=fast_client())
    assert result.error is None
    with sqlite_engine.connect() as conn:
        texts = set(conn.execute(select(item.c.text)).scalars())
    assert "Uralt" not in texts and len(texts) == len(items)
    result = sync_channel(sqlite_engine, channel, client=fast_client(), since=now - timedelta(days=100))
    assert result.error is None


def test_reply_and_delete_write_back(server: ReplayServer, monkeypatch: pytest.MonkeyPatch) -> None:
    cfg, items = load_world("mastodon")
    server.add_channel(cfg, items, token="schreibrecht")
    monkeypatch.setenv("NETZPFLEGE_MASTODON_TOKEN", "schreibrecht")
    channel = server.channel_config(cfg.id).model_copy(update={"token_env": "NETZPFLEGE_MASTODON_TOKEN"})
    connector = MastodonConnector(channel, fast_client())
    result = connector.reply("100000000000001030", "Die Baustelle ist für die Kanalsanierung nötig.")
    state = server.state(cfg.id)
    assert result.ok and result.platform_id in state.items
    created = state.items[result.platform_id]  # type: ignore[index]
    assert (created.parent_external_id, created.is_own_account) == ("100000000000001030", True)
    assert state.writes[-1].action == "reply"
    assert connector.delete(created.external_id).ok
    assert created.external_id not in state.items and state.writes[-1].action == "delete"


def test_write_back_without_token_is_a_configuration_error(server: ReplayServer) -> None:
    cfg, items = load_world("mastodon")
    server.add_channel(cfg, items)
    connector = MastodonConnector(server.channel_config(cfg.id), fast_client())
    with pytest.raises(ConfigurationError, match="Zugangsschlüssel"):
        connector.reply("100000000000001030", "Hallo")
    assert server.state(cfg.id).writes == []


def test_rate_limit_headers_pace_the_client(server: ReplayServer, sqlite_engine: Engine) -> None:
    channel, _ = _setup(server, sqlite_engine)
    state = server.state(channel.id)
    state.extra["ratelimit_remaining"] = 0
    state.extra["ratelimit_reset"] = datetime.now(UTC) + timedelta(seconds=30)
    slept = SleepRecorder()
    assert sync_channel(sqlite_engine, channel, client=fast_client(slept)).error is None
    assert slept and all(25 < s <= 30 for s in slept)  # waited for the window to reset before each next call


def test_missing_account_id_is_a_configuration_error(sqlite_engine: Engine) -> None:
    channel = CHANNEL.model_copy(update={"account_id": ""})
    with sqlite_engine.begin() as conn:
        sync_channels(conn, [channel])
    result = sync_channel(sqlite_engine, channel, client=fast_client())
    assert result.error and "account_id" in result.error
