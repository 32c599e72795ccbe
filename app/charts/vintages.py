"""The vintages page's charts: what we knew when, exposure against usage, the two distributions
and the agreement matrix."""

from __future__ import annotations

import altair as alt
import pandas as pd

from app.charts.common import WIDTH

# The figures the "What we knew when" chart plots: shares only (a mean score is not a share and
# gets its own line in the table), so one percentage axis holds them all.
SHARE_FIGURE_WORDS = ("share of workers", "share of Claude conversations")


def knew_when_chart(frame: pd.DataFrame, releases: pd.DataFrame) -> alt.LayerChart:
    """Each source's headline shares at the date the source was made or observed, with the
    release that produced it (or was observed) as a dashed rule at the release's own date."""
    shares = frame[frame["figure"].str.startswith(SHARE_FIGURE_WORDS)]
    shares = shares.assign(
        date=pd.to_datetime(shares["date"]),
        source=shares["measure"].map(SOURCE_NAMES).fillna(shares["measure"]),
    )
    releases = releases[["release_id", "release_name", "release_date"]].drop_duplicates()
    releases = releases.assign(release_date=pd.to_datetime(releases["release_date"]))
    points = (
        alt.Chart(shares)
        .mark_point(filled=True, size=110)
        .encode(
            x=alt.X("date:T", title="Date the source was made or observed",
                    axis=alt.Axis(format="%b %Y", tickCount="month")),
            y=alt.Y("value:Q", title="Share (%)", axis=alt.Axis(format="%"),
                    scale=alt.Scale(domain=[0, 1])),
            color=alt.Color("source:N", title="Source", legend=alt.Legend(orient="right")),
            shape=alt.Shape("figure:N", title="Figure",
                            legend=alt.Legend(orient="bottom", columns=1, labelLimit=500)),
            tooltip=[
                alt.Tooltip("source:N", title="Source"),
                alt.Tooltip("figure:N", title="Figure"),
                alt.Tooltip("value:Q", title="Value", format=".1%"),
                alt.Tooltip("date:T", title="Source date", format="%Y-%m-%d"),
                alt.Tooltip("release_name:N", title="Produced by / observed release"),
            ],
        )
    )  # fmt: skip
    rules = (
        alt.Chart(releases)
        .mark_rule(strokeDash=[4, 3], color="#777")
        .encode(
            x="release_date:T",
            tooltip=[
                alt.Tooltip("release_name:N", title="Release"),
                alt.Tooltip("release_date:T", title="Released", format="%Y-%m-%d"),
            ],
        )
    )
    text = (
        alt.Chart(releases)
        .mark_text(align="left", dx=4, fontSize=11, color="#555")
        .encode(x="release_date:T", y=alt.value(10), text="release_name:N")
    )
    return (rules + text + points).properties(
        title=alt.Title(
            "What we knew when",
            subtitle="Each source's headline shares at its own date; dashed: the release that "
            "produced it or whose use it observed",
        ),
        height=380,
        width=WIDTH,
    )


SOURCE_NAMES = {
    "human": "Human labels (2023)",
    "gpt4": "GPT-4 labels (2023)",
    "gpt4_alt": "GPT-4 labels, alternative rubric (2023)",
    "ai_applicability": "Bing Copilot usage (2024)",
    "claude_usage_share": "Claude usage (2025)",
}


def usage_by_label_chart(frame: pd.DataFrame) -> alt.Chart:
    """Share of the matched Claude conversations on tasks each rater labelled E0, E1, E2."""
    frame = frame.assign(rater=frame["rater"].map(RATER_NAMES).fillna(frame["rater"]))
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            y=alt.Y("rater:N", title=None),
            x=alt.X("share_of_matched:Q", title="Share of matched Claude conversations (%)",
                    axis=alt.Axis(format="%"), stack="normalize"),
            color=alt.Color("label:N", title="Task label",
                            scale=alt.Scale(domain=["E0", "E1", "E2"],
                                            range=["#bbbbbb", "#d62728", "#ff9896"])),
            order=alt.Order("label:N"),
            tooltip=[
                alt.Tooltip("rater:N", title="Rater"),
                alt.Tooltip("label:N", title="Label"),
                alt.Tooltip("share_of_matched:Q", title="Share of matched", format=".1%"),
                alt.Tooltip("pct:Q", title="Percent of all conversations", format=".1f"),
            ],
        )
        .properties(
            title=alt.Title(
                "Where Claude conversations fall on potential exposure",
                subtitle="E0 no exposure, E1 an LLM alone halves the time, E2 with software "
                "built on it",
            ),
            height=40 * frame["rater"].nunique() + 20,
            width=WIDTH,
        )
    )  # fmt: skip


RATER_NAMES = {"human": "Human labels", "gpt4": "GPT-4", "gpt4_alt": "GPT-4 (alt. rubric)"}


def shift_share_chart(frame: pd.DataFrame, n: int = 15) -> alt.Chart:
    """The units whose employment change moved the headline most, in percentage points."""
    top = frame.head(n).assign(points=lambda f: f["total_effect"] * 100)
    return (
        alt.Chart(top)
        .mark_bar()
        .encode(
            y=alt.Y("title:N", title=None, sort=alt.EncodingSortField("points", order="ascending"),
                    axis=alt.Axis(labelLimit=320)),
            x=alt.X("points:Q", title="Change of the headline share (percentage points)"),
            color=alt.condition("datum.points > 0", alt.value("#d62728"), alt.value("#1f77b4")),
            tooltip=[
                alt.Tooltip("title:N", title="Occupation (OEWS)"),
                alt.Tooltip("employment_start:Q", title="Workers 2021", format=",.0f"),
                alt.Tooltip("employment_end:Q", title="Workers 2025", format=",.0f"),
                alt.Tooltip("points:Q", title="Effect (points)", format="+.3f"),
            ],
        )
        .properties(title="What moved the share from 2021 to 2025", height=22 * len(top),
                    width=WIDTH)
    )  # fmt: skip


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


def distribution_chart(frame: pd.DataFrame) -> alt.VConcatChart:
    """Share of workers per bin: potential exposure (a share of tasks) and the usage score (an
    AI applicability score), each on its own axis, never binned on one."""
    frame = frame.assign(
        bin=frame["bin_start"].map("{:.1f}".format) + "-" + frame["bin_end"].map("{:.1f}".format)
    )
    panels = []
    for measure in frame["measure"].drop_duplicates():
        is_exposure = str(measure).startswith("exposure")
        title = (
            f"Potential exposure, {measure[len('exposure') :].strip(' ()')}: share of tasks exposed"
            if is_exposure
            else "Observed usage: AI applicability score (0-1)"
        )
        panels.append(
            alt.Chart(frame[frame["measure"] == measure])
            .mark_bar(color="#d62728" if is_exposure else "#1f77b4")
            .encode(
                x=alt.X("bin:N", title=title, sort=None, axis=alt.Axis(labelAngle=0)),
                y=alt.Y("share_of_workers:Q", title="Share of workers (%)",
                        axis=alt.Axis(format="%")),
                tooltip=[
                    alt.Tooltip("bin:N", title="Bin"),
                    alt.Tooltip("share_of_workers:Q", title="Share of workers", format=".1%"),
                    alt.Tooltip("workers:Q", title="Workers", format=",.0f"),
                ],
            )
            .properties(height=200, width=WIDTH)
        )  # fmt: skip
    return alt.vconcat(*panels).properties(
        title="Where workers fall (OEWS May 2021 workers; matched SOC codes)"
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
