"""`kb ingest releases` and `kb timeline`: add releases, list them, follow their lineage."""

from __future__ import annotations

import click

from kb import releases as kbreleases
from kb import store as kbstore
from kb import timeline as kbtimeline
from kb.cli.app import KBGroup, cli, db_option, emit, format_option, ingest, to_json


@ingest.command("releases")
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--dry-run", is_flag=True, help="Check the files and show what would change; write nothing.")
@db_option
@click.option("--data-dir", type=click.Path(file_okay=False), envvar="KB_DATA_DIR",
              show_envvar=True, help="The project's data/ folder (default: data/ in the checkout).")
@format_option("table", "json")
def ingest_releases(files: tuple[str, ...], dry_run: bool, db: str | None, data_dir: str | None,
                    fmt: str) -> None:
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
    report = kbreleases.ingest(files, db=db, data_dir=data_dir, dry_run=dry_run)
    if fmt == "json":
        click.echo(to_json({
            "dry_run": report.dry_run,
            **{s: report.count(s) for s in ("added", "updated", "unchanged")},
            "records": [{"id": o.id, "status": o.status, "file": o.file, "path": o.path}
                        for o in report.outcomes],
        }))
        return
    emit([{"id": o.id, "status": o.status, "from": o.file} for o in report.outcomes], "table")
    click.echo(report.summary())


@cli.group(cls=KBGroup, invoke_without_command=True)
@db_option
@format_option("table", "json")
@click.pass_context
def timeline(ctx: click.Context, db: str | None, fmt: str) -> None:
    """The releases in the order they happened (chronology, not lineage).

    \b
    Example:
      kb timeline
      kb timeline --format json
      kb timeline lineage alpaca
      kb timeline card gpt-4
    """
    if ctx.invoked_subcommand is not None:
        return
    with kbstore.connect(db) as con:
        rows = kbtimeline.timeline_rows(con)
    if fmt == "json":
        click.echo(to_json(rows))
        return
    emit([{k: r[k] for k in ("position", "date", "id", "kind", "lead_organisation")}
          for r in rows], "table")


def _store_of(ctx: click.Context, db: str | None) -> str | None:
    """--db given to `kb timeline` itself counts too, unless the subcommand was given its own."""
    parent = ctx.parent
    if (ctx.get_parameter_source("db") != click.core.ParameterSource.COMMANDLINE
            and parent is not None
            and parent.get_parameter_source("db") == click.core.ParameterSource.COMMANDLINE):
        return parent.params["db"]
    return db


@timeline.command("lineage")
@click.argument("release_id", metavar="ID")
@db_option
@format_option("table", "json")
@click.pass_context
def timeline_lineage(ctx: click.Context, release_id: str, db: str | None, fmt: str) -> None:
    """What a release was built from (ancestors) and what was built from it (descendants).

    Follows lineage relations only; the relation path reads from the younger release up.

    \b
    Example:
      kb timeline lineage alpaca
      kb timeline lineage llama --format json
    """
    with kbstore.connect(_store_of(ctx, db)) as con:
        graph = kbtimeline.load_graph(con)
    result = kbtimeline.lineage(graph, release_id)
    if fmt == "json":
        click.echo(to_json(result))
        return
    click.echo(f"{result['name']} ({release_id})")
    for label in ("ancestors", "descendants"):
        entries = result[label]
        click.echo(f"\n{label} ({len(entries)})")
        if entries:
            emit([{"id": e["id"], "depth": e["depth"], "via": " > ".join(e["relation_path"]),
                   "kind": e["kind"], "date": e["date"] or ""} for e in entries], "table")


@timeline.command("card")
@click.argument("release_id", metavar="ID")
@db_option
@format_option("table", "json")
@click.pass_context
def timeline_card(ctx: click.Context, release_id: str, db: str | None, fmt: str) -> None:
    """One release in full: fields, organisations, sources, facts with caveats, lineage.

    \b
    Example:
      kb timeline card gpt-4
      kb timeline card claude --format json
    """
    with kbstore.connect(_store_of(ctx, db)) as con:
        card = kbtimeline.release_card(con, release_id)
    if fmt == "json":
        click.echo(to_json(card))
        return
    click.echo(f"{card['name']} ({card['id']})  {card['date'] or 'undated'}  {card['kind']}")
    click.echo(f"by: {'; '.join(card['organisations']) or '-'}")
    for key in ("summary", "access", "parameters"):
        if card[key]:
            click.echo(f"{key}: {card[key]}")
    click.echo("sources:\n" + "\n".join(f"  {u}" for u in card["sources"]))
    if card["facts"]:
        caveats = list(dict.fromkeys(f["caveat"] for f in card["facts"] if f["caveat"]))
        flagged = sum(1 for f in card["facts"] if f["caveat"])
        click.echo(f"\nfacts ({len(card['facts'])}, {flagged} with caveats)")
        emit([{"subject": f["subject"], "attribute": f["attribute"], "value": f["value"],
               "unit": f["unit"] or "",
               "caveat": f"[{caveats.index(f['caveat']) + 1}]" if f["caveat"] else ""}
              for f in card["facts"]], "table")
        for number, caveat in enumerate(caveats, start=1):
            click.echo(f"  [{number}] {caveat}")
    for relation in card["built_from"]:
        if relation["caveat"]:
            click.echo(f"  {relation['type']} -> {relation['id']}: {relation['caveat']}")
    for label in ("ancestors", "descendants"):
        if card[label]:
            click.echo(f"\n{label}: " + ", ".join(e["id"] for e in card[label]))
