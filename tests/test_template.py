"""``sheetcrm new``: the starter workbook, read back with openpyxl and python-calamine."""

from __future__ import annotations

import datetime as dt
import io
import re
import time
import unicodedata
from importlib import resources
from pathlib import Path

import openpyxl
import pytest
import xlsxwriter
from hypothesis import given, settings
from hypothesis import strategies as st
from python_calamine import CalamineWorkbook

from sheetcrm.errors import InvalidOption, SheetcrmError
from sheetcrm.headers import field_for_role, match_field
from sheetcrm.resources import load_table
from sheetcrm.sample_data import generate_sample
from sheetcrm.template import WORKBOOK_OPTIONS, new_workbook, write_value

TODAY = dt.date(2025, 6, 15)
LANGS = ("ja", "en")
SHEET_NAMES = {
    "ja": ["使い方", "顧客", "注文", "対応履歴", "設定"],
    "en": ["How to use", "Customers", "Orders", "Activities", "Settings"],
}
FIELDS = {
    "customers": [
        "customer_id", "name", "name_kana", "email", "phone", "postal_code", "address",
        "birthday", "gender", "source", "email_opt_in", "created_at", "notes",
    ],
    "orders": [
        "order_id", "order_date", "customer_id", "name", "email", "phone", "product", "quantity",
        "amount", "status", "notes",
    ],
    "activities": ["date", "customer_id", "name", "type", "campaign", "status", "notes"],
}  # fmt: skip
TABLES = ("customers", "orders", "activities")
DROP_DOWNS = {
    "ja": {
        ("orders", "status"): ["完了", "キャンセル", "返品", "入金待ち"],
        ("activities", "type"): [
            "問い合わせ", "資料請求", "サンプル請求", "クレーム", "感想", "来店", "メール送信",
            "DM送付", "電話",
        ],
        ("customers", "gender"): ["女性", "男性", "その他"],
        ("customers", "email_opt_in"): ["希望する", "希望しない"],
        ("activities", "status"): ["対応中", "完了"],
    },
    "en": {
        ("orders", "status"): ["completed", "cancelled", "refunded", "pending"],
        ("activities", "type"): [
            "inquiry", "brochure request", "sample request", "complaint", "feedback",
            "store visit", "email sent", "direct mail sent", "phone call",
        ],
        ("customers", "gender"): ["female", "male", "other"],
        ("customers", "email_opt_in"): ["yes", "no"],
        ("activities", "status"): ["open", "closed"],
    },
}  # fmt: skip


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, bool], Path]:
    """Every language, with and without the sample, built once for the module."""
    folder = tmp_path_factory.mktemp("new")
    return {
        (lang, sample): new_workbook(
            folder / f"{lang}-{sample}.xlsx", lang=lang, sample=sample, today=TODAY
        )
        for lang in LANGS
        for sample in (False, True)
    }


def sheet_title(lang: str, key: str) -> str:
    return SHEET_NAMES[lang][1 + TABLES.index(key)]


def calamine_rows(path: Path, title: str) -> list[list[object]]:
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(title).to_python()
    return [row for row in rows if any(v not in ("", None) for v in row)]


def column_letter_of(key: str, field: str) -> str:
    return openpyxl.utils.get_column_letter(FIELDS[key].index(field) + 1)


# --- layout ----------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("sample", [False, True])
def test_sheets_are_in_order_with_language_names(built, lang, sample):
    path = built[lang, sample]
    assert openpyxl.load_workbook(path).sheetnames == SHEET_NAMES[lang]
    assert CalamineWorkbook.from_path(str(path)).sheet_names == SHEET_NAMES[lang]


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("key", TABLES)
def test_every_header_is_recognised_as_its_field(built, lang, key):
    headers = calamine_rows(built[lang, False], sheet_title(lang, key))[0]
    recognised = [field_for_role(match_field(str(h)) or "", key) for h in headers]
    assert recognised == FIELDS[key]


@pytest.mark.parametrize("lang", LANGS)
def test_header_row_is_bold_filled_frozen_and_filtered(built, lang):
    book = openpyxl.load_workbook(built[lang, True])
    for key in TABLES:
        ws = book[sheet_title(lang, key)]
        last = openpyxl.utils.get_column_letter(len(FIELDS[key]))
        assert ws.freeze_panes == "A2"
        assert ws.auto_filter.ref == f"A1:{last}5000"
        assert all(cell.font.b for cell in ws[1])
        assert all(cell.fill.fgColor.rgb not in (None, "00000000") for cell in ws[1])
        assert ws.sheet_properties.tabColor is not None


