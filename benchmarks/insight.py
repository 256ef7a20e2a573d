"""The figures of issue 11 ("advice a founder can trust"), measured on any netmap tree.

What it measures (each on data written by the tree's own ``tools.synth``, whose
files are hashed into the output so that two runs can be checked to have used
the same data):

1. **Bridges** -- on the sample company and on a synthetic 10,000-person company
   (seed 7): where the top 10 by betweenness land in the bridge list (bridge_score
   descending); how many people with bridge_score > 0.8 are cut vertices; how many
   cut vertices cut off exactly one person ("separates", computed here by removing
   each cut vertex and counting the people cut off from the largest remaining piece
   of its component, and compared with netmap's own column where it has one). On a
   "ring" of 8 dense client clusters joined by one broker each (the generator of
   tests/test_insight.py, copied): brokers in the top 8 / top 20 of the bridge list
   vs of betweenness alone. Padgett's Florentine families (Medici's place) and Les
   Miserables (who leads; share of ties at the strength floor 0.05).
2. **Order** -- a 2,000-person company imported forward and with every file's data
   rows (and the file order) reversed, each into its own database: adjusted Rand
   index of the two community partitions (people matched by email, else name),
   people whose community changes (best one-to-one matching of communities), people
   whose nurture action differs, overlap of the top-10 nurture lists. Company seeds 7
   and 11: at seed 7 the importer refuses the files in reverse order (referrals.csv
   before hubspot-contacts.csv makes a name-only "Referred by" ambiguous), so there
   the reversed rows are imported in forward file order (stated in the output).
3. **Spread precision** -- on the 10,000-person company, against a reference of
   20,000 bond-percolation snapshots written here (not netmap's code: keep each tie
   with ``p = base_rate * strength``, components with scipy, in batches): median
   relative error of the shown top 20, mean signed error of the shown top 10 (the
   winner's curse), top-10 overlap of two seeds (0/1, 2/3, 4/5), and the plan's
   first pick (and its 10-pick total) against the reference of the same quantity.
4. **Reasons** -- on the sample company, nurture reasons that claim a bridge
   ("bridges the" before, "links " after) and how many of those people have exactly
   one tie outside their own community; community labels containing " #".

Both netmap APIs are supported: before issue 11 ``analyze`` returned
``(analysis, G, live)``, the people table had no ``separates`` / ``canonical_rank``,
spread used 200 snapshots (``spread_measures(G, samples=200)``) and plan figures
counted the pick themselves; after it, ``analyze`` returns the Analysis, spread uses
2,000 streamed snapshots (``estimate_spread``) and plan figures do not count the pick.

Run (from the repository root; each tree imports as ``netmap``; a few minutes each,
of which about two for the 20,000-snapshot reference)::

    git worktree add /tmp/nm2/before 380c722
    PYTHONPATH=/tmp/nm2/before .venv/bin/python benchmarks/insight.py --out before.json
    PYTHONPATH=.               .venv/bin/python benchmarks/insight.py --out after.json
    .venv/bin/python benchmarks/insight.py --compare before.json after.json

``--work DIR`` is where databases and export files go (default: a temporary
directory); ``--people``, ``--order-people``, ``--ref-snapshots`` shrink the run.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import deque
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import sparse
from scipy.optimize import linear_sum_assignment
from scipy.sparse.csgraph import connected_components

REPO = Path(__file__).resolve().parent.parent
CLASSIC = REPO / "tests" / "data" / "classic"


# ----------------------------------------------------------------------------------
# The two APIs
# ----------------------------------------------------------------------------------


def _netmap():
    import netmap

    return netmap


def is_new_api() -> bool:
    from netmap.network import spread

    return hasattr(spread, "estimate_spread")


def load(url: str, paths=None):
    """A store at ``url`` with ``paths`` imported, its dataset and stored analysis."""
    from netmap import import_paths
    from netmap.analysis import measures
    from netmap.storage.store import Store

    st = Store(url)
    if paths:
        import_paths(st, [Path(p) for p in paths])
    analysis = measures(st)
    ds = st.load_dataset()
    st.close()
    return analysis, ds


def bridge_list(people: pd.DataFrame) -> pd.DataFrame:
    """The bridge list: bridge_score descending (netmap's own ordering where it has one)."""
    try:
        from netmap.network.bridges import bridge_ranking

        return bridge_ranking(people).reset_index(drop=True)
    except ImportError:
        return people.sort_values(["bridge_score", "person_id"], ascending=[False, True], kind="mergesort").reset_index(
            drop=True)


def by_betweenness(people: pd.DataFrame) -> pd.DataFrame:
    tie = "canonical_rank" if "canonical_rank" in people.columns else "person_id"
    return people.sort_values(["betweenness", tie], ascending=[False, True], kind="mergesort").reset_index(drop=True)


def db_url(path: Path) -> str:
    if path.exists():
        path.unlink()
    return f"sqlite:///{path}"


def sha(paths) -> str:
    h = hashlib.sha256()
    paths = list(map(Path, paths))
    root = Path(os.path.commonpath([str(p.parent) for p in paths])) if paths else Path()
    for p in sorted(paths, key=lambda p: str(p.relative_to(root))):
        h.update(str(p.relative_to(root)).encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:16]


# ----------------------------------------------------------------------------------
# Separates, computed here: remove each cut vertex, count who is cut off
# ----------------------------------------------------------------------------------


def separates_here(G) -> dict:
    """{cut vertex: people cut off from the largest remaining piece of its component}."""
    import networkx as nx

    adj = G._adj
    out = {}
    for comp in nx.connected_components(G):
        if len(comp) < 3:
            continue
        cuts = list(nx.articulation_points(G.subgraph(comp)))
        total = len(comp)
        for x in cuts:
            seen = {x}
            pieces = []
            for start in adj[x]:
                if start in seen:
                    continue
                seen.add(start)
                q = deque([start])
                size = 0
                while q:
                    y = q.popleft()
                    size += 1
                    for z in adj[y]:
                        if z not in seen:
                            seen.add(z)
                            q.append(z)
                pieces.append(size)
            out[x] = total - 1 - max(pieces)
    return out


# ----------------------------------------------------------------------------------
# 1. Bridges and 4. reasons on a company
# ----------------------------------------------------------------------------------


def bridges_figures(analysis, G, prefix: str, res: dict) -> None:
    people = analysis.people
    blist = bridge_list(people)
    place = {pid: i + 1 for i, pid in enumerate(blist["person_id"].tolist())}
    top_b = by_betweenness(people)["person_id"].head(10).tolist()
    res[f"{prefix}: bridge-list place of betweenness #1..#10"] = [place[p] for p in top_b]
    res[f"{prefix}: bridge-list places > 10 among betweenness top 10"] = sum(place[p] > 10 for p in top_b)
    high = people[people["bridge_score"] > 0.8]
    res[f"{prefix}: bridge_score > 0.8: people / cut vertices"] = (
        f"{len(high)} / {int(high['is_cut_vertex'].astype(bool).sum())}")
    sep = separates_here(G)
    cut_ids = set(people.loc[people["is_cut_vertex"].astype(bool), "person_id"].tolist())
    ones = sum(1 for x in cut_ids if sep.get(x) == 1)
    res[f"{prefix}: cut vertices / separating exactly 1 person"] = f"{len(cut_ids)} / {ones}"
    res[f"{prefix}: cut vertices in the bridge top 10 / 20"] = (
        f"{int(blist['is_cut_vertex'].head(10).astype(bool).sum())} / "
        f"{int(blist['is_cut_vertex'].head(20).astype(bool).sum())}")
    checks = []
    if set(sep) != cut_ids:
        checks.append(f"cut vertex sets differ ({len(set(sep) ^ cut_ids)})")
    if "separates" in people.columns:
        theirs = people.set_index("person_id")["separates"]
        bad = sum(int(theirs.get(x, -1)) != s for x, s in sep.items())
        checks.append(f"netmap 'separates' differs from here for {bad} cut vertices")
    res[f"{prefix}: check (separates, cut vertices)"] = "; ".join(checks) or "no separates column; sets agree"


def reasons_figures(analysis, G, prefix: str, res: dict) -> None:
    from netmap.queries import nurture_list

    people = analysis.people
    comm = people.set_index("person_id")["community_id"]
    comm = {int(k): int(v) for k, v in comm.items() if pd.notna(v)}
    phrase = "links " if is_new_api() else "bridges the"

    def outside(pid):
        own = comm.get(pid)
        return sum(1 for nb in G[pid] if comm.get(nb) is not None and comm.get(nb) != own)

    for what, table in (("nurture list", nurture_list(people)), ("all people", people)):
        claim = table[table["reason"].fillna("").str.contains(phrase, regex=False)]
        one = sum(outside(int(p)) == 1 for p in claim["person_id"])
        res[f"{prefix}: reasons claiming a bridge ({what}) / of them 1 tie outside"] = (
            f"{phrase.strip()!r}: {len(claim)} of {len(table)} / {one}")
    labels = list(analysis.labels.values())
    res[f"{prefix}: community labels / containing ' #'"] = f"{len(labels)} / {sum(' #' in str(x) for x in labels)}"


def company(analysis, ds, prefix: str, res: dict):
    from netmap.network import build_graph

    G = build_graph(ds)
    res[f"{prefix}: people / ties"] = f"{G.number_of_nodes():,} / {G.number_of_edges():,}"
    bridges_figures(analysis, G, prefix, res)
    reasons_figures(analysis, G, prefix, res)
    return G


# ----------------------------------------------------------------------------------
# Ring of client clusters (copied from tests/test_insight.py), classic networks
# ----------------------------------------------------------------------------------


def _ring_of_clusters(seed: int, clusters: int = 8, size: int = 25, prospects: int = 60):
    """Client clusters in a ring, each joined to the next only by one broker's ties,
    with prospects hanging off single customers (cut vertices that separate one person)."""
    rng = np.random.default_rng(seed)
    rows, brokers = [], []
    name = lambda i: f"Person {i:04d}"  # noqa: E731
    for c in range(clusters):
        members = range(c * size, (c + 1) * size)
        for a, b in itertools.combinations(members, 2):
            if rng.random() < 0.3:
                rows.append((name(a), name(b), "knows", round(float(rng.uniform(0.3, 1.0)), 2)))
        broker = c * size + int(rng.integers(size))
        brokers.append(name(broker))
        nxt = ((c + 1) % clusters) * size
        for j in rng.choice(size, 2, replace=False):
            rows.append((name(broker), name(nxt + int(j)), "partner", 0.3))
    n = clusters * size
    for q in range(prospects):
        rows.append((name(int(rng.integers(n))), f"Prospect {q:03d}", "knows", 0.5))
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["Person A", "Person B", "Relationship", "Strength"])
    w.writerows(rows)
    return out.getvalue(), brokers


