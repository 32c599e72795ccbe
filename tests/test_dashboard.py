"""The Streamlit dashboard driven headlessly with AppTest, on a store built from the real data.

Numbers on the pages are compared with kb's own functions for the same choices (and kb's
functions are checked against the paper and independent computations in their own tests).
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
import yaml
from click.testing import CliRunner
from streamlit.testing.v1 import AppTest

from kb import config, exposure, verify
from kb import store as kbstore
from kb.cli import cli
from kb.exposure import ranking

REPO = Path(__file__).resolve().parent.parent
DASHBOARD = REPO / "dashboard.py"
# The first run of a page imports kb and streamlit's Altair stack; later runs are fast.
TIMEOUT = 60


# The caches are cleared around each test; on_store points the dashboard at the session store
# (both fixtures in tests/conftest.py).
pytestmark = pytest.mark.usefixtures("fresh_dashboard_caches")


def open_page(page: str | None = None) -> AppTest:
    at = AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT)
    at.run()
    if page is not None:
        at.switch_page(page).run()
    return at


def texts(at: AppTest) -> str:
    """All markdown, captions, titles and headers on the page, as one string."""
    parts = [e.value for e in at.markdown] + [e.value for e in at.caption]
    parts += (
        [e.value for e in at.title] + [e.value for e in at.header] + [e.value for e in at.subheader]
    )
    return "\n".join(str(p) for p in parts)


# ------------------------------------------------------------------------------------- SQL page


def test_sql_page_runs_the_first_example_and_offers_csv(on_store) -> None:
    at = open_page("app/pages/sql.py")
    assert not at.exception
    assert not at.error
    frame = at.dataframe[0].value
    assert list(frame.columns)[:3] == ["position", "date", "name"]
    assert len(frame) >= 11  # the eleven events of the March-2023 chain at least
    assert "gpt-4" not in set(frame["name"])  # names, not ids, are shown
    assert "GPT-4" in " ".join(frame["name"])


def test_sql_page_runs_a_typed_query(on_store) -> None:
    at = open_page("app/pages/sql.py")
    at.text_area(key="sql_query").input("SELECT count(*) AS n FROM tasks").run()
    assert not at.exception and not at.error
    # full_labelset.tsv holds 19,265 O*NET task statements (the upstream README).
    assert int(at.dataframe[0].value["n"].iloc[0]) == 19_265
    assert at.get("download_button")


@pytest.mark.parametrize(
    "sql",
    [
        "DROP TABLE releases",
        "INSERT INTO kb_meta VALUES ('x', 'y')",
        "COPY releases TO '/tmp/kb-leak.csv'",
        "SELECT * FROM read_csv('/etc/passwd')",
        "ATTACH '/tmp/other.duckdb' AS other",
        "SELECT * FROM no_such_table",
    ],
)
def test_sql_page_refuses_with_a_readable_error(on_store, sql: str) -> None:
    at = open_page("app/pages/sql.py")
    at.text_area(key="sql_query").input(sql).run()
    assert not at.exception
    assert len(at.error) == 1
    assert "The query was refused" in at.error[0].value
    assert "What to do" in at.error[0].value
    assert not at.dataframe


def test_every_example_query_runs(on_store) -> None:
    at = open_page("app/pages/sql.py")
    names = at.selectbox(key="sql_example").options
    assert len(names) >= 8
    for name in names:
        at.selectbox(key="sql_example").select(name).run()
        assert not at.exception and not at.error, name
        assert len(at.dataframe[0].value) > 0, name


def test_sql_page_example_picker_fills_the_box(on_store) -> None:
    at = open_page("app/pages/sql.py")
    at.selectbox(key="sql_example").select("GPT-4 facts with their caveats").run()
    assert "release_id = 'gpt-4'" in at.text_area(key="sql_query").value
    assert not at.exception and not at.error
    frame = at.dataframe[0].value
    assert {"subject", "attribute", "value", "caveat"} <= set(frame.columns)
    assert len(frame) > 10


# ----------------------------------------------------------------------------------- all pages

PAGES = {
    "app/pages/timeline.py": "AI model releases",
    "app/pages/exposure.py": "Exposure of occupations to LLMs",
    "app/pages/explorer.py": "Occupation explorer",
    "app/pages/sql.py": "SQL on the store",
    "app/pages/about.py": "About the data",
}


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_renders_without_error(on_store, page: str) -> None:
    at = open_page(page)
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert [t.value for t in at.title] == [PAGES[page]]
    # The O*NET attribution (CC BY 4.0) is on every page.
    assert "CC BY 4.0" in texts(at)


# ------------------------------------------------------------------------------------ exposure


def metrics(at: AppTest) -> dict[str, str]:
    return {m.label: m.value for m in at.metric}


def expected_cards(db: Path, recipe: exposure.Recipe, slider: float) -> dict[str, str]:
    """The three headline cards as kb.exposure computes them for the same recipe."""
    words = "more than" if recipe.compare == "gt" else "at least"
    with kbstore.connect(db) as con:
        at_10, at_50, at_slider = exposure.shares(con, (0.1, 0.5, slider), recipe)
    return {
        f"Workers with {words} 10% of tasks exposed": f"{100 * at_10.share_workers:.1f}%",
        f"Workers with {words} 50% of tasks exposed": f"{100 * at_50.share_workers:.1f}%",
        f"Slider: workers with {words} {slider:.0%} of tasks exposed": (
            f"{100 * at_slider.share_workers:.1f}%"
        ),
    }


def test_exposure_cards_reproduce_the_paper_by_default(on_store) -> None:
    at = open_page("app/pages/exposure.py")
    assert not at.exception and not at.error
    shown = metrics(at)
    assert {
        k: shown[k] for k in expected_cards(on_store.db, exposure.Recipe(), 0.1)
    } == expected_cards(on_store.db, exposure.Recipe(), 0.1)
    # The abstract: about 80% of workers at 10%, about 19% at 50% (within 1.5 points).
    assert abs(float(shown["Workers with more than 10% of tasks exposed"].rstrip("%")) - 80) <= 1.5
    assert abs(float(shown["Workers with more than 50% of tasks exposed"].rstrip("%")) - 19) <= 1.5
    # The recipe and what it counts and leaves out are beside the figures.
    note = at.info[0].value
    assert "human labels, beta" in note and "employment: paper" in note
    with kbstore.connect(on_store.db) as con:
        cover = exposure.coverage(con, exposure.Recipe())
    assert (
        f"{cover.workers_counted:,.0f} workers in {cover.occupations_counted} O\\*NET occupations"
        in note
    )
    assert f"{cover.workers_left_out:,.0f} workers" in note


def test_exposure_cards_follow_the_recipe_and_the_slider(on_store) -> None:
    at = open_page("app/pages/exposure.py")
    paper = metrics(at)
    at.selectbox(key="rater").select("gpt4")
    at.selectbox(key="measure").select("zeta")
    at.selectbox(key="compare").select("ge")
    at.selectbox(key="employment").select("oews-2021")
    at.slider(key="threshold").set_value(30).run()
    assert not at.exception and not at.error
    recipe = exposure.Recipe(rater="gpt4", measure="zeta", compare="ge", employment="oews-2021")
    expected = expected_cards(on_store.db, recipe, 0.3)
    shown = metrics(at)
    assert {k: shown[k] for k in expected} == expected
    assert (
        shown["Workers with at least 10% of tasks exposed"]
        != paper["Workers with more than 10% of tasks exposed"]
    )
    assert "gpt4 labels, zeta" in at.info[0].value
    # Under OEWS the occupations are OEWS codes, and the page says so.
    assert "OEWS occupations" in texts(at)


def ranked(at: AppTest, least: bool) -> pd.DataFrame:
    """The most (or least) exposed table: the dataframes with a rank column, in page order."""
    tables = [d.value for d in at.dataframe if "rank" in d.value.columns]
    assert len(tables) == 2
    return tables[1 if least else 0]


def test_exposure_breakdown_and_rankings_match_kb(on_store) -> None:
    at = open_page("app/pages/exposure.py")
    at.button_group(key="breakdown_by").set_value("job_zone").run()
    assert not at.exception and not at.error
    with kbstore.connect(on_store.db) as con:
        zones = exposure.breakdown(con, "job_zone", 0.1, exposure.Recipe())
        groups = exposure.breakdown(con, "major_group", 0.1, exposure.Recipe())
        most = exposure.top(con, exposure.Recipe(), n=10)
        least = exposure.top(con, exposure.Recipe(), n=10, least=True)
        agree = exposure.agreement(con, "beta", "task", ("human", "gpt4"))
    bars = next(
        f for f in chart_frames(at) if "share_workers" in f.columns and "group" in f.columns
    )
    # Job Zones keep their own order (1 ... 5), the labels carry the group sizes.
    assert bars["share_workers"].tolist() == pytest.approx(zones["share_exposed"].tolist())
    assert all("workers" in label and "occ." in label for label in bars["label"])
    at.button_group(key="breakdown_by").set_value("major_group").run()
    bars = next(
        f for f in chart_frames(at) if "share_workers" in f.columns and "group" in f.columns
    )
    # Major groups are ordered by the share exposed, largest first.
    assert bars["share_workers"].tolist() == pytest.approx(
        sorted(groups["share_exposed"].tolist(), reverse=True)
    )
    overall = next(f for f in chart_frames(at) if "text" in f.columns and len(f) == 1)
    assert overall["text"].iloc[0].startswith("all workers: 80.6%")
    assert ranked(at, False)["title"].tolist() == most["title"].tolist()
    assert ranked(at, True)["title"].tolist() == least["title"].tolist()
    shown = [m.value for m in at.metric if m.label == "Cohen's kappa"]
    assert shown[0] == f"{agree.kappa:.3f}"


def test_ranked_tables_count_each_worker_once(on_store) -> None:
    """The paper's recipe gives every O*NET occupation all workers of its NEM occupation; the
    ranked tables must mark that and split them (the issue's Writers and Authors example)."""
    at = open_page("app/pages/exposure.py")
    most = ranked(at, False)
    # Computed here from the crosswalk and the published projections, not by kb.exposure.
    with kbstore.connect(on_store.db) as con:
        nem = (
            con.execute(
                "SELECT c.onet_code, p.employment, count(*) OVER (PARTITION BY c.nem_title) AS n "
                "FROM onet_nem_crosswalk c JOIN occupations o USING (onet_code) "
                "JOIN employment p ON p.vintage = 'projections-2022' AND p.level = 'line item' "
                "AND p.title = c.nem_title"
            )
            .df()
            .set_index("onet_code")
        )
    codes = most["occupation"].str.extract(r"occupation=([0-9.-]+)")[0]
    assert most["shared_by"].tolist() == nem.loc[codes, "n"].tolist()
    assert most["workers_once"].tolist() == pytest.approx(
        (nem.loc[codes, "employment"] / nem.loc[codes, "n"]).tolist()
    )
    writers = most[most["title"] == "Writers and Authors"].iloc[0]
    assert writers["employment"] == 151_200 and writers["shared_by"] == 2
    assert writers["workers_once"] == 75_600
    # No two rows of a table claim the same workers as their own.
    for table in (most, ranked(at, True)):
        shared = table[table["shared_by"] > 1]
        assert (shared["workers_once"] < shared["employment"]).all()
    # Under OEWS every worker is counted once and the shared columns are gone.
    at.selectbox(key="employment").select("oews-2021").run()
    assert "shared_by" not in ranked(at, False).columns


def test_ranked_tables_mark_ties(on_store) -> None:
    at = open_page("app/pages/exposure.py")
    least = ranked(at, True)
    with kbstore.connect(on_store.db) as con:
        zero = con.execute(
            "SELECT count(*) FROM stored_occupation_exposure e "
            "JOIN occupation_units u "
            "ON u.onet_code = e.onet_code AND u.employment_recipe = 'paper' "
            "WHERE e.rater = 'human' AND e.measure = 'beta' AND e.weighting = 'equal' "
            "AND e.exposure = 0 AND u.employment IS NOT NULL"
        ).fetchone()[0]
    assert zero == 58  # the issue: 58 occupations at 0%
    assert set(least["rank"]) == {f"1-{zero}"}
    assert f"10 of {zero} occupations tied at 0.0%" in texts(at)
    most = ranked(at, False)
    # Tied exposures share one rank range; distinct ones have a rank of their own.
    for _, group in most.groupby("exposure"):
        assert group["rank"].nunique() == 1
        first, _, last = group["rank"].iloc[0].partition("-")
        assert (int(last or first) - int(first) + 1) >= len(group)


def treemap_frames(at: AppTest) -> list[pd.DataFrame]:
    """The treemap's rectangles (x, y, x2, y2 per occupation; the group labels have group_x)."""
    frames = []
    for element in at.get("vega_lite_chart"):
        for dataset in element.proto.datasets:
            frame = pa.ipc.open_stream(dataset.data.data).read_pandas()
            if {"title", "x", "y", "x2", "y2"} <= set(frame.columns) and "group_x" not in frame:
                frames.append(frame)
    return frames


def test_treemap_is_drawn_only_when_opened(on_store) -> None:
    """The treemap (the page's heaviest chart) waits behind an expander; opened, here from the
    URL as a shared link would, it has one rectangle per occupation with workers."""
    at = open_page("app/pages/exposure.py")
    assert "Treemap" in " ".join(e.label for e in at.expander)
    assert not treemap_frames(at)
    at = AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT)
    at.query_params["treemap"] = "true"
    at.run()
    at.switch_page("app/pages/exposure.py").run()
    assert not at.exception and not at.error
    (rects,) = treemap_frames(at)
    with kbstore.connect(on_store.db) as con:
        units = ranking.ranking(con, exposure.Recipe())
    assert sorted(rects["title"]) == sorted(units.loc[units["workers_once"] > 0, "title"])


