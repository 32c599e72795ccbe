"""kb as an installed tool: the wheel carries the curated data and the dashboard (and nothing
from the upstream mirrors), and kb runs from it outside any checkout.

The wheel is built once per session the way `python -m build` builds it for release: an sdist
first, then the wheel from the sdist, so a file missing from MANIFEST.in fails here too.
The tests marked slow install it into a fresh virtual environment with every dependency
downloaded; they are left out of `make test` and run in CI (.ci/run) or with `pytest -m slow`.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import tomllib
import urllib.request
import venv
import zipfile
from collections.abc import Iterator, Mapping
from pathlib import Path

import pytest
from conftest import Workspace

from kb import __version__, config, curated
from kb.cli import dashboard as dashboard_cli

REPO = Path(__file__).resolve().parent.parent
DIST_INFO = f"gpts_kb-{__version__}.dist-info"
# Kinds of file that only the upstream mirrors, a store or a cache would bring in.
FOREIGN_SUFFIXES = {".xlsx", ".tsv", ".duckdb", ".wal", ".parquet", ".toml"}
SERVER_START_SECONDS = 90
# One worker builds the wheel once and runs every test that reads it.
pytestmark = pytest.mark.xdist_group("wheel")


def _git_files(folder: str) -> list[str]:
    """The project's files under folder: tracked by git or new and not ignored (so a store,
    caches or a lock file never count, and a curated file being added does)."""
    if not (REPO / ".git").exists() or shutil.which("git") is None:
        pytest.skip("needs a git checkout to know which files belong to the project")
    out = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "--", folder],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return [line for line in out.splitlines() if line and (REPO / line).is_file()]


def _project_copy(target: Path) -> Path:
    """The project's files copied into target. Building from a copy writes no egg-info or
    staging folder into the checkout, and builds on several test workers cannot collide (the
    sdist's staging folder is named after the version, so two builds in one tree race)."""
    for name in _git_files("."):
        (target / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(REPO / name, target / name)
    return target


def _build(outdir: Path, *, isolated: bool) -> Path:
    source = _project_copy(outdir.parent / f"{outdir.name}-source")
    command = [sys.executable, "-m", "build", "--outdir", str(outdir), str(source)]
    if not isolated:
        command.insert(3, "--no-isolation")
    result = subprocess.run(command, capture_output=True, text=True, timeout=600, check=False)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    (wheel,) = outdir.glob("*.whl")
    return wheel


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from an sdist with the build tools of this environment."""
    return _build(tmp_path_factory.mktemp("dist"), isolated=False)


@pytest.fixture(scope="session")
def wheel_files(wheel: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(wheel) as archive:
        return {name: archive.read(name) for name in archive.namelist() if not name.endswith("/")}


@pytest.fixture(scope="session")
def unpacked(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel's files as pip would put them into site-packages (a wheel is a zip)."""
    target = tmp_path_factory.mktemp("site-packages")
    with zipfile.ZipFile(wheel) as archive:
        archive.extractall(target)
    return target


def _clean_env(home: Path, raw_dir: Path, **extra: str) -> dict[str, str]:
    """An environment like a new user's: per-user folders under home, no KB_DB or KB_DATA_DIR."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KB_", "PYTHON"))}
    env.update(
        HOME=str(home),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_CACHE_HOME=str(home / ".cache"),
        KB_RAW_DIR=str(raw_dir),
    )
    env.update(extra)
    return env


def _run(
    command: list[str], cwd: Path, env: Mapping[str, str], timeout: float = 300
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        command, cwd=cwd, env=dict(env), capture_output=True, text=True, timeout=timeout
    )
    assert result.returncode == 0, f"{command}\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"
    return result


# --------------------------------------------------------------------------- what the wheel holds


def test_the_wheel_ships_every_curated_file_unchanged(wheel_files: dict[str, bytes]) -> None:
    committed = _git_files("data")
    assert "data/sources.yml" in committed and "data/published.yml" in committed
    shipped = {n.removeprefix("kb/_curated/") for n in wheel_files if n.startswith("kb/_curated/")}
    assert shipped == {name.removeprefix("data/") for name in committed}
    for name in committed:
        packaged = wheel_files["kb/_curated/" + name.removeprefix("data/")]
        assert packaged == (REPO / name).read_bytes(), name


def test_the_wheel_ships_the_dashboard_under_its_own_package(
    wheel_files: dict[str, bytes],
) -> None:
    committed = ["dashboard.py", *_git_files("app")]
    assert "app/pages/timeline.py" in committed
    for name in committed:
        assert wheel_files.get(f"kb_dashboard/{name}") == (REPO / name).read_bytes(), name
    assert "kb_dashboard/__init__.py" in wheel_files


def test_the_wheel_has_no_top_level_app_or_data_and_nothing_from_the_mirrors(
    wheel_files: dict[str, bytes], raw_dir: Path
) -> None:
    assert {name.split("/")[0] for name in wheel_files} == {"kb", "kb_dashboard", DIST_INFO}
    mirrors = raw_dir.parent  # every dataset mirrored beside gpts-are-gpts
    upstream: set[str] = set()
    for sums in mirrors.glob("*/SHA256SUMS"):
        upstream |= {line.split()[-1].split("/")[-1] for line in sums.read_text().splitlines()}
    assert "full_labelset.tsv" in upstream  # the mirror list was read
    for name in wheel_files:
        if name.startswith(DIST_INFO):
            continue
        assert Path(name).name not in upstream, f"{name} comes from an upstream mirror"
        assert Path(name).suffix not in FOREIGN_SUFFIXES, f"{name} is not a kb file"
        assert "__pycache__" not in name and not name.endswith(".pyc")


def test_the_wheel_has_its_own_name_a_licence_and_the_kb_command(
    wheel_files: dict[str, bytes],
) -> None:
    metadata = wheel_files[f"{DIST_INFO}/METADATA"].decode()
    assert "Name: gpts-kb\n" in metadata
    assert "License-Expression: MIT\n" in metadata
    requires = metadata.splitlines()
    # The dashboard's libraries are runtime dependencies: `kb dashboard` works after an install.
    for name in ("platformdirs", "streamlit", "altair"):
        assert any(line.startswith(f"Requires-Dist: {name}>=") for line in requires), name
    entry_points = wheel_files[f"{DIST_INFO}/entry_points.txt"].decode()
    assert "kb = kb.cli:main" in entry_points


def test_kb_dashboard_passes_the_checkouts_streamlit_settings() -> None:
    """Streamlit reads .streamlit/config.toml only from the folder it starts in; `kb dashboard`
    passes the same settings as flags so they hold anywhere."""
    settings = tomllib.loads((REPO / ".streamlit" / "config.toml").read_text())
    flat = {
        f"{section}.{key}": str(value).lower() if isinstance(value, bool) else str(value)
        for section, values in settings.items()
        for key, value in values.items()
    }
    assert flat == dashboard_cli.STREAMLIT_SETTINGS
    command = dashboard_cli.streamlit_command(Path("/x/dashboard.py"), 8600)
    assert command[1:5] == ["-m", "streamlit", "run", "/x/dashboard.py"]
    assert "--server.address=127.0.0.1" in command and "--server.port=8600" in command
    assert "--browser.gatherUsageStats=false" in command


def test_kb_dashboard_builds_a_missing_store_and_leaves_a_current_one(
    tmp_path: Path, built: Workspace, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(config.ENV_DATA_DIR, str(built.data_dir))
    missing = tmp_path / "none.duckdb"
    assert dashboard_cli.store_to_build(str(missing)) == f"there is no store at {missing}"
    assert dashboard_cli.store_to_build(str(built.db)) is None


# ------------------------------------------------------------------ kb run from the unpacked wheel

LOCATIONS = """
import json
from kb import config
from kb.cli import dashboard
print(json.dumps({
    "kb": __import__("kb").__file__,
    "in_checkout": config.in_checkout(),
    "data_dir": str(config.data_dir()),
    "db": str(config.db_path()),
    "cache": str(config.cache_dir()),
    "entry": str(dashboard.entry_file()),
}))
"""
KB = "from kb.cli import main; main()"
APPTEST = """
import sys
from streamlit.testing.v1 import AppTest
app = AppTest.from_file(sys.argv[1], default_timeout=120).run()
assert not app.exception, [e.message for e in app.exception]
assert not app.error, [e.value for e in app.error]
print("rendered", len(app.main.children), "elements")
"""


def test_an_installed_kb_builds_and_verifies_from_its_own_files(
    unpacked: Path, tmp_path: Path, raw_dir: Path
) -> None:
    """kb from the wheel's files (on PYTHONPATH, this environment's dependencies) in an empty
    folder: per-user data folder and store, curated data from the package, the dashboard from
    kb_dashboard/. The slow test below does the same from a real virtual environment."""
    home, cwd = tmp_path / "home", tmp_path / "empty"
    cwd.mkdir()
    env = _clean_env(home, raw_dir, PYTHONPATH=str(unpacked))
    python = [sys.executable, "-c"]

    where = json.loads(_run([*python, LOCATIONS], cwd, env).stdout)
    user_data = home / ".local" / "share" / config.DISTRIBUTION
    assert where == {
        "kb": str(unpacked / "kb" / "__init__.py"),
        "in_checkout": False,
        "data_dir": str(user_data),
        "db": str(user_data / "kb.duckdb"),
        "cache": str(home / ".cache" / config.DISTRIBUTION / "raw"),
        "entry": str(unpacked / "kb_dashboard" / "dashboard.py"),
    }
    for name, data in curated.shipped_files(unpacked / "kb" / "_curated").items():
        assert (user_data / name).read_bytes() == data, name

    _run([*python, KB, "build"], cwd, env)
    assert (user_data / "kb.duckdb").is_file()
    _run([*python, KB, "verify"], cwd, env)

    # What a user ingests lands in the per-user folder, never in the package.
    package_before = sorted(p.name for p in (unpacked / "kb" / "_curated" / "releases").iterdir())
    example = user_data / "examples" / "new-releases.yaml"
    _run([*python, KB, "ingest", "releases", str(example)], cwd, env)
    assert (user_data / "releases" / "koala.yaml").is_file()
    package_after = sorted(p.name for p in (unpacked / "kb" / "_curated" / "releases").iterdir())
    assert package_after == package_before

    rendered = _run([*python, APPTEST, where["entry"]], cwd, env, timeout=300)
    assert "rendered" in rendered.stdout
    assert not list(cwd.iterdir()), "kb wrote into the current folder"


# ------------------------------------------------------------- a real install (CI, or -m slow)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> tuple[int, str]:
    with urllib.request.urlopen(url, timeout=5) as response:
        return response.status, response.read().decode(errors="replace")


@pytest.fixture
def dashboard_server(tmp_path: Path) -> Iterator[list[subprocess.Popen[bytes]]]:
    """Holds the `kb dashboard` process a test starts; stopped whatever happens."""
    servers: list[subprocess.Popen[bytes]] = []
    yield servers
    for server in servers:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


@pytest.mark.slow
@pytest.mark.timeout(1800)  # downloads every dependency into a fresh venv
def test_the_wheel_installs_into_a_fresh_venv_and_runs(
    tmp_path_factory: pytest.TempPathFactory,
    tmp_path: Path,
    raw_dir: Path,
    dashboard_server: list[subprocess.Popen[bytes]],
) -> None:
    """pip install of a wheel built in an isolated environment into a new virtual environment
    in an empty folder; then `kb --version`, `kb build`, `kb verify` and `kb dashboard`."""
    timings: dict[str, float] = {}
    started = time.perf_counter()
    built = _build(tmp_path_factory.mktemp("isolated-dist"), isolated=True)
    timings["build the wheel"] = time.perf_counter() - started

    home, cwd = tmp_path / "home", tmp_path / "empty"
    cwd.mkdir()
    env = _clean_env(home, raw_dir)
    env_dir = tmp_path / "venv"
    started = time.perf_counter()
    venv.EnvBuilder(with_pip=True).create(env_dir)
    python = str(env_dir / "bin" / "python")
    _run([python, "-m", "pip", "install", "-q", "--no-compile", str(built)], cwd, env, timeout=1200)
    timings["install into a fresh venv"] = time.perf_counter() - started
    kb = str(env_dir / "bin" / "kb")

    started = time.perf_counter()
    assert _run([kb, "--version"], cwd, env).stdout.strip() == f"kb, version {__version__}"
    _run([kb, "build"], cwd, env)
    user_data = home / ".local" / "share" / config.DISTRIBUTION
    assert (user_data / "kb.duckdb").is_file() and (user_data / "sources.yml").is_file()
    _run([kb, "verify"], cwd, env)
    timings["kb --version, build, verify"] = time.perf_counter() - started

    started = time.perf_counter()
    port = _free_port()
    log = tmp_path / "dashboard.log"
    with log.open("wb") as sink:
        dashboard_server.append(
            subprocess.Popen(
                [kb, "dashboard", "--port", str(port)], cwd=cwd, env=env, stdout=sink, stderr=sink
            )
        )
    health = f"http://127.0.0.1:{port}/_stcore/health"
    deadline = time.monotonic() + SERVER_START_SECONDS
    while True:
        assert dashboard_server[0].poll() is None, log.read_text()[-3000:]
        try:
            if _get(health) == (200, "ok"):
                break
        except OSError:
            pass
        assert time.monotonic() < deadline, "no answer from " + health + "\n" + log.read_text()
        time.sleep(0.5)
    status, page = _get(f"http://127.0.0.1:{port}/")
    assert status == 200 and "<html" in page.lower()
    timings["dashboard up"] = time.perf_counter() - started
    print("\n".join(f"  {name:<30} {seconds:6.1f} s" for name, seconds in timings.items()))
