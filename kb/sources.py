"""Upstream data files: the manifest (data/sources.yml), and locating, downloading and verifying
each file before a build reads it.

A file is taken from a local mirror (ctx.raw_dir: --raw-dir / KB_RAW_DIR) or from the download
cache (kb.config.cache_dir()); a missing one is downloaded from its pinned URL. Whatever the
origin, its size and SHA-256 must match the manifest, else the build stops with a SourceError
before anything replaces the previous store.
"""

from __future__ import annotations

import functools
import hashlib
import os
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from kb import config
from kb.errors import SourceError

if TYPE_CHECKING:  # pragma: no cover
    import duckdb

    from kb.build import BuildContext

MANIFEST_NAME = "sources.yml"
_CHUNK = 1 << 20


@dataclass(frozen=True)
class SourceFile:
    """One upstream file as the manifest pins it."""

    dataset: str
    file: str
    url: str
    sha256: str
    bytes: int
    licence: str
    citation: str
    parser: str


def manifest_path(ctx: BuildContext | None = None) -> Path:
    """ctx.manifest when a build names one (benchmarks), else data/sources.yml."""
    if ctx is not None and ctx.manifest is not None:
        return Path(ctx.manifest)
    data_dir = ctx.data_dir if ctx is not None else config.data_dir()
    return Path(data_dir) / MANIFEST_NAME


# libyaml's loader when PyYAML was built with it (several times faster than the pure-Python one).
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_manifest(path: str | os.PathLike[str] | None = None) -> dict[tuple[str, str], SourceFile]:
    """Read a manifest into {(dataset, file): SourceFile}; a malformed one is a SourceError.

    Parsed once per file version (path, size and modification time), as a build asks per file.
    """
    path = Path(path) if path else config.data_dir() / MANIFEST_NAME
    try:
        stat = path.stat()
    except FileNotFoundError as exc:
        raise SourceError(f"No source manifest at {path}.", "Restore data/sources.yml.") from exc
    return dict(_parse_manifest(path, stat.st_size, stat.st_mtime_ns))


@functools.lru_cache(maxsize=16)
def _parse_manifest(path: Path, size: int, mtime_ns: int) -> dict[tuple[str, str], SourceFile]:
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except FileNotFoundError as exc:
        raise SourceError(f"No source manifest at {path}.", "Restore data/sources.yml.") from exc
    except yaml.YAMLError as exc:
        raise SourceError(f"{path}: not valid YAML ({exc}).", "Fix the manifest.") from exc
    out: dict[tuple[str, str], SourceFile] = {}
    datasets = (raw or {}).get("datasets")
    if not isinstance(datasets, dict) or not datasets:
        raise SourceError(f"{path}: no 'datasets' mapping.", "See data/sources.yml for the format.")
    for dataset, spec in datasets.items():
        files = (spec or {}).get("files") or {}
        for name, entry in files.items():
            entry = entry or {}
            missing = [k for k in ("sha256", "bytes") if k not in entry]
            if missing:
                raise SourceError(
                    f"{path}: {dataset}/{name}: missing {', '.join(missing)}.",
                    "Every file needs its sha256 and size in bytes.",
                )
            out[(dataset, name)] = SourceFile(
                dataset=dataset,
                file=name,
                url=str(entry.get("url") or f"{spec.get('base_url', '')}{name}"),
                sha256=str(entry["sha256"]).lower(),
                bytes=int(entry["bytes"]),
                licence=str(entry.get("licence") or spec.get("licence") or ""),
                citation=" ".join(str(entry.get("citation") or spec.get("citation") or "").split()),
                parser=str(entry.get("parser") or ""),
            )
    return out


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def candidates(raw_dir: Path, dataset: str, file: str) -> list[Path]:
    """Where a mirror may hold a file: <raw>/<dataset>/<file>, <raw>/<file> and
    <raw>/../<dataset>/<file>.

    So KB_RAW_DIR may name the dataset folder itself or the folder holding every dataset.
    """
    return [raw_dir / dataset / file, raw_dir / file, raw_dir.parent / dataset / file]


