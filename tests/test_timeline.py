"""kb.timeline and the timeline views: chronology kept apart from lineage, lineage answers checked
against the recursive-CTE view (two independent computations), the release card."""

from __future__ import annotations

import csv
from datetime import date

import networkx as nx
import pandas as pd
import pytest
import yaml
from conftest import REPO, Workspace

from kb import build as kbbuild
from kb import store, timeline
from kb.errors import KBError

REFERENCE = REPO.parent / "shared" / "reference" / "releases_facts.csv"


@pytest.fixture(scope="module")
def curated(tmp_path_factory, built):
    """The curated timeline alone, without the living sources: the tests up to the living
    section check the hand-written records' chronology and lineage."""
    db = tmp_path_factory.mktemp("curated") / "kb.duckdb"
    steps = [s for s in kbbuild.STEPS if s.name == "release timeline"]
    kbbuild.build(db, data_dir=built.data_dir, raw_dir=built.raw_dir, steps=steps)
    return Workspace(data_dir=built.data_dir, db=db, raw_dir=built.raw_dir)


@pytest.fixture(scope="module")
def graph(curated):
    with store.connect(curated.db) as con:
        return timeline.load_graph(con)


def rows(db, sql, params=None):
    with store.connect(db) as con:
        return con.execute(sql, params or []).fetchall()


def test_every_release_is_a_node_with_its_attributes(curated, graph):
    assert graph.number_of_nodes() == rows(curated.db, "SELECT count(*) FROM releases")[0][0]
    gpt4 = graph.nodes["gpt-4"]
    assert gpt4["date"] == date(2023, 3, 14) and gpt4["kind"] == "model"
    assert gpt4["organisations"] == ["OpenAI"] and gpt4["lane"] == "OpenAI"
    assert set(timeline.NODE_ATTRIBUTES) <= set(gpt4)
    gptj = graph.nodes["gpt-j"]
    assert gptj["external"] and gptj["date"] is None and gptj["lane"] == timeline.EXTERNAL_LANE


def test_edges_are_either_chronology_or_lineage(curated, graph):
    kinds = nx.get_edge_attributes(graph, "edge_kind")
    assert set(kinds.values()) == {"chronology", "lineage"}
    dated = rows(curated.db, "SELECT count(*) FROM releases WHERE date IS NOT NULL")[0][0]
    chronology = [e for e, k in kinds.items() if k == "chronology"]
    lineage = [e for e, k in kinds.items() if k == "lineage"]
    also = [e for e in lineage if graph.edges[e]["also_chronology"]]
    assert len(chronology) + len(also) == dated - 1
    pairs = rows(curated.db, "SELECT count(DISTINCT (target_id, source_id)) FROM release_relations")
    assert len(lineage) == pairs[0][0]
    # Lineage points from parent to child: LLaMA -> Alpaca, typed.
    assert graph.edges["llama", "alpaca"]["type"] == "fine_tuned_from"


def test_toolformer_and_llama_are_chronology_only(graph):
    assert graph.edges["toolformer", "llama"]["edge_kind"] == "chronology"
    view = timeline.lineage_graph(graph)
    assert not nx.has_path(view, "toolformer", "llama") and not nx.has_path(
        view, "llama", "toolformer"
    )
    lin = timeline.lineage(graph, "toolformer")
    assert [a["id"] for a in lin["ancestors"]] == ["gpt-j"] and lin["descendants"] == []


def test_chronological_order_follows_the_reference_dates(graph):
    with REFERENCE.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    reference = sorted(row["date"] for row in rows)
    # The reference covers the 2023 wave; later curated records (2024 on) are checked elsewhere.
    # ChatGPT (2022-11-30) has had a dated record since; the reference lists it as external.
    first, last = min(reference), max(reference)
    order = [
        r
        for r in timeline.chronological(graph)
        if first <= graph.nodes[r]["date"].isoformat() <= last
    ]
    assert [graph.nodes[r]["date"].isoformat() for r in order] == reference
    assert order.index("toolformer") < order.index("llama") < order.index("visual-chatgpt")


def test_same_day_cluster_of_14_march_in_seed_order(graph):
    days = timeline.same_day(graph)
    assert days[date(2023, 3, 14)] == ["gpt-4", "palm-api", "claude", "adept-series-b"]
    assert all(len(ids) >= 2 for ids in days.values())


def test_lanes_put_each_dated_release_in_one_lane(graph):
    lanes = timeline.lanes(graph)
    assert lanes["Microsoft"] == [
        "bing-chat",
        "dynamics-365-copilot",
        "visual-chatgpt",
        "microsoft-365-copilot",
    ]
    assert lanes["Meta AI"] == ["toolformer", "llama", "segment-anything"]
    placed = [r for ids in lanes.values() for r in ids]
    assert sorted(placed) == sorted(timeline.chronological(graph))
    with_external = timeline.lanes(graph, include_external=True)
    assert "gpt-j" in with_external[timeline.EXTERNAL_LANE]


