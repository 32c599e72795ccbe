"""Occupations for the explorer: find one by title or code, and see everything about it."""

from __future__ import annotations

from dataclasses import dataclass, field

import duckdb
import pandas as pd

from kb import sql
from kb.errors import KBError, did_you_mean
from kb.vocabulary import EMPLOYMENT_RECIPES


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
    employment: dict[str, float | None]  # by employment recipe (kb.vocabulary.EMPLOYMENT_RECIPES)
    annual_wage: dict[str, float | None]
    # rater, measure, weighting, exposure, percentile, rank_from_top, tied, occupations
    exposure: pd.DataFrame = field(compare=False)
    tasks: pd.DataFrame = field(compare=False)  # task_id, statement, task_type, a column per rater
    # By employment recipe: how many labelled O*NET occupations share the employment shown (the
    # same OEWS code, or under 'paper' the same NEM occupation, counted once for each of them).
    shared_by: dict[str, int] = field(default_factory=dict)


def search_occupations(
    con: duckdb.DuckDBPyConnection, text: str = "", limit: int = 50
) -> pd.DataFrame:
    """Occupations whose title (or O*NET-SOC code) contains text, case-insensitively.
    Columns: onet_code, title, soc_code, major_group, major_group_title."""
    return sql.execute(con, "occupation_search", {"text": text or "", "limit": int(limit)}).df()


def occupation_detail(con: duckdb.DuckDBPyConnection, onet_code: str) -> OccupationDetail:
    """One occupation: identity, employment and wage per recipe, its exposure under every rater,
    measure and weighting with its percentile among occupations (0 = lowest, 1 = highest), and its
    tasks with every rater's label (one column per rater)."""
    code = {"onet_code": onet_code}
    rows = sql.execute(con, "occupation", code).fetchall()
    if not rows:
        codes = [r[0] for r in con.execute("SELECT onet_code FROM occupations").fetchall()]
        close = did_you_mean(onet_code, codes)
        hint = f"{close[0].upper()}{close[1:]}" if close else "Search by title first."
        raise KBError(f"No occupation {onet_code!r} in the store.", hint)
    row = rows[0]
    jobs = con.execute(
        "SELECT employment_recipe, employment, annual_wage FROM occupation_units "
        "WHERE onet_code = ?",
        [onet_code],
    ).fetchall()
    employment: dict[str, float | None] = dict.fromkeys(EMPLOYMENT_RECIPES)
    wages: dict[str, float | None] = dict.fromkeys(EMPLOYMENT_RECIPES)
    for recipe_name, emp, wage in jobs:
        employment[recipe_name] = emp
        wages[recipe_name] = wage
    shared_by = {
        recipe_name: int(n)
        for recipe_name, n in sql.execute(con, "occupation_shared_employment", code).fetchall()
    }
    exposure = sql.execute(con, "occupation_exposure_percentiles", code).df()
    long = sql.execute(con, "occupation_tasks", code).df()
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
        shared_by=shared_by,
    )
