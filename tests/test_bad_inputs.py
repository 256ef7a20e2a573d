"""Thirty-eight kinds of broken or hostile input (#1-#38: encodings, delimiters, headers,
ids, dates, sizes, markup), each with its fixture built here.

Refused files must write NOTHING (``assert_nothing_written`` compares the
summary, the import log and a dump of every table, on SQLite or PostgreSQL as
``NETMAP_TEST_BACKEND`` says); every problem
names the file, the row as a spreadsheet shows it (the header is row 1) and the
column; "W" rows are accepted with a visible warning.

The counters in ``FIGURES`` feed the figure line printed at the end of
``test_import_properties.py`` ("N malformed files + M generated inputs: ...").
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import os
import resource
import signal
import subprocess
import sys
import textwrap
import time
import zipfile
from datetime import date, datetime
from pathlib import Path

import openpyxl
import pytest
import sqlalchemy.exc

import netmap.storage.writer
from netmap.errors import StorageError
import netmap.ingest.tabular
from netmap import ImportOptions, ImportRefused, Store, import_files
from netmap.cli import main as cli_main
from netmap.cli import problem_line
from netmap.config import Limits
from netmap.ingest.tabular import read_tables

from .conftest import check_integrity, dump_tables, stored_strings

ROOT = Path(__file__).resolve().parent.parent

#: figures for the suite's closing line (see test_import_properties.py)
FIGURES = {
    "malformed": 0,  # hostile or broken files fed to the importer here
    "generated": 0,  # hypothesis inputs (test_import_properties.py)
    "unhandled": 0,  # exceptions other than ImportRefused
    "partial": 0,  # refused imports that changed the database anyway
    "unnamed": 0,  # problems that do not name their file (or row, when about a row)
    "reimports": 0,
    "reimport_changes": 0,
}


# ------------------------------------------------------------------ helpers


# ``store`` (tests/conftest.py): an empty database on the backend under test


def db_state(store: Store) -> dict:
    """Everything about a store that an import could change."""
    summary = store.summary()
    log = [(r["id"], r["file_name"], r["sheet"], r["content_sha256"], r["undone_at"]) for r in store.imports()]
    dump = repr(dump_tables(store))
    return {"summary": summary, "log": log, "dump": hashlib.sha256(dump.encode("utf-8", "surrogatepass")).hexdigest()}


#: the tables that hold what was imported (not the import log, its undo journal or the audit)
DATA_TABLES = ("person", "identifier", "relationship", "referral", "interaction", "participation", "feedback", "review")


def data_state(store: Store) -> tuple[int, str]:
    """The data version and a digest of every row of the data tables: what a
    re-import of the same file must leave exactly as it was."""
    dump = {t: rows for t, rows in dump_tables(store).items() if t in DATA_TABLES}
    return store.data_version(), hashlib.sha256(repr(dump).encode("utf-8", "surrogatepass")).hexdigest()


def reimport_changes_nothing(store: Store, files: list[tuple[str, bytes]], options: ImportOptions = ImportOptions()):
    """Import ``files`` again (they were just imported): it must add, update and change nothing.
    Counted in the suite's "K re-imports: 0 with inserts or updates" figure."""
    before = data_state(store)
    again = import_files(store, files, options)
    FIGURES["reimports"] += 1
    changed = bool(added(again) or updated(again)) or data_state(store) != before
    FIGURES["reimport_changes"] += changed
    assert not changed, f"importing {[n for n, _ in files]} again changed {added(again)} {updated(again)}"


def assert_nothing_written(store: Store, before: dict) -> None:
    after = db_state(store)
    if after != before:
        FIGURES["partial"] += 1
    assert after["summary"] == before["summary"]
    assert after["log"] == before["log"]
    assert after["dump"] == before["dump"], "the database changed"


def _names_ok(problems, names: list[str]) -> bool:
    return all(p.file and any(p.file == n or p.file.startswith(n + "[") for n in names) for p in problems)


def refuse(store: Store, files: list[tuple[str, bytes]], **options):
    """Import ``files``; it must be refused, write nothing, and name the file
    in every problem. Returns the refusal (``.problems``, ``.warnings``)."""
    FIGURES["malformed"] += 1
    before = db_state(store)
    try:
        report = import_files(store, files, ImportOptions(**options))
    except ImportRefused as exc:
        refusal = exc
    except Exception:
        FIGURES["unhandled"] += 1
        raise
    else:
        pytest.fail(f"expected a refusal, got an import: {report}")
    assert_nothing_written(store, before)
    assert refusal.problems, "a refusal lists at least one problem"
    names = [n for n, _ in files]
    if not _names_ok(refusal.problems, names):
        FIGURES["unnamed"] += 1
    assert _names_ok(refusal.problems, names), [str(p) for p in refusal.problems]
    for p in refusal.problems:
        assert str(p).startswith(f"{p.file}:")
    return refusal


def accept(store: Store, files: list[tuple[str, bytes]], **options):
    """Import ``files``; it must succeed. Returns the ImportReport."""
    try:
        report = import_files(store, files, ImportOptions(**options))
    except ImportRefused as exc:
        pytest.fail("refused:\n" + "\n".join(str(p) for p in exc.problems))
    except Exception:
        FIGURES["unhandled"] += 1
        raise
    names = [n for n, _ in files]
    assert _names_ok(report.warnings, names), [str(w) for w in report.warnings]
    return report


def malformed_accept(store, files, **options):
    """:func:`accept` for a file that is one of the bad inputs (counted)."""
    FIGURES["malformed"] += 1
    return accept(store, files, **options)


def added(report) -> dict:
    out: dict[str, int] = {}
    for f in report.files:
        for k, v in f.added.items():
            out[k] = out.get(k, 0) + v
    return out


def updated(report) -> dict:
    out: dict[str, int] = {}
    for f in report.files:
        for k, v in f.updated.items():
            out[k] = out.get(k, 0) + v
    return out


def warning_text(report_or_refusal) -> str:
    return "\n".join(str(w) for w in report_or_refusal.warnings)


def people(store: Store) -> dict:
    """Stored people by CRM id (or email, or name)."""
    return {p.crm_id or p.email or p.name: p for p in store.load_dataset().people}


def stored_text(store: Store) -> list[str]:
    """Every text value stored in the people, feedback and interaction tables."""
    return stored_strings(store, ("person", "feedback", "interaction", "identifier"))


