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
from dataclasses import dataclass, field, replace
from functools import partial

import numpy as np
import pandas as pd

from sheetcrm.issues import Issue
from sheetcrm.parse.amounts import parse_amounts, parse_quantities
from sheetcrm.parse.base import Distinct, ParseResult, distinct, filler_as_missing, row_ids
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


class _Cells:
    """A table's cells as each column's distinct texts, found once, kept through row filters.

    A 1,000,000-row sales log has as many order IDs, and finding them is the costliest
    step of reading it: the totals check, the ID cleaning and the order keys share it.
    """

    def __init__(self, table: RecognisedTable) -> None:
        self.table = table
        self._found: dict[str, Distinct] = {}

    def of(self, column: str) -> Distinct:
        """The distinct texts of ``column`` (all missing when the table lacks it)."""
        if column not in self._found:
            self._found[column] = distinct(_col(self.table, column))
        return self._found[column]

    def rows(self, keep: np.ndarray) -> _Cells:
        """Only the rows where the boolean mask ``keep`` is set."""
        if keep.all():
            return self
        kept = _Cells(replace(self.table, data=self.table.data[keep]))
        kept._found = {column: found.rows(keep) for column, found in self._found.items()}
        return kept


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


def _text(cells: _Cells, column: str) -> pd.Series:
    """A free-text column, trimmed, as an object column with None for blank cells."""
    return _trimmed(cells.of(column)).objects(cells.table.data.index)


def _trimmed(found: Distinct) -> Distinct:
    """Each distinct text without surrounding spaces ("" stays "", not blank)."""
    return found.relabel(found.texts.str.strip())


def _total_rows(cells: _Cells) -> np.ndarray:
    """Rows where some text cell says 合計 / Total: they summarise sales, they are not sales.

    A boolean mask over the table's rows.
    """
    is_total = np.zeros(len(cells.table.data), dtype=bool)
    for column in cells.table.data.columns:
        if column.startswith("_"):
            continue
        found = cells.of(column)
        hits = _total_labels(found.texts)
        if hits:
            is_total |= np.isin(found.positions, hits)
    return is_total


def _total_labels(texts: pd.Series) -> list[int]:
    """Which of ``texts`` (distinct cell texts) are a totals label such as ``合計``."""
    # NFKC leaves ASCII alone, so only the other texts are folded: a sales log has
    # 1,000,000 distinct order IDs, and none of them needs it.
    text = texts.copy()
    wide = ~texts.str.isascii()
    if wide.any():
        text[wide] = texts[wide].str.normalize("NFKC")
    # Fold only short values that contain a total word's core (計, total, sum).
    maybe = (text.str.len() <= _MAX_TOTAL_TEXT) & text.str.contains(
        _TOTAL_CORE, case=False, regex=True
    )
    return [
        i
        for i in np.flatnonzero(maybe.fillna(False)).tolist()
        if fold_header(str(texts.iloc[i])) in TOTAL_WORDS
    ]


def _identity(
    cells: _Cells, collector: _IssueCollector, customer_ids: Distinct | None = None
) -> pd.DataFrame:
    """customer_id / name / name_key / email / phone for every row of a table.

    ``customer_ids``: the customer ID column's :func:`_ids`, when the caller has them.
    """
    table = cells.table
    names = _col(table, "name")
    if "name" not in table.data and ("family_name" in table.data or "given_name" in table.data):
        family = _col(table, "family_name").fillna("")
        given = _col(table, "given_name").fillna("")
        names = (family + " " + given).str.strip()
        names = names.mask(names == "")
    display = clean_names(names)
    if customer_ids is None:
        customer_ids = _ids(cells.of("customer_id"))
    return pd.DataFrame(
        {
            "customer_id": customer_ids.objects(table.data.index),
            "name": display,
            "name_key": name_key(names),
            "email": _parsed(table, "email", parse_emails, collector),
            "phone": _parsed(
                table, "phone", partial(parse_phones, region=collector.phone_region), collector
            ),
        },
        index=table.data.index,
    )


