"""The dashboard's latency in a real browser, from the user's action to the updated page.

`python benchmarks/browser.py` (also `python benchmarks/run.py --only browser`). It builds a
store with `kb build` into a temp folder, starts `streamlit run dashboard.py` on a free port on
127.0.0.1, and drives Debian's Chromium with Playwright (headless). Every interaction is timed
from the action (a click, a key, a navigation) until the dashboard's script run has finished
(`stApp` says `notRunning`), no element is still a skeleton (Streamlit draws one while the
browser fetches a chart's or a table's code, which can take seconds after the run ends), every
chart is drawn AND the element the action changes shows its new content, checked on every
animation frame: there are no fixed sleeps. It also times an empty Streamlit page's first
paint in the same browser (`--no-floor` skips it): the floor no page of the dashboard can beat.

The first time an interaction runs in the server's life it misses the server's caches: that
value is reported on its own ("cold"); the median of the repeats after it is the "warm" figure.

Every selector and label the benchmark relies on is in SELECTORS / PAGES below, found by
data-testid or by label text, so a reworked layout needs an edit in one place only.
Bounded: every wait has a timeout, the server is stopped on exit, and Chromium resolves no host
but 127.0.0.1.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
RESULTS = BENCH / "results" / "browser-latest.json"
MIRROR = REPO.parent / "shared" / "data" / "gpts-are-gpts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Talk to nothing but the local server.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
]
VIEWPORT = {"width": 1280, "height": 800}
SERVER_START_SECONDS = 90
ACTION_SECONDS = 60  # a single interaction taking longer than this is a failure, not a figure

# --- everything the benchmark knows about the dashboard's layout -------------------------------
SELECTORS = {
    # The script run has finished (Streamlit sets this attribute on the app root).
    "idle": "[data-testid='stApp'][data-test-script-state='notRunning']",
    "main": "[data-testid='stMain'], section.main",
    "title": "h1",
    "chart": "[data-testid='stVegaLiteChart']",
    "chart_drawn": "canvas, svg",
    "exception": "[data-testid='stException']",
    # An element whose code the browser is still fetching (a lazily loaded chart, table or
    # selectbox) is drawn as a skeleton: the page is not there yet.
    "loading": "[data-testid='stSkeleton']",
    "slider": "[data-testid='stSlider']",
    "slider_thumb": "input[type='range'], [role='slider']",
    "selectbox": "[data-testid='stSelectbox']",
    "widget_label": "[data-testid='stWidgetLabel']",
    "selectbox_input": "input, [role='combobox']",
    "option": "[role='option']",
    # What a threshold or recipe change updates: the headline cards and the section headings.
    "figures": "[data-testid='stMetricValue'], [data-testid='stMetricLabel'], "
    "[data-testid='stHeading'], [data-testid='stCaptionContainer']",
    # What choosing a release updates: the release card's heading.
    "card": "[data-testid='stHeading']",
}
# Pages by their navigation label (the link text) and URL path.
PAGES = {"timeline": ("Timeline", ""), "exposure": ("Exposure", "exposure")}
THRESHOLD_LABEL = re.compile(r"threshold", re.I)  # the Exposure page's threshold slider
RECIPE_LABEL = re.compile(r"^\s*rater\s*$", re.I)  # the recipe control the benchmark changes
RELEASE_LABEL = re.compile(r"^\s*release\s*$", re.I)  # the timeline's release chooser

# name -> (what it is, target in seconds, from issue 13).
TARGETS = {
    "first page": ("a fresh session's first page (store built)", 1.5),
    "page switch": ("Timeline <-> Exposure through the navigation", 0.6),
    "slider step": ("threshold slider, one step with the arrow key", 0.15),
    "recipe change": ("Exposure page, rater human <-> gpt4", 0.25),
    "choose release": ("Timeline page, another release in the chooser", 0.3),
}


@dataclass
class Figure:
    """One interaction's samples: the first (cold) and the rest (warm)."""

    samples: list[float] = field(default_factory=list)

    def add(self, seconds: float) -> None:
        self.samples.append(seconds)

    def summary(self) -> dict[str, Any]:
        warm = self.samples[1:]
        return {
            "cold": self.samples[0] if self.samples else None,
            "warm_median": statistics.median(warm) if warm else None,
            "warm_min": min(warm) if warm else None,
            "warm_max": max(warm) if warm else None,
            "warm_runs": len(warm),
            "samples": self.samples,
        }


