"""Shared fixtures: the real upstream mirror, one store built from it per session, and
throw-away copies (store + data/) for tests that write."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

from kb import build as kbbuild
from kb import config, store

REPO = Path(__file__).resolve().parent.parent
DEFAULT_MIRROR = REPO.parent / "shared" / "data" / "gpts-are-gpts"


@pytest.fixture(scope="session")
def raw_dir() -> Path:
    """The authors' data: $KB_RAW_DIR, else ../shared/data/gpts-are-gpts beside the repo."""
    path = Path(os.environ.get(config.ENV_RAW_DIR) or DEFAULT_MIRROR)
    if not (path / "full_labelset.tsv").exists():
        pytest.fail(
            f"No upstream mirror at {path}: set KB_RAW_DIR to the gpts-are-gpts data folder"
        )
    return path


@dataclass(frozen=True)
class Workspace:
    """A private data/ folder and the store built from it."""

    data_dir: Path
    db: Path
    raw_dir: Path


def _copy_data(dest: Path) -> Path:
    shutil.copytree(REPO / "data", dest, ignore=shutil.ignore_patterns("*.duckdb*", "cache"))
    return dest


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, raw_dir: Path) -> Workspace:
    """One store built from the real data for the whole session. Read it, never write it."""
    root = tmp_path_factory.mktemp("built")
    data_dir = _copy_data(root / "data")
    db = root / "kb.duckdb"
    kbbuild.build(db, data_dir=data_dir, raw_dir=raw_dir)
    return Workspace(data_dir=data_dir, db=db, raw_dir=raw_dir)


@dataclass(frozen=True)
class BuiltState:
    """The session store and what it held when first asked for: every table's rows (store_dump)
    and every file's bytes in its folder. A test that runs something which must write nothing
    does it on the session store and compares after, instead of copying the store first."""

    db: Path
    rows: dict[str, object]
    files: dict[str, bytes]


@pytest.fixture(scope="session")
def built_state(built: Workspace) -> BuiltState:
    return BuiltState(db=built.db, rows=store_dump(built.db), files=snapshot(built.db.parent))


@pytest.fixture
def workspace(tmp_path: Path, built: Workspace) -> Workspace:
    """A writable copy of the session store and its data/ folder, for tests that change them."""
    data_dir = tmp_path / "data"
    shutil.copytree(built.data_dir, data_dir)
    db = tmp_path / "kb.duckdb"
    shutil.copy2(built.db, db)
    return Workspace(data_dir=data_dir, db=db, raw_dir=built.raw_dir)


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No test touches the repository's data/kb.duckdb or the user's cache by accident."""
    monkeypatch.setenv(config.ENV_DB, str(tmp_path / "default-kb.duckdb"))
    monkeypatch.setenv(config.ENV_CACHE_DIR, str(tmp_path / "cache"))


def steps_through(*names: str) -> tuple[kbbuild.Step, ...]:
    """The build steps named and every step they need, in build order: a test about one step
    (its refusal, its rows surviving a rebuild) builds these instead of the whole store, which
    the session store `built` already proves builds."""
    by_name = {step.name: step for step in kbbuild.STEPS}
    wanted: set[str] = set()
    pending = list(names)
    while pending:
        name = pending.pop()
        if name not in wanted:
            wanted.add(name)
            pending.extend(by_name[name].needs)
    return tuple(step for step in kbbuild.STEPS if step.name in wanted)


def curated_release_files(data_dir: Path = REPO / "data") -> int:
    """How many curated releases data/ holds: one YAML file each in data/releases/."""
    return len(list((data_dir / "releases").glob("*.yaml")))


def snapshot(*paths: Path) -> dict[str, bytes]:
    """Every file's bytes under the given paths, to assert that a refused input changed nothing."""
    out: dict[str, bytes] = {}
    for root in paths:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for f in files:
            out[str(f)] = f.read_bytes()
    return out


# Tables up to this size are compared row by row (a failure shows the rows); larger ones by
# their row count and an order-independent hash of every row, which DuckDB computes in a tenth of
# the time that fetching and sorting 50,000 rows in Python takes.
ROWS_COMPARED_IN_FULL = 1000


def store_dump(db: Path) -> dict[str, object]:
    """Every table's content, to assert that a refused input left the store unchanged: the sorted
    rows of a small table, (row count, hash of all rows) for a large one. Compare two dumps of
    stores built by the same DuckDB with `==`."""
    with store.connect(db, check_schema=False) as con:  # read-only, waits out a writer's lock
        tables = [
            r[0]
            for r in con.execute(
                "SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()"
            ).fetchall()
        ]
        # One statement for every table: DuckDB scans them in parallel.
        sizes = con.execute(
            " UNION ALL ".join(
                f"SELECT '{t}', count(*), sum(hash(t)::HUGEINT) FROM \"{t}\" AS t" for t in tables
            )
        ).fetchall()
        out: dict[str, object] = {}
        for t, count, digest in sizes:
            if count <= ROWS_COMPARED_IN_FULL:
                out[t] = sorted(con.execute(f'SELECT * FROM "{t}"').fetchall(), key=repr)
            else:
                out[t] = ("rows", count, "hash", digest)
        return out


# --- shared by the dashboard's AppTest modules (tests/test_dashboard*.py) ---------------------


@pytest.fixture
def fresh_dashboard_caches(request: pytest.FixtureRequest) -> None:
    """st.cache_data lives for the whole process: no test may see another test's results. Not
    autouse (only the dashboard modules need Streamlit): they ask for it in their pytestmark."""
    import streamlit as st

    st.cache_data.clear()
    request.addfinalizer(st.cache_data.clear)


@pytest.fixture
def on_store(monkeypatch: pytest.MonkeyPatch, built: Workspace) -> Workspace:
    """Point the dashboard at the session store built from the real data."""
    monkeypatch.setenv(config.ENV_DB, str(built.db))
    monkeypatch.setenv(config.ENV_DATA_DIR, str(built.data_dir))
    monkeypatch.setenv(config.ENV_RAW_DIR, str(built.raw_dir))
    return built
