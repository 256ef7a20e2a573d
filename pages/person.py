"""Person: one customer's profile, their place in the network, and Erase."""

from __future__ import annotations

import altair as alt
import pandas as pd
import streamlit as st

from netmap.errors import NetmapError
from netmap.draw.view import network_view
from netmap.profile import erasure_summary, person_profile, position_sentences
from netmap.search import find_people
from netmap.queries import stage_label
from netmap.text import day
from netmap.ui import (
    FEELING_COLORS, FEELINGS, analysis, draw_index, forget_cached_data, graph_frame, md, no_data, people_search,
    people_table, show_error, store,
)
from netmap.ui.access import actor, may_change
from netmap.ui.log import log_form, log_table

from netmap.ui import ensure_navigation

ensure_navigation()

st.title("Person")
state = st.session_state

if "erased" in state:
    st.success(state.pop("erased"))
if no_data():
    st.stop()

a = analysis()


def find_box(expanded: bool) -> None:
    """Search by name, email, company, CRM id or person id; a click opens the person."""
    with st.expander("Find a person", expanded=expanded, icon=":material/search:"):
        query = st.text_input("Name, email, company or CRM id", key="person_query",
                              placeholder="e.g. Lloyd, jlloyd@orchiddigital.co.uk, Orchid Digital")
        if not query.strip():
            return
        try:
            found = find_people(store(), people_search(), query)
        except NetmapError as exc:
            st.info(md(str(exc)))
            return
        st.caption(f"{len(found)} match(es); click a row to open the profile.")
        people_table(found, key="person_search_results", column_config={"person_id": None})


raw = st.query_params.get("id") or state.get("person_id")
if raw is None or str(raw).strip() == "":
    st.write("Whose profile? Search for them below, or click a person in any table of the app.")
    find_box(expanded=True)
    st.stop()

try:
    # the person's own ties from their neighbourhood: no graph of everyone (seconds at 100,000 people)
    profile = person_profile(store(), raw, people=a.people, own_ties=True)
except NetmapError as exc:
    show_error(exc)
    find_box(expanded=True)
    st.stop()
state["person_id"] = profile.person_id
if st.query_params.get("id") != str(profile.person_id):  # the address names the profile shown
    st.query_params["id"] = str(profile.person_id)
find_box(expanded=False)

d = profile.details
pos = profile.position or {}

# ----------------------------------------------------------------- header --
st.header(md(profile.name), anchor=False)  # a name is text: no link, not even to itself
line = " · ".join(md(x) for x in (d.get("company"), stage_label(d.get("stage")), d.get("owner") and f"owner {d['owner']}")
                 if x)
if line:
    st.caption(line)

feeling = pos.get("feeling") or "unknown"
cols = st.columns(5)
score = pos.get("nps")
scale = "CSAT" if str(pos.get("scale")).lower() == "csat" else "NPS"
cols[0].metric("Feeling", feeling.capitalize(),
               f"{scale} {score:g}" if isinstance(score, (int, float)) and not pd.isna(score) else None,
               delta_color="off", delta_arrow="off", help="From their latest survey answer.")
cols[1].metric("Ties", f"{len(profile.ties):,}")
se = pos.get("spread_se", float("nan"))
cols[2].metric("Spread", "n/a" if pd.isna(pos.get("spread", float("nan"))) else f"{pos['spread']:.1f}",
               None if pd.isna(se) else f"± {1.96 * se:.1f}", delta_color="off", delta_arrow="off",
               help="Expected number of other people their good word of mouth reaches (independent-cascade "
                    "model), with its 95% margin from the samples it was estimated on.")
cols[3].metric("Within two steps", f"{int(pos.get('reach2') or 0):,}", help="Friends and friends of friends.")
cols[4].metric("Bridge score", "n/a" if pd.isna(pos.get("bridge_score", float("nan"))) else f"{pos['bridge_score']:.2f}",
               help="0 to 1, driven by how much of the network's shortest paths run through them (betweenness), "
                    "then structural holes (low constraint), how many people only they connect, and ties "
                    "across communities.")

left, right = st.columns([2, 3])
with left:
    st.subheader("Details")
    created = d.get("created")
    rows = [
        ("Name", d.get("name")), ("Email", ", ".join(profile.emails) or d.get("email")),
        ("Company", d.get("company")), ("Owner", d.get("owner")), ("Stage", stage_label(d.get("stage")) or None),
        ("Segment", d.get("segment")), ("Region", d.get("region")),
        ("Created", day(created) or None),
        ("CRM ids", ", ".join(profile.crm_ids) or d.get("crm_id")),
        ("In a people export", "yes" if d.get("listed") else "no (mentioned only: a friend of a friend)"),
        ("Community", pos.get("community")), ("Person id", str(profile.person_id)),
    ]
    st.dataframe(pd.DataFrame([(k, "" if v is None else str(v)) for k, v in rows], columns=["field", "value"]),
                 hide_index=True, width="stretch", key="details", height=38 + 35 * len(rows))
with right:
    st.subheader("Position in the network")
    st.markdown("\n".join(f"- {md(s)}" for s in position_sentences(profile, a.people)))

# ------------------------------------------------------------- ego graph --
st.subheader("Their network")
if profile.ties.empty:
    st.write("No ties yet: nobody in the data is known to know them.")
