"""Array views of a networkx graph, shared by the measures, the spread model and the drawings.

:func:`edge_arrays` gives the ties as sorted position arrays (its rule for a tie without a
strength is a parameter); :func:`sym_csr` makes the symmetric sparse adjacency of them and
:func:`masked_product` reads entries of a sparse product without forming all of it.
"""

from __future__ import annotations

import gc
import threading
from contextlib import contextmanager

import networkx as nx
import numpy as np
import scipy.sparse as sp

__all__ = ["arrays_shared", "edge_arrays", "gc_paused", "masked_product", "sym_csr"]


@contextmanager
def gc_paused():
    """Pause the cyclic garbage collector while building many small objects.

    Building a graph allocates millions of dicts and tuples and no cycles;
    every few thousand allocations CPython would scan them all again (40 % of
    :func:`netmap.network.graph.build_graph`'s time at 100,000 people). Reference counting still
    frees everything as usual.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def edge_arrays(G: nx.Graph, weight: str = "strength", *, missing: float = 1.0, none: float = np.nan,
                ids_array: bool = False) -> tuple[list | np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Sorted nodes and the tie arrays ``(u, v, w)`` with ``u < v`` (positions).

    Ties are sorted by ``(u, v)``; self-loops are dropped. The rule for a tie without a
    ``weight`` is explicit: ``missing`` is its value when the attribute is absent, ``none``
    when it is ``None``. The measures (bridges, weak ties, communities) use the defaults
    (absent: 1, ``None``: NaN); the spread model counts both as a full tie
    (:data:`netmap.network.spread.FULL_TIE`). ``ids_array``: the nodes as an int64 array
    instead of a list.

    Reads the adjacency as flat sequences (one pass per array, no per-edge tuples): 5x
    faster than ``G.edges(data=...)`` at 364,000 ties. Inside :func:`arrays_shared` the
    arrays of one graph are read once.
    """
    memo = getattr(_shared, "memo", None)
    if memo is not None and memo[0] is G:
        key = (weight, missing, none if none == none else "nan")
        if key not in memo[1]:
            memo[1][key] = _read_edge_arrays(G, weight, missing=missing, none=none)
        nodes, u, v, w = memo[1][key]
        nodes, u, v, w = list(nodes), u.copy(), v.copy(), w.copy()
    else:
        nodes, u, v, w = _read_edge_arrays(G, weight, missing=missing, none=none)
    return (np.array(nodes, dtype=np.int64) if ids_array else nodes), u, v, w


_shared = threading.local()


@contextmanager
def arrays_shared(G: nx.Graph):
    """While inside, the array views of ``G`` are computed once and shared.

    For :func:`netmap.analysis.analyze`, which hands one graph that nobody
    changes to four measures, each of which would read it again (about 0.4 s
    at 100,000 people each time). Outside the block nothing is remembered,
    so a graph changed between two calls is always read afresh. Per thread.
    """
    previous = getattr(_shared, "memo", None)
    _shared.memo = (G, {})
    try:
        yield
    finally:
        _shared.memo = previous


def _read_edge_arrays(G: nx.Graph, weight: str, *, missing: float, none: float):
    nodes = sorted(G.nodes)
    index = {node: i for i, node in enumerate(nodes)}
    if G.is_directed() or G.is_multigraph():
        rows = [(index[x], index[y], d.get(weight, missing)) for x, y, d in G.edges(data=True) if x != y]
        a = np.array([r[0] for r in rows], dtype=np.int64)
        b = np.array([r[1] for r in rows], dtype=np.int64)
        w = np.array([none if r[2] is None else r[2] for r in rows], dtype=np.float64)
    else:
        with gc_paused():
            adj = G._adj  # read only; the public G.adj view doubles this read (10,000 people: 31 -> 62 ms)
            deg = np.fromiter((len(nbrs) for nbrs in adj.values()), np.int64, len(adj))
            total = int(deg.sum())
            a = np.repeat(np.fromiter((index[x] for x in adj), np.int64, len(adj)), deg)
            b = np.fromiter((index[y] for nbrs in adj.values() for y in nbrs), np.int64, total)
            w = np.fromiter(
                (none if (x := d.get(weight, missing)) is None else x for nbrs in adj.values() for d in nbrs.values()),
                np.float64,
                total,
            )
        keep = a < b  # each tie is stored at both ends: keep one; drops self-loops
        a, b, w = a[keep], b[keep], w[keep]
    u, v = np.minimum(a, b), np.maximum(a, b)
    order = np.lexsort((v, u))
    return nodes, u[order], v[order], w[order]


def sym_csr(n: int, u: np.ndarray, v: np.ndarray, w: np.ndarray | None = None) -> sp.csr_array:
    """Symmetric n x n CSR matrix with sorted indices from upper-triangle edges."""
    data = np.ones(2 * len(u)) if w is None else np.concatenate([w, w])
    mat = sp.csr_array(
        (data, (np.concatenate([u, v]), np.concatenate([v, u]))), shape=(n, n)
    )
    mat.sort_indices()
    return mat


def masked_product(
    X: sp.csr_array, Y: sp.csr_array, rows: np.ndarray, cols: np.ndarray, budget: int = 4_000_000
) -> np.ndarray:
    """``(X @ Y)[rows[i], cols[i]]`` for every i, without the full product.

    ``rows`` must be non-decreasing. The product is formed block of rows by
    block of rows, each block bounded by ``budget`` scalar multiplications, so
    memory stays small even when hubs make ``X @ Y`` dense-ish; the entries are
    read by binary search on the (sorted) keys of each block.
    """
    n_cols = Y.shape[1]
    out = np.zeros(len(rows), dtype=np.float64)
    if len(rows) == 0:
        return out
    # cumulative work up to the end of each row of X: for every stored entry
    # X[i, k], the length of row k of Y
    y_len = np.diff(Y.indptr)
    cum_entries = np.concatenate([[0], np.cumsum(y_len[X.indices], dtype=np.int64)])
    cum = cum_entries[X.indptr[1:]]
    start = 0
    n_rows = X.shape[0]
    while start < n_rows:
        base = cum[start - 1] if start else 0
        stop = int(np.searchsorted(cum, base + budget, side="right"))
        stop = min(max(stop, start + 1), n_rows)
        lo, hi = np.searchsorted(rows, [start, stop])
        if hi > lo:
            C = (X[start:stop] @ Y).tocsr()
            C.sum_duplicates()
            C.sort_indices()
            c_rows = np.repeat(np.arange(stop - start, dtype=np.int64), np.diff(C.indptr))
            c_keys = c_rows * n_cols + C.indices
            q_keys = (rows[lo:hi] - start) * n_cols + cols[lo:hi]
            if len(c_keys):
                pos = np.minimum(np.searchsorted(c_keys, q_keys), len(c_keys) - 1)
                out[lo:hi] = np.where(c_keys[pos] == q_keys, C.data[pos], 0.0)
        start = stop
    return out
