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
    * *answers on the same day*: :func:`netmap.model.same_day_rank` (the lower
      feeling; with the same feeling, a 0-10 answer over a rating, then the
      lower score: a cautious reading that does not depend on the order of the
      rows, the graph's rule for today's feeling too). Constructed answers may
      carry a ``seq`` that orders a day's answers before that rule (larger
      holds); the store passes none.
NPS and shares
    The shares are each category's share of the people with a feeling on ``d``
    (``answered``: a survey answer or a rated ticket). The Net Promoter Score
    is the 0-10 question's (Reichheld 2003): ``NPS = 100 * (promoters -
    detractors) / nps_answered`` over the people whose feeling on ``d`` comes
    from a 0-10 answer, as the summary counts it today
    (``netmap/model.py`` ``goodwill``), so a satisfaction rating moves the
    shares but never the NPS. ``None`` when nobody has such an answer yet.
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
The network as of a date
    :func:`dataset_as_of` keeps the evidence dated on or before ``d``: the ties
    from their first evidence (a relationship from its ``since``, a referral
    from its date, a shared meeting, event, deal or thread from its date), the
    answers given by then (undated ones left out, as above), and the people the
    CRM had by then (created on or before ``d``, or with no creation date) plus
    anyone that evidence names. Undated ties count at every date: a
    relationship export without dates says the tie exists, not since when, and
    leaving it out would paint a past with fewer ties than it had. Recency is
    counted to ``d`` (the dataset's ``as_of``), so a tie fades as it had by
    then. On or after the newest evidence the dataset is today's, undated
    answers included. People keep today's stage and owner (the CRM exports
    say what they are, not what they were). Every measure of
    :mod:`netmap.analysis` computed on the result is the measure as of ``d``.
"""

from __future__ import annotations

import calendar
from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from netmap.model import FEELING_ORDER, Dataset, Feeling, Scale, feeling_of, same_day_rank

__all__ = [
    "Answer",
    "FEELING_ORDER",
    "Move",
    "Standing",
    "answers_as_of",
    "dataset_as_of",
    "feelings_as_of",
    "month_ends",
    "monthly_series",
    "moved",
    "series",
    "standing",
]

#: the tag of a 0-10 answer's count in a standing's counter: ``(_NPS, feeling)``
_NPS = "nps"


@dataclass(frozen=True)
class Answer:
    """One dated answer: a survey score or a rated ticket (``scale`` ``"csat"``).

    ``seq`` orders answers given on the same day before
    :func:`netmap.model.same_day_rank` (larger holds); constructed answers may
    carry one, the store passes none.
    """

    person_id: int
    on: date | None
    score: float
    scale: Scale = "nps"
    seq: int = 0
    #: :func:`netmap.model.feeling_of` the score on its scale (worked out once)
    feeling: Feeling = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "feeling", feeling_of(self.score, self.scale))


def _order_key(a: Answer) -> tuple:
    """Sort key under which the answer that holds on a day comes last among that day's."""
    return (a.on, a.seq, same_day_rank(a.feeling, a.score, a.scale), a.person_id)


def _dated(answers: Iterable[Answer]) -> list[Answer]:
    return sorted((a for a in answers if a.on is not None), key=_order_key)


def answers_as_of(answers: Iterable[Answer], when: date) -> dict[int, Answer]:
    """``{person: answer}``: the answer that holds on ``when`` for everyone with a dated
    answer on or before it (module docstring, "Feeling as of a date")."""
    out: dict[int, Answer] = {}
    for a in _dated(answers):
        if a.on > when:
            break
        out[a.person_id] = a
    return dict(sorted(out.items()))


def feelings_as_of(answers: Iterable[Answer], when: date) -> dict[int, Feeling]:
    """``{person: feeling}`` on ``when`` for everyone with a dated answer on or before it.

    Examples
    --------
    >>> a = [Answer(1, date(2024, 1, 5), 3), Answer(1, date(2024, 3, 1), 9), Answer(2, date(2024, 2, 1), 7)]
    >>> feelings_as_of(a, date(2024, 2, 15))
    {1: 'detractor', 2: 'passive'}
    """
    return {p: a.feeling for p, a in answers_as_of(answers, when).items()}


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
    #: the people of ``answered`` whose feeling comes from a 0-10 answer: what ``nps`` is over
    nps_answered: int = 0


