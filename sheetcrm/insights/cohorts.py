"""Retention: monthly cohorts, repeat rate and time to the second purchase.

A customer's *cohort* is the calendar month of their first purchase.  Cell (cohort,
k) of the cohort table is the share of the cohort that bought in the k-th calendar
month after it (k = 0 is the first month itself, so 100 %).  Months after the as-of
month are blank, not 0 %: nobody could have bought yet.  The as-of month is counted
as far as it has gone.

Purchases are purchase lines (refund lines are not a visit); "second purchase" is the
second distinct purchase *day*, as in ``purchase_days``, so two orders on one day are
one purchase and the repeat rate matches the Summary's.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import pandas as pd

from sheetcrm.insights.anniversaries import as_dates

#: Long form of the cohort table.
COHORT_COLUMNS = ["cohort", "months_since", "customers", "active", "share"]
#: Bands of days between the first and second purchase day: (first day, last day or None).
SECOND_PURCHASE_BANDS: tuple[tuple[int, int | None], ...] = (
    (1, 30),
    (31, 60),
    (61, 90),
    (91, 180),
    (181, 365),
    (366, None),
)
DISTRIBUTION_COLUMNS = ["low", "high", "customers", "share"]


def purchase_days(orders: pd.DataFrame) -> pd.DataFrame:
    """Distinct (customer, purchase day) pairs, in date order: what every table here counts.

    Computing it takes a while on a 1,000,000-line sales log; the functions below take
    it as ``days=`` so that it is computed once per analysis (``Analysis.purchase_days``).
    """
    purchases = orders.loc[orders["is_purchase"].astype(bool), ["customer_id", "order_date"]]
    purchases = purchases.assign(order_date=as_dates(purchases["order_date"]))
    purchases = purchases.dropna().drop_duplicates()
    return purchases.sort_values(["customer_id", "order_date"], kind="stable")


def month_number(dates: pd.Series) -> pd.Series:
    """Months since year 0 (2024-03 → 24290): groups and sorts by calendar month cheaply."""
    return dates.dt.year * 12 + dates.dt.month - 1


def month_label(number: int) -> str:
    """A :func:`month_number` spelled as ``YYYY-MM``."""
    return f"{number // 12:04d}-{number % 12 + 1:02d}"


def cohort_activity(orders: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    """The cohort table in long form (:data:`COHORT_COLUMNS`), every observable cell."""
    return _cohort_activity(purchase_days(orders), as_of)


def _cohort_activity(days: pd.DataFrame, as_of: dt.date) -> pd.DataFrame:
    if days.empty:
        return pd.DataFrame(columns=COHORT_COLUMNS)
    month = month_number(days["order_date"])
    first = month.groupby(days["customer_id"]).transform("min")
    active = (
        pd.DataFrame({"first": first, "k": month - first, "customer_id": days["customer_id"]})
        .groupby(["first", "k"])["customer_id"]
        .nunique()
    )
    sizes = first.groupby(days["customer_id"]).first().value_counts()
    now = as_of.year * 12 + as_of.month - 1
    cells = pd.DataFrame(
        [(c, k) for c in sorted(sizes.index) for k in range(now - c + 1)],
        columns=["first", "k"],
    )
    cells["customers"] = cells["first"].map(sizes).astype("int64")
    cells["active"] = (
        active.reindex(pd.MultiIndex.from_frame(cells[["first", "k"]])).fillna(0).to_numpy()
    ).astype("int64")
    cells["share"] = cells["active"] / cells["customers"]
    cells["cohort"] = cells["first"].map(month_label)
    cells = cells.rename(columns={"k": "months_since"})
    return cells[COHORT_COLUMNS]


def month_column(k: int) -> str:
    """The key of the cohort table's column for month k (``month_0``, ``month_1``…)."""
    return f"month_{k}"


def cohort_table(
    orders: pd.DataFrame,
    as_of: dt.date,
    *,
    cohorts: int = 24,
    months: int = 12,
    days: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """The cohort table in wide form: one row per cohort (the latest ``cohorts``).

    Columns: ``cohort`` (``YYYY-MM``), ``customers``, ``repeat_rate`` (share of the
    cohort that has bought on two or more days by now) and ``month_0`` … ``month_<months>``
    (shares; blank where the month has not come yet).
    """
    keys = [month_column(k) for k in range(months + 1)]
    days = purchase_days(orders) if days is None else days
    long = _cohort_activity(days, as_of)
    if long.empty:
        return pd.DataFrame(columns=["cohort", "customers", "repeat_rate", *keys])
    wide = long[long["months_since"] <= months].pivot(
        index="cohort", columns="months_since", values="share"
    )
    wide = wide.reindex(columns=range(months + 1))
    wide.columns = keys
    sizes = long.drop_duplicates("cohort").set_index("cohort")["customers"]
    repeat = _repeaters_by_cohort(days).reindex(sizes.index).fillna(0)
    wide.insert(0, "repeat_rate", (repeat / sizes).to_numpy())
    wide.insert(0, "customers", sizes.to_numpy())
    wide = wide.sort_index().tail(cohorts)
    return wide.rename_axis("cohort").reset_index()


def _repeaters_by_cohort(days: pd.DataFrame) -> pd.Series:
    per_customer = days.groupby("customer_id")["order_date"].agg(["min", "count"])
    cohort = per_customer["min"].dt.strftime("%Y-%m")
    return (per_customer["count"] >= 2).groupby(cohort).sum()


def days_to_second_purchase(orders: pd.DataFrame) -> pd.Series:
    """Per repeat customer, days from the first to the second distinct purchase day."""
    return _days_to_second(purchase_days(orders))


def _days_to_second(days: pd.DataFrame) -> pd.Series:
    nth = days.groupby("customer_id").cumcount()
    first = days.loc[nth == 0].set_index("customer_id")["order_date"]
    second = days.loc[nth == 1].set_index("customer_id")["order_date"]
    return (second - first.reindex(second.index)).dt.days.astype("int64")


@dataclass(frozen=True, eq=False)
class Retention:
    """How many buyers came back, and how soon.

    ``distribution`` has one row per band of :data:`SECOND_PURCHASE_BANDS`
    (:data:`DISTRIBUTION_COLUMNS`; ``share`` of the repeat buyers).
    """

    buyers: int
    repeat_buyers: int
    repeat_rate: float | None
    median_days_to_second: float | None
    distribution: pd.DataFrame


def retention(orders: pd.DataFrame, *, days: pd.DataFrame | None = None) -> Retention:
    """Repeat rate and time to the second purchase over all buyers."""
    days = purchase_days(orders) if days is None else days
    buyers = int(days["customer_id"].nunique())
    gaps = _days_to_second(days)
    rows = []
    for low, high in SECOND_PURCHASE_BANDS:
        inside = gaps >= low
        if high is not None:
            inside &= gaps <= high
        count = int(inside.sum())
        rows.append(
            {
                "low": low,
                "high": high,
                "customers": count,
                "share": count / len(gaps) if len(gaps) else None,
            }
        )
    return Retention(
        buyers=buyers,
        repeat_buyers=len(gaps),
        repeat_rate=len(gaps) / buyers if buyers else None,
        median_days_to_second=float(gaps.median()) if len(gaps) else None,
        distribution=pd.DataFrame(rows, columns=DISTRIBUTION_COLUMNS),
    )
