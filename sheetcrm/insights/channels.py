"""How each customer can be reached, and which channel an action should use.

Channel by value: personal channels (phone, letter/DM, visit) cost the seller time or
postage, so they are offered only to customers whose M score reaches the Settings
option ``personal_channel_min_m_score``; everyone else gets e-mail or LINE.  Opting out
closes the channels marked ``consent`` in ``templates/actions.toml`` (e-mail, and DM:
one consent column serves both), absolutely, for every kind of action.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from sheetcrm.insights.action_rules import ActionRule, Channel, channels

#: The shape of an address: ``Analysis.customers.email`` holds only addresses that passed
#: the full check of :mod:`sheetcrm.parse.emails` (others are blank plus an Issue), so
#: this only guards frames built by hand, without a second pass of the validator
#: (seconds for 100,000 customers).
_ADDRESS = r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+"


def valid_emails(emails: pd.Series) -> pd.Series:
    """``True`` where the cell holds an e-mail address (blank or malformed: ``False``)."""
    text = emails.astype("string").str.strip()
    return text.str.fullmatch(_ADDRESS).fillna(False).astype(bool)


def opted_out(opt_in: pd.Series) -> pd.Series:
    """``True`` only where the customer said no; blank consent is not an opt-out."""
    return opt_in.astype("boolean").eq(False).fillna(False).astype(bool)


def _present(values: pd.Series) -> pd.Series:
    text = values.astype("string").str.strip()
    return (text.notna() & (text != "")).astype(bool)


def reachability(customers: pd.DataFrame, activities: pd.DataFrame) -> pd.DataFrame:
    """Per customer (index: ``customer_id``), one bool column per channel key."""
    ids = customers["customer_id"]
    needs = {
        "email": valid_emails(customers["email"]).to_numpy(),
        "phone": _present(customers["phone"]).to_numpy(),
        "address": _present(customers["address"]).to_numpy(),
    }
    consented = ~opted_out(customers["email_opt_in"]).to_numpy()
    result = {}
    for key, channel in channels().items():
        if channel.needs == "activity":
            reachable = ids.isin(_customers_with(activities, channel)).to_numpy()
        else:
            reachable = needs[channel.needs]
        result[key] = reachable & consented if channel.consent else reachable
    return pd.DataFrame(result, index=pd.Index(ids.to_numpy(), name="customer_id"))


def _customers_with(activities: pd.DataFrame, channel: Channel) -> set[str]:
    if activities.empty:
        return set()
    hit = activities["type"].isin(channel.activity_types)
    return set(activities.loc[hit, "customer_id"])


def choose_channels(rule: ActionRule, reach: pd.DataFrame, valuable: pd.Series) -> pd.Series:
    """The first channel in ``rule.channels`` that reaches each customer and fits their value.

    ``reach`` and ``valuable`` are aligned row by row (one row per candidate customer);
    the answer is a channel key or ``None`` when no allowed channel reaches them.
    """
    table = channels()
    chosen = np.full(len(reach), None, dtype=object)
    open_ = np.ones(len(reach), dtype=bool)
    valuable_ = valuable.to_numpy(dtype=bool)
    for key in rule.channels:
        allowed = reach[key].to_numpy(dtype=bool)
        if table[key].personal and rule.marketing:
            allowed = allowed & valuable_
        take = open_ & allowed
        chosen[take] = key
        open_ &= ~take
    return pd.Series(chosen, index=reach.index, dtype=object)
