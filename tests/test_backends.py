"""What SQLite and PostgreSQL do differently, pinned down so netmap answers the same on both.

Runs on the backend under test (``NETMAP_TEST_BACKEND``); each test is a place where
the two databases disagree by default (NULL ordering, text ordering, integer width,
text case) and netmap must not.
"""

from __future__ import annotations

from netmap.profile import person_profile

from .conftest import load

PEOPLE = "Record ID,Name,Email,Associated Company\n1,Ann Lee,ann@acme.com,Acme\n2,bob stone,Bob@Acme.com,acme\n"


def test_undated_interactions_come_after_the_dated_ones_newest_first(store):
    # SQLite sorts NULL first ascending (last descending); PostgreSQL the other way round
    meetings = (
        "Meeting ID,Meeting name,Meeting date,Attendee email\n"
        "M1,Undated call,,ann@acme.com\nM1,Undated call,,bob@acme.com\n"
        "M2,Spring lunch,2025-03-01,ann@acme.com\nM2,Spring lunch,2025-03-01,bob@acme.com\n"
        "M3,Autumn visit,2025-10-01,ann@acme.com\nM3,Autumn visit,2025-10-01,bob@acme.com\n"
    )
    load(store, ("p.csv", PEOPLE), ("m.csv", meetings))
    profile = person_profile(store, store.find_person("ann@acme.com"))
    assert list(profile.interactions["name"]) == ["Autumn visit", "Spring lunch", "Undated call"]


def test_emails_and_ids_are_found_the_same_way(store):
    load(store, ("p.csv", PEOPLE))
    assert store.find_person("BOB@acme.com") == store.find_person("bob@acme.com") == store.find_person("2")
    assert store.find_person("Bob Stone") == store.find_person("2")  # names: case and spacing ignored


def test_large_numbers_survive_the_round_trip(store):
    # PostgreSQL's INTEGER is 32-bit where SQLite's is 64-bit: values from a file are floats or text
    load(store, ("r.csv", "Referrer Email,Referred Email,Value\nann@acme.com,bob@acme.com,12345678901.5\n"))
    (ref,) = store.load_dataset().referrals
    assert ref.value == 12345678901.5
    load(store, ("p.csv", "Record ID,Name\n123456789012345678901234567890,Big Id\n"))
    assert store.find_person("123456789012345678901234567890") > 0
