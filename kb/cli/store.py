"""`kb build`, `kb info` and `kb query`: create the store, describe it, query it read-only."""

from __future__ import annotations

import click

from kb import query as kbquery
from kb import store as kbstore
from kb.cli.app import cli, db_option, emit, format_option, to_json


@cli.command()
@db_option
@click.option(
    "--raw-dir",
    type=click.Path(file_okay=False),
    envvar="KB_RAW_DIR",
    show_envvar=True,
    help="A local mirror of the upstream data files (else they are downloaded into the cache).",
)
def build(db: str | None, raw_dir: str | None) -> None:
    """(Re)create the store from data/ and the upstream files, atomically.

    The new store is written beside the old one and renamed into place only when complete:
    a crash or a bad file leaves the previous store as it was.

    \b
    Example:
      kb build --raw-dir ../shared/data/gpts-are-gpts
      KB_DB=/tmp/kb.duckdb kb build
    """
    report = kbstore.build(db, raw_dir=raw_dir, progress=lambda m: click.echo(f"  {m}", err=True))
    click.echo(f"Built {report.db} in {report.seconds:.1f} s")


@cli.command()
@db_option
@format_option("table", "json")
def info(db: str | None, fmt: str) -> None:
    """Counts, schema version, upstream sources, and when and by which kb the store was built.

    \b
    Example:
      kb info
      kb info --format json
    """
    with kbstore.connect(db) as con:
        meta = kbstore.read_meta(con)
        counts = kbstore.table_counts(con)
        sources = (
            con.execute(
                "SELECT dataset, file, sha256, url FROM upstream_files ORDER BY dataset, file"
            ).df()
            if "upstream_files" in counts
            else None
        )
    if fmt == "json":
        payload = {"store": str(kbstore.config.db_path(db)), "meta": meta, "tables": counts}
        payload["upstream_files"] = [] if sources is None else sources.to_dict(orient="records")
        click.echo(to_json(payload))
        return
    click.echo(f"store            {kbstore.config.db_path(db)}")
    for key in ("schema_version", "kb_version", "built_at", "duckdb_version", "storage_version"):
        click.echo(f"{key:<16} {meta.get(key, '?')}")
    click.echo("\ntables (rows)")
    for name, n in counts.items():
        click.echo(f"  {name:<28} {n:>8,}")
    if sources is not None and not sources.empty:
        click.echo("\nupstream files")
        for row in sources.itertuples():
            click.echo(f"  {row.dataset}/{row.file}  sha256 {row.sha256[:12]}…")


@cli.command()
@db_option
@click.argument("sql")
@format_option("table", "csv", "json")
@click.option("--timeout", type=float, default=kbquery.DEFAULT_TIMEOUT_SECONDS, show_default=True,
              help="Stop the query after this many seconds.")
def query(db: str | None, sql: str, fmt: str, timeout: float) -> None:
    """Run read-only SQL on the store (no writes, files, ATTACH or extensions).

    \b
    Example:
      kb query "SELECT id, name, date FROM timeline LIMIT 5"
      kb query "SELECT * FROM releases_per_day" --format csv
    """
    emit(kbquery.run_readonly(sql, db, timeout=timeout), fmt)
