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


def exposure_table(detail: exposure.OccupationDetail) -> pd.DataFrame:
    """Exposure per rater (rows) and measure/weighting (columns), with percentiles."""
    frame = detail.exposure.copy()
    frame["cell"] = frame.apply(
        lambda r: f"{r['exposure']:.1%} (p{100 * r['percentile']:.0f})", axis=1
    )
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
            "Employment, OEWS May 2021",
            count(detail.employment.get("oews-2021")),
            help="Workers in the OEWS detailed occupation holding this SOC code.",
        )
        m[1].metric(
            "Median wage, OEWS May 2021",
            "n/a"
            if detail.annual_wage.get("oews-2021") is None
            else f"${detail.annual_wage['oews-2021']:,.0f}",
        )
        m[2].metric(
            "Employment, paper recipe",
            count(detail.employment.get("paper")),
            help="BLS projections 2022 employment of the NEM occupation this O*NET "
            "occupation maps to (the authors' join).",
        )
        human_beta = detail.exposure.query(
            f"rater == 'human' and measure == 'beta' and {EQUAL_WEIGHTS}"
        )
        m[3].metric(
            "Exposure (human, beta, equal)",
            pct(float(human_beta["exposure"].iloc[0])) if not human_beta.empty else "n/a",
            help="Share of its tasks exposed; the percentile is among all 923 occupations.",
        )

        st.subheader("Exposure under each measure")
        st.caption(
            "Share of the occupation's tasks exposed; pN is its percentile among all "
            "occupations (0 = least exposed)."
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
        recipe = exposure.Recipe.parse(rater, measure)
        st.vega_lite_chart(cached.distribution_spec(ref, recipe, marker, detail.title))
        st.caption(
            "Workers are the paper recipe's employment (BLS projections 2022 via the "
            "NEM crosswalk); the red line is this occupation."
        )

        st.subheader(f"Tasks ({len(detail.tasks)})")
        st.caption(LABEL_MEANING)
        # O*NET leaves some tasks without a Core/Supplemental rating (task_type NULL in kb).
        tasks = detail.tasks.assign(task_type=detail.tasks["task_type"].fillna("not rated"))
        st.dataframe(
            tasks,
            hide_index=True,
            column_config={
                "statement": st.column_config.TextColumn("Task", width="large"),
                "task_id": "Task ID",
                "task_type": "Type",
            },
        )


if __name__ == "__main__":
    render()
