"""Import CRM and survey exports: read, map, check, resolve, write: all or nothing.

The flow, for one call with one or several files::

    prepare()   read each file, detect its kind, map its columns, check every
                cell; no database involved. Any error refuses the whole call.
    commit()    in ONE write transaction: load who is known, resolve identities
                across all files together, write, journal for undo.

``import_files`` does both. The app calls ``prepare`` first to show the
mapping, a preview and the problems, then ``commit`` with the user's mapping.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO


from ..config import local_actor
from .columns import KNOWN_HEADERS, Mapping, map_columns
from ..config import Limits
from ..errors import ImportRefused, Problem, StorageError
from .identity import resolve
from ..model import TEAM_STAGE
from .records import ParsedFile, PersonRecord, RelationshipRecord, Source, parse_table
from .values import is_email_like
from ..storage import audit
from ..storage.store import SQLAlchemyError, Store
from ..storage.writer import FileMeta, FileResult
from .tabular import Table, read_tables

@dataclass(frozen=True)
class ImportOptions:
    """How to read the files of one import call.

    ``kind`` forces the kind of every file; ``mapping`` maps fields to column
    headers (``{"email": "Work address"}``); ``sheet`` picks a workbook sheet;
    ``date_order`` (``dmy``/``mdy``) settles dates like 01/02/2024;
    ``skip_invalid`` imports the valid rows of a file and counts the others as
    refused (by default one bad cell refuses the whole call). ``from_person``
    says whose contacts or connections export the files are (a team member's
    name or email): the team member is a person of the team
    (stage ``team``), tied to each person of the export (:func:`from_person`).
    """

    kind: str | None = None
    mapping: dict[str, str] = field(default_factory=dict)
    sheet: str | None = None
    date_order: str | None = None
    skip_invalid: bool = False
    limits: Limits = Limits()
    from_person: str | None = None

@dataclass
class Prepared:
    """One file (or sheet) read, mapped and checked; not yet written."""

    name: str
    table: Table
    parsed: ParsedFile | None
    mapping: Mapping | None
    sha256: str
    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems

    def meta(self) -> FileMeta:
        assert self.parsed is not None and self.mapping is not None
        return FileMeta(
            label=self.parsed.label, file_name=self.name, sheet=self.table.sheet, sha256=self.sha256,
            kind=self.mapping.kind, mapping=self.mapping.as_dict(), rows_read=self.parsed.rows_read,
            refused=len(self.parsed.refused_rows), warnings=len(self.warnings),
        )

@dataclass
class FileReport:
    """What happened to one file: for the CLI's report and the app."""

    label: str
    kind: str
    mapping: dict[str, str]
    rows_read: int
    refused: int
    import_id: int | None
    added: dict[str, int]
    updated: dict[str, int]
    warnings: list[Problem]
    encoding: str | None = None
    delimiter: str | None = None
    #: what netmap took the file for ("people export (LinkedIn connections), from 7 of 7 columns")
    reading: str = ""

@dataclass
class ImportReport:
    files: list[FileReport]
    warnings: list[Problem]
    reviews: int = 0
    dry_run: bool = False

def _read_source(source: bytes | BinaryIO | str | Path, limits: Limits) -> bytes | BinaryIO:
    if isinstance(source, (str, Path)):
        with open(source, "rb") as f:  # one byte more than the limit says "too large" without reading it all
            return f.read(limits.max_bytes + 1)
    return source

def prepare(
    sources: list[tuple[str, bytes | BinaryIO | str | Path]],
    options: ImportOptions = ImportOptions(),
) -> list[Prepared]:
    """Read, map and check every file. Never raises for a bad file: problems
    are on each :class:`Prepared` (a file that cannot be read at all has a
    single problem and no table)."""
    out: list[Prepared] = []
    for name, source in sources:
        try:
            data = _read_source(source, options.limits)
            if not isinstance(data, bytes):
                data = data.read(options.limits.max_bytes + 1)
            digest = hashlib.sha256(data).hexdigest()
            tables = read_tables(data, name, sheet=options.sheet, limits=options.limits, known_headers=KNOWN_HEADERS)
        except ImportRefused as exc:
            out.append(Prepared(name, Table(name, [], []), None, None, "", problems=exc.problems))
            continue
        except OSError as exc:
            out.append(Prepared(name, Table(name, [], []), None, None, "", problems=[Problem(name, None, None, f"cannot read the file: {exc.strerror or exc}")]))
            continue
        chosen, note = _choose_sheet(tables, options)
        for table in chosen:
            out.append(_prepare_table(name, table, digest, options, note))
    return out

