"""Untrusted SQL (the dashboard's SQL page, `kb query`): read-only, sandboxed, bounded.

One statement runs on a read-only connection whose configuration is locked after setup:
no file access (COPY, EXPORT, ATTACH, file readers), no extensions, no temp directory (DuckDB's
default `<store>.tmp` would be a writable folder next to the store), no Python replacement scans,
a memory limit and a thread count. The SQL's length is capped before DuckDB parses it, and the
result is streamed and cut at a row cap and a byte cap.

By default the statement runs in a child process (`python -m kb.sandbox`) with an address-space
limit and is killed at its deadline: some DuckDB functions (`repeat('x', 2000000000)`) allocate
outside DuckDB's memory accounting and do not look at interrupts, and the planner cannot be
interrupted at all, so only a separate process can be bounded for certain. `Limits(isolated=False)`
runs in this process instead (faster; used by the property tests, which exercise the same code).

Everything a caller shows comes from here: the result (`QueryResult`), its table, CSV (formula
cells neutralised) and JSON forms, and error texts with server paths scrubbed.
"""

from __future__ import annotations

import contextlib
import io
import json
import math
import os
import pickle
import re
import select
import subprocess
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

import duckdb

from kb import config, defaults, store
from kb.errors import KBError, QueryError

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_TIMEOUT_SECONDS = defaults.SANDBOX_TIMEOUT_SECONDS
DEFAULT_MAX_ROWS = defaults.SANDBOX_MAX_ROWS
MAX_ROWS_LIMIT = defaults.SANDBOX_MAX_ROWS_LIMIT
DEFAULT_MAX_BYTES = 32 * 2**20  # result size held in Python (an estimate of the values' sizes)
DEFAULT_MAX_SQL_CHARS = 100_000  # a 20,000-way UNION ALL (400 KB) exhausts GBs in the planner
DEFAULT_MEMORY_MB = 1024
DEFAULT_THREADS = 2
# Address space the child needs beyond DuckDB's memory_limit: Python, DuckDB's code and thread
# stacks, and the fetched rows (bounded by max_bytes).
PROCESS_OVERHEAD_MB = 1024
# Starting Python and importing DuckDB in the child takes seconds on a busy machine, so the time
# limit counts from the child's READY byte; the child interrupts itself at the limit and the
# parent kills it KILL_GRACE_SECONDS later (some DuckDB functions never look at interrupts).
STARTUP_SECONDS = 60.0
KILL_GRACE_SECONDS = 1.0
READY = b"R"

Format = defaults.SandboxFormat
FORMATS: tuple[Format, ...] = defaults.SANDBOX_FORMATS

# Spreadsheets run a cell starting with one of these as a formula (OWASP, "CSV injection").
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_INT64 = (-(2**63), 2**63 - 1)

TIME_HINT = "Narrow it down (a WHERE clause, a LIMIT) and run it again."
CHECK_HINT = "Check the SQL; `SHOW TABLES` lists what you can query."
ONE_STATEMENT_HINT = "Run one statement at a time, e.g. SELECT * FROM timeline LIMIT 10."


