"""How each column kind looks in Excel: number formats, cell styles and display widths.

The output model names formats by *kind*; this module is the xlsx side of that
contract.  :mod:`sheetcrm.render_xlsx` turns these tables into xlsxwriter ``Format``
objects once per workbook.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from typing import Any

#: Excel number format per column kind (``None``: General).  Dates depend on the
#: language, see :data:`DATE_FORMATS`.  ``percent`` values are fractions (0.25 → 25.0%).
NUMBER_FORMATS: dict[str, str | None] = {
    "text": None,
    "integer": "#,##0",
    "number": "#,##0.00",
    "money": "¥#,##0;-¥#,##0",
    "percent": "0.0%",
    "days": "#,##0",
}

#: Date format per output language; unknown languages get ISO order.
DATE_FORMATS: dict[str, str] = {"ja": "yyyy/mm/dd", "en": "yyyy-mm-dd"}

HEADER_STYLE: dict[str, Any] = {
    "bold": True,
    "font_color": "#FFFFFF",
    "bg_color": "#1F6F78",
    "text_wrap": True,
    "valign": "top",
    "bottom": 1,
}
CAPTION_STYLE: dict[str, Any] = {"bold": True, "font_size": 13}
# Text is written with write_string, so no "@" format is needed; the alignment only
# keeps digit-only text (postcodes, phone numbers) from looking like numbers.
TEXT_STYLE: dict[str, Any] = {"align": "left"}

#: The recency colour scale: few days since the last order is good (green).
HEAT_SCALE: dict[str, str] = {
    "type": "2_color_scale",
    "min_color": "#FFFFFF",
    "max_color": "#63BE7B",
}
RECENCY_SCALE: dict[str, str] = {
    "type": "3_color_scale",
    "min_color": "#63BE7B",
    "mid_color": "#FFEB84",
    "max_color": "#F8696B",
}

MIN_WIDTH = 6.0
MAX_WIDTH = 50.0

# How a number of each kind reads once formatted, to size its column.
_NUMBER_DISPLAY: dict[str, str] = {
    "text": "{:g}",
    "integer": "{:,.0f}",
    "days": "{:,.0f}",
    "number": "{:,.2f}",
    "money": "¥{:,.0f}",
    "percent": "{:.1%}",
}
_DATE_DISPLAY = "0000-00-00"


#: Money formats by ISO 4217 code; currencies with no minor unit show none.
CURRENCY_FORMATS: dict[str, str] = {
    "JPY": "¥#,##0;-¥#,##0",
    "KRW": "₩#,##0;-₩#,##0",
    "TWD": "NT$#,##0;-NT$#,##0",
    "USD": "$#,##0.00;-$#,##0.00",
    "AUD": "A$#,##0.00;-A$#,##0.00",
    "CAD": "C$#,##0.00;-C$#,##0.00",
    "EUR": "€#,##0.00;-€#,##0.00",
    "GBP": "£#,##0.00;-£#,##0.00",
    "CNY": "CN¥#,##0.00;-CN¥#,##0.00",
}


def number_format(kind: str, lang: str, currency: str = "JPY") -> str | None:
    """The Excel number format for a column ``kind`` in output language ``lang``."""
    if kind == "date":
        return DATE_FORMATS.get(lang, DATE_FORMATS["en"])
    if kind == "money":
        return CURRENCY_FORMATS.get(currency, CURRENCY_FORMATS["JPY"])
    return NUMBER_FORMATS[kind]


def display_text(value: Any, kind: str) -> str:
    """Roughly the text Excel shows for ``value`` in a column of ``kind`` (for sizing only)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "FALSE"
    if isinstance(value, dt.date) or kind == "date":
        return _DATE_DISPLAY
    try:
        return _NUMBER_DISPLAY[kind].format(float(value))
    except (TypeError, ValueError, OverflowError):
        return str(value)


def text_width(text: str) -> int:
    """Width of ``text`` in Excel character units: East Asian wide characters count double.

    Only the widest line counts, and only its first characters, since columns are
    capped at :data:`MAX_WIDTH` anyway.
    """
    cap = int(MAX_WIDTH) + 1
    return max(
        sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in line[:cap])
        for line in text.split("\n")
    )


def fitted_width(header: str, values: list[Any], kind: str) -> float:
    """A column width that shows ``header`` and typical ``values``, within [6, 50].

    The header gets room for the autofilter drop-down button.
    """
    widest = text_width(header) + 3
    for value in values:
        widest = max(widest, text_width(display_text(value, kind)) + 2)
    return min(max(float(widest), MIN_WIDTH), MAX_WIDTH)
