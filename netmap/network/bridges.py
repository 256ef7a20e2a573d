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

from netmap.model import TEAM_STAGE
from netmap.network.arrays import edge_arrays, masked_product, sym_csr

__all__ = [
    "bridge_measures",
    "bridge_ranking",
    "BRIDGE_COLUMNS",
    "EXACT_BETWEENNESS_MAX_NODES",
    "BETWEENNESS_EPSILON",
    "BETWEENNESS_DELTA",
    "BRIDGE_WEIGHTS",
    "SEPARATES_SCALE",
    "bridge_score",
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
    "separates",
]

#: Largest network (people) whose betweenness is computed exactly. Exact
#: Brandes costs O(n·m): about 0.85 s at 2,000 people with 8,000 ties here,
#: 19 s at 10,000 people.
EXACT_BETWEENNESS_MAX_NODES = 2_000
#: KADABRA's additive error on (networkx-normalised) betweenness ...
BETWEENNESS_EPSILON = 0.01
#: ... guaranteed for all people at once with probability 1 - delta.
BETWEENNESS_DELTA = 0.1
#: Weights of the bridge score's parts (:func:`bridge_measures`, Notes).
BRIDGE_WEIGHTS = {"betweenness": 0.55, "structural_holes": 0.15, "separates": 0.20, "participation": 0.10}
#: People cut off at which the "separates" part reaches 1 - 1/e of its weight.
SEPARATES_SCALE = 10.0

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
        * ``bridge_score`` (float in [0, 1]) -- see Notes;
        * ``separates`` (int) -- people cut off from the rest of their part of
          the network if this person left: their component's size minus one
          minus its largest piece without them (0 unless a cut vertex).

        ``df.attrs["betweenness_method"]`` says how betweenness was obtained,
        e.g. ``"exact (Brandes)"`` or ``"KADABRA sample, ±0.01 with 90%
        confidence"``.

    Notes
    -----
    The bridge score is driven by the *amount* of brokerage, so that its top
    is the people whose loss would split the customer base::

        bridge_score = 0.55 * betweenness / max(betweenness)
                     + 0.15 * (1 - min(constraint, 1))
                     + 0.20 * (1 - exp(-separates / 10))
                     + 0.10 * participation

    * betweenness, relative to the network's top broker: how much of the
      network's shortest-path traffic runs through the person -- the core of
      brokerage (Freeman 1977), and what a person would point at. Scaled by the
      top value, not ranked, so that a broker with twice the betweenness of
      another scores twice as high on it (ranks had put the Medici, betweenness
      0.52, below Guadagni, 0.25, on Padgett's Florentine families);
    * structural holes (Burt 1992): ``1 - constraint``, 0 for someone whose
      contacts all know each other or who has one contact;
    * ``separates``: how many people would be cut off from the rest of their part
      of the network if the person left (0 unless a cut vertex), on a saturating
      scale: cutting off 1 person gives 0.1 of this share, 10 people 0.63, 30 or
      more nearly all of it. A flat bonus for every cut vertex had put the only
      contact of one dangling prospect above the network's real brokers;
    * participation across communities (Guimerà & Amaral 2005), with the
      smallest weight: communities inform the score but do not dominate it
      (they are themselves an estimate).

    The score is in [0, 1]. People without ties score 0. Deterministic.
    """
    nodes, u, v, w = edge_arrays(G)
    n = len(nodes)
    missing = [node for node in nodes if node not in communities]
    if missing:
        raise ValueError(f"no community for node {missing[0]!r} ({len(missing)} nodes missing)")
    index = pd.Index(nodes, name="person_id")
    if n == 0:
        df = pd.DataFrame({c: pd.Series(dtype=float) for c in BRIDGE_COLUMNS}, index=index)
        df.attrs["betweenness_method"] = "exact (Brandes)"
        return df

    A = sym_csr(n, u, v)
    W = sym_csr(n, u, v, w)
    degree = np.diff(A.indptr).astype(np.int64)
    strength = np.asarray(W.sum(axis=1)).ravel()

    betweenness, method = _betweenness(n, u, v, seed, exact_threshold, epsilon, delta)
    constraint, effective_size = _structural_holes(A, W)
    comm = np.array([communities[node] for node in nodes])
    participation = _participation(A, comm)
    separates = _separated(n, u, v)
    cut = separates > 0  # a cut vertex cuts off at least one person
    score = bridge_score(betweenness, constraint, separates, participation)

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
            "separates": separates,
        },
        index=index,
        columns=BRIDGE_COLUMNS,
    )
    df.attrs["betweenness_method"] = method
    return df


def bridge_score(betweenness, constraint, separates, participation) -> np.ndarray:
    """The bridge score of :func:`bridge_measures` (Notes) from its parts (arrays)."""
    b = np.nan_to_num(np.asarray(betweenness, dtype=np.float64), nan=0.0)
    top = b.max() if len(b) else 0.0
    rel = b / top if top > 0 else np.zeros_like(b)
    c = np.asarray(constraint, dtype=np.float64)
    holes = np.where(np.isnan(c), 0.0, 1.0 - np.minimum(c, 1.0))
    cut = 1.0 - np.exp(-np.asarray(separates, dtype=np.float64) / SEPARATES_SCALE)
    part = np.nan_to_num(np.asarray(participation, dtype=np.float64), nan=0.0)
    w = BRIDGE_WEIGHTS
    score = w["betweenness"] * rel + w["structural_holes"] * holes + w["separates"] * cut + w["participation"] * part
    return np.clip(score, 0.0, 1.0)


def _separated(n: int, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Per person: how many people their leaving would cut off from the largest
    remaining piece of their component (0 unless a cut vertex).

    From the block-cut tree (Hopcroft & Tarjan 1973; igraph's biconnected
    components): a tree of blocks and cut vertices where each person weighs 1
    (counted in their block unless a cut vertex). Removing cut vertex ``c``
    leaves one piece per tree neighbour: the subtree below it, or for the
    parent side, the component's weight minus ``c``'s subtree.
    """
    out = np.zeros(n, dtype=np.int64)
    if n == 0 or len(u) == 0:
        return out
    g = ig.Graph(n=n, edges=list(zip(u.tolist(), v.tolist())))
    blocks, cuts = g.biconnected_components(return_articulation_points=True)
    if not cuts:
        return out
    B = len(blocks)
    cut_list = sorted(cuts)
    cut_node = {c: B + i for i, c in enumerate(cut_list)}
    weight = [0] * (B + len(cut_node))
    adj: list[list[int]] = [[] for _ in range(B + len(cut_node))]
    for b, members in enumerate(blocks):
        for x in members:
            t = cut_node.get(x)
            if t is None:
                weight[b] += 1
            else:
                adj[b].append(t)
                adj[t].append(b)
    for t in cut_node.values():
        weight[t] = 1
    sub = weight[:]
    parent = [-1] * len(weight)
    seen = [False] * len(weight)
    for root in range(len(weight)):
        if seen[root]:
            continue
        order, stack = [], [root]
        seen[root] = True
        while stack:  # iterative DFS: a parent before its children in ``order``
            x = stack.pop()
            order.append(x)
            for y in adj[x]:
                if not seen[y]:
                    seen[y] = True
                    parent[y] = x
                    stack.append(y)
        for x in reversed(order):
            if parent[x] >= 0:
                sub[parent[x]] += sub[x]
        total = sub[root]
        for x in order:
            if x < B:
                continue
            pieces = [sub[y] for y in adj[x] if y != parent[x]]
            if parent[x] >= 0:
                pieces.append(total - sub[x])
            out[cut_list[x - B]] = total - 1 - max(pieces)
    return out


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

    Definition: ``b(x) = Σ_{s<t, s,t≠x} σ_st(x)/σ_st · 2/((n-1)(n-2))`` with
    ``σ_st`` the number of shortest s-t paths and ``σ_st(x)`` those through
    ``x`` (networkx ``betweenness_centrality(G, normalized=True)``). Exact
    (Brandes) up to ``exact_threshold`` people; above, KADABRA (Borassi &
    Natale 2016), which guarantees ``|b̂(x) - b(x)| <= bound`` for *every*
    person at once with probability at least ``1 - delta``. The method string
    says which, and for KADABRA states that guarantee: the bound (about
    ``epsilon``, see Scale) and the confidence ``1 - delta``, as in "KADABRA
    sample, ±0.01 with 90% confidence".

    Both run on ONE networkit thread, so results are identical run after run:
    exact Brandes then always sums in the same order, and KADABRA (in its
    ``deterministic`` mode, with a fixed seed) cannot race -- with two threads
    its convergence check raced with the samplers and about one run in 30
    differed. One thread cost no time here (10.8 s at 100,000 people either
    way on this 2-core machine, before the diameter decoy below).

    **Scale.** On a graph of ``N`` nodes KADABRA estimates, for each node, the
    fraction ``b'`` of random ordered pairs (s, t) of distinct nodes whose
    random shortest path passes through it (pairs with no path count as
    passing through nobody), and its undirected output is ``2·b'`` (checked
    against the C++ source and against exact values). The ordered pairs
    through ``x`` number ``b(x)·(n-1)(n-2)``, so
    ``b = raw/2 · N(N-1)/((n-1)(n-2))`` and the error bound is
    ``epsilon · N(N-1)/((n-1)(n-2))``.

    **The diameter decoy** (why ``N = n + L + 1``). Before sampling, networkit's
    KADABRA computes the graph's exact diameter (SumSweep, Borassi et al. 2015),
    which only enters its sample bound ``ω = 0.5/ε² · (log2(VD-1) + 1 +
    ln(0.5/δ))`` (``VD`` the vertex diameter). SumSweep stops only once every
    node's eccentricity upper bound has come down to the diameter: on a network
    of colleague cliques (20,000 people in 15-person client teams, 150,000 ties)
    that took about 600 breadth-first searches, 1.5 s of a 2.3 s betweenness;
    on the 100,000-person default company about 10 s of 16 s. So KADABRA is
    given the network plus a separate path of ``L`` ties, ``L`` = twice the
    largest eccentricity of the nodes SumSweep starts from (one per component,
    its highest degree; the highest id on ties): after SumSweep's first search
    every node's upper bound is at most ``L``, the path's ends are ``L`` apart,
    and the diameter is settled in about three searches. The guarantee is
    KADABRA's own, for the extended graph, whose exact diameter networkit still
    computes; a path in a component of its own adds no shortest path to the
    network and takes none away. Costs: ``ω`` grows with ``log2(L)`` instead of
    ``log2(diameter)`` (about 12 % more samples on the dense network, none
    measurable on the 10,000-person company), and the bound by the factor
    ``N(N-1)/(n(n-1))``, 1.002 at 20,000 people. Were networkit to start
    SumSweep elsewhere, only the speed would change, never the answer's bound.
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
            # the decoy's length: twice the largest eccentricity of SumSweep's start nodes
            cc = nk.components.ConnectedComponents(Gk)
            cc.run()
            comp = np.unique(np.asarray(cc.getPartition().getVector(), dtype=np.int64), return_inverse=True)[1]
            degree = np.bincount(np.concatenate([u, v]), minlength=n)
            order = np.lexsort((np.arange(n), degree, comp))  # by component, then degree, then id
            start = order[np.r_[np.flatnonzero(np.diff(comp[order])), n - 1]]  # the last of each component
            size = np.bincount(comp)
            L = 2
            for c in np.argsort(-size, kind="stable"):
                if 2 * (size[c] - 1) <= L:  # this and every smaller component: eccentricities <= L / 2
                    break
                L = max(L, 2 * int(nk.distance.Eccentricity.getValue(Gk, int(start[c]))[1]))
            Gk.addNodes(L + 1)
            for i in range(n, n + L):
                Gk.addEdge(i, i + 1)
            nk.engineering.setSeed(int(seed), False)
            algo = nk.centrality.KadabraBetweenness(Gk, epsilon, delta, True)
            algo.run()
        finally:
            nk.setNumberOfThreads(threads)
    N = n + L + 1
    scale = N * (N - 1) / ((n - 1) * (n - 2))
    raw = np.asarray(algo.scores(), dtype=np.float64)[:n]
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
    indirect = masked_product(P, P, rows, cols)
    constraint = np.bincount(rows, weights=(p_direct + indirect) ** 2, minlength=n).astype(float)
    redundancy = masked_product(P, MT, rows, cols)
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


def bridge_ranking(people: pd.DataFrame) -> pd.DataFrame:
    """``people`` (a table with ``bridge_score``), highest bridge score first; equal scores
    in the data's canonical order (``canonical_rank``, :mod:`netmap.network.canonical`)
    when the table has it, else by ``person_id``.

    Your team (stage ``team``: support agents, colleagues whose connections were imported)
    is left out: each of them is tied to everyone they served or know, which makes them the
    network's biggest hubs, but the list is of the customers and people around them whose
    feelings you can nurture. The team's own measures stay in the people table, and
    their ties count in everybody else's."""
    if "stage" in people.columns:
        people = people[people["stage"].fillna("").ne(TEAM_STAGE)]
    tie = "canonical_rank" if "canonical_rank" in people.columns else "person_id"
    return people.sort_values(["bridge_score", tie], ascending=[False, True], kind="mergesort")
