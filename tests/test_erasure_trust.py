"""Erasure, second pass (issue 16, point 1): erase exactly the right person, and all of them.

Red-team cases seen on the README's server: a CRM-id match that won over an email or a
name deleted a bystander; the erased person's name survived in other people's fields; the
success line was printed with copies still in the database's files.
"""

from __future__ import annotations

import sqlite3
import textwrap
from pathlib import Path

import pytest

import netmap.storage.erasure as erasure_mod
from netmap import AmbiguousPerson, Store
from netmap.cli import main
from netmap.errors import ErasureIncomplete

from .conftest import dump_tables, load

# Alice is alice@x.example; Bob's CRM id is her email; Carol's CRM id is Alice's full name.
BYSTANDERS = (
    "Record ID,First Name,Last Name,Email,Associated Company\n"
    "A-1,Alice,Target,alice@x.example,Acme\n"
    "alice@x.example,Bob,Bystander,bob@y.example,Beta\n"
    "Alice Target,Carol,Bystander,carol@z.example,Gamma\n"
)


def _people(store) -> dict[int, str]:
    return {p.id: p.name for p in store.load_dataset().people}


@pytest.mark.parametrize("who", ["alice@x.example", "Alice Target"])
def test_a_who_that_names_two_people_erases_nobody_and_lists_them(store, capsys, who):
    load(store, ("people.csv", BYSTANDERS))
    before = _people(store)
    code = main(["--db", store.url, "erase", who])
    err = capsys.readouterr().err
    assert code == 1
    assert "names 2 people" in err and "Alice Target" in err and "Bystander" in err
    assert ("by email" in err and "by CRM id" in err) or ("by name" in err and "by CRM id" in err)
    assert _people(store) == before  # nobody erased


def test_erase_by_netmap_id_or_a_unique_key_hits_exactly_that_person(store, capsys):
    load(store, ("people.csv", BYSTANDERS))
    ids = {name: pid for pid, name in _people(store).items()}
    assert main(["--db", store.url, "erase", f"#{ids['Alice Target']}"]) == 0
    assert "erased person #" in capsys.readouterr().out
    assert sorted(_people(store).values()) == ["Bob Bystander", "Carol Bystander"]
    assert main(["--db", store.url, "erase", "carol@z.example"]) == 0  # unique: her email only
    assert sorted(_people(store).values()) == ["Bob Bystander"]


def test_library_erase_refuses_an_ambiguous_who(store):
    load(store, ("people.csv", BYSTANDERS))
    with pytest.raises(AmbiguousPerson, match="names 2 people"):
        store.erase(store.resolve_one("alice@x.example"))
    assert len(_people(store)) == 3


NAMED_ELSEWHERE = (
    ("people.csv",
     "Record ID,First Name,Last Name,Email,Contact owner,Associated Company,Industry,City\n"
     "1,Ann,Lee,ann@acme.example,Maria,Acme,Fintech,Berlin\n"
     "2,Bo,Chen,bo@acme.example,Ann Lee,Ann Lee Consulting,Advice from ann@acme.example,Ann Lee's town\n"
     "3,Cy,Dunn,cy@beta.example,Ann Lee,Beta,Retail,Lyon\n"),
    ("relationships.csv",
     "Person A,Person B,Relationship\nbo@acme.example,cy@beta.example,introduced by Ann Lee\n"),
    ("referrals.csv",
     "Referrer Email,Referred Email,Status\nbo@acme.example,cy@beta.example,via ann@acme.example\n"),
)


def test_erasure_redacts_the_name_and_email_wherever_stored_text_spells_them(store, capsys):
    load(store, *NAMED_ELSEWHERE)
    assert "Ann Lee" in repr(dump_tables(store))
    code = main(["--db", store.url, "erase", "ann@acme.example"])
    out = capsys.readouterr().out
    assert code == 0
    text = repr(dump_tables(store))
    left = [c for c in ("Ann Lee", "ann@acme.example") if c.lower() in text.lower()]
    assert left == [], left
    # the report says how many were redacted where
    assert "redacted in" in out
    for where in ("person.owner 2", "person.company 1", "person.segment 1", "person.region 1",
                  "relationship.kind 1", "referral.status 1"):
        assert where in out, (where, out)
    # the others keep everything that did not spell her
    bo = next(p for p in store.load_dataset().people if p.name == "Bo Chen")
    assert bo.owner == "(name erased)" and bo.company == "(name erased) Consulting"


