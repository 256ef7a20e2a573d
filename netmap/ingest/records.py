"""From a mapped table to typed records, every cell checked.

One :class:`ParsedFile` per table: the records it holds (people, referrals,
relationships, participations in interactions, feedback) and every problem,
each naming file, row and column. Nothing here touches the database: identity
resolution (:mod:`netmap.ingest.identity`) decides who is who.

A people export can carry more than people: a "Referred by" column becomes a
referral, NPS columns become feedback, Salesforce's "Reports To" becomes a
relationship.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from . import values as V
from .columns import Mapping
from ..errors import Problem
from .tabular import Table


@dataclass(frozen=True)
class Source:
    """Where a record came from: file (with sheet), spreadsheet row, column."""

    file: str
    row: int
    column: str | None = None


@dataclass(frozen=True)
class Ref:
    """How a file names a person. ``token`` is a single word that may be a CRM
    id or a one-word name (a "Referred by" cell holding ``10234`` or ``Cher``)."""

    crm_id: str | None = None
    email: str | None = None
    name: str | None = None
    company: str | None = None
    token: str | None = None

    def describe(self) -> str:
        return self.email or self.crm_id or self.name or self.token or "?"


@dataclass
class PersonRecord:
    src: Source
    crm_id: str | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    full_name: str | None = None
    company: str | None = None
    owner: str | None = None
    stage: str | None = None
    segment: str | None = None
    region: str | None = None
    created: date | None = None
    #: a record from a people export (full details) or one made up from a mention
    listed: bool = True
    #: a profile address (LinkedIn's URL): an id that never contradicts a CRM id
    url: str | None = None
    #: when the team member whose export this is connected with this person (LinkedIn "Connected On")
    connected_on: date | None = None
    #: from someone's contacts or connections export: it fills in what the CRM has not said, and never
    #: overwrites it (else importing a LinkedIn file and the CRM's export in turn would flip values forever)
    fills_only: bool = False

    @property
    def name(self) -> str | None:
        joined = " ".join(p for p in (self.first_name, self.last_name) if p)
        return joined or self.full_name

    @property
    def ref(self) -> Ref:
        return Ref(crm_id=self.crm_id, email=self.email, name=self.name, company=self.company)

    def fields(self) -> dict[str, object]:
        """The person's stored fields (``None`` = not given)."""
        return {
            "crm_id": self.crm_id, "email": self.email, "first_name": self.first_name,
            "last_name": self.last_name, "name": self.name, "company": self.company, "owner": self.owner,
            "stage": self.stage, "segment": self.segment, "region": self.region, "created": self.created,
        }


@dataclass
class ReferralRecord:
    src: Source
    referrer: Ref
    referred: Ref
    on: date | None = None
    status: str | None = None
    value: float | None = None
    referrer_column: str | None = None
    referred_column: str | None = None
    referred_person: PersonRecord | None = None  # when the referred is the row's own person


@dataclass
class RelationshipRecord:
    src: Source
    a: Ref
    b: Ref
    kind: str | None = None
    strength: float | None = None
    since: date | None = None
    a_column: str | None = None
    b_column: str | None = None
    a_person: PersonRecord | None = None
    b_person: PersonRecord | None = None


@dataclass
class ParticipationRecord:
    src: Source
    kind: str
    external_id: str
    who: Ref
    name: str | None = None
    on: date | None = None
    #: the participant's first and last name and company, for a person not known yet (a registration file)
    facts: dict = field(default_factory=dict)


@dataclass
class FeedbackRecord:
    src: Source
    who: Ref
    score: int
    scale: str = "nps"
    on: date | None = None
    comment: str | None = None
    response_id: str | None = None
    person: PersonRecord | None = None  # the row's own person (people exports) or survey facts
    first_name: str | None = None
    last_name: str | None = None


@dataclass
class TicketRecord:
    """One support ticket (a row of a ``tickets`` export): who asked (``requester``), which
    team member handled it (``agent``, a name or email, or None), its status in netmap's
    words (:func:`netmap.ingest.satisfaction.parse_status`), dates, and the satisfaction
    rating as written (``rating``) with its 1-5 equivalent (``csat``, None: no answer)."""

    src: Source
    source: str
    ticket_id: str
    requester: Ref
    status: str
    requester_column: str | None = None
    agent: Ref | None = None
    agent_column: str | None = None
    subject: str | None = None
    company: str | None = None
    created: date | None = None
    solved: date | None = None
    rating: str | None = None
    csat: int | None = None
    rating_comment: str | None = None


