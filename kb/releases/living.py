"""Living sources in the store: read the recorded snapshots, apply the crosswalk, give every
model a release id, and load the sources' values, events, versions and lineage beside the
curated timeline. Also takes new snapshots in (data/snapshots.yml + cache) with their diff.

Curated releases stay the authority: a model the crosswalk links to one keeps the curated row
and gains the sources' values. Other models become releases with ids no curated release has
(slug of the name; collisions get -2, -3, ... in a fixed order and are reported).
"""

from __future__ import annotations

import dataclasses
import functools
import os
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import duckdb
import numpy as np

from kb import config, dates
from kb.errors import KBError
from kb.releases import crosswalk as crosswalk_module
from kb.releases import epoch, models_dev
from kb.releases import snapshots as snaps
from kb.releases.crosswalk import Crosswalk
from kb.releases.records import organisation_id
from kb.releases.snapshots import Snapshot, SnapshotDiff
from kb.releases.source_records import SourceRelease, SourceVersion, slugify

SOURCES = (epoch.SOURCE, models_dev.SOURCE)
BASE_RELATION = "fine_tuned_from"


class BuildContextLike(Protocol):
    """What load_into needs of the build's context (kb.build.BuildContext)."""

    @property
    def data_dir(self) -> Path: ...
    @property
    def raw_dir(self) -> Path | None: ...
    @property
    def counts(self) -> dict[str, int]: ...
    @property
    def progress(self) -> Callable[[str], None]: ...


# --- reading snapshots ----------------------------------------------------------------------


@dataclass
class SourceData:
    """Every model the recorded snapshots hold, as of the latest snapshot of each table."""

    models: dict[tuple[str, str], SourceRelease] = field(default_factory=dict)  # (source, key)
    versions: list[SourceVersion] = field(default_factory=list)
    withdrawn: set[tuple[str, str]] = field(default_factory=set)
    withdrawn_versions: set[str] = field(default_factory=set)
    seen: dict[tuple[str, str], tuple[str, str]] = field(default_factory=dict)  # first, last
    snapshot_of: dict[tuple[str, str], str] = field(default_factory=dict)  # (source, table) sha
    latest: dict[tuple[str, str], Snapshot] = field(default_factory=dict)
    missing: list[Snapshot] = field(default_factory=list)  # recorded, not found on this machine


