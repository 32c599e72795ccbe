"""The timeline page's charts: releases per month, training compute over time, the lane chart of
a focus window (releases in organisation lanes, lineage arrows, chronology) and a lineage family.

Colours and shapes that mean something are fixed whatever the filters: a relation type keeps its
colour (the scale's domain is every kb.vocabulary.RELATION_TYPES term, shown or not), a kind its
point shape. Every chart names its data source in its footer (the `credit` argument).
"""

from __future__ import annotations

import json
from typing import Any, TypeVar, cast

import altair as alt
import pandas as pd

from app.charts.common import FIT_WIDTH, HIGHLIGHT_COLOUR, WIDTH
from kb import vocabulary

ChartT = TypeVar("ChartT", alt.Chart, alt.LayerChart)
CHRONOLOGY_COLOUR = "#9e9e9e"
NOTE_COLOUR = "#d95f02"
OTHER = "Other"
# Kind of release -> point shape (unknown kinds fall back to a circle).
KIND_SHAPES = {
    "model": "circle",
    "paper": "triangle-up",
    "system": "triangle-down",
    "api": "diamond",
    "product": "square",
    "feature": "triangle-right",
    "dataset": "wedge",
    "funding": "cross",
    "external": "triangle-left",
}
# One colour per relation type, in kb.vocabulary order; red (the selection) and grey
# (chronology) are left out so that no edge can be mistaken for either.
RELATION_PALETTE = (
    "#1f77b4",
    "#2ca02c",
    "#ff7f0e",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#17becf",
    "#bcbd22",
    "#393b79",
)


def term_name(term: str) -> str:
    """A vocabulary term as people write it: 'fine_tuned_from' -> 'fine-tuned from'."""
    return term.replace("tuned_", "tuned-").replace("_", " ")


RELATION_DOMAIN = [term_name(t) for t in vocabulary.RELATION_TYPES]
RELATION_COLOURS = dict(zip(RELATION_DOMAIN, RELATION_PALETTE, strict=True))

LABEL_PX_PER_CHAR = 6.2  # 11 px sans-serif, average glyph width
# The plot area assumed when packing labels: an 800-pixel window's (page padding and the lane
# names on the y axis taken off), so labels never overlap there; wider windows only gain room.
PLOT_WIDTH_PX = 520.0
ROW_PX = 22
LEFT_PAD = 0.02  # share of the date span left of the first release
LANE_LABEL_PX = 150


def with_credit(chart: ChartT, credit: str) -> ChartT:
    """The data credit written under the plot, inside the chart (so it stays on an exported
    image); headings and explanations are the page's."""
    return chart.properties(
        title=alt.Title(
            credit,
            orient="bottom",
            anchor="start",
            fontSize=11,
            fontWeight="normal",
            color="#555555",
            offset=12,
        )
    )


# --- releases over time ---------------------------------------------------------------------


def top_groups(counts: pd.DataFrame, n: int) -> pd.DataFrame:
    """Keep the n largest groups (by releases overall), the rest summed as OTHER."""
    totals = counts.groupby("group")["releases"].sum().sort_values(ascending=False, kind="stable")
    keep = set(totals.index[:n])
    out = counts.assign(group=counts["group"].where(counts["group"].isin(keep), OTHER))
    return out.groupby(["period", "group"], as_index=False)["releases"].sum()


def period_of(span_days: int) -> str:
    """The bar width for a date window: months up to 15 years, quarters to 30, else years."""
    if span_days <= 15 * 366:
        return "month"
    return "quarter" if span_days <= 30 * 366 else "year"


