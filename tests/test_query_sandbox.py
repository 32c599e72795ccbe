"""The untrusted-SQL paths (`kb query` and kb.query.run_readonly, which the dashboard's console
uses) refuse every write, file access, ATTACH and extension, stop runaway queries, and change
nothing: neither the store's rows nor any file on disk."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from conftest import Workspace, snapshot, store_dump

from kb import query
from kb.cli import cli
from kb.errors import QueryError

# (name, SQL template, a fragment the refusal must contain). {tmp} is a scratch folder, {parquet}
# and {other} a real Parquet file and DuckDB database in it: a refusal is the sandbox's doing,
# not a missing file.
REFUSED = [
    ("insert", "INSERT INTO kb_meta VALUES ('x', 'y')", "read-only"),
    ("update", "UPDATE kb_meta SET value = 'x'", "read-only"),
    ("delete", "DELETE FROM kb_meta", "read-only"),
    ("drop", "DROP TABLE kb_meta", "read-only"),
    ("create table", "CREATE TABLE evil AS SELECT 1 AS a", "read-only"),
    ("create view", "CREATE VIEW evil AS SELECT 1 AS a", "read-only"),
    ("alter", "ALTER TABLE kb_meta ADD COLUMN evil INTEGER", "read-only"),
    ("write after a select", "SELECT 1; DROP TABLE kb_meta", "read-only"),
    ("attach a new file", "ATTACH '{tmp}/attached.duckdb' AS other", "disabled by configuration"),
    ("attach an existing database", "ATTACH '{other}' AS other", "disabled by configuration"),
    ("copy to csv", "COPY kb_meta TO '{tmp}/out.csv'", "disabled by configuration"),
    (
        "copy query to parquet",
        "COPY (SELECT 1) TO '{tmp}/out.parquet' (FORMAT parquet)",
        "disabled by configuration",
    ),
    ("export database", "EXPORT DATABASE '{tmp}/export'", "disabled by configuration"),
    (
        "read_csv of /etc/passwd",
        "SELECT * FROM read_csv('/etc/passwd')",
        "disabled by configuration",
    ),
    ("read_csv_auto", "SELECT * FROM read_csv_auto('/etc/passwd')", "disabled by configuration"),
    ("read_text", "SELECT * FROM read_text('/etc/passwd')", "disabled by configuration"),
    ("read_blob", "SELECT * FROM read_blob('/etc/hostname')", "disabled by configuration"),
    ("read_json", "SELECT * FROM read_json('/etc/passwd')", "disabled by configuration"),
    ("sniff_csv", "SELECT * FROM sniff_csv('/etc/passwd')", "disabled by configuration"),
    ("glob", "SELECT * FROM glob('/etc/*')", "disabled by configuration"),
    ("read_parquet", "SELECT * FROM read_parquet('{parquet}')", "disabled by configuration"),
    ("file as a table", "SELECT * FROM '{parquet}'", "disabled by configuration"),
    ("install an extension", "INSTALL httpfs", "disabled by configuration"),
    ("load an extension", "LOAD httpfs", "disabled through configuration"),
    (
        "load a file as an extension",
        "LOAD '{tmp}/evil.duckdb_extension'",
        "disabled through configuration",
    ),
    (
        "persistent secret",
        "CREATE PERSISTENT SECRET s (TYPE s3, KEY_ID 'k', SECRET 's')",
        "disabled by configuration",
    ),
    ("re-enable file access", "SET enable_external_access = true", "locked"),
    ("unlock the configuration", "SET lock_configuration = false", "locked"),
    ("move the temp directory", "SET temp_directory = '{tmp}/spill'", "locked"),
]

# A query with no natural end, so only the time limit can stop it.
RUNAWAY = "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r) SELECT count(*) FROM r"
TIME_LIMIT = 0.5


@pytest.fixture
def sandbox(workspace: Workspace, tmp_path: Path) -> dict[str, str]:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    parquet = scratch / "real.parquet"
    other = scratch / "other.duckdb"
    con = duckdb.connect(str(other))
    con.execute(f"COPY (SELECT 42 AS answer) TO '{parquet}' (FORMAT parquet)")
    con.execute("CREATE TABLE secrets AS SELECT 'hidden' AS value")
    con.close()
    return {"tmp": str(scratch), "parquet": str(parquet), "other": str(other)}


def _unchanged_after(action, workspace: Workspace, tmp_path: Path) -> None:
    rows_before = store_dump(workspace.db)
    files_before = snapshot(tmp_path)
    action()
    assert store_dump(workspace.db) == rows_before
    assert snapshot(tmp_path) == files_before, "a refused query created or changed a file"


@pytest.mark.parametrize(("name", "sql", "reason"), REFUSED, ids=[r[0] for r in REFUSED])
def test_run_readonly_refuses(
    name: str, sql: str, reason: str, sandbox: dict[str, str], workspace: Workspace, tmp_path: Path
) -> None:
    def attempt() -> None:
        with pytest.raises(QueryError) as refused:
            query.run_readonly(sql.format(**sandbox), workspace.db)
        assert refused.value.message.startswith("The query was refused:")
        assert reason in refused.value.message
        assert refused.value.hint  # says what the user can do instead

    _unchanged_after(attempt, workspace, tmp_path)


@pytest.mark.parametrize(("name", "sql", "reason"), REFUSED, ids=[r[0] for r in REFUSED])
def test_kb_query_refuses(
    name: str, sql: str, reason: str, sandbox: dict[str, str], workspace: Workspace, tmp_path: Path
) -> None:
    def attempt() -> None:
        result = CliRunner().invoke(
            cli, ["query", "--db", str(workspace.db), sql.format(**sandbox)]
        )
        assert result.exit_code == 1, result.output
        assert "The query was refused" in result.output
        assert reason in result.output
        assert "Traceback" not in result.output

    _unchanged_after(attempt, workspace, tmp_path)


def test_run_readonly_stops_a_runaway_query(workspace: Workspace, tmp_path: Path) -> None:
    def attempt() -> None:
        started = time.monotonic()
        with pytest.raises(QueryError, match="stopped after its time limit of 0.5 s"):
            query.run_readonly(RUNAWAY, workspace.db, timeout=TIME_LIMIT)
        assert time.monotonic() - started < 10 * TIME_LIMIT + 2

    _unchanged_after(attempt, workspace, tmp_path)


def test_kb_query_stops_a_runaway_query(workspace: Workspace, tmp_path: Path) -> None:
    def attempt() -> None:
        started = time.monotonic()
        result = CliRunner().invoke(
            cli, ["query", "--db", str(workspace.db), "--timeout", str(TIME_LIMIT), RUNAWAY]
        )
        assert result.exit_code == 1
        assert "stopped after its time limit of 0.5 s" in result.output
        assert time.monotonic() - started < 10 * TIME_LIMIT + 2

    _unchanged_after(attempt, workspace, tmp_path)


def test_store_still_answers_after_refusals(sandbox: dict[str, str], workspace: Workspace) -> None:
    """Refused statements leave the connection pool usable: the next read works normally."""
    for _, sql, _ in REFUSED[:5]:
        with pytest.raises(QueryError):
            query.run_readonly(sql.format(**sandbox), workspace.db)
    frame = query.run_readonly(
        "SELECT value FROM kb_meta WHERE key = 'storage_version'", workspace.db
    )
    assert frame["value"].tolist() == ["v1.5.0"]


def test_plain_reads_are_allowed(workspace: Workspace) -> None:
    """The sandbox is not a wall: ordinary SELECTs over the store's tables work."""
    frame = query.run_readonly("SELECT count(*) AS n FROM kb_meta", workspace.db)
    assert frame["n"].iloc[0] >= 5  # schema_version, kb_version, duckdb/storage version, built_at
    result = CliRunner().invoke(
        cli, ["query", "--db", str(workspace.db), "--format", "json", "SELECT 1 + 1 AS two"]
    )
    assert result.exit_code == 0, result.output
    assert '"two": 2' in result.output
