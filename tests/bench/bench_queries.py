"""Benchmark: the dashboard queries on a store with a million items (not collected by pytest).

    python -m tests.bench.bench_queries [URL] [ITEMS] [DAYS]
    # default: a fresh SQLite file, 1,000,000 items over 3 years (1095 days), stored in arrival order

Prints the time of each query as the pages call it; every query must stay well under a second.
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta

from sqlalchemy import Engine, func, select

from store.channels import sync_channels
from store.config import ChannelConfig
from store.db import make_engine, migrate
from store.queries import (
    QueueFilter,
    channel_names,
    daily_activity,
    day_start_utc,
    fill_days,
    find_spikes,
    has_items,
    local_date,
    open_cases,
    queue_counts,
    summary_since,
)
from store.schema import case, item, triage

CHANNELS = ["facebook", "instagram", "mastodon", "bluesky", "youtube", "presse-rss"]
URGENCIES = ["notfall", "frist", "beschwerde", "frage", "info"]
WORDS = "Müllabfuhr Bürgerbüro Straße Termin Kita Freibad Baustelle Ampel Parkplatz Bus Schule Rathaus".split()


def fill(engine: Engine, n: int, now: datetime, days: int, seed: int = 7) -> None:
    rnd = random.Random(seed)
    minutes = sorted((rnd.randrange(0, days * 24 * 60) for _ in range(n)), reverse=True)  # oldest first
    with engine.begin() as conn:
        sync_channels(conn, [ChannelConfig(id=c, platform="rss", name=c.title()) for c in CHANNELS])
    chunk = 20_000
    for start in range(0, n, chunk):
        rows = []
        for i in range(start, min(n, start + chunk)):
            own = rnd.random() < 0.05
            at = now - timedelta(minutes=minutes[i])
            rows.append({"channel_id": rnd.choice(CHANNELS), "external_id": str(i),
                         "kind": "post" if own else "comment",
                         "author_id": f"u{rnd.randrange(50_000)}", "author_name": f"Person {rnd.randrange(50_000)}",
                         "is_own_account": own, "created_at": at, "text": " ".join(rnd.choices(WORDS, k=12)),
                         "url": "", "state": "visible", "content_hash": "x", "first_seen": at, "last_seen": at})
        with engine.begin() as conn:
            conn.execute(item.insert(), rows)
            ids = conn.execute(select(item.c.id, item.c.channel_id, item.c.created_at)
                               .where(item.c.id > start, item.c.id <= start + chunk, item.c.is_own_account.is_(False))
                               ).all()
            picked = [r for r in ids if rnd.random() < 0.05]  # 5 % need a human
            tri, cases = [], []
            for r in picked:
                urgency = rnd.choice(URGENCIES)
                due = r.created_at + timedelta(hours=rnd.choice([1, 4, 8, 24]))
                tri.append({"item_id": r.id, "is_question": True, "urgency": urgency, "due_at": due,
                            "abusive": rnd.random() < 0.1, "abuse_categories": [], "criminal_hint": [], "evidence": {},
                            "pii": [], "reasons": ["Fragewort am Satzanfang"], "model_version": "bench",
                            "triaged_at": now})
                recent = r.created_at > now - timedelta(days=3)
                state = "new" if recent else rnd.choice(["answered", "dismissed", "new"])
                cases.append({"item_id": r.id, "channel_id": r.channel_id, "state": state, "urgency": urgency,
                              "reasons": [], "opened_at": r.created_at, "due_at": due})
            conn.execute(triage.insert(), tri)
            conn.execute(case.insert(), cases)


def timed(label: str, fn):  # type: ignore[no-untyped-def]
    t0 = time.perf_counter()
    result = fn()
    print(f"{label:<45} {1000 * (time.perf_counter() - t0):8.1f} ms")
    return result


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{tempfile.mkdtemp()}/bench.db"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    days = int(sys.argv[3]) if len(sys.argv) > 3 else 3 * 365
    engine = make_engine(url)
    migrate(engine)
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    with engine.connect() as conn:
        empty = not has_items(conn)
    if empty:
        timed(f"fill {n:,} items", lambda: fill(engine, n, now, days))
    with engine.connect() as conn:
        total = conn.execute(select(func.count()).select_from(item)).scalar_one()
        opened = queue_counts(conn, now).open
        print(f"{total:,} items, {opened:,} open cases ({engine.dialect.name})")
        today = local_date(now)
        timed("has_items", lambda: has_items(conn))
        timed("queue_counts", lambda: queue_counts(conn, now))
        timed("open_cases (500)", lambda: open_cases(conn, limit=500))
        timed("open_cases page 10", lambda: open_cases(conn, limit=500, offset=4500))
        flt = QueueFilter(channels=("facebook",), search="müllabfuhr")
        timed("queue_counts + open_cases, filter + search",
              lambda: (queue_counts(conn, now, flt), open_cases(conn, flt)))
        timed("summary_since yesterday", lambda: summary_since(conn, day_start_utc(today - timedelta(days=1)), now))
        for days in (14, 90):
            first = today - timedelta(days=days - 1 + 14)

            def lage(first=first):  # type: ignore[no-untyped-def]
                counts = fill_days(daily_activity(conn, first, today), channel_names(conn), first, today)
                return find_spikes(counts, first + timedelta(days=14))

            timed(f"daily_activity + spikes, {days} days", lage)


if __name__ == "__main__":
    main()
