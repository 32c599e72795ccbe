"""`kb build`: derive the store from data/ and the pinned upstream files, atomically.

The build is data: `STEPS` lists each step with the steps it needs, and graphlib orders them.
Each step is called as run(con, ctx) inside the new database, after the schema exists, and
does one thing; none calls another. The new database is written to a temporary file beside
the old one and renamed over it only once complete, so a crash or a bad input leaves the
previous store exactly as it was. The data/ lock (kb.datafiles) keeps an ingest from writing
while a build reads.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import graphlib
import os
import re
import shutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from kb import __version__, config, datafiles, labels, provenance, releases, store
from kb.errors import StoreError, ValidationError
from kb.exposure import loading as exposure_loading
from kb.exposure import oews, onet_tasks
from kb.releases import living
from kb.usage import aei, working_with_ai

# A DuckDB database file carries this magic after its 8-byte checksum.
DUCKDB_MAGIC = b"DUCK"
DUCKDB_MAGIC_START = 8
DUCKDB_MAGIC_END = 12


@dataclass
class BuildContext:
    """What a build step may use: where data/ and the raw files are, a progress callback, and
    the row counts steps report."""

    data_dir: Path
    raw_dir: Path | None
    # Another source manifest instead of data/sources.yml (benchmarks' synthetic data sets).
    manifest: Path | None = None
    progress: Callable[[str], None] = lambda message: None
    counts: dict[str, int] = field(default_factory=dict)
    # Seconds each step took (wall clock), by step name: the benchmark's per-step table.
    step_seconds: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class BuildReport:
    db: Path
    seconds: float
    counts: dict[str, int]
    # False when files in data/ changed while the build read them: the store says it is stale.
    current: bool = True
    step_seconds: dict[str, float] = field(default_factory=dict)


StepFunction = Callable[[duckdb.DuckDBPyConnection, BuildContext], object]


@dataclass(frozen=True)
class Step:
    """One build step: its name (the progress line says 'loading <name>'), what it runs, and
    the names of the steps whose tables it reads."""

    name: str
    run: StepFunction
    needs: tuple[str, ...] = ()


def check_label_keys(con: duckdb.DuckDBPyConnection, ctx: BuildContext) -> None:
    """task_labels declares no keys (inserting 5.8 M rows with them dominated the 100x build), so
    the build checks them set-wise once every label is in: each (task, rater) once, every task
    and rater known. The built-in raters' labels hold them by construction (see
    check_task_labels); the ingested label sets' are checked."""
    problems = exposure_loading.check_task_labels(con, skip=list(exposure_loading.BUILTIN_RATERS))
    if problems:
        raise ValidationError(problems, "The label files above break the store's keys.")


def load_label_sets(con: duckdb.DuckDBPyConnection, ctx: BuildContext) -> None:
    """Every label set ingested earlier (data/labels/), with its exposure_sources row."""
    ctx.counts["label sets ingested"] = labels.load_saved_sets(con, ctx.data_dir)
    ctx.counts["exposure_sources"] = provenance.count(con)


STEPS: tuple[Step, ...] = (
    Step("release timeline", releases.load_into),
    Step("task-exposure data", exposure_loading.load_into),
    # Label sets name the release that produced them (curated, so a build without the living
    # sources' files still has every release an exposure source names) and the tasks they label.
    Step(
        "exposure sources",
        provenance.load_into,
        needs=("release timeline", "task-exposure data"),
    ),
    Step("ingested label sets", load_label_sets, needs=("exposure sources",)),
    Step("label keys", check_label_keys, needs=("task-exposure data", "ingested label sets")),
    # Usage scores point at their exposure_sources record.
    Step(
        "observed usage",
        working_with_ai.load_into,
        needs=("exposure sources", "ingested label sets"),
    ),
    Step("employment vintages", oews.load_into, needs=("task-exposure data",)),
    Step("O*NET 29.3 tasks", onet_tasks.load_into, needs=("task-exposure data",)),
    Step("Anthropic Economic Index", aei.load_into, needs=("task-exposure data",)),
    Step("living sources", living.load_into, needs=("release timeline",)),
)


def ordered(steps: Sequence[Step]) -> list[Step]:
    """The steps in an order that runs each after everything it needs (declaration order
    among independent steps); a cycle or an unknown name is a programming error."""
    by_name = {step.name: step for step in steps}
    sorter: graphlib.TopologicalSorter[str] = graphlib.TopologicalSorter()
    for step in steps:
        unknown = [name for name in step.needs if name not in by_name]
        if unknown:
            raise ValueError(f"build step {step.name!r} needs unknown steps {unknown}")
        sorter.add(step.name, *step.needs)
    sorter.prepare()
    out: list[Step] = []
    while sorter.is_active():
        ready = set(sorter.get_ready())
        for step in steps:  # stable: declaration order within one round
            if step.name in ready:
                out.append(step)
                sorter.done(step.name)
    return out


