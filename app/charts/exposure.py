"""The exposure page's charts: the exposure curve (with the paper's and the slider's marks and a
tooltip for the nearest threshold), the breakdown by group (ordered by value, labelled, with the
overall share as a rule) and the treemap of occupations (sized by workers, coloured by exposure).
"""

from __future__ import annotations

from typing import Any

import altair as alt
import pandas as pd
import squarify  # type: ignore[import-untyped]  # no type hints upstream

from app.charts.common import FIT_WIDTH, HIGHLIGHT_COLOUR, SHARE_FORMAT, WIDTH, compact
from kb import vocabulary

SLIDER_DATA = "slider"
SERIES = {"share_workers": "Share of workers", "share_occupations": "Share of occupations"}


def exposure_curve_chart(curve: pd.DataFrame, recipe_text: str) -> alt.LayerChart | alt.FacetChart:
    """Share of workers (and of occupations) whose exposure passes each threshold, with the
    paper's 10% and 50% marks. Hovering anywhere shows the figures at the nearest threshold (no
    need to hit the line). The slider's mark is drawn from the named data set SLIDER_DATA, which
    with_threshold() fills in, so the chart is built once per recipe, not per slider move, and
    the spec itself stays the same: the browser swaps the data instead of redrawing the chart.

    curve: threshold, share_workers, share_occupations (fractions).
    """
    wide = curve[["threshold", *[c for c in SERIES if c in curve]]].copy()
    long = wide.melt(id_vars="threshold", var_name="series", value_name="share")
    long["series"] = long["series"].map(SERIES)
    x = alt.X(
        "threshold:Q",
        title="Threshold: share of an occupation's tasks exposed",
        axis=alt.Axis(format="%"),
        scale=alt.Scale(domain=[0, 1]),
    )
    y = alt.Y(
        "share:Q",
        title="Share past the threshold",
        axis=alt.Axis(format="%"),
        scale=alt.Scale(domain=[0, 1]),
    )
    colour = alt.Color(
        "series:N",
        title=None,
        legend=alt.Legend(orient="top-right"),
        scale=alt.Scale(domain=list(SERIES.values()), range=["#4c78a8", "#f58518"]),
    )
    lines = alt.Chart(long).mark_line(strokeWidth=2).encode(x=x, y=y, color=colour)
    nearest = alt.selection_point(
        name="nearest", nearest=True, on="pointerover", fields=["threshold"], empty=False,
        clear="pointerout",
    )  # fmt: skip
    catcher = (
        alt.Chart(wide)
        .mark_rule(opacity=0, strokeWidth=8)
        .encode(x="threshold:Q")
        .add_params(nearest)
    )
    tooltip = [
        alt.Tooltip("threshold:Q", title="Threshold", format=".0%"),
        *[alt.Tooltip(f"{c}:Q", title=name, format=SHARE_FORMAT) for c, name in SERIES.items()],
    ]
    hover_rule = (
        alt.Chart(wide)
        .mark_rule(color="#888")
        .encode(x="threshold:Q", tooltip=tooltip)
        .transform_filter(nearest)
    )
    hover_points = (
        alt.Chart(long)
        .mark_point(filled=True, size=50)
        .encode(x=x, y=y, color=colour)
        .transform_filter(nearest)
    )
    marks = pd.DataFrame({"threshold": [0.1, 0.5], "mark": ["10% (paper)", "50% (paper)"]})
    slider = alt.NamedData(name=SLIDER_DATA)
    paper_rules = (
        alt.Chart(marks).mark_rule(strokeDash=[4, 3], color="#555").encode(x="threshold:Q")
    )
    paper_text = (
        alt.Chart(marks)
        .mark_text(align="left", dx=4, fontSize=11, color="#333")
        .encode(x="threshold:Q", y=alt.value(10), text="mark:N")
    )
    slider_rule = (
        alt.Chart(slider).mark_rule(strokeWidth=2, color=HIGHLIGHT_COLOUR).encode(x="threshold:Q")
    )
    slider_text = (
        alt.Chart(slider)
        .mark_text(align="left", dx=4, fontSize=11, color=HIGHLIGHT_COLOUR, fontWeight="bold")
        .encode(x="threshold:Q", y=alt.value(26), text="mark:N")
    )
    return alt.layer(
        lines, paper_rules, paper_text, slider_rule, slider_text, catcher, hover_rule, hover_points
    ).properties(
        title=alt.Title("Exposure curve", subtitle=recipe_text),
        height=300,
        width=WIDTH,
        autosize=FIT_WIDTH,
    )


def _slider_values(threshold: float) -> list[dict[str, object]]:
    return [{"threshold": threshold, "mark": f"slider: {threshold:.0%}"}]


def with_threshold(spec: dict[str, Any], threshold: float) -> dict[str, Any]:
    """The curve's Vega-Lite spec with the slider's mark moved to threshold (spec is changed)."""
    spec.setdefault("datasets", {})[SLIDER_DATA] = _slider_values(threshold)
    return spec


# --- breakdown ------------------------------------------------------------------------------

