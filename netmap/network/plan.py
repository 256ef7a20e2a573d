"""The best k people to nurture *together* (greedy influence maximisation).

Kempe, Kleinberg & Tardos (KDD 2003) show that the expected spread
``sigma(S)`` of a seed set ``S`` under the independent-cascade model is monotone
and submodular, so the greedy algorithm - repeatedly add the person with the
largest marginal gain - reaches at least ``(1 - 1/e)`` (~63 %) of the best
possible spread of any ``k`` people (Nemhauser, Wolsey & Fisher 1978), up to
the sampling error. The choice is made over kept live-edge snapshots
(:class:`netmap.network.spread.LiveEdgeSamples`):

    sigma(S) = mean over snapshots r of |union of C_r(s) for s in S|

Lazy greedy (CELF, Leskovec et al., KDD 2007) re-evaluates only the person on
top of a priority queue of stale upper bounds, which submodularity makes valid.
Gains are summed as integers, so ties are exact and broken by the smaller person
id (the analysis runs on canonical ids, :mod:`netmap.network.canonical`, so
that is an order of the data, not of its import): deterministic.

The figures, in the words of every other spread figure (people reached *besides
the person*): ``marginal_spread`` = the people a pick newly reaches besides
themselves (none in a snapshot where an earlier pick's cascade already reached
them), ``cumulative_spread`` their running sum. A plan's first figure is thus its
first pick's ``spread``. The figures are best measured on *other* snapshots than
the ones that chose the plan (``figures=``, from
:func:`netmap.network.spread.estimate_spread`): the picks are the people who
looked best on the choosing snapshots, so those snapshots misstate them (the
winner's curse; ``benchmarks/insight.py`` measures it against an independent
reference).

Candidates: the people one can actually nurture. The app should pass
:func:`customer_ids` (customers and anyone with known feedback); ``None`` means
everyone in the samples. A pick's ``action`` is what to do for them given how
they feel (:func:`netmap.network.nurture.feeling_action`), whatever their rank on
the nurture list.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping

import networkx as nx
import numpy as np
import pandas as pd

from netmap.model import PLAN_COLUMNS
from netmap.network.nurture import ACTION_ADVICE, _people, feeling_action
from netmap.text import plain
from netmap.network.spread import LiveEdgeSamples


__all__ = [
    "PLAN_COLUMNS", "PLAN_EXTRA_COLUMNS", "choose_plan", "customer_ids", "nurture_plan", "ordinal", "plan_table",
    "why_here",
]

#: Columns :func:`nurture_plan` adds after the contract's (:data:`netmap.model.PLAN_COLUMNS`).
PLAN_EXTRA_COLUMNS = ["action", "feeling", "marginal_se"]


def customer_ids(G: nx.Graph) -> list[int]:
    """People one can nurture: customers, and anyone whose feeling is known (sorted ids)."""
    return sorted(
        v for v, d in G.nodes(data=True)
        if d.get("is_customer") or d.get("feeling", "unknown") not in (None, "unknown")
    )


def choose_plan(samples: LiveEdgeSamples, k: int, candidates: Iterable[int] | None = None) -> tuple[list[int], np.ndarray, np.ndarray]:
    """Greedy (CELF) choice of up to ``k`` candidates over ``samples``.

    Returns the picks (person ids, in order), and per pick the number of people it
    newly reaches, summed over the snapshots: besides itself, and counting itself.
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

    picks, others, total = [], [], []
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
        new = int((~covered[comps]).sum())  # snapshots where the pick's cascade is new
        covered[comps] = True
        fresh[i] = -1  # never again
        picks.append(pid)
        total.append(-neg)
        others.append(-neg - new)
    return picks, np.asarray(others, dtype=np.int64), np.asarray(total, dtype=np.int64)


def nurture_plan(
    samples: LiveEdgeSamples,
    k: int = 10,
    candidates: Iterable[int] | None = None,
    *,
    names: Mapping[int, str] | None = None,
    communities: Mapping[int, int] | None = None,
    labels: Mapping[int, str] | None = None,
    feelings: Mapping[int, str] | None = None,
    figures=None,
) -> pd.DataFrame:
    """Greedy (CELF) choice of ``k`` people whose word of mouth overlaps least.

    Parameters
    ----------
    samples : LiveEdgeSamples
        The snapshots the plan is chosen over
        (:func:`netmap.network.spread.sample_live_edges`).
    k : int
        How many people to pick (fewer if there are fewer candidates).
    candidates : iterable of int, optional
        Person ids allowed in the plan; ``None`` = everyone in ``samples``.
    names, communities, labels, feelings : mappings, optional
        For the ``name`` column, the cluster named in ``reason``, and each pick's
        ``action`` (from their feeling; unknown without ``feelings``).
    figures : callable, optional
        ``figures(picks) -> (marginal, marginal_se)``: the people each pick newly
        reaches besides themselves, measured on independent snapshots (see the
        module docstring). Without it the figures come from ``samples`` themselves.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`PLAN_COLUMNS` then :data:`PLAN_EXTRA_COLUMNS`;
        ``reason`` e.g. "ask for an introduction or a referral (promoter):
        reaches ~25 people the earlier picks don't (±2), in Lyon · Retail".
    """
    picks, others, _ = choose_plan(samples, k, candidates)
    if figures is not None and picks:
        marginal, marginal_se = (np.asarray(x, dtype=np.float64) for x in figures(picks))
    else:
        marginal, marginal_se = others / samples.n_samples, np.full(len(picks), np.nan)
    return plan_table(picks, marginal, marginal_se, names=names, communities=communities, labels=labels,
                      feelings=feelings)


