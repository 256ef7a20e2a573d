"""What the Network and Bridges pages show, as plain functions (no Streamlit).

The pages only read widgets and call these: filtering the people and tie
tables (owner, community, feeling, lifecycle stage, minimum tie strength),
searching a person, choosing which part of the network to draw, the legend
drawn inside the graph, the ranked bridge customers and weak ties, and the
measures explained in plain words.

Nothing here mutates its inputs: the analysis tables are cached and shared.
Every text that comes from the data (names, companies, community labels) is
HTML-escaped where it goes into HTML (the legend) and left as plain text
everywhere else.
"""

from __future__ import annotations

import html as _html
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import pandas as pd

from .errors import NetmapError
from .model import FEELINGS, TEAM_STAGE
from .network.export import COMMUNITY_COLORS, FEELING_COLORS, GraphView, graph_html
from .network.nurture import plain
from .search import search_people

__all__ = [
    "NONE", "FEELINGS", "GLOBAL_LAYOUT_MAX", "DrawIndex", "Filters", "NetworkView", "MEASURES", "TIE_MEASURES", "MAX_NODES_CHOICES",
    "bridge_customers", "bridge_pairs", "filter_people", "filter_ties", "graph_people_table", "legend_html",
    "network_view", "options", "ranked_bridges", "ranked_weak_ties", "sandboxed", "search_people", "showing_text",
    "unsandboxed",
    "use_global_layout", "visible_graph", "weak_pairs",
]

#: How a missing owner / stage / community shows in the filters.
NONE = "(none)"
#: Caps offered for the graph view (ENGINEERING.md: ~1,000 nodes draw in ~1.3 s; 5,000 take 4.4 s).
MAX_NODES_CHOICES = (100, 250, 500, 1000, 1500, 2000)
#: Up to this many people the whole network is laid out once (cached) and every view reuses
#: those positions; above it each view lays out only the people it draws (<= ~0.3 s for 1,000),
#: because a whole-network force layout grows with n^2 (5,000 people: ~12 s; 10,000: ~35 s).
GLOBAL_LAYOUT_MAX = 2000
#: Share of people (by bridge score) marked as bridge customers, besides every cut vertex.
BRIDGE_SHARE = 0.05

#: The people measures in plain words (Bridges page, column help).
MEASURES: dict[str, str] = {
    "bridge_score": "One number for how much this person links otherwise separate groups, from 0 to 1: "
                    "mostly their betweenness (relative to the network's top broker), then low constraint, "
                    "how many people only they connect to the rest, and ties across communities.",
    "betweenness": "How often they sit on the shortest path between two other people (share of all such "
                   "paths). High: news between groups tends to pass through them.",
    "constraint": "Burt's constraint. Low means their contacts do not know each other, so they broker "
                  "between groups (a structural hole); high means they sit inside one closed circle.",
    "effective_size": "How many non-redundant contacts they have: their number of contacts minus how much "
                      "those contacts know each other. Higher: more distinct groups within reach.",
    "participation": "How evenly their ties spread across communities, from 0 (all in their own community) "
                     "towards 1 (spread over many).",
    "is_cut_vertex": "Removing them would split the network: some people would no longer be connected to the rest.",
    "separates": "How many people would lose their only connection to the rest of the network if they left "
                 "(0 unless a cut vertex): the customers whose loss would split your base.",
    "degree": "How many people they are tied to.",
    "spread": "How many other people their good word of mouth would be expected to reach.",
    "reach2": "Friend-of-a-friend reach: distinct people within two steps.",
}
#: The tie measures in plain words.
TIE_MEASURES: dict[str, str] = {
    "strength": "How strong the tie is, from 0 to 1: referrals, explicit relationships, shared meetings "
                "and the same company add up; old evidence fades.",
    "overlap": "Onnela's neighbourhood overlap: the share of the two people's contacts that they have in common. "
               "0 means they have no friend in common.",
    "local_bridge": "The two share no friend at all: without this tie, news between them would take a detour.",
    "span": "For a local bridge: how many steps the detour takes without this tie (empty when there is none "
            "within 8 steps). The longer, the more this tie shortcuts.",
    "crosses_communities": "The two people belong to different communities.",
    "weakness": "One number for how weak and far-reaching the tie is, from 0 to 1: weak, few common "
                "friends, a local bridge, across communities. Weak ties carry news and referrals furthest.",
}


