"""Vintages: today's workforce (OEWS May 2025) beside the paper's, tasks then and now (O*NET 29.3),
observed usage (Claude 2025, Bing Copilot 2024) beside potential exposure, and what we knew when.

Reads the store through app.cached (read-only, one connection per call, keyed by the store's
path and stamp); all computation is in kb.provenance, kb.usage and kb.exposure.
"""

from __future__ import annotations

import streamlit as st

from app import cached
from app.cached import StoreRef
from app.charts import vintages as charts
from app.ui import errors_shown, store
from kb import defaults, exposure, vocabulary

APPLICABILITY_HELP = (
    "The AI applicability score (Tomlinson et al. 2025, 0-1) says how much of an occupation's "
    "work Bing Copilot users sought help with and the AI did well: how often its work "
    "activities came up in conversations, how often they were completed, and how broad the "
    "help was. It is observed use of one chatbot, not a share of tasks."
)


def render() -> None:
    st.title("Vintages: today's workers, today's tasks, observed use")
    st.write(
        "The paper's figures count 2022 workers on 2023 labels of O\\*NET 27.2 tasks. Here the "
        "same labels meet the May 2025 workforce (BLS OEWS), today's O\\*NET 29.3 tasks, and "
        "two records of how AI was actually used: Claude conversations (Anthropic Economic "
        "Index, Dec 2024 - Jan 2025) and Bing Copilot conversations (*Working with AI*, 2024)."
    )
    ref = store()
    with errors_shown():
        names = cached.rater_names(ref)
        measures = list(vocabulary.MEASURES)
        left, right = st.columns(2)
        rater = left.selectbox(
            "Exposure rater", names, index=names.index("human") if "human" in names else 0,
            help="Whose E0/E1/E2 task labels give potential exposure.",
        )  # fmt: skip
        measure = right.selectbox(
            "Exposure measure", measures, index=measures.index("beta"),
            help="; ".join(f"{k}: {v}" for k, v in vocabulary.MEASURES.items()),
        )  # fmt: skip
        recipe = exposure.Recipe(rater=rater, measure=measure)  # type: ignore[arg-type]
        _employment_vintages(ref, recipe)
        _tasks_then_and_now(ref)
        _claude_usage(ref, rater, measure)
        _knew_when(ref)
        _older_sections(ref, rater, measure)


def _employment_vintages(ref: StoreRef, recipe: exposure.Recipe) -> None:
    st.subheader("The same labels, three employment vintages")
    frame = cached.shares_by_vintage(ref, recipe)
    shown = frame.assign(
        employment=frame["employment"].map(vocabulary.EMPLOYMENT_NAMES),
        threshold=frame["threshold"].map(lambda t: f"more than {t:.0%}"),
    )
    st.dataframe(
        shown[["employment", "threshold", "share_workers", "workers_counted",
               "workers_left_out", "all_workers"]],
        hide_index=True,
        column_config={
            "employment": "Employment source",
            "threshold": "Tasks exposed",
            "share_workers": st.column_config.NumberColumn("Share of workers", format="percent"),
            "workers_counted": st.column_config.NumberColumn("Workers counted", format="localized"),
            "workers_left_out": st.column_config.NumberColumn(
                "Workers left out", format="localized"),
            "all_workers": st.column_config.NumberColumn("All workers (source)",
                                                         format="localized"),
        },
    )  # fmt: skip
    st.caption(
        f"{recipe.describe()}. The paper's recipe counts an NEM occupation once per O\\*NET "
        "occupation mapped to it, so its workers counted exceed all workers; the OEWS vintages "
        "count each worker once."
    )
    with st.expander("Codes OEWS May 2025 leaves out, and why"):
        gone = cached.left_out(ref, "oews-2025")
        st.dataframe(
            gone.drop(columns=["reason"]),
            hide_index=True,
            column_config={"side": "Side", "code": "Code", "title": "Title",
                           "employment": st.column_config.NumberColumn("Workers",
                                                                       format="localized"),
                           "why": "Why"},
        )  # fmt: skip
    threshold = st.radio(
        "What moved the share from 2021 to 2025, at", [0.5, 0.1], horizontal=True,
        format_func=lambda t: f"more than {t:.0%} of tasks exposed",
    )  # fmt: skip
    moves = cached.shift_share(ref, recipe, threshold)
    start, end = (
        frame[(frame["employment"] == e) & (frame["threshold"] == threshold)]["share_workers"].iloc[
            0
        ]
        for e in ("oews-2021", "oews-2025")
    )
    st.markdown(
        f"OEWS May 2021 **{start:.1%}** → May 2025 **{end:.1%}** "
        f"({(end - start) * 100:+.2f} points): occupations that grew or shrank account for "
        f"{moves['employment_effect'].sum() * 100:+.2f} points, exposure changes for "
        f"{moves['exposure_effect'].sum() * 100:+.2f} (the labels did not change)."
    )
    st.altair_chart(charts.shift_share_chart(moves), width="stretch")


