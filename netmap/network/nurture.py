"""Whom to nurture next: spread combined with how a person feels.

The rule: a promoter with large spread -> *amplify* (ask for an introduction
or a referral); a passive (NPS 7-8) with large spread -> *elevate* ("good"
into "great"); a detractor with large spread -> *recover* (bad feelings spread
too); no feedback yet and large spread -> *ask* (send the survey); everyone
else -> *none*.

Rules (all deterministic)
-------------------------
Who can be nurtured
    People one can actually call: customers (``is_customer``) and anyone who
    has answered a survey (their feeling is known). Others (leads, friends of
    friends) get ``none``. When neither the table nor the graph says who is a
    customer, everyone is eligible.
Large spread
    Among eligible people with ``spread > 0``: ``spread`` at or above the
    ``1 - top_share`` quantile (default: the top 25 %), **or** a positive
    ``bridge_score`` at or above the ``1 - bridge_share`` quantile (default: the
    top 10 %) - a broker between clusters carries word of mouth where it would
    not otherwise go, even when the cascade estimate is modest.
nurture_score
    ``100 * weight(action) * (0.7 * pct(spread) + 0.3 * pct(bridge_score))``,
    in [0, 100], where ``pct`` is the percentile rank among eligible people
    (ties share their average rank) and the weights are amplify 1.0, recover
    0.9, elevate 0.8, ask 0.6 (an introduction pays off now; a detractor's
    bad word reaches the same people; elevating is a longer effort; asking is
    cheap but its payoff unknown). 0 for ``none``. Rounded to 3 decimals.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..text import plain

if TYPE_CHECKING:
    import networkx as nx

__all__ = [
    "ACTIONS",
    "ACTION_ADVICE",
    "ACTION_WEIGHTS",
    "feeling_action",
    "RANKING_COLUMNS",
    "nurture_actions",
    "nurture_ranking",
    "plain",
]

#: The actions, in the order a founder reads them.
ACTIONS = ("amplify", "elevate", "recover", "ask", "none")
#: Weight of each action in ``nurture_score`` (see module docstring).
ACTION_WEIGHTS = {"amplify": 1.0, "recover": 0.9, "elevate": 0.8, "ask": 0.6, "none": 0.0}
#: Columns of :func:`nurture_ranking`, in order.
RANKING_COLUMNS = [
    "rank", "person_id", "name", "owner", "feeling", "nps",
    "action", "spread", "nurture_score", "reason",
]
_FEELING_ACTION = {"promoter": "amplify", "passive": "elevate", "detractor": "recover"}
#: What to do, per action, in the words the reasons use.
ACTION_ADVICE = {
    "amplify": "ask for an introduction or a referral",
    "elevate": "turn good into great",
    "recover": "follow up now",
    "ask": "send the survey",
}


def feeling_action(feeling: str | None) -> str:
    """The action for a feeling: promoter amplify, passive elevate, detractor recover, else ask."""
    return _FEELING_ACTION.get(str(feeling or "unknown"), "ask")


def _num(x) -> float:
    try:
        f = float(x)
    except (TypeError, ValueError):
        return 0.0
    return 0.0 if math.isnan(f) else f


def _missing_num(x) -> bool:
    try:
        return x is None or math.isnan(float(x))
    except (TypeError, ValueError):
        return True


def _eligible(table: pd.DataFrame, G: nx.Graph | None) -> pd.Series:
    known = table["feeling"].fillna("unknown").astype(str).ne("unknown")
    if "is_customer" in table.columns:
        cust = table["is_customer"].fillna(False).astype(bool)
    elif G is not None and any("is_customer" in d for _, d in G.nodes(data=True)):
        flag = {v: d["is_customer"] for v, d in G.nodes(data=True) if "is_customer" in d}
        cust = pd.Series([bool(flag.get(p, False)) for p in table.index], index=table.index)
    else:
        return pd.Series(True, index=table.index)
    return cust | known


def _clusters(pid, own, G, communities, labels, limit=2) -> list[tuple[str, int]]:
    """The clusters a person's ties go to, with how many ties: own first, then
    the others by number of ties (then total strength), at most ``limit`` others."""
    def label(c):
        if labels is not None and c in labels:
            return plain(labels[c])
        return f"#{c}"

    if own is None or (isinstance(own, float) and math.isnan(own)):
        return []
    own = int(own)
    count: dict[int, int] = {}
    weight: dict[int, float] = {}
    if G is not None and communities is not None and pid in G:
        for nb, d in G[pid].items():
            c = communities.get(nb)
            if c is not None:
                count[c] = count.get(c, 0) + 1
                weight[c] = weight.get(c, 0.0) + _num(d.get("strength", 1.0))
    others = sorted((c for c in count if c != own), key=lambda c: (-count[c], -weight[c], label(c), c))
    return [(label(own), count.get(own, 0))] + [(label(c), count[c]) for c in others[:limit]]


def _ties(n: int) -> str:
    return f"{n:,} tie" if n == 1 else f"{n:,} ties"


def _where(clusters: list[tuple[str, int]]) -> str:
    """Which clusters a person's ties reach, stating only what the counts carry:
    "links A (12 ties) and B (3 ties)" when two or more ties leave their own
    cluster, "in the A cluster (12 ties), 1 tie to B" for a single one."""
    (own, n_own), others = clusters[0], clusters[1:]
    outside = sum(n for _, n in others)
    if outside >= 2:
        return "links " + _join([f"{own} ({_ties(n_own)})"] + [f"{lab} ({_ties(n)})" for lab, n in others])
    if outside == 1:
        return f"in the {own} cluster ({_ties(n_own)}), 1 tie to {others[0][0]}"
    return f"in the {own} cluster ({_ties(n_own)})" if n_own else f"in the {own} cluster"


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _people(x: float, se: float | None = None) -> str:
    """"~4.1 people", and with a standard error "~4.1 people (±0.3)": the ± is
    1.96 standard errors (a 95 % interval), at the figure's precision or finer."""
    if x < 10:
        s = f"{x:.1f}"
        text = f"~{s} {'person' if s == '1.0' else 'people'}"
    else:
        text = f"~{round(x):,} people"
    if se is None or not math.isfinite(se):
        return text
    half = 1.96 * se
    if x < 10 and half < 9.95:
        pm = f"{max(half, 0.1):.1f}"  # never more certainty than the one decimal shown
    else:
        pm = f"{max(round(half), 1):,}"
    return f"{text} (±{pm})"


