"""Bridges & weak ties: who links the clusters, and the ties that carry news furthest."""

from __future__ import annotations

from datetime import date

import streamlit as st

from netmap.errors import NetmapError
from netmap.ui import analysis, csv_download, md, no_data, open_person, people_table, show_error
from netmap.analysis import MEASURES, TIE_MEASURES
from netmap.queries import Filters, options, ranked_bridges, ranked_weak_ties

from netmap.ui import ensure_navigation

ensure_navigation()

#: the measures' names in plain words (their definitions: netmap.analysis.MEASURES / TIE_MEASURES)
PEOPLE_WORDS = {
    "betweenness": "Shortest paths through them", "constraint": "Inside one circle (constraint)",
    "effective_size": "Separate contacts", "participation": "Ties across communities",
    "is_cut_vertex": "Only link (cut vertex)", "separates": "Only link for",
}
TIE_WORDS = {
    "overlap": "Friends in common (overlap)", "local_bridge": "No friend in common",
    "span": "Detour without it", "crosses_communities": "Across communities",
}

st.title("Bridges & weak ties")
st.caption(
    "Bridge customers link groups that would otherwise not hear from each other; weak ties (acquaintances "
    "across clusters) carry news and referrals furthest. A good experience told to a bridge travels further."
)
if no_data():
    st.stop()

f1, f2, f3, f4 = st.columns([3, 3, 2, 2])
as_of = f4.date_input("As of", value=None, key="br_as_of", format="YYYY-MM-DD", min_value=date(1990, 1, 1),
                      help="Empty: today. A day: the network as it stood then, from the evidence dated by that day "
                           "(ties from their first evidence; undated ties count at every date).")
try:
    a = analysis(as_of)
except NetmapError as exc:  # a day before anyone was there
    show_error(exc)
    st.stop()
people = a.people
opts = options(people, a.labels)
community_names = opts["community_labels"]

owners = f1.multiselect("Account manager", opts["owner"], key="br_owner", placeholder="everyone")
# communities are found again for a past day: the same number can be another group, so each day has its own choice
communities = f2.multiselect("Community", opts["community"], format_func=lambda c: community_names.get(c, str(c)),
                             key=f"br_community{'' if as_of is None else as_of}", placeholder="all communities")
top = f3.select_slider("How many to list", [25, 50, 100, 250, 500, 1000], value=100, key="br_top")
if as_of is not None:
    st.caption(md(f"The network as it stood on {as_of.day} {as_of:%B %Y}: {int((people['degree'] > 0).sum()):,} "
                  "people with a tie then. Clear the date to see today's."))
filters = Filters(owners=tuple(owners), communities=tuple(int(c) for c in communities))

details = st.toggle("Show every measure", key="br_details",
                    help="The measures behind the bridge score and the weakness, column by column.")

with st.expander("What these numbers mean", expanded=details):
    left, right = st.columns(2)
    left.markdown("**People**\n\n" + "\n".join(
        f"- **{label}**: {MEASURES[col]}" for col, label in (
            ("bridge_score", "Bridge score"), ("betweenness", PEOPLE_WORDS["betweenness"]),
            ("constraint", PEOPLE_WORDS["constraint"]), ("effective_size", PEOPLE_WORDS["effective_size"]),
            ("participation", PEOPLE_WORDS["participation"]), ("is_cut_vertex", PEOPLE_WORDS["is_cut_vertex"]),
            ("separates", PEOPLE_WORDS["separates"]), ("degree", "Ties"),
        )
    ))
    right.markdown("**Ties**\n\n" + "\n".join(
        f"- **{label}**: {TIE_MEASURES[col]}" for col, label in (
            ("weakness", "Weakness"), ("strength", "Strength"), ("overlap", TIE_WORDS["overlap"]),
            ("local_bridge", TIE_WORDS["local_bridge"]), ("span", TIE_WORDS["span"]),
            ("crosses_communities", TIE_WORDS["crosses_communities"]),
        )
    ))
    how = a.methods.get("betweenness", "")
    st.caption("Shortest paths through them: " + ("counted over every pair of people." if how.startswith("exact")
               else "estimated from a sample of pairs (the ranking is reliable, the last digits are not)."))

# ------------------------------------------------------------- bridge customers --
st.subheader("Bridge customers")
bridges = ranked_bridges(people, filters, top=top)
if bridges.empty:
    st.info("Nobody matches these filters.")
