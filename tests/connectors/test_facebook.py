"""Facebook Page connector: parsing Graph API JSON into items, the error envelope, usage headers, paging."""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Engine, Row

from connectors import errors, facebook, graph, graph_errors
from connectors.base import Capability, StreamContext, WriteResult
from connectors.http import HttpClient, RetryPolicy
from connectors.registry import connector_for
from connectors.replay import Fault, ReplayServer
from connectors.sync import ChannelResult, sync_channel
from store.channels import sync_channels
from store.config import ChannelConfig
from store.models import Item, utcnow
from tests.connectors.conftest import SleepRecorder, load_world, observed, stored_rows

FIXTURES = Path(__file__).parent / "fixtures" / "facebook"
CHANNEL = "facebook"
PAGE_ID = "104857600123456"
OWN = graph.own_account(PAGE_ID, ["104857600999999"])


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def test_posts_match_expectations() -> None:
    items = [*facebook.parse_posts_page(load("posts_p1.json"), CHANNEL),
             *facebook.parse_posts_page(load("posts_p2.json"), CHANNEL)]
    expected = load("posts_expected.json")["items"]
    assert [observed(it, exp) for it, exp in zip(items, expected, strict=True)] == expected
    assert all(it.channel_id == CHANNEL and it.raw and it.raw["id"] == it.external_id for it in items)
    assert all(it.created_at.utcoffset() is not None for it in items)


def test_comments_match_expectations() -> None:
    spec = load("comments_expected.json")
    items = [*facebook.parse_comments_page(load("comments_p1.json"), CHANNEL, spec["post_id"], OWN),
             *facebook.parse_comments_page(load("comments_p2.json"), CHANNEL, spec["post_id"], OWN)]
    assert [observed(it, exp) for it, exp in zip(items, spec["items"], strict=True)] == spec["items"]


def _comment(**fields: Any) -> dict[str, Any]:
    node = {"id": "7001_8001", "created_time": "2026-03-05T10:00:00+0000", "message": "Hallo"}
    node.update(fields)
    return node


def test_comment_without_from_is_unknown_and_never_own() -> None:
    # even when every other field looks like the page's own answer
    node = _comment(message="Ihr Social-Media-Team der Stadt Musterstadt", parent={"id": "7001_8000"})
    item = facebook.parse_comment(node, CHANNEL, "104857600123456_7001", OWN)
    assert (item.author_id, item.author_name, item.is_own_account) == ("", "", False)


@pytest.mark.parametrize(
    ("author_id", "own"), [(PAGE_ID, True), ("104857600999999", True), ("5550000000000001", False)]
)
def test_own_account_by_page_id_or_extra_own_ids(author_id: str, own: bool) -> None:
    item = facebook.parse_comment(_comment(**{"from": {"id": author_id, "name": "X"}}), CHANNEL, "p", OWN)
    assert item.is_own_account is own


def test_post_without_from_is_still_the_pages_own() -> None:
    node = {"id": "104857600123456_7001", "created_time": "2026-03-05T10:00:00+0000"}  # photo post, no 'from'
    item = facebook.parse_post(node, CHANNEL)
    assert (item.text, item.author_id, item.is_own_account) == ("", "", True)


def test_parent_equal_to_post_is_a_top_level_comment() -> None:
    item = facebook.parse_comment(_comment(parent={"id": "104857600123456_7001"}), CHANNEL, "104857600123456_7001", OWN)
    assert (str(item.kind), item.parent_external_id) == ("comment", "104857600123456_7001")


def test_hundred_kilobyte_message_is_kept_whole() -> None:
    text = ("Sehr geehrte Damen und Herren, zur Baustelle in der Hauptstraße 🚧 " * 2000)[:100_000]
    item = facebook.parse_comment(_comment(message=text), CHANNEL, "p", OWN)
    assert item.text == text and len(item.text) == 100_000


def test_html_looking_text_stays_plain_text() -> None:
    text = "<img src=x onerror=alert(1)> &amp; <b>fett</b> ![x](http://evil.example)"
    assert facebook.parse_comment(_comment(message=text), CHANNEL, "p", OWN).text == text


def test_malformed_nodes_are_skipped_not_fatal() -> None:
    payload = {"data": [_comment(id=""), _comment(created_time="gestern"), _comment(id="ok_1"), "kaputt"]}
    items = facebook.parse_comments_page(payload, CHANNEL, "p", OWN)
    assert [it.external_id for it in items] == ["ok_1"]


def test_page_without_data_list_is_a_format_error() -> None:
    with pytest.raises(errors.SourceFormatError):
        facebook.parse_posts_page({"paging": {}}, CHANNEL)


