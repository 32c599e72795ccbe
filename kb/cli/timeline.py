"""`kb timeline`, `kb timeline lineage` and `kb timeline card`: the releases in date order,
what each was built from, and one release in full."""

from __future__ import annotations

import click

from kb.cli.app import KBGroup, cli, db_option, emit, format_option, to_json


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
    from kb import store
    from kb import timeline as kbtimeline

    with store.connect(db) as con:
        rows = kbtimeline.timeline_rows(con)
    if fmt == "json":
        click.echo(to_json(rows))
        return
    columns = ("position", "date", "id", "kind", "lead_organisation")
    emit([{k: r[k] for k in columns} for r in rows], "table")


def _store_of(ctx: click.Context, db: str | None) -> str | None:
    """--db given to `kb timeline` itself counts too, unless the subcommand was given its own."""
    parent = ctx.parent
    if (
        ctx.get_parameter_source("db") != click.core.ParameterSource.COMMANDLINE
        and parent is not None
        and parent.get_parameter_source("db") == click.core.ParameterSource.COMMANDLINE
    ):
        given: str | None = parent.params["db"]
        return given
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
    from kb import store
    from kb import timeline as kbtimeline

    with store.connect(_store_of(ctx, db)) as con:
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
            emit(
                [
                    {
                        "id": e["id"],
                        "depth": e["depth"],
                        "via": " > ".join(e["relation_path"]),
                        "kind": e["kind"],
                        "date": e["date"] or "",
                    }
                    for e in entries
                ],
                "table",
            )


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
    from kb import store
    from kb import timeline as kbtimeline

    with store.connect(_store_of(ctx, db)) as con:
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
        emit(
            [
                {
                    "subject": f["subject"],
                    "attribute": f["attribute"],
                    "value": f["value"],
                    "unit": f["unit"] or "",
                    "caveat": f"[{caveats.index(f['caveat']) + 1}]" if f["caveat"] else "",
                }
                for f in card["facts"]
            ],
            "table",
        )
        for number, caveat in enumerate(caveats, start=1):
            click.echo(f"  [{number}] {caveat}")
    for relation in card["built_from"]:
        if relation["caveat"]:
            click.echo(f"  {relation['type']} -> {relation['id']}: {relation['caveat']}")
    for label in ("ancestors", "descendants"):
        if card[label]:
            click.echo(f"\n{label}: " + ", ".join(e["id"] for e in card[label]))
