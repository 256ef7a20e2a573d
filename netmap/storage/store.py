"""Durable storage: a SQLite file by default, any SQLAlchemy URL by one setting.

:class:`Store` is the way in to the database: every method hands on to the module of
netmap/storage/ that owns its job (netmap/storage/__init__.py lists them). The reads, the
people and the cache are loaded with the store (an answer needs nothing else); the import
writer, undo, erasure, merges and the nurture log when first used.
"""

from __future__ import annotations

import importlib
from contextlib import contextmanager
from datetime import date
from typing import TYPE_CHECKING, Iterator

from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError  # noqa: F401  (netmap/ingest/importer.py's)

from .. import config
from ..model import Dataset, Feedback
from . import audit, cache, engine, people, reads, schema

if TYPE_CHECKING:  # the writer (and identity resolution under it) loads with the first import
    from ..ingest.identity import PeopleIndex, Resolution
    from .writer import FileMeta, FileResult


def _later(module: str):
    """A module of netmap/storage/ loaded when first used (the writer, undo, erasure, merges, the nurture log)."""
    return importlib.import_module(f"{__package__}.{module}")


class Store:
    """The netmap database. ``Store(url)``; ``url=None`` uses :func:`config.database_url`."""

    def __init__(self, url: str | None = None):
        self.url = config.database_url(url)
        self.engine = engine.make_engine(self.url)
        self.is_sqlite = self.url.startswith("sqlite")
        schema.prepare(self.engine)  # create the tables, or upgrade an older schema; refuse a newer netmap's
        audit.ensure(self.engine)  # the audit log's append-only triggers (idempotent; a read when in place)

    def close(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------ transactions
    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """One write transaction, serialised against other writers (:func:`netmap.storage.engine.writing`):
        raises :class:`netmap.errors.DatabaseBusy` after 30 s of waiting, nothing written."""
        with engine.writing(self.engine, self.is_sqlite) as conn:
            yield conn

    def data_version(self, conn: Connection | None = None) -> int:
        """The data version (netmap/storage/cache.py), counted up by every write that changes the data."""
        if conn is None:
            with self.engine.connect() as c:
                return cache.data_version(c)
        return cache.data_version(conn)

    def _bump(self, conn: Connection) -> None:
        cache.bump(conn)

    # ----------------------------------------------------------------- import
    def people_index(self, conn: Connection) -> PeopleIndex:
        return _later("writer").people_index(conn)

    def apply(self, conn: Connection, resolution: Resolution, files: list[FileMeta]) -> list[FileResult]:
        """Write one resolved import inside ``conn``'s transaction (:func:`netmap.storage.writer.apply`)."""
        return _later("writer").apply(self, conn, resolution, files)

    # ------------------------------------------------- reads (netmap/storage/reads.py)
    def imports(self) -> list[dict]:
        """The files imported, newest first (merges and keep-apart decisions: :meth:`decisions`)."""
        return reads.imports(self.engine)

    def reviews(self) -> list[dict]:
        """Likely duplicates waiting for a person's decision."""
        return reads.reviews(self.engine)

    def find_person(self, who: str, conn: Connection | None = None, *, by_name: bool = True) -> int:
        """The person id WHO names: a CRM id, an email, or an unambiguous name."""
        return reads.find_person(self.engine, who, conn, by_name=by_name)

    def resolve_one(self, who: str) -> int:
        """The one person ``who`` names (``#id``, CRM id, email or name), for an action that must not hit a bystander."""
        return reads.resolve_one(self.engine, who)

    def team_members(self) -> list[str]:
        return reads.team_members(self.engine)

    def has_people(self) -> bool:
        return reads.has_people(self.engine)

    def has_tickets(self) -> bool:
        return reads.has_tickets(self.engine)

    def summary(self) -> dict:
        """Key figures: people, customers, ties, referrals, feedback, imports ..."""
        return reads.summary(self.engine)

    def load_dataset(self) -> Dataset:
        """Everything the analysis needs, as plain values (netmap/model.py)."""
        return reads.load_dataset(self.engine)

    def load_neighbourhood(self, person_id: int) -> Dataset:
        """The part of the data that makes ``person_id``'s ties."""
        return reads.load_neighbourhood(self.engine, person_id)

    def answers(self) -> tuple[Feedback, ...]:
        """Every survey answer (without comments), in the order they were recorded."""
        return reads.answers(self.engine)

    def referral_dates(self) -> list[tuple]:
        """Every referral as ``(referrer id, date or None)``."""
        return reads.referral_dates(self.engine)

    def tickets(self) -> list[dict]:
        """Every stored support ticket as a plain dict, in the order they were first imported."""
        return reads.tickets(self.engine)

    def person_record(self, person_id: int) -> people.PersonRecord | None:
        """Everything stored about one person, or ``None`` (netmap/storage/people.py)."""
        return people.person_record(self.engine, person_id)

    def audit(self, *, limit: int | None = None, action: str | None = None) -> list[dict]:
        """The audit log, newest first (netmap/storage/audit.py)."""
        return audit.entries(self.engine, limit=limit, action=action)

    # ------------------------------------------------------- undo and erasure
    def undo(self, import_id: int, *, actor: str | None = None) -> dict:
        """Undo one import, merge or keep-apart decision (netmap/storage/undo.py), audited under ``actor``."""
        return _later("undo").undo(self, import_id, actor=actor)

    def undo_preview(self, import_id: int):
        """What :meth:`undo` would remove and restore, or why it would be refused; writes nothing."""
        return _later("undo").undo_preview(self, import_id)

    def erase(self, person_id: int, *, actor: str | None = None) -> dict:
        """Erase person ``person_id`` with everything about them, down to the bytes of the database
        files (netmap/storage/erasure.py). By id only: a name can be someone else's too, so the
        caller resolves a WHO first (:meth:`resolve_one`) and shows whom it found."""
        return _later("erasure").erase(self, person_id, actor=actor)

    def wipe_free_space(self, *, erasing: int | None = None) -> None:
        """Leave no copy of deleted rows in the database files."""
        _later("erasure").wipe_free_space(self, erasing=erasing)

    # ------------------------------------------ measures (netmap/storage/cache.py)
    def cached(self, name: str) -> bytes | None:
        """A cached result, if it was computed from the current data."""
        return cache.cached(self.engine, name)

    def is_cached(self, name: str) -> bool:
        return cache.is_cached(self.engine, name)

    def cache(self, name: str, payload: bytes, version: int) -> bool:
        """Keep a result computed from data version ``version`` unless a writer holds the database; whether kept."""
        return cache.cache(self.engine, name, payload, version)

    # ---------------------------------------- nurture log (netmap/storage/nurture_log.py)
    def log_action(self, person_id: int, action: str, *, note: str | None = None, on: date | None = None,
                   actor: str | None = None) -> dict:
        """Log that ``action`` was done for ``person_id`` on ``on`` (default today), audited as ``log``."""
        return _later("nurture_log").log_action(self, person_id, action, note=note, on=on, actor=actor)

    def nurture_log(self, *, person_id: int | None = None, owner: str | None = None,
                    limit: int | None = None) -> list[dict]:
        """The log, newest first: ``done_on, person_id, name, owner, action, note, logged_by`` (``id``, ``source``)."""
        return _later("nurture_log").entries(self.engine, person_id=person_id, owner=owner, limit=limit)

    def nurture_actions(self) -> list[tuple[int, str, date]]:
        """Every dated logged action as ``(person_id, action, done_on)``."""
        return _later("nurture_log").actions(self.engine)

    def log_state(self) -> tuple[int, int]:
        """``(how many actions are logged, the largest id)``: changes whenever the log does."""
        return _later("nurture_log").state(self.engine)

    # ------------------------------------------- duplicates (netmap/storage/merge.py)
    def merge(self, keep: int | str, other: int | str, *, actor: str | None = None) -> dict:
        """Merge ``other`` into ``keep``: undoable with :meth:`undo` of the returned ``merge_id``."""
        return _later("merge").merge_people(self, keep, other, actor=actor)

    def keep_apart(self, a: int | str, b: int | str, *, actor: str | None = None) -> dict:
        """Decide that ``a`` and ``b`` are two people: undoable with :meth:`undo` of the returned ``decision_id``."""
        return _later("merge").keep_apart(self, a, b, actor=actor)

    def duplicate_pairs(self, *, limit: int | None = None):
        """The likely duplicates waiting for a decision, a pair per two people, and how many there are."""
        return _later("merge").pairs(self, limit=limit)

    def decisions(self, *, limit: int = 20) -> list[dict]:
        """The merges and keep-apart decisions in place, newest first."""
        return _later("merge").decisions(self, limit=limit)
