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
    # how goodwill moves: the sample's survey waves give a history, drawn and linked to Trends
    assert any(h.value == "How goodwill moves" for h in at.subheader)
    history = next(c.value for c in at.caption if c.value.startswith("NPS "))
    assert "goodwill reach" in history and "people" in history
    assert any("trends" in (l.proto.page or "") for l in links)


def test_no_history_section_without_dated_answers(database_url, monkeypatch, tmp_path):
    from netmap import Store
    from netmap.ingest.importer import import_paths

    people = tmp_path / "people.csv"
    people.write_text("Email,First Name,Last Name,Company,Lifecycle Stage\nann@a.io,Ann,Lee,A,customer\n"
                      "bob@a.io,Bob,Ray,A,customer\n")
    store = Store(database_url)
    try:
        import_paths(store, [people])
    finally:
        store.close()
    monkeypatch.setenv("NETMAP_DATABASE_URL", database_url)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    assert not at.exception
    assert not any(h.value == "How goodwill moves" for h in at.subheader)
