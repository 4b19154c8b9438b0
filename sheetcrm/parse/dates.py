"""Read dates as sellers and spreadsheets write them: ISO, Excel serials, 和暦, 2024年1月5日…

Each notation is one regular expression and one small reader; a cell that fits none
of them, or fits one ambiguously, gets an issue code instead of a guess.

| notation                               | example                        |
|----------------------------------------|--------------------------------|
| ISO date, optional time (fastexcel)    | ``2024-01-05 10:30:00``        |
| year first, ``/`` ``-`` ``.``          | ``2024/1/5``, ``2024.01.05``   |
| 年月日                                 | ``2024年1月5日``               |
| 8 digits                               | ``20240105``                   |
| Excel serial (1900 system)             | ``45296``, ``45296.5``         |
| 和暦, kanji or letter, 元年            | ``令和6年1月5日``, ``R6.1.5``  |
| year last, only if unambiguous         | ``25/12/2024``                 |
| English month name                     | ``Jan 5, 2024``, ``5-Jan-2024``|

A trailing time (``10:30``, ``10時30分``, ``T10:30:00+09:00``) and a weekday in
brackets (``2024/1/5(金)``) are accepted and dropped.  Full-width digits and
punctuation are folded with NFKC first.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import cache

import numpy as np
import pandas as pd

from sheetcrm.parse.base import ParseResult, parse_unique
from sheetcrm.resources import load_table
from sheetcrm.text import nfkc

EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2100, 12, 31)

# Excel's 1900 date system counts 1900-01-01 as 1 and keeps Lotus 1-2-3's phantom
# 1900-02-29 as 60, so serials after 60 are one day ahead of a plain count.
# https://learn.microsoft.com/en-us/office/troubleshoot/excel/wrongly-assumes-1900-is-leap-year
_EXCEL_MAX_SERIAL = 2958465  # 9999-12-31
_EXCEL_PHANTOM_LEAP_DAY = 60
_EXCEL_EPOCH_BEFORE_LEAP = dt.date(1899, 12, 31)
_EXCEL_EPOCH_AFTER_LEAP = dt.date(1899, 12, 30)

_DASHES = str.maketrans(dict.fromkeys("‐‑‒–—―−ー", "-"))
_SPACES = re.compile(r"\s+")
_WEEKDAY = re.compile(
    r"\s*[(（]\s*(?:[月火水木金土日](?:曜日?)?|mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?\s*[)）]",
    re.IGNORECASE,
)
_TIME = re.compile(
    r"(?:\s+|(?<=\d)T)(?:(?:午前|午後)\s*)?"
    r"(?P<hour>\d{1,2})(?::(?P<minute>\d{2})(?::(?P<second>\d{2})(?:\.\d+)?)?"
    r"|時(?:(?P<minute_ja>\d{1,2})分(?:(?P<second_ja>\d{1,2})秒)?)?)"
    r"\s*(?:[ap]\.?m\.?)?\s*(?:z|utc|[+-]\d{2}:?\d{2})?$",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"\d+(?:\.\d+)?")
_EIGHT_DIGITS = re.compile(r"(\d{4})(\d{2})(\d{2})")
_YEAR_FIRST = re.compile(
    r"(?P<year>\d{4})\s*(?P<sep>[/.-])\s*(?P<month>\d{1,2})\s*(?P=sep)\s*(?P<day>\d{1,2})"
)
_YEAR_FIRST_JA = re.compile(
    r"(?P<year>\d{4})\s*年\s*(?P<month>\d{1,2})\s*月\s*(?P<day>\d{1,2})\s*日?"
)
_YEAR_LAST = re.compile(r"(\d{1,2})\s*([/.-])\s*(\d{1,2})\s*\2\s*(\d{4})")
_ERA_MONTH_DAY = (
    r"(?:年\s*(?P<month_ja>\d{1,2})\s*月\s*(?P<day_ja>\d{1,2})\s*日?"
    r"|(?P<sep>[/.-])\s*(?P<month>\d{1,2})\s*(?P=sep)\s*(?P<day>\d{1,2}))"
)

Answer = tuple[dt.date | None, str | None]


@dataclass(frozen=True)
class _Era:
    name: str
    start: dt.date
    end: dt.date | None


@cache
def _eras() -> tuple[re.Pattern[str], dict[str, _Era]]:
    """The era pattern and a lookup from every spelling (令和, R, r) to its era."""
    by_spelling: dict[str, _Era] = {}
    for row in load_table("vocabulary")["eras"]:
        era = _Era(row["name"], row["start"], row.get("end"))
        for spelling in [row["name"], *row["letters"]]:
            by_spelling[spelling.casefold()] = era
    spellings = "|".join(re.escape(s) for s in sorted(by_spelling, key=len, reverse=True))
    pattern = re.compile(
        rf"(?P<era>{spellings})\s*(?P<year>\d{{1,2}}|元)\s*{_ERA_MONTH_DAY}", re.IGNORECASE
    )
    return pattern, by_spelling


@cache
def _month_patterns() -> tuple[re.Pattern[str], re.Pattern[str], dict[str, int]]:
    """``Jan 5, 2024`` and ``5-Jan-2024`` patterns, and month abbreviation → number."""
    months = {name: i for i, name in enumerate(load_table("vocabulary")["months"]["en"], 1)}
    names = "|".join(months)
    weekday = r"(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
    month_first = re.compile(
        rf"{weekday}({names})[a-z]*\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})", re.IGNORECASE
    )
    day_first = re.compile(
        rf"{weekday}(\d{{1,2}})(?:st|nd|rd|th)?[\s-]+({names})[a-z]*\.?,?[\s-]+(\d{{4}})",
        re.IGNORECASE,
    )
    return month_first, day_first, months


def _checked(year: int, month: int, day: int) -> Answer:
    """A real calendar date inside sheetcrm's plausible range, or the reason it is not."""
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return None, "date_unreadable"
    if not EARLIEST <= date <= LATEST:
        return None, "date_out_of_range"
    return date, None


