"""netmap.profile: one person's profile, their position in plain words, search, erase by id."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from netmap.analysis import measures
from netmap.errors import AmbiguousPerson, NetmapError, UnknownPerson
from netmap.network.graph import build_graph
from netmap.profile import (
    PersonProfile,
    erasure_summary,
    person_profile,
    position_sentences,
)
from netmap.search import find_people, search_people

from .conftest import load

PEOPLE = """Record ID,First Name,Last Name,Email,Company,Contact owner,Lifecycle Stage,Industry,City,Create Date
1,Ann,Lee,ann@acme.com,Acme,Dana,customer,Retail,Austin,2023-01-05
2,Bo,Chen,bo@acme.com,Acme,Dana,customer,Retail,Austin,2023-02-05
3,Cy,Diaz,cy@beta.io,Beta,Sam,customer,Fintech,Berlin,2023-03-05
4,Di,Eve,di@gamma.org,Gamma,Sam,lead,Media,Lyon,2023-04-05
"""
REFERRALS = """Referrer Email,Referred Email,Date,Status,Value
ann@acme.com,cy@beta.io,2024-01-10,converted,1200
di@gamma.org,ann@acme.com,2023-12-01,pending,
"""
RELATIONSHIPS = """Person A,Person B,Relationship,Strength
ann@acme.com,di@gamma.org,knows,5
"""
MEETINGS = """Meeting ID,Meeting name,Meeting date,Attendee email
m1,QBR Acme,2024-02-01,ann@acme.com
m1,QBR Acme,2024-02-01,bo@acme.com
m1,QBR Acme,2024-02-01,cy@beta.io
m2,Lunch,2024-03-01,ann@acme.com
m2,Lunch,2024-03-01,bo@acme.com
"""
SURVEY = """Response ID,Email,Score,Date,Comment
r1,ann@acme.com,6,2024-01-01,<b>Too slow</b>
r2,ann@acme.com,9,2024-06-01,Much better [now](javascript:x)
r3,cy@beta.io,10,2024-02-01,
"""


@pytest.fixture
def company(store):
    load(store, ("people.csv", PEOPLE), ("referrals.csv", REFERRALS), ("relationships.csv", RELATIONSHIPS),
         ("meetings.csv", MEETINGS), ("survey.csv", SURVEY))
    return store


def _ids(store) -> dict[str, int]:
    return {who: store.find_person(f"{who}") for who in ("ann@acme.com", "bo@acme.com", "cy@beta.io", "di@gamma.org")}


def test_profile_gathers_everything_about_a_person(company):
    ids = _ids(company)
    ann = ids["ann@acme.com"]
    a = measures(company)
    G = build_graph(company.load_dataset())
    people_before = a.people.copy()
    p = person_profile(company, ann, graph=G, people=a.people)

    assert p.person_id == ann and p.name == "Ann Lee"
    assert p.details["company"] == "Acme" and p.details["owner"] == "Dana" and p.details["stage"] == "customer"
    assert p.details["segment"] == "Retail" and p.details["region"] == "Austin"
    assert p.details["created"] == date(2023, 1, 5)
    assert p.crm_ids == ["1"] and p.emails == ["ann@acme.com"]

    # feedback over time, oldest first, comments kept as text
    assert list(p.feedback["score"]) == [6, 9]
    assert list(p.feedback["feeling"]) == ["detractor", "promoter"]
    assert list(p.feedback["comment"]) == ["<b>Too slow</b>", "Much better [now](javascript:x)"]
    assert list(p.feedback["answered_on"]) == [date(2024, 1, 1), date(2024, 6, 1)]

    # referrals made and received, with the other person's name
    assert p.referrals_made[["person_id", "name", "status", "value"]].to_dict("records") == [
        {"person_id": ids["cy@beta.io"], "name": "Cy Diaz", "status": "converted", "value": 1200.0}
    ]
    assert p.referrals_made["referred_on"].tolist() == [date(2024, 1, 10)]
    assert p.referrals_received[["person_id", "name", "status"]].to_dict("records") == [
        {"person_id": ids["di@gamma.org"], "name": "Di Eve", "status": "pending"}
    ]

    # interactions with how many took part, newest first
    assert p.interactions[["name", "participants"]].to_dict("records") == [
        {"name": "Lunch", "participants": 2}, {"name": "QBR Acme", "participants": 3}
    ]

    # ties: one per neighbour, with the graph's strength, strongest first
    ties = p.ties.set_index("person_id")
    assert set(ties.index) == {ids["bo@acme.com"], ids["cy@beta.io"], ids["di@gamma.org"]}
    for other, row in ties.iterrows():
        assert row["strength"] == pytest.approx(G[ann][other]["strength"], abs=1e-3)
        assert 0 < row["strength"] <= 1
    assert list(p.ties["strength"]) == sorted(p.ties["strength"], reverse=True)
    assert ties.loc[ids["cy@beta.io"], "referral"] == "made to them"
    assert ties.loc[ids["di@gamma.org"], "referral"] == "received from them"
    assert ties.loc[ids["di@gamma.org"], "kinds"] == "knows"
    assert ties.loc[ids["bo@acme.com"], "shared"] == 2 and bool(ties.loc[ids["bo@acme.com"], "same_company"])
    assert ties.loc[ids["cy@beta.io"], "feeling"] == "promoter"

    # position from the analysis table, which is left untouched
    assert p.position["name"] == "Ann Lee" and p.position["degree"] == 3
    pd.testing.assert_frame_equal(a.people, people_before)


def test_profile_without_graph_or_analysis_still_has_the_database_facts(company):
    bo = company.find_person("bo@acme.com")
    p = person_profile(company, bo)
    assert p.name == "Bo Chen" and p.ties.empty and p.position is None
    assert p.feedback.empty and p.referrals_made.empty and len(p.interactions) == 2
    assert position_sentences(p) == ["Not placed in the network yet: the analysis has not seen this person."]


@pytest.mark.parametrize("bad", [999_999, "999999", "abc", None, "1; drop table person"])
def test_unknown_or_malformed_id_is_a_clear_error(company, bad):
    with pytest.raises(UnknownPerson) as exc:
        person_profile(company, bad)
    assert "person" in str(exc.value)


def test_position_sentences_say_the_measures_in_plain_words():
    people = pd.DataFrame({"person_id": [1, 2, 3, 4], "bridge_score": [0.1, 0.2, 0.3, 0.9]})
    ties = pd.DataFrame({
        "person_id": [2, 3, 4], "community": ["Berlin", "Lyon", "Austin"], "strength": [0.5, 0.4, 0.9],
    })
    profile = PersonProfile(
        person_id=4, details={"name": "Ann"}, ties=ties,
        position={
            "community": "Austin", "degree": 3, "spread": 4.2, "reach2": 36, "bridge_score": 0.9,
            "constraint": 0.2, "is_cut_vertex": True, "action": "amplify", "spread_se": 0.1, "separates": 7,
            "reason": "ask for an introduction", "feeling": "promoter",
        },
    )
    text = position_sentences(profile, people)
    # the clusters their ties go to, with the counts that carry the claim
    assert text[0] == "Ties into 3 clusters: Austin (1 tie), Berlin (1 tie), Lyon (1 tie)."
    assert "Good word of mouth would reach ~4.2 people (±0.2) besides them (36 within two steps)." in text
    assert "A cut vertex: 7 people are connected to the rest of the network only through them." in text
    assert "Bridge score 0.90 (0 to 1, higher than 75% of people)." in text
    assert any(s.startswith("Constraint 0.20 (low") for s in text)
    assert any("cut vertex" in s for s in text)
    assert text[-1] == "Next step: amplify (ask for an introduction)."


def test_position_sentences_for_an_isolated_person():
    profile = PersonProfile(person_id=1, details={"name": "X"},
                            position={"community": None, "degree": 0, "spread": 0.0, "reach2": 0, "bridge_score": 0.0,
                                      "constraint": float("nan"), "is_cut_vertex": False, "action": "none", "reason": ""})
    text = position_sentences(profile)
    assert text[0].startswith("Has no ties yet")
    assert text[-1] == "No nurture action stands out for them now."


def test_search_people_by_name_email_company_or_id():
    people = pd.DataFrame({
        "person_id": [1, 2, 3], "name": ["Ann Lee", "Bo Chen", "Lee Ann"], "email": ["ann@acme.com", None, "x@y.z"],
        "company": ["Acme", "Beta", None], "owner": ["D", "D", "S"], "stage": ["customer"] * 3, "feeling": ["unknown"] * 3,
    })
    assert list(search_people(people, "lee")["person_id"]) == [3, 1]  # a name starting with it first
    assert list(search_people(people, "ANN LEE")["person_id"]) == [1, 3]  # every word, in any order; exact first
    assert list(search_people(people, "beta")["person_id"]) == [2]
    assert list(search_people(people, "acme.com")["person_id"]) == [1]
    assert list(search_people(people, "#3")["person_id"]) == [3]
    assert search_people(people, "   ").empty
    assert search_people(people, "[x](javascript:1)").empty  # a literal substring, not a pattern
    assert len(search_people(people, "a", limit=2)) == 2


def test_find_people_searches_then_takes_an_exact_crm_id_or_email(company, monkeypatch):
    """The pages' one finder: an exact CRM id (not a word the search indexes) or email first,
    then the search's matches; else a clear error. Never a read of every name."""
    from netmap.search import PeopleSearch

    people = measures(company).people
    search = PeopleSearch(people)
    ids = _ids(company)
    assert list(find_people(company, search, "ann")["person_id"]) == [ids["ann@acme.com"]]
    by_crm = find_people(company, search, " 3 ")
    assert list(by_crm["person_id"]) == [ids["cy@beta.io"]]
    assert list(by_crm.columns) == list(find_people(company, people, "ann").columns)  # the same columns
    three_m = people.assign(company=people["company"].mask(people["person_id"] == ids["bo@acme.com"], "3M"))
    assert list(find_people(company, three_m, "3")["person_id"]) == [ids["cy@beta.io"], ids["bo@acme.com"]]
    assert list(find_people(company, search, "bo@acme.com")["person_id"])[0] == ids["bo@acme.com"]
    names_read = []
    real = company.find_person
    monkeypatch.setattr(company, "find_person", lambda who, conn=None, *, by_name=True:
                        names_read.append(by_name) or real(who, conn, by_name=by_name))
    with pytest.raises(UnknownPerson, match="Nobody matches “Zed Quux”.*CRM id or an email must be exact"):
        find_people(company, search, "Zed Quux")
    assert names_read and not any(names_read)  # by CRM id or email only


