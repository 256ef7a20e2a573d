"""The Bridges & weak ties page, headless (Streamlit's AppTest)."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from .conftest import ROOT, drop_database, open_app, sample_database


@pytest.fixture(scope="module")
def db_url(tmp_path_factory):
    url = sample_database(tmp_path_factory, "bridges")
    yield url
    drop_database(url)


@pytest.fixture
def at(db_url, monkeypatch):
    return open_app(monkeypatch, db_url, "pages/bridges.py")


def tables(at):
    assert len(at.dataframe) == 2
    return at.dataframe[0].value, at.dataframe[1].value


def test_ranked_bridges_and_weak_ties_with_their_measures(at):
    people, ties = tables(at)
    assert len(people) == 100 and len(ties) == 100
    assert {"bridge_score", "betweenness", "constraint", "effective_size", "participation", "is_cut_vertex"} <= set(
        people.columns)
    assert people["bridge_score"].is_monotonic_decreasing and people["rank"].tolist()[:3] == [1, 2, 3]
    assert {"strength", "overlap", "local_bridge", "span", "crosses_communities", "weakness"} <= set(ties.columns)
    assert ties["weakness"].is_monotonic_decreasing
    assert ties["a_community"].notna().all()
    labels = [b.label for b in at.get("download_button")]
    assert labels == ["Download bridge customers (CSV)", "Download weak ties (CSV)"]
    assert not at.error


def test_the_measures_are_explained_and_the_method_stated(at):
    # the method in words, not its name; every measure explained in words; advice on what to do with each list
    assert any(c.value.startswith("Shortest paths through them: counted over every pair") for c in at.caption)
    assert not any("Brandes" in c.value for c in at.caption)
    text = " ".join(m.value for m in at.markdown)
    for phrase in ("shortest path", "Burt", "Separate contacts", "Ties across communities", "split the network",
                   "Onnela", "No friend in common", "Detour without it", "Weakness"):
        assert phrase in text, phrase
    assert "**What to do:** a bridge customer" in text and "**What to do:** a weak tie" in text
    assert [e.label for e in at.expander] == ["What these numbers mean"]
    # the tables show the essentials by default; every measure on request
    people, _ = tables(at)
    assert at.dataframe(key="br_people").proto.column_order == [
        "name", "company", "community", "bridge_score", "separates", "feeling"]
    at.toggle(key="br_details").set_value(True).run()
    assert not at.exception and list(at.dataframe(key="br_people").proto.column_order) == []


def test_filter_by_owner_and_community(at):
    at.multiselect(key="br_owner").set_value(["Katrin Vogel"]).run()
    assert not at.exception
    people, ties = tables(at)
    assert set(people["owner"]) == {"Katrin Vogel"} and 0 < len(people) <= 62
    assert len(ties) > 0
    at.multiselect(key="br_owner").set_value([])
    at.multiselect(key="br_community").set_value([0]).run()  # community ids; the largest is 0
    assert not at.exception
    people, ties = tables(at)
    assert people["community"].nunique() == 1
    label = people["community"].iloc[0]
    assert ((ties["a_community"] == label) | (ties["b_community"] == label)).all()


def test_how_many_to_list(at):
    at.select_slider(key="br_top").set_value(25).run()
    people, ties = tables(at)
    assert len(people) == 25 and len(ties) == 25


def test_no_match_is_a_message(at):
    at.multiselect(key="br_owner").set_value(["Katrin Vogel"])
    at.multiselect(key="br_community").set_value([0]).run()  # Katrin Vogel owns nobody in London
    assert not at.exception
    assert [i.value for i in at.info] == ["Nobody matches these filters.", "No tie matches these filters."]
    assert not at.dataframe and not at.get("download_button")


def test_no_data_says_so(database_url, monkeypatch):
    monkeypatch.setenv("NETMAP_DATABASE_URL", database_url)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.switch_page("pages/bridges.py").run()
    assert not at.exception
    assert any("no data" in i.value for i in at.info) and not at.dataframe


def test_the_brokers_of_a_past_day(database_url, monkeypatch):
    """As of the end of 2024 the broker was Yan; Xia, who joined both clusters in June 2025, is today's
    (the data of tests/test_as_of.py); clearing the date brings today's list back."""
    from datetime import date

    from netmap import Store, import_files

    from .test_as_of import PEOPLE, TIES

    store = Store(database_url)
    import_files(store, [("people.csv", PEOPLE.encode()), ("relationships.csv", TIES.encode())])
    store.close()
    at = open_app(monkeypatch, database_url, "pages/bridges.py")
    assert tables(at)[0]["name"].iloc[0] == "Xia Doe"
    at.date_input(key="br_as_of").set_value(date(2024, 12, 31)).run()
    assert not at.exception
    people = tables(at)[0]
    assert people["name"].iloc[0] == "Yan Doe" and "Xia Doe" not in set(people["name"].head(2))
    assert any("as it stood on 31 December 2024" in c.value for c in at.caption)
    at.date_input(key="br_as_of").set_value(None).run()
    assert tables(at)[0]["name"].iloc[0] == "Xia Doe"
    at.date_input(key="br_as_of").set_value(date(2020, 1, 1)).run()  # before anyone was created
    assert not at.exception and any("nobody was in the network on 2020-01-01" in e.value.replace("\\", "")
                                    for e in at.error)