else:
    st.markdown(
        "**What to do:** a bridge customer's experience reaches several groups at once. Keep them delighted "
        "first (fix their issues before anyone's), and ask them for introductions into the groups they link. "
        "Click a row to open the person."
    )
    essentials = ["name", "company", "community", "bridge_score", "separates", "feeling"]  # fits 1280 px
    people_table(
        bridges, key="br_people",
        column_order=None if details else [c for c in essentials if c in bridges.columns],
        column_config={
            "person_id": None,
            "rank": st.column_config.NumberColumn("#", width="small"),
            "name": st.column_config.TextColumn("Name", width=140),
            "company": st.column_config.TextColumn("Company", width=160),
            "owner": st.column_config.TextColumn("Account manager", width=120),
            "community": st.column_config.TextColumn("Community", width=200),
            "bridge_score": st.column_config.ProgressColumn("Bridge score", min_value=0.0, max_value=1.0, width=110,
                                                            format="%.2f", help=MEASURES["bridge_score"]),
            "betweenness": st.column_config.NumberColumn(PEOPLE_WORDS["betweenness"], format="%.4f",
                                                         help=MEASURES["betweenness"]),
            "constraint": st.column_config.NumberColumn(PEOPLE_WORDS["constraint"], format="%.2f",
                                                        help=MEASURES["constraint"]),
            "effective_size": st.column_config.NumberColumn(PEOPLE_WORDS["effective_size"], format="%.1f",
                                                            help=MEASURES["effective_size"]),
            "participation": st.column_config.NumberColumn(PEOPLE_WORDS["participation"], format="%.2f",
                                                           help=MEASURES["participation"]),
            "is_cut_vertex": st.column_config.CheckboxColumn(PEOPLE_WORDS["is_cut_vertex"],
                                                             help=MEASURES["is_cut_vertex"]),
            "separates": st.column_config.NumberColumn(PEOPLE_WORDS["separates"], format="%d people", width=95,
                                                       help=MEASURES["separates"]),
            "degree": st.column_config.NumberColumn("Ties", help=MEASURES["degree"], width="small"),
            "feeling": st.column_config.TextColumn("Feeling", width=80),
        },
    )
    csv_download(bridges, "bridge-customers.csv", label="Download bridge customers (CSV)", key="br_dl_people")

# -------------------------------------------------------------------- weak ties --
st.subheader("Weak ties")
weak = ranked_weak_ties(a.ties, people, filters, top=top)
if weak.empty:
    st.info("No tie matches these filters.")
else:
    st.markdown(
        "**What to do:** a weak tie is an acquaintance between two groups: the way new referrals travel. "
        "Strengthen the ones that matter: introduce the two at an event, copy both on something useful to "
        "both, or ask the one you know best to introduce you to the other's group. Weakest and "
        "furthest-reaching first; select a row to open either person."
    )
    essentials = ["a_name", "a_community", "b_name", "b_community", "weakness"]  # fits 1280 px
    event = st.dataframe(
        weak, key="br_ties", on_select="rerun", selection_mode="single-row", hide_index=True, width="stretch",
        column_order=None if details else [c for c in essentials if c in weak.columns],
        column_config={
            "a_id": None, "b_id": None,
            "rank": st.column_config.NumberColumn("#", width="small"),
            "a_name": st.column_config.TextColumn("Person", width=130),
            "a_community": st.column_config.TextColumn("Their community", width=200),
            "b_name": st.column_config.TextColumn("Knows", width=130),
            "b_community": st.column_config.TextColumn("Their community", width=200),
            "weakness": st.column_config.ProgressColumn("Weakness", min_value=0.0, max_value=1.0, format="%.2f",
                                                        width=100, help=TIE_MEASURES["weakness"]),
            "strength": st.column_config.NumberColumn("Strength", format="%.2f", width="small",
                                                      help=TIE_MEASURES["strength"]),
            "overlap": st.column_config.NumberColumn(TIE_WORDS["overlap"], format="%.2f", help=TIE_MEASURES["overlap"]),
            "local_bridge": st.column_config.CheckboxColumn(TIE_WORDS["local_bridge"], help=TIE_MEASURES["local_bridge"]),
            "span": st.column_config.NumberColumn(TIE_WORDS["span"], format="%d steps", help=TIE_MEASURES["span"]),
            "crosses_communities": st.column_config.CheckboxColumn(TIE_WORDS["crosses_communities"],
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
