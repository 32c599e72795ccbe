"""Vintages: who produced each exposure measure and when, what we knew when, and observed usage
("Working with AI", Bing Copilot 2024) beside the GPT-4-era exposure.

Reads the store through app.cached (read-only, one connection per call, keyed by the store's
path and stamp); all computation is in kb.provenance, kb.usage and kb.exposure.
"""

from __future__ import annotations

import streamlit as st

from app import cached
from app.charts import vintages as charts
from app.ui import errors_shown, store
from kb import defaults, vocabulary


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
        usage_cut = st.slider(
            "Usage headline: share of workers in occupations scoring at least",
            0.05,
            0.5,
            defaults.USAGE_CUT,
            0.05,
        )
        hist = cached.history(ref, usage_cut)
        releases = hist.dropna(subset=["release_id"]).drop_duplicates("release_id")
        st.altair_chart(charts.knew_when_chart(hist, releases))
        st.dataframe(
            hist[["date", "measure", "release_name", "figure", "value", "recipe"]],
            hide_index=True,
            column_config={"value": st.column_config.NumberColumn("value", format="%.3f")},
        )

        st.subheader("Exposure sources")
        src = cached.exposure_sources(ref)
        st.dataframe(
            src[
                [
                    "source_id",
                    "rater",
                    "measure",
                    "kind",
                    "release_name",
                    "date",
                    "producer",
                    "method",
                    "citation",
                    "url",
                    "origin",
                ]
            ],
            hide_index=True,
            column_config={"url": st.column_config.LinkColumn("url")},
        )

        st.subheader("Observed usage beside potential exposure")
        names = cached.rater_names(ref)
        left, right = st.columns(2)
        rater = left.selectbox(
            "Exposure rater", names, index=names.index("gpt4") if "gpt4" in names else 0
        )
        measures = list(vocabulary.MEASURES)
        measure = right.selectbox("Exposure measure", measures, index=measures.index("beta"))
        frame, rho, n = cached.usage_comparison(ref, rater, measure)
        a, b, c = st.columns(3)
        a.metric("Spearman rank correlation", f"{rho:.3f}", help=f"over {n} matched SOC codes")
        mean_row = hist[hist.figure == "employment-weighted mean AI applicability score"]
        b.metric(
            "Employment-weighted mean usage score",
            f"{mean_row['value'].iloc[0]:.3f}" if not mean_row.empty else "n/a",
        )
        c.metric("SOC codes compared", f"{n}")
        st.altair_chart(
            charts.scatter_chart(frame.dropna(subset=["exposure"]), rater, measure, rho)
        )
        st.altair_chart(charts.distribution_chart(cached.usage_distribution(ref, rater, measure)))

        st.markdown(
            "**Gaps.** Percentile ranks of exposure and of usage among the matched SOC codes; an "
            "occupation is listed when one rank exceeds the other by at least the chosen gap."
        )
        min_gap = st.slider(
            "Minimum rank gap (percentile points)", 0.1, 0.9, defaults.MIN_GAP, 0.05
        )
        gap_frame = cached.usage_gaps(ref, rater, measure, min_gap)
        for group in ("exposed, little used", "used, little exposed"):
            part = gap_frame[gap_frame.group == group]
            st.markdown(f"*{group.capitalize()}* ({len(part)} occupations)")
            st.dataframe(
                part.drop(columns="group"),
                hide_index=True,
                column_config={
                    "exposure": st.column_config.NumberColumn(format="%.3f"),
                    "usage_score": st.column_config.NumberColumn(format="%.3f"),
                    "exposure_pct": st.column_config.NumberColumn(format="%.2f"),
                    "usage_pct": st.column_config.NumberColumn(format="%.2f"),
                    "rank_gap": st.column_config.NumberColumn(format="%.2f"),
                    "employment": st.column_config.NumberColumn(format="%d"),
                },
            )

        st.markdown(
            "**SOC matching.** *GPTs are GPTs* rates O\\*NET-SOC 2019 occupations (8 digits); the "
            "usage data has 2018 SOC codes, including the aggregates OEWS uses (13-1020 for "
            "13-1021/22/23). They are joined through the BLS O\\*NET-SOC to National Employment "
            "Matrix crosswalk (rule *crosswalk*); cutting the code to 6 digits (*truncate*) is "
            "shown for comparison. Employment: OEWS May 2021."
        )
        st.dataframe(
            cached.usage_coverage(ref),
            hide_index=True,
            column_config={"employment": st.column_config.NumberColumn(format="%d")},
        )

        st.subheader("Agreement across all raters")
        x, y, z = st.columns(3)
        m_measure = x.selectbox(
            "Measure", measures, index=measures.index("beta"), key="matrix_measure"
        )
        level = y.selectbox("Level", list(vocabulary.LEVELS), key="matrix_level")
        metric = z.selectbox("Figure", list(vocabulary.AGREEMENT_METRICS), key="matrix_metric")
        matrix = cached.agreement_matrix(ref, m_measure, level, metric)
        st.altair_chart(charts.matrix_chart(matrix, metric))
        st.caption(
            "Task level: the task values (0, 0.5, 1) compared; occupation level: exposed "
            "means exposure above 50%; pearson_r uses the exposures themselves."
        )

    st.caption(
        "Observed usage: Tomlinson, Jaffe, Wang, Counts & Suri (2025), *Working with AI*, "
        "[arXiv 2507.07935](https://arxiv.org/abs/2507.07935), data CC BY 4.0 "
        "(O\\*NET-derived parts CC BY 4.0)."
    )


if __name__ == "__main__":
    render()