def build(
    db: str | os.PathLike[str] | None = None,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    raw_dir: str | os.PathLike[str] | None = None,
    manifest: str | os.PathLike[str] | None = None,
    progress: Callable[[str], None] | None = None,
    steps: Sequence[Step] | None = None,
) -> BuildReport:
    """(Re)create the store from data/ and the upstream files, atomically."""
    started = time.perf_counter()
    path = config.db_path(db)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise write_failure(exc, path) or exc from exc
    ctx = BuildContext(
        data_dir=config.data_dir(data_dir),
        raw_dir=config.raw_dir(raw_dir),
        manifest=Path(manifest) if manifest else None,
        progress=progress or (lambda message: None),
    )
    plan = ordered(STEPS if steps is None else steps)
    # The lock is held from the first read of data/ to the rename: an ingest waits for the
    # build to finish (and then writes into the new store) instead of being lost by the rename.
    with datafiles.lock(ctx.data_dir):
        datafiles.recover(ctx.data_dir)
        refuse_to_replace(path)
        fingerprint = store.inputs_fingerprint(ctx.data_dir)
        current = _build_file(path, ctx, plan, fingerprint)
    return BuildReport(
        db=path,
        seconds=time.perf_counter() - started,
        counts=dict(ctx.counts),
        current=current,
        step_seconds=dict(ctx.step_seconds),
    )


def _build_file(path: Path, ctx: BuildContext, plan: list[Step], fingerprint: str) -> bool:
    """Write the store to a temporary file and rename it over `path`; returns whether data/ was
    the same at the end as at the start (else the store records that it is stale)."""
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    spill = tmp.with_name(tmp.name + SPILL_SUFFIX)
    remove_stale_temp_files(path)
    con = duckdb.connect(
        ":memory:", config={"memory_limit": BUILD_MEMORY_LIMIT, "temp_directory": str(spill)}
    )
    try:
        return _write(con, tmp, path, ctx, plan, fingerprint)
    finally:
        shutil.rmtree(spill, ignore_errors=True)


# DuckDB's memory for the build. Beyond it, temporary tables and sorts spill to a folder beside
# the new store (removed after the build): a large build's peak stays near this plus Python's
# share, where DuckDB's default (80% of RAM) let a 100x build reach 1.5 GiB. Builds of the real
# data stay far below it.
BUILD_MEMORY_LIMIT = "640MB"
SPILL_SUFFIX = ".spill"


