"""Pure figure builders: the right traces, German formats, spikes marked where they are."""

from __future__ import annotations

from datetime import date

import pandas as pd

from dashboard.figures import CHANNEL, COMMENTS, DAY, POSTS, daily_comments, own_posts
from dashboard.tables import days_frame, spikes_frame
from store.queries import DayCount, Spike

NAMES = {"fb": "Facebook", "ma": "Mastodon"}
COUNTS = [
    DayCount("fb", date(2026, 11, 22), 5, 1), DayCount("fb", date(2026, 11, 23), 40, 0),
    DayCount("ma", date(2026, 11, 22), 2, 2), DayCount("ma", date(2026, 11, 23), 3, 2),
]


def test_daily_comments_one_line_per_channel() -> None:
    fig = daily_comments(days_frame(COUNTS, NAMES))
    assert [t.name for t in fig.data] == ["Facebook", "Mastodon"]
    assert list(fig.data[0].y) == [5, 40] and list(fig.data[1].y) == [2, 3]
    assert fig.layout.separators == ",."
    assert fig.layout.xaxis.tickformat == "%d.%m."
    assert fig.layout.title.text == "Bürgerkommentare pro Tag und Kanal"


def test_daily_comments_marks_spikes_at_their_value() -> None:
    spikes = spikes_frame([Spike("fb", date(2026, 11, 23), 40, 5.0, 1.0)], NAMES)
    fig = daily_comments(days_frame(COUNTS, NAMES), spikes)
    marker = fig.data[-1]
    assert marker.name == "Auffälliger Anstieg"
    assert list(marker.y) == [40]
    assert pd.Timestamp(marker.x[0]) == pd.Timestamp("2026-11-23")


def test_daily_comments_without_spikes_has_no_marker_trace() -> None:
    fig = daily_comments(days_frame(COUNTS, NAMES), spikes_frame([], NAMES))
    assert [t.name for t in fig.data] == ["Facebook", "Mastodon"]


def test_own_posts_stacked_bars() -> None:
    fig = own_posts(days_frame(COUNTS, NAMES))
    assert fig.layout.barmode == "stack"
    assert [(t.type, t.name, list(t.y)) for t in fig.data] == [("bar", "Facebook", [1, 0]), ("bar", "Mastodon", [2, 2])]


def test_empty_frame_gives_an_empty_figure() -> None:
    empty = pd.DataFrame(columns=[DAY, CHANNEL, COMMENTS, POSTS])
    assert len(daily_comments(empty).data) == 0
    assert len(own_posts(empty).data) == 0
