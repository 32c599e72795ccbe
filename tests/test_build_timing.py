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
