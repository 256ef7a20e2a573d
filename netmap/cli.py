"""``python -m netmap``: every capability of the app, for scripts and schedules.

The command names, options and output columns are a contract other tools rely
on (see the README). Errors a user can cause print as ``FILE:ROW:COLUMN:
message`` (import problems) or one plain line, and exit 1; nothing prints a
traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from typing import TYPE_CHECKING

from . import config
from .errors import ImportRefused, NetmapError, Problem

if TYPE_CHECKING:
    from .ingest.importer import ImportReport
    from .storage.store import Store

# The import pipeline, the schema and the measures are imported by the commands
# that use them: a query answers without loading the import pipeline (pandas'
# parsers, the identity rules), and ``--help`` without loading anything.

MAX_WARNINGS_SHOWN = 20


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m netmap",
        description="Map a company's customer relationship network from its CRM exports.",
    )
    parser.add_argument(
        "--db", metavar="URL",
        help="database URL or SQLite file (default: $NETMAP_DATABASE_URL, else sqlite:///data/netmap.db)",
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    p = sub.add_parser("import", help="import CSV/TSV/XLSX exports (all files together, all or nothing)")
    p.add_argument("files", nargs="+", metavar="FILE")
    p.add_argument("--kind", choices=["people", "referrals", "relationships", "interactions", "feedback", "tickets",
                                          "activities"],
                   help="what the files hold (default: detected from the headers)")
    p.add_argument("--map", action="append", default=[], metavar="FIELD=COLUMN",
                   help="map a field to a column header, e.g. --map email='Work address' (repeatable)")
    p.add_argument("--sheet", metavar="NAME", help="the workbook sheet (or zip member) to import")
    p.add_argument("--date-order", choices=["dmy", "mdy"], help="how to read dates like 01/02/2024")
    p.add_argument("--skip-invalid", action="store_true",
                   help="import the valid rows and report the others as refused (default: any bad row refuses all)")
    p.add_argument("--dry-run", action="store_true", help="check, match and count, but write nothing")
    p.add_argument("--from-person", metavar="WHO",
                   help="whose contacts or connections export this is (a team member's name or email): they "
                        "join the network as a person of the team, tied to each person of the file")

    sub.add_parser("imports", help="the import log")
    p = sub.add_parser("undo", help="undo one import")
    p.add_argument("import_id", type=int, metavar="IMPORT_ID")
    p = sub.add_parser("summary", help="key figures")
    p.add_argument("--json", action="store_true", help="one JSON object")
    p = sub.add_parser("erase", help="erase a person with every tie, referral and piece of feedback")
    p.add_argument("who", metavar="WHO", help="#id, CRM id, email or full name: it must name exactly one person")
    sub.add_parser("wipe", help="rewrite the database so no copy of deleted rows is left (after an erasure "
                                "that another connection held up)")
    sub.add_parser("sample", help="load the sample company from data/sample/")
    p = sub.add_parser("audit", help="who imported, undid or erased what, and when (newest first)")
    p.add_argument("--limit", type=int, metavar="N", help="only the N newest entries")
    p.add_argument("--action", choices=["import", "undo", "erase", "merge", "keep-apart", "log"],
                   help="only this kind of change")
    p.add_argument("--json", action="store_true", help="one JSON array")
    sub.add_parser("reviews", help="likely duplicates that were not merged, for review")
    p = sub.add_parser("merge", help="two records of one person: everything of OTHER moves to KEEP, OTHER goes "
                                     "(undo with `undo ID`)")
    p.add_argument("keep", metavar="KEEP", help="#id, CRM id, email or full name of the person kept")
    p.add_argument("other", metavar="OTHER", help="#id, CRM id, email or full name of the record merged into KEEP")
    p = sub.add_parser("keep-apart", help="two different people: their likely-duplicate review is closed and no "
                                          "later import lists them again (undo with `undo ID`)")
    p.add_argument("a", metavar="A", help="#id, CRM id, email or full name")
    p.add_argument("b", metavar="B", help="#id, CRM id, email or full name")

    from .cli_crm import add_crm_commands
    from .cli_log import add_log_commands
    from .cli_network import add_network_commands
    from .cli_tickets import add_ticket_commands
    from .cli_trends import add_trend_commands

    add_network_commands(sub)
    add_crm_commands(sub)
    add_trend_commands(sub)
    add_ticket_commands(sub)
    add_log_commands(sub)
    return parser


#: The command line's remedy for each problem code (:data:`netmap.errors.CODES`), in its own flags.
REMEDIES: dict[str, str] = {
    "ambiguous_dates": "pass --date-order dmy (day first) or --date-order mdy (month first)",
    "ambiguous_kind": "pass --kind with one of the kinds named",
    "unknown_kind": "pass --kind with one of the kinds listed",
    "unrecognised_file": "name the kind with --kind or map columns with --map FIELD=COLUMN",
    "missing_column": "rename the column or use --map FIELD=COLUMN",
    "unknown_field": "use --map with one of the fields listed",
    "unknown_column": "use --map FIELD=COLUMN with one of the columns listed",
    "several_sheets": "choose one with --sheet NAME",
    "sheet_chosen": "choose another with --sheet NAME",
    "no_sheets": "import it without --sheet",
    "from_person_not_people": "import it without --from-person, or with --kind people",
    "connections_untied": "say whose export it is with --from-person WHO to tie its people to that team member",
}


def problem_line(p: Problem) -> str:
    """A problem as the command line prints it: file:row:column: message; remedy in flags."""
    remedy = REMEDIES.get(p.code or "", p.fix)
    warning = "" if p.is_error else "warning: "
    return f"{p.file}:{'' if p.row is None else p.row}:{p.column or ''}: {warning}{p.message}" + (
        f"; {remedy}" if remedy else "")


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    from .storage.store import Store

    try:
        store = Store(args.db)
    except Exception as exc:  # a bad URL or an unreachable server: say which, without a traceback
        url = config.database_url(args.db)
        shown = _shown_url(url)
        print(f"netmap: cannot open the database {shown!r}: {str(exc).replace(url, shown)}", file=sys.stderr)
        return 2
    try:
        return _commands()[args.command](store, args)
    except ImportRefused as exc:
        for p in exc.problems:
            print(problem_line(p), file=sys.stderr)
        for label, reading in exc.readings.items():
            print(f"{label}: read as {reading}; if that is wrong, name the kind with --kind", file=sys.stderr)
        _print_warnings(exc.warnings)
        files = sorted({p.file for p in exc.problems})
        print(f"netmap: refused {', '.join(files)}: {len(exc.problems)} problem(s); nothing was imported.", file=sys.stderr)
        return 1
    except NetmapError as exc:
        print(f"netmap: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # `python -m netmap people | head`
        return 0
    except Exception as exc:  # a bug: say so plainly; NETMAP_DEBUG=1 shows the traceback
        if os.environ.get("NETMAP_DEBUG"):
            raise
        print(
            f"netmap: internal error ({type(exc).__name__}: {exc}); nothing was changed by a failed import. "
            "Run again with NETMAP_DEBUG=1 for details and report it.",
            file=sys.stderr,
        )
        return 70
    finally:
        store.close()


def _shown_url(url: str) -> str:
    """The database URL with its password masked (messages end up in terminals and CI logs)."""
    from .storage.urls import shown_url

    return shown_url(url)


def _parse_map(items: list[str]) -> dict[str, str]:
    out = {}
    for item in items:
        if "=" not in item:
            raise NetmapError(f"--map {item!r}: write FIELD=COLUMN, e.g. --map email='Work address'")
        k, v = item.split("=", 1)
        out[k.strip()] = v.strip()
    return out


def cmd_import(store: Store, args) -> int:
    from .ingest.importer import ImportOptions, import_paths

    options = ImportOptions(
        kind=args.kind, mapping=_parse_map(args.map), sheet=args.sheet, date_order=args.date_order,
        skip_invalid=args.skip_invalid, limits=config.Limits.from_env(), from_person=args.from_person,
    )
    missing = [f for f in args.files if not Path(f).is_file()]
    if missing:
        raise NetmapError(f"no such file: {', '.join(missing)}")
    report = import_paths(store, args.files, options, dry_run=args.dry_run)
    _print_report(report)
    return 0


def _print_report(report: ImportReport) -> None:
    for f in report.files:
        where = "dry run, nothing written" if report.dry_run else f"import #{f.import_id}"
        print(f"{f.label}: {f.kind} ({where})")
        if f.reading:
            print(f"  read as: {f.reading}")
        print("  columns: " + ", ".join(f"{col} -> {field}" for field, col in f.mapping.items()))
        added = ", ".join(f"{n} {what}" for what, n in sorted(f.added.items())) or "nothing"
        updated = ", ".join(f"{n} {what}" for what, n in sorted(f.updated.items())) or "nothing"
        print(f"  {f.rows_read} rows read; added {added}; updated {updated}; {f.refused} rows refused")
        if f.warnings:
            print(f"  {len(f.warnings)} warning(s), listed on stderr")
    if report.reviews:
        print(f"{report.reviews} likely duplicate(s) were not merged: see `python -m netmap reviews`")
    _print_warnings(report.warnings)


def _print_warnings(warnings: list[Problem]) -> None:
    """Every warning about a whole file (no row: columns not used, a skipped
    preamble; few, and the one that matters must not be cut), then the first
    :data:`MAX_WARNINGS_SHOWN` about single rows."""
    whole = [w for w in warnings if w.row is None]
    rows = [w for w in warnings if w.row is not None]
    for w in whole + rows[:MAX_WARNINGS_SHOWN]:
        print(problem_line(w), file=sys.stderr)
    if len(rows) > MAX_WARNINGS_SHOWN:
        print(f"... and {len(rows) - MAX_WARNINGS_SHOWN} more warning(s) about single rows", file=sys.stderr)


def cmd_imports(store: Store, args) -> int:
    rows = store.imports()
    if not rows:
        print("no imports yet: `python -m netmap import FILE` or `python -m netmap sample`")
        return 0
    print(f"{'id':>4}  {'when (UTC)':19}  {'file':34} {'kind':13} {'read':>6} {'added':>6} {'updated':>7} {'refused':>7}  status")
    for r in rows:
        name = r["file_name"] + (f"[{r['sheet']}]" if r["sheet"] else "")
        status = f"undone {r['undone_at']:%Y-%m-%d %H:%M}" if r["undone_at"] else "in place"
        print(
            f"{r['id']:>4}  {r['created_at']:%Y-%m-%d %H:%M:%S}  {name[:34]:34} {r['kind']:13} {r['rows_read']:>6} "
            f"{r['added']:>6} {r['updated']:>7} {r['refused']:>7}  {status}"
        )
    return 0


def cmd_undo(store: Store, args) -> int:
    plan = store.undo_preview(args.import_id)  # what it removes and restores, in plain counts
    store.undo(args.import_id)
    print(plan.done)
    return 0


def cmd_summary(store: Store, args) -> int:
    s = store.summary()
    if args.json:
        print(json.dumps(s, indent=2))
        return 0
    nps = "n/a" if s["nps"] is None else f"{s['nps']:+d}"
    print(f"people        {s['people']:>7}  ({s['customers']} customers, {s['prospects']} others)")
    print(
        f"ties          {s['ties']:>7}  (from {s['relationships']} relationships, {s['referrals']} referrals, "
        f"{s['interactions']} shared interactions, and colleagues at small companies)"
    )
    print(f"feedback      {s['feedback']:>7}  from {s['with_feedback']} people; NPS {nps}: "
          f"{s['promoters']} promoters, {s['passives']} passives, {s['detractors']} detractors")
    print(f"imports       {s['imports']:>7}  (last {s['last_import'] or 'never'}); {s['reviews']} likely duplicates to review")
    return 0


def cmd_erase(store: Store, args) -> int:
    pid = store.resolve_one(args.who)  # exactly one person, or a refusal listing the candidates
    result = store.erase(pid)
    parts = ", ".join(f"{n} {k}" for k, n in result.items() if k not in ("person_id", "redacted") and n)
    redacted = result.get("redacted") or {}
    where = ", ".join(f"{k} {n}" for k, n in redacted.items())
    print(f"erased person #{result['person_id']}" + (f" with {parts}" if parts else "")
          + (f"; their name or email redacted in {sum(redacted.values())} other stored texts ({where})" if redacted else "")
          + "; nothing of them is left in the database")
    return 0


def cmd_wipe(store: Store, args) -> int:
    store.wipe_free_space()
    print("rewrote the database: no copy of deleted rows is left in its files")
    return 0


def sample_files() -> list[Path]:
    """The sample company's export files in ``data/sample/``."""
    files = sorted(p for p in config.SAMPLE_DIR.glob("*") if p.suffix.lower() in (".csv", ".tsv", ".xlsx"))
    if not files:
        raise NetmapError(f"no sample files in {config.SAMPLE_DIR}; regenerate them with `python -m tools.synth --out data/sample`")
    return files


