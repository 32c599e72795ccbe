"""kb.exposure on the real data, checked against the paper's published figures and against
independent pandas computations made here straight from the raw files (not through kb)."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

import numpy as np
import pandas as pd
import pytest

from kb import exposure as ex
from kb import sql, store, vocabulary
from kb.errors import KBError

LABEL_COLUMNS = {
    "human": "human_exposure_agg",
    "gpt4": "gpt4_exposure",
    "gpt4_alt": "gpt4_exposure_alt_rubric",
}
E2_WEIGHT = {"alpha": 0.0, "beta": 0.5, "zeta": 1.0}


# --- independent computation from the raw files ------------------------------------------------


@pytest.fixture(scope="module")
def raw_tasks(raw_dir: Path) -> pd.DataFrame:
    frame = pd.read_csv(raw_dir / "full_labelset.tsv", sep="\t", index_col=0)
    frame["Task ID"] = frame["Task ID"].astype(int)
    return frame


def task_values(tasks: pd.DataFrame, rater: str, measure: str) -> pd.Series:
    label = tasks[LABEL_COLUMNS[rater]]
    return (label == "E1") * 1.0 + (label == "E2") * E2_WEIGHT[measure]


def occupation_means(tasks: pd.DataFrame, rater: str, measure: str, weighting: str) -> pd.Series:
    value = task_values(tasks, rater, measure)
    if weighting == "equal":
        weight = pd.Series(1.0, index=tasks.index)
    else:
        weight = np.where(tasks["Task Type"] == "Core", 2.0, 1.0)
    frame = pd.DataFrame({"code": tasks["O*NET-SOC Code"], "wv": value * weight, "w": weight})
    grouped = frame.groupby("code").sum()
    return grouped["wv"] / grouped["w"]


@pytest.fixture(scope="module")
def paper_employment(raw_dir: Path) -> pd.Series:
    """O*NET code -> BLS projections 2022 employment (persons), joined by NEM title through the
    crosswalk, as the authors' notebook does."""
    # openpyxl, not kb's calamine reader: the check must not share kb's code path.
    crosswalk = pd.read_excel(
        raw_dir / "nem-onet-to-soc-crosswalk.xlsx", sheet_name=0, header=4, engine="openpyxl"
    )
    table = pd.read_excel(
        raw_dir / "occupation_2023_final.xlsx", sheet_name="Table 1.7", header=1, engine="openpyxl"
    )
    table = table[table["Occupation type"] == "Line item"].copy()
    table["title"] = table["2022 National Employment Matrix title"].str.strip()
    merged = crosswalk.merge(
        table,
        left_on="National Employment Matrix Occupational Title",
        right_on="title",
        how="inner",
    )
    return merged.set_index("O*NET-SOC Code")["Employment, 2022"] * 1000


@pytest.fixture(scope="module")
def oews_detailed(raw_dir: Path) -> pd.DataFrame:
    frame = pd.read_csv(raw_dir / "national_May2021_dl.csv", thousands=",", dtype={"TOT_EMP": str})
    frame = frame[frame["O_GROUP"] == "detailed"].drop_duplicates("OCC_CODE")
    frame["emp"] = pd.to_numeric(frame["TOT_EMP"].str.replace(",", ""), errors="coerce")
    return frame.set_index("OCC_CODE")


def pandas_share(
    exposure: pd.Series, employment: pd.Series, t: float, compare: str = "gt"
) -> float:
    both = pd.concat([exposure.rename("x"), employment.rename("e")], axis=1, join="inner").dropna()
    passes = both.x >= t if compare == "ge" else both.x > t
    return both.e[passes].sum() / both.e.sum()


# OEWS May 2021 hybrid codes, from their OEWS titles (e.g. 53-1047 "First-Line Supervisors of
# Transportation and Material Moving Workers, Except Aircraft Cargo Handling Supervisors").
HYBRID = {
    "21-1011": "21-1018", "21-1014": "21-1018", "25-2055": "25-2052", "25-2056": "25-2052",
    "25-9042": "25-9045", "25-9043": "25-9045", "51-2022": "51-2028", "51-2023": "51-2028",
    "53-1042": "53-1047", "53-1043": "53-1047", "53-1044": "53-1047",
}  # fmt: skip


def oews_unit(soc: str, oews: pd.DataFrame) -> str | None:
    for candidate in (soc, HYBRID.get(soc), soc[:6] + "0"):
        if candidate in oews.index:
            return candidate
    return None


