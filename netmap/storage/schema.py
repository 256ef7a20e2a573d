"""The database schema's version: create it on first start, upgrade it in place.

:func:`prepare` runs when a :class:`netmap.storage.store.Store` starts:

- an empty database gets every table (``tables.metadata.create_all``) and is
  stamped with :data:`CURRENT` in the ``meta`` table (key ``schema``);
- a database of an older schema is upgraded: the :data:`MIGRATIONS` from its
  version up to :data:`CURRENT` run in order, then tables new since then are
  created and the new version is stamped, all in ONE transaction (PostgreSQL
  and SQLite both roll DDL back), so a failed upgrade changes nothing;
- a database written by a newer netmap (its version above :data:`CURRENT`) is
  refused with a :class:`netmap.errors.StorageError` naming both versions,
  before anything is changed: this netmap could damage data it does not know.

Creating or upgrading is serialised against other netmap processes (SQLite:
``BEGIN IMMEDIATE``; PostgreSQL: the advisory lock every netmap write takes),
and a database that is already current costs one read at start, no lock.

How to change the schema: a NEW TABLE alone needs nothing here (``create_all``
adds it on the next start, and an older netmap simply ignores it). A change to
an existing table (a new column or index, a changed constraint, rewritten data)
bumps :data:`CURRENT` and adds ``MIGRATIONS[CURRENT] = function(conn)`` that
brings a database of version ``CURRENT - 1`` to ``CURRENT`` with plain SQL
(portable between SQLite and PostgreSQL, or branching on
``conn.dialect.name``).
"""

from __future__ import annotations

from typing import Callable

from sqlalchemy import Engine, inspect, insert, select, text, update
from sqlalchemy.engine import Connection

from . import tables
from ..errors import NetmapError, StorageError

#: PostgreSQL advisory lock ids (any constants), defined here once:
#: every netmap write (netmap/storage/engine.py, and the upgrade below) takes PG_WRITE_LOCK;
#: installing the audit log's triggers (netmap/storage/audit.py) takes PG_AUDIT_LOCK.
PG_WRITE_LOCK = 7_461_227
PG_AUDIT_LOCK = 7_461_228

#: the schema version this netmap writes and understands
CURRENT = 1

#: ``{version: migration}``: ``MIGRATIONS[v](conn)`` turns a database of schema
#: ``v - 1`` into schema ``v``, inside the upgrade's transaction. Keys run
#: 2..CURRENT without gaps (version 1 is the first released schema).
MIGRATIONS: dict[int, Callable[[Connection], None]] = {}

META = tables.meta


def prepare(engine: Engine, *, current: int | None = None,
            migrations: dict[int, Callable[[Connection], None]] | None = None) -> int:
    """Make the database at ``engine`` ready for this netmap; returns the schema
    version it had before (``0``: it was empty).

    ``current`` and ``migrations`` default to :data:`CURRENT` and
    :data:`MIGRATIONS` (tests pass their own).
    """
    current = CURRENT if current is None else current
    migrations = MIGRATIONS if migrations is None else migrations
    _check_chain(current, migrations)
    wanted = set(tables.metadata.tables)
    with engine.connect() as conn:  # the usual case: already current, nothing to do, no lock
        found, have = _state(conn)
        conn.rollback()
    _refuse_newer(found, current, engine)
    if found == current and wanted <= have:
        return found
    with engine.connect().execution_options(netmap_write=True) as conn:  # SQLite: BEGIN IMMEDIATE
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": PG_WRITE_LOCK})
            found, have = _state(conn)  # again: another process may have done it meanwhile
            _refuse_newer(found, current, engine)
            try:
                if found:  # an older schema: each step in order (an empty database needs none)
                    for step in range(found + 1, current + 1):
                        migrations[step](conn)
                tables.metadata.create_all(conn)
                _stamp(conn, found, current)
            except NetmapError:
                raise
            except Exception as exc:
                raise StorageError(
                    f"could not {'upgrade' if found else 'create'} the netmap tables in {_where(engine)} "
                    f"(schema {found or 'none'} to {current}): {exc}; nothing was changed"
                ) from exc
    return found


def version(conn: Connection) -> int:
    """The schema version stored in the database (``0``: no netmap tables yet)."""
    return _state(conn)[0]


def _state(conn: Connection) -> tuple[int, set[str]]:
    have = set(inspect(conn).get_table_names())
    if META.name not in have:
        return 0, have
    value = conn.execute(select(META.c.value).where(META.c.key == "schema")).scalar_one_or_none()
    if value is None:
        return 0, have
    try:
        return int(value), have
    except ValueError:
        raise StorageError(f"the netmap schema version in the database is {value!r}, not a number: "
                           "this is not a database netmap wrote") from None


def _refuse_newer(found: int, current: int, engine: Engine) -> None:
    if found > current:
        raise StorageError(
            f"the database {_where(engine)} has netmap schema version {found}, written by a newer netmap; "
            f"this netmap knows schema versions up to {current}. Update netmap (pull the newer version and "
            f"`pip install -r requirements.txt`) to use it, or point NETMAP_DATABASE_URL / --db at another "
            f"database. Nothing was changed."
        )


def _stamp(conn: Connection, found: int, current: int) -> None:
    have = {k for (k,) in conn.execute(select(META.c.key).where(META.c.key.in_(["schema", "data_version"])))}
    if "schema" in have:
        conn.execute(update(META).where(META.c.key == "schema").values(value=str(current)))
    else:
        conn.execute(insert(META), {"key": "schema", "value": str(current)})
    if "data_version" not in have:
        conn.execute(insert(META), {"key": "data_version", "value": "0"})


def _check_chain(current: int, migrations: dict) -> None:
    expected = set(range(2, current + 1))
    if set(migrations) != expected:
        raise ValueError(f"schema migrations must be numbered 2..{current} without gaps, got {sorted(migrations)}")


def _where(engine: Engine) -> str:
    return engine.url.render_as_string(hide_password=True)
