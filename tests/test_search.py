"""One people search for every page: the same words find the same people everywhere."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netmap import profile, queries, views
from netmap.search import PeopleSearch, fold, search_people

PEOPLE = pd.DataFrame({
    "person_id": [1, 2, 3, 4, 5, 6, 42],
    "name": ["Ann Lee", "Bo Chen", "Lee Ann", "Jörg Müller", "Annabel Ng", None, "Ann"],
    "email": ["ann@acme.com", None, "lee.ann@gmail.com", "jm@beta.de", "ann.ng@acme.com", "ghost@x.io", None],
    "company": ["Acme Inc", "Beta GmbH", None, "Beta GmbH", "Acme Inc", "Acme Inc", "Zeta"],
    "owner": ["D", "D", "S", "S", "D", "S", "S"],
    "stage": ["customer"] * 7, "feeling": ["unknown"] * 7,
})


def ids(frame: pd.DataFrame) -> list[int]:
    return frame["person_id"].tolist()


@pytest.mark.parametrize(
    "query, expected",
    [
        ("ann lee", [1, 3]),              # every word, in any order; the exact name first
        ("LEE ANN", [3, 1]),
        ("muller", [4]),                  # accents and case do not matter
        ("jörg", [4]),
        ("beta", [2, 4]),                 # company: by name
        ("acme ann", [1, 5]),             # words across fields: company and name
        ("ann", [42, 1, 5, 3]),           # exact name, then names starting with it (by name), then the rest
        ("ghost@x.io", [6]),              # an exact email; no name at all
        ("#3", [3]),                      # netmap's id
        ("42", [42]),
        ("   ", []),
        ("(.*", []),                      # text, never a pattern
        ("[x](javascript:1)", []),
        ("nobody", []),
    ],
)
def test_what_finds_whom(query, expected):
    assert ids(search_people(PEOPLE, query)) == expected


def test_every_page_and_module_answers_alike():
    kept = PeopleSearch(PEOPLE)
    for query in ("ann", "ann lee", "beta", "#3", "acme.com", "zzz"):
        want = ids(search_people(PEOPLE, query))
        assert ids(kept.find(query)) == want
        assert ids(views.search_people(PEOPLE, query)) == want
        assert ids(queries.search_people(PEOPLE, query)) == want
        assert ids(profile.search_people(kept, query)) == want
    assert list(profile.search_people(PEOPLE, "ann").columns) == list(profile.FINDER_COLUMNS)


def test_rows_come_back_whole_and_limited():
    found = search_people(PEOPLE, "a", limit=2)
    assert len(found) == 2 and list(found.columns) == list(PEOPLE.columns)
    assert found.index.isin(PEOPLE.index).all()
    assert search_people(PEOPLE.iloc[0:0], "ann").empty
    assert ids(search_people(PEOPLE.drop(columns=["email", "company"]), "lee")) == [3, 1]


def test_fold():
    assert fold("  Schröder\u200b\nGmbH ") == "schroder gmbh"
    assert fold(None) == "" and fold(float("nan")) == ""


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=12), min_size=1, max_size=8), st.text(max_size=8))
def test_a_match_contains_every_word(names, query):
    people = pd.DataFrame({"person_id": range(1, len(names) + 1), "name": names})
    found = search_people(people, query)
    words = fold(query).split()
    for name, pid in zip(found["name"], found["person_id"]):
        assert all(w in fold(name) for w in words) or fold(query).strip().lstrip("#") == str(pid)
    missed = people.loc[~people["person_id"].isin(found["person_id"]), "name"]
    assert not words or not any(all(w in fold(n) for w in words) for n in missed)
