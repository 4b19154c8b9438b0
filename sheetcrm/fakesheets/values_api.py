"""``spreadsheets.values``: get, batchGet, update, batchUpdate, append, clear, batchClear.

Shapes follow the API reference and gspread's cassettes: ranges echo as
``Sheet1!A1:D4`` (quoted only when the title needs it, clipped to the grid, so a bare
``'Sheet1'`` echoes ``Sheet1!A1:Z1000``); trailing empty rows and cells are left out and
an empty result has no ``values`` key at all; ``updatedRows``/``updatedColumns`` count
the written rectangle.  Writes past the grid or past a multi-cell range are refused
with Google's messages; ``append`` grows the grid instead.
"""

from __future__ import annotations

from typing import Any

from sheetcrm.fakesheets import dimensions
from sheetcrm.fakesheets.a1 import Bounds, column_letters, format_range
from sheetcrm.fakesheets.errors import invalid
from sheetcrm.fakesheets.render import render_value
from sheetcrm.fakesheets.store import Sheet, Spreadsheet, exceeds_grid
from sheetcrm.fakesheets.user_input import Entered, from_raw, from_user_entered

VALUE_RENDER_OPTIONS = ("FORMATTED_VALUE", "UNFORMATTED_VALUE", "FORMULA")
DATE_TIME_RENDER_OPTIONS = ("SERIAL_NUMBER", "FORMATTED_STRING")
VALUE_INPUT_OPTIONS = ("RAW", "USER_ENTERED")
MAJOR_DIMENSIONS = ("ROWS", "COLUMNS")

Params = dict[str, str]


def _choice(params: Params, name: str, allowed: tuple[str, ...], default: str | None) -> str:
    value = params.get(name) or default
    if value is None:
        raise invalid(f"'{name}' is required but not specified")
    if value not in allowed:
        raise invalid(f"Invalid value at '{name}' ({value!r}).")
    return value


def _area(ss: Spreadsheet, text: str) -> tuple[Sheet, Bounds, Bounds]:
    """Resolve a range: its sheet, the bounds as asked, and the bounds clipped to the grid
    (a bounded edge beyond the grid is Google's "exceeds grid limits")."""
    sheet, bounds = ss.resolve(text)
    clipped = bounds.clip(sheet.row_count, sheet.col_count)
    assert clipped.end_row is not None and clipped.end_col is not None
    if (
        clipped.end_row > sheet.row_count
        or clipped.end_col > sheet.col_count
        or clipped.start_row >= max(sheet.row_count, 1)
        or clipped.start_col >= max(sheet.col_count, 1)
    ):
        raise exceeds_grid(sheet, clipped)
    return sheet, bounds, clipped


def _oriented(values: Any, major: str) -> list[list[Any]]:
    if values is None:
        return []
    if not isinstance(values, list) or not all(isinstance(row, list) for row in values):
        raise invalid("Invalid values: expected a list of lists.")
    if major == "ROWS":
        return values
    width = max((len(col) for col in values), default=0)
    return [[col[i] if i < len(col) else None for col in values] for i in range(width)]


def _option_name(prefix: str, name: str) -> str:
    return prefix + name[0].upper() + name[1:] if prefix else name


def value_range(
    ss: Spreadsheet, sheet: Sheet, area: Bounds, params: Params, prefix: str = ""
) -> dict[str, Any]:
    """A ``ValueRange`` for a clipped area, rendered per the request's options
    (``prefix="response"`` reads ``responseValueRenderOption`` and friends)."""
    major = "ROWS" if prefix else _choice(params, "majorDimension", MAJOR_DIMENSIONS, "ROWS")
    value_render = _choice(
        params,
        _option_name(prefix, "valueRenderOption"),
        VALUE_RENDER_OPTIONS,
        "FORMATTED_VALUE",
    )
    date_render = _choice(
        params,
        _option_name(prefix, "dateTimeRenderOption"),
        DATE_TIME_RENDER_OPTIONS,
        "SERIAL_NUMBER",
    )
    found: dict[int, dict[int, Any]] = {}
    for r, c, cell in sheet.cells_in(area):
        value = render_value(cell, value_render, date_render, ss.locale)
        if isinstance(value, str) and value == "":
            continue
        i, j = r - area.start_row, c - area.start_col
        if major == "COLUMNS":
            i, j = j, i
        found.setdefault(i, {})[j] = value
    out: dict[str, Any] = {"range": format_range(sheet.title, area), "majorDimension": major}
    if found:
        out["values"] = [
            [row.get(j, "") for j in range(max(row) + 1)] if (row := found.get(i)) else []
            for i in range(max(found) + 1)
        ]
    return out


