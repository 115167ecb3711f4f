"""INSERT … ON CONFLICT DO UPDATE for SQLite and PostgreSQL alike."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Connection, Table
from sqlalchemy.dialects import postgresql, sqlite


def upsert_rows(conn: Connection, table: Table, rows: Sequence[Mapping[str, Any]], key: Sequence[str],
                update: Sequence[str] | None = None) -> None:
    """Insert ``rows``; where a row with the same ``key`` columns exists, update the ``update`` columns
    (default: every column given that is not part of the key)."""
    if not rows:
        return
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(table)
    columns = update if update is not None else [c for c in rows[0] if c not in key]
    if columns:
        stmt = stmt.on_conflict_do_update(index_elements=list(key), set_={c: stmt.excluded[c] for c in columns})
    else:
        stmt = stmt.on_conflict_do_nothing(index_elements=list(key))
    conn.execute(stmt, [dict(r) for r in rows])


def upsert_row(conn: Connection, table: Table, values: Mapping[str, Any], key: Sequence[str]) -> None:
    """Insert ``values`` or, when a row with the same ``key`` columns exists, update the other columns."""
    upsert_rows(conn, table, [values], key)
