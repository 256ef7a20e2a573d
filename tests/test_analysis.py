"""The measures end to end: from the store, cached per data version, through the CLI contract."""

from __future__ import annotations

import csv
import io
import json
import re

import networkx as nx
import pandas as pd
import pytest

import netmap.analysis as analysis_mod
from netmap import import_paths
from netmap.analysis import PEOPLE_COLUMNS, WEAK_TIE_COLUMNS, Analysis, analyze, measures, network
from netmap.cli import main, sample_files
from netmap.queries import NURTURE_COLUMNS, PATH_COLUMNS, PLAN_COLUMNS
from netmap.tabular_export import neutralise, to_csv

from .conftest import load


@pytest.fixture
def sample_store(store):
    import_paths(store, sample_files())
    return store


def run_cli(store, capsys, *args) -> tuple[int, str, str]:
    code = main(["--db", store.url, *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_measures_are_computed_once_per_data_version(sample_store, monkeypatch):
    calls = []
    real = analysis_mod.analyze
    monkeypatch.setattr(analysis_mod, "analyze", lambda *a, **k: calls.append(1) or real(*a, **k))
    first = measures(sample_store)
    assert analysis_mod.measures_stored(sample_store)
    second = measures(sample_store)
    assert len(calls) == 1
    assert first.people.equals(second.people) and first.ties.equals(second.ties)
    load(sample_store, ("more.csv", "Email,Name,Company\nnew.person@x.com,New Person,X\n"))
    assert not analysis_mod.measures_stored(sample_store)  # for the older data only
    third = measures(sample_store)
    assert len(calls) == 2 and len(third.people) == len(first.people) + 1


def test_results_are_identical_across_runs(sample_store):
    ds = sample_store.load_dataset()
    a = analyze(ds)
    b = analyze(ds)
    assert a.people.equals(b.people) and a.ties.equals(b.ties) and a.labels == b.labels


def test_analysis_round_trips_through_the_database_format(sample_store):
    a = analyze(sample_store.load_dataset())
    data = a.to_bytes()
    assert data.startswith(b"netmap-analysis/2\n") and b"pickle" not in data[:200]
    b = Analysis.from_bytes(data)
    for name in ("people", "ties", "edges", "plan"):  # exactly: values and dtypes
        pd.testing.assert_frame_equal(getattr(b, name), getattr(a, name))
    assert (b.labels, b.methods, b.base_rate, b.seed, b.samples) == (a.labels, a.methods, a.base_rate, a.seed, a.samples)
    with pytest.raises(ValueError, match="not a stored netmap analysis"):
        Analysis.from_bytes(b'{"version": 1}')


def test_a_stored_analysis_decodes_only_the_tables_asked_for(sample_store):
    measures(sample_store)
    stored = Analysis.from_bytes(sample_store.cached(analysis_mod.cache_name()))
    assert set(stored.__dict__["_raw"]) == {"people", "ties", "edges", "plan"}
    stored.people
    assert set(stored.__dict__["_raw"]) == {"ties", "edges", "plan"}


def _csv(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def test_cli_tables_keep_their_exact_columns(sample_store, capsys, tmp_path):
    # the contract's columns first, exactly; new columns only after them
    for args, columns in (
        (["people"], PEOPLE_COLUMNS + ["spread_se", "separates"]),
        (["weak-ties", "--top", "5"], WEAK_TIE_COLUMNS),
        (["bridges", "--top", "5"], PEOPLE_COLUMNS + ["spread_se", "separates"]),
        (["nurture", "--top", "5"], NURTURE_COLUMNS),
        (["plan", "--k", "3"], PLAN_COLUMNS + ["action", "feeling", "marginal_se", "nps", "owner", "email", "company",
                                               "nurture_rank", "spread", "why_here"]),
        (["paths", "--to", "stage:lead", "--top", "1"], PATH_COLUMNS + [
            "source_email", "source_company", "source_owner", "source_feeling", "target_email", "target_company",
            "target_owner", "target_stage", "introduction"]),
    ):
        code, out, err = run_cli(sample_store, capsys, *args)
        assert code == 0, err
        assert out.splitlines()[0] == ",".join(columns), args
        rows = _csv(out)
        assert rows, args
        code, out, _ = run_cli(sample_store, capsys, *args, "--format", "json")
        assert code == 0 and list(json.loads(out)[0]) == columns


def test_cli_rankings_are_sorted_and_filtered(sample_store, capsys):
    _, out, _ = run_cli(sample_store, capsys, "bridges", "--top", "10")
    scores = [float(r["bridge_score"]) for r in _csv(out)]
    assert scores == sorted(scores, reverse=True) and len(scores) == 10
    _, out, _ = run_cli(sample_store, capsys, "nurture")
    rows = _csv(out)
    assert [int(r["rank"]) for r in rows] == list(range(1, len(rows) + 1))
    assert {r["action"] for r in rows} <= {"amplify", "elevate", "recover", "ask"}
    assert all(r["reason"] for r in rows)
    owner = rows[0]["owner"]
    _, out, _ = run_cli(sample_store, capsys, "nurture", "--owner", owner)
    assert {r["owner"] for r in _csv(out)} == {owner}
    code, _, err = run_cli(sample_store, capsys, "nurture", "--owner", "Nobody Atall")
    assert code == 1 and "no account manager" in err


def test_cli_plan_spans_and_never_falls(sample_store, capsys):
    _, out, _ = run_cli(sample_store, capsys, "plan", "--k", "5")
    rows = _csv(out)
    cumulative = [float(r["cumulative_spread"]) for r in rows]
    assert len(rows) == 5 and cumulative == sorted(cumulative)
    assert len({r["person_id"] for r in rows}) == 5


def test_cli_paths_to_a_person_a_company_and_from_an_owner(sample_store, capsys):
    people = measures(sample_store).people
    lead = people[people["stage"] == "lead"].iloc[0]
    code, out, err = run_cli(sample_store, capsys, "paths", "--to", lead["email"])
    assert code == 0, err
    for r in _csv(out):
        names = r["path"].split(" > ")
        assert names[0] == r["source_name"] and names[-1] == r["target_name"] == lead["name"]
        assert int(r["hops"]) == len(names) - 1 and 0 < float(r["strength"]) <= 1
    company = people["company"].dropna().iloc[0]
    assert run_cli(sample_store, capsys, "paths", "--to", f"company:{company}")[0] == 0
    owner = people["owner"].dropna().iloc[0]
    assert run_cli(sample_store, capsys, "paths", "--to", "stage:lead", "--from", f"owner:{owner}")[0] == 0
    code, _, err = run_cli(sample_store, capsys, "paths", "--to", "nobody@nowhere.test")
    assert code == 1 and "no person matches" in err


def test_cli_graph_and_exports(sample_store, capsys, tmp_path):
    html = tmp_path / "g.html"
    code, out, err = run_cli(sample_store, capsys, "graph", "--out", str(html), "--max-nodes", "150")
    assert code == 0, err
    assert "showing 150 of 406" in out
    page = html.read_text()
    assert not re.search(r"<(script|link|img|iframe)[^>]+(src|href)=[\"']?https?:", page)  # every asset inlined
    # the app's drawing vocabulary: the same legend, bridge customers marked, weak ties dashed
    from netmap.draw.view import network_view

    a = measures(sample_store)
    app = network_view(network(sample_store)[1], a.people, a.ties, labels=a.labels, max_nodes=150, title="netmap")
    assert 'id="netmap-legend"' in page and "bridge customer" in page and "weak tie" in page
    assert page.count('"shape": "diamond"') == app.html.count('"shape": "diamond"') > 0
    assert page.count('"dashes": true') == app.html.count('"dashes": true') > 0
    for fmt in ("graphml", "gexf"):
        path = tmp_path / f"g.{fmt}"
        assert run_cli(sample_store, capsys, "export", fmt, "--out", str(path))[0] == 0
        G = nx.read_graphml(path) if fmt == "graphml" else nx.read_gexf(path)
        assert G.number_of_nodes() == 406  # the sample's 400 and its 6 support agents
        attrs = next(iter(G.nodes(data=True)))[1]
        assert {"bridge_score", "spread", "betweenness"} <= set(attrs)


def test_hostile_names_are_neutralised_in_csv(store, capsys):
    load(
        store,
        ("p.csv", 'Email,Name,Company,Lifecycle Stage\nx@evil.com,"=HYPERLINK(""http://evil"")",@corp,customer\n'
                  "y@evil.com,<img src=x onerror=alert(1)>,-Minus,customer\n"),
        ("r.csv", "Person A,Person B,Relationship\nx@evil.com,y@evil.com,knows\n"),
    )
    _, out, _ = run_cli(store, capsys, "people")
    rows = _csv(out)
    names = {r["name"] for r in rows}
    assert "'=HYPERLINK(\"http://evil\")" in names and "<img src=x onerror=alert(1)>" in names
    assert {r["company"] for r in rows} == {"'@corp", "'-Minus"}
    for r in rows:
        for v in r.values():
            assert not v.startswith(("=", "+", "@", "\t", "\r")) and not (v.startswith("-") and not _number(v))


def _number(v: str) -> bool:
    try:
        float(v)
        return True
    except ValueError:
        return False


def test_neutralise_rule():
    assert [neutralise(s) for s in ("=1", "+1", "-x", "@a", "\tx", "\rx", "ok")] == [
        "'=1", "'+1", "'-x", "'@a", "'\tx", "'\rx", "ok"
    ]
    import pandas as pd

    assert to_csv(pd.DataFrame({"n": [-1.5], "t": ["-1.5"]})) == "n,t\n-1.5,'-1.5\n"


def test_summary_ties_equal_the_ties_of_the_network(sample_store):
    """The overview's tie count and the network's edges follow one rule."""
    load(sample_store, ("big.csv", "Meeting ID,Attendee email\n" + "".join(f"W1,w{i}@web.example\n" for i in range(60))))
    assert sample_store.summary()["ties"] == len(measures(sample_store).ties)
