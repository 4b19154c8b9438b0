"""Table bodies streamed as XML (sheetcrm.xlsx_rows): the same cells as xlsxwriter's own.

Each check renders one model two ways and reads both back with openpyxl and calamine:
streamed (render_xlsx, constant_memory: bodies built by xlsx_rows) and cell by cell
(write_sheet into an ordinary xlsxwriter workbook, xlsxwriter's own cell writers).  The
deferred-body path (bodies written by the grafter) is compared with the streamed one.
"""

from __future__ import annotations

import datetime as dt
import math
import zipfile
from decimal import Decimal
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pytest
import xlsxwriter
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from sheetcrm.output_model import Column, OutputWorkbook, SheetModel, Table
from sheetcrm.package import write_generated_sheets
from sheetcrm.render_xlsx import render_xlsx, write_sheet
from sheetcrm.xlsx_rows import BodyColumn, CellLayer, body_xml, excel_escape

TEXTS = [
    "山田太郎",
    " padded ",
    "tab\tinside",
    "line\nbreak",
    "a_x0041_b",
    "bell\x07",
    "<r>rich</r>",
    "&amp; <b>",
    '=HYPERLINK("http://x","y")',
    "😀",
    "\u3000全角スペース\u3000",
    "",
]


def _sheet(rows: pd.DataFrame, kinds: dict[str, str]) -> SheetModel:
    columns = tuple(Column(key, key.upper(), kind) for key, kind in kinds.items())
    return SheetModel(key="t", title="T", tables=(Table(columns=columns, rows=rows),))


def _streamed(tmp_path: Path, model: SheetModel) -> Path:
    path = tmp_path / "streamed.xlsx"
    render_xlsx(OutputWorkbook("ja", (model,)), path)
    return path


def _cell_by_cell(tmp_path: Path, model: SheetModel) -> Path:
    path = tmp_path / "cells.xlsx"
    workbook = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    write_sheet(workbook, model, "ja")
    workbook.close()
    return path


def _openpyxl_cells(path: Path) -> list[tuple]:
    ws = openpyxl.load_workbook(path)["T"]
    return [
        (cell.coordinate, cell.value, cell.data_type, cell.number_format)
        for row in ws.iter_rows()
        for cell in row
        if cell.value is not None
    ]


def _calamine(path: Path) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name("T").to_python()


def _text_values(cells: list[tuple]) -> list[tuple]:
    # openpyxl leaves Excel's _xHHHH_ escapes raw in inline strings (the streamed file)
    # and decodes them in shared strings (the cell-by-cell file): compare decoded.
    return [(c[0], c[2], c[3]) if c[2] == "s" else c for c in cells]


def _rounded(cells: list) -> list:
    # xlsxwriter writes numbers with 16 significant digits; the streamed body writes the
    # shortest text that reads back as the very same double (more exact, never less).
    return [float(f"{v:.15e}") if isinstance(v, float) else v for v in cells]


def _same_cells(tmp_path: Path, model: SheetModel) -> None:
    streamed, cells = _streamed(tmp_path, model), _cell_by_cell(tmp_path, model)
    ours, theirs = (_text_values(_openpyxl_cells(p)) for p in (streamed, cells))
    assert [_rounded(c) for c in ours] == [_rounded(c) for c in theirs]
    assert [_rounded(r) for r in _calamine(streamed)] == [_rounded(r) for r in _calamine(cells)]


def test_numbers_keep_every_digit(tmp_path):
    values = [3.1229421289253036e16, 0.1 + 0.2, 1 / 3, 2.0**-1074, -1.7976931348623157e308]
    path = _streamed(tmp_path, _sheet(pd.DataFrame({"x": values}), {"x": "number"}))
    assert [row[0] for row in _calamine(path)[1:]] == values


def test_typed_columns_match_xlsxwriters_cells(tmp_path):
    rows = pd.DataFrame(
        {
            "name": TEXTS,
            "count": list(range(len(TEXTS))),
            "money": [1980.0, -300.5, np.nan, 1e20, 0.1, 5e-324, -0.0, np.inf, 2**53, 1, 2, 3],
            "flag": [True, False] * 6,
            "day": pd.to_datetime(["2024-01-05", None, "1900-02-28", "1900-03-01"] * 3),
            "share": [0.25] * 12,
        }
    )
    kinds = {"name": "text", "count": "integer", "money": "money", "flag": "text"}
    _same_cells(tmp_path, _sheet(rows, kinds | {"day": "date", "share": "percent"}))


def test_mixed_columns_match_xlsxwriters_cells(tmp_path):
    values = [
        "text",
        3,
        2.5,
        True,
        np.bool_(False),
        dt.date(2024, 2, 29),
        dt.datetime(2024, 1, 5, 13, 30, tzinfo=dt.UTC),
        np.datetime64("2023-12-24T06:00"),
        dt.timedelta(days=1, hours=12),
        Decimal("1.25"),
        None,
        math.nan,
        float("inf"),
        np.int64(7),
        ("a", "tuple"),
        "<r>x_x0041_</r>",
    ]
    rows = pd.DataFrame({"mixed": pd.Series(values, dtype=object)})
    _same_cells(tmp_path, _sheet(rows, {"mixed": "number"}))


