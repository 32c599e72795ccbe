"""Start-up and build against their floors, whole processes, in the same run (issue 14, part 1).

- `kb --version` and `kb --help`: the wall time of the whole process (interpreter, imports, click).
- `kb build` on the real data against the floor of just reading its four main inputs with pandas
  in a fresh process (`read_csv` of the label TSV and the OEWS CSV, `read_excel(engine="calamine")`
  of the two BLS workbooks): the ratio says how much the build costs beyond reading its inputs.
  Build and floor runs alternate, so a change in the machine's load hits both alike.

`python benchmarks/startup.py` prints the figures; `benchmarks/run.py --only startup` includes them.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from timing import Stats, run_child

BENCH = Path(__file__).resolve().parent
MIRROR = BENCH.parent.parent / "shared" / "data" / "gpts-are-gpts"
# The build's four main inputs (file, how pandas reads it).
FLOOR_INPUTS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("full_labelset.tsv", "csv", {"sep": "\t"}),
    ("national_May2021_dl.csv", "csv", {}),
    ("nem-onet-to-soc-crosswalk.xlsx", "excel", {"sheet_name": None}),
    ("occupation_2023_final.xlsx", "excel", {"sheet_name": None}),
)


def read_floor(raw_dir: str) -> dict[str, Any]:
    """In a fresh process: read the four inputs with pandas, nothing else."""
    started = time.perf_counter()
    import pandas as pd

    imported = time.perf_counter()
    rows = 0
    for name, kind, options in FLOOR_INPUTS:
        path = Path(raw_dir) / name
        if kind == "csv":
            rows += len(pd.read_csv(path, **options))
        else:
            sheets = pd.read_excel(path, engine="calamine", **options)
            rows += sum(len(frame) for frame in sheets.values())
    return {
        "import_seconds": imported - started,
        "read_seconds": time.perf_counter() - imported,
        "rows": rows,
    }


def _kb() -> str:
    return str(Path(sys.executable).with_name("kb"))


def _snapshot_env(repo: Path) -> dict[str, str]:
    """Run kb from the checkout `repo` (e.g. a `git archive HEAD` snapshot) instead."""
    return {**os.environ, "PYTHONPATH": str(repo), "KB_DATA_DIR": str(repo / "data")}


def measure(
    runs: int,
    build_runs: int,
    progress: Callable[[str], None],
    raw_dir: Path = MIRROR,
    repo: Path | None = None,
    before: Path | None = None,
) -> dict[str, Any]:
    """The figures; with `repo`, kb runs from that checkout (e.g. a `git archive HEAD` snapshot);
    with `before`, kb from that checkout is timed too, in the same alternating loop."""
    env = None if repo is None else _snapshot_env(repo)
    out: dict[str, Any] = {}
    # `python -c pass` is the floor of any command: the same interpreter, nothing imported.
    commands: dict[str, tuple[list[str], dict[str, str] | None]] = {
        "python -c pass": ([sys.executable, "-c", "pass"], env),
        "kb --version": ([_kb(), "--version"], env),
        "kb --help": ([_kb(), "--help"], env),
    }
    if before is not None:
        for flag in ("--version", "--help"):
            commands[f"before: kb {flag}"] = ([_kb(), flag], _snapshot_env(before))
    for argv, child_env in commands.values():
        run_child(argv, env=child_env)  # warm the OS file cache once
    progress(f"{', '.join(commands)} x {runs}, alternating")
    children: dict[str, list[Any]] = {label: [] for label in commands}
    for _ in range(runs):  # alternate, so a change in load hits every command alike
        for label, (argv, child_env) in commands.items():
            children[label].append(run_child(argv, env=child_env))
    for label, runs_of in children.items():
        out[label] = Stats.of([c.seconds for c in runs_of]).as_dict()
        out[f"{label} (CPU)"] = Stats.of([c.cpu_seconds for c in runs_of]).as_dict()
    floor_wall = Stats.of([c.seconds for c in children["python -c pass"]]).median
    for label in commands:
        if label != "python -c pass":
            out[f"{label} / python -c pass"] = {"ratio": out[label]["median"] / floor_wall}

    if build_runs == 0:  # start-up only
        return out
    floor_argv = [sys.executable, str(Path(__file__).resolve()), "_floor", str(raw_dir)]
    builds, floors, floor_cpu, inside = [], [], [], []
    with tempfile.TemporaryDirectory(prefix="kb-bench-startup-") as tmp:
        db = Path(tmp) / "kb.duckdb"
        for i in range(build_runs):
            progress(f"kb build vs reading its inputs with pandas {i + 1}/{build_runs}")
            db.unlink(missing_ok=True)
            build_argv = [_kb(), "build", "--db", str(db), "--raw-dir", str(raw_dir)]
            builds.append(run_child(build_argv, env=env))
            floor = run_child(floor_argv)
            floors.append(floor.seconds)
            floor_cpu.append(floor.cpu_seconds)
            inside.append(floor.output["read_seconds"])
    build = Stats.of([b.seconds for b in builds])
    floor_stats = Stats.of(floors)
    out["kb build (real data)"] = build.as_dict()
    out["floor: pandas reads the 4 inputs"] = floor_stats.as_dict()
    out["floor: of which reading (after import)"] = Stats.of(inside).as_dict()
    build_cpu = Stats.of([b.cpu_seconds for b in builds])
    out["kb build (real data) (CPU)"] = build_cpu.as_dict()
    out["floor (CPU)"] = Stats.of(floor_cpu).as_dict()
    out["build / floor"] = {
        "ratio": build.median / floor_stats.median,
        "per_pair_median": statistics.median(
            b.seconds / f for b, f in zip(builds, floors, strict=True)
        ),
    }
    out["build / floor (CPU)"] = {"ratio": build_cpu.median / statistics.median(floor_cpu)}
    return out


def main(argv: list[str]) -> int:
    if argv and argv[0] == "_floor":
        print(json.dumps(read_floor(argv[1])))
        return 0
    started = time.perf_counter()

    def progress(message: str) -> None:
        print(f"[{time.perf_counter() - started:6.1f}s] {message}", file=sys.stderr, flush=True)

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=10, help="runs of kb --version / --help")
    parser.add_argument("--build-runs", type=int, default=5, help="build and floor pairs")
    parser.add_argument("--repo", type=Path, help="run kb from this checkout (a snapshot)")
    parser.add_argument(
        "--before", type=Path, help="also time kb --version / --help from this checkout"
    )
    args = parser.parse_args(argv)
    load = [round(x, 2) for x in os.getloadavg()]
    results = measure(args.runs, args.build_runs, progress, repo=args.repo, before=args.before)
    for name, value in results.items():
        if "per_pair_median" not in value and "ratio" in value:
            print(f"{name:<40} {value['ratio']:.2f}x")
        elif "ratio" in value:
            print(
                f"{name:<40} {value['ratio']:.2f}x (median of per-pair ratios "
                f"{value['per_pair_median']:.2f}x)"
            )
        else:
            print(
                f"{name:<40} median {value['median']:.3f} s  (IQR {value['q1']:.3f}-"
                f"{value['q3']:.3f}, n={value['runs']})"
            )
    print(f"load average at start {load}, at end {[round(x, 2) for x in os.getloadavg()]}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
