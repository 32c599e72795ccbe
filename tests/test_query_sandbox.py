"""The untrusted-SQL paths (`kb query` and kb.sandbox, which the dashboard's SQL page uses) refuse
every write, file access, ATTACH, extension and setting, stay within their time, memory, row and
byte bounds, handle every result type and odd statement, never show server paths, neutralise
spreadsheet formulas in CSV, and change nothing: neither the store's rows nor any file on disk."""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import pickle
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pytest
from click.testing import CliRunner
from conftest import BuiltState, Workspace, snapshot, store_dump

from kb import sandbox
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
        "CREATE PERSISTENT SECRET s (TYPE http, BEARER_TOKEN 'x')",
        "Persistent secrets are disabled",
    ),
    ("re-enable file access", "SET enable_external_access = true", "locked"),
    ("unlock the configuration", "SET lock_configuration = false", "locked"),
    ("move the temp directory", "SET temp_directory = '{tmp}/spill'", "locked"),
    ("grow the temp directory", "SET max_temp_directory_size = '10GB'", "locked"),
    ("raise the memory limit", "SET memory_limit = '100GB'", "locked"),
    ("reset the memory limit", "RESET memory_limit", "locked"),
    ("more threads", "SET threads = 64", "locked"),
    ("log queries to a file", "SET log_query_path = '{tmp}/log.txt'", "locked"),
    ("profile to a file", "SET profiling_output = '{tmp}/profile.json'", "locked"),
    ("python replacement scans", "SET python_enable_replacements = true", "locked"),
    ("allow a directory", "SET allowed_directories = ['{tmp}']", "locked"),
    ("profiling by pragma", "PRAGMA enable_profiling", "locked"),
    ("profile output by pragma", "PRAGMA profiling_output = '{tmp}/p.json'", "locked"),
    ("logging", "CALL enable_logging()", "locked"),
]
# The same attacks in the library, in this process (fast); the CLI runs them in the child.
IN_PROCESS = sandbox.Limits(isolated=False)

# A query with no natural end, so only the time limit can stop it.
RUNAWAY = "WITH RECURSIVE r(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM r) SELECT count(*) FROM r"
TIME_LIMIT = 0.5


@pytest.fixture
def scratch(tmp_path: Path) -> dict[str, str]:
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    parquet = scratch / "real.parquet"
    other = scratch / "other.duckdb"
    con = duckdb.connect(str(other))
    con.execute(f"COPY (SELECT 42 AS answer) TO '{parquet}' (FORMAT parquet)")
    con.execute("CREATE TABLE secrets AS SELECT 'hidden' AS value")
    con.close()
    return {"tmp": str(scratch), "parquet": str(parquet), "other": str(other)}


def _unchanged_after(action, state: BuiltState, tmp_path: Path) -> None:
    """The attempt runs on the session store, which must come out as it was: the same rows, the
    same bytes, no file beside it (and none in the test's own folder)."""
    files_before = snapshot(tmp_path)
    action()
    assert store_dump(state.db) == state.rows
    assert snapshot(state.db.parent) == state.files, "a refused query changed the store folder"
    assert snapshot(tmp_path) == files_before, "a refused query created or changed a file"


@pytest.mark.parametrize(("name", "sql", "reason"), REFUSED, ids=[r[0] for r in REFUSED])
def test_run_readonly_refuses(
    name: str,
    sql: str,
    reason: str,
    scratch: dict[str, str],
    built_state: BuiltState,
    tmp_path: Path,
) -> None:
    def attempt() -> None:
        with pytest.raises(QueryError) as refused:
            sandbox.run(sql.format(**scratch), built_state.db, IN_PROCESS)
        assert refused.value.message.startswith("The query was refused:")
        assert reason in refused.value.message
        assert refused.value.hint  # says what the user can do instead

    _unchanged_after(attempt, built_state, tmp_path)


@pytest.mark.parametrize(("name", "sql", "reason"), REFUSED, ids=[r[0] for r in REFUSED])
def test_kb_query_refuses(
    name: str,
    sql: str,
    reason: str,
    scratch: dict[str, str],
    built_state: BuiltState,
    tmp_path: Path,
) -> None:
    def attempt() -> None:
        result = CliRunner().invoke(
            cli, ["query", "--db", str(built_state.db), sql.format(**scratch)]
        )
        assert result.exit_code == 1, result.output
        assert "The query was refused" in result.output
        assert reason in result.output
        assert "Traceback" not in result.output

    _unchanged_after(attempt, built_state, tmp_path)


