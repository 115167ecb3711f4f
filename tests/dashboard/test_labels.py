"""German formats and labels."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from dashboard.labels import (
    deadline_text,
    fmt_date,
    fmt_datetime,
    fmt_duration,
    fmt_int,
    reason_summary,
    status_text,
    truncate,
)
from store.queries import QueueRow

NOW = datetime(2026, 11, 24, 13, 5, tzinfo=UTC)
LABELS = {"notfall": "Notfall", "frist": "Frist / Termin", "beschwerde": "Beschwerde", "frage": "Frage",
          "info": "Keine Aktion"}


def test_de_formats() -> None:
    assert fmt_int(1234567) == "1.234.567"
    assert fmt_date(date(2026, 3, 5)) == "05.03.2026"
    assert fmt_datetime(NOW, "Europe/Berlin") == "24.11.2026 14:05"
    assert fmt_datetime(datetime(2026, 7, 1, 22, 30, tzinfo=UTC), "Europe/Berlin") == "02.07.2026 00:30"
    assert fmt_datetime(None, "Europe/Berlin") == "–"


@pytest.mark.parametrize(("minutes", "text"), [
    (0, "0 min"), (59, "59 min"), (60, "1 h"), (89.9, "1 h 29 min"), (24 * 60, "1 Tag"),
    (2 * 24 * 60 + 4 * 60 + 30, "2 Tage 4 h"),
])
def test_durations(minutes: float, text: str) -> None:
    assert fmt_duration(minutes) == text


def test_deadline_text() -> None:
    assert deadline_text(NOW - timedelta(minutes=90), NOW) == "überfällig seit 1 h 30 min"
    assert deadline_text(NOW + timedelta(hours=3), NOW) == "noch 3 h"
    assert deadline_text(None, NOW) == "ohne Frist"


def test_truncate_keeps_one_line() -> None:
    assert truncate("kurz\nund gut") == "kurz und gut"
    assert truncate("x" * 200, 10) == "x" * 9 + "…"


def test_status_text() -> None:
    assert status_text("new", None) == "neu"
    assert status_text("claimed", "moderator1") == "in Bearbeitung (moderator1)"
    assert status_text("something", None) == "something"


def _row(**kw: object) -> QueueRow:
    base: dict[str, object] = dict(case_id=1, channel_id="fb", channel_name="Facebook", urgency="frage", state="new",
                                   assignee=None, opened_at=NOW, due_at=None, created_at=NOW, text="", author_name="",
                                   url="")
    return QueueRow(**(base | kw))  # type: ignore[arg-type]


def test_reason_summary_in_german() -> None:
    assert reason_summary(_row(is_question=True), LABELS) == "Frage"
    assert reason_summary(_row(urgency="notfall", is_question=True), LABELS) == "Frage · Notfall"
    assert reason_summary(_row(urgency="beschwerde", abuse_categories=("insult", "threat", "newcat"),
                               criminal_hints=("§ 185 StGB",)), LABELS) == (
        "Beschwerde · Beleidigung · Bedrohung · newcat · Hinweis § 185 StGB")
    assert reason_summary(_row(urgency="info", pii_kinds=("email", "iban")), LABELS) == (
        "personenbezogene Daten (E-Mail-Adresse, IBAN)")
    assert reason_summary(_row(urgency="info"), LABELS) == "–"
