"""Outcomes of the nurture log: did what we did for people change how they feel, and did they refer?

For each action type (thanked, fixed an issue, called, asked for an
introduction, sent a gift ...), nurtured people are set against comparable
people who were not nurtured, so that a wave of good feeling that lifted
everybody is not credited to the action. Pure functions over plain data, all
deterministic (a fixed seed drives the bootstrap; no input order matters).

Definitions
-----------
Episode
    A person's **first** action of a type inside the period looked at (one per
    person and type: a person called three times is one person, not three
    independent results). ``t`` is its date.
Feeling change
    ``after - before`` where *before* is the person's latest dated answer on
    or before ``t`` and *after* their first answer after ``t`` (on either
    scale; CSAT 1-5 answers are put on the 0-10 scale linearly,
    ``(csat - 1) * 2.5``, so a change is always in NPS points).
Referral
    A referral the person made on a day in ``(t, t + days]`` (``days``
    default 90).
Comparison group (matching)
    For each episode, one person who was **not nurtured** (no action of any
    type) in ``[t - days, t + days]``, had the **same feeling category** on
    ``t`` (:mod:`netmap.network.history`'s rule; "unknown" matches
    "unknown"), and is in the **same spread decile** (deciles of spread
    among the people given; when that decile has nobody suitable, an adjacent
    one). Among those, the one whose spread is nearest, then the lowest
    person id; a comparison person may serve several episodes (matching with
    replacement). For the feeling change both must have a before and an after
    answer; the comparison's before and after are taken around the same
    ``t``. Their difference is the pair's effect.
Estimates
    Feeling: the mean of the pairs' differences, with a 95 % percentile
    bootstrap interval over pairs (:data:`BOOTSTRAP_SAMPLES` resamples,
    seeded). Referrals: each group's referral rate with its 95 % Wilson score
    interval (Wilson 1927), and the difference of the rates with Newcombe's
    hybrid score interval (Newcombe 1998, method 10), built from the two
    Wilson intervals.
Verdict
    Fewer than :data:`MIN_PAIRS` (10) matched pairs: **"too few to tell"**
    - below that, one or two people who would have moved anyway decide the
    answer. Otherwise "better" / "worse" when the interval lies above / below
    0, else "no clear difference".
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np

from netmap.network.history import FEELING_ORDER, Answer

__all__ = [
    "BOOTSTRAP_SAMPLES",
    "MIN_PAIRS",
    "Action",
    "Outcome",
    "bootstrap_mean_interval",
    "newcombe_interval",
    "outcomes",
    "spread_deciles",
    "wilson_interval",
]

#: Fewer matched pairs than this: "too few to tell".
MIN_PAIRS = 10
#: Resamples of the bootstrap interval.
BOOTSTRAP_SAMPLES = 2000
_Z95 = 1.959963984540054


@dataclass(frozen=True)
class Action:
    """One logged nurture action: what was done for whom, on which day."""

    person_id: int
    action: str
    on: date


@dataclass(frozen=True)
class Outcome:
    """What followed one action type (module docstring, "Definitions")."""

    action: str
    #: people nurtured with this action in the period (episodes)
    nurtured: int
    #: matched pairs with a before and an after answer on both sides
    pairs: int
    nurtured_change: float | None
    comparison_change: float | None
    #: mean over pairs of (nurtured change - comparison change), NPS points
    difference: float | None
    interval: tuple[float, float] | None
    verdict: str
    #: matched pairs for the referral comparison
    referral_pairs: int
    nurtured_referrals: int
    comparison_referrals: int
    nurtured_rate: float | None
    nurtured_rate_interval: tuple[float, float] | None
    comparison_rate: float | None
    comparison_rate_interval: tuple[float, float] | None
    referral_difference: float | None
    referral_interval: tuple[float, float] | None
    referral_verdict: str


def wilson_interval(successes: int, n: int, z: float = _Z95) -> tuple[float, float]:
    """Wilson score interval of a proportion (95 % by default); ``(0, 1)`` for ``n == 0``.

    Examples
    --------
    >>> [round(x, 4) for x in wilson_interval(5, 10)]
    [0.2366, 0.7634]
    """
    if n <= 0:
        return (0.0, 1.0)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def newcombe_interval(k1: int, n1: int, k2: int, n2: int, z: float = _Z95) -> tuple[float, float]:
    """Newcombe's hybrid score interval for ``k1/n1 - k2/n2`` (1998, method 10)."""
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson_interval(k1, n1, z)
    l2, u2 = wilson_interval(k2, n2, z)
    d = p1 - p2
    return (d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2))


