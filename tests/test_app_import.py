"""The Import page, headless (Streamlit's AppTest), and netmap.ingest.upload, its logic."""

from __future__ import annotations

import io
import zipfile

import pytest
from streamlit.testing.v1 import AppTest

from netmap import Store
from netmap.errors import Problem
from netmap.ingest.upload import (
    NOT_USED,
    field_choices,
    list_sheets,
    mapping_conflicts,
    prepare_one,
    preview_frame,
    problem_codes,
    problems_frame,
    suggested_mapping,
)

from .conftest import ROOT

PAGE = "pages/import_data.py"
PEOPLE = (
    "Record ID,First Name,Last Name,Email,Company,Lifecycle Stage\n"
    "1,Ann,Lee,ann@acme.com,Acme,customer\n"
    "2,Bo,Chen,bo@acme.com,Acme,customer\n"
)
REFERRALS = "Referrer Email,Referred Email,Date\nann@acme.com,bo@acme.com,2024-03-01\n"
HOSTILE = (
    "Email,Name,Company\n"
    'evil@x.com,<img src=x onerror=alert(1)>,"=HYPERLINK(""http://evil"")"\n'
    "link@x.com,[click](javascript:alert(1)),**bold**\n"
)


# ------------------------------------------------------------- the page --
@pytest.fixture
def db(database_url, monkeypatch):
    url = database_url
    monkeypatch.setenv("NETMAP_DATABASE_URL", url)
    return url


def open_page(db) -> AppTest:
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.switch_page(PAGE).run()
    assert not at.exception
    return at


def upload(at: AppTest, *files: tuple[str, str | bytes]) -> AppTest:
    at.file_uploader[0].set_value(
        [(name, body.encode("utf-8") if isinstance(body, str) else body, "text/csv") for name, body in files]
    )
    at.run()
    assert not at.exception
    return at


def summary(db) -> dict:
    s = Store(db)
    try:
        return s.summary()
    finally:
        s.close()


def texts(at: AppTest, kind: str) -> list[str]:
    return [e.value for e in getattr(at, kind)]


def shown(at: AppTest, kind: str) -> list[str]:
    """The texts as the page shows them (Markdown escapes removed)."""
    return [t.replace("\\", "") for t in texts(at, kind)]


def test_empty_page_offers_the_uploader_and_an_empty_log(db):
    at = open_page(db)
    up = at.file_uploader[0]
    assert up.accept_multiple_files
    assert set(up.allowed_type) >= {".csv", ".tsv", ".xlsx", ".zip"}
    assert "Nothing imported yet." in texts(at, "markdown")
    assert any("Import log" in h for h in texts(at, "subheader"))


def test_upload_check_import_then_undo(db):
    at = upload(open_page(db), ("people.csv", PEOPLE), ("referrals.csv", REFERRALS))
    kinds = [s.value for s in at.selectbox if s.label == "What this file holds"]
    assert kinds == ["people", "referrals"]
    assert any("2 file(s), 3 rows ready to import" in t for t in texts(at, "success"))
    # the mapping is shown in select boxes per field
    email = next(s for s in at.selectbox if s.key.endswith("|people|email"))
    assert email.value == "Email" and NOT_USED in email.options
    # preview: the file's rows, as text
    previews = [d.value for d in at.dataframe if "Record ID" in d.value.columns]
    assert previews and list(previews[0]["Email"]) == ["ann@acme.com", "bo@acme.com"]
    assert summary(db)["people"] == 0  # nothing written before Import

    at.button(key="import").click().run()
    assert not at.exception
    assert any(t.startswith("Imported 2 file(s)") for t in texts(at, "success"))
    report = at.dataframe[0].value
    assert list(report["file"]) == ["people.csv", "referrals.csv"] and "2 people" in report["added"].iloc[0]
    s = summary(db)
    assert s["people"] == 2 and s["referrals"] == 1 and s["imports"] == 2
    assert len(at.file_uploader[0].value or []) == 0  # the uploader is cleared

    undo = [b for b in at.button if b.key and b.key.startswith("undo_")]
    assert len(undo) == 2
    # the people file is built on by the referral file: refused at once, with the reason in the page
    people_import = max(int(b.key.split("_")[1]) for b in undo) - 1
    at.button(key=f"undo_{people_import}").click().run()
    assert not at.exception
    assert any("cannot be undone yet" in e for e in texts(at, "error"))
    assert not [b for b in at.button if b.key and b.key.startswith("undo_yes_")]
    assert summary(db)["people"] == 2
    # newest first works, then the people import too; each asks first, in plain counts
    at.button(key=f"undo_{people_import + 1}").click().run()
    assert shown(at, "warning") == [f"Undo import #{people_import + 1} (referrals.csv)? It removes 1 tie."]
    assert summary(db)["referrals"] == 1  # nothing undone before the answer
    at.button(key=f"undo_yes_{people_import + 1}").click().run()
    assert shown(at, "success") == [f"Import #{people_import + 1} (referrals.csv) undone: removed 1 tie."]
    at.button(key=f"undo_{people_import}").click().run()
    assert shown(at, "warning") == [f"Undo import #{people_import} (people.csv)? It removes 2 people."]
    at.button(key=f"undo_yes_{people_import}").click().run()
    assert not at.exception
    assert any("removed 2 people" in t for t in texts(at, "success"))
    s = summary(db)
    assert s["people"] == 0 and s["imports"] == 0
    assert not [b for b in at.button if b.key and b.key.startswith("undo_")]


