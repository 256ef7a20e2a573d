"""Unit tests for what the Network and Bridges pages show: netmap.draw (what is drawn, the legend,
the frame) and netmap.queries' filters and rankings."""

from __future__ import annotations

import io
import json
import re

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netmap.analysis import MEASURES, TIE_MEASURES
from netmap.draw import view as views
from netmap.draw.gephi import to_graphml
from netmap.draw.index import DrawIndex
from netmap.draw.legend import COMMUNITY_COLORS, FEELING_COLORS, add_legend, legend_html
from netmap.draw.page import DrawOptions, graph_html
from netmap.draw.view import (
    GLOBAL_LAYOUT_MAX,
    bridge_customers,
    bridge_tie_table,
    graph_people_table,
    network_view,
    showing_text,
    use_global_layout,
    weak_tie_table,
)
from netmap.errors import NetmapError
from netmap.queries import NONE, Filters, filter_people, filter_ties, options, ranked_bridges, ranked_weak_ties
from netmap.search import search_people


EVIL = 'Eve <img src=x onerror=alert(1)> </script><script>alert(2)</script>'


def network():
    """Two triangles (communities 0 and 1) joined by a weak local bridge 3-4; 7 is alone."""
    people = pd.DataFrame(
        [
            (1, "Ann Müller", "ann@acme.com", "Acme", "Kim", "customer", 10.0, "promoter", 0, 0.9, 0.2, False),
            (2, "Bob Stone", "bob@acme.com", "Acme", "Kim", "lead", np.nan, "unknown", 0, 1.5, 0.1, False),
            (3, "Cem Öz", "cem@beta.io", "Beta", None, "customer", 7.0, "passive", 0, 2.0, 0.9, True),
            (4, EVIL, "eve@gamma.org", "Gamma", "Lu", None, 3.0, "detractor", 1, 1.8, 0.8, True),
            (5, "Dan Ann", "dan@gamma.org", "Gamma", "Lu", "customer", 9.0, "promoter", 1, 0.7, 0.3, False),
            (6, "Fay Wu", "fay@delta.net", "Delta Ann", "Lu", "customer", np.nan, "unknown", 1, 0.5, 0.0, False),
            (7, "Gus Lone", "gus@solo.com", "Solo", "Kim", "lead", np.nan, "unknown", -1, 0.0, 0.0, False),
        ],
        columns=["person_id", "name", "email", "company", "owner", "stage", "nps", "feeling", "community_id",
                 "spread", "bridge_score", "is_cut_vertex"],
    )
    labels = {0: "Berlin · Fintech", 1: EVIL}
    people["community"] = people["community_id"].map(lambda c: labels.get(c, "Unclustered"))
    people["community_id"] = people["community_id"].replace(-1, np.nan).astype("Int64")
    people.loc[people.person_id == 7, "community"] = None
    G = nx.Graph()
    for r in people.itertuples():
        G.add_node(r.person_id, name=r.name, company=r.company, feeling=r.feeling, nps=r.nps, owner=r.owner)
    edges = [(1, 2, 0.9), (1, 3, 0.6), (2, 3, 0.8), (4, 5, 0.7), (4, 6, 0.5), (5, 6, 0.9), (3, 4, 0.1)]
    for a, b, s in edges:
        G.add_edge(a, b, strength=s)
    ties = pd.DataFrame(
        [
            (3, "Cem Öz", 4, EVIL, 0.1, 0.0, True, np.nan, True, 0.9),
            (1, "Ann Müller", 3, "Cem Öz", 0.6, 0.5, False, np.nan, False, 0.1),
            (4, EVIL, 6, "Fay Wu", 0.5, 0.5, False, np.nan, False, 0.12),
            (1, "Ann Müller", 2, "Bob Stone", 0.9, 1.0, False, np.nan, False, 0.0),
            (2, "Bob Stone", 3, "Cem Öz", 0.8, 0.5, False, np.nan, False, 0.05),
            (4, EVIL, 5, "Dan Ann", 0.7, 0.5, False, np.nan, False, 0.07),
            (5, "Dan Ann", 6, "Fay Wu", 0.9, 0.5, False, np.nan, False, 0.02),
        ],
        columns=["a_id", "a_name", "b_id", "b_name", "strength", "overlap", "local_bridge", "span",
                 "crosses_communities", "weakness"],
    )
    return G, people, ties, labels


def _nodes(page: str) -> list[dict]:
    m = re.search(r"nodes = new vis\.DataSet\((\[.*?\])\);", page, re.DOTALL)
    return json.loads(m.group(1))