def get(ss: Spreadsheet, text: str, params: Params) -> dict[str, Any]:
    """``values.get``."""
    sheet, _, area = _area(ss, text)
    return value_range(ss, sheet, area, params)


def batch_get(ss: Spreadsheet, ranges: list[str], params: Params) -> dict[str, Any]:
    """``values.batchGet``."""
    out: dict[str, Any] = {"spreadsheetId": ss.spreadsheet_id}
    if ranges:
        out["valueRanges"] = [get(ss, text, params) for text in ranges]
    return out


def _parser(option: str, locale: str) -> Any:
    if option == "RAW":
        return from_raw
    return lambda value: from_user_entered(value, locale)


def _write(
    ss: Spreadsheet, text: str, rows: list[list[Any]], option: str
) -> tuple[Sheet, Bounds | None, int]:
    """Write a matrix at a range; returns the sheet, written rectangle and cell count."""
    sheet, asked, area = _area(ss, text)
    height = len(rows)
    width = max((len(row) for row in rows), default=0)
    if not height or not width:
        return sheet, None, 0
    single_cell = asked.end_row == asked.start_row + 1 and asked.end_col == asked.start_col + 1
    if not single_cell:
        assert area.end_row is not None and area.end_col is not None
        if area.start_row + height > area.end_row:
            raise invalid(
                f"Requested writing within range [{format_range(sheet.title, area)}], but "
                f"tried writing to row [{area.end_row + 1}]"
            )
        if area.start_col + width > area.end_col:
            raise invalid(
                f"Requested writing within range [{format_range(sheet.title, area)}], but "
                f"tried writing to column [{column_letters(area.end_col)}]"
            )
    written = Bounds(
        area.start_row, area.start_col, area.start_row + height, area.start_col + width
    )
    if written.end_row > sheet.row_count or written.end_col > sheet.col_count:  # type: ignore[operator]
        raise exceeds_grid(sheet, written)
    return sheet, written, _put(sheet, area.start_row, area.start_col, rows, option, ss.locale)


def _put(
    sheet: Sheet, row0: int, col0: int, rows: list[list[Any]], option: str, locale: str
) -> int:
    parse = _parser(option, locale)
    count = 0
    for i, row in enumerate(rows):
        for j, value in enumerate(row):
            if value is None:  # "null values will be skipped"
                continue
            if isinstance(value, dict | list):
                raise invalid(f"Invalid values[{i}][{j}]: struct_value is not supported.")
            entered: Entered = parse(value)
            sheet.write(row0 + i, col0 + j, entered)
            count += 1
    return count


def _update_response(
    ss: Spreadsheet, sheet: Sheet, written: Bounds | None, count: int, params: Params
) -> dict[str, Any]:
    out: dict[str, Any] = {"spreadsheetId": ss.spreadsheet_id}
    if written is None:
        return out
    assert written.end_row is not None and written.end_col is not None
    out.update(
        updatedRange=format_range(sheet.title, written),
        updatedRows=written.end_row - written.start_row,
        updatedColumns=written.end_col - written.start_col,
        updatedCells=count,
    )
    if str(params.get("includeValuesInResponse", "")).lower() == "true":
        out["updatedData"] = value_range(ss, sheet, written, params, prefix="response")
    return out


def update(ss: Spreadsheet, text: str, body: dict[str, Any], params: Params) -> dict[str, Any]:
    """``values.update`` (PUT)."""
    option = _choice(params, "valueInputOption", VALUE_INPUT_OPTIONS, None)
    major = body.get("majorDimension") or "ROWS"
    if major not in MAJOR_DIMENSIONS:
        raise invalid(f"Invalid value at 'data.major_dimension' ({major!r}).")
    sheet, written, count = _write(ss, text, _oriented(body.get("values"), major), option)
    return _update_response(ss, sheet, written, count, params)


def batch_update(ss: Spreadsheet, body: dict[str, Any]) -> dict[str, Any]:
    """``values.batchUpdate``: every range written, or (on any error) none."""
    params = {k: str(v) for k, v in body.items() if isinstance(v, str | bool)}
    option = _choice(params, "valueInputOption", VALUE_INPUT_OPTIONS, None)
    responses = []
    sheets: set[int] = set()
    totals = {"rows": 0, "columns": 0, "cells": 0}
    for item in body.get("data") or []:
        major = item.get("majorDimension") or "ROWS"
        rows = _oriented(item.get("values"), major)
        sheet, written, count = _write(ss, item.get("range", ""), rows, option)
        response = _update_response(ss, sheet, written, count, params)
        responses.append(response)
        if written is not None:
            sheets.add(sheet.sheet_id)
            totals["rows"] += response["updatedRows"]
            totals["columns"] += response["updatedColumns"]
            totals["cells"] += count
    out: dict[str, Any] = {"spreadsheetId": ss.spreadsheet_id}
    if totals["cells"]:
        out.update(
            totalUpdatedRows=totals["rows"],
            totalUpdatedColumns=totals["columns"],
            totalUpdatedCells=totals["cells"],
            totalUpdatedSheets=len(sheets),
        )
    if responses:
        out["responses"] = responses
    return out


