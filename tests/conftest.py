"""Shared fixtures: an isolated database per test on the backend under test
(``database_url``, ``store``, :func:`new_database_url`), and a one-call import helper.

The backend is chosen per run: ``NETMAP_TEST_BACKEND=sqlite`` (the default) or
``postgresql`` (with ``NETMAP_TEST_POSTGRES_URL``); `.ci/run` runs the suite once
on each. Tests that check the SQLite file itself are marked ``sqlite_only``.
"""

from __future__ import annotations

import os
import time
import uuid
import warnings
from pathlib import Path
from typing import Iterator

import pytest
from hypothesis import settings

from netmap import ImportOptions, Store, import_files, import_paths

# CI replays the same generated examples every run (a red CI must mean a regression, not a
# new random example); local runs keep exploring new ones.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parent.parent


def postgres_url() -> str | None:
    """The PostgreSQL server for the PostgreSQL pass (``NETMAP_TEST_POSTGRES_URL``,
    e.g. ``postgresql+psycopg://netmap:netmap@127.0.0.1:5432/netmap_test``)."""
    return os.environ.get("NETMAP_TEST_POSTGRES_URL")


#: the backend this run tests: ``NETMAP_TEST_BACKEND=sqlite`` (default) or ``postgresql``.
#: `.ci/run` runs the whole suite once per backend; the PostgreSQL pass deselects the
#: tests marked ``sqlite_only`` (checks of the SQLite file itself).
BACKEND = os.environ.get("NETMAP_TEST_BACKEND", "sqlite").strip().lower() or "sqlite"
if BACKEND not in ("sqlite", "postgresql"):
    raise pytest.UsageError(f"NETMAP_TEST_BACKEND must be sqlite or postgresql, not {BACKEND!r}")

_SCHEMA_PREFIX = "nmt_"  # every schema the tests create starts with this
_STALE_AFTER = 6 * 3600  # seconds: schemas of crashed runs older than this are dropped at the next start
_made: dict[str, str] = {}  # URL -> schema, for the ones not dropped yet


def _admin_engine():
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    return create_engine(postgres_url(), poolclass=NullPool, isolation_level="AUTOCOMMIT")


def new_database_url(where: Path | None = None, name: str = "netmap") -> str:
    """An isolated, empty database on the backend under test, as a SQLAlchemy URL.

    Every test that needs a database gets it here (or from the ``database_url``
    fixture, which also cleans up), so the whole suite runs on SQLite or on
    PostgreSQL as ``NETMAP_TEST_BACKEND`` says:

    - ``sqlite``: the file ``where/<name>.db`` (``where``: ``tmp_path``, or a
      ``tmp_path_factory.mktemp(...)`` folder for module-scoped fixtures);
    - ``postgresql``: a new schema ``nmt_<time>_<random>`` in the database of
      ``NETMAP_TEST_POSTGRES_URL``; the URL selects it through libpq's ``options``
      (``?options=-csearch_path%3D<schema>``), so netmap's tables land there and
      tests running at the same time (or two runs at once) never see each other.

    Call :func:`drop_database` when done (the ``database_url`` fixture does); anything
    left over is dropped when the session ends. Locally a missing PostgreSQL server
    skips the test; in CI (``NETMAP_REQUIRE_COMPONENTS``) it fails.
    """
    if BACKEND == "sqlite":
        if where is None:
            raise ValueError("new_database_url needs a folder for the SQLite file (tmp_path)")
        return f"sqlite:///{Path(where) / f'{name}.db'}"
    require("PostgreSQL", postgres_url() is not None,
            "NETMAP_TEST_BACKEND=postgresql needs NETMAP_TEST_POSTGRES_URL (`bash .ci/run` starts a server)")
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    schema = f"{_SCHEMA_PREFIX}{int(time.time())}_{uuid.uuid4().hex[:10]}"
    engine = _admin_engine()
    try:
        with engine.connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    finally:
        engine.dispose()
    base = make_url(postgres_url())
    # application_name marks the connections, so drop_database can end them first
    url = base.update_query_dict({"options": f"-csearch_path={schema}", "application_name": schema})
    rendered = url.render_as_string(hide_password=False)
    _made[rendered] = schema
    return rendered


def drop_database(url: str) -> None:
    """Remove a database made by :func:`new_database_url` (PostgreSQL: end the
    connections still open on its schema, then drop it; SQLite: pytest removes
    the temporary folder)."""
    schema = _made.pop(url, None)
    if schema is None:
        return
    _drop_schemas([schema])


