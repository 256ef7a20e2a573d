"""Tests for netmap.network.graph: build_graph and tie_strength."""

from __future__ import annotations

import doctest
import math
import random
from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netmap.model import Dataset, Feedback, Interaction, Person, Referral, Relationship
from netmap.network import build_graph, tie_strength
from netmap.network import graph as graph_module
from netmap.network.graph import (
    HALF_LIFE_DAYS,
    INTERACTION_SCALE,
    MAX_INTERACTION_SIZE,
    MIN_STRENGTH,
    RECENCY_FLOOR,
    REFERRAL_EVIDENCE,
    RELATIONSHIP_DEFAULT,
    SAME_COMPANY_EVIDENCE,
)

NODE_ATTRS = {
    "name", "crm_id", "email", "company", "owner", "stage", "segment", "region",
    "is_customer", "nps", "scale", "feeling", "feedback_count",
}
EDGE_ATTRS = {"strength", "explicit", "kinds", "referrers", "shared", "same_company", "last_contact"}


def people(*ids: int, **kw) -> tuple[Person, ...]:
    return tuple(Person(id=i, name=f"P{i}", **kw) for i in ids)


# --------------------------------------------------------------------------- #
# tie_strength: hand-computed values
# --------------------------------------------------------------------------- #
def test_tie_strength_each_kind_of_evidence():
    assert tie_strength(explicit=0.7) == pytest.approx(0.7)
    assert tie_strength(relationship=True) == pytest.approx(RELATIONSHIP_DEFAULT) == 0.5
    assert tie_strength(referral=True) == pytest.approx(REFERRAL_EVIDENCE) == 0.8
    assert tie_strength(shared=1) == pytest.approx(1 - math.exp(-1 / 3))  # 0.2835
    assert tie_strength(shared=3) == pytest.approx(0.6321205588)
    assert tie_strength(shared=10) == pytest.approx(0.9643260066)
    assert tie_strength(same_company=True) == pytest.approx(SAME_COMPANY_EVIDENCE) == 0.2


def test_tie_strength_noisy_or_combination():
    # 1 - (1 - 0.5)(1 - 0.8)(1 - (1 - e^-1))(1 - 0.2) = 1 - 0.5*0.2*e^-1*0.8
    expected = 1 - 0.5 * 0.2 * math.exp(-1) * 0.8
    got = tie_strength(explicit=0.5, referral=True, shared=3, same_company=True)
    assert got == pytest.approx(expected)  # 0.970570...
    assert got == pytest.approx(0.9705696, abs=1e-7)
    # an explicit strength overrides the default for "relationship without strength"
    assert tie_strength(explicit=0.3, relationship=True) == pytest.approx(0.3)


def test_tie_strength_recency():
    assert tie_strength(referral=True, age_days=0) == pytest.approx(0.8)
    # one half-life: factor 0.3 + 0.7 * 0.5 = 0.65
    assert tie_strength(referral=True, age_days=HALF_LIFE_DAYS) == pytest.approx(0.8 * 0.65)
    # two half-lives: 0.3 + 0.7 * 0.25 = 0.475
    assert tie_strength(referral=True, age_days=730) == pytest.approx(0.8 * 0.475)
    # very old: the floor
    assert tie_strength(referral=True, age_days=1e6) == pytest.approx(0.8 * RECENCY_FLOOR)
    # unknown age or a date after as_of: no penalty
    assert tie_strength(referral=True, age_days=None) == pytest.approx(0.8)
    assert tie_strength(referral=True, age_days=-30) == pytest.approx(0.8)
    # combination with recency (doctest value)
    assert tie_strength(referral=True, shared=3, age_days=365) == pytest.approx(0.6021756, abs=1e-7)


def test_tie_strength_clips():
    assert tie_strength() == MIN_STRENGTH  # no evidence at all
    assert tie_strength(shared=1, age_days=1e6) == pytest.approx(0.2834687 * 0.3)  # 0.085, kept
    assert tie_strength(explicit=0.1, age_days=1e6) == MIN_STRENGTH  # 0.03 -> 0.05
    assert tie_strength(explicit=5.0) == 1.0  # out-of-range source value