@pytest.mark.parametrize("lang", LANGS)
def test_drop_downs_list_the_choices_and_only_warn(built, lang):
    book = openpyxl.load_workbook(built[lang, False])
    for (key, field), values in DROP_DOWNS[lang].items():
        ws = book[sheet_title(lang, key)]
        column = column_letter_of(key, field)
        (validation,) = [
            v for v in ws.data_validations.dataValidation if str(v.sqref).startswith(column)
        ]
        assert validation.type == "list"
        assert validation.formula1 == '"' + ",".join(values) + '"'
        assert str(validation.sqref) == f"{column}2:{column}5000"
        assert validation.errorStyle == "warning"  # sellers may keep their own words
        assert validation.showInputMessage and validation.prompt


@pytest.mark.parametrize("lang", LANGS)
def test_number_formats_by_column(built, lang):
    book = openpyxl.load_workbook(built[lang, True])
    orders, customers = book[sheet_title(lang, "orders")], book[sheet_title(lang, "customers")]
    amount = column_letter_of("orders", "amount")
    assert "¥" in orders.column_dimensions[amount].number_format
    assert "#,##0" in orders.column_dimensions[amount].number_format
    assert "¥" in orders[f"{amount}2"].number_format  # written cells carry it too
    for key, field in [
        ("customers", "phone"),
        ("customers", "postal_code"),
        ("customers", "customer_id"),
        ("orders", "phone"),
        ("orders", "order_id"),
        ("orders", "customer_id"),
        ("activities", "customer_id"),
    ]:
        ws = book[sheet_title(lang, key)]
        assert ws.column_dimensions[column_letter_of(key, field)].number_format == "@"
    date_format = {"ja": "yyyy/mm/dd", "en": "yyyy-mm-dd"}[lang]
    created = column_letter_of("customers", "created_at")
    assert customers.column_dimensions[created].number_format == date_format
    assert customers[f"{created}2"].number_format == date_format


def test_columns_are_wide_enough_for_their_headers(built):
    ws = openpyxl.load_workbook(built["ja", False])["注文"]
    for cell in ws[1]:
        wide = sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in cell.value)
        assert ws.column_dimensions[cell.column_letter].width >= wide + 2


def test_created_time_comes_from_today_not_the_clock(built):
    properties = openpyxl.load_workbook(built["ja", True]).properties
    assert properties.created == dt.datetime(2025, 6, 15)
    assert properties.modified == dt.datetime(2025, 6, 15)


# --- How-to tab --------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_howto_explains_every_column_and_refresh(built, lang):
    rows = calamine_rows(built[lang, False], SHEET_NAMES[lang][0])
    text = "\n".join(str(v) for row in rows for v in row)
    assert "sheetcrm refresh" in text
    for key in TABLES:
        for header in calamine_rows(built[lang, False], sheet_title(lang, key))[0]:
            assert header in text
    for values in DROP_DOWNS[lang].values():
        assert " / ".join(values) in text


@pytest.mark.parametrize("lang", LANGS)
@pytest.mark.parametrize("sample", [False, True])
def test_howto_has_no_row_that_looks_like_a_header_row(built, lang, sample):
    for row in calamine_rows(built[lang, sample], SHEET_NAMES[lang][0]):
        assert sum(match_field(str(v)) is not None for v in row if v) <= 1


def test_howto_mentions_the_sample_only_when_there_is_one(built):
    def howto_text(sample: bool) -> str:
        rows = calamine_rows(built["ja", sample], "使い方")
        return "\n".join(str(v) for row in rows for v in row)

    assert "サンプルデータについて" not in howto_text(False)
    assert "サンプルデータについて" in howto_text(True)


# --- sample data -------------------------------------------------------------------


@pytest.mark.parametrize("lang", LANGS)
def test_empty_template_has_only_header_rows(built, lang):
    for key in TABLES:
        assert len(calamine_rows(built[lang, False], sheet_title(lang, key))) == 1


@pytest.mark.parametrize("lang", LANGS)
def test_sample_row_counts(built, lang):
    def count(key: str) -> int:
        return len(calamine_rows(built[lang, True], sheet_title(lang, key))) - 1

    assert count("customers") == 80
    assert 370 <= count("orders") <= 430
    assert count("activities") == 60


def test_sample_is_deterministic_for_a_fixed_today(tmp_path):
    first = new_workbook(tmp_path / "a.xlsx", sample=True, today=TODAY)
    second = new_workbook(tmp_path / "b.xlsx", sample=True, today=TODAY)
    assert first.read_bytes() == second.read_bytes()
    later = new_workbook(tmp_path / "c.xlsx", sample=True, today=TODAY + dt.timedelta(days=30))
    assert later.read_bytes() != first.read_bytes()


