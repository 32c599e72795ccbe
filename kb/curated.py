"""The curated data shipped with an installed kb, and the per-user data folder built from it.

From a checkout, kb reads and writes the checkout's data/ and this module is not used. An
installed kb carries the curated files inside the package (kb/_curated/, put there by setup.py)
and, unless KB_DATA_DIR names another folder, works in a per-user data folder
(kb.config.user_data_dir()) that plays the part of a checkout's data/: the build, ingest and
verify read it, and everything ingested is written there, so it survives upgrades.

That folder is a copy of the shipped files overlaid with the user's own, kept up to date file by
file the first time a process asks for it (kb.config.data_dir()):

- a shipped file the user has not changed follows the package: it is copied when new, replaced
  when an upgrade ships another version of it, and removed when the package stops shipping it;
- a file the user changed or added is never touched, so the user's file wins (an ingested
  release is data/releases/<id>.yaml, so this is "by id" for releases);
- a shipped file the user deleted stays deleted until the package ships another version of it.

What was copied is recorded (path -> SHA-256) in RECORD inside the folder; that is how a file
the user changed is told from one the package changed. Writes go through kb.datafiles, so a
crash leaves the folder as it was or fully updated.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Final

from kb import datafiles
from kb.errors import KBError

RECORD: Final = ".kb-curated.json"
WRITABLE_HINT: Final = "Set KB_DATA_DIR to a writable folder (or pass --data-dir where offered)."

# Folders already brought up to date by this process.
_synced: set[Path] = set()


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def shipped_files(source: Path) -> dict[str, bytes]:
    """Every curated file under source: relative POSIX path -> content."""
    files: dict[str, bytes] = {}
    for path in sorted(source.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            files[path.relative_to(source).as_posix()] = path.read_bytes()
    return files


def read_record(folder: Path) -> dict[str, str]:
    """What was copied into folder: relative path -> SHA-256 of the shipped file (may be empty)."""
    try:
        record = json.loads((folder / RECORD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    files = record.get("files") if isinstance(record, dict) else None
    return {str(k): str(v) for k, v in files.items()} if isinstance(files, dict) else {}


def sync(source: Path, folder: Path) -> None:
    """Bring folder up to date with the curated files shipped in source (see the module doc)."""
    key = folder.resolve()
    if key in _synced:
        return
    shipped = shipped_files(source)
    wanted = {rel: _digest(data) for rel, data in shipped.items()}
    if read_record(folder) != wanted:
        try:
            folder.mkdir(parents=True, exist_ok=True)
            _update(folder, shipped, wanted)
        except OSError as exc:
            raise KBError(
                f"Cannot set up the data folder {folder}: {exc.strerror or exc}.", WRITABLE_HINT
            ) from exc
    _synced.add(key)


def _update(folder: Path, shipped: dict[str, bytes], wanted: dict[str, str]) -> None:
    with datafiles.lock(folder):
        copied = read_record(folder)  # again, under the lock: another process may have synced
        if copied == wanted:
            return
        dropped: list[Path] = []
        with datafiles.batch(folder) as files:
            for rel, data in shipped.items():
                if _follows_package(folder / rel, copied.get(rel), wanted[rel]):
                    files.write(rel, data)
            for rel, old in copied.items():
                path = folder / rel
                if rel not in wanted and path.is_file() and _digest(path.read_bytes()) == old:
                    dropped.append(path)
            record = {"files": dict(sorted(wanted.items()))}
            files.write(RECORD, (json.dumps(record, indent=1) + "\n").encode())
        for path in dropped:
            path.unlink(missing_ok=True)


def _follows_package(path: Path, copied: str | None, shipped: str) -> bool:
    """Whether the shipped version should be written to path (False leaves the user's file)."""
    if not path.is_file():
        # Never copied: copy it. Copied, then deleted by the user: leave it deleted unless the
        # package now ships another version.
        return copied != shipped
    current = _digest(path.read_bytes())
    if current == shipped:
        return False
    return copied is not None and current == copied  # unchanged by the user since copied
