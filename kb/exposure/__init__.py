"""Exposure measures and workforce shares: pure functions of a DuckDB connection.

Every choice is named in a `Recipe` (rater, measure, task weighting, comparison, employment
source) and every share carries its recipe and what it counted and left out. SQL (kb/sql/*.sql
over the views in kb/schema/25_exposure_views.sql) does the set work; pandas only reshapes.
The CLI (`kb exposure ...`) and the dashboard call these same functions.

    >>> with kb.store.connect() as con:
    ...     kb.exposure.share(con, 0.1, Recipe())        # the paper's headline, ~80% of workers
"""

from __future__ import annotations

import difflib
import functools
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import duckdb
import pandas as pd

from kb.errors import KBError

SQL_DIR = Path(__file__).parent.parent / "sql"

MEASURES = ("alpha", "beta", "zeta")
MEASURE_ALIASES = {"gamma": "zeta"}  # the authors' files call zeta "gamma"
MEASURE_DEFINITIONS = {"alpha": "E1", "beta": "E1 + 0.5*E2", "zeta": "E1 + E2"}
WEIGHTINGS = ("equal", "core")
COMPARISONS = ("gt", "ge")
EMPLOYMENT_RECIPES = ("paper", "oews-2021")
GROUPINGS = ("major_group", "job_zone", "education", "wage_quintile")
LEVELS = ("task", "occupation")
DEFAULT_THRESHOLDS = (0.1, 0.5)
DEFAULT_CURVE = tuple(i / 100 for i in range(101))  # 0, 0.01, ..., 1

_WEIGHTING_TEXT = {"equal": "equal task weights", "core": "core tasks 2 : supplemental 1"}
_COMPARE_TEXT = {"gt": ">", "ge": ">="}
_EMPLOYMENT_TEXT = {
    "paper": "BLS Employment Projections 2022 employment joined through the NEM crosswalk "
    "(the authors' notebook; an NEM occupation counts once per O*NET occupation mapped to it)",
    "oews-2021": "OEWS May 2021 detailed employment, each worker counted once "
    "(O*NET occupations of one SOC code averaged)",
}


def _choice(value: str, allowed: Sequence[str], what: str) -> str:
    if value not in allowed:
        raise KBError(f"Unknown {what} {value!r}.", f"Use one of: {', '.join(allowed)}.")
    return value


@dataclass(frozen=True)
class Recipe:
    """The choices behind an exposure share. The defaults are the paper's.

    rater: whose labels (human, gpt4, gpt4_alt, or any ingested rater; checked against the store)
    measure: alpha (E1), beta (E1 + 0.5 E2) or zeta (E1 + E2; 'gamma' is accepted as an alias)
    weighting: 'equal' (each task counts once, the paper's tables) or 'core' (core 2 : supp. 1)
    compare: 'gt' (exposure > t, the authors' code) or 'ge' (>= t, the abstract's wording)
    employment: 'paper' (BLS projections 2022 via NEM crosswalk) or 'oews-2021'
    """

    rater: str = "human"
    measure: str = "beta"
    weighting: str = "equal"
    compare: str = "gt"
    employment: str = "paper"

    def __post_init__(self) -> None:
        measure = MEASURE_ALIASES.get(self.measure, self.measure)
        object.__setattr__(self, "measure", _choice(measure, MEASURES, "measure"))
        _choice(self.weighting, WEIGHTINGS, "weighting")
        _choice(self.compare, COMPARISONS, "comparison")
        _choice(self.employment, EMPLOYMENT_RECIPES, "employment recipe")
        if not isinstance(self.rater, str) or not self.rater:
            raise KBError("The rater is empty.", "Name a rater, e.g. human or gpt4.")

    def checked(self, con: duckdb.DuckDBPyConnection) -> Recipe:
        """This recipe, after checking its rater exists in the store (raters come from data)."""
        check_raters(con, [self.rater])
        return self

    def with_(self, **changes: Any) -> Recipe:
        return replace(self, **changes)

    def describe(self, threshold: float | None = None) -> str:
        """One readable line, e.g. 'human labels, beta (E1 + 0.5*E2), equal task weights, ...'."""
        bound = "t" if threshold is None else f"{threshold:g}"
        passes = f"exposure {_COMPARE_TEXT[self.compare]} {bound}"
        return (
            f"{self.rater} labels, {self.measure} ({MEASURE_DEFINITIONS[self.measure]}), "
            f"{_WEIGHTING_TEXT[self.weighting]}, {passes}, employment: {self.employment}"
        )

    def explain_employment(self) -> str:
        return _EMPLOYMENT_TEXT[self.employment]

    def as_dict(self) -> dict[str, str]:
        return {
            "rater": self.rater,
            "measure": self.measure,
            "weighting": self.weighting,
            "compare": self.compare,
            "employment": self.employment,
        }


