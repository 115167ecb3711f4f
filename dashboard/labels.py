"""German labels and de-DE formats for the dashboard (pure functions, no streamlit).

Everything a page shows as a date, a duration, a number or a category name goes through here, so
the format is the same on every page: "24.11.2026 14:05", "überfällig seit 1 h 30 min", "1.234".
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from zoneinfo import ZoneInfo

from store.queries import QueueRow

CASE_STATES = {
    "new": "neu",
    "claimed": "in Bearbeitung",
    "answered": "beantwortet",
    "hidden": "verborgen",
    "deleted": "gelöscht",
    "escalated": "weitergeleitet",
    "dismissed": "erledigt",
}
ABUSE_CATEGORIES = {
    "insult": "Beleidigung",
    "profanity": "Vulgärsprache",
    "threat": "Bedrohung",
    "hate": "Hass/Diskriminierung",
    "discrimination": "Hass/Diskriminierung",
    "spam": "Spam/Werbung",
    "advertising": "Spam/Werbung",
    "doxxing": "Veröffentlichung privater Daten",
}
PII_KINDS = {
    "email": "E-Mail-Adresse",
    "phone": "Telefonnummer",
    "iban": "IBAN",
    "address": "Postanschrift",
    "licence_plate": "Kfz-Kennzeichen",
    "date_of_birth": "Geburtsdatum",
}
PLATFORMS = {
    "rss": "RSS/Atom",
    "mastodon": "Mastodon",
    "bluesky": "Bluesky",
    "facebook": "Facebook",
    "instagram": "Instagram",
    "youtube": "YouTube",
    "export": "Datei-Import",
}


def fmt_int(n: int) -> str:
    """1234567 -> '1.234.567'."""
    return f"{n:,}".replace(",", ".")


def fmt_date(d: date) -> str:
    return d.strftime("%d.%m.%Y")


def fmt_datetime(at: datetime | None, tz: str, empty: str = "–") -> str:
    """An aware instant as local 'TT.MM.JJJJ HH:MM'; ``empty`` for None."""
    return at.astimezone(ZoneInfo(tz)).strftime("%d.%m.%Y %H:%M") if at else empty


def fmt_duration(minutes: float) -> str:
    """Whole minutes as '45 min', '3 h 5 min', '2 Tage 4 h' (coarser the longer it is)."""
    m = int(minutes)
    if m < 60:
        return f"{m} min"
    hours, rest = divmod(m, 60)
    if hours < 24:
        return f"{hours} h {rest} min" if rest else f"{hours} h"
    days, hours = divmod(hours, 24)
    day_word = "Tag" if days == 1 else "Tage"
    return f"{days} {day_word} {hours} h" if hours else f"{days} {day_word}"


def deadline_text(due: datetime | None, now: datetime) -> str:
    """'überfällig seit …' or 'noch …' for a case deadline; 'ohne Frist' when there is none."""
    if due is None:
        return "ohne Frist"
    minutes = (due - now).total_seconds() / 60
    if minutes < 0:
        return f"überfällig seit {fmt_duration(-minutes)}"
    return f"noch {fmt_duration(minutes)}"


def truncate(text: str, limit: int = 120) -> str:
    """One line of at most ``limit`` characters, with '…' when cut."""
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "…"


def status_text(state: str, assignee: str | None) -> str:
    label = CASE_STATES.get(state, state)
    return f"{label} ({assignee})" if assignee else label


def _labelled(keys: Iterable[str], labels: Mapping[str, str]) -> list[str]:
    return list(dict.fromkeys(labels.get(k, k) for k in keys))


def reason_summary(row: QueueRow, urgency_labels: Mapping[str, str], quiet: Iterable[str] = ("frage", "info")) -> str:
    """Why a case is in the queue, in short German categories: 'Frage · Beleidigung · personenbezogene Daten …'.

    Urgency classes in ``quiet`` add nothing beyond "Frage" (the Dringlichkeit column shows them anyway).
    """
    parts = ["Frage"] if row.is_question else []
    if row.urgency not in set(quiet):
        parts.append(urgency_labels.get(row.urgency, row.urgency))
    parts += _labelled(row.abuse_categories, ABUSE_CATEGORIES)
    if row.pii_kinds:
        parts.append("personenbezogene Daten (" + ", ".join(_labelled(row.pii_kinds, PII_KINDS)) + ")")
    parts += [f"Hinweis {hint}" for hint in row.criminal_hints]
    return " · ".join(dict.fromkeys(parts)) or "–"
