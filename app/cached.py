"""Every st.cache_data wrapper of the dashboard: read-only calls into kb.*, and chart specs.

Each wrapper's first argument is a `StoreRef`: the store's path and its stamp (file size and
modification time of the store and its WAL). Both are part of st.cache_data's key, so a
`kb ingest` or `kb build` invalidates what was cached. Exposure figures are keyed by the frozen
kb.exposure.Recipe they were computed for. Each call opens the store read-only, runs one kb
function and closes it again; no connection outlives a rerun, so `kb ingest` can write while the
dashboard is up.

Chart specs are cached too: building an Altair chart and converting it to Vega-Lite (with schema
validation) costs tens to hundreds of milliseconds, far more than reading the cached data. The
pages draw `st.vega_lite_chart(spec)` with specs built once per distinct input; a slider move
only swaps the slider's mark in the curve's spec.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import networkx as nx
import pandas as pd
import streamlit as st

from app.charts import explorer as explorer_charts
from app.charts import exposure as exposure_charts
from app.charts import timeline as timeline_charts
from kb import config, exposure, provenance, sandbox, sources, store, timeline, usage, verify


@dataclass(frozen=True)
class StoreRef:
    """The store a page reads: its path and the stamp that changes whenever it is rewritten."""

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


def _without_attrs(frame: pd.DataFrame) -> pd.DataFrame:
    """kb attaches the Recipe in .attrs; the page shows the recipe itself, and Arrow cannot
    serialise it (a warning per table)."""
    frame.attrs = {}
    return frame


# ---------------------------------------------------------------------------------------- store


@st.cache_data(show_spinner=False, max_entries=8)
def store_meta(ref: StoreRef) -> dict[str, str]:
    """kb_meta (build time, versions); opening also checks the schema version."""
    with store.connect(ref.db) as con:
        return store.read_meta(con)


@st.cache_data(show_spinner=False, max_entries=8)
def table_counts(ref: StoreRef) -> dict[str, int]:
    with store.connect(ref.db) as con:
        return store.table_counts(con)


@st.cache_data(show_spinner=False, max_entries=32)
def run_sql(ref: StoreRef, sql: str) -> sandbox.QueryResult:
    """The SQL console: kb.sandbox (read-only, no files/ATTACH/extensions, bounded)."""
    return sandbox.run(sql, ref.db)


@st.cache_data(show_spinner=False, max_entries=8)
def upstream_files(ref: StoreRef) -> pd.DataFrame:
    """The pinned upstream files (data/sources.yml, which the current store was built from)."""
    frame = pd.DataFrame(sources.as_dicts(sources.load_manifest()))
    columns = ["dataset", "file", "licence", "citation", "sha256", "bytes", "url"]
    return frame[[c for c in columns if c in frame]]


@st.cache_data(show_spinner=False, max_entries=8)
def verification(ref: StoreRef) -> pd.DataFrame:
    """`kb verify`: the paper's published figures beside the ones reproduced from the store."""
    with store.connect(ref.db) as con:
        return verify.verify(con)


# ------------------------------------------------------------------------------------- exposure


@st.cache_data(show_spinner=False, max_entries=8)
def raters(ref: StoreRef) -> pd.DataFrame:
    """Every rater with its description and number of labelled tasks."""
    with store.connect(ref.db) as con:
        return exposure.rater_table(con)


@st.cache_data(show_spinner=False, max_entries=8)
def rater_names(ref: StoreRef) -> list[str]:
    with store.connect(ref.db) as con:
        return exposure.raters(con)


@st.cache_data(show_spinner=False, max_entries=64)
def headline(ref: StoreRef, recipe: exposure.Recipe) -> list[exposure.Share]:
    """The shares at the paper's thresholds (10% and 50%) for one recipe."""
    with store.connect(ref.db) as con:
        return exposure.shares(con, exposure.DEFAULT_THRESHOLDS, recipe)


@st.cache_data(show_spinner=False, max_entries=64)
def curve(ref: StoreRef, recipe: exposure.Recipe) -> pd.DataFrame:
    """The exposure curve at 0, 1, ..., 100%: the slider reads its figures from here."""
    with store.connect(ref.db) as con:
        return _without_attrs(exposure.curve(con, recipe))