def _from_number(text: str) -> Answer:
    """An 8-digit ``yyyymmdd`` or an Excel serial day number (fraction = time of day)."""
    if "." not in text and (eight := _EIGHT_DIGITS.fullmatch(text)):
        return _checked(*(int(g) for g in eight.groups()))
    whole = text.partition(".")[0]
    if len(whole) > len(str(_EXCEL_MAX_SERIAL)):
        return None, "date_unreadable"
    serial = int(whole)
    if "." not in text and len(text) == 4 and 1900 <= serial <= 2100:
        # A bare year (2024), not the serial for 1905-07-16.
        return None, "date_unreadable"
    if not 1 <= serial <= _EXCEL_MAX_SERIAL or serial == _EXCEL_PHANTOM_LEAP_DAY:
        return None, "date_unreadable"
    if serial < _EXCEL_PHANTOM_LEAP_DAY:
        date = _EXCEL_EPOCH_BEFORE_LEAP + dt.timedelta(days=serial)
    else:
        date = _EXCEL_EPOCH_AFTER_LEAP + dt.timedelta(days=serial)
    return _checked(date.year, date.month, date.day)


def _from_era(match: re.Match[str], by_spelling: dict[str, _Era]) -> Answer:
    era = by_spelling[match["era"].casefold()]
    era_year = 1 if match["year"] == "元" else int(match["year"])
    month = match["month"] or match["month_ja"]
    day = match["day"] or match["day_ja"]
    if era_year < 1:
        return None, "date_unreadable"
    try:
        date = dt.date(era.start.year + era_year - 1, int(month), int(day))
    except ValueError:
        return None, "date_unreadable"
    if date < era.start or (era.end is not None and date > era.end):
        return None, "date_unreadable"  # e.g. 平成32年, 令和元年4月30日
    return _checked(date.year, date.month, date.day)


def _from_year_last(first: int, second: int, year: int) -> Answer:
    """``d/m/yyyy`` or ``m/d/yyyy``: read only when one order is impossible."""
    if first > 12 and second <= 12:
        return _checked(year, second, first)
    if second > 12 and first <= 12:
        return _checked(year, first, second)
    if first == second:
        return _checked(year, first, second)
    if first <= 12 and second <= 12:
        return None, "date_ambiguous"
    return None, "date_unreadable"


def _strip_time(text: str) -> str | None:
    """The text without a trailing time of day; ``None`` when that time is impossible."""
    match = _TIME.search(text)
    if match is None:
        return text
    minute = match.group("minute") or match.group("minute_ja") or 0
    second = match.group("second") or match.group("second_ja") or 0
    if int(match.group("hour")) > 24 or int(minute) > 59 or int(second) > 60:
        return None
    return text[: match.start()].strip()


