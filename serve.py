"""netmap's server: ``python -m streamlit run serve.py`` (the README's first command).

It serves ``app.py``, with the start-up work (imports, the data's measures and
indexes) done when the server starts instead of during the first visit
(:mod:`netmap.ui.startup`). ``streamlit run app.py`` serves the same app and
does that work on the first visit instead.
"""

from __future__ import annotations

from contextlib import asynccontextmanager

import streamlit as st


@asynccontextmanager
async def lifespan(app):
    # imported here, once Streamlit's runtime runs: netmap.ui declares cached functions,
    # and declared before the runtime exists Streamlit warns that it has none
    from netmap.ui.startup import lifespan as start_up

    async with start_up(app):
        yield


app = st.App("app.py", lifespan=lifespan)