def test_robustness_strip_matches_kb_for_each_alternative(on_store) -> None:
    at = open_page("app/pages/exposure.py")
    strip = next(d.value for d in at.dataframe if "Recipe" in d.value.columns)
    paper = exposure.Recipe()
    alternatives = {
        "This recipe": paper,
        "'at least' instead of 'more than'": exposure.Recipe(compare="ge"),
        "GPT-4 labels": exposure.Recipe(rater="gpt4"),
        "each worker once (OEWS May 2021)": exposure.Recipe(employment="oews-2021"),
    }
    assert strip["Recipe"].tolist() == list(alternatives)
    with kbstore.connect(on_store.db) as con:
        for name, recipe in alternatives.items():
            row = strip[strip["Recipe"] == name].iloc[0]
            for t in (0.1, 0.5):
                expected = exposure.share(con, t, recipe).share_workers
                assert row[f"{t:.0%}"] == pytest.approx(100 * expected), (name, t)
    # The figures at 50%: 19.0% (>), 23.4% (>=), 24.4% (GPT-4), 18.9% (each worker once).
    assert [f"{v:.1f}" for v in strip["50%"]] == ["19.0", "23.4", "24.4", "18.9"]


def test_the_view_is_in_the_url(on_store) -> None:
    """A link with the recipe and threshold opens that view; changes are written back."""
    at = AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT)
    at.query_params.update(
        {
            "rater": "gpt4",
            "measure": "zeta",
            "compare": "ge",
            "employment": "oews-2021",
            "threshold": "30",
        }
    )
    at.run()
    at.switch_page("app/pages/exposure.py").run()
    assert not at.exception and not at.error
    assert at.selectbox(key="rater").value == "gpt4"
    assert at.selectbox(key="compare").value == "ge"
    assert at.slider(key="threshold").value == 30
    recipe = exposure.Recipe(rater="gpt4", measure="zeta", compare="ge", employment="oews-2021")
    assert metrics(at) | expected_cards(on_store.db, recipe, 0.3) == metrics(at)
    at.slider(key="threshold").set_value(45).run()
    at.selectbox(key="weighting").select("core").run()
    params = dict(at.query_params)
    assert params["threshold"] in ("45", ["45"]) and params["weighting"] in ("core", ["core"])
    # A value that is not valid is ignored, and the page still opens.
    bad = AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT)
    bad.query_params.update({"rater": "nobody", "threshold": "250"})
    bad.run()
    bad.switch_page("app/pages/exposure.py").run()
    assert not bad.exception and not bad.error
    assert bad.selectbox(key="rater").value == "human"
    assert bad.slider(key="threshold").value == 10


