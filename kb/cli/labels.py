"""`kb ingest labels`: add a task-label set (a new rater) with its provenance."""

from __future__ import annotations

import click

from kb.cli.app import ingest
from kb.cli.options import data_dir_option, db_option, format_option
from kb.cli.output import to_json


@ingest.command("labels")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--rater", required=True, help="A new rater name: lower-case letters, digits, _.")
@click.option(
    "--produced-by",
    "produced_by",
    metavar="RELEASE_ID",
    help="The release (timeline id) that produced the labels, e.g. gpt-4.",
)
@click.option(
    "--date", "when", required=True, metavar="YYYY-MM-DD", help="When the labels were produced."
)
@click.option("--producer", help="Who produced them, when no release did (e.g. 'our annotators').")
@click.option("--rubric", help="The rubric or prompt used (free text).")
@click.option("--citation", help="Where the label set is described.")
@click.option("--url", help="A link to the label set or its description.")
@click.option("--dry-run", is_flag=True, help="Validate and report, write nothing.")
@db_option
@data_dir_option("The data/ folder to write the label set into.")
@format_option("table", "json")
def ingest_labels(
    file: str,
    rater: str,
    produced_by: str | None,
    when: str,
    producer: str | None,
    rubric: str | None,
    citation: str | None,
    url: str | None,
    dry_run: bool,
    db: str | None,
    data_dir: str | None,
    fmt: str,
) -> None:
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
    from kb import labels

    report = labels.ingest(
        file,
        rater=rater,
        date=when,
        produced_by=produced_by,
        producer=producer,
        rubric=rubric,
        citation=citation,
        url=url,
        db=db,
        data_dir=data_dir,
        dry_run=dry_run,
    )
    if fmt == "json":
        click.echo(to_json(report.as_dict()))
        return
    click.echo(report.summary())
    for path in report.files:
        click.echo(f"  wrote {path}")
    if dry_run:
        click.echo("Dry run: nothing was written.")
