"""Issue 15's trends journey in headless Chromium: two survey waves imported, the Trends page
shows the months and who moved, and a click on a person who slipped opens their profile."""

from __future__ import annotations

from playwright.sync_api import expect

from netmap import Store, import_files

from ..conftest import new_database_url
from ..test_trends import PEOPLE_CSV, SURVEY_CSV
from .conftest import App, wait_for_app


def test_two_survey_waves_then_trends_and_who_moved(tmp_path, page):
    db = new_database_url(tmp_path, "trends")
    store = Store(db)
    import_files(store, [("people.csv", PEOPLE_CSV.encode()), ("survey.csv", SURVEY_CSV.encode())])
    store.close()
    app = App(db)
    try:
        page.goto(f"{app.base}/trends")
        wait_for_app(page, 60_000)
        page.get_by_text("NPS at the end of 2026-03").wait_for(timeout=30_000)
        expect(page.locator("[data-testid=stVegaLiteChart]")).to_have_count(3, timeout=30_000)
        # Streamlit's date input is three spin buttons (year, month, day): type into each
        for part, value in (("year", "2026"), ("month", "01"), ("day", "31")):
            page.get_by_role("spinbutton", name=f"{part}, Since").click()
            page.keyboard.type(value)
        page.keyboard.press("Escape")
        page.get_by_role("heading", name="Who moved").click()  # leaving the field commits the date
        page.get_by_text("2 people moved since 31 January 2026").wait_for(timeout=30_000)
        wait_for_app(page)
        page.screenshot(path="/tmp/e2e_15_trends.png", full_page=True)
        # the first row is the warning (Bo Chen, promoter -> passive): a click opens the profile
        grid = page.locator("[data-testid=stDataFrame]").last
        grid.scroll_into_view_if_needed()
        page.screenshot(path="/tmp/e2e_15_moved.png")  # the viewport: the list of who moved, scrolled to
        box = grid.bounding_box()
        page.mouse.click(box["x"] + 12, box["y"] + 52)  # the row's selection cell
        page.wait_for_url("**/person?id=*", timeout=30_000)
        page.get_by_role("heading", name="Bo Chen").wait_for(timeout=30_000)
    finally:
        app.stop()
