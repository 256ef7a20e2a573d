"""Exports a campaign can use (issue 13, parts 4 and 5): the referral paths with both ends'
email, company and owner and the introduction in words; several stages, every prospect and
company names without their legal suffix as targets, suggestions for a target that matches
nobody; the plan's columns and its "why here"."""

from __future__ import annotations

import csv
import io
import json

import pandas as pd
import pytest

from netmap import Store
from netmap.analysis import measures
from netmap.cli import main
from netmap.errors import NetmapError, UnknownPerson
from netmap.network.plan import ordinal, why_here
from netmap.queries import (
    LEAD_STAGES,
    PATH_COLUMNS,
    PATH_EXTRA_COLUMNS,
    PLAN_COLUMNS,
    PLAN_EXTRA_COLUMNS,
    find_paths,
    introduction,
    nurture_list,
    path_index,
    plan,
    prospects,
    resolve_sources,
    resolve_targets,
    stage_label,
    suggest,
    targets_at_stages,
    tie_word,
)
from netmap.ingest.values import company_key

from .conftest import drop_database, load, new_database_url

#: A tiny company: Ana (the only promoter) knows Bo well, Cy less; Cy knows Di, Di knows Ed;
#: Fay (a detractor) is the only way to Hal. Every tie strength is given (0-1, used as is) and
#: everyone works somewhere else, so the strengths are exactly these.
PEOPLE = """Email,Name,Company,Contact owner,Lifecycle Stage,Last NPS survey rating
ana@a.test,Ana Diaz,Alpha Co Ltd,Olga Owner,customer,10
bo@b.test,Bo Li,Redwood Diagnostics Pte. Ltd.,Pete Owner,marketingqualifiedlead,
cy@c.test,Cy Ng,Gamma GmbH,Olga Owner,customer,8
di@d.test,Di Wu,Delta Inc,Pete Owner,lead,
ed@e.test,Ed Yu,Epsilon SA,Pete Owner,prospect,
fay@f.test,Fay Ho,Zeta AG,Olga Owner,customer,3
hal@h.test,Hal Kim,Eta Oy,Pete Owner,subscriber,
ivy@i.test,Ivy Ek,Théta Labs,Olga Owner,opportunity,
"""
TIES = """Person A,Person B,Relationship,Strength
ana@a.test,bo@b.test,knows,0.9
ana@a.test,cy@c.test,knows,0.5
cy@c.test,di@d.test,knows,0.8
di@d.test,ed@e.test,knows,0.5
ana@a.test,fay@f.test,knows,0.9
fay@f.test,hal@h.test,knows,0.9
ana@a.test,gus@g.test,knows,0.4
gus@g.test,ivy@i.test,knows,0.4
"""


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    url = new_database_url(tmp_path_factory.mktemp("campaign"))
    store = Store(url)
    load(store, ("people.csv", PEOPLE), ("ties.csv", TIES))
    analysis = measures(store)
    yield store, analysis
    store.close()
    drop_database(url)


def ids_of(people: pd.DataFrame, *names: str) -> list[int]:
    by_name = people.set_index("name")["person_id"]
    return sorted(int(by_name[n]) for n in names)


# ------------------------------------------------------------------ wording
def test_tie_words_and_stage_labels():
    assert [tie_word(s) for s in (1.0, 0.6, 0.59, 0.3, 0.29, 0.05)] == [
        "strong", "strong", "medium", "medium", "weak", "weak"]
    assert stage_label("marketingqualifiedlead") == "marketing qualified lead"
    assert stage_label("salesqualifiedlead") == "sales qualified lead"
    assert stage_label("lead") == "lead" and stage_label("closed_lost") == "closed lost"
    assert stage_label(None) == "" and stage_label(float("nan")) == ""


