"""`kb build` on the real data against two floors, whole processes, in the same run (issue 14).

- floor 4: a fresh process that imports pandas and reads the build's four main inputs, as issue 14
  defines it (benchmarks/startup.py's FLOOR_INPUTS: `read_csv` of the label TSV and the OEWS CSV,
  `read_excel(engine="calamine")` of every sheet of the two BLS workbooks);
- floor all: the same for every upstream file the build now parses, read the same plain way:
  every CSV/TSV of data/sources.yml with a parser (pandas `read_csv`), every .xlsx
  (`read_excel(engine="calamine")`, every sheet), every recorded Epoch snapshot (`read_csv`) and
  the models.dev tree (every TOML file with `tomllib`, which pandas cannot read).

Builds and floors alternate, so a change in the machine's load hits them alike; CPU seconds (user
+ system of the child, from `os.wait4`) move much less with the load than wall time.

    python benchmarks/build_floor.py --runs 5
    python benchmarks/build_floor.py --runs 5 --repo /tmp/head      # also a snapshot's build
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
import tomllib
from pathlib import Path
from typing import Any

import yaml

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from startup import FLOOR_INPUTS, MIRROR  # noqa: E402 (benchmarks/ is not a package)
from timing import Stats, run_child  # noqa: E402

REPO = BENCH.parent


def all_inputs(raw_dir: Path, data_dir: Path) -> list[tuple[str, str]]:
    """(path, kind) of every upstream file the build parses: kind csv, tsv, excel or toml-tree."""
    mirror = raw_dir.parent
    out: list[tuple[str, str]] = []
    datasets = yaml.safe_load((data_dir / "sources.yml").read_text())["datasets"]
    for dataset, entry in datasets.items():
        for name, pinned in entry["files"].items():
            if str(pinned.get("parser", "none")).startswith("none"):
                continue
            path = mirror / dataset / name
            suffix = path.suffix.lower()
            kind = {".csv": "csv", ".tsv": "tsv", ".xlsx": "excel"}.get(suffix)
            if kind and path.exists():
                out.append((str(path), kind))
    for snap in yaml.safe_load((data_dir / "snapshots.yml").read_text())["snapshots"]:
        path = mirror / snap["file"]
        if path.is_dir():
            out.append((str(path), "toml-tree"))
        elif path.exists():
            out.append((str(path), "csv"))
    return out


def read_floor(inputs: list[tuple[str, str]]) -> dict[str, Any]:
    """In a fresh process: import pandas and read these files, nothing else."""
    started = time.perf_counter()
    import pandas as pd

    imported = time.perf_counter()
    rows = 0
    for name, kind in inputs:
        if kind in ("csv", "tsv"):
            rows += len(pd.read_csv(name, sep="\t" if kind == "tsv" else ",", low_memory=False))
        elif kind == "excel":
            sheets = pd.read_excel(name, engine="calamine", sheet_name=None)
            rows += sum(len(frame) for frame in sheets.values())
        else:
            for path in sorted(Path(name).rglob("*.toml")):
                tomllib.loads(path.read_text(encoding="utf-8"))
                rows += 1
    return {"import_seconds": imported - started, "read_seconds": time.perf_counter() - imported}


def main(argv: list[str]) -> int:
    if argv and argv[0] == "_floor":
        print(json.dumps(read_floor(json.loads(argv[1]))))
        return 0
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--raw-dir", type=Path, default=MIRROR)
    parser.add_argument("--repo", type=Path, help="also time the build of this checkout")
    parser.add_argument("--data-dir", type=Path, default=REPO / "data")
    args = parser.parse_args(argv)
    floors = {
        "floor 4 (issue 14)": [(str(args.raw_dir / n), "tsv" if o.get("sep") else k)
                               for n, k, o in FLOOR_INPUTS],
        "floor all inputs": all_inputs(args.raw_dir, args.data_dir),
    }  # fmt: skip
    kb = str(Path(sys.executable).with_name("kb"))
    builds: dict[str, dict[str, str] | None] = {
        "kb build": {**os.environ, "KB_DATA_DIR": str(args.data_dir)}
    }
    if args.repo is not None:
        builds["kb build (--repo)"] = {
            **os.environ, "PYTHONPATH": str(args.repo), "KB_DATA_DIR": str(args.repo / "data")
        }  # fmt: skip
    runs: dict[str, list[Any]] = {label: [] for label in [*builds, *floors]}
    with tempfile.TemporaryDirectory(prefix="kb-bench-floor-") as tmp:
        db = Path(tmp) / "kb.duckdb"
        for i in range(args.runs + 1):  # the first round warms the OS file cache, untimed
            for label, env in builds.items():
                db.unlink(missing_ok=True)
                argv_ = [kb, "build", "--db", str(db), "--raw-dir", str(args.raw_dir)]
                child = run_child(argv_, env=env)
                if i:
                    runs[label].append(child)
            for label, inputs in floors.items():
                child = run_child([sys.executable, __file__, "_floor", json.dumps(inputs)])
                if i:
                    runs[label].append(child)
            print(f"round {i}/{args.runs}, load {os.getloadavg()[0]:.1f}", file=sys.stderr)
    wall = {label: Stats.of([c.seconds for c in r]).median for label, r in runs.items()}
    cpu = {label: statistics.median(c.cpu_seconds for c in r) for label, r in runs.items()}
    peak = {label: max(c.peak_rss_bytes for c in r) / 2**20 for label, r in runs.items()}
    print(f"{'':28} {'wall':>8} {'CPU':>8} {'peak MiB':>9}")
    for label in runs:
        print(f"{label:28} {wall[label]:8.2f} {cpu[label]:8.2f} {peak[label]:9.0f}")
    for build in builds:
        for floor in floors:
            print(
                f"{build} / {floor}: wall {wall[build] / wall[floor]:.2f}x, "
                f"CPU {cpu[build] / cpu[floor]:.2f}x"
            )
    print(f"inputs of 'floor all inputs': {len(floors['floor all inputs'])} files")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
