"""Whole generated sheets, fuzzed: nothing but a SheetcrmError escapes; every problem is an Issue.

Each example is a real .xlsx written by xlsxwriter or openpyxl: random title rows, a
header row mixing every recognised header synonym with junk, and data rows of every
type — text from every Unicode category (astral included, surrogates excluded),
32,767-character strings, numbers, dates, booleans, blanks — with merged cells.
Example counts are kept small so the suite stays fast; run with
``--hypothesis-show-statistics`` to see them.
"""

from __future__ import annotations

import datetime as dt
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from sheetcrm import pipeline
from sheetcrm.errors import SheetcrmError
from sheetcrm.resources import load_table

AS_OF = dt.date(2024, 12, 31)
HEADERS = sorted({s for synonyms in load_table("headers")["fields"].values() for s in synonyms})
#: Header pairs that make a table: a customer list, a sales log, an activity log.
TABLE_STARTS = [
    ("氏名", "メールアドレス"),
    ("顧客ID", "電話番号"),
    ("購入日", "金額"),
    ("注文日", "合計金額(税込)"),
    ("Order date", "Amount"),
    ("Name", "Email"),
    ("対応日", "対応内容"),
]
HUGE = ["x" * 32_767, "顧" * 32_767, "🍣" * 16_383, "=HYPERLINK(" + "a" * 32_000 + ")"]
# What the XML of a workbook cannot hold (openpyxl refuses it; xlsxwriter escapes it).
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

unicode_text = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=30)
header = st.one_of(st.sampled_from(HEADERS), unicode_text, st.none())
value = st.one_of(
    st.none(),
    unicode_text,
    st.sampled_from(["2024/1/5", "令和6年1月5日", "¥1,980", "090-1234-5678", "taro@example.jp"]),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False, min_value=-1e300, max_value=1e300),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(9999, 12, 31)),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(9999, 12, 31)),
    st.booleans(),
)
rare_huge = st.sampled_from(HUGE)


@st.composite
def sheets(draw) -> dict[str, object]:
    width = draw(st.integers(min_value=1, max_value=10))
    titles = draw(st.lists(st.lists(unicode_text, max_size=2), max_size=2))
    headers = draw(st.lists(header, min_size=width, max_size=width))
    if draw(st.integers(0, 3)):  # mostly a recognisable table, so the parsers get the rows
        start = list(draw(st.sampled_from(TABLE_STARTS)))
        headers = start + headers[: max(width - 2, 0)]
        width = len(headers)
    cells = draw(st.lists(st.lists(value, min_size=width, max_size=width), max_size=40))
    if cells and draw(st.booleans()):
        row = draw(st.integers(0, len(cells) - 1))
        cells[row][draw(st.integers(0, width - 1))] = draw(rare_huge)
    height = len(titles) + 1 + len(cells)
    merges = draw(
        st.lists(
            st.tuples(
                st.integers(0, height - 1),
                st.integers(0, width - 1),
                st.integers(1, 3),
                st.integers(1, 3),
            ),
            max_size=3,
        )
    )
    name = draw(st.sampled_from(["注文", "顧客", "Sheet1", "対応履歴", "データ 2024"]))
    return {"name": name, "rows": [*titles, headers, *cells], "merges": merges}


def _free(merges, taken: set[tuple[int, int]]):
    for r, c, h, w in merges:
        box = {(r + i, c + j) for i in range(h) for j in range(w)}
        if len(box) > 1 and not box & taken:
            taken |= box
            yield r, c, r + h - 1, c + w - 1


def write_with_xlsxwriter(path: Path, sheet: dict) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(
        str(path),
        {"strings_to_formulas": False, "strings_to_numbers": False, "strings_to_urls": False},
    )
    dates = book.add_format({"num_format": "yyyy/mm/dd"})
    ws = book.add_worksheet(sheet["name"])
    for r, row in enumerate(sheet["rows"]):
        for c, v in enumerate(row):
            if v is None:
                continue
            if isinstance(v, str):
                ws.write_string(r, c, v)
            elif isinstance(v, bool):
                ws.write_boolean(r, c, v)
            elif isinstance(v, dt.date):
                ws.write_datetime(r, c, v, dates)
            else:
                ws.write_number(r, c, v)
    for r1, c1, r2, c2 in _free(sheet["merges"], set()):
        ws.merge_range(r1, c1, r2, c2, None)
    book.close()


def write_with_openpyxl(path: Path, sheet: dict) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = sheet["name"]
    for r, row in enumerate(sheet["rows"], start=1):
        for c, v in enumerate(row, start=1):
            if isinstance(v, str):
                v = _ILLEGAL_XML.sub("", v)
                if v.startswith("="):
                    v = "'" + v
            if v is not None:
                ws.cell(r, c, v)
    for r1, c1, r2, c2 in _free(sheet["merges"], set()):
        ws.merge_cells(start_row=r1 + 1, start_column=c1 + 1, end_row=r2 + 1, end_column=c2 + 1)
    book.save(path)


def check_analysis(path: Path, sheet_names: set[str]) -> None:
    """The property: a SheetcrmError or an analysis whose every issue points at a row."""
    try:
        analysis = pipeline.analyse(path, as_of=AS_OF)
    except SheetcrmError as error:
        assert str(error) and error.message_for("ja")
        event(f"refused: {type(error).__name__}")
        return
    event("analysed")
    event(f"issues: {'none' if not analysis.issues else 'some'}")
    for issue in analysis.issues:
        assert issue.sheet in sheet_names
        assert isinstance(issue.row, int) and issue.row >= 1
        assert issue.message("ja") and issue.message("en")


FUZZ = settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@FUZZ
@given(sheets())
def test_any_xlsxwriter_sheet_is_analysed_or_refused_cleanly(sheet: dict) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "shop.xlsx"
        write_with_xlsxwriter(path, sheet)
        check_analysis(path, {sheet["name"]})


@settings(FUZZ, max_examples=50)
@given(sheets())
def test_any_openpyxl_sheet_is_analysed_or_refused_cleanly(sheet: dict) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "shop.xlsx"
        write_with_openpyxl(path, sheet)
        check_analysis(path, {sheet["name"]})


@settings(FUZZ, max_examples=30)
@given(sheets(), sheets())
def test_any_two_sheets_refresh_and_read_back(first: dict, second: dict) -> None:
    if first["name"] == second["name"]:
        second = {**second, "name": second["name"] + " 2"}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "shop.xlsx"
        _write_two(path, first, second)
        try:
            pipeline.refresh(path, as_of=AS_OF, backup=False)
        except SheetcrmError:
            return
        check_analysis(path, {first["name"], second["name"], "設定", "Settings"})


def _write_two(path: Path, first: dict, second: dict) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    for sheet in (first, second):
        ws = book.add_worksheet(sheet["name"])
        for r, row in enumerate(sheet["rows"]):
            for c, v in enumerate(row):
                if isinstance(v, str):
                    ws.write_string(r, c, v)
                elif isinstance(v, dt.date):
                    ws.write_datetime(r, c, v, book.add_format({"num_format": "yyyy/mm/dd"}))
                elif v is not None:
                    ws.write(r, c, v)
    book.close()
