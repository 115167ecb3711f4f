"""Ingest benchmark: Mastodon-shaped JSON pages -> parse + normalise + upsert into a fresh SQLite file.

Run: ``python -m tests.bench.bench_ingest [--items N]``. Prints items/s of the real path (json.loads,
:func:`connectors.mastodon.parse_status` with HTML -> text, :func:`store.items.upsert_items` one transaction
per page) and, in the same run, of a raw ``sqlite3.executemany`` of the same rows into the same schema,
plus their ratio. Target: >= 20,000 items/s on one core.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from connectors.mastodon import parse_status
from store.channels import sync_channels
from store.config import ChannelConfig
from store.db import make_engine, migrate
from store.items import _row, upsert_items
from store.models import Item

PAGE = 40
CHANNEL = ChannelConfig(id="bench", platform="mastodon", name="Bench", account_id="1")
TEXTS = [
    "<p>Wann wird die Ampel an der Hauptstraße repariert? Seit Tagen ist sie aus.</p>",
    "<p>Danke für die Info! <a href=\"https://musterstadt.de/baustellen\" rel=\"nofollow\">"
    "<span class=\"invisible\">https://</span><span>musterstadt.de/baustellen</span></a></p>",
    "<p>Die Müllabfuhr kam heute nicht.<br />Bitte um Rückmeldung, wann sie nachgeholt wird.</p>",
    "<p><span class=\"h-card\"><a href=\"https://social.example/@stadt\" class=\"u-url mention\">@"
    "<span>stadt</span></a></span> Gibt es am Samstag einen Termin im Bürgerbüro?</p><p>Viele Grüße</p>",
]


def make_pages(n_items: int) -> list[bytes]:
    """``n_items`` citizen replies as Mastodon context JSON arrays, ``PAGE`` per page (built once, in memory)."""
    start = datetime(2026, 3, 2, 8, tzinfo=UTC)
    pages, page = [], []
    for i in range(n_items):
        when = start + timedelta(seconds=i)
        page.append({
            "id": str(110_000_000_000_000_000 + i), "created_at": when.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            "in_reply_to_id": str(109_000_000_000_000_000 + i // 50), "in_reply_to_account_id": "1",
            "sensitive": False, "spoiler_text": "", "visibility": "public", "language": "de",
            "uri": f"https://social.example/users/u{i % 997}/statuses/{i}",
            "url": f"https://social.example/@u{i % 997}/{i}", "replies_count": i % 3, "reblogs_count": 0,
            "favourites_count": i % 7, "edited_at": None, "content": TEXTS[i % len(TEXTS)], "reblog": None,
            "account": {"id": str(1000 + i % 997), "username": f"u{i % 997}", "acct": f"u{i % 997}",
                        "display_name": f"Bürgerin {i % 997}", "url": f"https://social.example/@u{i % 997}"},
            "media_attachments": [], "mentions": [], "tags": [], "emojis": [], "card": None, "poll": None,
        })
        if len(page) == PAGE:
            pages.append(json.dumps(page).encode())
            page = []
    if page:
        pages.append(json.dumps(page).encode())
    return pages


def parse_page(body: bytes) -> list[Item]:
    return [parse_status(s, CHANNEL, root_id=s["in_reply_to_id"]) for s in json.loads(body)]


def bench_real(pages: list[bytes], db: Path) -> tuple[float, int]:
    engine = make_engine(f"sqlite:///{db}")
    migrate(engine)
    with engine.begin() as conn:
        sync_channels(conn, [CHANNEL])
    count = 0
    started = time.perf_counter()
    for body in pages:
        items = parse_page(body)
        with engine.begin() as conn:
            count += upsert_items(conn, items).new
    elapsed = time.perf_counter() - started
    engine.dispose()
    return elapsed, count


def bench_raw(pages: list[bytes], db: Path) -> tuple[float, int]:
    engine = make_engine(f"sqlite:///{db}")
    migrate(engine)
    with engine.begin() as conn:
        sync_channels(conn, [CHANNEL])
    engine.dispose()
    now = datetime.now(UTC)
    rows: list[dict[str, Any]] = []
    for body in pages:  # the same rows, prepared outside the timing: this is the floor for the insert alone
        for it in parse_page(body):
            row = _row(it, it.content_hash(), now)
            row["raw"] = json.dumps(row["raw"])
            for key in ("created_at", "first_seen", "last_seen"):
                row[key] = row[key].replace(tzinfo=None).isoformat(" ")
            rows.append(row)
    cols = list(rows[0])
    sql = f"INSERT INTO item ({', '.join(cols)}) VALUES ({', '.join(':' + c for c in cols)})"
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    started = time.perf_counter()
    for i in range(0, len(rows), PAGE):
        with con:
            con.executemany(sql, rows[i : i + PAGE])
    elapsed = time.perf_counter() - started
    con.close()
    return elapsed, len(rows)


def main(argv: list[str] | None = None) -> None:
    """Run both measurements and print items/s and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=50_000)
    args = parser.parse_args(argv)
    pages = make_pages(args.items)
    with tempfile.TemporaryDirectory() as tmp:
        real_s, real_n = bench_real(pages, Path(tmp) / "real.db")
        raw_s, raw_n = bench_raw(pages, Path(tmp) / "raw.db")
    real_rate, raw_rate = real_n / real_s, raw_n / raw_s
    print(f"parse + normalise + upsert_items: {real_n:,} Einträge in {real_s:.2f} s = {real_rate:,.0f} Einträge/s")
    print(f"raw sqlite3.executemany:          {raw_n:,} Einträge in {raw_s:.2f} s = {raw_rate:,.0f} Einträge/s")
    print(f"Verhältnis raw / real: {raw_rate / real_rate:.1f}x  (Ziel real >= 20.000 Einträge/s)")


if __name__ == "__main__":
    main()