def _choose_sheet(tables: list[Table], options: ImportOptions) -> tuple[list[Table], Problem | None]:
    """With several sheets and none named: use the one sheet netmap recognises."""
    if len(tables) <= 1 or options.sheet is not None:
        return tables, None
    recognised = [t for t in tables if map_columns(t, options.kind, options.mapping or None)[0] is not None]
    names = ", ".join(repr(t.sheet) for t in tables)
    if len(recognised) == 1:
        t = recognised[0]
        return [t], Problem(
            t.label, None, None,
            f"the workbook has sheets {names}; imported {t.sheet!r}, the only one with recognisable columns",
            "warning", code="sheet_chosen",
        )
    first = tables[0]
    return [Table(first.file, [], [], problems=[Problem(
        first.file, None, None,
        f"the workbook has several sheets ({names})", code="several_sheets",
    )])], None

def _prepare_table(name: str, table: Table, digest: str, options: ImportOptions, note: Problem | None) -> Prepared:
    if table.problems and not table.headers:
        return Prepared(name, table, None, None, digest, problems=list(table.problems))
    if not table.headers:
        return Prepared(name, table, None, None, digest, problems=[
            Problem(table.label, None, None, "the file has no header row and no data (only blank lines); nothing to import")
        ])
    mapping, errors, warnings = map_columns(table, options.kind, options.mapping or None)
    if note:
        warnings.insert(0, note)
    if mapping is None:
        return Prepared(name, table, None, None, digest, problems=errors + table.problems, warnings=warnings)
    parsed = parse_table(table, mapping, date_order=options.date_order)
    if options.from_person:
        if mapping.kind == "people":
            from_person(parsed, options.from_person, table.header_row)
        else:
            parsed.problems.append(Problem(
                table.label, None, None,
                f"whose export this is applies to a contacts or connections export (people), "
                f"and this file was read as {mapping.reading}", code="from_person_not_people"))
    elif mapping.kind == "people" and "connected_on" in mapping.columns:
        warnings.append(Problem(
            table.label, None, None,
            "this is someone's connections export: its people were added with no tie to anyone",
            "warning", code="connections_untied"))
    problems = list(parsed.problems)
    all_warnings = warnings + parsed.warnings
    if options.skip_invalid and problems and all(p.row is not None for p in problems):
        all_warnings += [Problem(p.file, p.row, p.column, f"row skipped: {p.message}", "warning", code=p.code) for p in problems]
        problems = []
    return Prepared(name, table, parsed, mapping, digest, problems=problems, warnings=all_warnings)

#: the kind of tie between a team member and a person of their contacts or connections export
CONNECTION = "connection"


def from_person(parsed: ParsedFile, who: str, header_row: int = 1) -> None:
    """Make ``parsed`` (a contacts or connections export) the export of team
    member ``who``: add them as a person of the team (stage :data:`TEAM_STAGE`)
    and a :data:`CONNECTION` tie from them to every person of the file, dated
    by LinkedIn's ``Connected On``. Warm-introduction paths can then run
    through the team (``paths --from team``). The file's people fill in what
    the CRM has not said about them, and never overwrite it."""
    who = " ".join(who.split())
    src = Source(parsed.label, header_row, None)
    if is_email_like(who):
        member = PersonRecord(src=src, email=who.casefold(), stage=TEAM_STAGE, listed=False)
    else:
        member = PersonRecord(src=src, full_name=who, stage=TEAM_STAGE, listed=False)
    connections = list(parsed.people)
    parsed.people.insert(0, member)
    for p in connections:
        p.fills_only = True
        parsed.relationships.append(RelationshipRecord(
            src=p.src, a=member.ref, b=p.ref, kind=CONNECTION, since=p.connected_on, a_person=member, b_person=p,
        ))