@dataclass
class ActivityRecord:
    """One completed activity of a CRM's tasks / activities export (``activities`` kind): for
    whom (``contact``), the nurture action its words say (netmap/nurture_log.py
    ``action_from_words``), the day it was done, its note, and who did it (``owner``, as
    written; None: the importer)."""

    src: Source
    source: str
    activity_id: str
    contact: Ref
    action: str
    on: date
    contact_column: str | None = None
    note: str | None = None
    owner: str | None = None


@dataclass
class ParsedFile:
    """Everything one table holds, checked."""

    label: str
    kind: str
    mapping: Mapping
    rows_read: int = 0
    people: list[PersonRecord] = field(default_factory=list)
    referrals: list[ReferralRecord] = field(default_factory=list)
    relationships: list[RelationshipRecord] = field(default_factory=list)
    participations: list[ParticipationRecord] = field(default_factory=list)
    feedback: list[FeedbackRecord] = field(default_factory=list)
    tickets: list[TicketRecord] = field(default_factory=list)
    activities: list[ActivityRecord] = field(default_factory=list)
    #: activities left out because their status says they were not done yet
    not_done: int = 0
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    refused_rows: set[int] = field(default_factory=set)


_ID_TOKEN = re.compile(r"^[\w.\-+#]+$")
_ID_HEADER = re.compile(r"(?:^|[\s_.\-])ids?$", re.I)
_CAMEL_ID = re.compile(r"[a-z](?:Id|ID|Ids|IDs)$")


def _id_column(header: str) -> bool:
    """A column of ids by its header: ``ReportsToId``, ``manager_id``,
    ``Reports To.id``, ``Associated Contact IDs``, ``Attendee ID``."""
    header = header.strip()
    return bool(_ID_HEADER.search(header) or _CAMEL_ID.search(header))


@functools.lru_cache(maxsize=1 << 16, typed=True)  # typed: True and 1 are different cells
def _parse_date(raw, order, epoch):
    """:func:`netmap.ingest.values.parse_date`, remembered: exports repeat the same dates."""
    return V.parse_date(raw, order=order, epoch=epoch)