def parse_snapshots(
    recorded: Sequence[Snapshot],
    raw_dir: Path | None,
    on_missing: Callable[[Snapshot, KBError], None] | None = None,
) -> SourceData:
    """Locate, check and map every recorded snapshot; older ones only contribute withdrawn
    models (in an older snapshot, in no latest one). A snapshot whose bytes are on no search
    root is an error, or, given on_missing, reported to it and left out (the latest snapshot
    found of its table then stands for the table)."""
    found: list[tuple[Snapshot, Path]] = []
    missing: list[Snapshot] = []
    for snap in recorded:
        try:
            found.append((snap, snaps.locate(snap, raw_dir)))
        except KBError as exc:
            if on_missing is None:
                raise
            on_missing(snap, exc)
            missing.append(snap)
    data = SourceData(latest=snaps.latest_per_table(s for s, _ in found), missing=missing)
    epoch_current: list[epoch.EpochTable] = []
    epoch_older: list[tuple[Snapshot, epoch.EpochTable]] = []
    md_current: dict[str, SourceRelease] = {}
    md_older: list[tuple[Snapshot, dict[str, SourceRelease]]] = []
    for snap, path in sorted(found, key=lambda f: f[0].snapshot_date):
        is_latest = data.latest[(snap.source, snap.table)] == snap
        if snap.source == epoch.SOURCE:
            table = epoch.read_table(path)
            if table.table != "benchmarked":
                for key in table.by_key():
                    _see(data, (snap.source, key), snap.snapshot_date)
            if is_latest:
                epoch_current.append(table)
            else:
                epoch_older.append((snap, table))
        elif snap.source == models_dev.SOURCE:
            files, providers = models_dev.read_tree(path)
            records = models_dev.map_tree(files, providers)
            for key in records:
                _see(data, (snap.source, key), snap.snapshot_date)
            if is_latest:
                md_current = records
            else:
                md_older.append((snap, records))
        else:
            raise KBError(
                f"snapshot {snap.sha256[:12]}: unknown source '{snap.source}'",
                f"Use one of {', '.join(SOURCES)} in data/snapshots.yml.",
            )
        if is_latest:
            data.snapshot_of[(snap.source, snap.table)] = snap.sha256
    models, versions = epoch.map_tables(epoch_current)
    data.versions = versions
    for key, model in models.items():
        data.models[(epoch.SOURCE, key)] = model
    current_versions = {v.version_id for v in versions}
    for _, table in reversed(epoch_older):  # the newest older snapshot describes a model best
        old_models, old_versions = epoch.map_tables(
            [_withdrawn_rows(table, data, current_versions)]
        )
        for key, model in old_models.items():
            if (epoch.SOURCE, key) not in data.models and not model.placeholder:
                data.models[(epoch.SOURCE, key)] = model
                data.withdrawn.add((epoch.SOURCE, key))
        for version in old_versions:
            if version.version_id not in current_versions:
                data.versions.append(version)
                data.withdrawn_versions.add(version.version_id)
                current_versions.add(version.version_id)
    for key, record in md_current.items():
        data.models[(models_dev.SOURCE, key)] = record
    for _, records in reversed(md_older):
        for key, record in records.items():
            if (models_dev.SOURCE, key) not in data.models:
                data.models[(models_dev.SOURCE, key)] = record
                data.withdrawn.add((models_dev.SOURCE, key))
    for model in data.models.values():
        if (model.source, model.key) not in data.seen and model.tables:  # benchmarked only
            day = max(
                s.snapshot_date
                for s in recorded
                if s.source == model.source and s.table in model.tables
            )
            data.seen[(model.source, model.key)] = (day, day)
    for model in data.models.values():  # a model known only from its versions: their first date
        if model.date is None and not model.placeholder and model.source == epoch.SOURCE:
            days = sorted(v.date for v in data.versions if v.model_key == model.key and v.date)
            if days:
                model.date = days[0]
    return data


def _withdrawn_rows(
    table: epoch.EpochTable, data: SourceData, current_versions: set[str]
) -> epoch.EpochTable:
    """An older snapshot's rows that the current ones no longer hold (only those are mapped:
    mapping a whole older table again would double the step's time)."""
    if table.table == "benchmarked":
        keep = [row.get("id_model_version") not in current_versions for row in table.rows]
    else:
        keep = [(epoch.SOURCE, row.get("Model", "")) not in data.models for row in table.rows]
    return dataclasses.replace(
        table,
        rows=[row for row, kept in zip(table.rows, keep, strict=True) if kept],
        lines=[line for line, kept in zip(table.lines, keep, strict=True) if kept],
    )


def _see(data: SourceData, key: tuple[str, str], day: str) -> None:
    first, last = data.seen.get(key, (day, day))
    data.seen[key] = (min(first, day), max(last, day))


# --- ids ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Assignment:
    release_id: str
    role: str  # release | version | placeholder
    curated: bool


@dataclass
class Identities:
    by_key: dict[tuple[str, str], Assignment] = field(default_factory=dict)
    collisions: list[str] = field(default_factory=list)  # messages, for the report
    matched_by_name: int = 0
    unmatched_links: list[str] = field(default_factory=list)


