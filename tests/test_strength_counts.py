"""Relationship strengths: how a file's strength column is read (issue 11, point 5).

Counts (co-appearances, emails, meetings) used to be divided by 100, which put
87% of Les Misérables' ties at the network's 0.05 floor. A column of whole
numbers above 10 is now read as counts through ``1 - exp(-x / median)``;
probabilities, 1-5 and 1-10 ratings and decimal percentages are read as before.
"""

from __future__ import annotations

import math
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from netmap import ImportOptions, import_files
from netmap.cli import main
from netmap.network import build_graph
from netmap.network.graph import MIN_STRENGTH
from netmap.ingest.values import strength_mapping

from .conftest import load
from .test_bad_inputs import reimport_changes_nothing

CLASSIC = Path(__file__).parent / "data" / "classic"
LESMIS = CLASSIC / "lesmis-relationships.csv"
FLORENTINE = CLASSIC / "florentine-relationships.csv"


def _mapped(values):
    rule = strength_mapping(values)
    return rule, [rule(v) for v in values]


# ------------------------------------------------------------------ the pure rule


def test_counts_saturate_around_the_median():
    rule, s = _mapped([1, 2, 2, 3, 31])
    assert rule.kind == "counts" and rule.scale == 2
    assert s[1] == pytest.approx(1 - math.exp(-1))  # the typical tie: 0.63
    assert s[0] == pytest.approx(1 - math.exp(-0.5))  # half as often: 0.39, far above the floor
    assert 0.999 < s[-1] <= 1.0
    assert s == sorted(s)


def test_a_tie_counted_once_among_mostly_once_ties_is_not_at_the_floor():
    rule, s = _mapped([1] * 20 + [2, 5, 12])
    assert rule.kind == "counts" and rule.scale == 1
    assert s[0] == pytest.approx(0.632, abs=1e-3)
    assert s[-1] == pytest.approx(1 - math.exp(-12))


def test_ratings_1_to_5_are_divided_by_5():
    rule, s = _mapped([1, 3, 4, 5])
    assert rule.kind == "rating 1-5"
    assert s == pytest.approx([0.2, 0.6, 0.8, 1.0])


def test_ratings_1_to_10_are_divided_by_10():
    rule, s = _mapped([1, 6, 8])
    assert rule.kind == "rating 1-10"
    assert s == pytest.approx([0.1, 0.6, 0.8])


def test_max_exactly_10_is_a_rating_not_counts():
    rule, s = _mapped([1, 2, 10])
    assert rule.kind == "rating 1-10"
    assert s == pytest.approx([0.1, 0.2, 1.0])
    assert strength_mapping([1, 2, 11]).kind == "counts"


def test_probabilities_are_kept_as_they_are():
    rule, s = _mapped([0.05, 0.5, 1.0])
    assert rule.kind == "as is"
    assert s == [0.05, 0.5, 1.0]


def test_decimal_percentages_are_divided_by_100():
    rule, s = _mapped([37.5, 12.0, 80.0])
    assert rule.kind == "percentage"
    assert s == pytest.approx([0.375, 0.12, 0.8])


def test_a_decimal_scale_above_100_is_divided_by_its_maximum():
    rule, s = _mapped([150.5, 301.0])
    assert rule.kind == "scaled to the maximum"
    assert s == pytest.approx([0.5, 1.0])


def test_a_single_value_column():
    assert _mapped([20])[1] == [pytest.approx(1 - math.exp(-1))]  # one count: the typical tie
    assert _mapped([20, 20, 20])[1] == [pytest.approx(1 - math.exp(-1))] * 3
    assert _mapped([4])[1] == [pytest.approx(0.8)]  # one rating
    assert _mapped([0.3])[1] == [0.3]
    assert _mapped([55.5])[1] == [pytest.approx(0.555)]


def test_whole_numbers_in_float_form_are_counts_too():
    # XLSX cells arrive as floats: 12.0 is the count 12
    assert strength_mapping([1.0, 2.0, 12.0]) == strength_mapping([1, 2, 12])


