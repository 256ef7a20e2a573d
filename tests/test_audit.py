"""The audit log: one entry per change, in the change's own transaction, no
personal data, and a database that refuses to change or delete an entry."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import delete, inspect, text, update
from sqlalchemy.exc import DBAPIError

from netmap import ImportRefused, Store, UndoRefused, commit, import_files, import_paths, prepare
from netmap.storage import audit
from netmap.config import local_actor
from netmap.storage.audit import AUDIT

from .conftest import load, snapshot, stored_strings

PEOPLE = (
    "Record ID,First Name,Last Name,Email,Company,Lifecycle Stage\n"
    "1,Ann,Lee,ann@acme.com,Acme,customer\n"
    "2,Cleo,Quartz,cleo.quartz@zeta.io,Zeta Canary GmbH,customer\n"
    "3,Bo,Chen,bo@acme.com,Acme,prospect\n"
)
SURVEY = "Response ID,Email,Score,Date,Comment\nr1,cleo.quartz@zeta.io,9,2024-01-01,Zyxwvut canary comment\n"
RELS = "Person A,Person B,Relationship\ncleo.quartz@zeta.io,ann@acme.com,knows\n"
CANARIES = ["Cleo", "Quartz", "cleo.quartz@zeta.io", "Zeta Canary", "Zyxwvut"]


def test_import_is_audited_with_counts_and_the_local_user_by_default(store):
    report = load(store, ("people.csv", PEOPLE), ("survey.csv", SURVEY))
    [entry] = store.audit()
    ids = [f.import_id for f in report.files]
    assert entry["action"] == "import" and entry["actor"] == local_actor()
    assert entry["actor"].startswith("local")
    assert entry["target"] == f"imports #{ids[0]}, #{ids[1]}"
    assert entry["counts"]["files"] == 2 and entry["counts"]["rows_read"] == 4
    assert entry["counts"]["added"] == {"people": 3, "feedback": 1}
    assert entry["at"].tzinfo is not None and entry["at"].utcoffset() == timedelta(0)
    assert abs(datetime.now(timezone.utc) - entry["at"]) < timedelta(minutes=5)


def test_every_import_entry_point_records_the_actor(store, tmp_path):
    commit(store, prepare([("a.csv", b"Email,Name\na@x.com,A\n")]), actor="one@team.test")
    import_files(store, [("b.csv", b"Email,Name\nb@x.com,B\n")], actor="two@team.test")
    path = tmp_path / "c.csv"
    path.write_bytes(b"Email,Name\nc@x.com,C\n")
    import_paths(store, [path], actor="three@team.test")
    assert [e["actor"] for e in store.audit()] == ["three@team.test", "two@team.test", "one@team.test"]


def test_a_dry_run_or_a_refused_import_leaves_no_entry(store):
    load(store, ("people.csv", PEOPLE), dry_run=True)
    with pytest.raises(ImportRefused):
        load(store, ("survey.csv", "Email,Score\nann@acme.com,11\n"))
    with pytest.raises(ImportRefused):  # refused while matching people, inside the write transaction
        load(store, ("people.csv", "Email,Name,Company\nx@a.com,Same Name,\ny@a.com,Same Name,\n"),
             ("r.csv", "Referrer,Referred Email\nSame Name,x@a.com\n"))
    assert store.audit() == []
    assert snapshot(store)["log"] == 0


def test_the_entry_shares_the_change_s_transaction(store, monkeypatch):
    """Written, then the transaction fails: the import and its entry are gone together."""
    real = audit.record
    seen: list[int] = []

    def record_then_fail(conn, *args, **kwargs):
        real(conn, *args, **kwargs)
        seen.append(conn.execute(text("SELECT count(*) FROM audit")).scalar_one())
        raise RuntimeError("the disk is full")

    before = snapshot(store)
    monkeypatch.setattr(audit, "record", record_then_fail)
    with pytest.raises(RuntimeError):
        load(store, ("people.csv", PEOPLE))
    monkeypatch.setattr(audit, "record", real)
    assert seen == [1]  # written inside the transaction ...
    assert store.audit() == [] and snapshot(store) == before  # ... and rolled back with the import

    load(store, ("people.csv", PEOPLE))
    before = snapshot(store)
    monkeypatch.setattr(audit, "record", record_then_fail)
    with pytest.raises(RuntimeError):
        store.erase(store.resolve_one("ann@acme.com"))
    with pytest.raises(RuntimeError):
        store.undo(store.imports()[0]["id"])
    monkeypatch.setattr(audit, "record", real)
    assert seen == [1, 2, 2]
    assert snapshot(store) == before and [e["action"] for e in store.audit()] == ["import"]
    assert store.find_person("ann@acme.com")


def test_undo_is_audited_and_a_refused_undo_is_not(store):
    load(store, ("people.csv", PEOPLE))
    [imp] = store.imports()
    result = store.undo(imp["id"], actor="admin@team.test")
    entry = store.audit()[0]
    assert entry["action"] == "undo" and entry["actor"] == "admin@team.test"
    assert entry["target"] == f"import #{imp['id']}"
    assert entry["counts"] == {k: v for k, v in result.items() if k not in ("import_id", "file_name")}
    assert entry["counts"]["person removed"] == 3
    with pytest.raises(UndoRefused):
        store.undo(imp["id"], actor="admin@team.test")
    assert [e["action"] for e in store.audit()] == ["undo", "import"]


def test_erase_is_audited_and_leaves_nothing_of_the_person_in_the_log(store):
    load(store, ("people.csv", PEOPLE), ("survey.csv", SURVEY), ("rels.csv", RELS))
    pid = store.find_person("cleo.quartz@zeta.io")
    result = store.erase(store.resolve_one("cleo.quartz@zeta.io"), actor="admin@team.test")
    entry = store.audit()[0]
    assert entry["action"] == "erase" and entry["actor"] == "admin@team.test"
    assert entry["target"] == f"person #{pid}"
    assert entry["counts"] == {k: v for k, v in result.items() if k not in ("person_id", "redacted")}
    assert entry["counts"]["feedback"] == 1 and entry["counts"]["relationship"] == 1
    logged = " ".join(stored_strings(store, ("audit",)))
    assert [c for c in CANARIES if c.casefold() in logged.casefold()] == []
    assert [c for c in CANARIES if c in " ".join(stored_strings(store))] == []  # nor anywhere else


def test_the_database_refuses_to_change_or_delete_an_entry(store):
    load(store, ("people.csv", PEOPLE))
    before = store.audit()
    attempts = [
        update(AUDIT).values(actor="someone-else"),
        update(AUDIT).where(AUDIT.c.action == "import").values(counts="{}"),
        delete(AUDIT),
        delete(AUDIT).where(AUDIT.c.id == before[0]["id"]),
    ]
    if store.engine.dialect.name == "postgresql":
        attempts.append(text("TRUNCATE audit"))
    for statement in attempts:
        with pytest.raises(DBAPIError, match="append-only"):
            with store.engine.begin() as conn:
                conn.execute(statement)
    assert store.audit() == before


def test_the_triggers_are_idempotent_and_come_back_with_the_table(database_url):
    for _ in range(2):  # every start installs them; the second finds them in place
        Store(database_url).close()
    s = Store(database_url)
    load(s, ("people.csv", PEOPLE))
    with s.engine.begin() as conn:  # an old database without the log (a table can be dropped: triggers go with it)
        conn.execute(text("DROP TABLE audit"))
    s.close()
    s = Store(database_url)
    try:
        assert "audit" in inspect(s.engine).get_table_names() and s.audit() == []
        s.undo(s.imports()[0]["id"], actor="a@team.test")
        with pytest.raises(DBAPIError, match="append-only"):
            with s.engine.begin() as conn:
                conn.execute(delete(AUDIT))
        assert len(s.audit()) == 1
        with s.engine.begin() as conn:  # one trigger dropped by hand: the next start puts it back
            conn.execute(text("DROP TRIGGER audit_no_delete" if s.is_sqlite
                              else "DROP TRIGGER audit_no_update_delete ON audit"))
    finally:
        s.close()
    s = Store(database_url)
    try:
        with pytest.raises(DBAPIError, match="append-only"):
            with s.engine.begin() as conn:
                conn.execute(delete(AUDIT))
    finally:
        s.close()


def test_entries_newest_first_with_filters(store):
    load(store, ("a.csv", "Email,Name\na@x.com,A\n"))
    load(store, ("b.csv", "Email,Name\nb@x.com,B\n"))
    store.undo(store.imports()[0]["id"])
    store.erase(store.resolve_one("a@x.com"))
    log = store.audit()
    assert [e["action"] for e in log] == ["erase", "undo", "import", "import"]
    assert [e["id"] for e in log] == sorted((e["id"] for e in log), reverse=True)
    assert all(log[i]["at"] >= log[i + 1]["at"] for i in range(len(log) - 1))
    assert [e["action"] for e in store.audit(limit=2)] == ["erase", "undo"]
    assert [e["target"] for e in store.audit(action="import")] == ["import #2", "import #1"]
    assert audit.entries(store.engine) == log


def test_counts_are_numbers_and_actions_are_known(store):
    for counts, action, error in (({"name": "Ann Lee"}, "erase", TypeError), ({"n": 1}, "rename", ValueError),
                                  ({"nested": {"email": "a@x.com"}}, "import", TypeError)):
        with pytest.raises(error):
            with store.writing() as conn:
                audit.record(conn, "x@team.test", action, "person #1", counts)
    assert store.audit() == []


def test_the_cli_records_its_changes_as_the_local_user(database_url, tmp_path):
    from netmap.cli import main

    path = tmp_path / "people.csv"
    path.write_text(PEOPLE, encoding="utf-8")
    assert main(["--db", database_url, "import", str(path)]) == 0
    assert main(["--db", database_url, "erase", "bo@acme.com"]) == 0
    s = Store(database_url)
    try:
        log = s.audit()
    finally:
        s.close()
    assert [(e["action"], e["actor"]) for e in log] == [("erase", local_actor()), ("import", local_actor())]
