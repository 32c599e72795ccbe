"""Rater agreement: how far two raters' labels (or every pair's) give the same exposure.

At task level the categories are the task values (0, 0.5, 1); at occupation level an occupation
is exposed or not (its exposure passes a threshold). The occupations are O*NET's, or with an
employment recipe the units that recipe counts (OEWS codes after roll-up under oews-2025), each
counted once: employment decides which units are compared, it does not weight them.
kb/sql/agreement.sql counts the pairs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

import duckdb
import pandas as pd

from kb import sql
from kb.errors import KBError
from kb.exposure.raters import check_raters, raters
from kb.exposure.recipe import (
    Recipe,
    check_comparison,
    check_measure,
    check_threshold,
    check_weighting,
    term,
)
from kb.exposure.shares import STORED_UNITS, units_source
from kb.vocabulary import AGREEMENT_METRICS, LEVELS, AgreementMetric

# The figures agreement_matrix() can show (kb.vocabulary.AGREEMENT_METRICS), in display order.
MATRIX_METRICS: tuple[AgreementMetric, ...] = cast(
    tuple[AgreementMetric, ...], tuple(AGREEMENT_METRICS)
)


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
    employment: str | None = None  # occupation level: whose units (None: O*NET occupations)

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
            # only when a recipe was chosen, so the default output is what it always was
            **({"employment": self.employment} if self.employment else {}),
            "confusion": {
                str(r): {str(c): int(v) for c, v in row.items()}
                for r, row in self.confusion.iterrows()
            },
        }


def cohen_kappa(confusion: pd.DataFrame) -> float:
    """Cohen's kappa from a square confusion table of counts (same categories on both axes)."""
    counts = confusion.reindex(columns=confusion.index).to_numpy()  # same order on both axes
    total = counts.sum()
    if total == 0:
        return float("nan")
    observed = counts.trace() / total
    expected = (counts.sum(axis=1) * counts.sum(axis=0)).sum() / total**2
    return float("nan") if expected == 1 else float((observed - expected) / (1 - expected))


def agreement(
    con: duckdb.DuckDBPyConnection,
    measure: str = "beta",
    level: str = "task",
    raters: tuple[str, str] = ("human", "gpt4"),
    *,
    weighting: str = "equal",
    threshold: float = 0.5,
    compare: str = "gt",
    employment: str | None = None,
) -> Agreement:
    """Agreement of two raters under one measure.

    level 'task': each task both labelled; categories are the task values (0, 0.5, 1).
    level 'occupation': each occupation; categories are exposed / not exposed (its exposure under
    `weighting` passes `threshold` by `compare`); Pearson r uses the exposures themselves.
    employment (occupation level only): compare the units this kb.vocabulary.EMPLOYMENT_RECIPES
    recipe counts (its units with employment, e.g. OEWS codes) instead of O*NET occupations; each
    unit counts once (not weighted by employment). None keeps O*NET occupations.
    Returns agreement rate, Cohen's kappa, Pearson r and the confusion table (rows: raters[0]).
    """
    measure = check_measure(measure)
    term(level, LEVELS, "level")
    check_weighting(weighting)
    check_comparison(compare)
    a, b = check_raters(con, raters)
    units = STORED_UNITS
    if employment is not None:
        if level != "occupation":
            raise KBError(
                f"An employment recipe ({employment!r}) applies at occupation level only.",
                "Use level 'occupation', or leave the employment recipe out.",
            )
        # Recipe.parse refuses an unknown recipe; units_source picks stored or computed rows
        units = units_source(
            con, [Recipe.parse(r, measure, weighting, compare, employment) for r in (a, b)]
        )
    frame = sql.execute(
        con,
        "agreement",
        {
            "level": level,
            "rater_a": a,
            "rater_b": b,
            "measure": measure,
            "weighting": weighting,
            "compare": compare,
            "threshold": check_threshold(threshold),
            "employment": employment,
        },
        exposure_units=units,  # a constant from units_source(), never user input
    ).df()
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
    agree = int(confusion.to_numpy().trace()) / n
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
        employment=employment,
    )


def agreement_matrix(
    con: duckdb.DuckDBPyConnection,
    measure: str = "beta",
    level: str = "task",
    metric: str | None = None,
    **options: Any,
) -> pd.DataFrame:
    """One agreement figure for every pair of raters in the store, as a square matrix.

    Built on agreement() (pairwise; options such as threshold, weighting, compare are passed on
    for the occupation level), so an ingested rater joins the matrix with no code change.
    metric: one of kb.vocabulary.AGREEMENT_METRICS (default kappa). The diagonal is each rater
    against itself. The frame's attrs carry measure, level, metric.
    """
    metric = term(metric or "kappa", AGREEMENT_METRICS, "agreement metric")
    names = raters(con)
    matrix = pd.DataFrame(index=pd.Index(names, name="rater"), columns=names, dtype=float)
    for i, a in enumerate(names):
        for b in names[i:]:
            result = agreement(con, measure, level, (a, b), **options)
            value = float(getattr(result, metric))
            matrix.at[a, b] = matrix.at[b, a] = value
    matrix.attrs.update(measure=measure, level=level, metric=metric)
    return matrix
