"""Tests for netmap.network.service_queue: open tickets ranked by risk and reach."""

from __future__ import annotations

import random
from datetime import date

import pytest

from netmap.network.service_queue import QueueRow, Requester, Ticket, service_queue

AS_OF = date(2024, 6, 30)
BERLIN, LYON = "Berlin · Fintech", "Lyon · Retail"


def people():
    """Five requesters among 20 people (the others set the percentiles):

    1 Dana: detractor, reaches 18, bridges Berlin and Lyon, rated a ticket bad 10 days ago
    2 Eli:  detractor, reaches nobody, no bridge
    3 Fay:  promoter, reaches 20, the top bridge
    4 Gus:  passive, reaches 6, rated a ticket bad 40 days ago
    5 Hal:  no answer yet, reaches 3
    """
    out = {
        1: Requester(1, "Dana", "detractor", 18.0, 0.8, (BERLIN, LYON), "Alice Martin"),
        2: Requester(2, "Eli", "detractor", 0.0, 0.0, (), "Bob Nguyen"),
        3: Requester(3, "Fay", "promoter", 20.0, 0.9, (), "Alice Martin"),
        4: Requester(4, "Gus", "passive", 6.0, 0.1, (), "Bob Nguyen"),
        5: Requester(5, "Hal", "unknown", 3.0, 0.0, (), "Carla Reyes"),
    }
    for i in range(6, 21):
        out[i] = Requester(i, f"P{i}", "passive", 0.1 * i, 0.0)
    return out


def tickets():
    return [
        Ticket("Z-101", 1, "open", date(2024, 6, 25)),
        Ticket("Z-90", 1, "solved", date(2024, 6, 10), solved=date(2024, 6, 20), rating="detractor"),
        Ticket("Z-102", 2, "pending", date(2024, 6, 1)),
        Ticket("Z-103", 3, "open", date(2024, 6, 28)),
        Ticket("Z-104", 4, "open", date(2024, 6, 29)),
        Ticket("Z-80", 4, "closed", date(2024, 5, 1), solved=date(2024, 5, 21), rating="detractor"),
        Ticket("Z-105", 5, "open", date(2024, 6, 15)),
        Ticket("Z-70", 3, "solved", date(2024, 6, 1), solved=date(2024, 6, 2), rating="promoter"),
        Ticket("Z-60", 7, "closed", date(2024, 6, 1)),  # not open: never in the queue
    ]


def test_the_order_is_what_a_person_would_point_at():
    q = service_queue(tickets(), people(), as_of=AS_OF)
    assert [r.name for r in q] == ["Dana", "Gus", "Hal", "Eli", "Fay"]
    assert [r.rank for r in q] == [1, 2, 3, 4, 5]
    top = q[0]
    assert isinstance(top, QueueRow)
    assert top.risk == 1.0 and top.action == "recover" and top.last_rating == "detractor"
    assert top.reason == ("detractor, rated a ticket bad 10 days ago, bridges two client clusters "
                          "(Berlin · Fintech and Lyon · Retail), reaches ~18 people")
    assert top.todo == "fix this first and call them"
    assert top.waiting_days == 5 and top.owner == "Alice Martin"


def test_known_scores():
    q = {r.name: r for r in service_queue(tickets(), people(), as_of=AS_OF)}
    # Dana: risk 0.6 + 0.4 = 1; spread pct 19/20, bridge pct 19/20 (0.8 second of 20)
    assert q["Dana"].reach == pytest.approx(0.95, abs=1e-3)
    assert q["Dana"].score == pytest.approx(100 * 1.0 * (0.25 + 0.75 * 0.95), abs=1e-3)
    # Gus: passive 0.3 + bad rating 40 days ago 0.4
    assert q["Gus"].risk == pytest.approx(0.7) and q["Gus"].action == "recover"
    # Fay: promoter 0.15 - a good rating 28 days ago 0.1; the widest reach
    assert q["Fay"].risk == pytest.approx(0.05) and q["Fay"].reach == pytest.approx(1.0)
    assert q["Fay"].action == "amplify" and "rated a ticket well 28 days ago" in q["Fay"].reason
    # Eli: no reach at all: the 0.25 floor
    assert q["Eli"].score == pytest.approx(100 * 0.6 * 0.25)
    assert q["Hal"].action == "ask" and q["Hal"].reason.startswith("no survey answer yet")


def test_ratings_outside_the_recent_window_or_after_as_of_do_not_count():
    q = {r.name: r for r in service_queue(tickets(), people(), as_of=AS_OF, recent_days=30)}
    assert q["Gus"].risk == pytest.approx(0.3) and q["Gus"].last_rating is None and q["Gus"].action == "elevate"
    q = {r.name: r for r in service_queue(tickets(), people(), as_of=date(2024, 6, 26))}
    assert "Fay" not in q and "Gus" not in q  # their open tickets were opened after June 26
    assert q["Dana"].last_rating == "detractor"
    later = [Ticket("L-1", 2, "open", date(2024, 6, 1)),
             Ticket("L-0", 2, "solved", date(2024, 5, 1), solved=date(2024, 6, 27), rating="detractor")]
    assert service_queue(later, people(), as_of=date(2024, 6, 26))[0].last_rating is None
    assert service_queue(later, people(), as_of=date(2024, 6, 27))[0].last_rating == "detractor"


def test_ties_are_broken_deterministically_not_by_input_order():
    twins = {i: Requester(i, f"T{i}", "detractor", 2.0, 0.0) for i in range(1, 5)}
    ts = [
        Ticket("B-2", 1, "open", date(2024, 6, 1)),
        Ticket("B-1", 2, "open", date(2024, 6, 1)),
        Ticket("A-9", 3, "open", date(2024, 6, 3)),
        Ticket("C-1", 4, "pending", date(2024, 5, 1)),
    ]
    want = [r.ticket_id for r in service_queue(ts, twins, as_of=AS_OF)]
    # equal scores: the older ticket first, then the ticket id
    assert want == ["C-1", "B-1", "B-2", "A-9"]
    rng = random.Random(11)
    for _ in range(20):
        rng.shuffle(ts)
        assert [r.ticket_id for r in service_queue(ts, twins, as_of=AS_OF)] == want
    # the whole queue, not only the order, is the same under shuffling
    full = service_queue(tickets(), people(), as_of=AS_OF)
    t = tickets()
    for _ in range(10):
        rng.shuffle(t)
        assert service_queue(t, people(), as_of=AS_OF) == full


def test_owner_top_and_strangers():
    q = service_queue(tickets(), people(), as_of=AS_OF, owner="  bob nguyen ")
    assert [r.name for r in q] == ["Gus", "Eli"]
    assert len(service_queue(tickets(), people(), as_of=AS_OF, top=2)) == 2
    q = service_queue([Ticket("X-1", 99, "open", date(2024, 6, 1))], people(), as_of=AS_OF)
    assert q[0].feeling == "unknown" and q[0].reach == 0.0 and q[0].action == "ask"
    assert q[0].reason == "no survey answer yet, reaches ~0.0 people"
    assert service_queue([], people(), as_of=AS_OF) == []
