"""Sizing and colours every chart shares."""

from __future__ import annotations

import altair as alt

WIDTH = "container"
# Fill the page's width, but keep the height as the plot's own so rows and bars stay readable
# (plain "fit" would squeeze the plot to make room for titles and legends).
FIT_WIDTH = alt.AutoSizeParams(type="fit-x", contains="padding")
HIGHLIGHT_COLOUR = "#d62728"
