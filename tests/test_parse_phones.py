import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sheetcrm.parse.phones import format_phone, parse_phones

CORRECTIONS = {"phone_leading_zero_restored", "phone_plus_restored"}


def phone(text: str, region: str = "JP") -> tuple[str | None, str | None]:
    result = parse_phones(pd.Series([text]), region=region)
    value = result.values.iloc[0]
    return (None if pd.isna(value) else value), result.codes.iloc[0]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("090-1234-5678", "+819012345678"),
        ("09012345678", "+819012345678"),
        ("090 1234 5678", "+819012345678"),
        ("０９０－１２３４－５６７８", "+819012345678"),
        ("090ー1234ー5678", "+819012345678"),
        ("+81 90-1234-5678", "+819012345678"),
        ("tel:090-1234-5678", "+819012345678"),
        ("TEL：090-1234-5678", "+819012345678"),
        ("携帯: 090-1234-5678", "+819012345678"),
        ("090-1234-5678(携帯)", "+819012345678"),
        ("03-1234-5678", "+81312345678"),
        ("(03)1234-5678", "+81312345678"),
        ("03(1234)5678", "+81312345678"),
        ("+81-3-1234-5678", "+81312345678"),
        ("03-1234-5678 内線12", "+81312345678"),
        ("0120-123-456", "+81120123456"),
        ("050-1234-5678", "+815012345678"),
        ("+1 650-253-0000", "+16502530000"),
    ],
)
def test_phone_notations_parse_to_e164(text, expected):
    assert phone(text) == (expected, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9012345678", "+819012345678"),
        ("9012345678.0", "+819012345678"),
        ("312345678", "+81312345678"),
        ("120123456", "+81120123456"),
    ],
)
def test_phone_integer_leading_zero_restored(text, expected):
    assert phone(text) == (expected, "phone_leading_zero_restored")


def test_phone_typed_plus_81_that_excel_made_a_number_is_restored():
    assert phone("819012345678") == ("+819012345678", "phone_plus_restored")


@pytest.mark.parametrize(
    "text",
    ["090-1234-567", "12345", "abc", "なし", "0", "+", "090-1234-5678 / 03-1234-5678", "9" * 40],
)
def test_invalid_phone_is_flagged(text):
    assert phone(text) == (None, "phone_invalid")


def test_no_zero_is_restored_where_the_trunk_prefix_is_optional():
    assert phone("650-253-0000", region="US") == ("+16502530000", None)


def test_region_decides_national_numbers():
    assert phone("07911 123456", region="GB") == ("+447911123456", None)


def test_phone_values_are_strings_with_na():
    result = parse_phones(pd.Series(["090-1234-5678", None, "x"]))
    assert result.values.dtype == "string"
    assert result.values.isna().tolist() == [False, True, True]
    assert result.codes.tolist() == [None, None, "phone_invalid"]


@pytest.mark.parametrize(
    ("e164", "expected"),
    [
        ("+819012345678", "090-1234-5678"),
        ("+81312345678", "03-1234-5678"),
        ("+81120123456", "0120-123-456"),
        ("+16502530000", "+1 650-253-0000"),
        ("+447911123456", "+44 7911 123456"),
    ],
)
def test_format_phone_is_national_for_japan_international_otherwise(e164, expected):
    assert format_phone(e164) == expected


def test_format_phone_leaves_non_numbers_alone():
    assert format_phone("n/a") == "n/a"


# --- properties -------------------------------------------------------------------

MOBILE = st.tuples(
    st.sampled_from(["070", "080", "090"]), st.from_regex(r"[1-9][0-9]{7}", fullmatch=True)
)
FULL_WIDTH = str.maketrans("0123456789-+", "０１２３４５６７８９－＋")
NOTATIONS = [
    lambda p, r: f"{p}-{r[:4]}-{r[4:]}",
    lambda p, r: f"{p}{r}",
    lambda p, r: f"{p} {r[:4]} {r[4:]}",
    lambda p, r: f"+81 {p[1:]}-{r[:4]}-{r[4:]}",
    lambda p, r: f"{p}-{r[:4]}-{r[4:]}".translate(FULL_WIDTH),
    lambda p, r: f"tel:{p}{r}",
]


@settings(deadline=None)
@given(MOBILE, st.sampled_from(NOTATIONS))
def test_round_trip_mobile_numbers(number, notation):
    prefix, rest = number
    e164 = f"+81{prefix[1:]}{rest}"
    assert phone(notation(prefix, rest)) == (e164, None)
    assert phone(format_phone(e164)) == (e164, None)


@settings(deadline=None)
@given(MOBILE)
def test_round_trip_mobile_numbers_stored_as_integers(number):
    prefix, rest = number
    assert phone(f"{prefix[1:]}{rest}") == (f"+81{prefix[1:]}{rest}", "phone_leading_zero_restored")


@settings(deadline=None)
@given(
    st.lists(st.one_of(st.none(), st.text(), st.sampled_from(["090-1234-5678", "9012345678", "x"])))
)
def test_values_are_na_exactly_when_a_failure_code_is_set(cells):
    raw = pd.Series(cells, index=list(range(len(cells)))[::-1], dtype=object)
    result = parse_phones(raw)
    assert result.values.index.equals(raw.index) and result.codes.index.equals(raw.index)
    blank = raw.isna() | (raw.astype("string").str.strip() == "")
    failed = result.codes == "phone_invalid"
    assert result.codes.dropna().isin(CORRECTIONS | {"phone_invalid"}).all()
    assert (result.values.isna() == (failed | blank)).all()
    assert result.values.dropna().str.fullmatch(r"\+\d+").all()


@given(
    digits=st.text(alphabet="0123456789", min_size=9, max_size=10),
    style=st.sampled_from(["{a}-{b}-{c}", "{a}{b}{c}", "{a} {b} {c}", "({a}){b}-{c}"]),
)
def test_fast_path_agrees_with_phonenumbers(digits: str, style: str) -> None:
    from sheetcrm.parse.phones import _plain_national_e164, _valid_e164

    text = style.format(a="0" + digits[:2], b=digits[2:6], c=digits[6:])
    fast = _plain_national_e164(text, "JP")
    if fast is not None:
        assert fast == _valid_e164(text, "JP")


@pytest.mark.parametrize("text", ["090-1234-5678", "03-1234-5678", "0120-123-456", "(03)1234-5678"])
def test_fast_path_takes_common_notations(text: str) -> None:
    from sheetcrm.parse.phones import _plain_national_e164

    assert _plain_national_e164(text, "JP") is not None
