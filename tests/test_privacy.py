"""Privacy (issue 5, point 5): an erased person leaves nothing; logs never hold personal data.

* The erasure sweep erases people of the sample company and hand-made "canary" people
  (unique names, emails, CRM ids and comments that appear in every kind of export, in
  several imports, in likely-duplicate reviews, in meeting titles and in the undo journal),
  then searches every column of every table, the bytes of the SQLite file (and its -wal and
  -shm), the analysis and every export for them. It prints the figure
  ``E erasures: R rows, B bytes left`` with the totals it measured.
* The log canary runs imports (good and bad), the analysis and the command line with
  canary values and checks that no log record or warning holds them (the real app server:
  ``tests/e2e/test_privacy_server.py``).
* The import log keeps file names, hashes and counts, never rows.
"""

from __future__ import annotations

import csv
import hashlib
import html
import io
import json
import logging
import os
import warnings
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import MetaData, func, select, text

from netmap import ImportRefused, Store, import_paths
from netmap.cli import main as cli, sample_files


# ----------------------------------------------------------------- canary data --
# Every canary is a string no real export contains; each belongs to exactly one subject
# (or, for the two "Vexmoor Canaryfell" namesakes, to both: checked once both are erased).
OTHERS = ("ohughes@orchiddigital.co.uk", "rachel.low@lumenfleet.com.sg", "ruby.doyle@beaconpharma.co.uk")
Z = "zorblina.canarywick@canary-privacy.example"
Q_OLD, Q_NEW = "quixandra.old@canary-privacy.example", "quixandra.canaryholt@canary-privacy.example"
V, V_DUP = "vexmoor.canaryfell@canary-privacy.example", "vexmoor.dup@canary-privacy.example"
P = "plimwell.canarydew@canary-privacy.example"
HUBSPOT = ("Record ID,First Name,Last Name,Email,Contact owner,Lifecycle Stage,Associated Company,Referred by,"
           "Last NPS survey rating,Last NPS survey date,Last NPS survey comment\n")
