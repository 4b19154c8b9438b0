"""The insights on a real workbook: pipeline → actions, campaigns, tabs and exports."""

from __future__ import annotations

import datetime as dt
import io

import openpyxl
import pandas as pd
import pytest

from sheetcrm.exports import write_export
from sheetcrm.insights import (
    ACTION_EXPORT,
    MAILING_COLUMNS,
    actions_for,
    campaign_results,
    insight_exports,
    insight_sheets,
    summary_tables,
)
from sheetcrm.labels import label
from sheetcrm.output_model import OutputWorkbook
from sheetcrm.pipeline import analyse
from sheetcrm.render_xlsx import render_xlsx

AS_OF = dt.date(2025, 1, 10)
SHOP = {
    "顧客": [
        ["顧客ID", "氏名", "メール", "電話", "住所", "生年月日", "性別", "流入経路", "メルマガ"],
        [
            "C001",
            "山田 花子",
            "hanako@example.com",
            "090-1111-2222",
            "東京都渋谷区1-1",
            dt.date(1985, 1, 15),
            "女性",
            "Instagram",
            "希望",
        ],
        ["C002", "佐藤 次郎", "jiro@example.com", None, None, None, "男性", "紹介", "配信停止"],
        ["C003", "鈴木 三郎", "saburo@example.com", None, None, None, None, "Instagram", None],
        [
            "C004",
            "高橋 四郎",
            "shiro@example.com",
            None,
            "大阪府大阪市北区1-1",
            dt.date(1990, 6, 1),
            "男性",
            "チラシ",
            "希望",
        ],
    ],
    "注文": [
        ["注文番号", "注文日", "顧客ID", "商品", "金額"],
        *[
            [f"A{i}", dt.date(2024, month, 10), "C001", "定期便", 10000]
            for i, month in enumerate((1, 3, 5, 7, 9))
        ],
        ["B1", dt.date(2025, 1, 3), "C002", "石けん", 3000],  # follow-up day, but opted out
        ["D1", dt.date(2025, 1, 4), "C004", "石けん", 2000],
    ],
    "対応履歴": [
        ["日付", "顧客ID", "種別", "施策", "状況"],
        [dt.date(2025, 1, 5), "C001", "クレーム", None, "対応中"],
        [dt.date(2025, 1, 8), "C003", "資料請求", None, None],
        [dt.date(2025, 1, 2), "C003", "DM送付", "新春DM", None],
        [dt.date(2025, 1, 2), "C004", "DM送付", "新春DM", None],
    ],
}


@pytest.fixture
def shop(make_workbook):
    return make_workbook(SHOP)


def test_action_list_from_a_workbook(shop) -> None:
    analysis = analyse(shop, as_of=AS_OF)
    actions = actions_for(analysis)
    assert actions["customer_id"].tolist() == ["C001", "C003", "C004"]
    assert actions["reason"].tolist() == ["complaint", "responder", "follow_up"]
    assert actions["channel"].tolist() == ["phone", "email", "email"]
    # C002's follow-up could only go by e-mail, and C002 opted out: nothing at all.
    assert "C002" not in set(actions["customer_id"])


