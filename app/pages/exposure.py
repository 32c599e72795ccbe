"""Exposure page: the paper's headline shares for any recipe with how robust they are, the
exposure curve, breakdowns, a treemap of every occupation, the most and least exposed
occupations (honest ranks, each worker once), and human vs GPT-4 agreement."""

from __future__ import annotations

import dataclasses

import pandas as pd
import streamlit as st
from streamlit.elements.lib.column_types import ColumnConfig

from app import cached, glossary, urlstate
from app.ui import (
    as_percent,
    count,
    count_column,
    csv_download,
    errors_shown,
    md,
    money_column,
    panel_on_demand,
    passes,
    pct,
    share_column,
    store,
    units_phrase,
)
from kb import exposure, vocabulary
from kb.exposure import ranking

RECIPE_KEYS = ("rater", "measure", "weighting", "compare", "employment")
THRESHOLD_KEY = "threshold"
TREEMAP_KEY = "treemap"  # the treemap's expander, open or not (in the URL)


def recipe_controls(rater_names: list[str], employments: list[str]) -> exposure.Recipe:
    """The five choices behind every figure on the page; defaults reproduce the paper. Each is
    in the URL, so a link reproduces the view."""
    options = {
        "rater": rater_names,
        "measure": list(vocabulary.MEASURES),
        "weighting": list(vocabulary.WEIGHTINGS),
        "compare": list(vocabulary.COMPARISONS),
        "employment": employments,
    }
    paper = exposure.PAPER.as_dict()
    for key in RECIPE_KEYS:
        default = paper[key] if paper[key] in options[key] else options[key][0]
        urlstate.restore(key, default=default, valid=options[key].__contains__)
    cols = st.columns([0.8, 1, 1, 1.1, 2.1])
    rater = cols[0].selectbox(
        "Rater",
        options["rater"],
        key="rater",
        help=md(vocabulary.TERMS["rater"]),
    )
    measure = cols[1].selectbox(
        "Measure",
        options["measure"],
        key="measure",
        format_func=lambda m: f"{m} ({vocabulary.MEASURE_FORMULAS[m].replace('*', ' ')})",
        help=glossary.help_text({**vocabulary.LABELS, **vocabulary.MEASURES}),
    )
    weighting = cols[2].selectbox(
        "Task weighting",
        options["weighting"],
        key="weighting",
        format_func=vocabulary.WEIGHTING_NAMES.__getitem__,
        help=glossary.help_text(vocabulary.WEIGHTINGS),
    )
    compare = cols[3].selectbox(
        "Comparison",
        options["compare"],
        key="compare",
        format_func=vocabulary.COMPARISON_NAMES.__getitem__,
        help=glossary.help_text(vocabulary.COMPARISONS),
    )
    employment = cols[4].selectbox(
        "Employment",
        options["employment"],
        key="employment",
        format_func=vocabulary.EMPLOYMENT_NAMES.__getitem__,
        help=glossary.help_text(vocabulary.EMPLOYMENT_RECIPES, vocabulary.EMPLOYMENT_NAMES),
    )
    urlstate.remember(*RECIPE_KEYS)
    return exposure.Recipe.parse(rater, measure, weighting, compare, employment)


def alternatives(
    recipe: exposure.Recipe, rater_names: list[str], employments: list[str]
) -> dict[str, exposure.Recipe]:
    """The recipe with one choice changed, for each choice that moves the headline most."""
    out: dict[str, exposure.Recipe] = {}
    other: vocabulary.Comparison = "ge" if recipe.compare == "gt" else "gt"
    words = vocabulary.COMPARISON_WORDS
    out[f"'{words[other]}' instead of '{words[recipe.compare]}'"] = dataclasses.replace(
        recipe, compare=other
    )
    rater = "gpt4" if recipe.rater != "gpt4" else "human"
    if rater in rater_names:
        name = "GPT-4 labels" if rater == "gpt4" else "human labels"
        out[name] = dataclasses.replace(recipe, rater=rater)
    employment: vocabulary.EmploymentRecipe = (
        "oews-2021" if recipe.employment == "paper" else "paper"
    )
    if employment not in employments:
        return out
    name = (
        "each worker once (OEWS May 2021)"
        if employment == "oews-2021"
        else "the paper's employment (NEM, counted per O*NET occupation)"
    )
    out[name] = dataclasses.replace(recipe, employment=employment)
    return out