CANARY_FILES_1 = {
    "contacts-canary.csv": HUBSPOT + (
        f"CNRY-7731-0,Zorblina,Canarywick,{Z},Marcus Reed,customer,Canary Works Ltd,{OTHERS[0]},9,2025-03-01,"
        "\"Zorblina here: canary-comment-0 onboarding was great\"\n"
        f"CNRY-7731-1,Quixandra,Canaryholt,{Q_OLD},Marcus Reed,customer,Canary Works Ltd,Zorblina Canarywick,6,"
        "2025-03-02,canary-comment-1 support was slow\n"
        f"CNRY-7731-2,Vexmoor,Canaryfell,{V},Oliver Bennett,customer,Fellworks GmbH,,8,2025-03-03,"
        "canary-comment-2 fine\n"
    ),
    "referrals-canary.csv": (
        "Referrer Email,Referred Email,Referred Name,Date,Status,Value\n"
        f"{Q_OLD},{P},Plimwell Canarydew,2025-04-01,converted,1000\n"
        f"{OTHERS[1]},{V},Vexmoor Canaryfell,2025-04-02,open,\n"
        f"{Z},{OTHERS[2]},,2025-04-03,converted,500\n"
    ),
    "relationships-canary.csv": (
        "Person A Email,Person B Email,Relationship,Strength\n"
        f"{Z},{OTHERS[1]},knows,4\n{Q_OLD},{V},colleague,3\n{P},{OTHERS[0]},knows,2\n"
    ),
    "meetings-canary.csv": (
        "Meeting ID,Meeting name,Meeting date,Attendee email\n"
        + "".join(f"CNRY-M1,Lunch with Zorblina Canarywick,2025-05-01,{e}\n" for e in (Z, OTHERS[0], OTHERS[1]))
        + "".join(f"CNRY-M2,Workshop: Quixandra Canaryholt onboarding,2025-05-02,{e}\n" for e in (Q_OLD, V, OTHERS[2]))
        + "".join(f"CNRY-M3,Call with {P},2025-05-03,{e}\n" for e in (P, OTHERS[0]))
        + "".join(f"CNRY-M4,Prep for QUIXANDRA CANARYHOLT visit,2025-05-04,{e}\n" for e in OTHERS[:2])  # not hers
    ),
    # a file named after a person (the import log keeps file names)
    "NPS follow-up Zorblina Canarywick.csv": (
        "Response ID,Email,Score,Comment,Date\n"
        f"CNRY-R1,{Z},10,canary-comment-0b zorblina loves it,2025-06-01\n"
        f"CNRY-R2,{V},3,canary-comment-2b angry about Fellworks,2025-06-02\n"
        f"CNRY-R3,{P},9,canary-comment-3 plimwell is happy,2025-06-03\n"
        f"CNRY-R4,{OTHERS[2]},9,Quixandra Canaryholt introduced us and {P} helped,2025-06-04\n"  # someone else's words
    ),
}
# a later round: a changed name, a changed email, a renamed meeting and a changed comment put
# the old values in the undo journal; a namesake at the same company becomes a likely duplicate
CANARY_FILES_2 = {
    "contacts-canary-v2.csv": HUBSPOT + (
        f"CNRY-7731-0,Zorblina,Canarywick-Ostrander,{Z},Maria Lopez,customer,Canary Works Ltd,,,,\n"
        f"CNRY-7731-1,Quixandra,Canaryholt,{Q_NEW},Marcus Reed,customer,Canary Works Ltd,,,,\n"
        f"CNRY-7731-D,Vexmoor,Canaryfell,{V_DUP},Oliver Bennett,lead,Fellworks GmbH,,,,\n"
    ),
    "meetings-canary-v2.csv": (
        "Meeting ID,Meeting name,Meeting date,Attendee email\n"
        + "".join(f"CNRY-M1,Team lunch,2025-05-01,{e}\n" for e in (Z, OTHERS[0], OTHERS[1]))
    ),
    "feedback-canary-v2.csv": (
        "Response ID,Email,Score,Comment,Date\n"
        f"CNRY-R2,{V},4,canary-comment-2c calmer now,2025-06-02\n"
    ),
}


@dataclass
class Subject:
    who: str  # what `erase` is given
    needles: tuple[str, ...]  # strings that must be gone once every subject holding them is erased


CANARIES = [
    Subject("CNRY-7731-0", ("Zorblina", "Canarywick", Z, "CNRY-7731-0", "canary-comment-0", "Ostrander")),
    Subject("Quixandra Canaryholt", ("Quixandra", "Canaryholt", Q_OLD, Q_NEW, "CNRY-7731-1", "canary-comment-1")),
    Subject(V, (V, "CNRY-7731-2", "canary-comment-2", "Vexmoor", "Canaryfell")),
    Subject("CNRY-7731-D", (V_DUP, "CNRY-7731-D", "Vexmoor", "Canaryfell")),
    Subject(P, ("Plimwell", "Canarydew", P, "canary-comment-3")),
]
SAMPLE_SUBJECTS = 8


# ------------------------------------------------------------------- searching --
def text_forms(needle: str) -> set[str]:
    """How a value can be spelled in a cell, a JSON journal entry or an export."""
    return {needle, json.dumps(needle)[1:-1], html.escape(needle, quote=True), html.escape(needle, quote=False)}


def byte_forms(needle: str) -> set[bytes]:
    forms = {f.casefold().encode("utf-8") for f in text_forms(needle)}
    for enc in ("utf-16-le", "utf-16-be"):
        forms.add(needle.casefold().encode(enc))
    return forms


