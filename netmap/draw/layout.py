"""Where each person is drawn: a deterministic force-directed layout in [0, 1]^2."""

from __future__ import annotations

import math
from collections.abc import Mapping

import networkx as nx
import numpy as np

__all__ = ["layout_positions"]


#: With a previous layout (:func:`layout_positions`' ``previous``): up to this share of people new
#: to it, the people it placed stay exactly where they were and only the newcomers are laid out;
STABLE_NEW_SHARE = 0.1
#: up to this share, everyone starts where they were (newcomers beside their placed contacts) and
#: moves a little; beyond it the network has changed too much to keep its picture: laid out afresh.
SEEDED_NEW_SHARE = 0.5


def layout_positions(G: nx.Graph, seed: int = 0, iterations: int = 60,
                     previous: Mapping[int, tuple[float, float]] | None = None) -> dict[int, tuple[float, float]]:
    """Deterministic force-directed layout (Fruchterman & Reingold 1991) in [0, 1]^2.

    A numpy implementation (all-pairs repulsion, computed in row blocks so
    memory stays bounded; ~0.3 s at 1,000 nodes), attraction weighted by tie
    ``strength``; same ``seed``, same picture. Cache the result for large views.

    ``previous``: the layout of an earlier version of the network (person id -> position),
    so that a small change of the data does not redraw everyone somewhere else. When at
    most :data:`STABLE_NEW_SHARE` of the people are new to it, everyone it placed keeps
    their position exactly (people who left are simply gone) and each newcomer starts
    beside their placed contacts and settles among them, kept inside the old picture's
    box; up to :data:`SEEDED_NEW_SHARE`, everyone starts from there and moves at most a
    little; beyond, the layout is computed afresh (as without ``previous``).
    """
    nodes = sorted(G.nodes())
    n = len(nodes)
    if n == 0:
        return {}
    pos_of = {v: i for i, v in enumerate(nodes)}
    e = [(pos_of[a], pos_of[b], float(d.get("strength", 1.0) or 1.0)) for a, b, d in G.edges(data=True) if a != b]
    u = np.array([x[0] for x in e], dtype=np.int64)
    v = np.array([x[1] for x in e], dtype=np.int64)
    w = np.array([x[2] for x in e], dtype=np.float64)
    rng = np.random.default_rng(seed)
    pos = rng.uniform(0, 1, (n, 2))
    k2 = 1.0 / n
    k = math.sqrt(k2)
    t = 0.1
    movable = np.ones(n, dtype=bool)
    box = None
    unit = 1.0  # the picture's size: 1 unless laid out in the units of a previous picture
    placed = np.array([x in previous for x in nodes], dtype=bool) if previous else np.zeros(n, dtype=bool)
    new_share = 1.0 - placed.mean()
    if placed.any() and new_share <= SEEDED_NEW_SHARE:
        pos[placed] = np.array([previous[x] for x in nodes if x in previous], dtype=float)
        lo, hi = pos[placed].min(0), pos[placed].max(0)
        span = np.where(hi - lo > 0, hi - lo, 1.0)
        pos[~placed] = lo + pos[~placed] * span  # where the seed puts them, within the old picture
        _beside_contacts(G, nodes, pos_of, pos, placed, rng, jitter=0.05 * k * float(span.mean()))
        if new_share <= STABLE_NEW_SHARE:
            movable = ~placed
            box = (lo, hi)
        else:
            t = 0.01  # a gentle settling: the old picture stays recognisable
        unit = float(span.mean())
        k *= unit  # distances in the old picture's units
        k2 = k * k
    dt = t / (iterations + 1)
    rows = np.flatnonzero(movable)
    block = max(1, 4_000_000 // n)
    for _ in range(iterations if len(rows) else 0):
        disp = np.zeros((n, 2))
        x, y = pos[:, 0].astype(np.float32), pos[:, 1].astype(np.float32)
        for s in range(0, len(rows), block):
            r = rows[s:s + block]
            dx = x[r, None] - x[None, :]
            dy = y[r, None] - y[None, :]
            d2 = dx * dx + dy * dy
            np.maximum(d2, 1e-6 * unit * unit, out=d2)
            np.divide(np.float32(k2), d2, out=d2)
            disp[r, 0] = (dx * d2).sum(1)
            disp[r, 1] = (dy * d2).sum(1)
        if len(u):
            dv = pos[u] - pos[v]
            dist = np.sqrt((dv ** 2).sum(1)).clip(1e-3 * unit)
            att = dv * (dist * w / k)[:, None]
            for j in (0, 1):
                disp[:, j] += np.bincount(v, att[:, j], n) - np.bincount(u, att[:, j], n)
        disp[~movable] = 0.0
        length = np.sqrt((disp ** 2).sum(1)).clip(1e-9)
        pos += disp * (np.minimum(length, t) / length)[:, None]
        if box is not None:
            np.clip(pos, box[0], box[1], out=pos)  # newcomers stay inside: the old positions keep their scale
        t -= dt
    lo, hi = pos.min(0), pos.max(0)
    span = np.where(hi - lo > 0, hi - lo, 1.0)
    pos = (pos - lo) / span
    return {v: (float(pos[i, 0]), float(pos[i, 1])) for i, v in enumerate(nodes)}


def _beside_contacts(G, nodes, pos_of, pos, placed, rng, jitter: float) -> None:
    """Move each person not yet placed to the middle of their placed contacts (a little apart,
    seeded), in rounds, so that a newcomer known only through another newcomer follows them."""
    done = placed.copy()
    todo = [i for i in np.flatnonzero(~placed).tolist()]
    while todo:
        left = []
        for i in todo:
            near = [pos_of[w] for w in G[nodes[i]] if w != nodes[i] and done[pos_of[w]]]
            if near:
                pos[i] = pos[near].mean(0) + rng.normal(0.0, jitter, 2)
                done[i] = True
            else:
                left.append(i)
        if len(left) == len(todo):
            return  # the rest know nobody placed: they keep where the seed put them
        todo = left


