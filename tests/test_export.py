"""kb.export / `kb export parquet`: the store as Parquet that plain DuckDB reads without kb.

The headline is reproduced by the DuckDB command-line binary (from the `duckdb-cli` package, a
DuckDB that has never seen kb) running views.sql over the exported files, and checked against
the paper's published figures and against pandas computing it from the Parquet files directly.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from kb import store
from kb.cli import cli
from kb.errors import KBError
from kb.export import CHECKSUMS_FILE, MANIFEST, PROVENANCE_FILE, VIEWS_FILE, export_parquet

PUBLISHED = {0.1: 0.80, 0.5: 0.19}  # Eloundou et al. (2023): share of workers, human beta
PUBLISHED_TOLERANCE = 0.01
BETA = {"E0": 0.0, "E1": 1.0, "E2": 0.5}


def duckdb_cli() -> str:
    found = shutil.which("duckdb", path=str(Path(sys.executable).parent)) or shutil.which("duckdb")
    if not found:
        pytest.skip("the duckdb command-line binary is not installed (pip install duckdb-cli)")
    return found


def plain_duckdb(folder: Path, *statements: str) -> list[dict]:
    """Run statements in the DuckDB CLI from the export folder, in an environment without kb;
    the last statement's rows as JSON."""
    commands = ["-c", f".read {VIEWS_FILE}"]
    for statement in statements:
        commands += ["-c", statement]
    result = subprocess.run(
        [duckdb_cli(), "-json", ":memory:", *commands],
        cwd=folder,
        env={"PATH": "/usr/bin:/bin", "HOME": str(folder)},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0 and "Error" not in result.stderr, result.stderr
    # Each statement with rows prints one JSON array; the last one is the answer.
    decoder, text, arrays = json.JSONDecoder(), result.stdout.strip(), []
    while text:
        value, end = decoder.raw_decode(text)
        arrays.append(value)
        text = text[end:].strip()
    return arrays[-1] if arrays else []


@pytest.fixture(scope="module")
def exported(built, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("export") / "kb-parquet"
    with store.connect(built.db) as con:
        export_parquet(con, folder)
    return folder


def pandas_headline(folder: Path) -> dict[float, float]:
    """The paper's headline from the Parquet files with pandas alone: beta per human-labelled
    task, equal-weight mean per occupation, the paper's employment per occupation, threshold."""
    labels = pd.read_parquet(folder / "task_labels" / "rater=human")
    labels["beta"] = labels["label"].map(BETA)
    assert labels["beta"].notna().all()
    exposure = labels.groupby("onet_code")["beta"].mean().rename("exposure")
    units = pd.read_parquet(folder / "occupation_units.parquet")
    units = units[(units["employment_recipe"] == "paper") & units["employment"].notna()]
    merged = units.merge(exposure, left_on="onet_code", right_index=True, how="inner")
    total = merged["employment"].sum()
    return {
        t: float(merged.loc[merged["exposure"] > t, "employment"].sum() / total) for t in (0.1, 0.5)
    }


def test_plain_duckdb_reproduces_the_headline(exported: Path) -> None:
    rows = plain_duckdb(
        exported,
        "SELECT threshold, share_workers FROM exposure_headline "
        "WHERE rater = 'human' AND measure = 'beta' ORDER BY threshold",
    )
    shares = {row["threshold"]: row["share_workers"] for row in rows}
    assert sorted(shares) == [0.1, 0.5]
    independent = pandas_headline(exported)
    for threshold, share in shares.items():
        assert share == pytest.approx(independent[threshold], abs=1e-12)
        assert share == pytest.approx(PUBLISHED[threshold], abs=PUBLISHED_TOLERANCE)
    assert f"{shares[0.1]:.1%}" == "80.6%" and f"{shares[0.5]:.1%}" == "19.0%"


def test_every_table_and_view_is_readable_by_plain_duckdb(exported: Path) -> None:
    manifest = json.loads((exported / MANIFEST).read_text())
    names = [*manifest["tables"], *manifest["views"]]
    union = " UNION ALL ".join(f"SELECT '{n}' AS name, count(*) AS n FROM \"{n}\"" for n in names)
    counts = {row["name"]: row["n"] for row in plain_duckdb(exported, union)}
    assert set(counts) == set(names)
    for table, rows in manifest["tables"].items():
        assert counts[table] == rows, table


def test_task_labels_are_partitioned_by_rater(exported: Path, built) -> None:
    with store.connect(built.db) as con:
        raters = sorted(
            r[0] for r in con.execute("SELECT DISTINCT rater FROM task_labels").fetchall()
        )
    folders = sorted(p.name for p in (exported / "task_labels").iterdir())
    assert folders == [f"rater={r}" for r in raters]


def test_provenance_lists_every_upstream_file_with_its_checksum(
    exported: Path, raw_dir: Path
) -> None:
    text = (exported / PROVENANCE_FILE).read_text()
    sums = (raw_dir / "SHA256SUMS").read_text().split()
    pairs = dict(zip(sums[1::2], sums[0::2], strict=True))  # file -> sha256, from the mirror
    files = pd.read_parquet(exported / "upstream_files.parquet")
    assert len(files) > 0
    for row in files.itertuples():
        assert row.sha256 in text and row.licence in text
        if row.dataset == "gpts-are-gpts" and row.file in pairs:
            assert row.sha256 == pairs[row.file]
    listed = (exported / CHECKSUMS_FILE).read_text()
    assert "occupations.parquet" in listed and VIEWS_FILE in listed


def test_refuses_a_folder_that_is_not_an_export(built, tmp_path: Path) -> None:
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "keep.txt").write_text("mine")
    with store.connect(built.db) as con, pytest.raises(KBError) as caught:
        export_parquet(con, folder)
    assert str(caught.value).startswith(f"{folder.resolve()} is not empty and holds no kb export")
    assert [p.name for p in folder.iterdir()] == ["keep.txt"]
    assert not list(tmp_path.glob(".notes.tmp-*"))


def test_an_earlier_export_is_replaced_whole(built, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    with store.connect(built.db) as con:
        export_parquet(con, folder)
        (folder / "stale.parquet").write_text("left from before")
        export_parquet(con, folder)
    assert not (folder / "stale.parquet").exists()
    assert (folder / VIEWS_FILE).is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_cli_exports_and_shows_an_example(built, tmp_path: Path) -> None:
    runner = CliRunner()
    helped = runner.invoke(cli, ["export", "parquet", "--help"])
    assert helped.exit_code == 0 and "Example:" in helped.output
    result = runner.invoke(cli, ["export", "parquet", str(tmp_path / "p"), "--db", str(built.db)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("Exported ") and (tmp_path / "p" / MANIFEST).is_file()
    (tmp_path / "other").mkdir()
    (tmp_path / "other" / "x").write_text("x")
    refused = runner.invoke(
        cli, ["export", "parquet", str(tmp_path / "other"), "--db", str(built.db)]
    )
    assert refused.exit_code == 1 and "holds no kb export" in refused.output
