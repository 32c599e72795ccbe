"""The DuckDB store: open it safely, run writes as transactions, check it matches this code.

The store is a build artifact: data/ (in git) plus the pinned upstream files are the source of
truth, and kb.build derives the database from them. This module opens it (read-only unless
asked), reads and writes its kb_meta row, checks its schema version and says whether it is
current with data/.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import re
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any, Final

import duckdb

from kb import config, datafiles
from kb.errors import KBError, StoreError

SCHEMA_DIR = Path(__file__).parent / "schema"

# The DuckDB CLI on PyPI (duckdb-cli 1.5.x) cannot read files written in duckdb 2.0's default
# storage format, so the store is always written in this older, widely readable one.
STORAGE_VERSION = "v1.5.0"

LOCK_HINT = (
    "Another process holds the store open for writing (a running `kb ingest` or `kb build`?). "
    "Wait for it to finish and try again."
)
READER_HINT = (
    "Close that program (a `duckdb -readonly` session, a notebook, a dashboard stuck in a long "
    "query) and try again; readers do not block each other, only writers."
)
REBUILD_HINT = "Rebuild it with `kb build`."
# DuckDB names the process holding a conflicting lock: '... is held in /usr/bin/duckdb (PID 42)'.
_HOLDER = re.compile(r"held in (?P<program>.+?) \(PID (?P<pid>\d+)\)")
# The objects every schema file creates (their names), so a store missing one is refused.
_CREATED = re.compile(
    r"CREATE\s+(?:OR\s+REPLACE\s+)?(?:TEMP\s+|TEMPORARY\s+)?(TABLE|VIEW|MACRO)\s+"
    r"(?:IF\s+NOT\s+EXISTS\s+)?\"?([A-Za-z_][A-Za-z0-9_]*)",
    re.IGNORECASE,
)
SQL_OBJECTS: Final = (
    "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
    "UNION ALL SELECT view_name FROM duckdb_views() "
    "WHERE database_name = current_database() AND NOT internal "
    "UNION ALL SELECT function_name FROM duckdb_functions() "
    "WHERE database_name = current_database() AND function_type IN ('macro', 'table_macro')"
)

SQL_META: Final = "SELECT key, value FROM kb_meta ORDER BY key"
SQL_META_VALUE: Final = "SELECT value FROM kb_meta WHERE key = ?"
SQL_WRITE_META: Final = (
    "INSERT INTO kb_meta (key, value) VALUES (?, ?) "
    "ON CONFLICT (key) DO UPDATE SET value = excluded.value"
)
SQL_TABLES: Final = (
    "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database() "
    "ORDER BY table_name"
)


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


@functools.cache
def expected_objects() -> frozenset[str]:
    """The names of the tables, views and macros the schema files create."""
    names: set[str] = set()
    for path in schema_files():
        names.update(m.group(2).lower() for m in _CREATED.finditer(path.read_text()))
    return frozenset(names)


def is_input(relative: str) -> bool:
    """Whether a path inside data/ (POSIX, relative) is a source-of-truth file: not the store or
    anything DuckDB keeps beside it (WAL, temp folder, a build's temp file), not the download
    cache, not kb.datafiles' lock file or staging folder."""
    top = relative.split("/", 1)[0]
    return ".duckdb" not in top and top != "cache" and top not in datafiles.BOOKKEEPING


def inputs_fingerprint(data_dir: Path, pending: Mapping[str, bytes] | None = None) -> str:
    """A fingerprint of the source-of-truth files in data/ (see is_input); `pending`
    (relative path -> bytes) stands in for files a batch is about to write."""
    contents: dict[str, bytes] = {}
    if data_dir.exists():
        for path in data_dir.rglob("*"):
            rel = path.relative_to(data_dir).as_posix()
            if not is_input(rel) or not path.is_file():
                continue
            contents[rel] = hashlib.sha256(path.read_bytes()).digest()
    for rel, data in (pending or {}).items():
        contents[rel] = hashlib.sha256(data).digest()
    digest = hashlib.sha256()
    for rel in sorted(contents):
        digest.update(rel.encode())
        digest.update(contents[rel])
    return digest.hexdigest()[:16]


def _is_lock_error(exc: Exception) -> bool:
    text = str(exc)
    return "lock" in text.lower() and ("Conflicting" in text or "Could not set lock" in text)


def _held_by_reader(path: Path, exc: Exception) -> bool:
    """After a failed write open: whether only readers hold the store. DuckDB says so in its
    message; else a read-only open decides (it fails while a writer holds the file)."""
    if "read-only mode" in str(exc):
        return True
    try:
        duckdb.connect(str(path), read_only=True).close()
    except duckdb.Error:
        return False
    return True


def lock_error(path: Path, exc: Exception, read_only: bool) -> StoreError:
    """What the lock conflict really is: a reader keeping a writer out, or a writer at work."""
    found = _HOLDER.search(str(exc))
    holder = f" (PID {found['pid']}, {found['program']})" if found else ""
    if not read_only and _held_by_reader(path, exc):
        return StoreError(
            f"The store {path} is open for reading in another program{holder}, "
            "so kb cannot write to it.",
            READER_HINT,
        )
    return StoreError(
        f"The store {path} is locked: another process{holder} is writing to it.", LOCK_HINT
    )


def open_error(path: Path, exc: Exception, read_only: bool) -> StoreError:
    """A store that cannot be opened: say whether the file system, permissions or the file
    itself is at fault, with the hint that fits (a rebuild only for a damaged file)."""
    text = str(exc)
    if "Read-only file system" in text:
        return StoreError(
            f"Cannot write the store {path}: it is on a read-only file system.",
            "Pass --db (or set KB_DB) to a store on a writable disk; "
            "queries and the dashboard can still read this one.",
        )
    if "Permission denied" in text:
        mode, able = ("read", "readable") if read_only else ("write", "writable")
        return StoreError(
            f"No permission to {mode} the store {path} (or its folder).",
            f"Make it {able} for this user, or pass --db a store you can {mode}.",
        )
    if "No space left" in text:
        return StoreError(
            f"Cannot open the store {path}: the disk is full.",
            "Free some space and try again; nothing was changed.",
        )
    return StoreError(f"Cannot open the store {path}: {exc}", REBUILD_HINT)


@contextlib.contextmanager
def connect(
    db: str | os.PathLike[str] | None = None,
    *,
    read_only: bool = True,
    check_schema: bool = True,
    retry_seconds: float = 3.0,
    config_options: dict[str, str | bool | int | float | list[str]] | None = None,
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
                raise lock_error(path, exc, read_only) from exc
            raise open_error(path, exc, read_only) from exc
    try:
        if check_schema:
            check_schema_version(con, path)
        try:
            yield con
        except duckdb.Error as exc:
            # A store with the right version stamp but missing objects: say rebuild, not
            # "Table ... does not exist" (or, from Python, a variable found under a missing
            # table's name). Any other failure, such as a query naming a wrong table, keeps its
            # own error. The catalog is read only here, on the way out of a failure.
            missing = missing_objects(con) if check_schema else []
            if missing:
                raise incomplete_error(path, missing) from exc
            raise
    finally:
        con.close()


def check_schema_version(con: duckdb.DuckDBPyConnection, path: Path | str = "the store") -> None:
    try:
        row = con.execute(SQL_META_VALUE, ["schema_version"]).fetchone()
    except duckdb.Error as exc:
        raise StoreError(f"{path} is not a kb store (no kb_meta table).", REBUILD_HINT) from exc
    found = row[0] if row else None
    if found != schema_version():
        raise StoreError(
            f"{path} was built with schema version {found}, this kb expects {schema_version()}.",
            REBUILD_HINT,
        )


def missing_objects(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The schema's tables, views and macros the store lacks (a damaged or hand-made file).
    Reading the catalog takes about 100 ms, so connect() asks only once a query fails on it."""
    present = {r[0].lower() for r in con.execute(SQL_OBJECTS).fetchall()}
    return sorted(expected_objects() - present)


def incomplete_error(path: Path | str, missing: list[str]) -> StoreError:
    shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5:,} more" if len(missing) > 5 else "")
    return StoreError(f"{path} is incomplete: it has no {shown}.", REBUILD_HINT)


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """BEGIN ... COMMIT, or ROLLBACK on any error: a multi-statement write is all or nothing."""
    con.execute("BEGIN TRANSACTION")
    try:
        yield con
    except BaseException:
        with contextlib.suppress(duckdb.Error):  # a failed COMMIT has already rolled back
            con.execute("ROLLBACK")
        raise
    try:
        con.execute("COMMIT")
    except duckdb.Error as exc:
        with contextlib.suppress(duckdb.Error):
            con.execute("ROLLBACK")
        raise commit_error(exc) from exc


def commit_error(exc: Exception) -> StoreError:
    """A write to the store failed at its commit (a full disk, an I/O error): nothing of the
    transaction is in the store, which then says it needs `kb build` if data/ moved on."""
    text = str(exc)
    if "No space left" in text:
        what = "the disk is full"
        hint = "Free some space, then run `kb build` to bring the store up to date with data/."
    elif "Read-only file system" in text:
        what = "the file system is read-only"
        hint = "Pass --db (or set KB_DB) to a store on a writable disk."
    else:
        what = str(exc)
        hint = "Run `kb build` to bring the store up to date with data/."
    return StoreError(f"The store was not changed: the write failed ({what}).", hint)


def first_row(
    con: duckdb.DuckDBPyConnection, sql: str, params: list[object] | None = None
) -> tuple[Any, ...] | None:
    """The first row or None, reading the whole result: duckdb 2 keeps a half-read result open,
    and a later con.register() on the same connection then fails."""
    rows = con.execute(sql, params or []).fetchall()
    return rows[0] if rows else None


def read_meta(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    return dict(con.execute(SQL_META).fetchall())


def write_meta(con: duckdb.DuckDBPyConnection, **values: str) -> None:
    for key, value in values.items():
        con.execute(SQL_WRITE_META, [key, str(value)])


def mark_inputs(con: duckdb.DuckDBPyConnection, fingerprint: str) -> None:
    """Record that the store reflects data/ with this inputs fingerprint (after a build)."""
    write_meta(con, inputs_fingerprint=fingerprint)


def mark_ingested(
    con: duckdb.DuckDBPyConnection, data_dir: Path, pending: Mapping[str, bytes]
) -> None:
    """After an ingest: the store is current with data/ plus the batch's files, but only if it
    was current before (an unbuilt hand edit in data/ must keep the store marked stale)."""
    meta = read_meta(con)
    if meta.get("inputs_fingerprint") == inputs_fingerprint(data_dir):
        mark_inputs(con, inputs_fingerprint(data_dir, pending))


def status(db: str | os.PathLike[str] | None = None, data_dir: Path | None = None) -> str | None:
    """None when the store is present and current; otherwise why it needs `kb build`."""
    path = config.db_path(db)
    if not path.exists():
        return f"there is no store at {path}"
    try:
        with connect(path, check_schema=False) as con:
            meta = read_meta(con)
            current_schema = meta.get("schema_version") == schema_version()
            missing = missing_objects(con) if current_schema else []
    except (KBError, duckdb.Error) as exc:
        return f"the store cannot be read ({exc})"
    if not current_schema:
        return "the store was built by another schema version"
    if missing:
        return incomplete_error(path, missing).message
    folder = config.data_dir(data_dir)
    datafiles.recover(folder)
    if meta.get("inputs_fingerprint") != inputs_fingerprint(folder):
        return "files in data/ changed since the store was built"
    return None


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Row counts of every base table in the store, for `kb info`."""
    names = [r[0] for r in con.execute(SQL_TABLES).fetchall()]
    # Table names come from the catalog, not from a user, so they may be quoted into the SQL.
    return {n: con.execute(f'SELECT count(*) FROM "{n}"').fetchall()[0][0] for n in names}  # noqa: S608
