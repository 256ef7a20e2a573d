"""The main journeys, in headless Chromium."""

from __future__ import annotations

import csv
import re
import time

from playwright.sync_api import expect

from netmap.draw.frame import unsandboxed

from .conftest import drawing, graph_frames, node_labels, wait_for_app, wait_for_graph


def test_first_run_load_sample_then_overview(empty_app, page):
    page.goto(empty_app.base)
    wait_for_app(page)
    page.get_by_text("Welcome").wait_for()
    started = time.perf_counter()
    page.get_by_role("button", name="Load the sample company").click()
    page.get_by_text("How each community feels").wait_for(timeout=60_000)
    wait_for_app(page)
    expect(page.locator("[data-testid=stMetricValue]").first).to_have_text("400")  # people (waits for the rerun)
    _shot(page, "1_overview")
    print(f"\nload sample -> overview: {time.perf_counter() - started:.1f} s")


def _shot(page, name: str) -> None:
    page.screenshot(path=f"/tmp/e2e_{name}.png", full_page=True)


def test_upload_export_import_then_in_network(empty_app, page, tmp_path):
    name = "Zephyrine Quillfeather"
    people = tmp_path / "contacts.csv"
    people.write_text(
        "Record ID,First Name,Last Name,Email,Contact owner,Lifecycle Stage,Associated Company\n"
        "9001,Zephyrine,Quillfeather,zq@quill.example,Ann Owner,customer,Quill Works\n"
        "9002,Bartholomew,Anchor,ba@anchor.example,Ann Owner,customer,Anchor Ltd\n"
        "9003,Cosima,Lantern,cl@lantern.example,Ben Owner,lead,Lantern plc\n",
        encoding="utf-8",
    )
    ties = tmp_path / "relationships.csv"
    ties.write_text(
        "Person A,Person B,Relationship,Strength\n"
        "zq@quill.example,ba@anchor.example,colleague,4\n"
        "ba@anchor.example,cl@lantern.example,knows,2\n",
        encoding="utf-8",
    )
    page.goto(f"{empty_app.base}/import_data")
    wait_for_app(page)
    page.get_by_text("Nothing imported yet.").wait_for()
    page.locator("[data-testid=stFileUploader] input[type=file]").set_input_files([people, ties])
    # each file: its detected kind, its mapping; then the validation report
    page.get_by_text("Every row checked: 2 file(s), 5 rows ready to import.").wait_for(timeout=30_000)
    wait_for_app(page)
    kinds = page.locator("input[aria-label='What this file holds']")
    expect(kinds).to_have_count(2)
    expect(kinds.nth(0)).to_have_value("people (detected)")
    expect(kinds.nth(1)).to_have_value("relationships (detected)")
    expect(page.get_by_text("Column mapping")).to_have_count(2)
    for expander in page.get_by_text("Column mapping").all():  # the detected mapping, editable
        expander.click()
    mapped = page.locator("[data-testid=stExpanderDetails] input[role=combobox]")
    expect(mapped.first).to_be_visible()
    values = [box.input_value() for box in mapped.all()]
    for column in ("Record ID", "First Name", "Last Name", "Email", "Person A", "Person B"):
        assert column in values, values
    _shot(page, "2_import_ready")
    page.get_by_role("button", name="Import", exact=True).click()
    page.get_by_text("Imported 2 file(s)").wait_for(timeout=60_000)
    wait_for_app(page)
    expect(page.get_by_text("Nothing imported yet.")).to_have_count(0)  # the import log lists both files
    log = page.get_by_test_id("stText")
    expect(log.get_by_text("contacts.csv", exact=True)).to_be_visible()
    expect(log.get_by_text("relationships.csv", exact=True)).to_be_visible()
    _shot(page, "2_import_done")

    page.goto(f"{empty_app.base}/network")
    wait_for_app(page)
    box = page.get_by_label("Find a person")
    box.fill("Quillfeather")
    box.press("Enter")
    page.get_by_text(f"within 2 steps of {name}").wait_for(timeout=30_000)
    caption = page.get_by_text("Showing ").inner_text()
    shown = int(re.search(r"Showing (\d+) of", caption).group(1))
    assert shown == 3, caption  # Zephyrine, Bartholomew (1 step) and Cosima (2 steps)
    [frame] = graph_frames(page)
    assert wait_for_graph(frame, nodes=shown) == shown
    labels = node_labels(frame)
    assert name in labels, labels
    _shot(page, "2_network")


