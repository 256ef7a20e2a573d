"""Text as people read it: data values as one plain line (:func:`plain`), dates and times.

Stored values stay ISO dates and UTC times; these only say them: ``16 Mar 2023``
for a day, ``2 Dec 2026, 11:36 UTC`` for a moment (the app's server may be
anywhere, so the zone is said, not guessed).
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime, timezone

__all__ = ["day", "plain", "when"]

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def plain(value) -> str:
    """One line of plain text from a data value (names, labels are data, never markup).

    Control characters and line breaks become spaces; runs of whitespace collapse.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    return " ".join(_CONTROL.sub(" ", str(value)).split())


def day(value: date | datetime | str | None) -> str:
    """``16 Mar 2023``; empty for no date (an ISO string is read first)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value[:10])
        except ValueError:
            return value
    return f"{value.day} {value:%b %Y}"


def when(value: datetime | str | None) -> str:
    """``2 Dec 2026, 11:36 UTC``; empty for no time (an ISO string is read first)."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            return value
    if value.tzinfo is not None:
        value = value.astimezone(timezone.utc)
    return f"{value.day} {value:%b %Y, %H:%M} UTC"