def test_constants_documented_in_docstring():
    doc = tie_strength.__doc__
    for text in ("0.5", "0.8", "INTERACTION_SCALE = 3", "0.2", "365", "0.3", "0.05"):
        assert text in doc
    assert INTERACTION_SCALE == 3.0 and HALF_LIFE_DAYS == 365.0


def test_doctests():
    assert doctest.testmod(graph_module).failed == 0


@settings(max_examples=200, deadline=None)
@given(
    explicit=st.none() | st.floats(0.001, 1.0),
    relationship=st.booleans(),
    referral=st.booleans(),
    shared=st.integers(0, 1000),
    same_company=st.booleans(),
    age=st.none() | st.floats(-1000, 1e6),
)
def test_tie_strength_in_unit_interval(explicit, relationship, referral, shared, same_company, age):
    s = tie_strength(
        explicit=explicit, relationship=relationship, referral=referral,
        shared=shared, same_company=same_company, age_days=age,
    )
    assert 0 < s <= 1


@settings(max_examples=200, deadline=None)
@given(
    explicit=st.none() | st.floats(0.001, 1.0),
    referral=st.booleans(),
    shared=st.integers(0, 500),
    extra=st.integers(0, 500),
    same_company=st.booleans(),
    age=st.none() | st.floats(0, 5000),
)
def test_tie_strength_monotone_in_shared(explicit, referral, shared, extra, same_company, age):
    kw = dict(explicit=explicit, referral=referral, same_company=same_company, age_days=age)
    assert tie_strength(shared=shared + extra, **kw) >= tie_strength(shared=shared, **kw)


@settings(max_examples=200, deadline=None)
@given(
    a=st.floats(0.001, 1.0),
    b=st.floats(0.001, 1.0),
    referral=st.booleans(),
    shared=st.integers(0, 50),
    age=st.none() | st.floats(0, 5000),
)
def test_tie_strength_monotone_in_explicit(a, b, referral, shared, age):
    lo, hi = sorted((a, b))
    kw = dict(referral=referral, shared=shared, age_days=age)
    assert tie_strength(explicit=hi, **kw) >= tie_strength(explicit=lo, **kw)
    assert tie_strength(explicit=lo, **kw) >= tie_strength(**kw)


# --------------------------------------------------------------------------- #
# build_graph
# --------------------------------------------------------------------------- #
def test_nodes_and_attributes():
    ds = Dataset(
        people=(
            Person(id=3, name="Cy", crm_id="c3", email="cy@x", company="Acme", owner="Ada",
                   stage="customer", segment="Fintech", region="Berlin"),
            Person(id=1, name="Al"),
            Person(id=2, name="Bo", stage="lead"),
        ),
        relationships=(Relationship(1, 3, kind="knows", strength=0.6),),
    )
    G = build_graph(ds)
    assert list(G.nodes) == [1, 2, 3]  # sorted, isolated 2 included
    assert G.degree(2) == 0
    for _, data in G.nodes(data=True):
        assert set(data) == NODE_ATTRS
    for _, _, data in G.edges(data=True):
        assert set(data) == EDGE_ATTRS
    c = G.nodes[3]
    assert (c["name"], c["crm_id"], c["email"], c["company"], c["owner"]) == ("Cy", "c3", "cy@x", "Acme", "Ada")
    assert (c["stage"], c["segment"], c["region"], c["is_customer"]) == ("customer", "Fintech", "Berlin", True)
    assert G.nodes[2]["is_customer"] is False
    assert G.nodes[1]["feeling"] == "unknown" and G.nodes[1]["nps"] is None
    assert G.nodes[1]["scale"] is None and G.nodes[1]["feedback_count"] == 0
    assert G.graph["ignored_evidence"] == 0


