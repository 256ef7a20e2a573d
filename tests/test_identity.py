"""Identity resolution: one person across files, doubtful pairs reviewed, never merged silently."""

from __future__ import annotations

import pytest

from netmap import ImportRefused

from .conftest import load

PEOPLE = "Record ID,First Name,Last Name,Email,Associated Company\n1,Ann,Lee,ann@acme.com,Acme\n2,Bob,Stone,bob@acme.com,Acme\n"


def people(store):
    return sorted(store.load_dataset().people, key=lambda p: p.id)


def test_match_by_crm_id_across_files(store):
    load(store, ("a.csv", PEOPLE))
    load(store, ("b.csv", "Contact ID,Email,Account Name\n1,ANN@ACME.COM ,Acme\n"))
    assert len(people(store)) == 2


def test_match_by_normalised_email_across_files(store):
    load(store, ("a.csv", PEOPLE))
    load(store, ("rel.csv", "Person A,Person B\n Ann@Acme.com,BOB@acme.com\n"))
    assert len(people(store)) == 2 and len(store.load_dataset().relationships) == 1


def test_match_by_name_and_company_when_nothing_contradicts(store):
    load(store, ("a.csv", PEOPLE))
    load(store, ("pd.csv", "Person - Name,Person - Organization,Person - Label\nAnn Lee,ACME Inc.,Customer\n"))
    ps = people(store)
    assert len(ps) == 2 and ps[0].stage == "customer"  # merged into Ann, who gains a stage


def test_same_name_different_email_is_reviewed_not_merged(store):
    load(store, ("a.csv", PEOPLE))
    report = load(store, ("b.csv", "Email,Name,Company\nann.lee@gmail.com,Ann Lee,Elsewhere\n"))
    assert len(people(store)) == 3
    assert report.reviews == 1
    (r,) = store.reviews()
    assert {r["a_email"], r["b_email"]} == {"ann@acme.com", "ann.lee@gmail.com"} and "different email" in r["reason"]


def test_same_name_and_company_but_different_id_is_reviewed(store):
    load(store, ("a.csv", PEOPLE))
    load(store, ("b.csv", "Record ID,First Name,Last Name,Associated Company\n99,Ann,Lee,Acme\n"))
    assert len(people(store)) == 3 and len(store.reviews()) == 1


def test_same_email_different_ids_is_one_person_with_a_warning(store):
    load(store, ("a.csv", PEOPLE))
    report = load(store, ("b.csv", "Contact ID,Email,Last Name\nSF-7,ann@acme.com,Lee\n"))
    assert len(people(store)) == 2
    assert any("same email" in w.message for w in report.warnings)
    # both ids now find her
    assert store.find_person("SF-7") == store.find_person("1")


def test_referrer_named_by_unique_name(store):
    load(store, ("a.csv", PEOPLE))
    load(store, ("r.csv", "Referrer,Referred Email\nAnn Lee,new@x.com\n"))
    ds = store.load_dataset()
    ann = next(p for p in ds.people if p.email == "ann@acme.com")
    (ref,) = ds.referrals
    assert ref.referrer_id == ann.id


def test_ambiguous_name_is_refused_with_row_and_column(store):
    load(store, ("a.csv", PEOPLE + "3,Ann,Lee,ann2@other.com,Other\n"))
    with pytest.raises(ImportRefused) as exc:
        load(store, ("r.csv", "Referrer,Referred Email\nAnn Lee,new@x.com\n"))
    (p,) = exc.value.problems
    assert (p.file, p.row, p.column) == ("r.csv", 2, "Referrer") and "matches 2 people" in p.message


def test_unknown_mentions_become_prospects_once(store):
    load(store, ("a.csv", PEOPLE))
    report = load(
        store,
        ("m.csv", "Meeting ID,Attendee email\nM1,ann@acme.com\nM1,guest@x.com\nM2,guest@x.com\nM2,bob@acme.com\n"),
    )
    ps = people(store)
    assert len(ps) == 3
    guest = next(p for p in ps if p.email == "guest@x.com")
    assert guest.stage is None and not guest.is_customer
    assert sum("not in any people export" in w.message for w in report.warnings) == 1


