"""Ingest benchmark: Mastodon-shaped JSON pages -> parse + normalise + upsert into a fresh SQLite file.

Run: ``python -m tests.bench.bench_ingest [--items N]``. Prints items/s of the real path (the page decode of
:func:`connectors.http.parse_json`, :func:`connectors.mastodon.parse_status` with HTML -> text,
:func:`store.items.upsert_items` one transaction per page, as the sync runner does) and, in the same run, of a
raw ``sqlite3.executemany`` of the very rows the real path stored (positional tuples, prepared outside the timing:
the floor of the insert alone), plus their ratio; then the re-read of the same pages (every item unchanged: the
daily re-scan of comment threads). Target: >= 20,000 items/s on one core.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine

from connectors.http import decode_json
from connectors.mastodon import parse_status
from store.channels import sync_channels
from store.config import ChannelConfig
from store.db import make_engine, migrate
from store.items import SQLITE_INSERT, sqlite_row, sqlite_time, upsert_items
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
    return [parse_status(s, CHANNEL, root_id=s["in_reply_to_id"]) for s in decode_json(body)]


Timing = tuple[float, float, int]  # wall seconds, CPU seconds of this process, items


def _fresh_engine(db: Path) -> Engine:
    engine = make_engine(f"sqlite:///{db}")
    migrate(engine)
    with engine.begin() as conn:
        sync_channels(conn, [CHANNEL])
    return engine


def bench_real(pages: list[bytes], engine: Engine, pages_per_tx: int) -> Timing:
    """The sync runner's work per page; ``count`` is what the upserts reported (new or unchanged)."""
    count = 0
    started, cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(pages), pages_per_tx):
        with engine.begin() as conn:
            for body in pages[i : i + pages_per_tx]:
                result = upsert_items(conn, parse_page(body))
                count += result.new + result.unchanged
    return time.perf_counter() - started, time.process_time() - cpu, count


def bench_raw(pages: list[bytes], db: Path, pages_per_tx: int) -> Timing:
    _fresh_engine(db).dispose()
    seen = sqlite_time(datetime.now(UTC))
    rows = [sqlite_row(it, it.content_hash(), seen) for body in pages for it in parse_page(body)]
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    started, cpu = time.perf_counter(), time.process_time()
    step = PAGE * pages_per_tx
    for i in range(0, len(rows), step):
        with con:
            con.executemany(SQLITE_INSERT, rows[i : i + step])
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    con.close()
    return elapsed, cpu, len(rows)


def _line(label: str, timing: Timing) -> None:
    wall, cpu, n = timing
    print(f"   {label:<33} {n / wall:>9,.0f} | {n / cpu:>9,.0f}")


def main(argv: list[str] | None = None) -> None:
    """Run both measurements and print items/s and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=50_000)
    args = parser.parse_args(argv)
    pages = make_pages(args.items)
    print(f"{args.items:,} Mastodon-Antworten in Seiten zu {PAGE} (Ziel: parse + upsert >= 20.000 Einträge/s)")
    # 1 page per transaction is what the sync runner does; 25 pages (1,000 items) shows the commit cost apart
    for pages_per_tx in (1, 25):
        with tempfile.TemporaryDirectory() as tmp:
            engine = _fresh_engine(Path(tmp) / "real.db")
            real = bench_real(pages, engine, pages_per_tx)
            again = bench_real(pages, engine, pages_per_tx)
            engine.dispose()
            raw = bench_raw(pages, Path(tmp) / "raw.db", pages_per_tx)
        print(f"-- {pages_per_tx * PAGE} Einträge je Transaktion (Einträge/s: Wanduhr | je CPU-Sekunde)")
        _line("parse + normalise + upsert_items", real)
        _line("raw sqlite3.executemany", raw)
        print(f"   Verhältnis raw / real: {real[0] / raw[0]:.1f}x (Wanduhr), {real[1] / raw[1]:.1f}x (CPU)")
        _line("erneut gelesen (alle unverändert)", again)


if __name__ == "__main__":
    main()
