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


WAL_AUTOCHECKPOINT = 10_000  # pages (40 MiB of 4 KiB pages): SQLite's default is 1,000
WAL_SIZE_LIMIT = 64 * 1024 * 1024  # bytes a WAL file keeps after a checkpoint (it grows while readers hold it)


def sqlite_pragmas(dbapi_conn: Any, _record: Any = None) -> None:
    """The store's settings for every new SQLite connection (an engine ``connect`` listener; the ingest benchmark
    applies it to its raw connection too).

    Durability: WAL with ``synchronous=NORMAL`` makes a commit durable against a crash of the process (the WAL
    frames are in the operating system's hands when ``commit`` returns) and keeps the database consistent on a
    power loss or crash of the operating system, which may roll back the transactions committed since the WAL
    was last synced (at each checkpoint). Each page is stored with its bookmark in one transaction, so a
    rolled-back page is simply read again by the next sync: no gap, no duplicate.

    Checkpoints every ``WAL_AUTOCHECKPOINT`` pages rather than every 1,000: ingest commits one page of items at
    a time, and fewer, larger checkpoints (each two fsyncs and a copy of the changed pages into the database)
    made the ingest benchmark about 10 % faster (wall clock, one page per transaction). The price is a WAL file
    of up to 40 MiB beside the database, and more to roll back on a power loss, as above.
    """
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT}")
    cur.execute(f"PRAGMA journal_size_limit={WAL_SIZE_LIMIT}")
    cur.close()


def make_engine(url: str | None = None) -> Engine:
    """Create an engine for ``url`` (default: :func:`database_url`) with the store's settings."""
    url = url or database_url()
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 10})
        event.listen(engine, "connect", sqlite_pragmas)
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
