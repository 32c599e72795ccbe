"""Rater agreement at occupation level under an employment recipe (`--employment`, issue 12):
the units compared are the recipe's (OEWS codes after roll-up), each counted once. Figures are
checked against pandas: O*NET occupation exposures computed here from the authors' label file,
averaged over the occupations of each OEWS code (the store's occupation_units gives only which
O*NET occupation belongs to which code and whether the code has employment)."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner

from kb import exposure as ex
from kb import store
from kb.cli import cli
from kb.errors import KBError

LABEL_COLUMNS = {"human": "human_exposure_agg", "gpt4": "gpt4_exposure"}
E2_WEIGHT = {"alpha": 0.0, "beta": 0.5, "zeta": 1.0}


@pytest.fixture(scope="module")
def con(built):
    with store.connect(built.db) as connection:
        yield connection


@pytest.fixture(scope="module")
def raw_tasks(raw_dir: Path) -> pd.DataFrame:
    return pd.read_csv(raw_dir / "full_labelset.tsv", sep="\t", index_col=0)


def onet_exposure(tasks: pd.DataFrame, rater: str, measure: str) -> pd.Series:
    """Each O*NET occupation's exposure: the mean task value, every task weighted equally."""
    label = tasks[LABEL_COLUMNS[rater]]
    value = (label == "E1") * 1.0 + (label == "E2") * E2_WEIGHT[measure]
    return value.groupby(tasks["O*NET-SOC Code"]).mean()


def unit_exposure(tasks: pd.DataFrame, members: pd.DataFrame, rater: str, measure: str):
    """Each unit with employment: the mean exposure of its O*NET occupations."""
    exposure = members.onet_code.map(onet_exposure(tasks, rater, measure))
    counted = members.assign(exposure=exposure).dropna(subset=["employment", "exposure"])
    return counted.groupby("unit_code").exposure.mean()


def members_of(db: Path, recipe: str) -> pd.DataFrame:
    with duckdb.connect(str(db), read_only=True) as plain:
        return plain.execute(
            "SELECT onet_code, unit_code, employment FROM occupation_units "
            "WHERE employment_recipe = ?",
            [recipe],
        ).df()


@pytest.mark.parametrize("measure", ["alpha", "beta", "zeta"])
def test_oews_2025_units_match_pandas(con, built, raw_tasks, measure):
    members = members_of(built.db, "oews-2025")
    a = unit_exposure(raw_tasks, members, "human", measure)
    b = unit_exposure(raw_tasks, members, "gpt4", measure).reindex(a.index)
    result = ex.agreement(con, measure, "occupation", ("human", "gpt4"), employment="oews-2025")
    # OEWS codes (after roll-up) with 2025 employment: fewer than the 923 O*NET occupations.
    assert result.n == len(a) == members.dropna(subset=["employment"]).unit_code.nunique()
    assert result.n < 923
    assert result.pearson_r == pytest.approx(np.corrcoef(a, b)[0, 1], abs=1e-9)
    exposed_a, exposed_b = a > 0.5, b > 0.5
    assert result.agreement == pytest.approx((exposed_a == exposed_b).mean(), abs=1e-12)
    assert int(result.confusion.loc["exposed", "exposed"]) == int((exposed_a & exposed_b).sum())
    assert result.employment == "oews-2025"
    assert result.as_dict()["employment"] == "oews-2025"


def test_beta_figures_under_oews_2025(con):
    """The figures the docs quote (human vs GPT-4, beta, exposed = exposure > 0.5)."""
    result = ex.agreement(con, "beta", "occupation", ("human", "gpt4"), employment="oews-2025")
    assert result.n == 783
    assert (round(result.kappa, 3), round(result.pearson_r, 3)) == (0.606, 0.887)


def test_paper_recipe_compares_the_onet_occupations(con):
    """The paper's units are the O*NET occupations themselves: the same figures as no recipe."""
    default = ex.agreement(con, "beta", "occupation", ("human", "gpt4"))
    paper = ex.agreement(con, "beta", "occupation", ("human", "gpt4"), employment="paper")
    assert default.employment is None and "employment" not in default.as_dict()
    assert (paper.n, paper.agreement, paper.kappa) == (default.n, default.agreement, default.kappa)
    assert paper.pearson_r == pytest.approx(default.pearson_r, abs=1e-12)
    assert paper.confusion.equals(default.confusion)


def test_units_computed_from_labels_agree_with_stored_units(workspace):
    """A rater with labels but no stored rows (written with SQL) is read through the view that
    computes units from labels: a copy of GPT-4's labels gives GPT-4's figures."""
    with store.connect(workspace.db, read_only=False) as con:
        with store.transaction(con):
            con.execute("INSERT INTO raters VALUES ('copy', 'test copy of gpt4', 'test')")
            con.execute(
                "INSERT INTO task_labels SELECT onet_code, task_id, 'copy', label "
                "FROM task_labels WHERE rater = 'gpt4'"
            )
        stored = ex.agreement(con, "beta", "occupation", ("human", "gpt4"), employment="oews-2025")
        copy = ex.agreement(con, "beta", "occupation", ("human", "copy"), employment="oews-2025")
    assert (copy.n, copy.agreement, copy.kappa) == (stored.n, stored.agreement, stored.kappa)
    assert copy.pearson_r == pytest.approx(stored.pearson_r, abs=1e-12)


def test_unknown_recipe_and_task_level_are_refused(con):
    with pytest.raises(KBError, match="employment recipe"):
        ex.agreement(con, "beta", "occupation", ("human", "gpt4"), employment="oews-2099")
    with pytest.raises(KBError, match="occupation level only"):
        ex.agreement(con, "beta", "task", ("human", "gpt4"), employment="oews-2025")


# --- command line -------------------------------------------------------------------------------


def invoke(built, *args: str):
    return CliRunner().invoke(cli, ["exposure", *args, "--db", str(built.db)])


def test_cli_accepts_oews_2025(built):
    result = invoke(
        built, "agreement", "--measure", "beta", "--employment", "oews-2025", "--format", "json"
    )
    assert result.exit_code == 0, result.output
    rows = {r["level"]: r for r in json.loads(result.output)}
    assert rows["occupation"]["n"] == 783 and rows["occupation"]["employment"] == "oews-2025"
    assert rows["task"]["n"] == 19265 and "employment" not in rows["task"]
    table = invoke(built, "agreement", "--level", "occupation", "--employment", "oews-2025")
    assert table.exit_code == 0, table.output
    assert "occupations: the units of oews-2025" in table.output


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["agreement", "--employment", "oews-2099"], "is not one of 'paper', 'oews-2021'"),
        (["agreement", "--level", "task", "--employment", "paper"], "occupation level only"),
        (["agreement-matrix", "--employment", "oews-2025"], "occupation level only"),
    ],
)
def test_cli_refuses_bad_employment_clearly(built, args, message):
    result = invoke(built, *args)
    assert result.exit_code != 0
    assert message in result.output
    assert isinstance(result.exception, SystemExit)  # a usage error, not a crash
    assert "Traceback" not in result.output