def xlsx(sheets: dict[str, list[list]], *, epoch1904: bool = False) -> bytes:
    """A workbook built with openpyxl: ``{sheet: rows}``."""
    wb = openpyxl.Workbook()
    for i, (name, rows) in enumerate(sheets.items()):
        ws = wb.active if i == 0 else wb.create_sheet()
        ws.title = name
        for r in rows:
            ws.append(r)
    if epoch1904:
        from openpyxl.utils.datetime import CALENDAR_MAC_1904

        wb.epoch = CALENDAR_MAC_1904
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


# A workbook by hand, for what openpyxl will not write (cached formula values,
# DOCTYPEs, entity bombs, encryption flags).
_CT = (
    '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    "{extra}</Types>"
)
_RELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
    'Target="xl/workbook.xml"/></Relationships>'
)
_WB = (
    '<?xml version="1.0" encoding="UTF-8"?>{doctype}<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="People" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_WBRELS = (
    '<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/>{extra}</Relationships>'
)
_SHEET = (
    '<?xml version="1.0" encoding="UTF-8"?>{doctype}<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    "<sheetData>{rows}</sheetData></worksheet>"
)
_SST_CT = (
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
)
_SST_REL = (
    '<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
    'Target="sharedStrings.xml"/>'
)


class F:
    """A formula cell for :func:`hand_xlsx`: formula text and cached value (or None)."""

    def __init__(self, formula: str, cached=None):
        self.formula, self.cached = formula, cached


class Raw:
    """A cell whose XML is given as is (``<c>`` inner content)."""

    def __init__(self, xml: str, t: str | None = None):
        self.xml, self.t = xml, t


def _cell(ref: str, v) -> str:
    if v is None:
        return ""
    if isinstance(v, F):
        cached = "" if v.cached is None else f"<v>{v.cached}</v>"
        return f'<c r="{ref}"><f>{v.formula}</f>{cached}</c>'
    if isinstance(v, Raw):
        t = f' t="{v.t}"' if v.t else ""
        return f'<c r="{ref}"{t}>{v.xml}</c>'
    if isinstance(v, (int, float)):
        return f'<c r="{ref}"><v>{v}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{v}</t></is></c>'


def hand_xlsx(
    rows: list[list], *, wb_doctype: str = "", sheet_doctype: str = "", shared_strings: str | None = None
) -> bytes:
    body = "".join(
        f'<row r="{i}">' + "".join(_cell(f"{chr(65 + j)}{i}", v) for j, v in enumerate(r)) + "</row>"
        for i, r in enumerate(rows, 1)
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT.format(extra=_SST_CT if shared_strings else ""))
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WB.format(doctype=wb_doctype))
        z.writestr("xl/_rels/workbook.xml.rels", _WBRELS.format(extra=_SST_REL if shared_strings else ""))
        if shared_strings:
            z.writestr("xl/sharedStrings.xml", shared_strings)
        z.writestr("xl/worksheets/sheet1.xml", _SHEET.format(doctype=sheet_doctype, rows=body))
    return buf.getvalue()


PEOPLE_HEADER = "Record ID,First Name,Last Name,Email,Associated Company,Contact owner"
PEOPLE = PEOPLE_HEADER + "\n1,Ann,Lee,ann@acme.com,Acme,Maria\n2,Bob,Stone,bob@acme.com,Acme,Maria\n"


# ------------------------------------------------------------ #1 - #3: empty


def test_01_zero_byte_file_is_refused_as_empty(store):
    for name in ("people.csv", "people.xlsx"):
        (p,) = refuse(store, [(name, b"")]).problems
        assert p.file == name and p.row is None and "empty" in p.message


@pytest.mark.parametrize("body", [PEOPLE_HEADER + "\n", PEOPLE_HEADER, PEOPLE_HEADER + "\r\n\r\n,,,,,\n"])
def test_02_header_only_is_accepted_with_nothing_to_import_warning(store, body):
    report = malformed_accept(store, [("people.csv", body.encode())])
    assert added(report) == {}
    assert "nothing to import" in warning_text(report)
    assert store.summary()["people"] == 0


def test_02_header_only_workbook(store):
    report = malformed_accept(store, [("people.xlsx", xlsx({"People": [PEOPLE_HEADER.split(",")]}))])
    assert added(report) == {} and "nothing to import" in warning_text(report)


@pytest.mark.parametrize("body", [b"\n", b"\n\n\n", b"\r\n\r\n  \r\n", b"   \n\t\n", b",,,\n,,\n", b"\xef\xbb\xbf\n\n"])
def test_03_only_blank_lines_is_refused(store, body):
    (p,) = refuse(store, [("blank.csv", body)]).problems
    assert "blank" in p.message or "empty" in p.message


# --------------------------------------------------------- #4 - #7: encodings


def test_04_utf8_bom_is_not_part_of_the_first_header(store):
    data = ("\ufeff" + PEOPLE).encode("utf-8")
    (t,) = read_tables(data, "people.csv")
    assert t.headers[0] == "Record ID" and not t.headers[0].startswith("\ufeff")
    report = accept(store, [("people.csv", data)])
    assert added(report) == {"people": 2}
    assert people(store)["1"].name == "Ann Lee"
    assert all(not s.startswith("\ufeff") for s in stored_text(store))


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_05_utf16_with_bom_is_accepted(store, encoding):
    text = "Record ID\tFirst Name\tLast Name\tEmail\n1\tZoë\tMüller\tzoe@acme.de\n2\t李\t小龍\tli@acme.cn\n"
    bom = {"utf-16": b"", "utf-16-le": codecs.BOM_UTF16_LE, "utf-16-be": codecs.BOM_UTF16_BE}[encoding]
    report = accept(store, [("unicode.txt", bom + text.encode(encoding))])
    assert added(report) == {"people": 2}
    assert {p.name for p in store.load_dataset().people} == {"Zoë Müller", "李 小龍"}


def test_05_utf16_without_bom_is_detected(store):
    text = "Record ID\tFirst Name\tEmail\n1\tZoë\tzoe@acme.de\n"
    accept(store, [("unicode.txt", text.encode("utf-16-le"))])
    assert people(store)["1"].name == "Zoë"


def test_05_broken_utf16_is_refused_naming_the_row(store):
    data = "\ufeffRecord ID,First Name\n1,Ann\n2,Bob\n".encode("utf-16-le") + b"\x00\xd8"  # lone surrogate
    (p,) = refuse(store, [("broken.csv", data)]).problems
    assert p.row is not None and "UTF-16" in p.message