@given(st.text(max_size=300))
def test_any_message_survives_verbatim(text: str) -> None:
    assert facebook.parse_comment(_comment(message=text), CHANNEL, "p", OWN).text == text


# --- graph: errors, usage, paging ---------------------------------------------------------------


@pytest.mark.parametrize("case", load("errors_expected.json")["cases"], ids=lambda c: f"{c['file']}-{c['status']}")
def test_error_envelope_maps_on_code_not_status(case: dict[str, Any]) -> None:
    body = (FIXTURES / case["file"]).read_bytes()
    err = graph_errors.graph_error(case["status"], body)
    assert type(err).__name__ == case["error"]
    assert err is not None and err.retriable is case["retriable"]
    assert case["message_contains"] in err.message
    for secret in load("errors_expected.json")["must_not_contain"]:
        assert secret not in err.message


def test_token_subcode_alone_means_auth_error() -> None:
    body = {"error": {"message": "x", "code": 999, "error_subcode": 467}}
    assert isinstance(graph_errors.graph_error(400, body), errors.AuthError)


def test_non_envelope_is_left_to_the_http_client() -> None:
    assert graph_errors.graph_error(502, b"<html>Bad Gateway</html>") is None
    assert graph_errors.graph_error(404, {"data": []}) is None


def test_business_throttling_carries_the_regain_time() -> None:
    headers = {"X-Business-Use-Case-Usage": json.dumps({"104857600123456": [
        {"type": "pages", "call_count": 100, "total_cputime": 12, "total_time": 30,
         "estimated_time_to_regain_access": 7}
    ]})}
    err = graph_errors.graph_error(403, {"error": {"message": "(#80001) limit", "code": 80001}}, headers)
    assert isinstance(err, errors.RateLimited) and err.retry_after == 420.0


@pytest.mark.parametrize(("headers", "percent", "delay"), [
    ({}, 0.0, 0.0),
    ({"x-app-usage": '{"call_count":28,"total_time":25,"total_cputime":25}'}, 28.0, 0.0),
    ({"x-app-usage": '{"call_count":10}', "x-page-usage": '{"call_count":90,"total_time":5}'}, 90.0, 15.0),
    ({"x-business-use-case-usage": '{"1":[{"type":"pages","call_count":5,"total_time":100}]}'}, 100.0, 30.0),
    ({"x-app-usage": "kein json"}, 0.0, 0.0),
])
def test_usage_headers_slow_down_near_the_limit(headers: dict[str, str], percent: float, delay: float) -> None:
    assert graph_errors.usage_percent(headers) == percent
    assert graph_errors.pacing_delay(headers) == delay


def test_next_page_params_take_the_cursor_and_drop_the_token() -> None:
    params = graph_errors.next_page_params(load("posts_p1.json"))
    assert params is not None
    assert params["after"] == "QVFIUmFmdGVyMDE" and "access_token" not in params


def test_time_based_paging_is_followed_too() -> None:
    payload = {"data": [], "paging": {"next": "https://graph.facebook.com/v21.0/1/posts?access_token=t&until=1624385168"
                                              "&__paging_token=enc_abc&limit=25"}}
    assert graph_errors.next_page_params(payload) == {"until": "1624385168", "__paging_token": "enc_abc", "limit": "25"}


def test_last_page_has_no_next_even_with_cursors() -> None:
    assert graph_errors.next_page_params(load("posts_p2.json")) is None
    assert graph_errors.next_page_params(load("comments_p2.json")) is None


# --- against the replay server: sync, paging, tokens, write-back -------------------------------

TOKEN = "EAAG-geheim-replay"


@dataclass
class Replay:
    server: ReplayServer
    channel: ChannelConfig
    truth: list[Item]
    engine: Engine
    slept: SleepRecorder

    def sync(self) -> ChannelResult:
        return sync_channel(self.engine, self.channel, client=self.client())

    def client(self) -> HttpClient:
        return HttpClient(retry=RetryPolicy(base_delay=0.01), sleep=self.slept)

    def stored(self) -> dict[str, Row[Any]]:
        return stored_rows(self.engine, self.channel.id)


@pytest.fixture
def replay(sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Replay]:
    monkeypatch.setenv("NETZPFLEGE_TEST_FB_TOKEN", TOKEN)
    config, truth = load_world("facebook")
    config = config.model_copy(update={"token_env": "NETZPFLEGE_TEST_FB_TOKEN"})
    with ReplayServer() as server:
        server.add_channel(config, truth, token=TOKEN)
        channel = server.channel_config(config.id)
        with sqlite_engine.begin() as conn:
            sync_channels(conn, [channel])
        yield Replay(server, channel, truth, sqlite_engine, SleepRecorder())


