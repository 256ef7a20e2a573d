"""Erasure: a person taken out of the database down to the bytes of its files.

:func:`erase` deletes the person with every row about them (ties, referrals,
participations, feedback, their tickets and those tickets' interactions, their nurture log, reviews,
identifiers, and the journal entries about those rows and about the records merged
into them, netmap/storage/merge.py ``absorbed``), redacts their full name and email
wherever else stored text spells them (:data:`_REDACTED_TEXT`, meeting titles, other
people's comments, the import log, the journal's earlier values), and records the
counts, nothing that names them, in the audit log (netmap/storage/audit.py).
:func:`wipe_free_space` then rewrites the files: SQLite ``VACUUM`` and an emptied
write-ahead log (checked), PostgreSQL ``VACUUM FULL`` of :data:`_ERASED_FROM`.
"""

from __future__ import annotations

import json
import re
import time
from collections import defaultdict

from sqlalchemy import delete, select, text, update

from ..config import local_actor
from ..errors import ErasureIncomplete, UnknownPerson
from . import audit
from . import engine as _engine
from .engine import chunks
from .merge import absorbed
from .tables import feedback as FB
from .tables import identifier as IDT
from .tables import import_change as CHG
from .tables import import_log as LOG
from .tables import interaction as INT
from .tables import nurture_action as NA
from .tables import participation as PART
from .tables import person as P
from .tables import referral as REF
from .tables import relationship as REL
from .tables import review as REV
from .tables import ticket as TKT
from .writer import TABLES

#: tables an erasure deletes from or rewrites (on PostgreSQL: VACUUM FULL after it), and the seconds it waits
#: for transactions older than the erasure before that
_ERASED_FROM = ("person", "identifier", "relationship", "referral", "participation", "feedback", "review",
                "interaction", "import_log", "import_change", "measure_cache", "ticket", "nurture_action")
_PG_WIPE_WAIT = 30
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
    "nurture_action": ("note", "logged_by"),
}


def erase(store, person_id: int, *, actor: str | None = None) -> dict:
    """Erase a person with every tie, referral, participation, feedback and
    journal entry about them (and about the records merged into them: :func:`netmap.storage.merge.absorbed`;
    a merge or keep-apart decision that named them can no longer be undone), redact their full name and email wherever else
    stored text spells them, then rewrite the database so no byte of them is
    left (SQLite: ``secure_delete`` + ``VACUUM`` + a WAL checkpoint that is
    checked). ``person_id``: their id, never a name (resolve a WHO with
    :meth:`netmap.storage.store.Store.resolve_one` first). The audit log records ``actor`` (default
    :func:`netmap.config.local_actor`), the person's number and the counts:
    nothing that names them.

    Returns ``{"person_id", <table>: rows deleted ..., "redacted": {"table.column":
    rows}}``. Raises :class:`ErasureIncomplete` when the rows are gone but another
    connection kept copies reachable (the message says what to do)."""
    if isinstance(person_id, bool) or not isinstance(person_id, int):
        raise TypeError(f"erase takes a person id (a whole number), not {person_id!r}: resolve a name, email or "
                        "CRM id to one person first (Store.resolve_one)")
    pid = person_id
    with store.writing() as conn:
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
            "nurture_action": [r for (r,) in conn.execute(select(NA.c.id).where(NA.c.person_id == pid))],
            "identifier": [r for (r,) in conn.execute(select(IDT.c.id).where(IDT.c.person_id == pid))],
            "review": [r for (r,) in conn.execute(select(REV.c.id).where((REV.c.a_id == pid) | (REV.c.b_id == pid)))],
            "person": [pid],
        }
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
            for chunk in chunks(ids, 900):
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
        for chunk in chunks(owned["interaction"], 900):  # their tickets' interactions: not theirs alone
            conn.execute(delete(INT).where(INT.c.id.in_(chunk)))
        conn.execute(delete(P).where(P.c.id == pid))  # cascades to every row above
        store._bump(conn)
        counts = {k: len(v) for k, v in owned.items() if k != "person"}
        audit.record(conn, actor or local_actor(), "erase", f"person #{pid}",
                     {**counts, **{f"redacted {k}": n for k, n in sorted(redacted.items())}})
    store.wipe_free_space(erasing=pid)
    return {"person_id": pid, **counts, "redacted": dict(sorted(redacted.items()))}


def wipe_free_space(store, *, erasing: int | None = None) -> None:
    """Leave no copy of deleted rows in the database files (after an erasure).

    SQLite: the file is rewritten (``VACUUM``) and the WAL emptied. PostgreSQL
    keeps deleted rows as dead tuples until a vacuum, and a plain ``VACUUM``
    leaves their bytes in the pages; ``VACUUM FULL`` rewrites the tables (and
    their indexes and TOAST) into new files. A transaction that was already
    running could still see the rows, so it waits (up to ``_PG_WIPE_WAIT`` s)
    for those to end. What it cannot reach: PostgreSQL's WAL and backups
    (README "Privacy")."""
    if not store.is_sqlite:
        with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
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
    raw = store.engine.raw_connection()  # autocommit: VACUUM cannot run inside a transaction
    try:
        cur = raw.cursor()
        # a TRUNCATE checkpoint waits for readers through the busy handler (30 s each time):
        # wait in short steps here instead, so that the deadline below is the whole wait
        cur.execute("PRAGMA busy_timeout = 200")
        cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cur.fetchall()
        cur.execute(f"PRAGMA busy_timeout = {_engine.BUSY_TIMEOUT_MS}")
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
                    f"{who}, but another connection to {store.url} is still reading an older snapshot "
                    f"(an open page of the app, or a running command), so copies remain in the database's "
                    f"write-ahead log; close it and run `python -m netmap wipe` to finish"
                )
            time.sleep(0.2)
        cur.close()
    finally:
        try:
            raw.cursor().execute(f"PRAGMA busy_timeout = {_engine.BUSY_TIMEOUT_MS}")  # back to the pool as it came
        finally:
            raw.close()


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


