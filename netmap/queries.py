"""The questions people ask of the network, shared by the command line and the app.

Whom to nurture (:func:`nurture_list`), the nurture plan (:func:`plan`), and
referral paths (:func:`resolve_targets`, :func:`resolve_sources`,
:func:`find_paths`), plus what the app needs around them: finding people by
name/email (:func:`search_people`, from :mod:`netmap.search`), the person ids along a path
(:func:`path_ids`) and the small graph of the shown paths (:func:`path_graph`).

Pure: no Streamlit, no printing. Every mistake a user can make raises a
:class:`~netmap.errors.NetmapError` with a message that says what to do.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .analysis import Analysis, can_nurture, canonical_samples, live_samples
from .errors import NetmapError
from .model import TEAM_STAGE
from .network.nurture import nurture_ranking, plain
from .network.paths import PathIndex, people_matching, referral_paths
from .search import search_people

if TYPE_CHECKING:
    import networkx as nx

    from .network.spread import LiveEdgeSamples

__all__ = [
    "CHART_MAX", "NURTURE_COLUMNS", "PATH_COLUMNS", "PLAN_COLUMNS", "can_nurture", "chart_sample", "check_owner",
    "find_paths", "graph_table", "in_book", "nurture_list", "nurturable", "owners", "path_graph", "path_ids", "path_index", "plan", "resolve_sources",
    "resolve_targets",
    "search_people",
]

#: Columns of ``python -m netmap plan`` (a contract).
PLAN_COLUMNS = ["rank", "person_id", "name", "marginal_spread", "cumulative_spread", "reason"]
#: Columns of ``python -m netmap nurture`` (a contract).
NURTURE_COLUMNS = [
    "rank", "person_id", "name", "owner", "feeling", "nps", "action", "spread", "nurture_score", "reason",
]
#: Columns of ``python -m netmap paths`` (a contract).
PATH_COLUMNS = ["target_id", "target_name", "source_id", "source_name", "hops", "strength", "path"]


# ------------------------------------------------------------------ nurture
def owners(people: pd.DataFrame) -> list[str]:
    """The account managers in the data, sorted."""
    return sorted(people["owner"].dropna().unique())


def check_owner(people: pd.DataFrame, owner: str) -> None:
    """Raise a NetmapError naming the owners when nobody's account manager is ``owner``."""
    if not (people["owner"].fillna("").str.casefold() == owner.casefold()).any():
        raise NetmapError(f"no account manager {owner!r}; owners: {', '.join(owners(people)[:20])}")


def nurture_list(people: pd.DataFrame, *, top: int | None = None, owner: str | None = None) -> pd.DataFrame:
    """Whom to nurture next, best first (:data:`NURTURE_COLUMNS`), optionally one owner's book.

    ``people`` is :attr:`Analysis.people` (one row per person, a ``person_id`` column); it is not changed.
    """
    if owner:
        check_owner(people, owner)
    ranking = nurture_ranking(people.set_index("person_id"), top=top, owner=owner)
    return ranking[NURTURE_COLUMNS]


def in_book(people: pd.DataFrame, owner: str | None) -> pd.Series:
    """True for the people in ``owner``'s book (case-insensitive; everyone when no owner)."""
    if not owner:
        return pd.Series(True, index=people.index)
    want = plain(owner).casefold()
    return people["owner"].map(lambda o: plain(o).casefold() == want)


def nurturable(people: pd.DataFrame, *, owner: str | None = None) -> pd.DataFrame:
    """The people one can nurture (customers and anyone whose feeling is known), optionally one owner's book.

    Columns ``person_id, name, feeling, nps, spread, action, on_list`` (``feeling`` never missing,
    ``on_list``: whether they are on the nurture list): the points of a spread-versus-feeling chart.
    """
    rows = people.loc[can_nurture(people) & in_book(people, owner), ["person_id", "name", "feeling", "nps", "spread", "action"]]
    rows = rows.assign(feeling=rows["feeling"].fillna("unknown"), on_list=rows["action"].ne("none"))
    return rows.reset_index(drop=True)


#: Most points a chart sends to the browser: Vega draws 3,000 circles at once, 50,000 take seconds.
CHART_MAX = 3_000


