"""Feelings over time: who felt what as of a date, NPS per month, and who moved.

Pure functions over dated answers (:class:`Answer`); the store turns survey
answers and rated tickets into them. Goodwill compounds in small steps (bad to
less bad, good to great); a single still picture cannot show them, so every
figure here is reconstructed *as of* a date from the answers given by then.

Definitions
-----------
Feeling as of a date
    A person's feeling on day ``d`` is the feeling of their **latest answer
    dated on or before** ``d`` (:func:`netmap.model.feeling_of` of its score on
    its scale); no such answer: they are not counted (``unknown``). This is the
    product's feeling rule (README, "Feeling"; ``netmap/network/graph.py``:
    latest by date) restricted to the answers given by ``d``. Two details the
    rule needs in time:

    * *undated answers* are left out: nobody can say since when they held,
      and the product already ranks them below any dated answer;
    * *answers on the same day*: the one with the larger ``seq`` wins (the
      store passes its row id, so the one recorded later wins, as in
      ``netmap/storage/reads.py``); with equal ``seq`` the *lower* feeling wins, then
      the lower score - a cautious reading, and one that does not depend on the
      order the rows arrive in.
NPS and shares
    Over the people with a feeling on ``d``: ``NPS = 100 * (promoters -
    detractors) / answered`` (Reichheld 2003), and each category's share of
    ``answered``. ``None`` when nobody has answered yet.
Goodwill reach
    When each person's spread is given (``netmap/network/spread.py``: the
    expected number of *other* people their word of mouth reaches), the sum of
    the promoters' spreads on ``d``: how many people good word of mouth reaches
    if every promoter talks. A sum of individual reaches, so it counts twice a
    person two promoters both reach: an upper bound of the union, cheap to keep
    per month; it moves with exactly the people whose feeling moved.
Moves
    Categories are ordered ``detractor < passive < promoter``
    (:data:`FEELING_ORDER`). Between two dates a person *moved* when both dates
    give them a feeling and the feelings differ: up is ``progress`` (detractor
    to passive counts: a baby step), down is a ``warning`` (promoter to passive
    is one). People without a feeling on either date did not move (a first
    answer is news, not a move).
"""

from __future__ import annotations

import calendar
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Literal

from netmap.model import Feeling, Scale, feeling_of

__all__ = [
    "Answer",
    "FEELING_ORDER",
    "Move",
    "Standing",
    "feelings_as_of",
    "month_ends",
    "monthly_series",
    "moved",
    "series",
    "standing",
]

#: The order of the feeling categories: a move up this order is progress, down a warning.
FEELING_ORDER: dict[str, int] = {"detractor": 0, "passive": 1, "promoter": 2}


@dataclass(frozen=True)
class Answer:
    """One dated answer: a survey score or a rated ticket (``scale`` ``"csat"``).

    ``seq`` orders answers given on the same day (the store's row id: larger is
    recorded later).
    """

    person_id: int
    on: date | None
    score: float
    scale: Scale = "nps"
    seq: int = 0

    @property
    def feeling(self) -> Feeling:
        return feeling_of(self.score, self.scale)


def _order_key(a: Answer) -> tuple:
    """Sort key under which the answer that holds on a day comes last among that day's."""
    return (a.on, a.seq, -FEELING_ORDER.get(a.feeling, -1), -float(a.score), a.person_id)


def _dated(answers: Iterable[Answer]) -> list[Answer]:
    return sorted((a for a in answers if a.on is not None), key=_order_key)


def feelings_as_of(answers: Iterable[Answer], when: date) -> dict[int, Feeling]:
    """``{person: feeling}`` on ``when`` for everyone with a dated answer on or before it.

    Examples
    --------
    >>> a = [Answer(1, date(2024, 1, 5), 3), Answer(1, date(2024, 3, 1), 9), Answer(2, date(2024, 2, 1), 7)]
    >>> feelings_as_of(a, date(2024, 2, 15))
    {1: 'detractor', 2: 'passive'}
    """
    out: dict[int, Feeling] = {}
    for a in _dated(answers):
        if a.on > when:
            break
        out[a.person_id] = a.feeling
    return dict(sorted(out.items()))


@dataclass(frozen=True)
class Standing:
    """The headline figures on one date (module docstring, "NPS and shares")."""

    as_of: date
    answered: int
    promoters: int
    passives: int
    detractors: int
    nps: float | None
    promoter_share: float | None
    passive_share: float | None
    detractor_share: float | None
    #: sum of the promoters' spreads (None when no spreads were given)
    goodwill_reach: float | None = None


def standing(feelings: Mapping[int, str], when: date, reach: Mapping[int, float] | None = None) -> Standing:
    """The :class:`Standing` of a ``{person: feeling}`` map (``unknown`` left out).

    Examples
    --------
    >>> s = standing({1: "promoter", 2: "promoter", 3: "passive", 4: "detractor"}, date(2024, 1, 31))
    >>> s.nps, s.promoter_share
    (25.0, 0.5)
    """
    c = Counter(f for f in feelings.values() if f in FEELING_ORDER)
    return _standing(c, when, None if reach is None else _reach_sum(feelings, reach))


