"""Turning written values into what a cell stores, per ``valueInputOption``.

``RAW`` keeps strings literally: ``=IMPORTXML(...)`` and ``0123`` stay text.
``USER_ENTERED`` parses as if typed into the UI
(https://developers.google.com/sheets/api/reference/rest/v4/ValueInputOption): a
leading ``=`` makes a formula, a leading apostrophe forces text (and is dropped),
``TRUE``/``FALSE`` become booleans, numbers, percents, currency and dates become
numbers with the number format the UI would infer.  Only dates with a year are
recognised; the UI's partial dates (``1-2``) are not modelled.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from sheetcrm.fakesheets.render import to_serial

_CURRENCY_SYMBOLS = {"en_US": "$", "ja_JP": "¥￥"}
_PLAIN = re.compile(r"[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+")
_SCIENTIFIC = re.compile(r"[+-]?\d+(?:\.\d+)?[eE][+-]?\d+")
_TIME = r"(\d{1,2}):(\d{2})(?::(\d{2}))?(?:\s*([AaPp][Mm]))?"
_DATE_FORMS: list[tuple[re.Pattern[str], str, str]] = [
    # regex (year, month, day order given by the group names), pattern, locales
    (re.compile(r"(?P<y>\d{4})-(?P<m>\d{1,2})-(?P<d>\d{1,2})"), "yyyy-mm-dd", "*"),
    (re.compile(r"(?P<y>\d{4})/(?P<m>\d{1,2})/(?P<d>\d{1,2})"), "yyyy/mm/dd", "*"),
    (re.compile(r"(?P<m>\d{1,2})/(?P<d>\d{1,2})/(?P<y>\d{4})"), "m/d/yyyy", "en_US"),
    (
        re.compile(r"(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日"),
        'yyyy"年"m"月"d"日"',
        "ja_JP",
    ),
]


@dataclass(frozen=True)
class Entered:
    """A parsed input: the cell's new ``userEnteredValue`` (``None`` clears it) and the
    number format the UI would apply with it, if any."""

    value: dict[str, Any] | None
    number_format: dict[str, str] | None = None


def _typed(value: Any) -> Entered | None:
    """Non-string JSON values mean the same under every input option."""
    if isinstance(value, bool):
        return Entered({"boolValue": value})
    if isinstance(value, int | float):
        return Entered({"numberValue": value})
    return None


def from_raw(value: Any) -> Entered:
    """``RAW``: strings are stored as text, exactly."""
    typed = _typed(value)
    if typed:
        return typed
    text = str(value)
    return Entered({"stringValue": text} if text != "" else None)


def from_user_entered(value: Any, locale: str = "en_US") -> Entered:
    """``USER_ENTERED``: parse the text as the UI would."""
    typed = _typed(value)
    if typed:
        return typed
    text = str(value)
    if text == "":
        return Entered(None)
    if text.startswith("'"):
        return Entered({"stringValue": text[1:]})
    if text.startswith("=") and len(text) > 1:
        return Entered({"formulaValue": text})
    stripped = text.strip()
    if stripped.upper() in ("TRUE", "FALSE"):
        return Entered({"boolValue": stripped.upper() == "TRUE"})
    return (
        _number(stripped, locale) or _datetime(stripped, locale) or Entered({"stringValue": text})
    )


def _decimals_pattern(number_text: str, grouped: bool) -> str:
    decimals = len(number_text.partition(".")[2])
    base = "#,##0" if grouped else "0"
    return base + ("." + "0" * decimals if decimals else "")


def _number(text: str, locale: str) -> Entered | None:
    if _PLAIN.fullmatch(text):
        number = float(text.replace(",", ""))
        if "," in text:
            fmt = {"type": "NUMBER", "pattern": _decimals_pattern(text, True)}
            return Entered({"numberValue": _tidy(number)}, fmt)
        return Entered({"numberValue": _tidy(number)})
    if _SCIENTIFIC.fullmatch(text):
        return Entered(
            {"numberValue": _tidy(float(text))}, {"type": "SCIENTIFIC", "pattern": "0.00E+00"}
        )
    if text.endswith("%") and _PLAIN.fullmatch(text[:-1].strip()):
        body = text[:-1].strip()
        number = float(body.replace(",", "")) / 100
        fmt = {"type": "PERCENT", "pattern": "0%" if "." not in body else "0.00%"}
        return Entered({"numberValue": _tidy(number)}, fmt)
    for symbol in _CURRENCY_SYMBOLS.get(locale, ""):
        sign = ""
        body = text
        if body.startswith("-"):
            sign, body = "-", body[1:]
        if body.startswith(symbol):
            body = body[len(symbol) :]
            if body.startswith("-"):
                sign, body = "-", body[1:]
            if _PLAIN.fullmatch(body) and not body.startswith(("+", "-")):
                number = float(sign + body.replace(",", ""))
                pattern = f'"{symbol}"' + _decimals_pattern(body, True)
                return Entered(
                    {"numberValue": _tidy(number)}, {"type": "CURRENCY", "pattern": pattern}
                )
    return None


def _tidy(number: float) -> float | int:
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _clock(groups: tuple[str | None, ...]) -> tuple[dt.time, str] | None:
    """A time of day from the four ``_TIME`` groups, with the pattern the UI infers."""
    hour_text, minute_text, second_text, meridiem_text = groups
    hour, minute = int(hour_text or 0), int(minute_text or 0)
    second = int(second_text or 0)
    meridiem = (meridiem_text or "").upper()
    if meridiem:
        if not 1 <= hour <= 12:
            return None
        hour = hour % 12 + (12 if meridiem == "PM" else 0)
    if hour > 23 or minute > 59 or second > 59:
        return None
    pattern = "h:mm" + (":ss" if second_text else "") + (" am/pm" if meridiem else "")
    return dt.time(hour, minute, second), pattern


def _datetime(text: str, locale: str) -> Entered | None:
    time_only = re.fullmatch(_TIME, text)
    if time_only:
        clock = _clock(time_only.groups())
        if not clock:
            return None
        return Entered({"numberValue": to_serial(clock[0])}, {"type": "TIME", "pattern": clock[1]})
    for regex, date_pattern, locales in _DATE_FORMS:
        if locales not in ("*", locale):
            continue
        match = re.fullmatch(regex.pattern + rf"(?:\s+{_TIME})?", text)
        if not match:
            continue
        try:
            day = dt.date(int(match["y"]), int(match["m"]), int(match["d"]))
        except ValueError:
            return None
        time_groups = match.groups()[3:]
        if time_groups[0] is None:
            fmt = {"type": "DATE", "pattern": date_pattern}
            return Entered({"numberValue": to_serial(day)}, fmt)
        clock = _clock(time_groups)
        if not clock:
            return None
        moment = dt.datetime.combine(day, clock[0])
        fmt = {"type": "DATE_TIME", "pattern": f"{date_pattern} {clock[1]}"}
        return Entered({"numberValue": to_serial(moment)}, fmt)
    return None


def from_python(value: Any) -> Entered:
    """A Python value from a seed (``create_spreadsheet`` or an xlsx): text stays text,
    dates become serial numbers with a date format, ``None`` is an empty cell."""
    if value is None:
        return Entered(None)
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return Entered(
                {"numberValue": to_serial(value)}, {"type": "DATE", "pattern": "yyyy-mm-dd"}
            )
        fmt = {"type": "DATE_TIME", "pattern": "yyyy-mm-dd h:mm:ss"}
        return Entered({"numberValue": to_serial(value)}, fmt)
    if isinstance(value, dt.date):
        return Entered({"numberValue": to_serial(value)}, {"type": "DATE", "pattern": "yyyy-mm-dd"})
    if isinstance(value, dt.time):
        return Entered({"numberValue": to_serial(value)}, {"type": "TIME", "pattern": "h:mm:ss"})
    return from_raw(value)
