"""YouTube: parsing of playlistItems / commentThreads / comments, error envelopes, quota, write-back via replay."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from connectors.errors import AuthError, NotFound, RateLimited, RetriableError
from connectors.replay import ReplayServer
from connectors.sync import sync_channel
from connectors.youtube import YouTubeConnector
from connectors.youtube_parse import (
    CommentsDisabled,
    QuotaExceeded,
    VideoNotFound,
    parse_comment_list,
    parse_comment_threads,
    parse_playlist_items,
    seconds_until_quota_reset,
    uploads_playlist,
    youtube_error,
)
from store.channels import sync_channels
from store.config import ChannelConfig
from store.models import ItemKind, ItemState
from store.schema import item
from tests.connectors.conftest import fast_client, load_world

FIXTURES = Path(__file__).parent / "fixtures" / "youtube"
OWN = frozenset({"UCm7sTadtMusterstadt4711"})


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def test_uploads_playlist_and_private_videos_skipped() -> None:
    assert uploads_playlist("UCm7sTadtMusterstadt4711") == "UUm7sTadtMusterstadt4711"
    with pytest.raises(ValueError):
        uploads_playlist("m7sTadt")
    page = parse_playlist_items("yt", load("playlist_items_page1.json"))
    assert page.next_token == "EAAaBlBUOkNBSQ"
    assert [i.external_id for i in page.items] == ["hW4sRt9Ms01", "kT7bUeR2gr2"]  # the private video is skipped
    first = page.items[0]
    assert first.kind is ItemKind.POST and first.is_own_account
    assert first.text.startswith("Hochwasserschutz an der Muster: So funktioniert die neue Spundwand\n\nOberbürger")
    assert first.created_at == datetime(2026, 3, 3, 16, 0, 5, tzinfo=UTC)
    assert first.url == "https://www.youtube.com/watch?v=hW4sRt9Ms01"
    last = parse_playlist_items("yt", load("playlist_items_page2.json"))
    assert last.next_token is None and last.items[0].text == "Weihnachtsmarkt 2025 im Rückblick"


def test_comment_threads_are_flattened_as_the_expectation_file_says() -> None:
    expected = load("comment_threads_page1.expected.json")
    page = parse_comment_threads("yt", load("comment_threads_page1.json"), expected["video"], OWN)
    got = [{"external_id": i.external_id, "kind": i.kind.value, "parent": i.parent_external_id,
            "own": i.is_own_account, "state": i.state.value, "reply_count": i.reply_count,
            "like_count": i.like_count} for i in page.items]
    assert got == expected["items"]
    assert page.next_token == expected["next_token"] and page.incomplete_threads == expected["incomplete"]
    assert {i.thread_root_external_id for i in page.items} == {expected["video"]}
    assert page.items[0].text.endswith("zweimal unter Wasser 😟")
    assert page.items[0].url == f"https://www.youtube.com/watch?v={expected['video']}&lc={expected['items'][0]['external_id']}"


def test_comments_list_gives_replies_and_text_display_is_the_fallback() -> None:
    page = parse_comment_list("yt", load("comments_by_parent.json"), "hW4sRt9Ms01", OWN)
    assert len(page.items) == 7 and page.next_token is None
    assert all(i.kind is ItemKind.REPLY and i.parent_external_id == "UgxViele5Antworten4AaABAg" for i in page.items)
    node = load("comments_by_parent.json")["items"][0]
    del node["snippet"]["textOriginal"]  # only returned to the comment's author
    node["snippet"]["textDisplay"] = "Literal <b>kein HTML</b> &amp; bleibt"
    [only] = parse_comment_list("yt", {"items": [node]}, "v", OWN).items
    assert only.text == "Literal <b>kein HTML</b> &amp; bleibt"  # plainText was requested: nothing to unescape


@pytest.mark.parametrize(
    ("fixture", "status", "error"),
    [
        ("error_quota_exceeded.json", 403, QuotaExceeded),
        ("error_comments_disabled.json", 403, CommentsDisabled),
        ("error_key_invalid.json", 400, AuthError),
        ("error_forbidden.json", 403, AuthError),
        ("error_video_not_found.json", 404, VideoNotFound),
        ("error_backend.json", 503, RetriableError),
    ],
)
def test_error_envelopes_map_by_reason(fixture: str, status: int, error: type[Exception]) -> None:
    mapped = youtube_error(status, (FIXTURES / fixture).read_bytes())
    assert type(mapped) is error
    assert mapped is not None and "<a href" not in str(mapped) and "?" not in str(mapped)
    assert youtube_error(502, b"<html>Bad Gateway</html>") is None  # not an envelope: status mapping applies


def test_only_video_not_found_says_the_video_itself_is_gone() -> None:
    missing_thread = {"error": {"code": 404, "errors": [{"reason": "commentNotFound", "domain": "youtube.comment"}]}}
    mapped = youtube_error(404, missing_thread)
    assert isinstance(mapped, NotFound) and not isinstance(mapped, VideoNotFound)


def test_quota_exceeded_is_fatal_for_the_run_and_knows_the_pacific_midnight() -> None:
    now = datetime(2026, 3, 3, 7, 0, tzinfo=UTC)  # 23:00 on 2 March in Los Angeles (PST, UTC-8)
    assert seconds_until_quota_reset(now) == 3600
    mapped = youtube_error(403, (FIXTURES / "error_quota_exceeded.json").read_bytes(), now)
    assert isinstance(mapped, QuotaExceeded) and not mapped.retriable and mapped.retry_after == 3600
    summer = datetime(2026, 7, 1, 6, 30, tzinfo=UTC)  # 23:30 PDT (UTC-7)
    assert seconds_until_quota_reset(summer) == 1800
    limited = youtube_error(403, b'{"error": {"code": 403, "errors": [{"reason": "rateLimitExceeded"}]}}')
    assert isinstance(limited, RateLimited) and limited.retriable


# --- against the replay server -------------------------------------------------------------------


def _setup(server: ReplayServer, engine: Engine, **options: Any) -> tuple[ChannelConfig, Any]:
    cfg, items = load_world("youtube")
    cfg = cfg.model_copy(update={"options": {**cfg.options, **options}})
    state = server.add_channel(cfg, items)
    channel = server.channel_config(cfg.id)
    with engine.begin() as conn:
        sync_channels(conn, [channel])
    return channel, state


def _states(engine: Engine, channel_id: str) -> dict[str, str]:
    with engine.connect() as conn:
        rows = conn.execute(select(item.c.external_id, item.c.state).where(item.c.channel_id == channel_id))
        return {r.external_id: r.state for r in rows}


def test_reply_hide_and_reject_change_the_platform_and_a_held_comment_is_not_deleted(
        server: ReplayServer, sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETZPFLEGE_YT_OAUTH", "oauth-geheim")
    channel, state = _setup(server, sqlite_engine, oauth_token_env="NETZPFLEGE_YT_OAUTH")
    with fast_client() as client:
        assert sync_channel(sqlite_engine, channel, client=client).error is None
        yt = YouTubeConnector(channel, client)
        question = "UgwAusweisTermin44AaABAg"
        answer = yt.reply(question + ".9zR1xYz0001", "Ja, ohne Termin. Ihr Social-Media-Team")
        assert answer.ok and answer.platform_id and answer.platform_id.startswith(question + ".")
        created = state.items[answer.platform_id]
        assert created.parent_external_id == question and created.is_own_account  # attached to the top comment
        assert yt.hide("UgxBaustelleKritik4AaABAg").detail == "zur Überprüfung zurückgehalten"
        assert yt.delete("UgyFeiertagDanke44AaABAg").ok
        assert [(w.action, w.external_id) for w in state.writes] == [
            ("reply", answer.platform_id), ("hide", "UgxBaustelleKritik4AaABAg"),
            ("delete", "UgyFeiertagDanke44AaABAg")]
        assert yt.meter.calls["comments.insert"] == 1 and yt.meter.calls["comments.setModerationStatus"] == 2
        result = sync_channel(sqlite_engine, channel, client=client)
    assert (result.error, result.new, result.deleted) == (None, 1, 1)
    states = _states(sqlite_engine, channel.id)
    assert states["UgxBaustelleKritik4AaABAg"] == ItemState.HIDDEN  # listed via moderationStatus=heldForReview
    assert states["UgyFeiertagDanke44AaABAg"] == ItemState.DELETED


def test_writes_need_an_oauth_token(server: ReplayServer, sqlite_engine: Engine) -> None:
    channel, _state = _setup(server, sqlite_engine)
    with fast_client() as client:
        with pytest.raises(Exception, match="OAuth-Zugriffstoken"):
            YouTubeConnector(channel, client).hide("UgxBaustelleKritik4AaABAg")


def test_disabled_comments_skip_the_video_only(server: ReplayServer, sqlite_engine: Engine) -> None:
    channel, state = _setup(server, sqlite_engine)
    state.extra["comments_disabled"] = {"kT7bUeR2gr2"}
    with fast_client() as client:
        result = sync_channel(sqlite_engine, channel, client=client)
    assert result.error is None
    assert any("deaktiviert" in w for w in result.warnings)
    stored = _states(sqlite_engine, channel.id)
    assert "UgzSperrungRadweg1AaABAg" in stored and "UgwAusweisTermin44AaABAg" not in stored


def test_quota_budget_stops_reading_comments_without_false_deletions(server: ReplayServer,
                                                                     sqlite_engine: Engine) -> None:
    channel, _state = _setup(server, sqlite_engine, daily_quota=3, write_reserve=0)
    with fast_client() as client:
        result = sync_channel(sqlite_engine, channel, client=client)
    assert result.error is None and result.deleted == 0
    assert any("Kontingent" in w for w in result.warnings)
    with sqlite_engine.connect() as conn:
        marks = conn.execute(select(item.c.kind).where(item.c.channel_id == channel.id)).scalars().all()
    assert ItemKind.POST in marks
