"""The nurture log (issue 15, part 4): actions logged for people, stored, audited, read back,
erased with the person, moved by a merge; an older database gets the table on open.

Runs on the backend under test (``NETMAP_TEST_BACKEND``), like the rest of the suite.
"""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, inspect, text
from sqlalchemy.pool import NullPool

from netmap import Store
from netmap.errors import NetmapError, UnknownPerson
from netmap.nurture_log import ACTIONS, LOG_COLUMNS, UnknownAction, action_from_words, check_action

from .conftest import dump_tables, load

PEOPLE = (
    "Record ID,First Name,Last Name,Email,Contact owner\n"
    "1,Ann,Lee,ann@acme.example,Dana Ruiz\n"
    "2,Bob,Stone,bob@acme.example,Dana Ruiz\n"
    "3,Cy,Park,cy@beta.example,Eli Moss\n"
)


def _ids(store) -> dict[str, int]:
    return {p.name: p.id for p in store.load_dataset().people}


def _two_waves(store, april) -> dict[str, int]:
    """Twelve people P1..P12 Doe answering in January (5, 6 or 7) and in April (``april(i)``)."""
    people = "Record ID,Name,Email\n" + "".join(f"{i},P{i} Doe,p{i}@x.example\n" for i in range(1, 13))
    survey = "Email,Score,Date\n" + "".join(
        f"p{i}@x.example,{5 + (i % 3)},2024-01-10\np{i}@x.example,{april(i)},2024-04-10\n" for i in range(1, 13))
    load(store, ("people.csv", people), ("survey.csv", survey))
    return _ids(store)


# ------------------------------------------------------------------ vocabulary
def test_the_vocabulary_and_its_words():
    assert list(ACTIONS) == ["thanked", "fixed_issue", "called", "asked_intro", "sent_gift", "other"]
    assert check_action("Fixed issue") == "fixed_issue" and check_action("fixed-issue") == "fixed_issue"
    assert check_action("sent a gift") == "sent_gift" and check_action("CALLED") == "called"
    with pytest.raises(UnknownAction, match="thanked, fixed_issue, called, asked_intro, sent_gift, other"):
        check_action("hugged")
    assert isinstance(UnknownAction("x"), NetmapError)


@pytest.mark.parametrize("words, action", [
    (("Thank-you call", "CALL"), "thanked"),
    (("Quarterly check-in", "CALL"), "called"),
    (("Send holiday gift", "TODO"), "sent_gift"),
    (("Ask for a referral to their CFO", "EMAIL"), "asked_intro"),
    (("Intro to Beta's ops lead", None), "asked_intro"),
    (("Resolve billing issue", "TODO"), "fixed_issue"),
    (("Renewal paperwork", "TODO"), "other"),
    ((None, "Call"), "called"),
    (("", ""), "other"),
])
def test_an_activity_is_an_action_by_its_words(words, action):
    assert action_from_words(*words) == action


