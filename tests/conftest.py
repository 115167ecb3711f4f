"""Shared fixtures: a fresh store per test on SQLite and, for tests that ask for it, on PostgreSQL.

Tests that need PostgreSQL or the browser *fail* when it is missing while ``CI`` is set (or
``NETZPFLEGE_REQUIRE_ALL=1``); on a developer machine they skip with the reason.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis.configuration import set_hypothesis_home_dir
from sqlalchemy import Engine

from store.db import make_engine, migrate
from tests.pg import PostgresUnavailable, postgres_cluster

REPO = Path(__file__).resolve().parents[1]
STRICT = bool(os.environ.get("CI") or os.environ.get("NETZPFLEGE_REQUIRE_ALL"))

# Hypothesis keeps its examples and caches with the other tools' under tests/.cache, not at the top level.
set_hypothesis_home_dir(REPO / "tests" / ".cache" / "hypothesis")


def missing(reason: str) -> None:
    """Fail in CI, skip elsewhere: a needed tool that cannot be had never passes silently in CI."""
    if STRICT:
        pytest.fail(f"{reason} (in CI, a missing dependency is a failure)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    try:
        with postgres_cluster() as url:
            yield url
    except PostgresUnavailable as exc:
        missing(str(exc))


def _fresh(url: str) -> Engine:
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        with engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    migrate(engine)
    return engine


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[Engine]:
    engine = _fresh(f"sqlite:///{tmp_path / 'test.db'}")
    yield engine
    engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Engine]:
    """A migrated, empty store — once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'test.db'}"
    else:
        url = request.getfixturevalue("postgres_url")
    eng = _fresh(url)
    yield eng
    eng.dispose()
