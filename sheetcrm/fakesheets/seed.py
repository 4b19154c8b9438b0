"""Building a spreadsheet from Python rows or from an .xlsx workbook's values.

Text stays text (as with ``RAW``: ``0123`` and ``=x`` are not reinterpreted), numbers
and booleans keep their type, dates become serial numbers with a date format.  An
xlsx is read with openpyxl, values only (cached formula results, no styles).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sheetcrm.fakesheets.store import (
    DEFAULT_COLUMNS,
    DEFAULT_ROWS,
    IdMaker,
    Spreadsheet,
    new_spreadsheet,
)
from sheetcrm.fakesheets.user_input import from_python, from_user_entered

Rows = Sequence[Sequence[Any]]


def spreadsheet_from_rows(
    ids: IdMaker,
    title: str,
    sheets: Mapping[str, Rows] | None = None,
    *,
    locale: str = "en_US",
    time_zone: str = "Etc/GMT",
    value_input_option: str = "RAW",
) -> Spreadsheet:
    """A spreadsheet whose tabs hold ``rows`` from A1; grids are at least 1000×26."""
    sheets = dict(sheets) if sheets else {"Sheet1": []}
    spreadsheet = new_spreadsheet(ids, title, list(sheets), locale=locale, time_zone=time_zone)
    for sheet, rows in zip(spreadsheet.sheets, sheets.values(), strict=True):
        width = max((len(row) for row in rows), default=0)
        sheet.grid["rowCount"] = max(DEFAULT_ROWS, len(rows))
        sheet.grid["columnCount"] = max(DEFAULT_COLUMNS, width)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if value_input_option == "USER_ENTERED" and isinstance(value, str):
                    entered = from_user_entered(value, locale)
                else:
                    entered = from_python(value)
                sheet.write(r, c, entered)
    return spreadsheet


def read_xlsx(path: Path) -> dict[str, list[list[Any]]]:
    """``{sheet title: rows}`` of an xlsx, values only, trailing empty rows dropped."""
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        out: dict[str, list[list[Any]]] = {}
        for worksheet in workbook.worksheets:
            rows = [list(row) for row in worksheet.iter_rows(values_only=True)]
            while rows and all(v is None for v in rows[-1]):
                rows.pop()
            out[worksheet.title] = rows
        return out
    finally:
        workbook.close()
