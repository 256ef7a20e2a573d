"""Writing back to the CRM (``python -m netmap crm-export``, the Nurture page's "Download for your CRM"):
one row per person keyed by the CRM's own id, netmap's fields as custom properties, formula-safe."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import select

from netmap import Store
from netmap.analysis import measures
from netmap.cli import main
from netmap.crm_export import COLUMNS, FORMATS, crm_export, stored_crm_ids, to_crm_csv
from netmap.errors import NetmapError
from netmap.queries import nurture_list
from netmap.storage.tables import person

from .conftest import drop_database, load, open_app, sample_database
from .test_cli import run

NETMAP = ["netmap_action", "netmap_nurture_score", "netmap_bridge_score", "netmap_spread", "netmap_community",
          "netmap_reason"]
TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory):
    url = sample_database(tmp_path_factory, "crm")
    yield url
    drop_database(url)


@pytest.fixture(scope="module")
def sample(sample_db):
    """``(people, crm_ids, stored)``: the analysis' people, every person's CRM ids, and
    ``{person_id: (crm_id, email)}`` as the person table stores them."""
    store = Store(sample_db)
    try:
        people = measures(store).people
        ids = stored_crm_ids(store)
        with store.engine.connect() as conn:
            stored = {pid: (c, e) for pid, c, e in conn.execute(select(person.c.id, person.c.crm_id, person.c.email))}
    finally:
        store.close()
    return people, ids, stored


def rows_of(text: str) -> list[dict]:
    return list(csv.DictReader(io.StringIO(text)))


def header_of(text: str) -> list[str]:
    return next(csv.reader(io.StringIO(text)))


# ------------------------------------------------------------------ the pure function
@pytest.mark.parametrize("fmt, key", [("hubspot", ["Record ID", "Email"]), ("salesforce", ["Id", "Email"]),
                                      ("csv", ["person_id", "crm_id", "email", "name", "company", "owner"])])
def test_each_format_has_its_columns_in_order(sample, fmt, key):
    people, ids, _ = sample
    assert COLUMNS[fmt] == key + NETMAP  # the contract
    rows = crm_export(people, fmt, crm_ids=ids).rows
    assert list(rows.columns) == key + NETMAP
    assert header_of(to_crm_csv(rows)) == key + NETMAP


def test_one_row_per_person_with_the_nurture_fields_rounded(sample):
    people, ids, stored = sample
    rows = crm_export(people, "csv", crm_ids=ids).rows
    assert len(rows) == len(people[people["stage"] != "team"]) == 400 and rows["person_id"].is_unique
    assert rows["netmap_nurture_score"].is_monotonic_decreasing  # the best first
    by_id = people.set_index("person_id")
    listed = nurture_list(people).set_index("person_id")
    for r in rows.to_dict(orient="records"):
        pid = r["person_id"]
        assert r["crm_id"] == (stored[pid][0] or "") and r["email"] == by_id.at[pid, "email"]
        if pid in listed.index:  # the nurture action and its reason, as `nurture` gives them
            assert r["netmap_action"] == listed.at[pid, "action"] and r["netmap_reason"] == listed.at[pid, "reason"]
            assert r["netmap_action"] in {"amplify", "elevate", "recover", "ask"} and r["netmap_nurture_score"] > 0
        else:
            assert r["netmap_action"] == "" and r["netmap_reason"] == "" and r["netmap_nurture_score"] == 0
        assert r["netmap_community"] == by_id.at[pid, "community"]
        assert r["netmap_spread"] == round(by_id.at[pid, "spread"], 1)
        assert r["netmap_bridge_score"] == round(by_id.at[pid, "bridge_score"], 3)
        assert r["netmap_nurture_score"] == round(by_id.at[pid, "nurture_score"], 3)
    text = to_crm_csv(rows)
    for r in rows_of(text):
        assert re.fullmatch(r"\d+(\.\d{1,3})?", r["netmap_nurture_score"]) and re.fullmatch(r"\d+(\.\d)?", r["netmap_spread"])


def test_hubspot_record_ids_are_the_stored_crm_ids(sample):
    """The round trip: each Record ID is the stored CRM id of the person whose email is on the row;
    Salesforce ids are not HubSpot's, so those rows are keyed by email alone."""
    people, ids, stored = sample
    text = to_crm_csv(crm_export(people, "hubspot", crm_ids=ids).rows)
    rows = rows_of(text)
    assert len(rows) == 400  # everyone in the sample has an email
    by_email = {e: c for c, e in stored.values()}
    keyed = [r for r in rows if r["Record ID"]]
    assert keyed and all(by_email[r["Email"]] == r["Record ID"] for r in keyed)
    hubspot_ids = {c for c, _ in stored.values() if c and c.isdigit()}
    assert {r["Record ID"] for r in keyed} == hubspot_ids
    salesforce_people = [r for r in rows if (by_email[r["Email"]] or "").startswith("003")]
    assert len(salesforce_people) == 46 and all(r["Record ID"] == "" for r in salesforce_people)


