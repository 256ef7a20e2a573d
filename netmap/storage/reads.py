"""The read side of the database: what the analysis, the pages and the commands read,
as plain values (:class:`netmap.model.Dataset`, dicts, ids), so that only
netmap/storage/ speaks SQL (tests/test_layers.py).

- :func:`load_dataset` (everything the analysis needs), :func:`load_neighbourhood`
  (one person's ties' worth of it), :func:`answers`, :func:`tickets`;
- :func:`summary` (key figures; its tie count kept once per data version through
  netmap/storage/cache.py), :func:`has_people`, :func:`team_members`;
- :func:`find_person` and :func:`resolve_one` (a WHO text to one person id);
- :func:`imports` (the import log), :func:`reviews` (likely duplicates) and
  :func:`kept_apart` (the pairs decided to be two people);
- :func:`crm_id_rows`, which netmap/crm_export.py uses to write CRM ids back into an export.

The rules of the network are not copied here: which pairs are ties is
netmap/network/graph.py's (``count_ties``), a colleague's company key and the
goodwill figures are netmap/model.py's (``company_key``, ``goodwill``).
"""

from __future__ import annotations

import gc
import json
from collections import defaultdict
from datetime import date, datetime

from sqlalchemy import Engine, LargeBinary, cast, func, select, union
from sqlalchemy.engine import Connection
from sqlmodel import Session, col

from ..errors import AmbiguousPerson, UnknownPerson
from ..ingest.values import name_key
from ..model import (
    CUSTOMER_STAGES, TEAM_STAGE, Dataset, Feedback, Interaction, Person, Referral, Relationship, company_key, goodwill,
    holds_over,
)
from .cache import cache, data_version
from .engine import chunks
from .tables import ImportLogRow
from .tables import feedback as FB
from .tables import identifier as IDT
from .tables import import_log as LOG
from .tables import interaction as INT
from .tables import measure_cache as MEAS
from .tables import participation as PART
from .tables import person as P
from .tables import referral as REF
from .tables import relationship as REL
from .tables import review as REV
from .tables import ticket as TKT

#: the import log's kinds of a decision about a likely duplicate (netmap/storage/merge.py makes them)
DECISIONS = ("merge", "keep-apart")


def kept_apart(conn: Connection) -> set[frozenset]:
    """Every pair of people decided to be two (keep-apart decisions in place), each person
    taken through the merges in place to the person they are now part of."""
    alias: dict[int, int] = {}
    pairs_: list[list[int]] = []
    for kind, details in conn.execute(select(LOG.c.kind, LOG.c.details_json).where(
            LOG.c.kind.in_(DECISIONS), LOG.c.undone_at.is_(None)).order_by(LOG.c.id)):
        d = json.loads(details or "{}")
        if kind == "merge":
            alias[d["merged"]] = d["kept"]
        else:
            pairs_.append(d["people"])

    def now(pid: int) -> int:
        seen = set()
        while pid in alias and pid not in seen:
            seen.add(pid)
            pid = alias[pid]
        return pid

    out = {frozenset(now(p) for p in pair) for pair in pairs_}
    return {p for p in out if len(p) == 2}


#: where :func:`summary` keeps its tie count (in the measures table)
_TIES_SLOT = "summary/ties"


def crm_id_rows(engine: Engine) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """``(person.crm_id rows, other CRM identifier rows)`` as ``(person id, value)``:
    the first only where ``crm_id`` is set, the second in the order they were recorded."""
    with engine.connect() as conn:
        stored = [(int(p), v) for p, v in conn.execute(
            select(P.c.id, P.c.crm_id).where(P.c.crm_id.is_not(None)))]
        others = [(int(p), v) for p, v in conn.execute(
            select(IDT.c.person_id, IDT.c.value)
            .where(IDT.c.kind == "crm").order_by(IDT.c.id))]
    return stored, others


def imports(engine: Engine) -> list[dict]:
    """The import log, newest first: files imported (the merges and keep-apart decisions,
    journaled in the same log, are :meth:`decisions`). Read as typed
    :class:`netmap.storage.tables.ImportLogRow` rows, handed on as dicts with the
    mapping and details decoded."""
    with Session(engine) as session:
        rows = session.scalars(
            select(ImportLogRow).where(col(ImportLogRow.kind).not_in(DECISIONS)).order_by(col(ImportLogRow.id).desc())
        ).all()
        return [
            {**row.model_dump(), "mapping": json.loads(row.mapping_json), "details": json.loads(row.details_json)}
            for row in rows
        ]


