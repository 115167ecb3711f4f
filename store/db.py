"""Opening the database and bringing its schema up to date.

SQLite (WAL, foreign keys on) in ``./netzpflege.db`` by default; ``NETZPFLEGE_DATABASE_URL`` selects
any other SQLAlchemy URL, PostgreSQL included (``postgresql+psycopg://…``).
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event

DEFAULT_URL = "sqlite:///netzpflege.db"
MIGRATIONS = Path(__file__).parent / "migrations"


class StoreError(Exception):
    """The database cannot be opened or migrated."""


def database_url() -> str:
    """The configured database URL (``NETZPFLEGE_DATABASE_URL``) or the SQLite default."""
    url = os.environ.get("NETZPFLEGE_DATABASE_URL", "").strip() or DEFAULT_URL
    if url.startswith("postgresql://"):  # plain URLs from ops people: use psycopg 3
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.close()


def make_engine(url: str | None = None) -> Engine:
    """Create an engine for ``url`` (default: :func:`database_url`) with the store's settings."""
    url = url or database_url()
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 10})
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True)
    return engine


def _alembic_config(engine: Engine) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


def migrate(engine: Engine) -> None:
    """Apply all pending migrations; a no-op (one cheap query) when the schema is current."""
    cfg = _alembic_config(engine)
    head = ScriptDirectory.from_config(cfg).get_current_head()
    try:
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
    except Exception as exc:  # connection refused, bad URL, unreadable file
        raise StoreError(f"Datenbank nicht erreichbar ({engine.url.render_as_string()}): {exc}") from exc
    if current != head:
        command.upgrade(cfg, "head")


@cache
def _engine_for(url: str) -> Engine:
    engine = make_engine(url)
    migrate(engine)
    return engine


def open_store(url: str | None = None) -> Engine:
    """The migrated engine for ``url``, created once per process (the CLI and each page use this)."""
    return _engine_for(url or database_url())
