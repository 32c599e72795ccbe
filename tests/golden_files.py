"""Golden files: the store's schema and the JSON of the main commands as reviewable text.

tests/test_golden.py compares the current behaviour with tests/golden/; `make golden` (or
`KB_UPDATE_GOLDEN=1`) rewrites them, so that a change shows up as a `git diff tests/golden`.
Run as a script to write them from an existing store:
`python tests/golden_files.py schema STORE` prints the schema dump."""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path
from typing import Any

import duckdb

GOLDEN = Path(__file__).resolve().parent / "golden"
UPDATE_ENV = "KB_UPDATE_GOLDEN"

# Keys whose values change from run to run or machine to machine, not with behaviour.
VOLATILE_KEYS = frozenset(
    {
        "store",  # the store's path
        "built_at",
        "duckdb_version",
        "kb_version",
        "schema_version",  # a hash of the DDL: the schema golden shows the change itself
        "inputs_fingerprint",  # a hash of every input file
        "elapsed",
        "seconds",
        "duration",
    }
)
ABSOLUTE_PATH = re.compile(r"(?<![\w:/])/(?:tmp|work|home|root|var)/\S+")
SIGNIFICANT_DIGITS = 12  # floats summed in another order may differ in the last bits


def updating() -> bool:
    return os.environ.get(UPDATE_ENV, "") not in ("", "0")


def schema_dump(db: Path) -> str:
    """Every table and view of the store with its columns and types, one object per block."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        objects = con.execute(
            "SELECT 'table' AS kind, table_name AS name FROM duckdb_tables() "
            "WHERE database_name = current_database() AND NOT internal "
            "UNION ALL SELECT 'view', view_name FROM duckdb_views() "
            "WHERE database_name = current_database() AND NOT internal "
            "ORDER BY name, kind"
        ).fetchall()
        blocks = []
        for kind, name in objects:
            columns = con.execute(
                "SELECT column_name, data_type, is_nullable FROM duckdb_columns() "
                "WHERE database_name = current_database() AND table_name = ? "
                "ORDER BY column_index",
                [name],
            ).fetchall()
            width = max((len(c[0]) for c in columns), default=0)
            lines = [f"{kind} {name}"]
            for column, data_type, nullable in columns:
                constraint = "" if nullable else "  NOT NULL"
                lines.append(f"  {column.ljust(width)}  {data_type}{constraint}".rstrip())
            blocks.append("\n".join(lines))
        return "\n\n".join(blocks) + "\n"
    finally:
        con.close()


def normalise(value: Any) -> Any:
    """The JSON without timestamps, versions, paths and float noise."""
    if isinstance(value, dict):
        return {k: normalise(v) for k, v in value.items() if k not in VOLATILE_KEYS}
    if isinstance(value, list):
        return [normalise(v) for v in value]
    if isinstance(value, float):
        return float(f"{value:.{SIGNIFICANT_DIGITS}g}")
    if isinstance(value, str):
        return ABSOLUTE_PATH.sub("<path>", value)
    return value


def json_text(output: str) -> str:
    """A command's JSON output as normalised, stable text."""
    return json.dumps(normalise(json.loads(output)), indent=2, ensure_ascii=False) + "\n"


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "schema":
        sys.stdout.write(schema_dump(Path(sys.argv[2])))
    elif len(sys.argv) == 3 and sys.argv[1] == "json":
        sys.stdout.write(json_text(Path(sys.argv[2]).read_text()))
    else:
        sys.exit("usage: golden_files.py schema STORE | golden_files.py json FILE")