def reviews(engine: Engine) -> list[dict]:
    """Likely duplicates waiting for a person's decision."""
    with engine.connect() as conn:
        a, b = P.alias("a"), P.alias("b")
        q = (
            select(REV.c.id, REV.c.reason, REV.c.import_id, a.c.id.label("a_id"), a.c.name.label("a_name"),
                   a.c.email.label("a_email"), b.c.id.label("b_id"), b.c.name.label("b_name"), b.c.email.label("b_email"))
            .join(a, a.c.id == REV.c.a_id).join(b, b.c.id == REV.c.b_id).order_by(REV.c.id)
        )
        return [dict(r) for r in conn.execute(q).mappings()]


def find_person(engine: Engine, who: str, conn: Connection | None = None, *, by_name: bool = True) -> int:
    """Resolve WHO (a CRM id, an email, or an unambiguous name) to a person id.

    ``by_name=False`` takes only a CRM id or an email (two index lookups): for callers
    that already searched the names, where the name match would read every name."""
    if conn is None:
        with engine.connect() as c:
            return find_person(engine, who, c, by_name=by_name)
    w = who.strip()
    hit = conn.execute(select(IDT.c.person_id).where(IDT.c.kind == "crm", IDT.c.value == w)).first()
    if hit is None and "@" in w:
        hit = conn.execute(select(IDT.c.person_id).where(IDT.c.kind == "email", IDT.c.value == w.lower())).first()
    if hit is not None:
        return hit[0]
    if not by_name:
        raise UnknownPerson(f"no person has the CRM id or email {who!r}")
    key = name_key(w)
    matches = [pid for pid, name in conn.execute(select(P.c.id, P.c.name)) if key and name_key(name) == key]
    if len(matches) == 1:
        return matches[0]
    if len(matches) > 1:
        raise AmbiguousPerson(
            f"{who!r} matches {len(matches)} people (ids {', '.join(map(str, sorted(matches)[:10]))}); "
            "use their email or CRM id"
        )
    raise UnknownPerson(f"no person matches {who!r}; give a CRM id, an email or a full name as stored")


def resolve_one(engine: Engine, who: str) -> int:
    """The one person ``who`` names, for an action that must not hit a bystander (erasure).

    Unlike :meth:`find_person`, where a CRM id wins, every reading is tried: ``#42``
    (netmap's id), a CRM id, an email, a name. When they name more than one person,
    :class:`AmbiguousPerson` lists each candidate and how it matched; when none,
    :class:`UnknownPerson`."""
    w = who.strip()
    found: dict[int, list[str]] = defaultdict(list)
    with engine.connect() as conn:
        if w.startswith("#") and w[1:].isdigit():
            if conn.execute(select(P.c.id).where(P.c.id == int(w[1:]))).first() is not None:
                found[int(w[1:])].append("netmap id")
        for (pid,) in conn.execute(select(IDT.c.person_id).where(IDT.c.kind == "crm", IDT.c.value == w)):
            found[pid].append("CRM id")
        for (pid,) in conn.execute(select(IDT.c.person_id).where(IDT.c.kind == "email", IDT.c.value == w.lower())):
            found[pid].append("email")
        key = name_key(w)
        names = {}
        for pid, name in conn.execute(select(P.c.id, P.c.name)):
            names[pid] = name
            if key and name_key(name) == key:
                found[pid].append("name")
    if len(found) == 1:
        return next(iter(found))
    if not found:
        raise UnknownPerson(f"no person matches {who!r}; give their CRM id, email, full name as stored, or #id")
    listed = "; ".join(f"#{pid} {names.get(pid) or ''} (by {' and '.join(how)})".replace("  ", " ")
                       for pid, how in sorted(found.items())[:10])
    raise AmbiguousPerson(f"{who!r} names {len(found)} people: {listed}; give one of them as #id")


def team_members(engine: Engine) -> list[str]:
    """The names (else emails) of the people of the user's own team (stage
    :data:`~netmap.model.TEAM_STAGE`), sorted: whose export a contacts file can be."""
    with engine.connect() as conn:
        rows = conn.execute(select(P.c.name, P.c.email).where(P.c.stage == TEAM_STAGE))
        return sorted({name or email for name, email in rows if name or email}, key=str.casefold)


def has_people(engine: Engine) -> bool:
    """Whether anyone is stored: one row read, where :func:`summary` counts everything
    (0.2 s at 100,000 people, on every page that only asks whether there is data)."""
    with engine.connect() as conn:
        return conn.execute(select(P.c.id).limit(1)).first() is not None


def has_tickets(engine: Engine) -> bool:
    """Whether any support ticket is stored (one row read)."""
    with engine.connect() as conn:
        return conn.execute(select(TKT.c.id).limit(1)).first() is not None


