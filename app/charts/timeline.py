"""The timeline chart: releases in organisation lanes against their date, lineage and
chronology edges, and the layout that keeps same-day labels apart."""

from __future__ import annotations

import json

import altair as alt
import pandas as pd

from app.charts.common import FIT_WIDTH, HIGHLIGHT_COLOUR, WIDTH

CHRONOLOGY_COLOUR = "#9e9e9e"
NOTE_COLOUR = "#d95f02"
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

LABEL_PX_PER_CHAR = 6.2  # 11 px sans-serif, average glyph width
# The plot area at a 1280-pixel window (page padding and the lane names on the y axis taken off).
PLOT_WIDTH_PX = 960.0
ROW_PX = 24
LEFT_PAD = 0.02  # share of the date span left of the first release


def timeline_layout(nodes: pd.DataFrame, *, plot_width_px: float = PLOT_WIDTH_PX) -> pd.DataFrame:
    """Give each release a row: its organisation's lane, then a slot within the lane.

    Releases in one lane whose labels would overlap (same day, or a few days apart) go to
    separate slots, so a cluster such as 14 March 2023 reads as a small stack, not a pile.
    Expects columns id, name, lane, date (datetime64); adds label_end (where the label ends,
    in days), slot and row (0 = top). Lanes keep the order of their first release.
    """
    frame = nodes.sort_values(["date", "name"]).reset_index(drop=True).copy()
    if frame.empty:
        return frame.assign(slot=pd.Series(dtype=int), row=pd.Series(dtype=int))
    days_per_char = _days_per_char(frame, plot_width_px)
    label_days = (frame["name"].str.len() + 3) * days_per_char  # 3: the point and its gap
    frame["label_end"] = frame["date"] + pd.to_timedelta(label_days, unit="D")

    slots: list[int] = []
    lane_slot_ends: dict[str, list[pd.Timestamp]] = {}
    for lane, date, label_end in zip(frame["lane"], frame["date"], frame["label_end"], strict=True):
        ends = lane_slot_ends.setdefault(lane, [])
        slot = next((i for i, busy_until in enumerate(ends) if busy_until < date), len(ends))
        if slot == len(ends):
            ends.append(label_end)
        else:
            ends[slot] = label_end
        slots.append(slot)
    frame["slot"] = slots

    lane_order = list(dict.fromkeys(frame["lane"]))
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
    widest = (frame["name"].str.len().max() + 3) * LABEL_PX_PER_CHAR
    usable = max(plot_width_px - widest, plot_width_px * 0.4)
    return span / usable * LABEL_PX_PER_CHAR


def lane_bands(layout: pd.DataFrame) -> pd.DataFrame:
    """One row per lane: name, first and last row, and alternate shading for the background."""
    bands = layout.groupby("lane", sort=False)["row"].agg(first="min", last="max").reset_index()
    bands = bands.sort_values("first").reset_index(drop=True)
    bands["top"] = bands["first"] - 0.5
    bands["bottom"] = bands["last"] + 0.5
    bands["shade"] = bands.index % 2
    return bands


def edge_segments(layout: pd.DataFrame, edges: pd.DataFrame) -> pd.DataFrame:
    """Edges with both ends placed: x, x2 (dates) and y, y2 (rows), for rules."""
    pos = layout[["id", "date", "row", "name"]]
    start = pos.rename(columns={"id": "source", "date": "x", "row": "y", "name": "source_name"})
    end = pos.rename(columns={"id": "target", "date": "x2", "row": "y2", "name": "target_name"})
    return edges.merge(start, on="source").merge(end, on="target")


