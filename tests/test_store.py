"""kb.store and the store commands: atomic builds, schema-version and lock errors users can act
on, `kb info`, and `kb query` refusing anything but reading (the full sandbox table is in
tests/test_query_sandbox.py)."""

from __future__ import annotations

import graphlib
import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import curated_release_files, steps_through, store_dump

from kb import build as kbbuild
from kb import releases as kbreleases
from kb import store
from kb.cli import cli
from kb.errors import StoreError


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if ".tmp-" in p.name)


def test_failing_build_step_leaves_the_previous_store_intact(workspace, monkeypatch):
    before = store_dump(workspace.db)

    def broken(con, ctx):
        raise RuntimeError("step exploded")

    steps = [
        kbbuild.Step(s.name, broken if s.run is kbreleases.load_into else s.run, s.needs)
        for s in kbbuild.STEPS
    ]
    monkeypatch.setattr(kbbuild, "STEPS", tuple(steps))
    with pytest.raises(RuntimeError, match="step exploded"):
        kbbuild.build(workspace.db, data_dir=workspace.data_dir, raw_dir=workspace.raw_dir)
    assert store_dump(workspace.db) == before
    assert leftovers(workspace.db.parent) == []
    with store.connect(workspace.db) as con:
        curated = con.execute(
            "SELECT count(*) FROM releases WHERE id NOT IN (SELECT release_id FROM release_origins)"
        ).fetchone()[0]
    assert curated == curated_release_files()


def test_failing_last_step_leaves_the_previous_store_intact(workspace):
    before = store_dump(workspace.db)

    def missing(con, ctx):
        return kbreleases.no_such_step(con, ctx)

    # Fails after a step has written rows into the new file; which and how many steps ran
    # first does not change what a failure must leave behind.
    first = kbbuild.STEPS[0]
    last = kbbuild.Step("nothing", missing, needs=(first.name,))
    with pytest.raises(AttributeError):
        kbbuild.build(
            workspace.db,
            data_dir=workspace.data_dir,
            raw_dir=workspace.raw_dir,
            steps=(first, last),
        )
    assert store_dump(workspace.db) == before and leftovers(workspace.db.parent) == []


def test_build_steps_are_ordered_by_what_they_need():
    names = [step.name for step in kbbuild.ordered(kbbuild.STEPS)]
    assert names == [
        "release timeline",
        "task-exposure data",
        "exposure sources",
        "employment vintages",
        "O*NET 29.3 tasks",
        "Anthropic Economic Index",
        "living sources",
        "ingested label sets",
        "label keys",
        "observed usage",
    ]
    backwards = kbbuild.ordered(tuple(reversed(kbbuild.STEPS)))
    for position, step in enumerate(backwards):
        assert all([s.name for s in backwards].index(n) < position for n in step.needs), step.name
    loop = (
        kbbuild.Step("a", lambda con, ctx: None, needs=("b",)),
        kbbuild.Step("b", lambda con, ctx: None, needs=("a",)),
    )
    with pytest.raises(graphlib.CycleError):
        kbbuild.ordered(loop)
    with pytest.raises(ValueError, match="needs unknown steps"):
        kbbuild.ordered((kbbuild.Step("a", lambda con, ctx: None, needs=("missing",)),))


@pytest.mark.parametrize("content", [b"keep me\n", b"", b"x" * 4096])
def test_build_refuses_to_replace_a_file_that_is_not_a_store(tmp_path, built, content):
    victim = tmp_path / "important.txt"
    victim.write_bytes(content)
    with pytest.raises(StoreError) as info:
        kbbuild.build(victim, data_dir=built.data_dir, raw_dir=built.raw_dir)
    assert str(info.value) == (
        f"{victim} exists and is not a DuckDB store; `kb build` will not "
        "replace it.\nPass --db a new path or the path of a kb store."
    )
    assert victim.read_bytes() == content and leftovers(tmp_path) == []


def test_build_creates_a_store_where_none_was(tmp_path, built):
    db = tmp_path / "sub" / "new.duckdb"
    # The release steps suffice to count releases; `built` is a whole store built from nothing.
    steps = steps_through("release timeline")
    report = kbbuild.build(db, data_dir=built.data_dir, raw_dir=built.raw_dir, steps=steps)
    assert report.db == db and db.exists() and report.counts["releases"] == curated_release_files()
    assert store.status(db, built.data_dir) is None


