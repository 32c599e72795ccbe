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

import difflib
from collections import defaultdict
from datetime import date
from typing import Any

import duckdb
import networkx as nx

from kb.errors import KBError

NODE_ATTRIBUTES = (
    "name", "date", "date_precision", "kind", "organisations", "lane", "modalities", "access",
    "parameters", "summary", "seed_position", "position", "external",
)
EXTERNAL_LANE = "External"
UNKNOWN_LANE = "(no organisation)"

_NODES = """
SELECT r.id, r.name, r.date, r.date_precision, r.kind, r.access, r.parameters, r.summary,
       r.seed_position, t.position
FROM releases r LEFT JOIN timeline t ON t.id = r.id
ORDER BY t.position NULLS LAST, r.id
"""
_ORGANISATIONS = """
SELECT ro.release_id, o.name FROM release_organisations ro
JOIN organisations o ON o.id = ro.organisation_id
ORDER BY ro.release_id, ro.position
"""
_MODALITIES = "SELECT release_id, modality FROM release_modalities ORDER BY release_id, modality"
_CHRONOLOGY = "SELECT from_id, to_id, same_day FROM chronology_edges"
_LINEAGE = """
SELECT target_id AS parent, source_id AS child, type, note, caveat, source_url
FROM release_relations ORDER BY parent, child, type
"""
_TIMELINE = """
SELECT position, id, name, date, date_precision, kind, lead_organisation, organisations,
       modalities, seed_position
FROM timeline ORDER BY position
"""
_CARD_RELEASE = """
SELECT id, name, date, date_precision, kind, access, parameters, summary, seed_position
FROM releases WHERE id = ?
"""
_CARD_ORGANISATIONS = """
SELECT o.name FROM release_organisations ro JOIN organisations o ON o.id = ro.organisation_id
WHERE ro.release_id = ? ORDER BY ro.position
"""
_CARD_MODALITIES = "SELECT modality FROM release_modalities WHERE release_id = ? ORDER BY modality"
_CARD_SOURCES = "SELECT url FROM release_sources WHERE release_id = ? ORDER BY position"
_CARD_FACTS = """
SELECT subject, attribute, value, unit, as_of, caveat, source_url
FROM facts WHERE release_id = ? ORDER BY position
"""
_CARD_BUILT_FROM = """
SELECT rr.target_id AS id, r.name, rr.type, rr.note, rr.caveat, rr.source_url
FROM release_relations rr JOIN releases r ON r.id = rr.target_id
WHERE rr.source_id = ? ORDER BY rr.target_id, rr.type
"""
_CARD_LINEAGE_EDGES = """
SELECT target_id, source_id, string_agg(type, '+' ORDER BY type)
FROM release_relations GROUP BY target_id, source_id
"""
_CARD_NODES = "SELECT id, name, kind, date FROM releases"
_IDS = "SELECT id FROM releases"


def load_graph(con: duckdb.DuckDBPyConnection) -> nx.DiGraph:
    """Every release as a node, chronology and lineage as typed edges (see the module doc)."""
    graph = nx.DiGraph()
    organisations = _grouped(con, _ORGANISATIONS)
    modalities = _grouped(con, _MODALITIES)
    for rid, name, day, precision, kind, access, parameters, summary, seed, position in con.execute(
        _NODES
    ).fetchall():
        orgs = organisations.get(rid, [])
        graph.add_node(
            rid, name=name, date=day, date_precision=precision, kind=kind, organisations=orgs,
            lane=EXTERNAL_LANE if day is None else orgs[0] if orgs else UNKNOWN_LANE,
            modalities=modalities.get(rid, []), access=access, parameters=parameters,
            summary=summary, seed_position=seed, position=position, external=kind == "external",
        )
    for src, dst, same_day in con.execute(_CHRONOLOGY).fetchall():
        graph.add_edge(src, dst, edge_kind="chronology", type="next", same_day=bool(same_day))
    for parent, child, rtype, note, caveat, url in con.execute(_LINEAGE).fetchall():
        existing = graph.get_edge_data(parent, child)
        if existing and existing["edge_kind"] == "lineage":
            existing["types"].append(rtype)
            continue
        graph.add_edge(
            parent, child, edge_kind="lineage", type=rtype, types=[rtype], note=note,
            caveat=caveat, source_url=url, also_chronology=existing is not None,
        )
    return graph


def lineage_graph(graph: nx.DiGraph) -> nx.DiGraph:
    """A read-only view with lineage edges only (parent -> child)."""
    return nx.subgraph_view(
        graph, filter_edge=lambda u, v: graph.edges[u, v]["edge_kind"] == "lineage"
    )


