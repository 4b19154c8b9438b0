"""Per-customer purchase metrics (recency, frequency, monetary and friends), as of a date.

Definitions follow the `lifetimes` library where they overlap, so that the numbers
can feed a BG/NBD model unchanged: ``repeat_purchases`` is its *frequency* (distinct
purchase days − 1), ``tenure_days`` its *recency* (last − first purchase) and
``customer_age_days`` its *T* (as-of − first purchase).  The README has one line per
column.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

METRIC_COLUMNS = [
    "first_purchase",
    "last_purchase",
    "orders",
    "purchase_days",
    "repeat_purchases",
    "days_since_last_purchase",
    "tenure_days",
    "customer_age_days",
    "total_spent",
    "average_order_value",
    "average_days_between_purchases",
    "next_purchase_expected",
    "top_product",
    "r_score",
    "f_score",
    "m_score",
    "average_repeat_value",
]


def quintile_scores(values: pd.Series, *, higher_is_better: bool) -> pd.Series:
    """Scores 1–5 by the share of customers who do strictly worse (5 = best).

    Ties share a score, so every customer with one purchase gets the same F score, and
    the worst value always scores 1.  Missing values get no score.
    """
    present = values.dropna().astype("float64")
    if present.empty:
        return pd.Series(pd.NA, index=values.index, dtype="Int64")
    ordered = np.sort(present.to_numpy())
    if higher_is_better:
        worse = np.searchsorted(ordered, present.to_numpy(), side="left")
    else:
        worse = len(ordered) - np.searchsorted(ordered, present.to_numpy(), side="right")
    scores = 1 + np.floor(5 * worse / len(ordered)).astype("int64")
    return pd.Series(scores, index=present.index).reindex(values.index).astype("Int64")


def customer_metrics(orders: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """One row per buying customer (indexed by customer_id) with METRIC_COLUMNS.

    ``orders`` are resolved order lines (``customer_id``, ``order_date``, ``order_key``,
    ``product``, ``revenue``, ``is_purchase``).  Revenue counts every line, refunds
    included; counts and dates count purchase lines only.
    """
    as_of_ts = pd.Timestamp(as_of)
    purchases = orders.loc[orders["is_purchase"].astype(bool)]
    if purchases.empty:
        return pd.DataFrame(columns=METRIC_COLUMNS, index=pd.Index([], name="customer_id"))
    grouped = purchases.groupby("customer_id", sort=True)
    metrics = pd.DataFrame(
        {
            "first_purchase": grouped["order_date"].min(),
            "last_purchase": grouped["order_date"].max(),
            "orders": grouped["order_key"].nunique(),
            "purchase_days": grouped["order_date"].nunique(),
        }
    )
    metrics["repeat_purchases"] = metrics["purchase_days"] - 1
    metrics["days_since_last_purchase"] = (as_of_ts - metrics["last_purchase"]).dt.days
    metrics["tenure_days"] = (metrics["last_purchase"] - metrics["first_purchase"]).dt.days
    metrics["customer_age_days"] = (as_of_ts - metrics["first_purchase"]).dt.days
    spent = orders.groupby("customer_id", sort=True)["revenue"].sum()
    metrics["total_spent"] = spent.reindex(metrics.index).fillna(0.0)
    metrics["average_order_value"] = metrics["total_spent"] / metrics["orders"]
    repeats = metrics["repeat_purchases"].where(metrics["repeat_purchases"] > 0)
    metrics["average_days_between_purchases"] = metrics["tenure_days"] / repeats
    metrics["next_purchase_expected"] = metrics["last_purchase"] + pd.to_timedelta(
        metrics["average_days_between_purchases"].round(), unit="D"
    )
    metrics["top_product"] = _top_products(purchases).reindex(metrics.index)
    metrics["average_repeat_value"] = _average_repeat_value(purchases).reindex(metrics.index)
    metrics["r_score"] = quintile_scores(
        metrics["days_since_last_purchase"], higher_is_better=False
    )
    metrics["f_score"] = quintile_scores(metrics["purchase_days"], higher_is_better=True)
    metrics["m_score"] = quintile_scores(metrics["total_spent"], higher_is_better=True)
    return metrics[METRIC_COLUMNS]


def _average_repeat_value(purchases: pd.DataFrame) -> pd.Series:
    """Mean spend per repeat purchase day (the first day excluded), for the spend model."""
    daily = (
        purchases.groupby(["customer_id", "order_date"], sort=True)["revenue"].sum().reset_index()
    )
    repeat = daily.groupby("customer_id").cumcount() > 0
    return daily.loc[repeat].groupby("customer_id")["revenue"].mean()


def _top_products(purchases: pd.DataFrame) -> pd.Series:
    """The product each customer bought most often (ties: more revenue, then name)."""
    lines = purchases.dropna(subset=["product"])
    if lines.empty:
        return pd.Series(dtype=object)
    counts = (
        lines.groupby(["customer_id", "product"], sort=False)
        .agg(times=("order_key", "nunique"), revenue=("revenue", "sum"))
        .reset_index()
        .sort_values(
            ["customer_id", "times", "revenue", "product"], ascending=[True, False, False, True]
        )
    )
    return counts.drop_duplicates("customer_id").set_index("customer_id")["product"]
