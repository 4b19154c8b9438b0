"""The fake's parsers: A1 notation, field masks, and text typed with USER_ENTERED."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheetcrm.fakesheets.a1 import (
    A1Error,
    Bounds,
    column_index,
    column_letters,
    format_range,
    parse_a1,
    quote_sheet,
)
from sheetcrm.fakesheets.fieldmask import masked_update, parse_mask, project, touches
from sheetcrm.fakesheets.render import format_number, formatted_value
from sheetcrm.fakesheets.user_input import from_raw, from_user_entered


def test_quoted_name_with_doubled_apostrophe_parses() -> None:
    parsed = parse_a1("'Bob''s tab'!A1:C3")
    assert parsed.sheet == "Bob's tab"
    assert parsed.bounds == Bounds(0, 0, 3, 3)


def test_japanese_sheet_name_quoted_and_bare() -> None:
    assert parse_a1("'顧客 一覧'!B2").sheet == "顧客 一覧"
    assert parse_a1("顧客一覧!B2").sheet == "顧客一覧"


def test_whole_columns_rows_and_half_open_ranges_are_unbounded() -> None:
    assert parse_a1("A:C").bounds == Bounds(0, 0, None, 3)
    assert parse_a1("2:5").bounds == Bounds(1, 0, 5, None)
    assert parse_a1("A5:C").bounds == Bounds(4, 0, None, 3)
    assert parse_a1("A1:1").bounds == Bounds(0, 0, 1, None)


def test_sheet_only_range_means_the_whole_sheet() -> None:
    assert parse_a1("'Sheet1'") == parse_a1("Sheet1")
    assert parse_a1("Sheet1").bounds == Bounds()


def test_reversed_corners_and_dollar_anchors_mean_the_same_rectangle() -> None:
    assert parse_a1("B2:A1").bounds == parse_a1("$A$1:$B$2").bounds == Bounds(0, 0, 2, 2)


@pytest.mark.parametrize("text", ["", "'unterminated!A1", "Sheet1!", "!A1", "'a'b'!A1", "S!A0"])
def test_malformed_ranges_are_refused(text: str) -> None:
    with pytest.raises(A1Error):
        parse_a1(text)


def test_a_bare_word_that_is_not_a_cell_is_a_sheet_title() -> None:
    assert parse_a1("A0").sheet == "A0"
    assert parse_a1("Customers").sheet == "Customers"


def test_google_quotes_only_names_that_need_it() -> None:
    assert quote_sheet("Sheet1") == "Sheet1"
    assert quote_sheet("My Sheet") == "'My Sheet'"
    assert quote_sheet("D3") == "'D3'"  # reads as a cell (gspread cassette: "'D3'!A1:D4")
    assert quote_sheet("Bob's") == "'Bob''s'"
    assert quote_sheet("顧客") == "'顧客'"


def test_single_cell_echo_has_no_colon() -> None:
    assert format_range("Sheet1", Bounds(0, 0, 1, 1)) == "Sheet1!A1"
    assert format_range("Sheet1", Bounds(0, 0, 1000, 26)) == "Sheet1!A1:Z1000"


@given(st.integers(min_value=0, max_value=18277))
def test_column_letters_round_trip(index: int) -> None:
    assert column_index(column_letters(index)) == index


titles = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=20
).filter(lambda t: t.strip() == t and t)


@given(
    titles,
    st.integers(0, 5000),
    st.integers(0, 700),
    st.integers(1, 50),
    st.integers(1, 30),
)
def test_formatted_ranges_parse_back_to_the_same_sheet_and_bounds(
    title: str, row: int, col: int, height: int, width: int
) -> None:
    bounds = Bounds(row, col, row + height, col + width)
    parsed = parse_a1(format_range(title, bounds))
    assert parsed.sheet == title
    assert parsed.bounds == bounds


def test_masks_accept_dots_slashes_and_parentheses() -> None:
    assert parse_mask("sheets.properties") == parse_mask("sheets/properties")
    mask = parse_mask("sheets(properties,data.rowData.values.note),spreadsheetId")
    assert touches(mask, ("sheets", "data"))
    assert not touches(parse_mask("sheets.properties"), ("sheets", "data"))
    resource = {
        "spreadsheetId": "x",
        "properties": {"title": "t"},
        "sheets": [{"properties": {"sheetId": 0}, "charts": []}],
    }
    assert project(resource, parse_mask("sheets.properties")) == {
        "sheets": [{"properties": {"sheetId": 0}}]
    }


def test_masked_update_clears_masked_fields_the_source_lacks() -> None:
    target = {"textFormat": {"bold": True, "italic": True}, "numberFormat": {"type": "DATE"}}
    masked_update(
        target, {"textFormat": {"bold": False}}, parse_mask("textFormat.bold,numberFormat")
    )
    assert target == {"textFormat": {"bold": False, "italic": True}}


def _typed(text: str, locale: str = "en_US") -> dict:
    """The cell USER_ENTERED text makes (value plus any inferred number format)."""
    entered = from_user_entered(text, locale)
    cell = {"userEnteredValue": entered.value}
    if entered.number_format:
        cell["userEnteredFormat"] = {"numberFormat": entered.number_format}
    return cell


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_grouped_numbers_typed_read_back_the_same(n: int) -> None:
    cell = _typed(f"{n:,}")
    assert cell["userEnteredValue"] == {"numberValue": n}
    assert formatted_value(cell) == f"{n:,}"


@given(st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2999, 12, 31)))
def test_iso_dates_typed_become_serials_that_read_back_the_same(day: dt.date) -> None:
    cell = _typed(day.isoformat())
    assert cell["userEnteredValue"] == {"numberValue": (day - dt.date(1899, 12, 30)).days}
    assert formatted_value(cell) == day.isoformat()


@given(st.text(max_size=30))
def test_raw_text_is_stored_exactly(text: str) -> None:
    entered = from_raw(text)
    assert entered.value == ({"stringValue": text} if text else None)


@pytest.mark.parametrize(
    ("typed", "value"),
    [
        ("=SUM(A1:A3)", {"formulaValue": "=SUM(A1:A3)"}),
        ("'=SUM(A1:A3)", {"stringValue": "=SUM(A1:A3)"}),
        ("'0123", {"stringValue": "0123"}),
        ("0123", {"numberValue": 123}),
        ("090-1234-5678", {"stringValue": "090-1234-5678"}),
        ("FALSE", {"boolValue": False}),
        ("2020-02-30", {"stringValue": "2020-02-30"}),
        ("=", {"stringValue": "="}),
    ],
)
def test_user_entered_text_is_read_like_the_ui(typed: str, value: dict) -> None:
    assert from_user_entered(typed).value == value


def test_japanese_dates_and_yen_parse_in_the_japanese_locale() -> None:
    assert formatted_value(_typed("2024年1月5日", "ja_JP")) == "2024年1月5日"
    assert _typed("¥1,200", "ja_JP")["userEnteredValue"] == {"numberValue": 1200}
    assert _typed("2024年1月5日")["userEnteredValue"] == {"stringValue": "2024年1月5日"}


@pytest.mark.parametrize(
    ("number", "fmt", "text"),
    [
        (1234.5, {"type": "NUMBER", "pattern": "#,##0.00"}, "1,234.50"),
        (0.125, {"type": "PERCENT", "pattern": "0.0%"}, "12.5%"),
        (-1200, {"type": "CURRENCY", "pattern": '"¥"#,##0'}, "-¥1,200"),
        (-5, {"type": "NUMBER", "pattern": "0;(0)"}, "(5)"),
        (45296.5, {"type": "DATE_TIME", "pattern": "yyyy/mm/dd hh:mm"}, "2024/01/05 12:00"),
        (45296, {"type": "DATE", "pattern": 'yyyy"年"m"月"d"日"'}, "2024年1月5日"),
        (0.0009765625, None, "0.0009765625"),
    ],
)
def test_number_formats_render_like_sheets(number: float, fmt: dict | None, text: str) -> None:
    assert format_number(number, fmt) == text