def test_introductions_in_words():
    assert introduction("Ana Diaz", "Bo Li", [], 0.9, feeling="promoter") == (
        "Ask Ana Diaz (promoter, strong tie) to introduce Bo Li")
    assert introduction("Ana Diaz", "Bo Li", [], 0.45, feeling="passive") == (
        "Ask Ana Diaz (passive, medium tie) to introduce Bo Li")
    assert introduction("Ana Diaz", "Bo Li", ["Cy Ng"], 0.4, feeling="promoter") == (
        "Ask Ana Diaz (promoter) to introduce Bo Li via Cy Ng")
    assert introduction("Ana Diaz", "Bo Li", ["Cy Ng", "Di Wu"], 0.2, feeling="unknown") == (
        "Ask Ana Diaz to introduce Bo Li via Cy Ng, then Di Wu")
    assert introduction("Ana Diaz", "Bo Li", [], 0.1, team=True) == (
        "Ask Ana Diaz (your team, weak tie) to introduce Bo Li")
    assert introduction("Ana Diaz", "Bo Li", ["Fay Ho", "Cy Ng"], 0.5, feeling="promoter", wary=[True, False]) == (
        "Ask Ana Diaz (promoter) to introduce Bo Li via Fay Ho (detractor), then Cy Ng")


def test_the_paths_carry_both_ends_and_the_introduction(tiny):
    store, analysis = tiny
    people = analysis.people
    targets = resolve_targets(store, people, "prospects")
    assert targets == ids_of(people, "Bo Li", "Di Wu", "Ed Yu", "Hal Kim", "Ivy Ek")
    paths = find_paths(None, targets, resolve_sources(store, people, "promoters"), top=3, index=path_index(analysis),
                       people=people)
    assert list(paths.columns) == PATH_COLUMNS + PATH_EXTRA_COLUMNS
    got = paths.set_index("target_name")
    assert got.loc["Bo Li", "introduction"] == "Ask Ana Diaz (promoter, strong tie) to introduce Bo Li"
    assert got.loc["Di Wu", "introduction"] == "Ask Ana Diaz (promoter) to introduce Di Wu via Cy Ng"
    assert got.loc["Ed Yu", "introduction"] == "Ask Ana Diaz (promoter) to introduce Ed Yu via Cy Ng, then Di Wu"
    assert got.loc["Hal Kim", "introduction"] == "Ask Ana Diaz (promoter) to introduce Hal Kim via Fay Ho (detractor)"
    # gus@g.test, known only as a relationship's end, is named by the email: a go-between, never a prospect
    assert got.loc["Ivy Ek", "introduction"] == "Ask Ana Diaz (promoter) to introduce Ivy Ek via gus@g.test"
    bo = got.loc["Bo Li"]
    assert (bo["source_email"], bo["source_company"], bo["source_owner"], bo["source_feeling"]) == (
        "ana@a.test", "Alpha Co Ltd", "Olga Owner", "promoter")
    assert (bo["target_email"], bo["target_company"], bo["target_owner"], bo["target_stage"]) == (
        "bo@b.test", "Redwood Diagnostics Pte. Ltd.", "Pete Owner", "marketing qualified lead")
    assert bo["strength"] == pytest.approx(0.9) and bo["hops"] == 1
    assert got.loc["Ed Yu", "strength"] == pytest.approx(0.5 * 0.8 * 0.5)
    # without the people table: the contract's columns alone, the same rows
    plain = find_paths(None, targets, resolve_sources(store, people, "promoters"), top=3, index=path_index(analysis))
    pd.testing.assert_frame_equal(plain, paths[PATH_COLUMNS])
    drawable = find_paths(None, targets, [ids_of(people, "Ana Diaz")[0]], index=path_index(analysis), people=people,
                          with_ids=True)
    assert list(drawable.columns) == PATH_COLUMNS + PATH_EXTRA_COLUMNS + ["path_ids"]


