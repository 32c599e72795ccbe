"""Cached read-only wrappers over kb.* for the pages.

Every wrapper takes the database path and the store's stamp (file size and modification time of
the store and its WAL) as its first two arguments: both are part of st.cache_data's key, so a
`kb ingest` or `kb build` invalidates what was cached. Each call opens the store read-only, runs
one kb function and closes it again; no connection outlives a rerun, so `kb ingest` can write
while the dashboard is up.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from kb import config, exposure, provenance, sources, timeline, verify
from kb import query as kbquery
from kb import store as kbstore


@dataclass(frozen=True)
class StoreRef:
    db: str
    stamp: str


def store_stamp(db: str | os.PathLike[str]) -> str:
    """Changes whenever the store file (or its WAL) is rewritten: size and mtime in ns."""
    parts = []
    for path in (str(db), f"{db}.wal"):
        try:
            info = os.stat(path)
        except FileNotFoundError:
            parts.append("-")
            continue
        parts.append(f"{info.st_size}:{info.st_mtime_ns}")
    return "/".join(parts)


def current_store() -> StoreRef:
    db = str(config.db_path())
    return StoreRef(db=db, stamp=store_stamp(db))


# ---------------------------------------------------------------------------------------- store


@st.cache_data(show_spinner=False, max_entries=8)
def store_meta(db: str, stamp: str) -> dict[str, str]:
    """kb_meta (build time, versions); opening also checks the schema version."""
    with kbstore.connect(db) as con:
        return kbstore.read_meta(con)


@st.cache_data(show_spinner=False, max_entries=8)
def table_counts(db: str, stamp: str) -> dict[str, int]:
    with kbstore.connect(db) as con:
        return kbstore.table_counts(con)


@st.cache_data(show_spinner=False, max_entries=32)
def run_sql(db: str, stamp: str, sql: str) -> pd.DataFrame:
    """The SQL console: kb.query's sandbox (read-only, no files/ATTACH/extensions, time limit)."""
    return kbquery.run_readonly(sql, db)


@st.cache_data(show_spinner=False, max_entries=8)
def upstream_files(db: str, stamp: str) -> pd.DataFrame:
    """The pinned upstream files (data/sources.yml, which the current store was built from)."""
    frame = pd.DataFrame(sources.as_dicts(sources.load_manifest()))
    columns = ["dataset", "file", "licence", "citation", "sha256", "bytes", "url"]
    return frame[[c for c in columns if c in frame]]


# ------------------------------------------------------------------------------------- exposure
# Recipes travel as plain strings (rater, measure, weighting, compare, employment) so that
# st.cache_data can hash them; kb.exposure.Recipe is rebuilt inside.


def recipe(rater: str, measure: str, weighting: str, compare: str,
           employment: str) -> exposure.Recipe:
    return exposure.Recipe(rater=rater, measure=measure, weighting=weighting, compare=compare,
                           employment=employment)


def _without_attrs(frame: pd.DataFrame) -> pd.DataFrame:
    """kb attaches the Recipe in .attrs; the page shows the recipe itself, and Arrow cannot
    serialise it (a warning per table)."""
    frame.attrs = {}
    return frame


@st.cache_data(show_spinner=False, max_entries=8)
def raters(db: str, stamp: str) -> pd.DataFrame:
    """Every rater with its description and number of labelled tasks."""
    with kbstore.connect(db) as con:
        return exposure.rater_table(con)


@st.cache_data(show_spinner=False, max_entries=64)
def headline(db: str, stamp: str, *choices: str) -> list[exposure.Share]:
    """The shares at the paper's thresholds (10% and 50%) for one recipe."""
    with kbstore.connect(db) as con:
        return exposure.shares(con, exposure.DEFAULT_THRESHOLDS, recipe(*choices))


@st.cache_data(show_spinner=False, max_entries=64)
def curve(db: str, stamp: str, *choices: str) -> pd.DataFrame:
    """The exposure curve at 0, 1, ..., 100%: the slider reads its figures from here."""
    with kbstore.connect(db) as con:
        return _without_attrs(exposure.curve(con, recipe(*choices)))


@st.cache_data(show_spinner=False, max_entries=256)
def breakdown(db: str, stamp: str, by: str, threshold: float, *choices: str) -> pd.DataFrame:
    """One breakdown (major_group, job_zone, education, wage_quintile) at one threshold."""
    with kbstore.connect(db) as con:
        return _without_attrs(exposure.breakdown(con, by, threshold, recipe(*choices)))


