"""netmap.queries: the questions the CLI and the app share (nurture list, plan, referral paths)."""

from __future__ import annotations

import dataclasses

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from netmap import import_paths
from netmap.analysis import PLAN_STORED, live_samples, network
from netmap.network import build_graph
from netmap.network.canonical import canonical_order, relabel
from netmap.cli import sample_files
from netmap.errors import NetmapError, UnknownPerson
from netmap.network.paths import PathIndex, default_sources, sources_for_owner, targets_for_company, targets_for_stage
from netmap.network.plan import customer_ids
from netmap.network.spread import PLAN_SAMPLES, spread_arrays, sample_live_edges
from netmap.draw.index import DrawIndex
from netmap.draw.view import graph_people_table, path_graph
from netmap.queries import (
    CHART_MAX,
    NURTURE_COLUMNS,
    PATH_COLUMNS,
    PLAN_COLUMNS,
    PLAN_EXTRA_COLUMNS,
    chart_sample,
    find_paths,
    in_book,
    nurturable,
    nurture_list,
    owners,
    path_ids,
    path_index,
    plan,
    resolve_sources,
    resolve_targets,
)
from netmap.search import search_people

from .conftest import drop_database, new_database_url


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    from netmap import Store

    url = new_database_url(tmp_path_factory.mktemp("q"))
    store = Store(url)
    import_paths(store, sample_files())
    analysis, G = network(store)
    yield store, analysis, G
    store.close()
    drop_database(url)


def test_nurture_list_ranks_and_filters_by_owner_and_leaves_the_table_alone(sample):
    _, analysis, _ = sample
    people = analysis.people
    before = people.copy()
    ranking = nurture_list(people)
    assert list(ranking.columns) == NURTURE_COLUMNS and len(ranking) > 0
    assert set(ranking["action"]) <= {"amplify", "elevate", "recover", "ask"}
    assert ranking["nurture_score"].is_monotonic_decreasing and (ranking["reason"].str.len() > 0).all()
    owner = owners(people)[0]
    mine = nurture_list(people, owner=owner.upper(), top=5)
    assert 0 < len(mine) <= 5 and set(mine["owner"]) == {owner}
    with pytest.raises(NetmapError, match="no account manager 'Nobody'; owners: "):
        nurture_list(people, owner="Nobody")
    pd.testing.assert_frame_equal(people, before)


def test_nurturable_is_customers_and_people_with_feedback(sample):
    _, analysis, _ = sample
    people = analysis.people
    rows = nurturable(people)
    assert list(rows.columns) == ["person_id", "name", "feeling", "nps", "spread", "action", "on_list"]
    chosen = people.set_index("person_id").loc[rows["person_id"]]
    assert (chosen["is_customer"].astype(bool) | chosen["feeling"].ne("unknown")).all()
    assert rows["feeling"].notna().all() and set(rows["feeling"]) <= {"promoter", "passive", "detractor", "unknown"}
    assert rows["on_list"].sum() == len(nurture_list(people))
    owner = owners(people)[1]
    assert set(people.loc[in_book(people, owner), "owner"]) == {owner}
    assert set(nurturable(people, owner=owner)["person_id"]) <= set(people.loc[in_book(people, owner), "person_id"])


def test_chart_sample_keeps_the_tail_and_a_seeded_sample_of_the_rest():
    points = pd.DataFrame({"person_id": np.arange(1000) + 1, "spread": np.random.default_rng(3).random(1000) * 50})
    points.loc[7, "spread"] = float("nan")
    assert chart_sample(points, 1000) is points  # no more than the limit: every point
    assert len(chart_sample(points.head(CHART_MAX))) == min(CHART_MAX, 1000)
    got = chart_sample(points, 100)
    assert len(got) == 100 and got["person_id"].is_unique
    assert got.index.is_monotonic_increasing  # the original order
    top50 = set(points.nlargest(50, "spread")["person_id"])
    assert top50 <= set(got["person_id"])  # the tail the chart is read for, all of it
    assert (~got["person_id"].isin(top50)).sum() == 50  # and a sample of the other 950
    pd.testing.assert_frame_equal(got, chart_sample(points, 100))  # the same points every time
    assert not chart_sample(points, 100, seed=1).equals(got)
    assert len(chart_sample(points, 1)) == 1
    with pytest.raises(ValueError):
        chart_sample(points, 0)


