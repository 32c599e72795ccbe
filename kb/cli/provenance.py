"""`kb provenance` and `kb knew-when`: who produced each exposure source, and what we knew when."""

from __future__ import annotations

import click

from kb import defaults
from kb.cli.app import blank_missing, cli, db_option, emit, format_option


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
    from kb import provenance, store

    with store.connect(db) as con:
        frame = provenance.history(con, usage_cut=usage_cut)
    if fmt == "table":
        frame = frame.assign(value=frame["value"].map(lambda v: f"{v:.3f}"))[
            ["date", "measure", "release_id", "figure", "value", "tasks_labelled"]
        ]
    emit(blank_missing(frame, fmt), fmt)
