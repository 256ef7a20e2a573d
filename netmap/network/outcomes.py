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

from netmap.model import same_day_rank
from netmap.network.history import Answer

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

    def __init__(self, answers: list[Answer], *, in_order: bool = False):
        self.answers = answers if in_order else sorted(answers, key=_answer_order)
        self.days = [a.on for a in self.answers]

    def before(self, t: date) -> Answer | None:
        i = bisect_right(self.days, t)
        return self.answers[i - 1] if i else None

    def after(self, t: date) -> Answer | None:
        i = bisect_right(self.days, t)
        return self.answers[i] if i < len(self.answers) else None


def _answer_order(a: Answer) -> tuple:
    return (a.on, a.seq, same_day_rank(a.feeling, a.score, a.scale))


def _timelines(answers: Iterable[Answer]) -> dict[int, _Timeline]:
    """Everybody's :class:`_Timeline`, from one sort of all the dated answers."""
    dated = sorted(((a.person_id, *_answer_order(a), i), a) for i, a in enumerate(answers) if a.on is not None)
    out: dict[int, _Timeline] = {}
    start = 0
    for i in range(1, len(dated) + 1):
        if i == len(dated) or dated[i][0][0] != dated[start][0][0]:
            out[dated[start][0][0]] = _Timeline([a for _, a in dated[start:i]], in_order=True)
            start = i
    return out


def _verdict(pairs: int, interval: tuple[float, float] | None, min_pairs: int) -> str:
    if pairs < min_pairs or interval is None:
        return "too few to tell"
    lo, hi = interval
    if lo > 0:
        return "better"
    if hi < 0:
        return "worse"
    return "no clear difference"


#: How many people on each side of a person's spread :func:`_match_all` looks at for their
#: comparison person (a question the window cannot settle is answered by :meth:`_Pool.match`).
_REACH = 128
_DAY = 1 << 22  # more than any date's ordinal: keys person * _DAY + day sort by person, then day


