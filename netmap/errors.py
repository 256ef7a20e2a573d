"""The exceptions netmap raises for things a user can cause.

Every error a user can cause (a bad file, an unknown person) is a
:class:`NetmapError`; the command line prints its message and exits non-zero,
the app shows it. Anything else is a bug.

::

    NetmapError
    ├── ImportRefused        a file (or several) could not be imported; carries Problems
    ├── UnknownPerson        WHO matched nobody
    ├── AmbiguousPerson      WHO matched several people
    ├── ImportNotFound       no import with that id
    ├── UndoRefused          an import cannot be undone (yet)
    └── StorageError         the database refused a write (locked, full, unreachable); rolled back

A :class:`Problem` the user can fix carries a ``code`` from :data:`CODES`. Its
message names what is wrong (file, row, column) in neutral words, and its
:attr:`Problem.fix` says what would fix it without naming any command-line flag or
widget: the command line (``netmap.cli.REMEDIES``) and the app's Import page
(``pages/import_data.py``) word the remedy in their own terms, chosen by code.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: Every problem code, and the neutral fix it stands for. Codes are stable: the
#: command line and the app look their remedies up by code, never by message text.
CODES: dict[str, str] = {
    "ambiguous_dates": "say which order the dates are in (day first or month first)",
    "ambiguous_kind": "say which kind of export the file is",
    "unknown_kind": "name one of the kinds listed",
    "unrecognised_file": "say which kind of export the file is, or which column holds which field",
    "missing_column": "rename the column, or say which column holds that field",
    "unknown_field": "map only the fields listed",
    "unknown_column": "map the field to one of the columns listed",
    "several_sheets": "say which sheet to import",
    "sheet_chosen": "to import another sheet, say which",
    "no_sheets": "import it without naming a sheet",
    "from_person_not_people": "import it without saying whose export it is, or as a people export",
    "connections_untied": "say whose export it is to tie its people to that team member",
}


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or worth a warning) in an input file.

    ``row`` is the row number as a spreadsheet shows it (the header is row 1),
    or ``None`` for a problem with the whole file. ``column`` is the header
    text as it appears in the file, or ``None``.
    """

    file: str
    row: int | None
    column: str | None
    message: str
    severity: str = "error"  # "error" refuses the file; "warning" is shown and accepted
    #: a key of :data:`CODES` when the user can fix it by saying something more, else None
    code: str | None = field(default=None, compare=False)

    def __str__(self) -> str:
        row = "" if self.row is None else str(self.row)
        column = self.column or ""
        return f"{self.file}:{row}:{column}: {self.message}" + (f"; {self.fix}" if self.fix else "")

    @property
    def fix(self) -> str:
        """What would fix it, in neutral words ("" when the message says it all)."""
        return CODES.get(self.code, "") if self.code else ""

    @property
    def is_error(self) -> bool:
        return self.severity == "error"


class NetmapError(Exception):
    """Base class of every error a user can cause and fix."""


class ImportRefused(NetmapError):
    """Nothing was written: the listed problems must be fixed first."""

    def __init__(self, problems: list[Problem], warnings: list[Problem] | None = None,
                 readings: dict[str, str] | None = None):
        self.problems = sorted(problems, key=_problem_order)
        self.warnings = list(warnings or [])
        #: file label -> what netmap took the file for ("people export (LinkedIn connections), from 7 of 7 columns")
        self.readings = dict(readings or {})
        files = sorted({p.file for p in self.problems})
        n = len(self.problems)
        read_as = [f"{f}: read as {self.readings[f]}" for f in files if f in self.readings]
        super().__init__(
            f"{', '.join(files)}: refused, {n} problem{'s' if n != 1 else ''}; nothing was imported.\n"
            + "".join(line + "\n" for line in read_as)
            + "\n".join(str(p) for p in self.problems[:50])
            + (f"\n... and {n - 50} more" if n > 50 else "")
        )


def _problem_order(p: Problem) -> tuple:
    return (p.file, p.row if p.row is not None else -1, p.column or "", p.message)


class UnknownPerson(NetmapError):
    """The person named matched nobody in the database."""


class AmbiguousPerson(NetmapError):
    """The person named matched more than one person."""


class DatabaseBusy(NetmapError):
    """Another writer (an import, an undo, an erasure) held the database longer than a
    writer waits; nothing was changed, and trying again once it is done will work."""


class ErasureIncomplete(NetmapError):
    """The person's rows are deleted, but copies of them may remain in the database's files
    (another connection holds an older snapshot); the message says what to do."""


class ImportNotFound(NetmapError):
    """No import with that id."""


class UndoRefused(NetmapError):
    """The import cannot be undone in the current state (e.g. later imports build on it)."""


class StorageError(NetmapError):
    """The database refused a write; the transaction was rolled back."""
