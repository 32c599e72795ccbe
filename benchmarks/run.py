"""kb's benchmark: `make bench` (or `python benchmarks/run.py [--quick]`).

Every figure is the median of repeated runs with its spread (interquartile range and min-max).
Prints a table with each target marked PASS or MISS, and writes benchmarks/results/latest.json
with the machine it ran on. Not part of the test suite: tests never assert timings.

  python benchmarks/run.py                 # everything, scales 1x, 10x, 100x (~15 minutes)
  python benchmarks/run.py --quick         # fewer repeats, scales 1x and 10x only
  python benchmarks/run.py --only build,queries --no-save
  python benchmarks/run.py --only startup,browser     # issue 14 part 1 and issue 13's latencies
Sections: startup, build, queries, ingest, dashboard, browser, scale.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
sys.path.insert(0, str(BENCH))

from timing import Stats, run_child  # noqa: E402  (benchmarks/ is put on sys.path above)

MIRROR = REPO.parent / "shared" / "data" / "gpts-are-gpts"
RESULTS = BENCH / "results" / "latest.json"
SECTIONS = ("startup", "build", "queries", "ingest", "dashboard", "browser", "scale")
GIB = 1024**3

# name -> (figure it applies to, limit, unit). Seconds unless the unit says otherwise.
TARGETS = {
    "kb --version": ("kb --version", 0.15, "s"),
    "kb --help": ("kb --help", 0.15, "s"),
    "kb build / reading its 4 inputs with pandas": ("build / floor", 1.5, "ratio"),
    "kb build at 1x (real data)": ("build 1x", 2.0, "s"),
    "headline share": ("headline share (1 threshold)", 0.010, "s"),
    "full curve": ("full curve (101 x 3 measures x 2 raters)", 0.050, "s"),
    "dashboard warm rerun": ("dashboard warm rerun (slider change)", 0.200, "s"),
    "kb build at 100x (synthetic)": ("synthetic build 100x", 60.0, "s"),
    "build peak memory at 100x (synthetic)": ("synthetic build peak RSS 100x", 2 * GIB, "bytes"),
}


def machine() -> dict[str, Any]:
    import duckdb
    import pandas
    import streamlit

    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    ram = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "ram_bytes": ram,
        "ram_gib": round(ram / GIB, 1),
        "os": platform.platform(),
        "python": platform.python_version(),
        "duckdb": duckdb.__version__,
        "pandas": pandas.__version__,
        "streamlit": streamlit.__version__,
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        # The machine is shared: a high load average at the start or end means noisy figures.
        "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()],
    }


def section_build(repeats: int, progress: Any) -> dict[str, Any]:
    """`kb build` from the raw mirror, each run a fresh process (the CLI, as a user runs it)."""
    kb = Path(sys.executable).with_name("kb")
    runs = []
    with tempfile.TemporaryDirectory(prefix="kb-bench-build-") as tmp:
        db = Path(tmp) / "kb.duckdb"
        for i in range(repeats):
            progress(f"kb build {i + 1}/{repeats}")
            db.unlink(missing_ok=True)
            runs.append(run_child([str(kb), "build", "--db", str(db), "--raw-dir", str(MIRROR)]))
    return {
        "build 1x": Stats.of([r.seconds for r in runs]).as_dict(),
        "build peak RSS 1x": {"bytes": max(r.peak_rss_bytes for r in runs)},
        "what": "`kb build --raw-dir <mirror>` in a fresh process: interpreter start, imports, "
        "checksums, every table, rename into place (OS file cache warm)",
    }


def build_store(progress: Any) -> Path:
    """A store for the query, ingest, dashboard and browser sections, built by the CLI."""
    import subprocess

    db = Path(tempfile.mkdtemp(prefix="kb-bench-store-")) / "kb.duckdb"
    progress(f"building the store for the query benchmarks at {db}")
    kb = Path(sys.executable).with_name("kb")
    subprocess.run(
        [str(kb), "build", "--db", str(db), "--raw-dir", str(MIRROR)],
        check=True, capture_output=True, timeout=600,
    )  # fmt: skip
    return db


def section_startup(quick: bool, progress: Any) -> dict[str, Any]:
    import startup

    return startup.measure(5 if quick else 10, 3 if quick else 5, progress, MIRROR)


def section_browser(db: Path, quick: bool, progress: Any) -> dict[str, Any]:
    import browser

    if not browser.CHROMIUM.exists():
        progress(
            f"browser: skipped, {browser.CHROMIUM} is not installed (apt-get install chromium)"
        )
        return {}
    return browser.run(3 if quick else 9, progress, db)


def section_queries(db: Path, repeats: int, progress: Any) -> dict[str, Any]:
    from workloads import query_figures

    progress("exposure queries")
    return {name: stats.as_dict() for name, (stats, _) in query_figures(db, repeats).items()}


def section_ingest(db: Path, repeats: int, progress: Any, n: int = 10_000) -> dict[str, Any]:
    from workloads import ingest_figures

    progress(f"ingesting {n:,} releases ({repeats} runs, each into a fresh copy)")
    figures = ingest_figures(db, REPO / "data", n, repeats)
    return {name: {**stats.as_dict(), **extra} for name, (stats, extra) in figures.items()}


def section_dashboard(db: Path, repeats: int, progress: Any) -> dict[str, Any]:
    from workloads import dashboard_figures

    progress("dashboard (Streamlit AppTest)")
    figures = dashboard_figures(db, repeats)
    return {name: {**stats.as_dict(), **extra} for name, (stats, extra) in figures.items()}


# Repeats per scale (build and baseline runs, then query calls): a 100x build takes minutes, so
# it runs once and the run stays near ten minutes; the figures say how many runs they are.
SCALE_REPEATS = {1: (5, 20), 10: (3, 5), 100: (1, 3)}
QUICK_SCALE_REPEATS = {1: (3, 10), 10: (2, 3), 100: (1, 2)}


def section_scale(scales: list[int], quick: bool, progress: Any) -> dict[str, Any]:
    from scale import measure_scale

    table = QUICK_SCALE_REPEATS if quick else SCALE_REPEATS
    out: dict[str, Any] = {}
    for scale in scales:
        runs, calls = table.get(scale, (1, 3))
        out[f"{scale}x"] = measure_scale(scale, runs, calls, progress)
    return out


# --- report -------------------------------------------------------------------------------------


def _fmt_seconds(s: float) -> str:
    return f"{s * 1000:.1f} ms" if s < 1 else f"{s:.2f} s"


def _fmt(value: dict[str, Any]) -> str:
    if "ratio" in value:
        return f"{value['ratio']:.2f}x"
    if "bytes" in value and "median" not in value:
        return f"{value['bytes'] / 2**20:,.0f} MiB"
    return (
        f"{_fmt_seconds(value['median'])}  (IQR {_fmt_seconds(value['q1'])}-"
        f"{_fmt_seconds(value['q3'])}, min-max {_fmt_seconds(value['min'])}-"
        f"{_fmt_seconds(value['max'])}, n={value['runs']})"
    )


def flatten(results: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Every figure by name, the scale figures under '<name> <scale>'."""
    flat: dict[str, dict[str, Any]] = {}
    for section, figures in results.items():
        if section == "scale":
            for label, run in figures.items():
                flat[f"synthetic build {label}"] = run["build_seconds"]
                flat[f"synthetic build peak RSS {label}"] = {"bytes": run["build_peak_rss_bytes"]}
            continue
        for name, value in figures.items():
            if isinstance(value, dict) and ({"median", "bytes", "ratio"} & set(value)):
                flat[name] = value
    return flat


