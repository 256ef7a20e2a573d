"""Tests for netmap.network.outcomes, on constructed data where the true effect is known."""

from __future__ import annotations

import random
from datetime import date

import pytest

from netmap.network.history import Answer
from netmap.network.outcomes import (
    MIN_PAIRS, Action, bootstrap_mean_interval, newcombe_interval, outcomes, spread_deciles, wilson_interval,
)

BEFORE, ACT, AFTER = date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1)


def world(n=12, changes=None):
    """``n`` nurtured people (1..n, spread i) called on Feb 1, each with a detractor answer (5) on
    Jan 1 and a next answer on Mar 1 of 5 + changes[i]; comparison people who do not move:

    * 100 + i: spread i + 0.01, detractor 5 -> 5 (the intended matches);
    * 200 + i: spread exactly i, but a *promoter* before (10 -> 0): never a match;
    * 300: spread 1.0, a detractor who moves +10, but was thanked on Jan 20: never a match.
    """
    changes = changes or {i: 2 for i in range(1, n + 1)}
    answers, actions, spread = [], [], {}
    for i in range(1, n + 1):
        answers += [Answer(i, BEFORE, 5), Answer(i, AFTER, 5 + changes[i])]
        actions.append(Action(i, "called", ACT))
        spread[i] = float(i)
        answers += [Answer(100 + i, BEFORE, 5), Answer(100 + i, AFTER, 5)]
        spread[100 + i] = i + 0.01
        answers += [Answer(200 + i, BEFORE, 10), Answer(200 + i, AFTER, 0)]
        spread[200 + i] = float(i)
    answers += [Answer(300, BEFORE, 5), Answer(300, AFTER, 15)]
    actions.append(Action(300, "thanked", date(2024, 1, 20)))
    spread[300] = 1.0
    return actions, answers, spread


def called(result):
    return next(o for o in result if o.action == "called")


def test_an_action_that_raises_every_next_score_by_two():
    actions, answers, spread = world()
    o = called(outcomes(actions, answers, [], spread))
    assert (o.nurtured, o.pairs) == (12, 12)
    assert o.nurtured_change == 2.0 and o.comparison_change == 0.0 and o.difference == 2.0
    assert o.interval[0] <= 2.0 <= o.interval[1]
    assert o.verdict == "better"


def test_a_noisy_effect_of_two_is_estimated_as_two_and_covered():
    actions, answers, spread = world(changes={i: (1 if i % 2 else 3) for i in range(1, 13)})
    o = called(outcomes(actions, answers, [], spread))
    assert o.difference == pytest.approx(2.0)
    assert o.interval[0] < 2.0 < o.interval[1]
    assert o.interval[0] > 0 and o.verdict == "better"


def test_no_effect_the_interval_covers_zero():
    actions, answers, spread = world(changes={i: (1 if i % 2 else -1) for i in range(1, 13)})
    o = called(outcomes(actions, answers, [], spread))
    assert o.difference == pytest.approx(0.0)
    assert o.interval[0] < 0.0 < o.interval[1]
    assert o.verdict == "no clear difference"


def test_five_people_are_too_few_to_tell():
    actions, answers, spread = world(n=5)
    o = called(outcomes(actions, answers, [], spread))
    assert o.pairs == 5 < MIN_PAIRS
    assert o.difference == 2.0 and o.verdict == "too few to tell"
    assert o.referral_verdict == "too few to tell"
    thanked = next(x for x in outcomes(actions, answers, [], spread) if x.action == "thanked")
    assert thanked.nurtured == 1 and thanked.verdict == "too few to tell"


