"""kb.exposure.oews: the OEWS reader and employment vintages, checked against the mirror files
with plain pandas (the expected figures are computed here, not by kb).

The oews-2025 recipe is checked end to end: `kb build` loads the vintage and stores its exposure,
and kb's share SQL computes the headline from the session store.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import kb.exposure as kbexposure
from kb.errors import ValidationError
from kb.exposure import oews
from kb.vocabulary import Measure

DATA = Path(__file__).resolve().parent.parent.parent / "shared" / "data"
OEWS_2025 = "national_M2025_dl.csv"
OEWS_2021 = "national_May2021_dl.csv"
TOTAL_2025 = 155_495_730  # the mirror README's total employment


def data_file(raw_dir: Path, dataset: str, name: str) -> Path:
    """A mirror file: beside the gpts-are-gpts folder (KB_RAW_DIR) or under ../shared/data."""
    for root in (raw_dir.parent, DATA):
        if (root / dataset / name).is_file():
            return root / dataset / name
    pytest.fail(f"no mirror of {dataset}/{name} beside {raw_dir}")


def scratch_store(built_db: Path, raw_dir: Path) -> duckdb.DuckDBPyConnection:
    """An in-memory copy of the session store (built with the vintage steps), writable, so a
    test can delete and rebuild rows inside a transaction it rolls back."""
    del raw_dir  # the session store was built from it
    con = duckdb.connect()
    con.execute("ATTACH ? AS base (READ_ONLY)", [str(built_db)])
    con.execute("COPY FROM DATABASE base TO memory")
    con.execute("DETACH base")
    return con


@pytest.fixture(scope="module")
def scratch(built: object, raw_dir: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = scratch_store(built.db, raw_dir)  # type: ignore[attr-defined]
    yield con
    con.close()


# --- independent computations (plain pandas on the mirror files) ---------------------------


def read_bls(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    frame["emp"] = pd.to_numeric(frame["TOT_EMP"].str.replace(",", ""), errors="coerce")
    return frame


# The OEWS combined codes whose titles name their SOC parts (read off the files' titles).
HYBRIDS = {
    "21-1011": "21-1018", "21-1014": "21-1018", "25-2055": "25-2052", "25-2056": "25-2052",
    "25-9042": "25-9045", "25-9043": "25-9045", "51-2022": "51-2028", "51-2023": "51-2028",
    "53-1042": "53-1047", "53-1043": "53-1047", "53-1044": "53-1047",
}  # fmt: skip
RATER_COLUMNS = {"human": "human_exposure_agg", "gpt4": "gpt4_exposure"}
E2_WEIGHT = {"alpha": 0.0, "beta": 0.5, "zeta": 1.0}


def expected_units(raw_dir: Path, oews_path: Path, rater: str, measure: str) -> pd.DataFrame:
    """Per OEWS unit: mean equal-weight exposure of its O*NET occupations, and employment."""
    labels = pd.read_csv(raw_dir / "full_labelset.tsv", sep="\t", dtype=str)
    label = labels[RATER_COLUMNS[rater]]
    labels["value"] = (label == "E1") * 1.0 + (label == "E2") * E2_WEIGHT[measure]
    occupation = labels.groupby("O*NET-SOC Code")["value"].mean().rename("exposure").reset_index()
    bls = read_bls(oews_path)
    detailed = bls[bls["O_GROUP"] == "detailed"].set_index("OCC_CODE")["emp"]

    def unit(code: str) -> str | None:
        soc = code[:7]
        for candidate in (soc, HYBRIDS.get(soc), soc[:6] + "0"):
            if candidate in detailed.index:
                return candidate
        return None

    occupation["unit"] = occupation["O*NET-SOC Code"].map(unit)
    units = occupation.dropna(subset=["unit"]).groupby("unit")["exposure"].mean().reset_index()
    units["employment"] = units["unit"].map(detailed)
    return units.dropna(subset=["employment"])


def expected_share(units: pd.DataFrame, threshold: float) -> float:
    above = units["exposure"] > threshold
    return float(units.loc[above, "employment"].sum() / units["employment"].sum())


# --- the reader ---------------------------------------------------------------------------


def test_reader_2025_matches_the_file(raw_dir: Path) -> None:
    path = data_file(raw_dir, "oews-2025", OEWS_2025)
    frame = oews.read_national(path, "oews-2025", 2025)
    bls = read_bls(path)
    assert len(frame) == len(bls) == 1104
    assert (frame["level"] == "detailed").sum() == 830
    assert frame.loc[frame["level"] == "total", "employment"].tolist() == [TOTAL_2025]
    by_code = frame.set_index(["code", "level"])["employment"]
    expected = bls.set_index(["OCC_CODE", "O_GROUP"])["emp"]
    assert (by_code.astype(float) == expected.reindex(by_code.index).astype(float)).all()
    suppressed = bls["A_MEDIAN"].eq("*")
    assert frame["annual_wage"].isna().sum() == suppressed.sum() == 7
    assert frame["hourly_only"].sum() == bls["HOURLY"].eq("TRUE").sum()


def test_reader_2021_thousands_separators_and_top_codes(raw_dir: Path) -> None:
    path = raw_dir / OEWS_2021
    frame = oews.read_national(path, "oews-2021", 2021)
    bls = read_bls(path)
    assert frame.loc[frame["level"] == "total", "employment"].tolist() == [140_886_310]
    topcoded = bls["A_MEDIAN"].eq("#")
    assert frame["wage_topcoded"].sum() == topcoded.sum() == 20
    assert set(frame.loc[frame["wage_topcoded"], "annual_wage"]) == {208_000.0}
    # 13-1020 is listed as both broad and detailed, with the same figures.
    both = frame[frame["code"] == "13-1020"]
    assert sorted(both["level"]) == ["broad", "detailed"]
    assert both["employment"].nunique() == 1


def test_reader_reads_the_xlsx_layout(raw_dir: Path, tmp_path: Path) -> None:
    path = data_file(raw_dir, "oews-2025", OEWS_2025)
    workbook = tmp_path / "national_M2025_dl.xlsx"
    pd.read_csv(path, dtype=str, keep_default_na=False).to_excel(workbook, index=False)
    from_xlsx = oews.read_national(workbook, "oews-2025", 2025)
    from_csv = oews.read_national(path, "oews-2025", 2025)
    pd.testing.assert_frame_equal(from_xlsx, from_csv)


HEADER = "OCC_CODE,OCC_TITLE,O_GROUP,TOT_EMP,A_MEDIAN\n"
TOTAL = '00-0000,All Occupations,total,"1,000",50000\n'


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (TOTAL + "11-101,Chief Executives,detailed,10,#\n",
         "line 3: field 'OCC_CODE': '11-101' is not a SOC code"),
        (TOTAL + "11-1011,Chief Executives,detail,10,#\n",
         "line 3: field 'O_GROUP': 'detail' is not one of total, major, minor, broad, detailed"),
        (TOTAL + "11-1011,Chief Executives,detailed,ten,#\n",
         "line 3: field 'TOT_EMP': 'ten' is not a number"),
        (TOTAL + "11-1011,A,detailed,10,1\n11-1011,B,detailed,10,1\n",
         "line 4: field 'OCC_CODE': 11-1011 appears twice at level detailed"),
        ("11-1011,Chief Executives,detailed,10,1\n",
         "file: field 'O_GROUP': needs exactly one 'total' row"),
    ],
)  # fmt: skip
def test_reader_refuses_bad_rows(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "national_bad.csv"
    path.write_text(HEADER + body)
    with pytest.raises(ValidationError) as caught:
        oews.read_national(path, "oews-test", 2025)
    assert message in str(caught.value)


def test_reader_names_missing_columns(tmp_path: Path) -> None:
    path = tmp_path / "national_bad.csv"
    path.write_text("OCC_CODE,OCC_TITLE\n00-0000,All\n")
    with pytest.raises(ValidationError, match="field 'O_GROUP': column is missing"):
        oews.read_national(path, "oews-test", 2025)


def test_top_code_by_year() -> None:
    assert oews.top_code(2021) == (100.0, 208_000.0)
    assert oews.top_code(2025) == (115.0, 239_200.0)
    with pytest.raises(ValidationError, match="no top code known"):
        oews.top_code(2005)


# --- vintages ----------------------------------------------------------------------------


def test_2021_vintage_reproduces_the_stored_recipe(
    scratch: duckdb.DuckDBPyConnection, raw_dir: Path
) -> None:
    """The general construction applied to the 2021 file gives the store's oews-2021 rows."""
    national = oews.read_national(raw_dir / OEWS_2021, "oews-2021", 2021)
    source = "OEWS May 2021 national, detailed occupations"
    vintage = oews.build_vintage(national, oews.occupations_frame(scratch), "oews-2021", source)
    select_units = "SELECT * FROM occupation_units WHERE employment_recipe = 'oews-2021'"
    select_coverage = "SELECT * FROM employment_coverage WHERE employment_recipe = 'oews-2021'"
    scratch.execute("BEGIN")
    try:
        stored_units = scratch.execute(select_units + " ORDER BY onet_code").df()
        stored_coverage = scratch.execute(select_coverage).fetchall()
        scratch.execute("DELETE FROM occupation_units WHERE employment_recipe = 'oews-2021'")
        scratch.execute("DELETE FROM employment_coverage WHERE employment_recipe = 'oews-2021'")
        scratch.execute("DELETE FROM employment_rollups WHERE employment_recipe = 'oews-2021'")
        scratch.execute("DELETE FROM employment_left_out WHERE employment_recipe = 'oews-2021'")
        oews.insert_vintage(scratch, vintage)
        rebuilt_units = scratch.execute(select_units + " ORDER BY onet_code").df()
        rebuilt_coverage = scratch.execute(select_coverage).fetchall()
    finally:
        scratch.execute("ROLLBACK")
    pd.testing.assert_frame_equal(rebuilt_units, stored_units)
    assert rebuilt_coverage == stored_coverage
    assert stored_coverage[0][1:4] == (140_886_310.0, 2_175_330.0, 47)
    # Independently: the units' employment, each worker once.
    units = expected_units(raw_dir, raw_dir / OEWS_2021, "human", "beta")
    assert vintage.workers_counted == units["employment"].sum() == 138_710_240


