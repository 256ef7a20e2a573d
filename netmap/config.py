"""Settings: where the database lives and how much input netmap accepts.

Only the shell (CLI, app, store factory) reads the environment; the parsing and
analysis functions take these values as arguments.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass
from pathlib import Path

#: The folder with the sample company and, by default, the SQLite database.
DATA_DIR = Path(__file__).resolve().parent.parent / "data"
SAMPLE_DIR = DATA_DIR / "sample"
DEFAULT_DATABASE_URL = f"sqlite:///{DATA_DIR / 'netmap.db'}"


def database_url(explicit: str | None = None) -> str:
    """The database to use: ``--db`` if given, else ``NETMAP_DATABASE_URL``, else
    a SQLite file ``data/netmap.db`` in the project folder.

    A value without ``://`` is a path to a SQLite file (``--db company.db``), as
    people write it; anything else is a SQLAlchemy URL."""
    url = explicit or os.environ.get("NETMAP_DATABASE_URL") or DEFAULT_DATABASE_URL
    return url if "://" in url else f"sqlite:///{Path(url).expanduser().resolve()}"


@dataclass(frozen=True)
class Limits:
    """How much one input may hold, and what it may unpack to.

    The size of a file is checked before it is parsed; what it unpacks to is
    checked from the archive's directory before anything is unpacked (a zip
    member's or a workbook sheet's declared size), then counted while it is read
    (bytes, rows, columns, cells), so a refusal comes at the first byte, row or
    cell over a limit. The defaults suit a company of a million people; lower
    them for a shared server with the environment variables named below.
    """

    #: bytes per file as uploaded (``NETMAP_MAX_FILE_MB``)
    max_bytes: int = 200 * 1024 * 1024
    #: data rows per table: a CSV, a sheet, a CSV in a zip (``NETMAP_MAX_ROWS``)
    max_rows: int = 2_000_000
    max_field_chars: int = 100_000
    #: bytes one zip member or workbook sheet may unpack to (``NETMAP_MAX_MEMBER_MB``);
    #: ``None``: the same as ``max_bytes``, so a zip holds no more than a plain CSV may
    max_member_bytes: int | None = None
    #: columns per table (``NETMAP_MAX_COLUMNS``)
    max_columns: int = 2_000
    #: cells (each row's fields, as read) per file, all its sheets or members together
    #: (``NETMAP_MAX_CELLS``): a million people with 20 columns
    max_cells: int = 20_000_000
    #: an XLSX or zip is refused if it would unpack to more than this in all ...
    max_unpacked_bytes: int = 1024 * 1024 * 1024
    #: ... or if any member is compressed more than this (zip bombs reach 1000:1)
    max_compression_ratio: int = 200
    #: the parts of a workbook that are parsed whole rather than streamed (styles,
    #: the workbook, relationships, properties, theme): real ones are a few KB
    max_part_bytes: int = 16 * 1024 * 1024

    @property
    def member_bytes(self) -> int:
        """What one zip member or workbook sheet may unpack to."""
        return self.max_bytes if self.max_member_bytes is None else self.max_member_bytes

    @classmethod
    def from_env(cls) -> "Limits":
        """The defaults, with ``NETMAP_MAX_FILE_MB``, ``NETMAP_MAX_MEMBER_MB``,
        ``NETMAP_MAX_ROWS``, ``NETMAP_MAX_COLUMNS`` and ``NETMAP_MAX_CELLS`` applied."""
        kwargs = {}
        for var, key, scale in (
            ("NETMAP_MAX_FILE_MB", "max_bytes", 1024 * 1024),
            ("NETMAP_MAX_MEMBER_MB", "max_member_bytes", 1024 * 1024),
            ("NETMAP_MAX_ROWS", "max_rows", 1),
            ("NETMAP_MAX_COLUMNS", "max_columns", 1),
            ("NETMAP_MAX_CELLS", "max_cells", 1),
        ):
            value = os.environ.get(var)
            if value:
                kwargs[key] = int(float(value) * scale) if scale > 1 else int(value)
        return cls(**kwargs)


#: How long a sign-in lasts, in hours, unless ``NETMAP_SESSION_HOURS`` says otherwise:
#: serve.py refuses a sign-in cookie older than this (Streamlit's own cookie lasts 30 days).
SESSION_HOURS = 12.0
#: How many MB of uploaded files one browser session may hold on the server at once, unless
#: ``NETMAP_UPLOAD_BUDGET_MB`` says otherwise (serve.py refuses an upload past it).
UPLOAD_BUDGET_MB = 400.0


def session_seconds(environ: dict | None = None) -> int:
    """The sign-in lifetime in seconds (``NETMAP_SESSION_HOURS``, else :data:`SESSION_HOURS`)."""
    return int(_positive("NETMAP_SESSION_HOURS", SESSION_HOURS, environ) * 3600)


def upload_budget_bytes(environ: dict | None = None) -> int:
    """The upload budget per browser session in bytes (``NETMAP_UPLOAD_BUDGET_MB``, else
    :data:`UPLOAD_BUDGET_MB`)."""
    return int(_positive("NETMAP_UPLOAD_BUDGET_MB", UPLOAD_BUDGET_MB, environ) * 1024 * 1024)


def _positive(name: str, default: float, environ: dict | None) -> float:
    raw = (os.environ if environ is None else environ).get(name, "").strip()
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(f"{name} must be a number, not {raw!r}") from None
    if not value > 0 or value == float("inf"):
        raise ValueError(f"{name} must be a positive number, not {raw!r}")
    return value


def local_actor(user: str | None = None) -> str:
    """The actor for a single local user: ``local:<os user>`` (``local`` when
    the operating system names nobody)."""
    if user is None:
        try:
            user = getpass.getuser()
        except (OSError, KeyError, ImportError):  # no login name, no passwd entry
            user = ""
    user = (user or "").strip()
    return f"local:{user}" if user else "local"