def check_targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    flat = flatten(results)
    checks = []
    for label, (figure, limit, unit) in TARGETS.items():
        value = flat.get(figure)
        if value is None:
            checks.append({"target": label, "status": "NOT RUN"})
            continue
        measured = value["bytes"] if unit == "bytes" else value.get("ratio", value.get("median"))
        checks.append(
            {
                "target": label,
                "limit": limit,
                "measured": measured,
                "unit": unit,
                "status": "PASS" if measured <= limit else "MISS",
            }
        )
    for name, figure in results.get("browser", {}).items():
        checks.append(
            {
                "target": f"browser: {name} (warm median)",
                "measured": figure["warm_median"],
                "limit": figure["target_seconds"],
                "unit": "s",
                "status": figure["status"],
            }
        )
    for label, run in results.get("scale", {}).items():
        kb = run["kb_files_to_headline"]["median"]
        base = run["baseline_files_to_headline"]["median"]
        checks.append(
            {
                "target": f"kb faster than pandas, raw files -> headline, {label}",
                "measured": kb / base,
                "limit": 1.0,
                "unit": "ratio",
                "status": "PASS" if kb < base else "MISS",
            }
        )
        kb_q = run["kb_headline_query"]["median"]
        base_q = run["baseline_headline_on_frames"]["median"]
        checks.append(
            {
                "target": f"kb faster than pandas, headline on loaded data, {label}",
                "measured": kb_q / base_q,
                "limit": 1.0,
                "unit": "ratio",
                "status": "PASS" if kb_q < base_q else "MISS",
            }
        )
    return checks


