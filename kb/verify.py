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

from kb import config, exposure
from kb.errors import KBError

PUBLISHED_NAME = "published.yml"
KINDS = ("share_workers", "task_mean", "occ_level_max_abs_diff")

TASK_MEAN_SQL = "SELECT avg(value) FROM task_exposure WHERE rater = ? AND measure = ?"
OCC_LEVEL_SQL = """
SELECT max(abs(r.exposure - e.exposure)), count(*)
FROM reference_occupation_exposure r
JOIN occupation_exposure e
  ON e.onet_code = r.onet_code AND e.rater = r.rater AND e.measure = r.measure
 AND e.weighting = 'core'
"""


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
        if figure["kind"] not in KINDS:
            raise KBError(
                f"{where}: unknown kind {figure['kind']!r}.", f"Use one of {', '.join(KINDS)}."
            )
    return figures


def _reproduce(con: duckdb.DuckDBPyConnection, figure: dict[str, Any]) -> tuple[float, str]:
    kind = figure["kind"]
    if kind == "share_workers":
        recipe = exposure.Recipe(**figure["recipe"])
        result = exposure.share(con, float(figure["threshold"]), recipe)
        return result.share_workers, recipe.describe(float(figure["threshold"]))
    if kind == "task_mean":
        measure = exposure.MEASURE_ALIASES.get(figure["measure"], figure["measure"])
        exposure.check_raters(con, [figure["rater"]])
        value = con.execute(TASK_MEAN_SQL, [figure["rater"], measure]).fetchone()[0]
        return float(value), f"{figure['rater']} labels, {measure}, mean over all tasks"
    value, n = con.execute(OCC_LEVEL_SQL).fetchone()
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