def overview_chart(counts: pd.DataFrame, by_title: str, period: str, credit: str) -> alt.Chart:
    """Stacked bars: releases per period (columns period: date, group, releases), the largest
    groups first in the legend and at the bottom of each bar, OTHER last."""
    order = (
        counts.groupby("group")["releases"].sum().sort_values(ascending=False, kind="stable").index
    )
    domain = [g for g in order if g != OTHER] + ([OTHER] if OTHER in set(order) else [])
    frame = counts.assign(rank=counts["group"].map({g: i for i, g in enumerate(domain)}))
    unit = {"month": "yearmonth", "quarter": "yearquarter", "year": "year"}[period]
    fmt = {"month": "%b %Y", "quarter": "Q%q %Y", "year": "%Y"}[period]
    chart = (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X(f"{unit}(period):T", title=None, axis=alt.Axis(format=fmt, labelAngle=0)),
            y=alt.Y("sum(releases):Q", title=f"Releases per {period}"),
            color=alt.Color(
                "group:N",
                title=by_title,
                scale=alt.Scale(
                    domain=domain,
                    range=[
                        "#bbbbbb" if g == OTHER else _TABLEAU20[i % len(_TABLEAU20)]
                        for i, g in enumerate(domain)
                    ],
                ),
                legend=alt.Legend(orient="bottom", columns=3, labelLimit=200),
            ),
            order=alt.Order("rank:Q", sort="ascending"),
            tooltip=[
                alt.Tooltip(f"{unit}(period):T", title=period.capitalize(), format=fmt),
                alt.Tooltip("group:N", title=by_title),
                alt.Tooltip("sum(releases):Q", title="Releases"),
            ],
        )
        .properties(
            height=280,
            width=WIDTH,
            autosize=FIT_WIDTH,
        )
    )
    return with_credit(chart, credit)


_TABLEAU20 = (
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#e15759",
    "#76b7b2",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#a0cbe8",
    "#ffbe7d",
    "#8cd17d",
    "#b6992d",
    "#499894",
    "#86bcb6",
    "#fabfd2",
    "#d4a6c8",
    "#d7b5a6",
)


# --- training compute -----------------------------------------------------------------------


def compute_chart(frame: pd.DataFrame, credit: str) -> alt.LayerChart:
    """Training compute (FLOP, log axis) against the first public date; frontier models filled
    red and drawn on top. frame: id, name, date, lead_organisation, training_compute_flop,
    parameters, frontier. A click selects a release (selection 'picked', field id)."""
    data = frame.assign(
        frontier_label=frame["frontier"].map({True: "frontier model", False: "other"})
    )
    picked = alt.selection_point(name="picked", fields=["id"], on="click", clear="dblclick")
    base = alt.Chart(data).encode(
        x=alt.X("date:T", title="First public date"),
        y=alt.Y(
            "training_compute_flop:Q",
            title="Training compute (FLOP, log scale)",
            scale=alt.Scale(type="log"),
            axis=alt.Axis(format="~e"),
        ),
        tooltip=[
            alt.Tooltip("name:N", title="Release"),
            alt.Tooltip("lead_organisation:N", title="Organisation"),
            alt.Tooltip("date:T", title="Date", format="%d %b %Y"),
            alt.Tooltip("training_compute_flop:Q", title="Training compute (FLOP)", format=".2e"),
            alt.Tooltip("parameters:Q", title="Parameters", format=".3~s"),
            alt.Tooltip("frontier_label:N", title="Epoch AI"),
        ],
    )
    colour = alt.Color(
        "frontier_label:N",
        title=None,
        scale=alt.Scale(domain=["frontier model", "other"], range=[HIGHLIGHT_COLOUR, "#7f7f7f"]),
        legend=alt.Legend(orient="top"),
    )
    others = (
        base.transform_filter("datum.frontier_label == 'other'")
        .mark_circle(size=22, opacity=0.45)
        .encode(color=colour)
        .add_params(picked)
    )
    frontier = (
        base.transform_filter("datum.frontier_label == 'frontier model'")
        .mark_point(size=60, filled=True, shape="diamond", opacity=0.9)
        .encode(color=colour)
    )
    chart = cast(alt.LayerChart, alt.layer(others, frontier))
    return with_credit(chart.properties(height=360, width=WIDTH, autosize=FIT_WIDTH), credit)


# --- the lane chart ---------------------------------------------------------------------------

OTHER_LANE = "Other organisations"
OUTSIDE_LANE = "Built on, from before the window"
NO_ORGANISATION = "(no organisation)"
MAX_LANES = 14  # more lanes than this and the chart is taller than a screen
PRECISION_FORMATS = {"day": "%d %b %Y", "month": "%b %Y", "year": "%Y"}


