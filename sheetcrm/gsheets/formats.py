"""How each column kind looks in Google Sheets: number formats, header style, widths.

The Google counterpart of :mod:`sheetcrm.xlsx_formats`, built from the same tables so
the two backends look alike: the same patterns (Sheets reads Excel's syntax, with
literal text quoted), the same header colours, the same recency colour scale, widths
converted from Excel's character units to pixels.
"""

from __future__ import annotations

from typing import Any

from sheetcrm.xlsx_formats import DATE_FORMATS, HEADER_STYLE, RECENCY_SCALE

# Currency symbol and decimals per ISO 4217 code (as in xlsx_formats.CURRENCY_FORMATS).
_CURRENCIES: dict[str, tuple[str, int]] = {
    "JPY": ("¥", 0),
    "KRW": ("₩", 0),
    "TWD": ("NT$", 0),
    "USD": ("$", 2),
    "AUD": ("A$", 2),
    "CAD": ("C$", 2),
    "EUR": ("€", 2),
    "GBP": ("£", 2),
    "CNY": ("CN¥", 2),
}
_NUMBER_PATTERNS: dict[str, tuple[str, str]] = {
    "integer": ("NUMBER", "#,##0"),
    "days": ("NUMBER", "#,##0"),
    "number": ("NUMBER", "#,##0.00"),
    "percent": ("PERCENT", "0.0%"),
}

#: Excel's column width unit is one "0" of the default font: ~7 px plus 5 px padding.
_PIXELS_PER_CHARACTER = 7
_PADDING_PIXELS = 5

CHART_WIDTH_PX = 480  # xlsxwriter's default chart size, so both backends match
CHART_HEIGHT_PX = 288
CHART_GAP_PX = 20
ROW_HEIGHT_PX = 21  # Google's default row height
COLUMN_WIDTH_PX = 100  # Google's default column width


def rgb(hex_color: str) -> dict[str, float]:
    """``"#1F6F78"`` → Google's ``Color`` (fractions of 1)."""
    value = hex_color.lstrip("#")
    red, green, blue = (int(value[i : i + 2], 16) / 255 for i in (0, 2, 4))
    return {"red": round(red, 4), "green": round(green, 4), "blue": round(blue, 4)}


def color_style(hex_color: str) -> dict[str, Any]:
    return {"rgbColor": rgb(hex_color)}


def number_format(kind: str, lang: str, currency: str = "JPY") -> dict[str, str] | None:
    """Google's ``NumberFormat`` for a column kind (``None``: leave automatic)."""
    if kind == "date":
        return {"type": "DATE", "pattern": DATE_FORMATS.get(lang, DATE_FORMATS["en"])}
    if kind == "money":
        symbol, decimals = _CURRENCIES.get(currency, _CURRENCIES["JPY"])
        digits = "#,##0" + ("." + "0" * decimals if decimals else "")
        # Quoted so a symbol with letters (NT$, CN¥) is literal text, not a format code.
        return {"type": "CURRENCY", "pattern": f'"{symbol}"{digits};-"{symbol}"{digits}'}
    if kind in _NUMBER_PATTERNS:
        kind_type, pattern = _NUMBER_PATTERNS[kind]
        return {"type": kind_type, "pattern": pattern}
    return None


def header_format() -> dict[str, Any]:
    """The header row's ``CellFormat``: the xlsx renderer's header style."""
    return {
        "backgroundColorStyle": color_style(HEADER_STYLE["bg_color"]),
        "textFormat": {
            "bold": True,
            "foregroundColorStyle": color_style(HEADER_STYLE["font_color"]),
        },
        "wrapStrategy": "WRAP",
        "verticalAlignment": "TOP",
        "borders": {"bottom": {"style": "SOLID"}},
    }


HEADER_FIELDS = (
    "userEnteredFormat(backgroundColorStyle,textFormat,wrapStrategy,verticalAlignment,borders)"
)
CAPTION_FORMAT: dict[str, Any] = {"textFormat": {"bold": True, "fontSize": 13}}
CAPTION_FIELDS = "userEnteredFormat.textFormat"


def recency_gradient() -> dict[str, Any]:
    """The 3-colour scale of the recency column: green (recent) → yellow → red."""
    return {
        "minpoint": {"colorStyle": color_style(RECENCY_SCALE["min_color"]), "type": "MIN"},
        "midpoint": {
            "colorStyle": color_style(RECENCY_SCALE["mid_color"]),
            "type": "PERCENTILE",
            "value": "50",
        },
        "maxpoint": {"colorStyle": color_style(RECENCY_SCALE["max_color"]), "type": "MAX"},
    }


def pixels(width_characters: float) -> int:
    """An Excel column width (characters) in pixels."""
    return round(width_characters * _PIXELS_PER_CHARACTER + _PADDING_PIXELS)
