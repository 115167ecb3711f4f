"""Instagram connector: parsing Graph API JSON (media, comments, one level of replies) into items."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, Row

from connectors import errors, graph, graph_errors, instagram
from connectors.base import WriteResult
from connectors.registry import connector_for
from connectors.replay import Fault, ReplayServer
from connectors.sync import ChannelResult, sync_channel
from store.channels import sync_channels
from store.config import ChannelConfig
from store.models import Item
from tests.connectors.conftest import fast_client, load_world, observed, stored_rows

FIXTURES = Path(__file__).parent / "fixtures" / "instagram"
CHANNEL = "instagram"
ACCOUNT_ID = "17841400000000001"
OWN = graph.own_account(ACCOUNT_ID, [], ["stadt.musterstadt"])


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def test_media_match_expectations() -> None:
    items = [*instagram.parse_media_page(load("media_p1.json"), CHANNEL, ACCOUNT_ID),
             *instagram.parse_media_page(load("media_p2.json"), CHANNEL, ACCOUNT_ID)]
    expected = load("media_expected.json")["items"]
    assert [observed(it, exp) for it, exp in zip(items, expected, strict=True)] == expected


def test_comments_and_expanded_replies_match_expectations() -> None:
    spec = load("comments_expected.json")
    nodes = graph.data_of(load("comments_p1.json")) + graph.data_of(load("comments_p2.json"))
    items = instagram.parse_comment_nodes(nodes, CHANNEL, spec["media_id"], OWN)
    assert [observed(it, exp) for it, exp in zip(items, spec["items"], strict=True)] == spec["items"]
    assert all(it.raw is not None and "replies" not in it.raw for it in items)


def test_expanded_replies_report_whether_more_pages_exist() -> None:
    first, second, third = graph.data_of(load("comments_p1.json"))
    assert [len(instagram.expanded_replies(n)[0]) for n in (first, second, third)] == [1, 1, 0]
    assert [instagram.expanded_replies(n)[1] for n in (first, second, third)] == [False, True, False]


def test_replies_endpoint_nodes_become_replies_of_the_given_comment() -> None:
    nodes = graph.data_of(load("replies_17860000000000002.json"))
    items = instagram.parse_comment_nodes(nodes, CHANNEL, "17900000000000003", OWN, "17860000000000002")
    assert [(str(it.kind), it.parent_external_id) for it in items] == [("reply", "17860000000000002")] * 2
    # the town's answer carries no 'from', only the username: still recognised as own
    assert [it.is_own_account for it in items] == [False, True]


@pytest.mark.parametrize(("node", "own"), [
    ({"from": {"id": ACCOUNT_ID, "username": "umbenannt"}}, True),
    ({"username": "Stadt.Musterstadt"}, True),
    ({"from": {"id": "17841455500000001", "username": "lena"}, "username": "lena"}, False),
    ({}, False),
])
def test_own_account_by_id_or_username(node: dict[str, Any], own: bool) -> None:
    node = {"id": "1786", "timestamp": "2026-03-06T08:10:00+0000", "text": "x", **node}
    assert instagram.parse_comment(node, CHANNEL, "m", OWN).is_own_account is own


def test_comment_without_any_author_is_unknown() -> None:
    node = {"id": "1786", "timestamp": "2026-03-06T08:10:00+0000", "text": "Danke, Stadt Musterstadt!"}
    item = instagram.parse_comment(node, CHANNEL, "m", OWN)
    assert (item.author_id, item.author_name, item.is_own_account) == ("", "", False)


def test_hundred_kilobyte_caption_and_emoji_are_kept() -> None:
    caption = ("Stadtfest 🎡🎉 am Rathausplatz – " * 4000)[:100_000]
    node = {"id": "179", "timestamp": "2026-03-06T08:10:00+0000", "caption": caption}
    assert instagram.parse_media(node, CHANNEL, ACCOUNT_ID).text == caption


def test_malformed_comment_is_skipped_with_its_replies() -> None:
    reply = {"id": "2", "timestamp": "2026-03-06T08:10:00+0000"}
    nodes: list[dict[str, Any]] = [{"id": "1", "text": "ohne Zeit", "replies": {"data": [reply]}},
             {"id": "3", "timestamp": "2026-03-06T08:10:00+0000"}]
    assert [it.external_id for it in instagram.parse_comment_nodes(nodes, CHANNEL, "m", OWN)] == ["3"]


@given(st.text(max_size=300))
def test_any_text_survives_verbatim(text: str) -> None:
    node = {"id": "1786", "timestamp": "2026-03-06T08:10:00+0000", "text": text}
    assert instagram.parse_comment(node, CHANNEL, "m", OWN).text == text


def test_token_error_maps_to_auth_error() -> None:
    err = graph_errors.graph_error(400, (FIXTURES / "error_token_expired.json").read_bytes())
    assert isinstance(err, errors.AuthError) and "Zugriffstoken abgelaufen oder ungültig" in err.message


# --- against the replay server ----------------------------------------------------------------------

TOKEN = "IGQV-geheim-replay"
FIELDS = ("kind", "text", "author_id", "author_name", "is_own_account", "parent_external_id",
          "thread_root_external_id", "like_count", "reply_count", "state")


@dataclass
class Replay:
    server: ReplayServer
    channel: ChannelConfig
    truth: list[Item]
    engine: Engine

    def sync(self) -> ChannelResult:
        return sync_channel(self.engine, self.channel, client=fast_client())

    def stored(self) -> dict[str, Row[Any]]:
        return stored_rows(self.engine, self.channel.id)


@pytest.fixture
def replay(sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Replay]:
    monkeypatch.setenv("NETZPFLEGE_TEST_IG_TOKEN", TOKEN)
    config, truth = load_world("instagram")
    config = config.model_copy(update={"token_env": "NETZPFLEGE_TEST_IG_TOKEN"})
    with ReplayServer() as server:
        server.add_channel(config, truth, token=TOKEN)
        channel = server.channel_config(config.id)
        with sqlite_engine.begin() as conn:
            sync_channels(conn, [channel])
        yield Replay(server, channel, truth, sqlite_engine)


@pytest.mark.parametrize("expanded", [25, 1])
def test_sync_reproduces_the_world_with_or_without_paged_replies(replay: Replay, expanded: int) -> None:
    replay.server.state(replay.channel.id).extra["ig_expanded_replies"] = expanded
    result = replay.sync()
    assert result.error is None and result.new == len(replay.truth)
    stored = replay.stored()
    assert sorted(stored) == sorted(it.external_id for it in replay.truth)
    for it in replay.truth:
        want = {f: str(getattr(it, f)) if f in ("kind", "state") else getattr(it, f) for f in FIELDS}
        assert {f: getattr(stored[it.external_id], f) for f in FIELDS} == want, it.external_id
    # the /replies fallback is used exactly when the expansion was cut short
    assert len(replay.server.requests_to("/17860000000000201/replies")) == (1 if expanded == 1 else 0)
    second = replay.sync()
    assert (second.error, second.new, second.updated, second.deleted) == (None, 0, 0, 0)


def test_write_back_and_resync(replay: Replay) -> None:
    assert replay.sync().error is None
    ig = connector_for(replay.channel, fast_client())
    # answering a reply lands under its top-level comment, as Instagram does
    answered = ig.reply("17870000000000201", "Wir freuen uns auf euch! Treffpunkt Nord: Lindenallee.")
    assert answered.ok and answered.platform_id
    assert ig.hide("17860000000000203") == WriteResult(ok=True)
    assert ig.delete("17860000000000205") == WriteResult(ok=True)
    writes = replay.server.state(replay.channel.id).writes
    assert [(w.action, w.external_id) for w in writes] == [
        ("reply", "17870000000000201"), ("hide", "17860000000000203"), ("delete", "17860000000000205")]

    result = replay.sync()
    assert (result.error, result.new, result.deleted) == (None, 1, 1)
    stored = replay.stored()
    reply = stored[answered.platform_id]
    assert (reply.kind, reply.is_own_account, reply.parent_external_id, reply.author_name) == (
        "reply", True, "17860000000000201", "stadt.musterstadt")
    assert stored["17860000000000203"].state == "hidden"
    assert stored["17860000000000205"].state == "deleted"
    assert stored["17860000000000201"].reply_count == 3


def test_replying_to_a_hidden_comment_is_refused(replay: Replay) -> None:
    ig = connector_for(replay.channel, fast_client())
    ig.hide("17860000000000203")
    with pytest.raises(errors.FatalError, match="Graph-API-Fehler 100"):
        ig.reply("17860000000000203", "Danke für den Hinweis!")


def test_expired_token_stops_only_this_channel(replay: Replay) -> None:
    replay.server.inject(Fault("auth", path="/comments"))
    result = replay.sync()
    assert result.error is not None and "Zugriffstoken abgelaufen oder ungültig" in result.error
    assert TOKEN not in result.error
    assert {r.kind for r in replay.stored().values()} == {"post"}  # media stored before the comments failed


def test_malformed_body_stores_nothing(replay: Replay) -> None:
    replay.server.inject(Fault("malformed", path="/media"))
    result = replay.sync()
    assert result.error is not None and "kein gültiges JSON" in result.error
    assert replay.stored() == {}
