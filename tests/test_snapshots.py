"""Snapshots of living sources: checksums, the manifest, locating the bytes, diffs, take-in.

Expected values are computed here from the mirror files with pandas, hashlib and the mirrors'
SHA256SUMS, never by kb itself.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from kb.errors import KBError, ValidationError
from kb.releases import living
from kb.releases import snapshots as snaps

REPO = Path(__file__).resolve().parent.parent
MIRRORS = REPO.parent / "shared" / "data"
EPOCH = MIRRORS / "epoch"
MODELS_DEV = MIRRORS / "models-dev"
APRIL = EPOCH / "snapshots" / "2026-04-23" / "notable_ai_models.csv"
AUGUST = EPOCH / "notable_ai_models.csv"

pytestmark = pytest.mark.skipif(
    not EPOCH.is_dir() or not MODELS_DEV.is_dir(),
    reason="no Epoch / models.dev mirror beside the repo",
)


@pytest.fixture(autouse=True)
def private_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    cache = tmp_path / "cache"
    monkeypatch.setenv("KB_CACHE_DIR", str(cache))
    return cache


def _sums(folder: Path) -> dict[str, str]:
    out = {}
    for line in (folder / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split(maxsplit=1)
        out[name.lstrip("*")] = digest
    return out


def _notable(path: Path) -> pd.DataFrame:
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    # Epoch's cells sometimes end in a newline (e.g. 'VAETKI\n' in April): not a change.
    return frame.apply(lambda column: column.str.strip()).set_index("Model")


def test_committed_manifest_matches_the_mirrors() -> None:
    recorded = snaps.read_manifest(REPO / "data")
    epoch_sums = _sums(EPOCH)
    by_file = {s.file: s for s in recorded}
    for name in (
        "notable_ai_models.csv",
        "large_scale_ai_models.csv",
        "benchmarked_models.csv",
        "snapshots/2026-04-23/notable_ai_models.csv",
    ):
        snap = by_file[f"epoch/{name}"]
        assert snap.sha256 == epoch_sums[name]
        assert snap.rows == len(pd.read_csv(EPOCH / name, dtype=str))
        assert snap.licence == "CC BY 4.0"
    assert by_file["epoch/notable_ai_models.csv"].snapshot_date == "2026-08-19"
    assert by_file["epoch/benchmarked_models.csv"].snapshot_date == "2026-08-22"
    assert by_file["epoch/snapshots/2026-04-23/notable_ai_models.csv"].snapshot_date == "2026-04-23"
    assert by_file["models-dev"].snapshot_date == "2026-07-02"
    assert by_file["models-dev"].licence == "MIT"


def test_tree_checksum_is_the_digest_of_its_toml_listing() -> None:
    sums = {name: digest for name, digest in _sums(MODELS_DEV).items() if name.endswith(".toml")}
    listing = "".join(f"{sums[name]}  {name}\n" for name in sorted(sums))
    assert snaps.sha256_tree(MODELS_DEV) == hashlib.sha256(listing.encode()).hexdigest()


def test_diff_april_to_august_matches_pandas() -> None:
    old, new = _notable(APRIL), _notable(AUGUST)
    added = set(new.index) - set(old.index)
    removed = set(old.index) - set(new.index)
    common = sorted(set(new.index) & set(old.index))
    differs = old.loc[common, new.columns].ne(new.loc[common, new.columns]).any(axis=1)
    updated = set(differs[differs].index)

    _, old_rows = living.describe(APRIL)
    _, new_rows = living.describe(AUGUST)
    diff = snaps.diff_rows(
        old_rows,
        new_rows,
        source="epoch",
        table="notable",
        old_date="2026-04-23",
        new_date="2026-08-19",
    )
    assert set(diff.added) == added
    assert set(diff.removed) == removed
    assert set(diff.updated) == updated
    assert diff.counts() == {
        "added": len(added),
        "updated": len(updated),
        "removed": len(removed),
        "unchanged": len(common) - len(updated),
    }
    assert diff.counts()["added"] + diff.counts()["updated"] + diff.counts()["unchanged"] == 1050
    # The fields named as changed are exactly those pandas finds different.
    some = sorted(updated)[0]
    changed = {c.field for c in diff.updated[some]}
    assert changed == {c for c in new.columns if old.at[some, c] != new.at[some, c]}
    report = diff.to_dict()
    assert report["added"] == len(added) and sorted(report["removed_records"]) == sorted(removed)


def test_take_in_records_caches_and_is_idempotent(tmp_path: Path) -> None:
    data_dir = tmp_path / "data"
    first = living.take_in([APRIL], data_dir=data_dir)
    assert first[0].new and first[0].diff.counts()["added"] == 1011
    second = living.take_in([AUGUST], data_dir=data_dir)
    assert second[0].new
    counts = second[0].diff.counts()
    assert counts["removed"] == len(set(_notable(APRIL).index) - set(_notable(AUGUST).index))
    manifest = (data_dir / "snapshots.yml").read_bytes()
    again = living.take_in([AUGUST], data_dir=data_dir)
    assert not again[0].new and again[0].diff.counts() == counts
    assert (data_dir / "snapshots.yml").read_bytes() == manifest
    recorded = snaps.read_manifest(data_dir)
    assert [s.snapshot_date for s in recorded] == ["2026-04-23", "2026-08-19"]
    # Without any raw folder the bytes come back from the content-addressed cache.
    cached = snaps.locate(recorded[1], None)
    assert cached.name == f"{recorded[1].sha256}.csv"
    assert hashlib.sha256(cached.read_bytes()).hexdigest() == recorded[1].sha256


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    result = living.take_in([AUGUST], data_dir=tmp_path, dry_run=True)
    assert result[0].new and not (tmp_path / "snapshots.yml").exists()


def test_missing_snapshot_says_where_it_looked(tmp_path: Path) -> None:
    snap = snaps.Snapshot(
        "epoch",
        "notable",
        "epoch/notable_ai_models.csv",
        "0" * 64,
        1,
        "2026-08-19",
        "CC BY 4.0",
        "https://epoch.ai/data/notable_ai_models.csv",
    )
    with pytest.raises(KBError) as caught:
        snaps.locate(snap, MIRRORS / "gpts-are-gpts")
    assert "epoch/notable of 2026-08-19" in caught.value.message
    assert "other content" in caught.value.message and "KB_RAW_DIR" in (caught.value.hint or "")


def test_bad_manifest_lists_every_problem(tmp_path: Path) -> None:
    (tmp_path / "snapshots.yml").write_text(
        "snapshots:\n"
        "- {source: epoch, table: notable, file: a.csv, sha256: xyz, rows: 1,"
        " snapshot_date: '2026-13-01', licence: CC BY 4.0, upstream_url: https://e.ai}\n"
        "- {source: epoch, table: notable}\n"
    )
    with pytest.raises(ValidationError) as caught:
        snaps.read_manifest(tmp_path)
    text = str(caught.value)
    assert "snapshot 1: field 'snapshot_date': '2026-13-01' is not a date" in text
    assert "snapshot 2: field 'sha256': is missing" in text


def test_snapshot_date_needs_a_source(tmp_path: Path) -> None:
    lone = tmp_path / "notable_ai_models.csv"
    lone.write_bytes(AUGUST.read_bytes())
    with pytest.raises(KBError, match="no snapshot date found"):
        snaps.snapshot_date(lone)
    assert snaps.snapshot_date(lone, "2026-09-01") == "2026-09-01"
