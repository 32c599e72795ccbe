"""What `kb info` shows: the store's path, build metadata, row counts and pinned upstream files."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kb import config, store

SQL_UPSTREAM_FILES = "SELECT dataset, file, sha256, url FROM upstream_files ORDER BY dataset, file"
SQL_RELEASES_PER_SOURCE = (
    "SELECT source, releases FROM releases_per_source "
    "ORDER BY list_position(['curated', 'epoch', 'models.dev'], source)"
)
# The build metadata worth showing, in display order (kb_meta holds a few more, e.g. fingerprints).
META_KEYS = ("schema_version", "kb_version", "built_at", "duckdb_version", "storage_version")


@dataclass(frozen=True)
class StoreInfo:
    """A description of one store."""

    store: Path
    meta: dict[str, str]
    tables: dict[str, int]  # base table -> rows
    upstream_files: list[dict[str, Any]]  # dataset, file, sha256, url; [] for a store without
    # Releases each source names (curated records; Epoch AI's, models.dev's); {} without them.
    releases_per_source: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "store": str(self.store),
            "meta": self.meta,
            "tables": self.tables,
            "upstream_files": self.upstream_files,
            "releases_per_source": self.releases_per_source,
        }


def describe(db: str | os.PathLike[str] | None = None) -> StoreInfo:
    """Read the store's metadata, table sizes and upstream files (read-only)."""
    with store.connect(db) as con:
        meta = store.read_meta(con)
        tables = store.table_counts(con)
        files = []
        if "upstream_files" in tables:
            cursor = con.execute(SQL_UPSTREAM_FILES)
            columns = [d[0] for d in cursor.description]
            files = [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]
        per_source: dict[str, int] = {}
        if "release_origins" in tables:
            per_source = dict(con.execute(SQL_RELEASES_PER_SOURCE).fetchall())
    return StoreInfo(
        store=config.db_path(db),
        meta=meta,
        tables=tables,
        upstream_files=files,
        releases_per_source=per_source,
    )
