"""`kb timeline` with its filters, `search`, `waves` and `card` through click's CliRunner, on the
session store (curated records + Epoch AI + models.dev). Expected sets come from the mirror
files read here with pandas; the store only says which release each source name became."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner
from conftest import REPO, Workspace

from kb import store
from kb.cli import cli

EPOCH = REPO.parent / "shared" / "data" / "epoch"
pytestmark = pytest.mark.skipif(not EPOCH.is_dir(), reason="no Epoch mirror beside the repo")


def _epoch() -> pd.DataFrame:
    """Notable and large-scale tables, one row per Model (notable's row first)."""
    frames = [
        pd.read_csv(EPOCH / name, dtype=str, keep_default_na=False)
        for name in ("notable_ai_models.csv", "large_scale_ai_models.csv")
    ]
    both = pd.concat(frames, ignore_index=True)
    both["Model"] = both["Model"].str.strip()
    return both.drop_duplicates("Model")


def _release_of(db: Path) -> dict[str, str]:
    with store.connect(db) as con:
        rows = con.execute(
            "SELECT source_key, release_id FROM source_records WHERE source = 'epoch'"
        ).fetchall()
    return dict(rows)


def run(built: Workspace, *args: str) -> list[dict[str, object]]:
    result = CliRunner().invoke(cli, ["timeline", *args, "--db", str(built.db), "--format", "json"])
    assert result.exit_code == 0, result.output
    rows: list[dict[str, object]] = json.loads(result.output)
    return rows


def test_window_is_in_date_order_with_each_model_once(built: Workspace) -> None:
    rows = run(built, "--since", "2023-01-01", "--until", "2023-06-30")
    days = [r["date"] for r in rows]
    assert days == sorted(days) and all("2023-01-01" <= d <= "2023-06-30" for d in days)
    ids = [r["id"] for r in rows]
    assert len(ids) == len(set(ids))
    by_id = {r["id"]: r for r in rows}
    assert by_id["gpt-4"]["sources"] == "curated, epoch, models.dev"
    assert by_id["gpt-4"]["date"] == "2023-03-14" and by_id["gpt-4"]["date_event"] == "announced"


def test_org_and_frontier_filters_match_the_epoch_table(built: Workspace) -> None:
    frame = _epoch()
    makers = frame["Organization"].str.split(",").map(lambda orgs: [o.strip() for o in orgs])
    wanted = frame[makers.map(lambda orgs: "OpenAI" in orgs) & (frame["Frontier model"] == "True")]
    release_of = _release_of(built.db)
    expected = {release_of[m] for m in wanted["Model"]}
    got = {r["id"] for r in run(built, "--org", "openai", "--frontier")}
    assert got == expected and "gpt-4" in got


def test_open_weights_and_source_filters(built: Workspace) -> None:
    frame = _epoch()
    release_of = _release_of(built.db)
    open_models = frame[frame["Open model weights?"] == "Yes"]
    expected = {release_of[m] for m in open_models["Model"]}
    got = {r["id"] for r in run(built, "--open-weights", "--source", "epoch")}
    assert expected <= got  # models.dev may mark a few more open (kept per source)
    curated_only = run(built, "--source", "curated")
    curated = {p.stem for p in (built.data_dir / "releases").glob("*.yaml")}
    assert {r["id"] for r in curated_only} <= curated
    assert all("curated" in str(r["sources"]) for r in curated_only)


def test_kind_and_limit(built: Workspace) -> None:
    papers = run(built, "--kind", "paper", "--limit", "5")
    assert len(papers) == 5 and {r["kind"] for r in papers} == {"paper"}


def test_bad_option_values_are_refused_with_the_choices(built: Workspace) -> None:
    result = CliRunner().invoke(cli, ["timeline", "--source", "wikipedia", "--db", str(built.db)])
    assert result.exit_code == 2 and "'curated', 'epoch', 'models.dev'" in result.output
    result = CliRunner().invoke(cli, ["timeline", "--since", "2023-13-01", "--db", str(built.db)])
    assert result.exit_code == 2 and "2023-13-01" in result.output


def test_search_finds_names_ids_and_organisations(built: Workspace) -> None:
    frame = _epoch()
    release_of = _release_of(built.db)
    expected = {release_of[m] for m in frame["Model"] if "llama" in m.lower()}
    got = {r["id"] for r in run(built, "search", "LLaMA")}
    assert expected <= got and "llama" in got
    anthropic = run(built, "search", "anthropic", "--since", "2023-01-01", "--until", "2023-12-31")
    assert "claude" in {r["id"] for r in anthropic}


def test_waves_find_march_2023(built: Workspace) -> None:
    waves = run(built, "waves", "--since", "2023-01-01", "--until", "2023-12-31")
    march = [w for w in waves if w["week_start"] == "2023-03-13"]
    assert len(march) == 1
    assert {"gpt-4", "claude", "alpaca", "palm-api"} <= set(str(march[0]["ids"]).split(", "))


def test_card_shows_each_source_and_the_disagreement(built: Workspace) -> None:
    card = run(built, "card", "gpt-4")
    assert isinstance(card, dict)
    dates = [(d["source"], d["value"]) for d in card["disagreements"]]
    assert ("curated", "2023-03-14") in dates and ("epoch", "2023-03-15") in dates
    assert ("models.dev", "2023-11-06") in dates
    assert {v["source"] for v in card["sources_values"]} == {"curated", "epoch", "models.dev"}
    assert {"gpt-4-0314", "gpt-4-0613"} <= {v["version_id"] for v in card["versions"]}
    text = CliRunner().invoke(cli, ["timeline", "card", "gpt-4", "--db", str(built.db)])
    assert text.exit_code == 0
    assert "where the sources disagree" in text.output
    assert "Data: Epoch AI (CC BY 4.0); models.dev (MIT); curated by kb" in text.output


def test_family_lists_the_descendants(built: Workspace) -> None:
    rows = run(built, "family", "llama")
    assert rows[0]["id"] == "llama" and rows[0]["depth"] == 0 and rows[0]["parent"] is None
    edges = {(r["parent"], r["id"]) for r in rows[1:]}
    assert ("llama", "alpaca") in edges and ("alpaca", "dolly") in edges
    result = CliRunner().invoke(cli, ["timeline", "family", "lama", "--db", str(built.db)])
    assert result.exit_code == 1 and "No release with id 'lama'" in result.output
