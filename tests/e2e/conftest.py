"""Real-browser fixtures: a Streamlit server on loopback and Debian's headless Chromium.

Locally these tests skip (with the reason) when Chromium is missing; in CI
(`.ci/run` installs it) they must run.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path

import pytest

from netmap import Store, import_files, import_paths
from netmap.cli import sample_files

from ..conftest import ROOT, drop_database, new_database_url, require

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class App:
    """A running `streamlit run serve.py` (the README's command: app.py, its start-up done
    before it answers) on its own database (``url_db``: a URL from :func:`new_database_url`,
    on the backend under test; dropped by :meth:`stop`).

    Optional, for a server of its own kind: ``port`` (when something must name the
    address before the server starts, e.g. a sign-in ``redirect_uri``), ``args`` (more
    ``streamlit run`` options, e.g. ``["--secrets.files", path]``: this server alone
    reads that secrets file), ``env`` (more environment variables) and ``base_path`` (the
    server's ``server.baseUrlPath``: the app answers below it)."""

    def __init__(self, url_db: str, *, port: int | None = None, args: Sequence[str] = (),
                 env: Mapping[str, str] | None = None, base_path: str = ""):
        self.url_db = url_db
        self.port = port or _free_port()
        self.base = f"http://127.0.0.1:{self.port}" + (f"/{base_path}" if base_path else "")
        if base_path:
            args = [*args, "--server.baseUrlPath", base_path]
        env = {**os.environ, "NETMAP_DATABASE_URL": self.url_db, "PYTHONPATH": str(ROOT), **(env or {})}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "serve.py"), "--server.headless", "true",
             "--server.address", "127.0.0.1", "--server.port", str(self.port), "--browser.gatherUsageStats", "false",
             *args],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                if urllib.request.urlopen(f"{self.base}/_stcore/health", timeout=2).read() == b"ok":
                    return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("the Streamlit server did not start within 60 s")

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        drop_database(self.url_db)


