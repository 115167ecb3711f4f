"""Display frames and CSV exports built from query records."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from dashboard.tables import (
    QUEUE_COLUMNS,
    csv_bytes,
    days_frame,
    per_day_table,
    queue_export,
    queue_frame,
    status_frame,
)
from store.queries import ChannelStatus, DayCount, QueueRow

NOW = datetime(2026, 11, 24, 13, 5, tzinfo=UTC)
LABELS = {"notfall": "Notfall", "frage": "Frage"}
ROWS = [
    QueueRow(1, "fb", "Facebook", "notfall", "new", None, NOW, NOW - timedelta(minutes=5), NOW,
             "<script>alert(1)</script>\nHilfe", "<b>X</b>", "https://example.org/1", is_question=True),
    QueueRow(2, "fb", "Facebook", "frage", "claimed", "mod", NOW, None, NOW, "![x](http://evil.example/x.png)", "Y",
             "", reasons=("Fragewort „wo“",)),
]


def test_queue_frame_keeps_text_as_plain_strings() -> None:
    frame = queue_frame(ROWS, NOW, "Europe/Berlin", LABELS)
    assert list(frame.columns) == [*QUEUE_COLUMNS, "Überfällig"]
    assert list(frame["Kommentar"]) == ["<script>alert(1)</script> Hilfe", "![x](http://evil.example/x.png)"]
    assert list(frame["Autor"]) == ["<b>X</b>", "Y"]
    assert list(frame["Überfällig"]) == [True, False]
    assert str(frame["Fällig"][0]) == "2026-11-24 14:00:00"  # local wall time for display
    assert list(frame["Frist"]) == ["überfällig seit 5 min", "ohne Frist"]
    assert list(frame["Dringlichkeit"]) == ["Notfall", "Frage"]


def test_queue_export_has_full_text_and_reasons() -> None:
    export = queue_export(ROWS, NOW, "Europe/Berlin", LABELS)
    assert export["Kommentar"][0] == "<script>alert(1)</script>\nHilfe"
    assert export["Begründung"][1] == "Fragewort „wo“"
    assert list(export["Fällig"]) == ["24.11.2026 14:00", ""]


def test_csv_is_for_german_spreadsheets() -> None:
    days = days_frame([DayCount("fb", date(2026, 11, 23), 40, 1)], {"fb": "Facebook"})
    data = csv_bytes(days)
    assert data.startswith("\ufeff".encode())
    assert data.decode("utf-8-sig").splitlines() == ["Tag;Kanal;Bürgerkommentare;Eigene Beiträge",
                                                     "23.11.2026;Facebook;40;1"]


def test_per_day_table_newest_first_with_sum() -> None:
    days = days_frame([DayCount("fb", date(2026, 11, 22), 5, 0), DayCount("ma", date(2026, 11, 22), 2, 1),
                       DayCount("fb", date(2026, 11, 23), 40, 1), DayCount("ma", date(2026, 11, 23), 3, 0)],
                      {"fb": "Facebook", "ma": "Mastodon"})
    table = per_day_table(days)
    assert table.to_dict("records") == [
        {"Tag": "23.11.2026 (Mo)", "Facebook": 40, "Mastodon": 3, "Summe": 43},
        {"Tag": "22.11.2026 (So)", "Facebook": 5, "Mastodon": 2, "Summe": 7},
    ]


def test_status_frame() -> None:
    statuses = [
        ChannelStatus("fb", "Facebook", "facebook", True, NOW, NOW, None, None),
        ChannelStatus("ma", "Mastodon", "mastodon", True, NOW, NOW - timedelta(hours=1), "HTTP 503", NOW),
        ChannelStatus("rss", "Presse", "rss", True, None, None, None, None),
        ChannelStatus("old", "Alt", "youtube", False, None, None, None, None),
    ]
    frame = status_frame(statuses, "Europe/Berlin")
    assert list(frame["Zustand"]) == ["in Ordnung", "Fehler", "noch nie abgerufen", "inaktiv"]
    assert list(frame["Plattform"]) == ["Facebook", "Mastodon", "RSS/Atom", "YouTube"]
    assert frame["Letzter Fehler"][1] == "24.11.2026 14:05"
    assert frame["Letzter Erfolg"][2] == "–"