def print_report(results: dict[str, Any], checks: list[dict[str, Any]]) -> None:
    print()
    for section, figures in results.items():
        if section == "scale":
            continue
        if section == "browser":
            import browser

            print("== browser (from the action to the updated page, headless Chromium)")
            print(browser.report(figures))
            continue
        print(f"== {section}")
        for name, value in figures.items():
            if isinstance(value, dict) and ({"median", "bytes", "ratio"} & set(value)):
                print(f"  {name:<44} {_fmt(value)}")
    if "scale" in results:
        print(
            "== scale (synthetic data; kb = `kb.build.build` + headline query in a fresh process)"
        )
        head = (
            f"  {'scale':>5} {'tasks':>10} {'occs':>7} {'build':>9} {'build RSS':>10} "
            f"{'kb files->hl':>12} {'pandas':>9} {'ratio':>6} {'kb query':>9} "
            f"{'pandas q':>9} {'ratio':>6} {'curve':>9}"
        )
        print(head)
        for label, run in results["scale"].items():
            kb, base = (
                run["kb_files_to_headline"]["median"],
                run["baseline_files_to_headline"]["median"],
            )
            kq, bq = (
                run["kb_headline_query"]["median"],
                run["baseline_headline_on_frames"]["median"],
            )
            curve = run["queries"]["full curve (101 x 3 measures x 2 raters)"]["median"]
            print(
                f"  {label:>5} {run['data']['tasks']:>10,} {run['data']['occupations']:>7,} "
                f"{_fmt_seconds(run['build_seconds']['median']):>9} "
                f"{run['build_peak_rss_bytes'] / 2**20:>7,.0f} MiB "
                f"{_fmt_seconds(kb):>12} {_fmt_seconds(base):>9} {kb / base:>6.2f} "
                f"{_fmt_seconds(kq):>9} {_fmt_seconds(bq):>9} {kq / bq:>6.2f} "
                f"{_fmt_seconds(curve):>9}"
            )
    print("== targets")
    for c in checks:
        if c["status"] == "NOT RUN":
            print(f"  NOT RUN  {c['target']}")
            continue
        unit = c["unit"]
        show = (
            (lambda v: f"{v / 2**20:,.0f} MiB")
            if unit == "bytes"
            else ((lambda v: f"{v:.2f}x") if unit == "ratio" else _fmt_seconds)
        )
        print(
            f"  {c['status']:<7}  {c['target']:<56} {show(c['measured']):>10}  "
            f"(limit {show(c['limit'])})"
        )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] == "_child":
        from scale import main_child

        main_child(argv[1:])
        return 0
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--quick", action="store_true", help="fewer repeats; scales 1x and 10x only"
    )
    parser.add_argument("--only", default=",".join(SECTIONS), help="comma-separated sections")
    parser.add_argument(
        "--scales", default=None, help="e.g. 1,10,100 (default: 1,10,100; quick: 1,10)"
    )
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--no-save", action="store_true", help="print only, do not write the JSON")
    args = parser.parse_args(argv)
    sections = [s.strip() for s in args.only.split(",") if s.strip()]
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        parser.error(f"unknown sections {sorted(unknown)}; choose from {', '.join(SECTIONS)}")
    scales = [int(s) for s in (args.scales or ("1,10" if args.quick else "1,10,100")).split(",")]
    repeats, query_repeats = (3, 20) if args.quick else (5, 50)

    started = time.perf_counter()
    load_at_start = [round(x, 2) for x in os.getloadavg()]

    def progress(message: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f}s] {message}", file=sys.stderr, flush=True)

    os.environ.setdefault("KB_RAW_DIR", str(MIRROR))
    results: dict[str, Any] = {}
    if "startup" in sections:
        results["startup"] = section_startup(args.quick, progress)
    if "build" in sections:
        results["build"] = section_build(repeats, progress)
    needs_store = {"queries", "ingest", "dashboard", "browser"} & set(sections)
    db = build_store(progress) if needs_store else None
    if "queries" in sections:
        results["queries"] = section_queries(db, query_repeats, progress)
    if "ingest" in sections:
        results["ingest"] = section_ingest(db, 2 if args.quick else 3, progress)
    if "dashboard" in sections:
        results["dashboard"] = section_dashboard(db, query_repeats, progress)
    if "browser" in sections:
        results["browser"] = section_browser(db, args.quick, progress)
    if "scale" in sections:
        results["scale"] = section_scale(scales, args.quick, progress)
    checks = check_targets(results)
    print_report(results, checks)
    payload = {
        "machine": {**machine(), "load_average_at_start": load_at_start},
        "options": {
            "quick": args.quick,
            "sections": sections,
            "scales": scales,
            "repeats": repeats,
            "query_repeats": query_repeats,
        },
        "seconds": round(time.perf_counter() - started, 1),
        "results": results,
        "targets": checks,
    }
    if not args.no_save:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        tmp = args.out.with_suffix(".json.tmp")
        tmp.write_text(json.dumps(payload, indent=2) + "\n")
        tmp.replace(args.out)
        print(
            f"\nwrote {args.out.relative_to(REPO) if args.out.is_relative_to(REPO) else args.out}"
            f" in {payload['seconds']:.0f} s"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
