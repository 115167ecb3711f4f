"""The real app in a real headless Chromium (Debian's package, driven by Playwright; no browser download).

Starts ``streamlit run dashboard/app.py`` on a free loopback port against a seeded SQLite store, checks
the queue and the Lagebild as a person would see them, and saves screenshots (the folder is printed;
``NETZPFLEGE_SCREENSHOT_DIR`` keeps them somewhere else).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from store.db import make_engine, migrate
from tests.conftest import REPO, missing
from tests.dashboard.seed import Seeded, seed

pytestmark = pytest.mark.browser

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
STARTUP_SECONDS = 40


def wait_until_healthy(proc: subprocess.Popen[bytes], base: str, seconds: float, log: Path) -> None:
    """Poll Streamlit's health endpoint until it answers; fail with the log's tail if the process dies or hangs."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            if httpx.get(f"{base}/_stcore/health", timeout=1).text == "ok":
                return
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            pytest.fail(f"the dashboard did not start: {log.read_text()[-3000:]}")
        time.sleep(0.3)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Seeded]]:
    """The running app's base URL and what was seeded into its store."""
    db = tmp_path_factory.mktemp("browser") / "netzpflege.db"
    engine = make_engine(f"sqlite:///{db}")
    migrate(engine)
    seeded = seed(engine)
    engine.dispose()
    port = _free_port()
    env = {**os.environ, "NETZPFLEGE_DATABASE_URL": f"sqlite:///{db}"}
    env.pop("NETZPFLEGE_CONFIG_DIR", None)
    log = db.with_name("streamlit.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "dashboard/app.py", "--server.headless", "true",
         "--server.port", str(port), "--server.address", "127.0.0.1", "--browser.gatherUsageStats", "false",
         "--server.fileWatcherType", "none"],
        cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(proc, base, STARTUP_SECONDS, db.with_name("streamlit.log"))
        yield base, seeded
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()


@pytest.fixture(scope="module")
def page() -> Iterator[Any]:
    """A Chromium tab (checked before the app starts, so a missing browser costs nothing)."""
    chromium = shutil.which("chromium")
    if chromium is None:
        missing("Debian's chromium is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        missing("the playwright Python package is not installed")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1920, "height": 1200}, locale="de-DE",
                                      timezone_id="Europe/Berlin")
        pg = context.new_page()
        pg.set_default_timeout(20_000)
        yield pg
        browser.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get("NETZPFLEGE_SCREENSHOT_DIR") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"screenshots in {folder}")
    return folder


def _shown_in_full(pg: Any, text: str) -> None:
    """``text`` appears literally in the case detail (st.text) and in a cell of the queue grid."""
    pg.get_by_test_id("stText").get_by_text(text, exact=True).wait_for()
    pg.locator('[role="gridcell"]', has_text=text).first.wait_for(state="attached")


def _settle(pg: Any) -> None:
    """Wait until the script run finished (Streamlit shows a status widget while it runs)."""
    pg.wait_for_selector('[data-testid="stApp"][data-test-script-state="notRunning"]', state="attached")
    pg.wait_for_timeout(500)  # let the grid and the chart paint


def test_lagebild_then_queue_in_chromium(page: Any, app: tuple[str, Seeded], shots: Path) -> None:
    base, seeded = app
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))

    # a deep link on the freshly started server: it must run through app.py (page config, navigation)
    page.goto(f"{base}/lagebild")
    page.get_by_role("heading", name="Lagebild").wait_for()
    page.get_by_text("Auffälliger Anstieg auf Kanal Facebook-Seite Stadt Musterstadt").wait_for()
    page.locator(".js-plotly-plot").first.wait_for()
    _settle(page)
    assert page.get_by_role("link", name="Warteschlange", exact=True).count() == 1  # titles, not file names
    assert page.locator('[data-testid="stMetricValue"]').all_inner_texts() == ["51", "7", "2", "1", "1", "5"]
    page.screenshot(path=shots / "lagebild.png")

    page.get_by_role("link", name="Warteschlange", exact=True).click()
    page.get_by_role("heading", name="Warteschlange").wait_for()
    _shown_in_full(page, seeded.text("c-pii"))  # the most urgent case
    _settle(page)
    assert page.locator('[data-testid="stMetricValue"]').all_inner_texts()[:3] == ["7", "2", "1"]
    page.screenshot(path=shots / "warteschlange.png")

    search = page.get_by_label("Suche in Kommentar und Autor")
    search.fill("evil")
    search.press("Enter")
    _shown_in_full(page, seeded.text("c-markdown"))  # literally, markdown syntax and all
    _settle(page)
    assert page.locator('img[src*="evil.example"]').count() == 0
    page.screenshot(path=shots / "warteschlange_markdown.png")
    search.fill("alert")
    search.press("Enter")
    _shown_in_full(page, seeded.text("c-script"))
    _settle(page)
    assert dialogs == []
