"""Which acquisition channels (流入経路) bring customers who buy, and buy again.

Per value of the customers' ``source`` column: how many customers, how many bought,
how many bought on two or more days (``repeat_rate`` is that share of the buyers, the
Summary's definition) and revenue per customer, non-buyers included, so a channel that
brings many people who never buy shows it.  Spellings are grouped after NFKC, case and
space folding; the most common spelling names the group.  Customers without a source
form the last row (``source`` blank).
"""

from __future__ import annotations

import pandas as pd

from sheetcrm.insights.campaigns import fold_name
from sheetcrm.text import nfkc

CHANNEL_COLUMNS = [
    "source",
    "customers",
    "buyers",
    "repeat_buyers",
    "repeat_rate",
    "revenue",
    "revenue_per_customer",
]


def acquisition_results(customers: pd.DataFrame) -> pd.DataFrame:
    """One row per acquisition channel (:data:`CHANNEL_COLUMNS`), most customers first.

    Empty when no customer has a source: a table of one "unknown" row says nothing.
    """
    keys = customers["source"].map(fold_name)
    if keys.isna().all():
        return pd.DataFrame(columns=CHANNEL_COLUMNS)
    days = pd.to_numeric(customers["purchase_days"], errors="coerce").fillna(0)
    frame = pd.DataFrame(
        {
            "key": keys.fillna(""),
            "spelling": customers["source"].map(
                lambda t: " ".join(nfkc(t).split()) if isinstance(t, str) else None
            ),
            "buyer": days >= 1,
            "repeater": days >= 2,
            "spent": pd.to_numeric(customers["total_spent"], errors="coerce").fillna(0.0),
        }
    )
    grouped = frame.groupby("key", sort=False)
    result = pd.DataFrame(
        {
            "source": grouped["spelling"].agg(_most_common),
            "customers": grouped.size(),
            "buyers": grouped["buyer"].sum().astype("int64"),
            "repeat_buyers": grouped["repeater"].sum().astype("int64"),
            "revenue": grouped["spent"].sum(),
        }
    )
    result["repeat_rate"] = (result["repeat_buyers"] / result["buyers"]).where(result["buyers"] > 0)
    result["revenue_per_customer"] = result["revenue"] / result["customers"]
    result["_unknown"] = result.index == ""
    result = result.sort_values(
        ["_unknown", "customers", "revenue", "source"],
        ascending=[True, False, False, True],
        kind="stable",
    )
    return result.reset_index(drop=True)[CHANNEL_COLUMNS]


def _most_common(spellings: pd.Series) -> str | None:
    present = spellings.dropna()
    if present.empty:
        return None
    counts = present.value_counts()
    return min(counts.index[counts == counts.max()])  # ties: the first in sort order
