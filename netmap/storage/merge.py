"""Likely duplicates, decided: merge two records of one person, or keep two people apart.

Identity resolution (:mod:`netmap.ingest.identity`) merges only what is certain and lists the
rest in the ``review`` table. A person then decides each pair:

- **merge** (:func:`merge_people`): everything of the second person moves to the first:
  their ids and emails, relationships, referrals, meeting participations, survey answers,
  support tickets, nurture log entries and the other likely-duplicate reviews about them. A row that would tie the person to
  themselves is dropped; a row that would repeat one the first person already has (by the
  table's unique key: a relationship's pair and kind, a referral's pair, a participation's
  meeting, a survey answer's natural key) is combined with it: the kept row's empty fields
  are filled from the moved one, which is dropped. The first person's empty fields are
  filled from the second's; then the second person is deleted.
- **keep apart** (:func:`keep_apart`): the pair's reviews are closed, and no later import
  lists the same two people again (:func:`netmap.storage.reads.kept_apart`, read by netmap/storage/writer.py ``apply``).

Each decision is written as an import is: one row in the import log (kind ``merge`` or
``keep-apart``, named by numbers only: "merge #12 into #7"), its changes in the undo
journal (``import_change``: ``update`` with the values before, ``delete`` with the whole
row deleted), one audit entry (action ``merge`` or ``keep-apart``), the data version
bumped (the measures are computed again), all in one transaction. :meth:`Store.undo`
undoes it as it undoes an import: the deleted rows come back with their own ids, then
every changed row gets its earlier values back, so both people and every moved row are
exactly as before. It is refused while a later import or decision builds on what the
decision changed or needs (:func:`undo_refusal`).

Erasure (:meth:`Store.erase`) erases a person with the records merged into them:
:func:`absorbed` says which rows and journal entries those are, and which decisions can no
longer be undone once they are gone.

:func:`undo_plan` says in plain words, before anything is written, what undoing an
import or a decision will remove and restore (the app's confirmation).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import delete, insert, or_, select, update
from sqlalchemy.engine import Connection

from ..config import local_actor
from ..errors import ImportNotFound, NetmapError, UnknownPerson
from ..model import feeling_of
from . import audit
from .engine import chunks as _chunks
from .reads import DECISIONS, kept_apart
from .tables import feedback as FB
from .tables import identifier as IDT
from .tables import import_change as CHG
from .tables import import_log as LOG
from .tables import person as P
from .tables import review as REV
from .writer import TABLES, _json_default, _json_hook, _now, reserve_ids

__all__ = [
    "DECISIONS", "MergeRefused", "Pair", "Side", "UndoPlan", "absorbed", "decisions", "keep_apart",
    "merge_people", "merge_summary", "pairs", "undo_plan", "undo_refusal", "undo_target",
]


#: per table that names people: the columns that do
PERSON_COLUMNS = {
    "identifier": ("person_id",),
    "relationship": ("a_id", "b_id"),
    "referral": ("referrer_id", "referred_id"),
    "participation": ("person_id",),
    "feedback": ("person_id",),
    "review": ("a_id", "b_id"),
    "ticket": ("requester_id", "agent_id"),  # the agent's may be null
    "nurture_action": ("person_id",),
}
#: what moves in a merge, in this order (the person rows last)
_MOVED = ("identifier", "relationship", "referral", "participation", "feedback", "review", "ticket",
          "nurture_action")
#: the unique key a moved row may collide with, and the fields a combined row takes from the moved one
_UNIQUE = {
    "relationship": (("a_id", "b_id", "kind"), ("strength", "since")),
    "referral": (("referrer_id", "referred_id"), ("referred_on", "status", "value")),
    "participation": (("interaction_id", "person_id"), ()),
    "feedback": (("person_id", "natural_key"), ("answered_on", "comment", "response_id")),
}
#: a person's fields a merge fills from the merged record when the kept one has none
_FILLED = ("crm_id", "email", "first_name", "last_name", "name", "company", "owner", "stage", "segment", "region",
           "created")
#: rows an undo brings back, parents first
PARENT_FIRST = ("person", "interaction", "identifier", "relationship", "referral", "participation", "feedback",
                "review", "ticket", "nurture_action")

#: plain words for what rows are to a user: (one, many)
_NOUNS = {
    "person": ("person", "people"),
    "identifier": ("id or email", "ids and emails"),
    "tie": ("tie", "ties"),
    "interaction": ("meeting or deal", "meetings or deals"),
    "participation": ("meeting attendance", "meeting attendances"),
    "feedback": ("survey answer", "survey answers"),
    "review": ("likely duplicate to review", "likely duplicates to review"),
    "ticket": ("support ticket", "support tickets"),
    "nurture_action": ("logged nurture action", "logged nurture actions"),
}
_NOUN_OF = {"relationship": "tie", "referral": "tie"}


class MergeRefused(NetmapError):
    """A merge or keep-apart that cannot be made (one person twice, a pair already kept apart)."""


# --------------------------------------------------------------- decisions --
def merge_people(store, keep: int | str, other: int | str, *, actor: str | None = None) -> dict:
    """Merge ``other`` into ``keep`` (each an id, or a WHO naming exactly one person:
    :meth:`Store.resolve_one`); see the module docstring. Returns ``{"merge_id", "kept",
    "merged", "kept_name", "merged_name", "moved", "combined", "dropped", "filled"}`` (the
    last four: rows per table, and the number of the kept person's fields filled)."""
    keep_id, other_id = _person_id(store, keep), _person_id(store, other)
    if keep_id == other_id:
        raise MergeRefused(f"#{keep_id} and #{other_id} are the same person: a merge needs two")
    with store.writing() as conn:
        kept, merged = _row(conn, keep_id), _row(conn, other_id)
        log_id = _log_row(conn, "merge", f"merge #{other_id} into #{keep_id}",
                          {"kept": keep_id, "merged": other_id, "people": [keep_id, other_id]})
        journal: list[dict] = []
        moved: dict[str, int] = defaultdict(int)
        combined: dict[str, int] = defaultdict(int)
        dropped: dict[str, int] = defaultdict(int)
        apart = kept_apart(conn)
        for tname in _MOVED:
            _move(conn, tname, keep_id, other_id, log_id, journal, moved, combined, dropped, apart)
        # the kept person's empty fields from the merged record; "listed" when either was
        fills = {f: merged[f] for f in _FILLED if kept[f] in (None, "") and merged[f] not in (None, "")}
        changes = {**fills, "listed": bool(kept["listed"] or merged["listed"])}
        conn.execute(update(P).where(P.c.id == keep_id).values(**changes))
        # always journalled (with "listed"): a later import that builds on the kept person blocks the undo
        _note(journal, log_id, "person", keep_id, "update", {c: kept[c] for c in changes})
        conn.execute(delete(P).where(P.c.id == other_id))
        _note(journal, log_id, "person", other_id, "delete", dict(merged))
        conn.execute(insert(CHG), journal)
        reserve_ids(conn, journal)
        counts = {"moved": dict(moved), "combined": dict(combined), "dropped": dict(dropped), "filled": len(fills)}
        conn.execute(update(LOG).where(LOG.c.id == log_id).values(
            updated=1 + sum(moved.values()) + sum(combined.values()),
            details_json=json.dumps({"kept": keep_id, "merged": other_id, "people": [keep_id, other_id],
                                     "added": {}, "updated": {"people": 1}, **counts})))
        store._bump(conn)  # the measures are computed again
        audit.record(conn, actor or local_actor(), "merge", f"merge #{log_id}: #{other_id} into #{keep_id}", counts)
    return {"merge_id": log_id, "kept": keep_id, "merged": other_id, "kept_name": _name(kept),
            "merged_name": _name(merged), **counts}


def keep_apart(store, a: int | str, b: int | str, *, actor: str | None = None) -> dict:
    """Decide that ``a`` and ``b`` are two different people: their reviews are closed and
    later imports do not list them together again. Returns ``{"decision_id", "people",
    "names", "reviews"}`` (reviews: how many were closed)."""
    a_id, b_id = _person_id(store, a), _person_id(store, b)
    if a_id == b_id:
        raise MergeRefused(f"#{a_id} and #{b_id} are the same person")
    lo, hi = sorted((a_id, b_id))
    with store.writing() as conn:
        rows = {pid: _row(conn, pid) for pid in (lo, hi)}
        if frozenset((lo, hi)) in kept_apart(conn):
            raise MergeRefused(f"#{lo} and #{hi} are already kept apart")
        log_id = _log_row(conn, "keep-apart", f"keep #{lo} and #{hi} apart", {"people": [lo, hi]})
        journal: list[dict] = []
        reviews = conn.execute(select(REV).where(
            ((REV.c.a_id == lo) & (REV.c.b_id == hi)) | ((REV.c.a_id == hi) & (REV.c.b_id == lo))
        ).order_by(REV.c.id)).mappings().all()
        for r in reviews:
            conn.execute(delete(REV).where(REV.c.id == r["id"]))
            _note(journal, log_id, "review", r["id"], "delete", dict(r))
        if journal:
            conn.execute(insert(CHG), journal)
            reserve_ids(conn, journal)
        conn.execute(update(LOG).where(LOG.c.id == log_id).values(details_json=json.dumps(
            {"people": [lo, hi], "added": {}, "updated": {}, "reviews": len(reviews)})))
        store._bump(conn)
        audit.record(conn, actor or local_actor(), "keep-apart", f"keep-apart #{log_id}: #{lo} and #{hi}",
                     {"reviews closed": len(reviews)})
    return {"decision_id": log_id, "people": [lo, hi], "names": [_name(rows[lo]), _name(rows[hi])],
            "reviews": len(reviews)}




def merge_summary(result: dict) -> str:
    """What :func:`merge_people` did, in plain words ("Merged Ann Lee (#12) into Ann Lee (#7):
    2 ids and emails, 3 ties and 1 survey answer moved to them; ...")."""
    keep, other = result["kept"], result["merged"]
    parts = [f"Merged {result['merged_name']} (#{other}) into {result['kept_name']} (#{keep})"]
    moved = _plain(_by_noun(result["moved"]))
    details = [f"{moved} moved to #{keep}" if moved else f"nothing of #{other} needed moving"]
    combined = _plain(_by_noun(result["combined"]))
    if combined:
        details.append(f"{combined} combined with the one{'s' if _total(result['combined']) != 1 else ''} "
                       f"#{keep} already had")
    dropped = _plain(_by_noun(result["dropped"]))
    if dropped:
        details.append(f"{dropped} between the two dropped")
    if result.get("filled"):
        n = result["filled"]
        details.append(f"{n} empty field{'s' if n != 1 else ''} of #{keep} filled in")
    return parts[0] + ": " + "; ".join(details) + f". #{other} is gone; undo restores both exactly."


# ------------------------------------------------------------------- pairs --
@dataclass(frozen=True)
class Side:
    """One person of a likely-duplicate pair, as the Review page shows them."""

    person_id: int
    name: str
    email: str
    company: str
    owner: str
    stage: str
    feeling: str
    ids: tuple[str, ...]
    ties: int

    def label(self) -> str:
        return f"{self.name} (#{self.person_id})"


@dataclass(frozen=True)
class Pair:
    """A pair of people listed as likely duplicates (one or more reviews), the person
    known longest (the smaller id) first: a merge keeps them."""

    first: Side
    second: Side
    reasons: tuple[str, ...]
    review_ids: tuple[int, ...]

    @property
    def key(self) -> str:
        return f"{self.first.person_id}_{self.second.person_id}"

    def rows(self) -> list[dict]:
        """The two people side by side, one row per detail (every cell text)."""
        a, b = self.first, self.second
        fields = [("name", a.name, b.name), ("email", a.email, b.email), ("company", a.company, b.company),
                  ("ids and emails", " · ".join(a.ids), " · ".join(b.ids)), ("owner", a.owner, b.owner),
                  ("stage", a.stage, b.stage), ("feeling", a.feeling, b.feeling),
                  ("ties", f"{a.ties:,}", f"{b.ties:,}")]
        return [{"": f, f"#{a.person_id} (kept)": x, f"#{b.person_id}": y} for f, x, y in fields]


def pairs(store, *, limit: int | None = None) -> tuple[list[Pair], int]:
    """The likely duplicates waiting for a decision, one :class:`Pair` per two people (however
    many imports listed them), in the order they were first listed; at most ``limit`` of them
    with their details (counting each one's ties reads their neighbourhood), and how many
    pairs there are in all."""
    with store.engine.connect() as conn:
        grouped: dict[frozenset, list] = {}
        for rid, a, b, reason in conn.execute(select(REV.c.id, REV.c.a_id, REV.c.b_id, REV.c.reason)
                                              .order_by(REV.c.id)):
            if a != b:
                grouped.setdefault(frozenset((a, b)), []).append((rid, reason))
    keys = list(grouped)
    chosen = keys if limit is None else keys[:limit]
    out = []
    for key in chosen:
        lo, hi = sorted(key)
        rows = grouped[key]
        out.append(Pair(_side(store, lo), _side(store, hi), tuple(dict.fromkeys(r for _, r in rows)),
                        tuple(i for i, _ in rows)))
    return out, len(keys)


def _side(store, pid: int) -> Side:
    from ..network.graph import build_graph

    with store.engine.connect() as conn:
        row = _row(conn, pid)
        ids = [f"{kind}: {value}" for kind, value in conn.execute(
            select(IDT.c.kind, IDT.c.value).where(IDT.c.person_id == pid).order_by(IDT.c.kind, IDT.c.id))]
        answers = conn.execute(select(FB.c.score, FB.c.scale, FB.c.answered_on, FB.c.id)
                               .where(FB.c.person_id == pid)).all()
    latest = max(answers, key=lambda r: (r[2] is not None, r[2] or date.min, r[3]), default=None)
    graph = build_graph(store.load_neighbourhood(pid))
    ties = sum(1 for other in graph[pid] if other != pid) if pid in graph else 0
    text = lambda v: "" if v is None else str(v)  # noqa: E731
    return Side(pid, _name(row), text(row["email"]), text(row["company"]), text(row["owner"]), text(row["stage"]),
                feeling_of(latest[0], latest[1]) if latest else "unknown", tuple(ids), ties)


def decisions(store, *, limit: int = 20) -> list[dict]:
    """The merges and keep-apart decisions in place, newest first: ``id, kind, at, text``
    (in plain words, naming the people as they are now)."""
    with store.engine.connect() as conn:
        rows = conn.execute(select(LOG).where(LOG.c.kind.in_(DECISIONS), LOG.c.undone_at.is_(None))
                            .order_by(LOG.c.id.desc()).limit(limit)).mappings().all()
        out = []
        for r in rows:
            d = json.loads(r["details_json"] or "{}")
            if r["kind"] == "merge":
                text = (f"{_merged_name(conn, r['id'], d['merged'])} merged into "
                        f"{_current_name(conn, d['kept'])}")
            else:
                a, b = d["people"]
                text = f"{_current_name(conn, a)} and {_current_name(conn, b)} kept apart"
            out.append({"id": r["id"], "kind": r["kind"], "at": r["created_at"], "text": text})
    return out


# -------------------------------------------------------------------- undo --
@dataclass(frozen=True)
class UndoPlan:
    """What undoing an import or a decision will do, computed from its journal before
    anything is written (:func:`undo_plan`)."""

    import_id: int
    kind: str  # "import", "merge" or "keep-apart"
    title: str  # "import #3 (contacts.csv)", "merge #9", "keep-apart decision #10"
    counts: dict[str, int] = field(default_factory=dict)  # as :meth:`Store.undo` will return them
    effect: str = ""  # "removes 12 people, 30 ties and 4 survey answers, and restores ..."
    effect_done: str = ""  # the same, in the past tense
    refusal: str | None = None  # why it cannot be undone now (what Store.undo would say)

    @property
    def question(self) -> str:
        return f"Undo {self.title}? It {self.effect}."

    @property
    def done(self) -> str:
        return f"{self.title[:1].upper()}{self.title[1:]} undone: {self.effect_done}."


def undo_plan(conn: Connection, import_id: int) -> UndoPlan:
    """What :meth:`Store.undo` would do to ``import_id`` now, in counts and plain words,
    without writing anything; ``refusal`` says why it would be refused."""
    row = conn.execute(select(LOG).where(LOG.c.id == import_id)).mappings().first()
    if row is None:
        raise ImportNotFound(f"there is no import #{import_id}; `python -m netmap imports` lists them")
    kind = row["kind"] if row["kind"] in DECISIONS else "import"
    title = undo_target(row) + (f" ({row['file_name']})" if kind == "import" else "")
    if row["undone_at"] is not None:
        return UndoPlan(import_id, kind, title, refusal=f"{undo_target(row)} ({row['file_name']}) was already "
                                                        f"undone on {row['undone_at']:%Y-%m-%d %H:%M}")
    mine = conn.execute(select(CHG).where(CHG.c.import_id == import_id).order_by(CHG.c.id)).mappings().all()
    counts: dict[str, int] = defaultdict(int)
    for c in mine:
        verb = {"insert": "removed", "update": "restored", "delete": "brought back"}.get(c["action"])
        if verb:
            counts[f"{c['table_name']} {verb}"] += 1
    if kind == "merge":
        effect = _merge_effect(conn, row, mine)
    elif kind == "keep-apart":
        effect = _apart_effect(conn, row, mine)
    else:
        effect = _import_effect(conn, counts, mine)
    return UndoPlan(import_id, kind, title, dict(counts), effect[0], effect[1], undo_refusal(conn, row, mine))


def undo_target(row) -> str:
    """How an import log row is named in messages and the audit log: "import #3", "merge #9",
    "keep-apart #10"."""
    kind = row["kind"] if row["kind"] in DECISIONS else "import"
    return f"{kind} #{row['id']}"


def undo_refusal(conn: Connection, row, mine) -> str | None:
    """Why the import or decision ``row`` (with its journal ``mine``) cannot be undone now,
    or None: a person it involved was erased since, or a later import or decision that is
    still in place built on what it added, changed or deleted, or deleted a person the rows
    it brings back name."""
    what = undo_target(row)
    if json.loads(row["details_json"] or "{}").get("erased"):
        return (f"{what} can no longer be undone: a person it involved was erased since, and its journal "
                "with them")
    touched = {(c["table_name"], c["row_id"]) for c in mine if c["action"] in ("insert", "update", "delete")}
    needed = set()  # the people the rows it brings back name (a later merge may have deleted them)
    for c in mine:
        if c["action"] == "delete":
            before = json.loads(c["before_json"])
            needed |= {("person", before[col]) for col in PERSON_COLUMNS.get(c["table_name"], ())}
    if not touched:
        return None
    later = conn.execute(
        select(CHG.c.import_id, CHG.c.table_name, CHG.c.row_id, CHG.c.action, LOG.c.kind)
        .join(LOG, LOG.c.id == CHG.c.import_id)
        .where(CHG.c.import_id > row["id"], LOG.c.undone_at.is_(None))
    )
    blockers = {i: kind for i, t, r, action, kind in later
                if (t, r) in touched or (action == "delete" and (t, r) in needed)}
    if not blockers:
        return None
    ids = sorted(blockers, reverse=True)
    groups: dict[str, list[int]] = {}  # "import", "merge", "keep-apart", newest first
    for i in ids:
        groups.setdefault(blockers[i] if blockers[i] in DECISIONS else "import", []).append(i)
    named = _and([f"{kind}{'s' if len(group) > 1 else ''} {', '.join(f'#{i}' for i in group)}"
                  for kind, group in groups.items()])
    return (f"{what} cannot be undone yet: later {named} build{'s' if len(ids) == 1 else ''} on what it added or "
            f"changed; undo {', '.join(f'#{i}' for i in ids)} first")


def restore_deleted(conn: Connection, mine, counts: dict) -> None:
    """For :meth:`Store.undo`: put back the rows a decision deleted, parents first, with
    their own ids (before the changed rows get their earlier values back)."""
    deleted = defaultdict(list)
    for c in mine:
        if c["action"] == "delete":
            deleted[c["table_name"]].append(json.loads(c["before_json"], object_hook=_json_hook))
    for tname in PARENT_FIRST:
        rows = deleted.get(tname)
        if rows:
            conn.execute(insert(TABLES[tname]), rows)
            counts[f"{tname} brought back"] += len(rows)


# ----------------------------------------------------------------- erasure --
@dataclass
class Absorbed:
    """What erasing a person must take with them besides their current rows (:func:`absorbed`)."""

    #: the records merged into them (person ids), transitively
    people: set[int] = field(default_factory=set)
    #: (table, row id) of rows the merges and decisions deleted that were theirs
    rows: set[tuple[str, int]] = field(default_factory=set)
    #: the earlier values of those records (their names and emails, to redact elsewhere)
    records: list[dict] = field(default_factory=list)
    #: decisions that can no longer be undone: their journals go
    decisions: set[int] = field(default_factory=set)

    def forget(self, conn: Connection) -> int:
        """Delete every journal entry about those rows (any import's) and the journals of those
        decisions, marking the decisions as no longer undoable. Returns the entries deleted."""
        gone = 0
        by_table = defaultdict(list)
        for t, r in self.rows:
            by_table[t].append(r)
        for t, ids in by_table.items():
            for chunk in _chunks(sorted(ids), 900):
                gone += conn.execute(delete(CHG).where(CHG.c.table_name == t, CHG.c.row_id.in_(chunk))).rowcount
        for lid in sorted(self.decisions):
            gone += conn.execute(delete(CHG).where(CHG.c.import_id == lid)).rowcount
            details = json.loads(conn.execute(select(LOG.c.details_json).where(LOG.c.id == lid)).scalar_one())
            conn.execute(update(LOG).where(LOG.c.id == lid).values(
                details_json=json.dumps({**details, "erased": True})))
        return gone


def absorbed(conn: Connection, pid: int) -> Absorbed:
    """For :meth:`Store.erase` of ``pid``: the records merged into them (by merges in place,
    transitively), the rows merges and keep-apart decisions deleted that name any of them,
    those records' earlier values (from the journal), and the decisions whose journals name
    them (they cannot be undone once the person is erased)."""
    out = Absorbed(people={pid})
    logs = conn.execute(select(LOG.c.id, LOG.c.kind, LOG.c.details_json).where(
        LOG.c.kind.in_(DECISIONS), LOG.c.undone_at.is_(None))).all()
    if not logs:
        return out
    details = {lid: (kind, json.loads(d or "{}")) for lid, kind, d in logs}
    grown = True
    while grown:  # the records merged into them, and into those, ...
        grown = False
        for lid, (kind, d) in details.items():
            if kind == "merge" and d.get("kept") in out.people and d.get("merged") not in out.people:
                out.people.add(d["merged"])
                grown = True
    for lid, (kind, d) in details.items():
        if set(d.get("people") or ()) & out.people:
            out.decisions.add(lid)
    for chunk in _chunks(sorted(details), 900):
        for lid, tname, rid, before in conn.execute(select(
                CHG.c.import_id, CHG.c.table_name, CHG.c.row_id, CHG.c.before_json).where(
                CHG.c.import_id.in_(chunk), CHG.c.action == "delete")):
            row = json.loads(before)
            names = {row.get(c) for c in PERSON_COLUMNS.get(tname, ())} | ({rid} if tname == "person" else set())
            if names & out.people:
                out.rows.add((tname, rid))
                out.decisions.add(lid)
    out.rows |= {("person", p) for p in out.people if p != pid}
    for chunk in _chunks(sorted(p for p in out.people if p != pid), 900):
        for (before,) in conn.execute(select(CHG.c.before_json).where(
                CHG.c.table_name == "person", CHG.c.row_id.in_(chunk), CHG.c.before_json.is_not(None))):
            out.records.append(json.loads(before))
    return out


# ----------------------------------------------------------------- helpers --
def _person_id(store, who: int | str) -> int:
    if isinstance(who, int):
        return who
    return store.resolve_one(str(who))


def _row(conn: Connection, pid: int):
    row = conn.execute(select(P).where(P.c.id == pid)).mappings().first()
    if row is None:
        raise UnknownPerson(f"there is no person #{pid} (they may have been merged, erased, or an import undone)")
    return row


def _name(row) -> str:
    if row is None:
        return ""
    full = " ".join(x for x in (row.get("first_name"), row.get("last_name")) if x)
    return row.get("name") or full or row.get("email") or row.get("crm_id") or f"#{row['id']}"


def _current_name(conn: Connection, pid: int) -> str:
    row = conn.execute(select(P).where(P.c.id == pid)).mappings().first()
    return f"{_name(row)} (#{pid})" if row is not None else f"#{pid}"


def _merged_name(conn: Connection, log_id: int, pid: int) -> str:
    """The name a merged record had (from the merge's journal), with its number."""
    before = conn.execute(select(CHG.c.before_json).where(
        CHG.c.import_id == log_id, CHG.c.table_name == "person", CHG.c.row_id == pid,
        CHG.c.action == "delete")).scalar_one_or_none()
    return f"{_name(json.loads(before))} (#{pid})" if before else f"#{pid}"


def _log_row(conn: Connection, kind: str, name: str, details: dict) -> int:
    return conn.execute(insert(LOG).returning(LOG.c.id), {
        "batch": uuid.uuid4().hex[:12], "file_name": name, "sheet": None,
        "content_sha256": hashlib.sha256(name.encode("utf-8")).hexdigest(), "kind": kind, "mapping_json": "{}",
        "rows_read": 0, "refused": 0, "warnings": 0, "details_json": json.dumps(details), "created_at": _now(),
    }).scalar_one()


def _note(journal: list, log_id: int, table: str, row_id: int, action: str, before: dict) -> None:
    journal.append({"import_id": log_id, "table_name": table, "row_id": row_id, "action": action,
                    "before_json": json.dumps(before, default=_json_default)})


def _move(conn, tname, keep, other, log_id, journal, moved, combined, dropped, apart) -> None:
    """Every row of ``tname`` naming ``other`` names ``keep`` instead (see the module docstring)."""
    t = TABLES[tname]
    cols = PERSON_COLUMNS[tname]
    rows = conn.execute(select(t).where(or_(*(t.c[c] == other for c in cols))).order_by(t.c.id)).mappings().all()
    key_cols, fillable = _UNIQUE.get(tname, ((), ()))
    for r in rows:
        new = {c: keep if r[c] == other else r[c] for c in cols}
        if tname == "ticket" and new["agent_id"] == new["requester_id"]:  # their own agent: the ticket stays theirs
            new["agent_id"] = None
        if len(cols) == 2 and new[cols[0]] == new[cols[1]]:  # the person tied to themselves
            _drop(conn, t, tname, r, log_id, journal)
            dropped[tname] += 1
            continue
        if tname == "relationship":  # stored with the smaller id first (the importer's natural key)
            new = dict(zip(cols, sorted(new.values())))
        if tname == "review" and frozenset(new.values()) in apart:  # decided already: not listed again
            _drop(conn, t, tname, r, log_id, journal)
            dropped[tname] += 1
            continue
        if key_cols:
            twin = conn.execute(select(t).where(*(t.c[k] == new.get(k, r[k]) for k in key_cols),
                                                t.c.id != r["id"])).mappings().first()
            if twin is not None:
                fill = {c: r[c] for c in fillable if twin[c] is None and r[c] is not None}
                if fill:
                    conn.execute(update(t).where(t.c.id == twin["id"]).values(**fill))
                    _note(journal, log_id, tname, twin["id"], "update", {c: twin[c] for c in fill})
                _drop(conn, t, tname, r, log_id, journal)
                combined[tname] += 1
                continue
        changed = {c: v for c, v in new.items() if r[c] != v}
        conn.execute(update(t).where(t.c.id == r["id"]).values(**changed))
        _note(journal, log_id, tname, r["id"], "update", {c: r[c] for c in changed})
        moved[tname] += 1


def _drop(conn, t, tname, r, log_id, journal) -> None:
    conn.execute(delete(t).where(t.c.id == r["id"]))
    _note(journal, log_id, tname, r["id"], "delete", dict(r))


def _by_noun(counts: dict[str, int]) -> dict[str, int]:
    out: dict[str, int] = defaultdict(int)
    for tname, n in counts.items():
        if n:
            out[_NOUN_OF.get(tname, tname)] += n
    return out


def _total(counts: dict[str, int]) -> int:
    return sum(counts.values())


def _count(n: int, noun: str) -> str:
    return f"{n:,} {_NOUNS[noun][n != 1]}"


def _and(parts: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    parts = [p for p in parts if p]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def _plain(by_noun: dict[str, int]) -> str:
    order = ("person", "identifier", "tie", "interaction", "participation", "feedback", "review", "ticket",
             "nurture_action")
    return _and([_count(by_noun[n], n) for n in order if by_noun.get(n)])


def _import_effect(conn: Connection, counts: dict[str, int], mine) -> tuple[str, str]:
    """An import's undo in plain words: the rows it added go, the values it changed come back
    (ids and emails count as part of people, unless the import only added them to people
    known before)."""
    removed = defaultdict(int)
    for key, n in counts.items():
        tname, verb = key.split(" ", 1)
        if verb == "removed":
            removed[_NOUN_OF.get(tname, tname)] += n
    gone = _and([_count(removed[n], n) for n in ("person", "tie", "interaction", "participation", "feedback",
                                                 "review", "ticket", "nurture_action") if removed.get(n)])
    if removed.get("identifier") and not removed.get("person"):
        owners = {c["row_id"] for c in mine if c["table_name"] == "identifier" and c["action"] == "insert"}
        known = len({pid for chunk in _chunks(sorted(owners), 900) for (pid,) in conn.execute(
            select(IDT.c.person_id).where(IDT.c.id.in_(chunk)))}) or len(owners)
        extra = f"the {_NOUNS['identifier'][removed['identifier'] != 1]} it added to " \
                f"{_count(known, 'person')} already known"
        gone = _and([gone, extra]) if gone else extra
    restored = defaultdict(int)
    for key, n in counts.items():
        tname, verb = key.split(" ", 1)
        if verb == "restored":
            restored[_NOUN_OF.get(tname, tname)] += n
    back = []
    if restored.get("person"):
        n = restored.pop("person")
        back.append(f"{n:,} {'person' if n == 1 else 'people'}'s earlier details")
    others = _and([_count(restored[n], n) for n in ("tie", "interaction", "feedback", "identifier", "ticket")
                   if restored.get(n)])
    if others:
        back.append(f"the earlier values of {others}")
    back_text = _and(back)
    if gone and back_text:
        return f"removes {gone}, and restores {back_text}", f"removed {gone}, and restored {back_text}"
    if gone:
        return f"removes {gone}", f"removed {gone}"
    if back_text:
        return f"restores {back_text}", f"restored {back_text}"
    return ("changes nothing: nothing it added or changed is still stored",
            "nothing to remove or restore")


def _merge_effect(conn: Connection, row, mine) -> tuple[str, str]:
    d = json.loads(row["details_json"] or "{}")
    keep, other = d.get("kept"), d.get("merged")
    back: dict[str, int] = defaultdict(int)
    for c in mine:
        tname = c["table_name"]
        if tname == "person":
            continue
        before = json.loads(c["before_json"] or "{}")
        if c["action"] == "delete" or (c["action"] == "update" and set(before) & set(PERSON_COLUMNS.get(tname, ()))):
            back[_NOUN_OF.get(tname, tname)] += 1
    theirs = _plain(back)
    them = _merged_name(conn, row["id"], other)
    kept = _current_name(conn, keep)
    with_ = f", with {theirs}," if theirs else ""
    return (f"brings back {them} as a separate person{with_} and restores {kept}'s earlier details",
            f"brought back {them} as a separate person{with_} and restored {kept}'s earlier details")


def _apart_effect(conn: Connection, row, mine) -> tuple[str, str]:
    a, b = json.loads(row["details_json"] or "{}").get("people", [None, None])
    who = f"{_current_name(conn, a)} and {_current_name(conn, b)}"
    if any(c["action"] == "delete" for c in mine):
        return (f"lists {who} again as likely duplicates to review",
                f"{who} are listed again as likely duplicates to review")
    return (f"forgets that {who} are two people: a later import may list them as likely duplicates",
            f"{who} may be listed again as likely duplicates by a later import")
