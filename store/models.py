"""Plain data records that cross the package boundaries (connector -> store -> moderation -> dashboard).

Dataclasses with slots rather than pydantic models: ingestion builds tens of thousands of them a
second, and they carry no validation logic of their own (connectors validate the platform data).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any


class ItemKind(StrEnum):
    POST = "post"
    COMMENT = "comment"
    REPLY = "reply"
    MESSAGE = "message"


class ItemState(StrEnum):
    VISIBLE = "visible"
    HIDDEN = "hidden"
    DELETED = "deleted"  # gone upstream; the row is kept, never dropped


@dataclass(slots=True)
class Item:
    """A post, comment, reply or direct message as one connector saw it.

    The natural key is (channel_id, external_id). ``parent_external_id`` and
    ``thread_root_external_id`` reference other items of the same channel by external id, so a
    page can be stored without first resolving database ids.
    """

    channel_id: str
    external_id: str
    kind: ItemKind
    created_at: datetime  # aware, UTC
    text: str  # plain text; HTML already converted
    author_id: str = ""
    author_name: str = ""
    is_own_account: bool = False
    parent_external_id: str | None = None
    thread_root_external_id: str | None = None
    url: str = ""
    like_count: int = 0
    reply_count: int = 0
    share_count: int = 0
    state: ItemState = ItemState.VISIBLE
    raw: dict[str, Any] | None = None

    def content_hash(self) -> str:
        """Hash of what counts as an edit: the text and the visibility state."""
        return content_digest(self.text, self.state)


def content_digest(text: str, state: str) -> str:
    """The hash that tells an edit (changed text or visibility) from an unchanged re-read."""
    return hashlib.blake2b(f"{state}\x00{text}".encode(), digest_size=12).hexdigest()


@dataclass(slots=True)
class Bookmark:
    """Where a stream left off for one (channel, stream, partition)."""

    channel_id: str
    stream: str
    partition: str = ""
    cursor: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    newest_at: datetime | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def utcnow() -> datetime:
    """The current time, aware and in UTC (the only time zone the store holds)."""
    return datetime.now(UTC)
