"""The real components the suite needs: present in CI, skipped with a reason elsewhere."""

from __future__ import annotations

import shutil

from .conftest import BACKEND, postgres_url, require


def test_postgresql_backend_is_configured():
    require("PostgreSQL", postgres_url() is not None, "set NETMAP_TEST_POSTGRES_URL (`bash .ci/run` starts a server)")


def test_chromium_is_installed():
    require("Chromium", shutil.which("chromium") is not None, "apt-get install chromium (`bash .ci/run` does)")


def test_the_suite_runs_on_the_backend_it_was_asked_for(store):
    """NETMAP_TEST_BACKEND is honoured: no silent fall-back to SQLite."""
    assert store.engine.dialect.name == BACKEND
    if BACKEND == "postgresql":
        with store.engine.connect() as conn:  # each test in its own schema, not in the shared public one
            assert conn.exec_driver_sql("SELECT current_schema()").scalar().startswith("nmt_")
