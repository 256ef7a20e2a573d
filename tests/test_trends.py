"""Goodwill over time (issue 15, point 3): netmap.trends, `trend` / `moved` and the Trends page.

Known answers are worked out by hand from the answers each test writes; the
definitions are :mod:`netmap.network.history`'s.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import date

import pandas as pd
import pytest

from netmap import Store, import_files
from netmap.model import Feedback
from netmap.trends import MOVED_COLUMNS, TREND_COLUMNS, moved_people, trend

from .conftest import drop_database, open_app, sample_database
from .test_cli import run

PEOPLE = pd.DataFrame({
    "person_id": [1, 2, 3, 4],
    "name": ["Ann Lee", "Bo Chen", "Cy Dee", "Di Eng"],
    "company": ["Acme", "Acme", "Beta", "Beta"],
    "owner": ["Kim", "Kim", "Lou", "Lou"],
    "community": ["North", "North", "South", None],
    "spread": [4.0, 10.0, 2.5, 1.0],
})
# Ann: detractor in January, passive in March (progress); Bo: promoter, then passive (a warning);
# Cy: promoter in January only; Di: first answers in March (news, not a move); one undated answer
ANSWERS = [
    Feedback(1, 3, "nps", date(2026, 1, 10)), Feedback(2, 9, "nps", date(2026, 1, 12)),
    Feedback(3, 10, "nps", date(2026, 1, 20)), Feedback(1, 7, "nps", date(2026, 3, 5)),
    Feedback(2, 8, "nps", date(2026, 3, 6)), Feedback(4, 9, "nps", date(2026, 3, 7)),
    Feedback(4, 0, "nps", None),
]


def test_the_whole_company_month_by_month():
    t = trend(ANSWERS, PEOPLE)
    assert list(t.columns) == TREND_COLUMNS
    assert t["month"].tolist() == ["2026-01", "2026-02", "2026-03"] and set(t["group"]) == {""}
    jan, feb, mar = (t.iloc[i] for i in range(3))
    # January: Ann detractor, Bo and Cy promoters -> NPS 100 * (2 - 1) / 3; reach = Bo + Cy
    assert (jan["answered"], jan["promoters"], jan["passives"], jan["detractors"]) == (3, 2, 0, 1)
    assert jan["nps"] == 33.3 and jan["promoter_share"] == round(2 / 3, 4) and jan["goodwill_reach"] == 12.5
    # February: nobody answered, the figures hold
    assert feb.drop("month").equals(jan.drop("month"))
    # March: Ann and Bo passive, Cy and Di promoters -> NPS 50; reach = Cy + Di
    assert (mar["answered"], mar["promoters"], mar["passives"], mar["detractors"]) == (4, 2, 2, 0)
    assert mar["nps"] == 50.0 and mar["goodwill_reach"] == 3.5


def test_per_owner_and_per_community_after_the_whole():
    t = trend(ANSWERS, PEOPLE, by="owner")
    assert t["group"].tolist() == ["", "", "", "Kim", "Kim", "Kim", "Lou", "Lou", "Lou"]
    kim_mar = t[(t["group"] == "Kim") & (t["month"] == "2026-03")].iloc[0]
    assert (kim_mar["passives"], kim_mar["nps"], kim_mar["goodwill_reach"]) == (2, 0.0, 0.0)
    lou_jan = t[(t["group"] == "Lou") & (t["month"] == "2026-01")].iloc[0]
    assert (lou_jan["answered"], lou_jan["nps"], lou_jan["goodwill_reach"]) == (1, 100.0, 2.5)
    # Di has no community: counted in the whole company only
    c = trend(ANSWERS, PEOPLE, by="community")
    south_mar = c[(c["group"] == "South") & (c["month"] == "2026-03")].iloc[0]
    assert south_mar["answered"] == 1
    whole_mar = c[(c["group"] == "") & (c["month"] == "2026-03")].iloc[0]
    assert whole_mar["answered"] == 4


def test_since_and_until_bound_the_months_not_the_answers_counted():
    t = trend(ANSWERS, PEOPLE, since=date(2026, 3, 1))
    assert t["month"].tolist() == ["2026-03"] and t.iloc[0]["answered"] == 4  # January's answers still count
    assert trend(ANSWERS, PEOPLE, until=date(2026, 1, 31))["month"].tolist() == ["2026-01"]
    assert trend(ANSWERS, PEOPLE, since=date(2027, 1, 1)).empty
    assert trend([], PEOPLE).empty and list(trend([], PEOPLE).columns) == TREND_COLUMNS


def test_the_order_of_the_rows_changes_nothing():
    # Cy answered twice that day: the lower counts (netmap/model.py same_day_rank), as for today's feeling
    same_day = ANSWERS + [Feedback(3, 2, "nps", date(2026, 1, 20))]
    expected = trend(same_day, PEOPLE, by="owner")
    assert expected[(expected["month"] == "2026-01") & (expected["group"] == "")].iloc[0]["detractors"] == 2
    rng = random.Random(7)
    for _ in range(5):
        shuffled = same_day[:]
        rng.shuffle(shuffled)
        pd.testing.assert_frame_equal(trend(shuffled, PEOPLE, by="owner"), expected)
        pd.testing.assert_frame_equal(moved_people(shuffled, PEOPLE, date(2026, 1, 31)),
                                      moved_people(same_day, PEOPLE, date(2026, 1, 31)))


def test_who_moved_warnings_first():
    m = moved_people(ANSWERS, PEOPLE, date(2026, 1, 31))
    assert list(m.columns) == MOVED_COLUMNS
    assert m[["name", "before", "after", "move", "steps"]].values.tolist() == [
        ["Bo Chen", "promoter", "passive", "warning", -1],
        ["Ann Lee", "detractor", "passive", "progress", 1],
    ]
    assert moved_people(ANSWERS, PEOPLE, date(2026, 3, 31)).empty  # nothing after the last answer
    with pytest.raises(Exception, match="before the start"):
        moved_people(ANSWERS, PEOPLE, date(2026, 3, 1), until=date(2026, 1, 1))


def test_an_unknown_split_is_a_plain_error():
    from netmap.errors import NetmapError

    with pytest.raises(NetmapError, match="community, owner"):
        trend(ANSWERS, PEOPLE, by="region")


# ----------------------------------------------------------------------------- end to end --
PEOPLE_CSV = (
    "Record ID,First Name,Last Name,Email,Contact owner,Lifecycle Stage,Associated Company\n"
    "1,Ann,Lee,ann@a.com,Kim,customer,Acme\n2,Bo,Chen,bo@a.com,Kim,customer,Acme\n"
    "3,Cy,Dee,cy@b.com,Lou,customer,Beta\n4,Di,Eng,di@b.com,Lou,customer,Beta\n"
)
SURVEY_CSV = (
    "Email,Score,Response Date\n"
    "ann@a.com,3,2026-01-10\nbo@a.com,9,2026-01-12\ncy@b.com,10,2026-01-20\n"
    "ann@a.com,7,2026-03-05\nbo@a.com,8,2026-03-06\ndi@b.com,9,2026-03-07\n"
)


def test_trend_and_moved_commands_from_imported_survey_waves(database_url):
    store = Store(database_url)
    import_files(store, [("people.csv", PEOPLE_CSV.encode()), ("survey.csv", SURVEY_CSV.encode())])
    store.close()
    r = run(database_url, "trend")
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert list(rows[0]) == TREND_COLUMNS
    assert [(x["month"], x["answered"], x["nps"]) for x in rows] == [
        ("2026-01", "3", "33.3"), ("2026-02", "3", "33.3"), ("2026-03", "4", "50")]
    r = run(database_url, "trend", "--by", "owner", "--since", "2026-03-01", "--format", "json")
    assert r.returncode == 0, r.stderr
    assert '"group":"Kim"' in r.stdout.replace(" ", "")
    r = run(database_url, "moved", "--since", "2026-01-31")
    assert r.returncode == 0, r.stderr
    moved = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [(x["name"], x["move"]) for x in moved] == [("Bo Chen", "warning"), ("Ann Lee", "progress")]
    r = run(database_url, "moved", "--since", "31/01/2026")
    assert r.returncode == 2 and "YYYY-MM-DD" in r.stderr and "Traceback" not in r.stderr


def test_the_series_is_kept_until_the_data_changes(database_url, monkeypatch):
    """trend_of and moved_of answer from the measures cache until an import: read back, they
    equal a fresh computation, CSV for CSV; each split and each window is its own table."""
    import netmap.trends as trends
    from netmap.analysis import measures

    store = Store(database_url)
    try:
        import_files(store, [("people.csv", PEOPLE_CSV.encode()), ("survey.csv", SURVEY_CSV.encode())])
        computed = []
        real_trend, real_moved = trends.trend, trends.moved_people
        monkeypatch.setattr(trends, "trend", lambda *a, **k: computed.append("trend") or real_trend(*a, **k))
        monkeypatch.setattr(trends, "moved_people", lambda *a, **k: computed.append("moved") or real_moved(*a, **k))
        first = trends.trend_of(store)
        again = trends.trend_of(store)
        assert computed == ["trend"] and again.equals(first)
        fresh = real_trend(store.answers(), measures(store).people)
        assert again.to_csv(index=False) == fresh.to_csv(index=False)
        by_owner = trends.trend_of(store, by="owner")
        assert computed == ["trend", "trend"] and set(by_owner["group"]) == {"", "Kim", "Lou"}
        assert trends.trend_of(store).equals(first) and len(computed) == 2  # the company's series kept beside it
        m = trends.moved_of(store, date(2026, 1, 31))
        assert trends.moved_of(store, date(2026, 1, 31)).equals(m) and computed.count("moved") == 1
        assert m.to_csv(index=False) == real_moved(store.answers(), measures(store).people,
                                                   date(2026, 1, 31)).to_csv(index=False)
        import_files(store, [("late.csv", b"Email,Score,Date\ncy@b.com,3,2026-04-02\n")])  # the data changes
        after = trends.trend_of(store)
        assert computed.count("trend") == 3 and after["month"].iloc[-1] == "2026-04"
        with pytest.raises(Exception, match="cannot split"):
            trends.trend_of(store, by="region")
    finally:
        store.close()


# ------------------------------------------------------------------------------- the page --
@pytest.fixture(scope="module")
def sample_url(tmp_path_factory):
    url = sample_database(tmp_path_factory, "trends")
    yield url
    drop_database(url)


def test_the_last_month_says_what_the_overview_says(sample_url):
    """The sample company has rated tickets besides its surveys: the trend's NPS counts the 0-10
    answers only, as the summary on the Overview does, and the same people in each category."""
    store = Store(sample_url)
    try:
        summary = store.summary()
        dated = [f for f in store.answers() if f.on is not None]
        assert len(dated) == summary["feedback"]  # every sample answer is dated: the same people
        assert {f.scale for f in dated} == {"nps", "csat"}
        from netmap.analysis import measures

        last = trend(store.answers(), measures(store).people).iloc[-1]
    finally:
        store.close()
    assert (last["promoters"], last["passives"], last["detractors"]) == (
        summary["promoters"], summary["passives"], summary["detractors"])
    assert round(last["nps"]) == summary["nps"]
    assert last["nps_answered"] < last["answered"]


def test_trends_page_shows_the_figures_charts_and_who_moved(sample_url, monkeypatch):
    at = open_app(monkeypatch, sample_url, "pages/trends.py")
    assert not at.error and not at.exception
    assert [m.label for m in at.metric][1:] == ["Goodwill reach", "People who have answered"]
    assert at.metric[0].label.startswith("NPS at the end of ")
    assert len(at.get("vega_lite_chart")) == 3
    assert [b.label for b in at.get("download_button")][0] == "Download the series (CSV)"
    at.segmented_control(key="tr_split").set_value("Per account manager").run()
    assert not at.exception and len(at.get("vega_lite_chart")) == 3
    at.date_input(key="tr_since").set_value(date(2023, 1, 1)).run()
    assert not at.exception
    assert any("moved since" in c.value or "Nobody who had answered" in c.value for c in at.caption)
