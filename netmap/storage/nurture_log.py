"""The nurture log: what was done for whom, written and read (``nurture_action`` table,
netmap/storage/tables.py ``NurtureAction``; the vocabulary: netmap/nurture_log.py).

:func:`log_action` writes one action logged by hand, in one write transaction with its
audit entry (action ``log``, target ``person #<id>``: no name, no note). The data version
stays: no measure is derived from the log, and bumping it would make the next page view
measure the whole network again (seconds to a minute at 100,000 people) for one note. :func:`entries` reads the log as plain rows, newest first. Imported actions (an
activities export, the ``activities`` kind) are written by netmap/storage/writer.py with the
rest of an import, journaled for undo like every imported row.

Erasing a person removes their log with them (the ``person_id`` foreign key cascades); a merge
moves the merged record's log to the kept person (netmap/storage/merge.py).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from sqlalchemy import Engine, func, insert, select

from ..config import local_actor
from ..errors import NetmapError, UnknownPerson
from ..nurture_log import check_action
from . import audit
from .tables import nurture_action as NA
from .tables import person as P

__all__ = ["actions", "entries", "log_action", "state"]


def log_action(store, person_id: int, action: str, *, note: str | None = None, on: date | None = None,
               actor: str | None = None) -> dict:
    """Log that ``action`` (a key of netmap/nurture_log.py ACTIONS, or its words) was done for
    ``person_id`` on ``on`` (default today), with an optional ``note``, by ``actor`` (default
    :func:`netmap.config.local_actor`; the app passes the signed-in user's email). Returns the row
    as :func:`entries` gives it, with its ``id``.

    Raises :class:`netmap.nurture_log.UnknownAction` for an action outside the vocabulary,
    :class:`netmap.errors.UnknownPerson` for nobody stored under ``person_id``, and
    :class:`netmap.errors.NetmapError` for a date after tomorrow (the log says what was done)."""
    key = check_action(action)
    on = on or date.today()
    if on > date.today() + timedelta(days=1):
        raise NetmapError(f"{on.isoformat()} is in the future: the nurture log records what was done; "
                          "log it on the day it is done")
    note = (note or "").strip() or None
    actor = actor or local_actor()
    with store.writing() as conn:
        if conn.execute(select(P.c.id).where(P.c.id == person_id)).first() is None:
            raise UnknownPerson(f"there is no person #{person_id} (they may have been merged or erased)")
        rid = conn.execute(insert(NA).returning(NA.c.id), {
            "person_id": person_id, "action": key, "note": note, "done_on": on, "logged_by": actor,
            "logged_at": datetime.now(timezone.utc), "source": "manual", "external_id": None, "import_id": None,
        }).scalar_one()
        audit.record(conn, actor, "log", f"person #{person_id}", {"actions": 1})
    return entries(store.engine, ids=[rid])[0]


def state(engine: Engine) -> tuple[int, int]:
    """What the log holds, in two numbers: ``(how many actions, the largest id)``. Rows are only ever
    added by hand (the largest id grows) or with a change of the data version (an import, its
    undo, a merge, an erasure), so a result computed from the log is current while this and
    the data version are unchanged (netmap/outcomes_report.py keeps its table by them)."""
    with engine.connect() as conn:
        count, largest = conn.execute(select(func.count(), func.max(NA.c.id))).one()
    return int(count), int(largest or 0)


def actions(engine: Engine) -> list[tuple[int, str, date]]:
    """Every dated action as ``(person_id, action, done_on)``, in no particular order: what
    the outcomes need, without the names and notes :func:`entries` joins in."""
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            select(NA.c.person_id, NA.c.action, NA.c.done_on).where(NA.c.done_on.is_not(None)))]


def entries(engine: Engine, *, person_id: int | None = None, owner: str | None = None,
            ids: list[int] | None = None, limit: int | None = None) -> list[dict]:
    """The log, newest first (by ``done_on``, then the latest logged): one dict per action with
    ``id, done_on, person_id, name, owner, action, note, logged_by, source``. ``person_id`` keeps
    one person's; ``owner`` the actions for that account manager's people (compared without
    case; a :class:`netmap.errors.NetmapError` naming the owners when nobody has that owner);
    ``limit`` the newest that many."""
    q = (select(NA.c.id, NA.c.done_on, NA.c.person_id, P.c.name, P.c.first_name, P.c.last_name, P.c.email,
                P.c.owner, NA.c.action, NA.c.note, NA.c.logged_by, NA.c.source)
         .join(P, P.c.id == NA.c.person_id)
         .order_by(NA.c.done_on.desc(), NA.c.id.desc()))
    if person_id is not None:
        q = q.where(NA.c.person_id == person_id)
    if ids is not None:
        q = q.where(NA.c.id.in_(ids))
    if limit is not None:
        q = q.limit(limit)
    with engine.connect() as conn:
        if owner is not None and owner.strip():
            wanted = owner.strip().casefold()
            if conn.execute(select(P.c.id).where(func.lower(P.c.owner) == wanted).limit(1)).first() is None:
                known = sorted({o for (o,) in conn.execute(select(P.c.owner).distinct()) if o})
                raise NetmapError(f"no account manager {owner!r}; owners: {', '.join(known[:20]) or '(none)'}")
            q = q.where(func.lower(P.c.owner) == wanted)
        rows = conn.execute(q).mappings().all()
    out = []
    for r in rows:
        full = " ".join(x for x in (r["first_name"], r["last_name"]) if x)
        out.append({"id": r["id"], "done_on": r["done_on"], "person_id": r["person_id"],
                    "name": r["name"] or full or r["email"] or f"#{r['person_id']}", "owner": r["owner"],
                    "action": r["action"], "note": r["note"], "logged_by": r["logged_by"], "source": r["source"]})
    return out