def _edges(page: str) -> list[dict]:
    m = re.search(r"edges = new vis\.DataSet\((\[.*?\])\);", page, re.DOTALL)
    return json.loads(m.group(1))


# ------------------------------------------------------------------ filters --
def test_filters_validate():
    with pytest.raises(NetmapError, match="between 0 and 1"):
        Filters(min_strength=1.5)
    with pytest.raises(NetmapError, match="unknown feeling"):
        Filters(feelings=("happy",))
    assert not Filters().active and Filters(min_strength=0.2).active and not Filters(min_strength=0.2).people_filtered
    assert hash(Filters(owners=("Kim",))) == hash(Filters(owners=("Kim",)))


def test_filter_people_by_each_field_and_never_mutates():
    _, people, _, _ = network()
    before = people.copy()
    ids = lambda f: filter_people(people, f)["person_id"].tolist()  # noqa: E731
    assert ids(Filters()) == [1, 2, 3, 4, 5, 6, 7]
    assert ids(Filters(owners=("Kim",))) == [1, 2, 7]
    assert ids(Filters(owners=(NONE,))) == [3]
    assert ids(Filters(stages=(NONE, "lead"))) == [2, 4, 7]
    assert ids(Filters(feelings=("promoter",))) == [1, 5]
    assert ids(Filters(communities=(1,))) == [4, 5, 6]
    assert ids(Filters(communities=(-1,))) == [7]
    assert ids(Filters(owners=("Lu",), feelings=("promoter", "unknown"))) == [5, 6]
    pd.testing.assert_frame_equal(people, before)


def test_filter_ties_both_or_either_end_and_min_strength():
    _, _, ties, _ = network()
    pairs = lambda t: set(zip(t.a_id, t.b_id))  # noqa: E731
    assert pairs(filter_ties(ties, [3, 4, 5])) == {(3, 4), (4, 5)}
    assert pairs(filter_ties(ties, [3], either_end=True)) == {(3, 4), (1, 3), (2, 3)}
    assert pairs(filter_ties(ties, None, min_strength=0.85)) == {(1, 2), (5, 6)}


def test_options_list_choices_with_none_last_and_community_labels():
    _, people, _, labels = network()
    o = options(people, labels)
    assert o["owner"] == ["Kim", "Lu", NONE]
    assert o["stage"] == ["customer", "lead", NONE]
    assert o["feeling"] == ["promoter", "passive", "detractor", "unknown"]
    assert o["community"][:2] == [0, 1] and set(o["community"]) == {0, 1, -1}
    assert o["community_labels"][0] == "Berlin · Fintech" and o["community_labels"][-1] == NONE


# ------------------------------------------------------------------- search --
@pytest.mark.parametrize(
    "query, expected",
    [
        ("cem oz", [3]),                  # accents and case do not matter
        ("MÜLLER", [1]),
        ("gamma.org", [5, 4]),            # email (then by name)
        ("delta ann", [6]),               # company; every word must match
        ("ann", [1, 5, 6]),               # name starting with it first, then by name
        ("   ", []),
        ("nobody", []),
    ],
)
def test_search_people(query, expected):
    _, people, _, _ = network()
    assert search_people(people, query)["person_id"].tolist() == expected


def test_search_limit_and_exact_name_first():
    _, people, _, _ = network()
    assert search_people(people, "a", limit=2).shape[0] == 2
    assert search_people(people, "dan ann")["person_id"].tolist()[0] == 5


# -------------------------------------------------------------- what to draw --
def _pairs(table: pd.DataFrame) -> set[tuple[int, int]]:
    return set(zip(table["a_id"].tolist(), table["b_id"].tolist()))


def test_weak_and_bridge_tie_tables_and_bridge_customers():
    _, people, ties, _ = network()
    assert _pairs(weak_tie_table(ties)) == {(3, 4)} and _pairs(bridge_tie_table(ties)) == {(3, 4)}
    assert bridge_customers(people) == {3, 4}  # the cut vertices, and the top 5% (at least one) by score
    assert bridge_customers(people, share=0.5) == {3, 4, 5, 1}


