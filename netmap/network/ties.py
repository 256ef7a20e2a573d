"""Weak ties: the ties that reach beyond a person's own circle.

Granovetter's "strength of weak ties": new information and introductions tend
to travel over weak ties that bridge otherwise separate groups. Onnela et al.
(2007, "Structure and tie strengths in mobile communication networks",
*PNAS* 104:7332) measure how embedded a tie is by its neighbourhood overlap

.. math::

    O_{ij} = \\frac{n_{ij}}{(k_i - 1) + (k_j - 1) - n_{ij}}

(``n_ij`` shared neighbours, ``k`` degrees; 0 when the denominator is 0). A tie
with no shared neighbour (``O = 0``) is a *local bridge*; its *span* is the
distance between its ends once the tie is removed (Granovetter 1973;
``networkx.local_bridges``).

Speed: shared-neighbour counts come from the sparse product ``A @ A`` read on
the edges only (block by block); spans come from networkit's (C++)
bidirectional breadth-first search per local bridge, with the tie removed,
skipped for ties that are bridges proper (their removal disconnects the ends).
:func:`_span` is the same search in Python, kept as the reference.
"""

from __future__ import annotations

from collections.abc import Mapping

import igraph as ig
import networkx as nx
import numpy as np
import pandas as pd

from netmap.network.arrays import edge_arrays, masked_product, sym_csr

__all__ = ["weak_ties", "MAX_SPAN", "TIE_MEASURE_COLUMNS"]

#: Longest span searched for. A local bridge whose ends are further apart than
#: this once it is removed (or not connected at all) gets ``span = None``.
MAX_SPAN = 8

#: Columns of :func:`weak_ties` (the stored ties add both ends' names: netmap.analysis.WEAK_TIE_COLUMNS).
TIE_MEASURE_COLUMNS = [
    "a_id",
    "b_id",
    "strength",
    "overlap",
    "local_bridge",
    "span",
    "crosses_communities",
    "weakness",
]


def weak_ties(
    G: nx.Graph, communities: Mapping[int, int], *, max_span: int = MAX_SPAN
) -> pd.DataFrame:
    """One row per tie with its overlap, local-bridge span and weakness.

    Parameters
    ----------
    G : networkx.Graph
        The network (edge attribute ``strength``; missing = 1).
    communities : Mapping[int, int]
        Community id of every node (:func:`detect_communities`).
    max_span : int
        Longest span searched for (default :data:`MAX_SPAN` = 8 hops).

    Returns
    -------
    pandas.DataFrame
        Columns exactly ``a_id, b_id, strength, overlap, local_bridge, span,
        crosses_communities, weakness``, one row per tie with ``a_id < b_id``:

        * ``overlap`` -- Onnela et al. (2007) neighbourhood overlap in [0, 1];
        * ``local_bridge`` -- the ends share no neighbour (``overlap == 0``);
        * ``span`` -- for a local bridge, the shortest-path distance between
          its ends with the tie removed (an ``int`` >= 3, the value of
          ``networkx.local_bridges(G, with_span=True)``); ``None`` when no
          alternative path of at most ``max_span`` hops exists (including when
          removing the tie disconnects its ends, where networkx says ``inf``),
          and ``None`` for ties that are not local bridges. The column has
          ``object`` dtype (Python ``int`` or ``None``) so it writes cleanly to
          JSON and CSV;
        * ``crosses_communities`` -- the ends are in different communities;
        * ``weakness`` -- in [0, 1]::

              weakness = (1 - strength) * (1 - overlap)
                         * (2 + local_bridge + crosses_communities) / 4

          a weak, unembedded tie scores high; being a local bridge and crossing
          communities each add a quarter of the base (with tie strengths
          >= 0.05 the maximum is 0.95).

        Sorted by ``weakness`` descending, then ``a_id``, ``b_id``.

    Raises
    ------
    ValueError
        If a node of ``G`` has no community.
    """
    nodes, u, v, w = edge_arrays(G)
    n, m = len(nodes), len(u)
    missing = [node for node in nodes if node not in communities]
    if missing:
        raise ValueError(f"no community for node {missing[0]!r} ({len(missing)} nodes missing)")
    if m == 0:
        return _frame(np.empty(0, np.int64), np.empty(0, np.int64), np.empty(0), np.empty(0),
                      np.empty(0, bool), [], np.empty(0, bool), np.empty(0))

    A = sym_csr(n, u, v)
    degree = np.diff(A.indptr)
    shared = masked_product(A, A, u, v)
    denom = (degree[u] - 1) + (degree[v] - 1) - shared
    overlap = np.divide(shared, denom, out=np.zeros(m), where=denom > 0)
    overlap = np.clip(overlap, 0.0, 1.0)
    local = shared == 0

    span: list[int | None] = [None] * m
    candidates = np.flatnonzero(local)
    if len(candidates):
        g = ig.Graph(n=n, edges=list(zip(u.tolist(), v.tolist())))
        is_bridge = np.zeros(m, dtype=bool)
        is_bridge[g.bridges()] = True  # igraph edge ids = our edge order
        todo = candidates[~is_bridge[candidates]]
        if len(todo):
            for e, d in zip(todo.tolist(), _spans(n, u, v, todo, max_span)):
                span[e] = d

    comm = np.array([communities[node] for node in nodes])
    crosses = comm[u] != comm[v]
    weakness = (1.0 - w) * (1.0 - overlap) * (2.0 + local + crosses) / 4.0
    weakness = np.clip(weakness, 0.0, 1.0)
    ids = np.asarray(nodes)
    return _frame(ids[u], ids[v], w, overlap, local, span, crosses, weakness)


