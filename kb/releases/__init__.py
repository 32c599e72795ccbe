"""Releases in the store: load data/releases/ at build time, and ingest new or changed records.

`ingest()` validates every record of every file first (fields, relation targets in the store or
the batch, lineage cycles, conflicting duplicates) and writes nothing if anything is wrong. Then,
in one store transaction, it updates the store and writes each added or changed record to
data/releases/<id>.yaml (temp file + rename), restoring the files if the store write fails.
"""

from __future__ import annotations

import os
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import networkx as nx
import pandas as pd

from kb import config, store
from kb.errors import Problem, ValidationError
from kb.release_records import (
    Fact,
    RawRecord,
    Relation,
    Release,
    format_date,
    loose_relations,
    read_records,
    to_yaml,
    validate,
)
from kb.vocabulary import KINDS, MODALITIES, RELATION_TYPES

RELEASES_FOLDER = "releases"
FIX_HINT = "Fix the records above and run `kb ingest releases` again."

# Child tables of a release: an update deletes and re-inserts these rows (never the release row,
# which other tables may reference).
_CHILD_DELETES = (
    "DELETE FROM release_organisations WHERE release_id IN (SELECT id FROM kb_staged_releases)",
    "DELETE FROM release_modalities WHERE release_id IN (SELECT id FROM kb_staged_releases)",
    "DELETE FROM release_sources WHERE release_id IN (SELECT id FROM kb_staged_releases)",
    "DELETE FROM release_relations WHERE source_id IN (SELECT id FROM kb_staged_releases)",
    "DELETE FROM facts WHERE release_id IN (SELECT id FROM kb_staged_releases)",
)
_RELEASE_COLUMNS = ("id", "name", "date", "date_precision", "kind", "access", "parameters",
                    "summary", "seed_position")
_INSERT_RELEASES = """
INSERT INTO releases (id, name, date, date_precision, kind, access, parameters, summary, seed_position)
SELECT id, name, CAST(date AS DATE), date_precision, kind, access, parameters, summary,
       CAST(seed_position AS INTEGER)
FROM kb_staged_releases WHERE NOT is_update
"""
_UPDATE_RELEASES = """
UPDATE releases SET name = s.name, date = CAST(s.date AS DATE), date_precision = s.date_precision,
       kind = s.kind, access = s.access, parameters = s.parameters, summary = s.summary,
       seed_position = CAST(s.seed_position AS INTEGER)
FROM kb_staged_releases s WHERE releases.id = s.id AND s.is_update
"""
_INSERT_CHILDREN = {
    "organisations": "INSERT INTO organisations (id, name) SELECT DISTINCT id, name "
                     "FROM kb_staged_organisations ON CONFLICT DO NOTHING",
    "release_organisations": "INSERT INTO release_organisations (release_id, organisation_id, position) "
                             "SELECT release_id, organisation_id, CAST(position AS INTEGER) "
                             "FROM kb_staged_release_organisations",
    "release_modalities": "INSERT INTO release_modalities (release_id, modality) "
                          "SELECT release_id, modality FROM kb_staged_release_modalities",
    "sources": "INSERT INTO sources (url) SELECT DISTINCT url FROM kb_staged_sources "
               "ON CONFLICT DO NOTHING",
    "release_sources": "INSERT INTO release_sources (release_id, url, position) "
                       "SELECT release_id, url, CAST(position AS INTEGER) FROM kb_staged_release_sources",
    "release_relations": "INSERT INTO release_relations "
                         "(source_id, target_id, type, note, caveat, source_url) "
                         "SELECT source_id, target_id, type, note, caveat, source_url "
                         "FROM kb_staged_release_relations",
    "facts": "INSERT INTO facts (release_id, subject, attribute, value, unit, as_of, caveat, "
             "source_url, position) "
             "SELECT release_id, subject, attribute, value, unit, CAST(as_of AS DATE), caveat, "
             "source_url, CAST(position AS INTEGER) FROM kb_staged_facts",
}
_CHILD_COLUMNS = {
    "organisations": ("id", "name"),
    "release_organisations": ("release_id", "organisation_id", "position"),
    "release_modalities": ("release_id", "modality"),
    "sources": ("url",),
    "release_sources": ("release_id", "url", "position"),
    "release_relations": ("source_id", "target_id", "type", "note", "caveat", "source_url"),
    "facts": ("release_id", "subject", "attribute", "value", "unit", "as_of", "caveat",
              "source_url", "position"),
}

