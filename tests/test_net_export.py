"""Tests for netmap.draw: GraphML/GEXF (gephi), the layout and the offline, safe HTML page."""

from __future__ import annotations

import io
import json
import math
import re
from datetime import date

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netmap.errors import UnknownPerson
from netmap.draw.gephi import to_gexf, to_graphml
from netmap.draw.layout import layout_positions
from netmap.draw.legend import FEELING_COLORS
from netmap.draw.page import DrawOptions, GraphView, graph_html

EVIL = 'Eve href <img src=x onerror=alert(1)> </script><script>alert(2)</script>'


def small():
    G = nx.Graph()
    G.add_node(1, name="Ann", company="Acme", feeling="promoter", nps=10, scale="nps",
               is_customer=True, stage="customer", owner=None, feedback_count=2)
    G.add_node(2, name=EVIL, company=None, feeling="unknown", nps=None, scale=None,
               is_customer=False, stage=None, owner="Kim", feedback_count=0)
    G.add_node(3, name="Cem", company="Beta", feeling="detractor", nps=3, scale="nps",
               is_customer=True, stage="customer", owner="Kim", feedback_count=1)
    G.add_edge(1, 2, strength=0.8, explicit=True, kinds=("referral", "knows"), referrers=(1,),
               shared=2, same_company=False, last_contact=date(2024, 5, 1))
    G.add_edge(2, 3, strength=0.3, explicit=False, kinds=("meeting",), referrers=(),
               shared=1, same_company=False, last_contact=None)
    table = pd.DataFrame(
        {"spread": [3.5, np.nan, 1.0], "bridge_score": [0.1, 0.9, 0.0], "community": [0, 1, 1],
         "cut_vertex": [False, True, False], "reach2": [2, 2, 2]},
        index=pd.Index([1, 2, 3], name="person_id"),
    )
    return G, table


def big(n=3000):
    G = nx.powerlaw_cluster_graph(n, 4, 0.1, seed=1)
    rng = np.random.default_rng(0)
    for a, b in G.edges():
        G.edges[a, b]["strength"] = float(rng.uniform(0.05, 1))
    for v in G:
        G.nodes[v].update(name=f"Person {v}", company="Acme", feeling="promoter", nps=9)
    table = pd.DataFrame(
        {"spread": rng.random(n), "bridge_score": rng.random(n), "community": rng.integers(0, 6, n)},
        index=pd.Index(range(n), name="person_id"),
    )
    return G, table


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_file_exports_round_trip(fmt):
    G, table = small()
    weak = pd.DataFrame({"a": [2], "b": [1], "overlap": [0.0], "local_bridge": [True]})
    buf = io.BytesIO()
    (to_graphml if fmt == "graphml" else to_gexf)(G, table, buf, edge_table=weak)
    buf.seek(0)
    H = (nx.read_graphml if fmt == "graphml" else nx.read_gexf)(buf, node_type=int)
    assert sorted(H.nodes()) == [1, 2, 3]
    assert H.nodes[1]["spread"] == pytest.approx(3.5)
    assert "spread" not in H.nodes[2]  # NaN left out
    assert "nps" not in H.nodes[2] and "owner" not in H.nodes[1]  # None left out
    assert H.nodes[2]["name"] == EVIL
    assert H.nodes[2]["cut_vertex"] is True or H.nodes[2]["cut_vertex"] == "true"
    assert H.nodes[3]["community"] == 1
    e = H.edges[1, 2]
    assert e["kinds"] == "referral, knows"
    assert e["last_contact"] == "2024-05-01"
    assert e["overlap"] == 0.0
    assert "last_contact" not in H.edges[2, 3]
    assert "overlap" not in H.edges[2, 3]
    if fmt == "gexf":
        assert H.nodes[1]["label"] == "Ann"


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_file_exports_neutralise_formula_text(fmt):
    """README: formula-looking cells are neutralised on every export; Gephi writes node and
    tie attributes back out as spreadsheets."""
    G, table = small()
    G.nodes[1].update(name="=HYPERLINK(\"http://evil\")", company="@corp", owner="-Minus")
    G.edges[1, 2]["kinds"] = ("+dial",)
    buf = io.BytesIO()
    (to_graphml if fmt == "graphml" else to_gexf)(G, table, buf)
    buf.seek(0)
    H = (nx.read_graphml if fmt == "graphml" else nx.read_gexf)(buf, node_type=int)
    assert H.nodes[1]["name"] == "'=HYPERLINK(\"http://evil\")"
    assert (H.nodes[1]["company"], H.nodes[1]["owner"]) == ("'@corp", "'-Minus")
    assert H.edges[1, 2]["kinds"] == "'+dial"
    assert H.nodes[1]["spread"] == pytest.approx(3.5)  # numbers stay numbers
    if fmt == "gexf":
        assert H.nodes[1]["label"] == "'=HYPERLINK(\"http://evil\")"
    for v in H.nodes:
        for value in H.nodes[v].values():
            assert not (isinstance(value, str) and value.startswith(("=", "+", "-", "@", "\t", "\r")))


