"""``push``, ``pull`` and ``new --google``: the seller's tabs move between Excel and Google
Sheets with their types, never overwrite a tab unasked, and take the duplicate decisions
along."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest
from gsheets_helpers import AS_OF, api_for, marked

from sheetcrm.decisions import MEMORY_TITLE
from sheetcrm.errors import InvalidOption, TabExists
from sheetcrm.fakesheets import FakeSheetsServer
from sheetcrm.gsheets import sync
from sheetcrm.gsheets.transfer import create_spreadsheet, pull, push
from sheetcrm.pipeline import refresh
from sheetcrm.source import generated_tabs

ORDERS = [
    ["注文日", "お名前", "メール", "電話", "金額", "DM可"],
    [dt.date(2024, 1, 5), "佐藤花子", "hanako@example.com", "0312345678", 1200, True],
    [dt.date(2024, 3, 5), "佐藤花子", "hanako.sato@example.jp", "0312345678", 2000.5, False],
    [dt.date(2024, 4, 5), '=HYPERLINK("http://evil.example","x")', "x@example.jp", None, 800, None],
]


# Same name, different e-mails: a duplicate candidate for the seller to decide on.
SAME_NAME = [
    ["注文日", "お名前", "メール", "金額"],
    ["2024/1/5", "佐藤花子", "hanako@example.com", 1000],
    ["2024/3/5", "佐藤花子", "hanako.sato@example.jp", 2000],
]


@pytest.fixture(scope="module")
def server():
    with FakeSheetsServer(seed=51) as fake:
        yield fake


def test_push_keeps_types_and_pull_brings_them_back(server, make_workbook, tmp_path) -> None:
    path = make_workbook({"注文": ORDERS, "メモ": [["覚え書き"]]})
    sid = server.create_spreadsheet("Empty", {"Sheet1": []})
    report = push(path, sid, api=api_for(server))
    assert report.tabs == ("注文", "メモ")
    assert report.batches == 1

    tab = server.spreadsheet(sid).sheet("注文")
    assert tab.cell("A2")["userEnteredValue"] == {"numberValue": 45296}
    assert tab.format("A2")["numberFormat"]["type"] == "DATE"
    assert tab.formatted("A2") == "2024/01/05"
    assert tab.cell("D2")["userEnteredValue"] == {"stringValue": "0312345678"}
    assert tab.cell("B4")["userEnteredValue"] == {
        "stringValue": '=HYPERLINK("http://evil.example","x")'
    }
    assert tab.cell("E3")["userEnteredValue"] == {"numberValue": 2000.5}
    assert tab.cell("F2")["userEnteredValue"] == {"boolValue": True}
    assert server.spreadsheet(sid).sheet("Sheet1").values == []  # left alone

    out = tmp_path / "pulled.xlsx"
    pulled = pull(sid, out, api=api_for(server))
    assert pulled.tabs == ("Sheet1", "注文", "メモ")
    sheet = openpyxl.load_workbook(out)["注文"]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[1][0] == dt.datetime(2024, 1, 5)
    assert rows[1][3] == "0312345678"
    assert rows[3][1] == '=HYPERLINK("http://evil.example","x")'
    assert sheet.cell(4, 2).data_type == "s"  # text, not a formula
    assert rows[2][4] == 2000.5 and rows[1][5] is True


def test_push_never_overwrites_a_tab_unless_told_to(server, make_workbook) -> None:
    path = make_workbook({"注文": ORDERS})
    sid = server.create_spreadsheet("Busy", {"注文": [["前のデータ"]], "他": [["x"]]})
    before = server.spreadsheet(sid)
    with pytest.raises(TabExists) as refused:
        push(path, sid, api=api_for(server))
    assert "--replace" in str(refused.value)
    assert refused.value.exit_code == 2
    assert server.spreadsheet(sid) == before

    report = push(path, sid, replace=True, api=api_for(server))
    after = server.spreadsheet(sid)
    assert report.replaced == ("注文",)
    assert after.sheet("注文").sheet_id == before.sheet("注文").sheet_id  # same tab, refilled
    assert after.sheet("注文").value("B2") == "佐藤花子"
    assert after.sheet("他") == before.sheet("他")


def _decide_in_excel(path: Path, decision: str) -> None:
    workbook = openpyxl.load_workbook(path)
    sheet = workbook["重複候補"]
    for row in sheet.iter_rows():
        if any(str(c.value or "").startswith("C-") for c in row[1:]):
            row[0].value = decision
            break
    workbook.save(path)


def test_decisions_travel_with_push_and_pull(server, make_workbook, tmp_path) -> None:
    path = make_workbook({"注文": SAME_NAME})
    assert len(refresh(path, as_of=AS_OF, backup=False).analysis.customers) == 2
    _decide_in_excel(path, "統合する")  # decided in Excel, never refreshed since

    sid = server.create_spreadsheet("Moved", {"Sheet1": []})
    report = push(path, sid, api=api_for(server))
    assert report.decisions == 1
    state = server.spreadsheet(sid)
    assert marked(state) == {MEMORY_TITLE: "memory"}
    assert "重複候補" not in state.sheet_titles  # generated tabs are not pushed

    synced = sync(sid, api=api_for(server), as_of=AS_OF)
    assert len(synced.analysis.customers) == 1  # the Excel decision applied in Sheets

    out = tmp_path / "back.xlsx"
    pulled = pull(sid, out, api=api_for(server))
    assert pulled.decisions == 1
    assert "memory" in generated_tabs(out)
    again = refresh(out, as_of=AS_OF, backup=False)
    assert len(again.analysis.customers) == 1


def test_people_forgotten_in_excel_stay_forgotten_in_google_and_back(
    server, make_workbook, tmp_path
) -> None:
    from sheetcrm.forget import forget

    path = make_workbook({"注文": [*SAME_NAME, ["2024/4/5", "鈴木一郎", "ichiro@example.jp", 500]]})
    refresh(path, as_of=AS_OF, backup=False)
    forget(path, "ichiro@example.jp", as_of=AS_OF, backup=False)

    sid = server.create_spreadsheet("Private", {"Sheet1": []})
    push(path, sid, api=api_for(server))
    synced = sync(sid, api=api_for(server), as_of=AS_OF)
    assert "鈴木一郎" not in set(synced.analysis.customers["name"])
    assert marked(server.spreadsheet(sid))["sheetcrm forgotten"] == "forgotten"
    resynced = sync(sid, api=api_for(server), as_of=AS_OF)  # the list is kept, not removed
    assert "sheetcrm forgotten" not in resynced.removed

    out = tmp_path / "back.xlsx"
    pull(sid, out, api=api_for(server))
    assert "forgotten" in generated_tabs(out)
    again = refresh(out, as_of=AS_OF, backup=False)
    assert "鈴木一郎" not in set(again.analysis.customers["name"])


def test_pull_refuses_to_overwrite_a_file(server, tmp_path) -> None:
    sid = server.create_spreadsheet("P", {"Sheet1": [["a"]]})
    out = tmp_path / "exists.xlsx"
    out.write_bytes(b"mine")
    with pytest.raises(InvalidOption):
        pull(sid, out, api=api_for(server))
    assert out.read_bytes() == b"mine"
    pull(sid, out, overwrite=True, api=api_for(server))
    assert openpyxl.load_workbook(out)["Sheet1"]["A1"].value == "a"


def test_new_google_creates_the_template_with_drop_downs_and_shares_it(server) -> None:
    report = create_spreadsheet(
        lang="ja",
        sample=True,
        share="owner@example.com",
        api=api_for(server),
        today=AS_OF,
    )
    state = server.spreadsheet(report.spreadsheet_id)
    assert state.sheet_titles[:4] == ["使い方", "顧客", "注文", "対応履歴"]
    assert "sheetcrm" not in state.sheet_titles  # the placeholder tab is gone
    assert state.properties["locale"] == "ja_JP"
    orders = state.sheet("注文")
    assert orders.frozen_row_count == 1
    rules = [c["dataValidation"] for c in orders.cells.values() if "dataValidation" in c]
    assert rules and all(r["condition"]["type"] == "ONE_OF_LIST" for r in rules)
    assert any(p.get("emailAddress") == "owner@example.com" for p in state.permissions)
    assert report.requests == 3  # create, one batchUpdate, share

    synced = sync(report.spreadsheet_id, api=api_for(server), as_of=AS_OF)
    assert synced.analysis.rows_read()["orders"] > 50
    assert "設定" not in synced.tabs  # the template's Settings tab is the seller's already