else:
    c1, c2 = st.columns([1, 1])
    hops = c1.segmented_control("Reach", [1, 2], default=1, key="ego_hops",
                                format_func=lambda h: "Their ties" if h == 1 else "Friends of friends") or 1
    color_by = c2.segmented_control("Colour by", ["community", "feeling"], default="community",
                                    key="ego_colour", format_func=str.capitalize) or "community"
    try:
        # drawn from the stored tie arrays and laid out on its own (fast for <= 300 people, seeded): an ego
        # network reads better than its slice of the whole map, where friends of friends can sit far apart
        view = network_view(draw_index(), a.people, a.ties, labels=a.labels, focus=profile.person_id,
                            hops=int(hops), color_by=color_by, max_nodes=300, positions=None,
                            title=f"{profile.name}: ego network", height="520px")
    except NetmapError as exc:
        show_error(exc)
    else:
        st.caption(f"Showing {view.shown:,} of {view.total:,} people within {hops} step{'s' if hops > 1 else ''}. "
                   "The thick black border marks this person; dashed ties are weak ties (local bridges and ties "
                   "between communities); diamonds are bridge customers.")
        graph_frame(view.html, height=540)

# -------------------------------------------------------------- feelings --
st.subheader("Feelings over time")
fb = profile.feedback
if fb.empty:
    st.write("No survey answers yet." + (" Send them the survey." if pos.get("action") == "ask" else ""))
else:
    dated = fb.dropna(subset=["answered_on"]).assign(answered_on=lambda x: pd.to_datetime(x["answered_on"]))
    if len(dated):
        base = alt.Chart(dated, height=220).encode(
                                       x=alt.X("answered_on:T", title="answered on", axis=alt.Axis(format="%b %Y")),
                                       y=alt.Y("score:Q", title="score", scale=alt.Scale(domain=[0, 10])))
        points = base.mark_circle(size=140, opacity=1).encode(
            color=alt.Color("feeling:N", scale=alt.Scale(domain=FEELINGS, range=[FEELING_COLORS[f] for f in FEELINGS]),
                            legend=alt.Legend(orient="bottom")),
            tooltip=[alt.Tooltip("answered_on:T", title="date"), "score:Q", "scale:N", "feeling:N"],
        )
        st.altair_chart(base.mark_line(color="#bdbdbd") + points, width="stretch")
    if len(dated) < len(fb):
        st.caption(f"{len(fb) - len(dated)} answer(s) have no date and are only in the table.")
    st.dataframe(
        fb.iloc[::-1], hide_index=True, width="stretch", key="feedback",
        column_config={"answered_on": st.column_config.DateColumn("answered on"),
                       "response_id": st.column_config.TextColumn("response id")},
    )

# ------------------------------------------------------------------ ties --
st.subheader("Ties")
if profile.ties.empty:
    st.write("No ties.")
else:
    st.caption("Strongest first. Strength in (0, 1] combines referrals, explicit relationships, shared meetings and "
               "deals, the same account, and recency. Click a row to open that person.")
    people_table(profile.ties, key="ties", column_config={
        "person_id": None,
        "strength": st.column_config.ProgressColumn("strength", min_value=0.0, max_value=1.0, format="%.2f"),
        "shared": st.column_config.NumberColumn("shared meetings/deals"),
        "same_company": st.column_config.CheckboxColumn("same company"),
        "last_contact": st.column_config.DateColumn("last contact"),
        "referral": st.column_config.TextColumn("referral", width="medium"),
    })

left, right = st.columns(2)
with left:
    st.subheader("Referrals made")
    if profile.referrals_made.empty:
        st.write("None recorded.")
    else:
        people_table(profile.referrals_made, key="ref_made",
                     column_config={"person_id": None, "name": "referred", "referred_on": st.column_config.DateColumn("date")})
with right:
    st.subheader("Referrals received")
    if profile.referrals_received.empty:
        st.write("None recorded.")
    else:
        people_table(profile.referrals_received, key="ref_received",
                     column_config={"person_id": None, "name": "referred by", "referred_on": st.column_config.DateColumn("date")})

st.subheader("Meetings, events and deals")
if profile.interactions.empty:
    st.write("None recorded.")
else:
    st.dataframe(profile.interactions, hide_index=True, width="stretch", key="interactions",
                 column_config={"happened_on": st.column_config.DateColumn("date"),
                                "participants": st.column_config.NumberColumn("people")})

# ----------------------------------------------------------- nurture log --
st.subheader("What we did for them")
st.caption("Log what you did (a thank-you, a fix, a call, an introduction asked for, a gift): a few weeks on, "
           "Trends shows, per action, how feelings and referrals moved afterwards against similar people.")
log_form({profile.person_id: profile.name}, key="person")  # before the table: a new entry shows at once
done = store().nurture_log(person_id=profile.person_id)
if done:
    log_table(done, key="person_log", with_name=False)
else:
    st.write("Nothing logged yet.")

# ----------------------------------------------------------------- erase --
st.divider()
with st.expander("Erase this person", icon=":material/delete_forever:"):
    st.write(
        "Erasing removes this person completely: their details, ids and emails, ties, referrals, meeting "
        "participations and survey answers, and their traces in the import log. It cannot be undone; a later "
        "import of a file that names them adds them again."
    )
    can_erase = may_change("Erasing")  # with sign-in on: admins only (explains itself to others)
    sure = can_erase and st.checkbox(f"Yes, erase {md(profile.name)} and everything about them",
                                     key=f"erase_ok_{profile.person_id}")
    if can_erase and st.button("Erase", type="primary", disabled=not sure, key="erase", icon=":material/delete_forever:"):
        try:
            result = store().erase(int(profile.person_id), actor=actor())
        except NetmapError as exc:
            show_error(exc)
        else:
            forget_cached_data()  # cached graphs, measures and views of the old data still name them
            state["erased"] = f"{md(profile.name)} was erased: {erasure_summary(result)}."
            state.pop("person_id", None)
            st.query_params.pop("id", None)
            st.rerun()