def test_search_person_draws_ego_graph(sample_app, page):
    started = time.perf_counter()
    page.goto(f"{sample_app.base}/network")
    wait_for_app(page)
    [frame] = graph_frames(page)
    whole = wait_for_graph(frame)
    drawn = time.perf_counter() - started
    assert whole > 1
    assert page.get_by_text("Showing ").inner_text().startswith(f"Showing {whole} of ")
    started = time.perf_counter()  # again, with the analysis and layout cached
    page.reload()
    wait_for_graph(graph_frames(page)[0], nodes=whole)
    redrawn = time.perf_counter() - started
    box = page.get_by_label("Find a person")
    box.fill("Oliver Hughes")
    box.press("Enter")
    started = time.perf_counter()
    caption = page.get_by_text("within 2 steps of Oliver Hughes")
    caption.wait_for(timeout=30_000)
    m = re.search(r"Showing (\d+) of (\d+) people", caption.inner_text())
    shown, total = int(m.group(1)), int(m.group(2))
    assert 1 < shown <= total < whole
    [frame] = graph_frames(page)
    assert wait_for_graph(frame, nodes=shown) == shown
    focused = time.perf_counter() - started
    assert "Oliver Hughes" in node_labels(frame)
    _shot(page, "3_ego")
    print(f"\nnetwork page -> whole graph ({whole} nodes) drawn: {drawn:.1f} s (cached: {redrawn:.1f} s); "
          f"search -> ego graph ({shown} nodes) drawn: {focused:.1f} s")


def test_referral_paths_csv_download(sample_app, page):
    started = time.perf_counter()
    page.goto(f"{sample_app.base}/paths")
    button = page.get_by_role("button", name="Download the paths (CSV)")
    button.wait_for(timeout=30_000)
    wait_for_graph(graph_frames(page)[0])
    drawn = time.perf_counter() - started
    wait_for_app(page)
    metrics = dict(zip(page.locator("[data-testid=stMetricLabel]").all_inner_texts(),
                       page.locator("[data-testid=stMetricValue]").all_inner_texts()))
    _shot(page, "4_paths")
    with page.expect_download() as info:
        button.click()
    download = info.value
    assert download.suggested_filename == "referral-paths.csv"
    with open(download.path(), newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][:7] == ["target_id", "target_name", "source_id", "source_name", "hops", "strength", "path"]
    assert rows[0][7:] == ["source_email", "source_company", "source_owner", "source_feeling", "target_email",
                           "target_company", "target_owner", "target_stage", "introduction"]  # for a mail merge
    assert len(rows) > 1
    assert len(rows) - 1 == int(metrics["Paths"].replace(",", "")), metrics
    assert {r[1] for r in rows[1:]} and all(int(r[4]) >= 1 for r in rows[1:])
    number = re.compile(r"^[-+]?\d+(\.\d+)?([eE][-+]?\d+)?$")
    for row in rows[1:]:
        for cell in row:
            assert not (cell[:1] in ("=", "+", "-", "@") and not number.match(cell)), row
    print(f"\nreferral paths page -> paths drawn: {drawn:.1f} s; {len(rows) - 1} paths downloaded")


