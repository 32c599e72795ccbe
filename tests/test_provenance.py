"""Exposure sources as records linked to the timeline, and "what we knew when"."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import yaml
from conftest import REPO, store_dump

from kb import build as kbbuild
from kb import provenance, store
from kb.errors import ValidationError


def test_builtin_sources_and_their_releases(built) -> None:
    with store.connect(built.db) as con:
        frame = provenance.sources(con).set_index("source_id")
    assert sorted(frame.index) == [
        "anthropic-economic-index-2025-02-10",
        "gpts-are-gpts-gpt4",
        "gpts-are-gpts-gpt4-alt",
        "gpts-are-gpts-human",
        "working-with-ai-usage",
    ]
    links = frame[["rater", "measure", "kind", "produced_by_release"]].astype(object)
    links = links.where(links.notna(), None)
    assert links.to_dict("index") == {
        "gpts-are-gpts-gpt4": {
            "rater": "gpt4",
            "measure": None,
            "kind": "model_labels",
            "produced_by_release": "gpt-4",
        },
        "gpts-are-gpts-gpt4-alt": {
            "rater": "gpt4_alt",
            "measure": None,
            "kind": "model_labels",
            "produced_by_release": "gpt-4",
        },
        "gpts-are-gpts-human": {
            "rater": "human",
            "measure": None,
            "kind": "human_annotation",
            "produced_by_release": None,
        },
        "working-with-ai-usage": {
            "rater": None,
            "measure": "ai_applicability",
            "kind": "usage_log",
            "produced_by_release": "bing-chat",
        },
        "anthropic-economic-index-2025-02-10": {
            "rater": None,
            "measure": "claude_usage_share",
            "kind": "usage_log",
            "produced_by_release": "claude-3.5-sonnet",
        },
    }
    usage = frame.loc["working-with-ai-usage"]
    assert (usage.period_start.date(), usage.period_end.date()) == (
        date(2024, 1, 1),
        date(2024, 9, 30),
    )
    assert "renamed Microsoft Copilot" in usage.date_note
    assert frame.loc["gpts-are-gpts-gpt4", "release_date"].date() == date(2023, 3, 14)
    assert set(frame["origin"]) == {"built-in"}
    assert frame.loc["gpts-are-gpts-gpt4", "url"] == "https://arxiv.org/abs/2303.10130"


def test_annotations_place_label_sets_on_their_release(built) -> None:
    with store.connect(built.db) as con:
        notes = provenance.release_annotations(con)
    by_measure = notes.set_index("measure")
    assert by_measure.loc["gpt4", "release_id"] == "gpt-4"
    assert by_measure.loc["gpt4_alt", "release_id"] == "gpt-4"
    assert by_measure.loc["ai_applicability", "release_id"] == "bing-chat"
    assert "human" not in by_measure.index  # no release produced the human labels
    assert by_measure.loc["gpt4", "label"] == "task labels: rater gpt4 (2023-03-17)"
    assert list(notes["release_date"]) == sorted(notes["release_date"])


def test_history_headlines(built, raw_dir: Path) -> None:
    with store.connect(built.db) as con:
        frame = provenance.history(con)
        headline = con.execute(
            "SELECT rater, threshold, share_workers FROM exposure_headline WHERE measure = 'beta'"
        ).df()
    assert list(frame["date"]) == sorted(frame["date"])
    rows = frame.set_index(["measure", "figure"])["value"]
    # The paper's abstract: about 80% of workers with >= 10% of tasks exposed, about 19% with
    # >= 50% (human labels, paper recipe); within 1.5 points.
    assert rows[("human", "share of workers with > 10% of tasks exposed")] == pytest.approx(
        0.80, abs=0.015
    )
    assert rows[("human", "share of workers with > 50% of tasks exposed")] == pytest.approx(
        0.19, abs=0.015
    )
    for rater in ("human", "gpt4", "gpt4_alt"):
        for t in (0.1, 0.5):
            view = headline[
                (headline.rater == rater) & (headline.threshold == t)
            ].share_workers.iloc[0]
            assert rows[
                (rater, f"share of workers with > {t:.0%} of tasks exposed")
            ] == pytest.approx(view, abs=1e-12)
    # The usage headline, from the raw files with pandas.
    scores = pd.read_csv(raw_dir.parent / "working-with-ai" / "soc_ai_applicability_scores.csv")
    oews = pd.read_csv(raw_dir / "national_May2021_dl.csv", encoding="utf-8-sig", dtype=str)
    oews = oews[oews["O_GROUP"] == "detailed"].assign(
        emp=lambda f: pd.to_numeric(f["TOT_EMP"].str.replace(",", ""), errors="coerce")
    )
    merged = scores.merge(oews, left_on="SOC Code", right_on="OCC_CODE").dropna(subset=["emp"])
    mean = (merged["ai_applicability_score"] * merged["emp"]).sum() / merged["emp"].sum()
    assert rows[
        ("ai_applicability", "employment-weighted mean AI applicability score")
    ] == pytest.approx(mean, abs=1e-12)
    usage_rows = frame[frame.measure == "ai_applicability"]
    assert set(usage_rows["release_id"]) == {"bing-chat"}
    assert str(usage_rows["date"].iloc[0])[:10] == "2024-09-30"


def _edit_sources(data_dir: Path, change) -> None:
    path = data_dir / "exposure_sources.yml"
    doc = yaml.safe_load(path.read_text())
    change(doc["sources"])
    path.write_text(yaml.safe_dump(doc, sort_keys=False))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            lambda s: s[1].update(produced_by_release="gpt-99"),
            "record 2 (id 'gpts-are-gpts-gpt4'): field 'produced_by_release':"
            " release 'gpt-99' is not in the timeline",
        ),
        (
            lambda s: s[0].update(kind="oracle"),
            "record 1 (id 'gpts-are-gpts-human'): field 'kind': 'oracle' is not one of",
        ),
        (
            lambda s: s[0].update(date="2023-02-30"),
            "record 1 (id 'gpts-are-gpts-human'): field 'date': '2023-02-30' is not a date",
        ),
        (
            lambda s: s[3].pop("citation"),
            "record 4 (id 'working-with-ai-usage'): field 'citation': is missing",
        ),
        (
            lambda s: s[0].update(rater="nobody"),
            "record 1 (id 'gpts-are-gpts-human'): field 'rater': rater 'nobody' has no labels",
        ),
        (
            lambda s: s.append(dict(s[0])),
            "record 6: field 'source_id': 'gpts-are-gpts-human' appears twice",
        ),
    ],
    ids=["unknown-release", "bad-kind", "bad-date", "no-citation", "unknown-rater", "duplicate"],
)
def test_bad_source_record_fails_build_and_keeps_store(workspace, change, expected: str) -> None:
    _edit_sources(workspace.data_dir, change)
    before = store_dump(workspace.db)
    with pytest.raises(ValidationError) as err:
        kbbuild.build(workspace.db, data_dir=workspace.data_dir, raw_dir=workspace.raw_dir)
    assert expected in str(err.value)
    assert store_dump(workspace.db) == before


def test_schema_rejects_inconsistent_rows() -> None:
    """The table's own constraints: a model label set needs its release; kinds are closed."""
    import duckdb

    con = duckdb.connect(":memory:")
    con.execute("CREATE TABLE raters (rater VARCHAR PRIMARY KEY)")
    con.execute("CREATE TABLE releases (id VARCHAR PRIMARY KEY)")
    con.execute((Path(provenance.__file__).parent / "schema" / "40_provenance.sql").read_text())
    con.execute("INSERT INTO raters VALUES ('r')")
    insert = (
        "INSERT INTO exposure_sources (source_id, rater, kind, level, producer, method, "
        "date, citation, origin) VALUES ('x', 'r', ?, 'task', 'p', 'm', DATE '2023-01-01', "
        "'c', 'ingested')"
    )
    for kind in ("model_labels", "oracle"):  # no release / unknown kind
        with pytest.raises(duckdb.ConstraintException):
            con.execute(insert, [kind])
    con.execute(insert, ["human_annotation"])
    assert con.execute("SELECT count(*) FROM exposure_sources").fetchall() == [(1,)]


