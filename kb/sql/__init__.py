"""The one home for reading kb/sql/*.sql: every query longer than a line or two lives there.

Each file starts with a comment saying what one row of its result is. A file may include
another with `{sql:name}` (e.g. `WITH units AS ({sql:units})`), and may name a relation or column
with `{key}`, filled by the caller from code (never from user input: values go in as `$name`
parameters).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from pathlib import Path

import duckdb

SQL_DIR = Path(__file__).parent
_INCLUDE = re.compile(r"\{sql:([a-z_0-9]+)\}")
_PARAMETER = re.compile(r"\$([a-z_][a-z_0-9]*)")


@functools.cache
def _file(name: str) -> str:
    text = (SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")
    text = text if text.endswith("\n") else text + "\n"
    return _INCLUDE.sub(lambda m: _file(m.group(1)), text)


@functools.cache
def _text(name: str, names: tuple[tuple[str, str], ...]) -> str:
    text = _file(name)
    for key, value in names:
        text = text.replace("{" + key + "}", value)
    return text


def text(name: str, **names: str) -> str:
    """kb/sql/<name>.sql with its includes expanded and each `{key}` replaced by names[key]."""
    return _text(name, tuple(sorted(names.items())))


def execute(
    con: duckdb.DuckDBPyConnection,
    name: str,
    params: Mapping[str, object] | None = None,
    **names: str,
) -> duckdb.DuckDBPyConnection:
    """Run kb/sql/<name>.sql with the `$name` parameters it uses (DuckDB refuses extra ones)."""
    query = text(name, **names)
    code = "\n".join(line.split("--", 1)[0] for line in query.splitlines())  # not comments
    used = set(_PARAMETER.findall(code))
    return con.execute(query, {k: v for k, v in (params or {}).items() if k in used})