def _visible_graph(G: nx.Graph, node_ids, min_strength: float = 0.0) -> nx.Graph:
    """The reference the array-based view is checked against: a read-only view of ``G``
    restricted to ``node_ids`` (None: all) and to ties of at least ``min_strength``."""
    nodes = None if node_ids is None else set(node_ids)
    fn = (lambda v: v in nodes) if nodes is not None else nx.filters.no_filter
    if min_strength > 0:
        def fe(a, b):
            return float(G[a][b].get("strength", 1.0) or 0.0) >= min_strength
    else:
        fe = nx.filters.no_filter
    return nx.subgraph_view(G, filter_node=fn, filter_edge=fe)


def test_graph_people_table_uses_community_ids_and_keeps_the_input():
    _, people, _, _ = network()
    before = people.copy()
    t = graph_people_table(people)
    assert t.index.name == "person_id" and t.loc[4, "community"] == 1 and t.loc[4, "community_label"] == EVIL
    pd.testing.assert_frame_equal(people, before)


def test_use_global_layout_threshold():
    assert use_global_layout(nx.path_graph(10))
    assert not use_global_layout(nx.empty_graph(GLOBAL_LAYOUT_MAX + 1))


# ------------------------------------------------------------------ the view --
def test_network_view_whole_network_marks_bridges_dashes_weak_ties_and_is_offline():
    G, people, ties, labels = network()
    v = network_view(G, people, ties, labels=labels)
    assert (v.shown, v.total, v.matching, v.everyone, v.marked) == (7, 7, 7, 7, 2)
    nodes = {n["id"]: n for n in _nodes(v.html)}
    assert nodes[3]["shape"] == "diamond" and "Bridge customer" in nodes[3]["title"]
    assert nodes[1]["shape"] == "dot"
    edges = {frozenset((e["from"], e["to"])): e for e in _edges(v.html)}
    assert edges[frozenset((3, 4))].get("dashes") is True and "dashes" not in edges[frozenset((1, 2))]
    assert not re.search(r"""(src|href)\s*=\s*["']?https?://""", v.html)
    assert 'id="netmap-legend"' in v.html and "weak tie" in v.html and "bridge customer" in v.html
    assert showing_text(v) == "Showing 7 of 7 people."


def test_hostile_names_are_text_in_the_graph_and_the_legend():
    G, people, ties, labels = network()
    v = network_view(G, people, ties, labels=labels, color_by="community")
    assert "<img" not in v.html and "<script>alert" not in v.html and "onerror=alert(1)>" not in v.html
    legend = v.html[v.html.index('id="netmap-legend"'):]
    assert "&lt;img src=x onerror=alert(1)&gt;" in legend[:3000]
    assert COMMUNITY_COLORS[1] in legend[:3000]


def test_network_view_by_feeling_shows_feeling_colours_in_the_legend():
    G, people, ties, labels = network()
    v = network_view(G, people, ties, labels=labels, color_by="feeling", size_by="bridge_score")
    nodes = {n["id"]: n for n in _nodes(v.html)}
    assert nodes[1]["color"]["background"] == FEELING_COLORS["promoter"]
    legend = legend_html("feeling", size_by="bridge_score")
    assert all(c in legend for c in FEELING_COLORS.values()) and "higher bridge score" in legend


def test_filters_min_strength_and_cap():
    G, people, ties, labels = network()
    v = network_view(G, people, ties, Filters(owners=("Lu",)), labels=labels)
    assert sorted(n["id"] for n in _nodes(v.html)) == [4, 5, 6] and (v.matching, v.everyone) == (3, 7)
    assert "3 of the 7 in the network pass the filters" in showing_text(v)
    # ties below 0.65 hidden, and so is everyone left without a tie (7)
    v = network_view(G, people, ties, Filters(min_strength=0.65), labels=labels)
    assert sorted(n["id"] for n in _nodes(v.html)) == [1, 2, 3, 4, 5, 6] and v.matching == 6
    assert {frozenset((e["from"], e["to"])) for e in _edges(v.html)} == {
        frozenset(e) for e in [(1, 2), (2, 3), (4, 5), (5, 6)]
    }
    v = network_view(G, people, ties, Filters(min_strength=0.95), labels=labels, focus=7)
    assert [n["id"] for n in _nodes(v.html)] == [7] and v.matching == 0 and v.notes
    v = network_view(G, people, ties, labels=labels, max_nodes=2, size_by="spread")
    assert (v.shown, v.total) == (2, 7) and sorted(n["id"] for n in _nodes(v.html)) == [3, 4]
    assert showing_text(v).startswith("Showing 2 of 7 people (those with the highest spread)")


