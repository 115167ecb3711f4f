"""SLA deadlines in staffed hours: weekends, holidays of the Land, DST, arrivals outside staffed hours."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from moderation.sla import due_at, is_holiday, staffed_minutes_between
from store.config import Policy, StaffedHours, UrgencyClass

BERLIN = ZoneInfo("Europe/Berlin")
CLASSES = [UrgencyClass(id="frage", label="Frage", sla_minutes=480), UrgencyClass(id="info", label="Info")]


def policy(land: str = "NW", **hours: tuple[time, time] | None) -> Policy:
    return Policy(land=land, urgency=CLASSES, staffed_hours=StaffedHours(**hours))  # type: ignore[arg-type]


def local(*args: int) -> datetime:
    """A Berlin wall-clock time as aware UTC."""
    return datetime(*args, tzinfo=BERLIN).astimezone(UTC)  # type: ignore[misc]


NW = policy()


@pytest.mark.parametrize(
    ("created", "minutes", "expected"),
    [
        (local(2025, 5, 16, 12), 240, local(2025, 5, 19, 11)),  # Fri 12:00: 1 h Friday, 3 h Monday
        (local(2025, 5, 16, 14), 240, local(2025, 5, 19, 12)),  # Fri 14:00, after closing: all on Monday
        (local(2025, 5, 17, 10), 60, local(2025, 5, 19, 9)),  # Saturday
        (local(2025, 5, 19, 6), 60, local(2025, 5, 19, 9)),  # before opening
        (local(2025, 5, 19, 17), 60, local(2025, 5, 20, 9)),  # after closing
        (local(2025, 5, 19, 9), 30, local(2025, 5, 19, 9, 30)),  # inside staffed hours
        (local(2025, 5, 19, 15), 60, local(2025, 5, 19, 16)),  # ends exactly at closing time
        (local(2025, 5, 19, 8), 480 * 3, local(2025, 5, 21, 16)),  # three full staffed days
        (local(2025, 10, 2, 17), 240, local(2025, 10, 6, 11)),  # Thu till 18:00; 3 Oct is a holiday
        (local(2025, 12, 24, 15), 240, local(2025, 12, 29, 11)),  # 24 Dec staffed, 25/26 Dec holidays
        (local(2025, 3, 28, 12), 240, local(2025, 3, 31, 11)),  # over the spring DST switch
        (local(2025, 10, 24, 12), 240, local(2025, 10, 27, 11)),  # over the autumn DST switch
    ],
)
def test_staffed_deadlines(created: datetime, minutes: int, expected: datetime) -> None:
    assert due_at(created, minutes, "staffed", NW) == expected


def test_corpus_christi_is_a_holiday_in_nw_but_not_in_be() -> None:
    created = local(2025, 6, 18, 15)  # Wednesday before Fronleichnam (Thu 19 June 2025)
    assert due_at(created, 240, "staffed", NW) == local(2025, 6, 20, 11)
    assert due_at(created, 240, "staffed", policy("BE")) == local(2025, 6, 19, 11)


def test_holiday_calendar() -> None:
    assert is_holiday(datetime(2025, 10, 3).date(), "BE")
    assert not is_holiday(datetime(2025, 12, 24).date(), "NW")
    assert is_holiday(datetime(2025, 6, 19).date(), "NW")
    assert not is_holiday(datetime(2025, 6, 19).date(), "BE")


def test_calendar_clock_ignores_staffed_hours() -> None:
    created = local(2025, 5, 17, 23, 50)  # Saturday night
    assert due_at(created, 15, "calendar", NW) == created + timedelta(minutes=15)


def test_utc_in_utc_out_and_naive_read_as_utc() -> None:
    result = due_at(datetime(2025, 5, 19, 7, 0), 60, "staffed", NW)  # naive 07:00 UTC = 09:00 CEST
    assert result == local(2025, 5, 19, 10) and result.tzinfo == UTC


def test_zero_minutes_is_due_at_arrival_and_bad_clock_fails() -> None:
    created = local(2025, 5, 17, 10)
    assert due_at(created, 0, "staffed", NW) == created
    with pytest.raises(ValueError, match="Unbekannte Uhr"):
        due_at(created, 10, "sometimes", NW)


def test_policy_without_staffed_hours_fails_loudly() -> None:
    never = policy(mon=None, tue=None, wed=None, thu=None, fri=None)
    with pytest.raises(ValueError, match="Keine Dienstzeit"):
        due_at(local(2025, 5, 19, 9), 60, "staffed", never)


def test_dst_day_counts_real_time() -> None:
    night = policy(sun=(time(1), time(4)))
    assert staffed_minutes_between(local(2025, 3, 30, 0), local(2025, 3, 30, 5), night) == 120
    autumn_start = datetime(2025, 10, 25, 22, tzinfo=UTC)  # Sun 26 Oct 00:00 CEST
    assert staffed_minutes_between(autumn_start, autumn_start + timedelta(hours=6), night) == 240


def test_staffed_minutes_between() -> None:
    assert staffed_minutes_between(local(2025, 5, 16, 12), local(2025, 5, 19, 11), NW) == 240
    assert staffed_minutes_between(local(2025, 5, 17, 8), local(2025, 5, 18, 20), NW) == 0
    assert staffed_minutes_between(local(2025, 5, 19, 11), local(2025, 5, 16, 12), NW) == -240


moments = st.datetimes(min_value=datetime(2020, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC))


@settings(max_examples=150, deadline=None)
@given(created=moments, minutes=st.integers(0, 3000), extra=st.integers(0, 3000))
def test_deadline_properties(created: datetime, minutes: int, extra: int) -> None:
    due = due_at(created, minutes, "staffed", NW)
    assert due >= created
    assert due_at(created, minutes + extra, "staffed", NW) >= due  # monotone in the SLA
    assert staffed_minutes_between(created, due, NW) == pytest.approx(minutes)


@settings(max_examples=150, deadline=None)
@given(created=moments, later=st.timedeltas(timedelta(0), timedelta(days=20)), minutes=st.integers(1, 2000))
def test_deadline_is_monotone_in_arrival(created: datetime, later: timedelta, minutes: int) -> None:
    assert due_at(created + later, minutes, "staffed", NW) >= due_at(created, minutes, "staffed", NW)
