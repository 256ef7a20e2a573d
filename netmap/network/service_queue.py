"""The service queue: open tickets, the one whose requester's feeling would spread furthest first.

Customer service exists to change how a customer feels, and a feeling does not
stay with the customer: it travels along their ties. So the ticket to fix first
is not the oldest one but the one whose requester is most at risk of feeling
badly *and* whose word reaches the most people. Pure function over plain data;
the shell gives it tickets, each person's feeling and the network measures
(``netmap/network/spread.py``: spread; ``netmap/network/bridges.py``: bridge
score) as numbers.

The score
---------
Tickets in the queue: status ``open`` or ``pending``
(:data:`netmap.ingest.satisfaction.OPEN_STATUSES`). For the requester of each:

risk, in [0, 1]
    ``base(feeling) + rating term``, clipped to [0, 1], where the base is
    detractor 0.6, no answer yet 0.35, passive 0.3, promoter 0.15 (a
    detractor already speaks badly of you; somebody who never answered is an
    unknown, a little above a passive; a promoter has goodwill to spend) and
    the rating term looks at the requester's **latest rated ticket within
    ``recent_days``** (default 90) before ``as_of``: a bad rating (a
    detractor's rating) adds 0.4, a good one subtracts 0.1. A detractor with a
    recent bad rating is therefore the highest risk, 1.0; a promoter who just
    rated a ticket well the lowest, 0.05.
reach, in [0, 1]
    ``0.7 * pct(spread) + 0.3 * pct(bridge score)``, percentile ranks among
    the people given (ties share their average rank; as in
    ``netmap/network/nurture.py``'s nurture score): how far their word travels,
    with brokers between clusters weighted in because they carry it where it
    would not otherwise go.
score, in [0, 100]
    ``100 * risk * (0.25 + 0.75 * reach)``: the risk of a bad word times how
    far it goes. The 0.25 floor keeps a requester with no ties in the queue
    (they matter themselves) but below an equally upset one who is heard.

Order: score, then risk (higher first), then the older ticket, then the ticket
id - never the order the rows came in. Each row says why in plain words
("detractor, rated a ticket bad 12 days ago, bridges two client clusters
(Berlin · Fintech and Lyon · Retail), reaches ~18 people") and what to do.

Actions, in ``netmap/network/nurture.py``'s words: ``recover`` (detractor or a
recent bad rating: fix it first and call them), ``ask`` (no answer yet: fix it,
then ask how it went), ``elevate`` (passive: fix it well, turn good into
great), ``amplify`` (promoter: fix it, thank them, ask for an introduction).
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta

from netmap.ingest.satisfaction import OPEN_STATUSES

__all__ = [
    "FEELING_RISK",
    "QUEUE_ADVICE",
    "QueueRow",
    "Requester",
    "Ticket",
    "service_queue",
]

#: Base risk per feeling (module docstring, "The score").
FEELING_RISK = {"detractor": 0.6, "unknown": 0.35, "passive": 0.3, "promoter": 0.15}
#: Added to the risk by the latest recent rating: bad, good.
BAD_RATING_RISK = 0.4
GOOD_RATING_RISK = -0.1
#: The share of the reach score that everybody gets (module docstring).
REACH_FLOOR = 0.25
#: What to do, per action.
QUEUE_ADVICE = {
    "recover": "fix this first and call them",
    "ask": "fix it, then ask how it went",
    "elevate": "fix it well: turn good into great",
    "amplify": "fix it, thank them and ask for an introduction",
}
_ACTION = {"detractor": "recover", "unknown": "ask", "passive": "elevate", "promoter": "amplify"}
_FEELING_WORDS = {"detractor": "detractor", "passive": "passive", "promoter": "promoter",
                  "unknown": "no survey answer yet"}


@dataclass(frozen=True)
class Ticket:
    """A support ticket as the queue needs it.

    ``status`` is ``open``, ``pending``, ``solved`` or ``closed``
    (:func:`netmap.ingest.satisfaction.parse_status`); ``rating`` the feeling of its
    satisfaction rating (:func:`netmap.ingest.satisfaction.rating_feeling`) or
    ``None``; ``rated_on`` when it was rated (default: ``solved``, then
    ``created``).
    """

    ticket_id: str
    requester_id: int
    status: str
    created: date
    solved: date | None = None
    rating: str | None = None
    rated_on: date | None = None
    subject: str | None = None

    @property
    def rating_date(self) -> date:
        return self.rated_on or self.solved or self.created


@dataclass(frozen=True)
class Requester:
    """What the queue knows of a person: their current feeling, how far their word travels
    (``spread``: expected others reached), their bridge score, and the clusters their ties
    link (labels, their own first), if any."""

    person_id: int
    name: str = ""
    feeling: str = "unknown"
    spread: float = 0.0
    bridge_score: float = 0.0
    clusters: tuple[str, ...] = ()
    owner: str | None = None


@dataclass(frozen=True)
class QueueRow:
    """One open ticket in the queue, best first (``rank`` from 1)."""

    rank: int
    ticket_id: str
    requester_id: int
    name: str
    owner: str | None
    status: str
    created: date
    waiting_days: int
    feeling: str
    last_rating: str | None
    risk: float
    reach: float
    score: float
    action: str
    reason: str
    todo: str


def _pct(values: Mapping[int, float], among: Iterable[float]) -> dict[int, float]:
    """Percentile rank in (0, 1] of each value among ``among``; equal values share their
    average rank: a value with ``lo`` values of ``among`` below it and ``hi`` at or below
    it ranks ``(lo + 1 + hi) / 2 / n``."""
    if not values:
        return {}
    ordered = sorted(among)
    n = len(ordered)
    if n == 0:
        return {k: 0.0 for k in values}
    return {k: (bisect_left(ordered, v) + 1 + bisect_right(ordered, v)) / 2 / n for k, v in values.items()}


def _num(x) -> float:
    try:
        f = float(x)
    except (TypeError, ValueError):
        return 0.0
    return f if math.isfinite(f) else 0.0


def _people(x: float) -> str:
    if x < 10:
        s = f"{x:.1f}"
        return f"~{s} {'person' if s == '1.0' else 'people'}"
    return f"~{round(x):,} people"


_NUMBER_WORDS = {2: "two", 3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine"}


def _ago(days: int) -> str:
    return "today" if days == 0 else "yesterday" if days == 1 else f"{days} days ago"


def _reason(req: Requester, last: tuple[str, int] | None, bridge_pct: float) -> str:
    parts = [_FEELING_WORDS.get(req.feeling, req.feeling)]
    if last is not None:
        word = "bad" if last[0] == "detractor" else "well"
        parts.append(f"rated a ticket {word} {_ago(last[1])}")
    if len(req.clusters) >= 2:
        names = list(req.clusters)
        number = _NUMBER_WORDS.get(len(names), f"{len(names)}")
        shown = " and ".join(names) if len(names) == 2 else ", ".join(names[:-1]) + " and " + names[-1]
        parts.append(f"bridges {number} client clusters ({shown})")
    elif _num(req.bridge_score) > 0 and bridge_pct >= 0.9:
        parts.append("a bridge between parts of the network")
    parts.append(f"reaches {_people(_num(req.spread))}")
    return ", ".join(parts)


def service_queue(
    tickets: Iterable[Ticket],
    people: Mapping[int, Requester],
    *,
    as_of: date,
    recent_days: int = 90,
    owner: str | None = None,
    top: int | None = None,
    population: tuple[Iterable[float], Iterable[float]] | None = None,
) -> list[QueueRow]:
    """The open tickets, ranked (module docstring, "The score").

    ``people`` maps person ids to :class:`Requester` (the percentiles of reach
    are taken among them, so pass everybody, not only requesters, or give
    ``population``: everybody's spreads and bridge scores, missing or not finite
    ones as 0, and then ``people`` need only hold the requesters); a requester
    missing from it counts as a stranger: no answer yet, no reach. ``owner``
    keeps the tickets of that account manager's people (compared trimmed and
    case-folded); ``top`` the first so many rows. Tickets opened and ratings
    given after ``as_of`` are ignored.
    """
    tickets = list(tickets)
    since = as_of - timedelta(days=recent_days)
    latest: dict[int, tuple[date, str, str]] = {}
    for t in tickets:
        if t.rating is None:
            continue
        on = t.rating_date
        if since <= on <= as_of:
            # latest by date; on the same day the bad rating holds (cautious), then the ticket id
            key = (on, t.rating == "detractor", str(t.ticket_id))
            if t.requester_id not in latest or key > (latest[t.requester_id][0],
                                                      latest[t.requester_id][1] == "detractor",
                                                      latest[t.requester_id][2]):
                latest[t.requester_id] = (on, t.rating, str(t.ticket_id))
    asked = {t.requester_id for t in tickets}
    if population is None:
        population = ([_num(r.spread) for r in people.values()], [_num(r.bridge_score) for r in people.values()])
    spread_pct = _pct({p: _num(r.spread) for p, r in people.items() if p in asked}, population[0])
    bridge_pct = _pct({p: _num(r.bridge_score) for p, r in people.items() if p in asked}, population[1])
    want = None if owner is None else " ".join(owner.split()).casefold()
    rows = []
    for t in tickets:
        if t.status not in OPEN_STATUSES or t.created > as_of:
            continue
        req = people.get(t.requester_id) or Requester(t.requester_id)
        if want is not None and " ".join((req.owner or "").split()).casefold() != want:
            continue
        feeling = req.feeling if req.feeling in FEELING_RISK else "unknown"
        risk = FEELING_RISK[feeling]
        last = None
        if t.requester_id in latest:
            on, rating, _ = latest[t.requester_id]
            risk += BAD_RATING_RISK if rating == "detractor" else GOOD_RATING_RISK
            last = (rating, (as_of - on).days)
        risk = min(1.0, max(0.0, risk))
        bp = bridge_pct.get(t.requester_id, 0.0) if _num(req.bridge_score) > 0 else 0.0
        sp = spread_pct.get(t.requester_id, 0.0) if _num(req.spread) > 0 else 0.0
        reach = 0.7 * sp + 0.3 * bp
        score = round(100.0 * risk * (REACH_FLOOR + (1 - REACH_FLOOR) * reach), 3)
        action = "recover" if (last is not None and last[0] == "detractor") else _ACTION[feeling]
        rows.append(dict(
            ticket_id=str(t.ticket_id), requester_id=t.requester_id, name=req.name, owner=req.owner,
            status=t.status, created=t.created, waiting_days=max((as_of - t.created).days, 0),
            feeling=feeling, last_rating=None if last is None else last[0], risk=round(risk, 3),
            reach=round(reach, 3), score=score, action=action,
            reason=_reason(req, last, bp), todo=QUEUE_ADVICE[action],
        ))
    rows.sort(key=lambda r: (-r["score"], -r["risk"], r["created"], r["ticket_id"]))
    if top is not None:
        rows = rows[:top]
    return [QueueRow(rank=i, **r) for i, r in enumerate(rows, start=1)]
