"""Exposure page: the paper's headline shares for any recipe, the exposure curve, breakdowns,
the most and least exposed occupations, and human vs GPT-4 agreement."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import cached
from app.ui import count, errors_shown, pct, sign, store
from kb import exposure, vocabulary


def md(text: str) -> str:
    """Plain text inside markdown: '*' in 'E1 + 0.5*E2' or 'O*NET' must not start italics."""
    return text.replace("*", "\\*")


def recipe_controls(rater_names: list[str]) -> exposure.Recipe:
    """The five choices behind every figure on the page; defaults reproduce the paper."""
    cols = st.columns([1, 1, 1.2, 1.2, 1.6])
    measures = list(vocabulary.MEASURES)
    rater = cols[0].selectbox(
        "Rater",
        rater_names,
        key="rater",
        index=rater_names.index("human") if "human" in rater_names else 0,
        help="Whose task labels: human annotators, GPT-4, or any ingested set.",
    )
    measure = cols[1].selectbox(
        "Measure",
        measures,
        key="measure",
        index=measures.index("beta"),
        format_func=lambda m: f"{m} ({vocabulary.MEASURE_FORMULAS[m]})",
        help="\n\n".join(md(f"{m} = {text}") for m, text in vocabulary.MEASURES.items()),
    )
    weighting = cols[2].selectbox(
        "Task weighting",
        list(vocabulary.WEIGHTINGS),
        key="weighting",
        format_func=vocabulary.WEIGHTING_NAMES.__getitem__,
    )
    compare = cols[3].selectbox(
        "Comparison",
        list(vocabulary.COMPARISONS),
        key="compare",
        format_func=vocabulary.COMPARISON_NAMES.__getitem__,
    )
    employment = cols[4].selectbox(
        "Employment",
        list(vocabulary.EMPLOYMENT_RECIPES),
        key="employment",
        format_func=vocabulary.EMPLOYMENT_NAMES.__getitem__,
    )
    return exposure.Recipe.parse(rater, measure, weighting, compare, employment)


def headline_cards(
    shares: list[exposure.Share], at_slider: pd.Series, threshold: float, compare: str
) -> None:
    """The paper's two figures and the slider's, one under the other (the curve sits beside)."""
    for item in shares:
        st.metric(
            f"Workers with {sign(compare)} {item.threshold:.0%} of tasks exposed",
            pct(item.share_workers),
            help=item.describe(),
            border=True,
        )
        st.caption(
            f"{pct(item.share_occupations)} of occupations "
            f"({item.occupations_exposed} of {item.coverage.occupations_counted})"
        )
    st.metric(
        f"Slider: workers with {sign(compare)} {threshold:.0%} exposed",
        pct(float(at_slider["share_workers"])),
        border=True,
    )
    st.caption(
        f"{pct(float(at_slider['share_occupations']))} of occupations "
        f"({int(at_slider['occupations_exposed'])} of "
        f"{int(at_slider['occupations_counted'])})"
    )


def coverage_note(item: exposure.Share) -> None:
    cover = item.coverage
    text = (
        f"**Recipe:** {md(item.recipe.describe())}.  \n"
        f"**Counted:** {count(cover.workers_counted)} workers in {cover.occupations_counted} "
        f"occupations. **Left out:** {count(cover.workers_left_out)} workers that no O\\*NET "
        f"occupation reaches, and {cover.occupations_left_out} occupations without employment.  \n"
        f"**Employment:** {md(item.recipe.explain_employment())}."
    )
    if cover.workers_counted > cover.all_workers:
        text += (
            f"  \nThis recipe counts {cover.overcount:.2f}x the {count(cover.all_workers)} workers "
            "the source reports in total, because an NEM occupation mapped from several O\\*NET "
            "occupations is counted once for each (as in the authors' notebook). Choose "
            "'OEWS May 2021' to count each worker once."
        )
    st.info(text, icon=":material/info:")


def agreement_section(
    ref: cached.StoreRef, rater_names: list[str], recipe: exposure.Recipe
) -> None:
    st.subheader("Human and GPT-4 agreement")
    default_b = "gpt4" if "gpt4" in rater_names else rater_names[-1]
    cols = st.columns([1, 1, 2])
    rater_a = cols[0].selectbox(
        "First rater",
        rater_names,
        key="agree_a",
        index=rater_names.index("human") if "human" in rater_names else 0,
    )
    rater_b = cols[1].selectbox(
        "Second rater", rater_names, key="agree_b", index=rater_names.index(default_b)
    )
    if rater_a == rater_b:
        st.warning("Pick two different raters to compare.")
        return
    measure, weighting, compare = recipe.measure, recipe.weighting, recipe.compare
    level_cols = st.columns(2)
    for col, level in zip(level_cols, vocabulary.LEVELS, strict=True):
        result = cached.agreement(ref, measure, level, (rater_a, rater_b), weighting, compare)
        with col:
            if level == "task":
                st.markdown(
                    f"**Tasks** ({result.n:,}): categories are the task values of {measure}"
                )
            else:
                st.markdown(
                    f"**Occupations** ({result.n:,}): exposed means {measure} "
                    f"{sign(compare)} {result.threshold:.0%} ({weighting} weights)"
                )
            m = st.columns(3)
            m[0].metric("Agreement", pct(result.agreement))
            m[1].metric("Cohen's kappa", f"{result.kappa:.3f}")
            m[2].metric("Pearson r", f"{result.pearson_r:.3f}")
            confusion = result.confusion.copy()
            confusion.index = [f"{rater_a}: {c}" for c in confusion.index]
            confusion.columns = [f"{rater_b}: {c}" for c in confusion.columns]
            st.dataframe(confusion)


def ranked_tables(ref: cached.StoreRef, recipe: exposure.Recipe) -> None:
    st.subheader("Most and least exposed occupations")
    n = st.columns(4)[0].number_input(
        "How many", min_value=5, max_value=50, value=10, step=5, key="top_n"
    )
    config = {
        "exposure": st.column_config.ProgressColumn(
            "Exposure", format="percent", min_value=0, max_value=1
        ),
        "employment": st.column_config.NumberColumn("Workers", format="localized"),
        "annual_wage": st.column_config.NumberColumn("Median wage (USD/yr)", format="dollar"),
        "title": st.column_config.TextColumn("Occupation", width="medium"),
    }
    shown = ["title", "exposure", "employment", "annual_wage"]
    cols = st.columns(2)
    for col, least in zip(cols, (False, True), strict=True):
        frame = cached.ranked(ref, recipe, int(n), least)
        col.markdown("**Least exposed**" if least else "**Most exposed**")
        col.dataframe(frame[shown], hide_index=True, column_config=config)


def render() -> None:
    st.title("Exposure of occupations to LLMs")
    st.caption(
        "The share of workers whose occupation has more than a given share of its tasks exposed "
        "to LLMs (Eloundou et al. 2023). The defaults reproduce the paper: human labels, beta, "
        "equal task weights, exposure above the threshold, the authors' employment join."
    )
    ref = store()
    with errors_shown():
        rater_names = cached.raters(ref)["rater"].tolist()
        recipe = recipe_controls(rater_names)
        shares = cached.headline(ref, recipe)
        curve = cached.curve(ref, recipe)

        percent = st.slider(
            "Threshold: share of an occupation's tasks exposed",
            0,
            100,
            10,
            step=1,
            format="%d%%",
            key="threshold",
        )
        threshold = percent / 100
        # The curve's row nearest the slider (the curve has a point at every whole percent).
        at_slider = curve.iloc[int(curve["threshold"].sub(threshold).abs().to_numpy().argmin())]
        cards, chart = st.columns([1, 2.6], gap="medium")
        with cards:
            headline_cards(shares, at_slider, threshold, recipe.compare)
        with chart:
            st.vega_lite_chart(cached.exposure_curve_spec(ref, recipe, threshold))
        coverage_note(shares[0])

        st.subheader(f"Breakdown at {sign(recipe.compare)} {threshold:.0%}")
        names = vocabulary.GROUPING_NAMES
        by = st.segmented_control(
            "Break down by",
            list(vocabulary.GROUPINGS),
            key="breakdown_by",
            format_func=names.__getitem__,
            default="major_group",
        )
        by = by or "major_group"
        st.vega_lite_chart(
            cached.breakdown_spec(ref, recipe, by, names[by], threshold, sign(recipe.compare))
        )

        ranked_tables(ref, recipe)
        agreement_section(ref, rater_names, recipe)


if __name__ == "__main__":
    render()
