"""Tests for netmap.network.bridges."""

from __future__ import annotations

import math
import random

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netmap.network import bridge_measures, detect_communities
from netmap.network.bridges import BRIDGE_COLUMNS, BRIDGE_WEIGHTS, SEPARATES_SCALE

COLUMNS = ["degree", "strength", "betweenness", "constraint", "effective_size",
           "participation", "is_cut_vertex", "bridge_score", "separates"]


def one_community(G):
    return {node: 0 for node in G}


def weighted_karate():
    G = nx.karate_club_graph()
    for a, b, d in G.edges(data=True):
        d["strength"] = d["weight"] / 7
    return G


def assert_matches(series, expected: dict, **kw):
    for node, value in expected.items():
        if isinstance(value, float) and math.isnan(value):
            assert math.isnan(series[node]), node
        else:
            assert series[node] == pytest.approx(value, **kw), node


def test_columns_index_and_method():
    G = weighted_karate()
    df = bridge_measures(G, detect_communities(G))
    assert list(df.columns) == COLUMNS == BRIDGE_COLUMNS
    assert df.index.name == "person_id" and list(df.index) == sorted(G)
    assert df.attrs["betweenness_method"] == "exact (Brandes)"
    assert df.degree.dtype == np.int64 and df.is_cut_vertex.dtype == bool
    assert ((df.bridge_score >= 0) & (df.bridge_score <= 1)).all()


@pytest.mark.parametrize("make", [weighted_karate, nx.florentine_families_graph,
                                  nx.les_miserables_graph, lambda: nx.barbell_graph(5, 3)])
def test_exact_values_match_networkx(make):
    G = make()
    df = bridge_measures(G, detect_communities(G))
    assert_matches(df.betweenness, nx.betweenness_centrality(G), abs=1e-12)
    assert_matches(df.constraint, nx.constraint(G, weight="strength"), abs=1e-12)
    # networkx 3.6.1's all-nodes fast path of weighted effective_size divides by
    # the wrong axis (networkx PR #8906); the per-node path is the definition.
    assert_matches(df.effective_size, nx.effective_size(G, nodes=list(G), weight="strength"), abs=1e-12)
    assert_matches(df.degree, dict(G.degree()))
    assert_matches(df.strength, dict(G.degree(weight="strength")))
    assert set(df.index[df.is_cut_vertex]) == set(nx.articulation_points(G))


def test_unweighted_graph_matches_unweighted_networkx():
    G = nx.florentine_families_graph()  # no "strength": every tie weighs 1
    df = bridge_measures(G, one_community(G))
    assert_matches(df.constraint, nx.constraint(G), abs=1e-12)
    assert_matches(df.effective_size, nx.effective_size(G), abs=1e-12)


@pytest.mark.parametrize("n", [1, 2, 5, 12])
def test_star_by_hand(n):
    G = nx.star_graph(n)  # centre 0 with n leaves
    df = bridge_measures(G, one_community(G))
    # centre: p = 1/n to each leaf, no indirect paths -> c = n * (1/n)^2 = 1/n
    assert df.constraint[0] == pytest.approx(1 / n)
    assert df.effective_size[0] == pytest.approx(n)
    for leaf in range(1, n + 1):
        assert df.constraint[leaf] == pytest.approx(1.0)
        assert df.effective_size[leaf] == pytest.approx(1.0)
        assert df.betweenness[leaf] == 0
    if n >= 2:
        assert df.betweenness[0] == pytest.approx(1.0)
        assert bool(df.is_cut_vertex[0])
        # the centre: top betweenness, constraint 1/n, cuts off n - 1 leaves from the largest piece (1 leaf)
        assert df.separates[0] == n - 1
        w = BRIDGE_WEIGHTS
        expected = (w["betweenness"] + w["structural_holes"] * (1 - 1 / n)
                    + w["separates"] * (1 - math.exp(-(n - 1) / SEPARATES_SCALE)))
        assert df.bridge_score[0] == pytest.approx(expected)
        # a leaf: no betweenness, constraint 1, separates nobody, participation 0
        assert (df.bridge_score.drop(0) == 0).all()


