"""The Import page's remedy for each problem code (:data:`netmap.errors.CODES`), in its own widgets' words.

The library says what is wrong and, neutrally, what would fix it; the command line
names its flags (``netmap.cli.REMEDIES``) and the page names its boxes here.
"""

from __future__ import annotations

#: The code whose problems the page answers with its date-order choice.
DATE_ORDER_CODE = "ambiguous_dates"

REMEDIES: dict[str, str] = {
    "ambiguous_dates": "choose the order under \"Dates like 01/02/2024 are\"",
    "ambiguous_kind": "choose the kind in \"What this file holds\"",
    "unknown_kind": "choose the kind in \"What this file holds\"",
    "unrecognised_file": "choose the kind in \"What this file holds\" and the columns under \"Column mapping\"",
    "missing_column": "choose the column under \"Column mapping\"",
    "unknown_field": "choose only the fields under \"Column mapping\"",
    "unknown_column": "choose one of the file's columns under \"Column mapping\"",
    "several_sheets": "choose the sheets under \"Sheets to import\"",
    "sheet_chosen": "choose others under \"Sheets to import\"",
    "no_sheets": "upload it again without naming a sheet",
    "from_person_not_people": "answer \"Whose export is this?\" only for a people file",
    "connections_untied": "answer \"Whose export is this?\" to tie its people to that team member",
}
