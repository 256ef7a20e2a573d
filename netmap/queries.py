"""The questions people ask of the network, shared by the command line and the app.

Whom to nurture (:func:`nurture_list`), the nurture plan (:func:`plan`), and
referral paths (:func:`resolve_targets`, :func:`resolve_sources`,
:func:`find_paths`), plus what the app needs around them: finding people by
name/email (:func:`netmap.search.search_people`), the person ids along a path
(:func:`path_ids`; :func:`netmap.draw.view.path_graph` draws them).

Pure: no Streamlit, no printing. Every mistake a user can make raises a
:class:`~netmap.errors.NetmapError` with a message that says what to do.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .analysis import Analysis, can_nurture, canonical_samples, live_samples
from .errors import NetmapError, UnknownPerson
from .model import FEELINGS, PLAN_COLUMNS, TEAM_STAGE
from .network.nurture import nurture_ranking
from .text import plain
from .network.paths import PATH_COLUMNS, PathIndex, company_match_key, people_matching, referral_paths, stage_match_key
from .ingest.values import name_key

if TYPE_CHECKING:
    import networkx as nx

    from .network.spread import LiveEdgeSamples

__all__ = [
    "CHART_MAX", "LEAD_STAGES", "NURTURE_COLUMNS", "PATH_COLUMNS", "PATH_EXTRA_COLUMNS", "PLAN_COLUMNS",
    "PLAN_EXTRA_COLUMNS", "TIE_WORDS", "can_nurture", "chart_sample", "check_owner", "find_paths",
    "in_book", "introduction", "nurture_list", "nurturable", "owners", "path_ids", "path_index", "plan",
    "prospects", "resolve_sources", "resolve_targets", "stage_label", "suggest", "targets_at_stages",
    "tie_word",
    # the filters and rankings of the Network and Bridges pages
    "BRIDGE_COLUMNS", "NONE", "RANKED_WEAK_TIE_COLUMNS", "Filters", "filter_people", "filter_ties", "options",
    "ranked_bridges", "ranked_weak_ties",
]

#: Columns of ``python -m netmap nurture`` (a contract).
NURTURE_COLUMNS = [
    "rank", "person_id", "name", "owner", "feeling", "nps", "action", "spread", "nurture_score", "reason",
]
#: Columns :func:`find_paths` adds after :data:`PATH_COLUMNS` when given the people table: what a
#: campaign needs of both ends (a mail merge), and the warm introduction in words (:func:`introduction`).
PATH_EXTRA_COLUMNS = [
    "source_email", "source_company", "source_owner", "source_feeling",
    "target_email", "target_company", "target_owner", "target_stage", "introduction",
]

#: The lifecycle stages of people who are not customers yet, earliest first: ``--to prospects``.
LEAD_STAGES = ("subscriber", "lead", "marketingqualifiedlead", "salesqualifiedlead", "opportunity", "prospect")
#: The stages netmap knows by name besides :data:`LEAD_STAGES` (``netmap.ingest.values.stage``'s vocabulary):
#: in a list of stages, one of these may have nobody at it without being a mistake.
KNOWN_STAGES = frozenset(LEAD_STAGES) | {"customer", "evangelist", "churned", "partner", "other", TEAM_STAGE}
#: CRM stage codes as people say them (any other stage is shown as it is stored).
STAGE_LABELS = {
    "marketingqualifiedlead": "marketing qualified lead",
    "salesqualifiedlead": "sales qualified lead",
}
#: How a tie (or a one-hop path) is called from its strength: the first threshold it reaches.
TIE_WORDS = ((0.6, "strong"), (0.3, "medium"), (0.0, "weak"))


def stage_label(stage) -> str:
    """A lifecycle stage in plain words: ``marketingqualifiedlead`` -> "marketing qualified lead",
    ``closed_lost`` -> "closed lost"; empty for no stage."""
    text = plain(stage)
    if not text:
        return ""
    return STAGE_LABELS.get(text, " ".join(text.replace("_", " ").split()))


def tie_word(strength: float) -> str:
    """"strong" (>= 0.6), "medium" (>= 0.3) or "weak" (:data:`TIE_WORDS`)."""
    s = float(strength)
    return next(word for cut, word in TIE_WORDS if s >= cut or cut == 0.0)


def _or(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def suggest(value: str, choices: Iterable, key: Callable[[object], str], n: int = 3) -> list[str]:
    """Up to ``n`` of ``choices`` (as shown; the first spelling of each key, so pass the most
    common first) whose key is close to ``value``'s: every word of ``value`` beginning a word of
    theirs ("Redwood" -> "Redwood Diagnostics Pte. Ltd."), then :func:`difflib.get_close_matches`
    on the keys ("Redwod" -> "Redwood ...")."""
    shown: dict[str, str] = {}
    for c in choices:
        k = key(c)
        if k and k not in shown:
            shown[k] = plain(c)
    want = key(value)
    if not want or not shown:
        return []
    words = want.split()
    found = [k for k in shown if all(any(w.startswith(x) for w in k.split()) for x in words)][:n]
    found += [k for k in difflib.get_close_matches(want, list(shown), n=n) if k not in found]
    if len(found) < n:  # a misspelt short name of a longer one: "Redwod" for "Redwood Diagnostics Pte. Ltd."
        heads: dict[str, list[str]] = {}
        for k in shown:
            heads.setdefault(" ".join(k.split()[:len(words)]), []).append(k)
        for head in difflib.get_close_matches(want, list(heads), n=n, cutoff=0.8):
            found += [k for k in heads[head] if k not in found]
    return [shown[k] for k in found[:n]]


def _did_you_mean(names: list[str]) -> str:
    return f"; did you mean: {_or(names)}?" if names else ""


def _by_frequency(column: pd.Series) -> list:
    """The distinct values of ``column``, the most common first (ties: sorted)."""
    counts = column.dropna().value_counts()
    return sorted(counts.index, key=lambda x: (-counts[x], str(x)))


# ------------------------------------------------------------------ nurture
def owners(people: pd.DataFrame) -> list[str]:
    """The account managers in the data, sorted."""
    return sorted(people["owner"].dropna().unique())


def check_owner(people: pd.DataFrame, owner: str) -> None:
    """Raise a NetmapError naming the owners when nobody's account manager is ``owner``."""
    if not (people["owner"].fillna("").str.casefold() == owner.casefold()).any():
        raise NetmapError(f"no account manager {owner!r}; owners: {', '.join(owners(people)[:20])}")


