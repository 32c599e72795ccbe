"""`kb verify`: recompute the paper's published figures from the store and compare.

The figures, their sources (quote and location) and tolerances live in data/published.yml.
verify() returns one row per figure; the CLI prints it and exits non-zero when one drifts
beyond its tolerance, and the dashboard shows the same table.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
import yaml

from kb import config, exposure, sql
from kb.errors import KBError
from kb.vocabulary import PUBLISHED_KINDS

PUBLISHED_NAME = "published.yml"

TASK_MEAN_SQL = "SELECT avg(value) FROM task_exposure WHERE rater = ? AND measure = ?"


def load_published(path: str | os.PathLike[str] | None = None) -> list[dict[str, Any]]:
    """The figures of data/published.yml, checked for the fields each kind needs."""
    path = Path(path) if path else config.data_dir() / PUBLISHED_NAME
    try:
        figures = (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("figures")
    except (OSError, yaml.YAMLError) as exc:
        raise KBError(
            f"Cannot read the published figures {path}: {exc}", "Restore data/published.yml."
        ) from exc
    if not isinstance(figures, list) or not figures:
        raise KBError(f"{path}: no 'figures' list.", "See data/published.yml for the format.")
    for i, figure in enumerate(figures, start=1):
        where = f"{path.name}: figure {i} ({figure.get('id', '?')})"
        for key in ("id", "kind", "published", "tolerance", "source"):
            if key not in figure:
                raise KBError(f"{where}: '{key}' is missing.", "Every figure needs it.")
        if figure["kind"] not in PUBLISHED_KINDS:
            raise KBError(
                f"{where}: unknown kind {figure['kind']!r}.",
                f"Use one of {', '.join(PUBLISHED_KINDS)}.",
            )
    return figures


def _reproduce(con: duckdb.DuckDBPyConnection, figure: dict[str, Any]) -> tuple[float, str]:
    kind = figure["kind"]
    if kind == "share_workers":
        recipe = exposure.Recipe(**figure["recipe"])
        result = exposure.shares(con, [float(figure["threshold"])], recipe)[0]
        return result.share_workers, recipe.describe(float(figure["threshold"]))
    if kind == "task_mean":
        measure = exposure.check_measure(figure["measure"])
        exposure.check_raters(con, [figure["rater"]])
        (value,) = con.execute(TASK_MEAN_SQL, [figure["rater"], measure]).fetchall()[0]
        return float(value), f"{figure['rater']} labels, {measure}, mean over all tasks"
    value, n = sql.execute(con, "occ_level_difference").fetchall()[0]
    if not n:
        raise KBError(
            "The store holds no reference occupation exposure (occ_level.csv).",
            "Rebuild it with `kb build`.",
        )
    return float(
        value
    ), f"core-weighted occupation exposure, {n} occupation x rater x measure values"


def verify(
    con: duckdb.DuckDBPyConnection, path: str | os.PathLike[str] | None = None
) -> pd.DataFrame:
    """One row per published figure: id, description, published, reproduced, difference,
    tolerance, ok (|difference| <= tolerance), recipe (how it was recomputed), source."""
    rows = []
    for figure in load_published(path):
        reproduced, how = _reproduce(con, figure)
        published = float(figure["published"])
        difference = reproduced - published
        rows.append(
            {
                "id": figure["id"],
                "description": figure.get("description", ""),
                "published": published,
                "reproduced": reproduced,
                "difference": difference,
                "tolerance": float(figure["tolerance"]),
                "ok": bool(abs(difference) <= float(figure["tolerance"])),
                "recipe": how,
                "source": " ".join(str(figure["source"]).split()),
            }
        )
    return pd.DataFrame(rows)
