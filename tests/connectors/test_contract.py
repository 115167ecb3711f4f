"""The contract every connector passes against the replay server's truth (one run per replay platform).

Platforms join by registering a replay handler and adding ``fixtures/<platform>/world.json``; platforms
without comments (feeds) skip the comment checks explicitly.
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, func, select

from connectors.registry import connectors
from connectors.replay import Fault, ReplayServer, replay_for, replay_platforms
from connectors.replay.server import ChannelState
from connectors.sync import ChannelResult, ProgressEvent, sync_all, sync_channel
from store.channels import sync_channels
from store.config import ChannelConfig
from store.models import Item, ItemKind, ItemState
from store.schema import item, item_edit
from tests.connectors.conftest import FIXTURES, SleepRecorder, fast_client, load_world

PLATFORMS = sorted(replay_platforms())
Row = tuple[str, str, str | None, bool, str]  # kind, text, parent, is_own_account, state


REPLAY_TOKEN = "replay-token-4711"  # what worlds whose channel names a token_env get, and the server demands


@pytest.fixture(params=PLATFORMS)
def platform(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    cfg, _ = load_world(str(request.param))
    if cfg.token_env:
        monkeypatch.setenv(cfg.token_env, REPLAY_TOKEN)
    return str(request.param)


def _comments_or_skip(platform: str) -> None:
    if not replay_for(platform).has_comments:
        pytest.skip(f"{platform}: Plattform ohne Kommentare – Kommentar-Prüfungen entfallen")


def _world(server: ReplayServer, engine: Engine, platform: str, *, suffix: str = "",
           token: str | None = None, token_env: str | None = None) -> tuple[ChannelConfig, ChannelState]:
    cfg, items = load_world(platform)
    if suffix:
        cfg = cfg.model_copy(update={"id": cfg.id + suffix})
        items = [replace(i, channel_id=cfg.id) for i in items]
    if token_env:
        cfg = cfg.model_copy(update={"token_env": token_env})
    elif cfg.token_env and token is None:
        token = REPLAY_TOKEN
    state = server.add_channel(cfg, items, token=token)
    channel = server.channel_config(cfg.id)
    with engine.begin() as conn:
        sync_channels(conn, [*_known_channels(engine), channel])
    return channel, state


def _known_channels(engine: Engine) -> list[ChannelConfig]:
    from store.schema import channel as channel_table

    with engine.connect() as conn:
        rows = conn.execute(select(channel_table.c.id, channel_table.c.platform, channel_table.c.name)).all()
    return [ChannelConfig(id=r.id, platform=r.platform, name=r.name) for r in rows]


def _truth(state: ChannelState) -> dict[str, Row]:
    return {i.external_id: (str(i.kind), i.text, i.parent_external_id, i.is_own_account, str(i.state))
            for i in state.items.values()}


def _stored(engine: Engine, channel_id: str, *, include_deleted: bool = False) -> dict[str, Row]:
    with engine.connect() as conn:
        rows = conn.execute(select(item.c.external_id, item.c.kind, item.c.text, item.c.parent_external_id,
                                   item.c.is_own_account, item.c.state).where(item.c.channel_id == channel_id))
        return {r.external_id: (r.kind, r.text, r.parent_external_id, bool(r.is_own_account), r.state)
                for r in rows if include_deleted or r.state != ItemState.DELETED}


def _row_count(engine: Engine, channel_id: str) -> int:
    with engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(item).where(item.c.channel_id == channel_id))
                   .scalar_one())


def _sync(engine: Engine, channel: ChannelConfig, sleep: SleepRecorder | None = None, **kw: object) -> ChannelResult:
    with fast_client(sleep) as client:
        return sync_channel(engine, channel, client=client, **kw)  # type: ignore[arg-type]


def _comments(state: ChannelState) -> list[Item]:
    return sorted((i for i in state.items.values() if i.kind != ItemKind.POST and not i.is_own_account),
                  key=lambda i: (i.created_at, i.external_id))


# --- (1) and (2) ---------------------------------------------------------------------------------


def test_full_sync_equals_truth(server: ReplayServer, sqlite_engine: Engine, platform: str) -> None:
    channel, state = _world(server, sqlite_engine, platform)
    result = _sync(sqlite_engine, channel)
    assert result.error is None
    assert _stored(sqlite_engine, channel.id) == _truth(state)
    assert result.new == len(state.items) and result.updated == 0 and result.deleted == 0


def test_second_sync_changes_nothing(server: ReplayServer, sqlite_engine: Engine, platform: str) -> None:
    channel, state = _world(server, sqlite_engine, platform)
    assert _sync(sqlite_engine, channel).error is None
    before = len(server.requests_to(channel_id=channel.id))
    second = _sync(sqlite_engine, channel)
    assert (second.error, second.new, second.updated, second.deleted) == (None, 0, 0, 0)
    assert _stored(sqlite_engine, channel.id) == _truth(state)
    if not replay_for(platform).has_comments:  # feeds: the second fetch is conditional and answered 304
        again = server.requests_to(channel_id=channel.id)[before:]
        assert again and all(r.status == 304 for r in again)
        assert any("if-none-match" in r.headers or "if-modified-since" in r.headers for r in again)


# --- (3), (4), (5): comments ---------------------------------------------------------------------


def test_new_comment_on_old_post_is_found(server: ReplayServer, sqlite_engine: Engine, platform: str) -> None:
    _comments_or_skip(platform)
    channel, state = _world(server, sqlite_engine, platform)
    assert _sync(sqlite_engine, channel).error is None
    oldest = min(state.posts(), key=lambda p: p.created_at)
    assert oldest.created_at < datetime.now(UTC) - timedelta(days=2), "world needs a post older than two days"
    now = datetime.now(UTC).replace(microsecond=0)
    state.add(Item(channel.id, replay_for(platform).new_id(state, now), ItemKind.COMMENT, now,
                   "Gibt es schon einen neuen Termin für die Freigabe?", author_id="777123",
                   author_name="Grete Köhler", parent_external_id=oldest.external_id,
                   thread_root_external_id=oldest.external_id))
    result = _sync(sqlite_engine, channel)
    assert (result.error, result.new) == (None, 1)
    assert _stored(sqlite_engine, channel.id) == _truth(state)


def test_edited_comment_is_updated_with_history(server: ReplayServer, sqlite_engine: Engine, platform: str) -> None:
    _comments_or_skip(platform)
    channel, state = _world(server, sqlite_engine, platform)
    assert _sync(sqlite_engine, channel).error is None
    target = _comments(state)[0]
    old_text = target.text
    state.edit(target.external_id, old_text + " (bearbeitet: Danke für die schnelle Antwort!)")
    result = _sync(sqlite_engine, channel)
    assert (result.error, result.updated) == (None, 1)
    assert _stored(sqlite_engine, channel.id) == _truth(state)
    with sqlite_engine.connect() as conn:
        history = conn.execute(select(item_edit.c.previous_text).join(item, item.c.id == item_edit.c.item_id)
                               .where(item.c.external_id == target.external_id)).scalars().all()
    assert history == [old_text]


def test_deleted_comment_is_marked_deleted(server: ReplayServer, sqlite_engine: Engine, platform: str) -> None:
    _comments_or_skip(platform)
    channel, state = _world(server, sqlite_engine, platform)
    assert _sync(sqlite_engine, channel).error is None
    gone = state.remove(_comments(state)[-1].external_id)
    result = _sync(sqlite_engine, channel)
    assert (result.error, result.deleted) == (None, 1)
    everything = _stored(sqlite_engine, channel.id, include_deleted=True)
    assert everything[gone.external_id][4] == ItemState.DELETED
    assert _stored(sqlite_engine, channel.id) == _truth(state)


def test_deleted_post_is_marked_deleted(server: ReplayServer, sqlite_engine: Engine, platform: str) -> None:
    _comments_or_skip(platform)
    channel, state = _world(server, sqlite_engine, platform)
    assert _sync(sqlite_engine, channel).error is None
    before = _stored(sqlite_engine, channel.id, include_deleted=True)
    post = min((p for p in state.posts() if p.is_own_account), key=lambda p: p.created_at)
    assert post.created_at < datetime.now(UTC) - timedelta(days=2) and state.thread(post.external_id)
    state.remove(post.external_id)  # deleted upstream, its comments with it as far as anyone can read them
    result = _sync(sqlite_engine, channel)
    assert (result.error, result.new, result.updated, result.deleted) == (None, 0, 0, 1)
    kind, text, parent, own, _state = before[post.external_id]
    assert _stored(sqlite_engine, channel.id, include_deleted=True) == before | {
        post.external_id: (kind, text, parent, own, ItemState.DELETED)}  # nothing else changed
    asked = len(server.requests_to(channel_id=channel.id))
    again = _sync(sqlite_engine, channel)
    assert (again.error, again.new, again.updated, again.deleted) == (None, 0, 0, 0)
    later = server.requests_to(channel_id=channel.id)[asked:]
    assert later and not [r for r in later if post.external_id in r.path + str(r.query)]  # not asked for again


# --- (6) transient faults --------------------------------------------------------------------------

TRANSIENT = [
    pytest.param(dict(kind="status", status=429, retry_after="1"), id="429-retry-after"),
    pytest.param(dict(kind="status", status=500), id="500"),
    pytest.param(dict(kind="status", status=502), id="502"),
    pytest.param(dict(kind="status", status=503), id="503"),
    pytest.param(dict(kind="reset"), id="reset"),
    pytest.param(dict(kind="timeout", delay=1.2), id="timeout"),
]


@pytest.mark.parametrize("fault", TRANSIENT)
def test_transient_faults_are_retried(server: ReplayServer, sqlite_engine: Engine, platform: str,
                                      fault: dict[str, object]) -> None:
    channel, state = _world(server, sqlite_engine, platform)
    faults = [Fault(channel_id=channel.id, nth=n, **fault) for n in (1, 3)]  # type: ignore[arg-type]
    server.inject(*faults)  # the first request and one in the middle of the pagination
    slept = SleepRecorder()
    result = _sync(sqlite_engine, channel, slept)
    assert result.error is None
    assert _stored(sqlite_engine, channel.id) == _truth(state)
    assert faults[0].fired == 1 and len(slept) >= 1
    if fault.get("retry_after"):
        assert 1.0 in slept


# --- (7) token, (8) malformed ------------------------------------------------------------------------


def test_invalid_token_fails_only_that_channel(server: ReplayServer, sqlite_engine: Engine, platform: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETZPFLEGE_TEST_TOKEN", "abgelaufen-geheim-123")
    bad, _ = _world(server, sqlite_engine, platform, token="richtig", token_env="NETZPFLEGE_TEST_TOKEN")
    good, good_state = _world(server, sqlite_engine, platform, suffix="-2")
    results = sync_all(sqlite_engine, [bad, good], client_factory=lambda _ch: fast_client())
    assert [r.channel_id for r in results] == [bad.id, good.id]
    assert results[0].error and "Zugriff verweigert" in results[0].error
    assert "abgelaufen-geheim-123" not in results[0].error and "?" not in results[0].error
    assert results[1].error is None
    assert _stored(sqlite_engine, good.id) == _truth(good_state)


def test_malformed_body_is_an_error_and_stores_nothing(server: ReplayServer, sqlite_engine: Engine,
                                                       platform: str) -> None:
    channel, _ = _world(server, sqlite_engine, platform)
    server.inject(Fault("malformed", channel_id=channel.id, times=0))
    result = _sync(sqlite_engine, channel)
    assert result.error and ("JSON" in result.error or "Feed" in result.error or "Format" in result.error)
    assert _row_count(sqlite_engine, channel.id) == 0


# --- (9) killed between pages ----------------------------------------------------------------------


class Killed(BaseException):
    """Stands in for the process being killed (not an Exception: the runner must not swallow it)."""


@pytest.mark.parametrize("how", ["progress", "fault"])
def test_killed_between_pages_leaves_no_gap_or_duplicate(server: ReplayServer, sqlite_engine: Engine,
                                                         platform: str, how: str) -> None:
    channel, state = _world(server, sqlite_engine, platform)
    if how == "progress":
        def die(ev: ProgressEvent) -> None:
            raise Killed(ev.stream)

        with pytest.raises(Killed):
            _sync(sqlite_engine, channel, progress=die)
    else:
        nth = 2 if replay_for(platform).has_comments else 1  # a feed is a single page
        server.inject(Fault("auth", channel_id=channel.id, nth=nth, times=0))
        assert _sync(sqlite_engine, channel).error
        server.clear_faults()
    result = _sync(sqlite_engine, channel)
    assert result.error is None
    assert _stored(sqlite_engine, channel.id) == _truth(state)
    assert _row_count(sqlite_engine, channel.id) == len(state.items)


# --- PostgreSQL: one representative platform through a full cycle -----------------------------------


def test_mastodon_cycle_on_both_databases(server: ReplayServer, engine: Engine) -> None:
    channel, state = _world(server, engine, "mastodon")
    assert _sync(engine, channel).error is None
    comments = _comments(state)
    state.edit(comments[0].external_id, "Geändert: Gilt die Sperrung auch nachts?")
    state.remove(comments[-1].external_id)
    result = _sync(engine, channel)
    assert (result.error, result.updated, result.deleted) == (None, 1, 1)
    assert _stored(engine, channel.id) == _truth(state)


# --- registry: every built-in is documented, replayable and has fixtures ----------------------------


def test_every_registered_connector_is_documented_replayable_and_has_fixtures() -> None:
    registered: Sequence[str] = sorted(connectors())
    assert {"rss", "mastodon"} <= set(registered)
    for name, cls in connectors().items():
        module = importlib.import_module(cls.__module__)
        assert module.__doc__ and len(module.__doc__.strip()) > 40, f"{name}: module docstring missing"
        assert name in replay_platforms(), f"{name}: no replay handler in connectors/replay/{name}.py"
        assert (FIXTURES / name / "world.json").is_file(), f"{name}: fixtures/{name}/world.json missing"
