"""Read-only snapshots of a spreadsheet, for assertions in tests.

``server.spreadsheet(id)`` returns a :class:`SpreadsheetState`: a copy taken under the
server's lock, so later requests do not change what a test is looking at::

    state = server.spreadsheet(sid)
    tab = state.sheet("顧客分析")
    assert tab.values[0] == ["顧客ID", "氏名"]
    assert tab.format("A1")["textFormat"]["bold"] is True
    assert tab.frozen_row_count == 1
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from sheetcrm.fakesheets.a1 import parse_bounds
from sheetcrm.fakesheets.render import render_value
from sheetcrm.fakesheets.store import DEFAULT_COLUMN_PIXELS, Sheet, Spreadsheet


@dataclass(frozen=True)
class SheetState:
    """One tab as it stands: properties, cells (as the API's CellData) and decorations."""

    properties: dict[str, Any]
    cells: dict[tuple[int, int], dict[str, Any]]
    values: list[list[str]]
    row_properties: dict[int, dict[str, Any]]
    column_properties: dict[int, dict[str, Any]]
    basic_filter: dict[str, Any] | None
    conditional_formats: list[dict[str, Any]]
    charts: list[dict[str, Any]]
    developer_metadata: list[dict[str, Any]]

    @property
    def sheet_id(self) -> int:
        return self.properties["sheetId"]

    @property
    def title(self) -> str:
        return self.properties["title"]

    @property
    def index(self) -> int:
        return self.properties["index"]

    @property
    def hidden(self) -> bool:
        return bool(self.properties.get("hidden"))

    @property
    def row_count(self) -> int:
        return self.properties["gridProperties"]["rowCount"]

    @property
    def column_count(self) -> int:
        return self.properties["gridProperties"]["columnCount"]

    @property
    def frozen_row_count(self) -> int:
        return self.properties["gridProperties"].get("frozenRowCount", 0)

    @property
    def frozen_column_count(self) -> int:
        return self.properties["gridProperties"].get("frozenColumnCount", 0)

    @property
    def tab_color(self) -> dict[str, Any] | None:
        return self.properties.get("tabColorStyle", {}).get("rgbColor")

    def column_width(self, column: int) -> int:
        """Pixel width of a 0-based column (100 unless set)."""
        return self.column_properties.get(column, {}).get("pixelSize", DEFAULT_COLUMN_PIXELS)

    def cell(self, a1: str) -> dict[str, Any]:
        """The CellData at ``A1`` (``{}`` when empty), with effective and formatted values."""
        bounds = parse_bounds(a1)
        return self.cells.get((bounds.start_row, bounds.start_col), {})

    def value(self, a1: str) -> Any:
        """What the user entered: text, number, bool, or a formula's text (``None`` if empty)."""
        entered = self.cell(a1).get("userEnteredValue")
        return next(iter(entered.values())) if entered else None

    def formatted(self, a1: str) -> str:
        """The text the UI shows (``""`` when empty)."""
        return self.cell(a1).get("formattedValue", "")

    def format(self, a1: str) -> dict[str, Any]:
        """The cell's userEnteredFormat (``{}`` when unformatted)."""
        return self.cell(a1).get("userEnteredFormat", {})


@dataclass(frozen=True)
class SpreadsheetState:
    """A whole spreadsheet: properties, tabs in order, spreadsheet-level metadata."""

    spreadsheet_id: str
    properties: dict[str, Any]
    sheets: list[SheetState]
    developer_metadata: list[dict[str, Any]]
    permissions: list[dict[str, Any]]

    @property
    def title(self) -> str:
        return self.properties["title"]

    @property
    def sheet_titles(self) -> list[str]:
        return [s.title for s in self.sheets]

    def sheet(self, title: str) -> SheetState:
        """A tab by title (``KeyError`` listing the titles when absent)."""
        for sheet in self.sheets:
            if sheet.title == title:
                return sheet
        raise KeyError(f"no sheet {title!r}; sheets are {self.sheet_titles}")


def _values(ss: Spreadsheet, sheet: Sheet) -> list[list[str]]:
    grid: dict[int, dict[int, str]] = {}
    for (r, c), cell in sheet.cells.items():
        text = render_value(cell, locale=ss.locale)
        if text != "":
            grid.setdefault(r, {})[c] = text
    return [
        [row.get(c, "") for c in range(max(row) + 1)] if (row := grid.get(r)) else []
        for r in range(max(grid) + 1 if grid else 0)
    ]


def snapshot(ss: Spreadsheet) -> SpreadsheetState:
    """A deep, detached copy of a spreadsheet for assertions."""
    sheets = []
    for sheet in ss.sheets:
        sheet_md = [
            copy.deepcopy(md)
            for md in ss.developer_metadata
            if md["location"].get("sheetId") == sheet.sheet_id
            or md["location"].get("dimensionRange", {}).get("sheetId") == sheet.sheet_id
        ]
        sheets.append(
            SheetState(
                properties=copy.deepcopy(sheet.properties),
                cells={key: ss.cell_resource(cell) for key, cell in sheet.cells.items()},
                values=_values(ss, sheet),
                row_properties=copy.deepcopy(sheet.row_props),
                column_properties=copy.deepcopy(sheet.col_props),
                basic_filter=copy.deepcopy(sheet.basic_filter),
                conditional_formats=copy.deepcopy(sheet.conditional_formats),
                charts=copy.deepcopy(sheet.charts),
                developer_metadata=sheet_md,
            )
        )
    return SpreadsheetState(
        spreadsheet_id=ss.spreadsheet_id,
        properties=copy.deepcopy(ss.properties),
        sheets=sheets,
        developer_metadata=copy.deepcopy(ss.developer_metadata),
        permissions=copy.deepcopy(ss.permissions),
    )
