"""Readers running while `kb ingest releases` writes never crash and never see half an ingest;
a lock held too long becomes a readable error with a hint (after kb.store.connect's short retry).

Readers: kb.exposure / plain counts through kb.store.connect in threads (as the dashboard's
cached functions do: open, query, close) and `kb query` in subprocesses. The writer is
`kb ingest releases` in its own process. Everything is bounded in time.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Self

import pytest
from click.testing import CliRunner
from conftest import Workspace, snapshot, store_dump

from kb import exposure, sandbox, store
from kb.cli import cli
from kb.errors import StoreError

BATCH = 150
URL = "https://example.org/concurrency"
COUNTS_SQL = (
    "SELECT (SELECT count(*) FROM releases) AS releases, "
    "(SELECT count(*) FROM release_relations) AS relations"
)
TIME_LIMIT = 90.0
KB = str(Path(sys.executable).with_name("kb"))

# A process that holds the store open (read-only or read-write) until it is killed.
HOLDER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == "ro")
print("HOLDING", flush=True)
time.sleep(120)
"""


def batch_file(folder: Path, n: int = BATCH) -> Path:
    """n new releases, each with lineage: a chain among themselves, rooted at llama."""
    records = []
    for i in range(n):
        target = "llama" if i == 0 else f"conc-{i - 1:04d}"
        records.append(
            {
                "id": f"conc-{i:04d}",
                "name": f"Concurrent {i}",
                "organisations": ["Conc Lab"],
                "date": "2023-04-01",
                "kind": "model",
                "sources": [URL],
                "relations": [{"type": "fine_tuned_from", "target": target, "source": URL}],
            }
        )
    path = folder / "batch.json"
    path.write_text(json.dumps(records))
    return path


def counts(db: Path) -> tuple[int, int]:
    with store.connect(db) as con:
        return con.execute(COUNTS_SQL).fetchone()


def _env(ws: Workspace) -> dict[str, str]:
    return {**os.environ, "KB_DB": str(ws.db), "KB_DATA_DIR": str(ws.data_dir)}


class Readers:
    """Reader loops in threads until stopped; they record what they saw and every failure."""

    def __init__(self, ws: Workspace) -> None:
        self.ws = ws
        self.stop = threading.Event()
        self.seen: Counter[tuple[int, int]] = Counter()
        self.locked = 0
        self.shares: list[float] = []
        self.failures: list[str] = []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._counts_loop, daemon=True) for _ in range(2)]
        self.threads += [
            threading.Thread(target=self._exposure_loop, daemon=True),
            threading.Thread(target=self._cli_loop, daemon=True),
        ]

    def __enter__(self) -> Self:
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for t in self.threads:
            t.join(timeout=TIME_LIMIT)
        assert not any(t.is_alive() for t in self.threads), "a reader did not stop"

    def reads(self) -> int:
        with self.lock:
            return sum(self.seen.values())

    def _guard(self, read) -> None:
        while not self.stop.is_set():
            try:
                read()
            except StoreError as exc:  # a readable lock error after the retry is acceptable
                with self.lock:
                    if "locked" in exc.message and exc.hint:
                        self.locked += 1
                    else:
                        self.failures.append(f"StoreError without the lock hint: {exc}")
            except Exception as exc:
                with self.lock:
                    self.failures.append(f"{type(exc).__name__}: {exc}")
            time.sleep(0.01)  # readers open and close per query; leave the writer a gap

    def _counts_loop(self) -> None:
        def read() -> None:
            seen = counts(self.ws.db)
            with self.lock:
                self.seen[seen] += 1

        self._guard(read)

    def _exposure_loop(self) -> None:
        def read() -> None:
            with store.connect(self.ws.db) as con:
                value = exposure.share(con, 0.1).share_workers
            with self.lock:
                self.shares.append(value)

        self._guard(read)

    def _cli_loop(self) -> None:
        def read() -> None:
            done = subprocess.run(
                [KB, "query", "--format", "json", COUNTS_SQL],
                env=_env(self.ws),
                capture_output=True,
                text=True,
                timeout=TIME_LIMIT,
                check=False,
            )
            if done.returncode == 0:
                row = json.loads(done.stdout)[0]
                with self.lock:
                    self.seen[(row["releases"], row["relations"])] += 1
            elif "locked" in done.stderr and "Wait for it to finish" in done.stderr:
                with self.lock:
                    self.locked += 1
            else:
                with self.lock:
                    self.failures.append(f"kb query exit {done.returncode}: {done.stderr[-500:]}")

        self._guard(read)


