"""Each page through Streamlit's AppTest against a seeded SQLite store, and the app with its navigation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import streamlit as st
from sqlalchemy import Engine, select, update
from streamlit.testing.v1 import AppTest

from dashboard.labels import fmt_date, truncate
from store.db import make_engine, migrate
from store.schema import case, item
from tests.conftest import REPO
from tests.dashboard.seed import FIXED_NOW, Seeded, seed

APP = REPO / "dashboard" / "app.py"
QUEUE = REPO / "dashboard" / "views" / "warteschlange.py"
LAGEBILD = REPO / "dashboard" / "views" / "lagebild.py"
TIMEOUT = 30  # the first run imports pandas and plotly


@pytest.fixture
def store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """An empty migrated SQLite store that the pages open via NETZPFLEGE_DATABASE_URL; caches cleared."""
    url = f"sqlite:///{tmp_path / 'dashboard.db'}"
    monkeypatch.setenv("NETZPFLEGE_DATABASE_URL", url)
    monkeypatch.delenv("NETZPFLEGE_CONFIG_DIR", raising=False)
    st.cache_data.clear()
    st.cache_resource.clear()
    engine = make_engine(url)
    migrate(engine)
    yield engine
    engine.dispose()
    st.cache_data.clear()
    st.cache_resource.clear()


@pytest.fixture
def seeded(store: Engine, monkeypatch: pytest.MonkeyPatch) -> Seeded:
    """The seed at FIXED_NOW (14:05 in Berlin), and the pages' clock (`dashboard.data.utcnow`) stopped there: every
    item dated "minutes ago" falls on today's local day (with the wall clock, the tests failed after midnight in
    Berlin, when such items fall on yesterday)."""
    monkeypatch.setattr("dashboard.data.utcnow", lambda: FIXED_NOW)
    return seed(store, FIXED_NOW)


def _run(path: Path) -> AppTest:
    at = AppTest.from_file(str(path), default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _markdown_texts(at: AppTest) -> list[str]:
    """Every element that renders markdown (where citizens' text must never appear)."""
    elements = [*at.markdown, *at.caption, *at.title, *at.header, *at.subheader, *at.info, *at.warning,
                *at.success, *at.error]
    return [str(e.value) for e in elements]


def _queue_table(at: AppTest):  # type: ignore[no-untyped-def]
    return at.dataframe[0].value


# --- Warteschlange -------------------------------------------------------------------------------


def test_queue_lists_open_cases_by_deadline(seeded: Seeded) -> None:
    at = _run(QUEUE)
    table = _queue_table(at)
    order = seeded.expected["queue_order"]
    assert list(table["Kommentar"]) == [truncate(seeded.text(i)) for i in order]
    assert list(table["Fall"]) == [seeded.case_ids[i] for i in order]
    assert list(table["Dringlichkeit"]) == ["Beschwerde", "Notfall", "Frist / Termin", "Frist / Termin",
                                            "Beschwerde", "Frage", "Keine Aktion"]
    assert table["Frist"][0] in ("überfällig seit 1 h 29 min", "überfällig seit 1 h 30 min")  # minute cache key
    assert table["Frist"][2].startswith("noch ")
    assert table["Frist"][6] == "ohne Frist"
    assert table["Status"][4] == "in Bearbeitung (moderator1)"
    assert table["Kanal"][1] == "Mastodon @stadt"
    assert table["Grund"][0] == "Beschwerde · personenbezogene Daten (Postanschrift, Telefonnummer)"
    assert table["Grund"][4] == "Beschwerde · Beleidigung · Hinweis § 185 StGB"
    assert table["Grund"][1] == "Frage · Notfall"
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {"Offen": "7", "Überfällig": "2", "Notfälle": "1"}


def test_queue_shows_the_most_urgent_case_in_full(seeded: Seeded) -> None:
    at = _run(QUEUE)
    texts = [t.value for t in at.text]
    assert seeded.text("c-pii") in texts
    assert "Petra Schulz" in texts
    assert at.subheader[0].value == f"Fall {seeded.case_ids['c-pii']}: Beschwerde"


def test_queue_filters_by_channel_urgency_status_and_text(seeded: Seeded) -> None:
    at = _run(QUEUE)
    channel, urgency, status = at.multiselect[0], at.multiselect[1], at.multiselect[2]
    assert (channel.label, urgency.label, status.label) == ("Kanal", "Dringlichkeit", "Status")
    channel.set_value(["facebook"]).run()
    assert list(_queue_table(at)["Fall"]) == [seeded.case_ids[i] for i in ("c-pii", "c-script", "c-frist", "c-insult")]
    at.multiselect[1].set_value(["frist"]).run()
    assert list(_queue_table(at)["Fall"]) == [seeded.case_ids[i] for i in ("c-script", "c-frist")]
    at.multiselect[0].set_value([]).run()
    at.multiselect[1].set_value([]).run()
    at.multiselect[2].set_value(["claimed"]).run()
    assert list(_queue_table(at)["Fall"]) == [seeded.case_ids["c-insult"]]
    at.multiselect[2].set_value([]).run()  # nothing chosen means every open state
    at.text_input[0].input("müll").run()
    assert list(_queue_table(at)["Fall"]) == [seeded.case_ids[i] for i in ("c-pii", "c-script", "c-email")]
    assert {m.label: m.value for m in at.metric} == {"Offen": "3", "Überfällig": "1", "Notfälle": "0"}
    at.text_input[0].input("gibt es nicht").run()
    assert not at.dataframe
    assert any("Kein offener Fall passt" in i.value for i in at.info)


def test_citizen_markup_is_shown_literally(seeded: Seeded) -> None:
    at = _run(QUEUE)
    comments = list(_queue_table(at)["Kommentar"])
    assert "<script>alert(1)</script> Wann kommt die Müllabfuhr?" in comments
    assert any(c.startswith("Schaut mal ![x](http://evil.example/x.png) **fett**") for c in comments)
    assert "<b>Hacker</b>" in list(_queue_table(at)["Autor"])
    for needle in ("evil.example", "<script>", "Hacker"):
        assert not any(needle in md for md in _markdown_texts(at)), needle
    at.text_input[0].input("evil").run()  # the markdown comment becomes the case shown in full
    texts = [t.value for t in at.text]
    assert seeded.text("c-markdown") in texts
    assert not any("evil.example" in md for md in _markdown_texts(at))
    at.text_input[0].input("alert").run()
    assert seeded.text("c-script") in [t.value for t in at.text]
    assert "<b>Hacker</b>" in [t.value for t in at.text]
    assert not any("<script>" in md or "Hacker" in md for md in _markdown_texts(at))


def test_queue_empty_store_asks_for_data(store: Engine) -> None:
    at = _run(QUEUE)
    assert [i.value for i in at.info] == ["Noch keine Daten: `netzpflege demo` oder `netzpflege sync` ausführen."]
    assert not at.dataframe


def test_queue_all_done(seeded: Seeded, store: Engine) -> None:
    with store.begin() as conn:
        conn.execute(update(case).values(state="answered"))
    at = _run(QUEUE)
    assert [s.value for s in at.success] == ["Keine offenen Fälle – gut gemacht!"]
    assert {m.label: m.value for m in at.metric} == {"Offen": "0", "Überfällig": "0", "Notfälle": "0"}


def test_queue_pages_beyond_500_cases(seeded: Seeded, store: Engine) -> None:
    with store.begin() as conn:
        ids = list(seeded.case_ids.values())
        template = conn.execute(select(case).where(case.c.id == ids[0])).one()._asdict()
        many = [{"channel_id": "mastodon", "external_id": f"bulk{i}", "kind": "comment",
                 "created_at": seeded.now, "text": f"Frage Nummer {i}", "content_hash": "x",
                 "first_seen": seeded.now, "last_seen": seeded.now} for i in range(600)]
        conn.execute(item.insert(), many)
        new_ids = conn.execute(select(item.c.id).where(item.c.external_id.like("bulk%"))).scalars().all()
        conn.execute(case.insert(), [
            {k: v for k, v in template.items() if k != "id"} | {"item_id": i, "channel_id": "mastodon",
                                                                "due_at": None} for i in new_ids])
    at = _run(QUEUE)
    assert len(_queue_table(at)) == 500
    assert at.caption[0].value == "Fälle 1–500 von 607; mit den Filtern eingrenzen."
    at.number_input[0].set_value(2).run()
    assert len(_queue_table(at)) == 107
    assert at.caption[0].value == "Fälle 501–607 von 607; mit den Filtern eingrenzen."


def test_queue_csv_download_is_offered(seeded: Seeded) -> None:
    at = _run(QUEUE)
    buttons = at.get("download_button")
    assert len(buttons) == 1 and "CSV" in buttons[0].proto.label


# --- Lagebild ----------------------------------------------------------------------------------


def test_lagebild_kpis_since_yesterday(seeded: Seeded) -> None:
    at = _run(LAGEBILD)
    expected = seeded.expected["summary_since_yesterday"]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics == {
        "Neue Bürgerkommentare": str(expected["new_comments"]),
        "Offene Fälle": str(expected["open_cases"]),
        "Überfällig": str(expected["overdue"]),
        "Notfälle": str(expected["emergencies"]),
        "Gemeldete Beiträge": str(expected["flagged"]),
        "Eigene Beiträge": str(expected["own_posts"]),
    }
    assert at.subheader[0].value == f"Seit gestern (ab {fmt_date(seeded.day(-1))}, 0:00 Uhr)"


def test_lagebild_warns_of_the_spike(seeded: Seeded) -> None:
    at = _run(LAGEBILD)
    warnings = [w.value for w in at.warning]
    assert len(warnings) == 1
    channel = "Facebook\\-Seite Stadt Musterstadt"  # markdown-escaped: channel names are data too
    day = fmt_date(seeded.day(-1))
    assert warnings[0].startswith(f"Auffälliger Anstieg auf Kanal {channel} am {day}: 40 Kommentare")


def test_lagebild_per_day_table_and_window(seeded: Seeded) -> None:
    at = _run(LAGEBILD)
    per_day = at.dataframe[0].value
    assert len(per_day) == 14
    assert list(per_day.columns) == ["Tag", "Facebook-Seite Stadt Musterstadt", "Mastodon @stadt",
                                     "Pressemitteilungen (Website)", "Summe"]
    yesterday = per_day.iloc[1]
    assert yesterday["Tag"].startswith(fmt_date(seeded.day(-1)))
    assert (yesterday["Facebook-Seite Stadt Musterstadt"], yesterday["Mastodon @stadt"], yesterday["Summe"]) == (
        40, 3, 43)
    assert len(at.get("plotly_chart")) == 2
    at.button_group[0].set_value(30).run()
    assert len(at.dataframe[0].value) == 30


def test_lagebild_channel_sync_status(seeded: Seeded) -> None:
    at = _run(LAGEBILD)
    status = at.dataframe[-1].value.set_index("Kanal")
    assert status.loc["Mastodon @stadt", "Zustand"] == "Fehler"
    assert status.loc["Mastodon @stadt", "Fehlermeldung"] == "HTTP 503 von social.musterstadt.de"
    assert status.loc["Facebook-Seite Stadt Musterstadt", "Zustand"] == "in Ordnung"
    assert status.loc["Pressemitteilungen (Website)", "Zustand"] == "noch nie abgerufen"


def test_lagebild_empty_store(store: Engine) -> None:
    at = _run(LAGEBILD)
    assert [i.value for i in at.info] == ["Noch keine Daten: `netzpflege demo` oder `netzpflege sync` ausführen."]
    assert not at.metric


# --- the app with its navigation -------------------------------------------------------------


def test_app_opens_on_the_queue_and_navigates_to_lagebild(seeded: Seeded) -> None:
    at = _run(APP)
    assert at.title[0].value == "Warteschlange"
    assert seeded.text("c-pii") in [t.value for t in at.text]
    at.switch_page("views/lagebild.py").run()
    assert not at.exception
    assert at.title[0].value == "Lagebild"
    assert len(at.warning) == 1


def test_no_legacy_pages_folder_beside_the_app() -> None:
    """A ``pages/`` folder beside app.py puts a fresh server in Streamlit's legacy multipage mode: a deep
    link (``/lagebild``) then runs the page without app.py — without page config and, later, without login."""
    assert not (APP.parent / "pages").exists()


def test_broken_config_is_one_german_message(seeded: Seeded, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    broken = tmp_path / "config"
    broken.mkdir()
    (broken / "channels.yaml").write_text("channels: [", encoding="utf-8")
    monkeypatch.setenv("NETZPFLEGE_CONFIG_DIR", str(broken))
    at = _run(QUEUE)
    assert [e.value for e in at.error] == ["Die Konfiguration ist fehlerhaft."]
    assert "kein gültiges YAML" in at.text[0].value
