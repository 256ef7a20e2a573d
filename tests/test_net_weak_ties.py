"""Tests for netmap.network.ties."""

from __future__ import annotations

import json
import math
import random

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netmap.network import detect_communities, weak_ties
from netmap.network.ties import MAX_SPAN, TIE_MEASURE_COLUMNS

COLUMNS = ["a_id", "b_id", "strength", "overlap", "local_bridge", "span",
           "crosses_communities", "weakness"]


def one_community(G):
    return {node: 0 for node in G}


def nx_overlap(G, a, b):
    na, nb = set(G[a]) - {b}, set(G[b]) - {a}
    shared = len(na & nb)
    denom = (G.degree(a) - 1) + (G.degree(b) - 1) - shared
    return shared / denom if denom > 0 else 0.0


def nx_spans(G, max_span=MAX_SPAN):
    """networkx's local bridges with span, mapped to our convention."""
    out = {}
    for a, b, span in nx.local_bridges(G, with_span=True):
        key = (min(a, b), max(a, b))
        out[key] = None if math.isinf(span) or span > max_span else int(span)
    return out


def our_spans(df):
    return {(r.a_id, r.b_id): r.span for r in df.itertuples() if r.local_bridge}


def test_columns_order_and_types():
    G = nx.karate_club_graph()
    df = weak_ties(G, detect_communities(G))
    assert list(df.columns) == COLUMNS == TIE_MEASURE_COLUMNS
    assert len(df) == G.number_of_edges()
    assert (df.a_id < df.b_id).all()
    assert df.span.dtype == object
    assert df.local_bridge.dtype == bool and df.crosses_communities.dtype == bool
    # sorted by weakness desc, then a_id, b_id
    keys = list(zip(-df.weakness, df.a_id, df.b_id))
    assert keys == sorted(keys)
    # JSON and CSV friendly
    json.dumps(df.to_dict("records"))
    assert "None" not in df.to_csv(index=False)


def test_karate_overlap_and_spans_match_networkx():
    G = nx.karate_club_graph()
    for a, b, d in G.edges(data=True):
        d["strength"] = d["weight"] / 7
    df = weak_ties(G, detect_communities(G))
    for r in df.itertuples():
        assert r.overlap == pytest.approx(nx_overlap(G, r.a_id, r.b_id))
        assert r.local_bridge == (r.overlap == 0)
        assert r.strength == pytest.approx(G[r.a_id][r.b_id]["strength"])
    assert our_spans(df) == nx_spans(G)
    assert our_spans(df)[(0, 11)] is None  # 11 hangs on 0 only: networkx says inf
    assert df.loc[~df.local_bridge, "span"].isna().all()


def test_hand_made_graph_with_known_spans():
    # a 5-cycle 0-1-2-3-4-0 (every tie spans 4), a triangle 4-5-6 and a pendant 7
    G = nx.cycle_graph(5)
    G.add_edges_from([(4, 5), (5, 6), (4, 6), (6, 7)])
    df = weak_ties(G, one_community(G)).set_index(["a_id", "b_id"])
    for e in [(0, 1), (1, 2), (2, 3), (3, 4), (0, 4)]:
        assert df.loc[e, "local_bridge"] and df.loc[e, "span"] == 4
    for e in [(4, 5), (5, 6), (4, 6)]:
        assert not df.loc[e, "local_bridge"] and df.loc[e, "span"] is None
    assert df.loc[(6, 7), "local_bridge"] and df.loc[(6, 7), "span"] is None  # a bridge
    # overlap by hand: (4,5): shared 1, degrees 4 and 2 -> 1 / (3 + 1 - 1) = 1/3
    assert df.loc[(4, 5), "overlap"] == pytest.approx(1 / 3)
    # (5,6): shared {4}, degrees 2 and 3 -> 1 / (1 + 2 - 1) = 1/2
    assert df.loc[(5, 6), "overlap"] == pytest.approx(1 / 2)
    assert df.loc[(6, 7), "overlap"] == 0


def test_span_cap():
    G = nx.cycle_graph(12)  # every tie spans 11
    assert set(weak_ties(G, one_community(G)).span) == {None}
    assert set(weak_ties(G, one_community(G), max_span=11).span) == {11}
    assert set(weak_ties(G, one_community(G), max_span=10).span) == {None}
    assert set(weak_ties(G, one_community(G), max_span=30).span) == {11}


