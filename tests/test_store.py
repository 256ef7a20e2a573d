"""Storage: idempotent re-import, updates, undo, erasure down to the bytes, concurrency.

Every test runs on the backend under test (``NETMAP_TEST_BACKEND``); the ones
marked ``sqlite_only`` look at the SQLite file itself."""

from __future__ import annotations

import threading
from datetime import datetime
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netmap import ImportRefused, Store, UndoRefused, UnknownPerson, AmbiguousPerson, import_paths
from netmap.cli import sample_files

from .conftest import check_integrity, dump_tables, load, snapshot

PEOPLE = (
    "Record ID,First Name,Last Name,Email,Contact owner,Lifecycle Stage,Associated Company,Referred by,"
    "Last NPS survey rating,Last NPS survey date,Last NPS survey comment\n"
    "1,Ann,Lee,ann@acme.com,Maria,customer,Acme,,9,2025-06-01,Great\n"
    "2,Bob,Stone,bob@acme.com,Maria,lead,Acme,ann@acme.com,,,\n"
    "3,Cleo,Quartz,cleo.quartz@zeta.io,Tom,customer,Zeta,,4,2025-07-01,Zyxwvut canary comment\n"
)
MEETINGS = "Meeting ID,Meeting name,Meeting date,Attendee email\nM1,Lunch with Cleo Quartz,2025-09-01,cleo.quartz@zeta.io\nM1,Lunch with Cleo Quartz,2025-09-01,ann@acme.com\n"
RELS = "Person A,Person B,Relationship,Strength\ncleo.quartz@zeta.io,bob@acme.com,knows,3\n"


def test_reimport_of_the_sample_changes_nothing(store):
    files = sample_files()
    first = import_paths(store, files)
    assert sum(f.total_added if hasattr(f, "total_added") else sum(f.added.values()) for f in first.files) > 0
    before = snapshot(store)
    again = import_paths(store, files)
    assert all(not f.added and not f.updated for f in again.files)
    after = snapshot(store)
    assert {k: v for k, v in after.items() if k not in ("log", "imports")} == {
        k: v for k, v in before.items() if k not in ("log", "imports")
    }
    assert after["data_version"] == before["data_version"]


def test_known_id_changed_fields_are_updated(store):
    load(store, ("p.csv", PEOPLE))
    report = load(store, ("p2.csv", "Record ID,Contact owner,Lifecycle Stage,Email\n2,Kim,customer,\n"))
    assert report.files[0].updated == {"people": 1}
    bob = next(p for p in store.load_dataset().people if p.crm_id == "2")
    assert (bob.owner, bob.stage, bob.email) == ("Kim", "customer", "bob@acme.com")  # blank cells change nothing


def test_undo_restores_exactly(store):
    load(store, ("p.csv", PEOPLE))
    before = store.load_dataset()
    report = load(store, ("p2.csv", "Record ID,Contact owner,Email\n2,Kim,\n4,New,new@x.com\n"))
    store.undo(report.files[0].import_id)
    after = store.load_dataset()
    assert after.people == before.people and after.feedback == before.feedback


def test_undo_everything_leaves_an_empty_network(store):
    report = import_paths(store, sample_files())
    for f in sorted(report.files, key=lambda f: -f.import_id):
        store.undo(f.import_id)
    s = store.summary()
    assert (s["people"], s["ties"], s["feedback"], s["interactions"], s["reviews"]) == (0, 0, 0, 0, 0)


def test_undo_refused_while_a_later_import_builds_on_it(store):
    first = load(store, ("p.csv", PEOPLE))
    second = load(store, ("r.csv", RELS))
    with pytest.raises(UndoRefused, match=f"#{second.files[0].import_id}"):
        store.undo(first.files[0].import_id)
    assert store.has_people()
    store.undo(second.files[0].import_id)
    store.undo(first.files[0].import_id)
    assert store.summary()["people"] == 0 and not store.has_people()
    with pytest.raises(UndoRefused, match="already undone"):
        store.undo(first.files[0].import_id)