@st.cache_data(show_spinner=False, max_entries=64)
def ranked(db: str, stamp: str, n: int, least: bool, *choices: str) -> pd.DataFrame:
    """The n most (or least) exposed occupations."""
    with kbstore.connect(db) as con:
        return _without_attrs(exposure.top(con, recipe(*choices), n=n, least=least))


@st.cache_data(show_spinner=False, max_entries=32)
def agreement(db: str, stamp: str, measure: str, level: str, rater_a: str, rater_b: str,
              weighting: str, compare: str) -> exposure.Agreement:
    """Two raters' agreement (occupation level: exposed = exposure past 50%, the paper's mark)."""
    with kbstore.connect(db) as con:
        return exposure.agreement(con, measure, level, (rater_a, rater_b), weighting=weighting,
                                  compare=compare)


# ------------------------------------------------------------------------------------- explorer


@st.cache_data(show_spinner=False, max_entries=128)
def search_occupations(db: str, stamp: str, text: str) -> pd.DataFrame:
    with kbstore.connect(db) as con:
        return exposure.search_occupations(con, text, limit=5000)


@st.cache_data(show_spinner=False, max_entries=64)
def occupation(db: str, stamp: str, onet_code: str) -> exposure.OccupationDetail:
    with kbstore.connect(db) as con:
        return exposure.occupation_detail(con, onet_code)


@st.cache_data(show_spinner=False, max_entries=32)
def all_units(db: str, stamp: str, *choices: str) -> pd.DataFrame:
    """Every occupation (unit) the recipe counts, with exposure and employment: the distribution."""
    with kbstore.connect(db) as con:
        return _without_attrs(exposure.top(con, recipe(*choices), n=1_000_000))


# ------------------------------------------------------------------------------------- timeline


@dataclass(frozen=True)
class TimelineData:
    """The release graph as tables: one row per release, one per edge, and same-day clusters."""

    # id, name, date (datetime64, NaT if undated), date_precision, kind, lane, external,
    # position, organisations
    nodes: pd.DataFrame
    # source, target, edge_kind ("chronology"/"lineage"), relation, note, caveat
    edges: pd.DataFrame
    same_day: list[tuple[pd.Timestamp, list[str]]]


@st.cache_data(show_spinner=False, max_entries=8)
def timeline_data(db: str, stamp: str) -> TimelineData:
    with kbstore.connect(db) as con:
        graph = timeline.load_graph(con)
    nodes = pd.DataFrame(
        [{"id": rid, **{k: attrs.get(k) for k in ("name", "date", "date_precision", "kind", "lane",
                                                    "external", "position")},
          "organisations": "; ".join(attrs.get("organisations") or [])}
         for rid, attrs in graph.nodes(data=True)],
        columns=["id", "name", "date", "date_precision", "kind", "lane", "external", "position",
                 "organisations"],
    )
    nodes["date"] = pd.to_datetime(nodes["date"])
    edges = pd.DataFrame(
        [{"source": a, "target": b, "edge_kind": e["edge_kind"],
          "relation": ("+".join(e.get("types") or [e["type"]])
                       if e["edge_kind"] == "lineage" else ""),
          "note": e.get("note"), "caveat": e.get("caveat")}
         for a, b, e in graph.edges(data=True)],
        columns=["source", "target", "edge_kind", "relation", "note", "caveat"],
    )
    days = [(pd.Timestamp(day), ids) for day, ids in timeline.same_day(graph).items()]
    return TimelineData(nodes=nodes, edges=edges, same_day=days)


@st.cache_data(show_spinner=False, max_entries=64)
def release_card(db: str, stamp: str, release_id: str) -> dict:
    """kb.timeline.release_card: fields, makers, sources, facts with caveats, lineage."""
    with kbstore.connect(db) as con:
        return timeline.release_card(con, release_id)


# ---------------------------------------------------------------------------------------- about


@st.cache_data(show_spinner=False, max_entries=8)
def verification(db: str, stamp: str) -> pd.DataFrame:
    """`kb verify`: the paper's published figures beside the ones reproduced from the store."""
    with kbstore.connect(db) as con:
        return verify.verify(con)


@st.cache_data(show_spinner=False, max_entries=8)
def annotations(db: str, stamp: str) -> pd.DataFrame:
    """Exposure label sets and measures produced by a release (kb.provenance): timeline notes."""
    with kbstore.connect(db) as con:
        return provenance.annotations(con)
