"""Where the task-exposure build step spends its time: each SQL statement's wall time, the CPU
seconds of the whole process while it ran (DuckDB's threads included) and the peak RSS so far.

CPU seconds are the figure to compare on a shared machine: wall time moves with the load.

    python benchmarks/build_profile.py --raw-dir /work/shared/data/gpts-are-gpts
    python benchmarks/synth.py --scale 100 --out /tmp/synth-100x
    python benchmarks/build_profile.py --raw-dir /tmp/synth-100x \
        --manifest /tmp/synth-100x/sources.yml
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import duckdb

from kb import build, config, store
from kb.exposure import loading


def _cpu() -> float:
    times = os.times()
    return times.user + times.system


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class TimedConnection:
    """A connection whose execute() prints its cost; everything else passes through."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self._con = con

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)

    def execute(self, query: str, *args: Any, **kwargs: Any) -> Any:
        wall, cpu = time.perf_counter(), _cpu()
        result = self._con.execute(query, *args, **kwargs)
        text = " ".join(line for line in query.splitlines() if not line.startswith("--"))
        print(
            f"{time.perf_counter() - wall:7.2f} s  cpu {_cpu() - cpu:6.2f} s  "
            f"peak {_peak_mib():6.0f} MiB  {' '.join(text.split())[:90]}",
            flush=True,
        )
        return result


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--raw-dir", type=Path, required=True)
    parser.add_argument("--manifest", type=Path, help="source manifest (synthetic data sets)")
    args = parser.parse_args(argv)
    ctx = build.BuildContext(
        data_dir=config.data_dir(None), raw_dir=args.raw_dir, manifest=args.manifest
    )
    with tempfile.TemporaryDirectory(prefix="kb-build-profile-") as tmp:
        # The build's own settings (kb.build._build_file): its memory limit and spill folder.
        con = duckdb.connect(
            ":memory:",
            config={
                "memory_limit": build.BUILD_MEMORY_LIMIT,
                "temp_directory": str(Path(tmp) / "spill"),
            },
        )
        db = "'" + str(Path(tmp) / "kb.duckdb").replace("'", "''") + "'"
        con.execute(f"ATTACH {db} AS kb (STORAGE_VERSION '{store.STORAGE_VERSION}')")
        con.execute("USE kb")
        for ddl in store.schema_files():
            con.execute(ddl.read_text())
        wall, cpu = time.perf_counter(), _cpu()
        loading.load_into(TimedConnection(con), ctx)  # type: ignore[arg-type]
        print(
            f"task-exposure step: {time.perf_counter() - wall:.1f} s, cpu {_cpu() - cpu:.1f} s, "
            f"peak {_peak_mib():.0f} MiB; load average {os.getloadavg()[0]:.1f}"
        )
        con.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
