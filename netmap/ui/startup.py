"""The app's start-up, done before its first visitor (``python -m streamlit run serve.py``).

A fresh ``streamlit run app.py`` does all of its start-up inside the first visit:
importing what the pages use (pandas, networkx, pyvis, altair and netmap: about
1.5 s on a 2-core machine) and loading the data's measures, search and drawing
indexes. The first visitor waited about 4 s for the Overview, at any size.

:func:`lifespan` is an ``st.App`` lifespan hook that moves that work to the
server's start: before the server takes connections it imports every module the
app and its pages import, then loads the current data's cached resources
(:mod:`netmap.ui`'s ``st.cache_resource`` entries, shared by every session).
The address is bound first, so a browser opened during start-up waits for it
rather than being refused; ``/_stcore/health`` answers once it is done. Loading
in a background thread instead was tried: at 100,000 people a visitor arriving
at once then shared two cores with it, and the Overview's first visit took 2.8 s
(1.7 s with the loading done first).

Nothing here is required: ``streamlit run app.py`` still works, start-up just
happens on the first visit. A failure here is logged and left for the page to
report, where the user sees it.
"""

from __future__ import annotations

import ast
import asyncio
import importlib
import logging
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, AsyncIterator

ROOT = Path(__file__).resolve().parents[2]
_LOG = logging.getLogger("netmap.startup")
#: modules the library imports inside the functions the pages call (to keep the command
#: line quick), so no page's import names them
DEFERRED = ("networkx", "pyvis.network")
#: the longest the server waits for :func:`load_data` before it answers (it goes on meanwhile)
LOAD_WAIT_S = 60


def app_imports(root: Path = ROOT) -> list[str]:
    """The absolute imports of ``app.py`` and ``pages/*.py``, in first-seen order.

    Read from their source, so a page added later is warmed up without a list to keep."""
    names: dict[str, None] = {}
    for script in [root / "app.py", *sorted((root / "pages").glob("*.py"))]:
        for node in ast.walk(ast.parse(script.read_text(encoding="utf-8"), str(script))):
            if isinstance(node, ast.Import):
                names.update(dict.fromkeys(alias.name for alias in node.names))
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names[node.module] = None
    return list(names)


def import_all(names: list[str]) -> list[str]:
    """Import each module; returns the ones that failed (each logged; the page that needs
    it will show the error to its user)."""
    failed = []
    for name in names:
        try:
            importlib.import_module(name)
        except Exception as exc:  # noqa: BLE001 -- start-up must not stop the server; the page reports it
            _skipped(f"importing {name}", exc)
            failed.append(name)
    return failed


def _skipped(step: str, exc: Exception) -> None:
    """Log a start-up step that failed: its kind of error only. The message could quote a
    value from the data (netmap's errors name rows; SQLAlchemy's quote parameters), and
    netmap keeps people's data out of logs (README, "Privacy"); the page that needs the
    step shows the whole error to its user."""
    _LOG.warning("netmap start-up: %s failed (%s); the first visit will do it", step, type(exc).__name__)


def exercise_libraries() -> None:
    """Do once what the first page run would otherwise do once per process, beyond imports:
    read the page icon (PIL loads its PNG plugin), turn a DataFrame into a chart (altair
    loads narwhals' pandas support), and Streamlit's check, on the first element any page
    draws, that it is not running in a REPL: ``inspect.stack()`` over every loaded module
    (0.15 s once the app's modules are loaded). The first Overview script run went from
    0.43 s to 0.19 s (0.05 s again)."""
    import altair as alt
    import pandas as pd
    from PIL import Image
    from streamlit import delta_generator

    from . import PAGE_ICON

    with Image.open(PAGE_ICON) as icon:
        icon.load()
    alt.Chart(pd.DataFrame({"x": ["a"], "n": [1]})).mark_bar().encode(x="n", y="x").to_dict()
    first_element_check = getattr(delta_generator, "_maybe_print_use_warning", None)  # private: may go away
    if first_element_check is not None:
        first_element_check()  # prints nothing here: the server's runtime exists


def load_data() -> None:
    """Load what the pages read first for the current data version: the measures, the
    people search, the drawing and path indexes (each an ``st.cache_resource`` entry of
    :mod:`netmap.ui`, shared by every session) and the Network page's first drawing.

    Only when the measures are stored for the current data: computing them takes
    minutes for a million people, and a server that does not answer meanwhile would
    look broken. The first visit computes them instead, under a spinner."""
    from ..analysis import measures_stored
    from . import analysis, draw_index, network_view, path_index, people_search, store

    # outside a page run Streamlit's cached functions warn that no page is running: expected here
    bare_mode = logging.getLogger("streamlit.runtime.scriptrunner_utils.script_run_context")
    level = bare_mode.level
    bare_mode.setLevel(logging.ERROR)
    try:
        the_store = store()
        if not the_store.has_people() or not measures_stored(the_store):
            return  # nothing to show, or measures to compute: the first visit does it, with its spinner
        analysis()
        people_search()
        draw_index()
        path_index()
        network_view()  # the Network page's first drawing
    except Exception as exc:  # noqa: BLE001 -- e.g. the database is unreachable: the page says so
        _skipped("loading the data", exc)
    finally:
        bare_mode.setLevel(level)


@asynccontextmanager
async def lifespan(app: Any) -> AsyncIterator[None]:
    """``st.App(..., lifespan=lifespan)``: the imports, then the data, then the server answers."""
    try:
        names = app_imports()
    except Exception as exc:  # noqa: BLE001 -- e.g. a page that does not parse: that page reports it
        _skipped("reading the pages' imports", exc)
        names = []
    import_all([*names, *DEFERRED])
    try:
        exercise_libraries()
    except Exception as exc:  # noqa: BLE001 -- an optimisation only: the first visit does it otherwise
        _skipped("exercising the chart and image libraries", exc)
    try:  # bounded: a database that never answers must not keep the server from answering
        await asyncio.wait_for(asyncio.to_thread(load_data), timeout=LOAD_WAIT_S)
    except asyncio.TimeoutError:
        _LOG.warning("netmap start-up: loading the data took over %s s; the server answers meanwhile", LOAD_WAIT_S)
    yield
