"""netmap's server: ``python -m streamlit run serve.py`` (the README's first command).

It serves ``app.py``, with the start-up work (imports, the data's measures and
indexes) done when the server starts instead of during the first visit
(:mod:`netmap.ui.startup`). ``streamlit run app.py`` serves the same app and
does that work on the first visit instead.
"""

from __future__ import annotations

import streamlit as st

from netmap.ui.startup import lifespan

app = st.App("app.py", lifespan=lifespan)
