"""All measures of the network at once, computed once per change of the data.

:func:`analyze` is pure: a :class:`~netmap.model.Dataset` in, an
:class:`Analysis` out (plus the graph and the live-edge samples the plan and
the paths reuse). :func:`measures` wraps it with the store: the result is kept
in the database with the data version it was computed from and reused until an
import, undo or erasure changes the data.
"""

from __future__ import annotations

import functools
import hashlib
import json
import math
from dataclasses import dataclass, field
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd

from .model import Dataset
from .network import bridge_measures, build_graph, detect_communities, label_communities, weak_ties
from .network.graph import _arrays_shared
from .network.nurture import nurture_actions
from .network.spread import LiveEdgeSamples, sample_live_edges, spread_measures

#: columns of ``python -m netmap people`` (a contract: scripts rely on them)
PEOPLE_COLUMNS = [
    "person_id", "name", "email", "company", "owner", "stage", "nps", "feeling", "community", "degree", "strength",
    "betweenness", "constraint", "effective_size", "participation", "is_cut_vertex", "spread", "reach2",
    "bridge_score", "action", "nurture_score", "reason",
]
#: columns of ``python -m netmap weak-ties``
WEAK_TIE_COLUMNS = [
    "a_id", "a_name", "b_id", "b_name", "strength", "overlap", "local_bridge", "span", "crosses_communities", "weakness",
]
#: live-edge snapshots for spread and the plan (ENGINEERING.md: ~1,000 keep the error near 5%)
DEFAULT_SAMPLES = 200


@functools.cache
def cache_name() -> str:
    """The cache slot of the analysis: changes when the measuring code changes,
    so an upgrade of netmap never serves measures computed the old way."""
    digest = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for path in sorted([here / "analysis.py", here / "model.py", *(here / "network").glob("*.py")]):
        digest.update(path.read_bytes())
    return f"analysis/{digest.hexdigest()[:16]}"


@dataclass
class Analysis:
    """Every per-person and per-tie measure, ready for tables and exports.

    ``people`` has :data:`PEOPLE_COLUMNS` (plus ``community_id``, ``segment``,
    ``region``, ``is_customer``, ``spread_se`` for the app), one row per person,
    in person-id order. ``ties`` has :data:`WEAK_TIE_COLUMNS`, weakest first.
    ``methods`` states how the approximate measures were computed and how
    precise they are.
    """

    version: int
    people: pd.DataFrame
    ties: pd.DataFrame
    labels: dict[int, str]
    methods: dict[str, str] = field(default_factory=dict)
    base_rate: float | None = None
    seed: int = 0
    samples: int = DEFAULT_SAMPLES

    # ----------------------------------------------------------- serialise
    def to_bytes(self) -> bytes:
        """JSON (never pickle: a database row must not be able to run code)."""
        return json.dumps(
            {
                "version": self.version, "labels": {str(k): v for k, v in self.labels.items()},
                "methods": self.methods, "base_rate": self.base_rate, "seed": self.seed, "samples": self.samples,
                "people": _frame_to_json(self.people), "ties": _frame_to_json(self.ties),
            },
            default=_plain,
        ).encode("utf-8")

    @classmethod
    def from_bytes(cls, data: bytes) -> "Analysis":
        d = json.loads(data)
        return cls(
            version=d["version"], people=_frame_from_json(d["people"]), ties=_frame_from_json(d["ties"]),
            labels={int(k): v for k, v in d["labels"].items()}, methods=d["methods"], base_rate=d["base_rate"],
            seed=d["seed"], samples=d["samples"],
        )