PAPER = Recipe()


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


@dataclass(frozen=True)
class Agreement:
    """How two raters agree on one measure, at task or occupation level."""

    raters: tuple[str, str]
    measure: str
    level: str
    n: int
    agreement: float  # share of items with the same category
    kappa: float  # Cohen's kappa on the categories
    pearson_r: float  # correlation of the raw values (task values or occupation exposures)
    confusion: pd.DataFrame = field(compare=False)  # rows: raters[0]'s category, cols: raters[1]'s
    threshold: float | None = None  # occupation level: exposed means exposure passes this
    weighting: str | None = None
    compare: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "raters": list(self.raters),
            "measure": self.measure,
            "level": self.level,
            "n": self.n,
            "agreement": self.agreement,
            "kappa": self.kappa,
            "pearson_r": self.pearson_r,
            "threshold": self.threshold,
            "weighting": self.weighting,
            "compare": self.compare,
            "confusion": {
                str(r): {str(c): int(v) for c, v in row.items()}
                for r, row in self.confusion.iterrows()
            },
        }


@dataclass(frozen=True)
class OccupationDetail:
    """One occupation for the explorer: identity, employment, exposures and labelled tasks."""

    onet_code: str
    title: str
    soc_code: str
    major_group: str
    major_group_title: str
    job_zone: int | None
    education: str | None
    employment: dict[str, float | None]  # by employment recipe ('paper', 'oews-2021')
    annual_wage: dict[str, float | None]
    exposure: pd.DataFrame = field(compare=False)  # rater, measure, weighting, exposure, percentile
    tasks: pd.DataFrame = field(
        compare=False
    )  # task_id, statement, task_type, one column per rater


# ---------------------------------------------------------------------------------------------
# SQL plumbing


# Where a query reads units from (kb/sql/units.sql): the stored rows, or for a rater without
# stored rows (labels written by hand with SQL) the view that computes them from its labels.
STORED_UNITS = "stored_exposure_units"
UNITS_FROM_LABELS = "exposure_units"


@functools.cache
def _sql_text(name: str, units: str = STORED_UNITS) -> str:
    """kb/sql/<name>.sql, with {units} replaced by kb/sql/units.sql and {exposure_units} by the
    relation to read units from (STORED_UNITS or UNITS_FROM_LABELS, never a value)."""
    if units not in (STORED_UNITS, UNITS_FROM_LABELS):
        raise ValueError(f"not a units relation: {units!r}")
    text = (SQL_DIR / f"{name}.sql").read_text()
    text = text.replace("{units}", (SQL_DIR / "units.sql").read_text())
    return text.replace("{exposure_units}", units)


# The raters in the store, and whether one of them has stored exposure: one round trip.
_RATERS_AND_STORED_SQL = """
SELECT (SELECT list(rater ORDER BY rater) FROM raters),
       EXISTS (SELECT 1 FROM stored_exposure_units WHERE rater = ?)
"""


def _units_source(con: duckdb.DuckDBPyConnection, recipes: Sequence[Recipe]) -> str:
    """Check the recipes' raters are in the store, and say where their units are read from:
    STORED_UNITS, or UNITS_FROM_LABELS if a rater has no stored rows."""
    source = STORED_UNITS
    for name in dict.fromkeys(r.rater for r in recipes):
        known, stored = con.execute(_RATERS_AND_STORED_SQL, [name]).fetchone()
        _known_raters([name], known or [])
        if not stored:
            source = UNITS_FROM_LABELS
    return source