def summary(engine: Engine) -> dict:
    """Key figures: people, customers, ties, referrals, feedback, imports ...

    ``people`` counts everyone in the network, your ``team`` (support agents, whose
    connections were imported) included; ``prospects`` are the people who are neither."""
    with engine.connect() as conn:
        count = lambda t, *w: conn.execute(select(func.count()).select_from(t).where(*w)).scalar_one()  # noqa: E731
        people = count(P)
        customers = count(P, P.c.stage.in_(sorted(CUSTOMER_STAGES)))
        team = count(P, P.c.stage == TEAM_STAGE)
        ties = _stored_tie_count(engine, conn)
        latest = _latest_feedback(conn)
        feelings = goodwill(latest.values())
        imported = (LOG.c.undone_at.is_(None), LOG.c.kind.notin_(DECISIONS))  # not merges (netmap.storage.merge)
        last = conn.execute(select(func.max(LOG.c.created_at)).where(*imported)).scalar_one()
        return {
            "people": people,
            "customers": customers,
            "prospects": people - customers - team,
            "team": team,
            "ties": ties,
            "relationships": count(REL),
            "referrals": count(REF),
            "interactions": count(INT),
            "feedback": count(FB),
            "with_feedback": len(latest),
            **feelings,  # promoters, passives, detractors, nps
            "imports": count(LOG, *imported),
            "reviews": count(REV),
            "last_import": last.isoformat(timespec="seconds") if last else None,
            "data_version": data_version(conn),
        }


def _stored_tie_count(engine: Engine, conn: Connection) -> int:
    """:func:`_tie_count`, counted once per data version (2 s at 100,000 people) and kept."""
    version = data_version(conn)
    row = conn.execute(select(MEAS.c.payload, MEAS.c.data_version).where(MEAS.c.name == _TIES_SLOT)).first()
    if row is not None and row[1] == version:
        return int(row[0])
    ties = _tie_count(conn)
    cache(engine, _TIES_SLOT, str(ties).encode("ascii"), version)
    return ties


def _tie_count(conn: Connection) -> int:
    """How many ties the network has, by the rules of
    :func:`netmap.network.graph.build_graph`, without building it: the evidence pairs
    read here (interactions only up to the graph's MAX_INTERACTION_SIZE, so that a
    webinar's pairs are never made), counted by :func:`netmap.network.graph.count_ties`."""
    from ..network.graph import MAX_INTERACTION_SIZE, count_ties

    p1, p2 = PART.alias("p1"), PART.alias("p2")
    small = (
        select(PART.c.interaction_id).group_by(PART.c.interaction_id)
        .having(func.count() <= MAX_INTERACTION_SIZE).scalar_subquery()
    )
    evidence = union(
        select(REL.c.a_id, REL.c.b_id),
        select(REF.c.referrer_id, REF.c.referred_id),
        select(p1.c.person_id, p2.c.person_id)
        .join(p2, (p1.c.interaction_id == p2.c.interaction_id) & (p1.c.person_id < p2.c.person_id))
        .where(p1.c.interaction_id.in_(small)),
    )
    companies = conn.execute(select(P.c.id, P.c.company).where(P.c.company.is_not(None)))
    return count_ties(conn.execute(evidence).fetchall(), companies)


def load_dataset(engine: Engine) -> Dataset:
    """Everything the analysis needs, as plain values (see :mod:`netmap.model`)."""
    enabled = gc.isenabled()
    gc.disable()  # ~500,000 small objects, no cycles: the collector's rescans cost 15 %
    try:
        return _load_dataset(engine)
    finally:
        if enabled:
            gc.enable()


def answers(engine: Engine) -> tuple[Feedback, ...]:
    """Every survey answer (without comments), in the order they were recorded: what
    goodwill over time needs (:mod:`netmap.trends`), without reading the whole dataset."""
    with engine.connect() as conn:
        rows = conn.execute(select(FB.c.person_id, FB.c.score, FB.c.scale, FB.c.answered_on)
                            .order_by(FB.c.id)).all()
    return tuple(Feedback(*r) for r in rows)


def referral_dates(engine: Engine) -> list[tuple[int, date | None]]:
    """Every referral as ``(referrer id, date)`` (the date may be unknown), in the order they were
    recorded: what the nurture log's outcomes (netmap/outcomes_report.py) count, without the dataset."""
    with engine.connect() as conn:
        return [(a, on) for a, on in conn.execute(select(REF.c.referrer_id, REF.c.referred_on).order_by(REF.c.id))]