def date_label(day: pd.Timestamp, precision: str | None, event: str | None = None) -> str:
    """'14 Mar 2023', 'Mar 2023 (month only)', with the event when it is not the announcement."""
    if pd.isna(day):
        return "undated"
    precision = precision or "day"
    text = day.strftime(PRECISION_FORMATS.get(precision, "%d %b %Y"))
    if precision != "day":
        text += f" ({precision} only)"
    if event and event != "announced":
        text += f", {term_name(event)}"
    return text


def lane_nodes(shown: pd.DataFrame, *, max_lanes: int = MAX_LANES) -> pd.DataFrame:
    """The releases of a window as lane-chart nodes: the lane is the lead organisation for the
    max_lanes organisations with most releases in the window, OTHER_LANE for the rest (whose
    labels then name the organisation). shown: kb.timeline.releases_table rows."""
    org = shown["lead_organisation"].fillna(NO_ORGANISATION).astype(str)
    dates = pd.to_datetime(shown["date"])
    ranked = (
        pd.DataFrame({"org": org, "date": dates})
        .groupby("org")
        .agg(n=("date", "size"), first=("date", "min"))
        .sort_values(["n", "first"], ascending=[False, True])
    )
    lanes = set(ranked.index[:max_lanes]) if len(ranked) > max_lanes + 1 else set(ranked.index)
    in_lane = org.isin(lanes)
    nodes = pd.DataFrame(
        {
            "id": shown["id"],
            "name": shown["name"],
            "label": shown["name"].where(in_lane, shown["name"] + " · " + org.map(_short)),
            "lane": org.where(in_lane, OTHER_LANE),
            "date": dates,
            "kind": shown["kind"],
            "organisations": shown["organisations"].fillna(""),
            "date_label": [
                date_label(d, p, e)
                for d, p, e in zip(dates, shown["date_precision"], shown["date_event"], strict=True)
            ],
        }
    )
    nodes.attrs["last_lanes"] = [OTHER_LANE, OUTSIDE_LANE]
    return nodes.reset_index(drop=True)


def _short(text: str, limit: int = 24) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def outside_parents(
    nodes: pd.DataFrame,
    lineage: pd.DataFrame,
    everything: pd.DataFrame,
    names: dict[str, str],
    kinds: dict[str, str],
) -> pd.DataFrame:
    """What the window's releases were built from that is not in the window: in OUTSIDE_LANE at
    the window's start, labelled with their own date ('GPT-J · May 2021') or 'undated'.

    lineage: source (base), target; everything: all dated releases (id, date, date_precision);
    names, kinds: every release id's name and kind (undated ones too)."""
    inside = set(nodes["id"])
    parents = lineage.loc[
        lineage["target"].isin(inside) & ~lineage["source"].isin(inside), "source"
    ].drop_duplicates()
    if parents.empty:
        return nodes.iloc[0:0]
    known = everything.set_index("id")
    start = nodes["date"].min()
    rows = []
    for rid in parents:
        if rid in known.index:
            row = known.loc[rid]
            when = date_label(pd.Timestamp(row["date"]), row["date_precision"])
        else:
            when = "undated"
        rows.append(
            {
                "id": rid,
                "name": names.get(rid, rid),
                "label": f"{names.get(rid, rid)} · {when}",
                "lane": OUTSIDE_LANE,
                "date": start,
                "kind": kinds.get(rid, "external"),
                "organisations": "",
                "date_label": f"{when} (drawn at the window's start)",
            }
        )
    return pd.DataFrame(rows)


def chronology_edges(nodes: pd.DataFrame) -> pd.DataFrame:
    """Each release to the next one in time among the given nodes (same day: by name)."""
    ordered = nodes.sort_values(["date", "name"])["id"].tolist()
    return pd.DataFrame(
        {
            "source": ordered[:-1],
            "target": ordered[1:],
            "edge_kind": "chronology",
            "relation": "",
        }
    )


