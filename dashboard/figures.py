"""Plotly figures from DataFrames (pure: no streamlit, no database).

German number and date formats throughout: thousands with '.', decimals with ','; days as 'TT.MM.'.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

#: columns of the per-day frame that :func:`daily_comments` reads
DAY, CHANNEL, COMMENTS, POSTS = "Tag", "Kanal", "Bürgerkommentare", "Eigene Beiträge"

_PALETTE = ["#1f5fa8", "#e07b00", "#2a9d55", "#b23a48", "#7b52ab", "#4c8a99", "#8c6d31", "#555555"]


def _base_layout(fig: go.Figure, title: str, y_title: str) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        separators=",.",  # decimal comma, thousands dot
        hovermode="x unified",
        # legend below the plot: with six channels it wraps and would cover the title above
        legend={"orientation": "h", "yanchor": "top", "y": -0.12, "xanchor": "left", "x": 0, "title": None},
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        height=440,
        yaxis={"title": y_title, "rangemode": "tozero", "tickformat": ",d"},
        xaxis={"title": None, "tickformat": "%d.%m.", "hoverformat": "%a %d.%m.%Y"},
        template="plotly_white",
    )
    return fig


def daily_comments(days: pd.DataFrame, spikes: pd.DataFrame | None = None) -> go.Figure:
    """Citizens' comments per channel and day as lines, spikes (if given: ``Tag``, ``Kanal``) as red rings.

    ``days`` has one row per (Tag, Kanal) with the count in ``Bürgerkommentare``, zeros included.
    """
    fig = go.Figure()
    for i, (channel, frame) in enumerate(days.groupby(CHANNEL, sort=True)):
        frame = frame.sort_values(DAY)
        fig.add_trace(go.Scatter(
            x=frame[DAY], y=frame[COMMENTS], name=str(channel), mode="lines+markers",
            line={"color": _PALETTE[i % len(_PALETTE)], "width": 2}, marker={"size": 5},
            hovertemplate="%{y:,d} Kommentare<extra>%{fullData.name}</extra>",
        ))
    if spikes is not None and not spikes.empty:
        hits = spikes.merge(days, on=[DAY, CHANNEL], how="left")
        fig.add_trace(go.Scatter(
            x=hits[DAY], y=hits[COMMENTS], name="Auffälliger Anstieg", mode="markers",
            marker={"size": 16, "color": "rgba(0,0,0,0)", "line": {"color": "#d62728", "width": 3}},
            hovertemplate="Auffälliger Anstieg: %{y:,d}<extra></extra>",
        ))
    return _base_layout(fig, "Bürgerkommentare pro Tag und Kanal", "Kommentare")


def own_posts(days: pd.DataFrame) -> go.Figure:
    """Own posts per channel and day as stacked bars (did we post as planned?)."""
    fig = go.Figure()
    for i, (channel, frame) in enumerate(days.groupby(CHANNEL, sort=True)):
        fig.add_trace(go.Bar(
            x=frame[DAY], y=frame[POSTS], name=str(channel), marker_color=_PALETTE[i % len(_PALETTE)],
            hovertemplate="%{y:,d} Beiträge<extra>%{fullData.name}</extra>",
        ))
    fig.update_layout(barmode="stack")
    return _base_layout(fig, "Eigene Beiträge pro Tag und Kanal", "Beiträge")
