"""The Action list: one row per customer to contact now, the most urgent reason first.

Each rule of ``templates/actions.toml`` has a finder here that says which customers it
applies to and the facts behind it (a date, a number of days, a note).  Then, in order:

1. a reason is *done* once the seller has logged a contact (e-mail sent, call, DM…)
   since it arose, so the list empties as the seller works through it;
2. each reason gets a channel (:mod:`sheetcrm.insights.channels`); a marketing reason
   that no allowed channel reaches is dropped — so a customer who opted out of e-mail
   and is not valuable enough for a call or a letter gets no marketing at all;
3. a customer with an open complaint keeps only the complaint row;
4. the highest-scoring reason wins, the others are listed in ``other_reasons``.

The result holds keys, not words (``reason="birthday"``, ``channel="letter"``), so it
exports unchanged; :mod:`sheetcrm.insights.action_text` writes the seller's language.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sheetcrm.insights.action_rules import ActionRule, action_rules, contact_types, priority_for
from sheetcrm.insights.anniversaries import as_dates, next_occurrence
from sheetcrm.insights.channels import choose_channels, reachability
from sheetcrm.insights.complaints import open_complaints
from sheetcrm.settings import Settings

if TYPE_CHECKING:
    from sheetcrm.analysis import Analysis

#: Columns of :func:`find_actions`, in order.
ACTION_COLUMNS = [
    "customer_id",
    "name",
    "priority",
    "priority_score",
    "reason",
    "channel",
    "due_date",
    "event_date",
    "days",
    "note",
    "other_reasons",
    "segment",
    "m_score",
    "last_purchase",
    "total_spent",
    "email",
    "phone",
]
_FOUND = ["customer_id", "event_date", "days", "note", "due_date", "since", "score"]


@dataclass(frozen=True, eq=False)
class _Facts:
    """What the finders read: customers, activities, the as-of day and the settings."""

    customers: pd.DataFrame
    activities: pd.DataFrame
    as_of: pd.Timestamp
    settings: Settings

    def days_ago(self, dates: pd.Series) -> pd.Series:
        return (self.as_of - as_dates(dates)).dt.days


def _found(
    ids: pd.Series,
    event_date: pd.Series,
    days: pd.Series,
    due: pd.Series | pd.Timestamp,
    since: pd.Series | pd.Timestamp | None,
    score: float | pd.Series,
    note: pd.Series | None = None,
) -> pd.DataFrame:
    """A finder's answer: one row per customer the rule applies to."""
    frame = pd.DataFrame(
        {
            "customer_id": ids.to_numpy(),
            "event_date": as_dates(event_date).to_numpy(),
            "days": pd.array(days.to_numpy(), dtype="Int64"),
            "note": None if note is None else note.to_numpy(dtype=object),
        }
    )
    frame["due_date"] = due.to_numpy() if isinstance(due, pd.Series) else due
    frame["since"] = since.to_numpy() if isinstance(since, pd.Series) else since
    frame["since"] = frame["since"].astype("datetime64[ns]")
    frame["due_date"] = frame["due_date"].astype("datetime64[ns]")
    frame["score"] = score.to_numpy() if isinstance(score, pd.Series) else score
    frame["score"] = frame["score"].astype("float64")
    return frame[_FOUND]


def _days(n: float) -> pd.Timedelta:
    return pd.Timedelta(days=n)


def _complaint(facts: _Facts, rule: ActionRule) -> pd.DataFrame:
    found = open_complaints(facts.activities)
    found = found[found["customer_id"].isin(facts.customers["customer_id"])]
    return _found(
        found["customer_id"],
        found["date"],
        facts.days_ago(found["date"]),
        due=facts.as_of,
        since=None,
        score=rule.score,
        note=found["status"],
    )


def _responder(facts: _Facts, rule: ActionRule) -> pd.DataFrame:
    within = rule.number("within_days", facts.settings)
    acts = facts.activities
    if acts.empty:
        return pd.DataFrame(columns=_FOUND)
    recent = acts["type"].isin(rule.param("types")) & acts["date"].between(
        facts.as_of - _days(within), facts.as_of
    )
    latest = (
        acts.loc[recent]
        .sort_values(["customer_id", "date"], kind="stable")
        .drop_duplicates("customer_id", keep="last")
    )
    bought = facts.customers.set_index("customer_id")["last_purchase"]
    last_purchase = as_dates(bought.reindex(latest["customer_id"])).to_numpy()
    latest = latest.loc[~(last_purchase >= latest["date"].to_numpy())]
    age = facts.days_ago(latest["date"])
    # Older responses rank lower: a response `within` days old loses the whole penalty.
    score = rule.score - rule.number("age_penalty", facts.settings) * age / max(within, 1.0)
    return _found(
        latest["customer_id"],
        latest["date"],
        age,
        due=facts.as_of,
        since=latest["date"],
        score=score,
        note=latest["type"],
    )