def test_noop_reimport_does_not_block_undo(store):
    first = load(store, ("p.csv", PEOPLE))
    load(store, ("p.csv", PEOPLE))
    store.undo(first.files[0].import_id)
    assert store.summary()["people"] == 0


def test_dry_run_writes_nothing(store):
    before = snapshot(store)
    report = load(store, ("p.csv", PEOPLE), dry_run=True)
    assert report.dry_run and report.files[0].added["people"] == 3
    assert snapshot(store) == before


def test_refused_file_in_a_batch_writes_nothing(store):
    before = snapshot(store)
    with pytest.raises(ImportRefused):
        load(store, ("p.csv", PEOPLE), ("bad.csv", "Email,Score\nann@acme.com,11\n"))
    assert snapshot(store) == before


def _file_bytes(path: Path) -> bytes:
    data = b""
    for suffix in ("", "-wal", "-shm", "-journal"):
        p = Path(str(path) + suffix)
        if p.exists():
            data += p.read_bytes()
    return data


@pytest.mark.parametrize("who", ["3", "cleo.quartz@zeta.io", "Cleo Quartz"])
def test_erase_leaves_no_trace_in_any_table(store, who):
    load(store, ("p.csv", PEOPLE), ("m.csv", MEETINGS), ("r.csv", RELS))
    load(store, ("p2.csv", "Record ID,Contact owner\n3,Quentin Quill\n"))  # an update: the journal holds the old value
    canaries = ["Cleo", "Quartz", "cleo.quartz@zeta.io", "Zyxwvut canary", "Quentin Quill"]

    def left() -> list[str]:
        text = repr(dump_tables(store))
        return [c for c in canaries if c in text]

    assert left() == canaries
    result = store.erase(store.resolve_one(who))
    assert result["feedback"] == 1 and result["relationship"] == 1 and result["participation"] == 1
    assert left() == []
    s = store.summary()
    assert s["people"] == 2 and s["feedback"] == 1 and s["relationships"] == 0
    with pytest.raises(UnknownPerson):
        store.find_person("cleo.quartz@zeta.io")


@pytest.mark.sqlite_only
@pytest.mark.parametrize("who", ["3", "cleo.quartz@zeta.io", "Cleo Quartz"])
def test_erase_leaves_no_byte_of_the_person(tmp_path, who):
    db = tmp_path / "netmap.db"
    store = Store(f"sqlite:///{db}")
    load(store, ("p.csv", PEOPLE), ("m.csv", MEETINGS), ("r.csv", RELS))
    load(store, ("p2.csv", "Record ID,Contact owner\n3,Quentin Quill\n"))  # an update: the journal holds the old value
    raw = _file_bytes(db)
    canaries = [b"Cleo", b"Quartz", b"cleo.quartz@zeta.io", b"Zyxwvut canary"]
    assert all(c in raw for c in canaries)
    result = store.erase(store.resolve_one(who))
    assert result["feedback"] == 1 and result["relationship"] == 1 and result["participation"] == 1
    store.close()
    raw = _file_bytes(db)
    left = [c for c in canaries if c in raw or c.decode().encode("utf-16-le") in raw]
    assert left == []
    again = Store(f"sqlite:///{db}")
    s = again.summary()
    assert s["people"] == 2 and s["feedback"] == 1 and s["relationships"] == 0
    with pytest.raises(UnknownPerson):
        again.find_person("cleo.quartz@zeta.io")
    again.close()


