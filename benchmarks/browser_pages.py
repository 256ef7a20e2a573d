"""Time the app in a real browser: ``python benchmarks/browser_pages.py DB_URL OUT.json``.

Run by ``python -m benchmarks.bench`` (its ``browser X`` rows) as a process of its
own, on a database whose measures are stored. It lives here, not in
``netmap/``, because it drives Streamlit and Chromium and the library stays
free of the UI.

What a user sees, not what a script takes: the README's ``streamlit run serve.py``
is started fresh on the database (every in-memory cache empty) and, as soon as
it answers its health check (its start-up done: imports, the data loaded),
Debian's headless Chromium (Playwright, ``/usr/bin/chromium``) opens it as one
browser tab:

- ``overview``: the address typed, until the Overview has finished running
  (the Streamlit front end loaded, the socket opened, the page run);
- then each page of the menu in turn, by a click on its link in the sidebar,
  until the page has finished running; for the Network page until its graph
  is *drawn* (the vis-network canvas holds its nodes, one more frame painted),
  and, as ``network graph draw``, the graph's own first draw: from its
  iframe's document created to that painted frame;
- ``profile (address)``: the Person page of the best-connected person opened
  by its address (a deep link: the whole app loads), until their ego graph is
  drawn; ``profile``: the same profile opened from inside the app (its link in
  the sidebar, the session remembering whom it showed: what a click on a row
  in any table does).

Three laps of the whole tour, in one browser tab:

1. *a new browser*: the first server and a browser that has never opened the
   app (it downloads and compiles Streamlit's front end, every chart library
   as a page first needs it);
2. *first visit*: the server stopped and started again on the same address
   (``server start`` is this start), the browser keeping what it downloaded:
   each page's first visit after a server start, as an account manager opens
   the app in the morning;
3. *again*: the same tour once more (Streamlit's caches warm, the browser's too).

Writes ``{"pages": {row: [first s, again s]}, "new browser": {row: s},
"network html MB": size, "server start s": s}`` to OUT.json. Times are wall
clock on the test machine, browser and server sharing its cores.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]
#: (row, link text in the sidebar, the page's heading, has a graph to wait for)
TOUR = [
    ("network", "Network", "Network", True),
    ("bridges", "Bridges & weak ties", "Bridges & weak ties", False),
    ("nurture", "Nurture", "Whom to nurture next", False),
    ("paths", "Referral paths", "Referral paths", False),
    ("trends", "Trends", "Trends", False),
    ("import_data", "Import", "Import", False),
    ("overview", "Overview", "netmap", False),
]
TIMEOUT_MS = 300_000

#: the page has finished running and shows ``heading`` (the previous page's heading differs)
FINISHED = """(heading) => {
  const app = document.querySelector('[data-testid=stApp]');
  const h1 = document.querySelector('[data-testid=stMain] h1');
  return app && app.dataset.testScriptState === 'notRunning' && h1 && h1.textContent.trim() === heading
    && !document.querySelector('[data-testid=stMain] [data-stale=true]');
}"""
#: inside the graph's iframe: vis-network has its nodes and a canvas
DRAWN = """() => typeof network !== 'undefined' && document.querySelector('#mynetwork canvas') !== null
  && network.body.data.nodes.length > 0"""
NEXT_FRAME = "new Promise(r => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(url: str, port: int | None = None, log: Path | None = None) -> tuple[subprocess.Popen, str]:
    """``streamlit run serve.py`` on ``url``, on ``port`` (default: a free loopback port), once
    it answers its health check; its output appended to ``log`` (default: dropped)."""
    port = port or _free_port()
    env = {**os.environ, "NETMAP_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
    output = open(log, "ab") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    try:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", str(ROOT / "serve.py"), "--server.headless", "true",
             "--server.address", "127.0.0.1", "--server.port", str(port), "--browser.gatherUsageStats", "false"],
            cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT,
        )
    finally:
        if log:
            output.close()  # the server holds its own copy
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{base}/_stcore/health", timeout=2).read() == b"ok":
                return proc, base
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("the Streamlit server did not start within 60 s")


def stop_server(proc: subprocess.Popen) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


def _graph_drawn(pg) -> tuple[int, float]:
    """Wait for the page's (last) graph iframe to draw: the size of the HTML sent in bytes (the
    drawing, escaped inside its sandboxed frame), and
    the graph's first draw in seconds (from the iframe's document created to the drawn
    frame painted: parsing the page and vis-network, building and drawing the graph)."""
    pg.wait_for_selector("[data-testid=stMain] iframe", timeout=TIMEOUT_MS)
    handle = pg.locator("[data-testid=stMain] iframe").last.element_handle()
    outer = handle.content_frame()  # Streamlit's frame, holding the drawing's sandboxed frame
    outer.wait_for_selector("iframe[sandbox]", state="attached", timeout=TIMEOUT_MS)
    frame = outer.query_selector("iframe[sandbox]").content_frame()
    # Chromium runs no animation frames in a cross-origin (here: opaque-origin) frame out of view
    handle.scroll_into_view_if_needed()
    frame.wait_for_function(DRAWN, timeout=TIMEOUT_MS)
    frame.evaluate(NEXT_FRAME)
    draw_s = frame.evaluate("performance.now()") / 1000.0
    return int(handle.evaluate("f => new TextEncoder().encode(f.srcdoc || '').length")), draw_s


def tour(pg, base: str, hub: int) -> tuple[dict[str, float], int]:
    """One lap of the app: seconds per row, and the Network page's HTML size."""
    laps: dict[str, float] = {}
    t0 = time.perf_counter()
    pg.goto(base)
    pg.wait_for_function(FINISHED, arg="netmap", timeout=TIMEOUT_MS)
    laps["overview (address)"] = time.perf_counter() - t0
    html_bytes = 0
    for row, link, heading, graph in TOUR:
        t0 = time.perf_counter()
        pg.locator("[data-testid=stSidebarNav]").get_by_role("link", name=link, exact=True).click()
        pg.wait_for_function(FINISHED, arg=heading, timeout=TIMEOUT_MS)
        if graph:
            html_bytes, laps[f"{row} graph draw"] = _graph_drawn(pg)
        laps[row] = time.perf_counter() - t0
    t0 = time.perf_counter()
    pg.goto(f"{base}/person?id={hub}")
    pg.wait_for_function(FINISHED, arg="Person", timeout=TIMEOUT_MS)
    _, laps["profile graph draw"] = _graph_drawn(pg)
    laps["profile (address)"] = time.perf_counter() - t0
    # the same profile from inside the app (the session remembers whom it showed), as after a click on a row
    pg.locator("[data-testid=stSidebarNav]").get_by_role("link", name="Overview", exact=True).click()
    pg.wait_for_function(FINISHED, arg="netmap", timeout=TIMEOUT_MS)
    t0 = time.perf_counter()
    pg.locator("[data-testid=stSidebarNav]").get_by_role("link", name="Person", exact=True).click()
    pg.wait_for_function(FINISHED, arg="Person", timeout=TIMEOUT_MS)
    _graph_drawn(pg)
    laps["profile"] = time.perf_counter() - t0
    return laps, html_bytes