GROUPS_DATA = "groups"
OVERALL_DATA = "overall"
# Groupings with an order of their own (kept); the others are ordered by the share exposed.
ORDERED_GROUPINGS = ("job_zone", "education", "wage_quintile")


def breakdown_chart(group_label: str, n_groups: int) -> alt.LayerChart | alt.FacetChart:
    """Employment-weighted share exposed per group, a value label on each bar, the group's size in
    its label, and a rule at the share of all workers. The rows come from the named data sets
    GROUPS_DATA and OVERALL_DATA, which with_groups() fills in: the chart is built once per
    grouping, and a new threshold only swaps its rows (already in display order). Nothing in the
    spec depends on the threshold (the section's heading says it in words), so the browser swaps
    the data on a slider step instead of redrawing the chart.
    """
    y = alt.Y("label:N", title=None, sort=None, axis=alt.Axis(labelLimit=420))
    x = alt.X(
        "share_workers:Q",
        title="Share of the group's workers in exposed occupations",
        axis=alt.Axis(format="%"),
        scale=alt.Scale(domain=[0, 1]),
    )
    tooltip = [
        alt.Tooltip("group:N", title=group_label),
        alt.Tooltip("share_workers:Q", title="Share exposed", format=SHARE_FORMAT),
        alt.Tooltip(
            "mean_exposure:Q", title="Mean exposure (worker-weighted)", format=SHARE_FORMAT
        ),
        alt.Tooltip("workers:Q", title="Workers counted", format=",.0f"),
        alt.Tooltip("occupations:Q", title="Occupations", format=",d"),
    ]
    data = alt.NamedData(name=GROUPS_DATA)
    bars = alt.Chart(data).mark_bar(color="#4c78a8").encode(y=y, x=x, tooltip=tooltip)
    values = (
        alt.Chart(data)
        .mark_text(align="left", dx=3, fontSize=11, color="#222")
        .encode(y=y, x=x, text=alt.Text("share_workers:Q", format=SHARE_FORMAT))
    )
    overall = alt.NamedData(name=OVERALL_DATA)
    rule = (
        alt.Chart(overall)
        .mark_rule(color=HIGHLIGHT_COLOUR, strokeDash=[5, 3], strokeWidth=1.5)
        .encode(x="share_workers:Q", tooltip=[alt.Tooltip("text:N", title="All workers")])
    )
    rule_text = (
        alt.Chart(overall)
        .mark_text(align="left", dx=4, dy=-6, fontSize=11, color=HIGHLIGHT_COLOUR)
        .encode(x="share_workers:Q", y=alt.value(0), text="text:N")
    )
    return alt.layer(bars, values, rule, rule_text).properties(
        title=f"Share of workers exposed, by {group_label.lower()}",
        height=max(120, 28 * n_groups),
        width=WIDTH,
        autosize=FIT_WIDTH,
    )


def with_groups(spec: dict[str, Any], frame: pd.DataFrame, overall: float) -> dict[str, Any]:
    """The breakdown's Vega-Lite spec with its rows and the overall share (spec is changed)."""
    columns = ["group", "label", "share_workers", "workers", "mean_exposure", "occupations"]
    records = [
        {k: (None if pd.isna(v) else v) for k, v in zip(columns, row, strict=True)}
        for row in frame[columns].itertuples(index=False, name=None)
    ]
    datasets = spec.setdefault("datasets", {})
    datasets[GROUPS_DATA] = records
    text = f"all workers: {100 * overall:.1f}%"
    datasets[OVERALL_DATA] = [{"share_workers": overall, "text": text}]
    return spec


