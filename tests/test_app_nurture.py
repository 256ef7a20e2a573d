"""The Nurture page, headless (Streamlit's AppTest): the list, its filters, the chart, the plan, the downloads."""

from __future__ import annotations

import csv
import io
import json

import pytest
from streamlit.testing.v1 import AppTest

from netmap import Store
from netmap.analysis import measures

from .conftest import drop_database, load, open_app, sample_database

ACTIONS = {"amplify", "elevate", "recover", "ask"}


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    url = sample_database(tmp_path_factory, "nurture")
    yield url
    drop_database(url)


def open_page(monkeypatch, db) -> AppTest:
    return open_app(monkeypatch, db, "pages/nurture.py")


def rows(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def charts(at: AppTest):
    return at.get("vega_lite_chart")


def test_the_list_the_chart_the_plan_and_their_downloads(sample_db, monkeypatch, downloads):
    at = open_page(monkeypatch, sample_db)
    assert not at.error
    assert at.title[0].value == "Whom to nurture next"
    labels = {"Amplify", "Elevate", "Recover", "Ask"}
    metrics = {m.label: int(m.value.replace(",", "")) for m in at.metric if m.label in labels}
    assert set(metrics) == {"Amplify", "Elevate", "Recover", "Ask"} and all(v > 0 for v in metrics.values())

    ranking = at.dataframe(key="nurture_table").value
    assert len(ranking) == sum(metrics.values())
    assert set(ranking["action"]) == ACTIONS and (ranking["reason"].str.len() > 20).all()
    assert ranking["nurture_score"].is_monotonic_decreasing

    name, data = downloads["nurture_csv"]
    listed = rows(data)
    assert name == "nurture.csv" and len(listed) == len(ranking)
    assert list(listed[0]) == ["rank", "person_id", "name", "owner", "feeling", "nps", "action", "spread",
                               "nurture_score", "reason"]

    chart = charts(at)
    assert len(chart) == 1
    spec = chart[0].proto.spec
    for colour in ("#2e7d32", "#f9a825", "#c62828", "#9e9e9e"):  # FEELING_COLORS, the same as everywhere
        assert colour in spec

    plan = at.dataframe(key="nurture_plan_table").value
    assert len(plan) == 5 and plan["cumulative_spread"].is_monotonic_increasing
    assert at.caption and any("doesn't overlap" in c.value for c in at.caption)
    name, data = downloads["nurture_plan_csv"]
    assert name == "nurture-plan-5.csv" and [r["person_id"] for r in rows(data)] == [str(p) for p in plan["person_id"]]
    assert list(rows(data)[0])[:6] == ["rank", "person_id", "name", "marginal_spread", "cumulative_spread", "reason"]
    assert {"action", "feeling", "owner", "email", "nurture_rank", "spread", "why_here"} <= set(rows(data)[0])
    assert list(rows(data)[0])[-2:] == ["spread", "why_here"]  # new columns after the ones scripts know
    check_the_plan_table(plan, rows(data), ranking)

    at.slider(key="nurture_k").set_value(12).run()
    assert not at.exception
    bigger = at.dataframe(key="nurture_plan_table").value
    assert len(bigger) == 12 and bigger.head(5)["person_id"].tolist() == plan["person_id"].tolist()
    assert len(set(bigger["person_id"])) == 12
    assert downloads["nurture_plan_csv"][0] == "nurture-plan-12.csv"


def check_the_plan_table(plan, downloaded, ranking):
    """The plan's table says what to do and why in words, with the list's own reach beside what each pick adds."""
    advice = {"amplify": "ask for an introduction or a referral", "elevate": "turn good into great",
              "recover": "follow up now", "ask": "send the survey"}
    spread = ranking.set_index("person_id")["spread"]
    for shown, row in zip(plan.to_dict(orient="records"), downloaded):
        assert shown["action"] == f"{row['action']}: {advice[row['action']]}"  # the code, then in words
        assert shown["feeling"] == ("no survey answer yet" if row["feeling"] == "unknown" else row["feeling"])
        assert shown["email"] == row["email"] and shown["owner"] == row["owner"] and "@" in shown["email"]
        assert shown["why_here"] == row["why_here"] and f"picked {shown['rank']}" in shown["why_here"]
        if shown["person_id"] in spread.index:  # one figure: the list's reach for the same person
            assert shown["spread"] == pytest.approx(spread[shown["person_id"]])
            assert shown["why_here"].startswith(f"#{int(shown['nurture_rank'])} on the list")
        assert shown["marginal_spread"] <= shown["spread"] + 1e-9 or shown["rank"] == 1
        assert ("no survey answer yet: ask first" in shown["why_here"]) == (row["feeling"] == "unknown")
    assert plan["marginal_spread"].iloc[0] == pytest.approx(plan["spread"].iloc[0])


def test_the_plan_and_the_list_name_their_figures_alike(sample_db, monkeypatch):
    at = open_page(monkeypatch, sample_db)
    captions = " ".join(c.value for c in at.caption)
    assert "**Reaches (alone)** is the list's figure" in captions and "**Adds to the plan**" in captions
    listed = json.loads(at.dataframe(key="nurture_table").proto.columns)
    plan = json.loads(at.dataframe(key="nurture_plan_table").proto.columns)
    assert listed["spread"]["label"] == plan["spread"]["label"] == "Reaches (alone)"
    assert plan["marginal_spread"]["label"] == "Adds to the plan" and plan["why_here"]["label"] == "Why here"
    assert plan["email"]["label"] == "Email" and plan["action"]["label"] == "Action"


def test_one_owners_book_and_one_action(sample_db, monkeypatch, downloads):
    at = open_page(monkeypatch, sample_db)
    everyone = at.dataframe(key="nurture_table").value
    owner = at.selectbox(key="nurture_owner").options[1]
    at.selectbox(key="nurture_owner").set_value(owner).run()
    assert not at.exception
    mine = at.dataframe(key="nurture_table").value
    assert 0 < len(mine) < len(everyone) and set(mine["owner"]) == {owner}
    assert {r["owner"] for r in rows(downloads["nurture_csv"][1])} == {owner}
    store = Store(sample_db)
    owner_of = measures(store).people.set_index("person_id")["owner"]
    store.close()
    assert set(owner_of[at.dataframe(key="nurture_plan_table").value["person_id"]]) == {owner}

    at.multiselect(key="nurture_actions").set_value(["recover"]).run()
    recover = at.dataframe(key="nurture_table").value
    assert set(recover["action"]) <= {"recover"}

    at.multiselect(key="nurture_actions").set_value([]).run()
    assert not at.exception
    assert any("Nobody to nurture" in i.value for i in at.info)
    assert "nurture_csv" not in {b.key for b in at.get("download_button")}  # nothing to download


def chart_points(chart) -> int:
    """How many rows the spread-versus-feeling chart sends to the browser."""
    from streamlit.dataframe_util import convert_arrow_bytes_to_pandas_df

    proto = chart.proto
    tables = [proto.data.data] if proto.data.data else [d.data.data for d in proto.datasets]
    return sum(len(convert_arrow_bytes_to_pandas_df(t)) for t in tables)


def test_a_large_company_sends_the_browser_a_bounded_table_and_chart(sample_db, monkeypatch, downloads):
    """At 100,000 people the list is ~15,000 rows and the chart ~50,000 points: megabytes
    that took the browser seconds. The page shows the first rows and a sample, and says so."""
    import netmap.queries
    import netmap.ui

    at = open_page(monkeypatch, sample_db)
    everyone = len(at.dataframe(key="nurture_table").value)
    points = chart_points(charts(at)[0])
    assert everyone > 12 and points > 30
    monkeypatch.setattr(netmap.ui, "TABLE_ROWS_SHOWN", 12)
    monkeypatch.setattr(netmap.queries, "CHART_MAX", 30)
    at = open_page(monkeypatch, sample_db)
    assert not at.exception
    table = at.dataframe(key="nurture_table").value
    assert len(table) == 12 and table["nurture_score"].is_monotonic_decreasing  # the best first
    captions = [c.value for c in at.caption]
    assert f"Showing the first 12 of {everyone:,} rows." in captions
    assert len(rows(downloads["nurture_csv"][1])) == everyone  # the CSV keeps every row
    assert chart_points(charts(at)[0]) == 30
    assert any(c.startswith(f"Showing 30 of {points:,} people: the 15 whose word") for c in captions)


def test_an_empty_database_says_what_to_do(database_url, monkeypatch):
    at = open_page(monkeypatch, database_url)
    assert any("no data yet" in i.value for i in at.info)
    assert not at.dataframe and not at.error


def test_hostile_names_are_text_in_the_table_and_inert_in_the_csv(database_url, monkeypatch, downloads):
    db = database_url
    store = Store(db)
    people = ["Email,Name,Company,Lifecycle Stage,Contact owner,Last NPS survey rating"]
    evil = ['=HYPERLINK("http://evil")', "<img src=x onerror=alert(1)>", "[x](javascript:alert(1))", "@SUM(1+1)"]
    for i, name in enumerate(evil):
        people.append(f'p{i}@evil.test,"{name.replace(chr(34), chr(34) * 2)}",-Corp,customer,+Owner,{10 - 3 * i}')
    ties = ["Person A,Person B,Relationship"] + [f"p{i}@evil.test,p{(i + 1) % 4}@evil.test,knows" for i in range(4)]
    load(store, ("p.csv", "\n".join(people) + "\n"), ("r.csv", "\n".join(ties) + "\n"))
    store.close()
    at = open_page(monkeypatch, db)
    assert not at.error
    assert set(at.dataframe(key="nurture_table").value["name"]) <= set(evil)  # shown as they are: data, not markup
    assert "nurture_csv" in downloads
    for key in ("nurture_csv", "nurture_plan_csv"):
        if key in downloads:
            for row in rows(downloads[key][1]):
                for value in row.values():
                    assert not value.startswith(("=", "+", "@", "\t", "\r")), value
                    assert not (value.startswith("-") and not value.lstrip("-").replace(".", "", 1).isdigit()), value
    assert "nurture_plan_csv" in downloads  # four customers: there is a plan
    plan_names = {r["name"] for r in rows(downloads["nurture_plan_csv"][1])}
    assert plan_names and plan_names <= {("'" + n if n[0] in "=@" else n) for n in evil}
