"""The DuckDB command line (PyPI `duckdb-cli`) opens a store built by kb and queries its views."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
import yaml
from conftest import REPO


def duckdb_binary() -> str | None:
    beside = Path(sys.executable).parent / "duckdb"
    return shutil.which("duckdb") or (str(beside) if beside.exists() else None)


@pytest.fixture(scope="module")
def cli_binary() -> str:
    binary = duckdb_binary()
    if binary is None:
        pytest.skip("the DuckDB CLI (pip install duckdb-cli) is not installed")
    return binary


def run_sql(binary: str, db: Path, sql: str) -> list[dict[str, str]]:
    done = subprocess.run(
        [binary, "-readonly", "-csv", str(db), "-c", sql],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return list(csv.DictReader(io.StringIO(done.stdout)))


def curated_files() -> list[dict]:
    files = sorted((REPO / "data" / "releases").glob("*.yaml"))
    return [yaml.safe_load(p.read_text()) for p in files]


def test_cli_opens_the_store_and_reads_the_timeline(cli_binary, built):
    rows = run_sql(
        cli_binary, built.db, "SELECT position, id, date FROM timeline ORDER BY position"
    )
    assert [int(r["position"]) for r in rows] == list(range(1, len(rows) + 1))
    assert [r["date"] for r in rows] == sorted(r["date"] for r in rows)
    # Every curated release dated in its file is there with that date (Epoch AI and models.dev
    # add theirs around them).
    dated = {f["id"]: f["date"] for f in curated_files() if f.get("date")}
    assert {r["id"]: r["date"] for r in rows if r["id"] in dated} == dated
    assert [r["id"] for r in rows if r["date"] == "2023-03-14" and r["id"] in dated] == [
        "gpt-4",
        "palm-api",
        "claude",
        "adept-series-b",
    ]


def test_cli_runs_the_recursive_lineage_view(cli_binary, built):
    rows = run_sql(
        cli_binary,
        built.db,
        "SELECT ancestor_id, depth FROM lineage_closure WHERE release_id = 'dolly' "
        "ORDER BY depth, ancestor_id",
    )
    assert [(r["ancestor_id"], r["depth"]) for r in rows] == [
        ("alpaca", "1"),
        ("gpt-j", "1"),
        ("llama", "2"),
        ("self-instruct", "2"),
        ("text-davinci-003", "2"),
    ]


def test_cli_reads_the_per_day_and_per_organisation_views(cli_binary, built):
    timeline = run_sql(
        cli_binary,
        built.db,
        "SELECT date, id FROM timeline WHERE date_precision = 'day' ORDER BY position",
    )
    per_day = run_sql(cli_binary, built.db, "SELECT date, releases, ids FROM releases_per_day")
    assert {r["date"]: int(r["releases"]) for r in per_day} == Counter(r["date"] for r in timeline)
    day = next(r for r in per_day if r["date"] == "2023-03-14")
    assert day["ids"].split(", ")[:4] == ["gpt-4", "palm-api", "claude", "adept-series-b"]
    per_org = run_sql(
        cli_binary,
        built.db,
        "SELECT organisation, releases, ids FROM releases_per_organisation "
        "WHERE organisation = 'Microsoft'",
    )
    assert len(per_org) == 1
    ids = per_org[0]["ids"].split(", ")
    assert int(per_org[0]["releases"]) == len(ids) == len(set(ids))
    curated = {
        f["id"] for f in curated_files() if f.get("date") and "Microsoft" in f["organisations"]
    }
    assert curated == {
        "bing-chat",
        "dynamics-365-copilot",
        "visual-chatgpt",
        "microsoft-365-copilot",
    }
    assert curated <= set(ids)


def test_cli_sees_the_facts_with_caveats(cli_binary, built):
    rows = run_sql(
        cli_binary,
        built.db,
        "SELECT subject, value FROM facts WHERE release_id = 'gpt-4' "
        "AND attribute = 'context_window' ORDER BY subject",
    )
    assert {r["subject"]: r["value"] for r in rows} == {
        "gpt-4": "8192",
        "gpt-4-0314": "8192",
        "gpt-4-32k": "32768",
        "gpt-4-32k-0314": "32768",
    }
