"""A `kb build` killed with SIGKILL part-way leaves the previous store intact and usable, and the
next build succeeds and clears the dead build's temporary files."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import Workspace, snapshot, steps_through, store_dump

from kb import build as kbbuild
from kb import store
from kb.cli import cli

TIMEOUT = 60.0
# A child that runs a real build and, once the new file holds part of the data, says so and
# waits to be killed: the kill lands mid-build every time, not only when the timing is lucky.
PAUSED_BUILD = """
import sys, time
from kb import store
from kb import build as kbbuild

def progress(message):
    if message == sys.argv[4]:
        print("PAUSED", flush=True)
        time.sleep(120)

kbbuild.build(sys.argv[1], data_dir=sys.argv[2], raw_dir=sys.argv[3], progress=progress)
"""


def _env(ws: Workspace) -> dict[str, str]:
    return {
        **os.environ,
        "KB_DB": str(ws.db),
        "KB_DATA_DIR": str(ws.data_dir),
        "KB_RAW_DIR": str(ws.raw_dir),
        "PYTHONUNBUFFERED": "1",
    }


def _temp_files(ws: Workspace) -> list[Path]:
    return sorted(ws.db.parent.glob(f"{ws.db.name}.tmp-*"))


def _kill(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=TIMEOUT)


def _assert_previous_store_answers(ws: Workspace, rows_before: dict, files_before: dict) -> None:
    assert snapshot(ws.db) == files_before, "the previous store file was changed"
    assert store_dump(ws.db) == rows_before
    with store.connect(ws.db) as con:  # the schema check passes: it is a complete kb store
        assert con.execute("SELECT count(*) FROM kb_meta").fetchone()[0] > 0


def _kb_query(ws: Workspace, sql: str) -> str:
    from click.testing import CliRunner

    result = CliRunner().invoke(cli, ["query", "--db", str(ws.db), "--format", "csv", sql])
    assert result.exit_code == 0, result.output
    return result.output


# Steps at which a build is killed, one build each; the next build then cleans up after all.
KILL_AT = ["loading release timeline", "loading task-exposure data", "loading exposure sources"]


def _kill_build_at(ws: Workspace, step: str) -> int:
    """Start a build, kill it with SIGKILL once it is loading `step`; returns its process id."""
    proc = subprocess.Popen(
        [sys.executable, "-c", PAUSED_BUILD, str(ws.db), str(ws.data_dir), str(ws.raw_dir), step],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=_env(ws),
    )
    try:
        line = proc.stdout.readline()  # blocks until the child pauses or exits
        assert line.strip() == "PAUSED", (step, proc.stderr.read())
        assert _temp_files(ws), f"{step}: the build should be writing a temporary file by now"
    finally:
        _kill(proc)
    assert proc.returncode == -signal.SIGKILL, step
    return proc.pid


def test_builds_killed_at_each_step(workspace: Workspace) -> None:
    """Each kill leaves the previous store as it was and its temp file behind, which the next
    build removes: the next killed build, then a whole build that must give the same rows. One
    whole build serves every step (it takes seconds)."""
    rows_before, files_before = store_dump(workspace.db), snapshot(workspace.db)
    for step in KILL_AT:
        pid = _kill_build_at(workspace, step)
        # Only the killed build's files: the one killed before it lost its files to this build.
        left = _temp_files(workspace)
        assert left and all(f".tmp-{pid}" in p.name for p in left), (step, left)
        _assert_previous_store_answers(workspace, rows_before, files_before)

    report = kbbuild.build(workspace.db, data_dir=workspace.data_dir, raw_dir=workspace.raw_dir)
    assert report.db == workspace.db
    assert _temp_files(workspace) == [], "the next build should remove dead builds' temp files"
    rows_after = store_dump(workspace.db)
    rows_after.pop("kb_meta"), rows_before.pop("kb_meta")  # built_at differs, nothing else may
    assert rows_after == rows_before


def test_cli_build_killed_once_its_temp_file_appears(workspace: Workspace) -> None:
    """The real command, killed as soon as its temporary file exists (polled, no blind sleep)."""
    rows_before, files_before = store_dump(workspace.db), snapshot(workspace.db)
    argv = [str(Path(sys.executable).with_name("kb"))]
    killed_midway = False
    for _attempt in range(5):  # a build that wins the race is simply tried again
        proc = subprocess.Popen(
            [*argv, "build"],
            env=_env(workspace),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + TIMEOUT
        try:
            while proc.poll() is None and time.monotonic() < deadline:
                if _temp_files(workspace):
                    proc.send_signal(signal.SIGKILL)
                    break
                time.sleep(0.002)
        finally:
            _kill(proc)
        if proc.returncode == -signal.SIGKILL:
            killed_midway = True
            break
        # It finished first: the store was rebuilt from the same inputs; take it as the baseline.
        rows_before, files_before = store_dump(workspace.db), snapshot(workspace.db)
    assert killed_midway, "the build always finished before its temp file was seen"
    _assert_previous_store_answers(workspace, rows_before, files_before)
    assert _kb_query(workspace, "SELECT count(*) AS n FROM kb_meta").splitlines()[0] == "n"

    done = subprocess.run(
        [*argv, "build"],
        env=_env(workspace),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert _temp_files(workspace) == []
    with store.connect(workspace.db) as con:
        assert con.execute("SELECT count(*) FROM kb_meta").fetchone()[0] > 0


# A child that ingests n new releases and kills itself (SIGKILL) just before the (k+1)-th call
# of one step of the data/ batch: the kill lands at a chosen point, not where timing puts it.
KILLED_INGEST = """
import json, os, signal, sys
from pathlib import Path
from kb import datafiles, releases

