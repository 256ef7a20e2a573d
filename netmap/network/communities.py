"""Communities: groups of people more tied to each other than to the rest.

Communities maximise Newman's weighted modularity (tie strength as weight)
with the Leiden algorithm (Traag, Waltman & van Eck 2019, "From Louvain to
Leiden: guaranteeing well-connected communities", *Sci. Rep.* 9:5233) as
implemented by igraph. Leiden improves on Louvain (Blondel et al. 2008) by
guaranteeing that every community is internally connected.

Determinism: nodes are sorted and edges fed to igraph in sorted order, and
igraph's random number generator is a private ``random.Random(seed)`` for the
duration of the call, so the same data gives the same communities on every run
whatever the node insertion order.
"""

from __future__ import annotations

import random
import threading
from collections import Counter
from collections.abc import Mapping

import igraph as ig
import networkx as nx
import numpy as np

from netmap.network.arrays import edge_arrays

__all__ = [
    "detect_communities",
    "label_communities",
    "UNCLUSTERED",
    "MAX_LEIDEN_PASSES",
    "MIN_MODULARITY_GAIN",
]

#: Label of the group of people without any tie.
UNCLUSTERED = "Unclustered"
#: Leiden passes run at most (each refines the previous partition). At 100,000
#: nodes a pass takes about 0.25 s, while iterating to full convergence took
#: 10 s for a modularity gain below 0.001.
MAX_LEIDEN_PASSES = 10
#: The passes also stop once one raises modularity by less than this.
MIN_MODULARITY_GAIN = 1e-4

# igraph's RNG is process-global: swap it under a lock.
_IGRAPH_RNG_LOCK = threading.Lock()


def detect_communities(
    G: nx.Graph, seed: int = 0, *, resolution: float = 1.0
) -> dict[int, int]:
    """Modularity communities (Leiden), weighted by tie strength.

    Parameters
    ----------
    G : networkx.Graph
        The network (edge attribute ``strength`` is the weight; missing = 1).
    seed : int
        Seed of Leiden's random choices.
    resolution : float
        Modularity resolution (1 = classic modularity; larger = smaller
        communities).

    Returns
    -------
    dict[int, int]
        Community id of every node. Communities are numbered ``0..C-1`` by
        decreasing size, ties broken by smallest member id. People without any
        tie are not a community in the modularity sense: they are all put in
        ONE extra group, numbered last whatever its size, which
        :func:`label_communities` calls ``"Unclustered"``.

    Notes
    -----
    Leiden (``objective_function="modularity"``) is run in passes of one
    iteration, each starting from the previous partition, until a pass changes
    nothing, raises modularity by less than :data:`MIN_MODULARITY_GAIN`
    (1e-4), or :data:`MAX_LEIDEN_PASSES` (10) passes have run.
    """
    nodes, u, v, w = edge_arrays(G)
    n = len(nodes)
    if n == 0:
        return {}
    degree = np.bincount(np.concatenate([u, v]), minlength=n)
    membership = np.zeros(n, dtype=np.int64)
    if len(u):
        g = ig.Graph(n=n, edges=list(zip(u.tolist(), v.tolist())))
        weights = w.tolist()
        with _IGRAPH_RNG_LOCK:
            ig.set_random_number_generator(random.Random(seed))
            try:
                current, quality = None, -np.inf
                for _ in range(MAX_LEIDEN_PASSES):
                    part = g.community_leiden(
                        objective_function="modularity",
                        weights=weights,
                        resolution=resolution,
                        n_iterations=1,
                        initial_membership=current,
                    )
                    new = _canonical(part.membership)
                    if new == current:
                        break
                    gain = part.modularity - quality
                    current, quality = new, part.modularity
                    if gain < MIN_MODULARITY_GAIN:
                        break
            finally:
                ig.set_random_number_generator(random)
        membership = np.asarray(current, dtype=np.int64)
    isolated = degree == 0
    membership[isolated] = -1  # one group for everyone without a tie

    # number by decreasing size, ties by smallest member (nodes are sorted, so
    # the first position of a group is its smallest member); isolated last
    labels, first, counts = np.unique(membership, return_index=True, return_counts=True)
    groups = [(lab, f, c) for lab, f, c in zip(labels.tolist(), first.tolist(), counts.tolist())]
    ordered = sorted(
        groups, key=lambda t: (t[0] == -1, -t[2], t[1])
    )
    new_id = {lab: i for i, (lab, _, _) in enumerate(ordered)}
    return {node: new_id[lab] for node, lab in zip(nodes, membership.tolist())}


