"""Which customers have an open complaint, the one exclusion marketing never overrides.

A complaint is an activity of type ``complaint``.  It is open unless its status text
reads as closed (完了, 対応済, 解決, resolved… in ``templates/vocabulary.toml``
``[activity_status]``).  Blank and unrecognised statuses count as open: a seller who
marks the row 完了 clears it, whereas marketing to an unhappy customer cannot be undone.
Each complaint row stands alone: one marked 完了 does not close an older one left open.
"""

from __future__ import annotations

import pandas as pd

from sheetcrm.parse.choices import parse_activity_status

COMPLAINT = "complaint"
OPEN_COMPLAINT_COLUMNS = ["customer_id", "date", "status", "open_complaints"]


def open_complaints(activities: pd.DataFrame) -> pd.DataFrame:
    """One row per customer with an open complaint (:data:`OPEN_COMPLAINT_COLUMNS`).

    ``date`` and ``status`` (the raw text) are the oldest open complaint's;
    ``open_complaints`` counts them.
    """
    if activities.empty:
        return pd.DataFrame(columns=OPEN_COMPLAINT_COLUMNS)
    complaints = activities.loc[activities["type"] == COMPLAINT]
    if complaints.empty:
        return pd.DataFrame(columns=OPEN_COMPLAINT_COLUMNS)
    status = parse_activity_status(complaints["status"]).values
    still_open = complaints.loc[(status != "closed").fillna(True).astype(bool)]
    ordered = still_open.sort_values(["customer_id", "date"], kind="stable")
    oldest = ordered.drop_duplicates("customer_id").set_index("customer_id")
    result = pd.DataFrame(
        {
            "date": oldest["date"],
            "status": oldest["status"],
            "open_complaints": ordered.groupby("customer_id").size(),
        }
    )
    return result.rename_axis("customer_id").reset_index()[OPEN_COMPLAINT_COLUMNS]


def has_open_complaint(customer_ids: pd.Series, activities: pd.DataFrame) -> pd.Series:
    """``True`` for each customer ID that has an open complaint."""
    return customer_ids.isin(set(open_complaints(activities)["customer_id"]))
