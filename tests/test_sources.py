"""kb.sources: the manifest, mirror lookup, download into the cache, and refusing damaged files
(with the previous store left exactly as it was)."""

from __future__ import annotations

import importlib
import shutil
from pathlib import Path

import pytest
import yaml
from conftest import REPO, store_dump

from kb import sources, store
from kb.build import BuildContext, build
from kb.errors import SourceError

MANIFEST = REPO / "data" / "sources.yml"


def test_every_parser_named_in_the_manifest_is_a_real_function():
    entries = sources.load_manifest(MANIFEST)
    for (dataset, name), entry in entries.items():
        target = entry.parser.split(" (")[0]
        if target == "none":
            assert entry.parser.startswith("none (") and entry.parser.endswith(")"), name
            continue
        module_name, _, function = target.rpartition(".")
        function_object = getattr(importlib.import_module(module_name), function, None)
        assert callable(function_object), f"{dataset}/{name}: {entry.parser} is not a function"


def sha256sums(folder: Path) -> dict[str, str]:
    lines = (folder / "SHA256SUMS").read_text().splitlines()
    return {name.strip(): digest for digest, name in (line.split(maxsplit=1) for line in lines)}


def ctx_for(tmp_path: Path, raw_dir: Path | None, manifest: Path | None = None) -> BuildContext:
    return BuildContext(data_dir=REPO / "data", raw_dir=raw_dir, manifest=manifest)


def test_manifest_lists_every_dataset_with_the_mirrors_checksums(raw_dir):
    entries = sources.load_manifest(MANIFEST)
    datasets = {d for d, _ in entries}
    assert datasets == {
        "gpts-are-gpts",
        "working-with-ai",
        "oews-2025",
        "onet-29.3",
        "aei-2025-02-10",
    }
    for dataset in datasets:
        folder = raw_dir.parent / dataset
        sums = sha256sums(folder)
        for (d, name), entry in entries.items():
            if d != dataset:
                continue
            assert entry.sha256 == sums[name], name
            assert entry.bytes == (folder / name).stat().st_size, name
            assert entry.licence and entry.citation and entry.parser, name
    gpt = entries["gpts-are-gpts", "full_labelset.tsv"]
    assert gpt.url == (
        "https://raw.githubusercontent.com/openai/GPTs-are-GPTs/"
        "0471612fef3cc22b74fb884d27bff9dbd3770582/data/full_labelset.tsv"
    )
    wwa = entries["working-with-ai", "soc_ai_applicability_scores.csv"]
    assert wwa.url == (
        "https://raw.githubusercontent.com/microsoft/working-with-ai/"
        "84c4ebacaa39d1c11e26e16c2f2c98aa89a11834/soc_ai_applicability_scores.csv"
    )


@pytest.mark.parametrize("where", ["dataset folder", "parent folder"])
def test_mirror_may_be_the_dataset_folder_or_its_parent(tmp_path, raw_dir, where):
    mirror = raw_dir if where == "dataset folder" else raw_dir.parent
    path = sources.resolve("gpts-are-gpts", "occ_level.csv", ctx_for(tmp_path, mirror))
    assert path.read_bytes() == (raw_dir / "occ_level.csv").read_bytes()


def test_dataset_folder_as_mirror_finds_the_sibling_dataset(tmp_path, raw_dir):
    path = sources.resolve(
        "working-with-ai", "soc_ai_applicability_scores.csv", ctx_for(tmp_path, raw_dir)
    )
    assert path == raw_dir.parent / "working-with-ai" / "soc_ai_applicability_scores.csv"


@pytest.fixture
def damaged_mirror(tmp_path: Path, raw_dir: Path) -> Path:
    """A writable copy of both datasets, for tests that damage a file."""
    root = tmp_path / "mirror"
    for dataset in ("gpts-are-gpts", "working-with-ai"):
        shutil.copytree(raw_dir.parent / dataset, root / dataset)
        for f in (root / dataset).iterdir():
            f.chmod(0o644)
    return root


def corrupt(path: Path) -> None:
    data = bytearray(path.read_bytes())
    data[100] ^= 0xFF  # same size, different bytes
    path.write_bytes(bytes(data))


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def test_a_corrupted_file_is_refused_naming_both_checksums(tmp_path, damaged_mirror):
    target = damaged_mirror / "gpts-are-gpts" / "full_labelset.tsv"
    corrupt(target)
    actual = sources.sha256_of(target)
    with pytest.raises(SourceError) as info:
        sources.resolve("gpts-are-gpts", "full_labelset.tsv", ctx_for(tmp_path, damaged_mirror))
    message = str(info.value)
    assert "gpts-are-gpts/full_labelset.tsv refused" in message
    assert actual in message
    assert "094378905e1f3349e50a9a83dc69643a2ef227954d611c8316a46da08cb3d8de" in message
    assert (
        "Restore the original from https://raw.githubusercontent.com/openai/GPTs-are-GPTs/"
        in message
    )


def test_a_truncated_file_is_refused_naming_the_sizes(tmp_path, damaged_mirror):
    truncate(damaged_mirror / "gpts-are-gpts" / "occupation_2023_final.xlsx")
    with pytest.raises(SourceError) as info:
        sources.resolve(
            "gpts-are-gpts", "occupation_2023_final.xlsx", ctx_for(tmp_path, damaged_mirror)
        )
    assert (
        "is 251,353 bytes, the manifest expects 502,707 (truncated or a different version)"
        in str(info.value)
    )


