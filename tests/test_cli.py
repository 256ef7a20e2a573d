"""The command line: names, exit codes and output other tools rely on."""

from __future__ import annotations

import re
import csv
import io
import json
import os
import subprocess
import sys

import pytest

from netmap.cli import build_parser, main
from netmap.config import SAMPLE_DIR

from .conftest import ROOT


@pytest.fixture
def db(database_url):
    return database_url


def run(db, *args, input_files=None):
    """Run ``python -m netmap`` in a real process (as scripts do)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("NETMAP_DEBUG", None)
    env.pop("PYTHONUNBUFFERED", None)  # output buffered, as in a user's script
    return subprocess.run(
        [sys.executable, "-m", "netmap", "--db", db, *args], capture_output=True, text=True, env=env, cwd=ROOT, timeout=120
    )


def test_every_contract_command_exists():
    sub = next(a for a in build_parser()._actions if a.dest == "command")
    assert {"import", "imports", "undo", "summary", "erase", "sample"} <= set(sub.choices)


def test_sample_summary_imports_undo_erase_end_to_end(db, tmp_path):
    r = run(db, "sample")
    assert r.returncode == 0, r.stderr
    assert "hubspot-contacts.csv: people (import #" in r.stdout
    s = json.loads(run(db, "summary", "--json").stdout)
    for key in ("people", "customers", "ties", "referrals", "feedback", "imports"):
        assert isinstance(s[key], int)
    assert s["people"] == 406 and s["imports"] == len(list(SAMPLE_DIR.glob("*.*"))) - 1  # every file but README.md
    again = run(db, "sample")
    assert again.returncode == 0 and "added nothing; updated nothing" in again.stdout
    log = run(db, "imports")
    assert log.returncode == 0 and "salesforce-toronto.xlsx[Contacts]" in log.stdout
    ppl = tmp_path / "p.csv"
    ppl.write_text("Email,Name,Company\nquinn@q.io,Quinn Q,Q\n")
    r = run(db, "import", str(ppl))
    assert r.returncode == 0
    import_id = int(r.stdout.split("import #")[1].split(")")[0])
    r = run(db, "undo", str(import_id))
    assert r.returncode == 0 and re.match(r"Import #\d+ \(.*\) undone: removed ", r.stdout), r.stdout
    r = run(db, "erase", "quinn@q.io")
    assert r.returncode == 1 and "no person matches" in r.stderr and "Traceback" not in r.stderr


def test_refused_file_exits_1_with_file_row_column_lines(db, tmp_path):
    bad = tmp_path / "survey.csv"
    bad.write_text("Email,Score,Comment\nann@x.com,7,ok\nbob@x.com,11,too high\ncarl@x.com,seven,words\n")
    r = run(db, "import", str(bad))
    assert r.returncode == 1
    lines = [l for l in r.stderr.splitlines() if l.startswith("survey.csv:")]
    assert lines[0].startswith("survey.csv:3:Score: ") and "outside the NPS score range" in lines[0]
    assert lines[1].startswith("survey.csv:4:Score: ")
    assert "nothing was imported" in r.stderr
    assert json.loads(run(db, "summary", "--json").stdout)["people"] == 0


def test_kind_map_sheet_and_dry_run_options(db, tmp_path):
    f = tmp_path / "odd.csv"
    f.write_text("Work address,Who\nann@x.com,Ann Lee\n")
    r = run(db, "import", str(f), "--kind", "people", "--map", "email=Work address", "--map", "name=Who", "--dry-run")
    assert r.returncode == 0, r.stderr
    assert "dry run, nothing written" in r.stdout and "Work address -> email" in r.stdout
    assert json.loads(run(db, "summary", "--json").stdout)["people"] == 0
    r = run(db, "import", str(f), "--map", "nonsense")
    assert r.returncode == 1 and "FIELD=COLUMN" in r.stderr


def test_missing_file_and_bad_database_are_plain_messages(db, tmp_path, capsys):
    assert main(["--db", db, "import", str(tmp_path / "nope.csv")]) == 1
    assert "no such file" in capsys.readouterr().err
    assert main(["--db", "nosuchdialect://x", "summary"]) == 2
    assert "cannot open the database" in capsys.readouterr().err


def test_a_plain_path_is_a_sqlite_file(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["--db", "company.db", "sample"]) == 0
    assert (tmp_path / "company.db").stat().st_size > 0
    capsys.readouterr()
    assert main(["--db", str(tmp_path / "company.db"), "summary"]) == 0
    assert "people" in capsys.readouterr().out


def test_audit_lists_every_change_by_number_newest_first(db, capsys):
    assert main(["--db", db, "sample"]) == 0
    capsys.readouterr()
    people = main(["--db", db, "people", "--format", "json"]) == 0 and json.loads(capsys.readouterr().out)
    victim = people[1]
    assert main(["--db", db, "erase", str(victim["email"])]) == 0
    capsys.readouterr()
    assert main(["--db", db, "audit"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["id", "when", "(UTC)"]
    assert " erase " in lines[1] and f"person #{victim['person_id']}" in lines[1] and " import " in lines[2]
    assert "local:" in lines[1] and "added people 406" in lines[2]
    assert victim["name"] not in out and victim["email"] not in out
    assert main(["--db", db, "audit", "--json", "--action", "import"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["action"] for r in rows] == ["import"] and rows[0]["counts"]["added"]["people"] == 406
    assert main(["--db", db, "audit", "--limit", "0"]) == 1
    assert "--limit must be at least 1" in capsys.readouterr().err


def test_an_unreachable_database_is_named_without_its_password(capsys):
    code = main(["--db", "postgresql+psycopg://netmap:s3cr3t-pw@127.0.0.1:1/nowhere", "summary"])
    err = capsys.readouterr().err
    assert code == 2 and "cannot open the database 'postgresql+psycopg://netmap:***@127.0.0.1:1/nowhere'" in err
    assert "s3cr3t-pw" not in err


def test_an_answer_is_written_whole_then_the_process_ends_at_once(db):
    """``python -m netmap`` skips Python's own shutdown once the answer is out and the database
    closed (0.1-0.2 s per command at 10,000 people): every line still arrives, in a file, a
    pipe read to its end, or a pipe its reader leaves early (``| head``); errors keep their codes."""
    assert run(db, "sample").returncode == 0
    whole = run(db, "people")
    assert whole.returncode == 0 and whole.stderr == ""
    rows = list(csv.reader(io.StringIO(whole.stdout)))
    assert len(rows) == 407 and {len(r) for r in rows} == {len(rows[0])}  # the header, 400 people and 6 support agents
    lines = whole.stdout.splitlines()
    small = run(db, "summary", "--json")  # smaller than the output buffer: written by the flush at the end
    assert small.returncode == 0 and json.loads(small.stdout)["people"] == 406
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"} | {"PYTHONPATH": str(ROOT)}
    head = subprocess.run(f'"{sys.executable}" -m netmap --db "{db}" people | head -1',
                          shell=True, capture_output=True, text=True, env=env, cwd=ROOT, timeout=120)
    assert head.stdout == lines[0] + "\n" and "Traceback" not in head.stderr and "Broken pipe" not in head.stderr
    read, write = os.pipe()
    os.close(read)  # a reader that is gone before the answer's last flush
    try:
        gone = subprocess.run([sys.executable, "-m", "netmap", "--db", db, "summary", "--json"], stdout=write,
                              stderr=subprocess.PIPE, text=True, env=env, cwd=ROOT, timeout=120)
    finally:
        os.close(write)
    assert gone.returncode == 0 and gone.stderr == ""
    unknown = run(db, "erase", "nobody@nowhere.test")
    assert unknown.returncode == 1 and unknown.stderr.startswith("netmap: ")
    assert run(db, "--no-such-option").returncode == 2
