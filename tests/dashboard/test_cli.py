"""The ``netzpflege`` command as a user runs it: real processes, a temporary database and config folder."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from store.config import DEFAULT_DIR


def _run(args: list[str], cwd: Path, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
    full_env = os.environ | {"NETZPFLEGE_DATABASE_URL": f"sqlite:///{cwd / 'np.db'}", "COLUMNS": "120"} | env
    return subprocess.run([sys.executable, "-m", "dashboard.cli", *args], cwd=cwd, env=full_env, input=stdin,
                          capture_output=True, text=True, timeout=300, check=False)


def test_help_lists_every_command(tmp_path: Path) -> None:
    out = _run(["--help"], tmp_path).stdout
    for command in ("init", "demo", "sync", "triage", "train", "serve"):
        assert command in out


def test_init_creates_the_store(tmp_path: Path) -> None:
    result = _run(["init"], tmp_path)
    assert result.returncode == 0, result.stderr
    assert "6 Kanäle" in result.stdout
    with sqlite3.connect(tmp_path / "np.db") as db:
        assert db.execute("select count(*) from channel").fetchone() == (6,)
        assert db.execute("select count(*) from checklist_status").fetchone()[0] >= 6 * 14


@pytest.mark.parametrize(
    ("file", "old", "new", "where"),
    [
        ("policy.yaml", "sla_minutes: 15", "sla_minutes: sofort", "urgency[0].sla_minutes"),
        ("channels.yaml", "channels:", "channels: [", "Zeile"),
        ("checklist.yaml", "review_months: 6\n", "review_months: 0\n", "review_months"),
    ],
)
def test_broken_config_is_one_clear_message(tmp_path: Path, file: str, old: str, new: str, where: str) -> None:
    cfg = tmp_path / "cfg"
    shutil.copytree(DEFAULT_DIR, cfg)
    path = cfg / file
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    result = _run(["init"], tmp_path, NETZPFLEGE_CONFIG_DIR=str(cfg))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "Konfigurationsfehler" in result.stderr and file in result.stderr and where in result.stderr


def test_train_refuses_missing_data(tmp_path: Path) -> None:
    result = _run(["train", "--data", "fehlt.tsv"], tmp_path)
    assert result.returncode == 2 and "fehlt.tsv nicht gefunden" in result.stderr and "Traceback" not in result.stderr


def test_unknown_channel_is_refused(tmp_path: Path) -> None:
    result = _run(["sync", "--channel", "tiktok"], tmp_path)
    assert result.returncode == 2 and "Unbekannter Kanal: tiktok" in result.stderr


def test_demo_twice_gives_the_same_items(tmp_path: Path) -> None:
    first = _run(["demo", "--no-serve", "--scale", "0.02"], tmp_path)
    assert first.returncode == 0, first.stderr[-3000:]
    with sqlite3.connect(tmp_path / "np.db") as db:
        count = db.execute("select count(*) from item").fetchone()[0]
        citizen = db.execute("select count(*) from item where is_own_account = 0").fetchone()[0]
        cases = db.execute("select count(*) from \"case\" where state in ('new', 'claimed')").fetchone()[0]
        platforms = db.execute("select count(distinct channel_id) from item").fetchone()[0]
    assert citizen > 300 and cases > 0 and platforms == 6
    second = _run(["demo", "--no-serve", "--scale", "0.02"], tmp_path)
    assert second.returncode == 0, second.stderr[-3000:]
    with sqlite3.connect(tmp_path / "np.db") as db:
        assert db.execute("select count(*) from item").fetchone()[0] == count
        assert db.execute("select count(*) from item_edit").fetchone()[0] == 0


def test_triage_jsonl_from_stdin(tmp_path: Path) -> None:
    lines = [
        {"id": 1, "text": "Wann hat das Bürgerbüro morgen geöffnet?", "quelle": "facebook"},
        "kein json",
        {"id": 3, "text": "Der Bürgermeister ist ein Vollidiot"},
    ]
    stdin = "\n".join(x if isinstance(x, str) else json.dumps(x, ensure_ascii=False) for x in lines) + "\n"
    result = _run(["triage"], tmp_path, stdin=stdin)
    assert result.returncode == 1  # one malformed line
    assert "Zeile 2" in result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == [1, 3]
    assert out[0]["quelle"] == "facebook" and out[0]["is_question"] is True
    assert out[1]["abusive"] is True and "§ 185 StGB" in out[1]["criminal_hint"]
