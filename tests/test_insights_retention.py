"""Cohorts, repeat rate and time to the second purchase, counted by hand."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from insights_helpers import orders

from sheetcrm.insights import cohort_activity, cohort_table, days_to_second_purchase, retention

AS_OF = dt.date(2024, 4, 15)
LINES = orders(
    ("A", "2024-01-15", 1000),
    ("A", "2024-01-15", 500),  # a second order the same day is not a second purchase
    ("A", "2024-02-10", 1000),
    ("A", "2024-04-01", 1000),
    ("B", "2024-01-20", 2000),
    ("B", "2024-03-01", -2000, False),  # a refund is not a visit
    ("C", "2024-02-05", 800),
    ("C", "2024-02-20", 800),
    ("C", "2024-03-01", 800),
)


def test_cohort_cells_are_the_share_buying_each_month() -> None:
    table = cohort_table(LINES, AS_OF, months=4).set_index("cohort")
    assert table.index.tolist() == ["2024-01", "2024-02"]
    january = table.loc["2024-01"]
    assert january["customers"] == 2
    assert [january[f"month_{k}"] for k in range(4)] == [1.0, 0.5, 0.0, 0.5]
    assert pd.isna(january["month_4"])  # May has not come yet
    assert january["repeat_rate"] == 0.5
    february = table.loc["2024-02"]
    assert [february[f"month_{k}"] for k in range(3)] == [1.0, 1.0, 0.0]
    assert pd.isna(february["month_3"])
    assert february["repeat_rate"] == 1.0


def test_cohort_long_form_counts_active_customers() -> None:
    long = cohort_activity(LINES, AS_OF)
    cell = long[(long["cohort"] == "2024-01") & (long["months_since"] == 3)].iloc[0]
    assert (cell["customers"], cell["active"]) == (2, 1)
    assert long["months_since"].max() == 3  # January → April


def test_cohort_table_keeps_the_latest_cohorts() -> None:
    table = cohort_table(LINES, AS_OF, cohorts=1, months=2)
    assert table["cohort"].tolist() == ["2024-02"]
    assert list(table.columns) == [
        "cohort",
        "customers",
        "repeat_rate",
        "month_0",
        "month_1",
        "month_2",
    ]


def test_time_to_second_purchase() -> None:
    gaps = days_to_second_purchase(LINES)
    assert gaps.to_dict() == {"A": 26, "C": 15}
    summary = retention(LINES)
    assert (summary.buyers, summary.repeat_buyers) == (3, 2)
    assert summary.repeat_rate == pytest.approx(2 / 3)
    assert summary.median_days_to_second == 20.5
    first_band = summary.distribution.iloc[0]
    assert (first_band["low"], first_band["high"], first_band["customers"]) == (1, 30, 2)
    assert first_band["share"] == 1.0
    assert summary.distribution["customers"].sum() == 2


def test_distribution_bands_edges() -> None:
    lines = orders(
        ("A", "2024-01-01", 1),
        ("A", "2024-01-31", 1),  # 30 days
        ("B", "2024-01-01", 1),
        ("B", "2024-02-01", 1),  # 31 days
        ("C", "2023-01-01", 1),
        ("C", "2024-01-02", 1),  # 366 days
    )
    counts = retention(lines).distribution.set_index("low")["customers"]
    assert counts[1] == 1 and counts[31] == 1 and counts[366] == 1


def test_no_purchases_give_empty_retention() -> None:
    lines = orders(("A", "2024-01-01", -100, False))
    assert cohort_table(lines, AS_OF).empty
    summary = retention(lines)
    assert summary.buyers == 0 and summary.repeat_rate is None
    assert summary.median_days_to_second is None
