"""`kb build`: derive the store from data/ and the pinned upstream files, atomically.

The build is data: `STEPS` lists each step with the steps it needs, and graphlib orders them.
Each step is called as run(con, ctx) inside the new database, after the schema exists, and
does one thing; none calls another. The new database is written to a temporary file beside
the old one and renamed over it only once complete, so a crash or a bad input leaves the
previous store exactly as it was. The data/ lock (kb.datafiles) keeps an ingest from writing
while a build reads.
"""

from __future__ import annotations

import glob
import graphlib
import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from kb import __version__, config, datafiles, labels, provenance, releases, store
from kb.errors import StoreError
from kb.exposure import loading as exposure_loading
from kb.usage import working_with_ai

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


@dataclass(frozen=True)
class BuildReport:
    db: Path
    seconds: float
    counts: dict[str, int]


StepFunction = Callable[[duckdb.DuckDBPyConnection, BuildContext], object]


@dataclass(frozen=True)
class Step:
    """One build step: its name (the progress line says 'loading <name>'), what it runs, and
    the names of the steps whose tables it reads."""

    name: str
    run: StepFunction
    needs: tuple[str, ...] = ()


def load_label_sets(con: duckdb.DuckDBPyConnection, ctx: BuildContext) -> None:
    """Every label set ingested earlier (data/labels/), with its exposure_sources row."""
    ctx.counts["label sets ingested"] = labels.load_saved_sets(con, ctx.data_dir)
    ctx.counts["exposure_sources"] = provenance.count(con)


STEPS: tuple[Step, ...] = (
    Step("release timeline", releases.load_into),
    Step("task-exposure data", exposure_loading.load_into),
    # Label sets name the release that produced them and the tasks they label.
    Step(
        "exposure sources", provenance.load_into, needs=("release timeline", "task-exposure data")
    ),
    Step("ingested label sets", load_label_sets, needs=("exposure sources",)),
    # Usage scores point at their exposure_sources record.
    Step(
        "observed usage",
        working_with_ai.load_into,
        needs=("exposure sources", "ingested label sets"),
    ),
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
    refuse_to_replace(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    ctx = BuildContext(
        data_dir=config.data_dir(data_dir),
        raw_dir=config.raw_dir(raw_dir),
        manifest=Path(manifest) if manifest else None,
        progress=progress or (lambda message: None),
    )
    plan = ordered(STEPS if steps is None else steps)
    with datafiles.lock(ctx.data_dir):
        datafiles.recover(ctx.data_dir)
        # Taken before reading: if a file changes during the build, the store is not current.
        fingerprint = store.inputs_fingerprint(ctx.data_dir)
        _build_file(path, ctx, plan, fingerprint)
    return BuildReport(db=path, seconds=time.perf_counter() - started, counts=dict(ctx.counts))


def _build_file(path: Path, ctx: BuildContext, plan: list[Step], fingerprint: str) -> None:
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    remove_stale_temp_files(path)
    con = duckdb.connect(":memory:")
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
            step.run(con, ctx)
        store.write_meta(
            con,
            schema_version=store.schema_version(),
            kb_version=__version__,
            duckdb_version=duckdb.__version__,
            storage_version=store.STORAGE_VERSION,
            built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        store.mark_inputs(con, fingerprint)
        con.execute("CHECKPOINT kb")
        con.execute("USE memory")
        con.execute("DETACH kb")
    except BaseException:
        con.close()
        tmp.unlink(missing_ok=True)
        tmp.with_name(tmp.name + ".wal").unlink(missing_ok=True)
        raise
    con.close()
    # A WAL left by a crashed writer of the old file must not be replayed onto the new one.
    path.with_name(path.name + ".wal").unlink(missing_ok=True)
    os.replace(tmp, path)


def refuse_to_replace(path: Path) -> None:
    """A typo in --db must not destroy another file: only a DuckDB file may be replaced."""
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


def remove_stale_temp_files(path: Path) -> list[Path]:
    """Delete the temporary files of builds that died (SIGKILL, power cut) beside the store.

    A temp file is named after its build's process id; one whose process still runs belongs to a
    build in progress and is left alone. Returns what was removed.
    """
    removed = []
    prefix = f"{path.name}.tmp-"
    for leftover in path.parent.glob(f"{glob.escape(prefix)}*"):
        pid = leftover.name[len(prefix) :].removesuffix(".wal")
        if pid.isdigit() and int(pid) != os.getpid() and _process_alive(int(pid)):
            continue
        leftover.unlink(missing_ok=True)
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