def _write(
    con: duckdb.DuckDBPyConnection,
    tmp: Path,
    path: Path,
    ctx: BuildContext,
    plan: list[Step],
    fingerprint: str,
) -> bool:
    try:
        # ATTACH takes no parameters; the path is quoted as an SQL string literal.
        literal = "'" + str(tmp).replace("'", "''") + "'"
        con.execute(f"ATTACH {literal} AS kb (STORAGE_VERSION '{store.STORAGE_VERSION}')")
        con.execute("USE kb")
        ctx.progress("creating schema")
        for ddl in store.schema_files():
            con.execute(ddl.read_text())
        for step in plan:
            ctx.progress(f"loading {step.name}")
            step_started = time.perf_counter()
            step.run(con, ctx)
            ctx.step_seconds[step.name] = time.perf_counter() - step_started
        store.write_meta(
            con,
            schema_version=store.schema_version(),
            kb_version=__version__,
            duckdb_version=duckdb.__version__,
            storage_version=store.STORAGE_VERSION,
            built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        # Files edited by hand (or by a program that ignores the lock) during the build: the
        # steps may have read a mix of old and new, so the store must not call itself current.
        # Recording the fingerprint from the start would already make it stale; checking
        # again here also lets the build say so.
        current = store.inputs_fingerprint(ctx.data_dir) == fingerprint
        store.mark_inputs(con, fingerprint if current else STALE_FINGERPRINT)
        con.execute("CHECKPOINT kb")
        con.execute("USE memory")
        con.execute("DETACH kb")
    except BaseException as exc:
        con.close()
        _remove(tmp, tmp.with_name(tmp.name + ".wal"))
        failure = write_failure(exc, path)
        if failure is not None:
            raise failure from exc
        raise
    con.close()
    try:
        # A WAL left by a crashed writer of the old file must not be replayed onto the new one.
        path.with_name(path.name + ".wal").unlink(missing_ok=True)
        os.replace(tmp, path)
    except OSError as exc:
        _remove(tmp)
        raise write_failure(exc, path) or exc from exc
    return current


def _remove(*paths: Path) -> None:
    """Delete a failed build's files where they exist (on a read-only disk even a missing file
    cannot be 'unlinked', which must not hide the real error)."""
    for path in paths:
        with contextlib.suppress(OSError):
            path.unlink(missing_ok=True)


# Recorded instead of the inputs fingerprint when data/ changed during the build; no
# fingerprint of data/ equals it, so `kb.store.status` reports the store as needing a build.
STALE_FINGERPRINT = "changed-during-build"

# Causes of a failed write that the user must fix outside kb, by errno and as DuckDB words them.
_WRITE_FAILURES = (
    (errno.ENOSPC, "No space left on device", "the disk is full", "Free some space"),
    (
        errno.EROFS,
        "Read-only file system",
        "the folder is on a read-only file system",
        "Pass --db (or set KB_DB) to a path on a writable disk",
    ),
    (
        errno.EACCES,
        "Permission denied",
        "permission denied",
        "Make the folder writable for this user, or pass --db a path you can write",
    ),
    (
        errno.EPERM,
        "Operation not permitted",
        "permission denied",
        "Make the folder writable for this user, or pass --db a path you can write",
    ),
)


# How DuckDB names the file an I/O error is about: 'Could not write file "/x/kb.duckdb.wal": ...'.
_DUCKDB_FILE = re.compile(r'file "([^"]+)"')


def write_failure(exc: BaseException, path: Path) -> StoreError | None:
    """A build that could not write its store (full disk, read-only or forbidden folder) as a
    StoreError naming the store and the fix; None for any other failure."""
    if not isinstance(exc, (OSError, duckdb.Error)):
        return None
    code = exc.errno if isinstance(exc, OSError) else None
    text = str(exc)
    # An OSError about another file (an upstream file, the download cache) names that file.
    other = exc.filename if isinstance(exc, OSError) and exc.filename else None
    if isinstance(exc, duckdb.Error) and (named := _DUCKDB_FILE.search(text)):
        other = named.group(1)
    if other is not None and Path(other).name.startswith(path.name):
        other = None
    subject = f"the store {path}" if other is None else str(other)
    kept = "The previous store (if any) was left as it was."
    for number, words, what, fix in _WRITE_FAILURES:
        if code == number or words in text:
            if other is not None:
                fix = "Fix access to that file (or free space on its disk)"
            return StoreError(
                f"Could not write {subject}: {what}. {kept}", f"{fix}, then run `kb build` again."
            )
    if isinstance(exc, OSError):
        return StoreError(
            f"Could not write {subject}: {exc.strerror or exc}. {kept}",
            "Check the folder and the disk, then run `kb build` again.",
        )
    return None


def refuse_to_replace(path: Path) -> None:
    """A typo in --db must not destroy another file: only a kb store (a DuckDB file with a
    kb_meta table) may be replaced. An empty file, a text file, a folder or someone else's
    DuckDB database is refused."""
    if not path.exists() and not path.is_symlink():
        return
    try:
        with path.open("rb") as handle:
            header = handle.read(DUCKDB_MAGIC_END) if path.is_file() else b""
    except OSError:
        header = b""
    if header[DUCKDB_MAGIC_START:DUCKDB_MAGIC_END] != DUCKDB_MAGIC:
        raise StoreError(
            f"{path} exists and is not a DuckDB store; `kb build` will not replace it.",
            "Pass --db a new path or the path of a kb store.",
        )
    if not _has_kb_meta(path):
        raise StoreError(
            f"{path} is a DuckDB database but not a kb store (it has no kb_meta table); "
            "`kb build` will not replace it.",
            "Pass --db a new path or the path of a kb store "
            "(an old kb store that cannot be opened any more: delete it first).",
        )


def _has_kb_meta(path: Path) -> bool:
    """Whether the DuckDB file at path holds a kb_meta table (opened read-only, which works
    beside readers such as the dashboard; a writer's lock is refused with its own message)."""
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.Error as exc:
        if "lock" in str(exc).lower():
            raise StoreError(
                f"{path} is open for writing in another program; `kb build` will not replace it.",
                store.LOCK_HINT,
            ) from exc
        return False
    try:
        con.execute("SELECT count(*) FROM kb_meta").fetchall()
    except duckdb.Error:
        return False
    finally:
        con.close()
    return True


def remove_stale_temp_files(path: Path) -> list[Path]:
    """Delete the temporary files of builds that died (SIGKILL, power cut) beside the store.

    A temp file is named after its build's process id; one whose process still runs belongs to a
    build in progress and is left alone. Returns what was removed.
    """
    removed = []
    prefix = f"{path.name}.tmp-"
    for leftover in path.parent.glob(f"{glob.escape(prefix)}*"):
        pid = leftover.name[len(prefix) :].removesuffix(".wal").removesuffix(SPILL_SUFFIX)
        if pid.isdigit() and int(pid) != os.getpid() and _process_alive(int(pid)):
            continue
        try:
            if leftover.is_dir() and not leftover.is_symlink():  # a build's spill folder
                shutil.rmtree(leftover)
            else:
                leftover.unlink(missing_ok=True)
        except OSError:  # a read-only folder: the build itself will say why it cannot write
            continue
        removed.append(leftover)
    return removed


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True