def _frame(a, b, strength, overlap, local, span, crosses, weakness) -> pd.DataFrame:
    df = pd.DataFrame(
        {
            "a_id": a,
            "b_id": b,
            "strength": np.asarray(strength, dtype=np.float64),
            "overlap": np.asarray(overlap, dtype=np.float64),
            "local_bridge": np.asarray(local, dtype=bool),
            "span": pd.Series(span, dtype=object),
            "crosses_communities": np.asarray(crosses, dtype=bool),
            "weakness": np.asarray(weakness, dtype=np.float64),
        },
        columns=TIE_MEASURE_COLUMNS,
    )
    order = np.lexsort((df["b_id"].to_numpy(), df["a_id"].to_numpy(), -df["weakness"].to_numpy()))
    return df.iloc[order].reset_index(drop=True)


def _spans(n: int, u: np.ndarray, v: np.ndarray, todo: np.ndarray, max_span: int) -> list[int | None]:
    """Span of each tie ``todo`` (positions into ``u``, ``v``), or None beyond ``max_span``.

    For each tie: remove it from a networkit graph, run networkit's C++
    bidirectional breadth-first search between its ends, put it back (10x
    faster than :func:`_span` in Python at 100,000 people, and the same
    distances). Distances do not depend on the order of neighbours, so
    re-adding the tie at the end of the adjacency changes nothing.
    """
    import networkit as nk  # imported here: it takes 0.3 s, and only the measures need it

    Gk = nk.GraphFromCoo((u.astype(np.uint64), v.astype(np.uint64)), n=n)
    out: list[int | None] = []
    for a, b in zip(u[todo].tolist(), v[todo].tolist()):
        Gk.removeEdge(a, b)
        # a fresh search each time: re-running one object with setSource/setTarget
        # exhausted memory here (networkit 11.3)
        bfs = nk.distance.BidirectionalBFS(Gk, a, b, storePred=False)
        bfs.run()
        d = bfs.getDistance()
        Gk.addEdge(a, b)
        out.append(int(d) if d <= max_span else None)
    return out


def _span(adj: list[frozenset], u: int, v: int, max_span: int) -> int | None:
    """Distance between ``u`` and ``v`` in G minus the tie (u, v), if <= max_span.

    Precondition: (u, v) is a local bridge (no shared neighbour), so the
    distance is at least 3. Bidirectional BFS: the balls around ``u`` and
    ``v`` start at radius 1 and are disjoint; the side with the smaller
    frontier grows by one level at a time. While the balls of radii ``du`` and
    ``dv`` are disjoint the distance exceeds ``du + dv``, so the first node
    of the growing side adjacent to the other side's frontier gives the
    distance ``du + dv + 1``. The tie (u, v) itself is never walked: ``u``
    and ``v`` are only ever expanded at radius 0.
    """
    front_u = adj[u] - {v}
    front_v = adj[v] - {u}
    if not front_u or not front_v:
        return None
    seen_u = front_u | {u}
    seen_v = front_v | {v}
    du = dv = 1
    while du + dv < max_span:
        grow_u = len(front_u) <= len(front_v)
        front, other = (front_u, front_v) if grow_u else (front_v, front_u)
        for x in front:
            if not adj[x].isdisjoint(other):
                return du + dv + 1
        if du + dv + 1 >= max_span:
            return None
        seen = seen_u if grow_u else seen_v
        nxt = set().union(*[adj[x] for x in front])
        nxt -= seen
        if not nxt:
            return None
        seen |= nxt
        if grow_u:
            front_u, du = nxt, du + 1
        else:
            front_v, dv = nxt, dv + 1
    return None
