"""``python -m sheetcrm.fakesheets``: seeding from an xlsx, and state kept across runs."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import requests
from openpyxl import Workbook

from sheetcrm.fakesheets import FakeSheetsServer, client_for


def write_workbook(path: Path, sheets: dict[str, list[list[object]]]) -> Path:
    """An xlsx with ``{sheet title: rows}``, values only."""
    workbook = Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
    workbook.save(path)
    return path


def test_module_serves_a_seeded_workbook_on_loopback(tmp_path: Path) -> None:
    workbook = write_workbook(
        tmp_path / "shop.xlsx",
        {
            "顧客": [["氏名", "電話", "登録日"], ["山田", "0312345678", dt.date(2024, 1, 5)]],
            "Orders": [["id", "amount"], [1, 1200]],
        },
    )
    process = subprocess.Popen(
        [sys.executable, "-m", "sheetcrm.fakesheets", "--port", "0", "--seed-xlsx", str(workbook)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        listening = process.stdout.readline().strip()
        seeded = process.stdout.readline().strip()
        root = listening.rsplit(" ", 1)[-1]
        assert root.startswith("http://127.0.0.1:")
        spreadsheet_id = seeded.split()[2]
        values = requests.get(
            f"{root}/v4/spreadsheets/{spreadsheet_id}/values/'顧客'", timeout=5
        ).json()
        assert values["values"] == [
            ["氏名", "電話", "登録日"],
            ["山田", "0312345678", "2024-01-05"],
        ]
        listed = requests.get(f"{root}/drive/v3/files", params={"q": 'name = "shop"'}, timeout=5)
        assert [f["id"] for f in listed.json()["files"]] == [spreadsheet_id]
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_state_file_keeps_spreadsheets_across_restarts(tmp_path: Path) -> None:
    state = tmp_path / "state.json"
    with FakeSheetsServer(state_path=state) as first:
        sid = first.create_spreadsheet("Kept", {"Sheet1": [["a"]]})
        sheet = client_for(first.root_url).open_by_key(sid).sheet1
        sheet.update([["=1+1"]], "B1", value_input_option="USER_ENTERED")
        sheet.freeze(rows=1)
    with FakeSheetsServer(state_path=state) as second:
        tab = second.spreadsheet(sid).sheet("Sheet1")
        assert tab.value("A1") == "a"
        assert tab.cell("B1")["userEnteredValue"] == {"formulaValue": "=1+1"}
        assert tab.frozen_row_count == 1