def test_focus_ego_network_hops_and_errors():
    G, people, ties, labels = network()
    v = network_view(G, people, ties, labels=labels, focus=1, hops=1)
    assert sorted(n["id"] for n in _nodes(v.html)) == [1, 2, 3]
    assert showing_text(v, hops=1, focus_name="Ann Müller") == "Showing 3 of 3 people within 1 step of Ann Müller."
    v = network_view(G, people, ties, labels=labels, focus=1, hops=2)
    assert sorted(n["id"] for n in _nodes(v.html)) == [1, 2, 3, 4]
    # the focus is drawn even when the filters leave them out, with a note
    v = network_view(G, people, ties, Filters(owners=("Lu",)), labels=labels, focus=3, hops=1)
    assert sorted(n["id"] for n in _nodes(v.html)) == [3, 4] and v.notes
    with pytest.raises(NetmapError, match="hops"):
        network_view(G, people, ties, focus=1, hops=4)
    with pytest.raises(NetmapError, match="not in the network"):
        network_view(G, people, ties, focus=99)
    with pytest.raises(NetmapError, match="nobody passes"):
        network_view(G, people, ties, Filters(owners=("Kim",), feelings=("detractor",)))


# ------------------------------------------------------------------ rankings --
def test_ranked_bridges_order_filters_and_columns():
    _, people, _, _ = network()
    r = ranked_bridges(people)
    assert r["person_id"].tolist()[:3] == [3, 4, 5] and r["rank"].tolist() == list(range(1, 8))
    assert {"bridge_score", "is_cut_vertex", "community"} <= set(r.columns)
    assert ranked_bridges(people, Filters(owners=("Kim",)), top=2)["person_id"].tolist() == [1, 2]


def test_ranked_weak_ties_either_end_in_filter_and_community_names():
    _, people, ties, _ = network()
    r = ranked_weak_ties(ties, people, top=3)
    assert list(zip(r.a_id, r.b_id)) == [(3, 4), (4, 6), (1, 3)]
    assert r.loc[0, "a_community"] == "Berlin · Fintech" and r.loc[0, "b_community"] == EVIL
    r = ranked_weak_ties(ties, people, Filters(communities=(0,)))
    assert (3, 4) in set(zip(r.a_id, r.b_id)) and (5, 6) not in set(zip(r.a_id, r.b_id))
    assert ranked_weak_ties(ties, people, Filters(min_strength=0.85))["strength"].min() >= 0.85


def test_every_shown_measure_is_explained():
    assert {"bridge_score", "betweenness", "constraint", "effective_size", "participation", "is_cut_vertex"} <= set(MEASURES)
    assert {"strength", "overlap", "local_bridge", "span", "crosses_communities", "weakness"} <= set(TIE_MEASURES)


def test_whole_graph_export_carries_the_measures():
    G, people, ties, _ = network()
    buf = io.BytesIO()
    to_graphml(G, graph_people_table(people), buf, edge_table=ties)
    H = nx.read_graphml(io.BytesIO(buf.getvalue()), node_type=int)
    assert H.nodes[3]["bridge_score"] == 0.9 and H.nodes[4]["community"] == 1
    assert H.edges[3, 4]["weakness"] == 0.9


@pytest.fixture(scope="module")
def sample_url(tmp_path_factory):
    from .conftest import drop_database, sample_database

    url = sample_database(tmp_path_factory, "views")
    yield url
    drop_database(url)


@pytest.fixture(scope="module")
def sample_analysis(sample_url):
    from netmap import Store
    from netmap.analysis import network as analysis_and_graph

    store = Store(sample_url)
    a, G = analysis_and_graph(store)
    yield a, G
    store.close()