# ------------------------------------------------------------------ filters --
@dataclass(frozen=True)
class Filters:
    """What the user narrowed the view to. Empty tuples mean "everyone".

    ``owners`` and ``stages`` may contain :data:`NONE` for people without one;
    ``communities`` are community ids (-1 for people without a community).
    Hashable, so it can key a cache.
    """

    owners: tuple[str, ...] = ()
    communities: tuple[int, ...] = ()
    feelings: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    min_strength: float = 0.0

    def __post_init__(self):
        if not (0.0 <= float(self.min_strength) <= 1.0) or math.isnan(float(self.min_strength)):
            raise NetmapError(f"the minimum tie strength must be between 0 and 1, got {self.min_strength!r}")
        bad = set(self.feelings) - set(FEELINGS)
        if bad:
            raise NetmapError(f"unknown feeling {sorted(bad)[0]!r}; choose from {', '.join(FEELINGS)}")

    @property
    def people_filtered(self) -> bool:
        return bool(self.owners or self.communities or self.feelings or self.stages)

    @property
    def active(self) -> bool:
        return self.people_filtered or self.min_strength > 0


def _text_column(people: pd.DataFrame, column: str) -> pd.Series:
    col = people[column] if column in people.columns else pd.Series(None, index=people.index, dtype=object)
    return col.astype(object).where(col.notna(), NONE).astype(str)


def _community_ids(people: pd.DataFrame) -> pd.Series:
    ids = pd.to_numeric(people["community_id"], errors="coerce") if "community_id" in people.columns else None
    if ids is None:
        return pd.Series(-1, index=people.index)
    return ids.fillna(-1).astype(int)


def options(people: pd.DataFrame, labels: Mapping[int, str] | None = None) -> dict[str, list]:
    """The choices each filter offers: ``owner``, ``stage`` (sorted, :data:`NONE`
    last when someone lacks one), ``feeling`` and ``community`` (ids, largest
    first) with ``community_labels`` {id: label}."""
    out: dict[str, list] = {}
    for col in ("owner", "stage"):  # each distinct value once (100,000 people: a few hundred owners)
        column = people[col] if col in people.columns else pd.Series(None, index=people.index, dtype=object)
        values = {str(v) for v in column.dropna().unique()} | ({NONE} if column.isna().any() else set())
        out[col] = sorted(values - {NONE}, key=str.casefold) + ([NONE] if NONE in values else [])
    present = set(people["feeling"].fillna("unknown").unique()) if "feeling" in people.columns else set()
    out["feeling"] = [f for f in FEELINGS if f in present]
    ids = _community_ids(people)
    out["community"] = [int(c) for c in ids.value_counts().sort_index().sort_values(ascending=False, kind="stable").index]
    names = dict(labels or {})
    if "community" in people.columns:  # else the first label a community's people carry
        named = pd.DataFrame({"c": ids, "label": people["community"]}).dropna().drop_duplicates("c")
        for c, label in zip(named["c"], named["label"]):
            if c not in names and isinstance(label, str):
                names[int(c)] = label
    out["community_labels"] = {c: (plain(names.get(c)) or (NONE if c == -1 else f"Community {c}"))
                                for c in out["community"]}
    return out


