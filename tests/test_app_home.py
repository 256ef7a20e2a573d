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
    assert len(at.dataframe) == 1 and len(at.dataframe[0].value) > 0
