"""Write tables for people and spreadsheets: CSV (formula-safe) and JSON.

Every text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or a
carriage return is prefixed with an apostrophe, so a spreadsheet shows it as
text instead of running it as a formula (OWASP, "CSV Injection"). Numbers stay
numbers: a negative number is not text and is written as it is.
"""

from __future__ import annotations

import csv
import io
import json
import math

import numpy as np
import pandas as pd

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: str) -> str:
    """``=HYPERLINK(...)`` -> ``'=HYPERLINK(...)``; other text unchanged."""
    return "'" + value if value.startswith(FORMULA_TRIGGERS) else value


def _cell(v) -> object:
    if v is None or v is pd.NA or v is pd.NaT:
        return ""
    if isinstance(v, (bool, np.bool_)):
        return "true" if v else "false"
    if isinstance(v, (np.integer, int)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        f = float(v)
        if math.isnan(f) or math.isinf(f):
            return ""
        return int(f) if f.is_integer() and abs(f) < 1e15 else round(f, 6)
    return neutralise(str(v))


def to_csv(df: pd.DataFrame) -> str:
    """UTF-8 CSV text with a header row; every text cell formula-safe."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow([neutralise(str(c)) for c in df.columns])
    for rec in df.itertuples(index=False, name=None):
        w.writerow([_cell(v) for v in rec])
    return buf.getvalue()


def _json_value(v):
    if v is None or v is pd.NA or v is pd.NaT:
        return None
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (np.floating, float)):
        f = float(v)
        return None if math.isnan(f) or math.isinf(f) else f
    return v


def to_records(df: pd.DataFrame) -> list[dict]:
    """Rows as plain dicts (JSON-ready: NaN is null)."""
    cols = list(df.columns)
    return [{c: _json_value(v) for c, v in zip(cols, rec)} for rec in df.itertuples(index=False, name=None)]


def to_json(df: pd.DataFrame) -> str:
    return json.dumps(to_records(df), ensure_ascii=False, indent=1)