def test_plan_is_greedy_prefix_consistent_and_respects_the_book(sample):
    _, analysis, G = sample
    ten = plan(analysis, 10)
    assert list(ten.columns) == PLAN_COLUMNS + PLAN_EXTRA_COLUMNS and len(ten) == 10
    assert ten["cumulative_spread"].is_monotonic_increasing
    # one spread figure: the first pick's is their spread on the people table
    first = analysis.people.set_index("person_id").loc[ten.loc[0, "person_id"]]
    assert ten.loc[0, "marginal_spread"] == pytest.approx(first["spread"])
    assert ten.loc[0, "action"] in ("amplify", "elevate", "recover", "ask")
    listed = nurture_list(analysis.people)
    on_list = ten.dropna(subset=["nurture_rank"])
    rank = listed.set_index("person_id")["rank"]
    assert all(rank[p] == r for p, r in zip(on_list["person_id"], on_list["nurture_rank"]))
    pd.testing.assert_frame_equal(plan(analysis, 4), ten.head(4))
    owner = owners(analysis.people)[0]
    mine = plan(analysis, 5, owner=owner)
    book = set(analysis.people.loc[in_book(analysis.people, owner), "person_id"])
    assert set(mine["person_id"]) <= book
    # an owner's plan places its picks on that owner's list (the one the page shows beside it)
    theirs = nurture_list(analysis.people, owner=owner).set_index("person_id")["rank"]
    on_theirs = mine.dropna(subset=["nurture_rank"])
    assert len(on_theirs) and all(theirs[p] == r for p, r in zip(on_theirs["person_id"], on_theirs["nurture_rank"]))
    assert all(w.startswith(f"#{r} on the list;") for w, r in zip(on_theirs["why_here"], on_theirs["nurture_rank"]))
    people = analysis.people.set_index("person_id")
    assert (mine["spread"].to_numpy() == people.loc[mine["person_id"], "spread"].to_numpy()).all()
    with pytest.raises(NetmapError, match="at least 1"):
        plan(analysis, 0)
    with pytest.raises(NetmapError, match="no account manager"):
        plan(analysis, 3, owner="Nobody")


def test_the_stored_plan_is_the_plan_computed_again_from_the_graph(sample):
    store, analysis, G = sample
    stored = plan(analysis, PLAN_STORED)
    assert len(stored) == PLAN_STORED
    # the snapshots drawn again from the stored ties are those of the canonical graph
    ds = store.load_dataset()
    canon = build_graph(relabel(ds, canonical_order(ds)))
    again = sample_live_edges(canon, PLAN_SAMPLES, analysis.seed, analysis.base_rate)
    np.testing.assert_array_equal(live_samples(analysis).labels, again.labels)
    unstored = dataclasses.replace(analysis, plan=None)
    same = ["rank", "person_id", "name", "action", "feeling", "nurture_rank"]
    from_graph = plan(unstored, PLAN_STORED, samples=again)
    pd.testing.assert_frame_equal(stored[same], from_graph[same])
    # figures measured on other snapshots than the choice's: the same quantity, within its error
    diff = (stored["marginal_spread"] - from_graph["marginal_spread"]).abs()
    assert (diff <= 5 * np.hypot(stored["marginal_se"], from_graph["marginal_se"]) + 1e-9).all()
    pd.testing.assert_frame_equal(plan(unstored, 7)[same], stored.head(7)[same])  # samples drawn from the stored ties
    more = plan(analysis, PLAN_STORED + 5)  # past the stored picks: computed, same prefix
    pd.testing.assert_frame_equal(more.head(PLAN_STORED)[same], stored[same])
    candidates = set(customer_ids(G))
    assert set(more["person_id"]) <= candidates


def test_stored_ties_are_the_graph_ties(sample):
    _, analysis, G = sample
    for mine, theirs in zip(analysis.edge_arrays(), spread_arrays(G)):
        np.testing.assert_array_equal(mine, theirs)
    ours, ref = path_index(analysis), PathIndex.from_graph(G)
    for name in ("nodes", "indptr", "indices", "strength", "cost", "detractor"):
        np.testing.assert_array_equal(getattr(ours, name), getattr(ref, name))
    assert ours.names == ref.names


def test_resolvers_name_what_is_missing(sample):
    store, analysis, G = sample
    people = analysis.people
    company = people["company"].dropna().iloc[0]
    at_company = resolve_targets(store, people, f"company:{company}")
    assert at_company == targets_for_company(G, company.upper())
    assert set(people.set_index("person_id").loc[at_company, "company"]) == {company}
    assert resolve_targets(store, people, "stage:LEAD") == targets_for_stage(G, "lead")
    assert len(resolve_targets(store, people, "stage:lead")) == (people["stage"] == "lead").sum()
    lead = people[people["stage"] == "lead"].iloc[0]
    assert resolve_targets(store, people, lead["email"]) == [lead["person_id"]]
    with pytest.raises(NetmapError, match="nobody works at 'nope'"):
        resolve_targets(store, people, "company:nope")
    with pytest.raises(NetmapError, match="nobody is at the stage 'nope'"):
        resolve_targets(store, people, "stage:nope")
    with pytest.raises(UnknownPerson):
        resolve_targets(store, people, "nobody@nowhere.test")
    assert resolve_sources(store, people, "promoters") == default_sources(G)
    assert resolve_sources(store, people, "promoters") == sorted(people.loc[people["feeling"] == "promoter", "person_id"])
    owner = owners(people)[0]
    assert resolve_sources(store, people, f"owner:{owner}") == sources_for_owner(G, owner)
    assert set(people.set_index("person_id").loc[resolve_sources(store, people, f"owner:{owner}"), "owner"]) == {owner}
    with pytest.raises(NetmapError, match="owns anyone"):
        resolve_sources(store, people, "owner:Nobody")
    bare = pd.DataFrame({"person_id": [1], "feeling": ["unknown"], "owner": [None]})
    with pytest.raises(NetmapError, match="no promoters yet.*pick someone"):
        resolve_sources(store, bare, "promoters", instead="pick someone")
    with pytest.raises(NetmapError, match="use --from WHO"):
        resolve_sources(store, bare, "promoters")