def test_lineage_of_alpaca(graph):
    lin = timeline.lineage(graph, "alpaca")
    assert {(a["id"], tuple(a["relation_path"])) for a in lin["ancestors"]} == {
        ("llama", ("fine_tuned_from",)),
        ("text-davinci-003", ("trained_on_data_from",)),
        ("self-instruct", ("method_from",)),
    }
    assert {d["id"] for d in lin["descendants"]} == {"dolly", "vicuna"}


def test_graph_lineage_agrees_with_the_recursive_cte(curated, graph):
    closure = {
        (r, a): (d, list(p))
        for r, a, d, p in rows(
            curated.db, "SELECT release_id, ancestor_id, depth, relation_path FROM lineage_closure"
        )
    }
    from_graph = {}
    for rid in graph.nodes:
        for anc in timeline.lineage(graph, rid)["ancestors"]:
            from_graph[(rid, anc["id"])] = anc["depth"]
    assert {k: v[0] for k, v in closure.items()} == from_graph
    assert closure[("dolly", "llama")] == (2, ["trained_on_data_from", "fine_tuned_from"])
    desc = {d["id"]: d["relation_path"] for d in timeline.lineage(graph, "llama")["descendants"]}
    assert desc["dolly"] == ["trained_on_data_from", "fine_tuned_from"]


def test_unknown_release_suggests_close_ids(graph):
    with pytest.raises(KBError) as info:
        timeline.lineage(graph, "gpt4")
    assert str(info.value).startswith("No release with id 'gpt4'. Did you mean 'gpt-4'")


def test_views_answer_everyday_questions(curated):
    assert rows(
        curated.db, "SELECT releases, ids FROM releases_per_day WHERE date = '2023-03-14'"
    ) == [(4, "gpt-4, palm-api, claude, adept-series-b")]
    per_org = dict(rows(curated.db, "SELECT organisation, releases FROM releases_per_organisation"))
    files = [yaml.safe_load(p.read_text()) for p in (REPO / "data" / "releases").glob("*.yaml")]
    dated = sorted((f["date"], f["id"]) for f in files if f.get("date"))
    for org in ("Microsoft", "OpenAI", "Stanford University"):
        assert per_org[org] == sum(org in f["organisations"] for f in files if f.get("date"))
    assert per_org["Microsoft"] == 4 and per_org["Stanford University"] == 2
    first = rows(curated.db, "SELECT id, date_precision FROM timeline ORDER BY position LIMIT 2")
    assert first == [(rid, "day") for _, rid in dated[:2]]


def test_release_card_of_gpt4(curated):
    with store.connect(curated.db) as con:
        card = timeline.release_card(con, "gpt-4")
    assert card["name"] == "GPT-4" and card["organisations"] == ["OpenAI"]
    assert card["sources"][0] == "https://openai.com/research/gpt-4"
    facts = {(f["subject"], f["attribute"]): f for f in card["facts"]}
    assert len(facts) == 34
    assert facts[("gpt-4-32k", "context_window")]["value"] == "32768"
    assert facts[("GPT-4", "uniform_bar_exam")]["caveat"].startswith("FLAG")
    assert card["caveats"] == sum(1 for f in card["facts"] if f["caveat"]) > 0
    assert {d["id"] for d in card["descendants"]} == {
        "bing-chat",
        "github-copilot-x",
        "microsoft-365-copilot",
        "vicuna",
    }
    assert card["ancestors"] == []


def test_release_card_of_an_external_release(curated):
    with store.connect(curated.db) as con:
        card = timeline.release_card(con, "gpt-j")
        with pytest.raises(KBError, match="No release with id 'gpt-x'"):
            timeline.release_card(con, "gpt-x")
    assert card["kind"] == "external" and card["date"] is None
    assert {d["id"] for d in card["descendants"]} == {"toolformer", "dolly"}
    assert "https://arxiv.org/abs/2302.04761" in card["sources"]


# --- the timeline at the living sources' size (kb.timeline.releases_table and friends) --------

EPOCH_NOTABLE = REPO.parent / "shared" / "data" / "epoch" / "notable_ai_models.csv"


@pytest.fixture(scope="module")
def con(built):
    with store.connect(built.db) as connection:
        yield connection