def test_files_in_one_call_resolve_together_in_any_order(store):
    refs = "Referrer Email,Referred Email\nann@acme.com,bob@acme.com\n"
    load(store, ("r.csv", refs), ("a.csv", PEOPLE))  # referrals first on the command line
    ds = store.load_dataset()
    assert len(ds.people) == 2 and len(ds.referrals) == 1
    assert all(p.name for p in ds.people)


def test_self_referral_is_skipped_with_warning(store):
    load(store, ("a.csv", PEOPLE))
    report = load(store, ("r.csv", "Referrer Email,Referred Email\nann@acme.com,ANN@acme.com\n"))
    assert store.load_dataset().referrals == ()
    assert any("themselves" in w.message for w in report.warnings)


def test_referral_cycle_is_kept_with_warning(store):
    load(store, ("a.csv", PEOPLE))
    report = load(store, ("r.csv", "Referrer Email,Referred Email\nann@acme.com,bob@acme.com\nbob@acme.com,ann@acme.com\n"))
    assert len(store.load_dataset().referrals) == 2
    assert any("cycle" in w.message for w in report.warnings)


def test_email_change_keeps_old_address_matching(store):
    load(store, ("a.csv", PEOPLE))
    load(store, ("a2.csv", "Record ID,Email\n1,ann.lee@acme.com\n"))
    ann = store.find_person("1")
    assert store.find_person("ann@acme.com") == ann == store.find_person("ann.lee@acme.com")
    assert next(p for p in people(store) if p.id == ann).email == "ann.lee@acme.com"


def test_a_row_with_only_a_name_is_the_person_known_by_that_name_alone(store):
    """A hand-made sheet whose rows carry a name and nothing that identifies them
    (found by the re-import property): importing it again must add nobody, and a
    name alone never merges into someone an email identifies (listed for review)."""
    sheet = "Name,Stage,Referred by\nCleo Park,customer,?\nAnn Lee,lead,\n"
    load(store, ("a.csv", PEOPLE))  # Ann Lee at Acme, with an email
    report = load(store, ("sheet.csv", sheet))
    assert report.files[0].added["people"] == 3  # Cleo, the sheet's Ann Lee, and "?" who referred Cleo
    known = next(p for p in people(store) if p.email == "ann@acme.com")
    assert known.stage is None  # untouched by the sheet's "lead"
    (review,) = store.reviews()
    assert known.id in (review["a_id"], review["b_id"])
    assert review["reason"] == "same name; the row has no id, email or company"
    names = sorted(p.name for p in people(store))
    assert names == ["?", "Ann Lee", "Ann Lee", "Bob Stone", "Cleo Park"]
    again = load(store, ("sheet.csv", sheet))
    assert all(not f.added and not f.updated for f in again.files)
    assert sorted(p.name for p in people(store)) == names and len(store.reviews()) == 1


def test_name_only_rows_of_one_name_are_one_person_with_a_warning(store):
    report = load(store, ("s.csv", "Name,Stage\nMaria Garcia,lead\nMaría García,customer\n"))
    (maria,) = people(store)
    assert maria.stage == "customer" and report.files[0].added["people"] == 1
    assert any("known only by this name, as in row 2 of s.csv" in str(w) for w in report.warnings)


def test_rows_that_disagree_end_as_the_last_says_and_again_change_nothing(store):
    """Two rows of one person in one file (same email) with different owners: the later
    wins; importing the file again must not count the owner going back and forth."""
    body = ("Email,Name,Contact owner\nann@acme.com,Ann Lee,Kim\nann@acme.com,Ann Lee,Tom\n")
    load(store, ("a.csv", body))
    assert [p.owner for p in people(store)] == ["Tom"]
    again = load(store, ("a.csv", body))
    assert all(not f.added and not f.updated for f in again.files)
    assert [p.owner for p in people(store)] == ["Tom"]


def test_a_company_named_only_by_a_legal_suffix_matches_itself_again(store):
    """Found by hypothesis: "a@b" folds to "ab", the Swedish legal suffix, and the company's
    key became empty, so Ann Lee at "a@b" was a new person at every import of the file."""
    file = ("p.csv", "Company,Record ID,Last Name\nAcme,1,Ann Lee\na@b,,Ann Lee\nAB,,Bo Chen\n")
    assert load(store, file).files[0].added["people"] == 3
    again = load(store, file).files[0]
    assert again.added.get("people", 0) == 0 and not any(again.updated.values())
    assert len(people(store)) == 3