def _deciles_sorted(values: np.ndarray) -> np.ndarray:
    """:func:`spread_deciles` of values already sorted ascending, as an array in that order."""
    return np.minimum(9, (10 * np.searchsorted(values, values, "left")) // max(len(values), 1))


class _Pool:
    """The comparison pool in (spread, id) order - a decile is a range of positions, equal
    spreads are neighbours, lowest id first - with everybody's answers and actions as sorted
    ``position * _DAY + day`` keys, so that who is suitable on a date is a few bisections."""

    def __init__(self, spread: Mapping[int, float], lines: Mapping[int, _Timeline],
                 nurtured_on: Mapping[int, list[date]], days: int, code: Mapping[str, int]):
        ids = np.fromiter(spread.keys(), dtype=np.int64, count=len(spread))
        values = np.fromiter(spread.values(), dtype=float, count=len(spread))
        order = np.lexsort((ids, values))
        self.ids, self.values, self.days = ids[order], values[order], days
        self.n = len(ids)
        self.decile = _deciles_sorted(self.values)
        self.at = dict(zip(self.ids.tolist(), range(self.n)))
        self.run_start = np.searchsorted(self.values, self.values, "left")  # where each spread's run begins
        self.run_end = np.searchsorted(self.values, self.values, "right")
        a_pos, a_day, a_code = [], [], []
        for p, line in lines.items():  # in timeline order: on a day, the answer that holds last
            i = self.at.get(p)
            if i is not None:
                a_pos += [i] * len(line.answers)
                a_day += [a.on.toordinal() for a in line.answers]
                a_code += [code[a.feeling] for a in line.answers]
        self.a_pos, self.a_day, self.a_code = (np.asarray(x, dtype=np.int64) for x in (a_pos, a_day, a_code))
        o = np.argsort(self.a_pos * _DAY + self.a_day, kind="stable")
        self.a_pos, self.a_day, self.a_code = self.a_pos[o], self.a_day[o], self.a_code[o]
        self.a_key = self.a_pos * _DAY + self.a_day
        self.total = np.bincount(self.a_pos, minlength=self.n)
        n_pos, n_day = [], []
        for p, ds in nurtured_on.items():
            i = self.at.get(p)
            if i is not None:
                n_pos += [i] * len(ds)
                n_day += [d.toordinal() for d in ds]
        self.n_pos, self.n_day = np.asarray(n_pos, dtype=np.int64), np.asarray(n_day, dtype=np.int64)
        self.n_key = np.sort(self.n_pos * _DAY + self.n_day)

    def suitable(self, pos: np.ndarray, day: int, want: int, need_answers: bool) -> np.ndarray:
        """Which of the people at ``pos`` are suitable comparisons on ``day`` (an ordinal) for
        feeling code ``want``: untouched, the same feeling, and both answers when needed."""
        base = pos * _DAY
        near = (np.searchsorted(self.n_key, base + min(day + self.days, _DAY - 1), "right")
                > np.searchsorted(self.n_key, base + max(day - self.days, 0), "left"))
        last = np.searchsorted(self.a_key, base + day, "right") - 1  # their latest answer by day
        whose, what = np.append(self.a_pos, -1), np.append(self.a_code, 0)  # (never empty)
        has = (last >= 0) & (whose[np.maximum(last, 0)] == pos)
        ok = ~near & (np.where(has, what[np.maximum(last, 0)], 0) == want)
        if need_answers:
            ok &= has & (last + 1 < np.searchsorted(self.a_key, base + _DAY, "left"))
        return ok

    def match(self, p: int, day: int, want: int, need_answers: bool) -> int | None:
        """The definition, for one question: among the suitable people of p's decile (else of
        the two adjacent ones) other than p, the least ``|spread - p's spread|``, then the
        lowest id."""
        me = self.at.get(p, -1)
        s = float(self.values[me]) if me >= 0 else 0.0
        d = int(self.decile[me]) if me >= 0 else 0
        for ring in ((d,), (d - 1, d + 1)):
            pos = np.concatenate([np.arange(*np.searchsorted(self.decile, [dd, dd + 1])) for dd in ring])
            if want != 0:  # a known feeling: only people with an answer can share it
                pos = pos[self.total[pos] > 0]
            pos = pos[self.suitable(pos, day, want, need_answers) & (pos != me)]
            if len(pos):
                dist = np.abs(s - self.values[pos])
                return int(self.ids[pos[dist == dist.min()]].min())
        return None


def _match_all(questions: Mapping[tuple[int, date], tuple[str, bool]], lines: Mapping[int, _Timeline],
               nurtured_on: Mapping[int, list[date]], spread: Mapping[int, float],
               days: int) -> dict[tuple[int, date, bool], int | None]:
    """The comparison person (module docstring, "Comparison group") for every question
    ``(p, t) -> (p's feeling on t, whether p has a before and an after answer)``: under the key
    ``(p, t, False)`` (for referrals) and, when p has both answers, ``(p, t, True)`` (for the
    feeling change, where the comparison needs both answers too); None when nobody is suitable.

    The answers of :meth:`_Pool.match`, asked question by question, found in one sweep:

    * A question looks along a *row* of the pool in (spread, id) order: everybody, or, when
      p's feeling is known, only the people with a dated answer (nobody else can share it).
      ``split`` is where p's spread falls in it: on the left the smaller spreads of p's
      decile, read nearest first (by spread descending, then id ascending), on the right the
      others, p skipped. The first suitable person on each side is the best of that side;
      the better (distance, id) of the two is the match.
    * The sweep walks the question dates in ascending order and keeps, per person, the
      feeling code of their latest answer on or before the date and how many answers they
      gave by then (applied as the answers' dates pass, in :class:`_Timeline`'s order), and
      how many of their actions lie within ``days`` of the date (an action counts from its
      date minus ``days`` to its date plus ``days``). On each date it marks, for every
      question, which of the :data:`_REACH` people next to the split on each side are
      suitable.
    * Afterwards, per question, the first mark on each side decides. When the window cannot
      - a side without a mark that does not reach the end of the decile, nobody in p's
      decile (the two adjacent deciles then count), a next spread at the very same floating
      distance - :meth:`_Pool.match` answers that question.
    """
    code = {"unknown": 0}
    for line in lines.values():
        for a in line.answers:
            code.setdefault(a.feeling, len(code))
    pool = _Pool(spread, lines, nurtured_on, days, code)
    n, reach, cols = pool.n, _REACH, np.arange(_REACH)
    out: dict[tuple[int, date, bool], int | None] = {}
    qs = sorted((t.toordinal(), int(want != "unknown"), p, t, code[want], need)
                for (p, t), (want, both) in questions.items() for need in ((False, True) if both else (False,)))
    if not qs or not n:
        return {(p, t, need): None for _, _, p, t, _, need in qs}
    q_day, q_row, q_p, _, q_want, q_need = (np.array([x[k] for x in qs]) for k in range(6))
    q_me = np.array([pool.at.get(p, -1) for p in q_p.tolist()], dtype=np.int64)  # pool position, or -1
    q_s = np.where(q_me >= 0, pool.values[q_me], 0.0)
    q_dec = np.where(q_me >= 0, pool.decile[q_me], 0)

    # the rows (pool positions, ascending) and per question, in its row: the decile [lo, hi),
    # split, and the pool positions of the nearest people on the left and on the right
    answered = np.flatnonzero(pool.total > 0)
    lo, hi, split = (np.zeros(len(qs), dtype=np.int64) for _ in range(3))
    where = np.zeros((len(qs), 2 * reach), dtype=np.int64)
    valid = np.zeros((len(qs), 2 * reach), dtype=bool)
    for r, row in enumerate((np.arange(n), answered)):
        sel = np.flatnonzero(q_row == r)
        if not len(row) or not len(sel):
            continue
        dec, vals = pool.decile[row], pool.values[row]
        lo[sel], hi[sel] = np.searchsorted(dec, q_dec[sel], "left"), np.searchsorted(dec, q_dec[sel], "right")
        split[sel] = np.clip(np.searchsorted(vals, q_s[sel], "left"), lo[sel], hi[sel])
        down = row[np.lexsort((pool.ids[row], -vals))]  # nearest first on the left
        k = len(row) - split[sel, None] + cols  # the left side's people, in `down`
        where[sel, :reach] = down[np.minimum(k, len(row) - 1)]
        valid[sel, :reach] = cols < (split[sel] - lo[sel])[:, None]
        k = split[sel, None] + cols
        where[sel, reach:] = row[np.minimum(k, len(row) - 1)]
        valid[sel, reach:] = (k < hi[sel, None]) & (where[sel, reach:] != q_me[sel, None])

    # the sweep
    feeling = np.zeros(n, dtype=np.int64)
    given = np.zeros(n, dtype=np.int64)
    near = np.zeros(n, dtype=np.int64)  # actions within `days` of the date
    a_order = np.argsort(pool.a_day, kind="stable")  # keeps each person's timeline order
    a_day, a_pos, a_code = pool.a_day[a_order], pool.a_pos[a_order], pool.a_code[a_order]
    n_order = np.argsort(pool.n_day, kind="stable")
    n_day, n_pos = pool.n_day[n_order], pool.n_pos[n_order]
    a_done = in_done = out_done = 0
    marks = np.zeros((len(qs), 2 * reach), dtype=bool)
    cuts = np.flatnonzero(np.diff(q_day)) + 1
    for a, b in zip(np.r_[0, cuts].tolist(), np.r_[cuts, len(qs)].tolist()):
        day = int(q_day[a])
        a_next = int(np.searchsorted(a_day, day, "right"))
        if a_next > a_done:
            # the last of a person's answers applied now holds (np.unique keeps the first)
            pos, first = np.unique(a_pos[a_done:a_next][::-1], return_index=True)
            feeling[pos] = a_code[a_done:a_next][::-1][first]
            np.add.at(given, a_pos[a_done:a_next], 1)
            a_done = a_next
        in_next = int(np.searchsorted(n_day, day + days, "right"))
        out_next = int(np.searchsorted(n_day, day - days, "left"))
        np.add.at(near, n_pos[in_done:in_next], 1)
        np.add.at(near, n_pos[out_done:out_next], -1)
        in_done, out_done = in_next, out_next
        at = where[a:b]
        ok = (near[at] == 0) & (feeling[at] == q_want[a:b, None])
        marks[a:b] = ok & (~q_need[a:b, None] | ((given[at] > 0) & (given[at] < pool.total[at])))

    # the first mark on each side
    marks &= valid
    has_l, has_r = marks[:, :reach].any(1), marks[:, reach:].any(1)
    rows = np.arange(len(qs))
    jl = where[rows, np.argmax(marks[:, :reach], axis=1)]
    jr = where[rows, reach + np.argmax(marks[:, reach:], axis=1)]
    dl, dr = q_s - pool.values[jl], pool.values[jr] - q_s
    before, after = pool.run_start[jl] - 1, pool.run_end[jr]
    unsure = (
        ~(has_l | has_r)
        | (~has_l & (split - lo > reach))
        | (~has_r & (hi - split > reach))
        | (has_l & (before >= 0) & (q_s - pool.values[np.maximum(before, 0)] == dl))
        | (has_r & (after < n) & (pool.values[np.minimum(after, n - 1)] - q_s == dr))
    )
    idl, idr = pool.ids[jl], pool.ids[jr]
    left = has_l & (~has_r | (dl < dr) | ((dl == dr) & (idl < idr)))
    found = np.where(left, idl, np.where(has_r, idr, -1)).tolist()
    for i in np.flatnonzero(unsure).tolist():
        found[i] = pool.match(int(q_p[i]), int(q_day[i]), int(q_want[i]), bool(q_need[i]))
    for (_, _, p, t, _, need), q in zip(qs, found):
        out[p, t, need] = None if q is None or q < 0 else q
    return out


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
    lines = _timelines(answers)
    refs: dict[int, list[date]] = defaultdict(list)
    for who, on in referrals:
        if on is not None:
            refs[who].append(on)
    for v in refs.values():
        v.sort()
    nurtured_on: dict[int, list[date]] = defaultdict(list)
    for a in actions:
        nurtured_on[a.person_id].append(a.on)
    window = timedelta(days=days)

    def referred(p: int, t: date) -> bool:
        ds = refs.get(p, [])
        i = bisect_right(ds, t)
        return i < len(ds) and ds[i] <= t + window

    first: dict[tuple[str, int], date] = {}
    for kind, p, on in sorted((a.action, a.person_id, a.on) for a in actions):
        first.setdefault((kind, p), on)
    by_kind: dict[str, list[tuple[int, date]]] = defaultdict(list)
    for (kind, p), t in first.items():
        by_kind[kind].append((p, t))
    kinds = sorted(by_kind)
    # every comparison person asked for, answered in one sweep over the dates (_match_all)
    questions: dict[tuple[int, date], tuple[str, bool]] = {}
    for (_, p), t in first.items():
        if (p, t) not in questions:
            line = lines.get(p)
            b = line.before(t) if line else None
            questions[p, t] = (b.feeling if b else "unknown", b is not None and line.after(t) is not None)
    matched = _match_all(questions, lines, nurtured_on, {p: float(s) for p, s in spread.items()}, days)
    out = []
    for kind in kinds:
        episodes = sorted(by_kind[kind])
        diffs, mine, theirs = [], [], []
        r_pairs = r_mine = r_theirs = 0
        for p, t in episodes:
            line = lines.get(p)
            b, a = (line.before(t), line.after(t)) if line else (None, None)
            if b is not None and a is not None:
                q = matched[p, t, True]
                if q is not None:
                    qb, qa = lines[q].before(t), lines[q].after(t)
                    c_mine = _nps_points(a) - _nps_points(b)
                    c_theirs = _nps_points(qa) - _nps_points(qb)
                    mine.append(c_mine)
                    theirs.append(c_theirs)
                    diffs.append(c_mine - c_theirs)
            q = matched[p, t, False]
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