# ------------------------------------------------------------------ targets
def test_several_stages_and_every_prospect(tiny):
    store, analysis = tiny
    people = analysis.people
    assert resolve_targets(store, people, "stage:lead,prospect") == ids_of(people, "Di Wu", "Ed Yu")
    assert resolve_targets(store, people, "stage:LEAD, MQL") == ids_of(people, "Bo Li", "Di Wu")
    assert resolve_targets(store, people, "stage:marketing qualified lead") == ids_of(people, "Bo Li")
    assert targets_at_stages(people, ["lead", "subscriber"]) == ids_of(people, "Di Wu", "Hal Kim")
    # a stage netmap knows that nobody is at is no mistake beside one that has people
    assert resolve_targets(store, people, "stage:lead,salesqualifiedlead") == ids_of(people, "Di Wu")
    with pytest.raises(NetmapError, match=r"^nobody is at the stage 'salesqualifiedlead'; the stages are: customer"):
        resolve_targets(store, people, "stage:salesqualifiedlead")
    with pytest.raises(NetmapError, match=r"^nobody is at the stage 'leed'; did you mean: lead\?$"):
        resolve_targets(store, people, "stage:lead,leed")
    with pytest.raises(NetmapError, match="name a lifecycle stage"):
        resolve_targets(store, people, "stage: ,")
    # prospects: the lead-like stages, never customers, nor people without a stage (gus@g.test)
    got = set(prospects(people))
    stage = people.set_index("person_id")["stage"]
    assert got == set(people.loc[people["stage"].isin(LEAD_STAGES), "person_id"])
    assert not set(stage[list(got)]) & {"customer", "evangelist", "team"} and stage[list(got)].notna().all()
    assert resolve_targets(store, people, " Prospects ") == sorted(got)
    with pytest.raises(NetmapError, match="nobody is a lead or a prospect"):
        prospects(people[people["stage"] == "customer"])


def test_a_company_without_its_legal_suffix(tiny):
    store, analysis = tiny
    people = analysis.people
    bo = ids_of(people, "Bo Li")
    assert company_key("Redwood Diagnostics Pte. Ltd.") == company_key("redwood diagnostics")
    for name in ("Redwood Diagnostics", "redwood diagnostics pte ltd", "REDWOOD DIAGNOSTICS PTE. LTD.",
                 "Redwood Diagnostics Pte. Ltd."):
        assert resolve_targets(store, people, f"company:{name}") == bo, name
    assert resolve_targets(store, people, "company:Theta Labs") == ids_of(people, "Ivy Ek")  # accents ignored
    redwood = r"; did you mean: Redwood Diagnostics Pte\. Ltd\.\?$"
    with pytest.raises(NetmapError, match=r"^nobody works at 'Redwod'" + redwood):  # misspelt
        resolve_targets(store, people, "company:Redwod")
    with pytest.raises(NetmapError, match=r"^nobody works at 'Redwood'" + redwood):  # the first word alone
        resolve_targets(store, people, "company:Redwood")
    with pytest.raises(NetmapError, match=r"^nobody works at 'Qqqq'$"):
        resolve_targets(store, people, "company:Qqqq")


def test_an_unknown_person_or_owner_gets_suggestions(tiny):
    store, analysis = tiny
    people = analysis.people
    with pytest.raises(UnknownPerson, match=r"^no person matches 'Ana Diz'; .*; did you mean: Ana Diaz\?$"):
        resolve_targets(store, people, "Ana Diz")
    with pytest.raises(UnknownPerson, match=r"; did you mean: ana@a\.test[,?]"):
        resolve_sources(store, people, "ana@a.tst")
    with pytest.raises(UnknownPerson, match=r"^no person matches 'Zzzz Qqqq'; give a CRM id, an email or a full name "
                                            r"as stored$"):  # nothing close: no suggestion
        resolve_targets(store, people, "Zzzz Qqqq")
    with pytest.raises(NetmapError, match=r"^no account manager 'Olga Ownr' owns anyone; did you mean: Olga Owner\?$"):
        resolve_sources(store, people, "owner:Olga Ownr")
    assert suggest("Apex", ["Apex Pay SE", "Apex Bio Inc.", "Zeta AG"], company_key) == ["Apex Pay SE", "Apex Bio Inc."]
    assert suggest("x", [], company_key) == []