@pytest.mark.parametrize("encoding", ["cp1252", "latin-1"])
def test_06_latin1_cp1252_is_decoded_correctly(store, encoding):
    names = ["Zoë Müller", "François Ångström", "José Ñúñez"]
    body = "Record ID,Name,Email\n" + "".join(f"{i},{n},p{i}@x.eu\n" for i, n in enumerate(names, 1))
    accept(store, [("latin.csv", body.encode(encoding))])
    assert sorted(p.name for p in store.load_dataset().people) == sorted(names)
    assert not any("\ufffd" in s for s in stored_text(store))


def test_06_cp1252_only_characters(store):
    body = "Record ID,Name,Company\n1,Chloë O’Brien,Œuvre €uro „Quote“\n"
    accept(store, [("cp.csv", body.encode("cp1252"))])
    p = people(store)["1"]
    assert (p.name, p.company) == ("Chloë O’Brien", "Œuvre €uro „Quote“")


def test_06_mixed_encodings_are_refused_at_the_first_bad_row(store):
    data = "Record ID,Name\n1,Zoë Müller\n".encode("utf-8") + "2,Chloë\n".encode("cp1252")
    (p,) = refuse(store, [("mixed.csv", data)]).problems
    assert p.row == 3 and "UTF-8" in p.message


def test_06_a_replacement_character_already_in_the_file_is_refused(store):
    (p,) = refuse(store, [("fffd.csv", "Record ID,Name\n1,Zo\ufffd M\ufffdller\n".encode())]).problems
    assert (p.row, p.column) == (2, "Name") and "U+FFFD" in p.message


@pytest.mark.parametrize("delimiter", [";", "\t", "|"])
def test_07_semicolon_tab_pipe_delimiters_are_detected(store, delimiter):
    body = (
        f"Record ID{delimiter}Name{delimiter}Email{delimiter}Company\n"
        f"1{delimiter}Lee, Ann{delimiter}ann@acme.com{delimiter}Acme, Inc\n"
        f"2{delimiter}Bob{delimiter}bob@acme.com{delimiter}Acme\n"
    )
    (t,) = read_tables(body.encode(), "eu.csv")
    assert t.delimiter == delimiter and len(t.headers) == 4
    accept(store, [("eu.csv", body.encode())])
    p = people(store)["1"]
    assert (p.name, p.email, p.company) == ("Lee, Ann", "ann@acme.com", "Acme, Inc")


# ------------------------------------------------------- #8 - #11: structure


def test_08_quoted_newline_inside_a_comment_is_one_record(store):
    body = (
        "Record ID,Name,Email,Last NPS survey rating,Last NPS survey comment\n"
        '1,Ann,ann@acme.com,9,"Great support,\nfast answers\r\nand ""quotes"""\n'
        "2,Bob,bob@acme.com,8,fine\n"
    )
    accept(store, [("nps.csv", body.encode())])
    assert store.summary()["people"] == 2
    comments = sorted(f.comment for f in store.load_dataset().feedback)
    assert comments == ['Great support,\nfast answers\r\nand "quotes"', "fine"]


def test_08_row_numbers_after_a_multiline_record_are_spreadsheet_rows(store):
    body = 'Record ID,Name,Email\n1,"Ann\nLee",ann@acme.com\n2,Bob,not-an-email\n'
    (p,) = refuse(store, [("p.csv", body.encode())]).problems
    assert (p.row, p.column) == (3, "Email")  # line 4 of the file, row 3 of the sheet


def test_09_unclosed_quote_is_refused_where_it_opens(store):
    body = 'Record ID,Name,Email\n1,Ann,ann@acme.com\n2,"Bob,bob@acme.com\n3,Cy,cy@acme.com\n'
    (p,) = refuse(store, [("q.csv", body.encode())]).problems
    assert p.row == 3 and "line 3" in p.message and "never closed" in p.message


def test_09_unclosed_quote_after_a_multiline_record(store):
    body = 'Record ID,Name,Email\n1,"Ann\nLee",ann@acme.com\n2,"Bob,bob@acme.com\n'
    (p,) = refuse(store, [("q.csv", body.encode())]).problems
    assert p.row == 3 and "line 4" in p.message


def test_10_ragged_row_names_expected_and_found(store):
    rows = [f"{i},F{i},L{i},p{i}@acme.com,Acme,Maria" for i in range(1, 6)]
    rows.append("6,F6,L6,p6@acme.com,Acme,Maria,EXTRA")  # spreadsheet row 7
    body = PEOPLE_HEADER + "\n" + "\n".join(rows) + "\n"
    (p,) = refuse(store, [("ragged.csv", body.encode())]).problems
    assert p.row == 7 and "row 7: expected 6 fields, found 7" in p.message


def test_10_short_row_is_refused_too(store):
    body = PEOPLE_HEADER + "\n1,Ann,Lee,ann@acme.com,Acme\n"
    (p,) = refuse(store, [("short.csv", body.encode())]).problems
    assert p.row == 2 and "expected 6 fields, found 5" in p.message


def test_10_ragged_rows_can_be_skipped(store):
    body = PEOPLE_HEADER + "\n1,Ann,Lee,ann@acme.com,Acme,Maria\n2,Bob,Stone,bob@acme.com,Acme,Maria,X\n"
    report = malformed_accept(store, [("ragged.csv", body.encode())], skip_invalid=True)
    assert added(report) == {"people": 1} and "row skipped" in warning_text(report)


@pytest.mark.parametrize(
    "header,first,later",
    [
        ("Record ID,Name,Email,Name", "B", "D"),
        ("Record ID,Email,E-Mail", "B", "C"),
        ("Record ID,Name, name ", "B", "C"),
    ],
)
def test_11_duplicate_header_keeps_the_first_and_says_so(store, header, first, later):
    """#11 once said "reject (no silent name.1)"; issue 12 (real exports) keeps
    the record's own field, the first, because HubSpot writes an associated
    company's Create Date / Phone Number after the contact's: never silent, never
    a file refused for it, never a ``.1`` name."""
    cells = ["1", "a@x.com", "b@x.com"] if "Mail" in header else ["1", "a", "a@x.com", "b"]
    body = header + "\n" + ",".join(cells[: header.count(",") + 1]) + "\n"
    report = malformed_accept(store, [("dup.csv", body.encode())])
    (w,) = [w for w in report.warnings if "repeated header" in w.message]
    assert w.row is None and f"columns {first} and {later}" in w.message and "not used" in w.message
    assert ".1" not in str(report)
    (person,) = store.load_dataset().people
    assert person.crm_id == "1" and (person.name == "a" or person.email == "a@x.com")
    assert "b" not in (person.name, person.email) and person.email != "b@x.com"