def test_glossary_explains_the_terms_without_markdown_damage(on_store) -> None:
    at = open_page("app/pages/exposure.py")
    assert any("Glossary" in e.label for e in at.expander)
    text = texts(at)
    for term in (
        "E0",
        "E1",
        "E2",
        "alpha",
        "beta",
        "zeta",
        "gpt4\\_alt",
        "Job Zone",
        "NEM",
        "core task",
        "supplemental task",
        "kappa",
    ):
        assert f"**{term}**" in text, term
    assert "E1 + 0.5 E2" in text and "O\\*NET" in text  # escaped, so no italics
    assert "0.5E2" not in text
    helps = [w.help for w in at.selectbox if w.help]
    assert any("E1 + 0.5 E2" in h for h in helps)


def chart_frames(at: AppTest) -> list:
    """The data behind every Altair chart on the page (Arrow tables in the Vega-Lite protos)."""
    frames = []
    for element in at.get("vega_lite_chart"):
        for dataset in element.proto.datasets:
            frames.append(pa.ipc.open_stream(dataset.data.data).read_pandas())
    return frames


# ------------------------------------------------------------------------------------ timeline


# The timeline page's own tests (layout, filters, card, URL): tests/test_dashboard_timeline.py.


NEW_RELEASE = {
    "id": "dashboard-test-model",
    "name": "Dashboard Test Model",
    "organisations": ["Test Lab"],
    "date": "2023-03-20",
    "kind": "model",
    "modalities": ["text"],
    "summary": "A release made up for the dashboard test.",
    "sources": ["https://example.org/dashboard-test-model"],
    "relations": [{"type": "fine_tuned_from", "target": "llama"}],
}


