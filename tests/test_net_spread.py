"""Tests for netmap.network.spread (independent-cascade spread, 2-hop reach)."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netmap.network.spread import (
    DEFAULT_BASE_RATE,
    spread_arrays,
    calibrated_base_rate,
    edge_probability,
    estimate_spread,
    reach2,
    sample_live_edges,
    spread_measures,
)


def strengthen(G, seed=0, low=0.05):
    rng = np.random.default_rng(seed)
    for a, b in sorted(G.edges()):
        G.edges[a, b]["strength"] = float(rng.uniform(low, 1.0))
    return G


def python_ic(G, source, base_rate, runs, rng):
    """Plain Monte-Carlo independent cascade (Kempe et al. 2003) from one source."""
    total = []
    for _ in range(runs):
        active = {source}
        frontier = [source]
        while frontier:
            new = []
            for u in frontier:
                for w, d in G[u].items():
                    if w not in active and rng.random() < base_rate * d["strength"]:
                        active.add(w)
                        new.append(w)
            frontier = new
        total.append(len(active) - 1)
    total = np.array(total, dtype=float)
    return total.mean(), total.std(ddof=1) / np.sqrt(runs)


def test_edge_probability_scales_strength():
    assert edge_probability([1.0, 0.5, 0.0], 0.3).tolist() == pytest.approx([0.3, 0.15, 0.0])
    assert edge_probability([2.0, float("nan")], 0.5).tolist() == [0.5, 0.0]
    with pytest.raises(ValueError):
        edge_probability([1.0], 1.5)


def test_calibrated_rate_is_capped_and_follows_threshold():
    assert calibrated_base_rate(nx.empty_graph(3)) == DEFAULT_BASE_RATE
    star = nx.star_graph(50)  # k: one 50, fifty 1 -> <k>=100/51, <k^2>=2550/51
    for a, b in star.edges():
        star.edges[a, b]["strength"] = 0.5
    mean_k, mean_k2 = 100 / 51, 2550 / 51
    t_c = mean_k / (mean_k2 - mean_k)
    assert calibrated_base_rate(star) == pytest.approx(0.8 * t_c / 0.5)
    assert calibrated_base_rate(star) < DEFAULT_BASE_RATE


def test_certain_ties_reach_the_whole_component():
    G = nx.path_graph(4)
    for a, b in G.edges():
        G.edges[a, b]["strength"] = 1.0
    G.add_node(9)
    df, ls = spread_measures(G, samples=20, seed=3, base_rate=1.0, plan_samples=20)
    assert list(df.columns) == ["spread", "spread_se", "reach2"]
    assert df.index.name == "person_id"
    assert df.loc[[0, 1, 2, 3], "spread"].tolist() == [3.0] * 4
    assert df.loc[9, "spread"] == 0.0
    assert (df["spread_se"] == 0).all()
    assert df["reach2"].to_dict() == {0: 2, 1: 3, 2: 3, 3: 2, 9: 0}
    assert ls.labels.shape == (20, 5)
    assert "independent-cascade" in df.attrs["spread_method"]


def test_deterministic_and_independent_of_insertion_order():
    G = strengthen(nx.powerlaw_cluster_graph(300, 3, 0.2, seed=2))
    H = nx.Graph()
    H.add_nodes_from(sorted(G.nodes(), reverse=True))
    H.add_edges_from(reversed(list(G.edges(data=True))))
    a, _ = spread_measures(G, samples=50, seed=7)
    b, _ = spread_measures(G, samples=50, seed=7)
    c, _ = spread_measures(H, samples=50, seed=7)
    assert a.equals(b)
    assert a.equals(c)
    d, _ = spread_measures(G, samples=50, seed=8)
    assert not a["spread"].equals(d["spread"])


def test_percolation_matches_python_cascade_within_standard_errors():
    G = strengthen(nx.karate_club_graph(), seed=4)
    rate = 0.3  # supercritical enough on this small graph to make the test meaningful
    df, _ = spread_measures(G, samples=3000, seed=1, base_rate=rate)
    rng = np.random.default_rng(5)
    for v in (0, 5, 16, 33):
        mc, mc_se = python_ic(G, v, rate, 3000, rng)
        se = np.hypot(df.loc[v, "spread_se"], mc_se)
        assert abs(df.loc[v, "spread"] - mc) <= 4 * se + 1e-9, (v, df.loc[v, "spread"], mc, se)


def test_standard_error_is_std_over_sqrt_samples():
    G = strengthen(nx.cycle_graph(10), seed=1)
    nodes, u, v, s = spread_arrays(G)
    est = estimate_spread(nodes, u, v, s, 40, 0, 0.5)
    # the same snapshots by hand: the stream (seed, 1) drawn by the same sampler, components by networkx
    from netmap.network.spread import _LiveTies

    draw = _LiveTies(edge_probability(s, 0.5), np.random.default_rng([0, 1]))
    r, e = draw(40)
    per = []
    for snapshot in range(40):
        keep = e[r == snapshot]
        H = nx.Graph()
        H.add_nodes_from(range(len(nodes)))
        H.add_edges_from(zip(u[keep].tolist(), v[keep].tolist()))
        per.append(len(nx.node_connected_component(H, 0)) - 1)
    per = np.array(per, dtype=float)
    assert est.spread[0] == pytest.approx(per.mean())
    assert est.spread_se[0] == pytest.approx(per.std(ddof=1) / np.sqrt(40))


def test_live_ties_are_drawn_with_their_probabilities_and_independently():
    """The sampler skips dead cells geometrically and thins: each tie must still be live
    with its own probability, independently of the others and across snapshots."""
    from netmap.network.spread import _LiveTies

    p = np.array([0.0, 0.003, 0.02, 0.05, 0.11, 0.3, 0.49, 0.5, 0.51, 0.9, 1.0])
    draw = _LiveTies(p, np.random.default_rng(7))
    R = 40_000
    r, e = draw(R)
    counts = np.bincount(e, minlength=len(p))
    se = np.sqrt(p * (1 - p) / R)
    assert np.all(np.abs(counts / R - p) <= 5 * se + 1e-12), counts / R
    assert counts[0] == 0 and counts[-1] == R
    both = set(zip(r[e == 5].tolist())) & set(zip(r[e == 6].tolist()))  # ties 5 and 6 live together
    assert abs(len(both) / R - 0.3 * 0.49) <= 5 * np.sqrt(0.147 * 0.853 / R)
    assert len(set(zip(r.tolist(), e.tolist()))) == len(r)  # no cell drawn twice


def test_certain_ties_are_always_live_and_impossible_ones_never():
    G = nx.path_graph(3)
    G.edges[0, 1]["strength"], G.edges[1, 2]["strength"] = 1.0, 0.0
    est = estimate_spread(*spread_arrays(G), 50, 0, 1.0)
    assert est.spread.tolist() == [1.0, 1.0, 0.0] and (est.spread_se == 0).all()


def test_batches_change_the_draws_not_the_estimate(monkeypatch):
    import netmap.network.spread as spread_mod

    G = strengthen(nx.powerlaw_cluster_graph(120, 2, 0.2, seed=4), seed=2)
    arrays = spread_arrays(G)
    whole = estimate_spread(*arrays, 900, 3, 0.4, plans=[[0, 5, 7]])
    assert np.array_equal(whole.spread, estimate_spread(*arrays, 900, 3, 0.4).spread)  # deterministic
    monkeypatch.setattr(spread_mod, "_BATCH_CELLS", 1)  # one snapshot per batch: other draws
    one_by_one = estimate_spread(*arrays, 900, 3, 0.4, plans=[[0, 5, 7]])
    se = np.hypot(whole.spread_se, one_by_one.spread_se)
    assert np.mean(np.abs(whole.spread - one_by_one.spread) <= 4 * se + 1e-9) >= 0.99
    # a plan's first figure is its first pick's spread, in the same words
    assert whole.plans[0][0] == pytest.approx(whole.spread[0])
    assert one_by_one.plans[0][0] == pytest.approx(one_by_one.spread[0])


def test_samples_keep_component_sizes_consistent():
    G = strengthen(nx.gnm_random_graph(60, 90, seed=3))
    ls = sample_live_edges(G, samples=15, seed=0, base_rate=0.5)
    for r in range(15):
        lab = ls.labels[r]
        counts = np.bincount(lab - lab.min())
        assert all(ls.sizes[c] == counts[c - lab.min()] for c in np.unique(lab))
    assert len(np.unique(ls.labels)) == len(ls.sizes)  # ids unique across snapshots
    with pytest.raises(KeyError):
        ls.index_of([12345])
    with pytest.raises(ValueError):
        sample_live_edges(G, samples=0)


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 30), st.integers(0, 80), st.integers(0, 10_000))
def test_reach2_matches_breadth_first_search(n, m, seed):
    G = nx.gnm_random_graph(n, m, seed=seed)
    got = reach2(G)
    small = reach2(G, chunk_nnz=1)  # one row per chunk
    for v in G:
        want = len(nx.single_source_shortest_path_length(G, v, cutoff=2)) - 1
        assert got[v] == want
        assert small[v] == want
