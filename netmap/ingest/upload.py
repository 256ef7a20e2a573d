"""The import page's logic, without Streamlit: sheets, mapping, reports as tables.

The app's Import page lets a user correct what :func:`netmap.ingest.importer.prepare`
detected, file by file, before anything is written. These helpers turn a
file and the user's choices into :class:`~netmap.ingest.importer.Prepared` tables
and turn problems, reports and the import log into plain tables (every cell
is data: the page shows them with ``st.dataframe``, never as markup).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .columns import ALIASES, CONTACT_LAYOUTS, KINDS, REQUIRED, _match, map_columns
from ..config import Limits
from ..errors import ImportRefused, Problem
from .importer import ImportOptions, ImportReport, Prepared, prepare
from .tabular import read_tables

__all__ = [
    "NOT_USED", "PREVIEW_COLUMNS", "Sheet", "list_sheets", "prepare_one", "suggested_mapping", "required_fields", "field_choices", "mapping_conflicts", "preview_frame", "preview_note",
    "problems_frame", "report_frame", "imports_frame", "reviews_frame", "problem_codes", "KINDS", "ALIASES",
    "is_connections_export",
]

#: the choice for a field that no column fills
NOT_USED = "(not used)"
#: the preview shows at most this many columns (a table may have up to ``Limits.max_columns``)
PREVIEW_COLUMNS = 30


@dataclass(frozen=True)
class Sheet:
    """One table of an uploaded file: a workbook sheet or a CSV inside a zip
    (``name`` is ``None`` for a plain CSV/TSV file)."""

    name: str | None
    kind: str | None  # the detected kind, or None when the headers fit none


def list_sheets(name: str, data: bytes, limits: Limits | None = None) -> list[Sheet]:
    """The tables in a file with the kind each one looks like.

    An empty list when the file cannot be read at all (``prepare`` then says
    why). A CSV/TSV file gives one :class:`Sheet` named ``None``.
    """
    try:
        tables = read_tables(data, name, limits=limits or Limits.from_env())
    except (ImportRefused, OSError):
        return []
    out = []
    for t in tables:
        try:
            mapping = map_columns(t)[0] if t.headers else None
        except Exception:  # a sheet nobody can map is simply "not recognised"
            mapping = None
        out.append(Sheet(t.sheet, mapping.kind if mapping is not None else None))
    return out


def prepare_one(
    name: str,
    data: bytes,
    *,
    sheet: str | None = None,
    kind: str | None = None,
    mapping: dict[str, str] | None = None,
    date_order: str | None = None,
    skip_invalid: bool = False,
    from_person: str | None = None,
) -> Prepared:
    """Read, map and check one file (or one sheet of it) with the user's choices.

    ``mapping`` is ``{field: header}``; a header of ``""`` or :data:`NOT_USED`
    leaves the field unused. ``from_person``: whose contacts or connections
    export this is (:func:`netmap.ingest.importer.from_person`).
    """
    overrides = {f: ("" if h in (None, NOT_USED) else h) for f, h in (mapping or {}).items()}
    options = ImportOptions(kind=kind, mapping=overrides, sheet=sheet, date_order=date_order,
                            skip_invalid=skip_invalid, limits=Limits.from_env(), from_person=from_person or None)
    prepared = prepare([(name, data)], options)
    return prepared[0]


def is_connections_export(prepared: Prepared) -> bool:
    """A people file that is somebody's own contacts or connections (LinkedIn's
    ``Connected On``, a Google or Outlook contacts layout): the page asks whose it is."""
    m = prepared.mapping
    return m is not None and m.kind == "people" and ("connected_on" in m.columns or m.layout in CONTACT_LAYOUTS)


def suggested_mapping(prepared: Prepared, kind: str) -> dict[str, str]:
    """``{field: header}`` that netmap would use if the file were of ``kind``
    (the columns whose headers it recognises; maybe not enough to import)."""
    if prepared.mapping is not None and prepared.mapping.kind == kind:
        return prepared.mapping.as_dict()
    table = prepared.table
    columns, _ = _match(table.headers, table.descriptions, kind)
    return {f: table.headers[i] for f, i in columns.items()}


def required_fields(kind: str) -> list[tuple[str, ...]]:
    """The groups of fields a ``kind`` needs (one field of each group)."""
    return list(REQUIRED[kind])


def field_choices(headers: list[str]) -> list[str]:
    """The options of a field's select box: "(not used)", then the headers
    (each once, in their order; linear in the number of columns)."""
    return [NOT_USED, *dict.fromkeys(headers)]


def mapping_conflicts(label: str, chosen: dict[str, str]) -> list[Problem]:
    """A problem for every header chosen for two fields or more."""
    by_header: dict[str, list[str]] = {}
    for f, h in chosen.items():
        if h and h != NOT_USED:
            by_header.setdefault(h, []).append(f)
    return [
        Problem(label, 1, h, f"the column is chosen for {len(fs)} fields ({', '.join(fs)}); choose it for one only")
        for h, fs in by_header.items()
        if len(fs) > 1
    ]


def preview_frame(prepared: Prepared, rows: int = 10, columns: int = PREVIEW_COLUMNS) -> pd.DataFrame:
    """The first ``rows`` rows and first ``columns`` columns as a table of text,
    with the spreadsheet row numbers (:func:`preview_note` says what is left out).
    Linear in the rows and columns shown, whatever the width of the file."""
    headers = list(prepared.table.headers[:columns])
    names: list[str] = []
    taken = {"row"}
    for i, h in enumerate(headers):  # a table's columns must be unique and non-empty
        base = h if isinstance(h, str) and h.strip() else f"(column {i + 1})"
        label, n = base, 2
        while label in taken:
            label, n = f"{base} ({n})", n + 1
        names.append(label)
        taken.add(label)
    records = []
    for row_no, cells in prepared.table.rows[:rows]:
        rec = {"row": row_no}
        for label, cell in zip(names, cells):
            rec[label] = "" if cell is None else str(cell)
        records.append(rec)
    return pd.DataFrame(records, columns=["row", *names])


def preview_note(prepared: Prepared, rows: int = 10, columns: int = PREVIEW_COLUMNS) -> str:
    """The caption over :func:`preview_frame`: what it shows of the file."""
    n_rows, n_cols = len(prepared.table.rows), len(prepared.table.headers)
    shown = f"first {rows:,} of {n_rows:,} rows" if n_rows > rows else f"all {n_rows:,} row{'s' if n_rows != 1 else ''}"
    if n_cols > columns:
        shown += f", first {columns:,} of {n_cols:,} columns (the mapping above lists them all)"
    return f"Preview ({shown}, as text)"


def problems_frame(problems: list[Problem], remedies: dict[str, str] | None = None) -> pd.DataFrame:
    """Problems as a table: file, row, column, problem (its message, then its remedy:
    ``remedies[code]`` when given, else the neutral :attr:`~netmap.errors.Problem.fix`)."""
    return pd.DataFrame(
        [{"file": p.file, "row": p.row, "column": p.column or "", "problem": _with_remedy(p, remedies or {})}
         for p in problems],
        columns=["file", "row", "column", "problem"],
    ).astype({"row": "Int64"})


def _with_remedy(p: Problem, remedies: dict[str, str]) -> str:
    remedy = remedies.get(p.code or "", p.fix)
    return f"{p.message}; {remedy}" if remedy else p.message


def problem_codes(prepared: list[Prepared]) -> set[str]:
    """The codes of the prepared files' problems and warnings (``"ambiguous_dates"``:
    a date like 01/02/2024 cannot be read without a date order)."""
    return {p.code for prep in prepared for p in (*prep.problems, *prep.warnings) if p.code}


def _counts(d: dict[str, int]) -> str:
    return ", ".join(f"{n:,} {what}" for what, n in d.items() if n) or "nothing"


def report_frame(report: ImportReport) -> pd.DataFrame:
    """One row per imported file: what was added, updated and refused."""
    return pd.DataFrame(
        [
            {
                "import": f.import_id, "file": f.label, "kind": f.kind, "rows read": f.rows_read,
                "added": _counts(f.added), "updated": _counts(f.updated), "rows refused": f.refused,
                "warnings": len(f.warnings), "read as": f.reading,
            }
            for f in report.files
        ],
        columns=["import", "file", "kind", "rows read", "added", "updated", "rows refused", "warnings", "read as"],
    ).astype({"import": "Int64"})


def imports_frame(log: list[dict]) -> pd.DataFrame:
    """The import log (newest first) as a table."""
    rows = []
    for r in log:
        details = r.get("details") or {}
        created = r.get("created_at")
        undone = r.get("undone_at")
        rows.append({
            "import": r["id"],
            "file": f"{r['file_name']}[{r['sheet']}]" if r.get("sheet") else r["file_name"],
            "kind": r["kind"],
            "imported": created.strftime("%Y-%m-%d %H:%M") if created else "",
            "rows read": r.get("rows_read", 0),
            "added": _counts(details.get("added") or {}) if details.get("added") is not None else f"{r.get('added', 0):,}",
            "updated": _counts(details.get("updated") or {}) if details.get("updated") is not None else f"{r.get('updated', 0):,}",
            "refused": r.get("refused", 0),
            "status": f"undone {undone:%Y-%m-%d %H:%M}" if undone else "in place",
        })
    return pd.DataFrame(
        rows, columns=["import", "file", "kind", "imported", "rows read", "added", "updated", "refused", "status"]
    )


def reviews_frame(reviews: list[dict]) -> pd.DataFrame:
    """Likely duplicates waiting for review, one row per pair."""
    return pd.DataFrame(
        [
            {
                "a_id": r["a_id"], "person": r["a_name"] or "", "email": r["a_email"] or "",
                "b_id": r["b_id"], "maybe the same as": r["b_name"] or "", "their email": r["b_email"] or "",
                "why": r["reason"], "import": r["import_id"],
            }
            for r in reviews
        ],
        columns=["a_id", "person", "email", "b_id", "maybe the same as", "their email", "why", "import"],
    )
