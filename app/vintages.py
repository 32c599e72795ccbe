"""Vintages: who produced each exposure measure and when, what we knew when, and observed usage
("Working with AI", Bing Copilot 2024) beside the GPT-4-era exposure.

Reads the store through the cached wrappers below (read-only, one connection per call, keyed by
the store's path and stamp); all computation is in kb.provenance, kb.usage and kb.labels.
"""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from app import data
from app.ui import errors_shown, store
from kb import exposure, labels, provenance, usage
from kb import store as kbstore

MEASURE_CHOICES = ("beta", "alpha", "zeta")
KIND_TEXT = {"human_annotation": "human annotators", "model_labels": "model labels",
             "usage_log": "usage log"}

# ----------------------------------------------------------------------------- cached wrappers


@st.cache_data(show_spinner=False, max_entries=8)
def sources(db: str, stamp: str) -> pd.DataFrame:
    with kbstore.connect(db) as con:
        return provenance.sources(con)


@st.cache_data(show_spinner=False, max_entries=8)
def history(db: str, stamp: str, usage_cut: float) -> pd.DataFrame:
    with kbstore.connect(db) as con:
        return provenance.history(con, usage_cut=usage_cut)


@st.cache_data(show_spinner=False, max_entries=8)
def rater_names(db: str, stamp: str) -> list[str]:
    with kbstore.connect(db) as con:
        return exposure.raters(con)


@st.cache_data(show_spinner=False, max_entries=32)
def comparison(db: str, stamp: str, rater: str, measure: str) -> tuple[pd.DataFrame, float, int]:
    with kbstore.connect(db) as con:
        rho = usage.rank_correlation(con, rater, measure)
        return usage.comparison(con, rater, measure), rho.rho, rho.n


@st.cache_data(show_spinner=False, max_entries=32)
def gaps(db: str, stamp: str, rater: str, measure: str, min_gap: float) -> pd.DataFrame:
    with kbstore.connect(db) as con:
        return usage.gaps(con, rater, measure, min_gap, n=None)


@st.cache_data(show_spinner=False, max_entries=8)
def coverage(db: str, stamp: str) -> pd.DataFrame:
    with kbstore.connect(db) as con:
        return usage.coverage(con)


@st.cache_data(show_spinner=False, max_entries=32)
def distribution(db: str, stamp: str, rater: str, measure: str) -> pd.DataFrame:
    with kbstore.connect(db) as con:
        return usage.weighted_distribution(con, rater, measure, bins=10)


@st.cache_data(show_spinner=False, max_entries=16)
def agreement_matrix(db: str, stamp: str, measure: str, level: str, metric: str) -> pd.DataFrame:
    with kbstore.connect(db) as con:
        frame = labels.agreement_matrix(con, measure, level, metric)
    frame.attrs = {}
    return frame


# ------------------------------------------------------------------------- timeline annotation


def release_annotations(release_id: str | None = None) -> None:
    """Under the timeline: which exposure measures a release produced (all, or the selected one).

    Called from app/timeline.py, so a label set shows on the release that produced it.
    """
    ref = store()
    notes = data.annotations(ref.db, ref.stamp)
    if notes.empty:
        return
    if release_id is None:
        parts = [f"**{name}** → {', '.join(group['label'])}"
                 for name, group in notes.groupby("release_name", sort=False)]
        st.caption("Exposure measures produced by a release: " + " · ".join(parts)
                   + " (see the Vintages page).")
        return
    mine = notes[notes["release_id"] == release_id]
    for row in mine.itertuples():
        st.info(f"Produced the exposure measure **{row.measure}** ({KIND_TEXT[row.kind]}, "
                f"{row.date:%d %b %Y}). {row.note or ''}", icon=":material/label:")


# ---------------------------------------------------------------------------------- charts


