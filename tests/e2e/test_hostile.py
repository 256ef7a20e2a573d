"""A hostile name never executes script: every page, every graph, every tooltip (hostile inputs #33-#34 of tests/test_bad_inputs.py).

The `hostile_app` company's names, companies, owners and survey comments are the markup
payloads in `PAYLOADS`; each would open a dialog if it ever ran, and the `page` fixture
fails the test on any dialog. Each place is also searched for what a payload would leave
behind had it been parsed as markup (an `<img src=x>`, an `onerror`/`onload` attribute, a
`javascript:` link), and every payload must be seen as visible text somewhere: shown, not
dropped.
"""

from __future__ import annotations

import time

import pytest

from netmap import Store

from .conftest import PAYLOADS, drawing, graph_frames, wait_for_app, wait_for_graph

#: markup a payload would leave in a document had it been parsed rather than shown as text
PARSED = "img[src=x], svg[onload], [onerror], [onload], a[href^='javascript:' i], [src^='javascript:' i]"

#: place -> the payloads seen in it as visible text (filled by the tests, summed up by the last)
SEEN: dict[str, set[str]] = {}
#: page -> seconds from navigation to its last graph drawn
TIMES: dict[str, float] = {}


def visible_payloads(text: str) -> set[str]:
    # graph tooltips carry an invisible zero-width joiner inside "href" (netmap.draw.page._defuse),
    # and the app's Markdown a word joiner inside "://" (netmap.ui.md: no autolink)
    text = text.replace("\u200d", "").replace("\u2060", "")
    return {p for p in PAYLOADS if p in text}


def check_document(frame, place: str) -> set[str]:
    """No parsed payload markup in ``frame``; record (and return) the payloads it shows as text."""
    parsed = frame.evaluate(
        "sel => Array.from(document.querySelectorAll(sel)).map(e => e.outerHTML.slice(0, 200))", PARSED
    )
    assert parsed == [], f"{place}: markup from a payload was parsed: {parsed}"
    SEEN[place] = visible_payloads(frame.evaluate("document.body ? document.body.innerText : ''"))
    return SEEN[place]


def hover_every_node(page, iframe, frame, place: str) -> int:
    """Hover each node of the graph in ``frame``; record the payloads its tooltip shows. Returns the nodes hovered."""
    iframe.scroll_into_view_if_needed()
    box = iframe.bounding_box()
    canvas = frame.evaluate(
        "() => { const r = document.querySelector('#mynetwork canvas').getBoundingClientRect();"
        " return {x: r.left, y: r.top}; }"
    )
    points = frame.evaluate(
        "() => { const pos = network.getPositions();"
        " return Object.keys(pos).map(id => [id, network.canvasToDOM(pos[id])]); }"
    )
    for node_id, p in points:
        page.mouse.move(box["x"] + canvas["x"] + p["x"], box["y"] + canvas["y"] + p["y"])
        page.wait_for_timeout(100)
        try:  # the tooltip (vis-network waits 120 ms): shown as text
            frame.wait_for_function(
                "() => { const t = document.querySelector('div.vis-tooltip');"
                " return t && t.style.visibility !== 'hidden' && t.innerText.length > 0; }",
                timeout=1_000,
            )
        except Exception:  # a node hidden under another one: its neighbour's tooltip, or none
            pass
        tip = frame.evaluate(
            "() => { const t = document.querySelector('div.vis-tooltip');"
            " return t && t.style.visibility !== 'hidden' ? t.innerText : ''; }"
        )
        check_document(frame, f"{place}, tooltip of node {node_id}")  # the frame, tooltip shown
        SEEN[f"{place}, tooltip of node {node_id}"] = visible_payloads(tip)
    page.mouse.move(1, 1)
    return len(points)


def visit(page, url: str, place: str, ready: str, graphs: int = 0) -> None:
    """Open ``url``, wait for the text ``ready``, and check the page, each graph iframe and each node's tooltip."""
    started = time.perf_counter()
    page.goto(url)
    page.get_by_text(ready).first.wait_for(timeout=30_000)
    wait_for_app(page)
    frames = graph_frames(page, graphs) if graphs else []
    if graphs:
        TIMES[place] = time.perf_counter() - started
    inspect(page, place, frames)


def inspect(page, place: str, frames: list) -> None:
    check_document(page.main_frame, place)
    for i, (iframe, frame) in enumerate(zip(page.locator("iframe").element_handles(), frames)):
        for attempt in range(3):  # a rerun may still replace the drawing (a new inner frame): look again
            try:
                wait_for_graph(frame)
                check_document(frame, f"{place}, graph {i + 1} (Streamlit's frame)")
                inner = drawing(frame)  # the drawing's own frame, sandboxed without the app's origin
                assert inner.evaluate(
                    "() => { try { return !!window.parent.document; } catch (e) { return false; } }") is False
                check_document(inner, f"{place}, graph {i + 1}")
                assert hover_every_node(page, iframe, inner, f"{place}, graph {i + 1}") > 0
                break
            except Exception as exc:
                gone = any(w in str(exc) for w in ("closed", "detached", "destroyed", "navigat"))
                if not gone or attempt == 2:
                    raise
    check_document(page.main_frame, f"{place} (after hovering)")


