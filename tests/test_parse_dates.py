import datetime as dt
import itertools

import pandas as pd
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from sheetcrm.parse.dates import parse_date, parse_dates
from sheetcrm.resources import load_table

JAN_5 = dt.date(2024, 1, 5)
FAILURES = {"date_unreadable", "date_ambiguous", "date_out_of_range"}


@pytest.mark.parametrize(
    "text",
    [
        "2024-01-05 00:00:00",
        "2024-01-05 10:30:00",
        "2024-01-05T10:30:00",
        "2024-01-05T10:30:00+09:00",
        "2024-01-05 10:30:00.250",
        "2024/1/5",
        "2024/01/05",
        "2024-01-05",
        "2024-1-5",
        "2024.1.5",
        "2024年1月5日",
        "2024年01月05日",
        "2024 年 1 月 5 日",
        "2024/01/05 10:30",
        "2024/1/5 午後3:00",
        "2024/1/5 10:30 PM",
        "2024年1月5日 10時30分",
        "20240105",
        "２０２４／１／５",
        "２０２４年１月５日",
        "2024/1/5(金)",
        "2024年1月5日（金）",
        "2024ー01ー05",
        "Jan 5, 2024",
        "January 5th, 2024",
        "Fri, Jan 5, 2024",
        "5 Jan 2024",
        "5-Jan-2024",
    ],
)
def test_common_notations_parse(text):
    assert parse_date(text) == (JAN_5, None)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("令和6年1月5日", JAN_5),
        ("令和６年１月５日", JAN_5),
        ("R6.1.5", JAN_5),
        ("R6/1/5", JAN_5),
        ("R06.01.05", JAN_5),
        ("R6-1-5", JAN_5),
        ("R6年1月5日", JAN_5),
        ("r6.1.5", JAN_5),
        ("㋿6年1月5日", JAN_5),
        ("令和元年5月1日", dt.date(2019, 5, 1)),
        ("H31.4.30", dt.date(2019, 4, 30)),
        ("平成31年4月30日", dt.date(2019, 4, 30)),
        ("平成元年1月8日", dt.date(1989, 1, 8)),
        ("㍻31年4月30日", dt.date(2019, 4, 30)),
        ("昭和64年1月7日", dt.date(1989, 1, 7)),
        ("S64.1.7", dt.date(1989, 1, 7)),
        ("昭和元年12月25日", dt.date(1926, 12, 25)),
        ("T15.12.24", dt.date(1926, 12, 24)),
        ("大正元年7月30日", dt.date(1912, 7, 30)),
        ("M45.7.29", dt.date(1912, 7, 29)),
        ("明治33年1月1日", dt.date(1900, 1, 1)),
    ],
)
def test_wareki_parses(text, expected):
    assert parse_date(text) == (expected, None)


def test_wareki_short_form_parses():
    assert parse_date("R6.1.5") == (JAN_5, None)


@pytest.mark.parametrize(
    "text",
    [
        "平成32年1月1日",  # 平成 ended in its year 31
        "H31.5.1",  # already 令和元年
        "令和元年4月30日",  # still 平成31年
        "昭和64年1月8日",  # already 平成元年
        "平成元年1月7日",  # still 昭和64年
        "大正元年7月29日",  # still 明治45年
        "令和0年1月1日",
    ],
)
def test_date_outside_its_era_is_rejected(text):
    assert parse_date(text) == (None, "date_unreadable")


def test_heisei_32_is_rejected():
    assert parse_date("平成32年4月1日") == (None, "date_unreadable")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("45296", JAN_5),
        ("45296.5", JAN_5),
        ("45296.999988426", JAN_5),
        ("1", dt.date(1900, 1, 1)),
        ("59", dt.date(1900, 2, 28)),
        ("61", dt.date(1900, 3, 1)),
    ],
)
def test_excel_serial_parses(text, expected):
    assert parse_date(text) == (expected, None)


def test_excel_phantom_leap_day_is_rejected():
    # Serial 60 is Excel's 1900-02-29, a day that never existed.
    assert parse_date("60") == (None, "date_unreadable")


@pytest.mark.parametrize("text", ["0", "-1", "2958466", "99999999999999999999"])
def test_excel_serial_outside_excel_range_is_rejected(text):
    assert parse_date(text)[1] == "date_unreadable"


def test_bare_year_is_not_read_as_serial():
    assert parse_date("2024") == (None, "date_unreadable")


def test_eight_digits_must_be_a_real_date():
    assert parse_date("20241305") == (None, "date_unreadable")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25/12/2024", dt.date(2024, 12, 25)),
        ("12/25/2024", dt.date(2024, 12, 25)),
        ("5/5/2024", dt.date(2024, 5, 5)),
        ("31.1.2024", dt.date(2024, 1, 31)),
    ],
)
def test_year_last_parses_when_unambiguous(text, expected):
    assert parse_date(text) == (expected, None)


@pytest.mark.parametrize("text", ["1/5/2024", "05/01/2024", "12-11-2024"])
def test_year_last_ambiguous_is_flagged(text):
    assert parse_date(text) == (None, "date_ambiguous")


@pytest.mark.parametrize(
    "text", ["1899/12/31", "1850-01-01", "2101/1/1", "M20.1.1", "2958465", "99999"]
)
def test_implausible_year_is_out_of_range(text):
    assert parse_date(text) == (None, "date_out_of_range")


