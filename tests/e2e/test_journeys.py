"""The main journeys, in headless Chromium."""

from __future__ import annotations

import time

from .conftest import wait_for_app


def test_first_run_load_sample_then_overview(empty_app, page):
    page.goto(empty_app.base)
    wait_for_app(page)
    page.get_by_text("Welcome").wait_for()
    started = time.perf_counter()
    page.get_by_role("button", name="Load the sample company").click()
    page.get_by_text("How each community feels").wait_for(timeout=60_000)
    wait_for_app(page)
    metrics = page.locator("[data-testid=stMetricValue]").all_inner_texts()
    assert metrics[0] == "400"
    print(f"\nload sample -> overview: {time.perf_counter() - started:.1f} s")
