"""The database schema: every table declared once, as a SQLModel model (``table=True``).

The models are the typed rows the row-level code reads (a profile's person and
answers, the import log, reviews, audit, logouts: :mod:`netmap.storage.people`,
:mod:`netmap.storage.reads`, :mod:`netmap.storage.audit`,
:mod:`netmap.storage.logins`). The bulk paths (the import writer, the dataset
load, erasure) run compiled Core statements on each model's ``__table__``,
exported under the table's name (``person``, ``feedback`` ...): one declaration,
two ways in.

Every person-to-person row cascades on the person's deletion, so erasing a
person removes their ties, referrals, participations and feedback with them.
Natural keys are unique, so a re-import can find what it already wrote.

Each column is spelled with ``sa_column=`` so the DDL is schema 1's, byte for
byte, on SQLite and PostgreSQL (``tests/test_schema.py`` checks it against
``tests/data/schema_v1.sql``): databases written by any netmap version read the
same. Importing sqlmodel (with pydantic) costs a little time on every command;
the README's "Stack" says why it stays.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    TypeDecorator,
    UniqueConstraint,
)
from sqlmodel import Field, SQLModel

metadata = MetaData()


class UTCDateTime(TypeDecorator):
    """An aware datetime, stored in UTC and read back in UTC (as sqlmodel's type of the
    same name did for schema 1, less its timedelta comparison, which netmap never used).

    SQLite keeps no offset, so a value read from it is UTC-naive: it gets UTC
    back. A naive value is refused on the way in, so nothing local-time sneaks in.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.utcoffset() is None:
            raise ValueError("a stored datetime needs a timezone: use datetime.now(timezone.utc)")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.utcoffset() is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def _id() -> Column:
    return Column("id", Integer, primary_key=True)


def _person_ref(name: str) -> Column:
    """A reference to a person: deleting the person deletes this row."""
    return Column(name, Integer, ForeignKey("person.id", ondelete="CASCADE"), nullable=False, index=True)


def _import_ref() -> Column:
    return Column("import_id", Integer, ForeignKey("import_log.id", ondelete="CASCADE"), nullable=False,
                  index=True)


def _text(name: str, *, required: bool = False, **kw) -> Column:
    return Column(name, String, nullable=not required, **kw)


class _Model(SQLModel):
    """The base of netmap's models: they share the one :data:`metadata`, so they are
    created, upgraded and dropped together (:mod:`netmap.storage.schema`)."""

    metadata = metadata


class PersonRow(_Model, table=True):
    """A person: a customer, a prospect, a contact or a team member (``stage``)."""

    __tablename__ = "person"

    id: int | None = Field(default=None, sa_column=_id())
    crm_id: str | None = Field(default=None, sa_column=_text("crm_id", index=True))
    email: str | None = Field(default=None, sa_column=_text("email", index=True))
    first_name: str | None = Field(default=None, sa_column=_text("first_name"))
    last_name: str | None = Field(default=None, sa_column=_text("last_name"))
    name: str | None = Field(default=None, sa_column=_text("name", index=True))
    company: str | None = Field(default=None, sa_column=_text("company"))
    owner: str | None = Field(default=None, sa_column=_text("owner"))
    stage: str | None = Field(default=None, sa_column=_text("stage"))
    segment: str | None = Field(default=None, sa_column=_text("segment"))
    region: str | None = Field(default=None, sa_column=_text("region"))
    created: date | None = Field(default=None, sa_column=Column("created", Date))
    #: True when a people export listed them; False for people only mentioned
    listed: bool = Field(default=False, sa_column=Column("listed", Boolean, nullable=False, default=False))


person = PersonRow.__table__


class IdentifierRow(_Model, table=True):
    """A CRM id, email or profile address a person is known by (a person can have several)."""

    __tablename__ = "identifier"
    __table_args__ = (UniqueConstraint("kind", "value"),)

    id: int | None = Field(default=None, sa_column=_id())
    person_id: int = Field(sa_column=_person_ref("person_id"))
    kind: str = Field(sa_column=_text("kind", required=True))  # "crm" | "email" | "url" (a profile address)
    value: str = Field(sa_column=_text("value", required=True))


