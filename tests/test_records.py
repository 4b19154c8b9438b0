"""Reading the sales log as sellers really write it: totals, duplicates, refunds, bad cells."""

import datetime as dt

import pytest

from sheetcrm.pipeline import analyse

AS_OF = dt.date(2024, 12, 31)
HEADER = ["注文番号", "注文日", "お名前", "メール", "商品", "金額", "ステータス"]


def _analyse(make_workbook, rows, **kwargs):
    return analyse(make_workbook({"注文": [HEADER, *rows]}), as_of=AS_OF, **kwargs)


def _codes(analysis):
    return [(i.sheet, i.row, i.column, i.code) for i in analysis.issues]


def test_totals_row_is_skipped_and_reported(make_workbook) -> None:
    a = _analyse(
        make_workbook,
        [
            ["A1", "2024/1/5", "山田", "y@example.com", "石けん", 1000, None],
            [None, None, None, None, "合計", 1000, None],
        ],
    )
    assert a.orders["revenue"].sum() == 1000
    assert ("注文", 3, None, "total_row_skipped") in _codes(a)


def test_same_order_id_twice_counts_once_and_is_reported(make_workbook) -> None:
    row = ["A1", "2024/1/5", "山田", "y@example.com", "石けん", 1000, None]
    a = _analyse(
        make_workbook, [row, ["A1", "2024/1/5", "山田", "y@example.com", "石けん", 1000, "完了"]]
    )
    assert a.customers.loc[0, "orders"] == 1
    assert a.customers.loc[0, "total_spent"] == 1000
    assert ("注文", 3, "A", "duplicate_order_id") in _codes(a)


def test_lines_of_one_order_count_as_one_order(make_workbook) -> None:
    a = _analyse(
        make_workbook,
        [
            ["A1", "2024/1/5", "山田", "y@example.com", "石けん", 1000, None],
            ["A1", "2024/1/5", "山田", "y@example.com", "タオル", 500, None],
        ],
    )
    assert a.customers.loc[0, "orders"] == 1
    assert a.customers.loc[0, "total_spent"] == 1500
    assert not [c for c in _codes(a) if c[3].startswith("duplicate")]


def test_row_pasted_twice_is_counted_once_unless_the_seller_says_so(make_workbook) -> None:
    header = ["注文日", "お名前", "金額"]
    rows = [header, ["2024/1/5", "山田", 1000], ["2024/1/5", "山田", 1000]]
    a = analyse(make_workbook({"注文": rows}), as_of=AS_OF)
    assert a.customers.loc[0, "total_spent"] == 1000
    assert ("注文", 3, None, "duplicate_row") in _codes(a)
    kept = analyse(make_workbook({"注文": rows}), as_of=AS_OF, keep_identical_rows=True)
    assert kept.customers.loc[0, "total_spent"] == 2000


def test_cancelled_and_refunded_orders_reduce_revenue(make_workbook) -> None:
    a = _analyse(
        make_workbook,
        [
            ["A1", "2024/1/5", "山田", "y@example.com", "石けん", 1000, None],
            ["A2", "2024/2/5", "山田", "y@example.com", "石けん", 3000, "キャンセル"],
            ["A3", "2024/3/5", "山田", "y@example.com", "石けん", 2000, None],
            ["A3", "2024/3/20", "山田", "y@example.com", "石けん", 2000, "返品"],
            ["A4", "2024/4/5", "山田", "y@example.com", "石けん", "▲500", None],
        ],
    )
    customer = a.customers.iloc[0]
    # 1000 (A1) + 0 (A2 cancelled) + 2000 - 2000 (A3 returned) - 500 (refund line)
    assert customer["total_spent"] == 500
    assert customer["orders"] == 2  # A1 and A3 were purchases
    assert customer["last_purchase"].date() == dt.date(2024, 3, 5)


def test_unreadable_date_and_amount_are_reported_with_cell_and_left_out(make_workbook) -> None:
    a = _analyse(
        make_workbook,
        [
            ["A1", "3月頃", "山田", "y@example.com", "石けん", 1000, None],
            ["A2", "2024/1/5", "山田", "y@example.com", "石けん", "たくさん", None],
            ["A3", "2024/1/6", "山田", "y@example.com", "石けん", "¥1,200", None],
        ],
    )
    codes = _codes(a)
    assert ("注文", 2, "B", "date_unreadable") in codes
    assert ("注文", 3, "F", "amount_unreadable") in codes
    assert a.customers.loc[0, "total_spent"] == 1200
    issue = next(i for i in a.issues if i.code == "date_unreadable")
    assert issue.value == "3月頃" and issue.header == "注文日" and issue.cell == "注文!B2"
    assert issue.severity == "error"
    assert "日付" in issue.message("ja") and "date" in issue.message("en")


def test_mixed_date_and_yen_notations_are_read(make_workbook) -> None:
    a = _analyse(
        make_workbook,
        [
            ["A1", dt.date(2024, 1, 5), "山田", "y@example.com", "石けん", 1000, None],
            ["A2", "令和6年2月5日", "山田", "y@example.com", "石けん", "￥2,000", None],
            ["A3", "R6.3.5", "山田", "y@example.com", "石けん", "3,000円", None],
            ["A4", "2024.4.5", "山田", "y@example.com", "石けん", "１，０００円", None],
        ],
    )
    assert a.customers.loc[0, "purchase_days"] == 4
    assert a.customers.loc[0, "total_spent"] == 7000
    assert not a.issues


def test_dates_after_as_of_are_left_out(make_workbook) -> None:
    a = _analyse(
        make_workbook,
        [
            ["A1", "2024/1/5", "山田", "y@example.com", "石けん", 1000, None],
            ["A2", "2025/1/5", "山田", "y@example.com", "石けん", 1000, None],
        ],
    )
    assert a.customers.loc[0, "orders"] == 1
    assert ("注文", 3, "B", "future_date") in _codes(a)


def test_phone_that_lost_its_leading_zero_is_restored_and_reported(make_workbook) -> None:
    a = analyse(make_workbook({"顧客": [["氏名", "電話"], ["山田", 9012345678]]}), as_of=AS_OF)
    assert a.customers.loc[0, "phone"] == "+819012345678"
    assert [c[3] for c in _codes(a)] == ["phone_leading_zero_restored"]


def test_unit_price_times_quantity_when_there_is_no_amount(make_workbook) -> None:
    rows = [["注文日", "氏名", "単価", "数量"], ["2024/1/5", "山田", "1,000", 3]]
    a = analyse(make_workbook({"売上": rows}), as_of=AS_OF)
    assert a.customers.loc[0, "total_spent"] == 3000


@pytest.mark.parametrize("name", ['=HYPERLINK("http://evil.example","x")', "=1+1", "@SUM(A1)"])
def test_formula_looking_names_stay_text(make_workbook, name: str) -> None:
    rows = [["注文日", "お名前", "金額"], ["2024/1/5", name, 1000]]
    a = analyse(make_workbook({"注文": rows}), as_of=AS_OF)
    assert a.customers.loc[0, "name"] == name
