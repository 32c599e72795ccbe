"""Where things live: the project's data folder, the store, the raw-file mirror and cache.

Precedence everywhere: an explicit argument (CLI flag) > environment variable > default.
The defaults depend on how kb runs:

                 from a checkout            installed (a wheel)
    data folder  the checkout's data/       the per-user data folder, a copy of the curated
                                            data shipped in the package plus what the user
                                            ingested (kb.curated explains how it stays current)
    store        data/kb.duckdb             kb.duckdb in the per-user data folder
    cache        the per-user cache folder (both)

The per-user folders are platformdirs' for the distribution's name, e.g. on Linux
~/.local/share/gpts-kb and ~/.cache/gpts-kb.
"""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
# The repository root when running from a checkout (kb/ sits next to data/).
PROJECT_ROOT = PACKAGE_DIR.parent
# The distribution's name (pyproject.toml), which names the per-user folders.
DISTRIBUTION = "gpts-kb"

ENV_DB = "KB_DB"
ENV_DATA_DIR = "KB_DATA_DIR"
ENV_RAW_DIR = "KB_RAW_DIR"
ENV_CACHE_DIR = "KB_CACHE_DIR"


def in_checkout() -> bool:
    """True when kb runs from a source checkout (kb/ beside pyproject.toml and data/)."""
    return (PROJECT_ROOT / "pyproject.toml").is_file() and (PROJECT_ROOT / "data").is_dir()


def curated_dir() -> Path:
    """The curated data that comes with kb: the checkout's data/, else the copy in the package."""
    return PROJECT_ROOT / "data" if in_checkout() else PACKAGE_DIR / "_curated"


def user_data_dir() -> Path:
    """The per-user data folder of an installed kb (e.g. ~/.local/share/gpts-kb on Linux)."""
    import platformdirs  # only here: most commands never need it

    return platformdirs.user_data_path(DISTRIBUTION, appauthor=False)


def data_dir(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The folder with the source-of-truth files (releases, manifests) that kb reads and
    ingests into: the argument, else $KB_DATA_DIR, else the checkout's data/, else the per-user
    data folder, brought up to date with the package's curated data first (kb.curated)."""
    if explicit:
        return Path(explicit)
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env)
    if in_checkout():
        return PROJECT_ROOT / "data"
    from kb import curated  # only an installed kb needs it

    folder = user_data_dir()
    curated.sync(curated_dir(), folder)
    return folder


def db_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """The DuckDB store: --db, else $KB_DB, else data/kb.duckdb in a checkout, else kb.duckdb
    in the per-user data folder."""
    if explicit:
        return Path(explicit)
    env = os.environ.get(ENV_DB)
    if env:
        return Path(env)
    return (PROJECT_ROOT / "data" if in_checkout() else user_data_dir()) / "kb.duckdb"


def raw_dir(explicit: str | os.PathLike[str] | None = None) -> Path | None:
    """A local mirror of the upstream files (--raw-dir or $KB_RAW_DIR), or None to use the cache."""
    if explicit:
        return Path(explicit)
    env = os.environ.get(ENV_RAW_DIR)
    return Path(env) if env else None


def cache_dir() -> Path:
    """Where downloaded upstream files are kept: $KB_CACHE_DIR, else raw/ in the per-user cache
    folder (e.g. ~/.cache/gpts-kb/raw on Linux)."""
    env = os.environ.get(ENV_CACHE_DIR)
    if env:
        return Path(env)
    import platformdirs

    return platformdirs.user_cache_path(DISTRIBUTION, appauthor=False) / "raw"
