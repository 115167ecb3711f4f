"""Dashboard queries against the seeded fixture, on SQLite and PostgreSQL, with the fixture's stated numbers."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from store.queries import (
    DayCount,
    QueueFilter,
    channel_names,
    channel_statuses,
    daily_activity,
    day_start_utc,
    fill_days,
    find_spikes,
    has_items,
    local_day,
    open_cases,
    queue_counts,
    summary_since,
    utc_offsets,
)
from store.schema import case, item
from tests.dashboard.seed import FIXED_NOW, Seeded, seed


@pytest.fixture
def seeded(engine: Engine) -> Seeded:
    return seed(engine, FIXED_NOW)


def _external_ids(engine: Engine, case_ids: list[int]) -> list[str]:
    with engine.connect() as conn:
        rows = dict(conn.execute(select(case.c.id, item.c.external_id).join(item, item.c.id == case.c.item_id)).all())
    return [rows[c] for c in case_ids]


def test_queue_is_ordered_by_deadline_with_overdue_first(engine: Engine, seeded: Seeded) -> None:
    with engine.connect() as conn:
        rows = open_cases(conn)
        counts = queue_counts(conn, FIXED_NOW)
    assert _external_ids(engine, [r.case_id for r in rows]) == seeded.expected["queue_order"]
    assert (counts.open, counts.overdue, counts.emergencies) == tuple(seeded.expected["queue_counts"].values())


def test_queue_row_carries_text_reasons_and_local_facts(engine: Engine, seeded: Seeded) -> None:
    with engine.connect() as conn:
        rows = {r.case_id: r for r in open_cases(conn)}
    pii = rows[seeded.case_ids["c-pii"]]
    assert pii.text == seeded.text("c-pii")
    assert pii.channel_name == "Facebook-Seite Stadt Musterstadt"
    assert pii.reasons == ("Beschwerdebegriff „wirft seinen Müll“",
                           "Personenbezogene Daten: Postanschrift, Telefonnummer")
    assert not pii.is_question and rows[seeded.case_ids["c-frist"]].is_question
    assert pii.pii_kinds == ("address", "phone")
    assert pii.due_at == FIXED_NOW - timedelta(minutes=90)
    insult = rows[seeded.case_ids["c-insult"]]
    assert (insult.state, insult.assignee) == ("claimed", "moderator1")
    assert insult.abuse_categories == ("insult",)
    assert insult.criminal_hints == ("§ 185 StGB",)
    assert rows[seeded.case_ids["c-email"]].due_at is None


def test_queue_filters(engine: Engine, seeded: Seeded) -> None:
    for case_spec in seeded.expected["filtered"]:
        flt = QueueFilter(channels=tuple(case_spec.get("channels", ())),
                          urgencies=tuple(case_spec.get("urgencies", ())),
                          states=tuple(case_spec.get("states", ("new", "claimed"))),
                          search=case_spec.get("search", ""))
        with engine.connect() as conn:
            rows = open_cases(conn, flt)
            counts = queue_counts(conn, FIXED_NOW, flt)
        assert _external_ids(engine, [r.case_id for r in rows]) == case_spec["order"], case_spec
        assert (counts.open, counts.overdue, counts.emergencies) == (
            len(case_spec["order"]), case_spec["overdue"], case_spec["emergencies"]), case_spec


def test_queue_pages_in_sql(engine: Engine, seeded: Seeded) -> None:
    with engine.connect() as conn:
        first = open_cases(conn, limit=3)
        second = open_cases(conn, limit=3, offset=3)
    assert _external_ids(engine, [r.case_id for r in first + second]) == seeded.expected["queue_order"][:6]


def test_summary_since_yesterday(engine: Engine, seeded: Seeded) -> None:
    since = day_start_utc(seeded.day(-1))
    with engine.connect() as conn:
        summary = summary_since(conn, since, FIXED_NOW)
    expected = seeded.expected["summary_since_yesterday"]
    assert {k: getattr(summary, k) for k in expected} == expected


def test_daily_activity_per_local_day(engine: Engine, seeded: Seeded) -> None:
    first, last = seeded.day(-45), seeded.day(0)
    with engine.connect() as conn:
        counts = fill_days(daily_activity(conn, first, last), ["facebook", "mastodon", "presse-rss"], first, last)
    by_key = {(c.channel_id, c.day): (c.comments, c.own_posts) for c in counts}
    assert len(counts) == 3 * 46
    for channel_id, days in seeded.expected["daily"].items():
        if channel_id == "about":
            continue
        for offset, expected in days.items():
            assert by_key[(channel_id, seeded.day(offset))] == tuple(expected), (channel_id, offset)


def test_daily_activity_respects_the_window(engine: Engine, seeded: Seeded) -> None:
    with engine.connect() as conn:
        counts = daily_activity(conn, seeded.day(-1), seeded.day(-1))
    assert {(c.channel_id, c.comments, c.own_posts) for c in counts} == {
        ("facebook", 40, 1), ("mastodon", 3, 2), ("presse-rss", 0, 1)}


def test_spikes_in_the_last_14_days(engine: Engine, seeded: Seeded) -> None:
    first, last = seeded.day(-13), seeded.day(0)
    with engine.connect() as conn:
        counts = fill_days(daily_activity(conn, first - timedelta(days=14), last),
                           channel_names(conn), first - timedelta(days=14), last)
    spikes = find_spikes(counts, first)
    expected = [(s["channel"], seeded.day(s["day"]), s["comments"]) for s in seeded.expected["spikes_last_14_days"]]
    assert [(s.channel_id, s.day, s.comments) for s in spikes] == expected
    assert 4.5 < spikes[0].baseline_mean < 5.5


def test_channel_statuses_and_names(engine: Engine, seeded: Seeded) -> None:
    with engine.connect() as conn:
        statuses = {s.id: s for s in channel_statuses(conn)}
        names = channel_names(conn)
        assert has_items(conn)
    assert names["presse-rss"] == "Pressemitteilungen (Website)"
    assert statuses["facebook"].last_success_at == FIXED_NOW - timedelta(minutes=30)
    assert statuses["facebook"].last_error is None
    assert statuses["mastodon"].last_error == "HTTP 503 von social.musterstadt.de"
    assert statuses["mastodon"].last_error_at == FIXED_NOW - timedelta(minutes=15)
    assert statuses["presse-rss"].last_success_at is None


def test_empty_store(engine: Engine) -> None:
    with engine.connect() as conn:
        assert not has_items(conn)
        assert open_cases(conn) == []
        assert (queue_counts(conn, FIXED_NOW).open, queue_counts(conn, FIXED_NOW).overdue) == (0, 0)
        assert daily_activity(conn, date(2026, 11, 1), date(2026, 11, 24)) == []
        assert summary_since(conn, FIXED_NOW, FIXED_NOW).new_comments == 0


# --- pure helpers ------------------------------------------------------------------------------


def test_utc_offsets_find_the_dst_switch() -> None:
    start = datetime(2026, 10, 20, tzinfo=UTC)
    segments = utc_offsets(start, datetime(2026, 11, 1, tzinfo=UTC), "Europe/Berlin")
    assert segments == [(start, 120), (datetime(2026, 10, 25, 1, 0, tzinfo=UTC), 60)]


def test_local_day_sql_for_sqlite_has_one_branch_per_offset() -> None:
    sql = str(local_day(item.c.created_at, "sqlite", "Europe/Berlin", datetime(2026, 10, 20, tzinfo=UTC),
                        datetime(2026, 11, 1, tzinfo=UTC)).compile(compile_kwargs={"literal_binds": True}))
    assert "+120 minutes" in sql and "+60 minutes" in sql and "CASE" in sql


def _series(channel: str, comments: list[int], first: date) -> list[DayCount]:
    return [DayCount(channel, first + timedelta(days=i), c, 0) for i, c in enumerate(comments)]


def test_spike_rule_mean_plus_three_sd() -> None:
    first = date(2026, 11, 1)
    flat = [10, 12, 10, 12, 10, 12, 10, 12, 10, 12, 10, 12, 10, 12]  # mean 11, sd 1 -> threshold 14
    assert find_spikes(_series("fb", flat + [14], first), first + timedelta(days=14)) == []
    spikes = find_spikes(_series("fb", flat + [15], first), first + timedelta(days=14))
    assert [(s.day, s.comments, s.baseline_mean, s.baseline_sd) for s in spikes] == [
        (first + timedelta(days=14), 15, 11.0, 1.0)]


def test_spike_rule_needs_volume_and_history() -> None:
    first = date(2026, 11, 1)
    assert find_spikes(_series("fb", [0] * 14 + [9], first), first) == []  # below min_count
    assert find_spikes(_series("fb", [0] * 10 + [1, 1, 1, 1, 50], first), first) == []  # new channel
    assert len(find_spikes(_series("fb", [1] * 14 + [50], first), first)) == 1
