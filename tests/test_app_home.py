"""The Overview (home) page, headless (Streamlit's AppTest)."""

from __future__ import annotations

from streamlit.testing.v1 import AppTest

from .conftest import ROOT


def test_first_run_offers_the_sample_and_loads_it(database_url, monkeypatch):
    monkeypatch.setenv("NETMAP_DATABASE_URL", database_url)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert not at.exception
    assert any("Welcome" in h.value for h in at.subheader)
    at.button(key="load_sample").click().run()
    assert not at.exception
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["People"] == "400" and metrics["Customers"] != "0" and int(metrics["Communities"]) > 1
    assert any("nurture" in h.value.lower() for h in at.subheader)
    # whom to nurture next: each name a link to the profile, each reason whole (nothing cut off)
    links = [e for e in at.get("page_link")]
    people = [l for l in links if "id" in (l.proto.query_string or "")]
    assert 1 <= len(people) <= 8
    reasons = [c.value for c in at.caption if c.value.startswith("**")]
    assert len(reasons) == len(people) and all("·" in r for r in reasons)
    assert any(c.value.startswith("People per community") for c in at.caption)