def _tasks_then_and_now(ref: StoreRef) -> None:
    st.subheader("Tasks then (O\\*NET 27.2, labelled) and now (O\\*NET 29.3)")
    status, coverage = cached.task_status(ref)
    st.dataframe(
        status, hide_index=True,
        column_config={"status": "Status", "tasks": st.column_config.NumberColumn(
            "Tasks", format="localized"), "explanation": "Meaning"},
    )  # fmt: skip
    st.caption(
        "Every share on these pages is computed on the labelled (O\\*NET 27.2) tasks; tasks "
        "added since carry no label. Occupations whose tasks today the labels cover least:"
    )
    st.dataframe(
        coverage.sort_values(["share_labelled", "onet_code"]).head(15),
        hide_index=True,
        column_config={"onet_code": "O*NET-SOC", "title": "Occupation",
                       "tasks_today": "Tasks today", "tasks_labelled": "Of them labelled",
                       "share_labelled": st.column_config.NumberColumn("Share labelled",
                                                                       format="percent")},
    )  # fmt: skip


def _claude_usage(ref: StoreRef, rater: str, measure: str) -> None:
    st.subheader("Observed use: Claude conversations (Anthropic Economic Index, 2025)")
    summary, usage = cached.claude_usage(ref, "oews-2025")
    a, b, c = st.columns(3)
    a.metric("Task statements matched", f"{summary['match_rate']:.1%}",
             help=f"{summary['statements_matched']:,} of {summary['statements']:,} statements "
             "match a labelled O*NET task by their normalised text")  # fmt: skip
    b.metric("Conversations on matched tasks", f"{summary['pct_matched']:.1f}%")
    corr = cached.usage_correlations(ref, rater, measure)
    c.metric("Rank correlation with exposure", f"{corr['rho'].iloc[0]:.3f}",
             help=f"Spearman, over {corr['n'].iloc[0]} O*NET occupations")  # fmt: skip
    st.altair_chart(charts.usage_by_label_chart(cached.claude_usage_by_label(ref)), width="stretch")
    st.markdown("**Most used occupations** (percent of all conversations on their tasks)")
    st.dataframe(
        usage.head(20).assign(usage_share=lambda f: f["usage_share"] / 100),
        hide_index=True,
        column_config={"onet_code": "O*NET-SOC", "title": "Occupation",
                       "usage_share": st.column_config.NumberColumn("Share of conversations",
                                                                    format="percent"),
                       "usage_share_unsplit": None, "tasks_used": "Tasks used",
                       "unit_code": "OEWS code",
                       "employment": st.column_config.NumberColumn(
                           "Workers (OEWS 2025, whole code)", format="localized")},
    )  # fmt: skip
    gaps = cached.claude_gaps(ref, rater, measure)
    for group in ("exposed, not used", "used, not exposed"):
        part = gaps[gaps["grp"] == group]
        st.markdown(f"*{group.capitalize()}* ({len(part)} occupations)")
        st.dataframe(
            part.drop(columns=["grp"]).assign(usage_share=lambda f: f["usage_share"] / 100),
            hide_index=True,
            column_config={"onet_code": "O*NET-SOC", "title": "Occupation",
                           "exposure": st.column_config.NumberColumn("Exposure",
                                                                     format="percent"),
                           "usage_share": st.column_config.NumberColumn(
                               "Share of conversations", format="percent"),
                           "usage_percentile": st.column_config.NumberColumn(
                               "Usage percentile", format="percent")},
        )  # fmt: skip
    st.caption(
        "Exposed, not used: exposure above 50% and no conversation on any task. Used, not "
        "exposed: among the most used tenth of occupations, exposure at most 10%."
    )
    st.dataframe(corr, hide_index=True,
                 column_config={"source": "Observed source", "level": "Level", "n": "Compared",
                                "rho": st.column_config.NumberColumn("Spearman rho",
                                                                     format="%.3f")})  # fmt: skip


