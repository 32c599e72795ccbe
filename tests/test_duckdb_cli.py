"""The DuckDB command line (PyPI `duckdb-cli`) opens a store built by kb and queries its views."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest


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
        capture_output=True, text=True, timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return list(csv.DictReader(io.StringIO(done.stdout)))


def test_cli_opens_the_store_and_reads_the_timeline(cli_binary, built):
    rows = run_sql(cli_binary, built.db, "SELECT position, id, date FROM timeline ORDER BY position")
    assert len(rows) == 23
    assert rows[0] == {"position": "1", "id": "bing-chat", "date": "2023-02-07"}
    assert [r["id"] for r in rows if r["date"] == "2023-03-14"] == [
        "gpt-4", "palm-api", "claude", "adept-series-b"]


def test_cli_runs_the_recursive_lineage_view(cli_binary, built):
    rows = run_sql(cli_binary, built.db,
                   "SELECT ancestor_id, depth FROM lineage_closure WHERE release_id = 'dolly' "
                   "ORDER BY depth, ancestor_id")
    assert [(r["ancestor_id"], r["depth"]) for r in rows] == [
        ("alpaca", "1"), ("gpt-j", "1"), ("llama", "2"), ("self-instruct", "2"),
        ("text-davinci-003", "2")]


def test_cli_reads_the_per_day_and_per_organisation_views(cli_binary, built):
    per_day = run_sql(cli_binary, built.db,
                      "SELECT date, releases FROM releases_per_day WHERE releases > 1 ORDER BY date")
    assert per_day[0] == {"date": "2023-03-14", "releases": "4"}
    per_org = run_sql(cli_binary, built.db,
                      "SELECT organisation, releases FROM releases_per_organisation "
                      "WHERE organisation = 'Microsoft'")
    assert per_org == [{"organisation": "Microsoft", "releases": "4"}]


def test_cli_sees_the_facts_with_caveats(cli_binary, built):
    rows = run_sql(cli_binary, built.db,
                   "SELECT subject, value FROM facts WHERE release_id = 'gpt-4' "
                   "AND attribute = 'context_window' ORDER BY subject")
    assert {r["subject"]: r["value"] for r in rows} == {
        "gpt-4": "8192", "gpt-4-0314": "8192", "gpt-4-32k": "32768", "gpt-4-32k-0314": "32768"}
