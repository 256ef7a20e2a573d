"""Durable storage: a SQLite file by default, any SQLAlchemy URL by one setting.

:class:`Store` is the way in to the database: every method hands on to the module
in netmap/storage/ that owns its job.

- ``engine.py``   the engine, SQLite/PostgreSQL settings, write transactions;
- ``tables.py``   the tables, as SQLModel models; ``schema.py`` creating and upgrading them;
- ``audit.py``    the audit log;
- ``writer.py``   an import written in one transaction, with its undo journal;
- ``undo.py``     an import, merge or keep-apart decision taken back out;
- ``erasure.py``  a person erased down to the bytes of the database files;
- ``reads.py``    the data as plain values (:class:`netmap.model.Dataset`, dicts);
- ``people.py``   one person's stored record (a profile); ``logins.py`` sign-in logouts;
- ``cache.py``    the data version and the measures kept per data version;
- ``merge.py``    likely duplicates merged or kept apart;
- ``nurture_log.py`` the nurture log: actions logged for people, read back.

The writer, the reads, the people and the cache are loaded with the store; undo, erasure and
merges when first used.
"""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from typing import Iterator

from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError  # noqa: F401  (netmap/ingest/importer.py's)

from .. import config
from ..ingest.identity import PeopleIndex, Resolution
from ..model import Dataset, Feedback
from . import audit, cache, engine, people, reads, schema, tables, writer
from .writer import FileMeta, FileResult  # noqa: F401  (what an import says it did: netmap/ingest/importer.py)

