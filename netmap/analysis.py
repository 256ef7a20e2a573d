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
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from datetime import date

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
#: columns ``python -m netmap people`` and ``bridges`` add after the contract's: the
#: standard error of ``spread`` and how many people a cut vertex's leaving would cut off
PEOPLE_EXTRA_COLUMNS = ["spread_se", "separates"]
#: columns of ``python -m netmap weak-ties``
WEAK_TIE_COLUMNS = [
    "a_id", "a_name", "b_id", "b_name", "strength", "overlap", "local_bridge", "span", "crosses_communities", "weakness",
]
#: What each stored people measure means, in plain words (Bridges page, column help).
MEASURES: dict[str, str] = {
    "bridge_score": "One number for how much this person links otherwise separate groups, from 0 to 1: "
                    "mostly their betweenness (relative to the network's top broker), then low constraint, "
                    "how many people only they connect to the rest, and ties across communities.",
    "betweenness": "How often they sit on the shortest path between two other people (share of all such "
                   "paths). High: news between groups tends to pass through them.",
    "constraint": "Burt's constraint. Low means their contacts do not know each other, so they broker "
                  "between groups (a structural hole); high means they sit inside one closed circle.",
    "effective_size": "How many non-redundant contacts they have: their number of contacts minus how much "
                      "those contacts know each other. Higher: more distinct groups within reach.",
    "participation": "How evenly their ties spread across communities, from 0 (all in their own community) "
                     "towards 1 (spread over many).",
    "is_cut_vertex": "Removing them would split the network: some people would no longer be connected to the rest.",
    "separates": "How many people would lose their only connection to the rest of the network if they left "
                 "(0 unless a cut vertex): the customers whose loss would split your base.",
    "degree": "How many people they are tied to.",
    "spread": "How many other people their good word of mouth would be expected to reach.",
    "reach2": "Friend-of-a-friend reach: distinct people within two steps.",
}
#: The tie measures in plain words.
TIE_MEASURES: dict[str, str] = {
    "strength": "How strong the tie is, from 0 to 1: referrals, explicit relationships, shared meetings "
                "and the same company add up; old evidence fades.",
    "overlap": "Onnela's neighbourhood overlap: the share of the two people's contacts that they have in common. "
               "0 means they have no friend in common.",
    "local_bridge": "The two share no friend at all: without this tie, news between them would take a detour.",
    "span": "For a local bridge: how many steps the detour takes without this tie (empty when there is none "
            "within 8 steps). The longer, the more this tie shortcuts.",
    "crosses_communities": "The two people belong to different communities.",
    "weakness": "One number for how weak and far-reaching the tie is, from 0 to 1: weak, few common "
                "friends, a local bridge, across communities. Weak ties carry news and referrals furthest.",
}
#: live-edge snapshots behind every spread figure, at least (netmap/network/spread.py, "Precision")
DEFAULT_SAMPLES = 2000
#: the stored format: this line, the length of a JSON header, the header, then one
#: Arrow IPC stream per table (no pickle: a database row must not be able to run code)
MAGIC = b"netmap-analysis/2\n"
_FRAMES = ("people", "ties", "edges", "plan")
#: the nurture plan is stored for this many picks: greedy, so the plan for any
#: smaller k is its first k rows (``python -m netmap plan --k 10`` reads it)
PLAN_STORED = 50


def code_fingerprint(paths) -> str:
    """A short digest of the files ``paths``: part of a cache slot's name, so that an upgrade
    of netmap never serves a result computed the old way."""
    digest = hashlib.sha256()
    for path in sorted(paths):
        digest.update(Path(path).read_bytes())
    return digest.hexdigest()[:16]


@functools.cache
def _measuring_code() -> str:
    """A digest of the measuring code: this module, the model and every measure."""
    here = Path(__file__).resolve().parent
    return code_fingerprint([here / "analysis.py", here / "model.py", *(here / "network").glob("*.py")])


def cache_name() -> str:
    """The cache slot of the analysis: changes when the measuring code changes."""
    return f"analysis/{_measuring_code()}"


@functools.cache
def cache_slot(*files: str) -> str:
    """The code part of a kept table's name (:func:`kept_table`): a digest of the files (paths
    inside netmap/) that read its inputs and compute it, then the analysis' own
    (:func:`cache_name`), whose measures it reads: an upgrade of any of them computes it afresh."""
    here = Path(__file__).resolve().parent
    return code_fingerprint([here / f for f in files]) + _measuring_code()


