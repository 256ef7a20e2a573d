"""Real exports as people have them (issue 12): every layout of ``tests/data/exports/``.

The fixtures and their expected counts (``MANIFEST.json``) were written apart from the
importer, from each vendor's documented layout (``tests/data/exports/README.md``), and
counted by hand. Each group is imported into an empty database as the manifest says,
then every call again (nothing may change), then the last call is undone.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from netmap.storage import tables as T
from netmap.ingest.columns import choose_reading, map_columns
from netmap.cli import problem_line
from netmap.errors import ImportRefused
from netmap.ingest.importer import ImportOptions, import_files, import_paths
from netmap.ingest.tabular import Table, find_header, read_tables
from netmap.ingest.values import split_people

EXPORTS = Path(__file__).parent / "data" / "exports"
MANIFEST = json.loads((EXPORTS / "MANIFEST.json").read_text(encoding="utf-8"))
COUNTED = {"people": "person", "relationships": "relationship", "referrals": "referral",
           "interactions": "interaction", "participations": "participation", "feedback": "feedback"}
ROOT = Path(__file__).resolve().parents[1]


def counts(store) -> dict[str, int]:
    with store.engine.connect() as conn:
        return {k: conn.execute(select(func.count()).select_from(getattr(T, t))).scalar() for k, t in COUNTED.items()}


def calls_of(group: dict) -> list[tuple[list[str], dict]]:
    calls = group.get("calls") or [{"files": group["files"], "options": group.get("options") or {}}]
    return [(c["files"], {k: v for k, v in (c.get("options") or {}).items() if v is not None}) for c in calls]


def run(store, files: list[str], options: dict):
    return import_paths(store, [EXPORTS / f for f in files], ImportOptions(**options))


@pytest.mark.parametrize("group", MANIFEST, ids=[g["name"] for g in MANIFEST])
def test_each_layout_imports_as_its_vendor_wrote_it(store, group):
    kinds: dict[str, str] = {}
    readings: dict[str, str] = {}
    for files, options in calls_of(group):
        report = run(store, files, options)
        for f in report.files:
            kinds[f.label] = f.kind
            readings[f.label] = f.reading
            assert f.refused == 0, f"{f.label}: {f.refused} rows refused"
    expect = group["expect"]
    assert kinds == {**kinds, **expect["kinds"]}, readings
    assert all(readings.values()), "every file says what netmap took it for"
    got = counts(store)
    assert {k: got[k] for k in COUNTED if k in expect} == {k: expect[k] for k in COUNTED if k in expect}
    # importing the same files again changes nothing (idempotent), and undo takes the last one back
    before = counts(store)
    for files, options in calls_of(group):
        again = run(store, files, options)
        assert all(not f.added and not f.updated for f in again.files), [(f.label, f.added, f.updated) for f in again.files]
    assert counts(store) == before
    last = store.imports()[0]
    store.undo(last["id"])


def test_the_linkedin_journey_reaches_a_prospect_through_a_team_member(tmp_path):
    """Two team members' LinkedIn exports and a HubSpot export: warm-introduction
    paths from the team to a HubSpot lead run through a team member's connection."""
    db = f"sqlite:///{tmp_path / 'n.db'}"

    def cli(*args):
        return subprocess.run([sys.executable, "-m", "netmap", "--db", db, *args], capture_output=True, text=True,
                              cwd=ROOT, timeout=300)

    for who, f in (("Alice Martin", "linkedin_alice.csv"), ("Bob Nguyen", "linkedin_bob.csv")):
        r = cli("import", str(EXPORTS / f), "--from-person", who)
        assert r.returncode == 0, r.stderr
        assert "read as: people export (LinkedIn connections)" in r.stdout
        assert "Notes:" in r.stderr and "skipped" in r.stderr  # the preamble, reported
    r = cli("import", str(EXPORTS / "hubspot_contacts.csv"), str(EXPORTS / "hubspot_deals.csv"))
    assert r.returncode == 0, r.stderr
    assert "repeated header" in r.stderr  # the associated company's Create Date, kept apart and said so
    r = cli("paths", "--from", "team", "--to", "stage:lead", "--format", "csv")
    assert r.returncode == 0, r.stderr
    import csv
    import io

    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert rows, "paths from the team reach the leads"
    team = {"Alice Martin", "Bob Nguyen"}
    assert {row["source_name"] for row in rows} <= team
    # through a connection: the step after the team member is someone from their LinkedIn export
    assert any(int(row["hops"]) >= 2 for row in rows)
    # the team member is a person of the team, tied to their connections, and drawn as a square
    from netmap.storage.store import Store

    store = Store(db)
    try:
        assert store.team_members() == ["Alice Martin", "Bob Nguyen"]
        people = {p.name: p for p in store.load_dataset().people}
        assert people["Alice Martin"].stage == "team" and not people["Alice Martin"].is_customer
        ties = [r for r in store.load_dataset().relationships if r.kind == "connection"]
        assert ties and all(t.since is not None for t in ties)  # dated by Connected On
    finally:
        store.close()