def test_erase_by_id_removes_them_and_everything_about_them(company):
    ids = _ids(company)
    ann = ids["ann@acme.com"]
    result = company.erase(ann)
    assert result["person_id"] == ann and result["feedback"] == 2 and result["referral"] == 2
    assert "2 referrals, " in erasure_summary(result) and "2 survey answers" in erasure_summary(result)
    with pytest.raises(UnknownPerson):
        person_profile(company, ann)
    summary = company.summary()
    assert summary["people"] == 3 and summary["referrals"] == 0 and summary["relationships"] == 0
    # the others are still there
    assert person_profile(company, ids["bo@acme.com"]).name == "Bo Chen"


def test_erase_a_person_known_only_by_a_name_someone_else_has(store):
    """The Person page erases by id: a name two people share (no id, no email) is no obstacle
    (it was: the page re-resolved a WHO text and refused), and the other one stays."""
    load(store, ("people.csv", "Name,Company\nZed Twin,Acme\nZed Twin,Beta\n"))
    twins = sorted(pid for pid, name in _names(store).items() if name == "Zed Twin")
    assert len(twins) == 2
    with pytest.raises(AmbiguousPerson):
        store.resolve_one("Zed Twin")  # by name: either of them, so no erasure
    store.erase(twins[0])
    assert [pid for pid, name in _names(store).items() if name == "Zed Twin"] == [twins[1]]


