"""Schema versions (netmap/storage/schema.py): created on first start, upgraded in place, a newer one refused.

Runs on the backend under test (``NETMAP_TEST_BACKEND``), like the rest of the suite.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.pool import NullPool
from sqlalchemy.schema import CreateIndex, CreateTable

import netmap.storage.schema as schema
from netmap.storage import tables
from netmap import StorageError, Store
from netmap.cli import main

from .conftest import dump_tables, load

PEOPLE = "Record ID,Name,Email\n1,Ann Lee,ann@acme.com\n2,Bob Stone,bob@acme.com\n"


def stored_version(url: str) -> str | None:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT value FROM meta WHERE key = 'schema'")).scalar()
    finally:
        engine.dispose()


def run_sql(url: str, *statements: str) -> None:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.begin() as conn:
            for s in statements:
                conn.execute(text(s))
    finally:
        engine.dispose()


def table_names(url: str) -> set[str]:
    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            return set(inspect(conn).get_table_names())
    finally:
        engine.dispose()


SCHEMA_V1 = Path(__file__).parent / "data" / "schema_v1.sql"
#: the tables schema 1 was released with; tables added since need no migration (netmap/storage/schema.py)
SCHEMA_V1_TABLES = frozenset({
    "audit", "import_log", "interaction", "measure_cache", "meta", "person", "feedback", "identifier",
    "import_change", "participation", "referral", "relationship", "review",
})
#: tables added since schema 1 (created by ``create_all`` on the next start), each with why
ADDED_TABLES = {
    "ticket": "issue 15: support tickets (netmap/storage/tables.py Ticket)",
    "nurture_action": "issue 15: the nurture log (netmap/storage/tables.py NurtureAction)",
}


def schema_1_tables():
    return [t for t in tables.metadata.sorted_tables if t.name in SCHEMA_V1_TABLES]


def schema_ddl() -> list[str]:
    """Every CREATE TABLE and CREATE INDEX netmap issues, for SQLite then PostgreSQL."""
    ddl = []
    for dialect in (sqlite.dialect(), postgresql.dialect()):
        for table in schema_1_tables():
            ddl.append(str(CreateTable(table).compile(dialect=dialect)).strip())
            ddl += [str(CreateIndex(ix).compile(dialect=dialect)).strip()
                    for ix in sorted(table.indexes, key=lambda ix: ix.name)]
    return ddl


def test_the_tables_are_schema_1_as_released():
    """The tables are declared in SQLAlchemy Core since sqlmodel left the stack: they must
    still create exactly what schema 1 created (DDL recorded from the sqlmodel classes), or
    databases written before would differ from new ones without a migration saying so."""
    recorded = [line for line in SCHEMA_V1.read_text().splitlines() if not line.startswith("--")]
    assert "\n".join(schema_ddl()).splitlines() == recorded
    assert schema.CURRENT == 1  # a new schema version: record its DDL beside this one


#: what the DDL does not show, as the sqlmodel classes of schema 1 had it: Python-side
#: defaults, and which timestamps come back in UTC (UTCDateTime) rather than as stored
SCHEMA_V1_PYTHON_SIDE = {
    "person.listed": False, "relationship.kind": "", "feedback.scale": "nps", "import_log.rows_read": 0,
    "import_log.added": 0, "import_log.updated": 0, "import_log.refused": 0, "import_log.warnings": 0,
    "import_log.details_json": "{}", "audit.counts": "{}",
}
SCHEMA_V1_UTC = {"import_log.created_at", "import_log.undone_at"}


def test_the_python_side_of_the_tables_is_schema_1_as_released():
    defaults = {f"{t.name}.{c.key}": c.default.arg for t in schema_1_tables() for c in t.columns
                if c.default is not None}
    assert defaults == SCHEMA_V1_PYTHON_SIDE
    utc = {f"{t.name}.{c.key}" for t in schema_1_tables() for c in t.columns
           if isinstance(c.type, tables.UTCDateTime)}
    assert utc == SCHEMA_V1_UTC


def test_every_table_is_of_schema_1_or_listed_as_added_since():
    """A new table needs no migration, but it is named here: a table that appears
    unnoticed (or a schema-1 table renamed) fails this test."""
    assert set(tables.metadata.tables) == SCHEMA_V1_TABLES | set(ADDED_TABLES)


def test_a_fresh_database_gets_every_table_and_the_current_version(database_url):
    assert table_names(database_url) == set()
    store = Store(database_url)
    assert stored_version(database_url) == str(schema.CURRENT)
    assert set(tables.metadata.tables) <= table_names(database_url)
    assert store.data_version() == 0 and store.summary()["people"] == 0
    with store.engine.connect() as conn:
        assert schema.version(conn) == schema.CURRENT
    assert schema.prepare(store.engine) == schema.CURRENT  # already current: nothing to do
    store.close()


def test_the_migrations_are_numbered_without_gaps():
    assert sorted(schema.MIGRATIONS) == list(range(2, schema.CURRENT + 1))


def test_an_older_database_is_upgraded_in_place_once(database_url, monkeypatch):
    old = Store(database_url)  # a database of today's schema ...
    load(old, ("p.csv", PEOPLE))
    old.close()
    ran: list[int] = []

    def to_next(conn):  # ... and the next netmap adds a column and fills it
        ran.append(1)
        conn.execute(text("ALTER TABLE person ADD COLUMN nickname VARCHAR"))
        conn.execute(text("UPDATE person SET nickname = 'nick-' || crm_id"))

    nxt = schema.CURRENT + 1
    monkeypatch.setattr(schema, "CURRENT", nxt)
    monkeypatch.setattr(schema, "MIGRATIONS", {**schema.MIGRATIONS, nxt: to_next})
    store = Store(database_url)
    assert ran == [1] and stored_version(database_url) == str(nxt)
    with store.engine.connect() as conn:
        assert sorted(conn.execute(text("SELECT nickname FROM person")).scalars()) == ["nick-1", "nick-2"]
    assert {p.name for p in store.load_dataset().people} == {"Ann Lee", "Bob Stone"}  # the data came through
    load(store, ("p2.csv", "Record ID,Name\n3,Cy\n"))  # and the upgraded database takes new imports
    assert store.summary()["people"] == 3
    store.close()
    Store(database_url).close()  # the next start finds it current: the migration does not run again
    assert ran == [1]


def test_a_failed_upgrade_changes_nothing(database_url, monkeypatch):
    old = Store(database_url)
    load(old, ("p.csv", PEOPLE))
    before = dump_tables(old)
    old.close()

    def broken(conn):
        conn.execute(text("ALTER TABLE person ADD COLUMN nickname VARCHAR"))
        conn.execute(text("UPDATE person SET nickname = 'x'"))
        raise RuntimeError("a bug in the migration")

    nxt = schema.CURRENT + 1
    monkeypatch.setattr(schema, "CURRENT", nxt)
    monkeypatch.setattr(schema, "MIGRATIONS", {**schema.MIGRATIONS, nxt: broken})
    with pytest.raises(StorageError, match=rf"schema {nxt - 1} to {nxt}.*a bug in the migration.*nothing was changed"):
        Store(database_url)
    monkeypatch.undo()
    assert stored_version(database_url) == str(schema.CURRENT)
    store = Store(database_url)
    assert dump_tables(store) == before  # not even the new column: the upgrade is one transaction
    store.close()


def test_a_missing_table_is_created_at_start(database_url):
    Store(database_url).close()
    run_sql(database_url, "DROP TABLE measure_cache")
    store = Store(database_url)
    assert "measure_cache" in table_names(database_url)
    store.cache("x", b"payload", store.data_version())
    assert store.cached("x") == b"payload"
    store.close()


def test_a_newer_netmaps_database_is_refused_untouched(database_url, capsys):
    store = Store(database_url)
    load(store, ("p.csv", PEOPLE))
    store.close()
    newer = schema.CURRENT + 1
    run_sql(database_url, f"UPDATE meta SET value = '{newer}' WHERE key = 'schema'", "DROP TABLE measure_cache")
    with pytest.raises(StorageError) as refused:
        Store(database_url)
    message = str(refused.value)
    assert f"schema version {newer}" in message and "newer netmap" in message
    assert f"up to {schema.CURRENT}" in message and "Update netmap" in message and "Nothing was changed" in message
    assert "measure_cache" not in table_names(database_url)  # not even a missing table was created
    assert stored_version(database_url) == str(newer)
    # the command line says the same, without a traceback
    assert main(["--db", database_url, "summary"]) == 2
    err = capsys.readouterr().err
    assert "newer netmap" in err and "Traceback" not in err


def test_a_version_that_is_not_a_number_is_refused(database_url):
    Store(database_url).close()
    run_sql(database_url, "UPDATE meta SET value = 'banana' WHERE key = 'schema'")
    with pytest.raises(StorageError, match="'banana', not a number"):
        Store(database_url)


def test_write_ahead_log_mode_waits_for_a_lock_instead_of_failing(tmp_path):
    """Switching a new SQLite file to WAL mode fails at once ("database is locked",
    no busy timeout) while another connection holds a lock: a store starting beside
    another one on a new database hit it in CI. It waits for the lock instead."""
    import sqlite3
    import time

    from netmap.storage.engine import _use_wal

    def locked(name: str) -> sqlite3.Connection:  # a connection holding the new file's write lock
        conn = sqlite3.connect(tmp_path / name, isolation_level=None, check_same_thread=False)
        conn.execute("CREATE TABLE t (x)")
        conn.execute("BEGIN IMMEDIATE")
        conn.execute("INSERT INTO t VALUES (1)")
        return conn

    holder = locked("new.db")
    other = sqlite3.connect(tmp_path / "new.db", isolation_level=None, timeout=0.05)
    with pytest.raises(sqlite3.OperationalError, match="locked"):  # what SQLite itself does
        other.execute("PRAGMA journal_mode=WAL")
    threading.Timer(0.3, holder.commit).start()
    started = time.monotonic()
    _use_wal(other.cursor())
    assert time.monotonic() - started >= 0.2
    assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"

    stuck = locked("stuck.db")  # a lock that is never let go: it gives up after its wait
    late = sqlite3.connect(tmp_path / "stuck.db", isolation_level=None, timeout=0.05)
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        _use_wal(late.cursor(), wait_s=0.2)
    for conn in (holder, other, stuck, late):
        conn.close()


def test_several_processes_starting_on_an_empty_database_at_once(database_url):
    """Four stores start together on an empty database: one creates the tables, the
    others wait and find them; none fails."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(4)

    def start():
        try:
            barrier.wait()
            Store(database_url).close()
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=start) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert stored_version(database_url) == str(schema.CURRENT)
    store = Store(database_url)
    assert store.data_version() == 0
    load(store, ("p.csv", PEOPLE))
    assert store.summary()["people"] == 2
    store.close()
