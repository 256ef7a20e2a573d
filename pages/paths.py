"""Referral paths: warm introductions from happy customers to a person, a company or a whole stage."""

from __future__ import annotations

import streamlit as st

from netmap.config import database_url
from netmap.errors import NetmapError
from netmap.draw.page import DrawOptions, graph_html
from netmap.draw.view import graph_people_table, path_graph
from netmap.search import find_people
from netmap.network.paths import company_match_key
from netmap.queries import (
    LEAD_STAGES, PATH_COLUMNS, PATH_EXTRA_COLUMNS, TIE_WORDS, find_paths, owners, prospects, resolve_sources,
    resolve_targets, stage_label, targets_at_stages,
)
from netmap.ui import (
    analysis, csv_download, data_version, draw_index, graph_frame, no_data, path_index, people_search, people_table,
    show_error, store,
)

from netmap.ui import ensure_navigation

ensure_navigation()

RULE = (
    "Strength = product of the tie strengths along the path (1 = certain, 0.01 = a long shot); "
    "detractors are never go-betweens when another path exists; at most 4 hops."
)
DRAW_MAX_TARGETS = 10
TOGETHER = "together"  # "Draw the paths to": the first DRAW_MAX_TARGETS targets at once
PROSPECTS = "All leads and prospects"
TARGET_KINDS = [PROSPECTS, "A person", "A company", "Lifecycle stages"]
TIES = ", ".join(f"{word} {'≥ ' + format(cut, 'g') if cut else 'below'}" for cut, word in TIE_WORDS)
SOURCE_KINDS = ["Promoters", "Your team", "One person", "An account manager's book"]


def pick_person(key: str, label: str) -> int | None:
    """A search box and the matching people; the chosen person's id (None until one is found)."""
    query = st.text_input(label, key=f"{key}_q", placeholder="Name, email or company")
    if not query.strip():
        return None
    try:
        matches = find_people(store(), people_search(), query)
    except NetmapError as exc:
        show_error(exc)
        return None
    names = {
        int(r.person_id): " · ".join(str(x) for x in (r.name, r.email, r.company) if isinstance(x, str) and x)
        for r in matches.itertuples()
    }
    return st.selectbox(f"{len(names)} matching", list(names), format_func=names.get, key=f"{key}_pick")


st.title("Referral paths")
st.caption("The warmest introductions from the people who like you to the people you want to meet. " + RULE)
if no_data():
    st.stop()

a = analysis()
people = a.people
#: above this many people a whole stage is thousands of targets: start from a company instead
STAGE_DEFAULT_MAX = 20_000


@st.cache_data(show_spinner="Finding the warmest paths...", max_entries=32)
def _paths(url: str, version: int, targets: tuple[int, ...], sources: tuple[int, ...], top: int):
    return find_paths(None, targets, sources, top=top, index=path_index(), with_ids=True, people=analysis().people)


left, middle, right = st.columns([2, 2, 1])
with left:
    target_kind = st.radio("To", TARGET_KINDS, index=0 if len(people) <= STAGE_DEFAULT_MAX else 2, horizontal=True,
                           key="paths_target_kind")
    find_targets = None  # () -> the target ids
    if target_kind == PROSPECTS:
        find_targets = lambda: prospects(people)  # noqa: E731
        st.caption("Everyone who is not a customer yet at a lead-like stage: "
                   + ", ".join(stage_label(s) for s in LEAD_STAGES) + ". People with no stage are left out.")
    elif target_kind == "A person":
        tid = pick_person("paths_target", "Search the person to reach")
        if tid is not None:
            find_targets = lambda: [tid]  # noqa: E731
    elif target_kind == "A company":
        # one entry per company as identity knows it (legal suffixes, case and accents ignored), its commonest spelling
        spelling: dict[str, str] = {}
        counts: dict[str, int] = {}
        for name, n in people["company"].dropna().value_counts().items():  # the commonest spelling first
            k = company_match_key(name)
            spelling.setdefault(k, name)
            counts[k] = counts.get(k, 0) + int(n)
        order = sorted(spelling, key=lambda k: str(spelling[k]).casefold())
        key = st.selectbox("Company", order, key="paths_company", format_func=lambda k: (
            f"{spelling[k]} ({counts[k]} {'person' if counts[k] == 1 else 'people'})"))
        if key is not None:
            find_targets = lambda: resolve_targets(store(), people, f"company:{spelling[key]}")  # noqa: E731
    else:
        stages = people["stage"].dropna().value_counts()
        order = list(stages.index)
        chosen = st.multiselect("Everyone at the stages", order, key="paths_stages",
                                default=["lead"] if "lead" in order else order[:1],
                                format_func=lambda s: f"{stage_label(s)} ({stages[s]} people)")
        if chosen:
            find_targets = lambda: targets_at_stages(people, chosen)  # noqa: E731
with middle:
    source_kind = st.radio("From", SOURCE_KINDS, horizontal=True, key="paths_source_kind")
    if source_kind == "Promoters":
        source_spec = "promoters"
        st.caption("Everyone who answered 9 or 10 (or CSAT 5).")
    elif source_kind == "Your team":
        source_spec = "team"
        st.caption("The people of your team whose LinkedIn connections or contacts were imported "
                   "(the Import page's \"whose export is this?\").")
    elif source_kind == "One person":
        sid = pick_person("paths_source", "Search the person who would introduce")
        source_spec = sid
    else:
        owner = st.selectbox("Account manager", owners(people), key="paths_owner")
        source_spec = None if owner is None else f"owner:{owner}"
