"""Small display helpers shared by the pages: readable errors, the current store, numbers."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import streamlit as st

from app import cached
from kb import vocabulary
from kb.errors import KBError


def show_error(exc: KBError) -> None:
    """A KBError as an st.error: what went wrong, then what to do."""
    text = exc.message if not exc.hint else f"{exc.message}\n\n**What to do:** {exc.hint}"
    st.error(text, icon=":material/error:")


@contextlib.contextmanager
def errors_shown() -> Iterator[None]:
    """Run a page section; a KBError becomes an st.error and ends this run of the page."""
    try:
        yield
    except KBError as exc:
        show_error(exc)
        st.stop()


def store() -> cached.StoreRef:
    """The store this run reads (path and stamp: the cache key of every query)."""
    return cached.current_store()


def pct(value: float | None, digits: int = 1) -> str:
    return "n/a" if value is None else f"{100 * value:.{digits}f}%"


def count(value: float | int | None) -> str:
    return "n/a" if value is None else f"{value:,.0f}"


def sign(compare: str) -> str:
    """The comparison's sign as the pages print it: '>' or '≥'."""
    return vocabulary.COMPARISON_SIGNS[compare].replace(">=", "≥")
