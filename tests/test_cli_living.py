"""`kb ingest epoch`, `kb ingest models-dev`, `kb fetch` and the build's handling of living
sources, through click's CliRunner on private copies of data/, the store and the cache.

Expected counts are computed here from the mirror files with pandas, never by kb itself.
"""

from __future__ import annotations

import http.server
import io
import json
import shutil
import tarfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pytest
import yaml
from click.testing import CliRunner, Result
from conftest import REPO, Workspace, snapshot, store_dump

from kb import build as kbbuild
from kb import store
from kb.cli import cli
from kb.releases import living, upstream

MIRRORS = REPO.parent / "shared" / "data"
EPOCH = MIRRORS / "epoch"
MODELS_DEV = MIRRORS / "models-dev"
APRIL = EPOCH / "snapshots" / "2026-04-23" / "notable_ai_models.csv"
NOTABLE = EPOCH / "notable_ai_models.csv"
LARGE = EPOCH / "large_scale_ai_models.csv"
BENCHMARKED = EPOCH / "benchmarked_models.csv"

pytestmark = pytest.mark.skipif(
    not EPOCH.is_dir() or not MODELS_DEV.is_dir(), reason="no Epoch / models.dev mirror"
)


def _models(path: Path) -> set[str]:
    return set(pd.read_csv(path, dtype=str, keep_default_na=False)["Model"].str.strip())


