"""`kb exposure ...` (shares, curve, breakdowns, top, unexposed, summary, agreement) and
`kb verify`: thin wrappers over kb.exposure and kb.verify."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click
import pandas as pd

from kb import exposure as kbexposure
from kb import store as kbstore
from kb import verify as kbverify
from kb.cli.app import KBGroup, cli, db_option, emit, format_option, to_json

F = TypeVar("F", bound=Callable[..., Any])
_SIGN = {"gt": ">", "ge": ">="}


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


def recipe_options(func: F) -> F:
    """--rater, --measure, --weighting, --compare, --employment (defaults: the paper's)."""
    options = [
        click.option(
            "--rater",
            default="human",
            show_default=True,
            help="Whose labels: human, gpt4, gpt4_alt or an ingested rater.",
        ),
        click.option(
            "--measure",
            default="beta",
            show_default=True,
            type=click.Choice(["alpha", "beta", "zeta", "gamma"]),
            help="alpha = E1, beta = E1 + 0.5*E2, zeta = E1 + E2 (gamma = zeta).",
        ),
        click.option(
            "--weighting",
            default="equal",
            show_default=True,
            type=click.Choice(list(kbexposure.WEIGHTINGS)),
            help="equal task weights (paper) or core 2 : supplemental 1 (occ_level.csv).",
        ),
        click.option(
            "--compare",
            default="gt",
            show_default=True,
            type=click.Choice(list(kbexposure.COMPARISONS)),
            help="gt: exposure > t (the authors' code); ge: >= t (the abstract's words).",
        ),
        click.option(
            "--employment",
            default="paper",
            show_default=True,
            type=click.Choice(list(kbexposure.EMPLOYMENT_RECIPES)),
            help="paper: BLS projections 2022 via NEM crosswalk (counts some workers "
            "more than once); oews-2021: OEWS May 2021, each worker once.",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _recipe(
    rater: str, measure: str, weighting: str, compare: str, employment: str
) -> kbexposure.Recipe:
    return kbexposure.Recipe(
        rater=rater, measure=measure, weighting=weighting, compare=compare, employment=employment
    )


def _percent(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """A copy for the table view with fractions shown as percentages."""
    out = frame.copy()
    for c in columns:
        if c in out:
            out[c] = out[c].map(lambda v: "" if pd.isna(v) else f"{v:.1%}")
    return out


def _thousands(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """A copy for the table view with counts as '1,234' and missing values as '-'."""
    out = frame.copy()
    for c in columns:
        if c in out:
            out[c] = out[c].map(lambda v: "-" if pd.isna(v) else f"{v:,.0f}")
    return out


def _echo_recipe(recipe: kbexposure.Recipe, coverage: kbexposure.Coverage | None = None) -> None:
    click.echo(f"recipe: {recipe.describe()}")
    click.echo(f"employment: {recipe.explain_employment()}")
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
@click.option(
    "--by",
    type=click.Choice(list(kbexposure.GROUPINGS)),
    default=None,
    help="Break the share down by SOC major group, Job Zone, education or wage quintile.",
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
    recipe = _recipe(rater, measure, weighting, compare, employment)
    values = list(thresholds) or list(kbexposure.DEFAULT_THRESHOLDS)
    with kbstore.connect(db) as con:
        results = kbexposure.shares(con, values, recipe)
        groups = (
            None if by is None else {t: kbexposure.breakdown(con, by, t, recipe) for t in values}
        )
    cover = results[0].coverage
    if fmt == "json":
        payload: dict[str, Any] = {
            "recipe": recipe.as_dict(),
            "recipe_text": recipe.describe(),
            "employment_text": recipe.explain_employment(),
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
        _echo_recipe(recipe, cover)
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
        shown = _thousands(_percent(shown, ["share_exposed", "mean_exposure"]), ["workers"])
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
    _echo_recipe(recipe, cover)
    shown = _percent(frame, ["threshold", "share_workers", "share_occupations"])
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
    recipe = _recipe(rater, measure, weighting, compare, employment)
    thresholds = [i / (points - 1) for i in range(points)]
    with kbstore.connect(db) as con:
        frame = kbexposure.curve(con, recipe, thresholds)
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
            to_json({"recipe": recipe.as_dict(), "recipe_text": recipe.describe(), "points": frame})
        )
    elif fmt == "csv":
        emit(frame, "csv")
    else:
        _echo_recipe(recipe)
        shown = _percent(frame, ["share_workers", "share_occupations"])
        emit(_thousands(shown, ["workers_exposed"]), "table")


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
    recipe = _recipe(rater, measure, weighting, compare, employment)
    with kbstore.connect(db) as con:
        frame = kbexposure.top(con, recipe, n=n, least=least)
    if fmt == "json":
        click.echo(to_json({"recipe": recipe.as_dict(), "least": least, "occupations": frame}))
    elif fmt == "csv":
        emit(frame, "csv")
    else:
        _echo_recipe(recipe)
        emit(
            _thousands(
                _percent(
                    frame[["unit_code", "title", "exposure", "employment", "annual_wage"]],
                    ["exposure"],
                ),
                ["employment", "annual_wage"],
            ),
            "table",
        )


@exposure.command()
@db_option
@click.option(
    "--raters",
    default="human,gpt4",
    show_default=True,
    help="Comma-separated raters; an occupation is listed when none of them labelled "
    "any of its tasks exposed.",
)
@click.option(
    "--measure",
    default="zeta",
    show_default=True,
    type=click.Choice(["alpha", "beta", "zeta", "gamma"]),
    help="Which labels count as exposed (zeta: E1 or E2).",
)
@format_option("table", "csv", "json")
def unexposed(db: str | None, raters: str, measure: str, fmt: str) -> None:
    """Occupations with no exposed task under any of the chosen raters.

    \b
    Example:
      kb exposure unexposed --raters human,gpt4
      kb exposure unexposed --raters human --measure alpha --format json
    """
    names = [r.strip() for r in raters.split(",") if r.strip()]
    with kbstore.connect(db) as con:
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
    with kbstore.connect(db) as con:
        frame = kbexposure.summary(con)
    emit(frame if fmt != "table" else frame.round(4), fmt)


@exposure.command()
@db_option
@click.option(
    "--raters",
    default="human,gpt4",
    show_default=True,
    help="The two raters to compare, comma-separated.",
)
@click.option(
    "--measure",
    default=None,
    type=click.Choice(["alpha", "beta", "zeta", "gamma"]),
    help="One measure (default: all three).",
)
@click.option(
    "--level",
    default=None,
    type=click.Choice(list(kbexposure.LEVELS)),
    help="task or occupation (default: both).",
)
@click.option(
    "--threshold",
    type=float,
    default=0.5,
    show_default=True,
    help="Occupation level: exposed means exposure passes this.",
)
@click.option(
    "--weighting",
    default="equal",
    show_default=True,
    type=click.Choice(list(kbexposure.WEIGHTINGS)),
)
@click.option(
    "--compare", default="gt", show_default=True, type=click.Choice(list(kbexposure.COMPARISONS))
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
    confusion: bool,
    fmt: str,
) -> None:
    """Agreement of two raters: agreement rate, Cohen's kappa, Pearson r, confusion matrix.

    \b
    Example:
      kb exposure agreement
      kb exposure agreement --raters human,gpt4_alt --measure beta --level task --confusion
    """
    pair = tuple(r.strip() for r in raters.split(","))
    if len(pair) != 2:
        raise click.BadParameter("give exactly two raters, e.g. human,gpt4", param_hint="--raters")
    measures = [measure] if measure else list(kbexposure.MEASURES)
    levels = [level] if level else list(kbexposure.LEVELS)
    with kbstore.connect(db) as con:
        results = [
            kbexposure.agreement(
                con,
                m,
                lv,
                pair,
                weighting=weighting,  # type: ignore[arg-type]
                threshold=threshold,
                compare=compare,
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
                "categories": "task values 0/0.5/1"
                if r.level == "task"
                else f"exposed: {r.weighting} exposure {_SIGN[r.compare]} {r.threshold:g}",
            }
            for r in results
        ]
    )
    click.echo(f"raters: {pair[0]} (rows) vs {pair[1]} (columns)")
    emit(frame, "table")
    if confusion:
        for r in results:
            click.echo(f"\n{r.measure}, {r.level}:")
            click.echo(r.confusion.to_string())


@exposure.command()
@db_option
@click.argument("text", default="")
@click.option("--limit", type=int, default=20, show_default=True)
@format_option("table", "csv", "json")
def search(db: str | None, text: str, limit: int, fmt: str) -> None:
    """Find occupations by title substring (or O*NET-SOC code prefix).

    \b
    Example:
      kb exposure search "data scien"
      kb exposure search 15-12 --format json
    """
    with kbstore.connect(db) as con:
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
    with kbstore.connect(db) as con:
        detail = kbexposure.occupation_detail(con, onet_code)
    if fmt == "json":
        click.echo(to_json({k: v for k, v in vars(detail).items()}))
        return
    click.echo(f"{detail.onet_code}  {detail.title}")
    click.echo(
        f"SOC {detail.soc_code}, {detail.major_group_title}; Job Zone {detail.job_zone}; "
        f"education: {detail.education}"
    )
    for recipe_name in kbexposure.EMPLOYMENT_RECIPES:
        emp, wage = detail.employment[recipe_name], detail.annual_wage[recipe_name]
        click.echo(
            f"employment ({recipe_name}): "
            f"{'n/a' if emp is None else f'{emp:,.0f}'}; median wage "
            f"{'n/a' if wage is None else f'${wage:,.0f}'}"
        )
    click.echo("")
    emit(_percent(detail.exposure, ["exposure", "percentile"]), "table")
    click.echo("")
    tasks = detail.tasks.copy()
    tasks["statement"] = tasks["statement"].str.slice(0, 70)
    emit(tasks, "table")


@cli.command()
@db_option
@click.option(
    "--published",
    type=click.Path(dir_okay=False, exists=True),
    default=None,
    help="Another published-figures file (default: data/published.yml).",
)
@format_option("table", "json")
def verify(db: str | None, published: str | None, fmt: str) -> None:
    """Recompute the paper's published figures and compare; exit 1 when one drifts.

    \b
    Example:
      kb verify
      kb verify --format json
    """
    with kbstore.connect(db) as con:
        frame = kbverify.verify(con, published)
    if fmt == "json":
        click.echo(to_json({"ok": bool(frame["ok"].all()), "figures": frame}))
    else:
        shown = frame[["id", "published", "reproduced", "difference", "tolerance", "ok"]].copy()
        for c in ("published", "reproduced", "difference", "tolerance"):
            shown[c] = frame[c].map(lambda v: f"{v:.4g}")
        emit(shown, "table")
        click.echo("")
        for row in frame.itertuples():
            click.echo(f"{row.id}: {row.source}")
    if not frame["ok"].all():
        bad = ", ".join(frame.loc[~frame["ok"], "id"])
        raise click.ClickException(f"Drifted beyond tolerance: {bad}.")
