"""The dashboard in a real browser: `streamlit run dashboard.py` on localhost, driven by
Playwright with Debian's Chromium, on the session store built from the real data.

Each page must finish its script run with no exception box; the headline figures and the
timeline must be on screen. Screenshots at 1280x800 go to tests/artifacts/ (git-ignored).
Run just this: `pytest -m browser tests/test_browser.py`.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from kb import config
from kb import store as kbstore

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parent.parent
ARTIFACTS = REPO / "tests" / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
VIEWPORT = {"width": 1280, "height": 800}
SERVER_START_SECONDS = 60
PAGE_SECONDS = 60
IDLE = "[data-testid='stApp'][data-test-script-state='notRunning']"


def _need_chromium() -> None:
    if CHROMIUM.exists():
        return
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{CHROMIUM} is missing on CI: install Debian's chromium package")
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_healthy(url: str, server: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"streamlit exited with {server.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                if response.read().strip() == b"ok":
                    return
        except OSError:
            pass
        time.sleep(0.2)
    pytest.fail(
        f"streamlit did not answer within {SERVER_START_SECONDS} s:\n{log.read_text()[-3000:]}"
    )


@pytest.fixture(scope="module")
def server(built, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`streamlit run dashboard.py` on a free port, reading the session store."""
    _need_chromium()
    port = _free_port()
    log = tmp_path_factory.mktemp("streamlit") / "server.log"
    env = dict(os.environ)
    env.update(
        {
            config.ENV_DB: str(built.db),
            config.ENV_DATA_DIR: str(built.data_dir),
            config.ENV_RAW_DIR: str(built.raw_dir),
        }
    )
    command = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        "dashboard.py",
        "--server.headless",
        "true",
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--browser.gatherUsageStats",
        "false",
        "--server.fileWatcherType",
        "none",
    ]
    with log.open("w") as out:
        proc = subprocess.Popen(command, cwd=REPO, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(url, proc, log)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser(server: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=30_000
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport=VIEWPORT)
    tab = context.new_page()
    tab.set_default_timeout(PAGE_SECONDS * 1000)
    try:
        yield tab
    finally:
        context.close()


def visit(page, url: str, heading: str) -> None:
    """Open a page and wait until its script run has finished and its heading is shown."""
    page.goto(url, wait_until="domcontentloaded")
    page.get_by_role("heading", name=heading).first.wait_for()
    page.wait_for_selector(IDLE)


def settle_charts(page, expected: int = 1) -> None:
    """At least `expected` Vega-Lite charts are on the page and every one has drawn (a canvas
    or svg inside it)."""
    charts = page.locator("[data-testid='stVegaLiteChart']")
    charts.nth(expected - 1).wait_for(state="visible")
    for i in range(charts.count()):
        charts.nth(i).locator("canvas, svg").first.wait_for(state="visible")


def shoot(page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    return path


def no_exception(page) -> None:
    assert page.locator("[data-testid='stException']").count() == 0


def test_timeline_page(server: str, page) -> None:
    visit(page, f"{server}/", "AI model releases")
    settle_charts(page)
    no_exception(page)
    chart = page.locator("[data-testid='stVegaLiteChart']").first
    box = chart.bounding_box()
    assert box is not None and box["width"] > 1000  # the chart fills the page's width
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    chart.screenshot(path=str(ARTIFACTS / "timeline-chart.png"))
    # The release card for the default selection, GPT-4, with its variants table.
    page.get_by_role("heading", name="GPT-4").first.wait_for()
    assert page.get_by_text("Variants, context windows, prices and limits").count() == 1
    shoot(page, "timeline")
    page.get_by_role("heading", name="GPT-4").first.scroll_into_view_if_needed()
    shoot(page, "timeline-card")


def test_exposure_page_shows_the_paper_headline(server: str, page, built) -> None:
    from kb import exposure

    with kbstore.connect(built.db) as con:
        at_10, at_50 = exposure.shares(con, (0.1, 0.5), exposure.Recipe())
    visit(page, f"{server}/exposure", "Exposure of occupations to LLMs")
    settle_charts(page, expected=2)  # the curve and the breakdown
    no_exception(page)
    values = [v.inner_text().strip() for v in page.locator("[data-testid='stMetricValue']").all()]
    assert values[:2] == [f"{100 * at_10.share_workers:.1f}%", f"{100 * at_50.share_workers:.1f}%"]
    shoot(page, "exposure")
    page.get_by_role(
        "heading", name="Most and least exposed occupations"
    ).scroll_into_view_if_needed()
    shoot(page, "exposure-tables")


def metric_value(page, label: str) -> str:
    """The value of the st.metric whose label starts with `label`."""
    card = page.locator("[data-testid='stMetric']").filter(has_text=label).first
    return card.locator("[data-testid='stMetricValue']").inner_text().strip()


def test_exposure_view_comes_from_the_url_and_goes_back_into_it(server: str, page, built) -> None:
    """A shared link reproduces the view: recipe and threshold are read from the URL, and a
    change is written back into it."""
    from kb import exposure

    recipe = exposure.Recipe(rater="gpt4", compare="ge")
    with kbstore.connect(built.db) as con:
        at_50 = exposure.share(con, 0.5, recipe)
    visit(
        page,
        f"{server}/exposure?rater=gpt4&compare=ge&threshold=50",
        "Exposure of occupations to LLMs",
    )
    settle_charts(page, expected=2)
    no_exception(page)
    value = metric_value(page, "Slider: workers with at least 50% of tasks exposed")
    assert value == f"{100 * at_50.share_workers:.1f}%"
    assert "rater=gpt4" in page.url and "threshold=50" in page.url
    slider = page.locator("[data-testid='stSlider']").first
    thumb = slider.locator("input[type='range'], [role='slider']").first
    thumb.focus()
    thumb.press("ArrowRight")
    page.wait_for_function("() => location.search.includes('threshold=51')")
    page.wait_for_selector(IDLE)
    no_exception(page)


def test_exposure_page_at_800_pixels(server: str, browser) -> None:
    """At 800 px the columns wrap: nothing is wider than the window, selectboxes are whole."""
    context = browser.new_context(viewport={"width": 800, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(PAGE_SECONDS * 1000)
    try:
        visit(tab, f"{server}/exposure", "Exposure of occupations to LLMs")
        settle_charts(tab, expected=2)
        no_exception(tab)
        for box in tab.locator("[data-testid='stSelectbox']").all()[:5]:
            bounds = box.bounding_box()
            assert bounds is not None and bounds["x"] >= 0 and bounds["x"] + bounds["width"] <= 800
            assert bounds["width"] >= 200  # wide enough for 'OEWS May 2021, each worker once'
        overflow = tab.evaluate(
            "() => { const m = document.querySelector(\"[data-testid='stMain']\");"
            " return m.scrollWidth - m.clientWidth; }"
        )
        assert overflow <= 1
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        tab.screenshot(path=str(ARTIFACTS / "exposure-800.png"))
    finally:
        context.close()


def test_explorer_page(server: str, page) -> None:
    visit(page, f"{server}/explorer", "Occupation explorer")
    settle_charts(page)
    no_exception(page)
    assert page.get_by_text("Exposure under each measure").count() == 1
    shoot(page, "explorer")


def test_sql_page(server: str, page) -> None:
    visit(page, f"{server}/sql_console", "SQL on the store")
    no_exception(page)
    page.locator("[data-testid='stDataFrame']").first.wait_for()
    shoot(page, "sql")


def test_about_page(server: str, page) -> None:
    visit(page, f"{server}/about", "About the data")
    no_exception(page)
    assert page.get_by_text("CC BY 4.0").count() >= 1
    shoot(page, "about")
