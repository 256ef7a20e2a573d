"""The database schema (sqlmodel). Only :mod:`netmap.store` uses these classes.

Every person-to-person row cascades on the person's deletion, so erasing a
person removes their ties, referrals, participations and feedback with them.
Natural keys are unique, so a re-import can find what it already wrote.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import DateTime, Index, UniqueConstraint
from sqlmodel import Field, SQLModel


class PersonRow(SQLModel, table=True):
    __tablename__ = "person"
    id: int | None = Field(default=None, primary_key=True)
    crm_id: str | None = Field(default=None, index=True)
    email: str | None = Field(default=None, index=True)
    first_name: str | None = None
    last_name: str | None = None
    name: str | None = Field(default=None, index=True)
    company: str | None = None
    owner: str | None = None
    stage: str | None = None
    segment: str | None = None
    region: str | None = None
    created: date | None = None
    #: True when a people export listed them; False for people only mentioned
    listed: bool = False


class IdentifierRow(SQLModel, table=True):
    """Every CRM id and email a person is known by (a person can have several)."""

    __tablename__ = "identifier"
    __table_args__ = (UniqueConstraint("kind", "value"),)
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE", index=True)
    kind: str  # "crm" | "email"
    value: str


class RelationshipRow(SQLModel, table=True):
    __tablename__ = "relationship"
    __table_args__ = (UniqueConstraint("a_id", "b_id", "kind"),)
    id: int | None = Field(default=None, primary_key=True)
    a_id: int = Field(foreign_key="person.id", ondelete="CASCADE", index=True)
    b_id: int = Field(foreign_key="person.id", ondelete="CASCADE", index=True)
    kind: str = ""
    strength: float | None = None
    since: date | None = None


class ReferralRow(SQLModel, table=True):
    __tablename__ = "referral"
    __table_args__ = (UniqueConstraint("referrer_id", "referred_id"),)
    id: int | None = Field(default=None, primary_key=True)
    referrer_id: int = Field(foreign_key="person.id", ondelete="CASCADE", index=True)
    referred_id: int = Field(foreign_key="person.id", ondelete="CASCADE", index=True)
    referred_on: date | None = None
    status: str | None = None
    value: float | None = None


class InteractionRow(SQLModel, table=True):
    """A meeting, event, deal or thread; people who share one are tied."""

    __tablename__ = "interaction"
    __table_args__ = (UniqueConstraint("kind", "external_id"),)
    id: int | None = Field(default=None, primary_key=True)
    kind: str
    external_id: str
    name: str | None = None
    happened_on: date | None = None


class ParticipationRow(SQLModel, table=True):
    __tablename__ = "participation"
    __table_args__ = (UniqueConstraint("interaction_id", "person_id"),)
    id: int | None = Field(default=None, primary_key=True)
    interaction_id: int = Field(foreign_key="interaction.id", ondelete="CASCADE", index=True)
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE", index=True)


class FeedbackRow(SQLModel, table=True):
    """One survey answer. ``natural_key`` identifies it across re-imports:
    the response id when the survey has one, else the scale and date, else the
    scale and score."""

    __tablename__ = "feedback"
    __table_args__ = (UniqueConstraint("person_id", "natural_key"),)
    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person.id", ondelete="CASCADE", index=True)
    score: float
    scale: str = "nps"
    answered_on: date | None = None
    comment: str | None = None
    response_id: str | None = None
    natural_key: str


class ImportRow(SQLModel, table=True):
    """The import log: one row per file (or sheet) imported. Counts and a hash,
    never the rows themselves."""

    __tablename__ = "import_log"
    id: int | None = Field(default=None, primary_key=True)
    batch: str = Field(index=True)
    file_name: str
    sheet: str | None = None
    content_sha256: str = Field(index=True)
    kind: str
    mapping_json: str
    rows_read: int = 0
    added: int = 0
    updated: int = 0
    refused: int = 0
    warnings: int = 0
    details_json: str = "{}"
    created_at: datetime
    undone_at: datetime | None = None


class ChangeRow(SQLModel, table=True):
    """The undo journal: what each import inserted, updated (with the values
    before) or built on ("use": a row of another import it references)."""

    __tablename__ = "import_change"
    __table_args__ = (Index("ix_change_target", "table_name", "row_id"),)
    id: int | None = Field(default=None, primary_key=True)
    import_id: int = Field(foreign_key="import_log.id", ondelete="CASCADE", index=True)
    table_name: str
    row_id: int
    action: str  # insert | update | use
    before_json: str | None = None


class ReviewRow(SQLModel, table=True):
    """A likely duplicate that was not merged: for a person to decide."""

    __tablename__ = "review"
    id: int | None = Field(default=None, primary_key=True)
    import_id: int = Field(foreign_key="import_log.id", ondelete="CASCADE", index=True)
    a_id: int = Field(foreign_key="person.id", ondelete="CASCADE", index=True)
    b_id: int = Field(foreign_key="person.id", ondelete="CASCADE", index=True)
    reason: str


class MetaRow(SQLModel, table=True):
    """Small settings: the schema version and the data version (bumped by every
    change, so derived measures know when to recompute)."""

    __tablename__ = "meta"
    key: str = Field(primary_key=True)
    value: str


class MeasureRow(SQLModel, table=True):
    """Cached analysis results, stored with the data version they came from."""

    __tablename__ = "measure_cache"
    name: str = Field(primary_key=True)
    data_version: int
    payload: bytes


class AuditRow(SQLModel, table=True):
    """The audit log: who changed the data, how, when, with what counts.

    Append-only: triggers (:func:`netmap.audit.install`) make the database
    refuse UPDATE and DELETE on it. ``target`` names rows by number only
    ("import #3", "person #42"), never by a name, email or comment, so an
    erasure leaves nothing of the person here. No foreign keys: nothing a
    change deletes can cascade into the log.
    """

    __tablename__ = "audit"
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=DateTime(timezone=True), index=True)
    actor: str  # "local:<os user>" or the signed-in email
    action: str  # import | undo | erase
    target: str
    counts: str = "{}"  # JSON: {"added": {...}, ...}