def nurture_list(people: pd.DataFrame, *, top: int | None = None, owner: str | None = None) -> pd.DataFrame:
    """Whom to nurture next, best first (:data:`NURTURE_COLUMNS`), optionally one owner's book.

    ``people`` is :attr:`Analysis.people` (one row per person, a ``person_id`` column); it is not changed.
    """
    if owner:
        check_owner(people, owner)
    ranking = nurture_ranking(people.set_index("person_id"), top=top, owner=owner)
    return ranking[NURTURE_COLUMNS]


def in_book(people: pd.DataFrame, owner: str | None) -> pd.Series:
    """True for the people in ``owner``'s book (case-insensitive; everyone when no owner)."""
    if not owner:
        return pd.Series(True, index=people.index)
    want = plain(owner).casefold()
    return people["owner"].map(lambda o: plain(o).casefold() == want)


def nurturable(people: pd.DataFrame, *, owner: str | None = None) -> pd.DataFrame:
    """The people one can nurture (customers and anyone whose feeling is known), optionally one owner's book.

    Columns ``person_id, name, feeling, nps, spread, action, on_list`` (``feeling`` never missing,
    ``on_list``: whether they are on the nurture list): the points of a spread-versus-feeling chart.
    """
    rows = people.loc[can_nurture(people) & in_book(people, owner), ["person_id", "name", "feeling", "nps", "spread", "action"]]
    rows = rows.assign(feeling=rows["feeling"].fillna("unknown"), on_list=rows["action"].ne("none"))
    return rows.reset_index(drop=True)


#: Most points a chart sends to the browser: Vega draws 3,000 circles at once, 50,000 take seconds.
CHART_MAX = 3_000


