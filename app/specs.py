"""Charts as cached Vega-Lite specs.

Building an Altair chart and converting it to Vega-Lite (with schema validation) costs tens to
hundreds of milliseconds, far more than reading the cached data. The pages therefore draw
`st.vega_lite_chart(spec)` with specs built once per distinct input and kept by st.cache_data.
The cache keys are the same plain values as app/data.py's (store path and stamp, recipe
strings), which hash in microseconds, unlike the DataFrames behind them; a slider move only
swaps the slider's mark in the curve's spec.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from app import charts, data


@st.cache_data(show_spinner=False, max_entries=64)
def _exposure_curve(db: str, stamp: str, *choices: str) -> dict:
    curve = data.curve(db, stamp, *choices)
    return charts.exposure_curve_chart(curve, data.recipe(*choices).describe()).to_dict()


def exposure_curve(db: str, stamp: str, threshold: float, *choices: str) -> dict:
    """The exposure curve for a recipe, with the slider's mark at threshold."""
    return charts.with_threshold(_exposure_curve(db, stamp, *choices), threshold)


@st.cache_data(show_spinner=False, max_entries=64)
def _breakdown(label: str, sign: str, n_groups: int) -> dict:
    return charts.breakdown_chart(label, sign, n_groups).to_dict()


def breakdown(db: str, stamp: str, by: str, label: str, threshold: float, sign: str,
              *choices: str) -> dict:
    """The breakdown by `by` at threshold: the chart once per grouping, the rows per threshold."""
    frame = breakdown_display(data.breakdown(db, stamp, by, threshold, *choices), by)
    return charts.with_groups(_breakdown(label, sign, len(frame)), frame)


def breakdown_display(frame: pd.DataFrame, by: str) -> pd.DataFrame:
    """Readable group names (Job Zone 1, Quintile 1 (lowest paid), ...) in kb's order."""
    out = frame.copy()
    label = out["group_label"].fillna("not known")
    if by == "job_zone":
        label = out["group_key"].map(lambda k: f"Job Zone {k}" if pd.notna(k) else "not known")
    elif by == "wage_quintile":
        names = {"1": "1 (lowest paid)", "5": "5 (highest paid)"}
        label = out["group_key"].map(
            lambda k: f"Quintile {names.get(str(k), k)}" if pd.notna(k) else "wage not published")
    out["group"] = label
    return out.rename(columns={"share_exposed": "share_workers"})


@st.cache_data(show_spinner=False, max_entries=64)
def timeline(key: tuple, _layout: pd.DataFrame, _edges: pd.DataFrame, selected: str | None,
             show_chronology: bool, _notes: pd.DataFrame | None) -> dict:
    """The timeline chart. `key` (store path and stamp, and the filters) determines the frames,
    which st.cache_data therefore need not hash (the leading underscores)."""
    return charts.timeline_chart(_layout, _edges, selected=selected,
                                 show_chronology=show_chronology, notes=_notes).to_dict()


@st.cache_data(show_spinner=False, max_entries=64)
def distribution(db: str, stamp: str, marker: float | None, marker_label: str,
                 *choices: str) -> dict:
    units = data.all_units(db, stamp, *choices)
    values = units.rename(columns={"employment": "workers"})[["exposure", "workers"]]
    rater, measure = choices[0], choices[1]
    return charts.distribution_chart(values, marker, f"{rater}, {measure}", marker_label).to_dict()