db, data_dir, folder, step, k, n = sys.argv[1:7]
records = [{"id": f"killed-{i:04d}", "name": f"Killed {i}", "organisations": ["Kill Lab"],
            "date": "2023-05-01", "kind": "model", "sources": ["https://example.org/killed"],
            "relations": [{"type": "fine_tuned_from",
                           "target": "llama" if i == 0 else f"killed-{i - 1:04d}"}]}
           for i in range(int(n))]
batch = Path(folder) / "batch.json"
batch.write_text(json.dumps(records))
original = getattr(datafiles, step)
calls = 0

def killer(*args):
    global calls
    calls += 1
    if calls > int(k):
        os.kill(os.getpid(), signal.SIGKILL)
    return original(*args)

setattr(datafiles, step, killer)
releases.ingest([batch], db=db, data_dir=data_dir)
"""
INGESTED = 200


@pytest.mark.parametrize(
    "step, k, lands",
    [
        ("_stage_file", 150, False),  # three quarters staged, nothing committed
        ("_write_journal", 0, False),  # all staged, killed at the commit point
        ("_move_into_place", 60, True),  # committed, 60 of 200 files moved
    ],
)
def test_a_killed_ingest_leaves_all_of_its_batch_or_none(
    workspace: Workspace, tmp_path: Path, step: str, k: int, lands: bool
) -> None:
    releases_dir = workspace.data_dir / "releases"
    files_before = snapshot(releases_dir)
    rows_before = store_dump(workspace.db)
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            KILLED_INGEST,
            str(workspace.db),
            str(workspace.data_dir),
            str(tmp_path),
            step,
            str(k),
            str(INGESTED),
        ],
        capture_output=True,
        text=True,
        timeout=TIMEOUT * 3,
        env=_env(workspace),
        check=False,
    )
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    # The store never committed: the batch's files commit first, the store after them.
    assert store_dump(workspace.db) == rows_before

    # The next reader of data/ finishes or discards the batch; then the store says it is stale
    # exactly when data/ changed, and a build loads data/ as it now is.
    stale = store.status(workspace.db, workspace.data_dir)
    written = sorted(p.name for p in releases_dir.glob("killed-*.yaml"))
    if lands:
        assert len(written) == INGESTED
        assert stale == "files in data/ changed since the store was built"
    else:
        assert written == [] and snapshot(releases_dir) == files_before
        assert stale is None
    assert not (workspace.data_dir / ".kb-staging").exists()
    # The step that loads data/releases/ is the one that counts them.
    report = kbbuild.build(
        workspace.db,
        data_dir=workspace.data_dir,
        raw_dir=workspace.raw_dir,
        steps=steps_through("release timeline"),
    )
    curated = len([name for name in files_before if name.endswith(".yaml")])
    assert report.counts["releases"] == curated + (INGESTED if lands else 0)
    assert store.status(workspace.db, workspace.data_dir) is None