def tickets(engine: Engine) -> list[dict]:
    """Every stored support ticket (``netmap/storage/tables.py`` Ticket) as a plain dict, in the
    order they were first imported: what the service queue (:mod:`netmap.tickets`) reads,
    without the whole dataset."""
    names = ("id", "source", "external_id", "requester_id", "agent_id", "status", "subject", "company",
             "created_on", "solved_on", "rating", "csat")
    with engine.connect() as conn:  # whole rows as tuples, zipped with the names: no per-row mapping
        rows = conn.execute(select(*(TKT.c[c] for c in names)).order_by(TKT.c.id)).all()
    return [dict(zip(names, r)) for r in rows]


def _load_dataset(engine: Engine) -> Dataset:
    # whole result sets (fetchall) unpacked as tuples: 2x faster than row by row with attribute access
    with engine.connect() as conn:
        version = data_version(conn)
        people = _people(conn.execute(select(*_PERSON_COLUMNS).order_by(P.c.id)).all())
        rows = conn.execute(select(REL.c.a_id, REL.c.b_id, REL.c.kind, REL.c.strength, REL.c.since)
                            .order_by(REL.c.id)).all()
        rels = tuple(Relationship(a, b, kind or None, strength, since) for a, b, kind, strength, since in rows)
        rows = conn.execute(select(REF.c.referrer_id, REF.c.referred_id, REF.c.referred_on, REF.c.status, REF.c.value)
                            .order_by(REF.c.id)).all()
        refs = tuple(Referral(*r) for r in rows)
        members: dict[int, list[int]] = defaultdict(list)
        for iid, pid in conn.execute(select(PART.c.interaction_id, PART.c.person_id).order_by(PART.c.interaction_id, PART.c.person_id)).all():
            members[iid].append(pid)
        rows = conn.execute(select(INT.c.id, INT.c.kind, INT.c.name, INT.c.happened_on).order_by(INT.c.id)).all()
        inters = tuple(Interaction(iid, kind, tuple(members.get(iid, ())), name, on) for iid, kind, name, on in rows)
        rows = conn.execute(select(FB.c.person_id, FB.c.score, FB.c.scale, FB.c.answered_on, FB.c.comment)
                            .order_by(FB.c.id)).all()
        fbs = tuple(Feedback(*r) for r in rows)
        keys = dict(conn.execute(select(IDT.c.person_id, func.min(IDT.c.kind + ":" + IDT.c.value))
                                 .group_by(IDT.c.person_id)).all())
    dates = [d for d in (
        *(p.created for p in people), *(r.since for r in rels), *(r.on for r in refs),
        *(i.on for i in inters), *(f.on for f in fbs),
    ) if d is not None]
    return Dataset(people, rels, refs, inters, fbs, as_of=max(dates) if dates else None, version=version,
                   keys=keys)


def load_neighbourhood(engine: Engine, person_id: int) -> Dataset:
    """The part of the data that makes ``person_id``'s ties: them, everyone a
    relationship, referral, shared interaction (with all its participants) or
    their company links them to, that evidence, and the whole data's ``as_of``.

    :func:`netmap.network.graph.build_graph` of it gives ``person_id`` exactly
    the ties (and strengths) it has in the whole network -- a tie depends only
    on the evidence between its two people, the size of the interaction or
    company it comes from, and the data's newest date -- in a few indexed
    queries instead of reading everything (a profile at 100,000 people).
    """
    pid = int(person_id)
    with engine.connect() as conn:
        version = data_version(conn)
        rel_rows = conn.execute(select(REL.c.a_id, REL.c.b_id, REL.c.kind, REL.c.strength, REL.c.since)
                                .where((REL.c.a_id == pid) | (REL.c.b_id == pid)).order_by(REL.c.id)).all()
        ref_rows = conn.execute(select(REF.c.referrer_id, REF.c.referred_id, REF.c.referred_on, REF.c.status, REF.c.value)
                                .where((REF.c.referrer_id == pid) | (REF.c.referred_id == pid)).order_by(REF.c.id)).all()
        mine = select(PART.c.interaction_id).where(PART.c.person_id == pid)
        members: dict[int, list[int]] = defaultdict(list)
        for iid, member in conn.execute(select(PART.c.interaction_id, PART.c.person_id)
                                        .where(PART.c.interaction_id.in_(mine))
                                        .order_by(PART.c.interaction_id, PART.c.person_id)).all():
            members[iid].append(member)
        int_rows = conn.execute(select(INT.c.id, INT.c.kind, INT.c.name, INT.c.happened_on)
                                .where(INT.c.id.in_(mine)).order_by(INT.c.id)).all()
        company = conn.execute(select(P.c.company).where(P.c.id == pid)).scalar_one_or_none()
        key = company_key(company)
        colleagues = [i for i, c in conn.execute(_colleague_candidates(conn, key)).all()
                      if company_key(c) == key] if key else []
        ids = {pid, *colleagues, *(x for r in rel_rows for x in r[:2]), *(x for r in ref_rows for x in r[:2]),
               *(m for ms in members.values() for m in ms)}
        rows, fb_rows = [], []
        for chunk in chunks(sorted(ids), 900):
            rows += conn.execute(select(*_PERSON_COLUMNS).where(P.c.id.in_(chunk))).all()
            fb_rows += conn.execute(select(FB.c.id, FB.c.person_id, FB.c.score, FB.c.scale, FB.c.answered_on,
                                           FB.c.comment).where(FB.c.person_id.in_(chunk))).all()
        newest = [conn.execute(select(func.max(col))).scalar_one() for col in
                  (P.c.created, REL.c.since, REF.c.referred_on, INT.c.happened_on, FB.c.answered_on)]
    people = _people(sorted(rows))
    rels = tuple(Relationship(a, b, kind or None, strength, since) for a, b, kind, strength, since in rel_rows)
    refs = tuple(Referral(*r) for r in ref_rows)
    inters = tuple(Interaction(iid, kind, tuple(members.get(iid, ())), name, on) for iid, kind, name, on in int_rows)
    fbs = tuple(Feedback(*r[1:]) for r in sorted(fb_rows))
    dates = [_as_date(d) for d in newest if d is not None]
    return Dataset(people, rels, refs, inters, fbs, as_of=max(dates) if dates else None, version=version)


