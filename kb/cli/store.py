"""`kb build` and `kb info`: create the store and describe it."""

from __future__ import annotations

import click

from kb.cli.app import cli
from kb.cli.options import db_option, format_option, raw_dir_option
from kb.cli.output import to_json


@cli.command()
@db_option
@raw_dir_option(
    "A local mirror of the upstream data files (else they are downloaded into the cache)."
)
def build(db: str | None, raw_dir: str | None) -> None:
    """Atomically: the new store is written beside the old one and renamed into place only
    when complete, so a crash or a bad file leaves the previous store as it was.

    \b
    Example:
      kb build --raw-dir ../shared/data/gpts-are-gpts
      KB_DB=/tmp/kb.duckdb kb build
    """
    from kb import build as kbbuild

    report = kbbuild.build(db, raw_dir=raw_dir, progress=lambda m: click.echo(f"  {m}", err=True))
    click.echo(f"Built {report.db} in {report.seconds:.1f} s")
    if not report.current:
        click.echo(
            "Warning: files in data/ changed while the build read them, so the store is marked "
            "as needing a build; run `kb build` again.",
            err=True,
        )


@cli.command()
@db_option
@format_option("table", "json")
def info(db: str | None, fmt: str) -> None:
    """Rows per table, schema version, the upstream files with their checksums, releases per
    source.

    \b
    Example:
      kb info
      kb info --format json
    """
    from kb import info as kbinfo

    about = kbinfo.describe(db)
    if fmt == "json":
        click.echo(to_json(about.as_dict()))
        return
    click.echo(f"store            {about.store}")
    for key in kbinfo.META_KEYS:
        click.echo(f"{key:<16} {about.meta.get(key, '?')}")
    click.echo("\ntables (rows)")
    for name, n in about.tables.items():
        click.echo(f"  {name:<28} {n:>8,}")
    if about.upstream_files:
        click.echo("\nupstream files")
        for row in about.upstream_files:
            click.echo(f"  {row['dataset']}/{row['file']}  sha256 {row['sha256'][:12]}…")
    if about.releases_per_source:
        click.echo("\nreleases per source")
        for source, n in about.releases_per_source.items():
            click.echo(f"  {source:<28} {n:>8,}")
