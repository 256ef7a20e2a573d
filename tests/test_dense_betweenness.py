"""Issue 11 point 6: the dense shape (accounts that are 15-person client teams, each a clique of
colleagues) in the synthetic company and the benchmark, and sampled betweenness on such networks:
its stated bound, its top people against exact betweenness, determinism."""

from __future__ import annotations

import re

import networkit as nk
import networkx as nx
import numpy as np
import pytest

from netmap import import_paths
from benchmarks import bench
from netmap.network import build_graph
from netmap.network.bridges import EXACT_BETWEENNESS_MAX_NODES, _betweenness
from tools.synth import generate_company, main, write_company

METHOD_RE = re.compile(r"^KADABRA sample, ±([0-9.e-]+) with (\d+)% confidence$")


def _teams(n_teams: int = 150, k: int = 15, seed: int = 1) -> nx.Graph:
    """Client teams of ``k`` colleagues (cliques) in six regions, about one tie per person
    to another team (97 % within the region), plus what real data has besides: isolated
    people, pairs and short chains (components of their own)."""
    rng = np.random.default_rng(seed)
    G = nx.Graph()
    for t in range(n_teams):
        team = range(t * k, (t + 1) * k)
        G.add_edges_from((a, b) for a in team for b in team if a < b)
    n = n_teams * k
    region = np.arange(n_teams) % 6
    for _ in range(n):
        a = int(rng.integers(n))
        same = np.flatnonzero(region == region[a // k])
        t2 = int(rng.choice(same)) if rng.random() < 0.97 else int(rng.integers(n_teams))
        b = t2 * k + int(rng.integers(k))
        if a != b:
            G.add_edge(a, b)
    G.add_nodes_from(range(n, n + 40))  # isolated people
    nx.add_path(G, range(n + 40, n + 46))  # a chain of six: its inner people have betweenness
    for i in range(20):
        G.add_edge(n + 46 + 2 * i, n + 47 + 2 * i)  # pairs
    return G


EXTRA = 86  # people _teams adds after the teams: 40 isolated, a chain of 6, 20 pairs


def _arrays(G: nx.Graph) -> tuple[int, np.ndarray, np.ndarray]:
    nodes = sorted(G)
    assert nodes == list(range(len(nodes)))
    e = np.array(sorted((min(a, b), max(a, b)) for a, b in G.edges), dtype=np.int64)
    return len(nodes), e[:, 0], e[:, 1]


def _exact(n: int, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """networkit's exact Brandes, normalised like networkx."""
    nk.setNumberOfThreads(1)
    algo = nk.centrality.Betweenness(nk.GraphFromCoo((u.astype(np.uint64), v.astype(np.uint64)), n=n),
                                     normalized=True)
    algo.run()
    return np.asarray(algo.scores())


@pytest.fixture(scope="module")
def teams():
    n, u, v = _arrays(_teams())
    return n, u, v, _exact(n, u, v)


def test_sampled_betweenness_states_its_bound_and_keeps_it(teams):
    n, u, v, exact = teams
    assert n > EXACT_BETWEENNESS_MAX_NODES  # what the measures do above 2,000 people
    for epsilon, delta in ((0.01, 0.1), (0.02, 0.2)):
        b, method = _betweenness(n, u, v, 0, EXACT_BETWEENNESS_MAX_NODES, epsilon, delta)
        m = METHOD_RE.match(method)
        assert m, method
        bound, confidence = float(m.group(1)), int(m.group(2))
        assert confidence == round(100 * (1 - delta))
        # the bound is epsilon on networkx's scale, a little wider (n/(n-2), and the diameter decoy's
        # N(N-1)/(n(n-1))), printed to two digits
        assert epsilon <= bound <= epsilon * 1.05
        assert np.abs(b - exact).max() <= bound
        assert b.min() >= 0 and b[n:].size == 0
    exact_b, method = _betweenness(n, u, v, 0, n, 0.01, 0.1)
    assert method == "exact (Brandes)"
    assert np.allclose(exact_b, exact, atol=1e-12)


def test_sampled_top_people_match_exact_ones(teams):
    """The people the bridges ranking puts first by betweenness are the exact top ones
    (seeds 0-11 of the sample all pass: 18-20 of the top 20, 47-50 of the top 50)."""
    n, u, v, exact = teams
    b, _ = _betweenness(n, u, v, 0, EXACT_BETWEENNESS_MAX_NODES, 0.01, 0.1)
    top_exact = np.argsort(-exact, kind="stable")
    top_sampled = np.argsort(-b, kind="stable")
    assert set(top_sampled[:2]) == set(top_exact[:2])  # the two top brokers (0.048, 0.046; the next 0.035)
    assert set(top_exact[:10]) <= set(top_sampled[:20])
    assert len(set(top_exact[:20]) & set(top_sampled[:20])) >= 15
    assert len(set(top_exact[:50]) & set(top_sampled[:50])) >= 40
    # people no shortest path runs through (isolated, a pair's, the chain's ends) stay at 0
    first = n - EXTRA
    zero = np.r_[first:first + 40, first + 40, first + 45, first + 46:n]
    assert (b[zero] == 0).all() and (exact[zero] == 0).all()
    assert (exact[first + 41:first + 45] > 0).all()  # the chain's inner people: tiny, sampled or not


def test_sampled_betweenness_is_deterministic_for_a_seed(teams):
    n, u, v, _ = teams
    first, m1 = _betweenness(n, u, v, 3, EXACT_BETWEENNESS_MAX_NODES, 0.01, 0.1)
    again, m2 = _betweenness(n, u, v, 3, EXACT_BETWEENNESS_MAX_NODES, 0.01, 0.1)
    assert np.array_equal(first, again) and m1 == m2
    other, _ = _betweenness(n, u, v, 4, EXACT_BETWEENNESS_MAX_NODES, 0.01, 0.1)
    assert not np.array_equal(first, other)


def test_networkit_threads_are_restored(teams):
    n, u, v, _ = teams
    nk.setNumberOfThreads(2)
    _betweenness(n, u, v, 0, EXACT_BETWEENNESS_MAX_NODES, 0.01, 0.1)
    assert nk.getMaxNumberOfThreads() == 2
    nk.setNumberOfThreads(1)


# ---- the dense shape of the synthetic company -------------------------------------------


def test_dense_company_accounts_are_client_teams_and_cliques(store, tmp_path):
    company = generate_company(600, 7, team_size=15)
    sizes = company.companies["size"].to_numpy()
    assert (sizes == 15).mean() > 0.8 and sizes.min() >= 2 and sizes.max() <= 16  # a region's last team: the rest
    assert sizes.sum() == (company.people["company_idx"] >= 0).sum()
    import_paths(store, write_company(company, tmp_path, xlsx=False))
    G = build_graph(store.load_dataset())
    # every pair of colleagues is tied (netmap ties all colleagues at a company of at most 30 people)
    colleague_pairs = int((sizes * (sizes - 1) // 2).sum())
    assert G.number_of_edges() >= colleague_pairs
    default = generate_company(600, 7)
    assert default.companies["size"].max() <= 15 and (default.companies["size"] == 15).mean() < 0.2


def test_dense_company_on_the_command_line(tmp_path, capsys):
    assert main(["--people", "400", "--team-size", "15", "--out", str(tmp_path), "--no-xlsx"]) == 0
    assert (tmp_path / "hubspot-contacts.csv").exists()
    for bad in ("1", "31"):
        with pytest.raises(SystemExit):
            main(["--people", "400", "--team-size", bad, "--out", str(tmp_path)])
    with pytest.raises(ValueError, match="team_size"):
        generate_company(300, 7, team_size=40)


# ---- the dense shape in the benchmark ----------------------------------------------------


def test_benchmark_table_has_a_dense_row_with_its_target():
    ok = bench.PhaseResult("measures", seconds=[6.5], peak_mb=[500.0], inproc=[5.5])
    slow = bench.PhaseResult("measures", seconds=[8.9], peak_mb=[500.0], inproc=[7.8])
    answer = bench.PhaseResult("nurture", seconds=[1.2], peak_mb=[170.0], inproc=[0.4])
    assert bench._verdict(20_000, "measures", ok, team_size=15) == "ok (≤ 8 s)"
    assert bench._verdict(20_000, "measures", slow, team_size=15) == "MISS (≤ 8 s); ok in-process"
    assert bench._verdict(20_000, "nurture", answer, team_size=15) == ""
    assert bench._verdict(10_000, "measures", ok).startswith("MISS")  # the default shape's own target (5 s)
    table = bench.format_table({10_000: [ok], (20_000, 15): [ok, answer]}, 1)
    assert "| 10,000 | measures | 6.50 | 5.50 | 500 | MISS (≤ 5 s, ≤ 1 GB) |" in table
    assert "| 20,000 dense (teams of 15) | measures | 6.50 | 5.50 | 500 | ok (≤ 8 s) |" in table
    assert "| 20,000 dense (teams of 15) | nurture | 1.20 | 0.40 | 170 |  |" in table


@pytest.mark.slow
def test_benchmark_runs_the_dense_shape_alone(tmp_path, capsys):
    assert bench.main(["--people", "--dense", "400", "--repeat", "1", "--compare-people", "0", "--no-app",
                       "--no-browser", "--workdir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    for phase in ("generate", "import", "measures", "nurture", "bridges", "paths person", "plan k=10"):
        assert f"| 400 dense (teams of 15) | {phase} | " in out, phase
    assert "| 400 | " not in out and "failed" not in out
    with pytest.raises(SystemExit):
        bench.main(["--people", "--repeat", "1"])  # nothing to measure
