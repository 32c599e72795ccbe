"""Where things live: the project's data folder, the store, the raw-file mirror and cache.

Precedence everywhere: an explicit argument (CLI flag) > environment variable > default.
"""

from __future__ import annotations

import os
from pathlib import Path

# The repository root when running from a checkout (kb/ sits next to data/).
PROJECT_ROOT = Path(__file__).resolve().parent.parent

ENV_DB = "KB_DB"
ENV_DATA_DIR = "KB_DATA_DIR"
ENV_RAW_DIR = "KB_RAW_DIR"
ENV_CACHE_DIR = "KB_CACHE_DIR"


def data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The folder with the project's own source-of-truth files (releases, manifests)."""
    if explicit:
        return Path(explicit)
    return Path(os.environ.get(ENV_DATA_DIR) or PROJECT_ROOT / "data")


def db_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The DuckDB store: --db, else $KB_DB, else data/kb.duckdb."""
    if explicit:
        return Path(explicit)
    env = os.environ.get(ENV_DB)
    return Path(env) if env else PROJECT_ROOT / "data" / "kb.duckdb"


def raw_dir(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    """A local mirror of the upstream files (--raw-dir or $KB_RAW_DIR), or None to use the cache."""
    if explicit:
        return Path(explicit)
    env = os.environ.get(ENV_RAW_DIR)
    return Path(env) if env else None


def cache_dir() -> Path:
    """Where downloaded upstream files are kept: $KB_CACHE_DIR, else ~/.cache/kb/raw."""
    env = os.environ.get(ENV_CACHE_DIR)
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "kb" / "raw"
