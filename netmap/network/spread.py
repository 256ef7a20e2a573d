"""How far good word of mouth travels: independent-cascade spread and 2-hop reach.

Two measures per person:

``spread``
    Expected number of *other* people a person's word of mouth reaches under the
    independent-cascade (IC) model of Kempe, Kleinberg & Tardos, "Maximizing the
    spread of influence through a social network" (KDD 2003). Each newly
    convinced person gets one chance to convince each neighbour ``j`` and
    succeeds with probability ``p_ij``. On an undirected graph with symmetric
    probabilities IC is exactly *bond percolation* (Kempe et al. 2003, §2, the
    "live-edge" view): keep every tie independently with probability ``p_ij``;
    the people reached from ``v`` are the connected component of ``v`` in that
    live-edge snapshot. So the expected spread of every person at once is the
    mean component size over ``R`` sampled snapshots, each computed with
    :func:`scipy.sparse.csgraph.connected_components` (vectorised, no Python
    loop over people).

``reach2``
    Friend-of-a-friend reach: the number of distinct people within two hops
    (self excluded), the non-zero pattern of ``A + A @ A`` per row.

Edge probability
----------------
``p_ij = base_rate * strength_ij`` (:func:`edge_probability`). A tie of
strength 1 passes word of mouth on with probability ``base_rate``.

By default (``base_rate=None``) the rate is *calibrated to the graph*
(:func:`calibrated_base_rate`)::

    base_rate = min(0.3, 0.8 * T_c / mean(strength)),
    T_c = <k> / (<k^2> - <k>)

``T_c`` is the bond-percolation (epidemic) threshold of a graph with degree
distribution ``k`` (Molloy & Reed 1995; Newman, "Spread of epidemic disease on
networks", Phys. Rev. E 2002): above it, cascades stop being local and one giant
component swallows a fixed share of the whole graph. Measured on power-law
cluster graphs (mean degree 4-8): a fixed rate of 0.3 gave a *median* spread of
2,000 people at 10k nodes and 20,000 at 100k - the size of the graph, not of
anyone's influence, and nearly the same for everyone; 0.05 gave almost zero
everywhere on sparser graphs. Staying at 80 % of the threshold keeps spreads
local, distinct and heavy-tailed, with the same shape at every graph size
(median ~0.3-0.5 people, top 1 % ~5, the best-connected customers a few dozen).
The cap 0.3 says that even the strongest tie passes word of mouth on at most
three times in ten. Pass a float to fix the rate instead (comparable across
datasets); the rate used is stored in :class:`LiveEdgeSamples` and stated in
``df.attrs["spread_method"]``.

Precision
---------
Two independent sets of snapshots, so that no figure is judged by the samples
that chose it (the "winner's curse": the person who looks best in a noisy
estimate is, on average, overstated by it):

* the *estimate*: :data:`DEFAULT_SAMPLES` (2,000) snapshots, or more on a smaller
  network (:func:`samples_for`: up to 20,000, for the same work), streamed in
  batches (nothing per snapshot is kept), give every person's ``spread`` and
  ``spread_se`` = ``std / sqrt(R)`` (sample standard deviation over the
  snapshots), and the figures of a nurture plan (:func:`estimate_spread`'s
  ``plans``). Measured against a 20,000-snapshot reference on the synthetic
  10,000-person company: median error of the shown top 20 under 3 %, and two
  seeds agree on at least 9 of the top 10 (at 200 snapshots: 4.5-11.7 %, and 7 to
  9; ``benchmarks/insight.py``);
* the *choice*: :data:`PLAN_SAMPLES` (200) snapshots kept as component labels
  (:class:`LiveEdgeSamples`), over which :mod:`netmap.network.plan` chooses a
  plan greedily; drawn from another random stream than the estimate.

The :class:`LiveEdgeSamples` returned with the table keeps each snapshot's
component labels so :mod:`netmap.network.plan` can run greedy influence
maximisation over the *same* samples.
"""

from __future__ import annotations

from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd
from scipy import sparse
from scipy.sparse.csgraph import connected_components

from netmap.network.arrays import edge_arrays

__all__ = [
    "FULL_TIE",
    "spread_arrays",
    "DEFAULT_BASE_RATE",
    "DEFAULT_SAMPLES",
    "LiveEdgeSamples",
    "MAX_SAMPLES",
    "samples_for",
    "PLAN_SAMPLES",
    "SpreadEstimate",
    "estimate_spread",
    "THRESHOLD_FRACTION",
    "calibrated_base_rate",
    "edge_probability",
    "sample_live_edges",
    "spread_from_samples",
    "reach2",
    "spread_measures",
]