def cli(store, capsys, *args) -> tuple[int, str, str]:
    code = main(["--db", store.url, *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def test_the_command_line(tiny, capsys):
    store, _ = tiny
    code, out, err = cli(store, capsys, "paths", "--to", "prospects")
    assert code == 0, err
    rows = list(csv.DictReader(io.StringIO(out)))
    assert out.splitlines()[0] == ",".join(PATH_COLUMNS + PATH_EXTRA_COLUMNS)
    assert {r["target_name"] for r in rows} == {"Bo Li", "Di Wu", "Ed Yu", "Hal Kim", "Ivy Ek"}
    assert {r["introduction"] for r in rows if r["target_name"] == "Bo Li"} == {
        "Ask Ana Diaz (promoter, strong tie) to introduce Bo Li"}
    code, out, err = cli(store, capsys, "paths", "--to", "company:Redwood Diagnostics", "--format", "json")
    assert code == 0, err
    (row,) = json.loads(out)
    assert list(row) == PATH_COLUMNS + PATH_EXTRA_COLUMNS and row["target_stage"] == "marketing qualified lead"
    code, out, err = cli(store, capsys, "paths", "--to", "stage:lead,prospect")
    assert code == 0 and {r["target_name"] for r in csv.DictReader(io.StringIO(out))} == {"Di Wu", "Ed Yu"}
    for args, said in (
        (["--to", "company:Redwod"], "netmap: nobody works at 'Redwod'; did you mean: Redwood Diagnostics Pte. Ltd.?"),
        (["--to", "stage:leed"], "netmap: nobody is at the stage 'leed'; did you mean: lead?"),
        (["--to", "Bo Lee"], "did you mean: Bo Li?"),
        (["--to", "prospects", "--from", "owner:Pete Ownr"], "did you mean: Pete Owner?"),
    ):
        code, out, err = cli(store, capsys, "paths", *args)
        assert code == 1 and out == "", args
        assert len(err.splitlines()) == 1 and said in err and "Traceback" not in err, err


# ------------------------------------------------------------------ the plan
def test_ordinals():
    assert [ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th"]


def test_why_here_in_words():
    assert why_here(1, 4.9, 4.9, "unknown", 58, widest=1) == (
        "#58 on the list; picked 1st because their word of mouth reaches the most people (~4.9 alone); "
        "lower on the list, which also weighs how they feel and how much they broker; no survey answer yet: ask first")
    assert why_here(1, 4.5, 4.5, "passive", 1, widest=8) == (
        "#1 on the list; picked 1st because their reach looked widest on the samples the plan is chosen over "
        "(~4.5 people alone, the 8th widest as measured)")
    assert why_here(2, 5.0, 5.04, "promoter", 11) == (
        "#11 on the list; picked 2nd because they reach a part of the network the earlier picks do not "
        "(~5.0 of the ~5.0 people they reach alone); lower on the list, which also weighs how they feel and how "
        "much they broker")
    assert why_here(6, 2.5, 4.9, "detractor", 3) == (
        "#3 on the list; picked 6th because they add ~2.5 of the ~4.9 people they reach alone: the earlier picks "
        "reach the rest")
    assert why_here(7, 12.4, 12.6, "promoter", None) == (
        "not on the list, which keeps the widest reach and the strongest brokers; picked 7th because they reach a "
        "part of the network the earlier picks do not (~12 of the ~13 people they reach alone)")


def test_the_plan_says_what_to_do_and_why_here(tiny, capsys):
    store, analysis = tiny
    people = analysis.people
    got = plan(analysis, 3)
    assert list(got.columns) == PLAN_COLUMNS + PLAN_EXTRA_COLUMNS
    assert PLAN_EXTRA_COLUMNS[:8] == ["action", "feeling", "marginal_se", "nps", "owner", "email", "company",
                                      "nurture_rank"]  # the columns before this issue, in their order
    about = people.set_index("person_id")
    listed = nurture_list(people).set_index("person_id")["rank"]
    for i, row in enumerate(got.to_dict(orient="records"), start=1):
        person = about.loc[row["person_id"]]
        assert row["email"] == person["email"] and row["owner"] == person["owner"]
        assert row["spread"] == person["spread"]  # one figure: the list's, for the same person
        assert row["action"] in ("amplify", "elevate", "recover", "ask") and row["feeling"] == person["feeling"]
        place = f"#{listed[row['person_id']]} on the list" if row["person_id"] in listed.index else "not on the list"
        assert row["why_here"].startswith(place) and f"picked {ordinal(i)} because" in row["why_here"]
        assert ("no survey answer yet: ask first" in row["why_here"]) == (row["feeling"] == "unknown")
    assert got.loc[0, "marginal_spread"] == pytest.approx(got.loc[0, "spread"])
    code, out, err = cli(store, capsys, "plan", "--k", "2")
    assert code == 0, err
    assert out.splitlines()[0] == ",".join(PLAN_COLUMNS + PLAN_EXTRA_COLUMNS)
    assert [r["why_here"] for r in csv.DictReader(io.StringIO(out))] == got["why_here"].head(2).tolist()
