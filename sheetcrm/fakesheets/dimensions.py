"""Inserting, deleting and sizing rows or columns, and keeping everything anchored.

Cells, dimension properties, developer metadata on rows/columns, the basic filter,
conditional-format ranges and chart anchors all move with an insert or delete, as the
API documents for developer metadata ("if a row is inserted above row 5, metadata on
row 5 moves to row 6; if the row is deleted, its metadata is deleted too").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sheetcrm.fakesheets.errors import invalid
from sheetcrm.fakesheets.render import formatted_value
from sheetcrm.fakesheets.store import Sheet, Spreadsheet

# GridRange keys along each dimension.
_KEYS = {
    "ROWS": ("startRowIndex", "endRowIndex"),
    "COLUMNS": ("startColumnIndex", "endColumnIndex"),
}
_COUNT = {"ROWS": "rowCount", "COLUMNS": "columnCount"}

# autoResizeDimensions: an estimate of the UI's text width (Arial 10).
CHAR_PIXELS = 7
PADDING_PIXELS = 10


def check_dimension(dimension: Any) -> str:
    if dimension not in _KEYS:
        raise invalid(f"Invalid value at 'dimension' ({dimension!r}).")
    return dimension


def _remap(
    sheet: Sheet, ss: Spreadsheet, dimension: str, move: Callable[[int], int | None]
) -> None:
    """Apply an index mapping (``None``: the row/column is gone) to everything anchored."""
    axis = 0 if dimension == "ROWS" else 1
    cells = {}
    for key, cell in sheet.cells.items():
        moved = move(key[axis])
        if moved is not None:
            cells[(moved, key[1]) if axis == 0 else (key[0], moved)] = cell
    sheet.cells = cells
    props = sheet.row_props if axis == 0 else sheet.col_props
    remapped = {m: p for i, p in props.items() if (m := move(i)) is not None}
    if axis == 0:
        sheet.row_props = remapped
    else:
        sheet.col_props = remapped

    kept = []
    for md in ss.developer_metadata:
        dr = md["location"].get("dimensionRange")
        if dr and dr["sheetId"] == sheet.sheet_id and dr["dimension"] == dimension:
            moved = move(dr["startIndex"])
            if moved is None:
                continue
            dr["startIndex"], dr["endIndex"] = moved, moved + 1
        kept.append(md)
    ss.developer_metadata = kept

    start_key, end_key = _KEYS[dimension]
    ranges = [sheet.basic_filter["range"]] if sheet.basic_filter else []
    for rule in sheet.conditional_formats:
        ranges.extend(rule.get("ranges", []))
    for grid_range in ranges:
        _remap_range(grid_range, start_key, end_key, move)
    for chart in sheet.charts:
        anchor = chart.get("position", {}).get("overlayPosition", {}).get("anchorCell")
        index_key = "rowIndex" if axis == 0 else "columnIndex"
        if anchor and anchor.get("sheetId") == sheet.sheet_id:
            anchor[index_key] = move(anchor.get(index_key, 0)) or 0


def _remap_range(
    grid_range: dict[str, Any], start_key: str, end_key: str, move: Callable[[int], int | None]
) -> None:
    start = grid_range.get(start_key, 0)
    new_start = move(start)
    # A deleted first row/column: the range now starts where the deletion was.
    probe = start
    while new_start is None:
        probe += 1
        new_start = move(probe)
    if start_key in grid_range or new_start:
        grid_range[start_key] = new_start
    if end_key in grid_range:
        last = grid_range[end_key] - 1
        new_last = move(last)
        while new_last is None and last >= start:
            last -= 1
            new_last = move(last)
        grid_range[end_key] = max(
            new_start, (new_last if new_last is not None else new_start - 1) + 1
        )


def insert(ss: Spreadsheet, sheet: Sheet, dimension: str, start: int, count: int) -> None:
    """Insert ``count`` empty rows/columns before index ``start``."""
    size = sheet.row_count if dimension == "ROWS" else sheet.col_count
    if not 0 <= start <= size or count <= 0:
        raise invalid(f"Invalid dimension range: start {start}, length {count}.")
    _remap(sheet, ss, dimension, lambda i: i + count if i >= start else i)
    sheet.grid[_COUNT[dimension]] = size + count


def delete(ss: Spreadsheet, sheet: Sheet, dimension: str, start: int, end: int) -> None:
    """Delete rows/columns ``[start, end)`` and everything anchored to them."""
    size = sheet.row_count if dimension == "ROWS" else sheet.col_count
    if not 0 <= start < end <= size:
        raise invalid(f"Invalid dimension range: [{start}, {end}) on a grid of {size}.")
    if end - start >= size:
        noun = "rows" if dimension == "ROWS" else "columns"
        raise invalid(f"You can't delete all the {noun} on the sheet.")
    count = end - start
    _remap(
        sheet,
        ss,
        dimension,
        lambda i: i if i < start else (None if i < end else i - count),
    )
    sheet.grid[_COUNT[dimension]] = size - count
    frozen_key = "frozenRowCount" if dimension == "ROWS" else "frozenColumnCount"
    if sheet.grid.get(frozen_key, 0) > sheet.grid[_COUNT[dimension]] - 1:
        sheet.grid[frozen_key] = max(0, sheet.grid[_COUNT[dimension]] - 1)


def auto_resize(sheet: Sheet, dimension: str, start: int, end: int, locale: str) -> None:
    """Fit columns to their longest text (a width estimate); rows get the default height."""
    if dimension == "ROWS":
        for r in range(start, end):
            sheet.row_props.setdefault(r, {})["pixelSize"] = 21
        return
    widths: dict[int, int] = {}
    for (_, c), cell in sheet.cells.items():
        if start <= c < end:
            text = formatted_value(cell, locale) or ""
            longest = max((len(line) for line in text.splitlines()), default=0)
            widths[c] = max(widths.get(c, 0), longest * CHAR_PIXELS + PADDING_PIXELS)
    for c, width in widths.items():
        sheet.col_props.setdefault(c, {})["pixelSize"] = width
