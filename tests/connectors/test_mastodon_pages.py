"""Mastodon pages: a malformed status is skipped with a warning, the town's thread continuations are replies,
and the inlined reads of parse_status (timestamp, counts) keep the helpers' rules."""

from __future__ import annotations

import copy
import json
import logging
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from connectors.base import StreamContext
from connectors.errors import SourceFormatError
from connectors.http import HttpClient
from connectors.mastodon import MastodonConnector, parse_own_statuses, parse_replies, parse_status
from store.models import ItemKind
from tests.connectors.conftest import FIXTURES, MASTODON_CHANNEL

CONTEXT = json.loads((FIXTURES / "mastodon" / "context.json").read_text(encoding="utf-8"))
ROOT = "100000000000005000"
CHANNEL = MASTODON_CHANNEL
TOWN = CHANNEL.account_id


def _status(status_id: str, *, parent: str | None = None, own: bool = True, **extra: Any) -> dict[str, Any]:
    """A status of the fixture's shape with a new id (the town's own unless ``own`` is False)."""
    status = copy.deepcopy(CONTEXT["descendants"][0])
    status.update(id=status_id, in_reply_to_id=parent, in_reply_to_account_id=TOWN if parent else None, **extra)
    if own:
        status["account"] = {"id": TOWN, "username": "stadt", "acct": "stadt", "display_name": "Stadt Musterstadt"}
    return status


def test_a_malformed_reply_is_skipped_with_a_warning_naming_it(caplog: pytest.LogCaptureFixture) -> None:
    good = CONTEXT["descendants"]
    statuses = [good[0], _status("7", created_at="gestern"), "kein Objekt", _status("8", own=False, account=None),
                *good[1:]]
    notes: list[str] = []
    with caplog.at_level(logging.WARNING, logger="connectors.mastodon"):
        items = parse_replies(statuses, CHANNEL, ROOT, notes)
    assert [i.external_id for i in items] == [s["id"] for s in good]
    assert notes == ["Mastodon-Beitrag 7 übersprungen: Zeitstempel nicht lesbar: 'gestern'",
                     "Mastodon-Beitrag (ohne id) übersprungen: Beitrag ist kein JSON-Objekt",
                     "Mastodon-Beitrag 8 übersprungen: Beitrag ohne 'id' oder 'account'"]
    assert [r.getMessage() for r in caplog.records] == [f"mastodon: {n}" for n in notes]


def test_a_malformed_own_status_is_skipped_and_the_page_keeps_its_warnings() -> None:
    listing = [_status("30"), _status("20", created_at=None), _status("10")]
    client = HttpClient(transport=httpx.MockTransport(lambda _r: httpx.Response(200, json=listing)))
    ctx = StreamContext(CHANNEL, datetime(2026, 3, 3, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC))
    pages = list(MastodonConnector(CHANNEL, client).streams()[0].read(ctx))
    assert [i.external_id for i in pages[0].items] == ["30", "10"]
    assert pages[0].warnings == ["Mastodon-Beitrag 20 übersprungen: Zeitstempel fehlt: None"]


def test_a_malformed_newest_status_is_passed_by_the_bookmark() -> None:
    """Skipped once with a warning, then the bookmark stands past it: the next sync asks only for newer ones."""
    asked: list[str] = []

    def respond(request: httpx.Request) -> httpx.Response:
        asked.append(request.url.params.get("min_id", ""))
        return httpx.Response(200, json=[_status("40", created_at=None), _status("30")] if len(asked) == 1 else [])

    client = HttpClient(transport=httpx.MockTransport(respond))
    stream = MastodonConnector(CHANNEL, client).streams()[0]
    now, since = datetime(2026, 3, 3, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC)
    first = list(stream.read(StreamContext(CHANNEL, now, since)))
    assert [i.external_id for i in first[0].items] == ["30"] and len(first[0].warnings) == 1
    bookmark = first[-1].bookmark
    assert bookmark is not None and bookmark.cursor == "40"
    assert bookmark.newest_at == first[0].items[0].created_at  # the time of the newest status that was stored
    again = list(stream.read(StreamContext(CHANNEL, now, None, {(stream.name, ""): bookmark})))
    assert asked == ["", "40"] and all(not page.warnings for page in again)


