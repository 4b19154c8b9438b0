import math

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheetcrm.parse.amounts import parse_amounts, parse_quantities


def amount(text: str) -> tuple[float | None, str | None]:
    result = parse_amounts(pd.Series([text]))
    value = result.values.iloc[0]
    return (None if pd.isna(value) else value), result.codes.iloc[0]


def quantity(text: str) -> tuple[int | None, str | None]:
    result = parse_quantities(pd.Series([text]))
    value = result.values.iloc[0]
    return (None if pd.isna(value) else int(value)), result.codes.iloc[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1200", 1200),
        ("1200.5", 1200.5),
        ("¥1,200", 1200),
        ("￥1,200", 1200),
        ("¥ 1,200", 1200),
        ("1,200円", 1200),
        ("１，２００円", 1200),
        ("1,200円(税込)", 1200),
        ("1,200円（税抜）", 1200),
        ("金1,200円也", 1200),
        ("$12.50", 12.5),
        ("JPY 1200", 1200),
        ("1200 yen", 1200),
        ("1200 JPY", 1200),
        (" 1 200 ", 1200),
        ("1 200 円", 1200),
        ("1,234,567.89", 1234567.89),
        ("0", 0),
        (".5", 0.5),
        ("+1200", 1200),
    ],
)
def test_amount_notations_parse(text, expected):
    assert amount(text) == (expected, None)


@pytest.mark.parametrize(
    "text",
    [
        "-1,200",
        "−1,200",
        "▲1,200",
        "△1,200",
        "▲ 1,200円",
        "(1,200)",
        "（1,200）",
        "(¥1,200)",
        "-¥1,200",
        "¥-1,200",
    ],
)
def test_negative_marks_make_negative_amounts(text):
    assert amount(text) == (-1200, None)


def test_triangle_is_japanese_minus():
    assert amount("△500円") == (-500, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.2万円", 12000),
        ("1万2000円", 12000),
        ("1万2,000円", 12000),
        ("12万", 120000),
        ("3千円", 3000),
        ("1万5千円", 15000),
        ("1億2345万6789", 123456789),
        ("１．５万円", 15000),
    ],
)
def test_man_units_parse(text, expected):
    assert amount(text) == (expected, None)


def test_receipt_dash_after_yen_amount_is_not_a_minus():
    assert amount("¥1,200-") == (1200, None)


@pytest.mark.parametrize(
    "text",
    [
        "1,20,0",  # separators must group by three
        "1,2000",
        "12,000,00",
        "1 2000",
        "1.200,50",  # European decimal comma
        "1.2.3",
        "1万12000円",  # lower part overflows the unit
        "1.5万2000",
        "万",
        "1200-",  # trailing minus without a yen mark: unclear
        "--1200",
        "-(1200)",
        "abc",
        "約1200円",
        "1e3",
        "nan",
        "inf",
        "9" * 400,
    ],
)
def test_unreadable_amounts_are_flagged(text):
    assert amount(text) == (None, "amount_unreadable")


def test_amounts_are_float64_with_nan_for_blanks():
    result = parse_amounts(pd.Series(["¥1,200", None, "  ", "x"]))
    assert result.values.dtype == "float64"
    assert result.values.iloc[0] == 1200
    assert result.values.iloc[1:].isna().all()
    assert result.codes.tolist() == [None, None, None, "amount_unreadable"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3", 3),
        ("3個", 3),
        ("３点", 3),
        ("3.0", 3),
        ("3 pcs", 3),
        ("x3", 3),
        ("×3", 3),
        ("3セット", 3),
        ("1,000", 1000),
        ("0", 0),
        ("-1", -1),
    ],
)
def test_quantity_notations_parse(text, expected):
    assert quantity(text) == (expected, None)


@pytest.mark.parametrize("text", ["2.5", "abc", "3個か4個", "1,00", "9" * 30])
def test_unreadable_quantities_are_flagged(text):
    assert quantity(text) == (None, "quantity_unreadable")


def test_quantities_are_nullable_integers():
    result = parse_quantities(pd.Series(["3", None, "2.5"]))
    assert result.values.dtype == "Int64"
    assert result.values.isna().tolist() == [False, True, True]


# --- properties -------------------------------------------------------------------

YEN_FORMATS = [
    lambda n: f"¥{n:,}",
    lambda n: f"￥{n:,}",
    lambda n: f"{n:,}円",
    lambda n: f"{n}",
    lambda n: f"JPY {n:,}",
]


@given(st.integers(min_value=0, max_value=10**12), st.sampled_from(YEN_FORMATS))
def test_round_trip_yen_amounts(n, fmt):
    assert amount(fmt(n)) == (n, None)


@given(st.integers(min_value=1, max_value=10**12), st.sampled_from(["-{}", "▲{}", "△{}", "({})"]))
def test_round_trip_negative_yen_amounts(n, fmt):
    assert amount(fmt.format(f"{n:,}")) == (-n, None)


@given(st.integers(min_value=1, max_value=99999), st.integers(min_value=1, max_value=9999))
def test_round_trip_man_notation(man, rest):
    assert amount(f"{man}万{rest}円") == (man * 10000 + rest, None)


@given(st.integers(min_value=-(10**9), max_value=10**9))
def test_round_trip_cents(cents):
    value = cents / 100
    assert amount(f"{value:,.2f}") == (value, None)


@given(st.lists(st.one_of(st.none(), st.text(), st.sampled_from(["¥1,200", "1,20,0", "3個"]))))
def test_values_are_na_exactly_when_a_code_is_set(cells):
    raw = pd.Series(cells, index=[f"r{i}" for i in range(len(cells))], dtype=object)
    blank = raw.isna() | (raw.astype("string").str.strip() == "")
    for result, code in [
        (parse_amounts(raw), "amount_unreadable"),
        (parse_quantities(raw), "quantity_unreadable"),
    ]:
        assert result.values.index.equals(raw.index) and result.codes.index.equals(raw.index)
        failed = result.codes == code
        assert result.codes.notna().eq(failed).all()
        assert (result.values.isna() == (failed | blank)).all()


@given(st.text())
def test_amounts_are_finite_or_nan(text):
    value = parse_amounts(pd.Series([text])).values.iloc[0]
    assert math.isnan(value) or math.isfinite(value)