def _problem(entry: SourceFile, path: Path) -> str | None:
    """None when the file matches the manifest, else what is wrong with it."""
    size = path.stat().st_size
    if size != entry.bytes:
        return (
            f"{path} is {size:,} bytes, the manifest expects {entry.bytes:,} "
            f"(truncated or a different version)"
        )
    actual = sha256_of(path)
    if actual != entry.sha256:
        return f"{path} has sha256 {actual}, the manifest expects {entry.sha256}"
    return None


def verify(entry: SourceFile, path: Path) -> None:
    """Raise SourceError unless path has the manifest's size and checksum."""
    problem = _problem(entry, path)
    if problem:
        raise SourceError(
            f"Upstream file {entry.dataset}/{entry.file} refused: {problem}.",
            f"Replace it with the original from {entry.url} (or delete it so kb downloads it); "
            "the previous store was left as it was.",
        )


def resolve(dataset: str, file: str, ctx: BuildContext | None = None) -> Path:
    """The verified local path of one upstream file, downloading it into the cache if needed.

    Looks in the mirror first (every candidate location; the checksum decides), then the cache,
    then downloads. Raises SourceError for a file the manifest does not list, a damaged file
    (naming expected and actual size or checksum), or one that cannot be found or fetched.
    """
    manifest = load_manifest(manifest_path(ctx))
    entry = manifest.get((dataset, file))
    if entry is None:
        raise SourceError(
            f"{dataset}/{file} is not in the source manifest {manifest_path(ctx)}.",
            "Add it (url, sha256, bytes) to data/sources.yml.",
        )
    raw_dir = ctx.raw_dir if ctx is not None else config.raw_dir()
    if raw_dir is not None:
        found = [p for p in candidates(Path(raw_dir), dataset, file) if p.is_file()]
        problems = []
        for path in found:
            problem = _problem(entry, path)
            if problem is None:
                return path
            problems.append(problem)
        if problems:
            raise SourceError(
                f"Upstream file {dataset}/{file} refused: " + "; ".join(problems) + ".",
                f"Restore the original from {entry.url}; the previous store was left as it was.",
            )
        raise SourceError(
            f"Upstream file {dataset}/{file} is missing from the mirror {raw_dir} "
            f"(looked in {', '.join(str(p) for p in candidates(Path(raw_dir), dataset, file))}).",
            f"Put it there (from {entry.url}) or unset KB_RAW_DIR / --raw-dir to download it.",
        )
    cached = config.cache_dir() / dataset / file
    if cached.is_file() and _problem(entry, cached) is None:
        return cached
    return download(entry, cached, ctx)


def download(entry: SourceFile, dest: Path, ctx: BuildContext | None = None) -> Path:
    """Fetch entry.url into dest via a temporary file, verified before it is renamed into place."""
    progress = ctx.progress if ctx is not None else (lambda message: None)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = dest.with_name(f"{dest.name}.part-{os.getpid()}")
    progress(f"downloading {entry.dataset}/{entry.file} ({entry.bytes:,} bytes)")
    try:
        with urllib.request.urlopen(entry.url, timeout=60) as response, tmp.open("wb") as out:
            done = 0
            while chunk := response.read(_CHUNK):
                out.write(chunk)
                done += len(chunk)
                progress(f"  {entry.file}: {done:,} of {entry.bytes:,} bytes")
        verify(entry, tmp)
    except (urllib.error.URLError, OSError) as exc:
        tmp.unlink(missing_ok=True)
        raise SourceError(
            f"Could not download {entry.dataset}/{entry.file} from {entry.url}: {exc}.",
            "Check the network, or point --raw-dir / KB_RAW_DIR at a local mirror of the data.",
        ) from exc
    except SourceError:
        tmp.unlink(missing_ok=True)
        raise
    os.replace(tmp, dest)
    return dest


def record(con: duckdb.DuckDBPyConnection, ctx: BuildContext | None = None) -> int:
    """Write every manifest row into upstream_files; returns the number of rows."""
    rows = [
        (e.dataset, e.file, e.url, e.sha256, e.bytes, e.licence, e.citation, e.parser)
        for e in load_manifest(manifest_path(ctx)).values()
    ]
    con.executemany(
        "INSERT INTO upstream_files (dataset, file, url, sha256, bytes, licence, citation, parser) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
    return len(rows)


def as_dicts(entries: dict[tuple[str, str], SourceFile]) -> list[dict[str, Any]]:
    return [vars(e) for e in entries.values()]