def _knew_when(ref: StoreRef) -> None:
    st.subheader("What we knew when")
    usage_cut = st.slider(
        "Bing Copilot headline: share of workers in occupations scoring at least",
        0.05, 0.5, defaults.USAGE_CUT, 0.05, help=APPLICABILITY_HELP,
    )  # fmt: skip
    hist = cached.history(ref, usage_cut)
    releases = hist.dropna(subset=["release_id"]).drop_duplicates("release_id")
    st.altair_chart(charts.knew_when_chart(hist, releases), width="stretch")
    st.dataframe(
        hist[["date", "measure", "release_name", "figure", "value", "recipe"]].fillna(
            {"release_name": "(people, no release)"}
        ),
        hide_index=True,
        column_config={
            "date": st.column_config.DateColumn("Source date"),
            "measure": "Source",
            "release_name": "Produced by / observed release",
            "figure": "Figure",
            "value": st.column_config.NumberColumn("Value", format="%.3f"),
            "recipe": "Recipe",
        },
    )
    st.caption(
        "Values are fractions (0.806 = 80.6%). The mean AI applicability score is not a share "
        "and is not plotted beside them. " + APPLICABILITY_HELP
    )


def _older_sections(ref: StoreRef, rater: str, measure: str) -> None:
    st.subheader("Exposure sources")
    src = cached.exposure_sources(ref).fillna(
        {"rater": "", "measure": "", "release_name": "(people, no release)"}
    )
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
        column_config={
            "source_id": "Source", "rater": "Rater", "measure": "Measure", "kind": "Kind",
            "release_name": "Produced by / observed release",
            "date": st.column_config.DateColumn("Date"), "producer": "Producer",
            "method": "Method", "citation": "Citation",
            "url": st.column_config.LinkColumn("Link"), "origin": "Origin",
        },
    )  # fmt: skip

    st.subheader("Observed use: Bing Copilot (Working with AI, 2024)")
    measures = list(vocabulary.MEASURES)
    frame, rho, n = cached.usage_comparison(ref, rater, measure)
    a, b, c = st.columns(3)
    a.metric("Spearman rank correlation", f"{rho:.3f}", help=f"over {n} matched SOC codes")
    hist = cached.history(ref, defaults.USAGE_CUT)
    mean_row = hist[hist.figure == "employment-weighted mean AI applicability score"]
    b.metric(
        "Employment-weighted mean AI applicability score",
        f"{mean_row['value'].iloc[0]:.3f}" if not mean_row.empty else "n/a",
        help=APPLICABILITY_HELP,
    )
    c.metric("SOC codes compared", f"{n}")
    st.altair_chart(charts.scatter_chart(frame.dropna(subset=["exposure"]), rater, measure, rho))
    st.altair_chart(charts.distribution_chart(cached.usage_distribution(ref, rater, measure)))

    st.markdown(
        "**Gaps.** Percentile ranks of exposure and of usage among the matched SOC codes; an "
        "occupation is listed when one rank exceeds the other by at least the chosen gap."
    )
    min_gap = st.slider("Minimum rank gap (percentile points)", 0.1, 0.9, defaults.MIN_GAP, 0.05)
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
    m_measure = x.selectbox("Measure", measures, index=measures.index("beta"), key="matrix_measure")
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
        "(O\\*NET-derived parts CC BY 4.0). Handa et al. (2025), Anthropic Economic Index "
        "2025-02-10, [arXiv 2503.04761](https://arxiv.org/abs/2503.04761), CC BY. Employment: "
        "BLS OEWS May 2021 and May 2025. Tasks: O\\*NET 27.2 and 29.3 (USDOL/ETA, CC BY 4.0)."
    )


if __name__ == "__main__":
    render()