def assign_ids(data: SourceData, curated_ids: set[str], walk: Crosswalk) -> Identities:
    """A release id for every (source, key): crosswalk links to curated ids first, models.dev
    names equal to one Epoch model's next, then slugs (deterministic order, -2, -3 on clashes)."""
    out = Identities()
    loaded = {source for source, _ in data.models}
    for link in walk.links:
        if (link.source, link.name) in data.models:
            out.by_key[(link.source, link.name)] = Assignment(link.release_id, link.role, True)
        elif link.source in loaded:  # a source with no snapshot here is reported as skipped
            out.unmatched_links.append(f"{link.release_id}: {link.source} '{link.name}'")
    taken = set(curated_ids)
    epoch_keys = sorted(
        (k for k in data.models if k[0] == epoch.SOURCE and k not in out.by_key),
        key=lambda k: (slugify(k[1]), data.models[k].placeholder, data.models[k].date or "", k[1]),
    )
    slug_owner: dict[str, str] = {}
    for key in epoch_keys:
        model = data.models[key]
        rid = _free_id(slugify(key[1]) or "epoch-model", taken, out, key, curated_ids)
        role = "placeholder" if model.placeholder else "release"
        out.by_key[key] = Assignment(rid, role, False)
    for key, assignment in out.by_key.items():
        if key[0] == epoch.SOURCE and assignment.role != "version":
            slug_owner.setdefault(slugify(key[1]), assignment.release_id)
    ambiguous: dict[str, int] = defaultdict(int)
    for key in data.models:
        if key[0] == epoch.SOURCE:
            ambiguous[slugify(key[1])] += 1
    md_keys = sorted(k for k in data.models if k[0] == models_dev.SOURCE and k not in out.by_key)
    by_name: dict[str, str] = {}
    for key in md_keys:
        name_slug = slugify(data.models[key].name) or slugify(key[1])
        if ambiguous.get(name_slug) == 1 and name_slug in slug_owner:
            target = slug_owner[name_slug]
            out.by_key[key] = Assignment(target, "release", target in curated_ids)
            out.matched_by_name += 1
        elif name_slug in by_name:
            out.by_key[key] = Assignment(by_name[name_slug], "release", False)
        else:
            rid = _free_id(name_slug or "model", taken, out, key, curated_ids)
            by_name[name_slug] = rid
            out.by_key[key] = Assignment(rid, "release", False)
    return out


def _free_id(
    slug: str, taken: set[str], out: Identities, key: tuple[str, str], curated_ids: set[str]
) -> str:
    rid, n = slug, 1
    while rid in taken:
        n += 1
        suffix = f"-{n}"
        rid = slug[: 64 - len(suffix)].rstrip(".-") + suffix
    if rid != slug:
        why = (
            "a curated release (link it in data/crosswalk.yml if it is the same)"
            if slug in curated_ids
            else "another model of the sources"
        )
        out.collisions.append(f"{key[0]} '{key[1]}': id '{slug}' is taken by {why}; given '{rid}'")
    taken.add(rid)
    return rid


# --- loading into the store ------------------------------------------------------------------

SQL_LIVING_IDS = (
    "SELECT release_id, source FROM release_origins WHERE release_id IN (SELECT unnest(?))"
)


def living_ids(con: duckdb.DuckDBPyConnection, ids: Iterable[str]) -> dict[str, str]:
    """Which of these ids a living source already gives a release (id -> source): a curated
    record must not take one of them (the source's model would be renamed id-2 on the next
    build); link the curated record to the source's name in data/crosswalk.yml instead."""
    return dict(con.execute(SQL_LIVING_IDS, [list(ids)]).fetchall())


def load_into(con: duckdb.DuckDBPyConnection, ctx: BuildContextLike) -> None:
    """Build step (after the curated releases): every recorded snapshot, set-based."""
    recorded = snaps.read_manifest(Path(ctx.data_dir))
    if not recorded:
        return
    curated = {r[0] for r in con.execute("SELECT id FROM releases").fetchall()}
    walk = crosswalk_module.read(Path(ctx.data_dir), curated)

    def skip(snap: Snapshot, problem: KBError) -> None:
        # The exposure side must build on a machine without the Epoch mirror or cache.
        ctx.progress(
            f"skipping snapshot {snap.source}/{snap.table} of {snap.snapshot_date}: not found "
            "(set KB_RAW_DIR to the mirror folder, or `kb ingest epoch FILE` / "
            "`kb ingest models-dev DIR` to cache it)"
        )

    data = parse_snapshots(recorded, ctx.raw_dir, on_missing=skip)
    ctx.counts["living_snapshots_missing"] = len(data.missing)
    ids = assign_ids(data, curated, walk)
    for message in ids.unmatched_links:
        ctx.progress(f"crosswalk name not in the snapshots: {message}")
    for message in ids.collisions:
        ctx.progress(f"release id clash resolved: {message}")
    staged = stage(data, ids, recorded, curated)
    insert_rows(con, staged)
    ctx.counts.update({f"living_{name}": len(rows) for name, rows in staged.items()})