def test_undo_asks_first_and_cancel_changes_nothing(db):
    at = upload(open_page(db), ("people.csv", PEOPLE))
    at.button(key="import").click().run()
    [undo] = [b for b in at.button if b.key and b.key.startswith("undo_")]
    import_id = undo.key.split("_")[1]
    undo.click().run()
    [question] = shown(at, "warning")
    assert question == f"Undo import #{import_id} (people.csv)? It removes 2 people."
    assert "identifier" not in question and "rows" not in question
    at.button(key=f"undo_no_{import_id}").click().run()
    assert not at.exception and not texts(at, "warning") and summary(db)["people"] == 2
    assert not [b for b in at.button if b.key and b.key.startswith("undo_yes_")]


def test_bad_file_is_explained_and_blocks_the_import(db):
    at = upload(open_page(db), ("people.csv", PEOPLE), ("notes.csv", "foo,bar\n1,2\n"),
                ("empty.csv", b""), ("photo.csv", b"\x89PNG\r\n\x1a\n0000"))
    assert any("problem(s) must be fixed before importing" in e for e in texts(at, "error"))
    problems = next(d.value for d in at.dataframe if list(d.value.columns) == ["file", "row", "column", "problem"])
    assert {"notes.csv", "empty.csv", "photo.csv"} <= set(problems["file"])
    assert "people.csv" not in set(problems["file"])
    assert at.button(key="import").disabled
    assert summary(db)["people"] == 0


def test_row_problems_and_skip_invalid_rows(db):
    bad = "Record ID,First Name,Email,Create Date\n1,Ann,ann@acme.com,2024-01-01\n2,Bo,bo@acme.com,2024-13-45\n"
    at = upload(open_page(db), ("people.csv", bad))
    problems = next(d.value for d in at.dataframe if list(d.value.columns) == ["file", "row", "column", "problem"])
    assert problems[["file", "row", "column"]].values.tolist() == [["people.csv", 3, "Create Date"]]
    assert at.button(key="import").disabled
    at.checkbox(key="skip_invalid").check().run()
    assert not at.exception
    assert not at.button(key="import").disabled
    at.button(key="import").click().run()
    assert summary(db)["people"] == 1


def test_ambiguous_dates_offer_the_date_order(db):
    body = "Record ID,Email,Create Date\n1,ann@acme.com,01/02/2024\n2,bo@acme.com,03/04/2024\n"
    at = upload(open_page(db), ("people.csv", body))
    assert at.button(key="import").disabled
    order = at.radio(key="date_order")
    assert order.value is None
    order.set_value("dmy").run()
    assert not at.exception
    assert not at.button(key="import").disabled
    at.button(key="import").click().run()
    s = Store(db)
    try:
        created = s.load_dataset().people[0].created
    finally:
        s.close()
    assert (created.day, created.month) == (1, 2)


