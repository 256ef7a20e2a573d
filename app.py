"""netmap, the app: `python -m streamlit run app.py`.

Registers the pages (files in pages/, each thin: it calls netmap) and runs the
one the user picked. The Overview is the home page.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

# a local image: an emoji or material icon as page_icon makes browsers fetch a web font
ICON = Path(__file__).resolve().parent / "netmap" / "ui" / "icon.png"
st.set_page_config(page_title="netmap", page_icon=str(ICON), layout="wide")

PAGES = [
    st.Page("pages/overview.py", title="Overview", icon=":material/home:", default=True),
    st.Page("pages/import_data.py", title="Import", icon=":material/upload_file:"),
    st.Page("pages/network.py", title="Network", icon=":material/hub:"),
    st.Page("pages/bridges.py", title="Bridges & weak ties", icon=":material/call_split:"),
    st.Page("pages/nurture.py", title="Nurture", icon=":material/eco:"),
    st.Page("pages/paths.py", title="Referral paths", icon=":material/handshake:"),
    st.Page("pages/person.py", title="Person", icon=":material/person:"),
]

st.navigation(PAGES).run()
