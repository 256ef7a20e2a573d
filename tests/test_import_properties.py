"""Generated inputs: whatever the bytes, an import is clean or refused, never half.

Arbitrary bytes, arbitrary CSV text (quotes, delimiters, newlines, NULs,
unicode, every encoding netmap reads) and small arbitrary XLSX workbooks either
import cleanly or raise :class:`ImportRefused` whose problems all name the file;
never another exception, never a partial write (a refused import leaves the
database exactly as it was), never a NUL or U+FFFD in stored text.

The last test prints the suite's figure line: how many malformed files and
generated inputs were tried, and what became of them.
"""

from __future__ import annotations

import csv
import io
import string
from datetime import date, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from netmap import ImportOptions, ImportRefused, Store, import_files

from .conftest import BACKEND, drop_database, new_database_url
from .test_bad_inputs import FIGURES, _names_ok, db_state, reimport_changes_nothing, stored_text, xlsx

SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)

HEADERS = [
    "Record ID", "First Name", "Last Name", "Email", "Name", "Associated Company", "Contact owner", "Lifecycle Stage",
    "Created Date", "Referred by", "Last NPS survey rating", "Last NPS survey date", "Last NPS survey comment",
    "Reports To", "Referrer", "Referrer Email", "Referred Email", "Date", "Status", "Value", "Person A", "Person B",
    "Relationship", "Strength", "Meeting ID", "Meeting name", "Attendee email", "Score", "Comment", "Respondent ID",
    "ResponseId", "NPS", "#", "Segment", "Region", "", " ", "Email ", "e-mail", "Phone",
]
TRICKY = [
    "", " ", '"', '""', '"a"b', ",", ";", "\t", "|", "\n", "\r", "\r\n", "\x00", "\ufeff", "\u202e", "\u200b",
    "\ufffd", "=1+1", "+4912", "-1", "@SUM(A1)", "00123", "Null", "NA", "None", "01/02/2024", "13/02/2024",
    "02/13/2024", "31/31/2024", "2024-02-30", "2024-01-05", "45296", "0", "7", "10", "11", "7.5", "seven",
    "ann@acme.com", "ANN@acme.com ", "bob@acme.com", "not-an-email", "a@b", "Ann Lee", "Zoë", "李小龍",
    "<img src=x onerror=alert(1)>", "x" * 300, '{"ImportId":"QID1"}', "Response", "1,200.50", "$5", "customer",
]
cell_text = st.one_of(st.sampled_from(TRICKY), st.text(max_size=20), st.text(alphabet=string.printable, max_size=12))


@pytest.fixture(scope="module")
def prop_store(tmp_path_factory):
    url = new_database_url(tmp_path_factory.mktemp("props"), "p")
    s = Store(url)
    yield s
    s.close()
    drop_database(url)


def check_import(store: Store, name: str, data: bytes, options: ImportOptions = ImportOptions()) -> None:
    """The property: a clean import, or a refusal that names the file and writes nothing."""
    FIGURES["generated"] += 1
    before = db_state(store)
    try:
        report = import_files(store, [(name, data)], options)
    except ImportRefused as exc:
        after = db_state(store)
        if after != before:
            FIGURES["partial"] += 1
        assert after == before, "a refused import changed the database"
        named = _names_ok(exc.problems, [name]) and all(p.row is None or p.row >= 1 for p in exc.problems)
        if not named:
            FIGURES["unnamed"] += 1
        assert exc.problems and named, [str(p) for p in exc.problems]
        return
    except Exception:
        FIGURES["unhandled"] += 1
        raise
    assert _names_ok(report.warnings, [name]), [str(w) for w in report.warnings]
    bad = [s for s in stored_text(store) if "\x00" in s or "\ufffd" in s]
    assert not bad, f"stored text with NUL or U+FFFD: {bad[:3]!r}"
    reimport_changes_nothing(store, [(name, data)], options)


# ------------------------------------------------------------ arbitrary bytes

PREFIXES = [
    b"", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff", b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
    b"\x89PNG\r\n\x1a\n", b"Record ID,Name,Email\n", b"Email;Score\n",
]


