"""kb.usage.aei: the Anthropic Economic Index task usage joined to the labelled O*NET tasks,
checked with plain pandas on the mirror files (the expected figures are computed here)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from test_oews import data_file, scratch_store

from kb.errors import ValidationError
from kb.exposure import oews
from kb.usage import aei

DATASET = "aei-2025-02-10"
RATER_COLUMNS = {"human": "human_exposure_agg", "gpt4": "gpt4_exposure"}


def plain(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", str(text).lower()).split())


@pytest.fixture(scope="module")
def usage_csv(raw_dir: Path) -> pd.DataFrame:
    return pd.read_csv(data_file(raw_dir, DATASET, aei.TASK_USAGE_FILE))


@pytest.fixture(scope="module")
def labelset(raw_dir: Path) -> pd.DataFrame:
    frame = pd.read_csv(raw_dir / "full_labelset.tsv", sep="\t", dtype=str)
    frame["task_id"] = frame["Task ID"].astype(float).astype(int)
    frame["key"] = frame["Task"].map(plain)
    return frame


@pytest.fixture(scope="module")
def expected_pairs(usage_csv: pd.DataFrame, labelset: pd.DataFrame) -> pd.DataFrame:
    """Every (statement, labelled task) pair with the statement's share split equally."""
    usage = usage_csv.assign(key=usage_csv["task_name"].map(plain))
    pairs = usage.merge(labelset, on="key")
    pairs["split"] = pairs["pct"] / pairs.groupby("task_name")["task_name"].transform("count")
    return pairs


@pytest.fixture(scope="module")
def match(raw_dir: Path, labelset: pd.DataFrame) -> aei.TaskMatch:
    usage = aei.read_task_usage(data_file(raw_dir, DATASET, aei.TASK_USAGE_FILE))
    tasks = labelset.rename(columns={"O*NET-SOC Code": "onet_code", "Task": "statement"})
    return aei.match_tasks(usage, tasks)


