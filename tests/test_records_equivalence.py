"""The fast table reading gives exactly what the straightforward one gave.

``reference_records`` is the reading sheetcrm had before the 1,000,000-row work (every
cell cleaned, row keys hashed from text, ``.loc`` filters).  Sheets are generated from
the notations sellers use, with blanks, totals rows, repeated rows, repeated and
conflicting order IDs, refunds and text of only U+0000, and both readings must agree on
every typed frame and every issue, in order.  Order keys need not be the same numbers,
only the same grouping of lines into orders.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
import reference_records as reference
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sheetcrm.parse.amounts import _parse_amount, _parse_quantity, parse_amounts
from sheetcrm.parse.base import distinct, distinct_cleaned, parse_unique, row_ids
from sheetcrm.parse.dates import parse_date, parse_dates
from sheetcrm.parse.emails import _parse_email, parse_emails
from sheetcrm.reader import SourceSheet
from sheetcrm.records import _Cells, _row_fingerprints, _value_codes, parse_tables
from sheetcrm.tables import recognise

AS_OF = dt.date(2024, 12, 31)

POOLS = {
    "注文番号": ["A1", "A2", " A1", "A1 ", "1001", "1001.0", "B-7", "\x00", ""],
    "購入日": [
        *(["2024/1/5", "2023-12-01 00:00:00", "2024/2/29"] * 3),
        "2024/1/5",
        "2024-01-05 00:00:00",
        "2024年1月5日",
        " 2024/1/5\u3000",
        "45296",
        "R6.1.5",
        "1/5/2024",
        "13/1/2024",
        "2030/1/1",
        "昨日",
    ],
    "顧客ID": ["C1", "C2", "C1.0", " C1", "\x00"],
    "お名前": ["山田 太郎", "山田　太郎", "ﾔﾏﾀﾞ ﾀﾛｳ", "やまだ たろう", "Mr. John SMITH", "田中"],
    "メール": [
        "a@example.com",
        "A@Example.COM",
        "ａ＠ｅｘａｍｐｌｅ．ｃｏｍ",
        "bad@",
        "b@example.jp",
    ],
    "電話": ["090-1234-5678", "9012345678", "+81 90 1234 5678", "123"],
    "商品": ["石けん"] * 5
    + ["タオル"] * 5
    + [" 石けん", "合計", "Total", "ｔｏｔａｌ", "小計", "計算機"],
    "数量": ["1", "2", "3個", "２", "2.5", "x", "-1"],
    "単価": ["1000", "¥500", "abc"],
    "金額": [
        "1200",
        "3300",
        "1200",
        "¥1,200",
        "1,200円",
        "-500",
        "-0",
        "0",
        "▲300",
        "(1,200)",
        "abc",
        "1.2万円",
    ],
    "ステータス": ["完了", "キャンセル", "返品", "cancelled", "refunded", "謎"],
    "メモ": ["memo", "again", "memo", "合計（税込・送料込み・手数料込み・その他いろいろ）"],
}
CUSTOMER_POOLS = {
    "顧客ID": ["C1", "C2", "C3", ""],
    "氏名": ["山田 太郎", "ﾔﾏﾀﾞ", "佐藤花子", ""],
    "フリガナ": ["ヤマダ タロウ", "やまだ　たろう", "ﾔﾏﾀﾞ"],
    "メール": ["a@example.com", "bad@", "c@example.jp"],
    "郵便番号": ["100-0001", "〒1000001", "12"],
    "都道府県": ["東京都", "大阪府"],
    "住所": ["千代田区1-1", "東京都港区", " 港区 "],
    "誕生日": ["1990/1/2", "平成2年1月2日", "x"],
}
ACTIVITY_POOLS = {
    "日付": ["2024/1/5", "2030/1/1", "x"],
    "氏名": ["山田 太郎", "田中", ""],
    "種別": ["電話", "メール", "来店", "?"],
    "キャンペーン": ["夏", " 夏 "],
}


def _cell(pool: list[str]) -> st.SearchStrategy[str | None]:
    """Mostly a value from the pool; sometimes blank, spaces or odd text."""
    return st.integers(0, 9).flatmap(
        lambda k: (
            st.sampled_from(pool)
            if k < 7
            else [
                st.none(),
                st.sampled_from(["", " ", "\u3000"]),
                st.text("aA1 .-計合ｔ", max_size=4),
            ][k - 7]
        )
    )


@st.composite
def _sheet(draw, name: str, pools: dict[str, list[str]], required: list[str]) -> SourceSheet:
    optional = [h for h in pools if h not in required]
    headers = required + draw(st.lists(st.sampled_from(optional), unique=True))
    headers = draw(st.permutations(headers))
    # Repeats make duplicates likely: each row is drawn, then maybe copied or edited.
    rows: list[list[str | None]] = []
    for _ in range(draw(st.integers(0, 25))):
        if rows and draw(st.integers(0, 4)) == 0:
            row = list(draw(st.sampled_from(rows)))
            if draw(st.booleans()):
                at = draw(st.integers(0, len(row) - 1))
                row[at] = draw(_cell(pools[headers[at]]))
        else:
            row = [draw(_cell(pools[h])) for h in headers]
        rows.append(row)
    title = [["売上表" if draw(st.booleans()) else None] + [None] * (len(headers) - 1)]
    cells = pd.DataFrame([*title, headers, *rows], dtype="string")
    cells.index = pd.RangeIndex(1, len(cells) + 1)
    return SourceSheet(name=name, cells=cells)


@st.composite
def _workbook(draw) -> list[SourceSheet]:
    required = ["注文番号", "購入日", "お名前", "金額", "メモ"]
    sheets = [draw(_sheet("注文", POOLS, required))]
    if draw(st.booleans()):
        sheets.append(draw(_sheet("注文2024", POOLS, required[1:])))
    if draw(st.booleans()):
        sheets.append(draw(_sheet("顧客", CUSTOMER_POOLS, ["顧客ID", "氏名"])))
    if draw(st.booleans()):
        sheets.append(draw(_sheet("対応履歴", ACTIVITY_POOLS, ["日付", "氏名", "種別"])))
    return sheets


def _same_grouping(new: pd.Series | np.ndarray, old: pd.Series | np.ndarray) -> bool:
    return np.array_equal(pd.factorize(np.asarray(new))[0], pd.factorize(np.asarray(old))[0])


def _assert_same_frames(new: pd.DataFrame, old: pd.DataFrame) -> None:
    pd.testing.assert_frame_equal(new, old, check_exact=True)
    for column in new.columns[new.dtypes.map(lambda d: d is np.dtype(object))]:
        assert list(new[column].map(type)) == list(old[column].map(type)), column


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_workbook(), st.booleans())
def test_tables_and_parsed_rows_match_the_straightforward_reading(sheets, keep_identical_rows):
    tables = [t for t in (recognise(s) for s in sheets) if t is not None]
    old_tables = []
    for sheet, table in zip(sheets, tables, strict=True):
        old_data = reference.recognised_data(sheet, table)
        pd.testing.assert_frame_equal(
            table.data[list(table.columns)],
            old_data.drop(columns="_row_fingerprint"),
            check_exact=True,
        )
        assert len(table.data.columns) == len(sheet.cells.columns)  # every cell kept
        fingerprints = _row_fingerprints(_Cells(table))
        assert _same_grouping(fingerprints, old_data["_row_fingerprint"])
        old_tables.append(replace(table, data=old_data))

    new = parse_tables(tables, as_of=AS_OF, keep_identical_rows=keep_identical_rows)
    old = reference.parse_tables(old_tables, as_of=AS_OF, keep_identical_rows=keep_identical_rows)

    assert new.issues == old.issues
    _assert_same_frames(new.customers, old.customers)
    _assert_same_frames(new.activities, old.activities)
    assert new.orders["order_key"].dtype == old.orders["order_key"].dtype
    assert _same_grouping(new.orders["order_key"], old.orders["order_key"])
    _assert_same_frames(new.orders.drop(columns="order_key"), old.orders.drop(columns="order_key"))


# --- the building blocks, on wilder text -----------------------------------------------

_WILD = st.one_of(
    st.none(),
    st.text(alphabet=" \u3000\t\x00\x1f\u00a0\u2003a1.-年月日/¥,円万▲()Rr計", max_size=8),
    st.sampled_from(["2024/1/5", " 2024-01-05 00:00:00", "1200", "¥1,200-", "3個", ""]),
)


@pytest.mark.parametrize(
    ("parse_one", "dtype"),
    [
        (parse_date, "datetime64[ns]"),
        (_parse_amount, "float64"),
        (_parse_quantity, "Int64"),
        (lambda text: (text.upper(), "shouted" if text.islower() else None), "string"),
        (lambda text: (text[::-1] or None, None), None),
    ],
)
@settings(max_examples=200, deadline=None)
@given(cells=st.lists(_WILD, max_size=30))
def test_parse_unique_matches_cleaning_every_cell(parse_one, dtype, cells) -> None:
    raw = pd.Series(cells, index=range(7, 7 + len(cells)), dtype="string")
    new, old = parse_unique(raw, parse_one, dtype), reference.parse_unique(raw, parse_one, dtype)
    pd.testing.assert_series_equal(new.values, old.values, check_exact=True)
    pd.testing.assert_series_equal(new.codes, old.codes, check_exact=True)
    assert list(new.values.map(type)) == list(old.values.map(type))


@settings(max_examples=200, deadline=None)
@given(cells=st.lists(_WILD, max_size=30))
def test_distinct_texts_keep_every_cell(cells) -> None:
    raw = pd.Series(cells, dtype="string")
    found = distinct(raw)
    assert list(found.objects(raw.index)) == [None if pd.isna(c) else c for c in raw]
    cleaned = distinct_cleaned(raw)
    assert cleaned.texts.is_unique and cleaned.texts.notna().all()
    expected = raw.str.replace("\u3000", " ").str.strip()
    expected = expected.mask(expected == "")
    assert list(cleaned.objects(raw.index)) == [None if pd.isna(c) else c for c in expected]


_KEY_COLUMNS = st.fixed_dictionaries(
    {
        "text": st.lists(st.sampled_from(["a", "b", "\x00", "", None]), min_size=12, max_size=12),
        "string": st.lists(st.sampled_from(["x", "\x00", None]), min_size=12, max_size=12),
        "date": st.lists(
            st.sampled_from([None, dt.datetime(2024, 1, 5), dt.datetime(2024, 1, 6)]),
            min_size=12,
            max_size=12,
        ),
        "amount": st.lists(
            st.sampled_from([0.0, -0.0, 1200.0, 0.1 + 0.2, 0.3, float("nan"), float("inf")]),
            min_size=12,
            max_size=12,
        ),
        "quantity": st.lists(st.sampled_from([1, 2, None]), min_size=12, max_size=12),
    }
)


@settings(max_examples=300, deadline=None)
@given(_KEY_COLUMNS)
def test_row_keys_group_rows_as_the_hashed_text_did(columns) -> None:
    frame = pd.DataFrame(
        {
            "text": pd.Series(columns["text"], dtype=object),
            "string": pd.Series(columns["string"], dtype="string"),
            "date": pd.Series(columns["date"], dtype="datetime64[ns]"),
            "amount": pd.Series(columns["amount"], dtype="float64"),
            "quantity": pd.Series(columns["quantity"], dtype="Int64"),
        }
    )
    names = list(frame.columns)
    keys = row_ids([_value_codes(frame[c]) for c in names], len(frame))
    assert _same_grouping(keys, reference.row_key(frame, names))


def test_row_keys_never_collide_when_the_codes_need_renumbering() -> None:
    wide = np.arange(200_000) % 150_000  # 150,000 × 150,000 × … overflows 2**62 on the 4th
    codes = [wide, wide[::-1].copy(), (wide * 7) % 150_000, (wide * 13) % 149_999]
    keys = row_ids(codes, len(wide))
    expected = pd.MultiIndex.from_arrays(codes)
    assert _same_grouping(keys, pd.factorize(expected)[0])
    assert keys.max() < 2**62


_EXCEL_CELL_TEXT = st.one_of(
    st.from_regex(
        r"\A[0-9]{4}-[0-9]{2}-[0-9]{2}( [0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]{1,6})?)?\Z",
        fullmatch=True,
    ),
    st.builds(
        lambda y, m, d, time: f"{y:04d}-{m:02d}-{d:02d}{time}",
        st.sampled_from([0, 1, 1800, 1899, 1900, 1999, 2000, 2023, 2024, 2100, 2101, 9999]),
        st.sampled_from([0, 1, 2, 4, 12, 13]),
        st.sampled_from([0, 1, 28, 29, 30, 31, 32]),
        st.sampled_from(["", " 00:00:00", " 24:00:00", " 25:00:00", " 23:60:00", " 12:00:60"]),
    ),
    st.sampled_from(["２０２４-01-05", "2024-1-5", "2024-01-05T10:00:00", "2024-01-05 10:00"]),
)


_CALENDAR_EDGES = [
    f"{year}-{month_day}"
    for year in ("0000", "0001", "1800", "1899", "1900", "2000", "2023", "2024", "2100", "2101")
    for month_day in ("01-01", "02-28", "02-29", "02-30", "04-31", "12-31", "13-01", "00-10")
]


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(_EXCEL_CELL_TEXT, max_size=20))
@example(texts=_CALENDAR_EDGES)
def test_excel_date_cells_read_at_once_as_one_by_one(texts) -> None:
    raw = pd.Series(texts, dtype="string")
    new = parse_dates(raw)
    old = reference.parse_unique(raw, parse_date, "datetime64[ns]")
    pd.testing.assert_series_equal(new.values, old.values, check_exact=True)
    pd.testing.assert_series_equal(new.codes, old.codes, check_exact=True)


_ADDRESS = st.one_of(
    st.builds(
        lambda local, domain: f"{local}@{domain}",
        st.text(alphabet="aZ0._+-'!~\u00e9 :<", min_size=0, max_size=8),
        st.sampled_from(
            ["example.com", "EXAMPLE.co.jp", "docomo.ne.jp", "b", "-x.com", "a..b", "localhost"]
        ),
    ),
    st.sampled_from(["山田 <y@example.jp>", "mailto:a@b.co", "a@b@c.com", "x" * 65 + "@a.com"]),
)


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(_ADDRESS, max_size=20))
def test_bare_addresses_read_at_once_as_one_by_one(texts) -> None:
    raw = pd.Series(texts, dtype="string")
    new = parse_emails(raw)
    old = reference.parse_unique(raw, _parse_email, "string")
    pd.testing.assert_series_equal(new.values, old.values, check_exact=True)
    pd.testing.assert_series_equal(new.codes, old.codes, check_exact=True)


_NUMBER_TEXT = st.one_of(
    st.from_regex(r"\A-?[0-9]{1,17}(\.[0-9]{1,17})?\Z", fullmatch=True),
    st.floats(allow_nan=False).map(repr),
    st.sampled_from(["-0", "-0.000", "0", "00", "1,200", "¥1,200", ".5", "1.", "1e5", "-", "+5"]),
)


@settings(max_examples=300, deadline=None)
@given(texts=st.lists(_NUMBER_TEXT, max_size=20))
def test_excel_number_cells_read_at_once_as_one_by_one(texts) -> None:
    raw = pd.Series(texts, dtype="string")
    new = parse_amounts(raw)
    old = reference.parse_unique(raw, _parse_amount, "float64")
    pd.testing.assert_series_equal(new.values, old.values, check_exact=True)
    assert np.array_equal(np.signbit(new.values), np.signbit(old.values))  # -0.0 is not 0.0
    pd.testing.assert_series_equal(new.codes, old.codes, check_exact=True)
