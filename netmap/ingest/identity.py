"""Who is who: the same person across files is one person.

:func:`resolve` takes what the database already knows (a :class:`PeopleIndex`)
and the parsed files of one import, and decides for every record which person
it is about. It is a pure function: the store applies its answer.

The rules, in order:

1. **CRM id**: a record whose id is known is that person.
2. **Email** (trimmed, lower-case): a record whose email is known is that
   person. When its id differs from the person's, the two are merged with a
   warning and the new id is kept as another id of the same person
   (same email, different ids: one person, with a warning).
3. **Name + company** (accents, case, punctuation and legal suffixes ignored):
   a record with no id or email match is that person when exactly one person
   has the same name at the same company and nothing contradicts it (a
   different id or email does). A record with a name and no id, email or
   company is the person known by that name alone (so importing the same
   sheet again adds nobody); it never merges into someone an id, email or
   company identifies: that pair is listed for review.
4. Otherwise it is a new person.

Likely duplicates that are not certain (same name and different email, or same
name and company but a different id) are listed for review and never merged.

People named only as a referrer, a relationship end, a participant or a survey
respondent are matched the same way; a name alone matches when exactly one
person has it (two or more is an error naming the row: use the email or id).
Someone not known at all becomes a new non-customer person: a prospect.
"""

from __future__ import annotations

import functools
from collections import defaultdict
from dataclasses import dataclass, field

from ..errors import Problem
from ..model import TEAM_STAGE
from .records import FeedbackRecord, ParsedFile, PersonRecord, Ref, Source, TicketRecord
from .values import company_key as _company_key
from .values import name_key as _name_key

# Matching asks for the same few names again and again (every namesake of a
# common name, every record of a company): remember the keys (pure functions).
name_key = functools.lru_cache(maxsize=1 << 18)(_name_key)
company_key = functools.lru_cache(maxsize=1 << 18)(_company_key)

#: at most this many namesakes are compared (a very common name is no evidence)
MAX_NAMESAKES = 5
#: mailbox providers whose addresses say nothing about a person's company
PERSONAL_MAIL = frozenset({
    "gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.uk", "yahoo.fr", "outlook.com", "hotmail.com",
    "hotmail.co.uk", "hotmail.fr", "live.com", "msn.com", "icloud.com", "me.com", "aol.com", "proton.me",
    "protonmail.com", "gmx.de", "gmx.net", "web.de", "t-online.de", "orange.fr", "free.fr", "laposte.net",
    "btinternet.com", "sky.com", "mail.com", "yandex.com", "qq.com", "163.com",
})


def _personal(email: str | None) -> bool:
    return bool(email) and email.rsplit("@", 1)[-1] in PERSONAL_MAIL


PERSON_FIELDS = (
    "crm_id", "email", "first_name", "last_name", "name", "company", "owner", "stage", "segment", "region", "created",
)


@dataclass
class KnownPerson:
    """What the database holds about one person, for matching and updates."""

    id: int
    fields: dict[str, object]
    crm_ids: set[str] = field(default_factory=set)
    emails: set[str] = field(default_factory=set)
    #: profile addresses (LinkedIn URLs), stored as identifiers of kind "url"
    urls: set[str] = field(default_factory=set)


@dataclass
class PeopleIndex:
    """Everything identity resolution needs to know about stored people."""

    people: dict[int, KnownPerson] = field(default_factory=dict)

    @classmethod
    def of(cls, people: list[KnownPerson]) -> "PeopleIndex":
        return cls({p.id: p for p in people})


@dataclass
class Entity:
    """A person as this import sees them: stored (``key > 0``) or new (``key < 0``)."""

    key: int
    fields: dict[str, object]
    listed: bool
    origin: Source | None = None
    updates: dict[str, object] = field(default_factory=dict)
    new_ids: set[str] = field(default_factory=set)
    new_emails: set[str] = field(default_factory=set)
    new_urls: set[str] = field(default_factory=set)

    @property
    def is_new(self) -> bool:
        return self.key < 0

    @property
    def display(self) -> str:
        return str(self.fields.get("name") or self.fields.get("email") or self.fields.get("crm_id") or f"#{self.key}")


@dataclass
class Tie:
    """A resolved referral, relationship, participation or feedback: the record
    with person keys in place of references."""

    kind: str
    src: Source
    keys: tuple[int, ...]
    data: dict[str, object]


