"""Durable storage: a SQLite file by default, any SQLAlchemy URL by one setting.

The store is the way in to the database (with its helpers :mod:`netmap.storage.schema`,
which creates and upgrades the tables, and :mod:`netmap.storage.audit`, the append-only
log; :mod:`netmap.profile` reads one person through the store's table handles).
It writes an import in one transaction (all or nothing), keeps an undo journal,
erases a person down to the bytes of the database files, keeps the measures per
data version, and hands plain data (:class:`netmap.model.Dataset`, or one
person's neighbourhood of it) to the analysis.

SQLite connections run with ``foreign_keys=ON`` (cascades), WAL journaling, a
30 s busy timeout and ``secure_delete=ON`` (deleted content is overwritten with
zeros). Write transactions start with ``BEGIN IMMEDIATE`` on SQLite and take a
transaction-level advisory lock on PostgreSQL, so two imports at once run one
after the other instead of failing halfway.
"""

from __future__ import annotations

import gc
import json
import re
import sqlite3
import time
import uuid
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Iterator

import numpy as np
from sqlalchemy import (
    Engine,
    LargeBinary,
    cast,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    text,
    union,
    update,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError, SQLAlchemyError  # SQLAlchemyError: also netmap/importer.py's
from sqlalchemy.pool import StaticPool

from .. import config
from . import audit, schema, tables
from .schema import PG_WRITE_LOCK as _PG_LOCK
from ..config import local_actor
from ..errors import AmbiguousPerson, DatabaseBusy, ErasureIncomplete, ImportNotFound, UndoRefused, UnknownPerson
from ..ingest.identity import PERSON_FIELDS, KnownPerson, PeopleIndex, Resolution
from ..model import CUSTOMER_STAGES, TEAM_STAGE, Dataset, Feedback, Interaction, Person, Referral, Relationship, feeling_of
from ..model import net_promoter_score
from ..ingest.values import name_key

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

TABLES = {t.name: t for t in (P, IDT, REL, REF, INT, PART, FB, REV, TKT)}
#: the import log's kinds that are decisions about likely duplicates, not imports (netmap.storage.merge.DECISIONS)
_DECISIONS = ("merge", "keep-apart")
#: delete order for undo: children before parents
_CHILD_FIRST = ("ticket", "participation", "feedback", "referral", "relationship", "review", "identifier", "interaction",
                "person")
#: tables an erasure deletes from or rewrites (on PostgreSQL: VACUUM FULL after it), and the seconds it waits
#: for transactions older than the erasure before that
_ERASED_FROM = ("person", "identifier", "relationship", "referral", "participation", "feedback", "review",
                "interaction", "import_log", "import_change", "measure_cache", "ticket")
_PG_WIPE_WAIT = 30
#: SQLite's busy timeout on every connection: how long a statement waits for another's lock
_BUSY_TIMEOUT_MS = 30_000
#: seconds an erasure on SQLite retries emptying the write-ahead log while another connection
#: still reads an older snapshot, before it says so (ErasureIncomplete) instead of claiming success
_SQLITE_WIPE_WAIT = 30.0
#: every other stored text an erasure redacts when it spells the person's full name or email:
#: table -> columns (free text the import copied from files: owners, companies, kinds, statuses ...)
_REDACTED_TEXT = {
    "person": ("owner", "company", "segment", "region", "stage"),
    "relationship": ("kind",),
    "referral": ("status",),
    "ticket": ("subject", "company", "rating_comment"),
}


def make_engine(url: str) -> Engine:
    """One engine per database URL; never created at import time."""
    if url.startswith("sqlite"):
        memory = url in ("sqlite://", "sqlite:///:memory:")
        if not memory:
            path = url.split("///", 1)[1] if "///" in url else ""
            if path:
                Path(path).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            poolclass=StaticPool if memory else None,
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record):
            dbapi_conn.isolation_level = None  # we issue BEGIN ourselves (SQLAlchemy's pysqlite recipe)
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
            cur.execute("PRAGMA secure_delete=ON")
            if not memory:
                _use_wal(cur)
                cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn):
            options = conn.get_execution_options()
            if options.get("netmap_try_write"):  # a cache write: take the lock now or not at all
                conn.exec_driver_sql("PRAGMA busy_timeout = 0")
                try:
                    conn.exec_driver_sql("BEGIN IMMEDIATE")
                finally:
                    conn.exec_driver_sql(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
                return
            conn.exec_driver_sql("BEGIN IMMEDIATE" if options.get("netmap_write", False) else "BEGIN")

        return engine
    return create_engine(url, pool_pre_ping=True)


def _use_wal(cur, wait_s: float = 30.0) -> None:
    """Put the SQLite file in write-ahead-log mode (readers never wait for a writer).

    The mode is stored in the file, so this is one read once it is set. Setting it
    needs the file to itself, and while another connection holds its write lock
    (e.g. a second process creating the tables of the same new database) SQLite
    answers "database is locked" at once, without its busy timeout. So it is
    retried, with a growing pause, until ``wait_s`` seconds have passed (under a
    reader's lock SQLite's own busy timeout waits inside one attempt: at worst
    about twice ``wait_s`` in all).
    """
    if cur.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal":
        return
    deadline = time.monotonic() + wait_s
    pause = 0.005
    while True:
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            busy = (getattr(exc, "sqlite_errorcode", 0) & 0xFF) in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
            if not busy or time.monotonic() >= deadline:
                raise
        time.sleep(pause)
        pause = min(pause * 2, 0.2)


def _now() -> datetime:
    return datetime.now(timezone.utc)


@dataclass
class FileMeta:
    """What the import log keeps about one file: name, sheet, hash, kind, mapping, counts."""

    label: str
    file_name: str
    sheet: str | None
    sha256: str
    kind: str
    mapping: dict[str, str]
    rows_read: int
    refused: int
    warnings: int


@dataclass
class FileResult:
    """What one file's import did."""

    import_id: int | None
    meta: FileMeta
    added: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    updated: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def total_added(self) -> int:
        return sum(self.added.values())

    @property
    def total_updated(self) -> int:
        return sum(self.updated.values())


#: where :meth:`Store.summary` keeps its tie count (in the measures table)
_TIES_SLOT = "summary/ties"


class Store:
    """The netmap database. ``Store(url)``; ``url=None`` uses :func:`config.database_url`."""

    def __init__(self, url: str | None = None):
        self.url = config.database_url(url)
        self.engine = make_engine(self.url)
        self.is_sqlite = self.url.startswith("sqlite")
        schema.prepare(self.engine)  # create the tables, or upgrade an older schema; refuse a newer netmap's
        audit.ensure(self.engine)  # the audit log's append-only triggers (idempotent; a read when in place)

    def close(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------ transactions
    @contextmanager
    def writing(self) -> Iterator[Connection]:
        """One write transaction, serialised against other writers.

        A writer waits up to :data:`_BUSY_TIMEOUT_MS` (30 s) for another's lock, then
        raises :class:`DatabaseBusy` (a message, never a traceback): nothing was written."""
        with self.engine.connect().execution_options(netmap_write=True) as conn:
            try:
                tx = conn.begin()
                if not self.is_sqlite:
                    conn.execute(text(f"SET LOCAL lock_timeout = '{_BUSY_TIMEOUT_MS}ms'"))
                    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK})
            except OperationalError as exc:
                if _is_busy(exc):
                    raise DatabaseBusy(_BUSY_MESSAGE) from exc
                raise
            with tx:
                yield conn

    @contextmanager
    def _writing_if_free(self) -> Iterator[Connection | None]:
        """A write transaction when no other writer holds the database now, else ``None``
        at once: for what a read merely keeps for later (cached measures), so that a
        read never waits for, or fails on, an import being written."""
        with self.engine.connect().execution_options(netmap_write=True, netmap_try_write=self.is_sqlite) as conn:
            try:
                tx = conn.begin()
            except OperationalError as exc:
                if _is_busy(exc):
                    yield None
                    return
                raise
            with tx:
                if not self.is_sqlite and not conn.execute(
                        text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": _PG_LOCK}).scalar_one():
                    tx.rollback()
                    yield None
                    return
                yield conn

    def data_version(self, conn: Connection | None = None) -> int:
        if conn is None:
            with self.engine.connect() as c:
                return self.data_version(c)
        return int(conn.execute(select(META.c.value).where(META.c.key == "data_version")).scalar_one())

    def _bump(self, conn: Connection) -> None:
        conn.execute(update(META).where(META.c.key == "data_version").values(value=str(self.data_version(conn) + 1)))
        conn.execute(delete(MEAS))

    # ----------------------------------------------------------------- people
    def people_index(self, conn: Connection) -> PeopleIndex:
        people: dict[int, KnownPerson] = {}
        cols = [P.c.id] + [P.c[f] for f in PERSON_FIELDS]
        for row in conn.execute(select(*cols)):
            m = row._mapping
            people[m["id"]] = KnownPerson(id=m["id"], fields={f: m[f] for f in PERSON_FIELDS})
        for pid, kind, value in conn.execute(select(IDT.c.person_id, IDT.c.kind, IDT.c.value)):
            kp = people.get(pid)
            if kp is not None:
                {"crm": kp.crm_ids, "email": kp.emails, "url": kp.urls}.get(kind, kp.crm_ids).add(value)
        return PeopleIndex(people)

    # ------------------------------------------------------------------ apply
    def apply(self, conn: Connection, resolution: Resolution, files: list[FileMeta]) -> list[FileResult]:
        """Write one resolved import inside ``conn``'s transaction."""
        batch = uuid.uuid4().hex[:12]
        now = _now()
        results: dict[str, FileResult] = {}
        for meta in files:
            import_id = conn.execute(
                insert(LOG).returning(LOG.c.id),
                {
                    "batch": batch, "file_name": meta.file_name, "sheet": meta.sheet, "content_sha256": meta.sha256,
                    "kind": meta.kind, "mapping_json": json.dumps(meta.mapping), "rows_read": meta.rows_read,
                    "refused": meta.refused, "warnings": meta.warnings, "created_at": now,
                },
            ).scalar_one()
            results[meta.label] = FileResult(import_id, meta)
        first_label = files[0].label if files else ""
        journal: list[dict] = []

        def log(label: str, table: str, row_id: int, action: str, before: dict | None = None) -> None:
            journal.append(
                {
                    "import_id": results[label].import_id, "table_name": table, "row_id": row_id, "action": action,
                    "before_json": json.dumps(before, default=_json_default) if before is not None else None,
                }
            )

        # people ---------------------------------------------------------
        keymap = _KeyMap()  # resolution key -> person id (stored people keep theirs)
        new = resolution.new_people()
        if new:
            rows = [
                {**{f: e.fields.get(f) for f in PERSON_FIELDS}, "listed": e.listed} for e in new
            ]
            ids = _insert_returning_ids(conn, P, rows)
            for e, pid in zip(new, ids):
                keymap[e.key] = pid
                label = e.origin.file if e.origin and e.origin.file in results else first_label
                log(label, "person", pid, "insert")
                results[label].added["people"] += 1

        def label_for(key: int) -> str:
            users = resolution.used_by.get(key) or {first_label}
            return next((f.label for f in files if f.label in users and f.kind == "people"), sorted(users)[0])

        for e in resolution.updated_people():
            label = label_for(e.key)
            if e.updates:
                before = {f: e.fields.get(f) for f in e.updates}
                conn.execute(update(P).where(P.c.id == e.key).values(**e.updates))
                log(label, "person", e.key, "update", before)
                results[label].updated["people"] += 1
        idents: list[dict] = []
        for e in resolution.entities.values():
            pid = keymap[e.key]
            wanted: list[tuple[str, str]] = []
            if e.is_new:
                if e.fields.get("crm_id"):
                    wanted.append(("crm", str(e.fields["crm_id"])))
                if e.fields.get("email"):
                    wanted.append(("email", str(e.fields["email"])))
            wanted += [("crm", v) for v in sorted(e.new_ids)] + [("email", v) for v in sorted(e.new_emails)]
            wanted += [("url", v) for v in sorted(e.new_urls)]
            if not e.is_new and "email" in e.updates and e.updates["email"]:
                wanted.append(("email", str(e.updates["email"])))
            for kind, value in dict.fromkeys(wanted):
                idents.append({"person_id": pid, "kind": kind, "value": value, "_label": (e.origin.file if e.origin else label_for(e.key))})
        if idents:
            existing = {
                (k, v) for k, v in conn.execute(select(IDT.c.kind, IDT.c.value).where(IDT.c.value.in_([i["value"] for i in idents])))
            } if len(idents) < 5000 else {(k, v) for k, v in conn.execute(select(IDT.c.kind, IDT.c.value))}
            fresh, seen = [], set()
            for i in idents:
                if (i["kind"], i["value"]) in existing or (i["kind"], i["value"]) in seen:
                    continue
                seen.add((i["kind"], i["value"]))
                fresh.append(i)
            ids = _insert_returning_ids(conn, IDT, [{k: v for k, v in i.items() if k != "_label"} for i in fresh])
            for i, rid in zip(fresh, ids):
                label = i["_label"] if i["_label"] in results else first_label
                log(label, "identifier", rid, "insert")

        # ties -----------------------------------------------------------
        uses: set[tuple[str, int]] = set()
        self._write_ties(conn, resolution, keymap, results, log, uses)
        for label, pid in sorted(uses):
            log(label, "person", pid, "use")
        # reviews (not of a pair someone decided are two people: kept_apart; the import
        # then counts only the pairs it listed)
        kept = kept_apart(conn)
        if kept:
            resolution.reviews = [r for r in resolution.reviews if frozenset((keymap[r[0]], keymap[r[1]])) not in kept]
        labels = [src.file if src.file in results else first_label for *_, src in resolution.reviews]
        ids = _insert_returning_ids(
            conn, REV,
            [
                {"import_id": results[label].import_id, "a_id": keymap[a], "b_id": keymap[b], "reason": reason}
                for (a, b, reason, _), label in zip(resolution.reviews, labels)
            ],
        )
        for label, rid in zip(labels, ids):
            log(label, "review", rid, "insert")
        if journal:
            _insert_many(conn, CHG, journal)
        changed = False
        for res in results.values():
            conn.execute(
                update(LOG).where(LOG.c.id == res.import_id).values(
                    added=res.total_added, updated=res.total_updated,
                    details_json=json.dumps({"added": dict(res.added), "updated": dict(res.updated)}),
                )
            )
            changed |= bool(res.total_added or res.total_updated)
        if changed:
            self._bump(conn)
        return [results[m.label] for m in files]

    def _write_ties(self, conn, resolution, keymap, results, log, uses) -> None:
        ties = resolution.ties
        first_label = next(iter(results))

        def lab(src) -> str:
            return src.file if src.file in results else first_label

        # referrals: natural key (referrer, referred)
        refs = {}
        for t in ties:
            if t.kind == "referral":
                a, b = keymap[t.keys[0]], keymap[t.keys[1]]
                prev = refs.get((a, b))
                data = dict(prev[1]) if prev else {}
                data.update({k: v for k, v in t.data.items() if v is not None})
                refs[(a, b)] = (t.src, data)
        if refs:
            existing = _load(conn, REF, ("referrer_id", "referred_id"), ("id", "referred_on", "status", "value"), involved(refs))
            self._upsert(
                conn, REF, "referral", refs, existing,
                lambda k, d: {"referrer_id": k[0], "referred_id": k[1], "referred_on": d.get("on"), "status": d.get("status"), "value": d.get("value")},
                {"on": "referred_on", "status": "status", "value": "value"}, results, log, uses, lab, "referrals",
            )
        # relationships: natural key (min, max, kind)
        rels = {}
        for t in ties:
            if t.kind == "relationship":
                a, b = sorted((keymap[t.keys[0]], keymap[t.keys[1]]))
                key = (a, b, t.data["kind"])
                prev = rels.get(key)
                data = dict(prev[1]) if prev else {}
                data.update({k: v for k, v in t.data.items() if v is not None and k != "kind"})
                rels[key] = (t.src, data)
        if rels:
            existing = _load(conn, REL, ("a_id", "b_id", "kind"), ("id", "strength", "since"), involved(rels))
            self._upsert(
                conn, REL, "relationship", rels, existing,
                lambda k, d: {"a_id": k[0], "b_id": k[1], "kind": k[2], "strength": d.get("strength"), "since": d.get("since")},
                {"strength": "strength", "since": "since"}, results, log, uses, lab, "relationships",
            )
        # interactions and participations
        inter: dict[tuple[str, str], tuple] = {}
        parts: dict[tuple[tuple[str, str], int], object] = {}
        for t in ties:
            if t.kind == "participation":
                ik = (t.data["kind"], t.data["external_id"])
                prev = inter.get(ik)
                data = dict(prev[1]) if prev else {}
                data.update({k: v for k, v in t.data.items() if v is not None and k in ("name", "on")})
                inter[ik] = (prev[0] if prev else t.src, data)
                parts.setdefault((ik, keymap[t.keys[0]]), t.src)
        if inter:
            existing = {
                (r.kind, r.external_id): r
                for r in conn.execute(select(INT.c.id, INT.c.kind, INT.c.external_id, INT.c.name, INT.c.happened_on))
            }
            new_keys = [k for k in inter if k not in existing]
            ids = _insert_returning_ids(
                conn, INT,
                [{"kind": k[0], "external_id": k[1], "name": inter[k][1].get("name"), "happened_on": inter[k][1].get("on")} for k in new_keys],
            )
            iid = {k: r.id for k, r in existing.items()}
            for k, rid in zip(new_keys, ids):
                iid[k] = rid
                log(lab(inter[k][0]), "interaction", rid, "insert")
                results[lab(inter[k][0])].added["interactions"] += 1
            for k, (src, data) in inter.items():
                if k in existing:
                    row = existing[k]
                    changes = {}
                    if data.get("name") is not None and data["name"] != row.name:
                        changes["name"] = data["name"]
                    if data.get("on") is not None and data["on"] != row.happened_on:
                        changes["happened_on"] = data["on"]
                    if changes:
                        conn.execute(update(INT).where(INT.c.id == row.id).values(**changes))
                        log(lab(src), "interaction", row.id, "update", {c: getattr(row, c) for c in changes})
                        results[lab(src)].updated["interactions"] += 1
            ids_needed = sorted({iid[ik] for ik, _ in parts})
            have = set()
            for chunk in _chunks(ids_needed, 900):
                have |= {
                    (i, p) for i, p in conn.execute(select(PART.c.interaction_id, PART.c.person_id).where(PART.c.interaction_id.in_(chunk)))
                }
            fresh = []
            for (ik, pid), src in parts.items():
                if (iid[ik], pid) not in have:
                    fresh.append(((iid[ik], pid), src))
                    if ik in existing:
                        uses.add((lab(src), -iid[ik]))  # negative: an interaction this file builds on
            ids = _insert_returning_ids(conn, PART, [{"interaction_id": i, "person_id": p} for (i, p), _ in fresh])
            for ((i, p), src), rid in zip(fresh, ids):
                log(lab(src), "participation", rid, "insert")
                results[lab(src)].added["participations"] += 1
                uses.add((lab(src), p))
        # feedback: natural key per person
        fbs = {}
        for t in ties:
            if t.kind == "feedback":
                pid = keymap[t.keys[0]]
                fbs[(pid, _feedback_key(t.data))] = (t.src, t.data)
        if fbs:
            existing = _load(conn, FB, ("person_id", "natural_key"), ("id", "score", "answered_on", "comment", "response_id"), {p for p, _ in fbs})
            self._upsert(
                conn, FB, "feedback", fbs, existing,
                lambda k, d: {"person_id": k[0], "natural_key": k[1], "score": d["score"], "scale": d["scale"], "answered_on": d.get("on"), "comment": d.get("comment"), "response_id": d.get("response_id")},
                {"score": "score", "on": "answered_on", "comment": "comment"}, results, log, uses, lab, "feedback",
            )
        self._write_tickets(conn, [t for t in ties if t.kind == "ticket"], keymap, results, log, uses, lab)
        # interactions built on by this import: journal as 'use' of the interaction row
        for label, neg in [u for u in uses if u[1] < 0]:
            uses.discard((label, neg))
            log(label, "interaction", -neg, "use")

    @staticmethod
    def _write_tickets(conn, ties, keymap, results, log, uses, lab) -> None:
        """Tickets by their natural key (help desk, ticket id): new ones inserted, a stored one
        updated where the export says otherwise (status, dates, rating, agent ...), journaled
        for undo with the values before. Their interaction was written just before."""
        if not ties:
            return
        wanted: dict[tuple[str, str], tuple] = {}
        for t in ties:
            d = t.data
            wanted[(d["source"], d["external_id"])] = (t.src, {
                "requester_id": keymap[t.keys[0]], "agent_id": keymap[t.keys[1]] if len(t.keys) > 1 else None,
                "status": d["status"], "subject": d["subject"], "company": d["company"],
                "created_on": d["created_on"], "solved_on": d["solved_on"], "rating": d["rating"], "csat": d["csat"],
                "rating_comment": d["rating_comment"], "_interaction": d["interaction"]})
        iid = {}
        keys = sorted({v[1]["_interaction"] for v in wanted.values()})
        for chunk in _chunks(keys, 900):
            iid.update(conn.execute(select(INT.c.external_id, INT.c.id).where(
                INT.c.kind == "ticket", INT.c.external_id.in_(chunk))).all())
        existing = {}
        for chunk in _chunks(sorted(wanted), 900):
            for r in conn.execute(select(TKT).where(TKT.c.external_id.in_([k[1] for k in chunk]))).mappings():
                existing[(r["source"], r["external_id"])] = dict(r)
        fresh = [k for k in wanted if k not in existing]
        rows = []
        for k in fresh:
            data = wanted[k][1]
            rows.append({"source": k[0], "external_id": k[1], "interaction_id": iid.get(data["_interaction"]),
                         **{c: v for c, v in data.items() if c != "_interaction"}})
        ids = _insert_returning_ids(conn, TKT, rows)
        for k, rid, row in zip(fresh, ids, rows):
            src = wanted[k][0]
            log(lab(src), "ticket", rid, "insert")
            results[lab(src)].added["tickets"] += 1
            uses.update((lab(src), p) for p in (row["requester_id"], row["agent_id"]) if p)
        for k, (src, data) in wanted.items():
            if k not in existing:
                continue
            row = existing[k]
            new = {c: v for c, v in data.items() if c != "_interaction"}
            new["interaction_id"] = iid.get(data["_interaction"], row["interaction_id"])
            # what the export leaves empty (no rating yet, no agent) keeps what is stored
            changes = {c: v for c, v in new.items() if v is not None and v != row[c]}
            if changes:
                conn.execute(update(TKT).where(TKT.c.id == row["id"]).values(**changes))
                log(lab(src), "ticket", row["id"], "update", {c: row[c] for c in changes})
                results[lab(src)].updated["tickets"] += 1
                uses.update((lab(src), p) for p in (new["requester_id"], new["agent_id"]) if p)

    @staticmethod
    def _upsert(conn, table, tname, wanted, existing, make_row, compare, results, log, uses, lab, counter) -> None:
        new_keys = [k for k in wanted if k not in existing]
        ids = _insert_returning_ids(conn, table, [make_row(k, wanted[k][1]) for k in new_keys])
        for k, rid in zip(new_keys, ids):
            src = wanted[k][0]
            log(lab(src), tname, rid, "insert")
            results[lab(src)].added[counter] += 1
            for pid in _people_in(k, tname):
                uses.add((lab(src), pid))
        for k, (src, data) in wanted.items():
            if k not in existing:
                continue
            row = existing[k]
            changes = {}
            for dkey, col in compare.items():
                v = data.get(dkey)
                if v is not None and v != row[col]:
                    changes[col] = v
            if changes:
                conn.execute(update(table).where(table.c.id == row["id"]).values(**changes))
                log(lab(src), tname, row["id"], "update", {c: row[c] for c in changes})
                results[lab(src)].updated[counter] += 1
                for pid in _people_in(k, tname):
                    uses.add((lab(src), pid))

    # ----------------------------------------------------------------- reads
    def imports(self) -> list[dict]:
        """The import log, newest first: files imported (the merges and keep-apart decisions,
        journaled in the same log, are :meth:`decisions`)."""
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(LOG).where(LOG.c.kind.not_in(_DECISIONS)).order_by(LOG.c.id.desc())
            ).mappings().all()
        return [
            {**dict(r), "mapping": json.loads(r["mapping_json"]), "details": json.loads(r["details_json"])} for r in rows
        ]

    def reviews(self) -> list[dict]:
        """Likely duplicates waiting for a person's decision."""
        with self.engine.connect() as conn:
            a, b = P.alias("a"), P.alias("b")
            q = (
                select(REV.c.id, REV.c.reason, REV.c.import_id, a.c.id.label("a_id"), a.c.name.label("a_name"),
                       a.c.email.label("a_email"), b.c.id.label("b_id"), b.c.name.label("b_name"), b.c.email.label("b_email"))
                .join(a, a.c.id == REV.c.a_id).join(b, b.c.id == REV.c.b_id).order_by(REV.c.id)
            )
            return [dict(r) for r in conn.execute(q).mappings()]

    def find_person(self, who: str, conn: Connection | None = None, *, by_name: bool = True) -> int:
        """Resolve WHO (a CRM id, an email, or an unambiguous name) to a person id.

        ``by_name=False`` takes only a CRM id or an email (two index lookups): for callers
        that already searched the names, where the name match would read every name."""
        if conn is None:
            with self.engine.connect() as c:
                return self.find_person(who, c, by_name=by_name)
        w = who.strip()
        hit = conn.execute(select(IDT.c.person_id).where(IDT.c.kind == "crm", IDT.c.value == w)).first()
        if hit is None and "@" in w:
            hit = conn.execute(select(IDT.c.person_id).where(IDT.c.kind == "email", IDT.c.value == w.lower())).first()
        if hit is not None:
            return hit[0]
        if not by_name:
            raise UnknownPerson(f"no person has the CRM id or email {who!r}")
        key = name_key(w)
        matches = [pid for pid, name in conn.execute(select(P.c.id, P.c.name)) if key and name_key(name) == key]
        if len(matches) == 1:
            return matches[0]
        if len(matches) > 1:
            raise AmbiguousPerson(
                f"{who!r} matches {len(matches)} people (ids {', '.join(map(str, sorted(matches)[:10]))}); "
                "use their email or CRM id"
            )
        raise UnknownPerson(f"no person matches {who!r}; give a CRM id, an email or a full name as stored")

    def resolve_one(self, who: str) -> int:
        """The one person ``who`` names, for an action that must not hit a bystander (erasure).

        Unlike :meth:`find_person`, where a CRM id wins, every reading is tried: ``#42``
        (netmap's id), a CRM id, an email, a name. When they name more than one person,
        :class:`AmbiguousPerson` lists each candidate and how it matched; when none,
        :class:`UnknownPerson`."""
        w = who.strip()
        found: dict[int, list[str]] = defaultdict(list)
        with self.engine.connect() as conn:
            if w.startswith("#") and w[1:].isdigit():
                if conn.execute(select(P.c.id).where(P.c.id == int(w[1:]))).first() is not None:
                    found[int(w[1:])].append("netmap id")
            for (pid,) in conn.execute(select(IDT.c.person_id).where(IDT.c.kind == "crm", IDT.c.value == w)):
                found[pid].append("CRM id")
            for (pid,) in conn.execute(select(IDT.c.person_id).where(IDT.c.kind == "email", IDT.c.value == w.lower())):
                found[pid].append("email")
            key = name_key(w)
            names = {}
            for pid, name in conn.execute(select(P.c.id, P.c.name)):
                names[pid] = name
                if key and name_key(name) == key:
                    found[pid].append("name")
        if len(found) == 1:
            return next(iter(found))
        if not found:
            raise UnknownPerson(f"no person matches {who!r}; give their CRM id, email, full name as stored, or #id")
        listed = "; ".join(f"#{pid} {names.get(pid) or ''} (by {' and '.join(how)})".replace("  ", " ")
                           for pid, how in sorted(found.items())[:10])
        raise AmbiguousPerson(f"{who!r} names {len(found)} people: {listed}; give one of them as #id")

    def team_members(self) -> list[str]:
        """The names (else emails) of the people of the user's own team (stage
        :data:`~netmap.model.TEAM_STAGE`), sorted: whose export a contacts file can be."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(P.c.name, P.c.email).where(P.c.stage == TEAM_STAGE))
            return sorted({name or email for name, email in rows if name or email}, key=str.casefold)

    def has_people(self) -> bool:
        """Whether anyone is stored: one row read, where :meth:`summary` counts everything
        (0.2 s at 100,000 people, on every page that only asks whether there is data)."""
        with self.engine.connect() as conn:
            return conn.execute(select(P.c.id).limit(1)).first() is not None

    def summary(self) -> dict:
        """Key figures: people, customers, ties, referrals, feedback, imports ...

        ``people`` counts everyone in the network, your ``team`` (support agents, whose
        connections were imported) included; ``prospects`` are the people who are neither."""
        with self.engine.connect() as conn:
            count = lambda t, *w: conn.execute(select(func.count()).select_from(t).where(*w)).scalar_one()  # noqa: E731
            people = count(P)
            customers = count(P, P.c.stage.in_(sorted(CUSTOMER_STAGES)))
            team = count(P, P.c.stage == TEAM_STAGE)
            ties = self._stored_tie_count(conn)
            latest = _latest_feedback(conn)
            feelings = defaultdict(int)
            nps_scores = []
            for score, scale in latest.values():
                feelings[feeling_of(score, scale)] += 1
                if scale == "nps":
                    nps_scores.append(score)
            nps = net_promoter_score(nps_scores)
            imported = (LOG.c.undone_at.is_(None), LOG.c.kind.notin_(_DECISIONS))  # not merges (netmap.storage.merge)
            last = conn.execute(select(func.max(LOG.c.created_at)).where(*imported)).scalar_one()
            return {
                "people": people,
                "customers": customers,
                "prospects": people - customers - team,
                "team": team,
                "ties": ties,
                "relationships": count(REL),
                "referrals": count(REF),
                "interactions": count(INT),
                "feedback": count(FB),
                "with_feedback": len(latest),
                "promoters": feelings["promoter"],
                "passives": feelings["passive"],
                "detractors": feelings["detractor"],
                "nps": nps,
                "imports": count(LOG, *imported),
                "reviews": count(REV),
                "last_import": last.isoformat(timespec="seconds") if last else None,
                "data_version": self.data_version(conn),
            }

    def _stored_tie_count(self, conn: Connection) -> int:
        """:meth:`_tie_count`, counted once per data version (2 s at 100,000 people) and kept."""
        version = self.data_version(conn)
        row = conn.execute(select(MEAS.c.payload, MEAS.c.data_version).where(MEAS.c.name == _TIES_SLOT)).first()
        if row is not None and row[1] == version:
            return int(row[0])
        ties = self._tie_count(conn)
        self.cache(_TIES_SLOT, str(ties).encode("ascii"), version)
        return ties

    def _tie_count(self, conn: Connection) -> int:
        """How many ties the network has, by the rules of
        :func:`netmap.network.graph.build_graph` (relationships, referrals,
        shared interactions of at most MAX_INTERACTION_SIZE people, colleagues
        at companies of at most MAX_COMPANY_SIZE people), without building it."""
        from ..network.graph import MAX_INTERACTION_SIZE, colleague_pairs

        p1, p2 = PART.alias("p1"), PART.alias("p2")
        small = (
            select(PART.c.interaction_id).group_by(PART.c.interaction_id)
            .having(func.count() <= MAX_INTERACTION_SIZE).scalar_subquery()
        )
        evidence = union(
            select(REL.c.a_id, REL.c.b_id),
            select(REF.c.referrer_id, REF.c.referred_id),
            select(p1.c.person_id, p2.c.person_id)
            .join(p2, (p1.c.interaction_id == p2.c.interaction_id) & (p1.c.person_id < p2.c.person_id))
            .where(p1.c.interaction_id.in_(small)),
        )
        pairs = [np.array(conn.execute(evidence).fetchall(), dtype=np.int64).reshape(-1, 2)]
        pairs.append(colleague_pairs(conn.execute(select(P.c.id, P.c.company).where(P.c.company.is_not(None)))))
        both = np.concatenate(pairs)
        lo, hi = both.min(axis=1), both.max(axis=1)
        keep = lo != hi
        return int(len(np.unique(lo[keep] * (int(hi.max(initial=0)) + 1) + hi[keep])))

    def load_dataset(self) -> Dataset:
        """Everything the analysis needs, as plain values (see :mod:`netmap.model`)."""
        enabled = gc.isenabled()
        gc.disable()  # ~500,000 small objects, no cycles: the collector's rescans cost 15 %
        try:
            return self._load_dataset()
        finally:
            if enabled:
                gc.enable()

    def answers(self) -> tuple[Feedback, ...]:
        """Every survey answer (without comments), in the order they were recorded: what
        goodwill over time needs (:mod:`netmap.trends`), without reading the whole dataset."""
        with self.engine.connect() as conn:
            rows = conn.execute(select(FB.c.person_id, FB.c.score, FB.c.scale, FB.c.answered_on)
                                .order_by(FB.c.id)).all()
        return tuple(Feedback(*r) for r in rows)

    def tickets(self) -> list[dict]:
        """Every stored support ticket (``netmap/storage/tables.py`` Ticket) as a plain dict, in the
        order they were first imported: what the service queue (:mod:`netmap.tickets`) reads,
        without the whole dataset."""
        cols = [TKT.c[c] for c in ("id", "source", "external_id", "requester_id", "agent_id", "status", "subject",
                                   "company", "created_on", "solved_on", "rating", "csat")]
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(select(*cols).order_by(TKT.c.id)).mappings()]

    def _load_dataset(self) -> Dataset:
        # whole result sets (fetchall) unpacked as tuples: 2x faster than row by row with attribute access
        with self.engine.connect() as conn:
            version = self.data_version(conn)
            people = _people(conn.execute(select(*_PERSON_COLUMNS).order_by(P.c.id)).all())
            rows = conn.execute(select(REL.c.a_id, REL.c.b_id, REL.c.kind, REL.c.strength, REL.c.since)
                                .order_by(REL.c.id)).all()
            rels = tuple(Relationship(a, b, kind or None, strength, since) for a, b, kind, strength, since in rows)
            rows = conn.execute(select(REF.c.referrer_id, REF.c.referred_id, REF.c.referred_on, REF.c.status, REF.c.value)
                                .order_by(REF.c.id)).all()
            refs = tuple(Referral(*r) for r in rows)
            members: dict[int, list[int]] = defaultdict(list)
            for iid, pid in conn.execute(select(PART.c.interaction_id, PART.c.person_id).order_by(PART.c.interaction_id, PART.c.person_id)).all():
                members[iid].append(pid)
            rows = conn.execute(select(INT.c.id, INT.c.kind, INT.c.name, INT.c.happened_on).order_by(INT.c.id)).all()
            inters = tuple(Interaction(iid, kind, tuple(members.get(iid, ())), name, on) for iid, kind, name, on in rows)
            rows = conn.execute(select(FB.c.person_id, FB.c.score, FB.c.scale, FB.c.answered_on, FB.c.comment)
                                .order_by(FB.c.id)).all()
            fbs = tuple(Feedback(*r) for r in rows)
            keys = dict(conn.execute(select(IDT.c.person_id, func.min(IDT.c.kind + ":" + IDT.c.value))
                                     .group_by(IDT.c.person_id)).all())
        dates = [d for d in (
            *(p.created for p in people), *(r.since for r in rels), *(r.on for r in refs),
            *(i.on for i in inters), *(f.on for f in fbs),
        ) if d is not None]
        return Dataset(people, rels, refs, inters, fbs, as_of=max(dates) if dates else None, version=version,
                       keys=keys)

    def load_neighbourhood(self, person_id: int) -> Dataset:
        """The part of the data that makes ``person_id``'s ties: them, everyone a
        relationship, referral, shared interaction (with all its participants) or
        their company links them to, that evidence, and the whole data's ``as_of``.

        :func:`netmap.network.graph.build_graph` of it gives ``person_id`` exactly
        the ties (and strengths) it has in the whole network -- a tie depends only
        on the evidence between its two people, the size of the interaction or
        company it comes from, and the data's newest date -- in a few indexed
        queries instead of reading everything (a profile at 100,000 people).
        """
        pid = int(person_id)
        with self.engine.connect() as conn:
            version = self.data_version(conn)
            rel_rows = conn.execute(select(REL.c.a_id, REL.c.b_id, REL.c.kind, REL.c.strength, REL.c.since)
                                    .where((REL.c.a_id == pid) | (REL.c.b_id == pid)).order_by(REL.c.id)).all()
            ref_rows = conn.execute(select(REF.c.referrer_id, REF.c.referred_id, REF.c.referred_on, REF.c.status, REF.c.value)
                                    .where((REF.c.referrer_id == pid) | (REF.c.referred_id == pid)).order_by(REF.c.id)).all()
            mine = select(PART.c.interaction_id).where(PART.c.person_id == pid)
            members: dict[int, list[int]] = defaultdict(list)
            for iid, member in conn.execute(select(PART.c.interaction_id, PART.c.person_id)
                                            .where(PART.c.interaction_id.in_(mine))
                                            .order_by(PART.c.interaction_id, PART.c.person_id)).all():
                members[iid].append(member)
            int_rows = conn.execute(select(INT.c.id, INT.c.kind, INT.c.name, INT.c.happened_on)
                                    .where(INT.c.id.in_(mine)).order_by(INT.c.id)).all()
            company = conn.execute(select(P.c.company).where(P.c.id == pid)).scalar_one_or_none()
            key = company.strip().casefold() if company else ""
            colleagues = [i for i, c in conn.execute(_colleague_candidates(conn, key)).all()
                          if c.strip().casefold() == key] if key else []
            ids = {pid, *colleagues, *(x for r in rel_rows for x in r[:2]), *(x for r in ref_rows for x in r[:2]),
                   *(m for ms in members.values() for m in ms)}
            rows, fb_rows = [], []
            for chunk in _chunks(sorted(ids), 900):
                rows += conn.execute(select(*_PERSON_COLUMNS).where(P.c.id.in_(chunk))).all()
                fb_rows += conn.execute(select(FB.c.id, FB.c.person_id, FB.c.score, FB.c.scale, FB.c.answered_on,
                                               FB.c.comment).where(FB.c.person_id.in_(chunk))).all()
            newest = [conn.execute(select(func.max(col))).scalar_one() for col in
                      (P.c.created, REL.c.since, REF.c.referred_on, INT.c.happened_on, FB.c.answered_on)]
        people = _people(sorted(rows))
        rels = tuple(Relationship(a, b, kind or None, strength, since) for a, b, kind, strength, since in rel_rows)
        refs = tuple(Referral(*r) for r in ref_rows)
        inters = tuple(Interaction(iid, kind, tuple(members.get(iid, ())), name, on) for iid, kind, name, on in int_rows)
        fbs = tuple(Feedback(*r[1:]) for r in sorted(fb_rows))
        dates = [_as_date(d) for d in newest if d is not None]
        return Dataset(people, rels, refs, inters, fbs, as_of=max(dates) if dates else None, version=version)

    # ------------------------------------------------------------------- undo
    def undo(self, import_id: int, *, actor: str | None = None) -> dict:
        """Undo one import: remove what it added, restore what it changed. A merge or a
        keep-apart decision (:mod:`netmap.storage.merge`, in the import log too) is undone the same
        way, its deleted rows first brought back with their own ids.

        Refused (nothing changes) while a later import or decision that is still in place
        built on this one's rows: undo that one first (:func:`netmap.storage.merge.undo_refusal`;
        :meth:`undo_preview` says the same, and what the undo would do, without writing). ``actor`` (default
        :func:`netmap.config.local_actor`) is recorded in the audit log.
        """
        from .merge import restore_deleted, undo_refusal, undo_target  # merges and keep-apart decisions too

        with self.writing() as conn:
            row = conn.execute(select(LOG).where(LOG.c.id == import_id)).mappings().first()
            if row is None:
                raise ImportNotFound(f"there is no import #{import_id}; `python -m netmap imports` lists them")
            if row["undone_at"] is not None:
                raise UndoRefused(f"{undo_target(row)} ({row['file_name']}) was already undone on {row['undone_at']:%Y-%m-%d %H:%M}")
            mine = conn.execute(select(CHG).where(CHG.c.import_id == import_id).order_by(CHG.c.id)).mappings().all()
            refusal = undo_refusal(conn, row, mine)  # a later import or decision builds on it
            if refusal:
                raise UndoRefused(refusal)
            counts: dict[str, int] = defaultdict(int)
            restore_deleted(conn, mine, counts)  # rows a merge or keep-apart deleted, parents first
            for c in reversed([c for c in mine if c["action"] == "update"]):
                before = json.loads(c["before_json"], object_hook=_json_hook)
                conn.execute(update(TABLES[c["table_name"]]).where(TABLES[c["table_name"]].c.id == c["row_id"]).values(**before))
                counts[f"{c['table_name']} restored"] += 1
            inserted = defaultdict(list)
            for c in mine:
                if c["action"] == "insert":
                    inserted[c["table_name"]].append(c["row_id"])
            for tname in _CHILD_FIRST:
                ids = inserted.get(tname, [])
                for chunk in _chunks(ids, 900):
                    conn.execute(delete(TABLES[tname]).where(TABLES[tname].c.id.in_(chunk)))
                if ids:
                    counts[f"{tname} removed"] += len(ids)
            conn.execute(delete(CHG).where(CHG.c.import_id == import_id))
            conn.execute(delete(REV).where(REV.c.import_id == import_id))
            conn.execute(update(LOG).where(LOG.c.id == import_id).values(undone_at=_now()))
            if counts:
                self._bump(conn)
            audit.record(conn, actor or local_actor(), "undo", undo_target(row), counts)
            return {"import_id": import_id, "file_name": row["file_name"], **counts}

    # ------------------------------------------------------------------ erase
    def erase(self, person: int | str, *, actor: str | None = None) -> dict:
        """Erase a person with every tie, referral, participation, feedback and
        journal entry about them (and about the records merged into them: :func:`netmap.storage.merge.absorbed`;
        a merge or keep-apart decision that named them can no longer be undone), redact their full name and email wherever else
        stored text spells them, then rewrite the database so no byte of them is
        left (SQLite: ``secure_delete`` + ``VACUUM`` + a WAL checkpoint that is
        checked). ``person``: their id, or a WHO that names exactly one person
        (:meth:`resolve_one`). The audit log records ``actor`` (default
        :func:`netmap.config.local_actor`), the person's number and the counts:
        nothing that names them.

        Returns ``{"person_id", <table>: rows deleted ..., "redacted": {"table.column":
        rows}}``. Raises :class:`ErasureIncomplete` when the rows are gone but another
        connection kept copies reachable (the message says what to do)."""
        pid = person if isinstance(person, int) else self.resolve_one(person)
        with self.writing() as conn:
            row = conn.execute(select(P).where(P.c.id == pid)).mappings().first()
            if row is None:
                raise UnknownPerson(f"no person #{pid} (already erased?)")
            person = row
            # the interaction each of their tickets is: it goes with them, and so does the agent's side of it
            ticket_talks = sorted({r for (r,) in conn.execute(select(TKT.c.interaction_id).where(
                TKT.c.requester_id == pid, TKT.c.interaction_id.is_not(None)))})
            owned = {
                "relationship": [r for (r,) in conn.execute(select(REL.c.id).where((REL.c.a_id == pid) | (REL.c.b_id == pid)))],
                "referral": [r for (r,) in conn.execute(select(REF.c.id).where((REF.c.referrer_id == pid) | (REF.c.referred_id == pid)))],
                "participation": sorted({r for (r,) in conn.execute(select(PART.c.id).where(
                    (PART.c.person_id == pid) | PART.c.interaction_id.in_(ticket_talks)))}),
                "feedback": [r for (r,) in conn.execute(select(FB.c.id).where(FB.c.person_id == pid))],
                "ticket": [r for (r,) in conn.execute(select(TKT.c.id).where(TKT.c.requester_id == pid))],
                "interaction": ticket_talks,
                "identifier": [r for (r,) in conn.execute(select(IDT.c.id).where(IDT.c.person_id == pid))],
                "review": [r for (r,) in conn.execute(select(REV.c.id).where((REV.c.a_id == pid) | (REV.c.b_id == pid)))],
                "person": [pid],
            }
            from .merge import absorbed

            merged = absorbed(conn, pid)  # the records merged into them, and the decisions about them
            # text elsewhere that spells them: their names and emails, current and earlier (the journal's old values)
            spelled = [person, *merged.records, *({"email": v} for (v,) in conn.execute(
                select(IDT.c.value).where(IDT.c.person_id == pid, IDT.c.kind == "email")))]
            spelled += [json.loads(b) for (b,) in conn.execute(select(CHG.c.before_json).where(
                CHG.c.table_name == "person", CHG.c.row_id == pid, CHG.c.before_json.is_not(None)))]
            spellings = {s.strip() for d in spelled for s in (
                d.get("name"), d.get("email"),
                d.get("first_name") and d.get("last_name") and f"{d['first_name']} {d['last_name']}") if s}
            # any of their names in a meeting they took part in (e.g. "Lunch with Ann Lee"); only full names and
            # emails anywhere else (other people's comments, other meetings, the import log's file names)
            theirs = _spelling(s for s in spellings if len(s) >= 3)
            anywhere = _spelling(s for s in spellings if " " in s or "@" in s)
            erased = "(name erased)"
            redacted: dict[str, int] = defaultdict(int)
            mine = {i for (i,) in conn.execute(select(PART.c.interaction_id).where(PART.c.person_id == pid))}
            titled = select(INT.c.id, INT.c.name, INT.c.kind).where(INT.c.name.is_not(None))
            for iid, iname, kind in conn.execute(titled).all():
                found = theirs if iid in mine else anywhere
                if found is not None and found.search(iname):
                    conn.execute(update(INT).where(INT.c.id == iid).values(name=f"{kind} {erased}"))
                    redacted["interaction.name"] += 1
            if anywhere is not None:
                others = select(FB.c.id, FB.c.comment).where(FB.c.person_id != pid, FB.c.comment.is_not(None))
                for fid, comment in conn.execute(others).all():
                    if anywhere.search(comment):
                        conn.execute(update(FB).where(FB.c.id == fid).values(comment=anywhere.sub(erased, comment)))
                        redacted["feedback.comment"] += 1
                for lid, fname, sheet, details in conn.execute(
                        select(LOG.c.id, LOG.c.file_name, LOG.c.sheet, LOG.c.details_json)).all():
                    old_details = json.loads(details or "{}")
                    new_details = _redact_json(old_details, anywhere, erased)
                    if anywhere.search(fname) or (sheet and anywhere.search(sheet)) or new_details != old_details:
                        conn.execute(update(LOG).where(LOG.c.id == lid).values(
                            file_name=anywhere.sub(erased, fname), sheet=sheet and anywhere.sub(erased, sheet),
                            details_json=json.dumps(new_details)))
                        redacted["import_log"] += 1
                # other people's owner, company, segment, region, stage; relationship kinds ("introduced by
                # Ann Lee"), referral statuses ("via ann@x.com"): free text copied from the files
                for tname, columns in _REDACTED_TEXT.items():
                    table = TABLES[tname]
                    for column in columns:
                        col = table.c[column]
                        rows = conn.execute(select(table.c.id, col).where(col.is_not(None))).all()
                        for rid, value in rows:
                            if tname == "person" and rid == pid:
                                continue
                            if anywhere.search(value):
                                conn.execute(update(table).where(table.c.id == rid).values(
                                    {column: anywhere.sub(erased, value)}))
                                redacted[f"{tname}.{column}"] += 1
            for tname, ids in owned.items():
                for chunk in _chunks(ids, 900):
                    conn.execute(delete(CHG).where(CHG.c.table_name == tname, CHG.c.row_id.in_(chunk)))
            merged.forget(conn)  # the journal about the records merged into them; decisions naming them
            # the journal's earlier values of other rows (a meeting's old title, a comment before its update)
            journal = select(CHG.c.id, CHG.c.table_name, CHG.c.row_id, CHG.c.before_json).where(
                CHG.c.before_json.is_not(None))
            for cid, tname, rid, before in conn.execute(journal).all():
                found = theirs if tname == "interaction" and rid in mine else anywhere
                old = json.loads(before)
                if found is not None and any(isinstance(v, str) and found.search(v) for v in old.values()):
                    old = {k: found.sub(erased, v) if isinstance(v, str) else v for k, v in old.items()}
                    conn.execute(update(CHG).where(CHG.c.id == cid).values(before_json=json.dumps(old)))
                    redacted["import_change"] += 1
            for chunk in _chunks(owned["interaction"], 900):  # their tickets' interactions: not theirs alone
                conn.execute(delete(INT).where(INT.c.id.in_(chunk)))
            conn.execute(delete(P).where(P.c.id == pid))  # cascades to every row above
            self._bump(conn)
            counts = {k: len(v) for k, v in owned.items() if k != "person"}
            audit.record(conn, actor or local_actor(), "erase", f"person #{pid}",
                         {**counts, **{f"redacted {k}": n for k, n in sorted(redacted.items())}})
        self.wipe_free_space(erasing=pid)
        return {"person_id": pid, **counts, "redacted": dict(sorted(redacted.items()))}

    def wipe_free_space(self, *, erasing: int | None = None) -> None:
        """Leave no copy of deleted rows in the database files (after an erasure).

        SQLite: the file is rewritten (``VACUUM``) and the WAL emptied. PostgreSQL
        keeps deleted rows as dead tuples until a vacuum, and a plain ``VACUUM``
        leaves their bytes in the pages; ``VACUUM FULL`` rewrites the tables (and
        their indexes and TOAST) into new files. A transaction that was already
        running could still see the rows, so it waits (up to ``_PG_WIPE_WAIT`` s)
        for those to end. What it cannot reach: PostgreSQL's WAL and backups
        (README "Privacy")."""
        if not self.is_sqlite:
            with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                erased_at = conn.execute(text("SELECT clock_timestamp()")).scalar_one()
                deadline = time.monotonic() + _PG_WIPE_WAIT
                while time.monotonic() < deadline and conn.execute(text(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
                    " AND backend_xmin IS NOT NULL AND xact_start < :t"
                ), {"t": erased_at}).scalar_one():
                    time.sleep(0.1)
                for table in _ERASED_FROM:
                    conn.execute(text(f'VACUUM FULL "{table}"'))
            return
        # SQLite: the rewritten file is only clean once the WAL is copied back and emptied. A
        # checkpoint cannot pass a reader that still holds an older snapshot ("busy"): retry
        # while it reads, then say so rather than claim that nothing is left.
        raw = self.engine.raw_connection()  # autocommit: VACUUM cannot run inside a transaction
        try:
            cur = raw.cursor()
            # a TRUNCATE checkpoint waits for readers through the busy handler (30 s each time):
            # wait in short steps here instead, so that the deadline below is the whole wait
            cur.execute("PRAGMA busy_timeout = 200")
            cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cur.fetchall()
            cur.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            cur.execute("VACUUM")
            cur.execute("PRAGMA busy_timeout = 200")
            deadline = time.monotonic() + _SQLITE_WIPE_WAIT
            while True:
                cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                busy, log, done = cur.fetchone()
                if busy == 0 and (log <= 0 or log == done):
                    break
                if time.monotonic() >= deadline:
                    who = f"person #{erasing}'s rows are deleted" if erasing is not None else "deleted rows are gone"
                    raise ErasureIncomplete(
                        f"{who}, but another connection to {self.url} is still reading an older snapshot "
                        f"(an open page of the app, or a running command), so copies remain in the database's "
                        f"write-ahead log; close it and run `python -m netmap wipe` to finish"
                    )
                time.sleep(0.2)
            cur.close()
        finally:
            try:
                raw.cursor().execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")  # back to the pool as it came
            finally:
                raw.close()

    def audit(self, *, limit: int | None = None, action: str | None = None) -> list[dict]:
        """The audit log, newest first (:func:`netmap.storage.audit.entries`)."""
        return audit.entries(self.engine, limit=limit, action=action)

    # --------------------------------------------------------------- measures
    def cached(self, name: str) -> bytes | None:
        """A cached analysis result, if it was computed from the current data."""
        with self.engine.connect() as conn:
            version = self.data_version(conn)
            row = conn.execute(select(MEAS.c.payload, MEAS.c.data_version).where(MEAS.c.name == name)).first()
        return row[0] if row is not None and row[1] == version else None

    def is_cached(self, name: str) -> bool:
        """Whether :meth:`cached` would return a result, without reading it."""
        with self.engine.connect() as conn:
            version = self.data_version(conn)
            stored = conn.execute(select(MEAS.c.data_version).where(MEAS.c.name == name)).scalar_one_or_none()
        return stored is not None and stored == version

    def cache(self, name: str, payload: bytes, version: int) -> bool:
        """Keep an analysis result computed from data version ``version``, if no other
        writer holds the database right now (else nothing is kept, and the next reader
        computes it again): reads never wait for the write lock. Whether it was kept."""
        with self._writing_if_free() as conn:
            if conn is None:
                return False
            if self.data_version(conn) != version:
                return  # the data changed meanwhile: the result is already stale
            # one result per kind ("analysis/<code fingerprint>", "summary/ties"): older code versions' go
            kind = name.split("/", 1)[0] + "/"
            conn.execute(delete(MEAS).where((MEAS.c.name == name) | MEAS.c.name.startswith(kind, autoescape=True)))
            conn.execute(insert(MEAS), {"name": name, "data_version": version, "payload": payload})
        return True

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

    def undo_preview(self, import_id: int):
        """What :meth:`undo` of ``import_id`` would remove and restore, in counts and plain words, or
        why it would be refused; writes nothing (:func:`netmap.storage.merge.undo_plan`)."""
        from .merge import undo_plan

        with self.engine.connect() as conn:
            return undo_plan(conn, import_id)


# ----------------------------------------------------------------- helpers


class _KeyMap(dict):
    """Resolution keys to person ids: new people (negative keys) get the id
    the insert returned; stored people (positive keys) keep their own."""

    def __missing__(self, key: int) -> int:
        if key > 0:
            return key
        raise KeyError(key)


def _colleague_candidates(conn: Connection, key: str):
    """``(id, company)`` of everyone who may work at the company whose match key
    (``company.strip().casefold()``) is ``key``: a superset, checked exactly in Python.

    On SQLite: a company of ASCII only matches only if its ``lower`` contains ``key``
    (SQLite's ``lower`` folds ASCII only, and there ``casefold`` is ``lower``; ``strip``
    only removes characters around it). ``instr``, not ``LIKE``: no escaping, and no
    limit on the key's length (SQLite refuses LIKE patterns over 50,000 bytes). Any other
    company (an accent, a non-breaking space: its length in characters differs from its
    length in bytes) stays a candidate. The profile page reads a few hundred rows
    instead of every company: 0.05 s instead of 0.17 s at 100,000 people. Other
    databases get every company: their ``lower`` follows a collation, which may fold
    ASCII differently (Turkish ``I``).
    """
    q = select(P.c.id, P.c.company).where(P.c.company.is_not(None))
    if conn.dialect.name == "sqlite":
        not_ascii = func.length(P.c.company) != func.length(cast(P.c.company, LargeBinary))
        q = q.where((func.instr(func.lower(P.c.company), key) > 0) | not_ascii)
    return q


def _insert_many(conn: Connection, table, rows: list[dict]) -> None:
    """``conn.execute(insert(table), rows)``, the same rows stored, without SQLAlchemy's
    per-row parameter handling on SQLite.

    For each of a million rows SQLAlchemy rebuilds a parameter dict (``construct_params``),
    a third of an import of 100,000 people. Here the statement is compiled once, each
    column's own bind conversion (dates, booleans, :class:`netmap.storage.tables.UTCDateTime`) is
    applied as SQLAlchemy would, the columns' Python defaults are filled in, and the rows
    go to the driver's ``executemany`` as tuples. Rows that do not all name the same
    columns, an omitted column whose default is not a plain value, and other databases
    take SQLAlchemy's own path.
    """
    if not rows:
        return
    keys = list(rows[0])
    omitted = [c for c in table.columns if c.key not in rows[0]]
    if conn.dialect.name != "sqlite" or any(row.keys() != rows[0].keys() for row in rows) or \
            any(c.default is not None and not c.default.is_scalar for c in omitted):  # e.g. a callable default
        conn.execute(insert(table), rows)
        return
    defaults = {c.key: c.default.arg for c in omitted if c.default is not None}
    compiled = insert(table).compile(dialect=conn.dialect, column_keys=[*keys, *defaults])
    names = compiled.positiontup  # the parameter order of the compiled (qmark) statement
    convert = {c.key: c.type.dialect_impl(conn.dialect).bind_processor(conn.dialect) for c in table.columns}
    getters = []
    for name in names:
        fn = convert.get(name)
        if name in defaults:
            value = fn(defaults[name]) if fn else defaults[name]
            getters.append(lambda row, value=value: value)
        elif fn is None:
            getters.append(lambda row, name=name: row[name])
        else:  # as SQLAlchemy does: every value, None included, through the column's conversion
            getters.append(lambda row, name=name, fn=fn: fn(row[name]))
    conn.exec_driver_sql(str(compiled), [tuple(get(row) for get in getters) for row in rows])


#: meta key prefix: the highest id of a table's rows that a merge or keep-apart deleted
_RESERVED = "ids_reserved:"


def reserve_ids(conn: Connection, journal: list[dict]) -> None:
    """Keep the ids of the rows a decision deleted (``journal``: its ``import_change``
    entries) from being given to new rows on SQLite, where an INTEGER PRIMARY KEY without
    AUTOINCREMENT would hand out max(id) + 1 again: the merge's record names the merged
    person by id, and an undo brings the rows back with their own ids. (PostgreSQL's
    sequences never give an id twice.)"""
    top: dict[str, int] = {}
    for c in journal:
        if c["action"] == "delete":
            top[c["table_name"]] = max(top.get(c["table_name"], 0), int(c["row_id"]))
    for tname, rid in top.items():
        key = _RESERVED + tname
        current = conn.execute(select(META.c.value).where(META.c.key == key)).scalar()
        if current is None:
            conn.execute(insert(META).values(key=key, value=str(rid)))
        elif int(current) < rid:
            conn.execute(update(META).where(META.c.key == key).values(value=str(rid)))


def _insert_returning_ids(conn: Connection, table, rows: list[dict]) -> list[int]:
    """Insert many rows, returning their new ids in the same order."""
    if not rows:
        return []
    if conn.dialect.name == "sqlite":
        # SQLAlchemy runs INSERT ... RETURNING in parameter order one row at a time
        # on SQLite (60 % of an import of 100,000 people). Inside our write
        # transaction (BEGIN IMMEDIATE: no other writer) the ids SQLite would
        # pick are max(id) + 1, + 2, ... (an INTEGER PRIMARY KEY without
        # AUTOINCREMENT): give them explicitly and insert in one executemany.
        start = int(conn.execute(select(func.coalesce(func.max(table.c.id), 0))).scalar_one()) + 1
        reserved = conn.execute(select(META.c.value).where(META.c.key == _RESERVED + table.name)).scalar()
        start = max(start, int(reserved or 0) + 1)  # never an id a merge deleted (reserve_ids)
        ids = list(range(start, start + len(rows)))
        _insert_many(conn, table, [{**row, "id": rid} for row, rid in zip(rows, ids)])
        return ids
    result = conn.execute(insert(table).returning(table.c.id, sort_by_parameter_order=True), rows)
    return [r[0] for r in result]


def involved(wanted: dict) -> set[int]:
    return {k for key in wanted for k in key[:2]}


def _people_in(key: tuple, tname: str) -> tuple[int, ...]:
    return (key[0],) if tname == "feedback" else (key[0], key[1])


def _load(conn: Connection, table, key_cols: tuple[str, ...], value_cols: tuple[str, ...], people: set[int]) -> dict:
    """Existing rows of ``table`` whose first key column is one of ``people``."""
    out = {}
    cols = [table.c[c] for c in key_cols + value_cols]
    first = table.c[key_cols[0]]
    ids = sorted(people)
    chunks = _chunks(ids, 900) if len(ids) < 20_000 else [None]
    for chunk in chunks:
        q = select(*cols) if chunk is None else select(*cols).where(first.in_(chunk))
        for r in conn.execute(q).mappings():
            out[tuple(r[c] for c in key_cols)] = dict(r)
    return out


def _chunks(items: list, n: int) -> list[list]:
    return [items[i:i + n] for i in range(0, len(items), n)]


def _feedback_key(d: dict) -> str:
    if d.get("natural_key"):  # a ticket's rating: "ticket:<help desk>:<ticket id>" (netmap/ingest/identity.py)
        return d["natural_key"]
    if d.get("response_id"):
        return f"r:{d['response_id']}"
    if d.get("on"):
        return f"d:{d['scale']}:{d['on'].isoformat()}"
    return f"s:{d['scale']}:{d['score']}"


def _latest_feedback(conn: Connection) -> dict[int, tuple[float, str]]:
    """Each person's latest score (dated answers beat undated; then by id)."""
    latest: dict[int, tuple] = {}
    for pid, score, scale, on, fid in conn.execute(
        select(FB.c.person_id, FB.c.score, FB.c.scale, FB.c.answered_on, FB.c.id)
    ):
        rank = (on is not None, on or date.min, fid)
        if pid not in latest or rank > latest[pid][0]:
            latest[pid] = (rank, score, scale)
    return {pid: (v[1], v[2]) for pid, v in latest.items()}


