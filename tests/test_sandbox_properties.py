"""Property tests for the SQL box (kb.sandbox): whatever text comes in, the answer is a result or
a clean KBError, never another exception or a file; and values of every DuckDB type, alone or
nested, come back through every output format with their values intact."""

from __future__ import annotations

import csv
import io
import json
import math
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest
from conftest import REPO, Workspace
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kb import sandbox
from kb.errors import KBError

# In this process (fast) with tight bounds: the code under test is the child's code.
LIMITS = sandbox.Limits(timeout=2.0, max_rows=50, max_bytes=2**20, memory_mb=256, isolated=False)
# Hypothesis's default number of examples. Each opens the store (50-75 ms of CPU); 200 per
# test cost make test about 18 CPU seconds more.
EXAMPLES = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
SERVER_PATHS = [str(Path.home()), str(REPO), "/tmp", "/work"]

# Words a hostile or careless user types, to reach past the parser more often than random text.
TOKENS = [
    "SELECT",
    "FROM",
    "WHERE",
    "AS",
    "*",
    ",",
    "(",
    ")",
    ";",
    "--",
    "/*",
    "*/",
    "'",
    '"',
    "1",
    "-1",
    "1e309",
    "'x'",
    "NULL",
    "timeline",
    "kb_meta",
    "releases",
    "range(5)",
    "t(i)",
    "i",
    "UNION ALL",
    "ORDER BY",
    "LIMIT",
    "GROUP BY",
    "count(*)",
    "::",
    "HUGEINT",
    "BLOB",
    "UUID",
    "INTERVAL",
    "TIME",
    "DECIMAL(38, 10)",
    "[1, 2]",
    "{'a': 1}",
    "MAP {1: 2}",
    "COPY",
    "TO",
    "'/tmp/x.csv'",
    "EXPORT DATABASE",
    "ATTACH",
    "INSTALL",
    "LOAD",
    "httpfs",
    "SET",
    "RESET",
    "PRAGMA",
    "CALL",
    "memory_limit",
    "=",
    "'1TB'",
    "CREATE",
    "TEMP",
    "TABLE",
    "VIEW",
    "MACRO",
    "DROP",
    "INSERT INTO",
    "VALUES",
    "DESCRIBE",
    "SHOW",
    "TABLES",
    "EXPLAIN",
    "SUMMARIZE",
    "repeat('x', 100)",
    "read_text",
    "glob('*')",
    "getenv('HOME')",
    "current_setting",
    "duckdb_settings()",
    "WITH RECURSIVE",
    "r(i)",
    "i + 1",
    "\x00",
    "é",
    "\n",
]
sql_like = st.lists(st.sampled_from(TOKENS), min_size=1, max_size=25).map(" ".join)


def _run(sql: str, db: Path) -> sandbox.QueryResult | KBError:
    try:
        return sandbox.run(sql, db, LIMITS)
    except KBError as exc:  # anything else fails the test
        return exc


def _check_clean(outcome: sandbox.QueryResult | KBError, db: Path) -> None:
    if isinstance(outcome, KBError):
        text = str(outcome)
        assert outcome.message and "Traceback" not in text
        assert str(db.parent) not in text and str(Path.home()) + "/" not in text
        return
    for fmt in sandbox.FORMATS:
        assert isinstance(sandbox.render(outcome, fmt), str)
    pa.Table.from_pandas(outcome.frame)


@pytest.mark.xdist_group("sandbox-store-folder")  # one worker, file order (make test)
@EXAMPLES
@given(sql=st.text(max_size=300))
def test_any_text_gives_a_result_or_a_clean_error(built: Workspace, sql: str) -> None:
    _check_clean(_run(sql, built.db), built.db)


@pytest.mark.xdist_group("sandbox-store-folder")  # one worker, file order (make test)
@EXAMPLES
@given(sql=sql_like)
def test_sql_like_text_gives_a_result_or_a_clean_error(built: Workspace, sql: str) -> None:
    _check_clean(_run(sql, built.db), built.db)


@pytest.mark.xdist_group("sandbox-store-folder")  # one worker, file order (make test)
def test_the_store_folder_gains_no_file(built: Workspace) -> None:
    """Run after the two properties above (same module, file order): nothing was written."""
    assert sorted(p.name for p in built.db.parent.iterdir()) == ["data", "kb.duckdb"]


# ------------------------------------------------------------------------ typed round trips

# A value strategy gives (SQL literal, the value as it must come back in JSON).
Literal = tuple[str, Any]