class _Row:
    """Helper reading the cells of one row through the mapping."""

    def __init__(self, parsed: ParsedFile, mapping: Mapping, row_no: int, cells: list, date_orders: dict, epoch: int):
        self.parsed, self.mapping, self.row_no, self.cells = parsed, mapping, row_no, cells
        self.date_orders, self.epoch = date_orders, epoch
        self.bad = False

    def header(self, f: str) -> str | None:
        return self.mapping.header_of(f) if f in self.mapping.columns else None

    def raw(self, f: str):
        i = self.mapping.columns.get(f)
        if i is None:
            return None
        value = self.cells[i]
        if (value is None or value == "") and f in self.mapping.fallbacks:  # the work email empty: the home one
            value = next((self.cells[j] for j in self.mapping.fallbacks[f] if self.cells[j] not in (None, "")), None)
        return value

    def error(self, f: str | None, message: str, code: str | None = None) -> None:
        self.parsed.problems.append(Problem(self.parsed.label, self.row_no, self.header(f) if f else None, message,
                                            code=code))
        self.bad = True

    def warn(self, f: str | None, message: str) -> None:
        self.parsed.warnings.append(
            Problem(self.parsed.label, self.row_no, self.header(f) if f else None, message, "warning")
        )

    def ref_text(self, f: str) -> str | None:
        """:meth:`text` of an id or reference cell: ``NA``, ``NULL``, ``-`` ... are no value."""
        value = self.text(f)
        return None if value is None or V.is_missing(value) else value

    def text(self, f: str) -> str | None:
        raw = self.raw(f)
        if type(raw) is str and raw.isascii():
            # the common case, 3x faster: ASCII has no invisible characters and is already NFC
            return raw.strip() or None
        value, invisible = V.text(raw)
        if invisible:
            self.warn(f, "invisible bidi/zero-width characters removed")
        return value

    def email(self, f: str) -> str | None:
        t = self.text(f)
        if t is None:
            return None
        if " ::: " in t:  # Google Contacts lists a label's several addresses in one cell: the first is theirs
            t = t.split(" ::: ", 1)[0].strip()
        try:
            return V.email(t)
        except V.CellError as exc:
            self.error(f, str(exc))
            return None

    def date(self, f: str) -> date | None:
        raw = self.text(f) if isinstance(self.raw(f), str) else self.raw(f)  # invisible characters removed
        if raw is None:
            return None
        try:
            return _parse_date(raw, self.date_orders.get(f), self.epoch)
        except V.CellError as exc:
            self.error(f, str(exc), exc.code)
            return None

    def score(self, f: str, scale: str) -> int | None:
        raw = self.text(f) if isinstance(self.raw(f), str) else self.raw(f)  # invisible characters removed
        if raw is None:
            return None
        try:
            return V.score(raw, scale)
        except V.CellError as exc:
            self.error(f, str(exc))
            return None

    def ref(self, name_f: str | None, email_f: str | None = None, id_f: str | None = None) -> tuple[Ref, str | None]:
        """A reference to a person from up to three columns; returns (ref, column used)."""
        crm_id = self.ref_text(id_f) if id_f else None
        mail = None
        if email_f and (value := self.ref_text(email_f)) is not None:
            mail = self._email_value(email_f, value)
        name = token = None
        if name_f and (value := self.ref_text(name_f)) is not None:
            got = self.value_ref(name_f, value)
            crm_id, mail = crm_id or got.crm_id, mail or got.email
            name = got.name or (got.token if crm_id else None)
            token = None if crm_id else got.token
        used = next((c for c in (id_f, email_f, name_f) if c and self.raw(c) is not None), None)
        return Ref(crm_id=crm_id, email=mail, name=name, token=token), (self.header(used) if used else None)

    def _email_value(self, f: str, value: str) -> str | None:
        try:
            return V.email(value)
        except V.CellError as exc:
            self.error(f, str(exc))
            return None

    def value_ref(self, f: str, value: str) -> Ref:
        """How one value of a person column names a person: an email, an id (the
        column is an id column, or the value is all digits: nobody is called
        "17"), ``Name (email)``, a one-word token (a CRM id or a one-word
        name), or a name."""
        named = V.named_email(value)
        if named is not None:
            name, mail = named
            return Ref(email=self._email_value(f, mail), name=name)
        if V.is_email_like(value):
            return Ref(email=self._email_value(f, value))
        header = self.header(f) or ""
        if value.isdigit() or _id_column(header):
            return Ref(crm_id=value)
        if _ID_TOKEN.match(value):
            return Ref(token=value)
        return Ref(name=value)


def _date_orders(table: Table, mapping: Mapping, given: str | None) -> tuple[dict[str, str], list[Problem]]:
    """Infer day/month order per date column from its unambiguous values."""
    orders: dict[str, str] = {}
    problems: list[Problem] = []
    for f, i in mapping.columns.items():
        if f not in ("created", "date", "nps_date", "solved", "completed"):
            continue
        day_first = month_first = False
        for _, cells in table.rows:
            v = cells[i]
            if isinstance(v, str):
                parts = V.slashed_parts(v)
                if parts and not (parts[0] > 12 and parts[1] > 12):  # 31/31/2024 is no date, not a mix
                    day_first |= parts[0] > 12
                    month_first |= parts[1] > 12
        if day_first and month_first:
            if given:
                orders[f] = given
            else:
                problems.append(
                    Problem(
                        table.label, None, mapping.header_of(f),
                        "this column mixes day-first and month-first dates; make them consistent (YYYY-MM-DD is safest)",
                    )
                )
        elif day_first:
            orders[f] = "dmy"
        elif month_first:
            orders[f] = "mdy"
        elif given:
            orders[f] = given
    return orders, problems


