"""SLA deadlines in staffed hours: only the desk's opening hours on working days of the Land count.

With a desk staffed Friday until 13:00 and Monday from 08:00, a four-staffed-hour SLA makes a comment of
Friday 12:00 due Monday 11:00 (one hour on Friday, three on Monday) and one of Friday 14:00 due Monday 12:00.
Durations are real elapsed time, so hours around
a DST switch count as they pass; staffed hours are wall-clock times in ``policy.timezone``. Public holidays
come from the ``holidays`` package (``Germany`` with ``subdiv=policy.land``).

Datetimes in and out are aware UTC; a naive datetime is read as UTC (SQLite returns naive values).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from store.config import WEEKDAYS, Policy

#: staffed time is searched at most this far ahead; a policy without any staffed day fails loudly
_HORIZON_DAYS = 400


@lru_cache(maxsize=256)
def _holidays(land: str, year: int) -> frozenset[date]:
    """Public holidays of ``land`` in ``year`` (memoised: building the calendar costs ~1 ms)."""
    return frozenset(holidays.country_holidays("DE", subdiv=land, years=year).keys())


def is_holiday(day: date, land: str) -> bool:
    """Whether ``day`` is a public holiday in the Land ``land`` (e.g. ``"NW"``)."""
    return day in _holidays(land, day.year)


def _utc(moment: datetime) -> datetime:
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def _span(day: date, policy: Policy, zone: ZoneInfo) -> tuple[datetime, datetime] | None:
    """The staffed span of one local calendar day in UTC, or None (no staffing, weekend, holiday)."""
    hours: tuple[time, time] | None = getattr(policy.staffed_hours, WEEKDAYS[day.weekday()])
    if hours is None or is_holiday(day, policy.land):
        return None
    start = datetime.combine(day, hours[0], tzinfo=zone).astimezone(UTC)
    end = datetime.combine(day, hours[1], tzinfo=zone).astimezone(UTC)
    return (start, end) if start < end else None


def _spans_from(moment: datetime, policy: Policy) -> Iterator[tuple[datetime, datetime]]:
    """Staffed spans (UTC) that end after ``moment``, in order, clipped to start no earlier than it."""
    zone = ZoneInfo(policy.timezone)
    day = moment.astimezone(zone).date() - timedelta(days=1)  # a span may start the local day before
    for offset in range(_HORIZON_DAYS):
        span = _span(day + timedelta(days=offset), policy, zone)
        if span is not None and span[1] > moment:
            yield max(span[0], moment), span[1]
    raise ValueError(f"Keine Dienstzeit innerhalb von {_HORIZON_DAYS} Tagen: staffed_hours in policy.yaml prüfen")


def due_at(created_at: datetime, minutes: int, clock: str, policy: Policy) -> datetime:
    """When an answer is due: ``minutes`` after ``created_at`` in calendar time or in staffed time.

    Args:
        created_at: arrival of the comment (aware; naive is read as UTC).
        minutes: the SLA; zero or less means due at arrival.
        clock: ``"calendar"`` (every minute counts) or ``"staffed"`` (only staffed hours on working days).
        policy: staffed hours, time zone and Land.
    Returns:
        The deadline as aware UTC.
    Raises:
        ValueError: unknown clock, or no staffed hours at all in the policy.
    """
    start = _utc(created_at)
    if clock not in ("calendar", "staffed"):
        raise ValueError(f"Unbekannte Uhr {clock!r}: erlaubt sind 'staffed' und 'calendar'")
    if minutes <= 0:
        return start
    if clock == "calendar":
        return start + timedelta(minutes=minutes)
    remaining = timedelta(minutes=minutes)
    for begin, end in _spans_from(start, policy):
        if end - begin >= remaining:
            return begin + remaining
        remaining -= end - begin
    raise AssertionError("unreachable")  # pragma: no cover - _spans_from raises at its horizon


def staffed_minutes_between(start: datetime, end: datetime, policy: Policy) -> float:
    """Staffed minutes between two moments (negative if ``end`` precedes ``start``), for response times."""
    a, b = _utc(start), _utc(end)
    if b < a:
        return -staffed_minutes_between(b, a, policy)
    total = timedelta()
    zone = ZoneInfo(policy.timezone)
    day, last = a.astimezone(zone).date() - timedelta(days=1), b.astimezone(zone).date()
    while day <= last:
        span = _span(day, policy, zone)
        if span is not None:
            lo, hi = max(span[0], a), min(span[1], b)
            if hi > lo:
                total += hi - lo
        day += timedelta(days=1)
    return total.total_seconds() / 60