def oews_units(
    raw_tasks: pd.DataFrame, oews: pd.DataFrame, rater: str, measure: str
) -> pd.DataFrame:
    """SOC-level exposure (mean of O*NET occupations) joined to OEWS detailed employment; SOC codes
    OEWS only publishes combined go to the hybrid code or to the combined code ending in 0."""
    occ = occupation_means(raw_tasks, rater, measure, "equal").rename("x").to_frame()
    occ["unit"] = [oews_unit(s, oews) for s in occ.index.str[:7]]
    units = occ.dropna(subset=["unit"]).groupby("unit")["x"].mean().to_frame()
    return units.join(oews["emp"], how="inner")


@pytest.fixture
def con(built):
    with store.connect(built.db) as connection:
        yield connection


# --- the paper's headline and task shares -----------------------------------------------------


def test_headline_matches_the_abstract_and_an_independent_computation(
    con, raw_tasks, paper_employment
):
    exposure = occupation_means(raw_tasks, "human", "beta", "equal")
    ten, fifty = ex.shares(con, [0.1, 0.5], ex.PAPER)
    assert ten.share_workers == pytest.approx(
        pandas_share(exposure, paper_employment, 0.1), abs=1e-12
    )
    assert fifty.share_workers == pytest.approx(
        pandas_share(exposure, paper_employment, 0.5), abs=1e-12
    )
    # Abstract of arXiv:2303.10130: "around 80%" at 10% and "approximately 19%" at 50%.
    assert abs(ten.share_workers - 0.80) <= 0.015
    assert abs(fifty.share_workers - 0.19) <= 0.015
    assert ten.recipe == ex.PAPER and "beta" in ten.describe()


def test_paper_recipe_counts_more_workers_than_exist_and_says_so(con, raw_tasks, paper_employment):
    cover = ex.shares(con, [0.1])[0].coverage
    labelled = raw_tasks["O*NET-SOC Code"].unique()
    assert cover.workers_counted == pytest.approx(paper_employment.reindex(labelled).sum())
    assert cover.all_workers == pytest.approx(164_482_600)  # Table 1.7 total, 2022
    assert cover.workers_counted > cover.all_workers
    assert "counted once for each" in cover.note()
    assert cover.occupations_counted == 923 and cover.occupations_left_out == 0


def test_task_shares_match_the_abstract(con, raw_tasks):
    summary = ex.summary(con).query("level == 'task'").set_index(["rater", "measure"])["mean"]
    assert summary["human", "alpha"] == pytest.approx(
        task_values(raw_tasks, "human", "alpha").mean()
    )
    assert abs(summary["human", "alpha"] - 0.15) <= 0.005  # "about 15% of all worker tasks"
    # "between 47 and 56% of all tasks": human zeta the lower end, GPT-4 zeta the upper.
    assert abs(summary["human", "zeta"] - 0.47) <= 0.005
    assert abs(summary["gpt4", "zeta"] - 0.56) <= 0.005


@pytest.mark.parametrize("rater,prefix", [("gpt4", "dv_rating"), ("human", "human_rating")])
@pytest.mark.parametrize(
    "measure,suffix", [("alpha", "alpha"), ("beta", "beta"), ("zeta", "gamma")]
)
def test_core_weighting_reproduces_occ_level_csv(con, raw_dir, rater, prefix, measure, suffix):
    published = pd.read_csv(raw_dir / "occ_level.csv").set_index("O*NET-SOC Code")[
        f"{prefix}_{suffix}"
    ]
    ours = (
        con.execute(
            "SELECT onet_code, exposure FROM occupation_exposure "
            "WHERE rater = ? AND measure = ? AND weighting = 'core'",
            [rater, measure],
        )
        .df()
        .set_index("onet_code")["exposure"]
    )
    assert len(ours) == len(published) == 923
    assert (ours.reindex(published.index) - published).abs().max() <= 1e-9


@pytest.mark.parametrize("rater", ["human", "gpt4", "gpt4_alt"])
@pytest.mark.parametrize("measure", ["alpha", "beta", "zeta"])
@pytest.mark.parametrize("weighting", ["equal", "core"])
def test_occupation_exposure_matches_pandas(con, raw_tasks, rater, measure, weighting):
    expected = occupation_means(raw_tasks, rater, measure, weighting)
    ours = (
        con.execute(
            "SELECT onet_code, exposure FROM occupation_exposure WHERE rater = ? AND measure = ? "
            "AND weighting = ?",
            [rater, measure, weighting],
        )
        .df()
        .set_index("onet_code")["exposure"]
    )
    assert (ours.reindex(expected.index) - expected).abs().max() <= 1e-12