def _colleague_candidates(conn: Connection, key: str):
    """``(id, company)`` of everyone who may work at the company whose match key
    (``company.strip().casefold()``) is ``key``: a superset, checked exactly in Python.

    On SQLite: a company of ASCII only matches only if its ``lower`` contains ``key``
    (SQLite's ``lower`` folds ASCII only, and there ``casefold`` is ``lower``; ``strip``
    only removes characters around it). ``instr``, not ``LIKE``: no escaping, and no
    limit on the key's length (SQLite refuses LIKE patterns over 50,000 bytes). Any other
    company (an accent, a non-breaking space: its length in characters differs from its
    length in bytes) stays a candidate. The profile page reads a few hundred rows
    instead of every company: 0.05 s instead of 0.17 s at 100,000 people. Other
    databases get every company: their ``lower`` follows a collation, which may fold
    ASCII differently (Turkish ``I``).
    """
    q = select(P.c.id, P.c.company).where(P.c.company.is_not(None))
    if conn.dialect.name == "sqlite":
        not_ascii = func.length(P.c.company) != func.length(cast(P.c.company, LargeBinary))
        q = q.where((func.instr(func.lower(P.c.company), key) > 0) | not_ascii)
    return q


def _latest_feedback(conn: Connection) -> dict[int, tuple[float, str]]:
    """Each person's latest score: dated answers beat undated, then the latest date, then
    :func:`netmap.model.same_day_rank` (as the graph's feeling: netmap/network/graph.py)."""
    latest: dict[int, tuple] = {}
    for pid, score, scale, on in conn.execute(
        select(FB.c.person_id, FB.c.score, FB.c.scale, FB.c.answered_on)
    ):
        day = (on is not None, on or date.min)
        held = latest.get(pid)
        if held is None or day > held[0] or (day == held[0] and holds_over(score, scale, held[1], held[2])):
            latest[pid] = (day, score, scale)
    return {pid: (v[1], v[2]) for pid, v in latest.items()}


#: the person columns the analysis reads, in the order :func:`_people` unpacks them
_PERSON_COLUMNS = (P.c.id, P.c.name, P.c.crm_id, P.c.email, P.c.company, P.c.owner, P.c.stage, P.c.segment,
                   P.c.region, P.c.created)


def _people(rows) -> tuple[Person, ...]:
    """:data:`_PERSON_COLUMNS` rows as :class:`Person` values (a person without a name
    is called by their email, CRM id or number)."""
    return tuple(
        Person(id=pid, name=name or email or crm_id or f"#{pid}", crm_id=crm_id, email=email, company=company,
               owner=owner, stage=stage, segment=segment, region=region, created=created)
        for pid, name, crm_id, email, company, owner, stage, segment, region, created in rows
    )


def _as_date(value) -> date:
    """A date from what ``max()`` of a date column returns (SQLite may give the text)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


