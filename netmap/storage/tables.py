"""The database schema: SQLAlchemy Core tables. Used by :mod:`netmap.storage.store`,
:mod:`netmap.storage.schema`, :mod:`netmap.storage.audit` (and the modules tests/test_layers.py still lists as not yet moved).

Every person-to-person row cascades on the person's deletion, so erasing a
person removes their ties, referrals, participations and feedback with them.
Natural keys are unique, so a re-import can find what it already wrote.

The tables were first declared as sqlmodel classes; netmap only ever used their
``__table__`` in Core statements, and importing sqlmodel (with pydantic) cost
about 0.2 s on every command (README, "Stack"). These declarations give the
same DDL, byte for byte, on SQLite and PostgreSQL (``tests/test_schema.py``
checks it against ``tests/data/schema_v1.sql``), so databases written by either
read the same.
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
    Table,
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


person = Table(
    "person", metadata,
    _id(),
    _text("crm_id", index=True),
    _text("email", index=True),
    _text("first_name"),
    _text("last_name"),
    _text("name", index=True),
    _text("company"),
    _text("owner"),
    _text("stage"),
    _text("segment"),
    _text("region"),
    Column("created", Date),
    #: True when a people export listed them; False for people only mentioned
    Column("listed", Boolean, nullable=False, default=False),
)

#: every CRM id and email a person is known by (a person can have several)
identifier = Table(
    "identifier", metadata,
    _id(),
    _person_ref("person_id"),
    _text("kind", required=True),  # "crm" | "email" | "url" (a profile address)
    _text("value", required=True),
    UniqueConstraint("kind", "value"),
)

relationship = Table(
    "relationship", metadata,
    _id(),
    _person_ref("a_id"),
    _person_ref("b_id"),
    _text("kind", required=True, default=""),
    Column("strength", Float),
    Column("since", Date),
    UniqueConstraint("a_id", "b_id", "kind"),
)

referral = Table(
    "referral", metadata,
    _id(),
    _person_ref("referrer_id"),
    _person_ref("referred_id"),
    Column("referred_on", Date),
    _text("status"),
    Column("value", Float),
    UniqueConstraint("referrer_id", "referred_id"),
)

#: a meeting, event, deal or thread; people who share one are tied
interaction = Table(
    "interaction", metadata,
    _id(),
    _text("kind", required=True),
    _text("external_id", required=True),
    _text("name"),
    Column("happened_on", Date),
    UniqueConstraint("kind", "external_id"),
)

participation = Table(
    "participation", metadata,
    _id(),
    Column("interaction_id", Integer, ForeignKey("interaction.id", ondelete="CASCADE"), nullable=False,
           index=True),
    _person_ref("person_id"),
    UniqueConstraint("interaction_id", "person_id"),
)

#: one survey answer. ``natural_key`` identifies it across re-imports: the
#: response id when the survey has one, else the scale and date, else the scale and score
feedback = Table(
    "feedback", metadata,
    _id(),
    _person_ref("person_id"),
    Column("score", Float, nullable=False),
    _text("scale", required=True, default="nps"),
    Column("answered_on", Date),
    _text("comment"),
    _text("response_id"),
    _text("natural_key", required=True),
    UniqueConstraint("person_id", "natural_key"),
)

#: the import log: one row per file (or sheet) imported. Counts and a hash, never the rows themselves
import_log = Table(
    "import_log", metadata,
    _id(),
    _text("batch", required=True, index=True),
    _text("file_name", required=True),
    _text("sheet"),
    _text("content_sha256", required=True, index=True),
    _text("kind", required=True),
    _text("mapping_json", required=True),
    *(Column(count, Integer, nullable=False, default=0)
      for count in ("rows_read", "added", "updated", "refused", "warnings")),
    _text("details_json", required=True, default="{}"),
    Column("created_at", UTCDateTime, nullable=False),
    Column("undone_at", UTCDateTime),
)

#: the undo journal: what each import inserted, updated (with the values before)
#: or built on ("use": a row of another import it references)
import_change = Table(
    "import_change", metadata,
    _id(),
    _import_ref(),
    _text("table_name", required=True),
    Column("row_id", Integer, nullable=False),
    _text("action", required=True),  # insert | update | use
    _text("before_json"),
    Index("ix_change_target", "table_name", "row_id"),
)

#: a likely duplicate that was not merged: for a person to decide
review = Table(
    "review", metadata,
    _id(),
    _import_ref(),
    _person_ref("a_id"),
    _person_ref("b_id"),
    _text("reason", required=True),
)

#: small settings: the schema version and the data version (bumped by every
#: change, so derived measures know when to recompute)
meta = Table(
    "meta", metadata,
    Column("key", String, primary_key=True),
    _text("value", required=True),
)

#: cached analysis results, stored with the data version they came from
measure_cache = Table(
    "measure_cache", metadata,
    Column("name", String, primary_key=True),
    Column("data_version", Integer, nullable=False),
    Column("payload", LargeBinary, nullable=False),
)

#: The audit log: who changed the data, how, when, with what counts.
#:
#: Append-only: triggers (:func:`netmap.storage.audit.install`) make the database refuse
#: UPDATE and DELETE on it. ``target`` names rows by number only ("import #3",
#: "person #42"), never by a name, email or comment, so an erasure leaves nothing
#: of the person here. No foreign keys: nothing a change deletes can cascade into the log.
class _Model(SQLModel):
    """netmap's tables declared as SQLModel models share the one :data:`metadata` of the
    Core tables, so they are created, upgraded and dropped with them."""

    metadata = metadata


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