def test_oews_recipe_counts_each_worker_once(con, raw_tasks, oews_detailed):
    recipe = ex.Recipe(employment="oews-2021")
    units = oews_units(raw_tasks, oews_detailed, "human", "beta").dropna()
    for t, result in zip([0.1, 0.5], ex.shares(con, [0.1, 0.5], recipe), strict=True):
        assert result.share_workers == pytest.approx(pandas_share(units.x, units.emp, t), abs=1e-12)
    cover = ex.coverage(con, recipe)
    assert cover.workers_counted == pytest.approx(units.emp.sum())
    assert cover.workers_counted + cover.workers_left_out <= cover.all_workers
    assert cover.all_workers == pytest.approx(140_886_310)  # OEWS May 2021 'All Occupations'
    # Only Fishing and Hunting Workers (45-3031, not surveyed by OEWS) find no employment.
    assert cover.occupations_left_out == 1


@pytest.mark.parametrize("compare", ["gt", "ge"])
@pytest.mark.parametrize("t", [0.0, 0.25, 0.5, 1.0])
def test_comparison_gt_and_ge(con, raw_tasks, paper_employment, compare, t):
    exposure = occupation_means(raw_tasks, "gpt4", "zeta", "equal")
    result = ex.share(con, t, ex.Recipe(rater="gpt4", measure="gamma", compare=compare))
    assert result.share_workers == pytest.approx(
        pandas_share(exposure, paper_employment, t, compare), abs=1e-12
    )


def test_ge_counts_occupations_exactly_at_the_threshold(con):
    gt = ex.share(con, 0.5, ex.Recipe(compare="gt"))
    ge = ex.share(con, 0.5, ex.Recipe(compare="ge"))
    assert ge.share_workers > gt.share_workers  # some occupations sit exactly at 0.5


def test_curve_has_101_points_and_falls(con, raw_tasks, paper_employment):
    frame = ex.curve(con)
    assert list(frame.threshold) == pytest.approx([i / 100 for i in range(101)])
    assert frame.share_workers.is_monotonic_decreasing
    assert frame.share_workers.iloc[-1] == 0.0
    exposure = occupation_means(raw_tasks, "human", "beta", "equal")
    row = frame.set_index(frame.threshold.round(2)).loc[0.3]
    assert row.share_workers == pytest.approx(
        pandas_share(exposure, paper_employment, 0.3), abs=1e-12
    )
    counted = exposure.reindex(paper_employment.index).dropna()
    assert row.share_occupations == pytest.approx((counted > 0.3).mean(), abs=1e-12)


# --- breakdowns, top, unexposed --------------------------------------------------------------


def test_breakdown_by_major_group_matches_pandas(con, raw_tasks, paper_employment):
    exposure = occupation_means(raw_tasks, "human", "beta", "equal")
    frame = pd.concat([exposure.rename("x"), paper_employment.rename("e")], axis=1, join="inner")
    frame["group"] = frame.index.str[:2] + "-0000"
    frame["exposed_e"] = frame.e * (frame.x > 0.5)
    frame["xe"] = frame.x * frame.e
    g = frame.groupby("group").sum()
    ours = ex.share(con, 0.5, ex.PAPER, by="major_group").set_index("group_key")
    assert set(ours.index) == set(g.index)
    assert (ours.workers - g.e).abs().max() < 1e-6
    assert (ours.share_exposed - g.exposed_e / g.e).abs().max() < 1e-12
    assert (ours.mean_exposure - g.xe / g.e).abs().max() < 1e-12
    assert ours.loc["15-0000", "group_label"] == "Computer and Mathematical Occupations"


def test_breakdown_by_job_zone_and_education_cover_every_worker(con):
    for by in ("job_zone", "education", "wage_quintile"):
        frame = ex.breakdown(con, by, 0.1)
        assert frame.workers.sum() == pytest.approx(225_029_900)
        assert frame.share_of_workers.sum() == pytest.approx(1.0)
        assert frame.share_exposed.between(0, 1).all()


