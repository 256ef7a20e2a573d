"""One people search for every page: the same words find the same people everywhere."""

from __future__ import annotations

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netmap.errors import UnknownPerson
from netmap.search import FINDER_COLUMNS, PeopleSearch, find_people, fold, search_people

PEOPLE = pd.DataFrame({
    "person_id": [1, 2, 3, 4, 5, 6, 42, 7, 8],
    "name": ["Ann Lee", "Bo Chen", "Lee Ann", "Jörg Müller", "Annabel Ng", None, "Ann", "Иван Петров", "Bjørn Łukasz"],
    "email": ["ann@acme.com", None, "lee.ann@gmail.com", "jm@beta.de", "ann.ng@acme.com", "ghost@x.io", None, None,
              None],
    "company": ["Acme Inc", "Beta GmbH", "Fleet Kleenex", "Beta GmbH", "Acme Inc", "Acme Inc", "Zeta", None, None],
    "owner": ["D", "D", "S", "S", "D", "S", "S", "S", "S"],
    "stage": ["customer"] * 9, "feeling": ["unknown"] * 9,
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
        ("lee", [3, 1]),                  # the start of a word: not "Fleet", "Kleenex"
        ("ng", [5]),                      # Annabel Ng, not Chen or Jörg
        ("@acme", [1, 5]),                # punctuation first: anywhere
        ("x.io", [6]),                    # after the "@"
        ("#3", [3]),                      # netmap's id
        ("42", []),                       # a bare number is text (a page tries it as a CRM id)
        ("#፩", []),                       # a digit of another script: no id, no crash
        ("rn", []),                       # not inside Bjørn, Łukasz, Петров
        ("петров", [7]),
        ("ukasz", []),
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
        if want:  # the "find a person" boxes: the same people, in the same order, FINDER_COLUMNS only
            assert ids(find_people(None, kept, query)) == want
        else:
            with pytest.raises(UnknownPerson):
                find_people(None, kept, query)
    assert list(find_people(None, PEOPLE, "ann").columns) == list(FINDER_COLUMNS)


def test_rows_come_back_whole_and_limited():
    found = search_people(PEOPLE, "a", limit=2)
    assert len(found) == 2 and list(found.columns) == list(PEOPLE.columns)
    assert found.index.isin(PEOPLE.index).all()
    assert search_people(PEOPLE.iloc[0:0], "ann").empty
    assert ids(search_people(PEOPLE.drop(columns=["email", "company"]), "lee")) == [3, 1]


def test_fold():
    assert fold("  Schröder\u200b\nGmbH ") == "schroder gmbh"
    assert fold(None) == "" and fold(float("nan")) == ""


def _begins_a_word(word: str, text: str) -> bool:
    """The property's own definition: ``word`` at the text's start or after a character
    that is not a letter or digit (or anywhere, when it starts with punctuation)."""
    if not word[0].isalnum():
        return word in text
    return any(text.startswith(word, i) and (i == 0 or not text[i - 1].isalnum()) for i in range(len(text)))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(alphabet=st.characters(codec="utf-8"), max_size=12), min_size=1, max_size=8),
       st.one_of(st.text(max_size=8), st.sampled_from(["a", "an b", "#2", "2", "é", "-x", "a.b", "#٣", "ж"])))
def test_a_match_begins_a_word_with_every_word(names, query):
    people = pd.DataFrame({"person_id": range(1, len(names) + 1), "name": names})
    found = search_people(people, query)
    words = fold(query).split()
    joined = " ".join(words)
    by_id = joined[1:] if joined.startswith("#") else None
    for name, pid in zip(found["name"], found["person_id"]):
        assert all(_begins_a_word(w, fold(name)) for w in words) or by_id == str(pid)
    missed = people.loc[~people["person_id"].isin(found["person_id"]), "name"]
    assert not words or len(found) == 50 or not any(all(_begins_a_word(w, fold(n)) for w in words) for n in missed)