def mentions(value, needles) -> bool:
    if isinstance(value, (bytes, bytearray, memoryview)):
        hay = bytes(value).lower()
        return any(f in hay for n in needles for f in byte_forms(n))
    if isinstance(value, str):
        hay = value.casefold()
        return any(f.casefold() in hay for n in needles for f in text_forms(n))
    return False


def bytes_left(raw: bytes, needles) -> int:
    """How many bytes of ``raw`` spell one of ``needles`` (any case, UTF-8/UTF-16/JSON/HTML forms)."""
    hay = raw.lower()
    return sum(hay.count(f) * len(f) for n in needles for f in byte_forms(n))


def rows_mentioning(store: Store, needles) -> dict[str, int]:
    """Per table (every table in the database, whoever created it), the rows with a cell that mentions a needle."""
    meta = MetaData()
    meta.reflect(store.engine)
    found: dict[str, int] = {}
    with store.engine.connect() as conn:
        for table in meta.sorted_tables:
            n = sum(1 for row in conn.execute(select(table)) if any(mentions(v, needles) for v in row))
            if n:
                found[table.name] = n
    return found


def rows_pointing_at(store: Store, person_ids: set[int]) -> dict[str, int]:
    """Rows that still refer to an erased person by id (any column with a foreign key to
    person.id, the journal's person entries), and journal entries about rows that are gone."""
    if not person_ids:
        return {}
    meta = MetaData()
    meta.reflect(store.engine)
    found: dict[str, int] = {}
    ids = sorted(person_ids)
    with store.engine.connect() as conn:
        for table in meta.sorted_tables:
            cols = [c for c in table.columns if any(fk.column.table.name == "person" for fk in c.foreign_keys)]
            if table.name == "person":
                cols.append(table.c.id)
            for c in cols:
                n = conn.execute(select(func.count()).select_from(table).where(c.in_(ids))).scalar_one()
                if n:
                    found[f"{table.name}.{c.name}"] = found.get(f"{table.name}.{c.name}", 0) + n
        if "import_change" in meta.tables:
            chg = meta.tables["import_change"]
            about = chg.c.table_name == "person", chg.c.row_id.in_(ids)
            n = conn.execute(select(func.count()).select_from(chg).where(*about)).scalar_one()
            if n:
                found["import_change (person entries)"] = n
            for (tname,) in conn.execute(select(chg.c.table_name).distinct()):
                if tname in meta.tables and "id" in meta.tables[tname].c:
                    t = meta.tables[tname]
                    n = conn.execute(select(func.count()).select_from(chg).where(
                        chg.c.table_name == tname, chg.c.row_id.not_in(select(t.c.id)))).scalar_one()
                    if n:
                        found[f"import_change (entries about gone {tname} rows)"] = n
    return found


def stored_bytes(store: Store) -> dict[str, bytes]:
    """The files the data lives in: the SQLite file with its -wal and -shm, or on PostgreSQL
    every table's, index's and TOAST relation's main file (read after a CHECKPOINT)."""
    if store.is_sqlite:
        db = Path(store.url.split("///", 1)[1])
        return {p.name: p.read_bytes() for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm")) if p.exists()}
    files = {}
    with store.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("CHECKPOINT"))
        rels = conn.execute(text(
            "WITH mine AS (SELECT c.oid, c.reltoastrelid FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
            " WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'i'))"
            " SELECT oid FROM mine UNION SELECT reltoastrelid FROM mine WHERE reltoastrelid <> 0"
            " UNION SELECT indexrelid FROM pg_index WHERE indrelid IN (SELECT reltoastrelid FROM mine)"
        )).scalars().all()
        for oid in rels:
            path = conn.execute(text("SELECT pg_relation_filepath(:o)"), {"o": oid}).scalar_one()
            if path:
                files[path] = bytes(conn.execute(text("SELECT pg_read_binary_file(:p)"), {"p": path}).scalar_one())
    return files


