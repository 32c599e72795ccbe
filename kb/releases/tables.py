"""The release tables of the store: write releases into them, read them back as records, and
the one read of each release's organisations and modalities (for the ingest, the timeline graph
and the dashboard alike).

Values travel in registered data frames, never in SQL text; the statements live in kb/sql/.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, Final

import duckdb
import pandas as pd

from kb import dates, sql
from kb.releases.records import Fact, Relation, Release, organisation_id
from kb.vocabulary import KINDS, MODALITIES, RELATION_TYPES

# The vocabulary tables and the closed sets that fill them.
VOCABULARY_TABLES: Final = (
    ("release_kinds", "kind", KINDS),
    ("relation_types", "type", RELATION_TYPES),
    ("modalities", "modality", MODALITIES),
)
RELEASE_COLUMNS: Final = (
    "id",
    "name",
    "date",
    "date_precision",
    "kind",
    "access",
    "parameters",
    "summary",
    "seed_position",
)
# The frames kb/sql/release_upsert.sql reads, as kb_staged_<name>.
STAGED_COLUMNS: Final[dict[str, tuple[str, ...]]] = {
    "organisations": ("id", "name"),
    "release_organisations": ("release_id", "organisation_id", "position"),
    "release_modalities": ("release_id", "modality"),
    "sources": ("url",),
    "release_sources": ("release_id", "url", "position"),
    "release_relations": ("source_id", "target_id", "type", "note", "caveat", "source_url"),
    "facts": (
        "release_id",
        "subject",
        "attribute",
        "value",
        "unit",
        "as_of",
        "caveat",
        "source_url",
        "position",
    ),
}
SQL_IDS: Final = "SELECT id FROM releases"
SQL_ORGANISATION_NAMES: Final = "SELECT id, name FROM organisations"
SQL_RELATION_EDGES: Final = "SELECT source_id, target_id, type FROM release_relations"


def load_vocabularies(con: duckdb.DuckDBPyConnection) -> None:
    for table, key, vocabulary in VOCABULARY_TABLES:
        con.executemany(
            f"INSERT INTO {table} ({key}, description) VALUES (?, ?)",  # noqa: S608 (constants)
            list(vocabulary.items()),
        )


def organisations(
    con: duckdb.DuckDBPyConnection, release_id: str | None = None
) -> dict[str, list[str]]:
    """Release id -> its organisations' names, in the order its record gives them (every
    release, or only release_id)."""
    return _grouped(sql.execute(con, "release_organisations", {"release_id": release_id}))


def modalities(
    con: duckdb.DuckDBPyConnection, release_id: str | None = None
) -> dict[str, list[str]]:
    """Release id -> its modalities, in name order (every release, or only release_id)."""
    return _grouped(sql.execute(con, "release_modalities", {"release_id": release_id}))


def release_ids(con: duckdb.DuckDBPyConnection) -> list[str]:
    return [r[0] for r in con.execute(SQL_IDS).fetchall()]


def read_releases(
    con: duckdb.DuckDBPyConnection, ids: Iterable[str] | None = None
) -> dict[str, Release]:
    """Releases as records (the same canonical form the files hold), all or just `ids`."""
    wanted = None if ids is None else set(ids)
    rows = [
        r
        for r in con.execute(sql.text("release_rows")).fetchall()
        if wanted is None or r[0] in wanted
    ]
    if not rows:
        return {}

    def grouped(name: str) -> dict[str, list[tuple[Any, ...]]]:
        out: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        for row in con.execute(sql.text(name)).fetchall():
            if wanted is None or row[0] in wanted:
                out[row[0]].append(row[1:])
        return out

    orgs, mods = organisations(con), modalities(con)
    srcs, rels, facts = (
        grouped("release_source_urls"),
        grouped("release_lineage"),
        grouped("release_facts"),
    )
    out = {}
    for rid, name, day, precision, kind, access, parameters, summary, seed in rows:
        out[rid] = Release(
            id=rid,
            name=name,
            kind=kind,
            date=dates.format(day, precision) if day else None,
            organisations=tuple(orgs.get(rid, ())),
            modalities=tuple(mods.get(rid, ())),
            access=access,
            parameters=parameters,
            summary=summary,
            seed_position=seed,
            sources=tuple(r[0] for r in srcs[rid]),
            relations=tuple(
                Relation(t, target, url, note, caveat) for t, target, url, note, caveat in rels[rid]
            ),
            facts=tuple(
                Fact(
                    subject,
                    attribute,
                    value,
                    url,
                    unit,
                    as_of.isoformat() if as_of else None,
                    caveat,
                )
                for subject, attribute, value, url, unit, as_of, caveat in facts[rid]
            ),
        )
    return out


def write_to_store(
    con: duckdb.DuckDBPyConnection, releases: Sequence[Release], existing: set[str]
) -> None:
    """Insert new releases and update existing ones (child rows replaced) in bulk.

    The caller owns the transaction.
    """
    if not releases:
        return
    staged = _stage(releases, existing)
    try:
        for name, frame in staged.items():
            con.register(f"kb_staged_{name}", frame)
        con.execute(sql.text("release_upsert"))
    finally:
        for name in staged:
            con.unregister(f"kb_staged_{name}")


def _stage(releases: Sequence[Release], existing: set[str]) -> dict[str, pd.DataFrame]:
    rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in STAGED_COLUMNS}
    release_rows = []
    for r in releases:
        release_rows.append(
            (
                r.id,
                r.name,
                r.first_day.isoformat() if r.first_day else None,
                r.date_precision,
                r.kind,
                r.access,
                r.parameters,
                r.summary,
                r.seed_position,
                r.id in existing,
            )
        )
        for pos, name in enumerate(r.organisations, start=1):
            rows["organisations"].append((organisation_id(name), name))
            rows["release_organisations"].append((r.id, organisation_id(name), pos))
        rows["release_modalities"].extend((r.id, m) for m in r.modalities)
        urls = list(r.sources) + [x.source for x in r.relations] + [f.source for f in r.facts]
        rows["sources"].extend((u,) for u in dict.fromkeys(urls))
        rows["release_sources"].extend((r.id, u, pos) for pos, u in enumerate(r.sources, start=1))
        rows["release_relations"].extend(
            (r.id, x.target, x.type, x.note, x.caveat, x.source) for x in r.relations
        )
        rows["facts"].extend(
            (r.id, f.subject, f.attribute, f.value, f.unit, f.as_of, f.caveat, f.source, pos)
            for pos, f in enumerate(r.facts, start=1)
        )
    frames = {
        name: pd.DataFrame(data, columns=list(STAGED_COLUMNS[name]), dtype=object)
        for name, data in rows.items()
    }
    frames["releases"] = pd.DataFrame(
        release_rows, columns=[*RELEASE_COLUMNS, "is_update"], dtype=object
    )
    frames["releases"]["is_update"] = frames["releases"]["is_update"].astype(bool)
    return frames


def _grouped(result: duckdb.DuckDBPyConnection) -> dict[str, list[Any]]:
    out: dict[str, list[Any]] = defaultdict(list)
    for key, value in result.fetchall():
        out[key].append(value)
    return out
