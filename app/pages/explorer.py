"""Occupation explorer: find an occupation, see its tasks with every rater's label, its exposure
under each measure, its employment and wage, and where it stands among all occupations."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import cached
from app.ui import count, errors_shown, pct, store
from kb import exposure, vocabulary

SEARCH_KEY = "occupation_search"
PICK_KEY = "occupation"
LABEL_MEANING = " · ".join(f"{label}: {text}" for label, text in vocabulary.LABELS.items())
EQUAL_WEIGHTS = "weighting == 'equal'"
TASK_STATUS_MARKS = {
    "kept_id": "yes",
    "kept_statement": "yes, under another id",
    "dropped": "no longer in O*NET",
}


def shared_note(detail: exposure.OccupationDetail, recipe: str) -> str:
    n = detail.shared_by.get(recipe, 1)
    return f", shared by {n} O*NET occupations." if n > 1 else "."


def rank_text(row: pd.Series) -> str:
    """'58.3% (rank 12 of 923)', or '(rank 12 of 923, tied with 4 others)': a plain rank from
    the most exposed, never a rounded percentile that reads 'p100' for the third."""
    tied = int(row["tied"]) - 1
    ties = f", tied with {tied} other{'s' if tied != 1 else ''}" if tied else ""
    rank = f"rank {int(row['rank_from_top'])} of {int(row['occupations'])}"
    return f"{row['exposure']:.1%} ({rank}{ties})"


def exposure_table(detail: exposure.OccupationDetail) -> pd.DataFrame:
    """Exposure per rater (rows) and measure/weighting (columns), with its rank."""
    frame = detail.exposure.copy()
    frame["cell"] = frame.apply(rank_text, axis=1)
    frame["column"] = frame["measure"] + " · " + frame["weighting"]
    table = frame.pivot(index="rater", columns="column", values="cell")
    order = [f"{m} · {w}" for w in vocabulary.WEIGHTINGS for m in vocabulary.MEASURES]
    table = table.reindex(columns=[c for c in order if c in table.columns])
    table.columns.name = None
    return table.reset_index()


def render() -> None:
    st.title("Occupation explorer")
    ref = store()
    with errors_shown():
        cols = st.columns([2, 3])
        text = cols[0].text_input(
            "Search occupations (title or O*NET-SOC code)",
            key=SEARCH_KEY,
            placeholder="e.g. software, 15-1252, nurse",
        )
        matches = cached.search_occupations(ref, text.strip())
        if matches.empty:
            st.info(f"No occupation matches '{text}'. Try a shorter word.")
            return
        titles = dict(zip(matches["onet_code"], matches["title"], strict=True))
        codes = list(titles)
        if st.session_state.get(PICK_KEY) not in titles:
            default = "15-1252.00" if "15-1252.00" in titles else codes[0]
            st.session_state[PICK_KEY] = default
        plural = "es" if len(codes) != 1 else ""
        code = cols[1].selectbox(
            f"Occupation ({len(codes)} match{plural})",
            codes,
            key=PICK_KEY,
            format_func=lambda c: f"{titles[c]} ({c})",
        )
        detail = cached.occupation(ref, code)

        st.header(detail.title)
        st.caption(
            f"O*NET-SOC {detail.onet_code} · SOC {detail.soc_code} · "
            f"{detail.major_group_title} ({detail.major_group}) · Job Zone "
            f"{detail.job_zone if detail.job_zone is not None else 'not known'} · "
            f"typical education: {detail.education or 'not known'}"
        )
        m = st.columns(4)
        m[0].metric(
            "Employment, OEWS May 2025",
            count(detail.employment.get("oews-2025")),
            help="Workers in the OEWS May 2025 occupation holding this SOC code"
            + shared_note(detail, "oews-2025"),
        )
        m[1].metric(
            "Median wage, OEWS May 2025",
            "n/a"
            if detail.annual_wage.get("oews-2025") is None
            else f"${detail.annual_wage['oews-2025']:,.0f}",
        )
        m[2].metric(
            "Employment, OEWS May 2021",
            count(detail.employment.get("oews-2021")),
            help="Workers in the OEWS May 2021 occupation holding this SOC code"
            + shared_note(detail, "oews-2021"),
        )
        shared = {r: n for r, n in detail.shared_by.items() if n > 1}
        if shared:
            where = "; ".join(
                f"{vocabulary.EMPLOYMENT_NAMES[r]}: one code for {n} O*NET occupations"
                for r, n in shared.items()
            )
            st.warning(
                "Shared employment: the workers shown are those of a whole occupation code "
                f"that this O*NET occupation shares with others ({where}). The OEWS shares "
                "count these workers once; the paper's recipe once per O*NET occupation."
            )
        human_beta = detail.exposure.query(
            f"rater == 'human' and measure == 'beta' and {EQUAL_WEIGHTS}"
        )
        m[3].metric(
            "Exposure (human, beta, equal)",
            pct(float(human_beta["exposure"].iloc[0])) if not human_beta.empty else "n/a",
            help="Share of its labelled tasks exposed.",
        )

        st.subheader("Exposure under each measure")
        st.caption(
            "Share of the occupation's labelled tasks exposed, and its rank among all labelled "
            "occupations from the most exposed (1); tied occupations share a rank."
        )
        st.dataframe(exposure_table(detail), hide_index=True)

        st.subheader("Where it stands")
        rater_names = sorted(detail.exposure["rater"].unique())
        pick = st.columns(2)
        rater = pick[0].selectbox(
            "Rater",
            rater_names,
            key="explorer_rater",
            index=rater_names.index("human") if "human" in rater_names else 0,
        )
        measures = list(vocabulary.MEASURES)
        measure = pick[1].selectbox(
            "Measure", measures, key="explorer_measure", index=measures.index("beta")
        )
        mine = detail.exposure.query(f"rater == @rater and measure == @measure and {EQUAL_WEIGHTS}")
        marker = float(mine["exposure"].iloc[0]) if not mine.empty else None
        # The paper's recipe for the chosen rater and measure.
        # Each worker once: OEWS May 2025 units (O*NET occupations of one code averaged).
        recipe = exposure.Recipe.parse(rater, measure, employment="oews-2025")
        st.vega_lite_chart(cached.distribution_spec(ref, recipe, marker, detail.title))
        st.caption(
            "Workers by the exposure of their occupation: OEWS May 2025, each worker counted "
            "once (O*NET occupations sharing a code are averaged); the red line is this "
            "occupation."
        )

        st.subheader(f"Tasks ({len(detail.tasks)} labelled)")
        st.caption(LABEL_MEANING)
        changes = cached.occupation_task_changes(ref, code)
        status = changes.dropna(subset=["task_id"]).set_index("task_id")["status"]
        # O*NET leaves some tasks without a Core/Supplemental rating (task_type NULL in kb).
        tasks = detail.tasks.assign(
            task_type=detail.tasks["task_type"].fillna("not rated"),
            today=detail.tasks["task_id"].map(status).map(TASK_STATUS_MARKS).fillna("not known"),
        )
        st.dataframe(
            tasks,
            hide_index=True,
            column_config={
                "statement": st.column_config.TextColumn("Task", width="large"),
                "task_id": "Task ID",
                "task_type": "Type",
                "today": "In O*NET 29.3",
            },
        )
        new_tasks = changes[changes["status"] == "new_unlabelled"]
        if new_tasks.empty:
            st.caption("Every task O*NET 29.3 lists for it is reached by a labelled task.")
        else:
            st.markdown(
                f"**Today's tasks nobody rated** ({len(new_tasks)}, in O\\*NET 29.3 only; the "
                "exposure above does not count them)"
            )
            st.dataframe(
                new_tasks[["current_task_id", "statement"]],
                hide_index=True,
                column_config={"current_task_id": "Task ID (29.3)",
                               "statement": st.column_config.TextColumn("Task", width="large")},
            )  # fmt: skip


if __name__ == "__main__":
    render()
