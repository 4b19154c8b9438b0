"""The generated tabs' content: built from an analysis of a realistic sample."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sheetcrm.outputs import build_output
from sheetcrm.pipeline import analyse
from sheetcrm.segments import PROSPECTS, segment_by_key
from sheetcrm.template import new_workbook

TODAY = dt.date(2025, 6, 15)


@pytest.fixture(scope="module")
def sample_analysis(tmp_path_factory):
    path = new_workbook(tmp_path_factory.mktemp("s") / "demo.xlsx", sample=True, today=TODAY)
    return analyse(Path(path), as_of=TODAY)


def test_each_segment_tab_lists_exactly_its_customers(sample_analysis) -> None:
    model = build_output(sample_analysis)
    customers = sample_analysis.customers
    tabs = [s for s in model.sheets if s.key.startswith("segment:")]
    assert len(tabs) >= 8
    for sheet in tabs:
        key = sheet.key.split(":", 1)[1]
        expected = set(customers.loc[customers["segment"] == key, "customer_id"])
        assert set(sheet.tables[0].rows["customer_id"]) == expected, key
        assert sheet.title == segment_by_key(key).label("ja")


def test_prospects_tab_lists_recent_responders_first(sample_analysis) -> None:
    model = build_output(sample_analysis)
    (prospects,) = [s for s in model.sheets if s.key == f"segment:{PROSPECTS}"]
    dates = prospects.tables[0].rows["last_response_date"].dropna().tolist()
    assert dates == sorted(dates, reverse=True) and dates


def test_customer_tab_has_one_row_per_customer(sample_analysis) -> None:
    model = build_output(sample_analysis)
    (customers,) = [s for s in model.sheets if s.key == "customers"]
    rows = customers.tables[0].rows
    assert len(rows) == len(sample_analysis.customers)
    assert rows["customer_id"].is_unique


def test_summary_says_why_there_is_no_forecast_on_a_small_shop(sample_analysis) -> None:
    model = build_output(sample_analysis)
    (summary,) = [s for s in model.sheets if s.key == "summary"]
    figures = summary.tables[0].rows.iloc[0]
    assert not sample_analysis.forecast.reliable
    assert "100" in figures["forecast"]  # "…a forecast needs at least 100" in the seller's language
    assert figures["expected_revenue_90d"] is None
    assert sample_analysis.customers["p_alive"].isna().all()  # no numbers when not reliable


def test_review_queue_tab_is_capped_and_says_so(make_workbook, monkeypatch) -> None:
    import sheetcrm.outputs as outputs

    rows = [["注文日", "お名前", "メール", "金額"]] + [
        ["2024/1/5", "佐藤花子", f"hanako{i}@example.com", 1000] for i in range(4)
    ]
    analysis = analyse(make_workbook({"注文": rows}), as_of=TODAY)
    assert len(analysis.resolution.candidates) == 6  # 4 namesakes pair up 6 ways
    monkeypatch.setattr(outputs, "MAX_REVIEW_ROWS", 2)
    (queue,) = [s for s in build_output(analysis).sheets if s.key == "duplicates"]
    assert len(queue.tables[0].rows) == 2
    assert "4" in queue.tables[0].caption and "export --table duplicates" in queue.tables[0].caption


def test_monthly_table_shows_the_last_24_months_with_their_figures(sample_analysis) -> None:
    model = build_output(sample_analysis)
    (summary,) = [s for s in model.sheets if s.key == "summary"]
    (monthly,) = [t for t in summary.tables if "month" in t.rows.columns]
    rows = monthly.rows
    orders = sample_analysis.orders
    expected = orders.groupby(orders["order_date"].dt.strftime("%Y-%m"))["revenue"].sum()
    expected = expected.sort_index().tail(24)
    assert rows["month"].tolist() == expected.index.tolist()
    assert rows["revenue"].tolist() == pytest.approx(expected.tolist())
    assert rows["month"].tolist() == sorted(rows["month"])  # across year ends too
    last = orders.loc[orders["order_date"].dt.strftime("%Y-%m") == rows["month"].iloc[-1]]
    buyers = last.loc[last["is_purchase"].astype(bool), "customer_id"].nunique()
    assert rows["buyers"].iloc[-1] == buyers
