"""The exposure page's charts: the exposure curve (with the paper's and the slider's marks) and
the breakdown by group."""

from __future__ import annotations

import altair as alt
import pandas as pd

from app.charts.common import FIT_WIDTH, HIGHLIGHT_COLOUR, WIDTH

SLIDER_DATA = "slider"


def exposure_curve_chart(curve: pd.DataFrame, recipe_text: str) -> alt.LayerChart | alt.FacetChart:
    """Share of workers (and of occupations) whose exposure passes each threshold, with the
    paper's 10% and 50% marks. The slider's mark is drawn from inline data named SLIDER_DATA,
    which with_threshold() fills in, so the chart is built once per recipe, not per slider move.

    curve: threshold, share_workers, share_occupations (fractions).
    """
    long = curve.melt(
        id_vars="threshold",
        value_vars=[c for c in ("share_workers", "share_occupations") if c in curve],
        var_name="series",
        value_name="share",
    )
    long["series"] = long["series"].map(
        {"share_workers": "Share of workers", "share_occupations": "Share of occupations"}
    )
    x = alt.X(
        "threshold:Q",
        title="Threshold: share of an occupation's tasks exposed (%)",
        axis=alt.Axis(format="%"),
        scale=alt.Scale(domain=[0, 1]),
    )
    y = alt.Y(
        "share:Q",
        title="Share above the threshold (%)",
        axis=alt.Axis(format="%"),
        scale=alt.Scale(domain=[0, 1]),
    )
    lines = (
        alt.Chart(long)
        .mark_line(strokeWidth=2)
        .encode(
            x=x,
            y=y,
            color=alt.Color(
                "series:N",
                title=None,
                legend=alt.Legend(orient="top-right"),
                scale=alt.Scale(
                    domain=["Share of workers", "Share of occupations"],
                    range=["#4c78a8", "#f58518"],
                ),
            ),
            tooltip=[
                alt.Tooltip("series:N", title="Series"),
                alt.Tooltip("threshold:Q", title="Threshold", format=".0%"),
                alt.Tooltip("share:Q", title="Share", format=".1%"),
            ],
        )
    )
    marks = pd.DataFrame({"threshold": [0.1, 0.5], "mark": ["10% (paper)", "50% (paper)"]})
    slider = alt.InlineData(values=_slider_values(0.1), name=SLIDER_DATA)
    mark_tooltip = [alt.Tooltip("mark:N", title="Mark")]
    paper_rules = (
        alt.Chart(marks)
        .mark_rule(strokeDash=[4, 3], color="#555")
        .encode(x="threshold:Q", tooltip=mark_tooltip)
    )
    paper_text = (
        alt.Chart(marks)
        .mark_text(align="left", dx=4, fontSize=11, color="#333")
        .encode(x="threshold:Q", y=alt.value(10), text="mark:N")
    )
    slider_rule = (
        alt.Chart(slider)
        .mark_rule(strokeWidth=2, color=HIGHLIGHT_COLOUR)
        .encode(x="threshold:Q", tooltip=mark_tooltip)
    )
    slider_text = (
        alt.Chart(slider)
        .mark_text(align="left", dx=4, fontSize=11, color=HIGHLIGHT_COLOUR, fontWeight="bold")
        .encode(x="threshold:Q", y=alt.value(26), text="mark:N")
    )
    return alt.layer(lines, paper_rules, paper_text, slider_rule, slider_text).properties(
        title=alt.Title("Exposure curve", subtitle=recipe_text),
        height=300,
        width=WIDTH,
        autosize=FIT_WIDTH,
    )


def _slider_values(threshold: float) -> list[dict[str, object]]:
    return [{"threshold": threshold, "mark": f"slider: {threshold:.0%}"}]


def with_threshold(spec: dict, threshold: float) -> dict:
    """The curve's Vega-Lite spec with the slider's mark moved to threshold (spec is changed)."""
    for layer in spec.get("layer", []):
        if layer.get("data", {}).get("name") == SLIDER_DATA:
            layer["data"] = {"name": SLIDER_DATA, "values": _slider_values(threshold)}
    return spec


GROUPS_DATA = "groups"


def breakdown_chart(group_label: str, sign: str, n_groups: int) -> alt.Chart:
    """Employment-weighted share exposed per group, bars in the data's order. The bars come from
    the named data set GROUPS_DATA, which with_groups() fills in: the chart is built once per
    grouping, and a new threshold only swaps its rows.

    rows: group, share_workers (fraction exposed), workers, mean_exposure, occupations.
    """
    return (
        alt.Chart(alt.NamedData(name=GROUPS_DATA))
        .mark_bar(color="#4c78a8")
        .encode(
            y=alt.Y("group:N", title=None, sort=None, axis=alt.Axis(labelLimit=360)),
            x=alt.X(
                "share_workers:Q",
                title=f"Share of the group's workers with {sign} the threshold "
                "of tasks exposed (%)",
                axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1]),
            ),
            tooltip=[
                alt.Tooltip("group:N", title=group_label),
                alt.Tooltip("share_workers:Q", title="Share exposed", format=".1%"),
                alt.Tooltip(
                    "mean_exposure:Q", title="Mean exposure (worker-weighted)", format=".1%"
                ),
                alt.Tooltip("workers:Q", title="Workers counted", format=",.0f"),
                alt.Tooltip("occupations:Q", title="Occupations", format=",d"),
            ],
        )
        .properties(
            title=f"Share of workers exposed, by {group_label}",
            height=max(120, 26 * n_groups),
            width=WIDTH,
            autosize=FIT_WIDTH,
        )
    )


def with_groups(spec: dict, frame: pd.DataFrame) -> dict:
    """The breakdown's Vega-Lite spec with its rows (spec is changed)."""
    columns = ["group", "share_workers", "workers", "mean_exposure", "occupations"]
    rows = frame[columns].astype(object).where(frame[columns].notna(), None)
    spec.setdefault("datasets", {})[GROUPS_DATA] = rows.to_dict(orient="records")
    return spec


def breakdown_display(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """Readable group names (Job Zone 1, Quintile 1 (lowest paid), ...) in kb's order."""
    out = frame.copy()
    label = out["group_label"].fillna("not known")
    if by == "job_zone":
        label = out["group_key"].map(lambda k: f"Job Zone {k}" if pd.notna(k) else "not known")
    elif by == "wage_quintile":
        names = {"1": "1 (lowest paid)", "5": "5 (highest paid)"}
        label = out["group_key"].map(
            lambda k: f"Quintile {names.get(str(k), k)}" if pd.notna(k) else "wage not published"
        )
    out["group"] = label
    return out.rename(columns={"share_exposed": "share_workers"})