def test_2025_vintage_counts_and_left_out(
    raw_dir: Path, scratch: duckdb.DuckDBPyConnection
) -> None:
    path = data_file(raw_dir, "oews-2025", OEWS_2025)
    national = oews.read_national(path, "oews-2025", 2025)
    vintage = oews.build_vintage(national, oews.occupations_frame(scratch), "oews-2025", "x")
    bls = read_bls(path)
    detailed = bls[bls["O_GROUP"] == "detailed"]
    units = expected_units(raw_dir, path, "human", "beta")
    unreached = detailed[~detailed["OCC_CODE"].isin(units["unit"])]
    assert vintage.all_workers == TOTAL_2025
    assert vintage.workers_counted == units["employment"].sum() == 153_469_040
    assert vintage.workers_left_out == unreached["emp"].sum() == 2_012_800
    assert vintage.source_rows_left_out == len(unreached) == 47
    onet = vintage.left_out[vintage.left_out["side"] == "onet"]
    assert onet[["code", "reason"]].values.tolist() == [
        ["11-1031.00", "not_published"],  # Legislators: no row in the May 2025 file
        ["45-3031.00", "not_published"],  # Fishing and Hunting Workers: outside OEWS
    ]
    left = vintage.left_out[vintage.left_out["side"] == "oews"]
    assert set(left["code"]) == set(unreached["OCC_CODE"])
    assert set(left["reason"]) == {"all_other"}
    rules = vintage.assignments["rule"].value_counts().to_dict()
    assert rules == {"detailed": 891, "aggregate": 18, "hybrid": 12}
    stored = scratch.execute(
        "SELECT side, count(*), sum(employment) FROM employment_left_out "
        "WHERE employment_recipe = 'oews-2025' GROUP BY side ORDER BY side"
    ).fetchall()
    assert stored == [("oews", 47, 2_012_800.0), ("onet", 2, None)]