def kept_table(store, name: str, compute) -> pd.DataFrame:
    """The table ``compute()`` makes of the stored data, kept in the measures cache
    (netmap/storage/cache.py) under ``name``: asked again before the data changes, it is read
    back rather than computed; an import or an erasure computes it afresh. The data version is
    read first, so a table computed while a write landed is never kept as the newer data's.
    One table per kind (``name`` up to its first ``/``); the same types whether computed now or
    read back."""
    version = store.data_version()
    kept = store.cached(name)
    if kept is None:
        kept = frame_to_bytes(compute())
        store.cache(name, kept, version)
    return frame_from_bytes(kept)


@dataclass
class Analysis:
    """Every per-person and per-tie measure, ready for tables and exports, and
    the ties themselves as arrays (so that paths and the plan are answered from
    the stored analysis without rebuilding the graph).

    ``people`` has :data:`PEOPLE_COLUMNS` and :data:`PEOPLE_EXTRA_COLUMNS` (plus
    ``community_id``, ``segment``, ``region``, ``is_customer``, ``scale`` and
    ``canonical_rank``, the person's place in :mod:`netmap.network.canonical`'s
    order, for the app and for tie-breaks), one row per person,
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
                value = frame_from_bytes(raw.pop(name))
                object.__setattr__(self, name, value)
        return value

    def edge_arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """``(nodes, u, v, strength)`` as :func:`netmap.network.spread.spread_arrays` gives them for the graph."""
        nodes = self.people["person_id"].to_numpy(dtype=np.int64)
        e = self.edges
        return nodes, e["u"].to_numpy(dtype=np.int64), e["v"].to_numpy(dtype=np.int64), e["strength"].to_numpy(dtype=np.float64)

    # ----------------------------------------------------------- serialise
    def to_bytes(self) -> bytes:
        """The stored form: :data:`MAGIC`, a JSON header, one Arrow IPC stream per table."""
        streams = [frame_to_bytes(getattr(self, name)) for name in _FRAMES]
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


def analyze(dataset: Dataset, *, seed: int = 0, samples: int | None = None) -> Analysis:
    """Compute every measure of the README's "The network and its measures".

    The measures run on a canonical copy of the data (:mod:`netmap.network.canonical`:
    people renamed ``0..n-1`` in an order of what the data says of them), so that
    communities, sampled betweenness, spread snapshots and every tie-break are a
    function of the data, not of the order it was imported in; ids are mapped back
    at the end. ``samples``: live-edge snapshots behind every spread figure (default:
    :func:`netmap.network.spread.samples_for` the network's size).
    """
    from .network import bridge_measures, build_graph, detect_communities, label_communities, weak_ties
    from .network.canonical import canonical_order, relabel
    from .network.arrays import arrays_shared
    from .network.nurture import nurture_actions
    from .network.spread import _calibrated, _reach2, samples_for, spread_arrays
    from .network.spread import spread_method, tie_kinds

    order = canonical_order(dataset)  # order[r]: the person id of canonical rank r
    G = build_graph(relabel(dataset, order))
    with arrays_shared(G):  # the measures read the same graph: read it into arrays once
        nodes, eu, ev, es = spread_arrays(G)  # nodes == 0..n-1
        samples = samples_for(len(nodes), len(eu)) if samples is None else int(samples)
        base_rate = _calibrated(nodes, eu, ev, es)
        node_attrs = G.nodes
        attrs = pd.DataFrame.from_records(
            [
                (v, d.get("name"), d.get("email"), d.get("company"), d.get("owner"), d.get("stage"), d.get("segment"),
                 d.get("region"), bool(d.get("is_customer")), d.get("nps"), d.get("scale"), d.get("feeling"))
                for v, d in zip(nodes.tolist(), map(node_attrs.__getitem__, nodes.tolist()))
            ],
            columns=["person_id", "name", "email", "company", "owner", "stage", "segment", "region", "is_customer", "nps",
                     "scale", "feeling"],
        ).set_index("person_id")
        candidates = attrs.index[can_nurture(attrs).to_numpy()].tolist()
        # two independent halves on two cores (networkit, igraph's kernels and numpy release the GIL
        # for their long loops), each deterministic on its own: spread and the plan need only the
        # ties; communities, brokerage and weak ties need the communities
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="netmap-spread") as pool:
            spreading = pool.submit(_spread_and_plan, nodes, eu, ev, es, samples, seed, base_rate, candidates)
            communities = detect_communities(G, seed=seed)
            labels = label_communities(G, communities)
            bridges = bridge_measures(G, communities, seed=seed)
            ties = weak_ties(G, communities)
            reach2 = _reach2(nodes, eu, ev, 20_000_000).to_numpy()
            kinds = tie_kinds(G, nodes, eu, ev)
            live, picks, est = spreading.result()
        spread = pd.DataFrame(
            {"spread": est.spread, "spread_se": est.spread_se, "reach2": reach2},
            index=pd.Index(nodes, name="person_id"),
        )
    table = attrs.join(bridges).join(spread)
    table["community"] = pd.Series(communities).reindex(table.index).astype("Int64")
    table = nurture_actions(table, G, communities, labels)  # reads the community ids
    table["community_id"] = table["community"]
    table["community"] = table["community_id"].map(lambda c: labels.get(int(c)) if pd.notna(c) else None)
    table["canonical_rank"] = table.index.to_numpy()
    plan_table = _plan_table(picks, est, attrs, communities, labels)

    # back from canonical ranks to person ids; people in person-id order
    table.index = pd.Index(order[table.index.to_numpy()], name="person_id")
    table = table.sort_index().reset_index()
    extra = [*PEOPLE_EXTRA_COLUMNS, "community_id", "segment", "region", "is_customer", "scale", "canonical_rank"]
    people = table[PEOPLE_COLUMNS + [c for c in extra if c in table.columns]]
    names = attrs["name"]
    ties.insert(1, "a_name", ties["a_id"].map(names))
    ties.insert(3, "b_name", ties["b_id"].map(names))
    ties["a_id"] = order[ties["a_id"].to_numpy(dtype=np.int64)]
    ties["b_id"] = order[ties["b_id"].to_numpy(dtype=np.int64)]
    ties = ties[WEAK_TIE_COLUMNS].reset_index(drop=True)
    ties["span"] = ties["span"].astype("Int64")  # hops, or <NA> when no other route is near
    position = np.empty(len(order), dtype=np.int64)  # canonical rank -> row of ``people``
    position[np.argsort(order, kind="stable")] = np.arange(len(order))
    pu, pv = position[eu], position[ev]
    lo, hi = np.minimum(pu, pv), np.maximum(pu, pv)
    by = np.lexsort((hi, lo))
    edges = pd.DataFrame({"u": lo[by].astype(np.int32), "v": hi[by].astype(np.int32), "strength": es[by],
                          "kinds": [kinds[i] for i in by.tolist()]})
    plan_table["person_id"] = order[plan_table["person_id"].to_numpy(dtype=np.int64)]
    methods = {
        "betweenness": bridges.attrs.get("betweenness_method", ""),
        "spread": spread_method(est, seed),
        "plan": (f"chosen greedily over {live.n_samples:,} live-edge samples; its figures measured on "
                 f"{est.samples:,} other samples (the spread's)"),
    }
    return Analysis(
        version=dataset.version, people=people, ties=ties, edges=edges, labels=labels, methods=methods,
        base_rate=float(base_rate), seed=seed, samples=samples, plan=plan_table,
    )


def _spread_and_plan(nodes, u, v, s, samples, seed, base_rate, candidates):
    """The plan chosen over :data:`~netmap.network.spread.PLAN_SAMPLES` snapshots, then every
    spread figure, and the plan's, measured on ``samples`` other snapshots (so that the figures
    are not biased by the choice): ``(live, picks, estimate)``."""
    from .network.plan import choose_plan
    from .network.spread import PLAN_SAMPLES, _sample, estimate_spread

    live = _sample(nodes, u, v, s, PLAN_SAMPLES, seed, base_rate)
    picks, _, _ = choose_plan(live, PLAN_STORED, candidates)
    est = estimate_spread(nodes, u, v, s, samples, seed, base_rate, plans=[live.index_of(picks)])
    return live, picks, est


def _plan_table(picks, est, attrs, communities, labels) -> pd.DataFrame:
    """The stored plan: ``picks`` (canonical ids, as chosen) with the figures ``est`` measured
    for them on the spread's snapshots."""
    from .network.plan import plan_table

    return plan_table(picks, est.plans[0], est.plans_se[0], names=attrs["name"].to_dict(), communities=communities,
                      labels=labels, feelings=attrs["feeling"].to_dict())


