"""The README's first command, end to end: ``netzpflege demo`` ingests Musterstadt through the real connectors,
triages it and serves the dashboard, whose Warteschlange shows cases in a real headless Chromium."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.dashboard.test_browser import _free_port, _settle, page  # noqa: F401 - page is a fixture

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
            deadline = time.monotonic() + 240
            while True:
                try:
                    if httpx.get(f"{base}/_stcore/health", timeout=1).text == "ok":
                        break
                except httpx.HTTPError:
                    pass
                if proc.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"netzpflege demo did not serve: {log_path.read_text()[-3000:]}")
                time.sleep(0.5)
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