def _reach_sum(feelings: Mapping[int, str], reach: Mapping[int, float]) -> float:
    return float(sum(float(reach.get(p, 0.0) or 0.0) for p, f in feelings.items() if f == "promoter"))


def _standing(c: Counter, when: date, goodwill: float | None) -> Standing:
    n = c["promoter"] + c["passive"] + c["detractor"]
    if n == 0:
        return Standing(when, 0, 0, 0, 0, None, None, None, None, goodwill)
    return Standing(
        when, n, c["promoter"], c["passive"], c["detractor"],
        100.0 * (c["promoter"] - c["detractor"]) / n,
        c["promoter"] / n, c["passive"] / n, c["detractor"] / n, goodwill,
    )


def month_ends(start: date, end: date) -> list[date]:
    """The last day of every month from ``start``'s month to ``end``'s, both included.

    Examples
    --------
    >>> month_ends(date(2024, 1, 15), date(2024, 3, 2))
    [datetime.date(2024, 1, 31), datetime.date(2024, 2, 29), datetime.date(2024, 3, 31)]
    """
    out = []
    y, m = start.year, start.month
    while (y, m) <= (end.year, end.month):
        out.append(date(y, m, calendar.monthrange(y, m)[1]))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def series(
    answers: Iterable[Answer],
    dates: Iterable[date],
    *,
    reach: Mapping[int, float] | None = None,
    by: Mapping[int, str] | None = None,
) -> dict[str | None, list[Standing]]:
    """The :class:`Standing` as of each of ``dates`` (sorted, duplicates dropped).

    One sweep over the answers in date order keeps the running counts, so a
    series costs one sort of the answers plus one step per answer and date,
    whatever the number of dates. ``by`` (``{person: group}``, e.g. community
    or account manager) adds a series per group; people it does not name are
    counted only in the whole. Returns ``{None: whole, group: ...}``.
    """
    days = sorted(set(dates))
    ordered = _dated(answers)
    groups = sorted({g for g in (by or {}).values() if g is not None}, key=str)
    counts: dict[str | None, Counter] = {g: Counter() for g in [None, *groups]}
    goodwill: dict[str | None, float] = {g: 0.0 for g in counts}
    current: dict[int, Feeling] = {}
    out: dict[str | None, list[Standing]] = {g: [] for g in counts}
    i = 0
    for day in days:
        while i < len(ordered) and ordered[i].on <= day:
            a = ordered[i]
            i += 1
            before, after = current.get(a.person_id), a.feeling
            current[a.person_id] = after
            keys = [None] + ([by[a.person_id]] if by and by.get(a.person_id) is not None else [])
            r = float((reach or {}).get(a.person_id, 0.0) or 0.0)
            for k in keys:
                if before is not None:
                    counts[k][before] -= 1
                    goodwill[k] -= r if before == "promoter" else 0.0
                counts[k][after] += 1
                goodwill[k] += r if after == "promoter" else 0.0
        for g in counts:
            out[g].append(_standing(counts[g], day, None if reach is None else max(goodwill[g], 0.0)))
    return out


def monthly_series(
    answers: Iterable[Answer],
    start: date | None = None,
    end: date | None = None,
    *,
    reach: Mapping[int, float] | None = None,
    by: Mapping[int, str] | None = None,
) -> dict[str | None, list[Standing]]:
    """:func:`series` as of the last day of each month, from ``start`` (default:
    the first dated answer) to ``end`` (default: the last one). Empty without
    dated answers."""
    answers = list(answers)
    dated = [a.on for a in answers if a.on is not None]
    if not dated and (start is None or end is None):
        return {None: []}
    start = start or min(dated)
    end = end or max(dated)
    return series(answers, month_ends(start, end), reach=reach, by=by)


@dataclass(frozen=True)
class Move:
    """A person whose feeling changed between two dates (module docstring, "Moves")."""

    person_id: int
    before: Feeling
    after: Feeling
    kind: Literal["progress", "warning"]
    #: categories moved: +1 detractor to passive, +2 detractor to promoter, -1 promoter to passive ...
    steps: int


def moved(answers: Iterable[Answer], since: date, until: date) -> list[Move]:
    """The people whose feeling on ``until`` differs from their feeling on ``since``.

    Warnings first (they need someone now), then progress; within each, the
    larger moves first, then by person id.

    Examples
    --------
    >>> a = [Answer(1, date(2024, 1, 1), 3), Answer(1, date(2024, 2, 1), 7),
    ...      Answer(2, date(2024, 1, 1), 10), Answer(2, date(2024, 2, 1), 8)]
    >>> [(m.person_id, m.kind) for m in moved(a, date(2024, 1, 31), date(2024, 2, 29))]
    [(2, 'warning'), (1, 'progress')]
    """
    answers = list(answers)
    before = feelings_as_of(answers, since)
    after = feelings_as_of(answers, until)
    out = []
    for p in sorted(set(before) & set(after)):
        b, a = before[p], after[p]
        steps = FEELING_ORDER[a] - FEELING_ORDER[b]
        if steps:
            out.append(Move(p, b, a, "progress" if steps > 0 else "warning", steps))
    return sorted(out, key=lambda m: (m.kind != "warning", -abs(m.steps), m.person_id))
