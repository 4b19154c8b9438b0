"""The straightforward reading of tables sheetcrm had before the 1,000,000-row work.

Every cell is cleaned, every row key is the row's values cast to text and hashed, every
filter is a ``.loc`` on row labels.  Slow, but plainly right: the equivalence tests
(``test_records_equivalence.py``) check that the fast paths in :mod:`sheetcrm.parse.base`,
:mod:`sheetcrm.tables` and :mod:`sheetcrm.records` give the same frames and issues.
"""

from __future__ import annotations

import datetime as dt
from functools import partial

import numpy as np
import pandas as pd

from sheetcrm.parse.amounts import parse_amounts, parse_quantities
from sheetcrm.parse.base import ParseResult, ScalarParser
from sheetcrm.parse.choices import (
    parse_activity_types,
    parse_genders,
    parse_opt_in,
    parse_order_status,
)
from sheetcrm.parse.dates import parse_dates
from sheetcrm.parse.emails import parse_emails
from sheetcrm.parse.names import clean_names, kana_key, name_key
from sheetcrm.parse.phones import parse_phones
from sheetcrm.parse.postal import extract_prefecture, parse_postal_codes
from sheetcrm.reader import SourceSheet
from sheetcrm.records import (
    _MAX_TOTAL_TEXT,
    _TOTAL_CORE,
    ACTIVITY_COLUMNS,
    CUSTOMER_COLUMNS,
    ORDER_COLUMNS,
    TOTAL_WORDS,
    ParsedData,
    _col,
    _IssueCollector,
    _join_prefecture,
    _parsed,
    _stack,
    _with_source,
)
from sheetcrm.tables import RecognisedTable
from sheetcrm.text import fold_header


def parse_unique(raw: pd.Series, parse_one: ScalarParser, dtype: str | None = None) -> ParseResult:
    """Clean every cell, then parse each distinct text once."""
    text = raw.astype("string").str.replace("\u3000", " ", regex=False).str.strip()
    positions, uniques = pd.factorize(text.mask(text == ""), use_na_sentinel=True)
    answers = [parse_one(str(u)) for u in uniques]
    value_lookup = np.array([a[0] for a in answers] + [None], dtype=object)
    code_lookup = np.array([a[1] for a in answers] + [None], dtype=object)
    values = pd.Series(value_lookup[positions], index=raw.index, dtype=object)
    if dtype is not None:
        values = values.astype(dtype)
    codes = pd.Series(code_lookup[positions], index=raw.index, dtype=object)
    return ParseResult(values=values, codes=codes)


def recognised_data(sheet: SourceSheet, table: RecognisedTable) -> pd.DataFrame:
    """``table.data`` as recognise built it: blank rows dropped by label, every cell hashed."""
    body = sheet.cells.loc[table.header_row + 1 :]
    data = pd.DataFrame(
        {name: body[ref.index] for name, ref in table.columns.items()}, index=body.index
    ).astype("string")
    filled = body.notna().any(axis=1)
    data = data.loc[filled[filled].index]
    data["_row_fingerprint"] = pd.util.hash_pandas_object(
        body.loc[data.index].fillna("\x00"), index=False
    ).to_numpy()
    return data


def _text(table: RecognisedTable, column: str) -> pd.Series:
    return _col(table, column).str.strip().astype(object).where(_col(table, column).notna(), None)


def _total_rows(table: RecognisedTable) -> pd.Index:
    is_total = np.zeros(len(table.data), dtype=bool)
    for column in table.data.columns:
        if column.startswith("_"):
            continue
        codes, uniques = pd.factorize(table.data[column], use_na_sentinel=True)
        text = pd.Series(uniques, dtype="string").str.normalize("NFKC")
        maybe = (text.str.len() <= _MAX_TOTAL_TEXT) & text.str.contains(
            _TOTAL_CORE, case=False, regex=True
        )
        hits = [
            i
            for i in np.flatnonzero(maybe.fillna(False)).tolist()
            if fold_header(str(uniques[i])) in TOTAL_WORDS
        ]
        if hits:
            is_total |= np.isin(codes, hits)
    return table.data.index[is_total]


def _identity(table: RecognisedTable, collector: _IssueCollector) -> pd.DataFrame:
    names = _col(table, "name")
    if "name" not in table.data and ("family_name" in table.data or "given_name" in table.data):
        family = _col(table, "family_name").fillna("")
        given = _col(table, "given_name").fillna("")
        names = (family + " " + given).str.strip()
        names = names.mask(names == "")
    return pd.DataFrame(
        {
            "customer_id": _ids(table, "customer_id"),
            "name": clean_names(names),
            "name_key": name_key(names),
            "email": _parsed(table, "email", parse_emails, collector),
            "phone": _parsed(
                table, "phone", partial(parse_phones, region=collector.phone_region), collector
            ),
        },
        index=table.data.index,
    )


