"""Render an :class:`~sheetcrm.output_model.OutputWorkbook` to a standalone .xlsx file.

Usage::

    from sheetcrm.render_xlsx import render_xlsx

    render_xlsx(output_workbook, Path("generated.xlsx"))

Each :class:`~sheetcrm.output_model.SheetModel` becomes one worksheet, in order.  Its
tables are stacked from A1 down (caption line, header row, data rows, one blank row
between tables); charts sit to the right of the widest table, one below the other.

The file is written by xlsxwriter in ``constant_memory`` mode: rows stream to disk top
to bottom, so memory stays flat for 100,000-row tables, and every string is an inline
string (no shared-string table), which lets the package grafter copy the sheets into
the seller's workbook unchanged.  Table bodies are built column-wise by
:mod:`sheetcrm.xlsx_rows` and streamed into xlsxwriter's row file; xlsxwriter writes
everything else (headers, captions, formats, widths, validations, charts).

Values are written by their Python type and never parsed: a ``str`` is always a text
cell, so a customer named ``=HYPERLINK(…)`` stays a name and never becomes a formula.
"""

from __future__ import annotations

import datetime as dt
import math
import numbers
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from functools import partial
from itertools import count
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import xlsxwriter
from xlsxwriter.chart import Chart as XlsxChart
from xlsxwriter.format import Format
from xlsxwriter.workbook import Workbook
from xlsxwriter.worksheet import Worksheet

from sheetcrm.layout import Placement, place_tables, typed_column
from sheetcrm.output_model import Chart, Column, OutputWorkbook, SheetModel, Table
from sheetcrm.package.sheetstream import BodyWriter
from sheetcrm.xlsx_formats import (
    CAPTION_STYLE,
    HEADER_STYLE,
    HEAT_SCALE,
    NUMBER_FORMATS,
    RECENCY_SCALE,
    TEXT_STYLE,
    fitted_width,
    number_format,
)
from sheetcrm.xlsx_rows import (
    EXCEL_MAX_TEXT,
    BodyColumn,
    CellLayer,
    body_xml,
    restyled,
    truncate_text,
)

__all__ = ["render_xlsx", "write_sheet"]

_WORKBOOK_OPTIONS: dict[str, Any] = {
    # Inline strings for the grafter, flat memory for big tables.
    "constant_memory": True,
    # Text is data: never turn a str into a formula, a hyperlink or a number.
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "nan_inf_to_errors": False,
}

EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_COLS = 16_384
_CHART_KINDS = frozenset({"bar", "column", "line", "pie"})
_CHART_HEIGHT_PX = 288  # xlsxwriter's default chart size is 480 x 288 pixels
_CHART_GAP_PX = 20
_CHUNK_ROWS = 8_192  # rows converted to Python objects at a time
_WIDTH_SAMPLE = 200  # values looked at when fitting a column's width

# Excel serial day 1 is 1900-01-01; it also counts the non-existent 1900-02-29 (a Lotus
# 1-2-3 bug it kept), so serials after day 59 are one higher.
_EXCEL_EPOCH = pd.Timestamp("1899-12-31")
_ONE_DAY = pd.Timedelta(days=1)

# xlsxwriter reads a chart title shaped like ``Sheet!A1`` as a cell reference.
_LOOKS_LIKE_REFERENCE = re.compile(r"^=?[^!]+!\$?[A-Z]+\$?\d+")
_ESCAPE_LIKE = re.compile(r"(?<=_)(?=x[0-9A-Fa-f]{4}_)")

#: Extra rows below a table that keep its drop-downs (for rows the seller adds).
_SPARE_CHOICE_ROWS = 200


