"""Read phone numbers to E.164 (``+819012345678``) so one customer's numbers match.

Validation is the ``phonenumbers`` library's (Google libphonenumber metadata); this
module only undoes what spreadsheets and people do to numbers first:

| cell                               | reading                                       |
|------------------------------------|-----------------------------------------------|
| ``０９０－１２３４－５６７８``     | NFKC, dash-like characters → ``-``            |
| ``tel:090…``, ``TEL: 03…``         | label dropped                                 |
| ``090-1234-5678(携帯)``            | bracketed note without digits dropped         |
| ``03-1234-5678 内線12``            | extension dropped (not part of E.164)         |
| ``9012345678``, ``9012345678.0``   | Excel stored it as a number: the 0 is put back |
| ``819012345678``                   | Excel read ``+81…`` as a number: the + is put back |

Restoring a lost 0 is only done for regions whose trunk prefix is ``0`` (Japan, the
UK…), where a national number without it is always incomplete; in the US the trunk
``1`` is optional, so nothing is restored there.

Columns are parsed and formatted a column at a time: plain national numbers (the shape
most cells have) and Japanese E.164 numbers go through ``phone_rules``, which replays
phonenumbers' own rules over arrays; every other value takes the per-number calls.
"""

from __future__ import annotations

import re
from functools import cache, lru_cache, partial

import numpy as np
import pandas as pd
import phonenumbers
import pyarrow as pa
import pyarrow.compute as pc
from phonenumbers import NumberParseException, PhoneMetadata, PhoneNumberFormat

from sheetcrm.parse import phone_rules
from sheetcrm.parse.base import ParseResult, parse_unique
from sheetcrm.text import nfkc

_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—―−ー", "-"))
_LABEL = re.compile(
    r"^(?:tel|phone|mobile|cell|fax|携帯電話|携帯|電話番号|電話|自宅|会社|勤務先)\s*[:.]?\s*",
    re.IGNORECASE,
)
_NOTE = re.compile(r"\([^()0-9]*\)")
_EXTENSION = re.compile(r"\s*内線\s*")
_EXCEL_NUMBER = re.compile(r"(\d+)\.0+")
_FIRST_DIGIT = re.compile(r"[0-9+]")
# A national number written with the trunk 0 and only spaces, dashes or brackets:
# 090-1234-5678, 03 (1234) 5678.  Such numbers skip phonenumbers' parser (see below).
_PLAIN_NATIONAL = re.compile(r"\(?0[1-9][0-9 ()-]{7,14}")
_SEPARATORS = re.compile(r"[ ()-]")
# Japanese E.164 text that phonenumbers parses straight back to the digits after +81
# (no leading 0 to keep, 2 to 17 digits: its bounds for a national significant number).
_JAPAN_CODE = phonenumbers.country_code_for_region("JP")
_JAPAN_E164 = re.compile(rf"\+{_JAPAN_CODE}[1-9][0-9]{{1,16}}")

Answer = tuple[str | None, str | None]


@cache
def _region_prefixes(region: str) -> tuple[str | None, str]:
    """The region's trunk prefix (``"0"`` for JP, ``None`` if optional/absent) and country code."""
    metadata = PhoneMetadata.metadata_for_region(region)
    trunk = metadata.national_prefix if metadata is not None else None
    return (trunk if trunk == "0" else None), str(phonenumbers.country_code_for_region(region))


def _valid_e164(text: str, region: str | None) -> str | None:
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def _normalise(text: str) -> str:
    text = nfkc(text).translate(_DASHES).strip()
    text = _LABEL.sub("", text)
    text = _NOTE.sub(" ", text)
    text = _EXTENSION.sub(" ext. ", text).strip()
    if excel := _EXCEL_NUMBER.fullmatch(text):
        text = excel.group(1)
    return text


def _plain_national_e164(text: str, region: str) -> str | None:
    """E.164 for a plain national number (``090-1234-5678``), or None to take the long way.

    Builds the number from its digits and asks phonenumbers only whether it is valid:
    the same answer as parsing it, at a third of the cost, for the shape most cells have.
    """
    trunk, country_code = _region_prefixes(region)
    if trunk is None or not _PLAIN_NATIONAL.fullmatch(text):
        return None
    digits = _SEPARATORS.sub("", text)
    if not digits.isdigit() or not 10 <= len(digits) <= 11:
        return None
    number = phonenumbers.PhoneNumber(
        country_code=int(country_code), national_number=int(digits[1:])
    )
    if not phonenumbers.is_valid_number_for_region(number, region):
        return None
    return f"+{country_code}{digits[1:]}"


