"""Issue 15's ticket journey in headless Chromium: a Zendesk ticket export imported on the Import
page (detected as support tickets), then the Nurture page's Service queue lists the open tickets,
the one to fix first on top; the support lead logs that they fixed it, and Trends shows the
action in the log and in what followed."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import expect

from .conftest import wait_for_app

TICKETS = Path(__file__).resolve().parents[1] / "data" / "tickets"


def test_import_a_ticket_export_then_the_service_queue_then_log_the_fix(empty_app, page):
    page.goto(f"{empty_app.base}/import_data")
    wait_for_app(page)
    page.get_by_text("Nothing imported yet.").wait_for()
    page.locator("[data-testid=stFileUploader] input[type=file]").set_input_files([TICKETS / "zendesk_tickets.csv"])
    page.get_by_text("Read as: support tickets (Zendesk)", exact=False).wait_for(timeout=30_000)
    page.get_by_text("Every row checked: 1 file(s), 12 rows ready to import.").wait_for(timeout=30_000)
    wait_for_app(page)
    expect(page.locator("input[aria-label='What this file holds']")).to_have_value("tickets (detected)")
    page.get_by_role("button", name="Import", exact=True).click()
    page.get_by_text("Imported 1 file(s)").wait_for(timeout=60_000)
    wait_for_app(page)
    page.screenshot(path="/tmp/e2e_15_tickets_import.png", full_page=True)

    page.goto(f"{empty_app.base}/nurture")
    wait_for_app(page, 60_000)
    heading = page.get_by_role("heading", name="Service queue")
    heading.wait_for(timeout=60_000)
    heading.scroll_into_view_if_needed()
    button = page.get_by_role("button", name="Download the queue (CSV)")
    button.wait_for(timeout=30_000)
    wait_for_app(page)
    page.screenshot(path="/tmp/e2e_15_service_queue.png", full_page=True)
    with page.expect_download() as info:
        button.click()
    lines = Path(info.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == ("rank,ticket_id,status,requester,person_id,email,company,owner,feeling,age_days,risk,reach,"
                        "score,action,reason")
    assert len(lines) == 1 + 5  # the five open or pending Zendesk tickets (tests/data/tickets/MANIFEST.json)
    # Mei Chen (rated 4102 "Bad") waits on 4108: a detractor's ticket comes first
    assert lines[1].split(",")[1] == "4108" and "Mei Chen" in lines[1] and "recover" in lines[1]

    # log the fix for the ticket on top (the form offers the queue's people, the first preselected)
    who = page.get_by_role("combobox", name="For", exact=True)
    who.scroll_into_view_if_needed()
    expect(who).to_have_value("Mei Chen · ticket 4108")
    page.get_by_role("combobox", name="What you did", exact=True).click()
    page.get_by_role("option", name="Fixed an issue").click()
    page.get_by_role("textbox", name="Note (optional)").fill("sorted the double charge")
    page.get_by_role("button", name="Log it").click()
    page.get_by_text("Logged: fixed an issue for Mei Chen on", exact=False).wait_for(timeout=30_000)
    page.screenshot(path="/tmp/e2e_15_logged.png")  # the viewport: the form, scrolled to

    page.goto(f"{empty_app.base}/trends")
    wait_for_app(page, 60_000)
    heading = page.get_by_role("heading", name="What we did, and what followed")
    heading.wait_for(timeout=60_000)
    heading.scroll_into_view_if_needed()
    page.get_by_text("The log: 1 action(s)", exact=False).wait_for(timeout=30_000)
    wait_for_app(page)
    heading.scroll_into_view_if_needed()
    page.screenshot(path="/tmp/e2e_15_trends_log.png")  # the viewport: the section, scrolled to
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the outcomes (CSV)").click()
    outcome = Path(info.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert outcome[1].startswith("fixed_issue,fixed an issue,1,") and "too few to tell" in outcome[1]

    # and on Mei Chen's profile, her log under the form
    pid = lines[1].split(",")[4]
    page.goto(f"{empty_app.base}/person?id={pid}")
    wait_for_app(page, 60_000)
    heading = page.get_by_role("heading", name="What we did for them")
    heading.wait_for(timeout=60_000)
    heading.scroll_into_view_if_needed()
    wait_for_app(page)
    expect(page.get_by_text("Nothing logged yet.")).to_have_count(0)
    expect(page.get_by_role("button", name="Log it")).to_be_visible()
    page.screenshot(path="/tmp/e2e_15_person_log.png")  # the viewport: the section, scrolled to