def test_the_rule_says_how_the_column_was_read():
    text = strength_mapping([1, 2, 2, 31]).describe()
    assert text.isascii()
    assert "counts" in text and "median" in text and "1 -> 0.39" in text and "2 -> 0.63" in text
    assert "1-5 rating" in strength_mapping([2, 5]).describe()
    assert "1-10 rating" in strength_mapping([2, 10]).describe()
    assert "percentages" in strength_mapping([37.5]).describe()
    assert "as they are" in strength_mapping([0.5]).describe()


@given(st.lists(st.one_of(st.integers(1, 10**9), st.floats(1e-300, 1e12, allow_nan=False)), min_size=1, max_size=50))
def test_every_strength_is_in_0_1_and_the_order_of_values_is_kept(values):
    rule = strength_mapping(values)
    s = [rule(v) for v in values]
    assert all(0 < x <= 1 for x in s)
    for (v1, s1), (v2, s2) in zip(sorted(zip(values, s)), sorted(zip(values, s))[1:]):
        assert v1 == v2 or s1 <= s2  # monotone: a larger value never gets a weaker tie
    assert strength_mapping(list(reversed(values))) == rule  # a function of the column, not of its order


# ------------------------------------------------------------------ Les Misérables


def _old_rule(count: int) -> float:
    """The strength a count got before: divided by 100 (max 31 <= 100), then the network's floor."""
    return max(MIN_STRENGTH, min(1.0, count / 100))


def test_lesmis_strengths_follow_the_counts_and_leave_the_floor(store):
    report = import_files(store, [(LESMIS.name, LESMIS)])
    (f,) = report.files
    assert f.kind == "relationships" and f.refused == 0 and f.added == {"people": 77, "relationships": 254}
    (note,) = [w for w in f.warnings if w.row is None and w.column == "Strength"]
    assert "counts" in note.message and "median count" in note.message

    ds = store.load_dataset()
    names = {p.id: p.name for p in ds.people}
    L = nx.les_miserables_graph()
    assert set(names.values()) == set(L.nodes)  # one person per character: MmeMagloire, Myriel ... stay apart
    G = build_graph(ds)
    counts, strengths = [], []
    for a, b, d in G.edges(data=True):
        counts.append(L[names[a]][names[b]]["weight"])
        strengths.append(d["strength"])
    assert len(counts) == 254

    def at_floor(xs):
        return sum(x <= MIN_STRENGTH + 1e-12 for x in xs) / len(xs)

    assert at_floor([_old_rule(c) for c in counts]) == pytest.approx(220 / 254)  # before: 87%
    assert at_floor(strengths) == 0  # after: none (a count of 1 gives 0.39)
    # the order of the strengths is the order of the counts (Spearman 1: monotone)
    by_count = sorted(zip(counts, strengths))
    assert all(s1 < s2 if c1 < c2 else s1 == s2 for (c1, s1), (c2, s2) in zip(by_count, by_count[1:]))
    assert min(strengths) == pytest.approx(1 - math.exp(-0.5)) and max(strengths) < 1


def test_reimporting_counts_changes_nothing(store):
    text = LESMIS.read_bytes()
    load(store, ("lesmis.csv", text))
    reimport_changes_nothing(store, [("lesmis.csv", text)])
    assert len(store.load_dataset().relationships) == 254


def test_reimporting_with_skipped_rows_changes_nothing(store):
    text = "Person A,Person B,Relationship,Strength\nAnn Lee,Bob Stone,emails,3\nAnn Lee,Cy Park,emails,40\nBob Stone,Cy Park,emails,seven\n"
    options = ImportOptions(skip_invalid=True)
    import_files(store, [("emails.csv", text.encode())], options)
    reimport_changes_nothing(store, [("emails.csv", text.encode())], options)
    assert sorted(r.strength for r in store.load_dataset().relationships) == pytest.approx(
        [1 - math.exp(-3 / 21.5), 1 - math.exp(-40 / 21.5)]
    )


# ------------------------------------------------------------------ the classic fixtures


@pytest.mark.parametrize("path, people, ties", [(FLORENTINE, 15, 20), (LESMIS, 77, 254)])
def test_classic_fixtures_import_from_the_command_line(database_url, capsys, path, people, ties):
    assert main(["--db", database_url, "import", str(path)]) == 0
    out = capsys.readouterr().out
    assert f"{path.name}: relationships (import #1)" in out
    assert f"added {people} people, {ties} relationships; updated nothing; 0 rows refused" in out
