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

import datetime
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
from kb.errors import KBError
from kb.exposure import ranking as exposure_ranking


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


@st.cache_data(show_spinner=False, max_entries=32)
def ranking(ref: StoreRef, recipe: exposure.Recipe) -> pd.DataFrame:
    """Every unit the recipe counts, ranked, with tie ranks and shared employment marked."""
    with store.connect(ref.db) as con:
        return _without_attrs(exposure_ranking.ranking(con, recipe))


@st.cache_data(show_spinner=False, max_entries=8)
def employment_recipes(ref: StoreRef) -> list[str]:
    """The employment recipes the store has units for."""
    with store.connect(ref.db) as con:
        return exposure_ranking.employment_recipes(con)


def robustness(
    ref: StoreRef, recipe: exposure.Recipe, alternatives: dict[str, exposure.Recipe]
) -> dict[str, list[exposure.Share]]:
    """The headline shares under the recipe and each alternative that the store can compute
    ({name: shares at 10% and 50%}); an alternative the store cannot compute is left out."""
    out = {"This recipe": headline(ref, recipe)}
    for name, other in alternatives.items():
        try:
            out[name] = headline(ref, other)
        except KBError:
            continue
    return out


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
    employment: str | None = None,
) -> exposure.Agreement:
    """Two raters' agreement (occupation level: exposed = exposure past 50%, the paper's mark;
    with an employment recipe, its units are compared instead of O*NET occupations)."""
    with store.connect(ref.db) as con:
        return exposure.agreement(
            con,
            measure,
            level,
            pair,
            weighting=weighting,
            compare=compare,
            employment=employment,
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
    """The release graph as tables: one row per release (undated ones too), one per edge."""

    # id, name, date (datetime64, NaT if undated), date_precision, kind, lane, external,
    # position, organisations
    nodes: pd.DataFrame
    # source, target, edge_kind ("chronology"/"lineage"), relation ("a+b" if several), note,
    # caveat
    edges: pd.DataFrame


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
    return TimelineData(nodes=nodes, edges=edges)


@st.cache_data(show_spinner=False, max_entries=8)
def timeline_data(ref: StoreRef) -> TimelineData:
    with store.connect(ref.db) as con:
        graph = timeline.load_graph(con)
    return _timeline_tables(graph)


@st.cache_data(show_spinner=False, max_entries=64)
def releases(ref: StoreRef, flt: timeline.TimelineFilter) -> pd.DataFrame:
    """kb.timeline.releases_table: one row per dated release matching the filter."""
    with store.connect(ref.db) as con:
        return timeline.releases_table(con, flt)


@st.cache_data(show_spinner=False, max_entries=32)
def release_labels(ref: StoreRef, flt: timeline.TimelineFilter) -> dict[str, str]:
    """The release chooser's options: id -> 'name (organisation, Mon YYYY)', in table order.
    Cached: formatting 1,750 labels on every run of the card was a tenth of its time."""
    rows = releases(ref, flt)
    return {
        rid: f"{name} ({org}, {day:%b %Y})" if isinstance(org, str) else f"{name} ({day:%b %Y})"
        for rid, name, org, day in zip(
            rows["id"], rows["name"], rows["lead_organisation"], rows["date"], strict=True
        )
    }


@st.cache_data(show_spinner=False, max_entries=32)
def releases_csv(ref: StoreRef, flt: timeline.TimelineFilter) -> str:
    """The filtered releases as CSV, formula cells neutralised (kb.sandbox.to_csv)."""
    return sandbox.to_csv(releases(ref, flt))


@st.cache_data(show_spinner=False, max_entries=64)
def monthly_counts(ref: StoreRef, flt: timeline.TimelineFilter, by: str) -> pd.DataFrame:
    """kb.timeline.monthly_counts: releases per month and organisation, kind or access."""
    with store.connect(ref.db) as con:
        return timeline.monthly_counts(con, flt, by)  # type: ignore[arg-type]


@st.cache_data(show_spinner=False, max_entries=16)
def waves(ref: StoreRef) -> pd.DataFrame:
    """kb.timeline.waves over every release: the weeks with unusually many releases."""
    with store.connect(ref.db) as con:
        return timeline.waves(con)


@st.cache_data(show_spinner=False, max_entries=64)
def family(ref: StoreRef, root_id: str) -> pd.DataFrame:
    """kb.timeline.family: the root and everything built from it along lineage."""
    with store.connect(ref.db) as con:
        return timeline.family(con, root_id)


@st.cache_data(show_spinner=False, max_entries=8)
def family_roots(ref: StoreRef) -> list[tuple[str, int]]:
    """Releases that others were built from, with how many direct descendants: the family
    view's choices (most descendants first)."""
    edges = timeline_data(ref).edges
    lineage = edges[edges["edge_kind"] == "lineage"]
    counts = lineage.groupby("source").size().sort_values(ascending=False, kind="stable")
    return [(str(rid), int(n)) for rid, n in counts.items()]


@st.cache_data(show_spinner=False, max_entries=128)
def release_card(ref: StoreRef, release_id: str) -> dict[str, Any]:
    """kb.timeline.release_card: fields, makers, every source's values and where they
    disagree, dated events and versions, facts with caveats, lineage."""
    with store.connect(ref.db) as con:
        return timeline.release_card(con, release_id)


@st.cache_data(show_spinner=False, max_entries=8)
def measures_by_release(ref: StoreRef) -> pd.DataFrame:
    """Exposure label sets and measures produced by a release (kb.provenance): timeline notes."""
    with store.connect(ref.db) as con:
        return provenance.release_annotations(con)


def releases_credit(frame: pd.DataFrame) -> str:
    """'Data: Epoch AI (CC BY 4.0); ...' for the sources of these rows (column sources)."""
    named = {s.strip() for cell in frame["sources"].dropna() for s in str(cell).split(",")}
    return timeline.source_credit(sorted(s for s in named if s))


@st.cache_data(show_spinner=False, max_entries=64)
def overview_spec(
    ref: StoreRef,
    flt: timeline.TimelineFilter,
    by: str,
    by_title: str,
    top: int,
    start: datetime.date | None = None,
) -> tuple[dict[str, Any], pd.DataFrame, str]:
    """Releases per month (or quarter, or year on a long window) by group from `start` on:
    the spec, the counts drawn (for the CSV) and the credit line."""
    counts = monthly_counts(ref, flt, by)
    rows = releases(ref, flt)
    if start is not None:
        counts = counts[pd.to_datetime(counts["month"]) >= pd.Timestamp(start)]
        rows = rows[pd.to_datetime(rows["date"]) >= pd.Timestamp(start)]
    if counts.empty:
        return {}, counts, ""
    months = pd.to_datetime(counts["month"])
    period = timeline_charts.period_of((months.max() - months.min()).days)
    freq = {"month": "MS", "quarter": "QS", "year": "YS"}[period]
    binned = counts.assign(period=months.dt.to_period(freq[0]).dt.start_time)
    binned = binned.groupby(["period", "group"], as_index=False)["releases"].sum()
    drawn = timeline_charts.top_groups(binned, top)
    credit = releases_credit(rows)
    spec = timeline_charts.overview_chart(drawn, by_title, period, credit).to_dict()
    return spec, drawn.rename(columns={"group": by_title}), credit


@st.cache_data(show_spinner=False, max_entries=64)
def compute_spec(
    ref: StoreRef, flt: timeline.TimelineFilter
) -> tuple[dict[str, Any], pd.DataFrame, str]:
    """Training compute over time (log axis, frontier marked): spec, rows drawn, credit."""
    rows = releases(ref, flt)
    drawn = rows[rows["training_compute_flop"].notna() & (rows["training_compute_flop"] > 0)]
    columns = ["id", "name", "date", "lead_organisation", "training_compute_flop", "parameters"]
    drawn = drawn[[*columns, "frontier", "sources"]].reset_index(drop=True)
    if drawn.empty:
        return {}, drawn, ""
    credit = releases_credit(drawn)
    frame = drawn.assign(date=pd.to_datetime(drawn["date"]))
    spec = timeline_charts.compute_chart(frame.drop(columns="sources"), credit).to_dict()
    return spec, drawn.drop(columns="sources"), credit


@dataclass(frozen=True)
class LaneOptions:
    """What the lane chart of a window draws besides the releases."""

    chronology: bool = True
    outside: bool = True  # what the window's releases were built from, outside the window
    notes: bool = True  # exposure data tied to a release


@st.cache_data(show_spinner=False, max_entries=64)
def lane_spec(
    ref: StoreRef, flt: timeline.TimelineFilter, options: LaneOptions
) -> tuple[dict[str, Any], pd.DataFrame, str]:
    """The lane chart of one window (flt carries the window and the filters): the spec, the
    releases drawn (with lane, row, label) and the credit line."""
    rows = releases(ref, flt)
    if rows.empty:
        return {}, rows, ""
    data = timeline_data(ref)
    nodes = timeline_charts.lane_nodes(rows)
    lineage = data.edges[data.edges["edge_kind"] == "lineage"]
    if options.outside:
        everything = releases(ref, timeline.TimelineFilter())
        outside = timeline_charts.outside_parents(
            nodes,
            lineage,
            everything,
            dict(zip(data.nodes["id"], data.nodes["name"], strict=True)),
            dict(zip(data.nodes["id"], data.nodes["kind"], strict=True)),
        )
        nodes = pd.concat([nodes, outside], ignore_index=True).pipe(_keep_attrs, nodes)
    layout = timeline_charts.timeline_layout(nodes)
    drawn = set(layout["id"])
    edges = lineage[lineage["source"].isin(drawn) & lineage["target"].isin(drawn)]
    if options.chronology:
        dated = layout[layout["lane"] != timeline_charts.OUTSIDE_LANE]
        edges = pd.concat([edges, timeline_charts.chronology_edges(dated)], ignore_index=True)
    notes = None
    if options.notes:
        notes = timeline_charts.release_notes(measures_by_release(ref))
    credit = releases_credit(rows)
    chart = timeline_charts.timeline_chart(
        layout, edges, show_chronology=options.chronology, notes=notes, credit=credit
    )
    return chart.to_dict(), layout, credit


def _keep_attrs(frame: pd.DataFrame, source: pd.DataFrame) -> pd.DataFrame:
    frame.attrs = dict(source.attrs)
    return frame


@st.cache_data(show_spinner=False, max_entries=32)
def family_spec(ref: StoreRef, root_id: str) -> tuple[dict[str, Any], pd.DataFrame, str]:
    """The lineage family of a release as a lane chart by generation: spec, members, credit."""
    members = family(ref, root_id)
    root_name = str(members.loc[members["depth"] == 0, "name"].iloc[0])
    nodes, edges = timeline_charts.family_nodes(members, root_name)
    if nodes.empty:
        return {}, members, ""
    everything = releases(ref, timeline.TimelineFilter())
    credit = releases_credit(everything[everything["id"].isin(set(nodes["id"]))])
    layout = timeline_charts.timeline_layout(nodes)
    chart = timeline_charts.timeline_chart(layout, edges, show_chronology=False, credit=credit)
    return chart.to_dict(), members, credit


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
def _breakdown_spec(label: str, n_groups: int) -> dict[str, Any]:
    return exposure_charts.breakdown_chart(label, n_groups).to_dict()


@st.cache_data(show_spinner=False, max_entries=256)
def breakdown_rows(
    ref: StoreRef, recipe: exposure.Recipe, by: str, threshold: float
) -> pd.DataFrame:
    """One breakdown in display order (by value, or the grouping's own order) with labels."""
    return exposure_charts.breakdown_display(breakdown(ref, recipe, by, threshold), by)


@st.cache_data(show_spinner=False, max_entries=512)
def breakdown_spec(
    ref: StoreRef,
    recipe: exposure.Recipe,
    by: str,
    label: str,
    threshold: float,
    overall: float,
) -> dict[str, Any]:
    """The breakdown by `by` at threshold: the chart once per grouping, the rows per threshold."""
    frame = breakdown_rows(ref, recipe, by, threshold)
    spec = _breakdown_spec(label, len(frame))  # st.cache_data returns a copy
    # Cached whole (a slider step back to a threshold costs one lookup): pandas work on a loaded
    # machine takes tens of milliseconds even for these few rows.
    return exposure_charts.with_groups(spec, frame, overall)


@st.cache_data(show_spinner=False, max_entries=16)
def treemap_rows(ref: StoreRef, recipe: exposure.Recipe) -> pd.DataFrame:
    """The treemap's rectangles: every unit, each worker once, in its major group."""
    units = ranking(ref, recipe).rename(columns={"workers_once": "workers"})
    names = breakdown(ref, recipe, "major_group", 0.0)
    group_names = dict(zip(names["group_key"], names["group_label"], strict=True))
    return exposure_charts.treemap_layout(
        units[["unit_code", "onet_code", "title", "major_group", "exposure", "workers"]],
        group_names,
    )


@st.cache_data(show_spinner=False, max_entries=16)
def treemap_spec(ref: StoreRef, recipe: exposure.Recipe) -> dict[str, Any]:
    measure_text = f"{recipe.rater} labels, {recipe.measure}, employment: {recipe.employment}"
    return exposure_charts.treemap_chart(treemap_rows(ref, recipe), measure_text).to_dict()


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


# ------------------------------------------------------- vintages: OEWS 2025, tasks, Claude usage


@st.cache_data(show_spinner=False, max_entries=16)
def shares_by_vintage(ref: StoreRef, recipe: exposure.Recipe) -> pd.DataFrame:
    """The headline shares (10%, 50%) under every employment recipe, one row each."""
    from kb.exposure import vintages

    with store.connect(ref.db) as con:
        return vintages.by_vintage(
            con, list(exposure.EMPLOYMENT_RECIPES), list(exposure.DEFAULT_THRESHOLDS), recipe
        )


@st.cache_data(show_spinner=False, max_entries=8)
def left_out(ref: StoreRef, employment: str) -> pd.DataFrame:
    from kb.exposure import vintages

    with store.connect(ref.db) as con:
        return vintages.left_out(con, employment)


@st.cache_data(show_spinner=False, max_entries=16)
def shift_share(ref: StoreRef, recipe: exposure.Recipe, threshold: float) -> pd.DataFrame:
    from kb.exposure import vintages

    with store.connect(ref.db) as con:
        return vintages.shift_share(con, recipe, threshold)


@st.cache_data(show_spinner=False, max_entries=4)
def task_status(ref: StoreRef) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(tasks kept, dropped and new; per-occupation coverage of today's tasks)."""
    from kb.exposure import vintages

    with store.connect(ref.db) as con:
        return vintages.task_status(con), vintages.task_coverage(con)


@st.cache_data(show_spinner=False, max_entries=16)
def occupation_task_changes(ref: StoreRef, onet_code: str) -> pd.DataFrame:
    from kb.exposure import vintages

    with store.connect(ref.db) as con:
        return vintages.occupation_task_changes(con, onet_code)


@st.cache_data(show_spinner=False, max_entries=8)
def claude_usage(ref: StoreRef, employment: str) -> tuple[dict[str, float], pd.DataFrame]:
    """(how the Economic Index matched the labelled tasks; usage per occupation)."""
    from kb.usage import aei

    with store.connect(ref.db) as con:
        return aei.match_summary(con), aei.stored_occupation_usage(con, employment)


@st.cache_data(show_spinner=False, max_entries=4)
def claude_usage_by_label(ref: StoreRef) -> pd.DataFrame:
    from kb.usage import aei

    with store.connect(ref.db) as con:
        return aei.stored_usage_by_label(con)


@st.cache_data(show_spinner=False, max_entries=16)
def claude_gaps(ref: StoreRef, rater: str, measure: str) -> pd.DataFrame:
    from kb.usage import aei

    with store.connect(ref.db) as con:
        return aei.gaps(con, rater, measure)


@st.cache_data(show_spinner=False, max_entries=16)
def usage_correlations(ref: StoreRef, rater: str, measure: str) -> pd.DataFrame:
    from kb.usage import aei

    with store.connect(ref.db) as con:
        return aei.correlations(con, rater, measure)
