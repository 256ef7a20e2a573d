"""Tests for netmap.network.paths (warm-introduction paths)."""

from __future__ import annotations

import math
from unittest import mock

import networkx as nx
import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from netmap.errors import UnknownPerson
import netmap.network.paths as paths_module
from netmap.network.paths import (
    PATH_COLUMNS,
    PathIndex,
    default_sources,
    referral_paths,
    sources_for_owner,
    targets_for_company,
    targets_for_stage,
)


def person(G, v, feeling="passive", **kw):
    G.add_node(v, name=f"P{v}", feeling=feeling, **kw)


def diamond():
    """1 -> 4 directly (0.5) or via 2, 3 (0.9 each: 0.729)."""
    G = nx.Graph()
    for v in (1, 2, 3, 4):
        person(G, v)
    G.nodes[1]["feeling"] = "promoter"
    G.add_edge(1, 4, strength=0.5)
    G.add_edge(1, 2, strength=0.9)
    G.add_edge(2, 3, strength=0.9)
    G.add_edge(3, 4, strength=0.9)
    return G


def test_strongest_route_is_not_the_shortest():
    df = referral_paths(diamond(), [4])
    assert list(df.columns) == PATH_COLUMNS
    row = df.iloc[0].to_dict()
    assert row["path"] == "P1 > P2 > P3 > P4"
    assert row["hops"] == 3
    assert row["strength"] == pytest.approx(0.9 ** 3)
    assert (row["target_id"], row["target_name"], row["source_id"], row["source_name"]) == (4, "P4", 1, "P1")


def test_max_hops_and_min_strength_cut_offs():
    G = diamond()
    assert referral_paths(G, [4], max_hops=2).iloc[0]["path"] == "P1 > P4"
    assert referral_paths(G, [4], max_hops=None).iloc[0]["hops"] == 3
    assert referral_paths(G, [4], min_strength=0.8).empty


def test_detractor_avoided_when_an_alternative_exists():
    G = diamond()
    G.nodes[2]["feeling"] = "detractor"
    assert referral_paths(G, [4]).iloc[0]["path"] == "P1 > P4"


def test_detractor_used_when_no_alternative():
    G = diamond()
    G.nodes[2]["feeling"] = "detractor"
    G.remove_edge(1, 4)
    assert referral_paths(G, [4]).iloc[0]["path"] == "P1 > P2 > P3 > P4"


def test_detractor_free_paths_rank_first():
    G = diamond()
    G.nodes[2]["feeling"] = "detractor"
    G.remove_edge(1, 4)
    person(G, 5)
    G.add_edge(5, 4, strength=0.2)  # weak but clean
    df = referral_paths(G, [4], sources=[1, 5])
    assert df["source_id"].tolist() == [5, 1]


def test_detractor_endpoints_allowed():
    G = diamond()
    G.nodes[4]["feeling"] = "detractor"
    assert referral_paths(G, [4]).iloc[0]["path"] == "P1 > P2 > P3 > P4"


def test_source_is_never_its_own_target_and_ties_break_by_id():
    G = nx.star_graph([0, 7, 3, 5])  # hub 0
    for v in G:
        person(G, v, feeling="promoter")
    for a, b in G.edges():
        G.edges[a, b]["strength"] = 0.5
    df = referral_paths(G, [0, 5], top=5)
    assert not (df["source_id"] == df["target_id"]).any()
    assert df[df.target_id == 0]["source_id"].tolist() == [3, 5, 7]
    assert df[df.target_id == 5]["source_id"].tolist() == [0, 3, 7]  # 0.5, then 0.25 ties by id
    assert df["target_id"].drop_duplicates().tolist() == [0, 5]  # order given


def test_unknown_people_raise():
    with pytest.raises(UnknownPerson):
        referral_paths(diamond(), [99])
    with pytest.raises(UnknownPerson):
        referral_paths(diamond(), [4], sources=[98])


def test_selectors():
    G = nx.Graph()
    person(G, 1, company="ACME  GmbH", stage="lead", owner="Ola Nordmann")
    person(G, 2, company="Acme GmbH.", stage="Lead", owner="ola nordmann", feeling="promoter")
    person(G, 3, company="Acme Inc", stage="customer", owner="Kim")
    person(G, 4)
    person(G, 5, company="Acme Industries", stage="MQL")
    person(G, 6, company="Redwood Diagnostics Pte. Ltd.", stage="marketingqualifiedlead")
    # companies as identity compares them: accents, case, punctuation and legal suffixes ignored
    assert targets_for_company(G, " acme gmbh") == [1, 2, 3]
    assert targets_for_company(G, "Redwood Diagnostics") == targets_for_company(G, "redwood diagnostics pte ltd") == [6]
    assert targets_for_stage(G, "LEAD") == [1, 2]
    assert targets_for_stage(G, "marketing qualified lead") == targets_for_stage(G, "mql") == [5, 6]
    assert sources_for_owner(G, "OLA NORDMANN") == [1, 2]
    assert default_sources(G) == [2]
    assert targets_for_company(G, "") == []


def random_graph(n, m, seed, detractors=0.0):
    G = nx.gnm_random_graph(n, m, seed=seed)
    rng = np.random.default_rng(seed)
    for v in G:
        person(G, v, feeling="detractor" if rng.random() < detractors else "passive")
    for a, b in sorted(G.edges()):
        G.edges[a, b]["strength"] = float(rng.choice([0.1, 0.3, 0.5, 0.7, 1.0]))
    return G


