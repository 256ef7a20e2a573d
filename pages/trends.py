"""Trends: how goodwill moves month by month, and who moved since a date."""

from __future__ import annotations

from datetime import timedelta

import altair as alt
import pandas as pd
import streamlit as st

from netmap.config import database_url
from netmap.errors import NetmapError
from netmap.network.outcomes import MIN_PAIRS
from netmap.outcomes_report import outcomes_of
from netmap.trends import moved_people
from netmap.ui import (FEELING_COLORS, analysis, answers, company_trend, csv_download, data_version, md, no_data,
                       people_table, show_error, store)
from netmap.ui.log import log_table

from netmap.ui import ensure_navigation

ensure_navigation()

SPLITS = {"Whole company": None, "Per community": "community", "Per account manager": "owner"}
#: most groups drawn as lines at once (the largest by answers); the CSV has every group
MAX_LINES = 8
MOVE_WORDS = {"progress": "progress", "warning": "warning"}
#: most log entries listed (the newest); the command line's ``log`` gives them all
LOG_SHOWN = 500


@st.cache_data(show_spinner="Measuring what followed each action...", max_entries=8)
def _outcomes(url: str, version: int, log_key: tuple, days: int) -> pd.DataFrame:
    # log_key stands for the log (it changes without changing the data version)
    return outcomes_of(store(), days=days)

st.title("Trends")
st.caption(
    "Goodwill compounds in small steps: a detractor who becomes passive, a passive who becomes a promoter. "
    "Each month shows what the answers given by its last day said; goodwill reach is how many people the "
    "promoters' word of mouth reaches."
)
if no_data():
    st.stop()


a = analysis()
feedback = answers()
dated = [f.on for f in feedback if f.on is not None]
if not dated:
    st.info("No survey answer carries a date yet: import an NPS survey export with its answer dates to see trends.")
    st.stop()

whole = company_trend()
last, first = whole.iloc[-1], whole.iloc[0]
before = whole.iloc[-2] if len(whole) > 1 else None


def _delta(col: str, digits: int = 1):
    if before is None or pd.isna(last[col]) or pd.isna(before[col]):
        return None
    return round(float(last[col]) - float(before[col]), digits)


m1, m2, m3 = st.columns(3)
m1.metric(f"NPS at the end of {last['month']}", "–" if pd.isna(last["nps"]) else f"{last['nps']:+.0f}",
          delta=_delta("nps"), help="Net Promoter Score of the 0-10 survey answers (as on the Overview): the promoters' "
          "share minus the detractors', in points; a ticket's rating counts in the shares below, not here. "
          "Change since the month before.")
m2.metric("Goodwill reach", f"{last['goodwill_reach']:.0f} people", delta=_delta("goodwill_reach"),
          help="The sum of the promoters' spreads: how many people their good word reaches if every promoter talks.")
m3.metric("People who have answered", f"{int(last['answered']):,}", delta=_delta("answered", 0))

split = st.segmented_control("Show", list(SPLITS), default="Whole company", key="tr_split")
by = SPLITS.get(split or "Whole company")
try:
    table = company_trend(by) if by else whole
except NetmapError as exc:
    show_error(exc)
    st.stop()

lines = table if by is None else table[table["group"] != ""]
if by is not None:
    largest = (lines[lines["month"] == last["month"]].nlargest(MAX_LINES, "answered")["group"].tolist())
    lines = lines[lines["group"].isin(largest)]
    if table["group"].nunique() - 1 > MAX_LINES:
        st.caption(f"The {MAX_LINES} largest groups by answers; the CSV below has every group.")
label = {"community": "Community", "owner": "Account manager"}.get(by or "", "")

left, right = st.columns(2)
with left:
    st.subheader("NPS")
    chart = alt.Chart(lines.dropna(subset=["nps"])).mark_line(point=True).encode(
        x=alt.X("month:O", title=None), y=alt.Y("nps:Q", title="NPS", scale=alt.Scale(domain=[-100, 100])),
        tooltip=["month", "nps", "answered"] + (["group"] if by else []),
    )
    if by:
        chart = chart.encode(color=alt.Color("group:N", title=label))
    st.altair_chart(chart, width="stretch")
with right:
    st.subheader("Goodwill reach")
    chart = alt.Chart(lines.dropna(subset=["goodwill_reach"])).mark_line(point=True).encode(
        x=alt.X("month:O", title=None), y=alt.Y("goodwill_reach:Q", title="people reached"),
        tooltip=["month", "goodwill_reach", "promoters"] + (["group"] if by else []),
    )
    if by:
        chart = chart.encode(color=alt.Color("group:N", title=label))
    st.altair_chart(chart, width="stretch")

st.subheader("Promoters, passives and detractors")
shares = whole.melt(id_vars=["month"], value_vars=["promoter_share", "passive_share", "detractor_share"],
                    var_name="feeling", value_name="share").dropna(subset=["share"])
