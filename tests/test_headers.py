import pytest

from sheetcrm.headers import field_for_role, match_field
from sheetcrm.text import column_letter, fold_header


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("氏名", "name"),
        ("お名前", "name"),
        ("名前", "name"),
        ("顧客名", "name"),
        ("メール", "email"),
        ("メールアドレス", "email"),
        ("E-mail", "email"),
        ("e mail", "email"),
        ("電話", "phone"),
        ("TEL", "phone"),
        ("ＴＥＬ", "phone"),
        ("電話番号", "phone"),
        ("購入日", "order_date"),
        ("注文日", "order_date"),
        ("日付", "date"),
        ("金額", "amount"),
        ("売上", "amount"),
        ("購入金額", "amount"),
        ("合計金額", "amount"),
        ("金額(税込)", "amount"),
        ("金額（税込）", "amount"),
        ("合計金額 (円)", "amount"),
        ("氏名（カナ）", "name_kana"),
        ("フリガナ", "name_kana"),
        ("流入経路", "source"),
        ("メルマガ", "email_opt_in"),
        ("Order Date", "order_date"),
        ("Customer ID", "customer_id"),
        ("顧客ID", "customer_id"),
        ("注文番号", "order_id"),
        ("単価", "unit_price"),
        ("数量", "quantity"),
        ("種別", "type"),
        ("資料", None),
        ("", None),
        ("   ", None),
    ],
)
def test_header_synonyms_match_fields(header: str, field: str | None) -> None:
    assert match_field(header) == field


def test_generic_fields_take_their_meaning_from_the_table() -> None:
    assert field_for_role("id", "orders") == "order_id"
    assert field_for_role("id", "customers") == "customer_id"
    assert field_for_role("date", "orders") == "order_date"
    assert field_for_role("date", "activities") == "date"
    assert field_for_role("email", "orders") == "email"


def test_fold_header_ignores_width_case_spaces_and_units() -> None:
    assert fold_header("ＥーＭＡＩＬ") == fold_header("e-mail") == "email"
    assert fold_header("金 額（円）") == "金額"


def test_column_letters() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 27, 701, 702)] == [
        "A",
        "Z",
        "AA",
        "AB",
        "ZZ",
        "AAA",
    ]