def chart_sample(points: pd.DataFrame, limit: int | None = None, *, by: str = "spread", seed: int = 0) -> pd.DataFrame:
    """At most ``limit`` (default :data:`CHART_MAX`) rows of ``points``, for a chart a browser draws at once.

    Every row when there are no more than ``limit``. Otherwise the ``limit // 2``
    rows with the highest ``by`` (the tail the chart is read for: who would
    spread the word furthest) and a seeded random sample of the others (the
    shape of the rest), in their original order. The same points for the same
    data and seed.
    """
    limit = CHART_MAX if limit is None else limit
    if limit < 1:
        raise ValueError(f"limit must be at least 1, got {limit!r}")
    if len(points) <= limit:
        return points
    values = pd.to_numeric(points[by], errors="coerce").fillna(float("-inf")).to_numpy()
    order = np.lexsort((np.arange(len(points)), -values))  # highest first; ties by position
    top, rest = order[: limit // 2], order[limit // 2:]
    picked = np.random.default_rng(seed).choice(rest, size=limit - len(top), replace=False)
    return points.iloc[np.sort(np.concatenate([top, picked]))]


def plan(
    analysis: Analysis,
    k: int,
    *,
    owner: str | None = None,
    samples: LiveEdgeSamples | None = None,
) -> pd.DataFrame:
    """The best ``k`` people to nurture together: :data:`PLAN_COLUMNS`, then ``action``,
    ``feeling``, ``marginal_se`` and, from the people table, ``nps``, ``owner``, ``email``,
    ``company``, ``nurture_rank`` (their place on the nurture list -- ``owner``'s list for an
    owner's plan --, empty when not on it), ``spread`` (the people they reach alone: the list's
    figure, where ``marginal_spread`` is what they add to the plan) and ``why_here``: why they
    stand there in the plan and how that differs from the list
    (:func:`~netmap.network.plan.why_here`).

    Candidates are the people one can nurture (:func:`~netmap.analysis.can_nurture`),
    only ``owner``'s book when given. The whole company's plan for up to
    :data:`~netmap.analysis.PLAN_STORED` picks is read from the stored analysis (greedy:
    the plan for ``k`` is the first ``k`` rows of any longer plan). An owner's plan is
    chosen over ``samples`` (:func:`~netmap.analysis.live_samples`, drawn again when not
    given) and its figures measured on as many other snapshots, so that they are not
    overstated by the choice.
    """
    from .analysis import PLAN_STORED

    if k < 1:
        raise NetmapError("the plan needs at least 1 person to nurture (k)")
    people = analysis.people
    stored = analysis.plan
    if stored is not None and not owner and (k <= len(stored) or len(stored) < PLAN_STORED):
        result = stored.head(k).reset_index(drop=True)
    else:
        from .network.plan import nurture_plan
        from .network.spread import PLAN_SAMPLES, estimate_spread

        can = can_nurture(people)
        if owner:
            check_owner(people, owner)
            can &= in_book(people, owner)
        ids, arrays = canonical_samples(analysis)
        rank = people["canonical_rank"].to_numpy(dtype=np.int64)
        if samples is None:
            samples = live_samples(analysis)
        ranked = people.assign(person_id=rank).set_index("person_id")

        def figures(picks):
            est = estimate_spread(*arrays, PLAN_SAMPLES, analysis.seed, analysis.base_rate, plans=[picks], stream=2)
            return est.plans[0], est.plans_se[0]

        result = nurture_plan(
            samples, k, rank[can.to_numpy()].tolist(), names=ranked["name"].to_dict(),
            communities=ranked["community_id"].dropna().astype(int).to_dict(), labels=analysis.labels,
            feelings=ranked["feeling"].to_dict(), figures=figures,
        )
        result["person_id"] = ids[result["person_id"].to_numpy(dtype=np.int64)]
    listed = nurture_list(people, owner=owner)
    place = pd.Series(listed["rank"].to_numpy(), index=listed["person_id"].to_numpy())
    about = people.set_index("person_id").reindex(result["person_id"])
    for column in ("nps", "owner", "email", "company", "spread"):
        result[column] = about[column].to_numpy()
    result["nurture_rank"] = pd.array(place.reindex(result["person_id"]).to_numpy(), dtype="Int64")
    result["why_here"] = _why_here(result, people, owner)
    return result[PLAN_COLUMNS + PLAN_EXTRA_COLUMNS]


#: Columns :func:`plan` adds after :data:`PLAN_COLUMNS`.
PLAN_EXTRA_COLUMNS = [
    "action", "feeling", "marginal_se", "nps", "owner", "email", "company", "nurture_rank", "spread", "why_here",
]


def _why_here(result: pd.DataFrame, people: pd.DataFrame, owner: str | None) -> list[str]:
    """:func:`~netmap.network.plan.why_here` for each pick of a :func:`plan`."""
    from .network.plan import why_here

    pool = people.loc[can_nurture(people) & in_book(people, owner), "spread"].fillna(0.0).to_numpy(dtype=float)
    out = []
    for row in result.itertuples(index=False):
        spread = 0.0 if pd.isna(row.spread) else float(row.spread)
        out.append(why_here(
            int(row.rank), float(row.marginal_spread), spread, row.feeling,
            None if pd.isna(row.nurture_rank) else int(row.nurture_rank), widest=int((pool > spread).sum()) + 1,
        ))
    return out


# -------------------------------------------------------------------- paths
def path_index(analysis: Analysis) -> PathIndex:
    """The stored analysis' ties as arrays for path queries (no graph needed)."""
    people = analysis.people
    detractor = (people["feeling"].fillna("") == "detractor").to_numpy(dtype=bool)
    return PathIndex.from_arrays(*analysis.edge_arrays(), detractor, people["name"].fillna("").tolist())


def resolve_targets(store, people: pd.DataFrame, spec: str) -> list[int]:
    """``WHO`` | ``company:NAME`` | ``stage:STAGE[,STAGE...]`` | ``prospects`` -> person ids
    (``people``: the analysis' table).

    ``company:`` matches by the key identity uses (:func:`~netmap.network.paths.company_match_key`:
    "Redwood Diagnostics" finds "Redwood Diagnostics Pte. Ltd."); ``stage:`` takes one stage or
    several separated by commas (:func:`targets_at_stages`); ``prospects`` is :func:`prospects`.
    A company, stage or person that matches nobody raises a :class:`~netmap.errors.NetmapError`
    (:class:`~netmap.errors.UnknownPerson` for a person) that suggests the closest ones.
    """
    if spec.strip().casefold() == "prospects":
        return prospects(people)
    if spec.startswith("company:"):
        value = spec.split(":", 1)[1]
        ids = people_matching(people, "company", value)
        if not ids:
            close = suggest(value, _by_frequency(people["company"]), company_match_key)
            raise NetmapError(f"nobody works at {plain(value)!r}{_did_you_mean(close)}")
        return ids
    if spec.startswith("stage:"):
        return targets_at_stages(people, spec.split(":", 1)[1].split(","))
    return [_find_person(store, people, spec)]


def targets_at_stages(people: pd.DataFrame, stages: Iterable[str]) -> list[int]:
    """Everyone at any of ``stages`` (each as :func:`~netmap.network.paths.stage_match_key` reads
    it: ``MQL``, "marketing qualified lead" and ``marketingqualifiedlead`` are one stage), sorted.

    A stage nobody is at is a mistake unless netmap knows it by name (:data:`KNOWN_STAGES`) and
    another stage of the list has people; the error suggests the stages of the data.
    """
    wanted = [plain(s) for s in stages if plain(s)]
    if not wanted:
        raise NetmapError("name a lifecycle stage after stage:, e.g. stage:lead or stage:lead,opportunity")
    present = _by_frequency(people["stage"])
    ids: set[int] = set()
    missing = []
    for stage in wanted:
        got = people_matching(people, "stage", stage)
        ids.update(got)
        if not got:
            missing.append(stage)
    unknown = [m for m in missing if stage_match_key(m) not in KNOWN_STAGES]
    if unknown or not ids:
        stage = (unknown or missing)[0]
        close = suggest(stage, present, stage_match_key) if unknown else []  # a stage netmap knows: none here
        hint = _did_you_mean([stage_label(c) for c in close]) if close else (
            f"; the stages are: {', '.join(stage_label(p) for p in present[:12])}" if present else
            "; nobody has a lifecycle stage yet (import the CRM's people with theirs)")
        raise NetmapError(f"nobody is at the stage {stage!r}{hint}")
    return sorted(ids)


def prospects(people: pd.DataFrame) -> list[int]:
    """Everyone at a lead-like stage (:data:`LEAD_STAGES`: subscriber, lead, marketing or sales
    qualified lead, opportunity, prospect), sorted: ``--to prospects``, the Paths page's "All
    leads and prospects". Never a customer (nor an evangelist, your team, churned, a partner
    or other). People with no stage are left out: the CRM has not put them in its pipeline
    (they appear only as a referrer, a relationship end, a participant, a survey respondent
    or a team member's connection); reach them one by one or by company."""
    column = people["stage"]
    leads = [s for s in pd.unique(column.dropna()) if stage_match_key(s) in LEAD_STAGES]  # each distinct stage once
    ids = sorted(int(i) for i in people.loc[column.isin(leads), "person_id"].tolist())
    if not ids:
        raise NetmapError(
            "nobody is a lead or a prospect (stages " + ", ".join(stage_label(s) for s in LEAD_STAGES)
            + "); import your CRM's people with their lifecycle stage, or pick a stage, a company or a person")
    return ids


def _find_person(store, people: pd.DataFrame, who: str) -> int:
    """``store.find_person(who)``, suggesting the closest names (or emails) when nobody matches."""
    try:
        return store.find_person(who)
    except UnknownPerson as exc:
        if "@" in who:
            close = suggest(who, people["email"].dropna().tolist(), lambda e: plain(e).casefold())
        else:
            close = suggest(who, people["name"].dropna().tolist(), lambda x: name_key(plain(x)))
        if not close:
            raise
        raise UnknownPerson(f"{exc}{_did_you_mean(close)}") from None


NO_PROMOTERS = "there are no promoters yet (NPS 9-10); import survey answers or {instead}"


def resolve_sources(store, people: pd.DataFrame, spec: str, *, instead: str = "use --from WHO") -> list[int]:
    """``promoters`` | ``team`` | ``WHO`` | ``owner:NAME`` -> person ids (``people``: the analysis' table).

    ``instead`` ends the message when there are no promoters (the CLI's option, or the app's choice).
    """
    if spec == "promoters":
        ids = sorted(people.loc[people["feeling"].fillna("") == "promoter", "person_id"].tolist())
        if not ids:
            raise NetmapError(NO_PROMOTERS.format(instead=instead))
        return ids
    if spec == "team":
        ids = sorted(people.loc[people["stage"].fillna("") == TEAM_STAGE, "person_id"].tolist())
        if not ids:
            raise NetmapError(
                "nobody of your team is in the network yet; import a team member's LinkedIn connections or "
                "contacts export saying whose it is")
        return ids
    if spec.startswith("owner:"):
        value = spec.split(":", 1)[1]
        ids = people_matching(people, "owner", value)
        if not ids:
            close = suggest(value, _by_frequency(people["owner"]), lambda x: name_key(plain(x)))
            raise NetmapError(f"no account manager {plain(value)!r} owns anyone{_did_you_mean(close)}")
        return ids
    return [_find_person(store, people, spec)]


def find_paths(
    G: nx.Graph | None, targets: Iterable[int], sources: Iterable[int], top: int = 3, *, index: PathIndex | None = None,
    with_ids: bool = False, people: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The strongest warm-introduction paths (:data:`PATH_COLUMNS`), ``top`` per target
    (``people``, the analysis' table: then :data:`PATH_EXTRA_COLUMNS`, see :func:`campaign_columns`;
    ``with_ids``: last ``path_ids``, the person ids along each path, for drawing it)."""
    if top < 1:
        raise NetmapError("at least 1 path per prospect is needed (top)")
    found = referral_paths(G, targets, sources, top=top, index=index, with_ids=with_ids or people is not None)
    columns = PATH_COLUMNS
    if people is not None:
        found = campaign_columns(found, people)
        columns = PATH_COLUMNS + PATH_EXTRA_COLUMNS
    return found[columns + (["path_ids"] if with_ids else [])]


def introduction(source: str, target: str, go_betweens: list[str], strength: float, *, feeling: str | None = None,
                 team: bool = False, wary: Iterable[bool] = ()) -> str:
    """The warm introduction in the words a mail merge pastes:
    "Ask Ana Diaz (promoter, strong tie) to introduce Bo Li" for one hop (the tie's word from
    its strength, :func:`tie_word`), "Ask Ana Diaz (promoter) to introduce Bo Li via Cy Ng, then
    Di Wu" for a longer path (go-betweens in order; ``wary``: per go-between, whether they are a
    detractor, said so: "via Cy Ng (detractor)"). ``feeling`` (promoter, passive, detractor) or
    ``team`` (one of your team) says who the introducer is; nothing when unknown."""
    about = [feeling] if feeling in ("promoter", "passive", "detractor") else ["your team"] if team else []
    if not go_betweens:
        about.append(f"{tie_word(strength)} tie")
    text = f"Ask {source}" + (f" ({', '.join(about)})" if about else "") + f" to introduce {target}"
    wary = list(wary) + [False] * len(go_betweens)
    if go_betweens:
        text += " via " + ", then ".join(f"{g} (detractor)" if w else g for g, w in zip(go_betweens, wary))
    return text


def campaign_columns(paths: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    """``paths`` (rows of :func:`find_paths` with ``path_ids``) with :data:`PATH_EXTRA_COLUMNS`
    from ``people`` (the analysis' table): each end's email, company and account manager, how the
    introducer feels (``unknown`` without a survey answer), the target's stage in words
    (:func:`stage_label`) and the :func:`introduction`. Missing values are empty."""
    out = paths.copy()
    on_paths = sorted({int(x) for ids in out["path_ids"] for x in ids})
    about = people.set_index("person_id").reindex(on_paths)  # only the people on the paths: fast at any size
    text = {c: dict(zip(on_paths, (plain(v) or None for v in about[c].tolist())))
            for c in ("email", "company", "owner")}
    feeling = dict(zip(on_paths, about["feeling"].fillna("unknown").astype(str).tolist()))
    stage = dict(zip(on_paths, about["stage"].tolist()))
    names = dict(zip(on_paths, (plain(v) for v in about["name"].tolist())))
    sources, targets = out["source_id"].astype(int).tolist(), out["target_id"].astype(int).tolist()
    for end, ids in (("source", sources), ("target", targets)):
        for c in ("email", "company", "owner"):
            out[f"{end}_{c}"] = pd.Series([text[c][i] for i in ids], index=out.index, dtype=object)
    out["source_feeling"] = pd.Series([feeling[i] for i in sources], index=out.index, dtype=object)
    label = {i: stage_label(v) or None for i, v in stage.items()}
    out["target_stage"] = pd.Series([label[i] for i in targets], index=out.index, dtype=object)
    words = []
    rows = zip(sources, out["source_name"].tolist(), out["target_name"].tolist(), out["strength"].tolist(),
               out["path_ids"].tolist())
    for source, source_name, target_name, strength, ids in rows:
        middle = [int(x) for x in ids][1:-1]
        words.append(introduction(
            source_name, target_name, [names[x] for x in middle], float(strength), feeling=feeling[source],
            team=stage[source] == TEAM_STAGE, wary=[feeling[x] == "detractor" for x in middle],
        ))
    out["introduction"] = pd.Series(words, index=out.index, dtype=object)
    return out


def path_ids(G: nx.Graph, row: Mapping) -> list[int]:
    """The person ids along one row of :func:`find_paths`, source first.

    The row gives names (``path``: "Name > Name"); this finds the chain of
    ties from ``source_id`` to ``target_id`` with those names, ``hops`` long,
    whose strength is the row's (names may repeat or contain " > ").
    Raises ValueError when there is none (the graph changed).
    """
    source, target, hops = int(row["source_id"]), int(row["target_id"]), int(row["hops"])
    text, strength = str(row["path"]), float(row["strength"])

    def name(v) -> str:
        return plain(G.nodes[v].get("name", ""))

    def walk(seq: list[int], prefix: str, prod: float):
        v = seq[-1]
        if len(seq) - 1 == hops:
            ok = v == target and prefix == text and math.isclose(prod, strength, rel_tol=1e-9, abs_tol=1e-15)
            return seq if ok else None
        for w in sorted(G[v]):
            if w in seq:
                continue
            nxt = f"{prefix} > {name(w)}"
            if not text.startswith(nxt):
                continue
            s = float(G[v][w].get("strength", 1.0) or 0.0)
            found = walk(seq + [w], nxt, prod * s)
            if found:
                return found
        return None

    if source not in G or target not in G:
        raise ValueError(f"path {text!r} is not in the graph")
    found = walk([source], name(source), 1.0) if text.startswith(name(source)) else None
    if found is None:
        raise ValueError(f"path {text!r} is not in the graph")
    return found


#: How a missing owner / stage / community shows in the filters.
NONE = "(none)"


# ------------------------------------------------------------------ filters --
@dataclass(frozen=True)
class Filters:
    """What the user narrowed the view to. Empty tuples mean "everyone".

    ``owners`` and ``stages`` may contain :data:`NONE` for people without one;
    ``communities`` are community ids (-1 for people without a community).
    Hashable, so it can key a cache.
    """

    owners: tuple[str, ...] = ()
    communities: tuple[int, ...] = ()
    feelings: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    min_strength: float = 0.0

    def __post_init__(self):
        if not (0.0 <= float(self.min_strength) <= 1.0) or math.isnan(float(self.min_strength)):
            raise NetmapError(f"the minimum tie strength must be between 0 and 1, got {self.min_strength!r}")
        bad = set(self.feelings) - set(FEELINGS)
        if bad:
            raise NetmapError(f"unknown feeling {sorted(bad)[0]!r}; choose from {', '.join(FEELINGS)}")

    @property
    def people_filtered(self) -> bool:
        return bool(self.owners or self.communities or self.feelings or self.stages)

    @property
    def active(self) -> bool:
        return self.people_filtered or self.min_strength > 0


def _text_column(people: pd.DataFrame, column: str) -> pd.Series:
    col = people[column] if column in people.columns else pd.Series(None, index=people.index, dtype=object)
    return col.astype(object).where(col.notna(), NONE).astype(str)


def _community_ids(people: pd.DataFrame) -> pd.Series:
    ids = pd.to_numeric(people["community_id"], errors="coerce") if "community_id" in people.columns else None
    if ids is None:
        return pd.Series(-1, index=people.index)
    return ids.fillna(-1).astype(int)


def options(people: pd.DataFrame, labels: Mapping[int, str] | None = None) -> dict[str, list]:
    """The choices each filter offers: ``owner``, ``stage`` (sorted, :data:`NONE`
    last when someone lacks one), ``feeling`` and ``community`` (ids, largest
    first) with ``community_labels`` {id: label}."""
    out: dict[str, list] = {}
    for col in ("owner", "stage"):  # each distinct value once (100,000 people: a few hundred owners)
        column = people[col] if col in people.columns else pd.Series(None, index=people.index, dtype=object)
        values = {str(v) for v in column.dropna().unique()} | ({NONE} if column.isna().any() else set())
        out[col] = sorted(values - {NONE}, key=str.casefold) + ([NONE] if NONE in values else [])
    present = set(people["feeling"].fillna("unknown").unique()) if "feeling" in people.columns else set()
    out["feeling"] = [f for f in FEELINGS if f in present]
    ids = _community_ids(people)
    out["community"] = [int(c) for c in ids.value_counts().sort_index().sort_values(ascending=False, kind="stable").index]
    names = dict(labels or {})
    if "community" in people.columns:  # else the first label a community's people carry
        named = pd.DataFrame({"c": ids, "label": people["community"]}).dropna().drop_duplicates("c")
        for c, label in zip(named["c"], named["label"]):
            if c not in names and isinstance(label, str):
                names[int(c)] = label
    out["community_labels"] = {c: (plain(names.get(c)) or (NONE if c == -1 else f"Community {c}"))
                                for c in out["community"]}
    return out


def filter_people(people: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """The rows of the people table (Analysis.people) that pass the filters
    (owner, community, feeling, stage); a new frame, the input is untouched."""
    mask = pd.Series(True, index=people.index)
    if filters.owners:
        mask &= _text_column(people, "owner").isin(filters.owners)
    if filters.stages:
        mask &= _text_column(people, "stage").isin(filters.stages)
    if filters.feelings:
        mask &= people["feeling"].fillna("unknown").isin(filters.feelings)
    if filters.communities:
        mask &= _community_ids(people).isin([int(c) for c in filters.communities])
    return people.loc[mask]


def filter_ties(ties: pd.DataFrame, people_ids: Iterable[int] | None = None, *, min_strength: float = 0.0,
                either_end: bool = False) -> pd.DataFrame:
    """Ties at or above ``min_strength`` whose ends are both (or, with
    ``either_end``, at least one) among ``people_ids`` (None: everyone)."""
    mask = pd.to_numeric(ties["strength"], errors="coerce").fillna(0.0) >= float(min_strength)
    if people_ids is not None:
        ids = pd.Index(list(people_ids) if not isinstance(people_ids, pd.Index) else people_ids)
        a, b = ties["a_id"].isin(ids), ties["b_id"].isin(ids)
        mask &= (a | b) if either_end else (a & b)
    return ties.loc[mask]


# ------------------------------------------------------------------ rankings --
#: The Bridges page's bridge customers (:func:`ranked_bridges`).
BRIDGE_COLUMNS = ["person_id", "name", "company", "owner", "community", "bridge_score", "betweenness",
                  "constraint", "effective_size", "participation", "is_cut_vertex", "separates", "degree", "feeling"]
#: The Bridges page's weak ties (:func:`ranked_weak_ties`): the command line's
#: (:data:`netmap.analysis.WEAK_TIE_COLUMNS`) with each end's community after its name.
RANKED_WEAK_TIE_COLUMNS = [
    "a_id", "a_name", "a_community", "b_id", "b_name", "b_community", "strength", "overlap", "local_bridge", "span",
    "crosses_communities", "weakness",
]


def ranked_bridges(people: pd.DataFrame, filters: Filters = Filters(), *, top: int | None = 100) -> pd.DataFrame:
    """Bridge customers, in the order of :func:`~netmap.network.bridges.bridge_ranking`,
    among the people passing the filters; :data:`BRIDGE_COLUMNS` plus ``rank``."""
    from .network.bridges import bridge_ranking

    ranked = bridge_ranking(filter_people(people, filters))
    if top is not None:
        ranked = ranked.head(int(top))
    cols = [c for c in BRIDGE_COLUMNS if c in ranked.columns]
    out = ranked[cols].reset_index(drop=True)
    out.insert(0, "rank", range(1, len(out) + 1))
    return out


def ranked_weak_ties(ties: pd.DataFrame, people: pd.DataFrame, filters: Filters = Filters(), *,
                     top: int | None = 100) -> pd.DataFrame:
    """Weak ties, weakest (most far-reaching) first, with at least one end
    among the people passing the filters and strength >= ``min_strength``;
    :data:`RANKED_WEAK_TIE_COLUMNS` plus ``rank``."""
    ids = None
    if filters.people_filtered:
        ids = pd.Index(filter_people(people, filters)["person_id"])
    chosen = filter_ties(ties, ids, min_strength=filters.min_strength, either_end=True)
    # the stored ties are weakest first, equal weakness in the data's canonical order: keep it
    ranked = chosen.sort_values("weakness", ascending=False, kind="mergesort")
    if top is not None:
        ranked = ranked.head(int(top))
    community = people.set_index("person_id")["community"]
    out = ranked.assign(
        a_community=ranked["a_id"].map(community), b_community=ranked["b_id"].map(community),
    )[[c for c in RANKED_WEAK_TIE_COLUMNS if c in ranked.columns or c in ("a_community", "b_community")]]
    out = out.reset_index(drop=True)
    out.insert(0, "rank", range(1, len(out) + 1))
    return out