def test_find_paths_with_an_index_matches_without_and_every_path_walks_the_graph(sample):
    store, analysis, G = sample
    targets = resolve_targets(store, analysis.people, "stage:lead")
    sources = resolve_sources(store, analysis.people, "promoters")
    paths = find_paths(None, targets, sources, top=3, index=path_index(analysis))
    assert list(paths.columns) == PATH_COLUMNS and len(paths) > 0
    pd.testing.assert_frame_equal(paths, find_paths(G, targets, sources, top=3))
    for row in paths.to_dict(orient="records"):
        seq = path_ids(G, row)
        assert seq[0] == row["source_id"] and seq[-1] == row["target_id"] and len(seq) == row["hops"] + 1
        assert all(G.has_edge(a, b) for a, b in zip(seq, seq[1:]))
    with pytest.raises(NetmapError, match="at least 1"):
        find_paths(G, targets, sources, top=0)


def _chain(*names: str) -> nx.Graph:
    G = nx.Graph()
    for i, name in enumerate(names, start=1):
        G.add_node(i, name=name, feeling="unknown")
    return G


def test_path_ids_copes_with_names_that_repeat_or_contain_the_separator():
    G = _chain("Ann", "B > C", "Ann", "B", "Dee")
    G.add_edge(1, 2, strength=0.5)
    G.add_edge(2, 5, strength=0.5)
    G.add_edge(1, 4, strength=0.9)
    G.add_edge(3, 2, strength=0.4)
    row = {"source_id": 1, "target_id": 5, "hops": 2, "strength": 0.25, "path": "Ann > B > C > Dee"}
    assert path_ids(G, row) == [1, 2, 5]
    row = {"source_id": 3, "target_id": 5, "hops": 2, "strength": 0.2, "path": "Ann > B > C > Dee"}
    assert path_ids(G, row) == [3, 2, 5]
    with pytest.raises(ValueError, match="not in the graph"):
        path_ids(G, {**row, "strength": 0.9})


def test_path_graph_keeps_only_the_people_and_ties_on_the_paths(sample):
    store, analysis, G = sample
    lead = analysis.people[analysis.people["stage"] == "lead"].iloc[0]
    paths = find_paths(G, [lead["person_id"]], resolve_sources(store, analysis.people, "promoters"), top=3)
    H = path_graph(G, paths)
    on_paths = {v for row in paths.to_dict(orient="records") for v in path_ids(G, row)}
    assert set(H.nodes) == on_paths
    assert H.number_of_edges() <= sum(paths["hops"]) and all(G.has_edge(a, b) for a, b in H.edges)
    assert H.nodes[lead["person_id"]]["role"] == "target"
    assert {H.nodes[s]["role"] for s in paths["source_id"]} == {"source"}
    assert H.nodes[lead["person_id"]]["name"] == G.nodes[lead["person_id"]]["name"]
    table = graph_people_table(analysis.people)
    assert table.index.name == "person_id" and table["community"].equals(table["community_id"])
    # the app draws them from the stored arrays: same people, ties, roles and strengths, no graph of everyone
    drawable = find_paths(None, [lead["person_id"]], resolve_sources(store, analysis.people, "promoters"), top=3,
                          index=path_index(analysis), with_ids=True)
    pd.testing.assert_frame_equal(drawable[PATH_COLUMNS], paths)
    assert [ids[0] for ids in drawable["path_ids"]] == paths["source_id"].tolist()
    D = path_graph(DrawIndex.from_analysis(analysis), drawable)
    assert set(D.nodes) == set(H.nodes) and {frozenset(e) for e in D.edges} == {frozenset(e) for e in H.edges}
    assert dict(D.nodes(data="role")) == dict(H.nodes(data="role"))
    for a, b in H.edges:
        assert D[a][b]["strength"] == pytest.approx(H[a][b]["strength"]) and D[a][b]["kinds"] == H[a][b]["kinds"]
        assert D.nodes[a]["name"] == H.nodes[a]["name"]


def test_search_people_finds_by_name_email_and_company_exact_first(sample):
    _, analysis, _ = sample
    people = analysis.people
    someone = people.dropna(subset=["email"]).iloc[5]
    by_email = search_people(people, someone["email"].upper())
    assert by_email.iloc[0]["person_id"] == someone["person_id"]
    first = someone["name"].split()[0]
    hits = search_people(people, first.lower(), limit=3)
    assert 0 < len(hits) <= 3 and all(first.casefold() in " ".join(map(str, r)).casefold()
                                      for r in hits[["name", "email", "company"]].itertuples(index=False))
    assert search_people(people, "   ").empty and search_people(people, "zzzz-nobody-qq").empty
    assert search_people(people, "(.*").empty  # text, never a pattern
