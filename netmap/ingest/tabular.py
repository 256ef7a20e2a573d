"""Read an exported file (CSV, TSV, XLSX, or a zip of CSVs) into a plain table.

The reader takes bytes or a binary file-like object, so a browser upload and a
file on disk take the same path. It decides what the file is by its content,
never by its name, and refuses anything it cannot read with a
:class:`~netmap.errors.Problem` that names the file, the row as a spreadsheet
shows it (the header is row 1) and the column.

What it handles (the layouts and faults real CRM, survey and spreadsheet exports show):

* encodings: UTF-8 (with or without BOM), UTF-16 with BOM (Excel "Unicode
  text"), UTF-16 without BOM (detected from the NUL pattern), and Windows-1252 /
  Latin-1 when the bytes are not UTF-8. A file that mixes UTF-8 with other bytes
  is refused at the first row that is not UTF-8, so no name is ever stored with
  a U+FFFD replacement character.
* delimiters: comma, semicolon (European Excel), tab and pipe, chosen by which
  one gives the widest header with the most consistent rows.
* quoted fields with embedded newlines; CR, LF, CRLF and mixed line endings.
* header rows: BOM and surrounding spaces stripped; blank or duplicate headers
  refused (never a silent ``name.1``); trailing empty columns dropped.
* survey exports with extra header rows: SurveyMonkey's second header row and
  Qualtrics' question-text and ``ImportId`` rows are recognised and skipped.
* XLSX through openpyxl with defusedxml installed (no entity expansion); the zip
  is checked for bombs and encryption before it is opened; formula cells use
  their cached value, or are reported when the file holds none.
* limits on what a file unpacks to (:class:`~netmap.config.Limits`): every zip
  member and workbook sheet is refused from its declared size before anything
  is unpacked, and counted while it is read (bytes, rows, cells); a table wider
  than ``max_columns`` is refused at its header row, before its rows are read.
"""

from __future__ import annotations

import csv
import io
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import BinaryIO, Iterable, Iterator

from ..config import Limits
from ..errors import ImportRefused, Problem

Cell = object  # str | int | float | bool | datetime | date | time | None

#: The candidate delimiters, in order of preference when two score the same.
DELIMITERS = (",", ";", "\t", "|")
#: A header is looked for among this many first non-blank rows (after a preamble).
PREAMBLE_ROWS = 30

_MAGIC = [
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
    (b"%PDF", "a PDF document"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!", "a RAR archive"),
    (b"7z\xbc\xaf", "a 7-Zip archive"),
]
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ZIP = b"PK\x03\x04"
_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")


@dataclass
class Table:
    """A rectangular table read from one file (or one sheet of a workbook).

    ``rows`` holds ``(row_number, cells)`` pairs where ``row_number`` is the row
    as the user's spreadsheet shows it and ``cells`` is aligned with
    ``headers``. CSV cells are strings; XLSX cells keep their types (numbers,
    datetimes). Empty cells are ``None``. ``descriptions`` holds, per column,
    the question text of a survey's extra header row (or ``""``).
    """

    file: str
    headers: list[str]
    rows: list[tuple[int, list[Cell]]]
    descriptions: list[str] = field(default_factory=list)
    sheet: str | None = None
    encoding: str | None = None
    delimiter: str | None = None
    date_epoch: int = 1900
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    #: the row the header is on, as the spreadsheet shows it (after a preamble, not 1)
    header_row: int = 1

    @property
    def label(self) -> str:
        """The file name, with the sheet when it came from a workbook."""
        return f"{self.file}[{self.sheet}]" if self.sheet else self.file


def read_tables(
    source: bytes | BinaryIO,
    file: str,
    *,
    sheet: str | None = None,
    limits: Limits = Limits(),
    known_headers: frozenset[str] | None = None,
) -> list[Table]:
    """Read every table in ``source``: one for a CSV/TSV, one per non-empty
    sheet of a workbook (or just ``sheet`` when given).

    Raises :class:`ImportRefused` when the file cannot be read at all. Problems
    confined to rows (a ragged row, a NUL byte, a field over the size limit)
    are returned on each table's ``problems`` so the caller can report all of
    them at once.
    """
    data = _read_bytes(source, file, limits)
    if not data:
        raise _refuse(file, "the file is empty (0 bytes); export it again from your CRM")
    kind = _sniff(data)
    if kind == "xlsx":
        return _read_workbook(data, file, sheet, limits, known_headers)
    if kind == "zip":
        return _read_zip_of_csv(data, file, sheet, limits, known_headers)
    if kind is not None:
        raise _refuse(file, kind)
    if sheet is not None:
        raise _refuse(file, f"a sheet ({sheet!r}) was named, but this is a text file with no sheets", code="no_sheets")
    return [read_text_table(data, file, limits=limits, known_headers=known_headers)]


def _mb(n: int) -> str:
    return f"{n / 1024 / 1024:,.0f} MB"


class _Cells:
    """The cells a file may still hold (``Limits.max_cells``), shared by all
    its sheets or members; every row read takes its fields from it."""

    def __init__(self, limits: Limits):
        self.limit = self.left = limits.max_cells

    def take(self, n: int, label: str, row: int) -> None:
        self.left -= n
        if self.left < 0:
            raise _refuse(
                label,
                f"the file holds more than {self.limit:,} cells (the fields of its rows, every sheet or "
                "member together), the configured limit; split it, or raise NETMAP_MAX_CELLS",
                row=row,
            )


def _read_bytes(source: bytes | BinaryIO, file: str, limits: Limits) -> bytes:
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    else:
        data = source.read(limits.max_bytes + 1)
        if isinstance(data, str):  # a text-mode handle: accept, but read as UTF-8
            data = data.encode("utf-8")
    if len(data) > limits.max_bytes:
        raise _refuse(
            file,
            f"the file is larger than the limit of {limits.max_bytes / 1024 / 1024:.0f} MB; "
            "split it, or raise NETMAP_MAX_FILE_MB",
        )
    return data


def _sniff(data: bytes) -> str | None:
    """``"xlsx"``, ``"zip"``, a refusal message for a known non-table format,
    or ``None`` for text."""
    if data.startswith(_ZIP):
        try:
            names = zipfile.ZipFile(io.BytesIO(data)).namelist()
        except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):  # e.g. "zip file version 6.4"
            return "this looks like a damaged zip/XLSX file; export it again"
        if "xl/workbook.xml" in names:
            return "xlsx"
        if any(n.lower().endswith((".csv", ".tsv", ".txt")) for n in names):
            return "zip"
        if "word/document.xml" in names:
            return "this is a Word document, not a spreadsheet; export the data as CSV or XLSX"
        return "this is a zip archive with no workbook or CSV inside; export the data as CSV or XLSX"
    if data.startswith(_OLE2):
        return (
            "this is a legacy .xls workbook or a password-protected .xlsx; open it in Excel "
            "and save it as .xlsx without a password, or as CSV"
        )
    for magic, what in _MAGIC:
        if data.startswith(magic):
            return f"this is {what}, not a spreadsheet; export the data as CSV or XLSX"
    return None