def test_a_connections_export_without_its_owner_says_how_to_tie_it(store):
    report = run(store, ["linkedin_alice.csv"], {})
    (w,) = [w for w in report.warnings if w.code == "connections_untied"]
    assert "connections export" in w.message and "whose export it is" in w.fix
    assert "--from-person" in problem_line(w)  # the command line names its flag
    assert counts(store)["relationships"] == 0


def test_from_person_needs_a_people_file(store):
    with pytest.raises(ImportRefused) as exc:
        run(store, ["edges_pandas.csv"], {"from_person": "Alice Martin"})
    assert "applies to a contacts or connections export" in str(exc.value)


# ------------------------------------------------------------ the reading --
def table(headers: list[str], *rows: list) -> Table:
    return Table("t.csv", headers, [(i + 2, list(r)) for i, r in enumerate(rows)])


@pytest.mark.parametrize("file,layout", [
    ("linkedin_alice.csv", "LinkedIn connections"), ("google_contacts.csv", "Google Contacts"),
    ("google_contacts_legacy.csv", "Google Contacts"), ("outlook_contacts.csv", "Outlook contacts"),
    ("outlook_web_contacts.csv", "Outlook contacts"), ("salesforce_contacts_api.csv", "Salesforce API names"),
    ("salesforce_report.csv", "Salesforce report"), ("hubspot_contacts.csv", "HubSpot contacts"),
    ("hubspot_deals.csv", "HubSpot deals"), ("pipedrive_people.csv", "Pipedrive"), ("zoho_contacts.csv", "Zoho CRM"),
    ("eventbrite_attendees.csv", "Eventbrite attendees"), ("edges_gephi.csv", "edge list"),
])
def test_each_vendor_layout_is_named(file, layout):
    (t,) = read_tables((EXPORTS / file).read_bytes(), file)
    mapping, errors, _ = map_columns(t)
    assert not errors and f"({layout})" in mapping.reading, mapping.reading


@pytest.mark.parametrize(
    "headers,kind",
    [
        (["from", "to"], "relationships"),
        (["source", "target"], "relationships"),
        (["Source", "Target", "Weight"], "relationships"),
        (["node1", "node2"], "relationships"),
        (["Referrer Email", "Referred Email"], "referrals"),
        (["Id", "AccountId", "LastName", "FirstName", "Salutation", "Name", "Title", "Email", "Phone", "OwnerId",
          "ReportsToId", "LeadSource", "CreatedDate"], "people"),
        (["Id", "LastName", "FirstName", "Company", "Status", "ConvertedContactId"], "people"),
        (["user_id", "score", "comment"], "feedback"),
        (["Email", "NPS"], "feedback"),
        (["Deal ID", "Deal Name", "Deal Stage", "Amount", "Close Date", "Associated Contact IDs"], "interactions"),
        (["Meeting ID", "Title", "Date", "Attendees"], "interactions"),
    ],
)
def test_the_kind_is_the_reading_with_the_most_evidence(headers, kind):
    best, rivals = choose_reading(table(headers))
    assert best is not None and best.kind == kind and not rivals


def test_an_edge_list_is_never_a_referral_file():
    """Only what a header calls a referral is one (issue 12): From/To are ends of a tie."""
    for headers in (["From", "To"], ["From Email", "To Email"], ["Source", "Target"]):
        best, _ = choose_reading(table(headers))
        assert best.kind == "relationships"


