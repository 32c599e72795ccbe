"""kb.datafiles: a batch of writes into data/ lands all together or not at all, also when its
process is killed (SIGKILL) at any point, and one lock keeps two writers apart."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

import pytest

from kb import datafiles, store
from kb.errors import KBError

N_FILES = 10
OLD = {f"releases/f{i}.yaml": f"old {i}\n".encode() for i in range(4)}
NEW = {f"releases/f{i}.yaml": f"new {i}\n".encode() for i in range(N_FILES)}
NEW["labels/rater.csv"] = b"onet_code,task_id,label\n"

# A child that writes NEW as one batch and kills itself (SIGKILL, no cleanup) just before the
# (n+1)-th call of one internal step of the batch.
KILLED_BATCH = """
import os, signal, sys
from pathlib import Path
from kb import datafiles

data_dir, step, n = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3])
contents = {NEW!r}
original = getattr(datafiles, step)
calls = 0

def killer(*args):
    global calls
    calls += 1
    if calls > n:
        os.kill(os.getpid(), signal.SIGKILL)
    return original(*args)

setattr(datafiles, step, killer)
with datafiles.batch(data_dir) as files:
    for name, data in contents.items():
        files.write(name, data)
print("COMPLETED", flush=True)
""".replace("{NEW!r}", repr(NEW))


def make_data(tmp_path: Path) -> Path:
    data_dir = tmp_path / "data"
    for name, data in OLD.items():
        (data_dir / name).parent.mkdir(parents=True, exist_ok=True)
        (data_dir / name).write_bytes(data)
    (data_dir / "sources.yml").write_text("datasets: {}\n")
    return data_dir


def contents(data_dir: Path) -> dict[str, bytes]:
    """Every source-of-truth file under data/ (not the batch's bookkeeping)."""
    return {
        p.relative_to(data_dir).as_posix(): p.read_bytes()
        for p in sorted(data_dir.rglob("*"))
        if p.is_file() and p.relative_to(data_dir).parts[0] not in datafiles.BOOKKEEPING
    }


def after_batch(before: dict[str, bytes]) -> dict[str, bytes]:
    return {**before, **NEW}


@pytest.mark.parametrize(
    "step, n, lands",
    [
        ("_stage_file", 0, False),  # before anything is staged
        ("_stage_file", 5, False),  # half the files staged
        ("_write_journal", 0, False),  # everything staged, no commit point yet
        ("_move_into_place", 0, True),  # committed, nothing moved
        ("_move_into_place", 4, True),  # committed, some files moved
        ("_move_into_place", N_FILES, True),  # committed, all moved, staging not yet removed
    ],
)
def test_a_killed_batch_lands_all_or_nothing(tmp_path: Path, step: str, n: int, lands: bool):
    data_dir = make_data(tmp_path)
    before = contents(data_dir)
    fingerprint_before = store.inputs_fingerprint(data_dir)
    child = subprocess.run(
        [sys.executable, "-c", KILLED_BATCH, str(data_dir), step, str(n)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert "COMPLETED" not in child.stdout
    assert (data_dir / datafiles.STAGING_DIR).exists(), "a killed batch leaves its staging"
    if not lands:
        # Staged files are invisible to the fingerprint, so the store stays current meanwhile.
        assert store.inputs_fingerprint(data_dir) == fingerprint_before

    done = datafiles.recover(data_dir)

    assert done == ("rolled forward" if lands else "discarded")
    assert contents(data_dir) == (after_batch(before) if lands else before)
    assert not (data_dir / datafiles.STAGING_DIR).exists()
    assert datafiles.recover(data_dir) is None  # nothing left to do


def test_a_batch_commits_on_exit_and_writes_nothing_on_an_error(tmp_path: Path):
    data_dir = make_data(tmp_path)
    before = contents(data_dir)
    with (
        pytest.raises(RuntimeError, match="store write failed"),
        datafiles.batch(data_dir) as files,
    ):
        files.write("releases/f0.yaml", b"changed\n")
        files.write("releases/new.yaml", b"new\n")
        raise RuntimeError("store write failed")
    assert contents(data_dir) == before
    assert not (data_dir / datafiles.STAGING_DIR).exists()

    with datafiles.batch(data_dir) as files:
        files.write("releases/f0.yaml", b"changed\n")
        target = files.write("releases/new.yaml", b"new\n")
        assert not target.exists(), "nothing lands before the block ends"
        pending = dict(files.pending)
    assert contents(data_dir) == {
        **before,
        "releases/f0.yaml": b"changed\n",
        "releases/new.yaml": b"new\n",
    }
    # The fingerprint computed in advance from the pending files is the one data/ now has.
    assert store.inputs_fingerprint(data_dir) == store.inputs_fingerprint(data_dir, dict(pending))


@pytest.mark.parametrize("name", ["../escape.yaml", "/etc/passwd", ".kb-staging/x", ""])
def test_a_batch_writes_only_inside_data(tmp_path: Path, name: str):
    data_dir = make_data(tmp_path)
    with (
        pytest.raises(ValueError, match="is not a path inside data/"),
        datafiles.batch(data_dir) as files,
    ):
        files.write(name, b"x")
    assert not (tmp_path / "escape.yaml").exists()


HOLD_LOCK = """
import sys, time
from kb import datafiles
with datafiles.lock(sys.argv[1]):
    print("LOCKED", flush=True)
    time.sleep(60)
"""


def test_a_second_writer_waits_for_the_lock_then_gets_a_readable_error(tmp_path: Path):
    data_dir = make_data(tmp_path)
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_LOCK, str(data_dir)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "LOCKED"
        with pytest.raises(KBError) as info, datafiles.lock(data_dir, timeout=0.3):
            pass
        assert "is locked" in info.value.message and "wait for it" in (info.value.hint or "")
        # recover() never touches a batch whose writer is alive.
        (data_dir / datafiles.STAGING_DIR).mkdir()
        assert datafiles.recover(data_dir) is None
        assert (data_dir / datafiles.STAGING_DIR).exists()
    finally:
        holder.kill()
        holder.wait(timeout=30)
    # The kernel released the dead holder's lock: the next writer proceeds.
    with datafiles.lock(data_dir, timeout=5):
        pass
    assert datafiles.recover(data_dir) == "discarded"


def test_the_lock_nests_within_one_process(tmp_path: Path):
    data_dir = make_data(tmp_path)
    with datafiles.lock(data_dir), datafiles.batch(data_dir) as files:
        files.write("releases/f9.yaml", b"nine\n")
    assert (data_dir / "releases" / "f9.yaml").read_bytes() == b"nine\n"
    assert not (data_dir / datafiles.STAGING_DIR).exists()
