"""The ``netzpflege`` command: wiring only (config -> store -> connectors/moderation -> dashboard).

Every command validates the configuration and migrates the database first; a broken config ends with
exit code 2 and one German message naming file, key and problem — never a traceback.
"""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from contextlib import nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from store.config import Config, ConfigError, load_config

if TYPE_CHECKING:  # SQLAlchemy is imported only by commands that open the store: `triage` starts faster
    from sqlalchemy import Engine

app = typer.Typer(
    help="Netzpflege: Social-Media-Kanäle einer Kommune lesen, sichten, moderieren und auswerten.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

ConfigDirOpt = Annotated[
    Path | None, typer.Option("--config-dir", help="Konfigurationsordner (sonst NETZPFLEGE_CONFIG_DIR oder ./config).")
]


@app.callback()
def _collect_garbage_again(ctx: typer.Context) -> None:
    # `dashboard.main` starts without the cyclic garbage collector; `triage` turns it on once its models are loaded
    if ctx.invoked_subcommand != "triage":
        gc.enable()


def _fail(message: str, code: int) -> typer.Exit:
    typer.secho(message, err=True, fg=typer.colors.RED)
    return typer.Exit(code)


def _config(config_dir: Path | None) -> Config:
    try:
        return load_config(config_dir)
    except ConfigError as exc:
        raise _fail(f"Konfigurationsfehler: {exc}", 2) from None


def _store(cfg: Config) -> Engine:
    from store.channels import seed_checklist, sync_channels
    from store.db import StoreError, open_store

    try:
        engine = open_store()
    except StoreError as exc:
        raise _fail(str(exc), 3) from None
    with engine.begin() as conn:
        sync_channels(conn, cfg.channels)
        seed_checklist(conn, [c.id for c in cfg.channels], {c.id: c.platform for c in cfg.channels},
                       cfg.checklist.items)
    return engine


@app.command()
def init(config_dir: ConfigDirOpt = None) -> None:
    """Konfiguration prüfen, Datenbank anlegen bzw. migrieren und Kanäle übernehmen."""
    cfg = _config(config_dir)
    _store(cfg)
    typer.echo(f"Konfiguration {cfg.directory} ist gültig: {len(cfg.channels)} Kanäle, "
               f"{len(cfg.policy.urgency)} Dringlichkeitsklassen, {len(cfg.netiquette.rules)} Netiquette-Regeln.")
    typer.echo(f"Datenbank bereit: {_display_url()}")


def _display_url() -> str:
    from sqlalchemy.engine import make_url

    from store.db import database_url

    return make_url(database_url()).render_as_string(hide_password=True)


def _parse_since(since: str | None) -> datetime | None:
    if since is None:
        return None
    try:
        value = datetime.fromisoformat(since)
    except ValueError:
        raise _fail(f"--since: {since!r} ist kein Datum (erwartet z. B. 2026-11-01)", 2) from None
    return value if value.tzinfo else value.replace(tzinfo=UTC)


@app.command()
def sync(
    channel: Annotated[
        list[str] | None, typer.Option("--channel", "-c", help="Nur diesen Kanal (mehrfach möglich).")
    ] = None,
    since: Annotated[
        str | None, typer.Option(help="Nichts Älteres holen als dieses Datum (ISO, z. B. 2026-11-01).")
    ] = None,
    no_triage: Annotated[bool, typer.Option("--no-triage", help="Neue Beiträge nicht sofort sichten.")] = False,
    config_dir: ConfigDirOpt = None,
) -> None:
    """Neue Beiträge und Kommentare aller (oder einzelner) Kanäle holen und sichten."""
    cfg = _config(config_dir)
    engine = _store(cfg)
    chosen = [c for c in cfg.channels if c.active and (not channel or c.id in channel)]
    unknown = set(channel or ()) - {c.id for c in cfg.channels}
    if unknown:
        raise _fail(f"Unbekannter Kanal: {', '.join(sorted(unknown))} (siehe {cfg.directory / 'channels.yaml'})", 2)
    from dashboard.runs import run_sync, run_triage

    results = run_sync(engine, chosen, since=_parse_since(since))
    if not no_triage:
        run_triage(engine, cfg)
    if any(r.error for r in results):
        raise typer.Exit(1)


@app.command()
def triage(
    input: Annotated[
        Path | None, typer.Option("--input", "-i", help="JSONL-Datei (sonst Standardeingabe).")
    ] = None,
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="JSONL-Ausgabe (sonst Standardausgabe).")
    ] = None,
    stored: Annotated[
        bool, typer.Option("--stored", help="Noch nicht gesichtete gespeicherte Beiträge sichten.")
    ] = False,
    rescore: Annotated[
        bool, typer.Option("--rescore", help="Alle gespeicherten Beiträge neu sichten (nach Modelländerung).")
    ] = False,
    config_dir: ConfigDirOpt = None,
) -> None:
    """Kommentare sichten: JSONL (Feld "text") von Datei/Standardeingabe oder die gespeicherten Beiträge."""
    cfg = _config(config_dir)
    if stored or rescore:
        gc.enable()
        from dashboard.runs import run_triage
        from moderation.queue import reset_triage

        engine = _store(cfg)
        if rescore:
            reset_triage(engine)
        run_triage(engine, cfg)
        return
    from moderation import native
    from moderation.batch import triage_jsonl
    from moderation.pipeline import Triager

    if native.STATUS == native.STALE:  # a developer edited the hot path: say why it is slower
        typer.echo(f"Hinweis: {native.status_line()}", err=True)
    triager = Triager(cfg.policy, config_dir=cfg.directory)
    triager.warm_up()
    # The loaded model, lexicons and policy live as long as the process: keep the cyclic garbage collector
    # from scanning them again and again, and let it run less often (the batch keeps few objects alive). The
    # little cyclic garbage of the start-up (run without the collector, see `dashboard.main`) is frozen with them.
    gc.freeze()
    gc.set_threshold(50_000, 50, 100)
    gc.enable()
    try:
        src = input.open(encoding="utf-8") if input else sys.stdin
        dst = output.open("w", encoding="utf-8") if output else sys.stdout
    except OSError as exc:
        raise _fail(f"Datei kann nicht geöffnet werden: {exc}", 2) from None
    watched = sys.stderr.isatty()  # a person watches: a progress bar, then a summary (never in pipes or logs)
    if watched:
        from dashboard.runs import line_progress
    bar = line_progress(_count_lines(input) if input else None) if watched else nullcontext()
    with src, dst, bar as progress:
        bad = triage_jsonl(src, dst, sys.stderr, triager, progress)  # (stderr is the bar's own while it runs)
    if bad:
        raise _fail(f"{bad} fehlerhafte Zeile(n) übersprungen (siehe oben).", 1)


