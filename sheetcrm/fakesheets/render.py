"""How a stored cell reads back: effective value, formatted text, value render options.

Formats follow https://developers.google.com/sheets/api/guides/formats closely enough
for the patterns sheetcrm and the UI produce (``#,##0``, ``0.00%``, ``"¥"#,##0``,
``yyyy-mm-dd``, ``yyyy"年"m"月"d"日"``, ``h:mm``).  Conditional sections (``[>100]``),
colours, fractions and elapsed-time (``[h]``) are skipped, not rendered.

Formulas are never evaluated: their effective value is an ``ERROR`` whose message says
so, which reads back as ``#ERROR!`` (FORMULA render still gives the formula text).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

SERIAL_EPOCH = dt.datetime(1899, 12, 30)
NOT_EVALUATED = "fakesheets does not evaluate formulas"

DATETIME_TYPES = {"DATE", "TIME", "DATE_TIME"}

# Locale defaults for a numberFormat given a type but no pattern.
_DEFAULT_PATTERNS: dict[str, dict[str, str]] = {
    "en_US": {
        "DATE": "M/d/yyyy",
        "TIME": "h:mm:ss am/pm",
        "DATE_TIME": "M/d/yyyy H:mm:ss",
        "CURRENCY": '"$"#,##0.00',
    },
    "ja_JP": {
        "DATE": "yyyy/MM/dd",
        "TIME": "H:mm:ss",
        "DATE_TIME": "yyyy/MM/dd H:mm:ss",
        "CURRENCY": '"¥"#,##0',
    },
}
_TYPE_PATTERNS = {
    "NUMBER": "#,##0.00",
    "PERCENT": "0.00%",
    "SCIENTIFIC": "0.00E+00",
    "TEXT": "@",
}

ERROR_DISPLAY = {
    "ERROR": "#ERROR!",
    "NULL_VALUE": "#NULL!",
    "DIVIDE_BY_ZERO": "#DIV/0!",
    "VALUE": "#VALUE!",
    "REF": "#REF!",
    "NAME": "#NAME?",
    "NUM": "#NUM!",
    "N_A": "#N/A",
    "LOADING": "Loading...",
}


def json_number(x: float | int) -> float | int:
    """Integral numbers go out as JSON integers, as Google sends them (``43831``)."""
    if isinstance(x, float) and x.is_integer() and abs(x) < 2**53:
        return int(x)
    return x


def to_serial(value: dt.date | dt.datetime | dt.time) -> float:
    """Google's serial number: days since 1899-12-30, the fraction being the time of day."""
    if isinstance(value, dt.time):
        return (value.hour * 3600 + value.minute * 60 + value.second) / 86400
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day)
    delta = value.replace(tzinfo=None) - SERIAL_EPOCH
    return json_number(delta.days + delta.seconds / 86400)


def from_serial(serial: float) -> dt.datetime:
    """The datetime a serial number stands for (rounded to the second)."""
    return SERIAL_EPOCH + dt.timedelta(seconds=round(serial * 86400))


def effective_value(entered: dict[str, Any]) -> dict[str, Any]:
    """What the cell evaluates to; formulas are not evaluated (see module docstring)."""
    if "formulaValue" in entered:
        return {"errorValue": {"type": "ERROR", "message": NOT_EVALUATED}}
    return entered


def default_pattern(kind: str, locale: str) -> str:
    """The pattern a ``numberFormat`` of this type uses when it names none."""
    by_locale = _DEFAULT_PATTERNS.get(locale, _DEFAULT_PATTERNS["en_US"])
    return by_locale.get(kind) or _TYPE_PATTERNS.get(kind, "")


def formatted_value(cell: dict[str, Any], locale: str = "en_US") -> str | None:
    """The text the UI shows for a cell, or ``None`` for an empty cell."""
    entered = cell.get("userEnteredValue")
    if not entered:
        return None
    value = effective_value(entered)
    if "stringValue" in value:
        return value["stringValue"]
    if "boolValue" in value:
        return "TRUE" if value["boolValue"] else "FALSE"
    if "errorValue" in value:
        return ERROR_DISPLAY.get(value["errorValue"].get("type", "ERROR"), "#ERROR!")
    number = value.get("numberValue", 0)
    return format_number(number, number_format(cell), locale)


def number_format(cell: dict[str, Any]) -> dict[str, Any] | None:
    """The cell's numberFormat, if it has one."""
    return (cell.get("userEnteredFormat") or {}).get("numberFormat")


