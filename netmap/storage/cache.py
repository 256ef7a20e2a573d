"""The data version and the measures cache.

Every write that changes the data bumps the data version (:func:`bump`, which also
empties the ``measure_cache`` table); what the analysis computed (netmap/analysis.py)
and the summary's tie count (netmap/storage/reads.py) are kept per data version in
that table, one result per kind, and read back only while the version is the same
(:func:`cached`, :func:`is_cached`). :func:`cache` keeps a result only if no other
writer holds the database at that moment (netmap/storage/engine.py
``writing_if_free``): a read never waits for an import.
"""

from __future__ import annotations

from sqlalchemy import Engine, delete, insert, select, update
from sqlalchemy.engine import Connection

from .engine import writing_if_free
from .tables import measure_cache as MEAS
from .tables import meta as META


def data_version(conn: Connection) -> int:
    """The data version, counted up by every write that changes the data."""
    return int(conn.execute(select(META.c.value).where(META.c.key == "data_version")).scalar_one())


def bump(conn: Connection) -> None:
    """Count the data version up and forget every cached result (inside a write transaction)."""
    conn.execute(update(META).where(META.c.key == "data_version").values(value=str(data_version(conn) + 1)))
    conn.execute(delete(MEAS))


def cached(engine: Engine, name: str) -> bytes | None:
    """A cached analysis result, if it was computed from the current data."""
    with engine.connect() as conn:
        version = data_version(conn)
        row = conn.execute(select(MEAS.c.payload, MEAS.c.data_version).where(MEAS.c.name == name)).first()
    return row[0] if row is not None and row[1] == version else None


def is_cached(engine: Engine, name: str) -> bool:
    """Whether :func:`cached` would return a result, without reading it."""
    with engine.connect() as conn:
        version = data_version(conn)
        stored = conn.execute(select(MEAS.c.data_version).where(MEAS.c.name == name)).scalar_one_or_none()
    return stored is not None and stored == version


def cache(engine: Engine, name: str, payload: bytes, version: int) -> bool:
    """Keep an analysis result computed from data version ``version``, if no other
    writer holds the database right now (else nothing is kept, and the next reader
    computes it again): reads never wait for the write lock. Whether it was kept."""
    with writing_if_free(engine, engine.dialect.name == "sqlite") as conn:
        if conn is None:
            return False
        if data_version(conn) != version:
            return False  # the data changed meanwhile: the result is already stale
        # one result per kind ("analysis/<code fingerprint>", "summary/ties"): older code versions' go
        kind = name.split("/", 1)[0] + "/"
        conn.execute(delete(MEAS).where((MEAS.c.name == name) | MEAS.c.name.startswith(kind, autoescape=True)))
        conn.execute(insert(MEAS), {"name": name, "data_version": version, "payload": payload})
    return True