# Epoch's and models.dev's dates repeat (one per model, event and version; the readers have
# checked them already) and PartialDate is immutable, so each distinct text is parsed once.
_parse_date = functools.lru_cache(maxsize=1 << 14)(dates.parse)


def stage(
    data: SourceData, ids: Identities, recorded: Sequence[Snapshot], curated: set[str]
) -> dict[str, list[tuple[Any, ...]]]:
    """Every row to insert (values in the order of COLUMNS), keyed by target table."""
    latest_shas = {s.sha256 for s in data.latest.values()}
    missing_shas = {s.sha256 for s in data.missing}
    rows: dict[str, list[tuple[Any, ...]]] = defaultdict(list)
    rows["snapshots"] = [
        (
            s.sha256,
            s.source,
            s.table,
            s.file,
            s.rows,
            s.snapshot_date,
            s.licence,
            s.upstream_url,
            s.sha256 in latest_shas,
            s.sha256 not in missing_shas,
        )
        for s in recorded
    ]
    primary: dict[str, SourceRelease] = {}
    for key in sorted(data.models, key=lambda k: (SOURCES.index(k[0]), k[1])):
        assignment = ids.by_key[key]
        model = data.models[key]
        if not assignment.curated and assignment.release_id not in primary:
            primary[assignment.release_id] = model
    org_names: dict[str, str] = {}
    urls: dict[str, None] = {}
    for rid, model in primary.items():
        day = _parse_date(model.date) if model.date else None
        kind = model.kind if day else "external"
        rows["releases"].append(
            (
                rid,
                model.name,
                day.first_day if day else None,
                day.precision if day else None,
                kind,
                model.access,
                model.parameters,
                model.summary,
            )
        )
        rows["release_origins"].append((rid, model.source, model.placeholder))
        makers = dict.fromkeys(o for o in map(organisation_id, model.organisations) if o)
        for name in model.organisations:
            org_names.setdefault(organisation_id(name), name)
        rows["release_organisations"].extend(
            (rid, org, position) for position, org in enumerate(makers, start=1)
        )
        rows["release_modalities"].extend((rid, m) for m in model.modalities)
        for pos, url in enumerate(model.urls, start=1):
            urls[url] = None
            rows["release_sources"].append((rid, url, pos))
    rows["organisations"] = [(org, name) for org, name in org_names.items() if org]
    relations: dict[tuple[str, str], tuple[Any, ...]] = {}
    for key, model in data.models.items():
        assignment = ids.by_key[key]
        rid = assignment.release_id
        status = "withdrawn" if key in data.withdrawn else "current"
        first, last = data.seen.get(key, (None, None))
        rows["source_records"].append(
            (
                key[0],
                key[1],
                rid,
                assignment.role,
                status,
                "; ".join(model.tables) or None,
                first,
                last,
            )
        )
        if assignment.curated:
            rows["crosswalk"].append((key[0], key[1], rid, assignment.role))
        sha = next((data.snapshot_of.get((key[0], t)) for t in model.tables), None)
        for value in model.values:
            rows["source_values"].append(
                (
                    rid,
                    key[0],
                    key[1],
                    value.attribute,
                    value.value,
                    value.unit,
                    value.caveat,
                    value.url,
                    value.table,
                    sha,
                )
            )
        for event in model.events:
            day = _parse_date(event.date)
            kind = "dated_version" if assignment.role == "version" else event.event
            rows["release_dates"].append(
                (rid, kind, day.first_day, day.precision, key[0], key[1], event.url)
            )
        if assignment.curated or assignment.role == "version":
            continue  # curated lineage is the authority; versions have none of their own
        for base in model.bases:
            target = ids.by_key.get((key[0], base))
            if target is None or target.release_id == rid:
                continue
            url = model.urls[0] if model.urls else epoch.HOME_URL
            urls[url] = None
            relations.setdefault(
                (rid, target.release_id),
                (rid, target.release_id, BASE_RELATION, f"Base model (Epoch): {base}", None, url),
            )
    rows["release_relations"] = list(relations.values())
    rows["sources"] = [(u,) for u in urls]
    for version in data.versions:
        target = ids.by_key.get((epoch.SOURCE, version.model_key))
        if target is None:
            continue
        status = "withdrawn" if version.version_id in data.withdrawn_versions else "current"
        rows["release_versions"].append(
            (
                epoch.SOURCE,
                version.version_id,
                target.release_id,
                version.model_key,
                version.name,
                _parse_date(version.date).first_day if version.date else None,
                version.access,
                version.capabilities_index,
                version.capabilities_low,
                version.capabilities_high,
                status,
            )
        )
    return {name: rows.get(name, []) for name in COLUMNS}


