"""Bridge customers: people who connect parts of the network that would not meet.

Four classic views of brokerage, then one score:

* **Betweenness** (Freeman 1977; Brandes 2001, "A faster algorithm for
  betweenness centrality", *J. Math. Sociol.* 25:163): the share of shortest
  paths between other people that run through a person. Unweighted -- a path
  is a chain of acquaintances however strong -- and normalised like networkx
  (``normalized=True``). Exact (Brandes, networkit) up to
  :data:`EXACT_BETWEENNESS_MAX_NODES` people, above that estimated with
  KADABRA (Borassi & Natale 2016, "KADABRA is an ADaptive Algorithm for
  Betweenness via Random Approximation", ESA 2016; in the sampling framework
  of Riondato & Upfal 2018), which guarantees that *every* score is within
  ``epsilon`` of the truth with probability ``1 - delta``.
* **Burt's constraint and effective size** (Burt 1992, *Structural Holes*):
  a person whose contacts all know each other is *constrained*; one whose
  contacts are strangers to each other spans structural holes. Weighted by
  tie strength (``weight="strength"``), identical to networkx's
  ``constraint(G, weight="strength")`` and
  ``effective_size(G, weight="strength")``, but computed with sparse products
  on the ties only (networkx's ``effective_size`` builds a dense n x n matrix).
* **Participation coefficient** (Guimerà & Amaral 2005, "Functional
  cartography of complex metabolic networks", *Nature* 433:895):
  ``P_i = 1 - Σ_s (k_is / k_i)²`` over communities ``s`` -- 0 when all of a
  person's ties stay in one community, towards 1 when they are spread evenly.
* **Cut vertices** (articulation points): removing the person disconnects part
  of the network.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd
import scipy.sparse as sp

from netmap.network.graph import _edge_arrays, _masked_product, _sym_csr

__all__ = [
    "bridge_measures",
    "BRIDGE_COLUMNS",
    "EXACT_BETWEENNESS_MAX_NODES",
    "BETWEENNESS_EPSILON",
    "BETWEENNESS_DELTA",
    "CUT_VERTEX_BONUS",
]

BRIDGE_COLUMNS = [
    "degree",
    "strength",
    "betweenness",
    "constraint",
    "effective_size",
    "participation",
    "is_cut_vertex",
    "bridge_score",
]

#: Largest network (people) whose betweenness is computed exactly. Exact
#: Brandes costs O(n·m): about 0.85 s at 2,000 people with 8,000 ties here,
#: 19 s at 10,000 people.
EXACT_BETWEENNESS_MAX_NODES = 2_000
#: KADABRA's additive error on (networkx-normalised) betweenness ...
BETWEENNESS_EPSILON = 0.01
#: ... guaranteed for all people at once with probability 1 - delta.
BETWEENNESS_DELTA = 0.1
#: Share of the bridge score given by being a cut vertex.
CUT_VERTEX_BONUS = 0.2

# networkit's seed and thread count are process-global.
_NETWORKIT_LOCK = threading.Lock()


def bridge_measures(
    G: nx.Graph,
    communities: Mapping[int, int],
    seed: int = 0,
    exact_threshold: int = EXACT_BETWEENNESS_MAX_NODES,
    *,
    epsilon: float = BETWEENNESS_EPSILON,
    delta: float = BETWEENNESS_DELTA,
) -> pd.DataFrame:
    """Brokerage measures of every person, and one bridge score.

    Parameters
    ----------
    G : networkx.Graph
        The network (edge attribute ``strength``; missing = 1).
    communities : Mapping[int, int]
        Community id of every node (:func:`detect_communities`).
    seed : int
        Seed of the betweenness sample (used above ``exact_threshold``).
    exact_threshold : int
        Exact betweenness up to this many people, sampled above.
    epsilon, delta : float
        Sampled betweenness is within ``± epsilon·n/(n-2)`` of the exact value
        for every person at once, with probability at least ``1 - delta``.

    Returns
    -------
    pandas.DataFrame
        Indexed by ``person_id`` (sorted), columns exactly:

        * ``degree`` (int) -- number of ties;
        * ``strength`` (float) -- sum of tie strengths (weighted degree);
        * ``betweenness`` (float in [0, 1]) -- unweighted, normalised as
          networkx ``betweenness_centrality(G, normalized=True)``;
        * ``constraint`` (float) -- Burt's constraint with
          ``weight="strength"``; NaN for people without ties (as networkx);
        * ``effective_size`` (float) -- Burt's effective size with
          ``weight="strength"``; NaN for people without ties (as networkx);
        * ``participation`` (float in [0, 1)) -- Guimerà-Amaral participation
          coefficient over unweighted ties; 0 without ties;
        * ``is_cut_vertex`` (bool) -- articulation point;
        * ``bridge_score`` (float in [0, 1]) -- see Notes.

        ``df.attrs["betweenness_method"]`` says how betweenness was obtained,
        e.g. ``"exact (Brandes)"`` or ``"KADABRA sample, ±0.01 with 90%
        confidence"``.

    Notes
    -----
    The bridge score ranks people by the three continuous views and adds a
    bonus for cut vertices::

        bridge_score = 0.8 * (r(betweenness) + r(-constraint) + r(participation)) / 3
                       + 0.2 * is_cut_vertex

    where ``r(x)_i = #{j : x_j < x_i} / (n - 1)`` is the share of the *other*
    people strictly below person ``i`` (the lowest value gets 0, a unique
    highest gets 1; values are rounded to 12 decimals first, so floating-point
    noise does not split ties). Low constraint ranks high; people without
    ties have NaN constraint and rank lowest. Ranks rather than raw values
    make the three measures comparable whatever their scales. Deterministic.
    """
    nodes, u, v, w = _edge_arrays(G)
    n = len(nodes)
    missing = [node for node in nodes if node not in communities]
    if missing:
        raise ValueError(f"no community for node {missing[0]!r} ({len(missing)} nodes missing)")
    index = pd.Index(nodes, name="person_id")
    if n == 0:
        df = pd.DataFrame({c: pd.Series(dtype=float) for c in BRIDGE_COLUMNS}, index=index)
        df.attrs["betweenness_method"] = "exact (Brandes)"
        return df

    A = _sym_csr(n, u, v)
    W = _sym_csr(n, u, v, w)
    degree = np.diff(A.indptr).astype(np.int64)
    strength = np.asarray(W.sum(axis=1)).ravel()

    betweenness, method = _betweenness(n, u, v, seed, exact_threshold, epsilon, delta)
    constraint, effective_size = _structural_holes(A, W)
    comm = np.array([communities[node] for node in nodes])
    participation = _participation(A, comm)
    cut = np.zeros(n, dtype=bool)
    if len(u):
        g = ig.Graph(n=n, edges=list(zip(u.tolist(), v.tolist())))
        cut[g.articulation_points()] = True

    r_b = _rank_share(betweenness)
    r_c = _rank_share(-np.where(np.isnan(constraint), np.inf, constraint))
    r_p = _rank_share(participation)
    score = (1.0 - CUT_VERTEX_BONUS) * (r_b + r_c + r_p) / 3.0 + CUT_VERTEX_BONUS * cut
    score = np.clip(score, 0.0, 1.0)

    df = pd.DataFrame(
        {
            "degree": degree,
            "strength": strength,
            "betweenness": betweenness,
            "constraint": constraint,
            "effective_size": effective_size,
            "participation": participation,
            "is_cut_vertex": cut,
            "bridge_score": score,
        },
        index=index,
        columns=BRIDGE_COLUMNS,
    )
    df.attrs["betweenness_method"] = method
    return df


def _rank_share(x: np.ndarray) -> np.ndarray:
    """Share of the other entries strictly below each entry (0 when n <= 1)."""
    n = len(x)
    if n <= 1:
        return np.zeros(n)
    x = np.round(np.asarray(x, dtype=np.float64), 12)
    x = np.where(np.isnan(x), -np.inf, x)
    below = np.searchsorted(np.sort(x), x, side="left")  # scipy's rankdata(x, "min") - 1
    return below / (n - 1)


def _betweenness(
    n: int,
    u: np.ndarray,
    v: np.ndarray,
    seed: int,
    exact_threshold: int,
    epsilon: float,
    delta: float,
) -> tuple[np.ndarray, str]:
    """Normalised unweighted betweenness (networkx scale) and how it was got.

    Both run on ONE networkit thread, so results are identical run after run:
    exact Brandes then always sums in the same order, and KADABRA (in its
    ``deterministic`` mode, with a fixed seed) cannot race -- with two threads
    its convergence check raced with the samplers and about one run in 30
    differed. One thread cost no time here (10.8 s at 100,000 people either
    way on this 2-core machine). KADABRA estimates, for each node,
    the fraction ``b'`` of random ordered pairs (s, t) whose random shortest
    path passes through it, ``b' = b·(n-2)/n`` with ``b`` the networkx
    normalised betweenness, and its undirected output is ``2·b'`` (checked
    against the C++ source and against exact values); so
    ``b = raw/2 · n/(n-2)`` and its error bound is ``epsilon·n/(n-2)``.
    """
    if n <= 2 or len(u) == 0:
        return np.zeros(n), "exact (Brandes)"
    import networkit as nk  # imported here: it takes 0.3 s, and only the measures need it

    Gk = nk.GraphFromCoo((u.astype(np.uint64), v.astype(np.uint64)), n=n)
    with _NETWORKIT_LOCK:
        threads = nk.getMaxNumberOfThreads()
        try:
            nk.setNumberOfThreads(1)
            if n <= exact_threshold:
                algo = nk.centrality.Betweenness(Gk, normalized=True)
                algo.run()
                return np.asarray(algo.scores(), dtype=np.float64), "exact (Brandes)"
            nk.engineering.setSeed(int(seed), False)
            algo = nk.centrality.KadabraBetweenness(Gk, epsilon, delta, True)
            algo.run()
        finally:
            nk.setNumberOfThreads(threads)
    scale = n / (n - 2)
    raw = np.asarray(algo.scores(), dtype=np.float64)
    bound = epsilon * scale
    method = (
        f"KADABRA sample, ±{bound:.2g} with {100 * (1 - delta):.0f}% confidence"
    )
    return np.clip(raw / 2.0 * scale, 0.0, 1.0), method


def _structural_holes(A: sp.csr_array, W: sp.csr_array) -> tuple[np.ndarray, np.ndarray]:
    """Burt's constraint and effective size, weighted, exactly as networkx.

    With ``p_ij = w_ij / Σ_k w_ik`` (proportional tie strength) and
    ``m_ij = w_ij / max_k w_ik``:

    * constraint ``c_i = Σ_{j ∈ N(i)} (p_ij + Σ_q p_iq p_qj)²``;
    * effective size ``E_i = Σ_{j ∈ N(i)} (1 - Σ_q p_iq m_jq)``.

    The inner sums are the products ``P @ P`` and ``P @ Mᵀ`` read on the ties
    only. People without ties get NaN (undefined, as in networkx).
    """
    n = A.shape[0]
    rows = np.repeat(np.arange(n, dtype=np.int64), np.diff(A.indptr))
    cols = A.indices.astype(np.int64)
    s = np.asarray(W.sum(axis=1)).ravel()
    mx = W.max(axis=1)
    mx = (mx.toarray() if sp.issparse(mx) else np.asarray(mx)).ravel()
    isolated = np.diff(A.indptr) == 0
    with np.errstate(divide="ignore", invalid="ignore"):
        inv_s = np.where(s > 0, 1.0 / s, 0.0)
        inv_m = np.where(mx > 0, 1.0 / mx, 0.0)
    if not np.array_equal(W.indptr, A.indptr) or not np.array_equal(W.indices, A.indices):
        raise ValueError("weighted and binary adjacency differ: zero tie strengths?")
    P = sp.csr_array(sp.diags_array(inv_s) @ W)
    P.sort_indices()
    M = sp.csr_array(sp.diags_array(inv_m) @ W)
    MT = sp.csr_array(M.T)
    MT.sort_indices()
    p_direct = W.data * inv_s[rows]  # p_ij on the ties, in (rows, cols) order
    indirect = _masked_product(P, P, rows, cols)
    constraint = np.bincount(rows, weights=(p_direct + indirect) ** 2, minlength=n).astype(float)
    redundancy = _masked_product(P, MT, rows, cols)
    effective = np.bincount(rows, weights=1.0 - redundancy, minlength=n).astype(float)
    constraint[isolated] = np.nan
    effective[isolated] = np.nan
    return constraint, effective


def _participation(A: sp.csr_array, comm: np.ndarray) -> np.ndarray:
    """Guimerà-Amaral participation coefficient over unweighted ties."""
    n = A.shape[0]
    codes, inv = np.unique(comm, return_inverse=True)
    S = sp.csr_array((np.ones(n), (np.arange(n), inv)), shape=(n, len(codes)))
    K = sp.csr_array(A @ S)
    k = np.asarray(A.sum(axis=1)).ravel()
    sq = np.asarray(K.multiply(K).sum(axis=1)).ravel()
    with np.errstate(divide="ignore", invalid="ignore"):
        part = np.where(k > 0, 1.0 - sq / np.where(k > 0, k, 1.0) ** 2, 0.0)
    return np.clip(part, 0.0, 1.0)
