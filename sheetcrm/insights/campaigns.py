"""What each campaign brought: people reached, responders, buyers and revenue in a window.

A campaign is the campaign name on activity-log rows (キャンペーン / 施策).  Everyone
with a row under that name was *reached* on that row's date, whatever the row's type
(a DM sent, or an inquiry quoting the campaign).  Within ``window_days`` after a
contact — the contact day itself and day ``window_days`` included — a customer who
acted (any customer-initiated activity type: inquiry, visit, reply…) is a *responder*
and one with a purchase line is a *buyer*; *revenue* is the net of all their order
lines in the window (refund lines subtract).  Several contacts of one campaign extend
the window; an order counts once per campaign, but may count for two campaigns whose
windows overlap (no attribution model is guessed).

Names are compared after NFKC, case and space folding (``春のDM`` = ``春の ＤＭ``).
"""

from __future__ import annotations

import pandas as pd

from sheetcrm.insights.anniversaries import as_dates
from sheetcrm.parse.choices import RESPONSE_TYPES
from sheetcrm.text import nfkc

CAMPAIGN_COLUMNS = [
    "campaign",
    "first_contact",
    "last_contact",
    "window_end",
    "reached",
    "responders",
    "response_rate",
    "buyers",
    "conversion_rate",
    "revenue",
]


def fold_name(text: object) -> str | None:
    """The form campaign and channel names are grouped in; ``None`` for blanks."""
    if not isinstance(text, str):
        return None
    folded = " ".join(nfkc(text).casefold().split())
    return folded or None


def _contacts(activities: pd.DataFrame) -> pd.DataFrame:
    """Distinct (campaign key, customer, day) contacts, with each campaign's shown name."""
    if activities.empty:
        return pd.DataFrame(columns=["key", "campaign", "customer_id", "date"])
    frame = activities[["campaign", "customer_id", "date"]].copy()
    frame["date"] = as_dates(frame["date"])
    frame["key"] = frame["campaign"].map(fold_name)
    frame = frame.dropna(subset=["key", "date"]).sort_values("date", kind="stable")
    shown = frame.groupby("key")["campaign"].first().map(lambda t: " ".join(nfkc(t).split()))
    frame["campaign"] = frame["key"].map(shown)
    return frame.drop_duplicates(["key", "customer_id", "date"])[
        ["key", "campaign", "customer_id", "date"]
    ]


def _in_window(pairs: pd.DataFrame, when: str, window_days: int) -> pd.DataFrame:
    delta = (pairs[when] - pairs["date"]).dt.days
    return pairs.loc[(delta >= 0) & (delta <= window_days)]


def campaign_results(
    activities: pd.DataFrame, orders: pd.DataFrame, *, window_days: int
) -> pd.DataFrame:
    """One row per campaign (:data:`CAMPAIGN_COLUMNS`), the latest contact first.

    Rates are fractions of ``reached``; ``window_end`` is the last day a purchase can
    still count (a campaign whose window has not ended yet is still collecting).
    """
    contacts = _contacts(activities)
    if contacts.empty:
        return pd.DataFrame(columns=CAMPAIGN_COLUMNS)
    by_key = contacts.groupby("key")
    result = pd.DataFrame(
        {
            "campaign": by_key["campaign"].first(),
            "first_contact": by_key["date"].min(),
            "last_contact": by_key["date"].max(),
            "reached": by_key["customer_id"].nunique(),
        }
    )
    result["window_end"] = result["last_contact"] + pd.Timedelta(days=window_days)

    responses = activities.loc[activities["type"].isin(RESPONSE_TYPES), ["customer_id", "date"]]
    responses = responses.assign(date=as_dates(responses["date"]))
    answered = _in_window(
        contacts.merge(responses.rename(columns={"date": "responded"}), on="customer_id"),
        "responded",
        window_days,
    )
    result["responders"] = answered.groupby("key")["customer_id"].nunique()

    lines = orders[["customer_id", "order_date", "revenue", "is_purchase"]].copy()
    lines["order_date"] = as_dates(lines["order_date"])
    lines["line"] = range(len(lines))
    bought = _in_window(contacts.merge(lines, on="customer_id"), "order_date", window_days)
    bought = bought.drop_duplicates(["key", "line"])
    purchases = bought.loc[bought["is_purchase"].astype(bool)]
    result["buyers"] = purchases.groupby("key")["customer_id"].nunique()
    result["revenue"] = bought.groupby("key")["revenue"].sum()

    counts = ["responders", "buyers"]
    result[counts] = result[counts].fillna(0).astype("int64")
    result["revenue"] = result["revenue"].fillna(0.0).astype("float64")
    result["response_rate"] = result["responders"] / result["reached"]
    result["conversion_rate"] = result["buyers"] / result["reached"]
    result = result.sort_values(
        ["last_contact", "first_contact", "campaign"], ascending=[False, False, True]
    )
    return result.reset_index(drop=True)[CAMPAIGN_COLUMNS]
