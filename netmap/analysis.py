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
import struct
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    import networkx as nx

    from .model import Dataset
    from .network.spread import LiveEdgeSamples

# networkx and the measuring kernels are imported by :func:`analyze` only: reading
# stored measures (every answer after the first) needs numpy, pandas and pyarrow.

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
#: the stored format: this line, the length of a JSON header, the header, then one
#: Arrow IPC stream per table (no pickle: a database row must not be able to run code)
MAGIC = b"netmap-analysis/2\n"
_FRAMES = ("people", "ties", "edges", "plan")
#: the nurture plan is stored for this many picks: greedy, so the plan for any
#: smaller k is its first k rows (``python -m netmap plan --k 10`` reads it)
PLAN_STORED = 50


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
    """Every per-person and per-tie measure, ready for tables and exports, and
    the ties themselves as arrays (so that paths and the plan are answered from
    the stored analysis without rebuilding the graph).

    ``people`` has :data:`PEOPLE_COLUMNS` (plus ``community_id``, ``segment``,
    ``region``, ``is_customer``, ``spread_se`` for the app), one row per person,
    in person-id order. ``ties`` has :data:`WEAK_TIE_COLUMNS`, weakest first.
    ``edges`` has one row per tie of the graph: ``u`` and ``v`` (row positions
    in ``people``, ``u < v``, sorted), ``strength`` and ``kinds`` (e.g.
    "colleague, referral", for drawings). ``plan`` is the
    nurture plan of everyone's candidates for :data:`PLAN_STORED` picks
    (:func:`netmap.queries.plan`). ``methods`` states how
    the approximate measures were computed and how precise they are.

    Read back from the database, each table is decoded on first use: a
    nurture list at 100,000 people never decodes the ties.
    """

    version: int
    labels: dict[int, str]
    methods: dict[str, str] = field(default_factory=dict)
    base_rate: float | None = None
    seed: int = 0
    samples: int = DEFAULT_SAMPLES
    people: pd.DataFrame = field(default=None, repr=False)  # type: ignore[assignment]
    ties: pd.DataFrame = field(default=None, repr=False)  # type: ignore[assignment]
    edges: pd.DataFrame = field(default=None, repr=False)  # type: ignore[assignment]
    plan: pd.DataFrame | None = field(default=None, repr=False)

    def __getattribute__(self, name: str):
        value = object.__getattribute__(self, name)
        if value is None and name in _FRAMES:
            raw = object.__getattribute__(self, "__dict__").get("_raw", {})
            if name in raw:
                value = _decode(raw.pop(name))
                object.__setattr__(self, name, value)
        return value

    def edge_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(nodes, u, v, strength)`` as :func:`netmap.network.spread._edge_arrays` gives them for the graph."""
        nodes = self.people["person_id"].to_numpy(dtype=np.int64)
        e = self.edges
        return nodes, e["u"].to_numpy(dtype=np.int64), e["v"].to_numpy(dtype=np.int64), e["strength"].to_numpy(dtype=np.float64)

    # ----------------------------------------------------------- serialise
    def to_bytes(self) -> bytes:
        """The stored form: :data:`MAGIC`, a JSON header, one Arrow IPC stream per table."""
        streams = [_encode(getattr(self, name)) for name in _FRAMES]
        header = json.dumps(
            {
                "version": self.version, "labels": {str(k): v for k, v in self.labels.items()},
                "methods": self.methods, "base_rate": self.base_rate, "seed": self.seed, "samples": self.samples,
                "frames": {name: len(b) for name, b in zip(_FRAMES, streams)},
            },
            default=_plain,
        ).encode("utf-8")
        return b"".join([MAGIC, struct.pack("<Q", len(header)), header, *streams])

    @classmethod
    def from_bytes(cls, data: bytes) -> "Analysis":
        if not data.startswith(MAGIC):
            raise ValueError("not a stored netmap analysis")
        at = len(MAGIC)
        (size,) = struct.unpack_from("<Q", data, at)
        at += 8
        d = json.loads(data[at : at + size])
        at += size
        raw = {}
        for name in _FRAMES:
            n = int(d["frames"][name])
            raw[name] = memoryview(data)[at : at + n]
            at += n
        a = cls(
            version=d["version"], labels={int(k): v for k, v in d["labels"].items()}, methods=d["methods"],
            base_rate=d["base_rate"], seed=d["seed"], samples=d["samples"],
        )
        a.__dict__["_raw"] = raw
        return a


def analyze(dataset: Dataset, *, seed: int = 0, samples: int = DEFAULT_SAMPLES) -> tuple[Analysis, nx.Graph, LiveEdgeSamples]:
    """Compute every measure of PRODUCT.md "The network and its measures"."""
    from .network import bridge_measures, build_graph, detect_communities, label_communities, weak_ties
    from .network.graph import _arrays_shared
    from .network.nurture import nurture_actions
    from .network.spread import _edge_arrays, spread_measures, tie_kinds

    G = build_graph(dataset)
    with _arrays_shared(G):  # the measures read the same graph: read it into arrays once
        communities = detect_communities(G, seed=seed)
        labels = label_communities(G, communities)
        bridges = bridge_measures(G, communities, seed=seed)
        spread, live = spread_measures(G, samples=samples, seed=seed)
        _, eu, ev, es = _edge_arrays(G)
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
    ties["span"] = ties["span"].astype("Int64")  # hops, or <NA> when no other route is near
    methods = {
        "betweenness": bridges.attrs.get("betweenness_method", ""),
        "spread": spread.attrs.get("spread_method", ""),
    }
    kinds = tie_kinds(G, nodes, eu, ev)
    edges = pd.DataFrame({"u": eu.astype(np.int32), "v": ev.astype(np.int32), "strength": es, "kinds": kinds})
    analysis = Analysis(
        version=dataset.version, people=people, ties=ties, edges=edges, labels=labels, methods=methods,
        base_rate=float(live.base_rate), seed=seed, samples=samples,
    )
    from .queries import plan

    analysis.plan = plan(analysis, PLAN_STORED, samples=live)
    return analysis, G, live


def live_samples(analysis: Analysis, G: nx.Graph | None = None) -> LiveEdgeSamples:
    """The analysis' live-edge samples again (seeded: the same snapshots), from
    its stored ties (``G``, if given, is ignored: the ties are the graph's)."""
    from .network.spread import _sample

    return _sample(*analysis.edge_arrays(), analysis.samples, analysis.seed, analysis.base_rate)


def measures_stored(store) -> bool:
    """Whether :func:`measures` would read the stored analysis rather than compute it: one
    stored for the current data by this measuring code (every caller uses the default seed;
    the payload itself is not read)."""
    return store.is_cached(cache_name())


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
    """The analysis and the graph it describes (for drawings and exports; paths
    and the plan need only the analysis)."""
    from .network import build_graph

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


def _encode(df: pd.DataFrame) -> bytes:
    """One table as an Arrow IPC stream (pandas dtypes kept in its schema metadata)."""
    import pyarrow as pa

    table = pa.Table.from_pandas(df, preserve_index=False)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def _decode(data) -> pd.DataFrame:
    import pyarrow as pa

    return pa.ipc.open_stream(pa.py_buffer(data)).read_all().to_pandas()
