"""The DuckDB store: open it safely, build it atomically, check it matches this code.

The store is a build artifact: data/ (in git) plus the pinned upstream files are the source of
truth, and `build()` derives the database from them. A build writes a new file beside the old one
and renames it into place, so a crash or a bad input never leaves a broken or missing store.
"""

from __future__ import annotations

import contextlib
import glob
import hashlib
import importlib
import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from kb import __version__, config
from kb.errors import KBError, StoreError

SCHEMA_DIR = Path(__file__).parent / "schema"

# The DuckDB CLI on PyPI (duckdb-cli 1.5.x) cannot read files written in duckdb 2.0's default
# storage format, so the store is always written in this older, widely readable one.
STORAGE_VERSION = "v1.5.0"

# Build steps in order: (what the progress line says, "module:function").
# Each function is called as fn(con, ctx) inside the new database, after the schema exists.
BUILD_STEPS: list[tuple[str, str]] = [
    ("release timeline", "kb.releases:load_into"),
    ("task-exposure data", "kb.exposure_data:load_into"),
    ("exposure sources", "kb.provenance:load_into"),
]

LOCK_HINT = (
    "Another process holds the store open for writing (a running `kb ingest` or `kb build`?). "
    "Wait for it to finish and try again."
)
REBUILD_HINT = "Rebuild it with `kb build`."


def schema_files() -> list[Path]:
    """The DDL files, applied in name order (tables before the views that read them)."""
    return sorted(SCHEMA_DIR.glob("*.sql"))


def schema_version() -> str:
    """A fingerprint of the DDL: any change to a schema file makes older stores 'outdated'."""
    digest = hashlib.sha256()
    for path in schema_files():
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def inputs_fingerprint(data_dir: Path) -> str:
    """A fingerprint of the source-of-truth files in data/ (not the store or caches)."""
    digest = hashlib.sha256()
    if data_dir.exists():
        for path in sorted(p for p in data_dir.rglob("*") if p.is_file()):
            rel = path.relative_to(data_dir).as_posix()
            if ".duckdb" in path.name or rel.startswith("cache/"):
                continue
            digest.update(rel.encode())
            digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


@dataclass
class BuildContext:
    """What a build step may use: where data/ and the raw files are, and a progress callback."""

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


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc)
    return "lock" in text.lower() and ("Conflicting" in text or "Could not set lock" in text)


@contextlib.contextmanager
def connect(
    db: str | os.PathLike[str] | None = None,
    *,
    read_only: bool = True,
    check_schema: bool = True,
    retry_seconds: float = 3.0,
    config_options: dict[str, object] | None = None,
) -> Iterator[duckdb.DuckDBPyConnection]:
    """Open the store for one operation and close it afterwards.

    A lock held by another writer is retried briefly (the dashboard opens and closes per query),
    then reported as a StoreError with a hint. With check_schema, a store built by another
    schema version is refused rather than giving wrong answers.
    """
    path = config.db_path(db)
    if not path.exists():
        raise StoreError(f"No store at {path}.", "Create it with `kb build` (or pass --db PATH).")
    deadline = time.monotonic() + retry_seconds
    while True:
        try:
            con = duckdb.connect(str(path), read_only=read_only, config=config_options or {})
            break
        except duckdb.Error as exc:
            if _is_lock_error(exc):
                if time.monotonic() < deadline:
                    time.sleep(0.1)
                    continue
                raise StoreError(f"The store {path} is locked: {exc}", LOCK_HINT) from exc
            raise StoreError(f"Cannot open the store {path}: {exc}", REBUILD_HINT) from exc
    try:
        if check_schema:
            check_schema_version(con, path)
        yield con
    finally:
        con.close()