def parse_table(table: Table, mapping: Mapping, *, date_order: str | None = None) -> ParsedFile:
    """Check every row of ``table`` and build its records."""
    parsed = ParsedFile(label=table.label, kind=mapping.kind, mapping=mapping)
    parsed.problems.extend(table.problems)
    parsed.warnings.extend(table.warnings)
    orders, problems = _date_orders(table, mapping, date_order)
    parsed.problems.extend(problems)
    builder = {
        "people": _person_row, "referrals": _referral_row, "relationships": _relationship_row,
        "interactions": _interaction_row, "feedback": _feedback_row, "tickets": _ticket_row,
        "activities": _activity_row,
    }[mapping.kind]
    if mapping.kind == "interactions":
        parsed_kind = _interaction_kind(mapping)
    else:
        parsed_kind = None
    for row_no, cells in table.rows:
        parsed.rows_read += 1
        row = _Row(parsed, mapping, row_no, cells, orders, table.date_epoch)
        before = (len(parsed.people), len(parsed.referrals), len(parsed.relationships), len(parsed.participations),
                  len(parsed.feedback), len(parsed.tickets), len(parsed.activities))
        builder(row, parsed_kind) if parsed_kind else builder(row)
        if row.bad:
            parsed.refused_rows.add(row_no)
            # drop whatever the bad row added
            del parsed.people[before[0]:]
            del parsed.referrals[before[1]:]
            del parsed.relationships[before[2]:]
            del parsed.participations[before[3]:]
            del parsed.feedback[before[4]:]
            del parsed.tickets[before[5]:]
            del parsed.activities[before[6]:]
    parsed.refused_rows.update(p.row for p in table.problems if p.row is not None)
    if parsed.rows_read == 0 and not parsed.problems:
        parsed.warnings.append(Problem(table.label, None, None, "the file has a header but no rows: nothing to import", "warning"))
    if mapping.kind == "relationships":
        _rescale(parsed)
    _check_duplicate_ids(parsed)
    if mapping.kind == "tickets":
        _check_duplicate_tickets(parsed)
    if mapping.kind == "activities":
        _check_activities(parsed)
    return parsed


def _person_row(row: _Row) -> None:
    p = PersonRecord(
        src=Source(row.parsed.label, row.row_no),
        crm_id=row.ref_text("crm_id"),
        email=row.email("email"),
        first_name=row.text("first_name"),
        last_name=row.text("last_name"),
        full_name=row.text("name"),
        company=row.text("company"),
        owner=row.text("owner"),
        segment=row.text("segment"),
        region=row.text("region"),
        created=row.date("created"),
        url=_profile_url(row.ref_text("url")) if "url" in row.mapping.columns else None,
        connected_on=row.date("connected_on") if "connected_on" in row.mapping.columns else None,
    )
    raw_stage = row.text("stage")
    p.stage = V.stage(raw_stage) if raw_stage else None
    if not (p.crm_id or p.email or p.name or p.url):
        if not row.bad:
            row.error(None, "no id, email or name in this row: netmap cannot tell who it is; fill one in or delete the row")
        return
    row.parsed.people.append(p)
    if "referred_by" in row.mapping.columns:
        ref, column = row.ref("referred_by")
        if ref != Ref():
            row.parsed.referrals.append(
                ReferralRecord(
                    src=Source(row.parsed.label, row.row_no, column), referrer=ref, referred=p.ref,
                    referrer_column=column, referred_person=p,
                )
            )
    if "nps" in row.mapping.columns:
        score = row.score("nps", "nps")
        if score is not None:
            row.parsed.feedback.append(
                FeedbackRecord(
                    src=Source(row.parsed.label, row.row_no, row.header("nps")), who=p.ref, score=score,
                    scale="nps", on=row.date("nps_date") if "nps_date" in row.mapping.columns else None,
                    comment=row.text("nps_comment") if "nps_comment" in row.mapping.columns else None,
                    person=p,
                )
            )
    if "reports_to" in row.mapping.columns:
        ref, column = row.ref("reports_to")
        if ref != Ref():
            if ref.name and not ref.company:
                ref = Ref(name=ref.name, company=p.company)
            row.parsed.relationships.append(
                RelationshipRecord(
                    src=Source(row.parsed.label, row.row_no, column), a=p.ref, b=ref, kind="reports to",
                    a_column=None, b_column=column, a_person=p,
                )
            )


def _referral_row(row: _Row) -> None:
    referrer, c1 = row.ref("referrer" if "referrer" in row.mapping.columns else None, "referrer_email", "referrer_id")
    referred, c2 = row.ref("referred" if "referred" in row.mapping.columns else None, "referred_email", "referred_id")
    # "Referred Name" beside "Referred Email": keep the name to create the prospect with it
    if referred.email and "referred" in row.mapping.columns:
        name = row.text("referred")
        if name and not V.is_email_like(name):
            referred = Ref(crm_id=referred.crm_id, email=referred.email, name=name)
    if referrer.email and "referrer" in row.mapping.columns:
        name = row.text("referrer")
        if name and not V.is_email_like(name):
            referrer = Ref(crm_id=referrer.crm_id, email=referrer.email, name=name)
    if referrer == Ref() or referred == Ref():
        if not row.bad:
            missing = "referrer" if referrer == Ref() else "referred person"
            row.error(None, f"no {missing} in this row; fill it in or delete the row")
        return
    value = None
    raw_value = row.text("value") if "value" in row.mapping.columns else None
    if raw_value:
        try:
            value = V.money(raw_value)
        except V.CellError as exc:
            row.error("value", str(exc))
    status = row.text("status") if "status" in row.mapping.columns else None
    row.parsed.referrals.append(
        ReferralRecord(
            src=Source(row.parsed.label, row.row_no, c1), referrer=referrer, referred=referred,
            on=row.date("date") if "date" in row.mapping.columns else None,
            status=status.casefold() if status else None, value=value,
            referrer_column=c1, referred_column=c2,
        )
    )