def timeline_chart(
    layout: pd.DataFrame,
    edges: pd.DataFrame,
    *,
    selected: str | None = None,
    show_chronology: bool = True,
    notes: pd.DataFrame | None = None,
) -> alt.LayerChart:
    """Releases as points in organisation lanes against their date; lineage edges as coloured
    solid lines, chronology as grey dashed lines; the selected release is ringed in red.

    layout: timeline_layout()'s output plus kind, date_label, precision, tooltip columns.
    edges: source, target, edge_kind ("chronology"/"lineage"), relation (type of a lineage edge).
    notes: id, note, detail: a short orange line under a release's name (e.g. the exposure label
    sets it produced), with the detail in the tooltip.
    """
    bands = lane_bands(layout)
    n_rows = int(layout["row"].max()) + 1 if not layout.empty else 1
    # The y axis is numeric (rows); its labels name each lane at the lane's first row.
    names_by_row = [""] * n_rows
    for lane, first in zip(bands["lane"], bands["first"], strict=True):
        names_by_row[int(first)] = lane
    label_expr = f"{json.dumps(names_by_row)}[datum.value] || ''"
    start, end = layout["date"].min(), layout["label_end"].max()
    span = max(layout["date"].max() - start, pd.Timedelta(days=1))
    x_scale = alt.Scale(domain=[(start - span * LEFT_PAD).isoformat(), end.isoformat()])
    y_scale = alt.Scale(domain=[n_rows - 0.5, -0.5], nice=False, zero=False)
    y_axis = alt.Axis(
        title="Organisation",
        values=[int(r) for r in bands["first"]],
        labelExpr=label_expr,
        grid=False,
        ticks=False,
        labelLimit=220,
    )
    x_axis = alt.Axis(title="Release date (2023)", format="%d %b", labelAngle=0, tickCount="week")
    height = max(200, ROW_PX * n_rows)

    segs = edge_segments(layout, edges)
    segs["edge"] = (
        segs.apply(
            lambda r: (
                "chronology (next in time)"
                if r["edge_kind"] == "chronology"
                else f"lineage: {r['relation']}"
            ),
            axis=1,
        )
        if not segs.empty
        else pd.Series(dtype=str)
    )
    if not show_chronology and not segs.empty:
        segs = segs[segs["edge_kind"] != "chronology"]
    edge_names = sorted(segs["edge"].unique()) if not segs.empty else []
    lineage_names = [n for n in edge_names if n.startswith("lineage")]
    palette = [
        "#1f77b4",
        "#2ca02c",
        "#ff7f0e",
        "#9467bd",
        "#8c564b",
        "#e377c2",
        "#17becf",
        "#bcbd22",
    ]
    colour_domain = (["chronology (next in time)"] if show_chronology else []) + lineage_names
    colour_range = ([CHRONOLOGY_COLOUR] if show_chronology else []) + [
        palette[i % len(palette)] for i in range(len(lineage_names))
    ]

    edge_legend = alt.Legend(orient="bottom", columns=4, labelLimit=260, symbolStrokeWidth=2.5)
    base = alt.Chart(segs).encode(
        x=alt.X("x:T", scale=x_scale, axis=x_axis),
        x2="x2:T",
        y=alt.Y("y:Q", scale=y_scale, axis=y_axis),
        y2="y2:Q",
        color=alt.Color(
            "edge:N",
            title="Edges",
            scale=alt.Scale(domain=colour_domain or ["none"], range=colour_range or ["#ccc"]),
            legend=edge_legend,
        ),
        # Same field and title as the colour: Vega-Lite draws one legend with dashed symbols.
        strokeDash=alt.StrokeDash(
            "edge:N",
            title="Edges",
            scale=alt.Scale(
                domain=colour_domain or ["none"],
                range=[[5, 4] if n.startswith("chronology") else [1, 0] for n in colour_domain]
                or [[1, 0]],
            ),
            legend=edge_legend,
        ),
        tooltip=[
            alt.Tooltip("source_name:N", title="From"),
            alt.Tooltip("edge:N", title="Edge"),
            alt.Tooltip("target_name:N", title="To"),
        ],
    )
    edge_layer = base.mark_rule(strokeWidth=1.6, opacity=0.8)

    tooltip = [
        alt.Tooltip("name:N", title="Release"),
        alt.Tooltip("lane:N", title="Organisation"),
        alt.Tooltip("date_label:N", title="Date"),
        alt.Tooltip("kind:N", title="Kind"),
    ]
    points = alt.Chart(layout).encode(
        x=alt.X("date:T", scale=x_scale, axis=x_axis),
        y=alt.Y("row:Q", scale=y_scale, axis=y_axis),
        tooltip=tooltip,
    )
    kinds = [k for k in KIND_SHAPES if k in set(layout["kind"])]
    kinds += sorted(set(layout["kind"]) - set(kinds))
    picked = alt.selection_point(name="picked", fields=["id"], on="click", clear="dblclick")
    dots = (
        points.mark_point(filled=True, size=90, opacity=0.95)
        .encode(
            shape=alt.Shape(
                "kind:N",
                title="Kind",
                legend=alt.Legend(orient="top", direction="horizontal"),
                scale=alt.Scale(domain=kinds, range=[KIND_SHAPES.get(k, "circle") for k in kinds]),
            ),
            color=alt.value("#333333"),
        )
        .add_params(picked)
    )
    labels = points.mark_text(align="left", dx=8, fontSize=11, baseline="middle").encode(
        text="name:N"
    )
    background = (
        alt.Chart(bands[bands["shade"] == 1])
        .mark_rect(color="#f3f3f3")
        .encode(y=alt.Y("top:Q", scale=y_scale, axis=y_axis), y2="bottom:Q")
    )
    layers = [background, edge_layer, dots, labels]
    if notes is not None and not notes.empty:
        placed = notes.merge(layout[["id", "date", "row", "name"]], on="id")
        note_marks = (
            alt.Chart(placed)
            .mark_text(align="left", dx=8, dy=11, fontSize=9, color=NOTE_COLOUR, baseline="middle")
            .encode(
                x=alt.X("date:T", scale=x_scale, axis=x_axis),
                y=alt.Y("row:Q", scale=y_scale, axis=y_axis),
                text="note:N",
                tooltip=[
                    alt.Tooltip("name:N", title="Release"),
                    alt.Tooltip("detail:N", title="Exposure data it produced"),
                ],
            )
        )
        layers.append(note_marks)
    chosen = layout[layout["id"] == selected] if selected else layout.iloc[0:0]
    if not chosen.empty:
        ring = (
            alt.Chart(chosen)
            .mark_point(size=320, strokeWidth=2.5, color=HIGHLIGHT_COLOUR)
            .encode(
                x=alt.X("date:T", scale=x_scale, axis=x_axis),
                y=alt.Y("row:Q", scale=y_scale, axis=y_axis),
                tooltip=tooltip,
            )
        )
        layers.append(ring)
    return (
        alt.layer(*layers)
        .resolve_scale(shape="independent")
        .properties(
            title=alt.Title(
                "Releases by organisation and date",
                subtitle="Solid coloured lines: lineage (built from). "
                "Grey dashed: chronology only.",
            ),
            height=height,
            width=WIDTH,
            autosize=FIT_WIDTH,
        )
    )