def commit(store: Store, prepared: list[Prepared], *, dry_run: bool = False, actor: str | None = None) -> ImportReport:
    """Write prepared files in one transaction (or, with ``dry_run``, resolve
    and count without writing). Raises :class:`ImportRefused` with every
    problem when any file has one; nothing is written then. The audit log
    records the import, in the same transaction, as done by ``actor``
    (default :func:`netmap.config.local_actor`)."""
    problems = [p for prep in prepared for p in prep.problems]
    warnings = [w for prep in prepared for w in prep.warnings]
    readings = {prep.table.label: prep.mapping.reading for prep in prepared if prep.mapping is not None}
    if problems:
        raise ImportRefused(problems, warnings, readings)
    files = [prep.parsed for prep in prepared if prep.parsed is not None]
    metas = [prep.meta() for prep in prepared if prep.parsed is not None]

    class _DryRun(Exception):
        pass

    results: list[FileResult] = []
    reviews = 0
    try:
        with store.writing() as conn:
            resolution = resolve(store.people_index(conn), files)
            if resolution.errors:
                raise ImportRefused(resolution.errors, warnings + resolution.warnings, readings)
            for tie in resolution.ties:  # an imported activity without an owner column: logged by the importer
                if tie.kind == "nurture_action":
                    tie.data["importer"] = actor or local_actor()
            results = store.apply(conn, resolution, metas)
            reviews = len(resolution.reviews)
            warnings += resolution.warnings
            if dry_run:
                raise _DryRun
            audit.record(  # in this transaction: no entry without the import, no import without its entry
                conn, actor or local_actor(), "import", audit.target_for_imports([r.import_id for r in results]), {
                    "files": len(results), "rows_read": sum(r.meta.rows_read for r in results),
                    "refused": sum(r.meta.refused for r in results), "reviews": reviews,
                    "added": _sum_by_kind(r.added for r in results), "updated": _sum_by_kind(r.updated for r in results),
                })
    except _DryRun:
        for r in results:
            r.import_id = None
    except SQLAlchemyError as exc:
        raise StorageError(
            f"the database refused the import ({type(exc.orig or exc).__name__}: {exc.orig or exc}); "
            "nothing was imported. Check that the database is reachable and has space, then try again"
        ) from exc
    by_label = {prep.parsed.label: prep for prep in prepared if prep.parsed is not None}
    reports = []
    for r in results:
        prep = by_label[r.meta.label]
        reports.append(
            FileReport(
                label=r.meta.label, kind=r.meta.kind, mapping=r.meta.mapping, rows_read=r.meta.rows_read,
                refused=r.meta.refused, import_id=r.import_id, added=dict(r.added), updated=dict(r.updated),
                warnings=[w for w in warnings if w.file == r.meta.label or w.file == prep.name],
                encoding=prep.table.encoding, delimiter=prep.table.delimiter,
                reading=prep.mapping.reading if prep.mapping else "",
            )
        )
    return ImportReport(reports, warnings, reviews, dry_run)

def import_files(
    store: Store,
    sources: list[tuple[str, bytes | BinaryIO | str | Path]],
    options: ImportOptions = ImportOptions(),
    *,
    dry_run: bool = False,
    actor: str | None = None,
) -> ImportReport:
    """Read, check and import files together, all or nothing.

    ``sources`` pairs a display name with bytes, a binary file object or a
    path. Several files are resolved together: a referral file may name people
    from a people file given beside it.
    """
    return commit(store, prepare(sources, options), dry_run=dry_run, actor=actor)

def import_paths(store: Store, paths: list[str | Path], options: ImportOptions = ImportOptions(), *,
                 dry_run: bool = False, actor: str | None = None) -> ImportReport:
    """:func:`import_files` for files on disk (named by their file name)."""
    return import_files(store, [(Path(p).name, Path(p)) for p in paths], options, dry_run=dry_run, actor=actor)

def _sum_by_kind(counts) -> dict[str, int]:
    total: dict[str, int] = {}
    for c in counts:
        for kind, n in c.items():
            total[kind] = total.get(kind, 0) + n
    return total