def _relationship_row(row: _Row) -> None:
    a, c1 = row.ref("a" if "a" in row.mapping.columns else None, "a_email")
    b, c2 = row.ref("b" if "b" in row.mapping.columns else None, "b_email")
    if a == Ref() or b == Ref():
        if not row.bad:
            row.error(None, "a relationship needs both people; fill in both or delete the row")
        return
    strength = None
    raw = row.raw("strength")
    if raw is not None and not (isinstance(raw, str) and not raw.strip()):
        try:
            strength = V.strength(raw)
        except V.CellError as exc:
            row.error("strength", str(exc))
    kind = row.text("kind") if "kind" in row.mapping.columns else None
    kind = " ".join(kind.casefold().split()) if kind else None
    if kind in _EDGE_DIRECTIONS:  # Gephi's Type column says how to draw the edge, not what the tie is
        kind = None
    row.parsed.relationships.append(
        RelationshipRecord(
            src=Source(row.parsed.label, row.row_no, c1), a=a, b=b, kind=kind, strength=strength,
            since=row.date("date") if "date" in row.mapping.columns else None, a_column=c1, b_column=c2,
        )
    )


_EDGE_DIRECTIONS = frozenset({"directed", "undirected", "mutual"})


def _profile_url(value: str | None) -> str | None:
    """A profile address as an id: scheme, ``www.``, query and trailing slash
    dropped, case folded (``https://www.linkedin.com/in/Ana-Diaz/`` ==
    ``linkedin.com/in/ana-diaz``)."""
    if not value:
        return None
    url = re.sub(r"^[a-z]+://", "", value.strip(), flags=re.I)
    url = re.sub(r"^www\.", "", url, flags=re.I).split("?", 1)[0].split("#", 1)[0].rstrip("/")
    return url.casefold() or None


def _interaction_kind(mapping: Mapping) -> str:
    header = mapping.headers[mapping.columns.get("interaction_id", mapping.columns.get("interaction_name", 0))].casefold()
    for word, kind in (
        ("meeting", "meeting"), ("event", "event"), ("deal", "deal"), ("opportunit", "deal"),
        ("account", "account"), ("thread", "thread"), ("call", "call"), ("conversation", "thread"),
    ):
        if word in header:
            return kind
    return "interaction"


def _interaction_row(row: _Row, default_kind: str) -> None:
    people, column = _participants(row)
    ext = row.ref_text("interaction_id") if "interaction_id" in row.mapping.columns else None
    name = row.text("interaction_name") if "interaction_name" in row.mapping.columns else None
    on = row.date("date") if "date" in row.mapping.columns else None
    if ext is None and name is not None:
        ext = f"{name}|{on.isoformat() if on else ''}"
    if ext is None:
        if not row.bad:
            row.error(None, "no meeting/event/deal id or name in this row; fill it in or delete the row")
        return
    if not people:
        if not row.bad:
            row.error(None, "no participant in this row; fill it in or delete the row")
        return
    kind_text = row.text("kind") if "kind" in row.mapping.columns else None
    kind = " ".join(kind_text.casefold().split()) if kind_text else default_kind
    for who, facts in people:
        row.parsed.participations.append(
            ParticipationRecord(src=Source(row.parsed.label, row.row_no, column), kind=kind, external_id=ext, who=who,
                                name=name, on=on, facts=facts)
        )


