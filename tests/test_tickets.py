"""Support ticket exports (issue 15, items 1 and 2): the ``tickets`` kind, its import
guarantees on the ``ticket`` table, and the service queue (library and CLI).

The fixtures are ``tests/data/tickets/`` (their README: each vendor's layout; MANIFEST.json:
counts worked out by hand). Runs on the backend under test (``NETMAP_TEST_BACKEND``).
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path

import pytest

from netmap import Store
from netmap.analysis import can_nurture, measures
from netmap.cli import main
from netmap.errors import ImportRefused
from netmap.ingest.columns import detect_kind, map_columns
from netmap.ingest.importer import ImportOptions, import_paths, prepare
from netmap.ingest.tabular import read_tables
from netmap.model import TEAM_STAGE
from netmap.tickets import QUEUE_COLUMNS, queue_table

from .conftest import dump_tables, load, stored_strings

DATA = Path(__file__).parent / "data" / "tickets"
MANIFEST = json.loads((DATA / "MANIFEST.json").read_text())["files"]
FILES = sorted(MANIFEST)
VENDOR = {"zendesk_tickets.csv": "Zendesk", "freshdesk_tickets.csv": "Freshdesk",
          "intercom_conversations.csv": "Intercom", "hubspot_tickets.csv": "HubSpot"}
AGENTS = {"Alice Martin", "Bob Nguyen", "Carla Reyes"}


def table_of(name: str):
    from netmap.ingest.columns import KNOWN_HEADERS

    return read_tables((DATA / name).read_bytes(), name, known_headers=KNOWN_HEADERS)[0]


def tickets_of(store: Store) -> list[dict]:
    return store.tickets()


# ------------------------------------------------------------------ reading
@pytest.mark.parametrize("name", FILES)
def test_each_vendor_layout_is_read_as_tickets(name):
    table = table_of(name)
    assert detect_kind(table) == "tickets"
    mapping, errors, _ = map_columns(table)
    assert not errors and mapping.layout == VENDOR[name]
    assert {"ticket_id", "status", "agent", "created"} <= set(mapping.columns)
    assert set(mapping.columns) & {"requester", "requester_email", "requester_id"}
    assert ("rating" in mapping.columns) == (MANIFEST[name]["rating_column"] is not None)
    if MANIFEST[name]["rating_column"]:
        assert mapping.header_of("rating") == MANIFEST[name]["rating_column"]
    assert mapping.header_of("status") == MANIFEST[name]["status_column"]


@pytest.mark.parametrize("name", FILES)
def test_each_vendor_layout_imports_its_hand_counted_tickets(store, name):
    report = import_paths(store, [DATA / name])
    want = MANIFEST[name]
    f = report.files[0]
    assert f.kind == "tickets" and f.refused == 0
    assert f.added["tickets"] == want["tickets"]
    assert f.added.get("feedback", 0) == want["rated"]
    rows = tickets_of(store)
    assert len(rows) == want["tickets"]
    assert {s: sum(r["status"] == s for r in rows) for s in want["status"]} == want["status"]
    assert all(r["source"] == VENDOR[name] for r in rows)
    rated = [r for r in rows if r["csat"] is not None]
    assert len(rated) == want["rated"]
    assert sum(r["csat"] <= 3 for r in rated) == want["bad"]
    # the agents are team members, tied to their requesters through the ticket
    people = measures(store).people.set_index("person_id")
    agents = {r["agent_id"] for r in rows if r["agent_id"] is not None}
    assert set(people.loc[sorted(agents), "name"]) <= AGENTS
    assert (people.loc[sorted(agents), "stage"] == TEAM_STAGE).all()
    assert not can_nurture(people.loc[sorted(agents)].reset_index()).any()
    requesters = {r["requester_id"] for r in rows}
    assert not requesters & agents
    assert len(requesters) <= want["requesters"]


def test_a_rating_is_a_dated_csat_answer_that_the_feeling_rule_weighs(store):
    import_paths(store, [DATA / "zendesk_tickets.csv"])
    people = measures(store).people.set_index("email")
    # Mei Chen rated 4102 "Bad" (solved 2024-04-22): a detractor; Priya Nair "Good": a passive
    assert people.loc["mei.chen@brightwater.example", "feeling"] == "detractor"
    assert people.loc["priya.nair@acme-robotics.example", "feeling"] == "passive"
    answers = {(a.person_id, a.on, a.scale, a.score) for a in store.answers()}
    mei = int(people.loc["mei.chen@brightwater.example", "person_id"])
    assert (mei, date(2024, 4, 22), "csat", 1.0) in answers
    # "Offered" / "Unoffered" are no answer: Liam O'Connor (4106, Offered) has none
    assert people.loc["liam.oconnor@northwind.example", "feeling"] == "unknown"


def test_requesters_known_from_the_crm_are_matched_not_duplicated(store):
    load(store, ("people.csv", "Record ID,Name,Email,Company,Contact owner,Lifecycle Stage\n"
                               "1,Ana Diaz,ana.diaz@copperline.example,Copperline Logistics,Dana Kim,customer\n"))
    report = import_paths(store, [DATA / "freshdesk_tickets.csv"])
    ana = store.find_person("ana.diaz@copperline.example")
    mine = [t for t in tickets_of(store) if t["requester_id"] == ana]
    # ticket 10 by her email, ticket 3 by her name at her company (a phone call)
    assert sorted(t["external_id"] for t in mine) == ["10", "3"]
    assert report.files[0].refused == 0


# --------------------------------------------------------------- guarantees
def test_reimport_changes_nothing_and_a_later_export_updates_the_ticket(store):
    import_paths(store, [DATA / "zendesk_tickets.csv"])
    before = dump_tables(store)
    again = import_paths(store, [DATA / "zendesk_tickets.csv"])
    assert again.files[0].added == {} and again.files[0].updated == {}
    after = dump_tables(store)
    assert {k: v for k, v in after.items() if k not in ("import_log", "audit")} == \
        {k: v for k, v in before.items() if k not in ("import_log", "audit")}
    # a later export: 4103 solved and rated bad, 4104 still pending
    text = (DATA / "zendesk_tickets.csv").read_text()
    later = text.replace(
        ",4103,Diego Alvarez,381120003,,diego.alvarez@acme-robotics.example,acme-robotics.example,Diego Alvarez,"
        "Carla Reyes,Support,SSO login loop,sso login,Open,Urgent,Mail,Incident,2024-06-24 07:45:19,2024-06-27 11:02:44,"
        "2024-06-24 07:45:19,Acme Robotics,,2024-06-24 07:45:19,,,Unoffered",
        ",4103,Diego Alvarez,381120003,,diego.alvarez@acme-robotics.example,acme-robotics.example,Diego Alvarez,"
        "Carla Reyes,Support,SSO login loop,sso login,Solved,Urgent,Mail,Incident,2024-06-24 07:45:19,2024-07-01 11:02:44,"
        "2024-06-24 07:45:19,Acme Robotics,,2024-06-24 07:45:19,2024-07-01 11:02:44,,Bad")
    assert later != text
    report = load(store, ("zendesk_later.csv", later))
    assert report.files[0].updated == {"tickets": 1} and report.files[0].added == {"feedback": 1}
    t4103 = next(t for t in tickets_of(store) if t["external_id"] == "4103")
    assert (t4103["status"], t4103["solved_on"], t4103["csat"]) == ("solved", date(2024, 7, 1), 1)
    # undo of the later export restores the ticket as it was and removes the new answer
    store.undo(report.files[0].import_id)
    assert {k: v for k, v in dump_tables(store).items() if k not in ("import_log", "audit", "import_change", "meta", "measure_cache")} == \
        {k: v for k, v in before.items() if k not in ("import_log", "audit", "import_change", "meta", "measure_cache")}


def test_undo_removes_everything_the_ticket_import_added(store):
    load(store, ("people.csv", "Name,Email\nAna Diaz,ana.diaz@copperline.example\n"))
    before = dump_tables(store)
    report = import_paths(store, [DATA / "intercom_conversations.csv"])
    assert tickets_of(store)
    store.undo(report.files[0].import_id)
    after = dump_tables(store)
    for name in ("person", "identifier", "interaction", "participation", "feedback", "ticket"):
        assert after[name] == before[name], name


def test_a_bad_row_refuses_the_whole_file(store):
    text = (DATA / "hubspot_tickets.csv").read_text().replace(",Waiting on us,", ",Gone fishing,", 1)
    with pytest.raises(ImportRefused) as exc:
        load(store, ("hubspot.csv", text))
    problem = exc.value.problems[0]
    assert (problem.row, problem.column) == (5, "Ticket status") and "Gone fishing" in problem.message
    assert "open, pending, solved or closed" in problem.message
    assert tickets_of(store) == [] and not store.has_people()


def test_the_same_ticket_twice_in_one_file_is_refused_citing_both_rows(store):
    lines = (DATA / "hubspot_tickets.csv").read_text().splitlines()
    with pytest.raises(ImportRefused) as exc:
        load(store, ("hubspot.csv", "\n".join([*lines, lines[1].replace("Closed", "New")]) + "\n"))
    assert any("appears twice, in rows 2 and 12" in p.message for p in exc.value.problems)


def test_a_requester_known_only_by_the_help_desks_id_is_kept(store):
    import_paths(store, [DATA / "intercom_conversations.csv"])
    lead = store.find_person("lead_77")
    assert any(t["requester_id"] == lead and t["status"] == "open" for t in tickets_of(store))


def test_erasing_the_requester_removes_their_tickets_and_their_text(store):
    import_paths(store, [DATA / "intercom_conversations.csv"])
    diego = store.find_person("diego.alvarez@acme-robotics.example")
    assert "Charged twice, nobody called back" in stored_strings(store)
    result = store.erase(diego)
    assert result["ticket"] == 1 and result["interaction"] == 1
    assert all(t["requester_id"] != diego for t in tickets_of(store))
    left = " ".join(stored_strings(store))
    assert "Charged twice" not in left and "diego" not in left.casefold()
    assert "215468200000107" not in left  # the ticket's interaction went with it
    assert len(tickets_of(store)) == 9


def test_erasing_an_agent_leaves_the_customers_tickets_unassigned(store):
    import_paths(store, [DATA / "zendesk_tickets.csv"])
    alice = store.find_person("Alice Martin")
    hers = [t["external_id"] for t in tickets_of(store) if t["agent_id"] == alice]
    assert hers
    store.erase(alice)
    rows = {t["external_id"]: t for t in tickets_of(store)}
    assert len(rows) == 12 and all(rows[i]["agent_id"] is None for i in hers)


def test_results_do_not_depend_on_row_order(database_url, another_database):
    lines = (DATA / "zendesk_tickets.csv").read_text().splitlines()
    flipped = "\n".join([lines[0], *reversed(lines[1:])]) + "\n"

    def queue(url, text):
        s = Store(url)
        load(s, ("zendesk.csv", text))
        a = measures(s)
        out = queue_table(s.tickets(), a.people, edges=a.edge_arrays(), labels=a.labels)
        by_email = a.people.set_index("person_id")["email"]
        out["person_id"] = out["person_id"].map(by_email)
        s.close()
        return out

    first = queue(database_url, "\n".join(lines) + "\n")
    second = queue(another_database("flipped"), flipped)
    assert first.to_dict("records") == second.to_dict("records")


# ------------------------------------------------------------------ queue
def test_the_queue_holds_the_open_tickets_ranked_with_a_reason(store):
    for name in FILES:
        import_paths(store, [DATA / name])
    a = measures(store)
    q = queue_table(store.tickets(), a.people, edges=a.edge_arrays(), labels=a.labels)
    assert list(q.columns) == QUEUE_COLUMNS
    assert len(q) == sum(MANIFEST[n]["unsolved"] for n in FILES)
    assert set(q["status"]) <= {"open", "pending"}
    assert list(q["rank"]) == list(range(1, len(q) + 1))
    assert q["score"].is_monotonic_decreasing
    assert (q["reason"].str.len() > 20).all()
    top = q.iloc[0]
    # a detractor who rated a ticket bad outranks everybody without a bad rating
    assert top["feeling"] == "detractor" and top["action"] == "recover" and "rated a ticket bad" in top["reason"]
    assert q.head(1)["risk"].iloc[0] == 1.0
    assert set(q["action"]) <= {"recover", "ask", "elevate", "amplify"}


def test_the_queue_is_kept_until_the_next_import(store, monkeypatch):
    """queue_of reads the ranked queue back while the data is the same (per account manager),
    equal to a fresh ranking; ``top`` cuts the kept queue; an import ranks afresh."""
    import netmap.tickets as tickets

    load(store, ("people.csv", "Record ID,Name,Email,Contact owner,Lifecycle Stage\n"
                               "1,Mei Chen,mei.chen@brightwater.example,Dana Kim,customer\n"))
    for name in FILES:
        import_paths(store, [DATA / name])
    ranked = []
    real = tickets.queue_table
    monkeypatch.setattr(tickets, "queue_table", lambda *a, **k: ranked.append(k.get("owner")) or real(*a, **k))
    whole = tickets.queue_of(store)
    assert tickets.queue_of(store, top=3).equals(whole.head(3)) and ranked == [None]
    a = measures(store)
    fresh = real(store.tickets(), a.people, edges=a.edge_arrays(), labels=a.labels)
    assert whole.to_csv(index=False) == fresh.to_csv(index=False)
    owner = "Dana Kim"
    book = tickets.queue_of(store, owner=owner)
    assert len(book) and set(book["owner"]) == {owner} and ranked == [None, owner]
    tickets.queue_of(store)
    assert ranked == [None, owner]  # each book's queue kept beside the whole one
    import_paths(store, [DATA / FILES[0]])  # nothing new: the data version stays, so does the queue
    tickets.queue_of(store)
    load(store, ("more.csv", "Record ID,Name,Email\n990,New Doe,new.doe@x.example\n"))
    tickets.queue_of(store)
    assert ranked == [None, owner, None]


def test_the_queue_of_one_account_managers_book(store):
    load(store, ("people.csv", "Record ID,Name,Email,Contact owner,Lifecycle Stage\n"
                               "1,Mei Chen,mei.chen@brightwater.example,Dana Kim,customer\n"
                               "2,Tom Becker,tom.becker@harbor.example,Eli Ross,customer\n"))
    import_paths(store, [DATA / "zendesk_tickets.csv"])
    a = measures(store)
    q = queue_table(store.tickets(), a.people, owner="dana kim")
    assert list(q["ticket_id"]) == ["4108"] and q["owner"].tolist() == ["Dana Kim"]
    from netmap.errors import NetmapError

    with pytest.raises(NetmapError, match="owners: Dana Kim, Eli Ross"):
        queue_table(store.tickets(), a.people, owner="Nobody")


def _cli(url, *args, capsys):
    code = main(["--db", url, *args])
    return code, capsys.readouterr()


def test_queue_cli_csv_json_top_owner_and_out(database_url, capsys, tmp_path):
    code, out = _cli(database_url, "queue", capsys=capsys)
    assert code != 0 and "no support tickets yet" in out.err and "Traceback" not in out.err
    for name in FILES:
        assert _cli(database_url, "import", str(DATA / name), capsys=capsys)[0] == 0
    code, out = _cli(database_url, "queue", capsys=capsys)
    rows = list(csv.DictReader(io.StringIO(out.out)))
    assert code == 0 and list(rows[0]) == QUEUE_COLUMNS and len(rows) == 20
    code, out = _cli(database_url, "queue", "--format", "json", "--top", "3", capsys=capsys)
    data = json.loads(out.out)
    assert len(data) == 3 and [r["rank"] for r in data] == [1, 2, 3] and data[0]["ticket_id"] == rows[0]["ticket_id"]
    path = tmp_path / "queue.csv"
    code, out = _cli(database_url, "queue", "--out", str(path), capsys=capsys)
    assert code == 0 and path.read_text(encoding="utf-8") == "".join(
        f"{line}\n" for line in path.read_text(encoding="utf-8").splitlines())
    assert len(list(csv.DictReader(path.open(encoding="utf-8")))) == 20
    code, out = _cli(database_url, "queue", "--owner", "Nobody", capsys=capsys)
    assert code != 0 and "no account manager 'Nobody'" in out.err


def test_import_kind_tickets_can_be_forced(store):
    [prep] = prepare([("z.csv", (DATA / "zendesk_tickets.csv").read_bytes())], ImportOptions(kind="tickets"))
    assert prep.ok and prep.mapping.kind == "tickets"


def test_a_merge_moves_the_tickets_and_its_undo_moves_them_back(store):
    import_paths(store, [DATA / "freshdesk_tickets.csv"])  # Ana Diaz by email (ticket 10) and by name only (3)
    by_email = store.find_person("ana.diaz@copperline.example")
    by_name = next(t["requester_id"] for t in tickets_of(store) if t["external_id"] == "3")
    assert by_email != by_name
    before = {t["external_id"]: t["requester_id"] for t in tickets_of(store)}
    merged = store.merge(by_email, by_name)
    after = {t["external_id"]: t["requester_id"] for t in tickets_of(store)}
    assert after["3"] == after["10"] == by_email and len(after) == 10
    assert merged["moved"].get("ticket") == 1
    store.undo(merged["merge_id"])
    assert {t["external_id"]: t["requester_id"] for t in tickets_of(store)} == before


def test_the_synthetic_company_can_have_a_ticket_export_without_changing_its_other_files(tmp_path, store):
    from tools.synth import TICKET_COLUMNS, generate_company, write_company, write_tickets

    company = generate_company(300, 7)
    before = {p.name: p.read_bytes() for p in write_company(company, tmp_path / "a", xlsx=False)}
    path = write_tickets(company, tmp_path / "t")
    after = {p.name: p.read_bytes() for p in write_company(generate_company(300, 7), tmp_path / "b", xlsx=False)}
    assert before == after
    assert write_tickets(generate_company(300, 7), tmp_path / "u").read_bytes() == path.read_bytes()
    table = read_tables(path.read_bytes(), path.name)[0]
    assert table.headers == TICKET_COLUMNS and detect_kind(table) == "tickets"
    report = import_paths(store, [path])
    assert report.files[0].added["tickets"] == len(table.rows) > 0


def test_queue_on_a_terminal_prints_a_table_with_each_reason_in_full(database_url, capsys, monkeypatch):
    import sys

    assert _cli(database_url, "import", str(DATA / "zendesk_tickets.csv"), capsys=capsys)[0] == 0
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    code, out = _cli(database_url, "queue", capsys=capsys)
    lines = out.out.splitlines()
    assert code == 0 and lines[0].split()[:4] == ["rank", "ticket", "status", "requester"]
    assert len(lines) == 1 + 2 * 5 and lines[1].split()[:2] == ["1", "4108"]
    assert lines[2].strip().startswith("detractor, rated a ticket bad") and lines[2].endswith("call them")


def test_an_unreadable_rating_is_a_warning_and_the_ticket_is_kept_unrated(store):
    text = (DATA / "zendesk_tickets.csv").read_text().replace(",Good,1,1,0,2\n", ",Meh,1,1,0,2\n", 1)
    report = load(store, ("zendesk.csv", text))
    warned = [w for w in report.warnings if w.column == "Satisfaction Score"]
    assert len(warned) == 1 and "'Meh' not understood" in warned[0].message and warned[0].row == 2
    assert next(t for t in store.tickets() if t["external_id"] == "4101")["csat"] is None
    assert report.files[0].added["feedback"] == MANIFEST["zendesk_tickets.csv"]["rated"] - 1
