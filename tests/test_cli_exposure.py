"""`kb exposure ...` through click's CliRunner: tables for people, JSON (fractions) for scripts."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kb import exposure as ex
from kb import store
from kb.cli import cli

COMMANDS = ["share", "curve", "top", "unexposed", "summary", "agreement", "search", "occupation"]


@pytest.fixture
def run(built):
    runner = CliRunner()

    def invoke(*args: str):
        return runner.invoke(cli, [*args, "--db", str(built.db)])

    return invoke


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_has_help_with_an_example(command):
    result = CliRunner().invoke(cli, ["exposure", command, "--help"])
    assert result.exit_code == 0
    assert "Example:" in result.output and f"kb exposure {command}" in result.output


def test_share_table_shows_recipe_and_coverage(run):
    result = run("exposure", "share")
    assert result.exit_code == 0, result.output
    assert (
        "recipe: human labels, beta (E1 + 0.5*E2), equal task weights, exposure > t"
        in result.output
    )
    assert "80.6%" in result.output and "19.0%" in result.output
    assert "counts 225,029,900 workers" in result.output
    assert "1.37x the 164,482,600 workers" in result.output


def test_share_json_gives_fractions_equal_to_the_library(run, built):
    result = run(
        "exposure",
        "share",
        "-t",
        "0.1",
        "-t",
        "0.5",
        "--rater",
        "gpt4",
        "--measure",
        "gamma",
        "--compare",
        "ge",
        "--employment",
        "oews-2021",
        "--format",
        "json",
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    recipe = ex.Recipe(rater="gpt4", measure="zeta", compare="ge", employment="oews-2021")
    assert payload["recipe"] == recipe.as_dict()
    with store.connect(built.db) as con:
        expected = ex.shares(con, [0.1, 0.5], recipe)
    assert [s["share_workers"] for s in payload["shares"]] == [e.share_workers for e in expected]
    assert 0 < payload["shares"][0]["share_workers"] < 1
    assert payload["coverage"]["all_workers"] == 140_886_310


def test_share_by_group_json(run):
    result = run("exposure", "share", "-t", "0.5", "--by", "job_zone", "--format", "json")
    payload = json.loads(result.output)
    groups = payload["groups"]["0.5"]
    assert {g["group_key"] for g in groups} == {"1", "2", "3", "4", "5", None}
    assert sum(g["share_of_workers"] for g in groups) == pytest.approx(1.0)


def test_curve_json_has_the_requested_points(run):
    payload = json.loads(run("exposure", "curve", "--points", "11", "--format", "json").output)
    assert [p["threshold"] for p in payload["points"]] == pytest.approx([i / 10 for i in range(11)])
    assert payload["points"][1]["share_workers"] == pytest.approx(0.8064786, abs=1e-6)


def test_top_and_least(run):
    top = json.loads(
        run(
            "exposure",
            "top",
            "--rater",
            "human",
            "--measure",
            "beta",
            "-n",
            "3",
            "--format",
            "json",
        ).output
    )
    assert [o["unit_code"] for o in top["occupations"]] == [
        "19-3022.00",
        "27-3043.00",
        "27-3091.00",
    ]
    least = run("exposure", "top", "-n", "3", "--least")
    assert least.exit_code == 0 and "exposure" in least.output


def test_unexposed_csv(run):
    result = run("exposure", "unexposed", "--raters", "human,gpt4", "--format", "csv")
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("onet_code,title,tasks")
    assert len(lines) - 1 == 34
    assert any("Dishwashers" in line for line in lines)


def test_summary_json(run):
    rows = json.loads(run("exposure", "summary", "--format", "json").output)
    human_alpha = [
        r
        for r in rows
        if r["rater"] == "human" and r["measure"] == "alpha" and r["level"] == "task"
    ]
    assert human_alpha[0]["mean"] == pytest.approx(0.148560, abs=1e-6)


def test_agreement_table_and_json(run):
    table = run("exposure", "agreement", "--measure", "beta", "--confusion")
    assert table.exit_code == 0, table.output
    assert "human (rows) vs gpt4 (columns)" in table.output and "kappa" in table.output
    rows = json.loads(run("exposure", "agreement", "--format", "json").output)
    assert {(r["measure"], r["level"]) for r in rows} == {
        (m, lv) for m in ("alpha", "beta", "zeta") for lv in ("task", "occupation")
    }
    assert all(0 <= r["agreement"] <= 1 for r in rows)


def test_search_and_occupation(run):
    found = json.loads(run("exposure", "search", "data scien", "--format", "json").output)
    assert found[0]["onet_code"] == "15-2051.00"
    detail = run("exposure", "occupation", "15-2051.00")
    assert detail.exit_code == 0 and "Data Scientists" in detail.output
    payload = json.loads(run("exposure", "occupation", "15-2051.00", "--format", "json").output)
    assert payload["employment"]["paper"] == 168_900  # BLS EP 2022: 168.9 thousand
    assert len(payload["tasks"]) > 5


@pytest.mark.parametrize(
    "args,message",
    [
        (
            ["exposure", "share", "--rater", "gpt5"],
            "Error: Unknown rater 'gpt5'.\nDid you mean 'gpt4'? "
            "Raters in the store: gpt4, gpt4_alt, human.",
        ),
        (["exposure", "share", "-t", "1.5"], "Error: Threshold 1.5 is outside [0, 1]."),
        (["exposure", "agreement", "--raters", "human"], "give exactly two raters"),
        (
            ["exposure", "occupation", "99-9999.99"],
            "Error: No occupation '99-9999.99' in the store.",
        ),
    ],
)
def test_bad_input_is_one_readable_error(run, args, message):
    result = run(*args)
    assert result.exit_code != 0
    assert message in result.output
    assert "Traceback" not in result.output
