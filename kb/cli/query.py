"""`kb query`: run read-only SQL on the store through the sandbox in kb.sandbox."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import click

from kb import defaults
from kb.cli.app import cli
from kb.cli.options import db_option, format_option

if TYPE_CHECKING:
    from kb.sandbox import Format


def _finite(ctx: click.Context, param: click.Parameter, value: float) -> float:
    # FloatRange refuses 0 and negatives but lets nan and inf through.
    if not math.isfinite(value):
        raise click.BadParameter(f"{value} is not a finite number of seconds.")
    return value


@cli.command()
@db_option
@click.argument("sql")
@format_option(*defaults.SANDBOX_FORMATS)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0, min_open=True),
    callback=_finite,
    default=defaults.SANDBOX_TIMEOUT_SECONDS,
    show_default=True,
    help="Stop the query after this many seconds (positive, finite).",
)
@click.option(
    "-n",
    "--max-rows",
    type=click.IntRange(1, defaults.SANDBOX_MAX_ROWS_LIMIT),
    default=defaults.SANDBOX_MAX_ROWS,
    show_default=True,
    help="Return at most this many rows (a note on stderr says when the output was cut).",
)
def query(db: str | None, sql: str, fmt: Format, timeout: float, max_rows: int) -> None:
    """No writes, files, ATTACH or extensions: the statement runs in a separate process with a
    time limit, a memory limit and caps on the rows and bytes it returns; CSV cells that a
    spreadsheet would run as formulas get a leading apostrophe.

    \b
    Example:
      kb query "SELECT id, name, date FROM timeline LIMIT 5"
      kb query "SELECT * FROM releases_per_day" --format csv
    """
    from kb import sandbox  # DuckDB: only when a query runs

    result = sandbox.run(sql, db, sandbox.Limits(timeout=timeout, max_rows=max_rows))
    click.echo(sandbox.render(result, fmt), nl=False)
    if result.truncated:
        click.echo(f"Note: {result.truncated}.", err=True)
