"""From stored items to cases: triage opens the right cases, an own reply closes them — SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, select

from moderation.pipeline import Triager
from moderation.queue import reset_triage, triage_pending
from store.channels import sync_channels
from store.config import DEFAULT_DIR, ChannelConfig, load_config
from store.items import upsert_items
from store.models import Item, ItemKind
from store.schema import case, item, triage

CFG = load_config(DEFAULT_DIR)
T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)  # Monday 09:00 in Berlin, staffed

# (external id, text, expected case?, expected urgency)
COMMENTS = [
    ("c1", "Wann hat das Bürgerbüro morgen geöffnet?", True, "frist"),
    ("c2", "Schönes Foto, danke fürs Teilen!", False, "info"),
    ("c3", "Der Bürgermeister ist ein Vollidiot", True, None),
    ("c4", "Ruft mich an: 0151 23456789, ich weiß wo der Nachbar wohnt", True, None),
    ("c5", "Es riecht stark nach Gas in der Lindenstraße, was soll ich tun?", True, "notfall"),
]


@pytest.fixture(scope="module")
def triager() -> Triager:
    return Triager(CFG.policy)


def _seed(engine: Engine) -> None:
    post = Item("fb", "p1", ItemKind.POST, T0, "Neue Öffnungszeiten im Bürgerbüro", author_id="page",
                is_own_account=True)
    comments = [Item("fb", ext, ItemKind.COMMENT, T0 + timedelta(minutes=i), text, author_id=f"u{i}",
                     parent_external_id="p1", thread_root_external_id="p1")
                for i, (ext, text, _case, _urg) in enumerate(COMMENTS)]
    with engine.begin() as conn:
        sync_channels(conn, [ChannelConfig(id="fb", platform="facebook", name="Facebook")])
        upsert_items(conn, [post, *comments])


def test_triage_opens_cases_and_own_reply_answers(engine: Engine, triager: Triager) -> None:
    _seed(engine)
    counts = triage_pending(engine, triager, CFG.policy)
    assert counts.triaged == len(COMMENTS)  # the own post is not triaged
    assert triage_pending(engine, triager, CFG.policy).triaged == 0  # nothing left
    with engine.connect() as conn:
        opened = dict(conn.execute(
            select(item.c.external_id, case.c.urgency).join(case, case.c.item_id == item.c.id)).all())
        due = conn.execute(select(triage.c.due_at).join(item, item.c.id == triage.c.item_id)
                           .where(item.c.external_id == "c5")).scalar_one()
    assert set(opened) == {ext for ext, _t, has_case, _u in COMMENTS if has_case}
    for ext, _t, _c, urgency in COMMENTS:
        if urgency and ext in opened:
            assert opened[ext] == urgency, ext
    assert due == T0 + timedelta(minutes=4 + 15)  # notfall: 15 calendar minutes

    reply = Item("fb", "r1", ItemKind.REPLY, T0 + timedelta(hours=2), "Das Bürgerbüro öffnet morgen um 8 Uhr.",
                 author_id="page", is_own_account=True, parent_external_id="c1", thread_root_external_id="p1")
    with engine.begin() as conn:
        upsert_items(conn, [reply])
    assert triage_pending(engine, triager, CFG.policy).cases_answered == 1
    with engine.connect() as conn:
        row = conn.execute(select(case.c.state, case.c.first_response_at).join(item, item.c.id == case.c.item_id)
                           .where(item.c.external_id == "c1")).one()
    assert row.state == "answered" and row.first_response_at == reply.created_at


def test_rescore_keeps_case_state(engine: Engine, triager: Triager) -> None:
    _seed(engine)
    triage_pending(engine, triager, CFG.policy)
    with engine.begin() as conn:
        conn.execute(case.update().values(state="claimed", assignee="mod1"))
    assert reset_triage(engine) == len(COMMENTS)
    assert triage_pending(engine, triager, CFG.policy).triaged == len(COMMENTS)
    with engine.connect() as conn:
        states = {r.state for r in conn.execute(select(case.c.state))}
    assert states == {"claimed"}