def robustness_table(found: dict[str, list[exposure.Share]]) -> pd.DataFrame:
    """One row per recipe: its shares of workers at 10% and 50% (fractions)."""
    rows = []
    for name, items in found.items():
        row: dict[str, object] = {"Recipe": name}
        for item in items:
            row[f"{item.threshold:.0%}"] = item.share_workers
        rows.append(row)
    return pd.DataFrame(rows)


def headline(
    ref: cached.StoreRef, recipe: exposure.Recipe, rater_names: list[str], employments: list[str]
) -> list[exposure.Share]:
    """The paper's two figures as cards, and beside them how they move under the alternatives."""
    shares = cached.headline(ref, recipe)
    cols = st.columns([1, 1, 1.9], gap="medium")
    for col, item in zip(cols[:2], shares, strict=True):
        cover = item.coverage
        col.metric(
            f"Workers with {passes(recipe.compare, item.threshold)} of tasks exposed",
            pct(item.share_workers),
            help=md(item.describe()),
            border=True,
        )
        col.caption(
            f"{pct(item.share_occupations)} of occupations: {item.occupations_exposed:,} of "
            f"{units_phrase(recipe.employment, cover.occupations_counted)}"
        )
    with cols[2]:
        st.markdown("**How robust is this?** The same figures with one choice changed:")
        table = robustness_table(
            cached.robustness(ref, recipe, alternatives(recipe, rater_names, employments))
        )
        shown = as_percent(table, [c for c in table.columns if c != "Recipe"])
        st.dataframe(
            shown,
            hide_index=True,
            key="robustness",
            column_config={
                "Recipe": st.column_config.TextColumn("Recipe"),
                **{c: share_column(f"{c} threshold") for c in shown.columns if c != "Recipe"},
            },
        )
    return shares


def coverage_note(item: exposure.Share) -> None:
    cover = item.coverage
    recipe = item.recipe
    text = (
        f"**Recipe:** {md(recipe.describe())}.  \n"
        f"**Counted:** {count(cover.workers_counted)} workers in "
        f"{units_phrase(recipe.employment, cover.occupations_counted)}. "
        f"**Left out:** {count(cover.workers_left_out)} workers that no O\\*NET occupation "
        f"reaches, and {cover.occupations_left_out} occupations without employment.  \n"
        f"**Employment:** {md(recipe.explain_employment())}."
    )
    if cover.workers_counted > cover.all_workers:
        text += (
            f"  \nThis recipe counts {cover.overcount:.2f}x the {count(cover.all_workers)} "
            "workers the source reports in total, because an NEM occupation mapped from several "
            "O\\*NET occupations is counted once for each (as in the authors' notebook). Choose "
            "'OEWS May 2021, each worker once' to count each worker once."
        )
    st.info(text, icon=":material/info:")