def test_run_readonly_stops_a_runaway_query(built_state: BuiltState, tmp_path: Path) -> None:
    def attempt() -> None:
        started = time.monotonic()
        with pytest.raises(QueryError, match=r"stopped after its time limit of 0\.5 s"):
            sandbox.run_readonly(RUNAWAY, built_state.db, timeout=TIME_LIMIT)
        assert time.monotonic() - started < 10 * TIME_LIMIT + 2

    _unchanged_after(attempt, built_state, tmp_path)


def test_kb_query_stops_a_runaway_query(built_state: BuiltState, tmp_path: Path) -> None:
    def attempt() -> None:
        started = time.monotonic()
        result = CliRunner().invoke(
            cli, ["query", "--db", str(built_state.db), "--timeout", str(TIME_LIMIT), RUNAWAY]
        )
        assert result.exit_code == 1
        assert "stopped after its time limit of 0.5 s" in result.output
        assert time.monotonic() - started < 10 * TIME_LIMIT + 2

    _unchanged_after(attempt, built_state, tmp_path)


def test_store_still_answers_after_refusals(scratch: dict[str, str], built: Workspace) -> None:
    """Refused statements leave the connection pool usable: the next read works normally."""
    for _, sql, _ in REFUSED[:5]:
        with pytest.raises(QueryError):
            sandbox.run(sql.format(**scratch), built.db, IN_PROCESS)
    frame = sandbox.run(
        "SELECT value FROM kb_meta WHERE key = 'storage_version'", built.db, IN_PROCESS
    ).frame
    assert frame["value"].tolist() == ["v1.5.0"]


def test_plain_reads_are_allowed(workspace: Workspace) -> None:
    """The sandbox is not a wall: ordinary SELECTs over the store's tables work."""
    frame = sandbox.run_readonly("SELECT count(*) AS n FROM kb_meta", workspace.db).frame
    assert frame["n"].iloc[0] >= 5  # schema_version, kb_version, duckdb/storage version, built_at
    result = CliRunner().invoke(
        cli, ["query", "--db", str(workspace.db), "--format", "json", "SELECT 1 + 1 AS two"]
    )
    assert result.exit_code == 0, result.output
    assert '"two": 2' in result.output


# ------------------------------------------------------------------------ no file, anywhere

REPO = Path(__file__).resolve().parent.parent
# Statements that wrote files before the fix ({store} is the store's path): DuckDB's default
# temp directory <store>.tmp was writable although external access was off.
WRITERS = [
    "EXPORT DATABASE '{store}.tmp/'",
    "COPY (SELECT 'evil: yes' AS x) TO '{store}.tmp/evil.yaml'",
    "COPY (SELECT 1) TO '{data}/kb.duckdb.tmp/evil.yaml'",
    "EXPORT DATABASE '{data}/kb.duckdb.tmp/export'",
    "COPY (SELECT 1) TO 'relative-evil.csv'",
    "ATTACH '{store}.tmp/new.duckdb' AS other",
    "INSTALL httpfs",
    "SET temp_directory = '{store}.tmp'",
    "SET max_temp_directory_size = '1GB'",
    # Sorting more than the memory limit would spill into a temp directory, if there were one.
    "SELECT count(*) FROM (SELECT i, md5(i::VARCHAR) FROM range(5000000) t(i) ORDER BY 2)",
]


def _listing(*roots: Path) -> set[str]:
    return {str(p) for root in roots for p in root.rglob("*")}


@pytest.mark.parametrize("isolated", [False, True], ids=["in-process", "child"])
def test_the_box_creates_no_file(workspace: Workspace, tmp_path: Path, isolated: bool) -> None:
    """Every writer fails or runs without creating a file under tmp_path or the project's data/:
    no temp directory, no EXPORT or COPY target, no ATTACH, no extension cache."""
    limits = sandbox.Limits(timeout=10, memory_mb=64, isolated=isolated)
    before = _listing(tmp_path)
    data_tmp = REPO / "data" / "kb.duckdb.tmp"
    data_tmp_existed = data_tmp.exists()
    for template in WRITERS:
        sql = template.format(store=workspace.db, data=REPO / "data")
        with contextlib.suppress(QueryError):
            sandbox.run(sql, workspace.db, limits)
        assert _listing(tmp_path) == before, f"{sql} created a file"
    assert data_tmp.exists() == data_tmp_existed
    assert not (REPO / "relative-evil.csv").exists()