COLUMNS: dict[str, tuple[str, ...]] = {
    "snapshots": (
        "sha256",
        "source",
        "source_table",
        "file",
        "rows",
        "snapshot_date",
        "licence",
        "upstream_url",
        "is_latest",
        "loaded",
    ),
    "releases": ("id", "name", "date", "date_precision", "kind", "access", "parameters", "summary"),
    "release_origins": ("release_id", "source", "placeholder"),
    "organisations": ("id", "name"),
    "release_organisations": ("release_id", "organisation_id", "position"),
    "release_modalities": ("release_id", "modality"),
    "sources": ("url",),
    "release_sources": ("release_id", "url", "position"),
    "release_relations": ("source_id", "target_id", "type", "note", "caveat", "source_url"),
    "crosswalk": ("source", "source_key", "release_id", "role"),
    "source_records": (
        "source",
        "source_key",
        "release_id",
        "role",
        "status",
        "tables",
        "first_seen",
        "last_seen",
    ),
    "source_values": (
        "release_id",
        "source",
        "source_key",
        "attribute",
        "value",
        "unit",
        "caveat",
        "source_url",
        "source_table",
        "snapshot_sha256",
    ),
    "release_dates": (
        "release_id",
        "event",
        "date",
        "date_precision",
        "source",
        "source_key",
        "source_url",
    ),
    "release_versions": (
        "source",
        "version_id",
        "release_id",
        "source_key",
        "name",
        "date",
        "access",
        "capabilities_index",
        "capabilities_low",
        "capabilities_high",
        "status",
    ),
}
# Parents before the rows that reference them; organisations and sources may exist already.
_ON_CONFLICT = {
    "organisations": "ON CONFLICT DO NOTHING",
    "sources": "ON CONFLICT DO NOTHING",
    "release_relations": "ON CONFLICT DO NOTHING",
}


def insert_rows(con: duckdb.DuckDBPyConnection, staged: dict[str, list[tuple[Any, ...]]]) -> None:
    """Insert the staged rows (the caller owns the transaction); names are constants here."""
    for name, columns in COLUMNS.items():
        rows = staged[name]
        if not rows:
            continue
        view = f"kb_living_{name}"
        con.register(view, _scannable(rows, columns))
        try:
            cols, conflict = ", ".join(columns), _ON_CONFLICT.get(name, "")
            # Table and column names are the constants above; values travel in the registered view.
            statement = f"INSERT INTO {name} ({cols}) SELECT {cols} FROM {view} {conflict}"  # noqa: S608
            con.execute(statement)
        finally:
            con.unregister(view)


def _scannable(rows: list[tuple[Any, ...]], columns: tuple[str, ...]) -> dict[str, np.ndarray]:
    """The rows as columns DuckDB can scan: one numpy array of Python objects per column, whose
    values DuckDB reads directly (no pandas frame, no Arrow: neither is needed to build)."""
    out: dict[str, np.ndarray] = {}
    for i, column in enumerate(columns):
        values = np.empty(len(rows), dtype=object)
        for j, row in enumerate(rows):  # element-wise: a list value stays one cell
            values[j] = row[i]
        out[column] = values
    return out