# --- the server ------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def checkout_env(repo: Path) -> dict[str, str]:
    """The environment that runs kb and the dashboard from `repo` (this checkout by default; a
    snapshot such as `git archive HEAD` when the work tree is being edited)."""
    env = dict(os.environ)
    env.setdefault("KB_RAW_DIR", str(MIRROR))
    env["KB_DATA_DIR"] = str(repo / "data")
    if repo != REPO:  # ahead of the editable install of this checkout
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(repo), env.get("PYTHONPATH")]))
    return env


def build_store(folder: Path, repo: Path, progress: Callable[[str], None]) -> Path:
    """A store built by the CLI as a user would (independent of where the build code lives)."""
    db = folder / "kb.duckdb"
    progress(f"kb build --db {db}")
    kb = Path(sys.executable).with_name("kb")
    subprocess.run(
        [str(kb), "build", "--db", str(db)],
        check=True, capture_output=True, timeout=600, env=checkout_env(repo), cwd=repo,
    )  # fmt: skip
    return db


@contextmanager
def streamlit_server(
    db: Path, log: Path, repo: Path = REPO, script: Path | None = None
) -> Iterator[str]:
    """The dashboard (or another `script`, e.g. the empty page) served from `repo`."""
    port = free_port()
    env = checkout_env(repo)
    env["KB_DB"] = str(db)
    command = [
        sys.executable, "-m", "streamlit", "run", str(script or "dashboard.py"),
        "--server.headless", "true",
        "--server.port", str(port),
        "--server.address", "127.0.0.1",
        "--browser.gatherUsageStats", "false",
        "--server.fileWatcherType", "none",
    ]  # fmt: skip
    with log.open("w") as out:
        proc = subprocess.Popen(command, cwd=repo, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + SERVER_START_SECONDS
        while True:
            if proc.poll() is not None:
                raise RuntimeError(
                    f"streamlit exited ({proc.returncode}):\n{log.read_text()[-3000:]}"
                )
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
                    if response.read().strip() == b"ok":
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"streamlit did not answer within {SERVER_START_SECONDS} s")
            time.sleep(0.2)  # polling the health endpoint while the server starts, not timed
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


# --- waiting for the updated page --------------------------------------------------------------

# True once the script run has finished, no element is still loading its code, every chart is
# drawn and the watched elements' text differs from `before` (null: no text to compare).
# Checked every frame.
_SETTLED_JS = """
([idle, watched, before, chart, drawn, loading]) => {
  if (!document.querySelector(idle)) return false;
  if (document.querySelector(loading)) return false;
  for (const c of document.querySelectorAll(chart)) {
    if (!c.querySelector(drawn)) return false;
  }
  if (before === null) return true;
  const now = Array.from(document.querySelectorAll(watched)).map(e => e.innerText).join('\\n');
  return now !== before;
}
"""


def text_of(page: Any, selector: str) -> str:
    return str(
        page.evaluate(
            "(s) => Array.from(document.querySelectorAll(s)).map(e => e.innerText).join('\\n')",
            selector,
        )
    )


def settled(page: Any, watched: str | None, before: str | None) -> None:
    page.wait_for_function(
        _SETTLED_JS,
        arg=[
            SELECTORS["idle"],
            watched or "",
            before,
            SELECTORS["chart"],
            SELECTORS["chart_drawn"],
            SELECTORS["loading"],
        ],
        polling="raf",
        timeout=ACTION_SECONDS * 1000,
    )


def timed(page: Any, action: Callable[[], None], watched: str | None) -> float:
    """Seconds from the action to the finished run with the watched text changed."""
    before = text_of(page, watched) if watched else None
    started = time.perf_counter()
    action()
    settled(page, watched, before)
    seconds = time.perf_counter() - started
    errors = page.locator(SELECTORS["exception"])
    if errors.count():
        raise RuntimeError(
            f"the dashboard showed an exception:\n{errors.first.inner_text()[:2000]}"
        )
    return seconds


