"""Issue 12 end to end through the CLI: OEWS May 2025 shares, vintages side by side, what was
left out, the shift-share between 2021 and 2025, tasks then and now, the Anthropic Economic
Index beside potential exposure, and "what we knew when".

Every expected figure is computed here with plain pandas on the mirror files (test_oews's
helpers: the O*NET -> OEWS unit rules written out independently), never by kb.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from test_oews import OEWS_2021, OEWS_2025, data_file, expected_share, expected_units, read_bls

from kb.cli import cli


def run(db: Path, *args: str) -> str:
    result = CliRunner().invoke(cli, [*args, "--db", str(db)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def run_json(db: Path, *args: str) -> dict:  # type: ignore[type-arg]
    return json.loads(run(db, *args, "--format", "json"))


@pytest.fixture(scope="module")
def units_2025(raw_dir: Path) -> pd.DataFrame:
    return expected_units(raw_dir, data_file(raw_dir, "oews-2025", OEWS_2025), "human", "beta")


@pytest.fixture(scope="module")
def units_2021(raw_dir: Path) -> pd.DataFrame:
    return expected_units(raw_dir, raw_dir / OEWS_2021, "human", "beta")


def test_share_oews_2025_through_the_cli(built: object, units_2025: pd.DataFrame) -> None:
    """The 2025 headline under the oews-2021-equivalent recipe (human, beta, equal, '>')."""
    out = run_json(built.db, "exposure", "share", "--employment", "oews-2025")  # type: ignore[attr-defined]
    shares = {row["threshold"]: row for row in out["shares"]}
    for threshold in (0.1, 0.5):
        assert shares[threshold]["share_workers"] == pytest.approx(
            expected_share(units_2025, threshold), abs=1e-12
        )
    assert out["coverage"]["workers_counted"] == units_2025["employment"].sum()
    assert out["recipe"]["employment"] == "oews-2025"


def test_share_table_states_what_it_counts(built: object, units_2025: pd.DataFrame) -> None:
    text = run(built.db, "exposure", "share", "--employment", "oews-2025")  # type: ignore[attr-defined]
    assert f"counts {units_2025['employment'].sum():,.0f} workers" in text
    assert "kb exposure left-out --employment oews-2025" in text


def test_vintages_side_by_side(
    built: object, units_2021: pd.DataFrame, units_2025: pd.DataFrame
) -> None:
    out = run_json(
        built.db,  # type: ignore[attr-defined]
        "exposure", "share", "--employment", "paper,oews-2021,oews-2025",
    )  # fmt: skip
    rows = out["rows"]
    assert [(r["employment"], r["threshold"]) for r in rows] == [
        (e, t) for e in ("paper", "oews-2021", "oews-2025") for t in (0.1, 0.5)
    ]
    for row in rows:
        units = {"oews-2021": units_2021, "oews-2025": units_2025}.get(row["employment"])
        if units is not None:
            assert row["share_workers"] == pytest.approx(
                expected_share(units, row["threshold"]), abs=1e-12
            )
            assert row["workers_counted"] == units["employment"].sum()


def test_unknown_vintage_is_refused(built: object) -> None:
    result = CliRunner().invoke(
        cli,
        ["exposure", "share", "--employment", "paper,oews-2030", "--db", str(built.db)],  # type: ignore[attr-defined]
    )
    assert result.exit_code != 0
    assert "oews-2030 is not an employment recipe" in result.output


def test_left_out_lists_every_code(built: object, raw_dir: Path, units_2025: pd.DataFrame) -> None:
    out = run_json(built.db, "exposure", "left-out", "--employment", "oews-2025")  # type: ignore[attr-defined]
    rows = pd.DataFrame(out["left_out"])
    bls = read_bls(data_file(raw_dir, "oews-2025", OEWS_2025))
    detailed = bls[bls["O_GROUP"] == "detailed"]
    unreached = detailed[~detailed["OCC_CODE"].isin(units_2025["unit"])]
    oews_side = rows[rows["side"] == "oews"]
    assert set(oews_side["code"]) == set(unreached["OCC_CODE"])
    assert oews_side["employment"].sum() == unreached["emp"].sum()
    assert rows["why"].notna().all()


def test_shift_share_sums_to_the_headline_change(
    built: object, units_2021: pd.DataFrame, units_2025: pd.DataFrame
) -> None:
    for threshold in (0.1, 0.5):
        out = run_json(
            built.db,
            "exposure",
            "shift-share",
            "--threshold",
            str(threshold),  # type: ignore[attr-defined]
        )
        change = expected_share(units_2025, threshold) - expected_share(units_2021, threshold)
        effects = pd.DataFrame(out["units"])
        assert effects["total_effect"].sum() == pytest.approx(change, abs=1e-12)
        assert out["totals"]["change"] == pytest.approx(change, abs=1e-12)
        # One unit's employment effect, by hand: its change in weight if it is exposed.
        start = units_2021.set_index("unit")
        end = units_2025.set_index("unit")
        code = "43-4051"  # customer service representatives: above both thresholds
        expected = (end.loc[code, "employment"] / end["employment"].sum()) - (
            start.loc[code, "employment"] / start["employment"].sum()
        )
        assert start.loc[code, "exposure"] > threshold
        row = effects.set_index("unit_code").loc[code]
        assert row["employment_effect"] == pytest.approx(expected, abs=1e-12)


def test_tasks_then_and_now(built: object, raw_dir: Path) -> None:
    out = run_json(built.db, "exposure", "tasks")  # type: ignore[attr-defined]
    counts = {row["status"]: row["tasks"] for row in out}
    labelled = pd.read_csv(raw_dir / "full_labelset.tsv", sep="\t", dtype=str)
    assert counts["kept_id"] + counts["kept_statement"] + counts["dropped"] == len(labelled)
    current = pd.read_excel(
        data_file(raw_dir, "onet-29.3", "Task Statements.xlsx"),
        dtype={"Task ID": str},
        engine="openpyxl",
    )
    task_ids = labelled["Task ID"].str.replace(".0", "", regex=False)
    ids = set(zip(labelled["O*NET-SOC Code"], task_ids, strict=True))
    kept_by_id = sum(
        (code, task) in ids
        for code, task in zip(current["O*NET-SOC Code"], current["Task ID"], strict=True)
    )
    assert counts["kept_id"] == kept_by_id


def plain(text: str) -> str:
    """Statements compared case- and punctuation-blind (written here, not kb's normaliser)."""
    return " ".join(re.sub(r"[^\w\s]", " ", str(text).lower()).split())


@pytest.fixture(scope="module")
def aei_pairs(raw_dir: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    usage = pd.read_csv(data_file(raw_dir, "aei-2025-02-10", "onet_task_mappings.csv"))
    usage["key"] = usage["task_name"].map(plain)
    labels = pd.read_csv(raw_dir / "full_labelset.tsv", sep="\t", dtype=str)
    labels["key"] = labels["Task"].map(plain)
    pairs = usage.merge(labels[["O*NET-SOC Code", "key"]], on="key")
    pairs["split"] = pairs["pct"] / pairs.groupby("task_name")["key"].transform("size")
    return usage, pairs


def test_claude_usage_match_rate_and_occupations(
    built: object, aei_pairs: tuple[pd.DataFrame, pd.DataFrame]
) -> None:
    usage, pairs = aei_pairs
    out = run_json(built.db, "usage", "claude")  # type: ignore[attr-defined]
    matched = usage["task_name"].isin(pairs["task_name"])
    assert out["match"]["statements"] == len(usage)
    assert out["match"]["match_rate"] == pytest.approx(matched.mean(), abs=1e-12)
    assert out["match"]["pct_matched"] == pytest.approx(usage.loc[matched, "pct"].sum())
    by_code = pd.DataFrame(out["occupations"]).set_index("onet_code")
    expected = pairs.groupby("O*NET-SOC Code")["split"].sum()
    for code in ("15-1251.00", "15-1253.00", "27-3042.00", "43-4051.00"):
        assert by_code.loc[code, "usage_share"] == pytest.approx(expected[code], abs=1e-9)
    # Employment of the unit (oews-2025) for a detailed code is the BLS figure itself.
    assert by_code.loc["15-1251.00", "employment"] > 0


def test_claude_usage_by_label(built: object, raw_dir: Path, aei_pairs: tuple) -> None:  # type: ignore[type-arg]
    _, pairs = aei_pairs
    labels = pd.read_csv(raw_dir / "full_labelset.tsv", sep="\t", dtype=str)
    labels["key"] = labels["Task"].map(plain)
    joined = pairs.merge(
        labels[["O*NET-SOC Code", "key", "human_exposure_agg"]], on=["O*NET-SOC Code", "key"]
    ).drop_duplicates(["task_name", "O*NET-SOC Code", "key"])
    by_label = joined.groupby("human_exposure_agg")["split"].sum()
    out = pd.DataFrame(run_json(built.db, "usage", "by-label"))  # type: ignore[attr-defined]
    human = out[out["rater"] == "human"].set_index("label")
    for label in ("E0", "E1", "E2"):
        assert human.loc[label, "share_of_matched"] == pytest.approx(
            by_label[label] / by_label.sum(), abs=1e-6
        )


def test_correlations_name_both_observed_sources(built: object) -> None:
    out = pd.DataFrame(run_json(built.db, "usage", "correlations"))  # type: ignore[attr-defined]
    assert len(out) == 2
    assert out["rho"].between(-1, 1).all()
    assert out.loc[0, "n"] == 923


def test_knew_when_places_each_source_at_its_own_date(built: object) -> None:
    rows = pd.DataFrame(run_json(built.db, "knew-when"))  # type: ignore[attr-defined]
    dates = rows.groupby("measure")["date"].first()
    assert dates["human"] == "2023-03-17"
    assert dates["ai_applicability"] == "2024-09-30"  # not Bing Chat's launch (2023-02-07)
    assert dates["claude_usage_share"] == "2025-01-31"
    release = rows.groupby("measure")["release_id"].first()
    assert release["claude_usage_share"] == "claude-3.5-sonnet"
    after = pd.DataFrame(run_json(built.db, "knew-when", "--after", "human"))  # type: ignore[attr-defined]
    assert (pd.to_datetime(after["date"]) > pd.Timestamp("2023-03-17")).all()
    assert "claude-3.5-sonnet" in set(after["id"])
