"""Write the starter workbook of ``sheetcrm new``, laid out by ``templates/workbook.toml``.

The workbook is what a seller fills in by hand, so it is built to keep their data
readable: text columns are text-formatted (no lost leading zeros, no ``3-1`` turning
into a date), drop-downs suggest the words ``sheetcrm refresh`` understands, and every
header is one that :func:`sheetcrm.headers.match_field` recognises.
"""

from __future__ import annotations

import datetime as dt
import os
import secrets
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import xlsxwriter
from xlsxwriter.exceptions import FileCreateError
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from sheetcrm.errors import InvalidOption, WorkbookLocked
from sheetcrm.render_xlsx import write_sheet
from sheetcrm.resources import load_table
from sheetcrm.sample_data import CellValue, Row, SampleData, generate_sample
from sheetcrm.settings import settings_sheet
from sheetcrm.text import column_letter

Lang = Literal["ja", "en"]
LANGS: tuple[str, ...] = ("ja", "en")

#: Text is never turned into a formula, a link or a number: a customer named
#: ``=HYPERLINK(…)`` or a phone number ``0312345678`` is written exactly as given.
WORKBOOK_OPTIONS: dict[str, bool] = {
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "in_memory": True,  # no temporary files, and fixed zip timestamps for reproducible bytes
}


def new_workbook(
    path: Path | str,
    *,
    lang: Lang = "ja",
    sample: bool = False,
    today: dt.date | None = None,
    overwrite: bool = False,
) -> Path:
    """Create a fresh workbook at ``path`` (``.xlsx``) and return its path.

    ``sample=True`` fills it with made-up demo data dated up to ``today``.  The file is
    built beside the target and moved into place, so a failure never leaves half a
    workbook, and an existing file is replaced only with ``overwrite=True``.
    """
    path = Path(path)
    _check_target(path, lang, overwrite=overwrite)
    today = today or dt.date.today()
    data = generate_sample(lang, today) if sample else None
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    try:
        _write(temporary, lang, data, today)
        os.replace(temporary, path)
    except PermissionError as error:
        raise WorkbookLocked(
            f"Could not write {path.name}: it is open in another program (Excel?) or the "
            "folder is read-only. Close it and try again.",
            message_ja=f"{path.name} に書き込めませんでした。Excel などで開いているか、"
            "フォルダが読み取り専用です。閉じてからもう一度お試しください。",
        ) from error
    except (OSError, FileCreateError) as error:
        raise InvalidOption(
            f"Could not write {path.name}: {error}",
            message_ja=f"{path.name} に書き込めませんでした: {error}",
        ) from error
    finally:
        temporary.unlink(missing_ok=True)
    return path


def write_value(
    sheet: Worksheet, row: int, col: int, value: CellValue, cell_format: Format | None = None
) -> None:
    """Write one value by its Python type; ``str`` always becomes a string cell, never a formula.

    ``None`` writes nothing, so the column's own format applies when the seller types.
    """
    if value is None:
        return
    if isinstance(value, str):
        sheet.write_string(row, col, value, cell_format)
    elif isinstance(value, dt.date):
        sheet.write_datetime(row, col, value, cell_format)
    else:
        sheet.write_number(row, col, value, cell_format)


def _check_target(path: Path, lang: str, *, overwrite: bool) -> None:
    if lang not in LANGS:
        raise InvalidOption(
            f"Unknown language {lang!r}: use 'ja' or 'en'.",
            message_ja=f"言語 {lang!r} には対応していません。ja か en を指定してください。",
        )
    if path.suffix.lower() != ".xlsx":
        raise InvalidOption(
            f"The new workbook's name must end in .xlsx: {path.name}",
            message_ja=f"ファイル名の最後は .xlsx にしてください: {path.name}",
        )
    if not path.parent.is_dir():
        raise InvalidOption(
            f"The folder {path.parent} does not exist.",
            message_ja=f"フォルダ {path.parent} がありません。",
        )
    if path.is_dir() or (path.exists() and not overwrite):
        raise InvalidOption(
            f"{path.name} already exists. Choose another name, or use --overwrite to replace it.",
            message_ja=f"{path.name} はすでにあります。"
            "別の名前にするか、--overwrite で置き換えてください。",
        )


