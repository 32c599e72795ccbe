"""Workforce shares: how many workers (and occupations) a recipe finds exposed at a threshold.

SQL (kb/sql/curve.sql and the others over kb/sql/units.sql) does the set work over the units a
recipe counts; pandas only reshapes. Every result carries its recipe and its coverage: what it
counted and what it left out.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, Final, Literal, TypeVar

import duckdb
import pandas as pd

from kb import sql
from kb.errors import KBError
from kb.exposure.raters import check_raters, has_stored_exposure
from kb.exposure.recipe import (
    DEFAULT_CURVE,
    DEFAULT_THRESHOLDS,
    PAPER,
    Recipe,
    check_measure,
    check_threshold,
    term,
)
from kb.vocabulary import GROUPINGS

# Where a query reads units from (kb/sql/units.sql): the stored rows, or for a rater without
# stored rows (labels written by hand with SQL) the view that computes them from its labels.
UnitsRelation = Literal["stored_exposure_units", "exposure_units"]
STORED_UNITS: Final = "stored_exposure_units"
UNITS_FROM_LABELS: Final = "exposure_units"

T = TypeVar("T", pd.DataFrame, list[SimpleNamespace])


@dataclass(frozen=True)
class Coverage:
    """What a recipe counts and leaves out. Workers left out are counted once each."""

    occupations_counted: int
    occupations_left_out: int  # units with no employment (O*NET occupations or OEWS codes)
    onet_occupations_left_out: int
    workers_counted: float  # under 'paper' this double-counts NEM occupations (> US employment)
    workers_left_out: float  # published detailed employment that no O*NET occupation reaches
    all_workers: float  # the source's published total (all occupations)

    @property
    def overcount(self) -> float:
        """workers_counted / all_workers: above 1 when workers are counted more than once."""
        return self.workers_counted / self.all_workers if self.all_workers else float("nan")

    def note(self) -> str:
        text = (
            f"counts {self.workers_counted:,.0f} workers in "
            f"{self.occupations_counted} occupations; "
            f"leaves out {self.workers_left_out:,.0f} workers and {self.occupations_left_out} "
            f"occupations without employment"
        )
        if self.workers_counted > self.all_workers:
            text += (
                f" (that is {self.overcount:.2f}x the {self.all_workers:,.0f} workers the source "
                "reports in total: NEM occupations mapped from several O*NET occupations are "
                "counted once for each)"
            )
        return text


@dataclass(frozen=True)
class Share:
    """The share of workers (and of occupations) whose exposure passes a threshold."""

    recipe: Recipe
    threshold: float
    share_workers: float  # fraction 0..1, employment-weighted
    share_occupations: float  # fraction 0..1, each counted occupation once
    workers_exposed: float
    occupations_exposed: int
    coverage: Coverage

    def describe(self) -> str:
        return (
            f"{self.share_workers:.1%} of workers ({self.share_occupations:.1%} of occupations) "
            f"with {self.recipe.describe(self.threshold)}; {self.coverage.note()}"
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "threshold": self.threshold,
            "share_workers": self.share_workers,
            "share_occupations": self.share_occupations,
            "workers_exposed": self.workers_exposed,
            "occupations_exposed": self.occupations_exposed,
            **{f"coverage_{k}": v for k, v in vars(self.coverage).items()},
            "recipe": self.recipe.as_dict(),
            "recipe_text": self.recipe.describe(self.threshold),
        }


# --- where units are read from ---------------------------------------------------------------


def units_source(con: duckdb.DuckDBPyConnection, recipes: Sequence[Recipe]) -> UnitsRelation:
    """Check the recipes' raters are in the store, and say where their units are read from:
    STORED_UNITS, or UNITS_FROM_LABELS if a rater has no stored rows."""
    source: UnitsRelation = STORED_UNITS
    for name in dict.fromkeys(r.rater for r in recipes):
        if not has_stored_exposure(con, name):
            source = UNITS_FROM_LABELS
    return source


def _execute(
    con: duckdb.DuckDBPyConnection,
    name: str,
    params: dict[str, Any],
    units: UnitsRelation = STORED_UNITS,
) -> duckdb.DuckDBPyConnection:
    """kb/sql/<name>.sql over the units relation (a constant, never a value)."""
    if units not in (STORED_UNITS, UNITS_FROM_LABELS):
        raise ValueError(f"not a units relation: {units!r}")
    return sql.execute(con, name, params, exposure_units=units)


def _unit_params(recipe: Recipe) -> dict[str, Any]:
    return {
        "recipe": recipe.employment,
        "rater": recipe.rater,
        "measure": recipe.measure,
        "weighting": recipe.weighting,
        "compare": recipe.compare,
    }


def _no_units(recipe: Recipe) -> KBError:
    return KBError(
        f"No occupation has both {recipe.rater} labels and employment.",
        "Check the rater's label set covers occupations with employment data.",
    )


def _namespaces(result: duckdb.DuckDBPyConnection) -> list[SimpleNamespace]:
    columns = [d[0] for d in result.description or []]
    return [SimpleNamespace(**dict(zip(columns, row, strict=True))) for row in result.fetchall()]


def _frame(result: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return result.df()


# --- shares and curves ------------------------------------------------------------------------


def _curve(
    con: duckdb.DuckDBPyConnection,
    recipe: Recipe,
    thresholds: Sequence[float] | None,
    fetch: Callable[[duckdb.DuckDBPyConnection], T],
) -> T:
    """curve.sql for one recipe, fetched by fetch. The stored units are tried first: the usual
    case costs one query, and the rater is checked only if they give no rows."""
    values = [check_threshold(t) for t in (DEFAULT_CURVE if thresholds is None else thresholds)]
    params = {**_unit_params(recipe), "thresholds": values}
    result = fetch(_execute(con, "curve", params, STORED_UNITS))
    if len(result) == 0 and units_source(con, [recipe]) == UNITS_FROM_LABELS:
        result = fetch(_execute(con, "curve", params, UNITS_FROM_LABELS))
    if len(result) == 0:
        raise _no_units(recipe)
    return result


def curve(
    con: duckdb.DuckDBPyConnection,
    recipe: Recipe = PAPER,
    thresholds: Sequence[float] | None = None,
) -> pd.DataFrame:
    """Share of workers and of occupations against the threshold (default 0, 0.01, ..., 1).

    Columns: threshold, share_workers, share_occupations (fractions), workers_exposed,
    workers_counted, occupations_exposed, occupations_counted, and the coverage columns
    (occupations_left_out, onet_occupations_left_out, workers_left_out, all_workers).
    The recipe is in .attrs["recipe"].
    """
    frame = _curve(con, recipe, thresholds, _frame)
    frame.attrs["recipe"] = recipe
    return frame


def curves(
    con: duckdb.DuckDBPyConnection,
    recipes: Sequence[Recipe],
    thresholds: Sequence[float] | None = None,
) -> dict[Recipe, pd.DataFrame]:
    """curve() for several recipes with one query: {recipe: the DataFrame curve() returns}.

    Cheaper than one curve() call per recipe when a page draws several curves at once.
    """
    recipes = list(dict.fromkeys(recipes))
    units = units_source(con, recipes)
    values = [check_threshold(t) for t in (DEFAULT_CURVE if thresholds is None else thresholds)]
    numbered = [
        {
            "recipe": number,
            "rater": r.rater,
            "measure": r.measure,
            "weighting": r.weighting,
            "employment": r.employment,
            "compare": r.compare,
        }
        for number, r in enumerate(recipes)
    ]
    frame = _execute(con, "curves", {"recipes": numbered, "thresholds": values}, units).df()
    out = {}
    for number, recipe in enumerate(recipes):
        part = frame[frame["recipe"] == number].drop(columns="recipe").reset_index(drop=True)
        if part.empty:
            raise _no_units(recipe)
        part.attrs["recipe"] = recipe
        out[recipe] = part
    return out


def _coverage_from(row: SimpleNamespace) -> Coverage:
    return Coverage(
        occupations_counted=int(row.occupations_counted),
        occupations_left_out=int(row.occupations_left_out),
        onet_occupations_left_out=int(row.onet_occupations_left_out),
        workers_counted=float(row.workers_counted),
        workers_left_out=float(row.workers_left_out),
        all_workers=float(row.all_workers),
    )


def shares(
    con: duckdb.DuckDBPyConnection,
    thresholds: Sequence[float] = DEFAULT_THRESHOLDS,
    recipe: Recipe = PAPER,
) -> list[Share]:
    """share() at several thresholds, with one query."""
    # Plain rows rather than curve()'s DataFrame: this is the headline figure's hot path.
    rows = _curve(con, recipe, thresholds, _namespaces)
    cover = _coverage_from(rows[0])
    by_threshold = {float(r.threshold): r for r in rows}
    out = []
    for t in thresholds:
        r = by_threshold[check_threshold(t)]
        out.append(
            Share(
                recipe=recipe,
                threshold=float(t),
                share_workers=float(r.share_workers),
                share_occupations=float(r.share_occupations),
                workers_exposed=float(r.workers_exposed),
                occupations_exposed=int(r.occupations_exposed),
                coverage=cover,
            )
        )
    return out


def share(
    con: duckdb.DuckDBPyConnection,
    threshold: float = 0.1,
    recipe: Recipe = PAPER,
    by: str | None = None,
) -> Share | pd.DataFrame:
    """The share of workers whose occupation's exposure passes the threshold.

    Without `by`: a Share (fractions, counts, coverage, recipe). With `by` one of major_group,
    job_zone, education, wage_quintile: the breakdown() DataFrame.
    """
    if by is not None:
        return breakdown(con, by, threshold, recipe)
    return shares(con, [threshold], recipe)[0]


def coverage(con: duckdb.DuckDBPyConnection, recipe: Recipe = PAPER) -> Coverage:
    """Workers and occupations the recipe counts and leaves out (independent of the threshold)."""
    return shares(con, [0.0], recipe)[0].coverage


# --- breakdowns and lists ---------------------------------------------------------------------


def breakdown(
    con: duckdb.DuckDBPyConnection,
    by: str,
    threshold: float = 0.1,
    recipe: Recipe = PAPER,
) -> pd.DataFrame:
    """Per group: workers, share_of_workers, share_exposed (employment-weighted, at threshold),
    mean_exposure (employment-weighted), occupations, min_wage, max_wage.

    by: major_group (SOC 2018 major group), job_zone (O*NET 1-5), education (typical entry
    education, BLS projections), wage_quintile (employment-weighted quintiles of the median
    annual wage, 1 = lowest). A NULL group_key collects units without that attribute.
    """
    term(by, GROUPINGS, "grouping")
    units = units_source(con, [recipe])
    params = {**_unit_params(recipe), "by": by, "threshold": check_threshold(threshold)}
    frame = _execute(con, "breakdown", params, units).df()
    frame.attrs["recipe"] = recipe
    frame.attrs["threshold"] = threshold
    return frame


def top(
    con: duckdb.DuckDBPyConnection,
    recipe: Recipe = PAPER,
    n: int = 10,
    least: bool = False,
) -> pd.DataFrame:
    """The n most (least=True: least) exposed units with exposure, employment and wage.

    Units are O*NET occupations under the 'paper' employment recipe, OEWS codes under 'oews-2021'.
    """
    if int(n) < 1:
        raise KBError(f"n must be at least 1 (got {n}).", "Ask for e.g. -n 10.")
    units = units_source(con, [recipe])
    params = {**_unit_params(recipe), "least": bool(least), "n": int(n)}
    frame = _execute(con, "top", params, units).df()
    frame.attrs["recipe"] = recipe
    return frame


def unexposed(
    con: duckdb.DuckDBPyConnection,
    raters: Sequence[str] = ("human", "gpt4"),
    measure: str = "zeta",
) -> pd.DataFrame:
    """Occupations with no exposed task under any of the raters (all task values 0 under measure;
    with zeta: no task labelled E1 or E2 by any of them), with paper-recipe employment and wage."""
    names = check_raters(con, raters)
    if not names:
        raise KBError("No raters given.", "Name at least one, e.g. --raters human,gpt4.")
    return sql.execute(con, "unexposed", {"measure": check_measure(measure), "raters": names}).df()


def summary(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Mean and sd of exposure for every rater and measure, at task level and occupation level
    (equal and core weighting). Columns: rater, measure, level, weighting, mean, sd, n."""
    return sql.execute(con, "summary").df()