_READ_RELEASES = f"SELECT {', '.join(_RELEASE_COLUMNS)} FROM releases"
_READ_ORGANISATIONS = (
    "SELECT ro.release_id, o.name FROM release_organisations ro "
    "JOIN organisations o ON o.id = ro.organisation_id ORDER BY ro.release_id, ro.position"
)
_READ_MODALITIES = "SELECT release_id, modality FROM release_modalities ORDER BY release_id, modality"
_READ_SOURCES = "SELECT release_id, url FROM release_sources ORDER BY release_id, position"
_READ_RELATIONS = (
    "SELECT source_id, type, target_id, source_url, note, caveat FROM release_relations "
    "ORDER BY source_id, target_id, type"
)
_READ_FACTS = (
    "SELECT release_id, subject, attribute, value, source_url, unit, as_of, caveat FROM facts "
    "ORDER BY release_id, position"
)


@dataclass(frozen=True)
class RecordOutcome:
    id: str
    status: str  # added | updated | unchanged
    file: str  # where the record came from
    path: str  # data/releases/<id>.yaml


@dataclass
class IngestReport:
    outcomes: list[RecordOutcome] = field(default_factory=list)
    dry_run: bool = False

    def count(self, status: str) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    def summary(self) -> str:
        verb = "would be" if self.dry_run else "were"
        parts = [f"{self.count(s)} {s}" for s in ("added", "updated", "unchanged")]
        return f"{len(self.outcomes)} release records: {', '.join(parts)}" + (
            f" (dry run: nothing {verb} written)" if self.dry_run else ""
        )


# --- build ------------------------------------------------------------------------------------


def load_into(con: duckdb.DuckDBPyConnection, ctx: store.BuildContext) -> None:
    """Build step: the vocabularies, then every data/releases/*.yaml (all valid, or none)."""
    load_vocabularies(con)
    folder = Path(ctx.data_dir) / RELEASES_FOLDER
    files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    batch, problems, _ = parse_files(files, base=Path(ctx.data_dir))
    for raw, release in batch:
        expected = Path(raw.file).stem
        if release.id != expected:
            problems.append(Problem(raw.file, raw.where, "id",
                                    f"'{release.id}' does not match the file name '{expected}.yaml'"))
    if not problems:
        problems = check_batch(batch, StoreState())
    if problems:
        raise ValidationError(problems, "Fix these files in data/releases/ and run `kb build` again.")
    releases = [release for _, release in batch]
    write_to_store(con, releases, existing=set())
    ctx.counts["releases"] = len(releases)
    ctx.counts["release_relations"] = sum(len(r.relations) for r in releases)
    ctx.counts["facts"] = sum(len(r.facts) for r in releases)


def load_vocabularies(con: duckdb.DuckDBPyConnection) -> None:
    for table, key, vocabulary in (
        ("release_kinds", "kind", KINDS),
        ("relation_types", "type", RELATION_TYPES),
        ("modalities", "modality", MODALITIES),
    ):
        con.executemany(
            f"INSERT INTO {table} ({key}, description) VALUES (?, ?)",  # names are constants
            list(vocabulary.items()),
        )


# --- reading and checking input ----------------------------------------------------------------


def parse_files(
    paths: Sequence[Path], base: Path | None = None
) -> tuple[list[tuple[RawRecord, Release]], list[Problem], list[RawRecord]]:
    """Read and validate every record of every file; identical duplicates count once.

    Returns the valid records, the problems, and the records refused (still worth checking
    for relations to unknown releases, so that one pass reports everything).
    """
    problems: list[Problem] = []
    batch: list[tuple[RawRecord, Release]] = []
    rejected: list[RawRecord] = []
    first_seen: dict[str, tuple[RawRecord, Release]] = {}
    for path in paths:
        display = _display(path, base)
        raws, file_problems = read_records(path, display)
        problems.extend(file_problems)
        for raw in raws:
            release, record_problems = validate(raw)
            problems.extend(record_problems)
            if release is None:
                rejected.append(raw)
                continue
            earlier = first_seen.get(release.id)
            if earlier is None:
                first_seen[release.id] = (raw, release)
                batch.append((raw, release))
            elif earlier[1] != release:
                other = earlier[0]
                in_file = "this file" if other.file == raw.file else other.file
                problems.append(Problem(
                    raw.file, raw.where, "id",
                    f"'{release.id}' is also record {other.number} of {in_file}, "
                    "with different content",
                ))
    return batch, problems, rejected