def node_data(page: str) -> list[dict]:
    m = re.search(r"nodes = new vis\.DataSet\((\[.*?\])\);", page, re.S)
    return json.loads(m.group(1))


def edge_data(page: str) -> list[dict]:
    m = re.search(r"edges = new vis\.DataSet\((\[.*?\])\);", page, re.S)
    return json.loads(m.group(1))


ASSET_URL = re.compile(r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*[\"']?\s*(?:https?:)?//", re.I)


def test_html_is_self_contained():
    G, table = small()
    view = graph_html(G, table)
    assert isinstance(view, GraphView)
    assert (view.shown, view.total) == (3, 3)
    assert not ASSET_URL.search(view.html)
    assert "bootstrap" not in view.html
    assert "vis.Network(" in view.html and "vis-network" in view.html  # inlined library
    assert '"physics": {"enabled": false}' in view.html


def test_popup_innerhtml_path_is_neutralised():
    from pyvis.network import Network

    # the hazard is real: pyvis switches to its innerHTML popup on "href" ...
    raw = Network(cdn_resources="in_line")
    raw.nodes = [{"id": 1, "label": "x", "title": "a href b"}]
    raw.node_ids = [1]
    assert "popup.innerHTML" in raw.generate_html()
    # ... and our page never does
    G, table = small()
    page = graph_html(G, table, DrawOptions(title="<script>alert(3)</script>")).html
    assert "popup.innerHTML" not in page
    titles = [n["title"] for n in node_data(page)] + [e["title"] for e in edge_data(page)]
    assert not any("href" in t.lower() for t in titles)
    evil = next(n for n in node_data(page) if n["id"] == 2)
    assert "<img src=x onerror=alert(1)>" in evil["title"]  # shown as text by vis (innerText)
    assert evil["label"] == EVIL
    # never as markup in the page itself
    assert "<img src=x" not in page
    assert "alert(2)</script>" not in page
    assert "<script>alert(3)" not in page and "&lt;script&gt;alert(3)" in page
    assert "<h1>" not in page.replace("<h1></h1>", "")


def test_tooltip_is_plain_text_with_the_measures():
    G, table = small()
    page = graph_html(G, table).html
    ann = next(n for n in node_data(page) if n["id"] == 1)
    assert ann["title"].split("\n") == [
        "Ann", "Company: Acme", "Feeling: promoter (NPS 10)", "Spread: 3.5", "Bridge score: 0.1",
    ]
    assert isinstance(ann["id"], int)


def test_colours_shapes_and_dashes():
    G, table = small()
    page = graph_html(G, table, DrawOptions(color_by="feeling", weak_edges={(2, 1)}, bridge_edges=[(3, 2)])).html
    nodes = {n["id"]: n for n in node_data(page)}
    assert nodes[1]["color"]["background"] == FEELING_COLORS["promoter"] == "#2e7d32"
    assert nodes[2]["color"]["background"] == FEELING_COLORS["unknown"] == "#9e9e9e"
    assert nodes[3]["color"]["background"] == FEELING_COLORS["detractor"] == "#c62828"
    assert FEELING_COLORS["passive"] == "#f9a825"
    assert nodes[2]["shape"] == "diamond" and nodes[1]["shape"] == "dot"
    edges = {frozenset((e["from"], e["to"])): e for e in edge_data(page)}
    assert edges[frozenset((1, 2))].get("dashes") is True
    assert "dashes" not in edges[frozenset((2, 3))]
    assert "bridge" in edges[frozenset((2, 3))]["title"]
    with pytest.raises(ValueError):
        graph_html(G, table, DrawOptions(color_by="mood"))


def test_large_graph_is_capped_small_and_deterministic():
    G, table = big()
    view = graph_html(G, table, DrawOptions(max_nodes=1000))
    assert (view.shown, view.total) == (1000, 3000)
    assert len(view.html.encode()) <= 2_000_000
    shown = {n["id"] for n in node_data(view.html)}
    top = set(table["spread"].sort_values(ascending=False).index[:1000])
    assert shown == top
    assert all(e["from"] in shown and e["to"] in shown for e in edge_data(view.html))
    assert graph_html(G, table, DrawOptions(max_nodes=1000)).html == view.html


def test_focus_shows_the_neighbourhood():
    G, table = big(500)
    view = graph_html(G, table, DrawOptions(focus=10, hops=1))
    ids = {n["id"] for n in node_data(view.html)}
    assert ids == set(G[10]) | {10}
    assert view.total == view.shown == len(ids)
    capped = graph_html(G, table, DrawOptions(focus=0, hops=2, max_nodes=20))
    assert capped.shown == 20 and capped.total == len(nx.single_source_shortest_path_length(G, 0, 2))
    assert 0 in {n["id"] for n in node_data(capped.html)}
    with pytest.raises(UnknownPerson):
        graph_html(G, table, DrawOptions(focus=-1))


def test_positions_are_used_and_layout_is_seeded():
    G, table = small()
    page = graph_html(G, table, DrawOptions(positions={1: (0, 0), 2: (10, 0), 3: (10, 10)})).html
    nodes = {n["id"]: n for n in node_data(page)}
    assert nodes[1]["x"] == nodes[1]["y"] == 0
    assert nodes[2]["x"] == nodes[3]["x"] > 0 and nodes[3]["y"] > 0
    H = nx.karate_club_graph()
    assert layout_positions(H, seed=1) == layout_positions(H, seed=1)
    assert layout_positions(H, seed=1) != layout_positions(H, seed=2)


def test_drawings_reuse_one_compiled_template_and_are_the_pages_pyvis_makes(monkeypatch):
    """pyvis makes a Jinja environment per Network and so compiled its template (with the
    0.69 MB of vis-network it includes) for every drawing; one kept environment renders
    the very same page."""
    import pyvis.network

    import netmap.draw.page as export

    G, table = small()
    export._templates.cache_clear()
    first = graph_html(G, table, DrawOptions(title="Ann")).html
    second = graph_html(G, table, DrawOptions(title="Ann")).html
    assert first == second
    assert export._templates.cache_info().currsize == 1  # one environment...
    env = export._templates(pyvis.network.Network().template_dir)
    assert len(env.cache) == 4  # ...holding the page and its three includes, compiled once

    made = []
    real = pyvis.network.Network.generate_html

    def pyvis_own(net, *args, **kwargs):  # what pyvis renders with its own fresh environment
        from jinja2 import Environment, FileSystemLoader

        net.templateEnv = Environment(loader=FileSystemLoader(net.template_dir))
        made.append(real(net, *args, **kwargs))
        return made[-1]

    monkeypatch.setattr(pyvis.network.Network, "generate_html", pyvis_own)
    assert graph_html(G, table, DrawOptions(title="Ann")).html == first and made


# ------------------------------------------------------------- drawings: issue 13, part 6 --
def _lab(hex_colour: str) -> np.ndarray:
    """CIELAB (D65) of an sRGB colour."""
    c = np.array([int(hex_colour[i:i + 2], 16) for i in (1, 3, 5)]) / 255
    c = np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    xyz = np.array([[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750],
                    [0.0193339, 0.1191920, 0.9503041]]) @ c / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > (6 / 29) ** 3, np.cbrt(xyz), xyz / (3 * (6 / 29) ** 2) + 4 / 29)
    return np.array([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def test_community_colours_are_many_and_pairwise_distinct():
    """Enough colours for the sample company's 16 communities, the first seven Okabe & Ito's
    colour-blind-safe set, and no two alike: at least 16 apart in CIELAB (ΔE*ab; 2.3 is a
    just-noticeable difference). The old palette had #4e79a7 and #1f77b4 at 13."""
    from itertools import combinations

    from netmap.draw.legend import COMMUNITY_COLORS

    assert len(COMMUNITY_COLORS) >= 16 and len(set(COMMUNITY_COLORS)) == len(COMMUNITY_COLORS)
    assert COMMUNITY_COLORS[:7] == ("#e69f00", "#56b4e9", "#009e73", "#f0e442", "#0072b2", "#d55e00", "#cc79a7")
    closest = min((float(np.linalg.norm(_lab(a) - _lab(b))), a, b) for a, b in combinations(COMMUNITY_COLORS, 2))
    assert closest[0] >= 16, closest
    # none mistaken for the grey of people without a community, the ties' grey or a border's black
    for c in COMMUNITY_COLORS:
        for other in ("#cfcfcf", "#b0b0b0", "#212121"):
            assert np.linalg.norm(_lab(c) - _lab(other)) >= 12, (c, other)
    assert FEELING_COLORS == {"promoter": "#2e7d32", "passive": "#f9a825", "detractor": "#c62828",
                              "unknown": "#9e9e9e"}  # unchanged


def grown(G: nx.Graph, new: int, seed: int = 0) -> nx.Graph:
    """``G`` with ``new`` people added, each tied to two people (old or new), as an import adds them."""
    H = G.copy()
    rng = np.random.default_rng(seed)
    start = max(G) + 1
    for i in range(new):
        v = start + i
        for w in rng.choice(sorted(H), size=2, replace=False).tolist():
            H.add_edge(v, int(w), strength=float(rng.uniform(0.2, 1.0)))
    return H


def test_adding_two_people_leaves_everyone_else_where_they_were():
    G = nx.relabel_nodes(nx.les_miserables_graph(), {n: i for i, n in enumerate(sorted(nx.les_miserables_graph()))})
    nx.set_edge_attributes(G, {e: min(1.0, w / 10) for e, w in nx.get_edge_attributes(G, "weight").items()}, "strength")
    before = layout_positions(G)
    H = grown(G, 2)
    after = layout_positions(H, previous=before)
    moved = max(math.dist(before[v], after[v]) for v in G)
    assert moved < 1e-9, moved
    for v in set(H) - set(G):  # the newcomers: inside the picture, nearer their contacts than its size
        assert all(0 <= x <= 1 for x in after[v])
        assert min(math.dist(after[v], after[w]) for w in H[v]) < 0.5
    fresh = layout_positions(H)  # what laying out afresh does: the old picture moves
    assert max(math.dist(before[v], fresh[v]) for v in G) > 0.05
    assert layout_positions(H, previous=before) == after  # still deterministic


def test_a_larger_change_keeps_the_picture_roughly_and_a_new_network_is_laid_out_afresh():
    G = nx.relabel_nodes(nx.karate_club_graph(), lambda v: v + 1)
    before = layout_positions(G)
    H = grown(G, 8, seed=3)  # 19% new: everyone moves a little
    seeded, fresh = layout_positions(H, previous=before), layout_positions(H)
    drift = lambda pos: np.median([math.dist(before[v], pos[v]) for v in G])  # noqa: E731
    assert drift(seeded) < 0.1 and drift(seeded) < drift(fresh) / 2
    assert layout_positions(H, previous={1: (0.5, 0.5)}) == fresh  # nearly everyone new: afresh
    # people who left are simply gone; the others do not move relative to each other
    gone = layout_positions(G.subgraph([v for v in G if v != 34]), previous=before)
    assert set(gone) == set(G) - {34}


@settings(max_examples=25, deadline=None)
@given(n=st.integers(20, 60), new=st.integers(1, 2), p=st.floats(0.05, 0.3), seed=st.integers(0, 10_000))
def test_old_positions_stay_put_for_any_small_import(n, new, p, seed):
    """Property: at most 10% newcomers leave every old person's position as it was (to within
    rounding) and put every newcomer inside the picture."""
    G = nx.gnp_random_graph(n, p, seed=seed)
    before = layout_positions(G, seed=seed)
    H = grown(G, new, seed=seed)
    after = layout_positions(H, seed=seed, previous=before)
    assert max(math.dist(before[v], after[v]) for v in G) < 1e-9
    assert all(0 <= x <= 1 for v in H for x in after[v])


def test_a_focus_draws_every_tie_and_a_capped_view_leaves_nobody_without_one():
    """The Person page's 2-hop ego networks of the sample company had lost their weakest ties
    to a cap of 5 per person (39 of 400 profiles; one drew 215 of 265)."""
    G, table = big(600)
    ego = graph_html(G, table, DrawOptions(focus=5, hops=2, max_nodes=300))
    shown = {n["id"] for n in node_data(ego.html)}
    assert len(edge_data(ego.html)) == G.subgraph(shown).number_of_edges()
    # a colleague clique of 40 (780 ties) and one more person
    D = nx.complete_graph(40)
    for a, b in D.edges():
        D.edges[a, b]["strength"] = 0.1 + 0.9 * ((a * 7 + b * 13) % 17) / 17
    D.add_edge(40, 0, strength=0.05)  # a newcomer whose only tie is the weakest of all
    t = pd.DataFrame({"spread": np.linspace(1, 2, 41)}, index=pd.Index(range(41), name="person_id"))
    assert len(edge_data(graph_html(D, t, DrawOptions(focus=40, hops=2)).html)) == D.number_of_edges() == 781
    # drawn whole: at most 5 ties a person, but everyone with a tie keeps one and the group stays whole
    view = graph_html(D, t)
    drawn = edge_data(view.html)
    assert len(drawn) == 5 * 41
    ends = {e["from"] for e in drawn} | {e["to"] for e in drawn}
    assert ends == set(range(41))
    assert nx.is_connected(nx.Graph([(e["from"], e["to"]) for e in drawn]))


def test_the_page_fills_its_window_and_says_whom_to_label_with_numbers_only():
    G, table = small()
    page = graph_html(G, table, DrawOptions(title="Ann")).html
    assert "display:grid" in page and "height:auto !important" in page  # the drawing takes the rest
    script = page[page.index("window.netmapView"):]
    config = json.loads(re.search(r"\}\)\((\{.*?\})\);\s*</script>", script, re.S).group(1))
    assert config["order"] == [1, 3, 2] and config["most"] == 30  # largest spread first (2 has none)
    assert all(isinstance(v, (int, float, list)) for k, v in config.items() if k != "face")
    assert "network.fit(" in script and 'postMessage({netmap: "open-person"' in script
    assert EVIL not in script and "Ann" not in script.replace("window.netmapView", "")
    assert '"drawThreshold": 8' in page.replace("'", '"')