def _count_lines(path: Path) -> int:
    """Lines of a file (read in binary blocks: some ms for 20,000 comments), for the progress bar's total."""
    with path.open("rb") as f:
        return sum(block.count(b"\n") for block in iter(lambda: f.read(1 << 20), b""))


@app.command()
def train(
    data: Annotated[Path, typer.Option(help="Gelabelte TSV/CSV-Datei im GermEval-2018-Format.")],
    out: Annotated[
        Path | None, typer.Option(help="Zielordner des Modells (Standard: das mitgelieferte Modell).")
    ] = None,
    folds: Annotated[int, typer.Option(help="Anzahl der Kreuzvalidierungs-Folds.")] = 5,
) -> None:
    """Das Missbrauchsmodell trainieren, kreuzvalidiert bewerten und als JSON/NumPy-Daten speichern."""
    from moderation.abuse import MODEL_PATH
    from moderation.train import TrainingError
    from moderation.train import train as train_model

    if not data.is_file():
        raise _fail(f"--data: {data} nicht gefunden", 2)
    try:
        train_model(data, None, out or MODEL_PATH, folds=folds, echo=typer.echo)
    except TrainingError as exc:
        raise _fail(f"Training nicht möglich: {exc}", 2) from None


@app.command()
def serve(
    port: Annotated[int, typer.Option(help="Port des Dashboards.")] = 8501,
    config_dir: ConfigDirOpt = None,
) -> None:
    """Das Dashboard starten (http://localhost:8501)."""
    cfg = _config(config_dir)
    _store(cfg)
    _serve(cfg, port)


def _serve(cfg: Config, port: int) -> None:
    from store.db import database_url

    url = database_url()
    if url.startswith("sqlite:///") and not url.startswith("sqlite:////"):
        url = "sqlite:///" + str(Path(url.removeprefix("sqlite:///")).resolve())
    env = os.environ | {"NETZPFLEGE_DATABASE_URL": url, "NETZPFLEGE_CONFIG_DIR": str(cfg.directory.resolve())}
    app_file = Path(__file__).with_name("app.py")
    typer.echo(f"Dashboard: http://localhost:{port}  (Beenden mit Strg+C)")
    cmd = [sys.executable, "-m", "streamlit", "run", str(app_file), f"--server.port={port}",
           "--server.headless=true", "--client.toolbarMode=minimal", "--browser.gatherUsageStats=false"]
    try:
        raise typer.Exit(subprocess.call(cmd, env=env))
    except KeyboardInterrupt:
        raise typer.Exit(0) from None


@app.command()
def demo(
    serve_after: Annotated[bool, typer.Option("--serve/--no-serve", help="Danach das Dashboard starten.")] = True,
    port: Annotated[int, typer.Option(help="Port des Dashboards.")] = 8501,
    scale: Annotated[float, typer.Option(help="Datenmenge (1.0 = gut 20.000 Bürgerkommentare).")] = 1.0,
    config_dir: ConfigDirOpt = None,
) -> None:
    """Die Demo-Kommune Musterstadt erzeugen, über die echten Konnektoren einlesen, sichten, Dashboard starten."""
    cfg = _config(config_dir)
    engine = _store(cfg)
    from dashboard.runs import run_demo

    run_demo(engine, cfg, scale=scale)
    if serve_after:
        _serve(cfg, port)


if __name__ == "__main__":  # pragma: no cover - python -m dashboard.cli
    app()
