"""kb.curated: the per-user data folder of an installed kb starts as a copy of the shipped
curated data, follows the package for files the user did not touch, and never overwrites or
removes the user's own files."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from kb import curated
from kb.errors import KBError

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def _fresh_process_state(monkeypatch: pytest.MonkeyPatch) -> None:
    """Each call to sync() below stands for a new process (an upgrade between two runs)."""
    monkeypatch.setattr(curated, "_synced", set())


def _package(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def _sync(source: Path, folder: Path) -> None:
    curated._synced.clear()
    curated.sync(source, folder)


def test_a_new_folder_gets_every_shipped_file(tmp_path: Path) -> None:
    source = _package(tmp_path / "v1", {"sources.yml": "a\n", "releases/gpt-4.yaml": "g\n"})
    folder = tmp_path / "user"
    _sync(source, folder)
    assert (folder / "sources.yml").read_text() == "a\n"
    assert (folder / "releases" / "gpt-4.yaml").read_text() == "g\n"
    recorded = json.loads((folder / curated.RECORD).read_text())["files"]
    assert set(recorded) == {"sources.yml", "releases/gpt-4.yaml"}


def test_the_real_curated_data_is_copied_byte_for_byte(tmp_path: Path) -> None:
    folder = tmp_path / "user"
    _sync(REPO / "data", folder)
    shipped = curated.shipped_files(REPO / "data")
    assert "sources.yml" in shipped and "releases/gpt-4.yaml" in shipped
    for rel, data in shipped.items():
        assert (folder / rel).read_bytes() == data, rel


def test_an_upgrade_replaces_untouched_files_and_keeps_the_users(tmp_path: Path) -> None:
    v1 = _package(
        tmp_path / "v1",
        {"sources.yml": "v1\n", "published.yml": "p1\n", "releases/old.yaml": "o\n"},
    )
    folder = tmp_path / "user"
    _sync(v1, folder)
    # The user edits one shipped file and ingests a release of their own.
    (folder / "published.yml").write_text("mine\n")
    (folder / "releases" / "koala.yaml").write_text("k\n")

    v2 = _package(
        tmp_path / "v2",
        {"sources.yml": "v2\n", "published.yml": "p2\n", "releases/new.yaml": "n\n"},
    )
    _sync(v2, folder)
    assert (folder / "sources.yml").read_text() == "v2\n"  # untouched: follows the package
    assert (folder / "published.yml").read_text() == "mine\n"  # changed by the user: theirs
    assert (folder / "releases" / "koala.yaml").read_text() == "k\n"  # the user's own file
    assert (folder / "releases" / "new.yaml").read_text() == "n\n"  # newly shipped
    assert not (folder / "releases" / "old.yaml").exists()  # no longer shipped, untouched


def test_a_file_the_user_deleted_stays_deleted_until_it_changes(tmp_path: Path) -> None:
    v1 = _package(tmp_path / "v1", {"releases/bard.yaml": "b1\n"})
    folder = tmp_path / "user"
    _sync(v1, folder)
    (folder / "releases" / "bard.yaml").unlink()
    _sync(v1, folder)
    assert not (folder / "releases" / "bard.yaml").exists()
    v2 = _package(tmp_path / "v2", {"releases/bard.yaml": "b2\n"})
    _sync(v2, folder)
    assert (folder / "releases" / "bard.yaml").read_text() == "b2\n"


def test_a_dropped_file_the_user_changed_is_kept(tmp_path: Path) -> None:
    v1 = _package(tmp_path / "v1", {"crosswalk.yml": "c\n", "sources.yml": "s\n"})
    folder = tmp_path / "user"
    _sync(v1, folder)
    (folder / "crosswalk.yml").write_text("edited\n")
    v2 = _package(tmp_path / "v2", {"sources.yml": "s\n"})
    _sync(v2, folder)
    assert (folder / "crosswalk.yml").read_text() == "edited\n"


def test_an_unwritable_folder_is_a_clear_error(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root can write into a read-only folder")
    source = _package(tmp_path / "v1", {"sources.yml": "a\n"})
    parent = tmp_path / "locked"
    parent.mkdir()
    parent.chmod(0o500)
    try:
        with pytest.raises(KBError, match="Cannot set up the data folder"):
            _sync(source, parent / "user")
    finally:
        parent.chmod(0o700)


def test_an_unwritable_folder_path_is_a_clear_error(tmp_path: Path) -> None:
    source = _package(tmp_path / "v1", {"sources.yml": "a\n"})
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(KBError, match="Cannot set up the data folder") as info:
        _sync(source, blocker / "user")
    assert "KB_DATA_DIR" in str(info.value)