def ring(work: Path, seeds, res: dict) -> None:
    cells = {k: [] for k in ("b8", "b20", "t8", "t20")}
    for seed in seeds:
        text, brokers = _ring_of_clusters(seed)
        path = work / f"ring-{seed}.csv"
        path.write_text(text)
        analysis, _ = load(db_url(work / f"ring-{seed}.db"), [path])
        people = analysis.people
        blist = bridge_list(people)["name"].tolist()
        btw = by_betweenness(people)["name"].tolist()
        b = set(brokers)
        cells["b8"].append(len(set(blist[:8]) & b))
        cells["b20"].append(len(set(blist[:20]) & b))
        cells["t8"].append(len(set(btw[:8]) & b))
        cells["t20"].append(len(set(btw[:20]) & b))
    fmt = lambda xs: " ".join(map(str, xs)) + f" (sum {sum(xs)}/{8 * len(xs)})"  # noqa: E731
    s = ",".join(map(str, seeds))
    res[f"ring seeds {s}: brokers in bridge top 8"] = fmt(cells["b8"])
    res[f"ring seeds {s}: brokers in betweenness top 8"] = fmt(cells["t8"])
    res[f"ring seeds {s}: brokers in bridge top 20"] = fmt(cells["b20"])
    res[f"ring seeds {s}: brokers in betweenness top 20"] = fmt(cells["t20"])


