"""Read-only queries for the dashboard: the moderation queue and the morning "Lagebild".

Aggregates run in the database and lists are limited there, so the pages stay fast with a million
items. Every function takes an open :class:`~sqlalchemy.Connection` and returns plain records; the
dashboard turns them into DataFrames. "Per day" means per calendar day in the municipality's time
zone (``Europe/Berlin`` by default), on SQLite as on PostgreSQL (see :func:`local_day`).
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Connection,
    Date,
    and_,
    case,
    cast,
    exists,
    false,
    func,
    or_,
    select,
    true,
    type_coerce,
)
from sqlalchemy.sql.elements import ColumnElement

from store.schema import case as case_t
from store.schema import channel, item, triage

#: case states that still need a moderator
OPEN_STATES: tuple[str, ...] = ("new", "claimed")
#: item kinds written by citizens (posts are the municipality's own or a page's timeline)
CITIZEN_KINDS: tuple[str, ...] = ("comment", "reply", "message")
#: the urgency class that counts as an emergency (top of the default ladder in config/policy.yaml)
EMERGENCY = "notfall"
DEFAULT_TZ = "Europe/Berlin"


# --- records ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class QueueFilter:
    """What the moderator narrowed the queue to; empty tuples mean "all"."""

    channels: tuple[str, ...] = ()
    urgencies: tuple[str, ...] = ()
    states: tuple[str, ...] = OPEN_STATES
    search: str = ""  # case-insensitive substring of comment text or author name


@dataclass(frozen=True, slots=True)
class QueueCounts:
    open: int  # cases matching the filter
    overdue: int  # of those, past their deadline
    emergencies: int  # of those, in the emergency class


@dataclass(frozen=True, slots=True)
class QueueRow:
    """One open case with the comment it is about and why it is in the queue."""

    case_id: int
    channel_id: str
    channel_name: str
    urgency: str
    state: str
    assignee: str | None
    opened_at: datetime
    due_at: datetime | None
    created_at: datetime
    text: str
    author_name: str
    url: str
    is_question: bool = False
    reasons: tuple[str, ...] = ()  # German sentences from triage; they may quote the citizen
    abuse_categories: tuple[str, ...] = ()
    pii_kinds: tuple[str, ...] = ()
    criminal_hints: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class DayCount:
    """Activity of one channel on one local calendar day."""

    channel_id: str
    day: date
    comments: int  # citizens' comments, replies and messages
    own_posts: int


@dataclass(frozen=True, slots=True)
class Summary:
    """The morning figures: what came in since ``since`` and what is open now."""

    new_comments: int
    own_posts: int
    emergencies: int  # items triaged as emergency since ``since``
    flagged: int  # items flagged as abusive since ``since``
    open_cases: int
    overdue: int


@dataclass(frozen=True, slots=True)
class Spike:
    """A day whose comment count stands out from the channel's previous days (shitstorm warning)."""

    channel_id: str
    day: date
    comments: int
    baseline_mean: float
    baseline_sd: float


@dataclass(frozen=True, slots=True)
class ChannelStatus:
    id: str
    name: str
    platform: str
    active: bool
    last_sync_at: datetime | None
    last_success_at: datetime | None
    last_error: str | None
    last_error_at: datetime | None


# --- time helpers ----------------------------------------------------------------------------


def day_start_utc(day: date, tz: str = DEFAULT_TZ) -> datetime:
    """The UTC instant at which local calendar ``day`` begins in time zone ``tz``."""
    return datetime.combine(day, time(0), tzinfo=ZoneInfo(tz)).astimezone(UTC)


def local_date(at: datetime, tz: str = DEFAULT_TZ) -> date:
    """The local calendar day of the aware instant ``at``."""
    return at.astimezone(ZoneInfo(tz)).date()