def check_schema_version(con: duckdb.DuckDBPyConnection, path: Path | str = "the store") -> None:
    try:
        row = con.execute("SELECT value FROM kb_meta WHERE key = 'schema_version'").fetchone()
    except duckdb.Error as exc:
        raise StoreError(f"{path} is not a kb store (no kb_meta table).", REBUILD_HINT) from exc
    found = row[0] if row else None
    if found != schema_version():
        raise StoreError(
            f"{path} was built with schema version {found}, this kb expects {schema_version()}.",
            REBUILD_HINT,
        )


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """BEGIN ... COMMIT, or ROLLBACK on any error: a multi-statement write is all or nothing."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    con.execute("COMMIT")


def first_row(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None
) -> tuple | None:
    """The first row or None, reading the whole result: duckdb 2 keeps a half-read result open,
    and a later con.register() on the same connection then fails."""
    rows = con.execute(sql, params or []).fetchall()
    return rows[0] if rows else None


def read_meta(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute("SELECT key, value FROM kb_meta ORDER BY key").fetchall())


def write_meta(con: duckdb.DuckDBPyConnection, **values: str) -> None:
    for key, value in values.items():
        con.execute(
            "INSERT INTO kb_meta (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            [key, str(value)],
        )


def mark_inputs(con: duckdb.DuckDBPyConnection, data_dir: Path) -> None:
    """Record that the store now reflects data/ as it is (after a build or an ingest)."""
    write_meta(con, inputs_fingerprint=inputs_fingerprint(data_dir))


def status(db: str | os.PathLike[str] | None = None, data_dir: Path | None = None) -> str | None:
    """None when the store is present and current; otherwise why it needs `kb build`."""
    path = config.db_path(db)
    if not path.exists():
        return f"there is no store at {path}"
    try:
        with connect(path, check_schema=False) as con:
            meta = read_meta(con)
    except (KBError, duckdb.Error) as exc:
        return f"the store cannot be read ({exc})"
    if meta.get("schema_version") != schema_version():
        return "the store was built by another schema version"
    if meta.get("inputs_fingerprint") != inputs_fingerprint(config.data_dir(data_dir)):
        return "files in data/ changed since the store was built"
    return None


def _run_step(target: str, con: duckdb.DuckDBPyConnection, ctx: BuildContext) -> None:
    module_name, func_name = target.split(":")
    getattr(importlib.import_module(module_name), func_name)(con, ctx)


def remove_stale_temp_files(path: Path) -> list[Path]:
    """Delete the temporary files of builds that died (SIGKILL, power cut) beside the store.

    A temp file is named after its build's process id; one whose process still runs belongs to a
    build in progress and is left alone. Returns what was removed.
    """
    removed = []
    prefix = f"{path.name}.tmp-"
    for leftover in path.parent.glob(f"{glob.escape(prefix)}*"):
        pid = leftover.name[len(prefix):].removesuffix(".wal")
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


def build(
    db: str | os.PathLike[str] | None = None,
    *,
    data_dir: str | os.PathLike[str] | None = None,
    raw_dir: str | os.PathLike[str] | None = None,
    manifest: str | os.PathLike[str] | None = None,
    progress: Callable[[str], None] | None = None,
) -> BuildReport:
    """(Re)create the store from data/ and the upstream files, atomically.

    The new database is written to a temporary file in the same folder and renamed over the old
    one only once complete, so any failure leaves the previous store exactly as it was.
    """
    started = time.perf_counter()
    path = config.db_path(db)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
    remove_stale_temp_files(path)
    ctx = BuildContext(
        data_dir=config.data_dir(data_dir),
        raw_dir=config.raw_dir(raw_dir),
        manifest=Path(manifest) if manifest else None,
        progress=progress or (lambda message: None),
    )
    con = duckdb.connect(":memory:")
    try:
        con.execute(f"ATTACH '{tmp}' AS kb (STORAGE_VERSION '{STORAGE_VERSION}')")
        con.execute("USE kb")
        ctx.progress("creating schema")
        for ddl in schema_files():
            con.execute(ddl.read_text())
        for label, target in BUILD_STEPS:
            ctx.progress(f"loading {label}")
            _run_step(target, con, ctx)
        write_meta(
            con,
            schema_version=schema_version(),
            kb_version=__version__,
            duckdb_version=duckdb.__version__,
            storage_version=STORAGE_VERSION,
            built_at=datetime.now(UTC).isoformat(timespec="seconds"),
        )
        mark_inputs(con, ctx.data_dir)
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
    return BuildReport(db=path, seconds=time.perf_counter() - started, counts=dict(ctx.counts))


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row counts of every base table in the store, for `kb info`."""
    names = [
        r[0]
        for r in con.execute(
            "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
            "ORDER BY table_name"
        ).fetchall()
    ]
    return {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchone()[0] for n in names}