def _parse_phone(text: str, region: str) -> Answer:
    text = _normalise(text)
    if fast := _plain_national_e164(text, region):
        return fast, None
    first = _FIRST_DIGIT.search(text)
    if first is None:
        return None, "phone_invalid"
    trunk, country_code = _region_prefixes(region)
    if trunk is not None and first.group() not in ("+", trunk):
        # phonenumbers would silently accept 9012345678 as a Japanese number; say so.
        if e164 := _valid_e164(trunk + text[first.start() :], region):
            return e164, "phone_leading_zero_restored"
        if text.startswith(country_code) and (e164 := _valid_e164("+" + text, region)):
            return e164, "phone_plus_restored"
        return None, "phone_invalid"
    if e164 := _valid_e164(text, region):
        return e164, None
    return None, "phone_invalid"


def _plain_national_batch(texts: list[str], region: str) -> np.ndarray:
    """``_plain_national_e164`` for many texts at once; None where it would say None.

    Only texts that ``_normalise`` leaves as they are qualify (ASCII digits and
    separators, no empty brackets, no trailing space), so the answer is the scalar one.
    """
    e164 = np.full(len(texts), None, dtype=object)
    trunk, country_code = _region_prefixes(region)
    if trunk is None or not texts:
        return e164
    cells = pa.array(texts, type=pa.string())
    plain = phone_rules.regex_matches(cells, f"^(?:{_PLAIN_NATIONAL.pattern})$")
    plain &= ~phone_rules.regex_matches(cells, _NOTE.pattern) & ~phone_rules.regex_matches(
        cells, " $"
    )
    rows = np.flatnonzero(plain)
    digits = pc.replace_substring_regex(cells.take(rows), _SEPARATORS.pattern, "")
    lengths = pc.utf8_length(digits).to_numpy(zero_copy_only=False)
    sized = (lengths >= 10) & (lengths <= 11)
    rows, national = rows[sized], pc.utf8_slice_codeunits(digits.filter(sized), 1)
    valid = phone_rules.valid_for_region(national, region)
    e164[rows[valid]] = pc.binary_join_element_wise(
        f"+{country_code}", national.filter(valid), ""
    ).to_pylist()
    return e164


def _read_plain_nationals(texts: pd.Series, region: str) -> pd.DataFrame:
    """The distinct texts that are plain national numbers, read in one pass (see
    :func:`sheetcrm.parse.base.parse_unique`'s ``read_many``); the rest are left out."""
    e164 = _plain_national_batch(texts.tolist(), region)
    read = np.flatnonzero(pd.notna(e164))
    return pd.DataFrame({"value": e164[read], "code": None}, index=read)


def parse_phones(raw: pd.Series, region: str = "JP") -> ParseResult:
    """Parse phone cells to E.164 strings (``string`` dtype).

    ``region`` is where numbers without ``+`` are dialled.  Codes: ``phone_invalid``
    (no value), ``phone_leading_zero_restored`` and ``phone_plus_restored`` (value kept).
    """
    region = region.upper()
    return parse_unique(
        raw,
        partial(_parse_phone, region=region),
        dtype="string",
        read_many=partial(_read_plain_nationals, region=region),
    )


@lru_cache(maxsize=65536)
def format_phone(e164: str) -> str:
    """Display form of an E.164 number: national for Japan (``090-1234-5678``), else international.

    Text that is not a phone number is returned unchanged.
    """
    try:
        number = phonenumbers.parse(e164, None)
    except NumberParseException:
        return e164
    if number.country_code == phonenumbers.country_code_for_region("JP"):
        return phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    return phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)


def format_phones(e164: pd.Series) -> pd.Series:
    """``format_phone`` for a column: display text, missing where the cell is not text.

    Each distinct number is formatted once; Japanese numbers (most of a Japanese shop's
    customers) in one pass over phonenumbers' format rules, others one by one.
    """
    texts = [value for value in e164.dropna().unique().tolist() if isinstance(value, str)]
    shown = dict(zip(texts, _format_phone_list(texts), strict=True))
    # The cells are then looked up through Series.map, so the result has the dtype (and
    # the missing-value marker) that mapping format_phone over the column always gave.
    return e164.map(lambda value: shown[value] if isinstance(value, str) else None)


def _format_phone_list(texts: list[str]) -> np.ndarray:
    """``format_phone`` of each distinct text."""
    shown = np.array(texts, dtype=object)
    done = _format_japanese_e164(texts, shown)
    for row in np.flatnonzero(~done):
        shown[row] = format_phone(texts[row])
    return shown


def _format_japanese_e164(texts: list[str], shown: np.ndarray) -> np.ndarray:
    """Put the national form of the plain Japanese E.164 texts into ``shown``; say which."""
    done = np.zeros(len(texts), dtype=bool)
    cells = pa.array(texts, type=pa.string())
    rows = np.flatnonzero(phone_rules.regex_matches(cells, f"^(?:{_JAPAN_E164.pattern})$"))
    national = pc.utf8_slice_codeunits(cells.take(rows), len(f"+{_JAPAN_CODE}"))
    kept = ~phone_rules.prefix_for_parsing_matches(national, _JAPAN_CODE)
    rows, national = rows[kept], national.filter(kept)
    shown[rows] = phone_rules.national_format(national, _JAPAN_CODE)
    done[rows] = True
    return done