def _execute(
    con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any], units: str = STORED_UNITS
) -> duckdb.DuckDBPyConnection:
    """Run kb/sql/<name>.sql with the named parameters it uses (DuckDB refuses extra ones)."""
    text = _sql_text(name, units)
    used = set(re.findall(r"\$([a-z_]+)", text))
    return con.execute(text, {k: v for k, v in params.items() if k in used})


def _run(
    con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any], units: str = STORED_UNITS
) -> pd.DataFrame:
    return _execute(con, name, params, units).df()


def _unit_params(recipe: Recipe) -> dict[str, Any]:
    return {
        "recipe": recipe.employment,
        "rater": recipe.rater,
        "measure": recipe.measure,
        "weighting": recipe.weighting,
        "compare": recipe.compare,
    }


def _threshold(value: float) -> float:
    try:
        t = float(value)
    except (TypeError, ValueError) as exc:
        raise KBError(
            f"Threshold {value!r} is not a number.", "Give a fraction between 0 and 1."
        ) from exc
    if not 0.0 <= t <= 1.0:
        raise KBError(
            f"Threshold {t:g} is outside [0, 1].",
            "Thresholds are fractions of tasks: 0.1 means 10%.",
        )
    return t


# ---------------------------------------------------------------------------------------------
# Raters


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
    return _known_raters(list(names), raters(con))


def _known_raters(names: list[str], known: list[str]) -> list[str]:
    unknown = [n for n in names if n not in known]
    if unknown:
        close = difflib.get_close_matches(unknown[0], known, n=1)
        hint = f"Raters in the store: {', '.join(known)}."
        if close:
            hint = f"Did you mean {close[0]!r}? " + hint
        raise KBError(f"Unknown rater {', '.join(repr(u) for u in unknown)}.", hint)
    return names


# ---------------------------------------------------------------------------------------------
# Shares


def coverage(con: duckdb.DuckDBPyConnection, recipe: Recipe = PAPER) -> Coverage:
    """Workers and occupations the recipe counts and leaves out (independent of the threshold)."""
    return shares(con, [0.0], recipe)[0].coverage


def _coverage_from(row: Any) -> Coverage:
    return Coverage(
        occupations_counted=int(row.occupations_counted),
        occupations_left_out=int(row.occupations_left_out),
        onet_occupations_left_out=int(row.onet_occupations_left_out),
        workers_counted=float(row.workers_counted),
        workers_left_out=float(row.workers_left_out),
        all_workers=float(row.all_workers),
    )


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
    frame = _curve(con, recipe, thresholds, lambda result: result.df())
    frame.attrs["recipe"] = recipe
    return frame


def _curve(
    con: duckdb.DuckDBPyConnection,
    recipe: Recipe,
    thresholds: Sequence[float] | None,
    fetch: Callable[[duckdb.DuckDBPyConnection], Any],
) -> Any:
    """curve.sql for one recipe, fetched by fetch. The stored units are tried first: the usual
    case costs one query, and the rater is checked only if they give no rows."""
    values = [_threshold(t) for t in (DEFAULT_CURVE if thresholds is None else thresholds)]
    params = {**_unit_params(recipe), "thresholds": values}
    result = fetch(_execute(con, "curve", params, STORED_UNITS))
    if len(result) == 0 and _units_source(con, [recipe]) == UNITS_FROM_LABELS:
        result = fetch(_execute(con, "curve", params, UNITS_FROM_LABELS))
    if len(result) == 0:
        raise _no_units(recipe)
    return result


def curves(
    con: duckdb.DuckDBPyConnection,
    recipes: Sequence[Recipe],
    thresholds: Sequence[float] | None = None,
) -> dict[Recipe, pd.DataFrame]:
    """curve() for several recipes with one query: {recipe: the DataFrame curve() returns}.

    Cheaper than one curve() call per recipe when a page draws several curves at once.
    """
    recipes = list(dict.fromkeys(recipes))
    units = _units_source(con, recipes)
    values = [_threshold(t) for t in (DEFAULT_CURVE if thresholds is None else thresholds)]
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
    frame = _run(con, "curves", {"recipes": numbered, "thresholds": values}, units)
    out = {}
    for number, recipe in enumerate(recipes):
        part = frame[frame["recipe"] == number].drop(columns="recipe").reset_index(drop=True)
        if part.empty:
            raise _no_units(recipe)
        part.attrs["recipe"] = recipe
        out[recipe] = part
    return out


