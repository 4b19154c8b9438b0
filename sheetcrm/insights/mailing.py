"""Mailing lists per segment, in the plain shape mail-magazine and LINE tools import.

One row per e-mail address: ``email, name, segment, last_purchase`` (then
``segment_key`` and ``customer_id`` for matching back).  Left out, always: customers who
opted out of e-mail, addresses that are missing or not valid, and customers with an open
complaint (marketing to them is excluded everywhere, see
:mod:`sheetcrm.insights.complaints`).  Blank consent is not an opt-out; pass
``require_opt_in=True`` to keep only customers who said yes.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from sheetcrm.insights.anniversaries import as_dates
from sheetcrm.insights.channels import opted_out, valid_emails
from sheetcrm.insights.complaints import has_open_complaint
from sheetcrm.segments import segment_by_key, segments
from sheetcrm.text import fold_header

MAILING_COLUMNS = ["email", "name", "segment", "last_purchase", "segment_key", "customer_id"]


def segment_key_for(text: str) -> str | None:
    """The segment key for a key or a segment name in either language.

    ``優良顧客``, ``Champions`` and ``champions`` all give ``champions``; unknown text ``None``.
    """
    folded = fold_header(text)
    for segment in segments():
        names = (segment.key, segment.label("ja"), segment.label("en"))
        if folded in {fold_header(n) for n in names}:
            return segment.key
    return None


def mailing_list(
    customers: pd.DataFrame,
    activities: pd.DataFrame,
    *,
    lang: str,
    segment_keys: Iterable[str] | None = None,
    require_opt_in: bool = False,
) -> pd.DataFrame:
    """Who may receive a mailing (:data:`MAILING_COLUMNS`), by segment then latest buyer.

    ``segment_keys`` limits the list to those segments (all when ``None``); ``segment``
    holds the segment's name in ``lang`` (a tag the mail tool can filter on).
    """
    keep = valid_emails(customers["email"]) & ~opted_out(customers["email_opt_in"])
    if require_opt_in:
        keep &= customers["email_opt_in"].astype("boolean").eq(True).fillna(False).astype(bool)
    keep &= ~has_open_complaint(customers["customer_id"], activities)
    if segment_keys is not None:
        keep &= customers["segment"].isin(list(segment_keys))
    chosen = customers.loc[keep]
    order = {s.key: i for i, s in enumerate(segments())}
    frame = pd.DataFrame(
        {
            "email": chosen["email"].astype(object),
            "name": chosen["name"].astype(object),
            "segment": chosen["segment"].map(lambda k: segment_by_key(k).label(lang)),
            "last_purchase": as_dates(chosen["last_purchase"]),
            "segment_key": chosen["segment"],
            "customer_id": chosen["customer_id"],
            "_order": chosen["segment"].map(order),
        }
    )
    frame = frame.sort_values(
        ["_order", "last_purchase", "customer_id"],
        ascending=[True, False, True],
        na_position="last",
        kind="stable",
    )
    # Identity resolution merges people by e-mail, but a hand-built list may repeat one.
    frame = frame.drop_duplicates("email")
    return frame[MAILING_COLUMNS].reset_index(drop=True)