def render_xlsx(
    model: OutputWorkbook,
    path: Path,
    *,
    tmpdir: Path | None = None,
    defer_bodies: bool = False,
) -> dict[str, tuple[BodyWriter, ...]]:
    """Write ``model`` to a new .xlsx file at ``path``, one worksheet per sheet model.

    ``tmpdir`` is where xlsxwriter keeps its temporary row files (default: the
    system's); pass a private folder (:mod:`sheetcrm.scratch`), as they hold the data.

    ``defer_bodies=True`` leaves every table's data rows out of the file, with a
    ``<?sheetcrm-body N?>`` mark where they belong, and returns, by sheet key, what
    writes them: :func:`sheetcrm.package.write_generated_sheets` (``bodies=``) streams
    them straight into the seller's workbook in its own style numbering, so the rows
    are built once and compressed once.  Such a file is only for that; it is not a
    workbook on its own.  Without it, the result is empty.

    Raises ``ValueError`` when the model is inconsistent (a column key missing from its
    DataFrame, a chart naming an unknown column, two tabs with one title, more rows
    than a worksheet holds); nothing is written then.  The file only appears once it is complete.

    Cell values by type: ``str`` → text cell (never a formula; text longer than Excel's
    32,767-character limit is cut and ends with "…"); ``int``/``float``/numpy numbers
    → numbers with the column kind's format (±inf is left blank); ``bool`` → Excel
    boolean; ``Timestamp``/``datetime``/``date`` → dates with the language's date format
    (time zones are dropped, keeping the wall-clock time); timedeltas → a number of
    days; ``None``/NaN/NaT/NA → an empty cell; anything else → its ``str()`` as text.
    """
    placements = [place_tables(sheet.tables) for sheet in model.sheets]
    for sheet, sheet_placements in zip(model.sheets, placements, strict=True):
        _check_sheet(sheet, sheet_placements)
    titles = [sheet.title.lower() for sheet in model.sheets]  # Excel ignores case here
    if len(set(titles)) != len(titles):
        raise ValueError("two sheets have the same title")

    options = _WORKBOOK_OPTIONS if tmpdir is None else {**_WORKBOOK_OPTIONS, "tmpdir": str(tmpdir)}
    workbook = xlsxwriter.Workbook(str(path), options)
    styles = _Styles(workbook, model.lang, model.currency)
    bodies: dict[str, tuple[BodyWriter, ...]] = {}
    for sheet, sheet_placements in zip(model.sheets, placements, strict=True):
        writer = _SheetWriter(workbook, styles, sheet, sheet_placements, defer_bodies)
        writer.write()
        if writer.deferred:
            bodies[sheet.key] = tuple(writer.deferred)
    workbook.close()
    return bodies


def write_sheet(workbook: Workbook, sheet: SheetModel, lang: str) -> None:
    """Add one sheet model to a workbook someone else is writing (e.g. the template)."""
    placements = place_tables(sheet.tables)
    _check_sheet(sheet, placements)
    _SheetWriter(workbook, _Styles(workbook, lang), sheet, placements).write()


def _check_sheet(sheet: SheetModel, placements: list[Placement]) -> None:
    """Raise ``ValueError`` if the sheet model cannot be rendered as described."""
    where = f"sheet {sheet.key!r}"
    if placements and placements[-1].last_row >= EXCEL_MAX_ROWS:
        raise ValueError(f"{where}: its tables need more than {EXCEL_MAX_ROWS:,} rows")
    for index, table in enumerate(sheet.tables):
        if len(table.columns) > EXCEL_MAX_COLS:
            raise ValueError(f"{where}, table {index}: more than {EXCEL_MAX_COLS:,} columns")
        for column in table.columns:
            if column.kind not in NUMBER_FORMATS and column.kind != "date":
                raise ValueError(f"{where}: column {column.key!r} has unknown kind {column.kind!r}")
            matches = int((table.rows.columns == column.key).sum())
            if matches != 1:
                problem = "is missing from" if matches == 0 else "appears twice in"
                raise ValueError(f"{where}, table {index}: column {column.key!r} {problem} rows")
        keys = {column.key for column in table.columns}
        if table.recency_column is not None and table.recency_column not in keys:
            raise ValueError(
                f"{where}, table {index}: recency column {table.recency_column!r} is not a column"
            )
        order = [column.key for column in table.columns]
        if table.heat_columns:
            positions = [order.index(k) if k in keys else -1 for k in table.heat_columns]
            if -1 in positions or positions != list(range(positions[0], positions[-1] + 1)):
                raise ValueError(f"{where}, table {index}: heat columns must be adjacent columns")
    for chart in sheet.charts:
        if chart.kind not in _CHART_KINDS:
            raise ValueError(f"{where}: unknown chart kind {chart.kind!r}")
        if not 0 <= chart.table_index < len(sheet.tables):
            raise ValueError(f"{where}: chart {chart.title!r} refers to a missing table")
        if not chart.value_columns:
            raise ValueError(f"{where}: chart {chart.title!r} has no value columns")
        keys = {column.key for column in sheet.tables[chart.table_index].columns}
        for key in (chart.category_column, *chart.value_columns):
            if key not in keys:
                raise ValueError(f"{where}: chart {chart.title!r} refers to unknown column {key!r}")


