"""The nurture log in the app: the form "Log what you did" and the log as a table, shared by
the Person, Nurture and Trends pages (the log itself: netmap/storage/nurture_log.py; the
actions: netmap/nurture_log.py)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import streamlit as st

from ..errors import NetmapError
from ..nurture_log import ACTIONS, label
from ..text import day
from . import md, show_error, store
from .access import may_log

#: the log as the app shows it: the command line's columns, the action in words
SHOWN = ["done_on", "name", "action", "note", "logged_by", "person_id"]


def log_table(rows: list[dict], *, key: str, with_name: bool = True) -> None:
    """The log ``rows`` (:meth:`netmap.Store.nurture_log`), newest first; with ``with_name`` a
    click on a row opens that person's profile."""
    from . import people_table

    df = pd.DataFrame(rows, columns=[*SHOWN, "owner"])
    df["action"] = df["action"].map(label)
    config = {"done_on": st.column_config.DateColumn("Done on"), "name": "Name", "action": "Action", "note": "Note",
              "logged_by": "Logged by", "owner": "Account manager", "person_id": None}
    if with_name:
        people_table(df[SHOWN + ["owner"]], key=key, column_config=config)
    else:
        st.dataframe(df[["done_on", "action", "note", "logged_by"]], hide_index=True, width="stretch", key=key,
                     column_config=config)


def log_form(people: dict[int, str], *, key: str) -> dict | None:
    """"Log what you did" for one of ``people`` (person id -> name; one person: no choice to
    make): the action, the day (today by default, never later) and a note. Returns the
    logged row once written, else None. Says why instead when the user may not log."""
    logger = may_log()
    if logger is None or not people:
        return None
    ids = list(people)
    with st.form(f"log_{key}", clear_on_submit=True, border=True):
        if len(ids) > 1:
            pid = st.selectbox("For", ids, format_func=lambda p: people[p], key=f"log_{key}_who")
        else:
            pid = ids[0]
        c1, c2 = st.columns([2, 1])
        action = c1.selectbox("What you did", list(ACTIONS), format_func=lambda a: ACTIONS[a].capitalize(),
                              key=f"log_{key}_action")
        on = c2.date_input("On", value=date.today(), max_value=date.today(), key=f"log_{key}_on")
        note = st.text_input("Note (optional)", key=f"log_{key}_note", max_chars=500,
                             placeholder="e.g. replaced the broken unit; she was relieved")
        sent = st.form_submit_button("Log it", icon=":material/edit_note:")
    if not sent:
        return None
    try:
        row = store().log_action(int(pid), action, note=note, on=on, actor=logger)
    except NetmapError as exc:
        show_error(exc)
        return None
    st.success(f"Logged: {label(row['action'])} for {md(row['name'])} on {day(row['done_on'])}.",
               icon=":material/check:")
    return row
