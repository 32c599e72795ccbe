"""`kb exposure ...`: shares, curve, breakdowns, top, unexposed, summary, search, occupation.

Thin wrappers over kb.exposure; rater agreement is in kb.cli.agreement.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import click

from kb import vocabulary
from kb.cli.app import KBGroup, cli
from kb.cli.options import (
    ROW_COUNT,
    db_option,
    employment_option,
    format_option,
    measure_option,
    raters_option,
    recipe,
    recipe_option,
    recipe_options,
    split_raters,
    vocabulary_option,
)
from kb.cli.output import emit, percent, thousands, to_json

if TYPE_CHECKING:
    from kb.exposure import Coverage, Recipe


@cli.group(cls=KBGroup)
def exposure() -> None:
    """From the "GPTs are GPTs" task labels. Every figure names its recipe: rater, measure
    (alpha = E1, beta = E1 + 0.5*E2, zeta = E1 + E2), task weighting, comparison and employment
    source. The defaults reproduce the paper (human, beta, equal, gt, paper).

    \b
    Example:
      kb exposure share --threshold 0.1 --threshold 0.5
      kb exposure share --rater gpt4 --measure zeta --employment oews-2021 --format json
      kb exposure share --employment paper,oews-2021,oews-2025
      kb exposure left-out --employment oews-2025
      kb exposure shift-share --threshold 0.5
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
@recipe_options(employment_option(several=True))
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
    employment: list[str],
    by: str | None,
    fmt: str,
) -> None:
    """Share of workers (and occupations) whose occupation's exposure passes a threshold.

    Every share says the workers it counts and leaves out (`kb exposure left-out` lists the
    codes left out and why). Several employment recipes give one row per recipe and threshold.

    \b
    Example:
      kb exposure share                                   # the paper: ~80% at 10%, ~19% at 50%
      kb exposure share -t 0.1 --rater gpt4 --measure zeta --compare ge
      kb exposure share -t 0.5 --by wage_quintile --format json
      kb exposure share --employment paper,oews-2021,oews-2025 --format json
    """
    import pandas as pd

    from kb import exposure as kbexposure
    from kb import store

    values = list(thresholds) or list(kbexposure.DEFAULT_THRESHOLDS)
    if len(employment) > 1:
        if by is not None:
            raise click.UsageError("--by takes one employment recipe, not several.")
        _share_by_vintage(db, values, recipe(rater, measure, weighting, compare, "paper"),
                          employment, fmt)  # fmt: skip
        return
    chosen = recipe(rater, measure, weighting, compare, employment[0])
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
    if chosen.employment != "paper" or cover.onet_occupations_left_out:
        click.echo(f"codes left out and why: kb exposure left-out --employment {chosen.employment}")


def _share_by_vintage(
    db: str | None, values: list[float], base: Recipe, employment: list[str], fmt: str
) -> None:
    """`kb exposure share --employment a,b,c`: one row per employment recipe and threshold."""
    from kb import store
    from kb.exposure import vintages

    with store.connect(db) as con:
        frame = vintages.by_vintage(con, employment, values, base)
    if fmt == "json":
        click.echo(
            to_json({"recipe": {k: v for k, v in base.as_dict().items() if k != "employment"},
                     "employment": employment, "rows": frame})
        )  # fmt: skip
        return
    if fmt == "csv":
        emit(frame, "csv")
        return
    click.echo(f"recipe: {base.describe()}".replace(", employment: paper", ""))
    for name in employment:
        click.echo(f"{name}: {vocabulary.EMPLOYMENT_RECIPES[name]}")
    shown = percent(frame.drop(columns=["recipe"]), ["threshold", "share_workers",
                                                     "share_occupations"])  # fmt: skip
    emit(thousands(shown, ["workers_exposed", "workers_counted", "workers_left_out",
                           "all_workers"]), "table")  # fmt: skip
    if "paper" in employment:
        click.echo("(paper counts an NEM occupation once per O*NET occupation mapped to it: its "
                   "workers counted exceed all workers)")  # fmt: skip


@exposure.command("left-out")
@db_option
@vocabulary_option("--employment", vocabulary.EMPLOYMENT_RECIPES, default="oews-2025")
@format_option("table", "csv", "json")
def left_out_cmd(db: str | None, employment: str, fmt: str) -> None:
    """The codes an employment recipe leaves out of every share, and why.

    Side oews/nem: source rows no labelled O*NET occupation reaches (their workers are not
    counted); side onet: labelled O*NET occupations the source gives no employment.

    \b
    Example:
      kb exposure left-out --employment oews-2025
      kb exposure left-out --employment paper --format json
    """
    from kb import store
    from kb.exposure import vintages

    with store.connect(db) as con:
        frame = vintages.left_out(con, employment)
    if fmt == "json":
        click.echo(to_json({"employment": employment, "left_out": frame}))
        return
    if fmt == "table":
        workers = frame["employment"].sum()
        click.echo(f"{employment}: {len(frame)} codes left out, {workers:,.0f} workers not counted")
        frame = thousands(frame.drop(columns=["reason"]), ["employment"])
    emit(frame, fmt)


@exposure.command("shift-share")
@db_option
@click.option("--threshold", "-t", type=float, default=0.5, show_default=True,
              help="Exposure threshold, a fraction of tasks.")  # fmt: skip
