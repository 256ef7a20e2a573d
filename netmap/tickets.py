"""The service queue as a table: stored tickets and measures in, ranked open tickets out.

The thin layer between the store and the pure ranking
(:func:`netmap.network.service_queue.service_queue`, where the score is
defined): it turns :meth:`netmap.storage.store.Store.tickets` rows and the
stored measures (:func:`netmap.analysis.measures`: each person's feeling,
spread and bridge score, and their community) into the ranking's inputs, and
its rows into :data:`QUEUE_COLUMNS`, the columns of ``python -m netmap queue``
and of the Nurture page's "Service queue" (a contract once shipped).

Which day the queue is "as of": the newest date in the tickets (created or
solved), as every other answer of netmap is as of the newest date in its data,
so that the same export gives the same queue whatever day it is read.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from datetime import date

import numpy as np
import pandas as pd

from .errors import NetmapError
from .model import TEAM_STAGE, feeling_of
from .network.service_queue import Requester, Ticket, service_queue
from .text import plain

__all__ = ["QUEUE_COLUMNS", "queue_as_of", "queue_table"]

#: columns of ``python -m netmap queue`` and the page's table, in this order (a contract)
QUEUE_COLUMNS = [
    "rank", "ticket_id", "status", "requester", "person_id", "email", "company", "owner", "feeling", "age_days",
    "risk", "reach", "score", "action", "reason",
]


def _day(value) -> date | None:
    if value is None or (isinstance(value, float) and np.isnan(value)):
        return None
    if isinstance(value, date):
        return value if type(value) is date else value.date()
    return date.fromisoformat(str(value)[:10])


def queue_as_of(tickets: Iterable[Mapping]) -> date | None:
    """The newest created or solved date among ``tickets`` (None: no dates at all)."""
    days = [d for t in tickets for d in (_day(t.get("created_on")), _day(t.get("solved_on"))) if d is not None]
    return max(days) if days else None


def _clusters(people: pd.DataFrame, edges: tuple | None, labels: Mapping[int, str], wanted: set[int]) -> dict:
    """For each person of ``wanted``: the labels of the communities their ties reach, their own
    first, then the others by how many of their contacts are there (then by label), team
    members left out (a ticket ties every requester to the agent: that links no client clusters)."""
    if edges is None or not wanted or "community_id" not in people.columns:
        return {}
    nodes, u, v, _ = edges
    community = people["community_id"].fillna(-1).astype(int).to_numpy()
    team = people["stage"].fillna("").eq(TEAM_STAGE).to_numpy()
    pos = {int(p): i for i, p in enumerate(nodes)}
    rows = np.array(sorted(pos[p] for p in wanted if p in pos), dtype=np.int64)
    if len(rows) == 0:
        return {}
    # (person, community) of every tie from a wanted person to a client of a known community, counted
    a = np.concatenate([u, v])
    b = np.concatenate([v, u])
    keep = np.isin(a, rows)
    a, b = a[keep], b[keep]
    keep = ~team[b] & (community[b] >= 0)
    # one number per (person, community) pair, so the counting is a flat np.unique
    width = int(community.max()) + 1 if len(community) else 1
    codes, counts = np.unique(a[keep].astype(np.int64) * width + community[b[keep]], return_counts=True)
    seen: dict[int, Counter] = defaultdict(Counter)
    for code, k in zip(codes.tolist(), counts.tolist()):
        seen[code // width][code % width] = k
    names: dict[int, str] = {}

    def name(c: int) -> str:
        if c not in names:
            names[c] = plain(labels.get(c)) or f"community {c}"
        return names[c]

    out = {}
    for x, counts in seen.items():
        own = int(community[x])
        others = sorted((c for c in counts if c != own), key=lambda c: (-counts[c], name(c)))
        found = ([own] if own >= 0 else []) + others
        out[int(nodes[x])] = tuple(name(c) for c in found)
    return out


def queue_table(
    tickets: Iterable[Mapping],
    people: pd.DataFrame,
    *,
    edges: tuple | None = None,
    labels: Mapping[int, str] | None = None,
    owner: str | None = None,
    top: int | None = None,
    as_of: date | None = None,
) -> pd.DataFrame:
    """The open tickets ranked (:data:`QUEUE_COLUMNS`), best first.

    ``tickets``: :meth:`~netmap.storage.store.Store.tickets` rows; ``people``: the
    measures' people table (``person_id, name, email, company, owner, stage, feeling,
    spread, bridge_score, community_id``); ``edges`` (:meth:`netmap.analysis.Analysis.edge_arrays`)
    and ``labels`` name the client clusters a requester bridges. ``owner`` keeps the tickets
    of that account manager's people (a :class:`~netmap.errors.NetmapError` naming the owners
    when nobody has them); ``top`` the first so many. The result does not depend on the
    order of ``tickets`` or ``people``.
    """
    if top is not None and top < 0:
        raise NetmapError("the number of tickets to list (top) must be 0 or more")
    tickets = sorted(tickets, key=lambda t: (str(t["source"]), str(t["external_id"])))
    if owner is not None:
        known = sorted({plain(o) for o in people["owner"].dropna()} - {""})
        if plain(owner).casefold() not in {o.casefold() for o in known}:
            raise NetmapError(f"no account manager {owner!r}; owners: {', '.join(known[:20]) or '(none)'}")
    as_of = as_of or queue_as_of(tickets)
    if as_of is None:
        return pd.DataFrame(columns=QUEUE_COLUMNS)
    requesters = {int(t["requester_id"]) for t in tickets}
    clusters = _clusters(people, edges, labels or {}, requesters)
    reqs: dict[int, Requester] = {}
    # reach is a percentile among everybody: spread and bridge score as whole columns; the
    # rest only for the requesters, who are shown
    spread = _numbers(people, "spread")
    bridge = _numbers(people, "bridge_score")
    shown = people["person_id"].isin(requesters).to_numpy()
    columns = [people[c].to_numpy(dtype=object)[shown] if c in people.columns else [None] * int(shown.sum())
               for c in ("person_id", "name", "feeling", "owner", "email", "company")]
    contact: dict[int, tuple] = {}
    for pid, name, feeling, own, email, company, sp, br in zip(
            *columns, spread[shown].tolist(), bridge[shown].tolist()):
        pid = int(pid)
        reqs[pid] = Requester(
            person_id=pid, name=plain(name), feeling=feeling if isinstance(feeling, str) else "unknown",
            spread=sp, bridge_score=br, clusters=clusters.get(pid, ()), owner=plain(own) or None,
        )
        contact[pid] = (plain(email) or None, plain(company) or None)
    keyed = {}
    ready = []
    for t in tickets:
        created = _day(t.get("created_on")) or _day(t.get("solved_on")) or as_of
        csat = t.get("csat")
        tid = f"{t['source']}:{t['external_id']}"
        keyed[tid] = t
        ready.append(Ticket(
            ticket_id=tid, requester_id=int(t["requester_id"]), status=t["status"], created=created,
            solved=_day(t.get("solved_on")), rating=None if csat is None else feeling_of(float(csat), "csat"),
            subject=t.get("subject"),
        ))
    ranked = service_queue(ready, reqs, as_of=as_of, owner=owner, top=top,
                           population=(spread.tolist(), bridge.tolist()))
    rows = []
    for r in ranked:
        t = keyed[r.ticket_id]
        email, company = contact.get(r.requester_id, (None, None))
        rows.append({
            "rank": r.rank, "ticket_id": str(t["external_id"]), "status": r.status, "requester": r.name,
            "person_id": r.requester_id, "email": email, "company": t.get("company") or company,
            "owner": r.owner, "feeling": r.feeling, "age_days": r.waiting_days, "risk": r.risk, "reach": r.reach,
            "score": r.score, "action": r.action, "reason": f"{r.reason}: {r.todo}",
        })
    return pd.DataFrame(rows, columns=QUEUE_COLUMNS)


def _numbers(people: pd.DataFrame, column: str) -> np.ndarray:
    """A measure column as floats, anything missing or not finite as 0."""
    if column not in people.columns:
        return np.zeros(len(people))
    x = pd.to_numeric(people[column], errors="coerce").to_numpy(dtype="float64", na_value=np.nan)
    return np.where(np.isfinite(x), x, 0.0)


def queue_of(store, *, owner: str | None = None, top: int | None = None) -> pd.DataFrame:
    """:func:`queue_table` of what ``store`` holds (its tickets and measures), kept per data
    version (netmap/analysis.py ``kept_table``; the whole queue and the latest account
    manager's book): asked again before the next import, the ranked queue is read back;
    ``top`` cuts it after."""
    from .analysis import cache_slot, kept_table, measures

    if top is not None and top < 0:
        raise NetmapError("the number of tickets to list (top) must be 0 or more")

    def compute() -> pd.DataFrame:
        a = measures(store)
        return queue_table(store.tickets(), a.people, edges=a.edge_arrays(), labels=a.labels, owner=owner)

    # the whole queue and the latest book asked are kept side by side (one table per kind)
    kind = "queue.all" if owner is None else "queue.book"
    slot = cache_slot("tickets.py", "storage/reads.py", "text.py")
    name = "/".join([kind, slot, "" if owner is None else plain(owner).casefold()])
    table = kept_table(store, name, compute)
    return table if top is None else table.head(top).reset_index(drop=True)
