"""Metric definitions checked against values computed by hand."""

import datetime as dt

import pandas as pd
import pytest

from sheetcrm.metrics import customer_metrics, quintile_scores

AS_OF = dt.date(2024, 12, 31)


def _orders(rows: list[tuple]) -> pd.DataFrame:
    frame = pd.DataFrame(
        rows,
        columns=["customer_id", "order_date", "order_key", "product", "revenue", "is_purchase"],
    )
    frame["order_date"] = pd.to_datetime(frame["order_date"])
    return frame


def test_metrics_match_hand_computed_values() -> None:
    # A bought on 3 distinct days (two orders on 2024-03-01), B once, C refunded once.
    orders = _orders(
        [
            ("A", "2024-01-01", "o1", "soap", 1000.0, True),
            ("A", "2024-03-01", "o2", "soap", 2000.0, True),
            ("A", "2024-03-01", "o3", "towel", 500.0, True),
            ("A", "2024-06-29", "o4", "soap", 1500.0, True),
            ("B", "2024-12-01", "o5", "gift", 3000.0, True),
            ("C", "2024-05-01", "o6", "soap", 1000.0, True),
            ("C", "2024-05-10", "o6r", "soap", -1000.0, False),  # refund line
        ]
    )
    m = customer_metrics(orders, AS_OF)
    a = m.loc["A"]
    assert a["first_purchase"] == pd.Timestamp("2024-01-01")
    assert a["last_purchase"] == pd.Timestamp("2024-06-29")
    assert a["orders"] == 4
    assert a["purchase_days"] == 3
    assert a["repeat_purchases"] == 2
    assert a["days_since_last_purchase"] == 185  # 2024-06-29 → 2024-12-31
    assert a["tenure_days"] == 180  # 2024-01-01 → 2024-06-29 (leap year)
    assert a["customer_age_days"] == 365
    assert a["total_spent"] == 5000.0
    assert a["average_order_value"] == 1250.0
    assert a["average_days_between_purchases"] == 90.0
    assert a["next_purchase_expected"] == pd.Timestamp("2024-09-27")
    assert a["top_product"] == "soap"
    b = m.loc["B"]
    assert b["repeat_purchases"] == 0
    assert pd.isna(b["average_days_between_purchases"])
    assert pd.isna(b["next_purchase_expected"])
    c = m.loc["C"]
    assert c["total_spent"] == 0.0  # the refund line cancels the sale
    assert c["orders"] == 1  # the refund line is not an order


def test_scores_are_one_to_five_with_ties_sharing_a_score() -> None:
    values = pd.Series([1, 1, 1, 2, 3, 4, 5, 6, 7, 8])
    scores = quintile_scores(values, higher_is_better=True)
    assert scores.tolist() == [1, 1, 1, 2, 3, 3, 4, 4, 5, 5]
    # Lower is better: the three tied 1s have 7 of 10 strictly worse → 1 + floor(3.5) = 4.
    assert quintile_scores(values, higher_is_better=False).tolist() == [
        4,
        4,
        4,
        4,
        3,
        3,
        2,
        2,
        1,
        1,
    ]


def test_recency_score_rewards_recent_buyers() -> None:
    days = pd.Series([1, 400, 30, 200, 90], index=list("abcde"))
    scores = quintile_scores(days, higher_is_better=False)
    assert scores["a"] == 5 and scores["b"] == 1
    assert scores["c"] > scores["e"] > scores["d"]


def test_no_purchases_gives_an_empty_table() -> None:
    orders = _orders([("A", "2024-01-01", "o1", "soap", 1000.0, False)])
    assert customer_metrics(orders, AS_OF).empty


@pytest.mark.parametrize("missing", [None, float("nan")])
def test_missing_values_get_no_score(missing) -> None:
    scores = quintile_scores(pd.Series([1.0, missing, 3.0]), higher_is_better=True)
    assert pd.isna(scores[1])