@dataclass
class Resolution:
    """The answer of :func:`resolve`: people to add or update, and their ties."""

    entities: dict[int, Entity] = field(default_factory=dict)
    ties: list[Tie] = field(default_factory=list)
    reviews: list[tuple[int, int, str, Source]] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    #: which file first named each person key in this import (for the undo journal)
    used_by: dict[int, set[str]] = field(default_factory=lambda: defaultdict(set))

    def new_people(self) -> list[Entity]:
        return [e for e in self.entities.values() if e.is_new]

    def updated_people(self) -> list[Entity]:
        return [e for e in self.entities.values()
                if not e.is_new and (e.updates or e.new_ids or e.new_emails or e.new_urls)]


class _Resolver:
    def __init__(self, index: PeopleIndex):
        self.index = index
        self.out = Resolution()
        self.by_crm: dict[str, int] = {}
        self.by_email: dict[str, int] = {}
        self.by_url: dict[str, int] = {}
        self.by_nc: dict[tuple[str, str], set[int]] = defaultdict(set)
        self.by_name: dict[str, set[int]] = defaultdict(set)
        self.next_key = -1
        for p in index.people.values():
            for c in p.crm_ids | ({p.fields["crm_id"]} if p.fields.get("crm_id") else set()):
                self.by_crm.setdefault(str(c), p.id)
            for e in p.emails | ({p.fields["email"]} if p.fields.get("email") else set()):
                self.by_email.setdefault(str(e), p.id)
            for u in p.urls:
                self.by_url.setdefault(u, p.id)
            self._index_name(p.id, p.fields.get("name"), p.fields.get("company"))

    # -------------------------------------------------------------- helpers
    def _index_name(self, key: int, name, company) -> None:
        nk = name_key(name)
        if nk:
            self.by_name[nk].add(key)
            ck = company_key(company)
            if ck:
                self.by_nc[(nk, ck)].add(key)

    def _entity(self, key: int) -> Entity:
        ent = self.out.entities.get(key)
        if ent is None:
            known = self.index.people[key]
            ent = Entity(key=key, fields=dict(known.fields), listed=True)
            self.out.entities[key] = ent
        return ent

    def _current(self, key: int, f: str):
        ent = self.out.entities.get(key)
        if ent is not None:
            return ent.updates.get(f, ent.fields.get(f))
        return self.index.people[key].fields.get(f)

    def _new(self, fields: dict, listed: bool, src: Source) -> int:
        key = self.next_key
        self.next_key -= 1
        clean = {f: fields.get(f) for f in PERSON_FIELDS}
        self.out.entities[key] = Entity(key=key, fields=clean, listed=listed, origin=src)
        self._register(key, clean.get("crm_id"), clean.get("email"))
        self._index_name(key, clean.get("name"), clean.get("company"))
        return key

    def _register(self, key: int, crm_id, email) -> None:
        if crm_id:
            self.by_crm.setdefault(str(crm_id), key)
        if email:
            self.by_email.setdefault(str(email), key)

    def warn(self, src: Source, message: str, column: str | None = None) -> None:
        self.out.warnings.append(Problem(src.file, src.row, column or src.column, message, "warning"))

    def error(self, src: Source, message: str, column: str | None = None) -> None:
        self.out.errors.append(Problem(src.file, src.row, column or src.column, message))

    # --------------------------------------------------------------- people
    def person(self, p: PersonRecord) -> int:
        m_id = self.by_crm.get(p.crm_id) if p.crm_id else None
        m_email = self.by_email.get(p.email) if p.email else None
        m_url = self.by_url.get(p.url) if p.url else None
        key: int | None = None
        doubts: list[tuple[int, str]] = []
        if m_id is not None and m_email is not None and m_id != m_email:
            self.warn(
                p.src,
                "the row's email belongs to another person than its id: the row was matched by id and the "
                "email left with its owner",
            )
            key = m_id
            p = _without_email(p)
        elif m_id is not None:
            key = m_id
        elif m_email is not None:
            key = m_email
            other = self._current(key, "crm_id")
            if p.crm_id and other and other != p.crm_id:
                self.warn(
                    p.src,
                    "this id has the same email as another id already known: merged into one person "
                    "(netmap keeps both ids)",
                )
        elif m_url is not None and not self._contradicts(m_url, p):
            key = m_url
        else:
            nk, ck = name_key(p.name), company_key(p.company)
            candidates = sorted(self.by_nc.get((nk, ck), ())) if nk and ck else []
            agreeing = [c for c in candidates if not self._contradicts(c, p)]
            if len(agreeing) == 1:
                key = agreeing[0]
            elif nk and not (ck or p.crm_id or p.email):
                key = self._bare_namesake(nk)
                if key is None:
                    doubts += [(c, "same name; the row has no id, email or company")
                               for c in sorted(self.by_name.get(nk, ()))[:MAX_NAMESAKES]]
                elif key < 0 and (first := self.out.entities[key].origin) is not None:
                    self.warn(p.src, f"a person known only by this name, as in row {first.row} of {first.file}: "
                                     "taken as the same person (add an email or id to tell them apart)")
            doubts += [(c, "same name and company, but a different id or email") for c in candidates if c != key]
            if key is None and p.name and p.email:
                doubts += [
                    (c, "same name, different email")
                    for c in sorted(self.by_name.get(nk, ()))[:MAX_NAMESAKES]
                    if c not in candidates and self._likely_same(c, p)
                ]
        if key is None:
            key = self._new(p.fields(), p.listed, p.src)
        else:
            self._merge(key, p)
        if p.url and p.url not in self.by_url:
            self.by_url[p.url] = key
            known = self.index.people[key].urls if key > 0 else set()
            if p.url not in known:
                (self.out.entities[key] if key < 0 else self._entity(key)).new_urls.add(p.url)
        for other, reason in doubts:
            a, b = sorted((other, key))
            self.out.reviews.append((a, b, reason, p.src))
        return key

    def _bare_namesake(self, nk: str) -> int | None:
        """The person a row that carries only a name is about: someone known by
        that name and nothing else (no id, email or company: what such a row made
        before), the longest-known first. None when there is nobody like that: a
        name alone never merges into a person an id, email or company identifies
        (that is listed for review). Without it, importing the same hand-made
        sheet again would add its name-only rows again."""
        bare = [c for c in self.by_name.get(nk, ())
                if name_key(self._current(c, "name")) == nk  # not renamed since
                and not any(self._current(c, f) for f in ("crm_id", "email", "company"))]
        return min(bare, key=lambda c: (c < 0, abs(c))) if bare else None

    def _likely_same(self, key: int, p: PersonRecord) -> bool:
        """Same name, different email: a likely duplicate when nothing says
        they are two people: no company, or the same one, or a personal
        mailbox on one side (``ann.lee@gmail.com`` beside ``ann@acme.com``)."""
        mail = self._current(key, "email")
        if not mail or mail == p.email:
            return False
        theirs, ours = company_key(self._current(key, "company")), company_key(p.company)
        return not theirs or not ours or theirs == ours or _personal(mail) or _personal(p.email)

    def _contradicts(self, key: int, p: PersonRecord) -> bool:
        cid, mail = self._current(key, "crm_id"), self._current(key, "email")
        return bool((p.crm_id and cid and cid != p.crm_id) or (p.email and mail and mail != p.email))

    def _describe(self, key: int) -> str:
        name = self._current(key, "name")
        cid = self._current(key, "crm_id")
        return f"{name or '?'}" + (f", id {cid}" if cid else "")

    def _merge(self, key: int, p: PersonRecord) -> None:
        ent = self._entity(key) if key > 0 else self.out.entities[key]
        incoming = p.fields()
        if p.listed:
            ent.listed = True
        for f, v in incoming.items():
            if v is None:
                continue
            if p.fills_only and ent.updates.get(f, ent.fields.get(f)) is not None:
                continue
            if ent.is_new:
                ent.fields[f] = v
                continue
            current = ent.updates.get(f, ent.fields.get(f))
            if v == current:
                continue
            if f == "crm_id" and current:
                if v not in self.index.people[key].crm_ids:
                    ent.new_ids.add(str(v))
                continue
            if f == "email" and current and v not in self.index.people[key].emails:
                ent.new_emails.add(str(v))
            ent.updates[f] = v  # for an email: the newest is the primary one; the old one still matches
            if v == ent.fields.get(f):  # a later row of this import put back the stored value: no update
                del ent.updates[f]
        self._register(key, p.crm_id, p.email)
        if p.crm_id and p.crm_id != ent.fields.get("crm_id") and ent.is_new:
            ent.new_ids.add(p.crm_id)
        self._index_name(key, incoming.get("name"), incoming.get("company"))

    # ----------------------------------------------------------- mentions
    def ref(self, ref: Ref, src: Source, column: str | None, *, what: str, facts: dict | None = None,
            new_by_id: bool = False) -> int | None:
        """Resolve a mention; create a non-customer person when unknown. An unknown id alone is
        an error, except with ``new_by_id`` (a help desk's requester known only by the desk's
        user id: they did write in, so they exist)."""
        candidates: list[int] = []
        if ref.crm_id and ref.crm_id in self.by_crm:
            candidates.append(self.by_crm[ref.crm_id])
        if ref.email and ref.email in self.by_email:
            candidates.append(self.by_email[ref.email])
        if ref.token and ref.token in self.by_crm:
            candidates.append(self.by_crm[ref.token])
        if candidates:
            if len(set(candidates)) > 1:
                self.warn(
                    src,
                    "the id and the email point to different people; used the id",
                    column,
                )
            key = candidates[0]
            self._fill(key, ref, facts)
            return key
        if ref.crm_id and not (ref.email or ref.name) and not new_by_id:
            # an id names someone: a person called "17" would be a phantom
            self.error(
                src,
                f"no person has the id {ref.crm_id!r} (looked in the ids of every file of this import and of the "
                "people already stored); import the file that lists them with this import, or correct the cell",
                column,
            )
            return None
        name = ref.name or (ref.token if not (ref.crm_id or ref.email) else None)
        if name and not ref.email and not ref.crm_id:
            nk = name_key(name)
            ck = company_key(ref.company) if ref.company else ""
            pool = sorted(self.by_nc.get((nk, ck), ())) if ck else []
            if not pool:
                pool = sorted(self.by_name.get(nk, ()))
            if len(pool) == 1:
                return pool[0]
            if len(pool) > 1:
                shown = "; ".join(self._describe(k) for k in pool[:4])
                self.error(
                    src,
                    f"{name!r} matches {len(pool)} people ({shown}); use their email or id instead of the name",
                    column,
                )
                return None
        fields = {
            "crm_id": ref.crm_id, "email": ref.email, "name": name, "company": ref.company,
            **(facts or {}),
        }
        if not fields.get("name") and not ref.email and ref.token and not ref.crm_id:
            fields["name"] = ref.token
        key = self._new(fields, False, src)
        self.warn(
            src,
            f"this {what} is not in any people export: added as a new prospect (non-customer)",
            column,
        )
        return key

    def _fill(self, key: int, ref: Ref, facts: dict | None) -> None:
        """A mention can fill a new, unlisted person's missing name/email."""
        if key > 0:
            return
        ent = self.out.entities[key]
        for f, v in {"name": ref.name, "email": ref.email, "company": ref.company, **(facts or {})}.items():
            if v and not ent.fields.get(f):
                ent.fields[f] = v
                if f == "email":
                    self._register(key, None, v)
                if f == "name":
                    self._index_name(key, v, ent.fields.get("company"))


