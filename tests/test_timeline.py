"""kb.timeline and the timeline views: chronology kept apart from lineage, lineage answers checked
against the recursive-CTE view (two independent computations), the release card."""

from __future__ import annotations

import csv
from datetime import date

import networkx as nx
import pytest
from conftest import REPO

from kb import store, timeline
from kb.errors import KBError

REFERENCE = REPO.parent / "shared" / "reference" / "releases_facts.csv"


@pytest.fixture(scope="module")
def graph(built):
    with store.connect(built.db) as con:
        return timeline.load_graph(con)


def rows(db, sql, params=None):
    with store.connect(db) as con:
        return con.execute(sql, params or []).fetchall()


def test_every_release_is_a_node_with_its_attributes(built, graph):
    assert graph.number_of_nodes() == rows(built.db, "SELECT count(*) FROM releases")[0][0]
    gpt4 = graph.nodes["gpt-4"]
    assert gpt4["date"] == date(2023, 3, 14) and gpt4["kind"] == "model"
    assert gpt4["organisations"] == ["OpenAI"] and gpt4["lane"] == "OpenAI"
    assert set(timeline.NODE_ATTRIBUTES) <= set(gpt4)
    gptj = graph.nodes["gpt-j"]
    assert gptj["external"] and gptj["date"] is None and gptj["lane"] == timeline.EXTERNAL_LANE


def test_edges_are_either_chronology_or_lineage(built, graph):
    kinds = nx.get_edge_attributes(graph, "edge_kind")
    assert set(kinds.values()) == {"chronology", "lineage"}
    dated = rows(built.db, "SELECT count(*) FROM releases WHERE date IS NOT NULL")[0][0]
    chronology = [e for e, k in kinds.items() if k == "chronology"]
    lineage = [e for e, k in kinds.items() if k == "lineage"]
    also = [e for e in lineage if graph.edges[e]["also_chronology"]]
    assert len(chronology) + len(also) == dated - 1
    pairs = rows(built.db, "SELECT count(DISTINCT (target_id, source_id)) FROM release_relations")
    assert len(lineage) == pairs[0][0]
    # Lineage points from parent to child: LLaMA -> Alpaca, typed.
    assert graph.edges["llama", "alpaca"]["type"] == "fine_tuned_from"


def test_toolformer_and_llama_are_chronology_only(graph):
    assert graph.edges["toolformer", "llama"]["edge_kind"] == "chronology"
    view = timeline.lineage_graph(graph)
    assert not nx.has_path(view, "toolformer", "llama") and not nx.has_path(view, "llama", "toolformer")
    lin = timeline.lineage(graph, "toolformer")
    assert [a["id"] for a in lin["ancestors"]] == ["gpt-j"] and lin["descendants"] == []


def test_chronological_order_follows_the_reference_dates(graph):
    with REFERENCE.open(newline="") as fh:
        reference = sorted(row["date"] for row in csv.DictReader(fh))
    order = timeline.chronological(graph)
    assert [graph.nodes[r]["date"].isoformat() for r in order] == reference
    assert order.index("toolformer") < order.index("llama") < order.index("visual-chatgpt")


def test_same_day_cluster_of_14_march_in_seed_order(graph):
    days = timeline.same_day(graph)
    assert days[date(2023, 3, 14)] == ["gpt-4", "palm-api", "claude", "adept-series-b"]
    assert all(len(ids) >= 2 for ids in days.values())


def test_lanes_put_each_dated_release_in_one_lane(graph):
    lanes = timeline.lanes(graph)
    assert lanes["Microsoft"] == ["bing-chat", "dynamics-365-copilot", "visual-chatgpt",
                                  "microsoft-365-copilot"]
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


def test_graph_lineage_agrees_with_the_recursive_cte(built, graph):
    closure = {(r, a): (d, list(p)) for r, a, d, p in rows(
        built.db, "SELECT release_id, ancestor_id, depth, relation_path FROM lineage_closure")}
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


def test_views_answer_everyday_questions(built):
    assert rows(built.db, "SELECT releases, ids FROM releases_per_day WHERE date = '2023-03-14'") == [
        (4, "gpt-4, palm-api, claude, adept-series-b")]
    per_org = {o: n for o, n in rows(built.db, "SELECT organisation, releases FROM releases_per_organisation")}
    assert per_org["Microsoft"] == 4 and per_org["OpenAI"] == 3 and per_org["Stanford University"] == 2
    first = rows(built.db, "SELECT id, date_precision FROM timeline ORDER BY position LIMIT 2")
    assert first == [("bing-chat", "day"), ("toolformer", "day")]


def test_release_card_of_gpt4(built):
    with store.connect(built.db) as con:
        card = timeline.release_card(con, "gpt-4")
    assert card["name"] == "GPT-4" and card["organisations"] == ["OpenAI"]
    assert card["sources"][0] == "https://openai.com/research/gpt-4"
    facts = {(f["subject"], f["attribute"]): f for f in card["facts"]}
    assert len(facts) == 34
    assert facts[("gpt-4-32k", "context_window")]["value"] == "32768"
    assert facts[("GPT-4", "uniform_bar_exam")]["caveat"].startswith("FLAG")
    assert card["caveats"] == sum(1 for f in card["facts"] if f["caveat"]) > 0
    assert {d["id"] for d in card["descendants"]} == {
        "bing-chat", "github-copilot-x", "microsoft-365-copilot", "vicuna"}
    assert card["ancestors"] == []


def test_release_card_of_an_external_release(built):
    with store.connect(built.db) as con:
        card = timeline.release_card(con, "gpt-j")
        with pytest.raises(KBError, match="No release with id 'gpt-x'"):
            timeline.release_card(con, "gpt-x")
    assert card["kind"] == "external" and card["date"] is None
    assert {d["id"] for d in card["descendants"]} == {"toolformer", "dolly"}
    assert "https://arxiv.org/abs/2302.04761" in card["sources"]
