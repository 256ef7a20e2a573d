"""netmap, the app: `python -m streamlit run app.py`.

Registers the pages (files in pages/, each thin: it calls netmap) and runs the
one the user picked. The Overview is the home page. When sign-in is configured
(README, "Sign-in and audit"), a visitor who has not signed in gets the
sign-in screen as the only page: no data at all.
"""

from __future__ import annotations

import streamlit as st

from netmap.errors import NetmapError
from netmap.ui import PAGE_ICON
from netmap.ui.access import account_sidebar, sign_in_screen, viewer

st.set_page_config(page_title="netmap", page_icon=str(PAGE_ICON), layout="wide")

PAGES = [
    st.Page("pages/overview.py", title="Overview", icon=":material/home:", default=True),
    st.Page("pages/import_data.py", title="Import", icon=":material/upload_file:"),
    st.Page("pages/review.py", title="Duplicates", icon=":material/difference:"),
    st.Page("pages/network.py", title="Network", icon=":material/hub:"),
    st.Page("pages/bridges.py", title="Bridges & weak ties", icon=":material/call_split:"),
    st.Page("pages/nurture.py", title="Nurture", icon=":material/eco:"),
    st.Page("pages/paths.py", title="Referral paths", icon=":material/handshake:"),
    st.Page("pages/trends.py", title="Trends", icon=":material/trending_up:"),
    st.Page("pages/person.py", title="Person", icon=":material/person:"),
]

try:
    who = viewer()
except NetmapError as exc:  # an unreadable secrets file: stay closed
    st.error(str(exc))
    st.stop()
if not who.may_view:  # the sign-in screen answers at every page's address (a deep link gets it too)
    st.navigation([st.Page(sign_in_screen, title="Sign in", icon=":material/login:", url_path="sign-in", default=True)]
                  + [st.Page(sign_in_screen, title="Sign in", url_path=p.url_path) for p in PAGES if p.url_path],
                  position="hidden").run()
    st.stop()
account_sidebar(who)
st.navigation(PAGES).run()