def test_an_ingested_release_appears_on_the_timeline(monkeypatch, workspace, tmp_path) -> None:
    monkeypatch.setenv(config.ENV_DB, str(workspace.db))
    monkeypatch.setenv(config.ENV_DATA_DIR, str(workspace.data_dir))
    monkeypatch.setenv(config.ENV_RAW_DIR, str(workspace.raw_dir))
    at = open_page()
    name = NEW_RELEASE["name"]
    assert not any(o.startswith(f"{name} (") for o in at.selectbox(key="release").options)

    batch = tmp_path / "new.yaml"
    batch.write_text(yaml.safe_dump([NEW_RELEASE]), encoding="utf-8")
    result = CliRunner().invoke(cli, ["ingest", "releases", str(batch)])
    assert result.exit_code == 0, result.output

    at.run()  # the same session: the store's new stamp invalidates the cached timeline
    assert not at.exception and not at.error
    assert any(o.startswith(f"{name} (Test Lab") for o in at.selectbox(key="release").options)
    at.selectbox(key="release").select(NEW_RELEASE["id"]).run()
    assert not at.exception and not at.error
    assert name in [s.value for s in at.subheader]


# ------------------------------------------------------------------------------------ explorer


def test_explorer_finds_an_occupation_and_shows_kb_figures(on_store) -> None:
    at = open_page("app/pages/explorer.py")
    at.text_input(key="occupation_search").input("software").run()
    assert not at.exception and not at.error
    assert "Software Developers (15-1252.00)" in at.selectbox(key="occupation").options
    at.selectbox(key="occupation").select("15-1252.00").run()
    with kbstore.connect(on_store.db) as con:
        detail = exposure.occupation_detail(con, "15-1252.00")
    assert [h.value for h in at.header] == [detail.title]
    shown = metrics(at)
    assert shown["Employment, OEWS May 2021"] == f"{detail.employment['oews-2021']:,.0f}"
    tasks = next(d.value for d in at.dataframe if "statement" in d.value.columns)
    assert len(tasks) == len(detail.tasks)
    assert {"human", "gpt4"} <= set(tasks.columns)
    human_beta = detail.exposure.query(
        "rater == 'human' and measure == 'beta' and weighting == 'equal'"
    )
    assert shown["Exposure (human, beta, equal)"] == f"{100 * human_beta['exposure'].iloc[0]:.1f}%"