def _canonical(membership: list[int]) -> list[int]:
    """Renumber a membership list by order of first appearance."""
    seen: dict[int, int] = {}
    return [seen.setdefault(c, len(seen)) for c in membership]


def label_communities(G: nx.Graph, communities: Mapping[int, int]) -> dict[int, str]:
    """A human label for every community, unique across communities.

    The label is built from the members' attributes, first rule that applies:

    1. the group of people without ties -> ``"Unclustered"``;
    2. most common ``region`` and most common ``segment`` -> ``"Berlin · Fintech"``
       (just one of them when the other is unknown for everyone);
    3. most common ``company``;
    4. most common ``owner`` -> ``"Ada's book"``;
    5. ``"Community <id>"``.

    "Most common" ignores missing/empty values; ties go to the alphabetically
    first value. Communities that would get the same label are each qualified by
    what tells them apart, so a reader can: their most common company
    ("Berlin · Fintech · Acme GmbH"), else their most common owner ("Berlin ·
    Fintech · Ada's book"); only when neither tells them apart do the second and
    later (by id) get ``" #2"``, ``" #3"`` ...

    Parameters
    ----------
    G : networkx.Graph
        The network, with the node attributes of :func:`build_graph`.
    communities : Mapping[int, int]
        Community id per node, as returned by :func:`detect_communities`.

    Returns
    -------
    dict[int, str]
        Label per community id.
    """
    members: dict[int, list] = {}
    for node in sorted(communities):
        members.setdefault(communities[node], []).append(node)
    base = {cid: _base_label(G, nodes, cid) for cid, nodes in sorted(members.items())}
    groups: dict[str, list[int]] = {}
    for cid, label in base.items():
        groups.setdefault(label, []).append(cid)
    labels: dict[int, str] = {}
    for label, cids in groups.items():
        if len(cids) == 1 or label == UNCLUSTERED:
            labels.update({cid: label for cid in cids})
            continue
        # several communities would read the same: qualify each by what tells them apart
        for attr, fmt in (("company", "{}"), ("owner", "{}'s book")):
            values = {cid: _most_common(G, members[cid], attr) for cid in cids}
            if all(values.values()) and len(set(values.values())) == len(cids):
                labels.update({cid: f"{label} · {fmt.format(values[cid])}" for cid in cids})
                break
        else:
            labels.update({cid: label if k == 0 else f"{label} #{k + 1}" for k, cid in enumerate(cids)})
    used: set[str] = set()
    for cid in sorted(labels):  # a qualified label may still meet another community's
        unique, k = labels[cid], 1
        while unique in used:
            k += 1
            unique = f"{labels[cid]} #{k}"
        used.add(unique)
        labels[cid] = unique
    return labels


def _most_common(G: nx.Graph, nodes: list, attr: str) -> str | None:
    counts = Counter(
        str(value).strip()
        for value in (G.nodes[node].get(attr) for node in nodes)
        if value is not None and str(value).strip()
    )
    if not counts:
        return None
    return min(counts.items(), key=lambda kv: (-kv[1], kv[0]))[0]


def _base_label(G: nx.Graph, nodes: list, cid: int) -> str:
    if all(G.degree(node) == 0 for node in nodes):
        return UNCLUSTERED
    parts = [p for p in (_most_common(G, nodes, "region"), _most_common(G, nodes, "segment")) if p]
    if parts:
        return " · ".join(parts)
    company = _most_common(G, nodes, "company")
    if company:
        return company
    owner = _most_common(G, nodes, "owner")
    if owner:
        return f"{owner}'s book"
    return f"Community {cid}"


def feelings_by_community(people):
    """How each community feels: one row per (community, feeling) with the number of
    ``people`` (the analysis' table, whose ``community`` column holds each community's
    label), the community's ``total`` size, the feeling in words
    (:data:`netmap.model.FEELING_WORDS`) and its ``order`` in the stack; largest
    communities first. For the Overview's chart."""
    import pandas as pd

    from netmap.model import FEELING_WORDS, FEELINGS

    known = people.dropna(subset=["community"])
    counts = known.groupby([known["community"].astype(str), known["feeling"].fillna("unknown")]).size()
    rows = [
        {"community": c, "feeling": FEELING_WORDS.get(f, f),
         "order": FEELINGS.index(f) if f in FEELINGS else len(FEELINGS), "people": int(n)}
        for (c, f), n in counts.items()
    ]
    out = pd.DataFrame(rows, columns=["community", "feeling", "order", "people"])
    out["total"] = out.groupby("community")["people"].transform("sum")
    return out.sort_values(["total", "community", "order"], ascending=[False, True, True]).reset_index(drop=True)