@pytest.fixture(scope="module")
def hostile_ids(hostile_app) -> list[int]:
    store = Store(hostile_app.url_db)
    try:
        return [store.find_person(f"p{i}@evil.example") for i in range(len(PAYLOADS))]
    finally:
        store.close()


def test_overview(hostile_app, page):
    visit(page, hostile_app.base, "Overview", ready="How each community feels")
    page.screenshot(path="/tmp/e2e_5_overview.png")


def test_network_by_community_and_by_feeling(hostile_app, page):
    visit(page, f"{hostile_app.base}/network", "Network (community)", ready="Showing ", graphs=1)
    page.screenshot(path="/tmp/e2e_5_network.png")
    before = page.locator("iframe").get_attribute("srcdoc")
    feeling = page.get_by_role("radiogroup", name="Colour by").get_by_role("radio", name="Feeling")
    feeling.click()
    page.wait_for_function(  # the graph redrawn with the feeling colours
        "old => { const f = document.querySelector('iframe'); return f && f.srcdoc !== old; }", arg=before,
        timeout=30_000,
    )
    wait_for_app(page)
    assert feeling.get_attribute("aria-checked") == "true"
    frames = graph_frames(page)
    inspect(page, "Network (feeling)", frames)
    page.screenshot(path="/tmp/e2e_5_network_feeling.png")

    box = page.get_by_label("Find a person")
    box.fill(PAYLOADS[0])  # a search that is itself a payload: it finds the person, shown as text
    box.press("Enter")
    page.get_by_text("within 2 steps of").wait_for(timeout=30_000)
    wait_for_app(page)
    inspect(page, "Network (search, focus)", graph_frames(page))
    box.fill("<img src=x onerror=alert('nobody')>zz")
    box.press("Enter")
    page.get_by_text("Nobody matches").wait_for(timeout=30_000)
    check_document(page.main_frame, "Network (search, no match)")


def test_bridges(hostile_app, page):
    visit(page, f"{hostile_app.base}/bridges", "Bridges & weak ties", ready="Download weak ties (CSV)")


def test_nurture(hostile_app, page):
    visit(page, f"{hostile_app.base}/nurture", "Nurture", ready="Download the plan (CSV)")


def test_referral_paths(hostile_app, page):
    visit(page, f"{hostile_app.base}/paths", "Referral paths", ready="The paths, drawn", graphs=1)
    page.screenshot(path="/tmp/e2e_5_paths.png")


def test_person_pages(hostile_app, hostile_ids, page):
    for i, pid in enumerate(hostile_ids):
        visit(page, f"{hostile_app.base}/person?id={pid}", f"Person {pid}", ready="Their network", graphs=1)
        header = page.locator("h2").first.inner_text().replace("\u2060", "")
        assert PAYLOADS[i] in header, header  # the name, as text
        if i == 0:
            page.screenshot(path="/tmp/e2e_5_person.png")


def test_import_page_log_and_upload(hostile_app, page):
    visit(page, f"{hostile_app.base}/import_data", "Import log", ready="Likely duplicates to review")
    assert "contacts.csv" in page.inner_text("body")
    # a file whose name and cells are payloads: its name, mapping, preview and validation (not imported)
    name = "<img src=x onerror=alert('file')>.csv"
    body = "Email,First Name,Company\n" + "".join(f'p{i}@evil.example,"{p.replace(chr(34), 2 * chr(34))}",x\n'
                                                  for i, p in enumerate(PAYLOADS))
    page.locator("[data-testid=stFileUploader] input[type=file]").set_input_files(
        {"name": name, "mimeType": "text/csv", "buffer": body.encode()}
    )
    page.get_by_text("Validation", exact=True).wait_for(timeout=30_000)
    page.locator("input[aria-label='What this file holds']").wait_for(timeout=30_000)
    wait_for_app(page)
    check_document(page.main_frame, "Import (hostile upload)")
    assert name in page.inner_text("body")
    page.screenshot(path="/tmp/e2e_5_import.png")


def test_payloads_never_execute(capsys):
    """The figure: every payload, every place, no execution (the dialogs were checked test by test)."""
    if not SEEN:
        pytest.skip("run with the hostile page tests")
    shown = set().union(*SEEN.values())
    missing = [p for p in PAYLOADS if p not in shown]
    assert not missing, f"never shown as text (dropped?): {missing}"
    in_tooltips = set().union(*(s for place, s in SEEN.items() if "tooltip" in place))
    assert in_tooltips == set(PAYLOADS), f"never shown in a graph tooltip: {set(PAYLOADS) - in_tooltips}"
    places = len(SEEN)
    showings = sum(len(s) for s in SEEN.values())
    with capsys.disabled():
        print(f"\n{len(PAYLOADS)} payloads × {places} places: 0 executions "
              f"({showings} payload showings as visible text)")
        if TIMES:
            print("hostile pages, navigation -> graph drawn: "
                  + ", ".join(f"{k} {v:.1f} s" for k, v in TIMES.items()))