@pytest.mark.sqlite_only
def test_erase_does_not_claim_success_while_a_reader_holds_the_old_rows(tmp_path, monkeypatch, capsys):
    db = tmp_path / "netmap.db"
    url = f"sqlite:///{db}"
    store = Store(url)
    load(store, *NAMED_ELSEWHERE)
    monkeypatch.setattr(erasure_mod, "_SQLITE_WIPE_WAIT", 0.5)
    reader = sqlite3.connect(db)
    reader.execute("BEGIN")
    reader.execute("SELECT name FROM person").fetchall()  # an older snapshot, held open
    with pytest.raises(ErasureIncomplete, match="still reading an older snapshot.*python -m netmap wipe"):
        store.erase(store.resolve_one("ann@acme.example"))
    reader.rollback()
    reader.close()
    assert main(["--db", url, "wipe"]) == 0
    store.close()
    raw = b"".join(p.read_bytes() for p in Path(tmp_path).glob("netmap.db*"))
    assert b"ann@acme.example" not in raw and b"Ann Lee" not in raw


_KILL_ERASE = textwrap.dedent(
    """
    import sys, time
    import netmap.storage.store
    from netmap import Store

    url, who, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    store = Store(url)
    real_bump, real_wipe = netmap.storage.store.Store._bump, netmap.storage.store.Store.wipe_free_space

    def bump(self, conn):
        real_bump(self, conn)
        print("WRITING", flush=True)  # inside the erasure's transaction, every row deleted
        if mode == "in-transaction":
            time.sleep(60)

    def wipe(self, **kw):
        print("WIPING", flush=True)  # committed; the file not yet rewritten
        if mode == "before-wipe":
            time.sleep(60)
        real_wipe(self, **kw)

    netmap.storage.store.Store._bump, netmap.storage.store.Store.wipe_free_space = bump, wipe
    store.erase(store.resolve_one(who))
    print("DONE", flush=True)
    """
)


@pytest.mark.parametrize("mode,delay", [("in-transaction", 0.0), ("before-wipe", 0.0), ("run", 0.0), ("run", 0.02)])
def test_killed_mid_erasure_leaves_all_or_nothing(database_url, mode, delay, capsys):
    """kill -9 during an erasure: the person is either all there or all gone, never half,
    and the database is sound; a wipe afterwards finishes what the kill interrupted."""
    import os
    import signal
    import subprocess
    import sys
    import time

    from .conftest import check_integrity

    store = Store(database_url)
    load(store, *NAMED_ELSEWHERE)
    before = dump_tables(store)
    store.close()
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": str(root) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen([sys.executable, "-c", _KILL_ERASE, database_url, "ann@acme.example", mode],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=str(root))
    try:
        seen = []
        deadline = time.monotonic() + 60
        wanted = {"in-transaction": "WRITING", "before-wipe": "WIPING"}.get(mode, "WRITING")
        while time.monotonic() < deadline:
            line = proc.stdout.readline().decode().strip()
            seen.append(line)
            if line in (wanted, "DONE") or not line:
                break
        assert wanted in seen or "DONE" in seen, (seen, proc.stderr.read().decode()[-2000:])
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()
    check_integrity(database_url)
    store = Store(database_url)
    try:
        after = dump_tables(store)
        names = {p.name for p in store.load_dataset().people}
        if "Ann Lee" in names:  # not committed: exactly as before
            assert after == before
        else:  # committed: every trace of her gone from the tables, whatever the kill interrupted
            assert "ann@acme.example" not in repr(after).lower() and "ann lee" not in repr(after).lower()
            store.wipe_free_space()
        outcome = "kept whole" if "Ann Lee" in names else "erased whole"
    finally:
        store.close()
    KILLS.append(outcome)
    if len(KILLS) == 4:
        with capsys.disabled():
            print(f"\n{len(KILLS)} kills during erasure: 0 corrupt, 0 partial "
                  f"({KILLS.count('erased whole')} erased whole, {KILLS.count('kept whole')} kept whole)")


KILLS: list[str] = []