def _drop_schemas(schemas: list[str]) -> None:
    from sqlalchemy import text

    if not schemas:
        return
    engine = _admin_engine()
    try:
        with engine.connect() as conn:
            conn.execute(text("SET lock_timeout = '20s'"))  # never hang a teardown: a stale schema goes next run
            conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                              "WHERE application_name = ANY(:s) AND pid <> pg_backend_pid()"), {"s": schemas})
            for schema in schemas:
                try:
                    conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
                except Exception as exc:  # noqa: BLE001 - cleanup only; reported, not fatal
                    warnings.warn(f"could not drop test schema {schema}: {exc}", stacklevel=2)
    finally:
        engine.dispose()


def _drop_stale_schemas() -> None:
    """Schemas a crashed run left behind (older than a few hours: never a running run's)."""
    from sqlalchemy import text

    engine = _admin_engine()
    try:
        with engine.connect() as conn:
            names = conn.execute(text("SELECT nspname FROM pg_namespace WHERE starts_with(nspname, :p)"),
                                 {"p": _SCHEMA_PREFIX}).scalars().all()
    finally:
        engine.dispose()
    now = time.time()
    stale = []
    for n in names:
        stamp = n[len(_SCHEMA_PREFIX):].split("_", 1)[0]
        if stamp.isdigit() and now - int(stamp) > _STALE_AFTER:
            stale.append(n)
    _drop_schemas(stale)


def pytest_sessionstart(session):
    if BACKEND == "postgresql" and postgres_url():
        _drop_stale_schemas()


def pytest_sessionfinish(session, exitstatus):
    if _made:
        _drop_schemas(list(_made.values()))
        _made.clear()


def pytest_report_header(config):
    where = ""
    if BACKEND == "postgresql" and postgres_url():
        from sqlalchemy.engine import make_url

        where = f" ({make_url(postgres_url()).render_as_string(hide_password=True)}, a schema per test)"
    return f"netmap test backend: {BACKEND}{where}"


@pytest.fixture
def database_url(tmp_path) -> Iterator[str]:
    """An isolated, empty database URL on the backend under test (see
    :func:`new_database_url`); dropped after the test. Typical use::

        def test_something(database_url, monkeypatch):
            store = Store(database_url)                                  # the library
            monkeypatch.setenv("NETMAP_DATABASE_URL", database_url)      # the app
            main(["--db", database_url, "summary"])                      # the CLI
    """
    url = new_database_url(tmp_path)
    yield url
    drop_database(url)


@pytest.fixture
def another_database(tmp_path) -> Iterator:
    """For a test that needs more than one database: ``another_database("cli")``
    returns a new isolated URL each call (all dropped after the test)."""
    urls: list[str] = []

    def make(name: str = "other") -> str:
        urls.append(new_database_url(tmp_path, f"{name}-{len(urls) + 1}"))
        return urls[-1]

    yield make
    for url in urls:
        drop_database(url)


@pytest.fixture
def store(database_url) -> Iterator[Store]:
    """A :class:`Store` on an empty database of the backend under test."""
    s = Store(database_url)
    yield s
    s.close()


def load(store: Store, *files: tuple[str, str | bytes], **options):
    """Import ``(name, text or bytes)`` pairs together; returns the ImportReport."""
    dry_run = options.pop("dry_run", False)
    sources = [(name, body.encode("utf-8") if isinstance(body, str) else body) for name, body in files]
    return import_files(store, sources, ImportOptions(**options), dry_run=dry_run)


def snapshot(store: Store) -> dict:
    """Everything countable about a store, to prove nothing was written."""
    s = store.summary()
    s.pop("last_import", None)
    return {**s, "log": len(store.imports())}


