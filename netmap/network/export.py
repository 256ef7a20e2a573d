"""Export the network: GraphML/GEXF for Gephi, and an interactive HTML view.

File exports carry every measure of the people table as a node attribute (and
an optional edge table, e.g. weak-tie measures, as edge attributes). GraphML
and GEXF cannot store ``None``: missing values (``None``/``NaN``) are left out
for that node or edge; dates become ISO strings, tuples are joined with ", ",
and every attribute keeps one type across the file (bool, int, float or str).

The HTML view (:func:`graph_html`) is one self-contained page made with pyvis
0.3.2 (``cdn_resources="in_line"``): vis-network is inlined, the template's
CDN Bootstrap ``<link>``/``<script>`` are stripped, positions are computed in
Python and physics is off, so it renders offline and does not move.
Security (ENGINEERING.md): every text is data, never markup -

* tooltips are plain strings (vis-network >= 9 shows them as text);
* pyvis switches to a popup that assigns ``innerHTML`` when any title contains
  ``"href"``: a zero-width joiner is put after the ``h`` of any "href" in a
  title, so the switch can never trigger, and the page is checked not to
  contain ``popup.innerHTML`` (a ``RuntimeError`` otherwise);
* pyvis prints ``heading`` unescaped: it is left empty; the page title is
  HTML-escaped by this module;
* node/edge JSON goes through Jinja's ``tojson``, which escapes ``<``, ``>``,
  ``&`` and ``'`` (so ``</script>`` in a name cannot close the script).
"""

from __future__ import annotations

import functools
import html as _html
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

import networkx as nx
import numpy as np
import pandas as pd

from netmap.errors import UnknownPerson
from netmap.model import TEAM_STAGE
from netmap.network.nurture import plain
from netmap.tabular_export import neutralise

__all__ = [
    "FEELING_COLORS",
    "COMMUNITY_COLORS",
    "GraphView",
    "graph_html",
    "layout_positions",
    "to_gexf",
    "to_graphml",
]

#: Node colour per feeling (consistent across the app).
FEELING_COLORS = {
    "promoter": "#2e7d32",
    "passive": "#f9a825",
    "detractor": "#c62828",
    "unknown": "#9e9e9e",
}
#: Colour per community, indexed by ``community % len`` (Tableau 10 + 2).
COMMUNITY_COLORS = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
    "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac", "#1f77b4", "#8c564b",
)
_NO_COMMUNITY = "#cfcfcf"
_EDGE_COLOR = "#b0b0b0"
_BRIDGE_COLOR = "#37474f"
_CUT_COLUMNS = ("is_cut_vertex", "cut_vertex", "articulation_point")
_EDGE_END_COLUMNS = (("a", "b"), ("u", "v"), ("source", "target"), ("a_id", "b_id"), ("person_a", "person_b"))


# ----------------------------------------------------------------- values --
def _missing(v) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, float | np.floating):
        return math.isnan(v)
    return False


def _scalar(v):
    """A GraphML/GEXF-storable Python value, or ``None`` to leave it out. Text is
    formula-safe (:func:`netmap.tabular_export.neutralise`): Gephi and other tools
    export these attributes to spreadsheets, where ``=HYPERLINK(...)`` would run."""
    if isinstance(v, np.generic):
        v = v.item()
    if _missing(v):
        return None
    if isinstance(v, bool | int | float):
        return v
    if isinstance(v, str):
        return neutralise(v)
    if isinstance(v, datetime | date | pd.Timestamp):
        return v.isoformat()
    if isinstance(v, tuple | list | set | frozenset):
        items = sorted(v, key=str) if isinstance(v, set | frozenset) else v
        return neutralise(", ".join(str(_scalar(x)) for x in items if _scalar(x) is not None))
    return neutralise(str(v))