@st.fragment
def threshold_section(ref: cached.StoreRef, recipe: exposure.Recipe) -> None:
    """The slider, its card, the curve and the breakdown: a slider step reruns only this."""
    urlstate.restore(
        THRESHOLD_KEY, default=10, parse=int, valid=lambda v: isinstance(v, int) and 0 <= v <= 100
    )
    percent = st.slider(
        "Threshold: share of an occupation's tasks exposed",
        0,
        100,
        step=1,
        format="%d%%",
        key=THRESHOLD_KEY,
        help=md(vocabulary.TERMS["threshold"]),
    )
    urlstate.remember(THRESHOLD_KEY)
    threshold = percent / 100
    curve = cached.curve(ref, recipe)
    # The curve's row nearest the slider (the curve has a point at every whole percent).
    at = curve.iloc[int(curve["threshold"].sub(threshold).abs().to_numpy().argmin())]
    words = passes(recipe.compare, threshold)
    card, chart = st.columns([1, 2.6], gap="medium")
    with card:
        st.metric(
            f"Slider: workers with {words} of tasks exposed",
            pct(float(at["share_workers"])),
            border=True,
        )
        st.caption(
            f"{pct(float(at['share_occupations']))} of occupations: "
            f"{int(at['occupations_exposed']):,} of "
            f"{units_phrase(recipe.employment, int(at['occupations_counted']))}"
        )
        csv_download(
            "Curve data (CSV)",
            lambda: cached.curve(ref, recipe),
            "kb-exposure-curve.csv",
            key="csv_curve",
        )
    with chart:
        st.vega_lite_chart(cached.exposure_curve_spec(ref, recipe, threshold))

    st.subheader(f"Breakdown: workers with {words} of tasks exposed")
    names = vocabulary.GROUPING_NAMES
    by = st.segmented_control(
        "Break down by",
        list(vocabulary.GROUPINGS),
        key="breakdown_by",
        format_func=names.__getitem__,
        default="major_group",
        help=glossary.help_text(vocabulary.GROUPINGS, names),
    )
    by = by or "major_group"
    st.vega_lite_chart(
        cached.breakdown_spec(ref, recipe, by, names[by], threshold, float(at["share_workers"]))
    )
    csv_download(
        "Breakdown data (CSV)",
        lambda: cached.breakdown_rows(ref, recipe, by, threshold),
        f"kb-breakdown-{by}.csv",
        key="csv_breakdown",
    )


def treemap(ref: cached.StoreRef, recipe: exposure.Recipe) -> None:
    """Behind an expander that is drawn only when opened (and stays open in the URL): the
    treemap's hundreds of rectangles take the browser about as long as the rest of the page,
    on every visit and every recipe change."""
    st.subheader("Every occupation at a glance")
    panel = panel_on_demand(
        "Treemap: every occupation, sized by workers, coloured by exposure",
        TREEMAP_KEY,
        ":material/grid_view:",
    )
    if panel is None:
        return
    with panel:
        st.caption(
            "Each rectangle is an occupation, its area the workers it employs (each worker "
            "counted once: employment an NEM occupation shares is split evenly among the "
            "O\\*NET occupations mapped to it), its colour the share of its tasks exposed. "
            "Grouped by SOC major group."
        )
        st.vega_lite_chart(cached.treemap_spec(ref, recipe))
        csv_download(
            "Treemap data (CSV)", lambda: cached.treemap_rows(ref, recipe), "kb-treemap.csv",
            key="csv_treemap",
        )  # fmt: skip


def ranked_display(rows: pd.DataFrame, shared: bool) -> pd.DataFrame:
    """The columns a ranked table shows; the occupation links to the explorer."""
    out = pd.DataFrame(
        {
            "rank": rows["rank"],
            "occupation": [
                f"{urlstate.link('explorer', occupation=code)}#{title}"
                for code, title in zip(rows["onet_code"], rows["title"], strict=True)
            ],
            "title": rows["title"],
            "exposure": 100 * rows["exposure"],
            "workers_once": rows["workers_once"],
            "employment": rows["employment"],
            "shared_by": rows["shared_by"],
            "annual_wage": rows["annual_wage"],
        }
    )
    if not shared:
        out = out.drop(columns=["employment", "shared_by"])
    return out


