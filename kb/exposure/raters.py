"""Raters: who labelled the tasks (built in: human, gpt4, gpt4_alt; ingested label sets add more).

Raters come from data, not code, so a name is checked against the store.
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb
import pandas as pd

from kb.errors import KBError, did_you_mean

# The raters in the store, and whether one of them has stored exposure: one round trip.
SQL_RATERS_AND_STORED = """
SELECT (SELECT list(rater ORDER BY rater) FROM raters),
       EXISTS (SELECT 1 FROM stored_exposure_units WHERE rater = ?)
"""


def raters(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The raters in the store (built-in human, gpt4, gpt4_alt, plus any ingested), by name."""
    return [r[0] for r in con.execute("SELECT rater FROM raters ORDER BY rater").fetchall()]


def rater_table(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every rater with its description, source and number of labelled tasks."""
    return con.execute(
        "SELECT r.rater, r.description, r.source, count(l.task_id) AS tasks FROM raters r "
        "LEFT JOIN task_labels l USING (rater) GROUP BY ALL ORDER BY r.rater"
    ).df()


def check_raters(con: duckdb.DuckDBPyConnection, names: Iterable[str]) -> list[str]:
    """The names, if every one is a rater in the store; else a KBError listing the raters."""
    return known_raters(list(names), raters(con))


def known_raters(names: list[str], known: list[str]) -> list[str]:
    """The names, if every one is in known; else a KBError naming the closest and all known."""
    unknown = [n for n in names if n not in known]
    if unknown:
        hint = f"Raters in the store: {', '.join(known)}."
        close = did_you_mean(unknown[0], known)
        if close:
            hint = f"{close[0].upper()}{close[1:]} {hint}"
        raise KBError(f"Unknown rater {', '.join(repr(u) for u in unknown)}.", hint)
    return names


def has_stored_exposure(con: duckdb.DuckDBPyConnection, rater: str) -> bool:
    """Whether the rater is in the store (else a KBError) and has stored exposure rows."""
    row = con.execute(SQL_RATERS_AND_STORED, [rater]).fetchone()
    known, stored = row if row else (None, False)
    known_raters([rater], known or [])
    return bool(stored)
