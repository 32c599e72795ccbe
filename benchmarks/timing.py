"""Measuring helpers for the benchmark: repeated timings summarised robustly, and child
processes measured for wall time and peak memory (each run a fresh process)."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Stats:
    """A figure as the median of repeated runs, with its spread (min, max and quartiles)."""

    median: float
    q1: float
    q3: float
    min: float
    max: float
    runs: int

    @classmethod
    def of(cls, samples: Sequence[float]) -> Stats:
        values = sorted(samples)
        if len(values) >= 2:
            q1, _, q3 = statistics.quantiles(values, n=4, method="inclusive")
        else:
            q1 = q3 = values[0]
        return cls(statistics.median(values), q1, q3, values[0], values[-1], len(values))

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def time_calls(func: Callable[[], Any], repeats: int, warmup: int = 1) -> tuple[Stats, Any]:
    """Seconds per call of func (after warm-up calls), and the last result."""
    result = None
    for _ in range(warmup):
        result = func()
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        result = func()
        samples.append(time.perf_counter() - started)
    return Stats.of(samples), result


@dataclass(frozen=True)
class ChildRun:
    """One child process: wall seconds, peak resident memory (bytes), what it printed, and its
    CPU seconds (user + system: much less sensitive than wall time to other jobs' load)."""

    seconds: float
    peak_rss_bytes: int
    output: dict[str, Any]
    cpu_seconds: float = 0.0


def run_child(
    argv: Sequence[str], env: dict[str, str] | None = None, timeout: float = 600
) -> ChildRun:
    """Run a fresh process and reap it with os.wait4, which gives the kernel's peak RSS of exactly
    that process (ru_maxrss, KiB on Linux). The child may print one JSON object as its last
    stdout line (figures it measured itself)."""
    started = time.perf_counter()
    with open(os.devnull, "wb") as devnull:
        out_path = os.path.join(
            tempfile.gettempdir(), f"kb-bench-{os.getpid()}-{time.monotonic_ns()}.out"
        )
        with open(out_path, "w+b") as out, open(out_path + ".err", "w+b") as err:
            proc = subprocess.Popen(list(argv), stdout=out, stderr=err, stdin=devnull, env=env)
            deadline = time.monotonic() + timeout
            while True:
                pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
                if pid:
                    break
                if time.monotonic() > deadline:
                    proc.kill()
                    os.wait4(proc.pid, 0)
                    raise RuntimeError(f"{' '.join(argv)} ran longer than {timeout} s")
                time.sleep(0.005)
            seconds = time.perf_counter() - started
            proc.returncode = os.waitstatus_to_exitcode(status)
            out.seek(0)
            stdout = out.read().decode(errors="replace")
            err.seek(0)
            stderr = err.read().decode(errors="replace")
        os.unlink(out_path)
        os.unlink(out_path + ".err")
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)} failed ({proc.returncode}):\n{stderr[-3000:]}")
    lines = stdout.strip().splitlines()
    try:
        output = json.loads(lines[-1]) if lines else {}
    except json.JSONDecodeError:
        output = {}
    return ChildRun(seconds, usage.ru_maxrss * 1024, output, usage.ru_utime + usage.ru_stime)