def test_wage_quintiles_hold_about_a_fifth_of_workers_each(con):
    frame = ex.breakdown(con, "wage_quintile", 0.1).dropna(subset=["group_key"])
    assert list(frame.group_key) == ["1", "2", "3", "4", "5"]
    assert (frame.share_of_workers - 0.2).abs().max() < 0.02
    assert (frame.min_wage.iloc[1:].to_numpy() >= frame.max_wage.iloc[:-1].to_numpy()).all()


def test_job_zone_groups_are_one_to_five(con):
    keys = set(ex.breakdown(con, "job_zone", 0.1).group_key.dropna())
    assert keys == {"1", "2", "3", "4", "5"}


def test_top_and_least_exposed_match_pandas(con, raw_tasks, paper_employment):
    exposure = occupation_means(raw_tasks, "gpt4", "beta", "equal").rename("x").to_frame()
    exposure["e"] = paper_employment
    expected = exposure.reset_index().sort_values(["x", "e"], ascending=[False, False]).head(10)
    frame = ex.top(con, ex.Recipe(rater="gpt4"), n=10)
    assert list(frame.unit_code) == list(expected["code"])
    assert frame.exposure.to_numpy() == pytest.approx(expected.x.to_numpy())
    least = ex.top(con, ex.Recipe(rater="gpt4"), n=5, least=True)
    assert least.exposure.iloc[0] == pytest.approx(exposure.x.min())
    assert least.exposure.is_monotonic_increasing


def test_unexposed_matches_pandas(con, raw_tasks):
    labels = raw_tasks[["O*NET-SOC Code", "human_exposure_agg", "gpt4_exposure"]]
    exposed = (labels.human_exposure_agg != "E0") | (labels.gpt4_exposure != "E0")
    none = exposed.groupby(labels["O*NET-SOC Code"]).sum() == 0
    expected = set(none[none].index)
    assert set(ex.unexposed(con, ["human", "gpt4"]).onet_code) == expected
    human_only = raw_tasks.groupby("O*NET-SOC Code")["human_exposure_agg"].apply(
        lambda s: (s == "E0").all()
    )
    assert set(ex.unexposed(con, ["human"]).onet_code) == set(human_only[human_only].index)
    assert len(expected) > 0


# --- summary and agreement ---------------------------------------------------------------------


def test_summary_matches_pandas(con, raw_tasks):
    frame = ex.summary(con)
    for rater in ("human", "gpt4", "gpt4_alt"):
        for measure in ("alpha", "beta", "zeta"):
            values = task_values(raw_tasks, rater, measure)
            task = frame.query("rater == @rater and measure == @measure and level == 'task'").iloc[
                0
            ]
            assert task["mean"] == pytest.approx(values.mean(), abs=1e-12)
            assert task["sd"] == pytest.approx(values.std(ddof=1), abs=1e-12)
            occ = occupation_means(raw_tasks, rater, measure, "equal")
            row = frame.query(
                "rater == @rater and measure == @measure and level == 'occupation' "
                "and weighting == 'equal'"
            ).iloc[0]
            assert row["mean"] == pytest.approx(occ.mean(), abs=1e-12)
            assert row["sd"] == pytest.approx(occ.std(ddof=1), abs=1e-12)
            assert row["n"] == 923


def kappa_by_hand(a: pd.Series, b: pd.Series) -> float:
    categories = sorted(set(a) | set(b))
    n = len(a)
    observed = (a.to_numpy() == b.to_numpy()).mean()
    expected = sum(((a == c).sum() / n) * ((b == c).sum() / n) for c in categories)
    return (observed - expected) / (1 - expected)


@pytest.mark.parametrize("measure", ["alpha", "beta", "zeta"])
def test_task_agreement_matches_hand_computation(con, raw_tasks, measure):
    a, b = task_values(raw_tasks, "human", measure), task_values(raw_tasks, "gpt4", measure)
    result = ex.agreement(con, measure, "task", ("human", "gpt4"))
    assert result.n == len(raw_tasks)
    assert result.agreement == pytest.approx((a == b).mean(), abs=1e-12)
    assert result.kappa == pytest.approx(kappa_by_hand(a, b), abs=1e-12)
    assert result.pearson_r == pytest.approx(np.corrcoef(a, b)[0, 1], abs=1e-9)
    crosstab = pd.crosstab(a, b)
    assert result.confusion.to_numpy().sum() == crosstab.to_numpy().sum()
    assert int(result.confusion.loc["0.0", "0.0"]) == int(crosstab.loc[0.0, 0.0])


