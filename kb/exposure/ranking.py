"""Occupations ranked by exposure, with honest ties and employment counted once.

The paper's employment recipe gives every O*NET occupation all the workers of the NEM occupation
it maps to, so "Writers and Authors" and "Poets, Lyricists and Creative Writers" both carry the
same 151,200 workers. A ranked list built on it must say so: `ranking` returns, per unit, the
published employment, how many units share that figure, and the workers counted once (the figure
split evenly among them). Ties get the range of ranks they span, never an arbitrary single rank.
SQL: kb/sql/exposure_ranking.sql.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import pandas as pd

from kb import sql
from kb.errors import KBError
from kb.exposure.recipe import PAPER, Recipe
from kb.exposure.shares import units_source
from kb.vocabulary import EMPLOYMENT_RECIPES


def ranking(con: duckdb.DuckDBPyConnection, recipe: Recipe = PAPER) -> pd.DataFrame:
    """Every unit the recipe counts, most exposed first (ties: larger employment first, title).

    Columns: unit_code, onet_code, title, exposure, employment (as published for the unit),
    shared_by, workers_once, annual_wage, major_group, job_zone, education, onet_occupations,
    rank_first, rank_last, tied, units. The recipe is in .attrs["recipe"].
    """
    params = {
        "recipe": recipe.employment,
        "rater": recipe.rater,
        "measure": recipe.measure,
        "weighting": recipe.weighting,
    }
    frame = sql.execute(
        con, "exposure_ranking", params, exposure_units=units_source(con, [recipe])
    ).df()
    if frame.empty:
        raise KBError(
            f"No occupation has both {recipe.rater} labels and {recipe.employment} employment.",
            "Check the rater's label set covers occupations with employment data.",
        )
    frame.attrs["recipe"] = recipe
    return frame


def rank_text(first: int, last: int) -> str:
    """'3' for a rank of its own, '866-923' for a tie group (the ranks it spans)."""
    return str(first) if first == last else f"{first}-{last}"


@dataclass(frozen=True)
class Slice:
    """The n most (or least) exposed rows of a ranking, and the ties the cut goes through."""

    rows: pd.DataFrame  # with a 'rank' column: rank_text, counted from the end asked for
    units: int  # units ranked in all
    cut_tie: int  # units in the tie group the cut goes through (0 when the cut falls between)
    cut_tie_shown: int  # how many of those are shown
    cut_exposure: float | None  # that group's exposure


def head(frame: pd.DataFrame, n: int, least: bool = False) -> Slice:
    """The n most (least=True: least) exposed rows; ranks counted from that end."""
    if n < 1:
        raise KBError(f"n must be at least 1 (got {n}).", "Ask for e.g. 10 rows.")
    units = len(frame)
    ordered = frame.iloc[::-1] if least else frame
    if least:
        # Within a tie the larger employment comes first from either end.
        ordered = ordered.sort_values(
            ["exposure", "employment", "title"], ascending=[True, False, True], kind="stable"
        )
    rows = ordered.head(n).copy()
    if least:
        first = units - rows["rank_last"] + 1
        last = units - rows["rank_first"] + 1
    else:
        first, last = rows["rank_first"], rows["rank_last"]
    rows.insert(0, "rank", [rank_text(int(a), int(b)) for a, b in zip(first, last, strict=True)])
    cut_tie = cut_shown = 0
    cut_exposure = None
    if len(rows) < units:
        edge, after = rows.iloc[-1], ordered.iloc[len(rows)]
        if round(float(edge["exposure"]), 9) == round(float(after["exposure"]), 9):
            cut_tie = int(edge["tied"])
            cut_exposure = float(edge["exposure"])
            cut_shown = int((rows["exposure"].round(9) == round(cut_exposure, 9)).sum())
    return Slice(rows, units, cut_tie, cut_shown, cut_exposure)


def employment_recipes(con: duckdb.DuckDBPyConnection) -> list[str]:
    """The employment recipes this store has units for, in kb.vocabulary's order (a store built
    without a vintage's files offers the others only)."""
    present = {row[0] for row in con.execute(
        "SELECT DISTINCT employment_recipe FROM occupation_units WHERE employment IS NOT NULL"
    ).fetchall()}  # fmt: skip
    return [name for name in EMPLOYMENT_RECIPES if name in present]