def can_nurture(people: pd.DataFrame) -> pd.Series:
    """Who one can nurture, the plan's candidates: customers, and anyone whose feeling is
    known (a mask over ``people``; as :func:`~netmap.network.plan.customer_ids` does over a
    graph). Here, with the measures, so that their cache slot covers the rule."""
    return people["is_customer"].fillna(False).astype(bool) | people["feeling"].fillna("unknown").ne("unknown")


def canonical_samples(analysis: Analysis):
    """The stored ties in canonical order: ``(ids, (nodes, u, v, s))`` where ``ids[r]``
    is the person id of canonical rank ``r`` and ``nodes`` are the ranks -- what
    :func:`analyze` measured, for choosing and measuring plans again."""
    nodes, u, v, s = analysis.edge_arrays()
    rank = analysis.people["canonical_rank"].to_numpy(dtype=np.int64)
    ids = np.empty(len(rank), dtype=np.int64)
    ids[rank] = nodes
    cu, cv = rank[u], rank[v]
    lo, hi = np.minimum(cu, cv), np.maximum(cu, cv)
    by = np.lexsort((hi, lo))
    return ids, (np.arange(len(rank), dtype=np.int64), lo[by], hi[by], s[by])


def live_samples(analysis: Analysis, G: nx.Graph | None = None) -> LiveEdgeSamples:
    """The snapshots the analysis chose its plan over, drawn again (seeded: the same
    snapshots), in canonical ids (:func:`canonical_samples`; ``G`` is ignored)."""
    from .network.spread import PLAN_SAMPLES, _sample

    _, arrays = canonical_samples(analysis)
    return _sample(*arrays, PLAN_SAMPLES, analysis.seed, analysis.base_rate)


