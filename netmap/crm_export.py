"""Writing netmap's findings back to the CRM (``python -m netmap crm-export``, the Nurture page).

A marketer builds lists where the contacts live, in HubSpot or Salesforce, not in
netmap. So netmap hands back one row per person, keyed by the CRM's own id column
(HubSpot's ``Record ID``, Salesforce's ``Id``) and the email (both CRMs can match a
contact by email when the id is missing), with netmap's fields as custom properties:
the nurture action, the nurture and bridge scores, the spread, the community and the
reason. Re-imported, they become properties the CRM's own lists and workflows filter
on ("netmap_action is amplify").

The columns of each format are a contract (:data:`COLUMNS`). :func:`crm_export` is
pure (the analysis' people table and the CRM ids in, a table out);
:func:`stored_crm_ids` is the one part that reads the database. The file is written
by :func:`netmap.tabular_export.to_csv`: formula-safe, every text cell starting with
``=``, ``+``, ``-`` or ``@`` gets a leading apostrophe.

Which id goes in the key column: a person can be known by ids of several CRMs
(HubSpot's are numbers, Salesforce's 15 or 18 letters and digits), and a HubSpot file
must not carry a Salesforce id, which HubSpot would refuse or, worse, match to another
record. So ``hubspot`` takes the person's first id that looks like a HubSpot Record ID
and ``salesforce`` the first that looks like a Salesforce Id (the stored
``person.crm_id`` first, then the other CRM ids the person is known by); without one
the row is keyed by email alone. People with neither are left out of those two
formats (:attr:`CrmExport.left_out`). ``csv`` keeps everyone with the stored CRM id as
it is, and netmap's own ``person_id``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .errors import NetmapError
from .model import TEAM_STAGE

if TYPE_CHECKING:
    import pandas as pd

    from .storage.store import Store

__all__ = ["COLUMNS", "FORMATS", "FORMAT_NAMES", "NETMAP_COLUMNS", "CrmExport", "crm_export",
           "stored_crm_ids", "to_crm_csv"]

#: The formats, as ``--format`` takes them.
FORMATS = ("hubspot", "salesforce", "csv")
#: How the app names each format.
FORMAT_NAMES = {"hubspot": "HubSpot", "salesforce": "Salesforce", "csv": "CSV (every person, every id)"}
#: netmap's fields, the custom properties, in order (a contract).
NETMAP_COLUMNS = [
    "netmap_action", "netmap_nurture_score", "netmap_bridge_score", "netmap_spread", "netmap_community",
    "netmap_reason",
]
#: The columns of each format, in order (a contract: scripts rely on it).
COLUMNS = {
    "hubspot": ["Record ID", "Email", *NETMAP_COLUMNS],
    "salesforce": ["Id", "Email", *NETMAP_COLUMNS],
    "csv": ["person_id", "crm_id", "email", "name", "company", "owner", *NETMAP_COLUMNS],
}
#: What each CRM's id looks like: HubSpot's Record ID is a number; a Salesforce Id is
#: 15 or 18 letters and digits, never digits only (an 18-character id ends in letters
#: when its first 15 are digits).
_ID_SHAPES = {
    "hubspot": re.compile(r"[0-9]+"),
    "salesforce": re.compile(r"(?![0-9]+$)[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?"),
}
_ID_NAMES = {"hubspot": "a HubSpot Record ID", "salesforce": "a Salesforce Id"}


@dataclass(frozen=True)
class CrmExport:
    """The rows to write (:data:`COLUMNS` of ``fmt``) and who was left out of them."""

    fmt: str
    rows: pd.DataFrame
    #: people of the book left out: neither an id of this CRM nor an email (hubspot, salesforce)
    left_out: int = 0

    @property
    def note(self) -> str:
        """One line saying who was left out and why ("" when nobody was)."""
        if not self.left_out:
            return ""
        n = self.left_out
        who = "1 person" if n == 1 else f"{n:,} people"
        return (f"left out {who} with neither {_ID_NAMES[self.fmt]} nor an email: "
                f"{FORMAT_NAMES[self.fmt]} could not match them to a contact")


def crm_export(
    people: pd.DataFrame,
    fmt: str,
    owner: str | None = None,
    top: int | None = None,
    *,
    crm_ids: Mapping[int, str | Sequence[str] | None] | None = None,
) -> CrmExport:
    """One row per person for ``fmt`` (``hubspot``, ``salesforce`` or ``csv``), best nurture score first.

    ``people`` is :attr:`netmap.analysis.Analysis.people` (not changed). ``crm_ids``
    maps a person id to their CRM ids, the stored ``person.crm_id`` first
    (:func:`stored_crm_ids`); without it, a ``crm_id`` column of ``people`` is used
    when there is one. ``owner``: only that account manager's book (as ``nurture
    --owner``: case-insensitive; an owner nobody has is a :class:`NetmapError`).
    ``top``: only the ``top`` highest nurture scores (among the people written).

    ``netmap_action`` is the nurture action (amplify, elevate, recover, ask), blank for
    people not on the nurture list; scores are rounded to 3 decimals, spread to 1.
    Your team (stage ``team``: support agents, whose connections were imported) is not
    written: they are not contacts of the CRM.
    """
    import pandas as pd

    from .queries import check_owner, in_book

    if fmt not in COLUMNS:
        raise NetmapError(f"unknown CRM format {fmt!r}; choose one of {', '.join(FORMATS)}")
    if top is not None and top < 0:
        raise NetmapError("the number of rows to export (top) must be 0 or more")
    if owner:
        check_owner(people, owner)
    book = people[in_book(people, owner).to_numpy()]
    if "stage" in book.columns:  # your own team (support agents, whose connections) are not the CRM's contacts
        book = book[book["stage"].fillna("").ne(TEAM_STAGE).to_numpy()]
    order = ["nurture_score", "canonical_rank" if "canonical_rank" in book.columns else "person_id"]
    book = book.sort_values(order, ascending=[False, True], kind="mergesort")

    ids = book["person_id"].astype("int64").tolist()
    if crm_ids is None:
        stored = book["crm_id"].tolist() if "crm_id" in book.columns else [None] * len(ids)
        known = [_ids(c) for c in stored]
    else:
        known = [_ids(crm_ids.get(pid)) for pid in ids]
    email = [_text(e) for e in book["email"].tolist()]

    if fmt == "csv":
        key = [k[0] if k else "" for k in known]
        keep = [True] * len(ids)
    else:
        shape = _ID_SHAPES[fmt]
        key = [next((i for i in k if shape.fullmatch(i)), "") for k in known]
        keep = [bool(k or e) for k, e in zip(key, email)]
    left_out = keep.count(False)

    action = book["action"].fillna("none").astype(str)
    out = pd.DataFrame({
        "key": key,
        "email": email,
        "netmap_action": action.where(action.ne("none"), "").to_numpy(dtype=object),
        "netmap_nurture_score": pd.to_numeric(book["nurture_score"], errors="coerce").round(3).to_numpy(),
        "netmap_bridge_score": pd.to_numeric(book["bridge_score"], errors="coerce").round(3).to_numpy(),
        "netmap_spread": pd.to_numeric(book["spread"], errors="coerce").round(1).to_numpy(),
        "netmap_community": [_text(c) for c in book["community"].tolist()],
        "netmap_reason": [_text(r) for r in book["reason"].tolist()],
    })
    if fmt == "csv":
        out = out.rename(columns={"key": "crm_id"}).assign(
            person_id=ids,
            name=[_text(v) for v in book["name"].tolist()],
            company=[_text(v) for v in book["company"].tolist()],
            owner=[_text(v) for v in book["owner"].tolist()],
        )
    else:
        out = out.rename(columns={"key": COLUMNS[fmt][0], "email": "Email"})
    out = out[keep].reset_index(drop=True)
    if top is not None:
        out = out.head(top)
    return CrmExport(fmt, out[COLUMNS[fmt]], left_out)


def to_crm_csv(rows: pd.DataFrame) -> str:
    """The file to import into the CRM: UTF-8 CSV with a header row, every text cell formula-safe."""
    from .tabular_export import to_csv

    return to_csv(rows)


def stored_crm_ids(store: Store) -> dict[int, list[str]]:
    """Every person's CRM ids: the stored ``person.crm_id`` first, then the other CRM
    ids they are known by (in the order they were recorded). People without one are absent."""
    from .storage.reads import crm_id_rows

    found: dict[int, list[str]] = {}
    stored, rows = crm_id_rows(store.engine)
    for pid, crm_id in stored:
        if _text(crm_id):
            found[pid] = [_text(crm_id)]
    for pid, value in rows:
        value = _text(value)
        have = found.setdefault(pid, [])
        if value and value not in have:
            have.append(value)
    return {pid: ids for pid, ids in found.items() if ids}


def _ids(value) -> list[str]:
    """A person's CRM ids as a list of non-empty strings (from one id, a list of them, or nothing)."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value.strip()] if value.strip() else []
    if isinstance(value, Sequence):
        return [t for t in (_text(v) for v in value) if t]
    return [t] if (t := _text(value)) else []


def _text(value) -> str:
    """A cell as text: missing values (None, NaN, NA) are ""."""
    if value is None:
        return ""
    try:
        if value != value:  # NaN
            return ""
    except (TypeError, ValueError):  # pd.NA
        return ""
    return str(value).strip()
