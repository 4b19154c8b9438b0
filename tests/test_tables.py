import datetime as dt
from pathlib import Path

import pytest

from sheetcrm.reader import read_sheets
from sheetcrm.tables import recognise


def _tables(path: Path):
    return [t for t in (recognise(s) for s in read_sheets(path)) if t is not None]


def test_header_row_found_below_title_and_blank_rows(make_workbook) -> None:
    path = make_workbook(
        {
            "売上": [
                ["2024年 売上管理表"],
                ["※ 税込金額で記入"],
                [],
                ["購入日", "お名前", "商品", "金額(税込)"],
                [dt.date(2024, 1, 5), "山田太郎", "石けん", 1200],
            ]
        }
    )
    (table,) = _tables(path)
    assert table.role == "orders"
    assert table.header_row == 4
    assert table.columns["order_date"].letter == "A"
    assert table.columns["amount"].header == "金額(税込)"
    assert list(table.data.index) == [5]


def test_rows_keep_excel_row_numbers_when_sheet_starts_at_c3(make_workbook) -> None:
    path = make_workbook(
        {
            "Customers": [
                [],
                [],
                [None, None, "Name", "E-mail"],
                [None, None, "Ann", "ann@example.com"],
                [],
                [None, None, "Bob", "bob@example.com"],
            ]
        }
    )
    (table,) = _tables(path)
    assert table.role == "customers"
    assert table.columns["name"].letter == "C"
    assert list(table.data.index) == [4, 6]


@pytest.mark.parametrize(
    ("headers", "role"),
    [
        (["氏名", "メール", "電話"], "customers"),
        (["注文日", "氏名", "金額"], "orders"),
        (["日付", "氏名", "種別", "キャンペーン"], "activities"),
        (["Date", "Customer", "Unit price", "Qty"], "orders"),
    ],
)
def test_role_follows_from_the_fields(make_workbook, headers: list[str], role: str) -> None:
    path = make_workbook({"Sheet1": [headers, ["x"] * len(headers)]})
    (table,) = _tables(path)
    assert table.role == role


def test_generic_date_becomes_order_date_in_a_sales_log(make_workbook) -> None:
    path = make_workbook({"Sheet1": [["日付", "顧客名", "売上"], ["2024/1/5", "A", "100"]]})
    (table,) = _tables(path)
    assert "order_date" in table.columns


def test_sheet_without_known_headers_is_not_a_table(make_workbook) -> None:
    path = make_workbook({"在庫": [["商品コード", "在庫数"], ["A-1", 3]]})
    assert _tables(path) == []