#: Upper bound of the base rate: a tie of strength 1 passes word of mouth on
#: with probability at most 0.3.
DEFAULT_BASE_RATE = 0.3
#: Calibrated rate = this fraction of the graph's percolation threshold.
THRESHOLD_FRACTION = 0.8
#: Snapshots behind every spread figure, at least (module docstring, "Precision") ...
DEFAULT_SAMPLES = 2000
#: ... and more on smaller networks, as many as this much work allows (snapshots x (people +
#: ties): 2,000 snapshots of the synthetic 10,000-person company), up to :data:`MAX_SAMPLES`
SPREAD_WORK = 90_000_000
MAX_SAMPLES = 20_000
#: Snapshots kept (as component labels) to choose a nurture plan from.
PLAN_SAMPLES = 200
#: Cells (snapshots x ties) drawn at once by :func:`estimate_spread`: bounds its memory.
_BATCH_CELLS = 8_000_000
#: Strength assumed for an edge without a ``strength`` attribute (networkx's
#: usual default weight of 1, clipped to the contract's (0, 1]).
_DEFAULT_STRENGTH = 1.0
#: The spread model's rule for a tie without a strength (absent or ``None``): a full tie.
FULL_TIE = {"missing": _DEFAULT_STRENGTH, "none": _DEFAULT_STRENGTH, "ids_array": True}


def edge_probability(strength, base_rate: float = DEFAULT_BASE_RATE) -> np.ndarray:
    """Independent-cascade activation probability from tie strength.

    ``p = base_rate * clip(strength, 0, 1)``; see the module docstring for how
    the rate is chosen (:func:`calibrated_base_rate`).

    Examples
    --------
    >>> edge_probability([1.0, 0.5]).tolist()
    [0.3, 0.15]
    """
    if not 0.0 <= base_rate <= 1.0:
        raise ValueError(f"base_rate must be in [0, 1], got {base_rate!r}")
    s = np.nan_to_num(np.asarray(strength, dtype=float), nan=0.0)
    return base_rate * np.clip(s, 0.0, 1.0)


@dataclass(frozen=True, eq=False)
class LiveEdgeSamples:
    """``R`` live-edge snapshots of a graph (bond percolation samples).

    Attributes
    ----------
    nodes : numpy.ndarray
        Person ids in column order (sorted ascending), shape ``(n,)``.
    labels : numpy.ndarray
        ``labels[r, i]`` is the *global* id of the component that person
        ``nodes[i]`` belongs to in snapshot ``r``; component ids are unique
        across snapshots, shape ``(R, n)``.
    sizes : numpy.ndarray
        ``sizes[c]`` is the number of people in global component ``c``
        (the person included), shape ``(total components,)``.
    base_rate, seed :
        The parameters the samples were drawn with.
    """

    nodes: np.ndarray
    labels: np.ndarray
    sizes: np.ndarray
    base_rate: float
    seed: int | None

    @property
    def n_samples(self) -> int:
        """Number of snapshots ``R``."""
        return int(self.labels.shape[0])

    def index_of(self, person_ids) -> np.ndarray:
        """Column positions of ``person_ids``; raises ``KeyError`` for unknown ids."""
        ids = np.asarray(list(person_ids), dtype=np.int64)
        pos = np.searchsorted(self.nodes, ids)
        pos = np.clip(pos, 0, max(len(self.nodes) - 1, 0))
        if len(ids) and (len(self.nodes) == 0 or np.any(self.nodes[pos] != ids)):
            bad = ids[(len(self.nodes) == 0) | (self.nodes[pos] != ids)][:5].tolist()
            raise KeyError(f"people not in the samples: {bad}")
        return pos


def calibrated_base_rate(
    G: nx.Graph,
    *,
    cap: float = DEFAULT_BASE_RATE,
    fraction: float = THRESHOLD_FRACTION,
) -> float:
    """Base rate at ``fraction`` of the graph's bond-percolation threshold.

    ``min(cap, fraction * T_c / mean(strength))`` with the Molloy-Reed /
    Newman (2002) threshold ``T_c = <k> / (<k^2> - <k>)`` over the degree
    sequence ``k``. ``cap`` when the graph has no ties or no branching.

    Examples
    --------
    >>> round(calibrated_base_rate(nx.path_graph(3)), 3)  # k = 1, 2, 1: T_c = 2
    0.3
    """
    return _calibrated(*spread_arrays(G), cap=cap, fraction=fraction)


