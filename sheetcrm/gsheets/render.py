"""Render an :class:`~sheetcrm.output_model.OutputWorkbook` as Google Sheets requests.

Usage::

    tabs = render_tabs(output_workbook)        # one TabContent per SheetModel
    tab.rows                                    # RowData JSON, one per grid row from A1
    tab.decorations(sheet_id)                   # formats, filter, colours, drop-downs, charts

The layout mirrors :mod:`sheetcrm.render_xlsx` so both backends look alike: tables
stacked from A1 (caption line, header row, data rows, one blank row between), the rows
down to the first table's header frozen, a filter over the first table, the 3-colour
scale on the recency column, native charts to the right of the widest table, one below
the other, and the same widths, number formats, header colours and tab colours.

The grid is sized to the content (plus one blank row, and room for charts), which keeps
the spreadsheet far from Google's 10-million-cell limit.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from sheetcrm.gsheets import formats
from sheetcrm.gsheets.cells import EMPTY, ColumnCells, column_cells, single
from sheetcrm.gsheets.fingerprint import fingerprint
from sheetcrm.layout import Placement, place_tables
from sheetcrm.output_model import Chart, OutputWorkbook, SheetModel, Table
from sheetcrm.xlsx_formats import fitted_width

_WIDTH_SAMPLE = 200  # values looked at when fitting a column's width (as render_xlsx)
_CHART_TYPES = {"bar": "BAR", "column": "COLUMN", "line": "LINE"}
_CHART_COLUMNS = 1 + math.ceil(formats.CHART_WIDTH_PX / formats.COLUMN_WIDTH_PX)


@dataclass(frozen=True)
class _ColumnLook:
    number_format: dict[str, str] | None
    align_left: bool
    choices: tuple[str, ...]


@dataclass(frozen=True)
class TabContent:
    """One generated tab, ready to write: cell JSON by grid row, size, fingerprint, looks."""

    key: str
    title: str
    rows: tuple[str, ...]  # RowData JSON per grid row, from row 0
    row_count: int
    column_count: int
    frozen_rows: int
    hidden: bool
    tab_color: str | None
    fingerprint: str
    free_columns: tuple[int, ...]
    truncated: int
    sheet: SheetModel = field(repr=False)
    placements: tuple[Placement, ...] = field(repr=False)
    looks: tuple[tuple[_ColumnLook, ...], ...] = field(repr=False)
    widths: tuple[int, ...] = field(repr=False)

    @property
    def cells(self) -> int:
        """Grid cells the tab occupies (what counts toward Google's 10-million limit)."""
        return self.row_count * self.column_count

    def properties(self, sheet_id: int) -> dict[str, Any]:
        """``SheetProperties`` for addSheet / updateSheetProperties."""
        props: dict[str, Any] = {
            "sheetId": sheet_id,
            "title": self.title,
            "gridProperties": {
                "rowCount": self.row_count,
                "columnCount": self.column_count,
                "frozenRowCount": self.frozen_rows,
                "frozenColumnCount": 0,
            },
            "hidden": self.hidden,
        }
        if self.tab_color:
            props["tabColorStyle"] = formats.color_style(self.tab_color)
        return props

    def decorations(self, sheet_id: int) -> list[dict[str, Any]]:
        """Every request after the values: formats, widths, filter, colour scale,
        drop-downs and charts, addressed to ``sheet_id``."""
        out: list[dict[str, Any]] = []
        for table, placement, looks in zip(
            self.sheet.tables, self.placements, self.looks, strict=True
        ):
            out += _table_formats(sheet_id, table, placement, looks)
        out += _widths(sheet_id, self.widths)
        if self.sheet.tables:
            first, placement = self.sheet.tables[0], self.placements[0]
            if first.autofilter and placement.n_rows and first.columns:
                area = _grid(
                    sheet_id, placement.header_row, placement.end_row, 0, len(first.columns)
                )
                out.append({"setBasicFilter": {"filter": {"range": area}}})
        for index, (chart, anchor) in enumerate(self._charts()):
            out.append(_chart(sheet_id, self.sheet, self.placements, chart, anchor, index))
        return out

    def _charts(self) -> list[tuple[Chart, tuple[int, int]]]:
        if not self.sheet.tables:
            return []
        anchor = (self.placements[0].first_data_row, _content_width(self.sheet) + 1)
        return [
            (chart, anchor)
            for chart in self.sheet.charts
            if self.placements[chart.table_index].n_rows
        ]


def render_tabs(model: OutputWorkbook) -> list[TabContent]:
    """Every sheet model of ``model`` as a :class:`TabContent`, in order."""
    titles = [sheet.title.casefold() for sheet in model.sheets]
    if len(set(titles)) != len(titles):
        raise ValueError("two sheets have the same title")
    return [render_tab(sheet, model.lang, model.currency) for sheet in model.sheets]


def render_tab(sheet: SheetModel, lang: str, currency: str = "JPY") -> TabContent:
    """One sheet model as cell JSON, canonical rows and looks."""
    placements = place_tables(sheet.tables)
    width = _content_width(sheet)
    used_rows = placements[-1].end_row if placements else 0
    json_rows: list[str] = [EMPTY] * used_rows
    canonical_rows: list[Sequence[str]] = [()] * used_rows
    looks, truncated = [], 0
    free = sorted(
        {i for table in sheet.tables for i, column in enumerate(table.columns) if column.choices}
    )
    for table, placement in zip(sheet.tables, placements, strict=True):
        missing = [c.key for c in table.columns if c.key not in table.rows.columns]
        if missing:
            raise ValueError(f"sheet {sheet.key!r}: columns {missing} are missing from rows")
        if placement.caption_row is not None:
            cell, key = single(table.caption or "")
            json_rows[placement.caption_row] = _row_json([cell])
            canonical_rows[placement.caption_row] = (key,)
        header = [single(column.title) for column in table.columns]
        json_rows[placement.header_row] = _row_json([cell for cell, _ in header])
        canonical_rows[placement.header_row] = tuple(key for _, key in header)
        data = [column_cells(table.rows[column.key]) for column in table.columns]
        truncated += sum(d.truncated for d in data)
        start = placement.first_data_row
        json_rows[start : placement.end_row] = _rows_json(data, placement.n_rows)
        canonical_rows[start : placement.end_row] = _rows_canonical(data, placement.n_rows)
        looks.append(
            tuple(
                _look(column.kind, d, column.choices, lang, currency)
                for column, d in zip(table.columns, data, strict=True)
            )
        )
    row_count, column_count = _grid_size(sheet, placements, used_rows, width)
    frozen = placements[0].first_data_row if sheet.freeze_header and placements else 0
    return TabContent(
        key=sheet.key,
        title=sheet.title,
        rows=tuple(json_rows),
        row_count=row_count,
        column_count=column_count,
        frozen_rows=frozen,
        hidden=sheet.hidden,
        tab_color=sheet.tab_color,
        fingerprint=fingerprint(canonical_rows, free),
        free_columns=tuple(free),
        truncated=truncated,
        sheet=sheet,
        placements=tuple(placements),
        looks=tuple(looks),
        widths=_column_widths(sheet, width),
    )


# --- cells -------------------------------------------------------------------------


def _row_json(cells: Sequence[str]) -> str:
    cells = list(cells)
    while cells and cells[-1] == EMPTY:
        cells.pop()
    return '{"values":[' + ",".join(cells) + "]}" if cells else EMPTY


def _rows_json(data: list[ColumnCells], n_rows: int) -> list[str]:
    if not data:
        return [EMPTY] * n_rows
    return [_row_json(cells) for cells in zip(*(d.json for d in data), strict=True)]


def _rows_canonical(data: list[ColumnCells], n_rows: int) -> list[Sequence[str]]:
    if not data:
        return [()] * n_rows
    return list(zip(*(d.canonical for d in data), strict=True))


# --- looks -------------------------------------------------------------------------


def _look(
    kind: str, data: ColumnCells, choices: tuple[str, ...], lang: str, currency: str
) -> _ColumnLook:
    # As in render_xlsx, a column holding dates shows them as dates whatever its kind.
    number = formats.number_format("date" if data.is_date else kind, lang, currency)
    return _ColumnLook(number, kind == "text" and not data.is_date, choices)


def _content_width(sheet: SheetModel) -> int:
    return max((len(table.columns) for table in sheet.tables), default=0)


def _grid_size(
    sheet: SheetModel, placements: list[Placement], used_rows: int, width: int
) -> tuple[int, int]:
    """Rows: the content and one blank row (freezing needs a row below); columns: the
    widest table, plus room for charts to its right."""
    rows, columns = used_rows + 1, max(width, 1)
    charted = [c for c in sheet.charts if placements and placements[c.table_index].n_rows]
    if charted:
        columns = width + 1 + _CHART_COLUMNS
        height = len(charted) * (formats.CHART_HEIGHT_PX + formats.CHART_GAP_PX)
        rows = max(
            rows, placements[0].first_data_row + math.ceil(height / formats.ROW_HEIGHT_PX) + 1
        )
    return rows, columns


def _column_widths(sheet: SheetModel, width: int) -> tuple[int, ...]:
    """Each column as wide as its widest table needs, as render_xlsx sizes them."""
    widths = [0.0] * width
    for table in sheet.tables:
        for col, column in enumerate(table.columns):
            fitted = column.width
            if fitted is None:
                sample = table.rows[column.key].iloc[:_WIDTH_SAMPLE].tolist()
                values = [v for v in sample if v is not None and not _is_na(v)]
                fitted = fitted_width(column.title, values, column.kind)
            widths[col] = max(widths[col], fitted)
    return tuple(formats.pixels(w) for w in widths)


def _is_na(value: Any) -> bool:
    if isinstance(value, str):
        return False
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


# --- requests ----------------------------------------------------------------------


def _grid(sheet_id: int, start_row: int, end_row: int, start_col: int, end_col: int) -> dict:
    return {
        "sheetId": sheet_id,
        "startRowIndex": start_row,
        "endRowIndex": end_row,
        "startColumnIndex": start_col,
        "endColumnIndex": end_col,
    }


def _repeat(area: dict, cell_format: dict, fields: str) -> dict:
    return {
        "repeatCell": {"range": area, "cell": {"userEnteredFormat": cell_format}, "fields": fields}
    }


def _table_formats(
    sheet_id: int, table: Table, placement: Placement, looks: tuple[_ColumnLook, ...]
) -> list[dict]:
    out = []
    n_columns = len(table.columns)
    if placement.caption_row is not None:
        row = placement.caption_row
        area = _grid(sheet_id, row, row + 1, 0, 1)
        out.append(_repeat(area, formats.CAPTION_FORMAT, formats.CAPTION_FIELDS))
    if n_columns:
        area = _grid(sheet_id, placement.header_row, placement.header_row + 1, 0, n_columns)
        out.append(_repeat(area, formats.header_format(), formats.HEADER_FIELDS))
    if not placement.n_rows:
        return out
    first, end = placement.first_data_row, placement.end_row
    # One repeatCell per run of neighbouring columns that look the same.
    col = 0
    while col < n_columns:
        look, run = looks[col], col + 1
        while run < n_columns and (looks[run].number_format, looks[run].align_left) == (
            look.number_format,
            look.align_left,
        ):
            run += 1
        cell_format: dict[str, Any] = {}
        if look.number_format:
            cell_format["numberFormat"] = look.number_format
        if look.align_left:
            cell_format["horizontalAlignment"] = "LEFT"
        if cell_format:
            fields = "userEnteredFormat(" + ",".join(cell_format) + ")"
            out.append(_repeat(_grid(sheet_id, first, end, col, run), cell_format, fields))
        col = run
    if table.recency_column is not None:
        keys = [c.key for c in table.columns]
        rc = keys.index(table.recency_column)
        rule = {
            "ranges": [_grid(sheet_id, first, end, rc, rc + 1)],
            "gradientRule": formats.recency_gradient(),
        }
        out.append({"addConditionalFormatRule": {"rule": rule, "index": 0}})
    for col, look in enumerate(looks):
        if look.choices:
            condition = {
                "type": "ONE_OF_LIST",
                "values": [{"userEnteredValue": choice} for choice in look.choices],
            }
            rule = {"condition": condition, "strict": False, "showCustomUi": True}
            area = _grid(sheet_id, first, end, col, col + 1)
            out.append({"setDataValidation": {"range": area, "rule": rule}})
    return out


def _widths(sheet_id: int, widths: Sequence[int]) -> list[dict]:
    out, col = [], 0
    while col < len(widths):
        run = col + 1
        while run < len(widths) and widths[run] == widths[col]:
            run += 1
        out.append(
            {
                "updateDimensionProperties": {
                    "range": {
                        "sheetId": sheet_id,
                        "dimension": "COLUMNS",
                        "startIndex": col,
                        "endIndex": run,
                    },
                    "properties": {"pixelSize": widths[col]},
                    "fields": "pixelSize",
                }
            }
        )
        col = run
    return out


def _chart(
    sheet_id: int,
    sheet: SheetModel,
    placements: Sequence[Placement],
    chart: Chart,
    anchor: tuple[int, int],
    index: int,
) -> dict:
    """A native chart like render_xlsx's: one series per value column, no legend for one."""
    table = sheet.tables[chart.table_index]
    placement = placements[chart.table_index]
    keys = [c.key for c in table.columns]

    def source(key: str, with_header: bool) -> dict:
        col = keys.index(key)
        start = placement.header_row if with_header else placement.first_data_row
        return {
            "sourceRange": {"sources": [_grid(sheet_id, start, placement.end_row, col, col + 1)]}
        }

    if chart.kind == "pie":
        spec: dict[str, Any] = {
            "pieChart": {
                "legendPosition": "RIGHT_LEGEND",
                "domain": source(chart.category_column, False),
                "series": source(chart.value_columns[0], False),
            }
        }
    else:
        value_axis = "BOTTOM_AXIS" if chart.kind == "bar" else "LEFT_AXIS"
        spec = {
            "basicChart": {
                "chartType": _CHART_TYPES[chart.kind],
                "legendPosition": "NO_LEGEND" if len(chart.value_columns) == 1 else "BOTTOM_LEGEND",
                "axis": [{"position": "BOTTOM_AXIS"}, {"position": "LEFT_AXIS"}],
                "domains": [{"domain": source(chart.category_column, True)}],
                "series": [
                    {"series": source(key, True), "targetAxis": value_axis}
                    for key in chart.value_columns
                ],
                "headerCount": 1,
            }
        }
    if chart.title:
        spec["title"] = chart.title
    offset = index * (formats.CHART_HEIGHT_PX + formats.CHART_GAP_PX)
    position = {
        "overlayPosition": {
            "anchorCell": {"sheetId": sheet_id, "rowIndex": anchor[0], "columnIndex": anchor[1]},
            "offsetYPixels": offset,
            "widthPixels": formats.CHART_WIDTH_PX,
            "heightPixels": formats.CHART_HEIGHT_PX,
        }
    }
    return {"addChart": {"chart": {"spec": spec, "position": position}}}
