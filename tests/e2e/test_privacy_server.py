"""Privacy (issue 5, point 5): the real app server logs nothing about people.

A browser drives `streamlit run serve.py` on a company of canary people (tests/test_privacy.py)
through their profile, searches, the network, a refused upload and the erasure; the
server's whole output, Streamlit's logger at DEBUG, must name none of them.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from netmap import Store, UnknownPerson, import_paths

from ..conftest import new_database_url
from ..test_privacy import BAD_FILE, CANARY_FILES_1, CANARY_FILES_2, P, Q_NEW, leaked, write_files
from .conftest import App, click_until, wait_for_app


@pytest.fixture
def canary_app(tmp_path, monkeypatch):
    """`streamlit run serve.py` (tests/e2e's App) on the canary company, with the server's
    stdout and stderr (its whole log) in a file; Streamlit's own logger at DEBUG."""
    import subprocess

    url = new_database_url(tmp_path, "canary")
    store = Store(url)
    import_paths(store, write_files(tmp_path, CANARY_FILES_1))
    import_paths(store, write_files(tmp_path, CANARY_FILES_2))
    store.close()
    log_path = tmp_path / "server.log"
    real_popen = subprocess.Popen
    with open(log_path, "wb") as log, monkeypatch.context() as m:

        def popen(*args, **kwargs):  # App's own Popen, with both streams into the log file
            return real_popen(*args, **{**kwargs, "stdout": log, "stderr": subprocess.STDOUT})

        m.setenv("STREAMLIT_LOGGER_LEVEL", "debug")
        m.setattr(subprocess, "Popen", popen)
        app = App(url)
    app.log_path = log_path
    yield app
    app.stop()


@pytest.mark.browser
@pytest.mark.slow
def test_app_server_log_holds_no_canary(canary_app, page, tmp_path):
    """The real server, driven by a browser: a canary's profile, searches by name and email,
    the network centred on them, a refused upload full of canaries, an unknown person, and
    the erasure from the page. The server's output (stdout + stderr, Streamlit at DEBUG)
    names none of them."""
    base = canary_app.base
    store = Store(canary_app.url_db)
    pid = store.find_person(Q_NEW)
    store.close()

    page.goto(f"{base}/person?id={pid}")
    wait_for_app(page)
    page.get_by_text("Quixandra Canaryholt").first.wait_for()
    page.goto(f"{base}/person")
    wait_for_app(page)
    box = page.get_by_label("Name, email, company or CRM id")
    for query in ("Canarywick", P, "no such canary-person"):
        box.fill(query)
        box.press("Enter")
        wait_for_app(page)
    page.goto(f"{base}/network")
    wait_for_app(page)
    box = page.get_by_label("Find a person")
    box.fill("Canaryholt")
    box.press("Enter")
    wait_for_app(page)
    page.get_by_text("Quixandra Canaryholt").first.wait_for()
    # a refused upload: the page lists file, row and column (and quotes the bad cell to its user)
    bad = write_files(tmp_path, {"bad-canary.csv": BAD_FILE})[0]
    page.goto(f"{base}/import_data")
    wait_for_app(page)
    page.locator("[data-testid=stFileUploader] input[type=file]").set_input_files([bad])
    page.get_by_text("must be fixed before importing").wait_for(timeout=30_000)
    wait_for_app(page)
    page.goto(f"{base}/person?id=987654")  # nobody: an error in the page
    wait_for_app(page)
    # the erasure, from the page
    page.goto(f"{base}/person?id={pid}")
    wait_for_app(page)
    page.get_by_text("Erase this person").click()
    page.locator("[data-testid=stCheckbox] label").filter(has_text="Yes, erase").click()
    erase = page.get_by_role("button", name="Erase", exact=True)
    expect(erase).to_be_enabled()
    wait_for_app(page)  # the tick's rerun over: a click during it can be lost on a busy machine
    click_until(page, erase, page.get_by_text("was erased"))
    wait_for_app(page)
    store = Store(canary_app.url_db)
    with pytest.raises(UnknownPerson):  # really erased
        store.find_person(Q_NEW)
    store.close()

    canary_app.stop()  # flushes and ends the server: its whole output is in the file
    log = canary_app.log_path.read_text(encoding="utf-8", errors="replace")
    assert "Streamlit" in log or "streamlit" in log, log[:500]  # the log really was captured
    assert leaked(log) == [], [line for line in log.splitlines() if leaked(line)][:5]
