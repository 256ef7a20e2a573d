"""One person's stored record, as :mod:`netmap.profile` shows it: their row, the ids and
emails they are known by, their answers, the referrals they made and received, and
the interactions they shared (with how many took part in each).

A handful of indexed queries on one person, so a profile is fast however large
the network is. The person and their answers come back as the typed models of
:mod:`netmap.storage.tables` (read through a SQLModel session); the joins come
back as plain dicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine, func
from sqlmodel import Session, col, select

from .tables import FeedbackRow, IdentifierRow, InteractionRow, ParticipationRow, PersonRow, ReferralRow


@dataclass
class PersonRecord:
    """Everything stored about one person (see :func:`person_record`)."""

    person: PersonRow
    identifiers: list[IdentifierRow] = field(default_factory=list)
    answers: list[FeedbackRow] = field(default_factory=list)
    #: the people they referred: person_id, name, email, company, referred_on, status, value
    referrals_made: list[dict] = field(default_factory=list)
    #: the people who referred them, the same keys
    referrals_received: list[dict] = field(default_factory=list)
    #: kind, name, happened_on, participants; newest first, undated last
    interactions: list[dict] = field(default_factory=list)


def person_record(engine: Engine, person_id: int) -> PersonRecord | None:
    """The stored record of person ``person_id``, or ``None`` when there is no such person."""
    with Session(engine) as session:
        person = session.get(PersonRow, person_id)
        if person is None:
            return None
        identifiers = session.exec(
            select(IdentifierRow).where(IdentifierRow.person_id == person_id)
            .order_by(IdentifierRow.kind, IdentifierRow.id)
        ).all()
        answers = session.exec(select(FeedbackRow).where(FeedbackRow.person_id == person_id)).all()
        session.expunge_all()  # plain values from here on: nothing lazy-loads after the session
        conn = session.connection()
        made = _referrals(conn, person_id, made=True)
        received = _referrals(conn, person_id, made=False)
        interactions = _interactions(conn, person_id)
    return PersonRecord(person, list(identifiers), list(answers), made, received, interactions)


def _referrals(conn, person_id: int, *, made: bool) -> list[dict]:
    mine, theirs = (ReferralRow.referrer_id, ReferralRow.referred_id) if made else (
        ReferralRow.referred_id, ReferralRow.referrer_id)
    q = (
        select(col(PersonRow.id).label("person_id"), PersonRow.name, PersonRow.email, PersonRow.company,
               ReferralRow.referred_on, ReferralRow.status, ReferralRow.value)
        .join(PersonRow, col(PersonRow.id) == theirs).where(mine == person_id).order_by(ReferralRow.id)
    )
    return [dict(r) for r in conn.execute(q).mappings()]


def _interactions(conn, person_id: int) -> list[dict]:
    theirs = select(ParticipationRow.interaction_id).where(ParticipationRow.person_id == person_id)
    counts = (
        select(ParticipationRow.interaction_id, func.count().label("participants"))
        .where(col(ParticipationRow.interaction_id).in_(theirs))
        .group_by(ParticipationRow.interaction_id)
        .subquery()
    )
    q = (
        select(InteractionRow.kind, InteractionRow.name, InteractionRow.happened_on, counts.c.participants)
        .join(counts, counts.c.interaction_id == InteractionRow.id)
        .order_by(col(InteractionRow.happened_on).desc().nulls_last(), InteractionRow.id)  # undated last on PostgreSQL too
    )
    return [dict(r) for r in conn.execute(q).mappings()]
