"""The app's shared pieces: cached data, colours, tables that link to people.

The only part of netmap that imports Streamlit. Pages stay thin: they call
these helpers and the library, and compute nothing themselves.

Caching: the store is one per database URL (``st.cache_resource``); the
analysis, its layout, the drawing and path indexes and the people search are cached per *data
version*, so they are recomputed only after an import, undo or erasure.
"""

from __future__ import annotations

import logging
import re
import runpy
from dataclasses import astuple
from datetime import date
from pathlib import Path

import pandas as pd
import streamlit as st

from ..analysis import Analysis, measures
from ..config import database_url
from ..draw import vis_assets
from ..draw.frame import sandboxed
from ..draw.index import DrawIndex
from ..draw.layout import layout_positions
from ..draw.legend import FEELING_COLORS
from ..draw.view import NetworkView, use_global_layout
from ..draw.view import network_view as _network_view_of
from ..errors import NetmapError
from ..model import FEELINGS as _FEELINGS
from ..network.paths import PathIndex
from ..queries import Filters
from ..queries import path_index as _index_of
from ..search import PeopleSearch
from ..storage.store import Store
from ..tabular_export import to_csv

__all__ = [
    "FEELING_COLORS", "FEELINGS", "ensure_navigation", "graph_frame", "link_graph_assets", "md", "PAGE_ICON", "PERSON_PAGE", "analysis", "csv_download", "draw_index", "no_data", "path_index",
    "people_search", "people_table", "network_view", "NETWORK_DEFAULTS", "TABLE_ROWS_SHOWN", "show_error", "store", "data_version", "open_person", "forget_cached_data", "confirm_undo",
]

FEELINGS = list(_FEELINGS)  # a list: Altair scales take lists
APP_SCRIPT = Path(__file__).resolve().parents[2] / "app.py"
#: the app's page icon: a local image (an emoji or material icon as page_icon makes browsers fetch a web font)
PAGE_ICON = Path(__file__).resolve().parent / "icon.png"
_log = logging.getLogger(__name__)
PERSON_PAGE = "pages/person.py"


@st.cache_resource(show_spinner=False)
def _store(url: str) -> Store:
    return Store(url)


def store() -> Store:
    """The database the app works on (``NETMAP_DATABASE_URL`` or ``data/netmap.db``)."""
    return _store(database_url())


def data_version() -> int:
    return store().data_version()


@st.cache_resource(show_spinner="Computing the network measures...", max_entries=4)
def _analysis(url: str, version: int) -> Analysis:
    return measures(_store(url))


@st.cache_resource(show_spinner="Measuring the network as it stood then...", max_entries=2)
def _analysis_as_of(url: str, version: int, day: date) -> Analysis:
    return measures(_store(url), as_of=day)


def analysis(as_of: date | None = None) -> Analysis:
    """Every measure, for the current data (computed once per data version); with ``as_of``,
    as the network stood on that day (netmap/network/history.py ``dataset_as_of``)."""
    if as_of is not None:
        return _analysis_as_of(database_url(), data_version(), as_of)
    return _analysis(database_url(), data_version())


@st.cache_data(show_spinner=False, max_entries=4)
def _answers(url: str, version: int) -> tuple:
    return _store(url).answers()


def answers() -> tuple:
    """Every survey answer and rated ticket, dated (``Store.answers``; read once per data version)."""
    return _answers(database_url(), data_version())


@st.cache_data(show_spinner=False, max_entries=8)
def _trend(url: str, version: int, by: str | None) -> pd.DataFrame:
    from ..trends import trend_of

    return trend_of(_store(url), by=by)


def company_trend(by: str | None = None) -> pd.DataFrame:
    """The whole company's monthly NPS, shares and goodwill reach, then each group's with ``by``
    (``"community"`` or ``"owner"``): :func:`netmap.trends.trend_of`, kept in the database per
    data version and in this process per split."""
    return _trend(database_url(), data_version(), by)


#: the last whole-network layout made in this process, per database: the next data version's
#: layout starts from it, so an import of a few people does not redraw everyone elsewhere
_last_layout: dict[str, dict] = {}


@st.cache_resource(show_spinner="Laying out the network...", max_entries=2)
def _positions(url: str, version: int) -> dict:
    """Node positions of the whole network, computed once per data version (the views
    use them up to :data:`netmap.draw.view.GLOBAL_LAYOUT_MAX` people, and never re-lay out),
    from the previous version's positions when there is one (``layout_positions``'
    ``previous``: the people already drawn stay where they were)."""
    index = _draw_index(url, version)
    positions = layout_positions(index.subgraph(index.nodes), seed=0, previous=_last_layout.get(url))
    _last_layout[url] = positions
    return positions


@st.cache_resource(show_spinner=False, max_entries=2)
def _draw_index(url: str, version: int) -> DrawIndex:
    return DrawIndex.from_analysis(_analysis(url, version))


def draw_index() -> DrawIndex:
    """The whole network as arrays, for drawing part of it (no graph of everyone)."""
    return _draw_index(database_url(), data_version())


