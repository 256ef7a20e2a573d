"""The interactive HTML drawing: one self-contained page made with pyvis 0.3.2.

``cdn_resources="in_line"``: vis-network is inlined, the template's CDN
Bootstrap ``<link>``/``<script>`` are stripped, positions are computed in
Python (:mod:`netmap.draw.layout`) and physics is off, so it renders offline
and does not move. A small script of netmap's own (:data:`_VIEW_SCRIPT`; it
reads numbers only) fits the drawing to its frame, places labels without
overlaps and reports clicks. Security: every text is data, never markup -

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
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import networkx as nx
import numpy as np
import pandas as pd

from ..errors import UnknownPerson
from ..model import TEAM_STAGE
from ..text import plain
from .gephi import _CUT_COLUMNS, _missing
from .layout import layout_positions
from .legend import _BRIDGE_COLOR, _EDGE_COLOR, COMMUNITY_COLORS, FEELING_COLORS, NO_COMMUNITY_COLOR

__all__ = ["DrawOptions", "GraphView", "graph_html"]


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


@dataclass(frozen=True, eq=False)
class DrawOptions:
    """How :func:`graph_html` draws (every field optional; the defaults draw the whole network
    coloured by community, sized by spread).

    ``color_by`` {"community", "feeling"}: the community palette (:data:`COMMUNITY_COLORS`) or
    :data:`FEELING_COLORS`. ``size_by`` {"spread", "bridge_score"}: node size grows with the
    square root of this measure. ``focus``, ``hops``: show only ``focus``'s neighbourhood within
    ``hops`` ties. ``max_nodes``: the cap; beyond it the focus's nearest people (then by
    ``size_by``), else the top people by ``size_by``. A focus's ego network draws every tie
    between the people it shows; any other view at most ``max_edges_per_node * shown`` of
    them: a maximum spanning forest first (nobody with a tie among the shown people is drawn
    without one), then the strongest. ``positions``: precomputed positions (cache them);
    otherwise :func:`netmap.draw.layout.layout_positions` with ``seed``. ``weak_edges``,
    ``bridge_edges`` (iterables of (a, b), or tables with ``a_id``/``b_id``): weak ties are
    drawn dashed, bridges dark and thick. ``marked`` (person ids, e.g. bridge customers): drawn
    like cut vertices (a diamond with a dark border), ``marked_label`` added to the tooltip.
    ``title``: the page title (escaped; never passed to pyvis' unescaped ``heading``).
    ``height``: kept for callers: the drawing fills its window or frame whatever it says
    (:data:`_PAGE_STYLE`; a fixed height overflowed a frame holding a title and a legend too,
    and cut the Person page's ego network off).
    """

    color_by: str = "community"
    size_by: str = "spread"
    focus: int | None = None
    hops: int = 1
    max_nodes: int = 1000
    positions: Mapping[int, tuple[float, float]] | None = None
    weak_edges: Iterable[tuple[int, int]] | pd.DataFrame | None = None
    bridge_edges: Iterable[tuple[int, int]] | pd.DataFrame | None = None
    marked: Iterable[int] | None = None
    marked_label: str = "Bridge customer"
    title: str | None = None
    height: str = "700px"
    max_edges_per_node: float = 5.0
    seed: int = 0

    def __post_init__(self):
        if self.color_by not in ("community", "feeling"):
            raise ValueError(f"color_by must be 'community' or 'feeling', got {self.color_by!r}")
        if self.size_by not in ("spread", "bridge_score"):
            raise ValueError(f"size_by must be 'spread' or 'bridge_score', got {self.size_by!r}")
        if self.max_nodes < 1:
            raise ValueError(f"max_nodes must be >= 1, got {self.max_nodes!r}")


def graph_html(G: nx.Graph, people_table: pd.DataFrame | None = None, options: DrawOptions = DrawOptions()) -> GraphView:
    """A self-contained interactive HTML view of (part of) the network, drawn as ``options``
    (:class:`DrawOptions`) say.

    ``people_table`` (optional) is indexed by person id; used columns: ``community`` (colour),
    ``feeling``/``nps``, ``spread``/``bridge_score`` (size, tooltip), and a cut-vertex flag
    (``is_cut_vertex``/``cut_vertex``), drawn as a diamond with a dark border.

    The page fits the drawing to its frame, labels the first people drawn (the focus
    and their nearest, else the largest) without overlaps and tells the page around
    it when a person is clicked (:data:`_VIEW_SCRIPT`).

    Returns a :class:`GraphView`: ``html``; ``shown`` people drawn; ``total`` people in the
    requested view (the whole graph, or the focus's neighbourhood) before the cap.
    """
    from pyvis.network import Network  # only this function needs pyvis

    o = options
    color_by, size_by, focus, hops, max_nodes = o.color_by, o.size_by, o.focus, o.hops, o.max_nodes
    positions, weak_edges, bridge_edges, marked = o.positions, o.weak_edges, o.bridge_edges, o.marked
    marked_label, title, height = o.marked_label, o.title, o.height
    max_edges_per_node, seed = o.max_edges_per_node, o.seed
    table = people_table if people_table is not None else pd.DataFrame(index=pd.Index([], name="person_id"))
    if size_by in table.columns:
        measure = pd.to_numeric(table[size_by], errors="coerce").fillna(0.0).astype(float).to_dict()
    else:
        measure = {}
    keep, total = _select(G, measure, focus, hops, max_nodes)
    rows = table.loc[table.index.intersection(keep)].to_dict(orient="index")

    # ties among the shown people, strongest first; a focus's ego network keeps every one, a larger view
    # at most max_edges_per_node per person: the strongest way in for everyone first, then the strongest
    # each tie from the smaller id to the larger: the page does not depend on how G was built
    edges = [(min(a, b), max(a, b), d) for a, b, d in G.subgraph(keep).edges(data=True) if a != b]
    edges.sort(key=lambda e: (-float(e[2].get("strength", 1.0) or 0.0), e[0], e[1]))
    if focus is None:
        edges = _capped(edges, int(max_edges_per_node * max(len(keep), 1)))

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
            color = NO_COMMUNITY_COLOR if c is None or _missing(c) else COMMUNITY_COLORS[int(c) % len(COMMUNITY_COLORS)]
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
        # labels smaller than drawThreshold - 1 px on screen are not drawn; the page's script sizes
        # each label (_VIEW_SCRIPT)
        "nodes": {"font": {"size": HIDDEN_LABEL, "face": _LABEL_FACE, "strokeColor": "#ffffff"},
                  "scaling": {"label": {"drawThreshold": LABEL_DRAW_THRESHOLD}}},
    }
    page = net.generate_html()
    # who gets a label at every zoom, in that order as long as labels do not overlap: the focus,
    # then the drawing's order (nearest to the focus first, then by the size measure)
    view = {"order": [n["id"] for n in nodes[:LABEL_CANDIDATES]], "extent": scale}
    return GraphView(_finish(page, title, view), len(nodes), total, tuple(n["id"] for n in nodes))


def _capped(edges: list, cap: int) -> list:
    """At most ``cap`` of ``edges`` (sorted strongest first), keeping their order: first a
    maximum spanning forest (Kruskal's, over the sorted ties), so that nobody with a tie
    among the shown people is drawn without one and every group stays connected as in the
    data, then the strongest of the rest."""
    if len(edges) <= cap:
        return edges
    parent: dict = {}

    def root(x):
        while parent.get(x, x) != x:
            parent[x] = parent.get(parent[x], parent[x])
            x = parent[x]
        return x

    forest = []
    for i, (a, b, _d) in enumerate(edges):
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[ra] = rb
            forest.append(i)
    chosen = set(forest[:cap])
    for i in range(len(edges)):
        if len(chosen) >= cap:
            break
        chosen.add(i)
    return [edges[i] for i in sorted(chosen)]


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


#: the page fills its window (the app's frame, or the browser's for a downloaded file): the title
#: on top, the drawing below it taking the rest (pyvis gives it a fixed height), and a side panel
#: (an ``<aside>``: the legend) on its right - above it in a narrow window
_PAGE_STYLE = (
    "<style>.vis-tooltip{white-space:pre-line !important;}"
    " html,body{height:100%;}"
    " body{margin:0;font-family:sans-serif;display:grid;grid-template-columns:minmax(0,1fr) auto;"
    "grid-template-rows:auto minmax(0,1fr);}"
    " #netmap-title{grid-column:1/-1;grid-row:1;font-weight:600;padding:4px 8px;}"
    " body>.card{grid-column:1;grid-row:2;min-height:0;display:flex;flex-direction:column;}"
    " #mynetwork{flex:1 1 auto;min-height:0;height:auto !important;float:none !important;box-sizing:border-box;}"
    " body>aside{grid-column:2;grid-row:2;width:240px;min-height:0;overflow-y:auto;box-sizing:border-box;}"
    " @media (max-width:720px){body{grid-template-columns:minmax(0,1fr);"
    "grid-template-rows:auto auto minmax(0,1fr);} body>aside{grid-column:1;grid-row:2;width:auto;"
    "max-height:30vh;} body>.card{grid-row:3;}}</style>"
)

#: label sizes on screen, in CSS pixels: the labelled people's at the zoom that fits the whole
#: drawing (growing with the zoom up to LABEL_MAX_PX, shrinking with it below); everyone else's
#: once zoomed in at least
#: MINOR_LABEL_ZOOM times that much, where their label overlaps no other; vis-network draws no
#: label below LABEL_DRAW_THRESHOLD - 1 px
LABEL_PX = 13
LABEL_MAX_PX = 16
MINOR_LABEL_PX = 11
MINOR_LABEL_ZOOM = 1.6
LABEL_DRAW_THRESHOLD = 8
#: every label's size in the layout's units until the page's script shows it: never drawn
HIDDEN_LABEL = 0.01
#: at most this many people are labelled at every zoom (fewer when their labels would overlap)
MAX_LABELS = 30
#: how many of the drawing's first people are tried for those labels
LABEL_CANDIDATES = 90
_LABEL_FACE = "arial"

#: The drawing's own script (static: it reads only numbers from the page), run once vis-network
#: has drawn. It (1) stretches the square layout to the frame's shape (at most 2.2 times), (2)
#: fits the drawing to its frame - again whenever the frame is resized before the reader zooms
#: or pans -, (3) labels people without overlaps: at that zoom, up to ``most`` people of
#: ``order`` (each only if its label overlaps none already placed) get labels of ``px``, kept at
#: every zoom (up to ``maxPx`` zoomed in); once zoomed in ``minorZoom`` times, each other person on screen gets a label of
#: ``minor`` px where it overlaps none (the drawing's order: nearest to the focus, or largest,
#: first), again after every zoom or drag; and (4) on a click on a person, tells the page
#: around it (``parent.postMessage``: an integer id, nothing else) - the app opens their
#: profile (netmap.draw.frame.sandboxed); a downloaded file, with no page around it, does nothing.
#: ``window.netmapView`` says who is labelled (tests, and anyone curious).
_VIEW_SCRIPT = """<script>
(function (cfg) {
  if (typeof network === "undefined" || !network) return;
  var box = document.getElementById("mynetwork");
  var canvas = box.querySelector("canvas");
  var ruler = document.createElement("canvas").getContext("2d");
  var moved = false, stretched = false, base = 1, important = {}, fontOf = {}, widthOf = {}, timer = null;
  var state = {labelled: [], minor: 0, fits: 0};
  window.netmapView = state;
  ruler.font = "100px " + cfg.face;

  function stretch() {
    var w = box.clientWidth, h = box.clientHeight;
    if (!w || !h) return false;
    var a = Math.max(1 / 2.2, Math.min(2.2, w / h)), c = cfg.extent / 2;
    if (Math.abs(a - 1) > 0.05) {
      /* the drawn nodes themselves (what moveNode sets, without its redraw per node): a DataSet
         update of 2,000 people took 0.3 s; the DataSet keeps the layout's own positions */
      network.body.nodeIndices.forEach(function (id) {
        var node = network.body.nodes[id];
        if (a > 1) node.x = c + (node.x - c) * a; else node.y = c + (node.y - c) / a;
      });
    }
    return true;
  }

  function labelBox(id, at, px, s) {  /* where a label of px screen pixels goes: under the node */
    if (!(id in widthOf)) widthOf[id] = ruler.measureText(String(network.body.nodes[id].options.label || "")).width / 100;
    var p = network.canvasToDOM(at), r = network.body.nodes[id].options.size * s, w = widthOf[id] * px + 6;
    return {l: p.x - w / 2, r: p.x + w / 2, t: p.y + r, b: p.y + r + px * 1.4, x: p.x, y: p.y};
  }
  function clashes(b, taken) {
    for (var i = 0; i < taken.length; i++) {
      var o = taken[i];
      if (b.l < o.r && o.l < b.r && b.t < o.b && o.t < b.b) return true;
    }
    return false;
  }
  function setFonts(sizes) {  /* only the labels that change: everyone starts hidden (cfg.hidden) */
    var changed = [];
    for (var key in sizes) {
      if ((key in fontOf ? fontOf[key] : cfg.hidden) !== sizes[key]) {
        fontOf[key] = sizes[key];
        changed.push({id: Number(key), font: {size: sizes[key], strokeWidth: sizes[key] / 4}});
      }
    }
    if (changed.length) nodes.update(changed);
  }

  function choose() {  /* at the fitted zoom: who is labelled at every zoom */
    var s = network.getScale(), pos = network.getPositions(cfg.order), taken = [], sizes = {};
    for (var was in important) sizes[was] = cfg.hidden;
    important = {};
    for (var i = 0; i < cfg.order.length && taken.length < cfg.most; i++) {
      var id = cfg.order[i];
      if (!network.body.nodes[id] || !pos[id]) continue;
      var b = labelBox(id, pos[id], cfg.px, s);
      if (!clashes(b, taken)) { taken.push(b); important[id] = true; }
    }
    for (var id in important) sizes[id] = cfg.px / s;
    base = s;
    setFonts(sizes);
    state.labelled = cfg.order.filter(function (id) { return important[id]; });
  }

  function declutter() {  /* after a zoom or a drag: everyone else's labels, where they fit */
    var s = network.getScale(), zoom = s / base, pos = network.getPositions(), taken = [], sizes = {}, shown = 0;
    var w = box.clientWidth, h = box.clientHeight, ids = nodes.getIds();
    var big = Math.min(cfg.px * zoom, cfg.maxPx);
    ids.forEach(function (id) {
      if (!important[id] || !pos[id]) return;
      taken.push(labelBox(id, pos[id], big, s));
      sizes[id] = big / s;  /* vis-network's own cap (scaling.label.maxVisible) only fades the text */
    });
    ids.forEach(function (id) {
      if (important[id]) return;
      sizes[id] = cfg.hidden;
      if (zoom < cfg.minorZoom || !pos[id]) return;
      var b = labelBox(id, pos[id], cfg.minor, s);
      if (b.x < 0 || b.y < 0 || b.x > w || b.y > h || clashes(b, taken)) return;
      taken.push(b);
      sizes[id] = cfg.minor / s;
      shown += 1;
    });
    setFonts(sizes);
    state.minor = shown;
  }
  function later() { clearTimeout(timer); timer = setTimeout(declutter, 120); }

  function fit() {
    if (!box.clientWidth || !box.clientHeight) return;
    if (!stretched) stretched = stretch();
    network.fit({animation: false});
    choose();
    network.fit({animation: false});  /* again: the labels now count in what must fit */
    declutter();
    state.fits += 1;
  }

  network.on("zoom", function () { moved = true; later(); });
  network.on("dragEnd", function (p) { if (!p.nodes.length) moved = true; later(); });
  network.on("hoverNode", function () { if (canvas) canvas.style.cursor = "pointer"; });
  network.on("blurNode", function () { if (canvas) canvas.style.cursor = ""; });
  network.on("click", function (p) {
    if (!p.nodes || p.nodes.length !== 1 || typeof p.nodes[0] !== "number") return;
    var e = (p.event && p.event.srcEvent) || {};
    if (window.parent !== window) {
      window.parent.postMessage({netmap: "open-person", id: p.nodes[0], newTab: !!(e.ctrlKey || e.metaKey)}, "*");
    }
  });
  fit();
  if (window.ResizeObserver) {
    var last = [box.clientWidth, box.clientHeight];
    new ResizeObserver(function () {
      var now = [box.clientWidth, box.clientHeight];
      if (now[0] === last[0] && now[1] === last[1]) return;
      last = now;
      if (!moved) fit(); else later();
    }).observe(box);
  }
})(CONFIG);
</script>"""


def _finish(page: str, title: str | None, view: dict | None = None) -> str:
    """Strip CDN assets and empty headings, add the escaped title, make the page fill its
    window and add the drawing's script (:data:`_VIEW_SCRIPT`, configured by ``view``:
    ``order`` the person ids tried for labels, ``extent`` the layout's size); verify the
    popup path is off."""
    if "popup.innerHTML" in page:
        raise RuntimeError("pyvis rendered its innerHTML popup; refusing to return the page")
    page = _CDN.sub("", page)
    page = _EMPTY_HEADING.sub("", page)
    head = _PAGE_STYLE
    if title:
        t = _html.escape(plain(title))
        head = f"<title>{t}</title>" + head
        page = page.replace("<body>", f'<body>\n<div id="netmap-title">{t}</div>', 1)
    if view is not None:
        config = json.dumps({  # numbers only: nothing from the data but person ids
            "order": [int(x) for x in view["order"]], "extent": float(view["extent"]), "px": LABEL_PX,
            "maxPx": LABEL_MAX_PX, "minor": MINOR_LABEL_PX, "minorZoom": MINOR_LABEL_ZOOM, "most": MAX_LABELS,
            "hidden": HIDDEN_LABEL, "face": _LABEL_FACE,
        })
        end = page.rindex("</body>")
        page = page[:end] + _VIEW_SCRIPT.replace("CONFIG", config) + "\n" + page[end:]
    return page.replace('<meta charset="utf-8">', '<meta charset="utf-8">' + head, 1)
