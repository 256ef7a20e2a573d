"""The support-ticket command of ``python -m netmap``: ``queue``.

The table comes from :func:`netmap.tickets.queue_table` (the score:
:mod:`netmap.network.service_queue`); its columns are a contract
(:data:`netmap.tickets.QUEUE_COLUMNS`). On a terminal it prints as a table to
read; piped, or with ``--format``, as CSV or JSON like every other answer.
"""

from __future__ import annotations

import sys

from .errors import NetmapError


def add_ticket_commands(sub) -> None:
    p = sub.add_parser("queue", help="open support tickets, the one whose requester's feeling would spread "
                                     "furthest first, with the reason and what to do")
    p.add_argument("--owner", metavar="NAME", help="only the tickets of this account manager's people")
    p.add_argument("--top", type=int, metavar="N", help="only the first N tickets")
    p.add_argument("--format", choices=["csv", "json"], default=None,
                   help="output format (default: a table on a terminal, else csv)")
    p.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")


def cmd_queue(store, args) -> int:
    from .cli_network import _emit
    from .tickets import queue_of

    if not store.has_tickets():
        raise NetmapError("no support tickets yet: import a ticket export (Zendesk, Freshdesk, Intercom or HubSpot "
                          "tickets) with `python -m netmap import FILE`")
    table = queue_of(store, owner=args.owner, top=args.top)
    if args.format is None and not args.out and sys.stdout.isatty():
        _print_table(table)
        return 0
    args.format = args.format or "csv"
    return _emit(table, args)


def _print_table(table) -> None:
    if table.empty:
        print("no open tickets: the queue is empty")
        return
    # one line of figures per ticket, then its reason in full (the part a reader acts on)
    shown = table[["rank", "ticket_id", "status", "requester", "feeling", "age_days", "score", "action"]].rename(
        columns={"ticket_id": "ticket", "age_days": "waiting (days)"})
    lines = shown.to_string(index=False, max_colwidth=40).splitlines()
    print(lines[0])
    for line, reason in zip(lines[1:], table["reason"]):
        print(line)
        print(f"      {reason}")


COMMANDS = {"queue": cmd_queue}
