"""Goodwill over time as tables: the headline figures per month, and who moved.

The shell around :mod:`netmap.network.history` (the definitions live there: a
person's feeling as of a date is their latest dated answer by then; the shares are
over the people who have answered, the NPS over those whose answer is a 0-10 one;
*goodwill reach* is the sum of the promoters' spreads; a move up ``detractor <
passive < promoter`` is progress, a move down a warning). This module turns the stored answers and the measured
people into :class:`~netmap.network.history.Answer` values and the results into
the tables the command line (``trend``, ``moved``) and the Trends page show.

Every answer a person gave counts at its own date, so the series is what the
data said on each month's last day, not a picture repainted with today's
feelings. A person's spread is today's (the network's shape is measured once);
goodwill reach therefore moves with the feelings only, which is what a founder
asks of it: is good word of mouth growing because people feel better?
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

import pandas as pd

from .errors import NetmapError
from .model import Feedback
from .network.history import Answer, monthly_series, moved

#: What ``trend`` can split the company by: the column of the people table that names the group.
GROUPS = {"community": "community", "owner": "owner"}

#: ``python -m netmap trend``: one row per month (and group); new columns go after these.
TREND_COLUMNS = [
    "month", "group", "answered", "promoters", "passives", "detractors", "nps",
    "promoter_share", "passive_share", "detractor_share", "goodwill_reach", "nps_answered",
]
#: ``python -m netmap moved``: one row per person whose feeling changed; new columns go after these.
MOVED_COLUMNS = ["person_id", "name", "company", "owner", "before", "after", "move", "steps"]


def answers_of(feedback: Iterable[Feedback]) -> list[Answer]:
    """The stored survey answers as dated :class:`Answer` values (undated ones are kept:
    :mod:`netmap.network.history` leaves them out of every date). No ``seq``: of two answers
    on one day, :func:`netmap.model.same_day_rank` says which holds, as for today's feeling."""
    return [Answer(f.person_id, f.on, float(f.score), f.scale) for f in feedback]


def _check_split(by: str | None) -> None:
    if by is not None and by not in GROUPS:
        raise NetmapError(f"cannot split the trend by {by!r}: choose one of {', '.join(GROUPS)}")


def _group_of(people: pd.DataFrame, by: str | None) -> Mapping[int, str] | None:
    _check_split(by)
    if by is None:
        return None
    col = people[GROUPS[by]].astype(object)  # one pass over plain Python values (not Arrow's per-item path)
    return {int(p): g for p, g in zip(people["person_id"].tolist(), col.tolist()) if isinstance(g, str) and g.strip()}


def spread_of(people: pd.DataFrame) -> dict[int, float]:
    """Each measured person's spread (the ``spread`` column; missing counts as 0)."""
    spread = pd.to_numeric(people["spread"], errors="coerce").fillna(0.0)
    return dict(zip(people["person_id"].astype("int64").tolist(), spread.astype(float).tolist()))


def trend(feedback: Iterable[Feedback], people: pd.DataFrame, *, by: str | None = None,
          since: date | None = None, until: date | None = None) -> pd.DataFrame:
    """NPS, the shares of promoters, passives and detractors, and goodwill reach as of
    the last day of every month (:data:`TREND_COLUMNS`), for the whole company
    (``group`` empty) and, with ``by`` (``"community"`` or ``"owner"``), for each group
    after it. ``since``/``until`` bound the months shown (the counts always take every
    answer given by each month's end). Empty when nobody has a dated answer."""
    answers = answers_of(feedback)
    dated = [a.on for a in answers if a.on is not None]
    if not dated:
        return pd.DataFrame(columns=TREND_COLUMNS)
    start = max(since, min(dated)) if since else min(dated)
    end = until or max(dated)
    if start > end:
        return pd.DataFrame(columns=TREND_COLUMNS)
    found = monthly_series(answers, start, end, reach=spread_of(people), by=_group_of(people, by))
    rows = []
    for group, standings in found.items():
        for s in standings:
            rows.append({
                "month": f"{s.as_of:%Y-%m}", "group": group or "", "answered": s.answered,
                "promoters": s.promoters, "passives": s.passives, "detractors": s.detractors,
                "nps": None if s.nps is None else round(s.nps, 1),
                "promoter_share": _share(s.promoter_share), "passive_share": _share(s.passive_share),
                "detractor_share": _share(s.detractor_share),
                "goodwill_reach": None if s.goodwill_reach is None else round(s.goodwill_reach, 1),
                "nps_answered": s.nps_answered,
            })
    out = pd.DataFrame(rows, columns=TREND_COLUMNS)
    # the whole company first, then each group; months in order within each
    out["_whole"] = out["group"] != ""
    out = out.sort_values(["_whole", "group", "month"], kind="stable").drop(columns="_whole")
    return out.reset_index(drop=True)


def _share(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def moved_people(feedback: Iterable[Feedback], people: pd.DataFrame, since: date,
                 until: date | None = None) -> pd.DataFrame:
    """The people whose feeling on ``until`` (default: the newest answer's date) differs
    from their feeling on ``since`` (:data:`MOVED_COLUMNS`): warnings first (a promoter
    now passive needs someone now), then progress (detractor to passive counts), the
    larger moves first. Someone whose first answer came after ``since`` did not move."""
    answers = answers_of(feedback)
    dated = [a.on for a in answers if a.on is not None]
    until = until or max([since, *dated])  # after the newest answer nothing moved
    if until < since:
        raise NetmapError(f"the end ({until:%Y-%m-%d}) is before the start ({since:%Y-%m-%d}): swap them")
    moves = pd.DataFrame(
        [(m.person_id, m.before, m.after, m.kind, m.steps) for m in moved(answers, since, until)],
        columns=["person_id", "before", "after", "move", "steps"])
    who = people[["person_id", *(c for c in ("name", "company", "owner") if c in people.columns)]]
    # one lookup for every mover (a left join keeps moves order); a mover not in ``people`` gets blanks
    out = moves.merge(who.drop_duplicates("person_id"), on="person_id", how="left", sort=False)
    return out.reindex(columns=MOVED_COLUMNS).astype({"person_id": "int64", "steps": "int64"})


# ------------------------------------------------------------------ what the store holds --
def _name(kind: str, *parts) -> str:
    from .analysis import cache_slot

    slot = cache_slot("trends.py", "storage/reads.py")
    return "/".join([kind, slot, *("" if p is None else str(p) for p in parts)])


def trend_of(store, *, by: str | None = None, since: date | None = None,
             until: date | None = None) -> pd.DataFrame:
    """:func:`trend` of what ``store`` holds (its answers and measured people), kept per data
    version (netmap/analysis.py ``kept_table``, one series per split): the stored series a
    founder's Overview, the Trends page and ``python -m netmap trend`` read back until the
    next import or erasure."""
    from .analysis import kept_table, measures

    _check_split(by)
    return kept_table(store, _name(f"trend.{by or 'company'}", since, until),
                      lambda: trend(store.answers(), measures(store).people, by=by, since=since, until=until))


def moved_of(store, since: date, until: date | None = None) -> pd.DataFrame:
    """:func:`moved_people` of what ``store`` holds, kept per data version like :func:`trend_of`."""
    from .analysis import kept_table, measures

    return kept_table(store, _name("moved", since, until),
                      lambda: moved_people(store.answers(), measures(store).people, since, until))