@SETTINGS
@given(prefix=st.sampled_from(PREFIXES), body=st.binary(max_size=2000))
def test_arbitrary_bytes(prop_store, prefix, body):
    check_import(prop_store, "random.csv", prefix + body)


_VALID_XLSX = xlsx({"P": [["Record ID", "Name", "Email"], ["1", "Ann", "ann@acme.com"], ["2", "Bob", "bob@acme.com"]]})


@settings(max_examples=150, deadline=None)
@given(
    cuts=st.lists(st.tuples(st.integers(0, len(_VALID_XLSX) - 1), st.integers(0, 255)), min_size=1, max_size=6),
    truncate=st.one_of(st.none(), st.integers(1, len(_VALID_XLSX))),
)
def test_corrupted_workbooks(prop_store, cuts, truncate):
    data = bytearray(_VALID_XLSX)
    for pos, byte in cuts:
        data[pos] = byte
    if truncate is not None:
        data = data[:truncate]
    check_import(prop_store, "corrupt.xlsx", bytes(data))


# ---------------------------------------------------------- arbitrary CSV text

#: headers of each kind of export, so that generated files get past the header
#: check and into rows, identity resolution and the store
TEMPLATES = [
    ["Record ID", "First Name", "Last Name", "Email", "Associated Company", "Contact owner", "Lifecycle Stage",
     "Created Date", "Referred by", "Last NPS survey rating", "Last NPS survey date", "Last NPS survey comment",
     "Reports To", "Phone"],
    ["Referrer", "Referrer Email", "Referred", "Referred Email", "Date", "Status", "Value"],
    ["Person A", "Person B", "Relationship", "Strength", "Since"],
    ["Meeting ID", "Meeting name", "Meeting date", "Attendee email"],
    ["Respondent ID", "Email", "Name", "Score", "Comment", "Created At"],
]
EMAILS = ["ann@acme.com", "bob@acme.com", "cy@zeta.io", "ANN@acme.com", "dee@x.org", "new@guest.com"]
IDS = ["1", "2", "3", "00123", "+4912", "M1", "R_1"]
NAMES = ["Ann Lee", "Bob Stone", "Zoë Müller", "李小龍", "Null", "Cher", "Ann  lee"]
DATES = ["2024-01-05", "01/02/2024", "13/02/2024", "02/13/2024", "5.1.2024", "45296", "Jan 5, 2024", "2024-02-30"]
SCORES = ["0", "6", "7", "9", "10", "11", "-1", "7.5", "10 - Extremely likely"]


def _values_for(header: str):
    h = header.casefold()
    if "email" in h or h in ("referred by", "reports to", "person a", "person b", "referrer", "referred"):
        specific = st.sampled_from(EMAILS + IDS[:3] + NAMES[:3])
    elif "id" in h:
        specific = st.sampled_from(IDS)
    elif "date" in h or h in ("since", "created at"):
        specific = st.sampled_from(DATES)
    elif "rating" in h or h == "score" or h == "strength":
        specific = st.sampled_from(SCORES)
    elif "name" in h:
        specific = st.sampled_from(NAMES)
    else:
        specific = st.sampled_from(["Acme", "customer", "lead", "knows", "1200", "converted", "Maria"])
    return st.one_of(*[specific] * 7, cell_text)  # mostly plausible cells, one in eight anything


@st.composite
def table_rows(draw):
    """A header and rows: mostly a recognisable export, sometimes anything."""
    if draw(st.integers(0, 4)) == 0:
        headers = draw(st.lists(st.one_of(st.sampled_from(HEADERS), cell_text), min_size=1, max_size=7))
        cells = [cell_text] * len(headers)
    else:
        template = draw(st.sampled_from(TEMPLATES))
        headers = draw(st.lists(st.sampled_from(template), min_size=2, max_size=len(template), unique=True))
        if draw(st.integers(0, 5)) == 0:
            headers.append(draw(st.sampled_from(HEADERS)))
        cells = [_values_for(h) for h in headers]
    n = draw(st.integers(0, 6))
    rows = []
    for _ in range(n):
        row = [draw(c) for c in cells]
        if draw(st.integers(0, 9)) == 0:  # ragged now and then
            row = row[:-1] if draw(st.booleans()) else row + [draw(cell_text)]
        rows.append(row)
    return headers, rows