#: the person columns the analysis reads, in the order :func:`_people` unpacks them
_PERSON_COLUMNS = (P.c.id, P.c.name, P.c.crm_id, P.c.email, P.c.company, P.c.owner, P.c.stage, P.c.segment,
                   P.c.region, P.c.created)


def _people(rows) -> tuple[Person, ...]:
    """:data:`_PERSON_COLUMNS` rows as :class:`Person` values (a person without a name
    is called by their email, CRM id or number)."""
    return tuple(
        Person(id=pid, name=name or email or crm_id or f"#{pid}", crm_id=crm_id, email=email, company=company,
               owner=owner, stage=stage, segment=segment, region=region, created=created)
        for pid, name, crm_id, email, company, owner, stage, segment, region, created in rows
    )


def _as_date(value) -> date:
    """A date from what ``max()`` of a date column returns (SQLite may give the text)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


_BUSY_MESSAGE = (
    "the database is busy: another import, undo or erasure has been writing to it for more than "
    f"{_BUSY_TIMEOUT_MS // 1000} s; nothing was changed; try again once it is done"
)


def _is_busy(exc: Exception) -> bool:
    """Whether a driver error says another connection holds the lock (SQLite's "database is
    locked"/"busy", PostgreSQL's lock timeout)."""
    text_ = str(getattr(exc, "orig", exc)).lower()
    return "database is locked" in text_ or "database is busy" in text_ or "lock timeout" in text_ \
        or getattr(getattr(exc, "orig", None), "sqlstate", None) == "55P03"


def _redact_json(value, pattern: re.Pattern, erased: str):
    """``value`` (parsed JSON) with every string's matches of ``pattern`` replaced."""
    if isinstance(value, str):
        return pattern.sub(erased, value)
    if isinstance(value, list):
        return [_redact_json(v, pattern, erased) for v in value]
    if isinstance(value, dict):
        return {k: _redact_json(v, pattern, erased) for k, v in value.items()}
    return value


def _spelling(texts) -> re.Pattern | None:
    """A case-insensitive pattern matching any of ``texts`` as a whole word or words (longest
    first: "Ann Lee" in "Lunch with Ann Lee's team", not "Ann" in "Annual review"), or None."""
    texts = sorted({t for t in texts if t}, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, texts)) + r")(?!\w)", re.IGNORECASE) if texts else None


