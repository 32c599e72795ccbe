"""`kb timeline` and its subcommands: the releases in date order (filtered), search, waves,
what each release was built from, a family of descendants, and one release in full."""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, TypeVar

import click

from kb import defaults, vocabulary
from kb.cli.app import KBGroup, cli
from kb.cli.options import ROW_COUNT, bundled, db_option, described, format_option
from kb.cli.output import emit, to_json

if TYPE_CHECKING:
    import pandas as pd

    from kb.timeline import TimelineFilter

F = TypeVar("F", bound=Callable[..., Any])
TABLE_COLUMNS = ("date", "id", "name", "lead_organisation", "kind", "access", "sources")


def make_filter(
    since: datetime | None,
    until: datetime | None,
    orgs: tuple[str, ...],
    kinds: tuple[str, ...],
    sources: tuple[str, ...],
    frontier: bool | None,
    open_weights: bool | None,
) -> TimelineFilter:
    """The kb.timeline.TimelineFilter the filter options name."""
    from kb.timeline import TimelineFilter

    def day(value: datetime | None) -> date | None:
        return value.date() if value else None

    return TimelineFilter(
        since=day(since),
        until=day(until),
        organisations=orgs,
        kinds=kinds,
        sources=sources,
        frontier=frontier,
        open_weights=open_weights,
    )


# The timeline filter as options (closed sets from kb.vocabulary); the command gets `flt`.
filter_options = bundled(
    "flt",
    make_filter,
    click.option(
        "--since",
        type=click.DateTime(["%Y-%m-%d"]),
        metavar="YYYY-MM-DD",
        help="From this day on.",
    ),
    click.option(
        "--until",
        type=click.DateTime(["%Y-%m-%d"]),
        metavar="YYYY-MM-DD",
        help="Up to this day.",
    ),
    click.option(
        "--org",
        "orgs",
        multiple=True,
        metavar="NAME",
        help="Made by this organisation (name or id, any case; repeat for several).",
    ),
    click.option(
        "--kind",
        "kinds",
        multiple=True,
        type=click.Choice(list(vocabulary.KINDS)),
        help="Of this kind (repeat for several): " + described(vocabulary.KINDS),
    ),
    click.option(
        "--source",
        "sources",
        multiple=True,
        type=click.Choice(list(vocabulary.LIVING_SOURCES)),
        help="Named by this source (repeat for several): " + described(vocabulary.LIVING_SOURCES),
    ),
    click.option(
        "--frontier/--no-frontier",
        default=None,
        help="Only frontier models (Epoch AI's flag), or only the others.",
    ),
    click.option(
        "--open-weights/--no-open-weights",
        default=None,
        help="Only models with downloadable weights, or only the others.",
    ),
)
limit_option = click.option(
    "--limit", type=ROW_COUNT, default=None, help="Show at most N releases."
)


def _show_releases(frame: pd.DataFrame, limit: int | None, fmt: str) -> None:
    total = len(frame)
    if limit is not None:
        frame = frame.head(limit)
    if fmt == "json":
        click.echo(to_json(frame))
        return
    emit(frame[list(TABLE_COLUMNS)].fillna(""), "table")
    shown = f"{len(frame)} of {total}" if len(frame) < total else f"{total}"
    sources = {s for text in frame["sources"] for s in text.split(", ")}
    from kb.timeline import source_credit

    credit = source_credit(sources & set(vocabulary.LIVING_SOURCES))
    click.echo(f"{shown} releases. {credit}")


@cli.group(cls=KBGroup, invoke_without_command=True)
@filter_options
@limit_option
@db_option
@format_option("table", "json")
@click.pass_context
def timeline(
    ctx: click.Context, flt: TimelineFilter, limit: int | None, db: str | None, fmt: str
) -> None:
    """Each model once, every source merged, narrowed by the options.

    \b
    Example:
      kb timeline --since 2023-02-01 --until 2023-03-31
      kb timeline --org OpenAI --frontier --format json
      kb timeline --source curated --limit 20
      kb timeline search llama
      kb timeline waves
      kb timeline card gpt-4
    """
    if ctx.invoked_subcommand is not None:
        return
    from kb import store
    from kb import timeline as kbtimeline

    with store.connect(db) as con:
        frame = kbtimeline.releases_table(con, flt)
    _show_releases(frame, limit, fmt)


def _release_command(
    name: str,
) -> Callable[[Callable[[str, str | None, str], None]], click.Command]:
    """A `kb timeline` subcommand about one release: ID, --db and --format, the function called
    with (release_id, db, fmt)."""

    def decorate(func: Callable[[str, str | None, str], None]) -> click.Command:
        @click.pass_context
        def command(ctx: click.Context, release_id: str, db: str | None, fmt: str) -> None:
            func(release_id, _store_of(ctx, db), fmt)

        functools.update_wrapper(command, func)
        options = (
            click.argument("release_id", metavar="ID"),
            db_option,
            format_option("table", "json"),
        )
        for option in reversed(options):
            command = option(command)
        return timeline.command(name)(command)

    return decorate


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