def test_11_blank_header_with_data_is_refused(store):
    (p,) = refuse(store, [("blank.csv", b"Record ID,,Email\n1,Ann,ann@acme.com\n")]).problems
    assert (p.row, p.column) == (1, "B") and "no header" in p.message


def test_11_trailing_empty_columns_are_dropped(store):
    report = accept(store, [("trail.csv", b"Record ID,Name,,\n1,Ann,,\n")])
    assert added(report) == {"people": 1}


# ------------------------------------------------------------ #12 - #14: columns


@pytest.mark.parametrize("header", [" Email ", "EMAIL", "e-mail", "E-Mail", "\ufeffEmail", "Email Address"])
def test_12_email_header_variants_are_recognised(store, header):
    body = f"{header},Name\n Ann@Acme.COM ,Ann\n"
    accept(store, [("p.csv", body.encode())])
    assert people(store)["ann@acme.com"].name == "Ann"


def test_13_missing_required_column_lists_expected_and_found(store):
    (p,) = refuse(store, [("r.csv", b"Referrer Email,Date\nann@acme.com,2025-01-01\n")], kind="referrals").problems
    assert "expected" in p.message and "Referred Email" in p.message and "found: Referrer Email, Date" in p.message


def test_13_unrecognised_headers_list_expected_and_found(store):
    (p,) = refuse(store, [("x.csv", b"foo,bar\n1,2\n")]).problems
    assert p.row == 1 and "found: foo, bar" in p.message and "expected" in p.message


def test_14_unknown_extra_columns_warn_and_are_not_stored(store):
    canary = "Qzxv-canary-7781"
    body = f"Record ID,Name,Email,Favourite colour,Shoe size\n1,Ann,ann@acme.com,{canary},42\n"
    report = accept(store, [("extra.csv", body.encode())])
    w = warning_text(report)
    assert "Favourite colour" in w and "Shoe size" in w and "not stored" in w
    assert not [v for v in stored_strings(store) if canary in v or "Shoe size" in v]


# --------------------------------------------------------- #15 - #20: identity


def test_15_same_id_twice_in_one_file_cites_both_rows(store):
    body = "Record ID,Name,Email\n1,Ann,ann@acme.com\n2,Bob,bob@acme.com\n1,Cy,cy@acme.com\n"
    (p,) = refuse(store, [("dup.csv", body.encode())]).problems
    assert (p.row, p.column) == (4, "Record ID") and "rows 2 and 4" in p.message


def test_15_skipping_invalid_rows_leaves_out_the_repeated_row_whole(store):
    """Found by the re-import property: the skipped row used to be imported anyway (its
    name overwrote the first row's) and every re-import counted an update."""
    body = ("Record ID,Name,Email,Referred by,Last NPS survey rating\n1,Ann,ann@acme.com,,9\n"
            "1,Cy,,zed@else.com,3\n")
    report = accept(store, [("dup.csv", body.encode())], skip_invalid=True)
    assert "row skipped: id '1' appears twice" in warning_text(report)
    assert report.files[0].refused == 1
    (ann,) = people(store).values()
    assert (ann.name, ann.email) == ("Ann", "ann@acme.com")
    ds = store.load_dataset()
    assert [f.score for f in ds.feedback] == [9] and not ds.referrals  # nothing of row 3
    reimport_changes_nothing(store, [("dup.csv", body.encode())], ImportOptions(skip_invalid=True))


def test_16_same_file_imported_again_changes_nothing(store):
    from netmap.cli import sample_files

    files = [("people.csv", PEOPLE.encode())] + [(Path(f).name, Path(f).read_bytes()) for f in sample_files()]
    accept(store, files)
    before = db_state(store)
    for _ in range(2):
        reimport_changes_nothing(store, files)
    after = db_state(store)
    keep = lambda s: {k: v for k, v in s.items() if k not in ("imports", "last_import")}  # noqa: E731
    assert keep(after["summary"]) == keep(before["summary"])


def test_17_known_id_with_changed_fields_is_updated(store):
    accept(store, [("p.csv", PEOPLE.encode())])
    changed = PEOPLE_HEADER + "\n1,Ann,Lee,ann@acme.com,Globex,Kim\n2,Bob,Stone,bob@acme.com,Acme,Maria\n"
    report = accept(store, [("p.csv", changed.encode())])
    assert added(report) == {} and updated(report) == {"people": 1}
    ann, bob = people(store)["1"], people(store)["2"]
    assert (ann.company, ann.owner, ann.email) == ("Globex", "Kim", "ann@acme.com")
    assert (bob.company, bob.owner) == ("Acme", "Maria")


def test_18_same_email_different_ids_is_one_person_with_a_warning(store):
    body = "Record ID,Name,Email\n1,Ann,ann@acme.com\n2,Ann L,ANN@acme.com\n"
    report = accept(store, [("p.csv", body.encode())])
    assert store.summary()["people"] == 1
    assert "ann@acme.com" in warning_text(report) and "merged" in warning_text(report)


def test_18_same_email_different_id_across_imports(store):
    accept(store, [("a.csv", b"Record ID,Name,Email\n1,Ann,ann@acme.com\n")])
    report = accept(store, [("b.csv", b"Record ID,Name,Email\n99,Ann,ann@acme.com\n")])
    assert store.summary()["people"] == 1 and "merged" in warning_text(report)
    assert store.find_person("99") == store.find_person("1")


def test_19_referral_to_someone_unknown_creates_a_prospect(store):
    body = "Record ID,Name,Email,Lifecycle Stage,Referred by\n1,Ann,ann@acme.com,customer,zed@else.com\n"
    report = accept(store, [("p.csv", body.encode())])
    s = store.summary()
    assert (s["people"], s["customers"], s["prospects"], s["referrals"]) == (2, 1, 1, 1)
    (w,) = [w for w in report.warnings if "not in any people export" in w.message]
    assert (w.row, w.column) == (2, "Referred by") and "prospect" in w.message
    assert "zed@else.com" not in w.message  # located by row and column; no warning names a person
    assert people(store)["zed@else.com"].stage not in ("customer",)


