"""Spreadsheets held in memory, and their rendering as the API's ``Spreadsheet`` resource.

A spreadsheet is a list of sheets in tab order plus developer metadata; a sheet is its
``SheetProperties`` (kept as the API's JSON), a sparse grid of ``CellData`` keyed by
``(row, col)``, row/column ``DimensionProperties``, a basic filter, conditional format
rules and charts.  Cells store only what the user entered (``userEnteredValue``,
``userEnteredFormat``, ``note``); effective and formatted values are computed on read,
so a later format change re-renders the text as in Sheets.

Shapes follow the API reference and gspread's recorded cassettes (a new spreadsheet's
properties and its one ``Sheet1`` of 1000×26 with sheetId 0).
"""

from __future__ import annotations

import copy
import datetime as dt
import random
import string
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sheetcrm.fakesheets import render
from sheetcrm.fakesheets.a1 import A1Error, Bounds, format_range, parse_a1
from sheetcrm.fakesheets.errors import (
    CELL_CHARS_MESSAGE,
    MAX_CELL_CHARS,
    ApiError,
    invalid,
    unparsable_range,
)
from sheetcrm.fakesheets.user_input import Entered

DEFAULT_ROWS = 1000
DEFAULT_COLUMNS = 26
DEFAULT_ROW_PIXELS = 21
DEFAULT_COLUMN_PIXELS = 100

# A new spreadsheet's defaultFormat, as Google returns it (gspread cassette test_create).
DEFAULT_FORMAT: dict[str, Any] = {
    "backgroundColor": {"red": 1, "green": 1, "blue": 1},
    "padding": {"top": 2, "right": 3, "bottom": 2, "left": 3},
    "verticalAlignment": "BOTTOM",
    "wrapStrategy": "OVERFLOW_CELL",
    "textFormat": {
        "foregroundColor": {},
        "fontFamily": "arial,sans,sans-serif",
        "fontSize": 10,
        "bold": False,
        "italic": False,
        "strikethrough": False,
        "underline": False,
        "foregroundColorStyle": {"rgbColor": {}},
    },
    "backgroundColorStyle": {"rgbColor": {"red": 1, "green": 1, "blue": 1}},
}

_ID_CHARS = string.ascii_letters + string.digits + "-_"


