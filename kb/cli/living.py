"""`kb ingest epoch`, `kb ingest models-dev` and `kb fetch`: take the living sources' files in as
dated snapshots, with what changed since the previous snapshot of each table."""

from __future__ import annotations

from typing import TYPE_CHECKING, NamedTuple

import click

from kb.cli.app import KBGroup, cli, ingest
from kb.cli.options import bundled, data_dir_option, db_option, format_option
from kb.cli.output import emit, to_json

if TYPE_CHECKING:
    from kb.releases.living import IngestReport

SHOWN_PER_LIST = 10  # names listed per kind of change in the table view (JSON has them all)


class TakeIn(NamedTuple):
    """How a take-in command runs: the options every one of them shares."""

    snapshot_date: str | None
    dry_run: bool
    no_build: bool
    db: str | None
    data_dir: str | None
    fmt: str


take_in_options = bundled(
    "how",
    TakeIn,
    click.option(
        "--snapshot-date",
        metavar="YYYY-MM-DD",
        help="The day the files were downloaded (default: a date in the path or in "
        "the README beside the file; today for `kb fetch`).",
    ),
    click.option(
        "--dry-run",
        is_flag=True,
        help="Check the files and show what changed; write nothing.",
    ),
    click.option(
        "--no-build",
        is_flag=True,
        help="Record the snapshots but leave the store as it is (run `kb build` later).",
    ),
    db_option,
    data_dir_option("The project's data/ folder (default: data/ in the checkout)."),
    format_option("table", "json"),
)


def _run(paths: list[str], source: str, how: TakeIn) -> None:
    from kb.releases import living

    def progress(message: str) -> None:
        if how.fmt != "json":
            click.echo(f"  {message}", err=True)

    report = living.ingest(
        paths,
        source=source,
        db=how.db,
        data_dir=how.data_dir,
        snapshot_date=how.snapshot_date,
        dry_run=how.dry_run,
        rebuild=not how.no_build,
        progress=progress,
    )
    if how.fmt == "json":
        click.echo(to_json(report.to_dict()))
        return
    _show(report, how.no_build)


def _show(report: IngestReport, no_build: bool) -> None:
    rows = [
        {
            "table": f"{r.snapshot.source}/{r.snapshot.table}",
            "snapshot": r.snapshot.snapshot_date,
            "previous": r.diff.old or "-",
            **r.diff.counts(),
            "status": "new" if r.new else "already recorded",
        }
        for r in report.results
    ]
    emit(rows, "table")
    for result in report.results:
        diff = result.diff
        if not diff.old:
            continue
        for label, names in (
            ("added", diff.added),
            ("updated", list(diff.updated)),
            ("removed (kept, marked withdrawn)", diff.removed),
        ):
            if names:
                shown = ", ".join(names[:SHOWN_PER_LIST])
                more = (
                    f" and {len(names) - SHOWN_PER_LIST} more"
                    if len(names) > SHOWN_PER_LIST
                    else ""
                )
                click.echo(f"{diff.source}/{diff.table} {label}: {shown}{more}")
    if report.dry_run:
        click.echo("Dry run: nothing was written.")
    elif not report.changed:
        click.echo("Nothing changed: every snapshot was already recorded.")
    elif report.rebuilt:
        click.echo(f"Recorded in data/snapshots.yml; rebuilt {report.rebuilt}.")
    else:
        hint = " Run `kb build` to update the store." if no_build else ""
        click.echo(f"Recorded in data/snapshots.yml.{hint}")


@ingest.command("epoch")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@take_in_options
def ingest_epoch(files: tuple[str, ...], how: TakeIn) -> None:
    """Take Epoch AI's tables in (notable, large-scale, benchmarked: recognised by their header)
    as dated snapshots, and show per table the models added, updated (with the changed fields),
    removed (kept, marked withdrawn) and unchanged since the previous snapshot.

    Every file is read and checked first; if anything is wrong nothing is written. The snapshot
    is recorded in data/snapshots.yml (checksum, rows, date, licence) and its bytes in the cache,
    then the store is rebuilt. The same file taken in twice changes nothing. Epoch AI's data are
    CC BY 4.0: credit Epoch AI wherever they are shown.

    \b
    Example:
      kb ingest epoch ../shared/data/epoch/notable_ai_models.csv --dry-run
      kb ingest epoch notable_ai_models.csv large_scale_ai_models.csv --format json
    """
    _run(list(files), "epoch", how)


@ingest.command("models-dev")
@click.argument("folder", type=click.Path(file_okay=False))
@take_in_options
def ingest_models_dev(folder: str, how: TakeIn) -> None:
    """Take a models.dev tree (the folder with models/ and providers/ of TOML files) in as a
    dated snapshot, with the same report and rules as `kb ingest epoch`.

    \b
    Example:
      kb ingest models-dev ../shared/data/models-dev --dry-run
    """
    _run([folder], "models.dev", how)


@cli.group(cls=KBGroup)
def fetch() -> None:
    """Into the cache first, then in the way `kb ingest epoch` and `kb ingest models-dev` take
    files in.

    \b
    Example:
      kb fetch epoch --dry-run
      kb fetch models-dev
    """


def _today(snapshot_date: str | None) -> str:
    from kb.releases import snapshots

    return snapshot_date or snapshots.today()


@fetch.command("epoch")
@take_in_options
def fetch_epoch(how: TakeIn) -> None:
    """Download Epoch AI's notable and large-scale tables (epoch.ai/data) and ingest them as
    today's snapshots (the benchmarked table has no stable address: ingest it by hand).

    \b
    Example:
      kb fetch epoch --dry-run
    """
    from kb.releases import upstream

    day = _today(how.snapshot_date)
    paths = [str(p) for p in upstream.fetch_epoch(day)]
    _run(paths, "epoch", how._replace(snapshot_date=day))


@fetch.command("models-dev")
@take_in_options
def fetch_models_dev(how: TakeIn) -> None:
    """Download the models.dev repository (github.com/anomalyco/models.dev) and ingest its TOML
    tree as today's snapshot.

    \b
    Example:
      kb fetch models-dev --format json
    """
    from kb.releases import upstream

    day = _today(how.snapshot_date)
    tree = upstream.fetch_models_dev(day)
    _run([str(tree)], "models.dev", how._replace(snapshot_date=day))
