"""Scale: build and query synthetic data sets at 1x, 10x and 100x, each against the pandas
baseline doing the same headline, measured in the same run.

Both sides are measured twice, like with like:
- "raw files -> headline": a fresh process that reads the raw files and prints the headline.
  kb: `kb.build.build(...)` (every table, checksums, the release timeline) then the headline
  query; baseline: pandas reads the three files it needs and computes the headline.
- "headline on loaded data": kb's query on a built store (open connection) vs pandas on frames
  already in memory (the employment join included, as kb's query includes it).
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import baseline
import synth
from timing import Stats, run_child, time_calls

BENCH = Path(__file__).resolve().parent
CACHE = BENCH / ".cache"
THRESHOLDS = (0.1, 0.5)
AGREE = 1e-9  # kb and the baseline must give the same shares (float rounding only)


def child_build(db: str, raw_dir: str, manifest: str) -> dict[str, Any]:
    """In a fresh process: build the store from the synthetic files, then the headline query."""
    import resource
    import time

    from workloads import headline_share

    from kb import build as kbbuild
    from kb import store

    started = time.perf_counter()
    report = kbbuild.build(db, raw_dir=raw_dir, manifest=manifest)
    with store.connect(db) as con:
        shares = [headline_share(con, t) for t in THRESHOLDS]
    return {
        "build_seconds": report.seconds,
        "to_headline_seconds": time.perf_counter() - started,
        "shares": shares,
        "counts": report.counts,
        "self_peak_rss_bytes": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
    }


def child_baseline(raw_dir: str) -> dict[str, Any]:
    import time

    started = time.perf_counter()
    results = baseline.headline_from_files(raw_dir, THRESHOLDS)
    return {
        "seconds": time.perf_counter() - started,
        "shares": [r["share_workers"] for r in results],
    }


def _child(kind: str, *args: str) -> list[str]:
    return [sys.executable, str(BENCH / "run.py"), "_child", kind, *args]


def measure_scale(scale: int, repeats: int, query_repeats: int, progress: Any) -> dict[str, Any]:
    folder = CACHE / f"synth-{scale}x"
    progress(f"scale {scale}x: generating (cached in {folder})")
    gen = run_child(
        [sys.executable, str(BENCH / "synth.py"), "--scale", str(scale), "--out", str(folder)],
        timeout=1200,
    )
    size = synth.describe(folder)
    manifest = folder / "sources.yml"
    db = folder.parent / f"synth-{scale}x.duckdb"

    db.unlink(missing_ok=True)  # a store left by an interrupted run
    builds = []
    for i in range(repeats):
        progress(f"scale {scale}x: kb build {i + 1}/{repeats}")
        db.unlink(missing_ok=True)
        builds.append(run_child(_child("build", str(db), str(folder), str(manifest)), timeout=1200))
    bases = []
    for i in range(repeats):
        progress(f"scale {scale}x: pandas baseline {i + 1}/{repeats}")
        bases.append(run_child(_child("baseline", str(folder)), timeout=1200))

    kb_shares = builds[-1].output["shares"]
    base_shares = bases[-1].output["shares"]
    _assert_agree(kb_shares, base_shares, f"{scale}x raw files -> headline")

    progress(f"scale {scale}x: queries on the built store vs pandas on loaded frames")
    from workloads import headline_share

    from kb import store

    with store.connect(db) as con:
        kb_query, kb_share = time_calls(lambda: headline_share(con, 0.1), query_repeats)
    frames = baseline.load_frames(folder)
    base_query, base_result = time_calls(lambda: baseline.headline(frames, 0.1), query_repeats)
    _assert_agree([kb_share], [base_result["share_workers"]], f"{scale}x query")
    from workloads import query_figures

    queries = query_figures(db, query_repeats)
    db_bytes = db.stat().st_size
    db.unlink(missing_ok=True)
    return {
        "scale": scale,
        "data": {**size, "generated_in_seconds": gen.seconds},
        "store_bytes": db_bytes,
        "build_seconds": Stats.of([b.output["build_seconds"] for b in builds]).as_dict(),
        "build_peak_rss_bytes": max(b.peak_rss_bytes for b in builds),
        "kb_files_to_headline": Stats.of([b.seconds for b in builds]).as_dict(),
        "baseline_files_to_headline": Stats.of([b.seconds for b in bases]).as_dict(),
        "baseline_peak_rss_bytes": max(b.peak_rss_bytes for b in bases),
        "kb_headline_query": kb_query.as_dict(),
        "baseline_headline_on_frames": base_query.as_dict(),
        "queries": {name: stats.as_dict() for name, (stats, _) in queries.items()},
        "shares": {"kb": kb_shares, "baseline": base_shares},
    }


def _assert_agree(kb: list[float], base: list[float], what: str) -> None:
    for a, b in zip(kb, base, strict=True):
        if abs(a - b) > AGREE:
            raise AssertionError(f"{what}: kb gives {a!r}, the pandas baseline {b!r}")


def clear_cache() -> None:
    shutil.rmtree(CACHE, ignore_errors=True)


def main_child(args: list[str]) -> None:
    kind, *rest = args
    result = child_build(*rest) if kind == "build" else child_baseline(*rest)
    print(json.dumps(result))
