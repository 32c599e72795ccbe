"""Employment vintages side by side: the same share under several employment recipes, what each
leaves out, what moved the share between two OEWS years, and today's O*NET tasks against the
labelled ones. Pure functions of a store connection (the SQL is kb/schema/30_vintages.sql).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import duckdb
import pandas as pd

from kb.exposure.recipe import Recipe, check_employment, check_threshold
from kb.exposure.shares import shares

SHIFT_SHARE_DEFAULT = ("oews-2021", "oews-2025")


def by_vintage(
    con: duckdb.DuckDBPyConnection,
    recipes: Sequence[str],
    thresholds: Sequence[float],
    base: Recipe,
) -> pd.DataFrame:
    """One row per employment recipe and threshold: the share of workers and occupations above
    it under `base` with that recipe's employment, and the workers counted and left out."""
    rows = []
    for name in recipes:
        chosen = replace(base, employment=check_employment(name)).checked(con)
        for result in shares(con, list(thresholds), chosen):
            cover = result.coverage
            rows.append(
                {
                    "employment": name,
                    "threshold": result.threshold,
                    "share_workers": result.share_workers,
                    "share_occupations": result.share_occupations,
                    "workers_exposed": result.workers_exposed,
                    "workers_counted": cover.workers_counted,
                    "workers_left_out": cover.workers_left_out,
                    "all_workers": cover.all_workers,
                    "occupations_counted": cover.occupations_counted,
                    "recipe": chosen.describe(result.threshold),
                }
            )
    return pd.DataFrame(rows)


def left_out(con: duckdb.DuckDBPyConnection, employment: str) -> pd.DataFrame:
    """Every code an employment recipe leaves out of its shares, and why: side ('oews' or 'nem':
    source rows no labelled O*NET occupation reaches, their workers uncounted; 'onet': labelled
    occupations without employment), code, title, employment, reason and its explanation
    (kb.exposure.oews.LEFT_OUT_REASONS). Largest employment first."""
    from kb.exposure.oews import LEFT_OUT_REASONS

    frame = con.execute(
        "SELECT side, code, title, employment, reason FROM employment_left_out_all "
        "WHERE employment_recipe = ? ORDER BY side DESC, employment DESC NULLS LAST, code",
        [check_employment(employment)],
    ).df()
    frame["why"] = frame["reason"].map(LEFT_OUT_REASONS)
    return frame


def shift_share(
    con: duckdb.DuckDBPyConnection,
    recipe: Recipe,
    threshold: float,
    start: str = SHIFT_SHARE_DEFAULT[0],
    end: str = SHIFT_SHARE_DEFAULT[1],
) -> pd.DataFrame:
    """What moved the share of workers above `threshold` from employment `start` to `end`, per
    unit (see the macro exposure_shift_share_of): employment then and now, the change, and the
    employment effect (its growth or shrinkage), the exposure effect and their total, in
    fractions of all workers counted. The total effects sum to share(end) - share(start).
    Largest absolute total first. recipe gives rater, measure, weighting and comparison."""
    recipe = recipe.checked(con)
    params = [
        check_employment(start),
        check_employment(end),
        check_threshold(threshold),
        recipe.compare == "ge",
        recipe.rater,
        recipe.measure,
        recipe.weighting,
    ]
    return con.execute(
        "SELECT unit_code, title, employment_start, employment_end, employment_change, "
        "exposure_start, exposure_end, employment_effect, exposure_effect, total_effect "
        "FROM exposure_shift_share_of(?, ?, ?, ?) "
        "WHERE rater = ? AND measure = ? AND weighting = ? "
        "ORDER BY abs(total_effect) DESC, unit_code",
        params,
    ).df()


# --- Tasks then (O*NET 27.2, labelled) and now (O*NET 29.3) --------------------------------


def task_status(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """How many labelled tasks were kept (by id, by statement) or dropped, and how many of
    today's tasks no labelled task reaches ('new, unlabelled'): status, tasks, explanation."""
    from kb.exposure.onet_tasks import TASK_STATUSES

    frame = con.execute(
        "SELECT status, count(*) AS tasks FROM task_changes GROUP BY status "
        "UNION ALL SELECT 'new_unlabelled', count(*) FROM onet_tasks_unlabelled"
    ).df()
    explain = {**TASK_STATUSES, "new_unlabelled": "in O*NET 29.3, reached by no labelled task"}
    order = list(explain)
    frame["explanation"] = frame["status"].map(explain)
    frame["order"] = frame["status"].map(order.index)
    return frame.sort_values("order").drop(columns="order").reset_index(drop=True)


def task_coverage(con: duckdb.DuckDBPyConnection, least: int | None = None) -> pd.DataFrame:
    """Per occupation of today's O*NET: tasks today, how many a labelled task reaches, and that
    share (the view onet_task_coverage); with `least`, only that many, lowest share first."""
    frame = con.execute(
        "SELECT * FROM onet_task_coverage ORDER BY share_labelled, onet_code"
        if least is not None
        else "SELECT * FROM onet_task_coverage"
    ).df()
    return frame.head(least) if least is not None else frame


def occupation_task_changes(con: duckdb.DuckDBPyConnection, onet_code: str) -> pd.DataFrame:
    """One occupation's tasks then and now: each labelled task with its status (kept_id,
    kept_statement, dropped), and each of today's tasks no label reaches ('new_unlabelled')."""
    return con.execute(
        "SELECT t.task_id, t.statement, c.status, c.current_task_id "
        "FROM tasks t JOIN task_changes c USING (onet_code, task_id) WHERE t.onet_code = ? "
        "UNION ALL "
        "SELECT NULL, statement, 'new_unlabelled', task_id FROM onet_tasks_unlabelled "
        "WHERE onet_code = ? ORDER BY 3, 1, 4",
        [onet_code, onet_code],
    ).df()
