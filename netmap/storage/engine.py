"""The engine: one per database URL, and its SQLite/PostgreSQL settings.

SQLite connections run with ``foreign_keys=ON`` (cascades), WAL journaling, a
30 s busy timeout and ``secure_delete=ON`` (deleted content is overwritten with
zeros). Write transactions (:func:`writing`) start with ``BEGIN IMMEDIATE`` on
SQLite and take a transaction-level advisory lock on PostgreSQL
(:data:`netmap.storage.schema.PG_WRITE_LOCK`), so two imports at once run one after
the other instead of failing halfway; :func:`writing_if_free` is for what a read
merely keeps for later (netmap/storage/cache.py), and never waits.
"""

from __future__ import annotations

import sqlite3
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError
from sqlalchemy.pool import StaticPool

from ..errors import DatabaseBusy
from .schema import PG_WRITE_LOCK as _PG_LOCK

#: SQLite's busy timeout on every connection: how long a statement waits for another's lock
BUSY_TIMEOUT_MS = 30_000


def make_engine(url: str) -> Engine:
    """One engine per database URL; never created at import time."""
    if url.startswith("sqlite"):
        memory = url in ("sqlite://", "sqlite:///:memory:")
        if not memory:
            path = url.split("///", 1)[1] if "///" in url else ""
            if path:
                Path(path).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            poolclass=StaticPool if memory else None,
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record):
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (SQLAlchemy's pysqlite recipe)
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cur.execute("PRAGMA secure_delete=ON")
            if not memory:
                _use_wal(cur)
                cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn):
            options = conn.get_execution_options()
            if options.get("netmap_try_write"):  # a cache write: take the lock now or not at all
                conn.exec_driver_sql("PRAGMA busy_timeout = 0")
                try:
                    conn.exec_driver_sql("BEGIN IMMEDIATE")
                finally:
                    conn.exec_driver_sql(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
                return
            conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get("netmap_write", False) else "BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True)


def _use_wal(cur, wait_s: float = 30.0) -> None:
    """Put the SQLite file in write-ahead-log mode (readers never wait for a writer).

    The mode is stored in the file, so this is one read once it is set. Setting it
    needs the file to itself, and while another connection holds its write lock
    (e.g. a second process creating the tables of the same new database) SQLite
    answers "database is locked" at once, without its busy timeout. So it is
    retried, with a growing pause, until ``wait_s`` seconds have passed (under a
    reader's lock SQLite's own busy timeout waits inside one attempt: at worst
    about twice ``wait_s`` in all).
    """
    if cur.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal":
        return
    deadline = time.monotonic() + wait_s
    pause = 0.005
    while True:
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            busy = (getattr(exc, "sqlite_errorcode", 0) & 0xFF) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
            if not busy or time.monotonic() >= deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.2)


@contextmanager
def writing(engine: Engine, is_sqlite: bool) -> Iterator[Connection]:
    """One write transaction, serialised against other writers.

    A writer waits up to :data:`BUSY_TIMEOUT_MS` (30 s) for another's lock, then
    raises :class:`DatabaseBusy` (a message, never a traceback): nothing was written."""
    with engine.connect().execution_options(netmap_write=True) as conn:
        try:
            tx = conn.begin()
            if not is_sqlite:
                conn.execute(text(f"SET LOCAL lock_timeout = '{BUSY_TIMEOUT_MS}ms'"))
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK})
        except OperationalError as exc:
            if is_busy(exc):
                raise DatabaseBusy(_BUSY_MESSAGE) from exc
            raise
        with tx:
            yield conn


@contextmanager
def writing_if_free(engine: Engine, is_sqlite: bool) -> Iterator[Connection | None]:
    """A write transaction when no other writer holds the database now, else ``None``
    at once: for what a read merely keeps for later (cached measures), so that a
    read never waits for, or fails on, an import being written."""
    with engine.connect().execution_options(netmap_write=True, netmap_try_write=is_sqlite) as conn:
        try:
            tx = conn.begin()
        except OperationalError as exc:
            if is_busy(exc):
                yield None
                return
            raise
        with tx:
            if not is_sqlite and not conn.execute(
                    text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": _PG_LOCK}).scalar_one():
                tx.rollback()
                yield None
                return
            yield conn


_BUSY_MESSAGE = (
    "the database is busy: another import, undo or erasure has been writing to it for more than "
    f"{BUSY_TIMEOUT_MS // 1000} s; nothing was changed; try again once it is done"
)


def is_busy(exc: Exception) -> bool:
    """Whether a driver error says another connection holds the lock (SQLite's "database is
    locked"/"busy", PostgreSQL's lock timeout)."""
    text_ = str(getattr(exc, "orig", exc)).lower()
    return "database is locked" in text_ or "database is busy" in text_ or "lock timeout" in text_ \
        or getattr(getattr(exc, "orig", None), "sqlstate", None) == "55P03"


def chunks(items: list, n: int) -> list[list]:
    """``items`` in lists of at most ``n`` (an ``IN (...)`` under SQLite's limit on bound parameters)."""
    return [items[i:i + n] for i in range(0, len(items), n)]

