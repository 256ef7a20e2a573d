"""Tests for netmap.network.history (feelings over time), on constructed data with known answers."""

from __future__ import annotations

import random
from datetime import date

from netmap.network.history import (
    Answer, Move, answers_as_of, feelings_as_of, month_ends, monthly_series, moved, series, standing,
)

D = date


def answers():
    """Six people over three months (NPS unless said):

    1: 3 (Jan 10) -> 7 (Feb 20)          detractor -> passive   (progress)
    2: 10 (Jan 5) -> 8 (Mar 3)           promoter  -> passive   (warning, in March)
    3: 9 (Jan 20)                        promoter throughout
    4: 5 csat (Feb 1) -> 2 csat (Feb 1)  same day: the larger seq (2, detractor) holds
    5: 6 (Mar 30) + an undated 10        detractor from March only; the undated answer never counts
    6: 0 (Jan 31) -> 10 (Mar 1)          detractor -> promoter  (progress, two steps)
    """
    return [
        Answer(1, D(2024, 1, 10), 3), Answer(1, D(2024, 2, 20), 7),
        Answer(2, D(2024, 1, 5), 10), Answer(2, D(2024, 3, 3), 8),
        Answer(3, D(2024, 1, 20), 9),
        Answer(4, D(2024, 2, 1), 5, "csat", seq=1), Answer(4, D(2024, 2, 1), 2, "csat", seq=2),
        Answer(5, D(2024, 3, 30), 6), Answer(5, None, 10),
        Answer(6, D(2024, 1, 31), 0), Answer(6, D(2024, 3, 1), 10),
    ]


def test_feelings_as_of_takes_the_latest_answer_on_or_before_the_date():
    a = answers()
    assert feelings_as_of(a, D(2023, 12, 31)) == {}
    assert feelings_as_of(a, D(2024, 1, 31)) == {1: "detractor", 2: "promoter", 3: "promoter", 6: "detractor"}
    assert feelings_as_of(a, D(2024, 2, 20)) == {1: "passive", 2: "promoter", 3: "promoter", 4: "detractor",
                                                 6: "detractor"}
    assert feelings_as_of(a, D(2024, 3, 31)) == {1: "passive", 2: "passive", 3: "promoter", 4: "detractor",
                                                 5: "detractor", 6: "promoter"}


def test_same_day_answers_without_seq_take_the_lower_feeling_whatever_the_row_order():
    a = [Answer(1, D(2024, 1, 1), 10), Answer(1, D(2024, 1, 1), 4)]
    assert feelings_as_of(a, D(2024, 1, 1)) == {1: "detractor"}
    assert feelings_as_of(a[::-1], D(2024, 1, 1)) == {1: "detractor"}


def test_monthly_series_known_nps_and_shares():
    s = monthly_series(answers())[None]
    assert [x.as_of for x in s] == [D(2024, 1, 31), D(2024, 2, 29), D(2024, 3, 31)]
    jan, feb, mar = s
    # Jan: 1 det, 2 pro, 3 pro, 6 det -> 2 promoters, 2 detractors of 4
    assert (jan.answered, jan.promoters, jan.passives, jan.detractors, jan.nps) == (4, 2, 0, 2, 0.0)
    # Feb: 1 pas, 2 pro, 3 pro, 4 det (a csat rating: in the shares, not the NPS), 6 det
    #  -> NPS 100 * (2 - 1) / 4 over the four 0-10 answers
    assert (feb.answered, feb.promoters, feb.passives, feb.detractors, feb.nps) == (5, 2, 1, 2, 25.0)
    assert feb.nps_answered == 4
    # Mar: 1 pas, 2 pas, 3 pro, 4 det (csat), 5 det, 6 pro -> 2 pro, 2 pas, 2 det; NPS 100 * (2 - 1) / 5
    assert (mar.answered, mar.promoters, mar.passives, mar.detractors, mar.nps) == (6, 2, 2, 2, 20.0)
    assert (mar.promoter_share, mar.passive_share, mar.detractor_share) == (2 / 6, 2 / 6, 2 / 6)
    assert jan.goodwill_reach is None


