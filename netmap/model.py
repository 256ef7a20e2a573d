"""Plain data the whole library speaks: what the store hands to the analysis.

These frozen dataclasses carry no ORM and no I/O, so graph building and every
measure are pure functions over them (functional core, thin shell). The store
(`netmap.storage.store.Store`, reading through `netmap.storage.reads`) loads a
:class:`Dataset` from the database; tests build one by hand.

Feelings follow the Net Promoter convention: on the 0-10 NPS scale 9-10 is a
promoter, 7-8 a passive, 0-6 a detractor. On the 1-5 CSAT scale 5 is a
promoter, 4 a passive, 1-3 a detractor (the usual "top-box" reading).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

Feeling = Literal["promoter", "passive", "detractor", "unknown"]
Scale = Literal["nps", "csat"]

#: Lifecycle stages that make a person a customer.
CUSTOMER_STAGES = frozenset({"customer", "evangelist"})
#: The lifecycle stage of a person of the user's own company (an account manager whose
#: connections were imported): neither a customer nor a prospect.
TEAM_STAGE = "team"


@dataclass(frozen=True)
class Person:
    """A node of the network: a customer, or someone around them.

    ``id`` is netmap's own integer key (stable across imports). ``stage`` is the
    normalised lifecycle stage (``customer``, ``evangelist``, ``opportunity``,
    ``lead``, ``subscriber``, ``other`` ...) or ``None`` when unknown; people who
    appear only as a referrer, a relationship end or a participant have
    ``stage=None`` and are the "friends of friends" (prospects).
    """

    id: int
    name: str
    crm_id: str | None = None
    email: str | None = None
    company: str | None = None
    owner: str | None = None
    stage: str | None = None
    segment: str | None = None
    region: str | None = None
    created: date | None = None

    @property
    def is_customer(self) -> bool:
        return self.stage in CUSTOMER_STAGES


@dataclass(frozen=True)
class Relationship:
    """An explicit person-to-person tie (knows, colleague, reports to, partner ...).

    ``strength`` is the strength the source file gave, mapped into (0, 1] by
    the rule its strength column calls for (:func:`netmap.ingest.values.strength_mapping`:
    ratings divided by their scale, counts through ``1 - exp(-x / median)``), or
    ``None`` when the file had none.
    """

    a_id: int
    b_id: int
    kind: str | None = None
    strength: float | None = None
    since: date | None = None


@dataclass(frozen=True)
class Referral:
    """``referrer_id`` referred ``referred_id`` (direction matters)."""

    referrer_id: int
    referred_id: int
    on: date | None = None
    status: str | None = None
    value: float | None = None


@dataclass(frozen=True)
class Interaction:
    """A shared contact: a meeting, event, deal or email thread and who took part."""

    id: int
    kind: str
    participant_ids: tuple[int, ...]
    name: str | None = None
    on: date | None = None


@dataclass(frozen=True)
class Feedback:
    """One survey answer: a score on a scale, when, and what they said."""

    person_id: int
    score: float
    scale: Scale = "nps"
    on: date | None = None
    comment: str | None = None


@dataclass(frozen=True)
class Dataset:
    """Everything the analysis needs, as plain values.

    ``as_of`` is the reference date for recency (the newest date in the data,
    never the wall clock, so results are reproducible). ``version`` identifies
    the state of the data the dataset was read from, so derived measures can
    be cached against it.
    """

    people: tuple[Person, ...] = ()
    relationships: tuple[Relationship, ...] = ()
    referrals: tuple[Referral, ...] = ()
    interactions: tuple[Interaction, ...] = ()
    feedback: tuple[Feedback, ...] = ()
    as_of: date | None = None
    version: int = 0
    meta: dict = field(default_factory=dict, compare=False)
    #: person id -> identity key: the smallest of the CRM ids and emails they are
    #: known by ("crm:..." / "email:..."), what :mod:`netmap.network.canonical`
    #: orders people by (the store fills it; empty for hand-built datasets)
    keys: dict = field(default_factory=dict, compare=False)


#: The feelings in the order every chart and legend shows them.
FEELINGS: tuple[Feeling, ...] = ("promoter", "passive", "detractor", "unknown")
#: How a feeling is said to a user ("unknown" is somebody who has not answered a survey).
FEELING_WORDS = {"promoter": "promoter", "passive": "passive", "detractor": "detractor", "unknown": "no answer yet"}


def feeling_of(score: float | None, scale: Scale = "nps") -> Feeling:
    """Map a survey score to a feeling (see module docstring for the bands)."""
    if score is None:
        return "unknown"
    if scale == "csat":
        return "promoter" if score >= 5 else "passive" if score >= 4 else "detractor"
    return "promoter" if score >= 9 else "passive" if score >= 7 else "detractor"


#: The feeling categories in order: a move up is progress, down a warning (netmap/network/history.py).
FEELING_ORDER: dict[str, int] = {"detractor": 0, "passive": 1, "promoter": 2}


def same_day_rank(feeling: str, score: float, scale: str) -> tuple:
    """Which of two answers a person gave **on the same day** holds: the one with the larger
    rank. The lower feeling; of two with the same feeling, a 0-10 answer over a rating (it is
    the NPS question's), then the lower score: a cautious reading that does not depend on
    the order of the rows. Answers on different days never need it: the latest holds (and a
    dated one over an undated one). The one rule for today's feeling
    (netmap/network/graph.py, the summary in netmap/storage/reads.py) and for any day's
    (netmap/network/history.py)."""
    return (-FEELING_ORDER.get(feeling, 3), scale == "nps", -float(score))


def holds_over(score: float, scale: str, other_score: float, other_scale: str) -> bool:
    """Whether an answer holds over ``other``, given on the same day (:func:`same_day_rank`)."""
    return (same_day_rank(feeling_of(score, scale), score, scale)
            > same_day_rank(feeling_of(other_score, other_scale), other_score, other_scale))


def net_promoter_score(scores) -> int | None:
    """Net Promoter Score of 0-10 answers: per cent promoters (9-10) minus per
    cent detractors (0-6), rounded; None when there are no answers."""
    scores = list(scores)
    if not scores:
        return None
    promoters = sum(1 for s in scores if s >= 9)
    detractors = sum(1 for s in scores if s <= 6)
    return round(100 * (promoters - detractors) / len(scores))


def company_key(company: str | None) -> str:
    """The colleague rule's company name (:func:`netmap.network.graph.build_graph`: colleagues
    at a small company are tied): trimmed and case-folded ('' = none)."""
    return company.strip().casefold() if company else ""


def goodwill(latest) -> dict[str, int | None]:
    """``promoters``, ``passives``, ``detractors`` and ``nps`` of each person's latest answer,
    given as ``(score, scale)`` pairs: the feelings by :func:`feeling_of` on the answer's own
    scale, the Net Promoter Score of the 0-10 (``nps``) answers only."""
    feelings = {"promoter": 0, "passive": 0, "detractor": 0}
    nps_scores = []
    for score, scale in latest:
        feeling = feeling_of(score, scale)
        feelings[feeling] = feelings.get(feeling, 0) + 1
        if scale == "nps":
            nps_scores.append(score)
    return {"promoters": feelings["promoter"], "passives": feelings["passive"],
            "detractors": feelings["detractor"], "nps": net_promoter_score(nps_scores)}


#: Columns of ``python -m netmap plan`` (a contract), the stored plan's first columns
#: (:func:`netmap.network.plan.nurture_plan` writes them, :mod:`netmap.analysis` stores them).
PLAN_COLUMNS = ["rank", "person_id", "name", "marginal_spread", "cumulative_spread", "reason"]
