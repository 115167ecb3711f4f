"""Fixtures for the connector tests: world files, a running replay server, a fast retrying client."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, Row, select

from connectors.http import HttpClient, RetryPolicy
from connectors.replay import ReplayServer
from store.config import ChannelConfig
from store.models import Item, ItemKind
from store.schema import item as item_table

FIXTURES = Path(__file__).parent / "fixtures"
FAST_RETRY = RetryPolicy(attempts=5, base_delay=0.01, max_delay=5.0, max_total_wait=30.0)
CLIENT_TIMEOUT = 0.5  # seconds; the replay server's timeout fault stalls longer than this
MASTODON_CHANNEL = ChannelConfig(id="mastodon", platform="mastodon", name="Stadt", account_id="109876543210",
                                 base_url="https://social.musterstadt.de")  # the town of fixtures/mastodon


def load_world(platform: str, now: datetime | None = None) -> tuple[ChannelConfig, list[Item]]:
    """The channel and items of ``fixtures/<platform>/world.json``, times relative to ``now``."""
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    data = json.loads((FIXTURES / platform / "world.json").read_text(encoding="utf-8"))
    channel = ChannelConfig.model_validate(data["channel"])
    return channel, [_item(channel.id, raw, now) for raw in data["items"]]


def _item(channel_id: str, raw: dict[str, Any], now: datetime) -> Item:
    return Item(
        channel_id=channel_id,
        external_id=raw["external_id"],
        kind=ItemKind(raw["kind"]),
        created_at=now - timedelta(minutes=raw["minutes_ago"]),
        text=raw["text"],
        author_id=raw.get("author_id", ""),
        author_name=raw.get("author_name", ""),
        is_own_account=raw.get("is_own_account", False),
        parent_external_id=raw.get("parent"),
        thread_root_external_id=raw.get("root"),
        like_count=raw.get("likes", 0),
        reply_count=raw.get("replies", 0),
        share_count=raw.get("shares", 0),
    )


def observed(item: Item, expected: dict[str, Any]) -> dict[str, Any]:
    """The item's values for exactly the keys the expectation states (``text_startswith`` compares a prefix)."""
    out: dict[str, Any] = {}
    for key, want in expected.items():
        if key == "text_startswith":
            out[key] = item.text[: len(want)]
        elif key == "created_at":
            out[key] = item.created_at.isoformat()
        else:
            value = getattr(item, key)
            out[key] = str(value) if key in ("kind", "state") else value
    return out


def stored_rows(engine: Engine, channel_id: str) -> dict[str, Row[Any]]:
    """The channel's stored item rows by external id."""
    with engine.connect() as conn:
        return {r.external_id: r for r in conn.execute(select(item_table).where(item_table.c.channel_id == channel_id))}


class SleepRecorder(list[float]):
    """An injectable ``sleep`` that records instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def fast_client(sleep: SleepRecorder | None = None, timeout: float = CLIENT_TIMEOUT) -> HttpClient:
    return HttpClient(timeout=timeout, retry=FAST_RETRY, sleep=sleep if sleep is not None else SleepRecorder())


@pytest.fixture
def server() -> Iterator[ReplayServer]:
    with ReplayServer() as srv:
        yield srv
