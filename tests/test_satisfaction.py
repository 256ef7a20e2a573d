"""Tests for netmap.ingest.satisfaction: vendors' rating and status cells, and the ticket fixtures' counts."""

from __future__ import annotations

import csv
import json
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netmap.model import feeling_of
from netmap.ingest.satisfaction import STATUSES, Rating, parse_rating, parse_status, rating_feeling

TICKETS = Path(__file__).parent / "data" / "tickets"


@pytest.mark.parametrize("cell, csat, feeling", [
    ("Good, I'm satisfied", 4, "passive"),
    ("Good, I’m satisfied", 4, "passive"),  # typographic apostrophe
    ("good", 4, "passive"),
    ("good_with_comment", 4, "passive"),
    ("Bad, I'm unsatisfied", 1, "detractor"),
    ("BAD", 1, "detractor"),
    ("bad_with_comment", 1, "detractor"),
    ("5", 5, "promoter"), (5, 5, "promoter"), (4.0, 4, "passive"), ("3", 3, "detractor"),
    ("1", 1, "detractor"), ("4/5", 4, "passive"), ("5 stars", 5, "promoter"), ("2 out of 5", 2, "detractor"),
    ("★★★★★", 5, "promoter"), ("★★★★☆", 4, "passive"),
    ("🤩", 5, "promoter"), ("😃", 4, "passive"), ("😐", 3, "detractor"), ("🙁", 2, "detractor"),
    ("😠", 1, "detractor"), ("Amazing", 5, "promoter"), ("Great", 4, "passive"), ("OK", 3, "detractor"),
    ("Terrible", 1, "detractor"),
    ("Awesome", 5, "promoter"), ("Just Okay", 3, "detractor"), ("Not Good", 1, "detractor"),
    ("Extremely happy", 5, "promoter"), ("Very Happy", 4, "passive"), ("Neutral", 3, "detractor"),
    ("103", 5, "promoter"), ("102", 4, "passive"), (101, 4, "passive"), ("100", 3, "detractor"),
    ("-101", 2, "detractor"), ("-103", 1, "detractor"),
])
def test_known_values_map_as_documented(cell, csat, feeling):
    r = parse_rating(cell)
    assert isinstance(r, Rating)
    assert (r.csat, r.feeling) == (csat, feeling)
    assert rating_feeling(cell) == feeling


@pytest.mark.parametrize("cell", [
    "Offered", "Unoffered", "unoffered", "Not offered", "Not rated", "", "   ", None, "NA", "-", "nan",
    float("nan"), float("inf"), True, "0", "6", "10", 11, "4.5", "seven", "😃😠", "good and bad", "Pending",
])
def test_no_answer_or_unreadable_is_none(cell):
    assert parse_rating(cell) is None
    assert rating_feeling(cell) is None


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(), st.integers(), st.floats(allow_nan=True), st.none(), st.booleans()))
def test_parse_rating_never_raises_and_agrees_with_the_feeling_rule(value):
    r = parse_rating(value)
    if r is not None:
        assert 1 <= r.csat <= 5
        assert r.feeling == feeling_of(r.csat, "csat")
        assert r.feeling in {"promoter", "passive", "detractor"}


@settings(max_examples=200, deadline=None)
@given(st.one_of(st.text(), st.integers(), st.floats(allow_nan=True), st.none()),
       st.sampled_from([None, "freshdesk", "hubspot", "zendesk", ""]))
def test_parse_status_never_raises(value, vendor):
    assert parse_status(value, vendor) in {None, *STATUSES}


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(["Good, I'm satisfied", "Bad, I'm unsatisfied", "Awesome", "Just Okay", "5", "Great"]),
       st.sampled_from(["", " ", "  \t"]), st.booleans())
def test_case_and_spacing_do_not_matter(cell, pad, upper):
    varied = pad + (cell.upper() if upper else cell.lower()) + pad
    assert rating_feeling(varied) == rating_feeling(cell)


@pytest.mark.parametrize("cell, vendor, status", [
    ("New", None, "open"), ("Open", None, "open"), ("Waiting on us", None, "open"),
    ("Pending", None, "pending"), ("Hold", None, "pending"), ("On-hold", None, "pending"),
    ("snoozed", None, "pending"), ("Waiting on Customer", None, "pending"),
    ("Waiting on Third Party", None, "pending"), ("Waiting on contact", None, "pending"),
    ("Solved", None, "solved"), ("Resolved", None, "solved"), ("Closed", None, "closed"),
    ("2", "freshdesk", "open"), ("3", "freshdesk", "pending"), ("4", "freshdesk", "solved"),
    ("5", "freshdesk", "closed"), ("1", "hubspot", "open"), ("2", "hubspot", "pending"),
    ("3", "hubspot", "open"), ("4", "hubspot", "closed"),
    ("4", None, None), ("9", "freshdesk", None), ("Deleted", None, None), ("", None, None), (None, None, None),
])
def test_status(cell, vendor, status):
    assert parse_status(cell, vendor) == status


# ------------------------------------------------------------------ the fixtures' hand counts

def _manifest():
    return json.loads((TICKETS / "MANIFEST.json").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", sorted(_manifest()["files"]))
def test_fixture_counts_match_the_manifest(name):
    want = _manifest()["files"][name]
    with open(TICKETS / name, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == want["tickets"]
    status = Counter(parse_status(r[want["status_column"]]) for r in rows)
    assert None not in status, "every status in the fixtures is readable"
    assert {s: status.get(s, 0) for s in STATUSES} == want["status"]
    assert status["open"] + status["pending"] == want["unsolved"]
    col = want["rating_column"]
    feelings = Counter(rating_feeling(r[col]) for r in rows if col) if col else Counter()
    feelings.pop(None, None)
    assert sum(feelings.values()) == want["rated"]
    assert {f: feelings.get(f, 0) for f in ("promoter", "passive", "detractor")} == want["feelings"]
    assert feelings["promoter"] + feelings["passive"] == want["good"]
    assert feelings["detractor"] == want["bad"]
    for label, n in want.get("no_answer", {}).items():
        assert sum(r[col] == label for r in rows) == n


def test_fixture_totals():
    m = _manifest()
    for key in ("tickets", "unsolved", "rated", "good", "bad"):
        assert sum(f[key] for f in m["files"].values()) == m["totals"][key]
