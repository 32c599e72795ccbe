"""Snapshots of living sources: files that change upstream every day, taken in one dated copy
at a time.

A snapshot is recorded (never its bytes) in data/snapshots.yml with its source, table, SHA-256,
row count, date, licence and upstream address. Its bytes are found again in a raw-data folder
(KB_RAW_DIR or its parent, where the mirrors live) or in the content-addressed cache
(<cache>/snapshots/<sha256>.<ext>) that taking a snapshot in copies it to. Two snapshots of the
same table are compared row by row: added, updated (with each changed field), removed, unchanged.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Final

import yaml

from kb import config, datafiles, dates
from kb.errors import KBError, Problem, ValidationError

MANIFEST_FILE: Final = "snapshots.yml"
CACHE_FOLDER: Final = "snapshots"
# A tree snapshot (models.dev) is the set of its TOML files; other files (README, logos) are not
# data and do not change its checksum.
TREE_PATTERN: Final = "*.toml"
_SHA256 = re.compile(r"[0-9a-f]{64}")
_DATE_IN_TEXT = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")
MANIFEST_FIELDS: Final = (
    "source",
    "table",
    "file",
    "sha256",
    "rows",
    "snapshot_date",
    "licence",
    "upstream_url",
)


@dataclass(frozen=True, order=True)
class Snapshot:
    """One file (or folder) of a living source as it was on one day."""

    source: str  # a term of kb.vocabulary.LIVING_SOURCES
    table: str  # e.g. 'notable', 'large_scale', 'benchmarked', 'models'
    file: str  # where it was found, relative to a raw-data root (e.g. epoch/notable_ai_models.csv)
    sha256: str
    rows: int
    snapshot_date: str  # YYYY-MM-DD
    licence: str
    upstream_url: str

    @property
    def is_tree(self) -> bool:
        return not Path(self.file).suffix

    @property
    def cache_name(self) -> str:
        """The file (or folder) name in the content-addressed cache."""
        return self.sha256 + Path(self.file).suffix

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# --- checksums and dates -----------------------------------------------------------------------


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def tree_files(folder: Path) -> list[Path]:
    """The data files of a tree snapshot, in a stable order."""
    return sorted(folder.rglob(TREE_PATTERN), key=lambda p: p.relative_to(folder).as_posix())


def sha256_tree(folder: Path) -> str:
    """One checksum for a folder: SHA-256 of the `sha256sum`-style listing of its data files."""
    listing = "".join(
        f"{sha256_file(p)}  {p.relative_to(folder).as_posix()}\n" for p in tree_files(folder)
    )
    return hashlib.sha256(listing.encode()).hexdigest()


def checksum(path: Path) -> str:
    return sha256_tree(path) if path.is_dir() else sha256_file(path)


def snapshot_date(path: Path, explicit: str | None = None) -> str:
    """The day a snapshot was taken: the explicit value, else a date in the path
    (snapshots/2026-04-23/...), else the date the mirror's README gives on the file's line."""
    if explicit:
        try:
            return str(dates.parse(explicit, partial=False))
        except ValueError as exc:
            raise KBError(f"snapshot date: {exc}", "Give the date as YYYY-MM-DD.") from None
    for part in reversed(path.resolve().parts):
        if _DATE_IN_TEXT.fullmatch(part):
            return part
    for folder in (path if path.is_dir() else path.parent, path.parent):
        readme = folder / "README.md"
        if readme.is_file():
            found = _date_in_readme(readme.read_text(encoding="utf-8"), path.name)
            if found:
                return found
    raise KBError(
        f"{path}: no snapshot date found (none in its path or in a README beside it)",
        "Give the day the file was downloaded (--snapshot-date YYYY-MM-DD).",
    )


def _date_in_readme(text: str, name: str) -> str | None:
    """The first date on the README line that names the file; for a folder, the first date."""
    lines = text.splitlines()
    for line in lines:
        if name in line and line.lstrip().startswith("|"):
            match = _DATE_IN_TEXT.search(line)
            if match:
                return match.group(1)
    if "." not in name:
        match = _DATE_IN_TEXT.search(text)
        return match.group(1) if match else None
    return None


# --- the manifest ------------------------------------------------------------------------------


def manifest_path(data_dir: Path) -> Path:
    return Path(data_dir) / MANIFEST_FILE


def read_manifest(data_dir: Path) -> list[Snapshot]:
    """The snapshots recorded in data/snapshots.yml (none if the file is absent), checked."""
    path = manifest_path(data_dir)
    if not path.is_file():
        return []
    name = f"{path.parent.name}/{path.name}"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except yaml.YAMLError as exc:
        raise KBError(
            f"{name} is not valid YAML: {str(exc).splitlines()[0]}",
            "Fix the file or restore it from git.",
        ) from None
    entries = data.get("snapshots") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise KBError(
            f"{name}: expected a mapping with a list 'snapshots'",
            "Fix the file or restore it from git.",
        )
    problems: list[Problem] = []
    out: list[Snapshot] = []
    for number, entry in enumerate(entries, start=1):
        where = f"snapshot {number}"
        if not isinstance(entry, dict):
            problems.append(Problem(name, where, None, "must be a mapping"))
            continue
        missing = [f for f in MANIFEST_FIELDS if entry.get(f) in (None, "")]
        problems += [Problem(name, where, f, "is missing") for f in missing]
        unknown = sorted(set(entry) - set(MANIFEST_FIELDS))
        problems += [Problem(name, where, f, "is not a snapshot field") for f in unknown]
        if missing or unknown:
            continue
        sha = str(entry["sha256"])
        if not _SHA256.fullmatch(sha):
            problems.append(Problem(name, where, "sha256", f"'{sha}' is not 64 hex digits"))
        try:
            day = str(dates.parse(str(entry["snapshot_date"]), partial=False))
        except ValueError as exc:
            problems.append(Problem(name, where, "snapshot_date", str(exc)))
            continue
        if not isinstance(entry["rows"], int) or entry["rows"] < 0:
            problems.append(Problem(name, where, "rows", "must be a whole number >= 0"))
            continue
        out.append(
            Snapshot(
                str(entry["source"]),
                str(entry["table"]),
                str(entry["file"]),
                sha,
                entry["rows"],
                day,
                str(entry["licence"]),
                str(entry["upstream_url"]),
            )
        )
    seen: dict[str, int] = {}
    for number, snap in enumerate(out, start=1):
        if snap.sha256 in seen:
            problems.append(
                Problem(
                    name, f"snapshot {number}", "sha256", f"is also snapshot {seen[snap.sha256]}"
                )
            )
        seen.setdefault(snap.sha256, number)
    if problems:
        raise ValidationError(problems, f"Fix {name} (or restore it from git) and try again.")
    return out


def manifest_text(snapshots: Iterable[Snapshot]) -> str:
    """The manifest's YAML, sorted by source, table and date (stable, reviewable diffs)."""
    ordered = sorted(snapshots, key=lambda s: (s.source, s.table, s.snapshot_date, s.sha256))
    return (
        "# Snapshots of living sources taken in (kb.releases.snapshots). Only their checksums\n"
        "# are committed: the bytes are found in the raw-data folder or the snapshot cache.\n"
        + yaml.safe_dump(
            {"snapshots": [s.to_dict() for s in ordered]},
            sort_keys=False,
            allow_unicode=True,
            width=100,
        )
    )


