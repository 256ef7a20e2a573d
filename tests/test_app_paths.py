"""The Referral paths page, headless (Streamlit's AppTest): targets, sources, the table, the drawing, the CSV."""

from __future__ import annotations

from netmap.draw.frame import unsandboxed

import csv
import io
import re
import time

import networkx as nx
import pytest
from streamlit.testing.v1 import AppTest

from netmap import Store
from netmap.analysis import measures, network
from netmap.queries import LEAD_STAGES, PATH_COLUMNS, PATH_EXTRA_COLUMNS, stage_label
from netmap.ingest.values import company_key

from .conftest import drop_database, load, open_app, sample_database


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    url = sample_database(tmp_path_factory, "paths")
    yield url
    drop_database(url)


@pytest.fixture(scope="module")
def people(sample_db):
    store = Store(sample_db)
    table = measures(store).people
    store.close()
    return table


def open_page(monkeypatch, db) -> AppTest:
    return open_app(monkeypatch, db, "pages/paths.py")


def rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def drawing(at: AppTest) -> str:
    frames = at.get("iframe")
    assert len(frames) == 1
    return unsandboxed(frames[0].proto.srcdoc)


def drawn_ids(html: str) -> set[int]:
    nodes = re.search(r"nodes = new vis\.DataSet\((\[.*?\])\);", html, re.S)
    assert nodes, "no vis-network nodes in the drawing"
    return {int(x) for x in re.findall(r'"id": (\d+)', nodes.group(1))}


def check_paths(table, people):
    assert list(table.columns) == PATH_COLUMNS + PATH_EXTRA_COLUMNS and len(table) > 0
    about = people.set_index("person_id")
    for r in table.to_dict(orient="records"):
        hops = r["path"].split(" > ")
        source, target = about.loc[r["source_id"]], about.loc[r["target_id"]]
        assert hops[0] == r["source_name"] == source["name"]
        assert hops[-1] == r["target_name"] == target["name"]
        assert r["hops"] == len(hops) - 1 <= 4 and 0.001 <= r["strength"] <= 1
        # what a campaign needs of both ends, and the introduction in words
        assert (r["source_email"], r["source_company"], r["source_owner"]) == (
            source["email"], source["company"], source["owner"])
        assert (r["target_email"], r["target_company"], r["target_owner"]) == (
            target["email"], target["company"], target["owner"])
        assert r["source_feeling"] == source["feeling"] and r["target_stage"] == stage_label(target["stage"])
        assert r["introduction"].startswith(f"Ask {r['source_name']} ")
        assert f" to introduce {r['target_name']}" in r["introduction"]
        if r["hops"] == 1:
            assert r["introduction"].endswith(f"tie) to introduce {r['target_name']}")
        else:
            assert f" via {hops[1]}" in r["introduction"]


def test_all_leads_and_prospects_from_the_promoters_by_default(sample_db, people, monkeypatch, downloads):
    at = open_page(monkeypatch, sample_db)
    assert not at.error
    assert at.radio(key="paths_target_kind").value == "All leads and prospects"
    assert any("product of the tie strengths" in c.value and "detractors are never go-betweens" in c.value
               for c in at.caption)
    assert any("marketing qualified lead, sales qualified lead" in c.value for c in at.caption)
    table = at.dataframe(key="paths_table").value
    check_paths(table, people)
    prospects = set(people.loc[people["stage"].isin(LEAD_STAGES), "person_id"])
    promoters = set(people.loc[people["feeling"] == "promoter", "person_id"])
    assert set(table["target_id"]) <= prospects and set(table["source_id"]) <= promoters
    stages = people.set_index("person_id").loc[table["target_id"], "stage"]
    assert {"lead", "marketingqualifiedlead", "opportunity"} <= set(stages)  # several stages at once
    assert "marketing qualified lead" in set(table["target_stage"])
    assert table.groupby("target_id").size().max() <= 3
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Targets"] == str(len(prospects)) and metrics["Paths"] == str(len(table))

    name, data = downloads["paths_csv"]
    assert name == "referral-paths.csv"
    got = rows(data)
    assert list(got[0]) == PATH_COLUMNS + PATH_EXTRA_COLUMNS and len(got) == len(table)
    assert [r["introduction"] for r in got] == table["introduction"].tolist()
    assert [r["target_email"] for r in got] == table["target_email"].tolist()

    html = drawing(at)  # the first target's paths
    first = table[table["target_id"] == table["target_id"].iloc[0]]
    on_paths = {int(x) for x in first["target_id"]} | {int(x) for x in first["source_id"]}
    assert on_paths <= drawn_ids(html) and len(drawn_ids(html)) <= first["hops"].sum() + 1
    assert not re.search(r"<(?:script|link)\b[^>]*(?:src|href)\s*=\s*[\"']?https?:", html)  # offline: no CDN

    at.selectbox(key="paths_draw").set_value("together").run()  # the first targets together
    assert not at.exception
    assert len(drawn_ids(drawing(at))) > len(drawn_ids(html))

    at.number_input(key="paths_top").set_value(1).run()
    one = at.dataframe(key="paths_table").value
    assert one.groupby("target_id").size().max() == 1