def utc_offsets(start: datetime, end: datetime, tz: str) -> list[tuple[datetime, int]]:
    """The UTC offsets (minutes) of ``tz`` in force over [start, end): ``(from_instant, minutes)`` pairs.

    Scans in 15-minute steps, the granularity of every real time zone's transitions.
    """
    zone = ZoneInfo(tz)

    def minutes(at: datetime) -> int:
        offset = at.astimezone(zone).utcoffset()
        return int(offset.total_seconds() // 60) if offset is not None else 0

    segments = [(start, minutes(start))]
    at = start.replace(minute=start.minute - start.minute % 15, second=0, microsecond=0) + timedelta(minutes=15)
    while at < end:
        current = minutes(at)
        if current != segments[-1][1]:
            segments.append((at, current))
        at += timedelta(minutes=15)
    return segments


def local_day(column: ColumnElement[datetime], dialect: str, tz: str, start: datetime,
              end: datetime) -> ColumnElement[date]:
    """SQL for the local calendar day of a stored UTC ``column``, valid for values in [start, end).

    PostgreSQL converts with ``AT TIME ZONE``. SQLite knows no time zones: the offsets in force over
    the range come from Python's zoneinfo and a CASE shifts each value by the right one.
    """
    if dialect == "postgresql":
        return cast(func.timezone(tz, func.timezone("UTC", column)), Date)
    segments = utc_offsets(start, end, tz)

    def shifted(minutes: int) -> ColumnElement[Any]:
        return func.date(column, f"{minutes:+d} minutes")

    if len(segments) == 1:
        return type_coerce(shifted(segments[0][1]), Date)
    whens = [(column < nxt_start, shifted(minutes))
             for (_s, minutes), (nxt_start, _m) in zip(segments, segments[1:], strict=False)]
    return type_coerce(case(*whens, else_=shifted(segments[-1][1])), Date)


def _as_date(value: date | str) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


# --- the queue -------------------------------------------------------------------------------


def _queue_conditions(flt: QueueFilter) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = [case_t.c.state.in_(flt.states)] if flt.states else []
    if flt.channels:
        conds.append(case_t.c.channel_id.in_(flt.channels))
    if flt.urgencies:
        conds.append(case_t.c.urgency.in_(flt.urgencies))
    needle = flt.search.strip()
    if needle:
        conds.append(or_(item.c.text.icontains(needle, autoescape=True),
                         item.c.author_name.icontains(needle, autoescape=True)))
    return conds


def queue_counts(conn: Connection, now: datetime, flt: QueueFilter = QueueFilter(),
                 emergency: str = EMERGENCY) -> QueueCounts:
    """How many cases match ``flt``, how many of them are overdue at ``now``, how many are emergencies."""
    overdue = func.coalesce(func.sum(case((case_t.c.due_at < now, 1), else_=0)), 0)
    urgent = func.coalesce(func.sum(case((case_t.c.urgency == emergency, 1), else_=0)), 0)
    stmt = select(func.count(), overdue, urgent).select_from(case_t)
    if flt.search.strip():
        stmt = stmt.join(item, item.c.id == case_t.c.item_id)
    row = conn.execute(stmt.where(*_queue_conditions(flt))).one()
    return QueueCounts(int(row[0]), int(row[1]), int(row[2]))


def _strings(values: Any, key: str) -> tuple[str, ...]:
    """Strings from a JSON list whose entries are strings or objects with ``key``."""
    out = []
    for v in values or ():
        if isinstance(v, str):
            out.append(v)
        elif isinstance(v, dict) and isinstance(v.get(key), str):
            out.append(v[key])
    return tuple(dict.fromkeys(out))


def open_cases(conn: Connection, flt: QueueFilter = QueueFilter(), *, limit: int = 500,
               offset: int = 0) -> list[QueueRow]:
    """Cases matching ``flt``, soonest deadline first (overdue on top, no deadline last), paged in SQL."""
    def deadline_order(c: Any) -> list[ColumnElement[Any]]:
        return [c.due_at.is_(None), c.due_at, c.opened_at, c.id]

    # pick the page's case ids on the case table alone (its index), then fetch the texts of those only
    page = select(case_t.c.id, case_t.c.due_at, case_t.c.opened_at).where(*_queue_conditions(flt))
    if flt.search.strip():
        page = page.join(item, item.c.id == case_t.c.item_id)
    ids = page.order_by(*deadline_order(case_t.c)).limit(limit).offset(offset).subquery()
    stmt = (
        select(case_t.c.id, case_t.c.channel_id, channel.c.name.label("channel_name"), case_t.c.urgency,
               case_t.c.state, case_t.c.assignee, case_t.c.opened_at, case_t.c.due_at, case_t.c.reasons,
               item.c.created_at, item.c.text, item.c.author_name, item.c.url,
               triage.c.is_question, triage.c.abuse_categories, triage.c.pii, triage.c.criminal_hint)
        .select_from(ids)
        .join(case_t, case_t.c.id == ids.c.id)
        .join(item, item.c.id == case_t.c.item_id)
        .join(channel, channel.c.id == case_t.c.channel_id)
        .outerjoin(triage, triage.c.item_id == case_t.c.item_id)
        .order_by(*deadline_order(ids.c))
    )
    return [
        QueueRow(
            case_id=r.id, channel_id=r.channel_id, channel_name=r.channel_name or r.channel_id,
            urgency=r.urgency, state=r.state, assignee=r.assignee, opened_at=r.opened_at, due_at=r.due_at,
            created_at=r.created_at, text=r.text, author_name=r.author_name, url=r.url,
            is_question=bool(r.is_question), reasons=_strings(r.reasons, "text"),
            abuse_categories=_strings(r.abuse_categories, "category"),
            pii_kinds=_strings(r.pii, "kind"), criminal_hints=_strings(r.criminal_hint, "norm"),
        )
        for r in conn.execute(stmt)
    ]


# --- the Lagebild ----------------------------------------------------------------------------


def _is_comment() -> ColumnElement[bool]:
    return and_(item.c.kind.in_(CITIZEN_KINDS), item.c.is_own_account == false())


def _is_own_post() -> ColumnElement[bool]:
    return and_(item.c.kind == "post", item.c.is_own_account == true())


def daily_activity(conn: Connection, first: date, last: date, tz: str = DEFAULT_TZ) -> list[DayCount]:
    """Citizens' comments and own posts per channel and local day from ``first`` to ``last`` (inclusive).

    Only (channel, day) pairs with activity are returned; see :func:`fill_days` for the zeros.
    """
    start, end = day_start_utc(first, tz), day_start_utc(last + timedelta(days=1), tz)
    day = local_day(item.c.created_at, conn.dialect.name, tz, start, end).label("day")
    comments = func.sum(case((_is_comment(), 1), else_=0))
    posts = func.sum(case((_is_own_post(), 1), else_=0))
    stmt = (
        select(item.c.channel_id, day, comments, posts)
        .where(item.c.created_at >= start, item.c.created_at < end)
        .group_by(item.c.channel_id, day)
        .order_by(item.c.channel_id, day)
    )
    return [DayCount(ch, _as_date(d), int(c), int(p)) for ch, d, c, p in conn.execute(stmt)]


def fill_days(counts: Iterable[DayCount], channel_ids: Iterable[str], first: date, last: date) -> list[DayCount]:
    """Every (channel, day) from ``first`` to ``last``, zeros where ``counts`` has no entry; by channel, day."""
    known = {(c.channel_id, c.day): c for c in counts}
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    return [known.get((ch, d)) or DayCount(ch, d, 0, 0) for ch in channel_ids for d in days]


def find_spikes(counts: Sequence[DayCount], first: date, *, window: int = 14, sigma: float = 3.0,
                min_count: int = 10, min_history: int = 7) -> list[Spike]:
    """Days from ``first`` on whose comments exceed mean + ``sigma``·sd of the ``window`` days before.

    ``counts`` must hold every day (see :func:`fill_days`), including ``window`` days before ``first``.
    A spike also needs at least ``min_count`` comments (a jump from 0 to 3 is no shitstorm) and
    ``min_history`` days of baseline since the channel's first activity (a new channel is no spike).
    Returns the spikes, newest first.
    """
    series: dict[str, list[DayCount]] = defaultdict(list)
    for c in counts:
        series[c.channel_id].append(c)
    spikes = []
    for channel_id, days in series.items():
        days.sort(key=lambda c: c.day)
        active = [i for i, c in enumerate(days) if c.comments]
        if not active:
            continue
        for i, today in enumerate(days):
            if today.day < first or today.comments < min_count:
                continue
            history = [c.comments for c in days[max(i - window, active[0]):i]]
            if len(history) < min_history:
                continue
            mean, sd = statistics.fmean(history), statistics.pstdev(history)
            if today.comments > mean + sigma * sd:
                spikes.append(Spike(channel_id, today.day, today.comments, mean, sd))
    return sorted(spikes, key=lambda s: (s.day, s.comments), reverse=True)


def summary_since(conn: Connection, since: datetime, now: datetime, emergency: str = EMERGENCY) -> Summary:
    """New comments, own posts, emergencies and abusive items since ``since``; open and overdue cases now."""
    recent = item.c.created_at >= since
    counts = conn.execute(
        select(func.coalesce(func.sum(case((_is_comment(), 1), else_=0)), 0),
               func.coalesce(func.sum(case((_is_own_post(), 1), else_=0)), 0)).where(recent)
    ).one()
    flags = conn.execute(
        select(func.coalesce(func.sum(case((triage.c.urgency == emergency, 1), else_=0)), 0),
               func.coalesce(func.sum(case((triage.c.abusive == true(), 1), else_=0)), 0))
        .select_from(triage.join(item, item.c.id == triage.c.item_id))
        .where(recent)
    ).one()
    queue = queue_counts(conn, now, emergency=emergency)
    return Summary(new_comments=int(counts[0]), own_posts=int(counts[1]), emergencies=int(flags[0]),
                   flagged=int(flags[1]), open_cases=queue.open, overdue=queue.overdue)


def channel_statuses(conn: Connection) -> list[ChannelStatus]:
    """Every channel with its last sync outcome, active channels first, then by name."""
    stmt = select(channel).order_by(channel.c.active.desc(), channel.c.name, channel.c.id)
    return [
        ChannelStatus(id=r.id, name=r.name or r.id, platform=r.platform, active=bool(r.active),
                      last_sync_at=r.last_sync_at, last_success_at=r.last_success_at,
                      last_error=r.last_error, last_error_at=r.last_error_at)
        for r in conn.execute(stmt)
    ]


def has_items(conn: Connection) -> bool:
    """Whether anything was ever stored (the pages show a "run demo or sync" hint otherwise)."""
    return bool(conn.execute(select(exists().where(item.c.id.isnot(None)))).scalar())


def channel_names(conn: Connection) -> dict[str, str]:
    """Channel id -> display name, for filters and labels."""
    return {r.id: r.name or r.id for r in conn.execute(select(channel.c.id, channel.c.name).order_by(channel.c.name))}