def _filled(sheet: Sheet, row: int, col: int) -> bool:
    return bool(sheet.cells.get((row, col), {}).get("userEnteredValue"))


def _find_table(sheet: Sheet, asked: Bounds, area: Bounds) -> Bounds | None:
    """The "table" ``values.append`` writes after (``None``: write at the range's start).

    From a single cell: the block anchored there — right along the row while cells are
    filled, then down while any of those columns is (an empty anchor means no table;
    gspread's ``insert_row`` relies on that).  From a larger range: the bounding box of
    its filled cells.  Google also splits tables at empty columns inside a range (its
    cassettes show ``'Sheet1'`` with A1 and C1 filled appending under C1); the fake
    does not, and for a header row plus contiguous rows the two agree.
    """
    single_cell = asked.end_row == asked.start_row + 1 and asked.end_col == asked.start_col + 1
    if single_cell:
        row, col = area.start_row, area.start_col
        if not _filled(sheet, row, col):
            return None
        end_col = col + 1
        while end_col < sheet.col_count and _filled(sheet, row, end_col):
            end_col += 1
        end_row = row + 1
        while end_row < sheet.row_count and any(
            _filled(sheet, end_row, c) for c in range(col, end_col)
        ):
            end_row += 1
        return Bounds(row, col, end_row, end_col)
    filled = [(r, c) for r, c, cell in sheet.cells_in(area) if cell.get("userEnteredValue")]
    if not filled:
        return None
    return Bounds(
        min(r for r, _ in filled),
        min(c for _, c in filled),
        max(r for r, _ in filled) + 1,
        max(c for _, c in filled) + 1,
    )


def append(ss: Spreadsheet, text: str, body: dict[str, Any], params: Params) -> dict[str, Any]:
    """``values.append``: after the last row of the table found in the range."""
    option = _choice(params, "valueInputOption", VALUE_INPUT_OPTIONS, None)
    insert_option = _choice(params, "insertDataOption", ("OVERWRITE", "INSERT_ROWS"), "OVERWRITE")
    rows = _oriented(body.get("values"), body.get("majorDimension") or "ROWS")
    sheet, asked, area = _area(ss, text)
    table = _find_table(sheet, asked, area)
    out: dict[str, Any] = {"spreadsheetId": ss.spreadsheet_id}
    if table is not None:
        out["tableRange"] = format_range(sheet.title, table)
        row0, col0 = table.end_row, table.start_col
    else:
        row0, col0 = area.start_row, area.start_col
    height = len(rows)
    width = max((len(row) for row in rows), default=0)
    assert row0 is not None
    if height and width:
        if insert_option == "INSERT_ROWS" and row0 < sheet.row_count:
            dimensions.insert(ss, sheet, "ROWS", row0, height)
        sheet.grid["rowCount"] = max(sheet.row_count, row0 + height)
        sheet.grid["columnCount"] = max(sheet.col_count, col0 + width)
        count = _put(sheet, row0, col0, rows, option, ss.locale)
        written = Bounds(row0, col0, row0 + height, col0 + width)
    else:
        count, written = 0, None
    out["updates"] = _update_response(ss, sheet, written, count, params)
    return out


def clear(ss: Spreadsheet, text: str) -> dict[str, Any]:
    """``values.clear``: values go, formats stay."""
    sheet, _, area = _area(ss, text)
    for r, c, cell in list(sheet.cells_in(area)):
        cell.pop("userEnteredValue", None)
        sheet.put(r, c, cell)
    return {"spreadsheetId": ss.spreadsheet_id, "clearedRange": format_range(sheet.title, area)}


def batch_clear(ss: Spreadsheet, ranges: list[str]) -> dict[str, Any]:
    """``values.batchClear``."""
    cleared = [clear(ss, text)["clearedRange"] for text in ranges]
    out: dict[str, Any] = {"spreadsheetId": ss.spreadsheet_id}
    if cleared:
        out["clearedRanges"] = cleared
    return out