def _score_text(nps, scale) -> str:
    f = _num(nps)
    num = str(int(f)) if f == int(f) else f"{f:g}"
    return f"{'CSAT' if str(scale).lower() == 'csat' else 'NPS'} {num}"


def _reason(row, action, clusters) -> str:
    parts = []
    if clusters:
        parts.append(_where(clusters))
    feeling = str(row.get("feeling") or "unknown")
    nps = row.get("nps")
    has_score = nps is not None and not (isinstance(nps, float) and math.isnan(nps))
    if feeling == "unknown":
        parts.append("no feedback yet")
    else:
        parts.append(f"{feeling}, {_score_text(nps, row.get('scale'))}" if has_score else feeling)
    se = row.get("spread_se")
    reach = _people(_num(row.get("spread")), None if _missing_num(se) else _num(se))
    two = int(_num(row.get("reach2")))
    tail = f" ({two:,} within two steps)" if two else ""
    word = {"amplify": "good word of mouth", "elevate": "good word of mouth", "recover": "bad word of mouth",
            "ask": "word of mouth"}[action]
    parts.append(f"{ACTION_ADVICE[action]}: {word} would reach {reach} besides them{tail}")
    return "; ".join(parts)


def nurture_actions(
    table: pd.DataFrame,
    G: nx.Graph | None = None,
    communities: Mapping[int, int] | None = None,
    labels: Mapping[int, str] | None = None,
    *,
    top_share: float = 0.25,
    bridge_share: float = 0.10,
) -> pd.DataFrame:
    """Add ``action``, ``nurture_score`` and ``reason`` to a per-person table.

    Parameters
    ----------
    table : pandas.DataFrame
        Indexed by person id, with at least ``name, owner, feeling, nps,
        spread, reach2, bridge_score, community`` (optional ``is_customer``,
        ``scale``).
    G, communities, labels :
        The graph, ``{person: community}`` (default: the table's
        ``community`` column) and ``{community: label}``, used to say which
        clusters a person bridges (neighbours' communities weighted by tie
        strength). All optional; without labels a cluster is named ``#id``.
    top_share, bridge_share : float
        "Large spread" = top ``top_share`` of spread or top ``bridge_share`` of
        bridge score among people one can nurture (module docstring).

    Returns
    -------
    pandas.DataFrame
        A copy of ``table`` with the three new columns.
    """
    missing = {"name", "owner", "feeling", "nps", "spread", "reach2", "bridge_score", "community"} - set(table.columns)
    if missing:
        raise ValueError(f"table lacks columns {sorted(missing)}")
    for share in (top_share, bridge_share):
        if not 0 < share <= 1:
            raise ValueError(f"shares must be in (0, 1], got {share!r}")
    out = table.copy()
    if communities is None and G is not None:
        communities = {p: int(c) for p, c in out["community"].items() if not _missing_num(c)}
    spread = pd.to_numeric(out["spread"], errors="coerce").fillna(0.0)
    bridge = pd.to_numeric(out["bridge_score"], errors="coerce").fillna(0.0)
    elig = _eligible(out, G)
    pool = elig & (spread > 0)
    large = pd.Series(False, index=out.index)
    if pool.any():
        s_cut = float(np.quantile(spread[pool].to_numpy(), 1 - top_share))
        b_pos = bridge[pool & (bridge > 0)]
        large = pool & (spread >= s_cut)
        if len(b_pos):
            b_cut = float(np.quantile(bridge[pool].to_numpy(), 1 - bridge_share))
            large |= pool & (bridge > 0) & (bridge >= b_cut)
    pct_s = spread[elig].rank(pct=True, method="average").reindex(out.index, fill_value=0.0)
    pct_b = bridge[elig].rank(pct=True, method="average").reindex(out.index, fill_value=0.0)
    feeling = out["feeling"].fillna("unknown").astype(str)
    action = feeling.map(lambda f: _FEELING_ACTION.get(f, "ask")).where(large, "none")
    weight = action.map(ACTION_WEIGHTS).astype(float)
    score = (100.0 * weight * (0.7 * pct_s + 0.3 * pct_b)).round(3)
    reasons = pd.Series("", index=out.index, dtype=object)
    todo = out.index[(action != "none").to_numpy()]
    for pid, row in zip(todo, out.loc[todo].to_dict(orient="records")):
        clusters = _clusters(pid, row.get("community"), G, communities, labels)
        reasons.loc[pid] = _reason(row, action.loc[pid], clusters)
    out["action"] = action
    out["nurture_score"] = score.where(action != "none", 0.0)
    out["reason"] = reasons.astype(str)
    return out


def nurture_ranking(
    table: pd.DataFrame, top: int | None = None, owner: str | None = None
) -> pd.DataFrame:
    """The people to nurture, best first.

    Rows with an action other than ``none``, sorted by ``nurture_score``
    descending then ``canonical_rank`` (when the table has it: an order of the
    data, :mod:`netmap.network.canonical`) else ``person_id`` ascending, optionally only those whose
    ``owner`` matches (case-insensitive, surrounding spaces ignored), cut to
    ``top`` rows. Columns exactly :data:`RANKING_COLUMNS`.
    """
    if "action" not in table.columns:
        table = nurture_actions(table)
    df = table[table["action"] != "none"].copy()
    if owner is not None:
        want = plain(owner).casefold()
        df = df[df["owner"].map(lambda o: plain(o).casefold() == want)]
    df = df.reset_index(drop=True).assign(person_id=df.index.to_numpy())
    tie = "canonical_rank" if "canonical_rank" in df.columns else "person_id"
    df = df.sort_values(["nurture_score", tie], ascending=[False, True], kind="mergesort")
    if top is not None:
        df = df.head(max(int(top), 0))
    df["rank"] = np.arange(1, len(df) + 1)
    return df[RANKING_COLUMNS].reset_index(drop=True)