def can_read_pg_files(store: Store) -> bool:
    with store.engine.connect() as conn:
        # CHECKPOINT and pg_read_binary_file: a superuser's (`.ci/run` makes the test user one)
        return bool(conn.execute(text("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")).scalar())


def outputs(store: Store, tmp_path: Path, capsys) -> dict[str, str]:
    """Every analysis result and export, computed now: the command line's tables (CSV), the
    import log and reviews, the graph as HTML, GraphML and GEXF, and the stored analysis."""
    from netmap.analysis import measures

    got = {}
    capsys.readouterr()
    for args in (["people"], ["nurture"], ["bridges"], ["weak-ties"], ["plan", "--k", "5"],
                 ["paths", "--to", "stage:customer", "--top", "3"], ["paths", "--to", "stage:lead"],
                 ["imports"], ["reviews"], ["summary", "--json"]):
        assert cli(["--db", store.url, *args]) == 0, args
        got[" ".join(args)] = capsys.readouterr().out
    views = (("graph.html", ["graph"]), ("graph.graphml", ["export", "graphml"]), ("graph.gexf", ["export", "gexf"]))
    for name, args in views:
        out = tmp_path / name
        assert cli(["--db", store.url, *args, "--out", str(out)]) == 0, args
        got[name] = out.read_text(encoding="utf-8")
    capsys.readouterr()
    a = measures(store)
    got["analysis"] = a.to_bytes().decode("utf-8", "replace")
    got["analysis.people"] = a.people.to_csv()
    got["analysis.ties"] = a.ties.to_csv()
    return got


def pick_sample_subjects(store: Store, n: int) -> list[Subject]:
    """``n`` sample people with feedback and ties whose full name and email appear nowhere but
    in their own rows (so anything left after their erasure is a leak, not a namesake)."""
    from netmap.analysis import measures

    people = measures(store).people
    with store.engine.connect() as conn:
        inames = [r for (r,) in conn.execute(text("SELECT name FROM interaction")) if r]
        comments = [(pid, c) for pid, c in conn.execute(text("SELECT person_id, comment FROM feedback")) if c]
    texts = []
    for col in ("name", "email", "company", "owner"):
        texts.append(people[col].fillna("").astype(str).str.casefold().tolist())
    chosen = []
    rich = people[(people["degree"] >= 3) & people["nps"].notna() & people["email"].notna()].sort_values("person_id")
    for row in rich.itertuples():
        if row.email in OTHERS:
            continue
        name, email = str(row.name).casefold(), str(row.email).casefold()
        hits = sum(name in t or email in t for col in texts for t in col)
        if hits != 2 or any(name in i.casefold() or email in i.casefold() for i in inames):
            continue  # a namesake, or named in a meeting title: not a clean subject
        if any(name in c.casefold() for pid, c in comments if pid != row.person_id):
            continue
        who = [row.email, row.name, str(row.email).upper()][len(chosen) % 3]
        chosen.append(Subject(who, (row.name, row.email)))
        if len(chosen) == n:
            break
    assert len(chosen) == n
    return chosen


# ------------------------------------------------------------------- the sweep --
FIGURES: dict[str, int] = {}


