"""`kb ingest labels`, `kb provenance`, `kb knew-when`, `kb exposure agreement-matrix` and `kb usage ...`:
label sets with their provenance, and observed usage beside potential exposure."""

from __future__ import annotations

import click
import pandas as pd

from kb import labels as kblabels
from kb import provenance, store, usage
from kb.cli.app import KBGroup, cli, db_option, emit, format_option, ingest, to_json
from kb.cli.exposure import exposure as exposure_group


def _table(frame: pd.DataFrame, fmt: str) -> pd.DataFrame:
    """Blank rather than NaN for missing values in the aligned-table output."""
    if fmt != "table":
        return frame
    frame = frame.copy()
    for column in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[column]):
            frame[column] = frame[column].dt.strftime("%Y-%m-%d")
    frame = frame.astype(object)
    return frame.where(frame.notna(), "")


def _analysis_options(func):  # noqa: ANN001, ANN202
    func = click.option("--measure", default="beta", show_default=True,
                        type=click.Choice(["alpha", "beta", "zeta", "gamma"]),
                        help="Exposure measure: alpha = E1, beta = E1 + 0.5 E2, zeta (gamma) = E1 + E2.")(func)
    func = click.option("--rater", default="gpt4", show_default=True,
                        help="Whose task labels give the exposure (any rater in the store).")(func)
    return func


@ingest.command("labels")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--rater", required=True, help="A new rater name: lower-case letters, digits, _.")
@click.option("--produced-by", "produced_by", metavar="RELEASE_ID",
              help="The release (timeline id) that produced the labels, e.g. gpt-4.")
@click.option("--date", "when", required=True, metavar="YYYY-MM-DD",
              help="When the labels were produced.")
@click.option("--producer", help="Who produced them, when no release did (e.g. 'our annotators').")
@click.option("--rubric", help="The rubric or prompt used (free text).")
@click.option("--citation", help="Where the label set is described.")
@click.option("--url", help="A link to the label set or its description.")
@click.option("--dry-run", is_flag=True, help="Validate and report, write nothing.")
@db_option
@click.option("--data-dir", type=click.Path(file_okay=False), envvar="KB_DATA_DIR",
              show_envvar=True, help="The data/ folder to write the label set into.")
@format_option("table", "json")
def ingest_labels(file: str, rater: str, produced_by: str | None, when: str, producer: str | None,
                  rubric: str | None, citation: str | None, url: str | None, dry_run: bool,
                  db: str | None, data_dir: str | None, fmt: str) -> None:
    """Add a task-label set (a new rater) with its provenance, in one all-or-nothing step.

    FILE is a UTF-8 CSV with a header and one row per task: onet_code, task_id, label (E0, E1
    or E2); other columns are ignored. Every task must be an O*NET task in the store under that
    code, once. The set is written to data/labels/<rater>.csv and .yml (so `kb build` keeps
    it) and into the store; afterwards every analysis accepts --rater <rater>.

    \b
    Example:
      kb ingest labels data/examples/labels-example.csv --rater example_llm \\
          --produced-by gpt-4 --date 2023-06-01 --rubric "E0/E1/E2, paper rubric" --dry-run
    """
    report = kblabels.ingest(file, rater=rater, date=when, produced_by=produced_by,
                             producer=producer, rubric=rubric, citation=citation, url=url,
                             db=db, data_dir=data_dir, dry_run=dry_run)
    if fmt == "json":
        click.echo(to_json(report.as_dict()))
        return
    verb = "Would add" if dry_run else "Added"
    counts = ", ".join(f"{k} {v:,}" for k, v in report.label_counts.items())
    who = f"release {report.produced_by_release}" if report.produced_by_release else "human annotators"
    click.echo(f"{verb} rater {report.rater} ({report.kind}, by {who}, {report.date}): "
               f"{report.rows:,} of {report.tasks_in_store:,} tasks in {report.occupations:,} "
               f"occupations ({counts})")
    for path in report.files:
        click.echo(f"  wrote {path}")
    if dry_run:
        click.echo("Dry run: nothing was written.")


@cli.command("provenance")
@db_option
@format_option("table", "json", "csv")
def provenance_cmd(db: str | None, fmt: str) -> None:
    """Every exposure source: who or what produced it (release), how, when, and its citation.

    \b
    Example:
      kb provenance
      kb provenance --format json
    """
    with store.connect(db) as con:
        frame = provenance.sources(con)
    if fmt == "table":
        frame = frame[["source_id", "rater", "measure", "kind", "produced_by_release", "date",
                       "origin", "producer"]]
    emit(_table(frame, fmt), fmt)


@cli.command("knew-when")
@db_option
@click.option("--usage-cut", type=click.FloatRange(0, 1), default=usage.DEFAULT_USAGE_CUT,
              show_default=True, help="Usage headline: share of workers scoring at least this.")