def _calibrated(nodes, u, v, s, *, cap=DEFAULT_BASE_RATE, fraction=THRESHOLD_FRACTION):
    if len(u) == 0 or len(nodes) == 0:
        return float(cap)
    k = np.bincount(np.concatenate([u, v]), minlength=len(nodes)).astype(float)
    mean_k = k.mean()
    branching = ((k * k).mean() - mean_k) / mean_k
    mean_s = float(np.clip(np.nan_to_num(s, nan=0.0), 0.0, 1.0).mean())
    if branching <= 0 or mean_s <= 0:
        return float(cap)
    return float(min(cap, fraction / branching / mean_s))


def spread_arrays(G: nx.Graph):
    """Sorted node ids (an int64 array) and tie endpoint positions + strengths, as the spread
    model reads a graph: :func:`netmap.network.arrays.edge_arrays` with a missing or ``None``
    strength counting as 1 (:data:`FULL_TIE`). Self-loops are dropped; each tie appears once
    with ``u < v`` (positions), sorted by ``(u, v)``."""
    return edge_arrays(G, "strength", **FULL_TIE)


def tie_kinds(G: nx.Graph, nodes, u, v) -> list[str]:
    """Each tie's ``kinds`` as one text ("colleague, referral"), for the ties
    :func:`spread_arrays` gives (``nodes``; positions ``u``, ``v``)."""
    adj = G._adj
    return [", ".join(map(str, adj[int(nodes[a])][int(nodes[b])].get("kinds") or ()))
            for a, b in zip(np.asarray(u).tolist(), np.asarray(v).tolist())]


def sample_live_edges(
    G: nx.Graph,
    samples: int = DEFAULT_SAMPLES,
    seed: int | None = 0,
    base_rate: float | None = None,
) -> LiveEdgeSamples:
    """Draw ``samples`` live-edge snapshots and label their components.

    Each tie is kept independently with probability
    :func:`edge_probability` of its ``strength``; the connected components of
    the kept ties are computed with scipy, a batch of snapshots at a time
    (:class:`_LiveTies`, :func:`_components`). Deterministic for a given ``seed``
    (a :class:`numpy.random.Generator` drives the draws, and ties are visited
    in sorted-id order, so insertion order of ``G`` does not matter).

    ``base_rate=None`` uses :func:`calibrated_base_rate`.
    Memory: the labels are ``samples x n`` int32 (80 MB at 200 x 100,000).
    """
    return _sample(*spread_arrays(G), samples, seed, base_rate)