def _refuse(file: str, message: str, row: int | None = None, column: str | None = None,
            code: str | None = None) -> ImportRefused:
    return ImportRefused([Problem(file, row, column, message, code=code)])


# --------------------------------------------------------------------- text


def decode(data: bytes, file: str) -> tuple[str, str]:
    """Decode a text export; return ``(text, encoding)``.

    Order: a BOM decides; NUL bytes on alternate positions mean UTF-16 without
    BOM; valid UTF-8 is UTF-8; otherwise Windows-1252 (Excel's "CSV" on
    Western Windows), falling back to Latin-1 for the five bytes cp1252 leaves
    undefined. Bytes that are partly valid multi-byte UTF-8 and partly not are
    a file saved in two encodings: refused at the first bad row.
    """
    if data.startswith(b"\xef\xbb\xbf"):
        return _strict(data[3:], "utf-8", file), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _strict(data, "utf-16", file), "utf-16"
    head = data[:4096]
    if len(head) >= 4 and head.count(0) > len(head) // 4:
        even_nuls = head[0::2].count(0)
        odd_nuls = head[1::2].count(0)
        if odd_nuls > len(head) // 4 and even_nuls < odd_nuls // 4:
            return _strict(data, "utf-16-le", file), "utf-16-le"
        if even_nuls > len(head) // 4 and odd_nuls < even_nuls // 4:
            return _strict(data, "utf-16-be", file), "utf-16-be"
        raise _refuse(file, "this is a binary file, not a text export; export the data as CSV or XLSX")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        if _has_utf8_multibyte(data[: exc.start]):
            row = data[: exc.start].count(b"\n") + 1
            raise _refuse(
                file,
                "the file mixes UTF-8 with another encoding (a byte here is not valid UTF-8); "
                "save it again as 'CSV UTF-8'",
                row=row,
            ) from None
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError:
        return data.decode("latin-1"), "latin-1"


def _strict(data: bytes, encoding: str, file: str) -> str:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        row = data[: exc.start].count(b"\n" if "16" not in encoding else "\n".encode(encoding)) + 1
        raise _refuse(file, f"not valid {encoding.upper()} text; save the file again as 'CSV UTF-8'", row=row) from None


def _has_utf8_multibyte(prefix: bytes) -> bool:
    return any(b >= 0x80 for b in prefix)