def measures_stored(store) -> bool:
    """Whether :func:`measures` would read the stored analysis rather than compute it: one
    stored for the current data by this measuring code (every caller uses the default seed;
    the payload itself is not read)."""
    return store.is_cached(cache_name())


def _dataset(store, as_of: date | None) -> Dataset:
    from .errors import NetmapError
    from .network.history import dataset_as_of

    dataset = store.load_dataset()
    if as_of is None:
        return dataset
    then = dataset_as_of(dataset, as_of)
    if dataset.people and not then.people:
        dated = [d for d in (*(p.created for p in dataset.people), *(r.since for r in dataset.relationships),
                             *(r.on for r in dataset.referrals), *(i.on for i in dataset.interactions)) if d]
        raise NetmapError(f"nobody was in the network on {as_of:%Y-%m-%d}: the earliest evidence is dated "
                          f"{min(dated):%Y-%m-%d}; choose a later day")
    return then


def measures(store, *, seed: int = 0, as_of: date | None = None) -> Analysis:
    """The stored analysis when it matches the data; else compute and store it.

    ``as_of``: every measure as the network stood on that day (the evidence dated by then:
    netmap/network/history.py ``dataset_as_of``), kept beside today's (the latest day asked)."""
    name = cache_name() if as_of is None else f"analysis-as-of/{_measuring_code()}/{as_of.isoformat()}"
    cached = store.cached(name)
    if cached is not None:
        analysis = Analysis.from_bytes(cached)
        if analysis.seed == seed:
            return analysis
    dataset = _dataset(store, as_of)
    analysis = analyze(dataset, seed=seed)
    payload = analysis.to_bytes()
    store.cache(name, payload, dataset.version)
    return Analysis.from_bytes(payload)  # the same types whether computed now or read back


def network(store, *, seed: int = 0, as_of: date | None = None) -> tuple[Analysis, nx.Graph]:
    """The analysis and the graph it describes (for drawings and exports; paths
    and the plan need only the analysis); ``as_of`` as for :func:`measures`."""
    from .network import build_graph

    return measures(store, seed=seed, as_of=as_of), build_graph(_dataset(store, as_of))


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


def frame_to_bytes(df: pd.DataFrame) -> bytes:
    """One table as an Arrow IPC stream (pandas dtypes kept in its schema metadata): how a
    table is kept in the measures cache (no pickle)."""
    import pyarrow as pa

    table = pa.Table.from_pandas(df, preserve_index=False)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, table.schema) as writer:
        writer.write_table(table)
    return sink.getvalue().to_pybytes()


def frame_from_bytes(data) -> pd.DataFrame:
    """The table :func:`frame_to_bytes` stored."""
    import pyarrow as pa

    return pa.ipc.open_stream(pa.py_buffer(data)).read_all().to_pandas()
