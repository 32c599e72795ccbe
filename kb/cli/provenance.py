"""`kb provenance` and `kb knew-when`: who produced each exposure source, and what we knew when."""

from __future__ import annotations

import click

from kb import defaults
from kb.cli.app import cli
from kb.cli.options import db_option, format_option
from kb.cli.output import blank_missing, emit


@cli.command("provenance")
@db_option
@format_option("table", "json", "csv")
def provenance_cmd(db: str | None, fmt: str) -> None:
    """Who or what produced each source (the release, when a model did), how, when, and where
    it is described.

    \b
    Example:
      kb provenance
      kb provenance --format json
    """
    from kb import provenance, store

    with store.connect(db) as con:
        frame = provenance.sources(con)
    if fmt == "table":
        frame = frame[
            [
                "source_id",
                "rater",
                "measure",
                "kind",
                "produced_by_release",
                "date",
                "origin",
                "producer",
            ]
        ]
    emit(blank_missing(frame, fmt), fmt)


@cli.command("knew-when")
@db_option
@click.option(
    "--usage-cut",
    type=click.FloatRange(0, 1),
    default=defaults.USAGE_CUT,
    show_default=True,
    help="Usage headline: share of workers scoring at least this.",
)
@click.option(
    "--after",
    "after",
    default=None,
    help="List the releases dated after this exposure source (source id, rater or measure).",
)
@format_option("table", "json", "csv")
def knew_when(db: str | None, usage_cut: float, after: str | None, fmt: str) -> None:
    """Every source sits at the date it was made (labels) or observed (usage), tied to the release
    that produced it or was observed. Label sets: share of workers with more than 10% / 50% of
    tasks exposed (paper recipe, that rater). "Working with AI": employment-weighted mean AI
    applicability score and the share of workers in occupations scoring at least --usage-cut.
    The Economic Index: the share of Claude conversations on tasks labelled E1 or E2.

    \b
    Example:
      kb knew-when
      kb knew-when --after human        # the releases the human labels could not have seen
      kb knew-when --format json
    """
    from kb import provenance, store

    with store.connect(db) as con:
        if after is not None:
            releases = provenance.releases_after(con, after)
            if fmt == "table":
                click.echo(f"{len(releases)} releases on the timeline are dated after {after}:")
            emit(blank_missing(releases, fmt), fmt)
            return
        frame = provenance.history(con, usage_cut=usage_cut)
    if fmt == "table":
        frame = frame.assign(value=frame["value"].map(lambda v: f"{v:.3f}"))[
            ["date", "measure", "release_id", "figure", "value", "tasks_labelled"]
        ]
    emit(blank_missing(frame, fmt), fmt)