def test_releases_table_has_each_release_once_with_typed_columns(con):
    frame = timeline.releases_table(con, timeline.TimelineFilter())
    assert list(frame.columns) == list(timeline.RELEASE_COLUMNS)
    assert frame["id"].is_unique
    dated = con.execute(
        "SELECT count(*) FROM releases r LEFT JOIN release_first_dates f ON f.release_id = r.id "
        "WHERE coalesce(f.date, r.date) IS NOT NULL"
    ).fetchone()[0]
    assert len(frame) == dated
    assert list(frame["date"]) == sorted(frame["date"])
    assert frame["frontier"].dtype == bool and frame["open_weights"].dtype == bool
    gpt4 = frame.set_index("id").loc["gpt-4"]
    assert gpt4["organisations"] == "OpenAI" and gpt4["date_event"] == "announced"
    assert gpt4["sources"] == "curated, epoch, models.dev" and bool(gpt4["frontier"])
    notable = pd.read_csv(EPOCH_NOTABLE, dtype=str, keep_default_na=False).set_index("Model")
    assert gpt4["training_compute_flop"] == float(
        notable.at["GPT-4 (Mar 2023)", "Training compute (FLOP)"]
    )


def test_filter_narrows_and_refuses_unknown_sources(con):
    flt = timeline.TimelineFilter(
        since=date(2023, 3, 1), until=date(2023, 3, 31), organisations=("Meta AI",)
    )
    frame = timeline.releases_table(con, flt)
    assert len(frame) > 0
    assert all("Meta AI" in orgs for orgs in frame["organisations"])
    assert all(date(2023, 3, 1) <= d <= date(2023, 3, 31) for d in frame["date"])
    with pytest.raises(KBError, match="unknown source 'wikipedia'"):
        timeline.releases_table(con, timeline.TimelineFilter(sources=("wikipedia",)))


def test_monthly_counts_add_up_to_the_table(con):
    flt = timeline.TimelineFilter(since=date(2023, 1, 1), until=date(2023, 12, 31))
    frame = timeline.releases_table(con, flt)
    for by in ("organisation", "kind", "access"):
        counts = timeline.monthly_counts(con, flt, by)
        assert list(counts.columns) == ["month", "group", "releases"]
        assert counts["releases"].sum() == len(frame)
    march = timeline.monthly_counts(con, flt, "kind")
    march = march[march["month"] == date(2023, 3, 1)].set_index("group")["releases"]
    in_march = [d.month == 3 for d in frame["date"]]
    assert march.to_dict() == frame[in_march]["kind"].value_counts().to_dict()


def test_waves_find_the_march_2023_wave(con):
    waves = timeline.waves(con)
    weeks = {str(w) for w in waves["week_start"]}
    assert "2023-03-13" in weeks
    march = waves[waves["week_start"].astype(str) == "2023-03-13"].iloc[0]
    assert {"gpt-4", "claude", "alpaca"} <= set(march["ids"].split(", "))
    assert march["releases"] == len(march["ids"].split(", "))


def test_family_of_llama_follows_epoch_base_models(con):
    fam = timeline.family(con, "llama")
    assert fam.iloc[0]["id"] == "llama" and fam.iloc[0]["depth"] == 0
    assert {"alpaca", "vicuna"} <= set(fam["id"])
    notable = pd.read_csv(EPOCH_NOTABLE, dtype=str, keep_default_na=False)
    sizes = {"LLaMA-65B", "LLaMA-33B", "LLaMA-13B", "LLaMA-7B"}
    built_on = notable[
        notable["Base model"].map(lambda v: bool(sizes & {b.strip() for b in v.split(",")}))
    ]["Model"]
    ids = dict(con.execute("SELECT source_key, release_id FROM source_records").fetchall())
    children = set(fam[fam["parent"] == "llama"]["id"])
    assert {ids[m] for m in built_on} <= children
    with pytest.raises(KBError, match="No release with id 'lama'"):
        timeline.family(con, "lama")


def test_card_has_sources_values_disagreements_dates_and_versions(con):
    card = timeline.release_card(con, "gpt-4")
    dates = {(d["source"], d["value"]) for d in card["disagreements"]}
    assert dates >= {
        ("curated", "2023-03-14"),
        ("epoch", "2023-03-15"),
        ("models.dev", "2023-11-06"),
    }
    assert card["dates"][0]["date"] == date(2023, 3, 14)
    assert {"gpt-4-0314", "gpt-4-0613"} <= {v["version_id"] for v in card["versions"]}
    values = card["sources_values"]
    assert {"attribute", "value", "unit", "source", "as_of"} <= set(values[0])
    assert {v["source"] for v in values} == {"curated", "epoch", "models.dev"}


def test_source_credit():
    assert (
        timeline.source_credit(["models.dev", "curated", "epoch"])
        == "Data: Epoch AI (CC BY 4.0); models.dev (MIT); curated by kb"
    )
    assert timeline.source_credit(["epoch"]) == "Data: Epoch AI (CC BY 4.0)"
    with pytest.raises(KBError):
        timeline.source_credit(["wikipedia"])