def _participants(row: _Row) -> tuple[list[tuple[Ref, dict]], str | None]:
    """The people a row of an interaction export names: one, or a list in one
    cell (:func:`netmap.ingest.values.split_people`), from the participant's id,
    email and name columns; with the first and last name of a registration
    file as facts for a person not known yet."""
    cols = row.mapping.columns
    lists = {f: V.split_people(v) for f in ("participant_id", "participant_email", "participant")
             if f in cols and (v := row.ref_text(f)) is not None}
    column = next((row.header(f) for f in ("participant_id", "participant_email", "participant") if f in lists), None)
    if not lists:
        return [], column
    if max(len(v) for v in lists.values()) == 1:
        who, column = row.ref("participant" if "participant" in cols else None, "participant_email", "participant_id")
        if who == Ref():
            return [], column
        first = row.text("participant_first_name") if "participant_first_name" in cols else None
        last = row.text("participant_last_name") if "participant_last_name" in cols else None
        company = row.text("participant_company") if "participant_company" in cols else None
        facts = {k: v for k, v in (("first_name", first), ("last_name", last), ("company", company)) if v}
        if (first or last) and not who.name:
            who = Ref(crm_id=who.crm_id, email=who.email, name=" ".join(p for p in (first, last) if p), token=who.token)
        return [(who, facts)], column
    # a list in a cell: one column's list (an id list and a name list need not be in the same order);
    # emails or "Name (email)" before ids, which resolve only against files of the same import or stored
    f, values = max(lists.items(), key=lambda kv: (len(kv[1]) > 1, kv[0] != "participant_id", len(kv[1])))
    column = row.header(f)
    out = []
    for value in dict.fromkeys(values):
        if f == "participant_email" and not V.is_email_like(value) and V.named_email(value) is None:
            row.error(f, f"{value!r} in this list is not an email address; correct it or use an attendee column")
            continue
        ref = row.value_ref(f, value)
        if f == "participant_id" and not (ref.crm_id or ref.email):  # an id column: a word in it is an id too
            ref = Ref(crm_id=ref.token or ref.name)
        out.append((ref, {}))
    return out, column


def _feedback_row(row: _Row) -> None:
    score = row.score("score", row.mapping.scale)
    mail = row.email("email") if "email" in row.mapping.columns else None
    person_id = row.ref_text("person_id") if "person_id" in row.mapping.columns else None
    first = row.text("first_name") if "first_name" in row.mapping.columns else None
    last = row.text("last_name") if "last_name" in row.mapping.columns else None
    full = row.text("name") if "name" in row.mapping.columns else None
    company = row.text("company") if "company" in row.mapping.columns else None
    name = " ".join(p for p in (first, last) if p) or full
    on = row.date("date") if "date" in row.mapping.columns else None
    comment = row.text("comment") if "comment" in row.mapping.columns else None
    response_id = row.text("response_id") if "response_id" in row.mapping.columns else None
    if row.bad:
        return
    if score is None:
        if comment:
            row.warn("score", "a comment without a score was skipped")
        return  # a respondent who skipped the question: nothing to store
    if not (mail or person_id or name):
        looked = [row.mapping.header_of(f) for f in ("person_id", "email", "name", "first_name", "last_name")
                  if f in row.mapping.columns]
        where = (f"the columns {', '.join(looked)} are empty in this row" if looked else
                 "the file has no column of email, id or name (map one: a person_id column such as user_id)")
        row.error(None, f"no email, id or name for this respondent ({where}): netmap cannot tell who answered; "
                        "fill one in")
        return
    row.parsed.feedback.append(
        FeedbackRecord(
            src=Source(row.parsed.label, row.row_no, row.header("score")),
            who=Ref(crm_id=person_id, email=mail, name=name, company=company), score=score,
            scale=row.mapping.scale, on=on, comment=comment, response_id=response_id,
            first_name=first, last_name=last,
        )
    )


#: the help desks whose numeric status codes :func:`~netmap.ingest.satisfaction.parse_status` reads
_STATUS_VENDORS = {"Freshdesk": "freshdesk", "HubSpot": "hubspot"}


