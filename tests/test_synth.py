"""The seeded synthetic company (tools.synth) and the committed sample in data/sample."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from tools.synth import (
    FILES,
    HUBSPOT_COLUMNS,
    MEETING_COLUMNS,
    NPS_QUESTION,
    REFERRAL_COLUMNS,
    RELATIONSHIP_COLUMNS,
    SALESFORCE_COLUMNS,
    SURVEYMONKEY_COLUMNS,
    generate_company,
    write_tickets,
    write_activities,
    main,
    write_company,
)

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"
EMAIL_RE = re.compile(r"^[a-z0-9][a-z0-9._+-]*@[a-z0-9-]+(\.[a-z0-9-]+)+$")


@pytest.fixture(scope="module")
def company():
    return generate_company(400, 7)


@pytest.fixture(scope="module")
def out(company, tmp_path_factory):
    d = tmp_path_factory.mktemp("sample")
    write_company(company, d)
    write_tickets(company, d)
    write_activities(company, d)
    return d


@pytest.fixture(scope="module")
def big():
    return generate_company(5000, 11)


def _rows(path: Path, encoding: str = "utf-8") -> list[list[str]]:
    with path.open(encoding=encoding, newline="") as f:
        return list(csv.reader(f))


def _contacts_emails(out: Path) -> set[str]:
    hs = pd.read_csv(out / "hubspot-contacts.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    sf = pd.read_excel(out / "salesforce-toronto.xlsx", sheet_name="Contacts", dtype=str)
    return set(hs["Email"].str.lower()) | set(sf["Email"].str.lower())


# ---- determinism ----------------------------------------------------------------------


def test_same_seed_same_bytes(out, tmp_path):
    paths = write_company(generate_company(400, 7), tmp_path)
    assert [p.name for p in paths] == list(FILES)
    for p in paths:
        assert p.read_bytes() == (out / p.name).read_bytes(), p.name


def test_different_seed_different_files(out, tmp_path):
    write_company(generate_company(400, 8), tmp_path)
    for name in FILES:
        assert (tmp_path / name).read_bytes() != (out / name).read_bytes(), name


def test_committed_sample_is_reproducible(out):
    """data/sample holds exactly what `python -m tools.synth --people 400 --seed 7` writes."""
    for name in FILES:
        committed = SAMPLE / name
        assert committed.exists(), f"missing {committed}; regenerate (see data/sample/README.md)"
        assert committed.read_bytes() == (out / name).read_bytes(), (
            f"{name} differs from generate_company(400, 7); regenerate data/sample")
    tickets = SAMPLE / "zendesk-tickets.csv"
    assert tickets.read_bytes() == (out / tickets.name).read_bytes(), "regenerate data/sample with --tickets"
    tasks = SAMPLE / "hubspot-tasks.csv"
    assert tasks.read_bytes() == (out / tasks.name).read_bytes(), "regenerate data/sample with --activities"
    assert sorted(p.name for p in SAMPLE.iterdir()) == sorted([*FILES, tickets.name, tasks.name, "README.md"])


def test_the_sample_nurture_log(out, company):
    """A few hundred tasks, one between the two survey waves for most people who answered both
    (what the outcomes compare), a tenth not done yet; the same bytes for the seed."""
    from tools.synth import TASK_COLUMNS, WAVE_END, generate_activities

    tasks = pd.read_csv(out / "hubspot-tasks.csv", dtype=str, keep_default_na=False)
    assert list(tasks.columns) == TASK_COLUMNS and 200 <= len(tasks) <= 400
    assert 0.05 < (tasks["Task Status"] == "NOT_STARTED").mean() < 0.15
    wave = set(company.qualtrics["RecipientEmail"])
    emails = tasks["Associated Contact"].str.extract(r"\((.+)\)$")[0]
    between = tasks[emails.isin(wave)]
    assert len(between) >= 30 and (between["Due Date"] > str(WAVE_END)).all()
    assert generate_activities(company).equals(generate_activities(generate_company(400, 7)))


def test_sample_is_small(out):
    assert sum((out / n).stat().st_size for n in FILES) < 1_000_000


# ---- file shapes ----------------------------------------------------------------------


def test_headers(out):
    assert _rows(out / "hubspot-contacts.csv", "utf-8-sig")[0] == HUBSPOT_COLUMNS
    assert _rows(out / "relationships.csv")[0] == RELATIONSHIP_COLUMNS
    assert _rows(out / "meetings.csv")[0] == MEETING_COLUMNS
    assert _rows(out / "referrals.csv")[0] == REFERRAL_COLUMNS
    assert _rows(out / "nps-survey-surveymonkey.csv")[0] == SURVEYMONKEY_COLUMNS
    assert HUBSPOT_COLUMNS[0] == "Record ID" and len(HUBSPOT_COLUMNS) == 15
    assert SURVEYMONKEY_COLUMNS[9] == NPS_QUESTION


def test_hubspot_has_bom_and_others_do_not(out):
    assert (out / "hubspot-contacts.csv").read_bytes().startswith(b"\xef\xbb\xbfRecord ID,")
    for name in ("relationships.csv", "meetings.csv", "referrals.csv", "nps-survey-surveymonkey.csv"):
        assert not (out / name).read_bytes().startswith(b"\xef\xbb\xbf")


def test_surveymonkey_two_header_rows(out):
    rows = _rows(out / "nps-survey-surveymonkey.csv")
    assert rows[1] == [""] * 9 + ["Response", "Open-Ended Response"]
    data = rows[2:]
    assert len(data) > 50
    fmt = "%m/%d/%Y %I:%M:%S %p"
    starts = [datetime.strptime(r[2], fmt) for r in data]
    ends = [datetime.strptime(r[3], fmt) for r in data]
    assert all(s <= e for s, e in zip(starts, ends))
    assert any(s.day > 12 for s in starts), "day > 12 makes the US order inferable"
    assert all(re.fullmatch(r"(192\.0\.2|198\.51\.100)\.\d{1,3}", r[4]) for r in data)
    assert all(date(2023, 1, 1) <= s.date() <= date(2026, 10, 31) for s in starts)


def test_comments_carry_commas_quotes_and_line_breaks(out):
    text = (out / "nps-survey-surveymonkey.csv").read_text("utf-8")
    hs = (out / "hubspot-contacts.csv").read_text("utf-8-sig")
    both = text + hs
    assert '""' in both  # an escaped quote inside a quoted field
    rows = _rows(out / "nps-survey-surveymonkey.csv")[2:] + _rows(out / "hubspot-contacts.csv", "utf-8-sig")[1:]
    comments = [r[-1] for r in rows]
    assert any("\n" in c for c in comments)
    assert any("," in c for c in comments)


def test_accents_and_apostrophes_survive(out):
    text = (out / "hubspot-contacts.csv").read_text("utf-8-sig")
    assert any(ch in text for ch in "üöäéèëçï")
    assert "'" in text


def test_xlsx_two_sheets_and_real_dates(out):
    openpyxl = pytest.importorskip("openpyxl")
    wb = openpyxl.load_workbook(out / "salesforce-toronto.xlsx")
    assert wb.sheetnames == ["Contacts", "Report Info"]
    ws = wb["Contacts"]
    assert [c.value for c in ws[1]] == SALESFORCE_COLUMNS
    col = SALESFORCE_COLUMNS.index("Created Date")
    cells = [row[col] for row in ws.iter_rows(min_row=2)]
    assert cells and all(c.is_date and isinstance(c.value, datetime) for c in cells)
    assert wb["Report Info"].max_row == 3
    ids = [row[0].value for row in ws.iter_rows(min_row=2)]
    assert all(_sf_checksum_ok(i) for i in ids)
    assert len(set(ids)) == len(ids)


def _sf_checksum_ok(sf_id: str) -> bool:
    if len(sf_id) != 18 or not sf_id.startswith("003"):
        return False
    check = ""
    for chunk in range(3):
        bits = sum(1 << i for i, c in enumerate(sf_id[chunk * 5:chunk * 5 + 5]) if "A" <= c <= "Z")
        check += "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"[bits]
    return sf_id[15:] == check


def test_salesforce_reports_to_is_a_colleague(company):
    sf = company.salesforce
    by_name = sf.groupby("Account Name")
    for account, rows in by_name:
        names = set(rows["First Name"] + " " + rows["Last Name"])
        for boss in rows["Reports To"]:
            assert boss == "" or boss in names, (account, boss)
    assert (sf["Reports To"] != "").any()
    assert sf["Lead Source"].isin(["Partner Referral", "External Referral", "Employee Referral"]).any()


def test_xlsx_off_writes_csv_fallback(company, tmp_path):
    paths = write_company(company, tmp_path, xlsx=False)
    assert tmp_path / "salesforce-toronto.csv" in paths
    assert not (tmp_path / "salesforce-toronto.xlsx").exists()
    rows = _rows(tmp_path / "salesforce-toronto.csv")
    assert rows[0] == SALESFORCE_COLUMNS
    assert len(rows) - 1 == len(company.salesforce)
    assert re.fullmatch(r"\d{1,2}/\d{1,2}/\d{4}", rows[1][SALESFORCE_COLUMNS.index("Created Date")])


# ---- content --------------------------------------------------------------------------


def test_emails_unique_and_well_formed(company, out):
    emails = company.people["email"]
    assert emails.is_unique
    assert all(EMAIL_RE.match(e) for e in emails), [e for e in emails if not EMAIL_RE.match(e)][:5]
    hs = pd.read_csv(out / "hubspot-contacts.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert hs["Email"].is_unique and hs["Record ID"].is_unique
    assert hs["Record ID"].str.fullmatch(r"\d+").all()
    personal = emails.str.contains(r"@(?:gmail\.com|gmx\.de|web\.de|outlook\.com|orange\.fr|yahoo\.)")
    assert 0 < personal.sum() < 0.2 * len(emails)


def test_every_email_resolves(out):
    contacts = _contacts_emails(out)
    refs = pd.read_csv(out / "referrals.csv", dtype=str, keep_default_na=False)
    known = contacts | set(refs["Referred Email"].str.lower())
    rel = pd.read_csv(out / "relationships.csv", dtype=str, keep_default_na=False)
    meet = pd.read_csv(out / "meetings.csv", dtype=str, keep_default_na=False)
    sm = pd.read_csv(out / "nps-survey-surveymonkey.csv", skiprows=[1], dtype=str, keep_default_na=False)
    for col, values in (
        ("Referrer Email", refs["Referrer Email"]),
        ("Person A", rel["Person A"]), ("Person B", rel["Person B"]),
        ("Attendee email", meet["Attendee email"]),
        ("Email Address", sm["Email Address"]),
    ):
        missing = set(values.str.lower()) - known
        assert not missing, (col, sorted(missing)[:5])
    # Referred by: an email of a contact, or the full name of exactly one contact
    hs = pd.read_csv(out / "hubspot-contacts.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    sf = pd.read_excel(out / "salesforce-toronto.xlsx", sheet_name="Contacts", dtype=str)
    full = pd.concat([hs["First Name"] + " " + hs["Last Name"], sf["First Name"] + " " + sf["Last Name"]])
    counts = full.value_counts()
    refby = hs.loc[hs["Referred by"] != "", "Referred by"]
    assert len(refby) > 5
    as_name = refby[~refby.str.contains("@")]
    assert len(as_name) >= 1, "some referrers are given by full name"
    assert refby[refby.str.contains("@")].str.lower().isin(contacts).all()
    assert as_name.map(counts).eq(1).all()
    # some hand-typed emails differ in case only
    assert (rel["Person A"] != rel["Person A"].str.lower()).any()


def test_referral_only_prospects(company, out):
    contacts = _contacts_emails(out)
    refs = pd.read_csv(out / "referrals.csv", dtype=str, keep_default_na=False)
    only = set(refs["Referred Email"].str.lower()) - contacts
    people = company.people
    expected = set(people.loc[people["source"] == "referral", "email"])
    assert only == expected and len(only) >= 10
    assert people.loc[people["source"] == "referral", "stage"].isna().all()
    assert set(refs["Status"]) <= {"pending", "converted", "declined"}
    converted = refs["Status"] == "converted"
    assert refs.loc[converted, "Value"].str.fullmatch(r"\d+").all()
    assert (refs.loc[~converted, "Value"] == "").all()


def test_referral_chains(company):
    edges = company.referral_edges
    lengths = edges.groupby("chain").size()
    assert lengths.max() <= 4 and (lengths >= 2).sum() >= 5
    stage = company.people["stage"].to_numpy()
    # every hop but the last converts a customer; chains end at a prospect
    for _, ch in edges.sort_values(["chain", "date"]).groupby("chain"):
        a, b = ch["referrer"].to_numpy(), ch["referred"].to_numpy()
        assert np.isin(stage[a], ["customer", "evangelist"]).all()
        assert stage[b[-1]] not in ("customer", "evangelist")
        assert (a[1:] == b[:-1]).all()
        assert ch["date"].is_monotonic_increasing
    assert edges["referred"].is_unique  # nobody is referred twice


def test_lifecycle_stages(company):
    hs = company.hubspot
    allowed = {"customer", "evangelist", "opportunity", "salesqualifiedlead",
               "marketingqualifiedlead", "lead", "subscriber"}
    assert set(hs["Lifecycle Stage"]) == allowed
    stage = company.people["stage"].dropna()
    share = stage.isin(["customer", "evangelist"]).mean()
    assert 0.45 <= share <= 0.65
    assert (hs.loc[hs["Lifecycle Stage"].isin(["customer", "evangelist"]), "Lead Status"] == "").all()


def test_dates_in_range(company, out):
    hs = pd.read_csv(out / "hubspot-contacts.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    created = pd.to_datetime(hs["Create Date"], format="%Y-%m-%d %H:%M")
    nps = pd.to_datetime(hs.loc[hs["Last NPS survey date"] != "", "Last NPS survey date"], format="%Y-%m-%d")
    meet = pd.to_datetime(pd.read_csv(out / "meetings.csv", dtype=str)["Meeting date"], format="%Y-%m-%d")
    refs = pd.to_datetime(pd.read_csv(out / "referrals.csv", dtype=str)["Date"], format="%Y-%m-%d")
    sf = pd.to_datetime(company.salesforce["Created Date"])
    lo, hi = pd.Timestamp("2023-01-01"), pd.Timestamp("2026-10-31 23:59")
    for s in (created, nps, meet, refs, sf):
        assert s.between(lo, hi).all()


def test_company_sizes_and_owners(company):
    sizes = company.companies["size"]
    assert sizes.min() >= 2 and sizes.max() <= 15
    assert sizes.max() > 2 * sizes.median()  # heavy tail
    owners = company.hubspot["Contact owner"].nunique() + 0
    assert 6 <= company.companies["owner"].nunique() <= 10 and owners >= 5
    # each owner mostly owns one or two regions
    top2 = company.companies.groupby("owner")["region"].agg(
        lambda r: r.value_counts().iloc[:2].sum() / len(r))
    assert (top2 == 1.0).all()


def test_meetings_shape(company):
    m = company.meetings
    sizes = m.groupby("Meeting ID").size()
    assert sizes.min() >= 2 and sizes.max() <= 8
    assert not m.duplicated(["Meeting ID", "Attendee email"]).any()
    assert m.groupby("Meeting ID")[["Meeting name", "Meeting date"]].nunique().max().max() == 1


# ---- feelings -------------------------------------------------------------------------


def _latest_scores(company) -> pd.Series:
    return company.people["nps"].dropna().astype(int)


def test_nps_scores_are_integers_0_to_10(company, out):
    hs = pd.read_csv(out / "hubspot-contacts.csv", encoding="utf-8-sig", dtype=str, keep_default_na=False)
    sm = pd.read_csv(out / "nps-survey-surveymonkey.csv", skiprows=[1], dtype=str, keep_default_na=False)
    for values in (hs.loc[hs["Last NPS survey rating"] != "", "Last NPS survey rating"], sm[NPS_QUESTION]):
        assert values.str.fullmatch(r"\d{1,2}").all()
        assert values.astype(int).between(0, 10).all()


def test_nps_coverage_and_shares(big):
    n = big.n_people
    assert 0.12 <= big.hubspot["Last NPS survey rating"].notna().sum() / n <= 0.18
    assert 0.17 <= len(big.surveymonkey) / n <= 0.23
    assert 0.30 <= big.people["nps"].notna().mean() <= 0.40
    s = _latest_scores(big)
    assert 0.38 <= (s >= 9).mean() <= 0.55
    assert 0.23 <= ((s >= 7) & (s <= 8)).mean() <= 0.37
    assert 0.18 <= (s <= 6).mean() <= 0.32


def test_surveymonkey_overlap_is_newer(big):
    hs = big.hubspot[big.hubspot["Last NPS survey rating"].notna()]
    sm = big.surveymonkey
    both = hs.merge(sm, left_on="Email", right_on="Email Address")
    assert 5 <= len(both) <= 0.1 * len(sm)
    hs_date = pd.to_datetime(both["Last NPS survey date"])
    sm_date = pd.to_datetime(both["Start Date"], format="%m/%d/%Y %I:%M:%S %p")
    assert (sm_date > hs_date).all()
    changed = both["Last NPS survey rating"].astype(int) != both[NPS_QUESTION].astype(int)
    assert 0 < changed.sum() < len(both)


# ---- ground truth: clusters, weak ties, bridges --------------------------------------------


def test_clusters_partition_people(company):
    clusters = company.clusters
    assert len(clusters) == 6
    ids = np.concatenate(list(clusters.values()))
    assert sorted(ids.tolist()) == list(range(company.n_people))
    toronto = set(company.people.loc[company.people["source"] == "salesforce", "person_id"])
    assert toronto <= set(clusters["toronto"].tolist())
    assert 0.08 <= len(toronto) / company.n_people <= 0.16


def test_few_cross_cluster_ties_and_bridges(company):
    region = company.people["region"].to_numpy()
    email_id = {e: i for e, i in company.emails.items()}
    ct = company.cross_ties
    assert 3 <= len(ct) <= 0.05 * company.n_people
    assert (region[ct["a"]] != region[ct["b"]]).all()
    assert {"partner", "conference", "referral"} <= set(ct["kind"])
    # the cross-region referrals are in the referral-programme export
    x = ct[ct["kind"] == "referral"]
    edges = company.referral_edges.set_index(["referrer", "referred"])
    assert edges.loc[list(zip(x["a"], x["b"])), "in_file"].all()
    bridges = company.bridges
    assert 2 <= len(bridges) <= 0.06 * company.n_people
    assert company.people.loc[company.people["bridge"], "person_id"].tolist() == bridges.tolist()
    # every other explicit tie and every non-conference meeting stays inside one cluster
    rel = company.relationships
    a = rel["Person A"].str.lower().map(email_id).to_numpy()
    b = rel["Person B"].str.lower().map(email_id).to_numpy()
    crossing = region[a] != region[b]
    assert crossing.sum() == (ct["kind"].isin(["partner", "former colleague"])).sum()
    m = company.meetings.assign(r=company.meetings["Attendee email"].map(email_id).map(lambda i: region[i]))
    multi = m.groupby("Meeting ID").agg(regions=("r", "nunique"), name=("Meeting name", "first"))
    cross_meetings = multi[multi["regions"] > 1]
    assert 1 <= len(cross_meetings) <= 4
    assert cross_meetings["name"].str.contains("Summit|Forum").all()


def test_relationship_strengths(company):
    rel = company.relationships
    s = rel["Strength"]
    assert 0.1 <= s.isna().mean() <= 0.3
    assert s.dropna().between(1, 5).all()
    assert set(rel["Relationship"]) == {"colleague", "reports to", "partner", "knows", "former colleague"}
    pairs = rel["Person A"].str.lower() + "|" + rel["Person B"].str.lower()
    assert pairs.is_unique


# ---- scale and CLI --------------------------------------------------------------------------


def test_scales_to_twenty_thousand(tmp_path):
    c = generate_company(20_000, 3)
    paths = write_company(c, tmp_path)  # above 5,000 people: no XLSX by default
    assert "salesforce-toronto.csv" in [p.name for p in paths]
    assert c.people["email"].is_unique
    assert len(c.hubspot) + len(c.salesforce) + (c.people["source"] == "referral").sum() == 20_000
    assert c.hubspot["Record ID"].is_unique and c.salesforce["Contact ID"].is_unique


def test_cli(tmp_path, capsys):
    assert main(["--people", "120", "--seed", "5", "--out", str(tmp_path / "x"), "--no-xlsx"]) == 0
    names = sorted(p.name for p in (tmp_path / "x").iterdir())
    assert "salesforce-toronto.csv" in names and "hubspot-contacts.csv" in names
    assert "salesforce-toronto.xlsx" not in names


def test_too_small_is_refused():
    with pytest.raises(ValueError):
        generate_company(10, 1)
