"""``python -m netmap crm-export``: netmap's findings as a file to import back into the CRM.

The pure part is :mod:`netmap.crm_export` (its columns are a contract); this is the shell:
read the stored analysis and the CRM ids, write the file, say what was written.
"""

from __future__ import annotations

import sys
from pathlib import Path

from .cli_network import needs_data
from .errors import NetmapError

# the formats, as :data:`netmap.crm_export.FORMATS` (here so that ``--help`` loads nothing; a test checks they agree)
FORMATS = ("hubspot", "salesforce", "csv")


def add_crm_commands(sub) -> None:
    p = sub.add_parser(
        "crm-export", help="one row per person with netmap's fields as custom properties, to import into the CRM",
    )
    p.add_argument("--format", choices=FORMATS, required=True,
                   help="hubspot (keyed by Record ID), salesforce (keyed by Id) or csv (every id)")
    p.add_argument("--out", required=True, metavar="FILE", help="the CSV file to write (- for standard output)")
    p.add_argument("--owner", metavar="NAME", help="only this account manager's book")
    p.add_argument("--top", type=int, metavar="N", help="only the N highest nurture scores")


def cmd_crm_export(store, args) -> int:
    from .analysis import measures
    from .crm_export import crm_export, stored_crm_ids, to_crm_csv

    needs_data(store)
    export = crm_export(measures(store).people, args.format, args.owner, args.top, crm_ids=stored_crm_ids(store))
    text = to_crm_csv(export.rows)
    if args.out == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        try:
            Path(args.out).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise NetmapError(f"cannot write {args.out}: {exc.strerror or exc}") from None
    if export.left_out:
        print(f"netmap: {export.note}", file=sys.stderr)
    # with --out - standard output is the file: the count goes to standard error
    print(f"wrote {len(export.rows)} rows to {args.out}", file=sys.stderr if args.out == "-" else sys.stdout)
    return 0


COMMANDS = {"crm-export": cmd_crm_export}