def is_datetime(cell: dict[str, Any]) -> bool:
    """Whether the cell's number is shown as a date, time or date-time."""
    fmt = number_format(cell)
    return fmt is not None and fmt.get("type") in DATETIME_TYPES


def render_value(
    cell: dict[str, Any] | None,
    value_render: str = "FORMATTED_VALUE",
    date_time_render: str = "SERIAL_NUMBER",
    locale: str = "en_US",
) -> Any:
    """One cell as the values API returns it (``""`` when empty)."""
    if not cell or not cell.get("userEnteredValue"):
        return ""
    entered = cell["userEnteredValue"]
    if value_render == "FORMULA" and "formulaValue" in entered:
        return entered["formulaValue"]
    if value_render == "FORMATTED_VALUE":
        return formatted_value(cell, locale) or ""
    value = effective_value(entered)
    if "numberValue" in value:
        if date_time_render == "FORMATTED_STRING" and is_datetime(cell):
            return formatted_value(cell, locale)
        return json_number(value["numberValue"])
    if "boolValue" in value:
        return value["boolValue"]
    if "errorValue" in value:
        return formatted_value(cell, locale)
    return value.get("stringValue", "")


def format_number(x: float, fmt: dict[str, Any] | None, locale: str = "en_US") -> str:
    """A number under a numberFormat (or the automatic format when there is none)."""
    if not fmt or not fmt.get("type"):
        return _general(x)
    kind = fmt["type"]
    pattern = fmt.get("pattern") or default_pattern(kind, locale)
    if kind in DATETIME_TYPES:
        return format_datetime(from_serial(x), pattern)
    if pattern in ("", "@", "General"):
        return _general(x)
    return _format_with_pattern(x, pattern)


def _general(x: float) -> str:
    """The automatic format: integers plainly, others to at most 10 decimals."""
    if isinstance(x, bool):
        return "TRUE" if x else "FALSE"
    if x != 0 and (abs(x) >= 1e15 or abs(x) < 1e-10):
        mantissa, exponent = f"{x:.5E}".split("E")
        mantissa = mantissa.rstrip("0").rstrip(".")
        sign = "-" if exponent.startswith("-") else "+"
        return f"{mantissa}E{sign}{exponent.lstrip('+-').lstrip('0').rjust(2, '0')}"
    if float(x).is_integer():
        return str(int(x))
    text = f"{round(x, 10):.10f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


# --- number patterns -------------------------------------------------------------


def _split_sections(pattern: str) -> list[str]:
    sections: list[str] = []
    current: list[str] = []
    quoted = False
    for ch in pattern:
        if ch == '"':
            quoted = not quoted
        if ch == ";" and not quoted:
            sections.append("".join(current))
            current = []
        else:
            current.append(ch)
    sections.append("".join(current))
    return sections


def _scan_number_pattern(section: str) -> tuple[str, str, str, bool, int]:
    """Split a section into prefix literal, numeric core, suffix literal, percent flag,
    exponent digits (0 when not scientific)."""
    prefix: list[str] = []
    core: list[str] = []
    suffix: list[str] = []
    percent = False
    exponent_digits = 0
    i = 0
    state = "before"
    while i < len(section):
        ch = section[i]
        target = prefix if state == "before" else suffix
        if ch == '"':
            end = section.find('"', i + 1)
            end = len(section) if end < 0 else end
            target.append(section[i + 1 : end])
            i = end + 1
            continue
        if ch == "\\" and i + 1 < len(section):
            target.append(section[i + 1])
            i += 2
            continue
        if ch in "_*" and i + 1 < len(section):
            target.append(" " if ch == "_" else "")
            i += 2
            continue
        if ch == "[":
            end = section.find("]", i)
            i = len(section) if end < 0 else end + 1
            continue
        if ch in "0#?.," and state in ("before", "core"):
            state = "core"
            core.append(ch)
            i += 1
            continue
        if ch in "Ee" and state == "core" and section[i + 1 : i + 2] in ("+", "-"):
            j = i + 2
            while j < len(section) and section[j] in "0#":
                j += 1
            exponent_digits = max(1, j - i - 2)
            state = "after"
            i = j
            continue
        if ch == "%":
            percent = True
        if state == "core":
            state = "after"
        (prefix if state == "before" else suffix).append(ch)
        i += 1
    return "".join(prefix), "".join(core), "".join(suffix), percent, exponent_digits