def read_text_table(
    data: bytes, file: str, *, limits: Limits = Limits(), cells: _Cells | None = None,
    known_headers: frozenset[str] | None = None,
) -> Table:
    """Read a delimited text export (CSV, TSV, semicolon-separated ...).

    ``cells`` is the file's cell allowance when the text is one member of a zip."""
    text, encoding = decode(data, file)
    controls = sum(1 for ch in text[:65536] if ch < " " and ch not in "\t\r\n")
    if controls > max(8, len(text[:65536]) // 100):
        raise _refuse(file, "this is a binary file, not a text export; export the data as CSV or XLSX")
    lines = text.count("\n") + text.count("\r")
    if lines > 2 * limits.max_rows + 10 and text.count("\n") > limits.max_rows + 10:
        raise _refuse(
            file,
            f"the file has more than {limits.max_rows:,} rows, the configured limit; "
            "split it, or raise NETMAP_MAX_ROWS",
        )
    cap = min(limits.max_bytes + 1, 2**31 - 1)
    if csv.field_size_limit() < cap:
        # a long field is refused by its row (max_field_chars), not by the csv module's 128 KiB cap
        csv.field_size_limit(cap)
    delimiter = sniff_delimiter(text)
    records = _csv_records(text, delimiter, file)
    table = _build_table(file, records, limits, cells=cells, known_headers=known_headers)
    table.encoding, table.delimiter = encoding, delimiter
    return table


def sniff_delimiter(text: str) -> str:
    """Pick the delimiter that gives the widest header with consistent rows.

    Each candidate parses the first 50 records; the score is (header width > 1,
    share of rows as wide as the header, header width). A file whose every
    candidate yields one column is read with commas.
    """
    sample = text[:65536]
    best, best_score = ",", (False, 0.0, 0)
    for delim in DELIMITERS:
        reader = csv.reader(io.StringIO(sample, newline=""), delimiter=delim)
        rows: list[list[str]] = []
        failed = False
        try:
            for rec in reader:
                if any(c.strip() for c in rec):
                    rows.append(rec)
                if len(rows) >= 50:
                    break
        except csv.Error:
            failed = True
        if not rows:
            if not failed and sample.strip():
                return delim  # only delimiters, quotes and spaces: a blank file, not one column of ",,,"
            continue
        # the header is the widest of the first rows: a preamble (LinkedIn's "Notes:", a
        # report's title) is narrower than the table it sits on
        first = max(range(min(len(rows), PREAMBLE_ROWS)), key=lambda i: (len(_trim_trailing_empty(rows[i])), -i))
        width = len(_trim_trailing_empty(rows[first]))
        body = rows[first + 1:]
        consistent = (
            sum(1 for r in body if len(_trim_trailing_empty(r)) <= width and len(r) >= width) / len(body)
            if body
            else 1.0
        )
        score = (width > 1, round(consistent, 2), width)
        if score > best_score:
            best, best_score = delim, score
    return best


def _trim_trailing_empty(cells: list) -> list:
    end = len(cells)
    while end and (cells[end - 1] is None or (isinstance(cells[end - 1], str) and not cells[end - 1].strip())):
        end -= 1
    return cells[:end]


def _csv_records(text: str, delimiter: str, file: str) -> Iterator[tuple[int, list[Cell]]]:
    """Yield ``(spreadsheet_row, cells)``; a spreadsheet shows one record per row."""
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    row = 0
    line_before = 0
    while True:
        try:
            rec = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            opened = line_before + 1
            if "unexpected end of data" in str(exc):
                message = (
                    f"a quoted field opens on line {opened} and is never closed; "
                    "close the quote (or remove it) and export again"
                )
            else:
                message = f"malformed quoting on line {reader.line_num} ({exc}); fix the quotes in this row"
            raise _refuse(file, message, row=row + 1) from None
        row += 1
        line_before = reader.line_num
        yield row, [c if c != "" else None for c in rec]


# --------------------------------------------------------------- workbooks


#: workbook parts openpyxl parses whole, at fixed names (sheets and shared strings are streamed)
_WHOLE_PARTS = re.compile(
    r"(?:\[Content_Types\]\.xml|.*\.rels|xl/workbook\.xml|xl/styles\.xml|xl/theme/.*|docProps/.*)",
    re.IGNORECASE,
)
_TEXT_MEMBER = (".csv", ".tsv", ".txt")


def _check_zip(data: bytes, file: str, limits: Limits, *, workbook: bool = False) -> zipfile.ZipFile:
    """Open an archive and check, from its directory and before anything is
    unpacked, what each member and the whole would unpack to.

    The declared sizes bound what is read: :mod:`zipfile` never returns more of
    a member than its directory entry declares (it stops there and checks the
    CRC), and netmap's own reads count the bytes as well. In a workbook, the
    parts openpyxl parses whole (styles, the workbook, relationships, and with a
    chart sheet anything it may point to) are held to ``max_part_bytes``.
    """
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, NotImplementedError):
        raise _refuse(file, "this looks like a damaged zip/XLSX file; export it again") from None
    total = 0
    for info in infos:
        if info.flag_bits & 0x1:
            raise _refuse(file, "the workbook is encrypted; save it again without a password")
        total += info.file_size
        if info.file_size > 1024 * 1024 and info.file_size > limits.max_compression_ratio * max(info.compress_size, 1):
            raise _refuse(
                file,
                f"refused: {info.filename} would unpack {info.file_size // max(info.compress_size, 1)}:1 "
                "(a zip bomb?); export the data again",
            )
        if workbook and _WHOLE_PARTS.fullmatch(info.filename):
            _check_part(info, file, limits)
    if workbook:
        sheets, streamed, whole = _workbook_layout(zf, file, limits)
    else:
        sheets, streamed, whole = {}, set(), set()
    for info in infos:
        name = info.filename
        if workbook and name not in streamed and (whole is None or name in whole):
            _check_part(info, file, limits)
        if (workbook or name.lower().endswith(_TEXT_MEMBER)) and info.file_size > limits.member_bytes:
            sheet = sheets.get(name)
            label, what = (f"{file}[{sheet}]", "the sheet") if sheet else (f"{file}[{name}]", name)
            raise _refuse(
                label,
                f"{what} would unpack to {_mb(info.file_size)}, over the limit of {_mb(limits.member_bytes)} "
                "per sheet or file in an archive; split it, or raise NETMAP_MAX_MEMBER_MB",
            )
    if total > limits.max_unpacked_bytes:
        raise _refuse(
            file,
            f"the archive would unpack to {total / 1024 / 1024:.0f} MB, over the limit of "
            f"{limits.max_unpacked_bytes / 1024 / 1024:.0f} MB",
        )
    return zf


