"""Read and write :class:`~sheetcrm.gsheets.plain_tabs.PlainTab` tabs as .xlsx files.

Reading streams the values with openpyxl's read-only mode (a 100,000-row sales log
stays small in memory); frozen rows, column widths and list drop-downs need the full
object model, so they are read only from workbooks up to :data:`EXTRAS_MAX_BYTES`.
Writing uses xlsxwriter with every string written as a string (never a formula, link
or number) and is atomic: the file appears complete or not at all.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
from collections.abc import Iterable
from pathlib import Path

from sheetcrm.gsheets.formats import pixels
from sheetcrm.gsheets.plain_tabs import DropDown, PlainTab, Value
from sheetcrm.package.plan import fold, unique_title

EXTRAS_MAX_BYTES = 20 * 1024 * 1024
EXCEL_MAX_ROWS = 1_048_576
EXCEL_MAX_TEXT = 32_767
_LIST_MAX_CHARS = 255  # Excel's limit for an inline drop-down list


def read_xlsx_tabs(path: Path, *, skip: Iterable[str] = ()) -> list[PlainTab]:
    """The tabs of ``path`` (except the titles in ``skip``) as plain typed values."""
    from openpyxl import load_workbook

    skipped = set(skip)
    extras = _extras(path, skipped) if path.stat().st_size <= EXTRAS_MAX_BYTES else {}
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        tabs = []
        for sheet in workbook.worksheets:
            if sheet.title in skipped:
                continue
            rows: list[list[Value]] = [list(row) for row in sheet.iter_rows(values_only=True)]
            while rows and all(v is None or v == "" for v in rows[-1]):
                rows.pop()
            for row in rows:
                while row and (row[-1] is None or row[-1] == ""):
                    row.pop()
            base = extras.get(sheet.title) or PlainTab(sheet.title, [])
            tabs.append(
                PlainTab(
                    title=sheet.title,
                    rows=rows,
                    hidden=base.hidden or getattr(sheet, "sheet_state", "visible") != "visible",
                    frozen_rows=base.frozen_rows,
                    frozen_columns=base.frozen_columns,
                    widths=base.widths,
                    drop_downs=base.drop_downs,
                )
            )
        return tabs
    finally:
        workbook.close()


def _extras(path: Path, skipped: set[str]) -> dict[str, PlainTab]:
    """Frozen panes, widths, hidden state and list drop-downs, by tab title."""
    from openpyxl import load_workbook
    from openpyxl.utils.cell import (
        column_index_from_string,
        coordinate_from_string,
        range_boundaries,
    )

    workbook = load_workbook(path, data_only=True)
    out = {}
    for sheet in workbook.worksheets:
        if sheet.title in skipped:
            continue
        frozen_rows = frozen_columns = 0
        if sheet.freeze_panes:
            letters, row = coordinate_from_string(sheet.freeze_panes)
            frozen_rows, frozen_columns = row - 1, column_index_from_string(letters) - 1
        widths = {}
        for dimension in sheet.column_dimensions.values():
            if dimension.width and dimension.customWidth:
                for index in range(dimension.min or 1, (dimension.max or dimension.min or 1) + 1):
                    if index <= 200:
                        widths[index - 1] = pixels(dimension.width)
        drops = []
        for validation in sheet.data_validations.dataValidation:
            formula = validation.formula1 or ""
            if validation.type != "list" or not formula.startswith('"'):
                continue  # lists from cell ranges and other rules are not carried
            choices = tuple(c.strip() for c in formula.strip('"').split(",") if c.strip())
            for bounds in str(validation.sqref).split():
                min_col, min_row, max_col, max_row = range_boundaries(bounds)
                drops.append(
                    DropDown(
                        min_row - 1,
                        max_row,
                        min_col - 1,
                        max_col,
                        choices,
                        strict=validation.errorStyle in (None, "stop"),
                    )
                )
        out[sheet.title] = PlainTab(
            sheet.title,
            [],
            hidden=sheet.sheet_state != "visible",
            frozen_rows=frozen_rows,
            frozen_columns=frozen_columns,
            widths=widths,
            drop_downs=tuple(drops),
        )
    workbook.close()
    return out


def write_xlsx_tabs(path: Path, tabs: list[PlainTab]) -> list[str]:
    """Write ``tabs`` to a new .xlsx at ``path`` (atomically); returns the tab titles used.

    Titles Excel cannot take (over 31 characters, ``[]:*?/\\``) are adjusted.
    """
    import xlsxwriter

    from sheetcrm.outputs import safe_title

    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    options = {
        "strings_to_formulas": False,
        "strings_to_urls": False,
        "strings_to_numbers": False,
        "constant_memory": True,
    }
    titles: list[str] = []
    # Excel needs one visible tab; a spreadsheet whose visible tabs were all ours has none.
    show_first = bool(tabs) and all(tab.hidden for tab in tabs)
    try:
        workbook = xlsxwriter.Workbook(str(temporary), options)
        date_format = workbook.add_format({"num_format": "yyyy/mm/dd"})
        stamp_format = workbook.add_format({"num_format": "yyyy/mm/dd hh:mm:ss"})
        time_format = workbook.add_format({"num_format": "hh:mm:ss"})
        taken: set[str] = set()
        for tab in tabs:
            if len(tab.rows) > EXCEL_MAX_ROWS:
                raise ValueError(f"'{tab.title}' has more rows than Excel allows")
            title = unique_title(safe_title(tab.title), taken)
            taken.add(fold(title))
            titles.append(title)
            sheet = workbook.add_worksheet(title)
            for column, width in tab.widths.items():
                sheet.set_column(column, column, max((width - 5) / 7, 1))
            for r, row in enumerate(tab.rows):
                for c, value in enumerate(row):
                    _write(sheet, r, c, value, date_format, stamp_format, time_format)
            if tab.frozen_rows or tab.frozen_columns:
                sheet.freeze_panes(tab.frozen_rows, tab.frozen_columns)
            for drop in tab.drop_downs:
                if drop.choices and len(",".join(drop.choices)) <= _LIST_MAX_CHARS:
                    sheet.data_validation(
                        drop.first_row,
                        drop.first_column,
                        drop.end_row - 1,
                        drop.end_column - 1,
                        {
                            "validate": "list",
                            "source": list(drop.choices),
                            "error_type": "stop" if drop.strict else "warning",
                        },
                    )
            if tab.hidden and not (show_first and tab is tabs[0]):
                sheet.hide()
        workbook.close()
        os.replace(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)
    return titles


def _write(sheet, row: int, col: int, value: Value, date_format, stamp_format, time_format) -> None:
    if value is None or value == "":
        return
    if isinstance(value, bool):
        sheet.write_boolean(row, col, value)
    elif isinstance(value, int | float):
        sheet.write_number(row, col, value)
    elif isinstance(value, dt.datetime):
        sheet.write_datetime(row, col, value, stamp_format)
    elif isinstance(value, dt.date):
        sheet.write_datetime(row, col, value, date_format)
    elif isinstance(value, dt.time):
        sheet.write_datetime(row, col, value, time_format)
    else:
        text = str(value)
        if len(text) > EXCEL_MAX_TEXT:
            text = text[: EXCEL_MAX_TEXT - 1] + "…"
        sheet.write_string(row, col, text)
