"""The town's posting calendar: how often each channel posts, and where the gaps and the shitstorm fall.

One :class:`Plan` holds what all channels share (the team's holiday week, the day of the controversial
post); :func:`post_times` draws each channel's own posts from its cadence target with weekday and hour
habits of a press office.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from random import Random
from zoneinfo import ZoneInfo

#: posts per week (min, max) when a channel has no target of its own (DESIGN.md section 8)
DEFAULT_CADENCE: dict[str, tuple[float, float]] = {
    "rss": (3, 8), "mastodon": (7, 21), "bluesky": (7, 21), "facebook": (3, 5), "instagram": (3, 5),
    "youtube": (0.5, 1),
}  # fmt: skip

_WEEKDAY_WEIGHT = (1.0, 1.0, 1.0, 1.0, 0.9, 0.35, 0.25)
_OFFICE_DAYS = (1.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0)
#: (first hour, last hour, weight) of posting times on working days
_WORKDAY_SLOTS = ((7, 9, 2.0), (9, 12, 3.0), (12, 14, 2.0), (14, 17, 2.0), (17, 20, 0.8))


@dataclass(frozen=True, slots=True)
class Plan:
    """What all channels of the demo town share."""

    start: datetime
    end: datetime
    tz: ZoneInfo
    holiday: date | None  # Monday of the social-media team's holiday week: no social posts
    storm_at: datetime | None  # the controversial post, on every channel at once

    def week_of(self, at: datetime) -> date:
        local = at.astimezone(self.tz).date()
        return local - timedelta(days=local.weekday())


def make_plan(rng: Random, start: datetime, end: datetime, tz: ZoneInfo) -> Plan:
    """Choose the holiday week (around the middle) and the shitstorm day (3–5 weeks before the end)."""
    span = (end - start).days
    first = start.astimezone(tz).date()
    holiday = None
    if span >= 28:
        mid = first + timedelta(days=int(span * rng.uniform(0.4, 0.55)))
        holiday = mid - timedelta(days=mid.weekday())
    storm_at = None
    if span >= 10:
        back = min(span * 0.6, rng.uniform(21, 35)) if span >= 40 else span * 0.4
        day = (end - timedelta(days=back)).astimezone(tz).date()
        day += timedelta(days=rng.choice((1, 2, 3)) - day.weekday())  # Tuesday to Thursday of that week
        if holiday is not None and day - timedelta(days=day.weekday()) == holiday:
            day += timedelta(days=7)
        storm_at = datetime.combine(day, time(10, rng.randrange(0, 50, 5)), tz).astimezone(UTC)
    return Plan(start, end, tz, holiday, storm_at)


def post_times(rng: Random, plan: Plan, platform: str, cadence: tuple[float, float] | None) -> list[datetime]:
    """The channel's own posts (UTC, sorted), its weekly target drawn within ``cadence``, with gaps.

    Social channels post nothing in the holiday week; Facebook, Instagram and YouTube skip one more week,
    Mastodon and Bluesky three days of another; the press feed keeps going (one release in the holiday week).
    """
    low, high = cadence or DEFAULT_CADENCE.get(platform, (3, 5))
    is_press = platform == "rss"
    weeks = _weeks(plan)
    missed = rng.choice([w for w in weeks[1:-1] if w not in (plan.holiday, _storm_week(plan))] or [None])
    out: list[datetime] = []
    for monday in weeks:
        target = rng.uniform(low, high)
        count = int(target) + (rng.random() < target - int(target))
        if monday == plan.holiday:
            count = 1 if is_press else 0
        elif monday == missed and not is_press:
            count = 0 if platform not in ("mastodon", "bluesky") else count
        weights = _OFFICE_DAYS if is_press else _WEEKDAY_WEIGHT
        for _ in range(count):
            day = monday + timedelta(days=rng.choices(range(7), weights)[0])
            if monday == missed and platform in ("mastodon", "bluesky") and day.weekday() in (2, 3, 4):
                continue
            at = datetime.combine(day, _post_clock(rng, day, is_press), plan.tz).astimezone(UTC)
            if plan.start <= at <= plan.end:
                out.append(at)
    return sorted(out)


def _weeks(plan: Plan) -> list[date]:
    monday = plan.week_of(plan.start)
    last = plan.week_of(plan.end)
    weeks = []
    while monday <= last:
        weeks.append(monday)
        monday += timedelta(days=7)
    return weeks


def _storm_week(plan: Plan) -> date | None:
    return plan.week_of(plan.storm_at) if plan.storm_at else None


def _post_clock(rng: Random, day: date, is_press: bool) -> time:
    if is_press:
        return time(rng.randint(9, 15), rng.randrange(0, 60, 5))
    if day.weekday() >= 5:
        return time(rng.randint(9, 12), rng.randrange(60))
    first, last, _ = rng.choices(_WORKDAY_SLOTS, [w for *_, w in _WORKDAY_SLOTS])[0]
    return time(rng.randint(first, last - 1), rng.randrange(60), rng.randrange(60))