def _follow_up(facts: _Facts, rule: ActionRule) -> pd.DataFrame:
    after = rule.number("after_days", facts.settings)
    window = rule.number("window_days", facts.settings)
    c = facts.customers
    first = as_dates(c["first_purchase"])
    age = facts.days_ago(first)
    hit = (c["purchase_days"] == 1) & ((age - after).abs() <= window)
    c, first, age = c[hit], first[hit], age[hit]
    return _found(
        c["customer_id"],
        first,
        age,
        due=first + _days(after),
        since=first + _days(after - window),
        score=rule.score,
    )


def _win_back(facts: _Facts, rule: ActionRule) -> pd.DataFrame:
    c = facts.customers
    c = c[c["segment"].isin(rule.param("segments")) & c["last_purchase"].notna()]
    last = as_dates(c["last_purchase"])
    return _found(
        c["customer_id"],
        last,
        facts.days_ago(last),
        due=facts.as_of,
        since=facts.as_of - _days(rule.number("quiet_days", facts.settings)),
        score=rule.score,
        note=c["segment"],
    )


def _repeat_due(facts: _Facts, rule: ActionRule) -> pd.DataFrame:
    c = facts.customers
    expected = as_dates(c["next_purchase_expected"])
    overdue = facts.days_ago(expected)
    interval = pd.to_numeric(c["average_days_between_purchases"], errors="coerce")
    limit = (interval * rule.number("overdue_intervals", facts.settings)).clip(
        lower=rule.number("overdue_min_days", facts.settings)
    )
    hit = (overdue >= 1) & (overdue <= limit)
    c, expected, overdue = c[hit], expected[hit], overdue[hit]
    return _found(
        c["customer_id"], expected, overdue, due=facts.as_of, since=expected, score=rule.score
    )


def _thank_you(facts: _Facts, rule: ActionRule) -> pd.DataFrame:
    within = rule.number("within_days", facts.settings)
    c = facts.customers
    last = as_dates(c["last_purchase"])
    age = facts.days_ago(last)
    hit = (age >= 0) & (age <= within)
    c, last, age = c[hit], last[hit], age[hit]
    return _found(
        c["customer_id"], last, age, due=last + _days(within), since=last, score=rule.score
    )


def _yearly(
    facts: _Facts, rule: ActionRule, dates: pd.Series, *, min_years: int
) -> tuple[pd.Series, pd.DataFrame]:
    """Customers whose ``dates`` come round within the rule's ``days_ahead`` (and years)."""
    ahead = rule.number("days_ahead", facts.settings)
    known = as_dates(dates)
    upcoming = next_occurrence(known, facts.as_of.date())
    until = (upcoming - facts.as_of).dt.days
    years = upcoming.dt.year - known.dt.year
    hit = (known <= facts.as_of) & (until <= ahead) & (years >= min_years)
    hit = hit.fillna(False).astype(bool)
    c = facts.customers[hit]
    found = _found(
        c["customer_id"],
        upcoming[hit],
        until[hit],
        due=upcoming[hit],
        since=upcoming[hit] - _days(ahead),
        score=rule.score,
    )
    return years[hit].astype("int64"), found


def _birthday(facts: _Facts, rule: ActionRule) -> pd.DataFrame:
    return _yearly(facts, rule, facts.customers["birthday"], min_years=0)[1]


def _anniversary(facts: _Facts, rule: ActionRule) -> pd.DataFrame:
    years, found = _yearly(facts, rule, facts.customers["first_purchase"], min_years=1)
    found["note"] = years.to_numpy(dtype=object)
    return found


Finder = Callable[[_Facts, ActionRule], pd.DataFrame]

#: The logic behind each rule key of ``templates/actions.toml``.
FINDERS: dict[str, Finder] = {
    "complaint": _complaint,
    "responder": _responder,
    "follow_up": _follow_up,
    "win_back": _win_back,
    "repeat_due": _repeat_due,
    "thank_you": _thank_you,
    "birthday": _birthday,
    "anniversary": _anniversary,
}


def _last_contact(activities: pd.DataFrame, as_of: pd.Timestamp) -> pd.Series:
    """Per customer, the latest day the seller contacted them (see ``contact_types``)."""
    if activities.empty:
        return pd.Series(dtype="datetime64[ns]")
    contacts = activities.loc[
        activities["type"].isin(contact_types()) & (activities["date"] <= as_of)
    ]
    return contacts.groupby("customer_id")["date"].max()


