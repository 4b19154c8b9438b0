"""Read money amounts and quantities as Japanese and English sheets write them.

| notation                          | example                                  |
|-----------------------------------|------------------------------------------|
| plain / Excel number              | ``1200``, ``1200.5``                     |
| currency mark or code             | ``¥1,200``, ``$12.50``, ``JPY 1200``     |
| 円, yen, 円也, 税込                | ``1,200円``, ``1200 yen``, ``金1,200円也`` |
| 万・千・億 units                  | ``1.2万円``, ``1万2000円``, ``12万``     |
| minus, ▲ or △ (Japanese), (…)    | ``-1,200``, ``▲1,200``, ``(1,200)``      |
| thousands by space                | ``1 200``                                |
| ¥ with a closing dash             | ``¥1,200-`` (a positive receipt amount)  |

Thousands separators must group by three (``1,20,0`` is rejected), and currencies are
not converted: the marks only say "this is money".  The marks and suffixes live in
``templates/vocabulary.toml``.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal, InvalidOperation
from functools import cache

import pandas as pd

from sheetcrm.parse.base import ParseResult, parse_unique
from sheetcrm.resources import load_table
from sheetcrm.text import nfkc

_SPACES = re.compile(r"[\s\u00a0\u2009\u202f]+")
_PLAIN = r"(?:\d{1,3}(?:,\d{3})+|\d{1,3}(?: \d{3})+|\d+)(?:\.\d+)?|\.\d+"
_PLAIN_NUMBER = re.compile(_PLAIN)
_UNIT_NUMBER = re.compile(
    rf"(?:(?P<oku>{_PLAIN})億)?(?:(?P<man>{_PLAIN})万)?(?:(?P<sen>{_PLAIN})千)?(?P<rest>{_PLAIN})?"
)
# Each unit part must be smaller than the unit before it: 1万2000 yes, 1万12000 no.
_UNITS: tuple[tuple[str, int], ...] = (("oku", 10**8), ("man", 10**4), ("sen", 10**3), ("rest", 1))
_ACCOUNTING_NEGATIVE = re.compile(r"\((.*)\)")
_YEN_PREFIXES = frozenset({"¥", "金"})

Answer = tuple[float | None, str | None]


def _alternatives(words: list[str]) -> str:
    return "|".join(re.escape(w.casefold()) for w in sorted(words, key=len, reverse=True))


@cache
def _amount_pattern() -> re.Pattern[str]:
    table = load_table("vocabulary")["amounts"]
    sign = rf"(?:\+|{_alternatives(table['negative'])})"
    return re.compile(
        rf"(?P<sign1>{sign})?\s*(?P<prefix>{_alternatives(table['prefixes'])})?\s*"
        rf"(?P<sign2>{sign})?\s*(?P<number>[0-9.][0-9., 億万千]*)\s*"
        rf"(?P<suffix>(?:(?:{_alternatives(table['suffixes'])})\s*)*)(?P<dash>-)?"
    )


@cache
def _quantity_pattern() -> re.Pattern[str]:
    table = load_table("vocabulary")["amounts"]
    return re.compile(
        rf"(?:{_alternatives(table['quantity_prefixes'])})?\s*(?P<sign>[-−])?\s*"
        r"(?P<number>\d{1,3}(?:,\d{3})+|\d+)(?:\.0+)?\s*"
        rf"(?:{_alternatives(table['quantity_suffixes'])})?"
    )


def _number(text: str) -> Decimal | None:
    """``1,200``, ``1 200``, ``1.2万``, ``1万2000`` → Decimal; ``None`` when not a number."""
    text = text.strip()
    if _PLAIN_NUMBER.fullmatch(text):
        return Decimal(text.replace(",", "").replace(" ", ""))
    match = _UNIT_NUMBER.fullmatch(text)
    if match is None or not any(match[name] for name, _ in _UNITS[:3]):
        return None
    present = [(name, unit, match[name]) for name, unit in _UNITS if match[name]]
    total = Decimal(0)
    for position, (name, unit, part) in enumerate(present):
        value = Decimal(part.replace(",", "").replace(" ", ""))
        if position and value >= present[position - 1][1] // unit:
            return None  # 1万12000: a lower part overflowing into the unit above
        if "." in part and name != present[-1][0]:
            return None  # 1.5万2000: a fraction must be the last part
        total += value * unit
    return total


def _parse_amount(text: str) -> Answer:
    text = _SPACES.sub(" ", nfkc(text).casefold()).strip()
    negative = False
    if accounting := _ACCOUNTING_NEGATIVE.fullmatch(text):
        text, negative = accounting.group(1).strip(), True
    match = _amount_pattern().fullmatch(text)
    if match is None or (match["sign1"] and match["sign2"]):
        return None, "amount_unreadable"
    sign = match["sign1"] or match["sign2"]
    if match["dash"] and not (match["prefix"] in _YEN_PREFIXES or "円" in match["suffix"]):
        return None, "amount_unreadable"  # 1200- : a trailing minus is not Japanese usage
    if negative and sign:
        return None, "amount_unreadable"
    try:
        number = _number(match["number"])
    except InvalidOperation:
        number = None
    if number is None:
        return None, "amount_unreadable"
    if negative or (sign and sign != "+"):
        number = -number
    value = float(number)
    if not math.isfinite(value):
        return None, "amount_unreadable"
    return value, None


def _parse_quantity(text: str) -> tuple[int | None, str | None]:
    match = _quantity_pattern().fullmatch(_SPACES.sub(" ", nfkc(text).casefold()).strip())
    if match is None:
        return None, "quantity_unreadable"
    digits = match["number"].replace(",", "")
    if len(digits) > 18:  # beyond Int64
        return None, "quantity_unreadable"
    value = int(digits)
    return (-value if match["sign"] else value), None


#: How fastexcel writes a number cell (``1200``, ``-1200.5``), kept within 15 digits a
#: side so that the text converts to the same float however it is read.
_EXCEL_NUMBER = r"-?[0-9]{1,15}(?:\.[0-9]{1,15})?"


def _read_excel_numbers(texts: pd.Series) -> pd.DataFrame:
    """_parse_amount's answers for the texts shaped like :data:`_EXCEL_NUMBER`, at once.

    _parse_amount reads them through Decimal, whose float() is the correctly rounded
    float of the same digits, as is Arrow's conversion; and as Decimal negates zero to
    zero, ``-0`` is ``0.0`` (adding 0.0 turns -0.0 into 0.0).
    """
    numbers = texts[texts.str.fullmatch(_EXCEL_NUMBER).to_numpy(dtype=bool, na_value=False)]
    values = numbers.astype("float64[pyarrow]").astype("float64") + 0.0
    return pd.DataFrame({"value": values.astype(object), "code": None}, dtype=object)


def parse_amounts(raw: pd.Series) -> ParseResult:
    """Parse money cells to ``float64``: ``NaN`` when blank or ``amount_unreadable``."""
    return parse_unique(raw, _parse_amount, dtype="float64", read_many=_read_excel_numbers)


def parse_quantities(raw: pd.Series) -> ParseResult:
    """Parse quantity cells (``3``, ``3個``, ``３点``, ``3.0``) to ``Int64``.

    Fractions (``2.5``) and text get ``quantity_unreadable``; negatives (returns) are kept.
    """
    return parse_unique(raw, _parse_quantity, dtype="Int64")
