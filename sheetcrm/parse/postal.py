"""Read Japanese postal codes (``123-4567``) and find the prefecture an address starts with.

Accepted: ``〒123-4567``, ``1234567``, ``123－4567``, ``１２３４５６７``, ``〒 123 4567``,
``1234567.0`` (an Excel number).  A code that lost leading zeros in Excel (``12345``
for ``001-2345``) is *not* padded: too many 5- and 6-digit values are something else,
so it is reported as ``postal_code_invalid`` instead.
"""

from __future__ import annotations

import re
from functools import cache

import pandas as pd

from sheetcrm.parse.base import ParseResult, parse_unique
from sheetcrm.resources import load_table
from sheetcrm.text import nfkc

_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—―−ー", "-"))
_POSTAL_CODE = re.compile(r"〒?\s*(\d{3})\s*-?\s*(\d{4})(?:\.0+)?")
_LEADING_POSTAL_CODE = re.compile(r"^\s*〒?\s*\d{3}\s*-?\s*\d{4}(?!\d)\s*")


def _parse_postal_code(text: str) -> tuple[str | None, str | None]:
    match = _POSTAL_CODE.fullmatch(nfkc(text).translate(_DASHES).strip())
    if match is None:
        return None, "postal_code_invalid"
    return f"{match.group(1)}-{match.group(2)}", None


@cache
def _prefecture_pattern() -> re.Pattern[str]:
    names = load_table("vocabulary")["prefectures"]["names"]
    return re.compile("|".join(re.escape(n) for n in names))


def _prefecture(address: str) -> tuple[str | None, None]:
    text = _LEADING_POSTAL_CODE.sub("", nfkc(address).translate(_DASHES))
    match = _prefecture_pattern().match(text.strip())
    return (match.group() if match else None), None


def parse_postal_codes(raw: pd.Series) -> ParseResult:
    """Parse postal-code cells to ``123-4567`` (``string`` dtype); else ``postal_code_invalid``."""
    return parse_unique(raw, _parse_postal_code, dtype="string")


def extract_prefecture(address: pd.Series) -> pd.Series:
    """The prefecture (``東京都``…) an address starts with, past a 〒 code; else NA."""
    return parse_unique(address, _prefecture).values