FIELDS = ("kind", "text", "author_id", "author_name", "is_own_account", "parent_external_id",
          "thread_root_external_id", "like_count", "reply_count", "share_count", "state")


def assert_store_matches(replay: Replay, truth: list[Item]) -> None:
    stored = replay.stored()
    assert sorted(stored) == sorted(it.external_id for it in truth)
    for it in truth:
        want = {f: str(getattr(it, f)) if f in ("kind", "state") else getattr(it, f) for f in FIELDS}
        assert {f: getattr(stored[it.external_id], f) for f in FIELDS} == want, it.external_id


def test_sync_reproduces_the_world_and_a_second_sync_changes_nothing(replay: Replay) -> None:
    first = replay.sync()
    assert first.error is None and first.new == len(replay.truth)
    assert_store_matches(replay, replay.truth)
    second = replay.sync()
    assert (second.error, second.new, second.updated, second.deleted) == (None, 0, 0, 0)


def test_small_pages_are_followed_to_the_end(replay: Replay) -> None:
    replay.channel = replay.channel.model_copy(update={"options": {"page_size": 2}})
    assert replay.sync().error is None
    assert_store_matches(replay, replay.truth)
    old_post = "/104857600123456_7001000000000201/comments"
    assert len(replay.server.requests_to("/104857600123456/posts")) == 2  # 3 posts
    assert len(replay.server.requests_to(old_post)) == 3  # 5 comments and replies, flattened
    assert all(r.query.get("filter") == ["stream"] for r in replay.server.requests_to(old_post))


def test_token_travels_in_the_header_never_in_the_url(replay: Replay) -> None:
    replay.sync()
    requests = replay.server.requests_to()
    assert requests and all(r.headers.get("authorization") == f"Bearer {TOKEN}" for r in requests)
    assert not any("access_token" in r.query for r in requests)


def test_expired_token_is_an_auth_error_without_the_token(replay: Replay) -> None:
    replay.server.inject(Fault("auth", path="/posts"))
    result = replay.sync()
    assert result.error is not None and "Zugriffstoken abgelaufen oder ungültig" in result.error
    assert TOKEN not in result.error and "Graph-API-Fehler 190/463" in result.error
    assert replay.stored() == {}