def standing(feelings: Mapping[int, str], when: date, reach: Mapping[int, float] | None = None,
             nps_people: Collection[int] | None = None) -> Standing:
    """The :class:`Standing` of a ``{person: feeling}`` map (``unknown`` left out).

    ``nps_people``: those whose feeling comes from a 0-10 answer, the only ones the
    NPS counts (default: everyone in ``feelings``).

    Examples
    --------
    >>> s = standing({1: "promoter", 2: "promoter", 3: "passive", 4: "detractor"}, date(2024, 1, 31))
    >>> s.nps, s.promoter_share
    (25.0, 0.5)
    >>> standing({1: "promoter", 2: "detractor"}, date(2024, 1, 31), nps_people={1}).nps
    100.0
    """
    c = Counter(f for f in feelings.values() if f in FEELING_ORDER)
    c.update((_NPS, f) for p, f in feelings.items()
             if f in FEELING_ORDER and (nps_people is None or p in nps_people))
    return _standing(c, when, None if reach is None else _reach_sum(feelings, reach))


def _reach_sum(feelings: Mapping[int, str], reach: Mapping[int, float]) -> float:
    return float(sum(float(reach.get(p, 0.0) or 0.0) for p, f in feelings.items() if f == "promoter"))


def _standing(c: Counter, when: date, goodwill: float | None) -> Standing:
    n = c["promoter"] + c["passive"] + c["detractor"]
    if n == 0:
        return Standing(when, 0, 0, 0, 0, None, None, None, None, goodwill)
    on_nps = c[_NPS, "promoter"] + c[_NPS, "passive"] + c[_NPS, "detractor"]
    return Standing(
        when, n, c["promoter"], c["passive"], c["detractor"],
        100.0 * (c[_NPS, "promoter"] - c[_NPS, "detractor"]) / on_nps if on_nps else None,
        c["promoter"] / n, c["passive"] / n, c["detractor"] / n, goodwill, on_nps,
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
    current: dict[int, Answer] = {}
    out: dict[str | None, list[Standing]] = {g: [] for g in counts}
    i = 0
    for day in days:
        while i < len(ordered) and ordered[i].on <= day:
            a = ordered[i]
            i += 1
            held = current.get(a.person_id)
            current[a.person_id] = a
            keys = [None] + ([by[a.person_id]] if by and by.get(a.person_id) is not None else [])
            r = float((reach or {}).get(a.person_id, 0.0) or 0.0)
            for k in keys:
                c = counts[k]
                if held is not None:
                    c[held.feeling] -= 1
                    if held.scale == "nps":
                        c[_NPS, held.feeling] -= 1
                    goodwill[k] -= r if held.feeling == "promoter" else 0.0
                c[a.feeling] += 1
                if a.scale == "nps":
                    c[_NPS, a.feeling] += 1
                goodwill[k] += r if a.feeling == "promoter" else 0.0
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


def _by(on: date | None, when: date) -> bool:
    return on is None or on <= when


def dataset_as_of(dataset: Dataset, when: date) -> Dataset:
    """``dataset`` as it stood on ``when`` (module docstring, "The network as of a date").

    Examples
    --------
    >>> from netmap.model import Person, Relationship
    >>> ds = Dataset(people=(Person(1, "A"), Person(2, "B"), Person(3, "C", created=date(2024, 6, 1))),
    ...              relationships=(Relationship(1, 2, since=date(2024, 1, 1)), Relationship(1, 3),
    ...                             Relationship(2, 3, since=date(2024, 7, 1))))
    >>> old = dataset_as_of(ds, date(2024, 3, 31))
    >>> [p.id for p in old.people], [(r.a_id, r.b_id) for r in old.relationships], old.as_of
    ([1, 2, 3], [(1, 2), (1, 3)], datetime.date(2024, 3, 31))
    """
    if dataset.as_of is not None and when >= dataset.as_of:
        return dataset  # nothing newer is known: the network as it stands (undated answers too)
    relationships = tuple(r for r in dataset.relationships if _by(r.since, when))
    referrals = tuple(r for r in dataset.referrals if _by(r.on, when))
    interactions = tuple(i for i in dataset.interactions if _by(i.on, when))
    feedback = tuple(f for f in dataset.feedback if f.on is not None and f.on <= when)
    named = {x for r in relationships for x in (r.a_id, r.b_id)}
    named.update(x for r in referrals for x in (r.referrer_id, r.referred_id))
    named.update(x for i in interactions for x in i.participant_ids)
    named.update(f.person_id for f in feedback)
    people = tuple(p for p in dataset.people if _by(p.created, when) or p.id in named)
    return Dataset(people=people, relationships=relationships, referrals=referrals, interactions=interactions,
                   feedback=feedback, as_of=when, version=dataset.version, meta=dict(dataset.meta),
                   keys=dataset.keys)