identifier = IdentifierRow.__table__


class RelationshipRow(_Model, table=True):
    """A relationship a CRM export states between two people (``kind`` as written, may be empty)."""

    __tablename__ = "relationship"
    __table_args__ = (UniqueConstraint("a_id", "b_id", "kind"),)

    id: int | None = Field(default=None, sa_column=_id())
    a_id: int = Field(sa_column=_person_ref("a_id"))
    b_id: int = Field(sa_column=_person_ref("b_id"))
    kind: str = Field(default="", sa_column=_text("kind", required=True, default=""))
    strength: float | None = Field(default=None, sa_column=Column("strength", Float))
    since: date | None = Field(default=None, sa_column=Column("since", Date))


relationship = RelationshipRow.__table__


class ReferralRow(_Model, table=True):
    """A referral: ``referrer_id`` introduced ``referred_id``."""

    __tablename__ = "referral"
    __table_args__ = (UniqueConstraint("referrer_id", "referred_id"),)

    id: int | None = Field(default=None, sa_column=_id())
    referrer_id: int = Field(sa_column=_person_ref("referrer_id"))
    referred_id: int = Field(sa_column=_person_ref("referred_id"))
    referred_on: date | None = Field(default=None, sa_column=Column("referred_on", Date))
    status: str | None = Field(default=None, sa_column=_text("status"))
    value: float | None = Field(default=None, sa_column=Column("value", Float))


referral = ReferralRow.__table__


class InteractionRow(_Model, table=True):
    """A meeting, event, deal, thread or ticket; people who share one are tied."""

    __tablename__ = "interaction"
    __table_args__ = (UniqueConstraint("kind", "external_id"),)

    id: int | None = Field(default=None, sa_column=_id())
    kind: str = Field(sa_column=_text("kind", required=True))
    external_id: str = Field(sa_column=_text("external_id", required=True))
    name: str | None = Field(default=None, sa_column=_text("name"))
    happened_on: date | None = Field(default=None, sa_column=Column("happened_on", Date))


interaction = InteractionRow.__table__


class ParticipationRow(_Model, table=True):
    """A person's part in an interaction."""

    __tablename__ = "participation"
    __table_args__ = (UniqueConstraint("interaction_id", "person_id"),)

    id: int | None = Field(default=None, sa_column=_id())
    interaction_id: int = Field(sa_column=Column(
        "interaction_id", Integer, ForeignKey("interaction.id", ondelete="CASCADE"), nullable=False, index=True))
    person_id: int = Field(sa_column=_person_ref("person_id"))


participation = ParticipationRow.__table__


class FeedbackRow(_Model, table=True):
    """One survey answer (or a ticket's rating, on the ``csat`` scale).

    ``natural_key`` identifies it across re-imports: the response id when the
    survey has one, else the scale and date, else the scale and score."""

    __tablename__ = "feedback"
    __table_args__ = (UniqueConstraint("person_id", "natural_key"),)

    id: int | None = Field(default=None, sa_column=_id())
    person_id: int = Field(sa_column=_person_ref("person_id"))
    score: float = Field(sa_column=Column("score", Float, nullable=False))
    scale: str = Field(default="nps", sa_column=_text("scale", required=True, default="nps"))
    answered_on: date | None = Field(default=None, sa_column=Column("answered_on", Date))
    comment: str | None = Field(default=None, sa_column=_text("comment"))
    response_id: str | None = Field(default=None, sa_column=_text("response_id"))
    natural_key: str = Field(sa_column=_text("natural_key", required=True))


feedback = FeedbackRow.__table__


def _count(name: str) -> Column:
    return Column(name, Integer, nullable=False, default=0)


