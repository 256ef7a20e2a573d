"""One person's profile: everything netmap knows about them, read-only.

:func:`person_profile` gathers a person's details, the ids and emails they are
known by, their survey answers over time, their ties (with the strength the
network gives them), the referrals they made and received, the meetings and
deals they shared, and their position in the network (from the analysis
table). :func:`position_sentences` says that position in plain words, and
:func:`erasure_summary` says in plain counts what :meth:`Store.erase` removed.

Reads go through :meth:`Store.person_record` (netmap/storage/people.py: a
handful of indexed queries on one person), so a profile is fast however large
the network is; the graph and the analysis table are passed in by the caller
(the app caches both).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

import networkx as nx
import pandas as pd

from .errors import NetmapError, UnknownPerson
from .model import feeling_of
from .network.nurture import _people
from .text import plain

__all__ = [
    "PersonProfile", "person_profile", "position_sentences", "erasure_summary",
    "TIE_COLUMNS", "FEEDBACK_COLUMNS", "REFERRAL_COLUMNS", "INTERACTION_COLUMNS",
]

DETAIL_FIELDS = ("name", "email", "company", "owner", "stage", "segment", "region", "created", "crm_id")
FEEDBACK_COLUMNS = ["answered_on", "score", "scale", "feeling", "comment", "response_id"]
TIE_COLUMNS = [
    "person_id", "name", "company", "feeling", "community", "strength", "kinds", "shared", "referral",
    "same_company", "last_contact",
]
REFERRAL_COLUMNS = ["person_id", "name", "company", "referred_on", "status", "value"]
INTERACTION_COLUMNS = ["kind", "name", "happened_on", "participants"]


@dataclass
class PersonProfile:
    """Everything about one person (tables are fresh copies: safe to change)."""

    person_id: int
    details: dict
    identifiers: list[dict] = field(default_factory=list)
    feedback: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=FEEDBACK_COLUMNS))
    ties: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=TIE_COLUMNS))
    referrals_made: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REFERRAL_COLUMNS))
    referrals_received: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=REFERRAL_COLUMNS))
    interactions: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=INTERACTION_COLUMNS))
    #: the person's row of the analysis people table (``None`` without one)
    position: dict | None = None

    @property
    def name(self) -> str:
        d = self.details
        return d.get("name") or d.get("email") or d.get("crm_id") or f"#{self.person_id}"

    @property
    def crm_ids(self) -> list[str]:
        return [i["value"] for i in self.identifiers if i["kind"] == "crm"]

    @property
    def emails(self) -> list[str]:
        return [i["value"] for i in self.identifiers if i["kind"] == "email"]


def person_profile(
    store,
    person_id: int,
    *,
    graph: nx.Graph | None = None,
    people: pd.DataFrame | None = None,
    own_ties: bool = False,
) -> PersonProfile:
    """The profile of ``person_id``; raises :class:`UnknownPerson` if no such person.

    ``graph`` (from :func:`netmap.network.build_graph`) gives the ties and
    their strength; with ``own_ties`` instead, they come from the graph of
    this person's neighbourhood only (:meth:`Store.load_neighbourhood`: the
    same ties, without building the whole network); with neither the ties
    table is empty. ``people`` (the
    analysis people table, with a ``person_id`` column or index) gives the
    position in the network and the neighbours' feelings and communities.
    Neither is changed.
    """
    try:
        pid = int(person_id)
    except (TypeError, ValueError):
        raise UnknownPerson(f"{person_id!r} is not a person id (a whole number)") from None
    record = store.person_record(pid)
    if record is None:
        raise UnknownPerson(f"there is no person #{pid} (they may have been erased, or an import undone)")
    row = record.person
    details = {k: getattr(row, k) for k in ("name", "first_name", "last_name", "email", "company", "owner", "stage",
                                            "segment", "region", "created", "crm_id", "listed")}
    if not details["name"]:
        details["name"] = " ".join(x for x in (details["first_name"], details["last_name"]) if x) or None
    identifiers = [{"kind": i.kind, "value": i.value} for i in record.identifiers]

    feedback = pd.DataFrame(
        [
            {
                "answered_on": r.answered_on, "score": r.score, "scale": r.scale,
                "feeling": feeling_of(r.score, r.scale), "comment": r.comment, "response_id": r.response_id,
                "_id": r.id,
            }
            for r in record.answers
        ],
        columns=FEEDBACK_COLUMNS + ["_id"],
    )
    if len(feedback):  # oldest first; undated answers first (as the graph counts them older)
        feedback["_dated"] = feedback["answered_on"].notna()
        feedback["_day"] = feedback["answered_on"].map(lambda d: d if isinstance(d, date) else date.min)
        feedback = feedback.sort_values(["_dated", "_day", "_id"]).drop(columns=["_dated", "_day"])
    feedback = feedback.drop(columns=["_id"]).reset_index(drop=True)

    table = _indexed(people)
    position = None
    if table is not None and pid in table.index:
        position = {"person_id": pid, **table.loc[pid].to_dict()}

    return PersonProfile(
        person_id=pid,
        details=details,
        identifiers=identifiers,
        feedback=feedback,
        ties=_ties(graph if graph is not None or not own_ties else _own_graph(store, pid), pid, table),
        referrals_made=_referrals(record.referrals_made),
        referrals_received=_referrals(record.referrals_received),
        interactions=pd.DataFrame(record.interactions, columns=INTERACTION_COLUMNS),
        position=position,
    )


def _indexed(people: pd.DataFrame | None) -> pd.DataFrame | None:
    if people is None:
        return None
    if "person_id" in people.columns:
        return people.set_index("person_id")
    return people


def _referrals(rows) -> pd.DataFrame:
    return pd.DataFrame(
        [{**{k: r[k] for k in REFERRAL_COLUMNS}, "name": r["name"] or r["email"] or f"#{r['person_id']}"} for r in rows],
        columns=REFERRAL_COLUMNS,
    )


def _own_graph(store, pid: int) -> nx.Graph:
    from .network.graph import build_graph

    return build_graph(store.load_neighbourhood(pid))


def _ties(G: nx.Graph | None, pid: int, table: pd.DataFrame | None) -> pd.DataFrame:
    if G is None or pid not in G:
        return pd.DataFrame(columns=TIE_COLUMNS)
    community = table["community"] if table is not None and "community" in table.columns else None
    feeling = table["feeling"] if table is not None and "feeling" in table.columns else None
    rows = []
    for other, d in G[pid].items():
        if other == pid:
            continue
        node = G.nodes[other]
        referrers = d.get("referrers") or ()
        referral = (
            "both ways" if len(referrers) > 1
            else "made to them" if pid in referrers
            else "received from them" if other in referrers
            else ""
        )
        rows.append({
            "person_id": int(other),
            "name": node.get("name") or f"#{other}",
            "company": node.get("company"),
            "feeling": (feeling.get(other) if feeling is not None else None) or node.get("feeling") or "unknown",
            "community": community.get(other) if community is not None else None,
            "strength": round(float(d.get("strength") or 0.0), 3),
            "kinds": ", ".join(str(k) for k in (d.get("kinds") or ()) if k),
            "shared": int(d.get("shared") or 0),
            "referral": referral,
            "same_company": bool(d.get("same_company")),
            "last_contact": d.get("last_contact"),
        })
    ties = pd.DataFrame(rows, columns=TIE_COLUMNS)
    if len(ties):
        ties = ties.sort_values(["strength", "person_id"], ascending=[False, True]).reset_index(drop=True)
    return ties


# ------------------------------------------------------------ plain words --
def _num(x) -> float | None:
    try:
        f = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(f) or math.isinf(f) else f


def _share_below(people: pd.DataFrame | None, column: str, value: float) -> int | None:
    """Percentage of people with a strictly lower ``column`` than ``value``."""
    if people is None or column not in people.columns or not len(people):
        return None
    col = pd.to_numeric(people[column], errors="coerce").dropna()
    if not len(col):
        return None
    return round(100 * float((col < value).mean()))


def position_sentences(profile: PersonProfile, people: pd.DataFrame | None = None) -> list[str]:
    """The person's position in the network, in plain words (one sentence
    per measure). ``people`` (the analysis table) lets a sentence compare
    the person with everyone else. Names in the sentences are plain text
    (control characters removed), not escaped for markup."""
    pos = profile.position
    if not pos:
        return ["Not placed in the network yet: the analysis has not seen this person."]
    out: list[str] = []
    own = plain(pos.get("community")) or None
    others: list[tuple[str, int]] = []
    if len(profile.ties) and "community" in profile.ties.columns:
        per = profile.ties.assign(c=profile.ties["community"].map(plain)).groupby("c", dropna=True)
        counts = per.size()
        weights = per["strength"].sum()
        order = sorted(counts.index, key=lambda c: (-counts[c], -weights[c], c))
        others = [(c, int(counts[c])) for c in order if c and c != own]
    degree = int(_num(pos.get("degree")) or 0)
    if degree == 0:
        out.append("Has no ties yet: nobody in the data is known to know them.")
    elif others:
        n_own = degree - sum(n for _, n in others)
        parts = ([f"{own} ({n_own} tie{'s' if n_own != 1 else ''})"] if own else []) + [
            f"{c} ({n} tie{'s' if n != 1 else ''})" for c, n in others[:4]]
        more = f" and {len(others) - 4} more" if len(others) > 4 else ""
        out.append(f"Ties into {len(others) + (1 if own else 0)} clusters: {', '.join(parts)}{more}.")
    elif own:
        out.append(f"In the {own} cluster, with {degree} tie{'s' if degree != 1 else ''}, all inside it.")
    else:
        out.append(f"Has {degree} tie{'s' if degree != 1 else ''}.")
    spread, reach2 = _num(pos.get("spread")), _num(pos.get("reach2"))
    if spread is not None:
        two = f" ({int(reach2):,} within two steps)" if reach2 else ""
        out.append(f"Good word of mouth would reach {_people(spread, _num(pos.get('spread_se')))} besides them{two}.")
    bridge = _num(pos.get("bridge_score"))
    if bridge is not None:
        share = _share_below(people, "bridge_score", bridge)
        tail = f", higher than {share}% of people" if share is not None else ""
        out.append(f"Bridge score {bridge:.2f} (0 to 1{tail}).")
    constraint = _num(pos.get("constraint"))
    if constraint is not None and degree > 0:
        if degree == 1:
            words = "a single tie: all they hear comes through one person"
        elif constraint < 0.3:
            words = "low: their contacts mostly do not know each other, so they broker between groups"
        elif constraint < 0.6:
            words = "moderate: some of their contacts know each other"
        else:
            words = "high: their contacts all know each other, a close-knit circle"
        out.append(f"Constraint {constraint:.2f} ({words}).")
    if bool(pos.get("is_cut_vertex")) and not pd.isna(pos.get("is_cut_vertex")):
        cut = int(_num(pos.get("separates")) or 0)
        who = f"{cut:,} {'person is' if cut == 1 else 'people are'}" if cut else "some people are"
        out.append(f"A cut vertex: {who} connected to the rest of the network only through them.")
    action = plain(pos.get("action")) or "none"
    reason = plain(pos.get("reason"))
    if action != "none":
        out.append(f"Next step: {action}" + (f" ({reason})." if reason else "."))
    else:
        out.append("No nurture action stands out for them now.")
    return out


# ------------------------------------------------------------------ erase --
def erasure_summary(result: dict) -> str:
    """What :meth:`Store.erase` removed, in plain counts ("3 ties, 1 survey answer removed;
    their name redacted in 2 other places")."""
    words = {"relationship": ("relationship", "relationships"), "referral": ("referral", "referrals"),
             "participation": ("meeting participation", "meeting participations"),
             "feedback": ("survey answer", "survey answers"), "identifier": ("id or email", "ids and emails"),
             "review": ("duplicate review", "duplicate reviews")}
    parts = [f"{n:,} {words[k][n != 1]}" for k, n in result.items() if k in words and n]
    text = (", ".join(parts) + " removed") if parts else "nothing else was stored about them"
    redacted = sum((result.get("redacted") or {}).values())
    if redacted:
        text += f"; their name or email redacted in {redacted:,} other place{'s' if redacted != 1 else ''}"
    return text