def chronology_graph(graph: nx.DiGraph) -> nx.DiGraph:
    """A read-only view with chronology edges only (earlier -> next)."""
    return nx.subgraph_view(
        graph, filter_edge=lambda u, v: graph.edges[u, v]["edge_kind"] == "chronology"
        or graph.edges[u, v].get("also_chronology", False)
    )


def lineage(graph: nx.DiGraph, release_id: str) -> dict[str, Any]:
    """Ancestors and descendants of a release along lineage edges, nearest first.

    Each entry has id, name, kind, date, depth (edges away) and relation_path: the relation
    types along a shortest path, read from the younger release up to its ancestor (the same
    convention as the lineage_closure view), e.g. dolly -> llama is
    [trained_on_data_from, fine_tuned_from].
    """
    require_release(graph, release_id)
    edges = [(u, v, "+".join(d["types"])) for u, v, d in graph.edges(data=True)
             if d["edge_kind"] == "lineage"]
    return {"id": release_id, "name": graph.nodes[release_id]["name"],
            **_walk_lineage(edges, release_id, graph.nodes)}


def _walk_lineage(edges: list[tuple[str, str, str]], start: str,
                  nodes: Any) -> dict[str, list[dict[str, Any]]]:
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
                        reached[other] = (depth + 1, path + [rtype])
                        following.append(other)
            frontier = following
        del reached[start]
        entries = []
        for rid, (depth, path) in reached.items():
            node = nodes[rid]
            entries.append({"id": rid, "name": node["name"], "kind": node["kind"],
                            "date": node["date"], "depth": depth,
                            "relation_path": path if upwards else path[::-1]})
        out[label] = sorted(entries, key=lambda e: (e["depth"], e["date"] or date.max, e["id"]))
    return out


def chronological(graph: nx.DiGraph) -> list[str]:
    """Dated releases in the order they happened (same day: seed order, then id)."""
    dated = [(data["position"], rid) for rid, data in graph.nodes(data=True)
             if data["position"] is not None]
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
    result = con.execute(_TIMELINE)
    columns = [d[0] for d in result.description]
    return [dict(zip(columns, row)) for row in result.fetchall()]


def release_card(con: duckdb.DuckDBPyConnection, release_id: str) -> dict[str, Any]:
    """Everything to show for one release: its fields, makers, sources, facts with caveats,
    what it was built from, and its lineage ancestors and descendants."""
    row = con.execute(_CARD_RELEASE, [release_id]).fetchone()
    if row is None:
        _unknown(release_id, [r[0] for r in con.execute(_IDS).fetchall()])
    keys = ("id", "name", "date", "date_precision", "kind", "access", "parameters", "summary",
            "seed_position")
    card: dict[str, Any] = dict(zip(keys, row))
    card["organisations"] = [r[0] for r in con.execute(_CARD_ORGANISATIONS, [release_id]).fetchall()]
    card["modalities"] = [r[0] for r in con.execute(_CARD_MODALITIES, [release_id]).fetchall()]
    card["sources"] = [r[0] for r in con.execute(_CARD_SOURCES, [release_id]).fetchall()]
    card["facts"] = _records(con, _CARD_FACTS, release_id)
    card["built_from"] = _records(con, _CARD_BUILT_FROM, release_id)
    nodes = {rid: {"name": name, "kind": kind, "date": day}
             for rid, name, kind, day in con.execute(_CARD_NODES).fetchall()}
    card.update(_walk_lineage(con.execute(_CARD_LINEAGE_EDGES).fetchall(), release_id, nodes))
    card["caveats"] = sum(1 for f in card["facts"] if f["caveat"]) + sum(
        1 for r in card["built_from"] if r["caveat"])
    return card


def require_release(graph: nx.DiGraph, release_id: str) -> None:
    if release_id not in graph:
        _unknown(release_id, list(graph.nodes))


def _unknown(release_id: str, ids: list[str]) -> None:
    matches = difflib.get_close_matches(release_id, sorted(ids), n=3, cutoff=0.5)
    near = f" Did you mean {', '.join(repr(m) for m in matches)}?" if matches else ""
    raise KBError(f"No release with id '{release_id}'.{near}",
                  "`kb timeline` lists every release id.")


def _records(con: duckdb.DuckDBPyConnection, sql: str, release_id: str) -> list[dict[str, Any]]:
    result = con.execute(sql, [release_id])
    columns = [d[0] for d in result.description]
    return [dict(zip(columns, row)) for row in result.fetchall()]


def _grouped(con: duckdb.DuckDBPyConnection, sql: str) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = defaultdict(list)
    for key, value in con.execute(sql).fetchall():
        out[key].append(value)
    return out
