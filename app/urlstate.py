"""The view in the URL: a page's choices (recipe, threshold, selected occupation or release) are
read from st.query_params when its widgets are first drawn and written back on every run, so a
copied link reproduces the view. A value kept in the session outlives a page switch (Streamlit
forgets the state of widgets that are not drawn, and clears the query string on navigation).

Usage in a page, before drawing the widget with key=KEY:

    urlstate.restore("threshold", default=10, parse=int, valid=range(0, 101).__contains__)
    st.slider(..., key="threshold")
    urlstate.remember("threshold")

A widget's key is its URL parameter (short, stable names: rater, measure, threshold, ...).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st

_KEPT = "_kb_url_{}"


def restore(
    key: str,
    default: Any = None,
    parse: Callable[[str], Any] = str,
    valid: Callable[[Any], bool] = lambda value: True,
) -> None:
    """Before the widget `key` is drawn: take its value from the URL (if valid), else from what
    this session last chose on the page, else leave the widget's own default.

    A URL value that does not parse or is not valid is ignored (the link still opens).
    """
    if key in st.session_state:
        return  # the widget is live: its own state wins
    raw = st.query_params.get(key)
    if raw is not None:
        try:
            value = parse(raw)
        except (TypeError, ValueError):
            value = None
        if value is not None and valid(value):
            st.session_state[key] = value
            return
    kept = st.session_state.get(_KEPT.format(key))
    if kept is not None and valid(kept):
        st.session_state[key] = kept
    elif default is not None:
        st.session_state[key] = default


def remember(*keys: str) -> None:
    """After the widgets are drawn: write their values to the URL and keep them in the session."""
    for key in keys:
        value = st.session_state.get(key)
        if value is None:
            continue
        st.session_state[_KEPT.format(key)] = value
        text = str(value)
        if st.query_params.get(key) != text:
            st.query_params[key] = text


def link(page: str, **params: str) -> str:
    """A relative link to a page of the dashboard with its parameters, e.g.
    link('explorer', occupation='15-1252.00') -> 'explorer?occupation=15-1252.00'."""
    from urllib.parse import urlencode

    return f"{page}?{urlencode(params)}" if params else page