def _check_part(info: zipfile.ZipInfo, file: str, limits: Limits) -> None:
    if info.file_size > limits.max_part_bytes:
        raise _refuse(
            f"{file}[{info.filename}]",
            f"the workbook part {info.filename} would unpack to {_mb(info.file_size)}, over the "
            f"{_mb(limits.max_part_bytes)} netmap reads of a workbook's styles and settings "
            "(real ones are a few KB); save the data as CSV",
        )


def _workbook_layout(zf: zipfile.ZipFile, file: str, limits: Limits) -> tuple[dict[str, str], set[str], set[str] | None]:
    """How openpyxl will read this workbook, from its manifest and relationships
    (small parts, checked already): ``({sheet member: sheet name}, the members
    it streams (worksheets, shared strings), the other members it parses whole,
    or ``None`` when a chart sheet may make it parse any of them)``. Parts that
    cannot be read give empty answers: openpyxl then refuses the file."""
    from defusedxml import ElementTree

    def local(tag: str) -> str:
        return tag.rsplit("}", 1)[-1]

    def parse(name: str):
        try:
            return ElementTree.fromstring(zf.read(name))
        except Exception:  # missing or damaged
            return None

    main, strings = "xl/workbook.xml", {"xl/sharedStrings.xml"}
    types = parse("[Content_Types].xml")
    for el in types.iter() if types is not None else ():
        kind, part = el.get("ContentType") or "", (el.get("PartName") or "").lstrip("/")
        if local(el.tag) == "Override" and kind.endswith(".main+xml"):
            main = part  # the workbook part, wherever the manifest puts it
        elif local(el.tag) == "Override" and kind.endswith("sharedStrings+xml"):
            strings.add(part)
    try:
        _check_part(zf.getinfo(main), file, limits)
    except KeyError:
        return {}, strings, set()
    folder, base = posixpath.split(main)
    rels_name = posixpath.join(folder, "_rels", f"{base}.rels")
    book, rels = parse(main), parse(rels_name)
    if book is None or rels is None:
        return {}, strings, {main}
    targets: dict[str, tuple[str, str]] = {}
    for r in rels:
        target = r.get("Target") or ""
        member = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
        targets[r.get("Id")] = (member, r.get("Type") or "")
    sheets: dict[str, str] = {}
    charts = False
    for el in book.iter():
        if local(el.tag) != "sheet":
            continue
        rid = next((v for k, v in el.attrib.items() if local(k) == "id"), None)
        member, kind = targets.get(rid, ("", ""))
        if "chartsheet" in kind:
            charts = True  # openpyxl parses a chart sheet whole, and the drawings and charts it points to
        elif member:
            sheets[member] = el.get("name") or member
    return sheets, set(sheets) | strings, None if charts else {main}


def _member_chunks(zf: zipfile.ZipFile, name: str, label: str, limits: Limits, too_big: str) -> Iterator[bytes]:
    """One member of a checked archive in chunks, counted: refused (``too_big``) at the first
    byte over ``Limits.member_bytes``; a damaged member refuses the file."""
    seen = 0
    try:
        with zf.open(name) as stream:
            while chunk := stream.read(1024 * 1024):
                seen += len(chunk)
                if seen > limits.member_bytes:
                    raise _refuse(label, too_big)
                yield chunk
    except ImportRefused:
        raise
    except Exception:  # zipfile, zlib and struct errors for a damaged or truncated member
        raise _refuse(
            label, f"this looks like a damaged zip/XLSX file ({name} cannot be unpacked); export it again"
        ) from None