def chart_sample(points: pd.DataFrame, limit: int | None = None, *, by: str = "spread", seed: int = 0) -> pd.DataFrame:
    """At most ``limit`` (default :data:`CHART_MAX`) rows of ``points``, for a chart a browser draws at once.

    Every row when there are no more than ``limit``. Otherwise the ``limit // 2``
    rows with the highest ``by`` (the tail the chart is read for: who would
    spread the word furthest) and a seeded random sample of the others (the
    shape of the rest), in their original order. The same points for the same
    data and seed.
    """
    limit = CHART_MAX if limit is None else limit
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit!r}")
    if len(points) <= limit:
        return points
    values = pd.to_numeric(points[by], errors="coerce").fillna(float("-inf")).to_numpy()
    order = np.lexsort((np.arange(len(points)), -values))  # highest first; ties by position
    top, rest = order[: limit // 2], order[limit // 2:]
    picked = np.random.default_rng(seed).choice(rest, size=limit - len(top), replace=False)
    return points.iloc[np.sort(np.concatenate([top, picked]))]


def plan(
    analysis: Analysis,
    k: int,
    *,
    owner: str | None = None,
    samples: LiveEdgeSamples | None = None,
) -> pd.DataFrame:
    """The best ``k`` people to nurture together: :data:`PLAN_COLUMNS`, then ``action``,
    ``feeling``, ``marginal_se`` and, from the people table, ``nps``, ``owner``, ``email``,
    ``company`` and ``nurture_rank`` (their place on the nurture list, empty when not on it).

    Candidates are the people one can nurture (:func:`~netmap.analysis.can_nurture`),
    only ``owner``'s book when given. The whole company's plan for up to
    :data:`~netmap.analysis.PLAN_STORED` picks is read from the stored analysis (greedy:
    the plan for ``k`` is the first ``k`` rows of any longer plan). An owner's plan is
    chosen over ``samples`` (:func:`~netmap.analysis.live_samples`, drawn again when not
    given) and its figures measured on as many other snapshots, so that they are not
    overstated by the choice.
    """
    from .analysis import PLAN_STORED

    if k < 1:
        raise NetmapError("--k must be at least 1")
    people = analysis.people
    stored = analysis.plan
    if stored is not None and not owner and (k <= len(stored) or len(stored) < PLAN_STORED):
        result = stored.head(k).reset_index(drop=True)
    else:
        from .network.plan import nurture_plan
        from .network.spread import PLAN_SAMPLES, estimate_spread

        can = can_nurture(people)
        if owner:
            check_owner(people, owner)
            can &= in_book(people, owner)
        ids, arrays = canonical_samples(analysis)
        rank = people["canonical_rank"].to_numpy(dtype=np.int64)
        if samples is None:
            samples = live_samples(analysis)
        ranked = people.assign(person_id=rank).set_index("person_id")

        def figures(picks):
            est = estimate_spread(*arrays, PLAN_SAMPLES, analysis.seed, analysis.base_rate, plans=[picks], stream=2)
            return est.plans[0], est.plans_se[0]

        result = nurture_plan(
            samples, k, rank[can.to_numpy()].tolist(), names=ranked["name"].to_dict(),
            communities=ranked["community_id"].dropna().astype(int).to_dict(), labels=analysis.labels,
            feelings=ranked["feeling"].to_dict(), figures=figures,
        )
        result["person_id"] = ids[result["person_id"].to_numpy(dtype=np.int64)]
    listed = nurture_list(people)
    place = pd.Series(listed["rank"].to_numpy(), index=listed["person_id"].to_numpy())
    about = people.set_index("person_id").reindex(result["person_id"])
    for column in ("nps", "owner", "email", "company"):
        result[column] = about[column].to_numpy()
    result["nurture_rank"] = pd.array(place.reindex(result["person_id"]).to_numpy(), dtype="Int64")
    return result[PLAN_COLUMNS + PLAN_EXTRA_COLUMNS]


#: Columns :func:`plan` adds after :data:`PLAN_COLUMNS`.
PLAN_EXTRA_COLUMNS = ["action", "feeling", "marginal_se", "nps", "owner", "email", "company", "nurture_rank"]


# -------------------------------------------------------------------- paths
def path_index(analysis: Analysis) -> PathIndex:
    """The stored analysis' ties as arrays for path queries (no graph needed)."""
    people = analysis.people
    detractor = (people["feeling"].fillna("") == "detractor").to_numpy(dtype=bool)
    return PathIndex.from_arrays(*analysis.edge_arrays(), detractor, people["name"].fillna("").tolist())


def resolve_targets(store, people: pd.DataFrame, spec: str) -> list[int]:
    """``WHO`` | ``company:NAME`` | ``stage:STAGE`` -> person ids (``people``: the analysis' table)."""
    for prefix, column, none in (("company:", "company", "nobody works at {!r}"), ("stage:", "stage", "nobody is at the stage {!r}")):
        if spec.startswith(prefix):
            value = spec.split(":", 1)[1]
            ids = people_matching(people, column, value)
            if not ids:
                raise NetmapError(none.format(value))
            return ids
    return [store.find_person(spec)]


NO_PROMOTERS = "there are no promoters yet (NPS 9-10); import survey answers or {instead}"


def resolve_sources(store, people: pd.DataFrame, spec: str, *, instead: str = "use --from WHO") -> list[int]:
    """``promoters`` | ``team`` | ``WHO`` | ``owner:NAME`` -> person ids (``people``: the analysis' table).

    ``instead`` ends the message when there are no promoters (the CLI's option, or the app's choice).
    """
    if spec == "promoters":
        ids = sorted(people.loc[people["feeling"].fillna("") == "promoter", "person_id"].tolist())
        if not ids:
            raise NetmapError(NO_PROMOTERS.format(instead=instead))
        return ids
    if spec == "team":
        ids = sorted(people.loc[people["stage"].fillna("") == TEAM_STAGE, "person_id"].tolist())
        if not ids:
            raise NetmapError(
                "nobody of your team is in the network yet; import a team member's LinkedIn connections or "
                "contacts export saying whose it is (import --from-person WHO)")
        return ids
    if spec.startswith("owner:"):
        ids = people_matching(people, "owner", spec.split(":", 1)[1])
        if not ids:
            raise NetmapError(f"no account manager {spec.split(':', 1)[1]!r} owns anyone")
        return ids
    return [store.find_person(spec)]


def find_paths(
    G: nx.Graph | None, targets: Iterable[int], sources: Iterable[int], top: int = 3, *, index: PathIndex | None = None,
    with_ids: bool = False,
) -> pd.DataFrame:
    """The strongest warm-introduction paths (:data:`PATH_COLUMNS`), ``top`` per target
    (``with_ids``: plus ``path_ids``, the person ids along each path, for drawing it)."""
    if top < 1:
        raise NetmapError("--top must be at least 1")
    found = referral_paths(G, targets, sources, top=top, index=index, with_ids=with_ids)
    return found[PATH_COLUMNS + (["path_ids"] if with_ids else [])]


def path_ids(G: nx.Graph, row: Mapping) -> list[int]:
    """The person ids along one row of :func:`find_paths`, source first.

    The row gives names (``path``: "Name > Name"); this finds the chain of
    ties from ``source_id`` to ``target_id`` with those names, ``hops`` long,
    whose strength is the row's (names may repeat or contain " > ").
    Raises ValueError when there is none (the graph changed).
    """
    source, target, hops = int(row["source_id"]), int(row["target_id"]), int(row["hops"])
    text, strength = str(row["path"]), float(row["strength"])

    def name(v) -> str:
        return plain(G.nodes[v].get("name", ""))

    def walk(seq: list[int], prefix: str, prod: float):
        v = seq[-1]
        if len(seq) - 1 == hops:
            ok = v == target and prefix == text and math.isclose(prod, strength, rel_tol=1e-9, abs_tol=1e-15)
            return seq if ok else None
        for w in sorted(G[v]):
            if w in seq:
                continue
            nxt = f"{prefix} > {name(w)}"
            if not text.startswith(nxt):
                continue
            s = float(G[v][w].get("strength", 1.0) or 0.0)
            found = walk(seq + [w], nxt, prod * s)
            if found:
                return found
        return None

    if source not in G or target not in G:
        raise ValueError(f"path {text!r} is not in the graph")
    found = walk([source], name(source), 1.0) if text.startswith(name(source)) else None
    if found is None:
        raise ValueError(f"path {text!r} is not in the graph")
    return found


def path_graph(network, paths: pd.DataFrame) -> nx.Graph:
    """The people on ``paths`` (rows of :func:`find_paths`) and only the ties the paths use.

    ``network`` is the networkx graph, or a :class:`~netmap.views.DrawIndex` when
    ``paths`` has ``path_ids`` (``find_paths(..., with_ids=True)``; no graph of
    everyone needed). Node and tie attributes are copied; each node also gets
    ``role``: ``"source"``, ``"target"`` or ``"go-between"``.
    """
    import networkx as nx

    from .views import DrawIndex

    roles: dict[int, str] = {}
    seqs = []
    for row in paths.to_dict(orient="records"):
        ids = row.get("path_ids")
        seq = [int(x) for x in ids] if ids is not None and len(ids) else path_ids(network, row)
        seqs.append(seq)
        for i, v in enumerate(seq):
            role = "source" if i == 0 else "target" if i == len(seq) - 1 else "go-between"
            if roles.get(v) in (None, "go-between"):
                roles[v] = role
    G = network.subgraph(list(roles)) if isinstance(network, DrawIndex) else network
    H = nx.Graph()
    for seq in seqs:
        for v in seq:
            if v not in H:
                if v not in G:
                    raise ValueError(f"person #{v} of a path is not in the network")
                H.add_node(v, **G.nodes[v])
        for a, b in zip(seq, seq[1:]):
            if not G.has_edge(a, b):
                raise ValueError(f"the tie #{a} - #{b} of a path is not in the network")
            H.add_edge(a, b, **G[a][b])
    nx.set_node_attributes(H, roles, "role")
    return H


def graph_table(analysis: Analysis) -> pd.DataFrame:
    """The people table as the graph views want it: indexed by person id,
    ``community`` is the id (colours, Gephi partitions), ``community_label`` the name."""
    from .views import graph_people_table  # the drawing code, only for drawings

    return graph_people_table(analysis.people)
