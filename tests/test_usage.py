"""Observed usage ("Working with AI") beside exposure: the SOC join's coverage, the rank
correlation, the headline, the gaps and the distributions, each recomputed here with pandas
straight from the raw files (not through kb)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kb import store, usage
from kb.errors import KBError

BETA = {"E0": 0.0, "E1": 1.0, "E2": 0.5}


@pytest.fixture(scope="module")
def raw(raw_dir: Path) -> dict[str, pd.DataFrame]:
    """The raw files, read with pandas only."""
    usage_dir = raw_dir.parent / "working-with-ai"
    labels = pd.read_csv(raw_dir / "full_labelset.tsv", sep="\t")
    crosswalk = pd.read_excel(
        raw_dir / "nem-onet-to-soc-crosswalk.xlsx",
        sheet_name=0,
        header=4,
        engine="openpyxl",
        dtype=str,
    )[["O*NET-SOC Code", "NEM Code"]].dropna()
    oews = pd.read_csv(raw_dir / "national_May2021_dl.csv", encoding="utf-8-sig", dtype=str)
    oews = oews[oews["O_GROUP"] == "detailed"]
    oews = pd.DataFrame(
        {
            "code": oews["OCC_CODE"],
            "employment": pd.to_numeric(oews["TOT_EMP"].str.replace(",", ""), errors="coerce"),
        }
    )
    scores = pd.read_csv(usage_dir / "soc_ai_applicability_scores.csv", dtype={"SOC Code": str})
    return {"labels": labels, "crosswalk": crosswalk, "oews": oews, "scores": scores}


def _exposure_by_soc(raw: dict[str, pd.DataFrame], column: str = "gpt4_exposure") -> pd.Series:
    """Beta exposure (equal task weights) per NEM/SOC code: mean over its O*NET occupations."""
    labels = raw["labels"]
    by_occ = labels.assign(v=labels[column].map(BETA)).groupby("O*NET-SOC Code")["v"].mean()
    nem = raw["crosswalk"].set_index("O*NET-SOC Code")["NEM Code"]
    return by_occ.groupby(by_occ.index.map(nem)).mean()


def test_coverage_matches_raw_files(built, raw) -> None:
    with store.connect(built.db) as con:
        got = usage.coverage(con).set_index(["rule", "side", "matched"])
    onet = pd.Series(raw["labels"]["O*NET-SOC Code"].unique())
    usage_codes = set(raw["scores"]["SOC Code"])
    emp = raw["oews"].set_index("code")["employment"]
    nem = raw["crosswalk"].set_index("O*NET-SOC Code")["NEM Code"]
    for rule, codes_of in (("crosswalk", onet.map(nem)), ("truncate", onet.str[:7])):
        exposure_codes = codes_of.value_counts()
        matched = [c for c in exposure_codes.index if c in usage_codes]
        only_exposure = [c for c in exposure_codes.index if c not in usage_codes]
        only_usage = sorted(usage_codes - set(exposure_codes.index))
        expected = {
            ("exposure", True): (
                len(matched),
                exposure_codes[matched].sum(),
                emp.reindex(matched).sum(),
            ),
            ("usage", True): (
                len(matched),
                exposure_codes[matched].sum(),
                emp.reindex(matched).sum(),
            ),
            ("exposure", False): (
                len(only_exposure),
                exposure_codes[only_exposure].sum(),
                emp.reindex(only_exposure).sum(),
            ),
            ("usage", False): (len(only_usage), 0, emp.reindex(only_usage).sum()),
        }
        for (side, is_matched), (codes, occupations, workers) in expected.items():
            if codes == 0:
                assert (rule, side, is_matched) not in got.index
                continue
            row = got.loc[(rule, side, is_matched)]
            assert (row.soc_codes, row.onet_occupations) == (codes, occupations), (rule, side)
            assert row.employment == pytest.approx(workers, abs=1e-6), (rule, side)
    # The documented figures (docs/vintages.md).
    assert got.loc[("crosswalk", "usage", True)].soc_codes == 785
    assert ("crosswalk", "usage", False) not in got.index
    assert ("crosswalk", "exposure", False) not in got.index
    assert got.loc[("crosswalk", "usage", True)].codes_with_employment == 784  # not 45-3031
    assert got.loc[("truncate", "exposure", True)].soc_codes == 773
    assert got.loc[("truncate", "exposure", False)].soc_codes == 25
    assert got.loc[("truncate", "exposure", False)].onet_occupations == 30
    assert got.loc[("truncate", "usage", False)].soc_codes == 12
    assert got.loc[("truncate", "usage", False)].employment == 8_079_470


def test_comparison_rows_and_values(built, raw) -> None:
    with store.connect(built.db) as con:
        frame = usage.comparison(con, "gpt4", "beta").set_index("soc_code")
    assert len(frame) == 785
    assert frame.index[frame["employment"].isna()].tolist() == ["45-3031"]
    assert frame["exposure"].notna().all()
    expected = _exposure_by_soc(raw).reindex(frame.index)
    assert (frame["exposure"] - expected).abs().max() < 1e-12
    scores = raw["scores"].set_index("SOC Code")
    assert (frame["usage_score"] - scores["ai_applicability_score"]).abs().max() < 1e-15
    assert frame.at["13-1020", "onet_codes"] == "13-1021.00 13-1022.00 13-1023.00"


@pytest.mark.parametrize(
    ("rater", "column"), [("gpt4", "gpt4_exposure"), ("human", "human_exposure_agg")]
)
def test_rank_correlation_matches_pandas_ranks(built, raw, rater: str, column: str) -> None:
    with store.connect(built.db) as con:
        rho = usage.rank_correlation(con, rater, "beta")
    exposure = _exposure_by_soc(raw, column)
    scores = raw["scores"].set_index("SOC Code")["ai_applicability_score"]
    pairs = pd.DataFrame({"x": exposure, "y": scores}).dropna()
    # Spearman = Pearson of average ranks, no scipy.
    expected = pairs["x"].rank().corr(pairs["y"].rank())
    assert rho.n == len(pairs) == 785
    assert rho.rho == pytest.approx(expected, abs=1e-12)
    assert 0.6 < rho.rho < 0.85  # clearly positive, far from identical


def test_headline_matches_pandas(built, raw) -> None:
    with store.connect(built.db) as con:
        head = usage.headline(con, cut=0.25)
    merged = raw["scores"].merge(raw["oews"], left_on="SOC Code", right_on="code").dropna()
    weights = merged["employment"]
    assert head.mean_score == pytest.approx(
        (merged["ai_applicability_score"] * weights).sum() / weights.sum(), abs=1e-12
    )
    assert head.share_at_or_above_cut == pytest.approx(
        weights[merged["ai_applicability_score"] >= 0.25].sum() / weights.sum(), abs=1e-12
    )
    assert (head.soc_codes, head.soc_codes_without_employment) == (784, 1)
    assert head.workers == weights.sum()


def test_gaps_follow_the_documented_rule(built, raw) -> None:
    with store.connect(built.db) as con:
        got = usage.gaps(con, "gpt4", "beta", min_gap=0.4, n=None)
        top3 = usage.gaps(con, "gpt4", "beta", n=3)
        with pytest.raises(KBError, match="minimum rank gap must be in"):
            usage.gaps(con, min_gap=1.5)
    frame = pd.DataFrame(
        {
            "x": _exposure_by_soc(raw),
            "y": raw["scores"].set_index("SOC Code")["ai_applicability_score"],
        }
    ).dropna()
    gap = frame["x"].rank() / len(frame) - frame["y"].rank() / len(frame)
    exposed, used = gap[gap >= 0.4], gap[gap <= -0.4]
    assert set(got.loc[got.group == "exposed, little used", "soc_code"]) == set(exposed.index)
    assert set(got.loc[got.group == "used, little exposed", "soc_code"]) == set(used.index)
    assert (len(exposed), len(used)) == (21, 31)  # documented in docs/vintages.md
    assert (got["rank_gap"] - gap.reindex(got["soc_code"]).to_numpy()).abs().max() < 1e-12
    assert top3["soc_code"].tolist() == [
        *exposed.sort_values(ascending=False).index[:3],
        *used.sort_values().index[:3],
    ]
    assert top3["title"].iloc[0] == "Title Examiners, Abstractors, and Searchers"


def test_weighted_distribution_shares(built, raw) -> None:
    with store.connect(built.db) as con:
        dist = usage.weighted_distribution(con, "gpt4", "beta", bins=5)
    for _, part in dist.groupby("measure"):
        assert part["share_of_workers"].sum() == pytest.approx(1.0, abs=1e-12)
        assert len(part) == 5
    merged = raw["scores"].merge(raw["oews"], left_on="SOC Code", right_on="code").dropna()
    low = merged.loc[merged["ai_applicability_score"] < 0.2, "employment"].sum()
    got = dist[dist.measure.str.startswith("observed usage") & (dist.bin_start == 0.0)]
    assert got["share_of_workers"].iloc[0] == pytest.approx(
        low / merged["employment"].sum(), abs=1e-12
    )


def test_unknown_rater_and_measure_are_readable(built) -> None:
    with store.connect(built.db) as con:
        with pytest.raises(KBError, match="Unknown rater 'nobody'"):
            usage.comparison(con, "nobody")
        with pytest.raises(KBError, match="Unknown measure 'delta'"):
            usage.comparison(con, "gpt4", "delta")
        assert len(usage.comparison(con, "gpt4", "gamma")) == 785  # the authors' name for zeta


def test_bad_usage_file_is_refused(tmp_path: Path, raw_dir: Path) -> None:
    usage_dir = raw_dir.parent / "working-with-ai"
    scores = pd.read_csv(usage_dir / "soc_ai_applicability_scores.csv", dtype=str)
    scores.loc[3, "ai_applicability_score"] = "1.7"
    scores.loc[5, "SOC Code"] = "11-1011"
    bad = tmp_path / "scores.csv"
    scores.to_csv(bad, index=False)
    with pytest.raises(KBError) as err:
        usage.read_usage(bad, usage_dir / "soc_metrics.csv")
    text = str(err.value)
    assert "line 7: field 'SOC Code': 11-1011 appears twice" in text
    assert "line 5: field 'ai_applicability_score': 1.7 is not a number between 0 and 1" in text
