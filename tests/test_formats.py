"""Each vendor's export layout (HubSpot, Salesforce, Pipedrive, Zoho, survey tools...):
detected, mapped and imported as it comes."""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
import pytest

from netmap.ingest.columns import detect_kind, map_columns
from netmap.ingest.tabular import read_tables

from .conftest import load
from .test_bad_inputs import reimport_changes_nothing

HUBSPOT = (
    "\ufeffRecord ID,First Name,Last Name,Email,Contact owner,Lifecycle Stage,Lead Status,Original Source,"
    "Last NPS survey rating,Last NPS survey date,Last NPS survey comment,Associated Company,Create Date,Referred by\n"
    "101,Ann,Lee,Ann.Lee@Acme.com,Maria Diaz,customer,Open,Referrals,9,2025-06-01,\"Great, really\ngreat\",Acme Inc,2024-03-05 14:22,\n"
    "102,Bob,Stone,bob@acme.com,Maria Diaz,lead,New,Organic Search,,,,Acme Inc,2024-04-01 09:00,ann.lee@acme.com\n"
)
SALESFORCE = (
    "Contact ID,First Name,Last Name,Email,Account Name,Account ID,Contact Owner,Lead Source,Reports To,Created Date\n"
    "0035g00000AbCdE1,Chloé,Martin,chloe@lyonretail.fr,Lyon Retail SA,0015g000001,Tom Roy,Partner Referral,,3/15/2024\n"
    "0035g00000AbCdE2,Luc,Bernard,luc@lyonretail.fr,Lyon Retail SA,0015g000001,Tom Roy,Web,Chloé Martin,3/16/2024\n"
)
PIPEDRIVE = (
    "Person - Name,Person - Organization,Person - Email - Work,Person - Phone - Mobile,Person - Job title,"
    "Person - Label,Person - Owner,Person - Notes,Organization - Name\n"
    "Dana Cruz,Austin Pay,dana@austinpay.com,+15125550100,CFO,Customer,Kim Yu,,Austin Pay\n"
)
ZOHO = (
    "Record Id,First Name,Last Name,Account Name,Account Name.id,Email,Mobile,Mailing City,Contact Owner,Lead Source\n"
    "zcrm_5001,Eve,Adams,Northwind,zcrm_9,eve@northwind.com,00123,Toronto,Kim Yu,Trade Show\n"
)
HANDMADE = "id,name,email,company,owner,status,segment,referred_by\n7,Finn Berg,finn@berg.de,Berg AG,Ulla,customer,fintech,\n8,Gus Lind,gus@berg.de,Berg AG,Ulla,prospect,fintech,7\n"
SURVEYMONKEY = (
    "Respondent ID,Collector ID,Start Date,End Date,IP Address,Email Address,First Name,Last Name,Custom Data 1,"
    "How likely is it that you would recommend Northwind to a friend or colleague?,What is the main reason for your score?\n"
    ",,,,,,,,,Response,Open-Ended Response\n"
    "1182736451,4521,11/05/2025 09:15:22 AM,11/05/2025 09:17:01 AM,192.0.2.10,ann.lee@acme.com,Ann,Lee,101,10,Fast support\n"
    "1182736452,4521,11/14/2025 10:00:00 AM,11/14/2025 10:02:00 AM,192.0.2.11,new@person.com,Nia,Oke,,6,Too slow\n"
)
QUALTRICS = (
    "StartDate,EndDate,Status,Finished,RecordedDate,ResponseId,RecipientFirstName,RecipientLastName,RecipientEmail,ExternalReference,NPS,Q1\n"
    "Start Date,End Date,Response Type,Finished,Recorded Date,Response ID,Recipient First Name,Recipient Last Name,Recipient Email,External Data Reference,"
    "How likely are you to recommend us to a friend?,Why?\n"
    '{"ImportId":"startDate"},{"ImportId":"endDate"},{"ImportId":"status"},{"ImportId":"finished"},{"ImportId":"recordedDate"},'
    '{"ImportId":"_recordId"},{"ImportId":"recipientFirstName"},{"ImportId":"recipientLastName"},{"ImportId":"recipientEmail"},'
    '{"ImportId":"externalDataReference"},{"ImportId":"QID1"},{"ImportId":"QID2_TEXT"}\n'
    "2025-10-01 10:00:00,2025-10-01 10:05:00,0,1,2025-10-01 10:05:01,R_abc123,Ann,Lee,ann.lee@acme.com,101,7,OK\n"
)
TYPEFORM = (
    "#,How likely are you to recommend Northwind to a friend?,Anything else?,Email,Response Type,Start Date (UTC),"
    "Submit Date (UTC),Network ID,Tags\n"
    "tok1,9,Love it,bob@acme.com,completed,2025-09-01 10:00:00,2025-09-02 11:00:00,n1,\n"
)
DELIGHTED = "Email,Name,Score,Comment,Created At\nbob@acme.com,Bob Stone,3,Broken export,2025-08-01T10:00:00Z\n"
REFERRALS = (
    "Referrer,Referrer Email,Referred,Referred Email,Date,Status,Reward,Value\n"
    "Ann Lee,ann.lee@acme.com,Pat Kim,pat@kim.io,2025-01-02,converted,50,1200\n"
)
RELATIONSHIPS = "Person A,Person B,Relationship,Strength\nann.lee@acme.com,bob@acme.com,colleague,4\nann.lee@acme.com,zed@else.com,knows,\n"
AFFINITY = "internal_person_id,external_person_id,strength\n101,102,0.8\n"
MEETINGS = (
    "Meeting ID,Meeting name,Meeting date,Attendee email\n"
    "M1,QBR Acme,2025-09-30,ann.lee@acme.com\nM1,QBR Acme,2025-09-30,bob@acme.com\nM1,QBR Acme,2025-09-30,new@guest.com\n"
)
DEALS = "Deal ID,Deal name,Contact email\nD9,Acme renewal,ann.lee@acme.com\nD9,Acme renewal,bob@acme.com\n"
EVENTS = "Event,Date,Attendee\nFintech Summit,2025-05-05,ann.lee@acme.com\nFintech Summit,2025-05-05,bob@acme.com\n"
SF_CONTACT_ROLES = "ContactId,Role,IsPrimary,OpportunityId\n101,Decision Maker,true,006A\n102,Evaluator,false,006A\n"


