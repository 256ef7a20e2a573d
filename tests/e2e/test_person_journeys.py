"""Issue 13's person journeys in headless Chromium: every person one click from their
profile, every profile at an address that a reload, a bookmark and back/forward keep."""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import expect

from netmap import Store, import_files
from netmap.errors import UnknownPerson

from .conftest import App, click_until, wait_for_app
from ..conftest import new_database_url

#: how a page counts its script runs: Streamlit shows its status widget while one runs
COUNT_RUNS = """() => {
  window.__runs = 0;
  const seen = () => !!document.querySelector('[data-testid=stStatusWidget]');
  let running = seen();
  new MutationObserver(() => {
    const now = seen();
    if (now && !running) window.__runs += 1;
    running = now;
  }).observe(document.body, {childList: true, subtree: true});
}"""


def _people(app: App) -> tuple[int, dict[int, str], dict[int, list[int]]]:
    """A person with ties, everyone's name, and who is tied to whom."""
    store = Store(app.url_db)
    try:
        data = store.load_dataset()
        names = {p.id: p.name for p in data.people}
        ties: dict[int, list[int]] = {}
        for r in data.relationships:
            ties.setdefault(r.a_id, []).append(r.b_id)
            ties.setdefault(r.b_id, []).append(r.a_id)
    finally:
        store.close()
    pid = max(ties, key=lambda p: (len(ties[p]), -p))
    return pid, names, ties


def _click_row(page, table, row: int) -> None:
    """Tick row ``row`` (0 = the first data row) of a Streamlit dataframe (a canvas grid):
    its row-marker cell, left of the first column."""
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    page.mouse.click(box["x"] + 18, box["y"] + 35 + 35 * row + 17)


def _click_row_until_away(page, table, row: int, pid: int, *, tries: int = 3) -> None:
    """Click row ``row`` of ``table`` until the address no longer names person ``pid``. On a busy
    machine the grid can take a click while Streamlit is still drawing the rest of the page and
    drop it; the row is then still there, unselected, and a second click is what a user would do."""
    for attempt in range(tries):
        wait_for_app(page)
        page.evaluate("() => { window.__runs = 0; }")  # count the runs from the click that works
        _click_row(page, table, row)
        try:
            page.wait_for_function(f"() => !location.search.includes('id={pid}')", timeout=15_000)
            return
        except Exception:
            if attempt == tries - 1:
                text = page.locator("[data-testid=stMain]").inner_text()[:1_500]
                raise AssertionError(f"after {attempt + 1} click(s) the page shows:\n{text}") from None


def _header(page) -> str:
    h = page.locator("h2").first
    h.wait_for(timeout=30_000)
    return h.inner_text().strip()


def _table_below(page, heading: str):
    """The first dataframe after the subheading ``heading``."""
    return page.locator(f"xpath=//h3[normalize-space()='{heading}']/following::*[@data-testid='stDataFrame'][1]")


def test_a_tie_opens_its_profile_once_and_the_address_keeps_it(sample_app, page):
    pid, names, _ = _people(sample_app)
    page.goto(f"{sample_app.base}/person?id={pid}")
    wait_for_app(page)
    assert _header(page) == names[pid]
    ties = _table_below(page, "Ties")
    expect(ties).to_be_visible(timeout=30_000)
    page.evaluate(COUNT_RUNS)
    _click_row_until_away(page, ties, 0, pid)
    page.wait_for_url(re.compile(r"/person\?id=\d+"), timeout=30_000)
    other = int(re.search(r"id=(\d+)", page.url).group(1))
    assert other != pid
    expect(page.locator("h2").first).to_have_text(names[other], timeout=30_000)
    wait_for_app(page)
    # no loop: for 10 s the page stays on that profile and runs its script at most twice
    time.sleep(10)
    runs = page.evaluate("window.__runs")
    assert int(re.search(r"id=(\d+)", page.url).group(1)) == other and _header(page) == names[other]
    assert runs <= 2, f"{runs} script runs after one click"
    # a reload keeps the profile; back returns to the first one, forward to the second
    page.reload()
    wait_for_app(page)
    assert _header(page) == names[other]
    page.go_back()
    wait_for_app(page)
    expect(page.locator("h2").first).to_have_text(names[pid], timeout=30_000)
    page.go_forward()
    wait_for_app(page)
    expect(page.locator("h2").first).to_have_text(names[other], timeout=30_000)
    page.screenshot(path="/tmp/e2e_13_profile_1400.png", full_page=False)