def bootstrap_mean_interval(values, *, samples: int = BOOTSTRAP_SAMPLES, seed: int = 0,
                            level: float = 0.95) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of ``values`` (seeded: the same values give
    the same interval)."""
    x = np.asarray(values, dtype=float)
    if len(x) == 0:
        raise ValueError("no values")
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(x), size=(samples, len(x)))
    means = x[idx].mean(axis=1)
    lo, hi = np.quantile(means, [(1 - level) / 2, 1 - (1 - level) / 2])
    return (float(lo), float(hi))


def spread_deciles(spread: Mapping[int, float]) -> dict[int, int]:
    """Each person's spread decile, 0 (lowest) to 9: ``floor(10 * (r - 1) / n)`` with ``r`` the
    lowest rank their value shares, so equal spreads share a decile."""
    values = sorted(float(v) for v in spread.values())
    n = len(values)
    return {p: min(9, (10 * bisect_left(values, float(v))) // n) for p, v in spread.items()}


def _nps_points(a: Answer) -> float:
    return float(a.score) if a.scale != "csat" else (float(a.score) - 1.0) * 2.5


class _Timeline:
    """One person's dated answers, in the order :mod:`netmap.network.history` reads them."""

    def __init__(self, answers: list[Answer]):
        self.answers = sorted(answers, key=lambda a: (a.on, a.seq, -FEELING_ORDER.get(a.feeling, -1), -a.score))
        self.days = [a.on for a in self.answers]

    def before(self, t: date) -> Answer | None:
        i = bisect_right(self.days, t)
        return self.answers[i - 1] if i else None

    def after(self, t: date) -> Answer | None:
        i = bisect_right(self.days, t)
        return self.answers[i] if i < len(self.answers) else None


def _verdict(pairs: int, interval: tuple[float, float] | None, min_pairs: int) -> str:
    if pairs < min_pairs or interval is None:
        return "too few to tell"
    lo, hi = interval
    if lo > 0:
        return "better"
    if hi < 0:
        return "worse"
    return "no clear difference"


