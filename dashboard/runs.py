"""Long-running CLI work with progress and German summaries: sync, triage and the demo.

Kept apart from :mod:`dashboard.cli` so the command definitions stay declarative.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import Engine, func, select

from connectors.sync import ChannelResult, ProgressEvent, sync_all
from dashboard.labels import fmt_int
from moderation.pipeline import Triager
from moderation.queue import TriageCounts, triage_pending
from store.config import ChannelConfig, Config
from store.schema import item, triage

console = Console(stderr=True)


def run_sync(
    engine: Engine, channels: Sequence[ChannelConfig], *, since: datetime | None = None
) -> list[ChannelResult]:
    """Sync ``channels`` showing a live line per channel, then print the summary table."""
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), TimeElapsedColumn(), console=console,
                  transient=True) as bar:
        tasks = {c.id: bar.add_task(f"{c.id}: wartet …") for c in channels}

        def show(ev: ProgressEvent) -> None:
            bar.update(tasks[ev.channel_id],
                       description=f"{ev.channel_id}: {ev.stream}, Seite {ev.pages}, {ev.items} Einträge")

        results = sync_all(engine, channels, since=since, progress=show)
    console.print(sync_table(results))
    return results


def sync_table(results: Sequence[ChannelResult]) -> Table:
    table = Table(title="Abgleich")
    for col, just in (("Kanal", "left"), ("neu", "right"), ("geändert", "right"), ("gelöscht", "right"),
                      ("Dauer", "right"), ("Fehler", "left")):
        table.add_column(col, justify=just)  # type: ignore[arg-type]
    for r in results:
        table.add_row(r.channel_id, f"{r.new:,}".replace(",", "."), str(r.updated), str(r.deleted),
                      f"{r.duration:.1f} s", f"[red]{r.error}[/red]" if r.error else "–")
    return table


def run_triage(engine: Engine, cfg: Config) -> TriageCounts:
    """Triage every untriaged stored citizen item with a progress bar; print what it opened."""
    no_triage = ~select(triage.c.item_id).where(triage.c.item_id == item.c.id).exists()
    with engine.connect() as conn:
        pending = conn.execute(
            select(func.count()).select_from(item)
            .where(item.c.is_own_account.is_(False), item.c.kind != "post", item.c.state != "deleted", no_triage)
        ).scalar_one()
    triager = Triager(cfg.policy, config_dir=cfg.directory)
    sla = {c.id: c.sla_minutes for c in cfg.channels if c.sla_minutes}
    with _triage_bar() as bar:
        task = bar.add_task("", total=pending)
        counts = triage_pending(engine, triager, cfg.policy, sla, progress=lambda n: bar.update(task, completed=n))
    console.print(f"Gesichtet: {counts.triaged:,} Beiträge; neue Fälle: {counts.cases_opened:,}; "
                  f"durch eigene Antwort erledigt: {counts.cases_answered:,}".replace(",", "."))
    return counts


@contextmanager
def line_progress(total: int | None) -> Iterator[Callable[[int], None]]:
    """A progress bar on the terminal (stderr) for ``netzpflege triage`` of JSON lines, then a summary line;
    yields the function that reports how many lines were read."""
    start = time.perf_counter()
    with _triage_bar() as bar:
        task = bar.add_task("", total=total)
        yield lambda lines: bar.update(task, completed=lines)
    done = int(bar.tasks[0].completed)
    seconds = time.perf_counter() - start
    took = f"{seconds:.1f}".replace(".", ",")
    rate = f" ({fmt_int(round(done / seconds))} je Sekunde)" if seconds > 0 and done else ""
    console.print(f"Gesichtet: {fmt_int(done)} Zeilen in {took} s{rate}")


def _triage_bar() -> Progress:
    return Progress(TextColumn("Sichtung"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console,
                    transient=True)


DEMO_TOKEN = "demo-token-musterstadt"


def demo_end(engine: Engine, channel_id: str) -> datetime:
    """The demo's 'now': kept in a bookmark so that a re-run regenerates the very same world."""
    from store.bookmarks import load_bookmark, save_bookmark
    from store.models import Bookmark

    with engine.begin() as conn:
        bm = load_bookmark(conn, channel_id, "demo")
        if bm is None or bm.newest_at is None or datetime.now(UTC) - bm.newest_at > timedelta(days=7):
            bm = Bookmark(channel_id, "demo", newest_at=datetime.now(UTC).replace(minute=0, second=0, microsecond=0))
            save_bookmark(conn, bm)
    assert bm.newest_at is not None
    return bm.newest_at


def run_demo(engine: Engine, cfg: Config, *, scale: float = 1.0, days: int = 90) -> list[ChannelResult]:
    """Generate Musterstadt, serve it on loopback in each platform's API shapes, sync it with the real
    connectors, then triage. Running it again on the same database adds nothing."""
    from connectors.replay import ReplayServer
    from dashboard.demo.world import build_world, world_summary

    end = demo_end(engine, cfg.channels[0].id)
    with console.status("Erzeuge die Demo-Kommune Musterstadt …"):
        world = build_world(cfg.channels, end=end, days=days, scale=scale, municipality=cfg.municipality,
                            policy=cfg.policy)
    summary = world_summary(world)
    citizens = sum(s["comments"] + s["replies"] for s in summary.values())
    console.print(f"Musterstadt: {len(world)} Kanäle, {days} Tage, {citizens:,} Bürgerkommentare und -antworten."
                  .replace(",", "."))
    with ReplayServer() as server:
        channels = []
        for ch in cfg.channels:
            server.add_channel(ch, world.get(ch.id, ()), token=DEMO_TOKEN if ch.token_env else None)
            if ch.token_env:
                os.environ[ch.token_env] = DEMO_TOKEN
            channels.append(server.channel_config(ch.id))
        console.print(f"Lokaler Replay-Server: {server.url} (nur Loopback)")
        results = run_sync(engine, channels, since=end - timedelta(days=days + 1))
    run_triage(engine, cfg)
    return results
