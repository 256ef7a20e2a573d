"""Advice a founder can trust (issue 11): the bridges list finds what a person would
point at on classic networks imported as CRM exports, and every answer is a function
of the data, not of the order its rows and files were imported in."""

from __future__ import annotations

import csv
import io
import itertools
import random
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netmap import import_paths
from netmap.analysis import analyze, measures
from netmap.model import Dataset, Feedback, Interaction, Person, Referral, Relationship
from netmap.network.bridges import bridge_ranking
from netmap.queries import nurture_list, plan
from tools.synth import generate_company, write_company

CLASSIC = Path(__file__).parent / "data" / "classic"


def _by_name(store) -> pd.DataFrame:
    people = measures(store).people
    return bridge_ranking(people).reset_index(drop=True)


def test_florentine_families_the_medici_lead_the_bridges(store):
    """Padgett's Florentine marriage network (Padgett & Ansell 1993): the Medici broker
    it (betweenness 0.52, the lowest constraint); ranks had put Guadagni (0.25) first."""
    import_paths(store, [CLASSIC / "florentine-relationships.csv"])
    ranked = _by_name(store)
    assert ranked.loc[0, "name"] == "Medici"
    assert ranked.loc[0, "betweenness"] == pytest.approx(0.521978, abs=1e-6)
    assert ranked["name"].head(3).tolist() == ["Medici", "Guadagni", "Albizzi"]  # betweenness' own order


def test_les_miserables_valjean_leads_and_myriel_is_a_cut_vertex(store):
    """Knuth's co-appearance network: Valjean is the broker of the novel; Myriel alone
    links seven minor characters of the first book to everyone else."""
    import_paths(store, [CLASSIC / "lesmis-relationships.csv"])
    ranked = _by_name(store)
    assert ranked.loc[0, "name"] == "Valjean"
    myriel = ranked.set_index("name").loc["Myriel"]
    assert bool(myriel["is_cut_vertex"]) and myriel["separates"] == 7
    assert ranked.index[ranked["name"] == "Myriel"][0] < 5


def _ring_of_clusters(seed: int, clusters: int = 8, size: int = 25, prospects: int = 60):
    """Client clusters in a ring, each joined to the next only by one broker's ties,
    with prospects hanging off single customers (cut vertices that separate one person)."""
    rng = np.random.default_rng(seed)
    rows, brokers = [], []
    name = lambda i: f"Person {i:04d}"  # noqa: E731
    for c in range(clusters):
        members = range(c * size, (c + 1) * size)
        for a, b in itertools.combinations(members, 2):
            if rng.random() < 0.3:
                rows.append((name(a), name(b), "knows", round(float(rng.uniform(0.3, 1.0)), 2)))
        broker = c * size + int(rng.integers(size))
        brokers.append(name(broker))
        nxt = ((c + 1) % clusters) * size
        for j in rng.choice(size, 2, replace=False):
            rows.append((name(broker), name(nxt + int(j)), "partner", 0.3))
    n = clusters * size
    for q in range(prospects):
        rows.append((name(int(rng.integers(n))), f"Prospect {q:03d}", "knows", 0.5))
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["Person A", "Person B", "Relationship", "Strength"])
    w.writerows(rows)
    return out.getvalue(), brokers


@pytest.mark.parametrize("seed", [0, 1])
def test_brokers_between_client_clusters_fill_the_top_of_the_list(store, tmp_path, seed):
    text, brokers = _ring_of_clusters(seed)
    path = tmp_path / "ring.csv"
    path.write_text(text)
    import_paths(store, [path])
    ranked = _by_name(store)
    top = set(ranked["name"].head(len(brokers)))
    assert len(top & set(brokers)) >= len(brokers) - 1
    # at least as many as betweenness alone finds (the flat cut-vertex bonus found 10-15 %)
    by_betweenness = set(ranked.sort_values("betweenness", ascending=False)["name"].head(len(brokers)))
    assert len(top & set(brokers)) >= len(by_betweenness & set(brokers))


# ----------------------------------------------------------------------------------
# Invariance: the same data in any order gives the same answers
# ----------------------------------------------------------------------------------