# --- building --------------------------------------------------------------------


@dataclass(frozen=True)
class _Sheet:
    """One tab of workbook.toml, resolved for a language."""

    key: str
    title: str
    spec: dict[str, Any]
    worksheet: Worksheet

    def column_of(self, field: str) -> int:
        return next(i for i, c in enumerate(self.spec["columns"]) if c["field"] == field)


def _write(target: Path, lang: str, data: SampleData | None, today: dt.date) -> None:
    spec = load_table("workbook")
    workbook = xlsxwriter.Workbook(str(target), WORKBOOK_OPTIONS)
    # A fixed "created" time keeps the bytes identical for the same day (no wall clock).
    created = dt.datetime.combine(today, dt.time())
    workbook.set_properties({**spec["properties"][lang], "created": created})
    formats = _Formats(workbook, spec, lang)
    sheets = []
    for sheet_spec in spec["sheets"]:
        worksheet = workbook.add_worksheet(sheet_spec[lang])
        worksheet.set_tab_color(sheet_spec["tab_color"])
        sheets.append(_Sheet(sheet_spec["key"], sheet_spec[lang], sheet_spec, worksheet))
    howto, tables = sheets[0], sheets[1:]
    for sheet in tables:
        rows = data.rows(sheet.key) if data else ()
        _write_table(sheet, rows, spec, lang, formats)
    _write_howto(howto.worksheet, tables, data, spec, lang, formats)
    # The seller's Settings tab: the very model a refresh would add when it is missing.
    write_sheet(workbook, settings_sheet(lang), lang)
    workbook.close()


class _Formats:
    """The workbook's cell formats, made once each (xlsxwriter keeps every one it is given)."""

    def __init__(self, workbook: xlsxwriter.Workbook, spec: dict[str, Any], lang: str) -> None:
        style = spec["style"]
        self.column = {
            kind: workbook.add_format({"num_format": number_format})
            for kind, number_format in spec["formats"][lang].items()
        }
        header = {
            "bold": True,
            "font_color": style["header_font_color"],
            "border": 1,
            "border_color": style["header_border_color"],
            "valign": "vcenter",
        }
        self.header = {
            s["key"]: workbook.add_format({**header, "bg_color": s["header_fill"]})
            for s in spec["sheets"]
            if "columns" in s
        }
        self.title = workbook.add_format({"bold": True, "font_size": style["howto_title_size"]})
        self.heading = workbook.add_format(
            {"bold": True, "bg_color": style["howto_heading_fill"], "bottom": 1}
        )
        self.label = workbook.add_format({"bold": True, "valign": "top"})
        self.link = workbook.add_format(
            {"bold": True, "valign": "top", "font_color": "blue", "underline": 1}
        )
        self.text = workbook.add_format({"text_wrap": True, "valign": "top"})


def _write_table(
    sheet: _Sheet, rows: tuple[Row, ...], spec: dict[str, Any], lang: str, formats: _Formats
) -> None:
    """Header row, column formats and drop-downs, then the sample rows if any."""
    ws = sheet.worksheet
    columns = sheet.spec["columns"]
    last_row = spec["validation_last_row"] - 1  # 0-based
    ws.set_row(0, 20)
    for col, column in enumerate(columns):
        header = column[lang]
        column_format = formats.column[column["kind"]]
        # Room for the header and its filter button; Japanese characters are two wide.
        width = max(column["width"], _display_width(header) + 3)
        ws.set_column(col, col, width, column_format)
        ws.write_string(0, col, header, formats.header[sheet.key])
        if "choices" in column:
            ws.data_validation(1, col, last_row, col, _drop_down(column, spec, lang))
        for row, values in enumerate(rows, start=1):
            write_value(ws, row, col, values.get(column["field"]), column_format)
    ws.freeze_panes(1, 0)
    # The filter spans the drop-down rows too, so rows the seller adds are filtered as well.
    ws.autofilter(0, 0, max(last_row, len(rows)), len(columns) - 1)