def test_feedback_latest_by_date_then_the_cautious_reading_whatever_the_order():
    d1, d2 = date(2024, 1, 1), date(2024, 6, 1)
    feedback = [
        Feedback(1, 10, on=d1),
        Feedback(1, 3, on=d2),      # latest for 1: detractor
        Feedback(1, 9, on=None),    # undated counts as older
        Feedback(2, 9),
        Feedback(2, 7),             # same (missing) date: the lower feeling -> passive
        Feedback(3, 4, scale="csat", on=d1),
        Feedback(3, 5, scale="csat", on=d1),  # same date: the lower feeling -> passive
        Feedback(5, 2, scale="csat", on=d1),
        Feedback(5, 2, scale="nps", on=d1),   # both detractors, score 2: the 0-10 answer holds
        Feedback(6, 5, scale="csat", on=d1),
        Feedback(6, 9, scale="nps", on=d1),   # both promoters: the 0-10 answer holds, whatever the scores
        Feedback(99, 10),           # unknown person: ignored
    ]
    rng = random.Random(5)
    for _ in range(6):
        G = build_graph(Dataset(people=people(1, 2, 3, 4, 5, 6), feedback=tuple(feedback)))
        assert (G.nodes[1]["nps"], G.nodes[1]["feeling"], G.nodes[1]["feedback_count"]) == (3.0, "detractor", 3)
        assert (G.nodes[2]["nps"], G.nodes[2]["feeling"], G.nodes[2]["feedback_count"]) == (7.0, "passive", 2)
        assert (G.nodes[3]["scale"], G.nodes[3]["feeling"], G.nodes[3]["nps"]) == ("csat", "passive", 4.0)
        assert isinstance(G.nodes[3]["nps"], float)
        assert (G.nodes[5]["scale"], G.nodes[5]["feeling"]) == ("nps", "detractor")
        assert (G.nodes[6]["scale"], G.nodes[6]["nps"], G.nodes[6]["feeling"]) == ("nps", 9.0, "promoter")
        assert G.nodes[4]["feeling"] == "unknown"
        rng.shuffle(feedback)


def test_self_loops_never_reach_the_graph():
    ds = Dataset(
        people=people(1, 2),
        relationships=(Relationship(1, 1, kind="self"),),
        referrals=(Referral(2, 2),),
        interactions=(Interaction(1, "meeting", (1, 1)), Interaction(2, "meeting", (2, 2, 2))),
    )
    G = build_graph(ds)
    assert G.number_of_edges() == 0
    assert list(nx_selfloops(G)) == []


def nx_selfloops(G):
    return [(u, v) for u, v in G.edges if u == v]


def test_edge_attributes_combine_all_evidence():
    as_of = date(2025, 1, 1)
    ds = Dataset(
        people=(
            Person(1, "A", company=" Acme "), Person(2, "B", company="acme"),
            Person(3, "C", company="Acme"), Person(4, "D"),
        ),
        relationships=(
            Relationship(1, 2, kind="knows", strength=0.4, since=date(2020, 1, 1)),
            Relationship(2, 1, kind="colleague", strength=0.6),
            Relationship(1, 2, kind="knows", strength=None),
        ),
        referrals=(Referral(2, 1, on=date(2024, 1, 1)), Referral(3, 4), Referral(4, 3)),
        interactions=(
            Interaction(10, "meeting", (1, 2, 4), on=date(2024, 12, 1)),
            Interaction(10, "meeting", (2, 1)),          # same id again: one interaction
            Interaction(11, "deal", (2, 1, 1)),          # duplicate participant
        ),
        as_of=as_of,
    )
    G = build_graph(ds)
    e = G.edges[1, 2]
    assert e["explicit"] == 0.6
    assert e["kinds"] == ("colleague", "knows")
    assert e["referrers"] == (2,)
    assert e["shared"] == 2
    assert e["same_company"] is True  # " Acme " == "acme" after strip/casefold
    assert e["last_contact"] == date(2024, 12, 1)
    age = (as_of - date(2024, 12, 1)).days
    expected = tie_strength(explicit=0.6, referral=True, shared=2, same_company=True, age_days=age)
    assert e["strength"] == pytest.approx(expected)
    # both directions of referral are kept
    assert G.edges[3, 4]["referrers"] == (3, 4)
    assert G.edges[3, 4]["kinds"] == () and G.edges[3, 4]["explicit"] is None
    assert G.edges[3, 4]["last_contact"] is None
    assert G.edges[3, 4]["strength"] == pytest.approx(REFERRAL_EVIDENCE)  # no date, no penalty
    # interaction-only ties
    assert G.edges[1, 4]["shared"] == 1 and G.edges[1, 4]["same_company"] is False
    # same (small) company alone: a weak shared-account tie
    assert G.edges[1, 3]["same_company"] is True and G.edges[1, 3]["shared"] == 0
    assert G.edges[1, 3]["strength"] == pytest.approx(SAME_COMPANY_EVIDENCE)
    assert G.edges[2, 3]["strength"] == pytest.approx(SAME_COMPANY_EVIDENCE)
    # ... which a large company does not make
    H = build_graph(ds, max_company_size=2)
    assert not H.has_edge(1, 3) and not H.has_edge(2, 3) and H.has_edge(1, 2)