def _ticket_row(row: _Row) -> None:
    """A ticket: its id, status and requester are required; a rating cell netmap cannot read is
    a warning (the ticket is kept, unrated), never a refusal."""
    from .satisfaction import parse_rating, parse_status

    cols = row.mapping.columns
    source = row.mapping.layout or "tickets"
    ticket_id = row.ref_text("ticket_id")
    raw_status = row.text("status")
    status = parse_status(raw_status, vendor=_STATUS_VENDORS.get(source))
    requester, req_column = row.ref("requester" if "requester" in cols else None,
                                    "requester_email" if "requester_email" in cols else None,
                                    "requester_id" if "requester_id" in cols else None)
    agent = None
    agent_column = None
    if "agent" in cols and (value := row.ref_text("agent")) is not None:
        agent, agent_column = row.value_ref("agent", value), row.header("agent")
        if agent.token:  # a one-word agent name ("Alice") is a name here, not an id
            agent = Ref(name=agent.token)
    created = row.date("created") if "created" in cols else None
    solved = row.date("solved") if "solved" in cols else None
    rating_text = row.text("rating") if "rating" in cols else None
    rating = parse_rating(rating_text) if rating_text else None
    if rating_text and rating is None and not _no_answer(rating_text):
        row.warn("rating", f"satisfaction rating {rating_text!r} not understood: the ticket was kept without it "
                           "(netmap reads Good/Bad, 1-5, stars, Intercom's emoji and Freshdesk's survey answers)")
    if ticket_id is None:
        if not row.bad:
            row.error("ticket_id", "no ticket id in this row: netmap cannot tell one ticket from another on the next "
                                   "import; fill it in or delete the row")
        return
    if status is None:
        if not row.bad:
            row.error("status", f"status {raw_status or '(empty)'!r} is not a ticket status netmap knows; write open, "
                                "pending, solved or closed (or the help desk's own word: New, On hold, Resolved ...)")
        return
    if requester == Ref():
        if not row.bad:
            row.error(None, "no requester in this row (email, id or name): netmap cannot tell whose ticket it is; "
                            "fill one in or delete the row")
        return
    if row.bad:
        return
    company = row.text("company") if "company" in cols else None
    if company and requester.name and not requester.company:
        requester = Ref(crm_id=requester.crm_id, email=requester.email, name=requester.name, company=company,
                        token=requester.token)
    row.parsed.tickets.append(TicketRecord(
        src=Source(row.parsed.label, row.row_no, req_column), source=source, ticket_id=ticket_id,
        requester=requester, status=status, requester_column=req_column, agent=agent, agent_column=agent_column,
        subject=row.text("subject") if "subject" in cols else None, company=company,
        created=created, solved=solved, rating=rating.label if rating else None, csat=rating.csat if rating else None,
        rating_comment=row.text("rating_comment") if "rating_comment" in cols else None,
    ))


#: an activity's status that says it was not done (yet): such rows are left out (HubSpot's
#: NOT_STARTED, IN_PROGRESS, WAITING, DEFERRED; Salesforce's Not Started, In Progress, Waiting on
#: someone else, Deferred). Any other status, or none (Salesforce events), counts as done.
_NOT_DONE = frozenset({"notstarted", "inprogress", "waiting", "waitingonsomeoneelse", "deferred", "open",
                       "scheduled", "planned", "pending", "cancelled", "canceled"})


def _activity_row(row: _Row) -> None:
    """A completed activity: its id, contact and date are required; one not done yet is left out
    (counted in one warning for the file: :func:`_check_activities`)."""
    from ..nurture_log import action_from_words

    cols = row.mapping.columns
    source = row.mapping.layout or "activities"
    activity_id = row.ref_text("activity_id")
    status = row.text("status") if "status" in cols else None
    if status and re.sub(r"[^a-z]", "", status.lower()) in _NOT_DONE:
        row.parsed.not_done += 1
        return
    contact, column = row.ref("contact" if "contact" in cols else None,
                              "contact_email" if "contact_email" in cols else None,
                              "contact_id" if "contact_id" in cols else None)
    completed = row.date("completed") if "completed" in cols else None
    planned = row.date("date") if "date" in cols else None
    if row.bad:
        return
    if activity_id is None:
        row.error("activity_id", "no activity id in this row: netmap cannot tell one activity from another on the "
                                 "next import; fill it in or delete the row")
        return
    if contact == Ref():
        row.error(None, "no contact in this row (email, id or name): netmap cannot tell whom it was done for; "
                        "fill one in or delete the row")
        return
    on = completed or planned
    if on is None:
        row.error("completed" if "completed" in cols else "date",
                  "no date in this row: the nurture log needs the day the activity was done; fill it in")
        return
    subject = row.text("subject") if "subject" in cols else None
    kind = row.text("type") if "type" in cols else None
    row.parsed.activities.append(ActivityRecord(
        src=Source(row.parsed.label, row.row_no, column), source=source, activity_id=activity_id, contact=contact,
        action=action_from_words(subject, kind), on=on, contact_column=column,
        note=" - ".join(t for t in (subject, row.text("note") if "note" in cols else None) if t) or None,
        owner=row.text("owner") if "owner" in cols else None,
    ))


