"""Read a help desk's satisfaction rating and ticket status cells into netmap's words.

Pure functions, no I/O: the ticket importer calls them per cell. Neither ever
raises; a cell it cannot read gives ``None`` (the importer decides whether that
is an error worth reporting).

Why a rated ticket is a feeling
-------------------------------
A satisfaction rating is the customer's answer to "how did we do?" right after
support touched them, dated, in their own words: the moment feelings are
changed. netmap therefore reads it as a CSAT-like answer on its own scale and
puts it on the same three feelings as a survey (:data:`netmap.model.FEELINGS`).

The scale mapping
-----------------
netmap's CSAT rule (:func:`netmap.model.feeling_of`, "top box") calls only the
best answer a promoter, the next one a passive, and everything from the middle
down a detractor. Each vendor's scale is placed on it as follows; ``csat`` is
the 1-5 equivalent that :func:`netmap.model.feeling_of` maps to the same
feeling, so a rating can be stored as a ``csat`` answer unchanged.

============================================  ==========  ====  ==========
cell (case, spacing and punctuation ignored)  vendor      csat  feeling
============================================  ==========  ====  ==========
"Good, I'm satisfied", "Good",                Zendesk     4     passive
"good_with_comment", "satisfied"
"Bad, I'm unsatisfied", "Bad",                Zendesk     1     detractor
"bad_with_comment", "unsatisfied"
"5", "5/5", "5 stars", "★★★★★"                1-5 CSAT    5     promoter
"4" ...                                       1-5 CSAT    4     passive
"1" - "3" ...                                 1-5 CSAT    1-3   detractor
🤩 / "Amazing"                                Intercom    5     promoter
😃 / "Great"                                  Intercom    4     passive
😐 / "OK" (also "Okay")                       Intercom    3     detractor
🙁 / "Poor" ; 😠 / "Terrible"                 Intercom    2, 1  detractor
"Awesome" ; "Just Okay" ; "Not Good"          Freshdesk   5,3,1 promoter, detractor, detractor
"Extremely happy" (code 103)                  Freshdesk   5     promoter
"Very happy" (102), "Happy" (101)             Freshdesk   4     passive
"Neutral" (100) and the unhappy answers       Freshdesk   3-1   detractor
(-101 "Unhappy", -102 "Very unhappy",
-103 "Extremely unhappy")
============================================  ==========  ====  ==========

No answer (``None``): "Offered" and "Unoffered" (Zendesk: a survey was sent,
or not, and nobody answered), "Not offered", "Not rated", "No rating",
"Pending", blank cells and the usual missing-value words (``NA``, ``-`` ...),
numbers outside 1-5 other than Freshdesk's codes (an NPS 0-10 cell is not a
satisfaction rating: it is imported as a survey), and anything else.

Why Zendesk's "Good, I'm satisfied" is a *passive*: the Net Promoter System
(Reichheld, "The One Number You Need to Grow", HBR 2003) defines passives as
"satisfied but unenthusiastic" customers, exactly what the answer says, and a
two-choice question cannot tell "great" from "fine". "Bad, I'm unsatisfied" is
the bottom of its scale, 1. Freshdesk's three-point classic survey keeps only
"Awesome" as top box; "Just Okay" is its middle answer, read like the CSAT 3
it stands for. Intercom's five emoji are its 1-5 conversation rating
(the ``rating`` 1-5 of Intercom's conversation rating object).

Ticket status
-------------
:func:`parse_status` reads a status into ``open`` (new, waiting on the team),
``pending`` (waiting on the customer or a third party, on hold, snoozed),
``solved`` (solved, resolved) or ``closed``. Numeric codes depend on the vendor
(Freshdesk 2-5, HubSpot's default pipeline stages 1-4) and are read only when
the vendor is named.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass
from typing import Literal

from ..model import Feeling, feeling_of

__all__ = [
    "NO_ANSWER",
    "OPEN_STATUSES",
    "Rating",
    "STATUSES",
    "TicketStatus",
    "parse_rating",
    "parse_status",
    "rating_feeling",
]

TicketStatus = Literal["open", "pending", "solved", "closed"]
#: The four statuses, in the order a ticket passes through them.
STATUSES: tuple[TicketStatus, ...] = ("open", "pending", "solved", "closed")
#: Statuses of a ticket that still waits for the team or the customer: the service queue's tickets.
OPEN_STATUSES = frozenset({"open", "pending"})


@dataclass(frozen=True)
class Rating:
    """One satisfaction rating read from a cell.

    ``scale`` names the vendor scale it was read on (``"good/bad"``,
    ``"csat 1-5"``, ``"emoji 1-5"``, ``"freshdesk 3-point"``,
    ``"freshdesk 7-point"``); ``csat`` is its 1-5 equivalent and ``feeling``
    ``feeling_of(csat, "csat")`` (module docstring, "The scale mapping").
    """

    csat: int
    feeling: Feeling
    scale: str
    label: str


def _key(value: str) -> str:
    folded = unicodedata.normalize("NFKC", value).casefold().replace("’", "'")
    return " ".join(re.sub(r"[^\w\s']+", " ", folded).replace("_", " ").split())


#: Cells that mean "no answer" (after :func:`_key`).
NO_ANSWER = frozenset({
    "", "offered", "unoffered", "not offered", "survey offered", "not rated", "no rating", "unrated",
    "pending", "na", "n a", "nan", "null", "none", "nil", "no answer", "no response",
})

_WORDS: dict[str, tuple[int, str]] = {}
for _words, _csat, _scale in (
    (("good i'm satisfied", "good im satisfied", "good", "good with comment", "satisfied"), 4, "good/bad"),
    (("bad i'm unsatisfied", "bad im unsatisfied", "bad", "bad with comment", "unsatisfied", "dissatisfied"),
     1, "good/bad"),
    (("amazing",), 5, "emoji 1-5"),
    (("great",), 4, "emoji 1-5"),
    (("ok", "okay"), 3, "emoji 1-5"),
    (("poor",), 2, "emoji 1-5"),
    (("terrible",), 1, "emoji 1-5"),
    (("awesome",), 5, "freshdesk 3-point"),
    (("just okay", "just ok"), 3, "freshdesk 3-point"),
    (("not good",), 1, "freshdesk 3-point"),
    (("extremely happy",), 5, "freshdesk 7-point"),
    (("very happy", "happy"), 4, "freshdesk 7-point"),
    (("neutral",), 3, "freshdesk 7-point"),
    (("unhappy",), 2, "freshdesk 7-point"),
    (("very unhappy", "extremely unhappy"), 1, "freshdesk 7-point"),
):
    for _w in _words:
        _WORDS[_w] = (_csat, _scale)

#: Intercom's conversation-rating emoji (1-5) and their common variants.
_EMOJI = {
    "\U0001F929": 5, "\U0001F60D": 5,                  # 🤩 😍
    "\U0001F603": 4, "\U0001F642": 4, "\U0001F60A": 4, "\U0001F600": 4,  # 😃 🙂 😊 😀
    "\U0001F610": 3, "\U0001F611": 3,                  # 😐 😑
    "\U0001F641": 2, "\u2639": 2, "\U0001F61E": 2, "\U0001F615": 2,    # 🙁 ☹ 😞 😕
    "\U0001F620": 1, "\U0001F621": 1, "\U0001F92C": 1,  # 😠 😡 🤬
}
#: Freshdesk's satisfaction codes (its API's ratings) -> csat.
_FRESHDESK_CODES = {103: 5, 102: 4, 101: 4, 100: 3, -101: 2, -102: 1, -103: 1}

_NUMBER = re.compile(r"^([+-]?\d+(?:[.,]0+)?)\s*(?:(?:/|out of|of)\s*5|stars?|points?|pts?)?$")


def _rating(csat: int, scale: str, label: str) -> Rating:
    return Rating(csat, feeling_of(csat, "csat"), scale, label)


def parse_rating(value: object) -> Rating | None:
    """The :class:`Rating` a satisfaction cell holds, or ``None`` for no answer
    or an unreadable cell (module docstring, "The scale mapping"). Never raises.

    Examples
    --------
    >>> parse_rating("Good, I'm satisfied").feeling, parse_rating("Bad, I'm unsatisfied").feeling
    ('passive', 'detractor')
    >>> parse_rating("5").feeling, parse_rating("\\U0001F610").csat, parse_rating("Offered")
    ('promoter', 3, None)
    """
    try:
        return _parse_rating(value)
    except Exception:  # noqa: BLE001 - a cell never stops an import; None says "could not read"
        return None


def _parse_rating(value: object) -> Rating | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        if isinstance(value, float) and not math.isfinite(value):
            return None
        return _from_number(float(value), str(value))
    raw = unicodedata.normalize("NFC", str(value)).strip()
    if not raw:
        return None
    emoji = [_EMOJI[c] for c in raw if c in _EMOJI]
    if emoji and len(set(emoji)) == 1:
        return _rating(emoji[0], "emoji 1-5", raw)
    stars = raw.replace(" ", "")
    if stars and set(stars) <= {"★", "☆"} and "★" in stars and len(stars) <= 5:
        return _rating(stars.count("★"), "csat 1-5", raw)
    key = _key(raw)
    if key in NO_ANSWER:
        return None
    if key in _WORDS:
        csat, scale = _WORDS[key]
        return _rating(csat, scale, raw)
    m = _NUMBER.match(raw.strip().casefold())
    if m:
        return _from_number(float(m.group(1).replace(",", ".")), raw)
    return None


def _from_number(number: float, label: str) -> Rating | None:
    if not number.is_integer():
        return None
    n = int(number)
    if n in _FRESHDESK_CODES:
        return _rating(_FRESHDESK_CODES[n], "freshdesk 7-point", label)
    if 1 <= n <= 5:
        return _rating(n, "csat 1-5", label)
    return None


def rating_feeling(value: object) -> Feeling | None:
    """The feeling a satisfaction cell says, ``None`` for no answer (see :func:`parse_rating`)."""
    r = parse_rating(value)
    return None if r is None else r.feeling


_STATUS_WORDS: dict[str, TicketStatus] = {
    "new": "open", "open": "open", "opened": "open", "reopened": "open", "waiting on us": "open",
    "in progress": "open", "assigned": "open", "active": "open",
    "pending": "pending", "hold": "pending", "on hold": "pending", "on-hold": "pending", "snoozed": "pending",
    "waiting on customer": "pending", "waiting on contact": "pending", "waiting on third party": "pending",
    "awaiting customer": "pending", "waiting": "pending",
    "solved": "solved", "resolved": "solved", "done": "solved", "fixed": "solved",
    "closed": "closed", "archived": "closed",
}
#: Numeric statuses, which mean different things per vendor.
_STATUS_CODES: dict[str, dict[int, TicketStatus]] = {
    # Freshdesk's ticket API: 2 Open, 3 Pending, 4 Resolved, 5 Closed
    "freshdesk": {2: "open", 3: "pending", 4: "solved", 5: "closed"},
    # HubSpot's default support pipeline stage ids: 1 New, 2 Waiting on contact, 3 Waiting on us, 4 Closed
    "hubspot": {1: "open", 2: "pending", 3: "open", 4: "closed"},
}


def parse_status(value: object, vendor: str | None = None) -> TicketStatus | None:
    """A ticket status as ``open``, ``pending``, ``solved`` or ``closed``; ``None``
    when the cell is blank or unknown. Numeric codes are read only for a named
    ``vendor`` (``"freshdesk"``, ``"hubspot"``). Never raises.

    Examples
    --------
    >>> parse_status("Waiting on contact"), parse_status("Resolved"), parse_status("4", vendor="freshdesk")
    ('pending', 'solved', 'solved')
    """
    try:
        if value is None or isinstance(value, bool):
            return None
        raw = str(value).strip()
        key = " ".join(unicodedata.normalize("NFKC", raw).casefold().replace("_", " ").split())
        if key in _STATUS_WORDS:
            return _STATUS_WORDS[key]
        codes = _STATUS_CODES.get(str(vendor or "").casefold())
        if codes and re.fullmatch(r"\d{1,3}(?:\.0+)?", key):
            return codes.get(int(float(key)))
        return None
    except Exception:  # noqa: BLE001 - a cell never stops an import
        return None