@pytest.mark.slow
def test_erasure_sweep(store, tmp_path, capsys):
    """Erase E people; after each, nothing of them in any row, any byte of the database files,
    the analysis or any export."""
    import_paths(store, sample_files())
    files1 = {}
    for name, body in CANARY_FILES_1.items():
        files1[name] = tmp_path / name
        files1[name].write_text(body, encoding="utf-8")
    import_paths(store, list(files1.values()))
    import_paths(store, list(files1.values()))  # a re-import: changes nothing, logs a second batch
    files2 = []
    for name, body in CANARY_FILES_2.items():
        (tmp_path / name).write_text(body, encoding="utf-8")
        files2.append(tmp_path / name)
    import_paths(store, files2)
    subjects = CANARIES + pick_sample_subjects(store, SAMPLE_SUBJECTS)
    every = sorted({n for s in subjects for n in s.needles})

    # the canaries really are everywhere before the erasure (else the sweep would prove nothing)
    before = rows_mentioning(store, every)
    for table in ("person", "identifier", "feedback", "interaction", "import_change", "measure_cache"):
        assert before.get(table), f"no canary in {table} before the erasure: {before}"
    assert any(r["a_name"] == r["b_name"] == "Vexmoor Canaryfell" for r in store.reviews()), "no duplicate review"
    assert rows_pointing_at(store, {store.find_person(s.who) for s in subjects}) != {}
    dangling = {k: v for k, v in rows_pointing_at(store, {-1}).items() if "gone" in k}
    assert dangling == {}, f"the journal points at rows that are gone: {dangling}"
    with store.engine.connect() as conn:
        olds = conn.execute(text("SELECT before_json FROM import_change WHERE before_json IS NOT NULL")).scalars()
        journal = " ".join(olds)
    for old in ("Lunch with Zorblina Canarywick", Q_OLD, "canary-comment-2b"):
        assert old in journal, f"{old!r} is not in the undo journal before the erasure"
    seen_before = outputs(store, tmp_path, capsys)
    for s in subjects:
        assert mentions(seen_before["people"], s.needles[:1]), s
    if store.is_sqlite or can_read_pg_files(store):
        raw = b"".join(stored_bytes(store).values())
        assert all(bytes_left(raw, [n]) for n in every), [n for n in every if not bytes_left(raw, [n])]

    rows_total = bytes_total = 0
    problems = []
    checked_bytes = store.is_sqlite or can_read_pg_files(store)
    erased: set[int] = set()
    for i, s in enumerate(subjects):
        erased.add(pid := store.find_person(s.who))
        store.erase(pid)
        # what must be gone now: the needles of everyone erased so far that nobody still here holds
        due = {n for done in subjects[: i + 1] for n in done.needles} - {n for rest in subjects[i + 1:]
                                                                          for n in rest.needles}
        left = rows_mentioning(store, due)
        left.update(rows_pointing_at(store, erased))
        rows_total += sum(left.values())
        if left:
            problems.append(f"after erasing {s.who!r}: rows in {left}")
        if checked_bytes:
            for fname, raw in stored_bytes(store).items():
                b = bytes_left(raw, due)
                bytes_total += b
                if b:
                    problems.append(f"after erasing {s.who!r}: {b} bytes in {fname}: "
                                    f"{[n for n in due if bytes_left(raw, [n])]}")

    # everything computed after the erasure: analysis, CSV tables, graph views and exports
    for name, out in outputs(store, tmp_path, capsys).items():
        hits = [line for line in out.splitlines() if mentions(line, every)]
        rows_total += len(hits)
        if hits:
            problems.append(f"{name}: {hits[:3]}")
    left = rows_mentioning(store, every)  # the new analysis cached in the database
    rows_total += sum(left.values())
    if left:
        problems.append(f"after the exports: rows in {left}")
    if checked_bytes:
        for fname, raw in stored_bytes(store).items():
            b = bytes_left(raw, every)
            bytes_total += b
            if b:
                problems.append(f"after the exports: {b} bytes in {fname}")
    line = f"{len(subjects)} erasures: {rows_total} rows, {bytes_total} bytes left"
    if not checked_bytes:
        line += " (PostgreSQL; bytes not checked: the database user may not read the server's files)"
    else:
        line += " (SQLite file, -wal, -shm)" if store.is_sqlite else " (PostgreSQL table, index and TOAST files)"
    with capsys.disabled():
        print(f"\n{line}")
    assert problems == [], "\n".join(problems)
    assert rows_total == bytes_total == 0
    if not checked_bytes and os.environ.get("NETMAP_REQUIRE_COMPONENTS"):
        pytest.fail("CI must check PostgreSQL's files too: run the tests as a superuser (as `.ci/run` does)")


