"""A damaged upstream file (wrong checksum, truncated, missing, replaced by something else) stops
`kb build` with a message naming the file and what is wrong, and the previous store is left
exactly as it was and still answers queries."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import Workspace, snapshot, steps_through, store_dump

from kb import build as kbbuild
from kb import exposure, store
from kb.cli import cli


@pytest.fixture
def mirror(tmp_path: Path, raw_dir: Path) -> Path:
    """A private mirror of every data set beside the real one (symlinks), so one file can be
    damaged in it."""
    root = tmp_path / "mirror"
    for source in sorted(p for p in raw_dir.parent.iterdir() if p.is_dir()):
        dataset = source.name
        (root / dataset).mkdir(parents=True)
        for f in source.iterdir():
            (root / dataset / f.name).symlink_to(f)
    return root / "gpts-are-gpts"


def _replace(path: Path, data: bytes) -> None:
    path.unlink()
    path.write_bytes(data)


def flip_a_byte(path: Path) -> None:
    """Same size, different content: only the checksum can tell."""
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle] = ord("7") if data[middle] != ord("7") else ord("8")
    _replace(path, bytes(data))


def truncate(path: Path) -> None:
    data = path.read_bytes()
    _replace(path, data[: len(data) // 3])


def delete(path: Path) -> None:
    path.unlink()


def swap_for_another_file(path: Path) -> None:
    """Another upstream file under this name (an easy mistake when copying a mirror by hand)."""
    other = sorted(p for p in path.parent.iterdir() if p != path and p.suffix == path.suffix)
    _replace(path, other[0].read_bytes() if other else b"not the file")


def empty(path: Path) -> None:
    _replace(path, b"")


DAMAGE = {
    "wrong checksum": (flip_a_byte, ["sha256", "the manifest expects"]),
    "truncated": (truncate, ["bytes, the manifest expects"]),
    "missing": (delete, ["missing"]),
    "another file": (swap_for_another_file, ["the manifest expects"]),
    "empty": (empty, ["is 0 bytes"]),
}
FILES = [
    ("gpts-are-gpts", "full_labelset.tsv"),
    ("gpts-are-gpts", "national_May2021_dl.csv"),
    ("gpts-are-gpts", "occupation_2023_final.xlsx"),
    ("gpts-are-gpts", "nem-onet-to-soc-crosswalk.xlsx"),
    ("working-with-ai", "soc_ai_applicability_scores.csv"),
]
# Every file with a wrong checksum; every other damage on a few files of different formats
# (each case runs a build, so the table stays short).
CASES = [("wrong checksum", ds, f) for ds, f in FILES] + [
    (d, ds, f) for d in DAMAGE if d != "wrong checksum" for ds, f in (FILES[0], FILES[2], FILES[4])
]


# Files that only a late step reads, with that step: the build runs it and the steps it needs;
# the others never open the file and would only add seconds to each case.
READ_LATE_BY = {"soc_ai_applicability_scores.csv": "observed usage"}


def _previous_store_answers(ws: Workspace) -> None:
    with store.connect(ws.db) as con:
        headline = exposure.share(con, 0.1)
        assert 0.78 < headline.share_workers < 0.83  # the paper's "about 80%"
    result = CliRunner().invoke(
        cli, ["query", "--db", str(ws.db), "--format", "csv", "SELECT count(*) AS tasks FROM tasks"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["tasks", "19265"]


@pytest.mark.parametrize(
    ("damage", "dataset", "file"), CASES, ids=[f"{d}: {f}" for d, _, f in CASES]
)
def test_damaged_source_refused_and_previous_store_answers(
    workspace: Workspace,
    mirror: Path,
    monkeypatch: pytest.MonkeyPatch,
    damage: str,
    dataset: str,
    file: str,
) -> None:
    if file in READ_LATE_BY:
        monkeypatch.setattr(kbbuild, "STEPS", steps_through(READ_LATE_BY[file]))
    spoil, expected = DAMAGE[damage]
    spoil(mirror.parent / dataset / file)
    before_files, before_rows = snapshot(workspace.db), store_dump(workspace.db)

    result = CliRunner().invoke(
        cli,
        ["build", "--db", str(workspace.db), "--raw-dir", str(mirror)],
        env={"KB_DATA_DIR": str(workspace.data_dir)},
    )
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert f"{dataset}/{file}" in result.output
    for fragment in expected:
        assert fragment in result.output, result.output
    assert (
        "previous store" in result.output
        or "Restore" in result.output
        or "Put it there" in result.output
    )

    assert snapshot(workspace.db) == before_files
    assert store_dump(workspace.db) == before_rows
    assert not list(workspace.db.parent.glob("kb.duckdb.tmp-*")), (
        "the failed build left a temp file"
    )
    _previous_store_answers(workspace)


def test_a_repaired_mirror_builds_again(workspace: Workspace, mirror: Path) -> None:
    target = mirror / "full_labelset.tsv"
    original = target.resolve()
    truncate(target)
    runner = CliRunner()
    env = {"KB_DATA_DIR": str(workspace.data_dir)}
    args = ["build", "--db", str(workspace.db), "--raw-dir", str(mirror)]
    assert runner.invoke(cli, args, env=env).exit_code == 1
    target.unlink()
    target.symlink_to(original)
    result = runner.invoke(cli, args, env=env)
    assert result.exit_code == 0, result.output
    _previous_store_answers(workspace)


def test_a_manifest_that_is_not_yaml_is_refused(
    workspace: Workspace, tmp_path: Path, raw_dir: Path
) -> None:
    manifest = tmp_path / "sources.yml"
    manifest.write_text("datasets: [unclosed\n")
    before = snapshot(workspace.db)
    with pytest.raises(Exception) as refused:
        kbbuild.build(workspace.db, data_dir=workspace.data_dir, raw_dir=raw_dir, manifest=manifest)
    assert "sources.yml" in str(refused.value)
    assert "YAML" in str(refused.value)
    assert snapshot(workspace.db) == before
    _previous_store_answers(workspace)