def test_two_close_readings_are_refused_with_both_and_the_flag_for_each():
    t = table(["Meeting ID", "Attendee", "Person A", "Person B"], ["m1", "Ana", "Ana", "Bo"])
    mapping, errors, _ = map_columns(t)
    assert mapping is None
    (e,) = errors
    assert "(kind: interactions)" in e.message and "(kind: relationships)" in e.message
    assert e.code == "ambiguous_kind" and "--kind" in problem_line(e)
    # and the flag settles it
    mapping, errors, _ = map_columns(t, kind="relationships")
    assert mapping is not None and "as you chose" in mapping.reading


def test_unused_columns_are_listed_whole(store):
    headers = ["Email"] + [f"Custom field {i}" for i in range(23)]
    body = ",".join(headers) + "\n" + ",".join(["ana@x.com"] + ["x"] * 23) + "\n"
    report = import_files(store, [("wide.csv", body.encode())])
    (w,) = [w for w in report.warnings if w.message.startswith("columns not used")]
    assert all(f"Custom field {i}" in w.message for i in range(23)) and w.message.endswith("(23)")


# ------------------------------------------------------------ references --
def test_an_id_that_resolves_to_nobody_is_refused_at_its_cell(store):
    body = "EmployeeID,Name,ReportsTo\n1,Ana Diaz,NULL\n2,Bo Li,1\n3,Cy Ng,9\n"
    with pytest.raises(ImportRefused) as exc:
        import_files(store, [("emp.csv", body.encode())])
    (p,) = exc.value.problems
    assert (p.file, p.row, p.column) == ("emp.csv", 4, "ReportsTo") and "'9'" in p.message
    assert counts(store)["people"] == 0  # all or nothing


@pytest.mark.parametrize("missing", ["NA", "NaN", "NULL", "None", "-", "n/a", "#N/A", ""])
def test_missing_values_in_reference_columns_are_no_one(store, missing):
    body = f"id,name,email,manager_id\n1,Ana Diaz,ana@x.com,{missing}\n2,Bo Li,bo@x.com,1\n"
    import_files(store, [("staff.csv", body.encode())])
    names = sorted(p.name for p in store.load_dataset().people)
    assert names == ["Ana Diaz", "Bo Li"]  # no phantom "NA"
    assert counts(store)["relationships"] == 1


def test_attendee_ids_in_one_cell_resolve_against_the_attendee_table(store):
    attendees = "Attendee ID,Name,Email\n1,Ana Diaz,ana@x.com\n4,Bo Li,bo@x.com\n17,Cy Ng,cy@x.com\n"
    meetings = 'Meeting ID,Title,Date,Attendees\nM1,Kickoff,2024-01-02,"1, 4, 17"\nM2,Review,2024-01-09,4|17\n'
    import_files(store, [("meetings.csv", meetings.encode()), ("attendees.csv", attendees.encode())])
    assert counts(store) | {} == {**counts(store), "people": 3, "interactions": 2, "participations": 5}
    with pytest.raises(ImportRefused) as exc:
        import_files(store, [("more.csv", b'Meeting ID,Title,Attendees\nM3,Later,"1, 99"\n')])
    assert "'99'" in str(exc.value) and "Attendees" in str(exc.value)


def test_a_hubspot_deal_names_its_contacts_with_their_emails(store):
    deals = ('Deal ID,Deal Name,Deal Stage,Close Date,Associated Contact\n'
             '901,Renewal,closedwon,2024-02-01,"Ana Diaz (ana@x.com);Bo Li (bo@x.com)"\n')
    import_files(store, [("deals.csv", deals.encode())])
    people = {p.email: p.name for p in store.load_dataset().people}
    assert people == {"ana@x.com": "Ana Diaz", "bo@x.com": "Bo Li"}


# ------------------------------------------------------ properties of parts --
_word = st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll")), min_size=2, max_size=8)


@given(st.lists(st.tuples(_word, _word), min_size=1, max_size=6))
def test_split_people_keeps_full_names_and_last_name_first(names):
    full = [f"{a} {b}" for a, b in names]
    assert split_people(", ".join(full)) == [n.strip() for n in full]
    assert split_people("; ".join(full)) == full
    a, b = names[0]
    assert split_people(f"{b}, {a}") == [f"{b}, {a}"]  # "Diaz, Ana" is one person


