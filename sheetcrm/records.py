"""Turn recognised tables into typed customers, orders and activities frames.

This is where raw cell text becomes dates, yen and phone numbers, and where every
cell that cannot be read becomes an :class:`~sheetcrm.issues.Issue` instead of a
guess.  Frames from several sheets of the same kind (say, one sales log per year)
are stacked.  Every row keeps ``source_sheet`` and ``source_row`` so that each
figure can be traced back to the cell it came from.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import partial

import numpy as np
import pandas as pd

from sheetcrm.issues import Issue
from sheetcrm.parse.amounts import parse_amounts, parse_quantities
from sheetcrm.parse.base import ParseResult
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
from sheetcrm.tables import RecognisedTable
from sheetcrm.text import fold_header

#: Text that marks a totals row (folded with fold_header); such rows are never sales.
TOTAL_WORDS = frozenset(
    fold_header(w)
    for w in (
        "合計",
        "小計",
        "総計",
        "計",
        "累計",
        "合計金額",
        "total",
        "subtotal",
        "grand total",
        "totals",
        "sum",
        "月計",
        "年計",
        "売上合計",
    )
)

#: Longest raw text that can still be a totals label (合計（税込・送料込）…).
_MAX_TOTAL_TEXT = 24
#: Every word in TOTAL_WORDS contains one of these.
_TOTAL_CORE = "計|total|sum"

IDENTITY_COLUMNS = ["customer_id", "name", "name_key", "email", "phone"]
ORDER_COLUMNS = [
    "source_sheet",
    "source_row",
    *IDENTITY_COLUMNS,
    "order_id",
    "order_date",
    "product",
    "quantity",
    "amount",
    "status",
    "revenue",
    "is_purchase",
    "order_key",
]
CUSTOMER_COLUMNS = [
    "source_sheet",
    "source_row",
    *IDENTITY_COLUMNS,
    "name_kana",
    "kana_key",
    "postal_code",
    "address",
    "prefecture",
    "birthday",
    "gender",
    "source",
    "email_opt_in",
    "created_at",
    "notes",
]
ACTIVITY_COLUMNS = [
    "source_sheet",
    "source_row",
    *IDENTITY_COLUMNS,
    "date",
    "type",
    "type_text",
    "campaign",
    "status",
    "notes",
]


@dataclass(frozen=True, eq=False)
class ParsedData:
    """Typed tables plus every issue found while reading them."""

    customers: pd.DataFrame
    orders: pd.DataFrame
    activities: pd.DataFrame
    issues: list[Issue] = field(default_factory=list)


class _IssueCollector:
    """Turns per-row issue codes into Issue records pointing at the right cell."""

    def __init__(self, phone_region: str = "JP") -> None:
        self.issues: list[Issue] = []
        self.phone_region = phone_region  # where numbers without +country code are dialled

    def add_codes(self, table: RecognisedTable, column: str | None, codes: pd.Series) -> None:
        """An issue for each row with a code; ``column`` (if any) names the cell and value."""
        flagged = codes.dropna()
        if flagged.empty:
            return
        ref = table.columns.get(column) if column else None
        raw = table.data.get(column) if column else None
        for row, code in flagged.items():
            value = None if raw is None or pd.isna(raw.get(row)) else str(raw[row])
            self.issues.append(
                Issue(
                    table.sheet,
                    int(row),
                    ref.letter if ref else None,
                    ref.header if ref else None,
                    value,
                    str(code),
                )
            )

    def add_rows(
        self, table: RecognisedTable, rows: Iterable[int], code: str, column: str | None = None
    ) -> None:
        """The same ``code`` for each of ``rows``."""
        self.add_codes(table, column, pd.Series(code, index=list(rows), dtype=object))


def _col(table: RecognisedTable, name: str) -> pd.Series:
    """The raw text column, or an all-missing one when the sheet lacks it."""
    if name in table.data:
        return table.data[name]
    return pd.Series(pd.NA, index=table.data.index, dtype="string")


def _parsed(
    table: RecognisedTable,
    column: str,
    parser,
    collector: _IssueCollector,
) -> pd.Series:
    """Parse one column, recording its issues; an absent column parses as all-missing."""
    if column not in table.data:
        empty = pd.Series(pd.NA, index=table.data.index, dtype="string")
        return parser(empty).values
    result: ParseResult = parser(table.data[column])
    collector.add_codes(table, column, result.codes)
    return result.values


def _text(table: RecognisedTable, column: str) -> pd.Series:
    return _col(table, column).str.strip().astype(object).where(_col(table, column).notna(), None)


def _total_rows(table: RecognisedTable) -> pd.Index:
    """Rows where some text cell says 合計 / Total: they summarise sales, they are not sales."""
    is_total = np.zeros(len(table.data), dtype=bool)
    for column in table.data.columns:
        if column.startswith("_"):
            continue
        codes, uniques = pd.factorize(table.data[column], use_na_sentinel=True)
        # Fold only short values that contain a total word's core (計, total, sum): a
        # sales log has 1,000,000 distinct order IDs, and none of them needs folding.
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
    """customer_id / name / name_key / email / phone for every row of a table."""
    names = _col(table, "name")
    if "name" not in table.data and ("family_name" in table.data or "given_name" in table.data):
        family = _col(table, "family_name").fillna("")
        given = _col(table, "given_name").fillna("")
        names = (family + " " + given).str.strip()
        names = names.mask(names == "")
    display = clean_names(names)
    return pd.DataFrame(
        {
            "customer_id": _ids(table, "customer_id"),
            "name": display,
            "name_key": name_key(names),
            "email": _parsed(table, "email", parse_emails, collector),
            "phone": _parsed(
                table, "phone", partial(parse_phones, region=collector.phone_region), collector
            ),
        },
        index=table.data.index,
    )


def _ids(table: RecognisedTable, column: str) -> pd.Series:
    """An ID column as text; an ID stored as a number may come back as '1001.0'."""
    text = _col(table, column).str.strip().str.replace(r"^(\d+)\.0$", r"\1", regex=True)
    text = text.mask(text == "")
    return text.astype(object).where(text.notna(), None)


def _with_source(frame: pd.DataFrame, table: RecognisedTable) -> pd.DataFrame:
    frame.insert(0, "source_row", frame.index.astype("int64"))
    frame.insert(0, "source_sheet", table.sheet)
    return frame.reset_index(drop=True)


def parse_orders(
    table: RecognisedTable,
    collector: _IssueCollector,
    *,
    as_of: dt.date,
    keep_identical_rows: bool = False,
) -> pd.DataFrame:
    """One sales-log table → typed order lines (see ORDER_COLUMNS)."""
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
    no_customer = frame[["customer_id", "name_key", "email", "phone"]].isna().all(axis=1) & ~bad
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


def _subset(table: RecognisedTable, index: pd.Index) -> RecognisedTable:
    return RecognisedTable(
        sheet=table.sheet,
        role=table.role,
        header_row=table.header_row,
        columns=table.columns,
        data=table.data.loc[index],
        japanese_headers=table.japanese_headers,
        english_headers=table.english_headers,
        unrecognised_headers=table.unrecognised_headers,
    )


def _row_key(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    """A 64-bit hash of the given columns per row: equal values, equal keys.

    Hashing (rather than joining the values as text) keeps building keys for a
    1,000,000-row sales log to a fraction of a second; collisions are negligible at 2⁶⁴.
    """
    return pd.util.hash_pandas_object(frame[columns].astype("string").fillna("\x00"), index=False)


_CUSTOMER_KEYS = ["customer_id", "email", "phone", "name_key"]
_LINE_KEYS = ["order_id", "order_date", *_CUSTOMER_KEYS, "product", "quantity", "amount", "status"]
_ORDER_KEYS = ["order_id", "order_date", *_CUSTOMER_KEYS]


def _deduplicate_order_ids(
    frame: pd.DataFrame, table: RecognisedTable, collector: _IssueCollector
) -> pd.DataFrame:
    """Same order ID twice: identical lines count once; different date/buyer is a conflict.

    Several lines under one order ID with different products are the normal shape of a
    multi-item order and stay as lines of one order.
    """
    has_id = frame["order_id"].notna() & ~frame["status"].isin(["cancelled", "refunded"])
    if not has_id.any():
        return frame
    ided = frame.loc[has_id]
    repeated = _row_key(ided, _LINE_KEYS).duplicated(keep="first")
    collector.add_rows(table, repeated.index[repeated], "duplicate_order_id", "order_id")
    kept = ided.loc[~repeated]
    order_shape = _row_key(kept, _ORDER_KEYS)
    first_shape = order_shape.groupby(kept["order_id"]).transform("first")
    conflict = order_shape != first_shape
    collector.add_rows(table, conflict.index[conflict], "order_id_conflict", "order_id")
    return frame.drop(index=repeated.index[repeated])


def _classify_revenue(frame: pd.DataFrame, sheet: str) -> pd.DataFrame:
    """Decide what each line adds to revenue and whether it is a purchase.

    - a normal line with amount ≥ 0 is a purchase and adds its amount;
    - a line with a negative amount is a refund line: it subtracts, and is no purchase;
    - a cancelled/refunded line adds nothing itself, and when the same order ID also
      has a normal line (the seller logged the cancellation as a new row) it reverses
      that amount.
    """
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
    # One key per order: the order ID with its date and buyer, or else the row itself.
    by_id = _row_key(frame, _ORDER_KEYS).to_numpy()
    by_row = pd.util.hash_pandas_object(
        pd.Series(f"{sheet}!", index=frame.index) + frame.index.astype(str), index=False
    ).to_numpy()
    frame["order_key"] = np.where(frame["order_id"].notna(), by_id, by_row)
    return frame


def parse_customers(table: RecognisedTable, collector: _IssueCollector) -> pd.DataFrame:
    """One customer-list table → typed customer rows (see CUSTOMER_COLUMNS)."""
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
    empty = frame[["customer_id", "name_key", "email", "phone"]].isna().all(axis=1)
    collector.add_rows(table, empty.index[empty], "missing_customer")
    frame = frame.loc[~empty]
    return _with_source(frame, _subset(table, frame.index))[CUSTOMER_COLUMNS]


def _join_prefecture(prefecture: str | None, address: str | None) -> str | None:
    if prefecture and address and not address.startswith(prefecture):
        return prefecture + address
    return address or prefecture


def parse_activities(
    table: RecognisedTable, collector: _IssueCollector, *, as_of: dt.date
) -> pd.DataFrame:
    """One activity-log table → typed activity rows (see ACTIVITY_COLUMNS)."""
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
    no_customer = frame[["customer_id", "name_key", "email", "phone"]].isna().all(axis=1) & ~bad
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
    """Parse every recognised table and stack the results by role."""
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


def _stack(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    return pd.concat(frames, ignore_index=True)[columns]