def _read_member(zf: zipfile.ZipFile, name: str, label: str, limits: Limits) -> bytes:
    """One member of a checked archive, read in chunks and counted (:func:`_member_chunks`)."""
    too_big = (f"{name} unpacks to more than {_mb(limits.member_bytes)}, the limit per sheet or file "
               "in an archive; split it, or raise NETMAP_MAX_MEMBER_MB")
    return b"".join(_member_chunks(zf, name, label, limits, too_big))


def _has_formulas(zf: zipfile.ZipFile, name: str, label: str, limits: Limits) -> bool:
    """Whether a sheet's XML holds a formula, read in chunks (never the whole
    sheet in memory) and counted like :func:`_read_member`."""
    too_big = (f"the sheet unpacks to more than {_mb(limits.member_bytes)}, the limit per sheet; "
               "split it, or raise NETMAP_MAX_MEMBER_MB")
    tail = b""
    for chunk in _member_chunks(zf, name, label, limits, too_big):
        block = tail + chunk
        if b"<f>" in block or b"<f " in block:
            return True
        tail = block[-2:]
    return False


def _read_zip_of_csv(
    data: bytes, file: str, sheet: str | None, limits: Limits, known_headers: frozenset[str] | None = None,
) -> list[Table]:
    """A zip of CSV files (Zoho CRM exports ``Contacts_001.csv`` in a zip)."""
    zf = _check_zip(data, file, limits)
    members = sorted(
        n for n in zf.namelist() if n.lower().endswith(_TEXT_MEMBER) and not n.endswith("/")
    )
    if sheet is not None:
        if sheet not in members:
            raise _refuse(file, f"no file {sheet!r} in this archive; it holds: {', '.join(members)}")
        members = [sheet]
    tables = []
    cells = _Cells(limits)  # per file: every member takes from it
    for name in members:
        label = f"{file}[{name}]"
        table = read_text_table(_read_member(zf, name, label, limits), label, limits=limits, cells=cells,
                                    known_headers=known_headers)
        table.sheet = name
        table.file = file
        tables.append(table)
    return tables


def _read_workbook(
    data: bytes, file: str, sheet: str | None, limits: Limits, known_headers: frozenset[str] | None = None,
) -> list[Table]:
    """Read an XLSX workbook: every non-empty sheet, or the one named."""
    import defusedxml  # noqa: F401  -- openpyxl parses through defusedxml when it is importable
    import openpyxl
    from openpyxl.xml import DEFUSEDXML

    if not DEFUSEDXML:  # pragma: no cover - guarded by requirements.txt
        raise _refuse(file, "XLSX import needs the defusedxml package; install requirements.txt")
    zf = _check_zip(data, file, limits, workbook=True)
    formulas = None
    try:
        wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True, keep_links=False)
    except Exception as exc:  # hostile or damaged workbooks raise anything from zip, XML or openpyxl
        raise _refuse(file, f"could not read this workbook ({type(exc).__name__}); save it again as .xlsx") from None
    tables = []
    try:
        names = [n for n in wb.sheetnames if hasattr(wb[n], "iter_rows")]  # a chart sheet holds no table
        if sheet is not None and sheet not in names:
            raise _refuse(file, f"no sheet {sheet!r} in this workbook; it has: {', '.join(names)}")
        chosen = [sheet] if sheet is not None else names
        paths = {n: getattr(wb[n], "_worksheet_path", None) for n in chosen}
        if any(p and _has_formulas(zf, p, f"{file}[{n}]", limits) for n, p in paths.items()):
            formulas = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=False, keep_links=False)
        epoch = 1904 if getattr(wb, "epoch", None) and wb.epoch.year == 1904 else 1900
        cells = _Cells(limits)  # per file: every sheet takes from it
        for name in chosen:
            ws = wb[name]
            max_row = ws.max_row
            if max_row is not None and max_row > limits.max_rows + 1:
                raise _refuse(
                    f"{file}[{name}]",
                    f"the sheet has {max_row:,} rows, over the configured limit of {limits.max_rows:,}",
                )
            # rows and cells are counted as they come, so the sheet's declared extent is not used: it may
            # lie either way (A1:XFD1048576 would pad every row to 16,384 cells, A1:A1 would hide rows)
            ws.reset_dimensions()
            formula_ws = formulas[name] if formulas is not None else None
            if formula_ws is not None:
                formula_ws.reset_dimensions()
            formula_warnings: list[Problem] = []
            records = _sheet_records(ws, formula_ws, f"{file}[{name}]", formula_warnings)
            table = _build_table(f"{file}[{name}]", records, limits, pad_short_rows=True, cells=cells,
                                 known_headers=known_headers)
            table.warnings.extend(formula_warnings)
            if not table.headers and sheet is None:
                continue
            table.file, table.sheet, table.date_epoch = file, name, epoch
            tables.append(table)
    except ImportRefused:
        raise
    except Exception as exc:  # damaged sheet XML surfaces while iterating
        raise _refuse(file, f"could not read this workbook ({type(exc).__name__}); save it again as .xlsx") from None
    finally:
        wb.close()
        if formulas is not None:
            formulas.close()
    if not tables:
        raise _refuse(file, "every sheet of this workbook is empty")
    return tables


