"""``copyPaste``: copy a range's cells onto another range, in one sheet or across sheets.

Per the API reference (``CopyPasteRequest``): the destination is filled by repeating the
source when its height (or width) is a multiple of the source's; otherwise — including a
destination smaller than the source — the whole source is pasted once at the
destination's top-left corner.  A paste reaching past the grid is Google's "exceeds grid
limits".  Modelled paste types:

* ``PASTE_VALUES`` — values only: a text stays a ``stringValue`` (nothing is re-parsed),
  an empty source cell clears the value, formats are left alone;
* ``PASTE_FORMAT`` — formats only;
* ``PASTE_NORMAL`` — values, formats, data validation and notes.

Formulas are not evaluated by the fake, so pasting one (whose value, or relative
references, would have to be computed) answers 501, as do the other paste types and
``TRANSPOSE``.
"""

from __future__ import annotations

import copy
from typing import Any

from sheetcrm.fakesheets.a1 import Bounds
from sheetcrm.fakesheets.errors import invalid, unimplemented
from sheetcrm.fakesheets.store import exceeds_grid

_FIELDS = {
    "PASTE_VALUES": ("userEnteredValue",),
    "PASTE_FORMAT": ("userEnteredFormat",),
    "PASTE_NORMAL": ("userEnteredValue", "userEnteredFormat", "dataValidation", "note"),
}
_KNOWN_TYPES = frozenset(
    {
        "PASTE_NORMAL",
        "PASTE_VALUES",
        "PASTE_FORMAT",
        "PASTE_NO_BORDERS",
        "PASTE_FORMULA",
        "PASTE_DATA_VALIDATION",
        "PASTE_CONDITIONAL_FORMATTING",
    }
)


def _repeats(source: int, destination: int) -> int:
    return destination // source if destination >= source and destination % source == 0 else 1


def copy_paste(ss: Any, p: dict[str, Any]) -> None:
    """Apply a ``CopyPasteRequest`` body to the spreadsheet being edited."""
    paste_type = p.get("pasteType", "PASTE_NORMAL")
    if paste_type not in _KNOWN_TYPES:
        raise invalid(f"Invalid value at 'pasteType' ({paste_type!r}).")
    if paste_type not in _FIELDS:
        raise unimplemented(f"copyPaste of type {paste_type}")
    if p.get("pasteOrientation", "NORMAL") != "NORMAL":
        raise unimplemented("copyPaste with pasteOrientation TRANSPOSE")
    src_sheet, src = ss.grid_range(p.get("source") or {})
    dst_sheet, dst = ss.grid_range(p.get("destination") or {})
    height, width = src.end_row - src.start_row, src.end_col - src.start_col
    if height <= 0 or width <= 0:
        return
    fields = _FIELDS[paste_type]
    # Snapshot the source first: it may overlap the destination.
    block = {
        (r - src.start_row, c - src.start_col): copy.deepcopy(cell)
        for r, c, cell in src_sheet.cells_in(src)
    }
    if "userEnteredValue" in fields and any(
        "formulaValue" in cell.get("userEnteredValue", {}) for cell in block.values()
    ):
        raise unimplemented("copyPaste of formulas (the fake does not evaluate them)")
    rows = height * _repeats(height, dst.end_row - dst.start_row)
    cols = width * _repeats(width, dst.end_col - dst.start_col)
    area = Bounds(dst.start_row, dst.start_col, dst.start_row + rows, dst.start_col + cols)
    if area.end_row > dst_sheet.row_count or area.end_col > dst_sheet.col_count:  # type: ignore[operator]
        raise exceeds_grid(dst_sheet, area)
    # Clear the fields over the whole area, then lay the source tiles on it: the same as
    # pasting cell by cell, without visiting the empty ones.
    for r, c, cell in list(dst_sheet.cells_in(area)):
        for name in fields:
            cell.pop(name, None)
        dst_sheet.put(r, c, cell)
    for tile_row in range(0, rows, height):
        for tile_col in range(0, cols, width):
            for (i, j), source in block.items():
                present = {name: source[name] for name in fields if name in source}
                if not present:
                    continue
                r, c = dst.start_row + tile_row + i, dst.start_col + tile_col + j
                cell = dst_sheet.cells.get((r, c), {})
                cell.update(copy.deepcopy(present))
                dst_sheet.put(r, c, cell)
