"""Ingesting release records: check a batch of files against each other and the store, then
write data/releases/ and the store together; and the `kb build` step that loads data/releases/.

`ingest()` validates every record of every file first (fields, relation targets in the store or
the batch, lineage cycles, conflicting duplicates) and writes nothing if anything is wrong.
Then, in one store transaction, it updates the store and writes each added or changed record
to data/releases/<id>.yaml through kb.datafiles: a crash leaves all of the batch or none.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import duckdb
import networkx as nx

from kb import config, datafiles, store
from kb.errors import Problem, ProblemList, ValidationError, did_you_mean
from kb.releases.formats import read_records, to_yaml
from kb.releases.records import RawRecord, Release, loose_relations, organisation_id, validate
from kb.releases.tables import (
    SQL_ORGANISATION_NAMES,
    SQL_RELATION_EDGES,
    load_vocabularies,
    read_releases,
    release_ids,
    write_to_store,
)

if TYPE_CHECKING:  # kb.build imports this package for its step
    from kb.build import BuildContext

RELEASES_FOLDER: Final = "releases"
FIX_HINT: Final = "Fix the records above and run `kb ingest releases` again."


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

    def as_dict(self) -> dict[str, Any]:
        """The report as `kb ingest releases --format json` prints it."""
        return {
            "dry_run": self.dry_run,
            **{s: self.count(s) for s in ("added", "updated", "unchanged")},
            "records": [
                {"id": o.id, "status": o.status, "file": o.file, "path": o.path}
                for o in self.outcomes
            ],
        }

    def summary(self) -> str:
        """One line for the table output: how many records were added, updated, unchanged."""
        verb = "would be" if self.dry_run else "were"
        parts = [f"{self.count(s)} {s}" for s in ("added", "updated", "unchanged")]
        return f"{len(self.outcomes)} release records: {', '.join(parts)}" + (
            f" (dry run: nothing {verb} written)" if self.dry_run else ""
        )


# --- build ------------------------------------------------------------------------------------


def load_into(con: duckdb.DuckDBPyConnection, ctx: BuildContext) -> None:
    """Build step: the vocabularies, then every data/releases/*.yaml (all valid, or none)."""
    load_vocabularies(con)
    folder = Path(ctx.data_dir) / RELEASES_FOLDER
    files = sorted(folder.glob("*.yaml")) if folder.is_dir() else []
    batch, problems, _ = parse_files(files, base=Path(ctx.data_dir))
    for raw, release in batch:
        expected = Path(raw.file).stem
        if release.id != expected:
            problems.append(
                Problem(
                    raw.file,
                    raw.where,
                    "id",
                    f"'{release.id}' does not match the file name '{expected}.yaml'",
                )
            )
    if not problems:
        problems.extend(check_batch(batch, StoreState()))
    if problems:
        raise ValidationError(
            problems, "Fix these files in data/releases/ and run `kb build` again."
        )
    releases = [release for _, release in batch]
    write_to_store(con, releases, existing=set())
    ctx.counts["releases"] = len(releases)
    ctx.counts["release_relations"] = sum(len(r.relations) for r in releases)
    ctx.counts["facts"] = sum(len(r.facts) for r in releases)


# --- reading and checking input ----------------------------------------------------------------


def parse_files(
    paths: Sequence[Path], base: Path | None = None
) -> tuple[list[tuple[RawRecord, Release]], ProblemList, list[RawRecord]]:
    """Read and validate every record of every file; identical duplicates count once.

    Returns the valid records, the problems, and the records refused (still worth checking
    for relations to unknown releases, so that one pass reports everything). Checking stops
    once MAX_COLLECTED_PROBLEMS are found; the problems' `stopped` then says what was skipped.
    """
    problems = ProblemList()
    batch: list[tuple[RawRecord, Release]] = []
    rejected: list[RawRecord] = []
    first_seen: dict[str, tuple[RawRecord, Release]] = {}
    for file_number, path in enumerate(paths):
        display = _display(path, base)
        raws, file_problems = read_records(path, display)
        problems.extend(file_problems)
        for raw in raws:
            if problems.full:
                problems.stopped = _unchecked(raw, len(raws), len(paths) - file_number - 1)
                return batch, problems, rejected
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
                problems.append(
                    Problem(
                        raw.file,
                        raw.where,
                        "id",
                        f"'{release.id}' is also record {other.number} of {in_file}, "
                        "with different content",
                    )
                )
        if problems.full and file_number + 1 < len(paths):
            problems.stopped = f"{len(paths) - file_number - 1:,} more files were not read"
            break
    return batch, problems, rejected


def _unchecked(raw: RawRecord, total: int, later_files: int) -> str:
    records = (
        f"record {raw.number:,}" if raw.number == total else f"records {raw.number:,} to {total:,}"
    )
    files = f", nor {later_files:,} more files" if later_files else ""
    return f"{records} of {raw.file} were not checked{files}"


@dataclass
class StoreState:
    """What validation needs to know about the store: ids, organisation spellings, lineage."""

    ids: set[str] = field(default_factory=set)
    organisations: dict[str, str] = field(default_factory=dict)  # id -> name
    relations: list[tuple[str, str, str]] = field(default_factory=list)  # (source, target, type)

    @classmethod
    def read(cls, con: duckdb.DuckDBPyConnection) -> StoreState:
        return cls(
            ids=set(release_ids(con)),
            organisations=dict(con.execute(SQL_ORGANISATION_NAMES).fetchall()),
            relations=[(s, t, k) for s, t, k in con.execute(SQL_RELATION_EDGES).fetchall()],
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
    batch_ids |= {
        r.data["id"]
        for r in rejected
        if isinstance(r.data, dict) and isinstance(r.data.get("id"), str)
    }
    known = state.ids | batch_ids
    for raw in rejected:
        for i, rtype, target in loose_relations(raw):
            if target not in known:
                problems.append(
                    Problem(
                        raw.file,
                        raw.where,
                        f"relations[{i}].target",
                        f"relation {rtype} -> '{target}' names no "
                        f"known release{_suggest(target, known)}",
                    )
                )
    spellings = dict(state.organisations)
    for raw, release in batch:
        for i, relation in enumerate(release.relations, start=1):
            if relation.target not in known:
                problems.append(
                    Problem(
                        raw.file,
                        raw.where,
                        f"relations[{i}].target",
                        f"relation {relation.type} -> '{relation.target}' names no "
                        f"known release{_suggest(relation.target, known)}",
                    )
                )
        for i, name in enumerate(release.organisations, start=1):
            slug = organisation_id(name)
            if not slug:
                problems.append(
                    Problem(
                        raw.file,
                        raw.where,
                        f"organisations[{i}]",
                        f"'{name}' needs at least one letter or digit",
                    )
                )
            elif spellings.setdefault(slug, name) != name:
                problems.append(
                    Problem(
                        raw.file,
                        raw.where,
                        f"organisations[{i}]",
                        f"'{name}' is spelled '{spellings[slug]}' elsewhere; use that spelling",
                    )
                )
    if not problems:
        problems.extend(_cycle_problems(batch, state))
    return problems


def _cycle_problems(batch: list[tuple[RawRecord, Release]], state: StoreState) -> list[Problem]:
    """Lineage must stay acyclic once the batch replaces the relations of its releases."""
    replaced = {release.id for _, release in batch}
    graph: nx.DiGraph[str] = nx.DiGraph()
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
            nodes = nodes[nodes.index(start) :] + nodes[: nodes.index(start)]
        path = " -> ".join([*nodes, nodes[0]])
        culprit = next((n for n in nodes if n in where), nodes[0])
        raw = where.get(culprit)
        problems.append(
            Problem(
                raw.file if raw else "store",
                raw.where if raw else culprit,
                "relations",
                f"lineage would form a cycle: {path}",
            )
        )
    return problems


# --- ingest ------------------------------------------------------------------------------------


def ingest(
    paths: Sequence[str | os.PathLike[str]],
    *,
    db: str | os.PathLike[str] | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    dry_run: bool = False,
) -> IngestReport:
    """Add or update releases from files, in data/releases/ and the store, all or nothing."""
    data = config.data_dir(data_dir)
    folder = data / RELEASES_FOLDER
    files = [Path(p) for p in paths]
    batch, problems, rejected = parse_files(files)
    if problems.stopped:  # too many problems to be worth checking against the store
        raise ValidationError(
            _in_file_order(problems, [str(f) for f in files]), FIX_HINT, stopped=problems.stopped
        )
    with datafiles.lock(data), store.connect(db, read_only=dry_run) as con:
        problems += check_batch(batch, StoreState.read(con), rejected)
        if problems:
            raise ValidationError(
                _in_file_order(problems, [str(f) for f in files]),
                FIX_HINT,
                stopped=problems.stopped,
            )
        current = read_releases(con, [release.id for _, release in batch])
        report = IngestReport(dry_run=dry_run)
        changed: list[Release] = []
        for raw, release in batch:
            before = current.get(release.id)
            status = "added" if before is None else "unchanged" if before == release else "updated"
            report.outcomes.append(
                RecordOutcome(release.id, status, raw.file, str(folder / f"{release.id}.yaml"))
            )
            if status != "unchanged":
                changed.append(release)
        if dry_run or not changed:
            return report
        # The files commit when the inner block ends, the store when the outer one does; an
        # error before the files' commit point leaves both unchanged.
        with store.transaction(con), datafiles.batch(data) as written:
            write_to_store(con, changed, existing=set(current))
            for release in changed:
                written.write(f"{RELEASES_FOLDER}/{release.id}.yaml", to_yaml(release).encode())
            store.mark_ingested(con, data, written.pending)
    return report


def _suggest(name: str, known: set[str]) -> str:
    suggestion = did_you_mean(name, known)
    return f" ({suggestion})" if suggestion else ""


def _in_file_order(problems: list[Problem], files: list[str]) -> list[Problem]:
    """Problems sorted by file (as given) and record number, keeping their order otherwise."""

    def key(problem: Problem) -> tuple[int, int]:
        number = re.match(r"(?:record|line) (\d+)", problem.where)
        rank = files.index(problem.file) if problem.file in files else len(files)
        return rank, int(number.group(1)) if number else 0

    return sorted(problems, key=key)


def _display(path: Path, base: Path | None) -> str:
    if base is not None:
        try:
            return path.relative_to(base).as_posix()
        except ValueError:
            pass
    return str(path)