def test_missing_token_names_the_variable(replay: Replay, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NETZPFLEGE_TEST_FB_TOKEN")
    result = replay.sync()
    assert result.error is not None and "NETZPFLEGE_TEST_FB_TOKEN" in result.error
    assert replay.server.requests_to() == []


def test_write_back_changes_the_platform_and_the_next_sync_sees_it(replay: Replay) -> None:
    assert replay.sync().error is None
    fb = connector_for(replay.channel, replay.client())
    assert fb.capabilities == {Capability.REPLY, Capability.HIDE, Capability.DELETE}
    answered = fb.reply("7001000000000201_8001000000000205", "Die Genehmigung gibt es im Bürgeramt, Zimmer 12.")
    assert answered.ok and answered.platform_id
    assert fb.hide("7001000000000201_8001000000000204") == WriteResult(ok=True)
    assert fb.delete("7001000000000203_8001000000000207") == WriteResult(ok=True)
    state = replay.server.state(replay.channel.id)
    assert [(w.action, w.external_id) for w in state.writes] == [
        ("reply", "7001000000000201_8001000000000205"), ("hide", "7001000000000201_8001000000000204"),
        ("delete", "7001000000000203_8001000000000207")]
    assert state.writes[0].payload["message"] == "Die Genehmigung gibt es im Bürgeramt, Zimmer 12."

    result = replay.sync()
    assert (result.error, result.new, result.updated, result.deleted) == (None, 1, 1, 1)
    stored = replay.stored()
    reply = stored[answered.platform_id]
    assert (reply.kind, reply.is_own_account, reply.parent_external_id) == (
        "reply", True, "7001000000000201_8001000000000205")
    assert stored["7001000000000201_8001000000000204"].state == "hidden"
    assert stored["7001000000000203_8001000000000207"].state == "deleted"


def test_write_back_to_a_vanished_comment_is_not_found(replay: Replay) -> None:
    fb = connector_for(replay.channel, replay.client())
    with pytest.raises(errors.NotFound, match="existiert nicht"):
        fb.delete("7001000000000203_8001000000099999")
    with pytest.raises(errors.ConfigurationError):
        fb.hide("../../me/accounts")


def test_usage_near_the_limit_slows_the_client_down(replay: Replay) -> None:
    replay.server.state(replay.channel.id).extra["usage_headers"] = {
        "x-app-usage": {"call_count": 95, "total_cputime": 10, "total_time": 12}}
    assert replay.sync().error is None
    # every request after the first waits (30 s at 100 %, 0 below 80 %: 22.5 s at 95 %)
    assert len(replay.slept) == len(replay.server.requests_to()) - 1
    assert all(s == pytest.approx(22.5, abs=0.5) for s in replay.slept)


def test_posts_are_reread_inside_the_lookback_window_only(replay: Replay) -> None:
    replay.sync()
    replay.sync()
    first, second = replay.server.requests_to("/104857600123456/posts")
    assert "since" not in first.query
    since = datetime.fromtimestamp(int(second.query["since"][0]), UTC)
    assert utcnow() - since == pytest.approx(timedelta(days=replay.channel.lookback_days), abs=timedelta(minutes=5))


# --- throttling and loops, scripted with a mock transport ------------------------------------------


def _scripted(answers: list[tuple[int, Any]], seen: list[httpx.Request]) -> httpx.MockTransport:
    def respond(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        status, body = answers[min(len(seen), len(answers)) - 1]
        return httpx.Response(status, json=body)
    return httpx.MockTransport(respond)


def _ctx(**options: Any) -> StreamContext:
    channel = ChannelConfig(id="facebook", platform="facebook", name="FB", account_id=PAGE_ID,
                            base_url="https://graph.test/v21.0", token_env="NETZPFLEGE_TEST_FB_TOKEN", options=options)
    return StreamContext(channel=channel, now=utcnow(), since=None)


def test_throttling_code_with_http_400_is_retried(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETZPFLEGE_TEST_FB_TOKEN", TOKEN)
    seen: list[httpx.Request] = []
    slept: list[float] = []
    transport = _scripted([(400, load("error_rate_limit.json")), (200, load("posts_p2.json"))], seen)
    ctx = _ctx()
    posts = facebook.FacebookConnector(ctx.channel, HttpClient(transport=transport, sleep=slept.append)).streams()[0]
    pages = list(posts.read(ctx))
    assert [it.external_id for p in pages for it in p.items] == ["104857600123456_7001000000000000"]
    assert len(seen) == 2 and len(slept) == 1


def test_a_cursor_handed_out_twice_stops_the_stream(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETZPFLEGE_TEST_FB_TOKEN", TOKEN)
    seen: list[httpx.Request] = []
    ctx = _ctx()
    client = HttpClient(transport=_scripted([(200, load("posts_p1.json"))], seen))
    posts = facebook.FacebookConnector(ctx.channel, client).streams()[0]
    with pytest.raises(graph.PagingIncomplete, match="Seitenschleife"):
        list(posts.read(ctx))
    assert len(seen) == 2


NO_SUCH_OBJECT = {"error": {"message": "Unsupported get request. Object with ID '104857600123456_1' does not exist",
                            "type": "GraphMethodException", "code": 100, "error_subcode": 33}}


def test_no_such_object_on_the_posts_own_comments_marks_the_post_gone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETZPFLEGE_TEST_FB_TOKEN", TOKEN)
    ctx = replace(_ctx(), recent_posts=[("104857600123456_1", utcnow())])
    client = HttpClient(transport=_scripted([(400, NO_SUCH_OBJECT)], []))
    comments = facebook.FacebookConnector(ctx.channel, client).streams()[1]
    pages = list(comments.read(ctx))
    assert [(p.items, p.gone, p.thread, p.warnings) for p in pages] == [
        ([], frozenset({"104857600123456_1"}), None, [])]


def test_not_found_inside_a_thread_is_a_warning_not_a_deleted_post(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETZPFLEGE_TEST_FB_TOKEN", TOKEN)
    ctx = replace(_ctx(), recent_posts=[("104857600123456_1", utcnow())])
    api = graph.GraphApi(HttpClient(transport=_scripted([(200, {"data": []})], [])), ctx.channel, "Facebook")

    def replies_vanished(_post_id: str, _payload: object, _notes: list[str]) -> tuple[list[Item], set[str]]:
        raise errors.NotFound("Kommentar existiert nicht (mehr)")  # e.g. a comment's /replies (Instagram)

    pages = list(graph.ThreadScanStream(api, "comments", {}, replies_vanished).read(ctx))
    assert len(pages) == 1 and pages[0].gone == frozenset() and pages[0].thread is None
    assert "nicht abrufbar" in pages[0].warnings[0]