@pytest.fixture
def empty_living(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A data/ copy whose manifest records no snapshot, and a private cache."""
    monkeypatch.setenv("KB_CACHE_DIR", str(tmp_path / "cache"))
    data_dir = tmp_path / "data"
    shutil.copytree(REPO / "data", data_dir, ignore=shutil.ignore_patterns("*.duckdb*", "cache"))
    (data_dir / "snapshots.yml").write_text("snapshots: []\n", encoding="utf-8")
    return data_dir


def invoke(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args))


def test_ingest_reports_the_diff_per_table_in_json(empty_living: Path, tmp_path: Path) -> None:
    db = str(tmp_path / "absent.duckdb")
    first = invoke("ingest", "epoch", str(APRIL), "--data-dir", str(empty_living), "--db", db)
    assert first.exit_code == 0, first.output
    result = invoke(
        "ingest", "epoch", str(NOTABLE), str(LARGE), "--data-dir", str(empty_living),
        "--db", db, "--dry-run", "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    tables = {t["table"]: t for t in report["tables"]}
    april, august, large = _models(APRIL), _models(NOTABLE), _models(LARGE)
    notable = tables["notable"]
    assert notable["previous_snapshot"] == "2026-04-23"
    assert notable["added"] == len(august - april) == len(notable["added_records"])
    assert set(notable["added_records"]) == august - april
    assert set(notable["removed_records"]) == april - august
    assert notable["added"] + notable["updated"] + notable["unchanged"] == len(august)
    assert {"added", "updated", "removed", "unchanged"} <= set(notable)
    assert tables["large_scale"]["added"] == len(large) and tables["large_scale"]["removed"] == 0
    assert report["dry_run"] and report["store_rebuilt"] is None
    # The dry run wrote nothing: only April is recorded.
    recorded = yaml.safe_load((empty_living / "snapshots.yml").read_text())["snapshots"]
    assert [s["snapshot_date"] for s in recorded] == ["2026-04-23"]


def test_ingest_twice_changes_nothing(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The workspace's data/ already records the mirrors' snapshots (data/snapshots.yml).
    monkeypatch.setenv("KB_DATA_DIR", str(workspace.data_dir))
    files, rows = snapshot(workspace.data_dir), store_dump(workspace.db)
    for args in (
        ["epoch", str(NOTABLE), str(LARGE), str(BENCHMARKED)],
        ["models-dev", str(MODELS_DEV)],
    ):
        result = invoke("ingest", *args, "--db", str(workspace.db), "--format", "json")
        assert result.exit_code == 0, result.output
        report = json.loads(result.output)
        assert all(not t["new_snapshot"] for t in report["tables"])
        assert report["store_rebuilt"] is None
    assert snapshot(workspace.data_dir) == files
    assert store_dump(workspace.db) == rows


def test_ingest_records_then_rebuilds_the_store(
    empty_living: Path, tmp_path: Path, built: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KB_RAW_DIR", str(built.raw_dir))
    db = tmp_path / "kb.duckdb"
    shutil.copy2(built.db, db)  # a store from every snapshot; the ingest rebuilds it from data/
    result = invoke(
        "ingest", "models-dev", str(MODELS_DEV), "--data-dir", str(empty_living), "--db", str(db)
    )
    assert result.exit_code == 0, result.output
    assert "rebuilt" in result.output
    recorded = yaml.safe_load((empty_living / "snapshots.yml").read_text())["snapshots"]
    assert [(s["source"], s["table"]) for s in recorded] == [("models.dev", "models")]
    with store.connect(db) as con:
        sources = con.execute("SELECT DISTINCT source FROM source_records").fetchall()
        held = con.execute("SELECT count(*) FROM source_records").fetchone()
    served = {p.stem for p in MODELS_DEV.glob("providers/*/models/**/*.toml")}
    assert sources == [("models.dev",)]
    assert held is not None and 0 < held[0] <= len(served) + len(
        list(MODELS_DEV.glob("models/*/*.toml"))
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["epoch", str(MODELS_DEV)], "is a directory"),
        (["models-dev", str(NOTABLE)], "is a file"),
    ],
)
def test_wrong_kind_of_input_is_refused(args: list[str], message: str, empty_living: Path) -> None:
    result = invoke("ingest", *args, "--data-dir", str(empty_living))
    assert result.exit_code != 0 and message in result.output


def test_bad_file_lists_every_problem_and_writes_nothing(
    empty_living: Path, tmp_path: Path
) -> None:
    before = snapshot(empty_living)
    header = NOTABLE.read_text(encoding="utf-8").splitlines()[0]
    columns = header.split(",")
    bad = tmp_path / "2026-09-01" / "notable_ai_models.csv"
    bad.parent.mkdir()
    row = ",".join({"Model": "X", "Publication date": "2026-02-30"}.get(c, "") for c in columns)
    bad.write_text(f"{header}\n{row}\n", encoding="utf-8")
    result = invoke("ingest", "epoch", str(NOTABLE), str(bad), "--data-dir", str(empty_living))
    assert result.exit_code == 1
    assert "1 problem, nothing was written" in result.output
    assert "line 2: field 'Publication date': '2026-02-30' is not a date" in result.output
    assert "Traceback" not in result.output
    assert snapshot(empty_living) == before


def test_same_table_same_day_other_bytes_is_refused(empty_living: Path, tmp_path: Path) -> None:
    copy = tmp_path / "2026-08-19" / "notable_ai_models.csv"
    copy.parent.mkdir()
    copy.write_text(NOTABLE.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert invoke("ingest", "epoch", str(NOTABLE), "--data-dir", str(empty_living)).exit_code == 0
    result = invoke("ingest", "epoch", str(copy), "--data-dir", str(empty_living))
    assert result.exit_code == 1
    assert "another snapshot of epoch/notable dated 2026-08-19" in result.output
    assert "--snapshot-date" in result.output


def test_build_skips_a_snapshot_it_cannot_find(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A machine without the Epoch mirror or cache still builds, and says what it skipped."""
    monkeypatch.setenv("KB_CACHE_DIR", str(tmp_path / "cache"))
    data_dir = tmp_path / "data"
    shutil.copytree(REPO / "data", data_dir, ignore=shutil.ignore_patterns("*.duckdb*", "cache"))
    lonely_raw = tmp_path / "only" / "gpts-are-gpts"  # no epoch/ or models-dev/ beside it
    lonely_raw.mkdir(parents=True)
    messages: list[str] = []
    db = tmp_path / "kb.duckdb"
    # The timeline side only: the exposure steps need their own mirrors, not these.
    steps = [s for s in kbbuild.STEPS if s.name in ("release timeline", "living sources")]
    report = kbbuild.build(
        db, data_dir=data_dir, raw_dir=lonely_raw, progress=messages.append, steps=steps
    )
    recorded = yaml.safe_load((data_dir / "snapshots.yml").read_text())["snapshots"]
    skipped = [m for m in messages if m.startswith("skipping snapshot")]
    assert len(skipped) == len(recorded) == report.counts["living_snapshots_missing"]
    with store.connect(db) as con:
        assert con.execute("SELECT count(*) FROM snapshots WHERE NOT loaded").fetchone() == (
            len(recorded),
        )
        assert con.execute("SELECT count(*) FROM release_origins").fetchone() == (0,)
        curated = len(list((data_dir / "releases").glob("*.yaml")))
        assert con.execute("SELECT count(*) FROM releases").fetchone() == (curated,)


def test_ingest_of_all_sources_takes_at_most_3_seconds(empty_living: Path) -> None:
    started, cpu = time.perf_counter(), time.process_time()
    results = living.take_in(
        [NOTABLE, LARGE, BENCHMARKED, MODELS_DEV], data_dir=empty_living, raw_dir=None
    )
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu
    assert [r.snapshot.table for r in results if r.new] == [
        "models", "notable", "large_scale", "benchmarked",
    ]  # fmt: skip
    # Measured ~1.3 s CPU on an idle machine; the wall clock allows for a busy shared box.
    assert cpu < 3, f"take-in used {cpu:.2f} s CPU ({wall:.2f} s wall)"


# --- kb fetch, against a local server (no internet here) ------------------------------------


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    """A web server on 127.0.0.1 serving tmp_path/site."""
    site = tmp_path / "site"
    site.mkdir()

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
            super().__init__(*args, directory=str(site), **kwargs)

        def log_message(self, format: str, *args: object) -> None:
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def _models_dev_archive(target: Path) -> None:
    """The mirror packed as GitHub packs a repository: one top folder, other files beside."""
    with tarfile.open(target, "w:gz") as tar:
        tar.add(MODELS_DEV / "models", arcname="models.dev-main/models")
        tar.add(MODELS_DEV / "providers", arcname="models.dev-main/providers")
        readme = b"not data"
        info = tarfile.TarInfo("models.dev-main/README.md")
        info.size = len(readme)
        tar.addfile(info, io.BytesIO(readme))


def test_fetch_downloads_and_ingests(
    server: str, tmp_path: Path, empty_living: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = tmp_path / "site"
    shutil.copy(NOTABLE, site / "notable_ai_models.csv")
    shutil.copy(LARGE, site / "large_scale_ai_models.csv")
    _models_dev_archive(site / "models.dev.tar.gz")
    monkeypatch.setattr(
        upstream,
        "EPOCH_FILES",
        {
            name: f"{server}/{name}"
            for name in ("notable_ai_models.csv", "large_scale_ai_models.csv")
        },
    )
    monkeypatch.setattr(upstream, "MODELS_DEV_ARCHIVE", f"{server}/models.dev.tar.gz")
    common = ["--data-dir", str(empty_living), "--db", str(tmp_path / "absent.duckdb")]
    result = invoke("fetch", "epoch", *common, "--snapshot-date", "2026-09-01", "--format", "json")
    assert result.exit_code == 0, result.output
    tables = {t["table"]: t for t in json.loads(result.output)["tables"]}
    assert tables["notable"]["added"] == len(_models(NOTABLE))
    assert tables["notable"]["snapshot"] == "2026-09-01"
    result = invoke("fetch", "models-dev", *common, "--snapshot-date", "2026-09-01")
    assert result.exit_code == 0, result.output
    recorded = yaml.safe_load((empty_living / "snapshots.yml").read_text())["snapshots"]
    by_table = {s["table"]: s for s in recorded}
    # The same bytes as the mirror: the same checksums as the committed manifest's.
    committed = yaml.safe_load((REPO / "data" / "snapshots.yml").read_text())["snapshots"]
    expected = {s["file"]: s["sha256"] for s in committed}
    assert by_table["notable"]["sha256"] == expected["epoch/notable_ai_models.csv"]
    assert by_table["models"]["sha256"] == expected["models-dev"]


def test_fetch_failure_is_a_clear_error(
    server: str, empty_living: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(upstream, "EPOCH_FILES", {"notable_ai_models.csv": f"{server}/absent.csv"})
    before = snapshot(empty_living)
    result = invoke("fetch", "epoch", "--data-dir", str(empty_living))
    assert result.exit_code == 1
    assert f"could not download {server}/absent.csv" in result.output
    assert "Traceback" not in result.output
    assert snapshot(empty_living) == before