def _names(store) -> dict:
    return {p.id: p.name for p in store.load_dataset().people}


def test_own_ties_from_the_neighbourhood_are_the_ties_of_the_whole_network(tmp_path_factory):
    """The Person page reads a profile's ties from the person's neighbourhood only; for every
    person of the sample they equal the ties the whole network gives them."""
    from netmap import Store
    from netmap.analysis import network

    from .conftest import drop_database, sample_database

    url = sample_database(tmp_path_factory, "own_ties")
    store = Store(url)
    try:
        a, G = network(store)
        assert store.load_neighbourhood(a.people["person_id"].iloc[0]).as_of == store.load_dataset().as_of
        for pid in a.people["person_id"].tolist():
            whole = person_profile(store, pid, graph=G, people=a.people).ties
            own = person_profile(store, pid, people=a.people, own_ties=True).ties
            pd.testing.assert_frame_equal(own, whole, obj=f"ties of person #{pid}")
    finally:
        store.close()
        drop_database(url)


COMPANY_VARIANTS = ["Straße GmbH", "STRASSE GMBH", "strasse gmbh ", "Ébène SA", "ÉBÈNE SA", "ébène sa",
                    "Acme", "ACME", " acme", "Acme\u00a0", "Acme Inc", "İstanbul Ltd", "i̇stanbul ltd",
                    "A/B_1 Ltd", "a/b_1 LTD", "100% Co", "100% CO"]


def test_colleagues_are_everyone_whose_company_matches_however_it_is_written(store):
    """load_neighbourhood finds colleagues with a prefilter in SQL (SQLite) and the exact
    check in Python: the same people as comparing every company (strip, casefold), for
    accents, ß, a non-breaking space, dotted capitals and LIKE's own characters."""
    from sqlalchemy import select

    from netmap.storage.tables import person as P

    rows = "\n".join(f"{i},P{i},Q{i},p{i}@x{i}.example,\"{c}\",,customer,,," for i, c in enumerate(COMPANY_VARIANTS, 1))
    load(store, ("people.csv", PEOPLE.splitlines()[0] + "\n" + rows + "\n"))
    with store.engine.connect() as conn:
        stored = dict(conn.execute(select(P.c.id, P.c.company)).all())
    keys = {pid: c.strip().casefold() for pid, c in stored.items() if c}
    assert len(set(keys.values())) < len(keys)  # the variants do collide
    for pid, key in keys.items():
        expected = {other for other, k in keys.items() if k == key}
        around = {p.id for p in store.load_neighbourhood(pid).people}
        assert around & set(keys) == expected, stored[pid]
