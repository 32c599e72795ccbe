"""Small display helpers shared by every page: readable errors, the current store, and the ONE
way each kind of number is written (shares 80.6%, money $48,060, counts 1,234,567), in text and
in table columns alike, so a figure reads the same wherever it is quoted from."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import Any

import pandas as pd
import streamlit as st
from streamlit.elements.lib.column_types import ColumnConfig

from app import cached
from kb import sandbox, vocabulary
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


# --- numbers in text ------------------------------------------------------------------------


def pct(value: float | None, digits: int = 1) -> str:
    """A share (fraction 0..1) as the dashboard writes it everywhere: '80.6%'."""
    return "n/a" if value is None or pd.isna(value) else f"{100 * value:.{digits}f}%"


def money(value: float | None) -> str:
    """Dollars without cents: '$48,060'."""
    return "n/a" if value is None or pd.isna(value) else f"${value:,.0f}"


def count(value: float | int | None) -> str:
    """A count of workers or occupations: '1,234,567'."""
    return "n/a" if value is None or pd.isna(value) else f"{value:,.0f}"


def sign(compare: str) -> str:
    """The comparison's sign as the pages print it: '>' or '≥'."""
    return vocabulary.COMPARISON_SIGNS[compare].replace(">=", "≥")


def passes(compare: str, threshold: float) -> str:
    """The words for 'exposure passes the threshold': 'more than 50%' (gt), 'at least 50%' (ge)."""
    return f"{vocabulary.COMPARISON_WORDS[compare]} {threshold:.0%}"


def units_phrase(employment: str, n: int | None = None) -> str:
    """What an 'occupation' is under an employment recipe, with its number if given:
    '923 O*NET occupations' (paper) or '784 OEWS occupations' (each a SOC code)."""
    kind = "O\\*NET occupations" if employment == "paper" else "OEWS occupations"
    return kind if n is None else f"{n:,} {kind}"


def md(text: str) -> str:
    """Plain text inside markdown: '*' in 'E1 + 0.5*E2' or 'O*NET' must not start italics,
    '$' must not start LaTeX."""
    return text.replace("\\", "\\\\").replace("*", "\\*").replace("_", "\\_").replace("$", "\\$")


# --- numbers in tables (st.column_config), written the same way ------------------------------


def share_column(label: str, help: str | None = None, bar: bool = False) -> ColumnConfig:
    """A column of shares stored as percentages (0..100, see as_percent): '80.6%'."""
    if bar:
        return st.column_config.ProgressColumn(
            label, help=help, format="%.1f%%", min_value=0, max_value=100
        )
    return st.column_config.NumberColumn(label, help=help, format="%.1f%%")


def money_column(label: str, help: str | None = None) -> ColumnConfig:
    return st.column_config.NumberColumn(label, help=help, format="$%,d")


def count_column(label: str, help: str | None = None) -> ColumnConfig:
    return st.column_config.NumberColumn(label, help=help, format="%,d")


def as_percent(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """A copy with the share columns (fractions) as percentages, for share_column."""
    out = frame.copy()
    for column in columns:
        out[column] = 100 * out[column]
    return out


# --- downloads ----------------------------------------------------------------------------


def csv_download(
    label: str, data: pd.DataFrame | Callable[[], pd.DataFrame], file_name: str, key: str
) -> None:
    """A CSV download of a table or a chart's data, written by kb.sandbox.to_csv (cells that
    a spreadsheet would run as formulas are neutralised). A callable is only run on click."""
    frame = data

    def body() -> bytes:
        table = frame() if callable(frame) else frame
        return sandbox.to_csv(table).encode("utf-8")

    st.download_button(
        label,
        body,
        file_name=file_name,
        mime="text/csv",
        key=key,
        on_click="ignore",
        icon=":material/download:",
        type="tertiary",
    )


# --- panels drawn on demand ----------------------------------------------------------------


def panel_on_demand(label: str, key: str, icon: str) -> Any | None:
    """An expander whose content is drawn only while it is open (None when closed): the browser
    pays for heavy widgets or charts only when they are asked for. Open or not is in the URL
    under `key`, so a link reproduces it."""
    panel = st.expander(label, key=key, bind="query-params", icon=icon)
    return panel if panel.open else None


# --- the app shell --------------------------------------------------------------------------

# Metric labels wrap instead of being cut with an ellipsis (they are the quotable sentence).
# Narrow windows (800 px): columns wrap instead of squeezing selectboxes and cards until their
# labels are cut; wide windows keep the columns side by side.
RESPONSIVE_CSS = """
<style>
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] * {
  white-space: normal !important; overflow: visible !important; text-overflow: clip !important;
  height: auto !important;
}
@media (max-width: 1000px) {
  [data-testid="stHorizontalBlock"] { flex-wrap: wrap; row-gap: 0.5rem; }
  [data-testid="stHorizontalBlock"] > [data-testid="stColumn"] {
    min-width: min(100%, 380px); flex: 1 1 380px !important;
  }
}
</style>
"""


def responsive() -> None:
    st.html(RESPONSIVE_CSS)