def test_a_search_result_opens_the_profile(sample_app, page):
    pid, names, _ = _people(sample_app)
    page.goto(f"{sample_app.base}/person")
    wait_for_app(page)
    box = page.get_by_label("Name, email, company or CRM id")
    box.fill(names[pid])
    box.press("Enter")
    page.get_by_text("match(es); click a row to open the profile.").wait_for(timeout=30_000)
    wait_for_app(page)
    results = page.locator("[data-testid=stDataFrame]").first
    _click_row(page, results, 0)
    page.wait_for_url(re.compile(r"/person\?id=\d+"), timeout=30_000)
    wait_for_app(page)
    expect(page.locator("h2").first).to_have_text(names[pid], timeout=30_000)
    expect(page.get_by_text("Find a person")).to_have_count(1)
    page.reload()
    wait_for_app(page)
    expect(page.locator("h2").first).to_have_text(names[pid], timeout=30_000)


def test_a_name_with_a_web_address_is_text_in_headings(tmp_path, page):
    db = new_database_url(tmp_path, "urlname")
    store = Store(db)
    name = "Ana https://evil.example/x www.evil.example"
    body = f'Record ID,Name,Email,Company\n1,"{name}",ana@x.com,Acme\n2,Bo Li,bo@x.com,Acme\n'
    import_files(store, [("people.csv", body.encode())])
    pid = store.find_person("ana@x.com")
    store.close()
    app = App(db)
    try:
        page.goto(f"{app.base}/person?id={pid}")
        wait_for_app(page)
        heading = page.locator("h2").first
        expect(heading).to_contain_text("evil", timeout=30_000)
        # shown as written (an invisible word joiner keeps the renderer from linking it)
        assert heading.inner_text().replace("\u2060", "").strip() == name
        assert heading.locator("a").count() == 0, heading.inner_html()  # no link, not even the heading's anchor
        assert page.locator("a[href*='evil.example']").count() == 0
    finally:
        app.stop()


def test_erasing_one_of_two_people_of_the_same_name_erases_that_one(tmp_path, page):
    """Issue 14: a person known only by a name someone else also has is erased from their
    own profile, by the id the page shows, and the namesake stays, untouched."""
    db = new_database_url(tmp_path, "namesakes")
    store = Store(db)
    body = ("Record ID,Name,Email,Company\n"
            "1,Sam Lee,sam@north.example,Northwind\n"
            "2,Sam Lee,sam.lee@south.example,Southwind\n"
            "3,Bo Li,bo@north.example,Northwind\n")
    import_files(store, [("people.csv", body.encode())])
    north, south = store.find_person("sam@north.example"), store.find_person("sam.lee@south.example")
    store.close()
    assert north != south
    app = App(db)
    try:
        page.goto(f"{app.base}/person?id={south}")
        wait_for_app(page)
        expect(page.locator("h2").first).to_have_text("Sam Lee", timeout=30_000)
        page.get_by_text("Erase this person").click()
        page.locator("[data-testid=stCheckbox] label").filter(has_text="Yes, erase").click()
        erase = page.get_by_role("button", name="Erase", exact=True)
        expect(erase).to_be_enabled()
        wait_for_app(page)
        click_until(page, erase, page.get_by_text("was erased"))
        wait_for_app(page)
        store = Store(db)
        try:
            with pytest.raises(UnknownPerson):
                store.find_person("sam.lee@south.example")
            assert store.find_person("sam@north.example") == north  # the namesake stays
            names = sorted(p.name for p in store.load_dataset().people)
            assert names == ["Bo Li", "Sam Lee"]
        finally:
            store.close()
    finally:
        app.stop()
