"""Network: the interactive graph, filters, a person's ego network, downloads."""

from __future__ import annotations

import io

import streamlit as st

from netmap.config import database_url
from netmap.errors import NetmapError
from netmap.draw.gephi import to_gexf, to_graphml
from netmap.network.graph import build_graph
from netmap.search import find_people
from netmap.ui import (
    NETWORK_DEFAULTS,
    analysis,
    graph_frame,
    md,
    network_view,
    no_data,
    people_search,
    show_error,
    store,
)
from netmap.draw.view import MAX_NODES_CHOICES, graph_people_table, showing_text
from netmap.queries import Filters, options

from netmap.ui import ensure_navigation

ensure_navigation()

#: the drawing's frame before the browser makes it end at the bottom of the window (fill_window)
DRAWING_HEIGHT = 620

st.title("Network")
if no_data():
    st.stop()


@st.cache_data(show_spinner=False, max_entries=4)
def _options(url: str, version: int, _a) -> dict:
    """The filters' choices, kept per data version: ``_a`` is that version's analysis (not
    hashed; read once by the caller, so an import landing meanwhile cannot mix versions)."""
    return options(_a.people, _a.labels)


a = analysis()
people = a.people
opts = _options(database_url(), a.version, a)
community_names = opts["community_labels"]

# The controls sit in the sidebar, so the drawing starts near the top of the page (above the
# fold at 1280 x 720).
side = st.sidebar
# ------------------------------------------------------------- find a person --
query = side.text_input("Find a person", placeholder="name, email, company or CRM id", key="net_query")
focus = None
hops = 1
if query.strip():
    try:
        hits = find_people(store(), people_search(), query)
    except NetmapError as exc:
        with side:
            show_error(exc)  # as text
    else:
        names = {
            int(r.person_id): " · ".join(str(x) for x in (r.name, r.company, r.email) if isinstance(x, str) and x)
            for r in hits.itertuples()
        }
        focus = side.selectbox(
            f"Focus on ({len(hits)} match{'es' if len(hits) != 1 else ''}{', first 50' if len(hits) >= 50 else ''})",
            list(names), format_func=lambda i: names[i], key="net_focus",
        )
        hops = side.slider("Steps around them", 1, 3, 2, key="net_hops",
                           help="1: their own contacts; 2: friends of friends; 3: one step further.")
else:
    side.caption("Type a name, an email or a company to see one person's ego network.")

# ------------------------------------------------------------------ how to draw --
color_by = side.segmented_control(
    "Colour by", ["community", "feeling"], default=NETWORK_DEFAULTS["color_by"], format_func=str.capitalize,
    key="net_color",
) or NETWORK_DEFAULTS["color_by"]
size_by = side.segmented_control(
    "Size by", ["spread", "bridge_score"], default=NETWORK_DEFAULTS["size_by"],
    format_func=lambda s: "Spread" if s == "spread" else "Bridge score", key="net_size",
) or NETWORK_DEFAULTS["size_by"]
max_nodes = side.select_slider(
    "Most people to draw", MAX_NODES_CHOICES, value=NETWORK_DEFAULTS["max_nodes"], key="net_max",
    help="Larger views take longer to draw in the browser. Beyond this number the most relevant people are shown.",
)

with side.expander("Filters", expanded=False):
    owners = st.multiselect("Account manager", opts["owner"], key="net_owner", placeholder="everyone")
    communities = st.multiselect("Community", opts["community"], format_func=lambda c: community_names.get(c, str(c)),
                                 key="net_community", placeholder="all communities")
    feelings = st.multiselect("Feeling", opts["feeling"], key="net_feeling", placeholder="any feeling")
    stages = st.multiselect("Lifecycle stage", opts["stage"], key="net_stage", placeholder="any stage")
    min_strength = st.slider(
        "Minimum tie strength", 0.0, 1.0, 0.0, 0.05, key="net_strength",
        help="Hide ties weaker than this (and people left without any tie).",
    )

filters = Filters(tuple(owners), tuple(int(c) for c in communities), tuple(feelings), tuple(stages),
                  float(min_strength))
try:
    view = network_view(filters, focus, hops, color_by=color_by, size_by=size_by, max_nodes=max_nodes)
except NetmapError as exc:
    show_error(exc)
    st.stop()

focus_name = None
if focus is not None:
    focus_name = people.loc[people["person_id"] == focus, "name"].squeeze()
showing = showing_text(view, size_by=size_by, hops=hops, focus_name=focus_name if isinstance(focus_name, str) else None)
st.caption(md(showing) + " Click a person to open their profile; scroll to zoom, drag to move around.")
for note in view.notes:
    st.info(note)
graph_frame(view.html, height=DRAWING_HEIGHT, fill_window=True)
st.caption(
    "Who knows whom. Colours show communities or feelings, size shows how far a person's good word would "
    "spread; dashed lines are weak ties, diamonds are bridge customers. The best-known people carry their "
    "names at every zoom; zoom in for everyone's. Hover a person for details. Search, colours and filters "
    "are in the sidebar."
)

# ------------------------------------------------------------------- downloads --
# GraphML/GEXF are written only when clicked (a callable: Streamlit runs it on its own thread),
# from the whole graph with every tie attribute, built then (seconds at 100,000 people). A click
# does not rerun the page (on_click="ignore"): a rerun registers every deferred file anew, and a
# second download clicked meanwhile asked for the one just dropped (MediaFileStorageError, no file).
the_store = store()


def _whole_graph(writer) -> bytes:
    buf = io.BytesIO()
    writer(build_graph(the_store.load_dataset()), graph_people_table(people), buf, edge_table=a.ties)
    return buf.getvalue()


def _graphml() -> bytes:
    return _whole_graph(to_graphml)


def _gexf() -> bytes:
    return _whole_graph(to_gexf)


d1, d2, d3 = st.columns(3)
d1.download_button("Download this view (HTML)", lambda: view.html.encode("utf-8"), file_name="netmap-network.html",
                   mime="text/html", key="net_dl_html", icon=":material/download:", on_click="ignore",
                   help="One self-contained page that works offline.")
d2.download_button("Whole network (GraphML)", _graphml, file_name="netmap.graphml", mime="application/xml",
                   key="net_dl_graphml", icon=":material/download:", on_click="ignore",
                   help="Every person and tie with every measure, for Gephi, yEd or Cytoscape.")
d3.download_button("Whole network (GEXF)", _gexf, file_name="netmap.gexf", mime="application/xml",
                   key="net_dl_gexf", icon=":material/download:", on_click="ignore",
                   help="Gephi's own format, with every measure.")
