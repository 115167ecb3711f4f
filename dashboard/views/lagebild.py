"""Lagebild: the press office's morning view — what happened since yesterday, spikes, channel health."""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

from dashboard import components, data, figures, tables
from dashboard.labels import fmt_date, fmt_int
from store.queries import day_start_utc, local_date

WINDOWS = (14, 30, 90)


def _kpis(lage: data.Lagebild, since_label: str) -> None:
    st.subheader(f"Seit gestern ({since_label})", anchor=False)
    s = lage.summary
    cols = st.columns(6)
    cols[0].metric("Neue Bürgerkommentare", fmt_int(s.new_comments))
    cols[1].metric("Offene Fälle", fmt_int(s.open_cases), help="Alle noch nicht erledigten Fälle, jetzt")
    cols[2].metric("Überfällig", fmt_int(s.overdue), help="Offene Fälle mit überschrittener Frist, jetzt")
    cols[3].metric("Notfälle", fmt_int(s.emergencies))
    cols[4].metric("Gemeldete Beiträge", fmt_int(s.flagged), help="Als beleidigend oder regelwidrig erkannt")
    cols[5].metric("Eigene Beiträge", fmt_int(s.own_posts))


def _spike_warnings(lage: data.Lagebild, names: dict[str, str]) -> None:
    for spike in lage.spikes[:5]:
        name = components.md_escape(names.get(spike.channel_id, spike.channel_id))
        usual = f"{spike.baseline_mean:.1f}".replace(".", ",")
        st.warning(
            f"Auffälliger Anstieg auf Kanal {name} am {fmt_date(spike.day)}: {fmt_int(spike.comments)} Kommentare "
            f"(sonst im Schnitt {usual} am Tag) – möglicher Shitstorm, bitte prüfen.",
            icon=":material/warning:",
        )


def render() -> None:
    st.title("Lagebild", anchor=False)
    with components.page_errors():
        cfg = data.config()
        components.stop_without_data(data.has_items())
        names = data.channel_names()
    tz = cfg.policy.timezone
    at = data.now()
    today = local_date(at, tz)
    yesterday = today - timedelta(days=1)

    window = st.segmented_control("Zeitraum", WINDOWS, default=WINDOWS[0], format_func=lambda d: f"{d} Tage",
                                  key="window") or WINDOWS[0]
    first = today - timedelta(days=window - 1)
    lage = data.lagebild(first, today, day_start_utc(yesterday, tz), at, tz, cfg.policy.urgency[0].id)

    _kpis(lage, f"ab {fmt_date(yesterday)}, 0:00 Uhr")
    _spike_warnings(lage, names)

    days = tables.days_frame(lage.days, names)
    spikes = tables.spikes_frame(lage.spikes, names)
    st.subheader(f"Die letzten {window} Tage", anchor=False)
    st.plotly_chart(figures.daily_comments(days, spikes), width="stretch", config={"displaylogo": False})
    tab_comments, tab_posts = st.tabs(["Bürgerkommentare pro Tag", "Eigene Beiträge pro Tag"])
    with tab_comments:
        st.dataframe(tables.per_day_table(days, figures.COMMENTS), hide_index=True, width="stretch")
    with tab_posts:
        st.plotly_chart(figures.own_posts(days), width="stretch", config={"displaylogo": False})
        st.dataframe(tables.per_day_table(days, figures.POSTS), hide_index=True, width="stretch")
    st.download_button(
        "Tageswerte als CSV herunterladen",
        data=tables.csv_bytes(days.sort_values([figures.DAY, figures.CHANNEL])),
        file_name=f"lagebild_{first:%Y-%m-%d}_{today:%Y-%m-%d}.csv",
        mime="text/csv",
        icon=":material/download:",
        on_click="ignore",
    )

    st.subheader("Abruf der Kanäle", anchor=False)
    st.dataframe(tables.status_frame(lage.statuses, tz), hide_index=True, width="stretch")


render()
