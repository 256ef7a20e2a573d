"""Build the customer relationship network from a :class:`~netmap.model.Dataset`.

The graph is the single contract between the data and every measure:

* an undirected :class:`networkx.Graph` whose nodes are person ids (``int``);
  every person of the dataset is a node, even without any tie;
* node attributes ``name, crm_id, email, company, owner, stage, segment, region,
  is_customer, nps, scale, feeling, feedback_count``;
* edge attributes ``strength, explicit, kinds, referrers, shared, same_company,
  last_contact``;
* graph attributes ``as_of``, ``version``, ``max_interaction_size`` and
  ``ignored_evidence`` (evidence rows that named a person id missing from
  ``dataset.people``; they are left out, not invented as nodes).

An edge exists when two people are joined by an explicit relationship, a
referral, at least one shared interaction (a meeting, event, deal or email
thread with at most :data:`MAX_INTERACTION_SIZE` participants), or a shared
account: colleagues at the same company are tied (a person's company ties them
to colleagues at the same company), weakly, when the company
has at most :data:`MAX_COMPANY_SIZE` people in the data. In a larger company
being colleagues says little about knowing each other and would turn it into a
clique, so there it only strengthens ties that other evidence makes. Self-loops
never reach the graph.

The heavy part -- turning interactions into pairs -- is vectorised with numpy:
interactions of equal size are stacked into one matrix and expanded with
``numpy.triu_indices``; pairs are grouped by an integer key. Python loops touch
each input row once (reading the frozen dataclasses) but never all pairs.

This module also holds the small private helpers that turn a graph into arrays
and sparse matrices for the measures in :mod:`netmap.network` (nodes in sorted
order, so results never depend on insertion order).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

import networkx as nx
import numpy as np

from netmap.model import Dataset, Person, company_key, feeling_of, holds_over
from netmap.network.arrays import gc_paused

__all__ = [
    "build_graph",
    "tie_strength",
    "MAX_INTERACTION_SIZE",
    "MAX_COMPANY_SIZE",
    "RELATIONSHIP_DEFAULT",
    "REFERRAL_EVIDENCE",
    "INTERACTION_SCALE",
    "SAME_COMPANY_EVIDENCE",
    "HALF_LIFE_DAYS",
    "RECENCY_FLOOR",
    "MIN_STRENGTH",
]

#: Interactions with more participants than this contribute no pairwise ties: a
#: 500-person webinar says nothing about whether two attendees know each other,
#: and its 124,750 pairs would swamp the graph.
MAX_INTERACTION_SIZE = 50

#: Companies with at most this many people tie every pair of colleagues (a
#: shared account); larger ones only strengthen ties made by other evidence.
MAX_COMPANY_SIZE = 30

#: Evidence of an explicit relationship whose source gave no strength.
RELATIONSHIP_DEFAULT = 0.5
#: Evidence of a referral (either direction): vouching for someone is strong.
REFERRAL_EVIDENCE = 0.8
#: Scale ``k`` of the shared-interaction evidence ``1 - exp(-n / k)``:
#: 1 shared interaction -> 0.28, 3 -> 0.63, 6 -> 0.86, 10 -> 0.96.
INTERACTION_SCALE = 3.0
#: Evidence of working at the same company (alone: a weak tie of this strength).
SAME_COMPANY_EVIDENCE = 0.2
#: Age (days before ``as_of``) at which the recency factor is halfway to its floor.
HALF_LIFE_DAYS = 365.0
#: Recency factor of a very old tie: old ties fade but never vanish.
RECENCY_FLOOR = 0.3
#: Lower clip of a tie strength, so that every tie is in (0, 1].
MIN_STRENGTH = 0.05

_NO_DATE = -1  # ordinal sentinel (real ordinals are >= 1)


# --------------------------------------------------------------------------- #
# Tie strength
# --------------------------------------------------------------------------- #
def tie_strength(
    *,
    explicit: float | None = None,
    relationship: bool = False,
    referral: bool = False,
    shared: int = 0,
    same_company: bool = False,
    age_days: float | None = None,
) -> float:
    r"""Strength in (0, 1] of the tie between two people, from its evidence.

    Each kind of evidence is read as an independent chance ``e`` that the two
    people really know each other, the chances are combined as a noisy-OR, and
    the result fades with the age of the newest evidence:

    .. math::

        p = 1 - (1 - e_{rel})(1 - e_{ref})(1 - e_{int})(1 - e_{co})

        r = f + (1 - f)\, 2^{-a / h}

        s = \min(1, \max(0.05,\; p \cdot r))

    with

    * ``e_rel`` -- the explicit relationship strength if the source gave one
      (clipped to [0, 1]), else ``RELATIONSHIP_DEFAULT = 0.5`` if there is a
      relationship without strength, else 0;
    * ``e_ref = REFERRAL_EVIDENCE = 0.8`` if either person referred the other,
      else 0;
    * ``e_int = 1 - exp(-n / INTERACTION_SCALE)``, ``INTERACTION_SCALE = 3``,
      for ``n`` shared interactions (diminishing returns: 1 -> 0.28,
      3 -> 0.63, 10 -> 0.96);
    * ``e_co = SAME_COMPANY_EVIDENCE = 0.2`` if both work at the same company,
      else 0;
    * ``a`` -- age in days of the newest evidence before ``dataset.as_of``
      (negative ages count as 0), ``h = HALF_LIFE_DAYS = 365`` and floor
      ``f = RECENCY_FLOOR = 0.3``: a tie last seen a year ago keeps 65 % of its
      strength, a very old one 30 %. Without a date or without ``as_of`` there
      is no recency penalty (``r = 1``);
    * the final clip to ``[MIN_STRENGTH, 1] = [0.05, 1]`` keeps every tie
      visible.

    The strength is deterministic, and non-decreasing in ``explicit``,
    ``shared``, ``referral``, ``relationship`` and ``same_company``.

    Parameters
    ----------
    explicit : float or None
        Strongest explicit relationship strength given by the source, in (0, 1].
    relationship : bool
        True when an explicit relationship exists (implied by ``explicit``).
    referral : bool
        True when one of the two referred the other.
    shared : int
        Number of distinct interactions both took part in.
    same_company : bool
        True when both work at the same company.
    age_days : float or None
        Days between the newest evidence and ``as_of``; ``None`` when unknown.

    Returns
    -------
    float
        The tie strength in [0.05, 1].

    Examples
    --------
    >>> round(tie_strength(referral=True), 4)
    0.8
    >>> round(tie_strength(shared=3), 4)
    0.6321
    >>> round(tie_strength(referral=True, shared=3, age_days=365), 4)
    0.6022
    """
    return float(
        _tie_strength_array(
            np.array([np.nan if explicit is None else float(explicit)]),
            np.array([bool(relationship)]),
            np.array([bool(referral)]),
            np.array([shared], dtype=np.float64),
            np.array([bool(same_company)]),
            np.array([np.nan if age_days is None else float(age_days)]),
        )[0]
    )


def _tie_strength_array(
    explicit: np.ndarray,
    relationship: np.ndarray,
    referral: np.ndarray,
    shared: np.ndarray,
    same_company: np.ndarray,
    age_days: np.ndarray,
) -> np.ndarray:
    """Vectorised :func:`tie_strength` (NaN means "unknown"/"none")."""
    given = ~np.isnan(explicit)
    e_rel = np.where(
        given,
        np.clip(np.nan_to_num(explicit, nan=0.0), 0.0, 1.0),
        np.where(relationship, RELATIONSHIP_DEFAULT, 0.0),
    )
    e_ref = np.where(referral, REFERRAL_EVIDENCE, 0.0)
    e_int = 1.0 - np.exp(-np.maximum(shared, 0.0) / INTERACTION_SCALE)
    e_co = np.where(same_company, SAME_COMPANY_EVIDENCE, 0.0)
    p = 1.0 - (1.0 - e_rel) * (1.0 - e_ref) * (1.0 - e_int) * (1.0 - e_co)
    age = np.maximum(np.nan_to_num(age_days, nan=0.0), 0.0)
    recency = RECENCY_FLOOR + (1.0 - RECENCY_FLOOR) * np.exp2(-age / HALF_LIFE_DAYS)
    return np.clip(p * recency, MIN_STRENGTH, 1.0)


# --------------------------------------------------------------------------- #
# Graph building
# --------------------------------------------------------------------------- #
def build_graph(
    dataset: Dataset,
    *,
    max_interaction_size: int = MAX_INTERACTION_SIZE,
    max_company_size: int = MAX_COMPANY_SIZE,
) -> nx.Graph:
    """Build the undirected relationship graph of a dataset.

    Parameters
    ----------
    dataset : Dataset
        People and the evidence between them. If a person id occurs twice in
        ``dataset.people`` the first occurrence wins.
    max_interaction_size : int, optional
        Interactions with more distinct participants contribute no pairwise
        ties (default :data:`MAX_INTERACTION_SIZE` = 50).
    max_company_size : int, optional
        Companies with at most this many people tie every pair of colleagues
        (default :data:`MAX_COMPANY_SIZE` = 30); 0 turns shared-account ties off.

    Returns
    -------
    networkx.Graph
        Nodes are the person ids in increasing order, edges in increasing
        ``(a, b)`` order. Node attributes:

        * ``name, crm_id, email, company, owner, stage, segment, region`` --
          copied from :class:`~netmap.model.Person`;
        * ``is_customer`` (bool);
        * ``nps`` -- latest feedback score (float) or None; ``scale`` --
          ``"nps"``, ``"csat"`` or None; ``feeling`` -- ``feeling_of`` the
          latest feedback, ``"unknown"`` without feedback. "Latest" is by date;
          undated feedback counts as older than any dated one; among equal
          dates :func:`netmap.model.same_day_rank` (the lower feeling, whatever
          the order of the rows);
        * ``feedback_count`` (int).

        Edge attributes:

        * ``strength`` -- :func:`tie_strength` of the evidence, in (0, 1];
        * ``explicit`` -- the largest explicit relationship strength, or None;
        * ``kinds`` -- sorted tuple of distinct relationship kinds (may be
          empty);
        * ``referrers`` -- sorted tuple of the endpoint ids that referred the
          other endpoint (keeps the referral direction);
        * ``shared`` -- number of distinct shared interactions (of at most
          ``max_interaction_size`` participants);
        * ``same_company`` (bool) -- both have the same non-empty company
          (compared case-insensitively, surrounding spaces ignored);
        * ``last_contact`` -- newest date of any evidence (relationship
          ``since``, referral ``on``, interaction ``on``), or None.
    """
    with gc_paused():
        return _build_graph(dataset, max_interaction_size, max_company_size)


def _build_graph(dataset: Dataset, max_interaction_size: int, max_company_size: int) -> nx.Graph:
    people: dict[int, Person] = {}
    for person in dataset.people:
        people.setdefault(int(person.id), person)
    ids = np.array(sorted(people), dtype=np.int64)
    n = len(ids)

    G = nx.Graph()
    ignored = 0
    G.graph.update(
        as_of=dataset.as_of,
        version=dataset.version,
        max_interaction_size=max_interaction_size,
        max_company_size=max_company_size,
    )

    # Nodes ---------------------------------------------------------------
    latest = _latest_feedback(dataset, people)
    for pid in ids.tolist():
        p = people[pid]
        fb = latest.get(pid)
        score, scale, count = (fb[0], fb[1], fb[2]) if fb else (None, None, 0)
        G.add_node(
            pid,
            name=p.name,
            crm_id=p.crm_id,
            email=p.email,
            company=p.company,
            owner=p.owner,
            stage=p.stage,
            segment=p.segment,
            region=p.region,
            is_customer=bool(p.is_customer),
            nps=score,
            scale=scale,
            feeling=feeling_of(score, scale) if scale is not None else "unknown",
            feedback_count=count,
        )
    if n == 0:
        G.graph["ignored_evidence"] = _count_evidence(dataset)
        return G

    # Relationships -------------------------------------------------------
    rels = dataset.relationships
    r_u, r_v, r_ok, bad = _pairs(
        ids,
        np.fromiter((r.a_id for r in rels), np.int64, len(rels)),
        np.fromiter((r.b_id for r in rels), np.int64, len(rels)),
    )
    ignored += bad
    r_key = r_u * n + r_v
    r_strength = np.fromiter(
        (np.nan if r.strength is None else float(r.strength) for r in rels), np.float64, len(rels)
    )[r_ok]
    r_date = _ordinals([r.since for r in rels])[r_ok]
    r_kind = [r.kind for r, ok in zip(rels, r_ok.tolist()) if ok]

    # Referrals -----------------------------------------------------------
    refs = dataset.referrals
    f_from = np.fromiter((r.referrer_id for r in refs), np.int64, len(refs))
    f_u, f_v, f_ok, bad = _pairs(
        ids, f_from, np.fromiter((r.referred_id for r in refs), np.int64, len(refs))
    )
    ignored += bad
    f_key = f_u * n + f_v
    f_from = f_from[f_ok]
    f_date = _ordinals([r.on for r in refs])[f_ok]

    # Interactions --------------------------------------------------------
    i_key, i_date, bad = _interaction_pairs(dataset, ids, max_interaction_size)
    ignored += bad
    G.graph["ignored_evidence"] = ignored

    # Shared accounts: colleagues at a small company --------------------------
    company = _company_codes(people, ids)
    c_key = _company_pairs(company, n, max_company_size)

    # Union of all pairs ----------------------------------------------------
    keys = np.unique(np.concatenate([r_key, f_key, i_key, c_key]))
    m = len(keys)
    if m == 0:
        return G
    last = np.full(m, _NO_DATE, dtype=np.int64)

    # explicit strength and relationship presence
    r_idx = np.searchsorted(keys, r_key)
    has_rel = np.zeros(m, dtype=bool)
    has_rel[r_idx] = True
    explicit = np.full(m, -np.inf)
    np.fmax.at(explicit, r_idx, np.where(np.isnan(r_strength), -np.inf, r_strength))
    explicit[np.isinf(explicit)] = np.nan
    np.maximum.at(last, r_idx, r_date)
    kinds: dict[int, set[str]] = {}
    for idx, kind in zip(r_idx.tolist(), r_kind):
        if kind is not None and kind != "":
            kinds.setdefault(idx, set()).add(kind)

    # referrals
    f_idx = np.searchsorted(keys, f_key)
    has_ref = np.zeros(m, dtype=bool)
    has_ref[f_idx] = True
    np.maximum.at(last, f_idx, f_date)
    referrers: dict[int, set[int]] = {}
    for idx, who in zip(f_idx.tolist(), f_from.tolist()):
        referrers.setdefault(idx, set()).add(who)

    # shared interactions (i_key holds one row per (interaction, pair))
    shared = np.zeros(m, dtype=np.int64)
    if len(i_key):
        i_idx = np.searchsorted(keys, i_key)
        shared = np.bincount(i_idx, minlength=m).astype(np.int64)
        np.maximum.at(last, i_idx, i_date)

    # same company
    u = keys // n
    v = keys % n
    same_co = (company[u] >= 0) & (company[u] == company[v])

    # strength
    if dataset.as_of is not None:
        age = np.where(last == _NO_DATE, np.nan, dataset.as_of.toordinal() - last).astype(float)
    else:
        age = np.full(m, np.nan)
    strength = _tie_strength_array(explicit, has_rel, has_ref, shared.astype(float), same_co, age)

    # Edges through networkx's public API, in the data's order (so the adjacency, and every
    # measure that reads it, is the same); the attribute dicts are made in one pass.
    kinds_t = {i: tuple(sorted(k)) for i, k in kinds.items()}
    referrers_t = {i: tuple(sorted(r)) for i, r in referrers.items()}
    days = {d: date.fromordinal(d) for d in np.unique(last).tolist() if d != _NO_DATE}
    days[_NO_DATE] = None
    explicit_l = np.where(np.isnan(explicit), None, explicit.astype(object)).tolist()
    G.add_edges_from(
        (a, b, {
            "strength": s,
            "explicit": x,
            "kinds": kinds_t.get(i, ()),
            "referrers": referrers_t.get(i, ()),
            "shared": sh,
            "same_company": co,
            "last_contact": days[d],
        })
        for i, (a, b, s, x, sh, co, d) in enumerate(zip(
            ids[u].tolist(), ids[v].tolist(), strength.tolist(), explicit_l, shared.tolist(), same_co.tolist(),
            last.tolist()))
    )
    return G


def _count_evidence(dataset: Dataset) -> int:
    return (
        len(dataset.relationships)
        + len(dataset.referrals)
        + sum(len(i.participant_ids) for i in dataset.interactions)
    )


def _latest_feedback(
    dataset: Dataset, people: dict[int, Person]
) -> dict[int, tuple[float, str, int]]:
    """Per person: (latest score, its scale, number of answers); two on the latest day:
    :func:`netmap.model.same_day_rank` (whatever the order of the rows)."""
    best: dict[int, tuple[int, float, str]] = {}
    counts: dict[int, int] = {}
    for fb in dataset.feedback:
        pid = int(fb.person_id)
        if pid not in people:
            continue
        counts[pid] = counts.get(pid, 0) + 1
        day, score = (fb.on.toordinal() if fb.on is not None else _NO_DATE), float(fb.score)
        held = best.get(pid)
        if held is None or day > held[0] or (day == held[0] and holds_over(score, fb.scale, held[1], held[2])):
            best[pid] = (day, score, fb.scale)
    return {pid: (score, scale, counts[pid]) for pid, (_, score, scale) in best.items()}


def _ordinals(dates: Sequence[date | None]) -> np.ndarray:
    return np.fromiter(
        (_NO_DATE if d is None else d.toordinal() for d in dates), np.int64, len(dates)
    )


def _positions(ids: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions of ``values`` in the sorted ``ids`` and a mask of known ones."""
    pos = np.searchsorted(ids, values)
    pos_c = np.minimum(pos, len(ids) - 1)
    ok = ids[pos_c] == values
    return pos_c, ok