@format_option("table", "json", "csv")
def knew_when(db: str | None, usage_cut: float, fmt: str) -> None:
    """What we knew when: each exposure source's headline figure by its date and release.

    Label sets: share of workers with more than 10% / 50% of tasks exposed (paper recipe,
    that rater). Usage: employment-weighted mean AI applicability score and the share of
    workers in occupations scoring at least --usage-cut.

    \b
    Example:
      kb knew-when
      kb knew-when --format json
    """
    with store.connect(db) as con:
        frame = provenance.history(con, usage_cut=usage_cut)
    if fmt == "table":
        frame = frame.assign(value=frame["value"].map(lambda v: f"{v:.3f}"))[
            ["date", "measure", "release_id", "figure", "value", "tasks_labelled"]]
    emit(_table(frame, fmt), fmt)


@exposure_group.command("agreement-matrix")
@db_option
@click.option("--measure", default="beta", show_default=True,
              type=click.Choice(["alpha", "beta", "zeta", "gamma"]))
@click.option("--level", default="task", show_default=True, type=click.Choice(["task", "occupation"]))
@click.option("--metric", default=None,
              help="Which agreement figure (task: agreement, kappa, pearson; occupation: pearson, "
                   "mean_abs_diff). Default: kappa for tasks, pearson for occupations.")
@format_option("table", "json", "csv")
def agreement_matrix_cmd(db: str | None, measure: str, level: str, metric: str | None,
                         fmt: str) -> None:
    """Agreement between every pair of raters (built-in and ingested) as a matrix.

    \b
    Example:
      kb exposure agreement-matrix --measure beta --level task --metric kappa
      kb exposure agreement-matrix --level occupation --format json
    """
    with store.connect(db) as con:
        frame = kblabels.agreement_matrix(con, measure, level, metric)
    if fmt == "json":
        click.echo(to_json({"measure": measure, "level": level,
                            "metric": frame.attrs.get("metric"),
                            "matrix": {r: dict(frame.loc[r]) for r in frame.index}}))
        return
    emit(frame.reset_index(names="rater"), fmt)


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
@_analysis_options
@format_option("table", "json", "csv")
def usage_compare(db: str | None, rater: str, measure: str, fmt: str) -> None:
    """Exposure and usage per SOC code, with Spearman's rank correlation.

    \b
    Example:
      kb usage compare --rater gpt4 --measure beta
      kb usage compare --rater human --format json
    """
    with store.connect(db) as con:
        rho = usage.rank_correlation(con, rater, measure)
        frame = usage.comparison(con, rater, measure)
    if fmt == "json":
        click.echo(to_json({"spearman_rho": rho.rho, "n": rho.n, "rater": rater,
                            "measure": rho.measure, "rows": frame}))
        return
    emit(frame.drop(columns=["onet_codes"]), fmt)
    if fmt == "table":
        click.echo(rho.describe())


@usage_group.command("gaps")
@db_option
@_analysis_options
@click.option("--min-gap", type=click.FloatRange(0.01, 1), default=usage.DEFAULT_MIN_GAP,
              show_default=True, help="Smallest gap between the two percentile ranks (0-1).")
@click.option("-n", "n", type=click.IntRange(1), default=15, show_default=True,
              help="Rows per group.")
@format_option("table", "json", "csv")
def usage_gaps(db: str | None, rater: str, measure: str, min_gap: float, n: int, fmt: str) -> None:
    """Occupations highly exposed but little used, and the reverse.

    Percentile ranks of exposure and of usage among matched SOC codes; an occupation is listed
    when its exposure rank is at least MIN_GAP above its usage rank (or below it).

    \b
    Example:
      kb usage gaps --rater gpt4 --min-gap 0.4 -n 10
    """
    with store.connect(db) as con:
        emit(usage.gaps(con, rater, measure, min_gap, n), fmt)


@usage_group.command("coverage")
@db_option
@click.option("--employment", type=click.Choice(usage.EMPLOYMENT_VINTAGES), default="oews-2021",
              show_default=True)
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
    with store.connect(db) as con:
        emit(usage.coverage(con, employment), fmt)


@usage_group.command("distribution")
@db_option
@_analysis_options
@click.option("--bins", type=click.IntRange(1, 100), default=10, show_default=True)
@format_option("table", "json", "csv")
def usage_distribution(db: str | None, rater: str, measure: str, bins: int, fmt: str) -> None:
    """Employment-weighted distributions of exposure and usage (share of workers per bin).

    \b
    Example:
      kb usage distribution --bins 10
    """
    with store.connect(db) as con:
        emit(usage.weighted_distribution(con, rater, measure, bins), fmt)
