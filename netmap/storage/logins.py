"""Where sign-in logouts are kept: one ``meta`` row per user, ``logout/<user key>`` -> Unix
seconds (the :class:`netmap.storage.tables.MetaRow` model), so every server process
sharing the database refuses a cookie issued before the user logged out.

:mod:`netmap.access` decides what a logout means; this module only reads and
writes the rows.
"""

from __future__ import annotations

from sqlalchemy import Engine
from sqlalchemy.engine import Connection
from sqlmodel import col, delete, insert, select, update

from .tables import MetaRow

#: the ``meta`` keys of logouts start with this
LOGOUT_PREFIX = "logout/"


def last_logout(engine: Engine, user_key: str) -> int | None:
    """When ``user_key`` last logged out (Unix seconds) as the database knows it, or ``None``."""
    with engine.connect() as conn:
        raw = conn.execute(select(MetaRow.value).where(MetaRow.key == LOGOUT_PREFIX + user_key)).scalar()
    return int(raw) if raw is not None else None


def record_logout(conn: Connection, user_key: str, when: int, *, forget_before: int) -> None:
    """Record that ``user_key`` logged out at ``when`` (a later logout already recorded stays),
    and forget every logout older than ``forget_before``; in the caller's write transaction."""
    key = LOGOUT_PREFIX + user_key
    known = conn.execute(select(MetaRow.value).where(MetaRow.key == key)).scalar()
    if known is None:
        conn.execute(insert(MetaRow).values(key=key, value=str(when)))
    elif int(known) < when:
        conn.execute(update(MetaRow).where(col(MetaRow.key) == key).values(value=str(when)))
    stale = [k for k, v in conn.execute(select(MetaRow.key, MetaRow.value).where(
        col(MetaRow.key).startswith(LOGOUT_PREFIX, autoescape=True))) if int(v) < forget_before]
    if stale:
        conn.execute(delete(MetaRow).where(col(MetaRow.key).in_(stale)))
