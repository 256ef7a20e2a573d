"""The import writer and its undo journal.

:func:`apply` writes one resolved import (:class:`netmap.ingest.identity.Resolution`)
inside the caller's write transaction: an ``import_log`` row per file, the new and
updated people and their identifiers, the ties (:func:`_write_ties`: referrals,
relationships, interactions and participations, feedback, tickets), the likely
duplicates to review, and an ``import_change`` row (the journal) per row inserted,
updated (with its values before, :func:`_json_default`) or built on ("use"), which
is what netmap/storage/undo.py reads. The bulk inserts are compiled Core inserts
(:func:`_insert_many`, :func:`_insert_returning_ids`); :func:`reserve_ids` keeps the
ids a merge deleted (netmap/storage/merge.py) from being handed out again.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from sqlalchemy import func, insert, select, update
from sqlalchemy.engine import Connection

from ..ingest.identity import PERSON_FIELDS, KnownPerson, PeopleIndex, Resolution
from .engine import chunks
from .reads import kept_apart
from .tables import feedback as FB
from .tables import identifier as IDT
from .tables import import_change as CHG
from .tables import import_log as LOG
from .tables import interaction as INT
from .tables import meta as META
from .tables import participation as PART
from .tables import person as P
from .tables import referral as REF
from .tables import relationship as REL
from .tables import review as REV
from .tables import nurture_action as NA
from .tables import ticket as TKT

#: the tables the journal names, by name
TABLES = {t.name: t for t in (P, IDT, REL, REF, INT, PART, FB, REV, TKT, NA)}


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


def people_index(conn: Connection) -> PeopleIndex:
    """Everyone stored, with their CRM ids, emails and URLs: what an import is resolved against."""
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


def apply(store, conn: Connection, resolution: Resolution, files: list[FileMeta]) -> list[FileResult]:
    """Write one resolved import inside ``conn``'s transaction (:meth:`netmap.storage.store.Store.apply`):
    every row it adds or changes journaled for undo, the data version bumped (``store._bump``) when
    anything changed."""
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
    _write_ties(conn, resolution, keymap, results, log, uses)
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
        store._bump(conn)
    return [results[m.label] for m in files]


def _write_ties(conn, resolution, keymap, results, log, uses) -> None:
    """Referrals, relationships, interactions with their participations, feedback and tickets,
    each by its natural key: new rows inserted, stored ones updated where the files say
    otherwise, every change journaled through ``log``; ``uses`` collects the stored people and
    interactions this import builds on (journaled as "use": undo refuses while they matter)."""
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
        _upsert(
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
        _upsert(
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
        for chunk in chunks(ids_needed, 900):
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
        _upsert(
            conn, FB, "feedback", fbs, existing,
            lambda k, d: {"person_id": k[0], "natural_key": k[1], "score": d["score"], "scale": d["scale"], "answered_on": d.get("on"), "comment": d.get("comment"), "response_id": d.get("response_id")},
            {"score": "score", "on": "answered_on", "comment": "comment"}, results, log, uses, lab, "feedback",
        )
    _write_tickets(conn, [t for t in ties if t.kind == "ticket"], keymap, results, log, uses, lab)
    _write_actions(conn, [t for t in ties if t.kind == "nurture_action"], keymap, results, log, uses, lab)
    # interactions built on by this import: journal as 'use' of the interaction row
    for label, neg in [u for u in uses if u[1] < 0]:
        uses.discard((label, neg))
        log(label, "interaction", -neg, "use")


def _stored_by_source_id(conn, table, keys) -> dict[tuple[str, str], dict]:
    """The stored rows of ``table`` (tickets, nurture actions: known by their export's vendor and
    id) for the ``(source, external id)`` keys, each as a dict under its key."""
    found = {}
    for chunk in chunks(sorted(keys), 900):
        for r in conn.execute(select(table).where(table.c.external_id.in_([k[1] for k in chunk]))).mappings():
            found[(r["source"], r["external_id"])] = dict(r)
    return found


def _by_source_id(ties, row) -> dict[tuple[str, str], tuple]:
    """Each row-tie by its natural key (the export's vendor, its own id): ``(its source row,
    row(tie))``, what :func:`_upsert` takes."""
    return {(t.data["source"], t.data["external_id"]): (t.src, row(t)) for t in ties}


#: what a ticket export sets on a stored ticket, and what a later export may change
_TICKET_FIELDS = ("requester_id", "agent_id", "status", "subject", "company", "created_on", "solved_on", "rating",
                  "csat", "rating_comment")


def _write_tickets(conn, ties, keymap, results, log, uses, lab) -> None:
    """Tickets by their natural key (help desk, ticket id): new ones inserted, a stored one
    updated where the export says otherwise (status, dates, rating, agent ...), journaled
    for undo with the values before. Their interaction was written just before."""
    if not ties:
        return
    wanted = _by_source_id(ties, lambda t: {
        "requester_id": keymap[t.keys[0]], "agent_id": keymap[t.keys[1]] if len(t.keys) > 1 else None,
        **{c: t.data[c] for c in _TICKET_FIELDS[2:]}, "interaction_id": t.data["interaction"]})
    iid = {}
    keys = sorted({v[1]["interaction_id"] for v in wanted.values()})
    for chunk in chunks(keys, 900):
        iid.update(conn.execute(select(INT.c.external_id, INT.c.id).where(
            INT.c.kind == "ticket", INT.c.external_id.in_(chunk))).all())
    for _, data in wanted.values():
        data["interaction_id"] = iid.get(data["interaction_id"])
    # what the export leaves empty (no rating yet, no agent) keeps what is stored (_upsert)
    _upsert(conn, TKT, "ticket", wanted, _stored_by_source_id(conn, TKT, wanted),
            lambda k, data: {"source": k[0], "external_id": k[1], **data},
            {c: c for c in (*_TICKET_FIELDS, "interaction_id")}, results, log, uses, lab, "tickets")


#: what an imported activity sets on its nurture log entry, and what a later export may change
_ACTION_FIELDS = ("person_id", "action", "note", "done_on", "logged_by")


def _write_actions(conn, ties, keymap, results, log, uses, lab) -> None:
    """Imported activities as nurture log entries (netmap/storage/nurture_log.py), by their natural key
    (the export's vendor, the activity id): new ones inserted with their import's id, logged by the
    export's owner (else by the importer, ``importer``), a stored one updated where the export says
    otherwise (action, note, date, contact, owner), journaled for undo with the values before."""
    if not ties:
        return
    wanted = _by_source_id(ties, lambda t: {"person_id": keymap[t.keys[0]],
                                            **{c: t.data[c] for c in _ACTION_FIELDS[1:]}})
    existing = _stored_by_source_id(conn, NA, wanted)
    now = _now()
    importer = {(t.data["source"], t.data["external_id"]): t.data.get("importer") or "import" for t in ties}

    def make_row(k, data):
        return {"source": k[0], "external_id": k[1], "logged_at": now, "import_id": results[lab(wanted[k][0])].import_id,
                **data, "logged_by": data["logged_by"] or importer[k]}

    _upsert(conn, NA, "nurture_action", wanted, existing, make_row, {c: c for c in _ACTION_FIELDS}, results, log,
            uses, lab, "nurture_actions")


def _upsert(conn, table, tname, wanted, existing, make_row, compare, results, log, uses, lab, counter) -> None:
    """Insert the ``wanted`` rows (natural key -> (source, data)) not in ``existing`` (made by
    ``make_row``), update the others where a ``compare`` column differs, journal and count both."""
    new_keys = [k for k in wanted if k not in existing]
    ids = _insert_returning_ids(conn, table, [make_row(k, wanted[k][1]) for k in new_keys])
    for k, rid in zip(new_keys, ids):
        src = wanted[k][0]
        log(lab(src), tname, rid, "insert")
        results[lab(src)].added[counter] += 1
        for pid in _people_in(k, tname, wanted[k][1]):
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
            for pid in _people_in(k, tname, data):
                uses.add((lab(src), pid))


class _KeyMap(dict):
    """Resolution keys to person ids: new people (negative keys) get the id
    the insert returned; stored people (positive keys) keep their own."""

    def __missing__(self, key: int) -> int:
        if key > 0:
            return key
        raise KeyError(key)


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


def _people_in(key: tuple, tname: str, data: dict) -> tuple[int, ...]:
    """The people a written row ties this import to: in its natural key, or (a ticket or an
    imported nurture action, known by the export's vendor and id) in its data."""
    if tname == "nurture_action":
        return (data["person_id"],)
    if tname == "ticket":
        return tuple(p for p in (data["requester_id"], data["agent_id"]) if p)
    return (key[0],) if tname == "feedback" else (key[0], key[1])


def _load(conn: Connection, table, key_cols: tuple[str, ...], value_cols: tuple[str, ...], people: set[int]) -> dict:
    """Existing rows of ``table`` whose first key column is one of ``people``."""
    out = {}
    cols = [table.c[c] for c in key_cols + value_cols]
    first = table.c[key_cols[0]]
    ids = sorted(people)
    parts = chunks(ids, 900) if len(ids) < 20_000 else [None]
    for chunk in parts:
        q = select(*cols) if chunk is None else select(*cols).where(first.in_(chunk))
        for r in conn.execute(q).mappings():
            out[tuple(r[c] for c in key_cols)] = dict(r)
    return out


def _feedback_key(d: dict) -> str:
    if d.get("natural_key"):  # a ticket's rating: "ticket:<help desk>:<ticket id>" (netmap/ingest/identity.py)
        return d["natural_key"]
    if d.get("response_id"):
        return f"r:{d['response_id']}"
    if d.get("on"):
        return f"d:{d['scale']}:{d['on'].isoformat()}"
    return f"s:{d['scale']}:{d['score']}"


def _json_default(v):
    if isinstance(v, (date, datetime)):
        return {"__date__": v.isoformat()}
    raise TypeError(type(v))


def _json_hook(d: dict):
    return date.fromisoformat(d["__date__"]) if "__date__" in d else d
