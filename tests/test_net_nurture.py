"""Tests for netmap.network.nurture (whom to nurture next)."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pandas as pd
import pytest

from netmap.network.nurture import RANKING_COLUMNS, nurture_actions, nurture_ranking

LABELS = {0: "Berlin · Fintech", 1: "Lyon · Retail"}


def people():
    """1-4 have large spread (top 25 % of customers), 5-8 and 11-14 small, 9 is a lead, 10 a bridge."""
    rows = [
        # id, name, owner, feeling, nps, spread, reach2, bridge, community, is_customer
        (1, "Ann", "Ola", "promoter", 10, 40.0, 120, 0.10, 0, True),
        (2, "Ben", "ola ", "passive", 7, 35.0, 90, 0.05, 0, True),
        (3, "Cem", "Kim", "detractor", 3, 30.0, 80, 0.02, 1, True),
        (4, "Dee", "Kim", "unknown", None, 45.0, 150, 0.01, 1, True),
        (5, "Eve", "Ola", "promoter", 9, 1.0, 5, 0.0, 0, True),
        (6, "Fay", "Ola", "passive", 8, 0.5, 3, 0.0, 0, True),
        (7, "Gus", "Kim", "detractor", 2, 0.7, 4, 0.0, 1, True),
        (8, "Hal", "Kim", "unknown", None, 0.2, 2, 0.0, 1, True),
        (9, "Ivy", None, "unknown", None, 99.0, 300, 0.0, 1, False),
        (10, "Jo", "Kim", "passive", 8, 2.0, 10, 0.90, 1, True),
    ] + [(i, f"Low{i}", "Kim", "promoter", 9, 0.1, 1, 0.0, 1, True) for i in range(11, 15)]
    cols = ["person_id", "name", "owner", "feeling", "nps", "spread", "reach2",
            "bridge_score", "community", "is_customer"]
    return pd.DataFrame(rows, columns=cols).set_index("person_id")


def graph():
    G = nx.Graph()
    for pid, row in people().iterrows():
        G.add_node(pid, name=row["name"], is_customer=row["is_customer"])
    G.add_edge(2, 1, strength=0.9)
    G.add_edge(2, 3, strength=0.8)  # Ben (Berlin) bridges into Lyon
    G.add_edge(10, 1, strength=0.5)
    return G


def communities():
    return {int(p): int(c) for p, c in people()["community"].items()}


def test_actions_follow_feeling_and_spread():
    out = nurture_actions(people(), graph(), communities(), LABELS)
    assert out["action"].to_dict() == {
        1: "amplify", 2: "elevate", 3: "recover", 4: "ask",
        5: "none", 6: "none", 7: "none", 8: "none",
        9: "none",  # a lead with no feedback: not someone we can nurture
        10: "elevate",  # small spread but the top bridge score
        11: "none", 12: "none", 13: "none", 14: "none",
    }
    assert ((out["nurture_score"] >= 0) & (out["nurture_score"] <= 100)).all()
    assert (out.loc[out["action"] == "none", "nurture_score"] == 0).all()
    assert (out.loc[out["action"] == "none", "reason"] == "").all()


def test_reason_names_the_clusters_feeling_and_reach():
    out = nurture_actions(people(), graph(), communities(), LABELS)
    assert out.loc[2, "reason"] == (
        "in the Berlin · Fintech cluster (1 tie), 1 tie to Lyon · Retail; passive, NPS 7; "
        "turn good into great: good word of mouth would reach ~35 people besides them (90 within two steps)"
    )
    assert out.loc[4, "reason"].startswith("in the Lyon · Retail cluster; no feedback yet; send the survey")
    assert "bad word of mouth would reach ~30 people" in out.loc[3, "reason"]
    assert "ask for an introduction" in out.loc[1, "reason"]


def test_reason_is_one_line_of_plain_text():
    labels = {0: "Berlin\n<b>Fintech</b>", 1: "Lyon\r\nRetail"}
    out = nurture_actions(people(), graph(), communities(), labels)
    for r in out["reason"]:
        assert "\n" not in r and "\r" not in r
    assert "Berlin <b>Fintech</b>" in out.loc[2, "reason"]  # data shown as typed, never interpreted


def test_everyone_eligible_without_customer_information():
    t = people().drop(columns="is_customer")
    out = nurture_actions(t)
    assert out.loc[9, "action"] == "ask"
    assert out.loc[9, "reason"].startswith("in the #1 cluster; no feedback yet")


def test_customer_flag_taken_from_graph_when_table_lacks_it():
    out = nurture_actions(people().drop(columns="is_customer"), graph(), communities(), LABELS)
    assert out.loc[9, "action"] == "none"


def test_missing_columns_raise():
    with pytest.raises(ValueError, match="spread"):
        nurture_actions(people().drop(columns="spread"))


def test_ranking_columns_order_and_filters():
    out = nurture_actions(people(), graph(), communities(), LABELS)
    r = nurture_ranking(out)
    assert list(r.columns) == RANKING_COLUMNS
    assert r["rank"].tolist() == list(range(1, len(r) + 1))
    assert set(r["action"]) <= {"amplify", "elevate", "recover", "ask"}
    assert len(r) == 5
    keys = list(zip(-r["nurture_score"], r["person_id"]))
    assert keys == sorted(keys)
    ola = nurture_ranking(out, owner="OLA")
    assert set(ola["person_id"]) == {1, 2}
    assert len(nurture_ranking(out, top=2)) == 2


def test_deterministic_under_row_order():
    t = people()
    a = nurture_ranking(nurture_actions(t, graph(), communities(), LABELS))
    shuffled = t.sample(frac=1.0, random_state=3)
    b = nurture_ranking(nurture_actions(shuffled, graph(), communities(), LABELS))
    pd.testing.assert_frame_equal(a, b)


def test_ties_in_score_broken_by_person_id():
    n = 8
    t = pd.DataFrame({
        "name": [f"P{i}" for i in range(n)], "owner": "A", "feeling": "promoter",
        "nps": 10, "spread": 5.0, "reach2": 3, "bridge_score": 0.0, "community": 0,
    }, index=pd.Index(np.arange(n)[::-1], name="person_id"))
    r = nurture_ranking(nurture_actions(t))
    assert r["person_id"].tolist() == sorted(r["person_id"])


def test_communities_default_to_the_table_column():
    out = nurture_actions(people(), graph(), None, LABELS)
    assert out.loc[2, "reason"].startswith("in the Berlin · Fintech cluster (1 tie), 1 tie to Lyon · Retail")


def test_reasons_say_links_only_with_the_tie_counts_that_carry_it():
    G = graph()
    G.add_edge(2, 4, strength=0.3)  # Ben now has two ties into Lyon
    out = nurture_actions(people(), G, communities(), LABELS)
    assert out.loc[2, "reason"].startswith("links Berlin · Fintech (1 tie) and Lyon · Retail (2 ties); ")


def test_reach_states_its_precision():
    t = people().assign(spread_se=0.5)
    t.loc[4, "spread"], t.loc[4, "spread_se"] = 4.14, 0.01
    out = nurture_actions(t, graph(), communities(), LABELS)
    assert "would reach ~35 people (±1) besides them" in out.loc[2, "reason"]  # 1.96 x 0.5, at the figure's precision
    assert "would reach ~4.1 people (±0.1) besides them" in out.loc[4, "reason"]
