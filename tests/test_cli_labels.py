"""The label, provenance and usage commands through click's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import snapshot, store_dump

from kb.cli import cli

EXAMPLE = Path(__file__).resolve().parent.parent / "data" / "examples" / "labels-example.csv"
COMMANDS = [
    ["ingest", "labels"],
    ["provenance"],
    ["knew-when"],
    ["exposure", "agreement-matrix"],
    ["usage"],
    ["usage", "compare"],
    ["usage", "gaps"],
    ["usage", "coverage"],
    ["usage", "distribution"],
]


def run(*args: str) -> object:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_help_shows_an_example(command: list[str]) -> None:
    result = run(*command, "--help")
    assert result.exit_code == 0
    assert "Example:" in result.output or command == ["usage"]


def test_ingest_labels_dry_run_then_for_real(workspace) -> None:
    common = [
        "--rater",
        "example_llm",
        "--produced-by",
        "gpt-4",
        "--date",
        "2023-06-01",
        "--db",
        str(workspace.db),
        "--data-dir",
        str(workspace.data_dir),
    ]
    before = snapshot(workspace.data_dir)
    dry = run("ingest", "labels", str(EXAMPLE), *common, "--dry-run", "--format", "json")
    assert dry.exit_code == 0, dry.output
    report = json.loads(dry.output)
    assert (report["rows"], report["dry_run"], report["label_counts"]) == (
        12,
        True,
        {"E0": 3, "E1": 5, "E2": 4},
    )
    assert snapshot(workspace.data_dir) == before

    done = run("ingest", "labels", str(EXAMPLE), *common)
    assert done.exit_code == 0, done.output
    assert done.output.startswith(
        "Added rater example_llm (model_labels, by release gpt-4, 2023-06-01): 12 of 19,265 tasks "
        "in 3 occupations (E0 3, E1 5, E2 4)"
    )
    assert (workspace.data_dir / "labels" / "example_llm.yml").exists()

    matrix = run(
        "exposure",
        "agreement-matrix",
        "--db",
        str(workspace.db),
        "--metric",
        "n",
        "--format",
        "json",
    )
    assert json.loads(matrix.output)["matrix"]["example_llm"]["gpt4"] == 12
    history = run("knew-when", "--db", str(workspace.db), "--format", "json")
    rows = [r for r in json.loads(history.output) if r["measure"] == "example_llm"]
    assert [r["release_id"] for r in rows] == ["gpt-4", "gpt-4"]
    assert rows[0]["date"].startswith("2023-06-01")
    compare = run(
        "usage", "compare", "--db", str(workspace.db), "--rater", "example_llm", "--format", "json"
    )
    assert compare.exit_code == 0
    assert json.loads(compare.output)["n"] == 3  # only the SOC codes of its three occupations


def test_refused_ingest_exits_1_and_changes_nothing(workspace, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("onet_code,task_id,label\n11-1011.00,8823,E9\n")
    before_files, before_store = snapshot(workspace.data_dir), store_dump(workspace.db)
    result = CliRunner().invoke(
        cli,
        [
            "ingest",
            "labels",
            str(bad),
            "--rater",
            "gpt4",
            "--produced-by",
            "nope",
            "--date",
            "2023",
            "--db",
            str(workspace.db),
            "--data-dir",
            str(workspace.data_dir),
        ],
    )
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "Error: bad.csv: 4 problems, nothing was written",
        "  --rater: rater 'gpt4' is already taken (raters: gpt4, gpt4_alt, human); "
        "choose a new name",
        "  --date: '2023' is not a date (YYYY-MM-DD)",
        "  --produced-by: release 'nope' is not in the timeline (see `kb timeline`)",
        "  line 2: field 'label': 'E9' is not a label (E0, E1 or E2)",
        "Fix the problems above and run `kb ingest labels` again.",
    ]
    assert snapshot(workspace.data_dir) == before_files
    assert store_dump(workspace.db) == before_store


def test_knew_when_and_provenance(built) -> None:
    result = run("knew-when", "--db", str(built.db), "--format", "json")
    rows = json.loads(result.output)
    assert [r["measure"] for r in rows].count("human") == 2
    usage = [r for r in rows if r["measure"] == "ai_applicability"]
    assert [r["release_id"] for r in usage] == ["bing-chat", "bing-chat"]
    table = run("knew-when", "--db", str(built.db))
    assert "share of workers with > 10% of tasks exposed" in table.output
    prov = run("provenance", "--db", str(built.db), "--format", "json")
    assert {r["source_id"]: r["produced_by_release"] for r in json.loads(prov.output)} == {
        "gpts-are-gpts-human": None,
        "gpts-are-gpts-gpt4": "gpt-4",
        "gpts-are-gpts-gpt4-alt": "gpt-4",
        "working-with-ai-usage": "bing-chat",
        "anthropic-economic-index-2025-02-10": "claude-3.5-sonnet",
    }


def test_usage_commands(built) -> None:
    compare = json.loads(run("usage", "compare", "--db", str(built.db), "--format", "json").output)
    assert compare["n"] == 785 and len(compare["rows"]) == 785
    assert 0.6 < compare["spearman_rho"] < 0.85
    coverage = json.loads(
        run("usage", "coverage", "--db", str(built.db), "--format", "json").output
    )
    assert {(r["rule"], r["side"], r["matched"]): r["soc_codes"] for r in coverage} == {
        ("crosswalk", "exposure", True): 785,
        ("crosswalk", "usage", True): 785,
        ("truncate", "exposure", True): 773,
        ("truncate", "exposure", False): 25,
        ("truncate", "usage", True): 773,
        ("truncate", "usage", False): 12,
    }
    gaps = run("usage", "gaps", "--db", str(built.db), "-n", "2", "--format", "csv")
    assert gaps.output.splitlines()[0].startswith("group,soc_code,title,exposure,usage_score")
    assert len(gaps.output.splitlines()) == 5
    dist = run("usage", "distribution", "--db", str(built.db), "--bins", "4")
    assert dist.exit_code == 0 and "observed usage (AI applicability)" in dist.output
    bad = CliRunner().invoke(cli, ["usage", "compare", "--db", str(built.db), "--rater", "nobody"])
    assert bad.exit_code == 1 and "Unknown rater 'nobody'" in bad.output