@pytest.fixture(scope="session")
def chromium():
    require("Chromium", Path(CHROMIUM).exists() and shutil.which("chromium") is not None,
            "apt-get install chromium (`bash .ci/run` does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def sample_app(tmp_path_factory):
    """The app with the sample company loaded (shared by read-only journeys)."""
    db = new_database_url(tmp_path_factory.mktemp("e2e"), "sample")
    store = Store(db)
    import_paths(store, sample_files())
    store.close()
    app = App(db)
    yield app
    app.stop()


@pytest.fixture
def empty_app(tmp_path):
    app = App(new_database_url(tmp_path, "empty"))
    yield app
    app.stop()


@pytest.fixture
def page(chromium):
    """A fresh browser page that fails the test on any dialog (alert/confirm/prompt)
    and on any request that leaves this machine (the app must work offline)."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    pg = context.new_page()
    dialogs: list[str] = []
    outside: list[str] = []
    pg.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    context.on("request", lambda r: outside.append(r.url) if _leaves_machine(r.url) else None)
    pg.dialogs = dialogs
    yield pg
    context.close()
    assert dialogs == [], f"a dialog opened: {dialogs}"
    assert outside == [], f"requests left the machine: {sorted(set(outside))[:5]}"


def _leaves_machine(url: str) -> bool:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    return parts.scheme in ("http", "https", "ws", "wss") and parts.hostname not in ("127.0.0.1", "localhost", "::1")


def wait_for_app(pg, timeout: float = 30_000) -> None:
    """Wait until Streamlit has finished running the page script."""
    pg.wait_for_selector("[data-testid=stApp]", timeout=timeout)
    pg.wait_for_function(
        "() => !document.querySelector('[data-testid=stStatusWidget]')", timeout=timeout
    )


#: markup payloads: each one would show a dialog if it ever ran as code
PAYLOADS = [
    "<img src=x onerror=alert('img')>",
    "</script><script>alert('script')</script>",
    "[click me](javascript:alert('md'))",
    "<a href=\"javascript:alert('href')\">href</a>",
    "<svg onload=alert('svg')>",
    "=HYPERLINK(\"http://evil.example\",\"x\")",
]


@pytest.fixture(scope="session")
def hostile_app(tmp_path_factory):
    """The app on a small company whose names, companies and comments are markup."""
    db = new_database_url(tmp_path_factory.mktemp("e2e"), "hostile")
    store = Store(db)
    rows = ["Record ID,First Name,Last Name,Email,Contact owner,Lifecycle Stage,Associated Company,"
            "Last NPS survey rating,Last NPS survey date,Last NPS survey comment"]
    import csv, io

    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(rows[0].split(","))
    for i, payload in enumerate(PAYLOADS):
        w.writerow([str(i + 1), payload, f"Evil{i}", f"p{i}@evil.example", payload, "customer", payload,
                    str([10, 9, 8, 3, 10, 7][i]), "2025-06-01", payload])
    for i in range(6):
        w.writerow([str(100 + i), f"Plain{i}", "Person", f"plain{i}@ok.example", "Ann Owner", "lead", "Ok Inc", "", "", ""])
    meetings = "Meeting ID,Meeting name,Meeting date,Attendee email\n" + "".join(
        f"M{i},{'<b>meet</b>'},2025-09-0{1 + i % 8},{e}\n"
        for i in range(6)
        for e in (f"p{i}@evil.example", f"plain{i}@ok.example", f"p{(i + 1) % 6}@evil.example")
    )
    import_files(store, [("contacts.csv", buf.getvalue().encode()), ("meetings.csv", meetings.encode())])
    store.close()
    app = App(db)
    yield app
    app.stop()


# ----------------------------------------------------------------- graph helpers --
def graph_frames(pg, count: int = 1, timeout: float = 30_000) -> list:
    """The page's graph frames (at least ``count``): Streamlit's iframes, each holding the
    drawing's own sandboxed frame (``netmap.draw.frame.sandboxed``), once each has drawn its
    vis-network canvas. :func:`wait_for_graph` and :func:`node_labels` take these frames and
    look inside them (again after every redraw)."""
    pg.wait_for_function(f"() => document.querySelectorAll('iframe').length >= {count}", timeout=timeout)
    frames = [h.content_frame() for h in pg.locator("iframe").element_handles()]
    for fr in frames:
        wait_for_graph(fr, timeout=timeout)
    return frames


def drawing(frame, timeout: float = 30_000):
    """The sandboxed frame inside one of Streamlit's graph frames (the frame itself for a
    page that is not wrapped)."""
    if frame.query_selector("#mynetwork") is not None:
        return frame
    frame.wait_for_selector("iframe[sandbox]", state="attached", timeout=timeout)
    return frame.query_selector("iframe[sandbox]").content_frame()


def wait_for_graph(frame, nodes: int | None = None, timeout: float = 30_000) -> int:
    """Wait until ``frame`` holds a drawn vis-network (with ``nodes`` nodes, if given); its node count."""
    test = "n > 0" if nodes is None else f"n === {int(nodes)}"
    deadline = time.time() + timeout / 1000
    while True:  # the frame may be re-rendered (a new srcdoc) while we wait: try again in the new document
        try:
            inner = drawing(frame, timeout)
            inner.wait_for_selector("#mynetwork canvas", timeout=timeout)
            inner.wait_for_function(
                "() => { const n = (typeof network !== 'undefined' && document.querySelector('#mynetwork canvas'))"
                f" ? network.body.data.nodes.length : 0; return {test}; }}",
                timeout=timeout,
            )
            return inner.evaluate("network.body.data.nodes.length")
        except Exception as exc:
            gone = "context was destroyed" in str(exc) or "navigat" in str(exc) or "detached" in str(exc)
            if not gone or time.time() > deadline:
                raise


def node_labels(frame) -> list[str]:
    return drawing(frame).evaluate("network.body.data.nodes.get().map(n => n.label)")


def click_until(page, button, shown, *, tries: int = 3, timeout: float = 15_000) -> None:
    """Click ``button`` until ``shown`` (a locator) is visible. On a busy machine Streamlit
    can drop a click that lands while the previous rerun is still being drawn; the page
    then still shows the button, enabled, and a second click is what a user would do.
    Fails naming what the page showed."""
    for attempt in range(tries):
        button.click()
        try:
            shown.wait_for(timeout=timeout)
            return
        except Exception:
            if attempt == tries - 1 or not (button.is_visible() and button.is_enabled()):
                text = page.locator("[data-testid=stMain]").inner_text()[:1_500]
                raise AssertionError(f"after {attempt + 1} click(s) the page shows:\n{text}") from None