def test_cut_vertices_on_barbell():
    G = nx.barbell_graph(5, 2)  # cliques 0-4 and 7-11 joined by path 4-5-6-7
    df = bridge_measures(G, detect_communities(G))
    assert set(df.index[df.is_cut_vertex]) == {4, 5, 6, 7}
    top = df.sort_values("bridge_score", ascending=False).index[:4]
    assert set(top) == {4, 5, 6, 7}
    # 4 leaving cuts off 4 (the clique 0-3) from the 7 on the other side; 5 cuts off 5
    assert df.separates.to_dict() == {**{v: 0 for v in G}, 4: 4, 5: 5, 6: 5, 7: 4}


def _separates_by_removal(G) -> dict:
    """Reference: remove each person and count who loses the largest remaining piece."""
    out = {}
    for x in G:
        comp = nx.node_connected_component(G, x)
        H = G.subgraph(comp - {x})
        pieces = [len(c) for c in nx.connected_components(H)]
        out[x] = len(comp) - 1 - max(pieces, default=0)
    return out


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 30), p=st.floats(0.02, 0.3), seed=st.integers(0, 100_000))
def test_separates_matches_removing_each_person(n, p, seed):
    G = nx.gnp_random_graph(n, p, seed=seed)
    df = bridge_measures(G, one_community(G))
    assert df.separates.to_dict() == _separates_by_removal(G)
    assert set(df.index[df.is_cut_vertex]) == set(nx.articulation_points(G))


def test_a_prospect_hanging_off_one_customer_is_not_a_broker():
    """The only contact of one dangling prospect (a cut vertex separating one person)
    ranks far below the person who alone joins two client clusters."""
    G = nx.Graph()
    G.add_edges_from(nx.complete_graph(range(0, 10)).edges)
    G.add_edges_from(nx.complete_graph(range(10, 20)).edges)
    G.add_edge(0, 10)  # 0 and 10 are the only link between the clusters
    G.add_edge(5, 99)  # 5 is the only contact of prospect 99
    df = bridge_measures(G, detect_communities(G))
    order = df.sort_values("bridge_score", ascending=False).index.tolist()
    assert set(order[:2]) == {0, 10}
    assert df.bridge_score[5] < 0.5 * df.bridge_score[0]
    assert df.separates[5] == 1 and df.separates[0] == 10


def test_participation_by_hand():
    # hub 0 has two ties into community A and two into community B;
    # 5 has one tie into each of A, B and C
    G = nx.Graph([(0, 1), (0, 2), (0, 3), (0, 4), (1, 2), (3, 4),
                  (5, 1), (5, 3), (5, 6), (6, 7)])
    G.add_node(9)  # isolated
    comm = {0: 0, 1: 0, 2: 0, 3: 1, 4: 1, 5: 2, 6: 2, 7: 2, 9: 3}
    df = bridge_measures(G, comm)
    # 0: ties to 1, 2 (A) and 3, 4 (B): 1 - (2/4)^2 - (2/4)^2 = 0.5
    assert df.participation[0] == pytest.approx(0.5)
    # 5: ties to 1 (A), 3 (B), 6 (C): 1 - 3 * (1/3)^2 = 2/3
    assert df.participation[5] == pytest.approx(2 / 3)
    # 7: single tie inside its own community
    assert df.participation[7] == 0
    # 2: ties to 0 and 1, both A
    assert df.participation[2] == 0
    # isolated person
    row = df.loc[9]
    assert row.degree == 0 and row.strength == 0 and row.participation == 0
    assert row.betweenness == 0 and not row.is_cut_vertex and row.bridge_score == 0
    assert math.isnan(row.constraint) and math.isnan(row.effective_size)


def test_sampled_betweenness_within_its_bound():
    G = nx.powerlaw_cluster_graph(1500, 3, 0.2, seed=11)
    comm = detect_communities(G)
    exact = nx.betweenness_centrality(G)
    df = bridge_measures(G, comm, seed=3, exact_threshold=500, epsilon=0.01, delta=0.1)
    method = df.attrs["betweenness_method"]
    assert method.startswith("KADABRA sample") and "90% confidence" in method
    bound = 0.01 * 1500 / 1498
    err = max(abs(df.betweenness[v] - exact[v]) for v in G)
    assert err <= bound
    # the rescaling (raw KADABRA is about 2x networkx's normalised scale) is right:
    # for the top person the estimate is within the bound, not off by a factor
    top = max(exact, key=exact.get)
    assert df.betweenness[top] == pytest.approx(exact[top], abs=bound)
    assert df.betweenness[top] > 0.1
    # deterministic for a seed
    pd.testing.assert_frame_equal(df, bridge_measures(G, comm, seed=3, exact_threshold=500))
    assert bridge_measures(G, comm, seed=3, exact_threshold=500).attrs == df.attrs