def knew_when_chart(frame: pd.DataFrame, releases: pd.DataFrame) -> alt.LayerChart:
    """Headline figures by the date of their source, with the producing releases as rules."""
    points = alt.Chart(frame).mark_point(filled=True, size=90).encode(
        x=alt.X("date:T", title="Date of the source (produced or observed)"),
        y=alt.Y("value:Q", title="Headline figure (share of workers, or mean score)",
                axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("measure:N", title="Rater / measure"),
        shape=alt.Shape("figure:N", title="Figure", legend=alt.Legend(orient="bottom", columns=2,
                                                                        labelLimit=400)),
        tooltip=[alt.Tooltip("measure:N", title="Rater / measure"),
                 alt.Tooltip("figure:N", title="Figure"),
                 alt.Tooltip("value:Q", title="Value", format=".1%"),
                 alt.Tooltip("date:T", title="Source date"),
                 alt.Tooltip("release_name:N", title="Produced by release"),
                 alt.Tooltip("recipe:N", title="Recipe")],
    )
    rules = alt.Chart(releases).mark_rule(strokeDash=[4, 3], color="#777").encode(
        x="release_date:T",
        tooltip=[alt.Tooltip("release_name:N", title="Release"),
                 alt.Tooltip("release_date:T", title="Released")],
    )
    text = alt.Chart(releases).mark_text(align="left", dx=4, dy=-4, fontSize=11, color="#555",
                                         angle=0).encode(
        x="release_date:T", y=alt.value(12), text="release_name:N")
    return (rules + text + points).properties(
        title=alt.Title("What we knew when",
                        subtitle="Each source's headline figure at its date; dashed: the release "
                                 "that produced it"),
        height=360, width="container")


def scatter_chart(frame: pd.DataFrame, rater: str, measure: str, rho: float) -> alt.Chart:
    return alt.Chart(frame).mark_circle(opacity=0.6).encode(
        x=alt.X("exposure:Q", title=f"Exposure: {rater} {measure}, share of tasks (%)",
                axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("usage_score:Q", title="Observed usage: AI applicability score (0-1)"),
        size=alt.Size("employment:Q", title="Workers (OEWS 2021)", legend=alt.Legend(format=",.0f")),
        tooltip=[alt.Tooltip("soc_code:N", title="SOC code"),
                 alt.Tooltip("title:N", title="Occupation"),
                 alt.Tooltip("exposure:Q", title="Exposure", format=".1%"),
                 alt.Tooltip("usage_score:Q", title="Usage score", format=".3f"),
                 alt.Tooltip("employment:Q", title="Workers", format=",.0f"),
                 alt.Tooltip("onet_codes:N", title="O*NET occupations")],
    ).properties(
        title=alt.Title("Potential exposure (2023) against observed usage (2024)",
                        subtitle=f"One point per 2018 SOC code; Spearman rho = {rho:.3f}"),
        height=420, width="container")


def distribution_chart(frame: pd.DataFrame) -> alt.Chart:
    """Share of workers per bin, exposure and usage side by side."""
    frame = frame.assign(bin=frame["bin_start"].map("{:.1f}".format) + "-"
                         + frame["bin_end"].map("{:.1f}".format))
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("bin:N", title="Score or exposure (0-1), bins", sort=None,
                axis=alt.Axis(labelAngle=0)),
        xOffset="measure:N",
        y=alt.Y("share_of_workers:Q", title="Share of workers (%)", axis=alt.Axis(format="%")),
        color=alt.Color("measure:N", title=None, legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("measure:N", title="Measure"),
                 alt.Tooltip("bin:N", title="Bin"),
                 alt.Tooltip("share_of_workers:Q", title="Share of workers", format=".1%"),
                 alt.Tooltip("workers:Q", title="Workers", format=",.0f")],
    ).properties(title="Employment-weighted distributions (OEWS May 2021 workers)", height=300,
                 width="container")


def matrix_chart(matrix: pd.DataFrame, metric: str) -> alt.LayerChart:
    long = matrix.reset_index().melt(id_vars="rater", var_name="other", value_name="value")
    base = alt.Chart(long).encode(
        x=alt.X("other:N", title="Rater"), y=alt.Y("rater:N", title="Rater"),
        tooltip=[alt.Tooltip("rater:N", title="Rater"), alt.Tooltip("other:N", title="Other"),
                 alt.Tooltip("value:Q", title=metric, format=".3f")])
    cells = base.mark_rect().encode(color=alt.Color("value:Q", title=metric,
                                                    scale=alt.Scale(scheme="blues")))
    text = base.mark_text(fontSize=12).encode(text=alt.Text("value:Q", format=".2f"))
    return (cells + text).properties(title=f"Agreement between raters ({metric})",
                                     height=60 * len(matrix) + 40, width="container")


# ----------------------------------------------------------------------------------- page


def render() -> None:
    st.title("Vintages: who measured exposure, with what, and when")
    st.write(
        "Every exposure measure was produced by someone, with something, at some time: the "
        "GPT-4 labels of *GPTs are GPTs* by the release **gpt-4** in March 2023, the human "
        "labels by annotators, and the *Working with AI* usage scores from Bing Copilot "
        "conversations in 2024 (Bing Chat, later renamed Copilot)."
    )
    ref = store()
    with errors_shown():
        st.subheader("What we knew when")
        usage_cut = st.slider("Usage headline: share of workers in occupations scoring at least",
                              0.05, 0.5, usage.DEFAULT_USAGE_CUT, 0.05)
        hist = history(ref.db, ref.stamp, usage_cut)
        releases = hist.dropna(subset=["release_id"]).drop_duplicates("release_id")
        st.altair_chart(knew_when_chart(hist, releases))
        st.dataframe(hist[["date", "measure", "release_name", "figure", "value", "recipe"]],
                     hide_index=True, column_config={
                         "value": st.column_config.NumberColumn("value", format="%.3f")})

        st.subheader("Exposure sources")
        src = sources(ref.db, ref.stamp)
        st.dataframe(src[["source_id", "rater", "measure", "kind", "release_name", "date",
                          "producer", "method", "citation", "url", "origin"]],
                     hide_index=True, column_config={"url": st.column_config.LinkColumn("url")})

        st.subheader("Observed usage beside potential exposure")
        names = rater_names(ref.db, ref.stamp)
        left, right = st.columns(2)
        rater = left.selectbox("Exposure rater", names,
                               index=names.index("gpt4") if "gpt4" in names else 0)
        measure = right.selectbox("Exposure measure", MEASURE_CHOICES)
        frame, rho, n = comparison(ref.db, ref.stamp, rater, measure)
        a, b, c = st.columns(3)
        a.metric("Spearman rank correlation", f"{rho:.3f}", help=f"over {n} matched SOC codes")
        mean_row = hist[hist.figure == "employment-weighted mean AI applicability score"]
        b.metric("Employment-weighted mean usage score",
                 f"{mean_row['value'].iloc[0]:.3f}" if not mean_row.empty else "n/a")
        c.metric("SOC codes compared", f"{n}")
        st.altair_chart(scatter_chart(frame.dropna(subset=["exposure"]), rater, measure, rho))
        st.altair_chart(distribution_chart(distribution(ref.db, ref.stamp, rater, measure)))

        st.markdown(
            "**Gaps.** Percentile ranks of exposure and of usage among the matched SOC codes; an "
            "occupation is listed when one rank exceeds the other by at least the chosen gap.")
        min_gap = st.slider("Minimum rank gap (percentile points)", 0.1, 0.9,
                            usage.DEFAULT_MIN_GAP, 0.05)
        gap_frame = gaps(ref.db, ref.stamp, rater, measure, min_gap)
        for group in ("exposed, little used", "used, little exposed"):
            part = gap_frame[gap_frame.group == group]
            st.markdown(f"*{group.capitalize()}* ({len(part)} occupations)")
            st.dataframe(part.drop(columns="group"), hide_index=True, column_config={
                "exposure": st.column_config.NumberColumn(format="%.3f"),
                "usage_score": st.column_config.NumberColumn(format="%.3f"),
                "exposure_pct": st.column_config.NumberColumn(format="%.2f"),
                "usage_pct": st.column_config.NumberColumn(format="%.2f"),
                "rank_gap": st.column_config.NumberColumn(format="%.2f"),
                "employment": st.column_config.NumberColumn(format="%d")})

        st.markdown(
            "**SOC matching.** *GPTs are GPTs* rates O\\*NET-SOC 2019 occupations (8 digits); the "
            "usage data has 2018 SOC codes, including the aggregates OEWS uses (13-1020 for "
            "13-1021/22/23). They are joined through the BLS O\\*NET-SOC to National Employment "
            "Matrix crosswalk (rule *crosswalk*); cutting the code to 6 digits (*truncate*) is "
            "shown for comparison. Employment: OEWS May 2021.")
        st.dataframe(coverage(ref.db, ref.stamp), hide_index=True, column_config={
            "employment": st.column_config.NumberColumn(format="%d")})

        st.subheader("Agreement across all raters")
        x, y, z = st.columns(3)
        m_measure = x.selectbox("Measure", MEASURE_CHOICES, key="matrix_measure")
        level = y.selectbox("Level", ("task", "occupation"), key="matrix_level")
        metric = z.selectbox("Figure", labels.MATRIX_METRICS, key="matrix_metric")
        matrix = agreement_matrix(ref.db, ref.stamp, m_measure, level, metric)
        st.altair_chart(matrix_chart(matrix, metric))
        st.caption("Task level: the task values (0, 0.5, 1) compared; occupation level: exposed "
                   "means exposure above 50%; pearson_r uses the exposures themselves.")

    st.caption(
        "Observed usage: Tomlinson, Jaffe, Wang, Counts & Suri (2025), *Working with AI*, "
        "[arXiv 2507.07935](https://arxiv.org/abs/2507.07935), data CC BY 4.0 "
        "(O\\*NET-derived parts CC BY 4.0)."
    )


if __name__ == "__main__":
    render()