@st.cache_resource(show_spinner=False, max_entries=2)
def _people_search(url: str, version: int) -> PeopleSearch:
    return PeopleSearch(_analysis(url, version).people)


def people_search() -> PeopleSearch:
    """Everyone, ready for the pages' "find a person" boxes (text folded once per data version)."""
    return _people_search(database_url(), data_version())


@st.cache_resource(show_spinner=False, max_entries=2)
def _path_index(url: str, version: int) -> PathIndex:
    return _index_of(_analysis(url, version))


def path_index() -> PathIndex:
    return _path_index(database_url(), data_version())


#: how the Network page first draws: everyone, coloured by community, sized by spread, at most 1,000 people
NETWORK_DEFAULTS = {"color_by": "community", "size_by": "spread", "max_nodes": 1000}


@st.cache_data(show_spinner="Drawing the network...", max_entries=32)
def _network_view(url: str, version: int, filters: tuple, focus: int | None, hops: int, color_by: str,
                  size_by: str, max_nodes: int) -> NetworkView:
    a, index = _analysis(url, version), _draw_index(url, version)
    return _network_view_of(
        index, a.people, a.ties, Filters(*filters), labels=a.labels, focus=focus, hops=hops, color_by=color_by,
        size_by=size_by, max_nodes=max_nodes,
        positions=_positions(url, version) if use_global_layout(index) else None, title=None, height="640px",
    )


def network_view(filters: Filters = Filters(), focus: int | None = None, hops: int = 1, *,
                 color_by: str = NETWORK_DEFAULTS["color_by"], size_by: str = NETWORK_DEFAULTS["size_by"],
                 max_nodes: int = NETWORK_DEFAULTS["max_nodes"]) -> NetworkView:
    """The Network page's drawing (:func:`netmap.draw.view.network_view`) of the current data,
    cached per data version and choice. Without arguments: the page's first view, which
    the server draws at start-up (:mod:`netmap.ui.startup`)."""
    return _network_view(database_url(), data_version(), astuple(filters), None if focus is None else int(focus),
                         int(hops), color_by, size_by, int(max_nodes))


def forget_cached_data() -> None:
    """Drop every result cached from the data, for every session: the measures, layout,
    drawing and path indexes above and every page's ``st.cache_data`` (drawn views, plans).
    Call it right after an erasure: entries keyed by the older data version would
    otherwise keep the person's name in the server's memory until evicted."""
    for cached in (_analysis, _positions, _draw_index, _path_index, _people_search):
        cached.clear()
    st.cache_data.clear()


_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~:$])")


#: where Streamlit's Markdown would turn bare text into a web link (GitHub's autolinks: ``https://``,
#: ``www.``), escapes or not. An email stays as it is (a mailto link opens nothing by itself, and an
#: invisible character in it would break copying it into a search box)
_AUTOLINK = re.compile(r"(?i)(://|\bwww(?=\\\.))")
#: WORD JOINER: invisible, and it breaks the autolink's pattern
_JOIN = "\u2060"


def md(text: object) -> str:
    """User data (names, companies, comments) made safe for ``st.markdown``,
    ``st.write``, ``st.caption`` and headings: every Markdown/HTML character
    escaped, so ``[x](javascript:...)`` or ``<img ...>`` shows as the text it
    is, and an invisible word joiner inside ``://`` and after ``www``, so a
    web address in a name is not made a live link (the Markdown renderer
    links bare addresses after escapes are resolved)."""
    escaped = _MD_SPECIAL.sub(r"\\\1", "" if text is None else str(text))
    return _AUTOLINK.sub(lambda m: ":" + _JOIN + "//" if m.group(1) == "://" else m.group(1) + _JOIN, escaped)


