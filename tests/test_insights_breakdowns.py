"""Age bands, gender and prefecture breakdowns, and the Summary's period comparison."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from insights_helpers import customers, orders

from sheetcrm.insights import breakdowns, period_comparison
from sheetcrm.insights.anniversaries import age_in_years
from sheetcrm.insights.breakdowns import age_bands

AS_OF = dt.date(2025, 6, 1)
PEOPLE = customers(
    {
        "customer_id": "A",
        "birthday": "2005-06-02",
        "gender": "female",
        "prefecture": "東京都",
        "total_spent": 1000.0,
        "purchase_days": 1.0,
    },
    {
        "customer_id": "B",
        "birthday": "2005-06-01",
        "gender": "female",
        "prefecture": "大阪府",
        "total_spent": 3000.0,
        "purchase_days": 2.0,
    },
    {"customer_id": "C", "birthday": "1955-01-01", "gender": "male", "prefecture": "東京都"},
    {
        "customer_id": "D",
        "birthday": "1800-01-01",
        "prefecture": "北海道",
        "total_spent": 500.0,
        "purchase_days": 1.0,
    },
    {"customer_id": "E", "birthday": "2030-01-01", "gender": "other"},
    {"customer_id": "F"},
)


def test_age_bands_from_birthdays_on_the_as_of_date() -> None:
    bands = age_bands(PEOPLE["birthday"], AS_OF)
    # 19 the day before the 20th birthday; 70 and over; 225 and unborn are typos.
    assert bands.tolist()[:3] == ["under_20", "20s", "70_plus"]
    assert bands.iloc[3:].isna().all()


@pytest.mark.parametrize(
    ("as_of", "age"),
    [
        (dt.date(2023, 2, 28), 18),
        (dt.date(2023, 3, 1), 19),
        (dt.date(2024, 2, 28), 19),
        (dt.date(2024, 2, 29), 20),
    ],
)
def test_age_of_someone_born_on_29_february(as_of, age) -> None:
    assert age_in_years(pd.Series([pd.Timestamp("2004-02-29")]), as_of).iloc[0] == age


def test_breakdown_by_age_band() -> None:
    table = breakdowns(PEOPLE, AS_OF)["age_band"].set_index("age_band")
    assert table.index.tolist() == ["under_20", "20s", "70_plus", "unknown"]
    assert table["customers"].tolist() == [1, 1, 1, 3]
    assert table["buyers"].tolist() == [1, 1, 0, 1]
    assert table["revenue"].tolist() == [1000, 3000, 0, 500]
    assert table.loc["20s", "share"] == pytest.approx(3000 / 4500)
    assert table.loc["unknown", "customer_share"] == 0.5
    assert table.loc["unknown", "revenue_per_customer"] == pytest.approx(500 / 3)


def test_breakdown_by_gender_and_prefecture() -> None:
    found = breakdowns(PEOPLE, AS_OF)
    gender = found["gender"].set_index("gender")
    assert gender.index.tolist() == ["female", "male", "other", "unknown"]
    assert gender["customers"].tolist() == [2, 1, 1, 2]
    prefecture = found["prefecture"]
    # Most customers first; 北海道 (01) before 大阪府 (27) at one customer each.
    assert prefecture["prefecture"].tolist() == ["東京都", "北海道", "大阪府", "unknown"]
    assert prefecture["customers"].tolist() == [2, 1, 1, 2]


def test_breakdowns_only_for_columns_with_data() -> None:
    plain = customers({"customer_id": "A"}, {"customer_id": "B", "gender": "male"})
    assert list(breakdowns(plain, AS_OF)) == ["gender"]
    assert breakdowns(customers({"customer_id": "A"}), AS_OF) == {}


def test_period_comparison_last_30_and_90_days_against_the_days_before() -> None:
    lines = orders(
        ("A", "2024-12-31", 1000),
        ("A", "2024-12-02", 2000),  # first day of the last 30
        ("A", "2024-12-15", -200, False),  # refund: revenue only
        ("B", "2024-12-01", 500),  # last day of the 30 before
        ("B", "2024-11-02", 700),  # first day of the 30 before
        ("C", "2024-10-31", 300),
    )
    table = period_comparison(lines, dt.date(2024, 12, 31)).set_index("period")
    last, before = table.loc["last_30d"], table.loc["prev_30d"]
    assert (last["start"], last["end"]) == (pd.Timestamp("2024-12-02"), pd.Timestamp("2024-12-31"))
    assert (before["start"], before["end"]) == (
        pd.Timestamp("2024-11-02"),
        pd.Timestamp("2024-12-01"),
    )
    assert (last["revenue"], last["orders"], last["buyers"], last["new_customers"]) == (
        2800,
        2,
        1,
        1,
    )
    assert (before["revenue"], before["orders"], before["buyers"], before["new_customers"]) == (
        1200,
        2,
        1,
        1,
    )
    assert last["revenue_change"] == pytest.approx(1600 / 1200)
    assert last["orders_change"] == 0
    assert last["average_order_value"] == 1400
    assert pd.isna(before["revenue_change"])
    quarter = table.loc["last_90d"]
    assert (quarter["revenue"], quarter["orders"], quarter["new_customers"]) == (4300, 5, 3)
    assert pd.isna(quarter["revenue_change"])  # nothing in the 90 days before