class _Styles:
    """The workbook's cell formats, created once: header, caption, text and one per kind."""

    def __init__(self, workbook: Workbook, lang: str, currency: str = "JPY") -> None:
        self.header = workbook.add_format(HEADER_STYLE)
        self.caption = workbook.add_format(CAPTION_STYLE)
        self.text = workbook.add_format(TEXT_STYLE)
        self.date = workbook.add_format({"num_format": number_format("date", lang)})
        self.by_kind: dict[str, Format] = {"text": self.text, "date": self.date}
        for kind in NUMBER_FORMATS:
            num_format = number_format(kind, lang, currency)
            if num_format is not None:
                self.by_kind[kind] = workbook.add_format({"num_format": num_format})


# How a column's cells are written, decided once per column from its dtype.
_NUMBER, _DATE, _BOOLEAN, _TEXT, _ANY = "number", "date", "boolean", "text", "any"


@dataclass(frozen=True)
class _ColumnData:
    """One column ready to stream: values as an array, a missing-value mask, a write mode.

    Text stays in its pandas array until :meth:`chunk` needs it, so a 100,000-row table
    is never copied into Python objects all at once.
    """

    values: np.ndarray | pd.api.extensions.ExtensionArray
    missing: np.ndarray | None
    mode: str

    def chunk(self, start: int, stop: int) -> list[Any]:
        """Python values for rows ``start:stop``, with ``None`` for the cells to leave empty."""
        values = self.values[start:stop]
        if self.missing is None and isinstance(values, np.ndarray):
            return values.tolist()
        values = np.array(values, dtype=object)  # a copy: the caller's data stays untouched
        if self.missing is not None:
            values[self.missing[start:stop]] = None
        return values.tolist()


def _column_data(series: pd.Series) -> _ColumnData:
    """Vectorised preparation of one column: pick a write mode, find its blanks."""
    series = typed_column(series)
    kind = series.dtype.kind
    if kind == "M":
        if getattr(series.dtype, "tz", None) is not None:
            series = series.dt.tz_localize(None)
        days = ((series - _EXCEL_EPOCH) / _ONE_DAY).to_numpy(dtype="float64", na_value=np.nan)
        return _finite(_excel_serial(days), _DATE)
    if kind == "m":
        return _finite((series / _ONE_DAY).to_numpy(dtype="float64", na_value=np.nan), _NUMBER)
    if kind in "biu" and isinstance(series.dtype, np.dtype):  # numpy dtypes cannot hold NA
        return _ColumnData(series.to_numpy(), None, _BOOLEAN if kind == "b" else _NUMBER)
    if kind in "iuf":
        return _finite(series.to_numpy(dtype="float64", na_value=np.nan), _NUMBER)
    missing = series.isna().to_numpy(dtype=bool)
    mode = _TEXT if _is_plain_text(series) else _ANY
    return _ColumnData(series.array, missing if missing.any() else None, mode)