@_release_command("lineage")
def timeline_lineage(release_id: str, db: str | None, fmt: str) -> None:
    """What a release was built from (ancestors) and what was built from it (descendants).

    Follows lineage relations only; the relation path reads from the younger release up.

    \b
    Example:
      kb timeline lineage alpaca
      kb timeline lineage llama --format json
    """
    from kb import store
    from kb import timeline as kbtimeline

    with store.connect(db) as con:
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


@_release_command("card")
def timeline_card(release_id: str, db: str | None, fmt: str) -> None:
    """One release in full: fields, organisations, sources, facts with caveats, lineage.

    \b
    Example:
      kb timeline card gpt-4
      kb timeline card claude --format json
    """
    from kb import store
    from kb import timeline as kbtimeline

    with store.connect(db) as con:
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
    _show_sources(card)


def _show_sources(card: dict[str, Any]) -> None:
    """The card's dates, versions, each outside source's values and the disagreements."""
    if card["dates"]:
        click.echo(f"\ndates ({len(card['dates'])}; the first public one is the timeline's)")
        emit(
            [
                {
                    "date": d["date"],
                    "event": d["event"],
                    "source": d["source"],
                    "detail": d["detail"] or "",
                }
                for d in card["dates"]
            ],
            "table",
        )
    if card["versions"]:
        click.echo(f"\nversions ({len(card['versions'])})")
        emit(
            [
                {"version": v["version_id"], "date": v["date"] or "", "status": v["status"]}
                for v in card["versions"]
            ],
            "table",
        )
    outside = [v for v in card["sources_values"] if v["source"] != "curated"]
    if outside:
        click.echo(f"\nvalues from the sources ({len(outside)})")
        emit(
            [
                {
                    "source": v["source"],
                    "name": v["source_key"],
                    "attribute": v["attribute"],
                    "value": _clip(v["value"]),
                    "unit": v["unit"] or "",
                    "as_of": v["as_of"] or "",
                }
                for v in outside
            ],
            "table",
        )
    if card["disagreements"]:
        click.echo("\nwhere the sources disagree (each value kept with its source)")
        emit(card["disagreements"], "table")
    from kb.timeline import source_credit

    used = {v["source"] for v in card["sources_values"]} | {"curated"}
    click.echo("\n" + source_credit(used & set(vocabulary.LIVING_SOURCES)))


def _clip(text: str, width: int = 60) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


@timeline.command("search")
@click.argument("text")
@filter_options
@limit_option
@db_option
@format_option("table", "json")
@click.pass_context
def timeline_search(
    ctx: click.Context, text: str, flt: TimelineFilter, limit: int | None, db: str | None, fmt: str
) -> None:
    """Releases whose name, id or organisations contain TEXT (any case), in date order.

    \b
    Example:
      kb timeline search llama
      kb timeline search claude --since 2024-01-01 --format json
    """
    from kb import store
    from kb import timeline as kbtimeline

    with store.connect(_store_of(ctx, db)) as con:
        frame = kbtimeline.releases_table(con, dataclasses.replace(flt, text=text))
    _show_releases(frame, limit, fmt)


@timeline.command("waves")
@click.option(
    "--min-releases",
    type=ROW_COUNT,
    default=defaults.WAVE_MIN_RELEASES,
    show_default=True,
    help="A wave has at least this many releases in one week...",
)
@click.option(
    "--factor",
    type=click.FloatRange(min=0),
    default=defaults.WAVE_FACTOR,
    show_default=True,
    help="...and this many times the usual weekly count (the mean of the weeks before).",
)
@click.option(
    "--window",
    type=ROW_COUNT,
    default=defaults.WAVE_WINDOW,
    show_default=True,
    help="How many weeks before make the usual count.",
)
@filter_options
@limit_option
@db_option
@format_option("table", "json")
@click.pass_context
def timeline_waves(
    ctx: click.Context,
    min_releases: int,
    factor: float,
    window: int,
    flt: TimelineFilter,
    limit: int | None,
    db: str | None,
    fmt: str,
) -> None:
    """Weeks when releases clustered (found from the data, not written in): the week, how many
    releases, how many that many weeks usually had, and who made them.

    \b
    Example:
      kb timeline waves
      kb timeline waves --since 2023-01-01 --until 2023-12-31 --format json
    """
    from kb import store
    from kb import timeline as kbtimeline

    with store.connect(_store_of(ctx, db)) as con:
        frame = kbtimeline.waves(con, flt, min_releases=min_releases, factor=factor, window=window)
    if limit is not None:
        frame = frame.head(limit)
    if fmt == "json":
        click.echo(to_json(frame))
        return
    columns = ["week_start", "releases", "usual_releases", "organisation_count", "ids"]
    emit(frame[columns], "table")


@_release_command("family")
def timeline_family(release_id: str, db: str | None, fmt: str) -> None:
    """A release and everything built from it, directly or not (lineage only): one row per
    (release, parent) edge, nearest first.

    \b
    Example:
      kb timeline family llama
      kb timeline family llama-2-70b --format json
    """
    from kb import store
    from kb import timeline as kbtimeline

    with store.connect(db) as con:
        frame = kbtimeline.family(con, release_id)
    if fmt == "json":
        click.echo(to_json(frame))
        return
    emit(frame.fillna(""), "table")