@settings(max_examples=40, deadline=None)
@given(st.integers(2, 14), st.integers(0, 40), st.integers(0, 10_000), st.integers(1, 4))
def test_paths_are_real_strongest_and_never_above_weakest_tie(n, m, seed, max_hops):
    G = random_graph(n, m, seed)
    targets = list(range(0, n, 2))
    sources = list(range(1, n, 2))
    df = referral_paths(G, targets, sources, top=n, max_hops=max_hops, min_strength=0.0)
    for row in df.itertuples():
        ids = [int(x[1:]) for x in row.path.split(" > ")]
        assert ids[0] == row.source_id and ids[-1] == row.target_id
        assert len(set(ids)) == len(ids) == row.hops + 1 <= max_hops + 1
        ties = [G.edges[a, b]["strength"] for a, b in zip(ids, ids[1:])]
        assert row.strength == pytest.approx(math.prod(ties))
        assert row.strength <= min(ties) + 1e-12
        best = max(
            math.prod(G.edges[a, b]["strength"] for a, b in zip(p, p[1:]))
            for p in nx.all_simple_paths(G, row.source_id, row.target_id, cutoff=max_hops)
        )
        assert row.strength == pytest.approx(best)
    # every reachable pair is reported
    for t in targets:
        for s in sources:
            reachable = any(True for _ in nx.all_simple_paths(G, s, t, cutoff=max_hops))
            assert reachable == ((df.target_id == t) & (df.source_id == s)).any()


@settings(max_examples=25, deadline=None)
@given(st.integers(3, 30), st.integers(0, 80), st.integers(0, 10_000))
def test_batch_direction_does_not_change_answers(n, m, seed):
    G = random_graph(n, m, seed, detractors=0.3)
    ix = PathIndex.from_graph(G)
    few, many = [0, 1], list(range(2, n))
    # many targets, few sources: searches run from the sources
    batch = referral_paths(None, many, few, top=2, index=ix)
    single = [referral_paths(None, [t], few, top=2, index=ix) for t in many]
    rows = [r for d in single for r in d.to_dict("records")]

    def key(records):  # equally strong routes may differ in their intermediaries
        return [(r["target_id"], r["source_id"], r["hops"], round(r["strength"], 9)) for r in records]

    assert key(batch.to_dict("records")) == key(rows)


def test_deterministic_big_enough():
    G = random_graph(300, 900, 1, detractors=0.2)
    a = referral_paths(G, range(0, 300, 7), top=3)
    b = referral_paths(G, range(0, 300, 7), top=3)
    assert a.equals(b)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(10, 40), st.integers(0, 120), st.integers(0, 10_000),
    st.integers(1, 4), st.sampled_from([None, 1, 2, 4]), st.sampled_from([0.0, 0.05]),
)
# found by hypothesis: 0.5·0.7·0.5 (3 hops) and 1.0·0.7·0.5·0.5 (4 hops) are equally strong, but the one
# search per target summed their logs in another order, found the 4-hop route a hair cheaper and kept it
@example(n=33, m=76, seed=426, top=3, max_hops=None, min_strength=0.0)
def test_label_propagation_batch_equals_one_search_per_target(n, m, seed, top, max_hops, min_strength):
    G = random_graph(n, m, seed, detractors=0.3)
    ix = PathIndex.from_graph(G)
    rng = np.random.default_rng(seed)
    targets = sorted(rng.choice(n, size=9, replace=False).tolist())
    sources = sorted(rng.choice(n, size=9, replace=False).tolist())  # may overlap the targets
    kw = dict(top=top, max_hops=max_hops, min_strength=min_strength, index=ix)
    with mock.patch.object(paths_module, "PER_ROOT_MAX", 8):
        batch = referral_paths(None, targets, sources, **kw)  # 9 > PER_ROOT_MAX of both: label propagation
    single = [r for t in targets for r in referral_paths(None, [t], sources, **kw).to_dict("records")]

    def key(records):
        return [(r["target_id"], r["source_id"], r["hops"], round(r["strength"], 9)) for r in records]

    assert key(batch.to_dict("records")) == key(single)
    for row in batch.itertuples():
        ids = [int(x[1:]) for x in row.path.split(" > ")]
        assert len(set(ids)) == len(ids) and ids[0] == row.source_id and ids[-1] == row.target_id
        assert row.strength == pytest.approx(math.prod(G.edges[a, b]["strength"] for a, b in zip(ids, ids[1:])))


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 30), st.lists(st.tuples(st.integers(0, 29), st.integers(0, 29)), max_size=80), st.booleans())
def test_symmetric_csr_rows_are_sorted_whether_or_not_the_ties_come_sorted(n, pairs, presort):
    ties = sorted({(min(a, b), max(a, b)) for a, b in pairs if a != b and max(a, b) < n})
    if not presort:
        ties = ties[::-1]
    u = np.array([a for a, _ in ties], dtype=np.int64)
    v = np.array([b for _, b in ties], dtype=np.int64)
    w = np.arange(len(ties), dtype=np.float64)
    indptr, indices, weights, tie = paths_module.symmetric_csr(n, u, v, w)
    for x in range(n):
        row = indices[indptr[x]:indptr[x + 1]]
        assert list(row) == sorted({b for a, b in ties if a == x} | {a for a, b in ties if b == x})
        for y, wt, t in zip(row, weights[indptr[x]:indptr[x + 1]], tie[indptr[x]:indptr[x + 1]]):
            assert {int(u[t]), int(v[t])} == {x, int(y)} and wt == w[t]
