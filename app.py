"""netmap, the app: `streamlit run app.py`.

A thin shell over the `netmap` library: every figure here comes from
`netmap.Store`; nothing is computed in the page.
"""

from __future__ import annotations

import streamlit as st

from netmap import NetmapError, Store
from netmap.cli import sample_files
from netmap.config import database_url
from netmap.importer import import_files

st.set_page_config(page_title="netmap", page_icon="🕸️", layout="wide")


@st.cache_resource
def open_store(url: str) -> Store:
    return Store(url)


def store() -> Store:
    return open_store(database_url())


def home() -> None:
    st.title("netmap")
    st.caption("Your customers, who they know, and where a small improvement in how they feel would spread furthest.")
    s = store().summary()
    if s["people"] == 0:
        st.subheader("Welcome")
        st.write("There is nothing here yet. Load a realistic sample company to explore, or import your own CRM exports.")
        if st.button("Load the sample company", type="primary", key="load_sample"):
            try:
                with st.spinner("Importing the sample company..."):
                    import_files(store(), [(p.name, p) for p in sample_files()])
            except NetmapError as exc:
                st.error(str(exc))
            else:
                st.rerun()
        st.write("To import your own exports today: `python -m netmap import FILE ...` (the import page is on its way).")
        return
    cols = st.columns(5)
    cols[0].metric("People", f"{s['people']:,}")
    cols[1].metric("Customers", f"{s['customers']:,}")
    cols[2].metric("Ties", f"{s['ties']:,}")
    cols[3].metric("NPS", "n/a" if s["nps"] is None else f"{s['nps']:+d}")
    cols[4].metric("Feedback", f"{s['feedback']:,}")
    st.write(
        f"{s['promoters']} promoters, {s['passives']} passives and {s['detractors']} detractors "
        f"among the {s['with_feedback']} people who answered a survey."
    )
    st.caption(f"Last import: {s['last_import'] or 'never'} · {s['imports']} imports in place")


home()