def test_occupation_agreement_matches_hand_computation(con, raw_tasks):
    a = occupation_means(raw_tasks, "human", "beta", "equal")
    b = occupation_means(raw_tasks, "gpt4", "beta", "equal").reindex(a.index)
    result = ex.agreement(con, "beta", "occupation", ("human", "gpt4"), threshold=0.5)
    ca, cb = (
        (a > 0.5).map({True: "exposed", False: "not exposed"}),
        (b > 0.5).map({True: "exposed", False: "not exposed"}),
    )
    assert result.n == 923
    assert result.agreement == pytest.approx((ca == cb).mean(), abs=1e-12)
    assert result.kappa == pytest.approx(kappa_by_hand(ca, cb), abs=1e-12)
    assert result.pearson_r == pytest.approx(np.corrcoef(a, b)[0, 1], abs=1e-9)


def test_cohen_kappa_of_perfect_and_chance_agreement():
    perfect = pd.DataFrame([[5, 0], [0, 5]], index=["a", "b"], columns=["a", "b"])
    assert ex.cohen_kappa(perfect) == 1.0
    chance = pd.DataFrame([[25, 25], [25, 25]], index=["a", "b"], columns=["a", "b"])
    assert ex.cohen_kappa(chance) == 0.0


# --- recipes and validation --------------------------------------------------------------------


def test_recipe_defaults_are_the_papers_and_gamma_is_zeta():
    assert ex.PAPER.as_dict() == {
        "rater": "human",
        "measure": "beta",
        "weighting": "equal",
        "compare": "gt",
        "employment": "paper",
    }
    assert ex.Recipe(measure="gamma").measure == "zeta"
    text = ex.Recipe(rater="gpt4", compare="ge").describe(0.1)
    assert text == (
        "gpt4 labels, beta (E1 + 0.5*E2), equal task weights, exposure >= 0.1, employment: paper"
    )


@pytest.mark.parametrize(
    "field,value,message",
    [
        ("measure", "delta", "Unknown measure 'delta'."),
        ("weighting", "hours", "Unknown weighting 'hours'."),
        ("compare", "lt", "Unknown comparison 'lt'."),
        ("employment", "census", "Unknown employment recipe 'census'."),
    ],
)
def test_recipe_refuses_unknown_choices(field, value, message):
    with pytest.raises(KBError) as info:
        ex.Recipe(**{field: value})
    assert info.value.message == message


def test_unknown_rater_lists_the_raters_in_the_store(con):
    with pytest.raises(KBError) as info:
        ex.share(con, 0.1, ex.Recipe(rater="gpt5"))
    assert info.value.message == "Unknown rater 'gpt5'."
    assert "gpt4, gpt4_alt, human" in info.value.hint


@pytest.mark.parametrize("t", [-0.1, 1.5])
def test_threshold_outside_0_1_is_refused(con, t):
    with pytest.raises(KBError, match="outside"):
        ex.share(con, t)


def test_a_new_rater_is_rows_not_code(workspace):
    """Copy the GPT-4 labels as rater 'flipped', changing every E0 of one occupation to E1:
    shares, agreement and breakdowns accept it with no code change, with the expected numbers."""
    with store.connect(workspace.db, read_only=False) as con:
        with store.transaction(con):
            con.execute("INSERT INTO raters VALUES ('flipped', 'test copy of gpt4', 'test')")
            con.execute(
                "INSERT INTO task_labels SELECT onet_code, task_id, 'flipped', "
                "CASE WHEN onet_code = '35-9021.00' AND label = 'E0' THEN 'E1' ELSE label END "
                "FROM task_labels WHERE rater = 'gpt4'"
            )
        changed = con.execute(
            "SELECT count(*) FROM task_labels WHERE rater = 'gpt4' AND onet_code = '35-9021.00' "
            "AND label = 'E0'"
        ).fetchone()[0]
        assert "flipped" in ex.raters(con)
        result = ex.agreement(con, "alpha", "task", ("gpt4", "flipped"))
        total = con.execute("SELECT count(*) FROM tasks").fetchone()[0]
        assert result.agreement == pytest.approx(1 - changed / total)
        base = ex.share(con, 0.5, ex.Recipe(rater="gpt4", measure="alpha"))
        new = ex.share(con, 0.5, ex.Recipe(rater="flipped", measure="alpha"))
        dishwashers = con.execute(
            "SELECT employment FROM occupation_units WHERE onet_code = '35-9021.00' "
            "AND employment_recipe = 'paper'"
        ).fetchone()[0]
        # Dishwashers go from no exposed task to all tasks exposed: they now pass 50%.
        assert new.workers_exposed == pytest.approx(base.workers_exposed + dishwashers)
        assert not ex.breakdown(con, "major_group", 0.5, ex.Recipe(rater="flipped")).empty


