"""netmap's server: ``python -m streamlit run serve.py`` (the README's first command).

It serves ``app.py``, with

- the start-up work (imports, the data's measures and indexes) done when the
  server starts instead of during the first visit (:mod:`netmap.ui.startup`);
- vis-network's script and stylesheet served once, for a browser to keep, at
  ``{base path}/netmap-assets/`` (:mod:`netmap.network.vis_assets`), so the
  app's drawings link to them instead of carrying 0.69 MB inline each.

``streamlit run app.py`` serves the same app, doing that work on the first
visit and drawing every graph self-contained.
"""

from __future__ import annotations

from contextlib import asynccontextmanager

import streamlit as st
from starlette.responses import Response
from starlette.routing import Route

from netmap.network import vis_assets

_BASE = "/" + (st.get_option("server.baseUrlPath") or "").strip("/")
#: the URL path the drawings link to (the server's base path kept)
ASSETS_AT = _BASE.rstrip("/") + vis_assets.PATH


async def graph_asset(request) -> Response:
    found = vis_assets.asset(request.path_params["name"])
    if found is None:
        return Response("not found", status_code=404, media_type="text/plain")
    body, media_type = found
    return Response(body, media_type=media_type,
                    headers={"Cache-Control": vis_assets.CACHE_CONTROL, "X-Content-Type-Options": "nosniff"})


@asynccontextmanager
async def lifespan(app):
    # imported here, once Streamlit's runtime runs: netmap.ui declares cached functions,
    # and declared before the runtime exists Streamlit warns that it has none
    from netmap import ui
    from netmap.ui.startup import lifespan as start_up

    ui.link_graph_assets(ASSETS_AT)
    async with start_up(app):
        yield


app = st.App("app.py", lifespan=lifespan,
             routes=[Route(ASSETS_AT + "/{name}", graph_asset, methods=["GET"])])
