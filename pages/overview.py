"""Overview: key figures, feelings by community, whom to nurture next, freshness."""

from __future__ import annotations

import streamlit as st

from netmap.cli import sample_files
from netmap.errors import NetmapError
from netmap.importer import import_paths
from netmap.network.nurture import nurture_ranking
from netmap.ui import FEELING_COLORS, FEELINGS, analysis, people_table, show_error, store
from netmap.ui.access import actor, may_change

from netmap.ui import ensure_navigation

ensure_navigation()

st.title("netmap")
st.caption("Your customers, who they know, and where a small improvement in how they feel would spread furthest.")

summary = store().summary()
if summary["people"] == 0:
    st.subheader("Welcome")
    st.write(
        "There is nothing here yet. Load a realistic sample company (400 people in six CRM and survey exports) "
        "to explore, or import your own exports."
    )
    left, right = st.columns(2)
    if may_change("Loading the sample company") and left.button("Load the sample company", type="primary",
                                                                  key="load_sample"):
        try:
            with st.spinner("Importing the sample company..."):
                import_paths(store(), sample_files(), actor=actor())
        except NetmapError as exc:
            show_error(exc)
        else:
            st.rerun()
    right.page_link("pages/import_data.py", label="Import your CRM exports", icon=":material/upload_file:")
    st.stop()

a = analysis()
people = a.people
cols = st.columns(6)
cols[0].metric("People", f"{summary['people']:,}")
cols[1].metric("Customers", f"{summary['customers']:,}")
cols[2].metric("Ties", f"{summary['ties']:,}")
cols[3].metric("Communities", f"{people['community'].nunique():,}")
cols[4].metric("NPS", "n/a" if summary["nps"] is None else f"{summary['nps']:+d}")
answered = max(summary["with_feedback"], 1)
cols[5].metric("Promoters", f"{100 * summary['promoters'] / answered:.0f}%",
               help=f"{summary['promoters']} promoters, {summary['passives']} passives, "
                    f"{summary['detractors']} detractors among {summary['with_feedback']} people who answered")

left, right = st.columns([3, 2])
with left:
    st.subheader("How each community feels")
    counts = (
        people.groupby(["community", "feeling"]).size().unstack(fill_value=0).reindex(columns=FEELINGS, fill_value=0)
    )
    counts = counts.loc[counts.sum(axis=1).sort_values(ascending=False).index].head(15)
    st.bar_chart(counts, color=[FEELING_COLORS[f] for f in FEELINGS], horizontal=True, height=420)
with right:
    st.subheader("Whom to nurture next")
    top = nurture_ranking(people.set_index("person_id"), top=8)
    if top.empty:
        st.write("No one stands out yet: import survey answers to see feelings.")
    else:
        people_table(top[["person_id", "name", "action", "reason"]], key="overview_nurture",
                     column_config={"person_id": None})
        st.page_link("pages/nurture.py", label="All nurture suggestions and the plan", icon=":material/eco:")

st.caption(
    f"Data as of the last import: {summary['last_import'] or 'never'} · {summary['imports']} imports in place · "
    f"{summary['reviews']} likely duplicates to review"
)
