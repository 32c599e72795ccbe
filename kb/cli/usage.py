"""`kb usage ...`: observed usage ("Working with AI") beside potential exposure, over kb.usage."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from kb import defaults, vocabulary
from kb.cli.app import KBGroup, cli
from kb.cli.options import (
    ROW_COUNT,
    db_option,
    format_option,
    measure_option,
    rater_option,
    stacked,
    vocabulary_option,
)
from kb.cli.output import emit, to_json

F = TypeVar("F", bound=Callable[..., Any])


def rater_measure_options(rater: str) -> Callable[[F], F]:
    """--rater (default `rater`) and --measure: whose exposure is set beside usage."""
    return stacked(
        [
            rater_option(rater, "Whose task labels give the exposure (any rater in the store)."),
            measure_option("beta", "Exposure measure."),
        ]
    )


@cli.group("usage", cls=KBGroup)
def usage_group() -> None:
    """Usage observed in "Working with AI" (Bing Copilot, 2024) and the Anthropic Economic
    Index (Claude, 2025).

    \b
    Example:
      kb usage coverage
      kb usage gaps --rater gpt4 --measure beta -n 10
    """


@usage_group.command("compare")
@db_option
@rater_measure_options("gpt4")
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
@rater_measure_options("gpt4")
@click.option(
    "--min-gap",
    type=click.FloatRange(0.01, 1),
    default=defaults.MIN_GAP,
    show_default=True,
    help="Smallest gap between the two percentile ranks (0-1).",
)
@click.option("-n", "n", type=ROW_COUNT, default=15, show_default=True, help="Rows per group.")
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
@rater_measure_options("gpt4")
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


@usage_group.command("claude")
@db_option
@vocabulary_option(
    "--employment", vocabulary.EMPLOYMENT_RECIPES, default="oews-2025",
    help="Whose employment each occupation's unit carries.",
)  # fmt: skip
@click.option("-n", "n", type=ROW_COUNT, default=20, show_default=True, help="Rows shown (table).")
@format_option("table", "json", "csv")
def usage_claude(db: str | None, employment: str, n: int, fmt: str) -> None:
    """Observed Claude usage per occupation (Anthropic Economic Index, 2025-02-10), with
    employment: the percent of all conversations on its tasks.

    Statements are matched to labelled O*NET tasks by normalised text; a statement shared by
    several tasks is split equally (usage_share); usage_share_unsplit gives each its whole share.

    \b
    Example:
      kb usage claude -n 10
      kb usage claude --employment oews-2021 --format csv > claude.csv
    """
    from kb import store
    from kb.usage import aei

    with store.connect(db) as con:
        summary = aei.match_summary(con)
        frame = aei.stored_occupation_usage(con, employment)
    if fmt == "json":
        click.echo(to_json({"release": aei.RELEASE.release, "employment": employment,
                            "match": summary, "occupations": frame}))  # fmt: skip
        return
    if fmt == "csv":
        emit(frame, "csv")
        return
    click.echo(_match_line(summary))
    emit(frame.head(n).round({"usage_share": 3, "usage_share_unsplit": 3}), "table")


def _match_line(summary: dict[str, float]) -> str:
    return (
        f"{summary['statements_matched']:,} of {summary['statements']:,} task statements "
        f"({summary['match_rate']:.1%}) match a labelled O*NET task; they carry "
        f"{summary['pct_matched']:.1f}% of the conversations (kb usage unmatched lists the rest)"
    )


@usage_group.command("unmatched")
@db_option
@click.option("-n", "n", type=ROW_COUNT, default=20, show_default=True, help="Rows shown (table).")
@format_option("table", "json", "csv")
def usage_unmatched(db: str | None, n: int, fmt: str) -> None:
    """Economic Index task statements that match no labelled O*NET task, largest share first.

    \b
    Example:
      kb usage unmatched -n 10
    """
    from kb import store
    from kb.usage import aei

    with store.connect(db) as con:
        summary = aei.match_summary(con)
        frame = aei.unmatched(con)
    if fmt == "json":
        click.echo(to_json({"match": summary, "unmatched": frame}))
        return
    if fmt == "table":
        click.echo(_match_line(summary))
        frame = frame.head(n)
    emit(frame, fmt)


@usage_group.command("by-label")
@db_option
@format_option("table", "json", "csv")
def usage_by_label_cmd(db: str | None, fmt: str) -> None:
    """How observed Claude usage falls on potential exposure: the share of conversations on
    tasks each rater (humans, GPT-4) labelled E0, E1 and E2.

    pct: percent of all conversations; share_of_matched: of the conversations on matched tasks.

    \b
    Example:
      kb usage by-label --format json
    """
    from kb import store
    from kb.usage import aei

    with store.connect(db) as con:
        frame = aei.stored_usage_by_label(con)
    emit(frame.round(4) if fmt == "table" else frame, fmt)


@usage_group.command("claude-gaps")
@db_option
@rater_measure_options("human")
@click.option(
    "--exposure-cut",
    type=click.FloatRange(0, 1),
    default=0.5,
    show_default=True,
    help="'Exposed, not used': exposure above this and no observed conversation.",
)
@click.option(
    "--usage-percentile",
    type=click.FloatRange(0, 1),
    default=0.9,
    show_default=True,
    help="'Used, not exposed': usage at or above this percentile, exposure <= 0.1.",
)
@format_option("table", "json", "csv")
def usage_claude_gaps(
    db: str | None, rater: str, measure: str, exposure_cut: float, usage_percentile: float,
    fmt: str,
) -> None:  # fmt: skip
    """Occupations with high potential exposure and no observed Claude use, and the reverse.

    \b
    Example:
      kb usage claude-gaps --rater gpt4 --exposure-cut 0.6
    """
    from kb import store
    from kb.usage import aei

    with store.connect(db) as con:
        frame = aei.gaps(con, rater, measure, exposure_cut, usage_percentile)
    emit(frame.round(4) if fmt == "table" else frame, fmt)


@usage_group.command("correlations")
@db_option
@rater_measure_options("human")
@format_option("table", "json", "csv")
def usage_correlations(db: str | None, rater: str, measure: str, fmt: str) -> None:
    """Rank correlation of potential exposure with each observed usage source (the Economic
    Index and "Working with AI"), at occupation level.

    \b
    Example:
      kb usage correlations --rater gpt4
    """
    from kb import store
    from kb.usage import aei

    with store.connect(db) as con:
        frame = aei.correlations(con, rater, measure)
    emit(frame.round(3) if fmt == "table" else frame, fmt)