def _quoted(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _text_ok(text: str) -> bool:
    return not any(path in text for path in SERVER_PATHS)


scalars: dict[str, st.SearchStrategy[Literal]] = {
    "bool": st.booleans().map(lambda b: (str(b).upper(), b)),
    "bigint": st.integers(-(2**63) + 1, 2**63 - 1).map(lambda n: (f"{n}::BIGINT", n)),
    "hugeint": st.integers(-(2**127) + 1, 2**127 - 1).map(lambda n: (f"'{n}'::HUGEINT", n)),
    "double": st.floats().map(lambda x: (f"'{x!r}'::DOUBLE", x if math.isfinite(x) else None)),
    "decimal": st.decimals(
        min_value=Decimal("-1e14"), max_value=Decimal("1e14"), places=3, allow_nan=False
    ).map(lambda d: (f"'{d}'::DECIMAL(18, 3)", float(d))),
    "text": st.text(alphabet=st.characters(blacklist_characters="\x00"), max_size=40)
    .filter(_text_ok)
    .map(lambda s: (_quoted(s), s)),
    "blob": st.binary(max_size=40).map(lambda b: (f"from_hex('{b.hex()}')", sandbox.blob_text(b))),
    "date": st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(
        lambda d: (f"DATE '{d.isoformat()}'", d.isoformat())
    ),
    "time": st.times().map(lambda t: (f"TIME '{t.isoformat()}'", t.isoformat())),
    "interval": st.integers(0, 10**12).map(
        lambda us: (f"to_microseconds({us})", str(timedelta(microseconds=us)))
    ),
    "uuid": st.uuids().map(lambda u: (f"'{u}'::UUID", str(u))),
    "null": st.just(("NULL", None)),
}


def _list_of(kind: str) -> st.SearchStrategy[Literal]:
    # A NULL-typed list cannot be built from NULLs alone without a type; keep one kind per list.
    return st.lists(scalars[kind], max_size=4).map(
        lambda items: (
            f"[{', '.join(sql for sql, _ in items)}]" if items else "[]",
            [value for _, value in items],
        )
    )


def _struct(items: list[Literal]) -> Literal:
    fields = {f"f{i}": item for i, item in enumerate(items)}
    sql = "{" + ", ".join(f"'{k}': {s}" for k, (s, _) in fields.items()) + "}"
    return sql, {k: v for k, (_, v) in fields.items()}


def _map(keys: list[int], kind_values: list[Literal]) -> Literal:
    pairs = list(zip(dict.fromkeys(keys), kind_values, strict=False))
    if not pairs:
        return "MAP {1: 1}", {"1": 1}
    sql = "MAP {" + ", ".join(f"{k}: {s}" for k, (s, _) in pairs) + "}"
    return sql, {str(k): v for k, (_, v) in pairs}


non_null = [kind for kind in scalars if kind != "null"]
nested: st.SearchStrategy[Literal] = st.one_of(
    st.sampled_from(non_null).flatmap(_list_of),
    st.lists(st.one_of(*scalars.values()), min_size=1, max_size=4).map(_struct),
    st.sampled_from(non_null).flatmap(
        lambda kind: st.builds(
            _map, st.lists(st.integers(-5, 5), max_size=3), st.lists(scalars[kind], max_size=3)
        )
    ),
)
values = st.one_of(*scalars.values(), nested)
names: st.SearchStrategy[str] = st.one_of(
    st.sampled_from(["a", "a", "value", "=formula", "-x", "@y", "select"]),
    st.text(alphabet="abcxyz_ =+-@", min_size=1, max_size=6),
)


def _select(columns: list[tuple[str, Literal]]) -> str:
    parts = [f'{sql} AS "{name.replace(chr(34), chr(34) * 2)}"' for name, (sql, _) in columns]
    return "SELECT " + ", ".join(parts)


def _round_trip(result: sandbox.QueryResult, columns: list[tuple[str, Literal]]) -> None:
    assert len(result.columns) == len(columns) == len(set(result.columns))
    records = json.loads(sandbox.render(result, "json"))
    assert records == [
        {key: value for key, (_, (_, value)) in zip(result.columns, columns, strict=True)}
    ]
    rows = list(csv.reader(io.StringIO(sandbox.render(result, "csv"), newline="")))
    assert len(rows) == 2 and all(len(r) == len(columns) for r in rows)
    for cell in rows[0] + rows[1]:  # every cell is safe to open in a spreadsheet
        assert not cell.startswith(sandbox.FORMULA_PREFIXES) or sandbox._PLAIN_NUMBER.fullmatch(
            cell
        )
    assert isinstance(sandbox.render(result, "table"), str)
    pa.Table.from_pandas(result.frame)


@EXAMPLES
@given(columns=st.lists(st.tuples(names, values), min_size=1, max_size=6))
def test_values_of_every_type_round_trip(
    built: Workspace, columns: list[tuple[str, Literal]]
) -> None:
    _round_trip(sandbox.run(_select(columns), built.db, LIMITS), columns)


# A child process per example (~2 s each): a handful proves the reply carries every type; the
# in-process property above covers the value space.
@settings(max_examples=4, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(columns=st.lists(st.tuples(names, values), min_size=1, max_size=6))
def test_values_round_trip_through_the_child(
    built: Workspace, columns: list[tuple[str, Literal]]
) -> None:
    """The child's reply (a pickle read by a restricted reader) carries every type."""
    _round_trip(sandbox.run(_select(columns), built.db, sandbox.Limits(timeout=30)), columns)