def cmd_sample(store: Store, args) -> int:
    from .ingest.importer import ImportOptions, import_paths

    report = import_paths(store, sample_files(), ImportOptions(limits=config.Limits.from_env()))
    _print_report(report)
    return 0


def cmd_reviews(store: Store, args) -> int:
    rows = store.reviews()
    if not rows:
        print("no likely duplicates to review")
        return 0
    for r in rows:
        print(f"#{r['a_id']} {r['a_name']} <{r['a_email'] or '-'}>  ~  #{r['b_id']} {r['b_name']} <{r['b_email'] or '-'}>: {r['reason']}")
    return 0


def cmd_merge(store: Store, args) -> int:
    from .config import local_actor
    from .storage.merge import merge_summary

    keep, other = store.resolve_one(args.keep), store.resolve_one(args.other)  # exactly one person each
    result = store.merge(keep, other, actor=local_actor())
    print(merge_summary(result))
    print(f"(merge #{result['merge_id']}: `python -m netmap undo {result['merge_id']}` undoes it)")
    return 0


def cmd_keep_apart(store: Store, args) -> int:
    from .config import local_actor

    a, b = store.resolve_one(args.a), store.resolve_one(args.b)
    result = store.keep_apart(a, b, actor=local_actor())
    (x, y), (nx, ny) = result["people"], result["names"]
    closed = result["reviews"]
    print(f"kept {nx} (#{x}) and {ny} (#{y}) apart: {closed} review{'s' if closed != 1 else ''} closed, and later "
          f"imports do not list them together again (keep-apart #{result['decision_id']}: "
          f"`python -m netmap undo {result['decision_id']}` undoes it)")
    return 0


