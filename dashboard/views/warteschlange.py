"""Warteschlange: the moderators' open cases, soonest deadline first, overdue in red."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import streamlit as st

from dashboard import components, data, tables
from dashboard.labels import deadline_text, fmt_datetime, fmt_int, status_text
from store.queries import OPEN_STATES, QueueFilter, QueueRow

PAGE_SIZE = 500
EXPORT_LIMIT = 10_000
STATES = {"new": "neu", "claimed": "in Bearbeitung"}


def _filters(names: dict[str, str], urgency_labels: dict[str, str]) -> QueueFilter:
    cols = st.columns(4)
    channels = cols[0].multiselect("Kanal", list(names), format_func=lambda c: names.get(c, c),
                                   placeholder="alle Kanäle")
    urgencies = cols[1].multiselect("Dringlichkeit", list(urgency_labels),
                                    format_func=lambda u: urgency_labels.get(u, u), placeholder="alle")
    states = cols[2].multiselect("Status", list(OPEN_STATES), default=list(OPEN_STATES),
                                 format_func=lambda s: STATES.get(s, s), placeholder="alle offenen")
    search = cols[3].text_input("Suche in Kommentar und Autor", placeholder="z. B. Müllabfuhr")
    return QueueFilter(tuple(channels), tuple(urgencies), tuple(states or OPEN_STATES), search.strip())


def _highlight_overdue(frame: pd.DataFrame) -> pd.io.formats.style.Styler:
    red = "color: #b00020; font-weight: 600"

    def row_style(row: pd.Series) -> list[str]:
        overdue = bool(frame.at[row.name, "Überfällig"])
        return [red if overdue and col in ("Fällig", "Frist") else "" for col in row.index]

    return frame[tables.QUEUE_COLUMNS].style.apply(row_style, axis=1)


def _table(frame: pd.DataFrame) -> int:
    """Show the queue; returns the position of the selected row (the first one when none is selected)."""
    event = st.dataframe(
        _highlight_overdue(frame),
        hide_index=True,
        width="stretch",
        on_select="rerun",
        selection_mode="single-row",
        key="queue_table",
        placeholder="–",
        column_config={
            "Fall": st.column_config.NumberColumn("Fall", format="%d", width=45),
            "Dringlichkeit": st.column_config.TextColumn("Dringlichkeit", width=100),
            "Fällig": st.column_config.DatetimeColumn("Fällig", format="DD.MM.YYYY HH:mm", width=120),
            "Frist": st.column_config.TextColumn("Frist", width=170),
            "Kanal": st.column_config.TextColumn("Kanal", width=120),
            "Kommentar": st.column_config.TextColumn("Kommentar", width=260,
                                                     help="Gekürzt; vollständig unter der Tabelle"),
            "Autor": st.column_config.TextColumn("Autor", width=110),
            "Grund": st.column_config.TextColumn("Grund", width=180),
            "Status": st.column_config.TextColumn("Status", width=110),
        },
    )
    selected = event.selection.rows if event is not None else []
    return selected[0] if selected else 0


def _detail(row: QueueRow, now: datetime, tz: str, urgency_labels: dict[str, str], hints: dict[str, str]) -> None:
    label = urgency_labels.get(row.urgency, row.urgency)
    st.subheader(f"Fall {row.case_id}: {components.md_escape(label)}", anchor=False)
    if hints.get(row.urgency):
        st.info(hints[row.urgency], icon=":material/lightbulb:")
    left, right = st.columns([3, 2])
    with left:
        components.plain("Kommentar (vollständig)", row.text)
        components.plain("Begründung der Sichtung", "\n".join(row.reasons))
    with right:
        components.plain("Autor", row.author_name)
        components.plain("Kanal", row.channel_name)
        components.plain("Eingegangen", fmt_datetime(row.created_at, tz))
        components.plain("Fällig", f"{fmt_datetime(row.due_at, tz)} ({deadline_text(row.due_at, now)})")
        components.plain("Status", status_text(row.state, row.assignee))
        if row.url.startswith(("https://", "http://")):
            st.link_button("Im Original öffnen", row.url, icon=":material/open_in_new:")


def render() -> None:
    st.title("Warteschlange", anchor=False)
    with components.page_errors():
        cfg = data.config()
        components.stop_without_data(data.has_items())
        names = data.channel_names()
    tz = cfg.policy.timezone
    urgency_labels = {u.id: u.label for u in cfg.policy.urgency}
    hints = {u.id: u.hint for u in cfg.policy.urgency}
    emergency = cfg.policy.urgency[0].id  # the top of the ladder (config/policy.yaml)

    flt = _filters(names, urgency_labels)
    at = data.now()
    counts = data.queue_counts(flt, at, emergency)
    pages = max(1, -(-counts.open // PAGE_SIZE))

    metrics = st.columns([1, 1, 1, 1.5, 1.5])
    metrics[0].metric("Offen", fmt_int(counts.open))
    metrics[1].metric("Überfällig", fmt_int(counts.overdue))
    metrics[2].metric("Notfälle", fmt_int(counts.emergencies))
    page = 1
    if pages > 1:
        page = int(metrics[3].number_input(f"Seite (je {PAGE_SIZE} Fälle)", 1, pages, 1))

    if counts.open == 0:
        if flt == QueueFilter():
            st.success("Keine offenen Fälle – gut gemacht!", icon=":material/celebration:")
        else:
            st.info("Kein offener Fall passt zu diesem Filter.", icon=":material/search_off:")
        return

    rows = data.queue_page(flt, limit=PAGE_SIZE, offset=(page - 1) * PAGE_SIZE)
    if pages > 1:
        first = (page - 1) * PAGE_SIZE + 1
        st.caption(f"Fälle {fmt_int(first)}–{fmt_int(first + len(rows) - 1)} von {fmt_int(counts.open)}; "
                   "mit den Filtern eingrenzen.")
    frame = tables.queue_frame(rows, at, tz, urgency_labels)
    selected = _table(frame)

    def export() -> bytes:  # built only when the button is clicked
        export_rows = data.queue_page(flt, limit=EXPORT_LIMIT)
        return tables.csv_bytes(tables.queue_export(export_rows, at, tz, urgency_labels))

    st.download_button(
        f"Warteschlange als CSV herunterladen (bis {fmt_int(EXPORT_LIMIT)} Fälle)",
        data=export,
        file_name=f"warteschlange_{at:%Y-%m-%d_%H%M}.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
    )
    st.divider()
    _detail(rows[min(selected, len(rows) - 1)], at, tz, urgency_labels, hints)


render()