def test_exact_deterministic():
    G = nx.powerlaw_cluster_graph(600, 3, 0.2, seed=2)
    comm = detect_communities(G)
    pd.testing.assert_frame_equal(bridge_measures(G, comm), bridge_measures(G, comm))


def test_missing_community_raises_and_empty_graph():
    G = nx.path_graph(3)
    with pytest.raises(ValueError, match="no community for node 2"):
        bridge_measures(G, {0: 0, 1: 0})
    df = bridge_measures(nx.Graph(), {})
    assert list(df.columns) == COLUMNS and len(df) == 0 and df.index.name == "person_id"
    one = nx.Graph()
    one.add_node(5)
    df1 = bridge_measures(one, {5: 0})
    assert df1.bridge_score[5] == 0 and math.isnan(df1.constraint[5])


@settings(max_examples=40, deadline=None)
@given(n=st.integers(3, 40), p=st.floats(0.05, 0.4), seed=st.integers(0, 100_000),
       order_seed=st.integers(0, 1000), offset=st.integers(0, 500))
def test_identical_under_reorder_and_relabel(n, p, seed, order_seed, offset):
    rng = random.Random(seed)
    G = nx.gnp_random_graph(n, p, seed=seed)
    for a, b in G.edges:
        G[a][b]["strength"] = rng.uniform(0.05, 1.0)
    comm = detect_communities(G, seed=0)
    df = bridge_measures(G, comm)
    assert ((df.bridge_score >= 0) & (df.bridge_score <= 1)).all()
    assert ((df.participation >= 0) & (df.participation < 1)).all()
    assert_matches(df.constraint, nx.constraint(G, weight="strength"), abs=1e-12)
    edges = list(G.edges(data=True))
    random.Random(order_seed).shuffle(edges)
    H = nx.Graph()
    H.add_nodes_from(sorted(G.nodes, reverse=True))
    H.add_edges_from((b, a, d) for a, b, d in edges)
    pd.testing.assert_frame_equal(df, bridge_measures(H, comm))
    mapping = {i: offset + 2 * i for i in G}
    R = nx.relabel_nodes(G, mapping)
    df_r = bridge_measures(R, {mapping[k]: v for k, v in comm.items()})
    expected = df.rename(index=mapping)
    pd.testing.assert_frame_equal(expected, df_r)


def test_the_bridges_list_leaves_your_team_out():
    """A support agent tied to every requester in two client clusters is the graph's biggest
    broker, but not a bridge customer: the ranking lists the customer who joins the clusters."""
    from netmap.network.bridges import bridge_ranking

    G = nx.Graph()
    left, right = [f"l{i}" for i in range(6)], [f"r{i}" for i in range(6)]
    for side in (left, right):
        G.add_edges_from((a, b) for i, a in enumerate(side) for b in side[i + 1:])
    G.add_edges_from([("l0", "broker"), ("broker", "r0")])
    G.add_edges_from(("agent", p) for p in left + right)
    nodes = sorted(G)
    people = pd.DataFrame({
        "person_id": range(len(nodes)),
        "name": nodes,
        "stage": ["team" if p == "agent" else "customer" for p in nodes],
        "bridge_score": [nx.betweenness_centrality(G)[p] for p in nodes],
    })
    assert people.sort_values("bridge_score").iloc[-1]["name"] == "agent"  # the hub, by the numbers
    ranked = bridge_ranking(people)
    assert "agent" not in set(ranked["name"]) and len(ranked) == len(nodes) - 1
    assert ranked.iloc[0]["name"] in {"l0", "broker", "r0"}
    # without a stage column (a plain graph's table) nobody is left out
    assert len(bridge_ranking(people.drop(columns="stage"))) == len(nodes)
