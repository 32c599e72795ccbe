"""Untrusted SQL (the dashboard's console, `kb query`): read-only, sandboxed, time-limited.

The connection is read-only, has file-system and extension access switched off and its
configuration locked, so a query cannot write, ATTACH, COPY, read local files or install
extensions; a timer interrupts it when it runs past its time limit.
"""

from __future__ import annotations

import os
import threading

import duckdb
import pandas as pd

from kb import store
from kb.errors import QueryError

DEFAULT_TIMEOUT_SECONDS = 10.0
DEFAULT_MAX_ROWS = 100_000

SANDBOX = {
    "enable_external_access": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "lock_configuration": True,
}


def run_readonly(
    sql: str,
    db: str | os.PathLike[str] | None = None,
    *,
    timeout: float = DEFAULT_TIMEOUT_SECONDS,
    max_rows: int = DEFAULT_MAX_ROWS,
) -> pd.DataFrame:
    """Run one user query on a sandboxed read-only connection and return at most max_rows rows."""
    if not sql or not sql.strip():
        raise QueryError("The query is empty.", "Type a SELECT statement, e.g. SELECT * FROM timeline.")
    with store.connect(db, read_only=True, config_options=SANDBOX) as con:
        timer = threading.Timer(timeout, con.interrupt)
        timer.start()
        try:
            result = con.execute(sql)
            if result.description is None:
                return pd.DataFrame()
            columns = [d[0] for d in result.description]
            return pd.DataFrame(result.fetchmany(max_rows), columns=columns)
        except duckdb.InterruptException as exc:
            raise QueryError(
                f"The query was stopped after its time limit of {timeout:g} s.",
                "Narrow it down (a WHERE clause, a LIMIT) and run it again.",
            ) from exc
        except duckdb.Error as exc:
            raise QueryError(f"The query was refused: {_first_line(exc)}", _hint_for(exc)) from exc
        finally:
            timer.cancel()


def _first_line(exc: Exception) -> str:
    return str(exc).strip().splitlines()[0]


def _hint_for(exc: Exception) -> str:
    text = str(exc)
    if "read-only" in text or "Cannot execute statement" in text:
        return "The store is read-only here; change it with `kb ingest` or `kb build`."
    if "disabled by configuration" in text or "Permission" in text:
        return "Files, ATTACH, COPY and extensions are disabled here; query the store's tables and views."
    return "Check the SQL; `SHOW TABLES` lists what you can query."