def _check_activities(parsed: ParsedFile) -> None:
    """The same activity id twice in one file is refused, citing both rows; activities not done yet
    were left out: one warning says how many."""
    parsed.activities = _refuse_repeated(parsed, parsed.activities, "activity_id", "activity", "keep one row per activity")
    skipped = parsed.not_done
    if skipped:
        parsed.warnings.append(Problem(
            parsed.label, None, parsed.mapping.header_of("status"),
            f"{skipped} activit{'y' if skipped == 1 else 'ies'} not done yet (not started, in progress, waiting, "
            "deferred) left out: only what was done goes into the nurture log", "warning"))


def _refuse_repeated(parsed: ParsedFile, items: list, field: str, noun: str, remedy: str) -> list:
    """``items`` less every one whose ``field`` (an id) appears twice in the file: each repeat is a
    problem citing both rows, and every row of a repeated id is refused, since which row is the
    record's state would otherwise depend on the order of the rows."""
    first: dict[str, int] = {}
    repeated: set[str] = set()
    for item in items:
        key = getattr(item, field)
        if key in first:
            parsed.problems.append(Problem(
                parsed.label, item.src.row, parsed.mapping.header_of(field),
                f"{noun} {key!r} appears twice, in rows {first[key]} and {item.src.row}; {remedy}"))
            repeated.add(key)
        else:
            first[key] = item.src.row
    if not repeated:
        return items
    parsed.refused_rows |= {item.src.row for item in items if getattr(item, field) in repeated}
    return [item for item in items if getattr(item, field) not in repeated]


def _no_answer(text: str) -> bool:
    from .satisfaction import NO_ANSWER, _key

    return _key(text) in NO_ANSWER or V.is_missing(text)


def _check_duplicate_tickets(parsed: ParsedFile) -> None:
    """The same ticket id twice in one file is refused, citing both rows (:func:`_refuse_repeated`)."""
    parsed.tickets = _refuse_repeated(parsed, parsed.tickets, "ticket_id", "ticket",
                                      "keep one row per ticket (the latest export of it)")


def _rescale(parsed: ParsedFile) -> None:
    """Map the file's strengths into (0, 1] by the rule its column calls for
    (:func:`netmap.ingest.values.strength_mapping`), and say in a file-level warning
    how the column was read."""
    given = [r.strength for r in parsed.relationships if r.strength is not None]
    if not given:
        return
    rule = V.strength_mapping(given)
    for r in parsed.relationships:
        if r.strength is not None:
            r.strength = rule(r.strength)
    parsed.warnings.append(
        Problem(parsed.label, None, parsed.mapping.header_of("strength"), rule.describe(), "warning")
    )


def _check_duplicate_ids(parsed: ParsedFile) -> None:
    """The same CRM id twice in one people file is refused, citing both rows; the
    later row is left out with everything it carries (its referral, survey answer,
    manager), so that skipping invalid rows imports the first row as it is."""
    first_row: dict[str, int] = {}
    repeated: set[int] = set()
    for p in parsed.people:
        if p.crm_id is None:
            continue
        if p.crm_id in first_row:
            parsed.problems.append(
                Problem(
                    parsed.label, p.src.row, parsed.mapping.header_of("crm_id"),
                    f"id {p.crm_id!r} appears twice, in rows {first_row[p.crm_id]} and {p.src.row}; "
                    "keep one row per person",
                )
            )
            repeated.add(p.src.row)
        else:
            first_row[p.crm_id] = p.src.row
    if repeated:
        parsed.refused_rows |= repeated
        for name in ("people", "referrals", "relationships", "participations", "feedback", "tickets", "activities"):
            setattr(parsed, name, [r for r in getattr(parsed, name) if r.src.row not in repeated])
    emails = Counter(p.email for p in parsed.people if p.email)
    for mail, n in emails.items():
        if n > 1:
            rows = [p.src.row for p in parsed.people if p.email == mail]
            ids = {p.crm_id for p in parsed.people if p.email == mail}
            parsed.warnings.append(
                Problem(
                    parsed.label, rows[1], parsed.mapping.header_of("email"),
                    f"rows {', '.join(map(str, rows))} share the email {mail}"
                    + (f" with different ids ({', '.join(sorted(i for i in ids if i))})" if len(ids) > 1 else "")
                    + "; they were merged into one person (later rows fill in and update earlier ones)",
                    "warning",
                )
            )