def test_kind_and_mapping_can_be_corrected(db):
    body = "Work address,Who,Employer\nann@acme.com,Ann Lee,Acme\n"
    at = upload(open_page(db), ("contacts.csv", body))
    # "Work address" is not an email alias, but "Who"/"Employer"? nothing recognised: the user says the kind
    kind = next(s for s in at.selectbox if s.label == "What this file holds")
    if kind.value is None:
        assert any("could not tell what this file holds" in t for t in texts(at, "info"))
        kind.set_value("people").run()
    email = next(s for s in at.selectbox if s.key.endswith("|people|email"))
    email.set_value("Work address").run()
    name = next(s for s in at.selectbox if s.key.endswith("|people|name"))
    name.set_value("Who").run()
    company = next(s for s in at.selectbox if s.key.endswith("|people|company"))
    company.set_value("Employer").run()
    assert not at.exception
    assert not at.button(key="import").disabled
    # the same column for two fields is a problem of its own
    next(s for s in at.selectbox if s.key.endswith("|people|owner")).set_value("Who").run()
    assert any("chosen for 2 fields" in str(d.value.values.tolist()) for d in at.dataframe)
    assert at.button(key="import").disabled
    next(s for s in at.selectbox if s.key.endswith("|people|owner")).set_value(NOT_USED).run()
    at.button(key="import").click().run()
    assert not at.exception
    s = Store(db)
    try:
        person = s.load_dataset().people[0]
    finally:
        s.close()
    assert (person.email, person.name, person.company) == ("ann@acme.com", "Ann Lee", "Acme")


def test_changing_the_kind_remaps_the_file(db):
    body = "Email,Score,Comment\nann@acme.com,9,great\n"
    at = upload(open_page(db), ("survey.csv", body))
    kind = next(s for s in at.selectbox if s.label == "What this file holds")
    assert kind.value == "feedback"
    assert next(s for s in at.selectbox if s.key.endswith("|feedback|score")).value == "Score"
    kind.set_value("people").run()
    assert not at.exception
    assert next(s for s in at.selectbox if s.key.endswith("|people|email")).value == "Email"
    kind = next(s for s in at.selectbox if s.label == "What this file holds")
    kind.set_value("feedback").run()
    at.button(key="import").click().run()
    assert summary(db)["feedback"] == 1


def test_workbook_sheets_and_zip_members_are_offered(db):
    xlsx = (ROOT / "data" / "sample" / "salesforce-toronto.xlsx").read_bytes()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("Contacts_001.csv", PEOPLE)
        zf.writestr("Referrals_001.csv", REFERRALS)
    at = open_page(db)
    at.file_uploader[0].set_value([("toronto.xlsx", xlsx, "application/octet-stream"),
                                   ("zoho.zip", buf.getvalue(), "application/zip")])
    at.run()
    assert not at.exception
    sheets = {m.label: m for m in at.multiselect}
    assert sheets["Sheets to import"].value == ["Contacts"]  # the sheet netmap recognises
    assert sheets["Files in the archive to import"].value == ["Contacts_001.csv", "Referrals_001.csv"]
    assert not at.button(key="import").disabled
    at.button(key="import").click().run()
    assert not at.exception
    s = summary(db)
    assert s["people"] == 48 and s["referrals"] == 1 and s["imports"] == 3


def test_hostile_cells_are_shown_as_text(db):
    at = upload(open_page(db), ("evil.csv", HOSTILE))
    preview = next(d.value for d in at.dataframe if "Name" in d.value.columns)
    assert list(preview["Name"]) == ["<img src=x onerror=alert(1)>", "[click](javascript:alert(1))"]
    for kind in ("markdown", "caption", "success", "error", "info", "subheader"):
        for t in texts(at, kind):
            assert "<img" not in t and "](javascript" not in t
    at.button(key="import").click().run()
    assert not at.exception and summary(db)["people"] == 2


def test_hostile_file_name_is_text(db):
    at = upload(open_page(db), ("<img src=x onerror=alert(1)>[x](javascript:1).csv", PEOPLE))
    assert any("\\<img" in h for h in texts(at, "subheader"))
    assert not any("<img" in h.replace("\\<", "") for h in texts(at, "subheader"))


def test_likely_duplicates_are_listed(db):
    body = PEOPLE + "3,Ann,Lee,ann.lee@acme.com,Acme,customer\n"
    at = upload(open_page(db), ("people.csv", body))
    at.button(key="import").click().run()
    assert not at.exception
    reviews = next(d.value for d in at.dataframe if "maybe the same as" in d.value.columns)
    assert len(reviews) == 1 and set(reviews[["person", "maybe the same as"]].iloc[0]) == {"Ann Lee"}
    # a link to the page that decides them
    [link] = [e.proto for e in at.get("page_link") if "likely duplicate" in e.proto.label]
    assert link.label.startswith("1 likely duplicate to review") and link.page.endswith("review")


