"""The release timeline as a graph: chronology (what happened next) and lineage (what was built
from what), kept apart by an edge attribute.

Graph layout, for the dashboard and anyone else drawing it:
- one node per release (external ones too), keyed by id, with its attributes (NODE_ATTRIBUTES);
- chronology edges run from each dated release to the next in timeline order:
  ``edge_kind="chronology"``, ``type="next"``, ``same_day`` (bool);
- lineage edges run from the ancestor to the release built from it (parent -> child):
  ``edge_kind="lineage"``, ``type`` (a kb.vocabulary.RELATION_TYPES value), ``types`` (all types
  when a pair has several), ``note``, ``caveat``, ``source_url``. When a pair is linked both ways,
  the lineage edge is kept and gets ``also_chronology=True``.
Lineage questions (ancestors, descendants) only ever follow lineage edges.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any, Final, Literal, NoReturn

import duckdb
import networkx as nx
import pandas as pd

from kb import sql
from kb.defaults import WAVE_FACTOR, WAVE_MIN_RELEASES, WAVE_WINDOW
from kb.errors import KBError, did_you_mean
from kb.releases import tables
from kb.vocabulary import LIVING_SOURCES

NODE_ATTRIBUTES = (
    "name",
    "date",
    "date_precision",
    "kind",
    "organisations",
    "lane",
    "modalities",
    "access",
    "parameters",
    "summary",
    "seed_position",
    "position",
    "external",
)
EXTERNAL_LANE = "External"
UNKNOWN_LANE = "(no organisation)"

SQL_CHRONOLOGY = "SELECT from_id, to_id, same_day FROM chronology_edges"
SQL_CARD_SOURCES = "SELECT url FROM release_sources WHERE release_id = ? ORDER BY position"
SQL_CARD_NODES = "SELECT id, name, kind, date FROM releases"
SQL_CARD_DISAGREEMENTS = (
    "SELECT attribute, source, source_key, value FROM source_disagreements WHERE release_id = ?"
)
SQL_CARD_VERSIONS = (
    "SELECT version_id, name, date, access, source, status FROM release_versions "
    "WHERE release_id = ? ORDER BY date NULLS LAST, version_id"
)


def load_graph(con: duckdb.DuckDBPyConnection) -> nx.DiGraph:
    """Every release as a node, chronology and lineage as typed edges (see the module doc)."""
    graph: nx.DiGraph[str] = nx.DiGraph()
    organisations = tables.organisations(con)
    modalities = tables.modalities(con)
    nodes = con.execute(sql.text("timeline_nodes")).fetchall()
    for rid, name, day, precision, kind, access, parameters, summary, seed, position in nodes:
        orgs = organisations.get(rid, [])
        graph.add_node(
            rid,
            name=name,
            date=day,
            date_precision=precision,
            kind=kind,
            organisations=orgs,
            lane=EXTERNAL_LANE if day is None else orgs[0] if orgs else UNKNOWN_LANE,
            modalities=modalities.get(rid, []),
            access=access,
            parameters=parameters,
            summary=summary,
            seed_position=seed,
            position=position,
            external=kind == "external",
        )
    for src, dst, same_day in con.execute(SQL_CHRONOLOGY).fetchall():
        graph.add_edge(src, dst, edge_kind="chronology", type="next", same_day=bool(same_day))
    lineage_rows = con.execute(sql.text("timeline_lineage")).fetchall()
    for parent, child, rtype, note, caveat, url in lineage_rows:
        existing = graph.get_edge_data(parent, child)
        if existing and existing["edge_kind"] == "lineage":
            existing["types"].append(rtype)
            continue
        graph.add_edge(
            parent,
            child,
            edge_kind="lineage",
            type=rtype,
            types=[rtype],
            note=note,
            caveat=caveat,
            source_url=url,
            also_chronology=existing is not None,
        )
    return graph


def lineage_graph(graph: nx.DiGraph) -> nx.DiGraph:
    """A read-only view with lineage edges only (parent -> child)."""
    return nx.subgraph_view(
        graph, filter_edge=lambda u, v: graph.edges[u, v]["edge_kind"] == "lineage"
    )


def lineage(graph: nx.DiGraph, release_id: str) -> dict[str, Any]:
    """Ancestors and descendants of a release along lineage edges, nearest first.

    Each entry has id, name, kind, date, depth (edges away) and relation_path: the relation
    types along a shortest path, read from the younger release up to its ancestor (the same
    convention as the lineage_closure view), e.g. dolly -> llama is
    [trained_on_data_from, fine_tuned_from].
    """
    require_release(graph, release_id)
    edges = [
        (u, v, "+".join(d["types"]))
        for u, v, d in graph.edges(data=True)
        if d["edge_kind"] == "lineage"
    ]
    return {
        "id": release_id,
        "name": graph.nodes[release_id]["name"],
        **_walk_lineage(edges, release_id, graph.nodes),
    }


def _walk_lineage(
    edges: list[tuple[str, str, str]], start: str, nodes: Any
) -> dict[str, list[dict[str, Any]]]:
    """Breadth-first walks up (parents) and down (children) from `start`.

    edges are (parent, child, type); nodes maps id -> {name, kind, date}. Plain dicts rather
    than networkx views: this is linear in the edges, also for long generated chains.
    """
    up: dict[str, list[tuple[str, str]]] = defaultdict(list)
    down: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for parent, child, rtype in sorted(edges):
        up[child].append((parent, rtype))
        down[parent].append((child, rtype))
    out = {}
    for label, adjacency, upwards in (("ancestors", up, True), ("descendants", down, False)):
        reached: dict[str, tuple[int, list[str]]] = {start: (0, [])}
        frontier = [start]
        while frontier:
            following = []
            for node in frontier:
                depth, path = reached[node]
                for other, rtype in adjacency.get(node, ()):
                    if other not in reached:
                        reached[other] = (depth + 1, [*path, rtype])
                        following.append(other)
            frontier = following
        del reached[start]
        entries = []
        for rid, (depth, path) in reached.items():
            node = nodes[rid]
            entries.append(
                {
                    "id": rid,
                    "name": node["name"],
                    "kind": node["kind"],
                    "date": node["date"],
                    "depth": depth,
                    "relation_path": path if upwards else path[::-1],
                }
            )
        out[label] = sorted(entries, key=lambda e: (e["depth"], e["date"] or date.max, e["id"]))
    return out


def chronological(graph: nx.DiGraph) -> list[str]:
    """Dated releases in the order they happened (same day: seed order, then id)."""
    dated = [
        (data["position"], rid)
        for rid, data in graph.nodes(data=True)
        if data["position"] is not None
    ]
    return [rid for _, rid in sorted(dated)]


def same_day(graph: nx.DiGraph, *, minimum: int = 2) -> dict[date, list[str]]:
    """Days (day-precision dates) with at least `minimum` releases, in timeline order."""
    days: dict[date, list[str]] = defaultdict(list)
    for rid in chronological(graph):
        node = graph.nodes[rid]
        if node["date_precision"] == "day":
            days[node["date"]].append(rid)
    return {day: ids for day, ids in sorted(days.items()) if len(ids) >= minimum}


def lanes(graph: nx.DiGraph, *, include_external: bool = False) -> dict[str, list[str]]:
    """Lead organisation -> its releases in timeline order (lanes ordered by first release).

    External (undated) releases go to the lane EXTERNAL_LANE when include_external is set.
    """
    out: dict[str, list[str]] = {}
    for rid in chronological(graph):
        out.setdefault(graph.nodes[rid]["lane"], []).append(rid)
    if include_external:
        externals = sorted(rid for rid, d in graph.nodes(data=True) if d["position"] is None)
        if externals:
            out.setdefault(EXTERNAL_LANE, []).extend(externals)
    return out


def timeline_rows(con: duckdb.DuckDBPyConnection) -> list[dict[str, Any]]:
    """The chronological list as rows (the `timeline` view), for tables and JSON."""
    result = con.execute(sql.text("timeline_rows"))
    columns = [d[0] for d in result.description]
    return [dict(zip(columns, row, strict=True)) for row in result.fetchall()]


def release_card(con: duckdb.DuckDBPyConnection, release_id: str) -> dict[str, Any]:
    """Everything to show for one release: its fields, makers, sources, facts with caveats,
    what it was built from, and its lineage ancestors and descendants."""
    found = con.execute(sql.text("release_card"), [release_id]).fetchall()
    if not found:
        _unknown(release_id, tables.release_ids(con))
    row = found[0]
    keys = (
        "id",
        "name",
        "date",
        "date_precision",
        "kind",
        "access",
        "parameters",
        "summary",
        "seed_position",
    )
    card: dict[str, Any] = dict(zip(keys, row, strict=True))
    card["organisations"] = tables.organisations(con, release_id).get(release_id, [])
    card["modalities"] = tables.modalities(con, release_id).get(release_id, [])
    card["sources"] = [r[0] for r in con.execute(SQL_CARD_SOURCES, [release_id]).fetchall()]
    card["facts"] = _records(con, sql.text("release_card_facts"), release_id)
    card["built_from"] = _records(con, sql.text("release_card_built_from"), release_id)
    nodes = {
        rid: {"name": name, "kind": kind, "date": day}
        for rid, name, kind, day in con.execute(SQL_CARD_NODES).fetchall()
    }
    edges = con.execute(sql.text("lineage_edges")).fetchall()
    card.update(_walk_lineage(edges, release_id, nodes))
    card["caveats"] = sum(1 for f in card["facts"] if f["caveat"]) + sum(
        1 for r in card["built_from"] if r["caveat"]
    )
    card["sources_values"] = _named(con, "timeline_card_values", release_id)
    card["disagreements"] = _records(con, SQL_CARD_DISAGREEMENTS, release_id)
    card["dates"] = _named(con, "timeline_card_dates", release_id)
    card["versions"] = _records(con, SQL_CARD_VERSIONS, release_id)
    return card


def require_release(graph: nx.DiGraph, release_id: str) -> None:
    if release_id not in graph:
        _unknown(release_id, list(graph.nodes))


def _unknown(release_id: str, ids: list[str]) -> NoReturn:
    suggestion = did_you_mean(release_id, ids)
    near = f" {suggestion[0].upper()}{suggestion[1:]}" if suggestion else ""
    raise KBError(
        f"No release with id '{release_id}'.{near}", "`kb timeline` lists every release id."
    )


def _records(con: duckdb.DuckDBPyConnection, sql: str, release_id: str) -> list[dict[str, Any]]:
    result = con.execute(sql, [release_id])
    columns = [d[0] for d in result.description]
    return [dict(zip(columns, row, strict=True)) for row in result.fetchall()]


# --- the timeline at the size of the living sources (Epoch AI, models.dev) ---------------------

# Who to credit when a source's data are shown or exported, and under which licence.
SOURCE_CREDITS: Final[dict[str, str]] = {
    "epoch": "Epoch AI (CC BY 4.0)",
    "models.dev": "models.dev (MIT)",
    "curated": "curated by kb",
}
GROUPINGS: Final[dict[str, str]] = {
    "organisation": "lead_organisation",
    "kind": "kind",
    "access": "access",
}
TimelineGrouping = Literal["organisation", "kind", "access"]
NO_GROUP: Final = "(unknown)"


@dataclass(frozen=True)
class TimelineFilter:
    """Which releases a timeline view shows; empty tuples and None narrow nothing.

    organisations match a maker's name (any case) or id, at any position; sources are terms of
    kb.vocabulary.LIVING_SOURCES (a release counts for every source that names it); text is
    searched in the name, id and organisations, ignoring case.
    """

    since: date | None = None
    until: date | None = None
    organisations: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    frontier: bool | None = None
    open_weights: bool | None = None
    text: str | None = None

    def params(self) -> dict[str, object]:
        """The `$...` parameters of kb/sql/timeline_releases.sql."""
        unknown = [s for s in self.sources if s not in LIVING_SOURCES]
        if unknown:
            raise KBError(
                f"unknown source {', '.join(map(repr, unknown))}",
                f"Use one of {', '.join(LIVING_SOURCES)}.",
            )
        text = (self.text or "").strip().lower()
        return {
            "since": self.since,
            "until": self.until,
            "organisations": [o.strip().lower() for o in self.organisations if o.strip()],
            "kinds": list(self.kinds),
            "sources": list(self.sources),
            "frontier": self.frontier,
            "open_weights": self.open_weights,
            "text": text or None,
        }


RELEASE_COLUMNS: Final = (
    "id",
    "name",
    "date",
    "date_precision",
    "date_event",
    "date_source",
    "organisations",
    "lead_organisation",
    "kind",
    "access",
    "sources",
    "frontier",
    "open_weights",
    "training_compute_flop",
    "parameters",
    "country",
)


def releases_table(
    con: duckdb.DuckDBPyConnection, flt: TimelineFilter | None = None
) -> pd.DataFrame:
    """One row per dated release matching the filter, each model once (crosswalked names merged
    into the curated record), sorted by its first public date (date_event says which event that
    is). Columns: RELEASE_COLUMNS; frontier and open_weights are bool, the numbers float/NaN."""
    params = (flt or TimelineFilter()).params()
    frame = sql.execute(con, "timeline_releases", params).df()
    frame = _as_dates(frame, "date")
    for column in ("frontier", "open_weights"):
        frame[column] = frame[column].astype(bool)
    for column in ("training_compute_flop", "parameters"):
        frame[column] = frame[column].astype(float)
    return frame.reset_index(drop=True)


def monthly_counts(
    con: duckdb.DuckDBPyConnection,
    flt: TimelineFilter | None = None,
    by: TimelineGrouping = "organisation",
) -> pd.DataFrame:
    """Releases per month and group (lead organisation, kind or access level): columns month
    (first day, a date), group, releases; months in order, larger groups first."""
    if by not in GROUPINGS:
        raise KBError(f"cannot group by '{by}'", f"Use one of {', '.join(GROUPINGS)}.")
    frame = releases_table(con, flt)
    out = pd.DataFrame(
        {
            "month": [d.replace(day=1) for d in frame["date"]],
            "group": frame[GROUPINGS[by]].fillna(NO_GROUP).astype(str),
        }
    )
    counts = out.groupby(["month", "group"]).size().rename("releases").reset_index()
    counts = counts.sort_values(["month", "releases", "group"], ascending=[True, False, True])
    return counts.reset_index(drop=True)


def waves(
    con: duckdb.DuckDBPyConnection,
    flt: TimelineFilter | None = None,
    min_releases: int = WAVE_MIN_RELEASES,
    factor: float = WAVE_FACTOR,
    window: int = WAVE_WINDOW,
) -> pd.DataFrame:
    """Weeks (day-precision first dates) with at least min_releases releases and factor times
    the mean of the `window` weeks before: week_start, iso_year, iso_week, releases,
    organisation_count, organisations ('; '-joined lead organisations), ids (', '-joined, in
    date order), usual_releases, ratio."""
    frame = releases_table(con, flt)[["id", "date", "date_precision", "lead_organisation"]]
    view = "kb_wave_releases"
    con.register(view, frame)
    try:
        params = {"min_releases": min_releases, "factor": factor, "window": window}
        frame = sql.execute(con, "timeline_waves", params, releases=view).df()
    finally:
        con.unregister(view)
    return _as_dates(frame, "week_start")


def family(con: duckdb.DuckDBPyConnection, root_id: str) -> pd.DataFrame:
    """The root and everything built from it, directly or not, along lineage relations: one
    row per (release, parent) edge inside the family plus the root's own row (depth 0, parent
    None). Columns: id, name, date, lead_organisation, kind, depth, parent, relation_type."""
    if not con.execute("SELECT 1 FROM releases WHERE id = ?", [root_id]).fetchone():
        _unknown(root_id, tables.release_ids(con))
    return _as_dates(sql.execute(con, "timeline_family", {"root_id": root_id}).df(), "date")


def _as_dates(frame: pd.DataFrame, column: str) -> pd.DataFrame:
    """DuckDB's DATE arrives as datetime64; every timeline frame gives datetime.date (None if
    missing), like releases_table."""
    frame[column] = [None if pd.isna(d) else d.date() for d in pd.to_datetime(frame[column])]
    return frame


def source_credit(sources: Iterable[str]) -> str:
    """The credit line for data from these sources, e.g. 'Data: Epoch AI (CC BY 4.0);
    models.dev (MIT); curated by kb' (fixed order, each once; unknown names are refused)."""
    wanted = set(sources)
    unknown = sorted(wanted - set(SOURCE_CREDITS))
    if unknown:
        raise KBError(
            f"unknown source {', '.join(map(repr, unknown))}",
            f"Use one of {', '.join(SOURCE_CREDITS)}.",
        )
    parts = [credit for name, credit in SOURCE_CREDITS.items() if name in wanted]
    return "Data: " + "; ".join(parts) if parts else ""


def _named(con: duckdb.DuckDBPyConnection, name: str, release_id: str) -> list[dict[str, Any]]:
    result = sql.execute(con, name, {"release_id": release_id})
    columns = [d[0] for d in result.description]
    return [dict(zip(columns, row, strict=True)) for row in result.fetchall()]