def _without_email(p: PersonRecord) -> PersonRecord:
    from dataclasses import replace

    return replace(p, email=None)


def resolve(index: PeopleIndex, files: list[ParsedFile]) -> Resolution:
    """Decide who every record in ``files`` is about (see the module docstring).

    People exports are resolved first, so a referral file given beside a
    people file finds the people it names whatever the order of the files.
    """
    r = _Resolver(index)
    out = r.out
    person_keys: dict[int, int] = {}  # id(PersonRecord) -> key
    for f in sorted(files, key=lambda f: f.kind != "people"):
        for p in f.people:
            key = r.person(p)
            person_keys[id(p)] = key
            out.used_by[key].add(f.label)
    out.reviews = sorted(
        {(a, b, reason): src for a, b, reason, src in out.reviews if a != b}.items(), key=lambda t: t[0]
    )
    out.reviews = [(a, b, reason, src) for (a, b, reason), src in out.reviews]

    def key_of(ref: Ref, person: PersonRecord | None, src: Source, column, what, facts=None):
        if person is not None:
            return person_keys[id(person)]
        return r.ref(ref, src, column, what=what, facts=facts)

    seen_pairs: set[tuple[int, int]] = set()
    for f in files:
        for ref in f.referrals:
            a = key_of(ref.referrer, None, ref.src, ref.referrer_column, "referrer")
            b = key_of(ref.referred, ref.referred_person, ref.src, ref.referred_column, "referred person")
            if a is None or b is None:
                continue
            out.used_by[a].add(f.label)
            out.used_by[b].add(f.label)
            if a == b:
                r.warn(ref.src, "a person referred themselves: the self-referral was skipped", ref.referrer_column)
                continue
            if (b, a) in seen_pairs:
                r.warn(ref.src, "these two people referred each other (a referral cycle): both referrals kept")
            seen_pairs.add((a, b))
            out.ties.append(Tie("referral", ref.src, (a, b), {"on": ref.on, "status": ref.status, "value": ref.value}))
        for rel in f.relationships:
            a = key_of(rel.a, rel.a_person, rel.src, rel.a_column, "person")
            b = key_of(rel.b, rel.b_person, rel.src, rel.b_column, "person")
            if a is None or b is None:
                continue
            out.used_by[a].add(f.label)
            out.used_by[b].add(f.label)
            if a == b:
                r.warn(rel.src, "a relationship of a person with themselves was skipped")
                continue
            out.ties.append(
                Tie("relationship", rel.src, (a, b), {"kind": rel.kind or "", "strength": rel.strength, "since": rel.since})
            )
        for part in f.participations:
            k = r.ref(part.who, part.src, part.src.column, what="participant", facts=part.facts or None)
            if k is None:
                continue
            out.used_by[k].add(f.label)
            out.ties.append(
                Tie(
                    "participation", part.src, (k,),
                    {"kind": part.kind, "external_id": part.external_id, "name": part.name, "on": part.on},
                )
            )
        for fb in f.feedback:
            k = _feedback_key(r, fb, person_keys)
            if k is None:
                continue
            out.used_by[k].add(f.label)
            out.ties.append(
                Tie(
                    "feedback", fb.src, (k,),
                    {"score": fb.score, "scale": fb.scale, "on": fb.on, "comment": fb.comment, "response_id": fb.response_id},
                )
            )
    agents: dict[tuple[str, str], int] = {}
    for f in files:
        for t in f.tickets:
            _ticket_ties(r, t, f.label, agents)
        for a in f.activities:  # a CRM activity: a nurture action for its contact (netmap/storage/nurture_log.py)
            k = r.ref(a.contact, a.src, a.contact_column, what="activity contact")
            if k is None:
                continue
            out.used_by[k].add(f.label)
            out.ties.append(Tie("nurture_action", a.src, (k,), {
                "source": a.source, "external_id": a.activity_id, "action": a.action, "note": a.note,
                "done_on": a.on, "logged_by": a.owner}))
    return out


