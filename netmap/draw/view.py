"""Which people and ties are drawn: the one rule of the app's Network page and the
command line's ``graph`` command (:func:`network_view`).

Filters pick the people (:class:`netmap.queries.Filters`); dashed weak ties, dark
bridges and the bridge customers (diamonds) are chosen here; :mod:`netmap.draw.page`
draws them and :mod:`netmap.draw.legend` explains them. Nothing here mutates its
inputs: the analysis tables are cached and shared.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pandas as pd

from ..errors import NetmapError, UnknownPerson
from ..model import TEAM_STAGE
from ..queries import Filters, filter_people, filter_ties, path_ids
from ..text import plain
from .index import DrawIndex
from .legend import add_legend, legend_html
from .page import DrawOptions, GraphView, graph_html

__all__ = [
    "BRIDGE_SHARE", "GLOBAL_LAYOUT_MAX", "MAX_NODES_CHOICES", "NetworkView", "bridge_customers", "bridge_tie_table",
    "graph_people_table", "network_view", "path_graph", "showing_text", "use_global_layout", "weak_tie_table",
]

#: Caps offered for the graph view (measured: ~1,000 nodes draw in ~1.3 s; 5,000 take 4.4 s).
MAX_NODES_CHOICES = (100, 250, 500, 1000, 1500, 2000)
#: Up to this many people the whole network is laid out once (cached) and every view reuses
#: those positions; above it each view lays out only the people it draws (<= ~0.3 s for 1,000),
#: because a whole-network force layout grows with n^2 (5,000 people: ~12 s; 10,000: ~35 s).
GLOBAL_LAYOUT_MAX = 2000
#: Share of people (by bridge score) marked as bridge customers, besides every cut vertex.
BRIDGE_SHARE = 0.05



# -------------------------------------------------------------- what to draw --
def weak_tie_table(ties: pd.DataFrame) -> pd.DataFrame:
    """Ties drawn dashed: local bridges (the two share no friend) and ties
    across communities - the weak ties that carry news between groups
    (``a_id``, ``b_id``; :func:`graph_html` reads only the drawn ones)."""
    m = ties["local_bridge"].astype(bool) | ties["crosses_communities"].astype(bool)
    return ties.loc[m, ["a_id", "b_id"]]


def bridge_tie_table(ties: pd.DataFrame) -> pd.DataFrame:
    """Ties drawn dark and thick: local bridges that also cross communities
    (the only short link between two groups)."""
    m = ties["local_bridge"].astype(bool) & ties["crosses_communities"].astype(bool)
    return ties.loc[m, ["a_id", "b_id"]]


def bridge_customers(people: pd.DataFrame, share: float = BRIDGE_SHARE) -> set[int]:
    """People marked in the graph: every cut vertex and the top ``share`` by
    bridge score (scores above 0 only)."""
    score = pd.to_numeric(people["bridge_score"], errors="coerce").fillna(0.0)
    marked = people["is_cut_vertex"].fillna(False).astype(bool) if "is_cut_vertex" in people else score < 0
    positive = score[score > 0]
    if len(positive):
        n = max(1, int(math.ceil(share * len(people))))
        cut = positive.nlargest(n).min()
        marked |= score >= cut
    return set(people.loc[marked, "person_id"].astype(int).tolist())


def use_global_layout(network) -> bool:
    """Whether to lay out the whole network (a graph, or anything with a length) once
    and reuse it (small networks)."""
    size = network.number_of_nodes() if isinstance(network, nx.Graph) else len(network)
    return size <= GLOBAL_LAYOUT_MAX


def graph_people_table(people: pd.DataFrame) -> pd.DataFrame:
    """Analysis.people as :func:`graph_html` and the GraphML/GEXF exports
    want it: indexed by person id, ``community`` = the id (colours, Gephi
    partitions), ``community_label`` = the name. A new frame."""
    t = people.set_index("person_id")
    return t.assign(community_label=t["community"], community=t["community_id"])


@dataclass(frozen=True)
class NetworkView:
    """The drawn view: ``html`` (legend included), ``shown`` people drawn,
    ``total`` people in the requested view, ``matching`` people passing the
    filters, ``everyone`` people in the network, ``hidden_focus`` when the
    focus person did not pass the filters (drawn anyway)."""

    html: str
    shown: int
    total: int
    matching: int
    everyone: int
    focus: int | None = None
    marked: int = 0
    notes: tuple[str, ...] = field(default_factory=tuple)


def network_view(
    network: DrawIndex | nx.Graph,
    people: pd.DataFrame,
    ties: pd.DataFrame,
    filters: Filters = Filters(),
    *,
    labels: Mapping[int, str] | None = None,
    focus: int | None = None,
    hops: int = 1,
    color_by: str = "community",
    size_by: str = "spread",
    max_nodes: int = 1000,
    positions: Mapping[int, tuple[float, float]] | None = None,
    title: str | None = None,
    height: str = "700px",
) -> NetworkView:
    """The part of the network to draw, as one self-contained HTML page.

    Filters pick the people (the focus person always stays); with
    ``min_strength`` > 0, ties below it are hidden and so are people left
    without any tie. With ``focus``: their ego network (``hops`` 1-3) within
    what the filters leave. Beyond ``max_nodes``: the focus's nearest, else the
    people with the highest ``size_by`` (spread or bridge score).

    ``network`` is a :class:`DrawIndex` (the app's: from the stored analysis,
    so only the people drawn become a graph) or a networkx graph.
    """
    if not 1 <= int(hops) <= 3:
        raise NetmapError(f"hops must be 1, 2 or 3, got {hops!r}")
    index = network if isinstance(network, DrawIndex) else DrawIndex.from_graph(network, people)
    if focus is not None and focus not in index:
        raise UnknownPerson(f"person #{focus} is not in the network")
    chosen = filter_people(people, filters)
    ids = set(chosen["person_id"].astype(int).tolist())
    notes: list[str] = []
    if filters.min_strength > 0:
        strong = filter_ties(ties, ids, min_strength=filters.min_strength)
        ids &= set(strong["a_id"].tolist()) | set(strong["b_id"].tolist())
    matching = len(ids)
    if focus is not None and focus not in ids:
        ids.add(int(focus))
        notes.append("The person you focus on does not pass the filters; they are drawn anyway.")
    if not ids:
        raise NetmapError("nobody passes these filters: widen them to see the network")
    n = len(index)
    if filters.active or focus is not None:
        allowed = index.mask(ids)
    else:
        allowed = np.ones(n, dtype=bool)
    measure = pd.to_numeric(index.people[size_by], errors="coerce").reindex(index.nodes).fillna(0.0).to_numpy() \
        if size_by in index.people.columns else np.zeros(n)
    if focus is not None:
        dist = index.ego(int(focus), int(hops), allowed, float(filters.min_strength))
        reached = np.flatnonzero(dist >= 0)
        order = reached[np.lexsort((index.nodes[reached], -measure[reached], dist[reached]))]
    else:
        reached = np.flatnonzero(allowed)
        order = reached[np.lexsort((index.nodes[reached], -measure[reached]))]
    keep = index.nodes[order[: int(max_nodes)]].tolist()
    H = index.subgraph(keep, float(filters.min_strength))
    table = graph_people_table(people)
    marked = bridge_customers(people)
    drawn = DrawOptions(
        color_by=color_by, size_by=size_by, focus=focus, hops=int(hops), max_nodes=max(len(keep), 1),
        positions=positions, weak_edges=weak_tie_table(ties), bridge_edges=bridge_tie_table(ties), marked=marked,
        title=title, height=height,
    )
    gv: GraphView = graph_html(H, table, drawn)
    shown_ids = set(gv.ids)
    communities = _communities_shown(table, shown_ids) if color_by == "community" else []
    team = any(H.nodes[v].get("stage") == TEAM_STAGE for v in shown_ids if v in H)
    legend = legend_html(color_by, communities, labels=labels,
                         marked=bool(shown_ids & marked), size_by=size_by, team=team)
    return NetworkView(
        html=add_legend(gv.html, legend), shown=gv.shown, total=len(reached), matching=matching,
        everyone=n, focus=focus, marked=len(shown_ids & marked), notes=tuple(notes),
    )


def _communities_shown(table: pd.DataFrame, shown: set[int]) -> list[int]:
    if not shown:
        return []
    c = pd.to_numeric(table.loc[table.index.intersection(list(shown)), "community"], errors="coerce")
    return [int(x) for x in c.dropna().astype(int).value_counts().index]


def showing_text(view: NetworkView, *, size_by: str = "spread", hops: int = 1, focus_name: str | None = None) -> str:
    """"Showing N of M people ..." in plain words (plain text; escape it for Markdown)."""
    measure = "bridge score" if size_by == "bridge_score" else "spread"
    if view.focus is not None:
        who = plain(focus_name) or f"#{view.focus}"
        text = (f"Showing {view.shown:,} of {view.total:,} people within {hops} "
                f"step{'s' if hops != 1 else ''} of {who}")
        if view.shown < view.total:
            text += " (the nearest first)"
    else:
        text = f"Showing {view.shown:,} of {view.total:,} people"
        if view.shown < view.total:
            text += f" (those with the highest {measure})"
    if view.matching < view.everyone:
        text += f"; {view.matching:,} of the {view.everyone:,} in the network pass the filters"
    return text + "."


def path_graph(network, paths: pd.DataFrame) -> nx.Graph:
    """The people on ``paths`` (rows of :func:`find_paths`) and only the ties the paths use.

    ``network`` is the networkx graph, or a :class:`~netmap.draw.index.DrawIndex` when
    ``paths`` has ``path_ids`` (``find_paths(..., with_ids=True)``; no graph of
    everyone needed). Node and tie attributes are copied; each node also gets
    ``role``: ``"source"``, ``"target"`` or ``"go-between"``.
    """
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