def _namespaces(result: duckdb.DuckDBPyConnection) -> list[SimpleNamespace]:
    columns = [d[0] for d in result.description]
    return [SimpleNamespace(**dict(zip(columns, row, strict=True))) for row in result.fetchall()]


def _no_units(recipe: Recipe) -> KBError:
    return KBError(
        f"No occupation has both {recipe.rater} labels and employment.",
        "Check the rater's label set covers occupations with employment data.",
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
        r = by_threshold[_threshold(t)]
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
    _choice(by, GROUPINGS, "grouping")
    units = _units_source(con, [recipe])
    params = {**_unit_params(recipe), "by": by, "threshold": _threshold(threshold)}
    frame = _run(con, "breakdown", params, units)
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
    units = _units_source(con, [recipe])
    frame = _run(con, "top", {**_unit_params(recipe), "least": bool(least), "n": int(n)}, units)
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
    measure = _choice(MEASURE_ALIASES.get(measure, measure), MEASURES, "measure")
    return _run(con, "unexposed", {"measure": measure, "raters": names})


def summary(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Mean and sd of exposure for every rater and measure, at task level and occupation level
    (equal and core weighting). Columns: rater, measure, level, weighting, mean, sd, n."""
    return _run(con, "summary", {})


# ---------------------------------------------------------------------------------------------
# Agreement


def cohen_kappa(confusion: pd.DataFrame) -> float:
    """Cohen's kappa from a square confusion table of counts (same categories on both axes)."""
    total = confusion.to_numpy().sum()
    if total == 0:
        return float("nan")
    observed = sum(confusion.at[c, c] for c in confusion.index) / total
    expected = sum(confusion.loc[c].sum() * confusion[c].sum() for c in confusion.index) / total**2
    return float("nan") if expected == 1 else (observed - expected) / (1 - expected)


def agreement(
    con: duckdb.DuckDBPyConnection,
    measure: str = "beta",
    level: str = "task",
    raters: tuple[str, str] = ("human", "gpt4"),
    *,
    weighting: str = "equal",
    threshold: float = 0.5,
    compare: str = "gt",
) -> Agreement:
    """Agreement of two raters under one measure.

    level 'task': each task both labelled; categories are the task values (0, 0.5, 1).
    level 'occupation': each occupation; categories are exposed / not exposed (its exposure under
    `weighting` passes `threshold` by `compare`); Pearson r uses the exposures themselves.
    Returns agreement rate, Cohen's kappa, Pearson r and the confusion table (rows: raters[0]).
    """
    measure = _choice(MEASURE_ALIASES.get(measure, measure), MEASURES, "measure")
    _choice(level, LEVELS, "level")
    _choice(weighting, WEIGHTINGS, "weighting")
    _choice(compare, COMPARISONS, "comparison")
    a, b = check_raters(con, raters)
    frame = _run(
        con,
        "agreement",
        {
            "level": level,
            "rater_a": a,
            "rater_b": b,
            "measure": measure,
            "weighting": weighting,
            "compare": compare,
            "threshold": _threshold(threshold),
        },
    )
    if frame.empty:
        raise KBError(
            f"Raters {a!r} and {b!r} have no {level} in common.",
            "Compare raters that labelled the same tasks.",
        )
    categories = sorted(set(frame.category_a) | set(frame.category_b))
    confusion = (
        frame.pivot_table(index="category_a", columns="category_b", values="n", aggfunc="sum")
        .reindex(index=categories, columns=categories)
        .fillna(0)
        .astype(int)
    )
    confusion.index.name, confusion.columns.name = a, b
    n = int(confusion.to_numpy().sum())
    agree = sum(int(confusion.at[c, c]) for c in categories) / n
    return Agreement(
        raters=(a, b),
        measure=measure,
        level=level,
        n=n,
        agreement=agree,
        kappa=cohen_kappa(confusion),
        pearson_r=float(frame.pearson_r.iloc[0]),
        confusion=confusion,
        threshold=threshold if level == "occupation" else None,
        weighting=weighting if level == "occupation" else None,
        compare=compare if level == "occupation" else None,
    )


# ---------------------------------------------------------------------------------------------
# Occupation explorer


def search_occupations(
    con: duckdb.DuckDBPyConnection, text: str = "", limit: int = 50
) -> pd.DataFrame:
    """Occupations whose title (or O*NET-SOC code) contains text, case-insensitively.
    Columns: onet_code, title, soc_code, major_group, major_group_title."""
    return con.execute(
        "SELECT o.onet_code, o.title, o.soc_code, o.major_group, g.title AS major_group_title "
        "FROM occupations o JOIN soc_major_groups g USING (major_group) "
        "WHERE o.title ILIKE '%' || ? || '%' OR o.onet_code LIKE ? || '%' "
        "ORDER BY o.title LIMIT ?",
        [text or "", text or "", int(limit)],
    ).df()


_DETAIL_SQL = """
SELECT o.onet_code, o.title, o.soc_code, o.major_group, g.title AS major_group_title,
       o.job_zone, o.education
FROM occupations o JOIN soc_major_groups g USING (major_group) WHERE o.onet_code = ?
"""
_DETAIL_EMPLOYMENT_SQL = """
SELECT employment_recipe, employment, annual_wage FROM occupation_units WHERE onet_code = ?
"""
_DETAIL_EXPOSURE_SQL = """
SELECT rater, measure, weighting, exposure, percentile
FROM (SELECT *, percent_rank() OVER (PARTITION BY rater, measure, weighting ORDER BY exposure)
                AS percentile
      FROM occupation_exposure)
WHERE onet_code = ?
ORDER BY rater, measure, weighting
"""
_DETAIL_TASKS_SQL = """
SELECT t.task_id, t.statement, t.task_type, l.rater, l.label
FROM tasks t LEFT JOIN task_labels l USING (onet_code, task_id)
WHERE t.onet_code = ?
ORDER BY t.task_type NULLS LAST, t.task_id
"""


def occupation_detail(con: duckdb.DuckDBPyConnection, onet_code: str) -> OccupationDetail:
    """One occupation: identity, employment and wage per recipe, its exposure under every rater,
    measure and weighting with its percentile among occupations (0 = lowest, 1 = highest), and its
    tasks with every rater's label (one column per rater)."""
    row = con.execute(_DETAIL_SQL, [onet_code]).fetchone()
    if row is None:
        codes = [r[0] for r in con.execute("SELECT onet_code FROM occupations").fetchall()]
        close = difflib.get_close_matches(onet_code, codes, n=3)
        hint = f"Close codes: {', '.join(close)}." if close else "Search by title first."
        raise KBError(f"No occupation {onet_code!r} in the store.", hint)
    jobs = con.execute(_DETAIL_EMPLOYMENT_SQL, [onet_code]).fetchall()
    employment = {r: None for r in EMPLOYMENT_RECIPES}
    wages = {r: None for r in EMPLOYMENT_RECIPES}
    for recipe_name, emp, wage in jobs:
        employment[recipe_name] = emp
        wages[recipe_name] = wage
    exposure = con.execute(_DETAIL_EXPOSURE_SQL, [onet_code]).df()
    long = con.execute(_DETAIL_TASKS_SQL, [onet_code]).df()
    labelled = long.dropna(subset=["rater"])
    by_rater = labelled.pivot(index="task_id", columns="rater", values="label")
    tasks = (
        long.drop_duplicates("task_id")[["task_id", "statement", "task_type"]]
        .merge(by_rater, left_on="task_id", right_index=True, how="left")
        .reset_index(drop=True)
    )
    tasks.columns.name = None
    return OccupationDetail(
        onet_code=row[0],
        title=row[1],
        soc_code=row[2],
        major_group=row[3],
        major_group_title=row[4],
        job_zone=row[5],
        education=row[6],
        employment=employment,
        annual_wage=wages,
        exposure=exposure,
        tasks=tasks,
    )