def test_one_person_from_one_owners_book(sample_db, people, monkeypatch, downloads):
    at = open_page(monkeypatch, sample_db)
    lead = people[people["stage"] == "lead"].iloc[0]
    at.radio(key="paths_target_kind").set_value("A person").run()
    assert any("Pick whom to reach" in i.value for i in at.info)
    at.text_input(key="paths_target_q").input(lead["email"].upper()).run()
    assert at.selectbox(key="paths_target_pick").value == lead["person_id"]
    table = at.dataframe(key="paths_table").value
    check_paths(table, people)
    assert set(table["target_id"]) == {lead["person_id"]}
    assert "paths_draw" not in {s.key for s in at.selectbox}  # one target: drawn directly
    assert int(lead["person_id"]) in drawn_ids(drawing(at))

    owner = people["owner"].value_counts().index[0]
    at.radio(key="paths_source_kind").set_value("An account manager's book").run()
    at.selectbox(key="paths_owner").set_value(owner).run()
    assert not at.exception and not at.error
    table = at.dataframe(key="paths_table").value
    owner_of = people.set_index("person_id")["owner"]
    assert len(table) > 0 and set(owner_of[table["source_id"]]) == {owner}


def test_a_company_and_a_whole_stage_stay_responsive(sample_db, people, monkeypatch):
    at = open_page(monkeypatch, sample_db)
    company = people["company"].value_counts().index[0]
    at.radio(key="paths_target_kind").set_value("A company").run()
    at.selectbox(key="paths_company").set_value(company_key(company)).run()  # one entry per company as identity sees it
    table = at.dataframe(key="paths_table").value
    check_paths(table, people)
    assert set(people.set_index("person_id").loc[table["target_id"], "company"]) == {company}

    at.radio(key="paths_target_kind").set_value("Lifecycle stages").run()
    assert at.multiselect(key="paths_stages").value == ["lead"]
    at.multiselect(key="paths_stages").set_value(["lead", "opportunity"]).run()
    table = at.dataframe(key="paths_table").value
    check_paths(table, people)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Targets"] == str(people["stage"].isin(["lead", "opportunity"]).sum())
    assert set(table["target_stage"]) == {"lead", "opportunity"}
    at.multiselect(key="paths_stages").set_value([]).run()
    assert any("Pick whom to reach" in i.value for i in at.info) and not at.dataframe

    at.multiselect(key="paths_stages").set_value(["customer"]).run()  # the biggest batch of the sample
    started = time.perf_counter()
    at.number_input(key="paths_top").set_value(5).run()
    assert time.perf_counter() - started < 5
    table = at.dataframe(key="paths_table").value
    assert table["target_id"].nunique() > 100 and table.groupby("target_id").size().max() <= 5


def test_user_errors_are_messages(sample_db, people, monkeypatch):
    at = open_page(monkeypatch, sample_db)
    at.radio(key="paths_target_kind").set_value("A person").run()
    at.text_input(key="paths_target_q").input("nobody@nowhere.test").run()
    assert not at.exception
    said = [re.sub(r"\\(.)", r"\1", e.value).replace("\u2060", "") for e in at.error]  # as Markdown, no autolink
    assert any("Nobody matches “nobody@nowhere.test”" in e for e in said), said
    assert not at.dataframe

    # an introducer more than 4 hops away (or in another part of the network): no path, said so
    store = Store(sample_db)
    G = network(store)[1]
    store.close()
    lead = people[people["stage"] == "lead"].iloc[0]
    near = nx.single_source_shortest_path_length(G, int(lead["person_id"]), cutoff=4)
    far = people[~people["person_id"].isin(list(near)) & people["email"].notna()].iloc[0]
    at.text_input(key="paths_target_q").input(lead["email"]).run()
    at.radio(key="paths_source_kind").set_value("One person").run()
    at.text_input(key="paths_source_q").input(far["email"]).run()
    assert not at.exception and not at.error
    assert any("No warm path" in w.value for w in at.warning)
    assert not at.dataframe and "paths_csv" not in {b.key for b in at.get("download_button")}


def test_no_promoters_and_hostile_names(database_url, monkeypatch, downloads):
    db = database_url
    store = Store(db)
    evil = ['=HYPERLINK("http://evil")', "<img src=x onerror=alert(1)>", "</script><script>alert(2)</script>"]
    people = ["Email,Name,Company,Lifecycle Stage"] + [
        f'p{i}@evil.test,"{n.replace(chr(34), chr(34) * 2)}",@corp,{"lead" if i == 2 else "customer"}'
        for i, n in enumerate(evil)
    ]
    ties = "Person A,Person B,Relationship\np0@evil.test,p1@evil.test,knows\np1@evil.test,p2@evil.test,knows\n"
    load(store, ("p.csv", "\n".join(people) + "\n"), ("r.csv", ties))
    store.close()

    at = open_page(monkeypatch, db)
    assert any("no promoters yet" in e.value and "account manager's book" in e.value for e in at.error)
    assert "--from" not in at.error[0].value

    at.radio(key="paths_source_kind").set_value("One person").run()
    at.text_input(key="paths_source_q").input("p0@evil.test").run()
    assert not at.exception and not at.error
    table = at.dataframe(key="paths_table").value
    assert table["path"].tolist() == [" > ".join(evil)]  # names are shown as the text they are
    got = rows(downloads["paths_csv"][1])
    assert got[0]["source_name"] == "'" + evil[0] and got[0]["path"].startswith("'=HYPERLINK")
    assert got[0]["source_company"] == got[0]["target_company"] == "'@corp"  # formula-safe, every new column too
    assert got[0]["introduction"] == f"Ask {evil[0]} to introduce {evil[2]} via {evil[1]}"
    assert table["introduction"].tolist() == [got[0]["introduction"]]
    html = drawing(at)
    assert "alert(2)</script>" not in html and "<img src=x" not in html
    assert len(drawn_ids(html)) == 3  # introducer, go-between, target


def test_an_empty_database_says_what_to_do(database_url, monkeypatch):
    at = open_page(monkeypatch, database_url)
    assert any("no data yet" in i.value for i in at.info)
    assert not at.dataframe and not at.error and not at.get("iframe")