def _format_with_pattern(x: float, pattern: str) -> str:
    sections = _split_sections(pattern)
    section, sign = sections[0], "-" if x < 0 else ""
    if x < 0 and len(sections) > 1:
        section, sign = sections[1], ""
    elif x == 0 and len(sections) > 2:
        section = sections[2]
    x = abs(x)
    prefix, core, suffix, percent, exponent_digits = _scan_number_pattern(section)
    if not core:
        return f"{sign}{prefix}{suffix}"
    if percent:
        x *= 100
    int_part, _, frac_part = core.partition(".")
    grouping = "," in int_part
    min_int = int_part.count("0")
    min_dec = frac_part.count("0")
    max_dec = sum(frac_part.count(c) for c in "0#?")
    exponent = 0
    if exponent_digits and x:
        exponent = math.floor(math.log10(x))
        x = x / 10**exponent
    rounded = Decimal(repr(float(x))).quantize(Decimal(1).scaleb(-max_dec), ROUND_HALF_UP)
    whole, _, frac = f"{rounded:f}".partition(".")
    while len(frac) > min_dec and frac.endswith("0"):
        frac = frac[:-1]
    whole = whole.lstrip("0").rjust(min_int, "0")
    if grouping:
        whole = f"{int(whole or 0):,}" if whole else ""
    number = whole + (f".{frac}" if frac or ("." in core and min_dec) else "")
    if exponent_digits:
        exp_sign = "-" if exponent < 0 else "+"
        number += f"E{exp_sign}{str(abs(exponent)).rjust(exponent_digits, '0')}"
    return f"{sign}{prefix}{number}{suffix}"


# --- date patterns ---------------------------------------------------------------

_DATE_TOKEN = re.compile(
    r"yyyy|yy|y|mmmmm|mmmm|mmm|mm|m|dddd|ddd|dd|d|hh|h|ss|s|am/pm|a/p|\.0+",
    re.IGNORECASE,
)
_MONTHS = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def _tokenize_date(pattern: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        if ch == '"':
            end = pattern.find('"', i + 1)
            end = len(pattern) if end < 0 else end
            tokens.append(("lit", pattern[i + 1 : end]))
            i = end + 1
            continue
        if ch == "\\" and i + 1 < len(pattern):
            tokens.append(("lit", pattern[i + 1]))
            i += 2
            continue
        match = _DATE_TOKEN.match(pattern, i)
        if match:
            tokens.append(("tok", match.group(0).lower()))
            i = match.end()
            continue
        tokens.append(("lit", ch))
        i += 1
    return tokens


def format_datetime(value: dt.datetime, pattern: str) -> str:
    """A datetime under a date/time pattern; ``m`` is minutes next to hours or seconds."""
    tokens = _tokenize_date(pattern)
    kinds = [text if kind == "tok" else "" for kind, text in tokens]
    twelve_hour = any(k in ("am/pm", "a/p") for k in kinds)
    out: list[str] = []
    for index, (kind, text) in enumerate(tokens):
        if kind == "lit":
            out.append(text)
            continue
        if text in ("m", "mm"):
            before = [k for k in kinds[:index] if k]
            after = [k for k in kinds[index + 1 :] if k]
            is_minute = (before and before[-1] in ("h", "hh")) or (
                after and after[0] in ("s", "ss")
            )
            if is_minute:
                out.append(f"{value.minute:02d}" if text == "mm" else str(value.minute))
                continue
        out.append(_date_token(value, text, twelve_hour))
    return "".join(out)


def _date_token(value: dt.datetime, token: str, twelve_hour: bool) -> str:
    hour = (value.hour % 12 or 12) if twelve_hour else value.hour
    table = {
        "yyyy": f"{value.year:04d}",
        "yy": f"{value.year % 100:02d}",
        "y": f"{value.year % 100:02d}",
        "mmmmm": _MONTHS[value.month - 1][0],
        "mmmm": _MONTHS[value.month - 1],
        "mmm": _MONTHS[value.month - 1][:3],
        "mm": f"{value.month:02d}",
        "m": str(value.month),
        "dddd": _DAYS[value.weekday()],
        "ddd": _DAYS[value.weekday()][:3],
        "dd": f"{value.day:02d}",
        "d": str(value.day),
        "hh": f"{hour:02d}",
        "h": str(hour),
        "ss": f"{value.second:02d}",
        "s": str(value.second),
        "am/pm": "AM" if value.hour < 12 else "PM",
        "a/p": "a" if value.hour < 12 else "p",
    }
    if token.startswith("."):
        return "." + "0" * (len(token) - 1)
    return table[token]