def _answers(analysis, key) -> dict:
    """Everything a user reads, with people named by ``key`` (person id -> stable key)."""
    people = analysis.people.assign(key=analysis.people["person_id"].map(key))
    groups = people.groupby("community_id")["key"].apply(frozenset)
    ties = analysis.ties.assign(a=analysis.ties["a_id"].map(key), b=analysis.ties["b_id"].map(key))
    by_key = people.set_index("key")
    return {
        "communities": frozenset(groups),
        "labels": sorted(analysis.labels.values()),
        "nurture": [key[p] for p in nurture_list(analysis.people)["person_id"]],
        "bridges": [key[p] for p in bridge_ranking(analysis.people)["person_id"]],
        "plan": [key[p] for p in plan(analysis, 10)["person_id"]],
        "weak_ties": [frozenset(t) for t in zip(ties["a"], ties["b"])],
        "measures": by_key.sort_index()[["spread", "spread_se", "betweenness", "constraint", "participation",
                                         "bridge_score", "nurture_score", "action", "community", "reason"]],
    }


def _same(a: dict, b: dict) -> None:
    for name in a:
        if name == "measures":
            pd.testing.assert_frame_equal(a[name], b[name], check_exact=False, rtol=1e-12, atol=1e-12)
        else:
            assert a[name] == b[name], name


def _shuffled(ds: Dataset, rng: random.Random) -> tuple[Dataset, dict]:
    """``ds`` as another import order would store it: other person ids, records in another order."""
    ids = [p.id for p in ds.people]
    new = dict(zip(ids, rng.sample(range(1000, 1000 + 3 * len(ids)), len(ids))))
    m = new.__getitem__

    def shuffle(items):
        items = list(items)
        rng.shuffle(items)
        return tuple(items)

    people = shuffle(Person(m(p.id), p.name, p.crm_id, p.email, p.company, p.owner, p.stage, p.segment, p.region,
                            p.created) for p in ds.people)
    return Dataset(
        people=people,
        relationships=shuffle(Relationship(m(r.a_id), m(r.b_id), r.kind, r.strength, r.since) for r in ds.relationships),
        referrals=shuffle(Referral(m(r.referrer_id), m(r.referred_id), r.on, r.status, r.value) for r in ds.referrals),
        interactions=shuffle(Interaction(i.id + 5000, i.kind, tuple(m(x) for x in i.participant_ids), i.name, i.on)
                             for i in ds.interactions),
        feedback=tuple(Feedback(m(f.person_id), f.score, f.scale, f.on, f.comment) for f in ds.feedback),
        as_of=ds.as_of,
        version=ds.version,
        keys={m(k): v for k, v in ds.keys.items()},
    ), new


@settings(max_examples=15, deadline=None)
@given(people=st.integers(8, 60), ties=st.integers(5, 150), seed=st.integers(0, 10_000), order=st.integers(0, 10_000))
def test_answers_do_not_depend_on_ids_or_record_order(people, ties, seed, order):
    rng = np.random.default_rng(seed)
    persons = tuple(
        Person(i, f"P{i}", crm_id=f"C{i}" if i % 3 else None, email=f"p{i}@x.com" if i % 2 else None,
               company=f"Co{i % 7}", owner=f"O{i % 3}", stage="customer" if i % 4 else "lead")
        for i in range(1, people + 1)
    )
    rels = tuple(
        Relationship(int(a), int(b), "knows", round(float(s), 2))
        for a, b, s in zip(rng.integers(1, people + 1, ties), rng.integers(1, people + 1, ties), rng.uniform(0.1, 1, ties))
    )
    fb = tuple(Feedback(int(p), float(rng.integers(0, 11))) for p in rng.choice(np.arange(1, people + 1), people // 2,
                                                                             replace=False))
    ds = Dataset(people=persons, relationships=rels, feedback=fb)
    other, new = _shuffled(ds, random.Random(order))
    key_a = {p.id: p.name for p in persons}
    key_b = {new[p.id]: p.name for p in persons}
    _same(_answers(analyze(ds, samples=300), key_a), _answers(analyze(other, samples=300), key_b))