# ------------------------------------------------------------------ dashboard (AppTest)


@pytest.fixture
def dashboard(monkeypatch, built):
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from kb import config

    monkeypatch.setenv(config.ENV_DB, str(built.db))
    monkeypatch.setenv(config.ENV_DATA_DIR, str(built.data_dir))
    monkeypatch.setenv(config.ENV_RAW_DIR, str(built.raw_dir))
    st.cache_data.clear()
    at = AppTest.from_file(
        str(Path(__file__).resolve().parent.parent / "dashboard.py"), default_timeout=60
    )
    at.run()
    yield at
    st.cache_data.clear()


def test_timeline_page_annotates_the_release_that_produced_labels(dashboard) -> None:
    assert not dashboard.exception
    # GPT-4 is the default selection: its card names every label set data/exposure_sources.yml
    # says it produced, with the kind and the date.
    assert dashboard.selectbox(key="release").value == "gpt-4"
    declared = yaml.safe_load((REPO / "data" / "exposure_sources.yml").read_text())["sources"]
    by_gpt4 = [s for s in declared if s["produced_by_release"] == "gpt-4"]
    assert {s["rater"] for s in by_gpt4} == {"gpt4", "gpt4_alt"}
    infos = [i.value for i in dashboard.info]
    for source in by_gpt4:
        assert source["kind"] == "model_labels"
        expected = (
            f"Exposure data tied to this release: **{source['rater']}** (model labels, dated "
            f"{source['date']:%d %b %Y})."
        )
        assert any(v.startswith(expected) for v in infos), expected