def classic(work: Path, res: dict) -> None:
    from netmap.network import build_graph

    analysis, _ = load(db_url(work / "florentine.db"), [CLASSIC / "florentine-relationships.csv"])
    names = bridge_list(analysis.people)["name"].tolist()
    res["Florentine: Medici's place in the bridge list"] = names.index("Medici") + 1
    res["Florentine: bridge top 3"] = ", ".join(names[:3])
    analysis, ds = load(db_url(work / "lesmis.db"), [CLASSIC / "lesmis-relationships.csv"])
    blist = bridge_list(analysis.people)
    res["Les Mis: first in the bridge list"] = blist["name"].iloc[0]
    myriel = blist.set_index("name").loc["Myriel"]
    res["Les Mis: Myriel's place / is cut vertex"] = (
        f"{blist['name'].tolist().index('Myriel') + 1} / {bool(myriel['is_cut_vertex'])}")
    G = build_graph(ds)
    s = np.array([d.get("strength", 1.0) for _, _, d in G.edges(data=True)], dtype=float)
    res["Les Mis: ties at strength 0.05"] = f"{np.mean(np.isclose(s, 0.05)):.0%} of {len(s)}"


# ----------------------------------------------------------------------------------
# 2. Order
# ----------------------------------------------------------------------------------