# ------------------------------------------------------- netmap.ingest.upload --
def test_list_sheets_of_text_workbook_and_garbage():
    assert [(s.name, s.kind) for s in list_sheets("p.csv", PEOPLE.encode())] == [(None, "people")]
    xlsx = (ROOT / "data" / "sample" / "salesforce-toronto.xlsx").read_bytes()
    assert [(s.name, s.kind) for s in list_sheets("t.xlsx", xlsx)] == [("Contacts", "people"), ("Report Info", None)]
    assert list_sheets("e.csv", b"") == []


def test_prepare_one_applies_kind_mapping_and_not_used():
    prep = prepare_one("p.csv", PEOPLE.encode(), mapping={"company": NOT_USED})
    assert prep.ok and "company" not in prep.mapping.columns
    prep = prepare_one("p.csv", PEOPLE.encode(), kind="people", mapping={"owner": "Company", "company": ""})
    assert prep.mapping.header_of("owner") == "Company"
    assert suggested_mapping(prep, "people")["owner"] == "Company"
    bad = prepare_one("p.csv", PEOPLE.encode(), kind="referrals")
    assert not bad.ok and bad.mapping is None
    assert suggested_mapping(bad, "referrals") == {}


def test_helpers_make_plain_tables():
    assert field_choices(["a", "b", "a"]) == [NOT_USED, "a", "b"]
    conflicts = mapping_conflicts("f.csv", {"email": "E", "name": "E", "company": NOT_USED, "owner": NOT_USED})
    assert [(p.column, p.row) for p in conflicts] == [("E", 1)]
    frame = problems_frame([Problem("f.csv", None, None, "whole file"), Problem("f.csv", 3, "Email", "bad")])
    assert frame.values.tolist()[1] == ["f.csv", 3, "Email", "bad"] and frame["row"].isna().iloc[0]
    prep = prepare_one("d.csv", b"Email,email\nx@y.z,z@y.x\n")
    cols = list(preview_frame(prep).columns)
    assert cols[0] == "row" and len(set(cols)) == len(cols) == 3
    ambiguous = prepare_one("p.csv", b"Email,Create Date\na@b.c,01/02/2024\n")
    assert "ambiguous_dates" in problem_codes([ambiguous]) and "ambiguous_dates" not in problem_codes([prep])


# ------------------------------------------------------ whose export is this --
EXPORTS = ROOT / "tests" / "data" / "exports"


def test_a_linkedin_export_is_read_as_one_and_tied_to_the_team_member_named(db):
    at = upload(open_page(db), ("Connections.csv", (EXPORTS / "linkedin_alice.csv").read_bytes()))
    captions = texts(at, "caption")
    assert any(c.startswith("Read as: people export (LinkedIn connections)") for c in captions), captions
    whose = next(s for s in at.selectbox if s.label == "Whose export is this?")
    assert whose.value.startswith("Someone else")  # a connections export, and no team member yet
    assert any("whose it is" in t for t in texts(at, "info"))
    at.text_input(key=next(t.key for t in at.text_input if t.label == "Team member's name or email")).input(
        "Alice Martin").run()
    assert not at.exception
    at.button(key="import").click().run()
    assert not at.exception
    report = at.dataframe[0].value
    assert "10 relationships" in report["added"].iloc[0] and "LinkedIn" in report["read as"].iloc[0]
    s = Store(db)
    try:
        assert s.team_members() == ["Alice Martin"]
        assert s.summary()["people"] == 11
    finally:
        s.close()
    # the next connections export offers her by name
    at = upload(at, ("Connections (1).csv", (EXPORTS / "linkedin_bob.csv").read_bytes()))
    whose = next(s for s in at.selectbox if s.label == "Whose export is this?")
    assert "Alice Martin" in whose.options


def test_the_paths_page_starts_from_the_team(db):
    from netmap.ingest.importer import ImportOptions, import_paths

    s = Store(db)
    try:
        import_paths(s, [EXPORTS / "linkedin_alice.csv"], ImportOptions(from_person="Alice Martin"))
        import_paths(s, [EXPORTS / "hubspot_contacts.csv", EXPORTS / "hubspot_deals.csv"])
    finally:
        s.close()
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120).run()
    at.switch_page("pages/paths.py").run()
    at.radio(key="paths_source_kind").set_value("Your team").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Possible introducers"] == "1" and metrics["Paths"] != "0", metrics