def analyze(dataset: Dataset, *, seed: int = 0, samples: int = DEFAULT_SAMPLES) -> tuple[Analysis, nx.Graph, LiveEdgeSamples]:
    """Compute every measure of PRODUCT.md "The network and its measures"."""
    G = build_graph(dataset)
    with _arrays_shared(G):  # the measures read the same graph: read it into arrays once
        communities = detect_communities(G, seed=seed)
        labels = label_communities(G, communities)
        bridges = bridge_measures(G, communities, seed=seed)
        spread, live = spread_measures(G, samples=samples, seed=seed)
        nodes = sorted(G.nodes)
        node_attrs = G.nodes
        attrs = pd.DataFrame.from_records(
            [
                (v, d.get("name"), d.get("email"), d.get("company"), d.get("owner"), d.get("stage"), d.get("segment"),
                 d.get("region"), bool(d.get("is_customer")), d.get("nps"), d.get("scale"), d.get("feeling"))
                for v, d in zip(nodes, map(node_attrs.__getitem__, nodes))
            ],
            columns=["person_id", "name", "email", "company", "owner", "stage", "segment", "region", "is_customer", "nps",
                     "scale", "feeling"],
        ).set_index("person_id")
    table = attrs.join(bridges).join(spread)
    table["community"] = pd.Series(communities).reindex(table.index).astype("Int64")
    table = nurture_actions(table, G, communities, labels)  # reads the community ids
    table["community_id"] = table["community"]
    table["community"] = table["community_id"].map(lambda c: labels.get(int(c)) if pd.notna(c) else None)
    table = table.reset_index()
    extra = ["community_id", "segment", "region", "is_customer", "scale", "spread_se"]
    people = table[PEOPLE_COLUMNS + [c for c in extra if c in table.columns]]
    with _arrays_shared(G):
        ties = weak_ties(G, communities)
    names = attrs["name"]
    ties.insert(1, "a_name", ties["a_id"].map(names))
    ties.insert(3, "b_name", ties["b_id"].map(names))
    ties = ties[WEAK_TIE_COLUMNS].reset_index(drop=True)
    methods = {
        "betweenness": bridges.attrs.get("betweenness_method", ""),
        "spread": spread.attrs.get("spread_method", ""),
    }
    analysis = Analysis(
        version=dataset.version, people=people, ties=ties, labels=labels, methods=methods,
        base_rate=float(live.base_rate), seed=seed, samples=samples,
    )
    return analysis, G, live


def live_samples(analysis: Analysis, G: nx.Graph) -> LiveEdgeSamples:
    """The analysis' live-edge samples again (seeded: the same snapshots)."""
    return sample_live_edges(G, analysis.samples, analysis.seed, base_rate=analysis.base_rate)


def measures(store, *, seed: int = 0) -> Analysis:
    """The stored analysis when it matches the data; else compute and store it."""
    cached = store.cached(cache_name())
    if cached is not None:
        analysis = Analysis.from_bytes(cached)
        if analysis.seed == seed:
            return analysis
    dataset = store.load_dataset()
    analysis, _, _ = analyze(dataset, seed=seed)
    payload = analysis.to_bytes()
    store.cache(cache_name(), payload, dataset.version)
    return Analysis.from_bytes(payload)  # the same types whether computed now or read back


def network(store, *, seed: int = 0) -> tuple[Analysis, nx.Graph]:
    """The analysis and the graph it describes (for paths, the plan and views)."""
    return measures(store, seed=seed), build_graph(store.load_dataset())


# ------------------------------------------------------------- JSON helpers


def _plain(v):
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating,)):
        f = float(v)
        return None if math.isnan(f) or math.isinf(f) else f
    if isinstance(v, np.bool_):
        return bool(v)
    if v is pd.NA or v is pd.NaT:
        return None
    raise TypeError(f"cannot store {type(v).__name__}")


def _frame_to_json(df: pd.DataFrame) -> dict:
    """Column by column (a list per column: json encodes and decodes those ~5x
    faster than a list per row); NaN, infinities and <NA> become null."""
    data = {}
    for name in df.columns:
        col = df[name]
        if col.dtype.kind == "f":
            values = col.to_numpy(dtype=np.float64)
            bad = ~np.isfinite(values)
            data[str(name)] = values.tolist() if not bad.any() else np.where(bad, None, values.astype(object)).tolist()
        elif col.dtype.kind in "iub":
            data[str(name)] = col.to_numpy().tolist()
        else:
            data[str(name)] = [_cell(x) for x in col.tolist()]
    return {"columns": [str(c) for c in df.columns], "data": data}


def _cell(x):
    if x is None or x is pd.NA or x is pd.NaT:
        return None
    if isinstance(x, float):
        return None if math.isnan(x) or math.isinf(x) else x
    if isinstance(x, (np.generic,)):
        return _plain(x)
    return x


def _frame_from_json(d: dict) -> pd.DataFrame:
    if "data" not in d:  # rows, as stored before the columnar format
        return pd.DataFrame(d["rows"], columns=d["columns"])
    cols = d["columns"]
    data = d["data"]
    return pd.DataFrame({c: data[c] for c in cols}, columns=cols)


