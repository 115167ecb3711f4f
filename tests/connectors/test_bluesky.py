"""Bluesky: parsing of getAuthorFeed / getPostThread shapes (lexicon app.bsky.feed.defs) into items."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import Engine, select

from connectors.bluesky import BlueskyConnector
from connectors.bluesky_parse import (
    RecordGone,
    expand_links,
    own_account,
    parse_author_feed,
    parse_thread,
    post_item,
    post_url,
    split_at_uri,
    xrpc_error,
)
from connectors.errors import AuthError, CapabilityError, ConfigurationError, RateLimited, SourceFormatError
from connectors.replay import ReplayServer
from connectors.sync import sync_channel
from store.channels import sync_channels
from store.config import ChannelConfig
from store.models import ItemKind, ItemState
from store.schema import item
from tests.connectors.conftest import fast_client, load_world

FIXTURES = Path(__file__).parent / "fixtures" / "bluesky"
STADT_DID = "did:plc:m7stadtpresse4w2xq5ztr3a"
OWN = own_account(STADT_DID, (), "@musterstadt.de")


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def test_author_feed_page_skips_reposts_and_reads_counts_links_and_times() -> None:
    page = parse_author_feed("bsky", load("author_feed_page1.json"), OWN)
    expected = load("author_feed_page1.expected.json")
    assert page.cursor == expected["cursor"]
    got = [
        {"external_id": i.external_id, "created_at": i.created_at.isoformat(), "url": i.url, "text": i.text,
         "like_count": i.like_count, "reply_count": i.reply_count, "share_count": i.share_count}
        for i in page.items
    ]
    assert got == expected["items"]
    assert all(i.kind is ItemKind.POST and i.is_own_account and i.parent_external_id is None for i in page.items)
    assert page.oldest_at == datetime(2026, 3, 1, 9, 30, 4, 112000, tzinfo=UTC)


def test_last_feed_page_has_no_cursor_and_naive_created_at_falls_back_to_indexed_at() -> None:
    page = parse_author_feed("bsky", load("author_feed_page2.json"), OWN)
    assert page.cursor is None
    assert [i.created_at for i in page.items] == [
        datetime(2026, 2, 26, 12, 0, tzinfo=UTC),
        datetime(2026, 2, 25, 6, 0, 1, tzinfo=UTC),  # createdAt "2026-02-25T07:00:00" has no zone: indexedAt wins
    ]


def test_thread_is_flattened_with_parent_root_own_account_and_hidden_replies() -> None:
    expected = load("thread_full.expected.json")
    read = parse_thread("bsky", load("thread_full.json"), OWN, depth=10)
    assert read.root is not None and read.root.external_id == expected["root"]
    got = [
        {"external_id": i.external_id, "kind": i.kind.value, "parent": i.parent_external_id,
         "root": i.thread_root_external_id, "own": i.is_own_account, "state": i.state.value,
         "author_name": i.author_name}
        for i in read.replies
    ]
    assert got == expected["replies"]
    assert read.complete is expected["complete"]
    assert read.seen == {r["external_id"] for r in expected["replies"]} | set(expected["seen_extra"])
    assert not read.seen & set(expected["not_seen"])


def test_thread_cut_by_the_depth_limit_is_incomplete() -> None:
    read = parse_thread("bsky", load("thread_depth1_truncated.json"), OWN, depth=1)
    assert [i.kind for i in read.replies] == [ItemKind.COMMENT]
    assert read.complete is False


def test_deleted_root_gives_no_items() -> None:
    read = parse_thread("bsky", load("thread_root_not_found.json"), OWN, depth=10)
    assert read.root is None and read.replies == [] and read.seen == frozenset() and read.gone


def test_blocked_root_is_not_gone() -> None:
    read = parse_thread("bsky", {"thread": {"$type": "app.bsky.feed.defs#blockedPost", "uri": "at://x/y/z",
                                            "blocked": True}}, OWN, depth=10)
    assert read.root is None and not read.gone and not read.complete


def test_own_account_by_did_or_handle_only() -> None:
    by_handle = own_account("", (), "MusterStadt.de")
    assert by_handle.is_own({"did": "did:plc:x", "handle": "musterstadt.de"})
    assert not by_handle.is_own({"did": "did:plc:x", "handle": "musterstadt.de.fake.bsky.social"})
    second = own_account(STADT_DID, ("did:plc:zweitkonto",), "")
    assert second.is_own({"did": "did:plc:zweitkonto"}) and not second.is_own({})


def _post(**record: Any) -> dict[str, Any]:
    base = {"$type": "app.bsky.feed.post", "createdAt": "2026-03-02T08:00:00Z", "text": ""}
    return {"uri": f"at://{STADT_DID}/app.bsky.feed.post/3lbxyz", "cid": "bafy", "author": {"did": "did:plc:b"},
            "record": base | record, "indexedAt": "2026-03-02T08:00:01Z"}


def test_minimal_post_view_with_missing_fields() -> None:
    post = {"uri": "at://did:plc:b/app.bsky.feed.post/3lbabc", "record": {}, "indexedAt": "2026-03-02T08:00:01Z"}
    item = post_item("bsky", post, OWN)
    assert (item.text, item.author_id, item.author_name, item.like_count) == ("", "", "", 0)
    assert item.url == "https://bsky.app/profile/did:plc:b/post/3lbabc"
    assert item.created_at == datetime(2026, 3, 2, 8, 0, 1, tzinfo=UTC)
    with pytest.raises(SourceFormatError, match="ohne lesbaren Zeitstempel"):
        post_item("bsky", {"uri": post["uri"], "record": {}}, OWN)
    with pytest.raises(SourceFormatError, match="ohne 'uri'"):
        post_item("bsky", {"record": {}}, OWN)


def test_a_100_kb_text_and_emoji_survive() -> None:
    text = "Stadtfest 🎉👨‍👩‍👧 " * 6000
    assert post_item("bsky", _post(text=text), OWN).text == text


def test_link_facets_expand_shortened_labels_only() -> None:
    text = "Infos 📄 hier und unter musterstadt.de/abfall/kal..."
    raw = text.encode()
    short = raw.index(b"musterstadt.de")
    word = raw.index(b"hier")
    facets = [
        {"index": {"byteStart": word, "byteEnd": word + 4},
         "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://www.musterstadt.de/abfall"}]},
        {"index": {"byteStart": short, "byteEnd": len(raw)},
         "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://musterstadt.de/abfall/kalender-2026"}]},
    ]
    assert expand_links(text, facets) == "Infos 📄 hier und unter https://musterstadt.de/abfall/kalender-2026"
    broken = [{"index": {"byteStart": 5, "byteEnd": 999}, "features": []}, {"index": "x"}, "kaputt"]
    assert expand_links(text, broken) == text


@settings(max_examples=80, deadline=None)
@given(text=st.text(max_size=80), start=st.integers(-3, 300), end=st.integers(-3, 300))
def test_expand_links_never_raises_on_arbitrary_facets(text: str, start: int, end: int) -> None:
    facets = [{"index": {"byteStart": start, "byteEnd": end},
               "features": [{"$type": "app.bsky.richtext.facet#link", "uri": "https://x.de/" + text}]}]
    assert isinstance(expand_links(text, facets), str)


def test_uri_helpers() -> None:
    assert split_at_uri("at://did:plc:a/app.bsky.feed.post/3k") == ("did:plc:a", "app.bsky.feed.post", "3k")
    assert post_url("at://did:plc:a/app.bsky.feed.post/3k", "handle.invalid") == "https://bsky.app/profile/did:plc:a/post/3k"
    with pytest.raises(SourceFormatError):
        split_at_uri("https://bsky.app/profile/x/post/3k")


def test_malformed_payloads_are_source_format_errors() -> None:
    with pytest.raises(SourceFormatError, match="feed"):
        parse_author_feed("bsky", {"cursor": "x"}, OWN)
    with pytest.raises(SourceFormatError, match="thread"):
        parse_thread("bsky", [], OWN, depth=5)


def test_hidden_state_comes_from_the_threadgate() -> None:
    payload = load("thread_full.json")
    payload.pop("threadgate")
    read = parse_thread("bsky", payload, OWN, depth=10)
    assert {i.state for i in read.replies} == {ItemState.VISIBLE}


# --- error mapping --------------------------------------------------------------------------------


def test_xrpc_errors_map_to_the_error_tree() -> None:
    not_found = xrpc_error(400, (FIXTURES / "error_not_found.json").read_bytes(), {}, 0.0)
    assert isinstance(not_found, RecordGone)  # the AppView's own word: the post is gone
    expired = xrpc_error(401, (FIXTURES / "error_expired_token.json").read_bytes(), {}, 0.0)
    assert isinstance(expired, AuthError) and "Zugriff verweigert" in str(expired)
    limited = xrpc_error(429, b'{"error": "RateLimitExceeded"}', {"RateLimit-Reset": "1000060"}, 1_000_000.0)
    assert isinstance(limited, RateLimited) and limited.retry_after == 60
    unknown_actor = xrpc_error(400, b'{"error": "InvalidRequest", "message": "Profile not found"}', {}, 0.0)
    assert isinstance(unknown_actor, ConfigurationError)
    assert xrpc_error(502, b"<html>Bad Gateway</html>", {}, 0.0) is None


# --- against the replay server ----------------------------------------------------------------------


def _setup(server: ReplayServer, engine: Engine) -> tuple[ChannelConfig, Any]:
    cfg, items = load_world("bluesky")
    cfg = cfg.model_copy(update={"token_env": "NETZPFLEGE_BSKY_APP_PASSWORD"})
    state = server.add_channel(cfg, items)
    channel = server.channel_config(cfg.id)
    with engine.begin() as conn:
        sync_channels(conn, [channel])
    return channel, state


def test_reply_hide_and_delete_write_to_the_pds_and_the_next_sync_sees_it(
        server: ReplayServer, sqlite_engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NETZPFLEGE_BSKY_APP_PASSWORD", "app-pass-wort")
    channel, state = _setup(server, sqlite_engine)
    comments = [i for i in state.items.values() if i.kind is ItemKind.COMMENT and not i.is_own_account]
    question = min(comments, key=lambda i: i.created_at)
    rant = max(comments, key=lambda i: i.created_at)
    with fast_client() as client:
        assert sync_channel(sqlite_engine, channel, client=client).error is None
        bsky = BlueskyConnector(channel, client)
        answer = bsky.reply(question.external_id, "Ja, auch für Radfahrende: https://www.musterstadt.de/umleitung")
        assert answer.ok and answer.platform_id in state.items
        write = state.writes[0]
        assert write.payload["root"] == question.thread_root_external_id  # root ref from the parent's record
        assert write.payload["facets"][0]["features"][0]["uri"] == "https://www.musterstadt.de/umleitung"
        assert bsky.hide(rant.external_id).detail == "verborgen (Threadgate)"
        middle_post = state.posts()[1].external_id  # neither the question's nor the rant's thread
        assert bsky.delete(middle_post).ok
        with pytest.raises(CapabilityError, match="fremde Beiträge"):
            bsky.delete(question.external_id)
        with pytest.raises(CapabilityError, match="nur Antworten"):
            bsky.hide(state.posts()[0].external_id)
        result = sync_channel(sqlite_engine, channel, client=client)
    assert [w.action for w in state.writes] == ["reply", "hide", "delete"]
    assert result.error is None and result.new == 1
    with sqlite_engine.connect() as conn:
        rows = conn.execute(select(item.c.external_id, item.c.state).where(item.c.channel_id == channel.id))
        states = {ext: value for ext, value in rows}
    assert states[rant.external_id] == ItemState.HIDDEN
    assert states[middle_post] == ItemState.DELETED  # the AppView answers NotFound for the deleted own post
    assert result.deleted == 1 and result.warnings == []


def test_writes_need_the_app_password(server: ReplayServer, sqlite_engine: Engine) -> None:
    channel, state = _setup(server, sqlite_engine)
    with fast_client() as client, pytest.raises(ConfigurationError, match="App-Passwort"):
        BlueskyConnector(channel, client).delete(state.posts()[0].external_id)