def ranked_tables(ref: cached.StoreRef, recipe: exposure.Recipe) -> None:
    frame = cached.ranking(ref, recipe)
    total = units_phrase(recipe.employment, len(frame))
    st.subheader("Most and least exposed occupations")
    shared = bool((frame["shared_by"] > 1).any())
    note = f"Ranked among {total}. Tied occupations share a range of ranks (e.g. 7-9)." + (
        " Under the paper's employment an NEM occupation's workers are given to every "
        "O\\*NET occupation mapped to it: 'NEM workers' is that shared figure, 'Sharing' says "
        "among how many occupations, and 'Workers' splits it evenly among them, so each worker "
        "is counted once."
        if shared
        else " Each worker is counted once."
    )
    st.caption(note)
    n = st.columns(4)[0].number_input(
        "How many", min_value=5, max_value=50, value=10, step=5, key="top_n"
    )
    config: dict[str, ColumnConfig] = {
        "rank": st.column_config.TextColumn("Rank", help="Tied occupations share a rank range."),
        "occupation": st.column_config.LinkColumn(
            "Occupation", display_text=r"#(.*)$", width="medium",
            help="Opens the occupation in the explorer.",
        ),
        "exposure": share_column("Exposure", bar=True),
        "workers_once": count_column(
            "Workers",
            help="Each worker once: workers an NEM occupation shares are split evenly among the "
            "O*NET occupations mapped to it.",
        ),
        "employment": count_column(
            "NEM workers", help="All workers of the NEM occupation, as the paper's recipe counts"
        ),
        "shared_by": count_column(
            "Sharing", help="O*NET occupations given the same NEM workers"
        ),
        "annual_wage": money_column("Median wage"),
    }  # fmt: skip
    for least in (False, True):
        part = ranking.head(frame, int(n), least=least)
        shown = ranked_display(part.rows, shared)
        with st.container():
            st.markdown("**Least exposed**" if least else "**Most exposed**")
            st.dataframe(
                shown,
                hide_index=True,
                column_config=config,
                column_order=[c for c in shown.columns if c != "title"],
                key=f"ranked_{'least' if least else 'most'}",
            )
            if part.cut_tie:
                st.caption(
                    f"Ties: the last {part.cut_tie_shown} shown are {part.cut_tie_shown} of "
                    f"{part.cut_tie} occupations tied at {pct(part.cut_exposure)} exposure "
                    "(ranks " + str(part.rows["rank"].iloc[-1]) + "); which of them are shown is "
                    "arbitrary (larger employment first)."
                )
    csv_download(
        f"All {len(frame):,} ranked (CSV)", lambda: cached.ranking(ref, recipe),
        "kb-ranking.csv", key="csv_ranking",
    )  # fmt: skip


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
        # The paper's recipe counts O*NET occupations; an OEWS recipe counts its rolled-up units.
        units = (
            recipe.employment if level == "occupation" and recipe.employment != "paper" else None
        )
        result = cached.agreement(
            ref, measure, level, (rater_a, rater_b), weighting, compare, units
        )
        with col:
            if level == "task":
                st.markdown(
                    f"**Tasks** ({result.n:,}): categories are the task values of {measure}"
                )
            else:
                counted = f"occupations as {units} counts them" if units else "O\\*NET occupations"
                st.markdown(
                    f"**Occupations** ({result.n:,} {counted}): exposed means {measure} "
                    f"{passes(compare, float(result.threshold or 0.0))} ({weighting} weights)"
                )
            m = st.columns(3)
            m[0].metric("Agreement", pct(result.agreement))
            m[1].metric(
                "Cohen's kappa",
                f"{result.kappa:.3f}",
                help=md(vocabulary.TERMS["kappa"]),
            )
            m[2].metric("Pearson r", f"{result.pearson_r:.3f}")
            confusion = result.confusion.copy()
            confusion.index = [f"{rater_a}: {c}" for c in confusion.index]
            confusion.columns = [f"{rater_b}: {c}" for c in confusion.columns]
            st.dataframe(confusion)


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
        employments = cached.employment_recipes(ref)
        recipe = recipe_controls(rater_names, employments)
        glossary.show()
        shares = headline(ref, recipe, rater_names, employments)
        coverage_note(shares[0])
        threshold_section(ref, recipe)
        treemap(ref, recipe)
        ranked_tables(ref, recipe)
        agreement_section(ref, rater_names, recipe)


if __name__ == "__main__":
    render()
