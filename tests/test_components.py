"""The real components the suite needs: present in CI, skipped with a reason elsewhere."""

from __future__ import annotations

import shutil

from .conftest import postgres_url, require


def test_postgresql_backend_is_configured():
    require("PostgreSQL", postgres_url() is not None, "set NETMAP_TEST_POSTGRES_URL (`bash .ci/run` starts a server)")


def test_chromium_is_installed():
    require("Chromium", shutil.which("chromium") is not None, "apt-get install chromium (`bash .ci/run` does)")
