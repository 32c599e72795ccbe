"""Export the store as Parquet files that any engine can read, without kb.

`export_parquet(con, directory)` writes, into a new folder renamed into place when complete:
- one Parquet file per table (`<table>.parquet`); `task_labels` partitioned by rater
  (`task_labels/rater=<rater>/*.parquet`), so a new label set is a new folder;
- `views.sql`: every table as a view over its Parquet files, then the store's macros and views
  (each after the views it reads), so plain DuckDB run from the folder answers the store's SQL;
- `PROVENANCE.md`: the upstream files with their checksums, licences and citations, and the
  exposure sources; `SHA256SUMS` of every file written; `kb-export.json` (what and when).

A folder that is not empty and holds no earlier export (no `kb-export.json`) is never touched.
"""

from __future__ import annotations

import graphlib
import hashlib
import json
import os
import re
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from kb import __version__
from kb.errors import KBError

MANIFEST = "kb-export.json"
VIEWS_FILE = "views.sql"
PROVENANCE_FILE = "PROVENANCE.md"
CHECKSUMS_FILE = "SHA256SUMS"
# Tables written as hive-partitioned folders, by these columns (a label set per folder).
PARTITIONS: dict[str, tuple[str, ...]] = {"task_labels": ("rater",)}


@dataclass(frozen=True)
class ExportReport:
    directory: Path
    tables: dict[str, int]  # table -> rows
    views: list[str]
    macros: list[str]


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute(
        "SELECT table_name FROM duckdb_tables() "
        "WHERE database_name = current_database() AND schema_name = current_schema() "
        "AND NOT temporary AND NOT internal ORDER BY table_oid"
    ).fetchall()
    return [r[0] for r in rows]


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    rows = con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE database_name = current_database() "
        "AND schema_name = current_schema() AND table_name = ? ORDER BY column_index",
        [table],
    ).fetchall()
    return [r[0] for r in rows]


def _views(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str]]:
    """(name, CREATE VIEW statement), each after the views it reads."""
    rows = con.execute(
        "SELECT view_name, sql FROM duckdb_views() WHERE database_name = current_database() "
        "AND schema_name = current_schema() AND NOT internal AND NOT temporary ORDER BY view_name"
    ).fetchall()
    return [(name, text.rstrip().rstrip(";") + ";") for name, text in rows]