def _wait_for(condition, timeout: float = TIME_LIMIT) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        time.sleep(0.01)


def test_readers_see_before_or_after_never_half(workspace: Workspace, tmp_path: Path) -> None:
    before = counts(workspace.db)
    after = (before[0] + BATCH, before[1] + BATCH)
    path = batch_file(tmp_path)
    with Readers(workspace) as readers:
        _wait_for(lambda: readers.reads() >= 5)
        writer = subprocess.run(
            [KB, "ingest", "releases", str(path), "--format", "json"],
            env=_env(workspace),
            capture_output=True,
            text=True,
            timeout=TIME_LIMIT,
            check=False,
        )
        assert writer.returncode == 0, writer.stderr
        assert json.loads(writer.stdout)["added"] == BATCH
        _wait_for(lambda: readers.seen[after] >= 3)
    assert readers.failures == []
    assert set(readers.seen) <= {before, after}, f"a reader saw half an ingest: {readers.seen}"
    assert readers.seen[before] > 0 and readers.seen[after] > 0
    assert readers.shares and all(s == readers.shares[0] for s in readers.shares)
    assert counts(workspace.db) == after


def _hold(ws: Workspace, mode: str) -> subprocess.Popen:
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(ws.db), mode],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    line = proc.stdout.readline()
    assert line.strip() == "HOLDING", proc.stderr.read()
    return proc


def _release(proc: subprocess.Popen) -> None:
    proc.kill()
    proc.wait(timeout=TIME_LIMIT)


def test_ingest_blocked_by_a_reader_is_refused_readably_and_writes_nothing(
    workspace: Workspace, tmp_path: Path
) -> None:
    """A reader that keeps the store open (a dashboard that forgot to close) blocks a writer:
    after the short retry the ingest says so and what to do, and data/ is unchanged."""
    path = batch_file(tmp_path, 3)
    before = snapshot(workspace.data_dir), store_dump(workspace.db)
    holder = _hold(workspace, "ro")
    try:
        started = time.monotonic()
        result = CliRunner().invoke(
            cli,
            [
                "ingest",
                "releases",
                str(path),
                "--db",
                str(workspace.db),
                "--data-dir",
                str(workspace.data_dir),
            ],
        )
        waited = time.monotonic() - started
    finally:
        _release(holder)
    assert result.exit_code == 1
    assert "is open for reading in another program" in result.output
    assert "Close that program" in result.output
    assert "Traceback" not in result.output
    assert 2.5 < waited < 30, "kb.store.connect should retry for about 3 s, then give up"
    assert (snapshot(workspace.data_dir), store_dump(workspace.db)) == before

    again = CliRunner().invoke(
        cli,
        [
            "ingest",
            "releases",
            str(path),
            "--db",
            str(workspace.db),
            "--data-dir",
            str(workspace.data_dir),
        ],
    )
    assert again.exit_code == 0, again.output


def test_readers_blocked_by_a_writer_get_a_readable_error(workspace: Workspace) -> None:
    holder = _hold(workspace, "rw")
    try:
        started = time.monotonic()
        with pytest.raises(StoreError) as refused:
            sandbox.run_readonly("SELECT count(*) FROM releases", workspace.db)
        assert 2.5 < time.monotonic() - started < 30
        assert "locked" in refused.value.message
        assert "Wait for it to finish" in refused.value.hint

        done = subprocess.run(
            [KB, "query", "--db", str(workspace.db), "SELECT 1"],
            capture_output=True,
            text=True,
            timeout=TIME_LIMIT,
            check=False,
        )
        assert done.returncode == 1
        assert "locked" in done.stderr and "Traceback" not in done.stderr
    finally:
        _release(holder)
    assert counts(workspace.db)[0] > 0  # and once the writer is gone, reads work again


def test_a_short_lock_is_ridden_out_by_the_retry(workspace: Workspace) -> None:
    """A writer that lets go within the retry window is invisible to readers."""
    holder = _hold(workspace, "rw")
    timer = threading.Timer(1.0, _release, [holder])
    timer.start()
    try:
        started = time.monotonic()
        assert counts(workspace.db)[0] > 0
        assert 0.5 < time.monotonic() - started < 10
    finally:
        timer.join(timeout=TIME_LIMIT)
        if holder.poll() is None:
            _release(holder)
