"""Bridges & weak ties: who links the clusters, and the ties that carry news furthest."""

from __future__ import annotations

import streamlit as st

from netmap.ui import analysis, csv_download, md, no_data, open_person, people_table
from netmap.views import MEASURES, TIE_MEASURES, Filters, options, ranked_bridges, ranked_weak_ties

from netmap.ui import ensure_navigation

ensure_navigation()

st.title("Bridges & weak ties")
st.caption(
    "Bridge customers link groups that would otherwise not hear from each other; weak ties (acquaintances "
    "across clusters) carry news and referrals furthest. A good experience told to a bridge travels further."
)
if no_data():
    st.stop()

a = analysis()
people = a.people
opts = options(people, a.labels)
community_names = opts["community_labels"]

f1, f2, f3 = st.columns([3, 3, 2])
owners = f1.multiselect("Account manager", opts["owner"], key="br_owner", placeholder="everyone")
communities = f2.multiselect("Community", opts["community"], format_func=lambda c: community_names.get(c, str(c)),
                             key="br_community", placeholder="all communities")
top = f3.select_slider("How many to list", [25, 50, 100, 250, 500, 1000], value=100, key="br_top")
filters = Filters(owners=tuple(owners), communities=tuple(int(c) for c in communities))

st.caption("Betweenness: " + md(a.methods.get("betweenness", "exact (Brandes)")))

with st.expander("What these numbers mean"):
    left, right = st.columns(2)
    left.markdown("**People**\n\n" + "\n".join(
        f"- **{label}**: {MEASURES[col]}" for col, label in (
            ("bridge_score", "Bridge score"), ("betweenness", "Betweenness"), ("constraint", "Constraint"),
            ("effective_size", "Effective size"), ("participation", "Participation"),
            ("is_cut_vertex", "Cut vertex"), ("degree", "Ties"),
        )
    ))
    right.markdown("**Ties**\n\n" + "\n".join(
        f"- **{label}**: {TIE_MEASURES[col]}" for col, label in (
            ("weakness", "Weakness"), ("strength", "Strength"), ("overlap", "Overlap"),
            ("local_bridge", "Local bridge"), ("span", "Span"), ("crosses_communities", "Across communities"),
        )
    ))

# ------------------------------------------------------------- bridge customers --
st.subheader("Bridge customers")
bridges = ranked_bridges(people, filters, top=top)
if bridges.empty:
    st.info("Nobody matches these filters.")
else:
    st.caption("Highest bridge score first. Click a row to open the person.")
    people_table(
        bridges, key="br_people",
        column_config={
            "person_id": None,
            "rank": st.column_config.NumberColumn("#", width="small"),
            "name": "Name", "company": "Company", "owner": "Account manager", "community": "Community",
            "bridge_score": st.column_config.ProgressColumn("Bridge score", min_value=0.0, max_value=1.0,
                                                            format="%.2f", help=MEASURES["bridge_score"]),
            "betweenness": st.column_config.NumberColumn("Betweenness", format="%.4f", help=MEASURES["betweenness"]),
            "constraint": st.column_config.NumberColumn("Constraint", format="%.2f", help=MEASURES["constraint"]),
            "effective_size": st.column_config.NumberColumn("Effective size", format="%.1f",
                                                            help=MEASURES["effective_size"]),
            "participation": st.column_config.NumberColumn("Participation", format="%.2f",
                                                           help=MEASURES["participation"]),
            "is_cut_vertex": st.column_config.CheckboxColumn("Cut vertex", help=MEASURES["is_cut_vertex"]),
            "separates": st.column_config.NumberColumn("Only link for", format="%d people", help=MEASURES["separates"]),
            "degree": st.column_config.NumberColumn("Ties", help=MEASURES["degree"]),
            "feeling": "Feeling",
        },
    )
    csv_download(bridges, "bridge-customers.csv", label="Download bridge customers (CSV)", key="br_dl_people")

# -------------------------------------------------------------------- weak ties --
st.subheader("Weak ties")
weak = ranked_weak_ties(a.ties, people, filters, top=top)
if weak.empty:
    st.info("No tie matches these filters.")
else:
    st.caption("Weakest and furthest-reaching first (with at least one end in the filtered people). "
               "Select a row to open either person.")
    event = st.dataframe(
        weak, key="br_ties", on_select="rerun", selection_mode="single-row", hide_index=True, width="stretch",
        column_config={
            "a_id": None, "b_id": None,
            "rank": st.column_config.NumberColumn("#", width="small"),
            "a_name": "Person", "a_community": "Their community", "b_name": "Knows", "b_community": "Their community",
            "weakness": st.column_config.ProgressColumn("Weakness", min_value=0.0, max_value=1.0, format="%.2f",
                                                        help=TIE_MEASURES["weakness"]),
            "strength": st.column_config.NumberColumn("Strength", format="%.2f", help=TIE_MEASURES["strength"]),
            "overlap": st.column_config.NumberColumn("Overlap", format="%.2f", help=TIE_MEASURES["overlap"]),
            "local_bridge": st.column_config.CheckboxColumn("Local bridge", help=TIE_MEASURES["local_bridge"]),
            "span": st.column_config.NumberColumn("Span", format="%d", help=TIE_MEASURES["span"]),
            "crosses_communities": st.column_config.CheckboxColumn("Across communities",
                                                                   help=TIE_MEASURES["crosses_communities"]),
        },
    )
    rows = event.selection.rows if event is not None and hasattr(event, "selection") else []
    if rows:
        tie = weak.iloc[rows[0]]
        b1, b2, _ = st.columns([2, 2, 3])
        if b1.button(f"Open {md(tie['a_name'])}", key="br_open_a", icon=":material/person:"):
            open_person(int(tie["a_id"]))
        if b2.button(f"Open {md(tie['b_name'])}", key="br_open_b", icon=":material/person:"):
            open_person(int(tie["b_id"]))
    csv_download(weak, "weak-ties.csv", label="Download weak ties (CSV)", key="br_dl_ties")