def _sample(nodes, u, v, s, samples, seed, base_rate) -> LiveEdgeSamples:
    if samples < 1:
        raise ValueError(f"samples must be >= 1, got {samples!r}")
    if base_rate is None:
        base_rate = _calibrated(nodes, u, v, s)
    n, m = len(nodes), len(u)
    draw = _LiveTies(edge_probability(s, base_rate), np.random.default_rng(seed))
    dtype = np.int32 if samples * max(n, 1) < np.iinfo(np.int32).max else np.int64
    labels = np.empty((samples, n), dtype=dtype)
    sizes_parts = []
    offset = done = 0
    batch = max(1, _BATCH_CELLS // max(m, n, 1))
    while done < samples:
        b = min(batch, samples - done)
        k, lab = _components(n, u, v, *draw(b), b)  # labels unique across the batch's snapshots
        labels[done:done + b] = lab.reshape(b, n) + offset
        sizes_parts.append(np.bincount(lab, minlength=k).astype(dtype))
        offset += k
        done += b
    sizes = np.concatenate(sizes_parts) if sizes_parts else np.zeros(0, dtype=dtype)
    return LiveEdgeSamples(
        nodes=nodes, labels=labels, sizes=sizes, base_rate=base_rate, seed=seed
    )


def _components(n: int, u, v, r: np.ndarray, e: np.ndarray, b: int) -> tuple[int, np.ndarray]:
    """Connected components of ``b`` snapshots at once: live tie ``e[i]`` in snapshot ``r[i]``,
    as one block-diagonal graph of ``b x n`` people (person ``x`` of snapshot ``r`` is
    ``r * n + x``). Returns the number of components and each of the ``b x n`` labels."""
    N = b * n
    rows = r * n + u[e]
    # each probability group comes sorted by (snapshot, tie): a stable sort merges the runs
    order = np.argsort(rows, kind="stable")
    indptr = np.zeros(N + 1, dtype=np.int64)
    np.cumsum(np.bincount(rows, minlength=N), out=indptr[1:])
    cols = (r[order] * n + v[e[order]]).astype(np.int32 if N < 2**31 else np.int64)
    A = sparse.csr_matrix((np.ones(len(e), dtype=np.int8), cols, indptr), shape=(N, N))
    return connected_components(A, directed=False)


def spread_from_samples(ls: LiveEdgeSamples) -> tuple[np.ndarray, np.ndarray]:
    """Expected spread (others reached) and its standard error for every person.

    ``spread[i] = mean_r(|C_r(i)| - 1)`` and
    ``spread_se[i] = std_r(|C_r(i)|) / sqrt(R)`` (sample std, ``ddof=1``;
    0 when ``R == 1``), in the column order of ``ls.nodes``.
    """
    R, n = ls.labels.shape
    total = np.zeros(n, dtype=np.float64)
    total_sq = np.zeros(n, dtype=np.float64)
    for r in range(R):
        c = ls.sizes[ls.labels[r]].astype(np.float64) - 1.0
        total += c
        total_sq += c * c
    mean = total / R
    if R > 1:
        var = np.maximum(total_sq - R * mean * mean, 0.0) / (R - 1)
        se = np.sqrt(var / R)
    else:
        se = np.zeros(n)
    return mean, se


def samples_for(people: int, ties: int) -> int:
    """Snapshots for a network of this size: :data:`DEFAULT_SAMPLES`, or more when the network
    is small enough that more cost no more than those cost the 10,000-person company
    (:data:`SPREAD_WORK`), up to :data:`MAX_SAMPLES`. Precision grows as sqrt(snapshots);
    the top of a smaller network gets the closer look for the same time.

    Examples
    --------
    >>> samples_for(10_000, 35_000), samples_for(1_500, 5_500), samples_for(100, 300)
    (2000, 12857, 20000)
    """
    return int(min(MAX_SAMPLES, max(DEFAULT_SAMPLES, SPREAD_WORK // max(people + ties, 1))))


@dataclass(frozen=True, eq=False)
class SpreadEstimate:
    """What :func:`estimate_spread` measured over its snapshots.

    ``spread[i]``, ``spread_se[i]``: mean and standard error of the number of
    *other* people person ``i`` (column ``i``) reaches. ``plans[j][t]``: the mean
    number of people the ``t``-th pick of the ``j``-th plan newly reaches, the
    pick included (``sum(plans[j][:t+1])`` is the expected size of the union of
    the first ``t+1`` picks' cascades); ``plans_se`` their standard errors.
    """

    spread: np.ndarray
    spread_se: np.ndarray
    plans: list[np.ndarray]
    plans_se: list[np.ndarray]
    samples: int
    base_rate: float


class _LiveTies:
    """Which ties are live in each of a batch of snapshots, drawn without looking at every
    (snapshot, tie) cell: most ties are dead in most snapshots (the calibrated rate keeps
    spread local), so the live ones are found by geometric skipping. Ties are grouped by
    probability into halvings (p in (2^-(k+1), 2^-k]); within a group, candidate cells are
    spaced by geometric gaps at the group's highest probability and each kept with
    p / that probability -- exactly independent Bernoulli(p) per cell (thinning), at a
    cost in proportion to the live ties, not to all cells."""

    def __init__(self, p: np.ndarray, rng: np.random.Generator):
        self.rng = rng
        p = np.asarray(p, dtype=np.float64)
        live = np.flatnonzero(p > 0)
        level = np.minimum(np.floor(-np.log2(p[live])), 60).astype(np.int64)
        self.groups = []
        for k in np.unique(level).tolist():
            ties = live[level == k]
            top = float(p[ties].max())
            self.groups.append((ties, top, p[ties] / top))

    def __call__(self, b: int) -> tuple[np.ndarray, np.ndarray]:
        rs, es = [], []
        for ties, top, accept in self.groups:
            cells = b * len(ties)
            at = self._cells(cells, top)
            j = at % len(ties)
            if accept.min() < 1.0:  # thinning: kept with p / the group's highest p
                keep = self.rng.random(len(at)) < accept[j]
                at, j = at[keep], j[keep]
            rs.append(at // len(ties))
            es.append(ties[j])
        if not rs:
            return np.empty(0, np.int64), np.empty(0, np.int64)
        return np.concatenate(rs), np.concatenate(es)

    def _cells(self, cells: int, q: float) -> np.ndarray:
        """Positions in ``range(cells)`` where independent Bernoulli(q) trials succeed."""
        if q >= 1.0:
            return np.arange(cells, dtype=np.int64)
        out, start = [], -1
        while True:
            expected = (cells - 1 - start) * q
            want = int(expected + 6.0 * np.sqrt(expected + 1.0) + 16)
            at = start + np.cumsum(self.rng.geometric(q, size=want))
            done = at[-1] >= cells
            out.append(at[at < cells])
            if done:
                return np.concatenate(out)
            start = int(at[-1])


def estimate_spread(
    nodes, u, v, s, samples: int = DEFAULT_SAMPLES, seed: int | None = 0, base_rate: float | None = None,
    *, plans=(), stream: int = 1,
) -> SpreadEstimate:
    """Every person's spread over ``samples`` fresh snapshots, streamed in batches.

    ``nodes``, ``u``, ``v``, ``s`` as :func:`spread_arrays` gives them (edges sorted by
    ``(u, v)``). The snapshots come from the random stream ``(seed, stream)``, independent
    of :func:`sample_live_edges`'s ``seed`` stream: figures estimated here are not biased
    by a choice made on those. Each batch draws the live ties of ``b`` snapshots at once
    (:class:`_LiveTies`) and labels the components of all of them in one call (a
    block-diagonal graph of ``b x n`` people); only per-person sums are kept, so memory
    does not grow with ``samples``. ``plans``: sequences of column positions (picks in order) whose
    marginal gains are measured on the same snapshots.
    """
    if samples < 1:
        raise ValueError(f"samples must be >= 1, got {samples!r}")
    if base_rate is None:
        base_rate = _calibrated(nodes, u, v, s)
    n, m = len(nodes), len(u)
    p = edge_probability(s, base_rate)
    rng = np.random.default_rng(None if seed is None else [int(seed), int(stream)])
    draw = _LiveTies(p, rng)
    plans = [np.asarray(pl, dtype=np.int64) for pl in plans]
    total = np.zeros(n)
    total_sq = np.zeros(n)
    gain = [np.zeros(len(pl)) for pl in plans]
    gain_sq = [np.zeros(len(pl)) for pl in plans]
    batch = max(1, _BATCH_CELLS // max(m, n, 1))
    done = 0
    while done < samples and n:
        b = min(batch, samples - done)
        k, lab = _components(n, u, v, *draw(b), b)  # the live ties of b snapshots, labelled at once
        size = np.bincount(lab, minlength=k)
        lab = lab.reshape(b, n)
        x = size[lab] - 1  # others reached, per snapshot and person (integers: exact sums)
        total += x.sum(axis=0)
        total_sq += (x * x).sum(axis=0)
        for pl, g, g2 in zip(plans, gain, gain_sq):
            if not len(pl):
                continue
            comps = lab[:, pl]  # (b, k): each pick's component in each snapshot
            earlier = np.tril(np.ones((len(pl), len(pl)), dtype=bool), -1)
            seen = ((comps[:, :, None] == comps[:, None, :]) & earlier).any(axis=2)
            gj = np.where(seen, 0, size[comps] - 1).astype(np.float64)
            g += gj.sum(axis=0)
            g2 += (gj * gj).sum(axis=0)
        done += b
    R = max(samples, 1)

    def mean_se(t, t2):
        mean = t / R
        if R < 2:
            return mean, np.zeros_like(mean)
        var = np.maximum(t2 - R * mean * mean, 0.0) / (R - 1)
        return mean, np.sqrt(var / R)

    spread, se = mean_se(total, total_sq)
    pm = [mean_se(g, g2) for g, g2 in zip(gain, gain_sq)]
    return SpreadEstimate(spread, se, [a for a, _ in pm], [b for _, b in pm], samples, float(base_rate))


def _adjacency(G: nx.Graph, nodes: np.ndarray, u=None, v=None) -> sparse.csr_matrix:
    n = len(nodes)
    if u is None:
        _, u, v, _ = spread_arrays(G)
    ones = np.ones(2 * len(u), dtype=np.float32)
    A = sparse.csr_matrix(
        (ones, (np.concatenate([u, v]), np.concatenate([v, u]))), shape=(n, n)
    )
    A.sum_duplicates()
    return A


def reach2(G: nx.Graph, *, chunk_nnz: int = 20_000_000) -> pd.Series:
    """Friend-of-a-friend reach: distinct people within two hops, self excluded.

    Computed as the number of non-zeros per row of ``A + A @ A`` minus the
    diagonal, with scipy sparse products in row chunks sized so that each
    chunk's product has at most about ``chunk_nnz`` entries (hubs make
    ``A @ A`` dense-ish; chunking bounds the memory).

    Returns
    -------
    pandas.Series
        Indexed by person id (sorted), name ``"reach2"``, dtype int64.
    """
    nodes, u, v, _ = spread_arrays(G)
    return _reach2(nodes, u, v, chunk_nnz)


def _reach2(nodes, u, v, chunk_nnz):
    n = len(nodes)
    out = np.zeros(n, dtype=np.int64)
    if n:
        A = _adjacency(None, nodes, u, v)
        deg = np.diff(A.indptr).astype(np.int64)
        work = np.asarray(A @ deg.astype(np.float64)).ravel() + deg  # upper bound of row nnz
        start = 0
        while start < n:
            csum = np.cumsum(work[start:])
            stop = start + max(1, int(np.searchsorted(csum, chunk_nnz, side="right")))
            rows = A[start:stop]
            B = rows @ A + rows
            nnz = np.diff(B.indptr)
            # the diagonal is in A @ A for everyone with at least one tie
            out[start:stop] = nnz - (deg[start:stop] > 0)
            start = stop
    return pd.Series(out, index=pd.Index(nodes, name="person_id"), name="reach2")


def spread_measures(
    G: nx.Graph,
    samples: int = DEFAULT_SAMPLES,
    seed: int | None = 0,
    *,
    base_rate: float | None = None,
    plan_samples: int = PLAN_SAMPLES,
) -> tuple[pd.DataFrame, LiveEdgeSamples]:
    """Spread, its standard error and 2-hop reach for every person.

    Parameters
    ----------
    G : networkx.Graph
        The customer network (edge attribute ``strength`` in (0, 1]).
    samples : int
        Number of live-edge snapshots behind ``spread`` (precision ~ 1/sqrt(R)).
    seed : int or None
        Seed of the random streams; same seed, same result.
    base_rate : float or None
        ``p = base_rate * strength`` (see :func:`edge_probability`); ``None``
        calibrates it to the graph (:func:`calibrated_base_rate`).
    plan_samples : int
        Snapshots of the returned :class:`LiveEdgeSamples` (another random stream).

    Returns
    -------
    table : pandas.DataFrame
        Indexed by ``person_id`` (sorted) with columns ``spread`` (expected
        number of *other* people reached, float), ``spread_se`` (its standard
        error) and ``reach2`` (int). ``table.attrs["spread_method"]`` states the
        method and precision in one sentence.
    live_edges : LiveEdgeSamples
        ``plan_samples`` snapshots kept, for :func:`netmap.network.plan.nurture_plan`
        to choose from.

    Examples
    --------
    >>> G = nx.Graph()
    >>> G.add_edge(1, 2, strength=1.0)
    >>> df, _ = spread_measures(G, samples=50, seed=1)
    >>> df["reach2"].tolist()
    [1, 1]
    """
    nodes, u, v, s = spread_arrays(G)
    if base_rate is None:
        base_rate = _calibrated(nodes, u, v, s)
    est = estimate_spread(nodes, u, v, s, samples, seed, base_rate)
    ls = _sample(nodes, u, v, s, plan_samples, seed, base_rate)
    r2 = _reach2(nodes, u, v, 20_000_000)
    df = pd.DataFrame(
        {"spread": est.spread, "spread_se": est.spread_se, "reach2": r2.to_numpy()},
        index=pd.Index(nodes, name="person_id"),
    )
    df.attrs["spread_method"] = spread_method(est, seed)
    return df, ls


def spread_method(est: SpreadEstimate, seed) -> str:
    """One sentence: how spread was estimated and how precise it is."""
    mean, se = est.spread, est.spread_se
    rel = ""
    if len(mean) and mean.max() > 0:
        top = np.argsort(-mean, kind="stable")[:20]
        top = top[mean[top] > 0]
        rel = f" (median relative standard error of the top 20: {np.median(se[top] / mean[top]):.1%})"
    return (
        f"Expected number of other people reached under an independent-cascade "
        f"model (Kempe et al. 2003) where a tie passes word of mouth with "
        f"probability {est.base_rate:.3g} x its strength, estimated from {est.samples:,} "
        f"live-edge (bond percolation) samples, seed {seed}; spread_se is the "
        f"standard error{rel}."
    )