class ImportLogRow(_Model, table=True):
    """The import log: one row per file (or sheet) imported. Counts and a hash, never the rows themselves."""

    __tablename__ = "import_log"

    id: int | None = Field(default=None, sa_column=_id())
    batch: str = Field(sa_column=_text("batch", required=True, index=True))
    file_name: str = Field(sa_column=_text("file_name", required=True))
    sheet: str | None = Field(default=None, sa_column=_text("sheet"))
    content_sha256: str = Field(sa_column=_text("content_sha256", required=True, index=True))
    kind: str = Field(sa_column=_text("kind", required=True))
    mapping_json: str = Field(sa_column=_text("mapping_json", required=True))
    rows_read: int = Field(default=0, sa_column=_count("rows_read"))
    added: int = Field(default=0, sa_column=_count("added"))
    updated: int = Field(default=0, sa_column=_count("updated"))
    refused: int = Field(default=0, sa_column=_count("refused"))
    warnings: int = Field(default=0, sa_column=_count("warnings"))
    details_json: str = Field(default="{}", sa_column=_text("details_json", required=True, default="{}"))
    created_at: datetime = Field(sa_column=Column("created_at", UTCDateTime, nullable=False))
    undone_at: datetime | None = Field(default=None, sa_column=Column("undone_at", UTCDateTime))


import_log = ImportLogRow.__table__


class ImportChangeRow(_Model, table=True):
    """The undo journal: what an import inserted, updated (with the values before) or
    built on (``use``: a row of another import it references)."""

    __tablename__ = "import_change"
    __table_args__ = (Index("ix_change_target", "table_name", "row_id"),)

    id: int | None = Field(default=None, sa_column=_id())
    import_id: int = Field(sa_column=_import_ref())
    table_name: str = Field(sa_column=_text("table_name", required=True))
    row_id: int = Field(sa_column=Column("row_id", Integer, nullable=False))
    action: str = Field(sa_column=_text("action", required=True))  # insert | update | use
    before_json: str | None = Field(default=None, sa_column=_text("before_json"))


import_change = ImportChangeRow.__table__


class ReviewRow(_Model, table=True):
    """A likely duplicate that was not merged: for a person to decide."""

    __tablename__ = "review"

    id: int | None = Field(default=None, sa_column=_id())
    import_id: int = Field(sa_column=_import_ref())
    a_id: int = Field(sa_column=_person_ref("a_id"))
    b_id: int = Field(sa_column=_person_ref("b_id"))
    reason: str = Field(sa_column=_text("reason", required=True))


review = ReviewRow.__table__


class MetaRow(_Model, table=True):
    """A small setting: the schema version, the data version (bumped by every change, so
    derived measures know when to recompute), a user's last logout."""

    __tablename__ = "meta"

    key: str = Field(sa_column=Column("key", String, primary_key=True))
    value: str = Field(sa_column=_text("value", required=True))


meta = MetaRow.__table__


class MeasureCacheRow(_Model, table=True):
    """A cached analysis result, stored with the data version it came from."""

    __tablename__ = "measure_cache"

    name: str = Field(sa_column=Column("name", String, primary_key=True))
    data_version: int = Field(sa_column=Column("data_version", Integer, nullable=False))
    payload: bytes = Field(sa_column=Column("payload", LargeBinary, nullable=False))


measure_cache = MeasureCacheRow.__table__


#: The audit log: who changed the data, how, when, with what counts.
#:
#: Append-only: triggers (:func:`netmap.storage.audit.install`) make the database refuse
#: UPDATE and DELETE on it. ``target`` names rows by number only ("import #3",
#: "person #42"), never by a name, email or comment, so an erasure leaves nothing
#: of the person here. No foreign keys: nothing a change deletes can cascade into the log.
class AuditEntry(_Model, table=True):
    """One entry of the audit log, as :func:`netmap.storage.audit.entries` reads it (typed fields);
    each column spelled as schema 1 created it (``tests/test_schema.py`` holds the DDL)."""

    __tablename__ = "audit"

    id: int | None = Field(default=None, sa_column=_id())
    at: datetime = Field(sa_column=Column("at", DateTime(timezone=True), nullable=False, index=True))
    actor: str = Field(sa_column=_text("actor", required=True))  # "local:<os user>" or the signed-in email
    action: str = Field(sa_column=_text("action", required=True))  # import | undo | erase
    target: str = Field(sa_column=_text("target", required=True))
    counts: str = Field(default="{}", sa_column=_text("counts", required=True, default="{}"))  # JSON


