"""Duplicates: likely duplicates side by side; merge them or keep them apart; undo either."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from netmap.errors import NetmapError
from netmap.storage.merge import merge_summary
from netmap.ui import confirm_undo, ensure_navigation, md, show_error, store
from netmap.ui.access import actor, may_change

ensure_navigation()

PAIRS_SHOWN = 10  # pairs shown at once (counting each person's ties reads their neighbourhood)
DECISIONS_SHOWN = 20

st.title("Likely duplicates")
st.caption(
    "People who may be one person but were not merged on import, because an id or an email tells them apart. "
    "Compare them side by side. Same person: merge them (everything of the second moves to the first, who is kept). "
    "Different people: keep them apart (later imports do not list them together again). Every decision can be undone."
)

state = st.session_state
if "review_done" in state:
    st.success(state.pop("review_done"))

can_change = may_change("Merging duplicates or keeping them apart")  # with sign-in on: admins only
shown, total = store().duplicate_pairs(limit=PAIRS_SHOWN)
if not total:
    st.write("None to review: every person was matched with certainty, or every likely duplicate was decided.")
else:
    st.write(f"{total:,} pair{'s' if total != 1 else ''} to review"
             + (f"; the first {len(shown)} are shown (decide them and the next appear)." if total > len(shown) else "."))
for pair in shown:
    first, second = pair.first, pair.second
    with st.container(border=True, key=f"pair_{pair.key}"):
        st.markdown(f"**{md(first.label())}** and **{md(second.label())}**: {md('; '.join(pair.reasons))}")
        st.dataframe(pd.DataFrame(pair.rows()), hide_index=True, width="stretch", key=f"sides_{pair.key}")
        if not can_change:
            continue
        left, right = st.columns(2)
        if left.button("Same person: merge", key=f"merge_{pair.key}", type="primary", icon=":material/merge:",
                       help=f"Keeps #{first.person_id}; their ids, ties, survey answers and meetings gain those of "
                            f"#{second.person_id}, their empty details are filled from #{second.person_id}'s, and "
                            f"#{second.person_id} goes. Undo restores both exactly."):
            try:
                result = store().merge(first.person_id, second.person_id, actor=actor())
            except NetmapError as exc:
                show_error(exc)
            else:
                state.review_done = md(merge_summary(result))
                st.rerun()
        if right.button("Different people: keep apart", key=f"apart_{pair.key}", icon=":material/call_split:",
                        help="Closes this review; later imports do not list these two together again."):
            try:
                result = store().keep_apart(first.person_id, second.person_id, actor=actor())
            except NetmapError as exc:
                show_error(exc)
            else:
                state.review_done = md(f"Kept {first.label()} and {second.label()} apart: they are no longer listed "
                                       "together, by this review or by a later import.")
                st.rerun()

st.divider()
st.subheader("Decisions")
made = store().decisions(limit=DECISIONS_SHOWN)
if not made:
    st.write("No merges or keep-apart decisions yet.")
else:
    st.caption("The newest first. Undo puts both people back exactly as they were (a later import or decision "
               "that built on it must be undone first). They are in the Import page's log too.")
    for d in made:
        cols = st.columns([1, 7, 3, 2], vertical_alignment="center")
        cols[0].text(f"#{d['id']}")
        cols[1].text(d["text"])
        cols[2].text(d["at"].strftime("%Y-%m-%d %H:%M") if d["at"] else "")
        if can_change and cols[3].button("Undo", key=f"undo_decision_{d['id']}", icon=":material/undo:"):
            state.confirm_decision_undo = d["id"]
        if state.get("confirm_decision_undo") == d["id"]:
            confirm_undo(d["id"], pending="confirm_decision_undo", done="review_done")