def _unify(records: list[dict]) -> None:
    """Give every attribute one type across all records (in place)."""
    kinds: dict[str, set] = {}
    for rec in records:
        for k, v in rec.items():
            kinds.setdefault(k, set()).add(type(v))
    for k, ts in kinds.items():
        if ts <= {bool} or ts <= {int} or ts <= {str}:
            continue
        conv = float if ts <= {int, float} else str
        for rec in records:
            if k in rec:
                rec[k] = conv(rec[k])


def _edge_ends(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    for a, b in _EDGE_END_COLUMNS:
        if a in table.columns and b in table.columns:
            return table[a].to_numpy(), table[b].to_numpy(), table.drop(columns=[a, b])
    if isinstance(table.index, pd.MultiIndex) and table.index.nlevels == 2:
        return (table.index.get_level_values(0).to_numpy(),
                table.index.get_level_values(1).to_numpy(), table.reset_index(drop=True))
    raise ValueError(
        "edge table needs endpoint columns (one of "
        + ", ".join(f"{a}/{b}" for a, b in _EDGE_END_COLUMNS) + ") or a two-level index"
    )


def _export_graph(G: nx.Graph, people_table: pd.DataFrame | None, edge_table, *, gexf: bool) -> nx.Graph:
    H = nx.Graph()
    cols = [] if people_table is None else [c for c in people_table.columns]
    rows = {} if people_table is None else people_table.to_dict(orient="index")
    nodes = sorted(G.nodes())
    node_recs = []
    for v in nodes:
        rec = {}
        for k, x in G.nodes[v].items():
            s = _scalar(x)
            if s is not None:
                rec[str(k)] = s
        for k in cols:
            s = _scalar(rows.get(v, {}).get(k))
            if s is not None:  # the table wins where it has a value
                rec[str(k)] = s
        if gexf:
            rec.pop("label", None)
            name = neutralise(plain(G.nodes[v].get("name", "")))
            if name:
                rec["label"] = name
        node_recs.append(rec)
    _unify(node_recs)
    H.add_nodes_from(zip(nodes, node_recs))
    extra: dict[tuple, dict] = {}
    if edge_table is not None and len(edge_table):
        ea, eb, rest = _edge_ends(edge_table)
        recs = rest.to_dict(orient="records")
        for a, b, r in zip(ea.tolist(), eb.tolist(), recs):
            extra[(a, b)] = r
            extra[(b, a)] = r
    edges = sorted((min(a, b), max(a, b)) for a, b in G.edges())
    edge_recs = []
    for a, b in edges:
        rec = {}
        for k, x in G.edges[a, b].items():
            s = _scalar(x)
            if s is not None:
                rec[str(k)] = s
        for k, x in extra.get((a, b), {}).items():
            s = _scalar(x)
            if s is not None:
                rec[str(k)] = s
        edge_recs.append(rec)
    _unify(edge_recs)
    H.add_edges_from((a, b, r) for (a, b), r in zip(edges, edge_recs))
    return H


def to_graphml(
    G: nx.Graph, people_table: pd.DataFrame | None, path_or_buffer, *, edge_table: pd.DataFrame | None = None
) -> None:
    """Write GraphML (Gephi, yEd, Cytoscape) with every measure as an attribute.

    ``people_table`` (indexed by person id) columns override node attributes
    of the same name where they have a value; ``edge_table`` (e.g. weak-tie measures, endpoints in
    columns ``a``/``b`` or ``u``/``v`` or ``source``/``target``, or a
    two-level index) adds edge attributes. Read back with
    ``nx.read_graphml(f, node_type=int)``.
    """
    nx.write_graphml(_export_graph(G, people_table, edge_table, gexf=False), path_or_buffer)


def to_gexf(
    G: nx.Graph, people_table: pd.DataFrame | None, path_or_buffer, *, edge_table: pd.DataFrame | None = None
) -> None:
    """Write GEXF 1.2 (Gephi's own format); like :func:`to_graphml`, ``label`` = name."""
    nx.write_gexf(_export_graph(G, people_table, edge_table, gexf=True), path_or_buffer)


# ----------------------------------------------------------------- layout --
def layout_positions(G: nx.Graph, seed: int = 0, iterations: int = 60) -> dict[int, tuple[float, float]]:
    """Deterministic force-directed layout (Fruchterman & Reingold 1991) in [0, 1]^2.

    A numpy implementation (all-pairs repulsion, computed in row blocks so
    memory stays bounded; ~0.3 s at 1,000 nodes), attraction weighted by tie
    ``strength``; same ``seed``, same picture. Cache the result for large views.
    """
    nodes = sorted(G.nodes())
    n = len(nodes)
    if n == 0:
        return {}
    pos_of = {v: i for i, v in enumerate(nodes)}
    e = [(pos_of[a], pos_of[b], float(d.get("strength", 1.0) or 1.0)) for a, b, d in G.edges(data=True) if a != b]
    u = np.array([x[0] for x in e], dtype=np.int64)
    v = np.array([x[1] for x in e], dtype=np.int64)
    w = np.array([x[2] for x in e], dtype=np.float64)
    rng = np.random.default_rng(seed)
    pos = rng.uniform(0, 1, (n, 2))
    k2 = 1.0 / n
    k = math.sqrt(k2)
    t = 0.1
    dt = t / (iterations + 1)
    block = max(1, 4_000_000 // n)
    for _ in range(iterations):
        disp = np.zeros((n, 2))
        x, y = pos[:, 0].astype(np.float32), pos[:, 1].astype(np.float32)
        for s in range(0, n, block):
            dx = x[s:s + block, None] - x[None, :]
            dy = y[s:s + block, None] - y[None, :]
            d2 = dx * dx + dy * dy
            np.maximum(d2, 1e-6, out=d2)
            np.divide(np.float32(k2), d2, out=d2)
            disp[s:s + block, 0] = (dx * d2).sum(1)
            disp[s:s + block, 1] = (dy * d2).sum(1)
        if len(u):
            dv = pos[u] - pos[v]
            dist = np.sqrt((dv ** 2).sum(1)).clip(1e-3)
            att = dv * (dist * w / k)[:, None]
            for j in (0, 1):
                disp[:, j] += np.bincount(v, att[:, j], n) - np.bincount(u, att[:, j], n)
        length = np.sqrt((disp ** 2).sum(1)).clip(1e-9)
        pos += disp * (np.minimum(length, t) / length)[:, None]
        t -= dt
    lo, hi = pos.min(0), pos.max(0)
    span = np.where(hi - lo > 0, hi - lo, 1.0)
    pos = (pos - lo) / span
    return {v: (float(pos[i, 0]), float(pos[i, 1])) for i, v in enumerate(nodes)}


# ------------------------------------------------------------------- html --
@dataclass(frozen=True)
class GraphView:
    """An HTML page and how many of the requested people it shows
    (``ids``: the person ids drawn, in drawing order)."""

    html: str
    shown: int
    total: int
    ids: tuple[int, ...] = ()


_HREF = re.compile(r"(?i)h(?=ref)")


def _defuse(text: str) -> str:
    """Plain one-line-per-field text in which "href" can never appear."""
    return _HREF.sub("h\u200d", text)


def _fmt(x, digits=2) -> str:
    f = float(x)
    return f"{f:,.{digits}f}".rstrip("0").rstrip(".") if not f.is_integer() else f"{int(f):,}"


def _tooltip(v, d: dict, row: dict) -> str:
    lines = [plain(d.get("name")) or f"#{v}"]
    if d.get("stage") == TEAM_STAGE:
        lines.append("Your team")
    company = plain(d.get("company"))
    if company:
        lines.append(f"Company: {company}")
    feeling = plain(row.get("feeling", d.get("feeling")) or "unknown")
    nps = row.get("nps", d.get("nps"))
    if not _missing(nps) and nps is not None:
        scale = "CSAT" if str(d.get("scale")).lower() == "csat" else "NPS"
        lines.append(f"Feeling: {feeling} ({scale} {_fmt(nps)})")
    else:
        lines.append(f"Feeling: {feeling}")
    for col, label in (("spread", "Spread"), ("bridge_score", "Bridge score")):
        x = row.get(col)
        if x is not None and not _missing(x):
            lines.append(f"{label}: {_fmt(x)}")
    return _defuse("\n".join(lines))


def _pairs(edges, keep=None) -> set[frozenset]:
    """Ties as a set of frozensets; ``edges`` is an iterable of ``(a, b)`` or a
    table with ``a_id``/``b_id`` (then only the ties among ``keep`` are read:
    a 100,000-person network has hundreds of thousands of weak ties)."""
    if isinstance(edges, pd.DataFrame):
        if keep is not None:
            ids = pd.Index(list(keep))
            edges = edges.loc[edges["a_id"].isin(ids) & edges["b_id"].isin(ids)]
        edges = zip(edges["a_id"].tolist(), edges["b_id"].tolist())
    return {frozenset((a, b)) for a, b in (edges or ())}


def _select(G, measure: dict, focus, hops, max_nodes) -> tuple[list, int]:
    if focus is not None:
        if focus not in G:
            raise UnknownPerson(f"focus person {focus!r} is not in the network")
        dist = nx.single_source_shortest_path_length(G, focus, cutoff=hops)
        order = sorted(dist, key=lambda v: (dist[v], -measure.get(v, 0.0), v))
        return order[:max_nodes], len(dist)
    nodes = list(G.nodes())
    if len(nodes) <= max_nodes or not all(isinstance(v, (int, np.integer)) for v in nodes[:1]):
        return sorted(nodes, key=lambda v: (-measure.get(v, 0.0), v))[:max_nodes], len(nodes)
    # a large network: the top max_nodes by the measure (then id), vectorised
    ids = np.fromiter(nodes, dtype=np.int64, count=len(nodes))
    vals = pd.Series(measure, dtype=float).reindex(ids).fillna(0.0).to_numpy()
    order = np.lexsort((ids, -vals))[:max_nodes]
    return ids[order].tolist(), len(nodes)


def graph_html(
    G: nx.Graph,
    people_table: pd.DataFrame | None = None,
    *,
    color_by: str = "community",
    size_by: str = "spread",
    focus: int | None = None,
    hops: int = 1,
    max_nodes: int = 1000,
    positions: Mapping[int, tuple[float, float]] | None = None,
    weak_edges: Iterable[tuple[int, int]] | None = None,
    bridge_edges: Iterable[tuple[int, int]] | None = None,
    marked: Iterable[int] | None = None,
    marked_label: str = "Bridge customer",
    title: str | None = None,
    height: str = "700px",
    max_edges_per_node: float = 5.0,
    seed: int = 0,
) -> GraphView:
    """A self-contained interactive HTML view of (part of) the network.

    Parameters
    ----------
    G : networkx.Graph
    people_table : pandas.DataFrame, optional
        Indexed by person id; used columns: ``community`` (colour),
        ``feeling``/``nps``, ``spread``/``bridge_score`` (size, tooltip), and
        a cut-vertex flag (``is_cut_vertex``/``cut_vertex``), drawn as a
        diamond with a dark border.
    color_by : {"community", "feeling"}
        Community palette (:data:`COMMUNITY_COLORS`) or :data:`FEELING_COLORS`.
    size_by : {"spread", "bridge_score"}
        Node size grows with the square root of this measure.
    focus, hops :
        Show only ``focus``'s neighbourhood within ``hops`` ties.
    max_nodes : int
        Cap. Beyond it: the focus's nearest people (then by ``size_by``), else
        the top people by ``size_by``; ties between shown people, at most
        ``max_edges_per_node * shown`` of them (the strongest).
    positions : mapping, optional
        Precomputed positions (cache them); otherwise :func:`layout_positions`.
    weak_edges, bridge_edges : iterables of (a, b), or tables with ``a_id``/``b_id``, optional
        Weak ties are drawn dashed; bridges dark and thick.
    marked : iterable of person ids, optional
        People to mark (e.g. bridge customers): drawn like cut vertices (a
        diamond with a dark border), ``marked_label`` added to the tooltip.
    title : str, optional
        Page title (escaped; never passed to pyvis' unescaped ``heading``).

    Returns
    -------
    GraphView
        ``html``; ``shown`` people drawn; ``total`` people in the requested
        view (the whole graph, or the focus's neighbourhood) before the cap.
    """
    from pyvis.network import Network  # only this function needs pyvis

    if color_by not in ("community", "feeling"):
        raise ValueError(f"color_by must be 'community' or 'feeling', got {color_by!r}")
    if size_by not in ("spread", "bridge_score"):
        raise ValueError(f"size_by must be 'spread' or 'bridge_score', got {size_by!r}")
    if max_nodes < 1:
        raise ValueError(f"max_nodes must be >= 1, got {max_nodes!r}")
    table = people_table if people_table is not None else pd.DataFrame(index=pd.Index([], name="person_id"))
    if size_by in table.columns:
        measure = pd.to_numeric(table[size_by], errors="coerce").fillna(0.0).astype(float).to_dict()
    else:
        measure = {}
    keep, total = _select(G, measure, focus, hops, max_nodes)
    rows = table.loc[table.index.intersection(keep)].to_dict(orient="index")

    # ties among the shown people, strongest first, capped
    # each tie from the smaller id to the larger: the page does not depend on how G was built
    edges = [(min(a, b), max(a, b), d) for a, b, d in G.subgraph(keep).edges(data=True) if a != b]
    edges.sort(key=lambda e: (-float(e[2].get("strength", 1.0) or 0.0), e[0], e[1]))
    edges = edges[: int(max_edges_per_node * max(len(keep), 1))]

    if positions is None:
        H = nx.Graph()
        H.add_nodes_from(keep)
        H.add_edges_from((a, b, {"strength": d.get("strength", 1.0)}) for a, b, d in edges)
        pos = layout_positions(H, seed=seed)
    else:
        placed = {v: positions[v] for v in keep if v in positions}
        if placed:
            arr = np.array(list(placed.values()), dtype=float)
            lo, hi = arr.min(0), arr.max(0)
            span = np.where(hi - lo > 0, hi - lo, 1.0)
            pos = {v: tuple(((np.asarray(p, float) - lo) / span).tolist()) for v, p in placed.items()}
        else:
            pos = {}
        for v in keep:  # unplaced: at the mean of placed neighbours, else the centre
            if v not in pos:
                nb = [pos[w] for w in G[v] if w in pos]
                pos[v] = tuple(np.mean(nb, axis=0).tolist()) if nb else (0.5, 0.5)
    scale = 250.0 * math.sqrt(max(len(keep), 4))

    mmax = max((measure.get(v, 0.0) for v in keep), default=0.0)
    cut_col = next((c for c in _CUT_COLUMNS if c in table.columns), None)
    marked_set = set(marked or ())
    nodes = []
    for v in keep:
        d = G.nodes[v]
        row = rows.get(v, {})
        if color_by == "feeling":
            f = row.get("feeling", d.get("feeling"))
            color = FEELING_COLORS.get(f if isinstance(f, str) else "unknown", FEELING_COLORS["unknown"])
        else:
            c = row.get("community")
            color = _NO_COMMUNITY if c is None or _missing(c) else COMMUNITY_COLORS[int(c) % len(COMMUNITY_COLORS)]
        val = measure.get(v, 0.0)
        size = 10.0 + (25.0 * math.sqrt(max(val, 0.0) / mmax) if mmax > 0 else 0.0)
        flag = row.get(cut_col) if cut_col else None
        is_cut = flag is not None and not _missing(flag) and bool(flag)
        title_text = _tooltip(v, d, row)
        if v in marked_set:
            title_text += "\n" + _defuse(plain(marked_label))
            is_cut = True
        x, y = pos[v]
        node = {
            "id": int(v),
            "label": plain(d.get("name")) or f"#{v}",
            "title": title_text,
            "x": round(x * scale, 1),
            "y": round(y * scale, 1),
            "size": round(size + (4.0 if is_cut else 0.0), 1),  # a marked diamond keeps its colour visible
            # a bridge customer is a diamond, a person of the user's own team a square
            "shape": "diamond" if is_cut else ("square" if d.get("stage") == TEAM_STAGE else "dot"),
            "color": {"background": color, "border": "#212121" if is_cut else color},
            "borderWidth": 2 if is_cut else 1,
        }
        if focus is not None and v == focus:
            node["borderWidth"] = 4
            node["color"]["border"] = "#000000"
        nodes.append(node)

    weak = _pairs(weak_edges, keep)
    bridges = _pairs(bridge_edges, keep)
    edge_list = []
    for a, b, d in edges:
        s = float(d.get("strength", 1.0) or 0.0)
        key = frozenset((a, b))
        kinds = ", ".join(map(str, d.get("kinds") or ()))
        text = f"strength {s:.2f}" + (f"; {plain(kinds)}" if kinds else "")
        if key in weak:
            text += "; weak tie"
        if key in bridges:
            text += "; bridge"
        e = {
            "from": int(a),
            "to": int(b),
            "width": round(1.0 + 3.0 * s + (2.0 if key in bridges else 0.0), 2),
            "color": {"color": _BRIDGE_COLOR if key in bridges else _EDGE_COLOR},
            "title": _defuse(text),
        }
        if key in weak:
            e["dashes"] = True
        edge_list.append(e)

    net = Network(height=height, width="100%", cdn_resources="in_line", heading="")
    net.templateEnv = _templates(net.template_dir)
    net.nodes = nodes
    net.edges = edge_list
    net.node_ids = [n["id"] for n in nodes]
    net.node_map = {n["id"]: n for n in nodes}
    net.options = {
        "physics": {"enabled": False},
        "interaction": {"hover": True, "tooltipDelay": 120, "hideEdgesOnDrag": True},
        "edges": {"smooth": False},
        "nodes": {"font": {"size": 12}},
    }
    page = net.generate_html()
    return GraphView(_finish(page, title), len(nodes), total, tuple(n["id"] for n in nodes))


@functools.cache
def _templates(template_dir: str):
    """One Jinja environment for pyvis' templates, kept for the process: pyvis makes a new one
    per ``Network``, so every drawing lexed and compiled its page template again, with the
    0.69 MB of vis-network it includes (0.1 s of a 0.14 s ego network). Configured as pyvis
    configures its own, so the pages are the same."""
    from jinja2 import Environment, FileSystemLoader

    return Environment(loader=FileSystemLoader(template_dir))


_CDN = re.compile(
    r"<link\b[^>]*\bhref\s*=\s*[\"']?https?://[^>]*>|<script\b[^>]*\bsrc\s*=\s*[\"']?https?://[^>]*>\s*</script>",
    re.IGNORECASE | re.DOTALL,
)
_EMPTY_HEADING = re.compile(r"<center>\s*<h1>\s*</h1>\s*</center>", re.IGNORECASE)


def _finish(page: str, title: str | None) -> str:
    """Strip CDN assets and empty headings, add the escaped title; verify the popup path is off."""
    if "popup.innerHTML" in page:
        raise RuntimeError("pyvis rendered its innerHTML popup; refusing to return the page")
    page = _CDN.sub("", page)
    page = _EMPTY_HEADING.sub("", page)
    head = (
        "<style>.vis-tooltip{white-space:pre-line !important;}"
        " body{margin:0;font-family:sans-serif;}</style>"
    )
    if title:
        t = _html.escape(plain(title))
        head = f"<title>{t}</title>" + head
        page = page.replace("<body>", f'<body>\n<div style="font-weight:600;padding:4px 8px">{t}</div>', 1)
    return page.replace('<meta charset="utf-8">', '<meta charset="utf-8">' + head, 1)