def test_strength_of_every_edge_is_tie_strength_of_its_attributes():
    rng = random.Random(7)
    as_of = date(2025, 6, 1)
    ppl = tuple(Person(i, f"P{i}", company=rng.choice(["A", "B", None])) for i in range(40))
    rels = tuple(
        Relationship(rng.randrange(40), rng.randrange(40), kind=rng.choice(["k", None]),
                     strength=rng.choice([None, rng.random()]),
                     since=rng.choice([None, as_of - timedelta(days=rng.randrange(2000))]))
        for _ in range(60)
    )
    refs = tuple(Referral(rng.randrange(40), rng.randrange(40),
                          on=rng.choice([None, as_of - timedelta(days=rng.randrange(900))]))
                 for _ in range(30))
    inter = tuple(Interaction(i, "m", tuple(rng.sample(range(40), rng.randrange(1, 6))),
                              on=rng.choice([None, as_of - timedelta(days=rng.randrange(900))]))
                  for i in range(50))
    G = build_graph(Dataset(people=ppl, relationships=rels, referrals=refs, interactions=inter, as_of=as_of))
    assert G.number_of_edges() > 50
    for a, b, e in G.edges(data=True):
        assert a < b
        age = None if e["last_contact"] is None else (as_of - e["last_contact"]).days
        expected = tie_strength(
            explicit=e["explicit"],
            relationship=any((r.a_id, r.b_id) in ((a, b), (b, a)) for r in rels),
            referral=bool(e["referrers"]),
            shared=e["shared"],
            same_company=e["same_company"],
            age_days=age,
        )
        assert e["strength"] == pytest.approx(expected)
        assert 0 < e["strength"] <= 1


def test_no_as_of_means_no_recency_penalty():
    ds = Dataset(people=people(1, 2), referrals=(Referral(1, 2, on=date(2000, 1, 1)),))
    assert build_graph(ds).edges[1, 2]["strength"] == pytest.approx(0.8)


def test_large_interactions_contribute_no_ties():
    big = tuple(range(MAX_INTERACTION_SIZE + 1))
    ok = tuple(range(100, 100 + MAX_INTERACTION_SIZE))
    ds = Dataset(
        people=people(*big, *ok),
        interactions=(Interaction(1, "webinar", big), Interaction(2, "event", ok)),
    )
    G = build_graph(ds)
    assert G.number_of_nodes() == 2 * MAX_INTERACTION_SIZE + 1
    # the 51-person webinar adds nothing, the 50-person event is a clique
    assert G.number_of_edges() == MAX_INTERACTION_SIZE * (MAX_INTERACTION_SIZE - 1) // 2
    assert all(G.degree(i) == 0 for i in big)
    # the cap is a parameter
    G2 = build_graph(ds, max_interaction_size=10)
    assert G2.number_of_edges() == 0
    assert G2.graph["max_interaction_size"] == 10


