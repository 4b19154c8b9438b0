import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from sheetcrm.parse.postal import extract_prefecture, parse_postal_codes
from sheetcrm.resources import load_table


def postal(text: str) -> tuple[str | None, str | None]:
    result = parse_postal_codes(pd.Series([text]))
    value = result.values.iloc[0]
    return (None if pd.isna(value) else value), result.codes.iloc[0]


def prefecture(address: str) -> str | None:
    return extract_prefecture(pd.Series([address])).iloc[0]


@pytest.mark.parametrize(
    "text",
    [
        "123-4567",
        "〒123-4567",
        "1234567",
        "123－4567",
        "１２３４５６７",
        "〒 123 4567",
        "〒１２３－４５６７",
        "123ー4567",
        "1234567.0",
    ],
)
def test_postal_code_notations_parse(text):
    assert postal(text) == ("123-4567", None)


@pytest.mark.parametrize(
    "text", ["12345", "123456", "123-456", "1234-567", "12345678", "abc", "〒", "東京都"]
)
def test_invalid_postal_code_is_flagged(text):
    assert postal(text) == (None, "postal_code_invalid")


def test_postal_code_that_lost_leading_zeros_is_not_guessed():
    assert postal("12345") == (None, "postal_code_invalid")  # 001-2345 in Excel as a number


def test_postal_values_are_strings_with_na():
    result = parse_postal_codes(pd.Series(["1234567", None]))
    assert result.values.dtype == "string"
    assert result.values.isna().tolist() == [False, True]
    assert result.codes.tolist() == [None, None]


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("東京都渋谷区道玄坂1-2-3", "東京都"),
        ("北海道札幌市中央区", "北海道"),
        ("大阪府大阪市北区", "大阪府"),
        ("京都府京都市中京区", "京都府"),
        ("神奈川県横浜市西区", "神奈川県"),
        ("〒150-0001 東京都渋谷区", "東京都"),
        ("〒150-0001　東京都渋谷区", "東京都"),
        ("1500001東京都渋谷区", "東京都"),
        ("　東京都渋谷区", "東京都"),
        ("鹿児島県鹿児島市", "鹿児島県"),
    ],
)
def test_prefecture_is_found_at_the_start(address, expected):
    assert prefecture(address) == expected


@pytest.mark.parametrize("address", ["渋谷区道玄坂", "東京渋谷区", "日本 東京都", "Tokyo", ""])
def test_no_prefecture_is_na(address):
    assert prefecture(address) is None


def test_all_47_prefectures_are_listed():
    names = load_table("vocabulary")["prefectures"]["names"]
    assert len(names) == len(set(names)) == 47
    assert all(n[-1] in "都道府県" for n in names)


@pytest.mark.parametrize("name", load_table("vocabulary")["prefectures"]["names"])
def test_every_prefecture_is_recognised(name):
    assert prefecture(f"{name}〇〇市1-1") == name


# --- properties -------------------------------------------------------------------

SEVEN_DIGITS = st.from_regex(r"[0-9]{7}", fullmatch=True)
FULL_WIDTH = str.maketrans("0123456789-", "０１２３４５６７８９－")
NOTATIONS = [
    lambda d: d,
    lambda d: f"{d[:3]}-{d[3:]}",
    lambda d: f"〒{d[:3]}-{d[3:]}",
    lambda d: f"〒 {d[:3]} {d[3:]}",
    lambda d: f"{d[:3]}-{d[3:]}".translate(FULL_WIDTH),
]


@given(SEVEN_DIGITS, st.sampled_from(NOTATIONS))
def test_round_trip_postal_codes(digits, notation):
    assert postal(notation(digits)) == (f"{digits[:3]}-{digits[3:]}", None)


@given(st.lists(st.one_of(st.none(), st.text(), SEVEN_DIGITS)))
def test_values_are_na_exactly_when_a_code_is_set(cells):
    raw = pd.Series(cells, index=[-i for i in range(len(cells))], dtype=object)
    result = parse_postal_codes(raw)
    assert result.values.index.equals(raw.index) and result.codes.index.equals(raw.index)
    blank = raw.isna() | (raw.astype("string").str.strip() == "")
    failed = result.codes == "postal_code_invalid"
    assert result.codes.notna().eq(failed).all()
    assert (result.values.isna() == (failed | blank)).all()
    assert extract_prefecture(raw).index.equals(raw.index)
