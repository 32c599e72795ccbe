"""kb build reports the seconds each step took (the benchmark's per-step table)."""

from __future__ import annotations

import time
from pathlib import Path

import duckdb

from kb import build
from kb.build import BuildContext, Step


def test_report_times_each_step_in_build_order(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()

    def slow(con: duckdb.DuckDBPyConnection, ctx: BuildContext) -> None:
        time.sleep(0.02)

    def quick(con: duckdb.DuckDBPyConnection, ctx: BuildContext) -> None:
        con.execute("SELECT 1").fetchall()

    report = build.build(
        tmp_path / "kb.duckdb",
        data_dir=data_dir,
        raw_dir=None,
        steps=[Step("second", quick, needs=("first",)), Step("first", slow)],
    )
    assert list(report.step_seconds) == ["first", "second"]
    assert report.step_seconds["first"] >= 0.02
    assert sum(report.step_seconds.values()) <= report.seconds


def test_the_build_caps_duckdb_memory_and_removes_what_it_spilled(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    seen: dict[str, object] = {}

    def spill(con: duckdb.DuckDBPyConnection, ctx: BuildContext) -> None:
        seen["limit"], seen["folder"] = con.execute(
            "SELECT current_setting('memory_limit'), current_setting('temp_directory')"
        ).fetchone()
        con.execute("SET memory_limit = '16MB'")  # far below the table: it must spill
        con.execute(
            "CREATE TEMP TABLE big AS SELECT range AS i, repeat('x', 100) || range AS s "
            "FROM range(1000000)"
        )
        seen["spilled"] = any(Path(str(seen["folder"])).iterdir())

    build.build(tmp_path / "kb.duckdb", data_dir=data_dir, raw_dir=None, steps=[Step("s", spill)])
    assert (
        seen["limit"]
        == duckdb.connect(config={"memory_limit": build.BUILD_MEMORY_LIMIT})
        .execute("SELECT current_setting('memory_limit')")
        .fetchone()[0]
    )
    assert Path(str(seen["folder"])).parent == tmp_path
    assert seen["spilled"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["data", "kb.duckdb"]