# ------------------------------------------------------------------ log and read
def test_log_an_action_audited_and_read_back_newest_first(store):
    load(store, ("people.csv", PEOPLE))
    ids = _ids(store)
    version = store.data_version()
    first = store.log_action(ids["Ann Lee"], "thanked", note="  for the case study ", on=date(2024, 3, 1),
                             actor="dana@us.example")
    assert store.data_version() == version  # nothing measured comes from the log: the measures stay
    assert {k: first[k] for k in LOG_COLUMNS} == {
        "done_on": date(2024, 3, 1), "person_id": ids["Ann Lee"], "name": "Ann Lee", "owner": "Dana Ruiz",
        "action": "thanked", "note": "for the case study", "logged_by": "dana@us.example"}
    store.log_action(ids["Bob Stone"], "Fixed an issue", on=date(2024, 3, 5))
    store.log_action(ids["Cy Park"], "called", on=date(2024, 3, 5), note="")
    rows = store.nurture_log()
    assert [(r["name"], r["action"]) for r in rows] == [("Cy Park", "called"), ("Bob Stone", "fixed_issue"),
                                                        ("Ann Lee", "thanked")]  # newest, then latest logged
    assert rows[0]["note"] is None and rows[0]["logged_by"].startswith("local")
    assert [r["name"] for r in store.nurture_log(person_id=ids["Bob Stone"])] == ["Bob Stone"]
    assert [r["name"] for r in store.nurture_log(owner="dana ruiz")] == ["Bob Stone", "Ann Lee"]
    with pytest.raises(NetmapError, match="no account manager 'Nobody'; owners: Dana Ruiz, Eli Moss"):
        store.nurture_log(owner="Nobody")
    entries = store.audit(action="log")
    assert [(e["actor"], e["target"], e["counts"]) for e in entries][-1] == (
        "dana@us.example", f"person #{ids['Ann Lee']}", {"actions": 1})
    assert len(entries) == 3
    assert "case study" not in repr(store.audit())  # the note is not copied into the audit log


def test_a_logged_action_defaults_to_today(store):
    load(store, ("people.csv", PEOPLE))
    row = store.log_action(_ids(store)["Ann Lee"], "other", note="met at the conference")
    assert row["done_on"] == date.today()


def test_what_cannot_be_logged_writes_nothing(store):
    load(store, ("people.csv", PEOPLE))
    ids = _ids(store)
    before = dump_tables(store)
    with pytest.raises(UnknownAction, match="'hugged' is not an action"):
        store.log_action(ids["Ann Lee"], "hugged")
    with pytest.raises(UnknownPerson, match="no person #999"):
        store.log_action(999, "called")
    with pytest.raises(NetmapError, match="in the future"):
        store.log_action(ids["Ann Lee"], "called", on=date.today() + timedelta(days=30))
    assert dump_tables(store) == before


# ------------------------------------------------------------------ erasure and merge
def test_erasing_a_person_removes_their_log_and_its_note(store):
    load(store, ("people.csv", PEOPLE))
    ids = _ids(store)
    store.log_action(ids["Ann Lee"], "sent_gift", note="flowers: zebra-canary-note", on=date(2024, 2, 1))
    store.log_action(ids["Bob Stone"], "called", note="talked about Ann Lee's team", on=date(2024, 2, 2))
    result = store.erase(ids["Ann Lee"])
    assert result["nurture_action"] == 1 and result["redacted"].get("nurture_action.note") == 1
    dump = repr(dump_tables(store))
    assert "zebra-canary-note" not in dump and "Ann Lee" not in dump
    assert [(r["name"], r["note"]) for r in store.nurture_log()] == [("Bob Stone", "talked about (name erased)'s team")]


def test_a_merge_moves_the_log_to_the_kept_person_and_its_undo_moves_it_back(store):
    load(store, ("people.csv", PEOPLE))
    ids = _ids(store)
    store.log_action(ids["Bob Stone"], "asked_intro", on=date(2024, 4, 2))
    store.log_action(ids["Ann Lee"], "thanked", on=date(2024, 4, 1))
    merged = store.merge(ids["Ann Lee"], ids["Bob Stone"])
    assert merged["moved"].get("nurture_action") == 1
    assert [(r["person_id"], r["action"]) for r in store.nurture_log()] == [
        (ids["Ann Lee"], "asked_intro"), (ids["Ann Lee"], "thanked")]
    assert "logged nurture action" in store.undo_preview(merged["merge_id"]).effect
    store.undo(merged["merge_id"])
    assert [(r["person_id"], r["action"]) for r in store.nurture_log()] == [
        (ids["Bob Stone"], "asked_intro"), (ids["Ann Lee"], "thanked")]


def test_undoing_the_import_that_added_a_person_says_their_logged_actions_go_too(store):
    report = load(store, ("people.csv", PEOPLE))
    ids = _ids(store)
    store.log_action(ids["Cy Park"], "called", on=date(2024, 4, 2))
    result = store.undo(report.files[0].import_id)
    assert result["nurture_action removed"] == 1 and store.nurture_log() == []


