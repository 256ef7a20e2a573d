"""The network as of a date (issue 15, point 3): netmap/network/history.py ``dataset_as_of``
and the network commands' ``--as-of``, on constructed data with known answers."""

from __future__ import annotations

import csv
import io
from datetime import date

from netmap import Store, import_files
from netmap.model import Dataset, Feedback, Interaction, Person, Referral, Relationship
from netmap.network.history import dataset_as_of

from .test_cli import run

D = date


def test_only_the_evidence_dated_by_then():
    ds = Dataset(
        people=(Person(1, "Ann"), Person(2, "Bo", created=D(2024, 1, 1)), Person(3, "Cy", created=D(2025, 1, 1)),
                Person(4, "Di", created=D(2025, 1, 1)), Person(5, "Ed", created=D(2025, 1, 1))),
        relationships=(Relationship(1, 2, since=D(2024, 2, 1)), Relationship(1, 3, since=D(2025, 2, 1)),
                       Relationship(2, 4)),  # undated: it holds at every date, so Di was there
        referrals=(Referral(1, 2, on=D(2024, 3, 1)), Referral(2, 5, on=D(2025, 3, 1)), Referral(1, 5)),
        interactions=(Interaction(7, "meeting", (1, 2), on=D(2024, 4, 1)),
                      Interaction(8, "meeting", (1, 3, 5), on=D(2025, 4, 1))),
        feedback=(Feedback(1, 9, on=D(2024, 5, 1)), Feedback(1, 3, on=D(2025, 5, 1)), Feedback(2, 10)),
        as_of=D(2025, 5, 1), version=7,
    )
    old = dataset_as_of(ds, D(2024, 12, 31))
    assert old.as_of == D(2024, 12, 31) and old.version == 7
    # Cy (created 2025, first tie 2025) was not there; Di was (an undated tie), Ed too (an undated referral)
    assert [p.name for p in old.people] == ["Ann", "Bo", "Di", "Ed"]
    assert [(r.a_id, r.b_id) for r in old.relationships] == [(1, 2), (2, 4)]
    assert [(r.referrer_id, r.referred_id) for r in old.referrals] == [(1, 2), (1, 5)]
    assert [i.id for i in old.interactions] == [7]
    assert old.feedback == (Feedback(1, 9, on=D(2024, 5, 1)),)  # the undated answer counts for no day
    # on or after the newest evidence: today's dataset, the undated answer and today's recency included
    assert dataset_as_of(ds, D(2030, 1, 1)) is ds and dataset_as_of(ds, ds.as_of) is ds
    # Bo and Di share an undated tie: both were there before Bo was created in the CRM
    assert [p.name for p in dataset_as_of(ds, D(2023, 1, 1)).people] == ["Ann", "Bo", "Di", "Ed"]


# Two client clusters. Yan has bridged them since 2024; Xia joined both in June 2025, with two ties
# to each side: today the broker is Xia, at the end of 2024 it was Yan alone and Xia was nobody's tie.
PEOPLE = "Record ID,Name,Email,Lifecycle Stage,Create Date\n" + "".join(
    f"{i},{n} Doe,{n.lower()}@x.example,customer,2023-06-01\n"
    for i, n in enumerate(["A1", "A2", "A3", "A4", "B1", "B2", "B3", "B4", "Xia", "Yan"], start=1))
_A = ["a1", "a2", "a3", "a4"]
_B = ["b1", "b2", "b3", "b4"]
TIES = "Person A,Person B,Relationship,Since\n" + "".join(
    f"{x}@x.example,{y}@x.example,knows,2024-01-01\n"
    for side in (_A, _B) for i, x in enumerate(side) for y in side[i + 1:]) + (
    "yan@x.example,a2@x.example,knows,2024-02-01\nyan@x.example,b2@x.example,knows,2024-02-01\n"
    "xia@x.example,a1@x.example,knows,2025-06-01\nxia@x.example,a3@x.example,knows,2025-06-01\n"
    "xia@x.example,b1@x.example,knows,2025-06-01\nxia@x.example,b3@x.example,knows,2025-06-01\n")


def _rows(url, *args) -> list[dict]:
    r = run(url, *args)
    assert r.returncode == 0, r.stderr
    return list(csv.DictReader(io.StringIO(r.stdout)))


def test_the_bridges_of_a_past_day(database_url):
    store = Store(database_url)
    import_files(store, [("people.csv", PEOPLE.encode()), ("relationships.csv", TIES.encode())])
    store.close()
    today = _rows(database_url, "bridges", "--top", "2")
    assert today[0]["name"] == "Xia Doe"
    then = _rows(database_url, "bridges", "--top", "2", "--as-of", "2024-12-31")
    assert then[0]["name"] == "Yan Doe" and "Xia Doe" not in {r["name"] for r in then}
    people = {r["name"]: r for r in _rows(database_url, "people", "--as-of", "2024-12-31")}
    assert people["Xia Doe"]["degree"] == "0" and people["Yan Doe"]["degree"] == "2"
    assert {r["name"]: r for r in _rows(database_url, "people")}["Xia Doe"]["degree"] == "4"
    # the past is kept beside today, and today's answer is unchanged by asking about the past
    from netmap.analysis import cache_name

    store = Store(database_url)
    try:
        assert store.is_cached(cache_name())
        assert store.is_cached(f"analysis-as-of/{cache_name()[len('analysis/'):]}/2024-12-31")
    finally:
        store.close()
    assert _rows(database_url, "bridges", "--top", "2") == today
    assert _rows(database_url, "bridges", "--top", "2", "--as-of", "2030-01-01") == today  # nothing newer known
    r = run(database_url, "bridges", "--as-of", "1990-01-01")  # every person has a creation date after it
    assert r.returncode == 1 and "nobody was in the network on 1990-01-01" in r.stderr
    assert "earliest evidence is dated" in r.stderr and "Traceback" not in r.stderr
    r = run(database_url, "bridges", "--as-of", "31/12/2024")
    assert r.returncode == 2 and "YYYY-MM-DD" in r.stderr and "Traceback" not in r.stderr
    # Zed came in 2025: asked about the end of 2024, the answer says they were not there yet
    store = Store(database_url)
    import_files(store, [("zed.csv", b"Record ID,Name,Email,Lifecycle Stage,Create Date\n11,Zed Doe,zed@x.example,lead,"
                                     b"2025-03-01\n"),
                         ("zed-ties.csv", b"Person A,Person B,Relationship,Since\nzed@x.example,xia@x.example,knows,"
                                          b"2025-07-01\n")])
    store.close()
    assert _rows(database_url, "paths", "--to", "zed@x.example", "--from", "a1@x.example")
    r = run(database_url, "paths", "--to", "zed@x.example", "--from", "a1@x.example", "--as-of", "2024-12-31")
    assert r.returncode == 1 and "2024-12-31 (not there yet then)" in r.stderr and "Traceback" not in r.stderr
