"""Turn one cell into a clean value, or say exactly what is wrong with it.

Every parser returns the value or raises :class:`CellError` with a message a
person can act on; the record builder adds file, row and column.

Rules worth knowing (also in the README):

* Text is kept as text: ``00123``, ``+4912``, ``Null``, ``NA`` and ``None`` are
  strings, never numbers or missing values. Text is normalised to Unicode NFC
  and stripped of invisible bidi / zero-width characters (with a warning).
* Emails are compared lower-cased and trimmed.
* NPS scores are whole numbers 0-10, CSAT scores whole numbers 1-5; ``7.5``,
  ``11``, ``-1`` and ``seven`` are refused. SurveyMonkey's end labels
  ("10 - Extremely likely") are read as their number.
* Dates: ISO dates and date-times are read as they are; ``DD.MM.YYYY`` is
  day-first (the German/French convention); for ``A/B/YYYY`` the order is
  inferred per column (a first part above 12 means day-first, a second part
  above 12 month-first); when nothing in the column decides, the import is
  refused unless a date order is given (``order="dmy"`` or ``"mdy"``). Numbers
  between 1 and 2,958,465 in a date column are Excel serial dates, in the 1900
  date system unless the workbook uses 1904.
* Relationship strengths are mapped into (0, 1] per file by
  :func:`strength_mapping`: probabilities as they are, 1-5 and 1-10 ratings
  and decimal percentages divided by their scale, whole-number counts above
  10 through ``1 - exp(-count / median count)``.
"""

from __future__ import annotations

import math
import re
import statistics
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