@pytest.mark.parametrize("lang", LANGS)
def test_sample_dates_end_at_today_and_span_about_two_and_a_half_years(lang):
    data = generate_sample(lang, TODAY)
    dates = [o["order_date"] for o in data.orders if isinstance(o["order_date"], dt.date)]
    assert max(dates) <= TODAY
    assert dt.timedelta(days=700) < TODAY - min(dates) <= dt.timedelta(days=900)


@pytest.mark.parametrize("lang", LANGS)
def test_sample_orders_name_their_customer_by_id_and_name(lang):
    data = generate_sample(lang, TODAY)
    names = {c["customer_id"]: c["name"] for c in data.customers}
    for order in data.orders:
        assert names[order["customer_id"]] == order["name"]


@pytest.mark.parametrize("lang", LANGS)
def test_sample_values_come_from_the_drop_down_lists(lang):
    data = generate_sample(lang, TODAY)
    lists = DROP_DOWNS[lang]
    assert {o["status"] for o in data.orders} == set(lists["orders", "status"])
    assert {a["type"] for a in data.activities} == set(lists["activities", "type"])
    assert {a["status"] for a in data.activities} == set(lists["activities", "status"])
    assert {c["gender"] for c in data.customers} - {None} <= set(lists["customers", "gender"])
    assert {c["email_opt_in"] for c in data.customers} == set(lists["customers", "email_opt_in"])


def test_sample_japanese_customers_have_kana_and_prefectures():
    prefecture = re.compile(r"(東京都|北海道|京都府|大阪府|.{2,3}県)")
    for customer in generate_sample("ja", TODAY).customers:
        kana = customer["name_kana"].replace("\u3000", "")
        assert all(unicodedata.name(c).startswith("KATAKANA") for c in kana)
        assert customer["address"] is None or prefecture.match(customer["address"])


def test_sample_archetypes_give_every_rfm_shape():
    data = generate_sample("ja", TODAY)
    undone = {"キャンセル", "返品"}
    history: dict[str, list[dt.date]] = {c["customer_id"]: [] for c in data.customers}
    for order in data.orders:
        if order["status"] not in undone and isinstance(order["order_date"], dt.date):
            history[order["customer_id"]].append(order["order_date"])

    def shapes(archetype: str) -> list[tuple[int, int]]:
        """(number of orders, days since the last) of each customer of the archetype."""
        return [
            (len(dates), (TODAY - max(dates)).days if dates else -1)
            for cid, dates in history.items()
            if data.archetypes[cid] == archetype
        ]

    assert all(n >= 12 and days <= 30 for n, days in shapes("champion"))
    assert all(n == 1 and days <= 30 for n, days in shapes("new"))
    assert all(n >= 5 and 180 <= days <= 400 for n, days in shapes("at_risk") + shapes("cant_lose"))
    assert all(n <= 3 and days >= 365 for n, days in shapes("hibernating"))
    assert all(n == 1 and days >= 365 for n, days in shapes("lost_one_time"))
    assert all(n == 0 for n, _ in shapes("prospect"))
    prospects = {cid for cid, a in data.archetypes.items() if a == "prospect"}
    assert len(prospects) == 5
    assert prospects <= {a["customer_id"] for a in data.activities}


def test_sample_activities_have_one_open_complaint_and_a_mailing_with_responses():
    data = generate_sample("ja", TODAY)
    open_complaints = [
        a for a in data.activities if a["type"] == "クレーム" and a["status"] == "対応中"
    ]
    assert len(open_complaints) == 1
    mailing = [a for a in data.activities if a["type"] == "DM送付"]
    responses = [
        a for a in data.activities if a["campaign"] == "春のキャンペーン" and a["type"] != "DM送付"
    ]
    assert len(mailing) >= 20
    assert {a["customer_id"] for a in mailing} & {a["customer_id"] for a in responses}