def _sheet_records(ws, formula_ws, label: str, warned: list[Problem]) -> Iterator[tuple[int, list[Cell]]]:
    """Yield a sheet's rows; formula cells without a cached value go to ``warned``."""
    # both iterate from A1 (openpyxl fills missing rows), so the n-th row is spreadsheet row n,
    # even when the sheet's data starts lower down
    formula_rows = formula_ws.iter_rows(min_row=1, min_col=1, values_only=True) if formula_ws is not None else None
    for row_no, values in enumerate(ws.iter_rows(min_row=1, min_col=1, values_only=True), start=1):
        cells = [_xlsx_cell(v) for v in values]
        if formula_rows is not None:
            raw = next(formula_rows, ())
            for i, (v, r) in enumerate(zip(cells, raw)):
                if v is None and isinstance(r, str) and r.startswith("="):
                    warned.append(
                        Problem(
                            label,
                            row_no,
                            _column_letter(i),
                            f"cell {_column_letter(i)}{row_no} holds a formula with no saved value; "
                            "it was read as empty (open and save the file in Excel to store its values)",
                            "warning",
                        )
                    )
        yield row_no, cells


def _xlsx_cell(v: object) -> Cell:
    if isinstance(v, str):
        return v if v.strip() != "" else None
    return v


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


# ------------------------------------------------------------- the header


def _build_table(
    file: str,
    records: Iterable[tuple[int, list[Cell]]],
    limits: Limits,
    *,
    pad_short_rows: bool = False,
    cells: _Cells | None = None,
    known_headers: frozenset[str] | None = None,
) -> Table:
    """Find the header, skip survey metadata rows, check every row's shape.

    The header is the first row that looks like one (:func:`find_header`):
    a preamble above it (LinkedIn's ``Notes:``, a report's title and filters)
    and a footer below the data (a report's copyright lines) are skipped and
    reported. A header name that repeats (HubSpot writes an associated
    company's ``Create Date`` after the contact's) keeps its first column as the
    field; the later ones are renamed after their column and left unused.

    ``pad_short_rows`` is for workbooks, whose rows simply end at their last
    filled cell; in a text file a short row means a broken line. Rows, columns
    and cells are counted as the records come (``cells``: the file's allowance,
    shared by its sheets or members), so a refusal comes at the first one over
    a limit; a header wider than ``max_columns`` is refused before any row.
    """
    table = Table(file=file, headers=[], rows=[])
    allowance = cells if cells is not None else _Cells(limits)
    it = iter(records)
    read: list[tuple[int, list[Cell]]] = []  # the rows up to the PREAMBLE_ROWS-th non-blank one
    filled = 0
    for row_no, row in it:
        allowance.take(len(row), file, row_no)
        read.append((row_no, row))
        filled += any(_present(c) for c in row)
        if filled >= PREAMBLE_ROWS:
            break
    head = [(r, row) for r, row in read if any(_present(c) for c in row)]  # where the header is
    if not head:
        return table
    at = find_header(head, known_headers)
    header_row, header = head[at]
    table.header_row = header_row
    if at:
        table.warnings.append(_preamble_warning(file, head[:at], header_row))
    rest = [(r, row) for r, row in read if r > header_row]
    header = _trim_trailing_empty(list(header))
    if len(header) > limits.max_columns:
        raise _refuse(
            file,
            f"the header row has {len(header):,} columns, over the limit of {limits.max_columns:,} per table; "
            "remove the columns you do not need, or raise NETMAP_MAX_COLUMNS",
            row=header_row,
        )
    names = [_clean_header(c) for c in header]
    body: list[tuple[int, list[Cell]]] = []
    count = 0
    blank_rows: list[int] = []
    for row_no, row in _chain(rest, it, allowance, file):
        count += 1
        if count > limits.max_rows:
            raise _refuse(
                file,
                f"the file has more than {limits.max_rows:,} rows, the configured limit; "
                "split it, or raise NETMAP_MAX_ROWS",
            )
        if not any(_present(c) for c in row):
            blank_rows.append(row_no)
            if len(body) >= 2:
                continue  # blank rows are skipped below anyway; only the first two matter (survey header rows)
        body.append((row_no, row))
    body, footer = _split_footer(body, blank_rows, len(header), pad_short_rows)
    if footer:
        table.warnings.append(_footer_warning(file, footer))
    descriptions = [""] * len(names)
    body, names, descriptions = _skip_survey_rows(body, names, descriptions)
    width = len(names)
    # a column with data but no header cannot be mapped: name it
    blank = [i for i, n in enumerate(names) if not n]
    for i in blank:
        if i == 0 and _row_names(body):
            table.warnings.append(Problem(
                file, header_row, "A", "column A has no header and numbers the rows (R's row names, a pandas index): "
                "left out", "warning"))
            continue
        if any(i < len(c) and _present(c[i]) for _, c in body):
            table.problems.append(
                Problem(file, header_row, _column_letter(i), f"column {_column_letter(i)} has data but no header; give it a name")
            )
    seen: dict[str, int] = {}
    repeats: list[str] = []
    for i, name in enumerate(names):
        if not name:
            continue
        key = header_key(name) or name
        if key in seen:
            names[i] = f"{name} (column {_column_letter(i)})"
            repeats.append(f"{name!r} in columns {_column_letter(seen[key])} and {_column_letter(i)}")
        else:
            seen[key] = i
    if repeats:
        table.warnings.append(Problem(
            file, None, None,
            f"repeated header{'s' if len(repeats) > 1 else ''} {'; '.join(repeats)}: the first column is the "
            "record's own field; the later one (an associated record's, as CRMs export them) is kept apart "
            "under its column letter and not used",
            "warning",
        ))
    keep = [i for i, n in enumerate(names) if n]
    table.headers = [names[i] for i in keep]
    table.descriptions = [descriptions[i] for i in keep]
    for row_no, cells in body:
        if not any(_present(c) for c in cells):
            continue  # blank and trailing empty rows
        if len(cells) > width and any(_present(c) for c in cells[width:]):
            found = len(_trim_trailing_empty(list(cells)))
            table.problems.append(
                Problem(
                    file,
                    row_no,
                    None,
                    f"row {row_no}: expected {width} fields, found {found}; "
                    "a delimiter or quote in a value is probably unescaped",
                )
            )
            continue
        if len(cells) < width:
            if pad_short_rows:
                cells = list(cells) + [None] * (width - len(cells))
            else:
                table.problems.append(
                    Problem(file, row_no, None, f"row {row_no}: expected {width} fields, found {len(cells)}")
                )
                continue
        row = [cells[i] if i < len(cells) else None for i in keep]
        bad = False
        for name, value in zip(table.headers, row):
            if isinstance(value, str):
                if "\x00" in value:
                    table.problems.append(
                        Problem(file, row_no, name, "contains a NUL byte (\\0); remove it and export again")
                    )
                    bad = True
                elif "\ufffd" in value:
                    table.problems.append(
                        Problem(
                            file, row_no, name,
                            "contains the replacement character U+FFFD, the mark of text decoded with the "
                            "wrong encoding before it reached this file; correct the value and export again",
                        )
                    )
                    bad = True
                elif len(value) > limits.max_field_chars:
                    table.problems.append(
                        Problem(
                            file,
                            row_no,
                            name,
                            f"value is {len(value):,} characters, over the limit of {limits.max_field_chars:,}; shorten it",
                        )
                    )
                    bad = True
        if not bad:
            table.rows.append((row_no, row))
    return table


