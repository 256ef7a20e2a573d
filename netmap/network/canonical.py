"""A canonical order of people, so that every measure is a function of the data alone.

netmap's person ids are handed out in the order rows were first imported. Every
step of the analysis that is seeded or breaks ties by position -- Leiden's node
visits, KADABRA's sampled pairs, the live-edge snapshots, "equal scores: the
smaller id first" -- would therefore answer differently for the same data
imported in another order (seen: 686 of 2,000 people changed community when the
same files were imported in reverse).

:func:`canonical_order` sorts people by what the data says of them instead:

1. their *identity key*: the smallest of the CRM ids and emails they are known
   by (``"crm:…"`` before ``"email:…"``; :attr:`Dataset.keys`, filled by the
   store), else their own ``crm_id`` or ``email``; people with a key first;
2. then name, company, owner, stage, segment, region and created date;
3. only people identical in all of that (indistinguishable to any reader of the
   data) keep their import order between them.

:func:`relabel` rewrites a :class:`~netmap.model.Dataset` with each person's id
replaced by their canonical rank ``0..n-1``; :func:`netmap.analysis.analyze`
measures that copy and maps the ids back, so communities, betweenness samples,
spread samples and every tie-break follow the canonical order.
"""

from __future__ import annotations

import numpy as np

from netmap.model import Dataset, Feedback, Interaction, Person, Referral, Relationship

__all__ = ["canonical_order", "identity_key", "relabel"]


def identity_key(person: Person, keys: dict[int, str] | None = None) -> tuple:
    """The sort key of one person (see the module docstring)."""
    ident = (keys or {}).get(person.id) or (
        f"crm:{person.crm_id}" if person.crm_id else f"email:{person.email}" if person.email else ""
    )
    return (
        ident == "", ident, person.name or "", person.company or "", person.owner or "", person.stage or "",
        person.segment or "", person.region or "", person.created.isoformat() if person.created else "",
    )


def canonical_order(dataset: Dataset) -> np.ndarray:
    """Person ids (first occurrence of each) in canonical order.

    Examples
    --------
    >>> from netmap.model import Person
    >>> ds = Dataset(people=(Person(5, "Bo", email="bo@x.com"), Person(2, "Ana", crm_id="7")))
    >>> canonical_order(ds).tolist()
    [2, 5]
    """
    seen: dict[int, Person] = {}
    for person in dataset.people:
        seen.setdefault(int(person.id), person)
    keys = dataset.keys
    ordered = sorted(seen.values(), key=lambda p: (identity_key(p, keys), p.id))
    return np.fromiter((p.id for p in ordered), np.int64, len(ordered))


def relabel(dataset: Dataset, order: np.ndarray) -> Dataset:
    """``dataset`` with person ``order[r]`` renamed ``r`` everywhere.

    Evidence naming someone not in ``order`` keeps an id no person has (-1), so
    the graph ignores and counts it as before. Interactions keep their ids (they
    only group participants); the order of every other record is kept.
    """
    rank = {int(pid): r for r, pid in enumerate(order.tolist())}
    get = rank.get
    people = {}
    for p in dataset.people:
        r = get(int(p.id))
        if r is not None and r not in people:
            people[r] = Person(r, p.name, p.crm_id, p.email, p.company, p.owner, p.stage, p.segment, p.region,
                               p.created)
    return Dataset(
        people=tuple(people[r] for r in sorted(people)),
        relationships=tuple(Relationship(get(r.a_id, -1), get(r.b_id, -1), r.kind, r.strength, r.since)
                            for r in dataset.relationships),
        referrals=tuple(Referral(get(r.referrer_id, -1), get(r.referred_id, -1), r.on, r.status, r.value)
                        for r in dataset.referrals),
        interactions=tuple(Interaction(i.id, i.kind, tuple(get(p, -1) for p in i.participant_ids), i.name, i.on)
                           for i in dataset.interactions),
        feedback=tuple(Feedback(get(f.person_id, -1), f.score, f.scale, f.on, f.comment) for f in dataset.feedback),
        as_of=dataset.as_of,
        version=dataset.version,
        meta=dataset.meta,
    )
