"""`kb exposure ...`: shares, curve, breakdowns, top, unexposed, summary, search, occupation.

Thin wrappers over kb.exposure; rater agreement is in kb.cli.agreement.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from kb import vocabulary
from kb.cli.app import (
    KBGroup,
    cli,
    db_option,
    emit,
    format_option,
    measure_option,
    percent,
    raters_option,
    recipe,
    recipe_options,
    split_raters,
    thousands,
    to_json,
    vocabulary_option,
)

if TYPE_CHECKING:
    from kb.exposure import Coverage, Recipe


@cli.group(cls=KBGroup)
def exposure() -> None:
    """Task exposure to LLMs ("GPTs are GPTs") and the share of workers exposed.

    Every figure names its recipe: rater, measure (alpha = E1, beta = E1 + 0.5*E2,
    zeta = E1 + E2), task weighting, comparison and employment source. The defaults
    reproduce the paper (human, beta, equal, gt, paper).

    \b
    Example:
      kb exposure share --threshold 0.1 --threshold 0.5
      kb exposure share --rater gpt4 --measure zeta --employment oews-2021 --format json
    """


def _echo_recipe(chosen: Recipe, coverage: Coverage | None = None) -> None:
    click.echo(f"recipe: {chosen.describe()}")
    click.echo(f"employment: {chosen.explain_employment()}")
    if coverage is not None:
        click.echo(f"coverage: {coverage.note()}")


@exposure.command()
@db_option
@click.option(
    "--threshold",
    "-t",
    "thresholds",
    type=float,
    multiple=True,
    help="Exposure threshold, a fraction of tasks (repeatable; default 0.1 and 0.5).",
)
@recipe_options
@vocabulary_option(
    "--by", vocabulary.GROUPINGS, default=None, help="Break the share down by one of these."
)
@format_option("table", "csv", "json")
def share(
    db: str | None,
    thresholds: tuple[float, ...],
    rater: str,
    measure: str,
    weighting: str,
    compare: str,
    employment: str,
    by: str | None,
    fmt: str,
) -> None:
    """Share of workers (and occupations) whose occupation's exposure passes a threshold.

    \b
    Example:
      kb exposure share                                   # the paper: ~80% at 10%, ~19% at 50%
      kb exposure share -t 0.1 --rater gpt4 --measure zeta --compare ge
      kb exposure share -t 0.5 --by wage_quintile --format json
    """
    import pandas as pd

    from kb import exposure as kbexposure
    from kb import store

    chosen = recipe(rater, measure, weighting, compare, employment)
    values = list(thresholds) or list(kbexposure.DEFAULT_THRESHOLDS)
    with store.connect(db) as con:
        results = kbexposure.shares(con, values, chosen)
        groups = (
            None if by is None else {t: kbexposure.breakdown(con, by, t, chosen) for t in values}
        )
    cover = results[0].coverage
    if fmt == "json":
        payload: dict[str, Any] = {
            "recipe": chosen.as_dict(),
            "recipe_text": chosen.describe(),
            "employment_text": chosen.explain_employment(),
            "coverage": vars(cover),
            "shares": [
                {k: v for k, v in r.as_dict().items() if not k.startswith(("coverage_", "recipe"))}
                for r in results
            ],
        }
        if groups is not None:
            payload["by"] = by
            payload["groups"] = {str(t): g for t, g in groups.items()}
        click.echo(to_json(payload))
        return
    if groups is not None:
        frame = pd.concat([g.assign(threshold=t) for t, g in groups.items()], ignore_index=True)
        if fmt == "csv":
            emit(frame, "csv")
            return
        _echo_recipe(chosen, cover)
        shown = frame[
            [
                "threshold",
                "group_key",
                "group_label",
                "workers",
                "share_exposed",
                "mean_exposure",
                "occupations",
            ]
        ]
        shown = thousands(percent(shown, ["share_exposed", "mean_exposure"]), ["workers"])
        emit(shown.fillna({"group_key": "(none)", "group_label": "(not known)"}), "table")
        return
    frame = pd.DataFrame(
        [
            {
                "threshold": r.threshold,
                "share_workers": r.share_workers,
                "share_occupations": r.share_occupations,
                "workers_exposed": r.workers_exposed,
                "workers_counted": cover.workers_counted,
                "occupations_exposed": r.occupations_exposed,
                "occupations_counted": cover.occupations_counted,
            }
            for r in results
        ]
    )
    if fmt == "csv":
        emit(frame, "csv")
        return
    _echo_recipe(chosen, cover)
    shown = percent(frame, ["threshold", "share_workers", "share_occupations"])
    shown["workers_exposed"] = frame["workers_exposed"].map("{:,.0f}".format)
    shown["workers_counted"] = frame["workers_counted"].map("{:,.0f}".format)
    emit(shown, "table")


@exposure.command()
@db_option
@recipe_options
@click.option(
    "--points",
    type=click.IntRange(2, 10001),
    default=101,
    show_default=True,
    help="Number of evenly spaced thresholds from 0 to 1.",
)
@format_option("table", "csv", "json")
def curve(
    db: str | None,
    rater: str,
    measure: str,
    weighting: str,
    compare: str,
    employment: str,
    points: int,
    fmt: str,
) -> None:
    """Share of workers and occupations exposed against the threshold, 0 to 1.

    \b
    Example:
      kb exposure curve --points 11
      kb exposure curve --rater gpt4 --format csv > curve.csv
    """
    from kb import exposure as kbexposure
    from kb import store

    chosen = recipe(rater, measure, weighting, compare, employment)
    thresholds = [i / (points - 1) for i in range(points)]
    with store.connect(db) as con:
        frame = kbexposure.curve(con, chosen, thresholds)
    frame = frame[
        [
            "threshold",
            "share_workers",
            "share_occupations",
            "workers_exposed",
            "occupations_exposed",
        ]
    ]
    if fmt == "json":
        click.echo(
            to_json({"recipe": chosen.as_dict(), "recipe_text": chosen.describe(), "points": frame})
        )
    elif fmt == "csv":
        emit(frame, "csv")
    else:
        _echo_recipe(chosen)
        shown = percent(frame, ["share_workers", "share_occupations"])
        emit(thousands(shown, ["workers_exposed"]), "table")


@exposure.command()
@db_option
@recipe_options
@click.option("-n", "n", type=int, default=10, show_default=True, help="How many occupations.")
@click.option("--least", is_flag=True, help="The least exposed instead of the most.")
@format_option("table", "csv", "json")
def top(
    db: str | None,
    rater: str,
    measure: str,
    weighting: str,
    compare: str,
    employment: str,
    n: int,
    least: bool,
    fmt: str,
) -> None:
    """The most (or least) exposed occupations, with employment and median wage.

    \b
    Example:
      kb exposure top --rater human --measure beta -n 10
      kb exposure top --rater gpt4 --measure zeta -n 5 --least --format json
    """
    from kb import exposure as kbexposure
    from kb import store

    chosen = recipe(rater, measure, weighting, compare, employment)
    with store.connect(db) as con:
        frame = kbexposure.top(con, chosen, n=n, least=least)
    if fmt == "json":
        click.echo(to_json({"recipe": chosen.as_dict(), "least": least, "occupations": frame}))
    elif fmt == "csv":
        emit(frame, "csv")
    else:
        _echo_recipe(chosen)
        shown = frame[["unit_code", "title", "exposure", "employment", "annual_wage"]]
        emit(thousands(percent(shown, ["exposure"]), ["employment", "annual_wage"]), "table")


@exposure.command()
@db_option
@raters_option(
    "human,gpt4",
    "Comma-separated raters; an occupation is listed when none of them labelled "
    "any of its tasks exposed.",
)
@measure_option("zeta", "Which labels count as exposed.")
@format_option("table", "csv", "json")
def unexposed(db: str | None, raters: str, measure: str, fmt: str) -> None:
    """Occupations with no exposed task under any of the chosen raters.

    \b
    Example:
      kb exposure unexposed --raters human,gpt4
      kb exposure unexposed --raters human --measure alpha --format json
    """
    from kb import exposure as kbexposure
    from kb import store

    names = split_raters(raters)
    with store.connect(db) as con:
        frame = kbexposure.unexposed(con, names, measure)
    if fmt == "json":
        click.echo(to_json({"raters": names, "measure": measure, "occupations": frame}))
    else:
        emit(frame, fmt)


@exposure.command()
@db_option
@format_option("table", "csv", "json")
def summary(db: str | None, fmt: str) -> None:
    """Mean and standard deviation of exposure per rater and measure, task and occupation level.

    \b
    Example:
      kb exposure summary
      kb exposure summary --format json
    """
    from kb import exposure as kbexposure
    from kb import store

    with store.connect(db) as con:
        frame = kbexposure.summary(con)
    emit(frame if fmt != "table" else frame.round(4), fmt)


@exposure.command()
@db_option
@click.argument("text", default="")
@click.option("--limit", type=int, default=20, show_default=True, help="At most this many rows.")
@format_option("table", "csv", "json")
def search(db: str | None, text: str, limit: int, fmt: str) -> None:
    """Find occupations by title substring (or O*NET-SOC code prefix).

    \b
    Example:
      kb exposure search "data scien"
      kb exposure search 15-12 --format json
    """
    from kb import exposure as kbexposure
    from kb import store

    with store.connect(db) as con:
        emit(kbexposure.search_occupations(con, text, limit), fmt)


@exposure.command()
@db_option
@click.argument("onet_code")
@format_option("table", "json")
def occupation(db: str | None, onet_code: str, fmt: str) -> None:
    """One occupation: employment, wage, exposure under every rater and measure, and its tasks.

    \b
    Example:
      kb exposure occupation 15-2051.00
      kb exposure occupation 43-9021.00 --format json
    """
    from kb import exposure as kbexposure
    from kb import store

    with store.connect(db) as con:
        detail = kbexposure.occupation_detail(con, onet_code)
    if fmt == "json":
        click.echo(to_json(dict(vars(detail))))
        return
    click.echo(f"{detail.onet_code}  {detail.title}")
    click.echo(
        f"SOC {detail.soc_code}, {detail.major_group_title}; Job Zone {detail.job_zone}; "
        f"education: {detail.education}"
    )
    for recipe_name in vocabulary.EMPLOYMENT_RECIPES:
        emp, wage = detail.employment[recipe_name], detail.annual_wage[recipe_name]
        click.echo(
            f"employment ({recipe_name}): "
            f"{'n/a' if emp is None else f'{emp:,.0f}'}; median wage "
            f"{'n/a' if wage is None else f'${wage:,.0f}'}"
        )
    click.echo("")
    emit(percent(detail.exposure, ["exposure", "percentile"]), "table")
    click.echo("")
    tasks = detail.tasks.copy()
    tasks["statement"] = tasks["statement"].str.slice(0, 70)
    emit(tasks, "table")
