"""Small hand-built frames shaped like ``Analysis.customers`` / activities / orders.

The insight functions are pure over these frames, so most rules are checked on a few
rows written out by hand; ``tests/test_insights_pipeline.py`` runs the same rules on
real workbooks.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

_CUSTOMER_DEFAULTS: dict[str, object] = {
    "name": None,
    "email": None,
    "phone": None,
    "address": None,
    "prefecture": None,
    "birthday": None,
    "gender": None,
    "source": None,
    "email_opt_in": None,
    "first_purchase": None,
    "last_purchase": None,
    "orders": np.nan,
    "purchase_days": np.nan,
    "days_since_last_purchase": np.nan,
    "total_spent": np.nan,
    "average_days_between_purchases": np.nan,
    "next_purchase_expected": None,
    "m_score": None,
    "segment": "prospects",
}
_DATE_COLUMNS = ("first_purchase", "last_purchase", "next_purchase_expected")


def _ts(value: object) -> pd.Timestamp | None:
    return None if value is None else pd.Timestamp(value)


def customers(*rows: dict[str, object], as_of: dt.date | None = None) -> pd.DataFrame:
    """Customers from ``{"customer_id": …, **overrides}`` rows, metric dtypes as in the pipeline.

    ``days_since_last_purchase`` is filled from ``last_purchase`` when ``as_of`` is given.
    """
    records = []
    for row in rows:
        record = {"customer_id": row["customer_id"], **_CUSTOMER_DEFAULTS, **row}
        if record["name"] is None:
            record["name"] = f"Customer {record['customer_id']}"
        records.append(record)
    frame = pd.DataFrame(records)
    for column in _DATE_COLUMNS:
        frame[column] = pd.to_datetime(frame[column].map(_ts)).astype("datetime64[ns]")
    frame["birthday"] = frame["birthday"].map(_ts).astype(object)
    frame["m_score"] = frame["m_score"].astype("Int64")
    frame["email"] = frame["email"].astype("string")
    frame["phone"] = frame["phone"].astype("string")
    if as_of is not None:
        frame["days_since_last_purchase"] = (
            pd.Timestamp(as_of) - frame["last_purchase"]
        ).dt.days.astype("float64")
    return frame


def buyer(
    customer_id: str,
    *,
    first: str,
    last: str | None = None,
    days: int = 1,
    m_score: int = 1,
    spent: float = 1000.0,
    **overrides: object,
) -> dict[str, object]:
    """A customer row for someone who bought (``days`` distinct purchase days)."""
    return {
        "customer_id": customer_id,
        "email": f"{customer_id.lower()}@example.com",
        "first_purchase": first,
        "last_purchase": last or first,
        "orders": float(days),
        "purchase_days": float(days),
        "total_spent": spent,
        "m_score": m_score,
        "segment": "new",
        **overrides,
    }


def activities(*rows: tuple) -> pd.DataFrame:
    """Activities from ``(customer_id, date, type[, campaign[, status]])`` tuples."""
    records = []
    for row in rows:
        customer_id, date, kind, *rest = row
        campaign = rest[0] if rest else None
        status = rest[1] if len(rest) > 1 else None
        records.append(
            {
                "customer_id": customer_id,
                "date": pd.Timestamp(date),
                "type": kind,
                "campaign": campaign,
                "status": status,
                "notes": None,
            }
        )
    frame = pd.DataFrame(
        records, columns=["customer_id", "date", "type", "campaign", "status", "notes"]
    )
    frame["date"] = frame["date"].astype("datetime64[ns]")
    frame["type"] = frame["type"].astype("string")
    return frame


def orders(*rows: tuple) -> pd.DataFrame:
    """Order lines from ``(customer_id, date, revenue[, is_purchase[, order_key]])`` tuples."""
    records = []
    for i, row in enumerate(rows):
        customer_id, date, revenue, *rest = row
        is_purchase = rest[0] if rest else True
        key = rest[1] if len(rest) > 1 else f"o{i}"
        records.append(
            {
                "customer_id": customer_id,
                "order_date": pd.Timestamp(date),
                "order_key": key,
                "product": None,
                "revenue": float(revenue),
                "is_purchase": is_purchase,
            }
        )
    frame = pd.DataFrame(
        records,
        columns=["customer_id", "order_date", "order_key", "product", "revenue", "is_purchase"],
    )
    frame["order_date"] = frame["order_date"].astype("datetime64[ns]")
    frame["is_purchase"] = frame["is_purchase"].astype(bool)
    return frame