def test_a_profile_by_its_address_draws_from_vis_network_served_once(tmp_path, page):
    """serve.py serves vis-network's script and stylesheet below the server's base path, and
    the app's drawings link to them instead of carrying 0.69 MB each: a profile opened by
    its address draws its ego graph from them, the files come with a year's immutable
    cache, and the next visit draws without fetching them again."""
    from netmap import Store, import_paths
    from netmap.cli import sample_files

    from ..conftest import new_database_url
    from .conftest import App

    db = new_database_url(tmp_path, "linked")
    store = Store(db)
    import_paths(store, sample_files())
    pid = store.find_person("Oliver Hughes")
    store.close()
    app = App(db, base_path="crm")
    try:
        page.goto(f"{app.base}/person?id={pid}")
        wait_for_app(page)
        [frame] = graph_frames(page)
        assert "Oliver Hughes" in node_labels(frame)
        srcdoc = unsandboxed(page.locator("iframe").first.get_attribute("srcdoc"))
        assert len(srcdoc) < 200_000, len(srcdoc)  # the drawing alone: vis-network is linked
        live = re.sub(r"<!--.*?-->", "", srcdoc, flags=re.S)  # pyvis' template keeps an old link in a comment
        links = re.findall(r'<(?:script src|link rel="stylesheet" href)="([^"]+)"', live)
        assert len(links) == 2 and all(u.startswith("/crm/netmap-assets/vis-network-") for u in links), links
        # the drawing's sandboxed frame fetched exactly these (Playwright does not report the requests of
        # an opaque-origin frame: the frame's own resource timing does)
        served = drawing(frame).evaluate(
            "performance.getEntriesByType('resource').filter(e => e.name.includes('/netmap-assets/'))"
            ".map(e => [e.name, e.responseStatus])")
        assert sorted(n.split("/crm", 1)[1] for n, _ in served) == sorted(u.split("/crm", 1)[1] for u in links)
        assert all(status in (0, 200) for _, status in served), served
        for u in links:
            r = page.request.get(f"{app.base}{u.split('/crm', 1)[1]}")
            assert r.status == 200 and r.headers["cache-control"] == "public, max-age=31536000, immutable"
            assert r.headers["content-type"].split(";")[0] in ("text/javascript", "text/css")
        page.reload()
        wait_for_app(page)
        [frame] = graph_frames(page)
        fetched = drawing(frame).evaluate(  # the sandboxed frame (an opaque origin) loads them
            "performance.getEntriesByType('resource').filter(e => e.name.includes('/netmap-assets/'))"
            ".map(e => e.transferSize)")
        assert len(fetched) == 2 and fetched == [0, 0], fetched  # from the browser's cache, not the network
        assert page.request.get(f"{app.base}/netmap-assets/vis-network-0000.min.js").status == 404
    finally:
        app.stop()