def test_sandbox_settings_are_in_force(built: Workspace) -> None:
    """The settings the box relies on, as DuckDB reports them inside the box."""
    limits = sandbox.Limits(memory_mb=512, threads=1, isolated=False)
    result = sandbox.run(
        "SELECT current_setting('temp_directory') AS temp, "
        "current_setting('max_temp_directory_size') AS temp_size, "
        "current_setting('memory_limit') AS memory, current_setting('threads') AS threads, "
        "current_setting('enable_external_access') AS external, "
        "current_setting('lock_configuration') AS locked, "
        "current_setting('python_enable_replacements') AS replacements",
        built.db,
        limits,
    )
    assert dict(zip(result.columns, result.rows[0], strict=True)) == {
        "temp": "",
        "temp_size": "0 bytes",
        "memory": "488.2 MiB",  # DuckDB reports 512 MB in MiB
        "threads": 1,
        "external": False,
        "locked": True,
        "replacements": False,
    }


def test_python_variables_are_not_tables(built: Workspace) -> None:
    secret_frame = pd.DataFrame({"token": ["hunter2"]})  # noqa: F841  (a replacement-scan target)
    with pytest.raises(QueryError, match="secret_frame"):
        sandbox.run("SELECT * FROM secret_frame", built.db, IN_PROCESS)


# ---------------------------------------------------------------------------------- bounds


def test_long_sql_is_refused_before_duckdb(built: Workspace) -> None:
    union = " UNION ALL ".join(f"SELECT {i}" for i in range(20_000))
    assert len(union) > 300_000
    started = time.monotonic()
    with pytest.raises(QueryError, match=r"characters long; the limit is 100,000"):
        sandbox.run(union, built.db)  # in a child, were it to start
    assert time.monotonic() - started < 1.0  # refused before a process or a parser


def test_rows_are_capped_with_a_note(built: Workspace) -> None:
    result = sandbox.run(
        "SELECT i FROM range(1000) t(i)", built.db, sandbox.Limits(max_rows=10, isolated=False)
    )
    assert [r[0] for r in result.rows] == list(range(10))
    assert result.truncated == "output truncated at 10 rows"
    assert sandbox.describe(result) == "10 rows (output truncated at 10 rows)"
    exact = sandbox.run("SELECT 1 FROM range(10)", built.db, sandbox.Limits(max_rows=10))
    assert len(exact.rows) == 10 and exact.truncated is None  # exactly at the cap is not cut


def test_bytes_are_capped_while_streaming(built: Workspace) -> None:
    """2 GB of result text stops at the byte cap and never reaches Python in full."""
    limits = sandbox.Limits(max_bytes=4 * 2**20, isolated=False)
    tracemalloc.start()
    try:
        result = sandbox.run("SELECT repeat('x', 20000) FROM range(100000)", built.db, limits)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert 150 <= len(result.rows) <= 4 * 2**20 // 20_000
    assert result.truncated == f"output truncated at {len(result.rows)} rows (4 MB)"
    assert peak < 64 * 2**20


@pytest.mark.parametrize("timeout", [0, -1, float("nan"), float("inf"), float("-inf")])
def test_only_positive_finite_timeouts(built: Workspace, timeout: float) -> None:
    with pytest.raises(QueryError, match="positive, finite number of seconds"):
        sandbox.run("SELECT 1", built.db, sandbox.Limits(timeout=timeout))


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--timeout", "0"], "0.0 is not in the range x>0"),
        (["--timeout", "-1"], "-1.0 is not in the range x>0"),
        (["--timeout", "nan"], "nan is not a finite number of seconds"),
        (["--timeout", "inf"], "inf is not a finite number of seconds"),
        (["-n", "0"], "0 is not in the range 1<=x<=1000000"),
        (["--max-rows", "99999999999999999999"], "is not in the range 1<=x<=1000000"),
    ],
)
def test_kb_query_refuses_bad_bounds(built: Workspace, args: list[str], message: str) -> None:
    result = CliRunner().invoke(cli, ["query", "--db", str(built.db), *args, "SELECT 1"])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_a_huge_scalar_stops_at_the_memory_limit(built: Workspace) -> None:
    """repeat() allocates outside DuckDB's memory accounting and ignores interrupts: only the
    child's address-space limit (or its kill at the deadline) stops it."""
    started = time.monotonic()
    with pytest.raises(QueryError, match=r"memory limit|time limit") as stopped:
        sandbox.run("SELECT length(repeat('x', 2000000000))", built.db, sandbox.Limits(timeout=5))
    assert "Traceback" not in str(stopped.value)
    # The time limit counts from the child's start; allow for a slow start on a busy machine.
    assert time.monotonic() - started < 5 + sandbox.KILL_GRACE_SECONDS + 20


