"""Shared fixtures: a fresh store per test, and a one-call import helper."""

from __future__ import annotations

import os
from pathlib import Path

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
    """A PostgreSQL URL for the whole suite, when CI (or a developer) gives one."""
    return os.environ.get("NETMAP_TEST_POSTGRES_URL")


BACKENDS = ["sqlite"] + (["postgresql"] if postgres_url() else [])


def fresh_postgres(url: str) -> Store:
    """An empty schema in the test PostgreSQL database."""
    from sqlalchemy import create_engine
    from sqlmodel import SQLModel

    import netmap.tables  # noqa: F401  -- registers the tables on SQLModel.metadata

    engine = create_engine(url)
    SQLModel.metadata.drop_all(engine)
    engine.dispose()
    return Store(url)


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path) -> Store:
    """An empty database: a SQLite file in a temporary folder, and (when
    NETMAP_TEST_POSTGRES_URL is set, as in CI) the same tests on PostgreSQL."""
    if request.param == "postgresql":
        s = fresh_postgres(postgres_url())
    else:
        s = Store(f"sqlite:///{tmp_path / 'netmap.db'}")
    yield s
    s.close()


@pytest.fixture
def db_path(tmp_path) -> Path:
    return tmp_path / "netmap.db"


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


def sample_database(tmp_path_factory, name: str = "app") -> Path:
    """A SQLite file with the sample company imported (one per test module)."""
    from netmap.cli import sample_files

    path = tmp_path_factory.mktemp(name) / "app.db"
    s = Store(f"sqlite:///{path}")
    import_paths(s, sample_files())
    s.close()
    return path


def open_app(monkeypatch, db: str | Path, page: str | None = None):
    """Run the app headless (AppTest) on database ``db`` (a URL or a SQLite
    path), optionally switched to ``page`` (e.g. ``"pages/nurture.py"``)."""
    from streamlit.testing.v1 import AppTest

    url = db if isinstance(db, str) and "://" in db else f"sqlite:///{db}"
    monkeypatch.setenv("NETMAP_DATABASE_URL", url)
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

    def record(label, data, *args, **kwargs):
        got[kwargs.get("key")] = (kwargs.get("file_name"), data)
        return real(label, data, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", record)
    return got