def test_series_matches_feelings_as_of_on_every_date():
    a = answers()
    days = [D(2024, 1, d) for d in (1, 9, 10, 31)] + [D(2024, 2, 1), D(2024, 3, 2), D(2024, 3, 30)]
    got = series(a, days)[None]
    for day, s in zip(sorted(days), got):
        held = answers_as_of(a, day)
        assert s == standing(feelings_as_of(a, day), day, nps_people={p for p, x in held.items() if x.scale == "nps"})


def test_the_nps_counts_only_0_to_10_answers_as_the_summary_does():
    from netmap.model import goodwill

    rng = random.Random(3)
    a = [Answer(p, D(2024, 1, rng.randint(1, 28)), rng.randint(0, 10), "nps") if rng.random() < 0.6
         else Answer(p, D(2024, 1, rng.randint(1, 28)), rng.randint(1, 5), "csat", seq=i)
         for i, p in enumerate(rng.randint(1, 40) for _ in range(200))]
    (s,) = monthly_series(a)[None]
    today = goodwill((x.score, x.scale) for x in answers_as_of(a, D(2024, 1, 31)).values())
    assert (s.promoters, s.passives, s.detractors) == (today["promoters"], today["passives"], today["detractors"])
    assert round(s.nps) == today["nps"]
    assert s.nps_answered == sum(x.scale == "nps" for x in answers_as_of(a, D(2024, 1, 31)).values())


def test_series_is_invariant_under_the_order_of_rows():
    a = answers()
    want = monthly_series(a, reach={3: 4.0, 2: 1.5, 6: 10.0}, by={1: "A", 2: "A", 3: "B", 6: "B"})
    rng = random.Random(7)
    for _ in range(20):
        b = a[:]
        rng.shuffle(b)
        assert monthly_series(b, reach={3: 4.0, 2: 1.5, 6: 10.0}, by={1: "A", 2: "A", 3: "B", 6: "B"}) == want


def test_goodwill_reach_and_groups():
    got = monthly_series(answers(), reach={2: 1.5, 3: 4.0, 6: 10.0}, by={1: "A", 2: "A", 3: "B", 6: "B"})
    assert [s.goodwill_reach for s in got[None]] == [5.5, 5.5, 14.0]  # Mar: 2 passive, 6 promoter
    assert [s.nps for s in got["A"]] == [0.0, 50.0, 0.0]  # Jan 1 det + 2 pro; Feb 1 pas + 2 pro; Mar both pas
    assert [s.answered for s in got["B"]] == [2, 2, 2]
    assert [s.goodwill_reach for s in got["B"]] == [4.0, 4.0, 14.0]


def test_empty_and_no_answers():
    assert monthly_series([]) == {None: []}
    s = standing({}, D(2024, 1, 1))
    assert s.answered == 0 and s.nps is None and s.promoter_share is None
    assert standing({1: "unknown", 2: "promoter"}, D(2024, 1, 1)).answered == 1


def test_month_ends_cross_a_year():
    assert month_ends(D(2023, 11, 30), D(2024, 2, 1)) == [D(2023, 11, 30), D(2023, 12, 31), D(2024, 1, 31),
                                                          D(2024, 2, 29)]


def test_moved_lists_progress_and_warnings_in_the_documented_order():
    got = moved(answers(), D(2024, 1, 31), D(2024, 3, 31))
    assert got == [
        Move(2, "promoter", "passive", "warning", -1),
        Move(6, "detractor", "promoter", "progress", 2),
        Move(1, "detractor", "passive", "progress", 1),
    ]
    # 4 and 5 had no feeling on Jan 31: a first answer is not a move
    assert moved(answers(), D(2024, 3, 31), D(2024, 3, 31)) == []


def test_moved_is_invariant_under_the_order_of_rows():
    a = answers()
    want = moved(a, D(2024, 1, 31), D(2024, 3, 31))
    rng = random.Random(3)
    for _ in range(10):
        rng.shuffle(a)
        assert moved(a, D(2024, 1, 31), D(2024, 3, 31)) == want