def parse_date(text: str) -> tuple[dt.date | None, str | None]:
    """Read one cell as a date: ``(date, None)``, ``(None, code)``, or ``(None, None)`` if blank.

    Codes: ``date_unreadable``, ``date_ambiguous`` (``1/5/2024``),
    ``date_out_of_range`` (before 1900 or after 2100).
    """
    text = _SPACES.sub(" ", nfkc(text).translate(_DASHES)).strip()
    if not text:
        return None, None
    text = _WEEKDAY.sub(" ", text).strip()
    if _NUMBER.fullmatch(text):
        return _from_number(text)
    date_part = _strip_time(text)
    if not date_part:
        return None, "date_unreadable"
    if match := _YEAR_FIRST.fullmatch(date_part):
        return _checked(int(match["year"]), int(match["month"]), int(match["day"]))
    if match := _YEAR_FIRST_JA.fullmatch(date_part):
        return _checked(int(match["year"]), int(match["month"]), int(match["day"]))
    if _EIGHT_DIGITS.fullmatch(date_part):
        return _from_number(date_part)  # 20240105 10:30
    era_pattern, by_spelling = _eras()
    if match := era_pattern.fullmatch(date_part):
        return _from_era(match, by_spelling)
    if match := _YEAR_LAST.fullmatch(date_part):
        return _from_year_last(int(match.group(1)), int(match.group(3)), int(match.group(4)))
    month_first, day_first, months = _month_patterns()
    if match := month_first.fullmatch(date_part):
        month = months[match.group(1).casefold()]
        return _checked(int(match.group(3)), month, int(match.group(2)))
    if match := day_first.fullmatch(date_part):
        month = months[match.group(2).casefold()]
        return _checked(int(match.group(3)), month, int(match.group(1)))
    return None, "date_unreadable"


#: How fastexcel writes a real date or date-time cell (``2024-01-05 10:30:00``): a sales
#: log stamped to the second has as many distinct texts as rows, too many for parse_date.
_EXCEL_CELL = r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?: [0-9]{2}:[0-9]{2}:[0-9]{2}(?:\.[0-9]+)?)?"
_DAYS_IN_MONTH = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])


def _read_excel_cells(texts: pd.Series) -> pd.DataFrame:
    """parse_date's answers for the texts shaped like :data:`_EXCEL_CELL`, all at once."""
    cells = texts[texts.str.fullmatch(_EXCEL_CELL).to_numpy(dtype=bool, na_value=False)]
    # ASCII by its shape: one row of digits per text (a fraction of a second is cut off).
    digits = np.array(cells.tolist(), dtype="S19").view(np.uint8).reshape(-1, 19) - ord("0")

    def number(start: int, end: int) -> np.ndarray:
        return digits[:, start:end].astype(np.int64) @ 10 ** np.arange(end - start - 1, -1, -1)

    year, month, day = number(0, 4), number(5, 7), number(8, 10)
    # As _strip_time: an impossible time of day makes the cell unreadable.
    timed = (cells.str.len() > 10).to_numpy()
    good_time = ~timed | ((number(11, 13) <= 24) & (number(14, 16) <= 59) & (number(17, 19) <= 60))
    leap = (year % 4 == 0) & ((year % 100 != 0) | (year % 400 == 0))
    month_days = _DAYS_IN_MONTH[np.clip(month, 1, 12) - 1] + ((month == 2) & leap)
    real = (year >= 1) & (month >= 1) & (month <= 12) & (day >= 1) & (day <= month_days)
    months = np.where(real, (year - 1970) * 12 + month - 1, 0).astype("timedelta64[M]")
    days = np.where(real, day - 1, 0).astype("timedelta64[D]")
    dates = (np.datetime64("1970-01", "M") + months).astype("datetime64[D]") + days
    in_range = (dates >= np.datetime64(EARLIEST)) & (dates <= np.datetime64(LATEST))
    ok = good_time & real & in_range
    code = np.where(ok, None, np.where(good_time & real, "date_out_of_range", "date_unreadable"))
    value = np.where(ok, dates.astype(object), None)
    return pd.DataFrame({"value": value, "code": code}, index=cells.index, dtype=object)


def parse_dates(raw: pd.Series) -> ParseResult:
    """Parse date cells to ``datetime64[ns]`` at midnight; ``NaT`` when blank or unreadable."""
    return parse_unique(raw, parse_date, dtype="datetime64[ns]", read_many=_read_excel_cells)
