"""The nurture log's commands of ``python -m netmap``: ``log`` and ``outcomes``.

``log WHO --action ACTION [--note TEXT] [--on DATE]`` logs one action (netmap/storage/nurture_log.py;
the vocabulary: netmap/nurture_log.py); ``log`` without WHO lists the log with the columns
:data:`netmap.nurture_log.LOG_COLUMNS`. ``outcomes`` prints what followed each action type
(netmap/outcomes_report.py, definitions in netmap/network/outcomes.py). On a terminal the
tables print to read; piped, or with ``--format csv|json``, as CSV or JSON like every other
answer.
"""

from __future__ import annotations

import argparse
import sys

from .cli_network import _emit
from .cli_network import day
from .errors import NetmapError
from .nurture_log import ACTIONS, LOG_COLUMNS, check_action


def _action(text: str) -> str:
    try:
        return check_action(text)
    except NetmapError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _format(p) -> None:
    p.add_argument("--format", choices=["table", "csv", "json"], default=None,
                   help="output format (default: a table on a terminal, else csv)")
    p.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")


def add_log_commands(sub) -> None:
    p = sub.add_parser("log", help="log what you did for a customer (WHO --action ...), or list the nurture log")
    p.add_argument("who", nargs="?", metavar="WHO",
                   help="#id, CRM id, email or full name of the one person the action was for")
    p.add_argument("--action", type=_action, metavar="ACTION", help=f"what was done: {', '.join(ACTIONS)}")
    p.add_argument("--note", metavar="TEXT", help="a free note (what, why, how it went)")
    p.add_argument("--on", type=day, metavar="YYYY-MM-DD", help="the day it was done (default: today)")
    p.add_argument("--person", metavar="WHO", help="list only this person's actions")
    p.add_argument("--owner", metavar="NAME", help="list only the actions for this account manager's people")
    _format(p)
    p = sub.add_parser("outcomes", help="per action type of the nurture log: how feelings and referrals changed "
                                        "afterwards, against comparable people not nurtured")
    p.add_argument("--days", type=int, default=90, metavar="N",
                   help="count referrals made within N days of the action, and keep comparison people "
                        "not nurtured within N days of it (default: 90)")
    _format(p)


def cmd_log(store, args) -> int:
    if args.who is None:
        if args.action or args.note or args.on:
            raise NetmapError("say whom the action was for: python -m netmap log WHO --action ACTION")
        return _list(store, args)
    if args.person or args.owner:
        raise NetmapError("--person and --owner filter the list: give them without WHO")
    if args.action is None:
        raise NetmapError(f"say what was done with --action (one of {', '.join(ACTIONS)})")
    pid = store.resolve_one(args.who)  # exactly one person, or a refusal listing the candidates
    row = store.log_action(pid, args.action, note=args.note, on=args.on)
    note = f": {row['note']}" if row["note"] else ""
    print(f"logged for {row['name']} (#{row['person_id']}): {row['action']} on {row['done_on']:%Y-%m-%d}{note} "
          f"(by {row['logged_by']})")
    return 0


def _list(store, args) -> int:
    pid = store.resolve_one(args.person) if args.person else None
    import pandas as pd

    rows = store.nurture_log(person_id=pid, owner=args.owner)
    table = pd.DataFrame([{**{c: r[c] for c in LOG_COLUMNS}, "done_on": r["done_on"].isoformat()} for r in rows],
                         columns=list(LOG_COLUMNS))
    if _as_table(args):
        print(table.fillna("").to_string(index=False, max_colwidth=50) if rows else "the nurture log is empty")
        return 0
    return _emit(table, args)


def cmd_outcomes(store, args) -> int:
    from .outcomes_report import outcomes_of

    if args.days < 1:
        raise NetmapError(f"--days must be 1 or more, not {args.days}")
    if store.log_state()[0] == 0:
        raise NetmapError("the nurture log is empty: log actions with `python -m netmap log WHO --action ACTION` "
                          "or import an activities export, then look again after the next survey")
    table = outcomes_of(store, days=args.days)
    if _as_table(args):
        _print_outcomes(table, args.days)
        return 0
    return _emit(table, args)


def _as_table(args) -> bool:
    if args.format is None:
        args.format = "table" if not args.out and sys.stdout.isatty() else "csv"
    if args.format == "table" and args.out:
        raise NetmapError("a table prints to the terminal: with --out choose --format csv or json")
    return args.format == "table"


def _interval(lo, hi, pct: bool = False) -> str:
    if lo is None or lo != lo:  # None or NaN
        return ""
    return f"[{lo:+.0%}, {hi:+.0%}]" if pct else f"[{lo:+.1f}, {hi:+.1f}]"


def _n(n: int, one: str, many: str) -> str:
    return f"{n:,} {one if n == 1 else many}"


def _print_outcomes(table, days: int) -> None:
    print(f"feeling: next answer minus the one before, in NPS points; referrals: made within {days} days")
    for r in table.to_dict("records"):
        print(f"\n{r['action']} ({r['label']}): {_n(r['nurtured'], 'person', 'people')} nurtured")
        if r["pairs"]:
            print(f"  feeling   {_n(r['pairs'], 'matched pair', 'matched pairs')}: nurtured {r['nurtured_change']:+.1f}, "
                  f"comparison {r['comparison_change']:+.1f}, difference {r['difference']:+.1f} "
                  f"{_interval(r['difference_low'], r['difference_high'])}: {r['verdict']}")
        else:
            print(f"  feeling   no matched pair with answers before and after: {r['verdict']}")
        if r["referral_pairs"]:
            print(f"  referrals {_n(r['referral_pairs'], 'matched pair', 'matched pairs')}: nurtured {r['nurtured_referrals']} "
                  f"({r['nurtured_rate']:.0%}), comparison {r['comparison_referrals']} ({r['comparison_rate']:.0%}), "
                  f"difference {r['referral_difference']:+.0%} {_interval(r['referral_low'], r['referral_high'], True)}: "
                  f"{r['referral_verdict']}")
        else:
            print(f"  referrals no matched pair: {r['referral_verdict']}")


COMMANDS = {"log": cmd_log, "outcomes": cmd_outcomes}