def _pairs(
    ids: np.ndarray, a: np.ndarray, b: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """Ordered position pairs (u < v), the mask of kept rows, and #unknown rows.

    Rows naming an unknown person are dropped and counted; self-pairs are
    dropped silently.
    """
    pa, oka = _positions(ids, a)
    pb, okb = _positions(ids, b)
    known = oka & okb
    ok = known & (pa != pb)
    return np.minimum(pa, pb)[ok], np.maximum(pa, pb)[ok], ok, int((~known).sum())


def _interaction_pairs(
    dataset: Dataset, ids: np.ndarray, cap: int
) -> tuple[np.ndarray, np.ndarray, int]:
    """One pair key (u * n + v, u < v) per (distinct interaction, pair) and its date."""
    n = len(ids)
    inter = dataset.interactions
    sizes = np.fromiter((len(i.participant_ids) for i in inter), np.int64, len(inter))
    total = int(sizes.sum())
    if total == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64), 0
    iid = np.repeat(np.fromiter((i.id for i in inter), np.int64, len(inter)), sizes)
    idate = np.repeat(_ordinals([i.on for i in inter]), sizes)
    person = np.fromiter(
        (p for i in inter for p in i.participant_ids), np.int64, total
    )
    pos, ok = _positions(ids, person)
    bad = int((~ok).sum())
    iid, pos, idate = iid[ok], pos[ok], idate[ok]
    # newest date per interaction id (a repeated id is one interaction)
    uid, inv = np.unique(iid, return_inverse=True)
    udate = np.full(len(uid), _NO_DATE, dtype=np.int64)
    np.maximum.at(udate, inv, idate)
    # distinct (interaction, person) rows, sorted by interaction then person
    order = np.lexsort((pos, inv))
    inv, pos = inv[order], pos[order]
    keep = np.ones(len(inv), dtype=bool)
    keep[1:] = (inv[1:] != inv[:-1]) | (pos[1:] != pos[:-1])
    inv, pos = inv[keep], pos[keep]
    size = np.bincount(inv, minlength=len(uid))
    row_size = size[inv]
    keys_out: list[np.ndarray] = [np.empty(0, np.int64)]
    dates_out: list[np.ndarray] = [np.empty(0, np.int64)]
    for s in np.unique(size[(size >= 2) & (size <= cap)]).tolist():
        sel = row_size == s
        block = pos[sel].reshape(-1, s)  # one row per interaction, persons sorted
        dates = udate[inv[sel][::s]]
        iu, ju = np.triu_indices(s, 1)
        keys_out.append((block[:, iu] * n + block[:, ju]).ravel())
        dates_out.append(np.repeat(dates, len(iu)))
    return np.concatenate(keys_out), np.concatenate(dates_out), bad