def _drop_down(column: dict[str, Any], spec: dict[str, Any], lang: str) -> dict[str, Any]:
    """A list validation that warns, but lets a seller keep their own word."""
    messages = spec["validation"][lang]
    return {
        "validate": "list",
        "source": spec["choices"][column["choices"]][lang],
        "input_title": column[lang][:32],  # Excel's limit
        "input_message": messages["input_message"],
        "error_type": "warning",
        "error_title": messages["error_title"],
        "error_message": messages["error_message"],
    }


def _write_howto(
    ws: Worksheet,
    tables: list[_Sheet],
    data: SampleData | None,
    spec: dict[str, Any],
    lang: str,
    formats: _Formats,
) -> None:
    """Plain-words help: the tabs, each column and its choices, refresh, tips, sample slips.

    At most one cell per row is a recognisable header, so no reader mistakes this tab
    for a table.
    """
    text = spec["howto"][lang]
    ws.hide_gridlines(2)
    ws.set_column(0, 0, 24)
    ws.set_column(1, 1, 100)
    lines = _Lines(ws, formats)
    lines.title(text["title"])
    lines.paragraphs(text["intro"])

    lines.heading(text["tabs_heading"])
    for sheet in tables:
        lines.link(sheet.title, f"internal:'{sheet.title}'!A1", sheet.spec[f"about_{lang}"])

    for sheet in tables:
        lines.heading(text["columns_heading"].format(sheet=sheet.title))
        for column in sheet.spec["columns"]:
            help_text = column[f"help_{lang}"]
            if "choices" in column:
                values = spec["choices"][column["choices"]][lang]
                help_text += f"\n{text['choices_label']}{' / '.join(values)}"
            lines.item(column[lang], help_text)

    lines.heading(text["refresh_heading"])
    lines.paragraphs(text["refresh"])
    lines.heading(text["tips_heading"])
    lines.paragraphs([f"・{tip}" for tip in text["tips"]])

    if data is not None:
        lines.heading(text["sample_heading"])
        lines.paragraphs([p.format(count=len(data.quirks)) for p in text["sample"]])
        descriptions = spec["howto"]["quirks"][lang]
        by_key = {sheet.key: sheet for sheet in tables}
        for quirk in data.quirks:
            sheet = by_key[quirk.sheet]
            cell = f"{column_letter(sheet.column_of(quirk.field))}{quirk.row + 2}"
            label = text["location"].format(sheet=sheet.title, cell=cell)
            target = f"internal:'{sheet.title}'!{cell}"
            lines.link(label, target, descriptions[quirk.kind].format(value=quirk.value))


class _Lines:
    """Writes the How-to tab top to bottom: a label in column A, text in column B."""

    def __init__(self, ws: Worksheet, formats: _Formats) -> None:
        self.ws, self.formats, self.row = ws, formats, 0

    def title(self, text: str) -> None:
        self.ws.set_row(self.row, 28)
        self.ws.write_string(self.row, 0, text, self.formats.title)
        self.row += 2

    def heading(self, text: str) -> None:
        self.row += 1
        self.ws.write_string(self.row, 0, text, self.formats.heading)
        self.ws.write_blank(self.row, 1, None, self.formats.heading)
        self.row += 1

    def paragraphs(self, texts: list[str]) -> None:
        for text in texts:
            self.ws.write_string(self.row, 1, text, self.formats.text)
            self.row += 1

    def item(self, label: str, text: str) -> None:
        self.ws.write_string(self.row, 0, label, self.formats.label)
        self.ws.write_string(self.row, 1, text, self.formats.text)
        self.row += 1

    def link(self, label: str, target: str, text: str) -> None:
        self.ws.write_url(self.row, 0, target, self.formats.link, string=label)
        self.ws.write_string(self.row, 1, text, self.formats.text)
        self.row += 1


def _display_width(text: str) -> int:
    """Column width a text needs: wide (CJK) characters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)
