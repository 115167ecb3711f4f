"""Cached access to the store and the configuration for the pages.

The engine and the configuration live once per process (``st.cache_resource``); query results are
cached for :data:`TTL_SECONDS` (``st.cache_data``) keyed by the database URL and the minute, so many
moderators refreshing the page cost the database one query a minute.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

import streamlit as st
from sqlalchemy import Engine

from store import queries
from store.config import Config, config_dir, load_config
from store.db import database_url, open_store
from store.models import utcnow
from store.queries import ChannelStatus, DayCount, QueueCounts, QueueFilter, QueueRow, Spike, Summary

TTL_SECONDS = 60
SPIKE_WINDOW = 14  # days of history behind every day checked for a spike


@st.cache_resource(show_spinner=False)
def _engine(url: str) -> Engine:
    return open_store(url)


def engine() -> Engine:
    """The migrated engine for ``NETZPFLEGE_DATABASE_URL`` (or the SQLite default)."""
    return _engine(database_url())


@st.cache_resource(show_spinner=False)
def _config(directory: str) -> Config:
    return load_config(Path(directory))


def config() -> Config:
    """The validated configuration (raises :class:`store.config.ConfigError`)."""
    return _config(str(config_dir()))


def now() -> datetime:
    """The current minute (UTC): the cache key that lets a minute's requests share results."""
    return utcnow().replace(second=0, microsecond=0)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def _has_items(url: str) -> bool:
    with _engine(url).connect() as conn:
        return queries.has_items(conn)


def has_items() -> bool:
    return _has_items(database_url())


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def _channel_names(url: str) -> dict[str, str]:
    with _engine(url).connect() as conn:
        return queries.channel_names(conn)


def channel_names() -> dict[str, str]:
    """Channel id -> display name."""
    return _channel_names(database_url())


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def _queue_counts(url: str, flt: QueueFilter, at: datetime, emergency: str) -> QueueCounts:
    with _engine(url).connect() as conn:
        return queries.queue_counts(conn, at, flt, emergency)


def queue_counts(flt: QueueFilter, at: datetime, emergency: str = queries.EMERGENCY) -> QueueCounts:
    """How many cases match ``flt``, how many are overdue at ``at``, how many are emergencies."""
    return _queue_counts(database_url(), flt, at, emergency)


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def _queue_page(url: str, flt: QueueFilter, limit: int, offset: int) -> list[QueueRow]:
    with _engine(url).connect() as conn:
        return queries.open_cases(conn, flt, limit=limit, offset=offset)


def queue_page(flt: QueueFilter, *, limit: int, offset: int = 0) -> list[QueueRow]:
    """One page of the cases matching ``flt``, soonest deadline first."""
    return _queue_page(database_url(), flt, limit, offset)


@dataclass(frozen=True, slots=True)
class Lagebild:
    summary: Summary
    days: list[DayCount]  # every (channel, day) of the window, zeros included
    spikes: list[Spike]
    statuses: list[ChannelStatus]


@st.cache_data(ttl=TTL_SECONDS, show_spinner=False)
def _lagebild(url: str, first: date, last: date, since: datetime, at: datetime, tz: str,
              emergency: str) -> Lagebild:
    history = first - timedelta(days=SPIKE_WINDOW)
    with _engine(url).connect() as conn:
        channel_ids = list(queries.channel_names(conn))
        counts = queries.fill_days(queries.daily_activity(conn, history, last, tz), channel_ids, history, last)
        return Lagebild(
            summary=queries.summary_since(conn, since, at, emergency),
            days=[c for c in counts if c.day >= first],
            spikes=queries.find_spikes(counts, first, window=SPIKE_WINDOW),
            statuses=queries.channel_statuses(conn),
        )


def lagebild(first: date, last: date, since: datetime, at: datetime, tz: str,
             emergency: str = queries.EMERGENCY) -> Lagebild:
    """Everything the Lagebild shows for the days ``first``…``last`` and the figures since ``since``."""
    return _lagebild(database_url(), first, last, since, at, tz, emergency)