@recipe_options(None)
@vocabulary_option("--start", vocabulary.EMPLOYMENT_RECIPES, default="oews-2021")
@vocabulary_option("--end", vocabulary.EMPLOYMENT_RECIPES, default="oews-2025")
@click.option("-n", "n", type=ROW_COUNT, default=15, show_default=True, help="Rows shown (table).")
@format_option("table", "csv", "json")
def shift_share_cmd(
    db: str | None, threshold: float, rater: str, measure: str, weighting: str, compare: str,
    start: str, end: str, n: int, fmt: str,
) -> None:  # fmt: skip
    """What moved the share between two employment vintages, occupation by occupation.

    A shift-share decomposition: each unit's employment effect (how much its growth or
    shrinkage moved the share) and exposure effect (its exposure crossing the threshold);
    the effects sum to the change of the headline. Effects are in percentage points.

    \b
    Example:
      kb exposure shift-share --threshold 0.5
      kb exposure shift-share -t 0.1 --rater gpt4 --format json
    """
    from kb import store
    from kb.exposure import vintages

    base = recipe(rater, measure, weighting, compare, "paper")
    with store.connect(db) as con:
        frame = vintages.shift_share(con, base, threshold, start, end)
        start_share, end_share = (
            vintages.by_vintage(con, [name], [threshold], base)["share_workers"].iloc[0]
            for name in (start, end)
        )
    totals = {
        "share_start": start_share,
        "share_end": end_share,
        "change": end_share - start_share,
        "employment_effect": float(frame["employment_effect"].sum()),
        "exposure_effect": float(frame["exposure_effect"].sum()),
    }
    if fmt == "json":
        click.echo(to_json({"start": start, "end": end, "threshold": threshold,
                            "recipe": base.as_dict() | {"employment": f"{start} -> {end}"},
                            "totals": totals, "units": frame}))  # fmt: skip
        return
    if fmt == "csv":
        emit(frame, "csv")
        return
    sign = vocabulary.COMPARISON_SIGNS[compare]
    click.echo(
        f"share of workers with exposure {sign} {threshold:.0%} ({rater}, {measure}): "
        f"{start} {start_share:.1%} -> {end} {end_share:.1%} "
        f"({(end_share - start_share) * 100:+.2f} points = employment effect "
        f"{totals['employment_effect'] * 100:+.2f} + exposure effect "
        f"{totals['exposure_effect'] * 100:+.2f})"
    )
    shown = frame.head(n).copy()
    for column in ("employment_effect", "exposure_effect", "total_effect"):
        shown[column] = (shown[column] * 100).map("{:+.3f}".format)
    shown = percent(shown, ["exposure_start", "exposure_end"])
    emit(thousands(shown, ["employment_start", "employment_end", "employment_change"]), "table")
    click.echo(f"(largest {len(shown)} of {len(frame)} units by total effect, in points)")


@exposure.command("tasks")
@db_option
@click.option("--occupation", "onet_code", default=None,
              help="One O*NET-SOC occupation's tasks then and now.")  # fmt: skip
@click.option("--coverage", "least", type=ROW_COUNT, default=None,
              help="The N occupations whose tasks today the labels cover least.")  # fmt: skip
@format_option("table", "csv", "json")
def tasks_cmd(db: str | None, onet_code: str | None, least: int | None, fmt: str) -> None:
    """Tasks then (O*NET 27.2, labelled) and now (O*NET 29.3): kept, dropped and new.

    Exposure shares stay on the labelled tasks; this says how current they are.

    \b
    Example:
      kb exposure tasks
      kb exposure tasks --coverage 10
      kb exposure tasks --occupation 15-1252.00 --format json
    """
    from kb import store
    from kb.exposure import vintages

    with store.connect(db) as con:
        if onet_code:
            frame = vintages.occupation_task_changes(con, onet_code)
        elif least is not None:
            frame = vintages.task_coverage(con, least)
        else:
            frame = vintages.task_status(con)
    if fmt == "table" and onet_code:
        frame = frame.assign(statement=frame["statement"].str.slice(0, 80))
    if fmt == "table" and "share_labelled" in frame:
        frame = percent(frame, ["share_labelled"])
    emit(frame, fmt)


@exposure.command()
@db_option
@recipe_option
@click.option(
    "--points",
    type=click.IntRange(2, 10001),
    default=101,
    show_default=True,
    help="Number of evenly spaced thresholds from 0 to 1.",
)
@format_option("table", "csv", "json")
def curve(db: str | None, chosen: Recipe, points: int, fmt: str) -> None:
    """Share of workers and occupations exposed against the threshold, 0 to 1.

    \b
    Example:
      kb exposure curve --points 11
      kb exposure curve --rater gpt4 --format csv > curve.csv
    """
    from kb import exposure as kbexposure
    from kb import store

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
@recipe_option
@click.option(
    "-n", "n", type=ROW_COUNT, default=10, show_default=True, help="How many occupations."
)
@click.option("--least", is_flag=True, help="The least exposed instead of the most.")
@format_option("table", "csv", "json")
def top(db: str | None, chosen: Recipe, n: int, least: bool, fmt: str) -> None:
    """The most (or least) exposed occupations, with employment and median wage.

    \b
    Example:
      kb exposure top --rater human --measure beta -n 10
      kb exposure top --rater gpt4 --measure zeta -n 5 --least --format json
    """
    from kb import exposure as kbexposure
    from kb import store

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
@click.option(
    "--limit", type=ROW_COUNT, default=20, show_default=True, help="At most this many rows."
)
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
        shared = detail.shared_by.get(recipe_name, 1)
        note = f" (shared by {shared} O*NET occupations)" if shared > 1 else ""
        click.echo(
            f"employment ({recipe_name}): "
            f"{'n/a' if emp is None else f'{emp:,.0f}'}{note}; median wage "
            f"{'n/a' if wage is None else f'${wage:,.0f}'}"
        )
    click.echo("")
    emit(percent(detail.exposure, ["exposure", "percentile"]), "table")
    click.echo("")
    tasks = detail.tasks.copy()
    tasks["statement"] = tasks["statement"].str.slice(0, 70)
    emit(tasks, "table")