def test_salesforce_ids_are_the_toronto_contact_ids(sample):
    people, ids, stored = sample
    rows = crm_export(people, "salesforce", crm_ids=ids).rows
    keyed = rows[rows["Id"] != ""]
    assert len(keyed) == 46 and keyed["Id"].str.fullmatch(r"[A-Za-z0-9]{18}").all()
    by_email = {e: c for c, e in stored.values()}
    assert all(by_email[e] == i for e, i in zip(keyed["Email"], keyed["Id"]))
    assert len(rows) == 400 and (rows["Email"] != "").all()


def test_people_without_an_id_or_an_email_are_left_out_and_counted(sample):
    people, ids, _ = sample
    no_id = people[~people["person_id"].isin(ids)]["person_id"].head(3).tolist()  # referral-only prospects
    assert len(no_id) == 3
    blank = people.assign(email=people["email"].where(~people["person_id"].isin(no_id)))
    for fmt, name in (("hubspot", "HubSpot Record ID"), ("salesforce", "Salesforce Id")):
        export = crm_export(blank, fmt, crm_ids=ids)
        assert len(export.rows) == 397 and export.left_out == 3
        assert export.note.startswith("left out 3 people with neither a " + name + " nor an email")
        assert "\n" not in export.note
    everyone = crm_export(blank, "csv", crm_ids=ids)
    assert len(everyone.rows) == 400 and everyone.left_out == 0 and everyone.note == ""
    assert crm_export(people, "hubspot", crm_ids=ids).left_out == 0


def test_one_owners_book_and_the_top_scores(sample):
    people, ids, _ = sample
    owner = sorted(people["owner"].dropna().unique())[0]
    mine = crm_export(people, "csv", owner.upper(), crm_ids=ids).rows  # case-insensitive, as `nurture --owner`
    assert 0 < len(mine) < len(people) and set(mine["owner"]) == {owner}
    assert len(mine) == (people["owner"] == owner).sum()
    top = crm_export(people, "hubspot", top=5, crm_ids=ids).rows
    assert len(top) == 5 and top["netmap_nurture_score"].tolist() == sorted(people["nurture_score"], reverse=True)[:5]
    assert len(crm_export(people, "hubspot", owner, 3, crm_ids=ids).rows) == 3
    assert crm_export(people, "csv", top=0, crm_ids=ids).rows.empty
    with pytest.raises(NetmapError, match="no account manager 'Nobody'"):
        crm_export(people, "csv", "Nobody", crm_ids=ids).rows
    with pytest.raises(NetmapError, match=r"\(top\) must be 0 or more"):
        crm_export(people, "csv", top=-1, crm_ids=ids).rows
    with pytest.raises(NetmapError, match="unknown CRM format 'pipedrive'"):
        crm_export(people, "pipedrive").rows


def test_the_cli_and_the_library_offer_the_same_formats():
    from netmap import cli_crm

    assert cli_crm.FORMATS == FORMATS == tuple(COLUMNS)


# ------------------------------------------------------------------ hostile data
HOSTILE_PEOPLE = (
    "Record ID,Email,Name,Company,Lifecycle Stage,Contact owner,Last NPS survey rating\n"
    '101,a@evil.test,"=HYPERLINK(""http://evil"",""x"")",-Corp,customer,+Owner,10\n'
    "102,b@evil.test,@SUM(1+1),-Corp,customer,+Owner,9\n"
    "103,c@evil.test,Plain Person,-Corp,customer,+Owner,3\n"
)
HOSTILE_TIES = "Person A,Person B,Relationship\na@evil.test,b@evil.test,knows\nb@evil.test,c@evil.test,knows\n"


def test_formula_text_comes_out_prefixed(database_url):
    store = Store(database_url)
    try:
        load(store, ("p.csv", HOSTILE_PEOPLE), ("r.csv", HOSTILE_TIES))
        people, ids = measures(store).people, stored_crm_ids(store)
    finally:
        store.close()
    rows = rows_of(to_crm_csv(crm_export(people, "csv", crm_ids=ids).rows))
    names = {r["name"] for r in rows}
    assert "'=HYPERLINK(\"http://evil\",\"x\")" in names and "'@SUM(1+1)" in names and "Plain Person" in names
    assert {r["company"] for r in rows} == {"'-Corp"} and {r["owner"] for r in rows} == {"'+Owner"}
    for fmt in FORMATS:
        for row in rows_of(to_crm_csv(crm_export(people, fmt, crm_ids=ids).rows)):
            for value in row.values():
                assert not value.startswith(TRIGGERS), (fmt, value)
    hub = rows_of(to_crm_csv(crm_export(people, "hubspot", crm_ids=ids).rows))
    assert sorted(r["Record ID"] for r in hub) == ["101", "102", "103"]