def _ids(found: Distinct) -> Distinct:
    """An ID column as text; an ID stored as a number may come back as '1001.0'."""
    text = found.texts.str.strip()
    whole = text.str.endswith(".0")
    if whole.any():
        text[whole] = text[whole].str.replace(r"^(\d+)\.0$", r"\1", regex=True)
    return found.relabel(text.mask(text == ""))


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
    cells = _Cells(table)
    totals = _total_rows(cells)
    collector.add_rows(table, table.data.index[totals], "total_row_skipped")
    key_filled = np.zeros(len(table.data), dtype=bool)
    for column in ("order_date", "amount", "unit_price"):
        key_filled |= _col(table, column).notna().to_numpy()
    not_data = ~totals & ~key_filled
    collector.add_rows(table, table.data.index[not_data], "row_not_data")
    keep = ~totals & key_filled
    if not keep_identical_rows:
        repeated = _repeated(_row_fingerprints(cells), keep)
        collector.add_rows(table, table.data.index[repeated], "duplicate_row")
        keep &= ~repeated
    cells = cells.rows(keep)
    table = cells.table

    customer_ids, order_ids = _ids(cells.of("customer_id")), _ids(cells.of("order_id"))
    products = _trimmed(cells.of("product"))
    frame = _identity(cells, collector, customer_ids)
    frame["order_id"] = order_ids.objects(table.data.index)
    frame["order_date"] = _parsed(table, "order_date", parse_dates, collector)
    frame["product"] = products.objects(table.data.index)
    frame["quantity"] = _parsed(table, "quantity", parse_quantities, collector)
    amount = _parsed(table, "amount", parse_amounts, collector).astype("float64")
    if "unit_price" in table.data:
        unit = _parsed(table, "unit_price", parse_amounts, collector).astype("float64")
        qty = frame["quantity"].astype("Float64").fillna(1.0).astype("float64")
        amount = amount.where(amount.notna() | _col(table, "amount").notna(), unit * qty)
    frame["amount"] = amount
    status = _parsed(table, "status", parse_order_status, collector)
    frame["status"] = status.where(status.notna(), "completed")

    bad = np.zeros(len(frame), dtype=bool)
    for column, code in (("order_date", "missing_date"), ("amount", "missing_amount")):
        missing_raw = _col(table, column).isna()
        if column == "amount" and "unit_price" in table.data:
            missing_raw &= _col(table, "unit_price").isna()
        collector.add_rows(table, missing_raw.index[missing_raw], code, column)
        bad |= frame[column].isna().to_numpy()
    no_customer = frame[_CUSTOMER_KEYS].isna().all(axis=1).to_numpy() & ~bad
    collector.add_rows(table, frame.index[no_customer], "missing_customer")
    bad |= no_customer
    future = (frame["order_date"] > pd.Timestamp(as_of)).to_numpy() & ~bad
    collector.add_rows(table, frame.index[future], "future_date", "order_date")
    bad |= future
    if bad.any():
        frame = frame[~bad]
    found = {"order_id": order_ids, "customer_id": customer_ids, "product": products}
    codes = {
        column: found[column].rows(~bad).key_codes()
        if column in found
        else _value_codes(frame[column])
        for column in _LINE_KEYS
    }
    codes["order"] = row_ids([codes[c] for c in _ORDER_KEYS], len(frame))
    frame, codes = _deduplicate_order_ids(frame, codes, table, collector)
    frame = _classify_revenue(frame, codes)
    return _with_source(frame, table)[ORDER_COLUMNS]


def _row_fingerprints(cells: _Cells) -> np.ndarray:
    """Equal exactly for rows whose every cell is equal, recognised or not.

    Spots rows pasted twice; the columns' distinct texts are those the totals check
    already found, so this costs little more than combining their codes.
    """
    columns = cells.table.data.columns
    return row_ids([cells.of(c).key_codes() for c in columns], len(cells.table.data))


