"""Writes into data/: a batch of files lands all together or not at all, also across a crash.

Every ingest writes through `batch()`:

    with datafiles.batch(data_dir) as files:
        files.write("releases/koala.yaml", text.encode())

1. Each file is staged, fsynced, in a hidden folder inside data/ (same file system, so the
   final renames are atomic).
2. On leaving the block without an error, a journal listing the files is written and renamed
   into the staging folder: the commit point.
3. Each staged file is renamed into place, then the staging folder is removed.

`recover()` finishes what a killed process left: with a journal, the batch is rolled forward
(the renames are repeated; they are idempotent); without one, the staged files are discarded.
It runs, under the data/ lock, before anything reads data/ (build, ingest, store status).

One exclusive lock (`lock()`, a file lock released by the kernel when its process dies) keeps
ingests and builds from interleaving over data/ and the store.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path, PurePosixPath
from typing import Final

from kb.errors import KBError

STAGING_DIR: Final = ".kb-staging"
LOCK_FILE: Final = ".kb-lock"
JOURNAL: Final = "journal.json"
STAGED: Final = "files"
# Bookkeeping names in data/ that are not source-of-truth files (the inputs fingerprint skips them).
BOOKKEEPING: Final = (STAGING_DIR, LOCK_FILE)
LOCK_TIMEOUT_SECONDS: Final = 60.0
BUSY_HINT: Final = "Another `kb ingest` or `kb build` is using it; wait for it to finish."

# Locks this process holds: data folder -> nesting depth (flock is per open file, so a second
# open in the same process would wait for itself).
_held: dict[Path, int] = {}


@contextlib.contextmanager
def lock(
    data_dir: str | os.PathLike[str], *, timeout: float = LOCK_TIMEOUT_SECONDS, wait: bool = True
) -> Iterator[bool]:
    """Hold the data/ lock for the block; yields whether it is held.

    With wait=False the block runs at once, yielding False if another process holds the lock.
    A read-only data/ folder cannot be written by anyone, so there it is not needed (True).
    """
    key = Path(data_dir).resolve()
    if key in _held:
        _held[key] += 1
        try:
            yield True
        finally:
            _held[key] -= 1
        return
    try:
        fd = os.open(key / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM, errno.ENOENT):
            yield True
            return
        raise write_error(exc, key) from exc
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not wait:
                    yield False
                    return
                if time.monotonic() >= deadline:
                    raise KBError(f"The data folder {key} is locked.", BUSY_HINT) from None
                time.sleep(0.05)
        _held[key] = 1
        try:
            yield True
        finally:
            del _held[key]
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


class Batch:
    """Files staged for one all-or-nothing write into data/ (see the module doc)."""

    def __init__(self, data_dir: Path) -> None:
        self.data_dir = data_dir
        self.staging = data_dir / STAGING_DIR
        self.pending: dict[str, bytes] = {}  # relative POSIX path -> content

    def write(self, relative: str, data: bytes) -> Path:
        """Stage one file; returns where it will be once the batch commits."""
        rel = _checked(relative)
        _stage_file(self.staging / STAGED / rel, data)
        self.pending[rel] = data
        return self.data_dir / rel

    @property
    def paths(self) -> list[Path]:
        return [self.data_dir / rel for rel in self.pending]

    def commit(self) -> None:
        if not self.pending:
            return
        _write_journal(self.staging, sorted(self.pending))
        _roll_forward(self.data_dir)


@contextlib.contextmanager
def batch(data_dir: str | os.PathLike[str]) -> Iterator[Batch]:
    """Stage writes into data/ during the block; commit them all on a normal exit, none on an
    exception. Holds the data/ lock throughout."""
    folder = Path(data_dir)
    with lock(folder):
        recover(folder)
        files = Batch(folder)
        try:
            files.staging.mkdir(parents=True, exist_ok=True)
            yield files
        except BaseException as exc:
            shutil.rmtree(files.staging, ignore_errors=True)
            if isinstance(exc, OSError):
                raise write_error(exc, folder) from exc
            raise
        try:
            files.commit()
        except OSError as exc:
            # Before the journal exists nothing has moved: discard. After it, roll forward.
            landed = (files.staging / JOURNAL).is_file()
            recover(folder)
            raise write_error(exc, folder, landed=landed) from exc


def write_error(exc: OSError, folder: Path, *, landed: bool = False) -> KBError:
    """A failed write into data/ as what happened, where, and the fix that fits the cause.
    `landed`: the batch got past its commit point (it is, or will be, in data/ in full)."""
    where = exc.filename or folder
    if exc.errno == errno.ENOSPC:
        what, hint = "the disk is full", "Free some space and run the command again."
    elif exc.errno == errno.EROFS:
        what = "it is on a read-only file system"
        hint = "Use a writable copy of the project (or set KB_DATA_DIR to one)."
    elif exc.errno in (errno.EACCES, errno.EPERM):
        what = "permission denied"
        hint = "Make data/ and its folders writable for this user, then run the command again."
    else:
        what = exc.strerror or str(exc)
        hint = "Check the folder and the disk, then run the command again."
    if landed:
        outcome = f"The batch is in {folder}, but the store was not updated; run `kb build`."
    else:
        outcome = f"Nothing in {folder} was changed."
    return KBError(f"Could not write {where}: {what}. {outcome}", hint)


def recover(data_dir: str | os.PathLike[str]) -> str | None:
    """Finish or discard a batch a killed process left behind; returns what was done.

    Skipped (None) while another process holds the data/ lock: its batch is still in progress.
    """
    folder = Path(data_dir)
    staging = folder / STAGING_DIR
    if not staging.exists():
        return None
    with lock(folder, wait=False) as held:
        if not held or not staging.exists():
            return None
        try:
            if (staging / JOURNAL).is_file():
                _roll_forward(folder)
                return "rolled forward"
            shutil.rmtree(staging)
        except OSError:
            # A read-only or full data/: left for the next writer; readers skip the staging
            # folder, and the store stays stale until the batch lands (the fingerprint says so).
            return None
        return "discarded"


def _checked(relative: str) -> str:
    path = PurePosixPath(relative)
    if path.is_absolute() or ".." in path.parts or not path.parts or path.parts[0] in BOOKKEEPING:
        raise ValueError(f"{relative!r} is not a path inside data/")
    return path.as_posix()


def _stage_file(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _write_journal(staging: Path, names: list[str]) -> None:
    """The commit point: once the journal exists the batch will land, even after a crash."""
    tmp = staging / f"{JOURNAL}.tmp"
    _stage_file(tmp, json.dumps(names).encode())
    _fsync_dir(staging / STAGED)
    os.replace(tmp, staging / JOURNAL)
    _fsync_dir(staging)


def _roll_forward(data_dir: Path) -> None:
    staging = data_dir / STAGING_DIR
    names = json.loads((staging / JOURNAL).read_text(encoding="utf-8"))
    folders = set()
    for name in names:
        source = staging / STAGED / _checked(name)
        if source.exists():  # absent: moved before a crash
            _move_into_place(source, data_dir / name)
        folders.add((data_dir / name).parent)
    for parent in folders:
        _fsync_dir(parent)
    shutil.rmtree(staging)


def _move_into_place(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(source, target)


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
