"""Campaign results and acquisition channels, counted by hand."""

from __future__ import annotations

import pandas as pd
import pytest
from insights_helpers import activities, customers, orders

from sheetcrm.insights import CAMPAIGN_COLUMNS, acquisition_results, campaign_results


def test_campaign_counts_buyers_within_the_window_edges_included() -> None:
    acts = activities(
        ("A", "2024-03-01", "dm_sent", "Spring DM"),
        ("B", "2024-03-01", "dm_sent", "Spring DM"),
        ("C", "2024-03-01", "dm_sent", "Spring DM"),
        ("D", "2024-03-01", "dm_sent", "Spring DM"),
        ("E", "2024-03-05", "inquiry", "spring  ＤＭ"),  # same campaign, reached by responding
        ("C", "2024-03-20", "visit"),  # a response, untagged, within the window
        ("D", "2024-04-05", "email_reply"),  # 35 days after: too late
        ("B", "2024-03-10", "call_out"),  # the seller acting is not a response
    )
    lines = orders(
        ("A", "2024-03-01", 3000),  # day 0 counts
        ("A", "2024-03-15", -500, False),  # a refund in the window subtracts
        ("B", "2024-03-31", 2000),  # day 30 counts
        ("C", "2024-04-01", 4000),  # day 31 does not
        ("D", "2024-02-29", 1000),  # before the contact does not
        ("E", "2024-03-10", 1500),
        ("F", "2024-03-10", 9999),  # never reached
    )
    result = campaign_results(acts, lines, window_days=30)
    assert list(result.columns) == CAMPAIGN_COLUMNS
    assert len(result) == 1
    row = result.iloc[0]
    assert row["campaign"] == "Spring DM"
    assert row["reached"] == 5
    assert row["responders"] == 2  # E (its own inquiry) and C (the visit)
    assert row["response_rate"] == pytest.approx(0.4)
    assert row["buyers"] == 3  # A, B, E
    assert row["conversion_rate"] == pytest.approx(0.6)
    assert row["revenue"] == 3000 - 500 + 2000 + 1500
    assert row["first_contact"] == pd.Timestamp("2024-03-01")
    assert row["last_contact"] == pd.Timestamp("2024-03-05")
    assert row["window_end"] == pd.Timestamp("2024-04-04")


def test_window_follows_the_setting() -> None:
    acts = activities(("A", "2024-03-01", "email_sent", "Sale"))
    lines = orders(("A", "2024-03-09", 1000))
    assert campaign_results(acts, lines, window_days=7).loc[0, "buyers"] == 0
    assert campaign_results(acts, lines, window_days=8).loc[0, "buyers"] == 1


def test_repeated_contacts_extend_the_window_and_count_an_order_once() -> None:
    acts = activities(
        ("A", "2024-01-01", "email_sent", "Newsletter"),
        ("A", "2024-02-01", "email_sent", "Newsletter"),
        ("B", "2024-01-01", "email_sent", "Autumn"),
    )
    lines = orders(("A", "2024-02-10", 1000), ("A", "2024-01-15", 700))
    result = campaign_results(acts, lines, window_days=30).set_index("campaign")
    assert result.loc["Newsletter", "reached"] == 1
    assert result.loc["Newsletter", "buyers"] == 1
    assert result.loc["Newsletter", "revenue"] == 1700  # each order once, though in two windows
    assert result.loc["Autumn", "buyers"] == 0
    assert result.loc["Autumn", "revenue"] == 0
    assert result.index.tolist() == ["Newsletter", "Autumn"]  # the latest contact first


def test_no_campaign_names_gives_an_empty_table() -> None:
    acts = activities(("A", "2024-03-01", "dm_sent"))
    result = campaign_results(acts, orders(("A", "2024-03-02", 1000)), window_days=30)
    assert result.empty
    assert list(result.columns) == CAMPAIGN_COLUMNS


def test_acquisition_channels_repeat_rate_and_revenue_per_customer() -> None:
    people = customers(
        {"customer_id": "I1", "source": "Instagram", "purchase_days": 3.0, "total_spent": 9000.0},
        {"customer_id": "I2", "source": "instagram ", "purchase_days": 1.0, "total_spent": 3000.0},
        {"customer_id": "I3", "source": "Instagram"},  # never bought
        {"customer_id": "R1", "source": "紹介", "purchase_days": 2.0, "total_spent": 5000.0},
        {"customer_id": "R2", "source": "紹介", "purchase_days": 2.0, "total_spent": 7000.0},
        {"customer_id": "X", "purchase_days": 1.0, "total_spent": 1000.0},
    )
    result = acquisition_results(people)
    assert result["source"].tolist()[:2] == ["Instagram", "紹介"]
    assert pd.isna(result["source"].iloc[2])  # no source: last
    instagram = result.iloc[0]
    assert instagram["customers"] == 3
    assert instagram["buyers"] == 2
    assert instagram["repeat_buyers"] == 1
    assert instagram["repeat_rate"] == pytest.approx(0.5)  # of the buyers
    assert instagram["revenue"] == 12000
    assert instagram["revenue_per_customer"] == pytest.approx(4000)  # non-buyers included
    referral = result.iloc[1]
    assert referral["repeat_rate"] == 1.0
    assert referral["revenue_per_customer"] == 6000


def test_no_sources_gives_no_channel_table() -> None:
    assert acquisition_results(customers({"customer_id": "A"})).empty