_INVISIBLE = re.compile("[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
_EMAIL = re.compile(r"^[^@\s<>()\[\],;:\"']+@[^@\s<>()\[\],;:\"']+\.[^@\s<>()\[\],;:\"'.]{2,}$")


class CellError(ValueError):
    """A cell that cannot be used, with the reason and the fix; ``code`` (a key of
    :data:`netmap.errors.CODES`) when the fix is to say more than the file does."""

    def __init__(self, message: str, code: str | None = None):
        super().__init__(message)
        self.code = code


def text(value: object) -> tuple[str | None, bool]:
    """Clean text of a cell: ``(text or None, had_invisible_characters)``."""
    if value is None:
        return None, False
    if isinstance(value, bool):
        s = "TRUE" if value else "FALSE"
    elif isinstance(value, float) and value.is_integer():
        s = str(int(value))
    elif isinstance(value, datetime):
        s = value.isoformat(sep=" ")
    elif isinstance(value, (date, time)):
        s = value.isoformat()
    else:
        s = str(value)
    cleaned = _INVISIBLE.sub("", s)
    had = cleaned != s
    cleaned = unicodedata.normalize("NFC", cleaned).strip()
    return (cleaned or None), had


def email(value: str) -> str:
    """Normalised email address (trimmed, lower-case) or :class:`CellError`."""
    v = value.strip().strip("<>").strip()
    if v.lower().startswith("mailto:"):
        v = v[7:]
    if not _EMAIL.match(v):
        raise CellError(f"{value!r} is not a valid email address; correct it or leave the cell empty")
    return v.lower()


def is_email_like(value: str) -> bool:
    return "@" in value


#: what R, pandas and SQL tools write into an empty id or reference cell
MISSING = frozenset({"na", "n/a", "#n/a", "nan", "null", "none", "nil", "-", "--", "(none)", "(null)", "<na>"})


def is_missing(value: str) -> bool:
    """``NA``, ``NaN``, ``NULL``, ``None``, ``-`` ...: no value, in an id or a
    reference to a person (a *name* cell keeps such text: somebody may be called
    "Na")."""
    return value.strip().casefold() in MISSING


_LIST_SPLIT = re.compile(r"\s*(?:[;|\n\r]+)\s*")
_NAMED_EMAIL = re.compile(r"^(?P<name>[^<>()@]*?)\s*[<(]\s*(?P<email>[^<>()\s]+@[^<>()\s]+)\s*[>)]$")


def split_people(value: str) -> list[str]:
    """The people one cell lists: ``"1, 4, 17"``, ``"ana@x.com; bo@y.com"``,
    ``"Ana Diaz, Bo Li"``, one per line, or ``|``-separated.

    Semicolons, ``|`` and line breaks always separate. A comma separates when
    every part is an email, an id (digits), or a name of two words or more;
    ``"Diaz, Ana"`` (last name first) stays one person."""
    out: list[str] = []
    for part in _LIST_SPLIT.split(value.strip()):
        if not part:
            continue
        pieces = [p.strip() for p in part.split(",")]
        if len(pieces) > 1 and all(pieces) and (
            all("@" in p for p in pieces) or all(p.isdigit() for p in pieces) or all(" " in p for p in pieces)
        ):
            out.extend(pieces)
        else:
            out.append(part)
    return out


def named_email(value: str) -> tuple[str | None, str] | None:
    """``"Ana Diaz (ana@x.com)"`` or ``"Ana Diaz <ana@x.com>"`` -> (name, email)."""
    m = _NAMED_EMAIL.match(value.strip())
    if not m:
        return None
    return (m.group("name").strip().strip('"') or None), m.group("email")


_LABELLED_SCORE = re.compile(r"^\s*(\d{1,2})\s*[-–—:]\s*\D.*$")


def score(value: object, scale: str = "nps") -> int:
    """A survey score on ``scale`` (``nps`` 0-10, ``csat`` 1-5)."""
    low, high = (0, 10) if scale == "nps" else (1, 5)
    what = "NPS score" if scale == "nps" else "CSAT score"
    if isinstance(value, bool):
        raise CellError(f"{value!r} is not a {what}; use a whole number from {low} to {high}")
    if isinstance(value, (int, float)):
        number = float(value)
    else:
        s = str(value).strip()
        m = _LABELLED_SCORE.match(s)
        if m:
            s = m.group(1)
        try:
            number = float(s.replace(",", ".")) if re.fullmatch(r"[+-]?\d+([.,]\d+)?", s) else None
        except ValueError:  # pragma: no cover - guarded by the regex
            number = None
        if number is None:
            raise CellError(f"{value!r} is not a {what}; use a whole number from {low} to {high}")
    if not number.is_integer():
        raise CellError(f"{value!r} is not a whole number; a {what} is a whole number from {low} to {high}")
    if not low <= number <= high:
        raise CellError(f"{int(number)} is outside the {what} range {low}-{high}")
    return int(number)


def strength(value: object) -> float:
    """A relationship strength as given (any positive number; rescaled per column later)."""
    if isinstance(value, bool):
        raise CellError(f"{value!r} is not a strength; use a positive number")
    try:
        number = float(value) if isinstance(value, (int, float)) else float(str(value).strip().replace(",", "."))
    except ValueError:
        raise CellError(f"{value!r} is not a strength; use a positive number (e.g. 1-5 or 0-1)") from None
    if not number > 0 or number != number or number == float("inf"):
        raise CellError(f"{value!r} is not a strength; use a positive number (a tie of strength 0 is no tie)")
    return number


@dataclass(frozen=True)
class StrengthRule:
    """How one file's strength column is read: call it on a value to get its
    strength in (0, 1]; :meth:`describe` says how, for the import report.

    ``kind`` is ``"as is"`` (probabilities), ``"rating 1-5"``, ``"rating 1-10"``,
    ``"percentage"``, ``"scaled to the maximum"`` (``value / scale`` for all of
    these) or ``"counts"`` (``1 - exp(-value / scale)``, ``scale`` the median
    count).
    """

    kind: str
    scale: float
    top: float = 1.0

    def __call__(self, value: float) -> float:
        if self.kind == "counts":
            s = -math.expm1(-value / self.scale)  # 1 - exp(-x/c), exact for small x/c
        else:
            s = value / self.scale
        return min(1.0, max(s, _SMALLEST))

    def describe(self) -> str:
        """One sentence on how the column was read (ASCII; no row's values, no names)."""
        if self.kind == "counts":
            examples = sorted({1.0, self.scale, self.top})
            shown = ", ".join(f"{_num(x)} -> {self(x):.2f}" for x in examples)
            return (
                f"strengths read as counts (whole numbers up to {_num(self.top)}): "
                f"strength = 1 - exp(-count / {_num(self.scale)}), {_num(self.scale)} being the median count ({shown})"
            )
        if self.kind == "as is":
            return "strengths read as they are (all between 0 and 1)"
        if self.kind == "rating 1-5":
            return "strengths read as a 1-5 rating: strength = value / 5"
        if self.kind == "rating 1-10":
            return "strengths read as a 1-10 rating: strength = value / 10"
        if self.kind == "percentage":
            return "strengths read as percentages (decimals up to 100): strength = value / 100"
        return f"strengths divided by their largest value, {_num(self.top)}"


_SMALLEST = 5e-324  # the smallest positive float: a strength stays above 0 whatever the division gives


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def strength_mapping(values: list[float]) -> StrengthRule:
    """The rule that maps one file's strength column into (0, 1], decided by
    the column alone (all its values, blanks left out): importing the same file
    again gives the same strengths.

    * Largest value at most 1: probabilities, taken as they are.
    * All whole numbers and the largest above 10 (``1, 2, 31``): **counts**
      (co-appearances, emails exchanged, meetings), each mapped with the
      saturating curve ``s = 1 - exp(-x / c)``, ``c`` the median of the column.
      Why: counts carry their information in ratios to the typical tie, not
      in their distance to a fixed 100. With ``c`` the median, the typical tie
      gets 0.63, a tie counted half as often 0.39, a tie counted once among
      mostly-once ties 0.63 (not the floor), and large counts approach 1 with
      diminishing returns (as the network's shared-interaction evidence
      ``1 - exp(-n/3)``), so one huge count does not squash the others, and
      the order of the counts is kept. Dividing counts by 100, the earlier
      rule, put 87% of Les Miserables' ties at the network's 0.05 floor.
    * Otherwise: largest value at most 5, a 1-5 rating, divided by 5; at most
      10, a 1-10 (or 0-10) rating, divided by 10 (whole numbers up to exactly
      10 are a rating, not counts); at most 100 with decimals (``37.5``), a
      percentage, divided by 100; larger, divided by the largest value.

    Whole numbers from 11 to 100 are therefore counts, not rounded
    percentages: a CRM strength column of whole numbers above 10 counts
    things far more often than it rounds percentages.
    """
    vs = [float(v) for v in values if v is not None and v > 0]
    top = max(vs, default=1.0)
    if top <= 1.0:
        return StrengthRule("as is", 1.0, top)
    if top > 10.0 and all(v.is_integer() for v in vs):
        return StrengthRule("counts", float(statistics.median(vs)), top)
    for bound, kind in ((5.0, "rating 1-5"), (10.0, "rating 1-10"), (100.0, "percentage")):
        if top <= bound:
            return StrengthRule(kind, bound, top)
    return StrengthRule("scaled to the maximum", top, top)


_CURRENCY = re.compile(r"[\s$€£¥]|USD|EUR|GBP|CHF", re.I)


def money(value: object) -> float:
    """An amount: ``1200``, ``1,200.50``, ``$1200``, ``1200 EUR``."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    s = _CURRENCY.sub("", str(value))
    if re.fullmatch(r"-?\d{1,3}(,\d{3})+(\.\d+)?", s):
        s = s.replace(",", "")
    elif re.fullmatch(r"-?\d{1,3}(\.\d{3})+(,\d+)?", s):
        s = s.replace(".", "").replace(",", ".")
    elif re.fullmatch(r"-?\d+,\d{1,2}", s):
        s = s.replace(",", ".")
    try:
        return float(s)
    except ValueError:
        raise CellError(f"{value!r} is not an amount; use a number such as 1200.50") from None


# ------------------------------------------------------------------- dates

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ].*)?$")
_YMD_SLASH = re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})(?:[T ].*)?$")
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})(?:[ ,].*)?$")
_SLASHED = re.compile(r"^(\d{1,2})[/-](\d{1,2})[/-](\d{4}|\d{2})(?:[ ,T].*)?$")
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [
            ("jan", "january", "janv", "janvier", "januar"),
            ("feb", "february", "fev", "fevr", "février", "fevrier", "februar"),
            ("mar", "march", "mars", "märz", "maerz"),
            ("apr", "april", "avr", "avril"),
            ("may", "mai"),
            ("jun", "june", "juin", "juni"),
            ("jul", "july", "juil", "juillet", "juli"),
            ("aug", "august", "aout", "août"),
            ("sep", "sept", "september", "septembre"),
            ("oct", "october", "octobre", "okt", "oktober"),
            ("nov", "november", "novembre"),
            ("dec", "december", "décembre", "decembre", "dez", "dezember"),
        ]
    )
    for m in names
}
_TEXT_DMY = re.compile(r"^(\d{1,2})\.?\s+([^\W\d_]+)\.?,?\s+(\d{4})(?:[ ,T].*)?$")
_TEXT_MDY = re.compile(r"^(?:[^\W\d_]+,?\s+)?([^\W\d_]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})(?:[ ,T].*)?$")

EXCEL_MAX_SERIAL = 2_958_465  # 9999-12-31


def excel_serial(number: float, epoch: int = 1900) -> date:
    """Convert an Excel serial date (1900 or 1904 date system) to a date.

    The 1900 system counts from 1899-12-30 for serials from 61 on (Excel's
    fictitious 1900-02-29 is serial 60); the 1904 system counts from 1904-01-01.
    """
    if not 1 <= number <= EXCEL_MAX_SERIAL:
        raise CellError(f"{number!r} is not a date")
    days = int(number)
    if epoch == 1904:
        return date(1904, 1, 1) + timedelta(days=days)
    if days < 60:
        return date(1899, 12, 31) + timedelta(days=days)
    return date(1899, 12, 30) + timedelta(days=days)


def slashed_parts(value: str) -> tuple[int, int] | None:
    """For ``A/B/YYYY`` dates, the two leading numbers (for order inference)."""
    m = _SLASHED.match(value.strip())
    return (int(m.group(1)), int(m.group(2))) if m else None


def parse_date(value: object, *, order: str | None = None, epoch: int = 1900) -> date:
    """Read a date cell. ``order`` (``dmy``/``mdy``) decides ``A/B/YYYY`` dates."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return excel_serial(float(value), epoch)
    s = str(value).strip()
    if re.fullmatch(r"\d{4,7}(\.\d+)?", s):
        n = float(s)
        if 1 <= n <= EXCEL_MAX_SERIAL and not re.fullmatch(r"(19|20)\d{2}", s):
            return excel_serial(n, epoch)
    try:
        m = _ISO.match(s) or _YMD_SLASH.match(s)
        if m:
            return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        m = _DOTTED.match(s)
        if m:
            return date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        m = _SLASHED.match(s)
        if m:
            a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
            if y < 100:
                y += 2000 if y < 70 else 1900
            if a > 12 and b <= 12:
                return date(y, b, a)
            if b > 12 and a <= 12:
                return date(y, a, b)
            if a == b:
                return date(y, a, b)
            if order == "dmy":
                return date(y, b, a)
            if order == "mdy":
                return date(y, a, b)
            raise CellError(f"{s!r} is ambiguous (day/month or month/day?)", "ambiguous_dates")
        m = _TEXT_DMY.match(s)
        if m and _month(m.group(2)):
            return date(int(m.group(3)), _month(m.group(2)), int(m.group(1)))
        m = _TEXT_MDY.match(s)
        if m and _month(m.group(1)):
            return date(int(m.group(3)), _month(m.group(1)), int(m.group(2)))
    except CellError:
        raise
    except ValueError:
        raise CellError(f"{s!r} is not a valid date") from None
    raise CellError(f"{s!r} is not a date netmap can read; use YYYY-MM-DD")


def _month(name: str) -> int:
    key = unicodedata.normalize("NFC", name.casefold())
    return _MONTHS.get(key, 0)


# ------------------------------------------------------------------ stages

_STAGES = {
    "customer": "customer", "customers": "customer", "client": "customer", "clients": "customer",
    "activecustomer": "customer", "active": "customer", "won": "customer", "closedwon": "customer",
    "paying": "customer", "paid": "customer", "existingcustomer": "customer", "kunde": "customer",
    "evangelist": "evangelist", "advocate": "evangelist", "promoter": "evangelist",
    "opportunity": "opportunity", "opportunities": "opportunity", "opendeal": "opportunity",
    "salesqualifiedlead": "salesqualifiedlead", "sql": "salesqualifiedlead",
    "marketingqualifiedlead": "marketingqualifiedlead", "mql": "marketingqualifiedlead",
    "lead": "lead", "leads": "lead", "newlead": "lead", "hotlead": "lead", "warmlead": "lead",
    "coldlead": "lead", "open": "lead", "prospect": "prospect", "prospects": "prospect",
    "subscriber": "subscriber", "other": "other", "churned": "churned", "former customer": "churned",
    "formercustomer": "churned", "lost": "churned", "partner": "partner",
}


def stage(value: str) -> str:
    """Normalise a lifecycle stage (HubSpot internal values, Pipedrive labels ...)."""
    key = re.sub(r"[^0-9a-z]+", "", value.casefold())
    return _STAGES.get(key, " ".join(value.casefold().split()))


# ------------------------------------------------------------------ names

_LEGAL = re.compile(
    r"\b(inc|incorporated|llc|ltd|limited|gmbh|ag|sa|sas|sarl|plc|bv|nv|co|corp|corporation|pte|pty|oy|ab|srl|spa|kg)\b\.?"
)


def name_key(name: str | None) -> str:
    """A person's name as identity matching compares it: accents, case,
    punctuation and spacing ignored (``"Zoë  O'Brien"`` == ``"zoe obrien"``).
    A name of punctuation alone (``"?"``, ``"{"``) keeps its punctuation: it
    still names someone, and must match itself when imported again."""
    if not name:
        return ""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(re.sub(r"[^\w\s]", "", stripped).split()) or " ".join(stripped.split())


def company_key(company: str | None) -> str:
    """A company name as matching compares it: like :func:`name_key`, and legal
    suffixes (Inc, Ltd, GmbH, SAS ...) ignored. A name that is only such a word
    (``"AB"``, and ``"a@b"`` folds to it) keeps it: it still names a company, and
    must match itself when imported again."""
    key = name_key(company)
    return " ".join(_LEGAL.sub(" ", key).split()) or key
