"""`kb export parquet DIR`: the store as Parquet files, the views' SQL and the provenance."""

from __future__ import annotations

import click

from kb.cli.app import KBGroup, cli
from kb.cli.options import db_option


@cli.group(cls=KBGroup)
def export() -> None:
    """\b
    Example:
      kb export parquet exports/kb-parquet
    """


@export.command("parquet")
@click.argument("directory", type=click.Path(file_okay=False))
@db_option
def parquet(directory: str, db: str | None) -> None:
    """Every table as Parquet (task_labels partitioned by rater), the views' SQL as views.sql,
    and PROVENANCE.md with the upstream files' checksums, licences and citations.

    The folder is written beside DIRECTORY and renamed into place when complete; an earlier
    export there is replaced, any other non-empty folder is refused.

    \b
    Example:
      kb export parquet /tmp/kb-parquet
      cd /tmp/kb-parquet && duckdb -c ".read views.sql" -c "SELECT * FROM exposure_headline"
    """
    from kb import store
    from kb.export import export_parquet

    with store.connect(db) as con:
        report = export_parquet(con, directory)
    rows = sum(report.tables.values())
    click.echo(
        f"Exported {len(report.tables)} tables ({rows:,} rows) and {len(report.views)} views "
        f"to {report.directory}"
    )