def _repeated(fingerprints: np.ndarray, among: np.ndarray) -> np.ndarray:
    """Rows (of the boolean mask ``among``) whose fingerprint an earlier such row had."""
    repeated = np.zeros(len(fingerprints), dtype=bool)
    rows = np.flatnonzero(among)
    repeated[rows[pd.Series(fingerprints[rows]).duplicated().to_numpy()]] = True
    return repeated


_CUSTOMER_KEYS = ["customer_id", "email", "phone", "name_key"]
_ORDER_KEYS = ["order_id", "order_date", *_CUSTOMER_KEYS]
#: What tells two lines of one order apart, besides the _ORDER_KEYS.
_LINE_ONLY_KEYS = ["product", "quantity", "amount", "status"]
_LINE_KEYS = [*_ORDER_KEYS, *_LINE_ONLY_KEYS]


def _value_codes(values: pd.Series) -> np.ndarray:
    """Per row, a code for :func:`row_ids`: equal values, equal codes; -1 for missing.

    Dates compare as instants and amounts bit for bit (-0.0 is not 0.0: their texts
    differ), without casting anything to text.
    """
    if values.dtype.kind == "M":
        codes = pd.factorize(values.to_numpy().view("int64"))[0]
        return np.where(values.isna().to_numpy(), -1, codes)
    if values.dtype == "float64":
        numbers = values.to_numpy()
        return np.where(np.isnan(numbers), -1, pd.factorize(numbers.view("int64"))[0])
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if values.dtype == object or isinstance(values.dtype, pd.StringDtype):
        return filler_as_missing(codes, pd.Series(uniques))
    return codes