@st.composite
def csv_files(draw):
    headers, rows = draw(table_rows())
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    eol = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    if draw(st.integers(0, 3)):  # written by a CSV library: properly quoted
        buf = io.StringIO()
        csv.writer(buf, delimiter=delimiter, lineterminator=eol).writerows([headers, *rows])
        text = buf.getvalue()
    else:  # written by hand: quotes and delimiters as they come
        text = eol.join(delimiter.join(r) for r in [headers, *rows]) + draw(st.sampled_from(["", eol, eol * 3]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16", "utf-16-le", "cp1252", "latin-1"]))
    data = text.encode(encoding, errors="replace" if encoding in ("cp1252", "latin-1") else "surrogatepass")
    options = ImportOptions(
        kind=draw(st.sampled_from([None] * 7 + ["people", "feedback", "referrals"])),
        date_order=draw(st.sampled_from([None, None, "dmy", "mdy"])),
        skip_invalid=draw(st.booleans()),
    )
    return data, options


@SETTINGS
@given(csv_files())
def test_arbitrary_csv_text(prop_store, generated):
    data, options = generated
    check_import(prop_store, "generated.csv", data, options)


# ------------------------------------------------------- arbitrary workbooks

xlsx_value = st.one_of(
    st.none(),
    cell_text.map(lambda s: ILLEGAL_CHARACTERS_RE.sub("", s)),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False, allow_infinity=False, width=32),
    st.sampled_from([0, 1, 7, 9, 10, 11, -1, 7.5, 45296, 45296.5, 2958466, True, False]),
    st.booleans(),
    st.datetimes(min_value=datetime(1900, 3, 1), max_value=datetime(9999, 12, 31)),
    st.dates(min_value=date(1900, 3, 1)),
    st.times(),
    st.sampled_from(["=1+1", "=A1", "=SUM(B2:B3)", '=HYPERLINK("http://x","y")']),
)


def _xlsx_safe(v):
    return ILLEGAL_CHARACTERS_RE.sub("", v) if isinstance(v, str) else v


@st.composite
def workbooks(draw):
    sheets = {}
    for i in range(draw(st.integers(1, 2))):
        headers, rows = draw(table_rows())
        rows = [[_xlsx_safe(v) if draw(st.integers(0, 5)) else draw(xlsx_value) for v in r] for r in rows]
        if draw(st.integers(0, 4)) == 0:
            headers = headers + [draw(xlsx_value)]
        sheets[f"S{i}"] = [[_xlsx_safe(h) for h in headers], *rows]
    return xlsx(sheets, epoch1904=draw(st.booleans())), draw(st.sampled_from([None, None, "S0", "S1"]))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(workbooks(), st.booleans(), st.sampled_from([None, "dmy", "mdy"]))
def test_arbitrary_workbooks(prop_store, generated, skip_invalid, date_order):
    data, sheet = generated
    options = ImportOptions(sheet=sheet, skip_invalid=skip_invalid, date_order=date_order)
    check_import(prop_store, "generated.xlsx", data, options)


# ---------------------------------------------------------------- the figures


def test_zz_print_the_figures(capsys):
    """The suite's figure line (runs last in this file)."""
    line = (
        f"{FIGURES['malformed']} malformed files + {FIGURES['generated']} generated inputs: "
        f"{FIGURES['unhandled']} unhandled exceptions, {FIGURES['partial']} partial writes, "
        f"{FIGURES['unnamed']} errors not naming file/row/column"
    )
    reimports = f"{FIGURES['reimports']} re-imports: {FIGURES['reimport_changes']} with inserts or updates"
    with capsys.disabled():
        print(f"\n{line} [{BACKEND}]\n{reimports} [{BACKEND}]")
    assert FIGURES["unhandled"] == FIGURES["partial"] == FIGURES["unnamed"] == 0
    assert FIGURES["reimport_changes"] == 0