def test_store_from_another_schema_version_is_refused(workspace):
    with store.connect(workspace.db, read_only=False) as con:
        con.execute("UPDATE kb_meta SET value = 'old0schema' WHERE key = 'schema_version'")
    with pytest.raises(StoreError) as info, store.connect(workspace.db):
        pass
    assert str(info.value) == (
        f"{workspace.db} was built with schema version old0schema, this kb expects "
        f"{store.schema_version()}.\nRebuild it with `kb build`."
    )
    assert (
        store.status(workspace.db, workspace.data_dir)
        == "the store was built by another schema version"
    )
    result = CliRunner().invoke(cli, ["timeline", "--db", str(workspace.db)])
    assert result.exit_code == 1 and "Rebuild it with `kb build`." in result.output


def test_missing_store_says_how_to_create_it(tmp_path):
    result = CliRunner().invoke(cli, ["info", "--db", str(tmp_path / "none.duckdb")])
    assert result.exit_code == 1
    assert "No store at" in result.output and "Create it with `kb build`" in result.output


def test_lock_held_by_another_writer_is_a_readable_error(workspace):
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time\n"
            "con = duckdb.connect(sys.argv[1])\n"
            "print('ready', flush=True)\n"
            "time.sleep(60)\n",
            str(workspace.db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        with (
            pytest.raises(StoreError) as info,
            store.connect(workspace.db, retry_seconds=0.3),
        ):
            pass
        assert f"The store {workspace.db} is locked" in info.value.message
        assert info.value.hint == store.LOCK_HINT
        result = CliRunner().invoke(cli, ["timeline", "--db", str(workspace.db)])
        assert result.exit_code == 1 and "is locked" in result.output
        assert "Traceback" not in result.output
    finally:
        holder.kill()
        holder.wait(timeout=10)


def test_info_lists_tables_and_build_facts(built):
    result = CliRunner().invoke(cli, ["info", "--db", str(built.db), "--format", "json"])
    assert result.exit_code == 0
    info = json.loads(result.output)
    # The curated files plus the releases Epoch AI and models.dev bring (release_origins).
    releases = curated_release_files() + info["tables"]["release_origins"]
    assert info["tables"]["release_origins"] > 0
    assert info["tables"]["releases"] == releases
    assert info["meta"]["schema_version"] == store.schema_version()
    assert info["meta"]["storage_version"] == store.STORAGE_VERSION
    table = CliRunner().invoke(cli, ["info", "--db", str(built.db)])
    assert table.exit_code == 0
    assert any(
        line.split()[:2] == ["releases", f"{releases:,}"] for line in table.output.splitlines()
    )


@pytest.mark.parametrize(
    "sql",
    [
        "DELETE FROM releases",
        "DROP TABLE facts",
        "UPDATE releases SET name = 'x'",
        "CREATE TABLE t AS SELECT 1",
        "ATTACH '{tmp}/other.duckdb' AS other",
        "COPY releases TO '{tmp}/out.csv'",
        "SELECT * FROM read_csv('/etc/passwd')",
        "INSTALL httpfs",
        "LOAD httpfs",
    ],
)
def test_query_refuses_anything_but_reading(built, tmp_path, sql):
    before = store_dump(built.db)
    result = CliRunner().invoke(cli, ["query", "--db", str(built.db), sql.format(tmp=tmp_path)])
    assert result.exit_code == 1
    assert "Error: The query was refused" in result.output and "Traceback" not in result.output
    assert store_dump(built.db) == before
    assert list(tmp_path.iterdir()) == []


def test_query_reads_the_timeline_views(built):
    result = CliRunner().invoke(
        cli,
        [
            "query",
            "--db",
            str(built.db),
            "--format",
            "json",
            "SELECT id FROM timeline WHERE id NOT IN (SELECT release_id FROM release_origins) "
            "AND date >= DATE '2023-02-07' ORDER BY position LIMIT 3",
        ],
    )
    assert result.exit_code == 0
    assert [r["id"] for r in json.loads(result.output)] == ["bing-chat", "toolformer", "llama"]


def test_runaway_query_is_stopped_by_the_time_limit(built):
    result = CliRunner().invoke(
        cli,
        [
            "query",
            "--db",
            str(built.db),
            "--timeout",
            "0.5",
            "SELECT count(*) FROM range(1000000000000) a(i) WHERE i * i % 7 = 3",
        ],
    )
    assert result.exit_code == 1
    assert "The query was stopped after its time limit of 0.5 s." in result.output
