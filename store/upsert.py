"""INSERT … ON CONFLICT DO UPDATE for SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite


def upsert_row(conn: Connection, table: Table, values: Mapping[str, Any], key: Sequence[str]) -> None:
    """Insert ``values`` or, when a row with the same ``key`` columns exists, update the other columns."""
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table).values(dict(values))
    rest = {c: stmt.excluded[c] for c in values if c not in key}
    if rest:
        conn.execute(stmt.on_conflict_do_update(index_elements=list(key), set_=rest))
    else:
        conn.execute(stmt.on_conflict_do_nothing(index_elements=list(key)))
