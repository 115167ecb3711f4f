"""When things happen in the demo town: staffed hours of the social-media desk and human timing.

Citizens comment mostly in the first two days after a post and more in the evening; the town answers
within staffed hours (policy: Mon–Wed 8–16, Thu 8–18, Fri 8–13, no public holidays of the Land), emergencies
at once, most questions within their SLA, some late.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from random import Random
from zoneinfo import ZoneInfo

import holidays

from store.config import WEEKDAYS, StaffedHours

#: relative activity of citizens per local hour of day (evening peak)
HOUR_WEIGHT = (0.15, 0.08, 0.05, 0.04, 0.04, 0.08, 0.25, 0.45, 0.55, 0.6, 0.6, 0.65,
               0.75, 0.65, 0.6, 0.6, 0.7, 0.8, 0.9, 1.0, 1.0, 0.95, 0.7, 0.35)  # fmt: skip

HOUR = 3600.0


@lru_cache(maxsize=8)
def _holidays(land: str, years: tuple[int, ...]) -> frozenset[date]:
    return frozenset(holidays.country_holidays("DE", subdiv=land, years=years))


class StaffedClock:
    """Adds staffed minutes to a point in time, skipping nights, weekends and public holidays."""

    def __init__(self, hours: StaffedHours, land: str = "NW", timezone: str = "Europe/Berlin") -> None:
        self.tz = ZoneInfo(timezone)
        self._hours = [getattr(hours, day) for day in WEEKDAYS]
        self._land = land

    def window(self, day: date) -> tuple[datetime, datetime] | None:
        """The staffed span of one local day (aware datetimes), None when nobody is on duty."""
        span = self._hours[day.weekday()]
        if span is None or day in _holidays(self._land, (day.year - 1, day.year, day.year + 1)):
            return None
        return datetime.combine(day, span[0], self.tz), datetime.combine(day, span[1], self.tz)

    def is_staffed(self, at: datetime) -> bool:
        local = at.astimezone(self.tz)
        span = self.window(local.date())
        return span is not None and span[0] <= local < span[1]

    def add(self, at: datetime, minutes: float) -> datetime:
        """``at`` plus ``minutes`` of staffed time (UTC). Work starts at the next staffed moment."""
        remaining = timedelta(minutes=minutes)
        cursor = at.astimezone(self.tz)
        for _ in range(400):
            span = self.window(cursor.date())
            if span is not None and cursor < span[1]:
                begin = max(cursor, span[0])
                if begin + remaining <= span[1]:
                    return (begin + remaining).astimezone(UTC)
                remaining -= span[1] - begin
            cursor = datetime.combine(cursor.date() + timedelta(days=1), time(0), self.tz)
        raise ValueError("keine Dienstzeiten konfiguriert")


    def between(self, start: datetime, end: datetime) -> float:
        """Staffed minutes from ``start`` to ``end`` (0 when ``end`` is not later)."""
        total = timedelta()
        day = start.astimezone(self.tz).date()
        while day <= end.astimezone(self.tz).date():
            span = self.window(day)
            if span is not None:
                overlap = min(span[1], end) - max(span[0], start)
                total += max(overlap, timedelta())
            day += timedelta(days=1)
        return total.total_seconds() / 60


def local_hour(at: datetime, tz: ZoneInfo) -> int:
    return at.astimezone(tz).hour


def evening_weighted(rng: Random, after: datetime, delay: Callable[[Random], float], tz: ZoneInfo) -> datetime:
    """``after`` plus a delay drawn from ``delay(rng)`` (seconds), thinned by the hour-of-day weight."""
    at = after
    for _ in range(6):
        at = after + timedelta(seconds=delay(rng))
        if rng.random() < HOUR_WEIGHT[local_hour(at, tz)]:
            break
    return at


def comment_delay(rng: Random) -> float:
    """Seconds from post to comment: most within 48 h, a long tail up to about a month."""
    u = rng.random()
    if u < 0.78:
        return 60 + rng.expovariate(1 / (6 * HOUR))
    if u < 0.92:
        return rng.uniform(12 * HOUR, 48 * HOUR)
    return 48 * HOUR * math.exp(rng.uniform(0, math.log(15)))


def storm_delay(rng: Random) -> float:
    """Seconds from a controversial post to an angry comment: most within a few hours."""
    if rng.random() < 0.9:
        return 30 + rng.expovariate(1 / (2.5 * HOUR))
    return rng.uniform(8 * HOUR, 72 * HOUR)


def reply_delay(rng: Random) -> float:
    """Seconds from a comment to a citizen's reply to it."""
    if rng.random() < 0.85:
        return 40 + rng.expovariate(1 / (1.5 * HOUR))
    return rng.uniform(4 * HOUR, 60 * HOUR)


#: per category: share never answered, share answered late, SLA in staffed minutes
ANSWER_POLICY: dict[str, tuple[float, float, float]] = {
    "notfall": (0.03, 0.1, 15),
    "presse": (0.1, 0.2, 120),
    "frist": (0.2, 0.2, 240),
    "frage": (0.2, 0.2, 480),
    "beschwerde": (0.22, 0.25, 480),
    "pii": (0.55, 0.2, 480),
    "kritik": (0.75, 0.3, 480),
    "lob": (0.85, 0.2, 480),
}


def answer_time(rng: Random, clock: StaffedClock, asked: datetime, category: str) -> datetime | None:
    """When the town's first reply to a citizen item of ``category`` appears (None: never answered)."""
    if category not in ANSWER_POLICY:
        return None
    never, late, sla = ANSWER_POLICY[category]
    if rng.random() < never:
        return None
    if category == "notfall":
        if clock.is_staffed(asked):
            minutes = rng.triangular(2, 40, 6) if rng.random() < late else rng.triangular(1, 15, 5)
            return asked + timedelta(minutes=minutes)
        if rng.random() < 0.5:  # on-call duty reads along out of hours
            return asked + timedelta(minutes=rng.triangular(10, 150, 30))
        return clock.add(asked, rng.triangular(1, 30, 8))
    if rng.random() < late:  # late: 1–3 staffed days past the deadline
        minutes = sla + rng.uniform(0.3, 3.0) * 480
    else:
        minutes = rng.triangular(3, sla, sla / 5)
    return clock.add(asked, minutes)
