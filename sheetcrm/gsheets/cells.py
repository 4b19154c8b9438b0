"""One table column → the JSON of its ``CellData`` and the canonical form we fingerprint.

Values are written as typed ``userEnteredValue``: every text is a ``stringValue`` — a
customer named ``=IMPORTXML(…)``, ``+1`` or ``@SUM(1)`` stays text, since only
``formulaValue`` (or ``USER_ENTERED`` input) makes a formula — numbers are
``numberValue``, dates are serial numbers (days since 1899-12-30, Google's epoch) shown
with a date format, booleans are ``boolValue``.

Columns are converted whole, with pandas string operations, because a 100,000-row
customer tab is millions of cells: the JSON text of each cell is built by vectorised
concatenation, and only rare cells (control characters, lone surrogates, text over
Google's 50,000-character limit) take a per-cell path.  The result is JSON *text*, so
request sizes are known before anything is sent.

The canonical form of a cell is what :mod:`sheetcrm.gsheets.fingerprint` compares
with the values read back: ``s`` + text (NFC, whitespace and control characters
removed), ``n`` + the number to 12 significant digits, ``b1``/``b0``, ``""`` for blank.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import numbers
import re
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import numpy as np
import pandas as pd

from sheetcrm.layout import typed_column

#: Google's limit per cell (https://support.google.com/drive/answer/37603); Google counts
#: UTF-16 code units, so that is what we count too.
MAX_CELL_CHARS = 50_000
ELLIPSIS = "…"
EMPTY = "{}"

_SERIAL_EPOCH = pd.Timestamp("1899-12-30")
_ONE_DAY = pd.Timedelta(days=1)
_TEXT_PREFIX = '{"userEnteredValue":{"stringValue":"'
_TEXT_SUFFIX = '"}}'
_NUMBER_PREFIX = '{"userEnteredValue":{"numberValue":'
_NUMBER_SUFFIX = "}}"
_BOOL = {
    True: '{"userEnteredValue":{"boolValue":true}}',
    False: '{"userEnteredValue":{"boolValue":false}}',
}
_CONTROL = r"[\x00-\x1f]"
_SURROGATE = r"[\ud800-\udfff]"
_NOISE = r"[\s\x00-\x1f\x7f]+"


@dataclass(frozen=True)
class ColumnCells:
    """A column ready to send: JSON per cell, canonical text per cell, truncation count."""

    json: np.ndarray  # object array of CellData JSON texts ("{}" for blank)
    canonical: np.ndarray  # object array of canonical strings ("" for blank)
    truncated: int = 0
    is_date: bool = False


def truncate(text: str) -> str:
    """``text`` cut to Google's 50,000-character cell limit, ending with "…"."""
    units = text.encode("utf-16-le", errors="surrogatepass")
    if len(units) <= MAX_CELL_CHARS * 2:
        return text
    # "ignore" drops half a surrogate pair cut at the boundary.
    return units[: (MAX_CELL_CHARS - 1) * 2].decode("utf-16-le", errors="ignore") + ELLIPSIS


def canonical_text(text: str) -> str:
    """The canonical form of one text cell (see the module docstring)."""
    folded = re.sub(_NOISE, "", unicodedata.normalize("NFC", text))
    return "s" + folded if folded else ""


def canonical_number(value: float) -> str:
    """The canonical form of one number cell; ``-0`` and ``0`` are the same."""
    return "n" + f"{float(value) + 0.0:.12g}"


def canonical_value(value: Any) -> str:
    """The canonical form of a value as ``values.batchGet`` returns it (UNFORMATTED_VALUE)."""
    if isinstance(value, bool):
        return "b1" if value else "b0"
    if isinstance(value, int | float):
        return canonical_number(value) if math.isfinite(value) else ""
    if isinstance(value, str):
        return canonical_text(value) if value else ""
    return ""


def single(value: str) -> tuple[str, str]:
    """JSON and canonical form of one literal text cell (a caption or a header)."""
    if not value:
        return EMPTY, ""
    short = re.sub(_SURROGATE, "\ufffd", truncate(value))
    escaped = json.dumps(short, ensure_ascii=False)[1:-1]
    return _TEXT_PREFIX + escaped + _TEXT_SUFFIX, canonical_text(short)


def column_cells(series: pd.Series) -> ColumnCells:
    """Convert one column, choosing the path from its dtype."""
    series = typed_column(series.reset_index(drop=True))
    kind = series.dtype.kind
    if kind == "M":
        if getattr(series.dtype, "tz", None) is not None:
            series = series.dt.tz_localize(None)
        serials = ((series - _SERIAL_EPOCH) / _ONE_DAY).to_numpy(dtype="float64", na_value=np.nan)
        return _numbers(serials, is_date=True)
    if kind == "m":
        return _numbers((series / _ONE_DAY).to_numpy(dtype="float64", na_value=np.nan))
    if kind == "b" and isinstance(series.dtype, np.dtype):
        flags = series.to_numpy()
        return ColumnCells(
            np.where(flags, _BOOL[True], _BOOL[False]).astype(object),
            np.where(flags, "b1", "b0").astype(object),
        )
    if kind in "iuf":
        return _numbers(series.to_numpy(dtype="float64", na_value=np.nan))
    if pd.api.types.infer_dtype(series, skipna=True) in ("string", "empty"):
        return _texts(series)
    return _mixed(series)


