"""A seller's tab as plain typed values: what ``pull`` and ``push`` carry between Excel and
Google Sheets.

Values keep their type — text stays text (never a formula: ``=HYPERLINK(…)`` typed as a
name arrives as that name), numbers stay numbers, dates stay dates (a serial number with
a date format on the Google side, a date cell in Excel) — along with what makes a
template usable: frozen header rows, column widths and list drop-downs.  Cell styles,
formulas, charts and merged cells are not carried: the seller's tab is their data, and
this is a transfer of data.

This module converts to and from the Sheets API's JSON; :mod:`sheetcrm.gsheets.xlsx_tabs`
does the same for .xlsx files.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from typing import Any

from sheetcrm.gsheets.cells import EMPTY, truncate

Value = str | int | float | bool | dt.date | dt.datetime | dt.time | None

_EPOCH = dt.datetime(1899, 12, 30)
DATE_PATTERN = "yyyy/mm/dd"
DATE_TIME_PATTERN = "yyyy/mm/dd h:mm:ss"
TIME_PATTERN = "h:mm:ss"
SPARE_ROWS = 200  # room below the data for the seller's next rows, as in Sheets' new tabs
MIN_ROWS, MIN_COLUMNS = 1000, 26  # a new Google tab's size


@dataclass(frozen=True)
class DropDown:
    """A list drop-down over a block of cells (0-based, ends exclusive)."""

    first_row: int
    end_row: int
    first_column: int
    end_column: int
    choices: tuple[str, ...]
    strict: bool = False


@dataclass(frozen=True)
class PlainTab:
    """One tab: rows of typed values from A1, and the few things that make it usable."""

    title: str
    rows: list[list[Value]]
    hidden: bool = False
    frozen_rows: int = 0
    frozen_columns: int = 0
    widths: dict[int, int] = field(default_factory=dict)  # pixels by 0-based column
    drop_downs: tuple[DropDown, ...] = ()

    @property
    def width(self) -> int:
        return max((len(row) for row in self.rows), default=0)


def to_serial(value: dt.date | dt.datetime | dt.time) -> float:
    """Google's serial number (days since 1899-12-30; the fraction is the time of day)."""
    if isinstance(value, dt.time):
        return (value.hour * 3600 + value.minute * 60 + value.second) / 86400
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    delta = value.replace(tzinfo=None) - _EPOCH
    return delta.days + delta.seconds / 86400


def from_serial(serial: float) -> dt.datetime:
    return _EPOCH + dt.timedelta(seconds=round(serial * 86400))


def _dumps(cell: dict[str, Any]) -> str:
    return json.dumps(cell, ensure_ascii=False, separators=(",", ":"))


def cell_json(value: Value) -> tuple[str, bool]:
    """A value's ``CellData`` JSON, and whether it was cut to Google's cell limit."""
    if value is None or value == "":
        return EMPTY, False
    if isinstance(value, bool):
        return _dumps({"userEnteredValue": {"boolValue": value}}), False
    if isinstance(value, int | float):
        if value != value or value in (float("inf"), float("-inf")):
            return EMPTY, False
        return _dumps({"userEnteredValue": {"numberValue": value}}), False
    if isinstance(value, dt.date | dt.time):
        if isinstance(value, dt.datetime):
            kind, pattern = (
                ("DATE", DATE_PATTERN)
                if value.time() == dt.time()
                else (
                    "DATE_TIME",
                    DATE_TIME_PATTERN,
                )
            )
        elif isinstance(value, dt.date):
            kind, pattern = "DATE", DATE_PATTERN
        else:
            kind, pattern = "TIME", TIME_PATTERN
        cell = {
            "userEnteredValue": {"numberValue": to_serial(value)},
            "userEnteredFormat": {"numberFormat": {"type": kind, "pattern": pattern}},
        }
        return _dumps(cell), False
    text = str(value)
    short = truncate(text)
    return _dumps({"userEnteredValue": {"stringValue": short}}), short != text


def grid_size(tab: PlainTab) -> tuple[int, int]:
    """Rows and columns of the Google tab: the data, room to grow, at least a new tab's size."""
    rows = max(len(tab.rows) + SPARE_ROWS, MIN_ROWS, tab.frozen_rows + 1)
    columns = max(tab.width, MIN_COLUMNS, tab.frozen_columns + 1)
    for drop in tab.drop_downs:
        rows, columns = max(rows, drop.end_row), max(columns, drop.end_column)
    return rows, columns


def sheet_properties(tab: PlainTab, sheet_id: int) -> dict[str, Any]:
    rows, columns = grid_size(tab)
    return {
        "sheetId": sheet_id,
        "title": tab.title,
        "hidden": tab.hidden,
        "gridProperties": {
            "rowCount": rows,
            "columnCount": columns,
            "frozenRowCount": tab.frozen_rows,
            "frozenColumnCount": tab.frozen_columns,
        },
    }


