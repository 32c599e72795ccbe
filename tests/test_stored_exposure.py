"""Stored (materialised) exposure: the rows the build and `kb ingest labels` store are the rows the
labels give, every reader sees a new rater at once, and curves() is curve() for several recipes."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from kb import build as kbbuild
from kb import exposure as ex
from kb import labels, store

KEYS = {
    "occupation": (
        "stored_occupation_exposure",
        "occupation_exposure_from_labels",
        ["rater", "measure", "weighting", "onet_code"],
    ),
    "units": (
        "stored_exposure_units",
        "exposure_units_from_labels",
        ["rater", "measure", "weighting", "employment_recipe", "unit_code"],
    ),
}


def _frames(con, level: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    stored, live, keys = KEYS[level]
    order = ", ".join(keys)
    return (
        con.execute(f"SELECT * FROM {stored} ORDER BY {order}").df(),
        con.execute(f"SELECT * FROM {live} ORDER BY {order}").df(),
    )


@pytest.mark.parametrize("level", sorted(KEYS))
def test_the_build_stores_what_the_labels_give(built, level):
    with store.connect(built.db) as con:
        stored, live = _frames(con, level)
        raters = sorted(r[0] for r in con.execute("SELECT rater FROM raters").fetchall())
    assert sorted(stored["rater"].unique()) == raters
    assert len(stored) == len(live)
    # Averages over several occupations may differ in the last bit with the summation order.
    pd.testing.assert_frame_equal(stored, live, check_dtype=False, rtol=1e-12, atol=0)


def test_views_read_the_stored_rows(built):
    with store.connect(built.db) as con:
        for view, (table, _, keys) in (
            ("occupation_exposure", KEYS["occupation"]),
            ("exposure_units", KEYS["units"]),
        ):
            order = ", ".join(keys)
            pd.testing.assert_frame_equal(
                con.execute(f"SELECT * FROM {view} ORDER BY {order}").df(),
                con.execute(f"SELECT * FROM {table} ORDER BY {order}").df(),
                check_dtype=False,  # the views' counts are HUGEINT sums, as before storing
            )


def test_curves_is_curve_for_each_recipe(built):
    recipes = [
        ex.Recipe(rater=r, measure=m, compare=c, employment=e)
        for r, m, c, e in [
            ("human", "beta", "gt", "paper"),
            ("gpt4", "alpha", "ge", "paper"),
            ("gpt4_alt", "zeta", "gt", "oews-2021"),
        ]
    ]
    with store.connect(built.db) as con:
        together = ex.curves(con, recipes, [0.0, 0.1, 0.5, 1.0])
        for recipe in recipes:
            alone = ex.curve(con, recipe, [0.0, 0.1, 0.5, 1.0])
            pd.testing.assert_frame_equal(together[recipe], alone)
            assert together[recipe].attrs["recipe"] == recipe
        headline = ex.share(con, 0.1)
    # The paper's headline (human beta, > 10%), as tests/test_exposure.py pins it.
    assert together[recipes[0]]["share_workers"].iloc[1] == headline.share_workers


def test_an_ingested_rater_is_stored_in_the_same_transaction(workspace, tmp_path: Path):
    """Ingest a copy of the GPT-4 labels: its stored rows equal GPT-4's, and a rebuild (which
    reloads data/labels/) stores them again."""
    with store.connect(workspace.db) as con:
        gpt4 = con.execute(
            "SELECT onet_code, task_id, label FROM task_labels WHERE rater = 'gpt4'"
        ).df()
    path = tmp_path / "copy.csv"
    gpt4.to_csv(path, index=False)
    labels.ingest(
        path,
        rater="gpt4_copy",
        date="2023-06-01",
        produced_by="gpt-4",
        db=workspace.db,
        data_dir=workspace.data_dir,
    )

    def stored(rater: str) -> pd.DataFrame:
        with store.connect(workspace.db) as con:
            return con.execute(
                "SELECT * EXCLUDE (rater) FROM stored_exposure_units WHERE rater = ? "
                "ORDER BY measure, weighting, employment_recipe, unit_code",
                [rater],
            ).df()

    copy = stored("gpt4_copy")
    assert len(copy) > 0
    pd.testing.assert_frame_equal(copy, stored("gpt4"))
    kbbuild.build(workspace.db, data_dir=workspace.data_dir, raw_dir=workspace.raw_dir)
    pd.testing.assert_frame_equal(stored("gpt4_copy"), stored("gpt4"))


def test_a_rater_written_by_hand_is_computed_from_its_labels(workspace):
    """Labels inserted with plain SQL have no stored rows: shares and views compute them from the
    labels, and give the same numbers as the stored rater they copy."""
    with store.connect(workspace.db, read_only=False) as con, store.transaction(con):
        con.execute("INSERT INTO raters VALUES ('by_hand', 'copy of human', 'test')")
        con.execute(
            "INSERT INTO task_labels SELECT onet_code, task_id, 'by_hand', label "
            "FROM task_labels WHERE rater = 'human'"
        )
    with store.connect(workspace.db) as con:
        assert con.execute(
            "SELECT count(*) FROM stored_exposure_units WHERE rater = 'by_hand'"
        ).fetchone() == (0,)
        by_hand = ex.share(con, 0.1, ex.Recipe(rater="by_hand"))
        human = ex.share(con, 0.1, ex.Recipe(rater="human"))
        assert by_hand.share_workers == pytest.approx(human.share_workers, abs=1e-12)
        assert by_hand.coverage == human.coverage
        top = ex.top(con, ex.Recipe(rater="by_hand"), n=5)
        pd.testing.assert_frame_equal(top, ex.top(con, ex.Recipe(rater="human"), n=5))
        in_view = con.execute(
            "SELECT count(*) FROM occupation_exposure WHERE rater = 'by_hand'"
        ).fetchone()[0]
        assert (
            in_view
            == con.execute(
                "SELECT count(*) FROM occupation_exposure WHERE rater = 'human'"
            ).fetchone()[0]
        )