# ---------------------------------------------------------------- the log canary --
#: every canary value: names, emails, CRM ids and comments of the canary people
LOG_CANARIES = sorted({n for s in CANARIES for n in s.needles} | {"canary-comment", "canary-bad-comment"})
#: a file the importer refuses, whose bad cells and their neighbours are canaries
BAD_FILE = (
    "Record ID,First Name,Last Name,Email,Last NPS survey rating,Last NPS survey comment\n"
    "CNRY-7731-9,Quixandra,Canaryholt,quixandra@@canary-privacy.example,eleven,canary-bad-comment one\n"
    "CNRY-7731-8,Vexmoor,Canaryfell,vexmoor.bad@canary-privacy.example,7,canary-bad-comment two,extra\n"
)


def write_files(where: Path, files: dict[str, str]) -> list[Path]:
    out = []
    for name, body in files.items():
        (where / name).write_text(body, encoding="utf-8")
        out.append(where / name)
    return out


def leaked(text_: str) -> list[str]:
    return [c for c in LOG_CANARIES if mentions(text_, [c])]


@pytest.fixture
def all_logs(caplog):
    """Every log record of every logger at DEBUG (Python warnings included), while the test runs."""
    caplog.set_level(logging.DEBUG)  # the root logger: every library's records propagate to it
    logging.captureWarnings(True)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield caplog, caught
    logging.captureWarnings(False)


def test_library_logs_and_warnings_hold_no_canary(all_logs, database_url, tmp_path, capfd):
    """Imports (good and refused), the analysis, the exports, a profile, a search and an
    erasure, with every logger at DEBUG: no record, warning or stray output names anyone."""
    from netmap.analysis import network
    from netmap.draw.gephi import to_graphml
    from netmap.draw.page import DrawOptions, graph_html
    from netmap.profile import person_profile
    from netmap.search import search_people
    from netmap.draw.view import graph_people_table

    caplog, caught = all_logs
    store = Store(database_url)
    import_paths(store, write_files(tmp_path, CANARY_FILES_1))
    import_paths(store, write_files(tmp_path, CANARY_FILES_2))
    with pytest.raises(ImportRefused) as refused:
        import_paths(store, write_files(tmp_path, {"bad-canary.csv": BAD_FILE}))
    analysis, G = network(store)
    graph_html(G, graph_people_table(analysis.people), DrawOptions(title="x"))
    to_graphml(G, graph_people_table(analysis.people), io.BytesIO(), edge_table=analysis.ties)
    pid = store.find_person(Z)
    person_profile(store, pid, graph=G, people=analysis.people)
    assert len(search_people(analysis.people, "Canarywick")) == 1
    store.erase(pid)
    store.close()
    out, err = capfd.readouterr()
    assert not leaked(caplog.text), leaked(caplog.text)
    assert leaked(" ".join(str(w.message) for w in caught)) == []
    assert leaked(out) == [] and leaked(err) == [], (out[-500:], err[-500:])
    # the refusal is the user's answer, not a log: it names file, row and column
    assert all(p.file == "bad-canary.csv" and p.row and p.column for p in refused.value.problems if p.row != 3)