def test_a_missing_file_is_refused_saying_where_kb_looked(tmp_path, damaged_mirror):
    (damaged_mirror / "gpts-are-gpts" / "occ_level.csv").unlink()
    with pytest.raises(SourceError) as info:
        sources.resolve(
            "gpts-are-gpts", "occ_level.csv", ctx_for(tmp_path, damaged_mirror / "gpts-are-gpts")
        )
    message = str(info.value)
    assert "occ_level.csv is missing from the mirror" in message
    assert "unset KB_RAW_DIR" in message


@pytest.mark.parametrize(
    "damage,file",
    [
        (corrupt, "full_labelset.tsv"),
        (truncate, "national_May2021_dl.csv"),
        (lambda p: p.unlink(), "nem-onet-to-soc-crosswalk.xlsx"),
    ],
)
def test_build_with_a_damaged_file_leaves_the_previous_store_untouched(
    workspace, damaged_mirror, damage, file
):
    damage(damaged_mirror / "gpts-are-gpts" / file)
    before_bytes = workspace.db.read_bytes()
    before_rows = store_dump(workspace.db)
    with pytest.raises(SourceError, match=file):
        build(workspace.db, data_dir=workspace.data_dir, raw_dir=damaged_mirror / "gpts-are-gpts")
    assert workspace.db.read_bytes() == before_bytes
    assert store_dump(workspace.db) == before_rows
    assert not list(workspace.db.parent.glob("*.tmp-*"))
    with store.connect(workspace.db) as con:  # the old store still answers
        assert con.execute("SELECT count(*) FROM tasks").fetchone()[0] == 19265


def file_manifest(tmp_path: Path, raw_dir: Path, name: str, sha: str | None = None) -> Path:
    """A one-file manifest whose URL is a file:// address (urllib fetches it like https)."""
    source = raw_dir / name
    manifest = {
        "datasets": {
            "gpts-are-gpts": {
                "base_url": source.parent.as_uri() + "/",
                "licence": "MIT",
                "citation": "test",
                "files": {
                    name: {
                        "sha256": sha or sources.sha256_of(source),
                        "bytes": source.stat().st_size,
                        "parser": "test",
                    }
                },
            }
        }
    }
    path = tmp_path / "manifest.yml"
    path.write_text(yaml.safe_dump(manifest))
    return path


def test_without_a_mirror_the_file_is_downloaded_into_the_cache(tmp_path, raw_dir):
    manifest = file_manifest(tmp_path, raw_dir, "occ_level.csv")
    messages: list[str] = []
    ctx = BuildContext(data_dir=tmp_path, raw_dir=None, manifest=manifest, progress=messages.append)
    path = sources.resolve("gpts-are-gpts", "occ_level.csv", ctx)
    assert path == tmp_path / "cache" / "gpts-are-gpts" / "occ_level.csv"  # KB_CACHE_DIR (conftest)
    assert path.read_bytes() == (raw_dir / "occ_level.csv").read_bytes()
    assert any("downloading gpts-are-gpts/occ_level.csv" in m for m in messages)
    messages.clear()
    assert sources.resolve("gpts-are-gpts", "occ_level.csv", ctx) == path
    assert messages == []  # the verified cached copy is reused


def test_a_download_with_the_wrong_checksum_is_refused_and_not_kept(tmp_path, raw_dir):
    manifest = file_manifest(tmp_path, raw_dir, "occ_level.csv", sha="0" * 64)
    ctx = BuildContext(data_dir=tmp_path, raw_dir=None, manifest=manifest)
    with pytest.raises(SourceError, match="manifest expects 0000"):
        sources.resolve("gpts-are-gpts", "occ_level.csv", ctx)
    assert not any((tmp_path / "cache").rglob("occ_level.csv*"))


def test_an_unreachable_download_says_what_to_do(tmp_path, raw_dir):
    manifest = file_manifest(tmp_path, raw_dir, "occ_level.csv")
    text = manifest.read_text().replace(raw_dir.as_uri(), (tmp_path / "nowhere").as_uri())
    manifest.write_text(text)
    ctx = BuildContext(data_dir=tmp_path, raw_dir=None, manifest=manifest)
    with pytest.raises(SourceError) as info:
        sources.resolve("gpts-are-gpts", "occ_level.csv", ctx)
    assert "Could not download gpts-are-gpts/occ_level.csv" in info.value.message
    assert "KB_RAW_DIR" in info.value.hint


def test_a_file_not_in_the_manifest_is_refused(tmp_path, raw_dir):
    with pytest.raises(SourceError, match="not in the source manifest"):
        sources.resolve("gpts-are-gpts", "cpsaat11.xlsx", ctx_for(tmp_path, raw_dir))


def test_ctx_manifest_is_honoured(tmp_path, raw_dir):
    manifest = file_manifest(tmp_path, raw_dir, "occ_level.csv", sha="1" * 64)
    ctx = BuildContext(data_dir=REPO / "data", raw_dir=raw_dir, manifest=manifest)
    with pytest.raises(SourceError, match="1111"):  # the other manifest's checksum decides
        sources.resolve("gpts-are-gpts", "occ_level.csv", ctx)


def test_store_records_the_manifest(built):
    with store.connect(built.db) as con:
        rows = con.execute(
            "SELECT dataset, file, url, sha256, bytes, licence, citation FROM upstream_files"
        ).fetchall()
    assert len(rows) == len(sources.load_manifest(MANIFEST))
    assert all(all(v not in (None, "") for v in row) for row in rows)
