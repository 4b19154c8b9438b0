"""The column-at-a-time phone paths give phonenumbers' own per-number answers.

``phone_rules`` replays the library's validity and NATIONAL-format rules over arrays;
``parse_phones`` and ``format_phones`` use it for the common shapes and fall back to the
per-number calls for the rest.  Every test here compares with phonenumbers itself (or
with the per-value code path the batch replaced) on many numbers.
"""

from __future__ import annotations

import random
from collections import defaultdict

import pandas as pd
import phonenumbers
import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from phonenumbers import (
    PhoneMetadata,
    PhoneNumber,
    PhoneNumberDesc,
    PhoneNumberFormat,
    PhoneNumberType,
)
from phonenumbers.phonenumberutil import _number_type_helper  # the rule replayed

from sheetcrm.parse import phone_rules, phones
from sheetcrm.parse.base import parse_unique
from sheetcrm.parse.phones import format_phone, format_phones, parse_phones

TYPES = [getattr(PhoneNumberType, name) for name in dir(PhoneNumberType) if name.isupper()]
SAMPLED_REGIONS = ["JP", "US", "GB", "DE", "KR", "AU"]


def number(country_code: int, national: str) -> PhoneNumber:
    """A PhoneNumber whose national significant number is exactly ``national``."""
    zeros = len(national) - len(national.lstrip("0"))
    result = PhoneNumber(country_code=country_code, national_number=int(national))
    if zeros:
        result.italian_leading_zero = True
        result.number_of_leading_zeros = zeros
    assert phonenumbers.national_significant_number(result) == national
    return result


def example_nationals() -> list[tuple[int, str]]:
    """(country code, national number) of every example number phonenumbers ships."""
    examples = [
        phonenumbers.example_number_for_type(region, kind)
        for region in sorted(phonenumbers.SUPPORTED_REGIONS)
        for kind in TYPES
    ]
    examples += [
        phonenumbers.example_number_for_non_geo_entity(code)
        for code in sorted(phonenumbers.COUNTRY_CODES_FOR_NON_GEO_REGIONS)
    ]
    found = {
        (n.country_code, phonenumbers.national_significant_number(n))
        for n in examples
        if n is not None
    }
    return sorted(found)


def near_misses(national: str, rng: random.Random) -> list[str]:
    """The number, one digit shorter, one longer, and with its tail redrawn."""
    tail = "".join(rng.choice("0123456789") for _ in range(min(4, len(national) - 1)))
    variants = [national, national[:-1], national + rng.choice("0123456789")]
    variants.append(national[: len(national) - len(tail)] + tail)
    return [v for v in variants if len(v) >= 2 and v.strip("0")]


def varied_nationals() -> list[tuple[int, str]]:
    rng = random.Random(20240101)
    found = {
        (code, v) for code, national in example_nationals() for v in near_misses(national, rng)
    }
    return sorted(found)


def random_nationals(region: str, count: int, rng: random.Random) -> list[str]:
    """Random digit strings of lengths around the region's possible lengths."""
    lengths = PhoneMetadata.metadata_for_region(region).general_desc.possible_length
    sizes = sorted({n + d for n in lengths for d in (-1, 0, 1) if n + d >= 2})
    return [
        rng.choice("123456789") + "".join(rng.choice("0123456789") for _ in range(size - 1))
        for size in (rng.choice(sizes) for _ in range(count))
    ]


def example_tails(region: str, rng: random.Random) -> list[str]:
    """Each of the region's example numbers with its last 1-6 digits redrawn (many are valid)."""
    code = phonenumbers.country_code_for_region(region)
    nationals = [n for c, n in example_nationals() if c == code]
    out = []
    for national in nationals:
        for keep in range(max(1, len(national) - 6), len(national)):
            tail = "".join(rng.choice("0123456789") for _ in range(len(national) - keep))
            out.append(national[:keep] + tail)
    return out


def assert_validity_agrees(code: int, nationals: list[str], region: str) -> None:
    batch = phone_rules.valid_for_region(pa.array(nationals, pa.string()), region)
    expected = [phonenumbers.is_valid_number_for_region(number(code, n), region) for n in nationals]
    assert batch.tolist() == expected


