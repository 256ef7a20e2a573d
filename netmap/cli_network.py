"""The network commands of ``python -m netmap``: measures, nurture, plan, paths, views.

Names and columns are a contract (issue "The network and its measures").
Results come from :func:`netmap.analysis.measures`: computed once per change of
the data, then read back from the database.
"""

from __future__ import annotations

import argparse
import sys
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import NetmapError

if TYPE_CHECKING:
    import pandas as pd

# Each command imports what it needs: a stored answer (nurture, bridges, paths,
# plan) never loads networkx, the graph builder or the measuring kernels.


def day(text: str) -> date:
    """A ``YYYY-MM-DD`` option value (argparse's type)."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date: write it as YYYY-MM-DD, e.g. 2026-01-31") from None


def add_network_commands(sub) -> None:
    def fmt(p):
        as_of(p)
        p.add_argument("--format", choices=["csv", "json"], default="csv", help="output format (default: csv)")
        p.add_argument("--out", metavar="FILE", help="write to FILE instead of standard output")

    def as_of(p):
        p.add_argument("--as-of", type=day, metavar="DATE", dest="as_of",
                       help="the network as it stood on DATE (YYYY-MM-DD): only the evidence dated by then")

    p = sub.add_parser("people", help="every person with every measure")
    fmt(p)
    p = sub.add_parser("weak-ties", help="ties ranked by weakness (weak ties between clusters first)")
    p.add_argument("--top", type=int, metavar="N")
    fmt(p)
    p = sub.add_parser("bridges", help="people ranked by bridge score")
    p.add_argument("--top", type=int, metavar="N")
    fmt(p)
    p = sub.add_parser("nurture", help="whom to nurture next, with the action and the reason")
    p.add_argument("--top", type=int, metavar="N")
    p.add_argument("--owner", metavar="NAME", help="only this account manager's book")
    fmt(p)
    p = sub.add_parser("plan", help="the best K people to nurture together")
    p.add_argument("--k", type=int, required=True, metavar="K")
    fmt(p)
    p = sub.add_parser("paths", help="warm-introduction paths to a person, a company, stages or every prospect")
    p.add_argument("--to", required=True, metavar="WHO|company:NAME|stage:STAGE[,STAGE...]|prospects",
                   help="a person; everyone at a company (legal suffixes ignored); everyone at one or more "
                        "lifecycle stages; or prospects: everyone at a lead-like stage")
    p.add_argument("--from", dest="source", default="promoters", metavar="promoters|team|WHO|owner:NAME")
    p.add_argument("--top", type=int, default=3, metavar="N", help="paths per target (default 3)")
    fmt(p)
    p = sub.add_parser("graph", help="the interactive graph as one self-contained HTML file")
    p.add_argument("--out", required=True, metavar="FILE.html")
    p.add_argument("--focus", metavar="WHO")
    p.add_argument("--hops", type=int, default=2, metavar="N")
    p.add_argument("--max-nodes", type=int, default=1000, metavar="N")
    p.add_argument("--color-by", choices=["community", "feeling"], default="community")
    # the Network page's filters (repeat a flag for several values; "(none)": people without one)
    p.add_argument("--owner", action="append", default=[], metavar="NAME", help="only this owner's people (repeatable)")
    p.add_argument("--community", action="append", type=int, default=[], metavar="ID",
                   help="only this community (its number, as `people` lists it; -1: none; repeatable)")
    p.add_argument("--feeling", action="append", default=[], metavar="FEELING",
                   help="only people with this feeling: promoter, passive, detractor, unknown (repeatable)")
    p.add_argument("--stage", action="append", default=[], metavar="STAGE",
                   help="only this lifecycle stage (repeatable)")
    p.add_argument("--min-strength", type=float, default=0.0, metavar="S",
                   help="hide ties weaker than S (0-1) and people left without any tie")
    as_of(p)
    p = sub.add_parser("export", help="the whole graph with every measure, for Gephi")
    p.add_argument("fmt", choices=["graphml", "gexf"])
    p.add_argument("--out", required=True, metavar="FILE")
    as_of(p)


def _emit(df: pd.DataFrame, args) -> int:
    from .tabular_export import to_csv, to_json

    text = to_csv(df) if args.format == "csv" else to_json(df) + "\n"
    if getattr(args, "out", None):
        Path(args.out).write_text(text, encoding="utf-8")
        print(f"wrote {len(df)} rows to {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def needs_data(store) -> None:
    """Refuse a command that reads the people before any import, saying what to do."""
    if not store.has_people():
        raise NetmapError("there is no data yet: import your CRM exports first (or `python -m netmap sample`)")


def _top(df: pd.DataFrame, n: int | None) -> pd.DataFrame:
    if n is not None and n < 0:
        raise NetmapError("--top must be 0 or more")
    return df if n is None else df.head(n)


def cmd_people(store, args) -> int:
    from .analysis import PEOPLE_COLUMNS, PEOPLE_EXTRA_COLUMNS, measures

    return _emit(measures(store, as_of=args.as_of).people[PEOPLE_COLUMNS + PEOPLE_EXTRA_COLUMNS], args)


def cmd_weak_ties(store, args) -> int:
    from .analysis import WEAK_TIE_COLUMNS, measures

    return _emit(_top(measures(store, as_of=args.as_of).ties[WEAK_TIE_COLUMNS], args.top), args)


def cmd_bridges(store, args) -> int:
    from .analysis import PEOPLE_COLUMNS, PEOPLE_EXTRA_COLUMNS, measures
    from .network.bridges import bridge_ranking

    ranked = bridge_ranking(measures(store, as_of=args.as_of).people)
    return _emit(_top(ranked[PEOPLE_COLUMNS + PEOPLE_EXTRA_COLUMNS], args.top), args)


def cmd_nurture(store, args) -> int:
    from .analysis import measures
    from .queries import nurture_list

    return _emit(nurture_list(measures(store, as_of=args.as_of).people, top=args.top, owner=args.owner), args)


def cmd_plan(store, args) -> int:
    from .analysis import measures
    from .queries import plan

    if args.k < 1:
        raise NetmapError("--k must be at least 1")
    return _emit(plan(measures(store, as_of=args.as_of), args.k), args)


@contextmanager
def _then(args):
    """Say which day when someone named was not in the network as it stood then (``--as-of``)."""
    from .errors import UnknownPerson

    try:
        yield
    except UnknownPerson as exc:
        if args.as_of is None:
            raise
        raise UnknownPerson(f"{exc} on {args.as_of:%Y-%m-%d} (not there yet then)") from None


def cmd_paths(store, args) -> int:
    from .analysis import measures
    from .queries import find_paths, path_index, resolve_sources, resolve_targets

    analysis = measures(store, as_of=args.as_of)
    with _then(args):
        targets = resolve_targets(store, analysis.people, args.to)
        sources = resolve_sources(store, analysis.people, args.source)
        found = find_paths(None, targets, sources, top=args.top, index=path_index(analysis), people=analysis.people)
    return _emit(found, args)


def graph_filters(args):
    """The Network page's :class:`~netmap.queries.Filters` from the ``graph`` command's flags."""
    from .queries import Filters

    return Filters(tuple(args.owner), tuple(args.community), tuple(args.feeling), tuple(args.stage),
                   float(args.min_strength))


def cmd_graph(store, args) -> int:
    """The Network page's drawing (:func:`netmap.draw.view.network_view`: the same filters,
    the same choice of people, dashed weak ties, dark bridges, bridge customers as diamonds,
    the legend), written to one self-contained HTML file."""
    from .analysis import network
    from .draw.view import network_view

    filters = graph_filters(args)
    analysis, G = network(store, as_of=args.as_of)
    focus = store.find_person(args.focus) if args.focus else None
    with _then(args):
        view = network_view(
            G, analysis.people, analysis.ties, filters, labels=analysis.labels, focus=focus, hops=args.hops,
            color_by=args.color_by, max_nodes=args.max_nodes, title="netmap",
        )
    Path(args.out).write_text(view.html, encoding="utf-8")
    print(f"wrote {args.out}: showing {view.shown} of {view.total} people")
    return 0


def cmd_export(store, args) -> int:
    from .analysis import network
    from .draw.gephi import to_gexf, to_graphml
    from .draw.view import graph_people_table

    analysis, G = network(store, as_of=args.as_of)
    writer = to_graphml if args.fmt == "graphml" else to_gexf
    with open(args.out, "wb") as fh:
        writer(G, graph_people_table(analysis.people), fh, edge_table=analysis.ties)
    print(f"wrote {args.out}: {G.number_of_nodes()} people, {G.number_of_edges()} ties, every measure as an attribute")
    return 0


COMMANDS = {
    "people": cmd_people, "weak-ties": cmd_weak_ties, "bridges": cmd_bridges, "nurture": cmd_nurture,
    "plan": cmd_plan, "paths": cmd_paths, "graph": cmd_graph, "export": cmd_export,
}