@dataclass
class StoreState:
    """What validation needs to know about the store: ids, organisation spellings, lineage."""

    ids: set[str] = field(default_factory=set)
    organisations: dict[str, str] = field(default_factory=dict)  # id -> name
    relations: list[tuple[str, str, str]] = field(default_factory=list)  # (source, target, type)

    @classmethod
    def read(cls, con: duckdb.DuckDBPyConnection) -> StoreState:
        return cls(
            ids={r[0] for r in con.execute("SELECT id FROM releases").fetchall()},
            organisations=dict(con.execute("SELECT id, name FROM organisations").fetchall()),
            relations=[tuple(r) for r in con.execute(  # type: ignore[misc]
                "SELECT source_id, target_id, type FROM release_relations").fetchall()],
        )


def check_batch(
    batch: list[tuple[RawRecord, Release]],
    state: StoreState,
    rejected: Sequence[RawRecord] = (),
) -> list[Problem]:
    """Problems that need the whole batch and the store: targets, spellings, lineage cycles.

    Refused records (`rejected`) are checked for relations to unknown releases too.
    """
    problems: list[Problem] = []
    batch_ids = {release.id for _, release in batch}
    batch_ids |= {r.data["id"] for r in rejected if isinstance(r.data, dict)
                  and isinstance(r.data.get("id"), str)}
    known = state.ids | batch_ids
    for raw in rejected:
        for i, rtype, target in loose_relations(raw):
            if target not in known:
                problems.append(Problem(raw.file, raw.where, f"relations[{i}].target",
                                        f"relation {rtype} -> '{target}' names no "
                                        f"known release{_close_matches(target, known)}"))
    spellings = dict(state.organisations)
    for raw, release in batch:
        for i, relation in enumerate(release.relations, start=1):
            if relation.target not in known:
                problems.append(Problem(raw.file, raw.where, f"relations[{i}].target",
                                        f"relation {relation.type} -> '{relation.target}' names no "
                                        f"known release{_close_matches(relation.target, known)}"))
        for i, name in enumerate(release.organisations, start=1):
            slug = organisation_id(name)
            if not slug:
                problems.append(Problem(raw.file, raw.where, f"organisations[{i}]",
                                        f"'{name}' needs at least one letter or digit"))
            elif spellings.setdefault(slug, name) != name:
                problems.append(Problem(raw.file, raw.where, f"organisations[{i}]",
                                        f"'{name}' is spelled '{spellings[slug]}' elsewhere; "
                                        "use that spelling"))
    if not problems:
        problems.extend(_cycle_problems(batch, state))
    return problems


def _cycle_problems(batch: list[tuple[RawRecord, Release]], state: StoreState) -> list[Problem]:
    """Lineage must stay acyclic once the batch replaces the relations of its releases."""
    replaced = {release.id for _, release in batch}
    graph = nx.DiGraph()
    graph.add_edges_from((s, t) for s, t, _ in state.relations if s not in replaced)
    for _, release in batch:
        graph.add_edges_from((release.id, r.target) for r in release.relations)
    problems = []
    where = {release.id: raw for raw, release in batch}
    for component in nx.strongly_connected_components(graph):
        if len(component) < 2:
            continue
        # Start from the first record of the batch in the cycle, so the message is stable.
        start = next((r.id for _, r in batch if r.id in component), min(component))
        nodes = [edge[0] for edge in nx.find_cycle(graph.subgraph(component), source=start)]
        if start in nodes:
            nodes = nodes[nodes.index(start):] + nodes[: nodes.index(start)]
        path = " -> ".join([*nodes, nodes[0]])
        culprit = next((n for n in nodes if n in where), nodes[0])
        raw = where.get(culprit)
        problems.append(Problem(raw.file if raw else "store", raw.where if raw else culprit,
                                "relations", f"lineage would form a cycle: {path}"))
    return problems


