"""The benchmark runs end to end at a tiny size (never a timed assertion), and
the fast paths added for it give the same answers as the plain ones."""

from __future__ import annotations

import re

import networkx as nx
import numpy as np
import pytest
from scipy.stats import rankdata

from benchmarks import bench
from netmap.network.arrays import arrays_shared, edge_arrays, sym_csr
from netmap.network.ties import _span, _spans

from .conftest import require


BROWSER_ROWS = ("overview (address)", "network graph draw", "network", "bridges", "nurture", "paths", "trends",
                "import_data",
                "overview", "profile graph draw", "profile (address)", "profile")


@pytest.mark.slow
def test_benchmark_prints_its_tables(tmp_path, capsys):
    require("Chromium", bench.browser_available() is None, str(bench.browser_available()))
    assert bench.main(["--people", "300", "--repeat", "1", "--compare-people", "300", "--workdir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert ("| people | phase | process wall s (median of 1); a page: first visit | in-process s; a page: again | "
            "peak RSS MB | target |") in out
    for phase in ("generate", "startup", "import", "measures", "nurture", "bridges", "paths person",
                  "paths company", "plan k=10", "trend", "trend again", "moved", "import tickets", "queue",
                  "import activities", "outcomes", "outcomes again",
                  *(f"page {p}" for p in bench.APP_PAGES), "page profile",
                  *(f"browser {r}" for r in BROWSER_ROWS), "server start"):
        assert f"| 300 | {phase} | " in out, phase
    assert re.search(r"\| 300 \| browser network \| [\d.]+ \| [\d.]+ \(HTML 0\.\d\d MB\) \|", out)
    assert "failed" not in out
    assert re.search(r"machine speed \(.*\): [\d.]+ s at the start, [\d.]+ s at the end", out)
    assert "| measure (300 people) | netmap s | networkx s | speed-up | agreement |" in out
    for measure in ("betweenness (exact)", "constraint + effective size", "communities (Leiden vs Louvain)",
                    "local bridges with span", "spread (IC, 200 runs)"):
        assert f"| {measure} | " in out, measure
    assert "same set True, same spans True" in out
    assert "machine: " in out and "Python " in out


def test_verdict_names_the_target():
    res = bench.PhaseResult("nurture", seconds=[0.5], peak_mb=[100.0], inproc=[0.2])
    assert bench._verdict(10_000, "nurture", res).startswith("ok")
    res = bench.PhaseResult("nurture", seconds=[1.5], peak_mb=[100.0], inproc=[0.2])
    assert bench._verdict(10_000, "nurture", res) == "MISS (≤ 1 s, ≤ 1 GB); ok in-process"
    assert bench._verdict(300, "nurture", res) == ""
    page = bench.PhaseResult("page network", seconds=[1.5], peak_mb=[900.0], inproc=[0.1])
    assert bench._verdict(100_000, "page network", page) == "ok (≤ 2 s)"
    page = bench.PhaseResult("page network", seconds=[2.5], peak_mb=[900.0], inproc=[0.1])
    assert bench._verdict(100_000, "page network", page) == "MISS (≤ 2 s) on the first visit; ok again"
    page = bench.PhaseResult("page network", seconds=[2.5], peak_mb=[900.0], inproc=[2.1])
    assert bench._verdict(100_000, "page network", page) == "MISS (≤ 2 s)"
    seen = bench.PhaseResult("browser network", seconds=[1.9], inproc=[1.2], html_mb=[1.33])
    assert bench._verdict(100_000, "browser network", seen) == "ok (≤ 2 s); HTML 1.33 MB ok (≤ 2 MB)"
    seen = bench.PhaseResult("browser overview", seconds=[1.7], inproc=[1.1], new_browser=[2.4, 2.2, 2.3])
    assert bench._verdict(100_000, "browser overview", seen) == "ok (≤ 2 s); a new browser 2.30 s"
    seen = bench.PhaseResult("browser network", seconds=[1.9], inproc=[1.2], html_mb=[2.5])
    assert bench._verdict(10_000, "browser network", seen).endswith("HTML 2.50 MB MISS (≤ 2 MB)")


@pytest.mark.parametrize("seed", range(6))
def test_span_search_in_networkit_equals_the_python_one(seed):
    G = nx.powerlaw_cluster_graph(300, 2, 0.05, seed=seed)
    G.add_edges_from(nx.cycle_graph(range(300, 330)).edges)  # long cycle: spans near and beyond the cap
    G.add_edge(0, 300)
    nodes, u, v, _ = edge_arrays(G)
    A = sym_csr(len(nodes), u, v)
    adj = [frozenset(A.indices[A.indptr[i]:A.indptr[i + 1]].tolist()) for i in range(len(nodes))]
    local = np.array([not (adj[a] & adj[b]) for a, b in zip(u.tolist(), v.tolist())])
    todo = np.flatnonzero(local)
    for max_span in (3, 8, 40):
        assert _spans(len(nodes), u, v, todo, max_span) == [_span(adj, int(u[e]), int(v[e]), max_span) for e in todo]


def test_shared_edge_arrays_are_forgotten_outside_the_block():
    G = nx.Graph()
    G.add_edge(1, 2, strength=0.5)
    with arrays_shared(G):
        first = edge_arrays(G)
        first[1][0] = 99  # callers get copies: the shared arrays cannot be spoiled
        assert edge_arrays(G)[1].tolist() == [0]
    G[1][2]["strength"] = 0.9
    assert edge_arrays(G)[3].tolist() == [0.9]


def test_a_phase_past_its_timeout_is_stopped_with_what_it_started(tmp_path):
    """A browser tour stopped by --timeout must not leave its Streamlit server behind."""
    import os
    import time
    from pathlib import Path

    pidfile = tmp_path / "grandchild.pid"
    code = ("import subprocess, sys, time; "
            "p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)']); "
            f"open({str(pidfile)!r}, 'w').write(str(p.pid)); time.sleep(120)")
    wall, _, rc, _ = bench.run_phase(["-c", code], timeout=3)
    assert rc == -9 and wall < 60
    pid = int(pidfile.read_text())
    deadline = time.time() + 10
    while time.time() < deadline:
        status = Path(f"/proc/{pid}/status")
        if not status.exists() or "\nState:\tZ" in status.read_text():  # gone, or a zombie awaiting its reaper
            break
        time.sleep(0.1)
    else:
        os.kill(pid, 9)
        pytest.fail("the phase's own child outlived the timeout")


def test_a_phase_without_figures_is_a_failed_row():
    results: dict = {}
    bench._failed(results, "browser tour", 1, "Traceback...\nTimeoutError: page never finished\n", lambda s: None)
    table = bench.format_table({10_000: list(results.values())}, 1)
    assert "| 10,000 | browser tour | failed | | | exit 1: TimeoutError: page never finished |" in table
