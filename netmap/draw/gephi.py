"""GraphML and GEXF files of the network, for Gephi.

Every measure of the people table becomes a node attribute (and an optional
edge table, e.g. weak-tie measures, edge attributes). GraphML and GEXF cannot
store ``None``: missing values (``None``/``NaN``) are left out for that node or
edge; dates become ISO strings, tuples are joined with ", ", and every
attribute keeps one type across the file (bool, int, float or str).
"""

from __future__ import annotations

import math
from datetime import date, datetime

import networkx as nx
import numpy as np
import pandas as pd

from ..tabular_export import neutralise
from ..text import plain

__all__ = ["to_gexf", "to_graphml"]

_CUT_COLUMNS = ("is_cut_vertex", "cut_vertex", "articulation_point")
_EDGE_END_COLUMNS = (("a", "b"), ("u", "v"), ("source", "target"), ("a_id", "b_id"), ("person_a", "person_b"))



def _missing(v) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    if isinstance(v, float | np.floating):
        return math.isnan(v)
    return False


def _scalar(v):
    """A GraphML/GEXF-storable Python value, or ``None`` to leave it out. Text is
    formula-safe (:func:`netmap.tabular_export.neutralise`): Gephi and other tools
    export these attributes to spreadsheets, where ``=HYPERLINK(...)`` would run."""
    if isinstance(v, np.generic):
        v = v.item()
    if _missing(v):
        return None
    if isinstance(v, bool | int | float):
        return v
    if isinstance(v, str):
        return neutralise(v)
    if isinstance(v, datetime | date | pd.Timestamp):
        return v.isoformat()
    if isinstance(v, tuple | list | set | frozenset):
        items = sorted(v, key=str) if isinstance(v, set | frozenset) else v
        return neutralise(", ".join(str(_scalar(x)) for x in items if _scalar(x) is not None))
    return neutralise(str(v))


def _unify(records: list[dict]) -> None:
    """Give every attribute one type across all records (in place)."""
    kinds: dict[str, set] = {}
    for rec in records:
        for k, v in rec.items():
            kinds.setdefault(k, set()).add(type(v))
    for k, ts in kinds.items():
        if ts <= {bool} or ts <= {int} or ts <= {str}:
            continue
        conv = float if ts <= {int, float} else str
        for rec in records:
            if k in rec:
                rec[k] = conv(rec[k])


def _edge_ends(table: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, pd.DataFrame]:
    for a, b in _EDGE_END_COLUMNS:
        if a in table.columns and b in table.columns:
            return table[a].to_numpy(), table[b].to_numpy(), table.drop(columns=[a, b])
    if isinstance(table.index, pd.MultiIndex) and table.index.nlevels == 2:
        return (table.index.get_level_values(0).to_numpy(),
                table.index.get_level_values(1).to_numpy(), table.reset_index(drop=True))
    raise ValueError(
        "edge table needs endpoint columns (one of "
        + ", ".join(f"{a}/{b}" for a, b in _EDGE_END_COLUMNS) + ") or a two-level index"
    )


def _export_graph(G: nx.Graph, people_table: pd.DataFrame | None, edge_table, *, gexf: bool) -> nx.Graph:
    H = nx.Graph()
    cols = [] if people_table is None else [c for c in people_table.columns]
    rows = {} if people_table is None else people_table.to_dict(orient="index")
    nodes = sorted(G.nodes())
    node_recs = []
    for v in nodes:
        rec = {}
        for k, x in G.nodes[v].items():
            s = _scalar(x)
            if s is not None:
                rec[str(k)] = s
        for k in cols:
            s = _scalar(rows.get(v, {}).get(k))
            if s is not None:  # the table wins where it has a value
                rec[str(k)] = s
        if gexf:
            rec.pop("label", None)
            name = neutralise(plain(G.nodes[v].get("name", "")))
            if name:
                rec["label"] = name
        node_recs.append(rec)
    _unify(node_recs)
    H.add_nodes_from(zip(nodes, node_recs))
    extra: dict[tuple, dict] = {}
    if edge_table is not None and len(edge_table):
        ea, eb, rest = _edge_ends(edge_table)
        recs = rest.to_dict(orient="records")
        for a, b, r in zip(ea.tolist(), eb.tolist(), recs):
            extra[(a, b)] = r
            extra[(b, a)] = r
    edges = sorted((min(a, b), max(a, b)) for a, b in G.edges())
    edge_recs = []
    for a, b in edges:
        rec = {}
        for k, x in G.edges[a, b].items():
            s = _scalar(x)
            if s is not None:
                rec[str(k)] = s
        for k, x in extra.get((a, b), {}).items():
            s = _scalar(x)
            if s is not None:
                rec[str(k)] = s
        edge_recs.append(rec)
    _unify(edge_recs)
    H.add_edges_from((a, b, r) for (a, b), r in zip(edges, edge_recs))
    return H


def to_graphml(
    G: nx.Graph, people_table: pd.DataFrame | None, path_or_buffer, *, edge_table: pd.DataFrame | None = None
) -> None:
    """Write GraphML (Gephi, yEd, Cytoscape) with every measure as an attribute.

    ``people_table`` (indexed by person id) columns override node attributes
    of the same name where they have a value; ``edge_table`` (e.g. weak-tie measures, endpoints in
    columns ``a``/``b`` or ``u``/``v`` or ``source``/``target``, or a
    two-level index) adds edge attributes. Read back with
    ``nx.read_graphml(f, node_type=int)``.
    """
    nx.write_graphml(_export_graph(G, people_table, edge_table, gexf=False), path_or_buffer)


def to_gexf(
    G: nx.Graph, people_table: pd.DataFrame | None, path_or_buffer, *, edge_table: pd.DataFrame | None = None
) -> None:
    """Write GEXF 1.2 (Gephi's own format); like :func:`to_graphml`, ``label`` = name."""
    nx.write_gexf(_export_graph(G, people_table, edge_table, gexf=True), path_or_buffer)


