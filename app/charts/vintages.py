"""The vintages page's charts: what we knew when, exposure against usage, the two distributions
and the agreement matrix."""

from __future__ import annotations

import altair as alt
import pandas as pd

from app.charts.common import WIDTH


def knew_when_chart(frame: pd.DataFrame, releases: pd.DataFrame) -> alt.LayerChart:
    """Headline figures by the date of their source, with the producing releases as rules."""
    points = (
        alt.Chart(frame)
        .mark_point(filled=True, size=90)
        .encode(
            x=alt.X("date:T", title="Date of the source (produced or observed)"),
            y=alt.Y(
                "value:Q",
                title="Headline figure (share of workers, or mean score)",
                axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1]),
            ),
            color=alt.Color("measure:N", title="Rater / measure"),
            shape=alt.Shape(
                "figure:N",
                title="Figure",
                legend=alt.Legend(orient="bottom", columns=2, labelLimit=400),
            ),
            tooltip=[
                alt.Tooltip("measure:N", title="Rater / measure"),
                alt.Tooltip("figure:N", title="Figure"),
                alt.Tooltip("value:Q", title="Value", format=".1%"),
                alt.Tooltip("date:T", title="Source date"),
                alt.Tooltip("release_name:N", title="Produced by release"),
                alt.Tooltip("recipe:N", title="Recipe"),
            ],
        )
    )
    rules = (
        alt.Chart(releases)
        .mark_rule(strokeDash=[4, 3], color="#777")
        .encode(
            x="release_date:T",
            tooltip=[
                alt.Tooltip("release_name:N", title="Release"),
                alt.Tooltip("release_date:T", title="Released"),
            ],
        )
    )
    text = (
        alt.Chart(releases)
        .mark_text(align="left", dx=4, dy=-4, fontSize=11, color="#555", angle=0)
        .encode(x="release_date:T", y=alt.value(12), text="release_name:N")
    )
    return (rules + text + points).properties(
        title=alt.Title(
            "What we knew when",
            subtitle="Each source's headline figure at its date; dashed: the release "
            "that produced it",
        ),
        height=360,
        width=WIDTH,
    )


def scatter_chart(frame: pd.DataFrame, rater: str, measure: str, rho: float) -> alt.Chart:
    return (
        alt.Chart(frame)
        .mark_circle(opacity=0.6)
        .encode(
            x=alt.X(
                "exposure:Q",
                title=f"Exposure: {rater} {measure}, share of tasks (%)",
                axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1]),
            ),
            y=alt.Y("usage_score:Q", title="Observed usage: AI applicability score (0-1)"),
            size=alt.Size(
                "employment:Q", title="Workers (OEWS 2021)", legend=alt.Legend(format=",.0f")
            ),
            tooltip=[
                alt.Tooltip("soc_code:N", title="SOC code"),
                alt.Tooltip("title:N", title="Occupation"),
                alt.Tooltip("exposure:Q", title="Exposure", format=".1%"),
                alt.Tooltip("usage_score:Q", title="Usage score", format=".3f"),
                alt.Tooltip("employment:Q", title="Workers", format=",.0f"),
                alt.Tooltip("onet_codes:N", title="O*NET occupations"),
            ],
        )
        .properties(
            title=alt.Title(
                "Potential exposure (2023) against observed usage (2024)",
                subtitle=f"One point per 2018 SOC code; Spearman rho = {rho:.3f}",
            ),
            height=420,
            width=WIDTH,
        )
    )


def distribution_chart(frame: pd.DataFrame) -> alt.Chart:
    """Share of workers per bin, exposure and usage side by side."""
    frame = frame.assign(
        bin=frame["bin_start"].map("{:.1f}".format) + "-" + frame["bin_end"].map("{:.1f}".format)
    )
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X(
                "bin:N",
                title="Score or exposure (0-1), bins",
                sort=None,
                axis=alt.Axis(labelAngle=0),
            ),
            xOffset="measure:N",
            y=alt.Y("share_of_workers:Q", title="Share of workers (%)", axis=alt.Axis(format="%")),
            color=alt.Color("measure:N", title=None, legend=alt.Legend(orient="top")),
            tooltip=[
                alt.Tooltip("measure:N", title="Measure"),
                alt.Tooltip("bin:N", title="Bin"),
                alt.Tooltip("share_of_workers:Q", title="Share of workers", format=".1%"),
                alt.Tooltip("workers:Q", title="Workers", format=",.0f"),
            ],
        )
        .properties(
            title="Employment-weighted distributions (OEWS May 2021 workers)",
            height=300,
            width=WIDTH,
        )
    )


def matrix_chart(matrix: pd.DataFrame, metric: str) -> alt.LayerChart:
    long = matrix.reset_index().melt(id_vars="rater", var_name="other", value_name="value")
    base = alt.Chart(long).encode(
        x=alt.X("other:N", title="Rater"),
        y=alt.Y("rater:N", title="Rater"),
        tooltip=[
            alt.Tooltip("rater:N", title="Rater"),
            alt.Tooltip("other:N", title="Other"),
            alt.Tooltip("value:Q", title=metric, format=".3f"),
        ],
    )
    cells = base.mark_rect().encode(
        color=alt.Color("value:Q", title=metric, scale=alt.Scale(scheme="blues"))
    )
    text = base.mark_text(fontSize=12).encode(text=alt.Text("value:Q", format=".2f"))
    return (cells + text).properties(
        title=f"Agreement between raters ({metric})", height=60 * len(matrix) + 40, width=WIDTH
    )