def _deduplicate_order_ids(
    frame: pd.DataFrame,
    codes: dict[str, np.ndarray],
    table: RecognisedTable,
    collector: _IssueCollector,
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Same order ID twice: identical lines count once; different date/buyer is a conflict.

    Several lines under one order ID with different products are the normal shape of a
    multi-item order and stay as lines of one order.  ``codes``: the frame's
    :func:`_value_codes` by column, and under ``"order"`` the :func:`row_ids` of its
    _ORDER_KEYS; those of the lines kept are returned with them.
    """
    voided = frame["status"].isin(["cancelled", "refunded"])
    has_id = (frame["order_id"].notna() & ~voided).to_numpy()
    if not has_id.any():
        return frame, codes
    ided = np.flatnonzero(has_id)
    lines = row_ids([codes["order"][ided], *(codes[c][ided] for c in _LINE_ONLY_KEYS)], ided.size)
    repeated = np.zeros(len(frame), dtype=bool)
    repeated[ided[pd.Series(lines).duplicated().to_numpy()]] = True
    collector.add_rows(table, frame.index[repeated], "duplicate_order_id", "order_id")
    kept = np.flatnonzero(has_id & ~repeated)
    shape = pd.Series(codes["order"][kept])
    first_shape = shape.groupby(codes["order_id"][kept]).transform("first")
    conflict = (shape != first_shape).to_numpy()
    collector.add_rows(table, frame.index[kept[conflict]], "order_id_conflict", "order_id")
    if not repeated.any():
        return frame, codes
    return frame[~repeated], {column: c[~repeated] for column, c in codes.items()}


def _classify_revenue(frame: pd.DataFrame, codes: dict[str, np.ndarray]) -> pd.DataFrame:
    """Decide what each line adds to revenue and whether it is a purchase.

    - a normal line with amount ≥ 0 is a purchase and adds its amount;
    - a line with a negative amount is a refund line: it subtracts, and is no purchase;
    - a cancelled/refunded line adds nothing itself, and when the same order ID also
      has a normal line (the seller logged the cancellation as a new row) it reverses
      that amount.
    """
    voided = frame["status"].isin(["cancelled", "refunded"]).to_numpy()
    sale_line = ~voided & (frame["amount"] >= 0).to_numpy()
    has_id = frame["order_id"].notna().to_numpy()
    order = codes["order_id"][has_id] + 1  # bincount counts from 0
    has_sale = np.zeros(len(frame), dtype=bool)
    has_sale[has_id] = np.bincount(order, weights=sale_line[has_id])[order] > 0
    reversal = np.where(has_sale, -frame["amount"].abs(), 0.0)
    frame["revenue"] = np.where(voided, reversal, frame["amount"])
    frame["is_purchase"] = sale_line
    frame["order_key"] = order_keys(has_id, codes["order"])
    return frame


def order_keys(has_id: np.ndarray, orders: np.ndarray) -> np.ndarray:
    """One key per order: its ID with its date and buyer, or else the line itself.

    ``orders``: the :func:`row_ids` of the _ORDER_KEYS columns, below 2**62.  Lines
    with equal ID, date and buyer share a key; each line without an ID has its own.
    """
    keys = orders.astype(np.uint64)
    keys[~has_id] = 2**62 + np.arange(np.count_nonzero(~has_id), dtype=np.uint64)
    return keys


def parse_customers(table: RecognisedTable, collector: _IssueCollector) -> pd.DataFrame:
    """One customer-list table → typed customer rows (see CUSTOMER_COLUMNS)."""
    cells = _Cells(table)
    frame = _identity(cells, collector)
    kana = _col(table, "name_kana")
    frame["name_kana"] = clean_names(kana)
    frame["kana_key"] = kana_key(kana)
    frame["postal_code"] = _parsed(table, "postal_code", parse_postal_codes, collector)
    address = _text(cells, "address")
    prefecture_column = _text(cells, "prefecture")
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
    frame["source"] = _text(cells, "source")
    frame["email_opt_in"] = _parsed(table, "email_opt_in", parse_opt_in, collector)
    frame["created_at"] = _parsed(table, "created_at", parse_dates, collector)
    frame["notes"] = _text(cells, "notes")
    empty = frame[["customer_id", "name_key", "email", "phone"]].isna().all(axis=1)
    collector.add_rows(table, empty.index[empty], "missing_customer")
    return _with_source(frame.loc[~empty], table)[CUSTOMER_COLUMNS]


def _join_prefecture(prefecture: str | None, address: str | None) -> str | None:
    if prefecture and address and not address.startswith(prefecture):
        return prefecture + address
    return address or prefecture


def parse_activities(
    table: RecognisedTable, collector: _IssueCollector, *, as_of: dt.date
) -> pd.DataFrame:
    """One activity-log table → typed activity rows (see ACTIVITY_COLUMNS)."""
    cells = _Cells(table)
    frame = _identity(cells, collector)
    frame["date"] = _parsed(table, "date", parse_dates, collector)
    frame["type"] = _parsed(table, "type", parse_activity_types, collector)
    frame["type_text"] = _text(cells, "type")
    frame["campaign"] = _text(cells, "campaign")
    frame["status"] = _text(cells, "status")
    frame["notes"] = _text(cells, "notes")
    missing_date = _col(table, "date").isna()
    collector.add_rows(table, missing_date.index[missing_date], "missing_date", "date")
    bad = frame["date"].isna()
    no_customer = frame[["customer_id", "name_key", "email", "phone"]].isna().all(axis=1) & ~bad
    collector.add_rows(table, no_customer.index[no_customer], "missing_customer")
    bad |= no_customer
    future = (frame["date"] > pd.Timestamp(as_of)) & ~bad
    collector.add_rows(table, future.index[future], "future_date", "date")
    bad |= future
    return _with_source(frame.loc[~bad], table)[ACTIVITY_COLUMNS]


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
    orders = _stack(parts["orders"], ORDER_COLUMNS)
    if sum(not part.empty for part in parts["orders"]) > 1:
        # Each table numbered its own orders; one order may appear in several sales logs.
        orders["order_key"] = order_keys(
            orders["order_id"].notna().to_numpy(),
            row_ids([_value_codes(orders[c]) for c in _ORDER_KEYS], len(orders)),
        )
    return ParsedData(
        customers=_stack(parts["customers"], CUSTOMER_COLUMNS),
        orders=orders,
        activities=_stack(parts["activities"], ACTIVITY_COLUMNS),
        issues=collector.issues,
    )


def _stack(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    frames = [f for f in frames if not f.empty]
    if not frames:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
    return pd.concat(frames, ignore_index=True)[columns]