def assert_format_agrees(code: int, nationals: list[str]) -> None:
    batch = phone_rules.national_format(pa.array(nationals, pa.string()), code)
    expected = [
        phonenumbers.format_number(number(code, n), PhoneNumberFormat.NATIONAL) for n in nationals
    ]
    assert batch.tolist() == expected


def by_country_code(pairs: list[tuple[int, str]]) -> dict[int, list[str]]:
    grouped: dict[int, list[str]] = defaultdict(list)
    for code, national in pairs:
        grouped[code].append(national)
    return grouped


# --- phone_rules against phonenumbers ------------------------------------------------


def test_validity_agrees_for_every_example_number_in_every_region_of_its_code():
    checked = 0
    for code, nationals in by_country_code(varied_nationals()).items():
        for region in phonenumbers.region_codes_for_country_code(code):
            if region == phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY:
                continue
            assert_validity_agrees(code, nationals, region)
            checked += len(nationals)
    assert checked > 10_000


def test_validity_agrees_for_non_geographic_numbers():
    for code, nationals in by_country_code(varied_nationals()).items():
        metadata = PhoneMetadata.metadata_for_nongeo_region(code)
        if metadata is None:
            continue
        batch = phone_rules.valid_for_metadata(pa.array(nationals, pa.string()), metadata)
        expected = [
            phonenumbers.is_valid_number_for_region(number(code, n), "001") for n in nationals
        ]
        assert batch.tolist() == expected


def desc(pattern: str | None, lengths: tuple[int, ...] = ()) -> PhoneNumberDesc:
    return PhoneNumberDesc(national_number_pattern=pattern, possible_length=lengths)


# Metadata shapes the shipped data may not have (yet): a type whose lengths are narrower
# than its pattern, mobile sharing fixed-line's pattern but not its lengths, empty types.
MADE_UP_METADATA = [
    PhoneMetadata(
        "XA",
        general_desc=desc(r"[1-9]\d{3,8}", (4, 5, 6, 7, 8, 9)),
        fixed_line=desc(r"[1-5]\d{5,7}", (6,)),
        mobile=desc(r"[1-5]\d{5,7}", (7, 8)),
        register=False,
    ),
    PhoneMetadata(
        "XB",
        general_desc=desc(r"\d{4,9}"),
        fixed_line=desc(r"[2-4]\d{4,8}", (7,)),
        mobile=desc(r"[6-9]\d{6}"),
        toll_free=desc(r"800\d{3,5}", (6, 8)),
        voip=desc(""),
        pager=desc(None, (5,)),
        uan=desc(r"5\d{4,6}", (-1,)),
        register=False,
    ),
]


@pytest.mark.parametrize("metadata", MADE_UP_METADATA, ids=lambda m: m.id)
def test_validity_follows_the_library_on_made_up_metadata(metadata):
    rng = random.Random(metadata.id)
    nationals = [
        "".join(rng.choice("0123456789") for _ in range(rng.randint(3, 10))) for _ in range(5000)
    ]
    batch = phone_rules.valid_for_metadata(pa.array(nationals, pa.string()), metadata)
    expected = [_number_type_helper(n, metadata) != PhoneNumberType.UNKNOWN for n in nationals]
    assert batch.tolist() == expected
    assert 100 < batch.sum() < len(nationals) - 100


def test_national_format_agrees_for_every_example_number():
    for code, nationals in by_country_code(varied_nationals()).items():
        assert_format_agrees(code, nationals)


@pytest.mark.parametrize("region", SAMPLED_REGIONS)
def test_random_numbers_agree(region):
    rng = random.Random(region)
    code = phonenumbers.country_code_for_region(region)
    nationals = random_nationals(region, 3000, rng) + example_tails(region, rng)
    assert_validity_agrees(code, nationals, region)
    assert_format_agrees(code, nationals)


def test_random_japanese_numbers_include_many_valid_ones_of_many_formats():
    rng = random.Random(7)
    nationals = pa.array(example_tails("JP", rng) + random_nationals("JP", 3000, rng))
    valid = phone_rules.valid_for_region(nationals, "JP")
    shapes = {
        "".join("9" if c.isdigit() else c for c in text)
        for text in phone_rules.national_format(nationals.filter(valid), 81)
    }
    assert valid.sum() > 150
    assert len(shapes) >= 5


