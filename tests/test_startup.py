"""The app's start-up ahead of the first visit (netmap.ui.startup, serve.py).

The server itself, started by ``streamlit run serve.py``, is what every browser test
runs (tests/e2e/conftest.py); these check the pieces without a server."""

from __future__ import annotations

import ast
import asyncio
import logging
import threading
import subprocess
import sys

import pytest

import netmap.ui as ui
from netmap.analysis import measures as real_measures
from netmap.ui import startup

from .conftest import ROOT, drop_database, sample_database


@pytest.fixture(scope="module")
def sample_url(tmp_path_factory):
    """The sample company, its measures stored (as after any page or command computed them)."""
    from netmap import Store

    url = sample_database(tmp_path_factory, "startup")
    store = Store(url)
    real_measures(store)
    store.close()
    yield url
    drop_database(url)


@pytest.fixture
def fresh_caches():
    ui.forget_cached_data()
    ui._store.clear()
    yield
    ui.forget_cached_data()
    ui._store.clear()


def test_it_warms_every_module_the_app_and_its_pages_import():
    names = startup.app_imports()
    assert {"streamlit", "pandas", "altair", "netmap.ui", "netmap.draw.view", "netmap.profile", "netmap.ingest.upload",
            "netmap.draw.page"} <= set(names)
    # in a fresh interpreter: none of them (nor the ones imported inside functions) fails,
    # and after them the pages need nothing heavy that was not loaded
    code = ("from netmap.ui import startup; failed = startup.import_all([*startup.app_imports(), *startup.DEFERRED]);"
            "import sys; print(failed, all(m in sys.modules for m in ('networkx', 'pyvis.network', 'altair')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["[]", "True"]


def test_the_libraries_are_exercised_once_without_a_page():
    code = ("import sys; from netmap.ui import startup; startup.exercise_libraries();"
            "print(all(m in sys.modules for m in ('PIL.PngImagePlugin', 'narwhals')))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["True"]


def test_a_module_that_cannot_be_imported_is_logged_and_skipped(caplog):
    with caplog.at_level(logging.WARNING, logger="netmap.startup"):
        assert startup.import_all(["json", "netmap.no_such_module"]) == ["netmap.no_such_module"]
    assert "importing netmap.no_such_module failed (ModuleNotFoundError)" in caplog.text


def test_the_data_is_loaded_once_and_the_first_visit_reuses_it(sample_url, monkeypatch, fresh_caches):
    monkeypatch.setenv("NETMAP_DATABASE_URL", sample_url)
    calls = []

    def counted(store):
        calls.append(store)
        return real_measures(store)

    drawn = []
    real_view = ui._network_view_of
    monkeypatch.setattr(ui, "measures", counted)
    monkeypatch.setattr(ui, "_network_view_of", lambda *a, **k: drawn.append(k) or real_view(*a, **k))
    startup.load_data()
    assert len(calls) == 1 and len(drawn) == 1
    a = ui.analysis()  # what a page calls: already there
    ui.people_search(), ui.draw_index(), ui.path_index()
    assert len(calls) == 1 and len(a.people) == ui.store().summary()["people"] > 0
    assert drawn[0]["max_nodes"] == 1000 and drawn[0]["color_by"] == "community"


def test_the_lifespan_imports_then_loads_the_data_before_the_server_answers(monkeypatch):
    steps = []
    monkeypatch.setattr(startup, "import_all", lambda names: steps.append(("import", len(names))) or [])
    monkeypatch.setattr(startup, "load_data", lambda: steps.append(("load", 0)))
    monkeypatch.setattr(startup, "exercise_libraries", lambda: steps.append(("exercise", 0)))

    steps += [(s, 0) for s in run_lifespan()]
    assert [s for s, _ in steps] == ["import", "exercise", "load", "serving"]
    assert steps[0][1] == len(startup.app_imports()) + len(startup.DEFERRED)


def test_an_unreachable_database_does_not_stop_the_server(monkeypatch, caplog, fresh_caches):
    monkeypatch.setenv("NETMAP_DATABASE_URL", "postgresql+psycopg://nobody@127.0.0.1:1/netmap")
    with caplog.at_level(logging.WARNING, logger="netmap.startup"):
        startup.load_data()  # no exception: the page the user opens reports it
    assert "loading the data failed (OperationalError)" in caplog.text
    assert "127.0.0.1" not in caplog.text and "Traceback" not in caplog.text  # the kind of error only


def test_measures_not_stored_yet_are_left_to_the_first_visit(tmp_path_factory, monkeypatch, fresh_caches):
    """Computing them can take minutes (a million people): the server answers first, and the
    first visit computes them under its spinner."""
    url = sample_database(tmp_path_factory, "unmeasured")
    try:
        monkeypatch.setenv("NETMAP_DATABASE_URL", url)
        monkeypatch.setattr(ui, "measures", lambda store: pytest.fail("computed at start-up"))
        startup.load_data()
    finally:
        ui._store.clear()
        drop_database(url)


def test_a_page_that_does_not_parse_does_not_stop_the_server(monkeypatch, caplog):
    def broken(root=ROOT):
        raise SyntaxError("invalid syntax (pages/broken.py, line 1)")

    monkeypatch.setattr(startup, "app_imports", broken)
    monkeypatch.setattr(startup, "load_data", lambda: None)
    with caplog.at_level(logging.WARNING, logger="netmap.startup"):
        assert run_lifespan() == ["serving"]
    assert "reading the pages' imports failed (SyntaxError)" in caplog.text


def test_a_data_load_that_never_ends_does_not_keep_the_server_from_answering(monkeypatch, caplog):
    release = threading.Event()
    monkeypatch.setattr(startup, "LOAD_WAIT_S", 0.2)
    monkeypatch.setattr(startup, "import_all", lambda names: [])
    monkeypatch.setattr(startup, "load_data", lambda: release.wait(30))
    try:
        with caplog.at_level(logging.WARNING, logger="netmap.startup"):
            assert run_lifespan() == ["serving"]
        assert "took over 0.2 s" in caplog.text
    finally:
        release.set()


def run_lifespan() -> list[str]:
    """Run the lifespan as the server would, on a thread of its own (the browser tests'
    Playwright may keep an event loop running on this one); what ran while it served."""
    served = []

    async def serve():
        async with startup.lifespan(None):
            served.append("serving")

    server = threading.Thread(target=asyncio.run, args=(serve(),))
    server.start()
    server.join(timeout=60)
    return served


def test_the_network_page_opens_on_the_drawing_made_at_start_up(sample_url, monkeypatch, fresh_caches):
    from .conftest import open_app

    monkeypatch.setenv("NETMAP_DATABASE_URL", sample_url)
    startup.load_data()
    monkeypatch.setattr(ui, "_network_view_of", lambda *a, **k: pytest.fail("drawn again"))
    at = open_app(monkeypatch, sample_url, "pages/network.py")
    assert at.get("iframe")  # the drawing, from the cache


def test_an_empty_database_loads_nothing(monkeypatch, fresh_caches, database_url):
    monkeypatch.setenv("NETMAP_DATABASE_URL", database_url)
    monkeypatch.setattr(ui, "measures", lambda store: pytest.fail("nothing to measure"))
    startup.load_data()


def test_serve_py_serves_app_py_through_the_lifespan():
    tree = ast.parse((ROOT / "serve.py").read_text())
    from streamlit.web.server.app_discovery import discover_asgi_app

    found = discover_asgi_app(ROOT / "serve.py")
    assert found.is_asgi_app and found.import_string == "serve:app"
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "attr", "") == "App"]
    assert len(calls) == 1
    assert ast.literal_eval(calls[0].args[0]) == "app.py"
    assert [k.arg for k in calls[0].keywords] == ["lifespan", "routes"]  # routes: vis-network's files


def test_serve_py_leaves_netmap_ui_to_the_lifespan():
    """Streamlit checks a cached function's settings where it is declared; declared before its
    runtime exists (uvicorn imports serve.py first), each logs "No runtime found"."""
    code = "import sys, serve; print('netmap.ui' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False"] and "No runtime found" not in out.stderr