def find_actions(
    customers: pd.DataFrame,
    activities: pd.DataFrame,
    *,
    as_of: dt.date,
    settings: Settings | None = None,
) -> pd.DataFrame:
    """The Action list as data: :data:`ACTION_COLUMNS`, sorted most urgent first.

    ``customers`` is :attr:`Analysis.customers <sheetcrm.analysis.Analysis.customers>`,
    ``activities`` the resolved activity log.  ``other_reasons`` is a list of rule keys.
    """
    settings = settings or Settings()
    facts = _Facts(customers, activities, pd.Timestamp(as_of), settings)
    found = []
    for order, rule in enumerate(action_rules()):
        rows = FINDERS[rule.key](facts, rule)
        if rows.empty:
            continue
        rows = rows.assign(reason=rule.key, rule_order=order)
        found.append(rows)
    if not found:
        return pd.DataFrame(columns=ACTION_COLUMNS)
    candidates = pd.concat(found, ignore_index=True)
    candidates = _drop_done(candidates, activities, facts.as_of)
    candidates = _with_channels(candidates, customers, activities, settings)
    return _one_row_per_customer(candidates, customers)


def actions_for(analysis: Analysis) -> pd.DataFrame:
    """:func:`find_actions` on an analysis, with its as-of date and Settings."""
    return find_actions(
        analysis.customers,
        analysis.resolution.activities,
        as_of=analysis.as_of,
        settings=analysis.settings,
    )


def _drop_done(
    candidates: pd.DataFrame, activities: pd.DataFrame, as_of: pd.Timestamp
) -> pd.DataFrame:
    contacted = as_dates(_last_contact(activities, as_of).reindex(candidates["customer_id"]))
    contacted = contacted.to_numpy()
    done = contacted >= candidates["since"].to_numpy()  # NaT on either side: not done
    return candidates.loc[~done]


def _with_channels(
    candidates: pd.DataFrame,
    customers: pd.DataFrame,
    activities: pd.DataFrame,
    settings: Settings,
) -> pd.DataFrame:
    reach = reachability(customers, activities).reindex(candidates["customer_id"])
    m_score = pd.to_numeric(
        customers.set_index("customer_id")["m_score"].reindex(candidates["customer_id"]),
        errors="coerce",
    )
    valuable = (m_score >= settings.personal_channel_min_m_score).fillna(False)
    channel = np.full(len(candidates), None, dtype=object)
    keep = np.ones(len(candidates), dtype=bool)
    for rule in action_rules():
        mine = (candidates["reason"] == rule.key).to_numpy()
        if not mine.any():
            continue
        chosen = choose_channels(rule, reach[mine], valuable[mine]).to_numpy()
        channel[mine] = chosen
        if rule.marketing:
            keep[mine] = pd.notna(chosen)
    return candidates.assign(channel=channel).loc[keep]


def _one_row_per_customer(candidates: pd.DataFrame, customers: pd.DataFrame) -> pd.DataFrame:
    complaint = candidates["reason"] == "complaint"
    complainers = set(candidates.loc[complaint, "customer_id"])
    # Absolute: an open complaint leaves nothing else, not even as an "other reason".
    candidates = candidates.loc[complaint | ~candidates["customer_id"].isin(complainers)]
    ranked = candidates.sort_values(
        ["customer_id", "score", "rule_order"], ascending=[True, False, True], kind="stable"
    )
    first = ~ranked["customer_id"].duplicated()
    best = ranked.loc[first].set_index("customer_id")
    others = ranked.loc[~first].groupby("customer_id", sort=False)["reason"].agg(list)
    found = others.to_dict()
    others = pd.Series([found.get(c, []) for c in best.index], index=best.index, dtype=object)
    people = customers.set_index("customer_id").reindex(best.index)
    shown = best["score"].round()  # the level follows the score the seller sees
    result = pd.DataFrame(
        {
            "customer_id": best.index,
            "name": people["name"],
            "priority": shown.map(lambda s: priority_for(s).key),
            "priority_score": shown.astype("int64"),
            "reason": best["reason"],
            "channel": best["channel"],
            "due_date": best["due_date"],
            "event_date": best["event_date"],
            "days": best["days"].astype("Int64"),
            "note": best["note"],
            "other_reasons": others,
            "segment": people["segment"],
            "m_score": people["m_score"].astype("Int64"),
            "last_purchase": as_dates(people["last_purchase"]),
            "total_spent": pd.to_numeric(people["total_spent"], errors="coerce"),
            "email": people["email"],
            "phone": people["phone"],
            "_score": best["score"],
        },
        index=best.index.rename(None),
    )
    result = result.sort_values(
        ["_score", "m_score", "due_date", "customer_id"],
        ascending=[False, False, True, True],
        na_position="last",
        kind="stable",
    )
    return result[ACTION_COLUMNS].reset_index(drop=True)
