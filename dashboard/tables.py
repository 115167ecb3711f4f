"""Records from :mod:`store.queries` -> display DataFrames and CSV exports (pure: no streamlit).

Citizens' text stays plain strings in DataFrame cells; ``st.dataframe`` never renders them as markup.
CSV files are for German spreadsheet programs: ';' separated, UTF-8 with BOM, dates as TT.MM.JJJJ.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

import pandas as pd

from dashboard.figures import CHANNEL, COMMENTS, DAY, POSTS
from dashboard.labels import PLATFORMS, deadline_text, fmt_datetime, reason_summary, status_text, truncate
from store.queries import ChannelStatus, DayCount, QueueRow, Spike

QUEUE_COLUMNS = ["Fall", "Dringlichkeit", "Fällig", "Frist", "Kanal", "Kommentar", "Autor", "Grund", "Status"]


def _local_naive(at: datetime | None, tz: str) -> datetime | None:
    return at.astimezone(ZoneInfo(tz)).replace(tzinfo=None) if at else None


def queue_frame(rows: Sequence[QueueRow], now: datetime, tz: str, urgency_labels: Mapping[str, str],
                text_limit: int = 120) -> pd.DataFrame:
    """One display row per case; ``Überfällig`` (bool) drives the red highlight and is not shown."""
    records = [
        {
            "Fall": r.case_id,
            "Dringlichkeit": urgency_labels.get(r.urgency, r.urgency),
            "Fällig": _local_naive(r.due_at, tz),
            "Frist": deadline_text(r.due_at, now),
            "Kanal": r.channel_name,
            "Kommentar": truncate(r.text, text_limit),
            "Autor": r.author_name,
            "Grund": reason_summary(r, urgency_labels),
            "Status": status_text(r.state, r.assignee),
            "Überfällig": r.due_at is not None and r.due_at < now,
        }
        for r in rows
    ]
    frame = pd.DataFrame.from_records(records, columns=[*QUEUE_COLUMNS, "Überfällig"])
    frame["Fällig"] = pd.to_datetime(frame["Fällig"])
    return frame


def queue_export(rows: Sequence[QueueRow], now: datetime, tz: str, urgency_labels: Mapping[str, str]) -> pd.DataFrame:
    """The queue for download: full comment text, local times as text, the triage reasons, the link."""
    return pd.DataFrame.from_records(
        [
            {
                "Fall": r.case_id,
                "Dringlichkeit": urgency_labels.get(r.urgency, r.urgency),
                "Fällig": fmt_datetime(r.due_at, tz, ""),
                "Frist": deadline_text(r.due_at, now),
                "Kanal": r.channel_name,
                "Eingegangen": fmt_datetime(r.created_at, tz),
                "Autor": r.author_name,
                "Kommentar": r.text,
                "Grund": reason_summary(r, urgency_labels),
                "Begründung": " | ".join(r.reasons),
                "Status": status_text(r.state, r.assignee),
                "Link": r.url,
            }
            for r in rows
        ]
    )


def days_frame(counts: Sequence[DayCount], names: Mapping[str, str]) -> pd.DataFrame:
    """Long per-day frame (Tag, Kanal, Bürgerkommentare, Eigene Beiträge) with channel display names."""
    frame = pd.DataFrame.from_records(
        [{DAY: pd.Timestamp(c.day), CHANNEL: names.get(c.channel_id, c.channel_id), COMMENTS: c.comments,
          POSTS: c.own_posts} for c in counts],
        columns=[DAY, CHANNEL, COMMENTS, POSTS],
    )
    return frame.astype({COMMENTS: "int64", POSTS: "int64"})


def spikes_frame(spikes: Sequence[Spike], names: Mapping[str, str]) -> pd.DataFrame:
    """The (Tag, Kanal) pairs of the spikes, to mark them in :func:`dashboard.figures.daily_comments`."""
    return pd.DataFrame.from_records(
        [{DAY: pd.Timestamp(s.day), CHANNEL: names.get(s.channel_id, s.channel_id)} for s in spikes],
        columns=[DAY, CHANNEL],
    )


def per_day_table(days: pd.DataFrame, value: str = COMMENTS) -> pd.DataFrame:
    """Days as rows (newest first), channels as columns, plus 'Summe'; the day as 'TT.MM.JJJJ (Wt)'."""
    wide = days.pivot_table(index=DAY, columns=CHANNEL, values=value, aggfunc="sum", fill_value=0)
    wide.columns.name = None
    wide["Summe"] = wide.sum(axis=1)
    wide = wide.sort_index(ascending=False)
    weekdays = ["Mo", "Di", "Mi", "Do", "Fr", "Sa", "So"]
    wide.index = [f"{d:%d.%m.%Y} ({weekdays[d.weekday()]})" for d in wide.index]
    wide.index.name = DAY
    return wide.reset_index()


def status_frame(statuses: Sequence[ChannelStatus], tz: str) -> pd.DataFrame:
    """Sync status per channel: the last success, the last error and its message."""

    def state(s: ChannelStatus) -> str:
        if not s.active:
            return "inaktiv"
        if s.last_sync_at is None:
            return "noch nie abgerufen"
        return "Fehler" if s.last_error else "in Ordnung"  # a success clears last_error

    return pd.DataFrame.from_records(
        [
            {
                "Kanal": s.name,
                "Plattform": PLATFORMS.get(s.platform, s.platform),
                "Zustand": state(s),
                "Letzter Erfolg": fmt_datetime(s.last_success_at, tz),
                "Letzter Fehler": fmt_datetime(s.last_error_at, tz) if s.last_error else "–",
                "Fehlermeldung": s.last_error or "",
            }
            for s in statuses
        ],
        columns=["Kanal", "Plattform", "Zustand", "Letzter Erfolg", "Letzter Fehler", "Fehlermeldung"],
    )


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """CSV for German spreadsheets: ';' separated, decimal comma, UTF-8 with BOM, dates TT.MM.JJJJ."""
    text: str = frame.to_csv(sep=";", decimal=",", index=False, date_format="%d.%m.%Y")
    return text.encode("utf-8-sig")