def test_thread_continuations_in_the_listing_hang_under_their_parent_in_the_root_thread() -> None:
    # newest first, as the listing sends it: 40 continues 30, which continues the post 20; 50 continues a post
    # older than anything read (its root is unknown: the parent stands in); a reblog is no status of the town
    listing = [_status("50", parent="5"), _status("40", parent="30"), _status("30", parent="20"), _status("20"),
               _status("15", reblog={"id": "1"})]
    roots: dict[str, str] = {}
    items = parse_own_statuses(listing, CHANNEL, roots, [])
    shape = [(i.external_id, i.kind, i.parent_external_id, i.thread_root_external_id) for i in items]
    assert shape == [("50", ItemKind.COMMENT, "5", "5"), ("40", ItemKind.REPLY, "30", "20"),
                     ("30", ItemKind.COMMENT, "20", "20"), ("20", ItemKind.POST, None, None)]
    assert all(i.is_own_account for i in items)
    # the next page (older statuses) and later syncs resolve through what was read before, and the stored posts
    roots["9"] = "9"
    [later] = parse_own_statuses([_status("60", parent="40")], CHANNEL, roots, [])
    assert (later.kind, later.parent_external_id, later.thread_root_external_id) == (ItemKind.REPLY, "40", "20")
    [on_stored] = parse_own_statuses([_status("61", parent="9")], CHANNEL, roots, [])
    assert (on_stored.kind, on_stored.thread_root_external_id) == (ItemKind.COMMENT, "9")


def test_the_posts_stream_knows_the_stored_posts_as_thread_roots() -> None:
    listing = [_status("70", parent="60")]
    client = HttpClient(transport=httpx.MockTransport(lambda _r: httpx.Response(200, json=listing)))
    ctx = StreamContext(CHANNEL, datetime(2026, 3, 3, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC),
                        recent_posts=[("60", datetime(2026, 3, 2, tzinfo=UTC))])
    [item] = [i for page in MastodonConnector(CHANNEL, client).streams()[0].read(ctx) for i in page.items]
    assert (item.kind, item.parent_external_id, item.thread_root_external_id) == (ItemKind.COMMENT, "60", "60")


@pytest.mark.parametrize(("created_at", "expected"), [
    ("2026-03-02T09:15:00.5+01:00", datetime(2026, 3, 2, 8, 15, 0, 500000, tzinfo=UTC)),
    ("2026-03-02T08:15:00+00:00", datetime(2026, 3, 2, 8, 15, tzinfo=UTC)),
])
def test_timestamps_in_other_zones_become_utc(created_at: str, expected: datetime) -> None:
    item = parse_status(_status("1", created_at=created_at), CHANNEL)
    assert item.created_at == expected and item.created_at.tzinfo is UTC


@pytest.mark.parametrize("created_at", [None, 1772438100, "", "2026-03-02T08:15:00"])
def test_missing_unreadable_or_zoneless_timestamps_are_source_format_errors(created_at: object) -> None:
    with pytest.raises(SourceFormatError):
        parse_status(_status("1", created_at=created_at), CHANNEL)


def test_malformed_counts_are_zero() -> None:
    item = parse_status(_status("1", favourites_count=True, replies_count=-3, reblogs_count="7"), CHANNEL)
    assert (item.like_count, item.reply_count, item.share_count) == (0, 0, 0)
    item = parse_status(_status("1", favourites_count=4, replies_count=0, reblogs_count=2), CHANNEL)
    assert (item.like_count, item.reply_count, item.share_count) == (4, 0, 2)
