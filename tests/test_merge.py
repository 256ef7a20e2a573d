"""Likely duplicates decided (netmap.storage.merge): merge two records of one person, keep two people
apart; both undoable exactly, audited, and erasure still erases everything of a person."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from netmap import Store, UndoRefused, UnknownPerson
from netmap.config import local_actor
from netmap.cli import main
from netmap.storage.merge import MergeRefused, merge_summary
from netmap.storage.tables import feedback as FB, identifier as IDT, import_change as CHG, participation as PART
from netmap.storage.tables import person as P, referral as REF, relationship as REL, review as REV

from .conftest import check_integrity, dump_tables, load, stored_strings

# Zoe Quill twice (two CRM ids, two emails: a likely duplicate), Bo, Cy; a third Zoe record
# (a personal mailbox, no company) is a likely duplicate of both
PEOPLE = (
    "Record ID,First Name,Last Name,Email,Company,Lifecycle Stage,Contact owner\n"
    "ZQ-CRM-1,Zoe,Quill,zoe@acme.example,Acme,customer,\n"
    "ZQ-CRM-2,Zoe,Quill,zoe.quill@acme.example,Acme,,Maria\n"
    "B-1,Bo,Chen,bo@acme.example,Acme,customer,\n"
    "C-1,Cy,Dunn,cy@beta.example,Beta,customer,\n"
)
# a tie of each Zoe to Bo (one without a strength: the merge fills it), the second Zoe to Cy, and the two Zoes
RELS = (
    "Person A,Person B,Relationship,Strength\n"
    "zoe@acme.example,bo@acme.example,knows,\n"
    "zoe.quill@acme.example,bo@acme.example,knows,0.7\n"
    "zoe.quill@acme.example,cy@beta.example,knows,0.4\n"
    "zoe@acme.example,zoe.quill@acme.example,knows,\n"
)
REFS = (
    "Referrer Email,Referred Email,Date,Status\n"
    "zoe.quill@acme.example,cy@beta.example,2024-01-01,won\n"
    "zoe@acme.example,cy@beta.example,,\n"
    "bo@acme.example,zoe.quill@acme.example,2024-02-01,\n"
)
SURVEY = (
    "Response ID,Email,Score,Date,Comment\n"
    "r1,zoe.quill@acme.example,9,2024-01-01,Xylophone canary remark\n"
    "r2,zoe@acme.example,6,2023-01-01,\n"
)
MEETINGS = (
    "Meeting ID,Meeting Name,Date,Participants\n"
    'm1,Kickoff,2024-02-01,"zoe@acme.example; zoe.quill@acme.example; bo@acme.example"\n'
    'm2,Review,2024-03-01,"zoe.quill@acme.example; cy@beta.example"\n'
)
FILES = (("people.csv", PEOPLE), ("rels.csv", RELS), ("refs.csv", REFS), ("survey.csv", SURVEY),
         ("meetings.csv", MEETINGS))
CANARIES = ["Zoe", "Quill", "zoe@acme.example", "zoe.quill@acme.example", "ZQ-CRM-1", "ZQ-CRM-2", "Xylophone"]
#: tables a decision and its undo leave as they were (the logs, the data version and the cache record the change)
DATA = ("person", "identifier", "relationship", "referral", "interaction", "participation", "feedback", "review",
        "import_change")


def loaded(store: Store) -> tuple[int, int]:
    """The sample of this file imported; (kept Zoe, merged Zoe)."""
    load(store, *FILES)
    return store.find_person("ZQ-CRM-1"), store.find_person("ZQ-CRM-2")


def rows(store: Store, table, *where) -> list[dict]:
    with store.engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(table).where(*where).order_by(table.c.id)).mappings()]


def data(store: Store) -> dict:
    dump = dump_tables(store)
    return {t: dump[t] for t in DATA}


def test_merge_moves_every_kind_of_row_and_combines_duplicates(store):
    keep, other = loaded(store)
    bo, cy = store.find_person("bo@acme.example"), store.find_person("cy@beta.example")
    version = store.data_version()
    result = store.merge(keep, other)
    assert store.data_version() > version  # the measures are computed again

    assert rows(store, P, P.c.id == other) == []
    [zoe] = rows(store, P, P.c.id == keep)
    assert (zoe["stage"], zoe["owner"], zoe["email"]) == ("customer", "Maria", "zoe@acme.example")  # filled, not overwritten
    assert {(r["kind"], r["value"]) for r in rows(store, IDT, IDT.c.person_id == keep)} == {
        ("crm", "ZQ-CRM-1"), ("crm", "ZQ-CRM-2"), ("email", "zoe@acme.example"), ("email", "zoe.quill@acme.example")}
    # relationships: Bo's two ties combined (the strength filled in), Cy's moved, the Zoes' own tie dropped
    rels = {(r["a_id"], r["b_id"], r["kind"]): r["strength"] for r in rows(store, REL)}
    assert rels == {tuple(sorted((keep, bo))) + ("knows",): 0.7, tuple(sorted((keep, cy))) + ("knows",): 0.4}
    # referrals: the two to Cy combined (the date and status filled in), Bo's moved to the kept Zoe
    refs = {(r["referrer_id"], r["referred_id"]): (r["referred_on"], r["status"]) for r in rows(store, REF)}
    assert set(refs) == {(keep, cy), (bo, keep)} and refs[(keep, cy)][1] == "won"
    assert str(refs[(keep, cy)][0]) == "2024-01-01"
    # participations: one each in the kickoff (combined) and the review (moved)
    assert len(rows(store, PART, PART.c.person_id == keep)) == 2 and rows(store, PART, PART.c.person_id == other) == []
    assert sorted(r["score"] for r in rows(store, FB, FB.c.person_id == keep)) == [6, 9]
    assert rows(store, REV) == []  # their own review is closed
    assert result["moved"]["identifier"] == 2 and result["dropped"] == {"relationship": 1, "review": 1}
    assert result["combined"] == {"relationship": 1, "referral": 1, "participation": 1}
    said = merge_summary(result)
    assert said.startswith(f"Merged Zoe Quill (#{other}) into Zoe Quill (#{keep})") and "identifier" not in said
    assert store.summary()["people"] == 3 and store.summary()["imports"] == 5  # a merge is not an import


def test_other_reviews_move_to_the_kept_person(store):
    keep, other = loaded(store)
    # a third Zoe at a personal mailbox: a likely duplicate of both
    load(store, ("more.csv", "Email,First Name,Last Name\nzoe.q@gmail.example,Zoe,Quill\n"))
    third = store.find_person("zoe.q@gmail.example")
    assert {frozenset((r["a_id"], r["b_id"])) for r in store.reviews()} >= {frozenset((third, keep)),
                                                                            frozenset((third, other))}
    store.merge(keep, other)
    assert {frozenset((r["a_id"], r["b_id"])) for r in store.reviews()} == {frozenset((third, keep))}
    pairs, total = store.duplicate_pairs()
    assert total == 1 and (pairs[0].first.person_id, pairs[0].second.person_id) == tuple(sorted((keep, third)))


def test_undo_of_a_merge_restores_every_table_exactly(store):
    keep, other = loaded(store)
    before = data(store)
    result = store.merge(keep, other)
    assert data(store) != before
    plan = store.undo_preview(result["merge_id"])
    assert plan.kind == "merge" and plan.refusal is None
    assert plan.question.startswith(f"Undo merge #{result['merge_id']}? It brings back Zoe Quill (#{other}) as a "
                                    "separate person, with 2 ids and emails")
    done = store.undo(result["merge_id"])
    assert {k: v for k, v in done.items() if k not in ("import_id", "file_name")} == plan.counts
    assert data(store) == before  # both people and every moved, combined and dropped row, with their ids
    assert [e["action"] for e in store.audit()][:2] == ["undo", "merge"]
    check_integrity(store.url)
    # and again: the same merge, then every import undone, leaves nothing
    again = store.merge(keep, other)
    store.undo(again["merge_id"])
    for imp in store.imports():
        if imp["undone_at"] is None:
            store.undo(imp["id"])
    assert not store.has_people() and rows(store, CHG) == []


def test_a_merge_blocks_undoing_what_it_built_on_and_is_blocked_by_what_builds_on_it(store):
    keep, other = loaded(store)
    result = store.merge(keep, other)
    people_import = min(i["id"] for i in store.imports() if i["kind"] == "people")
    with pytest.raises(UndoRefused, match=f"later merge #{result['merge_id']}"):
        store.undo(people_import)
    # a later import that ties the kept person to someone blocks the merge's undo
    later = load(store, ("r2.csv", "Person A,Person B,Relationship\nzoe@acme.example,dee@x.example,knows\n"))
    later_id = later.files[0].import_id
    with pytest.raises(UndoRefused, match=f"later import #{later_id}"):
        store.undo(result["merge_id"])
    assert store.undo_preview(result["merge_id"]).refusal.startswith(f"merge #{result['merge_id']} cannot be undone")
    store.undo(later_id)
    store.undo(result["merge_id"])
    assert store.find_person("ZQ-CRM-2") == other


def test_merge_refuses_one_person_twice_and_nobody(store):
    keep, other = loaded(store)
    with pytest.raises(MergeRefused):
        store.merge(keep, keep)
    with pytest.raises(UnknownPerson):
        store.merge(keep, 9999)
    assert store.audit()[0]["action"] == "import"  # nothing written, nothing audited


def test_keep_apart_is_not_listed_again_after_a_later_import(store, another_database):
    people = "Record ID,First Name,Last Name,Email,Company\n1,Ann,Lee,a1@acme.example,Acme\n2,Ann,Lee,,Acme\n"
    later = ("more.csv", "Email,First Name,Last Name,Company\nx@acme.example,Ann,Lee,Acme\n")
    # without a decision, the later file lists the same two people again
    control = Store(another_database("control"))
    try:
        load(control, ("people.csv", people))
        assert load(control, later).reviews == 1 and len(control.reviews()) == 2
    finally:
        control.close()

    load(store, ("people.csv", people))
    [review] = store.reviews()
    a, b = review["a_id"], review["b_id"]
    result = store.keep_apart(f"#{a}", f"#{b}")
    assert result["reviews"] == 1 and store.reviews() == [] and store.duplicate_pairs() == ([], 0)
    report = load(store, later)
    assert report.reviews == 0 and store.reviews() == []
    with pytest.raises(MergeRefused, match="already kept apart"):
        store.keep_apart(a, b)
    # undone: the review is back (the later import changed a person, but deleted nobody)
    plan = store.undo_preview(result["decision_id"])
    assert plan.question == (f"Undo keep-apart #{result['decision_id']}? It lists Ann Lee (#{min(a, b)}) and "
                             f"Ann Lee (#{max(a, b)}) again as likely duplicates to review.")
    store.undo(result["decision_id"])
    assert [r["id"] for r in store.reviews()] == [review["id"]]


def test_undoing_keep_apart_waits_for_a_later_merge_of_the_pair(store):
    keep, other = loaded(store)
    decision = store.keep_apart(keep, other)
    merge = store.merge(keep, other)  # someone decided otherwise later
    with pytest.raises(UndoRefused, match=f"later merge #{merge['merge_id']}"):
        store.undo(decision["decision_id"])
    store.undo(merge["merge_id"])
    store.undo(decision["decision_id"])
    assert len(store.reviews()) == 1
    check_integrity(store.url)


def test_decisions_are_audited_by_number_with_the_actor(store):
    keep, other = loaded(store)
    bo = store.find_person("bo@acme.example")
    merge = store.merge(keep, other, actor="admin@team.test")
    apart = store.keep_apart(keep, bo)
    store.undo(merge["merge_id"], actor="admin@team.test")
    log = store.audit()
    assert [e["action"] for e in log[:3]] == ["undo", "keep-apart", "merge"]
    assert log[2]["actor"] == "admin@team.test" and log[1]["actor"] == local_actor()
    assert log[2]["target"] == f"merge #{merge['merge_id']}: #{other} into #{keep}"
    assert log[2]["counts"]["moved"]["identifier"] == 2 and log[2]["counts"]["filled"] == 1
    assert log[1]["target"] == f"keep-apart #{apart['decision_id']}: #{min(keep, bo)} and #{max(keep, bo)}"
    assert log[0]["target"] == f"merge #{merge['merge_id']}"
    logged = " ".join(stored_strings(store, ("audit",)))
    assert [c for c in CANARIES if c.casefold() in logged.casefold()] == []
    assert store.audit(action="merge")[0]["id"] == log[2]["id"]
    # the log names decisions by number only; the import log lists files, the decisions are apart
    from sqlalchemy import select

    from netmap.storage import tables

    with store.engine.connect() as conn:
        names = {r.file_name for r in conn.execute(select(tables.import_log)) if r.kind in ("merge", "keep-apart")}
    assert names == {f"merge #{other} into #{keep}", f"keep #{min(keep, bo)} and #{max(keep, bo)} apart"}
    assert not [i for i in store.imports() if i["kind"] in ("merge", "keep-apart")]


def test_erase_after_a_merge_leaves_nothing_of_either_record(store):
    keep, other = loaded(store)
    result = store.merge(keep, other)
    assert "ZQ-CRM-2" in repr(dump_tables(store))  # the merged record's values, kept in the journal for undo
    erased = store.erase(store.resolve_one("zoe.quill@acme.example"))  # the merged record's email names the kept person now
    assert erased["person_id"] == keep
    left = repr(dump_tables(store))
    assert [c for c in CANARIES if c.casefold() in left.casefold()] == []
    assert [c for c in rows(store, CHG) if c["table_name"] == "person" and c["row_id"] in (keep, other)] == []
    with pytest.raises(UndoRefused, match="can no longer be undone"):
        store.undo(result["merge_id"])
    # the rest still undoes cleanly
    for imp in store.imports():
        if imp["undone_at"] is None and imp["kind"] != "merge":
            store.undo(imp["id"])
    assert not store.has_people()
    check_integrity(store.url)


def test_erasing_someone_a_merge_combined_a_tie_with_ends_that_merge_s_undo(store):
    keep, other = loaded(store)
    load(store, ("r2.csv", "Person A,Person B,Relationship\nzoe@acme.example,cy@beta.example,knows\n"))
    result = store.merge(keep, other)  # the second Zoe's tie to Cy is dropped as a twin of the first's
    assert result["combined"]["relationship"] == 2
    store.erase(store.resolve_one("cy@beta.example"))
    assert "Dunn" not in repr(dump_tables(store))
    with pytest.raises(UndoRefused, match="can no longer be undone"):
        store.undo(result["merge_id"])
    check_integrity(store.url)


def test_keep_apart_is_forgotten_with_an_erased_person(store):
    keep, other = loaded(store)
    decision = store.keep_apart(keep, other)
    store.erase(other)
    assert [c for c in rows(store, CHG) if c["import_id"] == decision["decision_id"]] == []
    with pytest.raises(UndoRefused, match="can no longer be undone"):
        store.undo(decision["decision_id"])


def test_undo_preview_says_in_plain_words_what_goes_and_what_comes_back(store):
    report = load(store, ("people.csv", PEOPLE), ("survey.csv", SURVEY))
    people_id, survey_id = (f.import_id for f in report.files)
    plan = store.undo_preview(people_id)
    assert plan.refusal.startswith(f"import #{people_id} cannot be undone yet: later import #{survey_id} builds")
    plan = store.undo_preview(survey_id)
    assert plan.question == f"Undo import #{survey_id} (survey.csv)? It removes 2 survey answers."
    again = load(store, ("p2.csv", "Record ID,Contact owner,Email\nB-1,Kim,\nN-1,New,new@x.example\n"))
    plan = store.undo_preview(again.files[0].import_id)
    assert plan.question == (f"Undo import #{again.files[0].import_id} (p2.csv)? It removes 1 person, and restores "
                             "1 person's earlier details.")
    done = store.undo(again.files[0].import_id)
    assert {k: v for k, v in done.items() if k not in ("import_id", "file_name")} == plan.counts
    assert plan.done == (f"Import #{again.files[0].import_id} (p2.csv) undone: removed 1 person, and restored 1 "
                         "person's earlier details.")
    assert "identifier" not in plan.question and "rows" not in plan.question
    assert store.undo_preview(again.files[0].import_id).refusal.endswith(
        f"was already undone on {store.imports()[0]['undone_at']:%Y-%m-%d %H:%M}")


def test_the_command_line_merges_keeps_apart_and_undoes(store, capsys):
    keep, other = loaded(store)
    bo = store.find_person("bo@acme.example")
    assert main(["--db", store.url, "merge", "ZQ-CRM-1", "zoe.quill@acme.example"]) == 0
    out = capsys.readouterr().out
    assert f"Merged Zoe Quill (#{other}) into Zoe Quill (#{keep})" in out and "python -m netmap undo" in out
    merge_id = store.decisions()[0]["id"]
    assert main(["--db", store.url, "reviews"]) == 0 and "no likely duplicates" in capsys.readouterr().out
    assert main(["--db", store.url, "keep-apart", f"#{keep}", "Bo Chen"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("kept ") and f"Zoe Quill (#{keep})" in out and f"Bo Chen (#{bo})" in out
    assert main(["--db", store.url, "merge", "Nobody Here", "#1"]) == 1
    assert "no person matches" in capsys.readouterr().err
    assert main(["--db", store.url, "audit", "--action", "merge"]) == 0
    assert f"merge #{merge_id}" in capsys.readouterr().out
    assert [e["actor"] for e in store.audit()[:2]] == [local_actor(), local_actor()]
    assert main(["--db", store.url, "undo", str(merge_id)]) == 0  # keeping Zoe and Bo apart does not need it
    assert store.find_person("ZQ-CRM-2") == other


def test_an_id_a_merge_deleted_is_never_given_again(store):
    """Review of session 13: on SQLite the next new person took the merged person's id, so
    erasing the kept person later treated the newcomer as merged into them (their import's
    journal forgotten, their names redacted)."""
    from netmap import import_files

    import_files(store, [("zoe.csv", b"Record ID,Name,Company\nA1,Zoe Quill,Acme\nA2,Zoe Quill,Acme\n")])
    keep, other = sorted(p.id for p in store.load_dataset().people)
    store.merge(keep, other)
    import_files(store, [("dan.csv", b"Record ID,Name,Email\nN1,Dan New,dan@new.example\n")])
    dan = store.find_person("dan@new.example")
    assert dan not in (keep, other)
    store.erase(keep)
    assert [p.name for p in store.load_dataset().people] == ["Dan New"]
    dan_import = store.imports()[0]["id"]
    store.undo(dan_import)
    assert store.load_dataset().people == ()