# the table handles (the tests read through them)
P = tables.person
IDT = tables.identifier
REL = tables.relationship
REF = tables.referral
INT = tables.interaction
PART = tables.participation
FB = tables.feedback
LOG = tables.import_log
CHG = tables.import_change
REV = tables.review
META = tables.meta
MEAS = tables.measure_cache
TKT = tables.ticket
NA = tables.nurture_action


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

    @contextmanager
    def _writing_if_free(self) -> Iterator[Connection | None]:
        """A write transaction if no other writer holds the database now, else ``None`` at once."""
        with engine.writing_if_free(self.engine, self.is_sqlite) as conn:
            yield conn

    def data_version(self, conn: Connection | None = None) -> int:
        if conn is None:
            with self.engine.connect() as c:
                return cache.data_version(c)
        return cache.data_version(conn)

    def _bump(self, conn: Connection) -> None:
        cache.bump(conn)

    # ----------------------------------------------------------------- import
    def people_index(self, conn: Connection) -> PeopleIndex:
        return writer.people_index(conn)

    def apply(self, conn: Connection, resolution: Resolution, files: list[FileMeta]) -> list[FileResult]:
        """Write one resolved import inside ``conn``'s transaction (:func:`netmap.storage.writer.apply`)."""
        return writer.apply(self, conn, resolution, files)

    # ----------------------------------------------------------------- reads
    def imports(self) -> list[dict]:
        """The import log, newest first: files imported (the merges and keep-apart decisions,
        journaled in the same log, are :meth:`decisions`)."""
        return reads.imports(self.engine)

    def reviews(self) -> list[dict]:
        """Likely duplicates waiting for a person's decision."""
        return reads.reviews(self.engine)

    def find_person(self, who: str, conn: Connection | None = None, *, by_name: bool = True) -> int:
        """Resolve WHO (a CRM id, an email, or an unambiguous name) to a person id
        (:func:`netmap.storage.reads.find_person`)."""
        return reads.find_person(self.engine, who, conn, by_name=by_name)

    def resolve_one(self, who: str) -> int:
        """The one person ``who`` names (``#id``, CRM id, email or name), for an action that must
        not hit a bystander (:func:`netmap.storage.reads.resolve_one`)."""
        return reads.resolve_one(self.engine, who)

    def team_members(self) -> list[str]:
        """The names (else emails) of the people of the user's own team, sorted."""
        return reads.team_members(self.engine)

    def has_people(self) -> bool:
        """Whether anyone is stored (one row read)."""
        return reads.has_people(self.engine)

    def summary(self) -> dict:
        """Key figures: people, customers, ties, referrals, feedback, imports ...
        (:func:`netmap.storage.reads.summary`)."""
        return reads.summary(self.engine)

    def load_dataset(self) -> Dataset:
        """Everything the analysis needs, as plain values (see :mod:`netmap.model`)."""
        return reads.load_dataset(self.engine)

    def answers(self) -> tuple[Feedback, ...]:
        """Every survey answer (without comments), in the order they were recorded."""
        return reads.answers(self.engine)

    def referral_dates(self) -> list[tuple]:
        """Every referral as ``(referrer id, date or None)`` (:func:`netmap.storage.reads.referral_dates`)."""
        return reads.referral_dates(self.engine)

    def tickets(self) -> list[dict]:
        """Every stored support ticket as a plain dict, in the order they were first imported."""
        return reads.tickets(self.engine)

    def person_record(self, person_id: int) -> people.PersonRecord | None:
        """Everything stored about one person, or ``None`` (:func:`netmap.storage.people.person_record`)."""
        return people.person_record(self.engine, person_id)

    def load_neighbourhood(self, person_id: int) -> Dataset:
        """The part of the data that makes ``person_id``'s ties (:func:`netmap.storage.reads.load_neighbourhood`)."""
        return reads.load_neighbourhood(self.engine, person_id)

    # ------------------------------------------------------- undo and erasure
    def undo(self, import_id: int, *, actor: str | None = None) -> dict:
        """Undo one import, merge or keep-apart decision (:func:`netmap.storage.undo.undo`);
        ``actor`` (default :func:`netmap.config.local_actor`) is recorded in the audit log."""
        from . import undo

        return undo.undo(self, import_id, actor=actor)

    def undo_preview(self, import_id: int):
        """What :meth:`undo` of ``import_id`` would remove and restore, in counts and plain words, or
        why it would be refused; writes nothing (:func:`netmap.storage.merge.undo_plan`)."""
        from . import undo

        return undo.undo_preview(self, import_id)

    def erase(self, person_id: int, *, actor: str | None = None) -> dict:
        """Erase person ``person_id`` with everything about them, down to the bytes of the
        database files (:func:`netmap.storage.erasure.erase`). By id only: a name can be
        someone else's too, so the caller resolves a WHO first (:meth:`resolve_one`, which
        refuses a WHO that names several people) and shows whom it found."""
        from . import erasure

        return erasure.erase(self, person_id, actor=actor)

    def wipe_free_space(self, *, erasing: int | None = None) -> None:
        """Leave no copy of deleted rows in the database files (:func:`netmap.storage.erasure.wipe_free_space`)."""
        from . import erasure

        erasure.wipe_free_space(self, erasing=erasing)

    def audit(self, *, limit: int | None = None, action: str | None = None) -> list[dict]:
        """The audit log, newest first (:func:`netmap.storage.audit.entries`)."""
        return audit.entries(self.engine, limit=limit, action=action)

    # --------------------------------------------------------------- measures
    def cached(self, name: str) -> bytes | None:
        """A cached analysis result, if it was computed from the current data."""
        return cache.cached(self.engine, name)

    def is_cached(self, name: str) -> bool:
        """Whether :meth:`cached` would return a result, without reading it."""
        return cache.is_cached(self.engine, name)

    def cache(self, name: str, payload: bytes, version: int) -> bool:
        """Keep an analysis result computed from data version ``version``, if no other writer
        holds the database right now (:func:`netmap.storage.cache.cache`). Whether it was kept."""
        return cache.cache(self.engine, name, payload, version)

    # ------------------------------------------------------------ nurture log
    def log_action(self, person_id: int, action: str, *, note: str | None = None, on: date | None = None,
                   actor: str | None = None) -> dict:
        """Log that ``action`` was done for ``person_id`` on ``on`` (default today), audited as ``log``
        (:func:`netmap.storage.nurture_log.log_action`; the actions: netmap/nurture_log.py)."""
        from . import nurture_log

        return nurture_log.log_action(self, person_id, action, note=note, on=on, actor=actor)

    def nurture_log(self, *, person_id: int | None = None, owner: str | None = None) -> list[dict]:
        """The nurture log, newest first: ``done_on, person_id, name, owner, action, note, logged_by``
        (and ``id``, ``source``) per action (:func:`netmap.storage.nurture_log.entries`)."""
        from . import nurture_log

        return nurture_log.entries(self.engine, person_id=person_id, owner=owner)

    def nurture_actions(self) -> list[tuple[int, str, date]]:
        """Every dated logged action as ``(person_id, action, done_on)`` (:func:`netmap.storage.nurture_log.actions`)."""
        from . import nurture_log

        return nurture_log.actions(self.engine)

    def log_state(self) -> str:
        """A short text that changes whenever the log does (:func:`netmap.storage.nurture_log.state`)."""
        from . import nurture_log

        return nurture_log.state(self.engine)

    # ------------------------------------------------------------- duplicates
    def merge(self, keep: int | str, other: int | str, *, actor: str | None = None) -> dict:
        """Merge ``other`` into ``keep``, two records of one person (:func:`netmap.storage.merge.merge_people`):
        undoable with :meth:`undo` of the returned ``merge_id``, audited as ``merge``."""
        from .merge import merge_people

        return merge_people(self, keep, other, actor=actor)

    def keep_apart(self, a: int | str, b: int | str, *, actor: str | None = None) -> dict:
        """Decide that ``a`` and ``b`` are two people (:func:`netmap.storage.merge.keep_apart`): undoable with
        :meth:`undo` of the returned ``decision_id``, audited as ``keep-apart``."""
        from .merge import keep_apart

        return keep_apart(self, a, b, actor=actor)

    def duplicate_pairs(self, *, limit: int | None = None):
        """The likely duplicates waiting for a decision, a pair per two people, with both side by
        side, and how many pairs there are (:func:`netmap.storage.merge.pairs`)."""
        from .merge import pairs

        return pairs(self, limit=limit)

    def decisions(self, *, limit: int = 20) -> list[dict]:
        """The merges and keep-apart decisions in place, newest first (:func:`netmap.storage.merge.decisions`)."""
        from .merge import decisions

        return decisions(self, limit=limit)