# --- the occupation explorer -------------------------------------------------------------------


def test_search_and_detail(con, raw_tasks, paper_employment):
    found = ex.search_occupations(con, "data scien")
    assert list(found.onet_code) == ["15-2051.00"]
    detail = ex.occupation_detail(con, "15-2051.00")
    assert detail.title == "Data Scientists"
    assert detail.employment["paper"] == pytest.approx(paper_employment["15-2051.00"])
    assert set(detail.tasks.columns) >= {
        "task_id",
        "statement",
        "task_type",
        "human",
        "gpt4",
        "gpt4_alt",
    }
    mine = raw_tasks[raw_tasks["O*NET-SOC Code"] == "15-2051.00"]
    assert len(detail.tasks) == len(mine)
    labels = detail.tasks.set_index("task_id")["human"]
    assert (
        labels.reindex(mine["Task ID"]).to_numpy() == mine["human_exposure_agg"].to_numpy()
    ).all()
    row = detail.exposure.query(
        "rater == 'human' and measure == 'beta' and weighting == 'equal'"
    ).iloc[0]
    occ = occupation_means(raw_tasks, "human", "beta", "equal")
    assert row.exposure == pytest.approx(occ["15-2051.00"])
    assert row.percentile == pytest.approx((occ < occ["15-2051.00"]).sum() / (len(occ) - 1))


def test_detail_of_an_unknown_code_suggests_close_ones(con):
    with pytest.raises(KBError) as info:
        ex.occupation_detail(con, "15-2051.09")
    assert "15-2051.00" in info.value.hint


@pytest.mark.parametrize(
    "literal,terms",
    [
        (vocabulary.Measure, vocabulary.MEASURES),
        (vocabulary.Weighting, vocabulary.WEIGHTINGS),
        (vocabulary.Comparison, vocabulary.COMPARISONS),
        (vocabulary.EmploymentRecipe, vocabulary.EMPLOYMENT_RECIPES),
        (vocabulary.Grouping, vocabulary.GROUPINGS),
        (vocabulary.Level, vocabulary.LEVELS),
        (vocabulary.AgreementMetric, vocabulary.AGREEMENT_METRICS),
        (vocabulary.PublishedKind, vocabulary.PUBLISHED_KINDS),
    ],
)
def test_typed_choices_are_the_vocabulary(literal, terms):
    """The Literal types a Recipe is typed with list exactly the vocabulary's terms."""
    assert list(get_args(literal)) == list(terms)


def test_recipe_parse_checks_plain_strings():
    assert ex.Recipe.parse("gpt4", "gamma", "core", "ge", "oews-2021") == ex.Recipe(
        rater="gpt4", measure="zeta", weighting="core", compare="ge", employment="oews-2021"
    )
    with pytest.raises(KBError, match="Unknown weighting 'hours'"):
        ex.Recipe.parse(weighting="hours")


def test_store_weighs_labels_as_the_vocabulary_says(con):
    """exposure_measures is filled from vocabulary.MEASURE_WEIGHTS, and task values follow it."""
    rows = con.execute(
        "SELECT measure, e1_weight, e2_weight FROM exposure_measures ORDER BY measure"
    ).fetchall()
    assert {m: (e1, e2) for m, e1, e2 in rows} == vocabulary.MEASURE_WEIGHTS
    values = con.execute(
        "SELECT DISTINCT measure, label, value FROM task_exposure WHERE rater = 'human'"
    ).fetchall()
    expected = {"E0": lambda w: 0.0, "E1": lambda w: w[0], "E2": lambda w: w[1]}
    for measure, label, value in values:
        assert value == expected[label](vocabulary.MEASURE_WEIGHTS[measure])


def test_every_sql_file_says_what_a_row_is_and_its_includes_resolve():
    files = sorted(sql.SQL_DIR.glob("*.sql"))
    assert files
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert text.startswith("-- "), f"{path.name} has no header comment"
        assert "{sql:" not in sql.text(path.stem), f"{path.name} has an unresolved include"
