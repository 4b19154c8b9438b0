"""Customers and revenue by age band, gender and prefecture, for the columns a shop fills.

A breakdown appears only when at least one customer has the attribute; customers
without it form a last ``unknown`` row, so the rows always add up to every customer.
Ages are whole years on the as-of date (:func:`~sheetcrm.insights.anniversaries.age_in_years`);
a birthday that makes someone older than :data:`MAX_AGE` is a typo, not a customer, and
counts as unknown.  Prefectures come from the address (:mod:`sheetcrm.address`).
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from sheetcrm.insights.anniversaries import age_in_years
from sheetcrm.resources import load_table

UNKNOWN = "unknown"
#: (youngest age in the band, key); a band runs up to the next band's start.
AGE_BANDS: tuple[tuple[int, str], ...] = (
    (0, "under_20"),
    (20, "20s"),
    (30, "30s"),
    (40, "40s"),
    (50, "50s"),
    (60, "60s"),
    (70, "70_plus"),
)
MAX_AGE = 120
GENDER_ORDER = ("female", "male", "other")
#: Breakdowns in display order; each frame's first column is named after its key.
DIMENSIONS = ("age_band", "gender", "prefecture")
VALUE_COLUMNS = [
    "customers",
    "customer_share",
    "buyers",
    "revenue",
    "share",
    "revenue_per_customer",
]


def age_bands(birthdays: pd.Series, as_of: dt.date) -> pd.Series:
    """The :data:`AGE_BANDS` key of each birthday on ``as_of`` (NA when unknown)."""
    ages = age_in_years(birthdays, as_of)
    ages = ages.where(ages <= MAX_AGE)
    bands = pd.Series(pd.NA, index=birthdays.index, dtype=object)
    for low, key in AGE_BANDS:
        bands[(ages >= low).fillna(False).astype(bool)] = key
    return bands


def _prefecture_order() -> tuple[str, ...]:
    return tuple(load_table("vocabulary")["prefectures"]["names"])


def breakdown(customers: pd.DataFrame, groups: pd.Series, order: tuple[str, ...]) -> pd.DataFrame:
    """Customers, buyers and revenue per group key (NA → ``unknown``, listed last).

    ``order`` lists the known keys in display order; keys not in it follow, by size.
    """
    spent = pd.to_numeric(customers["total_spent"], errors="coerce").fillna(0.0)
    days = pd.to_numeric(customers["purchase_days"], errors="coerce").fillna(0)
    frame = pd.DataFrame(
        {
            "group": groups.astype(object).where(groups.notna(), UNKNOWN).to_numpy(),
            "buyer": (days >= 1).to_numpy(),
            "spent": spent.to_numpy(),
        }
    )
    grouped = frame.groupby("group")
    result = pd.DataFrame(
        {
            "customers": grouped.size(),
            "buyers": grouped["buyer"].sum().astype("int64"),
            "revenue": grouped["spent"].sum(),
        }
    )
    total_revenue = result["revenue"].sum()
    result["customer_share"] = result["customers"] / result["customers"].sum()
    result["share"] = result["revenue"] / total_revenue if total_revenue else None
    result["revenue_per_customer"] = result["revenue"] / result["customers"]
    rank = {key: i for i, key in enumerate(order)}
    result["_rank"] = [rank.get(key, len(rank)) for key in result.index]
    result["_unknown"] = result.index == UNKNOWN
    result = result.sort_values(
        ["_unknown", "_rank", "customers"], ascending=[True, True, False], kind="stable"
    )
    return result.rename_axis("group").reset_index()[["group", *VALUE_COLUMNS]]


def breakdowns(customers: pd.DataFrame, as_of: dt.date) -> dict[str, pd.DataFrame]:
    """The breakdowns the data allow, keyed by dimension (see :data:`DIMENSIONS`).

    Each frame's first column is the dimension (``age_band`` keys, ``gender`` keys,
    prefecture names, or ``unknown``), then :data:`VALUE_COLUMNS`.
    """
    result: dict[str, pd.DataFrame] = {}
    bands = age_bands(customers["birthday"], as_of)
    if bands.notna().any():
        result["age_band"] = breakdown(customers, bands, tuple(key for _, key in AGE_BANDS))
    gender = customers["gender"].where(customers["gender"].isin(GENDER_ORDER))
    if gender.notna().any():
        result["gender"] = breakdown(customers, gender, GENDER_ORDER)
    prefecture = customers["prefecture"].where(customers["prefecture"].notna())
    if prefecture.notna().any():
        by_size = breakdown(customers, prefecture, ())
        # Most customers first; equal counts in JIS order (北海道 … 沖縄県).
        jis = {name: i for i, name in enumerate(_prefecture_order())}
        by_size["_jis"] = by_size["group"].map(jis)
        by_size["_unknown"] = by_size["group"] == UNKNOWN
        by_size = by_size.sort_values(
            ["_unknown", "customers", "_jis"], ascending=[True, False, True], kind="stable"
        )
        result["prefecture"] = by_size.drop(columns=["_jis", "_unknown"]).reset_index(drop=True)
    return {key: frame.rename(columns={"group": key}) for key, frame in result.items()}
