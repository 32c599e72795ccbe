"""Upstream data files: the manifest (data/sources.yml), and locating, downloading and verifying
each file before a build reads it.

A file is taken from a local mirror (ctx.raw_dir: --raw-dir / KB_RAW_DIR) or from the download
cache (kb.config.cache_dir()); a missing one is downloaded from its pinned URL. Whatever the
origin, its size and SHA-256 must match the manifest, else the build stops with a SourceError
before anything replaces the previous store.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import http.client
import os
import re
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from kb import config
from kb.errors import MAX_LISTED_PROBLEMS, SourceError, clip, type_name

if TYPE_CHECKING:  # pragma: no cover
    import duckdb

    from kb.build import BuildContext

MANIFEST_NAME = "sources.yml"
MANIFEST_HINT = "Fix data/sources.yml (each file needs url or base_url, sha256 and bytes)."
# The manifest lists a few dozen files; anything much larger is not one.
MAX_MANIFEST_BYTES = 1 << 20
SHA256 = re.compile(r"[0-9a-fA-F]{64}")
DOWNLOAD_TIMEOUT_SECONDS = 60
# file:// lets a test or an offline machine point the manifest at a local copy.
URL_SCHEMES = ("https://", "http://", "file://")
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
    if size > MAX_MANIFEST_BYTES:
        raise SourceError(
            f"{path} is {size:,} bytes; a source manifest is at most {MAX_MANIFEST_BYTES:,}.",
            MANIFEST_HINT,
        )
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except FileNotFoundError as exc:
        raise SourceError(f"No source manifest at {path}.", "Restore data/sources.yml.") from exc
    except (yaml.YAMLError, UnicodeDecodeError, ValueError) as exc:
        raise SourceError(f"{path}: not valid YAML ({exc}).", MANIFEST_HINT) from exc
    out: dict[tuple[str, str], SourceFile] = {}
    problems: list[str] = []
    datasets = raw.get("datasets") if isinstance(raw, dict) else None
    if not isinstance(datasets, dict) or not datasets:
        raise SourceError(f"{path}: no 'datasets' mapping at the top.", MANIFEST_HINT)
    for dataset, spec in datasets.items():
        if not isinstance(spec, dict):
            problems.append(f"datasets.{dataset}: {type_name(spec)}, expected a mapping")
            continue
        files = spec.get("files")
        if not isinstance(files, dict) or not files:
            problems.append(f"datasets.{dataset}.files: {type_name(files)}, expected a mapping")
            continue
        for name, entry in files.items():
            where = f"datasets.{dataset}.files.{name}"
            if not isinstance(entry, dict):
                problems.append(f"{where}: {type_name(entry)}, expected a mapping")
                continue
            found = _entry_problems(entry, spec)
            problems.extend(f"{where}: {problem}" for problem in found)
            if found:
                continue
            out[(str(dataset), str(name))] = SourceFile(
                dataset=str(dataset),
                file=str(name),
                url=str(entry.get("url") or f"{spec.get('base_url', '')}{name}"),
                sha256=str(entry["sha256"]).lower(),
                bytes=int(entry["bytes"]),
                licence=str(entry.get("licence") or spec.get("licence") or ""),
                citation=" ".join(str(entry.get("citation") or spec.get("citation") or "").split()),
                parser=str(entry.get("parser") or ""),
            )
    if problems:
        shown = problems[:MAX_LISTED_PROBLEMS]
        more = len(problems) - len(shown)
        lines = [f"{path}: {len(problems):,} problem{'s' if len(problems) != 1 else ''}"]
        lines += [f"  {problem}" for problem in shown]
        if more:
            lines.append(f"  ... and {more:,} more problems")
        raise SourceError("\n".join(lines), MANIFEST_HINT)
    return out


def _entry_problems(entry: dict[Any, Any], spec: dict[Any, Any]) -> list[str]:
    """What is wrong with one file's entry (sha256, bytes, url), each as one message."""
    problems = []
    missing = [key for key in ("sha256", "bytes") if key not in entry]
    if missing:
        problems.append(f"missing {', '.join(missing)}")
    digest = entry.get("sha256")
    if "sha256" in entry and not (isinstance(digest, str) and SHA256.fullmatch(digest)):
        problems.append(f"sha256 {clip(repr(digest), 80)} is not 64 hexadecimal digits")
    size = entry.get("bytes")
    if "bytes" in entry and (type(size) is not int or size < 0):
        problems.append(f"bytes {clip(repr(size), 80)} is not a whole number of bytes")
    url = entry.get("url") or spec.get("base_url")
    if not isinstance(url, str) or not url.startswith(URL_SCHEMES):
        problems.append(
            f"url {clip(repr(url), 80)} is not an http(s) or file address (url or base_url)"
        )
    return problems


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
    """Fetch entry.url into dest via a temporary file, verified before it is renamed into place.

    Anything that goes wrong (no network, a proxy's malformed or cut-off reply, a timeout, more
    bytes than the manifest pins, a full or read-only cache) is a SourceError naming the file
    and the URL; the partial download is removed.
    """
    progress = ctx.progress if ctx is not None else (lambda message: None)
    tmp = dest.with_name(f"{dest.name}.part-{os.getpid()}")
    progress(f"downloading {entry.dataset}/{entry.file} ({entry.bytes:,} bytes)")
    try:
        dest.parent.mkdir(parents=True, exist_ok=True)
        with (
            urllib.request.urlopen(entry.url, timeout=DOWNLOAD_TIMEOUT_SECONDS) as response,
            tmp.open("wb") as out,
        ):
            done = 0
            while chunk := response.read(_CHUNK):
                done += len(chunk)
                if done > entry.bytes:  # a wrong or endless reply: stop, do not fill the disk
                    raise SourceError(
                        f"Download of {entry.dataset}/{entry.file} from {entry.url} refused: "
                        f"the server sent more than the {entry.bytes:,} bytes the manifest pins.",
                        "Check the URL and any proxy, or use a local mirror (--raw-dir).",
                    )
                out.write(chunk)
                progress(f"  {entry.file}: {done:,} of {entry.bytes:,} bytes")
        if done != entry.bytes:
            raise SourceError(
                f"Download of {entry.dataset}/{entry.file} from {entry.url} was cut off: "
                f"{done:,} of {entry.bytes:,} bytes arrived.",
                "Run the command again, or use a local mirror of the data (--raw-dir).",
            )
        verify(entry, tmp)
        os.replace(tmp, dest)
    except SourceError:
        _remove(tmp)
        raise
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as exc:
        _remove(tmp)
        raise SourceError(
            f"Could not download {entry.dataset}/{entry.file} from {entry.url} into {dest.parent}: "
            f"{_reason(exc)}.",
            "Check the network (and any proxy) and that the cache folder is writable "
            "(KB_CACHE_DIR), or point --raw-dir / KB_RAW_DIR at a local mirror of the data.",
        ) from exc
    return dest


def _remove(path: Path) -> None:
    """Delete a partial download if there is one (its folder may not even exist)."""
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)


def _reason(exc: BaseException) -> str:
    """A download failure in words: the HTTP status, the network's reason, or the error type."""
    if isinstance(exc, urllib.error.HTTPError):
        return f"HTTP {exc.code} {exc.reason}"
    if isinstance(exc, urllib.error.URLError):
        return f"{exc.reason}"
    if isinstance(exc, TimeoutError):
        return f"no reply within {DOWNLOAD_TIMEOUT_SECONDS} s"
    if isinstance(exc, http.client.IncompleteRead):
        return f"the reply was cut off after {len(exc.partial):,} bytes"
    if isinstance(exc, http.client.HTTPException):
        detail = clip(str(exc), 200)
        return f"malformed reply from the server or proxy ({type(exc).__name__}: {detail!r})"
    if isinstance(exc, OSError):
        return exc.strerror or str(exc)
    return clip(str(exc), 200)


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