audit = AuditEntry.__table__


class Ticket(_Model, table=True):
    """One support ticket of a help desk export (``tickets`` kind; ``netmap/ingest/records.py``).

    Identified across re-imports by ``(source, external_id)``: the help desk (the vendor
    layout recognised, else ``"tickets"``) and its ticket id, so a later export of the
    same ticket updates this row. The ticket's tie (requester and agent share an
    interaction of kind ``ticket``) and its satisfaction rating (a ``csat`` feedback row)
    are stored where every other tie and answer is.

    ``requester_id`` cascades: erasing the requester removes their tickets and their text
    (subject, rating remark). ``agent_id`` is set null when the team member is erased: the
    customer's ticket stays, unassigned.
    """

    __tablename__ = "ticket"
    __table_args__ = (UniqueConstraint("source", "external_id"),)

    id: int | None = Field(default=None, sa_column=_id())
    source: str = Field(sa_column=_text("source", required=True))
    external_id: str = Field(sa_column=_text("external_id", required=True))
    requester_id: int = Field(sa_column=_person_ref("requester_id"))
    agent_id: int | None = Field(default=None, sa_column=Column(
        "agent_id", Integer, ForeignKey("person.id", ondelete="SET NULL"), index=True))
    interaction_id: int | None = Field(default=None, sa_column=Column(
        "interaction_id", Integer, ForeignKey("interaction.id", ondelete="SET NULL"), index=True))
    status: str = Field(sa_column=_text("status", required=True))  # open | pending | solved | closed
    subject: str | None = Field(default=None, sa_column=_text("subject"))
    company: str | None = Field(default=None, sa_column=_text("company"))
    created_on: date | None = Field(default=None, sa_column=Column("created_on", Date))
    solved_on: date | None = Field(default=None, sa_column=Column("solved_on", Date))
    rating: str | None = Field(default=None, sa_column=_text("rating"))  # the cell as written ("Good", "4")
    csat: int | None = Field(default=None, sa_column=Column("csat", Integer))  # its 1-5 equivalent
    rating_comment: str | None = Field(default=None, sa_column=_text("rating_comment"))


ticket = Ticket.__table__


class NurtureAction(_Model, table=True):
    """One entry of the nurture log: what someone did for a person, on which day, logged by whom
    (issue 15; the vocabulary of ``action`` is ``netmap/nurture_log.py`` ACTIONS, checked before a
    row is written: ``netmap/storage/nurture_log.py``).

    ``logged_by`` is the actor, as in the audit log: the signed-in user's email or
    ``local:<os user>`` (an imported activity: the export's owner column when it has one).
    ``source`` is ``"manual"`` for an action logged by hand, else the activities export's
    vendor; ``external_id`` the activity's id in that export (unique with ``source`` when
    present, so importing the export again changes nothing). ``import_id`` is the import
    that wrote an imported action (its undo removes it; null for one logged by hand).

    ``person_id`` cascades: erasing the person removes their log, note and all.
    """

    __tablename__ = "nurture_action"
    __table_args__ = (UniqueConstraint("source", "external_id"),)

    id: int | None = Field(default=None, sa_column=_id())
    person_id: int = Field(sa_column=_person_ref("person_id"))
    action: str = Field(sa_column=_text("action", required=True))
    note: str | None = Field(default=None, sa_column=_text("note"))
    done_on: date = Field(sa_column=Column("done_on", Date, nullable=False))
    logged_by: str = Field(sa_column=_text("logged_by", required=True))
    logged_at: datetime = Field(sa_column=Column("logged_at", UTCDateTime, nullable=False))
    source: str = Field(default="manual", sa_column=_text("source", required=True, default="manual"))
    external_id: str | None = Field(default=None, sa_column=_text("external_id"))
    import_id: int | None = Field(default=None, sa_column=Column(
        "import_id", Integer, ForeignKey("import_log.id", ondelete="CASCADE"), index=True))


nurture_action = NurtureAction.__table__