def breakdown_display(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """Readable group names (Job Zone 1, Quintile 1 (lowest paid), ...) with the group's size in
    the label, in display order: by share exposed, or the grouping's own order."""
    out = frame.rename(columns={"share_exposed": "share_workers"}).copy()
    group = out["group_label"].fillna("not known")
    order = pd.Series(range(len(out)), index=out.index, dtype=float)
    if by == "job_zone":
        group = out["group_key"].map(lambda k: f"Job Zone {k}" if pd.notna(k) else "not known")
    elif by == "wage_quintile":
        names = {"1": "1 (lowest paid)", "5": "5 (highest paid)"}
        group = out["group_key"].map(
            lambda k: f"Quintile {names.get(str(k), k)}" if pd.notna(k) else "wage not published"
        )
    elif by == "education":
        levels = list(vocabulary.EDUCATION_LEVELS)
        order = out["group_key"].map(lambda k: levels.index(k) if k in levels else len(levels))
    out["group"] = group
    out["label"] = [
        f"{g} ({compact(w)} workers, {n} occ.)"
        for g, w, n in zip(group, out["workers"], out["occupations"], strict=True)
    ]
    if by in ORDERED_GROUPINGS:
        out["_order"] = order.to_numpy()
        out = out.sort_values("_order", kind="stable").drop(columns="_order")
    else:
        out = out.sort_values("share_workers", ascending=False, kind="stable")
    return out.reset_index(drop=True)


# --- treemap --------------------------------------------------------------------------------

TREEMAP_WIDTH = 1000.0
TREEMAP_HEIGHT = 560.0


def treemap_layout(units: pd.DataFrame, group_names: dict[str, str]) -> pd.DataFrame:
    """Squarified treemap rectangles: major groups sized by their workers, occupations inside
    sized by theirs (each worker once).

    units: title, major_group, exposure, workers (> 0). Returns one row per occupation with x, y,
    x2, y2 (in a TREEMAP_WIDTH x TREEMAP_HEIGHT box), and group, group_name.
    """
    units = units[units["workers"] > 0]
    groups = units.groupby("major_group")["workers"].sum().sort_values(ascending=False)
    boxes = squarify.squarify(
        squarify.normalize_sizes(groups.tolist(), TREEMAP_WIDTH, TREEMAP_HEIGHT),
        0.0, 0.0, TREEMAP_WIDTH, TREEMAP_HEIGHT,
    )  # fmt: skip
    parts = []
    for code, box in zip(groups.index, boxes, strict=True):
        members = units[units["major_group"] == code].sort_values("workers", ascending=False)
        rects = squarify.squarify(
            squarify.normalize_sizes(members["workers"].tolist(), box["dx"], box["dy"]),
            box["x"], box["y"], box["dx"], box["dy"],
        )  # fmt: skip
        part = members.copy()
        part["x"] = [r["x"] for r in rects]
        part["y"] = [r["y"] for r in rects]
        part["x2"] = [r["x"] + r["dx"] for r in rects]
        part["y2"] = [r["y"] + r["dy"] for r in rects]
        part["group"] = code
        part["group_name"] = group_names.get(code, code)
        part["group_x"], part["group_y"] = box["x"], box["y"]
        part["group_area"] = box["dx"] * box["dy"]
        part["group_width"] = box["dx"]
        parts.append(part)
    return pd.concat(parts, ignore_index=True)


def treemap_chart(layout: pd.DataFrame, measure_text: str) -> alt.LayerChart | alt.FacetChart:
    """The treemap: one rectangle per occupation, coloured by exposure, group names on the large
    groups. layout: treemap_layout()'s rows plus workers and exposure (fractions)."""
    # Only what the marks use, coordinates to 0.1 unit: the spec is sent on every full rerun.
    layout = layout[
        ["title", "group", "group_name", "group_x", "group_y", "group_area", "group_width",
         "exposure", "workers", "x", "y", "x2", "y2"]
    ].round({"x": 1, "y": 1, "x2": 1, "y2": 1, "exposure": 4})  # fmt: skip
    x = alt.X("x:Q", axis=None, scale=alt.Scale(domain=[0, TREEMAP_WIDTH], nice=False))
    y = alt.Y(
        "y:Q", axis=None, scale=alt.Scale(domain=[0, TREEMAP_HEIGHT], reverse=True, nice=False)
    )
    rects = (
        alt.Chart(layout[["title", "group_name", "exposure", "workers", "x", "y", "x2", "y2"]])
        .mark_rect(stroke="white", strokeWidth=0.4)
        .encode(
            x=x,
            x2="x2:Q",
            y=y,
            y2="y2:Q",
            color=alt.Color(
                "exposure:Q",
                title="Exposure",
                scale=alt.Scale(scheme="yelloworangered", domain=[0, 1]),
                legend=alt.Legend(format="%", orient="top", gradientLength=220),
            ),
            tooltip=[
                alt.Tooltip("title:N", title="Occupation"),
                alt.Tooltip("group_name:N", title="Major group"),
                alt.Tooltip("exposure:Q", title="Exposure", format=SHARE_FORMAT),
                alt.Tooltip("workers:Q", title="Workers (each once)", format=",.0f"),
            ],
        )
    )
    groups = layout.drop_duplicates("group").copy()
    groups = groups[groups["group_area"] >= 0.012 * TREEMAP_WIDTH * TREEMAP_HEIGHT]
    # Names cut to their box (about 8 units a character at 800 px); the mark is clipped too.
    groups["group_name"] = [
        _fit(str(name).removesuffix(" Occupations"), int(width / 8))
        for name, width in zip(groups["group_name"], groups["group_width"], strict=True)
    ]
    labels = (
        alt.Chart(groups)
        .mark_text(
            align="left", baseline="top", dx=3, dy=3, fontSize=11, fontWeight="bold", clip=True
        )
        .encode(
            x=alt.X("group_x:Q", axis=None, scale=alt.Scale(domain=[0, TREEMAP_WIDTH], nice=False)),
            y=alt.Y(
                "group_y:Q",
                axis=None,
                scale=alt.Scale(domain=[0, TREEMAP_HEIGHT], reverse=True, nice=False),
            ),
            text="group_name:N",
            color=alt.value("#111"),
        )
    )
    return alt.layer(rects, labels).properties(
        title=alt.Title(
            "Occupations sized by workers, coloured by exposure", subtitle=measure_text
        ),
        height=460,
        width=WIDTH,
        autosize=FIT_WIDTH,
    )


def _fit(text: str, chars: int) -> str:
    return text if len(text) <= chars else text[: max(chars - 1, 1)].rstrip() + "…"