def _reversed_export(src: Path, dst: Path) -> None:
    """The same export with its data rows in reverse order (header rows kept on top;
    as tests/test_insight.py)."""
    raw = src.read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(raw)))
    head = 2 if "surveymonkey" in src.name else 1  # SurveyMonkey writes two header rows
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows[:head] + rows[head:][::-1])
    dst.write_text(out.getvalue(), encoding="utf-8")


def ari(a, b) -> float:
    """Adjusted Rand index (Hubert & Arabie 1985) of two labelings."""
    _, ai = np.unique(a, return_inverse=True)
    _, bi = np.unique(b, return_inverse=True)
    table = sparse.coo_matrix((np.ones(len(ai)), (ai, bi))).toarray()
    comb = lambda x: x * (x - 1) / 2  # noqa: E731
    index = comb(table).sum()
    sa, sb = comb(table.sum(1)).sum(), comb(table.sum(0)).sum()
    expected = sa * sb / comb(len(ai))
    top = (sa + sb) / 2
    return 1.0 if top == expected else float((index - expected) / (top - expected))


def moved(a, b) -> int:
    """People outside the best one-to-one matching of the two partitions' communities."""
    _, ai = np.unique(a, return_inverse=True)
    _, bi = np.unique(b, return_inverse=True)
    table = sparse.coo_matrix((np.ones(len(ai)), (ai, bi))).toarray()
    r, c = linear_sum_assignment(-table)
    return int(len(ai) - table[r, c].sum())


def order(work: Path, people: int, seed: int, res: dict) -> None:
    from netmap.errors import ImportRefused
    from netmap.queries import nurture_list
    from tools.synth import generate_company, write_company

    P = f"order {people // 1000}k seed {seed}"
    files = write_company(generate_company(people, seed=seed), work / f"order-{seed}-forward", xlsx=False)
    back = work / f"order-{seed}-backward"
    back.mkdir(exist_ok=True)
    for f in files:
        _reversed_export(f, back / f.name)
    res[f"{P}: files (sha256 of forward files)"] = sha(files)
    tables = []
    runs = (("fwd", files), ("bwd", [back / f.name for f in files][::-1]),
            ("bwd-files-forward", [back / f.name for f in files]))
    for tag, paths in runs:
        try:
            analysis, _ = load(db_url(work / f"order-{seed}-{tag}.db"), paths)
        except ImportRefused as e:
            res[f"{P}: import of {tag}"] = "refused: " + str(e).splitlines()[-1][:160]
            continue
        if tag != "fwd":
            res[f"{P}: backward run used"] = ("rows reversed, files in reverse order" if tag == "bwd"
                                              else "rows reversed, files in FORWARD order (reverse was refused)")
        p = analysis.people.copy()
        email = p["email"].fillna("").astype(str).str.strip().str.lower()
        p["key"] = np.where(email != "", "e:" + email, "n:" + p["name"].fillna("").astype(str))
        tables.append((p, nurture_list(analysis.people), bridge_list(analysis.people)))
        if len(tables) == 2:
            break
    (a, na, ba), (b, nb, bb) = tables
    dup = int(a["key"].duplicated().sum() + b["key"].duplicated().sum())
    a, b = a.drop_duplicates("key").set_index("key"), b.drop_duplicates("key").set_index("key")
    common = a.index.intersection(b.index)
    res[f"{P}: people fwd / bwd / matched (duplicate keys)"] = f"{len(a)} / {len(b)} / {len(common)} ({dup})"
    ca = a.loc[common, "community_id"].fillna(-1).astype(int).to_numpy()
    cb = b.loc[common, "community_id"].fillna(-1).astype(int).to_numpy()
    res[f"{P}: communities fwd / bwd"] = f"{len(set(ca))} / {len(set(cb))}"
    res[f"{P}: adjusted Rand index"] = round(ari(ca, cb), 4)
    res[f"{P}: people whose community changes"] = moved(ca, cb)
    act = (a.loc[common, "action"].astype(str) != b.loc[common, "action"].astype(str))
    res[f"{P}: people whose nurture action differs"] = int(act.sum())
    key_a, key_b = a["person_id"].reset_index().set_index("person_id")["key"], b["person_id"].reset_index().set_index(
        "person_id")["key"]
    top_a = set(key_a.reindex(na["person_id"].head(10)).tolist())
    top_b = set(key_b.reindex(nb["person_id"].head(10)).tolist())
    res[f"{P}: top-10 nurture overlap"] = len(top_a & top_b)
    res[f"{P}: top-10 bridge-list overlap (extra)"] = len(
        set(key_a.reindex(ba["person_id"].head(10))) & set(key_b.reindex(bb["person_id"].head(10))))
    diff = (a.loc[common, "reason"].astype(str) != b.loc[common, "reason"].astype(str)).sum()
    res[f"{P}: people whose nurture reason text differs (extra)"] = int(diff)