def test_explorer_reports_no_match(on_store) -> None:
    at = open_page("app/pages/explorer.py")
    at.text_input(key="occupation_search").input("zzzz-no-such-job").run()
    assert not at.exception and not at.error
    assert "No occupation matches" in at.info[0].value


# --------------------------------------------------------------------------------------- about


def test_about_shows_kb_verify_and_the_build(on_store) -> None:
    at = open_page("app/pages/about.py")
    assert not at.exception and not at.error
    with kbstore.connect(on_store.db) as con:
        figures = verify.verify(con)
        meta = kbstore.read_meta(con)
    table = next(d.value for d in at.dataframe if "Reproduced" in d.value.columns)
    assert len(table) == len(figures)
    assert (table["Within"] == "yes").all()
    assert meta["built_at"] in texts(at)
    assert "CC BY 4.0" in texts(at) and "MIT" in texts(at)


def test_about_has_how_to_cite_the_caveats_and_no_server_path(on_store) -> None:
    at = open_page("app/pages/about.py")
    text = texts(at)
    assert "How to cite" in text
    for source in (
        "arXiv 2303.10130",
        "O\\*NET 27.2",
        "Bureau of Labor Statistics",
        "Working with AI",
        "Epoch AI",
        "models.dev",
        "Anthropic",
        "kb ",
    ):
        assert source in text, source
    # The paper recipe's over-count, from the store's own coverage figures.
    with kbstore.connect(on_store.db) as con:
        cover = exposure.coverage(con, exposure.Recipe())
    assert f"{cover.overcount:.2f}x" in text and f"{cover.overcount:.2f}" == "1.37"
    # The "How" column says the comparison in words that match it.
    table = next(d.value for d in at.dataframe if "Reproduced" in d.value.columns)
    assert any("exposure more than 50%" in how for how in table["How"])
    fifty = table[table["How"].str.contains("exposure more than 50%")].iloc[0]
    assert "more than 50%" in fifty["Figure"] and "at least" not in fifty["Figure"]
    everything = text + "\n".join(d.value.to_csv() for d in at.dataframe)
    for path in (str(on_store.db), str(on_store.db.parent), str(REPO)):
        assert path not in everything