# ------------------------------------------------------------------ schema
@pytest.mark.parametrize("missing", [("nurture_action",), ("nurture_action", "ticket")],
                         ids=["with tickets", "schema 1"])
def test_a_database_without_the_table_gets_it_on_open(database_url, missing):
    """A schema-1 database (or one with tickets, of an earlier issue-15 netmap) has no
    ``nurture_action`` table: the next start creates it, without a migration."""
    store = Store(database_url)
    load(store, ("people.csv", PEOPLE))
    store.close()
    engine = create_engine(database_url, poolclass=NullPool)
    with engine.begin() as conn:
        for table in missing:
            conn.execute(text(f"DROP TABLE {table}"))
    with engine.connect() as conn:
        assert not set(missing) & set(inspect(conn).get_table_names())
    engine.dispose()
    store = Store(database_url)
    assert store.nurture_log() == []
    store.log_action(_ids(store)["Ann Lee"], "thanked", on=date(2024, 1, 2))
    assert len(store.nurture_log()) == 1
    store.close()


# ------------------------------------------------------------------ command line
def test_cli_logs_an_action_and_lists_the_log(store, capsys, tmp_path):
    from netmap.cli import main

    load(store, ("people.csv", PEOPLE))
    db = ["--db", store.url]
    assert main([*db, "log", "ann@acme.example", "--action", "fixed issue", "--note", "login bug",
                 "--on", "2024-05-02"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("logged for Ann Lee (#") and "fixed_issue on 2024-05-02: login bug (by local" in out
    assert main([*db, "log", "Bob Stone", "--action", "called", "--on", "2024-05-03"]) == 0
    capsys.readouterr()
    assert main([*db, "log", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "done_on,person_id,name,owner,action,note,logged_by"
    assert [line.split(",")[2] for line in lines[1:]] == ["Bob Stone", "Ann Lee"]
    assert main([*db, "log", "--person", "ann@acme.example", "--format", "json"]) == 0
    rows = __import__("json").loads(capsys.readouterr().out)
    assert [(r["name"], r["action"], r["note"]) for r in rows] == [("Ann Lee", "fixed_issue", "login bug")]
    assert main([*db, "log", "--owner", "Eli Moss", "--out", str(tmp_path / "log.csv")]) == 0
    assert (tmp_path / "log.csv").read_text().splitlines() == ["done_on,person_id,name,owner,action,note,logged_by"]
    assert "log" in {e["action"] for e in store.audit()}


@pytest.mark.parametrize("argv, message", [
    (["log", "Ann Lee", "--action", "hugged"], "'hugged' is not an action the nurture log knows"),
    (["log", "Ann Lee"], "say what was done with --action"),
    (["log", "--action", "called"], "say whom the action was for"),
    (["log", "Nobody Here", "--action", "called"], "no person matches 'Nobody Here'"),
    (["log", "Ann Lee", "--action", "called", "--on", "2024-13-01"], "is not a date"),
    (["log", "--owner", "Nobody"], "no account manager 'Nobody'"),
    (["outcomes"], "the nurture log is empty"),
])
def test_cli_refusals_name_the_fix_and_write_nothing(store, capsys, argv, message):
    from netmap.cli import main

    load(store, ("people.csv", PEOPLE))
    before = dump_tables(store)
    try:
        code = main(["--db", store.url, *argv])
    except SystemExit as exc:  # argparse's own refusals
        code = exc.code
    assert code != 0
    assert message in capsys.readouterr().err
    assert dump_tables(store) == before


def test_cli_outcomes_per_action_type(store, capsys):
    """Two waves of answers; people called between them, and the verdict is honest about how few."""
    from netmap.cli import main

    ids = _two_waves(store, lambda i: 9 if i <= 4 else 5 + (i % 3))
    for i in range(1, 5):
        store.log_action(ids[f"P{i} Doe"], "called", on=date(2024, 2, 1))
    assert main(["--db", store.url, "outcomes", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("action,label,nurtured,pairs,nurtured_change,comparison_change,difference,")
    called = dict(zip(lines[0].split(","), lines[1].split(",")))
    assert called["action"] == "called" and called["nurtured"] == "4" and called["pairs"] == "4"
    assert float(called["difference"]) > 0 and called["verdict"] == "too few to tell"
    assert main(["--db", store.url, "outcomes", "--format", "table", "--days", "30"]) == 0
    out = capsys.readouterr().out
    assert "called (called them): 4 people nurtured" in out and "too few to tell" in out


def test_outcomes_are_kept_until_the_log_or_the_data_changes(store, monkeypatch):
    """Asked twice, the table is read back (not measured again); a new log entry, a window of
    another length and an import each measure it afresh, and what is read back equals a fresh
    measurement."""
    import netmap.outcomes_report as report
    from netmap.analysis import measures

    ids = _two_waves(store, lambda i: 9 if i <= 4 else 6)
    state = store.log_state()
    store.log_action(ids["P1 Doe"], "called", on=date(2024, 2, 1))
    assert store.log_state() != state
    measured = []
    real = report.outcome_table
    monkeypatch.setattr(report, "outcome_table", lambda *a, **k: measured.append(1) or real(*a, **k))
    first = report.outcomes_of(store)
    again = report.outcomes_of(store)
    assert len(measured) == 1
    assert again.equals(first) and list(again.columns) == report.OUTCOME_COLUMNS
    fresh = real(store.nurture_actions(), store.answers(), store.referral_dates(), measures(store).people)
    assert again.to_csv(index=False) == fresh.to_csv(index=False)
    store.log_action(ids["P2 Doe"], "called", on=date(2024, 2, 2))  # the log grows: measured again
    assert int(report.outcomes_of(store).loc[0, "nurtured"]) == 2 and len(measured) == 2
    report.outcomes_of(store, days=30)
    assert len(measured) == 3
    load(store, ("more.csv", "Record ID,Name,Email\n99,New Doe,new@x.example\n"))  # the data changes
    report.outcomes_of(store, days=30)
    assert len(measured) == 4
    report.outcomes_of(store, days=30)
    assert len(measured) == 4


# ------------------------------------------------------------------ activities import
DATA = Path(__file__).parent / "data"
#: per fixture: (layout recognised, {(contact email, action, done_on, logged_by)}) worked out by hand
ACTIVITIES = {
    "hubspot_tasks.csv": ("HubSpot tasks", {
        ("ana.diaz@copperline.example", "thanked", "2024-05-06", "Alice Martin"),
        ("tomas@fjord.example", "sent_gift", "2024-05-09", "Bob Nguyen"),
        ("rafael.costa@brightwater.example", "fixed_issue", "2024-06-28", "Bob Nguyen"),
        ("grace.kim@acme-robotics.example", "asked_intro", "2024-06-03", "Bob Nguyen"),
        ("kwame.mensah@granitepeak.example", "other", "2024-06-12", "local:tester"),  # no owner: the importer
    }),
    "salesforce_tasks.csv": ("Salesforce activities", {
        ("ana.diaz@copperline.example", "called", "2024-05-14", "Alice Martin"),
        ("emma.dubois@ironbridge.example", "thanked", "2024-05-20", "Carla Reyes"),
        ("grace.kim@acme-robotics.example", "fixed_issue", "2024-06-04", "Carla Reyes"),
        ("noah.w@helios-solar.example", "sent_gift", "2024-06-18", "Bob Nguyen"),
    }),
    "salesforce_events.csv": ("Salesforce activities", {
        ("ana.diaz@copperline.example", "other", "2024-05-22", "Alice Martin"),
        ("tomas@fjord.example", "asked_intro", "2024-06-06", "Bob Nguyen"),
        ("emma.dubois@ironbridge.example", "called", "2024-06-13", "Carla Reyes"),
    }),
}


def _logged(store) -> set[tuple]:
    email = {p.id: p.email for p in store.load_dataset().people}
    return {(email[r["person_id"]], r["action"], r["done_on"].isoformat(), r["logged_by"])
            for r in store.nurture_log()}


def _contacts(store):
    from netmap.ingest.importer import import_paths

    import_paths(store, [DATA / "exports" / "hubspot_contacts.csv"])


@pytest.mark.parametrize("name", sorted(ACTIVITIES))
def test_an_activities_export_becomes_nurture_actions_idempotent_and_undoable(store, name):
    from netmap.ingest.importer import import_paths

    _contacts(store)
    people = store.summary()["people"]
    layout, expected = ACTIVITIES[name]
    report = import_paths(store, [DATA / "activities" / name], actor="local:tester")
    (result,) = report.files
    assert result.kind == "activities" and layout in result.reading
    assert _logged(store) == expected
    assert store.summary()["people"] == people  # every contact was known (by email)
    assert {r["source"] for r in store.nurture_log()} == {layout}
    if name != "salesforce_events.csv":
        assert any("not done yet" in w.message for w in report.warnings)  # the open task left out
    before = {t: rows for t, rows in dump_tables(store).items() if t not in ("import_log", "audit", "meta")}
    again = import_paths(store, [DATA / "activities" / name], actor="local:someone-else")
    assert not any(again.files[0].added.values()) and not any(again.files[0].updated.values())
    after = {t: rows for t, rows in dump_tables(store).items() if t not in ("import_log", "audit", "meta")}
    assert after == before  # the same export again changes nothing (logged_by included)
    store.undo(again.files[0].import_id)
    assert _logged(store) == expected
    store.undo(result.import_id)
    assert store.nurture_log() == []


def test_a_later_export_updates_an_activity_and_undo_puts_it_back(store):
    from netmap.ingest.importer import import_files

    _contacts(store)
    first = "Task ID,Task Title,Task Type,Completed At,Associated Contact,Assigned to\n" \
            "9001,Check-in,CALL,2024-05-02,ana.diaz@copperline.example,Alice Martin\n"
    later = first.replace("Check-in,CALL", "Sent flowers as a thank-you gift,TODO")
    import_files(store, [("tasks.csv", first.encode())])
    assert [(r["action"], r["note"]) for r in store.nurture_log()] == [("called", "Check-in")]
    report = import_files(store, [("tasks.csv", later.encode())])
    assert report.files[0].updated == {"nurture_actions": 1}
    assert [(r["action"], r["note"]) for r in store.nurture_log()] == [("sent_gift", "Sent flowers as a thank-you gift")]
    store.undo(report.files[0].import_id)
    assert [(r["action"], r["note"]) for r in store.nurture_log()] == [("called", "Check-in")]


def test_an_activity_without_a_date_or_contact_is_refused(store):
    from netmap.errors import ImportRefused
    from netmap.ingest.importer import ImportOptions, import_files

    _contacts(store)
    bad = ("Task ID,Task Title,Completed At,Associated Contact\n"
           "1,Call,,ana.diaz@copperline.example\n2,Call,2024-05-02,\n3,Call,2024-05-02,ana.diaz@copperline.example\n"
           "3,Call again,2024-05-03,ana.diaz@copperline.example\n")
    with pytest.raises(ImportRefused) as refused:
        import_files(store, [("tasks.csv", bad.encode())], ImportOptions(kind="activities"))
    text = str(refused.value)
    assert "tasks.csv:2:Completed At: no date in this row" in text
    assert "tasks.csv:3:: no contact in this row" in text
    assert "activity '3' appears twice, in rows 4 and 5" in text
    assert store.nurture_log() == []