def outcomes(
    actions: Iterable[Action],
    answers: Iterable[Answer],
    referrals: Iterable[tuple[int, date]],
    spread: Mapping[int, float],
    *,
    days: int = 90,
    start: date | None = None,
    end: date | None = None,
    min_pairs: int = MIN_PAIRS,
    samples: int = BOOTSTRAP_SAMPLES,
    seed: int = 0,
) -> list[Outcome]:
    """One :class:`Outcome` per action type (sorted by name), for the actions dated in
    ``[start, end]`` (default: all).

    ``answers`` are everybody's dated answers (:class:`netmap.network.history.Answer`;
    undated ones are left out); ``referrals`` ``(referrer id, date)`` pairs;
    ``spread`` each person's spread (``netmap/network/spread.py``): the pool of
    comparison people is everybody it names.
    """
    actions = [a for a in actions if (start is None or a.on >= start) and (end is None or a.on <= end)]
    by_person: dict[int, list[Answer]] = defaultdict(list)
    for a in answers:
        if a.on is not None:
            by_person[a.person_id].append(a)
    lines = {p: _Timeline(v) for p, v in by_person.items()}
    refs: dict[int, list[date]] = defaultdict(list)
    for who, on in referrals:
        if on is not None:
            refs[who].append(on)
    for v in refs.values():
        v.sort()
    nurtured_on: dict[int, list[date]] = defaultdict(list)
    for a in actions:
        nurtured_on[a.person_id].append(a.on)
    for v in nurtured_on.values():
        v.sort()
    spread_f = {p: float(s) for p, s in spread.items()}
    decile = spread_deciles(spread_f)
    by_decile: dict[int, list[int]] = defaultdict(list)
    for p in sorted(spread_f, key=lambda p: (spread_f[p], p)):
        by_decile[decile[p]].append(p)
    #: per decile: people sorted by (spread, id), and their spreads (for bisection)
    pools = {d: (ps, [spread_f[p] for p in ps]) for d, ps in by_decile.items()}

    def feeling_on(p: int, t: date) -> str:
        line = lines.get(p)
        a = line.before(t) if line else None
        return a.feeling if a else "unknown"

    window, before_window = timedelta(days=days), timedelta(days=days + 1)

    def referred(p: int, t: date) -> bool:
        ds = refs.get(p, [])
        i = bisect_right(ds, t)
        return i < len(ds) and ds[i] <= t + window

    def untouched(p: int, t: date) -> bool:
        ds = nurtured_on.get(p)
        if not ds:
            return True
        i = bisect_right(ds, t - before_window)
        return not (i < len(ds) and ds[i] <= t + window)

    def suitable(q: int, p: int, t: date, want: str, need_answers: bool) -> bool:
        # the cheapest tests first: most candidates have no answers around t at all
        if q == p:
            return False
        if need_answers:
            line = lines.get(q)
            if not line or line.before(t) is None or line.after(t) is None:
                return False
        return untouched(q, t) and feeling_on(q, t) == want

    def match(p: int, t: date, need_answers: bool) -> int | None:
        """The comparison person for ``p`` on ``t``: nearest spread in the same decile, else an
        adjacent one; equal distances go to the lower id."""
        want = feeling_on(p, t)
        s = spread_f.get(p, 0.0)
        d = decile.get(p, 0)
        for ring in ((d,), (d - 1, d + 1)):
            best = None
            for dd in ring:
                pool, values = pools.get(dd, ([], []))
                right = bisect_left(values, s)
                left = right - 1
                while left >= 0 or right < len(pool):
                    dl = s - values[left] if left >= 0 else math.inf
                    dr = values[right] - s if right < len(pool) else math.inf
                    if dl <= dr:
                        q, dist = pool[left], dl
                        left -= 1
                    else:
                        q, dist = pool[right], dr
                        right += 1
                    if best is not None and dist > best[0]:
                        break
                    if suitable(q, p, t, want, need_answers) and (best is None or (dist, q) < best):
                        best = (dist, q)
            if best is not None:
                return best[1]
        return None

    first: dict[tuple[str, int], date] = {}
    for a in sorted(actions, key=lambda a: (a.action, a.person_id, a.on)):
        first.setdefault((a.action, a.person_id), a.on)
    kinds = sorted({k for k, _ in first})
    out = []
    for kind in kinds:
        episodes = sorted((p, t) for (k, p), t in first.items() if k == kind)
        diffs, mine, theirs = [], [], []
        r_pairs = r_mine = r_theirs = 0
        for p, t in episodes:
            line = lines.get(p)
            b, a = (line.before(t), line.after(t)) if line else (None, None)
            if b is not None and a is not None:
                q = match(p, t, True)
                if q is not None:
                    qb, qa = lines[q].before(t), lines[q].after(t)
                    c_mine = _nps_points(a) - _nps_points(b)
                    c_theirs = _nps_points(qa) - _nps_points(qb)
                    mine.append(c_mine)
                    theirs.append(c_theirs)
                    diffs.append(c_mine - c_theirs)
            q = match(p, t, False)
            if q is not None:
                r_pairs += 1
                r_mine += referred(p, t)
                r_theirs += referred(q, t)
        n = len(diffs)
        interval = bootstrap_mean_interval(diffs, samples=samples, seed=seed) if n else None
        if r_pairs:
            rd = (r_mine - r_theirs) / r_pairs
            ri = newcombe_interval(r_mine, r_pairs, r_theirs, r_pairs)
        else:
            rd = ri = None
        out.append(Outcome(
            action=kind, nurtured=len(episodes), pairs=n,
            nurtured_change=float(np.mean(mine)) if n else None,
            comparison_change=float(np.mean(theirs)) if n else None,
            difference=float(np.mean(diffs)) if n else None,
            interval=interval, verdict=_verdict(n, interval, min_pairs),
            referral_pairs=r_pairs, nurtured_referrals=r_mine, comparison_referrals=r_theirs,
            nurtured_rate=r_mine / r_pairs if r_pairs else None,
            nurtured_rate_interval=wilson_interval(r_mine, r_pairs) if r_pairs else None,
            comparison_rate=r_theirs / r_pairs if r_pairs else None,
            comparison_rate_interval=wilson_interval(r_theirs, r_pairs) if r_pairs else None,
            referral_difference=rd, referral_interval=ri,
            referral_verdict=_verdict(r_pairs, ri, min_pairs),
        ))
    return out