def filter_people(people: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """The rows of the people table (Analysis.people) that pass the filters
    (owner, community, feeling, stage); a new frame, the input is untouched."""
    mask = pd.Series(True, index=people.index)
    if filters.owners:
        mask &= _text_column(people, "owner").isin(filters.owners)
    if filters.stages:
        mask &= _text_column(people, "stage").isin(filters.stages)
    if filters.feelings:
        mask &= people["feeling"].fillna("unknown").isin(filters.feelings)
    if filters.communities:
        mask &= _community_ids(people).isin([int(c) for c in filters.communities])
    return people.loc[mask]


def filter_ties(ties: pd.DataFrame, people_ids: Iterable[int] | None = None, *, min_strength: float = 0.0,
                either_end: bool = False) -> pd.DataFrame:
    """Ties at or above ``min_strength`` whose ends are both (or, with
    ``either_end``, at least one) among ``people_ids`` (None: everyone)."""
    mask = pd.to_numeric(ties["strength"], errors="coerce").fillna(0.0) >= float(min_strength)
    if people_ids is not None:
        ids = pd.Index(list(people_ids) if not isinstance(people_ids, pd.Index) else people_ids)
        a, b = ties["a_id"].isin(ids), ties["b_id"].isin(ids)
        mask &= (a | b) if either_end else (a & b)
    return ties.loc[mask]


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


def weak_pairs(ties: pd.DataFrame) -> set[tuple[int, int]]:
    """:func:`weak_tie_table` as a set of ``(a_id, b_id)``."""
    t = weak_tie_table(ties)
    return set(zip(t["a_id"].tolist(), t["b_id"].tolist()))


def bridge_pairs(ties: pd.DataFrame) -> set[tuple[int, int]]:
    """:func:`bridge_tie_table` as a set of ``(a_id, b_id)``."""
    t = bridge_tie_table(ties)
    return set(zip(t["a_id"].tolist(), t["b_id"].tolist()))


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


def visible_graph(G: nx.Graph, node_ids: Iterable[int] | None, min_strength: float = 0.0) -> nx.Graph:
    """A read-only view of ``G`` restricted to ``node_ids`` (None: all) and to
    ties of at least ``min_strength`` (no copy: cheap on large graphs)."""
    nodes = None if node_ids is None else set(node_ids)
    fn = (lambda v: v in nodes) if nodes is not None else nx.filters.no_filter
    if min_strength > 0:
        def fe(a, b):
            return float(G[a][b].get("strength", 1.0) or 0.0) >= min_strength
    else:
        fe = nx.filters.no_filter
    return nx.subgraph_view(G, filter_node=fn, filter_edge=fe)


def _blank(x) -> bool:
    return x is None or x is pd.NA or (isinstance(x, float) and math.isnan(x))


#: node attributes the drawings read (tooltips, labels), taken from the people table
_NODE_ATTRS = ("name", "company", "email", "owner", "stage", "feeling", "nps", "scale", "segment", "region")


@dataclass(frozen=True, eq=False)
class DrawIndex:
    """The whole network as arrays, to pick and draw part of it without a networkx
    graph of everyone (a 100,000-person graph takes seconds to build; the stored
    analysis has its ties as arrays).

    ``nodes`` sorted person ids; ``u``, ``v`` (positions, ``u < v``),
    ``strength`` and ``kinds`` per tie; ``indptr``/``indices`` the symmetric
    CSR adjacency with ``tie`` the tie number of each entry; ``people`` the
    people table by person id (node attributes).
    """

    nodes: np.ndarray
    u: np.ndarray
    v: np.ndarray
    strength: np.ndarray
    kinds: np.ndarray
    indptr: np.ndarray
    indices: np.ndarray
    tie: np.ndarray
    people: pd.DataFrame

    @classmethod
    def build(cls, nodes, u, v, strength, kinds, people: pd.DataFrame) -> "DrawIndex":
        from .network.paths import symmetric_csr

        nodes = np.asarray(nodes, dtype=np.int64)
        u, v = np.asarray(u, dtype=np.int64), np.asarray(v, dtype=np.int64)
        strength = np.asarray(strength, dtype=np.float64)
        indptr, indices, _, tie = symmetric_csr(len(nodes), u, v, strength)
        table = people.set_index("person_id") if "person_id" in people.columns else people
        return cls(nodes, u, v, strength, np.asarray(kinds, dtype=object), indptr, indices, tie, table)

    @classmethod
    def from_analysis(cls, analysis) -> "DrawIndex":
        """From a stored :class:`~netmap.analysis.Analysis` (no graph needed)."""
        nodes, u, v, s = analysis.edge_arrays()
        kinds = analysis.edges["kinds"].fillna("").to_numpy(dtype=object) if "kinds" in analysis.edges else [""] * len(u)
        return cls.build(nodes, u, v, s, kinds, analysis.people)

    @classmethod
    def from_graph(cls, G: nx.Graph, people: pd.DataFrame | None = None) -> "DrawIndex":
        """From a networkx graph (node attributes from ``people`` when given, else from ``G``)."""
        from .network.spread import _edge_arrays, tie_kinds

        nodes, u, v, s = _edge_arrays(G)
        kinds = tie_kinds(G, nodes, u, v)
        if people is None:
            people = pd.DataFrame.from_dict({int(x): dict(G.nodes[int(x)]) for x in nodes}, orient="index")
            people.index.name = "person_id"
        return cls.build(nodes, u, v, s, kinds, people)

    def __len__(self) -> int:
        return len(self.nodes)

    def __contains__(self, person_id) -> bool:
        i = int(np.searchsorted(self.nodes, person_id)) if len(self.nodes) else 0
        return i < len(self.nodes) and self.nodes[i] == person_id

    def positions(self, ids) -> np.ndarray:
        return np.searchsorted(self.nodes, np.asarray(list(ids), dtype=np.int64))

    def mask(self, ids) -> np.ndarray:
        """True at each of ``ids`` in :attr:`nodes`; ids not in the network are left out.
        Vectorised: a per-id ``in`` took 0.36 s for 100,000 people."""
        found = np.zeros(len(self.nodes), dtype=bool)
        wanted = np.fromiter(ids, dtype=np.int64, count=len(ids))
        if len(self.nodes) and len(wanted):
            at = np.searchsorted(self.nodes, wanted).clip(max=len(self.nodes) - 1)
            found[at[self.nodes[at] == wanted]] = True
        return found

    def ego(self, focus: int, hops: int, allowed: np.ndarray, min_strength: float) -> np.ndarray:
        """Hops from ``focus`` to everyone within ``hops`` ties (-1: beyond), walking only
        ``allowed`` people and ties of at least ``min_strength``."""
        dist = np.full(len(self.nodes), -1, dtype=np.int64)
        start = int(self.positions([focus])[0])
        dist[start] = 0
        frontier = np.array([start], dtype=np.int64)
        for h in range(1, hops + 1):
            starts, ends = self.indptr[frontier], self.indptr[frontier + 1]
            counts = ends - starts
            if not counts.sum():
                break
            epos = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(counts.sum())
            nbr = self.indices[epos]
            ok = (dist[nbr] < 0) & allowed[nbr] & (self.strength[self.tie[epos]] >= min_strength)
            frontier = np.unique(nbr[ok])
            dist[frontier] = h
        return dist

    def subgraph(self, keep: Iterable[int], min_strength: float = 0.0) -> nx.Graph:
        """The people ``keep`` (ids) and the ties among them (of at least ``min_strength``),
        with the attributes the drawings read: a small networkx graph."""
        keep = [int(x) for x in keep]
        H = nx.Graph()
        rows = self.people.reindex(keep)
        cols = [c for c in _NODE_ATTRS if c in rows.columns]
        for pid, values in zip(keep, rows[cols].itertuples(index=False, name=None)):
            H.add_node(pid, **{c: x for c, x in zip(cols, values) if not _blank(x)})
        inside = np.zeros(len(self.nodes), dtype=bool)
        inside[self.positions(keep)] = True
        m = inside[self.u] & inside[self.v] & (self.strength >= min_strength)
        for a, b, st, k in zip(self.nodes[self.u[m]].tolist(), self.nodes[self.v[m]].tolist(),
                               self.strength[m].tolist(), self.kinds[m].tolist()):
            H.add_edge(a, b, strength=st, kinds=tuple(x for x in str(k or "").split(", ") if x))
        return H


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
        raise NetmapError(f"person #{focus} is not in the network")
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
    gv: GraphView = graph_html(
        H, table, color_by=color_by, size_by=size_by, focus=focus, hops=int(hops), max_nodes=max(len(keep), 1),
        positions=positions, weak_edges=weak_tie_table(ties), bridge_edges=bridge_tie_table(ties), marked=marked,
        title=title, height=height,
    )
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


# ------------------------------------------------------------------- legend --
_SWATCH = ("display:inline-block;width:11px;height:11px;border-radius:50%;margin-right:4px;"
           "vertical-align:-1px;background:{}")
_ITEM = '<span class="nl-item">{}</span>'
#: the legend's look: a column beside the drawing (netmap.network.export's page puts an ``<aside>``
#: there), one item a line; a strip above it in a narrow frame
_LEGEND_STYLE = (
    "<style>#netmap-legend{font:12px/1.45 sans-serif;color:#333;padding:6px 8px;border-left:1px solid #e0e0e0;}"
    " #netmap-legend .nl-item{display:block;padding:1px 0 1px 16px;text-indent:-16px;}"
    " #netmap-legend .nl-marks{color:#555;margin-top:8px;}"
    " @media (max-width:720px){#netmap-legend{border-left:0;padding:2px 4px;}"
    " #netmap-legend .nl-item{display:inline-block;white-space:nowrap;margin-right:14px;padding:0;text-indent:0;}"
    " #netmap-legend .nl-marks{margin-top:0;}}</style>"
)
#: the swatch of people in no community (as the drawing colours them)
_NO_COMMUNITY_COLOR = "#cfcfcf"


def legend_html(color_by: str, communities: Iterable[int] = (), *, labels: Mapping[int, str] | None = None,
                marked: bool = True, size_by: str = "spread", team: bool = False) -> str:
    """The legend (HTML; every label escaped) drawn beside the graph: the
    colours (feelings, or every community shown, largest first: a column beside the
    drawing that scrolls when longer than the drawing is tall), what a dashed or a dark
    tie means, and the bridge-customer diamond."""
    esc = _html.escape
    colours = []
    if color_by == "feeling":
        for f in FEELINGS:
            colours.append(_ITEM.format(f'<span style="{_SWATCH.format(FEELING_COLORS[f])}"></span>{esc(f)}'))
    else:
        comms = list(communities)
        names = labels or {}
        for c in comms:
            color = _NO_COMMUNITY_COLOR if int(c) < 0 else COMMUNITY_COLORS[int(c) % len(COMMUNITY_COLORS)]
            name = plain(names.get(int(c))) or (NONE if int(c) < 0 else f"Community {int(c)}")
            colours.append(_ITEM.format(f'<span style="{_SWATCH.format(color)}"></span>{esc(name)}'))
        if sum(int(c) >= 0 for c in comms) > len(COMMUNITY_COLORS):
            colours.append(_ITEM.format(f"(colours repeat after {len(COMMUNITY_COLORS)} communities)"))
    marks = [
        _ITEM.format('<svg width="24" height="8"><line x1="0" y1="4" x2="24" y2="4" stroke="#9e9e9e" '
                     'stroke-width="2" stroke-dasharray="4 3"/></svg> weak tie (no shared friend, or across '
                     'communities)'),
        _ITEM.format('<svg width="24" height="8"><line x1="0" y1="4" x2="24" y2="4" stroke="#37474f" '
                     'stroke-width="4" stroke-dasharray="4 3"/></svg> only short link between two communities'),
    ]
    if marked:
        marks.append(_ITEM.format(
            '<svg width="12" height="12" style="vertical-align:-1px"><polygon points="6,0 12,6 6,12 0,6" '
            'fill="#bdbdbd" stroke="#212121" stroke-width="2"/></svg> bridge customer'))
    if team:
        marks.append(_ITEM.format(
            '<svg width="11" height="11" style="vertical-align:-1px"><rect width="11" height="11" '
            'fill="#bdbdbd"/></svg> your team (whose connections were imported)'))
    bigger = "higher bridge score" if size_by == "bridge_score" else "wider spread"
    marks.append(_ITEM.format(f"larger: {bigger} · thicker line: stronger tie"))
    return (_LEGEND_STYLE + '<aside id="netmap-legend" aria-label="Legend">'
            '<div>' + "".join(colours) + '</div><div class="nl-marks">' + "".join(marks) + "</div></aside>")


#: the sandbox of a drawing's own frame: scripts run (vis-network draws), but in an opaque
#: origin, so nothing in a drawing can reach the app's page, cookies or storage
DRAWING_SANDBOX = "allow-scripts"
#: the Person page's address, relative to the page a drawing is on (app.py: ``pages/person.py``)
PERSON_URL = "person"

#: The script of the page around a drawing that opens profiles (static: no data in it). A click on a person
#: in the drawing (netmap.network.export's view script) posts ``{netmap: "open-person", id}``;
#: this accepts it only from its own drawing's frame and only as a non-negative integer, and
#: opens ``person?id=<id>`` (relative to the app page's address, so any base path works) by a
#: link it adds to the app's page and clicks: Streamlit's own frame may not navigate the page
#: (its sandbox has no allow-top-navigation) but a link of the page itself may. Ctrl/Cmd-click:
#: a new tab.
_OPEN_PERSON = """<script>
(function () {
  var frame = document.querySelector("iframe");
  addEventListener("message", function (e) {
    var d = e.data;
    if (!frame || e.source !== frame.contentWindow || !d || d.netmap !== "open-person") return;
    if (typeof d.id !== "number" || !Number.isSafeInteger(d.id) || d.id < 0) return;
    var url = new URL(PERSON + "?id=" + d.id, document.baseURI).href;
    try {
      var doc = window.parent.document, a = doc.createElement("a");
      if (!d.newTab && url === window.parent.location.href) return;
      a.href = url;
      if (d.newTab) { a.target = "_blank"; a.rel = "noopener"; }
      a.style.display = "none";
      doc.body.appendChild(a);
      a.click();
      a.remove();
    } catch (err) {
      window.open(url, "_blank", "noopener");
    }
  });
})();
</script>"""


#: With ``sandboxed(..., fill_window=True)``: the page's frame (Streamlit's, same-origin with the
#: app) makes itself end at the bottom of the app's window - at least ``MIN`` px tall - when it
#: loads and whenever the window is resized, so the whole drawing is in view on any screen.
_FILL_WINDOW = """<script>
(function () {
  var frame = window.frameElement, MIN = 400, GAP = 24;
  if (!frame) return;
  function scroller() {
    for (var e = frame.parentElement; e; e = e.parentElement) {
      var o = window.parent.getComputedStyle(e).overflowY;
      if ((o === "auto" || o === "scroll") && e.clientHeight) return e;
    }
    return null;
  }
  function fill() {
    try {
      var s = scroller(), r = frame.getBoundingClientRect();
      var top = s ? r.top - s.getBoundingClientRect().top + s.scrollTop : r.top + window.parent.scrollY;
      var room = s ? s.clientHeight : window.parent.innerHeight;
      var h = Math.max(MIN, Math.round(room - top - GAP));
      if (Math.abs(h - r.height) < 2) return;
      /* the frame, and the wrappers Streamlit sized to it (else the next element would overlap it) */
      for (var e = frame; e && Math.abs(e.getBoundingClientRect().height - r.height) < 1.5; e = e.parentElement) {
        e.style.height = h + "px";
      }
    } catch (err) { /* not in the app's page: keep the height it was given */ }
  }
  fill();
  window.parent.addEventListener("resize", fill);
  addEventListener("pagehide", function () { window.parent.removeEventListener("resize", fill); });
})();
</script>"""


def sandboxed(page: str, *, title: str = "Network drawing", person_url: str = PERSON_URL,
              fill_window: bool = False) -> str:
    """``page`` (a drawing) inside a frame of its own, sandboxed with
    :data:`DRAWING_SANDBOX` only: the page the app puts in Streamlit's frame, which allows
    scripts *and* same-origin (so that a slip in escaping a drawing would run with the app's
    origin). The drawing is the inner frame's ``srcdoc``, escaped as an attribute; it fills
    the outer frame exactly. :func:`unsandboxed` gives it back.

    A click on a person opens their profile (``{person_url}?id=<id>``) without loosening
    that sandbox: the drawing cannot navigate anything itself (no ``allow-top-navigation``,
    which would let a drawing gone wrong send the app's window to any address; and
    Streamlit's frame, lacking it too, would block it anyway). It posts the person's id to
    this page, whose own static script (:data:`_OPEN_PERSON`) accepts an integer from that
    frame alone and opens the app's own Person page. So the property stands: even a drawing
    running a script an escaping slip let in reaches no cookie, storage or page of the app,
    and can at most open some person's profile.

    ``fill_window``: the frame ends at the bottom of the app's window (:data:`_FILL_WINDOW`;
    the Network page's drawing), instead of keeping the height Streamlit gave it."""
    return (
        '<!doctype html><html><head><meta charset="utf-8"><style>html,body{margin:0;height:100%;'
        'overflow:hidden}iframe{border:0;width:100%;height:100%;display:block}</style></head><body>'
        f'<iframe title="{_html.escape(title, quote=True)}" sandbox="{DRAWING_SANDBOX}" '
        f'srcdoc="{_html.escape(page, quote=True)}"></iframe>'
        + _OPEN_PERSON.replace("PERSON", json.dumps(str(person_url)).replace("<", "\\u003c"))
        + (_FILL_WINDOW if fill_window else "") + "</body></html>"
    )


_SANDBOXED = re.compile(r'<iframe title="[^"]*" sandbox="[^"]*" srcdoc="([^"]*)"></iframe>')


def unsandboxed(page: str) -> str:
    """The drawing inside a :func:`sandboxed` page (``page`` itself when it is not one)."""
    m = _SANDBOXED.search(page)
    return _html.unescape(m.group(1)) if m else page


def add_legend(page: str, legend: str) -> str:
    """Put the legend in the drawing's page, before the graph (below the page's title, if
    any); the page's style places it beside the graph."""
    at = page.find('<div class="card"')
    if at < 0:
        if "<body>" not in page:
            return page
        return page.replace("<body>", "<body>\n" + legend, 1)
    return page[:at] + legend + "\n" + page[at:]


# ------------------------------------------------------------------ rankings --
BRIDGE_COLUMNS = ["person_id", "name", "company", "owner", "community", "bridge_score", "betweenness",
                  "constraint", "effective_size", "participation", "is_cut_vertex", "separates", "degree", "feeling"]
WEAK_TIE_COLUMNS = ["a_id", "a_name", "a_community", "b_id", "b_name", "b_community", "strength", "overlap",
                    "local_bridge", "span", "crosses_communities", "weakness"]


def ranked_bridges(people: pd.DataFrame, filters: Filters = Filters(), *, top: int | None = 100) -> pd.DataFrame:
    """Bridge customers, in the order of :func:`~netmap.network.bridges.bridge_ranking`,
    among the people passing the filters; :data:`BRIDGE_COLUMNS` plus ``rank``."""
    from .network.bridges import bridge_ranking

    ranked = bridge_ranking(filter_people(people, filters))
    if top is not None:
        ranked = ranked.head(int(top))
    cols = [c for c in BRIDGE_COLUMNS if c in ranked.columns]
    out = ranked[cols].reset_index(drop=True)
    out.insert(0, "rank", range(1, len(out) + 1))
    return out


def ranked_weak_ties(ties: pd.DataFrame, people: pd.DataFrame, filters: Filters = Filters(), *,
                     top: int | None = 100) -> pd.DataFrame:
    """Weak ties, weakest (most far-reaching) first, with at least one end
    among the people passing the filters and strength >= ``min_strength``;
    :data:`WEAK_TIE_COLUMNS` plus ``rank``."""
    ids = None
    if filters.people_filtered:
        ids = pd.Index(filter_people(people, filters)["person_id"])
    chosen = filter_ties(ties, ids, min_strength=filters.min_strength, either_end=True)
    # the stored ties are weakest first, equal weakness in the data's canonical order: keep it
    ranked = chosen.sort_values("weakness", ascending=False, kind="mergesort")
    if top is not None:
        ranked = ranked.head(int(top))
    community = people.set_index("person_id")["community"]
    out = ranked.assign(
        a_community=ranked["a_id"].map(community), b_community=ranked["b_id"].map(community),
    )[[c for c in WEAK_TIE_COLUMNS if c in ranked.columns or c in ("a_community", "b_community")]]
    out = out.reset_index(drop=True)
    out.insert(0, "rank", range(1, len(out) + 1))
    return out