def _finite(values: np.ndarray, mode: str) -> _ColumnData:
    missing = ~np.isfinite(values)
    return _ColumnData(values, missing if missing.any() else None, mode)


def _is_plain_text(series: pd.Series) -> bool:
    """True if every value is a ``str`` that ``write_string`` can take as it is."""
    if pd.api.types.infer_dtype(series, skipna=True) != "string":
        return False
    markup_like = series.str.startswith("<r>", na=False).any()
    # Comparing with NA gives NA, which any() skips (max() would return NA).
    maybe_too_long = (series.str.len() > EXCEL_MAX_TEXT // 2).any()
    return not (markup_like or maybe_too_long)


def _literal_fragments(text: str) -> list[str]:
    """Split text shaped like ``<r>…</r>`` into pieces xlsxwriter will escape.

    In constant_memory mode xlsxwriter writes any string that starts with ``<r>`` and
    ends with ``</r>`` into the XML *unescaped*, as rich-text markup, so such text
    could corrupt the file.  Written as a rich string of several plain runs it is
    escaped and reads back unchanged.  Splitting before the ``x`` of ``_xHHHH_``
    keeps those literal sequences from being escaped twice (control characters in
    such text still are: they read back as ``_x0001_`` style text).
    """
    return [text[:1], text[1:2], *_ESCAPE_LIKE.split(text[2:])]


def _chart_title(title: str) -> str:
    # A zero-width space after "!" keeps a title like "要注意!A1" literal text.
    if _LOOKS_LIKE_REFERENCE.match(title):
        return title.replace("!", "!\u200b")
    return title


class _SheetWriter:
    """Writes one sheet model into a new worksheet, rows strictly top to bottom."""

    def __init__(
        self,
        workbook: Workbook,
        styles: _Styles,
        sheet: SheetModel,
        placements: list[Placement],
        defer_bodies: bool = False,
    ) -> None:
        self.workbook = workbook
        self.styles = styles
        self.sheet = sheet
        self.placements = placements
        self.ws: Worksheet = workbook.add_worksheet(sheet.title)
        self.defer_bodies = defer_bodies
        self.deferred: list[BodyWriter] = []  # the bodies left out, in order of their marks

    def write(self) -> None:
        sheet, ws = self.sheet, self.ws
        for table, placement in zip(sheet.tables, self.placements, strict=True):
            self._write_table(table, placement)
        self._set_widths()
        if sheet.tables:
            first, placement = sheet.tables[0], self.placements[0]
            if sheet.freeze_header:
                ws.freeze_panes(placement.first_data_row, 0)
            if first.autofilter and placement.n_rows and first.columns:
                ws.autofilter(placement.header_row, 0, placement.last_row, len(first.columns) - 1)
        if sheet.tab_color:
            ws.set_tab_color(sheet.tab_color)
        if sheet.hidden:
            ws.hide()
        self._add_charts()

    # -- cells -----------------------------------------------------------------------

    def _write_table(self, table: Table, placement: Placement) -> None:
        styles, ws = self.styles, self.ws
        if placement.caption_row is not None:
            self._write_text(placement.caption_row, 0, table.caption, styles.caption)
        for col, column in enumerate(table.columns):
            self._write_text(placement.header_row, col, column.title, styles.header)

        data = [_column_data(table.rows[column.key]) for column in table.columns]
        formats = [
            self._column_format(d, column) for d, column in zip(data, table.columns, strict=True)
        ]
        if self.ws.constant_memory:
            self._stream_body(data, formats, placement)
        else:
            self._write_body_cells(data, formats, placement)

        for col, column in enumerate(table.columns):
            if column.choices:
                # Rows below the data too, so the drop-down is there for rows the seller adds.
                ws.data_validation(
                    placement.first_data_row,
                    col,
                    placement.first_data_row + max(placement.n_rows, 1) + _SPARE_CHOICE_ROWS,
                    col,
                    {
                        "validate": "list",
                        "source": list(column.choices),
                        "error_type": "warning",
                        "ignore_blank": True,
                    },
                )
        if table.heat_columns and placement.n_rows:
            keys = [column.key for column in table.columns]
            first, last = keys.index(table.heat_columns[0]), keys.index(table.heat_columns[-1])
            ws.conditional_format(
                placement.first_data_row, first, placement.last_row, last, dict(HEAT_SCALE)
            )
        if table.recency_column is not None and placement.n_rows:
            col = [column.key for column in table.columns].index(table.recency_column)
            ws.conditional_format(
                placement.first_data_row, col, placement.last_row, col, dict(RECENCY_SCALE)
            )

    def _write_text(self, row: int, col: int, text: str, cell_format: Format) -> None:
        """Write ``text`` as a literal text cell, whatever it looks like."""
        if len(text) > EXCEL_MAX_TEXT // 2:
            text = truncate_text(text)
        if text.startswith("<r>") and text.endswith("</r>"):
            fragments = _literal_fragments(text)
            tokens: list[Any] = [fragments[0]]
            for fragment in fragments[1:]:
                tokens += [cell_format, fragment]
            self.ws.write_rich_string(row, col, *tokens, cell_format)
        else:
            self.ws.write_string(row, col, text, cell_format)

    def _column_format(self, data: _ColumnData, column: Column) -> Format:
        """The format of a column's cells (text and dates have their own in mixed columns)."""
        special = {_DATE: self.styles.date, _TEXT: self.styles.text}
        return special.get(data.mode, self.styles.by_kind[column.kind])

    def _stream_body(
        self, data: list[_ColumnData], formats: list[Format], placement: Placement
    ) -> None:
        """Write the data rows as XML straight into xlsxwriter's row file (constant_memory).

        xlsxwriter writes a row out when a later row is started; this does the same for
        the rows above (the header), appends the body's rows, then moves xlsxwriter's
        row cursor and used range past them, so it goes on below as if it had written
        them itself.
        """
        if not placement.n_rows:
            return
        ws, first, last = self.ws, placement.first_data_row, placement.last_row
        columns = [
            BodyColumn(col, self._layers(column, cell_format))
            for col, (column, cell_format) in enumerate(zip(data, formats, strict=True))
        ]
        ws._write_single_row(first)
        if self.defer_bodies:
            ws.fh.write(f"<?sheetcrm-body {len(self.deferred)}?>")
            self.deferred.append(partial(_restyled_body, columns, first, placement.n_rows))
        else:
            ws.fh.flush()
            for block in body_xml(columns, first, placement.n_rows):
                ws.fh.buffer.write(block)
        ws._check_dimensions(first, 0)
        ws._check_dimensions(last, len(columns) - 1)
        ws.previous_row = last

    def _layers(self, data: _ColumnData, cell_format: Format) -> tuple[CellLayer, ...]:
        style = cell_format._get_xf_index()
        if data.mode in (_NUMBER, _DATE):
            return (CellLayer("number", style, _arrow(data.values, data.missing)),)
        if data.mode == _BOOLEAN:
            return (CellLayer("boolean", style, _arrow(data.values, data.missing)),)
        if data.mode == _TEXT:
            return (CellLayer("text", style, _arrow_text(data.values, data.missing)),)
        return self._mixed_layers(data.chunk(0, len(data.values)), cell_format)

    def _mixed_layers(self, values: list[Any], cell_format: Format) -> tuple[CellLayer, ...]:
        """A mixed column as one layer per kind of cell, each null where the others are."""
        by_kind: dict[str, list[Any]] = {}
        for row, value in enumerate(values):
            cell = None if value is None else _cell_value(value)
            if cell is not None:
                by_kind.setdefault(cell[0], [None] * len(values))[row] = cell[1]
        styles = {_TEXT: self.styles.text, _DATE: self.styles.date}
        arrow_types = {_TEXT: pa.string(), _BOOLEAN: pa.bool_()}
        return tuple(
            CellLayer(
                "text" if kind == _TEXT else "boolean" if kind == _BOOLEAN else "number",
                styles.get(kind, cell_format)._get_xf_index(),
                pa.array(cells, arrow_types.get(kind, pa.float64())),
            )
            for kind, cells in by_kind.items()
        )

    def _write_body_cells(
        self, data: list[_ColumnData], formats: list[Format], placement: Placement
    ) -> None:
        """Cell by cell through xlsxwriter, for a workbook not in constant_memory mode."""
        for start in range(0, placement.n_rows, _CHUNK_ROWS):
            stop = min(start + _CHUNK_ROWS, placement.n_rows)
            rows = zip(*(d.chunk(start, stop) for d in data), strict=True)
            for row, values in enumerate(rows, placement.first_data_row + start):
                for col, value, cell_format in zip(count(), values, formats):
                    if value is not None:
                        self._write_value(row, col, value, cell_format)

    def _write_value(self, row: int, col: int, value: Any, cell_format: Format) -> None:
        cell = _cell_value(value)
        if cell is None:
            return
        kind, payload = cell
        if kind == _TEXT:
            self._write_text(row, col, payload, self.styles.text)
        elif kind == _BOOLEAN:
            self.ws.write_boolean(row, col, payload, cell_format)
        else:
            self.ws.write_number(
                row, col, payload, self.styles.date if kind == _DATE else cell_format
            )

    # -- sheet furniture ---------------------------------------------------------------

    def _set_widths(self) -> None:
        """Each column as wide as its widest table needs.

        A ``Column.width`` is used as given; other widths are fitted to the header and
        the first values (East Asian wide characters count double), within [6, 50].
        """
        widths: dict[int, float] = {}
        for table in self.sheet.tables:
            for col, column in enumerate(table.columns):
                width = column.width
                if width is None:
                    sample = table.rows[column.key].iloc[:_WIDTH_SAMPLE]
                    values = [value for value in sample.tolist() if not _is_missing(value)]
                    width = fitted_width(column.title, values, column.kind)
                widths[col] = max(widths.get(col, 0.0), width)
        for col, width in widths.items():
            self.ws.set_column(col, col, width)

    def _add_charts(self) -> None:
        """Native charts to the right of the widest table, stacked top to bottom."""
        tables = self.sheet.tables
        if not tables:
            return
        anchor_col = max(len(table.columns) for table in tables) + 1  # one blank column
        anchor_row = self.placements[0].first_data_row  # below the frozen header
        charts = [c for c in self.sheet.charts if self.placements[c.table_index].n_rows]
        for index, spec in enumerate(charts):
            chart = self._chart(spec)
            offset = index * (_CHART_HEIGHT_PX + _CHART_GAP_PX)
            self.ws.insert_chart(anchor_row, anchor_col, chart, {"y_offset": offset})

    def _chart(self, spec: Chart) -> XlsxChart:
        table = self.sheet.tables[spec.table_index]
        placement = self.placements[spec.table_index]
        keys = [column.key for column in table.columns]
        name = self.sheet.title  # xlsxwriter quotes it in the references it builds
        first, last = placement.first_data_row, placement.last_row
        category_col = keys.index(spec.category_column)

        # In constant_memory mode xlsxwriter cannot read the cells back to fill the
        # chart's cached values, so it would cache nothing and type text categories as
        # numbers.  The *_data series options (the ones the maintainer points to in
        # XlsxWriter issue #258) hand it the values.  Excel refreshes them on open, but
        # viewers that only read the cache (previews, PowerPoint) need them.
        categories = _chart_cache(table.rows[spec.category_column])
        chart = self.workbook.add_chart({"type": spec.kind})
        for key in spec.value_columns:
            col = keys.index(key)
            chart.add_series(
                {
                    "name": [name, placement.header_row, col],
                    "name_data": [table.columns[col].title],
                    "categories": [name, first, category_col, last, category_col],
                    "categories_data": categories,
                    "values": [name, first, col, last, col],
                    "values_data": _chart_cache(table.rows[key]),
                }
            )
        if spec.title:
            chart.set_title({"name": _chart_title(spec.title)})
        if spec.kind == "bar":
            # Excel draws a bar chart's first category at the bottom; reverse the category
            # axis (a bar chart's y axis) so bars read top-down like the table, keeping
            # the value axis at the bottom.
            chart.set_y_axis({"reverse": True, "crossing": "max"})
        # A pie's legend names its slices, so only other single-series charts drop it.
        if len(spec.value_columns) == 1 and spec.kind != "pie":
            chart.set_legend({"none": True})
        return chart


def _chart_cache(series: pd.Series) -> list[Any]:
    """A column's values as a chart caches them: text, numbers (dates as serials), ``None``."""
    data = _column_data(series)
    values = data.chunk(0, len(series))
    if data.mode == _BOOLEAN:
        return [int(value) for value in values]
    if data.mode != _ANY:
        return values
    return [_cache_value(value) for value in values]


def _restyled_body(
    columns: list[BodyColumn], first_row: int, n_rows: int, style_of: Callable[[int], int]
) -> Iterator[bytes]:
    """A deferred body's rows, with its cell styles renumbered by ``style_of``."""
    return body_xml(restyled(columns, style_of), first_row, n_rows)


def _cache_value(value: Any) -> Any:
    cell = None if value is None else _cell_value(value)
    if cell is None:
        return None
    kind, payload = cell
    return int(payload) if kind == _BOOLEAN else payload


def _cell_value(value: Any) -> tuple[str, Any] | None:
    """What one value of a mixed column becomes: (text|boolean|number|date, value), or
    ``None`` for an empty cell.  Dates become Excel serials, time zones dropped (the
    wall-clock time is kept); timedeltas become days; anything unknown becomes its text.
    """
    # Order matters: bool is an int, datetime is a date.
    if isinstance(value, str):
        return _TEXT, value
    if isinstance(value, bool | np.bool_):
        return _BOOLEAN, bool(value)
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value).to_pydatetime()
    if isinstance(value, dt.date):
        if not isinstance(value, dt.datetime):
            value = dt.datetime.combine(value, dt.time())
        # Python's datetimes, not pandas': a year-1 date stays in range.
        days = (value.replace(tzinfo=None) - _EXCEL_EPOCH.to_pydatetime()) / dt.timedelta(days=1)
        return _DATE, float(_excel_serial(days))
    if isinstance(value, dt.timedelta | np.timedelta64):
        value = pd.Timedelta(value) / _ONE_DAY
    if isinstance(value, numbers.Real | Decimal):
        number = float(value)
        return (_NUMBER, number) if math.isfinite(number) else None
    return _TEXT, str(value)