def _close_matches(name: str, candidates: Iterable[str]) -> str:
    import difflib

    matches = difflib.get_close_matches(name, sorted(candidates), n=3, cutoff=0.6)
    return f" (did you mean {', '.join(repr(m) for m in matches)}?)" if matches else ""


def organisation_id(name: str) -> str:
    """A stable key for an organisation name: 'Meta AI' -> 'meta-ai'."""
    out, dash = [], False
    for ch in name.lower():
        if ch.isascii() and ch.isalnum():
            out.append(ch)
            dash = False
        elif not dash and out:
            out.append("-")
            dash = True
    return "".join(out).strip("-")


# --- store reads and writes --------------------------------------------------------------------


def read_releases(con: duckdb.DuckDBPyConnection, ids: Iterable[str] | None = None) -> dict[str, Release]:
    """Releases as records (the same canonical form the files hold), all or just `ids`."""
    wanted = None if ids is None else set(ids)
    rows = [r for r in con.execute(_READ_RELEASES).fetchall() if wanted is None or r[0] in wanted]
    if not rows:
        return {}

    def grouped(sql: str) -> dict[str, list[tuple[Any, ...]]]:
        out: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
        for row in con.execute(sql).fetchall():
            if wanted is None or row[0] in wanted:
                out[row[0]].append(row[1:])
        return out

    orgs, mods, srcs = grouped(_READ_ORGANISATIONS), grouped(_READ_MODALITIES), grouped(_READ_SOURCES)
    rels, facts = grouped(_READ_RELATIONS), grouped(_READ_FACTS)
    out = {}
    for rid, name, day, precision, kind, access, parameters, summary, seed in rows:
        out[rid] = Release(
            id=rid, name=name, kind=kind, date=format_date(day, precision) if day else None,
            organisations=tuple(r[0] for r in orgs[rid]),
            modalities=tuple(r[0] for r in mods[rid]), access=access, parameters=parameters,
            summary=summary, seed_position=seed, sources=tuple(r[0] for r in srcs[rid]),
            relations=tuple(Relation(t, target, url, note, caveat)
                            for t, target, url, note, caveat in rels[rid]),
            facts=tuple(Fact(subject, attribute, value, url, unit,
                             as_of.isoformat() if as_of else None, caveat)
                        for subject, attribute, value, url, unit, as_of, caveat in facts[rid]),
        )
    return out


def write_to_store(con: duckdb.DuckDBPyConnection, releases: Sequence[Release], existing: set[str]) -> None:
    """Insert new releases and update existing ones (child rows replaced) in bulk.

    The caller owns the transaction. Values travel in registered data frames, never in SQL text.
    """
    if not releases:
        return
    staged = _stage(releases, existing)
    try:
        for name, frame in staged.items():
            con.register(f"kb_staged_{name}", frame)
        for sql in _CHILD_DELETES:
            con.execute(sql)
        con.execute(_INSERT_RELEASES)
        con.execute(_UPDATE_RELEASES)
        for name in _CHILD_COLUMNS:  # parents (organisations, sources) before links
            con.execute(_INSERT_CHILDREN[name])
    finally:
        for name in staged:
            con.unregister(f"kb_staged_{name}")