@pytest.mark.parametrize("rater", ["human", "gpt4"])
@pytest.mark.parametrize("measure", ["alpha", "beta", "zeta"])
def test_2025_headline_against_pandas(
    scratch: duckdb.DuckDBPyConnection, raw_dir: Path, rater: str, measure: Measure
) -> None:
    """Share of workers above 10% and 50% exposure, equal task weights, each worker once."""
    path = data_file(raw_dir, "oews-2025", OEWS_2025)
    units = expected_units(raw_dir, path, rater, measure)
    recipe = kbexposure.Recipe(rater=rater, measure=measure, employment="oews-2025")
    shares = kbexposure.shares(scratch, [0.1, 0.5], recipe)
    for share, threshold in zip(shares, (0.1, 0.5), strict=True):
        assert share.share_workers == pytest.approx(expected_share(units, threshold), abs=1e-12)
        assert share.coverage.workers_counted == units["employment"].sum()
        assert share.coverage.all_workers == TOTAL_2025
    view = scratch.execute(
        "SELECT threshold, share_workers FROM exposure_by_vintage WHERE employment_recipe = "
        "'oews-2025' AND rater = ? AND measure = ? AND weighting = 'equal' ORDER BY threshold",
        [rater, measure],
    ).fetchall()
    assert [t for t, _ in view] == [0.1, 0.5]
    for (_, value), threshold in zip(view, (0.1, 0.5), strict=True):
        assert value == pytest.approx(expected_share(units, threshold), abs=1e-12)


def test_2025_beta_headline_figures(scratch: duckdb.DuckDBPyConnection) -> None:
    """The figures the README quotes (beta, equal weights, '>'), to the rounding it prints."""
    quoted = {
        ("human", 0.1): 0.816,
        ("human", 0.5): 0.183,
        ("gpt4", 0.1): 0.852,
        ("gpt4", 0.5): 0.237,
    }
    for (rater, threshold), value in quoted.items():
        recipe = kbexposure.Recipe(rater=rater, measure="beta", employment="oews-2025")
        share = kbexposure.shares(scratch, [threshold], recipe)[0]
        assert round(share.share_workers, 3) == value


def test_no_code_is_counted_twice(raw_dir: Path, scratch: duckdb.DuckDBPyConnection) -> None:
    """Broad and minor roll-ups never overlap a detailed code that is counted."""
    rows = scratch.execute(
        "SELECT unit_code, unit_level FROM employment_rollups WHERE employment_recipe = "
        "'oews-2025' AND unit_code IS NOT NULL"
    ).fetchall()
    codes = {code for code, _ in rows}
    for code, level in rows:
        if level == "broad":
            assert not any(c != code and c[:6] == code[:6] for c in codes)
        assert re.fullmatch(r"\d{2}-\d{4}", code)
