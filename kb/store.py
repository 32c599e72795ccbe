"""The DuckDB store: open it safely, run writes as transactions, check it matches this code.

The store is a build artifact: data/ (in git) plus the pinned upstream files are the source of
truth, and kb.build derives the database from them. This module opens it (read-only unless
asked), reads and writes its kb_meta row, checks its schema version and says whether it is
current with data/.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
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
REBUILD_HINT = "Rebuild it with `kb build`."

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


def inputs_fingerprint(data_dir: Path, pending: Mapping[str, bytes] | None = None) -> str:
    """A fingerprint of the source-of-truth files in data/ (not the store, caches, or the
    bookkeeping of kb.datafiles); `pending` (relative path -> bytes) stands in for files a
    batch is about to write."""
    contents: dict[str, bytes] = {}
    if data_dir.exists():
        for path in data_dir.rglob("*"):
            rel = path.relative_to(data_dir).as_posix()
            if (
                not path.is_file()
                or ".duckdb" in path.name
                or rel.startswith("cache/")
                or rel.split("/")[0] in datafiles.BOOKKEEPING
            ):
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
        row = con.execute(SQL_META_VALUE, ["schema_version"]).fetchone()
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
    except (KBError, duckdb.Error) as exc:
        return f"the store cannot be read ({exc})"
    if meta.get("schema_version") != schema_version():
        return "the store was built by another schema version"
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
