"""Who is the same customer: the classic traps, through the real reader and parsers."""

import datetime as dt

from sheetcrm.pipeline import analyse

AS_OF = dt.date(2024, 12, 31)
ORDERS_HEADER = ["注文日", "お名前", "メール", "電話", "商品", "金額"]


def _run(make_workbook, sheets):
    return analyse(make_workbook(sheets), as_of=AS_OF)


def _ids_by_row(analysis):
    orders = analysis.orders
    return dict(zip(orders["source_row"], orders["customer_id"], strict=True))


def test_same_email_in_any_notation_is_one_customer(make_workbook) -> None:
    a = _run(
        make_workbook,
        {
            "注文": [
                ORDERS_HEADER,
                ["2024/1/5", "山田太郎", "Taro@Example.com", None, "石けん", 1000],
                [
                    "2024/2/5",
                    "山田 太郎",
                    " ｔａｒｏ＠ｅｘａｍｐｌｅ．ｃｏｍ ",
                    None,
                    "石けん",
                    1000,
                ],
            ]
        },
    )
    assert len(a.customers) == 1
    assert a.customers.loc[0, "purchase_days"] == 2


def test_same_name_different_emails_are_two_customers(make_workbook) -> None:
    a = _run(
        make_workbook,
        {
            "注文": [
                ORDERS_HEADER,
                ["2024/1/5", "佐藤花子", "hanako1@example.com", None, "石けん", 1000],
                ["2024/2/5", "佐藤花子", "hanako2@example.com", None, "石けん", 1000],
            ]
        },
    )
    assert len(a.customers) == 2
    (candidate,) = a.resolution.candidates.itertuples()
    assert candidate.evidence == ["name"]


def test_shared_landline_does_not_merge(make_workbook) -> None:
    a = _run(
        make_workbook,
        {
            "注文": [
                ORDERS_HEADER,
                ["2024/1/5", "鈴木一郎", None, "03-1234-5678", "石けん", 1000],
                ["2024/2/5", "鈴木花子", None, "0312345678", "石けん", 1000],
            ]
        },
    )
    assert len(a.customers) == 2
    # A household, not an uncertain pair: scored 0.3, below the review queue's threshold.
    assert a.resolution.candidates.empty


def test_same_phone_and_same_name_merge(make_workbook) -> None:
    a = _run(
        make_workbook,
        {
            "注文": [
                ORDERS_HEADER,
                ["2024/1/5", "鈴木一郎", None, "090-1111-2222", "石けん", 1000],
                ["2024/2/5", "鈴木 一郎 様", None, "+81 90 1111 2222", "石けん", 1000],
            ]
        },
    )
    assert len(a.customers) == 1
    assert "phone+name" in a.customers.loc[0, "matched_by"]


def test_name_only_sales_rows_join_the_listed_customer(make_workbook) -> None:
    a = _run(
        make_workbook,
        {
            "顧客": [["顧客ID", "氏名", "メール"], ["C001", "山田太郎", "taro@example.com"]],
            "注文": [
                ["注文日", "氏名", "金額"],
                ["2024/1/5", "山田太郎", 1000],
                ["2024/3/5", "山田　太郎", 2000],
            ],
        },
    )
    assert a.customers["customer_id"].tolist() == ["C001"]
    assert a.customers.loc[0, "total_spent"] == 3000
    assert a.customers.loc[0, "sources"] == ["顧客!2", "注文!2", "注文!3"]


def test_name_shared_by_two_listed_customers_is_not_guessed(make_workbook) -> None:
    a = _run(
        make_workbook,
        {
            "顧客": [
                ["顧客ID", "氏名", "メール"],
                ["C001", "田中実", "m1@example.com"],
                ["C002", "田中実", "m2@example.com"],
            ],
            "注文": [["注文日", "氏名", "金額"], ["2024/1/5", "田中実", 1000]],
        },
    )
    assert a.orders.empty
    assert [(i.sheet, i.row, i.code) for i in a.issues if i.code == "ambiguous_name"] == [
        ("注文", 2, "ambiguous_name")
    ]


def test_customer_registered_twice_under_two_ids_is_merged_and_reported(make_workbook) -> None:
    a = _run(
        make_workbook,
        {
            "顧客": [
                ["顧客ID", "氏名", "メール"],
                ["C001", "高橋", "taka@example.com"],
                ["C002", "高橋", "ＴＡＫＡ@example.com"],
            ],
            "注文": [
                ["注文日", "顧客ID", "金額"],
                ["2024/1/5", "C001", 1000],
                ["2024/2/5", "C002", 2000],
            ],
        },
    )
    assert a.customers["customer_id"].tolist() == ["C001"]
    assert a.customers.loc[0, "total_spent"] == 3000
    (issue,) = [i for i in a.issues if i.code == "customer_ids_merged"]
    assert (issue.sheet, issue.row, issue.value) == ("顧客", 3, "C002 → C001")


def test_duplicate_rows_of_the_customer_list_merge_on_email(make_workbook) -> None:
    a = _run(
        make_workbook,
        {"顧客": [["氏名", "メール"], ["伊藤", "ito@example.com"], ["伊藤 様", "ITO@example.com"]]},
    )
    assert len(a.customers) == 1
    assert a.resolution.merges == 1


def test_generated_ids_are_stable_across_runs(make_workbook) -> None:
    sheets = {
        "Orders": [
            ["Date", "Customer", "Email", "Amount"],
            ["2024-01-05", "Ann", "ann@example.com", 10],
            ["2024-01-06", "Bob", "bob@example.com", 20],
        ]
    }
    first = _run(make_workbook, sheets)
    second = _run(make_workbook, sheets)
    assert first.customers["customer_id"].tolist() == second.customers["customer_id"].tolist()
    assert all(cid.startswith("C-") for cid in first.customers["customer_id"])


def test_order_with_unknown_customer_id_is_reported(make_workbook) -> None:
    a = _run(
        make_workbook,
        {
            "顧客": [["顧客ID", "氏名"], ["C001", "山田"]],
            "注文": [["注文日", "顧客ID", "金額"], ["2024/1/5", "C999", 1000]],
        },
    )
    assert "C999" in set(a.customers["customer_id"])
    assert any(i.code == "unknown_customer_id" and i.row == 2 for i in a.issues)