def test_erase_takes_an_id_never_a_name(store):
    """Erasure is by person id: a name can be someone else's too. A WHO is resolved first,
    and resolving refuses one that names nobody or several people."""
    load(store, ("p.csv", PEOPLE + "4,Ann,Lee,ann2@x.com,Maria,lead,X,,,,\n"))
    before = store.summary()["people"]
    with pytest.raises(UnknownPerson):
        store.resolve_one("nobody@nowhere.com")
    with pytest.raises(AmbiguousPerson):
        store.resolve_one("Ann Lee")
    for not_an_id in ("Ann Lee", "ann2@x.com", "4", True):
        with pytest.raises(TypeError, match="person id"):
            store.erase(not_an_id)
    with pytest.raises(UnknownPerson):
        store.erase(999_999)
    assert store.summary()["people"] == before
    store.erase(store.resolve_one("ann2@x.com"))
    assert store.summary()["people"] == before - 1


@pytest.mark.sqlite_only
def test_schema_uses_cascades_and_secure_delete(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'netmap.db'}")
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    store.close()


def test_two_imports_at_once_and_reads_meanwhile(database_url):
    """Two writers and a reader in parallel: imports serialise, nothing fails or is lost."""
    url = database_url
    a = "\n".join(["Email,Name,Company"] + [f"a{i}@x.com,A {i},X" for i in range(800)]) + "\n"
    b = "\n".join(["Email,Name,Company"] + [f"b{i}@y.com,B {i},Y" for i in range(800)]) + "\n"
    errors: list[BaseException] = []
    stop = threading.Event()

    def writer(name, text):
        s = Store(url)
        try:
            load(s, (name, text))
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)
        finally:
            s.close()

    def reader():
        s = Store(url)
        try:
            while not stop.is_set():
                s.summary()
        except BaseException as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            s.close()

    Store(url).close()
    threads = [threading.Thread(target=writer, args=("a.csv", a)), threading.Thread(target=writer, args=("b.csv", b))]
    r = threading.Thread(target=reader)
    r.start()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    stop.set()
    r.join()
    assert errors == []
    s = Store(url)
    assert s.summary()["people"] == 1600
    assert len(s.imports()) == 2
    s.close()
    check_integrity(url)


_PERSON_ROW = st.fixed_dictionaries({
    "crm_id": st.none() | st.text(max_size=8), "email": st.none() | st.text(max_size=8),
    "name": st.none() | st.text(max_size=12), "company": st.none() | st.text(max_size=8),
    "created": st.none() | st.dates(), "listed": st.booleans(),
})


@settings(max_examples=60, deadline=None)
@given(people=st.lists(_PERSON_ROW, min_size=1, max_size=8), listed_given=st.booleans(), imported=st.datetimes(min_value=datetime(1970, 1, 2), max_value=datetime(2100, 1, 1),
                                                                         timezones=st.timezones()),
       strength=st.none() | st.floats(allow_nan=False), since=st.none() | st.dates())
def test_bulk_inserts_store_exactly_what_sqlalchemy_stores(people, listed_given, imported, strength, since):
    """store._insert_many (SQLite: compiled once, rows to the driver as tuples) against
    SQLAlchemy's own executemany: the same bytes in every column, defaults included
    (person.listed given or not, import_log's counts, relationship.kind)."""
    from sqlalchemy import create_engine, insert

    from netmap.storage import tables
    from netmap.storage.writer import _insert_many

    rows = {
        "person": [{"id": i, **{k: v for k, v in p.items() if listed_given or k != "listed"}}
                   for i, p in enumerate(people, 1)],
        "import_log": [{"id": 1, "batch": "b", "file_name": "f", "sheet": None, "content_sha256": "h", "kind": "people",
                        "mapping_json": "{}", "created_at": imported, "undone_at": None}],
        "relationship": [{"id": 1, "a_id": 1, "b_id": 1, "strength": strength, "since": since}],
    }
    stored = []
    for write in (lambda c, t, r: c.execute(insert(t), r), _insert_many):
        engine = create_engine("sqlite://")
        tables.metadata.create_all(engine)
        with engine.begin() as conn:
            for name, table_rows in rows.items():
                write(conn, tables.metadata.tables[name], table_rows)
            stored.append({name: conn.exec_driver_sql(f"SELECT * FROM {name}").all() for name in rows})
        engine.dispose()
    assert stored[0] == stored[1]