def test_two_team_members_linkedin_exports_and_hubspot_give_warm_paths_through_the_team(empty_app, page):
    """Issue 12's journey in the browser: two account managers' LinkedIn exports (each said
    to be theirs on the Import page) and a HubSpot export; the Paths page then finds warm
    introductions to the leads starting with the team."""
    from pathlib import Path

    exports = Path(__file__).resolve().parents[1] / "data" / "exports"
    page.goto(f"{empty_app.base}/import_data")
    wait_for_app(page)
    uploader = page.locator("[data-testid=stFileUploader] input[type=file]")
    uploader.set_input_files([exports / "linkedin_alice.csv"])
    page.get_by_text("Read as: people export (LinkedIn connections)").wait_for(timeout=30_000)
    name = page.locator("input[aria-label=\"Team member's name or email\"]")
    name.fill("Alice Martin")
    name.press("Enter")
    page.get_by_text("Every row checked: 1 file(s), 10 rows ready to import.").wait_for(timeout=30_000)
    wait_for_app(page)
    _shot(page, "12_linkedin_whose")
    page.get_by_role("button", name="Import", exact=True).click()
    page.get_by_text("Imported 1 file(s)").wait_for(timeout=60_000)
    wait_for_app(page)

    uploader = page.locator("[data-testid=stFileUploader] input[type=file]")
    expect(uploader).to_have_count(1, timeout=30_000)  # the emptied uploader of the next round
    uploader.set_input_files([exports / "linkedin_bob.csv", exports / "hubspot_contacts.csv",
                              exports / "hubspot_deals.csv"])
    page.get_by_text("Read as: shared interactions (meetings, events, deals) (HubSpot deals)",
                     exact=False).wait_for(timeout=30_000)
    wait_for_app(page)
    whose = page.locator("input[aria-label='Whose export is this?']")
    expect(whose).to_have_count(2)  # Bob's LinkedIn file and the HubSpot contacts: both people files
    whose.first.click()
    page.get_by_role("option", name="Someone else (type the name)...").click()
    wait_for_app(page)
    name = page.locator("input[aria-label=\"Team member's name or email\"]")
    name.fill("Bob Nguyen")
    name.press("Enter")
    page.get_by_text("Every row checked: 3 file(s)", exact=False).wait_for(timeout=30_000)
    wait_for_app(page)
    page.get_by_role("button", name="Import", exact=True).click()
    page.get_by_text("Imported 3 file(s)").wait_for(timeout=60_000)
    wait_for_app(page)
    _shot(page, "12_imported")

    page.goto(f"{empty_app.base}/paths")
    wait_for_app(page)
    page.get_by_text("Your team", exact=True).click()
    button = page.get_by_role("button", name="Download the paths (CSV)")
    button.wait_for(timeout=60_000)
    wait_for_app(page)
    _shot(page, "12_paths_from_team")
    with page.expect_download() as info:
        button.click()
    with open(info.value.path(), newline="", encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert rows, "warm paths from the team to the leads"
    assert {r["source_name"] for r in rows} <= {"Alice Martin", "Bob Nguyen"}


def test_graphml_right_after_the_html_download(sample_app, page):
    """Issue 13: the GraphML download right after the HTML one gave no file (the HTML click
    reran the page and dropped the deferred GraphML file the button still pointed at)."""
    page.goto(f"{sample_app.base}/network")
    wait_for_app(page)
    html_button = page.get_by_role("button", name="Download this view (HTML)")
    html_button.wait_for(timeout=60_000)
    # below the drawing, which ends at the window's bottom: bring the buttons into view and let
    # the page settle first (a click while the drawing's frame still resizes lands elsewhere)
    html_button.scroll_into_view_if_needed()
    wait_for_app(page)
    page.wait_for_timeout(1_000)
    with page.expect_download() as first:
        html_button.click()
    assert first.value.suggested_filename == "netmap-network.html"
    with page.expect_download(timeout=120_000) as second:
        page.get_by_role("button", name="Whole network (GraphML)").click()
    assert second.value.suggested_filename == "netmap.graphml"
    with open(second.value.path(), encoding="utf-8") as fh:
        head = fh.read(4096)
    assert "<graphml" in head


def test_review_a_likely_duplicate_merge_it_then_undo(tmp_path, page):
    """Issue 13: "3 likely duplicates to review" is a link; on the Duplicates page a pair is
    merged with one click, and the merge undone after a confirmation."""
    from netmap import Store, import_files

    from ..conftest import new_database_url
    from .conftest import App

    db = new_database_url(tmp_path, "dups")
    store = Store(db)
    import_files(store, [("people.csv", (
        "Record ID,First Name,Last Name,Email,Company,Lifecycle Stage\n"
        "1,Ann,Lee,ann@acme.com,Acme,customer\n2,Bo,Chen,bo@acme.com,Acme,customer\n"
        "3,Ann,Lee,ann.lee@acme.com,Acme,\n").encode())])
    store.close()
    app = App(db)
    try:
        page.goto(app.base)
        wait_for_app(page)
        page.get_by_role("link", name="likely duplicates to review").click()
        page.get_by_text("1 pair to review.").wait_for(timeout=30_000)
        wait_for_app(page)
        _shot(page, "13_duplicates")
        page.get_by_role("button", name="Same person: merge").click()
        page.get_by_text("Merged Ann Lee").wait_for(timeout=30_000)
        wait_for_app(page)
        store = Store(db)
        assert store.summary()["people"] == 2
        store.close()
        page.get_by_role("button", name="Undo").first.click()
        page.get_by_role("button", name="Yes, undo").click()
        page.get_by_text(re.compile(r"^Merge #\d+ undone: ")).wait_for(timeout=30_000)  # not the caption's "undone"
        wait_for_app(page)
        store = Store(db)
        assert store.summary()["people"] == 3
        store.close()
    finally:
        app.stop()