# ------------------------------------------------------------------------------ store problems


def test_a_missing_store_is_built_on_first_start(monkeypatch, built, tmp_path) -> None:
    db = tmp_path / "fresh" / "kb.duckdb"
    monkeypatch.setenv(config.ENV_DB, str(db))
    monkeypatch.setenv(config.ENV_DATA_DIR, str(built.data_dir))
    monkeypatch.setenv(config.ENV_RAW_DIR, str(built.raw_dir))
    at = AppTest.from_file(str(DASHBOARD), default_timeout=TIMEOUT)
    at.run()
    # The build said what it was doing, with a progress bar, and no path of this machine.
    assert at.status and "Store built" in at.status[0].label
    assert str(db) not in texts(at) and str(built.raw_dir) not in texts(at)
    at.switch_page("app/pages/exposure.py").run()
    assert not at.exception and not at.error
    assert db.exists() and kbstore.status(db, built.data_dir) is None
    assert metrics(at)["Workers with more than 10% of tasks exposed"].endswith("%")


def test_a_broken_store_gives_a_readable_error(monkeypatch, built, tmp_path) -> None:
    db = tmp_path / "broken.duckdb"
    garbage = b"this is not a DuckDB file" * 100
    db.write_bytes(garbage)
    monkeypatch.setenv(config.ENV_DB, str(db))
    monkeypatch.setenv(config.ENV_DATA_DIR, str(built.data_dir))
    monkeypatch.setenv(config.ENV_RAW_DIR, str(built.raw_dir))
    at = open_page()
    assert not at.exception
    assert len(at.error) == 1
    assert f"Cannot open the store {db}" in at.error[0].value
    assert "kb build" in at.error[0].value  # what to do
    assert db.read_bytes() == garbage  # reported, not replaced behind the user's back


