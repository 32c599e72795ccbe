"""First start: make sure there is a current store, building it (with progress) if not."""

from __future__ import annotations

import threading
from pathlib import Path

import streamlit as st

from app import cached
from app.ui import show_error
from kb import build as kbbuild
from kb import config, datafiles
from kb import store as kbstore
from kb.errors import KBError, StoreError

# kb.store.status()'s reason when the file is there but cannot be opened (see ensure_store).
UNREADABLE = "the store cannot be read"
# The store is checked once per session and again whenever its file changes (rebuild, ingest).
_CHECKED_KEY = "_kb_store_checked_stamp"
# Stores found current by this server process, keyed by the store's stamp and the size and
# mtime of every data/ input: a fresh session then skips kb.store.status(), which opens the store
# twice and hashes data/ (a third of a second of every first page).
_VERIFIED: set[tuple[str, str, tuple[tuple[str, int, int], ...], bool]] = set()
_VERIFIED_LOCK = threading.Lock()


def _verified_key(ref: cached.StoreRef) -> tuple[str, str, tuple[tuple[str, int, int], ...], bool]:
    """What must not change for an earlier check to still hold: the store's file, the data/
    inputs (stat only, no reading) and whether a batch is left to recover."""
    folder = config.data_dir()
    inputs = []
    if folder.exists():
        for path in folder.rglob("*"):
            rel = path.relative_to(folder).as_posix()
            if not kbstore.is_input(rel):
                continue
            try:
                info = path.stat()
            except FileNotFoundError:
                continue
            if path.is_file():
                inputs.append((rel, info.st_size, info.st_mtime_ns))
    pending = (folder / datafiles.STAGING_DIR).exists()
    return ref.db, ref.stamp, tuple(sorted(inputs)), pending


def ensure_store() -> bool:
    """True when the store can be read; otherwise an st.error saying what to do was shown.

    A missing store, or one built by another schema version or from other data/ files, is
    (re)built. A store that cannot be opened (locked by a writer, or not a DuckDB file) is
    reported, never replaced: a running `kb ingest` must not lose its store under it.
    """
    ref = cached.current_store()
    if st.session_state.get(_CHECKED_KEY) == (ref.db, ref.stamp):
        return True
    key = _verified_key(ref)
    with _VERIFIED_LOCK:
        known = key in _VERIFIED
    if known:
        st.session_state[_CHECKED_KEY] = (ref.db, ref.stamp)
        return True
    try:
        if Path(ref.db).exists():
            with kbstore.connect(ref.db, check_schema=False):
                pass  # raises a StoreError (locked, unreadable) with a hint
        reason = kbstore.status(ref.db)
        if reason is not None and reason.startswith(UNREADABLE):
            raise StoreError(f"The store {ref.db} cannot be read: {reason}.", kbstore.REBUILD_HINT)
        if reason is not None:
            _build(reason, ref.db)
            ref = cached.current_store()
        # A store that opens but was built by another schema version is refused here, once.
        cached.store_meta(ref)
    except KBError as exc:
        show_error(exc)
        return False
    st.session_state[_CHECKED_KEY] = (ref.db, ref.stamp)
    with _VERIFIED_LOCK:
        _VERIFIED.add(_verified_key(ref))
    return True


def _build(reason: str, db: str) -> None:
    """Build the store with a progress bar fed by the build's progress callback. The paths of
    this machine are not shown (the page may be read by others)."""
    origin = (
        "the local mirror of the upstream files"
        if config.raw_dir()
        else "the upstream files (downloaded once, then cached)"
    )
    total = len(kbbuild.STEPS) + 1  # "creating schema", then one message per step
    with st.status("Building the store: this happens once, on first start.", expanded=True) as box:
        st.write(f"Why: {_plain_reason(reason)}. Reading {origin}.")
        bar = st.progress(0.0, text="starting")
        done = 0

        def progress(message: str) -> None:
            nonlocal done
            done += 1
            bar.progress(min(done / total, 1.0), text=f"{message} ({done} of {total})")

        try:
            report = kbbuild.build(db, progress=progress)
        except KBError:
            box.update(label="The store could not be built.", state="error")
            raise
        except Exception as exc:  # a bug, not bad input: say so plainly, no traceback
            box.update(label="The store could not be built.", state="error")
            raise KBError(
                f"Building the store failed: {type(exc).__name__}: {exc}",
                "Run `kb build` in a terminal to see the details, and report them.",
            ) from exc
        bar.progress(1.0, text="done")
        box.update(
            label=f"Store built in {report.seconds:.1f} s.", state="complete", expanded=False
        )
    st.cache_data.clear()


def _plain_reason(reason: str) -> str:
    """kb.store.status()'s reason without the store's path."""
    return reason.replace(_db_text(), "the store") if _db_text() else reason


def _db_text() -> str:
    return str(config.db_path())
