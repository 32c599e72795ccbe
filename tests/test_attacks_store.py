"""Attacks on the store side (issue 10): an ingest racing a build, a --db typo, read-only and
full disks, a reader holding the store, a malformed download, a hand-edited manifest, a store
with the right version stamp but missing tables, and integers that overflow in SQL.

Each test states the fault it injects and asserts the message (what, where, the fitting fix),
that no traceback escapes, and that the store and data/ are left as they were (or agree).
Faults a root test process cannot cause with chmod are made real with a read-only or tiny
tmpfs mount where the machine allows mounting, and by raising the OS error in-process else.
"""

from __future__ import annotations

import contextlib
import errno
import http.server
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import click
import duckdb
import pytest
from click.testing import CliRunner
from conftest import Workspace, snapshot, store_dump

from kb import build as kbbuild
from kb import config, datafiles, sources, store
from kb.cli import cli
from kb.errors import KBError, SourceError, StoreError

REPO = Path(__file__).resolve().parent.parent
KOALA = REPO / "data" / "examples" / "new-releases.yaml"
LABELS = REPO / "data" / "examples" / "labels-example.csv"
TIME_LIMIT = 180.0


def kb(*args: str, env: dict[str, str] | None = None) -> click.testing.Result:
    return CliRunner().invoke(cli, list(args), env=env)


def ingest_releases(ws: Workspace, db: Path | None = None, data: Path | None = None) -> object:
    return kb(
        "ingest",
        "releases",
        str(KOALA),
        "--db",
        str(db or ws.db),
        "--data-dir",
        str(data or ws.data_dir),
    )


# `kb ingest labels` of the example set, without --db and --data-dir.
INGEST_LABELS = (
    "ingest", "labels", str(LABELS), "--rater", "example_llm",
    "--produced-by", "gpt-4", "--date", "2023-06-01",
)  # fmt: skip


def ingest_labels(ws: Workspace, db: Path | None = None, data: Path | None = None) -> object:
    return kb(
        *INGEST_LABELS,
        "--db",
        str(db or ws.db),
        "--data-dir",
        str(data or ws.data_dir),
    )


def assert_clean_failure(result: click.testing.Result, *words: str) -> None:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and not isinstance(result.exception, KBError)
    for word in words:
        assert word in result.output, (word, result.output)


# --- 1. an ingest during `kb build` waits for it and is not lost ------------------------------

# A build with one extra step at the end that says it started and waits for the test's go.
SLOW_BUILD = """
import sys, time
from pathlib import Path
from kb import build as kbbuild
db, data_dir, raw_dir, started, go = sys.argv[1:6]

def pause(con, ctx):
    Path(started).touch()
    deadline = time.monotonic() + 120
    while not Path(go).exists():  # the test creates this file once both ingests wait
        if time.monotonic() > deadline:
            raise SystemExit("never told to go on")
        time.sleep(0.02)

steps = kbbuild.STEPS + (
    kbbuild.Step("pause", pause, needs=tuple(step.name for step in kbbuild.STEPS)),
)
report = kbbuild.build(db, data_dir=data_dir, raw_dir=raw_dir, steps=steps)
print("BUILT", report.current, flush=True)
"""

# `kb ...` that touches a file the first time it finds the data/ lock taken, then keeps waiting.
WAITING_KB = """
import fcntl, sys
from pathlib import Path
from kb.cli import cli
cue = Path(sys.argv[1])
real = fcntl.flock

def flock(fd, operation):
    try:
        return real(fd, operation)
    except BlockingIOError:
        cue.touch()
        raise

fcntl.flock = flock
cli.main(sys.argv[2:], prog_name="kb")
"""


def _wait_for(path: Path, procs: list[subprocess.Popen[str]]) -> None:
    deadline = time.monotonic() + TIME_LIMIT
    while not path.exists():
        for proc in procs:
            if proc.poll() is not None:
                out, err = proc.communicate()
                pytest.fail(f"a process ended early ({proc.returncode}): {out}\n{err}")
        assert time.monotonic() < deadline, f"{path.name} never appeared"
        time.sleep(0.02)