def _json_default(v):
    if isinstance(v, (date, datetime)):
        return {"__date__": v.isoformat()}
    raise TypeError(type(v))


def _json_hook(d: dict):
    return date.fromisoformat(d["__date__"]) if "__date__" in d else d


#: the import log's kinds of a decision about a likely duplicate (netmap/storage/merge.py makes them)
DECISIONS = ("merge", "keep-apart")


def kept_apart(conn: Connection) -> set[frozenset]:
    """Every pair of people decided to be two (keep-apart decisions in place), each person
    taken through the merges in place to the person they are now part of."""
    alias: dict[int, int] = {}
    pairs_: list[list[int]] = []
    for kind, details in conn.execute(select(LOG.c.kind, LOG.c.details_json).where(
            LOG.c.kind.in_(DECISIONS), LOG.c.undone_at.is_(None)).order_by(LOG.c.id)):
        d = json.loads(details or "{}")
        if kind == "merge":
            alias[d["merged"]] = d["kept"]
        else:
            pairs_.append(d["people"])

    def now(pid: int) -> int:
        seen = set()
        while pid in alias and pid not in seen:
            seen.add(pid)
            pid = alias[pid]
        return pid

    out = {frozenset(now(p) for p in pair) for pair in pairs_}
    return {p for p in out if len(p) == 2}
