"""The Timeline page driven headlessly with AppTest, on the session store built from the real data
(curated records, Epoch AI and models.dev): filters, URL state, the charts' fixed colours and
credits, the lane chart's fixes and the GPT-4 card's disagreements.

What the page shows is compared with kb's functions for the same filter, and the GPT-4 dates
with Epoch AI's CSV read here with plain pandas.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pytest
from streamlit.testing.v1 import AppTest

from app.charts import timeline as timeline_charts
from kb import store as kbstore
from kb import timeline, vocabulary

REPO = Path(__file__).resolve().parent.parent
DASHBOARD = REPO / "dashboard.py"
EPOCH = Path(os.environ.get("KB_EPOCH_DIR", REPO.parent / "shared" / "data" / "epoch"))
# The first run imports kb, streamlit and Altair and fills the caches; a loaded machine is slow.
TIMEOUT = 180


# The caches are cleared around each test; on_store points the dashboard at the session store
# (both fixtures in tests/conftest.py).
pytestmark = pytest.mark.usefixtures("fresh_dashboard_caches")


def open_timeline(**params: str | list[str]) -> AppTest:
    """The Timeline page (the dashboard's default), with these URL query parameters."""
    at = AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    return at


def specs(at: AppTest) -> list[dict[str, Any]]:
    return [json.loads(e.proto.spec) for e in at.get("vega_lite_chart")]


def chart_frames(at: AppTest) -> list[pd.DataFrame]:
    frames = []
    for element in at.get("vega_lite_chart"):
        for dataset in element.proto.datasets:
            frames.append(pa.ipc.open_stream(dataset.data.data).read_pandas())
    return frames


def lane_frame(at: AppTest) -> pd.DataFrame:
    """The releases drawn on the lane chart (Altair ships dates as ISO text)."""
    frame = next(f for f in chart_frames(at) if {"id", "row", "slot", "lane"} <= set(f.columns))
    return frame.assign(date=pd.to_datetime(frame["date"], format="ISO8601"))


def release_table(at: AppTest) -> pd.DataFrame:
    return next(d.value for d in at.dataframe if "lead_organisation" in d.value.columns)


def kb_releases(db: Path, flt: timeline.TimelineFilter | None = None) -> pd.DataFrame:
    with kbstore.connect(db) as con:
        return timeline.releases_table(con, flt)


# --------------------------------------------------------------------------------- the page


def test_the_page_shows_every_source_and_the_table_matches_kb(on_store) -> None:
    at = open_timeline(view="Table")
    expected = kb_releases(on_store.db)
    assert len(expected) > 1000  # Epoch AI's tables and models.dev are in
    shown = release_table(at)
    assert len(shown) == len(expected)
    assert set(shown["id"]) == set(expected["id"])
    assert at.get("download_button")
    assert "Epoch AI (CC BY 4.0)" in " ".join(c.value for c in at.caption)


def test_filters_narrow_the_table(on_store) -> None:
    at = open_timeline(view="Table")
    everything = len(release_table(at))
    # The filter panel is drawn only when opened (a link with a filter opens it too).
    assert not at.multiselect
    assert any(e.label.startswith("Filter the releases") for e in at.expander)
    at = open_timeline(view="Table", filters="true")
    assert len(release_table(at)) == everything
    at.multiselect(key="org").select("OpenAI").run()
    assert not at.exception and not at.error
    openai = release_table(at)
    assert 0 < len(openai) < everything
    assert openai["organisations"].str.contains("OpenAI").all()  # any maker, not only the lead
    at.toggle(key="frontier").set_value(True).run()
    frontier = release_table(at)
    assert 0 < len(frontier) < len(openai) and frontier["frontier"].all()
    expected = kb_releases(
        on_store.db, timeline.TimelineFilter(organisations=("OpenAI",), frontier=True)
    )
    assert sorted(frontier["id"]) == sorted(expected["id"])
    # The card follows the filters: it shows one of the filtered releases.
    assert at.selectbox(key="release").value in set(frontier["id"])


def test_the_url_reproduces_the_view(on_store) -> None:
    at = open_timeline(view="Table", org=["Meta AI"], q="llama", release="llama")
    table = release_table(at)
    expected = kb_releases(
        on_store.db, timeline.TimelineFilter(organisations=("Meta AI",), text="llama")
    )
    assert len(table) >= 2 and sorted(table["id"]) == sorted(expected["id"])
    assert at.selectbox(key="release").value == "llama"
    assert "LLaMA" in [s.value for s in at.subheader]
    # A focus window from the URL: only releases of those days are drawn.
    at = open_timeline(view="Focus window", **{"from": "2023-03-13", "to": "2023-03-17"})
    drawn = lane_frame(at)
    assert drawn["date"].min() >= pd.Timestamp("2023-03-13")
    assert drawn["date"].max() <= pd.Timestamp("2023-03-17")
    assert {"gpt-4", "claude", "palm-api", "alpaca"} <= set(drawn["id"])


def test_choosing_a_release_updates_the_card_and_the_url(on_store) -> None:
    at = open_timeline()
    assert at.selectbox(key="release").value == "gpt-4"
    at.selectbox(key="release").select("alpaca").run()
    assert not at.exception and not at.error
    assert "Alpaca" in [s.value for s in at.subheader]
    assert at.query_params["release"] in ("alpaca", ["alpaca"])


# ------------------------------------------------------------------------- the lane chart


def test_relation_colours_are_fixed_whatever_the_filters(on_store) -> None:
    full = [t.replace("tuned_", "tuned-").replace("_", " ") for t in vocabulary.RELATION_TYPES]
    for params in ({}, {"org": ["Google"]}, {"from": "2023-03-13", "to": "2023-03-15"}):
        at = open_timeline(view="Focus window", **params)
        lane = next(s for s in specs(at) if timeline_charts.relation_scale_domain(s))
        domain = timeline_charts.relation_scale_domain(lane)
        assert domain == full, params
        colours = next(
            layer["encoding"]["color"]["scale"]["range"]
            for layer in lane["layer"]
            if layer.get("encoding", {}).get("color", {}).get("field") == "relation_name"
        )
        assert colours == list(timeline_charts.RELATION_PALETTE)


def test_the_lane_chart_fixes(on_store) -> None:
    at = open_timeline(view="Focus window")
    drawn = lane_frame(at)
    # The default window is the February-March 2023 wave.
    assert drawn["date"].min() >= pd.Timestamp("2023-02-01")
    assert drawn["date"].max() <= pd.Timestamp("2023-03-31")
    # The 14 March cluster: each on its own row.
    cluster = drawn[drawn["id"].isin(["gpt-4", "palm-api", "claude", "adept-series-b"])]
    assert len(cluster) == 4 and cluster["row"].nunique() == 4
    # Every lane is named on the axis, Microsoft's (two rows or more) included.
    lane = next(s for s in specs(at) if timeline_charts.relation_scale_domain(s))
    axis = next(
        layer["encoding"]["y"]["axis"]
        for layer in lane["layer"]
        if layer.get("encoding", {}).get("y", {}).get("axis")
    )
    named = set(json.loads(axis["labelExpr"].split("[toString")[0]).values())
    assert set(drawn["lane"]) == named
    assert drawn.loc[drawn["lane"] == "Microsoft", "row"].nunique() >= 2
    # Bing Chat's usage data are from 2024: the note says "later", with the date.
    notes = next(f for f in chart_frames(at) if {"id", "note", "detail"} <= set(f.columns))
    bing = notes.loc[notes["id"] == "bing-chat", "note"].iloc[0]
    assert bing.startswith("later") and "2024" in bing
    # Arrowheads: a point layer turned along each lineage edge.
    assert any(
        isinstance(layer.get("mark"), dict) and "angle" in layer["mark"] for layer in lane["layer"]
    )


def test_labels_never_overlap_within_a_row(on_store) -> None:
    """The layout's promise on the real releases, outside ones shown: in every row each label
    ends before the next release in that row begins; each lane is one block of rows."""
    at = open_timeline(view="Focus window", outside="true")
    drawn = lane_frame(at).assign(
        label_end=lambda f: pd.to_datetime(f["label_end"], format="ISO8601")
    )
    for _, row in drawn.sort_values("date").groupby("row"):
        starts, ends = row["date"].tolist(), row["label_end"].tolist()
        assert all(nxt > end for end, nxt in zip(ends, starts[1:], strict=False)), row["name"]
    assert drawn.groupby("row")["lane"].nunique().max() == 1
    firsts = drawn.groupby("lane")["row"].min().sort_values()
    lasts = drawn.groupby("lane")["row"].max().reindex(firsts.index)
    assert (firsts.iloc[1:].to_numpy() == lasts.iloc[:-1].to_numpy() + 1).all()


def test_outside_releases_carry_their_own_date(on_store) -> None:
    at = open_timeline(view="Focus window", outside="true")
    drawn = lane_frame(at)
    outside = drawn[drawn["lane"] == timeline_charts.OUTSIDE_LANE]
    gpt_j = outside.loc[outside["id"] == "gpt-j", "label"]
    assert len(gpt_j) == 1 and "2021" in gpt_j.iloc[0]  # Epoch AI dates GPT-J


def test_a_narrow_window_gets_enough_ticks(on_store) -> None:
    at = open_timeline(view="Focus window", **{"from": "2023-03-10", "to": "2023-03-20"})
    lane = next(s for s in specs(at) if timeline_charts.relation_scale_domain(s))
    x_axis = next(
        layer["encoding"]["x"]["axis"]
        for layer in lane["layer"]
        if layer.get("encoding", {}).get("x", {}).get("axis")
    )
    assert x_axis["tickCount"]["interval"] == "day"


# ------------------------------------------------------------------------ credits and views


@pytest.mark.parametrize("view", ["Over time", "Training compute", "Focus window", "Table"])
def test_every_chart_names_its_source(on_store, view: str) -> None:
    at = open_timeline(view=view)
    for spec in specs(at):
        credit = spec["title"]["text"]
        assert credit.startswith("Data: ") and "Epoch AI (CC BY 4.0)" in credit, view
        assert spec["title"]["orient"] == "bottom"  # under the chart


def test_the_family_view_holds_every_descendant(on_store) -> None:
    at = open_timeline(view="Lineage family")
    drawn = lane_frame(at)
    with kbstore.connect(on_store.db) as con:
        graph = timeline.load_graph(con)
        walked = timeline.lineage(graph, "llama")["descendants"]
    dated = {d["id"] for d in walked} & set(kb_releases(on_store.db)["id"])
    assert dated <= set(drawn["id"]) and "llama" in set(drawn["id"])


# ------------------------------------------------------------------------------- the card


def test_the_gpt4_card_shows_the_sources_disagreeing(on_store) -> None:
    at = open_timeline()
    assert "GPT-4" in [s.value for s in at.subheader]
    epoch = pd.read_csv(EPOCH / "notable_ai_models.csv", usecols=["Model", "Publication date"])
    epoch_date = epoch.loc[epoch["Model"] == "GPT-4 (Mar 2023)", "Publication date"].iloc[0]
    disputes = next(d.value for d in at.dataframe if "Epoch AI" in d.value.columns)
    dates = disputes[disputes["Attribute"] == "Release date"].iloc[0]
    assert dates["Curated records"] == "2023-03-14"
    assert dates["Epoch AI"].startswith(epoch_date)
    assert dates["models.dev"].startswith("2023-11-06")
    # The variants: three columns, attributes in words, units once, no "None".
    variants = next(d.value for d in at.dataframe if "Variant" in d.value.columns)
    assert list(variants.columns) == ["Variant", "Attribute", "Value"]
    cells = " | ".join(str(v) for v in variants.to_numpy().ravel())
    assert "None" not in cells and "nan" not in cells and "_" not in cells.replace("gpt-4", "")
    context = variants[
        (variants["Variant"] == "gpt-4-32k") & (variants["Attribute"] == "Context window")
    ]
    assert context["Value"].str.startswith("32,768 tokens").all() and len(context) == 1
    assert "2021-09" in cells and "2021-09 month" not in cells
    # The usage cap is stated once, not with its unit repeated.
    values = " | ".join(
        str(v) for d in at.dataframe if "Value" in d.value.columns for v in d.value["Value"]
    )
    assert "100 messages per 4 hours" in values
    assert "messages per 4 hours messages" not in values
