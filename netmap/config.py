"""Settings: where the database lives and how much input netmap accepts.

Only the shell (CLI, app, store factory) reads the environment; the parsing and
analysis functions take these values as arguments.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

#: The folder with the sample company and, by default, the SQLite database.
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
SAMPLE_DIR = DATA_DIR / "sample"
DEFAULT_DATABASE_URL = f"sqlite:///{DATA_DIR / 'netmap.db'}"


def database_url(explicit: str | None = None) -> str:
    """The database to use: ``--db`` if given, else ``NETMAP_DATABASE_URL``, else
    a SQLite file ``data/netmap.db`` in the project folder."""
    return explicit or os.environ.get("NETMAP_DATABASE_URL") or DEFAULT_DATABASE_URL


@dataclass(frozen=True)
class Limits:
    """How much one input may hold; checked before a file is parsed.

    The defaults suit a company of a million people; lower them for a shared
    server with ``NETMAP_MAX_FILE_MB`` / ``NETMAP_MAX_ROWS``.
    """

    max_bytes: int = 200 * 1024 * 1024
    max_rows: int = 2_000_000
    max_field_chars: int = 100_000
    #: an XLSX is a zip: refuse it if it would unpack to more than this
    max_unpacked_bytes: int = 1024 * 1024 * 1024
    #: ... or if any member is compressed more than this (zip bombs reach 1000:1)
    max_compression_ratio: int = 200

    @classmethod
    def from_env(cls) -> "Limits":
        mb = os.environ.get("NETMAP_MAX_FILE_MB")
        rows = os.environ.get("NETMAP_MAX_ROWS")
        kwargs = {}
        if mb:
            kwargs["max_bytes"] = int(float(mb) * 1024 * 1024)
        if rows:
            kwargs["max_rows"] = int(rows)
        return cls(**kwargs)