def test_weakness_formula_by_hand():
    # path 0-1-2 with a triangle 2-3-4, two communities {0, 1} and {2, 3, 4}
    G = nx.Graph()
    G.add_edge(0, 1, strength=0.2)
    G.add_edge(1, 2, strength=0.4)
    G.add_edges_from([(2, 3), (3, 4), (2, 4)], strength=0.9)
    comm = {0: 0, 1: 0, 2: 1, 3: 1, 4: 1}
    df = weak_ties(G, comm).set_index(["a_id", "b_id"])
    # (1,2): local bridge (a bridge, span None), crosses: (1-0.4)*(1-0)*(2+1+1)/4 = 0.6
    assert df.loc[(1, 2), "weakness"] == pytest.approx(0.6)
    assert df.loc[(1, 2), "crosses_communities"]
    # (0,1): local bridge, same community: 0.8 * 1 * 3/4 = 0.6
    assert df.loc[(0, 1), "weakness"] == pytest.approx(0.6)
    # (2,3): shared {4}; degrees 3, 2 -> overlap 1/(2+1-1) = 0.5; 0.1*0.5*2/4 = 0.025
    assert df.loc[(2, 3), "overlap"] == pytest.approx(0.5)
    assert df.loc[(2, 3), "weakness"] == pytest.approx(0.025)
    # (3,4): shared {2}; degrees 2, 2 -> overlap 1/(1+1-1) = 1 -> weakness 0
    assert df.loc[(3, 4), "overlap"] == 1.0 and df.loc[(3, 4), "weakness"] == 0.0
    # ties sort (0,1) before (1,2) on equal weakness
    assert list(weak_ties(G, comm).head(2)[["a_id", "b_id"]].itertuples(index=False, name=None)) == [(0, 1), (1, 2)]


def test_missing_strength_counts_as_one_and_empty_graph():
    G = nx.path_graph(3)
    df = weak_ties(G, one_community(G))
    assert (df.strength == 1.0).all() and (df.weakness == 0.0).all()
    E = nx.Graph()
    E.add_nodes_from([1, 2])
    empty = weak_ties(E, one_community(E))
    assert list(empty.columns) == COLUMNS and len(empty) == 0


def test_missing_community_raises():
    G = nx.path_graph(3)
    with pytest.raises(ValueError, match="no community for node 2"):
        weak_ties(G, {0: 0, 1: 0})


@settings(max_examples=60, deadline=None)
@given(n=st.integers(2, 40), p=st.floats(0.02, 0.4), seed=st.integers(0, 100_000))
def test_random_graphs_match_networkx(n, p, seed):
    G = nx.gnp_random_graph(n, p, seed=seed)
    df = weak_ties(G, one_community(G), max_span=n)
    assert ((df.overlap >= 0) & (df.overlap <= 1)).all()
    assert ((df.weakness >= 0) & (df.weakness <= 1)).all()
    for r in df.itertuples():
        assert r.overlap == pytest.approx(nx_overlap(G, r.a_id, r.b_id))
    assert our_spans(df) == nx_spans(G, max_span=n)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(3, 40), p=st.floats(0.05, 0.4), seed=st.integers(0, 100_000),
       order_seed=st.integers(0, 1000), offset=st.integers(0, 500))
def test_identical_under_reorder_and_relabel(n, p, seed, order_seed, offset):
    rng = random.Random(seed)
    G = nx.gnp_random_graph(n, p, seed=seed)
    for a, b in G.edges:
        G[a][b]["strength"] = rng.uniform(0.05, 1.0)
    comm = detect_communities(G, seed=0)
    df = weak_ties(G, comm)
    pd.testing.assert_frame_equal(df, weak_ties(G, comm))
    # reordered insertion
    edges = list(G.edges(data=True))
    random.Random(order_seed).shuffle(edges)
    H = nx.Graph()
    H.add_nodes_from(sorted(G.nodes, reverse=True))
    H.add_edges_from((b, a, d) for a, b, d in edges)
    pd.testing.assert_frame_equal(df, weak_ties(H, comm))
    # order-preserving relabel
    mapping = {i: offset + 2 * i for i in G}
    R = nx.relabel_nodes(G, mapping)
    df_r = weak_ties(R, {mapping[k]: v for k, v in comm.items()})
    expected = df.assign(a_id=df.a_id.map(mapping), b_id=df.b_id.map(mapping))
    pd.testing.assert_frame_equal(expected, df_r)


def test_overlap_matches_on_powerlaw_graph():
    G = nx.powerlaw_cluster_graph(800, 3, 0.3, seed=5)
    df = weak_ties(G, detect_communities(G))
    sample = df.sample(200, random_state=1)
    for r in sample.itertuples():
        assert r.overlap == pytest.approx(nx_overlap(G, r.a_id, r.b_id))
    spans = nx_spans(G)
    got = our_spans(df)
    assert got == spans
    assert np.isfinite(df.weakness).all()
