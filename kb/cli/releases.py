"""`kb ingest releases`: add or update releases from YAML, JSON or CSV files."""

from __future__ import annotations

import click

from kb.cli.app import ingest
from kb.cli.options import data_dir_option, db_option, format_option
from kb.cli.output import emit, to_json


@ingest.command("releases")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--dry-run", is_flag=True, help="Check the files and show what would change; write nothing."
)
@db_option
@data_dir_option("The project's data/ folder (default: data/ in the checkout).")
@format_option("table", "json")
def ingest_releases(
    files: tuple[str, ...], dry_run: bool, db: str | None, data_dir: str | None, fmt: str
) -> None:
    """Add or update releases (with relations, facts, sources) from YAML, JSON or CSV files.

    Every record of every file is checked first; if anything is wrong, every problem is listed
    with its file, record and field, and nothing is written. Otherwise the store and
    data/releases/<id>.yaml are updated together. Ingesting the same file again changes nothing.
    The formats are described in docs/timeline.md, with examples in data/examples/.

    \b
    Example:
      kb ingest releases data/examples/new-releases.yaml --dry-run
      kb ingest releases data/examples/new-releases.csv --format json
    """
    from kb import releases

    report = releases.ingest(files, db=db, data_dir=data_dir, dry_run=dry_run)
    if fmt == "json":
        click.echo(to_json(report.as_dict()))
        return
    emit([{"id": o.id, "status": o.status, "from": o.file} for o in report.outcomes], "table")
    click.echo(report.summary())