@pytest.mark.parametrize("options", [
    {},
    {"max_nodes": 60, "size_by": "bridge_score"},
    {"focus": "first", "hops": 2, "max_nodes": 40},
    {"focus": "first", "hops": 3, "filters": Filters(min_strength=0.2)},
    {"filters": Filters(feelings=("promoter", "passive"), min_strength=0.1), "color_by": "feeling"},
])
def test_the_stored_arrays_draw_exactly_what_the_graph_draws(sample_analysis, options):
    """The app draws from the stored analysis (no graph of everyone); a networkx graph gives the same page."""
    a, G = sample_analysis
    options = dict(options)
    if options.get("focus") == "first":
        options["focus"] = int(a.people.sort_values("degree", ascending=False)["person_id"].iloc[0])
    index = DrawIndex.from_analysis(a)
    assert len(index) == G.number_of_nodes() and len(index.u) == G.number_of_edges()
    mine = network_view(index, a.people, a.ties, labels=a.labels, **options)
    theirs = network_view(G, a.people, a.ties, labels=a.labels, **options)
    assert (mine.shown, mine.total, mine.matching, mine.everyone, mine.marked) == (
        theirs.shown, theirs.total, theirs.matching, theirs.everyone, theirs.marked)
    assert mine.html == theirs.html
    # and what drawing the networkx graph itself gives (the way the view was drawn before the arrays)
    filters = options.get("filters", Filters())
    ids = set(filter_people(a.people, filters)["person_id"].astype(int))
    if filters.min_strength > 0:
        strong = filter_ties(a.ties, ids, min_strength=filters.min_strength)
        ids &= set(strong["a_id"]) | set(strong["b_id"])
    if options.get("focus") is not None:
        ids.add(options["focus"])
    H = _visible_graph(G, ids if filters.active or options.get("focus") is not None else None, filters.min_strength)
    color_by, size_by = options.get("color_by", "community"), options.get("size_by", "spread")
    table, marked = graph_people_table(a.people), bridge_customers(a.people)
    ref = graph_html(H, table, DrawOptions(
        color_by=color_by, size_by=size_by, focus=options.get("focus"), hops=options.get("hops", 1),
        max_nodes=options.get("max_nodes", 1000), weak_edges=_pairs(weak_tie_table(a.ties)),
        bridge_edges=_pairs(bridge_tie_table(a.ties)), marked=marked, title=None))
    shown = set(ref.ids)
    legend = legend_html(color_by, views._communities_shown(table, shown) if color_by == "community" else [],
                         labels=a.labels, marked=bool(shown & marked), size_by=size_by,
                         team=any(G.nodes[v].get("stage") == "team" for v in shown))  # the sample's support agents
    assert (ref.shown, ref.total) == (mine.shown, mine.total)
    assert add_legend(ref.html, legend) == mine.html
    if "focus" in options:
        reach = nx.single_source_shortest_path_length(G, options["focus"], cutoff=options["hops"])
        assert mine.total <= len(reach)


@settings(max_examples=200, deadline=None)
@given(nodes=st.sets(st.integers(0, 60)), ids=st.sets(st.integers(-5, 70)))
def test_mask_marks_exactly_the_ids_in_the_network(nodes, ids):
    index = DrawIndex.build(sorted(nodes), [], [], [], [], pd.DataFrame({"person_id": sorted(nodes)}))
    assert index.mask(ids).tolist() == [int(x) in ids for x in index.nodes]


# ------------------------------------------------------------- drawings: issue 13, part 6 --
def test_the_legend_lists_every_community_shown_with_its_colour():
    labels = {c: f"Region {c} · Segment" for c in range(25)}
    legend = legend_html("community", list(range(25)), labels=labels)
    for c in range(25):
        assert f"Region {c} · Segment" in legend
    assert "more communities" not in legend
    assert f"colours repeat after {len(COMMUNITY_COLORS)} communities" in legend  # 25 > 18 colours
    for c in range(len(COMMUNITY_COLORS)):
        assert legend.count(f"background:{COMMUNITY_COLORS[c]}") == (2 if c < 25 - len(COMMUNITY_COLORS) else 1)
    few = legend_html("community", [0, 1, 2], labels=labels)
    assert "colours repeat" not in few and few.count('class="nl-item"') == 3 + 4  # 3 communities, 4 marks
    # it is a column beside the drawing that scrolls, and a strip above it in a narrow frame
    assert '<aside id="netmap-legend"' in legend and "@media (max-width:720px)" in legend


def test_the_whole_sample_is_drawn_with_all_its_communities_in_the_legend(sample_analysis):
    a, G = sample_analysis
    v = network_view(DrawIndex.from_analysis(a), a.people, a.ties, labels=a.labels)
    legend = v.html[v.html.index('<aside id="netmap-legend"'):v.html.index("</aside>")]
    communities = a.people["community_id"].dropna().astype(int).unique()
    assert len(communities) >= 15
    for c in communities:
        assert _html_escape(a.labels[int(c)]) in legend, a.labels[int(c)]
        assert COMMUNITY_COLORS[int(c) % len(COMMUNITY_COLORS)] in legend


def _html_escape(text: str) -> str:
    import html

    return html.escape(text)