@settings(deadline=None, max_examples=300)
@given(
    region=st.sampled_from([*SAMPLED_REGIONS, "IT", "CN", "BR", "IN", "FR", "AR"]),
    national=st.from_regex(r"[0-9]{2,17}", fullmatch=True).filter(lambda n: n.strip("0")),
)
def test_any_digits_agree(region, national):
    code = phonenumbers.country_code_for_region(region)
    assert_validity_agrees(code, [national], region)
    assert_format_agrees(code, [national])


def test_python_regex_engine_gives_the_same_answers(monkeypatch):
    pairs = varied_nationals()[::7]
    monkeypatch.setattr(phone_rules, "_re2_accepts", lambda pattern: False)
    monkeypatch.setattr(phone_rules, "_DIGIT_GROUPS", phone_rules.re.compile("(?!)"))
    for code, nationals in by_country_code(pairs).items():
        assert_format_agrees(code, nationals)
        region = phonenumbers.region_code_for_country_code(code)
        if region != phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY:
            assert_validity_agrees(code, nationals, region)


def test_parsing_e164_keeps_the_digits_unless_a_national_prefix_could_be_stripped():
    rng = random.Random(3)
    pairs = varied_nationals() + [
        (phonenumbers.country_code_for_region(r), n)
        for r in SAMPLED_REGIONS
        for n in random_nationals(r, 300, rng)
    ]
    for code, nationals in by_country_code(pairs).items():
        # format_phones only sends +<code> and 2 to 17 digits, not starting with 0, this way.
        nationals = [n for n in nationals if not n.startswith("0") and len(n) <= 17]
        strippable = phone_rules.prefix_for_parsing_matches(pa.array(nationals, pa.string()), code)
        for national, may_strip in zip(nationals, strippable, strict=True):
            if not may_strip:
                parsed = phonenumbers.parse(f"+{code}{national}", None)
                assert phonenumbers.national_significant_number(parsed) == national


# --- parse_phones against the per-value path --------------------------------------------

FULL_WIDTH = str.maketrans("0123456789-+()", "０１２３４５６７８９－＋（）")


def notations(digits: str, rng: random.Random) -> list[str]:
    """Ways people and spreadsheets write the same trunk-prefixed number."""
    a, b, c = digits[:3], digits[3:7], digits[7:]
    return [
        digits,
        f"{a}-{b}-{c}",
        f"{a} {b} {c}",
        f"({a}){b}-{c}",
        f"{a}({b}){c}",
        f"{a}-{b}-{c}()",
        f"{a}-{b}-{c}(携帯)",
        f"{a}-{b}-{c}".translate(FULL_WIDTH),
        f"tel:{digits}",
        f"{a}ー{b}ー{c}",
        f"{digits} 内線{rng.randint(1, 99)}",
        digits[1:],  # Excel dropped the leading 0
        f"{digits[1:]}.0",
        f"  {a}-{b}-{c}\u3000",
        f"{a}--{b}  {c}",
    ]


def per_value(raw: pd.Series, region: str):
    """What parse_phones answered before it worked on whole columns."""
    return parse_unique(raw, lambda text: phones._parse_phone(text, region), dtype="string")


def assert_parse_agrees(cells: list, region: str) -> None:
    raw = pd.Series(cells, dtype=object)
    batch, reference = parse_phones(raw, region=region), per_value(raw, region.upper())
    pd.testing.assert_series_equal(batch.values, reference.values)
    pd.testing.assert_series_equal(batch.codes, reference.codes)