def test_campaign_results_from_a_workbook(shop) -> None:
    analysis = analyse(shop, as_of=AS_OF)
    row = campaign_results(analysis.resolution.activities, analysis.orders, window_days=30).iloc[0]
    assert (row["campaign"], row["reached"], row["responders"], row["buyers"]) == (
        "新春DM",
        2,
        1,
        1,
    )
    assert row["revenue"] == 2000
    assert row["conversion_rate"] == 0.5


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_insight_tabs_render_with_titles_in_the_workbooks_language(shop, tmp_path, lang) -> None:
    analysis = analyse(shop, as_of=AS_OF, lang=lang)
    sheets = insight_sheets(analysis)
    assert [s.key for s in sheets] == ["actions", "campaigns", "retention", "breakdowns"]
    assert [s.title for s in sheets] == [
        label("tabs", key, lang) for key in ("actions", "campaigns", "retention", "breakdowns")
    ]
    path = tmp_path / "insights.xlsx"
    render_xlsx(OutputWorkbook(lang=lang, sheets=tuple(sheets)), path)
    book = openpyxl.load_workbook(path)
    actions = book[label("tabs", "actions", lang)]
    header = [c.value for c in actions[2]]
    assert header[:4] == [
        label("columns", k, lang) for k in ("priority", "priority_score", "due_date", "name")
    ]
    first = [c.value for c in actions[3]]
    assert first[3] == "山田 花子"
    assert first[4] == ("未解決のクレーム" if lang == "ja" else "Open complaint")
    assert first[7] == ("電話" if lang == "ja" else "Phone")
    retention = book[label("tabs", "retention", lang)]
    assert retention._charts  # the days-to-second-purchase chart


def test_breakdowns_tab_is_left_out_without_attributes(make_workbook) -> None:
    plain = {
        "注文": [
            ["注文番号", "注文日", "氏名", "メール", "金額"],
            ["A1", dt.date(2024, 12, 1), "山田 花子", "hanako@example.com", 1000],
        ]
    }
    analysis = analyse(make_workbook(plain), as_of=AS_OF)
    assert [s.key for s in insight_sheets(analysis)] == ["actions", "campaigns", "retention"]


def test_summary_tables_compare_periods_and_show_cohorts(shop) -> None:
    analysis = analyse(shop, as_of=AS_OF)
    periods, cohorts = summary_tables(analysis)
    periods_shown = ["直近30日", "その前の30日", "直近90日", "その前の90日"]
    assert periods.rows["period"].tolist() == periods_shown
    assert periods.rows.loc[0, "revenue"] == 5000  # C002 and C004 in January
    assert "month_0" in cohorts.rows.columns


def test_exports_have_stable_columns(shop) -> None:
    analysis = analyse(shop, as_of=AS_OF)
    exports = insight_exports(analysis)
    assert list(exports) == ["actions", "mailing"]
    actions, mailing = exports["actions"], exports["mailing"]
    assert list(actions.columns) == ACTION_EXPORT
    assert actions.loc[0, "reason"] == "complaint"
    assert actions.loc[0, "reason_detail"] == "2025/01/05 のクレームが未解決（状況: 対応中）"
    assert list(mailing.columns) == MAILING_COLUMNS
    # C001 has an open complaint, C002 opted out.
    assert mailing["customer_id"].tolist() == ["C004", "C003"]  # segment order: prospects last
    out = io.StringIO()
    write_export(actions, "csv", out)
    table = pd.read_csv(io.StringIO(out.getvalue()))
    assert list(table.columns) == ACTION_EXPORT
    assert len(table) == 3


@pytest.mark.parametrize(
    ("sheets", "reason"),
    [
        (
            {
                "顧客": [
                    ["氏名", "メール", "生年月日"],
                    ["山田 花子", "h@example.com", dt.date(1990, 1, 12)],
                ]
            },
            "birthday",
        ),
        (
            {
                "対応履歴": [
                    ["日付", "氏名", "メール", "種別", "施策"],
                    [dt.date(2025, 1, 8), "山田 花子", "h@example.com", "問い合わせ", "春"],
                ]
            },
            "responder",
        ),
    ],
)
def test_insights_work_on_a_customer_list_or_an_activity_log_alone(
    make_workbook, tmp_path, sheets, reason
) -> None:
    analysis = analyse(make_workbook(sheets), as_of=AS_OF)
    assert actions_for(analysis)["reason"].tolist() == [reason]
    sheets_out = insight_sheets(analysis)
    render_xlsx(OutputWorkbook(lang="ja", sheets=tuple(sheets_out)), tmp_path / "out.xlsx")
    periods, cohorts = summary_tables(analysis)
    assert periods.rows["revenue"].eq(0).all()
    assert cohorts.rows.empty
