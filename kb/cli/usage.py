"""`kb usage ...`: observed usage ("Working with AI") beside potential exposure, over kb.usage."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from kb import defaults, vocabulary
from kb.cli.app import (
    KBGroup,
    cli,
    db_option,
    emit,
    format_option,
    measure_option,
    to_json,
    vocabulary_option,
)

F = TypeVar("F", bound=Callable[..., Any])


def analysis_options(func: F) -> F:
    """--rater and --measure: whose exposure is set beside usage."""
    func = measure_option("beta", "Exposure measure.")(func)
    return click.option(
        "--rater",
        default="gpt4",
        show_default=True,
        help="Whose task labels give the exposure (any rater in the store).",
    )(func)


@cli.group("usage", cls=KBGroup)
def usage_group() -> None:
    """Observed usage ("Working with AI", Bing Copilot 2024) beside GPT-4-era exposure.

    \b
    Example:
      kb usage coverage
      kb usage gaps --rater gpt4 --measure beta -n 10
    """


@usage_group.command("compare")
@db_option
@analysis_options
@format_option("table", "json", "csv")
def usage_compare(db: str | None, rater: str, measure: str, fmt: str) -> None:
    """Exposure and usage per SOC code, with Spearman's rank correlation.

    \b
    Example:
      kb usage compare --rater gpt4 --measure beta
      kb usage compare --rater human --format json
    """
    from kb import store, usage

    with store.connect(db) as con:
        rho = usage.rank_correlation(con, rater, measure)
        frame = usage.comparison(con, rater, measure)
    if fmt == "json":
        click.echo(
            to_json(
                {
                    "spearman_rho": rho.rho,
                    "n": rho.n,
                    "rater": rater,
                    "measure": rho.measure,
                    "rows": frame,
                }
            )
        )
        return
    emit(frame.drop(columns=["onet_codes"]), fmt)
    if fmt == "table":
        click.echo(rho.describe())


@usage_group.command("gaps")
@db_option
@analysis_options
@click.option(
    "--min-gap",
    type=click.FloatRange(0.01, 1),
    default=defaults.MIN_GAP,
    show_default=True,
    help="Smallest gap between the two percentile ranks (0-1).",
)
@click.option(
    "-n", "n", type=click.IntRange(1), default=15, show_default=True, help="Rows per group."
)
@format_option("table", "json", "csv")
def usage_gaps(db: str | None, rater: str, measure: str, min_gap: float, n: int, fmt: str) -> None:
    """Occupations highly exposed but little used, and the reverse.

    Percentile ranks of exposure and of usage among matched SOC codes; an occupation is listed
    when its exposure rank is at least MIN_GAP above its usage rank (or below it).

    \b
    Example:
      kb usage gaps --rater gpt4 --min-gap 0.4 -n 10
    """
    from kb import store, usage

    with store.connect(db) as con:
        emit(usage.gaps(con, rater, measure, min_gap, n), fmt)


@usage_group.command("coverage")
@db_option
@vocabulary_option(
    "--employment",
    vocabulary.EMPLOYMENT_VINTAGES,
    default="oews-2021",
    help="Whose employment the matched codes carry.",
)
@format_option("table", "json", "csv")
def usage_coverage(db: str | None, employment: str, fmt: str) -> None:
    """How the SOC codes of the two data sets match: codes, occupations and employment.

    Rule 'crosswalk' (used): O*NET-SOC -> NEM code via the BLS crosswalk. Rule 'truncate' (for
    comparison): the first 7 characters of the O*NET-SOC code.

    \b
    Example:
      kb usage coverage
      kb usage coverage --format json
    """
    from kb import store, usage

    with store.connect(db) as con:
        emit(usage.coverage(con, employment), fmt)


@usage_group.command("distribution")
@db_option
@analysis_options
@click.option(
    "--bins",
    type=click.IntRange(1, 100),
    default=10,
    show_default=True,
    help="Equal-width bins from 0 to 1.",
)
@format_option("table", "json", "csv")
def usage_distribution(db: str | None, rater: str, measure: str, bins: int, fmt: str) -> None:
    """Employment-weighted distributions of exposure and usage (share of workers per bin).

    \b
    Example:
      kb usage distribution --bins 10
    """
    from kb import store, usage

    with store.connect(db) as con:
        emit(usage.weighted_distribution(con, rater, measure, bins), fmt)
