"""The database schema (SQLAlchemy Core). Change it only together with an Alembic migration.

Times are stored as naive UTC and handed out as aware UTC (``UTCDateTime``), so SQLite and
PostgreSQL behave the same.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes in, aware UTC datetimes out, naive UTC on disk."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; use aware UTC datetimes")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # raw SQLite text from an aggregate
            value = datetime.fromisoformat(value)
        return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

channel = Table(
    "channel",
    metadata,
    Column("id", String(100), primary_key=True),  # the id from config/channels.yaml
    Column("platform", String(30), nullable=False),
    Column("name", String(200), nullable=False, server_default=""),
    Column("handle", String(200), nullable=False, server_default=""),
    Column("base_url", String(500), nullable=False, server_default=""),
    Column("posts_per_week_min", Float),
    Column("posts_per_week_max", Float),
    Column("settings", JSON, nullable=False, default=dict),
    Column("active", Boolean, nullable=False, server_default="1"),
    Column("last_sync_at", UTCDateTime),
    Column("last_success_at", UTCDateTime),
    Column("last_error", Text),
    Column("last_error_at", UTCDateTime),
    Column("last_counts", JSON),
)

item = Table(
    "item",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("channel_id", String(100), ForeignKey("channel.id"), nullable=False),
    Column("external_id", String(300), nullable=False),
    Column("kind", String(20), nullable=False),
    Column("parent_external_id", String(300)),
    Column("thread_root_external_id", String(300)),
    Column("author_id", String(300), nullable=False, server_default=""),
    Column("author_name", String(300), nullable=False, server_default=""),
    Column("is_own_account", Boolean, nullable=False, server_default="0"),
    Column("created_at", UTCDateTime, nullable=False),
    Column("text", Text, nullable=False, server_default=""),
    Column("url", String(1000), nullable=False, server_default=""),
    Column("like_count", Integer, nullable=False, server_default="0"),
    Column("reply_count", Integer, nullable=False, server_default="0"),
    Column("share_count", Integer, nullable=False, server_default="0"),
    Column("state", String(20), nullable=False, server_default="visible"),
    Column("content_hash", String(32), nullable=False),
    Column("raw", JSON),
    Column("first_seen", UTCDateTime, nullable=False),
    Column("last_seen", UTCDateTime, nullable=False),
    UniqueConstraint("channel_id", "external_id"),
    Index(None, "channel_id", "created_at"),
    Index(None, "channel_id", "parent_external_id"),
    Index(None, "channel_id", "thread_root_external_id"),
    Index(None, "created_at"),
)

item_edit = Table(
    "item_edit",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("item_id", Integer, ForeignKey("item.id", ondelete="CASCADE"), nullable=False, index=True),
    Column("seen_at", UTCDateTime, nullable=False),
    Column("previous_text", Text, nullable=False),
    Column("previous_state", String(20), nullable=False),
)

bookmark = Table(
    "bookmark",
    metadata,
    Column("channel_id", String(100), ForeignKey("channel.id"), primary_key=True),
    Column("stream", String(50), primary_key=True),
    Column("partition", String(300), primary_key=True, server_default=""),
    Column("cursor", Text),
    Column("etag", String(300)),
    Column("last_modified", String(100)),
    Column("newest_at", UTCDateTime),
    Column("extra", JSON),
    Column("updated_at", UTCDateTime, nullable=False),
)

triage = Table(
    "triage",
    metadata,
    Column("item_id", Integer, ForeignKey("item.id", ondelete="CASCADE"), primary_key=True),
    Column("is_question", Boolean, nullable=False),
    Column("urgency", String(30), nullable=False),
    Column("sla_minutes", Integer),
    Column("due_at", UTCDateTime),
    Column("abusive", Boolean, nullable=False, server_default="0"),
    Column("abuse_score", Float, nullable=False, server_default="0"),
    Column("abuse_categories", JSON, nullable=False, default=list),
    Column("criminal_hint", JSON, nullable=False, default=list),
    Column("evidence", JSON, nullable=False, default=dict),
    Column("pii", JSON, nullable=False, default=list),
    Column("sentiment", Float, nullable=False, server_default="0"),
    Column("subjectivity", Float, nullable=False, server_default="0"),
    Column("reasons", JSON, nullable=False, default=list),
    Column("model_version", String(100), nullable=False),
    Column("triaged_at", UTCDateTime, nullable=False),
    Index(None, "urgency"),
)

case = Table(
    "case",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("item_id", Integer, ForeignKey("item.id", ondelete="CASCADE"), nullable=False, unique=True),
    Column("channel_id", String(100), ForeignKey("channel.id"), nullable=False),
    # new -> claimed -> answered | hidden | deleted | escalated | dismissed
    Column("state", String(20), nullable=False, server_default="new"),
    Column("urgency", String(30), nullable=False),
    Column("reasons", JSON, nullable=False, default=list),
    Column("opened_at", UTCDateTime, nullable=False),
    Column("due_at", UTCDateTime),
    Column("assignee", String(100)),
    Column("claimed_at", UTCDateTime),
    Column("department", String(200)),
    Column("notes", Text),
    Column("first_response_at", UTCDateTime),
    Column("closed_at", UTCDateTime),
    Index(None, "state", "due_at"),
    Index(None, "channel_id", "state"),
)

action = Table(
    "action",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("case_id", Integer, ForeignKey("case.id")),
    Column("item_id", Integer, ForeignKey("item.id")),
    Column("actor", String(100), nullable=False),
    Column("at", UTCDateTime, nullable=False),
    Column("kind", String(30), nullable=False),
    Column("rule_id", String(50)),
    Column("legal_basis", Text),
    Column("note", Text),
    Column("snapshot", JSON),
    Column("snapshot_sha256", String(64)),
    Column("platform_result", Text),
    Index(None, "at"),
)

checklist_status = Table(
    "checklist_status",
    metadata,
    Column("channel_id", String(100), ForeignKey("channel.id"), primary_key=True),
    Column("check_id", String(20), primary_key=True),
    Column("status", String(20), nullable=False, server_default="open"),  # open | ok | issue | n/a
    Column("evidence", Text),
    Column("reviewed_by", String(100)),
    Column("reviewed_at", UTCDateTime),
    Column("next_review_due", UTCDateTime),
)

user = Table(
    "user",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("login", String(100), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False, server_default=""),
    Column("role", String(20), nullable=False),  # admin | press | moderator | management | dpo
    Column("password_hash", String(300)),
    Column("external_identity", String(300)),
    Column("created_at", UTCDateTime, nullable=False),
)
