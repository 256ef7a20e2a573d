"""The goodwill-over-time commands of ``python -m netmap``: ``trend`` and ``moved``.

The tables come from :mod:`netmap.trends` (definitions in
:mod:`netmap.network.history`); their columns are a contract
(:data:`netmap.trends.TREND_COLUMNS`, :data:`netmap.trends.MOVED_COLUMNS`).
"""

from __future__ import annotations

from .cli_network import _emit, day, needs_data


def add_trend_commands(sub) -> None:
    def fmt(p):
        p.add_argument("--format", choices=["csv", "json"], default="csv", help="output format (default: csv)")
        p.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")

    p = sub.add_parser("trend", help="NPS, feeling shares and goodwill reach at the end of every month")
    p.add_argument("--by", choices=["community", "owner"], help="also one series per community or account manager")
    p.add_argument("--since", type=day, metavar="DATE", help="first month shown (YYYY-MM-DD)")
    p.add_argument("--until", type=day, metavar="DATE", help="last month shown (YYYY-MM-DD)")
    fmt(p)
    p = sub.add_parser("moved", help="people whose feeling changed since a date: warnings first, then progress")
    p.add_argument("--since", type=day, metavar="DATE", required=True, help="compare with the feelings on this day")
    p.add_argument("--until", type=day, metavar="DATE", help="up to this day (default: the newest answer)")
    fmt(p)


def cmd_trend(store, args) -> int:
    from .trends import trend_of

    needs_data(store)
    return _emit(trend_of(store, by=args.by, since=args.since, until=args.until), args)


def cmd_moved(store, args) -> int:
    from .trends import moved_of

    needs_data(store)
    return _emit(moved_of(store, args.since, args.until), args)


COMMANDS = {"trend": cmd_trend, "moved": cmd_moved}