def test_ingests_during_a_build_wait_for_it_and_are_kept(workspace: Workspace, tmp_path: Path):
    """The issue's race: `kb ingest releases` and `kb ingest labels` start while `kb build` runs.
    Both must wait for the build's lock, then write into the new store; nothing vanishes and
    the store is current with data/ at the end."""
    ws = workspace
    env = {**os.environ, config.ENV_DB: str(ws.db), config.ENV_DATA_DIR: str(ws.data_dir)}
    started, go = tmp_path / "build-started", tmp_path / "go"
    build = subprocess.Popen(
        [
            sys.executable,
            "-c",
            SLOW_BUILD,
            str(ws.db),
            str(ws.data_dir),
            str(ws.raw_dir),
            str(started),
            str(go),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    procs = [build]
    try:
        _wait_for(started, procs)
        commands = {
            "releases": ["ingest", "releases", str(KOALA)],
            "labels": list(INGEST_LABELS),
        }
        for name, args in commands.items():
            cue = tmp_path / f"{name}-waits"
            procs.append(
                subprocess.Popen(
                    [sys.executable, "-c", WAITING_KB, str(cue), *args],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    env=env,
                )
            )
            _wait_for(cue, procs)
        go.touch()
        results = [proc.communicate(timeout=TIME_LIMIT) for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
    assert [proc.returncode for proc in procs] == [0, 0, 0], results
    assert results[0][0].strip() == "BUILT True"
    assert "1 added" in results[1][0] and "Added rater example_llm" in results[2][0]
    assert (ws.data_dir / "releases" / "koala.yaml").exists()
    assert (ws.data_dir / "labels" / "example_llm.yml").exists()
    with store.connect(ws.db) as con:
        assert store.first_row(con, "SELECT id FROM releases WHERE id = 'koala'") == ("koala",)
        labelled = "SELECT count(*) FROM task_labels WHERE rater = 'example_llm'"
        assert store.first_row(con, labelled) == (12,)
    assert store.status(ws.db, ws.data_dir) is None


def test_build_and_ingest_share_one_lock_from_first_read_to_rename(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
):
    """The mechanism: every moment the build reads data/ or renames the store, the data/ lock
    is held (another process asking for it would be refused)."""
    ws = workspace
    seen: list[tuple[str, bool]] = []

    def held() -> bool:
        probe = subprocess.run(
            [
                sys.executable,
                "-c",
                "import sys; from kb import datafiles\n"
                "with datafiles.lock(sys.argv[1], wait=False) as got: print(got)",
                str(ws.data_dir),
            ],
            capture_output=True,
            text=True,
            timeout=TIME_LIMIT,
            check=True,
        )
        return probe.stdout.strip() == "False"

    real_fingerprint, real_replace = store.inputs_fingerprint, os.replace

    def fingerprint(*args, **kwargs):
        seen.append(("fingerprint", held()))
        return real_fingerprint(*args, **kwargs)

    def replace(source, target):
        if Path(target) == ws.db:
            seen.append(("rename", held()))
        return real_replace(source, target)

    def first_step(con, ctx):
        seen.append(("step", held()))

    monkeypatch.setattr(store, "inputs_fingerprint", fingerprint)
    monkeypatch.setattr(kbbuild.os, "replace", replace)
    steps = (kbbuild.Step("probe", first_step), *kbbuild.STEPS[:1])
    kbbuild.build(ws.db, data_dir=ws.data_dir, raw_dir=ws.raw_dir, steps=steps)
    assert seen == [("fingerprint", True), ("step", True), ("fingerprint", True), ("rename", True)]


@pytest.mark.parametrize("revert", [False, True], ids=["edited", "edited and saved back"])
def test_a_store_built_while_data_changed_is_not_current(workspace: Workspace, revert: bool):
    """A hand edit of data/ during the build (not under kb's lock): the store must not claim to
    be current. `revert`: edited during the build, restored after it (the store read the edit)."""
    ws = workspace
    llama = ws.data_dir / "releases" / "llama.yaml"
    original = llama.read_bytes()

    def edit(con, ctx):
        llama.write_bytes(original + b"# edited during the build\n")

    steps = (*kbbuild.STEPS[:1], kbbuild.Step("edit", edit, needs=(kbbuild.STEPS[0].name,)))
    report = kbbuild.build(ws.db, data_dir=ws.data_dir, raw_dir=ws.raw_dir, steps=steps)
    assert report.current is False
    if revert:
        llama.write_bytes(original)
    assert store.status(ws.db, ws.data_dir) == "files in data/ changed since the store was built"


# --- 2. `kb build --db <a file that is not a kb store>` ----------------------------------------


def _not_kb_duckdb(path: Path) -> None:
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE accounts AS SELECT 1 AS id, 'precious' AS note")
    con.close()


VICTIMS = {
    "text file": lambda p: p.write_text("my notes\n"),
    "empty file": lambda p: p.write_bytes(b""),
    "DuckDB file that is not a kb store": _not_kb_duckdb,
    "DuckDB file with only a meta table named otherwise": lambda p: (
        duckdb.connect(str(p)).execute("CREATE TABLE meta (k TEXT)").close()
    ),
    "folder": lambda p: p.mkdir(),
    "symlink to a text file": lambda p: (
        p.with_suffix(".target").write_text("x\n"),
        p.symlink_to(p.with_suffix(".target")),
    ),
}


@pytest.mark.parametrize("make", VICTIMS.values(), ids=VICTIMS.keys())
def test_build_refuses_to_replace_anything_but_a_kb_store(tmp_path: Path, built: Workspace, make):
    victim = tmp_path / "important.txt"
    make(victim)
    before = snapshot(tmp_path)
    result = kb(
        "build",
        "--db",
        str(victim),
        "--raw-dir",
        str(built.raw_dir),
        env={config.ENV_DATA_DIR: str(built.data_dir)},
    )
    if victim.is_dir():  # click's path check refuses it first, as a usage error
        assert result.exit_code == 2 and "is a directory" in result.output
    else:
        assert_clean_failure(result, str(victim), "`kb build` will not replace it", "Pass --db")
    assert snapshot(tmp_path) == before and victim.exists()
    # The library refuses it too, for callers that are not the CLI.
    with pytest.raises(StoreError, match="will not replace it"):
        kbbuild.build(victim, data_dir=built.data_dir, raw_dir=built.raw_dir, steps=())
    assert snapshot(tmp_path) == before


def test_build_refuses_the_manifest_itself(workspace: Workspace):
    manifest = workspace.data_dir / "sources.yml"
    before = snapshot(workspace.data_dir)
    result = kb(
        "build",
        "--db",
        str(manifest),
        "--raw-dir",
        str(workspace.raw_dir),
        env={config.ENV_DATA_DIR: str(workspace.data_dir)},
    )
    assert_clean_failure(result, "sources.yml exists and is not a DuckDB store")
    assert snapshot(workspace.data_dir) == before


def test_build_replaces_a_kb_store_of_another_schema_version(workspace: Workspace):
    with store.connect(workspace.db, read_only=False, check_schema=False) as con:
        con.execute("UPDATE kb_meta SET value = 'old0schema' WHERE key = 'schema_version'")
    kbbuild.build(
        workspace.db,
        data_dir=workspace.data_dir,
        raw_dir=workspace.raw_dir,
        steps=kbbuild.STEPS[:1],
    )
    with store.connect(workspace.db) as con:
        assert store.read_meta(con)["schema_version"] == store.schema_version()


# --- 3. read-only and full disks --------------------------------------------------------------


@contextlib.contextmanager
def tmpfs(where: Path, size: str = "64m") -> Iterator[Path]:
    """A private tmpfs (a separate file system that can be made read-only or filled), or skip
    where this process may not mount."""
    where.mkdir(parents=True, exist_ok=True)
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(where)],
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a tmpfs here; the in-process fault tests cover the messages")
    try:
        yield where
    finally:
        subprocess.run(["umount", "-l", str(where)], check=False)


def read_only(mount: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(mount)], check=True)


def test_read_only_data_folder(workspace: Workspace, tmp_path: Path):
    """data/ on a read-only file system: both ingests refuse with what and where and a fix that
    is not a rebuild; the store and data/ are unchanged; a build from it still works."""
    with tmpfs(tmp_path / "ro") as mount:
        data = mount / "data"
        shutil.copytree(workspace.data_dir, data)
        (data / datafiles.LOCK_FILE).unlink(missing_ok=True)
        read_only(mount)
        before = snapshot(data), store_dump(workspace.db)
        for result in (ingest_releases(workspace, data=data), ingest_labels(workspace, data=data)):
            assert_clean_failure(result, str(data), "read-only file system", "writable copy")
            assert "Rebuild" not in result.output
            assert (snapshot(data), store_dump(workspace.db)) == before
        fresh = tmp_path / "fresh.duckdb"
        report = kbbuild.build(
            fresh, data_dir=data, raw_dir=workspace.raw_dir, steps=kbbuild.STEPS[:1]
        )
        assert report.current and store.status(fresh, data) is None
        assert not (data / datafiles.LOCK_FILE).exists()


def test_read_only_store_folder(workspace: Workspace, tmp_path: Path):
    """The store on a read-only file system: `kb build` and the ingests say so and point to a
    writable --db; queries still read it; data/ is unchanged."""
    with tmpfs(tmp_path / "ro") as mount:
        db = mount / "kb.duckdb"
        shutil.copy2(workspace.db, db)
        read_only(mount)
        before = snapshot(workspace.data_dir), snapshot(mount)
        result = kb(
            "build",
            "--db",
            str(db),
            "--raw-dir",
            str(workspace.raw_dir),
            env={config.ENV_DATA_DIR: str(workspace.data_dir)},
        )
        assert_clean_failure(
            result, f"Could not write the store {db}", "read-only file system", "Pass --db"
        )
        for result in (ingest_releases(workspace, db=db), ingest_labels(workspace, db=db)):
            assert_clean_failure(result, str(db), "read-only file system", "Pass --db")
            assert "Rebuild" not in result.output
        assert (snapshot(workspace.data_dir), snapshot(mount)) == before
        assert kb("timeline", "--db", str(db)).exit_code == 0


def test_full_disk_under_build_and_ingests(workspace: Workspace, tmp_path: Path):
    """A tmpfs with room for the store and data/ but not for a second store, then filled to
    the last byte: every writer refuses cleanly and leaves both as they were."""
    size = workspace.db.stat().st_size + (8 << 20)
    with tmpfs(tmp_path / "small", size=str(size)) as mount:
        db, data = mount / "kb.duckdb", mount / "data"
        shutil.copy2(workspace.db, db)
        shutil.copytree(workspace.data_dir, data)
        before = snapshot(data), store_dump(db)
        result = kb(
            "build",
            "--db",
            str(db),
            "--raw-dir",
            str(workspace.raw_dir),
            env={config.ENV_DATA_DIR: str(data)},
        )
        assert_clean_failure(
            result, f"Could not write the store {db}", "the disk is full", "Free some space"
        )
        assert sorted(p.name for p in mount.iterdir()) == ["data", "kb.duckdb"]
        filler = mount / "filler"
        for size in (1 << 16, 1):  # big writes, then single bytes to take the last page
            with contextlib.suppress(OSError), filler.open("ab", buffering=0) as out:
                while True:
                    out.write(b"\0" * size)
        for result in (ingest_releases(workspace, db, data), ingest_labels(workspace, db, data)):
            assert_clean_failure(result, "disk is full", "Free some space")
            assert (snapshot(data), store_dump(db)) == before
        filler.unlink()
        assert ingest_releases(workspace, db, data).exit_code == 0
        assert store.status(db, data) is None


FAULTS = {
    errno.ENOSPC: ("the disk is full", "Free some space"),
    errno.EROFS: ("read-only file system", "writable copy"),
    errno.EACCES: ("permission denied", "Make data/ and its folders writable"),
    errno.EIO: ("Input/output error", "Check the folder and the disk"),
}


@pytest.mark.parametrize("code", FAULTS, ids=[errno.errorcode[c] for c in FAULTS])
@pytest.mark.parametrize("where", ["staging a file", "writing the journal"])
def test_ingest_write_faults_in_process(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch, code: int, where: str
):
    """The OS refuses a write into data/ (raised in-process, as root ignores chmod): a clean
    message naming the cause and a fitting fix; data/ and the store unchanged."""
    ws = workspace
    target = "_stage_file" if where == "staging a file" else "_write_journal"

    def refuse(path, *args):
        raise OSError(code, os.strerror(code), str(path))

    monkeypatch.setattr(datafiles, target, refuse)
    before = snapshot(ws.data_dir), store_dump(ws.db)
    result = ingest_releases(ws)
    what, hint = FAULTS[code]
    assert_clean_failure(result, what, hint, f"Nothing in {ws.data_dir} was changed")
    assert (snapshot(ws.data_dir), store_dump(ws.db)) == before
    monkeypatch.undo()
    assert ingest_releases(ws).exit_code == 0 and store.status(ws.db, ws.data_dir) is None


BUILD_FAULTS = {
    "no space (OS)": (OSError(errno.ENOSPC, "No space left on device"), "the disk is full"),
    "no space (DuckDB)": (
        duckdb.IOException(
            'IO Error: Could not write file "/x/kb.duckdb.tmp-1.wal": No space left on device'
        ),
        "the disk is full",
    ),
    "read-only (OS)": (OSError(errno.EROFS, "Read-only file system"), "read-only file system"),
    "read-only (DuckDB)": (
        duckdb.IOException(
            'IO Error: Cannot open file "/x/kb.duckdb.tmp-1.wal": Read-only file system'
        ),
        "read-only file system",
    ),
    "forbidden (OS)": (OSError(errno.EACCES, "Permission denied"), "permission denied"),
}


@pytest.mark.parametrize("fault", BUILD_FAULTS.values(), ids=BUILD_FAULTS.keys())
@pytest.mark.parametrize("moment", ["in a step", "at the rename"])
def test_build_write_faults_in_process(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch, fault, moment: str
):
    ws = workspace
    error, words = fault
    before = store_dump(ws.db)

    def fail(*args):
        raise error

    steps = kbbuild.STEPS[:1]
    if moment == "in a step":
        steps = (*steps, kbbuild.Step("fails", fail, needs=(steps[0].name,)))
    elif isinstance(error, OSError):
        monkeypatch.setattr(kbbuild.os, "replace", fail)
    else:
        pytest.skip("a rename raises only OS errors")
    with pytest.raises(StoreError) as refused:
        kbbuild.build(ws.db, data_dir=ws.data_dir, raw_dir=ws.raw_dir, steps=steps)
    assert refused.value.message.startswith(f"Could not write the store {ws.db}: ")
    assert f"{words}." in refused.value.message
    assert "left as it was" in refused.value.message
    assert "Rebuild" not in str(refused.value) and "kb build` again" in refused.value.hint
    assert sorted(p.name for p in ws.db.parent.iterdir() if p.name.startswith("kb.duckdb")) == [
        "kb.duckdb"
    ]
    assert store_dump(ws.db) == before


OPEN_FAULTS = {
    "read-only file system": ("read-only file system", "Pass --db"),
    "Permission denied": ("No permission to write", "Make it writable"),
    "No space left on device": ("the disk is full", "Free some space"),
}


@pytest.mark.parametrize("cause", OPEN_FAULTS, ids=OPEN_FAULTS.keys())
def test_store_open_faults_have_a_fitting_hint(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch, cause: str
):
    real = duckdb.connect

    def connect(path, read_only=False, **kwargs):
        if not read_only:
            raise duckdb.IOException(f'IO Error: Cannot open file "{path}": {cause.capitalize()}')
        return real(path, read_only=read_only, **kwargs)

    monkeypatch.setattr(store.duckdb, "connect", connect)
    with pytest.raises(StoreError) as refused, store.connect(workspace.db, read_only=False):
        pass
    words, hint = OPEN_FAULTS[cause]
    assert words in refused.value.message and hint in refused.value.hint
    assert refused.value.hint != store.REBUILD_HINT


class _FailingCommit:
    """A connection whose COMMIT fails as DuckDB's does on a full disk."""

    def __init__(self) -> None:
        self.statements: list[str] = []

    def execute(self, sql: str, *args: object) -> None:
        self.statements.append(sql)
        if sql == "COMMIT":
            raise duckdb.IOException("IO Error: Could not write WAL: No space left on device")


def test_a_failed_commit_rolls_back_and_says_why():
    con = _FailingCommit()
    with pytest.raises(StoreError) as refused, store.transaction(con):  # type: ignore[arg-type]
        con.execute("INSERT INTO x VALUES (1)")
    assert con.statements == ["BEGIN TRANSACTION", "INSERT INTO x VALUES (1)", "COMMIT", "ROLLBACK"]
    assert "not changed" in refused.value.message and "disk is full" in refused.value.message
    assert refused.value.hint.startswith("Free some space")


# --- 4. a reader holding the store ------------------------------------------------------------

HOLDER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1], read_only=sys.argv[2] == "ro")
print("HOLDING", flush=True)
time.sleep(120)
"""


@pytest.mark.parametrize("mode", ["ro", "rw"], ids=["a reader", "a writer"])
def test_lock_message_says_who_holds_the_store(workspace: Workspace, mode: str):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(workspace.db), mode], stdout=subprocess.PIPE, text=True
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "HOLDING"
        with (
            pytest.raises(StoreError) as refused,
            store.connect(workspace.db, read_only=False, retry_seconds=0.2),
        ):
            pass
    finally:
        holder.kill()
        holder.wait(timeout=TIME_LIMIT)
    message = refused.value.message
    assert f"PID {holder.pid}" in message
    if mode == "ro":
        assert "open for reading in another program" in message and "writing" not in message
        assert refused.value.hint == store.READER_HINT
    else:
        assert "is writing to it" in message and refused.value.hint == store.LOCK_HINT


# --- 5. downloads and the manifest ------------------------------------------------------------

PAYLOAD = b"0123456789" * 100


class _Replies(http.server.BaseHTTPRequestHandler):
    """Serves one scripted misbehaviour per path."""

    release = threading.Event()

    def do_GET(self) -> None:
        kind = self.path.strip("/")
        raw = self.wfile
        if kind == "ok":
            self.send_response(200)
            self.send_header("Content-Length", str(len(PAYLOAD)))
            self.end_headers()
            raw.write(PAYLOAD)
        elif kind == "bad-status-line":
            raw.write(b"HTTP/1.1 OK-ish\r\n\r\n")
        elif kind == "not-http":
            raw.write(b"\x00\xff garbage from a proxy\r\n\r\n")
        elif kind == "disconnect":
            self.connection.shutdown(socket.SHUT_RDWR)
        elif kind == "truncated":
            self.send_response(200)
            self.send_header("Content-Length", str(len(PAYLOAD)))
            self.end_headers()
            raw.write(PAYLOAD[:300])
            raw.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        elif kind == "short-without-length":
            self.send_response(200)
            self.end_headers()
            raw.write(PAYLOAD[:300])
            self.close_connection = True
        elif kind == "too-long":
            self.send_response(200)
            self.end_headers()
            with contextlib.suppress(OSError):
                for _ in range(100):
                    raw.write(PAYLOAD)
            self.close_connection = True
        elif kind == "server-error":
            self.send_error(502, "Bad Gateway")
        elif kind == "silent":
            _Replies.release.wait(TIME_LIMIT)  # no reply until the client gave up

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Replies)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    _Replies.release.set()
    httpd.shutdown()


def _entry(url: str) -> sources.SourceFile:
    import hashlib

    return sources.SourceFile(
        "test-set",
        "payload.bin",
        url,
        hashlib.sha256(PAYLOAD).hexdigest(),
        len(PAYLOAD),
        "",
        "",
        "",
    )


DOWNLOADS = {
    "bad-status-line": "malformed reply from the server or proxy",
    "not-http": "malformed reply from the server or proxy",
    "disconnect": "Could not download",
    "truncated": "cut off",
    "short-without-length": "was cut off: 300 of 1,000 bytes arrived",
    "too-long": "sent more than the 1,000 bytes the manifest pins",
    "server-error": "HTTP 502",
    "silent": "no reply within",
}


@pytest.mark.parametrize("kind", DOWNLOADS, ids=DOWNLOADS.keys())
def test_a_misbehaving_server_gives_a_clean_source_error(
    server: str, kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setattr(sources, "DOWNLOAD_TIMEOUT_SECONDS", 0.5)
    url = f"{server}/{kind}"
    dest = tmp_path / "cache" / "payload.bin"
    with pytest.raises(SourceError) as refused:
        sources.download(_entry(url), dest)
    assert "test-set/payload.bin" in refused.value.message and url in refused.value.message
    assert DOWNLOADS[kind] in refused.value.message
    assert list(dest.parent.iterdir()) == []  # no partial file left


def test_a_good_download_lands(server: str, tmp_path: Path):
    dest = tmp_path / "cache" / "payload.bin"
    assert sources.download(_entry(f"{server}/ok"), dest).read_bytes() == PAYLOAD


@pytest.mark.parametrize("url", ["gopher://example.org/x", "not a url", "http://[::1"])
def test_a_bad_url_gives_a_clean_source_error(url: str, tmp_path: Path):
    with pytest.raises(SourceError, match=r"Could not download test-set/payload\.bin"):
        sources.download(_entry(url), tmp_path / "payload.bin")


def test_an_unwritable_cache_gives_a_clean_source_error(server: str, tmp_path: Path):
    blocker = tmp_path / "cache"
    blocker.write_text("a file where the cache folder should be")
    with pytest.raises(SourceError) as refused:
        sources.download(_entry(f"{server}/ok"), blocker / "sub" / "payload.bin")
    assert "into" in refused.value.message and "KB_CACHE_DIR" in refused.value.hint


GOOD_ENTRY = "sha256: " + "a" * 64 + "\n        bytes: 10\n"
MANIFESTS = {
    "bytes: abc": (
        f"datasets:\n  d:\n    base_url: https://x/\n    files:\n      f.csv:\n"
        f"        sha256: {'a' * 64}\n        bytes: abc\n",
        "datasets.d.files.f.csv: bytes 'abc' is not a whole number of bytes",
    ),
    "negative bytes": (
        f"datasets:\n  d:\n    base_url: https://x/\n    files:\n      f.csv:\n"
        f"        sha256: {'a' * 64}\n        bytes: -4\n",
        "bytes -4 is not a whole number",
    ),
    "bytes as a float": (
        f"datasets:\n  d:\n    base_url: https://x/\n    files:\n      f.csv:\n"
        f"        sha256: {'a' * 64}\n        bytes: 1.5\n",
        "bytes 1.5 is not a whole number",
    ),
    "a list where a mapping belongs": (
        "datasets:\n  d:\n    - files\n",
        "datasets.d: a list, expected a mapping",
    ),
    "files as a list": (
        "datasets:\n  d:\n    files: [a, b]\n",
        "datasets.d.files: a list, expected a mapping",
    ),
    "entry as text": (
        "datasets:\n  d:\n    files:\n      f.csv: hello\n",
        "datasets.d.files.f.csv: text, expected a mapping",
    ),
    "missing sha256": (
        "datasets:\n  d:\n    base_url: https://x/\n    files:\n      f.csv:\n        bytes: 10\n",
        "datasets.d.files.f.csv: missing sha256",
    ),
    "short sha256": (
        "datasets:\n  d:\n    base_url: https://x/\n    files:\n      f.csv:\n"
        "        sha256: abc\n        bytes: 10\n",
        "is not 64 hexadecimal digits",
    ),
    "no url": (
        f"datasets:\n  d:\n    files:\n      f.csv:\n        {GOOD_ENTRY}",
        "is not an http(s) or file address",
    ),
    "top level is a list": ("- datasets\n", "no 'datasets' mapping"),
    "empty file": ("", "no 'datasets' mapping"),
    "not YAML": ("datasets: [unclosed\n", "not valid YAML"),
    "a Python tag": ("datasets: !!python/object:os.system {}\n", "not valid YAML"),
    "not UTF-8": ("datasets:\n  d\xff: 1\n", "not valid YAML"),
}


@pytest.mark.parametrize("text,expected", MANIFESTS.values(), ids=MANIFESTS.keys())
def test_a_hand_edited_manifest_gives_a_clean_error(tmp_path: Path, text: str, expected: str):
    path = tmp_path / "sources.yml"
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(SourceError) as refused:
        sources.load_manifest(path)
    assert str(path) in refused.value.message and expected in refused.value.message
    assert refused.value.hint


def test_a_damaged_manifest_stops_kb_build_cleanly(workspace: Workspace):
    manifest = workspace.data_dir / "sources.yml"
    manifest.write_text(manifest.read_text().replace("bytes: 3893248", "bytes: abc", 1))
    before = store_dump(workspace.db)
    result = kb(
        "build",
        "--db",
        str(workspace.db),
        "--raw-dir",
        str(workspace.raw_dir),
        env={config.ENV_DATA_DIR: str(workspace.data_dir)},
    )
    assert_clean_failure(result, "full_labelset.tsv: bytes 'abc' is not a whole number")
    assert store_dump(workspace.db) == before


def test_an_unknown_dataset_names_the_manifest(workspace: Workspace):
    with pytest.raises(SourceError, match=r"no-such-set/x\.csv is not in the source manifest"):
        sources.resolve("no-such-set", "x.csv")


# --- 6. a store with the right version stamp but missing objects -------------------------------


def test_a_stamped_store_without_tables_says_rebuild(tmp_path: Path, workspace: Workspace):
    fake = tmp_path / "fake.duckdb"
    con = duckdb.connect(str(fake))
    con.execute("CREATE TABLE kb_meta (key TEXT PRIMARY KEY, value TEXT)")
    con.execute("INSERT INTO kb_meta VALUES ('schema_version', ?)", [store.schema_version()])
    con.close()
    for command in (["exposure", "top"], ["timeline"], ["exposure", "share"], ["verify"]):
        result = kb(*command, "--db", str(fake))
        assert_clean_failure(
            result, f"{fake} is incomplete: it has no", "Rebuild it with `kb build`"
        )
    assert "is incomplete" in (store.status(fake, workspace.data_dir) or "")


def test_a_store_missing_one_view_says_rebuild(workspace: Workspace):
    with store.connect(workspace.db, read_only=False) as con:
        con.execute("DROP VIEW occupation_exposure")
    result = kb("exposure", "agreement", "--db", str(workspace.db))
    assert_clean_failure(result, "is incomplete: it has no occupation_exposure", "Rebuild it")
    reason = store.status(workspace.db, workspace.data_dir)
    assert reason is not None and reason.endswith("is incomplete: it has no occupation_exposure.")


def test_a_query_naming_a_wrong_table_keeps_its_own_error(built: Workspace):
    with pytest.raises(duckdb.CatalogException), store.connect(built.db) as con:
        con.execute("SELECT * FROM no_such_table")


def test_every_schema_object_is_expected(built: Workspace):
    """The parsed list of schema objects matches what a fresh build creates."""
    with store.connect(built.db) as con:
        assert store.missing_objects(con) == []
        tables = {r[0] for r in con.execute(store.SQL_TABLES).fetchall()}
    assert tables <= store.expected_objects() and "kb_meta" in store.expected_objects()


# --- 7. integers that reach SQL are bounded ---------------------------------------------------


def _commands(group: click.Group, prefix: tuple[str, ...] = ()) -> Iterator[tuple]:
    ctx = click.Context(group)  # list and get: kb's top-level group imports commands on demand
    for name in group.list_commands(ctx):
        command = group.get_command(ctx, name)
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))
        else:
            yield (*prefix, name), command


def test_every_integer_option_is_bounded():
    unbounded = [
        f"kb {' '.join(path)} {param.opts[0]}"
        for path, command in _commands(cli)
        for param in command.params
        if isinstance(param.type, click.types.IntParamType)
        and not (
            isinstance(param.type, click.IntRange)
            and param.type.max is not None
            and param.type.max < 2**63
        )
    ]
    assert unbounded == []


@pytest.mark.parametrize("value", ["99999999999999999999", "-1", "0", "9223372036854775808"])
def test_huge_row_counts_are_refused_by_the_cli(built: Workspace, value: str):
    result = kb("exposure", "top", "-n", value, "--db", str(built.db))
    assert result.exit_code == 2 and "is not in the range 1<=x<=1000000" in result.output


# --- bookkeeping never makes the store look stale, and readers create none ---------------------


def test_bookkeeping_and_duckdb_files_do_not_change_the_fingerprint(workspace: Workspace):
    data = workspace.data_dir
    before = store.inputs_fingerprint(data)
    extras = [
        datafiles.LOCK_FILE,
        f"{datafiles.STAGING_DIR}/files/releases/x.yaml",
        "kb.duckdb",
        "kb.duckdb.wal",
        "kb.duckdb.tmp/evil.yaml",
        "kb.duckdb.tmp-123",
        "cache/raw/x.csv",
    ]
    for rel in extras:
        (data / rel).parent.mkdir(parents=True, exist_ok=True)
        (data / rel).write_text("x")
    assert store.inputs_fingerprint(data) == before
    (data / "releases" / "new.yaml").write_text("x")
    assert store.inputs_fingerprint(data) != before


def test_reading_creates_no_lock_file_or_staging_folder(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch
):
    data = workspace.data_dir
    for leftover in (data / datafiles.LOCK_FILE, data / datafiles.STAGING_DIR):
        if leftover.is_dir():
            shutil.rmtree(leftover)
        leftover.unlink(missing_ok=True)
    monkeypatch.setenv(config.ENV_DATA_DIR, str(data))
    monkeypatch.setenv(config.ENV_DB, str(workspace.db))
    before = sorted(p.name for p in data.iterdir())
    assert kb("query", "SELECT count(*) FROM releases").exit_code == 0
    assert kb("timeline").exit_code == 0
    assert kb("info").exit_code == 0
    assert store.status(workspace.db, data) is None
    assert sorted(p.name for p in data.iterdir()) == before