def test_referrals_within_the_window_against_the_comparison_group():
    actions, answers, spread = world()
    referrals = [(i, date(2024, 3, 15)) for i in range(1, 7)]  # 6 of 12 refer, 42 days after
    referrals += [(7, date(2024, 6, 1))]  # 121 days after: outside 90 days
    referrals += [(8, date(2024, 1, 15))]  # before the action
    referrals += [(300, date(2024, 2, 10))]  # person 300 is never a comparison
    o = called(outcomes(actions, answers, referrals, spread))
    assert (o.referral_pairs, o.nurtured_referrals, o.comparison_referrals) == (12, 6, 0)
    assert o.nurtured_rate == 0.5 and o.comparison_rate == 0.0
    assert o.nurtured_rate_interval == pytest.approx(wilson_interval(6, 12))
    assert o.comparison_rate_interval == pytest.approx(wilson_interval(0, 12))
    assert o.referral_difference == 0.5 and o.referral_interval[0] > 0
    assert o.referral_verdict == "better"
    # a longer window counts person 7 too
    assert called(outcomes(actions, answers, referrals, spread, days=130)).nurtured_referrals == 7


def test_people_without_a_before_or_after_answer_are_not_paired_for_feelings():
    actions, answers, spread = world()
    answers = [a for a in answers if not (a.person_id in (1, 2) and a.on == AFTER)]
    o = called(outcomes(actions, answers, [], spread))
    assert (o.nurtured, o.pairs, o.referral_pairs) == (12, 10, 12)


def test_csat_answers_count_in_nps_points_and_only_the_first_action_counts():
    actions, answers, spread = world()
    answers = [a for a in answers if a.person_id != 1]
    answers += [Answer(1, BEFORE, 2, "csat"), Answer(1, AFTER, 3, "csat")]  # 2.5 -> 5.0: +2.5 points
    actions.append(Action(1, "called", date(2024, 2, 20)))  # a second call: the first one counts
    o = called(outcomes(actions, answers, [], spread))
    assert o.nurtured == 12
    assert o.nurtured_change == pytest.approx((11 * 2 + 2.5) / 12)


def test_deterministic_and_invariant_under_the_order_of_rows():
    actions, answers, spread = world(changes={i: (i % 4) for i in range(1, 13)})
    referrals = [(i, date(2024, 3, 1)) for i in (2, 5, 9)]
    want = outcomes(actions, answers, referrals, spread)
    rng = random.Random(5)
    for _ in range(5):
        rng.shuffle(actions)
        rng.shuffle(answers)
        rng.shuffle(referrals)
        assert outcomes(actions, answers, referrals, dict(sorted(spread.items(), reverse=True))) == want


def test_period_filter():
    actions, answers, spread = world()
    assert [o.action for o in outcomes(actions, answers, [], spread, start=date(2024, 1, 25))] == ["called"]
    assert outcomes(actions, answers, [], spread, end=date(2023, 12, 31)) == []


def test_wilson_known_values():
    assert wilson_interval(0, 10) == pytest.approx((0.0, 0.2775), abs=1e-4)
    assert wilson_interval(5, 10) == pytest.approx((0.2366, 0.7634), abs=1e-4)
    assert wilson_interval(10, 10) == pytest.approx((0.7225, 1.0), abs=1e-4)
    assert wilson_interval(0, 0) == (0.0, 1.0)


def test_newcombe_known_value():
    # Newcombe (1998), Statistics in Medicine 17:873, example (a): 56/70 - 48/80 -> 0.0524 to 0.3339
    assert newcombe_interval(56, 70, 48, 80) == pytest.approx((0.0524, 0.3339), abs=1e-4)


def test_bootstrap_is_seeded_and_degenerate_on_constants():
    xs = [1.0, 2.0, 4.0, 8.0, 3.0, 5.0]
    assert bootstrap_mean_interval(xs, seed=3) == bootstrap_mean_interval(xs, seed=3)
    assert bootstrap_mean_interval([2.0] * 7) == (2.0, 2.0)
    with pytest.raises(ValueError):
        bootstrap_mean_interval([])