@pytest.fixture(scope="module")
def scratch(built: object, raw_dir: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = scratch_store(built.db, raw_dir)  # type: ignore[attr-defined]
    yield con
    con.close()


def test_match_rate_against_pandas(
    match: aei.TaskMatch, usage_csv: pd.DataFrame, expected_pairs: pd.DataFrame
) -> None:
    matched = usage_csv["task_name"].isin(expected_pairs["task_name"])
    assert match.statements == len(usage_csv) == 3514
    assert match.statements_matched == matched.sum() == 3155
    assert match.match_rate == pytest.approx(3155 / 3514)
    assert match.pct_matched == pytest.approx(usage_csv.loc[matched, "pct"].sum(), abs=1e-9)
    assert round(match.pct_matched, 2) == 84.11
    assert set(match.unmatched["task_name"]) == set(usage_csv.loc[~matched, "task_name"])
    assert len(match.matches) == len(expected_pairs)


@pytest.mark.parametrize("code", ["15-1251.00", "15-1253.00", "27-3042.00", "11-1011.00"])
def test_usage_per_occupation(
    match: aei.TaskMatch, expected_pairs: pd.DataFrame, code: str
) -> None:
    mine = aei.occupation_usage(match).set_index("onet_code")
    rows = expected_pairs[expected_pairs["O*NET-SOC Code"] == code]
    assert mine.loc[code, "usage_share"] == pytest.approx(rows["split"].sum(), abs=1e-12)
    assert mine.loc[code, "usage_share_unsplit"] == pytest.approx(rows["pct"].sum(), abs=1e-12)
    assert mine.loc[code, "tasks_used"] == rows["task_id"].nunique()


def test_usage_with_employment(
    match: aei.TaskMatch, raw_dir: Path, scratch: duckdb.DuckDBPyConnection
) -> None:
    path = data_file(raw_dir, "oews-2025", "national_M2025_dl.csv")
    vintage = oews.build_vintage(
        oews.read_national(path, "oews-2025", 2025),
        oews.occupations_frame(scratch),
        "oews-2025",
        "x",
    )
    usage = aei.occupation_usage(match, vintage).set_index("onet_code")
    bls = pd.read_csv(path, dtype=str)
    detailed = bls[bls["O_GROUP"] == "detailed"].set_index("OCC_CODE")["TOT_EMP"].astype(float)
    for code in ("15-1251.00", "27-3042.00", "13-1199.05"):
        assert usage.loc[code, "employment"] == detailed[code[:7]]
    assert usage.loc["13-1023.00", "unit_code"] == "13-1020"  # rolled up: buyers and agents


def test_usage_sums_to_the_matched_share(match: aei.TaskMatch) -> None:
    assert aei.occupation_usage(match)["usage_share"].sum() == pytest.approx(match.pct_matched)


@pytest.mark.parametrize("rater", ["human", "gpt4"])
def test_usage_by_label_against_pandas(
    match: aei.TaskMatch, expected_pairs: pd.DataFrame, labelset: pd.DataFrame, rater: str
) -> None:
    long = pd.DataFrame(
        {
            "onet_code": labelset["O*NET-SOC Code"],
            "task_id": labelset["task_id"],
            "rater": rater,
            "label": labelset[RATER_COLUMNS[rater]],
        }
    )
    mine = aei.usage_by_label(match, long).set_index("label")
    expected = expected_pairs.groupby(RATER_COLUMNS[rater])["split"].sum()
    for label in ("E0", "E1", "E2"):
        assert mine.loc[label, "pct"] == pytest.approx(expected[label], abs=1e-9)
        assert mine.loc[label, "share_of_matched"] == pytest.approx(
            expected[label] / expected.sum(), abs=1e-12
        )


def test_collaboration_split(raw_dir: Path) -> None:
    path = data_file(raw_dir, DATASET, aei.COLLABORATION_FILE)
    raw = pd.read_csv(path).set_index("interaction_type")["pct"]
    split = aei.collaboration_split(aei.read_collaboration(path))
    automation = raw["directive"] + raw["feedback loop"]
    augmentation = raw["task iteration"] + raw["learning"] + raw["validation"]
    assert split.automation == pytest.approx(automation)
    assert split.augmentation == pytest.approx(augmentation)
    assert split.unassigned == pytest.approx(100 - raw.sum())
    assert split.automation_share == pytest.approx(automation / (automation + augmentation))
    assert round(split.automation_share, 3) == 0.426  # the paper's "43% automation"


def test_store_views_agree(
    scratch: duckdb.DuckDBPyConnection, match: aei.TaskMatch, expected_pairs: pd.DataFrame
) -> None:
    release = scratch.execute(
        "SELECT observed_model, window_start, window_end FROM aei_releases"
    ).fetchall()
    assert release == [("Claude 3.5 Sonnet", "2024-12", "2025-01")]
    matched = scratch.execute(
        "SELECT count(*) FILTER (WHERE labelled_tasks > 0), "
        "sum(pct) FILTER (WHERE labelled_tasks > 0) FROM aei_task_usage"
    ).fetchall()[0]
    assert matched[0] == match.statements_matched
    unmatched = scratch.execute("SELECT task_name FROM aei_unmatched_tasks").fetchall()
    assert [name for (name,) in unmatched] == match.unmatched["task_name"].tolist()
    assert matched[1] == pytest.approx(match.pct_matched)
    view = scratch.execute(
        "SELECT onet_code, usage_share, employment FROM aei_occupation_usage "
        "WHERE employment_recipe = 'oews-2025' AND onet_code IN ('15-1251.00', '45-3031.00')"
        "ORDER BY onet_code"
    ).fetchall()
    expected = expected_pairs[expected_pairs["O*NET-SOC Code"] == "15-1251.00"]["split"].sum()
    assert view[0][1] == pytest.approx(expected)
    assert view[0][2] == 92_230  # Computer Programmers, OEWS May 2025
    assert view[1][2] is None  # Fishing and Hunting Workers: not in OEWS
    by_label = scratch.execute(
        "SELECT label, share_of_matched FROM aei_usage_by_label WHERE rater = 'human' "
        "ORDER BY label"
    ).fetchall()
    totals = expected_pairs.groupby("human_exposure_agg")["split"].sum()
    assert [label for label, _ in by_label] == ["E0", "E1", "E2"]
    for label, share in by_label:
        assert share == pytest.approx(totals[label] / totals.sum())


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("task_name,pct\na,50\nb,fifty\n", "line 3: field 'pct': 'fifty' is not a share (0-100)"),
        ("task_name,pct\na,50\na,50\n", "line 3: field 'task_name': 'a' appears twice"),
        ("task_name,pct\na,50\nb,40\n", "file: field 'pct': sums to 90.000000, not 100"),
        ("name,pct\na,100\n", "header: field 'task_name': column is missing"),
    ],
)
def test_read_task_usage_refuses_bad_input(tmp_path: Path, body: str, message: str) -> None:
    path = tmp_path / "onet_task_mappings.csv"
    path.write_text(body)
    with pytest.raises(ValidationError) as caught:
        aei.read_task_usage(path)
    assert message in str(caught.value)


def test_read_collaboration_refuses_unknown_patterns(tmp_path: Path) -> None:
    path = tmp_path / "automation_vs_augmentation.csv"
    path.write_text("interaction_type,pct\ndirective,50\nchatting,50\n")
    with pytest.raises(ValidationError, match="'chatting' is not one of directive"):
        aei.read_collaboration(path)
