"""Key figures for the last N days next to the N days before, for the Summary.

A period of N days ends on the as-of date and starts N − 1 days earlier (the as-of day
counts, as in the Summary's "revenue, last 90 days"); the period before is the N days
just ahead of it.  ``*_change`` is (this − before) / before, blank when there was
nothing before.  Revenue counts every line (refunds subtract); orders and buyers count
purchase lines; a *new customer* is one whose first purchase ever falls in the period.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from sheetcrm.insights.anniversaries import as_dates

DEFAULT_WINDOWS = (30, 90)
FIGURES = ("revenue", "orders", "buyers", "new_customers")
PERIOD_COLUMNS = [
    "period",
    "days",
    "start",
    "end",
    "revenue",
    "revenue_change",
    "orders",
    "orders_change",
    "buyers",
    "buyers_change",
    "new_customers",
    "new_customers_change",
    "average_order_value",
]


def _figures(
    orders: pd.DataFrame, first_purchase: pd.Series, start: pd.Timestamp, end: pd.Timestamp
) -> dict[str, float]:
    """The figures for the days ``start`` … ``end``, both included."""
    inside = (orders["order_date"] >= start) & (orders["order_date"] <= end)
    lines = orders.loc[inside]
    purchases = lines.loc[lines["is_purchase"].astype(bool)]
    revenue = float(lines["revenue"].sum())
    count = int(purchases["order_key"].nunique())
    return {
        "revenue": revenue,
        "orders": count,
        "buyers": int(purchases["customer_id"].nunique()),
        "new_customers": int(((first_purchase >= start) & (first_purchase <= end)).sum()),
        "average_order_value": revenue / count if count else None,
    }


def _change(now: float, before: float) -> float | None:
    return (now - before) / before if before else None


def period_comparison(
    orders: pd.DataFrame, as_of: dt.date, windows: tuple[int, ...] = DEFAULT_WINDOWS
) -> pd.DataFrame:
    """Two rows per window, ``last_<N>d`` (with changes) then ``prev_<N>d``.

    Columns: :data:`PERIOD_COLUMNS`.
    """
    end = pd.Timestamp(as_of)
    orders = orders.assign(order_date=as_dates(orders["order_date"]))
    purchases = orders.loc[orders["is_purchase"].astype(bool)]
    first_purchase = purchases.groupby("customer_id")["order_date"].min()
    rows = []
    for days in windows:
        span = pd.Timedelta(days=days)
        last_start = end - span + pd.Timedelta(days=1)
        now = _figures(orders, first_purchase, last_start, end)
        before = _figures(
            orders, first_purchase, last_start - span, last_start - pd.Timedelta(days=1)
        )
        rows.append(
            {
                "period": f"last_{days}d",
                "days": days,
                "start": last_start,
                "end": end,
                **now,
                **{f"{k}_change": _change(now[k], before[k]) for k in FIGURES},
            }
        )
        rows.append(
            {
                "period": f"prev_{days}d",
                "days": days,
                "start": last_start - span,
                "end": last_start - pd.Timedelta(days=1),
                **before,
            }
        )
    return pd.DataFrame(rows).reindex(columns=PERIOD_COLUMNS)