def _explain(pg, out: str, log: Path) -> None:
    """A failed tour: where it was and what the page showed (text and a screenshot beside
    OUT.json), and where the server's log is, on stderr before the error itself."""
    shot = Path(out).with_suffix(".failed.png")
    try:
        shown = pg.locator("[data-testid=stMain]").inner_text(timeout=5_000)[:2_000]
        pg.screenshot(path=str(shot), full_page=True)
    except Exception as exc:  # noqa: BLE001 - the page itself may be gone
        shown, shot = f"(could not read the page: {exc})", None
    print(f"the tour failed at {pg.url}; the page showed:\n{shown}\nscreenshot: {shot}; server log: {log}",
          file=sys.stderr)


def main(argv: list[str]) -> int:
    url, out = argv[0], argv[1]
    from playwright.sync_api import sync_playwright

    from app_pages import best_connected  # beside this script: the same profile as the AppTest rows

    hub = best_connected(url)
    port = _free_port()
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        pg = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        log = Path(out).with_suffix(".server.log")
        log.unlink(missing_ok=True)
        proc, base = start_server(url, port, log)
        try:
            new_browser, _ = tour(pg, base, hub)
            pg.goto("about:blank")  # no page left to reconnect to the next server and warm it
        except Exception:
            _explain(pg, out, log)
            raise
        finally:
            stop_server(proc)
        started = time.perf_counter()
        proc, base = start_server(url, port, log)  # the same address: the browser's cache applies
        server_start_s = time.perf_counter() - started
        try:
            first, html_bytes = tour(pg, base, hub)
            again, _ = tour(pg, base, hub)
        except Exception:
            _explain(pg, out, log)
            raise
        finally:
            stop_server(proc)
        browser.close()
    result = {row: [first[row], again[row]] for row in first}
    Path(out).write_text(json.dumps({"pages": result, "new browser": new_browser, "network html MB": html_bytes / 1e6,
                                     "server start s": server_start_s}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