def test_20_self_referral_warns_and_never_reaches_the_graph(store):
    body = "Record ID,Name,Email,Referred by\n1,Ann,ann@acme.com,ann@acme.com\n2,Bob,bob@acme.com,2\n"
    report = accept(store, [("p.csv", body.encode())])
    assert warning_text(report).count("referred themselves") == 2
    s = store.summary()
    assert (s["referrals"], s["ties"]) == (0, 0)
    rels = "Person A,Person B,Relationship\nann@acme.com,ann@acme.com,knows\n"
    report = accept(store, [("rel.csv", rels.encode())])
    assert "themselves" in warning_text(report) and store.summary()["relationships"] == 0
    ds = store.load_dataset()
    assert all(r.referrer_id != r.referred_id for r in ds.referrals)
    assert all(r.a_id != r.b_id for r in ds.relationships)


def test_20_referral_cycle_warns_and_keeps_both(store):
    body = "Record ID,Name,Email,Referred by\n1,Ann,ann@acme.com,bob@acme.com\n2,Bob,bob@acme.com,ann@acme.com\n"
    report = accept(store, [("p.csv", body.encode())])
    assert "cycle" in warning_text(report)
    s = store.summary()
    assert (s["referrals"], s["ties"]) == (2, 1)


# -------------------------------------------------------- #21 - #25: values


def test_21_leading_zero_and_plus_ids_are_kept_as_text(store):
    body = "Record ID,Name,Email,Referred by\n00123,Ann,ann@acme.com,\n+4912,Bob,bob@acme.com,00123\n"
    report = accept(store, [("ids.csv", body.encode())])
    assert set(people(store)) == {"00123", "+4912"}
    assert added(report) == {"people": 2, "referrals": 1}  # the referrer 00123 was found, not made up as 123


def test_21_text_ids_in_a_workbook_stay_text(store):
    data = xlsx({"People": [["Record ID", "Name", "Phone"], ["00123", "Ann", "+4912"], [124, "Bob", "0049"]]})
    accept(store, [("ids.xlsx", data)])
    assert set(people(store)) == {"00123", "124"}


@pytest.mark.parametrize("value", ["Null", "NA", "None", "nan", "N/A", "NULL", "-", "TRUE", "0"])
def test_22_null_like_names_are_kept_as_text(store, value):
    body = f"Record ID,First Name,Last Name,Associated Company\n1,{value},{value},{value}\n"
    accept(store, [("null.csv", body.encode())])
    p = people(store)["1"]
    assert p.name == f"{value} {value}" and p.company == value


@pytest.mark.parametrize("value,words", [("11", "outside"), ("-1", "outside"), ("7.5", "whole"), ("seven", "not a NPS"), ("", None)])
def test_23_bad_nps_cell_is_refused_with_row_and_column(store, value, words):
    body = f"Record ID,Name,Last NPS survey rating\n1,Ann,9\n2,Bob,{value}\n"
    if words is None:  # an empty cell is no score, not a bad one
        accept(store, [("nps.csv", body.encode())])
        return
    (p,) = refuse(store, [("nps.csv", body.encode())]).problems
    assert (p.row, p.column) == (3, "Last NPS survey rating") and words in p.message
    report = malformed_accept(store, [("nps.csv", body.encode())], skip_invalid=True)
    assert added(report) == {"people": 1, "feedback": 1}
    assert any(w.row == 3 and "row skipped" in w.message for w in report.warnings)
    assert report.files[0].refused == 1


@pytest.mark.parametrize("value", [11, -1, 7.5, True])
def test_23_bad_nps_in_a_workbook(store, value):
    data = xlsx({"S": [["Email", "Score"], ["ann@acme.com", 9], ["bob@acme.com", value]]})
    (p,) = refuse(store, [("s.xlsx", data)]).problems
    assert (p.file, p.row, p.column) == ("s.xlsx[S]", 3, "Score")


def test_24_ambiguous_date_is_refused_unless_an_order_is_given(store):
    body = "Record ID,Name,Created Date\n1,Ann,01/02/2024\n2,Bob,03/04/2024\n"
    refusal = refuse(store, [("d.csv", body.encode())])
    assert [(p.row, p.column) for p in refusal.problems] == [(2, "Created Date"), (3, "Created Date")]
    assert all("ambiguous" in p.message and p.code == "ambiguous_dates" for p in refusal.problems)
    assert all("--date-order" in problem_line(p) for p in refusal.problems)  # the command line names its flag
    accept(store, [("d.csv", body.encode())], date_order="dmy")
    assert people(store)["1"].created == date(2024, 2, 1)
    accept(store, [("d.csv", body.encode())], date_order="mdy")
    assert people(store)["1"].created == date(2024, 1, 2)


def test_24_date_order_is_inferred_from_the_column(store):
    body = "Record ID,Name,Created Date\n1,Ann,01/02/2024\n2,Bob,25/12/2024\n"
    accept(store, [("d.csv", body.encode())])
    assert people(store)["1"].created == date(2024, 2, 1)


def test_24_column_mixing_both_orders_is_refused(store):
    body = "Record ID,Name,Created Date\n1,Ann,13/02/2024\n2,Bob,02/13/2024\n"
    (p,) = refuse(store, [("d.csv", body.encode())]).problems
    assert p.column == "Created Date" and "mixes" in p.message


@pytest.mark.parametrize("value", ["2024-02-30", "31/31/2024", "yesterday"])
def test_24_invalid_dates_are_refused(store, value):
    (p,) = refuse(store, [("d.csv", f"Record ID,Name,Created Date\n1,Ann,{value}\n".encode())]).problems
    assert (p.row, p.column) == (2, "Created Date")


def test_25_excel_serial_date_in_text(store):
    accept(store, [("d.csv", b"Record ID,Name,Created Date\n1,Ann,45296\n")])
    assert people(store)["1"].created == date(2024, 1, 5)


@pytest.mark.parametrize("epoch1904,expected", [(False, date(2024, 1, 5)), (True, date(2028, 1, 6))])
def test_25_excel_serial_date_in_both_date_systems(store, epoch1904, expected):
    data = xlsx({"P": [["Record ID", "Name", "Created Date"], ["1", "Ann", 45296]]}, epoch1904=epoch1904)
    accept(store, [("d.xlsx", data)])
    assert people(store)["1"].created == expected


def test_25_real_date_cells(store):
    data = xlsx({"P": [["Record ID", "Name", "Created Date"], ["1", "Ann", datetime(2024, 1, 5, 13, 30)], ["2", "Bob", date(2023, 12, 31)]]})
    accept(store, [("d.xlsx", data)])
    assert (people(store)["1"].created, people(store)["2"].created) == (date(2024, 1, 5), date(2023, 12, 31))