@st.cache_data(show_spinner=False, max_entries=256)
def breakdown(ref: StoreRef, recipe: exposure.Recipe, by: str, threshold: float) -> pd.DataFrame:
    """One breakdown (major_group, job_zone, education, wage_quintile) at one threshold."""
    with store.connect(ref.db) as con:
        return _without_attrs(exposure.breakdown(con, by, threshold, recipe))


@st.cache_data(show_spinner=False, max_entries=64)
def ranked(ref: StoreRef, recipe: exposure.Recipe, n: int, least: bool) -> pd.DataFrame:
    """The n most (or least) exposed occupations."""
    with store.connect(ref.db) as con:
        return _without_attrs(exposure.top(con, recipe, n=n, least=least))


@st.cache_data(show_spinner=False, max_entries=32)
def all_units(ref: StoreRef, recipe: exposure.Recipe) -> pd.DataFrame:
    """Every occupation (unit) the recipe counts, with exposure and employment: the distribution."""
    with store.connect(ref.db) as con:
        return _without_attrs(exposure.top(con, recipe, n=1_000_000))


@st.cache_data(show_spinner=False, max_entries=32)
def agreement(
    ref: StoreRef,
    measure: str,
    level: str,
    pair: tuple[str, str],
    weighting: str,
    compare: str,
) -> exposure.Agreement:
    """Two raters' agreement (occupation level: exposed = exposure past 50%, the paper's mark)."""
    with store.connect(ref.db) as con:
        return exposure.agreement(
            con,
            measure,
            level,
            pair,
            weighting=weighting,
            compare=compare,
        )


@st.cache_data(show_spinner=False, max_entries=16)
def agreement_matrix(ref: StoreRef, measure: str, level: str, metric: str) -> pd.DataFrame:
    """One agreement figure for every pair of raters."""
    with store.connect(ref.db) as con:
        return _without_attrs(exposure.agreement_matrix(con, measure, level, metric))


# ------------------------------------------------------------------------------------- explorer


@st.cache_data(show_spinner=False, max_entries=128)
def search_occupations(ref: StoreRef, text: str) -> pd.DataFrame:
    with store.connect(ref.db) as con:
        return exposure.search_occupations(con, text, limit=5000)


@st.cache_data(show_spinner=False, max_entries=64)
def occupation(ref: StoreRef, onet_code: str) -> exposure.OccupationDetail:
    with store.connect(ref.db) as con:
        return exposure.occupation_detail(con, onet_code)


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


NODE_COLUMNS = ["name", "date", "date_precision", "kind", "lane", "external", "position"]


def _timeline_tables(graph: nx.DiGraph) -> TimelineData:
    nodes = pd.DataFrame(
        [
            {
                "id": rid,
                **{k: attrs.get(k) for k in NODE_COLUMNS},
                "organisations": "; ".join(attrs.get("organisations") or []),
            }
            for rid, attrs in graph.nodes(data=True)
        ],
        columns=["id", *NODE_COLUMNS, "organisations"],
    )
    nodes["date"] = pd.to_datetime(nodes["date"])
    edges = pd.DataFrame(
        [
            {
                "source": a,
                "target": b,
                "edge_kind": e["edge_kind"],
                "relation": (
                    "+".join(e.get("types") or [e["type"]]) if e["edge_kind"] == "lineage" else ""
                ),
                "note": e.get("note"),
                "caveat": e.get("caveat"),
            }
            for a, b, e in graph.edges(data=True)
        ],
        columns=["source", "target", "edge_kind", "relation", "note", "caveat"],
    )
    days = [(pd.Timestamp(day), ids) for day, ids in timeline.same_day(graph).items()]
    return TimelineData(nodes=nodes, edges=edges, same_day=days)


@st.cache_data(show_spinner=False, max_entries=8)
def timeline_data(ref: StoreRef) -> TimelineData:
    with store.connect(ref.db) as con:
        graph = timeline.load_graph(con)
    return _timeline_tables(graph)


@st.cache_data(show_spinner=False, max_entries=64)
def release_card(ref: StoreRef, release_id: str) -> dict[str, Any]:
    """kb.timeline.release_card: fields, makers, sources, facts with caveats, lineage."""
    with store.connect(ref.db) as con:
        return timeline.release_card(con, release_id)


@st.cache_data(show_spinner=False, max_entries=8)
def measures_by_release(ref: StoreRef) -> pd.DataFrame:
    """Exposure label sets and measures produced by a release (kb.provenance): timeline notes."""
    with store.connect(ref.db) as con:
        return provenance.annotations(con)


