"""The array-based identity resolution decides exactly what the union-find version did.

``identity_reference`` is the union-find implementation as it was before; every test
resolves the same parsed data with both and compares everything a caller can see:
customers (values, column types, ``sources``, ``listed``, ``matched_by``), orders,
activities, candidates, issues, the number of merges and the merged seller IDs.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import identity_reference as reference
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sheetcrm.decisions import VERDICTS, Decision, Decisions, pair_key
from sheetcrm.identity import Resolution, resolve
from sheetcrm.pipeline import find_tables
from sheetcrm.records import (
    ACTIVITY_COLUMNS,
    CUSTOMER_COLUMNS,
    ORDER_COLUMNS,
    ParsedData,
    parse_tables,
)
from sheetcrm.template import new_workbook

AS_OF = dt.date(2024, 12, 31)
BENCH_WORKBOOK = Path("/tmp/bench/shop100000.xlsx")

# Small pools, so that rows share keys often.  "" is not something the parsers produce,
# but resolve has always read it as a key in some places and as missing in others.
IDS = ["C001", "C002", "C003", "C004", "1001", ""]
EMAILS = ["a@example.jp", "b@example.jp", "c@example.jp", ""]
PHONES = ["+819011112222", "+81312345678", "+819033334444"]
NAMES = [
    ("山田太郎", "ヤマダタロウ"),
    ("山田 太郎", "ヤマダタロウ"),
    ("佐藤花子", "サトウハナコ"),
    ("田中実", "タナカミノル"),
    ("", ""),
]
DATES = [
    dt.datetime(2023, 5, 1),
    dt.datetime(2024, 1, 5),
    dt.datetime(2024, 1, 5),
    dt.datetime(1969, 7, 20),
]

TYPES = {
    "source_sheet": "str",
    "source_row": "int64",
    "customer_id": object,
    "name": object,
    "name_key": object,
    "email": "string",
    "phone": "string",
    "name_kana": object,
    "kana_key": object,
    "postal_code": "string",
    "address": object,
    "prefecture": object,
    "birthday": "datetime64[ns]",
    "gender": "string",
    "source": object,
    "email_opt_in": "boolean",
    "created_at": "datetime64[ns]",
    "notes": object,
    "order_id": object,
    "order_date": "datetime64[ns]",
    "product": object,
    "quantity": "Int64",
    "amount": "float64",
    "status": "string",
    "revenue": "float64",
    "is_purchase": "bool",
    "order_key": "uint64",
    "date": "datetime64[ns]",
    "type": "string",
    "type_text": object,
    "campaign": object,
}

FILLERS = {"is_purchase": True, "order_key": 7}  # columns that cannot be missing


def maybe(values: list) -> st.SearchStrategy:
    return st.one_of(st.none(), st.sampled_from(values))


@st.composite
def identity_keys(draw: st.DrawFn) -> dict[str, object]:
    name = draw(maybe(NAMES))
    return {
        "customer_id": draw(maybe(IDS)),
        "name": name[0] if name else None,
        "name_key": name[1] if name else None,
        "email": draw(maybe(EMAILS)),
        "phone": draw(maybe(PHONES)),
    }


@st.composite
def customer_rows(draw: st.DrawFn) -> dict[str, object]:
    return draw(identity_keys()) | {
        "name_kana": draw(maybe(["ヤマダ タロウ", "サトウ"])),
        "kana_key": draw(maybe(["ヤマダタロウ", "サトウ"])),
        "postal_code": draw(maybe(["100-0001", "530-0001"])),
        "address": draw(maybe(["東京都千代田区1-1", "大阪府大阪市北区2-2"])),
        "prefecture": draw(maybe(["東京都", "大阪府"])),
        "birthday": draw(maybe(DATES)),
        "gender": draw(maybe(["female", "male"])),
        "source": draw(maybe(["チラシ", "Instagram"])),
        "email_opt_in": draw(maybe([True, False])),
        "created_at": draw(maybe(DATES)),
        "notes": draw(maybe(["常連", "要連絡"])),
    }


@st.composite
def order_rows(draw: st.DrawFn) -> dict[str, object]:
    return draw(identity_keys()) | {
        "order_id": draw(maybe(["A1", "A2"])),
        "order_date": draw(maybe(DATES)),
        "product": "石けん",
        "quantity": 1,
        "amount": 1000.0,
        "status": "completed",
        "revenue": 1000.0,
        "is_purchase": True,
        "order_key": 7,
    }


@st.composite
def activity_rows(draw: st.DrawFn) -> dict[str, object]:
    return draw(identity_keys()) | {
        "date": draw(maybe(DATES)),
        "type": draw(maybe(["email", "call"])),
        "type_text": draw(maybe(["メール", "電話"])),
        "campaign": draw(maybe(["春のDM"])),
        "status": draw(maybe(["sent", "opened"])),
        "notes": draw(maybe(["折り返し"])),
    }


def table(records: list[dict[str, object]], columns: list[str], sheets: list[str]) -> pd.DataFrame:
    """A parsed table as parse_tables gives it: typed columns, source sheet and row."""
    if not records:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    next_row = dict.fromkeys(sheets, 2)
    for record, sheet in zip(records, sheets * len(records), strict=False):
        record["source_sheet"], record["source_row"] = sheet, next_row[sheet]
        next_row[sheet] += 1
    records.sort(key=lambda r: (sheets.index(r["source_sheet"]), r["source_row"]))
    return pd.DataFrame(
        {c: pd.Series([r.get(c, FILLERS.get(c)) for r in records], dtype=TYPES[c]) for c in columns}
    )


@st.composite
def parsed_data(draw: st.DrawFn) -> ParsedData:
    return ParsedData(
        customers=table(
            draw(st.lists(customer_rows(), max_size=8)), CUSTOMER_COLUMNS, ["顧客", "顧客2"]
        ),
        orders=table(draw(st.lists(order_rows(), max_size=12)), ORDER_COLUMNS, ["注文"]),
        activities=table(draw(st.lists(activity_rows(), max_size=6)), ACTIVITY_COLUMNS, ["対応"]),
    )


def decisions_among(draw: st.DrawFn, plain: Resolution) -> Decisions:
    """Decisions on IDs that occur: resolved IDs, seller IDs, proposed and merged pairs."""
    known = sorted(set(plain.customers["customer_id"]) | set(IDS) - {""})
    pairs = list(
        zip(plain.candidates["customer_id_a"], plain.candidates["customer_id_b"], strict=True)
    )
    pairs += list(plain.id_merges.items())
    drawn = draw(
        st.lists(
            st.tuples(
                st.one_of(
                    st.tuples(st.sampled_from(known), st.sampled_from(known)),
                    *([st.sampled_from(pairs)] if pairs else []),
                ),
                st.sampled_from(VERDICTS),
            ),
            max_size=5,
        )
    )
    by_pair = {
        pair_key(a, b): Decision(*pair_key(a, b), verdict) for (a, b), verdict in drawn if a != b
    }
    return Decisions(by_pair)


def object_kinds(frame: pd.DataFrame) -> dict[str, list[str]]:
    """The Python type of every value in object columns (None, NaN and NaT differ here)."""
    return {
        column: [type(v).__name__ for v in frame[column].tolist()]
        for column in frame.columns
        if frame[column].dtype == object
    }


def assert_same_resolution(new: Resolution, old: Resolution) -> None:
    for name in ("customers", "orders", "activities", "candidates"):
        new_frame, old_frame = getattr(new, name), getattr(old, name)
        pd.testing.assert_frame_equal(new_frame, old_frame, check_exact=True)
        assert object_kinds(new_frame) == object_kinds(old_frame), name
    if "sources" in old.customers:
        assert new.customers["sources"].tolist() == old.customers["sources"].tolist()
    assert new.issues == old.issues
    assert new.merges == old.merges
    assert list(new.id_merges.items()) == list(old.id_merges.items())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_generated_data_resolves_as_before(data: st.DataObject) -> None:
    parsed = data.draw(parsed_data())
    plain = reference.resolve(parsed)
    assert_same_resolution(resolve(parsed), plain)
    decisions = decisions_among(data.draw, plain)
    assert_same_resolution(resolve(parsed, decisions), reference.resolve(parsed, decisions))


def test_kept_apart_ids_sharing_an_email_stay_two_customers_as_before() -> None:
    # The e-mail would join C001 and C002; keeping them apart refuses that join, while
    # the order row with the e-mail and no ID still joins the earlier customer.
    parsed = ParsedData(
        customers=table(
            [
                {
                    "customer_id": "C001",
                    "name": "山田太郎",
                    "name_key": "ヤマダタロウ",
                    "email": "a@example.jp",
                },
                {
                    "customer_id": "C002",
                    "name": "山田太郎",
                    "name_key": "ヤマダタロウ",
                    "email": "a@example.jp",
                },
            ],
            CUSTOMER_COLUMNS,
            ["顧客"],
        ),
        orders=table(
            [
                {"email": "a@example.jp", "order_date": DATES[0]},
                {"name": "山田太郎", "name_key": "ヤマダタロウ"},
            ],
            ORDER_COLUMNS,
            ["注文"],
        ),
        activities=table([], ACTIVITY_COLUMNS, []),
    )
    apart = Decisions({("C001", "C002"): Decision("C001", "C002", "keep_apart")})
    new = resolve(parsed, apart)
    assert_same_resolution(new, reference.resolve(parsed, apart))
    assert new.customers["customer_id"].tolist() == ["C001", "C002"]
    assert [i.code for i in new.issues] == ["ambiguous_name"]
    merged = resolve(parsed)
    assert_same_resolution(merged, reference.resolve(parsed))
    assert merged.id_merges == {"C002": "C001"}


def test_merge_decision_refused_by_keep_apart_changes_nothing_as_before() -> None:
    parsed = ParsedData(
        customers=table(
            [
                {"customer_id": i, "email": e}
                for i, e in [
                    ("C001", "a@example.jp"),
                    ("C002", "b@example.jp"),
                    ("C003", "a@example.jp"),
                ]
            ],
            CUSTOMER_COLUMNS,
            ["顧客"],
        ),
        orders=table([], ORDER_COLUMNS, []),
        activities=table([], ACTIVITY_COLUMNS, []),
    )
    decisions = Decisions(
        {
            ("C002", "C003"): Decision("C002", "C003", "keep_apart"),
            ("C001", "C002"): Decision("C001", "C002", "merge"),
        }
    )
    new = resolve(parsed, decisions)
    assert_same_resolution(new, reference.resolve(parsed, decisions))
    assert new.customers["customer_id"].tolist() == ["C001", "C002"]


def test_table_with_no_matched_row_still_types_the_customer_columns_as_before() -> None:
    # The only sales row names two listed customers: it is dropped, yet the sales log
    # still takes part in stacking the attributes, which makes them object columns.
    yamada = {"name": "山田太郎", "name_key": "ヤマダタロウ", "birthday": DATES[0]}
    parsed = ParsedData(
        customers=table(
            [yamada | {"customer_id": "C001"}, yamada | {"customer_id": "C002"}],
            CUSTOMER_COLUMNS,
            ["顧客"],
        ),
        orders=table([{"name": "山田太郎", "name_key": "ヤマダタロウ"}], ORDER_COLUMNS, ["注文"]),
        activities=table([], ACTIVITY_COLUMNS, []),
    )
    new = resolve(parsed)
    assert_same_resolution(new, reference.resolve(parsed))
    assert new.orders.empty
    assert new.customers["birthday"].dtype == object


def test_ties_go_to_the_earlier_row_as_before() -> None:
    # The newest sales row wins; of two on the same day (or two undated), the first.
    rows = [
        {"customer_id": "C001", "email": "older@example.jp", "order_date": DATES[0]},
        {"customer_id": "C001", "email": "first@example.jp", "order_date": DATES[2]},
        {"customer_id": "C001", "email": "second@example.jp", "order_date": DATES[2]},
        {"customer_id": "C002", "phone": PHONES[0]},
        {"customer_id": "C002", "phone": PHONES[1]},
    ]
    parsed = ParsedData(
        customers=table([], CUSTOMER_COLUMNS, []),
        orders=table(rows, ORDER_COLUMNS, ["注文"]),
        activities=table([], ACTIVITY_COLUMNS, []),
    )
    new = resolve(parsed)
    assert_same_resolution(new, reference.resolve(parsed))
    assert new.customers["email"].iloc[0] == "first@example.jp"
    assert new.customers["phone"].iloc[1] == PHONES[0]


def test_dates_that_are_not_datetimes_order_rows_as_before() -> None:
    # Parsers give datetime64 dates; other date columns keep every row in the stack.
    rows = [
        {"customer_id": "C001", "email": e, "date": d}
        for e, d in [("a@example.jp", DATES[0]), ("b@example.jp", DATES[1]), ("c@example.jp", None)]
    ]
    activities = table(rows, ACTIVITY_COLUMNS, ["対応"])
    activities["date"] = activities["date"].astype(object)
    parsed = ParsedData(table([], CUSTOMER_COLUMNS, []), table([], ORDER_COLUMNS, []), activities)
    new = resolve(parsed)
    assert_same_resolution(new, reference.resolve(parsed))
    assert new.customers["email"].tolist() == ["b@example.jp"]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_sample_workbook_resolves_as_before(tmp_path: Path, lang: str) -> None:
    path = new_workbook(tmp_path / "sample.xlsx", lang=lang, sample=True, today=AS_OF)
    parsed = parse_tables(find_tables(path), as_of=AS_OF)
    plain = reference.resolve(parsed)
    assert_same_resolution(resolve(parsed), plain)
    assert plain.id_merges  # the sample registers someone twice
    candidates = list(
        zip(plain.candidates["customer_id_a"], plain.candidates["customer_id_b"], strict=True)
    )
    decided = [(a, b, "keep_apart") for a, b in plain.id_merges.items()]
    decided += [(a, b, "merge") for a, b in candidates[:3]]
    decisions = Decisions({pair_key(a, b): Decision(*pair_key(a, b), v) for a, b, v in decided})
    assert_same_resolution(resolve(parsed, decisions), reference.resolve(parsed, decisions))


@pytest.mark.skipif(not BENCH_WORKBOOK.exists(), reason=f"{BENCH_WORKBOOK} not generated")
def test_benchmark_workbook_resolves_as_before() -> None:
    parsed = parse_tables(find_tables(BENCH_WORKBOOK), as_of=AS_OF)
    assert_same_resolution(resolve(parsed), reference.resolve(parsed))
    # Sales out of date order, and rows that give only a name: a name shared by several
    # listed customers, the name of one, or no one's.
    rng = np.random.default_rng(3)
    orders = parsed.orders.iloc[rng.permutation(len(parsed.orders))].reset_index(drop=True)
    names = parsed.customers["name_key"].value_counts()
    choices = [names.index[0], names.index[-1], "ダレデモナイ"]
    name_only = np.flatnonzero(orders.index % 7 == 0)
    orders.loc[name_only, "customer_id"] = None
    orders.loc[name_only, "name_key"] = [choices[i % 3] for i in range(len(name_only))]
    varied = ParsedData(parsed.customers, orders, parsed.activities)
    assert_same_resolution(resolve(varied), reference.resolve(varied))