def table(text: str, name: str = "f.csv"):
    (t,) = read_tables(text.encode("utf-8"), name)
    return t


@pytest.mark.parametrize(
    "text,kind,expected",
    [
        (HUBSPOT, "people", {"crm_id": "Record ID", "email": "Email", "owner": "Contact owner", "stage": "Lifecycle Stage",
                             "company": "Associated Company", "nps": "Last NPS survey rating", "referred_by": "Referred by",
                             "created": "Create Date", "nps_comment": "Last NPS survey comment"}),
        (SALESFORCE, "people", {"crm_id": "Contact ID", "company": "Account Name", "owner": "Contact Owner",
                                "reports_to": "Reports To", "created": "Created Date"}),
        (PIPEDRIVE, "people", {"name": "Person - Name", "company": "Person - Organization", "email": "Person - Email - Work",
                               "stage": "Person - Label", "owner": "Person - Owner"}),
        (ZOHO, "people", {"crm_id": "Record Id", "company": "Account Name", "region": "Mailing City", "owner": "Contact Owner"}),
        (HANDMADE, "people", {"crm_id": "id", "name": "name", "stage": "status", "segment": "segment", "referred_by": "referred_by"}),
        (SURVEYMONKEY, "feedback", {"response_id": "Respondent ID", "email": "Email Address", "date": "End Date",
                                    "score": "How likely is it that you would recommend Northwind to a friend or colleague?",
                                    "comment": "What is the main reason for your score?"}),
        (QUALTRICS, "feedback", {"response_id": "ResponseId", "email": "RecipientEmail", "person_id": "ExternalReference",
                                 "score": "NPS", "date": "RecordedDate", "comment": "Q1"}),
        (TYPEFORM, "feedback", {"response_id": "#", "score": "How likely are you to recommend Northwind to a friend?",
                                "date": "Submit Date (UTC)", "email": "Email", "comment": "Anything else?"}),
        (DELIGHTED, "feedback", {"email": "Email", "name": "Name", "score": "Score", "comment": "Comment", "date": "Created At"}),
        (REFERRALS, "referrals", {"referrer": "Referrer", "referrer_email": "Referrer Email", "referred_email": "Referred Email",
                                  "status": "Status", "value": "Value"}),
        (RELATIONSHIPS, "relationships", {"a": "Person A", "b": "Person B", "kind": "Relationship", "strength": "Strength"}),
        (AFFINITY, "relationships", {"a": "internal_person_id", "b": "external_person_id", "strength": "strength"}),
        (MEETINGS, "interactions", {"interaction_id": "Meeting ID", "interaction_name": "Meeting name", "date": "Meeting date",
                                    "participant_email": "Attendee email"}),
        (DEALS, "interactions", {"interaction_id": "Deal ID", "participant_email": "Contact email"}),
        (EVENTS, "interactions", {"interaction_name": "Event", "participant": "Attendee", "date": "Date"}),
        (SF_CONTACT_ROLES, "interactions", {"interaction_id": "OpportunityId", "participant_id": "ContactId"}),
    ],
    ids=["hubspot", "salesforce", "pipedrive", "zoho", "handmade", "surveymonkey", "qualtrics", "typeform", "delighted",
         "referrals", "relationships", "affinity", "meetings", "deals", "events", "sf-contact-roles"],
)
def test_each_format_is_detected_and_mapped(text, kind, expected):
    t = table(text)
    assert detect_kind(t) == kind
    mapping, errors, _ = map_columns(t)
    assert not errors
    got = mapping.as_dict()
    for field, header in expected.items():
        assert got.get(field) == header, (field, got)