# ------------------------------------------------------ #26 - #27: workbooks


def test_26_formula_cells_use_the_cached_value_else_warn_naming_the_cell(store):
    data = hand_xlsx(
        [
            ["Record ID", "Name", "Email", "Last NPS survey rating"],
            ["1", "Ann", "ann@acme.com", F("4+5", 9)],
            ["2", "Bob", "bob@acme.com", F("1+1")],
        ]
    )
    report = accept(store, [("f.xlsx", data)])
    assert [f.score for f in store.load_dataset().feedback] == [9]
    (w,) = [w for w in report.warnings if "formula" in w.message]
    assert (w.file, w.row, w.column) == ("f.xlsx[People]", 3, "D") and "D3" in w.message


def test_27_several_sheets_the_user_picks(store, tmp_path, another_database, capsys):
    data = xlsx({"People": [["Record ID", "Name"], ["1", "Ann"]], "Other": [["Record ID", "Name"], ["2", "Bob"]]})
    (p,) = refuse(store, [("two.xlsx", data)]).problems
    assert p.code == "several_sheets" and "'People'" in p.message and "'Other'" in p.message
    assert "--sheet" in problem_line(p)
    accept(store, [("two.xlsx", data)], sheet="Other")
    assert set(people(store)) == {"2"}
    (p,) = refuse(store, [("two.xlsx", data)], sheet="Nope").problems
    assert "Nope" in p.message and "People" in p.message
    # the command line
    path = tmp_path / "two.xlsx"
    path.write_bytes(data)
    url = another_database("cli")  # the command line's own database
    assert cli_main(["--db", url, "import", str(path)]) != 0
    assert "--sheet" in capsys.readouterr().err
    assert cli_main(["--db", url, "import", str(path), "--sheet", "People"]) == 0
    cli_store = Store(url)
    assert {p.name for p in cli_store.load_dataset().people} == {"Ann"}
    cli_store.close()


def test_27_the_only_recognisable_sheet_is_used_with_a_warning(store):
    data = xlsx({"Notes": [["hello"], ["world"]], "People": [["Record ID", "Name"], ["1", "Ann"]]})
    report = accept(store, [("two.xlsx", data)])
    assert set(people(store)) == {"1"} and "'People'" in warning_text(report)


def test_26_27_workbook_rows_are_numbered_as_the_spreadsheet_shows_them(store):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "People"
    ws["C3"], ws["D3"] = "Record ID", "Email"  # a table that starts at C3, with an empty row 5
    ws["C4"], ws["D4"] = "1", "ann@acme.com"
    ws["C6"], ws["D6"] = "2", "not-an-email"
    buf = io.BytesIO()
    wb.save(buf)
    (p,) = refuse(store, [("offset.xlsx", buf.getvalue())]).problems
    assert (p.file, p.row, p.column) == ("offset.xlsx[People]", 6, "Email")
    (p,) = refuse(store, [("offset.csv", b"\n\nRecord ID,Email\n1,ann@acme.com\n\n2,not-an-email\n")]).problems
    assert (p.row, p.column) == (6, "Email")


# ------------------------------------------------------- #28 - #32: hostile


def test_28_nul_byte_in_a_field_is_refused(store):
    body = b"Record ID,Name,Email\n1,Ann,ann@acme.com\n2,B\x00b,bob@acme.com\n"
    (p,) = refuse(store, [("nul.csv", body)]).problems
    assert (p.row, p.column) == (3, "Name") and "NUL" in p.message
    report = malformed_accept(store, [("nul.csv", body)], skip_invalid=True)
    assert added(report) == {"people": 1}
    assert not any("\x00" in s for s in stored_text(store))


@pytest.mark.parametrize("size", [100_001, 200_000, 2_000_000])
def test_29_field_over_100kb_refuses_the_row(store, size):
    body = b"Record ID,Name,Email\n1,Ann,ann@acme.com\n2,\"" + b"B" * size + b"\",bob@acme.com\n3,Cy,cy@acme.com\n"
    (p,) = refuse(store, [("big.csv", body)]).problems
    assert (p.row, p.column) == (3, "Name") and "limit" in p.message
    report = malformed_accept(store, [("big.csv", body)], skip_invalid=True)
    assert added(report) == {"people": 2}


def test_29_long_field_in_a_workbook(store):
    # an XLSX cell holds at most 32,767 characters (openpyxl reads no more): never over the limit, no crash
    data = xlsx({"P": [["Record ID", "Name"], ["1", "A" * 100_001], ["2", "Bob"]]})
    malformed_accept(store, [("big.xlsx", data)])
    assert max(len(s) for s in stored_text(store)) <= Limits().max_field_chars


def test_30_over_the_byte_limit_is_refused_before_parsing(store, monkeypatch):
    monkeypatch.setattr(netmap.ingest.tabular, "decode", lambda *a: pytest.fail("parsed a file over the limit"))
    body = PEOPLE.encode() * 100
    (p,) = refuse(store, [("huge.csv", body)], limits=Limits(max_bytes=1000)).problems
    assert p.row is None and "limit" in p.message


def test_30_over_the_row_limit_is_refused_before_parsing(store, monkeypatch):
    monkeypatch.setattr(netmap.ingest.tabular, "_csv_records", lambda *a: pytest.fail("parsed a file over the limit"))
    body = "Record ID,Name\n" + "".join(f"{i},P{i}\n" for i in range(100))
    (p,) = refuse(store, [("rows.csv", body.encode())], limits=Limits(max_rows=20)).problems
    assert "20" in p.message and "rows" in p.message


def test_30_just_over_the_row_limit_is_refused(store):
    body = "Record ID,Name\n" + "".join(f"{i},P{i}\n" for i in range(21))
    (p,) = refuse(store, [("rows.csv", body.encode())], limits=Limits(max_rows=20)).problems
    assert "20" in p.message and "rows" in p.message


def test_30_workbook_over_the_row_limit(store):
    data = xlsx({"P": [["Record ID", "Name"]] + [[str(i), f"P{i}"] for i in range(50)]})
    (p,) = refuse(store, [("rows.xlsx", data)], limits=Limits(max_rows=20)).problems
    assert "rows" in p.message


_LOL = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + "]>"
)