@pytest.mark.parametrize("lang", LANGS)
def test_sample_has_the_listed_slips_where_the_howto_says(built, lang):
    path = built[lang, True]
    data = generate_sample(lang, TODAY)
    kinds = {q.kind: q for q in data.quirks}
    assert set(kinds) == {
        "era_date_text", "amount_text", "phone_lost_zero", "unreadable_date", "duplicate_customer",
    }  # fmt: skip

    def cell(quirk) -> object:
        rows = calamine_rows(path, sheet_title(lang, quirk.sheet))
        return rows[quirk.row + 1][FIELDS[quirk.sheet].index(quirk.field)]

    assert str(cell(kinds["era_date_text"])).startswith("令和")
    assert cell(kinds["amount_text"]) == "¥3,300"
    lost = cell(kinds["phone_lost_zero"])
    assert isinstance(lost, float) and not str(int(lost)).startswith("0")
    assert cell(kinds["unreadable_date"]) in ("4月頃", "around April")
    duplicate = str(cell(kinds["duplicate_customer"]))
    emails = [c["email"] for c in data.customers]
    assert duplicate not in emails[: kinds["duplicate_customer"].row]
    assert unicodedata.normalize("NFKC", duplicate) in emails

    howto = "\n".join(str(v) for row in calamine_rows(path, SHEET_NAMES[lang][0]) for v in row)
    for quirk in data.quirks:
        letter = openpyxl.utils.get_column_letter(FIELDS[quirk.sheet].index(quirk.field) + 1)
        assert f"{letter}{quirk.row + 2}" in howto
        assert str(quirk.value) in howto


def test_sample_generation_is_fast(tmp_path):
    start = time.perf_counter()
    new_workbook(tmp_path / "fast.xlsx", sample=True, today=TODAY)
    assert time.perf_counter() - start < 1.0


# --- writing safely ----------------------------------------------------------------


def _written(values: list[str]) -> list[openpyxl.cell.cell.Cell]:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, WORKBOOK_OPTIONS)
    sheet = book.add_worksheet()
    for row, value in enumerate(values):
        write_value(sheet, row, 0, value)
    book.close()
    ws = openpyxl.load_workbook(io.BytesIO(buffer.getvalue())).active
    return [ws.cell(row=i + 1, column=1) for i in range(len(values))]


def test_text_that_looks_like_a_formula_stays_text():
    values = ['=HYPERLINK("http://x","y")', "+81 90 1234 5678", "0312345678", "http://x.jp", "1e5"]
    for cell, value in zip(_written(values), values, strict=True):
        assert cell.data_type == "s"
        assert cell.value == value


@settings(max_examples=40, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=40))
def test_any_text_is_written_back_unchanged(value):
    (cell,) = _written([value])
    assert cell.data_type == "s"
    assert cell.value == value


# --- refusing ------------------------------------------------------------------------


def test_refuses_to_overwrite_an_existing_file(tmp_path):
    target = tmp_path / "mine.xlsx"
    target.write_bytes(b"seller's data")
    with pytest.raises(InvalidOption) as caught:
        new_workbook(target)
    assert "mine.xlsx" in str(caught.value) and "mine.xlsx" in caught.value.message_for("ja")
    assert target.read_bytes() == b"seller's data"
    new_workbook(target, overwrite=True)
    assert openpyxl.load_workbook(target).sheetnames == SHEET_NAMES["ja"]


@pytest.mark.parametrize("lang", ["fr", "JA", ""])
def test_refuses_an_unknown_language(tmp_path, lang):
    with pytest.raises(InvalidOption):
        new_workbook(tmp_path / "x.xlsx", lang=lang)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("name", ["book.xls", "book.csv", "book", "book.xlsm"])
def test_refuses_a_name_not_ending_in_xlsx(tmp_path, name):
    with pytest.raises(InvalidOption):
        new_workbook(tmp_path / name)
    assert list(tmp_path.iterdir()) == []


def test_refuses_a_sample_dated_before_reiwa_history_exists(tmp_path):
    with pytest.raises(InvalidOption):
        new_workbook(tmp_path / "x.xlsx", sample=True, today=dt.date(2019, 6, 1))
    assert list(tmp_path.iterdir()) == []


def test_refuses_a_missing_folder(tmp_path):
    with pytest.raises(InvalidOption):
        new_workbook(tmp_path / "nowhere" / "book.xlsx")


def test_written_atomically_with_no_temporary_file_left(tmp_path):
    new_workbook(tmp_path / "book.xlsx", sample=True, today=TODAY)
    assert [p.name for p in tmp_path.iterdir()] == ["book.xlsx"]


def test_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path, monkeypatch):
    target = tmp_path / "book.xlsx"
    target.write_bytes(b"old")

    def fail(source, destination):
        raise OSError("disk full")

    monkeypatch.setattr("sheetcrm.template.os.replace", fail)
    with pytest.raises(SheetcrmError):
        new_workbook(target, overwrite=True)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["book.xlsx"]


# --- packaging -----------------------------------------------------------------------


def test_workbook_definition_ships_in_the_package():
    assert resources.files("sheetcrm.templates").joinpath("workbook.toml").is_file()
    spec = load_table("workbook")
    assert [s["key"] for s in spec["sheets"]] == ["howto", *TABLES]