shares["feeling"] = shares["feeling"].str.replace("_share", "", regex=False)
order = ["promoter", "passive", "detractor"]
st.altair_chart(
    alt.Chart(shares).mark_area().encode(
        x=alt.X("month:O", title=None), y=alt.Y("share:Q", title="share of those who answered", axis=alt.Axis(format="%")),
        color=alt.Color("feeling:N", scale=alt.Scale(domain=order, range=[FEELING_COLORS[f] for f in order]),
                        sort=order, title="Feeling"),
        order=alt.Order("order:Q"), tooltip=["month", "feeling", alt.Tooltip("share:Q", format=".0%")],
    ).transform_calculate(order="indexof(['promoter','passive','detractor'], datum.feeling)"),
    width="stretch",
)
csv_download(table, "netmap-trend.csv", label="Download the series (CSV)", key="tr_csv")

# ------------------------------------------------------------------------ who moved --
st.subheader("Who moved")
newest = max(dated)
since = st.columns([1, 3])[0].date_input("Since", value=newest - timedelta(days=90), max_value=newest, key="tr_since",
                      help="Compares each person's feeling on this day with their feeling now.")
moves = moved_people(feedback, a.people, since)
if moves.empty:
    st.caption(md(f"Nobody who had answered by {since.day} {since:%B %Y} has a different feeling now."))
else:
    n_warn = int((moves["move"] == "warning").sum())
    st.caption(md(f"{len(moves)} people moved since {since.day} {since:%B %Y}: {len(moves) - n_warn} made progress, "
                  f"{n_warn} slipped (listed first: they need someone now). Click a row to open the profile."))
    people_table(moves, key="tr_moved", column_order=["name", "company", "owner", "before", "after", "move", "steps"],
                 column_config={"name": "Name", "company": "Company", "owner": "Account manager",
                                "before": st.column_config.TextColumn("Then", help=f"Their feeling on {since:%Y-%m-%d}"),
                                "after": st.column_config.TextColumn("Now", help="Their feeling now"),
                                "move": "Move", "steps": st.column_config.NumberColumn(
                                    "Steps", help="Categories moved: +1 detractor to passive, -1 promoter to passive")})
    csv_download(moves, "netmap-moved.csv", label="Download who moved (CSV)", key="tr_moved_csv")

# ------------------------------------------------------------ what we did, and what followed --
st.subheader("What we did, and what followed")
log_key = store().log_state()  # (how many, the largest id): the log changes without changing the data version
if not log_key[0]:
    st.info("Nothing is logged yet. Log what you did for a customer on their profile or on the Nurture page (or "
            "import a tasks or activities export): this section then shows what followed each kind of action.")
    st.stop()
days = st.columns([1, 3])[0].number_input(
    "Window (days after the action)", min_value=7, max_value=365, value=90, step=7, key="tr_days",
    help="A referral counts when made within this many days after the action; a feeling change is the person's "
         "next answer after the action against their answer before it.")
try:
    outcomes = _outcomes(database_url(), data_version(), log_key, int(days))
except NetmapError as exc:
    show_error(exc)
    st.stop()
st.caption(md(
    f"Each kind of action logged, set against similar people who were not nurtured (same feeling at the time, "
    f"similar spread). Feeling changes are in NPS points, with a 95% interval; under {MIN_PAIRS} matched pairs the "
    "honest answer is \"too few to tell\"."))
# figures as words: a missing one (too few to measure) is a dash, not the grid's "None"
POINTS, RATES = ["nurtured_change", "comparison_change", "difference"], ["nurtured_rate", "comparison_rate"]
worded = outcomes.assign(
    **{c: [("–" if pd.isna(x) else f"{float(x):+.1f}") for x in outcomes[c]] for c in POINTS},
    **{c: [("–" if pd.isna(x) else f"{float(x):.0%}") for x in outcomes[c]] for c in RATES})
st.dataframe(
    worded, hide_index=True, width="stretch", key="tr_outcomes",
    column_order=["label", "nurtured", "pairs", "nurtured_change", "comparison_change", "difference", "verdict",
                  "nurtured_rate", "comparison_rate", "referral_verdict"],
    column_config={
        "label": st.column_config.TextColumn("Action", width=170),
        "nurtured": st.column_config.NumberColumn("People", help="People with this action in the log"),
        "pairs": st.column_config.NumberColumn("Matched pairs", help="Nurtured people with a comparison person and "
                                               "an answer before and after"),
        "nurtured_change": st.column_config.TextColumn("Feeling change", help="Their change, in NPS points"),
        "comparison_change": st.column_config.TextColumn("Comparison change"),
        "difference": st.column_config.TextColumn("Difference"),
        "verdict": st.column_config.TextColumn("Feeling"),
        "nurtured_rate": st.column_config.TextColumn("Referred (nurtured)"),
        "comparison_rate": st.column_config.TextColumn("Referred (comparison)"),
        "referral_verdict": st.column_config.TextColumn("Referrals"),
    },
)
csv_download(outcomes, "netmap-outcomes.csv", label="Download the outcomes (CSV)", key="tr_outcomes_csv")

shown = "" if log_key[0] <= LOG_SHOWN else f" (the newest {LOG_SHOWN:,} here; `python -m netmap log` gives them all)"
st.caption(f"The log: {log_key[0]:,} action(s), newest first{shown}. Click a row to open the person's profile.")
log_table(store().nurture_log(limit=LOG_SHOWN), key="tr_log")