def _zip_bomb() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", _CT.format(extra=""))
        z.writestr("_rels/.rels", _RELS)
        z.writestr("xl/workbook.xml", _WB.format(doctype=""))
        z.writestr("xl/_rels/workbook.xml.rels", _WBRELS.format(extra=""))
        z.writestr("xl/worksheets/sheet1.xml", b"<" + b" " * (64 * 1024 * 1024))
    return buf.getvalue()


def _sst_bomb() -> bytes:
    sst = (
        '<?xml version="1.0"?>' + _LOL + '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'count="1" uniqueCount="1"><si><t>&lol9;</t></si></sst>'
    )
    return hand_xlsx([["Record ID", "Name"], ["1", Raw("<v>0</v>", "s")]], shared_strings=sst)


HOSTILE_XLSX = {
    "zip bomb": _zip_bomb,
    "billion laughs in a sheet": lambda: hand_xlsx([["Record ID", "Name"], ["1", "&lol9;"]], sheet_doctype=_LOL),
    "billion laughs in the workbook": lambda: hand_xlsx([["Record ID", "Name"], ["1", "Ann"]], wb_doctype=_LOL),
    "billion laughs in shared strings": _sst_bomb,
    "external entity": lambda: hand_xlsx(
        [["Record ID", "Name"], ["1", "&e;"]], sheet_doctype='<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
    ),
}


@pytest.mark.parametrize("what", list(HOSTILE_XLSX))
def test_31_zip_bomb_and_billion_laughs_are_refused_in_bounded_memory(store, what):
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML, "openpyxl must parse through defusedxml"
    data = HOSTILE_XLSX[what]()
    assert len(data) < 1024 * 1024
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    t0 = time.monotonic()
    (p,) = refuse(store, [("bomb.xlsx", data)]).problems
    grown_mb = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before) / 1024
    assert grown_mb < 60, f"{what}: memory grew by {grown_mb:.0f} MB"
    assert time.monotonic() - t0 < 10
    assert p.file == "bomb.xlsx"


def test_31_unpacked_size_limit(store):
    data = xlsx({"P": [["Record ID", "Name"]] + [[str(i), f"P{i}"] for i in range(200)]})
    (p,) = refuse(store, [("big.xlsx", data)], limits=Limits(max_unpacked_bytes=2000)).problems
    assert "unpack" in p.message


def _encrypted_zip() -> bytes:
    """An XLSX whose zip entries carry the 'encrypted' flag."""
    data = bytearray(xlsx({"P": [["Record ID", "Name"], ["1", "Ann"]]}))
    for sig, off in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        i = data.find(sig)
        while i >= 0:
            data[i + off] |= 1
            i = data.find(sig, i + 4)
    return bytes(data)


