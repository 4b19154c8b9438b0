"""Yearly dates (birthdays, purchase anniversaries) and ages, column-wise and 29-February-safe.

A date on 29 February recurs on 28 February in other years, so a birthday greeting
stays in February instead of slipping to 1 March.  Ages are whole years completed, the
usual rule (someone born on 29 February turns a year older on 1 March in other years).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd


def as_dates(values: pd.Series) -> pd.Series:
    """Any date-like column as ``datetime64`` (``Timestamp``, ``datetime.date``, blanks)."""
    return pd.to_datetime(values, errors="coerce").astype("datetime64[ns]")


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def occurrence_in(values: pd.Series, year: int) -> pd.Series:
    """Each date's month and day in ``year`` (29 Feb → 28 Feb outside leap years)."""
    dates = as_dates(values)
    known = dates.notna()
    result = pd.Series(pd.NaT, index=values.index, dtype="datetime64[ns]")
    if not known.any():
        return result
    month = dates[known].dt.month
    day = dates[known].dt.day
    if not _is_leap(year):
        day = day.where(~((month == 2) & (day == 29)), 28)
    result[known] = pd.to_datetime(pd.DataFrame({"year": year, "month": month, "day": day}))
    return result


def next_occurrence(values: pd.Series, as_of: dt.date) -> pd.Series:
    """The next time each date's month and day comes round, ``as_of`` itself included."""
    today = pd.Timestamp(as_of)
    this_year = occurrence_in(values, today.year)
    next_year = occurrence_in(values, today.year + 1)
    return this_year.where(this_year >= today, next_year)


def age_in_years(birthdays: pd.Series, as_of: dt.date) -> pd.Series:
    """Whole years completed on ``as_of``; NA for blanks and birthdays after ``as_of``."""
    dates = as_dates(birthdays)
    known = dates.notna() & (dates <= pd.Timestamp(as_of))
    result = pd.Series(pd.NA, index=birthdays.index, dtype="Int64")
    if not known.any():
        return result
    born = dates[known]
    before_birthday = (as_of.month * 100 + as_of.day) < (born.dt.month * 100 + born.dt.day)
    result[known] = (as_of.year - born.dt.year - before_birthday.astype("int64")).astype("int64")
    return result