def test_spread_deciles():
    d = spread_deciles({i: float(i) for i in range(20)})
    assert [d[i] for i in range(20)] == [i // 2 for i in range(20)]
    assert spread_deciles({1: 0.0, 2: 0.0, 3: 5.0}) == {1: 0, 2: 0, 3: 6}


def _reference_match_all(questions, lines, nurtured_on, spread, days):
    """The matching definition (module docstring), person by person: the fast sweep's oracle."""
    from datetime import timedelta

    from netmap.network import outcomes as oc

    deciles = oc.spread_deciles(spread)

    def before(q, t):
        xs = [a for a in (lines[q].answers if q in lines else []) if a.on <= t]
        return xs[-1] if xs else None

    def after(q, t):
        xs = [a for a in (lines[q].answers if q in lines else []) if a.on > t]
        return xs[0] if xs else None

    def suitable(q, p, t, want, need):
        b = before(q, t)
        return (q != p and not any(abs((d - t).days) <= days for d in nurtured_on.get(q, []))
                and (b.feeling if b else "unknown") == want and (not need or (b is not None and after(q, t) is not None)))

    out = {}
    for (p, t), (want, both) in questions.items():
        s, d = spread.get(p, 0.0), deciles.get(p, 0)
        for need in (False, True) if both else (False,):
            out[p, t, need] = None
            for ring in ({d}, {d - 1, d + 1}):
                found = sorted((abs(s - v), q) for q, v in spread.items()
                               if deciles[q] in ring and suitable(q, p, t, want, need))
                if found:
                    out[p, t, need] = found[0][1]
                    break
    assert timedelta(days=days)  # (days is a whole number of days)
    return out


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("reach", [1, 3, 128])
def test_the_sweep_matches_like_the_definition(seed, reach, monkeypatch):
    """Random small worlds - shared spreads, equal distances on both sides, spreads so far apart
    that distances round alike, people with 0, 1, 2+ answers (some on the same day),
    actions whose windows overlap, people not in the pool - give the same outcomes with the
    fast matching (window ``reach``, falling back when it cannot tell) as with the definition."""
    from netmap.network import outcomes as oc

    rng = random.Random(seed)
    day0 = date(2024, 1, 1).toordinal()
    people = list(range(1, 201))
    spread = {p: rng.choice([0.5, 1e16, 1e16 + 2, 1e16 + 4] + [float(i) for i in range(-1, 40)])
              for p in people if p % 13}  # 13, 26, ... are not in the pool
    answers = []
    for p in people:
        for _ in range(rng.choice([0, 0, 1, 2, 3, 5])):
            answers.append(Answer(p, date.fromordinal(day0 + rng.randrange(0, 120)), rng.randrange(0, 11),
                                  seq=rng.randrange(3)))
        if rng.random() < 0.1:
            answers.append(Answer(p, date.fromordinal(day0 + rng.randrange(0, 120)), rng.randrange(1, 6), "csat"))
    actions = [Action(rng.choice(people), rng.choice(["called", "thanked", "sent_gift"]),
                      date.fromordinal(day0 + rng.randrange(0, 120))) for _ in range(rng.randrange(30, 150))]
    referrals = [(rng.choice(people), date.fromordinal(day0 + rng.randrange(0, 150))) for _ in range(15)]
    days = rng.choice([1, 5, 20])
    monkeypatch.setattr(oc, "_REACH", reach)
    fast_match, seen = oc._match_all, []

    def both(*args):  # every comparison person, side by side
        seen.append((fast_match(*args), _reference_match_all(*args)))
        return seen[-1][0]

    monkeypatch.setattr(oc, "_match_all", both)
    fast = outcomes(actions, answers, referrals, spread, days=days, min_pairs=2, samples=50)
    assert seen and seen[0][0] == seen[0][1]
    monkeypatch.setattr(oc, "_match_all", _reference_match_all)
    assert fast == outcomes(actions, answers, referrals, spread, days=days, min_pairs=2, samples=50)


def test_spreads_whose_distances_round_alike_tie_to_the_lower_id():
    # 1e16 - 35 and 1e16 - 36 are the same float: persons 28 (35.0) and 29 (36.0) are equally
    # near person 30 (1e16), all three in the top decile; the lower id, 28, is the comparison
    spread = {p: float(p) for p in range(1, 28)} | {28: 35.0, 29: 36.0, 30: 1e16}
    actions = [Action(30, "called", ACT)] + [Action(p, "thanked", ACT) for p in range(1, 28)]
    o = called(outcomes(actions, [], [(28, AFTER)], spread))
    assert (o.referral_pairs, o.comparison_referrals) == (1, 1)
