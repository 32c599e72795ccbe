"""The occupation explorer's chart: where one occupation stands among all."""

from __future__ import annotations

import altair as alt
import pandas as pd

from app.charts.common import FIT_WIDTH, HIGHLIGHT_COLOUR, WIDTH


def distribution_chart(
    values: pd.DataFrame, marker: float | None, measure_label: str, marker_label: str
) -> alt.LayerChart | alt.FacetChart:
    """Histogram of occupation exposure (employment-weighted when a weight column is given),
    with one occupation marked.

    values: exposure (fraction) and optionally workers.
    """
    weight = "workers" if "workers" in values else None
    hist = (
        alt.Chart(values)
        .mark_bar(color="#9ecae1")
        .encode(
            x=alt.X(
                "exposure:Q",
                bin=alt.Bin(step=0.05),
                title=f"{measure_label}: share of tasks exposed (%)",
                axis=alt.Axis(format="%"),
            ),
            y=alt.Y(
                f"sum({weight}):Q" if weight else "count():Q",
                title="Workers (persons)" if weight else "Occupations",
            ),
            tooltip=[
                alt.Tooltip("exposure:Q", bin=alt.Bin(step=0.05), title="Exposure", format=".0%"),
                alt.Tooltip(
                    f"sum({weight}):Q" if weight else "count():Q",
                    title="Workers" if weight else "Occupations",
                    format=",.0f",
                ),
            ],
        )
    )
    layers = [hist]
    if marker is not None:
        mark = pd.DataFrame({"exposure": [marker], "label": [marker_label]})
        layers.append(
            alt.Chart(mark)
            .mark_rule(color=HIGHLIGHT_COLOUR, strokeWidth=2)
            .encode(
                x="exposure:Q",
                tooltip=[
                    alt.Tooltip("label:N", title="Occupation"),
                    alt.Tooltip("exposure:Q", title="Exposure", format=".1%"),
                ],
            )
        )
    return alt.layer(*layers).properties(
        title=(
            f"Where it stands: workers by their occupation's exposure ({measure_label})"
            if weight
            else f"Where it stands: occupations by exposure ({measure_label})"
        ),
        height=240,
        width=WIDTH,
        autosize=FIT_WIDTH,
    )
