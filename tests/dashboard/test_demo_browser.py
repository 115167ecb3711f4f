"""The README's first command, end to end: ``netzpflege demo`` ingests Musterstadt through the real connectors,
triages it and serves the dashboard, whose Warteschlange shows cases in a real headless Chromium."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.dashboard.test_browser import (  # noqa: F401 - page is a fixture
    _free_port,
    _settle,
    page,
    wait_until_healthy,
)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``netzpflege demo`` (small scale) running in a temporary folder; yields the dashboard URL."""
    folder = tmp_path_factory.mktemp("demo")
    port = _free_port()
    env = {**os.environ, "NETZPFLEGE_DATABASE_URL": f"sqlite:///{folder / 'netzpflege.db'}"}
    env.pop("NETZPFLEGE_CONFIG_DIR", None)
    log_path = folder / "demo.log"
    with log_path.open("w") as log:
        proc = subprocess.Popen([sys.executable, "-m", "dashboard.cli", "demo", "--scale", "0.03", "--port", str(port)],
                                cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_healthy(proc, base, 240, log_path)
            yield base
        finally:
            os.killpg(proc.pid, 15)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, 9)


def test_demo_queue_shows_cases(page: Any, demo: str, tmp_path: Path) -> None:  # noqa: F811
    page.goto(demo)
    page.get_by_role("heading", name="Warteschlange").wait_for()
    page.locator('[role="gridcell"]').first.wait_for(state="attached")
    _settle(page)
    open_cases = int(page.locator('[data-testid="stMetricValue"]').first.inner_text().replace(".", ""))
    assert open_cases > 0
    labels = {"Notfall", "Presseanfrage", "Frist / Termin", "Beschwerde", "Frage", "Keine Aktion"}
    cells = set(page.locator('[role="gridcell"]').all_inner_texts())
    assert cells & labels, "no urgency label among the queue's cells"
    page.screenshot(path=tmp_path / "demo_warteschlange.png")
