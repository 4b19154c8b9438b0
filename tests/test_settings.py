"""The Settings tab: read from the workbook, validated cell by cell, overridden by the CLI."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from sheetcrm.cli import main
from sheetcrm.package import generated_sheets
from sheetcrm.pipeline import analyse, refresh

ORDERS = [
    ["注文日", "お名前", "メール", "金額"],
    ["2024/1/5", "山田", "y@example.com", 1000],
    ["2024/6/5", "佐藤", "s@example.com", 2000],
]


def _settings(*options: list[object], sections: list[list[object]] = ()) -> list[list[object]]:
    return [["sheetcrm 設定 — メモ"], [], ["項目", "値", "説明"], *options, [], *sections]


def test_options_are_read_from_the_tab(make_workbook) -> None:
    path = make_workbook(
        {
            "注文": ORDERS,
            "設定": _settings(
                ["言語", "en"],
                ["基準日", "2024/12/31"],
                ["通貨", "usd"],
                ["同一内容の行も別の売上として数える", "はい"],
            ),
        }
    )
    a = analyse(path)
    assert (a.lang, a.as_of, a.settings.currency, a.settings.keep_identical_rows) == (
        "en",
        dt.date(2024, 12, 31),
        "USD",
        True,
    )
    assert a.settings.sheet == "設定"
    assert not a.issues


def test_command_line_wins_over_the_tab(make_workbook) -> None:
    path = make_workbook({"注文": ORDERS, "設定": _settings(["基準日", "2024/12/31"])})
    assert analyse(path, as_of=dt.date(2024, 7, 1)).as_of == dt.date(2024, 7, 1)


def test_invalid_values_are_issues_with_cells_and_defaults_apply(make_workbook) -> None:
    path = make_workbook(
        {
            "注文": ORDERS,
            "設定": _settings(
                ["言語", "french"], ["基準日", "そのうち"], ["Favourite colour", "blue"]
            ),
        }
    )
    a = analyse(path, as_of=dt.date(2024, 12, 31))
    found = {(i.cell, i.code) for i in a.issues}
    assert ("設定!B4", "settings_invalid_value") in found
    assert ("設定!B5", "settings_invalid_value") in found
    assert ("設定!A6", "settings_unknown_option") in found
    assert a.lang == "ja"  # detected from the headers, as with no setting


def test_column_override_names_an_unknown_header(make_workbook) -> None:
    path = make_workbook(
        {
            "Orders": [["Kaufdatum", "Kunde", "Betrag"], ["2024-01-05", "Anna", 10]],
            "Settings": _settings(
                sections=[
                    ["Column overrides (header → field)"],
                    ["Sheet (blank = any)", "Header", "Field"],
                    [None, "Kaufdatum", "order_date"],
                    ["Orders", "Kunde", "name"],
                    [None, "Betrag", "amount"],
                ]
            ),
        }
    )
    a = analyse(path, as_of=dt.date(2024, 12, 31))
    assert a.customers.loc[0, "total_spent"] == 10


def test_sheet_roles_ignore_and_force(make_workbook) -> None:
    path = make_workbook(
        {
            "注文": ORDERS,
            "古い注文": ORDERS,
            "設定": _settings(
                sections=[["シートの役割"], ["シート", "役割"], ["古い注文", "無視"]]
            ),
        }
    )
    a = analyse(path, as_of=dt.date(2024, 12, 31))
    assert [t.sheet for t in a.tables] == ["注文"]


def test_own_segment_table_replaces_the_default(make_workbook) -> None:
    table = [
        ["セグメント表（R・F スコアの範囲）"],
        ["セグメント", "R 最小", "R 最大", "F 最小", "F 最大"],
        ["優良顧客", 1, 5, 1, 5],
    ]
    path = make_workbook({"注文": ORDERS, "設定": _settings(sections=table)})
    a = analyse(path, as_of=dt.date(2024, 12, 31))
    assert set(a.customers["segment"]) == {"champions"}


def test_incomplete_segment_table_is_reported_and_ignored(make_workbook) -> None:
    table = [
        ["セグメント表"],
        ["セグメント", "R 最小", "R 最大", "F 最小", "F 最大"],
        ["優良顧客", 5, 5, 5, 5],
    ]
    path = make_workbook({"注文": ORDERS, "設定": _settings(sections=table)})
    a = analyse(path, as_of=dt.date(2024, 12, 31))
    assert any(i.code == "settings_segment_table_incomplete" for i in a.issues)
    assert a.settings.segment_rules is None


def test_first_refresh_adds_a_settings_tab_that_is_then_left_to_the_seller(make_workbook) -> None:
    path = make_workbook({"注文": ORDERS})
    refresh(path, as_of=dt.date(2024, 12, 31), backup=False)
    assert "settings" in generated_sheets(path).values()
    # The seller edits it (openpyxl stands in for Excel here) …
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["設定"]
    row = next(r for r in sheet.iter_rows() if r[0].value == "言語")
    row[1].value = "en"
    workbook.save(path)
    # … and the next refresh reads the edit and keeps the tab as it is.
    report = refresh(path, as_of=dt.date(2024, 12, 31), backup=False)
    assert report.analysis.lang == "en"
    values = [[c.value for c in r] for r in openpyxl.load_workbook(path)["設定"].iter_rows()]
    assert ["言語", "en"] in [v[:2] for v in values]
    assert list(openpyxl.load_workbook(path).sheetnames).count("設定") == 1


def test_template_settings_tab_is_used_and_not_duplicated(tmp_path: Path) -> None:
    path = tmp_path / "shop.xlsx"
    runner = CliRunner()
    assert runner.invoke(main, ["new", str(path), "--sample"]).exit_code == 0
    result = runner.invoke(main, ["refresh", str(path), "--no-backup"])
    assert result.exit_code == 0, result.output
    names = openpyxl.load_workbook(path, read_only=True).sheetnames
    assert names.count("設定") == 1
    assert "settings" not in generated_sheets(path).values()


def test_action_thresholds_are_read_and_validated(make_workbook) -> None:
    path = make_workbook(
        {
            "注文": ORDERS,
            "設定": _settings(
                ["初回購入後のフォロー（日後）", "10"],
                ["最近の反応とみなす期間（日）", "-3"],
                ["電話・DM を使う最低 M スコア", "5"],
            ),
        }
    )
    a = analyse(path, as_of=dt.date(2024, 12, 31))
    assert a.settings.follow_up_days == 10
    assert a.settings.responder_days == 30  # -3 is invalid: default kept, issue raised
    assert a.settings.personal_channel_min_m_score == 5
    assert [i.cell for i in a.issues if i.code == "settings_invalid_value"] == ["設定!B5"]