def release_notes(annotations: pd.DataFrame) -> pd.DataFrame:
    """One short note per release about the exposure data tied to it, dated, and saying
    "later" when the data come from long after the release (Bing Chat's 2024 usage logs were
    not made in February 2023). annotations: kb.provenance.release_annotations()."""
    if annotations.empty:
        return pd.DataFrame(columns=["id", "note", "detail"])
    rows = []
    for rid, group in annotations.groupby("release_id", sort=False):
        parts = []
        for (kind, day), same in group.groupby(["kind", "date"], sort=False):
            later = (pd.Timestamp(day) - pd.Timestamp(same["release_date"].iloc[0])).days > 60
            kind_name = vocabulary.SOURCE_KIND_NAMES.get(str(kind), str(kind))
            what = f"{kind_name}: {', '.join(same['measure'])}"
            parts.append(("later " if later else "") + f"{what} ({pd.Timestamp(day):%b %Y})")
        rows.append({"id": rid, "note": "; ".join(parts), "detail": " ".join(group["note"])})
    return pd.DataFrame(rows)


def family_nodes(family: pd.DataFrame, root_name: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    """A lineage family (kb.timeline.family) as lane-chart nodes and edges: one lane per
    generation (the root, built on it directly, two steps away, ...); undated members left out."""
    members = family.drop_duplicates("id").copy()
    members = members[members["date"].notna()]
    generation = {0: f"{root_name} (the base)", 1: "Built on it directly"}
    nodes = pd.DataFrame(
        {
            "id": members["id"],
            "name": members["name"],
            "label": members["name"],
            "lane": members["depth"].map(lambda d: generation.get(int(d), f"{int(d)} steps away")),
            "date": pd.to_datetime(members["date"]),
            "kind": members["kind"],
            "organisations": members["lead_organisation"].fillna(""),
            "date_label": [date_label(pd.Timestamp(d), "day") for d in members["date"]],
        }
    ).reset_index(drop=True)
    nodes.attrs["lane_order"] = list(
        dict.fromkeys(nodes.assign(depth=members["depth"].to_numpy()).sort_values("depth")["lane"])
    )
    links = family[family["parent"].notna()]
    edges = (
        pd.DataFrame(
            {
                "source": links["parent"],
                "target": links["id"],
                "relation": links["relation_type"].fillna("").astype(str),
            }
        )
        .groupby(["source", "target"], as_index=False, sort=False)["relation"]
        .agg("+".join)
        .assign(edge_kind="lineage")
    )
    return nodes, edges


def timeline_layout(nodes: pd.DataFrame, *, plot_width_px: float = PLOT_WIDTH_PX) -> pd.DataFrame:
    """Give each release a row: its lane, then a slot within the lane.

    Releases in one lane whose labels would overlap (same day, or a few days apart) go to
    separate slots, so a cluster such as 14 March 2023 reads as a small stack, not a pile.
    Expects columns id, name, lane, date (datetime64) and optionally label (else the name);
    adds label_end (where the label ends, in days), slot and row (0 = top). Lanes keep the
    order of their first release, except lanes listed in `nodes.attrs["last_lanes"]`, which go
    last.
    """
    frame = nodes.sort_values(["date", "name"]).reset_index(drop=True).copy()
    if frame.empty:
        return frame.assign(slot=pd.Series(dtype=int), row=pd.Series(dtype=int))
    if "label" not in frame:
        frame["label"] = frame["name"]
    days_per_char = _days_per_char(frame, plot_width_px)
    label_days = (frame["label"].str.len() + 3) * days_per_char  # 3: the point and its gap
    frame["label_end"] = frame["date"] + pd.to_timedelta(label_days, unit="D")

    slots: list[int] = []
    lane_slot_ends: dict[str, list[pd.Timestamp]] = {}
    for lane, day, label_end in zip(frame["lane"], frame["date"], frame["label_end"], strict=True):
        ends = lane_slot_ends.setdefault(lane, [])
        slot = next((i for i, busy_until in enumerate(ends) if busy_until < day), len(ends))
        if slot == len(ends):
            ends.append(label_end)
        else:
            ends[slot] = label_end
        slots.append(slot)
    frame["slot"] = slots

    last = [lane for lane in nodes.attrs.get("last_lanes", []) if lane in lane_slot_ends]
    lane_order = [lane for lane in dict.fromkeys(frame["lane"]) if lane not in last] + last
    if nodes.attrs.get("lane_order"):
        lane_order = [lane for lane in nodes.attrs["lane_order"] if lane in lane_slot_ends]
    base, lane_base = 0, {}
    for lane in lane_order:
        lane_base[lane] = base
        base += len(lane_slot_ends[lane])
    frame["row"] = frame["lane"].map(lane_base) + frame["slot"]
    return frame


def _days_per_char(frame: pd.DataFrame, plot_width_px: float) -> float:
    """How many days one label character covers, when the x domain runs from just before the
    first release to the end of the longest label after the last one."""
    span = max((frame["date"].max() - frame["date"].min()).days, 1) * (1 + LEFT_PAD)
    widest = (frame["label"].str.len().max() + 3) * LABEL_PX_PER_CHAR
    usable = max(plot_width_px - widest, plot_width_px * 0.4)
    return span / usable * LABEL_PX_PER_CHAR


def lane_bands(layout: pd.DataFrame) -> pd.DataFrame:
    """One row per lane: name, first and last row, middle (where its name is written) and
    alternate shading for the background."""
    bands = layout.groupby("lane", sort=False)["row"].agg(first="min", last="max").reset_index()
    bands = bands.sort_values("first").reset_index(drop=True)
    bands["top"] = bands["first"] - 0.5
    bands["bottom"] = bands["last"] + 0.5
    bands["middle"] = (bands["first"] + bands["last"]) / 2
    bands["shade"] = bands.index % 2
    return bands


def edge_segments(layout: pd.DataFrame, edges: pd.DataFrame) -> pd.DataFrame:
    """Edges with both ends placed: x, x2 (dates), y, y2 (rows) and the same ends in
    milliseconds (x_ms, x2_ms) for the arrowheads' direction."""
    pos = layout[["id", "date", "row", "name"]]
    start = pos.rename(columns={"id": "source", "date": "x", "row": "y", "name": "source_name"})
    end = pos.rename(columns={"id": "target", "date": "x2", "row": "y2", "name": "target_name"})
    segs = edges.merge(start, on="source").merge(end, on="target")
    segs["x_ms"] = segs["x"].map(lambda d: d.timestamp() * 1000).astype(float)
    segs["x2_ms"] = segs["x2"].map(lambda d: d.timestamp() * 1000).astype(float)
    return segs


def relation_colour(relation: str) -> str:
    """An edge's colour name: its first relation type (a pair can be linked several ways)."""
    return term_name(relation.split("+")[0]) if relation else ""


def date_axis(start: pd.Timestamp, end: pd.Timestamp) -> alt.Axis:
    """About six to ten ticks whatever the window: days, weeks, months or years."""
    days = max((end - start).days, 1)
    if days <= 21:
        interval, step, fmt = "day", max(1, days // 7), "%d %b"
    elif days <= 120:
        interval, step, fmt = "week", max(1, days // 56), "%d %b"
    elif days <= 3 * 366:
        interval, step, fmt = "month", max(1, days // 240), "%b %Y"
    else:
        interval, step, fmt = "year", max(1, days // (366 * 8)), "%Y"
    years = {start.year, end.year}
    title = f"First public date ({start.year})" if len(years) == 1 else "First public date"
    return alt.Axis(
        title=title,
        format=fmt,
        labelAngle=0,
        tickCount=alt.TimeIntervalStep(interval=cast(Any, interval), step=step),
        labelOverlap=True,
    )


# Vega expressions for the arrowheads: the edge's direction in pixels, from the shared scales.
_DX = "(scale('x', datum.x2_ms) - scale('x', datum.x_ms))"
_DY = "(scale('y', datum.y2) - scale('y', datum.y))"
_ARROW_BACK_PX = 8  # the head sits just before the target's point, not under it


def timeline_chart(
    layout: pd.DataFrame,
    edges: pd.DataFrame,
    *,
    show_chronology: bool = True,
    notes: pd.DataFrame | None = None,
    credit: str = "",
) -> alt.LayerChart:
    """Releases as points in lanes against their date; lineage as arrows from the release built
    from to the release built on it, one fixed colour per relation type; chronology (what came
    next) as grey dashed lines. Labels have a white halo, so lines pass under them, not through.

    layout: timeline_layout()'s output plus kind, date_label (tooltip) and label columns.
    edges: source, target, edge_kind ("chronology"/"lineage"), relation (type; "a+b" if several).
    notes: id, note, detail: a short orange line under a release's name (e.g. the exposure data
    made with it), with the detail in the tooltip.
    """
    bands = lane_bands(layout)
    n_rows = int(layout["row"].max()) + 1 if not layout.empty else 1
    # The y axis is numeric (rows): each lane's name is written at the middle of its rows.
    names = {_axis_key(m): lane for lane, m in zip(bands["lane"], bands["middle"], strict=True)}
    label_expr = f"{json.dumps(names)}[toString(datum.value)] || ''"
    start, end = layout["date"].min(), layout["label_end"].max()
    span = max(layout["date"].max() - start, pd.Timedelta(days=1))
    x_scale = alt.Scale(domain=[(start - span * LEFT_PAD).isoformat(), end.isoformat()])
    y_scale = alt.Scale(domain=[n_rows - 0.5, -0.5], nice=False, zero=False)
    y_axis = alt.Axis(
        title=None,
        values=[float(m) for m in bands["middle"]],
        labelExpr=label_expr,
        grid=False,
        ticks=False,
        domain=False,
        labelLimit=LANE_LABEL_PX,
    )
    x_axis = date_axis(start, layout["date"].max())
    height = max(160, ROW_PX * n_rows)
    x = alt.X("date:T", scale=x_scale, axis=x_axis)
    y = alt.Y("row:Q", scale=y_scale, axis=y_axis)

    segs = edge_segments(layout, edges)
    lineage = segs[segs["edge_kind"] == "lineage"].copy()
    lineage["relation_name"] = lineage["relation"].map(relation_colour)
    lineage["relations"] = lineage["relation"].map(
        lambda r: ", ".join(term_name(t) for t in r.split("+"))
    )
    relation_scale = alt.Scale(domain=RELATION_DOMAIN, range=list(RELATION_PALETTE))
    relation_legend = alt.Legend(
        orient="bottom",
        columns=3,
        labelLimit=220,
        titleLimit=400,
        symbolStrokeWidth=2.5,
        symbolType="stroke",
    )
    edge_tooltip = [
        alt.Tooltip("source_name:N", title="From"),
        alt.Tooltip("relations:N", title="Relation"),
        alt.Tooltip("target_name:N", title="To"),
    ]
    lines = (
        alt.Chart(lineage)
        .mark_rule(strokeWidth=1.6, opacity=0.85)
        .encode(
            x=alt.X("x:T", scale=x_scale, axis=x_axis),
            x2="x2:T",
            y=alt.Y("y:Q", scale=y_scale, axis=y_axis),
            y2="y2:Q",
            color=alt.Color(
                "relation_name:N",
                title="Lineage: the arrow points to what was built",
                scale=relation_scale,
                legend=relation_legend,
            ),
            tooltip=edge_tooltip,
        )
    )
    heads = (
        alt.Chart(lineage)
        .mark_point(
            shape="triangle-up",
            filled=True,
            size=55,
            opacity=1,
            angle=alt.ExprRef(f"atan2({_DY}, {_DX}) * 180 / PI + 90"),
            xOffset=alt.ExprRef(f"-{_ARROW_BACK_PX} * cos(atan2({_DY}, {_DX}))"),
            yOffset=alt.ExprRef(f"-{_ARROW_BACK_PX} * sin(atan2({_DY}, {_DX}))"),
        )
        .encode(
            x=alt.X("x2:T", scale=x_scale, axis=x_axis),
            y=alt.Y("y2:Q", scale=y_scale, axis=y_axis),
            color=alt.Color("relation_name:N", scale=relation_scale, legend=None),
            tooltip=edge_tooltip,
        )
    )
    layers: list[alt.Chart] = [
        alt.Chart(bands[bands["shade"] == 1])
        .mark_rect(color="#f3f3f3")
        .encode(y=alt.Y("top:Q", scale=y_scale, axis=y_axis), y2="bottom:Q")
    ]
    chronology = segs[segs["edge_kind"] == "chronology"]
    if show_chronology and not chronology.empty:
        layers.append(
            alt.Chart(chronology)
            .mark_rule(strokeWidth=1, strokeDash=[4, 4], color=CHRONOLOGY_COLOUR, opacity=0.7)
            .encode(
                x=alt.X("x:T", scale=x_scale, axis=x_axis),
                x2="x2:T",
                y=alt.Y("y:Q", scale=y_scale, axis=y_axis),
                y2="y2:Q",
                tooltip=[
                    alt.Tooltip("source_name:N", title="Next in time after"),
                    alt.Tooltip("target_name:N", title="came"),
                ],
            )
        )
    layers.append(lines)

    tooltip = [
        alt.Tooltip("name:N", title="Release"),
        alt.Tooltip("organisations:N", title="Organisations"),
        alt.Tooltip("date_label:N", title="Date"),
        alt.Tooltip("kind:N", title="Kind"),
    ]
    points = alt.Chart(layout).encode(x=x, y=y, tooltip=tooltip)
    kinds = [k for k in KIND_SHAPES if k in set(layout["kind"])]
    kinds += sorted(set(layout["kind"]) - set(kinds))
    picked = alt.selection_point(name="picked", fields=["id"], on="click", clear="dblclick")
    dots = (
        points.mark_point(filled=True, size=80, opacity=0.95)
        .encode(
            shape=alt.Shape(
                "kind:N",
                title="Kind",
                legend=alt.Legend(orient="top", direction="horizontal"),
                scale=alt.Scale(domain=kinds, range=[KIND_SHAPES.get(k, "circle") for k in kinds]),
            ),
            color=alt.value("#333333"),
            stroke=alt.condition(picked, alt.value(HIGHLIGHT_COLOUR), alt.value(None), empty=False),
            strokeWidth=alt.condition(picked, alt.value(3), alt.value(0), empty=False),
        )
        .add_params(picked)
    )
    halo = points.mark_text(
        align="left",
        dx=8,
        fontSize=11,
        baseline="middle",
        stroke="white",
        strokeWidth=4,
        strokeJoin="round",
        opacity=0.9,
    ).encode(text="label:N")
    labels = points.mark_text(align="left", dx=8, fontSize=11, baseline="middle").encode(
        text="label:N"
    )
    # Arrowheads over the labels' halos: a head next to a label stays visible.
    layers += [dots, halo, labels, heads]
    if notes is not None and not notes.empty:
        placed = notes.merge(layout[["id", "date", "row", "name"]], on="id")
        if not placed.empty:
            layers.append(
                alt.Chart(placed)
                .mark_text(
                    align="left", dx=8, dy=11, fontSize=9, color=NOTE_COLOUR, baseline="middle"
                )
                .encode(
                    x=x,
                    y=y,
                    text="note:N",
                    tooltip=[
                        alt.Tooltip("name:N", title="Release"),
                        alt.Tooltip("detail:N", title="Exposure data"),
                    ],
                )
            )
    chart = (
        alt.layer(*layers)
        .resolve_scale(shape="independent", color="independent")
        .properties(
            height=height,
            width=WIDTH,
            autosize=FIT_WIDTH,
        )
    )
    return with_credit(chart, credit)


def _axis_key(value: float) -> str:
    """How Vega's toString writes a row number: '3' or '2.5'."""
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def relation_scale_domain(spec: dict[str, Any]) -> list[str]:
    """The relation colour scale's domain in a chart spec (for tests and checks)."""
    for layer in spec.get("layer", []):
        colour = layer.get("encoding", {}).get("color", {})
        if colour.get("field") == "relation_name":
            return list(colour["scale"]["domain"])
    return []