def cmd_audit(store: Store, args) -> int:
    if args.limit is not None and args.limit < 1:
        raise NetmapError("--limit must be at least 1")
    rows = store.audit(limit=args.limit, action=args.action)
    if args.json:
        print(json.dumps([{**r, "at": r["at"].isoformat(timespec="seconds")} for r in rows], indent=1))
        return 0
    if not rows:
        print("no changes recorded yet")
        return 0
    from .storage.audit import describe_counts

    print(f"{'id':>4}  {'when (UTC)':19}  {'actor':28} {'action':7} {'target':24} counts")
    for r in rows:
        print(f"{r['id']:>4}  {r['at']:%Y-%m-%d %H:%M:%S}  {r['actor'][:28]:28} {r['action']:7} {r['target'][:24]:24} "
              f"{describe_counts(r['counts'])}")
    return 0


def _commands() -> dict:
    from .cli_crm import COMMANDS as CRM
    from .cli_log import COMMANDS as LOG
    from .cli_network import COMMANDS as NETWORK
    from .cli_tickets import COMMANDS as TICKETS
    from .cli_trends import COMMANDS as TRENDS

    return {
        "import": cmd_import, "imports": cmd_imports, "undo": cmd_undo, "summary": cmd_summary,
        "erase": cmd_erase, "wipe": cmd_wipe, "sample": cmd_sample, "reviews": cmd_reviews, "audit": cmd_audit,
        "merge": cmd_merge, "keep-apart": cmd_keep_apart, **NETWORK,
        **CRM, **TRENDS, **TICKETS, **LOG,
    }