def _excel_serial(days: Any) -> Any:
    """Days since 1899-12-31 (a number or an array) as Excel serials: one more after
    1900-02-28, for the 1900-02-29 Excel counts (see _EXCEL_EPOCH)."""
    return np.where(days > 59, days + 1, days)


def _arrow(values: Any, missing: np.ndarray | None) -> pa.Array:
    return pa.array(np.asarray(values), mask=missing)


def _arrow_text(values: Any, missing: np.ndarray | None) -> pa.Array:
    """A text column as an Arrow string array (no copy when pandas already holds Arrow)."""
    if isinstance(values, pd.arrays.NumpyExtensionArray):
        values = values.to_numpy()
    if isinstance(values, np.ndarray):
        return pa.array(values, type=pa.string(), mask=missing, from_pandas=True)
    array = pa.array(values, from_pandas=True)
    if isinstance(array, pa.ChunkedArray):
        array = array.combine_chunks()
    if array.type != pa.string():
        array = array.cast(pa.string())
    if missing is not None:
        array = pc.if_else(pa.array(missing), pa.nulls(len(array), pa.string()), array)
    return array


def _is_missing(value: Any) -> bool:
    if value is None or isinstance(value, str) or not pd.api.types.is_scalar(value):
        return value is None
    return bool(pd.isna(value))