def test_command_line_logs_hold_no_canary(all_logs, database_url, tmp_path, capfd):
    """The command line at DEBUG: no log record or warning holds a canary; the commands that
    answer with people (people, nurture, paths) print them on stdout, as asked, and nothing
    about them on stderr. An import's own report on stderr quotes the cells it is about
    (``FILE:ROW:COLUMN: 'bad@@mail' is not a valid email``): it is the user's answer about
    their file, not a log."""
    caplog, caught = all_logs
    db = ["--db", database_url]
    files = write_files(tmp_path, {**CANARY_FILES_1})
    assert cli([*db, "import", *map(str, files)]) == 0
    assert cli([*db, "import", *map(str, write_files(tmp_path, CANARY_FILES_2))]) == 0
    assert cli([*db, "import", str(write_files(tmp_path, {"bad-canary.csv": BAD_FILE})[0])]) == 1
    report = capfd.readouterr()
    assert "bad-canary.csv:2:Email:" in report.err  # file, row and column named
    for args in (["people"], ["nurture"], ["bridges"], ["paths", "--to", Q_NEW], ["summary"], ["reviews"],
                 ["erase", "Zorblina Canarywick-Ostrander"], ["erase", "nobody@canary-privacy.example"],
                 ["imports"]):  # after her erasure: the file named after her is no longer named so
        cli([*db, *args])
        out, err = capfd.readouterr()
        assert leaked(err) == [], (args, err)
        if args[0] in ("people", "nurture"):
            assert "Quixandra Canaryholt" in out  # the answer itself names people: that is its purpose
        if args[0] in ("erase", "imports", "summary"):
            assert leaked(out) == [], (args, out)
    assert not leaked(caplog.text), leaked(caplog.text)
    assert leaked(" ".join(str(w.message) for w in caught)) == []


# ---------------------------------------------------------------- the import log --
def test_import_log_keeps_names_hashes_and_counts_not_rows(store, tmp_path):
    """One row per file: its name, sheet, SHA-256, kind, column mapping (headers) and counts;
    nothing of the rows themselves (no name, email, id or comment)."""
    files = write_files(tmp_path, CANARY_FILES_1)
    import_paths(store, files)
    log = {r["file_name"]: r for r in store.imports()}
    assert set(log) == {f.name for f in files}
    for f in files:
        row = log[f.name]
        assert row["content_sha256"] == hashlib.sha256(f.read_bytes()).hexdigest()
        data_rows = list(csv.reader(io.StringIO(f.read_text(encoding="utf-8"))))[1:]
        assert row["rows_read"] == len(data_rows)
        assert row["added"] > 0 and row["refused"] == 0
        # the mapping holds header names only
        assert set(row["mapping"].values()) <= set(next(csv.reader(io.StringIO(f.read_text(encoding="utf-8")))))
    values = {v for f in files for r in list(csv.reader(io.StringIO(f.read_text(encoding="utf-8"))))[1:] for v in r
              if len(v) > 4 and not v.replace("-", "").isdigit()}
    stored = [str(v) for r in log.values() for k, v in r.items() if k != "file_name"]
    stored += [n for n in log if n != "NPS follow-up Zorblina Canarywick.csv"]  # a file name is the user's choice
    assert [v for v in values if any(v in s for s in stored)] == []


# ------------------------------------------------------------- the app's memory --
def test_forget_cached_data_drops_what_the_app_cached(database_url, tmp_path, monkeypatch):
    """After an erasure the app calls ``netmap.ui.forget_cached_data()``: the graph, the
    measures and every page's cached data built from the older data version (which still
    name the person) are dropped from the server's memory, not left until evicted."""
    import streamlit as st

    import netmap.ui as ui

    store = Store(database_url)
    import_paths(store, write_files(tmp_path, CANARY_FILES_1))
    store.close()
    monkeypatch.setenv("NETMAP_DATABASE_URL", database_url)
    built = []
    real_build = ui.DrawIndex.from_analysis
    monkeypatch.setattr(ui.DrawIndex, "from_analysis", lambda a: built.append(1) or real_build(a))

    @st.cache_data
    def page_view(version: int) -> str:
        built.append(2)
        return " ".join(str(n) for n in ui.draw_index().people["name"])

    assert "Zorblina Canarywick" in page_view(ui.data_version())
    page_view(ui.data_version()), ui.draw_index(), ui.analysis()
    assert built == [2, 1]  # the view and the graph: computed once, then cached
    ui.forget_cached_data()
    page_view(ui.data_version())
    assert built == [2, 1, 2, 1]  # both computed again
    ui.forget_cached_data()
    ui._store.clear()
