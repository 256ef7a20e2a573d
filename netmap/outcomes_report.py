"""What followed each nurture action, as a table: the shell around netmap/network/outcomes.py.

The definitions (episode, feeling change, referral, matched comparison group, intervals,
the "too few to tell" minimum) live in netmap/network/outcomes.py. This module turns the
stored nurture log, survey answers, referrals and the measured people (their spread) into
its inputs, and its results into :data:`OUTCOME_COLUMNS`: the table ``python -m netmap
outcomes`` prints (netmap/cli_log.py) and the app can show. :func:`outcomes_of` gathers the
inputs from a store; :func:`outcome_table` is pure.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import pandas as pd

from .model import Feedback
from .network.outcomes import MIN_PAIRS, Action, outcomes
from .nurture_log import label
from .trends import answers_of, spread_of

#: ``python -m netmap outcomes``: one row per action type logged; new columns go after these.
OUTCOME_COLUMNS = [
    "action", "label", "nurtured", "pairs", "nurtured_change", "comparison_change", "difference",
    "difference_low", "difference_high", "verdict",
    "referral_pairs", "nurtured_referrals", "comparison_referrals", "nurtured_rate", "comparison_rate",
    "referral_difference", "referral_low", "referral_high", "referral_verdict",
]


def actions_of(log: Iterable[tuple[int, str, date | None]]) -> list[Action]:
    """Logged actions ``(person_id, action, done_on)`` as :class:`Action` values (undated ones
    left out)."""
    return [Action(int(p), str(a), on) for p, a, on in log if on]


def _check_window(days: int) -> None:
    if days < 1:
        from .errors import NetmapError

        raise NetmapError(f"the window must be at least 1 day, not {days}")


def _r(x: float | None, digits: int) -> float | None:
    return None if x is None else round(float(x), digits)


def outcome_table(log: Iterable[tuple[int, str, date | None]], feedback: Iterable[Feedback],
                  referrals: Iterable[tuple[int, date | None]], people: pd.DataFrame, *, days: int = 90,
                  min_pairs: int = MIN_PAIRS) -> pd.DataFrame:
    """Per action type in ``log`` (``(person_id, action, done_on)`` per logged action; sorted by name): how many people were nurtured, the matched
    pairs, the mean feeling change of the nurtured and of their comparison people (NPS points),
    the difference with its 95 % bootstrap interval and verdict, and the same for referrals
    made within ``days`` (rates, difference, Newcombe interval, verdict). The comparison pool
    is everyone in ``people`` (its ``spread`` column); netmap/network/outcomes.py defines it all.
    Empty (with the columns) when nothing is logged."""
    _check_window(days)
    found = outcomes(actions_of(log), answers_of(feedback), [(int(a), on) for a, on in referrals if on],
                     spread_of(people), days=days, min_pairs=min_pairs)
    rows = []
    for o in found:
        lo, hi = o.interval or (None, None)
        rlo, rhi = o.referral_interval or (None, None)
        rows.append({
            "action": o.action, "label": label(o.action), "nurtured": o.nurtured, "pairs": o.pairs,
            "nurtured_change": _r(o.nurtured_change, 2), "comparison_change": _r(o.comparison_change, 2),
            "difference": _r(o.difference, 2), "difference_low": _r(lo, 2), "difference_high": _r(hi, 2),
            "verdict": o.verdict,
            "referral_pairs": o.referral_pairs, "nurtured_referrals": o.nurtured_referrals,
            "comparison_referrals": o.comparison_referrals,
            "nurtured_rate": _r(o.nurtured_rate, 4), "comparison_rate": _r(o.comparison_rate, 4),
            "referral_difference": _r(o.referral_difference, 4), "referral_low": _r(rlo, 4),
            "referral_high": _r(rhi, 4), "referral_verdict": o.referral_verdict,
        })
    return pd.DataFrame(rows, columns=OUTCOME_COLUMNS)


def outcomes_of(store, *, days: int = 90) -> pd.DataFrame:
    """:func:`outcome_table` of what ``store`` holds: its nurture log, answers, referrals and
    measured people (netmap/analysis.py, cached per data version).

    The table is kept (netmap/analysis.py ``kept_table``) under the data version and the log's
    state (netmap/storage/nurture_log.py ``state``): asked again before anything changed, it is
    read back rather than measured again; a new log entry, an import or an erasure measures it
    afresh. Only the latest window asked (``days``) is kept."""
    from .analysis import cache_slot, kept_table, measures

    _check_window(days)
    slot = cache_slot("outcomes_report.py", "trends.py", "nurture_log.py", "storage/reads.py", "storage/nurture_log.py")
    name = "outcomes/{}/{}/{}.{}".format(slot, int(days), *store.log_state())

    def compute() -> pd.DataFrame:
        log = store.nurture_actions()
        if not log:
            return pd.DataFrame(columns=OUTCOME_COLUMNS)
        return outcome_table(log, store.answers(), store.referral_dates(), measures(store).people, days=days)

    return kept_table(store, name, compute)