def open_fresh(browser: Any, url: str) -> tuple[Any, float]:
    """A new browser context (a fresh session) on the first page; seconds to the drawn page."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(ACTION_SECONDS * 1000)

    def go() -> None:
        page.goto(url, wait_until="commit")
        page.locator(SELECTORS["title"]).first.wait_for()

    return page, timed(page, go, None)


def goto_page(page: Any, name: str) -> None:
    label, path = PAGES[name]
    if urlparse(page.url).path.strip("/") == path:
        return
    before = text_of(page, SELECTORS["title"])
    page.get_by_role("link", name=label, exact=True).first.click()
    settled(page, SELECTORS["title"], before)


def widget(page: Any, kind: str, label: re.Pattern[str]) -> Any:
    return (
        page.locator(SELECTORS[kind])
        .filter(has=page.locator(SELECTORS["widget_label"], has_text=label))
        .first
    )


def choose(page: Any, label: re.Pattern[str], watched: str) -> float:
    """Open a selectbox and filter it to another option (untimed), then time choosing it.
    Filtering keeps the option in view: scrolling would close the popup."""
    box = widget(page, "selectbox", label)
    field = box.locator(SELECTORS["selectbox_input"]).first
    field.scroll_into_view_if_needed()
    current = field.input_value().strip()
    field.click()
    options = page.locator(SELECTORS["option"])
    options.first.wait_for()
    target = None
    for i in range(min(options.count(), 20)):
        text = options.nth(i).inner_text().strip()
        if text and text != current and options.nth(i).get_attribute("aria-selected") != "true":
            target = text
            break
    if target is None:
        raise RuntimeError(f"no other option in the selectbox {label.pattern!r}")
    field.fill(target)
    option = page.get_by_role("option", name=target, exact=True).first
    option.wait_for()
    return timed(page, option.click, watched)


# The floor: what any Streamlit page costs in this browser (a title, nothing else).
EMPTY_PAGE = 'import streamlit as st\n\nst.title("An empty page")\n'


def measure_floor(url: str, repeats: int) -> Figure:
    """First paint of the empty page, measured like the dashboard's first page."""
    from playwright.sync_api import sync_playwright

    figure = Figure()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=60_000
        )
        try:
            for _ in range(repeats + 1):
                page, seconds = open_fresh(browser, url)
                figure.add(seconds)
                page.context.close()
        finally:
            browser.close()
    return figure


# --- the runs ----------------------------------------------------------------------------------


def measure(url: str, repeats: int, progress: Callable[[str], None]) -> dict[str, Figure]:
    from playwright.sync_api import sync_playwright

    figures = {name: Figure() for name in TARGETS}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=60_000
        )
        try:
            progress("first page: one fresh session per run")
            for _ in range(repeats + 1):
                page, seconds = open_fresh(browser, url)
                figures["first page"].add(seconds)
                page.context.close()

            page, _ = open_fresh(browser, url)
            progress("page switch: Timeline <-> Exposure")
            for _ in range(repeats + 1):
                for name in ("exposure", "timeline"):
                    label, _ = PAGES[name]
                    link = page.get_by_role("link", name=label, exact=True).first
                    figures["page switch"].add(timed(page, link.click, SELECTORS["title"]))

            progress("choose release: Timeline page")
            goto_page(page, "timeline")
            for _ in range(repeats + 1):
                figures["choose release"].add(choose(page, RELEASE_LABEL, SELECTORS["card"]))

            progress("slider step and recipe change: Exposure page")
            goto_page(page, "exposure")
            thumb = widget(page, "slider", THRESHOLD_LABEL).locator(SELECTORS["slider_thumb"])
            thumb.focus()
            for i in range(repeats + 1):
                key = "ArrowRight" if i % 2 == 0 else "ArrowLeft"
                figures["slider step"].add(
                    timed(page, lambda key=key: thumb.press(key), SELECTORS["figures"])
                )
            for _ in range(repeats + 1):
                figures["recipe change"].add(choose(page, RECIPE_LABEL, SELECTORS["figures"]))
            page.context.close()
        finally:
            browser.close()
    return figures