def _zip_from_the_future(member: str = "xl/workbook.xml") -> bytes:
    """A zip whose central directory asks for a newer zip version than Python reads
    (6.4: zipfile raises NotImplementedError; found by hypothesis)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(member, "<workbook/>")
    data = bytearray(buf.getvalue())
    i = data.find(b"PK\x01\x02")
    data[i + 6] = 64  # version needed to extract
    return bytes(data)


_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504


@pytest.mark.parametrize(
    "name,data,words",
    [
        ("people.csv", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "PNG"),
        ("people.csv", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(200), "JPEG"),
        ("people.csv", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n", "PDF"),
        ("people.csv", b"\x1f\x8b\x08\x00" + bytes(100), "gzip"),
        ("people.xls", _OLE2, "legacy .xls"),
        ("people.xlsx", _OLE2, "password"),  # Excel writes encrypted .xlsx as an OLE2 container
        ("people.xlsx", _encrypted_zip(), "encrypted"),
        ("people.xlsx", b"PK\x03\x04garbage" + bytes(100), "damaged"),
        ("people.xlsx", _zip_from_the_future(), "damaged"),
        ("people.zip", _zip_from_the_future("people.csv"), "damaged"),
        ("people.csv", bytes(range(256)) * 8, "binary"),
    ],
)
def test_32_non_tables_are_refused_by_content_not_name(store, name, data, words):
    (p,) = refuse(store, [(name, data)]).problems
    assert words in p.message and p.row is None


def test_32_a_truncated_workbook_is_refused(store):
    data = xlsx({"P": [["Record ID", "Name"], ["1", "Ann"]]})
    for cut in (len(data) // 3, len(data) - 30):
        refuse(store, [("cut.xlsx", data[:cut])])


def test_32_a_workbook_named_csv_and_a_csv_named_xlsx_are_read_by_content(store):
    accept(store, [("people.csv", xlsx({"P": [["Record ID", "Name"], ["1", "Ann"]]}))])
    accept(store, [("people.xlsx", b"Record ID,Name\n2,Bob\n")])
    assert set(people(store)) == {"1", "2"}


# ------------------------------------------------- #33 - #37: text contents

TRIGGERS = ["=HYPERLINK(\"http://evil\",\"x\")", "=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1+1", "\r=1+1"]


def test_33_formula_triggers_are_stored_as_is(store):
    rows = [["Record ID", "Name", "Associated Company"]] + [[str(i), t, t] for i, t in enumerate(TRIGGERS, 1)]
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    accept(store, [("f.csv", buf.getvalue().encode())])
    stored = people(store)
    for i, t in enumerate(TRIGGERS, 1):
        # text is stored as given, only trimmed of surrounding whitespace (no quote or apostrophe added)
        assert stored[str(i)].name == t.strip() and stored[str(i)].company == t.strip()


def test_33_formula_triggers_in_a_workbook_are_text(store):
    data = xlsx({"P": [["Record ID", "Name"], ["1", "@SUM(A1)"], ["2", "+49 30 1234"], ["3", "-x-"]]})
    accept(store, [("f.xlsx", data)])
    assert {p.name for p in store.load_dataset().people} == {"@SUM(A1)", "+49 30 1234", "-x-"}


MARKUP = ["<img src=x onerror=alert(1)>", "</script><script>alert(1)</script>", "\"><svg onload=alert(1)>", "{{7*7}}", "' OR 1=1 --"]


def test_34_markup_is_stored_as_is(store):
    rows = [["Record ID", "Name", "Associated Company", "Email", "Last NPS survey rating", "Last NPS survey comment"]]
    rows += [[str(i), m, m, f"p{i}@acme.com", 5, m] for i, m in enumerate(MARKUP, 1)]
    buf = io.StringIO()
    csv.writer(buf).writerows(rows)
    accept(store, [("x.csv", buf.getvalue().encode())])
    stored = people(store)
    for i, m in enumerate(MARKUP, 1):
        assert (stored[str(i)].name, stored[str(i)].company) == (m, m)
    assert sorted(f.comment for f in store.load_dataset().feedback) == sorted(MARKUP)


@pytest.mark.parametrize("dirty", ["Ann\u200b Lee", "\u202eAnn Lee", "Ann\u2066 Lee\u2069", "\ufeffAnn Lee", "Ann\u200d Lee"])
def test_35_bidi_and_zero_width_characters_are_removed_with_a_warning(store, dirty):
    report = accept(store, [("b.csv", f"Record ID,Name\n1,{dirty}\n".encode())])
    assert people(store)["1"].name == "Ann Lee"
    (w,) = [w for w in report.warnings if "invisible" in w.message]
    assert (w.row, w.column) == (2, "Name")


def test_35_text_is_normalised_to_nfc(store):
    accept(store, [("n.csv", "Record ID,Name\n1,Zoe\u0308 Mu\u0308ller\n".encode())])
    assert people(store)["1"].name == "Zo\u00eb M\u00fcller"


@pytest.mark.parametrize("bad", ["not-an-email", "ann@", "@acme.com", "ann at acme.com", "ann@acme", "a b@acme.com", "ann@@acme.com"])
def test_36_invalid_email_refuses_that_cell(store, bad):
    body = f"Record ID,Name,Email\n1,Ann,ann@acme.com\n2,Bob,{bad}\n"
    (p,) = refuse(store, [("e.csv", body.encode())]).problems
    assert (p.row, p.column) == (3, "Email") and "email" in p.message
    report = malformed_accept(store, [("e.csv", body.encode())], skip_invalid=True)
    assert added(report) == {"people": 1}


@pytest.mark.parametrize("eol", ["\n", "\r\n", "\r", "mixed"])
def test_37_line_endings(store, eol):
    lines = ["Record ID,Name,Email", "1,Ann,ann@acme.com", "2,Bob,bob@acme.com", "3,Cy,cy@acme.com", "4,Dee,dee@acme.com"]
    if eol == "mixed":
        body = "".join(line + e for line, e in zip(lines, ["\r\n", "\n", "\r", "\r\n", "\n"]))
    else:
        body = eol.join(lines) + eol
    accept(store, [("eol.csv", body.encode())])
    assert set(people(store)) == {"1", "2", "3", "4"}
    assert {p.name for p in store.load_dataset().people} == {"Ann", "Bob", "Cy", "Dee"}
    bad = body.replace("cy@acme.com", "cy-at-acme")
    (p,) = refuse(store, [("eol.csv", bad.encode())]).problems
    assert (p.row, p.column) == (4, "Email")


# ----------------------------------------------- #38: failure mid-import


def test_38_database_error_mid_import_rolls_back_everything(store, monkeypatch):
    accept(store, [("first.csv", PEOPLE.encode())])
    before = db_state(store)
    real = netmap.storage.writer._insert_returning_ids
    calls = {"n": 0}

    def failing(conn, table, rows):
        calls["n"] += 1
        if calls["n"] == 3:
            raise sqlalchemy.exc.OperationalError("INSERT", {}, Exception("disk I/O error (simulated)"))
        return real(conn, table, rows)

    monkeypatch.setattr(netmap.storage.writer, "_insert_returning_ids", failing)
    body = (
        "Record ID,Name,Email,Referred by,Last NPS survey rating\n"
        "1,Ann,ann.new@acme.com,,9\n3,Cy,cy@acme.com,ann@acme.com,7\n4,Dee,dee@acme.com,zed@else.com,3\n"
    )
    with pytest.raises(StorageError, match="nothing was imported"):
        import_files(store, [("second.csv", body.encode())])
    assert calls["n"] == 3, "the simulated failure should hit after some rows were written"
    assert_nothing_written(store, before)
    monkeypatch.setattr(netmap.storage.writer, "_insert_returning_ids", real)
    report = accept(store, [("second.csv", body.encode())])
    assert added(report)["people"] == 3  # Cy, Dee and the prospect zed
    assert store.summary()["people"] == 5


_KILL_SCRIPT = textwrap.dedent(
    """
    import sys, time
    import netmap.storage.writer
    from netmap import Store, import_files

    url, n, mode = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    real = netmap.storage.writer._insert_returning_ids

    def marked(conn, table, rows):
        ids = real(conn, table, rows)
        print("WRITING", flush=True)
        if mode == "hold":
            time.sleep(60)  # killed here, inside the write transaction
        return ids

    netmap.storage.writer._insert_returning_ids = marked
    body = "Record ID,First Name,Last Name,Email,Associated Company,Referred by\\n" + "".join(
        f"B{i},F{i},L{i},p{i}@x.com,C{i % 50},{'p%d@x.com' % (i - 1) if i > 1 else ''}\\n" for i in range(1, n + 1)
    )
    store = Store(url)
    print("START", flush=True)
    import_files(store, [("big.csv", body.encode())])
    print("DONE", flush=True)
    """
)


@pytest.mark.parametrize("mode,delay", [("hold", 0.0), ("run", 0.0), ("run", 0.05), ("run", 0.3)])
def test_38_killed_mid_import_leaves_a_clean_database(database_url, mode, delay):
    url = database_url
    first = Store(url)
    accept(first, [("first.csv", PEOPLE.encode())])
    first.close()
    n = 5000
    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    proc = subprocess.Popen(
        [sys.executable, "-c", _KILL_SCRIPT, url, str(n), mode], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        env=env, cwd=str(ROOT),
    )
    try:
        seen = []
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            line = proc.stdout.readline().decode().strip()
            seen.append(line)
            if line in ("WRITING", "DONE") or not line:
                break
        assert "WRITING" in seen or "DONE" in seen, (seen, proc.stderr.read().decode()[-2000:])
        time.sleep(delay)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        proc.stdout.close()
        proc.stderr.close()
    check_integrity(url)  # SQLite: integrity and foreign keys; PostgreSQL: no lock or transaction left behind
    store = Store(url)
    try:
        count = store.summary()["people"]
        assert count in (2, 2 + n), f"a partial import survived: {count} people"
        if mode == "hold":
            assert count == 2
        if count == 2:
            assert len(store.imports()) == 1
        # the next start is clean: the same import now goes through
        report = accept(store, [("again.csv", PEOPLE.encode())])
        assert added(report) == {} and updated(report) == {}
        accept(store, [("third.csv", b"Record ID,Name\n777,Seven\n")])
        assert store.summary()["people"] == count + 1
    finally:
        store.close()