def test_hubspot_export_imports_people_referrals_and_feedback(store):
    report = load(store, ("contacts.csv", HUBSPOT))
    (f,) = report.files
    assert f.kind == "people" and f.added["people"] == 2 and f.added["referrals"] == 1 and f.added["feedback"] == 1
    ds = store.load_dataset()
    ann = next(p for p in ds.people if p.crm_id == "101")
    assert (ann.name, ann.email, ann.company, ann.owner, ann.stage) == ("Ann Lee", "ann.lee@acme.com", "Acme Inc", "Maria Diaz", "customer")
    assert ann.created == date(2024, 3, 5)
    (fb,) = ds.feedback
    assert fb.person_id == ann.id and fb.score == 9 and fb.comment == "Great, really\ngreat" and fb.on == date(2025, 6, 1)
    (ref,) = ds.referrals
    bob = next(p for p in ds.people if p.crm_id == "102")
    assert (ref.referrer_id, ref.referred_id) == (ann.id, bob.id)


def test_salesforce_reports_to_becomes_a_relationship(store):
    load(store, ("sf.csv", SALESFORCE))
    ds = store.load_dataset()
    chloe = next(p for p in ds.people if p.email == "chloe@lyonretail.fr")
    luc = next(p for p in ds.people if p.email == "luc@lyonretail.fr")
    (rel,) = ds.relationships
    assert {rel.a_id, rel.b_id} == {chloe.id, luc.id} and rel.kind == "reports to"
    assert chloe.name == "Chloé Martin" and chloe.created == date(2024, 3, 15)


def test_zoho_keeps_leading_zero_phone_and_ids_as_text(store):
    load(store, ("Contacts_001.csv", ZOHO))
    (p,) = store.load_dataset().people
    assert p.crm_id == "zcrm_5001" and p.region == "Toronto"


def test_handmade_referred_by_an_id(store):
    load(store, ("sheet.csv", HANDMADE))
    ds = store.load_dataset()
    finn = next(p for p in ds.people if p.crm_id == "7")
    gus = next(p for p in ds.people if p.crm_id == "8")
    assert [(r.referrer_id, r.referred_id) for r in ds.referrals] == [(finn.id, gus.id)]
    assert gus.stage == "prospect" and finn.segment == "fintech"


def test_surveymonkey_two_header_rows_and_us_dates(store):
    load(store, ("contacts.csv", HUBSPOT))
    report = load(store, ("survey.csv", SURVEYMONKEY))
    assert report.files[0].rows_read == 2  # the second header row is not a response
    ds = store.load_dataset()
    ann = next(p for p in ds.people if p.crm_id == "101")
    scores = sorted((f.on, f.score) for f in ds.feedback if f.person_id == ann.id)
    assert scores == [(date(2025, 6, 1), 9), (date(2025, 11, 5), 10)]
    nia = next(p for p in ds.people if p.email == "new@person.com")
    assert nia.name == "Nia Oke" and nia.stage is None  # a respondent we did not know: a new prospect


def test_qualtrics_metadata_rows_are_skipped(store):
    load(store, ("contacts.csv", HUBSPOT))
    report = load(store, ("q.csv", QUALTRICS))
    assert report.files[0].rows_read == 1
    fb = [f for f in store.load_dataset().feedback if f.score == 7]
    assert fb and fb[0].comment == "OK" and fb[0].on == date(2025, 10, 1)


def test_typeform_and_delighted(store):
    load(store, ("contacts.csv", HUBSPOT))
    load(store, ("typeform.csv", TYPEFORM))
    load(store, ("delighted.csv", DELIGHTED))
    ds = store.load_dataset()
    bob = next(p for p in ds.people if p.crm_id == "102")
    assert sorted((f.on, f.score) for f in ds.feedback if f.person_id == bob.id) == [
        (date(2025, 8, 1), 3), (date(2025, 9, 2), 9)
    ]