def now_rfc3339() -> str:
    """Drive's timestamp format: ``2023-07-25T15:43:35.200Z``."""
    moment = dt.datetime.now(dt.UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


@dataclass
class Sheet:
    """One tab: its properties (API JSON) and contents."""

    properties: dict[str, Any]
    cells: dict[tuple[int, int], dict[str, Any]] = field(default_factory=dict)
    row_props: dict[int, dict[str, Any]] = field(default_factory=dict)
    col_props: dict[int, dict[str, Any]] = field(default_factory=dict)
    basic_filter: dict[str, Any] | None = None
    conditional_formats: list[dict[str, Any]] = field(default_factory=list)
    charts: list[dict[str, Any]] = field(default_factory=list)

    @property
    def sheet_id(self) -> int:
        return self.properties["sheetId"]

    @property
    def title(self) -> str:
        return self.properties["title"]

    @property
    def grid(self) -> dict[str, Any]:
        return self.properties.setdefault("gridProperties", {})

    @property
    def row_count(self) -> int:
        return self.grid.get("rowCount", 0)

    @property
    def col_count(self) -> int:
        return self.grid.get("columnCount", 0)

    def full_bounds(self) -> Bounds:
        return Bounds(0, 0, self.row_count, self.col_count)

    def cells_in(self, bounds: Bounds) -> Iterable[tuple[int, int, dict[str, Any]]]:
        """Stored cells inside ``bounds`` (already clipped), in no particular order."""
        assert bounds.end_row is not None and bounds.end_col is not None
        for (r, c), cell in self.cells.items():
            if bounds.start_row <= r < bounds.end_row and bounds.start_col <= c < bounds.end_col:
                yield r, c, cell

    def write(self, row: int, col: int, entered: Entered) -> None:
        """Set (or clear, for ``entered.value is None``) what the user entered in a cell."""
        cell = self.cells.get((row, col), {})
        if entered.value is None:
            cell.pop("userEnteredValue", None)
        else:
            check_cell_text(entered.value)
            cell["userEnteredValue"] = dict(entered.value)
            fmt = cell.get("userEnteredFormat") or {}
            if entered.number_format and "numberFormat" not in fmt:
                cell["userEnteredFormat"] = {**fmt, "numberFormat": dict(entered.number_format)}
        self.put(row, col, cell)

    def put(self, row: int, col: int, cell: dict[str, Any]) -> None:
        """Store a cell, dropping it from the sparse grid when it holds nothing."""
        if cell:
            self.cells[(row, col)] = cell
        else:
            self.cells.pop((row, col), None)


def check_cell_text(value: dict[str, Any]) -> None:
    """Google's 50,000-characters-per-cell limit, for text and formulas alike."""
    for key in ("stringValue", "formulaValue"):
        text = value.get(key)
        if isinstance(text, str) and len(text) > MAX_CELL_CHARS:
            raise invalid(CELL_CHARS_MESSAGE)


def with_color_styles(fmt: dict[str, Any]) -> dict[str, Any]:
    """Mirror ``*Color`` and ``*ColorStyle`` fields as Google does in what it returns."""
    fmt = copy.deepcopy(fmt)
    _mirror(fmt, "backgroundColor")
    if isinstance(fmt.get("textFormat"), dict):
        _mirror(fmt["textFormat"], "foregroundColor")
    return fmt


def _mirror(holder: dict[str, Any], name: str) -> None:
    style = f"{name}Style"
    if name in holder and style not in holder:
        holder[style] = {"rgbColor": copy.deepcopy(holder[name])}
    elif style in holder and name not in holder and "rgbColor" in holder[style]:
        holder[name] = copy.deepcopy(holder[style]["rgbColor"])


def deep_merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    """``over`` laid on ``base``, recursively."""
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = deep_merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


@dataclass
class Spreadsheet:
    """A spreadsheet and the Drive facts about its file."""

    spreadsheet_id: str
    properties: dict[str, Any]
    sheets: list[Sheet] = field(default_factory=list)
    developer_metadata: list[dict[str, Any]] = field(default_factory=list)
    created_time: str = field(default_factory=now_rfc3339)
    modified_time: str = field(default_factory=now_rfc3339)
    permissions: list[dict[str, Any]] = field(default_factory=list)

    @property
    def title(self) -> str:
        return self.properties["title"]

    @property
    def locale(self) -> str:
        return self.properties.get("locale", "en_US")

    def reindex(self) -> None:
        """Keep every sheet's ``index`` equal to its position in the tab order."""
        for index, sheet in enumerate(self.sheets):
            sheet.properties["index"] = index

    def sheet_by_id(self, sheet_id: int) -> Sheet | None:
        return next((s for s in self.sheets if s.sheet_id == sheet_id), None)

    def sheet_by_title(self, title: str) -> Sheet | None:
        # Sheets treats tab names case-insensitively (no "Data" next to "data").
        folded = title.casefold()
        return next((s for s in self.sheets if s.title.casefold() == folded), None)

    def cell_count(self) -> int:
        return sum(s.row_count * s.col_count for s in self.sheets)

    def resolve(self, text: str) -> tuple[Sheet, Bounds]:
        """An A1 range → its sheet and bounds; a range with no sheet means the first
        visible sheet.  Unknown sheets and bad syntax get Google's 400."""
        try:
            parsed = parse_a1(text)
        except A1Error:
            raise unparsable_range(text) from None
        if parsed.sheet is None:
            visible = [s for s in self.sheets if not s.properties.get("hidden")]
            sheet = (visible or self.sheets)[0]
        else:
            found = self.sheet_by_title(parsed.sheet)
            if found is None:
                raise unparsable_range(text)
            sheet = found
        return sheet, parsed.bounds

    def grid_range(self, grid_range: dict[str, Any]) -> tuple[Sheet, Bounds]:
        """A GridRange → its sheet and clipped bounds (a missing sheetId means 0)."""
        sheet = self.require_sheet(grid_range.get("sheetId", 0), "grid")
        bounds = Bounds(
            grid_range.get("startRowIndex", 0),
            grid_range.get("startColumnIndex", 0),
            grid_range.get("endRowIndex"),
            grid_range.get("endColumnIndex"),
        ).clip(sheet.row_count, sheet.col_count)
        if (
            bounds.start_row < 0
            or bounds.start_col < 0
            or bounds.end_row > sheet.row_count  # type: ignore[operator]
            or bounds.end_col > sheet.col_count  # type: ignore[operator]
            or bounds.start_row > bounds.end_row  # type: ignore[operator]
            or bounds.start_col > bounds.end_col  # type: ignore[operator]
        ):
            raise exceeds_grid(sheet, bounds)
        return sheet, bounds

    def require_sheet(self, sheet_id: Any, noun: str = "sheet") -> Sheet:
        sheet = self.sheet_by_id(sheet_id) if isinstance(sheet_id, int) else None
        if sheet is None:
            raise invalid(f"No {noun} with id: {sheet_id}")
        return sheet

    # --- rendering --------------------------------------------------------------

    def to_resource(
        self, *, include_grid: bool = False, ranges: list[str] | None = None
    ) -> dict[str, Any]:
        """The ``Spreadsheet`` resource; with ``ranges``, only the sheets they name."""
        wanted: dict[int, list[Bounds]] | None = None
        if ranges:
            wanted = {}
            for text in ranges:
                sheet, bounds = self.resolve(text)
                wanted.setdefault(sheet.sheet_id, []).append(bounds)
        sheets = []
        for sheet in self.sheets:
            if wanted is not None and sheet.sheet_id not in wanted:
                continue
            areas = wanted[sheet.sheet_id] if wanted is not None else [Bounds()]
            sheets.append(self._sheet_resource(sheet, areas if include_grid else None))
        resource: dict[str, Any] = {
            "spreadsheetId": self.spreadsheet_id,
            "properties": copy.deepcopy(self.properties),
            "sheets": sheets,
        }
        spreadsheet_md = [
            copy.deepcopy(md)
            for md in self.developer_metadata
            if md["location"]["locationType"] == "SPREADSHEET"
        ]
        if spreadsheet_md:
            resource["developerMetadata"] = spreadsheet_md
        resource["spreadsheetUrl"] = (
            f"https://docs.google.com/spreadsheets/d/{self.spreadsheet_id}/edit"
        )
        return resource

    def _sheet_resource(self, sheet: Sheet, areas: list[Bounds] | None) -> dict[str, Any]:
        out: dict[str, Any] = {"properties": copy.deepcopy(sheet.properties)}
        if areas is not None:
            out["data"] = [
                self.grid_data(sheet, area.clip(sheet.row_count, sheet.col_count)) for area in areas
            ]
        if sheet.basic_filter:
            out["basicFilter"] = copy.deepcopy(sheet.basic_filter)
        if sheet.conditional_formats:
            out["conditionalFormats"] = copy.deepcopy(sheet.conditional_formats)
        if sheet.charts:
            out["charts"] = copy.deepcopy(sheet.charts)
        sheet_md = [
            copy.deepcopy(md)
            for md in self.developer_metadata
            if md["location"].get("sheetId") == sheet.sheet_id
        ]
        if sheet_md:
            out["developerMetadata"] = sheet_md
        return out

    def grid_data(self, sheet: Sheet, bounds: Bounds) -> dict[str, Any]:
        """``GridData`` for a clipped area: trailing empty rows and cells are left out."""
        assert bounds.end_row is not None and bounds.end_col is not None
        by_row: dict[int, dict[int, dict[str, Any]]] = {}
        for r, c, cell in sheet.cells_in(bounds):
            by_row.setdefault(r, {})[c] = cell
        data: dict[str, Any] = {}
        if bounds.start_row:
            data["startRow"] = bounds.start_row
        if bounds.start_col:
            data["startColumn"] = bounds.start_col
        if by_row:
            rows: list[dict[str, Any]] = []
            for r in range(bounds.start_row, max(by_row) + 1):
                row = by_row.get(r)
                if not row:
                    rows.append({})
                    continue
                rows.append(
                    {
                        "values": [
                            self.cell_resource(row.get(c))
                            for c in range(bounds.start_col, max(row) + 1)
                        ]
                    }
                )
            data["rowData"] = rows
        data["rowMetadata"] = [
            self._dimension_resource(sheet, "ROWS", r, sheet.row_props.get(r), DEFAULT_ROW_PIXELS)
            for r in range(bounds.start_row, bounds.end_row)
        ]
        data["columnMetadata"] = [
            self._dimension_resource(
                sheet, "COLUMNS", c, sheet.col_props.get(c), DEFAULT_COLUMN_PIXELS
            )
            for c in range(bounds.start_col, bounds.end_col)
        ]
        return data

    def _dimension_resource(
        self, sheet: Sheet, dimension: str, index: int, props: dict[str, Any] | None, size: int
    ) -> dict[str, Any]:
        out = {"pixelSize": size, **copy.deepcopy(props or {})}
        attached = [
            copy.deepcopy(md)
            for md in self.developer_metadata
            if (dr := md["location"].get("dimensionRange"))
            and dr["sheetId"] == sheet.sheet_id
            and dr["dimension"] == dimension
            and dr["startIndex"] == index
        ]
        if attached:
            out["developerMetadata"] = attached
        return out

    def cell_resource(self, cell: dict[str, Any] | None) -> dict[str, Any]:
        """``CellData`` as Google returns it, with effective and formatted values."""
        if not cell:
            return {}
        out: dict[str, Any] = {}
        entered = cell.get("userEnteredValue")
        if entered:
            out["userEnteredValue"] = _json_numbers(entered)
            out["effectiveValue"] = _json_numbers(render.effective_value(entered))
            out["formattedValue"] = render.formatted_value(cell, self.locale)
        fmt = cell.get("userEnteredFormat")
        if fmt:
            out["userEnteredFormat"] = with_color_styles(fmt)
        if entered or fmt:
            base = self.properties.get("defaultFormat", DEFAULT_FORMAT)
            out["effectiveFormat"] = with_color_styles(deep_merge(base, fmt or {}))
        if "note" in cell:
            out["note"] = cell["note"]
        if "dataValidation" in cell:
            out["dataValidation"] = copy.deepcopy(cell["dataValidation"])
        return out


def _json_numbers(value: dict[str, Any]) -> dict[str, Any]:
    if "numberValue" in value:
        return {**value, "numberValue": render.json_number(value["numberValue"])}
    return dict(value)


class IdMaker:
    """Random ids in Google's shapes, from one seedable generator."""

    def __init__(self, seed: int | None = None) -> None:
        self._random = random.Random(seed)

    def spreadsheet_id(self) -> str:
        return "1" + "".join(self._random.choice(_ID_CHARS) for _ in range(43))

    def small_id(self, taken: Iterable[int]) -> int:
        """A positive int32 not in ``taken`` (sheet, chart and metadata ids)."""
        used = set(taken)
        while True:
            candidate = self._random.randint(1, 2**31 - 1)
            if candidate not in used:
                return candidate

    def permission_id(self) -> str:
        return "".join(self._random.choice(string.digits) for _ in range(20))


def new_spreadsheet(
    ids: IdMaker,
    title: str,
    sheet_titles: Iterable[str] = ("Sheet1",),
    *,
    locale: str = "en_US",
    time_zone: str = "Etc/GMT",
    rows: int = DEFAULT_ROWS,
    columns: int = DEFAULT_COLUMNS,
) -> Spreadsheet:
    """A spreadsheet as Google creates it: the first sheet has id 0."""
    spreadsheet = Spreadsheet(
        spreadsheet_id=ids.spreadsheet_id(),
        properties={
            "title": title,
            "locale": locale,
            "autoRecalc": "ON_CHANGE",
            "timeZone": time_zone,
            "defaultFormat": copy.deepcopy(DEFAULT_FORMAT),
        },
    )
    for index, sheet_title in enumerate(sheet_titles):
        sheet_id = 0 if index == 0 else ids.small_id(s.sheet_id for s in spreadsheet.sheets)
        spreadsheet.sheets.append(new_sheet(sheet_id, sheet_title, index, rows, columns))
    return spreadsheet


def new_sheet(sheet_id: int, title: str, index: int, rows: int, columns: int) -> Sheet:
    """A GRID sheet with Google's default properties."""
    return Sheet(
        properties={
            "sheetId": sheet_id,
            "title": title,
            "index": index,
            "sheetType": "GRID",
            "gridProperties": {"rowCount": rows, "columnCount": columns},
        }
    )


def exceeds_grid(sheet: Sheet, bounds: Bounds) -> ApiError:
    """Google's 400 for a range reaching past the sheet's rows or columns."""
    area = bounds.clip(sheet.row_count, sheet.col_count)
    return invalid(
        f"Range ({format_range(sheet.title, area)}) exceeds grid limits. "
        f"Max rows: {sheet.row_count}, max columns: {sheet.col_count}"
    )


def require_found(spreadsheet: Spreadsheet | None) -> Spreadsheet:
    """404 as Google words it for an unknown spreadsheet id."""
    if spreadsheet is None:
        raise ApiError(404, "Requested entity was not found.")
    return spreadsheet


@dataclass
class Workspace:
    """Every spreadsheet the fake holds, and which ones the caller may not open."""

    spreadsheets: dict[str, Spreadsheet] = field(default_factory=dict)
    denied: set[str] = field(default_factory=set)
    ids: IdMaker = field(default_factory=IdMaker)

    def for_sheets_api(self, spreadsheet_id: str) -> Spreadsheet:
        """The spreadsheet, or the Sheets API's 404 (unknown) / 403 (not shared)."""
        spreadsheet = require_found(self.spreadsheets.get(spreadsheet_id))
        if spreadsheet_id in self.denied:
            raise ApiError(403, "The caller does not have permission")
        return spreadsheet

    def for_drive_api(self, file_id: str) -> Spreadsheet:
        """The file, or Drive's 404 (Drive hides files not shared with the caller)."""
        spreadsheet = self.spreadsheets.get(file_id)
        if spreadsheet is None or file_id in self.denied:
            raise ApiError(404, f"File not found: {file_id}.", drive_reason="notFound")
        return spreadsheet

    def add(self, spreadsheet: Spreadsheet) -> Spreadsheet:
        if not spreadsheet.permissions:
            spreadsheet.permissions.append(
                {
                    "kind": "drive#permission",
                    "id": self.ids.permission_id(),
                    "type": "user",
                    "role": "owner",
                    "emailAddress": "fakesheets@example.com",
                }
            )
        self.spreadsheets[spreadsheet.spreadsheet_id] = spreadsheet
        return spreadsheet