def _company_pairs(company: np.ndarray, n: int, cap: int) -> np.ndarray:
    """Pair keys (u * n + v, u < v) of colleagues at companies of 2..cap people."""
    known = np.flatnonzero(company >= 0)
    if len(known) < 2 or cap < 2:
        return np.empty(0, np.int64)
    order = known[np.argsort(company[known], kind="stable")]
    codes = company[order]
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]])
    sizes = np.diff(np.r_[starts, len(order)])
    out: list[np.ndarray] = [np.empty(0, np.int64)]
    for s in np.unique(sizes[(sizes >= 2) & (sizes <= cap)]).tolist():
        first = starts[sizes == s]
        block = np.sort(order[first[:, None] + np.arange(s)], axis=1)  # one row per company
        iu, ju = np.triu_indices(s, 1)
        out.append((block[:, iu] * n + block[:, ju]).ravel())
    return np.concatenate(out)


def colleague_pairs(people, cap: int = MAX_COMPANY_SIZE) -> np.ndarray:
    """(a, b) person-id pairs, one row per pair, of colleagues at companies of
    2..cap people, from (person id, company) rows: the shared-account tie rule
    of :func:`build_graph`, for counting ties without building the graph
    (:func:`count_ties`)."""
    ids: list[int] = []
    codes: dict[str, int] = {}
    company: list[int] = []
    for pid, name in people:
        key = company_key(name)
        if key:
            ids.append(pid)
            company.append(codes.setdefault(key, len(codes)))
    if not ids:
        return np.empty((0, 2), np.int64)
    idx = np.array(ids, dtype=np.int64)
    keys = _company_pairs(np.array(company, dtype=np.int64), len(idx), cap)
    return np.column_stack([idx[keys // len(idx)], idx[keys % len(idx)]])


def count_ties(evidence: np.ndarray, people, cap: int = MAX_COMPANY_SIZE) -> int:
    """How many ties :func:`build_graph` makes, without building it: ``evidence`` is the
    (a, b) rows of relationships, referrals and shared interactions of at most
    :data:`MAX_INTERACTION_SIZE` people, ``people`` (person id, company) rows for the
    colleague rule (:func:`colleague_pairs`). A pair counts once, whichever way round and
    however much evidence it has; nobody is tied to themselves
    (``netmap/storage/reads.py`` ``_tie_count`` reads the rows)."""
    both = np.concatenate([np.asarray(evidence, dtype=np.int64).reshape(-1, 2), colleague_pairs(people, cap)])
    lo, hi = both.min(axis=1), both.max(axis=1)
    keep = lo != hi
    return int(len(np.unique(lo[keep] * (int(hi.max(initial=0)) + 1) + hi[keep])))


def _company_codes(people: dict[int, Person], ids: np.ndarray) -> np.ndarray:
    """Integer code per person for the normalised company, -1 when none."""
    codes: dict[str, int] = {}
    out = np.full(len(ids), -1, dtype=np.int64)
    for i, pid in enumerate(ids.tolist()):
        name = company_key(people[pid].company)
        if name:
            out[i] = codes.setdefault(name, len(codes))
    return out