def _stage(releases: Sequence[Release], existing: set[str]) -> dict[str, pd.DataFrame]:
    rows: dict[str, list[tuple[Any, ...]]] = {name: [] for name in _CHILD_COLUMNS}
    release_rows = []
    for r in releases:
        release_rows.append((r.id, r.name, r.first_day.isoformat() if r.first_day else None,
                             r.date_precision, r.kind, r.access, r.parameters, r.summary,
                             r.seed_position, r.id in existing))
        for pos, name in enumerate(r.organisations, start=1):
            rows["organisations"].append((organisation_id(name), name))
            rows["release_organisations"].append((r.id, organisation_id(name), pos))
        rows["release_modalities"].extend((r.id, m) for m in r.modalities)
        urls = list(r.sources) + [x.source for x in r.relations] + [f.source for f in r.facts]
        rows["sources"].extend((u,) for u in dict.fromkeys(urls))
        rows["release_sources"].extend((r.id, u, pos) for pos, u in enumerate(r.sources, start=1))
        rows["release_relations"].extend((r.id, x.target, x.type, x.note, x.caveat, x.source)
                                         for x in r.relations)
        rows["facts"].extend((r.id, f.subject, f.attribute, f.value, f.unit, f.as_of, f.caveat,
                              f.source, pos) for pos, f in enumerate(r.facts, start=1))
    frames = {name: pd.DataFrame(data, columns=list(_CHILD_COLUMNS[name]), dtype=object)
              for name, data in rows.items()}
    frames["releases"] = pd.DataFrame(release_rows, columns=[*_RELEASE_COLUMNS, "is_update"],
                                      dtype=object)
    frames["releases"]["is_update"] = frames["releases"]["is_update"].astype(bool)
    return frames


# --- ingest ------------------------------------------------------------------------------------


def ingest(
    paths: Sequence[str | os.PathLike[str]],
    *,
    db: str | os.PathLike[str] | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    dry_run: bool = False,
) -> IngestReport:
    """Add or update releases from files, in data/releases/ and the store, all or nothing."""
    folder = config.data_dir(data_dir) / RELEASES_FOLDER
    files = [Path(p) for p in paths]
    batch, problems, rejected = parse_files(files)
    with store.connect(db, read_only=dry_run) as con:
        problems += check_batch(batch, StoreState.read(con), rejected)
        if problems:
            raise ValidationError(_in_file_order(problems, [str(f) for f in files]), FIX_HINT)
        current = read_releases(con, [release.id for _, release in batch])
        report = IngestReport(dry_run=dry_run)
        changed: list[Release] = []
        for raw, release in batch:
            before = current.get(release.id)
            status = "added" if before is None else "unchanged" if before == release else "updated"
            report.outcomes.append(RecordOutcome(release.id, status, raw.file,
                                                 str(folder / f"{release.id}.yaml")))
            if status != "unchanged":
                changed.append(release)
        if dry_run or not changed:
            return report
        # Leaving these blocks by an error rolls the store back, then restores the files.
        with _FileWrites(folder) as writer, store.transaction(con):
            write_to_store(con, changed, existing=set(current))
            for release in changed:
                writer.write(f"{release.id}.yaml", to_yaml(release))
            store.mark_inputs(con, config.data_dir(data_dir))
    return report


def _in_file_order(problems: list[Problem], files: list[str]) -> list[Problem]:
    """Problems sorted by file (as given) and record number, keeping their order otherwise."""

    def key(problem: Problem) -> tuple[int, int]:
        number = re.match(r"(?:record|line) (\d+)", problem.where)
        rank = files.index(problem.file) if problem.file in files else len(files)
        return rank, int(number.group(1)) if number else 0

    return sorted(problems, key=key)


class _FileWrites:
    """Write files atomically (temp + rename); on any error, put every file back as it was."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.backups: dict[Path, bytes | None] = {}

    def __enter__(self) -> _FileWrites:
        self.folder.mkdir(parents=True, exist_ok=True)
        return self

    def write(self, name: str, text: str) -> None:
        path = self.folder / name
        if path not in self.backups:
            self.backups[path] = path.read_bytes() if path.exists() else None
        _atomic_write(path, text.encode("utf-8"))

    def __exit__(self, exc_type: Any, exc: Any, tb: Any) -> None:
        if exc_type is None:
            return
        for path, old in self.backups.items():
            if old is None:
                path.unlink(missing_ok=True)
            else:
                _atomic_write(path, old)


def _atomic_write(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _display(path: Path, base: Path | None) -> str:
    if base is not None:
        try:
            return path.relative_to(base).as_posix()
        except ValueError:
            pass
    return str(path)


__all__ = [
    "IngestReport", "RecordOutcome", "StoreState", "check_batch", "ingest",
    "load_into", "organisation_id", "parse_files", "read_releases", "write_to_store",
]
