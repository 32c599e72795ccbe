"""kb.exposure.onet_tasks: the labelled O*NET 27.2 tasks against O*NET 29.3, checked with plain
pandas on the mirror files (the expected counts are computed here, not by kb)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest
from test_oews import data_file, scratch_store

from kb.errors import ValidationError
from kb.exposure import onet_tasks

TASKS_FILE = "Task Statements.xlsx"


@pytest.fixture(scope="module")
def current(raw_dir: Path) -> pd.DataFrame:
    return onet_tasks.read_task_statements(data_file(raw_dir, "onet-29.3", TASKS_FILE))


@pytest.fixture(scope="module")
def labelled(raw_dir: Path) -> pd.DataFrame:
    labels = pd.read_csv(raw_dir / "full_labelset.tsv", sep="\t", dtype=str)
    return pd.DataFrame(
        {
            "onet_code": labels["O*NET-SOC Code"],
            "task_id": labels["Task ID"].astype(float).astype(int),
            "statement": labels["Task"],
        }
    )


@pytest.fixture(scope="module")
def comparison(labelled: pd.DataFrame, current: pd.DataFrame) -> onet_tasks.TaskComparison:
    return onet_tasks.compare_tasks(labelled, current)


@pytest.fixture(scope="module")
def scratch(built: object, raw_dir: Path) -> Iterator[duckdb.DuckDBPyConnection]:
    con = scratch_store(built.db, raw_dir)  # type: ignore[attr-defined]
    yield con
    con.close()


def plain(text: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", " ", text.lower()).split())


def test_reader_matches_the_workbook(raw_dir: Path, current: pd.DataFrame) -> None:
    sheet = pd.read_excel(data_file(raw_dir, "onet-29.3", TASKS_FILE), engine="calamine")
    assert len(current) == len(sheet) == 18_796
    assert current["onet_code"].nunique() == sheet["O*NET-SOC Code"].nunique() == 923
    assert current["task_id"].tolist() == sheet["Task ID"].astype(int).tolist()
    assert current["task_type"].isna().sum() == sheet["Task Type"].isna().sum()


def test_kept_dropped_and_new_against_pandas(
    labelled: pd.DataFrame, current: pd.DataFrame, comparison: onet_tasks.TaskComparison
) -> None:
    old_ids = set(zip(labelled["onet_code"], labelled["task_id"], strict=True))
    new_ids = set(zip(current["onet_code"], current["task_id"], strict=True))
    kept_by_id = old_ids & new_ids
    gone = labelled[
        [k not in new_ids for k in zip(labelled["onet_code"], labelled["task_id"], strict=True)]
    ]
    today_statements = set(current["statement"].map(plain))
    kept_by_statement = gone["statement"].map(plain).isin(today_statements)
    counts = comparison.counts()
    assert counts["kept_id"] == len(kept_by_id) == 18_751
    assert counts["kept_statement"] == kept_by_statement.sum() == 15
    assert counts["dropped"] == (~kept_by_statement).sum() == 499
    assert sum(counts[s] for s in onet_tasks.TASK_STATUSES) == len(labelled) == 19_265
    reached = kept_by_id | set(
        zip(
            comparison.changes.loc[
                comparison.changes["status"] == "kept_statement", "current_onet_code"
            ],
            comparison.changes.loc[
                comparison.changes["status"] == "kept_statement", "current_task_id"
            ],
            strict=True,
        )
    )
    assert counts["new"] == len(new_ids - reached) == 45


def test_share_of_todays_tasks_labelled(
    labelled: pd.DataFrame, current: pd.DataFrame, comparison: onet_tasks.TaskComparison
) -> None:
    old_ids = set(zip(labelled["onet_code"], labelled["task_id"], strict=True))
    coverage = comparison.coverage.set_index("onet_code")
    for code in ("11-1011.00", "15-1252.00", "29-1141.00", "53-7121.00"):
        today = current[current["onet_code"] == code]
        by_id = sum((code, t) in old_ids for t in today["task_id"])
        row = coverage.loc[code]
        assert row["tasks_today"] == len(today)
        assert row["tasks_labelled"] >= by_id
        assert row["share_labelled"] == pytest.approx(row["tasks_labelled"] / len(today))
    assert coverage["tasks_labelled"].sum() == 18_796 - 45


def test_store_views_agree(
    scratch: duckdb.DuckDBPyConnection, comparison: onet_tasks.TaskComparison
) -> None:
    stored = scratch.execute(
        "SELECT status, count(*) FROM task_changes GROUP BY status ORDER BY status"
    ).fetchall()
    counts = comparison.counts()
    assert stored == sorted((s, counts[s]) for s in onet_tasks.TASK_STATUSES)
    assert scratch.execute("SELECT count(*) FROM onet_tasks_unlabelled").fetchall() == [(45,)]
    view = scratch.execute(
        "SELECT onet_code, tasks_today, tasks_labelled FROM onet_task_coverage ORDER BY onet_code"
    ).df()
    expected = comparison.coverage[["onet_code", "tasks_today", "tasks_labelled"]]
    assert view.values.tolist() == expected.values.tolist()


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Read from sacred texts, such as the Bible.", "read from sacred texts such as the bible"),
        ("Confer  with\tboard members.", "confer with board members"),
        ("Use “quoted” words", 'use "quoted" words.'),
    ],
)
def test_normalise_statement(a: str, b: str) -> None:
    assert onet_tasks.normalise_statement(a) == onet_tasks.normalise_statement(b)


def test_reader_refuses_bad_rows(tmp_path: Path) -> None:
    path = tmp_path / "Task Statements.xlsx"
    header = list(onet_tasks.COLUMNS)
    rows = [
        ["11-1011.00", "Chief Executives", 1, "Direct.", "Core", 1, "08/2023", "Incumbent"],
        ["11-1011", "Chief Executives", 2, "Plan.", "Main", 1, "08/2023", "Incumbent"],
    ]
    pd.DataFrame(rows, columns=header).to_excel(path, index=False)
    with pytest.raises(ValidationError) as caught:
        onet_tasks.read_task_statements(path)
    text = str(caught.value)
    assert "row 3: field 'O*NET-SOC Code': '11-1011' is not a code" in text
    assert "row 3: field 'Task Type': 'Main' is not Core or Supplemental" in text