def test_vintages_page_shows_the_same_figures_as_kb(dashboard, built) -> None:
    from kb import usage
    from kb.usage import aei

    at = dashboard.switch_page("app/pages/vintages.py").run()
    assert not at.exception
    with store.connect(built.db) as con:
        gpt4 = usage.rank_correlation(con, "gpt4", "beta")
        human = usage.rank_correlation(con, "human", "beta")
        head = usage.headline(con)
        match = aei.match_summary(con)
        claude_human, _ = aei.rank_correlation(con, "human", "beta")
        claude_gpt4, _ = aei.rank_correlation(con, "gpt4", "beta")
    assert [m.value for m in at.metric] == [
        f"{match['match_rate']:.1%}", f"{match['pct_matched']:.1f}%", f"{claude_human:.3f}",
        f"{human.rho:.3f}", f"{head.mean_score:.3f}", "785",
    ]  # fmt: skip
    next(s for s in at.selectbox if s.label == "Exposure rater").set_value("gpt4").run()
    assert not at.exception
    assert at.metric[2].value == f"{claude_gpt4:.3f}"
    assert at.metric[3].value == f"{gpt4.rho:.3f}"
    next(s for s in at.selectbox if s.label == "Level").set_value("occupation").run()
    assert not at.exception


def test_knew_when_chart_plots_shares_only_on_a_real_plot_area(built) -> None:
    from app.charts import vintages as charts

    with store.connect(built.db) as con:
        hist = provenance.history(con)
    releases = hist.dropna(subset=["release_id"]).drop_duplicates("release_id")
    spec = charts.knew_when_chart(hist, releases).to_dict()
    assert spec["height"] >= 300
    plotted = [
        row["figure"] for data in spec["datasets"].values() for row in data if "figure" in row
    ]
    assert plotted and all(f.startswith(charts.SHARE_FIGURE_WORDS) for f in plotted)
    assert any("Claude conversations" in f for f in plotted)
    # The Copilot usage sits at its own 2024 date, not at Bing Chat's 2023 launch.
    dates = {
        row["source"]: row["date"]
        for data in spec["datasets"].values()
        for row in data
        if "source" in row
    }
    assert dates["Bing Copilot usage (2024)"].startswith("2024-09-30")