def _reversed_export(src: Path, dst: Path) -> None:
    """The same export with its data rows in reverse order (header rows kept on top)."""
    raw = src.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(raw)))
    # SurveyMonkey writes two header rows, Qualtrics three
    head = 2 if "surveymonkey" in src.name else 3 if "qualtrics" in src.name else 1
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows[:head] + rows[head:][::-1])
    dst.write_text(out.getvalue(), encoding="utf-8")


def test_the_same_exports_imported_in_reverse_give_the_same_answers(tmp_path, another_database):
    """The issue's finding, end to end: the same files with rows and files in reverse
    order gave 686 of 2,000 people another community; now nothing moves."""
    from netmap import Store

    files = write_company(generate_company(300, seed=11), tmp_path / "forward", xlsx=False)
    backward = tmp_path / "backward"
    backward.mkdir()
    for f in files:
        _reversed_export(f, backward / f.name)
    answers = []
    for url, paths in ((another_database("fwd"), files), (another_database("bwd"), sorted(backward.iterdir())[::-1])):
        store = Store(url)
        try:
            import_paths(store, paths)
            analysis = measures(store)
            ds = store.load_dataset()
            key = {p.id: ds.keys.get(p.id) or p.name for p in ds.people}
            answers.append(_answers(analysis, key))
        finally:
            store.close()
    _same(*answers)


# ----------------------------------------------------------------------------------
# Spread precision against an independent Monte-Carlo reference
# ----------------------------------------------------------------------------------


def _reference_spread(n, u, v, p, runs: int, seed: int) -> np.ndarray:
    """Expected others reached, by plain bond percolation written apart from netmap:
    one snapshot at a time, components with networkx's union-find."""
    rng = np.random.default_rng(seed)
    total = np.zeros(n)
    for _ in range(runs):
        keep = rng.random(len(u)) < p
        uf = nx.utils.UnionFind(range(n))
        for a, b in zip(u[keep].tolist(), v[keep].tolist()):
            uf.union(a, b)
        size: dict = {}
        roots = [uf[x] for x in range(n)]
        for r in roots:
            size[r] = size.get(r, 0) + 1
        total += np.fromiter((size[r] - 1 for r in roots), float, n)
    return total / runs


@pytest.mark.slow
def test_spread_is_within_3_percent_of_a_20000_run_reference_and_seeds_agree(tmp_path):
    from netmap.network import build_graph
    from netmap.network.spread import _calibrated, spread_arrays, edge_probability, estimate_spread, samples_for

    company = generate_company(1500, seed=3)
    files = write_company(company, tmp_path / "co", xlsx=False)
    from netmap import Store

    from .conftest import new_database_url

    store = Store(new_database_url(tmp_path, "spread"))
    try:
        import_paths(store, files)
        G = build_graph(store.load_dataset())
    finally:
        store.close()
    nodes, u, v, s = spread_arrays(G)
    rate = _calibrated(nodes, u, v, s)
    reference = _reference_spread(len(nodes), u, v, edge_probability(s, rate), 20_000, seed=99)
    tenth = np.sort(reference)[::-1][9]
    tops = []
    for seed in (0, 1):
        est = estimate_spread(nodes, u, v, s, samples_for(len(nodes), len(u)), seed, rate)
        shown = np.argsort(-est.spread, kind="stable")[:20]  # the top 20 as a user sees them
        error = np.median(np.abs(est.spread[shown] - reference[shown]) / reference[shown])
        assert error <= 0.03, (seed, error)
        # the standard error is honest: the reference is within 4 of them for nearly everyone shown
        assert np.mean(np.abs(est.spread[shown] - reference[shown]) <= 4 * est.spread_se[shown] + 1e-9) >= 0.95
        tops.append(set(shown[:10].tolist()))
    # two seeds agree on at least 9 of the top 10, or differ only on people tied with the 10th (the
    # reference itself cannot order them: this company's 9th to 14th are within 1.5% of each other)
    differ = tops[0] ^ tops[1]
    assert len(tops[0] & tops[1]) >= 9 or all(abs(reference[x] - tenth) <= 0.015 * tenth for x in differ), (
        sorted(reference[list(differ)]), tenth)
