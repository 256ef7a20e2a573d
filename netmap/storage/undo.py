"""Undo: taking one import, merge or keep-apart decision back out of the database.

An import's journal (``import_change`` rows, written by netmap/storage/writer.py)
says which rows it inserted, which it updated (with their values before) and which
earlier rows it built on; a merge's or keep-apart's (netmap/storage/merge.py) also
which rows it deleted. :func:`undo` restores the deleted rows (parents first) and
the updated values (newest first), deletes the inserted rows children first
(:data:`_CHILD_FIRST`), and marks the import undone, in one write transaction;
:func:`undo_preview` says what it would do, or why it is refused, without writing.
"""

from __future__ import annotations

import json
from collections import defaultdict

from sqlalchemy import delete, select, update

from ..config import local_actor
from ..errors import ImportNotFound, UndoRefused
from . import audit
from .engine import chunks
from .merge import restore_deleted, undo_plan, undo_refusal, undo_target  # merges and keep-apart decisions too
from .tables import import_change as CHG
from .tables import import_log as LOG
from .tables import nurture_action as NA
from .tables import review as REV
from .writer import TABLES, _json_hook, _now

#: delete order for undo: children before parents
_CHILD_FIRST = ("nurture_action", "ticket", "participation", "feedback", "referral", "relationship", "review", "identifier", "interaction",
                "person")


def undo(store, import_id: int, *, actor: str | None = None) -> dict:
    """Undo one import: remove what it added, restore what it changed. A merge or a
    keep-apart decision (:mod:`netmap.storage.merge`, in the import log too) is undone the same
    way, its deleted rows first brought back with their own ids.

    Refused (nothing changes) while a later import or decision that is still in place
    built on this one's rows: undo that one first (:func:`netmap.storage.merge.undo_refusal`;
    :func:`undo_preview` says the same, and what the undo would do, without writing). ``actor`` (default
    :func:`netmap.config.local_actor`) is recorded in the audit log.
    """
    with store.writing() as conn:
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
        # actions logged by hand since for people this import added go with them (the foreign key
        # cascades): counted as removed, so the undo says so
        mine_actions = set(inserted.get("nurture_action", []))
        for chunk in chunks(inserted.get("person", []), 900):
            logged = [r for (r,) in conn.execute(select(NA.c.id).where(NA.c.person_id.in_(chunk)))
                      if r not in mine_actions]
            if logged:
                counts["nurture_action removed"] += len(logged)
        for tname in _CHILD_FIRST:
            ids = inserted.get(tname, [])
            for chunk in chunks(ids, 900):
                conn.execute(delete(TABLES[tname]).where(TABLES[tname].c.id.in_(chunk)))
            if ids:
                counts[f"{tname} removed"] += len(ids)
        conn.execute(delete(CHG).where(CHG.c.import_id == import_id))
        conn.execute(delete(REV).where(REV.c.import_id == import_id))
        conn.execute(update(LOG).where(LOG.c.id == import_id).values(undone_at=_now()))
        if counts:
            store._bump(conn)
        audit.record(conn, actor or local_actor(), "undo", undo_target(row), counts)
        return {"import_id": import_id, "file_name": row["file_name"], **counts}


def undo_preview(store, import_id: int):
    """What :func:`undo` of ``import_id`` would remove and restore, in counts and plain words, or
    why it would be refused; writes nothing (:func:`netmap.storage.merge.undo_plan`)."""
    with store.engine.connect() as conn:
        return undo_plan(conn, import_id)