@given(st.lists(st.integers(min_value=1, max_value=10**6), min_size=1, max_size=8),
       st.sampled_from([", ", ",", "; ", "|", "\n"]))
def test_split_people_splits_ids_on_any_separator(ids, sep):
    assert split_people(sep.join(map(str, ids))) == [str(i) for i in ids]


_header = st.lists(st.sampled_from(["First Name", "Last Name", "Email", "Company", "URL", "Connected On", "Owner"]),
                   min_size=2, max_size=7, unique=True)
_note = st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=60)


@settings(max_examples=60)
@given(_header, st.lists(_note, max_size=4), st.integers(min_value=1, max_value=5))
def test_the_header_is_found_below_any_preamble_and_data_is_never_taken_for_it(header, notes, n):
    from netmap.ingest.columns import KNOWN_HEADERS

    preamble = [(i + 1, [note]) for i, note in enumerate(notes)]
    at = len(preamble) + 1
    data = [(at + 1 + i, [f"p{i}@x.com" if h == "Email" else f"{i}" for h in header]) for i in range(n)]
    rows = preamble + [(at, list(header))] + data
    assert find_header(rows, KNOWN_HEADERS) == len(preamble)
    # without a preamble the first row is the header, whatever the data look like
    assert find_header([(1, list(header))] + data, KNOWN_HEADERS) == 0


def test_a_report_footer_and_title_are_skipped_and_reported():
    (t,) = read_tables((EXPORTS / "salesforce_report.csv").read_bytes(), "r.csv")
    assert not t.problems
    assert any("report footer" in w.message for w in t.warnings)
    (t,) = read_tables((EXPORTS / "report_with_title.csv").read_bytes(), "r.csv")
    assert not t.problems and t.header_row > 1
    assert any("the header is row" in w.message for w in t.warnings)


def test_dry_run_and_refusals_say_how_each_file_was_read(tmp_path):
    db = f"sqlite:///{tmp_path / 'n.db'}"
    run_cli = lambda *a: subprocess.run([sys.executable, "-m", "netmap", "--db", db, *a], capture_output=True,
                                        text=True, cwd=ROOT, timeout=300)
    r = run_cli("import", str(EXPORTS / "salesforce_contacts_api.csv"), "--dry-run")
    assert r.returncode == 0, r.stderr
    assert "dry run, nothing written" in r.stdout and "read as: people export (Salesforce API names)" in r.stdout
    bad = tmp_path / "staff.csv"
    bad.write_text("id,name,manager_id\n1,Ana Diaz,NA\n2,Bo Li,7\n", encoding="utf-8")
    r = run_cli("import", str(bad))
    assert r.returncode == 1
    lines = r.stderr.splitlines()
    assert lines[0].startswith("staff.csv:3:manager_id: no person has the id '7'")
    assert any(line.startswith("staff.csv: read as people export") and "--kind" in line for line in lines)


def test_a_workbook_ends_with_people_not_a_footer(tmp_path):
    """Review of session 13: in a sheet (rows end at their last cell), people with a name
    alone after a blank row are people; only a footer's own words make a footer."""
    import io

    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Name", "Email", "Company"])
    ws.append(["Ana Diaz", "ana@x.com", "Acme"])
    ws.append([])
    ws.append(["Ann Lee"])
    ws.append(["Bo Chen"])
    buf = io.BytesIO()
    wb.save(buf)
    (t,) = read_tables(buf.getvalue(), "p.xlsx")
    assert [r[0] for _, r in t.rows] == ["Ana Diaz", "Ann Lee", "Bo Chen"]
    ws.append([])
    ws.append(["Copyright (c) 2000-2024 salesforce.com, inc. All rights reserved."])
    buf = io.BytesIO()
    wb.save(buf)
    (t,) = read_tables(buf.getvalue(), "p.xlsx")
    assert [r[0] for _, r in t.rows] == ["Ana Diaz", "Ann Lee", "Bo Chen"]
    assert any("report footer" in w.message for w in t.warnings)