def write_manifest(data_dir: Path, snapshots: Iterable[Snapshot]) -> None:
    """Write the manifest through kb.datafiles (crash-safe, under the data/ lock)."""
    with datafiles.batch(data_dir) as files:
        files.write(MANIFEST_FILE, manifest_text(snapshots).encode("utf-8"))


def previous(snapshots: Iterable[Snapshot], snap: Snapshot) -> Snapshot | None:
    """The latest recorded snapshot of the same table taken before `snap`."""
    earlier = [
        s
        for s in snapshots
        if (s.source, s.table) == (snap.source, snap.table)
        and s.snapshot_date < snap.snapshot_date
        and s.sha256 != snap.sha256
    ]
    return max(earlier, key=lambda s: s.snapshot_date, default=None)


def latest_per_table(snapshots: Iterable[Snapshot]) -> dict[tuple[str, str], Snapshot]:
    out: dict[tuple[str, str], Snapshot] = {}
    for snap in sorted(snapshots, key=lambda s: s.snapshot_date):
        out[(snap.source, snap.table)] = snap
    return out


# --- finding the bytes -------------------------------------------------------------------------


def snapshot_cache() -> Path:
    return config.cache_dir() / CACHE_FOLDER


def search_roots(raw_dir: Path | None) -> list[Path]:
    """Where the files of a snapshot may be: the raw-data folder and its parent (the mirrors of
    several data sets sit side by side), then the snapshot cache."""
    roots = [raw_dir, raw_dir.parent] if raw_dir else []
    return [*roots, snapshot_cache()]