def _row_names(body) -> bool:
    """The first column numbers the rows 1, 2, 3 ... (``write.csv`` in R writes row names so)
    or 0, 1, 2 ... (pandas' ``to_csv`` writes its index so)."""
    values = [str(c[0]).strip() if c and _present(c[0]) else None for _, c in body if any(_present(x) for x in c)]
    return bool(values) and values[0] in ("0", "1") and values == [str(n) for n in range(int(values[0]), int(values[0]) + len(values))]


def _chain(head, rest, allowance: _Cells, file: str) -> Iterator[tuple[int, list[Cell]]]:
    """The rows after the header: those already read (and counted), then the rest, counted."""
    yield from head
    for row_no, row in rest:
        allowance.take(len(row), file, row_no)
        yield row_no, row


_NUMBER = re.compile(r"^[\s$€£%+\-.,0-9:/]+$")


def _header_cell(c: Cell) -> bool:
    """A cell a header could hold: text that is no number, date or email."""
    return isinstance(c, str) and not _NUMBER.match(c) and "@" not in c.strip(" @")


def find_header(rows: list[tuple[int, list[Cell]]], known: frozenset[str] | None = None) -> int:
    """Which of the first non-blank ``rows`` is the header (an index into ``rows``).

    The first row, unless it is a preamble: rows that are each narrower than a
    later row which looks like a header (two or more names, none a number,
    date or email, at least one of them a header netmap ``known``s) and no
    more than half as wide as it. LinkedIn's ``Connections.csv`` starts with a
    ``Notes:`` line, a quoted paragraph and a blank line; report exports start
    with a title and "Filtered by" lines. A data row never passes for a header
    (it holds an email, a number or a date, and no known header name), so a
    file with an unnamed column is still refused for it, not read from row 2.
    """
    for i, (_, row) in enumerate(rows[1:], start=1):
        present = [c for c in row if _present(c)]
        if len(present) < 2 or not all(_header_cell(c) for c in present):
            continue
        if known is not None and not any(header_key(str(c)) in known for c in present):
            continue
        width = len(present)
        if all(sum(_present(c) for c in before) <= max(1, width // 2) for _, before in rows[:i]):
            return i
        return 0
    return 0


def _first_text(row: list[Cell]) -> str:
    text = next((str(c).strip() for c in row if _present(c)), "")
    return text if len(text) <= 40 else text[:37] + "..."


def _rows_span(rows: list[int]) -> str:
    return f"row {rows[0]}" if len(rows) == 1 else f"rows {rows[0]}-{rows[-1]}"


def _preamble_warning(file: str, skipped: list[tuple[int, list[Cell]]], header_row: int) -> Problem:
    rows = [r for r, _ in skipped]
    return Problem(
        file, None, None,
        f"the header is row {header_row}; {_rows_span(rows)} above it ({_first_text(skipped[0][1])!r}) "
        "read as the export's notes or title and skipped",
        "warning",
    )


def _footer_line(row: list[Cell], width: int, short_rows: bool) -> bool:
    """One text of words in the first cell and nothing else (in a text file:
    a line of one field, where data rows have one per column)."""
    cells = _trim_trailing_empty(list(row))
    if not cells:
        return True  # blank
    text = cells[0]
    return (len(cells) == 1 and isinstance(text, str) and " " in text.strip() and "@" not in text
            # a workbook's row simply ends at its last cell: there, only a footer's own words tell
            # "Copyright (c) ..." from a person with a name alone
            and (len(row) < width if not short_rows else bool(_FOOTER_WORDS.search(text))))


_FOOTER_WORDS = re.compile(r"copyright|\(c\)|©|confidential|generated|all rights reserved|do not distribute|"
                           r"printed|report", re.I)


def _split_footer(body, blank_rows: list[int], width: int, short_rows: bool):
    """The data rows, and a report footer after them: the last rows of a file
    that come after a blank row and hold one text each (Salesforce appends
    ``"Copyright (c) ..."``, ``"Confidential Information ..."`` and
    ``"Generated By: ..."`` to a report exported as CSV)."""
    if width < 2 or not blank_rows:
        return body, []
    start = len(body)
    while start and _footer_line(body[start - 1][1], width, short_rows):
        start -= 1
    footer = [(r, c) for r, c in body[start:] if any(_present(x) for x in c)]
    if not footer or start == 0:
        return body, []
    last_data = body[start - 1][0]
    if not any(last_data < b < footer[0][0] for b in blank_rows):
        return body, []
    return body[:start], footer


def _footer_warning(file: str, footer) -> Problem:
    rows = [r for r, _ in footer]
    return Problem(
        file, None, None,
        f"{_rows_span(rows)} after the data ({_first_text(footer[0][1])!r}) read as a report footer and skipped",
        "warning",
    )


def _present(c: Cell) -> bool:
    return c is not None and not (isinstance(c, str) and not c.strip())


def _clean_header(c: Cell) -> str:
    if c is None:
        return ""
    if isinstance(c, (datetime, date, time)):
        return c.isoformat()
    text = _INVISIBLE.sub("", str(c))
    return " ".join(text.split())


def header_key(name: str) -> str:
    """A header as netmap compares it: case, spaces and punctuation ignored."""
    return re.sub(r"[^0-9a-z]+", "", name.casefold())


_SM_SUBHEADERS = {"response", "openendedresponse", "otherpleasespecify", "comment", "other"}


def _skip_survey_rows(body, names, descriptions):
    """Skip the extra header rows of survey exports.

    SurveyMonkey writes a second header row ("Response", "Open-Ended
    Response", or an answer option under a blank question cell). Qualtrics
    writes the question text in row 2 and ``{"ImportId": ...}`` in row 3.
    """
    if not body:
        return body, names, descriptions
    first = [c if isinstance(c, str) else None for c in body[0][1]]
    # Qualtrics: row 3 holds {"ImportId": ...}
    if len(body) >= 2:
        third = body[1][1]
        if any(isinstance(c, str) and c.lstrip().startswith('{"ImportId"') for c in third):
            descriptions = [(first[i] or "") if i < len(first) else "" for i in range(len(names))]
            return body[2:], names, descriptions
    # legacy Qualtrics: row 2 repeats the headers as text ("Response ID" under "ResponseId")
    keys = [header_key(n) for n in names]
    if "responseid" in keys:
        i = keys.index("responseid")
        if i < len(first) and first[i] and header_key(first[i]) == "responseid":
            descriptions = [(first[j] or "") if j < len(first) else "" for j in range(len(names))]
            return body[1:], names, descriptions
    # SurveyMonkey: a second header row of sub-labels
    present = [c for c in first if c and c.strip()]
    if present and any(header_key(c) in ("response", "openendedresponse") for c in present):
        merged = list(names)
        last_question = ""
        for i in range(len(merged)):
            sub = first[i].strip() if i < len(first) and first[i] else ""
            if merged[i]:
                last_question = merged[i]
            elif sub:
                merged[i] = f"{last_question} - {sub}" if last_question else sub
        descriptions = [(first[i] or "").strip() if i < len(first) else "" for i in range(len(names))]
        return body[1:], merged, descriptions
    return body, names, descriptions
