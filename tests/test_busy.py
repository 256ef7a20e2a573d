"""A busy database (issue 16, point 4): reads never wait for the write lock, and a writer
that waits too long says so in one line instead of a traceback (CLI exit 1)."""

from __future__ import annotations

import sqlite3
import threading
import time

import pytest

import netmap.storage.engine as engine_mod
from netmap import Store, import_paths
from netmap.analysis import measures_stored
from netmap.cli import main, sample_files

PEOPLE = "Email,Name,Company\nnew.person@x.example,New Person,X\n"


@pytest.fixture
def locked_sqlite(tmp_path):
    """A SQLite database with the sample company, and a function that holds its write
    lock from another connection (as a long import would) until released."""
    db = tmp_path / "netmap.db"
    store = Store(f"sqlite:///{db}")
    import_paths(store, sample_files())
    store.close()
    held = []

    def hold():
        conn = sqlite3.connect(db, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")  # the write lock, held
        held.append(conn)

    yield f"sqlite:///{db}", hold
    for conn in held:
        conn.rollback()
        conn.close()


@pytest.mark.sqlite_only
def test_reads_answer_while_another_writer_holds_the_lock(locked_sqlite, capsys, monkeypatch):
    url, hold = locked_sqlite
    monkeypatch.setattr(engine_mod, "BUSY_TIMEOUT_MS", 1_000)  # a writer would give up after 1 s
    hold()
    started = time.monotonic()
    for command in (["summary"], ["nurture", "--top", "3"], ["bridges", "--top", "3"], ["plan", "--k", "2"]):
        code = main(["--db", url, *command])
        out, err = capsys.readouterr()
        assert code == 0, (command, err)
        assert out.strip() and "Traceback" not in err
    took = time.monotonic() - started
    # the measures were computed but could not be kept while the lock was held: nobody waited for it
    assert not measures_stored(Store(url))
    assert took < 30  # four answers, none of which waited out a 30 s busy timeout
    print(f"busy database: 4 reads answered in {took:.1f} s while a writer held the lock, 0 waited for it")


@pytest.mark.sqlite_only
def test_a_writer_that_waits_too_long_gets_one_line_and_exit_1(locked_sqlite, tmp_path, capsys, monkeypatch):
    url, hold = locked_sqlite
    monkeypatch.setattr(engine_mod, "BUSY_TIMEOUT_MS", 500)
    path = tmp_path / "more.csv"
    path.write_text(PEOPLE)
    hold()
    code = main(["--db", url, "import", str(path)])
    err = capsys.readouterr().err
    assert code == 1
    assert err.count("\n") == 1 and err.startswith("netmap: the database is busy") and "nothing was changed" in err


def test_a_busy_writer_on_any_backend_raises_database_busy(store, tmp_path, monkeypatch):
    """Two writers: the second waits, then gets DatabaseBusy (SQLite and PostgreSQL)."""
    from netmap.errors import DatabaseBusy

    monkeypatch.setattr(engine_mod, "BUSY_TIMEOUT_MS", 500)
    entered, release = threading.Event(), threading.Event()

    def first():
        with store.writing():
            entered.set()
            release.wait(10)

    t = threading.Thread(target=first)
    t.start()
    try:
        assert entered.wait(10)
        other = Store(store.url)
        try:
            with pytest.raises(DatabaseBusy, match="nothing was changed"):
                with other.writing():
                    pass
            assert other.cache("summary/test", b"1", other.data_version()) is False  # a read's cache: skipped, not waited
        finally:
            other.close()
    finally:
        release.set()
        t.join()