def test_the_command_lines_graph_has_the_same_legend(sample_analysis, sample_url, tmp_path, capsys):
    """``python -m netmap graph --out F.html``: the app's page with the app's legend, every
    community drawn listed, in both colourings."""
    from netmap.cli import main

    a, _ = sample_analysis
    url = sample_url
    out = tmp_path / "graph.html"
    assert main(["--db", url, "graph", "--out", str(out)]) == 0, capsys.readouterr().err
    page = out.read_text(encoding="utf-8")
    legend = page[page.index('<aside id="netmap-legend"'):page.index("</aside>")]
    drawn = {n["id"] for n in _nodes(page)}
    shown = graph_people_table(a.people).loc[sorted(drawn), "community"].dropna().astype(int).unique()
    assert len(shown) >= 15
    for c in shown:
        assert _html_escape(a.labels[int(c)]) in legend
    assert "weak tie" in legend and "bridge customer" in legend and "netmap.network" not in legend
    assert "window.netmapView" in page  # fitted, labelled, like the app's
    assert main(["--db", url, "graph", "--out", str(out), "--color-by", "feeling"]) == 0
    legend = out.read_text(encoding="utf-8").split('<aside id="netmap-legend"', 1)[1]
    assert all(FEELING_COLORS[f] in legend for f in ("promoter", "passive", "detractor", "unknown"))


def test_the_drawing_frame_opens_a_profile_only_through_its_own_page():
    """The drawing stays sandboxed with allow-scripts alone (no top navigation, no popups, no
    same-origin); a click reaches the app only as a message the outer page checks."""
    from netmap.draw.frame import DRAWING_SANDBOX, sandboxed, unsandboxed

    outer = sandboxed("<html><body>drawing</body></html>")
    assert DRAWING_SANDBOX == "allow-scripts"
    (frame,) = re.findall(r"<iframe[^>]*>", outer)
    assert 'sandbox="allow-scripts"' in frame and "allow-top-navigation" not in outer and "allow-popups" not in outer
    assert unsandboxed(outer) == "<html><body>drawing</body></html>"
    script = outer[outer.index("<script>"):]
    assert "e.source !== frame.contentWindow" in script and "Number.isSafeInteger(d.id)" in script
    assert 'new URL("person" + "?id=" + d.id, document.baseURI)' in script
    assert outer.count("<script>") == 1 and "frameElement" not in outer
    filled = sandboxed("<p>x</p>", fill_window=True, person_url="</script>profile")
    assert filled.count("<script>") == 2 and "window.frameElement" in filled
    assert "</script>profile" not in filled and '"\\u003c/script>profile"' in filled


def test_the_command_lines_graph_and_the_network_page_draw_the_same_people_and_ties(sample_analysis, sample_url,
                                                                                     tmp_path, capsys):
    """``python -m netmap graph`` with the page's filter flags and the Network page (the app's
    cached :func:`netmap.ui._network_view`, drawn from the stored arrays) choose the same people
    and the same ties, dashed and dark alike, for the same filters: one drawing rule."""
    from dataclasses import astuple

    from netmap import Store, ui
    from netmap.cli import main

    a, _ = sample_analysis
    owner = options(a.people)["owner"][0]
    community = options(a.people)["community"][0]
    cases = [
        ([], Filters()),
        (["--owner", owner, "--min-strength", "0.2"], Filters(owners=(owner,), min_strength=0.2)),
        (["--community", str(community), "--feeling", "promoter", "--feeling", "unknown"],
         Filters(communities=(community,), feelings=("promoter", "unknown"))),
        (["--stage", "customer", "--max-nodes", "100"], Filters(stages=("customer",))),
    ]
    store = Store(sample_url)
    version = store.data_version()
    store.close()
    out = tmp_path / "graph.html"
    for flags, filters in cases:
        assert main(["--db", sample_url, "graph", "--out", str(out), *flags]) == 0, capsys.readouterr().err
        printed = capsys.readouterr().out
        cli = out.read_text(encoding="utf-8")
        max_nodes = int(flags[flags.index("--max-nodes") + 1]) if "--max-nodes" in flags else 1000
        page = ui._network_view(sample_url, version, astuple(filters), None, 1, "community", "spread", max_nodes)
        drawn = page.html
        assert {n["id"] for n in _nodes(cli)} == {n["id"] for n in _nodes(drawn)}
        assert len(_nodes(cli)) == page.shown and f"showing {page.shown} of {page.total} people" in printed

        def ties(html):
            return {(min(e["from"], e["to"]), max(e["from"], e["to"]), bool(e.get("dashes")), e.get("width"))
                    for e in _edges(html)}

        assert ties(cli) == ties(drawn)