#: the kind of the interaction a ticket is (requester and agent share it: a tie)
TICKET_KIND = "ticket"


def ticket_key(source: str, ticket_id: str) -> str:
    """The ticket's id across help desks: its interaction's ``external_id`` and, after
    ``ticket:``, its satisfaction rating's feedback ``natural_key``."""
    return f"{source}:{ticket_id}"


def _ticket_ties(r: _Resolver, t: TicketRecord, label: str, agents: dict[tuple[str, str], int]) -> None:
    """A ticket's ties: the requester (a known person, else a new prospect), the agent (a
    member of the team, stage :data:`~netmap.model.TEAM_STAGE`, one person per name or email
    in the import), the interaction they share, the rating as a ``csat`` answer dated by the
    solve date (else the creation date), and the ticket row itself."""
    out = r.out
    req = r.ref(t.requester, t.src, t.requester_column, what="ticket requester", new_by_id=True,
                facts={"company": t.company} if t.company else None)
    if req is None:
        return
    out.used_by[req].add(label)
    agent = None
    if t.agent is not None:
        who = ("email", t.agent.email) if t.agent.email else ("name", name_key(t.agent.name or ""))
        agent = agents.get(who)
        if agent is None and who[1]:
            member = PersonRecord(src=Source(t.src.file, t.src.row, t.agent_column), email=t.agent.email,
                                  full_name=t.agent.name, stage=TEAM_STAGE, listed=False)
            agent = agents[who] = r.person(member)
        if agent is not None:
            out.used_by[agent].add(label)
        if agent == req:
            agent = None
    key = ticket_key(t.source, t.ticket_id)
    for k in (req,) if agent is None else (req, agent):
        out.ties.append(Tie("participation", t.src, (k,), {
            "kind": TICKET_KIND, "external_id": key, "name": f"{t.source} ticket {t.ticket_id}", "on": t.created}))
    if t.csat is not None:
        out.ties.append(Tie("feedback", t.src, (req,), {
            "score": t.csat, "scale": "csat", "on": t.solved or t.created, "comment": t.rating_comment,
            "response_id": None, "natural_key": f"ticket:{key}"}))
    out.ties.append(Tie("ticket", t.src, (req,) if agent is None else (req, agent), {
        "source": t.source, "external_id": t.ticket_id, "interaction": key, "status": t.status,
        "subject": t.subject, "company": t.company, "created_on": t.created, "solved_on": t.solved,
        "rating": t.rating, "csat": t.csat, "rating_comment": t.rating_comment}))


def _feedback_key(r: _Resolver, fb: FeedbackRecord, person_keys: dict[int, int]) -> int | None:
    if fb.person is not None:
        return person_keys[id(fb.person)]
    facts = {"first_name": fb.first_name, "last_name": fb.last_name}
    return r.ref(fb.who, fb.src, fb.src.column, what="respondent", facts={k: v for k, v in facts.items() if v})

