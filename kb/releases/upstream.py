"""Downloading the current files of the living sources (Epoch AI's tables, the models.dev
tree) into the cache, to be taken in as dated snapshots by kb.releases.living.

Only the download lives here: what a file is, and what changed, is decided by the ingest.
Addresses come from the mirrors' READMEs; Epoch's benchmarked table has no stable CSV address
and is not fetched (download it from epoch.ai/benchmarks and `kb ingest epoch` it).
"""

from __future__ import annotations

import os
import shutil
import tarfile
import tempfile
from pathlib import Path, PurePosixPath
from typing import Final
from urllib.error import URLError
from urllib.request import Request, urlopen

from kb import config
from kb.errors import KBError
from kb.releases import epoch

EPOCH_FILES: Final[dict[str, str]] = {
    "notable_ai_models.csv": epoch.UPSTREAM_URLS["notable"],
    "large_scale_ai_models.csv": epoch.UPSTREAM_URLS["large_scale"],
}
# The default branch of github.com/anomalyco/models.dev as a gzip'd tar archive.
MODELS_DEV_ARCHIVE: Final = "https://github.com/anomalyco/models.dev/archive/HEAD.tar.gz"
MODELS_DEV_FOLDERS: Final = ("models", "providers")  # the data folders of the tree
DOWNLOADS_FOLDER: Final = "downloads"
TIMEOUT_SECONDS: Final = 60
USER_AGENT: Final = "kb (knowledge base of AI releases)"


def downloads_dir(day: str) -> Path:
    """<cache>/downloads/<day>/: the folder name carries the snapshot date."""
    return config.cache_dir() / DOWNLOADS_FOLDER / day


def download(url: str, target: Path, timeout: float = TIMEOUT_SECONDS) -> Path:
    """Fetch url into target (temp file + rename: a broken download leaves nothing)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
    try:
        request = Request(url, headers={"User-Agent": USER_AGENT})
        with urlopen(request, timeout=timeout) as response, tmp.open("wb") as out:
            shutil.copyfileobj(response, out)
        os.replace(tmp, target)
    except (URLError, OSError, TimeoutError) as exc:
        reason = getattr(exc, "reason", None) or exc
        raise KBError(
            f"could not download {url}: {reason}",
            "Check the network connection (or download the file by hand and `kb ingest` it).",
        ) from None
    finally:
        tmp.unlink(missing_ok=True)
    return target


def fetch_epoch(day: str, urls: dict[str, str] | None = None) -> list[Path]:
    """Download Epoch AI's notable and large-scale tables; returns the local files."""
    folder = downloads_dir(day) / "epoch"
    return [download(url, folder / name) for name, url in (urls or EPOCH_FILES).items()]


def fetch_models_dev(day: str, url: str | None = None) -> Path:
    """Download the models.dev repository archive and unpack its TOML data folders; returns the
    tree (a folder holding models/ and providers/)."""
    root = downloads_dir(day) / "models-dev"
    config.cache_dir().mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=config.cache_dir()) as scratch:
        archive = download(url or MODELS_DEV_ARCHIVE, Path(scratch) / "models-dev.tar.gz")
        unpacked = Path(scratch) / "tree"
        _unpack_data(archive, unpacked)
        if root.exists():
            shutil.rmtree(root)
        root.parent.mkdir(parents=True, exist_ok=True)
        shutil.move(unpacked, root)
    return root


def _unpack_data(archive: Path, dest: Path) -> None:
    """Only the TOML files under models/ and providers/ (GitHub puts everything under one
    top folder, dropped here); the 'data' filter refuses links and paths out of dest."""
    try:
        with tarfile.open(archive, "r:gz") as tar:
            members = []
            for member in tar.getmembers():
                parts = PurePosixPath(member.name).parts
                if (
                    member.isfile()
                    and len(parts) >= 3
                    and parts[1] in MODELS_DEV_FOLDERS
                    and member.name.endswith(".toml")
                ):
                    member.name = "/".join(parts[1:])
                    members.append(member)
            if not members:
                raise KBError(
                    f"{archive.name}: holds no models/ or providers/ TOML files",
                    "models.dev may have changed its layout; download the tree by hand.",
                )
            tar.extractall(dest, members=members, filter="data")
    except (tarfile.TarError, OSError) as exc:
        raise KBError(f"the models.dev archive could not be unpacked: {exc}") from None
