"""Loader for ``seed.json``: a small deterministic data set for the dashboard's query, page and browser tests.

Writes through the store's own functions (channels, items, sync outcomes) and SQLAlchemy Core (triage,
cases), with every time relative to ``now``, so the same file serves tests at a fixed instant and tests
of the running app at the real current time.

Run it by hand to look at the dashboard: ``python -m tests.dashboard.seed sqlite:///demo.db``.
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Connection, Engine, select

from store.channels import record_sync, sync_channels
from store.config import ChannelConfig
from store.db import open_store
from store.items import upsert_items
from store.models import Item, ItemKind
from store.schema import case, item, triage

SEED_FILE = Path(__file__).with_name("seed.json")
TZ = ZoneInfo("Europe/Berlin")
#: the instant the query tests pretend it is (14:05 in Berlin, a Tuesday)
FIXED_NOW = datetime(2026, 11, 24, 13, 5, tzinfo=UTC)


@dataclass(frozen=True)
class Seeded:
    """What was seeded: the reference instant, the fixture's data and the case id of each item id."""

    now: datetime
    data: dict[str, Any]
    case_ids: dict[str, int]

    @property
    def expected(self) -> dict[str, Any]:
        return dict(self.data["expected"])

    def day(self, offset: int | str) -> date:
        """The local calendar day ``offset`` days from ``now``."""
        return self.now.astimezone(TZ).date() + timedelta(days=int(offset))

    def text(self, item_id: str) -> str:
        return str(next(i["text"] for i in self.data["items"] if i["id"] == item_id))


def load_fixture(path: Path = SEED_FILE) -> dict[str, Any]:
    return dict(json.loads(path.read_text(encoding="utf-8")))


def _local(now: datetime, day: int, at: str) -> datetime:
    hour, minute = (int(p) for p in at.split(":"))
    local_day = now.astimezone(TZ).date() + timedelta(days=day)
    return datetime.combine(local_day, time(hour, minute), tzinfo=TZ).astimezone(UTC)


def _created(spec: dict[str, Any], now: datetime) -> datetime:
    if "ago_minutes" in spec:
        return now - timedelta(minutes=spec["ago_minutes"])
    return _local(now, spec["day"], spec["at"])


def _background(channel_id: str, series: dict[str, list[int]], now: datetime) -> list[Item]:
    items = []
    days = len(series["comments"])
    for index, (comments, posts) in enumerate(zip(series["comments"], series["posts"], strict=True)):
        offset = index - days
        for k in range(comments):
            at = _local(now, offset, "09:00") + timedelta(minutes=k)
            items.append(Item(channel_id, f"{channel_id}-bg{offset}-c{k}", ItemKind.COMMENT, at,
                              f"Danke für die Information! ({k + 1})", author_id=f"citizen{k}",
                              author_name=f"Bürger {k + 1}"))
        for k in range(posts):
            at = _local(now, offset, "08:00") + timedelta(minutes=k)
            items.append(Item(channel_id, f"{channel_id}-bg{offset}-p{k}", ItemKind.POST, at,
                              f"Neuigkeiten aus dem Rathaus ({k + 1})", author_id="own",
                              author_name="Stadt Musterstadt", is_own_account=True))
    return items


def _triage_row(item_id: int, spec: dict[str, Any], reasons: list[str], now: datetime,
                due_at: datetime | None) -> dict[str, Any]:
    return {
        "item_id": item_id,
        "is_question": spec.get("is_question", False),
        "urgency": spec["urgency"],
        "sla_minutes": None,
        "due_at": due_at,
        "abusive": spec.get("abusive", False),
        "abuse_score": spec.get("abuse_score", 0.0),
        "abuse_categories": spec.get("abuse_categories", []),
        "criminal_hint": spec.get("criminal_hint", []),
        "evidence": {},
        "pii": spec.get("pii", []),
        "reasons": reasons,
        "model_version": "seed",
        "triaged_at": now,
    }


def _channels(conn: Connection, specs: list[dict[str, Any]], now: datetime) -> None:
    sync_channels(conn, [ChannelConfig(id=c["id"], platform=c["platform"], name=c["name"]) for c in specs])
    for c in specs:
        if "last_success_ago_minutes" in c:
            record_sync(conn, c["id"], error=None, counts={"new": 1},
                        at=now - timedelta(minutes=c["last_success_ago_minutes"]))
        if "last_error" in c:
            record_sync(conn, c["id"], error=c["last_error"], counts={},
                        at=now - timedelta(minutes=c["last_error_ago_minutes"]))


def seed(engine: Engine, now: datetime | None = None, path: Path = SEED_FILE) -> Seeded:
    """Insert the fixture into the (migrated, empty) store behind ``engine``, times relative to ``now``."""
    now = now or datetime.now(UTC)
    data = load_fixture(path)
    specs = data["items"]
    with engine.begin() as conn:
        _channels(conn, data["channels"], now)
        items = [it for ch, series in data["background"].items() if ch != "about"
                 for it in _background(ch, series, now)]
        items += [
            Item(s["channel"], s["id"], ItemKind(s["kind"]), _created(s, now), s["text"],
                 author_id=s["author"].lower(), author_name=s["author"], is_own_account=s.get("own", False),
                 url=f"https://example.org/{s['channel']}/{s['id']}")
            for s in specs
        ]
        upsert_items(conn, items, now=now)
        ids = dict(conn.execute(select(item.c.external_id, item.c.id)).all())
        case_ids: dict[str, int] = {}
        for s in specs:
            if "triage" not in s:
                continue
            c = s["case"]
            due = None if c["due_in_minutes"] is None else now + timedelta(minutes=c["due_in_minutes"])
            conn.execute(triage.insert().values(_triage_row(ids[s["id"]], s["triage"], c["reasons"], now, due)))
            case_ids[s["id"]] = conn.execute(case.insert().values(
                item_id=ids[s["id"]], channel_id=s["channel"], state=c["state"], urgency=c["urgency"],
                reasons=c["reasons"], opened_at=_created(s, now), due_at=due, assignee=c.get("assignee"),
            )).inserted_primary_key[0]
    return Seeded(now, data, case_ids)


if __name__ == "__main__":  # python -m tests.dashboard.seed [URL]
    seeded = seed(open_store(sys.argv[1] if len(sys.argv) > 1 else None))
    print(f"{len(seeded.case_ids)} Fälle angelegt (Stand {seeded.now:%d.%m.%Y %H:%M} UTC)")