# --- taking a snapshot in ------------------------------------------------------------------------


@dataclass
class TakeIn:
    """One file taken in: its snapshot record, whether it was new, and the diff to the previous."""

    snapshot: Snapshot
    new: bool
    diff: SnapshotDiff


def describe(
    path: Path, snapshot_date: str | None = None, raw_dir: Path | None = None
) -> tuple[Snapshot, dict[str, Any]]:
    """A snapshot record for a local file or models.dev folder, and its rows for a diff (the
    content is checked before the date is looked for: a wrong file is the likelier mistake)."""
    file = _relative(path, raw_dir)
    if path.is_dir():
        files, providers = models_dev.read_tree(path)
        records = models_dev.map_tree(files, providers)
        day = snaps.snapshot_date(path, snapshot_date)
        snap = Snapshot(
            models_dev.SOURCE,
            models_dev.TABLE,
            file,
            snaps.sha256_tree(path),
            len(records),
            day,
            models_dev.LICENCE,
            models_dev.UPSTREAM_URL,
        )
        return snap, models_dev.rows(records)
    table = epoch.read_table(path)
    day = snaps.snapshot_date(path, snapshot_date)
    snap = Snapshot(
        epoch.SOURCE,
        table.table,
        file,
        snaps.sha256_file(path),
        len(table.rows),
        day,
        epoch.LICENCE,
        epoch.UPSTREAM_URLS[table.table],
    )
    return snap, table.by_key()


def _relative(path: Path, raw_dir: Path | None) -> str:
    """Where a file sits below the raw-data roots (how locate finds it again), else its name
    plus its folder's (the cache finds it by checksum whatever this says)."""
    resolved = path.resolve()
    for root in snaps.search_roots(raw_dir)[:-1]:
        try:
            return resolved.relative_to(root.resolve()).as_posix()
        except ValueError:
            continue
    return "/".join(resolved.parts[-2:])


def rows_of(snap: Snapshot, raw_dir: Path | None) -> dict[str, Any]:
    path = snaps.locate(snap, raw_dir)
    if snap.source == models_dev.SOURCE:
        return models_dev.rows(models_dev.map_tree(*models_dev.read_tree(path)))
    return epoch.read_table(path).by_key()


def take_in(
    paths: Iterable[str | os.PathLike[str]],
    *,
    data_dir: str | os.PathLike[str] | None = None,
    raw_dir: str | os.PathLike[str] | None = None,
    snapshot_date: str | None = None,
    dry_run: bool = False,
    expect: str | None = None,
) -> list[TakeIn]:
    """Record files as snapshots (data/snapshots.yml through kb.datafiles, bytes in the cache)
    and diff each against the previous snapshot of its table. Every file is read and checked
    before anything is written; a snapshot already recorded changes nothing. `expect` (a
    source) refuses files of another source."""
    folder = config.data_dir(data_dir)
    raw = config.raw_dir(raw_dir)
    given = [Path(p) for p in paths]
    for path in given:
        _check_path(path, expect)
    recorded = snaps.read_manifest(folder)
    described = sorted(
        ((path, *describe(path, snapshot_date, raw)) for path in given),
        key=lambda d: d[1].snapshot_date,
    )
    by_sha = {s.sha256: s for s in recorded}
    known = list(recorded)
    results: list[TakeIn] = []
    for _path, snap, rows in described:
        new = snap.sha256 not in by_sha
        if not new:
            snap = by_sha[snap.sha256]
        else:
            _refuse_same_day(snap, known)
        before = snaps.previous(known, snap)
        old_rows = rows_of(before, raw) if before else None
        diff = snaps.diff_rows(
            old_rows,
            rows,
            source=snap.source,
            table=snap.table,
            old_date=before.snapshot_date if before else None,
            new_date=snap.snapshot_date,
        )
        results.append(TakeIn(snap, new, diff))
        if new:
            by_sha[snap.sha256] = snap
            known.append(snap)
    fresh = [r for r in results if r.new]
    if dry_run or not fresh:
        return results
    for path, snap, _ in described:
        if any(r.snapshot.sha256 == snap.sha256 for r in fresh):
            snaps.cache_copy(path, snap.sha256)  # content-addressed: harmless if unused
    snaps.write_manifest(folder, known)
    return results


