"""First start: make sure there is a current store, building it (with progress) if not."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from app import cached
from app.ui import show_error
from kb import build as kbbuild
from kb import config
from kb import store as kbstore
from kb.errors import KBError, StoreError

# kb.store.status()'s reason when the file is there but cannot be opened (see ensure_store).
UNREADABLE = "the store cannot be read"
# The store is checked once per session and again whenever its file changes (rebuild, ingest).
_CHECKED_KEY = "_kb_store_checked_stamp"


def ensure_store() -> bool:
    """True when the store can be read; otherwise an st.error saying what to do was shown.

    A missing store, or one built by another schema version or from other data/ files, is
    (re)built. A store that cannot be opened (locked by a writer, or not a DuckDB file) is
    reported, never replaced: a running `kb ingest` must not lose its store under it.
    """
    ref = cached.current_store()
    if st.session_state.get(_CHECKED_KEY) == (ref.db, ref.stamp):
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
    return True


def _build(reason: str, db: str) -> None:
    raw = config.raw_dir()
    origin = (
        f"the local mirror {raw}" if raw else "the upstream files (downloaded once, then cached)"
    )
    with st.status(f"Building the store: {reason}.", expanded=True) as box:
        st.write(f"Reading {origin}; this takes a few seconds and happens once.")
        try:
            report = kbbuild.build(db, progress=lambda message: st.write(f"{message}…"))
        except KBError:
            box.update(label="The store could not be built.", state="error")
            raise
        box.update(
            label=f"Store built in {report.seconds:.1f} s.", state="complete", expanded=False
        )
    st.cache_data.clear()