# ------------------------------------------------------------------ the command
def test_cli_end_to_end(sample_db, tmp_path, sample):
    out = tmp_path / "hubspot.csv"
    r = run(sample_db, "crm-export", "--format", "hubspot", "--out", str(out))
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"wrote 400 rows to {out}" and r.stderr == ""
    text = out.read_text(encoding="utf-8")
    assert header_of(text) == COLUMNS["hubspot"] and len(rows_of(text)) == 400
    people, ids, _ = sample
    assert text == to_crm_csv(crm_export(people, "hubspot", crm_ids=ids).rows)  # the library's rows, as they are


def test_cli_owner_top_and_standard_output(sample_db, capsys, sample):
    people, _, _ = sample
    owner = sorted(people["owner"].dropna().unique())[1]
    assert main(["--db", sample_db, "crm-export", "--format", "csv", "--owner", owner, "--top", "4", "--out", "-"]) == 0
    got = capsys.readouterr()
    rows = rows_of(got.out)  # standard output is the file alone
    assert header_of(got.out) == COLUMNS["csv"] and len(rows) == 4 and {r["owner"] for r in rows} == {owner}
    assert got.err.strip() == "wrote 4 rows to -"


def test_cli_errors_are_one_line(sample_db, tmp_path, capsys):
    out = tmp_path / "x.csv"
    assert main(["--db", sample_db, "crm-export", "--format", "hubspot", "--owner", "Nobody", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("netmap: no account manager 'Nobody'") and err.count("\n") == 1 and "Traceback" not in err
    assert not out.exists()
    with pytest.raises(SystemExit) as exc:  # argparse: usage and exit 2
        main(["--db", sample_db, "crm-export", "--format", "pipedrive", "--out", str(out)])
    assert exc.value.code == 2 and "invalid choice: 'pipedrive'" in capsys.readouterr().err
    assert main(["--db", sample_db, "crm-export", "--format", "csv", "--out", str(tmp_path / "no" / "x.csv")]) == 1
    err = capsys.readouterr().err
    assert err.startswith("netmap: cannot write ") and err.count("\n") == 1


def test_cli_says_who_was_left_out_in_one_line(database_url, tmp_path, capsys):
    store = Store(database_url)
    load(store, ("p.csv", "Name,Company,Contact owner,Lifecycle Stage\nNo Ids,Acme,Ann,customer\n"),
         ("q.csv", "Record ID,Name,Company,Contact owner,Lifecycle Stage\n77,Only Id,Acme,Ann,customer\n"))
    store.close()
    out = tmp_path / "h.csv"
    assert main(["--db", database_url, "crm-export", "--format", "hubspot", "--out", str(out)]) == 0
    got = capsys.readouterr()
    assert got.out.strip() == f"wrote 1 rows to {out}"
    assert got.err == ("netmap: left out 1 person with neither a HubSpot Record ID nor an email: "
                       "HubSpot could not match them to a contact\n")
    assert [r["Record ID"] for r in rows_of(out.read_text(encoding="utf-8"))] == ["77"]


def test_cli_on_an_empty_database(database_url, capsys):
    assert main(["--db", database_url, "crm-export", "--format", "csv", "--out", "-"]) == 1
    assert capsys.readouterr().err.startswith("netmap: there is no data yet")


# ------------------------------------------------------------------ the Nurture page
def test_the_nurture_page_offers_the_file_for_the_crm(sample_db, monkeypatch, downloads):
    at = open_app(monkeypatch, sample_db, "pages/nurture.py")
    assert not at.error
    assert "Download for your CRM" in [h.value for h in at.subheader]
    name, data = downloads["nurture_crm_csv"]
    text = data.decode("utf-8")
    assert name == "netmap-hubspot.csv" and header_of(text) == COLUMNS["hubspot"] and len(rows_of(text)) == 400

    at.selectbox(key="nurture_crm_format").set_value("salesforce").run()
    assert not at.exception
    name, data = downloads["nurture_crm_csv"]
    assert name == "netmap-salesforce.csv" and header_of(data.decode("utf-8")) == COLUMNS["salesforce"]

    at.selectbox(key="nurture_crm_format").set_value("csv").run()
    owner = at.selectbox(key="nurture_owner").options[1]
    at.selectbox(key="nurture_owner").set_value(owner).run()
    assert not at.exception
    name, data = downloads["nurture_crm_csv"]
    rows = rows_of(data.decode("utf-8"))
    assert name == "netmap-csv.csv" and rows and {r["owner"] for r in rows} == {owner}  # the book on show


def test_your_team_is_not_written_to_the_crm(sample):
    """The sample's six support agents (stage team, from the ticket export) are netmap people,
    not the CRM's contacts: no format writes them, and nobody counts them as left out."""
    people, ids, _ = sample
    team = set(people.loc[people["stage"] == "team", "person_id"])
    assert len(team) == 6
    for fmt in ("hubspot", "salesforce", "csv"):
        export = crm_export(people, fmt, crm_ids=ids)
        assert export.left_out == 0
        if fmt == "csv":
            assert not team & set(export.rows["person_id"])