def run(
    repeats: int,
    progress: Callable[[str], None],
    db: Path | None = None,
    repo: Path = REPO,
    floor: bool = False,
) -> dict[str, Any]:
    """Build (unless given a store), serve, measure; the figures with their targets, and the
    empty page's first paint (the floor no dashboard page can beat) if floor is True."""
    if not CHROMIUM.exists():
        raise RuntimeError(f"{CHROMIUM} is missing (apt-get install chromium)")
    with tempfile.TemporaryDirectory(prefix="kb-bench-browser-") as tmp:
        folder = Path(tmp)
        store = db or build_store(folder, repo, progress)
        progress(f"starting streamlit on {repo / 'dashboard.py'}")
        with streamlit_server(store, folder / "streamlit.log", repo) as url:
            figures = measure(url, repeats, progress)
        empty = None
        if floor:
            progress("floor: an empty Streamlit page's first paint")
            script = folder / "empty_page.py"
            script.write_text(EMPTY_PAGE)
            with streamlit_server(store, folder / "empty.log", repo, script) as url:
                empty = measure_floor(url, repeats)
    out: dict[str, Any] = {}
    for name, (what, target) in TARGETS.items():
        summary = figures[name].summary()
        warm = summary["warm_median"]
        out[name] = {
            "what": what,
            "target_seconds": target,
            **summary,
            "status": "PASS" if warm is not None and warm <= target else "MISS",
        }
    if empty is not None:
        out["empty page"] = {
            "what": "floor: a fresh session's first page of a Streamlit app with only a title",
            "target_seconds": None,
            **empty.summary(),
            "status": "floor",
        }
    return out


def _ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:,.0f} ms"


def report(results: dict[str, Any]) -> str:
    lines = [
        f"{'interaction':<16} {'cold':>9} {'warm median':>12} {'warm min-max':>19} "
        f"{'n':>3} {'target':>9}  status",
    ]
    for name, r in results.items():
        spread = f"{_ms(r['warm_min'])}-{_ms(r['warm_max'])}"
        target = "" if r["target_seconds"] is None else "<= " + _ms(r["target_seconds"])
        lines.append(
            f"{name:<16} {_ms(r['cold']):>9} {_ms(r['warm_median']):>12} {spread:>19} "
            f"{r['warm_runs']:>3} {target:>9}  {r['status']}"
        )
    first, empty = results.get("first page"), results.get("empty page")
    if first and empty and first["warm_median"] and empty["warm_median"]:
        ratio = first["warm_median"] / empty["warm_median"]
        lines.append(f"first page / empty page: {ratio:.1f}x")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--repeats", type=int, default=9, help="warm runs per interaction")
    parser.add_argument("--db", type=Path, help="use this built store instead of building one")
    parser.add_argument(
        "--repo",
        type=Path,
        default=REPO,
        help="serve the dashboard of another checkout, e.g. a `git archive HEAD` snapshot",
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument(
        "--no-floor", action="store_true", help="skip the empty Streamlit page's first paint"
    )
    parser.add_argument("--no-save", action="store_true")
    args = parser.parse_args(argv)
    started = time.perf_counter()

    def progress(message: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f}s] {message}", file=sys.stderr, flush=True)

    load = [round(x, 2) for x in os.getloadavg()]
    results = run(args.repeats, progress, args.db, args.repo.resolve(), floor=not args.no_floor)
    print(report(results))
    print(f"load average at start {load}, at end {[round(x, 2) for x in os.getloadavg()]}")
    if not args.no_save:
        payload = {
            "date": datetime.now(UTC).isoformat(timespec="seconds"),
            "cores": os.cpu_count(),
            "load_average_at_start": load,
            "load_average_at_end": [round(x, 2) for x in os.getloadavg()],
            "repeats": args.repeats,
            "repo": str(args.repo),
            "results": results,
        }
        args.out.parent.mkdir(parents=True, exist_ok=True)
        tmp = args.out.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(payload, indent=2) + "\n")
        tmp.replace(args.out)
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
