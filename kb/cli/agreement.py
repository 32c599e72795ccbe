"""`kb exposure agreement` (two raters in full) and `kb exposure agreement-matrix` (every pair,
one figure): thin wrappers over kb.exposure's agreement functions."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from kb import vocabulary
from kb.cli.exposure import exposure
from kb.cli.options import (
    compare_option,
    db_option,
    format_option,
    measure_option,
    raters_option,
    vocabulary_option,
    weighting_option,
)
from kb.cli.output import emit, to_json

if TYPE_CHECKING:
    from kb.exposure import Agreement


@exposure.command()
@db_option
@raters_option("human,gpt4", "The two raters to compare, comma-separated.")
@measure_option(None, "One measure (default: all three).")
@vocabulary_option("--level", vocabulary.LEVELS, default=None, help="One level (default: both).")
@click.option(
    "--threshold",
    type=float,
    default=0.5,
    show_default=True,
    help="Occupation level: exposed means exposure passes this.",
)
@weighting_option
@compare_option
@vocabulary_option(
    "--employment",
    vocabulary.EMPLOYMENT_RECIPES,
    default=None,
    help="Occupation level: compare the units this employment recipe counts (OEWS codes after "
    "roll-up), each once, not weighted by employment (default: O*NET occupations, the paper's).",
)
@click.option("--confusion", is_flag=True, help="Also print each confusion matrix.")
@format_option("table", "json")
def agreement(
    db: str | None,
    raters: str,
    measure: str | None,
    level: str | None,
    threshold: float,
    weighting: str,
    compare: str,
    employment: str | None,
    confusion: bool,
    fmt: str,
) -> None:
    """Agreement of two raters: agreement rate, Cohen's kappa, Pearson r, confusion matrix.

    \b
    Example:
      kb exposure agreement
      kb exposure agreement --raters human,gpt4_alt --measure beta --level task --confusion
      kb exposure agreement --level occupation --employment oews-2025
    """
    pair = tuple(r.strip() for r in raters.split(","))
    if len(pair) != 2:
        raise click.BadParameter("give exactly two raters, e.g. human,gpt4", param_hint="--raters")
    if employment and level == "task":
        raise click.UsageError("--employment applies at occupation level only, not --level task.")
    import pandas as pd

    from kb import exposure as kbexposure
    from kb import store

    measures = [measure] if measure else list(vocabulary.MEASURES)
    levels = [level] if level else list(vocabulary.LEVELS)
    with store.connect(db) as con:
        results = [
            kbexposure.agreement(
                con,
                m,
                lv,
                pair,
                weighting=weighting,
                threshold=threshold,
                compare=compare,
                employment=employment if lv == "occupation" else None,
            )
            for m in measures
            for lv in levels
        ]
    if fmt == "json":
        click.echo(to_json([r.as_dict() for r in results]))
        return
    frame = pd.DataFrame(
        [
            {
                "measure": r.measure,
                "level": r.level,
                "n": r.n,
                "agreement": f"{r.agreement:.1%}",
                "kappa": round(r.kappa, 3),
                "pearson_r": round(r.pearson_r, 3),
                "categories": _categories(r),
            }
            for r in results
        ]
    )
    click.echo(f"raters: {pair[0]} (rows) vs {pair[1]} (columns)")
    if employment:
        click.echo(
            f"occupations: the units of {employment}: {vocabulary.EMPLOYMENT_RECIPES[employment]}"
        )
    emit(frame, "table")
    if confusion:
        for r in results:
            click.echo(f"\n{r.measure}, {r.level}:")
            click.echo(r.confusion.to_string())


def _categories(result: Agreement) -> str:
    """What the categories compared are: task values, or exposed / not exposed occupations."""
    if result.level == "task" or result.compare is None or result.threshold is None:
        return "task values 0/0.5/1"
    sign = vocabulary.COMPARISON_SIGNS[result.compare]
    return f"exposed: {result.weighting} exposure {sign} {result.threshold:g}"


@exposure.command("agreement-matrix")
@db_option
@measure_option("beta")
@vocabulary_option("--level", vocabulary.LEVELS, default="task")
@vocabulary_option(
    "--metric",
    vocabulary.AGREEMENT_METRICS,
    default="kappa",
    help="Which agreement figure fills the matrix, at either level.",
)
@vocabulary_option(
    "--employment",
    vocabulary.EMPLOYMENT_RECIPES,
    default=None,
    help="With --level occupation: compare the units this employment recipe counts, each once "
    "(default: O*NET occupations).",
)
@format_option("table", "json", "csv")
def agreement_matrix(
    db: str | None, measure: str, level: str, metric: str, employment: str | None, fmt: str
) -> None:
    """Agreement between every pair of raters (built-in and ingested) as a matrix.

    \b
    Example:
      kb exposure agreement-matrix --measure beta --level task --metric kappa
      kb exposure agreement-matrix --level occupation --format json
      kb exposure agreement-matrix --level occupation --employment oews-2025
    """
    if employment and level != "occupation":
        raise click.UsageError(
            "--employment applies at occupation level only: add --level occupation."
        )
    from kb import exposure as kbexposure
    from kb import store

    with store.connect(db) as con:
        frame = kbexposure.agreement_matrix(con, measure, level, metric, employment=employment)
    if fmt == "json":
        click.echo(
            to_json(
                {
                    "measure": measure,
                    "level": level,
                    "metric": frame.attrs.get("metric"),
                    **({"employment": employment} if employment else {}),
                    "matrix": {r: dict(frame.loc[r]) for r in frame.index},
                }
            )
        )
        return
    emit(frame.reset_index(names="rater"), fmt)
