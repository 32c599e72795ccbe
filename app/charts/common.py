"""Sizing, colours and number formats every chart shares."""

from __future__ import annotations

import altair as alt

WIDTH = "container"
# Fill the page's width, but keep the height as the plot's own so rows and bars stay readable
# (plain "fit" would squeeze the plot to make room for titles and legends).
FIT_WIDTH = alt.AutoSizeParams(type="fit-x", contains="padding")
HIGHLIGHT_COLOUR = "#d62728"
# d3-format strings for chart axes, labels and tooltips: the same as app.ui.pct / app.ui.money.
SHARE_FORMAT = ".1%"
MONEY_FORMAT = "$,.0f"
COUNT_FORMAT = ",.0f"


def compact(value: float) -> str:
    """A large count in a short label: 9.4M, 151K, 880."""
    if value >= 1e6:
        return f"{value / 1e6:.1f}M"
    if value >= 1e4:
        return f"{value / 1e3:.0f}K"
    return f"{value:,.0f}"