def test_large_interaction_still_counts_when_other_evidence():
    big = tuple(range(60))
    ds = Dataset(people=people(*big), interactions=(Interaction(1, "webinar", big),),
                 relationships=(Relationship(0, 1),))
    G = build_graph(ds)
    assert G.number_of_edges() == 1 and G.edges[0, 1]["shared"] == 0


def test_unknown_people_are_ignored_and_counted():
    ds = Dataset(
        people=people(1, 2),
        relationships=(Relationship(1, 99),),
        referrals=(Referral(98, 2),),
        interactions=(Interaction(1, "m", (1, 2, 97)),),
    )
    G = build_graph(ds)
    assert set(G.nodes) == {1, 2}
    assert list(G.edges) == [(1, 2)]
    assert G.graph["ignored_evidence"] == 3


def test_empty_dataset():
    G = build_graph(Dataset())
    assert G.number_of_nodes() == 0 and G.number_of_edges() == 0


def test_duplicate_person_first_wins():
    ds = Dataset(people=(Person(1, "first"), Person(1, "second")))
    assert build_graph(ds).nodes[1]["name"] == "first"


@st.composite
def datasets(draw):
    n = draw(st.integers(2, 12))
    ids = draw(st.lists(st.integers(0, 10_000), min_size=n, max_size=n, unique=True))
    pid = st.sampled_from(ids)
    day = st.none() | st.dates(date(2020, 1, 1), date(2024, 12, 31))
    ppl = tuple(Person(i, f"P{i}", company=draw(st.sampled_from(["A", "B", None]))) for i in ids)
    rels = tuple(
        Relationship(draw(pid), draw(pid), kind=draw(st.sampled_from(["k", "c", None])),
                     strength=draw(st.none() | st.floats(0.01, 1.0)), since=draw(day))
        for _ in range(draw(st.integers(0, 8)))
    )
    refs = tuple(Referral(draw(pid), draw(pid), on=draw(day)) for _ in range(draw(st.integers(0, 5))))
    inter = tuple(
        Interaction(k, "m", tuple(draw(st.lists(pid, min_size=0, max_size=6))), on=draw(day))
        for k in range(draw(st.integers(0, 6)))
    )
    return Dataset(people=ppl, relationships=rels, referrals=refs, interactions=inter,
                   as_of=date(2025, 1, 1))


def _snapshot(G):
    return (
        list(G.nodes(data=True)),
        [(a, b, sorted(d.items())) for a, b, d in G.edges(data=True)],
    )


@settings(max_examples=80, deadline=None)
@given(ds=datasets(), seed=st.integers(0, 1000))
def test_build_graph_independent_of_input_order(ds, seed):
    rng = random.Random(seed)

    def shuffled(xs):
        xs = list(xs)
        rng.shuffle(xs)
        return tuple(xs)

    ds2 = Dataset(
        people=shuffled(ds.people),
        relationships=shuffled(ds.relationships),
        referrals=shuffled(ds.referrals),
        interactions=shuffled(ds.interactions),
        as_of=ds.as_of,
    )
    G1, G2 = build_graph(ds), build_graph(ds2)
    assert _snapshot(G1) == _snapshot(G2)
    for a, b, d in G1.edges(data=True):
        assert a != b and 0 < d["strength"] <= 1
        assert d["referrers"] == tuple(sorted(d["referrers"]))
        assert set(d["referrers"]) <= {a, b}


@pytest.mark.parametrize("budget", [1, 7, 50, 4_000_000])
def test_masked_product_blocks(budget):
    import numpy as np
    import scipy.sparse as sp

    from netmap.network.arrays import masked_product

    rng = np.random.default_rng(budget)
    X = sp.random_array((30, 25), density=0.2, format="csr", rng=rng)
    Y = sp.random_array((25, 30), density=0.2, format="csr", rng=rng)
    rows = np.sort(rng.integers(0, 30, 200))
    cols = rng.integers(0, 30, 200)
    dense = (X @ Y).toarray()
    got = masked_product(sp.csr_array(X), sp.csr_array(Y), rows, cols, budget=budget)
    assert np.allclose(got, dense[rows, cols])