def _check_path(path: Path, expect: str | None) -> None:
    if not path.exists():
        raise KBError(f"{path}: no such file or folder")
    is_tree = path.is_dir()
    if expect == epoch.SOURCE and is_tree:
        hint = (
            "It looks like models.dev: use `kb ingest models-dev DIR`."
            if models_dev.is_tree(path)
            else "Give Epoch AI's CSV files."
        )
        raise KBError(f"{path}: is a folder, not one of Epoch AI's CSV tables", hint)
    if expect == models_dev.SOURCE and not is_tree:
        raise KBError(
            f"{path}: is a file, not a models.dev folder (with models/ or providers/)",
            "For Epoch AI's CSV tables use `kb ingest epoch FILE...`.",
        )


def _refuse_same_day(snap: Snapshot, known: Sequence[Snapshot]) -> None:
    """The store keeps one snapshot per table and day: another file of that day is refused."""
    clash = next(
        (
            s
            for s in known
            if (s.source, s.table, s.snapshot_date) == (snap.source, snap.table, snap.snapshot_date)
        ),
        None,
    )
    if clash is not None:
        raise KBError(
            f"{snap.file}: another snapshot of {snap.source}/{snap.table} dated "
            f"{snap.snapshot_date} is already recorded ({clash.file}, {clash.sha256[:12]})",
            "Give the day this copy was downloaded with --snapshot-date YYYY-MM-DD.",
        )


@dataclass
class IngestReport:
    """What `kb ingest epoch` / `kb ingest models-dev` did: one diff per file, and whether the
    store was rebuilt from the new snapshots."""

    results: list[TakeIn]
    dry_run: bool
    rebuilt: Path | None = None  # the store rebuilt, if any
    seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return any(r.new for r in self.results)

    def to_dict(self) -> dict[str, Any]:
        """Per table: added/updated/removed/unchanged counts with the lists beside them."""
        return {
            "dry_run": self.dry_run,
            "tables": [
                {
                    **r.diff.to_dict(),
                    "new_snapshot": r.new,
                    "sha256": r.snapshot.sha256,
                    "rows": r.snapshot.rows,
                    "file": r.snapshot.file,
                }
                for r in self.results
            ],
            "store_rebuilt": str(self.rebuilt) if self.rebuilt else None,
        }


def ingest(
    paths: Iterable[str | os.PathLike[str]],
    *,
    source: str,
    db: str | os.PathLike[str] | None = None,
    data_dir: str | os.PathLike[str] | None = None,
    raw_dir: str | os.PathLike[str] | None = None,
    snapshot_date: str | None = None,
    dry_run: bool = False,
    rebuild: bool = True,
    progress: Callable[[str], None] | None = None,
) -> IngestReport:
    """Take snapshots in (see take_in) and, when one is new and a store exists, rebuild the store
    from data/ (atomically, as `kb build`): a living source touches too many tables for an
    in-place update, and DuckDB refuses to delete and re-add referenced rows in one
    transaction."""
    import time

    from kb import build

    started = time.perf_counter()
    results = take_in(
        paths,
        data_dir=data_dir,
        raw_dir=raw_dir,
        snapshot_date=snapshot_date,
        dry_run=dry_run,
        expect=source,
    )
    report = IngestReport(results, dry_run)
    target = config.db_path(db)
    if report.changed and not dry_run and rebuild and target.exists():
        build.build(target, data_dir=data_dir, raw_dir=raw_dir, progress=progress)
        report.rebuilt = target
    report.seconds = time.perf_counter() - started
    return report