# ------------------------------------------------------------------------------------- vintages


@st.cache_data(show_spinner=False, max_entries=8)
def exposure_sources(ref: StoreRef) -> pd.DataFrame:
    with store.connect(ref.db) as con:
        return provenance.sources(con)


@st.cache_data(show_spinner=False, max_entries=8)
def history(ref: StoreRef, usage_cut: float) -> pd.DataFrame:
    with store.connect(ref.db) as con:
        return provenance.history(con, usage_cut=usage_cut)


@st.cache_data(show_spinner=False, max_entries=32)
def usage_comparison(ref: StoreRef, rater: str, measure: str) -> tuple[pd.DataFrame, float, int]:
    """Exposure and usage per SOC code, with Spearman's rho and the number of codes."""
    with store.connect(ref.db) as con:
        rho = usage.rank_correlation(con, rater, measure)
        return usage.comparison(con, rater, measure), rho.rho, rho.n


@st.cache_data(show_spinner=False, max_entries=32)
def usage_gaps(ref: StoreRef, rater: str, measure: str, min_gap: float) -> pd.DataFrame:
    with store.connect(ref.db) as con:
        return usage.gaps(con, rater, measure, min_gap, n=None)


@st.cache_data(show_spinner=False, max_entries=8)
def usage_coverage(ref: StoreRef) -> pd.DataFrame:
    with store.connect(ref.db) as con:
        return usage.coverage(con)


@st.cache_data(show_spinner=False, max_entries=32)
def usage_distribution(ref: StoreRef, rater: str, measure: str) -> pd.DataFrame:
    with store.connect(ref.db) as con:
        return usage.weighted_distribution(con, rater, measure, bins=10)


# --------------------------------------------------------------------------------- chart specs


@st.cache_data(show_spinner=False, max_entries=64)
def _exposure_curve_spec(ref: StoreRef, recipe: exposure.Recipe) -> dict[str, Any]:
    chart = exposure_charts.exposure_curve_chart(curve(ref, recipe), recipe.describe())
    return chart.to_dict()


def exposure_curve_spec(ref: StoreRef, recipe: exposure.Recipe, threshold: float) -> dict[str, Any]:
    """The exposure curve for a recipe, with the slider's mark at threshold."""
    return exposure_charts.with_threshold(_exposure_curve_spec(ref, recipe), threshold)


@st.cache_data(show_spinner=False, max_entries=64)
def _breakdown_spec(label: str, sign: str, n_groups: int) -> dict[str, Any]:
    return exposure_charts.breakdown_chart(label, sign, n_groups).to_dict()


def breakdown_spec(
    ref: StoreRef, recipe: exposure.Recipe, by: str, label: str, threshold: float, sign: str
) -> dict[str, Any]:
    """The breakdown by `by` at threshold: the chart once per grouping, the rows per threshold."""
    frame = exposure_charts.breakdown_display(breakdown(ref, recipe, by, threshold), by)
    return exposure_charts.with_groups(_breakdown_spec(label, sign, len(frame)), frame)


@st.cache_data(show_spinner=False, max_entries=64)
def timeline_spec(
    key: tuple[Any, ...],
    _layout: pd.DataFrame,
    _edges: pd.DataFrame,
    selected: str | None,
    show_chronology: bool,
    _notes: pd.DataFrame | None,
) -> dict[str, Any]:
    """The timeline chart. `key` (store, and the filters) determines the frames, which
    st.cache_data therefore need not hash (the leading underscores)."""
    chart = timeline_charts.timeline_chart(
        _layout, _edges, selected=selected, show_chronology=show_chronology, notes=_notes
    )
    return chart.to_dict()


@st.cache_data(show_spinner=False, max_entries=64)
def distribution_spec(
    ref: StoreRef, recipe: exposure.Recipe, marker: float | None, marker_label: str
) -> dict[str, Any]:
    """Where one occupation stands among every unit the recipe counts (employment-weighted)."""
    units = all_units(ref, recipe)
    values = units.rename(columns={"employment": "workers"})[["exposure", "workers"]]
    measure_label = f"{recipe.rater}, {recipe.measure}"
    chart = explorer_charts.distribution_chart(values, marker, measure_label, marker_label)
    return chart.to_dict()
