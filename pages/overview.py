"""Overview: key figures, feelings by community, whom to nurture next, freshness."""

from __future__ import annotations

import altair as alt
import streamlit as st

from netmap.cli import sample_files
from netmap.errors import NetmapError
from netmap.ingest.importer import import_paths
from netmap.network.nurture import nurture_ranking
from netmap.model import FEELING_WORDS
from netmap.network.communities import feelings_by_community
from netmap.text import when
from netmap.ui import FEELING_COLORS, FEELINGS, PERSON_PAGE, analysis, company_trend, md, show_error, store
from netmap.ui.access import actor, may_change

from netmap.ui import ensure_navigation

ensure_navigation()

ACTION_ICONS = {"amplify": ":material/campaign:", "elevate": ":material/trending_up:",
                "recover": ":material/healing:", "ask": ":material/help:"}

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

#: months of history drawn on the Overview (the Trends page has them all)
TREND_MONTHS = 24

a = analysis()
people = a.people
cols = st.columns(6)
cols[0].metric("People", f"{summary['people'] - summary['team']:,}",
               help=f"Customers and everyone around them; with your team ({summary['team']}: support agents and "
                    "whose connections were imported) the network has " f"{summary['people']:,}." if summary["team"]
               else "Customers and everyone around them.")
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
    counts = feelings_by_community(people)
    st.caption("People per community by their latest survey answer; grey: no answer yet (send them the survey).")
    st.altair_chart(
        alt.Chart(counts, height=max(220, 30 * counts["community"].nunique())).mark_bar().encode(
            y=alt.Y("community:N", title=None, sort=alt.EncodingSortField("total", order="descending"),
                    axis=alt.Axis(labelLimit=320, labelOverlap=False)),
            x=alt.X("people:Q", title="people"),
            color=alt.Color("feeling:N", title=None, legend=alt.Legend(orient="bottom", columns=2, labelLimit=0),
                            scale=alt.Scale(domain=[FEELING_WORDS[f] for f in FEELINGS],
                                            range=[FEELING_COLORS[f] for f in FEELINGS])),
            order=alt.Order("order:Q"),
            tooltip=["community:N", "feeling:N", "people:Q"],
        ),
        width="stretch",
    )
with right:
    st.subheader("Whom to nurture next")
    top = nurture_ranking(people.set_index("person_id"), top=8)
    if top.empty:
        st.write("No one stands out yet: import survey answers to see feelings.")
    else:
        st.caption("The people whose word of mouth would travel furthest, with what to do. Click a name for the profile.")
        for row in top.itertuples():
            st.page_link(PERSON_PAGE, label=md(row.name), query_params={"id": str(int(row.person_id))},
                         icon=ACTION_ICONS.get(row.action))
            st.caption(f"**{md(row.action)}** · {md(row.reason)}")
        st.page_link("pages/nurture.py", label="All nurture suggestions and the plan", icon=":material/eco:")

history = company_trend().dropna(subset=["nps"])
if len(history) > 1:
    st.subheader("How goodwill moves")
    recent = history.tail(TREND_MONTHS)
    now, then = recent.iloc[-1], recent.iloc[0]
    st.caption(md(
        f"NPS {now['nps']:+.0f} at the end of {now['month']} ({then['nps']:+.0f} in {then['month']}); goodwill reach "
        f"{now['goodwill_reach']:.0f} people ({then['goodwill_reach']:.0f}): how many people the promoters' word of "
        f"mouth reaches. Month by month, from the answers given by each month's end."))
    for col, (field, title) in zip(st.columns(2), (("nps", "NPS"), ("goodwill_reach", "Goodwill reach (people)"))):
        col.altair_chart(
            alt.Chart(recent, height=160, title=title).mark_line(point=True).encode(
                x=alt.X("month:O", title=None), y=alt.Y(f"{field}:Q", title=None),
                tooltip=["month", field, "answered"],
            ),
            width="stretch",
        )
    st.page_link("pages/trends.py", label="Trends: per community and account manager, and who moved",
                 icon=":material/trending_up:")

st.caption(f"Data as of the last import: {when(summary['last_import']) or 'never'} · "
           f"{summary['imports']} imports in place")
if summary["reviews"]:
    st.page_link("pages/review.py", label=f"{summary['reviews']} likely duplicates to review",
                 icon=":material/difference:")