with right:
    top = st.number_input("Paths per target", min_value=1, max_value=10, value=3, step=1, key="paths_top")

if find_targets is None or source_spec is None:
    st.info("Pick whom to reach and who would introduce them.")
    st.stop()

try:
    targets = find_targets()
    sources = [source_spec] if isinstance(source_spec, int) else resolve_sources(
        store(), people, source_spec, instead="pick one person or an account manager's book as the source"
    )
    drawable = _paths(database_url(), data_version(), tuple(targets), tuple(sources), int(top))
    paths = drawable[PATH_COLUMNS + PATH_EXTRA_COLUMNS]
except NetmapError as exc:
    show_error(exc)
    st.stop()

reached = paths["target_id"].nunique()
cols = st.columns(4)
cols[0].metric("Targets", f"{len(targets):,}")
cols[1].metric("Possible introducers", f"{len(sources):,}")
cols[2].metric("Targets reached", f"{reached:,}")
cols[3].metric("Paths", f"{len(paths):,}")

if paths.empty:
    st.warning(
        "No warm path: none of these introducers is connected to the target within 4 hops (with a strength of at "
        "least 0.001). Try other sources, e.g. an account manager's book, or a nearby person."
    )
    st.stop()
if reached < len(targets):
    st.caption(f"{len(targets) - reached:,} of the {len(targets):,} targets have no warm path from these sources.")

every_column = st.toggle("Show every column", key="paths_every_column",
                         help="Emails, account managers, hops, strength and the path, as in the CSV.")
people_table(
    paths, key="paths_table", id_column="target_id",
    column_order=[  # the essentials fit 1280 px; the rest on request and in the CSV
        "target_name", "target_stage", "target_company", "introduction",
    ] + ([] if not every_column else [
        "source_name", "source_feeling", "hops", "strength", "path", "target_email", "target_owner",
        "source_email", "source_company", "source_owner",
    ]),
    column_config={
        "target_id": None, "source_id": None,
        "target_name": st.column_config.TextColumn("Target", width=140),
        "target_stage": st.column_config.TextColumn("Stage", width=130),
        "target_company": st.column_config.TextColumn("Target's company", width=170),
        "source_name": st.column_config.TextColumn("Introducer"),
        "source_feeling": st.column_config.TextColumn("Introducer feels", help="From their latest survey answer"),
        "introduction": st.column_config.TextColumn(
            "Introduction", width=360,
            help=f"What to ask, for a mail merge. For one hop, the tie's strength in words ({TIES}); "
                 "longer paths name the go-betweens in order"),
        "hops": st.column_config.NumberColumn("Hops", width="small"),
        "strength": st.column_config.NumberColumn("Strength", format="%.3f"),
        "path": st.column_config.TextColumn("Path (introducer > ... > target)", width="large"),
        "target_email": st.column_config.TextColumn("Target's email"),
        "target_owner": st.column_config.TextColumn("Target's account manager"),
        "source_email": st.column_config.TextColumn("Introducer's email"),
        "source_company": st.column_config.TextColumn("Introducer's company"),
        "source_owner": st.column_config.TextColumn("Introducer's account manager"),
    },
)
st.caption("Click a row to open the target's profile.")
csv_download(paths, "referral-paths.csv", label="Download the paths (CSV)", key="paths_csv")

st.subheader("The paths, drawn")
target_ids = list(dict.fromkeys(paths["target_id"].tolist()))
shown = paths
if len(target_ids) > 1:
    names = dict(zip(paths["target_id"], paths["target_name"]))
    several = f"the first {min(len(target_ids), DRAW_MAX_TARGETS)} targets together"
    choice = st.selectbox("Draw the paths to", [*target_ids, TOGETHER], key="paths_draw",
                          format_func=lambda t: several if t == TOGETHER else f"{names[t]} (#{t})")
    shown = paths[paths["target_id"].isin(target_ids[:DRAW_MAX_TARGETS] if choice == TOGETHER else [choice])]
try:
    H = path_graph(draw_index(), drawable.loc[shown.index])
except ValueError as exc:  # the data changed under the table
    show_error(exc)
    st.stop()
roles = dict(H.nodes(data="role"))
table = graph_people_table(a.people)
table = table.loc[table.index.intersection(list(H.nodes))]
table = table.assign(is_cut_vertex=[roles.get(v) == "target" for v in table.index])  # targets drawn as diamonds
weak = a.ties[a.ties["local_bridge"].astype(bool)]
drawn = DrawOptions(color_by="feeling", max_nodes=max(len(H), 1), weak_edges=weak[["a_id", "b_id"]], height="460px")
view = graph_html(H, table, drawn)
graph_frame(view.html, height=480)
n_sources = sum(r == "source" for r in roles.values())
n_targets = sum(r == "target" for r in roles.values())
st.caption(
    f"{view.shown} people on {len(shown)} {'path' if len(shown) == 1 else 'paths'}: {n_sources} "
    f"{'introducer' if n_sources == 1 else 'introducers'}, {n_targets} {'target' if n_targets == 1 else 'targets'} "
    "(diamonds). Colour = feeling: green promoter, amber passive, red detractor, grey no feedback; dashed ties are "
    "weak ties (local bridges). Hover a person for details."
)