def test_a_column_with_no_value_at_all_writes_no_cells(tmp_path):
    rows = pd.DataFrame({"a": ["x", None], "b": pd.Series([None, None], dtype=object)})
    path = _streamed(tmp_path, _sheet(rows, {"a": "text", "b": "text"}))
    assert _calamine(path) == [["A", "B"], ["x", ""]]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.one_of(st.none(), st.text(max_size=12)),
            st.one_of(st.none(), st.floats(allow_nan=True, allow_infinity=True)),
            st.one_of(st.none(), st.booleans(), st.integers(-(10**6), 10**6), st.text(max_size=5)),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_any_rows_match_xlsxwriters_cells(tmp_path, rows):
    text, number, mixed = zip(*rows, strict=True)
    frame = pd.DataFrame(
        {
            "text": pd.Series(text, dtype=object),
            "number": pd.Series(number, dtype="float64"),
            "mixed": pd.Series(mixed, dtype=object),
        }
    )
    _same_cells(tmp_path, _sheet(frame, {"text": "text", "number": "number", "mixed": "integer"}))


def test_rows_are_built_in_blocks_and_empty_rows_are_left_out():
    values = pa.array(["a", None, "c", None, None, "f", "g"])
    column = BodyColumn(1, (CellLayer("text", 4, values),))
    whole = b"".join(bytes(b) for b in body_xml([column], 9, 7, block_rows=3))
    assert whole == (
        b'<row r="10"><c r="B10" s="4" t="inlineStr"><is><t>a</t></is></c></row>'
        b'<row r="12"><c r="B12" s="4" t="inlineStr"><is><t>c</t></is></c></row>'
        b'<row r="15"><c r="B15" s="4" t="inlineStr"><is><t>f</t></is></c></row>'
        b'<row r="16"><c r="B16" s="4" t="inlineStr"><is><t>g</t></is></c></row>'
    )


def test_layers_of_a_mixed_column_fill_each_others_gaps():
    numbers = CellLayer("number", 2, pa.array([1.5, None, None]))
    flags = CellLayer("boolean", 3, pa.array([None, True, None]))
    xml = b"".join(bytes(b) for b in body_xml([BodyColumn(0, (numbers, flags))], 0, 3))
    assert xml == (
        b'<row r="1"><c r="A1" s="2"><v>1.5</v></c></row>'
        b'<row r="2"><c r="A2" s="3" t="b"><v>1</v></c></row>'
    )


@pytest.mark.parametrize(
    ("text", "escaped"),
    [
        ("_x0041_", "_x005F_x0041_"),
        ("a\x01b", "a_x0001_b"),
        ("\r", "_x000D_"),
        ("tab\tlf\n", "tab\tlf\n"),
        ("\ufffe", "_xFFFE_"),
        ("plain", "plain"),
    ],
)
def test_excel_escape_is_excels_own(text, escaped):
    assert excel_escape(text) == escaped


# -- bodies deferred to the grafter --------------------------------------------------------


def _seller(tmp_path: Path) -> Path:
    path = tmp_path / "seller.xlsx"
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Orders")
    for n in range(7):  # styles of the seller's own, so ours are renumbered in the graft
        sheet.write(n, 0, f"row {n}", workbook.add_format({"font_size": 9 + n}))
    workbook.close()
    return path


def _model() -> OutputWorkbook:
    rows = pd.DataFrame(
        {
            "name": TEXTS,
            "spend": np.linspace(-1000, 1e6, len(TEXTS)),
            "last": pd.date_range("2024-01-01", periods=len(TEXTS), freq="7D"),
        }
    )
    kinds = {"name": "text", "spend": "money", "last": "date"}
    columns = tuple(Column(key, key.upper(), kind) for key, kind in kinds.items())
    tables = (
        Table(columns=columns, rows=rows, caption="first"),
        Table(columns=columns, rows=rows.iloc[::-1].reset_index(drop=True), caption="second"),
    )
    return OutputWorkbook("ja", (SheetModel(key="customers", title="顧客", tables=tables),))


def _grafted(tmp_path: Path, defer: bool) -> Path:
    seller = _seller(tmp_path)
    out = tmp_path / f"out-{defer}.xlsx"
    rendered = tmp_path / f"rendered-{defer}.xlsx"
    bodies = render_xlsx(_model(), rendered, defer_bodies=defer)
    write_generated_sheets(seller, rendered, ["customers"], out=out, bodies=bodies)
    return out


def _styled_cells(path: Path, title: str) -> list[tuple]:
    ws = openpyxl.load_workbook(path)[title]
    return [
        (c.coordinate, c.value, c.number_format, c.font.b, c.font.sz, c.alignment.horizontal)
        for row in ws.iter_rows()
        for c in row
        if c.value is not None
    ]


def test_deferred_bodies_graft_the_same_cells_and_styles(tmp_path):
    deferred, streamed = _grafted(tmp_path, True), _grafted(tmp_path, False)
    for title in ("顧客", "Orders"):
        assert _styled_cells(deferred, title) == _styled_cells(streamed, title)
    with zipfile.ZipFile(deferred) as archive:
        assert all(b"sheetcrm-body" not in archive.read(n) for n in archive.namelist())


def test_deferred_render_marks_where_each_body_goes(tmp_path):
    rendered = tmp_path / "rendered.xlsx"
    bodies = render_xlsx(_model(), rendered, defer_bodies=True)
    with zipfile.ZipFile(rendered) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml")
    assert list(bodies) == ["customers"] and len(bodies["customers"]) == 2
    assert xml.count(b"<?sheetcrm-body 0?>") == 1 and xml.count(b"<?sheetcrm-body 1?>") == 1
    assert b"<v>" not in xml  # no body cell was written into the file itself


def test_a_body_mark_without_its_body_is_refused(tmp_path):
    seller = _seller(tmp_path)
    rendered = tmp_path / "rendered.xlsx"
    render_xlsx(_model(), rendered, defer_bodies=True)
    with pytest.raises(ValueError, match="table body 0"):
        write_generated_sheets(seller, rendered, ["customers"], out=tmp_path / "x.xlsx")
    assert not (tmp_path / "x.xlsx").exists()
