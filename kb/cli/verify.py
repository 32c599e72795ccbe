"""`kb verify`: recompute the paper's published figures from the store and compare them."""

from __future__ import annotations

import click

from kb.cli.app import cli
from kb.cli.options import db_option, format_option
from kb.cli.output import emit, to_json


@cli.command()
@db_option
@click.option(
    "--published",
    type=click.Path(dir_okay=False, exists=True),
    default=None,
    help="Another published-figures file (default: data/published.yml).",
)
@format_option("table", "json")
def verify(db: str | None, published: str | None, fmt: str) -> None:
    """Exit 1 when one drifts beyond its tolerance.

    \b
    Example:
      kb verify
      kb verify --format json
    """
    from kb import store
    from kb import verify as kbverify

    with store.connect(db) as con:
        frame = kbverify.verify(con, published)
    if fmt == "json":
        click.echo(to_json({"ok": bool(frame["ok"].all()), "figures": frame}))
    else:
        shown = frame[["id", "published", "reproduced", "difference", "tolerance", "ok"]].copy()
        for c in ("published", "reproduced", "difference", "tolerance"):
            shown[c] = frame[c].map(lambda v: f"{v:.4g}")
        emit(shown, "table")
        click.echo("")
        for row in frame.itertuples():
            click.echo(f"{row.id}: {row.source}")
    if not frame["ok"].all():
        bad = ", ".join(frame.loc[~frame["ok"], "id"])
        raise click.ClickException(f"Drifted beyond tolerance: {bad}.")
