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
from datetime import date
from typing import Any, NoReturn

import duckdb
import networkx as nx

from kb import sql
from kb.errors import KBError, did_you_mean
from kb.releases import tables

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