def test_relationship_strength_is_rescaled_and_blank_kept_blank(store):
    load(store, ("contacts.csv", HUBSPOT))
    load(store, ("rel.csv", RELATIONSHIPS))
    ds = store.load_dataset()
    strengths = sorted((r.strength is None, r.strength) for r in ds.relationships)
    assert strengths == [(False, 0.8), (True, None)]  # 4 on a 1-5 scale; blank stays unknown


def test_meetings_tie_attendees_and_create_unknown_guests(store):
    load(store, ("contacts.csv", HUBSPOT))
    report = load(store, ("meetings.csv", MEETINGS))
    assert report.files[0].added == {"interactions": 1, "participations": 3, "people": 1}
    (m,) = store.load_dataset().interactions
    assert m.kind == "meeting" and len(m.participant_ids) == 3 and m.on == date(2025, 9, 30)


def test_salesforce_contact_roles_share_a_deal(store):
    load(store, ("contacts.csv", HUBSPOT))
    load(store, ("roles.csv", SF_CONTACT_ROLES))
    (deal,) = store.load_dataset().interactions
    assert deal.kind == "deal" and len(deal.participant_ids) == 2


def test_delimiters_semicolon_and_tab():
    semi = "Email;Name;Company\nann@x.com;Ann;X\n"
    tab = "Email\tName\tCompany\nann@x.com\tAnn\tX\n"
    for text, delim in ((semi, ";"), (tab, "\t")):
        t = table(text)
        assert t.delimiter == delim and t.headers == ["Email", "Name", "Company"]


def test_xlsx_with_dates_numbers_and_two_sheets(store):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Contacts"
    ws.append(["Contact ID", "First Name", "Last Name", "Email", "Account Name", "Created Date"])
    ws.append(["0035A", "Ann", "Lee", "ann@acme.com", "Acme", datetime(2024, 1, 5)])
    ws.append([123, "Bo", "Ek", "bo@acme.com", "Acme", 45296])  # a number id, a date as a serial
    info = wb.create_sheet("Report Info")
    info.append(["Generated by Salesforce"])
    buf = io.BytesIO()
    wb.save(buf)
    report = load(store, ("contacts.xlsx", buf.getvalue()))
    assert report.files[0].label == "contacts.xlsx[Contacts]"
    ds = store.load_dataset()
    bo = next(p for p in ds.people if p.email == "bo@acme.com")
    assert bo.crm_id == "123" and bo.created == date(2024, 1, 5)  # serial 45296, 1900 date system
    ann = next(p for p in ds.people if p.email == "ann@acme.com")
    assert ann.created == date(2024, 1, 5)


def test_zip_of_csv_like_zoho(store):
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("Contacts_001.csv", ZOHO)
    report = load(store, ("Contacts.zip", buf.getvalue()))
    assert report.files[0].kind == "people" and store.summary()["people"] == 1


def test_map_and_kind_overrides(store):
    text = "Work address,Who\nann@x.com,Ann Lee\n"
    report = load(store, ("odd.csv", text), kind="people", mapping={"email": "work address", "name": "Who"})
    assert report.files[0].mapping == {"email": "Work address", "name": "Who"}
    (p,) = store.load_dataset().people
    assert (p.email, p.name) == ("ann@x.com", "Ann Lee")


def test_every_format_imported_again_changes_nothing(store):
    """Each export as it comes, then all of them in one call: importing the same
    file again adds nothing, updates nothing and leaves every data row as it was."""
    formats = {
        "hubspot.csv": HUBSPOT, "salesforce.csv": SALESFORCE, "pipedrive.csv": PIPEDRIVE, "zoho.csv": ZOHO,
        "handmade.csv": HANDMADE, "surveymonkey.csv": SURVEYMONKEY, "qualtrics.csv": QUALTRICS,
        "typeform.csv": TYPEFORM, "delighted.csv": DELIGHTED, "referrals.csv": REFERRALS,
        "relationships.csv": RELATIONSHIPS, "affinity.csv": AFFINITY, "meetings.csv": MEETINGS, "deals.csv": DEALS,
        "events.csv": EVENTS, "sf-contact-roles.csv": SF_CONTACT_ROLES,
    }
    files = [(name, text.encode("utf-8")) for name, text in formats.items()]
    for name, body in files:
        load(store, (name, body))
        reimport_changes_nothing(store, [(name, body)])
    reimport_changes_nothing(store, files)