def locate(snap: Snapshot, raw_dir: Path | None) -> Path:
    """The local copy of a snapshot whose checksum matches, or a KBError saying where we looked."""
    tried: list[str] = []
    candidates = [root / snap.file for root in search_roots(raw_dir)[:-1]]
    candidates.append(snapshot_cache() / snap.cache_name)
    for path in candidates:
        if not path.exists():
            tried.append(f"{path} (absent)")
            continue
        if checksum(path) == snap.sha256:
            return path
        tried.append(f"{path} (other content: a newer or older snapshot)")
    raise KBError(
        f"snapshot {snap.source}/{snap.table} of {snap.snapshot_date} ({snap.sha256[:12]}) "
        "was not found; looked in: " + "; ".join(tried),
        "Set KB_RAW_DIR to the mirror folder, or take the file in again "
        "(`kb ingest epoch FILE` / `kb ingest models-dev DIR`), which caches it.",
    )


def cache_copy(path: Path, sha256: str) -> Path:
    """Copy a snapshot into the content-addressed cache (no-op if already there)."""
    target = snapshot_cache() / (sha256 + path.suffix)
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        if path.is_dir():
            for source in tree_files(path):
                dest = tmp / source.relative_to(path)
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, dest)
        else:
            shutil.copyfile(path, tmp)
        os.replace(tmp, target)
    finally:
        if tmp.is_dir():
            shutil.rmtree(tmp, ignore_errors=True)
        else:
            tmp.unlink(missing_ok=True)
    return target


# --- comparing two snapshots of a table ----------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str | None
    new: str | None


@dataclass
class SnapshotDiff:
    """What changed in a table between two snapshots, keyed by the source's own record name."""

    source: str
    table: str
    old: str | None  # snapshot dates
    new: str
    added: list[str] = field(default_factory=list)
    updated: dict[str, list[FieldChange]] = field(default_factory=dict)
    removed: list[str] = field(default_factory=list)  # kept in the store, marked withdrawn
    unchanged: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {
            "added": len(self.added),
            "updated": len(self.updated),
            "removed": len(self.removed),
            "unchanged": len(self.unchanged),
        }

    def to_dict(self) -> dict[str, Any]:
        """Counts under added/updated/removed/unchanged, with the lists beside them."""
        return {
            "source": self.source,
            "table": self.table,
            "previous_snapshot": self.old,
            "snapshot": self.new,
            **self.counts(),
            "added_records": self.added,
            "updated_records": [
                {"record": key, "changes": [asdict(c) for c in changes]}
                for key, changes in self.updated.items()
            ],
            "removed_records": self.removed,
        }


def diff_rows(
    old: Mapping[str, Mapping[str, str | None]] | None,
    new: Mapping[str, Mapping[str, str | None]],
    *,
    source: str,
    table: str,
    old_date: str | None,
    new_date: str,
) -> SnapshotDiff:
    """Compare records keyed by name; a field counts as changed when its text differs (a column
    present on one side only counts as a change from or to nothing)."""
    result = SnapshotDiff(source, table, old_date, new_date)
    before = old or {}
    for key, row in new.items():
        was = before.get(key)
        if was is None:
            result.added.append(key)
            continue
        changes = [
            FieldChange(f, was.get(f) or None, row.get(f) or None)
            for f in dict.fromkeys([*was, *row])
            if (was.get(f) or None) != (row.get(f) or None)
        ]
        if changes:
            result.updated[key] = changes
        else:
            result.unchanged.append(key)
    result.removed = [key for key in before if key not in new]
    return result


def today() -> str:
    return date.today().isoformat()