def test_a_store_from_another_schema_version_is_rebuilt(monkeypatch, workspace) -> None:
    monkeypatch.setenv(config.ENV_DB, str(workspace.db))
    monkeypatch.setenv(config.ENV_DATA_DIR, str(workspace.data_dir))
    monkeypatch.setenv(config.ENV_RAW_DIR, str(workspace.raw_dir))
    with kbstore.connect(workspace.db, read_only=False) as con:
        kbstore.write_meta(con, schema_version="an-old-one")
    assert kbstore.status(workspace.db, workspace.data_dir) is not None
    at = open_page("app/pages/exposure.py")
    assert not at.exception and not at.error
    assert kbstore.status(workspace.db, workspace.data_dir) is None


def test_a_locked_store_gives_a_readable_error(monkeypatch, workspace) -> None:
    """Another process writing (holding DuckDB's lock): an st.error that says what to do."""
    monkeypatch.setenv(config.ENV_DB, str(workspace.db))
    monkeypatch.setenv(config.ENV_DATA_DIR, str(workspace.data_dir))
    monkeypatch.setenv(config.ENV_RAW_DIR, str(workspace.raw_dir))
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import duckdb, sys, time; con = duckdb.connect(sys.argv[1]);"
            " print('locked', flush=True);"
            " time.sleep(60)",
            str(workspace.db),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        at = open_page()
        assert not at.exception
        assert len(at.error) == 1
        assert "locked" in at.error[0].value and "What to do" in at.error[0].value
    finally:
        holder.kill()
        holder.wait(timeout=10)


def test_agreement_under_an_oews_recipe_compares_its_units(on_store) -> None:
    """The occupation-level agreement follows the recipe: under oews-2025 it compares the
    recipe's units (OEWS codes after roll-up), not the O*NET occupations the paper counts."""
    at = open_page("app/pages/exposure.py")
    at.selectbox(key="employment").select("oews-2025").run()
    assert not at.exception and not at.error
    with kbstore.connect(on_store.db) as con:
        units = con.execute(
            "SELECT count(DISTINCT unit_code) FROM occupation_units "
            "WHERE employment_recipe = 'oews-2025' AND employment > 0"
        ).fetchone()
        agree = exposure.agreement(
            con, "beta", "occupation", ("human", "gpt4"), employment="oews-2025"
        )
    assert units is not None and agree.n == units[0]
    heading = [m.value for m in at.markdown if m.value.startswith("**Occupations**")]
    assert heading == [
        f"**Occupations** ({agree.n:,} occupations as oews-2025 counts them): "
        "exposed means beta more than 50% (equal weights)"
    ]
    shown = [m.value for m in at.metric if m.label == "Cohen's kappa"]
    assert shown[1] == f"{agree.kappa:.3f}"