def _ids(table: RecognisedTable, column: str) -> pd.Series:
    text = _col(table, column).str.strip().str.replace(r"^(\d+)\.0$", r"\1", regex=True)
    text = text.mask(text == "")
    return text.astype(object).where(text.notna(), None)


def _subset(table: RecognisedTable, index: pd.Index) -> RecognisedTable:
    return RecognisedTable(
        sheet=table.sheet,
        role=table.role,
        header_row=table.header_row,
        columns=table.columns,
        data=table.data.loc[index],
    )


def row_key(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """The values cast to text, blanks filled with U+0000, hashed."""
    return pd.util.hash_pandas_object(frame[columns].astype("string").fillna("\x00"), index=False)


_CUSTOMER_KEYS = ["customer_id", "email", "phone", "name_key"]
_LINE_KEYS = ["order_id", "order_date", *_CUSTOMER_KEYS, "product", "quantity", "amount", "status"]
_ORDER_KEYS = ["order_id", "order_date", *_CUSTOMER_KEYS]


def parse_orders(
    table: RecognisedTable,
    collector: _IssueCollector,
    *,
    as_of: dt.date,
    keep_identical_rows: bool = False,
) -> pd.DataFrame:
    totals = _total_rows(table)
    collector.add_rows(table, totals, "total_row_skipped")
    data_index = table.data.index.difference(totals)
    key_filled = pd.DataFrame(
        {c: _col(table, c).notna() for c in ("order_date", "amount", "unit_price")}
    ).any(axis=1)
    not_data = data_index[~key_filled.loc[data_index].to_numpy()]
    collector.add_rows(table, not_data, "row_not_data")
    table = _subset(table, data_index.difference(not_data))
    if not keep_identical_rows:
        repeated = table.data["_row_fingerprint"].duplicated(keep="first")
        collector.add_rows(table, repeated.index[repeated], "duplicate_row")
        table = _subset(table, table.data.index[~repeated])

    frame = _identity(table, collector)
    frame["order_id"] = _ids(table, "order_id")
    frame["order_date"] = _parsed(table, "order_date", parse_dates, collector)
    frame["product"] = _text(table, "product")
    frame["quantity"] = _parsed(table, "quantity", parse_quantities, collector)
    amount = _parsed(table, "amount", parse_amounts, collector).astype("float64")
    if "unit_price" in table.data:
        unit = _parsed(table, "unit_price", parse_amounts, collector).astype("float64")
        qty = frame["quantity"].astype("Float64").fillna(1.0).astype("float64")
        amount = amount.where(amount.notna() | _col(table, "amount").notna(), unit * qty)
    frame["amount"] = amount
    status = _parsed(table, "status", parse_order_status, collector)
    frame["status"] = status.where(status.notna(), "completed")

    bad = pd.Series(False, index=frame.index)
    for column, code in (("order_date", "missing_date"), ("amount", "missing_amount")):
        missing_raw = _col(table, column).isna()
        if column == "amount" and "unit_price" in table.data:
            missing_raw &= _col(table, "unit_price").isna()
        collector.add_rows(table, missing_raw.index[missing_raw], code, column)
        bad |= frame[column].isna()
    no_customer = frame[_CUSTOMER_KEYS].isna().all(axis=1) & ~bad
    collector.add_rows(table, no_customer.index[no_customer], "missing_customer")
    bad |= no_customer
    future = (frame["order_date"] > pd.Timestamp(as_of)) & ~bad
    collector.add_rows(table, future.index[future], "future_date", "order_date")
    bad |= future
    frame = frame.loc[~bad]
    table = _subset(table, frame.index)
    frame = _deduplicate_order_ids(frame, table, collector)
    frame = _classify_revenue(frame, table.sheet)
    return _with_source(frame, table)[ORDER_COLUMNS]


def _deduplicate_order_ids(
    frame: pd.DataFrame, table: RecognisedTable, collector: _IssueCollector
) -> pd.DataFrame:
    has_id = frame["order_id"].notna() & ~frame["status"].isin(["cancelled", "refunded"])
    if not has_id.any():
        return frame
    ided = frame.loc[has_id]
    repeated = row_key(ided, _LINE_KEYS).duplicated(keep="first")
    collector.add_rows(table, repeated.index[repeated], "duplicate_order_id", "order_id")
    kept = ided.loc[~repeated]
    order_shape = row_key(kept, _ORDER_KEYS)
    first_shape = order_shape.groupby(kept["order_id"]).transform("first")
    conflict = order_shape != first_shape
    collector.add_rows(table, conflict.index[conflict], "order_id_conflict", "order_id")
    return frame.drop(index=repeated.index[repeated])


def _classify_revenue(frame: pd.DataFrame, sheet: str) -> pd.DataFrame:
    frame = frame.copy()
    voided = frame["status"].isin(["cancelled", "refunded"])
    sale_line = ~voided & (frame["amount"] >= 0)
    has_sale = (
        sale_line.groupby(frame["order_id"]).transform("any").reindex(frame.index).fillna(False)
        if frame["order_id"].notna().any()
        else pd.Series(False, index=frame.index)
    )
    has_sale = has_sale & frame["order_id"].notna()
    reversal = np.where(has_sale, -frame["amount"].abs(), 0.0)
    frame["revenue"] = np.where(voided, reversal, frame["amount"])
    frame["is_purchase"] = sale_line.to_numpy()
    by_id = row_key(frame, _ORDER_KEYS).to_numpy()
    by_row = pd.util.hash_pandas_object(
        pd.Series(f"{sheet}!", index=frame.index) + frame.index.astype(str), index=False
    ).to_numpy()
    frame["order_key"] = np.where(frame["order_id"].notna(), by_id, by_row)
    return frame


def parse_customers(table: RecognisedTable, collector: _IssueCollector) -> pd.DataFrame:
    frame = _identity(table, collector)
    kana = _col(table, "name_kana")
    frame["name_kana"] = clean_names(kana)
    frame["kana_key"] = kana_key(kana)
    frame["postal_code"] = _parsed(table, "postal_code", parse_postal_codes, collector)
    address = _text(table, "address")
    prefecture_column = _text(table, "prefecture")
    if "prefecture" in table.data:
        address = pd.Series(
            [_join_prefecture(p, a) for p, a in zip(prefecture_column, address, strict=True)],
            index=frame.index,
            dtype=object,
        )
    frame["address"] = address
    frame["prefecture"] = extract_prefecture(pd.Series(address, dtype="string"))
    frame["birthday"] = _parsed(table, "birthday", parse_dates, collector)
    frame["gender"] = _parsed(table, "gender", parse_genders, collector)
    frame["source"] = _text(table, "source")
    frame["email_opt_in"] = _parsed(table, "email_opt_in", parse_opt_in, collector)
    frame["created_at"] = _parsed(table, "created_at", parse_dates, collector)
    frame["notes"] = _text(table, "notes")
    empty = frame[_CUSTOMER_KEYS].isna().all(axis=1)
    collector.add_rows(table, empty.index[empty], "missing_customer")
    frame = frame.loc[~empty]
    return _with_source(frame, _subset(table, frame.index))[CUSTOMER_COLUMNS]


def parse_activities(
    table: RecognisedTable, collector: _IssueCollector, *, as_of: dt.date
) -> pd.DataFrame:
    frame = _identity(table, collector)
    frame["date"] = _parsed(table, "date", parse_dates, collector)
    frame["type"] = _parsed(table, "type", parse_activity_types, collector)
    frame["type_text"] = _text(table, "type")
    frame["campaign"] = _text(table, "campaign")
    frame["status"] = _text(table, "status")
    frame["notes"] = _text(table, "notes")
    missing_date = _col(table, "date").isna()
    collector.add_rows(table, missing_date.index[missing_date], "missing_date", "date")
    bad = frame["date"].isna()
    no_customer = frame[_CUSTOMER_KEYS].isna().all(axis=1) & ~bad
    collector.add_rows(table, no_customer.index[no_customer], "missing_customer")
    bad |= no_customer
    future = (frame["date"] > pd.Timestamp(as_of)) & ~bad
    collector.add_rows(table, future.index[future], "future_date", "date")
    bad |= future
    frame = frame.loc[~bad]
    return _with_source(frame, _subset(table, frame.index))[ACTIVITY_COLUMNS]


def parse_tables(
    tables: list[RecognisedTable],
    *,
    as_of: dt.date,
    keep_identical_rows: bool = False,
    phone_region: str = "JP",
) -> ParsedData:
    collector = _IssueCollector(phone_region)
    parts: dict[str, list[pd.DataFrame]] = {"customers": [], "orders": [], "activities": []}
    for table in tables:
        if table.role == "orders":
            parts["orders"].append(
                parse_orders(table, collector, as_of=as_of, keep_identical_rows=keep_identical_rows)
            )
        elif table.role == "customers":
            parts["customers"].append(parse_customers(table, collector))
        else:
            parts["activities"].append(parse_activities(table, collector, as_of=as_of))
    return ParsedData(
        customers=_stack(parts["customers"], CUSTOMER_COLUMNS),
        orders=_stack(parts["orders"], ORDER_COLUMNS),
        activities=_stack(parts["activities"], ACTIVITY_COLUMNS),
        issues=collector.issues,
    )