def ensure_navigation() -> None:
    """Run every page inside ``app.py``'s navigation, even on a deep link.

    Streamlit (1.67) treats a ``pages/`` folder with its old automatic page
    list until a session has run ``app.py``: a visitor who opens
    ``/person?id=5`` on a fresh server would get the page file alone (the
    file names as a menu, no page config). Each page calls this first; in that
    mode it runs ``app.py`` in its place (which declares the navigation and
    runs the page asked for) and stops.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        runpy.run_path(str(APP_SCRIPT), run_name="__main__")
        st.stop()


#: where this server serves vis-network's files (set by serve.py), or None: drawings stay self-contained
_graph_assets_at: str | None = None


def link_graph_assets(prefix: str | None) -> None:
    """Called by ``serve.py``, which serves vis-network's script and stylesheet at ``prefix``
    (:mod:`netmap.network.vis_assets`): from then on :func:`graph_frame` links to them."""
    global _graph_assets_at
    _graph_assets_at = prefix


def graph_frame(html: str, *, height: int, fill_window: bool = False) -> None:
    """Show a drawing (:func:`netmap.draw.view.network_view`'s ``html``) in its frame: linking
    vis-network's files when this server serves them, else the drawing as it is (inline).
    A drawing that cannot be linked (another pyvis template) is shown inline, and logged.
    The drawing runs in a frame of its own sandboxed without same-origin
    (:func:`netmap.draw.frame.sandboxed`); a click on a person opens their profile. With
    ``fill_window`` the frame ends at the bottom of the browser's window (at least 400 px
    tall) instead of being ``height`` px tall."""
    if _graph_assets_at:
        try:
            html = vis_assets.linked(html, _graph_assets_at)
        except RuntimeError as exc:
            _log.warning("drawing shown inline: %s", exc)
    st.iframe(sandboxed(html, fill_window=fill_window), height=height)  # scripts, but not the app's origin


def confirm_undo(import_id: int, *, pending: str, done: str) -> None:
    """Undo's second step, for an import or a duplicates decision: what it will remove and
    restore, in plain counts from the journal (:meth:`Store.undo_preview`), then Yes /
    Cancel; a refusal is said at once. ``pending`` is the session key that holds the id
    awaiting confirmation, ``done`` the key the success message goes to (the page shows
    it after the rerun)."""
    from .access import actor

    state = st.session_state
    try:
        plan = store().undo_preview(import_id)
    except NetmapError as exc:
        state.pop(pending, None)
        show_error(exc)
        return
    if plan.refusal:
        state.pop(pending, None)
        st.error(md(plan.refusal))
        return
    with st.container(border=True):
        st.warning(md(plan.question), icon=":material/undo:")
        yes, no = st.columns(2)
        if yes.button("Yes, undo", key=f"undo_yes_{import_id}", type="primary"):
            try:
                store().undo(import_id, actor=actor())
            except NetmapError as exc:
                show_error(exc)
            else:
                state.pop(pending, None)
                state[done] = md(plan.done)
                st.rerun()
        if no.button("Cancel", key=f"undo_no_{import_id}"):
            state.pop(pending, None)
            st.rerun()


def show_error(exc: Exception) -> None:
    """A user error as a message in the page, never a traceback (its text may
    quote user data, so it is shown as text, not Markdown)."""
    st.error(md(str(exc)) if isinstance(exc, NetmapError) else f"Something went wrong: {md(exc)}")


def no_data() -> bool:
    """True (after saying so) when there is nothing to show yet."""
    if store().has_people():
        return False
    st.info("There is no data yet. Load the sample company on the Overview page, or import your CRM exports.")
    st.page_link("pages/import_data.py", label="Import your CRM exports", icon=":material/upload_file:")
    return True


def open_person(person_id: int) -> None:
    """Go to a person's profile, with its id in the address (``/person?id=42``: a
    reload keeps it, it can be bookmarked and sent, back and forward step through
    the profiles seen). Every clickable table starts afresh on the next page: a row
    still ticked in the table of the profile one came from would open the person
    under it again, and the two profiles would open each other for ever."""
    st.session_state["person_id"] = int(person_id)
    st.session_state[_TABLES_ROUND] = st.session_state.get(_TABLES_ROUND, 0) + 1
    st.switch_page(PERSON_PAGE, query_params={"id": str(int(person_id))})


#: session key of the round of clickable tables (see :func:`open_person`)
_TABLES_ROUND = "_people_tables_round"


#: Most rows a table sends to the browser (the nurture list at 100,000 people is 15,000
#: rows, megabytes that take the browser seconds); the CSV downloads keep every row.
TABLE_ROWS_SHOWN = 500


def people_table(df: pd.DataFrame, *, key: str, id_column: str = "person_id", **kwargs) -> None:
    """A table whose rows open the person's profile when clicked: the first
    :data:`TABLE_ROWS_SHOWN` rows of ``df``, saying so when there are more.

    Cells are shown as text (Streamlit's dataframe never renders markup).
    """
    limit = TABLE_ROWS_SHOWN
    shown = df.head(limit)
    text = shown.select_dtypes(include=["object", "string"]).columns
    if len(text):  # a blank is a blank, not "None"
        shown = shown.assign(**{c: shown[c].where(shown[c].notna(), "") for c in text})
    round_ = st.session_state.get(_TABLES_ROUND, 0)  # a new key after each opening: no stale ticked row
    event = st.dataframe(
        shown, key=key if not round_ else f"{key}@{round_}", on_select="rerun", selection_mode="single-row",
        hide_index=True, width="stretch", **kwargs
    )
    if len(df) > limit:
        st.caption(f"Showing the first {limit:,} of {len(df):,} rows.")
    rows = event.selection.rows if event is not None and hasattr(event, "selection") else []
    if rows:
        open_person(int(shown.iloc[rows[0]][id_column]))


def csv_download(df: pd.DataFrame, file_name: str, *, label: str = "Download CSV", key: str) -> None:
    """A formula-safe CSV download of ``df``, written only when clicked (a list of
    15,000 people is megabytes: not on every rerun of the page)."""
    st.download_button(label, lambda: to_csv(df).encode("utf-8"), file_name=file_name, mime="text/csv", key=key,
                       on_click="ignore")  # no rerun: the page's other deferred downloads stay valid