def _in_dependency_order(objects: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Views and table macros, each after every other one its SQL names (a view can call a
    table macro that reads other views; a false hit only adds an ordering)."""
    sql = dict(objects)
    needs = {
        name: {
            other for other in sql if other != name and re.search(rf"\b{re.escape(other)}\b", text)
        }
        for name, text in sql.items()
    }
    try:
        order = list(graphlib.TopologicalSorter(needs).static_order())
    except graphlib.CycleError as exc:
        raise KBError(f"The store's views refer to each other in a cycle: {exc.args[1]}") from exc
    return [(name, sql[name]) for name in order]


def _macros(con: duckdb.DuckDBPyConnection) -> list[tuple[str, str, bool]]:
    """(name, CREATE MACRO statement, whether it is a table macro)."""
    rows = con.execute(
        "SELECT function_name, function_type, parameters, macro_definition FROM duckdb_functions() "
        "WHERE database_name = current_database() AND schema_name = current_schema() "
        "AND function_type IN ('macro', 'table_macro') AND NOT internal ORDER BY function_oid"
    ).fetchall()
    out = []
    for name, kind, parameters, definition in rows:
        is_table = kind == "table_macro"
        params = ", ".join(parameters)
        table = "TABLE " if is_table else ""
        out.append(
            (name, f"CREATE MACRO {_quote(name)}({params}) AS {table}{definition};", is_table)
        )
    return out


def _table_view(table: str, columns: list[str]) -> str:
    """A view named like the table over its Parquet file(s), columns in the store's order."""
    listed = ", ".join(_quote(c) for c in columns)
    if table in PARTITIONS:
        keys = ", ".join(f"{_quote(c)}: 'VARCHAR'" for c in PARTITIONS[table])
        source = (
            f"read_parquet({_literal(f'{table}/*/*.parquet')}, hive_partitioning = true, "
            f"hive_types = {{{keys}}})"
        )
    else:
        source = f"read_parquet({_literal(f'{table}.parquet')})"
    # Names quoted by _quote, paths by _literal; the text goes into views.sql, it is not run here.
    return f"CREATE VIEW {_quote(table)} AS SELECT {listed} FROM {source};"  # noqa: S608


def _views_sql(
    tables: dict[str, list[str]],
    macros: list[tuple[str, str, bool]],
    views: list[tuple[str, str]],
) -> str:
    # Scalar macros first (views call them); table macros read views, so they are ordered
    # together with the views.
    scalar = [sql for _, sql, is_table in macros if not is_table]
    table_macros = [(name, sql) for name, sql, is_table in macros if is_table]
    parts = [
        "-- kb's tables and views over the exported Parquet files, for DuckDB (no kb needed).",
        "-- Run from this folder (paths are relative):  duckdb -c '.read views.sql' ...",
        "-- or from elsewhere after  SET file_search_path = '<this folder>';",
        "",
        "-- Tables: one view per table over its Parquet file(s).",
        *(_table_view(t, cols) for t, cols in tables.items()),
        "",
        "-- Macros, then the store's views, each after the views and macros it reads.",
        *scalar,
        *(sql for _, sql in _in_dependency_order(views + table_macros)),
        "",
    ]
    return "\n".join(parts)


def _cell(value: object) -> str:
    return "" if value is None else str(value).replace("|", "\\|").replace("\n", " ")


def _markdown_table(header: list[str], rows: list[tuple[object, ...]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in rows]
    return lines


def _provenance(con: duckdb.DuckDBPyConnection, tables: list[str]) -> str:
    lines = [
        "# Provenance and licences",
        "",
        f"Exported by kb {__version__} on {datetime.now(UTC).date().isoformat()}. "
        "Each figure derived from these files inherits the terms of the sources below: cite "
        "them and keep their licences with any copy.",
        "",
    ]
    if "upstream_files" in tables:
        rows = con.execute(
            "SELECT dataset, file, url, sha256, bytes, licence, citation FROM upstream_files "
            "ORDER BY dataset, file"
        ).fetchall()
        lines += ["## Upstream files read by the build", ""]
        lines += _markdown_table(
            ["dataset", "file", "url", "sha256", "bytes", "licence", "citation"], rows
        )
        lines.append("")
    if "exposure_sources" in tables:
        rows = con.execute(
            "SELECT source_id, kind, producer, date, citation, url, licence FROM exposure_sources "
            "ORDER BY source_id"
        ).fetchall()
        lines += ["## Exposure sources (label sets and usage measures)", ""]
        lines += _markdown_table(
            ["source", "kind", "producer", "date", "citation", "url", "licence"], rows
        )
        lines.append("")
    wanted = [
        "source",
        "source_table",
        "file",
        "sha256",
        "snapshot_date",
        "licence",
        "upstream_url",
    ]
    if "snapshots" in tables and set(wanted) <= set(_columns(con, "snapshots")):
        # Living sources (Epoch, models.dev): each file taken in, with its checksum and date.
        rows = con.execute(
            "SELECT source, source_table, file, sha256, snapshot_date, licence, upstream_url "
            "FROM snapshots ORDER BY source, source_table, snapshot_date"
        ).fetchall()
        lines += ["## Snapshots of living sources", ""]
        lines += _markdown_table(wanted, rows)
        lines.append("")
    lines += [
        "## Curated records",
        "",
        "Release records (tables `releases`, `facts`, `sources` and the relations) are kb's "
        "curated data; each fact carries its source in `sources` / `release_sources`.",
        "",
    ]
    return "\n".join(lines)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _check_target(target: Path) -> None:
    if target.exists() and not target.is_dir():
        raise KBError(f"{target} is a file, not a folder.", "Choose a folder for the export.")
    if target.is_dir() and any(target.iterdir()) and not (target / MANIFEST).is_file():
        raise KBError(
            f"{target} is not empty and holds no kb export ({MANIFEST} is missing); "
            "nothing was written.",
            "Choose an empty or new folder; an earlier kb export there is replaced.",
        )


def export_parquet(
    con: duckdb.DuckDBPyConnection, directory: str | os.PathLike[str]
) -> ExportReport:
    """Write every table as Parquet, the views' SQL, provenance and checksums into `directory`.

    Written into a temporary folder beside it and renamed into place when complete; an earlier
    kb export in `directory` is replaced, any other non-empty folder refused.
    """
    target = Path(directory).resolve()
    _check_target(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        names = _tables(con)
        columns = {t: _columns(con, t) for t in names}
        counts: dict[str, int] = {}
        for table in names:
            relation = con.table(_quote(table))
            if table in PARTITIONS:
                relation.write_parquet(str(tmp / table), partition_by=list(PARTITIONS[table]))
            else:
                relation.write_parquet(str(tmp / f"{table}.parquet"))
            # fetchall, not fetchone: duckdb 2 refuses new work while a result is unfinished
            counts[table] = int(relation.aggregate("count(*)").fetchall()[0][0])
        macros, views = _macros(con), _views(con)
        (tmp / VIEWS_FILE).write_text(_views_sql(columns, macros, views))
        (tmp / PROVENANCE_FILE).write_text(_provenance(con, names))
        manifest = {
            "kb_version": __version__,
            "duckdb_version": duckdb.__version__,
            "exported_at": datetime.now(UTC).isoformat(timespec="seconds"),
            "tables": counts,
            "partitioned_by": {t: list(c) for t, c in PARTITIONS.items() if t in counts},
            "macros": [name for name, _, _ in macros],
            "views": [name for name, _ in views],
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n")
        files = sorted(p for p in tmp.rglob("*") if p.is_file())
        (tmp / CHECKSUMS_FILE).write_text(
            "".join(f"{_sha256(p)}  {p.relative_to(tmp).as_posix()}\n" for p in files)
        )
        _replace(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return ExportReport(target, counts, [n for n, _ in views], [n for n, _, _ in macros])


def _replace(tmp: Path, target: Path) -> None:
    """Rename the finished export into place; an earlier export is moved aside, then removed."""
    if target.exists():
        _check_target(target)  # it may have changed while we wrote
        old = target.with_name(f".{target.name}.old-{os.getpid()}")
        os.replace(target, old)
        os.replace(tmp, target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, target)