# ----------------------------------------------------------------------------------
# 3. Spread precision
# ----------------------------------------------------------------------------------


def reference(n, u, v, p, runs: int, seed: int, plan=(), cells: int = 8_000_000):
    """Bond percolation written apart from netmap: each snapshot keeps every tie with
    probability ``p`` (float64 draws), components by scipy on a block-diagonal graph of
    a batch of snapshots. Returns the mean and standard error of the others reached by
    each person, and for ``plan`` (positions, in pick order) the mean size of the union
    of the first t picks' components (``union``) and the people the t-th pick newly
    reaches besides themselves summed over t (``gain``, the new plan's figure)."""
    rng = np.random.default_rng(seed)
    m = len(u)
    total, total_sq = np.zeros(n), np.zeros(n)
    plan = np.asarray(plan, dtype=np.int64)
    union, gain = np.zeros(len(plan)), np.zeros(len(plan))
    batch = max(1, cells // max(m, n, 1))
    done = 0
    while done < runs:
        b = min(batch, runs - done)
        keep = rng.random((b, m)) < p
        r, e = np.nonzero(keep)
        off = r.astype(np.int64) * n
        N = b * n
        A = sparse.coo_matrix((np.ones(len(e), dtype=np.int8), (off + u[e], off + v[e])), shape=(N, N)).tocsr()
        _, lab = connected_components(A, directed=False)
        size = np.bincount(lab)
        lab = lab.reshape(b, n)
        x = size[lab] - 1.0
        total += x.sum(0)
        total_sq += (x * x).sum(0)
        if len(plan):
            comps = lab[:, plan]  # (b, k)
            for t in range(len(plan)):
                first = np.ones(b, dtype=bool)
                for j in range(t):
                    first &= comps[:, j] != comps[:, t]
                g = np.where(first, size[comps[:, t]], 0)
                union[t:] += g.sum()  # the union of picks 0..T counts each new component once
                gain[t:] += np.where(first, g - 1, 0).sum()
        done += b
    mean = total / runs
    se = np.sqrt(np.maximum(total_sq / runs - mean * mean, 0) / (runs - 1))
    return mean, se, union / runs, gain / runs


def spread_precision(analysis, G, ref_runs: int, res: dict) -> None:
    from netmap.network import spread as sp_mod
    from netmap.queries import plan as plan_query

    new = is_new_api()
    nodes, nu, nv, ns = sp_mod.spread_arrays(G)
    rate = sp_mod._calibrated(nodes, nu, nv, ns)
    # the reference's own reading of the graph
    ids = np.array(sorted(G.nodes), dtype=np.int64)
    pos = {x: i for i, x in enumerate(ids.tolist())}
    eu, ev, es = [], [], []
    for a, b, d in G.edges(data=True):
        if a == b:
            continue
        eu.append(pos[a])
        ev.append(pos[b])
        s = d.get("strength")
        es.append(1.0 if s is None else float(s))
    eu, ev = np.array(eu, dtype=np.int64), np.array(ev, dtype=np.int64)
    p = rate * np.clip(np.array(es), 0.0, 1.0)
    assert len(eu) == len(nu) and np.array_equal(ids, nodes)
    res["spread: base rate / ties"] = f"{rate:.6g} / {len(eu):,}"
    pl = plan_query(analysis, 10)
    picks = [pos[int(x)] for x in pl["person_id"]]
    t0 = time.perf_counter()
    ref, ref_se, union, gain = reference(len(ids), eu, ev, p, ref_runs, 99, picks)
    res["spread: reference snapshots / seconds"] = f"{ref_runs:,} / {time.perf_counter() - t0:.0f}"
    res["spread: reference checksum (sum of top 20)"] = round(float(np.sort(ref)[-20:].sum()), 3)

    people = analysis.people.set_index("person_id").reindex(ids)
    stored = people["spread"].to_numpy(dtype=float)
    res["spread: stored snapshots"] = int(getattr(analysis, "samples", 0))
    shown = np.argsort(-stored, kind="stable")
    top20, top10 = shown[:20], shown[:10]
    rel = (stored[top20] - ref[top20]) / ref[top20]
    res["spread: reference's own median rel. SE of the shown top 20"] = f"{np.median(ref_se[top20] / ref[top20]):.2%}"
    res["spread: median |rel. error| of the shown top 20"] = f"{np.median(np.abs(rel)):.2%}"
    res["spread: max |rel. error| of the shown top 20"] = f"{np.max(np.abs(rel)):.2%}"
    res["spread: mean signed error of the shown top 10 (winner's curse)"] = (
        f"{np.mean((stored[top10] - ref[top10]) / ref[top10]):+.2%}")
    many = ref >= 1
    res["spread: stored / reference, summed over everyone with reference >= 1 (common-mode error)"] = (
        f"{stored[many].sum() / ref[many].sum() - 1:+.2%} ({int(many.sum())} people)")
    res["spread: true top 10 (reference) in the shown top 10"] = len(
        set(top10.tolist()) & set(np.argsort(-ref, kind="stable")[:10].tolist()))

    overlaps, curse, med = [], [], []
    for s0, s1 in ((0, 1), (2, 3), (4, 5)):
        tops = []
        for s in (s0, s1):
            if new:
                est = sp_mod.estimate_spread(nodes, nu, nv, ns, 2000, s, rate).spread
            else:
                est = sp_mod.spread_measures(G, samples=200, seed=s)[0]["spread"].to_numpy()
            order_ = np.argsort(-est, kind="stable")
            tops.append(set(order_[:10].tolist()))
            curse.append(np.mean((est[order_[:10]] - ref[order_[:10]]) / ref[order_[:10]]))
            med.append(np.median(np.abs(est[order_[:20]] - ref[order_[:20]]) / ref[order_[:20]]))
        overlaps.append(len(tops[0] & tops[1]))
    res["spread: two seeds' top-10 overlap (0/1, 2/3, 4/5)"] = " ".join(map(str, overlaps))
    res["spread, seeds 0-5: median |rel. error| of the top 20, each seed"] = " ".join(f"{x:.1%}" for x in med)
    res["spread, seeds 0-5: mean signed error of the top 10, each seed / mean"] = (
        " ".join(f"{x:+.1%}" for x in curse) + f" / {np.mean(curse):+.2%}")

    # the plan: the first pick's figure, and the 10-pick total, against the same quantity
    first = float(pl["marginal_spread"].iloc[0])
    res["plan: first pick's figure - their stored spread (convention check)"] = round(
        first - float(people.loc[int(pl["person_id"].iloc[0]), "spread"]), 3)
    want = ref[picks[0]] + (0 if new else 1)  # old figures count the pick themselves
    res["plan: first pick's figure / reference"] = f"{first:.2f} / {want:.2f} ({first / want - 1:+.1%})"
    total = float(pl["cumulative_spread"].iloc[-1])
    want = (gain if new else union)[-1]
    res["plan: 10-pick cumulative figure / reference"] = f"{total:.2f} / {want:.2f} ({total / want - 1:+.1%})"
    can = (people["is_customer"].fillna(False).astype(bool) | people["feeling"].fillna("unknown").ne("unknown"))
    res["plan: first pick's spread (reference) / best reference among candidates / of anyone"] = (
        f"{ref[picks[0]]:.2f} / {ref[can.to_numpy()].max():.2f} / {ref.max():.2f}")


# ----------------------------------------------------------------------------------
# Run, compare
# ----------------------------------------------------------------------------------


def run(args) -> dict:
    netmap = _netmap()
    work = Path(args.work or tempfile.mkdtemp(prefix="insight-"))
    work.mkdir(parents=True, exist_ok=True)
    res: dict = {}
    res["tree"] = str(Path(netmap.__file__).resolve().parent.parent)
    res["API"] = "new (analyze -> Analysis)" if is_new_api() else "old (analyze -> tuple)"
    src = Path(netmap.__file__).resolve().parent
    res["netmap source (sha256 of netmap/**/*.py)"] = sha(sorted(src.rglob("*.py")))
    t0 = time.perf_counter()

    def stamp(what):
        print(f"[{time.perf_counter() - t0:6.0f} s] {what}", file=sys.stderr, flush=True)

    # sample company
    url = db_url(work / "sample.db")
    subprocess.run([sys.executable, "-m", "netmap", "--db", url, "sample"], check=True, stdout=subprocess.DEVNULL,
                   env=os.environ.copy())
    analysis, ds = load(url)
    company(analysis, ds, "sample", res)
    stamp("sample")
    classic(work, res)
    ring(work, args.ring_seeds, res)
    stamp("classic, ring")
    for seed in args.order_seeds if args.order_people else ():
        order(work, args.order_people, seed, res)
        stamp("order")
    if args.people:
        from tools.synth import generate_company, write_company

        out = work / "big"
        if out.exists():
            shutil.rmtree(out)
        files = write_company(generate_company(args.people, seed=7), out, xlsx=False)
        res[f"{args.people // 1000}k: files (sha256)"] = sha(files)
        analysis, ds = load(db_url(work / "big.db"), files)
        stamp("10k analysis")
        G = company(analysis, ds, f"{args.people // 1000}k", res)
        stamp("10k bridges")
        spread_precision(analysis, G, args.ref_snapshots, res)
        stamp("spread")
    return res


def compare(a_path: str, b_path: str) -> None:
    a, b = (json.loads(Path(x).read_text()) for x in (a_path, b_path))
    keys = list(a) + [k for k in b if k not in a]
    show = lambda x: "-" if x is None else (" ".join(map(str, x)) if isinstance(x, list) else str(x))  # noqa: E731
    w = max(len(k) for k in keys)
    wa = max(len(show(a.get(k))) for k in keys)
    print(f"{'figure':<{w}} | {'before':<{wa}} | after")
    print(f"{'-' * w}-|-{'-' * wa}-|------")
    for k in keys:
        print(f"{k:<{w}} | {show(a.get(k)):<{wa}} | {show(b.get(k))}")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", help="write the figures here (JSON)")
    ap.add_argument("--compare", nargs=2, metavar=("BEFORE", "AFTER"), help="print two runs' figures side by side")
    ap.add_argument("--work", help="directory for databases and export files (default: a temporary one)")
    ap.add_argument("--people", type=int, default=10_000, help="people in the big company (0: skip)")
    ap.add_argument("--order-people", type=int, default=2_000, help="people in the order experiment (0: skip)")
    ap.add_argument("--order-seeds", type=int, nargs="+", default=[7, 11],
                    help="company seeds of the order experiment (at seed 7 the reversed file order is refused by the "
                         "importer, a name-only 'Referred by' becoming ambiguous; 11 imports)")
    ap.add_argument("--ref-snapshots", type=int, default=20_000, help="snapshots of the spread reference")
    ap.add_argument("--ring-seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    args = ap.parse_args(argv)
    if args.compare:
        compare(*args.compare)
        return 0
    res = run(args)
    text = json.dumps(res, indent=1, default=lambda x: x.item() if hasattr(x, "item") else str(x))
    if args.out:
        Path(args.out).write_text(text + "\n")
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