def decorations(tab: PlainTab, sheet_id: int) -> list[dict[str, Any]]:
    """Column widths and drop-downs of a pushed tab."""
    out: list[dict[str, Any]] = []
    for column, pixels in sorted(tab.widths.items()):
        out.append(
            {
                "updateDimensionProperties": {
                    "range": {
                        "sheetId": sheet_id,
                        "dimension": "COLUMNS",
                        "startIndex": column,
                        "endIndex": column + 1,
                    },
                    "properties": {"pixelSize": pixels},
                    "fields": "pixelSize",
                }
            }
        )
    for drop in tab.drop_downs:
        condition = {
            "type": "ONE_OF_LIST",
            "values": [{"userEnteredValue": choice} for choice in drop.choices],
        }
        out.append(
            {
                "setDataValidation": {
                    "range": {
                        "sheetId": sheet_id,
                        "startRowIndex": drop.first_row,
                        "endRowIndex": drop.end_row,
                        "startColumnIndex": drop.first_column,
                        "endColumnIndex": drop.end_column,
                    },
                    "rule": {"condition": condition, "strict": drop.strict, "showCustomUi": True},
                }
            }
        )
    return out


# --- from Google ---------------------------------------------------------------------

#: ``spreadsheets.get`` fields for pull: typed values, date formats, drop-downs, widths.
GRID_FIELDS = (
    "sheets(properties(sheetId,title,hidden,gridProperties(frozenRowCount,frozenColumnCount)),"
    "data(rowData(values(effectiveValue,effectiveFormat/numberFormat/type,dataValidation)),"
    "columnMetadata(pixelSize)))"
)


def value_of(cell: dict[str, Any]) -> Value:
    """A cell of grid data as a typed value: dates by their number format's type."""
    value = cell.get("effectiveValue") or {}
    if "stringValue" in value:
        return value["stringValue"]
    if "boolValue" in value:
        return bool(value["boolValue"])
    if "numberValue" in value:
        number = value["numberValue"]
        kind = ((cell.get("effectiveFormat") or {}).get("numberFormat") or {}).get("type")
        if kind == "DATE":
            return from_serial(number).date()
        if kind == "DATE_TIME":
            return from_serial(number)
        if kind == "TIME":
            return from_serial(number).time()
        return number
    return None  # empty, or an error (#N/A…): not data


def tab_from_grid(sheet: dict[str, Any]) -> PlainTab:
    """A :class:`PlainTab` from one sheet of a ``spreadsheets.get`` with grid data."""
    props = sheet.get("properties", {})
    grid = props.get("gridProperties", {})
    rows: list[list[Value]] = []
    validations: dict[tuple[int, str], list[int]] = {}
    widths: dict[int, int] = {}
    for data in sheet.get("data", []):
        for r, row in enumerate(data.get("rowData", [])):
            values = row.get("values", [])
            rows.append([value_of(cell) for cell in values])
            for c, cell in enumerate(values):
                rule = cell.get("dataValidation")
                if rule and (rule.get("condition") or {}).get("type") == "ONE_OF_LIST":
                    validations.setdefault((c, json.dumps(rule, sort_keys=True)), []).append(r)
        for c, meta in enumerate(data.get("columnMetadata", [])):
            if meta.get("pixelSize") and meta["pixelSize"] != 100:
                widths[c] = int(meta["pixelSize"])
    while rows and all(v is None for v in rows[-1]):
        rows.pop()
    rows = [_trim(row) for row in rows]
    return PlainTab(
        title=str(props.get("title", "")),
        rows=rows,
        hidden=bool(props.get("hidden")),
        frozen_rows=int(grid.get("frozenRowCount", 0)),
        frozen_columns=int(grid.get("frozenColumnCount", 0)),
        widths=widths,
        drop_downs=tuple(_drop_downs(validations)),
    )


def _trim(row: list[Value]) -> list[Value]:
    while row and row[-1] is None:
        row.pop()
    return row


def _drop_downs(validations: dict[tuple[int, str], list[int]]) -> list[DropDown]:
    """One drop-down per run of consecutive rows sharing a column and a rule."""
    out = []
    for (column, rule_text), rows in sorted(validations.items()):
        rule = json.loads(rule_text)
        choices = tuple(
            str(v.get("userEnteredValue", "")) for v in rule["condition"].get("values", [])
        )
        start = previous = rows[0]
        for row in [*rows[1:], None]:
            if row is not None and row == previous + 1:
                previous = row
                continue
            out.append(
                DropDown(start, previous + 1, column, column + 1, choices, bool(rule.get("strict")))
            )
            if row is not None:
                start = previous = row
    return out
