"""Nurture: whom to nurture next and why, how spread meets feeling, and the plan for k people."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from netmap.analysis import live_samples
from netmap.config import database_url
from netmap.crm_export import FORMAT_NAMES, FORMATS, crm_export, stored_crm_ids
from netmap.errors import NetmapError
from netmap.network.nurture import ACTION_ADVICE
from netmap.queries import chart_sample, nurture_list, nurturable, owners, plan
from netmap.tickets import queue_of
from netmap.ui import (
    FEELING_COLORS, FEELINGS, analysis, csv_download, data_version, md, no_data, people_table, show_error, store,
)

from netmap.ui import ensure_navigation
from netmap.ui.log import log_form

ensure_navigation()

ACTIONS = ["amplify", "elevate", "recover", "ask"]
ACTION_HELP = {
    "amplify": "promoter: ask for an introduction or a referral",
    "elevate": "passive: turn good into great",
    "recover": "detractor: follow up now, bad word of mouth spreads too",
    "ask": "no feedback yet: send the survey",
}
PLAN_MAX = 20
ALL = "Everyone"
REACHES_HELP = ("Expected people their word of mouth reaches besides them, on its own (their spread): the same "
                "figure in the list and in the plan")
ADDS_HELP = ("People this pick reaches that the earlier picks don't: what they add to the plan. The first pick's "
             "equals their reach alone (within the ± of an account manager's plan, measured on other samples)")
FEELING_WORDS = {"unknown": "no survey answer yet"}


@st.cache_resource(show_spinner=False, max_entries=2)
def _samples(url: str, version: int):
    return live_samples(analysis())


@st.cache_data(show_spinner="Choosing the plan...", max_entries=32)
def _plan(url: str, version: int, owner: str | None) -> pd.DataFrame:
    # greedy: the plan for k is the first k rows of the plan for PLAN_MAX
    # the whole company's plan is stored with the measures; an owner's book is drawn from the samples
    return plan(analysis(), PLAN_MAX, owner=owner, samples=_samples(url, version) if owner else None)


@st.cache_data(show_spinner=False, max_entries=2)
def _crm_ids(url: str, version: int) -> dict[int, list[str]]:
    return stored_crm_ids(store())


@st.cache_data(show_spinner=False, max_entries=8)
def _queue(url: str, version: int, owner: str | None) -> pd.DataFrame:
    return queue_of(store(), owner=owner)


st.title("Whom to nurture next")
st.caption(
    "People whose good (or bad) word of mouth would travel furthest, with what to do about each. "
    + " · ".join(f"**{a}**: {h}" for a, h in ACTION_HELP.items())
)
if no_data():
    st.stop()

a = analysis()
people = a.people

left, right = st.columns([1, 2])
owner_choice = left.selectbox("Account manager's book", [ALL, *owners(people)], key="nurture_owner")
owner = None if owner_choice == ALL else owner_choice
actions = right.multiselect("Actions", ACTIONS, default=ACTIONS, key="nurture_actions",
                            help=" · ".join(f"{a}: {h}" for a, h in ACTION_HELP.items()))

try:
    ranking = nurture_list(people, owner=owner)
except NetmapError as exc:
    show_error(exc)
    st.stop()
shown = ranking[ranking["action"].isin(actions)].reset_index(drop=True)

counts = ranking["action"].value_counts()
cols = st.columns(len(ACTIONS))
for col, action in zip(cols, ACTIONS):
    col.metric(action.capitalize(), f"{int(counts.get(action, 0)):,}", help=ACTION_HELP[action])

st.subheader("The list")
if shown.empty:
    st.info("Nobody to nurture with these filters: choose another book or more actions.")
else:
    people_table(
        shown, key="nurture_table",
        # who, what to do and why first (they fit 1280 px); the figures after
        column_order=["rank", "name", "action", "reason", "feeling", "spread", "nurture_score", "nps", "owner"],
        column_config={
            "person_id": None,
            "rank": st.column_config.NumberColumn("#", width=40),
            "name": st.column_config.TextColumn("Name", width=140),
            "owner": st.column_config.TextColumn("Account manager"),
            "feeling": st.column_config.TextColumn("Feeling"),
            "action": st.column_config.TextColumn("Action", width=75),
            "nps": st.column_config.NumberColumn("NPS", format="%d"),
            "spread": st.column_config.NumberColumn("Reaches (alone)", format="%.1f", help=REACHES_HELP),
            "nurture_score": st.column_config.ProgressColumn("Score", min_value=0, max_value=100, format="%.0f"),
            "reason": st.column_config.TextColumn("Why", width=420),
        },
    )
    st.caption("Click a row to open the person's profile, where the whole reason is written out.")
    csv_download(shown, "nurture.csv", label="Download the list (CSV)", key="nurture_csv")

st.subheader("Spread and feeling")
st.caption(
    "Everyone one can nurture (customers and anyone who answered a survey): how far their word of mouth "
    "would travel, by how they feel. Large dots are on the list."
)
everyone = nurturable(people, owner=owner)
chart = chart_sample(everyone)
if chart.empty:
    st.info("Nobody here can be nurtured yet.")
else:
    if len(chart) < len(everyone):
        st.caption(f"Showing {len(chart):,} of {len(everyone):,} people: the {len(chart) // 2:,} whose word would "
                   "travel furthest and a random sample of the others.")
    st.vega_lite_chart(
        chart,
        {
            "transform": [
                {"calculate": "(random() - 0.5) * 0.6", "as": "jitter"},
                {"calculate": "datum.on_list ? 'on the list' : 'not on the list'", "as": "listed"},
            ],
            "mark": {"type": "circle", "opacity": 0.75},
            "encoding": {
                "x": {"field": "spread", "type": "quantitative", "title": "Spread (people reached)"},
                "y": {"field": "feeling", "type": "nominal", "sort": FEELINGS, "title": None},
                "yOffset": {"field": "jitter", "type": "quantitative", "scale": {"domain": [-0.5, 0.5]}},
                "color": {"field": "feeling", "type": "nominal", "title": "Feeling",
                          "scale": {"domain": FEELINGS, "range": [FEELING_COLORS[f] for f in FEELINGS]}},
                "size": {"field": "listed", "type": "nominal", "title": None,
                         "scale": {"domain": ["on the list", "not on the list"], "range": [140, 30]}},
                "tooltip": [{"field": "name", "title": "Name"}, {"field": "feeling", "title": "Feeling"},
                            {"field": "nps", "title": "NPS / CSAT"},
                            {"field": "spread", "title": "Spread", "format": ".1f"},
                            {"field": "action", "title": "Action"}],
            },
            "height": 300,
        },
        key="nurture_chart",
    )

st.subheader("Service queue")
st.caption(
    "Open support tickets, the one to fix first on top: the requester's risk of speaking badly of you (their feeling "
    "and their latest rating) times how far their word travels (spread and bridge score)."
)
try:
    queue = _queue(database_url(), data_version(), owner)
except NetmapError as exc:
    show_error(exc)
    st.stop()
if queue.empty:
    st.info("No open tickets" + (" in this book" if owner else "") + ". Import a ticket export (Zendesk, Freshdesk, "
            "Intercom or HubSpot tickets) on the Import page to see which ticket to fix first.")
else:
    people_table(  # a click on a row opens the requester's profile
        queue, key="nurture_queue",
        column_order=["rank", "ticket_id", "requester", "status", "feeling", "age_days", "score", "action", "reason",
                      "owner", "company"],
        column_config={
            "person_id": None,
            "rank": st.column_config.NumberColumn("#", width=40),
            "ticket_id": st.column_config.TextColumn("Ticket"),
            "requester": st.column_config.TextColumn("Requester", width=140),
            "status": st.column_config.TextColumn("Status"),
            "feeling": st.column_config.TextColumn("Feeling"),
            "age_days": st.column_config.NumberColumn("Waiting (days)", format="%d"),
            "score": st.column_config.ProgressColumn("Score", min_value=0, max_value=100, format="%.0f"),
            "action": st.column_config.TextColumn("Action", width=75),
            "reason": st.column_config.TextColumn("Why, and what to do", width=420),
            "owner": st.column_config.TextColumn("Account manager"),
            "company": st.column_config.TextColumn("Company"),
        },
    )
    csv_download(queue, "service-queue.csv", label="Download the queue (CSV)", key="nurture_queue_csv")

st.subheader("Log what you did")
st.caption("Fixed a ticket, called a detractor, thanked a promoter? Log it: the person's profile keeps it, and Trends "
           "shows per action how feelings and referrals moved afterwards.")
LOG_CHOICES = 50  # of the queue, then of the list: the first, as ranked
whom: dict[int, str] = {}
for pid, name, ticket in queue[["person_id", "requester", "ticket_id"]].head(LOG_CHOICES).itertuples(index=False):
    whom.setdefault(int(pid), f"{name} · ticket {ticket}")
for pid, name, todo in shown[["person_id", "name", "action"]].head(LOG_CHOICES).itertuples(index=False):
    whom.setdefault(int(pid), f"{name} · {todo}")
log_form(whom, key="nurture")

st.subheader("The nurture plan")
st.caption(
    "The best people to nurture together, chosen so their reach doesn't overlap: "
    "each one adds the people the earlier picks don't already reach."
)
k = st.slider("How many people", 1, PLAN_MAX, 5, key="nurture_k")
try:
    full = _plan(database_url(), data_version(), owner)
except NetmapError as exc:
    show_error(exc)
    st.stop()
chosen = full.head(k)
if chosen.empty:
    st.info("Nobody in this book can be nurtured yet.")
else:
    if len(chosen) < k:
        st.caption(f"Only {len(chosen)} people in this book can be nurtured.")
    st.metric("Together they would reach", f"~{chosen['cumulative_spread'].iloc[-1]:,.1f} people",
              help="Expected people their word of mouth reaches besides the picks themselves (independent-cascade "
                   "model), measured on other samples than the ones that chose the picks")
    st.caption(
        "**Reaches (alone)** is the list's figure: the people a person's word of mouth reaches on its own. "
        "**Adds to the plan** counts only the people no earlier pick reaches, so it is smaller whenever their reach "
        "overlaps. The plan chooses by reach alone, whatever the feeling; the list also weighs how people feel and "
        "how much they broker. **Why here** says, per pick, what that means for them."
    )
    in_words = chosen.assign(
        action=chosen["action"].map(lambda x: f"{x}: {ACTION_ADVICE[x]}" if x in ACTION_ADVICE else x),
        feeling=chosen["feeling"].map(lambda f: FEELING_WORDS.get(f, f)),
    )
    people_table(
        in_words, key="nurture_plan_table",
        column_order=["rank", "name", "why_here", "action", "feeling", "spread", "marginal_spread",
                      "cumulative_spread", "nurture_rank", "owner", "email", "reason"],
        column_config={
            "person_id": None,
            "rank": st.column_config.NumberColumn("#", width="small"),
            "name": st.column_config.TextColumn("Name"),
            "why_here": st.column_config.TextColumn(
                "Why here", width="large",
                help="Why they stand here in the plan and how that differs from their place on the list"),
            "spread": st.column_config.NumberColumn("Reaches (alone)", format="%.1f", help=REACHES_HELP),
            "marginal_spread": st.column_config.NumberColumn("Adds to the plan", format="%.1f", help=ADDS_HELP),
            "cumulative_spread": st.column_config.NumberColumn("Total", format="%.1f",
                                                               help="People reached by the picks so far"),
            "reason": st.column_config.TextColumn("What to do", width="large"),
            "action": st.column_config.TextColumn("Action"),
            "feeling": st.column_config.TextColumn("Feeling"),
            "nurture_rank": st.column_config.NumberColumn(
                "On the list", format="%d",
                help="Their place on the nurture list above (empty: not on it). The plan picks people whose "
                     "reach does not overlap, so it can skip people high on the list who reach the same people "
                     "as an earlier pick"),
            "marginal_se": None, "nps": None, "company": None,
            "owner": st.column_config.TextColumn("Account manager"),
            "email": st.column_config.TextColumn("Email"),
        },
    )
    csv_download(chosen, f"nurture-plan-{len(chosen)}.csv", label="Download the plan (CSV)", key="nurture_plan_csv")

st.subheader("Download for your CRM")
st.caption(
    "One row per person in this book, keyed by the CRM's own id and the email, with netmap's action, scores, "
    "community and reason as custom properties (netmap_...): import it into your CRM and build lists there."
)
crm_format = st.selectbox("Format", FORMATS, format_func=FORMAT_NAMES.get, key="nurture_crm_format")
try:
    export = crm_export(people, crm_format, owner, crm_ids=_crm_ids(database_url(), data_version()))
except NetmapError as exc:
    show_error(exc)
    st.stop()
if export.left_out:
    st.caption(md(export.note[:1].upper() + export.note[1:] + "."))
csv_download(export.rows, f"netmap-{crm_format}.csv", label=f"Download for your CRM ({len(export.rows):,} people, CSV)",
             key="nurture_crm_csv")