def test_kb_query_notes_truncation_on_stderr(built: Workspace) -> None:
    result = CliRunner().invoke(
        cli,
        ["query", "--db", str(built.db), "-n", "3", "--format", "csv", "SELECT * FROM range(5)"],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == "range\n0\n1\n2\n"
    assert result.stderr == "Note: output truncated at 3 rows.\n"


# ------------------------------------------------------------------------ inputs that crashed

EMPTY = ["", "   ", "-- x", ";", "/* x */", ";;\n-- only a comment\n", "/* a */ ; -- b"]


@pytest.mark.parametrize("sql", EMPTY)
def test_statement_less_input_is_refused(built: Workspace, sql: str) -> None:
    with pytest.raises(QueryError, match=r"^The query (is empty|holds no statement)"):
        sandbox.run(sql, built.db, IN_PROCESS)


@pytest.mark.parametrize(
    "sql", ["SELECT 1; SELECT 2", "SELECT 1; DROP TABLE kb_meta", "SELECT 1;;SELECT 2"]
)
def test_more_than_one_statement_is_refused(built: Workspace, sql: str) -> None:
    with pytest.raises(QueryError, match="The query holds 2 statements") as refused:
        sandbox.run(sql, built.db, IN_PROCESS)
    assert refused.value.hint == sandbox.ONE_STATEMENT_HINT


def test_a_trailing_semicolon_and_comment_are_one_statement(built: Workspace) -> None:
    result = sandbox.run("SELECT 'a;b' AS s; -- done", built.db, IN_PROCESS)
    assert result.rows == (("a;b",),)


def test_duplicate_column_names_are_made_unique(built: Workspace) -> None:
    result = sandbox.run("SELECT 1 AS a, 2 AS a, 3 AS a_2", built.db, IN_PROCESS)
    assert result.columns == ("a", "a_2", "a_2_2")
    assert json.loads(sandbox.render(result, "json")) == [{"a": 1, "a_2": 2, "a_2_2": 3}]


TYPED = (
    "SELECT 170141183460469231731687303715884105727::HUGEINT AS huge, "
    "340282366920938463463374607431768211455::UHUGEINT AS uhuge, "
    "'\\xAA\\x00ab'::BLOB AS blob, INTERVAL '2 days 3 hours' AS span, "
    "'12345678-1234-5678-1234-567812345678'::UUID AS id, TIME '12:34:56' AS t, "
    "1.25::DECIMAL(18, 3) AS dec, [[1, 2], [3]] AS nested, {'a': 1, 'b': [1, 2]} AS rec, "
    "MAP {1: 'one'} AS m, 'nan'::DOUBLE AS nan, DATE '2023-03-14' AS d, "
    "TIMESTAMP '2023-03-14 10:00:00' AS ts, [1, 2]::INTEGER[2] AS arr, '101'::BIT AS bits"
)


def test_every_type_in_every_format(built: Workspace) -> None:
    result = sandbox.run(TYPED, built.db, IN_PROCESS)
    assert json.loads(sandbox.render(result, "json")) == [
        {
            "huge": 2**127 - 1,
            "uhuge": 2**128 - 1,
            "blob": "\\xAA\\x00ab",
            "span": "2 days, 3:00:00",
            "id": "12345678-1234-5678-1234-567812345678",
            "t": "12:34:56",
            "dec": 1.25,
            "nested": [[1, 2], [3]],
            "rec": {"a": 1, "b": [1, 2]},
            "m": {"1": "one"},
            "nan": None,
            "d": "2023-03-14",
            "ts": "2023-03-14T10:00:00",
            "arr": [1, 2],
            "bits": "101",
        }
    ]
    rows = list(csv.reader(io.StringIO(sandbox.render(result, "csv"))))
    assert rows[0] == list(result.columns)
    assert rows[1][:2] == [str(2**127 - 1), str(2**128 - 1)]
    assert rows[1][7:10] == ["[[1,2],[3]]", '{"a":1,"b":[1,2]}', '{"1":"one"}']
    table = sandbox.render(result, "table")
    assert str(2**127 - 1) in table and "[[1,2],[3]]" in table
    frame = result.frame
    assert frame.shape == (1, 15)
    pa.Table.from_pandas(frame)  # what st.dataframe needs: every column converts to Arrow


def test_a_statement_with_an_empty_result(built: Workspace) -> None:
    result = sandbox.run("SET VARIABLE x = 1", built.db, IN_PROCESS)
    assert result.rows == ()
    assert sandbox.render(result, "table") == "(no rows)\n"
    assert sandbox.render(result, "json") == "[]\n"


# ------------------------------------------------------------------------------ server paths


def test_no_server_path_in_errors_or_results(workspace: Workspace) -> None:
    secrets = [str(workspace.db.parent), str(REPO), str(Path.home())]
    seen: list[str] = []
    for sql in [
        "INSTALL httpfs",
        f"SELECT * FROM read_text('{workspace.db}')",
        f"ATTACH '{REPO}/data/other.duckdb'",
        "SELECT * FROM no_such_table",
    ]:
        with pytest.raises(QueryError) as refused:
            sandbox.run(sql, workspace.db, IN_PROCESS)
        seen.append(str(refused.value))
    for sql in [
        "SELECT * FROM duckdb_databases()",
        "PRAGMA database_list",
        "SELECT name, value FROM duckdb_settings()",
    ]:
        seen.append(sandbox.render(sandbox.run(sql, workspace.db, IN_PROCESS), "json"))
    assert "<store>" in seen[1] and "~" in seen[0]
    for text in seen:
        for secret in secrets:
            assert secret not in text


# ------------------------------------------------------------------------- CSV for spreadsheets


def test_csv_neutralises_formula_cells() -> None:
    """OWASP's rule: a text cell starting with = + - @ tab or CR gets a leading apostrophe,
    unless it is a plain number; numeric columns and other text stay as they are."""
    frame = pd.DataFrame(
        {
            '=HYPERLINK("http://x")': ['=HYPERLINK("http://x","y")', "+1+2", "-2+3", "@SUM(A1)"],
            "text": ["\tx", "\rx", "plain", "a=b"],
            "numbers as text": ["-1.5", "+3", "-.5e3", "-"],
            "numbers": [-1.5, 2.0, -3.0, 4.5],
        }
    )
    rows = list(csv.reader(io.StringIO(sandbox.to_csv(frame), newline="")))
    assert rows == [
        ['\'=HYPERLINK("http://x")', "text", "numbers as text", "numbers"],
        ['\'=HYPERLINK("http://x","y")', "'\tx", "-1.5", "-1.5"],
        ["'+1+2", "'\rx", "+3", "2.0"],
        ["'-2+3", "plain", "-.5e3", "-3.0"],
        ["'@SUM(A1)", "a=b", "'-", "4.5"],
    ]


def test_kb_query_csv_neutralises_formulas(built: Workspace) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "query",
            "--db",
            str(built.db),
            "--format",
            "csv",
            "SELECT '=HYPERLINK(''http://evil'')' AS link, -1 AS n, '-1' AS s",
        ],
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["link,n,s", "'=HYPERLINK('http://evil'),-1,-1"]


# --------------------------------------------------------------------------- child process


def test_the_reply_reader_refuses_code() -> None:
    """A child that misbehaved cannot make the parent run code through pickle."""
    payload = pickle.dumps(os.system)
    with pytest.raises(pickle.UnpicklingError, match="not allowed"):
        sandbox._PlainUnpickler(io.BytesIO(payload)).load()


def test_streamlit_serves_locally_without_statistics() -> None:
    """.streamlit/config.toml is what `streamlit run` from the repository root picks up."""
    shown = subprocess.run(
        [str(Path(sys.executable).with_name("streamlit")), "config", "show"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    source = f"# The value below was set in {REPO / '.streamlit' / 'config.toml'}"
    for setting in [
        'address = "127.0.0.1"',
        "gatherUsageStats = false",
        'toolbarMode = "minimal"',
        "headless = true",
    ]:
        assert f"{source}\n{setting}" in shown, setting