def dump_tables(db: Store | str) -> dict[str, list[tuple]]:
    """Every row of every table in the database (``db``: a Store or a URL), on
    either backend: ``{table: sorted rows}``. Proves "nothing was written" and
    "nothing of them is left" without looking at a SQLite file."""
    from sqlalchemy import create_engine, inspect, text
    from sqlalchemy.pool import NullPool

    engine = db.engine if isinstance(db, Store) else create_engine(db, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            out = {}
            for table in sorted(inspect(conn).get_table_names()):
                rows = conn.execute(text(f'SELECT * FROM "{table}"')).all()
                out[table] = sorted((tuple(r) for r in rows), key=repr)
            return out
    finally:
        if not isinstance(db, Store):
            engine.dispose()


def stored_strings(db: Store | str, tables: tuple[str, ...] | None = None) -> list[str]:
    """Every text value stored (in ``tables``, else in every table), on either backend."""
    dump = dump_tables(db)
    return [v for name, rows in dump.items() if tables is None or name in tables for row in rows for v in row
            if isinstance(v, str)]


def check_integrity(url: str) -> None:
    """The database is sound: SQLite's integrity and foreign-key checks pass; on
    PostgreSQL (which enforces both itself) no session on this database is left
    holding netmap's write lock or an open transaction."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as conn:
            if url.startswith("sqlite"):
                assert conn.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
                assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
            else:
                from netmap.storage.schema import PG_WRITE_LOCK as _PG_LOCK

                name = conn.execute(text("SHOW application_name")).scalar()
                deadline = time.monotonic() + 15  # a killed client's server process may take a moment to go
                while True:
                    left = conn.execute(text(
                        "SELECT pid, state FROM pg_stat_activity WHERE application_name = :n "
                        "AND pid <> pg_backend_pid() AND (state LIKE 'idle in transaction%' OR pid IN "
                        "(SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND objid = :k AND granted))"
                    ), {"n": name, "k": _PG_LOCK}).all()
                    if not left or time.monotonic() > deadline:
                        break
                    time.sleep(0.2)
                assert left == [], f"sessions left holding a transaction or netmap's lock: {left}"
    finally:
        engine.dispose()


def require(component: str, available: bool, how: str) -> None:
    """Skip a test whose component is missing locally; fail in CI, where
    `.ci/run` installs every component (NETMAP_REQUIRE_COMPONENTS is set)."""
    if available:
        return
    message = f"{component} is not available: {how}"
    if os.environ.get("NETMAP_REQUIRE_COMPONENTS"):
        pytest.fail(f"{message} (CI must run this test for real)")
    pytest.skip(message)


# ------------------------------------------------------------------ the app


def sample_database(tmp_path_factory, name: str = "app") -> str:
    """The URL of a database (backend under test) with the sample company imported;
    for a module-scoped fixture: ``yield`` it, then :func:`drop_database` it."""
    from netmap.cli import sample_files

    url = new_database_url(tmp_path_factory.mktemp(name), "app")
    s = Store(url)
    import_paths(s, sample_files())
    s.close()
    return url


#: an ``[auth]`` section that turns sign-in on in AppTest (``at.secrets``); nothing is contacted
AUTH = {
    "redirect_uri": "http://localhost:8501/oauth2callback",
    "cookie_secret": "a-long-random-test-secret",
    "client_id": "netmap-test",
    "client_secret": "not-a-secret",
    "server_metadata_url": "https://idp.example.test/.well-known/openid-configuration",
}
ADMIN = "admin@team.test"
READER = "reader@team.test"


def signed_app(page: str | None = None, *, user: dict | None = None, admins=(ADMIN,), person: int | None = None):
    """The app headless (AppTest, on ``$NETMAP_DATABASE_URL``) with sign-in configured and
    ``user`` signed in, or sign-in off (``user=None``); on ``page``, at ``?id=person``."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    if user is not None:
        at.secrets["auth"] = dict(AUTH)
        at.secrets["netmap"] = {"admins": list(admins)}
        at.user = user
    if person is not None:
        at.query_params["id"] = str(person)
    at.run()
    assert not at.exception, at.exception
    if page is not None:
        at.switch_page(page).run()
        assert not at.exception, at.exception
    return at


def open_app(monkeypatch, db: str | Path, page: str | None = None):
    """Run the app headless (AppTest) on database ``db`` (a URL, e.g. from
    ``database_url``), optionally switched to ``page`` (e.g. ``"pages/nurture.py"``)."""
    from streamlit.testing.v1 import AppTest

    if not (isinstance(db, str) and "://" in db):
        raise TypeError(f"open_app takes a database URL (see database_url), not {db!r}")
    monkeypatch.setenv("NETMAP_DATABASE_URL", db)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    if page is not None:
        at.switch_page(page).run()
    assert not at.exception, at.exception
    return at


@pytest.fixture
def downloads(monkeypatch) -> dict:
    """Every st.download_button's file, by key (AppTest cannot click through to the file)."""
    import streamlit as st

    got: dict[str, tuple[str, bytes]] = {}
    real = st.download_button

    def record(label, data, *args, **kwargs):  # a callable is what a click runs
        got[kwargs.get("key")] = (kwargs.get("file_name"), data() if callable(data) else data)
        return real(label, data, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", record)
    return got