def plan_table(
    picks, marginal, marginal_se, *,
    names: Mapping[int, str] | None = None,
    communities: Mapping[int, int] | None = None,
    labels: Mapping[int, str] | None = None,
    feelings: Mapping[int, str] | None = None,
) -> pd.DataFrame:
    """The plan as a table (:func:`nurture_plan`'s columns) from its picks, in order, and the
    people each newly reaches besides themselves (``marginal``, ``marginal_se``: NaN when
    unknown)."""
    marginal = np.asarray(marginal, dtype=np.float64)
    marginal_se = np.asarray(marginal_se, dtype=np.float64)
    cumulative = np.cumsum(marginal)
    rows = []
    for rnd, pid in enumerate(picks):
        where = ""
        if communities is not None and pid in communities:
            c = communities[pid]
            lab = plain(labels[c]) if labels is not None and c in labels else f"#{c}"
            where = f", in {lab}"
        feeling = str((feelings or {}).get(pid) or "unknown")
        action = feeling_action(feeling)
        se = marginal_se[rnd]
        reach = _people(marginal[rnd], None if np.isnan(se) else se)
        who = "no feedback yet" if feeling == "unknown" else feeling
        if rnd == 0:
            tail = f"word of mouth would reach {reach} besides them"
        else:
            tail = f"reaches {reach} the earlier picks don't"
        rows.append({
            "rank": rnd + 1,
            "person_id": pid,
            "name": plain(names.get(pid, "")) if names is not None else "",
            "marginal_spread": float(marginal[rnd]),
            "cumulative_spread": float(cumulative[rnd]),
            "reason": f"{ACTION_ADVICE[action]} ({who}): {tail}{where}",
            "action": action,
            "feeling": feeling,
            "marginal_se": float(se),
        })
    return pd.DataFrame(rows, columns=PLAN_COLUMNS + PLAN_EXTRA_COLUMNS)


def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st ..."""
    n = int(n)
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _about(x: float) -> str:
    return f"~{x:.1f}" if x < 10 else f"~{round(x):,}"


#: Below this share of a pick's own reach reached already by the earlier picks, the pick is
#: said to reach "a part of the network the earlier picks do not".
NEW_PART = 0.15


def why_here(rank: int, marginal: float, spread: float, feeling: str | None, nurture_rank: int | None,
             widest: int | None = None) -> str:
    """Why a pick stands at ``rank`` in the plan, and why that differs from the nurture list,
    from the figures alone.

    ``marginal``: the people the pick adds to the plan (``marginal_spread``); ``spread``: the
    people they reach alone (the list's ``spread``); ``nurture_rank``: their place on the list
    (``None``: not on it); ``widest``: the place of their own reach among everyone the plan
    could pick (1 = the widest), for the first pick. E.g. "#13 on the list; picked 2nd because
    they reach a part of the network the earlier picks do not (~5.0 of the ~5.0 people they
    reach alone); no survey answer yet: ask first".
    """
    feeling = str(feeling or "unknown")
    parts = [f"#{int(nurture_rank)} on the list" if nurture_rank is not None else
             "not on the list, which keeps the widest reach and the strongest brokers"]
    pick = f"picked {ordinal(rank)}"
    if rank == 1:
        if widest is None or widest <= 1:
            parts.append(f"{pick} because their word of mouth reaches the most people ({_about(spread)} alone)")
        else:
            parts.append(f"{pick} because their reach looked widest on the samples the plan is chosen over "
                         f"({_about(spread)} people alone, the {ordinal(widest)} widest as measured)")
    else:
        overlap = 1.0 - marginal / spread if spread > 0 else 0.0
        if overlap < NEW_PART:
            parts.append(f"{pick} because they reach a part of the network the earlier picks do not "
                         f"({_about(marginal)} of the {_about(spread)} people they reach alone)")
        else:
            parts.append(f"{pick} because they add {_about(marginal)} of the {_about(spread)} people they reach alone: "
                         "the earlier picks reach the rest")
    if nurture_rank is not None and int(nurture_rank) > rank:
        parts.append("lower on the list, which also weighs how they feel and how much they broker")
    if feeling == "unknown":
        parts.append("no survey answer yet: ask first")
    return "; ".join(parts)
