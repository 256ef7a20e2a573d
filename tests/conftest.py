"""Shared fixtures: a fresh store per test, and a one-call import helper."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from netmap import ImportOptions, Store, import_files

ROOT = Path(__file__).resolve().parent.parent


def postgres_url() -> str | None:
    """A PostgreSQL URL for the whole suite, when CI (or a developer) gives one."""
    return os.environ.get("NETMAP_TEST_POSTGRES_URL")


@pytest.fixture
def store(tmp_path) -> Store:
    """An empty database: a SQLite file in a temporary folder."""
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
