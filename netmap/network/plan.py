"""The best k people to nurture *together* (greedy influence maximisation).

Kempe, Kleinberg & Tardos (KDD 2003) show that the expected spread
``sigma(S)`` of a seed set ``S`` under the independent-cascade model is monotone
and submodular, so the greedy algorithm - repeatedly add the person with the
largest marginal gain - reaches at least ``(1 - 1/e)`` (~63 %) of the best
possible spread of any ``k`` people (Nemhauser, Wolsey & Fisher 1978), up to
the sampling error. Gains are evaluated on the *same* live-edge snapshots as
the per-person spread (:class:`netmap.network.spread.LiveEdgeSamples`):

    sigma(S) = mean over snapshots r of |union of C_r(s) for s in S|

the number of people reached, **the picks themselves included** (so
``sigma`` is monotone and ``cumulative_spread`` never decreases; a single
person's ``marginal_spread`` is their ``spread`` + 1). The gain of adding ``v``
is the mean size of ``v``'s component in the snapshots where no earlier pick
already covers it. Lazy greedy (CELF, Leskovec et al., KDD 2007) re-evaluates
only the person on top of a priority queue of stale upper bounds, which
submodularity makes valid. Gains are summed as integers, so ties are exact and
broken by the smaller person id: deterministic.

Candidates: the people one can actually nurture. The app should pass
:func:`customer_ids` (customers and anyone with known feedback); ``None`` means
everyone in the samples.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping

import networkx as nx
import numpy as np
import pandas as pd

from netmap.network.nurture import _people, plain
from netmap.network.spread import LiveEdgeSamples

__all__ = ["PLAN_COLUMNS", "customer_ids", "nurture_plan"]

#: Columns of :func:`nurture_plan`, in order.
PLAN_COLUMNS = ["rank", "person_id", "name", "marginal_spread", "cumulative_spread", "reason"]


def customer_ids(G: nx.Graph) -> list[int]:
    """People one can nurture: customers, and anyone whose feeling is known (sorted ids)."""
    return sorted(
        v for v, d in G.nodes(data=True)
        if d.get("is_customer") or d.get("feeling", "unknown") not in (None, "unknown")
    )


def nurture_plan(
    samples: LiveEdgeSamples,
    k: int = 10,
    candidates: Iterable[int] | None = None,
    *,
    names: Mapping[int, str] | None = None,
    communities: Mapping[int, int] | None = None,
    labels: Mapping[int, str] | None = None,
) -> pd.DataFrame:
    """Greedy (CELF) choice of ``k`` people whose word of mouth overlaps least.

    Parameters
    ----------
    samples : LiveEdgeSamples
        From :func:`netmap.network.spread.spread_measures`.
    k : int
        How many people to pick (fewer if there are fewer candidates).
    candidates : iterable of int, optional
        Person ids allowed in the plan; ``None`` = everyone in ``samples``.
    names, communities, labels : mappings, optional
        For the ``name`` column and the cluster named in ``reason``.

    Returns
    -------
    pandas.DataFrame
        Columns exactly :data:`PLAN_COLUMNS`: ``marginal_spread`` = expected
        people newly reached (the pick included), ``cumulative_spread`` =
        ``sigma`` of the picks so far; ``reason`` e.g. "reaches ~25 people
        the earlier picks don't (Lyon · Retail)".
    """
    if k < 0:
        raise ValueError(f"k must be >= 0, got {k!r}")
    if candidates is None:
        cand = samples.nodes.copy()
    else:
        cand = np.unique(np.asarray(list(candidates), dtype=np.int64))
    cols = samples.index_of(cand)
    labels_rc = samples.labels
    sizes = samples.sizes.astype(np.int64)
    R = samples.n_samples
    covered = np.zeros(len(sizes), dtype=bool)

    # initial gains for every candidate, vectorised in column chunks
    gains = np.zeros(len(cols), dtype=np.int64)
    step = max(1, 20_000_000 // max(R, 1))
    for a in range(0, len(cols), step):
        gains[a:a + step] = sizes[labels_rc[:, cols[a:a + step]]].sum(axis=0)
    heap = [(-int(g), int(pid), i) for i, (g, pid) in enumerate(zip(gains, cand))]
    heapq.heapify(heap)
    fresh = np.full(len(cols), 0, dtype=np.int64)  # round in which gains[i] was computed

    rows = []
    total = 0
    for rnd in range(min(k, len(cols))):
        while True:
            neg, pid, i = heapq.heappop(heap)
            if fresh[i] == rnd:
                break
            comps = labels_rc[:, cols[i]]
            g = int((sizes[comps] * ~covered[comps]).sum())
            gains[i], fresh[i] = g, rnd
            heapq.heappush(heap, (-g, pid, i))
        comps = labels_rc[:, cols[i]]
        covered[comps] = True
        fresh[i] = -1  # never again
        g = -neg
        total += g
        marginal, cumulative = g / R, total / R
        where = ""
        if communities is not None and pid in communities:
            c = communities[pid]
            lab = plain(labels[c]) if labels is not None and c in labels else f"#{c}"
            where = f" ({lab})"
        if rnd == 0:
            reason = f"reaches {_people(marginal)}, themselves included{where}"
        else:
            reason = f"reaches {_people(marginal)} the earlier picks don't{where}"
        rows.append({
            "rank": rnd + 1,
            "person_id": pid,
            "name": plain(names.get(pid, "")) if names is not None else "",
            "marginal_spread": marginal,
            "cumulative_spread": cumulative,
            "reason": reason,
        })
    return pd.DataFrame(rows, columns=PLAN_COLUMNS)
