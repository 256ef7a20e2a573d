"""The audit log: who changed the data, how, when, and how much.

One row per change (an import call, an undo, an erasure, a merge of two records of one
person or a decision to keep two people apart: :mod:`netmap.storage.merge`, an action
logged in the nurture log by hand: :mod:`netmap.storage.nurture_log`), written by
:func:`record` inside the transaction of the change itself: a change that is
rolled back leaves no row, and a change that is committed always has one.

The log is append-only, and the database holds it to that: :func:`install`
creates triggers that refuse every UPDATE and DELETE on the ``audit`` table
(and TRUNCATE on PostgreSQL). They stop the application and any client using
its tables by mistake; a database owner can still drop them, as with any
database-side rule.

No personal data: a target names rows by number ("import #3", "person #42",
"merge #9: #12 into #7"),
counts are numbers per kind of row, and the actor is the signed-in admin's
email or ``local:<os user>``. Nothing a customer is called, or wrote, is ever
copied here, so an erasure leaves nothing of them in the log.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime, timezone

from sqlalchemy import Engine, insert, select
from sqlalchemy.engine import Connection

from . import tables
from .schema import PG_AUDIT_LOCK as _PG_LOCK

__all__ = ["ACTIONS", "AUDIT", "MESSAGE", "ensure", "entries", "install", "record", "target_for_imports"]

AUDIT = tables.audit
ACTIONS = ("import", "undo", "erase", "merge", "keep-apart", "log")
#: what the database says when something tries to change the log
MESSAGE = "the audit log is append-only: its rows cannot be changed or deleted"

_SQLITE = [
    f"CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
    f"CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit "
    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END",
]
_PG_FUNCTION = (
    "CREATE OR REPLACE FUNCTION netmap_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS "
    f"$fn$ BEGIN RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege'; END $fn$"
)
_PG_TRIGGERS = [
    "CREATE OR REPLACE TRIGGER audit_no_update_delete BEFORE UPDATE OR DELETE ON audit "
    "FOR EACH ROW EXECUTE FUNCTION netmap_audit_append_only()",
    "CREATE OR REPLACE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit "
    "FOR EACH STATEMENT EXECUTE FUNCTION netmap_audit_append_only()",
]


def install(conn: Connection, dialect: str | None = None) -> None:
    """Create the triggers that keep the log append-only, if missing.

    Idempotent; runs inside ``conn``'s transaction, which should be a write
    transaction (:func:`ensure` opens one when a store starts; a schema
    migration can call it in its own). ``dialect``: ``"sqlite"`` or
    ``"postgresql"`` (default: ``conn``'s).
    """
    dialect = dialect or conn.dialect.name
    if dialect == "sqlite":
        if not _TRIGGERS[dialect] <= _installed(conn, dialect):  # a read when they are there: no write lock at start
            for ddl in _SQLITE:
                conn.exec_driver_sql(ddl)
    elif dialect == "postgresql":
        if not _TRIGGERS[dialect] <= _installed(conn, dialect):
            # one installer at a time (CREATE OR REPLACE FUNCTION races with itself); look again under the lock
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_LOCK})")
            if not _TRIGGERS[dialect] <= _installed(conn, dialect):
                conn.exec_driver_sql(_PG_FUNCTION)
                for ddl in _PG_TRIGGERS:
                    conn.exec_driver_sql(ddl)
    else:
        raise ValueError(f"netmap cannot keep an audit log append-only on {dialect!r} (SQLite and PostgreSQL can)")


def ensure(engine: Engine) -> None:
    """:func:`install` for a store that starts: one read when the triggers are in
    place; otherwise a write transaction (SQLite: ``BEGIN IMMEDIATE``, so
    several processes starting at once wait for each other instead of failing).
    Other databases than SQLite and PostgreSQL get the log without the triggers."""
    dialect = engine.dialect.name
    if dialect not in _TRIGGERS:
        return
    with engine.connect() as conn:
        missing = not _TRIGGERS[dialect] <= _installed(conn, dialect)
        conn.rollback()
    if missing:
        with engine.connect().execution_options(netmap_write=True) as conn:
            with conn.begin():
                install(conn, dialect)


_TRIGGERS = {"sqlite": {"audit_no_update", "audit_no_delete"},
             "postgresql": {"audit_no_update_delete", "audit_no_truncate"}}


def _installed(conn: Connection, dialect: str) -> set[str]:
    if dialect == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'audit'"
    else:
        query = "SELECT tgname FROM pg_trigger WHERE tgrelid = 'audit'::regclass AND NOT tgisinternal"
    return {name for (name,) in conn.exec_driver_sql(query)}


def record(conn: Connection, actor: str, action: str, target: str, counts: Mapping | None = None) -> None:
    """Append one entry, inside the transaction of the change it describes.

    ``counts`` is a (possibly nested) mapping of numbers, e.g.
    ``{"files": 2, "added": {"people": 40}}``: counts only, never text about
    a person.
    """
    if action not in ACTIONS:
        raise ValueError(f"unknown audit action {action!r} (one of {', '.join(ACTIONS)})")
    conn.execute(
        insert(AUDIT),
        {
            "at": datetime.now(timezone.utc), "actor": actor, "action": action, "target": target,
            "counts": json.dumps(_numbers(counts or {}), sort_keys=True),
        },
    )


def entries(source: Engine | Connection, *, limit: int | None = None, action: str | None = None) -> list[dict]:
    """The log, newest first: ``id, at`` (aware, UTC), ``actor, action, target, counts`` (a dict)."""
    if isinstance(source, Engine):
        with source.connect() as conn:
            return entries(conn, limit=limit, action=action)
    from sqlmodel import Session
    from sqlmodel import select as select_model

    q = select_model(tables.AuditEntry).order_by(AUDIT.c.id.desc())
    if action is not None:
        q = q.where(AUDIT.c.action == action)
    if limit is not None:
        q = q.limit(limit)
    out = []
    with Session(bind=source) as session:  # typed rows (tables.AuditEntry), on the caller's connection
        for e in session.exec(q):
            at = e.at
            if at is not None and at.tzinfo is None:  # SQLite keeps no offset: every value was written in UTC
                at = at.replace(tzinfo=timezone.utc)
            elif at is not None:
                at = at.astimezone(timezone.utc)
            out.append({"id": e.id, "at": at, "actor": e.actor, "action": e.action, "target": e.target,
                        "counts": json.loads(e.counts or "{}")})
    return out


def target_for_imports(import_ids: list[int]) -> str:
    """``import #3`` or ``imports #3, #4`` (``import (dry run)`` never reaches the log)."""
    ids = [i for i in import_ids if i is not None]
    if not ids:
        return "import (nothing recorded)"
    return ("import " if len(ids) == 1 else "imports ") + ", ".join(f"#{i}" for i in ids)


def _numbers(counts: Mapping) -> dict:
    """Counts only: nested mappings of numbers; anything else is refused, so
    no text about a person can slip into the log."""
    out = {}
    for k, v in counts.items():
        if isinstance(v, Mapping):
            out[str(k)] = _numbers(v)
        elif isinstance(v, bool) or not isinstance(v, (int, float)):
            raise TypeError(f"audit counts must be numbers, not {type(v).__name__} ({k!r})")
        else:
            out[str(k)] = v
    return out


def describe_counts(counts: Mapping, prefix: str = "") -> str:
    """An entry's counts as one line: ``added people 400 · added referrals 70 · files 6``
    (nested counts prefixed by their key; zeros left out); "no change" when all are zero."""
    parts = []
    for k, v in counts.items():
        if isinstance(v, Mapping):
            inner = describe_counts(v, f"{prefix}{k} ")
            if inner != "no change":
                parts.append(inner)
        elif v:
            parts.append(f"{prefix}{str(k).replace('_', ' ')} {v:,}")
    return " · ".join(parts) or "no change"