@pytest.mark.parametrize("region", [*SAMPLED_REGIONS, "jp", "FR", "IT", "ZZ"])
def test_parse_phones_agrees_with_the_per_value_path(region):
    rng = random.Random(region)
    trunk = PhoneMetadata.metadata_for_region(region.upper()) if region != "ZZ" else None
    prefix = (trunk.national_prefix or "0") if trunk is not None else "0"
    cells: list = [None, "", "  ", "abc", "+81 90-1234-5678", "819012345678", "0"]
    nationals = random_nationals("JP" if region == "ZZ" else region.upper(), 400, rng)
    nationals += example_tails("JP" if region == "ZZ" else region.upper(), rng)
    for national in nationals:
        cells += notations(prefix + national, rng)
    cells += cells[:200]  # repeated cells
    assert_parse_agrees(cells, region)


@settings(deadline=None, max_examples=200)
@given(
    cells=st.lists(
        st.one_of(
            st.none(),
            st.text(alphabet="0123456789 -()+", max_size=18),
            st.from_regex(r"0[1-9][0-9]{8,9}", fullmatch=True),
            st.from_regex(r"\(?0[1-9][0-9 ()-]{7,14}", fullmatch=True),
            st.text(max_size=12),
        ),
        max_size=30,
    ),
    region=st.sampled_from(SAMPLED_REGIONS),
)
def test_parse_phones_agrees_on_any_cells(cells, region):
    assert_parse_agrees(cells, region)


def test_plain_numbers_skip_the_per_number_path_and_others_take_it(monkeypatch):
    seen: list[str] = []
    scalar = phones._parse_phone

    def spy(text: str, region: str):
        seen.append(text)
        return scalar(text, region)

    monkeypatch.setattr(phones, "_parse_phone", spy)
    result = parse_phones(pd.Series(["090-1234-5678", "(03)1234-5678", "9012345678", "090-1234"]))
    assert seen == ["9012345678", "090-1234"]
    assert result.values.tolist()[:3] == ["+819012345678", "+81312345678", "+819012345678"]
    assert result.codes.tolist() == [None, None, "phone_leading_zero_restored", "phone_invalid"]


# --- format_phones against format_phone ----------------------------------------------------


def mapped(values: pd.Series) -> pd.Series:
    """What the Customers and Action tabs did before format_phones."""
    return values.map(lambda p: format_phone(p) if isinstance(p, str) else None)


def display_cells() -> list:
    rng = random.Random(11)
    cells: list = [None, float("nan"), pd.NA, "n/a", "", "+", "+81", "+810", 819012345678]
    cells += [f"+{code}{national}" for code, national in varied_nationals()]
    cells += [f"+81{n}" for n in random_nationals("JP", 2000, rng) + example_tails("JP", rng)]
    cells += ["+81" + "".join(rng.choice("0123456789") for _ in range(k)) for k in range(20)]
    cells += ["+81 90-1234-5678", "+819012345678;ext=12", "+８１９０１２３４５６７８"]
    return cells + cells[:300]


@pytest.mark.parametrize("dtype", [object, "str", "string"])
def test_format_phones_equals_mapping_format_phone(dtype):
    cells = display_cells()
    if dtype is not object:
        cells = [c if isinstance(c, str) else None for c in cells]
    values = pd.Series(cells, dtype=dtype, name="phone", index=range(len(cells), 0, -1))
    pd.testing.assert_series_equal(format_phones(values), mapped(values))


@settings(deadline=None, max_examples=200)
@given(
    st.lists(
        st.one_of(
            st.none(),
            st.from_regex(r"\+81[0-9]{0,18}", fullmatch=True),
            st.from_regex(r"\+[1-9][0-9]{1,15}", fullmatch=True),
            st.text(max_size=10),
        ),
        max_size=20,
    )
)
def test_format_phones_agrees_on_any_cells(cells):
    values = pd.Series(cells, dtype=object)
    pd.testing.assert_series_equal(format_phones(values), mapped(values))


def test_japanese_numbers_skip_the_per_number_formatter_and_others_take_it(monkeypatch):
    seen: list[str] = []

    def spy(e164: str) -> str:
        seen.append(e164)
        return format_phone(e164)

    monkeypatch.setattr(phones, "format_phone", spy)
    shown = format_phones(pd.Series(["+819012345678", "+16502530000", None, "n/a"]))
    assert shown.fillna("-").tolist() == ["090-1234-5678", "+1 650-253-0000", "-", "n/a"]
    assert seen == ["+16502530000", "n/a"]