def _number_texts(values: np.ndarray) -> list[str]:
    """JSON numbers: integral values without ".0" (shorter), others in shortest repr."""
    return [str(int(x)) if x.is_integer() and abs(x) < 2**53 else repr(x) for x in values.tolist()]


def _numbers(values: np.ndarray, *, is_date: bool = False) -> ColumnCells:
    finite = np.isfinite(values)
    json_cells = np.full(len(values), EMPTY, dtype=object)
    canonical = np.full(len(values), "", dtype=object)
    if finite.any():
        present = values[finite] + 0.0
        texts = np.array(_number_texts(present), dtype=object)
        json_cells[finite] = _NUMBER_PREFIX + texts + _NUMBER_SUFFIX
        canonical[finite] = np.array([f"n{x:.12g}" for x in present.tolist()], dtype=object)
    return ColumnCells(json_cells, canonical, is_date=is_date)


def _texts(series: pd.Series) -> ColumnCells:
    try:
        text = series.astype("string")
    except UnicodeEncodeError:  # lone surrogates (only an object column can hold them)
        text = series.map(
            lambda v: re.sub(_SURROGATE, "\ufffd", v) if isinstance(v, str) else v
        ).astype("string")
    present = (text.notna() & (text != "")).to_numpy(dtype=bool)
    json_cells = np.full(len(text), EMPTY, dtype=object)
    canonical = np.full(len(text), "", dtype=object)
    if not present.any():
        return ColumnCells(json_cells, canonical)
    values = text[present]
    truncated = 0
    long = values.str.len() > MAX_CELL_CHARS // 2  # cheap pre-check: UTF-16 is ≤ 2 per char
    if long.any():
        cut = values[long].map(truncate)
        truncated = int((cut != values[long]).sum())
        values = values.copy()
        values[long] = cut
    escaped = values.str.replace("\\", "\\\\", regex=False).str.replace('"', '\\"', regex=False)
    control = values.str.contains(_CONTROL, regex=True)
    if control.any():
        escaped = escaped.copy()
        escaped[control] = values[control].map(lambda v: json.dumps(v, ensure_ascii=False)[1:-1])
    json_cells[present] = (_TEXT_PREFIX + escaped + _TEXT_SUFFIX).to_numpy(dtype=object)
    # The very function the read side uses, so the two can never disagree (a vectorised
    # regex engine may define "whitespace" differently from Python's).
    canonical[present] = values.map(canonical_text).to_numpy(dtype=object)
    return ColumnCells(json_cells, canonical, truncated)


def _mixed(series: pd.Series) -> ColumnCells:
    """A column mixing types: each cell by its Python type (the slow, rare path)."""
    json_cells = np.full(len(series), EMPTY, dtype=object)
    canonical = np.full(len(series), "", dtype=object)
    truncated = 0
    for i, value in enumerate(series.tolist()):
        cell, key, cut = _one(value)
        json_cells[i], canonical[i] = cell, key
        truncated += cut
    return ColumnCells(json_cells, canonical, truncated)


def _one(value: Any) -> tuple[str, str, int]:
    if value is None or (not isinstance(value, str) and _is_missing(value)):
        return EMPTY, "", 0
    if isinstance(value, bool | np.bool_):
        return _BOOL[bool(value)], "b1" if value else "b0", 0
    if isinstance(value, dt.datetime | dt.date | np.datetime64):
        stamp = pd.Timestamp(value)
        if stamp.tzinfo is not None:
            stamp = stamp.tz_localize(None)
        return _number_cell((stamp - _SERIAL_EPOCH) / _ONE_DAY)
    if isinstance(value, dt.timedelta | np.timedelta64):
        return _number_cell(pd.Timedelta(value) / _ONE_DAY)
    if isinstance(value, numbers.Real | Decimal):
        return _number_cell(float(value))
    text = str(value)
    if not text:
        return EMPTY, "", 0
    short = truncate(text)
    clean = re.sub(_SURROGATE, "\ufffd", short)
    escaped = json.dumps(clean, ensure_ascii=False)[1:-1]
    return _TEXT_PREFIX + escaped + _TEXT_SUFFIX, canonical_text(clean), int(short != text)


def _number_cell(number: float) -> tuple[str, str, int]:
    if not math.isfinite(number):
        return EMPTY, "", 0
    number += 0.0
    text = _number_texts(np.array([number]))[0]
    return _NUMBER_PREFIX + text + _NUMBER_SUFFIX, canonical_number(number), 0


def _is_missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