@dataclass(frozen=True)
class Limits:
    """The bounds of one sandboxed query. Every field must be positive (timeout finite)."""

    timeout: float = DEFAULT_TIMEOUT_SECONDS
    max_rows: int = DEFAULT_MAX_ROWS
    max_bytes: int = DEFAULT_MAX_BYTES
    max_sql_chars: int = DEFAULT_MAX_SQL_CHARS
    memory_mb: int = DEFAULT_MEMORY_MB
    threads: int = DEFAULT_THREADS
    isolated: bool = True

    def check(self) -> None:
        """Refuse limits that would not bound anything (0, negative, NaN, infinite)."""
        if isinstance(self.timeout, bool) or not isinstance(self.timeout, (int, float)):
            raise QueryError(f"The time limit {self.timeout!r} is not a number of seconds.")
        if not (math.isfinite(self.timeout) and self.timeout > 0):
            raise QueryError(
                f"The time limit must be a positive, finite number of seconds, not {self.timeout}.",
                f"Pass e.g. --timeout {DEFAULT_TIMEOUT_SECONDS:g}.",
            )
        if not 1 <= self.max_rows <= MAX_ROWS_LIMIT:
            raise QueryError(f"The row cap must be between 1 and {MAX_ROWS_LIMIT:,}.")
        for name in ("max_bytes", "max_sql_chars", "memory_mb", "threads"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                raise QueryError(f"The sandbox limit {name} must be a positive integer.")


def sandbox_config(limits: Limits) -> dict[str, str | bool | int | float | list[str]]:
    """DuckDB settings for untrusted SQL; lock_configuration keeps the SQL from undoing them."""
    return {
        "enable_external_access": False,  # no COPY/EXPORT/ATTACH targets, file readers, INSTALL
        "autoinstall_known_extensions": False,
        "autoload_known_extensions": False,
        "allow_community_extensions": False,
        "allow_persistent_secrets": False,
        "python_enable_replacements": False,  # SQL must not read the caller's Python variables
        "temp_directory": "",  # no spill folder: the default is <store>.tmp, inside data/
        "max_temp_directory_size": "0B",
        "memory_limit": f"{limits.memory_mb}MB",
        "threads": limits.threads,
        "lock_configuration": True,
    }


# A value in a result row: what DuckDB's Python values become (see _plain).
Plain = None | bool | int | float | str | date | time | list[Any] | dict[str, Any]


@dataclass(frozen=True)
class QueryResult:
    """One statement's result: unique column names, DuckDB type names, plain rows, and a note
    when the rows were cut at the row or byte cap."""

    columns: tuple[str, ...] = ()
    types: tuple[str, ...] = ()
    rows: tuple[tuple[Plain, ...], ...] = ()
    truncated: str | None = None
    returns_table: bool = field(default=True)

    @property
    def frame(self) -> pd.DataFrame:
        """The rows for display: nested values as compact JSON text, integers beyond 64 bits as
        text (so every column converts to Arrow and prints)."""
        import pandas as pd

        cells = [tuple(_display_cell(v) for v in row) for row in self.rows]
        return pd.DataFrame.from_records(cells, columns=list(self.columns), nrows=len(cells))


# ------------------------------------------------------------------------------------- running


def run(
    sql: str, db: str | os.PathLike[str] | None = None, limits: Limits | None = None
) -> QueryResult:
    """Run one untrusted statement on the store within `limits`; a refusal is a QueryError."""
    limits = limits or Limits()
    limits.check()
    check_sql_text(sql, limits)
    path = config.db_path(db)
    if not path.is_file():
        raise QueryError("There is no store to query.", "Create it with `kb build`.")
    if limits.isolated:
        return _run_in_child(sql, path, limits)
    return _run_here(sql, path, limits)


def run_readonly(
    sql: str,
    db: str | os.PathLike[str] | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> QueryResult:
    """`run` with the default limits except the time limit and row cap."""
    return run(sql, db, Limits(timeout=timeout, max_rows=max_rows))


def check_sql_text(sql: str, limits: Limits) -> None:
    """Cheap checks before DuckDB sees the text: not empty, not longer than the cap."""
    if not isinstance(sql, str) or not sql.strip():
        raise QueryError(
            "The query is empty.", "Type a SELECT statement, e.g. SELECT * FROM timeline."
        )
    if len(sql) > limits.max_sql_chars:
        raise QueryError(
            f"The query is {len(sql):,} characters long; the limit is {limits.max_sql_chars:,}.",
            "Write it shorter (a join or a WHERE ... IN instead of many UNIONs).",
        )


def _run_here(
    sql: str, path: Path, limits: Limits, on_ready: Callable[[], None] | None = None
) -> QueryResult:
    try:
        with store.connect(path, read_only=True, config_options=sandbox_config(limits)) as con:
            if on_ready is not None:
                on_ready()
            timer = threading.Timer(limits.timeout, con.interrupt)
            timer.start()
            try:
                return _execute(con, sql, limits, _server_paths(path))
            except duckdb.InterruptException as exc:
                raise _time_limit_error(limits) from exc
            except duckdb.OutOfMemoryException as exc:
                raise _memory_error(limits) from exc
            except duckdb.Error as exc:
                message = scrub(_first_line(exc), path)
                raise QueryError(f"The query was refused: {message}", _hint_for(exc)) from exc
            finally:
                timer.cancel()
    except QueryError:
        raise
    except KBError as exc:  # the store is locked, outdated or not a kb store
        kind = _ERRORS.get(type(exc).__name__, KBError)
        raise kind(scrub(exc.message, path), exc.hint) from exc
    except (MemoryError, OverflowError) as exc:
        raise _memory_error(limits) from exc


def _execute(
    con: duckdb.DuckDBPyConnection, sql: str, limits: Limits, paths: list[tuple[str, str]]
) -> QueryResult:
    statements = con.extract_statements(sql)
    if not statements:
        raise QueryError(
            "The query holds no statement (only comments, semicolons or spaces).",
            "Type a SELECT statement, e.g. SELECT * FROM timeline.",
        )
    if len(statements) > 1:
        raise QueryError(f"The query holds {len(statements)} statements.", ONE_STATEMENT_HINT)
    result = con.execute(statements[0])
    if result.description is None:
        return QueryResult(returns_table=False)
    columns = unique_names([str(d[0]) for d in result.description])
    types = tuple(str(d[1]) for d in result.description)
    rows: list[tuple[Plain, ...]] = []
    used = 0
    batch = 64
    truncated = None
    while True:
        fetched = result.fetchmany(min(batch, limits.max_rows + 1 - len(rows)))
        if not fetched:
            break
        for raw in fetched:
            if len(rows) == limits.max_rows:
                truncated = f"output truncated at {limits.max_rows:,} rows"
                break
            row = tuple(_plain(v, paths) for v in raw)
            used += _size(row)
            if used > limits.max_bytes:
                truncated = (
                    f"output truncated at {len(rows):,} rows ({limits.max_bytes / 2**20:g} MB)"
                )
                break
            rows.append(row)
        if truncated:
            break
        # Fetch as many rows as the remaining byte budget holds at the average row size so far.
        average = max(used // max(len(rows), 1), 1)
        batch = max(1, min(2048, (limits.max_bytes - used) // average))
    return QueryResult(columns, types, tuple(rows), truncated)


def unique_names(names: list[str]) -> tuple[str, ...]:
    """Column names made unique (`a, a` -> `a, a_2`): duplicates break JSON and DataFrames."""
    seen: set[str] = set()
    out: list[str] = []
    for name in names:
        candidate, n = name, 1
        while candidate in seen:
            n += 1
            candidate = f"{name}_{n}"
        seen.add(candidate)
        out.append(candidate)
    return tuple(out)


def _time_limit_error(limits: Limits) -> QueryError:
    return QueryError(
        f"The query was stopped after its time limit of {limits.timeout:g} s.", TIME_HINT
    )


def _memory_error(limits: Limits) -> QueryError:
    return QueryError(
        f"The query was stopped at its memory limit ({limits.memory_mb:,} MB).",
        "Ask for fewer or smaller values (a LIMIT, an aggregate) and run it again.",
    )


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def _hint_for(exc: Exception) -> str:
    text = str(exc)
    if "read-only" in text or "Cannot execute statement" in text:
        return "The store is read-only here; change it with `kb ingest` or `kb build`."
    if "disabled by configuration" in text or "disabled through configuration" in text:
        return "Files, ATTACH, COPY and extensions are disabled here; query the store's tables."
    if "locked" in text:
        return "Settings cannot be changed here."
    return CHECK_HINT


# --------------------------------------------------------------------------------- server paths


def _server_paths(store_path: Path) -> list[tuple[str, str]]:
    """(server path, neutral name) pairs, longest first, to keep out of what the user sees."""
    project = Path(__file__).resolve().parents[1]
    pairs = {
        str(store_path): "<store>",
        str(store_path.resolve()): "<store>",
        str(store_path.parent): "<store folder>",
        str(store_path.resolve().parent): "<store folder>",
        str(project): "<project>",
        str(Path(sys.prefix)): "<python>",
        str(Path.home()): "~",
    }
    return sorted(((p, n) for p, n in pairs.items() if len(p) > 1), key=lambda x: -len(x[0]))


def scrub(text: str, store_path: Path) -> str:
    """The text with the store's path, the project's, Python's and the home folder replaced."""
    for path, name in _server_paths(store_path):
        text = text.replace(path, name)
    return text


# ------------------------------------------------------------------------------- value handling


def _plain(value: Any, paths: list[tuple[str, str]]) -> Plain:
    """A DuckDB value as None/bool/int/float/str/date/datetime/time/list/dict (str keys)."""
    if value is None or isinstance(value, (bool, int, float)):
        return value
    if isinstance(value, str):
        for path, name in paths:
            if path in value:
                value = value.replace(path, name)
        return value
    if isinstance(value, Decimal):
        return float(value) if value.is_finite() else str(value)
    if isinstance(value, datetime):
        return value if value.tzinfo is None else str(value)
    if isinstance(value, (date, time)):
        return value if getattr(value, "tzinfo", None) is None else str(value)
    if isinstance(value, (bytes, bytearray, memoryview)):
        return blob_text(bytes(value))
    if isinstance(value, (list, tuple)):
        return [_plain(v, paths) for v in value]
    if isinstance(value, dict):
        return {str(_display_cell(_plain(k, paths))): _plain(v, paths) for k, v in value.items()}
    if isinstance(value, timedelta):
        return str(value)
    return str(value)  # UUID, and any type a later DuckDB adds


def blob_text(value: bytes) -> str:
    """A BLOB as DuckDB prints it: printable ASCII as is, other bytes as \\xHH."""
    return "".join(chr(b) if 32 <= b < 127 and b != 92 else f"\\x{b:02X}" for b in value)


def _size(value: Plain | tuple[Plain, ...]) -> int:
    if isinstance(value, str):
        return 49 + len(value)
    if isinstance(value, (list, tuple)):
        return 56 + sum(_size(v) for v in value)
    if isinstance(value, dict):
        return 64 + sum(_size(k) + _size(v) for k, v in value.items())
    return 32


def _display_cell(value: Plain) -> Plain:
    if isinstance(value, (list, dict)):
        return json.dumps(_json_ready(value), ensure_ascii=False, separators=(",", ":"))
    if (
        isinstance(value, int)
        and not isinstance(value, bool)
        and not _INT64[0] <= value <= _INT64[1]
    ):
        return str(value)
    return value


def _json_ready(value: Plain) -> Any:
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, list):
        return [_json_ready(v) for v in value]
    if isinstance(value, dict):
        return {k: _json_ready(v) for k, v in value.items()}
    return value


# ------------------------------------------------------------------------------------- formats


def neutralise(value: object) -> object:
    """A text cell a spreadsheet would run as a formula, prefixed with an apostrophe (OWASP);
    plain numbers such as -1.5 stay as they are."""
    formula = isinstance(value, str) and value.startswith(FORMULA_PREFIXES)
    if formula and not _PLAIN_NUMBER.fullmatch(str(value)):
        return f"'{value}"
    return value


def to_csv(frame: pd.DataFrame) -> str:
    """CSV of any frame, formula cells (and column names) neutralised: for every download.

    Lines end with LF, or CRLF when a text cell holds a carriage return."""
    safe = frame.copy()
    safe.columns = [str(neutralise(str(c))) for c in frame.columns]
    for i in range(safe.shape[1]):
        column = safe.iloc[:, i]
        if column.dtype == object or str(column.dtype).startswith("str"):
            safe.isetitem(i, list(column.map(neutralise)))
    # The csv module quotes a cell holding a line terminator's characters only, so a bare CR
    # inside a cell would end the row for readers; with CRLF (RFC 4180) it is quoted.
    has_cr = any(isinstance(v, str) and "\r" in v for v in safe.to_numpy().ravel())
    buffer = io.StringIO()
    safe.to_csv(buffer, index=False, lineterminator="\r\n" if has_cr else "\n")
    return buffer.getvalue()


def to_json(result: QueryResult) -> str:
    """The rows as a JSON list of objects (NaN and infinities as null, dates as ISO text)."""
    records = [
        {name: _json_ready(value) for name, value in zip(result.columns, row, strict=True)}
        for row in result.rows
    ]
    return json.dumps(records, indent=2, ensure_ascii=False)


def to_table(result: QueryResult) -> str:
    """An aligned text table, or a one-line note when there is nothing to show."""
    if not result.returns_table:
        return "(the statement returned no table)"
    if not result.rows:
        return "(no rows)"
    import pandas as pd

    with pd.option_context("display.max_colwidth", 80, "display.width", 200):
        return result.frame.to_string(index=False)


def describe(result: QueryResult) -> str:
    """A caption: the row count, and the truncation note when the rows were cut."""
    n = len(result.rows)
    text = f"{n:,} row{'s' if n != 1 else ''}"
    return f"{text} ({result.truncated})" if result.truncated else text


def render(result: QueryResult, fmt: Format) -> str:
    """The result as text in one of FORMATS (newline-terminated)."""
    if fmt == "csv":
        return to_csv(result.frame)
    if fmt == "json":
        return to_json(result) + "\n"
    return to_table(result) + "\n"


# -------------------------------------------------------------------------------- child process


class _PlainUnpickler(pickle.Unpickler):
    """Only the classes a QueryResult holds: a child that misbehaves cannot run code here."""

    ALLOWED: ClassVar[frozenset[tuple[str, str]]] = frozenset(
        {
            ("datetime", "date"),
            ("datetime", "datetime"),
            ("datetime", "time"),
            ("kb.sandbox", "QueryResult"),
        }
    )

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in self.ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a sandbox reply")


def _run_in_child(sql: str, path: Path, limits: Limits) -> QueryResult:
    request = json.dumps(
        {"sql": sql, "db": str(path), "limits": {**limits.__dict__, "isolated": False}}
    )
    child = subprocess.Popen(
        [sys.executable, "-m", "kb.sandbox"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert child.stdin is not None and child.stdout is not None
    try:
        with contextlib.suppress(BrokenPipeError):
            child.stdin.write(request.encode())
            child.stdin.close()
        child.stdin = None  # written and closed: communicate() must not flush it again
        # The time limit counts from when the child has started and opened the store.
        started, _, _ = select.select([child.stdout], [], [], STARTUP_SECONDS)
        first = os.read(child.stdout.fileno(), 1) if started else b""  # unbuffered
        if not started:
            raise QueryError(
                f"The sandbox did not start within {STARTUP_SECONDS:g} s.",
                "The machine is busy; try again in a moment.",
            )
        wait = limits.timeout + KILL_GRACE_SECONDS if first == READY else STARTUP_SECONDS
        try:
            rest, err = child.communicate(timeout=wait)
        except subprocess.TimeoutExpired:
            raise _time_limit_error(limits) from None
    finally:
        if child.poll() is None:
            child.kill()
            child.communicate()
    out = rest if first == READY else first + rest
    try:
        reply = _PlainUnpickler(io.BytesIO(out)).load() if out else None
    except (pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError):
        reply = None
    if isinstance(reply, QueryResult):
        return reply
    if isinstance(reply, tuple) and len(reply) == 3 and reply[0] in _ERRORS:
        raise _ERRORS[reply[0]](str(reply[1]), None if reply[2] is None else str(reply[2]))
    if (child.returncode or 0) < 0 or b"MemoryError" in err or b"bad_alloc" in err:
        raise _memory_error(limits)
    raise QueryError(
        "The query failed in the sandbox without an answer.",
        "Simplify it and run it again; if this persists, report it with the query.",
    )


def _error_classes() -> dict[str, type[KBError]]:
    from kb import errors

    return {name: getattr(errors, name) for name in ("KBError", "QueryError", "StoreError")}


_ERRORS = _error_classes()


def _say_ready() -> None:
    sys.stdout.buffer.write(READY)
    sys.stdout.flush()


def _child_main() -> None:
    """Run the request on stdin inside address-space bounds and pickle the outcome to stdout."""
    import resource

    request = json.loads(sys.stdin.read())
    limits = Limits(**request["limits"])
    cap = (limits.memory_mb + PROCESS_OVERHEAD_MB) * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
    path = Path(request["db"])
    outcome: object
    try:
        outcome = _run_here(request["sql"], path, limits, on_ready=_say_ready)
    except KBError as exc:
        outcome = (
            type(exc).__name__ if type(exc).__name__ in _ERRORS else "KBError",
            exc.message,
            exc.hint,
        )
    except MemoryError:
        error = _memory_error(limits)
        outcome = ("QueryError", error.message, error.hint)
    except Exception as exc:  # never a traceback: say what kind of failure it was
        outcome = ("QueryError", f"The query failed: {scrub(_first_line(exc), path)}", CHECK_HINT)
    sys.stdout.buffer.write(pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL))
    sys.stdout.flush()


if __name__ == "__main__":
    # Run through the imported module, so that pickled results name kb.sandbox, not __main__.
    from kb.sandbox import _child_main as main

    main()