def test_range_limits_are_inclusive():
    assert parse_date("1900/1/1") == (dt.date(1900, 1, 1), None)
    assert parse_date("2100/12/31") == (dt.date(2100, 12, 31), None)


@pytest.mark.parametrize(
    "text",
    [
        "hello",
        "true",
        "2024/2/30",
        "2024/13/5",
        "24/1/5",  # two-digit year: which century, which order?
        "1月5日",  # no year
        "2024年1月",  # no day
        "2024/1/5 25:00",
        "2024/1-5",
        "10:30",
        "令和",
        "X6.1.5",
    ],
)
def test_unreadable_text_is_flagged(text):
    assert parse_date(text) == (None, "date_unreadable")


def test_blank_scalar_is_neither_value_nor_issue():
    assert parse_date("   ") == (None, None)


def test_parse_dates_returns_midnight_datetimes():
    raw = pd.Series(["2024-01-05 10:30:00", "R6.1.5", "nonsense", None, "", "1/5/2024"])
    result = parse_dates(raw)
    assert result.values.dtype == "datetime64[ns]"
    assert result.values.iloc[0] == pd.Timestamp("2024-01-05")
    assert result.values.iloc[1] == pd.Timestamp("2024-01-05")
    assert result.values.iloc[2:].isna().all()
    assert result.codes.tolist() == [None, None, "date_unreadable", None, None, "date_ambiguous"]


def test_parse_dates_keeps_the_input_index():
    raw = pd.Series(["2024/1/5", "x"], index=[10, 3])
    result = parse_dates(raw)
    assert result.values.index.equals(raw.index)
    assert result.codes.index.equals(raw.index)


def test_era_table_has_no_gaps():
    eras = sorted(load_table("vocabulary")["eras"], key=lambda e: e["start"])
    for earlier, later in itertools.pairwise(eras):
        assert earlier["end"] + dt.timedelta(days=1) == later["start"]


# --- properties -------------------------------------------------------------------

ERAS = [  # independent of the vocabulary table on purpose
    ("令和", "R", dt.date(2019, 5, 1)),
    ("平成", "H", dt.date(1989, 1, 8)),
    ("昭和", "S", dt.date(1926, 12, 25)),
    ("大正", "T", dt.date(1912, 7, 30)),
    ("明治", "M", dt.date(1868, 1, 25)),
]
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
FULL_WIDTH = str.maketrans("0123456789/", "０１２３４５６７８９／")


def _era(date: dt.date) -> tuple[str, str, int]:
    name, letter, start = next(e for e in ERAS if date >= e[2])
    return name, letter, date.year - start.year + 1


def _excel_serial(date: dt.date) -> int:
    return (date - dt.date(1899, 12, 30)).days


NOTATIONS = {
    "iso": lambda d: d.isoformat(),
    "fastexcel": lambda d: f"{d.isoformat()} 00:00:00",
    "slash": lambda d: f"{d.year}/{d.month}/{d.day}",
    "dot": lambda d: f"{d.year}.{d.month:02}.{d.day:02}",
    "kanji": lambda d: f"{d.year}年{d.month}月{d.day}日",
    "digits": lambda d: d.strftime("%Y%m%d"),
    "full_width": lambda d: f"{d.year}/{d.month}/{d.day}".translate(FULL_WIDTH),
    "era_kanji": lambda d: "{0}{2}年{m}月{dd}日".format(*_era(d), m=d.month, dd=d.day),
    "era_letter": lambda d: "{1}{2}.{m}.{dd}".format(*_era(d), m=d.month, dd=d.day),
    "month_name": lambda d: f"{MONTHS[d.month - 1]} {d.day}, {d.year}",
}
PLAUSIBLE = st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 12, 31))


@pytest.mark.parametrize("notation", sorted(NOTATIONS))
@given(date=PLAUSIBLE)
def test_round_trip_every_notation(notation, date):
    assert parse_date(NOTATIONS[notation](date)) == (date, None)


@given(date=PLAUSIBLE)
def test_round_trip_excel_serial(date):
    serial = _excel_serial(date)
    assume(not 1900 <= serial <= 2100)  # 1905 dates whose serial looks like a bare year
    assert parse_date(str(serial)) == (date, None)
    assert parse_date(f"{serial}.75") == (date, None)


@given(date=PLAUSIBLE)
def test_round_trip_year_last_when_day_exceeds_12(date):
    text = f"{date.day}/{date.month}/{date.year}"
    expected = (date, None) if date.day > 12 or date.day == date.month else (None, "date_ambiguous")
    assert parse_date(text) == expected


@given(st.text())
def test_parse_date_never_raises(text):
    date, code = parse_date(text)
    assert (date is None) == (code is not None) or (date is None and not text.strip())


@given(
    st.lists(
        st.one_of(
            st.none(), st.text(), st.sampled_from(["2024/1/5", "R6.1.5", "1/5/2024", "45296"])
        )
    )
)
def test_values_are_na_exactly_when_a_code_is_set(cells):
    raw = pd.Series(cells, index=[i * 7 for i in range(len(cells))], dtype=object)
    result = parse_dates(raw)
    assert result.values.index.equals(raw.index) and result.codes.index.equals(raw.index)
    blank = raw.isna() | (raw.astype("string").str.strip() == "")
    failed = result.codes.isin(FAILURES)
    assert result.codes.notna().eq(failed).all()
    assert (result.values.isna() == (failed | blank)).all()
